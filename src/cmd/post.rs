//! `qunshu post`

use qunshu::core::config::Lang;
use qunshu::core::time::{format_local, Clock};
use qunshu::publish::deliver::{self, lock::Lock, Ledger, Outcome, Report, Run};
use qunshu::Project;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Send every post that is due now to its channels, once.
///
/// Prints what was sent, failed, missed or left unknown. Exits 1 if a
/// delivery failed or its outcome became unknown, 3 if posts clash (two
/// pinned to one instant in one column: those are not sent, the rest is),
/// 75 if another run holds the lock (nothing was sent). Meant for cron:
/// `*/5 * * * * qunshu post`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print exactly what would be sent to each channel, rendered; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}

/// Exit code when another run holds the lock.
pub const EXIT_BUSY: u8 = 75;

/// Loads the community's plan (front matter only: see
/// [`Project::open`] with [`Depth::FrontMatter`](crate::core::content::Depth)) and fills its delivery times from the
/// ledger. Call [`read_due`] before rendering a message.
pub fn load_with_ledger(root: &Path) -> anyhow::Result<(Project, Ledger)> {
    // The load fills `delivered` from the ledger already.
    let c = super::load_metadata(root, false)?;
    let ledger = load_ledger(root)?;
    Ok((c, ledger))
}

/// Reads and renders the posts in `due`, with every check `build` makes of
/// them (a broken link stops the send, as it stops the build). Posts that
/// are not due are never read past their front matter.
pub fn read_due(c: &mut Project, due: &[deliver::Due]) -> anyhow::Result<()> {
    let sources: Vec<PathBuf> = due.iter().map(|d| d.source.clone()).collect();
    super::load_rendered(c, &sources)
}

/// Loads the ledger, warning about unreadable lines.
pub fn load_ledger(root: &Path) -> anyhow::Result<Ledger> {
    let ledger = Ledger::load(root).map_err(anyhow::Error::msg)?;
    let path = ledger.path().strip_prefix(root).unwrap_or(ledger.path());
    for line in &ledger.bad_lines {
        eprintln!(
            "warning: {}:{line}: this line of the delivery ledger cannot be read (cut short by a crash, or damaged) and is skipped; \
             if it recorded a delivery, that delivery may be sent again: check `qunshu status`, then delete the line or restore it from a backup",
            path.display(),
        );
    }
    Ok(ledger)
}

/// One line about a report.
pub fn report_line(c: &Project, r: &Report) -> String {
    let lang = c.config.language;
    let when = format_local(r.slot, c.config.tz);
    let what = format!("{when}  {}  {} → {}", r.post.display(), r.title, r.channel);
    match &r.outcome {
        Outcome::Sent { parts, message_ids } => {
            let mut s = format!("{}  {what}", lang.pick("已发送", "sent   "));
            if *parts > 1 {
                s.push_str(&format!(" ({parts} {})", lang.pick("段", "parts")));
            }
            if !message_ids.is_empty() {
                s.push_str(&format!(" [{}]", message_ids.join(", ")));
            }
            s
        }
        Outcome::Failed(e) => format!("{}  {what}: {e}", lang.pick("失败  ", "failed ")),
        Outcome::Unknown { cause, detail } => {
            unknown_line(lang, &what, Some(*cause), Some(detail.as_str()), r)
        }
        Outcome::StillUnknown { cause, detail } => {
            unknown_line(lang, &what, *cause, detail.as_deref(), r)
        }
        Outcome::Missed { late } => format!(
            "{}  {what}: {} {}",
            lang.pick("已错过", "missed "),
            lang.pick("时段已过去", "its slot passed"),
            human(*late, lang),
        ),
    }
}

