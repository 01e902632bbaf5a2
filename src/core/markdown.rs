//! Markdown to safe HTML, once per piece of content.
//!
//! pulldown-cmark renders CommonMark with tables, footnotes, strikethrough,
//! task lists and heading attributes; headings get stable ids (Chinese text
//! kept); links and images are passed through a resolver so links between
//! posts by file path (`../qa/foo.md`) become the right URLs for the output
//! at hand; and the result always goes through ammonia (raw HTML or not),
//! so no script, event handler or `javascript:` URL from a member's text
//! survives. Heading attributes (`## x {#id .class}`) keep only the id
//! and plain class names. The plain text is
//! collected at the same time for search and excerpts.
//!
//! Owns the one sanitiser. Imports only the leaves (`diag`, `slug`); must not
//! import config, content or any layer above `core`.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a resolver says about one link or image destination.
pub enum Resolved {
    /// Leave the destination as written (external URLs, anchors).
    Keep,
    /// Use this destination instead.
    Rewrite(String),
    /// The destination points at something that does not exist.
    Missing(String),
}

/// Whether a destination came from a link or an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `[text](dest)`
    Link,
    /// `![alt](dest)`
    Image,
}

/// A heading found while rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1–6.
    pub level: u8,
    /// The id given to the heading element.
    pub id: String,
    /// The heading's plain text.
    pub text: String,
}

/// The result of rendering one piece of Markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Plain text (for search and excerpts).
    pub text: String,
    /// Headings, in order.
    pub headings: Vec<Heading>,
    /// Problems with destinations: (1-based line within the Markdown, message).
    pub problems: Vec<(usize, String)>,
}

/// Options for one render.
pub(crate) struct RenderOptions<'a> {
    /// Prefix for heading and footnote ids, so several pieces rendered into
    /// one page (a thread's answers, a book's chapters) never share an id.
    pub id_prefix: &'a str,
    /// Maps link and image destinations.
    pub resolve: &'a (dyn Fn(RefKind, &str) -> Resolved + Sync),
    /// Spans of the Markdown to show as links (a member's credited name
    /// linked to their page), sorted by start; a span that is not plain
    /// text outside a link is left unlinked.
    pub links: &'a [LinkSpan],
}

/// A span of Markdown text to render as a link to `href`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkSpan {
    /// Byte range in the Markdown.
    pub range: std::ops::Range<usize>,
    /// Where the link goes.
    pub href: String,
}

/// How text inside a prose range must be escaped when it is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prose {
    /// Markdown text (escape Markdown punctuation).
    Text,
    /// Raw HTML written in the Markdown (escape as HTML).
    Html,
}

