//! HTML fragments → well-formed, valid XHTML fragments.
//!
//! The Markdown renderer makes HTML5 (sanitised by ammonia when a member
//! wrote raw HTML). EPUB needs XHTML that an XML parser accepts *and* that
//! the EPUB schema accepts, and the print page needs ids that are unique
//! across the whole book. This module re-tokenises each fragment with
//! html5ever's tokenizer and writes it back out with:
//!
//! - every element closed (void elements self-closed), attributes quoted,
//!   text and attribute values escaped for XML, characters XML forbids dropped;
//! - obsolete or awkward elements mapped to modern ones (`center` → `div`,
//!   `tt` → `code`, `details` → `div` …), unknown ones unwrapped (children kept);
//! - a simple content model enforced: no block inside a paragraph or other
//!   phrasing-only element, list items only in lists, table parts only in
//!   tables, no link inside a link (such elements are unwrapped);
//! - only attributes EPUB accepts kept, with valid values;
//! - every `id` moved into the fragment's namespace (`p12-a1-…`) so ids never
//!   clash across posts, and made a valid XML id;
//! - links to in-book anchors kept as [`Piece::Link`] so each writer can
//!   point them at the right file (EPUB) or the same page (HTML), and
//!   checked against the ids that really exist;
//! - images that are not packaged in the book replaced by their alt text
//!   (or a link, for a remote image): e-readers cannot show remote images.
//!
//! The output is also valid HTML5, so the print page uses the same fragments.

use crate::core::markdown::{self, Markup};
use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use std::cell::RefCell;
use std::collections::HashSet;

/// A piece of an XHTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Markup, ready to write.
    Text(String),
    /// The value of an `href` pointing at an in-book anchor: the target id,
    /// and the id to use instead when the target does not exist.
    Link {
        /// The target id.
        id: String,
        /// A target that certainly exists (the section's own anchor).
        fallback: String,
    },
    /// An `epub:type` attribute (written with a leading space in the EPUB,
    /// left out of the HTML page, where it is not valid).
    EpubType(&'static str),
}

/// An XHTML fragment with in-book links left open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frag {
    /// The pieces, in order.
    pub pieces: Vec<Piece>,
    /// Every id defined in the fragment.
    pub ids: Vec<String>,
}

impl Frag {
    /// Appends markup.
    pub fn push_str(&mut self, s: &str) {
        if let Some(Piece::Text(t)) = self.pieces.last_mut() {
            t.push_str(s);
        } else {
            self.pieces.push(Piece::Text(s.to_string()));
        }
    }

    /// Appends an in-book link target.
    pub fn push_link(&mut self, id: &str, fallback: &str) {
        self.pieces.push(Piece::Link {
            id: id.to_string(),
            fallback: fallback.to_string(),
        });
    }

    /// Appends another fragment.
    pub fn append(&mut self, other: &Frag) {
        for p in &other.pieces {
            match p {
                Piece::Text(t) => self.push_str(t),
                l => self.pieces.push(l.clone()),
            }
        }
        self.ids.extend(other.ids.iter().cloned());
    }

    /// Writes the fragment, turning each link target into an `href` value
    /// with `href(id)`; targets missing from `known` use their fallback.
    /// `epub`: write the `epub:type` attributes.
    pub fn write(
        &self,
        out: &mut String,
        known: &HashSet<String>,
        href: &dyn Fn(&str) -> String,
        epub: bool,
    ) {
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::EpubType(t) => {
                    if epub {
                        out.push_str(" epub:type=\"");
                        out.push_str(t);
                        out.push('"');
                    }
                }
                Piece::Link { id, fallback } => {
                    let target = if known.contains(id) { id } else { fallback };
                    out.push_str(&escape_attr(&href(target)));
                }
            }
        }
    }
}

