//! The typeset PDF: the book as typst markup, laid out by the embedded typst
//! engine and written by `typst-pdf` (no browser).
//!
//! ```text
//! Book ──source()──► one .typ file: TEMPLATE (page, fonts, running heads,
//!                    headings) + cover, title page, contents, preface,
//!                    chapters (credit line, sections, parts), contributors
//!        ──BookWorld (world.rs)──► typst::compile ──► typst_pdf::pdf
//! ```
//!
//! A big book (more body markup than [`parts::part_bytes`]) is typeset in
//! parts of whole chapters, one compilation at a time, and the parts' PDFs
//! joined ([`parts`], [`join`]): one compilation holds ~600 KB a page.
//!
//! Member text only ever enters the source escaped ([`markup`]): it is
//! printed, never run. People are printed through [`Book::credit`], so
//! anonymous members are never named. The PDF's date and identifier come
//! from the book (its latest post, its UUID), so the same sources give the
//! same bytes.

pub(crate) mod join;
pub(crate) mod markup;
pub(crate) mod parts;
pub(crate) mod world;

use super::credits::{self, Person};
use super::{Book, BookSection, Chapter, PartRole};
use crate::core::config::books::Paper;
use crate::core::config::Lang;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use markup::{string, text as esc};

/// The fonts a book is set in: the first of each list that is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fonts {
    /// Body text.
    pub serif: String,
    /// Headings.
    pub sans: String,
    /// Code.
    pub mono: Option<String>,
}

const SERIF: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif SC",
    "Source Han Serif",
    "Songti SC",
    "SimSun",
];
const SANS: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans",
    "PingFang SC",
    "Microsoft YaHei",
];
const MONO: &[&str] = &[
    "Noto Sans Mono CJK SC",
    "DejaVu Sans Mono",
    "Noto Sans Mono",
    "Liberation Mono",
];

