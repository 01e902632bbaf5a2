//! Slack workspace export (the `.zip` Slack's "Export data" gives, or the
//! folder it unpacks to).
//!
//! `users.json` (`id`, `name`, `real_name`, `is_bot`, `deleted`,
//! `profile.display_name`), `channels.json` (`id`, `name`), and one file
//! per channel and day, `<channel>/<YYYY-MM-DD>.json`: a list of messages
//! with `user`, `text`, `ts`, `thread_ts` (a reply's thread), `subtype`
//! (`channel_join`, `bot_message`, `tombstone`, …), `bot_id`, `files[]`
//! and `reactions[]{name, users}`. Slack's markup is decoded: `<@U123>`
//! mentions, `<#C123|name>` channels, `<url|text>` links, `<!here>`,
//! `*bold*`, `_italic_`, `~strike~`, and `&amp;` `&lt;` `&gt;`.

use super::discord::push_note;
use super::{escape_structure, Author, Chat, Dropped, Mention, Message};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// Reads a Slack export zip (or unpacked folder): one chat per channel.
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<Chat>> {
    let files = if path.is_dir() {
        read_dir(path)?
    } else {
        read_zip(path)?
    };
    let what = |name: &str, e: serde_json::Error| {
        anyhow::anyhow!(
            "{}: {name}:{}:{}: not Slack export JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    };
    let users_json = files.get("users.json").ok_or_else(|| {
        anyhow::anyhow!(
            "{}: not a Slack workspace export: there is no users.json at its top (expected the .zip from Slack's \"Export data\", with users.json, channels.json and one folder per channel)",
            path.display()
        )
    })?;
    let users: Vec<User> = serde_json::from_slice(users_json).map_err(|e| what("users.json", e))?;
    let users: HashMap<String, User> = users.into_iter().map(|u| (u.id.clone(), u)).collect();
    let channel_names: Vec<String> = match files.get("channels.json") {
        Some(b) => serde_json::from_slice::<Vec<Channel>>(b)
            .map_err(|e| what("channels.json", e))?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        None => Vec::new(),
    };
    // Day files by channel, in date order (BTreeMap keeps names sorted).
    let mut by_channel: BTreeMap<&str, Vec<(&str, &Vec<u8>)>> = BTreeMap::new();
    for (name, bytes) in &files {
        if let Some((channel, day)) = name.split_once('/') {
            if day.ends_with(".json") && !day.contains('/') {
                by_channel.entry(channel).or_default().push((name, bytes));
            }
        }
    }
    let mut order: Vec<&str> = channel_names
        .iter()
        .map(String::as_str)
        .filter(|c| by_channel.contains_key(c))
        .collect();
    for c in by_channel.keys() {
        if !order.contains(c) {
            order.push(c);
        }
    }
    let mut chats = Vec::new();
    for channel in order {
        let mut chat = Chat {
            name: channel.to_string(),
            ..Chat::default()
        };
        let mut raws: Vec<Raw> = Vec::new();
        for (name, bytes) in &by_channel[channel] {
            let day: Vec<Raw> = serde_json::from_slice(bytes).map_err(|e| what(name, e))?;
            raws.extend(day);
        }
        raws.sort_by(|a, b| ts_key(&a.ts).total_cmp(&ts_key(&b.ts)));
        for raw in raws {
            convert(raw, &users, &mut chat);
        }
        chats.push(chat);
    }
    Ok(chats)
}

fn ts_key(ts: &str) -> f64 {
    ts.parse().unwrap_or(0.0)
}

/// The most JSON one file of a Slack export may hold.
const MAX_JSON: u64 = 512_000_000;
/// The most JSON a whole Slack export may unpack to.
const MAX_TOTAL: u64 = 2_000_000_000;

fn read_zip(path: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a Slack export zip: {e} (expected the .zip from Slack's \"Export data\")",
            path.display()
        )
    })?;
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| anyhow::anyhow!("{}: entry {i}: {e}", path.display()))?;
        let name = f.name().replace('\\', "/");
        if !f.is_file() || !name.ends_with(".json") {
            continue;
        }
        // A zip entry says how big it is, but may lie: read at most the limit.
        let mut bytes = Vec::new();
        (&mut f)
            .take(MAX_JSON + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| anyhow::anyhow!("{}: {name}: {e}", path.display()))?;
        total += bytes.len() as u64;
        if bytes.len() as u64 > MAX_JSON || total > MAX_TOTAL {
            anyhow::bail!(
                "{}: {name}: the export unpacks to more than {} MB of JSON; qunshu reads Slack exports up to {} MB (one file up to {} MB). Export fewer channels or a shorter date range",
                path.display(),
                total.max(bytes.len() as u64) / 1_000_000,
                MAX_TOTAL / 1_000_000,
                MAX_JSON / 1_000_000
            );
        }
        out.insert(name, bytes);
    }
    Ok(out)
}

fn read_dir(path: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(path).max_depth(2) {
        let e = e.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != "json") {
            continue;
        }
        let rel = e.path().strip_prefix(path).unwrap_or(e.path());
        let name = crate::core::slug::to_slash(rel);
        let bytes = std::fs::read(e.path())
            .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", e.path().display()))?;
        out.insert(name, bytes);
    }
    Ok(out)
}

#[derive(Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    real_name: String,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    profile: Profile,
}

#[derive(Deserialize, Default)]
struct Profile {
    #[serde(default)]
    display_name: String,
}

