//! The book's links: the one link resolver of `core`
//! ([`crate::core::content::links::target`]) mapped to places in the book.
//!
//! Links between posts become links inside the book (`#p12`, `#p12-…` for
//! a heading); a link to a published post that is not in the book goes to
//! the archive; images under the site folder are packaged
//! (`images/img-….png`); attachments under `content/` are linked where the
//! archive publishes them.

use super::chapters::media_type;
use super::BookSection;
use crate::core::content::links::{self, archive_path, Found};
use crate::core::content::{Post, Visibility};
use crate::core::diag::Diagnostic;
use crate::core::markdown::{RefKind, Resolved};
use crate::core::project::Project;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Where a link or image in the book's content goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An anchor in the book.
    Anchor(String),
    /// An absolute URL (the archive, for posts not in the book).
    Url(String),
    /// A packaged image.
    Image(String),
    /// Leave as written (external URLs; anything else is dropped later).
    Keep,
}

/// What the resolver needs to know about the book.
#[derive(Debug)]
pub struct Links<'c> {
    root: PathBuf,
    base_url: String,
    anchors: HashMap<&'c Path, String>,
    /// Heading ids the loader gave each post (for `#fragment` links).
    headings: HashMap<&'c Path, Vec<&'c str>>,
    published: HashMap<&'c Path, &'c Post>,
    images: Mutex<BTreeMap<String, PathBuf>>,
    pub(super) warnings: Mutex<Vec<Diagnostic>>,
}

/// A post a link names, as the book sees it.
enum PostIn<'a, 'c> {
    /// In the book, at this anchor.
    Book(&'a str),
    /// Published, but not in the book: in the archive.
    Archive(&'c Post),
}

impl<'c> Links<'c> {
    /// The links of a book made of `sections` from the community `c`:
    /// every section's anchor and heading ids, and the posts published at
    /// `now` (linked in the archive).
    pub fn new<'s>(
        c: &'c Project,
        sections: impl Iterator<Item = &'s BookSection<'c>>,
        now: DateTime<Utc>,
    ) -> Links<'c>
    where
        'c: 's,
    {
        let mut links = Links {
            root: c.config.root.clone(),
            base_url: c.config.base_url.clone(),
            anchors: HashMap::new(),
            headings: HashMap::new(),
            published: HashMap::new(),
            images: Mutex::new(BTreeMap::new()),
            warnings: Mutex::new(Vec::new()),
        };
        for s in sections {
            links.anchors.insert(&s.post.source, s.anchor.clone());
            links.headings.insert(&s.post.source, heading_ids(s.post));
        }
        for p in &c.posts {
            if c.visibility(p, now) == Visibility::Published {
                links.published.insert(&p.source, p);
            }
        }
        links
    }

    /// Resolves `dest`, written in `source` (whose anchor is `own`).
    pub fn target(&self, source: &Path, own: &str, kind: RefKind, dest: &str) -> Target {
        let post_at = |p: &Path| match self.anchors.get(p) {
            Some(a) => Some(PostIn::Book(a.as_str())),
            None => self.published.get(p).map(|p| PostIn::Archive(p)),
        };
        let (target, frag, found) = match links::target(&self.root, source, kind, dest, post_at) {
            links::Target::Here(frag) => return Target::Anchor(self.fragment(source, own, &frag)),
            links::Target::External => return Target::Keep,
            links::Target::File {
                path,
                fragment,
                found,
            } => (path, fragment, found),
        };
        if target
            .components()
            .next()
            .is_some_and(|c| !matches!(c, Component::Normal(_)))
        {
            return Target::Keep;
        }
        let target_str = crate::core::slug::to_slash(&target);
        match found {
            Found::Post(PostIn::Book(a)) => Target::Anchor(match frag {
                Some(f) => self.fragment(&target, a, &f),
                None => a.to_string(),
            }),
            Found::Post(PostIn::Archive(p)) => {
                let f = frag.map(|f| format!("#{f}")).unwrap_or_default();
                Target::Url(format!("{}{}{f}", self.base_url, p.href()))
            }
            Found::NotAPost => Target::Anchor(own.to_string()),
            Found::Asset if kind == RefKind::Image => {
                if let Some(ext) = target
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .filter(|e| media_type(&format!("x.{e}")).is_some())
                {
                    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, target_str.as_bytes());
                    let href = format!("images/img-{}.{ext}", &id.simple().to_string()[..12]);
                    if let Ok(mut m) = self.images.lock() {
                        m.insert(href.clone(), self.root.join(&target));
                    }
                    return Target::Image(href);
                }
                self.warn(source, format!("the image `{dest}` is not PNG, JPEG, GIF or SVG, which e-readers show; the book prints its description instead"));
                Target::Keep
            }
            Found::Missing if kind == RefKind::Image => {
                self.warn(source, format!("the image `{dest}` points to {target_str}, which does not exist; the book prints its description instead"));
                Target::Keep
            }
            // Another file (an attachment): the archive copies files under content/.
            Found::Asset => match archive_path(&target) {
                Some(url) => Target::Url(format!("{}{url}", self.base_url)),
                None => Target::Keep,
            },
            Found::Missing => Target::Keep,
        }
    }

