//! `qunshu schedule`

use anyhow::{bail, Context};
use qunshu::core::config::Lang;
use qunshu::core::i18n::text::schedule as text;
use qunshu::core::time::{self, format_time_of_day, Clock};
use qunshu::publish::schedule::{self, day_label, pin, EntryStatus, Plan};
use qunshu::Project;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output formats of `qunshu schedule`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Grouped by day, with a summary (for people).
    Table,
    /// The plan as JSON (for scripts; see the README).
    Json,
    /// An iCalendar file to import into a phone's calendar.
    Ics,
}

/// Show what goes out when: every slot of every column with its post,
/// empty slots, clashes, recurring events, the admin on duty, and how long
/// each column's queue lasts.
///
/// Exits 3 when two pinned posts clash in one slot, 1 on errors.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// First day to show (`2026-11-24`); default today in the site's zone.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Number of days to show.
    #[arg(long, default_value_t = 14, value_name = "N")]
    pub days: u32,
    /// Show only this column (its id in site.toml).
    #[arg(long, value_name = "ID")]
    pub column: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
    /// Write each queued post's planned time in the range into its front
    /// matter (`publish_at:`), freezing the plan. Only that line changes.
    #[arg(long)]
    pub pin: bool,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Exit status when the plan has clashes.
pub(crate) const CLASH_EXIT: u8 = 3;

/// Runs `qunshu schedule`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let mut c = load(root)?;
    let clock = Clock::from_arg(args.clock.as_deref(), c.config.tz)
        .map_err(|m| anyhow::anyhow!("--clock: {m}"))?;
    let from = match &args.from {
        None => clock.today(),
        Some(s) => time::parse_date(s).map_err(|m| anyhow::anyhow!("--from: {m}"))?,
    };
    if args.days == 0 || args.days > 3660 {
        bail!(
            "--days: {} is not usable (expected a number of days from 1 to 3660)",
            args.days
        );
    }
    if let Some(id) = &args.column {
        if c.config.column(id).is_none() {
            let known: Vec<&str> = c.config.columns.iter().map(|c| c.id.as_str()).collect();
            bail!(
                "--column: there is no column `{id}` in site.toml (expected one of: {})",
                known.join(", ")
            );
        }
    }
    let mut plan = schedule::plan(&c, &clock, from, args.days);
    if let Some(id) = &args.column {
        plan.retain_column(id);
    }
    if args.pin {
        let queued = plan.queued_in_range();
        for (source, at) in &queued {
            let value =
                pin::pin_file(root, source, *at, c.config.tz).map_err(anyhow::Error::msg)?;
            eprintln!(
                "{} {} → publish_at: {value}",
                text::PINNED_NOW.get(c.config.language),
                source.display()
            );
        }
        if queued.is_empty() {
            eprintln!("{}", text::NOTHING_TO_PIN.get(c.config.language));
        }
    }
    let out = match args.format {
        Format::Table => table(&plan, &c),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&plan)?;
            s.push('\n');
            s
        }
        Format::Ics => {
            // The calendar carries each post's text: read it for the posts
            // in range only (the plan was made from front matter).
            let sources: Vec<PathBuf> = plan
                .entries
                .iter()
                .filter_map(|e| e.index)
                .map(|i| c.posts[i].source.clone())
                .collect();
            super::load_text(&mut c, &sources)?;
            schedule::ics::write(&plan, &c)
        }
    };
    match &args.output {
        Some(path) => pin::write_atomic(path, out.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(out.as_bytes())?;
        }
    }
    if plan.clashes.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(CLASH_EXIT))
    }
}

/// Opens the community for planning (front matter only: text for the
/// calendar is rendered on demand). The rota's handles are checked against
/// the members file as the configuration is read.
pub(crate) fn load(root: &Path) -> anyhow::Result<Project> {
    super::load_metadata(root, false)
}

struct Words {
    pinned: &'static str,
    queued: &'static str,
    delivered: &'static str,
    empty: &'static str,
    past_empty: &'static str,
    custom: &'static str,
    clash: &'static str,
    duty: &'static str,
    event: &'static str,
    until: &'static str,
    summary: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        pinned: text::PINNED.get(lang),
        queued: text::QUEUED.get(lang),
        delivered: text::DELIVERED.get(lang),
        empty: text::EMPTY.get(lang),
        past_empty: text::PAST_EMPTY.get(lang),
        custom: text::CUSTOM.get(lang),
        clash: text::CLASH.get(lang),
        duty: text::DUTY.get(lang),
        event: text::EVENT.get(lang),
        until: text::UNTIL.get(lang),
        summary: text::SUMMARY.get(lang),
    }
}

