//! The iCalendar (RFC 5545) export of a plan.
//!
//! A small writer of our own: the output needs only a handful of
//! properties, and the details that make calendars reject a file are easy to
//! get exactly right here — CRLF line ends, content lines folded at 75
//! octets without splitting a UTF-8 character (continuation lines start with
//! one space and carry at most 74 octets), TEXT values escaped (`\\`, `\;`,
//! `\,`, newlines as `\n`, any CR dropped). All times are written in UTC
//! (`…Z`), so no VTIMEZONE is needed and every calendar agrees on the
//! instant. Tests parse the output back with the `icalendar` crate's parser.
//!
//! UIDs are stable: a post's UID comes from its source file, an event
//! occurrence's from the event's position and local date, a duty period's
//! from its first day. Importing again updates entries instead of
//! duplicating them.

use super::plan::{EntryStatus, Plan};
use crate::core::i18n::text::schedule as text;
use crate::core::project::Project;
use crate::core::slug::slugify;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets, never inside a UTF-8 character,
/// and ends it (and each fold) with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut rest = line;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

struct Out(String);

impl Out {
    fn raw(&mut self, line: &str) {
        self.0.push_str(&fold(line));
    }
    fn text(&mut self, name: &str, value: &str) {
        self.raw(&format!("{name}:{}", escape_text(value)));
    }
}

/// The host part of the base URL, for UIDs (`example.org`).
fn uid_host(base_url: &str) -> String {
    let s = base_url.split("://").nth(1).unwrap_or(base_url);
    let h = s.split(['/', ':']).next().unwrap_or("");
    if h.is_empty() {
        "qunshu.invalid".into()
    } else {
        h.to_string()
    }
}

/// The stable UID of a post's calendar entry.
pub fn post_uid(source: &std::path::Path, base_url: &str) -> String {
    format!(
        "post-{}@{}",
        slugify(&source.to_string_lossy().replace(['/', '\\', '.'], "-")),
        uid_host(base_url)
    )
}

/// Writes the plan as an iCalendar file: one VEVENT per post in range (with
/// a reminder at its time and the copy-ready text as description), one per
/// event occurrence, and one all-day VEVENT per duty period.
pub fn write(plan: &Plan, c: &Project) -> String {
    let cfg = &c.config;
    let lang = cfg.language;
    let host = &cfg.base_url;
    let stamp = utc(plan.now);
    let mut o = Out(String::new());
    o.raw("BEGIN:VCALENDAR");
    o.raw("VERSION:2.0");
    o.raw("PRODID:-//qunshu//qunshu schedule//ZH");
    o.raw("CALSCALE:GREGORIAN");
    o.raw("METHOD:PUBLISH");
    o.text("X-WR-CALNAME", &cfg.title);
    o.text("X-WR-TIMEZONE", cfg.tz.name());
    for e in &plan.entries {
        let (Some(i), true) = (e.index, e.status != EntryStatus::Empty) else {
            continue;
        };
        let post = &c.posts[i];
        let col = cfg
            .column(&e.column)
            .map(|c| c.name.as_str())
            .unwrap_or(&e.column);
        let summary = format!("【{col}】{}", post.title);
        o.raw("BEGIN:VEVENT");
        o.text("UID", &post_uid(&post.source, host));
        o.raw(&format!("DTSTAMP:{stamp}"));
        o.raw(&format!("DTSTART:{}", utc(e.at)));
        o.raw("DURATION:PT15M");
        o.text("SUMMARY", &summary);
        o.text("DESCRIPTION", &super::copy_text(post, &c.members, lang));
        o.text("CATEGORIES", col);
        o.text(
            "X-QUNSHU-STATUS",
            match e.status {
                EntryStatus::Pinned => "pinned",
                EntryStatus::Queued => "queued",
                EntryStatus::Delivered => "delivered",
                EntryStatus::Custom => "custom",
                EntryStatus::Empty => "empty",
            },
        );
        o.raw("BEGIN:VALARM");
        o.raw("ACTION:DISPLAY");
        o.raw("TRIGGER:PT0S");
        o.text(
            "DESCRIPTION",
            &text::TIME_TO_POST.fill(lang, &[("summary", &summary)]),
        );
        o.raw("END:VALARM");
        o.raw("END:VEVENT");
    }
    for ev in &plan.events {
        o.raw("BEGIN:VEVENT");
        o.text(
            "UID",
            &format!(
                "event-{}-{}@{}",
                ev.event + 1,
                date(ev.date),
                uid_host(host)
            ),
        );
        o.raw(&format!("DTSTAMP:{stamp}"));
        o.raw(&format!("DTSTART:{}", utc(ev.start)));
        o.raw(&format!("DTEND:{}", utc(ev.end)));
        o.text("SUMMARY", &ev.name);
        let mut desc = ev.description.clone().unwrap_or_default();
        if let Some(n) = ev.capacity {
            if !desc.is_empty() {
                desc.push('\n');
            }
            desc.push_str(&text::CAPACITY.fill(lang, &[("n", &n)]));
        }
        if !desc.is_empty() {
            o.text("DESCRIPTION", &desc);
        }
        if let Some(l) = &ev.location {
            o.text("LOCATION", l);
        }
        o.raw("BEGIN:VALARM");
        o.raw("ACTION:DISPLAY");
        o.raw("TRIGGER:-PT30M");
        o.text("DESCRIPTION", &ev.name);
        o.raw("END:VALARM");
        o.raw("END:VEVENT");
    }
    for d in &plan.duty {
        o.raw("BEGIN:VEVENT");
        o.text("UID", &format!("duty-{}@{}", date(d.start), uid_host(host)));
        o.raw(&format!("DTSTAMP:{stamp}"));
        o.raw(&format!("DTSTART;VALUE=DATE:{}", date(d.start)));
        o.raw(&format!(
            "DTEND;VALUE=DATE:{}",
            date(d.end + Duration::days(1))
        ));
        o.text(
            "SUMMARY",
            &text::ON_DUTY.fill(lang, &[("admin", &d.admin.display(lang))]),
        );
        o.raw("TRANSP:TRANSPARENT");
        o.raw("END:VEVENT");
    }
    o.raw("END:VCALENDAR");
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_on_char_boundaries() {
        let line = format!("DESCRIPTION:{}", "群书排期提醒".repeat(20));
        let f = fold(&line);
        for l in f.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = f.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            escape_text("a,b;c\\d\r\ne\rf\ng"),
            "a\\,b\\;c\\\\d\\ne\\nf\\ng"
        );
    }
}
