//! A small headless-Chromium driver for integration tests, over the
//! DevTools protocol (CDP) on a WebSocket, plus a static file server.
//!
//! ```ignore
//! let Some(mut b) = Browser::launch()? else { return Ok(()) }; // skipped: no chromium
//! let srv = StaticServer::start(dir)?;
//! b.goto(&srv.url("index.html"))?;
//! b.eval("document.querySelector('input').focus()")?;
//! b.type_text("合伙人")?;
//! b.wait_for("document.querySelectorAll('.qs-item').length > 0", 10)?;
//! b.press("Enter")?;
//! b.screenshot(Path::new("shot.png"))?;
//! ```
//!
//! Chromium is Debian's `chromium` (or `$CHROMIUM`). When it is missing
//! `launch` returns `Ok(None)` so a test can skip, unless
//! `QUNSHU_REQUIRE_BROWSER` is set (as `.ci/run` does): then it fails.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Errors of the driver, as plain strings.
pub(crate) type Result<T> = std::result::Result<T, String>;

/// A running headless Chromium with one page attached.
pub(crate) struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: String,
}

fn chromium_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

impl Browser {
    /// Starts Chromium with the project's flags and a fresh profile, and
    /// opens a blank page. `Ok(None)` when Chromium is not installed and
    /// `QUNSHU_REQUIRE_BROWSER` is unset.
    pub(crate) fn launch() -> Result<Option<Browser>> {
        let Some(bin) = chromium_path() else {
            if std::env::var_os("QUNSHU_REQUIRE_BROWSER").is_some() {
                return Err("QUNSHU_REQUIRE_BROWSER is set but chromium is not installed (apt-get install -y chromium fonts-noto-cjk)".into());
            }
            eprintln!("skipping: chromium is not installed");
            return Ok(None);
        };
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut child = Command::new(&bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--allow-file-access-from-files",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            let mut sent = false;
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                if !sent {
                    if let Some(i) = line.find("ws://") {
                        let _ = tx.send(line[i..].trim().to_string());
                        sent = true;
                    }
                }
                line.clear();
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                return Err("chromium did not print its DevTools address within 30 s".into());
            }
        };
        let (ws, _) =
            tungstenite::connect(url.as_str()).map_err(|e| format!("connect {url}: {e}"))?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
        }
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            next_id: 0,
            session: String::new(),
        };
        let target = b.call("Target.createTarget", json!({ "url": "about:blank" }))?;
        let id = target["targetId"]
            .as_str()
            .ok_or("no targetId")?
            .to_string();
        let att = b.call(
            "Target.attachToTarget",
            json!({ "targetId": id, "flatten": true }),
        )?;
        b.session = att["sessionId"].as_str().ok_or("no sessionId")?.to_string();
        b.call("Page.enable", json!({}))?;
        b.call("Runtime.enable", json!({}))?;
        Ok(Some(b))
    }

    /// How long to wait for any one answer from Chromium (default 60 s).
    pub(crate) fn set_timeout(&mut self, secs: u64) {
        if let MaybeTlsStream::Plain(s) = self.ws.get_ref() {
            let _ = s.set_read_timeout(Some(Duration::from_secs(secs)));
        }
    }

    /// Sends one CDP command (to the page once attached) and waits for its result.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        loop {
            let m = self.ws.read().map_err(|e| format!("{method}: {e}"))?;
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).map_err(|e| e.to_string())?;
            if v["id"].as_u64() == Some(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v["result"].clone());
            }
        }
    }

    /// Evaluates JavaScript in the page (awaiting a returned promise) and
    /// returns its value as JSON.
    pub(crate) fn eval(&mut self, js: &str) -> Result<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": js, "awaitPromise": true, "returnByValue": true }),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("JavaScript error: {ex}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Polls `condition` (a JavaScript expression) until it is truthy;
    /// returns its value. Fails after `secs` seconds.
    pub(crate) fn wait_for(&mut self, condition: &str, secs: u64) -> Result<Value> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.eval(condition).unwrap_or(Value::Null);
            if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                return Ok(v);
            }
            if Instant::now() > end {
                return Err(format!("timed out waiting for: {condition}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens `url` and waits until the document has loaded.
    pub(crate) fn goto(&mut self, url: &str) -> Result<()> {
        self.call("Page.navigate", json!({ "url": url }))?;
        self.wait_loaded(url)
    }

    /// Waits until the page at an address starting like `url` (without its
    /// query) has loaded.
    pub(crate) fn wait_loaded(&mut self, url: &str) -> Result<()> {
        let base = url.split(['?', '#']).next().unwrap_or(url).to_string();
        let cond = format!(
            "document.readyState === 'complete' && decodeURI(location.href).startsWith(decodeURI({}))",
            json!(base)
        );
        self.wait_for(&cond, 30).map(|_| ())
    }

    /// The current address.
    pub(crate) fn url(&mut self) -> Result<String> {
        Ok(self
            .eval("location.href")?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Types text into the focused element (as an input method would).
    pub(crate) fn type_text(&mut self, text: &str) -> Result<()> {
        self.call("Input.insertText", json!({ "text": text }))
            .map(|_| ())
    }

    /// Presses and releases a key: `Enter`, `Escape`, `ArrowDown`, `ArrowUp`, `Tab`.
    pub(crate) fn press(&mut self, key: &str) -> Result<()> {
        let code = match key {
            "Enter" => 13,
            "Escape" => 27,
            "ArrowDown" => 40,
            "ArrowUp" => 38,
            "Tab" => 9,
            _ => 0,
        };
        let mut down =
            json!({ "type": "keyDown", "key": key, "code": key, "windowsVirtualKeyCode": code });
        if key == "Enter" {
            down["text"] = json!("\r");
        }
        self.call("Input.dispatchKeyEvent", down)?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code }),
        )
        .map(|_| ())
    }

    /// Clicks the centre of the first element matching a CSS selector, with the mouse.
    pub(crate) fn click(&mut self, selector: &str) -> Result<()> {
        let r = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return null; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            json!(selector)
        ))?;
        let (x, y) = (
            r[0].as_f64().ok_or(format!("no element {selector}"))?,
            r[1].as_f64().unwrap_or(0.0),
        );
        for t in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": t, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            )?;
        }
        Ok(())
    }

    /// Sets the viewport size; `mobile` emulates a phone (touch, device width).
    pub(crate) fn viewport(&mut self, width: u32, height: u32, mobile: bool) -> Result<()> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": if mobile { 2 } else { 1 }, "mobile": mobile }),
        )?;
        self.call(
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": mobile }),
        )
        .map(|_| ())
    }

    /// Saves a PNG screenshot of the viewport.
    pub(crate) fn screenshot(&mut self, path: &Path) -> Result<()> {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }))?;
        let data = r["data"].as_str().ok_or("no screenshot data")?;
        let bytes = base64_decode(data)?;
        std::fs::write(path, bytes).map_err(|e| e.to_string())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut n) = (0u32, 0);
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        let v = val(c).ok_or("bad base64")?;
        acc = (acc << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
    }
    Ok(out)
}

