//! The book sections of `site.toml`: `[book]` (the default book) and
//! `[books.NAME]` (more books, picked with `qunshu book NAME`).
//!
//! ```toml
//! [book]
//! title = "创业者同行社问答精选"
//! subtitle = "第三期 · 2026 秋"
//! rights = "本书以 CC BY-NC 4.0 许可发布"   # default: © YEAR COMMUNITY及各位作者…
//! editors = ["xiaowang"]          # member handles (credited as their privacy allows) or names
//! preface = "book/preface.md"     # optional, relative to the site root
//! cover = "book/cover.png"        # optional: png, jpg, gif or svg
//! kinds = ["qa", "case"]          # default: solved threads and cases
//! tags = ["股权", "融资"]          # optional: only posts with one of these tags
//! stages = ["天使轮"]              # optional: only posts of these stages
//! from = "2026-10-01"             # optional date range (post dates, site time zone)
//! to = "2026-12-31"
//! group_by = "tag"                # chapters by `tag` (default), `stage`, `column` or `kind`
//! other_answers = false           # also print the answers that were not accepted
//! replies = true                  # print replies under the printed answers
//!
//! [[book.chapters]]               # or: an explicit ordered list of chapters
//! title = "合伙人与股权"
//! posts = ["qa/equity-split", "cofounder-exit"]   # source path, file name or slug
//! ```
//!
//! The keys are checked here, with their lines; whether the posts, the
//! preface and the cover exist is checked when the book is made.

use crate::core::config::{Lang, CONFIG_FILE};
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use crate::core::kind::Kind;
use crate::core::time;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// The name of the default book (`[book]`), also its output file name.
pub(crate) const DEFAULT_NAME: &str = "book";

/// `[book]` or `[books.NAME]` as written.
#[derive(Debug, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "A book made by `qunshu book` ([book] is the default; [books.NAME] more books)."
)]
pub(crate) struct RawBook {
    /// Title (default: the site title).
    title: Option<String>,
    /// Subtitle.
    subtitle: Option<String>,
    /// Shown on the title page and in the EPUB metadata (default: the site description).
    description: Option<String>,
    /// The rights statement: EPUB `dc:rights`, the Markdown metadata's `rights`, the PDF's title page (default: "© YEAR COMMUNITY and the authors…").
    rights: Option<String>,
    /// Member handles (credited as their privacy allows) or names.
    editors: Option<Vec<String>>,
    /// The book's words (default: the site language).
    #[schemars(with = "Option<String>", extend("enum" = ["zh-CN", "zh-cn", "zh", "zh-Hans", "zh_CN", "en", "en-US", "en-GB"]))]
    language: Option<Spanned<String>>,
    /// A PNG, JPEG, GIF or SVG image, relative to site.toml.
    #[schemars(with = "Option<String>", extend("examples" = ["book/cover.png"]))]
    cover: Option<Spanned<String>>,
    /// A Markdown file, relative to site.toml (outside content/).
    #[schemars(with = "Option<String>", extend("examples" = ["book/preface.md"]))]
    preface: Option<Spanned<String>>,
    /// Kinds of posts in the book.
    #[schemars(with = "Option<Vec<BookKind>>", extend("default" = ["qa", "case"]))]
    kinds: Option<Vec<Spanned<String>>>,
    /// Only posts with one of these tags.
    tags: Option<Vec<String>>,
    /// Only posts at one of these stages.
    stages: Option<Vec<String>>,
    /// Only posts published on or after this date.
    #[schemars(with = "Option<String>", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$", "examples" = ["2026-10-01"]))]
    from: Option<Spanned<String>>,
    /// Only posts published on or before this date.
    #[schemars(with = "Option<String>", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$", "examples" = ["2026-12-31"]))]
    to: Option<Spanned<String>>,
    /// How chapters are made (or list them in `chapters`).
    #[schemars(with = "Option<String>", extend("enum" = ["tag", "stage", "column", "kind"], "default" = "tag"))]
    group_by: Option<Spanned<String>>,
    /// Also print the answers that were not accepted.
    #[schemars(extend("default" = false))]
    other_answers: Option<bool>,
    /// Print the replies under printed answers.
    #[schemars(extend("default" = true))]
    replies: Option<bool>,
    /// The PDF's paper size.
    #[schemars(with = "Option<String>", extend("enum" = ["a5", "a4"], "default" = "a5"))]
    paper: Option<Spanned<String>>,
    /// Font files or folders for the PDF, relative to site.toml (searched before the system's fonts).
    #[schemars(extend("examples" = [["book/fonts"]]))]
    fonts: Option<Vec<String>>,
    /// An explicit ordered list of chapters.
    #[serde(default)]
    chapters: Vec<RawChapter>,
}

