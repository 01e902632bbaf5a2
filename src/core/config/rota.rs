//! The duty rota (群管轮值): members take turns as the group's admin, in
//! sign-up order, one period (normally a week) each, from a start date.

use crate::core::config::CONFIG_FILE;
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use crate::core::time;
use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

/// The `[rota]` table as written in `site.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRota {
    /// Handles in sign-up order.
    #[schemars(with = "Vec<String>")]
    members: Spanned<Vec<Spanned<String>>>,
    /// The first day of the first turn.
    #[schemars(with = "String", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$"))]
    start: Spanned<String>,
    /// How long a turn lasts.
    #[schemars(with = "Option<String>", extend("default" = "weekly", "examples" = ["weekly", "fortnightly", "daily", "10d", "2w"]))]
    period: Option<Spanned<String>>,
}

/// The validated rota.
#[derive(Debug, Clone, PartialEq)]
pub struct Rota {
    /// Member handles in sign-up order, each with its line in `site.toml`.
    pub members: Vec<(String, usize)>,
    /// First day of the first duty period.
    pub start: NaiveDate,
    /// Length of a duty period in days (7 for weekly).
    pub period_days: u32,
    /// Line of the `[rota]` `members` key.
    pub line: usize,
}

/// One duty period: `[start, end)` in local dates, with its admin's handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    /// First day.
    pub start: NaiveDate,
    /// The day after the last day.
    pub end: NaiveDate,
    /// The admin's handle (print it through `Members::credit`).
    pub handle: String,
    /// Number of the period, counting from 0 at the rota's start.
    pub number: i64,
}

fn parse_period(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "weekly" | "week" | "每周" | "一周" => return Some(7),
        "fortnightly" | "biweekly" | "两周" => return Some(14),
        "daily" | "day" | "每天" | "每日" => return Some(1),
        _ => {}
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = num.parse().ok()?;
    let days = match unit {
        "d" => n,
        "w" => n.checked_mul(7)?,
        _ => return None,
    };
    (1..=366).contains(&days).then_some(days)
}

/// Validates `[rota]`; problems go to `diags` with their lines. With the
/// members file (`members`), every handle is also checked against it, in the
/// same pass as the rest of `site.toml`.
pub(crate) fn validate(
    raw: &RawRota,
    text: &str,
    members_file: Option<&std::collections::BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Option<Rota> {
    let before = diags.error_count();
    let line = |s: std::ops::Range<usize>| line_of_offset(text, s.start);
    let mut members: Vec<(String, usize)> = Vec::new();
    for m in raw.members.get_ref() {
        let h = m.get_ref().trim().trim_start_matches('@').to_string();
        if h.is_empty() {
            diags.push(
                Diagnostic::error(CONFIG_FILE, "an empty member handle in the rota")
                    .at_line(line(m.span()))
                    .field("rota.members"),
            );
        } else if members.iter().any(|(x, _)| *x == h) {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{h}` is on the rota twice (each member takes one turn per round)"),
                )
                .at_line(line(m.span()))
                .field("rota.members"),
            );
        } else {
            if members_file.is_some_and(|f| !f.contains(h.as_str())) {
                diags.push(not_a_member(&h, line(m.span())));
            }
            members.push((h, line(m.span())));
        }
    }
    if raw.members.get_ref().is_empty() {
        diags.push(
            Diagnostic::error(
                CONFIG_FILE,
                "the rota has no members (expected a list of member handles in sign-up order)",
            )
            .at_line(line(raw.members.span()))
            .field("rota.members"),
        );
    }
    let start = time::parse_date(raw.start.get_ref())
        .map_err(|m| {
            diags.push(
                Diagnostic::error(CONFIG_FILE, m)
                    .at_line(line(raw.start.span()))
                    .field("rota.start"),
            )
        })
        .ok();
    let period_days = match &raw.period {
        None => Some(7),
        Some(p) => parse_period(p.get_ref()).or_else(|| {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{}` is not a duty period (expected `weekly`, `fortnightly`, `daily`, or a length such as `7d` or `2w`)", p.get_ref()),
                )
                .at_line(line(p.span()))
                .field("rota.period"),
            );
            None
        }),
    };
    if diags.error_count() > before {
        return None;
    }
    Some(Rota {
        members,
        start: start?,
        period_days: period_days?,
        line: line(raw.members.span()),
    })
}

impl Rota {
    /// The duty period that contains `date`, or `None` before the rota starts.
    pub fn on(&self, date: NaiveDate) -> Option<Duty> {
        if date < self.start || self.members.is_empty() {
            return None;
        }
        let p = self.period_days as i64;
        let number = (date - self.start).num_days() / p;
        let start = self.start + chrono::Duration::days(number * p);
        let handle = self.members[(number as usize) % self.members.len()]
            .0
            .clone();
        Some(Duty {
            start,
            end: start + chrono::Duration::days(p),
            handle,
            number,
        })
    }

    /// Every duty period that overlaps the local dates `[from, to)`.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Duty> {
        let mut out = Vec::new();
        let mut d = from.max(self.start);
        while d < to {
            match self.on(d) {
                Some(duty) => {
                    d = duty.end;
                    out.push(duty);
                }
                None => break,
            }
        }
        out
    }
}

/// The error for a rota handle that is not in the members file.
fn not_a_member(h: &str, line: usize) -> Diagnostic {
    Diagnostic::error(
        CONFIG_FILE,
        format!("`{h}` is on the duty rota but is not in the members file (expected a handle from members.yaml)"),
    )
    .at_line(line)
    .field("rota.members")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("weekly"), Some(7));
        assert_eq!(parse_period("2w"), Some(14));
        assert_eq!(parse_period("10d"), Some(10));
        assert_eq!(parse_period("0d"), None);
        assert_eq!(parse_period("week-ish"), None);
    }

    #[test]
    fn turns_in_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let r = Rota {
            members: vec![("a".into(), 1), ("b".into(), 1), ("c".into(), 1)],
            start: d("2026-10-19"),
            period_days: 7,
            line: 1,
        };
        assert_eq!(r.on(d("2026-10-18")), None);
        assert_eq!(r.on(d("2026-10-19")).unwrap().handle, "a");
        assert_eq!(r.on(d("2026-10-25")).unwrap().handle, "a");
        assert_eq!(r.on(d("2026-10-26")).unwrap().handle, "b");
        assert_eq!(r.on(d("2026-11-09")).unwrap().handle, "a");
        assert_eq!(r.between(d("2026-10-21"), d("2026-11-03")).len(), 3);
    }
}
