//! Links between posts: the one link resolver. [`target`] reads a link or
//! image destination written in a post as a [`Target`] (a post and anchor,
//! an asset, an external URL, a broken reference); the archive
//! ([`resolve_link`], used while loading), the book and delivery each map a
//! target to their own URL.
//!
//! Must not import: anything above `core`.

use super::*;
use crate::core::markdown::{RefKind, Resolved};
use crate::core::slug::encode_path;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Normalises `a/b/../c` without touching the file system.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether a link destination is a relative reference (not a URL, not an anchor).
pub(crate) fn is_relative_ref(dest: &str) -> bool {
    !(dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with('/')
        || dest.starts_with("//")
        || dest.contains(':'))
}

/// Resolves a relative link destination written in `source` to a path
/// relative to the site root, with its `#fragment` (if any).
pub(crate) fn resolve_relative(source: &Path, dest: &str) -> (PathBuf, Option<String>) {
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let base = source.parent().unwrap_or(Path::new(""));
    (normalize(&base.join(path.as_ref())), frag)
}

/// Where a link or image destination written in a post points: the one
/// reading of a destination that the archive, the book and delivery share.
/// Each maps a target to its own URL (a page, an anchor in the book, an
/// absolute URL in a chat message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target<P> {
    /// Not a relative reference: a URL with a scheme (`https:`, `mailto:`),
    /// `//host/…`, `/…`, or nothing. Kept as written.
    External,
    /// `#fragment`: a place in the same post (the fragment as written,
    /// without `#`).
    Here(String),
    /// A file in the site folder.
    File {
        /// The file, relative to the site root (`content/qa/x.md`).
        path: PathBuf,
        /// The `#fragment` after it, as written, without `#`.
        fragment: Option<String>,
        /// What is there.
        found: Found<P>,
    },
}

/// What a relative destination names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found<P> {
    /// A post: a link (not an image) to a Markdown file that the caller's
    /// lookup knows, with what the lookup gave.
    Post(P),
    /// A link to a Markdown file the lookup does not know (a broken link to
    /// a post).
    NotAPost,
    /// Any other file that exists (an image, an attachment).
    Asset,
    /// A file that does not exist.
    Missing,
}

/// Reads the destination `dest` of a link (or, with [`RefKind::Image`], an
/// image) written in the post at `source` (relative to the site `root`).
/// `post_at` looks up a post by its source path (`content/qa/x.md`); only
/// links to `.md` files are looked up. The file system is asked only whether
/// a file that is not a post exists.
///
/// Each output maps the target to its own URL: the archive to a page one
/// folder up (`resolve_link`); the book to an anchor, a packaged image or
/// the archive; a chat message to an absolute URL (`Here` → the post's
/// page with the fragment, `Post` → that post's page, any other file →
/// the base URL joined with [`archive_path`]).
pub(crate) fn target<P>(
    root: &Path,
    source: &Path,
    kind: RefKind,
    dest: &str,
    post_at: impl FnOnce(&Path) -> Option<P>,
) -> Target<P> {
    if let Some(frag) = dest.strip_prefix('#') {
        return Target::Here(frag.to_string());
    }
    if !is_relative_ref(dest) {
        return Target::External;
    }
    let (path, fragment) = resolve_relative(source, dest);
    let found = if kind == RefKind::Link && path.extension().is_some_and(|e| e == "md") {
        match post_at(&path) {
            Some(p) => Found::Post(p),
            None => Found::NotAPost,
        }
    } else if root.join(&path).is_file() {
        Found::Asset
    } else {
        Found::Missing
    };
    Target::File {
        path,
        fragment,
        found,
    }
}

/// Where the archive publishes a file under `content/` (it copies them
/// beside the pages): the percent-encoded path relative to the archive's
/// root (`content/img/a b.png` → `img/a%20b.png`); `None` for a path
/// outside `content/`.
pub(crate) fn archive_path(path: &Path) -> Option<String> {
    path.strip_prefix(CONTENT_DIR)
        .ok()
        .map(|inside| encode_path(&crate::core::slug::to_slash(inside)))
}

