//! The print-ready HTML page: one file with a title page, a table of
//! contents, a page break before every chapter, unique ids across the whole
//! book, in-page links between posts, and print CSS. The chapter markup is
//! shared with the EPUB writer (it is valid as both HTML and XHTML).

use super::credits::{self, Person};
use super::xhtml::{escape_attr, escape_text as esc};
use super::{Book, BookSection, Chapter, PartRole};
use std::collections::HashMap;

/// CSS for Chinese text, shared by the EPUB and the print page.
pub(crate) const BASE_CSS: &str = r#"html { -epub-line-break: strict; line-break: strict; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif; line-height: 1.8; text-align: justify; margin: 0 1em; }
h1, h2, h3, h4, h5, h6 { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; line-height: 1.4; text-align: left; page-break-after: avoid; break-after: avoid; }
h1 { font-size: 1.6em; margin: 1.2em 0 0.6em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.4em; }
h3 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; }
p { margin: 0.5em 0; }
a { color: #1d4ed8; text-decoration: none; }
img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; word-wrap: break-word; font-size: 0.85em; background: #f4f4f5; padding: 0.6em; }
code { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 0.9em; }
blockquote { margin: 0.8em 0; padding: 0 0 0 1em; border-left: 3px solid #d4d4d8; color: #3f3f46; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #a1a1aa; padding: 0.25em 0.5em; }
th { background: #f4f4f5; }
.chapter-number { display: block; font-size: 0.7em; color: #52525b; }
.chapter-credits, .byline { font-size: 0.85em; color: #52525b; }
.chapter-credits { border-top: 1px solid #d4d4d8; border-bottom: 1px solid #d4d4d8; padding: 0.4em 0; }
.part-title .who { font-weight: normal; color: #52525b; }
.badge { font-size: 0.8em; font-weight: normal; color: #15803d; border: 1px solid #15803d; border-radius: 0.3em; padding: 0 0.3em; margin-left: 0.3em; white-space: nowrap; }
.answer.accepted { border-left: 3px solid #15803d; padding-left: 0.8em; }
.summary { background: #f0fdf4; padding: 0.2em 0.8em; }
.reply { margin-left: 1.5em; font-size: 0.95em; }
.titlepage { text-align: center; margin-top: 20%; }
.titlepage .book-title { font-size: 2em; text-align: center; }
.titlepage .subtitle { font-size: 1.2em; color: #3f3f46; }
.toc ol { list-style: none; padding-left: 0; }
.toc ol ol { padding-left: 1.5em; font-size: 0.95em; }
.contributors dt { font-weight: bold; margin-top: 0.6em; }
.contributors dd { margin-left: 1.5em; font-size: 0.9em; }
.cover { text-align: center; }
.footnote-definition { font-size: 0.85em; color: #3f3f46; }
"#;

/// Extra CSS for paper.
pub(crate) const PRINT_CSS: &str = r#"@page { size: A5; margin: 18mm 16mm 20mm; }
@media print { a { color: inherit; } }
.chapter, .toc, .preface, .contributors, .titlepage { break-before: page; page-break-before: always; }
.titlepage:first-child, .cover + .titlepage { break-before: auto; }
.cover { break-after: page; page-break-after: always; }
article.section { break-before: auto; }
article.section + article.section { margin-top: 2em; }
.section-title { break-after: avoid; }
pre, table, img, blockquote { break-inside: avoid; }
"#;

/// Shared markup helpers; `href(id)` turns an in-book id into a link.
pub(crate) struct Writer<'a, 'c> {
    /// The book.
    pub book: &'a Book<'c>,
    /// Maps an in-book id to an `href` value.
    pub href: &'a dyn Fn(&str) -> String,
    /// Whether to add `epub:type` attributes.
    pub epub: bool,
    /// Section anchor → (chapter number, section title).
    pub where_is: HashMap<&'a str, (usize, &'a str)>,
}

impl<'a, 'c> Writer<'a, 'c> {
    /// A writer for `book`.
    pub(crate) fn new(book: &'a Book<'c>, href: &'a dyn Fn(&str) -> String, epub: bool) -> Self {
        let mut where_is = HashMap::new();
        for ch in &book.chapters {
            for s in &ch.sections {
                where_is.insert(s.anchor.as_str(), (ch.number, s.post.title.as_str()));
            }
        }
        Writer {
            book,
            href,
            epub,
            where_is,
        }
    }

    fn link(&self, out: &mut String, id: &str, text: &str) {
        out.push_str("<a href=\"");
        out.push_str(&escape_attr(&(self.href)(id)));
        out.push_str("\">");
        out.push_str(&esc(text));
        out.push_str("</a>");
    }

    fn etype(&self, t: &str) -> String {
        if self.epub {
            format!(" epub:type=\"{t}\"")
        } else {
            String::new()
        }
    }

    /// The title page.
    pub(crate) fn title_page(&self, out: &mut String) {
        let b = self.book;
        let l = b.labels();
        out.push_str(&format!(
            "<section class=\"titlepage\"{}>\n",
            self.etype("titlepage")
        ));
        out.push_str(&format!(
            "<h1 class=\"book-title\">{}</h1>\n",
            esc(&b.title)
        ));
        if let Some(s) = &b.subtitle {
            out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", esc(s)));
        }
        if !b.editors.is_empty() {
            let names: Vec<&str> = b.editors.iter().map(|e| e.display(b.lang)).collect();
            out.push_str(&format!(
                "<p class=\"editors\">{}{}{}</p>\n",
                esc(l.edited_by),
                l.colon,
                esc(&names.join(l.sep))
            ));
        }
        if !b.description.is_empty() {
            out.push_str(&format!(
                "<p class=\"description\">{}</p>\n",
                esc(&b.description)
            ));
        }
        out.push_str(&format!(
            "<p class=\"publisher\">{}</p>\n<p class=\"date\">{}</p>\n</section>\n",
            esc(&b.community.config.title),
            b.date
        ));
    }

    /// The table of contents as nested lists (also the EPUB navigation).
    pub(crate) fn toc_list(&self, out: &mut String) {
        let b = self.book;
        let l = b.labels();
        out.push_str("<ol>\n");
        if b.preface.is_some() {
            out.push_str("<li>");
            self.link(out, "p0", l.preface);
            out.push_str("</li>\n");
        }
        for ch in &b.chapters {
            out.push_str("<li>");
            self.link(
                out,
                &ch.anchor,
                &format!("{} {}", l.chapter(ch.number), ch.title),
            );
            out.push_str("\n<ol>\n");
            for s in &ch.sections {
                out.push_str("<li>");
                self.link(out, &s.anchor, &s.post.title);
                out.push_str("</li>\n");
            }
            out.push_str("</ol>\n</li>\n");
        }
        out.push_str("<li>");
        self.link(out, "contributors", l.contributors);
        out.push_str("</li>\n</ol>\n");
    }

    /// The preface, if any.
    pub(crate) fn preface(&self, out: &mut String) {
        let b = self.book;
        if let Some(p) = &b.preface {
            out.push_str(&format!(
                "<section class=\"preface\" id=\"p0\"{}>\n<h1>{}</h1>\n",
                self.etype("preface"),
                esc(b.labels().preface)
            ));
            p.frag.write(out, &b.ids, self.href, self.epub);
            out.push_str("\n</section>\n");
        }
    }

    /// One chapter with its credits and sections.
    pub(crate) fn chapter(&self, out: &mut String, ch: &Chapter<'_>) {
        let b = self.book;
        let l = b.labels();
        out.push_str(&format!(
            "<section class=\"chapter\" id=\"{}\"{}>\n<h1 class=\"chapter-title\"><span class=\"chapter-number\">{}</span>{}</h1>\n",
            ch.anchor,
            self.etype("chapter"),
            esc(&l.chapter(ch.number)),
            esc(&ch.title)
        ));
        if let Some(c) = b.credits.chapters.get(ch.number - 1) {
            let line = credits::chapter_line(b, c);
            if !line.is_empty() {
                out.push_str(&format!(
                    "<p class=\"chapter-credits\"><span class=\"label\">{}{}</span>{}</p>\n",
                    esc(l.chapter_contributors),
                    l.colon,
                    esc(&line)
                ));
            }
        }
        for s in &ch.sections {
            self.section(out, s);
        }
        out.push_str("</section>\n");
    }

    fn names(&self, handles: &[String]) -> String {
        let b = self.book;
        handles
            .iter()
            .map(|h| b.credit(h).display(b.lang).to_string())
            .collect::<Vec<_>>()
            .join(b.labels().sep)
    }

    fn section(&self, out: &mut String, s: &BookSection<'_>) {
        let b = self.book;
        let l = b.labels();
        let colon = l.colon;
        out.push_str(&format!(
            "<article class=\"section kind-{}\" id=\"{}\">\n<h2 class=\"section-title\">{}</h2>\n",
            s.post.kind.id(),
            s.anchor,
            esc(&s.post.title)
        ));
        let mut byline: Vec<String> = Vec::new();
        if let Some(t) = &s.post.thread {
            if let Some(a) = &t.asked_by {
                byline.push(format!(
                    "{}{colon}{}",
                    l.asked_by,
                    b.credit(a).display(b.lang)
                ));
            }
        }
        if !s.post.authors.is_empty() {
            byline.push(format!("{}{colon}{}", l.by, self.names(&s.post.authors)));
        }
        if let Some(d) = s.date {
            byline.push(d.to_string());
        }
        if !s.post.tags.is_empty() {
            byline.push(s.post.tags.join(l.sep));
        }
        out.push_str(&format!(
            "<p class=\"byline\">{}</p>\n",
            esc(&byline.join(" · "))
        ));
        for part in &s.parts {
            let who = part.who.map(|h| b.credit(h).display(b.lang).to_string());
            match part.role {
                PartRole::Question | PartRole::Body => {
                    out.push_str(&format!(
                        "<div class=\"{}\">\n",
                        if part.role == PartRole::Body {
                            "body"
                        } else {
                            "question"
                        }
                    ));
                }
                PartRole::Answer { accepted } => {
                    out.push_str(&format!(
                        "<section class=\"answer{}\">\n<h3 class=\"part-title\">{}",
                        if accepted { " accepted" } else { "" },
                        esc(l.answer)
                    ));
                    if let Some(t) = part.title {
                        out.push_str(&format!("{colon}{}", esc(t)));
                    }
                    if let Some(w) = &who {
                        out.push_str(&format!(" <span class=\"who\">— {}</span>", esc(w)));
                    }
                    if accepted {
                        out.push_str(&format!(
                            " <span class=\"badge\">✔ {}</span>",
                            esc(l.accepted)
                        ));
                    }
                    out.push_str("</h3>\n");
                }
                PartRole::Reply => {
                    out.push_str(&format!(
                        "<section class=\"reply\">\n<h4 class=\"part-title\">{}{}</h4>\n",
                        esc(l.reply),
                        who.as_ref()
                            .map(|w| format!(" <span class=\"who\">— {}</span>", esc(w)))
                            .unwrap_or_default()
                    ));
                }
                PartRole::Summary => {
                    out.push_str(&format!(
                        "<section class=\"summary\">\n<h3 class=\"part-title\">{}{}</h3>\n",
                        esc(l.summary),
                        who.as_ref()
                            .map(|w| format!(" <span class=\"who\">— {}</span>", esc(w)))
                            .unwrap_or_default()
                    ));
                }
            }
            part.frag.write(out, &b.ids, self.href, self.epub);
            match part.role {
                PartRole::Question | PartRole::Body => out.push_str("\n</div>\n"),
                _ => out.push_str("\n</section>\n"),
            }
        }
        out.push_str("</article>\n");
    }

    /// The contributors index.
    pub(crate) fn contributors(&self, out: &mut String) {
        let b = self.book;
        let l = b.labels();
        out.push_str(&format!(
            "<section class=\"contributors\" id=\"contributors\"{}>\n<h1>{}</h1>\n",
            self.etype("contributors"),
            esc(l.contributors)
        ));
        if !b.credits.index.is_empty() {
            out.push_str("<dl>\n");
            for p in &b.credits.index {
                self.person(out, p);
            }
            out.push_str("</dl>\n");
        }
        if b.credits.anonymous_people > 0 {
            out.push_str(&format!(
                "<p class=\"anonymous\">{}</p>\n",
                esc(&l.anonymous_index(
                    b.credits.anonymous_people,
                    b.credits.anonymous_contributions
                ))
            ));
        }
        out.push_str("</section>\n");
    }

    fn person(&self, out: &mut String, p: &Person) {
        let b = self.book;
        let l = b.labels();
        out.push_str(&format!("<dt>{}</dt>\n<dd>", esc(&credits::describe(b, p))));
        let mut by_chapter: Vec<(usize, Vec<(&str, &str)>)> = Vec::new();
        for a in &p.sections {
            if let Some((ch, title)) = self.where_is.get(a.as_str()) {
                match by_chapter.last_mut() {
                    Some((c, v)) if c == ch => v.push((a, title)),
                    _ => by_chapter.push((*ch, vec![(a, title)])),
                }
            }
        }
        let colon = l.colon;
        for (i, (ch, secs)) in by_chapter.iter().enumerate() {
            if i > 0 {
                out.push_str(l.semicolon);
            }
            self.link(out, &format!("ch{ch}"), &l.chapter(*ch));
            out.push_str(colon);
            for (j, (a, t)) in secs.iter().enumerate() {
                if j > 0 {
                    out.push_str(&esc(l.sep));
                }
                let text = format!("{}{t}{}", l.quotes.0, l.quotes.1);
                self.link(out, a, &text);
            }
        }
        out.push_str("</dd>\n");
    }
}

/// The print page, as one HTML document.
pub(crate) fn render(book: &Book<'_>) -> String {
    let href = |id: &str| format!("#{id}");
    let w = Writer::new(book, &href, false);
    let l = book.labels();
    let mut out = String::with_capacity(1 << 16);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"qunshu\"/>\n<title>{}</title>\n<style>\n{BASE_CSS}{PRINT_CSS}</style>\n</head>\n<body>\n",
        book.lang.tag(),
        esc(&book.title)
    ));
    if let Some(c) = &book.cover {
        out.push_str(&format!(
            "<section class=\"cover\"><img src=\"{}\" alt=\"{}\"/></section>\n",
            escape_attr(&c.href),
            escape_attr(l.cover)
        ));
    }
    w.title_page(&mut out);
    out.push_str(&format!(
        "<nav class=\"toc\" id=\"toc\">\n<h1>{}</h1>\n",
        esc(l.contents)
    ));
    w.toc_list(&mut out);
    out.push_str("</nav>\n");
    w.preface(&mut out);
    for ch in &book.chapters {
        w.chapter(&mut out, ch);
    }
    w.contributors(&mut out);
    out.push_str("</body>\n</html>\n");
    out
}
