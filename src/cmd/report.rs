//! `qunshu report`

use anyhow::anyhow;
use qunshu::core::i18n::text::report as text;
use qunshu::core::time::{self, Clock};
use qunshu::publish::schedule::report::{week_report, WeekReport};
use qunshu::Project;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Output formats of `qunshu report`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// For people.
    Table,
    /// For scripts.
    Json,
}

/// A duty week in figures: who was on duty, threads asked and solved,
/// distinct answerers, accepted answers (best-answer candidates), and posts
/// out per column.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Any day of the week to report on (`2026-11-24`); default today.
    #[arg(long, value_name = "DATE")]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}

/// Runs `qunshu report`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let mut c = super::schedule::load(root)?;
    let clock =
        Clock::from_arg(args.clock.as_deref(), c.config.tz).map_err(|m| anyhow!("--clock: {m}"))?;
    let date = match &args.week {
        None => clock.today(),
        Some(s) => time::parse_date(s).map_err(|m| anyhow!("--week: {m}"))?,
    };
    // The plan was loaded from front matter: read the week's threads.
    let threads = qunshu::publish::schedule::report::week_threads(&c, &clock, date);
    super::load_text(&mut c, &threads)?;
    let r = week_report(&c, &clock, date);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        Format::Table => print!("{}", table(&r, &c)),
    }
    Ok(ExitCode::SUCCESS)
}

fn table(r: &WeekReport, c: &Project) -> String {
    let lang = c.config.language;
    let mut s = String::new();
    let admin = r
        .admin
        .as_ref()
        .map(|a| a.display(lang).to_string())
        .unwrap_or_else(|| "—".into());
    let so_far = if r.in_progress {
        text::SO_FAR.get(lang)
    } else {
        ""
    };
    let week = [
        ("start", &r.start as &dyn std::fmt::Display),
        ("end", &r.end),
        ("so_far", &so_far),
    ];
    let _ = writeln!(s, "{}", text::WEEK.fill(lang, &week));
    let _ = writeln!(s, "{}", text::ADMIN.fill(lang, &[("admin", &admin)]));
    let figures = [
        ("threads", &r.threads.len() as &dyn std::fmt::Display),
        ("solved", &r.solved),
        ("answerers", &r.distinct_answerers),
    ];
    let _ = writeln!(s, "{}", text::FIGURES.fill(lang, &figures));
    let _ = writeln!(s, "{}", text::THREADS.get(lang));
    for t in &r.threads {
        let st = if t.solved { text::SOLVED } else { text::OPEN }.get(lang);
        let n = text::ANSWERS.fill(lang, &[("n", &t.answers)]);
        let _ = writeln!(s, "  [{st}] {}  ({n})", t.title);
    }
    let _ = writeln!(s, "\n{}", text::ACCEPTED.get(lang));
    for a in &r.accepted {
        let _ = writeln!(
            s,
            "  {} — {}{}",
            a.author.display(lang),
            a.thread,
            a.answer_title
                .as_ref()
                .map(|t| format!("「{t}」"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "\n{}", text::PER_COLUMN.get(lang));
    for col in &r.columns {
        let _ = writeln!(s, "  {}：{}", col.name, col.count);
    }
    s
}