    fn fragment(&self, source: &Path, anchor: &str, frag: &str) -> String {
        let frag = percent_encoding::percent_decode_str(frag).decode_utf8_lossy();
        if frag.is_empty() {
            return anchor.to_string();
        }
        let found = self.headings.get(source).and_then(|ids| {
            ids.iter()
                .find(|h| **h == frag || h.split_once('-').is_some_and(|(_, rest)| rest == frag))
        });
        match found {
            Some(h) => format!("{anchor}-{h}"),
            None => anchor.to_string(),
        }
    }

    fn warn(&self, source: &Path, msg: String) {
        if let Ok(mut w) = self.warnings.lock() {
            let d = Diagnostic::warning(source, msg);
            if !w.contains(&d) {
                w.push(d);
            }
        }
    }

    /// Images registered so far.
    pub fn images(&self) -> BTreeMap<String, PathBuf> {
        self.images.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// A resolver for [`crate::core::markdown::render`].
    pub fn resolver<'a>(
        &'a self,
        source: &'a Path,
        own: &'a str,
    ) -> impl Fn(RefKind, &str) -> Resolved + Sync + 'a {
        move |kind, dest| match self.target(source, own, kind, dest) {
            Target::Anchor(id) => Resolved::Rewrite(format!("#{id}")),
            Target::Url(u) | Target::Image(u) => Resolved::Rewrite(u),
            Target::Keep => Resolved::Keep,
        }
    }
}

/// The digits of the section an id is in: `p12-a1-x` → `12`, `p0` (the
/// preface) → `0`; empty for an id outside the sections (`ch3`,
/// `contributors`).
pub(crate) fn section_digits(id: &str) -> &str {
    let rest = id.strip_prefix('p').unwrap_or("");
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The heading ids the loader gave a post, its thread's answers, replies
/// and summary included.
fn heading_ids(post: &Post) -> Vec<&str> {
    let mut ids: Vec<&str> = post
        .body
        .rendered
        .headings
        .iter()
        .map(|h| h.id.as_str())
        .collect();
    if let Some(t) = &post.thread {
        for a in &t.answers {
            ids.extend(a.body.rendered.headings.iter().map(|h| h.id.as_str()));
            for r in &a.replies {
                ids.extend(r.body.rendered.headings.iter().map(|h| h.id.as_str()));
            }
        }
        if let Some(sum) = &t.summary {
            ids.extend(sum.rendered.headings.iter().map(|h| h.id.as_str()));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::section_digits;

    #[test]
    fn section_digits_of_ids() {
        assert_eq!(section_digits("p12-a1-总结"), "12");
        assert_eq!(section_digits("p0"), "0");
        assert_eq!(section_digits("ch3"), "");
        assert_eq!(section_digits("contributors"), "");
        assert_eq!(section_digits("preface"), "");
    }
}
