//! Member text → typst markup that can only ever be text.
//!
//! Everything a member wrote reaches typst through [`text`] (markup mode) or
//! [`string`] (a string literal): every ASCII punctuation character is
//! escaped with a backslash, so `#`, `[`, `]`, `$`, `*`, `_`, `@`, `<`,
//! `` ` ``, `/` and `=` are printed, never interpreted. The book's XHTML
//! fragments are turned into calls of the template's own functions
//! ([`from_xhtml`]); a member's markup never becomes typst code.

use std::collections::{HashMap, HashSet};

/// Escapes `s` for typst markup: the result, parsed as markup, is plain text
/// (whitespace runs become one space; a line break between two Chinese
/// characters disappears, as in print).
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            let mut newline = false;
            while i < chars.len() && chars[i].is_whitespace() {
                newline |= chars[i] == '\n' || chars[i] == '\r';
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let wide = |c: Option<char>| c.is_some_and(is_wide);
            if newline && (wide(before) || wide(after)) {
                continue;
            }
            out.push(' ');
            continue;
        }
        if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            // dropped
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// True for characters set without spaces between them (CJK and full-width).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// `s` as a typst string literal (quotes included).
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A typst label for an in-book id (`<p12>`), or `None` when the id holds
/// characters a label cannot.
pub(crate) fn label(id: &str) -> Option<String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| format!("<{id}>"))
}

