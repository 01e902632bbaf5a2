//! `qunshu run`

use qunshu::archive::serve::watch::Watcher;
use qunshu::core::time::{format_local, Clock};
use qunshu::publish::deliver::{self, lock::Lock, Outcome, Run};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Stay up and deliver each post when its slot comes.
///
/// Sleeps until the next due slot; picks up edited posts and site.toml
/// without a restart; rebuilds the archive after posts go out when
/// site.toml has `[delivery] rebuild = true`; stops cleanly on Ctrl-C or
/// SIGTERM, finishing and recording the delivery in flight.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Look at the plan at least this often, in seconds, even when no file changes.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub recheck: u64,
}

/// Runs `qunshu run`.
pub fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    // The same watcher as `serve`: reads (access events, which every
    // reload of the content causes) are ignored, and so are our own writes
    // to `.qunshu/`, `outbox/` and the archive, which are outside the
    // watched folders.
    let root = std::fs::canonicalize(root)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", root.display()))?;
    let root = root.as_path();
    let members_file = qunshu::core::config::SiteConfig::load(root)
        .map(|c| c.members_file)
        .unwrap_or_else(|_| std::path::PathBuf::from("content/members.yaml"));
    let watcher = Watcher::start(root, &members_file)?;
    eprintln!("qunshu run: watching {} (Ctrl-C to stop)", root.display());
    let mut last_wait = String::new();
    while !stop.load(Ordering::SeqCst) {
        let wait = match cycle(root, &stop, &mut last_wait) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: {e:#}");
                None
            }
        };
        let wait = wait
            .unwrap_or(Duration::from_secs(args.recheck))
            .min(Duration::from_secs(args.recheck.max(1)));
        // Sleep until the next slot, a file change, or a stop.
        let end = std::time::Instant::now() + wait;
        while !stop.load(Ordering::SeqCst) {
            let left = end.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            match watcher
                .events
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(batch) => {
                    let mut paths = Watcher::changed_paths(batch).unwrap_or_default();
                    while let Ok(more) = watcher.events.try_recv() {
                        paths.extend(Watcher::changed_paths(more).unwrap_or_default());
                    }
                    if watcher.classify(&paths).is_some() {
                        eprintln!("qunshu run: files changed; reloading");
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
    }
    eprintln!("qunshu run: stopped");
    Ok(ExitCode::SUCCESS)
}

/// One pass: load, deliver what is due, rebuild if asked. Returns how long
/// to sleep until the next due slot.
fn cycle(
    root: &Path,
    stop: &Arc<AtomicBool>,
    last_wait: &mut String,
) -> anyhow::Result<Option<Duration>> {
    let (c, _) = super::post::load_with_ledger(root)?;
    let lang = c.config.language;
    let _lock = match Lock::try_acquire(&deliver::state_dir(root)) {
        Ok(l) => l,
        Err(deliver::lock::LockError::Busy(_)) => {
            eprintln!(
                "{}",
                lang.pick(
                    "另一个 qunshu 正在投递；稍后再试",
                    "another qunshu run is delivering; trying again shortly"
                )
            );
            return Ok(Some(Duration::from_secs(5)));
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let (mut c, mut ledger) = super::post::load_with_ledger(root)?;
    let clock = Clock::system(c.config.tz);
    let mut due = deliver::due_now(&c, &clock, &ledger);
    super::post::report_clashes(&c, &deliver::take_clashes(&c, &mut due));
    let mut sent = super::post::publish_without_channel(&c, &mut ledger, &due, &clock)?;
    super::post::read_due(&mut c, &due)?;
    {
        let mut run = Run::new(&c, &mut ledger, clock, Arc::clone(stop));
        let reports = run.deliver(&due, &mut |r| {
            println!("{}", super::post::report_line(&c, r))
        })?;
        sent += reports
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Sent { .. }))
            .count();
    }
    drop(_lock);
    if sent > 0 && c.config.delivery.rebuild {
        rebuild(root)?;
    }
    let clock = Clock::system(c.config.tz);
    let (c, _) = super::post::load_with_ledger(root)?;
    Ok(match deliver::next_due(&c, &clock) {
        Some(d) => {
            let msg = format!(
                "{} {} {}",
                lang.pick("下一条：", "next:"),
                format_local(d.slot, c.config.tz),
                d.source.display()
            );
            if *last_wait != msg {
                eprintln!("qunshu run: {msg}");
                *last_wait = msg;
            }
            Some((d.slot - clock.now).to_std().unwrap_or_default() + Duration::from_millis(50))
        }
        None => None,
    })
}

/// Rebuilds the archive with the delivery times just recorded.
fn rebuild(root: &Path) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    // The whole community, rendered (the load fills the delivery times).
    let c = super::load(root, false)?;
    let out = if c.config.delivery.out.is_absolute() {
        c.config.delivery.out.clone()
    } else {
        root.join(&c.config.delivery.out)
    };
    let opts = qunshu::archive::site::BuildOptions {
        include: qunshu::core::content::IncludeOptions::default(),
        clock: Clock::system(c.config.tz),
    };
    let site = qunshu::archive::site::Site::new(&c, opts)?;
    let report = qunshu::archive::site::output::write_site(&site, &out, &|_, _| {})?;
    eprintln!(
        "qunshu run: rebuilt the archive: {} posts into {} in {:.2}s",
        report.posts,
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
