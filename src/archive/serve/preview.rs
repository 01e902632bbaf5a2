//! The live preview's site, kept in memory and updated incrementally.
//!
//! A full render makes every page of the archive (with drafts, future and
//! queued posts and open threads, each marked by the theme's banner). After
//! that, a change to posts re-reads only the changed files
//! ([`Project::reload_content`]) and re-renders only the pages whose
//! inputs changed. Each page job gets a *key*: the posts it shows (a post
//! page: its own post; a listing page: the posts on that page, with the
//! total and page count; a contributor page: the posts in their record).
//! A post page is rendered again when its post changed; a listing or
//! contributor page when its key differs from the last render or it shows a
//! post whose card (title, date, excerpt, tags…) changed; the sitemap when
//! the list of pages or a post's date changed; the pages that summarise the
//! whole site when what they show changed: the home page (its latest
//! posts' cards and the counts), the tag, stage and member indexes (each
//! term's name and count; each contributor's counts), the feed (its posts,
//! any change to one of them), 404 never. Pages that no longer exist are
//! dropped. Changes to `site.toml`, the members file or the theme render
//! everything.
//!
//! The browser never sees a half-updated site: the page map is swapped in
//! whole by the server ([`Preview::pages`] is read under a lock).

use crate::archive::site::theme::StaticSource;
use crate::archive::site::{BuildOptions, Card, Job, Site};
use crate::core::content::{IncludeOptions, LoadCache, CONTENT_DIR};
use crate::core::diag::Diagnostics;
use crate::core::project::Project;
use crate::core::time::Clock;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Output path (relative, unencoded) → file contents.
///
/// The pages of the preview by output path. A persistent map: taking a
/// snapshot for the HTTP server after an update is O(1), not a copy of
/// tens of thousands of entries.
pub type Pages = imbl::OrdMap<String, Arc<Vec<u8>>>;

/// Keeps only the pages whose path satisfies `keep`.
fn retain_pages(pages: &mut Pages, keep: impl Fn(&String) -> bool) {
    let gone: Vec<String> = pages.keys().filter(|k| !keep(k)).cloned().collect();
    for k in gone {
        pages.remove(&k);
    }
}

/// What the preview shows.
#[derive(Debug, Clone, Copy)]
pub struct PreviewOptions {
    /// Unpublished posts to include (the preview shows them all by default).
    pub include: IncludeOptions,
    /// A fixed "now"; `None` takes the system time at each full render.
    pub clock: Option<DateTime<Utc>>,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions {
            include: IncludeOptions {
                drafts: true,
                future: true,
                open: true,
            },
            clock: None,
        }
    }
}

pub use crate::core::watch::Change;

/// What an update did.
#[derive(Debug, Clone, Default)]
pub struct UpdateReport {
    /// True when everything was rendered.
    pub full: bool,
    /// Pages rendered.
    pub rendered: usize,
    /// Pages removed.
    pub removed: usize,
    /// Output paths whose bytes changed, were added or removed; `None` when
    /// every page may have changed (full render, error page shown or cleared).
    pub changed: Option<Vec<String>>,
    /// True when the content has errors (the error page is shown).
    pub failed: bool,
    /// Time taken.
    pub elapsed: std::time::Duration,
    /// Time taken by each phase, in order (for `QUNSHU_TRACE=1`).
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// How a job's output depends on posts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// A hash of everything the page shows besides the site's settings,
    /// members and theme (which render everything): rendered again when
    /// it differs (the sitemap, the tag, stage and member indexes, 404).
    Hash(u64),
    /// The ids of the posts whose cards it shows, plus numbers (total,
    /// page count): rendered again when it differs or one of those cards
    /// changed.
    Posts(Vec<u64>),
    /// The ids of the posts whose whole text it shows (the feed): rendered
    /// again when it differs or one of those posts changed at all.
    Texts(Vec<u64>),
}

struct State {
    community: Project,
    cache: LoadCache,
}

