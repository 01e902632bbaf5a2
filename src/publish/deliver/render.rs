//! One Markdown source, rendered for what each platform can show.
//!
//! A post is gathered as Markdown events (a [`Doc`]) and written out in a
//! platform's *dialect*: WeCom's and DingTalk's Markdown subsets, Feishu
//! card Markdown, Telegram HTML, Slack mrkdwn, Discord Markdown, or plain
//! text for WeChat (no Markdown symbols: links become `text：URL`, lists
//! and emphasis are written with plain characters). A post longer than a
//! platform's limit is split on its Markdown structure *before* it is
//! rendered (blocks, then sentences, then inline spans), and each part is
//! rendered on its own, so every part is well-formed: balanced Telegram
//! HTML, whole Markdown links, code fences opened again in the next part.
//! Member text is escaped so that it can never become markup or a mention.

use crate::core::config::Lang;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

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

/// One block of rendered text, joined to its neighbours when a part is
/// written out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    /// The rendered text inside the wrapper.
    text: String,
    /// Text around the block (a code fence, `<pre>…</pre>`).
    wrap: Option<(String, String)>,
    /// Joined to the previous block by one newline (list items), not a blank line.
    tight: bool,
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
    fn rendered(&self) -> String {
        match &self.wrap {
            None => self.text.clone(),
            Some((a, b)) => format!("{a}{}{b}", self.text),
        }
    }
}

/// The invisible character put inside text that a platform would otherwise
/// read as a mention or a tag (`<at id=all>`, `<@all>`, `@everyone`): a zero
/// width space, which every platform shows as nothing.
pub(crate) const NEUTRAL: char = '\u{200B}';

/// Escapes member text (not markup) for a dialect, so that it shows as
/// written and can never become markup, a mention or a tag:
///
/// - Telegram HTML and Slack: `&`, `<`, `>` as entities (once); Telegram
///   also breaks `@name` so it does not mention a user.
/// - Feishu card Markdown and WeCom Markdown: `<` before a tag name
///   (`<at id=all>`, `<font>`, `<text_tag>`, `<@userid>`) and `&` before an
///   entity name get a [`NEUTRAL`] after them, so no tag or entity forms.
/// - DingTalk: the same for `<`, and `@` before a digit (a mobile number).
/// - Discord: the same for `<` (`<@id>`, `<@&role>`, `<#channel>`), and
///   `@everyone` / `@here` are broken after the `@`.
/// - Plain text (the outbox) is left as written.
pub(crate) fn escape(d: Dialect, s: &str) -> String {
    escape_as(d, s, false)
}

/// Escapes code (an inline code span or a code block) for a dialect: as
/// [`escape`], but inside code no formatting tag takes effect, so only what
/// could still mention someone is broken (`<@`, `<#`, `<!`, `<at`, an
/// entity for `<`, `@everyone`), leaving code such as `a<b && c>d` exactly
/// as written for copying.
pub(crate) fn escape_code(d: Dialect, s: &str) -> String {
    escape_as(d, s, true)
}

/// Whether `<` followed by `rest` may open a mention, even inside code.
fn mention_tag(rest: &str) -> bool {
    let r: String = rest
        .chars()
        .take(3)
        .collect::<String>()
        .to_ascii_lowercase();
    r.is_empty()
        || r.starts_with(['@', '#', '!'])
        || (r.starts_with("at") && r[2..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
}

fn escape_as(d: Dialect, s: &str, code: bool) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        let rest = &s[i + c.len_utf8()..];
        let next = rest.chars().next();
        let html = matches!(d, Dialect::Telegram | Dialect::Slack);
        let tags = matches!(
            d,
            Dialect::Feishu | Dialect::Wecom | Dialect::Dingtalk | Dialect::Discord
        );
        match c {
            '&' if html => o.push_str("&amp;"),
            '<' if html => o.push_str("&lt;"),
            '>' if html => o.push_str("&gt;"),
            // At the end of `s` the next character is unknown (the text may
            // go on in the next event), so the break goes in anyway.
            '<' if tags
                && (if code {
                    mention_tag(rest)
                } else {
                    next.is_none_or(|n| !n.is_whitespace())
                }) =>
            {
                o.push(c);
                o.push(NEUTRAL);
            }
            '&' if matches!(d, Dialect::Feishu | Dialect::Wecom)
                && (if code {
                    let r = rest.to_ascii_lowercase();
                    r.is_empty()
                        || r.starts_with("lt;")
                        || r.starts_with("#60;")
                        || r.starts_with("#x3c;")
                } else {
                    next.is_none_or(|n| n == '#' || n.is_ascii_alphabetic())
                }) =>
            {
                o.push(c);
                o.push(NEUTRAL);
            }
            '@' if (!code || d == Dialect::Discord) && mentions_after_at(d, &s[..i], rest) => {
                o.push(c);
                o.push(NEUTRAL);
            }
            _ => o.push(c),
        }
    }
    o
}

/// Whether `@` between `before` and `rest` would mention someone on `d`.
/// Telegram and DingTalk read a mention only at the start of a word (so
/// `name@example.com` is left alone); Discord reads `@everyone` anywhere.
fn mentions_after_at(d: Dialect, before: &str, rest: &str) -> bool {
    let next = rest.chars().next();
    let word_start = !before
        .chars()
        .last()
        .is_some_and(|p| p.is_ascii_alphanumeric() || p == '_');
    match d {
        Dialect::Telegram => {
            word_start && next.is_none_or(|n| n.is_ascii_alphanumeric() || n == '_')
        }
        Dialect::Dingtalk => word_start && next.is_none_or(|n| n.is_ascii_digit()),
        Dialect::Discord => {
            let r = rest.to_ascii_lowercase();
            r.is_empty() || r.starts_with("everyone") || r.starts_with("here")
        }
        _ => false,
    }
}

