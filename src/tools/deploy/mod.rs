//! `qunshu deploy`: publishes the built archive to a target folder (a web
//! server's document root, a mounted share, a GitHub Pages checkout) or, in
//! [`s3`], to a bucket of S3-compatible object storage, copying only what
//! changed.
//!
//! The target keeps a manifest (`.qunshu-deploy.json`: path → SHA-256 of
//! each file deployed). A deploy hashes the built archive, copies the files
//! whose hash differs from the manifest (a file already at the target with
//! the right content, left by an interrupted deploy, is not copied again),
//! each through a temporary file and a rename so no reader sees half a
//! file; assets before pages, so a new page never points at a missing
//! stylesheet or card. Only when everything new is in place are the files
//! that are gone deleted and the manifest written.
//!
//! May import any library layer; only the command layer imports `tools`.

use anyhow::{bail, Context as _};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod s3;

/// The manifest's file name at the target.
pub const MANIFEST: &str = ".qunshu-deploy.json";

/// What a deploy does (or, with `--dry-run`, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Files copied (new or changed), relative paths.
    pub upload: Vec<String>,
    /// Files already at the target with the right content.
    pub unchanged: usize,
    /// Files deleted from the target (no longer in the archive).
    pub delete: Vec<String>,
}

fn hash_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// Every file of the built archive `dir`: relative path → hash.
pub(crate) fn hash_tree(dir: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let files: Vec<(String, PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (rel != crate::archive::site::output::MARKER).then(|| (rel, e.path().to_path_buf()))
        })
        .collect();
    files
        .par_iter()
        .map(|(rel, p)| Ok((rel.clone(), hash_file(p)?)))
        .collect()
}

fn read_manifest(target: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let path = target.join(MANIFEST);
    match std::fs::read_to_string(&path) {
        Ok(t) => serde_json::from_str(&t).with_context(|| {
            format!(
                "{} is not a deploy manifest qunshu can read; remove it to deploy everything again",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_manifest(target: &Path, m: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let path = target.join(MANIFEST);
    let text = serde_json::to_string_pretty(m)?;
    crate::core::atomic::write(&path, text.as_bytes(), crate::core::atomic::Replace::Yes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Pages last: a page goes up only after what it links to.
pub(crate) fn is_page(rel: &str) -> bool {
    rel.ends_with(".html") || rel.ends_with(".xml")
}

/// Fails unless `built` is an archive `qunshu build` wrote.
pub(crate) fn check_built(built: &Path) -> anyhow::Result<()> {
    if !built.join(crate::archive::site::output::MARKER).is_file() {
        bail!(
            "{} is not an archive built by qunshu; run `qunshu build` first",
            built.display()
        );
    }
    Ok(())
}

/// Deploys the built archive `built` to `target` (or only computes the
/// changes when `dry_run`).
pub fn deploy(built: &Path, target: &Path, dry_run: bool) -> anyhow::Result<Changes> {
    check_built(built)?;
    let built_abs = std::path::absolute(built)?;
    let target_abs = std::path::absolute(target)?;
    if target_abs.starts_with(&built_abs) || built_abs.starts_with(&target_abs) {
        bail!(
            "the deploy target {} and the built archive {} must not contain each other",
            target.display(),
            built.display()
        );
    }
    let new = hash_tree(built)?;
    let old = read_manifest(target)?;
    let mut changes = Changes::default();
    let mut todo: Vec<&String> = Vec::new();
    for (rel, h) in &new {
        let at = target.join(rel);
        let same = if old.get(rel) == Some(h) {
            at.is_file()
        } else {
            // Left by an interrupted deploy?
            at.is_file() && hash_file(&at).ok().as_ref() == Some(h)
        };
        if same {
            changes.unchanged += 1;
        } else {
            todo.push(rel);
        }
    }
    todo.sort_by_key(|rel| (is_page(rel), rel.as_str()));
    changes.upload = todo.iter().map(|s| s.to_string()).collect();
    changes.delete = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    if dry_run {
        return Ok(changes);
    }
    std::fs::create_dir_all(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    // Assets, then pages (each group in parallel).
    let (assets, pages): (Vec<&&String>, Vec<&&String>) =
        todo.iter().partition(|rel| !is_page(rel));
    for group in [assets, pages] {
        group.par_iter().try_for_each(|rel| -> anyhow::Result<()> {
            let dest = target.join(rel.as_str());
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            let bytes = std::fs::read(built.join(rel.as_str()))
                .with_context(|| format!("cannot read {rel}"))?;
            crate::core::atomic::write(&dest, &bytes, crate::core::atomic::Replace::Yes)
                .with_context(|| format!("cannot write {}", dest.display()))
        })?;
    }
    // Everything new is up: record it with what is still there, then delete.
    let mut both = old.clone();
    both.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    write_manifest(target, &both)?;
    for rel in &changes.delete {
        let p = target.join(rel);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot delete {}", p.display())),
        }
        // Empty folders left behind go too.
        let mut dir = p.parent();
        while let Some(d) = dir {
            if d == target || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    write_manifest(target, &new)?;
    Ok(changes)
}