/// The in-memory preview site.
pub struct Preview {
    root: PathBuf,
    opts: PreviewOptions,
    state: Option<State>,
    /// The last good render: pages, theme static files and content assets.
    pages: Pages,
    /// Keys of the rendered jobs, by output path.
    keys: HashMap<String, Key>,
    /// Fingerprint of what the posts' navigation (column neighbours,
    /// related posts) is made from, when `keys` were made.
    nav_fp: Option<u64>,
    /// The related-post index of the model `nav_fp` was made from.
    nav_index: Option<crate::archive::site::nav::Index>,
    /// Listings and contributors of the last good model, reused by the
    /// next while the posts they are made of are the same.
    taxonomy: Option<crate::archive::site::Taxonomy>,
    /// Fingerprint of the output paths of the last good model (checked then).
    outputs_fp: Option<u64>,
    /// Cards (listing entries) of the last page model, by source, reused
    /// for posts that did not change.
    cards: HashMap<u64, Card>,
    /// Posts changed since the last good render (ids).
    dirty: HashSet<u64>,
    /// The last render was not made from the current model: render all next time.
    need_full_render: bool,
    /// The theme of the last render, kept until a full render (templates,
    /// theme files and `site.toml` changes are full renders).
    theme: Option<Arc<crate::archive::site::theme::Theme>>,
    /// Included posts of the last render, newest first (for the search index).
    order: Vec<usize>,
    /// The search index does not reflect the last render yet.
    search_stale: bool,
    /// Counts renders that changed posts: a search index built from an
    /// older render is not installed.
    search_gen: u64,
    now: DateTime<Utc>,
    /// Diagnostics (errors and warnings) of the current content.
    diags: Diagnostics,
    /// A render error (template) when the content itself is fine.
    render_error: Option<String>,
}

fn id_of(source: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    source.as_os_str().hash(&mut h);
    h.finish()
}

impl Preview {
    /// Loads and renders the site at `root`. Errors do not fail: they are
    /// kept, and [`Preview::error`] tells them.
    pub fn new(root: &Path, opts: PreviewOptions) -> Preview {
        let mut p = Preview {
            root: root.to_path_buf(),
            opts,
            state: None,
            pages: Pages::new(),
            keys: HashMap::new(),
            nav_fp: None,
            outputs_fp: None,
            nav_index: None,
            taxonomy: None,
            cards: HashMap::new(),
            order: Vec::new(),
            search_stale: false,
            search_gen: 0,
            dirty: HashSet::new(),
            need_full_render: true,
            theme: None,
            now: opts.clock.unwrap_or_else(Utc::now),
            diags: Diagnostics::new(),
            render_error: None,
        };
        p.update(Change::Full);
        if let Err(e) = p.refresh_search() {
            p.render_error = Some(format!("{e:#}"));
        }
        p
    }

    /// True when posts changed since the search index was last built.
    pub fn search_stale(&self) -> bool {
        self.search_stale
    }

    /// Rebuilds the search index (the `search/` files the theme's search box
    /// reads) from the posts of the last render, here and now. `serve`
    /// builds it on a worker instead ([`Preview::search_job`]).
    pub fn refresh_search(&mut self) -> anyhow::Result<()> {
        let Some((gen, job)) = self.search_job() else {
            return Ok(());
        };
        let never = std::sync::atomic::AtomicBool::new(false);
        if let Some((files, _)) = job.run(&never)? {
            self.install_search(gen, files);
        }
        Ok(())
    }

    /// What building the search index of the last render takes (owned, for
    /// another thread), with the render generation it belongs to; `None`
    /// when the index is up to date or the content has errors.
    pub fn search_job(&self) -> Option<(u64, crate::archive::search::index::IndexJob)> {
        if !self.search_stale || self.error().is_some() {
            return None;
        }
        let state = self.state.as_ref()?;
        let c = &state.community;
        let posts: Vec<&crate::core::content::Post> =
            self.order.iter().map(|&i| &c.posts[i]).collect();
        Some((
            self.search_gen,
            crate::archive::search::index::IndexJob::of(c, &posts),
        ))
    }

    /// Puts index files built for generation `gen` in place of the old
    /// ones, unless posts changed since (then it returns false and the
    /// index stays stale).
    pub fn install_search(&mut self, gen: u64, files: Vec<(String, String)>) -> bool {
        if gen != self.search_gen || !self.search_stale {
            return false;
        }
        let prefix = format!("{}/", crate::archive::search::DIR);
        retain_pages(&mut self.pages, |k| !k.starts_with(&prefix));
        for (rel, text) in files {
            self.pages
                .insert(format!("{prefix}{rel}"), Arc::new(text.into_bytes()));
        }
        self.search_stale = false;
        true
    }

