//! The HTTP exchange shared by every webhook platform, and what its
//! failures mean for "was the message sent?".
//!
//! A request that never left (the name did not resolve, the connection was
//! refused) is safe to try again. A request that may have reached the
//! platform before the connection broke or the answer timed out is
//! *unknown*: none of these APIs takes an idempotency key, so sending it
//! again could post it twice. Only the organiser can tell.

use chrono::Duration;
use serde_json::Value;

/// A request ready to send: always a JSON `POST`.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The full URL, secrets included (never printed).
    pub url: String,
    /// The JSON body.
    pub body: Value,
}

/// The platform's answer, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body (cut to 64 KiB).
    pub body: String,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq)]
pub enum Transport {
    /// The request did not leave this machine: trying again is safe.
    NotSent(String),
    /// The request may have reached the platform: the outcome is unknown.
    Unknown(String),
}

/// What an answer means for the delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Delivered; the platform's message id when it returns one.
    Sent(Option<String>),
    /// Rate-limited: try again after this wait.
    RateLimited(Duration, String),
    /// A server-side failure: the platform says it did not post; may be retried.
    Transient(String),
    /// Refused for good (authentication, malformed request, bad chat).
    Permanent(String),
    /// An answer that cannot be read: the message may or may not be posted.
    Unclear(String),
}

/// One blocking HTTP client with rustls; statuses are answers, not errors.
pub fn agent(timeout: Duration) -> ureq::Agent {
    let t = timeout
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(15));
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(t))
        .timeout_connect(Some(t.min(std::time::Duration::from_secs(10))))
        .user_agent(concat!("qunshu/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Sends one prepared request.
pub fn send(agent: &ureq::Agent, req: &Prepared) -> Result<Reply, Transport> {
    let res = agent
        .post(&req.url)
        .header("Content-Type", "application/json; charset=utf-8")
        .send(req.body.to_string());
    match res {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(|s| s.to_string());
            let body = resp
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .map_err(|e| {
                    Transport::Unknown(format!("the answer broke off: {}", kind_of(&e)))
                })?;
            Ok(Reply {
                status,
                retry_after,
                body,
            })
        }
        Err(e) => Err(classify(&e)),
    }
}

/// A description of a ureq error that never includes the URL.
fn kind_of(e: &ureq::Error) -> String {
    use ureq::Error as E;
    match e {
        E::HostNotFound => "the host name did not resolve".into(),
        E::ConnectionFailed => "the connection was refused".into(),
        E::Timeout(t) => format!("no answer in time ({t:?})"),
        E::Io(io) => format!("network error ({:?})", io.kind()),
        E::BadUri(_) => "the URL is not valid".into(),
        E::Tls(_) => "TLS error".into(),
        other => format!("HTTP error ({})", short_kind(other)),
    }
}

fn short_kind(e: &ureq::Error) -> String {
    let s = format!("{e:?}");
    s.chars().take_while(|c| c.is_alphanumeric()).collect()
}

fn classify(e: &ureq::Error) -> Transport {
    use ureq::Error as E;
    use ureq::Timeout as T;
    let msg = kind_of(e);
    match e {
        E::HostNotFound | E::ConnectionFailed | E::BadUri(_) | E::Tls(_) => Transport::NotSent(msg),
        E::Timeout(T::Resolve | T::Connect) => Transport::NotSent(msg),
        _ => Transport::Unknown(msg),
    }
}

/// Parses a `Retry-After` header or a `retry_after` field in seconds
/// (fractions allowed), capped at 10 minutes.
pub fn seconds(v: &str) -> Option<Duration> {
    let f: f64 = v.trim().parse().ok()?;
    if !(0.0..=86400.0).contains(&f) {
        return None;
    }
    Some(Duration::milliseconds((f * 1000.0).ceil() as i64).min(Duration::minutes(10)))
}

/// The first characters of a body, for error messages.
pub fn excerpt(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        "(empty answer)".into()
    } else {
        t
    }
}

/// The common shape of JSON-in-200 platforms (WeCom, DingTalk, Feishu):
/// reads `code_field`/`msg_field` and maps codes to answers.
pub fn code_answer(
    r: &Reply,
    code_fields: &[&str],
    msg_fields: &[&str],
    rate_codes: &[i64],
    busy_codes: &[i64],
    wait: Duration,
) -> Answer {
    if r.status == 429 {
        let w = r.retry_after.as_deref().and_then(seconds).unwrap_or(wait);
        return Answer::RateLimited(w, format!("HTTP 429: {}", excerpt(&r.body)));
    }
    if r.status >= 500 {
        return Answer::Transient(format!("HTTP {}: {}", r.status, excerpt(&r.body)));
    }
    let v: Option<Value> = serde_json::from_str(&r.body).ok();
    let code = v
        .as_ref()
        .and_then(|v| code_fields.iter().find_map(|f| v.get(*f)?.as_i64()));
    let msg = v
        .as_ref()
        .and_then(|v| msg_fields.iter().find_map(|f| v.get(*f)?.as_str()))
        .unwrap_or("")
        .to_string();
    match code {
        Some(0) if r.status == 200 => Answer::Sent(None),
        Some(c) if rate_codes.contains(&c) => {
            Answer::RateLimited(wait, format!("rate limit (code {c}: {msg})"))
        }
        Some(c) if busy_codes.contains(&c) => Answer::Transient(format!("code {c}: {msg}")),
        Some(c) => Answer::Permanent(format!("HTTP {}, code {c}: {msg}", r.status)),
        None if r.status == 200 => Answer::Unclear(format!(
            "HTTP 200 with an answer that has no error code: {}",
            excerpt(&r.body)
        )),
        None => Answer::Permanent(format!("HTTP {}: {}", r.status, excerpt(&r.body))),
    }
}

/// Replaces every secret value in `text` with `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut t = text.to_string();
    for s in secrets {
        if s.len() >= 4 {
            t = t.replace(s.as_str(), "***");
        }
    }
    t
}