/// An XML node of a book fragment.
#[derive(Debug)]
enum Node {
    Text(String),
    El {
        name: String,
        attrs: Vec<(String, String)>,
        children: Vec<Node>,
    },
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        match self {
            Node::El { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            Node::Text(_) => None,
        }
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    fn plain(&self, out: &mut String) {
        match self {
            Node::Text(t) => out.push_str(t),
            Node::El { children, .. } => children.iter().for_each(|c| c.plain(out)),
        }
    }
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const VOID: &[&str] = &["br", "hr", "img", "input", "wbr", "col", "area"];

/// Parses a well-formed XHTML fragment (as the book's normaliser writes it)
/// into nodes; anything unexpected is kept as text or closed leniently.
fn parse(x: &str) -> Vec<Node> {
    let mut stack: Vec<Node> = vec![Node::El {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let push = |stack: &mut Vec<Node>, n: Node| {
        if let Some(Node::El { children, .. }) = stack.last_mut() {
            children.push(n);
        }
    };
    let mut rest = x;
    while !rest.is_empty() {
        let Some(i) = rest.find('<') else {
            push(&mut stack, Node::Text(decode(rest)));
            break;
        };
        if i > 0 {
            push(&mut stack, Node::Text(decode(&rest[..i])));
        }
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.find("-->").map(|e| &r[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(end) = tag_end(rest) else {
            push(&mut stack, Node::Text(decode(rest)));
            break;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            let open = stack
                .iter()
                .rposition(|n| matches!(n, Node::El { name: m, .. } if *m == name));
            if let Some(pos) = open.filter(|&p| p > 0) {
                while stack.len() > pos {
                    if let Some(n) = stack.pop() {
                        push(&mut stack, n);
                    }
                }
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, attrs) = parse_tag(tag);
        let node = Node::El {
            name: name.clone(),
            attrs,
            children: Vec::new(),
        };
        if self_closing || VOID.contains(&name.as_str()) {
            push(&mut stack, node);
        } else {
            stack.push(node);
        }
    }
    while stack.len() > 1 {
        if let Some(n) = stack.pop() {
            push(&mut stack, n);
        }
    }
    match stack.pop() {
        Some(Node::El { children, .. }) => children,
        _ => Vec::new(),
    }
}

/// The index of the `>` closing the tag that starts `s` (quotes respected).
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim();
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = tag[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = tag[name_end..].trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            if let Some(q) = r.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &r[1..];
                let e = body.find(q).unwrap_or(body.len());
                value = decode(&body[..e]);
                rest = body.get(e + 1..).unwrap_or("").trim_start();
            } else {
                let e = r.find(char::is_whitespace).unwrap_or(r.len());
                value = decode(&r[..e]);
                rest = r[e..].trim_start();
            }
        }
        if !key.is_empty() {
            attrs.push((key, value));
        }
    }
    (name, attrs)
}

/// What the converter needs to know about the book.
pub(crate) struct Context<'a> {
    /// Labels the document defines (links to others fall back or become text).
    pub labels: &'a HashSet<String>,
    /// Image paths packaged in the book (`images/x.png`).
    pub images: &'a HashSet<String>,
    /// True when the book is typeset in parts: a link to a label is written
    /// as a link to [`dest`] (its target may be in another part), which the
    /// join turns into a link to the label's page.
    pub in_parts: bool,
}

/// The scheme of the links between the parts of a book typeset in parts
/// (`qunshu-dest:c1`): never left in a finished PDF, the join resolves them.
pub(crate) const DEST: &str = "qunshu-dest:";

/// A link target for the label `id`: the label itself (`<id>`) in one
/// compilation, a [`DEST`] link when the book is typeset in parts.
pub(crate) fn target(id: &str, in_parts: bool) -> Option<String> {
    let l = label(id)?;
    Some(if in_parts {
        string(&format!("{DEST}{id}"))
    } else {
        l
    })
}

/// Converts a book fragment (XHTML, in-book links written as `#id`) to
/// typst markup calling the template's functions.
pub(crate) fn from_xhtml(x: &str, ctx: &Context<'_>) -> String {
    let nodes = parse(x);
    let mut notes = HashMap::new();
    collect_notes(&nodes, &mut notes);
    let mut w = Writer {
        ctx,
        notes,
        out: String::with_capacity(x.len() + x.len() / 4),
    };
    w.nodes(&nodes);
    w.out
}

fn collect_notes<'n>(nodes: &'n [Node], notes: &mut HashMap<String, &'n Node>) {
    for n in nodes {
        if let Node::El { children, .. } = n {
            if n.has_class("footnote-definition") {
                if let Some(id) = n.attr("id") {
                    notes.insert(id.to_string(), n);
                }
            } else {
                collect_notes(children, notes);
            }
        }
    }
}

struct Writer<'a, 'n> {
    ctx: &'a Context<'a>,
    notes: HashMap<String, &'n Node>,
    out: String,
}

impl<'n> Writer<'_, 'n> {
    fn nodes(&mut self, nodes: &'n [Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn wrap(&mut self, open: &str, children: &'n [Node], close: &str) {
        self.out.push_str(open);
        self.nodes(children);
        self.out.push_str(close);
    }

    fn node(&mut self, n: &'n Node) {
        let (name, children) = match n {
            Node::Text(t) => {
                self.out.push_str(&text(t));
                return;
            }
            Node::El { name, children, .. } => (name.as_str(), children),
        };
        match name {
            "p" => self.wrap("\n\n", children, "\n\n"),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.wrap("\n\n#subhead[", children, "]\n\n")
            }
            "em" | "i" | "cite" | "dfn" | "var" => self.wrap("#emph[", children, "]"),
            "strong" | "b" => self.wrap("#strong[", children, "]"),
            "del" | "s" => self.wrap("#strike[", children, "]"),
            "u" | "ins" => self.wrap("#underline[", children, "]"),
            "mark" => self.wrap("#highlight[", children, "]"),
            "sub" => self.wrap("#sub[", children, "]"),
            "sup" if n.has_class("footnote-definition-label") => {}
            "sup" if n.has_class("footnote-reference") => self.noteref(n),
            "sup" => self.wrap("#super[", children, "]"),
            "small" => self.wrap("#text(size: 0.85em)[", children, "]"),
            "code" | "kbd" | "samp" | "tt" => {
                let mut s = String::new();
                n.plain(&mut s);
                self.out.push_str(&format!("#raw({})", string(&s)));
            }
            "pre" => {
                let mut s = String::new();
                n.plain(&mut s);
                self.out.push_str(&format!(
                    "\n\n#codeblock(raw(block: true, {}))\n\n",
                    string(s.trim_end_matches('\n'))
                ));
            }
            "br" => self.out.push_str("#linebreak()"),
            "hr" => self.out.push_str("\n\n#rule()\n\n"),
            "blockquote" => self.wrap("\n\n#quoted[", children, "]\n\n"),
            "ul" | "ol" => self.list(n, name == "ol"),
            "li" => self.wrap("\n\n", children, "\n\n"),
            "dl" => self.nodes(children),
            "dt" => self.wrap("\n\n#strong[", children, "]\n\n"),
            "dd" => self.wrap("\n\n#pad(left: 1.5em)[", children, "]\n\n"),
            "table" => self.table(n),
            "a" => self.link(n),
            "img" => self.image(n),
            "div" | "aside" if n.has_class("footnote-definition") => {}
            "input" | "script" | "style" | "head" | "title" => {}
            "div" | "section" | "article" | "aside" | "header" | "footer" | "figure"
            | "address" | "details" | "summary" | "nav" | "main" => {
                self.wrap("\n\n", children, "\n\n")
            }
            _ => self.nodes(children),
        }
    }

