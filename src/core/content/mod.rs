//! Loading a community: `site.toml`, `content/**.md` and `members.yaml`
//! become one validated [`Community`].
//!
//! Loading runs in three passes: files are read and their front matter
//! parsed in parallel; then URLs are assigned and checked for duplicates
//! (this needs every post); then Markdown is rendered in parallel with links
//! between posts resolved. Problems are collected as diagnostics, never
//! panics, and every one names the file, the line and the field.

pub mod frontmatter;
pub mod thread;
pub mod walk;

use crate::core::config::SiteConfig;
use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::kind::Kind;
use crate::core::markdown::{self, RefKind, Rendered, Resolved};
pub use crate::core::members::{self, Credit, Member, Members, Privacy};
use crate::core::slug::{encode_path, slugify};
use crate::core::time::parse_datetime;
use chrono::{DateTime, Utc};
use frontmatter::{field_line, FrontMatter};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
pub use thread::Status;

/// The folder under the root that holds the posts.
pub const CONTENT_DIR: &str = "content";

/// A rendered piece of a post: its Markdown and the HTML/text made from it.
#[derive(Debug, Clone)]
pub struct Section {
    /// The Markdown as written.
    pub markdown: String,
    /// 1-based file line where it starts.
    pub line: usize,
    /// The rendered, sanitised result (links resolved for the archive);
    /// empty after [`Community::load_metadata`].
    pub rendered: Rendered,
}

impl Section {
    /// The section's plain text: the rendered text, or, when the section was
    /// loaded without rendering, the text of a fresh render.
    pub fn plain_text(&self) -> std::borrow::Cow<'_, str> {
        if !self.rendered.text.is_empty() || self.markdown.trim().is_empty() {
            return std::borrow::Cow::Borrowed(&self.rendered.text);
        }
        let r = markdown::render(
            &self.markdown,
            &markdown::RenderOptions {
                id_prefix: "",
                resolve: &markdown::keep_all,
                links: &[],
            },
        );
        std::borrow::Cow::Owned(r.text)
    }
}

/// A reply under an answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Author handle.
    pub author: String,
    /// The reply.
    pub body: Section,
}

/// An answer in a thread.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Author handle.
    pub author: String,
    /// The answer's own title, if it has one.
    pub title: Option<String>,
    /// The answer's text.
    pub body: Section,
    /// Replies under it.
    pub replies: Vec<Reply>,
    /// True for the accepted answer.
    pub accepted: bool,
}

/// The Q&A part of a thread.
#[derive(Debug, Clone)]
pub struct Thread {
    /// Who asked.
    pub asked_by: Option<String>,
    /// Open or solved.
    pub status: Status,
    /// Handle of the accepted answer's author.
    pub accepted: Option<String>,
    /// Handle of the summary's author.
    pub summary_by: Option<String>,
    /// Answers in file order.
    pub answers: Vec<Answer>,
    /// The summary.
    pub summary: Option<Section>,
}

impl Thread {
    /// The accepted answer, if any.
    pub fn accepted_answer(&self) -> Option<&Answer> {
        self.answers.iter().find(|a| a.accepted)
    }

    /// Distinct handles of everyone who answered or replied to an answer.
    /// The asker's own follow-ups (their replies under answers) are
    /// questions, not answers, so they do not make the asker an answerer.
    pub fn answerers(&self) -> BTreeSet<&str> {
        let asker = self.asked_by.as_deref();
        let mut s = BTreeSet::new();
        for a in &self.answers {
            s.insert(a.author.as_str());
            for r in &a.replies {
                if Some(r.author.as_str()) != asker {
                    s.insert(r.author.as_str());
                }
            }
        }
        s
    }
}

/// One post: a brief, a case or a Q&A thread.
#[derive(Debug, Clone)]
pub struct Post {
    /// Source file, relative to the site root (`content/qa/foo.md`).
    pub source: PathBuf,
    /// Kind of post.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Slug (explicit or made from the title).
    pub slug: String,
    /// Output path relative to the site root (`qa/<slug>.html`), unencoded.
    pub path: String,
    /// Pinned publish time, if any.
    pub publish_at: Option<DateTime<Utc>>,
    /// Expiry time, if any.
    pub expire_at: Option<DateTime<Utc>>,
    /// Draft flag.
    pub draft: bool,
    /// Column id.
    pub column: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Stage / cohort.
    pub stage: Option<String>,
    /// Author handles (for a thread: who wrote the post, if given).
    pub authors: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Explicit queue position.
    pub queue: Option<i64>,
    /// The main text: the whole body of a brief or case, the question of a thread.
    pub body: Section,
    /// The Q&A part, for threads.
    pub thread: Option<Thread>,
}

impl Post {
    /// The output path percent-encoded for an `href` relative to the site root.
    pub fn href(&self) -> String {
        encode_path(&self.path)
    }

    /// Whether the post is a solved thread or not a thread at all.
    pub fn is_publishable_kind(&self) -> bool {
        match &self.thread {
            Some(t) => t.status == Status::Solved,
            None => true,
        }
    }

    /// The time the post counts as published at: its pinned time, or the
    /// delivery time recorded for a queued post.
    pub fn effective_time(&self, delivered: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.publish_at.or(delivered)
    }

    /// Every handle the post credits, with duplicates.
    pub fn all_handles(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.authors.iter().map(|s| s.as_str()).collect();
        if let Some(t) = &self.thread {
            v.extend(t.asked_by.as_deref());
            v.extend(t.summary_by.as_deref());
            v.extend(t.accepted.as_deref());
            for a in &t.answers {
                v.push(&a.author);
                v.extend(a.replies.iter().map(|r| r.author.as_str()));
            }
        }
        v
    }

    /// All plain text of the post: the body, and for a thread every answer,
    /// reply and the summary (the accepted answer counts as part of the thread).
    pub fn full_text(&self) -> String {
        let mut s = self.body.rendered.text.clone();
        if let Some(t) = &self.thread {
            for a in &t.answers {
                s.push('\n');
                if let Some(title) = &a.title {
                    s.push_str(title);
                    s.push('\n');
                }
                s.push_str(&a.body.rendered.text);
                for r in &a.replies {
                    s.push('\n');
                    s.push_str(&r.body.rendered.text);
                }
            }
            if let Some(sum) = &t.summary {
                s.push('\n');
                s.push_str(&sum.rendered.text);
            }
        }
        s
    }
}

