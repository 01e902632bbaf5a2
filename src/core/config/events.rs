//! Recurring events (`[[events]]` in `site.toml`): the fortnightly
//! problem-solving session, the Saturday roundtable, a mid-week visit.
//!
//! The recurrence rule is RFC 5545 text (`FREQ=WEEKLY;INTERVAL=2;BYDAY=FR`)
//! expanded by the `rrule` crate. The rule is expanded in *local wall-clock
//! time* (as RFC 5545 does for a `DTSTART` with a `TZID`), and each local
//! occurrence is then resolved in the site's zone with
//! [`time::resolve_local`], so an event keeps its local time across
//! daylight-saving changes and follows the same gap/overlap rule as slots.

use crate::core::config::CONFIG_FILE;
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use crate::core::time;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::str::FromStr;
use toml::Spanned;

/// One `[[events]]` table as written in `site.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvent {
    /// The event's name.
    #[schemars(with = "String")]
    name: Spanned<String>,
    /// First date.
    #[schemars(with = "String", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$"))]
    start: Spanned<String>,
    /// Local time of day it starts.
    #[schemars(with = "super::TimeOfDay")]
    time: Spanned<String>,
    /// How long it lasts.
    #[schemars(with = "Option<String>", extend("default" = "1h", "examples" = ["90m", "2h"]))]
    duration: Option<Spanned<String>>,
    /// RFC 5545 RRULE.
    #[schemars(with = "String", extend("examples" = ["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"]))]
    rule: Spanned<String>,
    /// Last date.
    #[schemars(with = "Option<String>", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$"))]
    until: Option<Spanned<String>>,
    /// How many times it happens.
    #[schemars(with = "Option<i64>", range(min = 1))]
    count: Option<Spanned<i64>>,
    /// How many people can come.
    #[schemars(with = "Option<i64>", range(min = 1))]
    capacity: Option<Spanned<i64>>,
    /// Where.
    location: Option<String>,
    /// What it is about.
    description: Option<String>,
}

/// A validated recurring event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Index in file order (part of each occurrence's calendar UID).
    pub index: usize,
    /// Name (问题解决会).
    pub name: String,
    /// First date (DTSTART's date), local.
    pub start: NaiveDate,
    /// Local start time of each occurrence.
    pub time: NaiveTime,
    /// Length of each occurrence (default 1 hour).
    pub duration: Duration,
    /// The recurrence rule as written (without a leading `RRULE:`).
    pub rule: String,
    /// Last local date on which an occurrence may start, if limited.
    pub until: Option<NaiveDate>,
    /// Maximum number of occurrences, if limited.
    pub count: Option<u32>,
    /// Maximum number of people, if limited (the roundtable's 12).
    pub capacity: Option<u32>,
    /// Where it happens (a meeting link, a room).
    pub location: Option<String>,
    /// What it is about.
    pub description: Option<String>,
    /// Line of the event's `name` in `site.toml`.
    pub line: usize,
    set: rrule::RRuleSet,
}

/// One occurrence of an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Occurrence {
    /// Index of the event in `site.toml` order.
    pub event: usize,
    /// The event's name.
    pub name: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Local date the occurrence was scheduled on (its calendar UID uses it).
    pub date: NaiveDate,
    /// Capacity, if limited.
    pub capacity: Option<u32>,
    /// Location, if any.
    pub location: Option<String>,
    /// Description, if any.
    pub description: Option<String>,
}

/// The rule expander works on "floating" local times, stored as UTC.
fn floating(ndt: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&ndt)
}