/// Resolves one link or image of the post at `src` for the archive: a link
/// to another post's file becomes a link to its page (`url_of`: page path by
/// source file), another file under `content/` is linked where the build
/// copies it; anything else is reported missing. Every file pointed at is
/// recorded in `refs`.
pub(crate) fn resolve_link(
    root: &Path,
    src: &Path,
    url_of: &HashMap<&std::ffi::OsStr, &str>,
    refs: &std::sync::Mutex<Vec<PathBuf>>,
    kind: RefKind,
    dest: &str,
) -> Resolved {
    let Target::File {
        path,
        fragment,
        found,
    } = target(root, src, kind, dest, |p| {
        url_of.get(p.as_os_str()).copied()
    })
    else {
        return Resolved::Keep;
    };
    if let Ok(mut r) = refs.lock() {
        r.push(path.clone());
    }
    let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    let what = if kind == RefKind::Image {
        "image"
    } else {
        "link"
    };
    match (found, archive_path(&path)) {
        (Found::Post(page), _) => Resolved::Rewrite(format!("../{}{frag}", encode_path(page))),
        (Found::NotAPost, _) => Resolved::Missing(format!(
            "the link `{dest}` points to {}, which is not a post (check the file name)",
            path.display()
        )),
        // Other files under content/ are copied beside the pages.
        (Found::Asset, Some(url)) => Resolved::Rewrite(format!("../{url}{frag}")),
        (Found::Missing, Some(_)) => Resolved::Missing(format!(
            "the {what} `{dest}` points to {}, which does not exist",
            path.display()
        )),
        (_, None) => Resolved::Missing(format!(
            "the {what} `{dest}` points outside content/ ({}); keep files the site uses under content/",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder with one post and one image.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/qa")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/img")).unwrap();
        std::fs::write(dir.path().join("content/qa/b.md"), "x").unwrap();
        std::fs::write(dir.path().join("content/img/a b.png"), "x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        dir
    }

    fn read(root: &Path, kind: RefKind, dest: &str) -> Target<&'static str> {
        let src = Path::new("content/qa/a.md");
        target(root, src, kind, dest, |p| {
            (p == Path::new("content/qa/b.md")).then_some("qa/b.html")
        })
    }

    fn file(
        path: &str,
        fragment: Option<&str>,
        found: Found<&'static str>,
    ) -> Target<&'static str> {
        Target::File {
            path: PathBuf::from(path),
            fragment: fragment.map(String::from),
            found,
        }
    }

    #[test]
    fn every_kind_of_destination() {
        let dir = site();
        let root = dir.path();
        let link = |d| read(root, RefKind::Link, d);
        assert_eq!(link("https://example.com/x.md"), Target::External);
        assert_eq!(link("mailto:a@b.c"), Target::External);
        assert_eq!(link("/abs"), Target::External);
        assert_eq!(link(""), Target::External);
        assert_eq!(link("#总结"), Target::Here("总结".into()));
        assert_eq!(
            link("b.md#h"),
            file("content/qa/b.md", Some("h"), Found::Post("qa/b.html"))
        );
        assert_eq!(
            link("./../qa/b.md"),
            file("content/qa/b.md", None, Found::Post("qa/b.html"))
        );
        assert_eq!(link("c.md"), file("content/qa/c.md", None, Found::NotAPost));
        assert_eq!(
            link("../img/a%20b.png"),
            file("content/img/a b.png", None, Found::Asset)
        );
        assert_eq!(
            link("../img/gone.png"),
            file("content/img/gone.png", None, Found::Missing)
        );
        assert_eq!(
            link("../../notes.txt"),
            file("notes.txt", None, Found::Asset)
        );
        // An image of a post's file is a file, not the post.
        assert_eq!(
            read(root, RefKind::Image, "b.md"),
            file("content/qa/b.md", None, Found::Asset)
        );
    }

    #[test]
    fn archive_paths_are_under_content_and_encoded() {
        assert_eq!(
            archive_path(Path::new("content/img/a b.png")).as_deref(),
            Some("img/a%20b.png")
        );
        assert_eq!(archive_path(Path::new("notes.txt")), None);
    }

    #[test]
    fn archive_resolution() {
        let dir = site();
        let root = dir.path();
        let src = Path::new("content/qa/a.md");
        let url_of: HashMap<&std::ffi::OsStr, &str> =
            [(std::ffi::OsStr::new("content/qa/b.md"), "qa/b.html")].into();
        let refs = std::sync::Mutex::new(Vec::new());
        let r = |kind, d| resolve_link(root, src, &url_of, &refs, kind, d);
        let rewrite = |res: Resolved| match res {
            Resolved::Rewrite(s) => s,
            Resolved::Keep => "keep".into(),
            Resolved::Missing(m) => format!("missing: {m}"),
        };
        assert_eq!(rewrite(r(RefKind::Link, "b.md#h")), "../qa/b.html#h");
        assert_eq!(rewrite(r(RefKind::Link, "#h")), "keep");
        assert_eq!(
            rewrite(r(RefKind::Image, "../img/a b.png")),
            "../img/a%20b.png"
        );
        assert!(rewrite(r(RefKind::Link, "c.md")).contains("which is not a post"));
        assert!(rewrite(r(RefKind::Image, "../img/x.png"))
            .contains("image `../img/x.png` points to content/img/x.png, which does not exist"));
        assert!(rewrite(r(RefKind::Link, "../../notes.txt"))
            .contains("points outside content/ (notes.txt)"));
        assert_eq!(refs.lock().unwrap().len(), 5);
    }
}