/// A static file server on 127.0.0.1 for a folder (GET and HEAD only),
/// which also counts the bytes of every file it serves.
pub(crate) struct StaticServer {
    /// The port it listens on.
    pub port: u16,
    served: std::sync::Arc<std::sync::Mutex<Vec<(String, u64)>>>,
}

/// How a [`StaticServer`] behaves.
#[derive(Clone)]
struct Options {
    not_found: NotFound,
    /// Answer `Range: bytes=a-b` with 206 and those bytes (as static hosts
    /// do); when false, the whole file, as `python3 -m http.server` does.
    ranges: bool,
}

/// What a [`StaticServer`] answers for a missing file (status 404).
#[derive(Clone)]
enum NotFound {
    Text,
    /// This page (as static hosts do with `404.html`).
    Page(PathBuf),
}

impl StaticServer {
    /// Serves `dir` on a free port, in a background thread.
    pub(crate) fn start(dir: &Path) -> Result<StaticServer> {
        Self::start_with(dir, NotFound::Text, true)
    }

    /// Like [`StaticServer::start`], but ignoring `Range` requests (always
    /// the whole file, status 200), as some simple servers do.
    pub(crate) fn start_without_ranges(dir: &Path) -> Result<StaticServer> {
        Self::start_with(dir, NotFound::Text, false)
    }

    /// Like [`StaticServer::start`], answering a missing file with the page
    /// `page` (a path under `dir`) and status 404, as a static host
    /// configured with a 404 page does.
    pub(crate) fn start_with_404(dir: &Path, page: &str) -> Result<StaticServer> {
        Self::start_with(dir, NotFound::Page(dir.join(page)), true)
    }

    fn start_with(dir: &Path, not_found: NotFound, ranges: bool) -> Result<StaticServer> {
        let opts = Options { not_found, ranges };
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let dir = dir.to_path_buf();
        let served = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dir = dir.clone();
                let log = log.clone();
                let opts = opts.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &dir, &log, &opts);
                });
            }
        });
        Ok(StaticServer { port, served })
    }

    /// The address of a path under the served folder.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, path)
    }

    /// Takes the list of (path, bytes) served since the last call.
    pub(crate) fn take_log(&self) -> Vec<(String, u64)> {
        std::mem::take(&mut *self.served.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn serve_one(
    mut stream: TcpStream,
    dir: &Path,
    log: &std::sync::Mutex<Vec<(String, u64)>>,
    opts: &Options,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path);
    let mut rel = decoded.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let file = dir.join(&rel);
    let ok = !rel.split('/').any(|s| s == "..") && file.is_file();
    let (status, mut body, file) = match (ok, &opts.not_found) {
        (true, _) => ("200 OK", std::fs::read(&file)?, file),
        (false, NotFound::Page(p)) => ("404 Not Found", std::fs::read(p)?, p.clone()),
        (false, NotFound::Text) => ("404 Not Found", b"not found".to_vec(), file),
    };
    let ctype = match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    };
    // One `bytes=a-b` range, when asked for and allowed.
    let range = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("range")
                .then(|| v.trim().to_string())
        })
        .and_then(|v| {
            let (a, b) = v.strip_prefix("bytes=")?.split_once('-')?;
            Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
        })
        .filter(|&(a, b)| ok && opts.ranges && a <= b && b < body.len());
    let mut status = status.to_string();
    let mut extra = String::new();
    let accept = if opts.ranges {
        "Accept-Ranges: bytes\r\n"
    } else {
        ""
    };
    if let Some((a, b)) = range {
        extra = format!("Content-Range: bytes {a}-{b}/{}\r\n", body.len());
        body = body[a..=b].to_vec();
        status = "206 Partial Content".to_string();
    }
    if ok {
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((rel.clone(), body.len() as u64));
    }
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}{accept}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Decodes `%XX` escapes of a URL path (as UTF-8, lossy).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
