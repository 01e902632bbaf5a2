//! 知识星球 (zsxq) topics JSON, as the community's exporters save it from
//! the web API: `{"resp_data": {"topics": [...]}}` or a plain list of
//! topics.
//!
//! A topic has `topic_id`, `type` (`q&a`, `talk`, `task`, `solution`),
//! `create_time` (`2023-01-01T12:00:00.000+0800`), `digested` (精华),
//! `group{name}`, and by type `question{owner, questionee, text,
//! anonymous}` + `answer{owner, text}`, `talk{owner, text, images, files}`,
//! `task{owner, text}` or `solution{owner, text}`; comments are
//! `show_comments[]{comment_id, owner, text, repliee, create_time}`. Owners
//! are `{user_id, name}`. Texts carry inline entities — `<e type="hashtag"
//! title="%23…%23"/>`, `mention` (`uid`), `web` (`href`), `text_bold` —
//! URL-encoded; they become Markdown, and hashtags become tags.
//!
//! Each topic is a thread: its question or post, the answer (for `q&a`,
//! the questionee's answer, marked as the suggested accepted one), and the
//! comments (a comment to someone replies to their message). An anonymous
//! question stays anonymous: its asker is not even added as a member.

use super::discord::push_note;
use super::{escape_structure, json_error, Author, Chat, Mention, Message};
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use regex::Regex;
use serde::Deserialize;
use std::path::Path;
use std::sync::LazyLock;

/// Reads a 知识星球 topics export: one chat per 星球 (group).
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<Chat>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let top: Top = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| json_error(path, "知识星球 topics export", e))?;
    let topics = match top {
        Top::List(t) => t,
        Top::Api { resp_data } => resp_data.topics,
    };
    let mut chats: Vec<Chat> = Vec::new();
    for t in topics {
        let group = t.group.as_ref().map(|g| g.name.clone()).unwrap_or_default();
        let at = match chats.iter().position(|c| c.name == group) {
            Some(i) => i,
            None => {
                chats.push(Chat {
                    name: group,
                    ..Chat::default()
                });
                chats.len() - 1
            }
        };
        convert(t, &mut chats[at]);
    }
    Ok(chats)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Top {
    List(Vec<Topic>),
    Api { resp_data: RespData },
}

#[derive(Deserialize)]
struct RespData {
    topics: Vec<Topic>,
}

#[derive(Deserialize)]
struct Topic {
    topic_id: serde_json::Value,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    create_time: String,
    #[serde(default)]
    digested: bool,
    group: Option<Group>,
    question: Option<Question>,
    answer: Option<Post>,
    talk: Option<Post>,
    task: Option<Post>,
    solution: Option<Post>,
    #[serde(default)]
    show_comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Clone)]
struct Owner {
    user_id: serde_json::Value,
    #[serde(default)]
    name: String,
}

impl Owner {
    fn author(&self) -> Author {
        Author {
            id: id_text(&self.user_id),
            name: self.name.clone(),
            anonymous: false,
        }
    }
}

