//! Writing the site atomically.
//!
//! Pages are rendered and written in parallel into a fresh folder beside the
//! output folder; only when every file is written is the old output swapped
//! out and the new one renamed in. A build that fails leaves the previous
//! output exactly as it was.

use super::theme::StaticSource;
use super::{BuildReport, Site};
use anyhow::{anyhow, bail, Context as _};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file that marks a folder as qunshu's output, so a mistaken `--out`
/// never replaces a folder qunshu did not make.
pub const MARKER: &str = ".qunshu-output";

/// Creates parent folders and writes one file.
fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Renders every job of `site` and writes the result to `out`, atomically.
/// `progress` is called with (files done, files total) now and then.
pub fn write_site(
    site: &Site<'_>,
    out: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<BuildReport> {
    if out.exists() && !out.is_dir() {
        bail!(
            "{} exists and is not a folder; choose another --out",
            out.display()
        );
    }
    if out.is_dir()
        && !out.join(MARKER).exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        bail!(
            "{} is not empty and was not made by qunshu; refusing to replace it (choose an empty or new --out folder)",
            out.display()
        );
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".qunshu-build-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;

    let jobs = site.jobs();
    let total = jobs.len();
    // Make every folder first, once, instead of asking for each file.
    let dirs: std::collections::BTreeSet<PathBuf> = jobs
        .iter()
        .filter_map(|j| {
            Path::new(&site.path_of(j))
                .parent()
                .map(|p| p.to_path_buf())
        })
        .collect();
    for d in &dirs {
        std::fs::create_dir_all(tmp.path().join(d))
            .with_context(|| format!("cannot create {}", d.display()))?;
    }
    let done = AtomicUsize::new(0);
    jobs.par_iter().try_for_each(|job| -> anyhow::Result<()> {
        let page = site.render(job)?;
        let path = tmp.path().join(&page.path);
        std::fs::write(&path, &page.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 2000 == 0 {
            progress(n, total);
        }
        Ok(())
    })?;
    let mut files = total;
    for (rel, src) in &site.theme.statics {
        match src {
            StaticSource::Embedded(b) => write_file(tmp.path(), rel, b)?,
            StaticSource::File(p) => {
                let bytes =
                    std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                write_file(tmp.path(), rel, &bytes)?;
            }
        }
        files += 1;
    }
    files += copy_content_assets(&site.community.config.root, tmp.path())?;
    let indexed: Vec<&crate::content::Post> = site
        .order
        .iter()
        .map(|&i| &site.community.posts[i])
        .collect();
    files += crate::search::write_index(
        site.community,
        &indexed,
        &tmp.path().join(crate::search::DIR),
    )?
    .files;
    write_file(
        tmp.path(),
        MARKER,
        b"This folder is written by `qunshu build`; it is replaced on every build.\n",
    )?;

    swap_in(tmp, out)?;
    Ok(BuildReport {
        files,
        posts: site.order.len(),
    })
}

/// Copies files under `content/` that are not Markdown (images and other
/// attachments) to the same place under the output, without `content/`.
fn copy_content_assets(root: &Path, dest: &Path) -> anyhow::Result<usize> {
    let content = root.join(crate::content::CONTENT_DIR);
    let mut n = 0;
    for entry in walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
    {
        let p = entry.path();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "md" | "yaml" | "yml" | "toml") {
            continue;
        }
        let rel = p.strip_prefix(&content).map_err(|e| anyhow!("{e}"))?;
        let target = dest.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(p, &target).with_context(|| format!("cannot copy {}", p.display()))?;
        n += 1;
    }
    Ok(n)
}

/// Removes a folder tree, its top-level entries in parallel (deleting
/// thousands of small files is bound by the file system, and two threads
/// keep it busier than one).
fn remove_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        entries.par_iter().for_each(|p| {
            if p.is_dir() {
                remove_tree(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        });
    }
    let _ = std::fs::remove_dir(dir);
}

/// Replaces `out` with the finished temporary folder.
fn swap_in(tmp: tempfile::TempDir, out: &Path) -> anyhow::Result<()> {
    let new = tmp.keep();
    if out.exists() {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let old = tempfile::Builder::new()
            .prefix(".qunshu-old-")
            .tempdir_in(parent)?
            .keep();
        // `old` exists as an empty folder; rename replaces an empty folder on Unix.
        std::fs::rename(out, &old)
            .with_context(|| format!("cannot move the old {} aside", out.display()))?;
        if let Err(e) = std::fs::rename(&new, out) {
            // Put the old output back so nothing is lost.
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&new);
            return Err(e)
                .with_context(|| format!("cannot move the new site into {}", out.display()));
        }
        remove_tree(&old);
    } else if let Err(e) = std::fs::rename(&new, out) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(e).with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    Ok(())
}
