//! `qunshu build`

use qunshu::archive::site::{self, BuildOptions, Site};
use qunshu::core::content::IncludeOptions;
use qunshu::core::time::Clock;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Build the static archive: published briefs and cases, solved threads,
/// listings by column, tag, stage and contributor, feed and sitemap.
///
/// The new site is written to a temporary folder and swapped in, so a
/// failed build leaves the previous output exactly as it was.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Output folder (relative to --root unless absolute).
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub out: PathBuf,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include posts whose time has not come yet (and queued posts).
    #[arg(long)]
    pub future: bool,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site; or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `qunshu build`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let community = super::load(root, args.strict)?;
    let clock = Clock::from_arg(args.clock.as_deref(), community.config.tz)
        .map_err(|m| anyhow::anyhow!("--clock: {m}"))?;
    let loaded = start.elapsed();
    qunshu::core::trace::phase("build: load and render Markdown", start);
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        root.join(&args.out)
    };
    let opts = BuildOptions {
        include: IncludeOptions {
            drafts: args.drafts,
            future: args.future,
            open: false,
        },
        clock,
    };
    let trace = |what: &str, since: Instant| {
        qunshu::core::trace::phase(&format!("build: {what}"), since);
    };
    let t = Instant::now();
    let site = Site::new(&community, opts)?;
    trace("page model", t);
    let quiet = args.quiet;
    let progress = |done: usize, total: usize| {
        if !quiet {
            eprintln!("  … {done}/{total} pages");
        }
    };
    site::output::check_target(root, &out)?;
    let t = Instant::now();
    let record = site::permalinks::Record::load(root)?;
    let links = site::permalinks::plan(&site, &record)?;
    let mut extra = links.pages;
    extra.extend(site::cards::plan(&site, root)?);
    trace("links and share cards", t);
    let report = site::output::write_site_with(&site, &out, &extra, &progress)?;
    links.record.save(root)?;
    if !quiet {
        for m in &links.moves {
            println!(
                "moved: {} → {} ({}); the old URL redirects",
                m.from, m.to, m.source
            );
        }
    }
    if !quiet {
        println!(
            "built {} posts into {}: {} files ({} unchanged) in {:.2}s (loading {:.2}s, search index {:.2}s)",
            report.posts,
            out.display(),
            report.files,
            report.unchanged,
            start.elapsed().as_secs_f64(),
            loaded.as_secs_f64(),
            report.index_time.as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
