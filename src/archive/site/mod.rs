//! The static archive: page models, rendering with the theme, feeds, and
//! the atomic write of `public/`.
//!
//! A build is a list of [`Job`]s — the home page, each post, each page of
//! each listing, contributor pages, feeds — computed from the loaded
//! [`Project`] by [`Site::new`]. Any single job renders on its own
//! ([`Site::render`]), which is what lets `serve` re-render only the pages an
//! edit touches; a full build renders every job in parallel (rayon) straight
//! into a temporary folder and swaps it in ([`output::write_site`]).
//!
//! All links between pages are relative (`root` in templates is `../` as
//! many times as the page is deep), so the archive works from any sub-path
//! and opened straight from disk. Only the feed and the sitemap use the
//! absolute `base_url`.
//!
//! May import `core` and `archive::search`; must not import `publish`, `book`
//! or `tools`.

pub mod cards;
pub(crate) mod feed;
mod model;
pub(crate) mod nav;
pub mod output;
mod pages;
pub mod permalinks;
pub(crate) mod theme;

use crate::core::config::Lang;
use crate::core::content::{IncludeOptions, Post};
use crate::core::i18n;
use crate::core::kind::Kind;
use crate::core::project::Project;
use crate::core::slug::{encode_path, slugify};
use crate::core::time::Clock;
use anyhow::anyhow;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};
use theme::{tera_error, Theme};

/// The path of an absolute URL (`/tongxing/` of
/// `https://example.org/tongxing/`; `/` when it has none).
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// Stands for a page's `root` in pre-rendered fragments (cards). Made of
/// noncharacters the HTML escaper keeps as they are (a control character
/// would become U+FFFD there, and every card link would break).
pub const ROOT_MARK: &str = "\u{FDD0}ROOT\u{FDD1}";

/// Stands for the level of a card's title heading (`heading` in
/// `card.html`): 2 under a page's `h1` (listings), 3 under a section's
/// `h2` (home, contributor pages), so headings never skip a level.
pub const HEADING_MARK: &str = "\u{FDD0}H\u{FDD1}";

/// What a build includes and how.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Which unpublished posts to include.
    pub include: IncludeOptions,
    /// The clock: decides what is published.
    pub clock: Clock,
}

/// A rendered output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the output folder (unencoded).
    pub path: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// One unit of rendering work.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    /// `index.html`.
    Home,
    /// A post's page; the index is into `Project::posts`.
    Post(usize),
    /// One page (1-based) of a listing.
    Listing {
        /// Index into [`Site::listings`].
        listing: usize,
        /// 1-based page number.
        page: usize,
    },
    /// `tags/index.html`.
    TagIndex,
    /// `stages/index.html`.
    StageIndex,
    /// `members/index.html`.
    MemberIndex,
    /// A contributor's page; the index is into [`Site::contributors`].
    Member(usize),
    /// `404.html`.
    NotFound,
    /// `atom.xml`.
    Feed,
    /// `sitemap.xml`.
    Sitemap,
}

/// How a person appears on a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Person {
    /// Name as the member's privacy allows.
    pub name: String,
    /// Their page, relative to the site root, if they have one.
    pub href: Option<String>,
    /// True for anonymous members.
    pub anonymous: bool,
}

/// A link with a label.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    /// Label.
    pub name: String,
    /// Target relative to the site root.
    pub href: String,
}

/// The most tags a card shows: a card appears on the page of each of its
/// tags, so all of them would make the archive grow with the square of a
/// post's tag count.
pub const CARD_TAGS: usize = 8;

