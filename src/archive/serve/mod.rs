//! `qunshu serve`: the live preview.
//!
//! Three parts, each in its own thread:
//!
//! - the **watcher** ([`watch`](crate::core::watch)) turns debounced file events into a
//!   [`Change`] and applies it to the in-memory [`Preview`], which re-renders
//!   only the affected pages ([`preview`]);
//! - the **HTTP server** (tiny_http) answers from an immutable snapshot of
//!   the pages, swapped whole after each update, so a browser never gets a
//!   half-written site. Every HTML page gets a small script that listens on
//!   a WebSocket; while the content has errors every page is an error page;
//! - one small thread per open browser tab holds its **WebSocket**
//!   (tungstenite) and sends `{"reload":true,"pages":[…]}` after an update;
//!   the tab reloads itself when its own page is listed (or `pages` is
//!   `null`: everything may have changed), keeping its scroll position.
//!
//! May import `core`, `archive::site` and `archive::search`; must not import
//! `publish`, `book` or `tools`.

pub(crate) mod preview;
pub(crate) mod search_worker;

use crate::core::config::Lang;
use crate::core::markdown::escape_text;
use crate::core::watch;
pub use preview::{Change, Pages, Preview, PreviewOptions, UpdateReport};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tiny_http::{Header, Request, Response, Server, StatusCode};

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8720;

/// The path of the live-reload WebSocket.
pub const LIVE_PATH: &str = "/__qunshu/live";

const LIVE_JS: &str = include_str!("live.js");

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// What the preview shows.
    pub preview: PreviewOptions,
}

/// What the HTTP side serves: one consistent state of the site.
struct Snapshot {
    pages: Pages,
    /// Problems to show instead of the site.
    error: Option<Vec<String>>,
    lang: Lang,
}

type Clients = Arc<Mutex<Vec<Sender<String>>>>;

