//! The attributed book: `qunshu book` compiles the community's best
//! material into an EPUB 3, a print-ready HTML page (and a PDF made from
//! it), and a single Markdown file.
//!
//! ```text
//! Project + BookConfig ──select──► chapters of posts (chapters.rs)
//!        └─ parts (question, accepted answer, summary, …) rendered with the
//!           book's links (links.rs), then normalised to XHTML (xhtml.rs)
//!        └─ credits per chapter and the contributors index (credits.rs)
//!        └─ writers: epub.rs, html.rs, markdown_out.rs, pdf.rs
//! ```
//!
//! Privacy: people are printed only through [`crate::core::content::Members::credit`];
//! anonymous members are counted, never named. Reproducibility: nothing
//! depends on the time of the run except which posts are published; the
//! book's date is the date of its latest post, its identifier a UUID v5 of
//! its title, and the EPUB's zip entries carry a fixed time.
//!
//! May import `core`; must not import `publish`, `archive` or `tools`.

pub(crate) mod chapters;
pub(crate) mod cover;
pub(crate) mod credits;
pub(crate) mod epub;
pub(crate) mod html;
pub(crate) mod links;
pub(crate) mod markdown_out;
pub mod pdf;
#[cfg(feature = "typst")]
pub(crate) mod typeset;
pub(crate) mod xhtml;

pub use crate::core::config::books::{BookConfig, Books, Grouping};
use crate::core::config::Lang;
use crate::core::content::{Credit, Post};
use crate::core::diag::Diagnostics;
use crate::core::project::Project;
use crate::core::time::Clock;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use xhtml::Frag;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// EPUB 3.
    Epub,
    /// One print-ready HTML page.
    Html,
    /// PDF typeset by the embedded typst engine (or, built without the
    /// `typst` feature, printed from the HTML page by headless Chromium).
    Pdf,
    /// One Markdown file.
    Md,
}

impl Format {
    /// Parses `epub`, `html`, `pdf` or `md`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "epub" => Some(Format::Epub),
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "md" | "markdown" => Some(Format::Md),
            _ => None,
        }
    }

    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Md => "md",
        }
    }
}

/// What a part of a section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartRole {
    /// The question of a thread.
    Question,
    /// An answer (accepted or not).
    Answer {
        /// The accepted answer.
        accepted: bool,
    },
    /// A reply under an answer.
    Reply,
    /// The summary of a thread.
    Summary,
    /// The text of a case or brief.
    Body,
}

/// One piece of a section: a question, an answer, a reply, a summary or a body.
#[derive(Debug, Clone)]
pub struct Part<'c> {
    /// What it is.
    pub role: PartRole,
    /// The handle of its author, if known.
    pub who: Option<&'c str>,
    /// An answer's own title.
    pub title: Option<&'c str>,
    /// The Markdown.
    pub markdown: &'c str,
    /// The namespace of its ids (`p12-a1-`).
    pub ns: String,
    /// The XHTML, once rendered.
    pub frag: Frag,
}

/// One post in the book.
#[derive(Debug, Clone)]
pub struct BookSection<'c> {
    /// The post.
    pub post: &'c Post,
    /// 1-based number across the book.
    pub number: usize,
    /// Its anchor id (`p12`).
    pub anchor: String,
    /// Its local date.
    pub date: Option<NaiveDate>,
    /// Its parts, in reading order.
    pub parts: Vec<Part<'c>>,
}

/// One chapter.
#[derive(Debug, Clone)]
pub struct Chapter<'c> {
    /// 1-based number.
    pub number: usize,
    /// Title.
    pub title: String,
    /// Anchor id (`ch3`).
    pub anchor: String,
    /// The sections.
    pub sections: Vec<BookSection<'c>>,
}

/// The preface.
#[derive(Debug, Clone)]
pub struct Preface {
    /// Source, relative to the root.
    pub source: PathBuf,
    /// The Markdown.
    pub markdown: String,
    /// The XHTML.
    pub frag: Frag,
}

/// The cover image.
#[derive(Debug, Clone)]
pub struct Cover {
    /// The file.
    pub source: PathBuf,
    /// Its path inside the book (`images/cover.png`).
    pub href: String,
}

/// A book ready to be written.
#[derive(Debug)]
pub struct Book<'c> {
    /// The community it is made from.
    pub community: &'c Project,
    /// Its definition.
    pub config: BookConfig,
    /// Its language.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Description.
    pub description: String,
    /// Editors as credited.
    pub editors: Vec<Credit>,
    /// `urn:uuid:…`, derived from the site's URL, the book's name and title.
    pub identifier: String,
    /// The time of the latest post (the book's "modified" date).
    pub modified: DateTime<Utc>,
    /// The local date of `modified`.
    pub date: NaiveDate,
    /// The preface.
    pub preface: Option<Preface>,
    /// The cover.
    pub cover: Option<Cover>,
    /// The chapters.
    pub chapters: Vec<Chapter<'c>>,
    /// Images used by the content: path inside the book → file.
    pub images: BTreeMap<String, PathBuf>,
    /// Every id defined in the book (structural ones and those in the content).
    pub ids: HashSet<String>,
    /// The credits.
    pub credits: credits::Credits,
    /// The book's link resolver.
    pub links: links::Links<'c>,
}

