//! The posting plan: which post goes out when.
//!
//! Two layers:
//!
//! * [`planned_times`] gives the planned time of *every* post that will or
//!   did go out — pinned, delivered, or queued into the next free slot — with
//!   no date range. The delivery engine asks it "what is due now".
//! * [`plan`] is the view of a date range for `qunshu schedule`: every slot
//!   of every column with the post that fills it (or none), clashes, custom
//!   times, events, the admin on duty, and each column's runway.
//!
//! Both are pure functions of the community, its delivery record
//! (`Project::delivered`) and the clock.
//!
//! ## Rules
//!
//! * A post with `publish_at` is **pinned** to that instant.
//! * A post recorded in `Project::delivered` is **delivered**: its time
//!   never changes again. It occupies the slot it was delivered for (the
//!   latest slot of its column at or before the delivery, within the column's
//!   `stale_after`), or its pinned time, or else the delivery instant.
//! * Every other post (not a draft, not expired) is **queued**: in queue
//!   order — posts with a `queue:` number first, lowest first, then the rest
//!   by file name — each takes the next free slot of its column that is still
//!   deliverable (a slot counts until `stale_after` has passed since it, so a
//!   delivery run a few minutes late still finds its post due). Slots held by
//!   pinned or delivered posts are never taken, so adding, editing or
//!   removing a queued post never moves a pinned one.
//! * Two pinned (or delivered) posts at one instant in one column clash.

use super::slots;
use crate::core::config::events::Occurrence;
use crate::core::config::{Column, Lang};
use crate::core::content::{Credit, Post};
use crate::core::project::Project;
use crate::core::time::{self, Clock};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// How a post got its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    /// `publish_at` in the front matter.
    Pinned,
    /// Already delivered (recorded in the delivery ledger).
    Delivered,
    /// No time of its own: the next free slot of its column.
    Queued,
}

/// The planned time of one post.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedPost {
    /// Index into `Project::posts`.
    #[serde(skip)]
    pub index: usize,
    /// Source file (`content/briefs/x.md`), the post's identity.
    pub source: PathBuf,
    /// Column id.
    pub column: String,
    /// When it goes (or went) out.
    pub at: DateTime<Utc>,
    /// Pinned, delivered or queued.
    pub status: PostStatus,
    /// Whether `at` is one of the column's slots (false: a custom time).
    pub on_slot: bool,
    /// When it was actually delivered, for delivered posts.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Why a post has no planned time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// Queued in a column that has no slots (no `times` or no `days`).
    NoSlots,
    /// Queued, but its `expire_at` has passed or comes before the slot it
    /// would get.
    Expired,
}

/// A queued post that cannot be planned.
#[derive(Debug, Clone, Serialize)]
pub struct Unplaced {
    /// Source file.
    pub source: PathBuf,
    /// Column id.
    pub column: String,
    /// Why.
    pub reason: UnplacedReason,
}

/// How long a column's queue lasts.
#[derive(Debug, Clone, Serialize)]
pub struct Runway {
    /// Column id.
    pub column: String,
    /// Queued posts waiting for a slot.
    pub queued: usize,
    /// Pinned posts still to go out (from now on).
    pub pinned_ahead: usize,
    /// The slot of the last queued post, if any.
    pub last_queued: Option<DateTime<Utc>>,
    /// The first deliverable slot with no post: where the queue runs out.
    /// `None` when the column has no slots.
    pub runs_out: Option<DateTime<Utc>>,
    /// Whole local days from today to `runs_out` (0 = today).
    pub days_left: Option<i64>,
}

/// Planned times of every post: the whole posting timeline, no date range.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The clock the schedule was made with.
    pub now: DateTime<Utc>,
    /// Site zone.
    pub tz: Tz,
    /// Every planned post, sorted by time, then column, then source.
    pub posts: Vec<PlannedPost>,
    /// Queued posts that cannot be planned.
    pub unplaced: Vec<Unplaced>,
    /// Runway per column, in `site.toml` order.
    pub runway: Vec<Runway>,
}

impl Schedule {
    /// Planned posts with `from <= at < to`, optionally of one column.
    pub fn between<'a>(
        &'a self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        column: Option<&'a str>,
    ) -> impl Iterator<Item = &'a PlannedPost> + 'a {
        let lo = self.posts.partition_point(|p| p.at < from);
        let hi = self.posts.partition_point(|p| p.at < to);
        self.posts[lo..hi.max(lo)]
            .iter()
            .filter(move |p| column.is_none_or(|c| p.column == c))
    }
}

/// Queue order: explicit `queue:` numbers first (lowest first), then file
/// name, then the whole source path.
fn queue_key(p: &Post) -> (bool, i64, String, PathBuf) {
    (
        p.queue.is_none(),
        p.queue.unwrap_or(0),
        p.source
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        p.source.clone(),
    )
}

