//! Running the real `qunshu serve` in tests: the server on a free port with
//! its output lines, and plain HTTP gets.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `qunshu serve`, killed when dropped.
pub(crate) struct Served {
    /// The server process.
    pub child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `qunshu serve` on the community at `root` (clock 2026-11-23
/// 12:00) and waits until it is serving.
pub(crate) fn serve(root: &Path) -> Served {
    serve_with(root, &[])
}

/// Like [`serve`], with more arguments for `qunshu serve`.
pub(crate) fn serve_with(root: &Path, extra: &[&str]) -> Served {
    let port = free_port();
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
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    for out in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
    }
    let s = Served {
        child,
        port,
        lines: rx,
    };
    s.wait_line("serving");
    s
}

impl Served {
    /// Waits (up to a minute, so a broken server fails instead of hanging) for an output line.
    pub(crate) fn wait_line(&self, needle: &str) -> String {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(200)) {
                if l.contains(needle) {
                    return l;
                }
            }
        }
        panic!("no output line with `{needle}`");
    }

    /// GETs `path`: (status, body).
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        let text = String::from_utf8_lossy(&buf).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|x| x.1)
            .unwrap_or("")
            .to_string();
        (status, body)
    }
}