impl<'c> Book<'c> {
    /// Selects, orders and renders the book. `need_frags` is false when only
    /// the Markdown file is wanted.
    pub fn make(
        community: &'c Project,
        config: BookConfig,
        clock: &Clock,
        need_frags: bool,
    ) -> Result<(Book<'c>, Diagnostics), Diagnostics> {
        chapters::make(community, config, clock, need_frags)
    }

    /// Every section, in order.
    pub fn sections(&self) -> impl Iterator<Item = &BookSection<'c>> {
        self.chapters.iter().flat_map(|c| c.sections.iter())
    }

    /// How a handle is printed.
    pub fn credit(&self, handle: &str) -> Credit {
        self.community.members.credit(handle)
    }

    /// The words of the book's interface.
    pub fn labels(&self) -> &'static Labels {
        Labels::of(self.lang)
    }

    /// Its subjects: the tags of its posts, each once, by pinyin.
    pub fn subjects(&self) -> Vec<&str> {
        let mut tags: Vec<&str> = self
            .sections()
            .flat_map(|s| s.post.tags.iter().map(String::as_str))
            .collect();
        tags.sort_by_cached_key(|t| (credits::sort_key(t), t.to_string()));
        tags.dedup();
        tags
    }

    /// Its rights statement: `[book] rights`, or one from the year of its
    /// latest post and the community.
    pub fn rights(&self) -> String {
        use chrono::Datelike;
        if let Some(r) = &self.config.rights {
            return r.clone();
        }
        words::RIGHTS.fill(
            self.lang,
            &[
                ("year", &self.date.year()),
                ("community", &self.community.config.title),
            ],
        )
    }

    /// The season of its latest post: `2026 年 10 月`, `October 2026`.
    pub fn season(&self) -> String {
        use chrono::Datelike;
        if self.lang == Lang::ZhCn {
            format!("{} 年 {} 月", self.date.year(), self.date.month())
        } else {
            self.date.format("%B %Y").to_string()
        }
    }
}

/// A file written by [`write()`].
#[derive(Debug, Clone)]
pub struct Written {
    /// Its format.
    pub format: Format,
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Writes `bytes` to `path` atomically (see [`crate::core::atomic`]).
fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::core::atomic::write(path, bytes, crate::core::atomic::Replace::Yes)
}