/// An unknown delivery: why, and the `resolve` command to run.
fn unknown_line(
    lang: Lang,
    what: &str,
    cause: Option<deliver::Cause>,
    detail: Option<&str>,
    r: &Report,
) -> String {
    let why = cause.map(|c| c.describe(lang)).unwrap_or(lang.pick(
        "结果未知，可能已发出",
        "the outcome is unknown; it may have been posted",
    ));
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    format!(
        "{}  {what}: {why}{detail}. {}: qunshu resolve {} {} --sent {} --resend",
        lang.pick("未知  ", "unknown"),
        lang.pick(
            "不会自动重发；请到群里查看是否已发出，然后运行",
            "Never re-sent on its own; check the group, then run"
        ),
        r.post.display(),
        r.channel,
        lang.pick("或", "or"),
    )
}

/// `1h05m` / `1小时5分钟`.
pub fn human(d: chrono::Duration, lang: Lang) -> String {
    let m = d.num_minutes().max(0);
    let (h, m) = (m / 60, m % 60);
    match lang {
        Lang::ZhCn if h > 0 => format!("{h} 小时 {m} 分钟，未发送"),
        Lang::ZhCn => format!("{m} 分钟，未发送"),
        Lang::En if h > 0 => format!("{h}h{m:02}m ago; not sent at the wrong time of day"),
        Lang::En => format!("{m}m ago; not sent at the wrong time of day"),
    }
}

/// Runs `qunshu post`.
pub fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let (mut c, ledger) = load_with_ledger(root)?;
    let lang = c.config.language;
    let clock = Clock::from_arg(args.clock.as_deref(), c.config.tz).map_err(anyhow::Error::msg)?;
    let no_channels = c.config.channels.is_empty();
    let say_no_channels = || {
        println!(
            "{}",
            lang.pick("site.toml 里没有 [[channels]]：没有可投递的渠道；排队的帖子在时段到来时发布到归档。",
                "site.toml has no [[channels]]: nothing to deliver to; queued posts enter the archive as their slots come."
            )
        )
    };
    if args.dry_run && no_channels {
        say_no_channels();
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let mut due = deliver::due_now(&c, &clock, &ledger);
        report_clashes(&c, &deliver::take_clashes(&c, &mut due));
        read_due(&mut c, &due)?;
        let previews = deliver::preview(&c, &ledger, &due, clock.now);
        if previews.iter().all(|p| p.skip.is_some()) {
            println!(
                "{}",
                lang.pick("现在没有要发送的帖子。", "Nothing to send now.")
            );
        }
        for p in &previews {
            let when = format_local(p.due.slot, c.config.tz);
            let head = format!(
                "=== {} ({}) · {when} · {}",
                p.channel,
                p.kind,
                p.due.source.display()
            );
            match &p.skip {
                Some(why) => println!("{head}: {} — {why}", lang.pick("不发送", "not sent")),
                None => {
                    let n = p.message.parts.len();
                    println!(
                        "{head} · {n} {}",
                        lang.pick("条消息", if n == 1 { "message" } else { "messages" })
                    );
                    if p.kind == deliver::ChannelKind::Outbox {
                        println!("--- {}", p.message.title);
                    }
                    for (i, part) in p.message.parts.iter().enumerate() {
                        if n > 1 {
                            println!("--- {}/{n}", i + 1);
                        }
                        println!("{part}");
                    }
                }
            }
            println!();
        }
        return Ok(ExitCode::SUCCESS);
    }
    let state = deliver::state_dir(root);
    let _lock = match Lock::try_acquire(&state) {
        Ok(l) => l,
        Err(deliver::lock::LockError::Busy(pid)) => {
            eprintln!(
                "{}{}",
                lang.pick(
                    "另一个 qunshu 正在投递，本次不发送任何内容",
                    "another qunshu run is delivering; this one sends nothing"
                ),
                pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
            );
            return Ok(ExitCode::from(EXIT_BUSY));
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    // Read the ledger again now that no other run can write it.
    let mut ledger = load_ledger(root)?;
    c.delivered.clear();
    c.delivered.extend(ledger.delivered());
    let mut due = deliver::due_now(&c, &clock, &ledger);
    let clashes = deliver::take_clashes(&c, &mut due);
    report_clashes(&c, &clashes);
    publish_without_channel(&c, &mut ledger, &due, &clock)?;
    if no_channels {
        say_no_channels();
        return Ok(if clashes.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(super::schedule::CLASH_EXIT)
        });
    }
    read_due(&mut c, &due)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let mut run = Run::new(&c, &mut ledger, clock, stop);
    let reports = run.deliver(&due, &mut |r| println!("{}", report_line(&c, r)))?;
    summary(&c, &reports, &clock);
    let bad = reports
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Unknown { .. }));
    Ok(if bad {
        ExitCode::FAILURE
    } else if !clashes.is_empty() {
        ExitCode::from(super::schedule::CLASH_EXIT)
    } else {
        ExitCode::SUCCESS
    })
}

