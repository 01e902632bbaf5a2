//! Telegram Desktop "Export chat history" JSON (`result.json`).
//!
//! One chat (`{"name", "type", "id", "messages": [...]}`) or the full
//! export (`{"chats": {"list": [{…, "messages": [...]}]}}`). Each message
//! has `id`, `type` (`message` / `service`), `date` (local time of the
//! exporting computer) and `date_unixtime`, `from`, `from_id`,
//! `reply_to_message_id`, `edited`, `via_bot`, attachments (`photo`,
//! `file` with `media_type` and `file_name`, `poll`, `location_information`)
//! and `text`: a string, or an array of strings and entities
//! (`{"type": "bold", "text": "…"}`; `text_link` has `href`,
//! `mention_name` has `user_id`).
//!
//! The messages are converted one by one while the file is read, so the
//! export is never held in memory twice.

use super::{escape_structure, json_error, Author, Chat, Dropped, Mention, Message};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::Deserialize;
use std::path::Path;

/// Reads a Telegram export: every chat in it.
pub(crate) fn read(path: &Path, tz: chrono_tz::Tz) -> anyhow::Result<Vec<Chat>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    parse(reader, tz).map_err(|e| json_error(path, "Telegram Desktop export (result.json)", e))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: not a Telegram Desktop export: there is no `messages` list (expected result.json from Telegram Desktop's \"Export chat history\" in JSON format)",
                path.display()
            )
        })
}

/// Parses export JSON from `reader`; `None` when it holds no messages list.
pub(crate) fn parse(
    reader: impl std::io::Read,
    tz: chrono_tz::Tz,
) -> Result<Option<Vec<Chat>>, serde_json::Error> {
    TZ.with(|t| t.set(tz));
    let top: Top = serde_json::from_reader(reader)?;
    if let Some(messages) = top.messages {
        let mut chat = messages.0;
        chat.name = top.name.unwrap_or_default();
        return Ok(Some(vec![chat]));
    }
    Ok(top.chats.map(|c| {
        c.list
            .into_iter()
            .map(|c| {
                let mut chat = c.messages.0;
                chat.name = c.name.unwrap_or_default();
                chat
            })
            .collect()
    }))
}

thread_local! {
    /// The site's zone, for `date` without `date_unixtime`.
    static TZ: std::cell::Cell<chrono_tz::Tz> = const { std::cell::Cell::new(chrono_tz::UTC) };
}

#[derive(Deserialize)]
struct Top {
    name: Option<String>,
    messages: Option<Messages>,
    chats: Option<ChatList>,
}

#[derive(Deserialize)]
struct ChatList {
    list: Vec<OneChat>,
}

#[derive(Deserialize)]
struct OneChat {
    name: Option<String>,
    #[serde(default)]
    messages: Messages,
}

/// The messages of one chat, converted while they are read.
#[derive(Default)]
struct Messages(Chat);

impl<'de> Deserialize<'de> for Messages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Messages;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of messages")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Messages, A::Error> {
                let mut chat = Chat::default();
                let tz = TZ.with(|t| t.get());
                while let Some(raw) = seq.next_element_seed(RawSeed)? {
                    convert(raw, tz, &mut chat);
                }
                Ok(Messages(chat))
            }
        }
        d.deserialize_seq(V)
    }
}

struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
}

/// An id written as a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Num(i64),
    Str(String),
}