/// The slot a delivery at `d` filled: the latest slot at or before `d`
/// within `stale_after`, if any.
fn slot_for_delivery(col: &Column, tz: Tz, d: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let first = (d - col.stale_after).with_timezone(&tz).date_naive();
    let last = d.with_timezone(&tz).date_naive();
    let days = (last - first).num_days().clamp(0, 366) as u32 + 1;
    slots::slots_between(col, tz, first, days)
        .into_iter()
        .filter(|s| *s <= d && d < *s + col.stale_after)
        .max()
}

/// The planned time of every post: pinned, delivered, or queued into the
/// next free deliverable slot of its column (see the module docs for the
/// rules). Drafts are left out.
pub fn planned_times(c: &Project, clock: &Clock) -> Schedule {
    let tz = c.config.tz;
    let now = clock.now;
    let mut plan = Placing::default();
    let mut queued: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in c.posts.iter().enumerate() {
        if p.draft {
            continue;
        }
        match fixed_time(c, p) {
            Some((at, status, delivered_at)) => {
                plan.taken.entry(p.column.clone()).or_default().insert(at);
                plan.posts.push(PlannedPost {
                    index: i,
                    source: p.source.clone(),
                    column: p.column.clone(),
                    at,
                    status,
                    on_slot: false,
                    delivered_at,
                });
            }
            None if p.expire_at.is_some_and(|e| e <= now) => plan.unplaced.push(Unplaced {
                source: p.source.clone(),
                column: p.column.clone(),
                reason: UnplacedReason::Expired,
            }),
            None => queued.entry(p.column.as_str()).or_default().push(i),
        }
    }
    for col in &c.config.columns {
        let mut q = queued.remove(col.id.as_str()).unwrap_or_default();
        q.sort_by_cached_key(|&i| queue_key(&c.posts[i]));
        plan.queue_column(c, clock, col, q);
    }
    let Placing {
        mut posts,
        unplaced,
        runway,
        ..
    } = plan;
    // Mark pinned/delivered posts that sit on a slot of their column.
    for p in posts.iter_mut().filter(|p| p.status != PostStatus::Queued) {
        if let Some(col) = c.config.column(&p.column) {
            let local = p.at.with_timezone(&tz).date_naive();
            p.on_slot = slots::slots_on(col, tz, local).contains(&p.at);
        }
    }
    let order = column_order(c);
    posts.sort_by(|a, b| {
        (a.at, order.get(a.column.as_str()), &a.source).cmp(&(
            b.at,
            order.get(b.column.as_str()),
            &b.source,
        ))
    });
    Schedule {
        now,
        tz,
        posts,
        unplaced,
        runway,
    }
}

/// The time of a post that is not queued: when it was delivered (on the
/// slot it went out for), or its pinned `publish_at`. `None` for a queued
/// post.
fn fixed_time(c: &Project, p: &Post) -> Option<(DateTime<Utc>, PostStatus, Option<DateTime<Utc>>)> {
    let col = c.config.column(&p.column);
    match (c.delivered.get(&p.source).copied(), p.publish_at) {
        (Some(d), pinned) => {
            let at = match (pinned, col) {
                (Some(t), Some(col)) if t <= d && d < t + col.stale_after => t,
                (_, Some(col)) => slot_for_delivery(col, c.config.tz, d).unwrap_or(d),
                (_, None) => d,
            };
            Some((at, PostStatus::Delivered, Some(d)))
        }
        (None, Some(t)) => Some((t, PostStatus::Pinned, None)),
        (None, None) => None,
    }
}

/// The plan while [`planned_times`] fills it.
#[derive(Default)]
struct Placing {
    posts: Vec<PlannedPost>,
    unplaced: Vec<Unplaced>,
    runway: Vec<Runway>,
    /// Slots already held by pinned or delivered posts, by column.
    taken: HashMap<String, HashSet<DateTime<Utc>>>,
}

