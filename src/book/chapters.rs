//! Choosing the posts, making chapters and sections, and rendering them
//! with the book's links (see `links.rs`).

use super::links::Links;
use super::xhtml::{self, Frag};
use super::{Book, BookSection, Chapter, Cover, Part, PartRole, Preface};
use crate::core::config::books::{BookConfig, ChapterSpec, Grouping};
use crate::core::config::{Lang, CONFIG_FILE};
use crate::core::content::{Post, Visibility};
use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::i18n::text;
use crate::core::kind::Kind;
use crate::core::markdown;
use crate::core::project::Project;
use crate::core::time::Clock;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Image types every e-reader shows (EPUB core media types).
pub(crate) const IMAGE_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
];

/// The media type of a packaged image, by extension.
pub(crate) fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?.to_ascii_lowercase();
    IMAGE_TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

fn cfg_err(line: usize, field: String, msg: String) -> Diagnostic {
    Diagnostic::error(CONFIG_FILE, msg)
        .at_line(line)
        .field(field)
}

/// Finds the post an explicit chapter list names: by source path
/// (`content/qa/x.md`, `qa/x.md`, `qa/x`), output path, file name or slug.
fn find_post<'c>(posts: &'c [Post], spec: &str) -> Result<&'c Post, String> {
    let norm = |s: &str| -> String {
        let s = s.trim().trim_start_matches("./");
        let s = s.strip_prefix("content/").unwrap_or(s);
        let s = s
            .strip_suffix(".md")
            .or_else(|| s.strip_suffix(".html"))
            .unwrap_or(s);
        s.to_string()
    };
    let want = norm(spec);
    let by_path: Vec<&Post> = posts
        .iter()
        .filter(|p| norm(&crate::core::slug::to_slash(&p.source)) == want || norm(&p.path) == want)
        .collect();
    if by_path.len() == 1 {
        return Ok(by_path[0]);
    }
    let by_name: Vec<&Post> = posts
        .iter()
        .filter(|p| {
            p.source
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == want)
                || p.slug == want
        })
        .collect();
    match by_name.len() {
        1 => Ok(by_name[0]),
        0 => Err(format!(
            "there is no post `{spec}` (expected a file such as `qa/equity-split`, a file name or a slug)"
        )),
        _ => Err(format!(
            "`{spec}` could be any of {}; write the path",
            by_name
                .iter()
                .map(|p| p.source.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn visibility_words(v: Visibility) -> &'static str {
    match v {
        Visibility::Published => "published",
        Visibility::Draft => "a draft",
        Visibility::Future => "not yet published (its time has not come)",
        Visibility::Queued => "queued and not yet delivered",
        Visibility::Expired => "expired",
        Visibility::Open => "an open thread (only solved threads go into a book)",
    }
}

fn other_title(lang: Lang) -> &'static str {
    text::book::OTHER.get(lang)
}

fn kind_title(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Qa => text::book::QA,
        Kind::Case => text::book::CASES,
        Kind::Brief => text::book::BRIEFS,
    }
    .get(lang)
}

/// Groups posts (already in time order) into titled chapters.
fn group<'c>(
    c: &'c Project,
    cfg: &BookConfig,
    lang: Lang,
    posts: Vec<&'c Post>,
) -> Vec<(String, Vec<&'c Post>)> {
    // key → (order key, title, posts)
    let mut groups: BTreeMap<String, Vec<&'c Post>> = BTreeMap::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let none = "\u{0}none".to_string();
    for (i, p) in posts.iter().enumerate() {
        let key = match &cfg.grouping {
            Grouping::Tag => p
                .tags
                .iter()
                .find(|t| cfg.tags.is_empty() || cfg.tags.contains(t))
                .cloned()
                .unwrap_or_else(|| none.clone()),
            Grouping::Stage => p.stage.clone().unwrap_or_else(|| none.clone()),
            Grouping::Column => p.column.clone(),
            Grouping::Kind => p.kind.id().to_string(),
            // Explicit lists never reach here (they are made before grouping).
            Grouping::List(_) => String::new(),
        };
        first_seen.entry(key.clone()).or_insert(i);
        groups.entry(key).or_default().push(p);
    }
    let mut out: Vec<(String, Vec<&'c Post>)> = groups.into_iter().collect();
    let rank = |key: &str, n: usize| -> (usize, usize, usize) {
        let first = first_seen.get(key).copied().unwrap_or(0);
        if key == none {
            return (usize::MAX, 0, 0);
        }
        match &cfg.grouping {
            Grouping::Tag if !cfg.tags.is_empty() => (
                cfg.tags
                    .iter()
                    .position(|t| t == key)
                    .unwrap_or(usize::MAX - 1),
                0,
                0,
            ),
            Grouping::Tag => (0, usize::MAX - n, first),
            Grouping::Column => (
                c.config
                    .columns
                    .iter()
                    .position(|col| col.id == key)
                    .unwrap_or(usize::MAX - 1),
                0,
                0,
            ),
            Grouping::Kind => (
                [Kind::Qa, Kind::Case, Kind::Brief]
                    .iter()
                    .position(|k| k.id() == key)
                    .unwrap_or(3),
                0,
                0,
            ),
            _ => (0, first, 0),
        }
    };
    out.sort_by(|a, b| {
        rank(&a.0, a.1.len())
            .cmp(&rank(&b.0, b.1.len()))
            .then(a.0.cmp(&b.0))
    });
    out.into_iter()
        .map(|(key, posts)| {
            let title = if key == none {
                other_title(lang).to_string()
            } else {
                match &cfg.grouping {
                    Grouping::Column => c
                        .config
                        .column(&key)
                        .map(|col| col.name.clone())
                        .unwrap_or(key),
                    Grouping::Kind => Kind::parse(&key)
                        .map(|k| kind_title(k, lang).to_string())
                        .unwrap_or(key),
                    _ => key,
                }
            };
            (title, posts)
        })
        .collect()
}

fn parts_of<'c>(post: &'c Post, anchor: &str, cfg: &BookConfig) -> Vec<Part<'c>> {
    let part = |role, who: Option<&'c str>, title: Option<&'c str>, md: &'c str, lp: &str| Part {
        role,
        who,
        title,
        markdown: md,
        ns: format!("{anchor}-{lp}"),
        frag: Frag::default(),
    };
    let Some(t) = &post.thread else {
        return vec![part(PartRole::Body, None, None, &post.body.markdown, "")];
    };
    let mut parts = vec![part(
        PartRole::Question,
        t.asked_by.as_deref(),
        None,
        &post.body.markdown,
        "q-",
    )];
    // The accepted answer first, then (if asked for) the others in file order.
    let mut order: Vec<usize> = (0..t.answers.len())
        .filter(|&i| t.answers[i].accepted)
        .collect();
    if cfg.other_answers {
        order.extend((0..t.answers.len()).filter(|&i| !t.answers[i].accepted));
    }
    for i in order {
        let a = &t.answers[i];
        parts.push(part(
            PartRole::Answer {
                accepted: a.accepted,
            },
            Some(&a.author),
            a.title.as_deref(),
            &a.body.markdown,
            &format!("a{}-", i + 1),
        ));
        if cfg.replies {
            for (j, r) in a.replies.iter().enumerate() {
                parts.push(part(
                    PartRole::Reply,
                    Some(&r.author),
                    None,
                    &r.body.markdown,
                    &format!("a{}r{}-", i + 1, j + 1),
                ));
            }
        }
    }
    if let Some(s) = &t.summary {
        parts.push(part(
            PartRole::Summary,
            t.summary_by.as_deref(),
            None,
            &s.markdown,
            "s-",
        ));
    }
    parts
}