/// A post as shown in listings.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// Title.
    pub title: String,
    /// Page, relative to the site root (percent-encoded).
    pub href: String,
    /// `brief`, `qa` or `case`.
    pub kind: Kind,
    /// Label of the kind in the site's language.
    pub kind_label: String,
    /// Column display name.
    pub column: Link,
    /// Display date, if dated.
    pub date: Option<String>,
    /// RFC 3339 time, if dated.
    pub iso: Option<String>,
    /// The first [`CARD_TAGS`] tags (the post's page shows them all).
    pub tags: Vec<Link>,
    /// How many tags the card leaves out.
    pub more_tags: usize,
    /// Stage.
    pub stage: Option<Link>,
    /// Description or the start of the text.
    pub excerpt: String,
    /// Authors (brief/case) or the accepted answerer (thread).
    pub people: Vec<Person>,
    /// Number of answers (threads).
    pub answers: usize,
    /// Not published: `draft`, `future`, `queued`, `open_thread`, `expired` (preview only).
    pub state: Option<&'static str>,
}

/// A paginated list of posts.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Folder of the listing relative to the root (`tags/合伙人`).
    pub base: String,
    /// Heading.
    pub title: String,
    /// What kind of listing (`kind`, `column`, `tag`, `stage`).
    pub group: &'static str,
    /// Posts, newest first (indices into `Project::posts`).
    pub items: Vec<usize>,
}

impl Listing {
    /// Number of pages (at least 1).
    pub fn pages(&self, per_page: usize) -> usize {
        self.items.len().div_ceil(per_page).max(1)
    }

    /// Output path of page `n` (1-based).
    pub fn page_path(&self, n: usize) -> String {
        if n <= 1 {
            format!("{}/index.html", self.base)
        } else {
            format!("{}/page/{n}.html", self.base)
        }
    }
}

/// A contributor's record, computed from the content.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Contribution {
    /// Threads whose accepted answer they wrote.
    pub accepted: Vec<usize>,
    /// Threads they answered or replied in without the accepted answer.
    pub answered: Vec<usize>,
    /// Threads they summarised.
    pub summaries: Vec<usize>,
    /// Cases they wrote.
    pub cases: Vec<usize>,
    /// Briefs they wrote.
    pub briefs: Vec<usize>,
    /// Questions they asked.
    pub asked: Vec<usize>,
}

impl Contribution {
    fn total(&self) -> usize {
        self.accepted.len() * 3
            + self.answered.len()
            + self.summaries.len()
            + self.cases.len() * 2
            + self.briefs.len()
            + self.asked.len()
    }
}

/// A member with a public page.
#[derive(Debug, Clone)]
pub struct Contributor {
    /// Handle (never printed).
    pub handle: String,
    /// Shown name and page.
    pub slug: String,
    /// What they did.
    pub record: Contribution,
}

/// The page model of one build.
pub struct Site<'a> {
    /// The community.
    pub community: &'a Project,
    /// Options.
    pub opts: BuildOptions,
    /// The theme.
    pub theme: Arc<Theme>,
    /// Included posts, newest first.
    pub order: Vec<usize>,
    /// Cards of included posts, by post index.
    pub cards: HashMap<usize, Card>,
    /// Each card rendered once with `card.html` (on first use), links
    /// prefixed with [`ROOT_MARK`] (replaced by each page's own `root`).
    card_html: HashMap<usize, OnceLock<Result<String, String>>>,
    /// Listings (kinds, columns, tags, stages).
    pub listings: Vec<Listing>,
    /// Members with pages, most active first.
    pub contributors: Vec<Contributor>,
    /// Distinct anonymous members who contributed to included posts.
    pub anonymous_count: usize,
    t: BTreeMap<&'static str, &'static str>,
    /// Related-post index, built when a post page first needs it.
    nav_index: OnceLock<nav::Index>,
    /// Fingerprint of what the listings and contributors are made of.
    taxonomy_fp: u64,
}

/// The listings and contributors' records of a model, kept by the live
/// preview for its next model: they are reused when the included posts,
/// their order, kinds, columns, tags, stages and people are the same.
pub struct Taxonomy {
    fp: u64,
    listings: Vec<Listing>,
    contributors: Vec<Contributor>,
    anonymous_count: usize,
}

