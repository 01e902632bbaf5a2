//! What to do with one due post on one channel, from the ledger's history:
//! send (from which part), skip quietly, wait, or report. The one place
//! these rules live: a real run ([`super::Run`]) and a dry run
//! ([`super::session::Session::preview`]) both ask [`decide`], so a dry
//! run shows exactly what the run would do.
//!
//! Owns: the skip rules. Must not import: anything that sends or writes.

use super::ledger::{Delivery, State};
use super::Platform;
use crate::core::config::SiteConfig;
use chrono::{DateTime, Duration, Utc};

/// How long after a failed delivery a later run tries it again (while
/// its slot is still fresh), so a refused channel is not hammered.
pub(crate) fn retry_failed_after() -> Duration {
    Duration::minutes(5)
}

/// A column's `stale_after` (two hours for a column that is gone).
pub(crate) fn stale_after(config: &SiteConfig, column: &str) -> Duration {
    config
        .column(column)
        .map(|col| col.stale_after)
        .unwrap_or_else(|| Duration::hours(2))
}

/// What is known when deciding about one post on one channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case<'a> {
    /// The channel's platform.
    pub platform: &'a dyn Platform,
    /// The slot the post is due in.
    pub slot: DateTime<Utc>,
    /// Its column's `stale_after`.
    pub stale_after: Duration,
    /// The ledger's history of the post on the channel, if any.
    pub history: Option<&'a Delivery>,
    /// When the ledger began (a run begins it before deciding).
    pub started: Option<DateTime<Utc>>,
    /// The run's time.
    pub now: DateTime<Utc>,
}

/// What to do with one post on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Already sent or missed, or stale before the ledger began: nothing
    /// to do and nothing to say.
    Done,
    /// It failed a moment ago: tried again from this time on (`status`
    /// shows the failure meanwhile).
    RetryFrom(DateTime<Utc>),
    /// An earlier run may have sent it and no answer says: reported, never
    /// sent again on its own (`qunshu resolve`).
    StillUnknown,
    /// Its slot passed more than `stale_after` ago: recorded as missed,
    /// not sent at the wrong time of day.
    Missed {
        /// How late it is.
        late: Duration,
    },
    /// Send it, from this part on (1 unless earlier parts went out).
    Send {
        /// The first part to send.
        from_part: u32,
    },
}

