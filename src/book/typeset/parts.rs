//! A big book typeset in parts, so that memory stays bounded: one typst
//! compilation holds its whole document, introspector and memoised layout
//! (about 600 KB a page), which for a 3,700-page book is over 2 GB.
//!
//! ```text
//! body ──groups()──► parts of whole chapters, each ≤ part_bytes() of markup
//! 1. front (cover, title page, contents with placeholder page numbers): its page count
//! 2. each part, its page counter starting where the previous one ended
//!    (every piece ends on a left-hand page, so the next opens on a right-hand one):
//!    page count, page and position of each label; PDF; typst's data freed
//! 3. contributors index (back matter) with the sections' page numbers
//! 4. front again with the real page numbers (same page count, or all again)
//! ──join::join()──► one PDF: one page tree, one outline, named destinations
//! ```
//!
//! Links between labels are written as `qunshu-dest:` links
//! ([`markup::DEST`]) in every piece and resolved by the join. The pieces
//! are written without tagged-PDF structure (one structure tree per piece
//! cannot be joined correctly): a book small enough for one compilation
//! keeps it.

use super::join::{self, Anchor, OutlineEntry};
use super::markup::{self, string, text as esc};
use super::{
    contributors, cover_and_title, export, layout, preamble, world, Body, Book, Fonts, Phases,
    NUMBERED,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;

/// At most this much body markup (bytes) in one compilation by default:
/// about 800 A5 pages (≈ 2.6 KB of markup and ≈ 600 KB of typst data a page).
const PART_BYTES: usize = 2 << 20;

/// The part size: [`PART_BYTES`], or `QUNSHU_BOOK_PART_KB` (KB) when set:
/// the tests use it to split a small book.
pub(crate) fn part_bytes() -> usize {
    std::env::var("QUNSHU_BOOK_PART_KB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .map_or(PART_BYTES, |n| n * 1024)
}

/// The chapters grouped into parts of at most `limit` bytes of markup (a
/// bigger chapter is a part alone; the preface goes with the first part):
/// ranges of `body.chapters`. One group: the book is typeset in one go.
pub(crate) fn groups(body: &Body, limit: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut size = body.preface.as_ref().map_or(0, String::len);
    for (i, ch) in body.chapters.iter().enumerate() {
        if i > start && size + ch.len() > limit {
            out.push(start..i);
            start = i;
            size = 0;
        }
        size += ch.len();
    }
    out.push(start..body.chapters.len());
    out
}

/// The outline: the preface, chapters, their sections, the index.
fn entries(book: &Book<'_>) -> Vec<OutlineEntry> {
    let l = book.labels();
    let mut v = Vec::new();
    if book.preface.is_some() {
        v.push(OutlineEntry {
            level: 1,
            label: "p0".to_string(),
            title: l.preface.to_string(),
        });
    }
    for ch in &book.chapters {
        v.push(OutlineEntry {
            level: 1,
            label: ch.anchor.clone(),
            title: format!("{}\u{3000}{}", l.chapter(ch.number), ch.title),
        });
        for s in &ch.sections {
            v.push(OutlineEntry {
                level: 2,
                label: s.anchor.clone(),
                title: s.post.title.clone(),
            });
        }
    }
    v.push(OutlineEntry {
        level: 1,
        label: "contributors".to_string(),
        title: l.contributors.to_string(),
    });
    v
}

/// The labels a part defines.
fn part_labels(book: &Book<'_>, group: &Range<usize>, first: bool) -> Vec<String> {
    let mut v = Vec::new();
    if first && book.preface.is_some() {
        v.push("p0".to_string());
    }
    for ch in &book.chapters[group.clone()] {
        v.push(ch.anchor.clone());
        v.extend(ch.sections.iter().map(|s| s.anchor.clone()));
    }
    v
}

/// The front matter: cover, title page and contents, whose entries give
/// `number(label)` as their page.
fn front_source(
    book: &Book<'_>,
    head: &str,
    entries: &[OutlineEntry],
    number: &dyn Fn(&str) -> String,
) -> String {
    let mut out = head.to_string();
    cover_and_title(book, &mut out);
    out.push_str(NUMBERED);
    out.push_str("#counter(page).update(1)\n");
    let _ = writeln!(out, "#toc([{}], (", esc(book.labels().contents));
    for e in entries {
        let _ = writeln!(
            out,
            "({}, {}, [{}], {}),",
            e.level,
            string(&format!("{}{}", markup::DEST, e.label)),
            // Escaped around the ideographic space (kept, as in the heading).
            e.title
                .split('\u{3000}')
                .map(esc)
                .collect::<Vec<_>>()
                .join("\u{3000}"),
            string(&number(&e.label))
        );
    }
    out.push_str("))\n#chapterbreak()\n");
    out
}

/// A laid-out piece: its PDF, pages, and where its labels are.
struct Piece {
    pdf: Vec<u8>,
    pages: usize,
}

/// Lays out one piece, records where `labels` are (piece `index`), and
/// writes its PDF; typst's data is freed before returning.
fn piece(
    book: &Book<'_>,
    src: String,
    images: &[(String, PathBuf)],
    store: &'static typst_kit::fonts::FontStore,
    labels: &[String],
    index: usize,
    anchors: &mut HashMap<String, Anchor>,
) -> Result<Piece, String> {
    use typst::introspection::Introspector as _;
    let world = world::BookWorld::new(src, images, store, book.date);
    let doc = layout(&world)?;
    let intro = doc.introspector();
    for name in labels {
        let Some(label) = typst::foundations::Label::new(typst::utils::PicoStr::intern(name))
        else {
            continue;
        };
        let Ok(found) = intro.query_label(label) else {
            continue;
        };
        let Some(pos) = found.location().and_then(|loc| intro.position(loc)) else {
            continue;
        };
        anchors.insert(
            name.clone(),
            Anchor {
                piece: index,
                page: pos.page.get(),
                x: pos.point.x.to_pt() as f32,
                y: pos.point.y.to_pt() as f32,
            },
        );
    }
    let pages = doc.pages().len();
    let pdf = export(&world, &doc, &book.identifier, false)?;
    drop(doc);
    drop(world);
    typst::comemo::evict(0);
    Ok(Piece { pdf, pages })
}

/// Typesets `body` in the parts `groups` and joins them into one PDF.
pub(super) fn render(
    book: &Book<'_>,
    fonts: &Fonts,
    images: &[(String, PathBuf)],
    store: &'static typst_kit::fonts::FontStore,
    body: Body,
    groups: &[Range<usize>],
    t: &mut Phases,
) -> Result<Vec<u8>, String> {
    let head = preamble(book, fonts);
    let entries = entries(book);
    // Placeholder page numbers as wide as the real ones will be (≈ 2.5 KB
    // of markup a page), so that the contents keep their page count.
    let total: usize = body.chapters.iter().map(String::len).sum::<usize>()
        + body.preface.as_ref().map_or(0, String::len);
    let mut numbers: HashMap<String, u32> = HashMap::new();
    let placeholder = "8".repeat((total / 2500 + 10).to_string().len());
    for _attempt in 0..3 {
        let number = |l: &str| {
            numbers
                .get(l)
                .map_or_else(|| placeholder.clone(), u32::to_string)
        };
        let src = front_source(book, &head, &entries, &number);
        let world = world::BookWorld::new(src, images, store, book.date);
        let front_pages = layout(&world)?.pages().len();
        drop(world);
        typst::comemo::evict(0);
        t.done(&format!("front matter ({front_pages} pages)"));
        // The cover and title page are unnumbered; the front ends on a
        // left-hand page.
        let mut next = (front_pages.saturating_sub(2) + 1) as u32;
        let mut anchors = HashMap::new();
        let mut pieces = Vec::new();
        let mut starts = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            let mut src = head.clone();
            src.push_str(NUMBERED);
            let _ = writeln!(src, "#counter(page).update({next})");
            if i == 0 {
                if let Some(p) = &body.preface {
                    src.push_str(p);
                }
            }
            for ch in &body.chapters[g.clone()] {
                src.push_str(ch);
            }
            src.push_str("\n#chapterbreak()\n");
            let labels = part_labels(book, g, i == 0);
            let p = piece(book, src, images, store, &labels, i + 1, &mut anchors)?;
            t.done(&format!("part {} ({} pages)", i + 1, p.pages));
            starts.push(next);
            next += p.pages as u32;
            pieces.push(p);
        }
        let page_of = |a: &Anchor| -> u32 { starts[a.piece - 1] + a.page as u32 - 1 };
        let mut real: HashMap<String, u32> = anchors
            .iter()
            .map(|(k, a)| (k.clone(), page_of(a)))
            .collect();
        // The contributors index.
        let mut src = head.clone();
        src.push_str(NUMBERED);
        let _ = writeln!(src, "#counter(page).update({next})");
        contributors(book, Some(&real), &mut src);
        let back_index = groups.len() + 1;
        let back = piece(
            book,
            src,
            images,
            store,
            &["contributors".to_string()],
            back_index,
            &mut anchors,
        )?;
        real.insert("contributors".to_string(), next);
        t.done(&format!("contributors index ({} pages)", back.pages));
        pieces.push(back);
        // The front matter with the real page numbers.
        let src = front_source(book, &head, &entries, &|l: &str| {
            real.get(l).map(u32::to_string).unwrap_or_default()
        });
        let front = piece(book, src, images, store, &[], 0, &mut anchors)?;
        t.done(&format!("front matter again ({} pages)", front.pages));
        if front.pages != front_pages {
            // The contents changed length: the parts' folios are off.
            numbers = real;
            continue;
        }
        let mut pdfs = Vec::with_capacity(pieces.len() + 1);
        let mut counts = Vec::with_capacity(pieces.len() + 1);
        pdfs.push(front.pdf);
        counts.push(front.pages);
        for p in pieces {
            pdfs.push(p.pdf);
            counts.push(p.pages);
        }
        let pdf = join::join(pdfs, &counts, &entries, &anchors)?;
        t.done(&format!("join ({} pages)", counts.iter().sum::<usize>()));
        return Ok(pdf);
    }
    Err("the book's contents did not settle on a page count after three attempts".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(preface: Option<usize>, chapters: &[usize]) -> Body {
        Body {
            preface: preface.map(|n| "p".repeat(n)),
            chapters: chapters.iter().map(|&n| "c".repeat(n)).collect(),
        }
    }

    #[test]
    fn chapters_are_grouped_within_the_limit() {
        assert_eq!(groups(&body(None, &[10, 10, 10]), 100), vec![0..3]);
        assert_eq!(
            groups(&body(None, &[40, 40, 40, 40]), 100),
            vec![0..2, 2..4]
        );
        // A chapter bigger than the limit is a part alone.
        assert_eq!(
            groups(&body(None, &[10, 300, 10]), 100),
            vec![0..1, 1..2, 2..3]
        );
        // The preface counts towards the first part.
        assert_eq!(groups(&body(Some(70), &[40, 40]), 100), vec![0..1, 1..2]);
        assert_eq!(groups(&body(Some(10), &[]), 100), vec![0..0]);
    }
}
