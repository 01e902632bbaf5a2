//! `qunshu import`: chat exports → Q&A thread drafts.
//!
//! Each platform's reader (one file per format) turns its export into the
//! shared model — a [`Chat`] of [`Message`]s with an id, a time, an author,
//! the message it replies to and its text as Markdown — counting what it
//! drops (service messages, bots, empty messages) with the reason.
//! [`threads`] finds the threads from the reply links, [`people`] maps chat
//! identities to member handles (new people become anonymous members),
//! [`scrub`] hides personal data, and [`write`] writes each thread as
//! `content/qa/<slug>.md` or appends the new replies to the file an earlier
//! import wrote.

pub(crate) mod discord;
pub(crate) mod people;
pub mod plan;
pub(crate) mod scrub;
pub(crate) mod slack;
pub(crate) mod telegram;
pub(crate) mod threads;
pub(crate) mod wechat;
pub(crate) mod write;
pub(crate) mod zsxq;

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// The chat platforms whose exports are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    /// Telegram Desktop "Export chat history" JSON (`result.json`).
    Telegram,
    /// DiscordChatExporter JSON.
    Discord,
    /// Slack workspace export zip.
    Slack,
    /// Copied WeChat chat text.
    Wechat,
    /// 知识星球 topics JSON.
    Zsxq,
}

impl Platform {
    /// Every platform, in the order `--help` names them.
    pub const ALL: [Platform; 5] = [
        Platform::Telegram,
        Platform::Discord,
        Platform::Slack,
        Platform::Wechat,
        Platform::Zsxq,
    ];

    /// The platform's name as written on the command line and in
    /// `accounts:` / `source:` (`telegram`).
    pub fn name(self) -> &'static str {
        match self {
            Platform::Telegram => "telegram",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
            Platform::Wechat => "wechat",
            Platform::Zsxq => "zsxq",
        }
    }

    /// The platform named `s` (case ignored).
    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The short prefix of the handles made up for new people (`tg`).
    pub fn handle_prefix(self) -> &'static str {
        match self {
            Platform::Telegram => "tg",
            Platform::Discord => "dc",
            Platform::Slack => "slack",
            Platform::Wechat => "wx",
            Platform::Zsxq => "zsxq",
        }
    }
}

/// Who wrote a message, as the export names them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Author {
    /// The platform's id of the person (`user123456`, `U0123ABC`; for
    /// WeChat, which has none, the display name).
    pub id: String,
    /// The display name in the export (kept only in the members file).
    pub name: String,
    /// True when the person asked to stay anonymous (a 知识星球 anonymous
    /// question): they are not even added to the members file.
    pub anonymous: bool,
}

/// A mention of a person in a message's text, resolved to a handle when
/// the thread is written: the text holds the placeholder
/// [`Mention::placeholder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The person mentioned (id and name, as for an author), or `None`
    /// when the export names nobody the mention can be tied to.
    pub who: Option<Author>,
}

impl Mention {
    /// The placeholder of mention number `i` in a message's text: private
    /// use characters that no chat text contains.
    pub fn placeholder(i: usize) -> String {
        format!("\u{E000}{i}\u{E001}")
    }
}

/// One chat message in the shared model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The platform's message id (unique in its chat; stable across exports).
    pub id: String,
    /// When it was sent, if the export says.
    pub time: Option<DateTime<Utc>>,
    /// Who sent it.
    pub author: Author,
    /// The id of the message it replies to (or the thread it belongs to).
    pub reply_to: Option<String>,
    /// The text as Markdown (entities converted, attachments noted), with
    /// mention placeholders (see [`Mention`]).
    pub text: String,
    /// The mentions in [`Message::text`], by placeholder number.
    pub mentions: Vec<Mention>,
    /// Tags the platform attached (知识星球 hashtags).
    pub tags: Vec<String>,
    /// The platform marks this message as the answer (a 知识星球
    /// questionee's answer).
    pub marked_answer: bool,
    /// The ids of the people who reacted with ✅ (`white_check_mark`): when
    /// the asker did, the answer is suggested as accepted.
    pub checked_by: Vec<String>,
}

/// Why a message of the export is not in any thread file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dropped {
    /// A service message: joins, leaves, pins, title changes.
    Service,
    /// Written by a bot (or an app or webhook).
    Bot,
    /// No text and no attachment (a deleted message, an empty edit).
    Empty,
    /// Not part of any thread with an answer.
    NoThread,
    /// In a thread that was not chosen (`--thread`, `--since`).
    NotChosen,
}

impl Dropped {
    /// The reason in words, for the summary.
    pub fn reason(self) -> &'static str {
        match self {
            Dropped::Service => "service messages (joins, pins, title changes)",
            Dropped::Bot => "bot messages",
            Dropped::Empty => "empty or deleted messages",
            Dropped::NoThread => "messages outside any answered question",
            Dropped::NotChosen => "messages in threads not chosen",
        }
    }
}

/// One chat (group, channel, 星球) of an export.
#[derive(Debug, Clone, Default)]
pub struct Chat {
    /// The chat's name as the export gives it.
    pub name: String,
    /// The messages kept, in the export's order (oldest first).
    pub messages: Vec<Message>,
    /// Messages dropped while reading, by reason.
    pub dropped: BTreeMap<Dropped, usize>,
}

