//! `qunshu deploy`

use qunshu::core::config::deploy::DeployTarget;
use qunshu::tools::deploy::s3;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Publish the built archive (`qunshu build` first) to the folder or the
/// S3-compatible bucket `[deploy]` in site.toml names: only new and changed
/// files are uploaded, and files that are gone are deleted only after
/// everything new is in place.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The built archive (relative to --root unless absolute).
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub from: PathBuf,
    /// List what would be uploaded, replaced and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Uploads at once (to a bucket).
    #[arg(long, default_value_t = s3::DEFAULT_JOBS, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub jobs: usize,
}

/// Runs `qunshu deploy`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = qunshu::core::config::SiteConfig::load(root).map_err(|d| {
        super::print_diags(&d);
        anyhow::anyhow!("site.toml has problems (see above)")
    })?;
    let Some(d) = &config.deploy else {
        anyhow::bail!(
            "site.toml has no [deploy] table; add one, such as\n\n[deploy]\ntarget = \"/var/www/archive\"\n\nor, for S3-compatible object storage,\n\n[deploy]\nbucket = \"my-archive\"\nendpoint = \"https://oss-cn-hangzhou.aliyuncs.com\"\nregion = \"oss-cn-hangzhou\"\n"
        );
    };
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            root.join(p)
        }
    };
    let from = abs(&args.from);
    match &d.target {
        DeployTarget::Folder(target) => folder(&from, &abs(target), args.dry_run),
        DeployTarget::S3(t) => bucket(&from, t, &args),
    }
}

fn folder(from: &Path, target: &Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let c = qunshu::tools::deploy::deploy(from, target, dry_run)?;
    let verb = if dry_run { "would copy" } else { "copied" };
    for f in &c.upload {
        println!("{verb}: {f}");
    }
    let verb = if dry_run { "would delete" } else { "deleted" };
    for f in &c.delete {
        println!("{verb}: {f}");
    }
    println!(
        "{}{} copied, {} unchanged, {} deleted → {} in {:.2}s",
        if dry_run { "dry run: " } else { "" },
        c.upload.len(),
        c.unchanged,
        c.delete.len(),
        target.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn bucket(from: &Path, t: &s3::S3Target, args: &Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let creds = s3::Credentials::from_env()?;
    let mut out = std::io::stdout().lock();
    let mut last = std::time::Instant::now();
    let mut progress = |p: s3::Progress<'_>| match p {
        s3::Progress::Uploaded { rel, done, total } => {
            let _ = writeln!(out, "uploaded: {rel}");
            if last.elapsed().as_secs() >= 2 {
                let _ = out.flush();
                eprintln!("… {done}/{total} uploaded");
                last = std::time::Instant::now();
            }
        }
        s3::Progress::Manifest => {
            let _ = writeln!(out, "manifest written: {}", s3::MANIFEST);
        }
        s3::Progress::Deleted(rel) => {
            let _ = writeln!(out, "deleted: {rel}");
        }
    };
    let r = s3::deploy(from, t, &creds, args.dry_run, args.jobs, &mut progress)?;
    let c = &r.changes;
    let (replaced, new) = (r.replaced.len(), c.upload.len() - r.replaced.len());
    if args.dry_run {
        for f in &c.upload {
            if r.replaced.contains(f) {
                println!("would replace: {f}");
            } else {
                println!("would upload: {f}");
            }
        }
        for f in &c.delete {
            println!("would delete: {f}");
        }
        println!(
            "dry run: {} to upload, {} unchanged, {} to delete ({new} new, {replaced} replaced) → {}",
            c.upload.len(),
            c.unchanged,
            c.delete.len(),
            s3::describe(t)
        );
    } else {
        println!(
            "{} uploaded, {} unchanged, {} deleted ({new} new, {replaced} replaced) → {} in {:.2}s (hash {:.2}s, compare {:.2}s, upload {:.2}s, delete {:.2}s)",
            c.upload.len(),
            c.unchanged,
            c.delete.len(),
            s3::describe(t),
            started.elapsed().as_secs_f64(),
            r.hash_secs,
            r.plan_secs,
            r.upload_secs,
            r.delete_secs
        );
    }
    Ok(ExitCode::SUCCESS)
}
