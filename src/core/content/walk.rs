//! The one walk of `content/`: which files are posts, which are attachments
//! the archive copies, and what is wrong with the rest.
//!
//! The loader, the archive's asset copy and `serve` all see the content
//! through [`walk`], so they follow the same rules:
//!
//! - hidden files and folders (`.name`) are left out;
//! - a symbolic link is followed only when it resolves inside the site
//!   root; one that points outside, points nowhere, or loops is an error
//!   naming the link;
//! - a folder that cannot be read is an error naming it (its posts would
//!   otherwise vanish without a word);
//! - a pipe, socket or device is skipped with a warning;
//! - HTML and XML files can run script in a reader's browser when opened
//!   from the archive: they are an error; SVG images (which run script only
//!   when opened on their own) are not copied into the archive, with a
//!   warning — the book, which shows them as images, still uses them.

use crate::core::diag::Diagnostic;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// A file under `content/` that the archive copies beside its pages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Asset {
    /// Output path, relative to the output folder, `/`-separated
    /// (`briefs/img/p.png` for `content/briefs/img/p.png`).
    pub path: String,
    /// The file, relative to the site root.
    pub source: PathBuf,
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub(crate) struct ContentTree {
    /// Markdown files, relative to the site root, sorted.
    pub markdown: Vec<PathBuf>,
    /// Attachments to copy, sorted by source.
    pub assets: Vec<Asset>,
    /// Problems, each naming the path (relative to the site root).
    pub diags: Vec<Diagnostic>,
}

/// Extensions of files that a browser runs as a document, with script
/// (compared in lower case).
const ACTIVE: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "xslt",
];

/// Extensions of image formats that can carry script when opened on their own.
const SCRIPTABLE_IMAGES: &[&str] = &["svg", "svgz"];

