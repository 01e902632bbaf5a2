//! One Markdown source, rendered for what each platform can show.
//!
//! The post's Markdown is walked once with pulldown-cmark and written out in
//! a platform's *dialect*: WeCom's and DingTalk's Markdown subsets, Feishu
//! card Markdown, Telegram HTML, Slack mrkdwn, Discord Markdown, or plain
//! text for WeChat (no Markdown symbols: links become `text：URL`, lists
//! and emphasis are written with plain characters). The result is a list of
//! blocks (paragraphs, headings, list items, code blocks) so that a post
//! longer than a platform's limit can be split at block boundaries into
//! numbered parts, each under the limit and each well-formed on its own.

use crate::config::Lang;
use crate::markdown::is_safe_url;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// How a platform writes formatted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Plain text for personal WeChat (the outbox).
    Plain,
    /// WeCom robot Markdown: headings, bold, links, inline code, quotes.
    Wecom,
    /// Feishu card Markdown (`lark_md`): bold, italic, strike, links, code.
    Feishu,
    /// DingTalk Markdown: headings, bold, italic, links, lists, quotes.
    Dingtalk,
    /// Telegram `parse_mode: HTML`.
    Telegram,
    /// Slack mrkdwn.
    Slack,
    /// Discord Markdown.
    Discord,
}

/// A platform's message size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The largest message.
    pub max: usize,
    /// True when the limit counts UTF-8 bytes, false for characters.
    pub bytes: bool,
}

impl Limit {
    /// A limit in characters.
    pub const fn chars(max: usize) -> Limit {
        Limit { max, bytes: false }
    }
    /// A limit in UTF-8 bytes.
    pub const fn bytes(max: usize) -> Limit {
        Limit { max, bytes: true }
    }
    /// The size of `s` in this limit's unit.
    pub fn measure(&self, s: &str) -> usize {
        if self.bytes {
            s.len()
        } else {
            s.chars().count()
        }
    }
}

/// One block of rendered text: the unit a long message is split at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The rendered text inside the wrapper.
    pub text: String,
    /// Text around the block that each piece must repeat when the block
    /// itself has to be cut (a code fence, `<pre>…</pre>`).
    pub wrap: Option<(String, String)>,
    /// Joined to the previous block by one newline (list items), not a blank line.
    pub tight: bool,
}

impl Block {
    fn plain(text: String) -> Block {
        Block {
            text,
            wrap: None,
            tight: false,
        }
    }
    /// The block as it appears in a message.
    pub fn rendered(&self) -> String {
        match &self.wrap {
            None => self.text.clone(),
            Some((a, b)) => format!("{a}{}{b}", self.text),
        }
    }
}

/// Escapes text (not markup) for a dialect.
pub fn escape(d: Dialect, s: &str) -> String {
    match d {
        Dialect::Telegram | Dialect::Slack => {
            let mut o = String::with_capacity(s.len());
            for c in s.chars() {
                match c {
                    '&' => o.push_str("&amp;"),
                    '<' => o.push_str("&lt;"),
                    '>' => o.push_str("&gt;"),
                    _ => o.push(c),
                }
            }
            o
        }
        _ => s.to_string(),
    }
}

/// A heading block in a dialect (`level` 1 is the post's title).
pub fn heading(d: Dialect, level: u8, text: &str) -> Block {
    let t = escape(d, text.trim());
    let s = match d {
        Dialect::Plain if level <= 1 => format!("【{t}】"),
        Dialect::Plain => format!("▍{t}"),
        Dialect::Wecom | Dialect::Dingtalk | Dialect::Discord => {
            let hashes = match d {
                Dialect::Discord => "#".repeat(level.clamp(1, 3) as usize),
                _ => "#".repeat((level + 1).clamp(2, 6) as usize),
            };
            format!("{hashes} {t}")
        }
        Dialect::Feishu => format!("**{t}**"),
        Dialect::Telegram => format!("<b>{t}</b>"),
        Dialect::Slack => format!("*{t}*"),
    };
    Block::plain(s)
}

