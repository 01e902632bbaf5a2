//! Column slots: the instants at which a column posts.
//!
//! A slot is a local time of day on one of the column's weekdays, in the
//! site's time zone. Each day's slot is resolved on its own with
//! [`time::resolve_local`] while iterating calendar dates — never by adding
//! 24 hours to the previous slot — so a slot keeps its wall-clock time across
//! daylight-saving changes. A slot in a spring-forward gap moves forward by
//! the gap's length; a slot in a fall-back overlap happens once, at its first
//! occurrence (RFC 5545).

use crate::core::config::Column;
use crate::core::time;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// True when the column has any slot at all (some time on some weekday).
pub(crate) fn has_slots(column: &Column) -> bool {
    !column.times.is_empty() && !column.days.is_empty()
}

/// The column's slots on one local date, in time order (empty before the
/// column's `start` date or on a weekday it does not run). Two times that
/// resolve to the same instant (possible on a spring-forward day) count once.
pub(crate) fn slots_on(column: &Column, tz: Tz, date: NaiveDate) -> Vec<DateTime<Utc>> {
    if column.start.is_some_and(|s| date < s) || !column.runs_on(date.weekday()) {
        return Vec::new();
    }
    let mut out: Vec<DateTime<Utc>> = Vec::with_capacity(column.times.len());
    for t in &column.times {
        let at = time::resolve_local(tz, date.and_time(*t)).with_timezone(&Utc);
        if !out.contains(&at) {
            out.push(at);
        }
    }
    out.sort();
    out
}

/// The column's slots on the local dates `from .. from + days`, in order.
pub(crate) fn slots_between(
    column: &Column,
    tz: Tz,
    from: NaiveDate,
    days: u32,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut d = from;
    for _ in 0..days {
        out.extend(slots_on(column, tz, d));
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// An endless iterator over the column's slots from local date `from` on.
///
/// Ends only when the calendar does (year 262143) or when the column has no
/// slots at all; callers stop it themselves.
pub(crate) fn slots_from(column: &Column, tz: Tz, from: NaiveDate) -> SlotIter<'_> {
    SlotIter {
        column,
        tz,
        date: Some(from),
        buf: Vec::new(),
        i: 0,
    }
}

/// Iterator returned by [`slots_from`].
pub(crate) struct SlotIter<'a> {
    column: &'a Column,
    tz: Tz,
    date: Option<NaiveDate>,
    buf: Vec<DateTime<Utc>>,
    i: usize,
}

impl Iterator for SlotIter<'_> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<DateTime<Utc>> {
        if !has_slots(self.column) {
            return None;
        }
        while self.i >= self.buf.len() {
            let d = self.date?;
            self.buf = slots_on(self.column, self.tz, d);
            self.i = 0;
            self.date = d.succ_opt();
        }
        self.i += 1;
        Some(self.buf[self.i - 1])
    }
}