/// Options for [`normalise`].
pub(crate) struct Options<'a> {
    /// The namespace of this fragment's ids (`p12-a1-`): ids that do not
    /// start with it are moved into it.
    pub ns: &'a str,
    /// The anchor that links fall back to.
    pub fallback: &'a str,
    /// How many levels to push headings down (an `h1` in a post becomes `h4`).
    pub heading_shift: u8,
    /// True for image sources that are packaged in the book.
    pub packaged: &'a dyn Fn(&str) -> bool,
}

/// Escapes text content for XML (and HTML): [`markdown::escape`] for
/// [`Markup::XmlText`].
pub(crate) fn escape_text(s: &str) -> String {
    markdown::escape(s, Markup::XmlText)
}

fn push_text(out: &mut String, s: &str) {
    out.push_str(&escape_text(s));
}

/// Escapes an attribute value for XML (and HTML), double-quoted:
/// [`markdown::escape`] for [`Markup::XmlAttr`].
pub(crate) fn escape_attr(s: &str) -> String {
    markdown::escape(s, Markup::XmlAttr)
}

/// Makes `s` a valid XML id (an NCName) that e-readers handle: ASCII
/// letters, digits, `-`, `_`, `.` and CJK ideographs are kept; any other
/// character becomes `_xHEX_`. An id that would not start with a letter gets
/// an `x` in front.
pub(crate) fn xml_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let keep = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.')
            || matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}');
        if keep {
            out.push(c);
        } else {
            out.push_str(&format!("_x{:x}_", c as u32));
        }
    }
    let starts_ok = out
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii());
    if !starts_ok {
        out.insert(0, 'x');
    }
    out
}

/// True for targets the book itself made (`p12`, `p12-…`, `ch3`): those
/// keep their name; any other fragment belongs to the fragment's namespace.
fn is_book_anchor(id: &str) -> bool {
    if let Some(r) = id.strip_prefix("ch") {
        if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
    }
    let Some(rest) = id.strip_prefix('p') else {
        return false;
    };
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && (rest.len() == digits || rest[digits..].starts_with('-'))
}

const VOID: &[&str] = &["br", "hr", "img", "input", "wbr", "col", "area"];

/// Elements whose content must be phrasing content.
const PHRASING_ONLY: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "abbr", "b", "bdi", "bdo", "cite",
    "code", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub",
    "sup", "u", "var",
];

/// Elements that are flow (block) content only.
const FLOW_ONLY: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "div",
    "dl",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements kept as they are (besides renamed ones).
const KNOWN: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements whose direct text content must be whitespace.
const NO_TEXT: &[&str] = &[
    "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup",
];

fn rename(name: &str) -> &str {
    match name {
        "acronym" => "abbr",
        "strike" => "s",
        "tt" => "code",
        "big" | "font" | "data" | "time" | "ruby" | "rt" | "rp" | "rtc" | "label" => "span",
        "center" | "hgroup" | "main" | "nav" | "details" | "figure" => "div",
        "summary" | "figcaption" => "p",
        other => other,
    }
}

fn required_parent(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "li" => &["ul", "ol"],
        "dt" | "dd" => &["dl"],
        "tr" => &["table", "thead", "tbody", "tfoot"],
        "td" | "th" => &["tr"],
        "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => &["table"],
        "col" => &["colgroup"],
        _ => return None,
    })
}

struct Open {
    /// The tag name as written (for matching end tags).
    name: String,
    /// The element written, if any (None: unwrapped).
    emitted: Option<String>,
    /// Whether children must be phrasing content.
    phrasing: bool,
    /// Whether this is inside a link.
    in_link: bool,
    /// What it is in a footnote's markup.
    note: Note,
}

/// The footnote markup pulldown-cmark writes, given reader semantics: a
/// reference `<sup class="footnote-reference"><a href="#N">` becomes a
/// `noteref` link with an id to come back to, a definition
/// `<div class="footnote-definition" id="N">` an `<aside>` footnote, and its
/// label `<sup class="footnote-definition-label">` a back-link.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Note {
    #[default]
    None,
    /// The `sup` of a reference.
    RefSup,
    /// A note (the `aside`), with its id.
    Def(Option<String>),
    /// The label of a note, wrapped in a back-link (closed with it).
    Label,
}

