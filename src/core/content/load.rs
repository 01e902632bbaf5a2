//! Reading posts: front matter, bodies, checks, rendering with links
//! resolved, in parallel.

use super::cache::*;
use super::frontmatter::{field_line, FrontMatter};
use super::*;
use crate::core::config::SiteConfig;
use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::kind::Kind;
use crate::core::markdown::{self, RefKind, Rendered, Resolved};
use crate::core::members::{self, Members};
use crate::core::slug::{encode_path, slugify};
use crate::core::time::parse_datetime;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// How much of each post a load reads and keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Depth {
    /// Everything, with the Markdown rendered to HTML and text.
    #[default]
    Rendered,
    /// Everything, with the Markdown kept unrendered.
    Unrendered,
    /// The front matter only: files are read up to the closing `---`.
    FrontMatter,
}

pub(crate) struct Parsed {
    pub(crate) source: PathBuf,
    pub(crate) kind: Kind,
    pub(crate) front: FrontMatter,
    /// The whole file; the front matter and body are ranges of it (one
    /// allocation per file, not a copy of each part).
    pub(crate) text: String,
    pub(crate) yaml: std::ops::Range<usize>,
    pub(crate) yaml_line: usize,
    pub(crate) body: std::ops::Range<usize>,
    pub(crate) body_line: usize,
    /// A thread's answers, replies and summary as ranges of the body.
    pub(crate) outline: Option<thread::RawThread>,
    pub(crate) publish_at: Option<DateTime<Utc>>,
    pub(crate) expire_at: Option<DateTime<Utc>>,
    pub(crate) meta: FileMeta,
}

impl Parsed {
    /// The YAML between the `---` lines.
    pub(crate) fn yaml(&self) -> &str {
        &self.text[self.yaml.clone()]
    }

    /// The Markdown after the front matter.
    pub(crate) fn body(&self) -> &str {
        &self.text[self.body.clone()]
    }
}

