//! `qunshu serve`

use qunshu::archive::serve::{self, PreviewOptions, ServeOptions};
use qunshu::core::content::IncludeOptions;
use qunshu::core::time::parse_datetime;
use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

/// Preview the archive while you write: builds it, serves it, and reloads
/// the browser tab each time a file is saved.
///
/// Drafts, scheduled and queued posts and open threads are shown, each
/// with a banner. Saving a post re-renders only the pages that show it.
/// While a file has errors, the browser shows them instead of the site and
/// the server keeps running. Ctrl-C stops it.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Port to listen on.
    #[arg(long, short, default_value_t = serve::DEFAULT_PORT, value_name = "P")]
    pub port: u16,
    /// Address to listen on (0.0.0.0 lets other devices on your network see the preview).
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Open the preview in your web browser.
    #[arg(long)]
    pub open: bool,
    /// Show only what a build would publish (no drafts, future posts or open threads).
    #[arg(long)]
    pub published_only: bool,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}

/// Runs `qunshu serve`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let clock = match &args.clock {
        None => None,
        Some(s) => {
            let tz = qunshu::SiteConfig::load(root)
                .map(|c| c.tz)
                .unwrap_or(chrono_tz::Asia::Shanghai);
            Some(parse_datetime(s, tz).map_err(|m| anyhow::anyhow!("--clock: {m}"))?)
        }
    };
    let all = !args.published_only;
    serve::run(
        root,
        ServeOptions {
            bind: args.bind,
            port: args.port,
            open: args.open,
            preview: PreviewOptions {
                include: IncludeOptions {
                    drafts: all,
                    future: all,
                    open: all,
                },
                clock,
            },
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
