//! `qunshu run`

use super::Console;
use qunshu::core::time::Clock;
use qunshu::publish::deliver::daemon;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Stay up and deliver each post when its slot comes.
///
/// Sleeps until the next due slot; picks up edited posts and site.toml
/// without a restart; rebuilds the archive after posts go out when
/// site.toml has `[delivery] rebuild = true`; stops cleanly on Ctrl-C or
/// SIGTERM, finishing and recording the delivery in flight.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Look at the plan at least this often, in seconds, even when no file changes.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub recheck: u64,
}

/// Runs `qunshu run`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let opts = daemon::Options {
        recheck: Duration::from_secs(args.recheck),
        stop,
        rebuild: &mut rebuild,
    };
    daemon::run(root, opts, &mut Console)?;
    Ok(ExitCode::SUCCESS)
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