fn has_class(attrs: &[html5ever::Attribute], class: &str) -> bool {
    attrs
        .iter()
        .any(|a| &*a.name.local == "class" && a.value.split_whitespace().any(|c| c == class))
}

fn attr_value<'t>(attrs: &'t [html5ever::Attribute], name: &str) -> Option<&'t str> {
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// The id an `id` attribute gets in the fragment's namespace.
fn scoped_id(raw: &str, ns: &str) -> String {
    if raw.starts_with(ns) {
        xml_id(raw)
    } else {
        xml_id(&format!("{ns}u-{raw}"))
    }
}

/// The target of an in-fragment link `#f` (`f` percent-decoded).
fn link_target(f: &str, opts: &Options<'_>) -> String {
    if f.is_empty() {
        opts.fallback.to_string()
    } else if is_book_anchor(f) {
        xml_id(f)
    } else {
        xml_id(&format!("{}u-{}", opts.ns, f))
    }
}

struct Sink {
    tokens: RefCell<Vec<Token>>,
}

impl TokenSink for Sink {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        self.tokens.borrow_mut().push(token);
        TokenSinkResult::Continue
    }
}

fn tokenize(html: &str) -> Vec<Token> {
    let sink = Sink {
        tokens: RefCell::new(Vec::new()),
    };
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.tokens.into_inner()
}

fn is_positive_int(v: &str) -> bool {
    !v.is_empty() && v.len() < 6 && v.bytes().all(|b| b.is_ascii_digit()) && v != "0"
}

/// Whether an element `name` may open inside `parent` (the nearest element
/// written): a known element, not flow content where only phrasing content
/// may go, inside the parent it requires, no link inside a link, no `area`.
fn may_open(name: &str, parent: Option<&str>, phrasing_ctx: bool, in_link: bool) -> bool {
    let mut allowed = KNOWN.contains(&name);
    if phrasing_ctx && FLOW_ONLY.contains(&name) {
        allowed = false;
    }
    if let Some(parents) = required_parent(name) {
        if !parent.is_some_and(|p| parents.contains(&p)) {
            allowed = false;
        }
    }
    if name == "a" && in_link {
        allowed = false;
    }
    if name == "area" {
        allowed = false;
    }
    allowed
}

/// An image that is not packaged is written as its description in
/// brackets (a link to it when it is remote and not already in a link).
/// Returns false, writing nothing, for a packaged image.
fn image_as_text(
    attrs: &[html5ever::Attribute],
    opts: &Options<'_>,
    in_link: bool,
    out: &mut String,
) -> bool {
    let attr = |name: &str| {
        attrs
            .iter()
            .find(|a| &*a.name.local == name)
            .map(|a| a.value.to_string())
            .unwrap_or_default()
    };
    let (src, alt) = (attr("src"), attr("alt"));
    if (opts.packaged)(&src) {
        return false;
    }
    let remote = src.starts_with("http://") || src.starts_with("https://");
    let label = if alt.trim().is_empty() {
        "[image]".to_string()
    } else {
        format!("[{}]", alt.trim())
    };
    if remote && !in_link {
        out.push_str("<a href=\"");
        out.push_str(&escape_attr(&src));
        out.push_str("\">");
        push_text(out, &label);
        out.push_str("</a>");
    } else {
        push_text(out, &label);
    }
    true
}