/// Makes the book (see [`Book::make`]).
pub(super) fn make<'c>(
    c: &'c Project,
    cfg: BookConfig,
    clock: &Clock,
    need_frags: bool,
) -> Result<(Book<'c>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let lang = cfg.language.unwrap_or(c.config.language);
    let tz = c.config.tz;
    let now = clock.now;
    let local_date = |p: &Post| c.post_time(p).map(|t| t.with_timezone(&tz).date_naive());

    let grouped = match &cfg.grouping {
        Grouping::List(specs) => listed(c, &cfg, specs, now, &mut diags),
        _ => selected(c, &cfg, lang, now),
    };
    if diags.error_count() > 0 {
        return Err(diags);
    }
    let count: usize = grouped.iter().map(|g| g.1.len()).sum();
    if count == 0 {
        diags.push(empty_book(&cfg));
        return Err(diags);
    }
    let preface = preface(c, &cfg, lang, &mut diags);
    let cover = cover(&c.config.root, &cfg, &mut diags);
    if diags.error_count() > 0 {
        return Err(diags);
    }

    let mut chapters = number(grouped, &cfg, &local_date);
    let links = Links::new(c, chapters.iter().flat_map(|ch| ch.sections.iter()), now);
    let mut preface = preface;
    let ids = if need_frags {
        render_frags(&mut chapters, preface.as_mut(), &links)
    } else {
        HashSet::new()
    };

    let title = cfg.title.clone().unwrap_or_else(|| c.config.title.clone());
    let modified = chapters
        .iter()
        .flat_map(|ch| ch.sections.iter())
        .filter_map(|s| c.post_time(s.post))
        .max()
        .unwrap_or(now);
    let identifier = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{}#book/{}/{}", c.config.base_url, cfg.name, title).as_bytes(),
    )
    .urn()
    .to_string();
    let editors = cfg
        .editors
        .iter()
        .map(|e| c.members.credit(e.trim().trim_start_matches('@')))
        .collect();
    if let Ok(w) = links.warnings.lock() {
        diags.extend(w.iter().cloned());
    }
    let images = links.images();
    let mut book = Book {
        community: c,
        lang,
        title,
        subtitle: cfg.subtitle.clone(),
        description: cfg
            .description
            .clone()
            .unwrap_or_else(|| c.config.description.clone()),
        editors,
        identifier,
        date: modified.with_timezone(&tz).date_naive(),
        modified,
        preface,
        cover,
        chapters,
        images,
        ids,
        credits: Default::default(),
        links,
        config: cfg,
    };
    book.credits = super::credits::compute(&book);
    Ok((book, diags))
}