    fn noteref(&mut self, n: &'n Node) {
        let mut target = None;
        let mut number = String::new();
        n.plain(&mut number);
        if let Node::El { children, .. } = n {
            for c in children {
                if let Some(h) = c.attr("href") {
                    target = h.strip_prefix('#').map(str::to_string);
                }
            }
        }
        match target.and_then(|t| self.notes.remove(&t)) {
            Some(Node::El { children, .. }) => {
                // The note's first paragraph follows its number.
                let outer = std::mem::take(&mut self.out);
                self.nodes(children);
                let body = std::mem::replace(&mut self.out, outer);
                self.out.push_str("#footnote[");
                self.out.push_str(body.trim());
                self.out.push(']');
            }
            _ => self.out.push_str(&format!("#super[{}]", text(&number))),
        }
    }

    fn list(&mut self, n: &'n Node, ordered: bool) {
        let Node::El { children, .. } = n else { return };
        let start = n.attr("start").and_then(|s| s.trim().parse::<u64>().ok());
        self.out
            .push_str(if ordered { "\n\n#enum(" } else { "\n\n#list(" });
        if let (true, Some(s)) = (ordered, start) {
            self.out.push_str(&format!("start: {s}, "));
        }
        for c in children {
            if matches!(c, Node::El { name, .. } if name == "li") {
                self.out.push('[');
                if let Node::El { children, .. } = c {
                    self.nodes(children);
                }
                self.out.push_str("], ");
            }
        }
        self.out.push_str(")\n\n");
    }

    fn table(&mut self, n: &'n Node) {
        let mut rows: Vec<(bool, &'n [Node])> = Vec::new();
        fn rows_of<'n>(n: &'n Node, head: bool, rows: &mut Vec<(bool, &'n [Node])>) {
            if let Node::El { name, children, .. } = n {
                match name.as_str() {
                    "tr" => rows.push((head, children)),
                    "thead" => children.iter().for_each(|c| rows_of(c, true, rows)),
                    _ => children.iter().for_each(|c| rows_of(c, head, rows)),
                }
            }
        }
        rows_of(n, false, &mut rows);
        let cells = |r: &'n [Node]| {
            r.iter()
                .filter(|c| matches!(c, Node::El { name, .. } if name == "td" || name == "th"))
                .collect::<Vec<_>>()
        };
        let columns = rows.iter().map(|(_, r)| cells(r).len()).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        self.out
            .push_str(&format!("\n\n#booktable(columns: {columns}, "));
        for (head, r) in &rows {
            let cs = cells(r);
            for i in 0..columns {
                self.out.push('[');
                if let Some(Node::El { name, children, .. }) = cs.get(i) {
                    let bold = *head || name == "th";
                    if bold {
                        self.out.push_str("#strong[");
                    }
                    self.nodes(children);
                    if bold {
                        self.out.push(']');
                    }
                }
                self.out.push_str("], ");
            }
        }
        self.out.push_str(")\n\n");
    }

    fn link(&mut self, n: &'n Node) {
        let Node::El { children, .. } = n else { return };
        let href = n.attr("href").unwrap_or("");
        if let Some(id) = href.strip_prefix('#') {
            let target = if self.ctx.labels.contains(id) {
                Some(id.to_string())
            } else {
                // `p12-a1-x` → the section `p12`
                let section = id.split('-').next().unwrap_or("");
                self.ctx
                    .labels
                    .contains(section)
                    .then(|| section.to_string())
            };
            match target
                .as_deref()
                .and_then(|t| self::target(t, self.ctx.in_parts))
            {
                Some(l) => self.wrap(&format!("#link({l})["), children, "]"),
                None => self.nodes(children),
            }
        } else if href.starts_with("http://")
            || href.starts_with("https://")
            || href.starts_with("mailto:")
        {
            self.wrap(&format!("#link({})[", string(href)), children, "]");
        } else {
            self.nodes(children);
        }
    }