fn id_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct Question {
    owner: Option<Owner>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    images: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Post {
    owner: Option<Owner>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    images: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Comment {
    comment_id: serde_json::Value,
    owner: Option<Owner>,
    #[serde(default)]
    text: String,
    repliee: Option<Owner>,
    #[serde(default)]
    create_time: String,
}

fn time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn convert(t: Topic, chat: &mut Chat) {
    let id = id_text(&t.topic_id);
    let when = time(&t.create_time);
    let (author, text, images, files) = match (&t.question, t.kind.as_str()) {
        (Some(q), _) => (
            if q.anonymous {
                Author {
                    anonymous: true,
                    ..Author::default()
                }
            } else {
                q.owner.as_ref().map(Owner::author).unwrap_or_default()
            },
            q.text.clone(),
            q.images.len(),
            Vec::new(),
        ),
        _ => {
            let post = t.talk.as_ref().or(t.task.as_ref()).or(t.solution.as_ref());
            match post {
                Some(p) => (
                    p.owner.as_ref().map(Owner::author).unwrap_or_default(),
                    p.text.clone(),
                    p.images.len(),
                    p.files.iter().map(|f| f.name.clone()).collect(),
                ),
                None => {
                    chat.drop_one(super::Dropped::Empty);
                    return;
                }
            }
        }
    };
    let mut root = message(id.clone(), when, author, None, &text, images, &files);
    if t.digested {
        root.tags.insert(0, "精华".to_string());
    }
    let mut msgs = vec![root];
    if let (Some(a), true) = (&t.answer, t.question.is_some()) {
        let mut m = message(
            format!("{id}-answer"),
            when,
            a.owner.as_ref().map(Owner::author).unwrap_or_default(),
            Some(id.clone()),
            &a.text,
            a.images.len(),
            &[],
        );
        m.marked_answer = true;
        msgs.push(m);
    }
    for c in t.show_comments {
        let author = c.owner.as_ref().map(Owner::author).unwrap_or_default();
        let reply_to = c
            .repliee
            .as_ref()
            .and_then(|r| {
                let rid = id_text(&r.user_id);
                msgs.iter()
                    .rev()
                    .find(|m| m.author.id == rid)
                    .map(|m| m.id.clone())
            })
            .or_else(|| Some(id.clone()));
        msgs.push(message(
            format!("{id}-c{}", id_text(&c.comment_id)),
            time(&c.create_time).or(when),
            author,
            reply_to,
            &c.text,
            0,
            &[],
        ));
    }
    for m in msgs {
        if m.text.trim().is_empty() {
            chat.drop_one(super::Dropped::Empty);
        } else {
            chat.messages.push(m);
        }
    }
}

fn message(
    id: String,
    time: Option<DateTime<Utc>>,
    author: Author,
    reply_to: Option<String>,
    text: &str,
    images: usize,
    files: &[String],
) -> Message {
    let mut m = Message {
        id,
        time,
        author,
        reply_to,
        ..Message::default()
    };
    let mut md = entities(text, &mut m);
    for _ in 0..images {
        push_note(&mut md, "［图片］");
    }
    for f in files {
        push_note(&mut md, &format!("［文件：{f}］"));
    }
    m.text = md.trim().to_string();
    m
}

static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<e\s+([^>]*?)\s*/?>").expect("valid pattern"));
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(\w+)="([^"]*)""#).expect("valid pattern"));

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Text with `<e …/>` entities as Markdown (see the module docs).
fn entities(text: &str, m: &mut Message) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for cap in ENTITY.captures_iter(text) {
        let Some(whole) = cap.get(0) else { continue };
        out.push_str(&escape_structure(&text[copied..whole.start()]));
        copied = whole.end();
        let attrs: Vec<(String, String)> = ATTR
            .captures_iter(&cap[1])
            .map(|a| (a[1].to_string(), decode(&a[2])))
            .collect();
        let get = |k: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let title = get("title");
        match get("type") {
            "hashtag" => {
                let tag = title.trim_matches('#').trim();
                if !tag.is_empty() && !m.tags.iter().any(|t| t == tag) {
                    m.tags.push(tag.to_string());
                }
                out.push('#');
                out.push_str(&escape_structure(tag));
                if !text[whole.end()..].starts_with(char::is_whitespace) {
                    out.push(' ');
                }
            }
            "mention" => {
                out.push_str(&Mention::placeholder(m.mentions.len()));
                let uid = get("uid");
                m.mentions.push(Mention {
                    who: (!uid.is_empty()).then(|| Author {
                        id: uid.to_string(),
                        name: title.trim_start_matches('@').to_string(),
                        anonymous: false,
                    }),
                });
            }
            "web" => {
                let href = get("href");
                let label = if title.is_empty() { href } else { title };
                out.push_str(&format!(
                    "[{}]({})",
                    escape_structure(label).replace(['[', ']'], ""),
                    href.replace(' ', "%20").replace(')', "%29")
                ));
            }
            "text_bold" => out.push_str(&format!("**{}**", escape_structure(title.trim()))),
            _ => out.push_str(&escape_structure(title)),
        }
    }
    out.push_str(&escape_structure(&text[copied..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded() {
        let mut m = Message::default();
        let md = entities(
            r#"<e type="hashtag" hid="1" title="%23%E8%9E%8D%E8%B5%84%23" />看<e type="web" href="https%3A%2F%2Fx.y%2Fa" title="%E6%96%87%E7%AB%A0" cache="" />，<e type="text_bold" title="%E9%87%8D%E7%82%B9" />，<e type="mention" uid="42" title="%40%E6%9D%8E%E5%9B%9B" /> 你看"#,
            &mut m,
        );
        assert_eq!(
            md,
            format!(
                "#融资 看[文章](https://x.y/a)，**重点**，{} 你看",
                Mention::placeholder(0)
            )
        );
        assert_eq!(m.tags, vec!["融资"]);
        assert_eq!(m.mentions[0].who.as_ref().unwrap().id, "42");
    }
}