/// Who claims an output path (see [`Site::check_outputs`]).
enum Claim<'s> {
    /// A page.
    Job(&'s Job),
    /// A theme's static file.
    Theme(&'s str, &'s theme::StaticSource),
    /// A file under `content/` (its path relative to the root).
    Asset(&'s std::path::Path),
}

/// What a finished build reports.
#[derive(Debug, Clone, Copy)]
pub struct BuildReport {
    /// Files written (pages, feeds, static files).
    pub files: usize,
    /// Files identical to the previous build's, reused from it rather than
    /// written again ([`crate::core::reuse`]).
    pub unchanged: usize,
    /// Posts published.
    pub posts: usize,
    /// Time spent on the search index.
    pub index_time: std::time::Duration,
}

fn person(c: &Project, handle: &str) -> Person {
    let credit = c.members.credit(handle);
    Person {
        name: credit.display(c.config.language).to_string(),
        href: credit
            .slug()
            .map(|s| encode_path(&format!("members/{s}.html"))),
        anonymous: credit.is_anonymous(),
    }
}

fn kind_label(lang: Lang, k: Kind) -> &'static str {
    let t = i18n::table(lang);
    t.get(k.dir()).copied().unwrap_or("")
}

fn term_slug(s: &str) -> String {
    let v = slugify(s);
    if v.is_empty() {
        "x".into()
    } else {
        v
    }
}

/// Cuts `text` to about `n` characters at a character boundary.
pub fn excerpt(text: &str, n: usize) -> String {
    // Same as joining all words with single spaces and cutting at `n`
    // characters, without flattening the whole text first (this runs for
    // every post on every build, and on every live-preview update).
    let mut out = String::new();
    let mut count = 0;
    let mut more = false;
    'words: for (k, w) in text.split_whitespace().enumerate() {
        if k > 0 {
            if count == n {
                more = true;
                break;
            }
            out.push(' ');
            count += 1;
        }
        for ch in w.chars() {
            if count == n {
                more = true;
                break 'words;
            }
            out.push(ch);
            count += 1;
        }
    }
    if more {
        out.push('…');
    }
    out
}

impl<'a> Site<'a> {
    /// Builds the page model: what is published, listings, contributor records.
    pub fn new(community: &'a Project, opts: BuildOptions) -> anyhow::Result<Site<'a>> {
        Self::new_reusing(community, opts, &mut |_, _| None)
    }

    /// Like [`Site::new`], but takes an included post's card from `reuse`
    /// when it returns one: the live preview passes the cards of the posts
    /// that did not change since its last model (same clock, config and
    /// members), so an edit does not rebuild ten thousand cards.
    pub fn new_reusing(
        community: &'a Project,
        opts: BuildOptions,
        reuse: &mut dyn FnMut(usize, &Post) -> Option<Card>,
    ) -> anyhow::Result<Site<'a>> {
        let theme = Arc::new(Theme::load(
            &community.config.root,
            &community.config.theme,
        )?);
        Self::new_with_theme(community, opts, theme, reuse)
    }

