//! A local stand-in for the chat platforms, on 127.0.0.1, for the delivery
//! tests. Each platform's endpoint checks the body shape (and the signature
//! where the platform signs) the way the real platform does, and answers
//! like it: success, error codes in a 200 body, 429 with a wait, 500s, slow
//! answers and held requests.
//!
//! The signature checks here are written independently of the code under
//! test and are themselves checked against known answers computed with
//! Python's `hmac` module (see `verifier_known_answers` in tests/deliver.rs).

#![allow(dead_code)]

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Got {
    /// Which endpoint: the first path segment (`wecom`, `feishu`, `tg`, …).
    pub endpoint: String,
    /// Path and query.
    pub url: String,
    /// The JSON body.
    pub body: Value,
    /// The raw body.
    pub raw: String,
    /// When it arrived.
    pub at: Instant,
    /// The problem the platform would have with it, if any.
    pub problem: Option<String>,
}

/// A scripted answer (used before the platform's normal success).
#[derive(Debug, Clone)]
pub(crate) enum Script {
    /// Answer with this status, body and optional Retry-After.
    Reply(u16, String, Option<String>),
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Hold the request until `release()` is called, then answer normally.
    Hold,
    /// Answer with this status and a body made from the template, as a
    /// platform that repeats the request back in its error does:
    /// `{url}` is the full URL called (secrets included), `{query:NAME}`
    /// the decoded query value `NAME`, `{last}` the last path segment.
    Echo(u16, String),
}

#[derive(Default)]
struct State {
    got: Vec<Got>,
    scripts: HashMap<String, VecDeque<Script>>,
    released: bool,
    next_id: u64,
}

/// A `127.0.0.1` port nobody listens on: connecting to it is refused.
pub(crate) fn refused_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

/// The mock server.
pub(crate) struct Mock {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    state: Arc<(Mutex<State>, Condvar)>,
    /// Signing secrets the endpoints check (`feishu`, `dingtalk`).
    pub secrets: HashMap<String, String>,
}

