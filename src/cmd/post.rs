//! `qunshu post`

use super::Console;
use qunshu::core::time::{format_local, Clock};
use qunshu::publish::deliver::session::{Preview, Session};
use qunshu::publish::deliver::{lock::LockError, words, Outcome};
use std::path::Path;
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
pub(crate) struct Args {
    /// Print exactly what would be sent to each channel, rendered; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}

/// Exit code when another run holds the lock.
pub(crate) const EXIT_BUSY: u8 = 75;

/// Runs `qunshu post`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let say = &mut Console;
    let mut s = Session::open(root, say)?;
    let c = s.project();
    let lang = c.config.language;
    let clock = Clock::from_arg(args.clock.as_deref(), c.config.tz).map_err(anyhow::Error::msg)?;
    let no_channels = c.config.channels.is_empty();
    if args.dry_run && no_channels {
        println!("{}", words::no_channels(lang));
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let (due, _) = s.due(&clock, say);
        s.read(&due, say)?;
        let previews = s.preview(&due, clock.now);
        if previews.iter().all(|p| p.skip.is_some()) {
            println!(
                "{}",
                lang.pick("现在没有要发送的帖子。", "Nothing to send now.")
            );
        }
        for p in &previews {
            print_preview(&s, p);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Err(e) = s.lock(say)? {
        let LockError::Busy(pid) = e else {
            anyhow::bail!("{e}")
        };
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
    let (due, clashes) = s.due(&clock, say);
    s.publish_without_channel(&due, clock.now, say)?;
    let clash_or_success = if clashes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::schedule::CLASH_EXIT)
    };
    if no_channels {
        println!("{}", words::no_channels(lang));
        return Ok(clash_or_success);
    }
    s.read(&due, say)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let reports = s.deliver(&due, clock, stop, say)?;
    println!("{}", s.summary(&reports, &clock));
    let bad = reports
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Unknown { .. }));
    Ok(if bad {
        ExitCode::FAILURE
    } else {
        clash_or_success
    })
}

/// Prints one entry of a dry run: why it is not sent, or every part.
fn print_preview(s: &Session, p: &Preview) {
    let c = s.project();
    let lang = c.config.language;
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
            if qunshu::publish::deliver::platform::of(p.kind).writes_files() {
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