/// The chapters of an explicit list (`chapters = [...]`): each post named,
/// published, and in one chapter only; problems name the line and field.
fn listed<'c>(
    c: &'c Project,
    cfg: &BookConfig,
    specs: &[ChapterSpec],
    now: DateTime<Utc>,
    diags: &mut Diagnostics,
) -> Vec<(String, Vec<&'c Post>)> {
    let mut seen: HashMap<&Path, usize> = HashMap::new();
    let mut out = Vec::new();
    for (ci, ChapterSpec { title, posts, .. }) in specs.iter().enumerate() {
        let mut list = Vec::new();
        for (pi, (spec, line)) in posts.iter().enumerate() {
            let field = format!("{}.chapters[{ci}].posts[{pi}]", cfg.key);
            match find_post(&c.posts, spec) {
                Err(m) => diags.push(cfg_err(*line, field, m)),
                Ok(p) => {
                    let v = c.visibility(p, now);
                    if v != Visibility::Published {
                        diags.push(cfg_err(
                            *line,
                            field,
                            format!(
                                "`{spec}` ({}) is {}, so it cannot go into the book",
                                p.source.display(),
                                visibility_words(v)
                            ),
                        ));
                    } else if let Some(prev) = seen.insert(&p.source, *line) {
                        diags.push(cfg_err(
                            *line,
                            field,
                            format!(
                                "`{spec}` ({}) is already in the book (line {prev}); a post goes into one chapter",
                                p.source.display()
                            ),
                        ));
                    } else {
                        list.push(p);
                    }
                }
            }
        }
        out.push((title.clone(), list));
    }
    out
}

