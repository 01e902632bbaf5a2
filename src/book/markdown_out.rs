//! The whole book as one Markdown file, for editing elsewhere (Typora,
//! Pandoc, an editor's word processor), opening with a YAML metadata block
//! (title, subtitle, author, lang, date, publisher, rights, identifier,
//! subjects, cover) so `pandoc book.md -o book.epub` makes a proper book.
//!
//! Members' Markdown is re-parsed with pulldown-cmark and written back with
//! pulldown-cmark-to-cmark after rewriting it: links between posts become
//! `#p12` anchors (each section heading carries `{#p12}`, which Pandoc and
//! most editors honour), images point at the copied `images/` folder,
//! headings move down under the book's own, footnote labels get a
//! per-section prefix so they never clash, and raw HTML is sanitised
//! (blocks) or dropped (inline tags other than a few harmless ones).

use super::links::Target;
use super::{Book, BookSection, PartRole};
use crate::core::markdown::{is_safe_url, sanitizer, RefKind};
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use std::path::Path;

/// Escapes text so Markdown prints it as written.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '{' | '}' | '!'
        ) {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

const SAFE_INLINE: &[&str] = &[
    "br", "sub", "sup", "kbd", "u", "mark", "b", "i", "s", "em", "strong", "small", "del", "ins",
];

fn safe_inline_tag(html: &str) -> bool {
    let t = html.trim();
    let Some(inner) = t.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return false;
    };
    let inner = inner.trim_start_matches('/').trim_end_matches('/').trim();
    SAFE_INLINE.contains(&inner.to_ascii_lowercase().as_str())
}

fn shift(level: HeadingLevel, by: u8) -> HeadingLevel {
    let n = (level as u8 + by).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

/// Rewrites one piece of a member's Markdown for the book.
pub(crate) fn transform(
    book: &Book<'_>,
    md: &str,
    source: &Path,
    own: &str,
    ns: &str,
    by: u8,
) -> String {
    let section_of = |id: &str| -> String {
        // `p12-…` → `p12`: Markdown output has anchors on sections only.
        let digits = super::links::section_digits(id);
        if digits.is_empty() {
            id.to_string()
        } else {
            format!("p{digits}")
        }
    };
    let dest = |kind: RefKind, d: &str| -> String {
        if !is_safe_url(d) {
            return format!("#{own}");
        }
        match book.links.target(source, own, kind, d) {
            Target::Anchor(id) => format!("#{}", section_of(&id)),
            Target::Url(u) | Target::Image(u) => u,
            Target::Keep => {
                if d.starts_with("http://")
                    || d.starts_with("https://")
                    || d.starts_with("mailto:")
                    || d.starts_with("tel:")
                {
                    d.to_string()
                } else {
                    format!("#{own}")
                }
            }
        }
    };
    let mut events: Vec<Event<'_>> = Vec::new();
    // A raw HTML block, gathered whole, then sanitised and made XHTML (Pandoc
    // copies it into its EPUB as it is).
    let mut html_block: Option<String> = None;
    // Inside an image that is not packaged: written as its description (a
    // link, for a remote one), as the EPUB does.
    let mut image_as_text: Option<bool> = None;
    for ev in Parser::new_ext(md, crate::core::markdown::parser_options()) {
        if let Some(block) = html_block.as_mut() {
            match ev {
                Event::Html(h) | Event::Text(h) => block.push_str(&h),
                Event::End(TagEnd::HtmlBlock) => {
                    let x = raw_block(book, &sanitizer().clean(block).to_string(), own, ns, by);
                    html_block = None;
                    if !x.is_empty() {
                        events.push(Event::Start(Tag::HtmlBlock));
                        events.push(Event::Html(CowStr::from(format!("{x}\n"))));
                        events.push(Event::End(TagEnd::HtmlBlock));
                    }
                }
                _ => {}
            }
            continue;
        }
        let ev = match ev {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some(String::new());
                continue;
            }
            Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
                level: shift(level, by),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level, by))),
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::from(dest(RefKind::Link, &dest_url)),
                title,
                id: CowStr::from(""),
            }),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let d = dest(RefKind::Image, &dest_url);
                if !d.starts_with("images/") {
                    let remote = d.starts_with("http://") || d.starts_with("https://");
                    if remote {
                        events.push(Event::Start(Tag::Link {
                            link_type: LinkType::Inline,
                            dest_url: CowStr::from(d),
                            title,
                            id: CowStr::from(""),
                        }));
                    }
                    image_as_text = Some(remote);
                    events.push(Event::Text(CowStr::from("[")));
                    continue;
                }
                Event::Start(Tag::Image {
                    link_type: LinkType::Inline,
                    dest_url: CowStr::from(d),
                    title,
                    id: CowStr::from(""),
                })
            }
            Event::FootnoteReference(label) => {
                Event::FootnoteReference(CowStr::from(format!("{ns}{label}")))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => Event::Start(Tag::FootnoteDefinition(
                CowStr::from(format!("{ns}{label}")),
            )),
            Event::End(TagEnd::Image) if image_as_text.is_some() => {
                events.push(Event::Text(CowStr::from("]")));
                if image_as_text.take() == Some(true) {
                    events.push(Event::End(TagEnd::Link));
                }
                continue;
            }
            Event::Html(h) => Event::Html(CowStr::from(sanitizer().clean(&h).to_string())),
            Event::InlineHtml(h) => {
                if safe_inline_tag(&h) {
                    Event::InlineHtml(h)
                } else {
                    continue;
                }
            }
            other => other,
        };
        events.push(ev);
    }
    let mut out = String::with_capacity(md.len() + 64);
    let opts = pulldown_cmark_to_cmark::Options {
        increment_ordered_list_bullets: true,
        ..Default::default()
    };
    if pulldown_cmark_to_cmark::cmark_with_options(
        events.iter(),
        &mut out,
        crate::core::markdown::parser_options(),
        opts,
    )
    .is_err()
    {
        // The serialiser refused the event stream: fall back to plain text.
        out.clear();
        for ev in Parser::new_ext(md, crate::core::markdown::parser_options()) {
            if let Event::Text(t) | Event::Code(t) = ev {
                out.push_str(&escape(&t));
                out.push('\n');
            }
        }
    }
    out
}

