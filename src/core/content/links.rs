//! Links between posts: relative references resolved to the post they
//! name, checked, and recorded.

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
pub fn is_relative_ref(dest: &str) -> bool {
    !(dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with('/')
        || dest.starts_with("//")
        || dest.contains(':'))
}

/// Resolves a relative link destination written in `source` to a path
/// relative to the site root, with its `#fragment` (if any).
pub fn resolve_relative(source: &Path, dest: &str) -> (PathBuf, Option<String>) {
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let base = source.parent().unwrap_or(Path::new(""));
    (normalize(&base.join(path.as_ref())), frag)
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
    if !is_relative_ref(dest) {
        return Resolved::Keep;
    }
    let (target, frag) = resolve_relative(src, dest);
    if let Ok(mut r) = refs.lock() {
        r.push(target.clone());
    }
    let frag = frag.map(|f| format!("#{f}")).unwrap_or_default();
    if target.extension().is_some_and(|e| e == "md") && kind == RefKind::Link {
        return match url_of.get(target.as_os_str()) {
            Some(u) => Resolved::Rewrite(format!("../{}{frag}", encode_path(u))),
            None => Resolved::Missing(format!(
                "the link `{dest}` points to {}, which is not a post (check the file name)",
                target.display()
            )),
        };
    }
    let what = if kind == RefKind::Image {
        "image"
    } else {
        "link"
    };
    // Other files under content/ are copied beside the pages.
    match target.strip_prefix(CONTENT_DIR) {
        Ok(inside) if root.join(&target).is_file() => Resolved::Rewrite(format!(
            "../{}{frag}",
            encode_path(&inside.to_string_lossy())
        )),
        Ok(_) => Resolved::Missing(format!(
            "the {what} `{dest}` points to {}, which does not exist",
            target.display()
        )),
        Err(_) => Resolved::Missing(format!(
            "the {what} `{dest}` points outside content/ ({}); keep files the site uses under content/",
            target.display()
        )),
    }
}
