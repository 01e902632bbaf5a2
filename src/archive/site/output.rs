//! Writing the site atomically.
//!
//! Pages are rendered and written in parallel into a fresh folder beside the
//! output folder; only when every file is written is the old output swapped
//! out and the new one renamed in. A build that fails leaves the previous
//! output exactly as it was.

use super::theme::StaticSource;
use super::{BuildReport, Site};
use anyhow::{bail, Context as _};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file that marks a folder as qunshu's output, so a mistaken `--out`
/// never replaces a folder qunshu did not make.
pub const MARKER: &str = ".qunshu-output";

/// Where a build writes: the new folder, and the previous output whose
/// identical files are reused ([`crate::core::reuse`]).
struct Dest<'a> {
    /// The new output folder (temporary until it is swapped in).
    new: &'a Path,
    /// The previous output, if there is one.
    old: Option<&'a Path>,
    /// Files reused from the previous output.
    reused: AtomicUsize,
}

impl Dest<'_> {
    /// Writes one file at `rel`, whose folder exists.
    fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.new.join(rel);
        let old = self.old.map(|o| o.join(rel));
        if crate::core::reuse::write(old.as_deref(), &path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?
        {
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Creates the folders of `rel` and writes it.
    fn put_in_new_folder(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if let Some(parent) = self.new.join(rel).parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        self.put(rel, bytes)
    }
}

/// The file that marks a folder as a build in progress (`.qunshu-build-*`).
/// The build holds a lock on it, so the next build can tell a folder left
/// by a killed build (removed) from one that is still being written (kept).
pub const TEMP_MARKER: &str = ".qunshu-temp";

/// Name prefixes of qunshu's temporary folders beside the output.
const TEMP_PREFIXES: [&str; 2] = [".qunshu-build-", ".qunshu-old-"];

/// Renders every job of `site` and writes the result to `out`, atomically.
/// `progress` is called with (files done, files total) now and then.
///
/// Nothing is written or removed outside `out` and qunshu's own temporary
/// folders beside it, and no symbolic link is ever followed when removing.
pub fn write_site(
    site: &Site<'_>,
    out: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<BuildReport> {
    write_site_with(site, out, &[], progress)
}

/// A file written beside the pages (a redirect, a share card).
#[derive(Debug, Clone)]
pub enum Extra {
    /// These bytes.
    Bytes(Vec<u8>),
    /// A copy of this file (hard-linked when the file system allows).
    File(PathBuf),
}

/// Like [`write_site`], also writing `extra` files (path relative to the
/// output folder).
pub fn write_site_with(
    site: &Site<'_>,
    out: &Path,
    extra: &[(String, Extra)],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<BuildReport> {
    check_target(&site.community.config.root, out)?;
    let parent = parent_of(out);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    remove_stale_temp_folders(&parent);
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIXES[0])
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    let lock = std::fs::File::create(tmp.path().join(TEMP_MARKER))
        .with_context(|| format!("cannot write in {}", tmp.path().display()))?;
    // Best effort: without locks, a build in progress is only at risk from
    // another build started at the same moment.
    let _ = fs4::FileExt::try_lock(&lock);

    let trace = |what: &str, since: std::time::Instant| {
        crate::core::trace::phase(&format!("build: {what}"), since);
    };
    let t = std::time::Instant::now();
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
    // The previous output is reused only when it is one (the check above
    // refuses any other folder, but a first build has none).
    let old = out.join(MARKER).is_file().then_some(out);
    let dest = Dest {
        new: tmp.path(),
        old,
        reused: AtomicUsize::new(0),
    };
    let done = AtomicUsize::new(0);
    jobs.par_iter().try_for_each(|job| -> anyhow::Result<()> {
        let page = site.render(job)?;
        dest.put(&page.path, &page.bytes)?;
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 2000 == 0 {
            progress(n, total);
        }
        Ok(())
    })?;
    trace("pages", t);
    let t = std::time::Instant::now();
    let mut files = total;
    for (rel, src) in &site.theme.statics {
        match src {
            StaticSource::Embedded(b) => dest.put_in_new_folder(rel, b)?,
            StaticSource::File(p) => {
                let bytes =
                    std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                dest.put_in_new_folder(rel, &bytes)?;
            }
        }
        files += 1;
    }
    files += copy_content_assets(site, tmp.path())?;
    extra.par_iter().try_for_each(|(rel, x)| match x {
        Extra::Bytes(b) => dest.put_in_new_folder(rel, b),
        Extra::File(src) => {
            let dest = tmp.path().join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::hard_link(src, &dest)
                .or_else(|_| std::fs::copy(src, &dest).map(|_| ()))
                .with_context(|| format!("cannot copy {} to {}", src.display(), dest.display()))
        }
    })?;
    files += extra.len();
    trace("theme files, attachments, cards", t);
    let indexed: Vec<&crate::core::content::Post> = site
        .order
        .iter()
        .map(|&i| &site.community.posts[i])
        .collect();
    let index_started = std::time::Instant::now();
    let index = crate::archive::search::write_index(
        site.community,
        &indexed,
        &tmp.path().join(crate::archive::search::DIR),
        old.map(|o| o.join(crate::archive::search::DIR)).as_deref(),
    )?;
    files += index.files;
    let index_time = index_started.elapsed();
    let marker = tmp.path().join(MARKER);
    std::fs::write(
        &marker,
        b"This folder is written by `qunshu build`; it is replaced on every build.\n",
    )
    .with_context(|| format!("cannot write {}", marker.display()))?;

    let unchanged = dest.reused.into_inner() + index.reused;
    let t = std::time::Instant::now();
    swap_in(tmp, out)?;
    trace("swap in", t);
    let _ = std::fs::remove_file(out.join(TEMP_MARKER));
    drop(lock);
    Ok(BuildReport {
        files,
        unchanged,
        posts: site.order.len(),
        index_time,
    })
}

/// Refuses an output folder the build must not replace (see
/// [`write_site`]); `build` asks before it writes anything else (the share
/// card cache, `urls.lock`).
pub fn check_target(root: &Path, out: &Path) -> anyhow::Result<()> {
    check_out(root, out)?;
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
    Ok(())
}

/// The folder that holds `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` made absolute with every link resolved, also when its last
/// components do not exist yet.
fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let abs =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut base = abs.as_path();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            let mut p = c;
            for part in rest.iter().rev() {
                if part == ".." {
                    p.pop();
                } else if part != "." {
                    p.push(part);
                }
            }
            return Ok(p);
        }
        let last = match base.components().next_back() {
            Some(std::path::Component::Normal(name)) => name.to_os_string(),
            Some(std::path::Component::ParentDir) => "..".into(),
            Some(std::path::Component::CurDir) => ".".into(),
            _ => return Ok(abs),
        };
        let Some(parent) = base.parent() else {
            return Ok(abs);
        };
        rest.push(last);
        base = parent;
    }
}