    /// The site's pages as last rendered without errors.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// Diagnostics of the current content (errors and warnings).
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diags
    }

    /// The problems to show instead of the site, if any: content errors
    /// (file:line: message) or a template error.
    pub fn error(&self) -> Option<Vec<String>> {
        if self.diags.error_count() > 0 || self.state.is_none() {
            let v: Vec<String> = self
                .diags
                .sorted()
                .into_iter()
                .filter(|d| d.is_error())
                .map(|d| d.to_string())
                .collect();
            return Some(if v.is_empty() {
                vec!["site.toml cannot be read".into()]
            } else {
                v
            });
        }
        self.render_error.as_ref().map(|e| vec![e.clone()])
    }

    /// The loaded community, if `site.toml` could be read.
    pub fn community(&self) -> Option<&Project> {
        self.state.as_ref().map(|s| &s.community)
    }

    /// The site's interface language (English when `site.toml` is broken).
    pub fn lang(&self) -> crate::core::config::Lang {
        self.community()
            .map(|c| c.config.language)
            .unwrap_or(crate::core::config::Lang::En)
    }

    /// Applies a change from disk and re-renders what it affects.
    pub fn update(&mut self, change: Change) -> UpdateReport {
        let start = Instant::now();
        let had_error = self.error().is_some();
        let mut report = match (change, self.state.is_some()) {
            (Change::Content(paths), true) => self.update_content(&paths),
            _ => self.update_full(),
        };
        report.failed = self.error().is_some();
        if report.failed || had_error {
            report.changed = None;
        }
        report.elapsed = start.elapsed();
        report
    }

    fn update_full(&mut self) -> UpdateReport {
        let mut cache = LoadCache::default();
        let (community, diags) = Project::open_cached(&self.root, &mut cache);
        self.diags = diags;
        self.state = community.map(|community| State { community, cache });
        self.need_full_render = true;
        self.dirty.clear();
        self.cards.clear();
        if self.opts.clock.is_none() {
            self.now = Utc::now();
        }
        self.render()
    }

    fn update_content(&mut self, paths: &BTreeSet<PathBuf>) -> UpdateReport {
        let Some(state) = self.state.as_mut() else {
            return self.update_full();
        };
        let t = Instant::now();
        self.diags = state.community.reload_content(&mut state.cache, paths);
        let reload_time = t.elapsed();
        self.dirty.extend(paths.iter().map(|p| id_of(p)));
        self.dirty
            .extend(state.cache.rendered().iter().map(|p| id_of(p)));
        // Attachments (images…) under content/ are served beside the pages.
        let content = self.root.join(CONTENT_DIR);
        let mut assets_changed = Vec::new();
        for rel in paths {
            let Ok(inside) = rel.strip_prefix(CONTENT_DIR) else {
                continue;
            };
            let key = crate::core::slug::to_slash(inside);
            let prefix = format!("{key}/");
            // The files at `key` or under `key/` (a range of the ordered
            // map: not a walk over every page).
            let gone: Vec<String> = self
                .pages
                .range(key.clone()..)
                .map(|(k, _)| k)
                .take_while(|k| k.starts_with(&key))
                .filter(|k| (**k == key || k.starts_with(&prefix)) && !self.keys.contains_key(*k))
                .cloned()
                .collect();
            if !gone.is_empty() {
                assets_changed.push(key.clone());
            }
            for k in gone {
                self.pages.remove(&k);
            }
            for (out, abs) in content_assets(&content.join(inside), &content) {
                if let Ok(bytes) = std::fs::read(&abs) {
                    self.pages.insert(out.clone(), Arc::new(bytes));
                    assets_changed.push(out);
                }
            }
        }
        let mut r = self.render();
        r.phases.insert(0, ("reload content", reload_time));
        if let Some(ch) = r.changed.as_mut() {
            ch.extend(assets_changed);
        }
        r
    }

    /// Renders what is needed, if the content has no errors.
    fn render(&mut self) -> UpdateReport {
        let mut report = UpdateReport::default();
        let Some(state) = self.state.as_ref() else {
            return report;
        };
        if self.diags.error_count() > 0 {
            return report;
        }
        let c = &state.community;
        let mut t = Instant::now();
        let mut phase = |name: &'static str, report: &mut UpdateReport| {
            report.phases.push((name, t.elapsed()));
            t = Instant::now();
        };
        let full = self.need_full_render;
        let (dirty, cards) = (&self.dirty, &mut self.cards);
        let mut reuse = |_: usize, p: &crate::core::content::Post| -> Option<Card> {
            let id = id_of(&p.source);
            if full || dirty.contains(&id) {
                None
            } else {
                cards.remove(&id)
            }
        };
        let theme = match (&self.theme, full) {
            (Some(t), false) => Ok(Arc::clone(t)),
            _ => crate::archive::site::theme::Theme::load(&c.config.root, &c.config.theme)
                .map(Arc::new),
        };
        let theme = match theme {
            Ok(t) => t,
            Err(e) => {
                self.render_error = Some(format!("{e:#}"));
                return report;
            }
        };
        self.theme = Some(Arc::clone(&theme));
        let mut site = Site::new_unchecked(
            c,
            BuildOptions {
                include: self.opts.include,
                clock: Clock::new(self.now, c.config.tz),
            },
            theme,
            &mut reuse,
            if full { None } else { self.taxonomy.take() },
        );
        let jobs = site.jobs();
        let paths: Vec<String> = jobs.iter().map(|j| site.path_of(j)).collect();
        // Checking every output path against every other (case and Unicode
        // form folded) is a good part of a model of 10,000 posts: do it only
        // when the paths are not those of the last good model (the theme's
        // files change only with a full render).
        let outputs_fp = {
            let mut h = DefaultHasher::new();
            paths.hash(&mut h);
            for a in &c.assets {
                a.path.hash(&mut h);
            }
            h.finish()
        };
        if full || self.outputs_fp != Some(outputs_fp) {
            if let Err(e) = site.check_outputs() {
                self.render_error = Some(format!("{e:#}"));
                return report;
            }
        }
        phase("page model", &mut report);
        let ids: Vec<u64> = c.posts.iter().map(|p| id_of(&p.source)).collect();
        // Listing and contributor pages show only cards: a changed post
        // whose card is the same (say, an edit deep in its text) leaves them
        // as they are; its own page is rendered again regardless.
        let card_changed: HashSet<u64> = if full {
            HashSet::new()
        } else {
            site.cards
                .iter()
                .filter(|(i, _)| self.dirty.contains(&ids[**i]))
                .filter(|(i, card)| {
                    self.cards.get(&ids[**i]).is_none_or(|old| {
                        serde_json::to_value(old).ok() != serde_json::to_value(card).ok()
                    })
                })
                .map(|(i, _)| ids[*i])
                .collect()
        };
        // A post page's key names the posts it shows (its column neighbours
        // and related posts), which cost a scan of every post sharing a tag:
        // too slow to redo for 10,000 pages on every save. They are made
        // only from the published posts' order, titles, tags and columns:
        // when those are as before, so is every post page's list.
        // So is the index of related posts, which takes a while to build.
        let nav_fp = {
            let mut h = DefaultHasher::new();
            c.posts.len().hash(&mut h);
            for &i in &site.order {
                let p = &c.posts[i];
                (i, ids[i], &p.title, &p.tags, &p.column).hash(&mut h);
            }
            h.finish()
        };
        let nav_same = !full && self.nav_fp == Some(nav_fp);
        match self.nav_index.take() {
            Some(index) if nav_same => site.reuse_nav_index(index),
            _ => {}
        }
        // The sitemap lists every page and each post's date: render it again
        // only when the list of pages or a changed post's date differs.
        let mut fp = DefaultHasher::new();
        let mut dates_changed = false;
        let mut todo: Vec<Job> = Vec::new();
        // Keys are moved from the last render's map to the new one; what is
        // left there at the end are the pages that are gone.
        let mut old_keys = std::mem::take(&mut self.keys);
        let mut new_keys: HashMap<String, Key> = HashMap::with_capacity(jobs.len());
        // Without the navigation of the last render, every post page's key
        // is made again (each scores its related posts): in parallel.
        let mut post_keys: HashMap<usize, Key> = if nav_same {
            HashMap::new()
        } else {
            jobs.par_iter()
                .filter_map(|job| match job {
                    Job::Post(i) => Some((*i, job_key(&site, job, &ids))),
                    _ => None,
                })
                .collect()
        };
        let mut sitemap = None;
        for (job, path) in jobs.into_iter().zip(paths) {
            match job {
                Job::Sitemap => {
                    sitemap = Some(path);
                    continue;
                }
                Job::NotFound | Job::Feed => {}
                Job::Post(i) => {
                    path.hash(&mut fp);
                    if !full && self.dirty.contains(&ids[i]) {
                        let new = site.cards.get(&i).and_then(|k| k.iso.as_ref());
                        let old = self.cards.get(&ids[i]).map(|k| k.iso.as_ref());
                        dates_changed |= old != Some(new);
                    }
                }
                _ => path.hash(&mut fp),
            }
            let (key, same) = match old_keys.remove(&path) {
                Some(old) if nav_same && matches!(job, Job::Post(_)) => (old, true),
                old => {
                    let key = match job {
                        Job::Post(i) => post_keys.remove(&i),
                        _ => None,
                    }
                    .unwrap_or_else(|| job_key(&site, &job, &ids));
                    let same = old.as_ref() == Some(&key);
                    (key, same)
                }
            };
            let again = full
                || !same
                || match &key {
                    // A post's page also shows its neighbours' and related posts' titles.
                    Key::Posts(v) if matches!(job, Job::Post(_)) => {
                        self.dirty.contains(&v[0]) || v.iter().any(|i| card_changed.contains(i))
                    }
                    Key::Posts(v) => v.iter().any(|i| card_changed.contains(i)),
                    Key::Texts(v) => v.iter().any(|i| self.dirty.contains(i)),
                    Key::Hash(_) => false,
                };
            if again {
                todo.push(job);
            }
            new_keys.insert(path, key);
        }
        if let Some(path) = sitemap {
            let key = Key::Hash(fp.finish());
            let old = old_keys.remove(&path);
            if full || dates_changed || old.as_ref() != Some(&key) {
                todo.push(Job::Sitemap);
            }
            new_keys.insert(path, key);
        }
        phase("job keys", &mut report);
        let rendered: Vec<anyhow::Result<crate::archive::site::Page>> =
            todo.par_iter().map(|job| site.render(job)).collect();
        let mut pages = Vec::with_capacity(rendered.len());
        for r in rendered {
            match r {
                Ok(p) => pages.push(p),
                Err(e) => {
                    self.render_error = Some(format!("{e:#}"));
                    // The pages to render keep their old bytes: forget
                    // their keys, so that the next update renders them;
                    // the pages that are gone stay listed, to be removed.
                    for job in &todo {
                        new_keys.remove(&site.path_of(job));
                    }
                    new_keys.extend(old_keys);
                    self.keys = new_keys;
                    return report;
                }
            }
        }
        phase("render", &mut report);
        self.render_error = None;
        let mut changed = Vec::new();
        if full {
            // The search index goes too (a member may have become
            // anonymous); `refresh_search` rebuilds it.
            self.pages.clear();
            for (rel, src) in &site.theme.statics {
                let bytes = match src {
                    StaticSource::Embedded(b) => b.to_vec(),
                    StaticSource::File(p) => std::fs::read(p).unwrap_or_default(),
                };
                self.pages.insert(rel.clone(), Arc::new(bytes));
            }
            let content = self.root.join(CONTENT_DIR);
            for (out, abs) in content_assets(&content, &content) {
                if let Ok(bytes) = std::fs::read(&abs) {
                    self.pages.insert(out, Arc::new(bytes));
                }
            }
        }
        report.rendered = pages.len();
        for p in pages {
            let differs = self
                .pages
                .get(&p.path)
                .is_none_or(|old| old.as_slice() != p.bytes.as_slice());
            if differs {
                changed.push(p.path.clone());
                self.pages.insert(p.path, Arc::new(p.bytes));
            }
        }
        let gone: Vec<String> = old_keys.into_keys().collect();
        for p in &gone {
            self.pages.remove(p);
        }
        report.removed = gone.len();
        changed.extend(gone);
        self.keys = new_keys;
        self.nav_fp = Some(nav_fp);
        self.nav_index = site.take_nav_index();
        self.taxonomy = Some(site.take_taxonomy());
        self.outputs_fp = Some(outputs_fp);
        self.cards = std::mem::take(&mut site.cards)
            .into_iter()
            .map(|(i, card)| (ids[i], card))
            .collect();
        if full || !self.dirty.is_empty() {
            self.search_stale = true;
            self.search_gen += 1;
        }
        self.dirty.clear();
        phase("store", &mut report);
        report.full = full;
        self.order = site.order.clone();
        report.changed = if full { None } else { Some(changed) };
        self.need_full_render = false;
        report
    }
}

