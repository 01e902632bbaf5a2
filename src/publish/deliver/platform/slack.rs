//! Slack incoming webhook: `{"text": mrkdwn}`; the answer is the plain word
//! `ok`, errors are words such as `invalid_payload` with a 4xx status; 429
//! with `Retry-After`. Any 2xx is delivered: workflow webhooks answer JSON,
//! proxies may answer 204, and treating those as failures would post the
//! message again on every run.

use super::super::http::{busy, excerpt, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use chrono::Duration;
use serde_json::json;

/// Slack mrkdwn.
pub(crate) const DIALECT: Dialect = Dialect::Slack;
/// Slack asks to keep a message under 4000 characters.
pub(crate) const LIMIT: Limit = Limit::chars(4000);

/// What a channel with `mention_all` puts before the first part.
pub(crate) const MENTION_ALL: &str = "<!channel>";

/// The request for one message.
pub(crate) fn request(url: &str, text: &str) -> Prepared {
    Prepared {
        url: url.to_string(),
        body: json!({ "text": text }),
    }
}

/// Reads Slack's answer.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    let b = r.body.trim();
    if let Some(a) = busy(r, None, wait, &excerpt(b)) {
        return a;
    }
    if (200..300).contains(&r.status) {
        return if b == "ok" || b.is_empty() {
            Answer::Sent(None)
        } else {
            Answer::SentWithReply(b.to_string())
        };
    }
    Answer::Permanent(format!("HTTP {}: {}", r.status, excerpt(b)))
}

/// Slack, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slack;

impl super::Platform for Slack {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Slack
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn at_all(&self) -> super::AtAll {
        super::AtAll::Line(MENTION_ALL)
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(m.url.unwrap_or_default(), m.text)
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            retry_after: None,
            body: body.into(),
        }
    }

    #[test]
    fn any_2xx_is_sent() {
        let w = Duration::seconds(5);
        assert_eq!(answer(&reply(200, "ok"), w), Answer::Sent(None));
        assert_eq!(answer(&reply(204, ""), w), Answer::Sent(None));
        assert_eq!(
            answer(&reply(200, r#"{"ok":true}"#), w),
            Answer::SentWithReply(r#"{"ok":true}"#.into())
        );
        assert!(matches!(
            answer(&reply(400, "invalid_payload"), w),
            Answer::Permanent(_)
        ));
    }
}