/// The published posts the book's filters (kinds, tags, stages, dates)
/// select, in time order, grouped into titled chapters.
fn selected<'c>(
    c: &'c Project,
    cfg: &BookConfig,
    lang: Lang,
    now: DateTime<Utc>,
) -> Vec<(String, Vec<&'c Post>)> {
    let tz = c.config.tz;
    let local_date = |p: &Post| c.post_time(p).map(|t| t.with_timezone(&tz).date_naive());
    let mut posts: Vec<&Post> = c
        .posts
        .iter()
        .filter(|p| c.visibility(p, now) == Visibility::Published)
        .filter(|p| cfg.kinds.contains(&p.kind))
        .filter(|p| cfg.tags.is_empty() || p.tags.iter().any(|t| cfg.tags.contains(t)))
        .filter(|p| {
            cfg.stages.is_empty() || p.stage.as_ref().is_some_and(|s| cfg.stages.contains(s))
        })
        .filter(|p| {
            let d = local_date(p);
            cfg.from.is_none_or(|f| d.is_some_and(|d| d >= f))
                && cfg.to.is_none_or(|t| d.is_some_and(|d| d <= t))
        })
        .collect();
    posts.sort_by(|a, b| {
        c.post_time(a)
            .cmp(&c.post_time(b))
            .then_with(|| a.source.cmp(&b.source))
    });
    group(c, cfg, lang, posts)
}

/// The error for a book no published post matches.
fn empty_book(cfg: &BookConfig) -> Diagnostic {
    Diagnostic::error(
        CONFIG_FILE,
        format!(
            "the book `{}` would be empty: no published post matches it (kinds: {}; {}{}). Check the [{}] table, or pass --clock if the posts are not published yet",
            cfg.name,
            cfg.kinds.iter().map(|k| k.id()).collect::<Vec<_>>().join(", "),
            if cfg.tags.is_empty() { "any tag".to_string() } else { format!("tags: {}", cfg.tags.join(", ")) },
            if cfg.stages.is_empty() { String::new() } else { format!("; stages: {}", cfg.stages.join(", ")) },
            cfg.key
        ),
    )
    .field(cfg.key.clone())
}

/// The preface, read and credited; a file that cannot be read is an error.
fn preface(c: &Project, cfg: &BookConfig, lang: Lang, diags: &mut Diagnostics) -> Option<Preface> {
    let (path, line) = cfg.preface.as_ref()?;
    match std::fs::read_to_string(c.config.root.join(path)) {
        // Posts are credited when loaded; the preface is read here,
        // and its mentions are credited the same way.
        Ok(md) => Some(Preface {
            source: path.clone(),
            markdown: c.members.credit_markdown(&md, lang).text,
            frag: Frag::default(),
        }),
        Err(e) => {
            diags.push(cfg_err(
                *line,
                format!("{}.preface", cfg.key),
                format!(
                    "cannot read the preface {}: {e} (expected a Markdown file, relative to the site folder)",
                    path.display()
                ),
            ));
            None
        }
    }
}

/// The cover, checked: an image e-readers show, and a file that exists.
fn cover(root: &Path, cfg: &BookConfig, diags: &mut Diagnostics) -> Option<Cover> {
    let (path, line) = cfg.cover.as_ref()?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type(&format!("x.{ext}")).is_none() {
        diags.push(cfg_err(
            *line,
            format!("{}.cover", cfg.key),
            format!(
                "the cover {} is not a PNG, JPEG, GIF or SVG image",
                path.display()
            ),
        ));
        None
    } else if !root.join(path).is_file() {
        diags.push(cfg_err(
            *line,
            format!("{}.cover", cfg.key),
            format!("the cover {} does not exist", path.display()),
        ));
        None
    } else {
        Some(Cover {
            source: root.join(path),
            href: format!("images/cover.{ext}"),
        })
    }
}

