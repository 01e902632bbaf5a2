//! Slack incoming webhook: `{"text": mrkdwn}`; the answer is the plain word
//! `ok`, errors are words such as `invalid_payload` with a 4xx status; 429
//! with `Retry-After`.

use super::http::{excerpt, seconds, Answer, Prepared, Reply};
use super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::json;

/// Slack mrkdwn.
pub const DIALECT: Dialect = Dialect::Slack;
/// Slack asks to keep a message under 4000 characters.
pub const LIMIT: Limit = Limit::chars(4000);

/// What a channel with `mention_all` puts before the first part.
pub const MENTION_ALL: &str = "<!channel>";

/// The request for one message.
pub fn request(url: &str, text: &str) -> Prepared {
    Prepared {
        url: url.to_string(),
        body: json!({ "text": text }),
    }
}

/// Reads Slack's answer.
pub fn answer(r: &Reply, wait: Duration) -> Answer {
    let b = r.body.trim();
    if r.status == 429 {
        let w = r.retry_after.as_deref().and_then(seconds).unwrap_or(wait);
        return Answer::RateLimited(w, format!("HTTP 429: {}", excerpt(b)));
    }
    if r.status >= 500 {
        return Answer::Transient(format!("HTTP {}: {}", r.status, excerpt(b)));
    }
    if r.status == 200 && b == "ok" {
        return Answer::Sent(None);
    }
    Answer::Permanent(format!("HTTP {}: {}", r.status, excerpt(b)))
}