impl Chat {
    /// Counts one dropped message.
    pub fn drop_one(&mut self, why: Dropped) {
        *self.dropped.entry(why).or_insert(0) += 1;
    }

    /// Keeps message `m` with its `text` (trimmed), or counts it as dropped
    /// when nothing is left of it.
    pub(crate) fn keep(&mut self, mut m: Message, text: &str) {
        if text.trim().is_empty() {
            self.drop_one(Dropped::Empty);
            return;
        }
        m.text = text.trim().to_string();
        self.messages.push(m);
    }
}

/// What a reader produced: the chats of one export.
#[derive(Debug, Clone)]
pub struct Export {
    /// The platform.
    pub platform: Platform,
    /// The chats, in the export's order.
    pub chats: Vec<Chat>,
}

/// Reads the export at `path` as `platform`. Times without an offset are
/// read in `tz`. A malformed export is an error naming the file (and the
/// line, where there is one).
pub fn read(platform: Platform, path: &Path, tz: chrono_tz::Tz) -> anyhow::Result<Export> {
    let chats = match platform {
        Platform::Telegram => telegram::read(path, tz)?,
        Platform::Discord => discord::read(path)?,
        Platform::Slack => slack::read(path)?,
        Platform::Wechat => wechat::read(path, tz)?,
        Platform::Zsxq => zsxq::read(path)?,
    };
    Ok(Export { platform, chats })
}

/// A JSON reading error in plain words: the file, line and column, and a
/// hint when the file ends early (a truncated download).
pub fn json_error(path: &Path, what: &str, e: serde_json::Error) -> anyhow::Error {
    let hint = if e.is_eof() {
        " — the file ends too early (a download or copy that was cut off?)"
    } else {
        ""
    };
    anyhow::anyhow!(
        "{}:{}:{}: not a {what}: {e}{hint}",
        path.display(),
        e.line(),
        e.column()
    )
}

/// A message time as the site shows it (`2026-11-20 15:03`).
pub fn local_time(t: Option<DateTime<Utc>>, tz: chrono_tz::Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// Converts plain chat text to Markdown that keeps its meaning inside a
/// thread file: a line that would start a heading (`# `, `## @x`), a
/// heading underline (`---`, `===`), a front matter fence or a list
/// marker that is not one is escaped, so a message can never change the
/// thread's structure.
pub fn escape_structure(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // The open code fence: its character and length (CommonMark closes it
    // only with a run of the same character at least as long).
    let mut fence: Option<(char, usize)> = None;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let t = line.trim_start();
        let run = |c: char| t.chars().take_while(|&x| x == c).count();
        let marker = ['`', '~']
            .into_iter()
            .map(|c| (c, run(c)))
            .find(|(_, n)| *n >= 3);
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                out.push_str(line);
                continue;
            }
            (Some((c, n)), Some((mc, mn))) if c == mc && mn >= n && t[mn..].trim().is_empty() => {
                fence = None;
                out.push_str(line);
                continue;
            }
            (Some(_), _) => {
                out.push_str(line);
                continue;
            }
            (None, None) => {}
        }
        let only = |c: char| !t.trim().is_empty() && t.trim().chars().all(|x| x == c || x == ' ');
        let line = if t.starts_with('#') || only('-') || only('=') || only('*') || only('_') {
            out.push_str(&line[..line.len() - t.len()]);
            out.push('\\');
            t
        } else {
            line
        };
        // `<` outside code (but for an autolink) would start HTML, which the
        // archive removes: `<技术白皮书>` stays text.
        let mut code = false;
        for (i, c) in line.char_indices() {
            if c == '`' {
                code = !code;
            }
            let rest = &line[i + c.len_utf8()..];
            let autolink = ["http://", "https://", "mailto:"]
                .iter()
                .any(|p| rest.starts_with(p));
            if c == '<' && !code && !autolink {
                out.push_str("&lt;");
            } else {
                out.push(c);
            }
        }
    }
    // A message's code block that is never closed would swallow the rest of
    // the thread: close it.
    if let Some((c, n)) = fence {
        out.push('\n');
        out.extend(std::iter::repeat_n(c, n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_is_escaped_outside_code() {
        let md = escape_structure(
            "## @bob 不是回答\n---\n```\n# code <b>\n```\n正文 <技术> `<b>` <https://x.y>",
        );
        assert_eq!(
            md,
            "\\## @bob 不是回答\n\\---\n```\n# code <b>\n```\n正文 &lt;技术> `<b>` <https://x.y>"
        );
        let t = crate::core::content::thread::split(&md);
        assert!(t.answers.is_empty());
    }

    #[test]
    fn escaping_is_idempotent_and_closes_open_fences() {
        for t in [
            "## @x\n---\n***\n<b> `<i>` <https://x.y>",
            "```\ncode",
            "~~~~\n```\n~~~",
            "文字",
        ] {
            let once = escape_structure(t);
            assert_eq!(escape_structure(&once), once, "{t:?}");
        }
        assert_eq!(
            escape_structure("看：\n```\n# 代码"),
            "看：\n```\n# 代码\n```"
        );
        assert_eq!(escape_structure("~~~~\n```\n~~~"), "~~~~\n```\n~~~\n~~~~");
    }

    #[test]
    fn platforms_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.name()), Some(p));
        }
        assert_eq!(Platform::parse("icq"), None);
    }
}