/// Numbers the sections across the book and cuts them into parts; empty
/// chapters are left out and the others numbered in order.
fn number<'c>(
    grouped: Vec<(String, Vec<&'c Post>)>,
    cfg: &BookConfig,
    local_date: &dyn Fn(&Post) -> Option<chrono::NaiveDate>,
) -> Vec<Chapter<'c>> {
    let mut chapters = Vec::new();
    let mut n = 0;
    for (ci, (title, posts)) in grouped.into_iter().enumerate() {
        let mut sections = Vec::new();
        for p in posts {
            n += 1;
            let anchor = format!("p{n}");
            sections.push(BookSection {
                post: p,
                number: n,
                date: local_date(p),
                parts: parts_of(p, &anchor, cfg),
                anchor,
            });
        }
        chapters.push(Chapter {
            number: ci + 1,
            title,
            anchor: format!("ch{}", ci + 1),
            sections,
        });
    }
    chapters.retain(|ch| !ch.sections.is_empty());
    for (i, ch) in chapters.iter_mut().enumerate() {
        ch.number = i + 1;
        ch.anchor = format!("ch{}", i + 1);
    }
    chapters
}

/// Renders every part (and the preface) to XHTML with the book's links, in
/// two passes: Markdown → HTML (which registers the packaged images), then
/// HTML → XHTML once every packaged image is known. Returns every id the
/// book defines.
fn render_frags(
    chapters: &mut [Chapter<'_>],
    mut preface: Option<&mut Preface>,
    links: &Links<'_>,
) -> HashSet<String> {
    // Pass 1: Markdown → HTML with the book's links (registers images).
    let mut rendered: Vec<Vec<String>> = chapters
        .par_iter()
        .flat_map_iter(|ch| ch.sections.iter())
        .map(|s| {
            s.parts
                .iter()
                .map(|part| {
                    let resolve = links.resolver(&s.post.source, &s.anchor);
                    markdown::render(
                        part.markdown,
                        &markdown::RenderOptions {
                            id_prefix: &part.ns,
                            resolve: &resolve,
                            links: &[],
                        },
                    )
                    .html
                })
                .collect()
        })
        .collect();
    let preface_html = preface.as_ref().map(|p| {
        let resolve = links.resolver(&p.source, "p0");
        markdown::render(
            &p.markdown,
            &markdown::RenderOptions {
                id_prefix: "p0-",
                resolve: &resolve,
                links: &[],
            },
        )
        .html
    });
    // Pass 2: HTML → XHTML, now that every packaged image is known.
    let images = links.images();
    let packaged = |s: &str| images.contains_key(s);
    let mut sections: Vec<&mut BookSection> = chapters
        .iter_mut()
        .flat_map(|ch| ch.sections.iter_mut())
        .collect();
    sections
        .par_iter_mut()
        .zip(rendered.par_iter_mut())
        .for_each(|(s, htmls)| {
            for (part, html) in s.parts.iter_mut().zip(htmls.iter()) {
                part.frag = xhtml::normalise(
                    html,
                    &xhtml::Options {
                        ns: &part.ns,
                        fallback: &s.anchor,
                        heading_shift: 2,
                        packaged: &packaged,
                    },
                );
            }
        });
    if let (Some(p), Some(html)) = (preface.as_mut(), preface_html) {
        p.frag = xhtml::normalise(
            &html,
            &xhtml::Options {
                ns: "p0-",
                fallback: "p0",
                heading_shift: 1,
                packaged: &packaged,
            },
        );
    }
    let mut ids: HashSet<String> = HashSet::new();
    for s in chapters.iter().flat_map(|ch| ch.sections.iter()) {
        ids.insert(s.anchor.clone());
        for part in &s.parts {
            ids.extend(part.frag.ids.iter().cloned());
        }
    }
    for ch in chapters.iter() {
        ids.insert(ch.anchor.clone());
    }
    if let Some(p) = &preface {
        ids.insert("p0".into());
        ids.extend(p.frag.ids.iter().cloned());
    }
    ids.insert("contributors".into());
    ids
}
