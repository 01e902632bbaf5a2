//! Time: parsing the times organisers write, the clock, and local-time
//! resolution in the site's time zone.
//!
//! A time written without an offset is a *local* time in the site's IANA time
//! zone, never UTC (Hugo reads it as UTC and Chinese users' posts vanish for
//! eight hours). Local times that do not exist (a spring-forward gap) move
//! forward by the length of the gap, and local times that happen twice (a
//! fall-back overlap) resolve to the first occurrence, as RFC 5545 says.
//!
//! A leaf of `core`: imports nothing of ours.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::Tz;

/// The one notion of "now" for a run, and the zone local times are read in.
///
/// Built once in `main` from `--clock` (or the system clock) and handed to
/// every part of the library, so tests can pin the time everywhere at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The current instant.
    pub now: DateTime<Utc>,
    /// The site's time zone.
    pub tz: Tz,
}

impl Clock {
    /// A clock at `now` in zone `tz`.
    pub fn new(now: DateTime<Utc>, tz: Tz) -> Self {
        Clock { now, tz }
    }

    /// The system clock.
    pub fn system(tz: Tz) -> Self {
        Clock {
            now: Utc::now(),
            tz,
        }
    }

    /// Reads `--clock TIME` (any format [`parse_datetime`] accepts) or falls
    /// back to the system clock.
    pub fn from_arg(arg: Option<&str>, tz: Tz) -> Result<Self, String> {
        match arg {
            None => Ok(Clock::system(tz)),
            Some(s) => parse_datetime(s, tz).map(|now| Clock { now, tz }),
        }
    }

    /// `now` as a local time in the site's zone.
    pub fn local_now(&self) -> DateTime<Tz> {
        self.now.with_timezone(&self.tz)
    }

    /// Today's date in the site's zone.
    pub fn today(&self) -> NaiveDate {
        self.local_now().date_naive()
    }
}

/// Parses an IANA time zone name such as `Asia/Shanghai`.
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("`{name}` is not a known IANA time zone name (expected something like `Asia/Shanghai` or `Europe/London`)")
    })
}

/// Parses a date-time as organisers write it:
///
/// * `2026-11-24 08:00` or `2026-11-24 08:00:30` — local time in `tz`;
/// * `2026-11-24T08:00:00` — local time in `tz`;
/// * `2026-11-24T08:00:00+08:00` or `…Z` — an exact instant (RFC 3339);
/// * `2026-11-24` — midnight local time in `tz`.
///
/// Years outside 1–9999 are an error: feeds, sitemaps and calendars cannot
/// write them.
pub fn parse_datetime(s: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let t = parse_datetime_any_year(s, tz)?;
    check_year(s, t.with_timezone(&tz).year())?;
    check_year(s, t.year())?;
    Ok(t)
}

/// The first and last year a date may have.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// An error for a date outside [`YEARS`].
fn check_year(s: &str, year: i32) -> Result<(), String> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is outside the years 1 to 9999 (expected a date such as `2026-11-24`)",
            s.trim()
        ))
    }
}

fn parse_datetime_any_year(s: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M%:z") {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%:z") {
        return Ok(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(ndt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(resolve_local(tz, ndt).with_timezone(&Utc));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(resolve_local(tz, d.and_time(NaiveTime::MIN)).with_timezone(&Utc));
    }
    Err(format!(
        "`{s}` is not a date or time (expected `2026-11-24 08:00`, `2026-11-24T08:00:00+08:00` or `2026-11-24`)"
    ))
}

/// Parses a bare date `2026-11-24`.
/// Years outside 1–9999 are an error.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (expected a date such as `2026-11-24`)"))?;
    check_year(s, d.year())?;
    Ok(d)
}

/// Parses a clock time `08:00` (24-hour; seconds optional).
pub fn parse_time_of_day(s: &str) -> Result<NaiveTime, String> {
    let t = s.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| {
            format!(
                "`{s}` is not a time of day (expected 24-hour `HH:MM`, such as `08:00` or `20:30`)"
            )
        })
}

/// Resolves a local date-time in `tz` to an instant, the RFC 5545 way:
/// a time in a spring-forward gap moves forward by the gap's length
/// (02:30 on a night that skips 02:00–03:00 becomes 03:30), and a time in a
/// fall-back overlap is the first of its two occurrences.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => {
            // Read the wall time with the offset in force just before the
            // gap; that lands the same distance past the gap's end.
            let before = local - Duration::hours(24);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => dt.offset().fix(),
                LocalResult::None => tz.offset_from_utc_datetime(&before).fix(),
            };
            let utc = local - Duration::seconds(offset.local_minus_utc() as i64);
            tz.from_utc_datetime(&utc)
        }
    }
}

/// Formats an instant as local `YYYY-MM-DD HH:MM` in `tz` (with the UTC
/// offset on a day the offset changes: see [`format_time_of_day`]).
pub fn format_local(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    format!("{} {}", local.format("%Y-%m-%d"), format_time_of_day(t, tz))
}