/// Writes the book in `formats` into `out` as `NAME.epub`, `NAME.html`,
/// `NAME.pdf` and `NAME.md` (HTML and Markdown with an `images/` folder
/// beside them). PDF problems come back as the second value so the other
/// formats are still written; other problems are errors.
pub fn write(
    book: &Book<'_>,
    out: &std::path::Path,
    formats: &[Format],
    pdf_timeout: std::time::Duration,
) -> anyhow::Result<(Vec<Written>, Option<pdf::PdfError>)> {
    use anyhow::Context;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let name = &book.config.name;
    let mut written = Vec::new();
    let mut record = |format: Format, path: PathBuf| {
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        written.push(Written {
            format,
            path,
            bytes,
        });
    };
    let wants = |f: Format| formats.contains(&f);
    // The Markdown file first: rendering it registers the images it uses.
    let md_text = wants(Format::Md).then(|| markdown_out::render(book));
    if wants(Format::Html) || wants(Format::Md) || wants(Format::Pdf) {
        let images = book.links.images();
        let mut files: Vec<(&String, &PathBuf)> = images.iter().collect();
        if let Some(c) = &book.cover {
            files.push((&c.href, &c.source));
        }
        if !files.is_empty() {
            std::fs::create_dir_all(out.join("images"))
                .with_context(|| format!("cannot create {}", out.join("images").display()))?;
        }
        for (href, src) in files {
            let bytes = std::fs::read(src)
                .with_context(|| format!("cannot read the image {}", src.display()))?;
            let dest = out.join(href);
            if std::fs::read(&dest).ok().as_deref() != Some(&bytes[..]) {
                write_atomic(&dest, &bytes)
                    .with_context(|| format!("cannot write {}", dest.display()))?;
            }
        }
    }
    // The EPUB and the page are made on two threads.
    let (epub_bytes, page) = rayon::join(
        || wants(Format::Epub).then(|| epub::render(book)),
        || {
            (wants(Format::Html) || (wants(Format::Pdf) && !pdf::TYPESET))
                .then(|| html::render(book))
        },
    );
    if let Some(bytes) = epub_bytes {
        let bytes = bytes.context("cannot make the EPUB")?;
        let path = out.join(format!("{name}.epub"));
        write_atomic(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        record(Format::Epub, path);
    }
    let html_path = out.join(format!("{name}.html"));
    if let Some(page) = page {
        let target = if wants(Format::Html) {
            html_path.clone()
        } else {
            out.join(format!(".{name}.print.html"))
        };
        write_atomic(&target, page.as_bytes())
            .with_context(|| format!("cannot write {}", target.display()))?;
        if wants(Format::Html) {
            record(Format::Html, target);
        }
    }
    if let Some(text) = md_text {
        let path = out.join(format!("{name}.md"));
        write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        record(Format::Md, path);
    }
    let mut pdf_problem = None;
    if wants(Format::Pdf) && pdf::TYPESET {
        let path = out.join(format!("{name}.pdf"));
        match pdf::typeset(book, &path) {
            Ok(()) => record(Format::Pdf, path),
            Err(e) => pdf_problem = Some(e),
        }
    } else if wants(Format::Pdf) {
        let source = if wants(Format::Html) {
            html_path
        } else {
            out.join(format!(".{name}.print.html"))
        };
        let path = out.join(format!("{name}.pdf"));
        match pdf::print(&source, &path, pdf_timeout) {
            Ok(()) => record(Format::Pdf, path),
            Err(e) => pdf_problem = Some(e),
        }
        if !wants(Format::Html) {
            let _ = std::fs::remove_file(&source);
        }
    }
    Ok((written, pdf_problem))
}

use crate::core::i18n::text::book as words;
pub use crate::core::i18n::text::book::Labels;

impl Labels {
    /// "Chapter n" (第n章).
    pub fn chapter(&self, n: usize) -> String {
        words::CHAPTER.fill(self.lang, &[("zh", &chinese_number(n)), ("n", &n)])
    }

    /// The name of a contribution.
    pub fn role(&self, r: credits::Role) -> &'static str {
        use credits::Role::*;
        match r {
            Accepted => words::ROLE_ACCEPTED,
            Answered => words::ROLE_ANSWERED,
            Wrote => words::ROLE_WROTE,
            Summarised => words::ROLE_SUMMARISED,
            Asked => words::ROLE_ASKED,
            Replied => words::ROLE_REPLIED,
        }
        .get(self.lang)
    }

    /// "and N unnamed members".
    pub fn anonymous(&self, people: usize) -> String {
        let t = if people == 1 {
            words::ANONYMOUS_ONE
        } else {
            words::ANONYMOUS
        };
        t.fill(self.lang, &[("n", &people)])
    }

    /// The index's line about anonymous members.
    pub fn anonymous_index(&self, people: usize, contributions: usize) -> String {
        let who = capitalise(&self.anonymous(people));
        let s = if contributions == 1 { "" } else { "s" };
        words::ANONYMOUS_INDEX.fill(
            self.lang,
            &[
                ("people", &people),
                ("who", &who),
                ("contributions", &contributions),
                ("s", &s),
            ],
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// 1 → 一, 12 → 十二, 105 → 一百零五 (up to 9999; larger numbers as digits).
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 || n > 9999 {
        return n.to_string();
    }
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let units = ["千", "百", "十", ""];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            if !out.is_empty() {
                zero = true;
            }
            continue;
        }
        if zero {
            out.push_str(D[0]);
            zero = false;
        }
        if !(d == 1 && i == 2 && out.is_empty()) {
            out.push_str(D[d]);
        }
        out.push_str(units[i]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_both_languages() {
        let (zh, en) = (Labels::of(Lang::ZhCn), Labels::of(Lang::En));
        assert_eq!(zh.chapter(12), "第十二章");
        assert_eq!(en.chapter(12), "Chapter 12");
        assert_eq!(zh.role(credits::Role::Accepted), "采纳回答");
        assert_eq!(en.role(credits::Role::Replied), "replies");
        assert_eq!(zh.anonymous(1), "1 位匿名成员");
        assert_eq!(en.anonymous(1), "1 unnamed member");
        assert_eq!(en.anonymous(2), "2 unnamed members");
        assert_eq!(
            zh.anonymous_index(2, 3),
            "另有 2 位匿名成员参与了本书，共 3 处贡献。感谢他们。"
        );
        assert_eq!(
            en.anonymous_index(1, 1),
            "1 unnamed member also took part, with 1 contribution. Thank you."
        );
        assert_eq!(
            en.anonymous_index(3, 2),
            "3 unnamed members also took part, with 2 contributions. Thank you."
        );
        assert_eq!((en.contents, zh.sep), ("Contents", "、"));
        assert_eq!(
            (zh.colon, zh.semicolon, zh.quotes),
            ("：", "；", ("《", "》"))
        );
        assert_eq!(
            (en.colon, en.semicolon, en.quotes),
            (": ", "; ", ("“", "”"))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
    }
}