/// Refuses an output folder that is a symbolic link, is not a folder, or
/// would replace the site root or the content folder.
fn check_out(root: &Path, out: &Path) -> anyhow::Result<()> {
    if let Ok(m) = std::fs::symlink_metadata(out) {
        if m.file_type().is_symlink() {
            bail!(
                "{} is a symbolic link; qunshu writes its output only into a real folder and never replaces a link (remove the link, or give its target as --out)",
                out.display()
            );
        }
        if !m.is_dir() {
            bail!(
                "{} exists and is not a folder; choose another --out",
                out.display()
            );
        }
    }
    let out_abs = resolve(out)?;
    let root_abs = resolve(root)?;
    let content_abs = resolve(&root.join(crate::core::content::CONTENT_DIR))?;
    if root_abs.starts_with(&out_abs) {
        bail!(
            "the output folder {} is the site root or contains it; building there would replace the site itself (use a folder such as `public`)",
            out.display()
        );
    }
    if out_abs.starts_with(&content_abs) || content_abs.starts_with(&out_abs) {
        bail!(
            "the output folder {} is, contains or is inside the content folder {}; choose a folder outside it, such as `public`",
            out.display(),
            content_abs.display()
        );
    }
    Ok(())
}

/// Removes the temporary folders that a killed build left in `parent`:
/// only real folders (not links) named like ours that are empty, or that
/// carry our marker with no build holding its lock (`.qunshu-build-*`),
/// or that hold an old output (`.qunshu-old-*`). A folder of the user's
/// that only looks like ours is left alone.
fn remove_stale_temp_folders(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Some(prefix) = TEMP_PREFIXES.iter().find(|p| name.starts_with(**p)) else {
            continue;
        };
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = e.path();
        let empty = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
        let marked =
            |m: &str| std::fs::symlink_metadata(dir.join(m)).is_ok_and(|m| m.file_type().is_file());
        let stale = empty
            || (marked(TEMP_MARKER)
                && std::fs::File::open(dir.join(TEMP_MARKER))
                    .is_ok_and(|f| fs4::FileExt::try_lock(&f).is_ok()))
            || (*prefix == TEMP_PREFIXES[1] && marked(MARKER));
        if stale {
            remove_tree(&dir);
        }
    }
}