/// Why a post is or is not in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Published.
    Published,
    /// `draft: true`.
    Draft,
    /// Pinned to a time that has not come.
    Future,
    /// Queued without a time and not yet delivered.
    Queued,
    /// Past its `expire_at`.
    Expired,
    /// A thread that is not solved.
    Open,
}

/// What a build includes besides published posts.
#[derive(Debug, Clone, Copy, Default)]
pub struct IncludeOptions {
    /// Include drafts.
    pub drafts: bool,
    /// Include future and queued posts.
    pub future: bool,
    /// Include open threads (the live preview).
    pub open: bool,
}

/// The loaded community.
#[derive(Debug, Clone)]
pub struct Community {
    /// The configuration.
    pub config: SiteConfig,
    /// The members.
    pub members: Members,
    /// All posts (published or not), sorted by source path.
    pub posts: Vec<Post>,
    /// Files under `content/` that the archive copies beside its pages
    /// (see [`walk`]), sorted by source.
    pub assets: Vec<walk::Asset>,
    /// Delivery times of queued posts, by source path (filled from the delivery ledger).
    pub delivered: HashMap<PathBuf, DateTime<Utc>>,
}

impl Community {
    /// Loads and validates the community at `root`. Returns the model when
    /// there are no errors; the diagnostics either way.
    pub fn load(root: &Path) -> (Option<Community>, Diagnostics) {
        Self::load_mode(root, Depth::Rendered)
    }

    /// Like [`Community::load`], but reads only what a plan needs: the
    /// front matter of every post (each file is read only up to its closing
    /// `---`), with every check of the front matter. The body is not read:
    /// sections are empty and threads have no answers until
    /// [`Community::load_text`] reads the posts a command prints, with the
    /// checks of their bodies. `qunshu check` checks every body.
    pub fn load_metadata(root: &Path) -> (Option<Community>, Diagnostics) {
        Self::load_mode(root, Depth::FrontMatter)
    }

    /// Reads the text of the posts at `sources` (relative to the root), for
    /// a community loaded by [`Community::load_metadata`]: their sections
    /// get their Markdown (unrendered; [`Section::plain_text`] renders it on
    /// demand) and threads their answers, with the checks of their bodies
    /// that need no HTML. Returns the problems found in those files (a file
    /// may also have changed since the first load).
    pub fn load_text<'a>(&mut self, sources: impl IntoIterator<Item = &'a Path>) -> Diagnostics {
        self.load_bodies(sources, Depth::Unrendered)
    }

    /// Like [`Community::load_text`], but renders the posts as
    /// [`Community::load`] does, with every check of it: the links and
    /// images of those posts are resolved against the whole community.
    pub fn load_rendered<'a>(
        &mut self,
        sources: impl IntoIterator<Item = &'a Path>,
    ) -> Diagnostics {
        self.load_bodies(sources, Depth::Rendered)
    }

    fn load_bodies<'a>(
        &mut self,
        sources: impl IntoIterator<Item = &'a Path>,
        depth: Depth,
    ) -> Diagnostics {
        let wanted: BTreeSet<&Path> = sources.into_iter().collect();
        let (config, members) = (&self.config, &self.members);
        // Links are resolved only when rendering.
        let url_of: HashMap<&std::ffi::OsStr, &str> = match depth {
            Depth::Rendered => self
                .posts
                .iter()
                .map(|p| (p.source.as_os_str(), p.path.as_str()))
                .collect(),
            _ => HashMap::new(),
        };
        let built: Vec<(usize, Option<Post>, Vec<Diagnostic>)> = self
            .posts
            .par_iter()
            .enumerate()
            .filter(|(_, post)| wanted.contains(post.source.as_path()))
            .map(
                |(i, post)| match parse_file(config, members, &post.source, depth) {
                    Ok(p) => {
                        let refs = std::sync::Mutex::new(Vec::new());
                        let resolve = |kind: RefKind, dest: &str| {
                            resolve_link(&config.root, &p.source, &url_of, &refs, kind, dest)
                        };
                        let m = &p.meta;
                        let (fresh, ds) = build_post(&p, members, config.language, depth, &resolve);
                        (i, Some(fresh), m.diags.iter().cloned().chain(ds).collect())
                    }
                    Err(ds) => (i, None, ds),
                },
            )
            .collect();
        let mut diags = Diagnostics::new();
        for (i, post, ds) in built {
            if let Some(post) = post {
                self.posts[i] = post;
            }
            diags.extend(ds);
        }
        diags
    }

    fn load_mode(root: &Path, depth: Depth) -> (Option<Community>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let config = match SiteConfig::load(root) {
            Ok(c) => c,
            Err(d) => return (None, d),
        };
        let members = Members::load(root, &config.members_file, &mut diags);
        let (posts, assets) = load_posts(&config, &members, depth, &mut diags);
        if diags.error_count() > 0 {
            return (None, diags);
        }
        let mut c = Community {
            config,
            members,
            posts,
            assets,
            delivered: HashMap::new(),
        };
        c.read_delivery_history(&mut diags);
        if diags.error_count() > 0 {
            return (None, diags);
        }
        (Some(c), diags)
    }

    /// Fills [`Community::delivered`] from the delivery ledger
    /// (`.qunshu/ledger.jsonl`), so that every output — `build`, `serve`,
    /// `book`, the plan — dates a delivered queued post the same way. An
    /// unreadable ledger is an error naming it.
    fn read_delivery_history(&mut self, diags: &mut Diagnostics) {
        if let Err(e) = crate::core::ledger::fill_delivered(self) {
            diags.push(Diagnostic::error(
                Path::new(crate::core::ledger::STATE_DIR).join(crate::core::ledger::LEDGER_FILE),
                e,
            ));
        }
    }

    /// Like [`Community::load`], but fills `cache` for later
    /// [`Community::reload_content`] calls, and returns the community even
    /// when some posts have errors (those posts are left out); `None` only
    /// when `site.toml` cannot be used.
    pub fn load_with_cache(root: &Path, cache: &mut LoadCache) -> (Option<Community>, Diagnostics) {
        let config = match SiteConfig::load(root) {
            Ok(c) => c,
            Err(d) => return (None, d),
        };
        let mut mdiags = Diagnostics::new();
        let members = Members::load(root, &config.members_file, &mut mdiags);
        cache.members_diags = mdiags.iter().cloned().collect();
        let mut diags = mdiags;
        let posts = load_posts_cached(&config, &members, cache, None, Vec::new(), &mut diags);
        let mut c = Community {
            config,
            members,
            posts,
            assets: cache.assets(),
            delivered: HashMap::new(),
        };
        c.read_delivery_history(&mut diags);
        (Some(c), diags)
    }

    /// Re-reads the content paths in `changed` (relative to the root: files
    /// or folders under `content/` that were written, created, renamed or
    /// removed) and re-renders only those posts and the posts whose links or
    /// images point at them. `site.toml` and the members file are not
    /// re-read: when they change, load again. Returns every diagnostic of the
    /// community as it now is. The result equals a fresh
    /// [`Community::load_with_cache`].
    pub fn reload_content(
        &mut self,
        cache: &mut LoadCache,
        changed: &BTreeSet<PathBuf>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        diags.extend(cache.members_diags.iter().cloned());
        // Posts are sorted by source, as the loader needs them.
        let old = std::mem::take(&mut self.posts);
        self.posts = load_posts_cached(
            &self.config,
            &self.members,
            cache,
            Some(changed),
            old,
            &mut diags,
        );
        self.assets = cache.assets();
        diags
    }

    /// The visibility of a post at instant `now`.
    pub fn visibility(&self, post: &Post, now: DateTime<Utc>) -> Visibility {
        if post.draft {
            return Visibility::Draft;
        }
        if !post.is_publishable_kind() {
            return Visibility::Open;
        }
        if let Some(exp) = post.expire_at {
            if exp <= now {
                return Visibility::Expired;
            }
        }
        match post.effective_time(self.delivered.get(&post.source).copied()) {
            None => Visibility::Queued,
            Some(t) if t > now => Visibility::Future,
            Some(_) => Visibility::Published,
        }
    }

    /// Whether a post goes into an output built at `now` with `opts`.
    pub fn included(&self, post: &Post, now: DateTime<Utc>, opts: IncludeOptions) -> bool {
        match self.visibility(post, now) {
            Visibility::Published => true,
            Visibility::Draft => {
                opts.drafts
                    && (post.is_publishable_kind() || opts.open)
                    && (post.publish_at.is_none_or(|t| t <= now) || opts.future)
            }
            Visibility::Future | Visibility::Queued => opts.future,
            Visibility::Open => opts.open,
            Visibility::Expired => false,
        }
    }

    /// The time a post is dated with in outputs: pinned or delivered time, if any.
    pub fn post_time(&self, post: &Post) -> Option<DateTime<Utc>> {
        post.effective_time(self.delivered.get(&post.source).copied())
    }
}

