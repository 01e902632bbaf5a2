//! The HTTP exchange shared by every webhook platform, and what its
//! failures mean for "was the message sent?".
//!
//! A request that never left (the name did not resolve, the connection was
//! refused) is safe to try again. A request that may have reached the
//! platform before the connection broke or the answer timed out is
//! *unknown*: none of these APIs takes an idempotency key, so sending it
//! again could post it twice. Only the organiser can tell.

pub(crate) use crate::core::ledger::Cause;
use chrono::Duration;
use serde_json::Value;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

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
pub(crate) enum Transport {
    /// No connection to the platform was made (the name did not resolve,
    /// the connection was refused, the TLS handshake failed, connecting
    /// timed out): nothing was sent, trying again is safe.
    NotSent(String),
    /// The connection was made and the request may have reached the
    /// platform: the outcome is unknown, for this reason.
    Unknown(Cause, String),
}

/// What an answer means for the delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Delivered; the platform's message id when it returns one.
    Sent(Option<String>),
    /// Delivered, with an answer other than the platform's usual one (kept
    /// in the ledger for the organiser to read).
    SentWithReply(String),
    /// Rate-limited: try again after this wait.
    RateLimited(Duration, String),
    /// A server-side failure: the platform says it did not post; may be retried.
    Transient(String),
    /// Refused for good (authentication, malformed request, bad chat).
    Permanent(String),
    /// An answer that cannot be read: the message may or may not be posted.
    Unclear(String),
}

/// One channel's HTTP client: blocking, rustls, statuses are answers (not
/// errors), and every request on a new connection, so it can tell whether
/// a request could have reached the platform at all.
///
/// ureq does not say in which phase an error happened: a failed DNS lookup
/// and a TLS handshake failure arrive as I/O errors or timeouts, like a
/// connection that broke after the request went out. So the client marks
/// the phases itself — the name resolved, the connection (TCP, then TLS
/// where the URL asks for it) made — with a resolver and a last connector
/// around ureq's own. An error before the connection was made means
/// nothing was sent.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    agent: ureq::Agent,
    phase: Arc<AtomicU8>,
    timeout: std::time::Duration,
}

/// Nothing done yet.
const PHASE_START: u8 = 0;
/// The host name resolved.
const PHASE_RESOLVED: u8 = 1;
/// The connection is open (TLS included): the request may reach the platform.
const PHASE_CONNECTED: u8 = 2;

/// The last link of the connector chain: notes that a connection to the
/// platform is open.
#[derive(Debug)]
struct MarkConnected(Arc<AtomicU8>);

impl<In: ureq::unversioned::transport::Transport> ureq::unversioned::transport::Connector<In>
    for MarkConnected
{
    type Out = In;

    fn connect(
        &self,
        _details: &ureq::unversioned::transport::ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<In>, ureq::Error> {
        if chained.is_some() {
            self.0.store(PHASE_CONNECTED, Ordering::SeqCst);
        }
        Ok(chained)
    }
}

/// ureq's resolver, noting when the name resolved.
#[derive(Debug)]
struct MarkResolved(ureq::unversioned::resolver::DefaultResolver, Arc<AtomicU8>);

impl ureq::unversioned::resolver::Resolver for MarkResolved {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        self.1.store(PHASE_RESOLVED, Ordering::SeqCst);
        Ok(addrs)
    }
}