/// Normalises one HTML fragment (see the module documentation).
///
/// One pass over the tokens with one stack of open elements: the start-tag
/// arm stays in one piece (about 120 lines) so the stack's rules read in
/// order; the decisions it needs are `may_open` and `image_as_text`.
pub(crate) fn normalise(html: &str, opts: &Options<'_>) -> Frag {
    let mut frag = Frag::default();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut stack: Vec<Open> = Vec::new();
    let mut local_ids: HashSet<String> = HashSet::new();
    let flush = |out: &mut String, frag: &mut Frag| {
        if !out.is_empty() {
            frag.push_str(out);
            out.clear();
        }
    };

    for token in tokenize(html) {
        match token {
            Token::CharacterTokens(t) => {
                let parent = stack.iter().rev().find_map(|o| o.emitted.as_deref());
                if parent.is_some_and(|p| NO_TEXT.contains(&p)) {
                    continue;
                }
                push_text(&mut out, &t);
            }
            Token::TagToken(tag) => {
                let raw_name = tag.name.to_string();
                match tag.kind {
                    TagKind::EndTag => {
                        if VOID.contains(&raw_name.as_str()) {
                            continue;
                        }
                        if let Some(pos) = stack.iter().rposition(|o| o.name == raw_name) {
                            while stack.len() > pos {
                                if let Some(o) = stack.pop() {
                                    if let Some(e) = o.emitted {
                                        if o.note == Note::Label {
                                            out.push_str("</a>");
                                        }
                                        out.push_str("</");
                                        out.push_str(&e);
                                        out.push('>');
                                    }
                                }
                            }
                        }
                    }
                    TagKind::StartTag => {
                        let mut name = rename(&raw_name).to_string();
                        if let Some(level) = name
                            .strip_prefix('h')
                            .and_then(|n| n.parse::<u8>().ok())
                            .filter(|n| (1..=6).contains(n))
                        {
                            name = format!("h{}", (level + opts.heading_shift).min(6));
                        }
                        let top = stack.last();
                        let parent = stack.iter().rev().find_map(|o| o.emitted.as_deref());
                        let phrasing_ctx = top.is_some_and(|o| o.phrasing);
                        let in_link = top.is_some_and(|o| o.in_link);
                        let note = note_of(&mut name, &tag.attrs, &stack, phrasing_ctx, in_link);
                        let in_ref_sup = stack.last().is_some_and(|o| o.note == Note::RefSup);
                        let void = VOID.contains(&name.as_str());
                        let allowed = may_open(&name, parent, phrasing_ctx, in_link);
                        if allowed
                            && name == "img"
                            && image_as_text(&tag.attrs, opts, in_link, &mut out)
                        {
                            continue;
                        }
                        if !allowed {
                            if !void && !tag.self_closing {
                                stack.push(Open {
                                    name: raw_name,
                                    emitted: None,
                                    phrasing: phrasing_ctx,
                                    in_link,
                                    note: Note::None,
                                });
                            }
                            continue;
                        }
                        out.push('<');
                        out.push_str(&name);
                        let noteref = name == "a" && in_ref_sup;
                        let attrs = note_attrs(
                            noteref,
                            &note,
                            &tag.attrs,
                            opts,
                            &mut out,
                            &mut frag,
                            &mut local_ids,
                        );
                        write_attrs(
                            &name,
                            &attrs,
                            opts,
                            &mut out,
                            &mut frag,
                            &mut local_ids,
                            &flush,
                        );
                        if void {
                            out.push_str("/>");
                            continue;
                        }
                        out.push('>');
                        if tag.self_closing {
                            out.push_str("</");
                            out.push_str(&name);
                            out.push('>');
                            continue;
                        }
                        if note == Note::Label {
                            backlink(&stack, opts, &mut out, &mut frag);
                        }
                        let transparent = matches!(name.as_str(), "a" | "ins" | "del");
                        let phrasing = if transparent {
                            phrasing_ctx
                        } else {
                            phrasing_ctx || PHRASING_ONLY.contains(&name.as_str())
                        };
                        stack.push(Open {
                            name: raw_name,
                            in_link: in_link || name == "a" || note == Note::Label,
                            emitted: Some(name),
                            phrasing,
                            note,
                        });
                    }
                }
            }
            Token::NullCharacterToken
            | Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::EOFToken
            | Token::ParseError(_) => {}
        }
    }
    while let Some(o) = stack.pop() {
        if let Some(e) = o.emitted {
            if o.note == Note::Label {
                out.push_str("</a>");
            }
            out.push_str("</");
            out.push_str(&e);
            out.push('>');
        }
    }
    flush(&mut out, &mut frag);
    frag
}