impl Id {
    fn text(self) -> String {
        match self {
            Id::Num(n) => n.to_string(),
            Id::Str(s) => s,
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    id: Id,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    date: String,
    date_unixtime: Option<String>,
    from: Option<String>,
    from_id: Option<String>,
    reply_to_message_id: Option<Id>,
    via_bot: Option<String>,
    #[serde(default)]
    text: Text,
    photo: Option<String>,
    file: Option<String>,
    file_name: Option<String>,
    media_type: Option<String>,
    sticker_emoji: Option<String>,
    poll: Option<Poll>,
    location_information: Option<serde::de::IgnoredAny>,
    contact_information: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Poll {
    #[serde(default)]
    question: String,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Text {
    #[default]
    None,
    Plain(String),
    Parts(Vec<Part>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Part {
    Plain(String),
    Entity {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        text: String,
        href: Option<String>,
        user_id: Option<Id>,
    },
}

fn convert(raw: Raw, tz: chrono_tz::Tz, chat: &mut Chat) {
    if raw.kind == "service" {
        chat.drop_one(Dropped::Service);
        return;
    }
    let name = raw.from.unwrap_or_default();
    let bot_name = name
        .rsplit(' ')
        .next()
        .is_some_and(|w| w.to_ascii_lowercase().ends_with("bot"));
    if raw.via_bot.is_some() || bot_name {
        chat.drop_one(Dropped::Bot);
        return;
    }
    let mut m = Message {
        id: raw.id.text(),
        time: time(&raw.date, raw.date_unixtime.as_deref(), tz),
        author: Author {
            id: raw.from_id.unwrap_or_else(|| format!("name:{name}")),
            name,
            anonymous: false,
        },
        reply_to: raw.reply_to_message_id.map(Id::text),
        ..Message::default()
    };
    let mut text = String::new();
    match raw.text {
        Text::None => {}
        Text::Plain(s) => text.push_str(&escape_structure(&s)),
        Text::Parts(parts) => {
            for p in parts {
                match p {
                    Part::Plain(s) => text.push_str(&escape_structure(&s)),
                    Part::Entity {
                        kind,
                        text: t,
                        href,
                        user_id,
                    } => entity(&kind, &t, href, user_id, &mut m, &mut text),
                }
            }
        }
    }
    let mut notes = Vec::new();
    if let Some(p) = raw.photo {
        notes.push(format!("［图片：{}］", file_label(&p, None)));
    }
    if let Some(f) = raw.file {
        let label = file_label(&f, raw.file_name.as_deref());
        notes.push(match raw.media_type.as_deref() {
            Some("sticker") => format!("［贴纸 {}］", raw.sticker_emoji.unwrap_or_default()),
            Some("voice_message") => "［语音消息］".to_string(),
            Some("video_message") => "［视频消息］".to_string(),
            Some("video_file") => format!("［视频：{label}］"),
            Some("animation") => "［动图］".to_string(),
            Some("audio_file") => format!("［音频：{label}］"),
            _ => format!("［文件：{label}］"),
        });
    }
    if let Some(p) = raw.poll {
        notes.push(format!("［投票：{}］", p.question));
    }
    if raw.location_information.is_some() {
        notes.push("［位置］".to_string());
    }
    if raw.contact_information.is_some() {
        notes.push("［名片］".to_string());
    }
    for n in notes {
        if !text.trim().is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&n);
    }
    chat.keep(m, &text);
}

/// The name of an attached file: the file name the export gives, or the
/// path's last part (an export without files says "(File not included…)").
fn file_label(path: &str, name: Option<&str>) -> String {
    if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
        return n.to_string();
    }
    if path.starts_with('(') {
        return "未随导出保存".to_string();
    }
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn entity(
    kind: &str,
    t: &str,
    href: Option<String>,
    user_id: Option<Id>,
    m: &mut Message,
    out: &mut String,
) {
    let wrap = |mark: &str, out: &mut String| {
        let core = t.trim();
        if core.is_empty() {
            out.push_str(t);
            return;
        }
        let lead = &t[..t.len() - t.trim_start().len()];
        let trail = &t[t.trim_end().len()..];
        out.push_str(lead);
        out.push_str(mark);
        out.push_str(&escape_structure(core));
        out.push_str(mark);
        out.push_str(trail);
    };
    match kind {
        "bold" => wrap("**", out),
        "italic" => wrap("*", out),
        "strikethrough" => wrap("~~", out),
        "code" | "bot_command" => {
            let ticks = if t.contains('`') { "`` " } else { "`" };
            let end = if t.contains('`') { " ``" } else { "`" };
            out.push_str(ticks);
            out.push_str(t);
            out.push_str(end);
        }
        "pre" => {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("```\n");
            out.push_str(t.trim_end_matches('\n'));
            out.push_str("\n```\n");
        }
        "text_link" => {
            let href = href.unwrap_or_default();
            out.push('[');
            out.push_str(&escape_structure(t).replace(['[', ']'], ""));
            out.push_str("](");
            out.push_str(&href.replace(' ', "%20").replace(')', "%29"));
            out.push(')');
        }
        "link" if t.starts_with("http://") || t.starts_with("https://") => {
            out.push('<');
            out.push_str(t);
            out.push('>');
        }
        "blockquote" => {
            for line in t.lines() {
                out.push_str("> ");
                out.push_str(&escape_structure(line));
                out.push('\n');
            }
        }
        "hashtag" => {
            let tag = t.trim_start_matches('#');
            if !tag.is_empty() && !m.tags.iter().any(|x| x == tag) {
                m.tags.push(tag.to_string());
            }
            out.push_str(t);
        }
        "mention" | "mention_name" => {
            let who = user_id.map(|id| Author {
                id: format!("user{}", id.text()),
                name: t.trim_start_matches('@').to_string(),
                anonymous: false,
            });
            out.push_str(&Mention::placeholder(m.mentions.len()));
            m.mentions.push(Mention { who });
        }
        _ => out.push_str(&escape_structure(t)),
    }
}

fn time(date: &str, unix: Option<&str>, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    if let Some(secs) = unix.and_then(|u| u.trim().parse::<i64>().ok()) {
        return DateTime::from_timestamp(secs, 0);
    }
    let naive = NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_become_markdown() {
        let json = r##"{"name":"g","messages":[
          {"id":1,"type":"message","date":"2026-11-20T15:03:12","from":"A","from_id":"user1",
           "text":["看 ",{"type":"bold","text":"重点 "},{"type":"text_link","text":"文档","href":"https://x.y/a b"},
                   " ",{"type":"mention_name","text":"李四","user_id":42},{"type":"hashtag","text":"#融资"}]},
          {"id":2,"type":"service","date":"2026-11-20T15:04:00","action":"pin_message","text":""},
          {"id":3,"type":"message","date":"2026-11-20T15:05:00","from":"B","from_id":"user2","text":"",
           "photo":"photos/photo_1@20-11-2026.jpg"}]}"##;
        let chats = parse(json.as_bytes(), chrono_tz::Asia::Shanghai)
            .unwrap()
            .unwrap();
        let c = &chats[0];
        assert_eq!(c.name, "g");
        assert_eq!(c.messages.len(), 2);
        assert_eq!(
            c.messages[0].text,
            format!(
                "看 **重点** [文档](https://x.y/a%20b) {}#融资",
                Mention::placeholder(0)
            )
        );
        assert_eq!(c.messages[0].mentions[0].who.as_ref().unwrap().id, "user42");
        assert_eq!(c.messages[0].tags, vec!["融资"]);
        assert_eq!(
            c.messages[0].time.unwrap().to_rfc3339(),
            "2026-11-20T07:03:12+00:00"
        );
        assert_eq!(c.messages[1].text, "［图片：photo_1@20-11-2026.jpg］");
        assert_eq!(c.dropped.get(&Dropped::Service), Some(&1));
    }

    #[test]
    fn the_full_export_gives_every_chat() {
        let json = r#"{"about":"…","personal_information":{"first_name":"王"},
          "chats":{"about":"…","list":[
            {"name":"甲群","type":"private_supergroup","id":1,"messages":[
              {"id":1,"type":"message","date":"2026-11-20T15:03:12","from":"A","from_id":"user1","text":"问？"}]},
            {"name":"乙群","type":"private_group","id":2,"messages":[]}]}}"#;
        let chats = parse(json.as_bytes(), chrono_tz::Asia::Shanghai)
            .unwrap()
            .unwrap();
        let names: Vec<&str> = chats.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["甲群", "乙群"]);
        assert_eq!(chats[0].messages[0].text, "问？");
        assert_eq!(
            parse(&b"{}"[..], chrono_tz::UTC).unwrap().map(|c| c.len()),
            None
        );
    }
}
