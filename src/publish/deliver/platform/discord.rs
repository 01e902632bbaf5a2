//! Discord webhook with `?wait=true` (so the answer carries the message's
//! id); 2000 characters; 429 with `retry_after`; mentions turned off so a
//! post can never ping `@everyone`.

use super::super::http::{busy, excerpt, seconds, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::{json, Value};

/// Discord Markdown.
pub(crate) const DIALECT: Dialect = Dialect::Discord;
/// At most 2000 characters a message.
pub(crate) const LIMIT: Limit = Limit::chars(2000);

/// What a channel with `mention_all` puts before the first part.
pub(crate) const MENTION_ALL: &str = "@everyone";

/// The request for one message. Mentions are off (`allowed_mentions` with
/// nothing to parse) unless `mention_all`: then only `@everyone` may ping,
/// never a user or role named in member text.
pub(crate) fn request(url: &str, text: &str, mention_all: bool) -> Prepared {
    let mut u = url.to_string();
    if !u.contains("wait=") {
        u.push(if u.contains('?') { '&' } else { '?' });
        u.push_str("wait=true");
    }
    Prepared {
        url: u,
        body: json!({
            "content": text,
            "allowed_mentions": { "parse": if mention_all { vec!["everyone"] } else { vec![] } }
        }),
    }
}

/// Reads Discord's answer: the created message (`{"id": "…"}`).
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    let v: Option<Value> = serde_json::from_str(&r.body).ok();
    let body_wait = v
        .as_ref()
        .and_then(|v| v.get("retry_after")?.as_f64())
        .and_then(|f| seconds(&f.to_string()));
    if let Some(a) = busy(r, body_wait, wait, &excerpt(&r.body)) {
        return a;
    }
    match r.status {
        200 => match v.as_ref().and_then(|v| v.get("id")) {
            Some(Value::String(id)) => Answer::Sent(Some(id.clone())),
            _ => Answer::Unclear(format!(
                "HTTP 200 without a message id: {}",
                excerpt(&r.body)
            )),
        },
        204 => Answer::Sent(None),
        s => {
            let msg = v
                .as_ref()
                .and_then(|v| v.get("message")?.as_str())
                .map(|s| s.to_string())
                .unwrap_or_else(|| excerpt(&r.body));
            Answer::Permanent(format!("HTTP {s}: {msg}"))
        }
    }
}

/// Discord, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Discord;

impl super::Platform for Discord {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Discord
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn at_all(&self) -> super::AtAll {
        super::AtAll::Line(MENTION_ALL)
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(m.url.unwrap_or_default(), m.text, m.mention_all)
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}