/// Extensions of files under `content/` that are read, not published.
const DATA: &[&str] = &["md", "yaml", "yml", "toml"];

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Walks `start` (relative to `root`: `content` or a file or folder under
/// it) and sorts what it finds. A `start` that does not exist gives an
/// empty tree.
pub(crate) fn walk(root: &Path, start: &Path) -> ContentTree {
    let mut tree = ContentTree::default();
    let abs_start = root.join(start);
    if std::fs::symlink_metadata(&abs_start).is_err() {
        return tree;
    }
    let content = root.join(super::CONTENT_DIR);
    let rel = |p: &Path| -> PathBuf { p.strip_prefix(root).unwrap_or(p).to_path_buf() };
    let canon_root = match std::fs::canonicalize(root) {
        Ok(r) => r,
        Err(e) => {
            tree.diags.push(Diagnostic::error(
                root,
                format!("cannot resolve the site root: {e}"),
            ));
            return tree;
        }
    };
    let diags = RefCell::new(Vec::new());
    let walker = walkdir::WalkDir::new(&abs_start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && is_hidden(e.file_name()) {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            // Follow a link only when it resolves inside the site root.
            match link_problem(&canon_root, e.path()) {
                None => true,
                Some(msg) => {
                    diags
                        .borrow_mut()
                        .push(Diagnostic::error(rel(e.path()), msg));
                    false
                }
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diags.borrow_mut().push(walk_error(root, &err));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let path = entry.path();
        if !ft.is_file() {
            diags.borrow_mut().push(Diagnostic::warning(
                rel(path),
                "is neither a file nor a folder (a pipe, socket or device); skipped",
            ));
            continue;
        }
        let ext = path
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if ext == "md" {
            tree.markdown.push(rel(path));
            continue;
        }
        if DATA.contains(&ext.as_str()) {
            continue;
        }
        if ACTIVE.contains(&ext.as_str()) {
            diags.borrow_mut().push(Diagnostic::error(
                rel(path),
                format!(
                    "`.{ext}` files can run script in a reader's browser, so the archive does not publish them; write the page as a Markdown post, or move the file out of content/"
                ),
            ));
            continue;
        }
        if SCRIPTABLE_IMAGES.contains(&ext.as_str()) {
            diags.borrow_mut().push(Diagnostic::warning(
                rel(path),
                format!(
                    "`.{ext}` images can run script when opened on their own, so the archive does not copy them (the book still shows them); use PNG, JPEG or WebP for the archive"
                ),
            ));
            continue;
        }
        let Ok(inside) = path.strip_prefix(&content) else {
            continue;
        };
        let Some(out) = inside.to_str() else {
            diags.borrow_mut().push(Diagnostic::error(
                rel(path),
                "the file name is not valid UTF-8; rename it",
            ));
            continue;
        };
        tree.assets.push(Asset {
            path: out.replace('\\', "/"),
            source: rel(path),
        });
    }
    tree.markdown.sort();
    tree.assets.sort();
    tree.diags = diags.into_inner();
    tree
}

/// What a file is to the walk, by its extension: a post, a settings file
/// (never published), or anything else.
fn class_of(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" => "a Markdown post",
        e if DATA.contains(&e) => "a settings file",
        _ => "an attachment",
    }
}

/// Why the symbolic link at `link` must not be followed, if it must not:
/// it resolves outside `canon_root` (the site root, canonical) or nowhere,
/// into a hidden file or folder (`.git/`, `.qunshu/`), or to a file of
/// another class under a new name (`names.png` → `members.yaml` would
/// publish the members file; `raw.txt` → a post would publish its
/// Markdown, draft or not).
pub(crate) fn link_problem(canon_root: &Path, link: &Path) -> Option<String> {
    let target = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(err) => return Some(format!("is a symbolic link that cannot be followed: {err}")),
    };
    let Ok(inside) = target.strip_prefix(canon_root) else {
        return Some(format!(
            "is a symbolic link to {}, outside the site root; links are followed only inside the site root (copy it into the site instead)",
            target.display()
        ));
    };
    if inside.components().any(|c| is_hidden(c.as_os_str())) {
        return Some(format!(
            "is a symbolic link into the hidden {}; hidden files and folders are never published",
            inside.display()
        ));
    }
    if target.is_file() && class_of(&target) != class_of(link) {
        return Some(format!(
            "is a symbolic link to {}, {}, under the name of {}; link a file only under a name of its own kind",
            inside.display(),
            class_of(&target),
            class_of(link)
        ));
    }
    None
}

/// The diagnostic for an entry the walk could not read.
fn walk_error(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().unwrap_or(root);
    let rel = path.strip_prefix(root).unwrap_or(path);
    if let Some(ancestor) = err.loop_ancestor() {
        let a = ancestor.strip_prefix(root).unwrap_or(ancestor);
        return Diagnostic::error(
            rel,
            format!(
                "is a symbolic link back to {} (a loop); remove it",
                a.display()
            ),
        );
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match err.io_error() {
        Some(e) if is_link && e.kind() == std::io::ErrorKind::NotFound => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            Diagnostic::error(
                rel,
                format!("is a symbolic link to {target}, which does not exist"),
            )
        }
        Some(e) if is_link => Diagnostic::error(
            rel,
            format!("is a symbolic link that cannot be followed: {e}"),
        ),
        Some(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Diagnostic::error(
            rel,
            "cannot be read (permission denied); the posts in it would be left out",
        ),
        Some(e) => Diagnostic::error(rel, format!("cannot be read: {e}")),
        None => Diagnostic::error(rel, format!("cannot be read: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn sorts_posts_assets_and_problems() {
        let t = tempfile::tempdir().unwrap();
        let c = t.path().join("content/qa");
        fs::create_dir_all(&c).unwrap();
        fs::write(c.join("a.md"), "").unwrap();
        fs::write(c.join("p.png"), "").unwrap();
        fs::write(c.join("x.HTML"), "").unwrap();
        fs::write(c.join("d.svg"), "").unwrap();
        fs::write(c.join(".hidden.png"), "").unwrap();
        fs::write(t.path().join("content/members.yaml"), "").unwrap();
        let tree = walk(t.path(), Path::new("content"));
        assert_eq!(tree.markdown, vec![PathBuf::from("content/qa/a.md")]);
        assert_eq!(
            tree.assets,
            vec![Asset {
                path: "qa/p.png".into(),
                source: PathBuf::from("content/qa/p.png")
            }]
        );
        let d: Vec<(bool, PathBuf)> = tree
            .diags
            .iter()
            .map(|d| (d.is_error(), d.file.clone()))
            .collect();
        assert_eq!(
            d,
            vec![
                (false, PathBuf::from("content/qa/d.svg")),
                (true, PathBuf::from("content/qa/x.HTML")),
            ]
        );
        // A single file, and a path that is gone.
        let one = walk(t.path(), Path::new("content/qa/a.md"));
        assert_eq!(one.markdown, vec![PathBuf::from("content/qa/a.md")]);
        assert!(walk(t.path(), Path::new("content/gone"))
            .markdown
            .is_empty());
    }
}
