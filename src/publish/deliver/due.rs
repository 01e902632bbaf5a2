//! The due posts: which planned posts are due now (from the plan and the
//! organiser's resends), which clash, which enter the archive with no
//! channel, and what comes next.
//!
//! Owns: turning the plan into work for a run. Must not import: anything
//! that sends.

use super::Ledger;
use crate::core::project::Project;
use crate::core::time::Clock;
use crate::publish::schedule::plan::PostStatus;
use chrono::{DateTime, Duration, Utc};
use std::path::PathBuf;

/// A post due in a slot (from the plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The post's source path.
    pub source: PathBuf,
    /// Its column.
    pub column: String,
    /// The slot (or pinned time) it is due at.
    pub slot: DateTime<Utc>,
}

/// The posts due at `clock.now` by the plan, for delivery: every planned
/// post whose time has come and that is not older than the ledger's
/// history (delivered posts too, so a channel that has not had one yet
/// still gets it; the ledger decides per channel).
pub fn due_now(c: &Project, clock: &Clock, ledger: &Ledger) -> Vec<Due> {
    let max_stale = c
        .config
        .columns
        .iter()
        .map(|col| col.stale_after)
        .max()
        .unwrap_or_else(|| Duration::hours(2));
    let from = ledger.started().unwrap_or(clock.now) - max_stale - Duration::days(1);
    let mut out: Vec<Due> = planned(c, clock)
        .into_iter()
        .filter(|d| d.slot <= clock.now && d.slot >= from)
        .collect();
    // Resends the organiser asked for, whatever their age.
    for d in ledger.deliveries().filter(|d| d.resend) {
        if !out.iter().any(|o| o.source == d.post) {
            if let (Some(p), Some(slot)) = (c.posts.iter().find(|p| p.source == d.post), d.slot) {
                out.push(Due {
                    source: p.source.clone(),
                    column: p.column.clone(),
                    slot,
                });
            }
        }
    }
    out
}

/// Publishes the due queued posts that no channel carries: their slot has
/// come, so they enter the archive, dated by that slot. The slot is
/// recorded in the ledger as a delivery is, so the post never moves again.
/// (A pinned post needs no record: its `publish_at` dates it.) Returns the
/// posts newly published.
pub fn publish_without_channel(
    c: &Project,
    ledger: &mut Ledger,
    due: &[Due],
    now: DateTime<Utc>,
) -> std::io::Result<Vec<Due>> {
    let mut out = Vec::new();
    for d in due {
        let Some(post) = c.posts.iter().find(|p| p.source == d.source) else {
            continue;
        };
        let carried = c.config.channels.iter().any(|ch| ch.carries(&d.column));
        if carried || post.publish_at.is_some() || ledger.is_published(&d.source) {
            continue;
        }
        ledger.ensure_started(now)?;
        ledger.append_published(now, &d.source, d.slot)?;
        out.push(d.clone());
    }
    Ok(out)
}

/// Posts due at one instant in one column: two posts pinned (or pinned and
/// delivered) to the same slot, which `qunshu schedule` reports as a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The column.
    pub column: String,
    /// The instant they share.
    pub slot: DateTime<Utc>,
    /// Every post at that instant, sorted.
    pub posts: Vec<PathBuf>,
}

/// Takes the clashing posts out of `due` and returns the clashes: a post
/// that shares its column and instant with another is not sent until the
/// organiser moves one of them (the plan shows the clash the same way).
/// A post already delivered stays in `due` (the ledger decides per
/// channel), so only the newcomer is held back.
pub fn take_clashes(c: &Project, due: &mut Vec<Due>) -> Vec<Clash> {
    let mut groups: std::collections::BTreeMap<(&str, DateTime<Utc>), Vec<PathBuf>> =
        std::collections::BTreeMap::new();
    for d in due.iter() {
        groups
            .entry((d.column.as_str(), d.slot))
            .or_default()
            .push(d.source.clone());
    }
    let clashes: Vec<Clash> = groups
        .into_iter()
        .filter(|(_, posts)| posts.len() > 1)
        .map(|((column, slot), mut posts)| {
            posts.sort();
            Clash {
                column: column.to_string(),
                slot,
                posts,
            }
        })
        .collect();
    if !clashes.is_empty() {
        due.retain(|d| {
            c.delivered.contains_key(&d.source)
                || !clashes
                    .iter()
                    .any(|k| k.column == d.column && k.slot == d.slot)
        });
    }
    clashes
}

/// The next planned delivery after `clock.now`, if any.
pub fn next_due(c: &Project, clock: &Clock) -> Option<Due> {
    upcoming(c, clock, 1).into_iter().next()
}

/// Upcoming deliveries after `clock.now`, soonest first.
pub fn upcoming(c: &Project, clock: &Clock, n: usize) -> Vec<Due> {
    let s = crate::publish::schedule::plan::planned_times(c, clock);
    s.posts
        .iter()
        .filter(|p| p.at > clock.now && p.status != PostStatus::Delivered)
        .take(n)
        .map(|p| Due {
            source: p.source.clone(),
            column: p.column.clone(),
            slot: p.at,
        })
        .collect()
}

/// The planned time of every post, from the plan: pinned posts at their
/// time, delivered posts in the slot they were delivered for, queued posts
/// in their column's next free deliverable slot.
fn planned(c: &Project, clock: &Clock) -> Vec<Due> {
    crate::publish::schedule::plan::planned_times(c, clock)
        .posts
        .into_iter()
        .map(|p| Due {
            source: p.source,
            column: p.column,
            slot: p.at,
        })
        .collect()
}
