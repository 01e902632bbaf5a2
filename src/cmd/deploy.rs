//! `qunshu deploy`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Publish the built archive (`qunshu build` first) to the folder `[deploy]`
/// `target` in site.toml names: only new and changed files are copied, and
/// files that are gone are deleted only after everything new is in place.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The built archive (relative to --root unless absolute).
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub from: PathBuf,
    /// List what would be copied and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `qunshu deploy`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = qunshu::core::config::SiteConfig::load(root).map_err(|d| {
        super::print_diags(&d);
        anyhow::anyhow!("site.toml has problems (see above)")
    })?;
    let Some(d) = &config.deploy else {
        anyhow::bail!(
            "site.toml has no [deploy] table; add one, such as\n\n[deploy]\ntarget = \"/var/www/archive\"\n"
        );
    };
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            root.join(p)
        }
    };
    let (from, target) = (abs(&args.from), abs(&d.target));
    let started = std::time::Instant::now();
    let c = qunshu::tools::deploy::deploy(&from, &target, args.dry_run)?;
    let verb = if args.dry_run { "would copy" } else { "copied" };
    for f in &c.upload {
        println!("{verb}: {f}");
    }
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for f in &c.delete {
        println!("{verb}: {f}");
    }
    println!(
        "{}{} copied, {} unchanged, {} deleted → {} in {:.2}s",
        if args.dry_run { "dry run: " } else { "" },
        c.upload.len(),
        c.unchanged,
        c.delete.len(),
        target.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