impl Placing {
    /// Places the queue `q` of column `col` (in queue order) into its next
    /// free deliverable slots, and records the column's runway.
    fn queue_column(&mut self, c: &Project, clock: &Clock, col: &Column, q: Vec<usize>) {
        let (tz, now) = (c.config.tz, clock.now);
        let empty = HashSet::new();
        let held = self.taken.get(col.id.as_str()).unwrap_or(&empty);
        let pinned_ahead = self
            .posts
            .iter()
            .filter(|p| p.column == col.id && p.status == PostStatus::Pinned && p.at >= now)
            .count();
        if !slots::has_slots(col) {
            for i in q {
                self.unplaced.push(Unplaced {
                    source: c.posts[i].source.clone(),
                    column: col.id.clone(),
                    reason: UnplacedReason::NoSlots,
                });
            }
            self.runway.push(Runway {
                column: col.id.clone(),
                queued: 0,
                pinned_ahead,
                last_queued: None,
                runs_out: None,
                days_left: None,
            });
            return;
        }
        let threshold = now - col.stale_after;
        let start_date = threshold.with_timezone(&tz).date_naive();
        let mut free = slots::slots_from(col, tz, start_date)
            .filter(|s| *s > threshold)
            .filter(|s| !held.contains(s));
        let mut n = q.len();
        let mut last_queued = None;
        let mut next_free = free.next();
        for i in q {
            let Some(at) = next_free else { break };
            // A post that would go out after its own expiry is not planned;
            // the slot stays free for the next post in the queue.
            if c.posts[i].expire_at.is_some_and(|e| at >= e) {
                self.unplaced.push(Unplaced {
                    source: c.posts[i].source.clone(),
                    column: col.id.clone(),
                    reason: UnplacedReason::Expired,
                });
                n -= 1;
                continue;
            }
            next_free = free.next();
            last_queued = Some(at);
            self.posts.push(PlannedPost {
                index: i,
                source: c.posts[i].source.clone(),
                column: col.id.clone(),
                at,
                status: PostStatus::Queued,
                on_slot: true,
                delivered_at: None,
            });
        }
        let runs_out = next_free;
        let today = clock.today();
        self.runway.push(Runway {
            column: col.id.clone(),
            queued: n,
            pinned_ahead,
            last_queued,
            runs_out,
            days_left: runs_out.map(|t| (t.with_timezone(&tz).date_naive() - today).num_days()),
        });
    }
}

/// What fills one line of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// A pinned post on one of the column's slots.
    Pinned,
    /// A queued post in its planned slot.
    Queued,
    /// A post already delivered.
    Delivered,
    /// A slot with no post.
    Empty,
    /// A pinned post at a time that is not one of the column's slots.
    Custom,
}

/// One line of the plan: a slot (filled or empty) or a custom-time post.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Column id.
    pub column: String,
    /// The instant (UTC in JSON).
    pub at: DateTime<Utc>,
    /// The same instant in the site's zone, RFC 3339 with offset.
    pub local: String,
    /// Whether `at` is one of the column's slots.
    pub on_slot: bool,
    /// What fills it.
    pub status: EntryStatus,
    /// The post's source file, if any.
    pub post: Option<PathBuf>,
    /// The post's title, if any.
    pub title: Option<String>,
    /// Other posts pinned to the same column and instant (a clash).
    pub clash_with: Vec<PathBuf>,
    /// True when the instant is before the clock's now.
    pub past: bool,
    /// Index into `Project::posts`.
    #[serde(skip)]
    pub index: Option<usize>,
}

/// Two or more pinned posts at one instant in one column.
#[derive(Debug, Clone, Serialize)]
pub struct Clash {
    /// Column id.
    pub column: String,
    /// The instant.
    pub at: DateTime<Utc>,
    /// The posts' source files.
    pub posts: Vec<PathBuf>,
}

/// One duty period in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct DutyEntry {
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// The admin, as their privacy setting allows.
    pub admin: Credit,
    /// The admin's handle, for internal use (never printed for anonymous members).
    #[serde(skip)]
    pub handle: String,
}

/// The plan for a range of local dates.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// First local date.
    pub from: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// The site's zone.
    pub timezone: String,
    /// The clock's now.
    pub now: DateTime<Utc>,
    /// Every slot and custom-time post in range, by time then column.
    pub entries: Vec<Entry>,
    /// Clashes in range.
    pub clashes: Vec<Clash>,
    /// Event occurrences in range.
    pub events: Vec<Occurrence>,
    /// Duty periods overlapping the range.
    pub duty: Vec<DutyEntry>,
    /// Runway of each column (not limited to the range).
    pub runway: Vec<Runway>,
    /// Queued posts that cannot be planned.
    pub unplaced: Vec<Unplaced>,
    /// The whole timeline behind the view.
    #[serde(skip)]
    pub schedule: Schedule,
    #[serde(skip)]
    tz: Tz,
}

impl Plan {
    /// Keeps only the entries, clashes and runway of one column (events
    /// and duty stay).
    pub fn retain_column(&mut self, id: &str) {
        self.entries.retain(|e| e.column == id);
        self.clashes.retain(|e| e.column == id);
        self.runway.retain(|e| e.column == id);
        self.unplaced.retain(|e| e.column == id);
    }

    /// Empty slots that have not passed yet.
    pub fn empty_ahead(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.status == EntryStatus::Empty && !e.past)
    }

    /// The site's zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The queued posts in range (after any column filter), as (source,
    /// planned instant): what `--pin` writes.
    pub fn queued_in_range(&self) -> Vec<(PathBuf, DateTime<Utc>)> {
        self.entries
            .iter()
            .filter(|e| e.status == EntryStatus::Queued)
            .filter_map(|e| Some((e.post.clone()?, e.at)))
            .collect()
    }
}

