//! 企业微信 (WeCom) group robot: `msgtype: markdown`, 4096 bytes, errors as
//! `errcode` in an HTTP 200 body, 45009 = rate limit (20 messages a minute).

use super::http::{code_answer, Answer, Prepared, Reply};
use super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::json;

/// WeCom's Markdown subset.
pub const DIALECT: Dialect = Dialect::Wecom;
/// `markdown.content` may hold at most 4096 bytes.
pub const LIMIT: Limit = Limit::bytes(4096);

/// The request for one message.
pub fn request(url: &str, text: &str) -> Prepared {
    Prepared {
        url: url.to_string(),
        body: json!({ "msgtype": "markdown", "markdown": { "content": text } }),
    }
}

/// Reads WeCom's answer: `{"errcode":0,"errmsg":"ok"}` on success.
pub fn answer(r: &Reply, wait: Duration) -> Answer {
    code_answer(r, &["errcode"], &["errmsg"], &[45009], &[-1], wait)
}
