//! The reload cache `serve` keeps: each file's state, so a save re-reads
//! and re-renders only what changed.

use super::frontmatter::field_line;
use super::links::*;
use super::load::*;
use super::*;
use crate::core::config::SiteConfig;
use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::markdown::RefKind;
use crate::core::members::Members;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What loading learnt about each content file, kept between loads so that
/// `serve` re-reads and re-renders only the files that changed (and the
/// posts whose links point at them). See [`Project::reload_content`].
#[derive(Default)]
pub struct LoadCache {
    /// How much of each file to keep (see [`Project::open`] with [`Depth::FrontMatter`](crate::core::content::Depth)).
    pub(crate) depth: Depth,
    pub(crate) files: BTreeMap<PathBuf, FileState>,
    pub(crate) members_diags: Vec<Diagnostic>,
    pub(crate) rendered: BTreeSet<PathBuf>,
    /// Attachments found by the walk of `content/`, by source.
    pub(crate) assets: BTreeMap<PathBuf, walk::Asset>,
    /// Problems the walk found (links, unreadable folders…), by path.
    pub(crate) walk_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

pub(crate) struct FileState {
    pub(crate) parsed: Result<Parsed, Vec<Diagnostic>>,
    /// Diagnostics of the last render of this file.
    pub(crate) render_diags: Vec<Diagnostic>,
    /// Files (relative to the root) its links and images point at.
    pub(crate) refs: Vec<PathBuf>,
}

impl LoadCache {
    /// Number of content files known.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no content file is known.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The posts (source paths) the last load or reload rendered.
    pub fn rendered(&self) -> &BTreeSet<PathBuf> {
        &self.rendered
    }

    /// The attachments under `content/` as last walked, sorted by source.
    pub fn assets(&self) -> Vec<walk::Asset> {
        self.assets.values().cloned().collect()
    }

    /// Records what a walk found besides Markdown; returns its Markdown files.
    /// Pass 1 of a load: reads and parses the front matter of every file
    /// (`changed` = `None`) or of the files at or under the changed paths,
    /// in parallel. Returns the files that were parsed again.
    fn reparse(
        &mut self,
        config: &SiteConfig,
        members: &Members,
        changed: Option<&BTreeSet<PathBuf>>,
    ) -> BTreeSet<PathBuf> {
        let depth = self.depth;
        let new_state = |r| FileState {
            parsed: r,
            render_diags: Vec::new(),
            refs: Vec::new(),
        };
        let mut reparsed: BTreeSet<PathBuf> = BTreeSet::new();
        match changed {
            None => {
                self.assets.clear();
                self.walk_diags.clear();
                let files = self.absorb(walk::walk(&config.root, Path::new(CONTENT_DIR)));
                let results: Vec<Result<Parsed, Vec<Diagnostic>>> = files
                    .par_iter()
                    .map(|f| parse_file(config, members, f, depth))
                    .collect();
                self.files = files
                    .into_iter()
                    .zip(results.into_iter().map(new_state))
                    .collect();
            }
            Some(changed) => {
                let content = Path::new(CONTENT_DIR);
                let mut todo: BTreeSet<PathBuf> = BTreeSet::new();
                for rel in changed {
                    if !rel.starts_with(content) || is_hidden_under_content(rel) {
                        continue;
                    }
                    // Forget what was at or under this path; re-add what is there now.
                    let gone: Vec<PathBuf> = self
                        .files
                        .range(rel.clone()..)
                        .take_while(|(k, _)| k.starts_with(rel))
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in gone {
                        self.files.remove(&k);
                    }
                    self.forget(rel);
                    todo.extend(self.absorb(walk::walk(&config.root, rel)));
                }
                let todo: Vec<PathBuf> = todo.into_iter().collect();
                let results: Vec<Result<Parsed, Vec<Diagnostic>>> = todo
                    .par_iter()
                    .map(|f| parse_file(config, members, f, depth))
                    .collect();
                for (f, r) in todo.into_iter().zip(results) {
                    reparsed.insert(f.clone());
                    self.files.insert(f, new_state(r));
                }
            }
        }
        reparsed
    }

    pub(crate) fn absorb(&mut self, tree: walk::ContentTree) -> Vec<PathBuf> {
        for a in tree.assets {
            self.assets.insert(a.source.clone(), a);
        }
        for d in tree.diags {
            self.walk_diags.entry(d.file.clone()).or_default().push(d);
        }
        tree.markdown
    }