/// A sanitised raw HTML block as well-formed XHTML (see
/// [`super::xhtml::normalise`]): ids in the part's namespace, links to the
/// book's sections, images that are not packaged as their descriptions.
fn raw_block(book: &Book<'_>, html: &str, own: &str, ns: &str, by: u8) -> String {
    let frag = super::xhtml::normalise(
        html,
        &super::xhtml::Options {
            ns,
            fallback: own,
            heading_shift: by,
            packaged: &|_| false,
        },
    );
    let mut out = String::new();
    let section = |id: &str| {
        let digits = super::links::section_digits(id);
        if digits.is_empty() {
            format!("#{own}")
        } else {
            format!("#p{digits}")
        }
    };
    frag.write(&mut out, &book.ids, &section, false);
    // A blank line would end the block early.
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn section(book: &Book<'_>, out: &mut String, s: &BookSection<'_>) {
    let l = book.labels();
    let colon = l.colon;
    out.push_str(&format!(
        "## {} {{#{}}}\n\n",
        escape(&s.post.title),
        s.anchor
    ));
    let mut byline: Vec<String> = Vec::new();
    if let Some(a) = s.post.thread.as_ref().and_then(|t| t.asked_by.as_deref()) {
        byline.push(format!(
            "{}{colon}{}",
            l.asked_by,
            book.credit(a).display(book.lang)
        ));
    }
    if !s.post.authors.is_empty() {
        let names: Vec<String> = s
            .post
            .authors
            .iter()
            .map(|h| book.credit(h).display(book.lang).to_string())
            .collect();
        byline.push(format!("{}{colon}{}", l.by, names.join(l.sep)));
    }
    if let Some(d) = s.date {
        byline.push(d.to_string());
    }
    if !s.post.tags.is_empty() {
        byline.push(s.post.tags.join(l.sep));
    }
    out.push_str(&format!("*{}*\n\n", escape(&byline.join(" · "))));
    for part in &s.parts {
        let who = part
            .who
            .map(|h| book.credit(h).display(book.lang).to_string());
        let who = who
            .map(|w| format!(" —— {}", escape(&w)))
            .unwrap_or_default();
        match part.role {
            PartRole::Question | PartRole::Body => {}
            PartRole::Answer { accepted } => {
                out.push_str(&format!(
                    "### {}{}{who}{}\n\n",
                    escape(l.answer),
                    part.title
                        .map(|t| format!("{colon}{}", escape(t)))
                        .unwrap_or_default(),
                    if accepted {
                        format!("{}✔ {}{}", l.paren.0, l.accepted, l.paren.1)
                    } else {
                        String::new()
                    }
                ));
            }
            PartRole::Reply => out.push_str(&format!("#### {}{who}\n\n", escape(l.reply))),
            PartRole::Summary => out.push_str(&format!("### {}{who}\n\n", escape(l.summary))),
        }
        out.push_str(transform(book, part.markdown, &s.post.source, &s.anchor, &part.ns, 2).trim());
        out.push_str("\n\n");
    }
}

/// A YAML string that Pandoc reads as this text: Markdown-escaped (Pandoc
/// reads metadata strings as Markdown), then quoted as JSON (valid YAML).
fn yaml(s: &str) -> String {
    serde_json::Value::String(escape(s)).to_string()
}

/// The YAML metadata block Pandoc reads (`pandoc book.md -o book.epub`
/// gives a book with its title, language, editors, date and rights).
fn metadata(book: &Book<'_>, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "---\ntitle: {}", yaml(&book.title));
    if let Some(s) = &book.subtitle {
        let _ = writeln!(out, "subtitle: {}", yaml(s));
    }
    let mut editors: Vec<&str> = book.editors.iter().map(|e| e.display(book.lang)).collect();
    if editors.is_empty() {
        editors.push(&book.community.config.title);
    }
    out.push_str("author:\n");
    for e in editors {
        let _ = writeln!(out, "  - {}", yaml(e));
    }
    let _ = writeln!(out, "lang: {}", book.lang.tag());
    let _ = writeln!(out, "date: \"{}\"", book.date);
    let _ = writeln!(out, "publisher: {}", yaml(&book.community.config.title));
    let _ = writeln!(out, "rights: {}", yaml(&book.rights()));
    let _ = writeln!(out, "identifier: \"{}\"", book.identifier);
    if !book.description.is_empty() {
        let _ = writeln!(out, "description: {}", yaml(&book.description));
    }
    let subjects = book.subjects();
    if !subjects.is_empty() {
        out.push_str("subject:\n");
        for t in subjects {
            let _ = writeln!(out, "  - {}", yaml(t));
        }
    }
    if let Some(c) = &book.cover {
        let _ = writeln!(out, "cover-image: \"{}\"", c.href);
    }
    out.push_str("---\n\n");
}

/// The book as one Markdown document.
pub(crate) fn render(book: &Book<'_>) -> String {
    let l = book.labels();
    let colon = l.colon;
    let mut out = String::with_capacity(1 << 16);
    metadata(book, &mut out);
    out.push_str(&format!("# {}\n\n", escape(&book.title)));
    if let Some(c) = &book.cover {
        out.push_str(&format!("![{}]({})\n\n", escape(l.cover), c.href));
    }
    if let Some(s) = &book.subtitle {
        out.push_str(&format!("**{}**\n\n", escape(s)));
    }
    if !book.editors.is_empty() {
        let names: Vec<&str> = book.editors.iter().map(|e| e.display(book.lang)).collect();
        out.push_str(&format!(
            "{}{colon}{}\n\n",
            escape(l.edited_by),
            escape(&names.join(l.sep))
        ));
    }
    if !book.description.is_empty() {
        out.push_str(&format!("{}\n\n", escape(&book.description)));
    }
    out.push_str(&format!(
        "{} · {}\n\n",
        escape(&book.community.config.title),
        book.date
    ));
    if let Some(p) = &book.preface {
        out.push_str(&format!("# {} {{#p0}}\n\n", escape(l.preface)));
        out.push_str(transform(book, &p.markdown, &p.source, "p0", "p0-", 1).trim());
        out.push_str("\n\n");
    }
    for (i, ch) in book.chapters.iter().enumerate() {
        out.push_str(&format!(
            "# {} {} {{#{}}}\n\n",
            escape(&l.chapter(ch.number)),
            escape(&ch.title),
            ch.anchor
        ));
        if let Some(c) = book.credits.chapters.get(i) {
            let line = super::credits::chapter_line(book, c);
            if !line.is_empty() {
                out.push_str(&format!(
                    "*{}{colon}{}*\n\n",
                    escape(l.chapter_contributors),
                    escape(&line)
                ));
            }
        }
        for s in &ch.sections {
            section(book, &mut out, s);
        }
    }
    out.push_str(&format!(
        "# {} {{#contributors}}\n\n",
        escape(l.contributors)
    ));
    let mut where_is = std::collections::HashMap::new();
    for ch in &book.chapters {
        for s in &ch.sections {
            where_is.insert(s.anchor.as_str(), (ch.number, s.post.title.as_str()));
        }
    }
    for p in &book.credits.index {
        out.push_str(&format!(
            "- **{}**",
            escape(&super::credits::describe(book, p))
        ));
        let mut last_ch = 0;
        for a in &p.sections {
            if let Some((ch, title)) = where_is.get(a.as_str()) {
                if *ch != last_ch {
                    out.push_str(if last_ch == 0 { colon } else { l.semicolon });
                    out.push_str(&format!("[{}](#ch{ch}){colon}", escape(&l.chapter(*ch))));
                    last_ch = *ch;
                } else {
                    out.push_str(l.sep);
                }
                let t = format!("{}{title}{}", l.quotes.0, l.quotes.1);
                out.push_str(&format!("[{}](#{a})", escape(&t)));
            }
        }
        out.push('\n');
    }
    if book.credits.anonymous_people > 0 {
        out.push_str(&format!(
            "\n{}\n",
            escape(&l.anonymous_index(
                book.credits.anonymous_people,
                book.credits.anonymous_contributions
            ))
        ));
    }
    // Characters that are not text (control characters a member pasted) go.
    out.retain(|c| !c.is_control() || matches!(c, '\n' | '\t'));
    out
}