impl Client {
    /// A client that waits `timeout` for an answer (at most 10 s of it
    /// for connecting).
    pub(crate) fn new(timeout: Duration) -> Client {
        use ureq::unversioned::transport::{Connector, DefaultConnector};
        let t = timeout
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(15));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(t))
            .timeout_connect(Some(t.min(std::time::Duration::from_secs(10))))
            // No pooled connections: each request connects, so the marks
            // are about this request (and a stale kept-alive connection
            // never turns a send into an unknown).
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .user_agent(concat!("qunshu/", env!("CARGO_PKG_VERSION")))
            .build();
        let phase = Arc::new(AtomicU8::new(PHASE_START));
        let connector = DefaultConnector::new().chain(MarkConnected(Arc::clone(&phase)));
        let resolver = MarkResolved(Default::default(), Arc::clone(&phase));
        Client {
            agent: ureq::Agent::with_parts(config, connector, resolver),
            phase,
            timeout: t,
        }
    }

    /// Sends one prepared request.
    pub(crate) fn send(&self, req: &Prepared) -> Result<Reply, Transport> {
        self.phase.store(PHASE_START, Ordering::SeqCst);
        let res = self
            .agent
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
                    .map_err(|e| self.after_connecting(&e, true))?;
                Ok(Reply {
                    status,
                    retry_after,
                    body,
                })
            }
            Err(e) => Err(match self.phase.load(Ordering::SeqCst) {
                PHASE_CONNECTED => self.after_connecting(&e, false),
                phase => Transport::NotSent(not_sent(&e, phase)),
            }),
        }
    }

    /// What an error after the connection was made means.
    fn after_connecting(&self, e: &ureq::Error, answered: bool) -> Transport {
        use ureq::Error as E;
        match e {
            E::Timeout(_) => Transport::Unknown(
                Cause::TimedOut,
                format!(
                    "no answer within {}s (the channel's `timeout`)",
                    self.timeout.as_secs_f64()
                ),
            ),
            E::Protocol(_) | E::LargeResponseHeader(..) | E::BodyExceedsLimit(_) => {
                Transport::Unknown(Cause::Unreadable, kind_of(e))
            }
            _ if answered => Transport::Unknown(
                Cause::Unreadable,
                format!("the answer broke off: {}", kind_of(e)),
            ),
            _ => Transport::Unknown(Cause::Broken, kind_of(e)),
        }
    }
}

/// Why a request that never reached a connection was not sent.
fn not_sent(e: &ureq::Error, phase: u8) -> String {
    use ureq::Error as E;
    let why = match e {
        E::BadUri(_) | E::Http(_) | E::RequireHttpsOnly(_) => kind_of(e),
        _ if phase == PHASE_START => format!("the host name did not resolve ({})", kind_of(e)),
        E::Timeout(_) => "connecting timed out (TCP or TLS handshake)".into(),
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".into()
        }
        // The connection was open but no TLS session came of it.
        _ => format!(
            "could not connect: TLS handshake or network failure ({})",
            kind_of(e)
        ),
    };
    format!("{why}; nothing was sent")
}

/// A description of a ureq error that never includes the URL.
fn kind_of(e: &ureq::Error) -> String {
    use ureq::Error as E;
    match e {
        E::HostNotFound => "no address for the host".into(),
        E::ConnectionFailed => "the connection failed".into(),
        E::Timeout(t) => format!("timed out: {t:?}"),
        // An OS error's text names no host or URL.
        E::Io(io) => io.to_string(),
        E::BadUri(_) => "the URL is not valid".into(),
        E::Tls(_) | E::Rustls(_) | E::Pem(_) | E::TlsRequired => "TLS error".into(),
        E::Protocol(_) => "the answer is not valid HTTP".into(),
        E::LargeResponseHeader(..) => "the answer's headers are too large".into(),
        E::BodyExceedsLimit(_) => "the answer is too large".into(),
        other => format!("HTTP error ({})", short_kind(other)),
    }
}

fn short_kind(e: &ureq::Error) -> String {
    let s = format!("{e:?}");
    s.chars().take_while(|c| c.is_alphanumeric()).collect()
}

/// Parses a `Retry-After` header or a `retry_after` field in seconds
/// (fractions allowed), capped at 10 minutes.
pub(crate) fn seconds(v: &str) -> Option<Duration> {
    let f: f64 = v.trim().parse().ok()?;
    if !(0.0..=86400.0).contains(&f) {
        return None;
    }
    Some(Duration::milliseconds((f * 1000.0).ceil() as i64).min(Duration::minutes(10)))
}

