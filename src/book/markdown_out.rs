//! The whole book as one Markdown file, for editing elsewhere (Typora,
//! Pandoc, an editor's word processor).
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
    for ev in Parser::new_ext(md, crate::core::markdown::parser_options()) {
        let ev = match ev {
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

/// The book as one Markdown document.
pub(crate) fn render(book: &Book<'_>) -> String {
    let l = book.labels();
    let colon = l.colon;
    let mut out = String::with_capacity(1 << 16);
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