/// The paper a PDF book is typeset on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A5 (148 × 210 mm), the usual size of a paperback.
    #[default]
    A5,
    /// ISO A4 (210 × 297 mm).
    A4,
}

/// A kind of post a book takes (for the schema of `kinds`).
#[derive(schemars::JsonSchema)]
#[schemars(extend("enum" = ["qa", "case", "brief"]))]
#[allow(dead_code)]
struct BookKind(String);

/// `[[book.chapters]]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChapter {
    /// The chapter's title.
    #[schemars(with = "String")]
    title: Spanned<String>,
    /// Posts by path (qa/equity-split), file name or slug.
    #[schemars(with = "Vec<String>", extend("examples" = [["qa/equity-split", "cofounder-exit"]]))]
    posts: Vec<Spanned<String>>,
}

/// How chapters are made.
#[derive(Debug, Clone, PartialEq)]
pub enum Grouping {
    /// One chapter per tag (a post goes under its first selected tag).
    Tag,
    /// One chapter per stage / cohort.
    Stage,
    /// One chapter per column, in `site.toml` order.
    Column,
    /// One chapter per kind (Q&A, cases, briefs).
    Kind,
    /// The chapters listed in `[[book.chapters]]`.
    List(Vec<ChapterSpec>),
}

/// One chapter of an explicit list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterSpec {
    /// The chapter's title.
    pub title: String,
    /// Line of the title in `site.toml`.
    pub line: usize,
    /// The posts, as written, with their lines.
    pub posts: Vec<(String, usize)>,
}

/// A validated book definition.
#[derive(Debug, Clone, PartialEq)]
pub struct BookConfig {
    /// `book` for `[book]`, NAME for `[books.NAME]`.
    pub name: String,
    /// The key path used in messages (`book`, `books.NAME`).
    pub key: String,
    /// Title (default: the site title).
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// The rights statement (default: [`None`], the book's standard one).
    pub rights: Option<String>,
    /// Description (default: the site description).
    pub description: Option<String>,
    /// Editors: member handles or names.
    pub editors: Vec<String>,
    /// Language (default: the site language).
    pub language: Option<Lang>,
    /// Cover image relative to the root, with its line.
    pub cover: Option<(PathBuf, usize)>,
    /// Preface Markdown file relative to the root, with its line.
    pub preface: Option<(PathBuf, usize)>,
    /// Kinds of post to include.
    pub kinds: Vec<Kind>,
    /// Only posts with one of these tags (empty: any).
    pub tags: Vec<String>,
    /// Only posts of these stages (empty: any).
    pub stages: Vec<String>,
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// How chapters are made.
    pub grouping: Grouping,
    /// Include answers that were not accepted.
    pub other_answers: bool,
    /// Include replies under included answers.
    pub replies: bool,
    /// The PDF's paper.
    pub paper: Paper,
    /// Font files or folders for the PDF, relative to the root.
    pub fonts: Vec<PathBuf>,
}