    /// Forgets what the walk found at or under `rel`.
    pub(crate) fn forget(&mut self, rel: &Path) {
        fn under<V>(map: &BTreeMap<PathBuf, V>, rel: &Path) -> Vec<PathBuf> {
            map.range(rel.to_path_buf()..)
                .take_while(|(k, _)| k.starts_with(rel))
                .map(|(k, _)| k.clone())
                .collect()
        }
        for k in under(&self.assets, rel) {
            self.assets.remove(&k);
        }
        for k in under(&self.walk_diags, rel) {
            self.walk_diags.remove(&k);
        }
    }
}

pub(crate) fn is_hidden_under_content(rel: &Path) -> bool {
    rel.components()
        .skip(1)
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Pass 2 of a load: every post's URL, with an error for two posts that
/// would be published at the same URL. Returns the URL of each source.
fn check_urls<'p>(
    parsed: &[&'p Parsed],
    diags: &mut Diagnostics,
) -> HashMap<&'p std::ffi::OsStr, &'p str> {
    let mut by_path: HashMap<&str, &Path> = HashMap::with_capacity(parsed.len());
    let mut url_of: HashMap<&std::ffi::OsStr, &str> = HashMap::with_capacity(parsed.len());
    for p in parsed {
        let m = &p.meta;
        diags.extend(m.diags.iter().cloned());
        if let Some(other) = by_path.get(m.key.as_str()) {
            let line_of = |f: &str| field_line(p.yaml(), p.yaml_line, f);
            diags.push(
                Diagnostic::error(
                    &p.source,
                    format!(
                        "this post and {} would both be published at {}; give one of them a different `slug:`",
                        other.display(),
                        m.path
                    ),
                )
                .at_opt_line(line_of("slug").or(line_of("title")))
                .field("slug"),
            );
        } else {
            by_path.insert(&m.key, &p.source);
        }
        url_of.insert(p.source.as_os_str(), &m.path);
    }
    url_of
}

/// Loads the posts, reusing `cache`. With `changed` = `None` every file is
/// read and rendered; otherwise only the listed paths (relative to the root;
/// files or folders, written, created or removed) are re-read, and only those
/// posts and the posts that link to them are rendered again — the others are
/// taken from `old`.
pub(crate) fn load_posts_cached(
    config: &SiteConfig,
    members: &Members,
    cache: &mut LoadCache,
    changed: Option<&BTreeSet<PathBuf>>,
    old: Vec<Post>,
    diags: &mut Diagnostics,
) -> Vec<Post> {
    let depth = cache.depth;
    let reparsed = cache.reparse(config, members, changed);
    for ds in cache.walk_diags.values() {
        diags.extend(ds.iter().cloned());
    }
    let mut parsed: Vec<&Parsed> = Vec::with_capacity(cache.files.len());
    let mut refs_of: Vec<&[PathBuf]> = Vec::with_capacity(cache.files.len());
    for st in cache.files.values() {
        match &st.parsed {
            Ok(p) => {
                parsed.push(p);
                refs_of.push(&st.refs);
            }
            Err(ds) => diags.extend(ds.iter().cloned()),
        }
    }
    // The previous post of each file, if any: a merge of two lists sorted
    // by source (no per-post map lookups: this runs on every live edit).
    let mut olds: Vec<Option<Post>> = Vec::with_capacity(parsed.len());
    {
        let mut prev = old.into_iter().peekable();
        for p in &parsed {
            while prev.peek().is_some_and(|o| o.source < p.source) {
                prev.next();
            }
            let same = prev.peek().is_some_and(|o| o.source == p.source);
            olds.push(if same { prev.next() } else { None });
        }
    }

    // Pass 2: URLs and duplicates (columns and slugs were checked per file).
    let url_of = check_urls(&parsed, diags);

    // Pass 3: render Markdown, split threads, check references — only for
    // posts that were re-read, that link to a changed path, or that are new.
    let root = &config.root;
    let touched = |refs: &[PathBuf]| -> bool {
        changed.is_some_and(|ch| refs.iter().any(|r| ch.iter().any(|c| r.starts_with(c))))
    };
    let todo: Vec<(usize, &Parsed)> = parsed
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            changed.is_none()
                || olds[*i].is_none()
                || touched(refs_of[*i])
                || reparsed.contains(&p.source)
        })
        .map(|(i, p)| (i, *p))
        .collect();
    let lang = config.language;
    let out: Vec<(usize, Post, Vec<Diagnostic>, Vec<PathBuf>)> = todo
        .into_par_iter()
        .map(|(idx, p)| {
            let refs = std::sync::Mutex::new(Vec::<PathBuf>::new());
            let src = p.source.clone();
            let resolve =
                |kind: RefKind, dest: &str| resolve_link(root, &src, &url_of, &refs, kind, dest);
            let (post, ds) = build_post(p, members, lang, depth, &resolve);
            let refs = refs.into_inner().unwrap_or_default();
            (idx, post, ds, refs)
        })
        .collect();
    drop(refs_of);
    let count = parsed.len();
    drop(parsed);
    // `out` is in index order, and index i is the i-th file of the cache
    // that parsed: one walk puts each post in its place, keeping the
    // previous post of every file that was not built again.
    cache.rendered = out.iter().map(|o| o.1.source.clone()).collect();
    let mut out = out.into_iter().peekable();
    let mut olds = olds.into_iter();
    let mut posts = Vec::with_capacity(count);
    let mut i = 0;
    for st in cache.files.values_mut() {
        if st.parsed.is_ok() {
            let prev = olds.next().flatten();
            match out.next_if(|o| o.0 == i) {
                Some((_, post, ds, refs)) => {
                    st.render_diags = ds;
                    st.refs = refs;
                    posts.push(post);
                }
                None => posts.extend(prev),
            }
            i += 1;
        }
        diags.extend(st.render_diags.iter().cloned());
    }
    // An empty members file fails open for every handle: say so.
    if members.listed_nobody() {
        let named = posts
            .iter()
            .find_map(|p| first_handle(members, p).map(|h| (p.source.as_path(), h)));
        members.check_used(
            &config.members_file,
            named.as_ref().map(|(p, h)| (*p, h.as_str())),
            diags,
        );
    }
    posts
}