/// The rules, in order: a delivery sent or missed is done; an unknown one
/// waits for the organiser (except in the outbox, where writing the file
/// again is harmless); one that failed less than
/// [`retry_failed_after`] ago waits; a post with no history that was
/// already stale when the ledger began is history, not ours; a post whose
/// slot went stale is missed unless the organiser asked for a resend or
/// its first parts already went out; everything else is sent, from the
/// next part.
pub(crate) fn decide(k: &Case<'_>) -> Decision {
    let d = k.history;
    match d.map(Delivery::state) {
        Some(State::Sent) | Some(State::Missed) => return Decision::Done,
        Some(State::Unknown) if !k.platform.writes_files() => return Decision::StillUnknown,
        Some(State::Failed) => {
            if let Some((failed_at, _)) = d.and_then(|d| d.failed.as_ref()) {
                let again = *failed_at + retry_failed_after();
                if k.now < again {
                    return Decision::RetryFrom(again);
                }
            }
        }
        _ => {}
    }
    if d.is_none()
        && k.started
            .is_some_and(|start| k.slot + k.stale_after < start)
    {
        return Decision::Done;
    }
    let resend = d.is_some_and(|d| d.resend);
    let started_sending = d.is_some_and(|d| !d.sent.is_empty());
    if k.now >= k.slot + k.stale_after && !resend && !started_sending {
        return Decision::Missed {
            late: k.now - k.slot,
        };
    }
    Decision::Send {
        from_part: d.map(Delivery::next_part).unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::{EventKind, Ledger, Record};
    use super::super::platform;
    use super::*;
    use crate::core::config::channels::ChannelKind;
    use std::path::Path;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    /// A ledger in a temporary folder holding `events` for `a.md` on `ch`.
    fn ledger(events: &[(&str, EventKind, u32)]) -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut l = Ledger::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        l.ensure_started(at("2026-11-24T00:00:00Z"))
            .unwrap_or_else(|e| panic!("{e}"));
        for (t, ev, part) in events {
            let mut r = Record::new(at(t), *ev, Path::new("a.md"), "ch");
            r.slot = Some(at("2026-11-24T08:00:00Z"));
            r.part = *part;
            r.parts = 2;
            l.append(r).unwrap_or_else(|e| panic!("{e}"));
        }
        (dir, l)
    }

    fn case<'a>(l: &'a Ledger, kind: ChannelKind, now: &str) -> Case<'a> {
        Case {
            platform: platform::of(kind),
            slot: at("2026-11-24T08:00:00Z"),
            stale_after: Duration::hours(2),
            history: l.delivery(Path::new("a.md"), "ch"),
            started: l.started(),
            now: at(now),
        }
    }

    #[test]
    fn a_fresh_post_is_sent_and_a_late_one_missed() {
        let (_d, l) = ledger(&[]);
        let k = case(&l, ChannelKind::Slack, "2026-11-24T08:01:00Z");
        assert_eq!(decide(&k), Decision::Send { from_part: 1 });
        let k = case(&l, ChannelKind::Slack, "2026-11-24T10:30:00Z");
        assert_eq!(
            decide(&k),
            Decision::Missed {
                late: Duration::minutes(150)
            }
        );
    }

    #[test]
    fn history_from_before_the_ledger_is_left_alone() {
        let (_d, l) = ledger(&[]);
        let mut k = case(&l, ChannelKind::Slack, "2026-11-25T10:30:00Z");
        k.started = Some(at("2026-11-25T00:00:00Z"));
        assert_eq!(decide(&k), Decision::Done);
    }

    #[test]
    fn sent_and_missed_are_done() {
        let (_d, l) = ledger(&[
            ("2026-11-24T08:00:01Z", EventKind::Claimed, 1),
            ("2026-11-24T08:00:02Z", EventKind::Sent, 1),
            ("2026-11-24T08:00:03Z", EventKind::Claimed, 2),
            ("2026-11-24T08:00:04Z", EventKind::Sent, 2),
        ]);
        let k = case(&l, ChannelKind::Slack, "2026-11-24T08:05:00Z");
        assert_eq!(decide(&k), Decision::Done);
        let (_d, l) = ledger(&[("2026-11-24T10:01:00Z", EventKind::Missed, 0)]);
        let k = case(&l, ChannelKind::Slack, "2026-11-24T08:05:00Z");
        assert_eq!(decide(&k), Decision::Done);
    }

    #[test]
    fn the_rest_of_a_post_goes_out_even_when_late() {
        let (_d, l) = ledger(&[
            ("2026-11-24T08:00:01Z", EventKind::Claimed, 1),
            ("2026-11-24T08:00:02Z", EventKind::Sent, 1),
        ]);
        let k = case(&l, ChannelKind::Slack, "2026-11-24T12:00:00Z");
        assert_eq!(decide(&k), Decision::Send { from_part: 2 });
    }

    #[test]
    fn a_failure_waits_five_minutes() {
        let (_d, l) = ledger(&[
            ("2026-11-24T08:00:01Z", EventKind::Claimed, 1),
            ("2026-11-24T08:00:02Z", EventKind::Failed, 1),
        ]);
        let k = case(&l, ChannelKind::Slack, "2026-11-24T08:03:00Z");
        assert_eq!(decide(&k), Decision::RetryFrom(at("2026-11-24T08:05:02Z")));
        let k = case(&l, ChannelKind::Slack, "2026-11-24T08:06:00Z");
        assert_eq!(decide(&k), Decision::Send { from_part: 1 });
    }

    #[test]
    fn an_unknown_outcome_waits_for_the_organiser_except_in_the_outbox() {
        let (_d, l) = ledger(&[
            ("2026-11-24T08:00:01Z", EventKind::Claimed, 1),
            ("2026-11-24T08:00:02Z", EventKind::Unknown, 1),
        ]);
        let k = case(&l, ChannelKind::Wecom, "2026-11-24T08:06:00Z");
        assert_eq!(decide(&k), Decision::StillUnknown);
        let k = case(&l, ChannelKind::Outbox, "2026-11-24T08:06:00Z");
        assert_eq!(decide(&k), Decision::Send { from_part: 1 });
    }
}