/// The first characters of a body, for error messages.
pub(crate) fn excerpt(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        "(empty answer)".into()
    } else {
        t
    }
}

/// What every platform's answer means alike: 429 is a rate limit (the
/// wait from the body when the platform puts one there, else the
/// `Retry-After` header, else `wait`), 5xx a transient error; `what` is the
/// answer in words for the message. `None` for any other status.
pub(crate) fn busy(
    r: &Reply,
    body_wait: Option<Duration>,
    wait: Duration,
    what: &str,
) -> Option<Answer> {
    if r.status == 429 {
        let w = body_wait
            .or_else(|| r.retry_after.as_deref().and_then(seconds))
            .unwrap_or(wait);
        return Some(Answer::RateLimited(w, format!("HTTP 429: {what}")));
    }
    if r.status >= 500 {
        return Some(Answer::Transient(format!("HTTP {}: {what}", r.status)));
    }
    None
}

/// The common shape of JSON-in-200 platforms (WeCom, DingTalk, Feishu):
/// reads `code_field`/`msg_field` and maps codes to answers.
pub(crate) fn code_answer(
    r: &Reply,
    code_fields: &[&str],
    msg_fields: &[&str],
    rate_codes: &[i64],
    busy_codes: &[i64],
    wait: Duration,
) -> Answer {
    if let Some(a) = busy(r, None, wait, &excerpt(&r.body)) {
        return a;
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

/// Scrubs secret values from text: every value, and each form it can
/// come back in (percent-encoded or decoded, JSON-escaped), longest first.
///
/// Scrub whole texts *before* cutting them: a secret cut in half is no
/// longer found, and its first half would leak.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    forms: Vec<String>,
}

impl Redactor {
    /// A redactor for `values`, each at least `min_len` bytes long (shorter
    /// ones are not secrets worth hiding, and would scrub ordinary words).
    pub fn new<I: IntoIterator<Item = (String, usize)>>(values: I) -> Redactor {
        let mut forms: Vec<String> = Vec::new();
        for (v, min_len) in values {
            if v.len() < min_len.max(4) {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(&v)
                .decode_utf8_lossy()
                .into_owned();
            let encoded =
                percent_encoding::utf8_percent_encode(&decoded, URL_COMPONENT).to_string();
            for f in [v.clone(), decoded, encoded] {
                forms.push(f.replace('/', "\\/"));
                forms.push(f);
            }
        }
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        forms.dedup();
        Redactor { forms }
    }

    /// `text` with every secret form replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for f in &self.forms {
            if t.contains(f.as_str()) {
                t = t.replace(f.as_str(), "***");
            }
        }
        t
    }
}

