//! `qunshu run`'s loop: deliver what is due, sleep until the next slot, a
//! change to the site's files (the same [`Watcher`] as `qunshu serve`) or
//! a stop, and again. Each pass is one [`Session`]; the lock is held only
//! while sending, so `qunshu post` and `qunshu resolve` can run between
//! passes.
//!
//! Owns: the loop. Must not import: `archive` (the archive is rebuilt by
//! the caller's `rebuild`).

use super::session::{Say, Session};
use super::Outcome;
use crate::core::config::SiteConfig;
use crate::core::time::{format_local, Clock};
use crate::core::watch::Watcher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// How `qunshu run` runs.
pub struct Options<'a> {
    /// Look at the plan at least this often, even when no file changes.
    pub recheck: Duration,
    /// Set to stop: the delivery in flight is finished and recorded.
    pub stop: Arc<AtomicBool>,
    /// Rebuilds the archive at the root (after posts went out, when
    /// `[delivery] rebuild = true`).
    pub rebuild: &'a mut dyn FnMut(&Path) -> anyhow::Result<()>,
}

/// Runs until `opts.stop` is set. Errors of one pass are said and the
/// loop goes on; only a root that cannot be opened or watched is an error.
pub fn run(root: &Path, opts: Options<'_>, say: &mut dyn Say) -> anyhow::Result<()> {
    let Options {
        recheck,
        stop,
        rebuild,
    } = opts;
    // Reads (access events, which every reload of the content causes) are
    // ignored, and so are our own writes to `.qunshu/`, `outbox/` and the
    // archive, which are outside the watched folders.
    let root = std::fs::canonicalize(root)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", root.display()))?;
    let root = root.as_path();
    let members_file = SiteConfig::load(root)
        .map(|c| c.members_file)
        .unwrap_or_else(|_| PathBuf::from("content/members.yaml"));
    let watcher = Watcher::start(root, &members_file)?;
    say.err(&format!(
        "qunshu run: watching {} (Ctrl-C to stop)",
        root.display()
    ));
    let mut last_wait = String::new();
    while !stop.load(Ordering::SeqCst) {
        let wait = match pass(root, &stop, &mut last_wait, rebuild, say) {
            Ok(w) => w,
            Err(e) => {
                say.err(&format!("error: {e:#}"));
                None
            }
        };
        let wait = wait
            .unwrap_or(recheck)
            .min(recheck.max(Duration::from_secs(1)));
        if sleep(&watcher, wait, &stop) {
            say.err("qunshu run: files changed; reloading");
        }
    }
    say.err("qunshu run: stopped");
    Ok(())
}

/// Sleeps up to `wait`, until a file that matters changes (true) or a stop.
fn sleep(watcher: &Watcher, wait: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + wait;
    while !stop.load(Ordering::SeqCst) {
        let left = end.saturating_duration_since(Instant::now());
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
                    return true;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    false
}

/// One pass: open, deliver what is due, rebuild if asked. Returns how long
/// to sleep until the next due slot.
fn pass(
    root: &Path,
    stop: &Arc<AtomicBool>,
    last_wait: &mut String,
    rebuild: &mut dyn FnMut(&Path) -> anyhow::Result<()>,
    say: &mut dyn Say,
) -> anyhow::Result<Option<Duration>> {
    let mut s = Session::open(root, say)?;
    let lang = s.project().config.language;
    if s.lock(say)?.is_err() {
        say.err(lang.pick(
            "另一个 qunshu 正在投递；稍后再试",
            "another qunshu run is delivering; trying again shortly",
        ));
        return Ok(Some(Duration::from_secs(5)));
    }
    let tz = s.project().config.tz;
    let clock = Clock::system(tz);
    let (due, _clashes) = s.due(&clock, say);
    let mut sent = s.publish_without_channel(&due, clock.now, say)?;
    s.read(&due, say)?;
    let reports = s.deliver(&due, clock, Arc::clone(stop), say)?;
    sent += reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Sent { .. }))
        .count();
    s.unlock();
    if sent > 0 && s.project().config.delivery.rebuild {
        rebuild(root)?;
    }
    let clock = Clock::system(tz);
    let Some(d) = super::next_due(s.project(), &clock) else {
        return Ok(None);
    };
    let msg = format!(
        "{} {} {}",
        lang.pick("下一条：", "next:"),
        format_local(d.slot, tz),
        d.source.display()
    );
    if *last_wait != msg {
        say.err(&format!("qunshu run: {msg}"));
        *last_wait = msg;
    }
    Ok(Some(
        (d.slot - clock.now).to_std().unwrap_or_default() + Duration::from_millis(50),
    ))
}
