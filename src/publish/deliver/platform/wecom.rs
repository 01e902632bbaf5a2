//! 企业微信 (WeCom) group robot: `msgtype: markdown`, 4096 bytes, errors as
//! `errcode` in an HTTP 200 body, 45009 = rate limit (20 messages a minute).

use super::super::http::{code_answer, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::json;

/// WeCom's Markdown subset.
pub(crate) const DIALECT: Dialect = Dialect::Wecom;
/// `markdown.content` may hold at most 4096 bytes.
pub(crate) const LIMIT: Limit = Limit::bytes(4096);

/// The request for one message. WeCom Markdown cannot notify anyone, so a
/// channel with `mention_all` first sends a short `text` message (`text`:
/// the post's title) with `mentioned_list: ["@all"]`, the robot API's own
/// @all, then the post as Markdown.
pub(crate) fn request(url: &str, text: &str, mention_all: bool) -> Prepared {
    let body = if mention_all {
        json!({ "msgtype": "text", "text": { "content": text, "mentioned_list": ["@all"] } })
    } else {
        json!({ "msgtype": "markdown", "markdown": { "content": text } })
    };
    Prepared {
        url: url.to_string(),
        body,
    }
}

/// Reads WeCom's answer: `{"errcode":0,"errmsg":"ok"}` on success.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    code_answer(r, &["errcode"], &["errmsg"], &[45009], &[-1], wait)
}

/// WeCom, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wecom;

impl super::Platform for Wecom {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Wecom
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn at_all(&self) -> super::AtAll {
        super::AtAll::TitleMessage
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(m.url.unwrap_or_default(), m.text, m.mention_all)
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}