/// A heading around already-rendered inline markup.
fn heading_markup(d: Dialect, level: u8, t: &str) -> String {
    let t = t.trim();
    match d {
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
    }
}

/// A link around already-rendered inline markup `t`.
fn link_markup(d: Dialect, lang: Lang, t: &str, url: &str) -> String {
    let same = t.trim().is_empty() || t.trim() == url || t.trim() == escape(d, url);
    match d {
        Dialect::Plain => {
            if same {
                url.to_string()
            } else {
                format!("{t}{}{url}", lang.pick("：", ": "))
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
            let u = url
                .replace(')', "%29")
                .replace(' ', "%20")
                .replace('<', "%3C")
                .replace('>', "%3E");
            if same {
                u
            } else {
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
pub(crate) type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Writer {
    d: Dialect,
    lang: Lang,
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
    /// The next list item or footnote definition continues one begun in
    /// the previous part.
    continued: bool,
    /// The top-level item being written is such a continuation.
    after_continued: bool,
}

impl Writer {
    fn flush(&mut self, tight: bool) {
        let t = self.cur.trim_end().to_string();
        self.cur.clear();
        self.after_url = false;
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
                // Plain text after a bare URL: keep them apart so the URL
                // does not run on (but never start a line with a space).
                if std::mem::take(&mut self.after_url)
                    && t.starts_with(|c: char| c.is_ascii_graphic())
                    && !self.cur.is_empty()
                    && !self.cur.ends_with(char::is_whitespace)
                {
                    self.cur.push(' ');
                }
                self.push_text(&t);
            }
            Event::Code(t) => {
                let s = match d {
                    Dialect::Plain => t.to_string(),
                    Dialect::Telegram => format!("<code>{}</code>", escape_code(d, &t)),
                    _ => format!("`{}`", escape_code(d, &t)),
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

    /// Opens a Markdown element in the dialect. One arm per element kind,
    /// each short; kept as one match (over 100 lines) so every element's
    /// opening reads in one place beside [`Self::end`].
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
                    // After an item continued from the previous part (it has
                    // no marker), a blank line lets the next one start a list.
                    self.item_tight = self.items > 0 && !std::mem::take(&mut self.after_continued);
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
                // An item continued from the previous part has no marker.
                let marker = if std::mem::take(&mut self.continued) {
                    self.after_continued = depth == 1;
                    String::new()
                } else {
                    marker
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
                // A definition continued from the previous part has no label.
                if !std::mem::take(&mut self.continued) {
                    self.cur.push_str(&format!("[{}] ", escape(d, &l)));
                }
            }
            _ => {}
        }
    }

    /// Closes a Markdown element in the dialect: the mirror of
    /// [`Self::start`], one short arm per element kind, kept as one match
    /// (over 120 lines) for the same reason.
    fn end(&mut self, tag: TagEnd) {
        let d = self.d;
        match tag {
            TagEnd::Paragraph if self.lists.is_empty() => self.flush(false),
            TagEnd::Heading(_) => {
                let level = self.in_heading.take().unwrap_or(2);
                let text = std::mem::take(&mut self.cur);
                self.blocks
                    .push(Block::plain(heading_markup(d, level, &text)));
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
                        self.cur.push_str(&escape_code(d, l));
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
                        text: escape_code(d, &code),
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
                        let image = self.lang.pick("图片", "image");
                        if alt.is_empty() {
                            image.to_string()
                        } else {
                            format!("{image}{}{alt}", self.lang.pick("：", ": "))
                        }
                    } else {
                        raw
                    };
                    // Link texts are rendered (escaped once) as they come;
                    // a link inside a link or a heading keeps only its text.
                    let nested = !self.links.is_empty() || self.in_heading.is_some();
                    if dest.is_empty() || nested {
                        self.cur.push_str(&text);
                    } else {
                        let s = link_markup(d, self.lang, &text, &dest);
                        self.cur.push_str(&s);
                        self.after_url = d == Dialect::Plain;
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

impl Writer {
    fn new(d: Dialect, lang: Lang) -> Writer {
        Writer {
            d,
            lang,
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
            continued: false,
            after_continued: false,
        }
    }

    /// The blocks written so far, joined into one message.
    fn finish(mut self) -> String {
        self.flush(false);
        let mut out = String::new();
        for b in &self.blocks {
            let text = b
                .text
                .lines()
                .map(|l| l.trim_end())
                .collect::<Vec<_>>()
                .join("\n")
                .trim_end()
                .to_string();
            let block = Block {
                text,
                wrap: b.wrap.clone(),
                tight: b.tight,
            };
            if !out.is_empty() {
                out.push_str(if b.tight { "\n" } else { "\n\n" });
            }
            out.push_str(&block.rendered());
        }
        out
    }
}

/// One heading level deeper (the post's title is the only level 1).
fn deeper(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// A post prepared for one platform: its title, credits, body and closing
/// link as Markdown events. It is split into parts on this structure
/// *before* anything is rendered, and each part is rendered on its own, so
/// every part is well-formed for the platform (see [`Doc::split`]).
#[derive(Debug, Clone)]
pub struct Doc {
    d: Dialect,
    lang: Lang,
    events: Vec<Event<'static>>,
}

impl Doc {
    /// An empty post in dialect `d`.
    pub fn new(d: Dialect, lang: Lang) -> Doc {
        Doc {
            d,
            lang,
            events: Vec::new(),
        }
    }

    /// Adds the post's title (a level-1 heading).
    pub fn title(&mut self, text: &str) {
        let level = HeadingLevel::H1;
        self.events.push(Event::Start(Tag::Heading {
            level,
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }));
        self.events
            .push(Event::Text(CowStr::from(text.trim().to_string())));
        self.events.push(Event::End(TagEnd::Heading(level)));
    }

    /// Adds a paragraph of plain text (escaped for the dialect).
    pub fn text(&mut self, text: &str) {
        self.events.push(Event::Start(Tag::Paragraph));
        self.events
            .push(Event::Text(CowStr::from(text.to_string())));
        self.events.push(Event::End(TagEnd::Paragraph));
    }

    /// Adds a paragraph holding one link.
    pub fn link(&mut self, text: &str, url: &str) {
        self.events.push(Event::Start(Tag::Paragraph));
        self.events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(url.to_string()),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        self.events
            .push(Event::Text(CowStr::from(text.to_string())));
        self.events.push(Event::End(TagEnd::Link));
        self.events.push(Event::End(TagEnd::Paragraph));
    }

    /// Adds Markdown: its headings one level below the title, its link and
    /// image destinations mapped through `resolve` (a link that resolves
    /// to nothing keeps only its text).
    pub fn markdown(&mut self, md: &str, resolve: Resolver<'_>) {
        for ev in Parser::new_ext(md, crate::core::markdown::parser_options()) {
            let ev = match ev {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => Event::Start(Tag::Heading {
                    level: deeper(level),
                    id,
                    classes,
                    attrs,
                }),
                Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(deeper(level))),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(resolve(&dest_url).unwrap_or_default()),
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(resolve(&dest_url).unwrap_or_default()),
                    title,
                    id,
                }),
                other => other,
            };
            self.events.push(ev.into_static());
        }
    }

    /// The whole post as one message, however long.
    pub fn render(&self) -> String {
        render_range(self.d, self.lang, &[], &self.events)
    }

    /// The post as messages no longer than `limit`, each well-formed on
    /// its own. The post is cut at the best place that lets a part hold as
    /// much as it can, preferring, in order: between top-level blocks
    /// (paragraphs, headings, lists, code blocks, tables, quotes), between
    /// list items, table rows and the blocks inside a quote, between lines
    /// of a code block, after a sentence (`。！？`, or `.!?` followed by a
    /// space), after a space, beside a CJK character or an inline span; a
    /// heading stays with the text under it, and a place inside emphasis
    /// counts less than one outside it.
    /// Never inside a link, inline code, a bare URL or an entity unless one
    /// of those is longer than a whole message. Markup open at a cut
    /// (emphasis, a list item, a code fence, a quote) is closed at the end
    /// of the part and opened again at the start of the next (a continued
    /// list item or footnote without its marker). When there is more than
    /// one part, each starts with its number on a line of its own, `（1/3）`.
    pub fn split(&self, limit: Limit) -> Vec<String> {
        let (mut ev, mut cut) = atoms(&self.events);
        let label = |i: usize, n: usize| part_label(self.lang, i, n).trim().to_string();
        let reserve = limit.measure(&format!("{}\n", label(999, 999)));
        let room = limit.max.saturating_sub(reserve).max(1);
        let (d, lang) = (self.d, self.lang);
        let render = |stack: &[Tag<'static>], ev: &[Event<'static>]| -> String {
            render_range(d, lang, stack, ev)
        };
        let fits = |s: &str| limit.measure(s) <= room;
        let mut parts: Vec<String> = Vec::new();
        let mut stack: Vec<Tag<'static>> = Vec::new();
        let mut a = 0;
        while a < ev.len() {
            let n = ev.len();
            let c = if !fits(&render(&stack, &ev[a..a + 1])) {
                if hard_split(&mut ev, &mut cut, a, |e| fits(&render(&stack, e))) {
                    continue;
                }
                // Nothing smaller can be made of it: send it whole rather
                // than lose it.
                a + 1
            } else {
                // The longest run from `a` that fits: gallop, then bisect.
                let (mut lo, mut hi, mut step) = (a + 1, n + 1, 1);
                while lo < n {
                    let m = (lo + step).min(n);
                    if m >= hi {
                        break;
                    }
                    if fits(&render(&stack, &ev[a..m])) {
                        lo = m;
                        step *= 2;
                    } else {
                        hi = m;
                        break;
                    }
                }
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2;
                    if fits(&render(&stack, &ev[a..mid])) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                if lo == n {
                    n
                } else {
                    // The best place to cut within it: the highest
                    // priority, and the latest of those.
                    (a + 1..=lo)
                        .filter_map(|i| cut[i].map(|p| (p, i)))
                        .max()
                        .map(|(_, i)| i)
                        .unwrap_or(lo)
                }
            };
            let text = render(&stack, &ev[a..c]);
            if !text.trim().is_empty() {
                parts.push(text);
            }
            advance(&mut stack, &ev[a..c]);
            a = c;
        }
        let n = parts.len();
        if n > 1 {
            for (i, p) in parts.iter_mut().enumerate() {
                p.insert_str(0, &format!("{}\n", label(i + 1, n)));
            }
        }
        parts
    }
}

/// Renders `ev` with the tags in `stack` opened before it, and everything
/// still open at its end closed after it.
fn render_range(d: Dialect, lang: Lang, stack: &[Tag<'static>], ev: &[Event<'static>]) -> String {
    let mut w = Writer::new(d, lang);
    let mut open: Vec<TagEnd> = Vec::with_capacity(stack.len() + 4);
    for t in stack {
        open.push(t.to_end());
        w.continued = matches!(t, Tag::Item | Tag::FootnoteDefinition(_));
        w.event(Event::Start(t.clone()));
    }
    for e in ev {
        match e {
            Event::Start(t) => open.push(t.to_end()),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
        w.event(e.clone());
    }
    while let Some(end) = open.pop() {
        w.event(Event::End(end));
    }
    w.finish()
}

/// Moves the open-tag `stack` over `ev`; an ordered list reopened later
/// goes on with the number of its next item.
fn advance(stack: &mut Vec<Tag<'static>>, ev: &[Event<'static>]) {
    for e in ev {
        match e {
            Event::Start(t) => stack.push(t.clone()),
            Event::End(_) => {
                if let Some(Tag::Item) = stack.pop() {
                    if let Some(Tag::List(Some(n))) = stack.last_mut() {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Splits the text or inline code at `ev[a]` in two, the first half as long
/// as `fits` allows; false when it cannot be made smaller.
fn hard_split(
    ev: &mut Vec<Event<'static>>,
    cut: &mut Vec<Option<u8>>,
    a: usize,
    fits: impl Fn(&[Event<'static>]) -> bool,
) -> bool {
    let (text, code) = match &ev[a] {
        Event::Text(t) => (t.to_string(), false),
        Event::Code(t) => (t.to_string(), true),
        _ => return false,
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() < 2 {
        return false;
    }
    let make = |s: &str| -> Event<'static> {
        let s = CowStr::from(s.to_string());
        if code {
            Event::Code(s)
        } else {
            Event::Text(s)
        }
    };
    // The most characters (at least one) whose piece fits.
    let (mut lo, mut hi) = (1, chars.len());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(&[make(&text[..chars[mid].0])]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let at = chars[lo].0;
    ev[a] = make(&text[..at]);
    ev.insert(a + 1, make(&text[at..]));
    cut.insert(a + 1, Some(cut::ANY));
    true
}

/// Priorities of the places a post may be cut (higher is better).
mod cut {
    /// Between top-level blocks (less for each level of nesting).
    pub(super) const BLOCK: u8 = 14;
    /// The least a block boundary is worth.
    pub(super) const NESTED_BLOCK: u8 = 9;
    /// Between a heading and the block under it: worse than any sentence
    /// or word outside emphasis, so a part does not end with a heading.
    pub(super) const AFTER_HEADING: u8 = 3;
    /// Between two lines of a code block.
    pub(super) const LINE: u8 = 7;
    /// After a sentence.
    pub(super) const SENTENCE: u8 = 6;
    /// After a space.
    pub(super) const WORD: u8 = 5;
    /// Beside a CJK character or an inline span (emphasis, code, a link).
    pub(super) const SPAN: u8 = 4;
    /// What a place inside emphasis loses: an emphasis span is cut (closed
    /// and reopened) only when no place outside it will do.
    pub(super) const IN_EMPHASIS: u8 = 3;
    /// Anywhere else that is not markup: the last resort.
    pub(super) const ANY: u8 = 0;
}

/// Closing quotes and brackets that belong to the sentence before them.
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', '》', ')', '"', '\'', ']', '】'];

fn is_block(t: &Tag<'_>) -> bool {
    matches!(
        t,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
    )
}

/// True when `tail` (the text just before a place) ends a sentence:
/// `。！？` (and any closing quotes after them), or `.!?` followed by a space.
fn ends_sentence(tail: &str) -> bool {
    let s = tail.trim_end();
    let spaced = s.len() < tail.len();
    let s = s.trim_end_matches(CLOSERS);
    match s.chars().last() {
        Some('。' | '！' | '？') => true,
        Some('.' | '!' | '?') => spaced,
        _ => false,
    }
}

/// Where inline text sits, for the priority of cutting it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    /// Plain paragraph text.
    Text,
    /// Inside emphasis, strong or strikethrough.
    Emphasis,
    /// Inside a link, an image or a heading: cut only as a last resort.
    Protected,
}

/// The priority of cutting inline text between `tail` and `next` (`None`:
/// before an inline span), or `None` where no cut may go.
fn inline_cut(tail: &Tail, next: Option<char>, inside: Inside) -> Option<u8> {
    if tail.is_empty() {
        return None;
    }
    if tail.url && next.is_some_and(|c| !c.is_whitespace()) {
        return Some(cut::ANY);
    }
    if next.is_some_and(|c| c.is_whitespace() || CLOSERS.contains(&c)) {
        return None;
    }
    let p = if ends_sentence(tail) {
        cut::SENTENCE
    } else if tail.ends_with(char::is_whitespace) {
        cut::WORD
    } else if next.is_none_or(is_cjk) || tail.chars().last().is_some_and(is_cjk) {
        cut::SPAN
    } else {
        cut::ANY
    };
    Some(match inside {
        Inside::Text => p,
        Inside::Emphasis => p.saturating_sub(cut::IN_EMPHASIS),
        Inside::Protected => cut::ANY,
    })
}

/// The last few characters of the current block's text, and whether they
/// are inside a bare URL (`https://…` up to the next space or CJK
/// punctuation), where no cut goes.
#[derive(Default)]
struct Tail {
    text: String,
    url: bool,
}

impl Tail {
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() || (is_cjk(c) && !c.is_alphanumeric()) {
                self.url = false;
            }
            self.text.push(c);
        }
        if self.text.ends_with("://") {
            self.url = true;
        }
        let n = self.text.chars().count();
        if n > 16 {
            let skip: usize = self.text.chars().take(n - 16).map(char::len_utf8).sum();
            self.text.drain(..skip);
        }
    }

    fn clear(&mut self) {
        self.text.clear();
        self.url = false;
    }
}

impl std::ops::Deref for Tail {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// The post's events as atoms: text cut into fragments at every place a
/// cut may go, each atom with the priority of cutting just before it
/// (`None`: never). One pass over the events with the block, list and
/// code state it needs; over 120 lines because splitting the pass would
/// split that state.
fn atoms(events: &[Event<'static>]) -> (Vec<Event<'static>>, Vec<Option<u8>>) {
    let mut ev: Vec<Event<'static>> = Vec::with_capacity(events.len() * 2);
    let mut cut: Vec<Option<u8>> = Vec::with_capacity(events.len() * 2);
    let mut stack: Vec<TagEnd> = Vec::new();
    let mut tail = Tail::default();
    let mut after_start = true;
    let mut after_heading = false;
    for e in events {
        let protected = stack.iter().any(|t| {
            matches!(
                t,
                TagEnd::Link | TagEnd::Image | TagEnd::Heading(_) | TagEnd::TableHead
            )
        });
        let inside = if protected {
            Inside::Protected
        } else if stack
            .iter()
            .any(|t| matches!(t, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough))
        {
            Inside::Emphasis
        } else {
            Inside::Text
        };
        let in_code = stack.iter().any(|t| matches!(t, TagEnd::CodeBlock));
        let follows_heading = std::mem::take(&mut after_heading);
        match e {
            Event::Start(t) if is_block(t) => {
                let depth = stack.len() as u8;
                let mut p = cut::BLOCK.saturating_sub(depth).max(cut::NESTED_BLOCK);
                if follows_heading {
                    p = p.min(cut::AFTER_HEADING);
                }
                ev.push(e.clone());
                cut.push((!after_start).then_some(p));
                stack.push(t.to_end());
                tail.clear();
                after_start = true;
            }
            Event::Start(t) => {
                let p = if matches!(t, Tag::TableCell) {
                    (!after_start).then_some(cut::ANY)
                } else {
                    inline_cut(&tail, None, inside)
                };
                ev.push(e.clone());
                cut.push(p);
                stack.push(t.to_end());
                after_start = true;
            }
            Event::End(end) => {
                ev.push(e.clone());
                cut.push(None);
                stack.pop();
                after_start = false;
                after_heading = matches!(end, TagEnd::Heading(_));
            }
            Event::Text(t) if in_code => {
                for line in t.split_inclusive('\n') {
                    let p = if tail.is_empty() {
                        None
                    } else if tail.ends_with('\n') {
                        Some(cut::LINE)
                    } else {
                        Some(cut::ANY)
                    };
                    ev.push(Event::Text(CowStr::from(line.to_string())));
                    cut.push(p);
                    tail.push(line);
                }
                after_start = false;
            }
            Event::Text(t) if protected => {
                ev.push(e.clone());
                cut.push((!tail.is_empty()).then_some(cut::ANY));
                tail.push(t);
                after_start = false;
            }
            Event::Text(t) => {
                // Fragments begin where a cut of at least SPAN may go.
                let mut frag = String::new();
                let mut frag_cut = inline_cut(&tail, t.chars().next(), inside)
                    .or((!tail.is_empty()).then_some(cut::ANY));
                for c in t.chars() {
                    if !frag.is_empty() {
                        if let Some(p) = inline_cut(&tail, Some(c), inside) {
                            if p > cut::ANY {
                                ev.push(Event::Text(CowStr::from(std::mem::take(&mut frag))));
                                cut.push(frag_cut);
                                frag_cut = Some(p);
                            }
                        }
                    }
                    frag.push(c);
                    tail.push(c.encode_utf8(&mut [0; 4]));
                }
                if !frag.is_empty() {
                    ev.push(Event::Text(CowStr::from(frag)));
                    cut.push(frag_cut);
                }
                after_start = false;
            }
            Event::SoftBreak | Event::HardBreak => {
                ev.push(e.clone());
                cut.push(None);
                tail.push(if matches!(e, Event::HardBreak) {
                    "\n"
                } else {
                    " "
                });
                after_start = false;
            }
            Event::Rule if stack.is_empty() => {
                ev.push(e.clone());
                cut.push((!after_start).then_some(cut::BLOCK));
                after_start = false;
            }
            Event::TaskListMarker(_) => {
                ev.push(e.clone());
                cut.push(None);
            }
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                ev.push(e.clone());
                cut.push(inline_cut(&tail, None, inside));
                tail.push(t);
                after_start = false;
            }
            _ => {
                ev.push(e.clone());
                cut.push(if stack.is_empty() {
                    (!after_start).then_some(cut::BLOCK)
                } else {
                    inline_cut(&tail, None, inside)
                });
                after_start = false;
            }
        }
    }
    (ev, cut)
}

/// The label on the first line of each part of a split message: `（2/3）`.
pub(crate) fn part_label(lang: Lang, i: usize, n: usize) -> String {
    let (open, close) = (lang.pick("（", "("), lang.pick("）", ")"));
    format!("{open}{i}/{n}{close}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resolver for text with no relative links: keeps safe absolute URLs.
    fn absolute_only(dest: &str) -> Option<String> {
        (crate::core::markdown::is_safe_url(dest) && dest.contains("://")).then(|| dest.to_string())
    }

    fn doc(md: &str, d: Dialect) -> Doc {
        let mut x = Doc::new(d, Lang::ZhCn);
        x.markdown(md, &absolute_only);
        x
    }

    fn r(md: &str, d: Dialect) -> String {
        doc(md, d).render()
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
    fn telegram_escapes_markup_inside_links_and_headings_once() {
        let t = r("[**加粗链接**](https://e.org/x)", Dialect::Telegram);
        assert_eq!(t, "<a href=\"https://e.org/x\"><b>加粗链接</b></a>");
        let t = r("# 用 `a<b` 看", Dialect::Telegram);
        assert_eq!(t, "<b>用 <code>a&lt;b</code> 看</b>");
        let t = r("[a & b](https://e.org/?x=1&y=2)", Dialect::Telegram);
        assert_eq!(t, "<a href=\"https://e.org/?x=1&amp;y=2\">a &amp; b</a>");
    }

    #[test]
    fn a_paragraph_after_a_url_starts_without_a_space() {
        let t = r("见 [文档](https://e.org/a)\n\nnext line", Dialect::Plain);
        assert_eq!(t, "见 文档：https://e.org/a\n\nnext line");
        // Text running on after a URL in the same paragraph is kept apart.
        let t = r("见 [文档](https://e.org/a)and more", Dialect::Plain);
        assert_eq!(t, "见 文档：https://e.org/a and more");
    }

    #[test]
    fn member_text_never_becomes_a_mention_or_a_tag() {
        let cases: &[(Dialect, &str, &[&str])] = &[
            (
                Dialect::Feishu,
                "\\<at id=all\\>\\</at\\> &lt;at id=all&gt;&lt;/at&gt; <text_tag>x",
                &["<at", "</at", "<text_tag", "&lt;", "&gt;"],
            ),
            (
                Dialect::Feishu,
                "`<at id=all></at>` <font color=red>x</font>",
                &["<at", "<font"],
            ),
            (
                Dialect::Wecom,
                "\\<@all\\> &lt;@userid&gt; \\<font color=\"warning\"\\>x",
                &["<@", "<font", "&lt;"],
            ),
            (Dialect::Dingtalk, "call @13800001111 now", &["@1"]),
            (
                Dialect::Discord,
                "@everyone @here @Everyone \\<@123\\> \\<@&456\\> \\<#789\\>",
                &["@everyone", "@here", "@Everyone", "<@", "<#"],
            ),
            (
                Dialect::Slack,
                "\\<!channel\\> \\<!here\\> \\<@U123\\> a & b",
                &["<!", "<@", " & "],
            ),
            (Dialect::Telegram, "@alice &lt;b&gt;", &["@alice", "<b>"]),
        ];
        for (d, md, bad) in cases {
            let t = r(md, *d);
            for b in *bad {
                assert!(!t.contains(b), "{d:?}: {b:?} in {t:?}");
            }
            // Shown as written, apart from the invisible breaks.
            let shown = t.replace(NEUTRAL, "");
            if matches!(d, Dialect::Discord | Dialect::Dingtalk) {
                assert!(shown.contains(&md.replace('\\', "")), "{d:?}: {shown:?}");
            }
        }
        // Code is left as written unless it could mention someone.
        for d in [
            Dialect::Feishu,
            Dialect::Wecom,
            Dialect::Dingtalk,
            Dialect::Discord,
        ] {
            let t = r(
                "`a<b && c>d` `<at id=all></at>` `<@all>`\n\n```\nif a<b { x &= y; }\n```",
                d,
            );
            assert!(
                t.contains("a<b && c>d") && t.contains("if a<b { x &= y; }"),
                "{d:?}: {t}"
            );
            assert!(!t.contains("<at") && !t.contains("<@"), "{d:?}: {t}");
        }
        // An e-mail address is not a mention.
        assert_eq!(r("a.b@example.com", Dialect::Telegram), "a.b@example.com");
        // WeCom titles are escaped too.
        let title = escape(Dialect::Wecom, "<@all> 标题");
        assert!(!heading_markup(Dialect::Wecom, 1, &title).contains("<@"));
    }

    #[test]
    fn split_keeps_code_fences_whole() {
        let code = (0..200)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let md = format!("段落一。\n\n```\n{code}\n```\n");
        let parts = doc(&md, Dialect::Discord).split(Limit::chars(300));
        assert!(parts.len() > 3);
        for p in &parts {
            assert!(p.chars().count() <= 300, "{}", p.chars().count());
            assert_eq!(p.matches("```").count() % 2, 0, "{p}");
            // The label is a line of its own; a fence starts its own line.
            let first = p.lines().next().unwrap_or_default();
            assert!(first.starts_with('（') && first.ends_with('）'), "{p}");
            assert!(!p.contains("）```") && !p.contains("）#"), "{p}");
        }
    }

    #[test]
    fn long_paragraph_is_cut_at_sentences_never_inside_links_urls_or_numbers() {
        let unit = "请读 **[官方文档 v2.0 说明](https://docs.example.com/v2.0/guide.html)**，版本 3.14 的变化见 guide.html 文件。";
        let md = unit.repeat(40);
        for d in [
            Dialect::Telegram,
            Dialect::Wecom,
            Dialect::Discord,
            Dialect::Plain,
        ] {
            let parts = doc(&md, d).split(Limit::chars(500));
            assert!(parts.len() > 3, "{d:?}");
            let n = parts.len();
            for (i, p) in parts.iter().enumerate() {
                assert!(p.chars().count() <= 500, "{d:?} {p}");
                let body = p.split_once('\n').map(|x| x.1).unwrap_or(p);
                // Every part ends a sentence and starts the next.
                assert!(
                    body.trim_end().ends_with("文件。") || body.trim_end().ends_with("文件。</b>"),
                    "{d:?} part {i}/{n}: {body}"
                );
                assert_eq!(
                    p.matches("https://").count(),
                    p.matches("https://docs.example.com/v2.0/guide.html")
                        .count(),
                    "{d:?} {p}"
                );
                assert_eq!(
                    p.matches("3.").count(),
                    p.matches("3.14").count(),
                    "{d:?} {p}"
                );
                if d != Dialect::Plain {
                    assert_eq!(
                        p.matches("https://").count(),
                        p.matches("官方文档 v2.0 说明").count(),
                        "{d:?} {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn emphasis_longer_than_a_message_is_closed_and_reopened() {
        let md = format!("**{}**", "很长的强调句子没有标点".repeat(60));
        let parts = doc(&md, Dialect::Telegram).split(Limit::chars(200));
        assert!(parts.len() > 2);
        for p in &parts {
            assert!(p.chars().count() <= 200);
            assert_eq!(p.matches("<b>").count(), 1, "{p}");
            assert!(p.trim_end().ends_with("</b>"), "{p}");
        }
        let parts = doc(&md, Dialect::Discord).split(Limit::chars(200));
        for p in &parts {
            assert_eq!(p.matches("**").count(), 2, "{p}");
        }
    }

    #[test]
    fn a_list_item_continued_in_the_next_part_keeps_its_numbering() {
        let long = "这一项很长。".repeat(30);
        let md = format!("1. 甲\n2. {long}\n3. 丙\n");
        let parts = doc(&md, Dialect::Plain).split(Limit::chars(120));
        let all = parts.join("\n");
        assert_eq!(all.matches("2. ").count(), 1, "{all}");
        assert_eq!(all.matches("3. 丙").count(), 1, "{all}");
    }

    #[test]
    fn headings_stay_with_their_text_and_emphasis_is_cut_last() {
        let md = format!("前言。\n\n## 标题\n\n{}", "正文的一句话。".repeat(60));
        for p in doc(&md, Dialect::Discord).split(Limit::chars(200)) {
            let last = p.trim_end().lines().last().unwrap_or_default();
            assert!(!last.starts_with('#'), "a part ends with its heading: {p}");
        }
        // Sentences outside the bold text are cut before those inside it.
        let md = format!(
            "{}**加粗一句。加粗两句。**{}",
            "普通句子。".repeat(10),
            "普通句子。".repeat(30)
        );
        let parts = doc(&md, Dialect::Telegram).split(Limit::chars(80));
        for p in &parts {
            assert_eq!(p.matches("<b>").count(), p.matches("</b>").count(), "{p}");
            assert!(
                !p.contains("<b>加粗两句。"),
                "bold cut though it fits: {parts:#?}"
            );
        }
    }

    #[test]
    fn tables_nested_lists_quotes_and_footnotes_split_within_the_limit() {
        let row = "| 列一很长的内容。 | [链接](https://e.org/t) | `code` |\n";
        let md = format!(
            "| 甲 | 乙 | 丙 |\n|---|---|---|\n{}\n\n- 外层。\n  - 内层{}\n    ```\n    let a = 1;\n    ```\n- 末项\n\n> {}\n>\n> 第二段。\n\n脚注[^1]。\n\n[^1]: {}\n\n![图](https://e.org/i.png)\n\n<div>raw</div>\n\n---\n",
            row.repeat(30),
            "很长的句子。".repeat(40),
            "引用里的话。".repeat(50),
            "脚注的内容。".repeat(30),
        );
        for d in [
            Dialect::Telegram,
            Dialect::Plain,
            Dialect::Wecom,
            Dialect::Slack,
            Dialect::Discord,
        ] {
            let x = doc(&md, d);
            let whole = x.render();
            for max in [120, 300, 1000] {
                let parts = x.split(Limit::chars(max));
                assert!(parts.len() > 1);
                for p in &parts {
                    assert!(p.chars().count() <= max, "{d:?} {max}: {p}");
                    assert!(!p.contains("[^1]") || d == Dialect::Plain, "{p}");
                }
                let strip = |s: &str| -> String {
                    s.chars()
                        .filter(|c| !c.is_whitespace() && !"•▍｜【】「」>*_`".contains(*c))
                        .collect()
                };
                let joined: String = parts
                    .iter()
                    .map(|p| p.split_once('\n').map(|x| x.1).unwrap_or(p))
                    .collect();
                if d == Dialect::Plain {
                    assert_eq!(strip(&joined), strip(&whole), "{d:?} {max}");
                }
            }
        }
        assert!(doc("", Dialect::Telegram)
            .split(Limit::chars(100))
            .is_empty());
        assert!(doc("<div>only html</div>", Dialect::Plain)
            .split(Limit::chars(100))
            .is_empty());
    }

    mod property {
        use super::super::*;
        use super::absolute_only;
        use html5ever::buffer_queue::BufferQueue;
        use html5ever::tendril::StrTendril;
        use html5ever::tokenizer::{
            TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
        };
        use proptest::prelude::*;
        use std::cell::RefCell;

        const URLS: [&str; 3] = [
            "https://docs.example.com/v2.0/guide.html",
            "https://e.org/a?b=1&c=2",
            "https://example.org/g/qa/现金.html",
        ];

        struct Sink(RefCell<Vec<Token>>);
        impl TokenSink for Sink {
            type Handle = ();
            fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
                self.0.borrow_mut().push(token);
                TokenSinkResult::Continue
            }
        }

        fn tokens(html: &str) -> Vec<Token> {
            let tok = Tokenizer::new(Sink(RefCell::new(Vec::new())), TokenizerOpts::default());
            let input = BufferQueue::default();
            input.push_back(StrTendril::from_slice(html));
            let _ = tok.feed(&input);
            tok.end();
            tok.sink.0.into_inner()
        }

        /// Telegram's tags, balanced; the part's text.
        fn telegram_text(html: &str) -> Result<String, String> {
            const ALLOWED: [&str; 7] = ["b", "i", "s", "a", "code", "pre", "blockquote"];
            let mut open: Vec<String> = Vec::new();
            let mut text = String::new();
            for t in tokens(html) {
                match t {
                    Token::TagToken(tag) => {
                        let name = tag.name.to_string();
                        if !ALLOWED.contains(&name.as_str()) {
                            return Err(format!("tag <{name}> in {html}"));
                        }
                        match tag.kind {
                            TagKind::StartTag => open.push(name),
                            TagKind::EndTag => {
                                if open.pop().as_deref() != Some(name.as_str()) {
                                    return Err(format!("unbalanced </{name}> in {html}"));
                                }
                            }
                        }
                    }
                    Token::CharacterTokens(s) => text.push_str(&s),
                    Token::ParseError(e) => return Err(format!("{e} in {html}")),
                    _ => {}
                }
            }
            if !open.is_empty() {
                return Err(format!("unclosed {open:?} in {html}"));
            }
            Ok(text)
        }

        /// The text of a Markdown part, as a CommonMark reader sees it.
        fn markdown_text(md: &str) -> String {
            let mut text = String::new();
            for e in Parser::new_ext(md, crate::core::markdown::parser_options()) {
                match e {
                    Event::Text(t) | Event::Code(t) => text.push_str(&t),
                    _ => {}
                }
            }
            text
        }

        /// Text compared without whitespace, the invisible mention breaks,
        /// Markdown emphasis marks and the characters the plain and
        /// Telegram dialects draw bullets, headings, quotes and emphasis
        /// with (these repeat when a part reopens what the last one cut).
        fn norm(s: &str) -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != NEUTRAL && !"•▍｜【】「」*_~`".contains(*c))
                .collect()
        }

        fn text_of(d: Dialect, part: &str) -> Result<String, String> {
            match d {
                Dialect::Telegram => telegram_text(part),
                Dialect::Plain => Ok(part.to_string()),
                _ => Ok(markdown_text(part)),
            }
        }

        fn sentence() -> impl Strategy<Value = String> {
            (
                proptest::collection::vec(
                    prop_oneof![
                        Just("社群".to_string()),
                        Just("运营的关键".to_string()),
                        Just("在于持续输出".to_string()),
                        Just("版本 3.14 ".to_string()),
                        Just("guide.html ".to_string()),
                        Just("a<b & c ".to_string()),
                        Just("word ".to_string()),
                    ],
                    1..40,
                ),
                prop_oneof![Just("。"), Just("！"), Just("，"), Just(". "), Just("")],
            )
                .prop_map(|(w, end)| format!("{}{end}", w.concat()))
        }

        fn phrase() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("官方文档 v2.0"),
                Just("现金跑道"),
                Just("a<b & c"),
                Just("社群")
            ]
            .prop_map(str::to_string)
        }

        fn inline() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => sentence(),
                1 => (phrase(), 0..3usize).prop_map(|(t, u)| format!("[{t}]({})", URLS[u])),
                1 => Just("`x.y()`".to_string()),
                1 => sentence().prop_map(|t| format!("**{}**", t.trim())),
                1 => sentence().prop_map(|t| format!("*{}*", t.trim())),
                1 => (0..3usize).prop_map(|u| format!(" {} ", URLS[u])),
            ]
        }

        fn paragraph() -> impl Strategy<Value = String> {
            proptest::collection::vec(inline(), 1..12).prop_map(|v| v.concat().trim().to_string())
        }

        fn block() -> impl Strategy<Value = String> {
            prop_oneof![
                5 => paragraph(),
                1 => sentence().prop_map(|t| format!("## {} `code`", t.trim())),
                1 => (1..60usize).prop_map(|n| format!(
                    "```\n{}\n```",
                    (0..n).map(|i| format!("let v{i} = a<b && c;")).collect::<Vec<_>>().join("\n")
                )),
                1 => proptest::collection::vec(paragraph(), 1..6)
                    .prop_map(|v| v.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")),
                1 => proptest::collection::vec(paragraph(), 1..6)
                    .prop_map(|v| v.iter().enumerate().map(|(i, p)| format!("{}. {p}", i + 1)).collect::<Vec<_>>().join("\n")),
                1 => paragraph().prop_map(|p| format!("> {p}")),
            ]
        }

        const DIALECTS: [(Dialect, Limit); 7] = [
            (Dialect::Wecom, Limit::bytes(4096)),
            (Dialect::Feishu, Limit::bytes(15000)),
            (Dialect::Dingtalk, Limit::chars(5000)),
            (Dialect::Telegram, Limit::chars(4096)),
            (Dialect::Slack, Limit::chars(4000)),
            (Dialect::Discord, Limit::chars(2000)),
            (Dialect::Plain, Limit::chars(2000)),
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

            #[test]
            fn every_part_fits_is_well_formed_and_nothing_is_lost(
                blocks in proptest::collection::vec(block(), 1..30),
                small in 200usize..700,
                title in sentence(),
            ) {
                let md = blocks.join("\n\n");
                for (d, real) in DIALECTS {
                    let mut x = Doc::new(d, Lang::ZhCn);
                    x.title(&title);
                    x.markdown(&md, &absolute_only);
                    let whole = norm(&text_of(d, &x.render()).map_err(TestCaseError::fail)?);
                    for limit in [real, Limit { max: small, bytes: real.bytes }] {
                        let parts = x.split(limit);
                        let n = parts.len();
                        let mut joined = String::new();
                        for p in &parts {
                            prop_assert!(limit.measure(p) <= limit.max, "{:?} {} > {}: {}", d, limit.measure(p), limit.max, p);
                            let body = if n > 1 {
                                let (label, body) = p.split_once('\n').unwrap_or((p, ""));
                                prop_assert!(label.starts_with('（') && label.ends_with('）'), "{}", p);
                                body
                            } else {
                                p.as_str()
                            };
                            let text = text_of(d, body).map_err(TestCaseError::fail)?;
                            joined.push_str(&text);
                            if d != Dialect::Telegram {
                                let fences = body.lines().filter(|l| l.starts_with("```")).count();
                                prop_assert_eq!(fences % 2, 0, "{:?}: {}", d, body);
                            }
                            // Links and URLs arrive whole.
                            let urls: usize = URLS
                                .iter()
                                .map(|u| {
                                    let e = escape(d, u).replace('"', "&quot;");
                                    body.matches(u).count() + if e != *u { body.matches(&e).count() } else { 0 }
                                })
                                .sum();
                            prop_assert_eq!(body.matches("https://").count(), urls, "{:?}: {}", d, body);
                        }
                        prop_assert_eq!(norm(&joined), whole.clone(), "{:?} limit {}", d, limit.max);
                    }
                }
            }
        }
    }
}
