//! `qunshu report`

use anyhow::anyhow;
use qunshu::core::config::Lang;
use qunshu::core::time::{self, Clock};
use qunshu::publish::schedule::report::{week_report, WeekReport};
use qunshu::Project;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Output formats of `qunshu report`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Table,
    /// For scripts.
    Json,
}

/// A duty week in figures: who was on duty, threads asked and solved,
/// distinct answerers, accepted answers (best-answer candidates), and posts
/// out per column.
#[derive(clap::Args, Debug)]
pub struct Args {
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
pub fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
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
        match lang {
            Lang::ZhCn => "（本周未结束，数字截至现在）",
            Lang::En => " (week in progress; figures so far)",
        }
    } else {
        ""
    };
    let _ = match lang {
        Lang::ZhCn => {
            let _ = writeln!(s, "值班周 {} 至 {}{so_far}", r.start, r.end);
            let _ = writeln!(s, "值班管理员：{admin}");
            let _ = writeln!(
                s,
                "提问 {} 个，已解决 {} 个，参与回答 {} 人",
                r.threads.len(),
                r.solved,
                r.distinct_answerers
            );
            writeln!(s, "\n本周问题：")
        }
        Lang::En => {
            let _ = writeln!(s, "Duty week {} to {}{so_far}", r.start, r.end);
            let _ = writeln!(s, "Admin on duty: {admin}");
            let _ = writeln!(
                s,
                "{} threads asked, {} solved, {} distinct members answered",
                r.threads.len(),
                r.solved,
                r.distinct_answerers
            );
            writeln!(s, "\nThreads:")
        }
    };
    for t in &r.threads {
        let st = match (lang, t.solved) {
            (Lang::ZhCn, true) => "已解决",
            (Lang::ZhCn, false) => "待解决",
            (Lang::En, true) => "solved",
            (Lang::En, false) => "open",
        };
        let n = match lang {
            Lang::ZhCn => format!("{} 个回答", t.answers),
            Lang::En => format!("{} answers", t.answers),
        };
        let _ = writeln!(s, "  [{st}] {}  ({n})", t.title);
    }
    let _ = writeln!(
        s,
        "\n{}",
        match lang {
            Lang::ZhCn => "采纳的回答（每周最佳回答候选）：",
            Lang::En => "Accepted answers (best-answer candidates):",
        }
    );
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
    let _ = writeln!(
        s,
        "\n{}",
        match lang {
            Lang::ZhCn => "各栏目发出：",
            Lang::En => "Posts out per column:",
        }
    );
    for col in &r.columns {
        let _ = writeln!(s, "  {}：{}", col.name, col.count);
    }
    s
}