/// Builds the site, serves it and rebuilds on every change until Ctrl-C.
pub fn run(root: &Path, opts: ServeOptions) -> anyhow::Result<()> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| anyhow::anyhow!("cannot open the site folder {}: {e}", root.display()))?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let server = match Server::http(addr) {
        Ok(s) => Arc::new(s),
        Err(e) => return Err(bind_error(&opts, e)),
    };
    let start = Instant::now();
    let mut preview = Preview::new(&root, opts.preview);
    report_update(&preview, None, start.elapsed(), preview.pages().len());

    let snapshot = Arc::new(RwLock::new(Arc::new(snapshot_of(&preview))));
    let clients: Clients = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let server = server.clone();
        // Ctrl-C or SIGTERM: stop the loop and unblock the HTTP server.
        let mut signals = signal_hook::iterator::Signals::new([
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
        ])
        .map_err(|e| anyhow::anyhow!("cannot catch Ctrl-C: {e}"))?;
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                stop.store(true, Ordering::SeqCst);
                server.unblock();
            }
        });
    }

    let shown = if opts.bind.is_unspecified() {
        IpAddr::from([127, 0, 0, 1])
    } else {
        opts.bind
    };
    let url = format!("http://{}/", SocketAddr::new(shown, opts.port));
    let title = preview
        .community()
        .map(|c| c.config.title.clone())
        .unwrap_or_default();
    println!("serving {title} at {url}  (Ctrl-C to stop)");
    if !opts.bind.is_loopback() {
        eprintln!(
            "note: listening on {}: anyone on your network can read the preview, drafts included",
            opts.bind
        );
    }

    let http = {
        let server = server.clone();
        let snapshot = snapshot.clone();
        let clients = clients.clone();
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let snap: Option<Arc<Snapshot>> = snapshot.read().ok().map(|s| Arc::clone(&s));
                let clients = clients.clone();
                std::thread::spawn(move || {
                    if let Some(snap) = snap {
                        handle(req, &snap, &clients);
                    }
                });
            }
        })
    };
    if opts.open {
        if let Err(e) = open::that_detached(&url) {
            eprintln!("note: could not open a browser ({e}); open {url} yourself");
        }
    }

    let members_file = preview
        .community()
        .map(|c| c.config.members_file.clone())
        .unwrap_or_else(|| PathBuf::from("content/members.yaml"));
    let watcher = watch::Watcher::start(&root, &members_file)?;
    // The search index is built on a worker after a quiet moment; an edit
    // cancels it and never waits for it.
    let quiet = Duration::from_millis(500);
    let mut last_event = Instant::now();
    let mut worker: Option<(search_worker::SearchWorker, Instant)> = None;
    while !stop.load(Ordering::SeqCst) {
        let wait = if worker.is_some() {
            Duration::from_millis(25)
        } else {
            quiet
        };
        let batch = match watcher.events.recv_timeout(wait) {
            Ok(b) => b,
            Err(RecvTimeoutError::Timeout) => {
                if let Some((w, t)) = &worker {
                    if let Some((gen, built)) = w.poll() {
                        match built {
                            Ok(Some((files, _))) => {
                                if preview.install_search(gen, files) {
                                    if let Ok(mut s) = snapshot.write() {
                                        *s = Arc::new(snapshot_of(&preview));
                                    }
                                    if crate::core::trace::enabled() {
                                        println!(
                                            "  search index rebuilt in {:.0} ms (in the background)",
                                            t.elapsed().as_secs_f64() * 1000.0
                                        );
                                    }
                                }
                            }
                            Ok(None) => {}
                            Err(e) => eprintln!("search index: {e:#}"),
                        }
                        worker = None;
                    }
                } else if last_event.elapsed() >= quiet && preview.search_stale() {
                    // Quiet for a moment: bring the search index up to date.
                    if let Some((gen, job)) = preview.search_job() {
                        worker =
                            Some((search_worker::SearchWorker::start(gen, job), Instant::now()));
                    }
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        last_event = Instant::now();
        if let Some((w, _)) = &worker {
            w.cancel();
        }
        let seen = Instant::now();
        let mut paths = match watch::Watcher::changed_paths(batch) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("watching files: {e}");
                continue;
            }
        };
        // More events may have queued while we waited; take them too.
        while let Ok(more) = watcher.events.try_recv() {
            paths.extend(watch::Watcher::changed_paths(more).unwrap_or_default());
        }
        let Some(change) = watcher.classify(&paths) else {
            continue;
        };
        let what = describe(&root, &change);
        let mut report = preview.update(change);
        let t = Instant::now();
        if let Ok(mut s) = snapshot.write() {
            *s = Arc::new(snapshot_of(&preview));
        }
        report.phases.push(("snapshot", t.elapsed()));
        let msg = match &report.changed {
            Some(v) if v.is_empty() => None,
            Some(v) => Some(serde_json::json!({ "reload": true, "pages": v }).to_string()),
            None => Some(serde_json::json!({ "reload": true, "pages": null }).to_string()),
        };
        let sent = match msg {
            Some(m) => broadcast(&clients, &m),
            None => 0,
        };
        report_update(&preview, Some((&what, &report, sent)), seen.elapsed(), 0);
    }
    server.unblock();
    let _ = http.join();
    println!("stopped");
    Ok(())
}

/// A plain message for a port that cannot be used, with a free one to try.
fn bind_error(opts: &ServeOptions, e: Box<dyn std::error::Error + Send + Sync>) -> anyhow::Error {
    let in_use = e
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse);
    if in_use {
        let free = (opts.port.saturating_add(1)..=opts.port.saturating_add(100))
            .find(|p| TcpListener::bind(SocketAddr::new(opts.bind, *p)).is_ok());
        let hint = match free {
            Some(p) => format!("try `qunshu serve --port {p}`"),
            None => "choose another one with --port".into(),
        };
        anyhow::anyhow!(
            "port {} on {} is already in use (is another `qunshu serve` running?); {hint}",
            opts.port,
            opts.bind
        )
    } else {
        anyhow::anyhow!("cannot listen on {}:{}: {e}", opts.bind, opts.port)
    }
}

fn snapshot_of(p: &Preview) -> Snapshot {
    Snapshot {
        pages: p.pages().clone(),
        error: p.error(),
        lang: p.lang(),
    }
}

fn describe(root: &Path, change: &Change) -> String {
    let _ = root;
    match change {
        Change::Full => "site settings, members or theme changed".into(),
        Change::Content(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            if names.len() > 3 {
                format!(
                    "{} and {} more changed",
                    names[..3].join(", "),
                    names.len() - 3
                )
            } else {
                format!("{} changed", names.join(", "))
            }
        }
    }
}