/// The key of a job: which posts it shows (see [`Key`]).
fn job_key(site: &Site<'_>, job: &Job, ids: &[u64]) -> Key {
    let hash = |f: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        f(&mut h);
        Key::Hash(h.finish())
    };
    match job {
        Job::Post(i) => Key::Posts(
            std::iter::once(*i)
                .chain(crate::archive::site::nav::shown_on(site, *i))
                .map(|j| ids[j])
                .collect(),
        ),
        Job::Listing { listing, page } => {
            let l = &site.listings[*listing];
            let per = site.community.config.paginate;
            let start = (page - 1) * per;
            let end = (start + per).min(l.items.len());
            let mut v: Vec<u64> = l.items[start.min(end)..end]
                .iter()
                .map(|&i| ids[i])
                .collect();
            v.push(l.items.len() as u64);
            v.push(l.pages(per) as u64);
            Key::Posts(v)
        }
        Job::Member(m) => {
            let r = &site.contributors[*m].record;
            let mut v = Vec::new();
            for group in [
                &r.accepted,
                &r.answered,
                &r.summaries,
                &r.cases,
                &r.briefs,
                &r.asked,
            ] {
                v.extend(group.iter().map(|&i| ids[i]));
                v.push(u64::MAX);
            }
            Key::Posts(v)
        }
        Job::Home => {
            let home = site.home();
            let mut v = Vec::new();
            for group in [&home.briefs, &home.threads, &home.cases] {
                v.extend(group.iter().map(|&i| ids[i]));
                v.push(u64::MAX);
            }
            v.extend(home.counts.iter().map(|&n| n as u64));
            Key::Posts(v)
        }
        Job::Feed => Key::Texts(
            site.order
                .iter()
                .take(crate::archive::site::feed::FEED_POSTS)
                .map(|&i| ids[i])
                .collect(),
        ),
        Job::TagIndex | Job::StageIndex => {
            let group = if *job == Job::TagIndex {
                "tag"
            } else {
                "stage"
            };
            hash(&|h| {
                for l in site.listings.iter().filter(|l| l.group == group) {
                    (&l.title, &l.base, l.items.len()).hash(h);
                }
            })
        }
        Job::MemberIndex => hash(&|h| {
            site.anonymous_count.hash(h);
            for m in &site.contributors {
                let r = &m.record;
                (&m.handle, &m.slug).hash(h);
                [
                    r.accepted.len(),
                    r.answered.len(),
                    r.summaries.len(),
                    r.cases.len(),
                    r.briefs.len(),
                    r.asked.len(),
                ]
                .hash(h);
            }
        }),
        // Made only from the site's settings and theme.
        Job::NotFound => Key::Hash(0),
        // Keyed by the update itself (every page's path and post dates).
        Job::Sitemap => Key::Hash(0),
    }
}

/// Files under `dir` (a file or folder inside `content`) that the archive
/// copies beside its pages, as the content walk finds them (the loader
/// reports its problems). Returns (output path, file).
fn content_assets(dir: &Path, content: &Path) -> Vec<(String, PathBuf)> {
    let root = content.parent().unwrap_or(Path::new("."));
    let start = dir.strip_prefix(root).unwrap_or(dir);
    crate::core::content::walk::walk(root, start)
        .assets
        .into_iter()
        .map(|a| (a.path, root.join(a.source)))
        .collect()
}