/// A paragraph of already-escaped text.
pub fn paragraph(text: String) -> Block {
    Block::plain(text)
}

/// A link in a dialect (`text` unescaped).
pub fn link(d: Dialect, lang: Lang, text: &str, url: &str) -> String {
    let t = escape(d, text);
    link_escaped(d, lang, &t, url)
}

fn link_escaped(d: Dialect, lang: Lang, t: &str, url: &str) -> String {
    let same = t.trim().is_empty() || t.trim() == url;
    match d {
        Dialect::Plain => {
            if same {
                url.to_string()
            } else if lang == Lang::En {
                format!("{t}: {url}")
            } else {
                format!("{t}：{url}")
            }
        }
        Dialect::Telegram => format!(
            "<a href=\"{}\">{}</a>",
            escape(d, url).replace('"', "&quot;"),
            if same { escape(d, url) } else { t.to_string() }
        ),
        Dialect::Slack => {
            let u = url.replace('|', "%7C").replace('>', "%3E");
            if same {
                format!("<{u}>")
            } else {
                format!("<{u}|{t}>")
            }
        }
        _ => {
            if same {
                url.to_string()
            } else {
                let u = url.replace(')', "%29").replace(' ', "%20");
                format!("[{t}]({u})")
            }
        }
    }
}