    /// Like [`Site::new_reusing`], with a theme already loaded (the live
    /// preview keeps it until a template or `site.toml` changes).
    pub fn new_with_theme(
        community: &'a Project,
        opts: BuildOptions,
        theme: Arc<Theme>,
        reuse: &mut dyn FnMut(usize, &Post) -> Option<Card>,
    ) -> anyhow::Result<Site<'a>> {
        let site = Self::new_unchecked(community, opts, theme, reuse, None);
        site.check_outputs()?;
        Ok(site)
    }

    /// Like [`Site::new_with_theme`], without checking the output paths
    /// ([`Site::check_outputs`]): the live preview checks them only when
    /// they differ from those of its last good model. The listings and
    /// contributors of `prior` (an earlier model of the same site settings
    /// and members, [`Site::take_taxonomy`]) are reused when they were made
    /// from the same posts.
    pub fn new_unchecked(
        community: &'a Project,
        opts: BuildOptions,
        theme: Arc<Theme>,
        reuse: &mut dyn FnMut(usize, &Post) -> Option<Card>,
        prior: Option<Taxonomy>,
    ) -> Site<'a> {
        let c = community;
        let lang = c.config.language;
        let now = opts.clock.now;
        let mut order: Vec<usize> = (0..c.posts.len())
            .filter(|&i| c.included(&c.posts[i], now, opts.include))
            .collect();
        // Newest first, then by path; each post's time looked up once.
        order.sort_by_cached_key(|&i| {
            (
                std::cmp::Reverse(c.post_time(&c.posts[i])),
                c.posts[i].path.as_str(),
            )
        });

        let mut cards = HashMap::with_capacity(order.len());
        for &i in &order {
            let p = &c.posts[i];
            let card = reuse(i, p).unwrap_or_else(|| model::card(c, p, now));
            cards.insert(i, card);
        }
        let t = i18n::table(lang);
        let taxonomy_fp = model::taxonomy_fp(c, &order);
        let (listings, contributors, anonymous_count) = match prior {
            Some(t) if t.fp == taxonomy_fp => (t.listings, t.contributors, t.anonymous_count),
            _ => {
                let (contributors, anonymous_count) = model::contributors(c, &order);
                (
                    model::listings(c, &order, &t),
                    contributors,
                    anonymous_count,
                )
            }
        };

        // A card appears on up to a dozen listing pages: render it once,
        // when a page first needs it (an incremental rebuild renders few).
        let card_html: HashMap<usize, OnceLock<Result<String, String>>> =
            cards.keys().map(|&i| (i, OnceLock::new())).collect();

        Site {
            community,
            opts,
            theme,
            order,
            cards,
            card_html,
            listings,
            contributors,
            anonymous_count,
            t,
            nav_index: OnceLock::new(),
            taxonomy_fp,
        }
    }

    /// The listings and contributors of this model, for the next one
    /// (see [`Site::new_unchecked`]); this model has none left.
    pub fn take_taxonomy(&mut self) -> Taxonomy {
        Taxonomy {
            fp: self.taxonomy_fp,
            listings: std::mem::take(&mut self.listings),
            contributors: std::mem::take(&mut self.contributors),
            anonymous_count: self.anonymous_count,
        }
    }

    /// The related-post index, if a page built it: the live preview keeps
    /// it for its next model while the posts' order, titles, tags and
    /// columns stay the same.
    pub(crate) fn take_nav_index(&mut self) -> Option<nav::Index> {
        self.nav_index.take()
    }

    /// Gives the model the related-post index of an earlier model of the
    /// same posts (same order, titles, tags and columns).
    pub(crate) fn reuse_nav_index(&mut self, index: nav::Index) {
        let _ = self.nav_index.set(index);
    }

    /// Checks every output path of the build in one map — pages, theme
    /// files, attachments under `content/` and the search index: each must
    /// be a plain relative path, use no name Windows reserves, and differ
    /// from every other (also when case and Unicode form are ignored, as
    /// macOS and Windows do, and as a file against a folder). Every
    /// collision is an error naming both sources.
    pub fn check_outputs(&self) -> anyhow::Result<()> {
        let jobs = self.jobs();
        let mut claims: Vec<(String, Claim<'_>)> =
            Vec::with_capacity(jobs.len() + self.theme.statics.len() + self.community.assets.len());
        claims.extend(jobs.iter().map(|j| (self.path_of(j), Claim::Job(j))));
        claims.extend(
            self.theme
                .statics
                .iter()
                .map(|(rel, src)| (rel.clone(), Claim::Theme(rel, src))),
        );
        claims.extend(
            self.community
                .assets
                .iter()
                .map(|a| (a.path.clone(), Claim::Asset(&a.source))),
        );
        let search_key = crate::archive::search::DIR.to_ascii_lowercase();
        let search_dir = format!("{search_key}/");
        let mut files: HashMap<String, (usize, bool)> = HashMap::with_capacity(claims.len());
        let mut errors: Vec<(usize, String)> = Vec::new();
        for (n, (path, claim)) in claims.iter().enumerate() {
            let what = || self.describe(claim);
            if path.is_empty()
                || path.starts_with('/')
                || path
                    .split('/')
                    .any(|s| s.is_empty() || s == "." || s == "..")
            {
                errors.push((n, format!(
                    "{} would be written to `{path}`, which is not a plain path inside the output folder",
                    what()
                )));
                continue;
            }
            if let Some(seg) = path
                .split('/')
                .find(|s| crate::core::slug::windows_reserved(s))
            {
                errors.push((n, format!(
                    "{} would be written to {path}: `{seg}` is a name Windows reserves for a device, so the archive could not be copied or unpacked there; rename it",
                    what()
                )));
                continue;
            }
            let key = crate::core::slug::path_key(path);
            if key == search_key || key.starts_with(&search_dir) {
                errors.push((n, format!(
                    "{} would be written to {path}, inside search/, which the search index uses; rename it",
                    what()
                )));
                continue;
            }
            let mut clash = |other: usize, other_is_dir: bool, me_dir: bool| {
                let (p0, c0) = &claims[other];
                let how = if other_is_dir || me_dir {
                    "a file and a folder of the same name".to_string()
                } else if p0 == path {
                    "the same file".to_string()
                } else {
                    "the same file on systems that ignore case or Unicode form (macOS, Windows)"
                        .to_string()
                };
                errors.push((
                    n,
                    format!(
                        "{} ({p0}) and {} ({path}) would be written to {how}; rename one of them",
                        self.describe(c0),
                        what()
                    ),
                ));
            };
            // The folders above this file.
            for (i, _) in key.match_indices('/') {
                match files.get(&key[..i]) {
                    Some(&(other, false)) => clash(other, false, true),
                    Some(_) => {}
                    None => {
                        files.insert(key[..i].to_string(), (n, true));
                    }
                }
            }
            match files.get(&key) {
                Some(&(other, is_dir)) => clash(other, is_dir, false),
                None => {
                    files.insert(key, (n, false));
                }
            }
        }
        if errors.is_empty() {
            return Ok(());
        }
        errors.dedup();
        let mut diags = crate::core::diag::Diagnostics::new();
        for (n, msg) in errors {
            let (file, line) = self.origin(&claims[n].1);
            diags.push(crate::core::diag::Diagnostic::error(file, msg).at_opt_line(line));
        }
        Err(crate::core::diag::Problems(diags).into())
    }

    /// The file (and line, when it can be found) that asks for a claim's
    /// output path, for [`Site::check_outputs`]'s diagnostics.
    fn origin(&self, claim: &Claim<'_>) -> (std::path::PathBuf, Option<usize>) {
        let c = self.community;
        let root = &c.config.root;
        let config = || {
            (
                std::path::PathBuf::from(crate::core::config::CONFIG_FILE),
                None,
            )
        };
        // The first line of `file` (relative to the root) that starts with `key`.
        let line_in = |file: &std::path::Path, key: &str| {
            std::fs::read_to_string(root.join(file))
                .ok()
                .and_then(|t| t.lines().position(|l| l.starts_with(key)).map(|i| i + 1))
        };
        let post = |i: usize, keys: &[&str]| {
            let src = &c.posts[i].source;
            let line = keys.iter().find_map(|k| line_in(src, k));
            (src.clone(), line)
        };
        match claim {
            Claim::Asset(source) => (source.to_path_buf(), None),
            Claim::Theme(_, theme::StaticSource::File(p)) => {
                (p.strip_prefix(root).unwrap_or(p).to_path_buf(), None)
            }
            Claim::Theme(_, theme::StaticSource::Embedded(_)) => config(),
            Claim::Job(Job::Post(i)) => post(*i, &["slug:", "title:"]),
            Claim::Job(Job::Listing { listing, .. }) => {
                let l = &self.listings[*listing];
                let key = match l.group {
                    "tag" => "tags:",
                    "stage" => "stage:",
                    _ => return config(),
                };
                match l.items.first() {
                    Some(&i) => post(i, &[key]),
                    None => config(),
                }
            }
            Claim::Job(Job::Member(i)) => {
                let file = c.config.members_file.clone();
                let key = format!("{}:", self.contributors[*i].handle);
                let line = line_in(&file, &key);
                (file, line)
            }
            Claim::Job(_) => config(),
        }
    }

    /// Who claims an output path, in words, for [`Site::check_outputs`].
    fn describe(&self, claim: &Claim<'_>) -> String {
        let c = self.community;
        match claim {
            Claim::Theme(rel, theme::StaticSource::Embedded(_)) => {
                format!("the theme's {rel}")
            }
            Claim::Theme(_, theme::StaticSource::File(p)) => {
                format!("the theme file {}", p.display())
            }
            Claim::Asset(source) => source.display().to_string(),
            Claim::Job(job) => match job {
                Job::Home => "the home page".into(),
                Job::Post(i) => c.posts[*i].source.display().to_string(),
                Job::Listing { listing, .. } => {
                    let l = &self.listings[*listing];
                    let used_in = l
                        .items
                        .first()
                        .map(|&i| format!(", used in {}", c.posts[i].source.display()))
                        .unwrap_or_default();
                    match l.group {
                        "tag" => format!("the listing of tag `{}`{used_in}", l.title),
                        "stage" => format!("the listing of stage `{}`{used_in}", l.title),
                        "column" => format!("the listing of column `{}` (site.toml)", l.title),
                        _ => format!("the listing of {}", l.base),
                    }
                }
                Job::TagIndex => "the list of tags".into(),
                Job::StageIndex => "the list of stages".into(),
                Job::MemberIndex => "the list of members".into(),
                Job::Member(i) => format!(
                    "the page of member `{}` ({})",
                    self.contributors[*i].handle,
                    c.config.members_file.display()
                ),
                Job::NotFound => "the 404 page".into(),
                Job::Feed => "the feed".into(),
                Job::Sitemap => "the sitemap".into(),
            },
        }
    }

    /// Every job of a full build.
    pub fn jobs(&self) -> Vec<Job> {
        let per = self.community.config.paginate;
        let mut v = vec![
            Job::Home,
            Job::TagIndex,
            Job::StageIndex,
            Job::MemberIndex,
            Job::NotFound,
            Job::Feed,
            Job::Sitemap,
        ];
        v.extend(self.order.iter().map(|&i| Job::Post(i)));
        for (li, l) in self.listings.iter().enumerate() {
            for page in 1..=l.pages(per) {
                v.push(Job::Listing { listing: li, page });
            }
        }
        v.extend((0..self.contributors.len()).map(Job::Member));
        v
    }

    /// The output path of a job.
    pub fn path_of(&self, job: &Job) -> String {
        match job {
            Job::Home => "index.html".into(),
            Job::Post(i) => self.community.posts[*i].path.clone(),
            Job::Listing { listing, page } => self.listings[*listing].page_path(*page),
            Job::TagIndex => "tags/index.html".into(),
            Job::StageIndex => "stages/index.html".into(),
            Job::MemberIndex => "members/index.html".into(),
            Job::Member(i) => format!("members/{}.html", self.contributors[*i].slug),
            Job::NotFound => "404.html".into(),
            Job::Feed => "atom.xml".into(),
            Job::Sitemap => "sitemap.xml".into(),
        }
    }

    fn base_context(&self, path: &str) -> tera::Context {
        let cfg = &self.community.config;
        let root = self.root_of(path);
        let mut ctx = tera::Context::new();
        ctx.insert("root", &root);
        ctx.insert("path", path);
        ctx.insert("t", &self.t);
        ctx.insert(
            "site",
            &serde_json::json!({
                "title": cfg.title,
                "description": cfg.description,
                "lang": cfg.language.tag(),
                "base_url": cfg.base_url,
            }),
        );
        let nav: Vec<Link> = cfg
            .columns
            .iter()
            .map(|col| Link {
                name: col.name.clone(),
                href: encode_path(&format!("columns/{}/index.html", term_slug(&col.id))),
            })
            .collect();
        ctx.insert("nav", &nav);
        ctx.insert("share", &cards::tags(self, path));
        ctx
    }

    /// The card of post `i` rendered with `card.html`, links prefixed with
    /// [`ROOT_MARK`]; rendered on first use, then shared by every page.
    fn card_html(&self, i: usize) -> anyhow::Result<&str> {
        let (Some(card), Some(slot)) = (self.cards.get(&i), self.card_html.get(&i)) else {
            return Ok("");
        };
        let html = slot.get_or_init(|| {
            let mut ctx = tera::Context::new();
            ctx.insert("root", ROOT_MARK);
            ctx.insert("heading", HEADING_MARK);
            ctx.insert("t", &self.t);
            ctx.insert("c", card);
            self.theme
                .tera
                .render("card.html", &ctx)
                .map_err(|e| format!("rendering card.html: {}", tera_error(&e)))
        });
        html.as_deref().map_err(|e| anyhow!("{e}"))
    }

    /// The cards of `items`, for a page whose root is `root`, their titles
    /// headings of level `heading`.
    fn cards_html(&self, items: &[usize], root: &str, heading: u8) -> anyhow::Result<String> {
        let mut s = String::with_capacity(items.len() * 1024);
        for &i in items {
            s.push_str(self.card_html(i)?);
        }
        Ok(s.replace(ROOT_MARK, root)
            .replace(HEADING_MARK, &heading.to_string()))
    }

    /// `root` of the page at `path`.
    fn root_of(&self, path: &str) -> String {
        "../".repeat(path.matches('/').count())
    }

    fn render_template(&self, name: &str, ctx: &tera::Context) -> anyhow::Result<Vec<u8>> {
        self.theme
            .tera
            .render(name, ctx)
            .map(|s| s.into_bytes())
            .map_err(|e| anyhow!("rendering {name}: {}", tera_error(&e)))
    }

    /// Renders one job.
    pub fn render(&self, job: &Job) -> anyhow::Result<Page> {
        let path = self.path_of(job);
        let bytes = match job {
            Job::Feed => feed::atom(self),
            Job::Sitemap => feed::sitemap(self),
            Job::Home => self.render_home(&path)?,
            Job::Post(i) => self.render_post(*i, &path)?,
            Job::Listing { listing, page } => self.render_listing(*listing, *page, &path)?,
            Job::TagIndex | Job::StageIndex => self.render_terms(job, &path)?,
            Job::MemberIndex => self.render_member_index(&path)?,
            Job::Member(i) => self.render_member(*i, &path)?,
            Job::NotFound => {
                let mut ctx = self.base_context(&path);
                ctx.insert(
                    "base_path_js",
                    &permalinks::js_string(url_path(&self.community.config.base_url)),
                );
                self.render_template("404.html", &ctx)?
            }
        };
        Ok(Page { path, bytes })
    }

    fn render_post(&self, i: usize, path: &str) -> anyhow::Result<Vec<u8>> {
        let c = self.community;
        let p = &c.posts[i];
        let card = self
            .cards
            .get(&i)
            .ok_or_else(|| anyhow!("{} is not part of this build", p.source.display()))?;
        let mut ctx = self.base_context(path);
        ctx.insert("post", card);
        ctx.insert("html", &p.body.rendered.html);
        nav::insert(self, i, path, &mut ctx);
        ctx.insert(
            "authors",
            &p.authors.iter().map(|h| person(c, h)).collect::<Vec<_>>(),
        );
        let Some(th) = &p.thread else {
            return self.render_template("post.html", &ctx);
        };
        let answer = |idx: usize, a: &crate::core::content::Answer| {
            serde_json::json!({
                "id": format!("answer-{}", idx + 1),
                "author": person(c, &a.author),
                "title": a.title,
                "html": a.body.rendered.html,
                "accepted": a.accepted,
                "replies": a.replies.iter().map(|r| serde_json::json!({
                    "author": person(c, &r.author),
                    "html": r.body.rendered.html,
                })).collect::<Vec<_>>(),
            })
        };
        let accepted: Option<serde_json::Value> = th
            .answers
            .iter()
            .enumerate()
            .find(|(_, a)| a.accepted)
            .map(|(k, a)| answer(k, a));
        let others: Vec<serde_json::Value> = th
            .answers
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.accepted)
            .map(|(k, a)| answer(k, a))
            .collect();
        let mut participants: Vec<Person> = Vec::new();
        for h in th
            .asked_by
            .iter()
            .map(|s| s.as_str())
            .chain(th.answerers())
            .chain(th.summary_by.as_deref())
        {
            let pp = person(c, h);
            if !participants.contains(&pp) {
                participants.push(pp);
            }
        }
        ctx.insert("asked_by", &th.asked_by.as_deref().map(|h| person(c, h)));
        ctx.insert("accepted", &accepted);
        ctx.insert("others", &others);
        ctx.insert(
            "summary_html",
            &th.summary.as_ref().map(|s| &s.rendered.html),
        );
        ctx.insert(
            "summary_by",
            &th.summary_by.as_deref().map(|h| person(c, h)),
        );
        ctx.insert("participants", &participants);
        ctx.insert("jsonld", &self.qa_jsonld(p, card));
        self.render_template("thread.html", &ctx)
    }

    /// schema.org `QAPage` JSON-LD for a thread, safe to put inside `<script>`.
    fn qa_jsonld(&self, p: &Post, card: &Card) -> String {
        let c = self.community;
        let lang = c.config.language;
        let Some(th) = &p.thread else {
            return String::new();
        };
        let url = format!("{}{}", c.config.base_url, p.href());
        let author = |h: &str| serde_json::json!({"@type": "Person", "name": c.members.credit(h).display(lang)});
        let ans = |k: usize, a: &crate::core::content::Answer| {
            let mut v = serde_json::json!({
                "@type": "Answer",
                "text": excerpt(&a.body.rendered.text, 2000),
                "url": format!("{url}#answer-{}", k + 1),
                "author": author(&a.author),
            });
            if let Some(t) = &card.iso {
                v["dateCreated"] = t.clone().into();
            }
            v
        };
        let mut q = serde_json::json!({
            "@type": "Question",
            "name": p.title,
            "text": excerpt(&p.body.rendered.text, 2000),
            "answerCount": th.answers.len(),
        });
        if let Some(h) = &th.asked_by {
            q["author"] = author(h);
        }
        if let Some(t) = &card.iso {
            q["dateCreated"] = t.clone().into();
        }
        if let Some((k, a)) = th.answers.iter().enumerate().find(|(_, a)| a.accepted) {
            q["acceptedAnswer"] = ans(k, a);
        }
        let suggested: Vec<_> = th
            .answers
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.accepted)
            .map(|(k, a)| ans(k, a))
            .collect();
        if !suggested.is_empty() {
            q["suggestedAnswer"] = suggested.into();
        }
        let doc = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "QAPage",
            "mainEntity": q,
        });
        // `</script>` or `<!--` inside a string must not end the script element.
        doc.to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn the_path_of_the_base_url() {
        assert_eq!(url_path("https://example.org/tongxing/"), "/tongxing/");
        assert_eq!(url_path("http://localhost/"), "/");
        assert_eq!(url_path("https://example.org"), "/");
    }
}