    fn image(&mut self, n: &'n Node) {
        let src = n.attr("src").unwrap_or("");
        let alt = n.attr("alt").unwrap_or("");
        if self.ctx.images.contains(src) {
            self.out.push_str(&format!(
                "#bookimage({}, {})",
                string(&format!("/{src}")),
                string(alt)
            ));
        } else if !alt.is_empty() {
            self.out.push_str(&text(alt));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::syntax::{parse as parse_typst, SyntaxKind, SyntaxNode};

    fn kinds(n: &SyntaxNode, out: &mut Vec<SyntaxKind>) {
        out.push(n.kind());
        for c in n.children() {
            kinds(c, out);
        }
    }

    #[test]
    fn escaped_text_is_only_text() {
        let hostile = "#panic(\"x\") #read(\"/etc/passwd\") ] [ $x^2$ *b* _i_ @ref <lab> `raw` // c /* c */ = h\n- item\n+ e\n\\ #{1+1} 'q' \"q\" ~ -- ... http://x.y/z";
        let root = parse_typst(&text(hostile));
        let mut ks = Vec::new();
        kinds(&root, &mut ks);
        for k in ks {
            assert!(
                matches!(
                    k,
                    SyntaxKind::Markup | SyntaxKind::Text | SyntaxKind::Escape | SyntaxKind::Space
                ),
                "{k:?} in {}",
                text(hostile)
            );
        }
    }

    #[test]
    fn string_literal_round_trips() {
        let s = "a\"b\\c\nd #x";
        let root = parse_typst(&format!("#{}", string(s)));
        assert!(root.errors_and_warnings().0.is_empty());
        let mut ks = Vec::new();
        kinds(&root, &mut ks);
        assert!(ks.contains(&SyntaxKind::Str), "{ks:?}");
        assert!(!ks.contains(&SyntaxKind::FuncCall), "{ks:?}");
    }

    #[test]
    fn cjk_line_breaks_vanish() {
        assert_eq!(text("中文\n文字"), "中文文字");
        assert_eq!(text("a\nb"), "a b");
        assert_eq!(text("a  b"), "a b");
    }

    #[test]
    fn footnotes_move_to_their_reference() {
        let labels = HashSet::from(["p5".to_string()]);
        let images = HashSet::new();
        let ctx = Context {
            labels: &labels,
            images: &images,
            in_parts: false,
        };
        let x = "<p>见<a href=\"#p5\">上文</a><sup class=\"footnote-reference\"><a href=\"#p6-fn-1\">1</a></sup>。</p>\n<div class=\"footnote-definition\" id=\"p6-fn-1\"><sup class=\"footnote-definition-label\">1</sup>\n<p>注释 #x</p>\n</div>";
        let t = from_xhtml(x, &ctx);
        assert!(t.contains("#link(<p5>)[上文]"), "{t}");
        assert!(t.contains("#footnote[注释 \\#x]"), "{t}");
        assert!(t.contains("注释 \\#x"), "{t}");
        assert_eq!(t.matches("注释").count(), 1, "{t}");
        assert!(parse_typst(&t).errors_and_warnings().0.is_empty(), "{t}");
    }

    #[test]
    fn unknown_links_become_text() {
        let labels = HashSet::new();
        let images = HashSet::new();
        let ctx = Context {
            labels: &labels,
            images: &images,
            in_parts: false,
        };
        let t = from_xhtml("<p><a href=\"#nowhere\">x</a> <a href=\"javascript:alert(1)\">y</a> <img src=\"http://e/x.png\" alt=\"pic\"/></p>", &ctx);
        assert!(!t.contains("link"), "{t}");
        assert!(t.contains("pic"), "{t}");
    }

    #[test]
    fn links_between_parts_name_their_label() {
        let labels = HashSet::from(["p5".to_string()]);
        let images = HashSet::new();
        let ctx = Context {
            labels: &labels,
            images: &images,
            in_parts: true,
        };
        let t = from_xhtml("<p>见<a href=\"#p5-a1\">上文</a></p>", &ctx);
        assert!(t.contains("#link(\"qunshu-dest:p5\")[上文]"), "{t}");
        assert!(parse_typst(&t).errors_and_warnings().0.is_empty(), "{t}");
    }
}
