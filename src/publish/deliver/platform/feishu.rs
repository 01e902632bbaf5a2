//! Feishu / Lark custom bot: an interactive card with the title in its
//! header and the text as card Markdown. Optional signing adds `timestamp`
//! (seconds) and `sign = base64(HMAC-SHA256(key = timestamp + "\n" +
//! secret, message = ""))` to the body. Errors come as `code` in the body;
//! 11232 is the rate limit (5 a second, 100 a minute).

use super::super::http::{code_answer, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// Feishu card Markdown.
pub(crate) const DIALECT: Dialect = Dialect::Feishu;
/// The request body may hold 20 KB; the text gets most of it.
pub(crate) const LIMIT: Limit = Limit::bytes(15000);

/// What a channel with `mention_all` puts before the first part: card
/// Markdown's @all.
pub(crate) const MENTION_ALL: &str = "<at id=all></at>";

/// The signature for `timestamp` (seconds).
pub(crate) fn sign(secret: &str, timestamp: i64) -> String {
    let key = format!("{timestamp}\n{secret}");
    let mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any length");
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The request for one message; `timestamp` is the current time in seconds.
pub(crate) fn request(
    url: &str,
    secret: Option<&str>,
    timestamp: i64,
    title: &str,
    text: &str,
) -> Prepared {
    let mut body = json!({
        "msg_type": "interactive",
        "card": {
            "config": { "wide_screen_mode": true },
            "header": { "title": { "tag": "plain_text", "content": title } },
            "elements": [ { "tag": "markdown", "content": text } ]
        }
    });
    if let (Some(s), Some(obj)) = (secret, body.as_object_mut()) {
        obj.insert("timestamp".into(), json!(timestamp.to_string()));
        obj.insert("sign".into(), json!(sign(s, timestamp)));
    }
    Prepared {
        url: url.to_string(),
        body,
    }
}

/// Reads Feishu's answer: `{"code":0,"msg":"success"}` (older bots:
/// `StatusCode`) on success.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    code_answer(
        r,
        &["code", "StatusCode"],
        &["msg", "StatusMessage"],
        &[11232],
        &[],
        wait,
    )
}

/// Feishu / Lark, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Feishu;

impl super::Platform for Feishu {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Feishu
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn title_apart(&self) -> bool {
        true
    }
    fn at_all(&self) -> super::AtAll {
        super::AtAll::Line(MENTION_ALL)
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(
            m.url.unwrap_or_default(),
            m.secret,
            m.now.timestamp(),
            m.title,
            m.text,
        )
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}

#[cfg(test)]
mod tests {
    /// Known answers computed independently with Python's `hmac` module:
    /// `base64.b64encode(hmac.new((ts + "\n" + secret).encode(), b"", hashlib.sha256).digest())`.
    #[test]
    fn sign_matches_known_answers() {
        assert_eq!(
            super::sign("SECtest0123456789abcdef", 1_700_000_000),
            "R9sugg1yeI3YQr9rgdGGtTPc1xPgB+4G136nVzRFCNg="
        );
        assert_eq!(
            super::sign("群书-secret", 1_800_000_000),
            "ozC6WC+DSPi+0nJlJb/3AsFRZMDavJLVk2i7SHlqkMw="
        );
    }
}
