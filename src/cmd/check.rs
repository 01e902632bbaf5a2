//! `qunshu check`

use qunshu::core::content::Visibility;
use qunshu::core::time::Clock;
use std::path::Path;
use std::process::ExitCode;

/// Validate everything `build` would, write nothing, report every problem.
///
/// Each problem names the file, the line and the field. Exits 1 when there
/// are errors (or, with --strict, warnings).
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Treat warnings (such as handles missing from members.yaml) as errors.
    #[arg(long)]
    pub strict: bool,
    /// List the open (unsolved) threads, which the archive leaves out.
    #[arg(long)]
    pub open: bool,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}

/// Runs `qunshu check`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let c = super::load(root, args.strict)?;
    let clock = Clock::from_arg(args.clock.as_deref(), c.config.tz).map_err(anyhow::Error::msg)?;
    // The page model checks the theme and every output path; drafts and
    // scheduled posts count, so a clash is found before they are published.
    let everything = qunshu::core::content::IncludeOptions {
        drafts: true,
        future: true,
        open: false,
    };
    qunshu::archive::site::Site::new(
        &c,
        qunshu::archive::site::BuildOptions {
            include: everything,
            clock,
        },
    )?;
    // What the next build does to recorded URLs (urls.lock).
    let published = qunshu::archive::site::Site::new(
        &c,
        qunshu::archive::site::BuildOptions {
            include: qunshu::core::content::IncludeOptions::default(),
            clock,
        },
    )?;
    let record = qunshu::archive::site::permalinks::Record::load(root)?;
    let links = qunshu::archive::site::permalinks::plan(&published, &record)?;
    for m in &links.moves {
        println!(
            "moved URL: {} → {} ({}); the next build redirects the old URL",
            m.from, m.to, m.source
        );
    }
    for e in &links.removed {
        println!(
            "removed: {} ({}) is no longer published; the build leaves a \"removed\" page there (delete its entry from {} to drop it)",
            e.url,
            e.title,
            qunshu::archive::site::permalinks::RECORD_FILE
        );
    }
    let mut counts = std::collections::BTreeMap::new();
    for p in &c.posts {
        *counts.entry(c.visibility(p, clock.now)).or_insert(0usize) += 1;
    }
    let n = |v| counts.get(&v).copied().unwrap_or(0);
    println!(
        "ok: {} posts ({} published, {} scheduled, {} queued, {} drafts, {} open threads, {} expired), {} members",
        c.posts.len(),
        n(Visibility::Published),
        n(Visibility::Future),
        n(Visibility::Queued),
        n(Visibility::Draft),
        n(Visibility::Open),
        n(Visibility::Expired),
        c.members.len()
    );
    if args.open {
        for p in c
            .posts
            .iter()
            .filter(|p| c.visibility(p, clock.now) == Visibility::Open)
        {
            println!("open thread: {} — {}", p.source.display(), p.title);
        }
    }
    Ok(ExitCode::SUCCESS)
}