/// Publishes the due queued posts that no channel carries (see
/// [`deliver::publish_without_channel`]) and says which; returns how many.
pub fn publish_without_channel(
    c: &Project,
    ledger: &mut Ledger,
    due: &[deliver::Due],
    clock: &Clock,
) -> anyhow::Result<usize> {
    let lang = c.config.language;
    let done = deliver::publish_without_channel(c, ledger, due, clock.now)
        .map_err(|e| anyhow::anyhow!("cannot write the delivery ledger: {e}"))?;
    for d in &done {
        let title = title_of(c, &d.source);
        println!(
            "{}  {}  {}  {title}  ({})",
            lang.pick("已发布到归档", "published in the archive"),
            format_local(d.slot, c.config.tz),
            d.source.display(),
            lang.pick("没有渠道转发这个栏目", "no channel carries its column"),
        );
    }
    Ok(done.len())
}

/// The title of the post at `source` (empty if it is gone).
fn title_of<'c>(c: &'c Project, source: &Path) -> &'c str {
    c.posts
        .iter()
        .find(|p| p.source == source)
        .map_or("", |p| p.title.as_str())
}

/// Prints one error per clash: which posts share a slot and were held back.
pub fn report_clashes(c: &Project, clashes: &[deliver::Clash]) {
    let lang = c.config.language;
    for k in clashes {
        let names = k
            .posts
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "));
        let when = format_local(k.slot, c.config.tz);
        eprintln!(
            "{}",
            match lang {
                Lang::ZhCn => format!(
                    "error: {names} 都定在 {when}（栏目 {}），撞车了：未投递的那篇不发送。改其中一篇的 publish_at 后再运行。",
                    k.column
                ),
                Lang::En => format!(
                    "error: {names} are all pinned to {when} in column {}: the ones not yet delivered are not sent. Change one's publish_at, then run again.",
                    k.column
                ),
            }
        );
    }
}

/// Prints the counts and, when nothing was due, the next due post.
pub fn summary(c: &Project, reports: &[Report], clock: &Clock) {
    let lang = c.config.language;
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let sent = count(|o| matches!(o, Outcome::Sent { .. }));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let unknown = count(|o| matches!(o, Outcome::Unknown { .. } | Outcome::StillUnknown { .. }));
    let missed = count(|o| matches!(o, Outcome::Missed { .. }));
    if reports.is_empty() {
        print!("{}", lang.pick("现在没有到期的帖子。", "Nothing due now."));
    } else {
        print!(
            "{}",
            match lang {
                Lang::ZhCn =>
                    format!("已发送 {sent}，失败 {failed}，未知 {unknown}，错过 {missed}。"),
                Lang::En =>
                    format!("{sent} sent, {failed} failed, {unknown} unknown, {missed} missed."),
            }
        );
    }
    match deliver::next_due(c, clock) {
        Some(d) => {
            let title = title_of(c, &d.source);
            println!(
                " {} {} {title}",
                lang.pick("下一条：", "Next:"),
                format_local(d.slot, c.config.tz)
            );
        }
        None => println!(),
    }
}