/// How much of each post a load reads and keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Depth {
    /// Everything, with the Markdown rendered to HTML and text.
    #[default]
    Rendered,
    /// Everything, with the Markdown kept unrendered.
    Unrendered,
    /// The front matter only: files are read up to the closing `---`.
    FrontMatter,
}

struct Parsed {
    source: PathBuf,
    kind: Kind,
    front: FrontMatter,
    /// The whole file; the front matter and body are ranges of it (one
    /// allocation per file, not a copy of each part).
    text: String,
    yaml: std::ops::Range<usize>,
    yaml_line: usize,
    body: std::ops::Range<usize>,
    body_line: usize,
    /// A thread's answers, replies and summary as ranges of the body.
    outline: Option<thread::RawThread>,
    publish_at: Option<DateTime<Utc>>,
    expire_at: Option<DateTime<Utc>>,
    meta: FileMeta,
}

impl Parsed {
    /// The YAML between the `---` lines.
    fn yaml(&self) -> &str {
        &self.text[self.yaml.clone()]
    }

    /// The Markdown after the front matter.
    fn body(&self) -> &str {
        &self.text[self.body.clone()]
    }
}

thread_local! {
    /// The read buffer of [`Depth::FrontMatter`] loads, reused file after
    /// file: their text is not kept, so no memory is allocated per file for it.
    static READ_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The error for a file that is not UTF-8: its line, counted in `bytes`.
fn not_utf8(rel: &Path, bytes: &[u8], valid_up_to: usize) -> Vec<Diagnostic> {
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    vec![Diagnostic::error(
        rel,
        "the file is not valid UTF-8 text (save it as UTF-8; GBK and other encodings are not read)",
    )
    .at_line(line)]
}

/// Reads and parses one content file. At [`Depth::FrontMatter`] only the
/// head of the file, up to its closing `---`, is read, into a reused buffer.
fn parse_file(
    config: &SiteConfig,
    members: &Members,
    rel: &Path,
    depth: Depth,
) -> Result<Parsed, Vec<Diagnostic>> {
    let abs = config.root.join(rel);
    let cannot_read =
        |e: std::io::Error| vec![Diagnostic::error(rel, format!("cannot read the file: {e}"))];
    if depth == Depth::FrontMatter {
        return READ_BUF.with_borrow_mut(|buf| {
            let len = read_head(&abs, buf).map_err(cannot_read)?;
            let text = std::str::from_utf8(&buf[..len])
                .map_err(|e| not_utf8(rel, buf, e.valid_up_to()))?;
            parse_text(
                config,
                members,
                rel,
                std::borrow::Cow::Borrowed(text),
                depth,
            )
        });
    }
    let bytes = std::fs::read(&abs).map_err(cannot_read)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| not_utf8(rel, e.as_bytes(), e.utf8_error().valid_up_to()))?;
    parse_text(config, members, rel, std::borrow::Cow::Owned(text), depth)
}