impl BookConfig {
    /// The book made when `site.toml` defines none: solved threads and
    /// cases, chapters by tag, titled like the site.
    pub fn fallback() -> BookConfig {
        BookConfig {
            name: DEFAULT_NAME.into(),
            key: "book".into(),
            title: None,
            subtitle: None,
            rights: None,
            description: None,
            editors: Vec::new(),
            language: None,
            cover: None,
            preface: None,
            kinds: vec![Kind::Qa, Kind::Case],
            tags: Vec::new(),
            stages: Vec::new(),
            from: None,
            to: None,
            grouping: Grouping::Tag,
            other_answers: false,
            replies: true,
            paper: Paper::A5,
            fonts: Vec::new(),
        }
    }
}

/// All books defined in `site.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Books {
    /// `[book]`.
    pub default: Option<BookConfig>,
    /// `[books.NAME]`, by name.
    pub named: BTreeMap<String, BookConfig>,
}

impl Books {
    /// The book called `name`, or the default one: `[book]`, else the only
    /// `[books.NAME]`, else a book of every solved thread and case.
    pub fn pick(&self, name: Option<&str>) -> Result<BookConfig, String> {
        match name {
            Some(n) if n == DEFAULT_NAME && self.default.is_some() => {
                Ok(self.default.clone().unwrap_or_else(BookConfig::fallback))
            }
            Some(n) => self.named.get(n).cloned().ok_or_else(|| {
                let mut known: Vec<&str> = self.named.keys().map(|s| s.as_str()).collect();
                if self.default.is_some() {
                    known.insert(0, DEFAULT_NAME);
                }
                if known.is_empty() {
                    format!("there is no book `{n}` in site.toml (no books are defined; add a [book] table)")
                } else {
                    format!(
                        "there is no book `{n}` in site.toml (expected one of: {})",
                        known.join(", ")
                    )
                }
            }),
            None => {
                if let Some(b) = &self.default {
                    return Ok(b.clone());
                }
                match self.named.len() {
                    0 => Ok(BookConfig::fallback()),
                    1 => Ok(self.named.values().next().cloned().unwrap_or_else(BookConfig::fallback)),
                    _ => Err(format!(
                        "site.toml defines several books and no [book]; name one: {}",
                        self.named.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
    }
}

/// Validates `[book]` and `[books.*]`, pushing every problem with its line.
pub(crate) fn validate(
    book: Option<&RawBook>,
    books: Option<&BTreeMap<Spanned<String>, RawBook>>,
    text: &str,
    diags: &mut Diagnostics,
) -> Books {
    let mut out = Books::default();
    if let Some(b) = book {
        out.default = validate_one(DEFAULT_NAME, "book", b, text, diags);
    }
    for (name, b) in books.into_iter().flatten() {
        let n = name.get_ref();
        let ok = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && n != DEFAULT_NAME;
        if !ok {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{n}` is not a usable book name (expected ASCII letters, digits, `-` or `_`, other than `book`, such as `[books.season3]`); it is also the output file name"),
                )
                .at_line(line_of_offset(text, name.span().start))
                .field(format!("books.{n}")),
            );
            continue;
        }
        if let Some(v) = validate_one(n, &format!("books.{n}"), b, text, diags) {
            out.named.insert(n.clone(), v);
        }
    }
    out
}

/// Validates one `[book]` or `[books.NAME]` table.
///
/// Long on purpose: one check per key, in the order the keys are written,
/// each with its own message and line, so every rule of the table is read
/// in one place; splitting it would scatter one table's rules.
fn validate_one(
    name: &str,
    key: &str,
    raw: &RawBook,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<BookConfig> {
    let before = diags.error_count();
    let line = |s: std::ops::Range<usize>| line_of_offset(text, s.start);
    let mut err = |field: &str, span: std::ops::Range<usize>, msg: String| {
        diags.push(
            Diagnostic::error(CONFIG_FILE, msg)
                .at_line(line(span))
                .field(format!("{key}.{field}")),
        )
    };
    let language = raw.language.as_ref().and_then(|l| {
        let v = Lang::parse(l.get_ref());
        if v.is_none() {
            err(
                "language",
                l.span(),
                format!(
                    "`{}` is not a supported language (expected `zh-CN` or `en`)",
                    l.get_ref()
                ),
            );
        }
        v
    });
    let mut kinds = Vec::new();
    for k in raw.kinds.iter().flatten() {
        match Kind::parse(k.get_ref()) {
            Some(v) if !kinds.contains(&v) => kinds.push(v),
            Some(_) => {}
            None => err(
                "kinds",
                k.span(),
                format!(
                    "`{}` is not a kind of post (expected `qa`, `case` or `brief`)",
                    k.get_ref()
                ),
            ),
        }
    }
    if raw.kinds.is_none() {
        kinds = vec![Kind::Qa, Kind::Case];
    } else if kinds.is_empty() && raw.kinds.as_ref().is_some_and(|k| k.is_empty()) {
        diags.push(
            Diagnostic::error(
                CONFIG_FILE,
                "`kinds` is empty, so the book would have nothing in it (expected a list such as [\"qa\", \"case\"])",
            )
            .field(format!("{key}.kinds")),
        );
    }
    let mut date = |field: &str, v: &Option<Spanned<String>>| -> Option<NaiveDate> {
        let s = v.as_ref()?;
        match time::parse_date(s.get_ref()) {
            Ok(d) => Some(d),
            Err(m) => {
                diags.push(
                    Diagnostic::error(CONFIG_FILE, m)
                        .at_line(line_of_offset(text, s.span().start))
                        .field(format!("{key}.{field}")),
                );
                None
            }
        }
    };
    let from = date("from", &raw.from);
    let to = date("to", &raw.to);
    if let (Some(f), Some(t), Some(s)) = (from, to, raw.to.as_ref()) {
        if t < f {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`to` ({t}) is before `from` ({f}), so no post can be in the book"),
                )
                .at_line(line_of_offset(text, s.span().start))
                .field(format!("{key}.to")),
            );
        }
    }
    let file = |field: &str, v: &Option<Spanned<String>>, diags: &mut Diagnostics| {
        let s = v.as_ref()?;
        let p = PathBuf::from(s.get_ref().trim());
        let bad = p.as_os_str().is_empty()
            || p.is_absolute()
            || p.components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if bad {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "`{}` is not a usable path (expected a file inside the site folder, such as `book/{}`)",
                        s.get_ref(),
                        if field == "cover" { "cover.png" } else { "preface.md" }
                    ),
                )
                .at_line(line_of_offset(text, s.span().start))
                .field(format!("{key}.{field}")),
            );
            return None;
        }
        Some((p, line_of_offset(text, s.span().start)))
    };
    let cover = file("cover", &raw.cover, diags);
    let preface = file("preface", &raw.preface, diags);
    let grouping = if !raw.chapters.is_empty() {
        if let Some(g) = &raw.group_by {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    "`group_by` and [[chapters]] both given; use one: either chapters made by tag/stage/column/kind, or the explicit list",
                )
                .at_line(line_of_offset(text, g.span().start))
                .field(format!("{key}.group_by")),
            );
        }
        let mut specs = Vec::new();
        for (i, c) in raw.chapters.iter().enumerate() {
            let l = line_of_offset(text, c.title.span().start);
            if c.title.get_ref().trim().is_empty() {
                diags.push(
                    Diagnostic::error(CONFIG_FILE, "the chapter has an empty title")
                        .at_line(l)
                        .field(format!("{key}.chapters[{i}].title")),
                );
            }
            if c.posts.is_empty() {
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        "the chapter lists no posts (expected posts = [\"qa/equity-split\", …])",
                    )
                    .at_line(l)
                    .field(format!("{key}.chapters[{i}].posts")),
                );
            }
            specs.push(ChapterSpec {
                title: c.title.get_ref().trim().to_string(),
                line: l,
                posts: c
                    .posts
                    .iter()
                    .map(|p| {
                        (
                            p.get_ref().trim().to_string(),
                            line_of_offset(text, p.span().start),
                        )
                    })
                    .collect(),
            });
        }
        Grouping::List(specs)
    } else {
        match raw
            .group_by
            .as_ref()
            .map(|g| (g.get_ref().trim(), g.span()))
        {
            None | Some(("tag" | "tags", _)) => Grouping::Tag,
            Some(("stage" | "stages", _)) => Grouping::Stage,
            Some(("column" | "columns", _)) => Grouping::Column,
            Some(("kind" | "kinds", _)) => Grouping::Kind,
            Some((other, span)) => {
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("`{other}` is not a way to make chapters (expected `tag`, `stage`, `column` or `kind`, or list chapters with [[{key}.chapters]])"),
                    )
                    .at_line(line_of_offset(text, span.start))
                    .field(format!("{key}.group_by")),
                );
                Grouping::Tag
            }
        }
    };
    let paper = match raw
        .paper
        .as_ref()
        .map(|p| (p.get_ref().trim().to_ascii_lowercase(), p.span()))
    {
        None => Paper::A5,
        Some((p, _)) if p == "a5" => Paper::A5,
        Some((p, _)) if p == "a4" => Paper::A4,
        Some((p, span)) => {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{p}` is not a paper size (expected `a5` or `a4`)"),
                )
                .at_line(line_of_offset(text, span.start))
                .field(format!("{key}.paper")),
            );
            Paper::A5
        }
    };
    if diags.error_count() > before {
        return None;
    }
    Some(BookConfig {
        name: name.to_string(),
        key: key.to_string(),
        title: raw.title.clone().filter(|t| !t.trim().is_empty()),
        subtitle: raw.subtitle.clone().filter(|t| !t.trim().is_empty()),
        rights: raw.rights.clone().filter(|t| !t.trim().is_empty()),
        description: raw.description.clone(),
        editors: raw.editors.clone().unwrap_or_default(),
        language,
        cover,
        preface,
        kinds,
        tags: raw.tags.clone().unwrap_or_default(),
        stages: raw.stages.clone().unwrap_or_default(),
        from,
        to,
        grouping,
        other_answers: raw.other_answers.unwrap_or(false),
        replies: raw.replies.unwrap_or(true),
        paper,
        fonts: raw
            .fonts
            .iter()
            .flatten()
            .map(|f| PathBuf::from(f.trim()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::SiteConfig;
    use std::path::Path;

    #[test]
    fn errors_have_lines() {
        let text = "title = \"x\"\n[book]\nkinds = [\"qa\", \"poem\"]\nfrom = \"2026-13-01\"\ngroup_by = \"weekly\"\n[books.\"bad name\"]\ntitle = \"y\"\n";
        let e = SiteConfig::from_str(Path::new("."), text).unwrap_err();
        let all: Vec<String> = e.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(all[0].contains(":3") && all[0].contains("poem"), "{all:?}");
        assert!(
            all[1].contains(":4") && all[1].contains("2026-13-01"),
            "{all:?}"
        );
        assert!(
            all[2].contains(":5") && all[2].contains("weekly"),
            "{all:?}"
        );
        assert!(
            all[3].contains(":6") && all[3].contains("bad name"),
            "{all:?}"
        );
    }

    #[test]
    fn pick() {
        let text = "title = \"x\"\n[books.a]\ntitle = \"A\"\n[books.b]\ntitle = \"B\"\n";
        let c = SiteConfig::from_str(Path::new("."), text).unwrap();
        assert!(c.books.pick(None).unwrap_err().contains("a, b"));
        assert_eq!(c.books.pick(Some("b")).unwrap().title.as_deref(), Some("B"));
        assert!(c.books.pick(Some("zz")).is_err());
        let none = SiteConfig::from_str(Path::new("."), "title = \"x\"\n").unwrap();
        assert_eq!(none.books.pick(None).unwrap(), BookConfig::fallback());
    }
}