/// The plan for local dates `from .. from + days`: see the module docs.
pub fn plan(c: &Project, clock: &Clock, from: NaiveDate, days: u32) -> Plan {
    let tz = c.config.tz;
    let schedule = planned_times(c, clock);
    let to_date = from
        .checked_add_signed(Duration::days(days as i64))
        .unwrap_or(NaiveDate::MAX);
    let start = time::resolve_local(tz, from.and_time(NaiveTime::MIN)).with_timezone(&Utc);
    let end = time::resolve_local(tz, to_date.and_time(NaiveTime::MIN)).with_timezone(&Utc);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();

    let mut at_key: HashMap<(&str, DateTime<Utc>), Vec<&PlannedPost>> = HashMap::new();
    for p in schedule.between(start, end, None) {
        at_key.entry((p.column.as_str(), p.at)).or_default().push(p);
    }
    let mut entries = Vec::new();
    let mut clashes = Vec::new();
    let make =
        |col: &str, at: DateTime<Utc>, on_slot: bool, group: &[&PlannedPost]| -> Vec<Entry> {
            group
                .iter()
                .map(|p| {
                    let status = match p.status {
                        PostStatus::Delivered => EntryStatus::Delivered,
                        PostStatus::Queued => EntryStatus::Queued,
                        PostStatus::Pinned if on_slot => EntryStatus::Pinned,
                        PostStatus::Pinned => EntryStatus::Custom,
                    };
                    Entry {
                        column: col.to_string(),
                        at,
                        local: local(at),
                        on_slot,
                        status,
                        post: Some(p.source.clone()),
                        title: Some(c.posts[p.index].title.clone()),
                        clash_with: group
                            .iter()
                            .filter(|o| o.source != p.source)
                            .map(|o| o.source.clone())
                            .collect(),
                        past: at < clock.now,
                        index: Some(p.index),
                    }
                })
                .collect()
        };
    for col in &c.config.columns {
        for s in slots::slots_between(col, tz, from, days) {
            match at_key.remove(&(col.id.as_str(), s)) {
                None => entries.push(Entry {
                    column: col.id.clone(),
                    at: s,
                    local: local(s),
                    on_slot: true,
                    status: EntryStatus::Empty,
                    post: None,
                    title: None,
                    clash_with: Vec::new(),
                    past: s < clock.now,
                    index: None,
                }),
                Some(group) => {
                    if group.len() > 1 {
                        clashes.push(Clash {
                            column: col.id.clone(),
                            at: s,
                            posts: group.iter().map(|p| p.source.clone()).collect(),
                        });
                    }
                    entries.extend(make(&col.id, s, true, &group));
                }
            }
        }
    }
    let mut rest: Vec<_> = at_key.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for ((col, at), group) in rest {
        if group.len() > 1 {
            clashes.push(Clash {
                column: col.to_string(),
                at,
                posts: group.iter().map(|p| p.source.clone()).collect(),
            });
        }
        entries.extend(make(col, at, false, &group));
    }
    let order = column_order(c);
    entries.sort_by(|a, b| {
        (a.at, order.get(a.column.as_str()), &a.post).cmp(&(
            b.at,
            order.get(b.column.as_str()),
            &b.post,
        ))
    });
    clashes.sort_by(|a, b| (a.at, &a.column).cmp(&(b.at, &b.column)));

    let mut events: Vec<Occurrence> = c
        .config
        .events
        .iter()
        .flat_map(|e| e.occurrences(tz, start, end))
        .collect();
    events.sort_by_key(|a| (a.start, a.event));
    let duty = c
        .config
        .rota
        .as_ref()
        .map(|r| {
            r.between(from, to_date)
                .into_iter()
                .map(|d| DutyEntry {
                    start: d.start,
                    end: d.end.pred_opt().unwrap_or(d.end),
                    admin: c.members.credit(&d.handle),
                    handle: d.handle,
                })
                .collect()
        })
        .unwrap_or_default();

    Plan {
        from,
        days,
        timezone: tz.name().to_string(),
        now: clock.now,
        entries,
        clashes,
        events,
        duty,
        runway: schedule.runway.clone(),
        unplaced: schedule.unplaced.clone(),
        schedule,
        tz,
    }
}

/// A weekday and month-day label in the site's language: `周一 11-24` or
/// `Mon 11-24`.
pub fn day_label(lang: Lang, date: NaiveDate) -> String {
    use chrono::Datelike;
    let name = crate::core::i18n::weekday(lang, date.weekday().num_days_from_monday());
    format!("{name} {}", date.format("%m-%d"))
}

/// Each column's position in `site.toml`, to order entries at the same instant.
fn column_order(c: &Project) -> HashMap<&str, usize> {
    c.config
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| (col.id.as_str(), i))
        .collect()
}