/// `base64(HMAC-SHA256(key = ts + "\n" + secret, message = ""))`.
pub(crate) fn feishu_sign(secret: &str, ts: &str) -> String {
    let mac = Hmac::<Sha256>::new_from_slice(format!("{ts}\n{secret}").as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `base64(HMAC-SHA256(key = secret, message = ts + "\n" + secret))`.
pub(crate) fn dingtalk_sign(secret: &str, ts: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                k.to_string(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// What the platform would object to in a request, if anything.
pub(crate) fn check(
    endpoint: &str,
    url: &str,
    body: &Value,
    secrets: &HashMap<String, String>,
) -> Option<String> {
    let s = |v: &Value| v.as_str().map(|x| x.to_string());
    match endpoint {
        "wecom" => {
            if body["msgtype"] == "text" {
                // The @all notice: a text message with `mentioned_list`.
                let c = s(&body["text"]["content"])?;
                if c.len() > 2048 || !body["text"]["mentioned_list"].is_array() {
                    return Some("text needs content (2048 bytes) and mentioned_list".into());
                }
                return None;
            }
            if body["msgtype"] != "markdown" {
                return Some("msgtype must be markdown".into());
            }
            let c = s(&body["markdown"]["content"])?;
            if c.len() > 4096 {
                return Some(format!("content is {} bytes (max 4096)", c.len()));
            }
            None
        }
        "dingtalk" => {
            if body["msgtype"] != "markdown" || s(&body["markdown"]["title"]).is_none() {
                return Some("markdown message needs title and text".into());
            }
            s(&body["markdown"]["text"])?;
            if let Some(secret) = secrets.get("dingtalk") {
                let q = query(url);
                let ts = q.get("timestamp")?;
                let t: i64 = ts.parse().ok()?;
                if (t / 1000 - now_secs()).abs() > 3600 {
                    return Some("timestamp more than an hour off".into());
                }
                if q.get("sign") != Some(&dingtalk_sign(secret, ts)) {
                    return Some("sign mismatch".into());
                }
            }
            None
        }
        "feishu" => {
            if body["msg_type"] != "interactive" {
                return Some("msg_type must be interactive".into());
            }
            s(&body["card"]["header"]["title"]["content"])?;
            if body["card"]["elements"][0]["tag"] != "markdown" {
                return Some("card element must be markdown".into());
            }
            s(&body["card"]["elements"][0]["content"])?;
            if let Some(secret) = secrets.get("feishu") {
                let ts = s(&body["timestamp"])?;
                let t: i64 = ts.parse().ok()?;
                if (t - now_secs()).abs() > 3600 {
                    return Some("timestamp more than an hour off".into());
                }
                if s(&body["sign"]) != Some(feishu_sign(secret, &ts)) {
                    return Some("sign match fail".into());
                }
            }
            None
        }
        "tg" => {
            if body["parse_mode"] != "HTML" || s(&body["chat_id"]).is_none() {
                return Some("need chat_id and parse_mode HTML".into());
            }
            let t = s(&body["text"])?;
            if t.chars().count() > 4096 {
                return Some("message is too long".into());
            }
            // Telegram rejects unbalanced tags.
            for tag in ["b", "i", "s", "a", "code", "pre", "blockquote"] {
                let open =
                    t.matches(&format!("<{tag}>")).count() + t.matches(&format!("<{tag} ")).count();
                let close = t.matches(&format!("</{tag}>")).count();
                if open != close {
                    return Some(format!("can't parse entities: unbalanced <{tag}>"));
                }
            }
            None
        }
        "slack" => {
            s(&body["text"])?;
            None
        }
        "discord" => {
            if !url.contains("wait=true") {
                return Some("expected ?wait=true".into());
            }
            let c = s(&body["content"])?;
            // Mentions off, or only @everyone for a post that asks for it.
            let parse = &body["allowed_mentions"]["parse"];
            if *parse != json!([])
                && !(*parse == json!(["everyone"]) && c.starts_with("@everyone\n"))
            {
                return Some("mentions must be off".into());
            }
            if c.chars().count() > 2000 {
                return Some("content longer than 2000".into());
            }
            None
        }
        "hook" => {
            for f in ["post", "title", "kind", "column", "url", "markdown", "text"] {
                if s(&body[f]).is_none() {
                    return Some(format!("missing field {f}"));
                }
            }
            None
        }
        _ => Some("unknown endpoint".into()),
    }
}

fn success(endpoint: &str, id: u64) -> (u16, String) {
    match endpoint {
        "wecom" | "dingtalk" => (200, r#"{"errcode":0,"errmsg":"ok"}"#.into()),
        "feishu" => (200, r#"{"code":0,"msg":"success","data":{}}"#.into()),
        "tg" => (
            200,
            format!(r#"{{"ok":true,"result":{{"message_id":{id}}}}}"#),
        ),
        "slack" => (200, "ok".into()),
        "discord" => (200, format!(r#"{{"id":"{id}","content":"…"}}"#)),
        _ => (200, format!(r#"{{"id":"h{id}"}}"#)),
    }
}

fn refusal(endpoint: &str, problem: &str) -> (u16, String) {
    match endpoint {
        "wecom" => (200, json!({"errcode": 40008, "errmsg": problem}).to_string()),
        "dingtalk" => (200, json!({"errcode": 310000, "errmsg": problem}).to_string()),
        "feishu" => (200, json!({"code": 19021, "msg": problem}).to_string()),
        "tg" => (400, json!({"ok": false, "error_code": 400, "description": format!("Bad Request: {problem}")}).to_string()),
        "slack" => (400, "invalid_payload".into()),
        "discord" => (400, json!({"code": 50006, "message": problem}).to_string()),
        _ => (400, problem.to_string()),
    }
}

impl Mock {
    /// Starts the server with the signing secrets the endpoints check.
    pub(crate) fn start(secrets: &[(&str, &str)]) -> Mock {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let secrets: HashMap<String, String> = secrets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let st = Arc::clone(&state);
        let sec = secrets.clone();
        let server = Arc::new(server);
        let base = format!("http://127.0.0.1:{port}");
        // A few handler threads, so a held request does not block the others.
        for _ in 0..4 {
            let st = Arc::clone(&st);
            let sec = sec.clone();
            let server = Arc::clone(&server);
            let base = base.clone();
            thread::spawn(move || loop {
                let Ok(mut req) = server.recv() else { return };
                let url = req.url().to_string();
                let endpoint = url
                    .trim_start_matches('/')
                    .split(['/', '?'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                let mut raw = String::new();
                let _ = req.as_reader().read_to_string(&mut raw);
                let body: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
                let problem = check(&endpoint, &url, &body, &sec);
                let (script, id) = {
                    let (m, _) = &*st;
                    let mut s = m.lock().unwrap();
                    s.next_id += 1;
                    let id = s.next_id;
                    s.got.push(Got {
                        endpoint: endpoint.clone(),
                        url: url.clone(),
                        body: body.clone(),
                        raw: raw.clone(),
                        at: Instant::now(),
                        problem: problem.clone(),
                    });
                    (s.scripts.get_mut(&endpoint).and_then(|q| q.pop_front()), id)
                };
                let mut retry_after = None;
                let (status, text) = match script {
                    Some(Script::Echo(code, template)) => {
                        let mut b = template.replace("{url}", &format!("{base}{url}"));
                        let path = url.split('?').next().unwrap_or("");
                        b = b.replace("{last}", path.rsplit('/').next().unwrap_or(""));
                        for (k, v) in query(&url) {
                            b = b.replace(&format!("{{query:{k}}}"), &v);
                        }
                        (code, b)
                    }
                    Some(Script::Reply(code, b, ra)) => {
                        retry_after = ra;
                        (code, b)
                    }
                    Some(Script::Slow(d)) => {
                        thread::sleep(d);
                        success(&endpoint, id)
                    }
                    Some(Script::Hold) => {
                        let (m, cv) = &*st;
                        let mut s = m.lock().unwrap();
                        while !s.released {
                            s = cv.wait(s).unwrap();
                        }
                        drop(s);
                        success(&endpoint, id)
                    }
                    None => match &problem {
                        Some(p) => refusal(&endpoint, p),
                        None => success(&endpoint, id),
                    },
                };
                let mut resp = tiny_http::Response::from_string(text).with_status_code(status);
                if let Some(ra) = retry_after {
                    resp.add_header(
                        tiny_http::Header::from_bytes(&b"Retry-After"[..], ra.as_bytes()).unwrap(),
                    );
                }
                let _ = req.respond(resp);
            });
        }
        Mock {
            base,
            state,
            secrets,
        }
    }

    /// Queues scripted answers for an endpoint (then normal answers).
    pub(crate) fn script(&self, endpoint: &str, s: Vec<Script>) {
        let (m, _) = &*self.state;
        m.lock()
            .unwrap()
            .scripts
            .entry(endpoint.to_string())
            .or_default()
            .extend(s);
    }

    /// Lets held requests answer.
    pub(crate) fn release(&self) {
        let (m, cv) = &*self.state;
        m.lock().unwrap().released = true;
        cv.notify_all();
    }

    /// Everything received so far.
    pub(crate) fn got(&self) -> Vec<Got> {
        self.state.0.lock().unwrap().got.clone()
    }

    /// Requests received by one endpoint.
    pub(crate) fn got_at(&self, endpoint: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.endpoint == endpoint)
            .collect()
    }

    /// Waits (up to `limit`) until `n` requests have arrived in total.
    pub(crate) fn wait_for(&self, n: usize, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if self.got().len() >= n {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }
}