/// A column's name (its id when the column is unknown).
fn column_name(c: &Project, id: &str) -> String {
    c.config
        .column(id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn table(plan: &Plan, c: &Project) -> String {
    let lang = c.config.language;
    let tz = plan.tz();
    let mut s = String::new();
    let last = plan.from + chrono::Duration::days(plan.days as i64 - 1);
    let header = [
        ("title", &c.config.title as &dyn std::fmt::Display),
        ("from", &plan.from),
        ("to", &last),
        ("zone", &plan.timezone),
        ("now", &time::format_local(plan.now, tz)),
    ];
    let _ = writeln!(s, "{}", text::HEADER.fill(lang, &header));
    let mut d = plan.from;
    for _ in 0..plan.days {
        day(plan, c, d, &mut s);
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }

    summary(plan, c, &mut s);
    s
}

/// The plan table's lines for day `d`: its slots and events in time order,
/// the admin on duty when a duty week starts.
fn day(plan: &Plan, c: &Project, d: chrono::NaiveDate, s: &mut String) {
    let lang = c.config.language;
    let tz = plan.tz();
    let w = words(lang);
    let col_name = |id: &str| column_name(c, id);
    let mut lines: Vec<(chrono::DateTime<chrono::Utc>, String)> = Vec::new();
    for e in plan
        .entries
        .iter()
        .filter(|e| e.at.with_timezone(&tz).date_naive() == d)
    {
        let status = if !e.clash_with.is_empty() {
            w.clash
        } else {
            match e.status {
                EntryStatus::Pinned => w.pinned,
                EntryStatus::Queued => w.queued,
                EntryStatus::Delivered => w.delivered,
                EntryStatus::Empty if e.past => w.past_empty,
                EntryStatus::Empty => w.empty,
                EntryStatus::Custom => w.custom,
            }
        };
        let what = match (&e.title, &e.post) {
            (Some(t), Some(p)) => format!("{t}  ({})", p.display()),
            _ => "—".to_string(),
        };
        lines.push((
            e.at,
            format!(
                "  {}  {}  [{status}]  {what}",
                format_time_of_day(e.at, tz),
                col_name(&e.column)
            ),
        ));
    }
    for ev in plan
        .events
        .iter()
        .filter(|ev| ev.start.with_timezone(&tz).date_naive() == d)
    {
        let cap = match ev.capacity {
            Some(n) => text::CAPACITY_INLINE.fill(lang, &[("n", &n)]),
            None => String::new(),
        };
        lines.push((
            ev.start,
            format!(
                "  {}  ◆ {}：{}（{} {}{cap}）",
                format_time_of_day(ev.start, tz),
                w.event,
                ev.name,
                w.until,
                format_time_of_day(ev.end, tz),
            ),
        ));
    }
    lines.sort_by_key(|l| l.0);
    let duty = plan
        .duty
        .iter()
        .find(|x| x.start <= d && d <= x.end)
        .filter(|x| x.start == d || d == plan.from)
        .map(|x| format!("   {}：{}", w.duty, x.admin.display(lang)))
        .unwrap_or_default();
    let _ = writeln!(s, "\n{}{duty}", day_label(lang, d));
    if lines.is_empty() {
        let _ = writeln!(s, "  {}", text::NO_SLOTS.get(lang));
    }
    for (_, l) in lines {
        s.push_str(&l);
        s.push('\n');
    }
}

/// The plan table's summary: empty slots ahead, clashes, each column's
/// queue, and the posts that cannot be planned.
fn summary(plan: &Plan, c: &Project, s: &mut String) {
    let lang = c.config.language;
    let tz = plan.tz();
    let w = words(lang);
    let col_name = |id: &str| column_name(c, id);
    let _ = writeln!(s, "\n{}", w.summary);
    let empty: Vec<_> = plan.empty_ahead().collect();
    let _ = writeln!(
        s,
        "{}",
        text::EMPTY_AHEAD.fill(lang, &[("n", &empty.len())])
    );
    for e in &empty {
        let local = e.at.with_timezone(&tz);
        let _ = writeln!(
            s,
            "    ⚠ {} {}  {}",
            day_label(lang, local.date_naive()),
            format_time_of_day(e.at, tz),
            col_name(&e.column)
        );
    }
    let _ = writeln!(
        s,
        "{}",
        text::CLASHES.fill(lang, &[("n", &plan.clashes.len())])
    );
    for k in &plan.clashes {
        let files: Vec<String> = k.posts.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            s,
            "    ✗ {} {}  {}",
            time::format_local(k.at, tz),
            col_name(&k.column),
            files.join(text::AND.get(lang))
        );
    }
    let _ = writeln!(s, "{}", text::QUEUES.get(lang));
    for r in &plan.runway {
        let name = col_name(&r.column);
        let warn = if r.days_left.is_some_and(|d| d <= 3) {
            "⚠ "
        } else {
            ""
        };
        let line = match (r.runs_out, r.days_left) {
            (Some(t), Some(dl)) => text::RUNWAY.fill(
                lang,
                &[
                    ("warn", &warn),
                    ("name", &name),
                    ("queued", &r.queued),
                    ("pinned", &r.pinned_ahead),
                    ("at", &time::format_local(t, tz)),
                    ("days", &dl),
                ],
            ),
            _ => text::COLUMN_NO_SLOTS.fill(lang, &[("name", &name)]),
        };
        let _ = writeln!(s, "    {line}");
    }
    for u in &plan.unplaced {
        let why = match u.reason {
            schedule::plan::UnplacedReason::NoSlots => text::UNPLACED_NO_SLOTS,
            schedule::plan::UnplacedReason::Expired => text::UNPLACED_EXPIRED,
        }
        .get(lang);
        let _ = writeln!(s, "    ⚠ {}: {why}", u.source.display());
    }
}
