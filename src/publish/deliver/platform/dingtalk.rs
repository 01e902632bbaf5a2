//! DingTalk custom robot: Markdown with a title; optional signing puts
//! `timestamp` (ms) and `sign = urlencode(base64(HMAC-SHA256(key = secret,
//! message = timestamp + "\n" + secret)))` in the URL; errcode 130101 = too
//! fast (20 messages a minute).

use super::super::http::{code_answer, Answer, Prepared, Reply};
use super::super::render::{Dialect, Limit};
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// DingTalk's Markdown subset.
pub(crate) const DIALECT: Dialect = Dialect::Dingtalk;
/// A conservative size for one Markdown message.
pub(crate) const LIMIT: Limit = Limit::chars(5000);

/// The signature for `timestamp_ms`, base64 (not yet URL-encoded).
pub(crate) fn sign(secret: &str, timestamp_ms: i64) -> String {
    let to_sign = format!("{timestamp_ms}\n{secret}");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The request for one message; `timestamp_ms` is the current time;
/// `mention_all` sets the robot API's `at.isAtAll` (the body never names
/// mobile numbers or user ids, so member text cannot mention anyone).
pub(crate) fn request(
    url: &str,
    secret: Option<&str>,
    timestamp_ms: i64,
    title: &str,
    text: &str,
    mention_all: bool,
) -> Prepared {
    let mut u = url.to_string();
    if let Some(s) = secret {
        let sig = sign(s, timestamp_ms);
        let enc = percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC);
        u.push(if u.contains('?') { '&' } else { '?' });
        u.push_str(&format!("timestamp={timestamp_ms}&sign={enc}"));
    }
    Prepared {
        url: u,
        body: json!({
            "msgtype": "markdown",
            "markdown": { "title": title, "text": text },
            "at": { "isAtAll": mention_all }
        }),
    }
}

/// Reads DingTalk's answer: `{"errcode":0,"errmsg":"ok"}` on success.
pub(crate) fn answer(r: &Reply, wait: Duration) -> Answer {
    code_answer(r, &["errcode"], &["errmsg"], &[130101], &[-1], wait)
}

/// DingTalk, in the platform table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dingtalk;

impl super::Platform for Dingtalk {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Dingtalk
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn at_all(&self) -> super::AtAll {
        super::AtAll::InRequest
    }
    fn request(&self, m: &super::Outgoing<'_>) -> Prepared {
        request(
            m.url.unwrap_or_default(),
            m.secret,
            m.now.timestamp_millis(),
            m.title,
            m.text,
            m.mention_all,
        )
    }
    fn answer(&self, r: &Reply, wait: Duration) -> super::super::http::Answer {
        answer(r, wait)
    }
}

#[cfg(test)]
mod tests {
    /// Known answer computed independently with Python's `hmac` module:
    /// `base64.b64encode(hmac.new(secret.encode(), (ts + "\n" + secret).encode(), hashlib.sha256).digest())`
    /// and `urllib.parse.quote_plus` for the URL form.
    #[test]
    fn sign_matches_known_answer() {
        let s = "SECtest0123456789abcdef";
        assert_eq!(
            super::sign(s, 1_700_000_000_000),
            "/lfnxUUu80FwVTsIlv2F1cMGBb+PxEKAwYh/bsRxXcc="
        );
        let r = super::request(
            "https://x/robot/send?access_token=t",
            Some(s),
            1_700_000_000_000,
            "t",
            "x",
            false,
        );
        assert!(r.url.ends_with(
            "&timestamp=1700000000000&sign=%2FlfnxUUu80FwVTsIlv2F1cMGBb%2BPxEKAwYh%2FbsRxXcc%3D"
        ), "{}", r.url);
    }
}