impl User {
    fn shown(&self) -> String {
        [&self.profile.display_name, &self.real_name, &self.name]
            .into_iter()
            .find(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Channel {
    name: String,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    subtype: Option<String>,
    user: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    ts: String,
    thread_ts: Option<String>,
    bot_id: Option<String>,
    #[serde(default)]
    files: Vec<File>,
    #[serde(default)]
    reactions: Vec<Reaction>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mimetype: String,
}

#[derive(Deserialize)]
struct Reaction {
    name: String,
    #[serde(default)]
    users: Vec<String>,
}

fn convert(raw: Raw, users: &HashMap<String, User>, chat: &mut Chat) {
    let sub = raw.subtype.as_deref().unwrap_or("");
    let user = raw.user.as_deref().and_then(|u| users.get(u));
    if sub == "bot_message" || raw.bot_id.is_some() || user.is_some_and(|u| u.is_bot) {
        chat.drop_one(Dropped::Bot);
        return;
    }
    if !matches!(
        sub,
        "" | "thread_broadcast" | "file_share" | "me_message" | "tombstone"
    ) {
        chat.drop_one(Dropped::Service);
        return;
    }
    if sub == "tombstone" {
        chat.drop_one(Dropped::Empty);
        return;
    }
    let uid = raw.user.clone().unwrap_or_default();
    let mut m = Message {
        id: raw.ts.clone(),
        time: raw
            .ts
            .split('.')
            .next()
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)),
        author: Author {
            name: user.map(User::shown).unwrap_or_default(),
            id: uid,
            anonymous: false,
        },
        reply_to: raw.thread_ts.clone().filter(|t| *t != raw.ts),
        ..Message::default()
    };
    let mut text = decode(&raw.text, users, &mut m);
    for f in &raw.files {
        let kind = if f.mimetype.starts_with("image/") {
            "图片"
        } else {
            "文件"
        };
        push_note(&mut text, &format!("［{kind}：{}］", f.name));
    }
    m.checked_by = raw
        .reactions
        .iter()
        .filter(|r| {
            matches!(
                r.name.as_str(),
                "white_check_mark" | "heavy_check_mark" | "ballot_box_with_check"
            )
        })
        .flat_map(|r| r.users.iter().cloned())
        .collect();
    chat.keep(m, &text);
}

/// Slack markup to Markdown (see the module docs).
fn decode(text: &str, users: &HashMap<String, User>, m: &mut Message) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        out.push_str(&inline(&rest[..open]));
        let inner = &rest[open + 1..open + close];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        if let Some(id) = target.strip_prefix('@') {
            let who = users.get(id).map(|u| Author {
                id: u.id.clone(),
                name: u.shown(),
                anonymous: false,
            });
            let who = who.or_else(|| {
                Some(Author {
                    id: id.to_string(),
                    name: label.unwrap_or(id).to_string(),
                    anonymous: false,
                })
            });
            out.push_str(&Mention::placeholder(m.mentions.len()));
            m.mentions.push(Mention { who });
        } else if let Some(c) = target.strip_prefix('#') {
            out.push('#');
            out.push_str(label.unwrap_or(c));
        } else if let Some(special) = target.strip_prefix('!') {
            let word = special.split('^').next().unwrap_or(special);
            out.push_str(&format!("`@{}`", label.unwrap_or(word)));
        } else if let Some(addr) = target.strip_prefix("mailto:") {
            out.push_str(&entities(label.unwrap_or(addr)));
        } else {
            let url = entities(target);
            match label {
                Some(l) => {
                    out.push_str(&format!("[{}]({url})", entities(l).replace(['[', ']'], "")))
                }
                None => out.push_str(&format!("<{url}>")),
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(&inline(rest));
    escape_structure(&out)
}

fn entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `*bold*`, `_italic_`, `~strike~` of plain text, and its entities.
fn inline(s: &str) -> String {
    use std::sync::LazyLock;
    static MARKS: LazyLock<[(regex::Regex, &str); 3]> = LazyLock::new(|| {
        let r = |c: &str| {
            regex::Regex::new(&format!(
                r"(^|[\s\p{{P}}]){c}([^{c}\s](?:[^{c}\n]*[^{c}\s])?){c}"
            ))
            .expect("valid pattern")
        };
        [(r(r"\*"), "**"), (r("_"), "*"), (r("~"), "~~")]
    });
    // Entities stay: Markdown shows `&lt;` as `<` and never as a tag.
    let mut out = s.to_string();
    for (re, md) in MARKS.iter() {
        out = re
            .replace_all(&out, format!("${{1}}{md}${{2}}{md}").as_str())
            .into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_decoded() {
        let users = HashMap::from([(
            "U1".to_string(),
            User {
                id: "U1".into(),
                name: "zhang".into(),
                real_name: "张三".into(),
                is_bot: false,
                profile: Profile::default(),
            },
        )]);
        let mut m = Message::default();
        let md = decode(
            "<@U1> 看 <https://x.y/a?b=1&amp;c=2|这篇> 和 <https://z.w>，*重点* _注意_ ~旧~ &lt;3 <!here> <#C1|general>",
            &users,
            &mut m,
        );
        assert_eq!(
            md,
            format!(
                "{} 看 [这篇](https://x.y/a?b=1&c=2) 和 <https://z.w>，**重点** *注意* ~~旧~~ &lt;3 `@here` #general",
                Mention::placeholder(0)
            )
        );
        assert_eq!(m.mentions[0].who.as_ref().unwrap().name, "张三");
    }
}
