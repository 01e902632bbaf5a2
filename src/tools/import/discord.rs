//! DiscordChatExporter JSON (one channel per file).
//!
//! `{"guild": {"name"}, "channel": {"name"}, "messages": [...]}`; each
//! message has `id`, `type` (`Default`, `Reply`; anything else —
//! `GuildMemberJoin`, `ChannelPinnedMessage`, `ThreadCreated`, … — is a
//! service message), `timestamp` (RFC 3339 with offset), `content`
//! (Discord Markdown, mentions written `@name`), `author{id, name,
//! nickname, isBot}`, `reference.messageId`, `attachments[]{fileName}`,
//! `stickers[]{name}`, `reactions[]{emoji{name}, users[]{id}}` and
//! `mentions[]{id, name, nickname}`.

use super::{escape_structure, json_error, Author, Chat, Dropped, Mention, Message};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::path::Path;

/// Reads a DiscordChatExporter JSON export.
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<Chat>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let export: Export = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| json_error(path, "DiscordChatExporter JSON export", e))?;
    let Some(messages) = export.messages else {
        anyhow::bail!(
            "{}: not a DiscordChatExporter JSON export: there is no `messages` list (export the channel with `--format Json`)",
            path.display()
        );
    };
    let mut chat = Chat {
        name: match (export.guild, export.channel) {
            (Some(g), Some(c)) => format!("{} #{}", g.name, c.name),
            (None, Some(c)) => format!("#{}", c.name),
            (Some(g), None) => g.name,
            (None, None) => String::new(),
        },
        ..Chat::default()
    };
    for raw in messages {
        convert(raw, &mut chat);
    }
    Ok(vec![chat])
}

#[derive(Deserialize)]
struct Export {
    guild: Option<Named>,
    channel: Option<Named>,
    messages: Option<Vec<Raw>>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    id: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    content: String,
    author: RawAuthor,
    reference: Option<Reference>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    stickers: Vec<Named>,
    #[serde(default)]
    reactions: Vec<Reaction>,
    #[serde(default)]
    mentions: Vec<RawAuthor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthor {
    id: String,
    #[serde(default)]
    name: String,
    nickname: Option<String>,
    #[serde(default)]
    is_bot: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    message_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    #[serde(default)]
    file_name: String,
}

#[derive(Deserialize)]
struct Reaction {
    emoji: Named,
    #[serde(default)]
    users: Vec<RawAuthor>,
}

fn convert(raw: Raw, chat: &mut Chat) {
    if !matches!(raw.kind.as_str(), "Default" | "Reply" | "") {
        chat.drop_one(Dropped::Service);
        return;
    }
    if raw.author.is_bot {
        chat.drop_one(Dropped::Bot);
        return;
    }
    let shown = |a: &RawAuthor| {
        a.nickname
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| a.name.clone())
    };
    let mut m = Message {
        id: raw.id,
        time: DateTime::parse_from_rfc3339(&raw.timestamp)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        author: Author {
            id: raw.author.id.clone(),
            name: shown(&raw.author),
            anonymous: false,
        },
        reply_to: raw.reference.and_then(|r| r.message_id),
        ..Message::default()
    };
    let mut text = escape_structure(&raw.content);
    // `@name` of each mentioned person, longest first (`@Ann Lee` before `@Ann`).
    let mut names: Vec<(String, usize)> = Vec::new();
    for (i, who) in raw.mentions.iter().enumerate() {
        for n in [shown(who), who.name.clone()] {
            if !n.is_empty() {
                names.push((format!("@{n}"), i));
            }
        }
    }
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let mut placed: Vec<Option<usize>> = vec![None; raw.mentions.len()];
    for (name, i) in names {
        if !text.contains(&name) {
            continue;
        }
        let k = *placed[i].get_or_insert_with(|| {
            m.mentions.push(Mention {
                who: Some(Author {
                    id: raw.mentions[i].id.clone(),
                    name: shown(&raw.mentions[i]),
                    anonymous: false,
                }),
            });
            m.mentions.len() - 1
        });
        text = text.replace(&name, &Mention::placeholder(k));
    }
    for a in &raw.attachments {
        let lower = a.file_name.to_ascii_lowercase();
        let image = [".png", ".jpg", ".jpeg", ".gif", ".webp"]
            .iter()
            .any(|e| lower.ends_with(e));
        let kind = if image { "图片" } else { "文件" };
        push_note(&mut text, &format!("［{kind}：{}］", a.file_name));
    }
    for s in &raw.stickers {
        push_note(&mut text, &format!("［贴纸 {}］", s.name));
    }
    m.checked_by = raw
        .reactions
        .iter()
        .filter(|r| r.emoji.name == "✅" || r.emoji.name == "white_check_mark")
        .flat_map(|r| r.users.iter().map(|u| u.id.clone()))
        .collect();
    chat.keep(m, &text);
}

/// Adds a note (an attachment) on its own paragraph.
pub(crate) fn push_note(text: &mut String, note: &str) {
    if !text.trim().is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(note);
}
