//! Live reload in a real browser: headless Chromium opens a page served by
//! `qunshu serve`; the post's file changes and the page shows the new text
//! by itself (scroll position kept); broken front matter shows the error
//! page; the fix brings the page back.
//!
//! Chromium is driven over the DevTools protocol with tungstenite (a small
//! self-contained client below). Without Chromium the test is skipped,
//! unless `QUNSHU_REQUIRE_BROWSER=1` (set by `.ci/run`), when it fails.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

fn find_chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

struct Browser {
    child: Child,
    ws: Socket,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1000,700",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(i) = l.find("ws://") {
                    let _ = tx.send(l[i..].trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium printed its DevTools address");
        let (ws, _) = tungstenite::connect(url).expect("connect to DevTools");
        Browser {
            child,
            ws,
            next: 0,
            _profile: profile,
        }
    }

    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = s.into();
        }
        self.ws
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let m = self.ws.read().expect("DevTools answer");
            let tungstenite::Message::Text(t) = m else {
                continue;
            };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }
}

struct Tab<'a> {
    b: &'a mut Browser,
    session: String,
}

impl Tab<'_> {
    fn open<'a>(b: &'a mut Browser, url: &str) -> Tab<'a> {
        let t = b.call("Target.createTarget", json!({ "url": url }), None);
        let target = t["targetId"].as_str().unwrap().to_string();
        let a = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
            None,
        );
        let session = a["sessionId"].as_str().unwrap().to_string();
        Tab { b, session }
    }

    fn eval(&mut self, js: &str) -> Value {
        let r = self.b.call(
            "Runtime.evaluate",
            json!({ "expression": js, "returnByValue": true }),
            Some(&self.session),
        );
        r["result"]["value"].clone()
    }

    /// Polls `js` until it is true (a minute at most, so a failure does not hang).
    fn wait_for(&mut self, js: &str) {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if self.eval(js) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let text = self.eval("document.body ? document.body.innerText.slice(0, 500) : ''");
        panic!("timed out waiting for `{js}`; the page says: {text}");
    }
}

/// A copy of the demo community (site.toml + content/) in a temp folder.
fn demo_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("site.toml"), tmp.path().join("site.toml")).unwrap();
    for e in walkdir::WalkDir::new(repo.join("content")) {
        let e = e.unwrap();
        let dest = tmp.path().join(e.path().strip_prefix(repo).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    tmp
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(root: &Path) -> (Served, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qunshu"))
        .arg("--root")
        .arg(root)
        .args([
            "serve",
            "--port",
            &port.to_string(),
            "--clock",
            "2026-11-23 12:00",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("serving") {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("qunshu serve stopped before serving");
        }
    }
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut out.into_inner().take(u64::MAX), &mut std::io::sink());
    });
    (Served(child), port)
}

fn edit(path: &Path, from: &str, to: &str) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(t.contains(from));
    std::fs::write(path, t.replacen(from, to, 1)).unwrap();
}

#[test]
fn page_reloads_itself_shows_errors_and_recovers() {
    let Some(exe) = find_chromium() else {
        if std::env::var_os("QUNSHU_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("QUNSHU_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)");
        }
        eprintln!("skipped: no chromium on PATH");
        return;
    };
    let site = demo_copy();
    let (_server, port) = serve(site.path());
    let file = site.path().join("content/cases/cash-flow-rescue.md");
    let page = qunshu::slug::encode_path("cases/案例拆解-一家培训公司的-90-天现金流自救.html");
    let url = format!("http://127.0.0.1:{port}/{page}");

    let mut browser = Browser::launch(&exe);
    let mut tab = Tab::open(&mut browser, &url);
    tab.wait_for("document.readyState === 'complete' && document.body.innerText.includes('背景')");
    // Scroll down, and mark this instance of the page.
    tab.eval("window.scrollTo(0, 600); window.__before_reload = 1; true");
    tab.wait_for("window.scrollY > 0");
    let y = tab.eval("window.scrollY").as_f64().unwrap();

    // Save a change: the page shows it without any action here.
    edit(&file, "## 背景", "## 背景\n\n浏览器里自动出现的新段落。");
    tab.wait_for("document.body.innerText.includes('浏览器里自动出现的新段落')");
    assert_eq!(
        tab.eval("window.__before_reload === undefined"),
        json!(true)
    );
    tab.wait_for("document.readyState === 'complete'");
    let y2 = tab.eval("window.scrollY").as_f64().unwrap();
    assert!((y2 - y).abs() < 2.0, "scroll position {y} became {y2}");

    // Break the front matter: the error page, naming the file and line.
    edit(&file, "title: ", "title: [");
    tab.wait_for("document.body.className === 'qunshu-error'");
    let text = tab
        .eval("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("content/cases/cash-flow-rescue.md:2"),
        "{text}"
    );

    // Fix it: the page comes back, with the text.
    edit(&file, "title: [", "title: ");
    tab.wait_for(
        "document.body.className !== 'qunshu-error' && document.body.innerText.includes('浏览器里自动出现的新段落')",
    );
}