/// The byte ranges of `md` whose text is published as prose: text outside
/// code spans, code blocks and autolinks, link and image titles, and raw
/// HTML. Mentions are looked for only here (see `Members::credit_markdown`).
pub(crate) fn prose_ranges(md: &str) -> Vec<(std::ops::Range<usize>, Prose)> {
    let mut out = Vec::new();
    let mut code = 0usize;
    // For each open link: whether it is an autolink (its text is a URL).
    let mut links: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(md, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::End(TagEnd::CodeBlock) => code = code.saturating_sub(1),
            Event::Start(Tag::Link {
                link_type, title, ..
            })
            | Event::Start(Tag::Image {
                link_type, title, ..
            }) => {
                links.push(matches!(link_type, LinkType::Autolink | LinkType::Email));
                // An inline title (`[a](u "title")`) is shown as a tooltip.
                if !title.is_empty() {
                    if let Some(at) = md[range.clone()].rfind(&*title) {
                        let start = range.start + at;
                        out.push((start..start + title.len(), Prose::Text));
                    }
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                links.pop();
            }
            Event::Text(_) if code == 0 && !links.iter().any(|&auto| auto) => {
                out.push((range, Prose::Text));
            }
            Event::Html(_) | Event::InlineHtml(_) => out.push((range, Prose::Html)),
            _ => {}
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// The Markdown extensions posts are read with, by every reader (the
/// archive, delivery, the book).
pub(crate) fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders Markdown to sanitised HTML and plain text.
pub(crate) fn render(md: &str, opts: &RenderOptions<'_>) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    // Index in `events` of the heading start being collected, with its text.
    let mut heading: Option<(usize, HeadingLevel, String)> = None;
    // Depth of links and images (no link is made inside one).
    let mut in_link = 0usize;

    for (event, range) in Parser::new_ext(md, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                // Only an id (made safe below) and plain class names are
                // kept: `{onfocus=…}` and every other attribute is dropped
                // here, before the sanitiser sees the HTML.
                attrs: _,
            }) => {
                heading = Some((events.len(), level, String::new()));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes: classes.into_iter().filter(|c| is_safe_class(c)).collect(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((at, _, text)) = heading.take() {
                    if let Event::Start(Tag::Heading { id, .. }) = &mut events[at] {
                        let h = name_heading(id, level, &text, opts.id_prefix, &mut used_ids);
                        out.headings.push(h);
                    }
                }
                out.text.push('\n');
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                in_link += 1;
                events.push(Event::Start(resolve_tag(md, &range, tag, opts, &mut out)));
            }
            Event::FootnoteReference(label) => {
                events.push(Event::FootnoteReference(CowStr::from(format!(
                    "{}fn-{}",
                    opts.id_prefix, label
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                events.push(Event::Start(Tag::FootnoteDefinition(CowStr::from(
                    format!("{}fn-{}", opts.id_prefix, label),
                ))));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if let Some((_, _, h)) = heading.as_mut() {
                    h.push_str(t);
                }
                out.text.push_str(t);
                match event {
                    Event::Text(t) if in_link == 0 => {
                        push_linked(md, range, t, opts.links, &mut events)
                    }
                    other => events.push(other),
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text.push('\n');
                events.push(event);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableCell,
            ) => {
                out.text.push('\n');
                events.push(event);
            }
            Event::TaskListMarker(done) => {
                // Shown as a character, so the sanitiser needs no <input>.
                let mark = if done { "☑ " } else { "☐ " };
                out.text.push_str(mark);
                events.push(Event::Text(CowStr::from(mark)));
            }
            other => events.push(other),
        }
    }
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    // Everything goes through the sanitiser, raw HTML or not: what the
    // parser lets through (heading attributes, new extensions) is not
    // trusted to be safe.
    out.html = sanitizer().clean(&raw).to_string();
    // Control characters from entities (`&#x1;`) are only known after parsing.
    out.html = replace_controls_owned(out.html);
    out.text = replace_controls_owned(out.text);
    for h in &mut out.headings {
        h.text = replace_controls(&h.text).into_owned();
    }
    out
}

/// Gives a heading its id: the one written (`{#id}`) or its text, made a
/// slug, unique in the piece (`总结`, `总结-1`), after `prefix`.
fn name_heading(
    id: &mut Option<CowStr<'_>>,
    level: HeadingLevel,
    text: &str,
    prefix: &str,
    used_ids: &mut HashMap<String, usize>,
) -> Heading {
    let text = text.trim().to_string();
    let base = match id.take() {
        Some(given) => crate::core::slug::slugify(&given),
        None => crate::core::slug::slugify(&text),
    };
    let base = if base.is_empty() {
        "h".to_string()
    } else {
        base
    };
    let n = used_ids.entry(base.clone()).or_insert(0);
    let unique = if *n == 0 { base } else { format!("{base}-{n}") };
    *n += 1;
    let full = format!("{prefix}{unique}");
    *id = Some(CowStr::from(full.clone()));
    Heading {
        level: level as u8,
        id: full,
        text,
    }
}

/// True for a class name that is only ASCII letters, digits, `-` and `_`.
fn is_safe_class(c: &str) -> bool {
    !c.is_empty()
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Pushes the text event `t` (source `range`), cut around the link spans
/// that lie wholly inside it, each made a link. Text whose source differs
/// from its text (escapes, entities) is pushed whole: offsets would not match.
fn push_linked<'a>(
    md: &str,
    range: std::ops::Range<usize>,
    t: CowStr<'a>,
    spans: &[LinkSpan],
    events: &mut Vec<Event<'a>>,
) {
    let first = spans.partition_point(|s| s.range.start < range.start);
    let inside: Vec<&LinkSpan> = spans[first..]
        .iter()
        .take_while(|s| s.range.end <= range.end)
        .collect();
    if inside.is_empty() || md.get(range.clone()) != Some(&*t) {
        events.push(Event::Text(t));
        return;
    }
    let mut last = 0;
    for s in inside {
        let (a, b) = (s.range.start - range.start, s.range.end - range.start);
        if a < last || !t.is_char_boundary(a) || !t.is_char_boundary(b) {
            continue;
        }
        if a > last {
            events.push(Event::Text(CowStr::from(t[last..a].to_string())));
        }
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(s.href.clone()),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        events.push(Event::Text(CowStr::from(t[a..b].to_string())));
        events.push(Event::End(TagEnd::Link));
        last = b;
    }
    if last < t.len() {
        events.push(Event::Text(CowStr::from(t[last..].to_string())));
    }
}

/// A link or image tag with its destination resolved (see [`resolve_dest`]).
fn resolve_tag<'a>(
    md: &str,
    range: &std::ops::Range<usize>,
    tag: Tag<'a>,
    opts: &RenderOptions<'_>,
    out: &mut Rendered,
) -> Tag<'a> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type,
            dest_url: resolve_dest(md, range, RefKind::Link, dest_url, opts, out),
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: resolve_dest(md, range, RefKind::Image, dest_url, opts, out),
            title,
            id,
        },
        other => other,
    }
}

fn resolve_dest<'a>(
    md: &str,
    range: &std::ops::Range<usize>,
    kind: RefKind,
    dest: CowStr<'a>,
    opts: &RenderOptions<'_>,
    out: &mut Rendered,
) -> CowStr<'a> {
    if !is_safe_url(&dest) {
        return CowStr::from("#");
    }
    match (opts.resolve)(kind, &dest) {
        Resolved::Keep => dest,
        Resolved::Rewrite(s) => CowStr::from(s),
        Resolved::Missing(msg) => {
            out.problems
                .push((crate::core::diag::line_of_offset(md, range.start), msg));
            dest
        }
    }
}