/// Copies the attachments under `content/` (found by the content walk,
/// which follows no link leading outside the site root) to the same place
/// under the output, without `content/`.
fn copy_content_assets(site: &Site<'_>, dest: &Path) -> anyhow::Result<usize> {
    let root = &site.community.config.root;
    for a in &site.community.assets {
        let target = dest.join(&a.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::copy(root.join(&a.source), &target)
            .with_context(|| format!("cannot copy {}", a.source.display()))?;
    }
    Ok(site.community.assets.len())
}

/// Removes a folder tree without following any symbolic link (a link is
/// removed, never what it points to), its files in parallel (deleting
/// thousands of small files is bound by the file system, and two threads
/// keep it busier than one).
fn remove_tree(dir: &Path) {
    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        let _ = std::fs::remove_file(dir);
        return;
    }
    // Every file and link first, all at once (an old output holds tens of
    // thousands, unevenly spread over a few folders), then the folders,
    // deepest first. walkdir does not follow links: a link is removed as
    // a link.
    let mut files = Vec::new();
    let mut dirs: Vec<(usize, PathBuf)> = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if e.file_type().is_dir() {
            dirs.push((e.depth(), e.into_path()));
        } else {
            files.push(e.into_path());
        }
    }
    files.par_iter().for_each(|p| {
        let _ = std::fs::remove_file(p);
    });
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for level in dirs.chunk_by(|a, b| a.0 == b.0) {
        level.par_iter().for_each(|(_, p)| {
            let _ = std::fs::remove_dir(p);
        });
    }
    // Anything left (an entry that could not be read above).
    let _ = std::fs::remove_dir_all(dir);
}

/// Replaces `out` with the finished temporary folder.
fn swap_in(tmp: tempfile::TempDir, out: &Path) -> anyhow::Result<()> {
    let new = tmp.keep();
    if out.exists() {
        let old = match tempfile::Builder::new()
            .prefix(TEMP_PREFIXES[1])
            .tempdir_in(parent_of(out))
        {
            Ok(d) => d.keep(),
            Err(e) => {
                remove_tree(&new);
                return Err(e).context("cannot create a temporary folder");
            }
        };
        // `old` exists as an empty folder; rename replaces an empty folder on Unix.
        if let Err(e) = std::fs::rename(out, &old) {
            let _ = std::fs::remove_dir(&old);
            remove_tree(&new);
            return Err(e).with_context(|| format!("cannot move the old {} aside", out.display()));
        }
        if let Err(e) = std::fs::rename(&new, out) {
            // Put the old output back so nothing is lost.
            let _ = std::fs::rename(&old, out);
            remove_tree(&new);
            return Err(e)
                .with_context(|| format!("cannot move the new site into {}", out.display()));
        }
        remove_tree(&old);
    } else if let Err(e) = std::fs::rename(&new, out) {
        remove_tree(&new);
        return Err(e).with_context(|| format!("cannot move the new site into {}", out.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_handles_missing_components_and_dot_dot() {
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert_eq!(
            resolve(&root.join("gone/../content")).unwrap(),
            root.join("content")
        );
        assert_eq!(
            resolve(&root.join("gone/more/./x")).unwrap(),
            root.join("gone/more/x")
        );
        let err = check_out(&root, &root.join("gone/../content/sub")).unwrap_err();
        assert!(err.to_string().contains("content folder"), "{err}");
    }
}
