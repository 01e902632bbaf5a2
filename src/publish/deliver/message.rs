//! A post as a message for one channel: its text in the platform's
//! dialect (title, credits with each member's privacy, body with links
//! made absolute, a link to the thread), split to the platform's limit,
//! with the channel's @all; or the post's fields for the generic webhook.
//!
//! Owns: what a post says on a platform. Must not import: anything that
//! sends.

use super::render::{self, Dialect};
use super::{platform, AtAll, Channel};
use crate::core::content::links::{self, Found, Target};
use crate::core::content::Post;
use crate::core::markdown::RefKind;
use crate::core::project::Project;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A post rendered for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The post's title (for card headers and DingTalk's title field).
    pub title: String,
    /// The messages to send, in order (numbered when more than one).
    pub parts: Vec<String>,
}

/// The archive URL of a post.
pub fn post_url(c: &Project, post: &Post) -> String {
    format!("{}{}", c.config.base_url, post.href())
}

/// A resolver for a post's links, on the one reading of a destination
/// ([`links::target`]): links to other posts by file path become their
/// archive URLs, other relative links are read against the base URL,
/// unsafe URLs (`javascript:`) are dropped.
fn resolver<'a>(c: &'a Project, post: &'a Post) -> impl Fn(&str) -> Option<String> + 'a {
    move |dest: &str| {
        if !crate::core::markdown::is_safe_url(dest) {
            return None;
        }
        let found = links::target(&c.config.root, &post.source, RefKind::Link, dest, |path| {
            c.posts.iter().find(|p| p.source == path)
        });
        match found {
            Target::External => Some(dest.to_string()),
            Target::Here(frag) => Some(format!("{}#{frag}", post_url(c, post))),
            Target::File {
                path,
                fragment,
                found,
            } => {
                let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                let url = match found {
                    Found::Post(p) => post_url(c, p),
                    // Any other file: where the archive publishes it.
                    _ => format!(
                        "{}{}",
                        c.config.base_url,
                        links::archive_path(&path).unwrap_or_else(|| {
                            crate::core::slug::encode_path(&crate::core::slug::to_slash(&path))
                        })
                    ),
                };
                Some(format!("{url}{frag}"))
            }
        }
    }
}

/// A post in `d`, ready to split: title (except where the platform shows it
/// apart), credits, body, and for a thread a link to its page.
pub fn doc(c: &Project, post: &Post, d: Dialect, title_apart: bool) -> render::Doc {
    let lang = c.config.language;
    let mut out = render::Doc::new(d, lang);
    if !title_apart {
        out.title(&post.title);
    }
    let names = |hs: &[String]| -> String {
        hs.iter()
            .map(|h| c.members.credit(h).display(lang).to_string())
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    let mut credit = Vec::new();
    if let Some(asker) = post.thread.as_ref().and_then(|t| t.asked_by.as_ref()) {
        credit.push(format!(
            "{}{}",
            lang.pick("提问：", "Asked by: "),
            names(std::slice::from_ref(asker))
        ));
    }
    if !post.authors.is_empty() {
        credit.push(format!(
            "{}{}",
            lang.pick("作者：", "By: "),
            names(&post.authors)
        ));
    }
    if !credit.is_empty() {
        out.text(&credit.join(lang.pick("　", " · ")));
    }
    let resolve = resolver(c, post);
    out.markdown(&post.body.markdown, &resolve);
    if post.thread.is_some() && post.is_publishable_kind() {
        let label = lang.pick("完整讨论与总结", "The full thread and summary");
        out.link(label, &post_url(c, post));
    }
    out
}

/// Renders a post for a channel, split to the platform's limit. With
/// `mention_all`, the first message carries the platform's @all (see
/// [`AtAll`]): a line of its own before the first part, a short text
/// message naming the post before it, or a field of the first request.
pub fn render_for(c: &Project, post: &Post, ch: &Channel) -> Message {
    let p = platform::of(ch.kind);
    let parts = match p.text() {
        Some((d, mut limit)) => {
            let at_all = if ch.mention_all {
                p.at_all()
            } else {
                AtAll::Never
            };
            if let AtAll::Line(m) = at_all {
                limit.max = limit.max.saturating_sub(limit.measure(m) + 1);
            }
            let mut parts = doc(c, post, d, p.title_apart()).split(limit);
            match (at_all, parts.first_mut()) {
                (AtAll::Line(m), Some(first)) => first.insert_str(0, &format!("{m}\n")),
                (AtAll::TitleMessage, _) => {
                    // Text messages read `<@userid>` too: the title is escaped.
                    parts.insert(0, render::escape(d, &post.title));
                }
                _ => {}
            }
            parts
        }
        None => vec![webhook_fields(c, post, None).to_string()],
    };
    Message {
        title: post.title.clone(),
        parts,
    }
}

/// The JSON document the generic webhook receives.
pub fn webhook_fields(c: &Project, post: &Post, slot: Option<DateTime<Utc>>) -> serde_json::Value {
    let lang = c.config.language;
    let credit = |h: &String| c.members.credit(h).display(lang).to_string();
    let plain = doc(c, post, Dialect::Plain, true).render();
    json!({
        "post": crate::core::slug::to_slash(&post.source),
        "title": post.title,
        "kind": post.kind.to_string(),
        "column": post.column,
        "slot": slot.map(|s| s.to_rfc3339()),
        "url": post_url(c, post),
        "tags": post.tags,
        "authors": post.authors.iter().map(credit).collect::<Vec<_>>(),
        "asked_by": post.thread.as_ref().and_then(|t| t.asked_by.as_ref()).map(credit),
        "description": post.description,
        "markdown": post.body.markdown,
        "text": plain,
    })
}