/// What an element about to open is in a footnote's markup (a definition's
/// `div` is renamed `aside`).
fn note_of(
    name: &mut String,
    attrs: &[html5ever::Attribute],
    stack: &[Open],
    phrasing_ctx: bool,
    in_link: bool,
) -> Note {
    if name == "div" && !phrasing_ctx && has_class(attrs, "footnote-definition") {
        *name = "aside".into();
        let id = attr_value(attrs, "id")
            .map(str::trim)
            .filter(|r| !r.is_empty());
        return Note::Def(id.map(str::to_string));
    }
    if name == "sup" && has_class(attrs, "footnote-reference") {
        return Note::RefSup;
    }
    let in_def = stack.iter().any(|o| matches!(o.note, Note::Def(Some(_))));
    if name == "sup" && !in_link && in_def && has_class(attrs, "footnote-definition-label") {
        return Note::Label;
    }
    Note::None
}

/// Writes the reader semantics of a note reference (`noteref`, with an id
/// `TARGET-ref` for the back-link) or a note (`footnote`), and returns the
/// attributes left for [`write_attrs`] (a reference's own id is dropped).
fn note_attrs<'a>(
    noteref: bool,
    note: &Note,
    attrs: &'a [html5ever::Attribute],
    opts: &Options<'_>,
    out: &mut String,
    frag: &mut Frag,
    local_ids: &mut HashSet<String>,
) -> std::borrow::Cow<'a, [html5ever::Attribute]> {
    if !noteref && !matches!(note, Note::Def(_)) {
        return attrs.into();
    }
    frag.push_str(out);
    out.clear();
    frag.pieces.push(Piece::EpubType(if noteref {
        "noteref"
    } else {
        "footnote"
    }));
    if !noteref {
        out.push_str(" role=\"doc-footnote\"");
        return attrs.into();
    }
    out.push_str(" role=\"doc-noteref\"");
    if let Some(f) = attr_value(attrs, "href")
        .map(str::trim)
        .and_then(|h| h.strip_prefix('#'))
    {
        let f = percent_encoding::percent_decode_str(f).decode_utf8_lossy();
        let id = format!("{}-ref", link_target(&f, opts));
        if local_ids.insert(id.clone()) {
            out.push_str(" id=\"");
            out.push_str(&escape_attr(&id));
            out.push('"');
            frag.ids.push(id);
        }
    }
    attrs
        .iter()
        .filter(|a| &*a.name.local != "id")
        .cloned()
        .collect::<Vec<_>>()
        .into()
}

/// Opens the back-link of a note's label: to the reference of the nearest
/// note (`ID-ref`; the section's anchor when there is no reference).
fn backlink(stack: &[Open], opts: &Options<'_>, out: &mut String, frag: &mut Frag) {
    let id = stack.iter().rev().find_map(|o| match &o.note {
        Note::Def(Some(raw)) => Some(scoped_id(raw, opts.ns)),
        _ => None,
    });
    out.push_str("<a role=\"doc-backlink\" href=\"");
    frag.push_str(out);
    out.clear();
    frag.push_link(&format!("{}-ref", id.unwrap_or_default()), opts.fallback);
    out.push_str("\">");
}

