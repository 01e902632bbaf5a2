//! A generic webhook: one JSON `POST` with the post's fields, for anything
//! the other kinds do not cover. Any 2xx status is success (an `id` field in
//! a JSON answer is kept); 429 with `Retry-After` is retried.

use super::super::http::{busy, excerpt, Answer, Prepared, Reply};
use chrono::Duration;
use serde_json::Value;

/// The request: `fields` is the JSON document described in the README.
pub(crate) fn request(url: &str, fields: Value) -> Prepared {
    Prepared {
        url: url.to_string(),
        body: fields,
    }
}

/// Reads the answer.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    if let Some(a) = busy(r, None, wait, &excerpt(&r.body)) {
        return a;
    }
    if (200..300).contains(&r.status) {
        let id = serde_json::from_str::<Value>(&r.body)
            .ok()
            .and_then(|v| match v.get("id")? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        return Answer::Sent(id);
    }
    Answer::Permanent(format!("HTTP {}: {}", r.status, excerpt(&r.body)))
}

/// The generic webhook, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Webhook;

impl super::Platform for Webhook {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Webhook
    }
    fn text(&self) -> Option<(super::super::render::Dialect, super::super::render::Limit)> {
        None
    }
    /// The post's fields; a message without them (never built so) is sent
    /// as a JSON string.
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        let fields = m
            .fields
            .cloned()
            .unwrap_or_else(|| Value::String(m.text.to_string()));
        request(m.url.unwrap_or_default(), fields)
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}