/// Reads the start of the file at `path` into `buf`, in growing chunks,
/// until it holds the whole front matter (see [`front_matter_len`]) or the
/// whole file. Returns the length of the part to parse.
fn read_head(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    buf.clear();
    let mut chunk: u64 = 2048;
    loop {
        let n = (&mut file).take(chunk).read_to_end(buf)?;
        if (n as u64) < chunk {
            return Ok(buf.len()); // the whole file
        }
        if let Some(len) = front_matter_len(buf) {
            return Ok(len);
        }
        chunk = chunk.saturating_mul(4);
    }
}

/// The length of the front matter at the start of `head` (the first bytes
/// of a file), up to and including the closing `---` (or `...`) line's
/// newline; `None` when the closing line has not been read yet, or when the
/// file does not start with `---` (then its error needs the whole file).
/// Works on bytes, so only the front matter is ever checked as UTF-8; it
/// finds the same closing line as [`frontmatter::split`], which parses the
/// result.
fn front_matter_len(head: &[u8]) -> Option<usize> {
    let text = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let mut end = head.len() - text.len();
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    let first = lines.next()?;
    if !first.ends_with(b"\n") || first.trim_ascii_end() != b"---" {
        return None;
    }
    end += first.len();
    for line in lines {
        if !line.ends_with(b"\n") {
            return None; // not read to its end yet
        }
        end += line.len();
        if matches!(line.trim_ascii_end(), b"---" | b"...") {
            return Some(end);
        }
    }
    None
}