#[allow(clippy::too_many_arguments)]
fn write_attrs(
    name: &str,
    attrs: &[html5ever::Attribute],
    opts: &Options<'_>,
    out: &mut String,
    frag: &mut Frag,
    local_ids: &mut HashSet<String>,
    flush: &dyn Fn(&mut String, &mut Frag),
) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut has_alt = false;
    for a in attrs {
        let key: &str = &a.name.local;
        if !seen.insert(key) {
            continue;
        }
        let v: &str = &a.value;
        let keep: Option<String> = match (name, key) {
            (_, "class") | (_, "title") => Some(v.to_string()),
            (_, "dir") if matches!(v, "ltr" | "rtl" | "auto") => Some(v.to_string()),
            (_, "id") => {
                let raw = v.trim();
                if raw.is_empty() {
                    None
                } else {
                    let id = scoped_id(raw, opts.ns);
                    if local_ids.insert(id.clone()) {
                        frag.ids.push(id.clone());
                        Some(id)
                    } else {
                        None
                    }
                }
            }
            ("a", "href") => {
                let v = v.trim();
                if let Some(f) = v.strip_prefix('#') {
                    let f = percent_encoding::percent_decode_str(f).decode_utf8_lossy();
                    let target = link_target(&f, opts);
                    out.push_str(" href=\"");
                    flush(out, frag);
                    frag.push_link(&target, opts.fallback);
                    out.push('"');
                    None
                } else if crate::core::markdown::is_safe_url(v)
                    && (v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:")
                        || v.starts_with("tel:"))
                {
                    Some(v.to_string())
                } else {
                    None
                }
            }
            ("img", "src") => Some(v.to_string()),
            ("img", "alt") => {
                has_alt = true;
                Some(v.to_string())
            }
            ("img", "width") | ("img", "height") if is_positive_int(v) => Some(v.to_string()),
            ("td" | "th", "colspan" | "rowspan") if is_positive_int(v) => Some(v.to_string()),
            ("th", "scope") if matches!(v, "row" | "col" | "rowgroup" | "colgroup") => {
                Some(v.to_string())
            }
            ("ol", "start")
                if !v.is_empty()
                    && v.len() < 8
                    && v.trim_start_matches('-')
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                    && v != "-" =>
            {
                Some(v.to_string())
            }
            ("input", "type") if v == "checkbox" => Some(v.to_string()),
            ("input", "checked") => Some("checked".into()),
            ("input", "disabled") => Some("disabled".into()),
            ("td" | "th", "style") => {
                let s = v.replace(' ', "").to_ascii_lowercase();
                let s = s.trim_end_matches(';');
                match s {
                    "text-align:left" | "text-align:right" | "text-align:center"
                    | "text-align:justify" => Some(format!("{s};")),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(val) = keep {
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            out.push_str(&escape_attr(&val));
            out.push('"');
        }
    }
    if name == "img" && !has_alt {
        out.push_str(" alt=\"\"");
    }
    if name == "input" && !seen.contains("type") {
        out.push_str(" type=\"checkbox\"");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(html: &str) -> (String, Vec<String>) {
        let packaged = |s: &str| s.starts_with("images/");
        let f = normalise(
            html,
            &Options {
                ns: "p1-q-",
                fallback: "p1",
                heading_shift: 3,
                packaged: &packaged,
            },
        );
        let known: HashSet<String> = ["p1".to_string(), "p2".to_string()].into();
        let mut out = String::new();
        f.write(&mut out, &known, &|id| format!("#{id}"), false);
        (out, f.ids)
    }

    #[test]
    fn void_and_entities() {
        let (s, _) = n("<p>a<br>b&nbsp;c &amp; d\u{7}</p><hr><img src=\"images/x.png\">");
        assert_eq!(
            s,
            "<p>a<br/>b\u{a0}c &amp; d</p><hr/><img src=\"images/x.png\" alt=\"\"/>"
        );
    }

    #[test]
    fn content_model() {
        let (s, _) = n("<span><div>x</div></span><li>y</li><center>z</center><a href=\"#p2\"><a href=\"https://e.x\">w</a></a><p>unclosed");
        assert_eq!(
            s,
            "<span>x</span>y<div>z</div><a href=\"#p2\">w</a><p>unclosed</p>"
        );
    }

    #[test]
    fn ids_and_links() {
        let (s, ids) = n("<h1 id=\"p1-q-总结\">t</h1><p id=\"foo\">x</p><p id=\"foo\">y</p><a href=\"#foo\">l</a><a href=\"#nope\">m</a><a href=\"../x.md\">r</a>");
        assert_eq!(ids, vec!["p1-q-总结".to_string(), "p1-q-u-foo".to_string()]);
        assert!(s.starts_with("<h4 id=\"p1-q-总结\">t</h4>"), "{s}");
        // `#foo` becomes the namespaced id; unknown targets fall back to the section
        assert!(s.contains("<a href=\"#p1\">l</a>"), "{s}");
        assert!(s.contains("<a>r</a>"), "{s}");
    }

    #[test]
    fn footnotes_get_reader_semantics_and_back_links() {
        let html = "<p>a<sup class=\"footnote-reference\"><a href=\"#p1-q-fn-1\" id=\"x\">1</a></sup> b<sup class=\"footnote-reference\"><a href=\"#p1-q-fn-1\">1</a></sup></p>\n<div class=\"footnote-definition\" id=\"p1-q-fn-1\"><sup class=\"footnote-definition-label\">1</sup>\n<p>note</p>\n</div>";
        let f = normalise(
            html,
            &Options {
                ns: "p1-q-",
                fallback: "p1",
                heading_shift: 0,
                packaged: &|_| false,
            },
        );
        let known: HashSet<String> = f.ids.iter().cloned().collect();
        let (mut epub, mut page) = (String::new(), String::new());
        f.write(&mut epub, &known, &|id| format!("#{id}"), true);
        f.write(&mut page, &known, &|id| format!("#{id}"), false);
        // The first reference gets the id the note links back to (its own
        // id dropped); a second reference to the same note gets none.
        assert!(epub.contains("<a epub:type=\"noteref\" role=\"doc-noteref\" id=\"p1-q-fn-1-ref\" href=\"#p1-q-fn-1\">1</a>"), "{epub}");
        assert!(epub.contains("b<sup class=\"footnote-reference\"><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#p1-q-fn-1\">1</a>"), "{epub}");
        assert!(epub.contains("<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote-definition\" id=\"p1-q-fn-1\"><sup class=\"footnote-definition-label\"><a role=\"doc-backlink\" href=\"#p1-q-fn-1-ref\">1</a></sup>"), "{epub}");
        assert!(epub.ends_with("</aside>"), "{epub}");
        assert!(!page.contains("epub:type") && page.contains("role=\"doc-noteref\""));
        assert_eq!(
            f.ids,
            vec!["p1-q-fn-1-ref".to_string(), "p1-q-fn-1".to_string()]
        );
        // A label outside any note is left as it is.
        let (s, _) = n("<p><sup class=\"footnote-definition-label\">2</sup></p>");
        assert_eq!(s, "<p><sup class=\"footnote-definition-label\">2</sup></p>");
    }

    #[test]
    fn remote_image_becomes_link() {
        let (s, _) = n("<p><img src=\"https://e.x/a.png\" alt=\"图\"></p>");
        assert_eq!(s, "<p><a href=\"https://e.x/a.png\">[图]</a></p>");
    }

    #[test]
    fn xml_ids() {
        assert_eq!(xml_id("总结-1"), "总结-1");
        assert_eq!(xml_id("1a"), "x1a");
        assert_eq!(xml_id("a b"), "a_x20_b");
        assert!(is_book_anchor("p12"));
        assert!(is_book_anchor("p12-q-x"));
        assert!(is_book_anchor("ch3"));
        assert!(!is_book_anchor("pa"));
        assert!(!is_book_anchor("chapter"));
    }
}
