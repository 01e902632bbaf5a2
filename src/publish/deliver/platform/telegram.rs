//! Telegram Bot API `sendMessage` with `parse_mode: HTML` (4096
//! characters); 429 answers carry `parameters.retry_after`; the returned
//! `message_id` is kept in the ledger.

use super::super::http::{busy, excerpt, seconds, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::{json, Value};

/// Telegram HTML.
pub(crate) const DIALECT: Dialect = Dialect::Telegram;
/// At most 4096 characters a message.
pub(crate) const LIMIT: Limit = Limit::chars(4096);
/// The public API, used unless `url_env` names another base.
pub(crate) const API: &str = "https://api.telegram.org";

/// The request for one message.
pub(crate) fn request(api: &str, token: &str, chat_id: &str, text: &str) -> Prepared {
    Prepared {
        url: format!("{}/bot{token}/sendMessage", api.trim_end_matches('/')),
        body: json!({
            "chat_id": chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": { "is_disabled": true }
        }),
    }
}

/// Reads the Bot API's answer: `{"ok":true,"result":{"message_id":…}}`.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    let v: Option<Value> = serde_json::from_str(&r.body).ok();
    let desc = v
        .as_ref()
        .and_then(|v| v.get("description")?.as_str())
        .map(|s| s.to_string())
        .unwrap_or_else(|| excerpt(&r.body));
    let body_wait = v
        .as_ref()
        .and_then(|v| v.get("parameters")?.get("retry_after")?.as_f64())
        .and_then(|f| seconds(&f.to_string()));
    if let Some(a) = busy(r, body_wait, wait, &desc) {
        return a;
    }
    match v.as_ref().and_then(|v| v.get("ok")?.as_bool()) {
        Some(true) if r.status == 200 => {
            let id = v
                .as_ref()
                .and_then(|v| v.get("result")?.get("message_id"))
                .map(|m| match m {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            Answer::Sent(id)
        }
        Some(_) | None if r.status != 200 => {
            Answer::Permanent(format!("HTTP {}: {desc}", r.status))
        }
        Some(false) => Answer::Permanent(format!("HTTP 200: {desc}")),
        _ => Answer::Unclear(format!(
            "HTTP 200 with an unreadable answer: {}",
            excerpt(&r.body)
        )),
    }
}

/// Telegram, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Telegram;

impl super::Platform for Telegram {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Telegram
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(
            m.url.unwrap_or(API),
            m.secret.unwrap_or_default(),
            m.chat_id.unwrap_or_default(),
            m.text,
        )
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}