/// Parses the text of one content file (see [`parse_file`]).
fn parse_text(
    config: &SiteConfig,
    members: &Members,
    rel: &Path,
    text: std::borrow::Cow<'_, str>,
    depth: Depth,
) -> Result<Parsed, Vec<Diagnostic>> {
    let text = frontmatter::normalize_text(text);
    let split = frontmatter::split(&text)
        .map_err(|(line, msg)| vec![Diagnostic::error(rel, msg).at_line(line)])?;
    let front: FrontMatter = frontmatter::parse(&split).map_err(|p| {
        let mut d = Diagnostic::error(rel, p.message).at_opt_line(p.line);
        d.field = p.field;
        vec![d]
    })?;
    let mut errs = Vec::new();
    let line_of = |f: &str| field_line(split.yaml, split.yaml_line, f);

    let folder_kind = rel
        .components()
        .nth(1)
        .and_then(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .and_then(Kind::from_dir);
    let kind = match (&front.kind, folder_kind) {
        (Some(k), _) => match Kind::parse(k) {
            Some(k) => Some(k),
            None => {
                errs.push(
                    Diagnostic::error(
                        rel,
                        format!("`{k}` is not a kind of post (expected `brief`, `qa` or `case`)"),
                    )
                    .at_opt_line(line_of("kind"))
                    .field("kind"),
                );
                None
            }
        },
        (None, Some(k)) => Some(k),
        (None, None) => {
            errs.push(Diagnostic::error(
                rel,
                "cannot tell what kind of post this is: put it in content/briefs/, content/qa/ or content/cases/, or add `kind: brief|qa|case`",
            ).field("kind"));
            None
        }
    };
    match &front.title {
        Some(t) if !t.trim().is_empty() => {}
        _ => errs.push(
            Diagnostic::error(
                rel,
                "missing title (expected `title: …` in the front matter)",
            )
            .at_opt_line(line_of("title").or(Some(split.yaml_line)))
            .field("title"),
        ),
    }
    let mut time_field = |name: &str, v: &Option<String>| -> Option<DateTime<Utc>> {
        let s = v.as_ref()?;
        match parse_datetime(s, config.tz) {
            Ok(t) => Some(t),
            Err(m) => {
                errs.push(
                    Diagnostic::error(rel, m)
                        .at_opt_line(line_of(name))
                        .field(name),
                );
                None
            }
        }
    };
    let publish_at = time_field("publish_at", &front.publish_at);
    let expire_at = time_field("expire_at", &front.expire_at);
    if let (Some(p), Some(e)) = (publish_at, expire_at) {
        if e <= p {
            errs.push(
                Diagnostic::error(
                    rel,
                    "expire_at is not after publish_at; the post would never be shown",
                )
                .at_opt_line(line_of("expire_at"))
                .field("expire_at"),
            );
        }
    }
    if kind != Some(Kind::Qa) {
        for f in ["asked_by", "status", "accepted", "summary_by"] {
            let set = match f {
                "asked_by" => front.asked_by.is_some(),
                "status" => front.status.is_some(),
                "accepted" => front.accepted.is_some(),
                _ => front.summary_by.is_some(),
            };
            if set && kind.is_some() {
                errs.push(
                    Diagnostic::error(rel, format!("`{f}` is only for Q&A threads (files in content/qa/ or with `kind: qa`)"))
                        .at_opt_line(line_of(f))
                        .field(f),
                );
            }
        }
    }
    // Without a kind nothing more can be checked; any other problem is
    // reported together with what the later checks find (column, URL,
    // links, answers), so one run lists every problem of the file.
    if kind.is_none() {
        return Err(errs);
    }
    let kind = kind.unwrap_or(Kind::Brief);
    // A thread's outline: its answers, replies and summary as ranges of the
    // body (the body is not read at `Depth::FrontMatter`).
    let outline =
        (kind == Kind::Qa && depth != Depth::FrontMatter).then(|| thread::split(split.body));
    let yaml = range_in(&text, split.yaml);
    let mut body = range_in(&text, split.body);
    let (yaml_line, body_line) = (split.yaml_line, split.body_line);
    let text = if depth == Depth::FrontMatter {
        body = body.start..body.start;
        text[..body.start].to_string()
    } else {
        text.into_owned()
    };
    let mut parsed = Parsed {
        source: rel.to_path_buf(),
        kind,
        yaml,
        yaml_line,
        body,
        body_line,
        text,
        outline,
        front,
        publish_at,
        expire_at,
        meta: FileMeta {
            title: String::new(),
            slug: String::new(),
            column: String::new(),
            path: String::new(),
            key: String::new(),
            diags: Vec::new(),
        },
    };
    parsed.meta = file_meta(config, members, &parsed);
    errs.append(&mut parsed.meta.diags);
    parsed.meta.diags = errs;
    Ok(parsed)
}

/// The byte range that `part`, a slice of `whole`, covers in it.
fn range_in(whole: &str, part: &str) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// Normalises `a/b/../c` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
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

/// What pass 2 needs of one file, computed once when the file is read
/// (it depends only on the file and `site.toml`).
struct FileMeta {
    title: String,
    slug: String,
    column: String,
    path: String,
    /// The path folded ([`crate::core::slug::path_key`]): two posts whose paths
    /// differ only in case or Unicode form clash.
    key: String,
    diags: Vec<Diagnostic>,
}

fn file_meta(config: &SiteConfig, members: &Members, p: &Parsed) -> FileMeta {
    let mut out: Vec<Diagnostic> = Vec::new();
    let line_of = |f: &str| field_line(p.yaml(), p.yaml_line, f);
    // Mentions in the title are credited before the slug is made from it.
    let title = p.front.title.as_deref().unwrap_or_default().trim();
    let title = credit_plain(
        members,
        config.language,
        title,
        &p.source,
        line_of("title"),
        &mut out,
    );
    let column = match &p.front.column {
        Some(c) => match config.column(c) {
            Some(col) => {
                if col.kind != p.kind {
                    out.push(
                        Diagnostic::error(
                            &p.source,
                            format!(
                                "column `{c}` carries {} posts, but this is a {} post",
                                col.kind, p.kind
                            ),
                        )
                        .at_opt_line(line_of("column"))
                        .field("column"),
                    );
                }
                c.clone()
            }
            None => {
                let known: Vec<&str> = config.columns.iter().map(|c| c.id.as_str()).collect();
                out.push(
                    Diagnostic::error(
                        &p.source,
                        format!(
                            "there is no column `{c}` in site.toml (expected one of: {})",
                            known.join(", ")
                        ),
                    )
                    .at_opt_line(line_of("column"))
                    .field("column"),
                );
                c.clone()
            }
        },
        None => match config.default_column(p.kind) {
            Some(c) => c.id.clone(),
            None => {
                out.push(Diagnostic::error(
                    &p.source,
                    format!("no column in site.toml carries {} posts; add one with `kind = \"{}\"` or set `column:`", p.kind, p.kind),
                ).field("column"));
                String::new()
            }
        },
    };
    let slug = match &p.front.slug {
        Some(s) => {
            let clean = slugify(s);
            if clean.is_empty() {
                out.push(
                    Diagnostic::error(
                        &p.source,
                        format!("the slug `{s}` has no letters or digits"),
                    )
                    .at_opt_line(line_of("slug"))
                    .field("slug"),
                );
            }
            clean
        }
        None => {
            let s = slugify(&title);
            if s.is_empty() {
                p.source
                    .file_stem()
                    .map(|s| slugify(&s.to_string_lossy()))
                    .unwrap_or_default()
            } else {
                s
            }
        }
    };
    // A tag or stage names a page (`tags/<slug>/`): one with no letters or
    // digits would have no name of its own (`..`, `/` and `？` would share one).
    let terms = p
        .front
        .tags
        .0
        .iter()
        .map(|t| ("tags", t.as_str()))
        .chain(p.front.stage.as_deref().map(|s| ("stage", s.trim())));
    for (field, term) in terms {
        if !term.is_empty() && slugify(term).is_empty() {
            out.push(
                Diagnostic::error(
                    &p.source,
                    format!(
                        "`{term}` has no letters or digits, so it cannot name a page; use a word"
                    ),
                )
                .at_opt_line(line_of(field))
                .field(field),
            );
        }
    }
    let path = format!("{}/{}.html", p.kind.dir(), slug);
    let key = crate::core::slug::path_key(&path);
    FileMeta {
        title,
        slug,
        column,
        path,
        key,
        diags: out,
    }
}

fn load_posts(
    config: &SiteConfig,
    members: &Members,
    depth: Depth,
    diags: &mut Diagnostics,
) -> (Vec<Post>, Vec<walk::Asset>) {
    let mut cache = LoadCache {
        depth,
        ..LoadCache::default()
    };
    let posts = load_posts_cached(config, members, &mut cache, None, Vec::new(), diags);
    (posts, cache.assets())
}

/// What loading learnt about each content file, kept between loads so that
/// `serve` re-reads and re-renders only the files that changed (and the
/// posts whose links point at them). See [`Community::reload_content`].
#[derive(Default)]
pub struct LoadCache {
    /// How much of each file to keep (see [`Community::load_metadata`]).
    depth: Depth,
    files: BTreeMap<PathBuf, FileState>,
    members_diags: Vec<Diagnostic>,
    rendered: BTreeSet<PathBuf>,
    /// Attachments found by the walk of `content/`, by source.
    assets: BTreeMap<PathBuf, walk::Asset>,
    /// Problems the walk found (links, unreadable folders…), by path.
    walk_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

struct FileState {
    parsed: Result<Parsed, Vec<Diagnostic>>,
    /// Diagnostics of the last render of this file.
    render_diags: Vec<Diagnostic>,
    /// Files (relative to the root) its links and images point at.
    refs: Vec<PathBuf>,
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
    fn absorb(&mut self, tree: walk::ContentTree) -> Vec<PathBuf> {
        for a in tree.assets {
            self.assets.insert(a.source.clone(), a);
        }
        for d in tree.diags {
            self.walk_diags.entry(d.file.clone()).or_default().push(d);
        }
        tree.markdown
    }

    /// Forgets what the walk found at or under `rel`.
    fn forget(&mut self, rel: &Path) {
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

fn is_hidden_under_content(rel: &Path) -> bool {
    rel.components()
        .skip(1)
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Loads the posts, reusing `cache`. With `changed` = `None` every file is
/// read and rendered; otherwise only the listed paths (relative to the root;
/// files or folders, written, created or removed) are re-read, and only those
/// posts and the posts that link to them are rendered again — the others are
/// taken from `old`.
fn load_posts_cached(
    config: &SiteConfig,
    members: &Members,
    cache: &mut LoadCache,
    changed: Option<&BTreeSet<PathBuf>>,
    old: Vec<Post>,
    diags: &mut Diagnostics,
) -> Vec<Post> {
    let depth = cache.depth;
    let new_state = |r| FileState {
        parsed: r,
        render_diags: Vec::new(),
        refs: Vec::new(),
    };
    let mut reparsed: BTreeSet<PathBuf> = BTreeSet::new();
    match changed {
        None => {
            cache.assets.clear();
            cache.walk_diags.clear();
            let files = cache.absorb(walk::walk(&config.root, Path::new(CONTENT_DIR)));
            let results: Vec<Result<Parsed, Vec<Diagnostic>>> = files
                .par_iter()
                .map(|f| parse_file(config, members, f, depth))
                .collect();
            cache.files = files
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
                let gone: Vec<PathBuf> = cache
                    .files
                    .range(rel.clone()..)
                    .take_while(|(k, _)| k.starts_with(rel))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in gone {
                    cache.files.remove(&k);
                }
                cache.forget(rel);
                todo.extend(cache.absorb(walk::walk(&config.root, rel)));
            }
            let todo: Vec<PathBuf> = todo.into_iter().collect();
            let results: Vec<Result<Parsed, Vec<Diagnostic>>> = todo
                .par_iter()
                .map(|f| parse_file(config, members, f, depth))
                .collect();
            for (f, r) in todo.into_iter().zip(results) {
                reparsed.insert(f.clone());
                cache.files.insert(f, new_state(r));
            }
        }
    }
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
    let mut by_path: HashMap<&str, &Path> = HashMap::with_capacity(parsed.len());
    let mut url_of: HashMap<&std::ffi::OsStr, &str> = HashMap::with_capacity(parsed.len());
    for p in &parsed {
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

/// Resolves one link or image of the post at `src` for the archive: a link
/// to another post's file becomes a link to its page (`url_of`: page path by
/// source file), another file under `content/` is linked where the build
/// copies it; anything else is reported missing. Every file pointed at is
/// recorded in `refs`.
fn resolve_link(
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

/// `text` (a title, a description, a tag) with its mentions credited (see
/// [`Members::credit_plain`]); each `@word` that names nobody listed is a
/// warning at `line` of `src`.
fn credit_plain(
    members: &Members,
    lang: crate::core::config::Lang,
    text: &str,
    src: &Path,
    line: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if !text.contains(members::is_sigil) {
        return text.to_string();
    }
    let credited = members.credit_plain(text, lang);
    for (_, h) in &credited.unlisted {
        warn_unlisted(members, src, h, line, diags);
    }
    credited.text
}

/// The warning for a mention of `@handle` that is not in the members file
/// (none while the file lists nobody: that is one warning of its own).
fn warn_unlisted(
    members: &Members,
    src: &Path,
    handle: &str,
    line: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    if members.is_empty() {
        return;
    }
    let d = Diagnostic::warning(
        src,
        format!("`@{handle}` is not in the members file; it is shown as written (add it to members.yaml, or write it without `@`)"),
    )
    .at_opt_line(line);
    if !diags
        .iter()
        .any(|x| x.message == d.message && x.line == d.line)
    {
        diags.push(d);
    }
}

/// The first handle a post names (as an author, an answerer or in a
/// mention), for the check of an empty members file.
fn first_handle(members: &Members, post: &Post) -> Option<String> {
    if let Some(h) = post.all_handles().first() {
        return Some(h.to_string());
    }
    let mut texts: Vec<&str> = vec![&post.title, &post.body.markdown];
    texts.extend(post.description.as_deref());
    if let Some(t) = &post.thread {
        for a in &t.answers {
            texts.extend(a.title.as_deref());
            texts.push(&a.body.markdown);
            texts.extend(a.replies.iter().map(|r| r.body.markdown.as_str()));
        }
        texts.extend(t.summary.as_ref().map(|s| s.markdown.as_str()));
    }
    texts
        .into_iter()
        .find_map(|t| members.first_mention(t))
        .map(|h| format!("@{h}"))
}

/// Builds the post of a parsed file: renders (or, below
/// [`Depth::Rendered`], keeps unrendered or leaves out) its Markdown, turns a
/// thread's outline into answers, replies and summary, and checks the
/// thread's fields and every handle against the members. Returns the post
/// and the problems found.
fn build_post(
    p: &Parsed,
    members: &Members,
    lang: crate::core::config::Lang,
    depth: Depth,
    resolve: &(dyn Fn(RefKind, &str) -> Resolved + Sync),
) -> (Post, Vec<Diagnostic>) {
    let ds = std::cell::RefCell::new(Vec::<Diagnostic>::new());
    let src = &p.source;
    // The title (credited when the file was read) names the page.
    let (title, slug, column) = (
        p.meta.title.clone(),
        p.meta.slug.clone(),
        p.meta.column.clone(),
    );
    // Every section goes through here: its mentions are credited before
    // anything keeps its Markdown, so no output sees a member's handle.
    let render = |md: String, line: usize, prefix: &str| -> Section {
        let credited = members.credit_markdown(&md, lang);
        for (at, h) in &credited.unlisted {
            let l = line + crate::core::diag::line_of_offset(&md, *at) - 1;
            warn_unlisted(members, src, h, Some(l), &mut ds.borrow_mut());
        }
        let md = credited.text;
        if depth != Depth::Rendered {
            return Section {
                markdown: md,
                line,
                rendered: Rendered::default(),
            };
        }
        // Members with a page are linked to it (pages are one folder down).
        let links: Vec<markdown::LinkSpan> = credited
            .pages
            .into_iter()
            .map(|(range, slug)| markdown::LinkSpan {
                range,
                href: format!("../{}", encode_path(&format!("members/{slug}.html"))),
            })
            .collect();
        let rendered = markdown::render(
            &md,
            &markdown::RenderOptions {
                id_prefix: prefix,
                resolve: &resolve,
                links: &links,
            },
        );
        for (l, msg) in &rendered.problems {
            ds.borrow_mut()
                .push(Diagnostic::error(src, msg.clone()).at_line(line + l - 1));
        }
        Section {
            markdown: md,
            line,
            rendered,
        }
    };
    let line_of = |f: &str| field_line(p.yaml(), p.yaml_line, f);
    // At `Depth::FrontMatter` the body is empty, and so is every section.
    let text = |sec: &thread::RawSection| sec.text(p.body()).to_string();
    let outline = p.outline.as_ref();
    // Before its body is read (`Depth::FrontMatter`), a thread has no answers.
    let no_answers = thread::RawThread::default();
    let (body, thread) = if p.kind == Kind::Qa {
        let raw = outline.unwrap_or(&no_answers);
        for (l, msg) in &raw.problems {
            ds.borrow_mut()
                .push(Diagnostic::error(src, msg.clone()).at_line(p.body_line + l - 1));
        }
        let bl = |l: usize| p.body_line + l - 1;
        let body = render(text(&raw.question), bl(raw.question.line), "q-");
        let mut answers = Vec::with_capacity(raw.answers.len());
        for (i, a) in raw.answers.iter().enumerate() {
            let body = render(
                text(&a.section),
                bl(a.section.line),
                &format!("a{}-", i + 1),
            );
            let replies = a
                .replies
                .iter()
                .enumerate()
                .map(|(j, r)| Reply {
                    author: r.author.clone(),
                    body: render(
                        text(&r.section),
                        bl(r.section.line),
                        &format!("a{}r{}-", i + 1, j + 1),
                    ),
                })
                .collect();
            let title = a.title.as_deref().map(|t| {
                let l = Some(bl(a.heading_line));
                credit_plain(members, lang, t, src, l, &mut ds.borrow_mut())
            });
            answers.push(Answer {
                author: a.author.clone(),
                title,
                body,
                replies,
                accepted: false,
            });
        }
        let summary = raw
            .summary
            .as_ref()
            .map(|s| render(text(s), bl(s.line), "s-"));
        let status = match p.front.status.as_deref().map(str::trim) {
            None | Some("open") => Status::Open,
            Some("solved") => Status::Solved,
            Some(other) => {
                ds.borrow_mut().push(
                    Diagnostic::error(
                        src,
                        format!("`{other}` is not a thread status (expected `open` or `solved`)"),
                    )
                    .at_opt_line(line_of("status"))
                    .field("status"),
                );
                Status::Open
            }
        };
        let accepted = p
            .front
            .accepted
            .as_ref()
            .map(|s| s.trim().trim_start_matches('@').to_string());
        match (&accepted, status) {
            (None, Status::Solved) => ds.borrow_mut().push(
                Diagnostic::error(src, "the thread is `solved` but names no accepted answer (expected `accepted: <handle of the answer's author>`)")
                    .at_opt_line(line_of("status"))
                    .field("accepted"),
            ),
            // The answers are checked once the body has been read.
            (Some(_), _) if outline.is_none() => {}
            (Some(h), _) => {
                if let Some(a) = answers.iter_mut().find(|a| &a.author == h) {
                    a.accepted = true;
                } else {
                    let authors: Vec<String> = answers.iter().map(|a| format!("@{}", a.author)).collect();
                    ds.borrow_mut().push(
                        Diagnostic::error(
                            src,
                            format!(
                                "`accepted: {h}` but there is no answer by @{h} in this thread (expected a `## @{h}` heading{})",
                                if authors.is_empty() { String::new() } else { format!("; answers are by {}", authors.join(", ")) }
                            ),
                        )
                        .at_opt_line(line_of("accepted"))
                        .field("accepted"),
                    );
                }
            }
            (None, Status::Open) => {}
        }
        (
            body,
            Some(Thread {
                asked_by: p
                    .front
                    .asked_by
                    .as_ref()
                    .map(|s| s.trim().trim_start_matches('@').to_string()),
                status,
                accepted,
                summary_by: p
                    .front
                    .summary_by
                    .as_ref()
                    .map(|s| s.trim().trim_start_matches('@').to_string()),
                answers,
                summary,
            }),
        )
    } else {
        (render(p.body().to_string(), p.body_line, ""), None)
    };
    let post = Post {
        source: p.source.clone(),
        kind: p.kind,
        title,
        path: format!("{}/{}.html", p.kind.dir(), slug),
        slug,
        publish_at: p.publish_at,
        expire_at: p.expire_at,
        draft: p.front.draft,
        column,
        tags: p
            .front
            .tags
            .0
            .iter()
            .map(|t| credit_plain(members, lang, t, src, line_of("tags"), &mut ds.borrow_mut()))
            .collect(),
        stage: p
            .front
            .stage
            .as_ref()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                credit_plain(
                    members,
                    lang,
                    s,
                    src,
                    line_of("stage"),
                    &mut ds.borrow_mut(),
                )
            }),
        authors: p
            .front
            .authors
            .0
            .iter()
            .map(|s| s.trim_start_matches('@').to_string())
            .collect(),
        description: p.front.description.as_deref().map(|d| {
            credit_plain(
                members,
                lang,
                d,
                src,
                line_of("description"),
                &mut ds.borrow_mut(),
            )
        }),
        queue: p.front.queue,
        body,
        thread,
    };
    // Handles that are not in members.yaml, each reported once.
    let heading_lines = outline.map(thread::RawThread::first_heading_lines);
    let mut reported = HashSet::new();
    for h in post.all_handles() {
        if !reported.insert(h) {
            continue;
        }
        if !members.contains(h) && !members.is_empty() {
            let field = if post.authors.iter().any(|a| a == h) {
                Some("authors")
            } else if post
                .thread
                .as_ref()
                .is_some_and(|t| t.asked_by.as_deref() == Some(h))
            {
                Some("asked_by")
            } else if post
                .thread
                .as_ref()
                .is_some_and(|t| t.summary_by.as_deref() == Some(h))
            {
                Some("summary_by")
            } else {
                None
            };
            let line = field.and_then(line_of).or_else(|| {
                heading_lines
                    .as_ref()
                    .and_then(|lines| lines.get(h))
                    .map(|l| p.body_line + l - 1)
            });
            let mut d = Diagnostic::warning(src, format!("`{h}` is not in the members file; it will be shown as written (add it to members.yaml)"))
                .at_opt_line(line);
            if let Some(f) = field {
                d = d.field(f);
            }
            ds.borrow_mut().push(d);
        }
    }
    (post, ds.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_walks_changed_paths_with_the_same_rules() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"t\"\nbase_url = \"https://example.org/\"\n[[columns]]\nid = \"z\"\nname = \"Z\"\nkind = \"brief\"\ntimes = [\"08:00\"]\n",
        )
        .unwrap();
        let dir = root.join("content/briefs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.md"), "---\ntitle: a\n---\nbody\n").unwrap();
        let mut cache = LoadCache::default();
        let (c, d) = Community::load_with_cache(root, &mut cache);
        let mut c = c.unwrap();
        assert_eq!(d.error_count(), 0, "{:?}", d.sorted());
        assert!(c.assets.is_empty());

        // A link leading outside the root and a new attachment appear.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.png"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.png"), dir.join("out.png")).unwrap();
        std::fs::write(dir.join("p.png"), "p").unwrap();
        let changed: BTreeSet<PathBuf> = ["content/briefs/out.png", "content/briefs/p.png"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        let d = c.reload_content(&mut cache, &changed);
        let errors: Vec<&Path> = d
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.as_path())
            .collect();
        assert_eq!(errors, vec![Path::new("content/briefs/out.png")]);
        let assets: Vec<&str> = c.assets.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(assets, vec!["briefs/p.png"]);

        // The link goes: so does its error.
        std::fs::remove_file(dir.join("out.png")).unwrap();
        let d = c.reload_content(&mut cache, &changed);
        assert_eq!(d.error_count(), 0);
        assert_eq!(c.assets.len(), 1);
    }

    #[test]
    fn front_matter_len_finds_the_closing_line() {
        let t = "---\ntitle: 早报\n---\n正文\n";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("正文").unwrap())
        );
        // CRLF, trailing spaces, a BOM, and `...` as the closing line.
        let t = "\u{feff}---  \r\ntitle: x\r\n...\r\nbody";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("body").unwrap())
        );
        // `----` is not a closing line; `---` is, later.
        let t = "---\ntitle: x\n----\nslug: y\n---\nbody";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("body").unwrap())
        );
    }

    #[test]
    fn front_matter_len_waits_for_whole_lines() {
        // The closing `---` has been read but not its end: it may be `----`.
        assert_eq!(front_matter_len(b"---\ntitle: x\n---"), None);
        assert_eq!(front_matter_len(b"---\ntitle: x\n"), None);
        assert_eq!(front_matter_len(b"---"), None);
        // Not front matter: the caller reads the whole file for the error.
        assert_eq!(front_matter_len(b"title: x\n---\n"), None);
        assert_eq!(front_matter_len(b""), None);
    }

    #[test]
    fn read_head_reads_long_front_matter_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let mut buf = Vec::new();
        // Front matter of about 10 KB (several chunks), then a long body.
        let long = "长".repeat(3000);
        let text = format!(
            "---\ntitle: x\ndescription: {long}\n---\n{}\n",
            "正文".repeat(5000)
        );
        std::fs::write(&path, &text).unwrap();
        let n = read_head(&path, &mut buf).unwrap();
        assert_eq!(&buf[..n], &text.as_bytes()[..text.find("正文").unwrap()]);
        // A closing line that straddles the first chunk boundary.
        for pad in 2030..2050 {
            let text = format!(
                "---\ntitle: {}\n----\n---\nbody {}\n",
                "x".repeat(pad),
                "y".repeat(9000)
            );
            std::fs::write(&path, &text).unwrap();
            let n = read_head(&path, &mut buf).unwrap();
            assert_eq!(
                &buf[..n],
                &text.as_bytes()[..text.find("body").unwrap()],
                "pad {pad}"
            );
        }
        // A short file is read whole, and so is one with no front matter.
        std::fs::write(&path, "---\ntitle: x\n---").unwrap();
        assert_eq!(read_head(&path, &mut buf).unwrap(), 16);
        let text = format!("no front matter\n{}", "z".repeat(10_000));
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_head(&path, &mut buf).unwrap(), text.len());
    }

    #[test]
    fn loading_credits_every_mention_before_anything_sees_the_post() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"t\"\nbase_url = \"https://e.x/\"\ntimezone = \"Asia/Shanghai\"\n[[columns]]\nid = \"hot\"\nname = \"热点\"\nkind = \"qa\"\ntimes = [\"15:00\"]\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/qa")).unwrap();
        std::fs::write(
            root.join("content/members.yaml"),
            "fox:\n  name: 狐狸真名\n  privacy: anonymous\nbob:\n  name: 鲍勃\n  privacy: public\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/qa/x.md"),
            "---\ntitle: 问 @fox 一个问题\ndescription: 来自 @fox\ntags: [\"@fox\"]\nstatus: solved\naccepted: bob\n---\n@fox 问：怎么办？\n\n## @bob 回答 @fox\n谢谢 @fox。\n\n### @fox\n@bob 说得对。\n\n## 总结\n@fox 满意。\n",
        )
        .unwrap();
        for load in [Community::load, Community::load_metadata] {
            let (c, d) = load(root);
            let c = c.unwrap_or_else(|| panic!("{d:?}"));
            let p = &c.posts[0];
            let t = p.thread.as_ref().unwrap();
            let mut seen = vec![
                p.title.clone(),
                p.slug.clone(),
                p.path.clone(),
                p.description.clone().unwrap_or_default(),
                p.tags.join(" "),
                p.body.markdown.clone(),
                p.body.rendered.html.clone(),
                p.full_text(),
            ];
            for a in &t.answers {
                seen.extend(a.title.clone());
                seen.push(a.body.markdown.clone());
                seen.push(a.body.rendered.html.clone());
                seen.extend(a.replies.iter().map(|r| r.body.markdown.clone()));
            }
            seen.extend(t.summary.as_ref().map(|s| s.markdown.clone()));
            for s in &seen {
                assert!(!s.contains("fox") && !s.contains("狐狸"), "{s}");
            }
            assert_eq!(p.title, "问 匿名成员 一个问题");
            assert_eq!(p.path, "qa/问-匿名成员-一个问题.html");
        }
        let (c, _) = Community::load(root);
        let p = &c.unwrap().posts[0];
        let a = &p.thread.as_ref().unwrap().answers[0];
        assert_eq!(a.title.as_deref(), Some("回答 匿名成员"));
        let reply = &a.replies[0].body.rendered.html;
        assert!(
            reply.contains("<a href=\"../members/%E9%B2%8D%E5%8B%83.html\""),
            "{reply}"
        );
    }
}