/// True for destinations that cannot run script: relative references and
/// the schemes http, https, mailto and tel. Checked the way browsers read
/// URLs: ASCII whitespace and control characters are ignored and the
/// scheme is case-insensitive.
pub(crate) fn is_safe_url(dest: &str) -> bool {
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            matches!(&cleaned[..i], "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

/// A resolver that keeps every destination.
pub(crate) fn keep_all(_: RefKind, _: &str) -> Resolved {
    Resolved::Keep
}

/// The one sanitiser for member-written HTML.
pub(crate) fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEAN: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .filter_style_properties(["text-align"].into_iter().collect());
        b
    })
}

/// Where escaped text goes (see [`escape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// HTML (or XML) element content or a quoted attribute value in the
    /// archive, its feed and sitemap: `& < > " '` escaped; characters XML
    /// cannot carry become U+FFFD, as [`replace_controls`] does.
    Html,
    /// XHTML element content in the book: `& < >` escaped; characters XML
    /// cannot carry are dropped.
    XmlText,
    /// A double-quoted XHTML attribute value in the book: `& < > " '`
    /// escaped, tab and line ends written as character references (so they
    /// survive attribute-value normalisation); characters XML cannot carry
    /// are dropped.
    XmlAttr,
}

/// The one HTML and XML escaping helper: `s` escaped for `to`, with
/// `pulldown-cmark-escape` (the escaper pulldown-cmark itself uses).
pub(crate) fn escape(s: &str, to: Markup) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // Writing to a String cannot fail.
    let _ = match to {
        Markup::Html => pulldown_cmark_escape::escape_html(&mut out, &replace_controls(s)),
        Markup::XmlText => pulldown_cmark_escape::escape_html_body_text(&mut out, &xml_only(s)),
        Markup::XmlAttr => {
            let clean = xml_only(s);
            let mut rest: &str = &clean;
            while let Some(i) = rest.find(['\t', '\n', '\r']) {
                let _ = pulldown_cmark_escape::escape_html(&mut out, &rest[..i]);
                out.push_str(match rest.as_bytes()[i] {
                    b'\t' => "&#9;",
                    b'\n' => "&#10;",
                    _ => "&#13;",
                });
                rest = &rest[i + 1..];
            }
            pulldown_cmark_escape::escape_html(&mut out, rest)
        }
    };
    out
}

/// `s` without the characters XML cannot carry.
fn xml_only(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().filter(|&c| is_xml_char(c)).collect())
}

/// Escapes text for HTML element content and quoted attribute values:
/// [`escape`] for [`Markup::Html`].
pub(crate) fn escape_text(s: &str) -> String {
    escape(s, Markup::Html)
}

/// True for the characters XML 1.0 allows: tab, line ends and everything
/// from U+0020 up, except U+FFFE and U+FFFF (Rust has no surrogates).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Replaces the characters XML cannot carry (see [`is_xml_char`]) with
/// U+FFFD, as CommonMark does with NUL: a control character typed or
/// written as an entity (`&#x1;`) would make the feed, the sitemap and the
/// book's XHTML invalid. Returns the text itself when it has none.
pub(crate) fn replace_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if is_xml_char(c) {
                    c
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })
            .collect(),
    )
}