/// Picks the book's fonts from those `has` (a family name) knows, or says
/// what is missing.
pub(crate) fn pick_fonts(has: &dyn Fn(&str) -> bool) -> Result<Fonts, String> {
    let first = |list: &[&str]| list.iter().find(|f| has(f)).map(|f| f.to_string());
    let serif = first(SERIF);
    let sans = first(SANS);
    let (serif, sans) = match (serif, sans) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a.clone(), a),
        (None, Some(b)) => (b.clone(), b),
        (None, None) => {
            return Err(format!(
                "no font for the book's Chinese text: none of {} is installed; install Noto CJK (e.g. `apt-get install fonts-noto-cjk`) or put font files in a folder and name it in site.toml, e.g. `[book] fonts = [\"book/fonts\"]`",
                SERIF
                    .iter()
                    .chain(SANS)
                    .map(|f| format!("“{f}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    };
    Ok(Fonts {
        serif,
        sans,
        mono: first(MONO),
    })
}

/// The page template: page size, fonts, running heads, folios, headings and
/// the small functions the body calls. `{{…}}` are filled in by [`source`].
const TEMPLATE: &str = include_str!("book.typ");

fn font_list(f: &Fonts, first: &str) -> String {
    let mut v = vec![string(first)];
    for x in [&f.serif, &f.sans] {
        let s = string(x);
        if !v.contains(&s) {
            v.push(s);
        }
    }
    format!("({},)", v.join(", "))
}

/// The ids that become typst labels: the preface, chapters, sections and
/// the contributors index.
fn labels(book: &Book<'_>) -> HashSet<String> {
    let mut l = HashSet::new();
    if book.preface.is_some() {
        l.insert("p0".to_string());
    }
    for ch in &book.chapters {
        l.insert(ch.anchor.clone());
        for s in &ch.sections {
            l.insert(s.anchor.clone());
        }
    }
    l.insert("contributors".to_string());
    l
}

fn colon(book: &Book<'_>) -> &'static str {
    if book.lang == Lang::ZhCn {
        "："
    } else {
        ": "
    }
}

/// The whole book as typst markup (one compilation).
pub(crate) fn source(book: &Book<'_>, fonts: &Fonts) -> String {
    let l = book.labels();
    let mut out = preamble(book, fonts);
    cover_and_title(book, &mut out);
    out.push_str(NUMBERED);
    out.push_str("#counter(page).update(1)\n");
    let _ = writeln!(out, "#contents([{}])", esc(l.contents));
    let body = body(book, false);
    if let Some(p) = &body.preface {
        out.push_str(p);
    }
    for ch in &body.chapters {
        out.push_str(ch);
    }
    contributors(book, None, &mut out);
    out
}

/// From here on pages have running heads and folios.
const NUMBERED: &str = "#set page(header: runninghead, footer: folio)\n";

/// The template with the book's settings filled in: how every compilation
/// of the book starts.
fn preamble(book: &Book<'_>, fonts: &Fonts) -> String {
    use chrono::Datelike;
    let zh = book.lang == Lang::ZhCn;
    let (paper, inside, outside, top, bottom, size) = match book.config.paper {
        Paper::A5 => ("a5", "18mm", "14mm", "18mm", "18mm", "10pt"),
        Paper::A4 => ("a4", "25mm", "20mm", "24mm", "24mm", "11pt"),
    };
    let authors: Vec<String> = book
        .editors
        .iter()
        .map(|e| string(e.display(book.lang)))
        .collect();
    let keywords: Vec<String> = book.subjects().iter().map(|t| string(t)).collect();
    let mut out = TEMPLATE
        .replace("{{paper}}", paper)
        .replace("{{inside}}", inside)
        .replace("{{outside}}", outside)
        .replace("{{top}}", top)
        .replace("{{bottom}}", bottom)
        .replace("{{size}}", size)
        .replace("{{serif}}", &font_list(fonts, &fonts.serif))
        .replace("{{sans}}", &font_list(fonts, &fonts.sans))
        .replace(
            "{{mono}}",
            &font_list(fonts, fonts.mono.as_deref().unwrap_or(&fonts.serif)),
        )
        .replace(
            "{{lang}}",
            if zh {
                "lang: \"zh\", region: \"cn\""
            } else {
                "lang: \"en\""
            },
        )
        .replace("{{indent}}", if zh { "2em" } else { "0em" })
        .replace("{{title-str}}", &string(&book.title))
        .replace(
            "{{authors}}",
            &format!(
                "({})",
                authors.iter().map(|a| format!("{a},")).collect::<String>()
            ),
        )
        .replace(
            "{{keywords}}",
            &format!(
                "({})",
                keywords.iter().map(|a| format!("{a},")).collect::<String>()
            ),
        )
        .replace(
            "{{date}}",
            &format!(
                "datetime(year: {}, month: {}, day: {})",
                book.date.year(),
                book.date.month(),
                book.date.day()
            ),
        )
        .replace("{{title}}", &esc(&book.title));
    out.push('\n');
    out
}

/// The cover and the title page (unnumbered).
fn cover_and_title(book: &Book<'_>, out: &mut String) {
    let l = book.labels();
    let season = book.season();
    // The cover.
    match &book.cover {
        Some(c) => {
            let _ = writeln!(
                out,
                "#page(margin: 0pt, header: none, footer: none)[#image({}, width: 100%, height: 100%, fit: \"cover\")]",
                string(&format!("/{}", c.href))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "#cover([{}], [{}], [{}], [{}])",
                esc(&book.title),
                book.subtitle.as_deref().map(esc).unwrap_or_default(),
                esc(&book.community.config.title),
                esc(&season)
            );
        }
    }
    // The title page.
    let editors = if book.editors.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = book.editors.iter().map(|e| e.display(book.lang)).collect();
        esc(&format!(
            "{}{}{}",
            l.edited_by,
            colon(book),
            names.join(l.sep)
        ))
    };
    let _ = writeln!(
        out,
        "#titlepage([{}], [{}], [{}], [{}], [{}], [{}], [{}])",
        esc(&book.title),
        book.subtitle.as_deref().map(esc).unwrap_or_default(),
        editors,
        esc(&book.description),
        esc(&book.community.config.title),
        esc(&book.date.to_string()),
        esc(&book.rights())
    );
}

/// The body of the book as typst markup: the preface and each chapter,
/// each starting on a right-hand page.
pub(crate) struct Body {
    /// The preface, if any.
    pub preface: Option<String>,
    /// Each chapter.
    pub chapters: Vec<String>,
}

/// The preface and chapters; `in_parts`: see [`markup::Context::in_parts`].
fn body(book: &Book<'_>, in_parts: bool) -> Body {
    let l = book.labels();
    let labels = labels(book);
    let mut images: HashSet<String> = book.links.images().into_keys().collect();
    if let Some(c) = &book.cover {
        images.insert(c.href.clone());
    }
    let ctx = markup::Context {
        labels: &labels,
        images: &images,
        in_parts,
    };
    let preface = book.preface.as_ref().map(|p| {
        let mut out = format!(
            "#chapterbreak()\n#heading(level: 1)[{}] <p0>\n\n",
            esc(l.preface)
        );
        out.push_str(&frag(book, &p.frag, &ctx));
        out
    });
    let chapters = book
        .chapters
        .iter()
        .map(|ch| {
            let mut out = String::new();
            chapter(book, ch, &ctx, &mut out);
            out
        })
        .collect();
    Body { preface, chapters }
}

fn frag(book: &Book<'_>, f: &super::xhtml::Frag, ctx: &markup::Context<'_>) -> String {
    let mut x = String::new();
    f.write(&mut x, &book.ids, &|id: &str| format!("#{id}"), false);
    markup::from_xhtml(&x, ctx)
}

fn chapter(book: &Book<'_>, ch: &Chapter<'_>, ctx: &markup::Context<'_>, out: &mut String) {
    let l = book.labels();
    let _ = writeln!(
        out,
        "\n#chapterbreak()\n#heading(level: 1)[{}\u{3000}{}] <{}>\n",
        esc(&l.chapter(ch.number)),
        esc(&ch.title),
        ch.anchor
    );
    if let Some(c) = book.credits.chapters.get(ch.number - 1) {
        let line = credits::chapter_line(book, c);
        if !line.is_empty() {
            let _ = writeln!(
                out,
                "#credits[{}{}{}]\n",
                esc(l.chapter_contributors),
                esc(colon(book)),
                esc(&line)
            );
        }
    }
    for s in &ch.sections {
        section(book, s, ctx, out);
    }
}

fn names(book: &Book<'_>, handles: &[String]) -> String {
    handles
        .iter()
        .map(|h| book.credit(h).display(book.lang).to_string())
        .collect::<Vec<_>>()
        .join(book.labels().sep)
}

fn section(book: &Book<'_>, s: &BookSection<'_>, ctx: &markup::Context<'_>, out: &mut String) {
    let l = book.labels();
    let c = colon(book);
    let _ = writeln!(
        out,
        "\n#heading(level: 2)[{}] <{}>\n",
        esc(&s.post.title),
        s.anchor
    );
    let mut byline: Vec<String> = Vec::new();
    if let Some(a) = s.post.thread.as_ref().and_then(|t| t.asked_by.as_ref()) {
        byline.push(format!(
            "{}{c}{}",
            l.asked_by,
            book.credit(a).display(book.lang)
        ));
    }
    if !s.post.authors.is_empty() {
        byline.push(format!("{}{c}{}", l.by, names(book, &s.post.authors)));
    }
    if let Some(d) = s.date {
        byline.push(d.to_string());
    }
    if !s.post.tags.is_empty() {
        byline.push(s.post.tags.join(l.sep));
    }
    let _ = writeln!(out, "#byline[{}]\n", esc(&byline.join(" · ")));
    for part in &s.parts {
        let who = part
            .who
            .map(|h| format!(" — {}", book.credit(h).display(book.lang)))
            .unwrap_or_default();
        let body = frag(book, &part.frag, ctx);
        match part.role {
            PartRole::Question | PartRole::Body => {
                out.push_str(&body);
                out.push('\n');
            }
            PartRole::Answer { accepted } => {
                let mut head = l.answer.to_string();
                if let Some(t) = part.title {
                    head.push_str(c);
                    head.push_str(t);
                }
                head.push_str(&who);
                let badge = if accepted {
                    format!("#badge[{}]", esc(l.accepted))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "#answer({}, [{}{badge}], [{}])\n",
                    accepted,
                    esc(&head),
                    body
                );
            }
            PartRole::Reply => {
                let _ = writeln!(
                    out,
                    "#reply([{}], [{}])\n",
                    esc(&format!("{}{who}", l.reply)),
                    body
                );
            }
            PartRole::Summary => {
                let _ = writeln!(
                    out,
                    "#summary([{}], [{}])\n",
                    esc(&format!("{}{who}", l.summary)),
                    body
                );
            }
        }
    }
}

/// The contributors index. `pages`: when the book is typeset in parts, the
/// folio of each section (the index cannot ask typst for pages it does not
/// lay out).
fn contributors(book: &Book<'_>, pages: Option<&HashMap<String, u32>>, out: &mut String) {
    let l = book.labels();
    let zh = book.lang == Lang::ZhCn;
    let _ = writeln!(
        out,
        "\n#chapterbreak()\n#heading(level: 1)[{}] <contributors>\n",
        esc(l.contributors)
    );
    let chapter_of: std::collections::HashMap<&str, (usize, &str)> = book
        .chapters
        .iter()
        .flat_map(|ch| {
            ch.sections
                .iter()
                .map(move |s| (s.anchor.as_str(), (ch.number, s.post.title.as_str())))
        })
        .collect();
    for p in &book.credits.index {
        person(book, p, &chapter_of, zh, pages, out);
    }
    if book.credits.anonymous_people > 0 {
        let _ = writeln!(
            out,
            "\n#anonymous[{}]\n",
            esc(&l.anonymous_index(
                book.credits.anonymous_people,
                book.credits.anonymous_contributions
            ))
        );
    }
}

fn person(
    book: &Book<'_>,
    p: &Person,
    chapter_of: &std::collections::HashMap<&str, (usize, &str)>,
    zh: bool,
    pages: Option<&HashMap<String, u32>>,
    out: &mut String,
) {
    let l = book.labels();
    let mut by_chapter: Vec<(usize, Vec<(&str, &str)>)> = Vec::new();
    for a in &p.sections {
        if let Some((ch, title)) = chapter_of.get(a.as_str()) {
            match by_chapter.last_mut() {
                Some((c, v)) if c == ch => v.push((a, title)),
                _ => by_chapter.push((*ch, vec![(a, title)])),
            }
        }
    }
    let mut refs = String::new();
    for (i, (ch, secs)) in by_chapter.iter().enumerate() {
        if i > 0 {
            refs.push_str(&esc(if zh { "；" } else { "; " }));
        }
        refs.push_str(&esc(&l.chapter(*ch)));
        refs.push_str(&esc(colon(book)));
        for (j, (a, t)) in secs.iter().enumerate() {
            if j > 0 {
                refs.push_str(&esc(l.sep));
            }
            let title = if zh {
                format!("《{t}》")
            } else {
                format!("“{t}” ")
            };
            match pages {
                None => {
                    let _ = write!(refs, "#link(<{a}>)[{}]#pg(<{a}>)", esc(&title));
                }
                Some(pages) => {
                    let dest = string(&format!("{}{a}", markup::DEST));
                    let _ = write!(refs, "#link({dest})[{}]", esc(&title));
                    if let Some(n) = pages.get(*a) {
                        let _ = write!(refs, "#pgn({dest}, \"{n}\")");
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "#indexentry([{}], [{}])\n",
        esc(&credits::describe(book, p)),
        refs
    );
}

/// Fonts from `[book] fonts` (relative to the root), checked to exist.
fn font_paths(book: &Book<'_>) -> Result<Vec<PathBuf>, String> {
    let root = &book.community.config.root;
    let mut v = Vec::new();
    for f in &book.config.fonts {
        let p = root.join(f);
        if !p.exists() {
            return Err(format!(
                "site.toml [{}] fonts: `{}` does not exist (expected a font file or a folder of fonts, relative to site.toml)",
                book.config.key,
                f.display()
            ));
        }
        v.push(p);
    }
    Ok(v)
}

/// With `QUNSHU_TIMING=1`, prints how long each phase of the PDF took
/// (and the peak memory so far) on stderr.
struct Phases {
    on: bool,
    last: std::time::Instant,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            on: std::env::var_os("QUNSHU_TIMING").is_some_and(|v| v == "1"),
            last: std::time::Instant::now(),
        }
    }

    fn done(&mut self, what: &str) {
        if self.on {
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmHWM:"))
                        .map(|l| l[6..].trim().to_string())
                })
                .unwrap_or_default();
            eprintln!(
                "pdf: {what}: {} ms (peak memory {peak})",
                self.last.elapsed().as_millis()
            );
        }
        self.last = std::time::Instant::now();
    }
}

/// Typesets the book and returns the PDF's bytes: in one compilation, or
/// in parts ([`parts`]) when the book is big.
pub(crate) fn render(book: &Book<'_>) -> Result<Vec<u8>, String> {
    let mut t = Phases::new();
    let store = world::fonts(&font_paths(book)?);
    let fb = store.book();
    let fonts = pick_fonts(&|f: &str| fb.contains_family(&f.to_lowercase()))?;
    t.done("fonts");
    let mut images: Vec<(String, PathBuf)> = book.links.images().into_iter().collect();
    if let Some(c) = &book.cover {
        images.push((c.href.clone(), c.source.clone()));
    }
    let body = body(book, true);
    let groups = parts::groups(&body, parts::part_bytes());
    if groups.len() > 1 {
        t.done(&format!("markup, {} parts", groups.len()));
        return parts::render(book, &fonts, &images, store, body, &groups, &mut t);
    }
    drop(body);
    let src = source(book, &fonts);
    t.done(&format!("markup ({} KB)", src.len() / 1024));
    let world = world::BookWorld::new(src, &images, store, book.date);
    let doc = layout(&world)?;
    t.done(&format!("layout ({} pages)", doc.pages().len()));
    // The memoised layout results are no longer needed (the document holds
    // what it uses): freeing them makes room for the PDF export.
    typst::comemo::evict(0);
    let pdf = export(&world, &doc, &book.identifier, true);
    t.done("pdf export");
    pdf
}

/// What went wrong in a compilation, with the line of the generated source.
fn describe(world: &world::BookWorld, errs: &[typst::diag::SourceDiagnostic]) -> String {
    errs.iter()
        .take(3)
        .map(|e| {
            let at = typst::WorldExt::range(world, e.span)
                .map(|r| {
                    format!(
                        " (line {} of the generated typst source)",
                        world.line_of(r.start)
                    )
                })
                .unwrap_or_default();
            format!("{}{at}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lays out a world's main source.
fn layout(world: &world::BookWorld) -> Result<typst_layout::PagedDocument, String> {
    typst::compile(world)
        .output
        .map_err(|e| format!("typst could not lay out the book: {}", describe(world, &e)))
}

/// Writes a laid-out document as PDF; `tagged`: with the tagged-PDF
/// structure (accessibility).
fn export(
    world: &world::BookWorld,
    doc: &typst_layout::PagedDocument,
    ident: &str,
    tagged: bool,
) -> Result<Vec<u8>, String> {
    let opts = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(ident.to_string()),
        creator: typst::foundations::Smart::Custom(Some("qunshu".to_string())),
        tagged,
        ..Default::default()
    };
    typst_pdf::pdf(doc, &opts)
        .map_err(|e| format!("typst could not write the PDF: {}", describe(world, &e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fonts_are_named() {
        let e = pick_fonts(&|_| false).unwrap_err();
        assert!(e.contains("Noto Serif CJK SC"), "{e}");
        assert!(e.contains("fonts-noto-cjk"), "{e}");
        assert!(e.contains("[book] fonts"), "{e}");
    }

    #[test]
    fn fonts_fall_back_within_and_across_lists() {
        let f = pick_fonts(&|f| f == "Source Han Sans SC").unwrap();
        assert_eq!(f.serif, "Source Han Sans SC");
        assert_eq!(f.sans, "Source Han Sans SC");
        assert_eq!(f.mono, None);
        let f = pick_fonts(&|f| f.starts_with("Noto")).unwrap();
        assert_eq!(f.serif, "Noto Serif CJK SC");
        assert_eq!(f.sans, "Noto Sans CJK SC");
        assert_eq!(f.mono.as_deref(), Some("Noto Sans Mono CJK SC"));
    }
}