thread_local! {
    /// The read buffer of [`Depth::FrontMatter`] loads, reused file after
    /// file: their text is not kept, so no memory is allocated per file for it.
    static READ_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The error for a file that is not UTF-8: its line, counted in `bytes`.
pub(crate) fn not_utf8(rel: &Path, bytes: &[u8], valid_up_to: usize) -> Vec<Diagnostic> {
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    vec![Diagnostic::error(
        rel,
        "the file is not valid UTF-8 text (save it as UTF-8; GBK and other encodings are not read)",
    )
    .at_line(line)]
}

/// Reads and parses one content file. At [`Depth::FrontMatter`] only the
/// head of the file, up to its closing `---`, is read, into a reused buffer.
pub(crate) fn parse_file(
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
pub(crate) fn read_head(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
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
pub(crate) fn front_matter_len(head: &[u8]) -> Option<usize> {
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

/// The kind of a post: `kind:` in its front matter, else its folder
/// (`content/qa/…`). `None`, with the problem in `errs`, when neither says.
fn kind_of(
    rel: &Path,
    front: &FrontMatter,
    line_of: &dyn Fn(&str) -> Option<usize>,
    errs: &mut Vec<Diagnostic>,
) -> Option<Kind> {
    let folder_kind = rel
        .components()
        .nth(1)
        .and_then(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .and_then(Kind::from_dir);
    match (&front.kind, folder_kind) {
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
    }
}

/// Errors for the thread fields (`asked_by`, `status`, `accepted`,
/// `summary_by`) set on a post that is not a Q&A thread.
fn thread_fields_only_on_threads(
    rel: &Path,
    front: &FrontMatter,
    line_of: &dyn Fn(&str) -> Option<usize>,
    errs: &mut Vec<Diagnostic>,
) {
    let fields = [
        ("asked_by", front.asked_by.is_some()),
        ("status", front.status.is_some()),
        ("accepted", front.accepted.is_some()),
        ("summary_by", front.summary_by.is_some()),
    ];
    for (f, set) in fields {
        if set {
            errs.push(
                Diagnostic::error(
                    rel,
                    format!(
                        "`{f}` is only for Q&A threads (files in content/qa/ or with `kind: qa`)"
                    ),
                )
                .at_opt_line(line_of(f))
                .field(f),
            );
        }
    }
}

/// Parses the text of one content file (see [`parse_file`]).
pub(crate) fn parse_text(
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

    let kind = kind_of(rel, &front, &line_of, &mut errs);
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
    if kind.is_some_and(|k| k != Kind::Qa) {
        thread_fields_only_on_threads(rel, &front, &line_of, &mut errs);
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
pub(crate) fn range_in(whole: &str, part: &str) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// What pass 2 needs of one file, computed once when the file is read
/// (it depends only on the file and `site.toml`).
pub(crate) struct FileMeta {
    pub(crate) title: String,
    pub(crate) slug: String,
    pub(crate) column: String,
    pub(crate) path: String,
    /// The path folded ([`crate::core::slug::path_key`]): two posts whose paths
    /// differ only in case or Unicode form clash.
    pub(crate) key: String,
    pub(crate) diags: Vec<Diagnostic>,
}

pub(crate) fn file_meta(config: &SiteConfig, members: &Members, p: &Parsed) -> FileMeta {
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

pub(crate) fn load_posts(
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

/// `text` (a title, a description, a tag) with its mentions credited (see
/// [`Members::credit_plain`]); each `@word` that names nobody listed is a
/// warning at `line` of `src`.
pub(crate) fn credit_plain(
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
pub(crate) fn warn_unlisted(
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
pub(crate) fn first_handle(members: &Members, post: &Post) -> Option<String> {
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
pub(crate) fn build_post(
    p: &Parsed,
    members: &Members,
    lang: crate::core::config::Lang,
    depth: Depth,
    resolve: &(dyn Fn(RefKind, &str) -> Resolved + Sync),
) -> (Post, Vec<Diagnostic>) {
    let b = Builder {
        p,
        members,
        lang,
        depth,
        resolve,
        ds: std::cell::RefCell::new(Vec::new()),
    };
    let (body, thread) = if p.kind == Kind::Qa {
        let (body, thread) = b.thread();
        (body, Some(thread))
    } else {
        (b.section(p.body().to_string(), p.body_line, ""), None)
    };
    let front = &p.front;
    let post = Post {
        source: p.source.clone(),
        kind: p.kind,
        // The title (credited when the file was read) names the page.
        title: p.meta.title.clone(),
        path: format!("{}/{}.html", p.kind.dir(), p.meta.slug),
        slug: p.meta.slug.clone(),
        id: front
            .id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        aliases: front.aliases.0.clone(),
        publish_at: p.publish_at,
        expire_at: p.expire_at,
        draft: front.draft,
        column: p.meta.column.clone(),
        tags: front.tags.0.iter().map(|t| b.plain(t, "tags")).collect(),
        stage: front
            .stage
            .as_ref()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| b.plain(s, "stage")),
        authors: front
            .authors
            .0
            .iter()
            .map(|s| s.trim_start_matches('@').to_string())
            .collect(),
        description: front
            .description
            .as_deref()
            .map(|d| b.plain(d, "description")),
        queue: front.queue,
        body,
        thread,
    };
    b.warn_unknown_handles(&post);
    (post, b.ds.into_inner())
}

/// Strips the `@` from a handle as written in front matter.
fn handle(s: &str) -> String {
    s.trim().trim_start_matches('@').to_string()
}

/// What [`build_post`] needs while it builds one post: the parsed file, the
/// members, and the problems found so far.
struct Builder<'a> {
    p: &'a Parsed,
    members: &'a Members,
    lang: crate::core::config::Lang,
    depth: Depth,
    resolve: &'a (dyn Fn(RefKind, &str) -> Resolved + Sync),
    ds: std::cell::RefCell<Vec<Diagnostic>>,
}

impl Builder<'_> {
    /// The line of a front matter field.
    fn line_of(&self, field: &str) -> Option<usize> {
        field_line(self.p.yaml(), self.p.yaml_line, field)
    }

    /// A front matter text with its mentions credited.
    fn plain(&self, text: &str, field: &str) -> String {
        let line = self.line_of(field);
        credit_plain(
            self.members,
            self.lang,
            text,
            &self.p.source,
            line,
            &mut self.ds.borrow_mut(),
        )
    }

    /// Every section goes through here: its mentions are credited before
    /// anything keeps its Markdown, so no output sees a member's handle.
    fn section(&self, md: String, line: usize, prefix: &str) -> Section {
        let (members, src) = (self.members, &self.p.source);
        let credited = members.credit_markdown(&md, self.lang);
        for (at, h) in &credited.unlisted {
            let l = line + crate::core::diag::line_of_offset(&md, *at) - 1;
            warn_unlisted(members, src, h, Some(l), &mut self.ds.borrow_mut());
        }
        let md = credited.text;
        if self.depth != Depth::Rendered {
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
                resolve: &self.resolve,
                links: &links,
            },
        );
        for (l, msg) in &rendered.problems {
            self.ds
                .borrow_mut()
                .push(Diagnostic::error(src, msg.clone()).at_line(line + l - 1));
        }
        Section {
            markdown: md,
            line,
            rendered,
        }
    }

    /// The question and the thread of a Q&A post. Before its body is read
    /// (`Depth::FrontMatter`), a thread has no answers.
    fn thread(&self) -> (Section, Thread) {
        let p = self.p;
        let no_answers = thread::RawThread::default();
        let raw = p.outline.as_ref().unwrap_or(&no_answers);
        for (l, msg) in &raw.problems {
            self.ds
                .borrow_mut()
                .push(Diagnostic::error(&p.source, msg.clone()).at_line(p.body_line + l - 1));
        }
        // At `Depth::FrontMatter` the body is empty, and so is every section.
        let text = |sec: &thread::RawSection| sec.text(p.body()).to_string();
        let bl = |l: usize| p.body_line + l - 1;
        let body = self.section(text(&raw.question), bl(raw.question.line), "q-");
        let mut answers = Vec::with_capacity(raw.answers.len());
        for (i, a) in raw.answers.iter().enumerate() {
            let body = self.section(
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
                    body: self.section(
                        text(&r.section),
                        bl(r.section.line),
                        &format!("a{}r{}-", i + 1, j + 1),
                    ),
                })
                .collect();
            let title = a.title.as_deref().map(|t| {
                let l = Some(bl(a.heading_line));
                credit_plain(
                    self.members,
                    self.lang,
                    t,
                    &p.source,
                    l,
                    &mut self.ds.borrow_mut(),
                )
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
            .map(|s| self.section(text(s), bl(s.line), "s-"));
        let status = self.status();
        let accepted = p.front.accepted.as_deref().map(handle);
        self.mark_accepted(accepted.as_deref(), status, &mut answers);
        let thread = Thread {
            asked_by: p.front.asked_by.as_deref().map(handle),
            status,
            accepted,
            summary_by: p.front.summary_by.as_deref().map(handle),
            answers,
            summary,
        };
        (body, thread)
    }

    /// The thread's `status:`.
    fn status(&self) -> Status {
        match self.p.front.status.as_deref().map(str::trim) {
            None | Some("open") => Status::Open,
            Some("solved") => Status::Solved,
            Some(other) => {
                self.ds.borrow_mut().push(
                    Diagnostic::error(
                        &self.p.source,
                        format!("`{other}` is not a thread status (expected `open` or `solved`)"),
                    )
                    .at_opt_line(self.line_of("status"))
                    .field("status"),
                );
                Status::Open
            }
        }
    }

    /// Marks the accepted answer, or reports why there is none.
    fn mark_accepted(&self, accepted: Option<&str>, status: Status, answers: &mut [Answer]) {
        let src = &self.p.source;
        match (accepted, status) {
            (None, Status::Solved) => self.ds.borrow_mut().push(
                Diagnostic::error(src, "the thread is `solved` but names no accepted answer (expected `accepted: <handle of the answer's author>`)")
                    .at_opt_line(self.line_of("status"))
                    .field("accepted"),
            ),
            // The answers are checked once the body has been read.
            (Some(_), _) if self.p.outline.is_none() => {}
            (Some(h), _) => {
                if let Some(a) = answers.iter_mut().find(|a| a.author == h) {
                    a.accepted = true;
                } else {
                    let authors: Vec<String> = answers.iter().map(|a| format!("@{}", a.author)).collect();
                    self.ds.borrow_mut().push(
                        Diagnostic::error(
                            src,
                            format!(
                                "`accepted: {h}` but there is no answer by @{h} in this thread (expected a `## @{h}` heading{})",
                                if authors.is_empty() { String::new() } else { format!("; answers are by {}", authors.join(", ")) }
                            ),
                        )
                        .at_opt_line(self.line_of("accepted"))
                        .field("accepted"),
                    );
                }
            }
            (None, Status::Open) => {}
        }
    }

    /// Handles that are not in members.yaml, each reported once.
    fn warn_unknown_handles(&self, post: &Post) {
        let members = self.members;
        if members.is_empty() {
            return;
        }
        let heading_lines = self
            .p
            .outline
            .as_ref()
            .map(thread::RawThread::first_heading_lines);
        let mut reported = HashSet::new();
        for h in post.all_handles() {
            if !reported.insert(h) || members.contains(h) {
                continue;
            }
            let thread = post.thread.as_ref();
            let field = if post.authors.iter().any(|a| a == h) {
                Some("authors")
            } else if thread.is_some_and(|t| t.asked_by.as_deref() == Some(h)) {
                Some("asked_by")
            } else if thread.is_some_and(|t| t.summary_by.as_deref() == Some(h)) {
                Some("summary_by")
            } else {
                None
            };
            let line = field.and_then(|f| self.line_of(f)).or_else(|| {
                heading_lines
                    .as_ref()
                    .and_then(|lines| lines.get(h))
                    .map(|l| self.p.body_line + l - 1)
            });
            let mut d = Diagnostic::warning(&self.p.source, format!("`{h}` is not in the members file; it will be shown as written (add it to members.yaml)"))
                .at_opt_line(line);
            if let Some(f) = field {
                d = d.field(f);
            }
            self.ds.borrow_mut().push(d);
        }
    }
}