/// What `encodeURIComponent` leaves alone.
const URL_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The secret parts of a webhook URL, each on its own: the password in
/// it, every query value, and every path segment that looks like a token
/// (the last one, and any with a digit) — at least 8 characters each.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.split('#').next().unwrap_or(rest);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let mut out = Vec::new();
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        out.extend(userinfo.split(':').map(str::to_string));
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate() {
        if i + 1 == segments.len() || seg.chars().any(|c| c.is_ascii_digit()) {
            out.push(seg.to_string());
        }
    }
    for kv in query.split('&') {
        let v = kv.split_once('=').map(|(_, v)| v).unwrap_or(kv);
        out.push(v.to_string());
    }
    out.retain(|s| s.len() >= 8);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn busy_answers_are_read_alike() {
        let reply = |status, retry_after: Option<&str>| Reply {
            status,
            retry_after: retry_after.map(str::to_string),
            body: String::new(),
        };
        let wait = Duration::seconds(5);
        let body = Some(Duration::seconds(9));
        let rate = |w: i64| {
            Some(Answer::RateLimited(
                Duration::seconds(w),
                "HTTP 429: x".into(),
            ))
        };
        assert_eq!(busy(&reply(429, Some("7")), body, wait, "x"), rate(9));
        assert_eq!(busy(&reply(429, Some("7")), None, wait, "x"), rate(7));
        assert_eq!(busy(&reply(429, None), None, wait, "x"), rate(5));
        assert_eq!(
            busy(&reply(503, None), None, wait, "x"),
            Some(Answer::Transient("HTTP 503: x".into()))
        );
        assert_eq!(busy(&reply(200, None), None, wait, "x"), None);
        assert_eq!(busy(&reply(400, None), None, wait, "x"), None);
    }

    /// A server on 127.0.0.1 that handles one connection with `f`.
    fn serve_once(f: impl FnOnce(std::net::TcpStream) + Send + 'static) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((s, _)) = l.accept() {
                f(s)
            }
        });
        port
    }

    /// Reads until the end of the request's headers and body (the JSON `}`).
    fn read_request(s: &mut std::net::TcpStream) {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.ends_with(b"}") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn send(url: String, timeout: i64) -> Result<Reply, Transport> {
        Client::new(Duration::seconds(timeout)).send(&Prepared {
            url,
            body: serde_json::json!({"text": "x"}),
        })
    }

    #[test]
    fn a_failed_tls_handshake_sent_nothing() {
        // Answers a TLS hello in plain HTTP and hangs up.
        let port = serve_once(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        match send(format!("https://127.0.0.1:{port}/hook"), 5) {
            Err(Transport::NotSent(e)) => assert!(e.contains("TLS"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_that_went_out_without_an_answer_is_unknown_and_says_why() {
        let port = serve_once(|mut s| {
            read_request(&mut s);
            // Hangs up without answering.
        });
        match send(format!("http://127.0.0.1:{port}/hook"), 5) {
            Err(Transport::Unknown(Cause::Broken | Cause::Unreadable, _)) => {}
            other => panic!("{other:?}"),
        }
        let port = serve_once(|mut s| {
            read_request(&mut s);
            std::thread::sleep(std::time::Duration::from_secs(3));
        });
        match send(format!("http://127.0.0.1:{port}/hook"), 1) {
            Err(Transport::Unknown(Cause::TimedOut, e)) => assert!(e.contains("1s"), "{e}"),
            other => panic!("{other:?}"),
        }
        let port = serve_once(|mut s| {
            read_request(&mut s);
            let _ = s.write_all(b"SMTP ready\r\n\r\n");
        });
        match send(format!("http://127.0.0.1:{port}/hook"), 5) {
            Err(Transport::Unknown(Cause::Unreadable, _)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn url_secrets_are_the_token_parts() {
        let s = url_secrets(
            "https://u:pa55word@qyapi.example/cgi-bin/webhook/send?key=693a91f6-7xxx&debug=1",
        );
        assert_eq!(s, vec!["pa55word".to_string(), "693a91f6-7xxx".to_string()]);
        let s = url_secrets("https://discord.com/api/webhooks/1234567890123/AbCdEfGhIjKlMnOp");
        assert_eq!(
            s,
            vec!["1234567890123".to_string(), "AbCdEfGhIjKlMnOp".to_string()]
        );
    }

    #[test]
    fn scrubs_every_form_before_any_cut() {
        let r = Redactor::new([
            ("https://h/x?access_token=abc/def+ghi".to_string(), 4),
            ("abc/def+ghi".to_string(), 8),
            ("short".to_string(), 8),
        ]);
        let echoed = "token abc/def+ghi, abc%2Fdef%2Bghi, \"abc\\/def+ghi\" short";
        assert_eq!(r.scrub(echoed), "token ***, ***, \"***\" short");
        let long = format!("{}https://h/x?access_token=abc/def+ghi", "x".repeat(170));
        let cut = excerpt(&r.scrub(&long));
        assert!(!cut.contains("abc"), "{cut}");
    }
}