fn bullet(d: Dialect) -> &'static str {
    match d {
        Dialect::Plain | Dialect::Telegram | Dialect::Slack | Dialect::Wecom => "• ",
        _ => "- ",
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Maps a link destination as written to the URL to send (or `None` to
/// drop the link and keep its text).
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Writer<'a> {
    d: Dialect,
    lang: Lang,
    resolve: Resolver<'a>,
    blocks: Vec<Block>,
    cur: String,
    /// Per open list: the next number (ordered) or None.
    lists: Vec<Option<u64>>,
    /// Index into `blocks` where the open top-level quote started.
    quote: Option<usize>,
    quote_depth: usize,
    code: Option<String>,
    /// Open links and images: (destination, start in `cur`, is image).
    links: Vec<(String, usize, bool)>,
    in_heading: Option<u8>,
    item_first: bool,
    table_cell: usize,
    /// A plain-text URL was just written: text that could continue it
    /// must be kept apart by a space.
    after_url: bool,
    /// Whether the top-level item being written joins the previous one tightly.
    item_tight: bool,
    /// Top-level items written in the current list.
    items: usize,
    /// Inside an inline `<script>` or `<style>` element.
    skip_text: bool,
}

impl<'a> Writer<'a> {
    fn flush(&mut self, tight: bool) {
        let t = self.cur.trim_end().to_string();
        self.cur.clear();
        if !t.trim().is_empty() {
            self.blocks.push(Block {
                text: t,
                wrap: None,
                tight,
            });
        }
    }

    fn push_text(&mut self, s: &str) {
        if self.code.is_some() {
            if let Some(c) = self.code.as_mut() {
                c.push_str(s);
            }
            return;
        }
        let e = escape(self.d, s);
        self.cur.push_str(&e);
    }

    fn emphasis(&self, strong: bool, open: bool) -> &'static str {
        match (self.d, strong) {
            (Dialect::Plain, true) => {
                if open {
                    "【"
                } else {
                    "】"
                }
            }
            (Dialect::Plain, false) => {
                if open {
                    "「"
                } else {
                    "」"
                }
            }
            (Dialect::Wecom, false) => "",
            (Dialect::Telegram, true) => {
                if open {
                    "<b>"
                } else {
                    "</b>"
                }
            }
            (Dialect::Telegram, false) => {
                if open {
                    "<i>"
                } else {
                    "</i>"
                }
            }
            (Dialect::Slack, true) => "*",
            (Dialect::Slack, false) => "_",
            (_, true) => "**",
            (_, false) => "*",
        }
    }

    fn event(&mut self, ev: Event<'_>) {
        let d = self.d;
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(_) if self.skip_text => {}
            Event::Text(t) => {
                if std::mem::take(&mut self.after_url)
                    && t.starts_with(|c: char| c.is_ascii_graphic())
                {
                    self.cur.push(' ');
                }
                if self.in_heading.is_some() || !self.links.is_empty() {
                    // Headings and link texts are escaped when they close.
                    self.cur.push_str(&t);
                } else {
                    self.push_text(&t);
                }
            }
            Event::Code(t) => {
                let s = match d {
                    Dialect::Plain => t.to_string(),
                    Dialect::Telegram => format!("<code>{}</code>", escape(d, &t)),
                    _ => format!("`{}`", escape(d, &t)),
                };
                self.cur.push_str(&s);
            }
            Event::SoftBreak => {
                if self.code.is_some() {
                    self.push_text("\n");
                } else if !self.cur.ends_with(is_cjk) {
                    self.cur.push(' ');
                }
            }
            Event::HardBreak => {
                self.cur.push('\n');
                self.indent_continuation();
            }
            Event::Rule => {
                self.flush(false);
                self.blocks.push(Block::plain("———".into()));
            }
            Event::TaskListMarker(done) => {
                self.cur.push_str(if done { "☑ " } else { "☐ " });
            }
            Event::FootnoteReference(l) => {
                self.cur.push_str(&format!("[{}]", escape(d, &l)));
            }
            // Raw HTML from a post is never passed on to a platform, nor
            // the text of an inline script or style element.
            Event::Html(_) => {}
            Event::InlineHtml(h) => {
                let h = h.to_ascii_lowercase();
                if h.starts_with("<script") || h.starts_with("<style") {
                    self.skip_text = true;
                } else if h.starts_with("</script") || h.starts_with("</style") {
                    self.skip_text = false;
                }
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push_text(&t),
        }
    }

    fn indent_continuation(&mut self) {
        if !self.lists.is_empty() {
            self.cur.push_str(&"  ".repeat(self.lists.len()));
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let d = self.d;
        match tag {
            Tag::Paragraph => {
                if !self.lists.is_empty() && !self.item_first {
                    self.cur.push('\n');
                    self.indent_continuation();
                }
                self.item_first = false;
            }
            Tag::Heading { level, .. } => {
                self.flush(false);
                self.in_heading = Some(level as u8);
            }
            Tag::BlockQuote(_) => {
                if self.quote_depth == 0 && self.lists.is_empty() {
                    self.flush(false);
                    self.quote = Some(self.blocks.len());
                }
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                if self.lists.is_empty() {
                    self.flush(false);
                }
                let _ = matches!(kind, CodeBlockKind::Fenced(_));
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                if self.lists.is_empty() && self.quote.is_none() {
                    self.flush(false);
                    self.item_tight = false;
                    self.items = 0;
                }
                self.lists.push(start);
            }
            Tag::Item => {
                let depth = self.lists.len();
                if depth == 1 && self.quote.is_none() {
                    let tight = self.item_tight;
                    self.flush(tight);
                    // Every item after the first joins the one before it.
                    self.item_tight = self.items > 0;
                    self.items += 1;
                } else if !self.cur.is_empty() && !self.cur.ends_with('\n') {
                    self.cur.push('\n');
                }
                self.cur.push_str(&"  ".repeat(depth.saturating_sub(1)));
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => bullet(d).to_string(),
                };
                self.cur.push_str(&marker);
                self.item_first = true;
            }
            Tag::Emphasis => {
                let m = self.emphasis(false, true);
                self.cur.push_str(m);
            }
            Tag::Strong => {
                let m = self.emphasis(true, true);
                self.cur.push_str(m);
            }
            Tag::Strikethrough => self.cur.push_str(match d {
                Dialect::Telegram => "<s>",
                Dialect::Slack => "~",
                Dialect::Plain | Dialect::Wecom => "",
                _ => "~~",
            }),
            Tag::Link { dest_url, .. } => {
                self.links
                    .push((dest_url.to_string(), self.cur.len(), false));
            }
            Tag::Image { dest_url, .. } => {
                self.links
                    .push((dest_url.to_string(), self.cur.len(), true));
            }
            Tag::Table(_) => {
                self.flush(false);
                self.table_cell = 0;
            }
            Tag::TableHead | Tag::TableRow => self.table_cell = 0,
            Tag::TableCell => {
                if self.table_cell > 0 {
                    self.cur.push_str(" | ");
                }
                self.table_cell += 1;
            }
            Tag::FootnoteDefinition(l) => {
                self.flush(false);
                self.cur.push_str(&format!("[{}] ", escape(d, &l)));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        let d = self.d;
        match tag {
            TagEnd::Paragraph if self.lists.is_empty() => self.flush(false),
            TagEnd::Heading(_) => {
                let level = self.in_heading.take().unwrap_or(2);
                let text = std::mem::take(&mut self.cur);
                self.blocks.push(heading(d, level + 1, &text));
            }
            TagEnd::BlockQuote(_) => {
                self.quote_depth = self.quote_depth.saturating_sub(1);
                if self.quote_depth == 0 {
                    if let Some(mark) = self.quote.take() {
                        self.flush(false);
                        let inner: Vec<Block> = self.blocks.drain(mark..).collect();
                        let lines: Vec<String> = inner
                            .iter()
                            .map(|b| b.rendered())
                            .collect::<Vec<_>>()
                            .join("\n")
                            .lines()
                            .map(|l| l.to_string())
                            .collect();
                        let block = match d {
                            Dialect::Telegram => Block {
                                text: lines.join("\n"),
                                wrap: Some(("<blockquote>".into(), "</blockquote>".into())),
                                tight: false,
                            },
                            _ => {
                                let p = if d == Dialect::Plain { "｜" } else { "> " };
                                Block::plain(
                                    lines
                                        .iter()
                                        .map(|l| format!("{p}{l}"))
                                        .collect::<Vec<_>>()
                                        .join("\n"),
                                )
                            }
                        };
                        self.blocks.push(block);
                    }
                }
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                let code = code.trim_end_matches('\n').to_string();
                if !self.lists.is_empty() {
                    for l in code.lines() {
                        self.cur.push('\n');
                        self.indent_continuation();
                        self.cur.push_str(&escape(d, l));
                    }
                    return;
                }
                let wrap = match d {
                    Dialect::Telegram => Some(("<pre>".to_string(), "</pre>".to_string())),
                    Dialect::Plain | Dialect::Wecom => None,
                    _ => Some(("```\n".to_string(), "\n```".to_string())),
                };
                if !code.trim().is_empty() {
                    self.blocks.push(Block {
                        text: escape(d, &code),
                        wrap,
                        tight: false,
                    });
                }
            }
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() && self.quote.is_none() {
                    let tight = self.item_tight;
                    self.flush(tight);
                    self.item_tight = false;
                }
            }
            TagEnd::Item => {}
            TagEnd::Emphasis => {
                let m = self.emphasis(false, false);
                self.cur.push_str(m);
            }
            TagEnd::Strong => {
                let m = self.emphasis(true, false);
                self.cur.push_str(m);
            }
            TagEnd::Strikethrough => self.cur.push_str(match d {
                Dialect::Telegram => "</s>",
                Dialect::Slack => "~",
                Dialect::Plain | Dialect::Wecom => "",
                _ => "~~",
            }),
            TagEnd::Link | TagEnd::Image => {
                if let Some((dest, at, image)) = self.links.pop() {
                    let raw = self.cur.split_off(at.min(self.cur.len()));
                    let text = if image {
                        let alt = raw.trim();
                        match (self.lang, alt.is_empty()) {
                            (Lang::ZhCn, true) => "图片".to_string(),
                            (Lang::ZhCn, false) => format!("图片：{alt}"),
                            (Lang::En, true) => "image".to_string(),
                            (Lang::En, false) => format!("image: {alt}"),
                        }
                    } else {
                        raw
                    };
                    let nested = !self.links.is_empty() || self.in_heading.is_some();
                    match (self.resolve)(&dest) {
                        Some(url) if !nested => {
                            let s = link(d, self.lang, &text, &url);
                            self.cur.push_str(&s);
                            self.after_url = d == Dialect::Plain;
                        }
                        _ => {
                            if nested {
                                self.cur.push_str(&text);
                            } else {
                                let e = escape(d, &text);
                                self.cur.push_str(&e);
                            }
                        }
                    }
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => self.cur.push('\n'),
            TagEnd::Table => self.flush(false),
            TagEnd::FootnoteDefinition => self.flush(false),
            _ => {}
        }
    }
}

/// Renders Markdown into blocks of `d`.
pub fn render_blocks(md: &str, d: Dialect, lang: Lang, resolve: Resolver<'_>) -> Vec<Block> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut w = Writer {
        d,
        lang,
        resolve,
        blocks: Vec::new(),
        cur: String::new(),
        lists: Vec::new(),
        quote: None,
        quote_depth: 0,
        code: None,
        links: Vec::new(),
        in_heading: None,
        item_first: false,
        table_cell: 0,
        after_url: false,
        item_tight: false,
        items: 0,
        skip_text: false,
    };
    for ev in Parser::new_ext(md, opts) {
        w.event(ev);
    }
    w.flush(false);
    for b in &mut w.blocks {
        b.text = b
            .text
            .lines()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_string();
    }
    w.blocks
}

/// A resolver for text with no relative links: keeps safe absolute URLs.
pub fn absolute_only(dest: &str) -> Option<String> {
    (is_safe_url(dest) && dest.contains("://")).then(|| dest.to_string())
}

/// The label put before each part of a split message: `（2/3）`.
pub fn part_label(lang: Lang, i: usize, n: usize) -> String {
    match lang {
        Lang::ZhCn => format!("（{i}/{n}）"),
        Lang::En => format!("({i}/{n}) "),
    }
}

/// Joins blocks into messages no longer than `limit`, splitting at block
/// boundaries (and, for a block longer than the limit on its own, at line
/// and then sentence boundaries). When there is more than one message each
/// starts with its number, `（1/3）`.
pub fn split(blocks: &[Block], limit: Limit, lang: Lang) -> Vec<String> {
    // Room for the part label, measured generously.
    let reserve = limit.measure(&part_label(lang, 999, 999)) + 1;
    let room = limit.max.saturating_sub(reserve).max(16);
    let mut pieces: Vec<Block> = Vec::new();
    for b in blocks {
        if limit.measure(&b.rendered()) <= room {
            pieces.push(b.clone());
        } else {
            let (a, z) = b.wrap.clone().unwrap_or_default();
            let inner = room
                .saturating_sub(limit.measure(&a) + limit.measure(&z))
                .max(8);
            for (k, chunk) in cut(&b.text, inner, limit).into_iter().enumerate() {
                pieces.push(Block {
                    text: chunk,
                    wrap: b.wrap.clone(),
                    tight: if k == 0 { b.tight } else { false },
                });
            }
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in pieces {
        let r = p.rendered();
        let sep = if p.tight { "\n" } else { "\n\n" };
        if cur.is_empty() {
            cur = r;
        } else if limit.measure(&cur) + limit.measure(sep) + limit.measure(&r) <= room {
            cur.push_str(sep);
            cur.push_str(&r);
        } else {
            parts.push(std::mem::take(&mut cur));
            cur = r;
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    let n = parts.len();
    if n > 1 {
        for (i, p) in parts.iter_mut().enumerate() {
            let label = part_label(lang, i + 1, n);
            p.insert_str(0, &label);
        }
    }
    parts
}

/// Cuts text longer than `room` at line ends, then sentence ends, then
/// anywhere (never inside an HTML entity such as `&amp;`).
fn cut(text: &str, room: usize, limit: Limit) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if limit.measure(&cur) + limit.measure(line) <= room {
            cur.push_str(line);
            continue;
        }
        if !cur.is_empty() {
            out.push(cur.trim_end().to_string());
            cur.clear();
        }
        if limit.measure(line) <= room {
            cur.push_str(line);
            continue;
        }
        // A single line longer than the room: cut at sentence ends.
        let mut sentence = String::new();
        for c in line.chars() {
            sentence.push(c);
            if matches!(c, '。' | '！' | '？' | '；' | '.' | '!' | '?' | ';' | '\n') {
                push_sentence(&mut out, &mut cur, &sentence, room, limit);
                sentence.clear();
            }
        }
        push_sentence(&mut out, &mut cur, &sentence, room, limit);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim_end().to_string());
    }
    out
}

fn push_sentence(out: &mut Vec<String>, cur: &mut String, s: &str, room: usize, limit: Limit) {
    if s.is_empty() {
        return;
    }
    if limit.measure(cur) + limit.measure(s) <= room {
        cur.push_str(s);
        return;
    }
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
    if limit.measure(s) <= room {
        cur.push_str(s);
        return;
    }
    // Hard cut, keeping entities whole.
    let mut entity_start: Option<usize> = None;
    for c in s.chars() {
        if limit.measure(cur) + limit.measure(c.encode_utf8(&mut [0; 4])) > room
            && entity_start.is_none()
        {
            out.push(std::mem::take(cur));
        }
        cur.push(c);
        match c {
            '&' => entity_start = Some(cur.len()),
            ';' => entity_start = None,
            _ if entity_start.is_some_and(|at| cur.len() - at > 8) => entity_start = None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str, d: Dialect) -> String {
        let b = render_blocks(md, d, Lang::ZhCn, &absolute_only);
        split(&b, Limit::chars(1_000_000), Lang::ZhCn).join("")
    }

    #[test]
    fn plain_has_no_markdown_symbols() {
        let md = "## 小标题\n\n**重点**：看[链接](https://e.org/a)，再看 *这里*。\n\n- 一\n- 二\n\n1. 甲\n2. 乙\n";
        let t = r(md, Dialect::Plain);
        assert!(t.contains("▍小标题"), "{t}");
        assert!(
            t.contains("【重点】：看链接：https://e.org/a，再看 「这里」。"),
            "{t}"
        );
        assert!(t.contains("• 一\n• 二"), "{t}");
        assert!(t.contains("1. 甲\n2. 乙"), "{t}");
        for sym in ["**", "##", "](", "- "] {
            assert!(!t.contains(sym), "{sym} in {t}");
        }
    }

    #[test]
    fn telegram_escapes_html() {
        let t = r("a < b & **c**", Dialect::Telegram);
        assert_eq!(t, "a &lt; b &amp; <b>c</b>");
        let t = r("前<script>alert(1)</script>后 <b>粗</b>", Dialect::Telegram);
        assert_eq!(t, "前后 粗");
    }

    #[test]
    fn split_keeps_code_fences_whole() {
        let code = (0..200)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let md = format!("段落一。\n\n```\n{code}\n```\n");
        let blocks = render_blocks(&md, Dialect::Discord, Lang::ZhCn, &absolute_only);
        let parts = split(&blocks, Limit::chars(300), Lang::ZhCn);
        assert!(parts.len() > 3);
        for p in &parts {
            assert!(p.chars().count() <= 300, "{}", p.chars().count());
            assert_eq!(p.matches("```").count() % 2, 0, "{p}");
        }
    }
}