/// Formats an instant as the local time of day `HH:MM` in `tz`. On a day
/// whose UTC offset changes (a daylight-saving switch) the offset follows
/// (`01:30 -04:00`), so the two 01:30s of a fall-back night, or a time next
/// to a skipped hour, can be told apart.
pub fn format_time_of_day(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    if offset_changes_on(local.date_naive(), tz) {
        local.format("%H:%M %:z").to_string()
    } else {
        local.format("%H:%M").to_string()
    }
}

/// True when the UTC offset of `tz` at the start of `day` differs from the
/// offset at the start of the next day.
fn offset_changes_on(day: NaiveDate, tz: Tz) -> bool {
    let offset_at = |d: NaiveDate| resolve_local(tz, d.and_time(NaiveTime::MIN)).offset().fix();
    match day.succ_opt() {
        Some(next) => offset_at(day) != offset_at(next),
        None => false,
    }
}

/// The longest duration [`parse_duration`] accepts: 366 days.
pub const MAX_DURATION_DAYS: i64 = 366;

/// Parses a short duration: `90m`, `2h`, `1h30m`, `45s`, `3d`, at most
/// [`MAX_DURATION_DAYS`] long (huge numbers are an error, not an overflow).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let err = || {
        format!("`{s}` is not a duration (expected something like `90m`, `2h`, `1h30m` or `1d`)")
    };
    let too_long = || {
        format!("`{s}` is too long for a duration (at most {MAX_DURATION_DAYS} days, such as `3d` or `2h`)")
    };
    let max = Duration::days(MAX_DURATION_DAYS);
    let mut total = Duration::zero();
    let mut num = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = match num.parse() {
            Ok(n) => n,
            Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => return Err(too_long()),
            Err(_) => return Err(err()),
        };
        num.clear();
        let part = match c {
            'd' => Duration::try_days(n),
            'h' => Duration::try_hours(n),
            'm' => Duration::try_minutes(n),
            's' => Duration::try_seconds(n),
            _ => return Err(err()),
        };
        total = part
            .and_then(|p| total.checked_add(&p))
            .filter(|t| *t <= max)
            .ok_or_else(too_long)?;
        any = true;
    }
    if !num.is_empty() || !any {
        return Err(err());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(s: &str) -> Tz {
        parse_tz(s).unwrap()
    }

    #[test]
    fn local_time_is_site_zone_not_utc() {
        let t = parse_datetime("2026-11-24 08:00", tz("Asia/Shanghai")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T00:00:00+00:00");
        let t = parse_datetime("2026-11-24T08:00:00+08:00", tz("Europe/London")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T00:00:00+00:00");
        let t = parse_datetime("2026-11-24", tz("Asia/Shanghai")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T16:00:00+00:00");
        assert!(parse_datetime("2026-13-01", tz("Asia/Shanghai")).is_err());
        assert!(parse_datetime("tomorrow", tz("Asia/Shanghai")).is_err());
    }

    #[test]
    fn spring_forward_gap_moves_forward() {
        let ny = tz("America/New_York");
        let local = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let t = resolve_local(ny, local);
        assert_eq!(t.format("%H:%M %z").to_string(), "03:30 -0400");
        let london = tz("Europe/London");
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(1, 15, 0)
            .unwrap();
        assert_eq!(
            resolve_local(london, local).format("%H:%M %z").to_string(),
            "02:15 +0100"
        );
    }

    #[test]
    fn fall_back_overlap_takes_first() {
        let ny = tz("America/New_York");
        let local = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(ny, local).format("%H:%M %z").to_string(),
            "01:30 -0400"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("2h").unwrap(), Duration::hours(2));
        assert!(parse_duration("2x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("12").is_err());
    }

    #[test]
    fn times_of_day() {
        assert!(parse_time_of_day("08:00").is_ok());
        assert!(parse_time_of_day("25:00").is_err());
        assert!(parse_time_of_day("8am").is_err());
    }

    #[test]
    fn huge_durations_are_errors_not_panics() {
        for d in [
            "9999999999999999d",
            "99999999999999999999999s",
            "367d",
            "366d1s",
        ] {
            let e = parse_duration(d).unwrap_err();
            assert!(e.contains("too long"), "{d}: {e}");
        }
        assert_eq!(parse_duration("366d").unwrap(), Duration::days(366));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::minutes(90));
    }

    #[test]
    fn years_outside_1_to_9999_are_errors() {
        let sh = tz("Asia/Shanghai");
        for s in [
            "0000-06-01",
            "-0001-12-31",
            "+10000-01-01",
            "+10000-01-01 08:00",
            "0000-06-01T08:00:00+08:00",
            "0001-01-01 07:00",
            "9999-12-31T20:00:00-08:00",
        ] {
            let e = parse_datetime(s, sh).unwrap_err();
            assert!(e.contains("outside the years 1 to 9999"), "{s}: {e}");
        }
        assert!(parse_datetime("10000-01-01", sh).is_err());
        for s in ["0000-06-01", "-0001-12-31", "+10000-01-01"] {
            assert!(parse_date(s).unwrap_err().contains("1 to 9999"), "{s}");
        }
        assert!(parse_datetime("0001-01-01 09:00", sh).is_ok());
        assert!(parse_datetime("9999-12-31 23:00", sh).is_ok());
        assert!(parse_date("9999-12-31").is_ok());
    }
}