/// Prints what an update did, and the problems when there are any.
fn report_update(
    preview: &Preview,
    update: Option<(&str, &UpdateReport, usize)>,
    took: Duration,
    pages: usize,
) {
    let ms = took.as_secs_f64() * 1000.0;
    let diags = preview.diagnostics();
    if preview.error().is_some() {
        for d in diags.sorted() {
            eprintln!("{d}");
        }
        if let Some(lines) = preview.error().filter(|_| diags.error_count() == 0) {
            for l in lines {
                eprintln!("error: {l}");
            }
        }
        eprintln!(
            "the preview shows these problems until they are fixed; the server keeps running"
        );
        return;
    }
    match update {
        None => {
            if diags.warning_count() > 0 {
                for d in diags.sorted() {
                    eprintln!("{d}");
                }
            }
            println!("built {pages} files in {ms:.0} ms");
        }
        Some((what, r, sent)) => {
            let how = if r.full { "full" } else { "incremental" };
            let changed = match &r.changed {
                Some(v) => v.len().to_string(),
                None => "all".into(),
            };
            println!(
                "{what}: rendered {} pages ({how}), {changed} changed, {} removed in {ms:.1} ms; reload sent to {sent} tab(s)",
                r.rendered, r.removed
            );
            if crate::core::trace::enabled() {
                let phases: Vec<String> = r
                    .phases
                    .iter()
                    .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1000.0))
                    .collect();
                println!("  phases: {}", phases.join(", "));
            }
        }
    }
}

/// Sends `msg` to every open tab; forgets the closed ones. Returns how many got it.
fn broadcast(clients: &Clients, msg: &str) -> usize {
    let Ok(mut list) = clients.lock() else {
        return 0;
    };
    list.retain(|tx| tx.send(msg.to_string()).is_ok());
    list.len()
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn request_header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// The one range of a `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` header
/// that fits in `len` bytes, as inclusive offsets; `None` when it does not
/// fit or is not of that form (then the whole file is sent).
fn byte_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let (a, b) = header.trim().strip_prefix("bytes=")?.split_once('-')?;
    let (a, b) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (len.checked_sub(n.min(len))?, len.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, len.checked_sub(1)?),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<usize>().ok()?.min(len.checked_sub(1)?),
        ),
    };
    (a <= b && b < len).then_some((a, b))
}

fn handle(req: Request, snap: &Snapshot, clients: &Clients) {
    let url = req.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("/").to_string();
    if path == LIVE_PATH {
        live_socket(req, clients);
        return;
    }
    let rel = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8_lossy()
        .to_string();
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel
    };
    let found = snap
        .pages
        .get(&rel)
        .map(|b| (rel.clone(), b.clone()))
        .or_else(|| {
            let dir = format!("{rel}/index.html");
            snap.pages.get(&dir).map(|b| (dir, b.clone()))
        });
    let is_page = found
        .as_ref()
        .map(|(p, _)| p.ends_with(".html"))
        .unwrap_or(!rel.contains('.') || rel.ends_with(".html"));
    if let (Some(problems), true) = (&snap.error, is_page) {
        respond(
            req,
            500,
            "text/html; charset=utf-8",
            error_page(snap.lang, problems).into_bytes(),
        );
        return;
    }
    match found {
        Some((p, bytes)) => {
            let ct = content_type(&p);
            if p.ends_with(".html") {
                respond(req, 200, &ct, inject(&bytes));
                return;
            }
            // The search box fetches index entries by byte range.
            match request_header(&req, "Range").and_then(|r| byte_range(r, bytes.len())) {
                Some((a, b)) => {
                    let mut r = Response::from_data(bytes[a..=b].to_vec())
                        .with_status_code(StatusCode(206));
                    let range = format!("bytes {a}-{b}/{}", bytes.len());
                    for (k, v) in [
                        ("Content-Type", ct.as_str()),
                        ("Content-Range", range.as_str()),
                        ("Cache-Control", "no-store"),
                    ] {
                        r.add_header(header(k, v).expect("valid header"));
                    }
                    let _ = req.respond(r);
                }
                // No range, or one we do not serve: the whole file (RFC 9110 allows it).
                _ => respond(req, 200, &ct, bytes.to_vec()),
            }
        }
        None => match snap.pages.get("404.html") {
            Some(b) if is_page => {
                respond(req, 404, "text/html; charset=utf-8", inject(&root_based(b)))
            }
            _ => respond(
                req,
                404,
                "text/plain; charset=utf-8",
                b"not found\n".to_vec(),
            ),
        },
    }
}