/// Validates the `[[events]]` tables; problems go to `diags` with their lines.
///
/// Long on purpose: one check per key, in the order the keys are written,
/// each with its own message and line, so every rule of the table is read
/// in one place; splitting it would scatter one table's rules.
pub(crate) fn validate(
    raw: &[RawEvent],
    text: &str,
    tz: Tz,
    diags: &mut Diagnostics,
) -> Vec<Event> {
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let before = diags.error_count();
        let mut err = |field: &str, span: std::ops::Range<usize>, msg: String| {
            diags.push(
                Diagnostic::error(CONFIG_FILE, msg)
                    .at_line(line_of_offset(text, span.start))
                    .field(format!("events[{i}].{field}")),
            )
        };
        let name = r.name.get_ref().trim().to_string();
        if name.is_empty() {
            err("name", r.name.span(), "the event has an empty name".into());
        }
        let start = time::parse_date(r.start.get_ref())
            .map_err(|m| err("start", r.start.span(), m))
            .ok();
        let t = time::parse_time_of_day(r.time.get_ref())
            .map_err(|m| err("time", r.time.span(), m))
            .ok();
        let duration = match &r.duration {
            None => Some(Duration::hours(1)),
            Some(d) => match time::parse_duration(d.get_ref()) {
                Ok(v) if v > Duration::zero() => Some(v),
                Ok(_) => {
                    err(
                        "duration",
                        d.span(),
                        "the duration must be longer than zero".into(),
                    );
                    None
                }
                Err(m) => {
                    err("duration", d.span(), m);
                    None
                }
            },
        };
        let until = r.until.as_ref().and_then(|u| {
            time::parse_date(u.get_ref())
                .map_err(|m| err("until", u.span(), m))
                .ok()
        });
        let count = r.count.as_ref().and_then(|c| match u32::try_from(*c.get_ref()) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                err(
                    "count",
                    c.span(),
                    format!("{} is not a usable count (expected a whole number of occurrences, 1 or more)", c.get_ref()),
                );
                None
            }
        });
        let capacity = r
            .capacity
            .as_ref()
            .and_then(|c| match u32::try_from(*c.get_ref()) {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    err(
                        "capacity",
                        c.span(),
                        format!(
                            "{} is not a usable capacity (expected a number of people, 1 or more)",
                            c.get_ref()
                        ),
                    );
                    None
                }
            });
        let rule_text = r.rule.get_ref().trim();
        let rule_text = rule_text
            .strip_prefix("RRULE:")
            .unwrap_or(rule_text)
            .to_string();
        let upper = rule_text.to_ascii_uppercase();
        let rule_bad = upper.contains("DTSTART")
            || upper.contains('\n')
            || ((until.is_some() || count.is_some())
                && (upper.contains("UNTIL=") || upper.contains("COUNT=")));
        if upper.contains("DTSTART") || upper.contains('\n') {
            err(
                "rule",
                r.rule.span(),
                format!("`{rule_text}` should be only the rule (like `FREQ=WEEKLY;INTERVAL=2;BYDAY=FR`); the first date goes in `start` and the time in `time`"),
            );
        } else if (until.is_some() || count.is_some())
            && (upper.contains("UNTIL=") || upper.contains("COUNT="))
        {
            err(
                "rule",
                r.rule.span(),
                "the rule has its own UNTIL or COUNT and the event also sets `until` or `count`; keep one".into(),
            );
        }
        // An UNTIL inside the rule is read as a local date or time (or UTC
        // with `Z`), like the `until` key, since the rule runs on local time.
        let (rule_core, rule_until) = split_until(&rule_text, tz);
        let until_local = until
            .map(|u| u.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)))
            .or(rule_until);
        // The rule is checked even when other fields of the event are wrong
        // (from a stand-in start), so every problem is reported in one pass.
        let fields_ok = diags.error_count() == before;
        let set = if rule_bad {
            None
        } else {
            let stand_in = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
            let first = start
                .unwrap_or(stand_in)
                .and_time(t.unwrap_or(NaiveTime::MIN));
            match build_set(&rule_core, first, until_local, count) {
                Ok(s) => Some(s).filter(|_| fields_ok),
                Err(m) => {
                    diags.push(
                        Diagnostic::error(
                            CONFIG_FILE,
                            format!("`{rule_text}` is not a valid RFC 5545 recurrence rule: {m} (expected something like `FREQ=WEEKLY;INTERVAL=2;BYDAY=FR`)"),
                        )
                        .at_line(line_of_offset(text, r.rule.span().start))
                        .field(format!("events[{i}].rule")),
                    );
                    None
                }
            }
        };
        if let (Some(set), Some(start), Some(t), Some(duration)) = (set, start, t, duration) {
            out.push(Event {
                index: i,
                name,
                start,
                time: t,
                duration,
                rule: rule_text,
                until,
                count,
                capacity,
                location: r.location.clone(),
                description: r.description.clone(),
                line: line_of_offset(text, r.name.span().start),
                set,
            });
        }
    }
    out
}

/// Takes `UNTIL=…` out of a rule, reading its value as a local end:
/// `20270630` (the whole day), `20270630T200000` (local) or
/// `20270630T120000Z` (UTC, turned into local time in `tz`). A value that
/// is none of these is left in the rule for the parser to report.
fn split_until(rule: &str, tz: Tz) -> (String, Option<NaiveDateTime>) {
    let mut until = None;
    let mut parts = Vec::new();
    for part in rule.split(';') {
        let v = part
            .split_once('=')
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("UNTIL"))
            .map(|(_, v)| v.trim());
        let parsed = v.and_then(|v| {
            if let Some(utc) = v.strip_suffix(['Z', 'z']) {
                NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                    .ok()
                    .map(|n| Utc.from_utc_datetime(&n).with_timezone(&tz).naive_local())
            } else if let Ok(n) = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S") {
                Some(n)
            } else {
                NaiveDate::parse_from_str(v, "%Y%m%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(23, 59, 59))
            }
        });
        match parsed {
            Some(n) => until = Some(n),
            None => parts.push(part),
        }
    }
    (parts.join(";"), until)
}

fn build_set(
    rule: &str,
    dtstart: NaiveDateTime,
    until: Option<NaiveDateTime>,
    count: Option<u32>,
) -> Result<rrule::RRuleSet, String> {
    let mut r = rrule::RRule::<rrule::Unvalidated>::from_str(rule).map_err(|e| e.to_string())?;
    if let Some(u) = until {
        r = r.until(floating(u));
    }
    if let Some(c) = count {
        r = r.count(c);
    }
    r.build(floating(dtstart)).map_err(|e| e.to_string())
}

impl Event {
    /// The occurrences that start in `[from, to)`, resolved in `tz`.
    pub fn occurrences(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        if to <= from {
            return Vec::new();
        }
        // Widen by two days in local terms: no zone is more than 26 hours off.
        let lo = from.naive_utc() - Duration::days(2);
        let hi = to.naive_utc() + Duration::days(2);
        let result = self
            .set
            .clone()
            .after(floating(lo))
            .before(floating(hi))
            .all(u16::MAX);
        let mut out = Vec::new();
        for occ in result.dates {
            let local = occ.naive_utc();
            let start = time::resolve_local(tz, local).with_timezone(&Utc);
            if start < from || start >= to {
                continue;
            }
            out.push(Occurrence {
                event: self.index,
                name: self.name.clone(),
                start,
                end: start + self.duration,
                date: local.date(),
                capacity: self.capacity,
                location: self.location.clone(),
                description: self.description.clone(),
            });
        }
        out
    }
}