/// [`replace_controls`] on an owned string, reusing it when clean.
fn replace_controls_owned(s: String) -> String {
    match replace_controls(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_output() {
        let r = r("标题\u{1}\n\n正文 &#x1; &#1; 和 \u{0} `a\u{8}b`\n\n<p>&#x1;</p>\n");
        for s in [&r.html, &r.text] {
            assert!(s.chars().all(is_xml_char), "{s:?}");
        }
        assert!(r.text.contains('\u{FFFD}'));
        assert_eq!(escape_text("a\u{1}\u{FFFF}<\t"), "a\u{FFFD}\u{FFFD}&lt;\t");
        assert_eq!(replace_controls("正常\r\n\t"), "正常\r\n\t");
    }

    #[test]
    fn one_escaper_for_html_and_the_books_xhtml() {
        let s = "a&b<c>d\"e'f\u{1}g\th\ni";
        assert_eq!(
            escape(s, Markup::Html),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f\u{FFFD}g\th\ni"
        );
        assert_eq!(escape(s, Markup::XmlText), "a&amp;b&lt;c&gt;d\"e'fg\th\ni");
        assert_eq!(
            escape(s, Markup::XmlAttr),
            "a&amp;b&lt;c&gt;d&quot;e&#39;fg&#9;h&#10;i"
        );
        assert_eq!(escape("正文\r", Markup::XmlAttr), "正文&#13;");
        assert_eq!(escape("", Markup::XmlAttr), "");
    }

    fn r(md: &str) -> Rendered {
        render(
            md,
            &RenderOptions {
                id_prefix: "",
                resolve: &keep_all,
                links: &[],
            },
        )
    }

    #[test]
    fn link_spans_become_links_outside_links() {
        let md = "谢谢 鲍勃 和 [鲍勃](x)，`鲍勃`";
        let at = |n: usize| md.match_indices("鲍勃").nth(n).unwrap().0;
        let spans: Vec<LinkSpan> = (0..3)
            .map(|n| LinkSpan {
                range: at(n)..at(n) + "鲍勃".len(),
                href: "../members/bob.html".into(),
            })
            .collect();
        let out = render(
            md,
            &RenderOptions {
                id_prefix: "",
                resolve: &keep_all,
                links: &spans,
            },
        );
        assert_eq!(
            out.html.matches("href=\"../members/bob.html\"").count(),
            1,
            "{}",
            out.html
        );
        assert!(
            out.html.contains("谢谢 <a href=\"../members/bob.html\""),
            "{}",
            out.html
        );
        assert_eq!(out.text.trim(), "谢谢 鲍勃 和 鲍勃，鲍勃");
    }

    #[test]
    fn features() {
        let out = r("# 合伙人 问题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~删~~ - [x] 完成\n\n脚注[^1]\n\n[^1]: 注释\n");
        assert!(out.html.contains("id=\"合伙人-问题\""), "{}", out.html);
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>"));
        assert!(out.html.contains("fn-1"));
        assert_eq!(out.headings[0].text, "合伙人 问题");
    }

    #[test]
    fn hostile_html_is_cleaned() {
        let out = r("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<a href=\"JaVaScRiPt:alert(1)\">y</a><iframe src=\"https://e.x\"></iframe><input type=\"text\" onfocus=\"alert(1)\">");
        let h = out.html.to_lowercase();
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("onerror"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("<iframe"), "{h}");
        assert!(!h.contains("onfocus"), "{h}");
        assert!(!h.contains("<input"), "{h}");
    }

    #[test]
    fn unsafe_schemes_without_raw_html() {
        let out = r("[a](javascript:alert(1)) [b]( JAVA\tSCRIPT:x) ![c](data:text/html,x) [d](https://ok.example/) [e](../qa/x.md)");
        let h = out.html.to_lowercase();
        assert!(!h.contains("javascript"), "{h}");
        assert!(!h.contains("data:"), "{h}");
        assert!(h.contains("https://ok.example/"));
        assert!(is_safe_url("mailto:a@b.c"));
        assert!(!is_safe_url("vbscript:x"));
    }

    #[test]
    fn heading_attributes_keep_only_id_and_safe_classes() {
        let out = r("## 小标题 {tabindex=0 autofocus onfocus=alert(document.domain)}\n\n## b {#x .ok .\"bad .c style=color:red}\n");
        let h = out.html.to_lowercase();
        for bad in [
            "onfocus",
            "autofocus",
            "tabindex",
            "alert",
            "style",
            "\"bad",
        ] {
            assert!(!h.contains(bad), "{bad} in {h}");
        }
        assert!(h.contains("<h2 id=\"小标题\">"), "{h}");
        assert!(h.contains("id=\"x\""), "{h}");
        assert!(
            h.contains("class=\"ok c\"") || h.contains("class=\"ok\""),
            "{h}"
        );
    }

    #[test]
    fn markdown_without_raw_html_is_sanitised_too() {
        // No raw HTML here, so the old fast path skipped the sanitiser.
        let out = r("# t {onclick=x}\n\ntext\n");
        assert!(!out.html.contains("onclick"), "{}", out.html);
    }

    #[test]
    fn duplicate_headings_unique() {
        let out = r("## 总结\n\n## 总结\n");
        assert_eq!(out.headings[0].id, "总结");
        assert_eq!(out.headings[1].id, "总结-1");
    }
}