fn respond(req: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let mut r = Response::from_data(body).with_status_code(StatusCode(status));
    r.add_header(header("Content-Type", content_type).expect("valid header"));
    r.add_header(header("Cache-Control", "no-store").expect("valid header"));
    let _ = req.respond(r);
}

/// The 404 page, shown at any depth, with its relative links resolved from
/// the preview's root (`<base href="/">` first in its head).
fn root_based(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.find("<head>") {
        Some(i) => format!("{}<base href=\"/\">{}", &text[..i + 6], &text[i + 6..]).into_bytes(),
        None => html.to_vec(),
    }
}

/// Puts the live-reload script into an HTML page.
fn inject(html: &[u8]) -> Vec<u8> {
    let script = format!("<script>{LIVE_JS}</script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{script}").into_bytes(),
    }
}

/// The page shown instead of the site while the content has errors.
pub fn error_page(lang: Lang, problems: &[String]) -> String {
    use crate::core::i18n::text::serve::{ERRORS_NOTE, ERRORS_TITLE};
    let (title, note) = (ERRORS_TITLE.get(lang), ERRORS_NOTE.get(lang));
    let items: String = problems
        .iter()
        .map(|p| format!("<li><code>{}</code></li>\n", escape_text(p)))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:3rem auto;padding:0 1rem;color:#222}}h1{{color:#b00020}}li{{margin:.6rem 0}}code{{white-space:pre-wrap;background:#fdecee;padding:.2rem .4rem;border-radius:3px}}</style></head>\n<body class=\"qunshu-error\"><h1>{title}</h1>\n<ul id=\"qunshu-errors\">\n{items}</ul>\n<p>{note}</p>\n<script>{LIVE_JS}</script></body></html>\n",
        lang.tag()
    )
}

/// The `Content-Type` of a served file, from its extension (mime_guess);
/// text types are UTF-8, as everything qunshu writes is.
fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || mime.subtype() == mime_guess::mime::JAVASCRIPT
        || mime.subtype() == mime_guess::mime::JSON
        || mime.suffix() == Some(mime_guess::mime::XML)
        || mime.subtype() == mime_guess::mime::XML;
    if text && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// Upgrades the request to a WebSocket and forwards reload messages to it
/// until the tab goes away.
fn live_socket(req: Request, clients: &Clients) {
    let Some(key) = request_header(&req, "Sec-WebSocket-Key").map(|k| k.to_string()) else {
        respond(
            req,
            400,
            "text/plain; charset=utf-8",
            b"expected a WebSocket\n".to_vec(),
        );
        return;
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut resp = Response::empty(StatusCode(101));
    if let Some(h) = header("Sec-WebSocket-Accept", &accept) {
        resp.add_header(h);
    }
    let stream = req.upgrade("websocket", resp);
    let mut ws =
        tungstenite::WebSocket::from_raw_socket(stream, tungstenite::protocol::Role::Server, None);
    let (tx, rx) = mpsc::channel::<String>();
    if let Ok(mut list) = clients.lock() {
        list.push(tx);
    }
    // The browser sends nothing we need; a write failing means it left.
    while let Ok(msg) = rx.recv() {
        if ws.send(tungstenite::Message::text(msg)).is_err() {
            break;
        }
    }
    let _ = ws.close(None);
    let _ = ws.flush();
}

#[cfg(test)]
mod content_type_tests {
    use super::{byte_range, content_type};

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(byte_range("bytes=90-200", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=95-", 100), Some((95, 99)));
        assert_eq!(byte_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=100-120", 100), None);
        assert_eq!(byte_range("bytes=5-2", 100), None);
        assert_eq!(byte_range("bytes=0-1,4-5", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
        assert_eq!(byte_range("bytes=0-0", 0), None);
    }

    #[test]
    fn text_is_utf8_and_the_rest_is_by_extension() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("search.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("atom.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("x.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("图.png"), "image/png");
        assert_eq!(content_type("a.woff2"), "font/woff2");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
