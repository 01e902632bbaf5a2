//! Helpers shared by the integration tests: the binary, the repository, a
//! copy of the demo community, the demo built, a snapshot of a folder and
//! SIGTERM here; the running `qunshu serve` in [`serve`], the headless
//! Chromium driver in [`browser`], the chat platform imitations in
//! [`mock`] and the channels that point at them in [`channels`]. Each
//! test file is its own crate and uses only some of them, hence
//! `allow(dead_code)`.
#![allow(dead_code)]

pub(crate) mod browser;
pub(crate) mod channels;
pub(crate) mod mock;
pub(crate) mod serve;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The names and handles of the demo's anonymous members: none may ever be
/// published.
pub(crate) const DEMO_ANONYMOUS: &[&str] = &[
    "欧阳秋菊",
    "司马青云",
    "诸葛婉清",
    "nightowl",
    "sailor",
    "pinecone",
];

/// The real `qunshu` binary, ready to run.
pub(crate) fn qunshu() -> Command {
    Command::cargo_bin("qunshu").expect("binary")
}

/// The real `qunshu` binary with `--root ROOT`.
pub(crate) fn qunshu_at(root: &Path) -> Command {
    let mut c = qunshu();
    c.arg("--root").arg(root);
    c
}

/// The repository root (where `site.toml` and `content/` of the demo are).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the demo community (`site.toml` + `content/`) into a temporary folder.
pub(crate) fn demo_copy() -> TempDir {
    demo_copy_with(&["content"])
}

/// Copies `site.toml` and the folders `dirs` of the repository into a
/// temporary folder.
pub(crate) fn demo_copy_with(dirs: &[&str]) -> TempDir {
    let t = TempDir::new().unwrap();
    fs::copy(repo().join("site.toml"), t.path().join("site.toml")).unwrap();
    for dir in dirs {
        for e in walkdir::WalkDir::new(repo().join(dir)) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(repo()).unwrap();
            let dest = t.path().join(rel);
            if e.file_type().is_dir() {
                fs::create_dir_all(&dest).unwrap();
            } else {
                fs::copy(e.path(), &dest).unwrap();
            }
        }
    }
    t
}

/// What a finished run printed and its exit code (-1 when killed by a signal).
pub(crate) struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to the end and returns its [`Out`].
pub(crate) fn output(cmd: &mut Command) -> Out {
    let o = cmd.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Builds the demo community of the repository (`--quiet`, at `clock`) into
/// `public/` of a new temporary folder; returns the folder and that path.
pub(crate) fn build_demo_into_temp(clock: &str) -> (TempDir, PathBuf) {
    let t = TempDir::new().unwrap();
    let out = t.path().join("public");
    qunshu()
        .arg("--root")
        .arg(repo())
        .args(["build", "--quiet", "--clock", clock, "--out"])
        .arg(&out)
        .assert()
        .success();
    (t, out)
}

/// A small fixture community's `site.toml` (base URL with a path, Shanghai
/// time): a brief column at 08:00, weekday questions at 15:00 and a case
/// column on Tuesdays and Thursdays.
pub(crate) const BASE_SITE: &str = r#"title = "测试社群"
base_url = "https://example.org/sub/"
timezone = "Asia/Shanghai"

[[columns]]
id = "zaobao"
name = "每日早报"
kind = "brief"
times = ["08:00"]

[[columns]]
id = "hot"
name = "热点话题"
kind = "qa"
times = ["15:00"]
days = "weekdays"

[[columns]]
id = "cases"
name = "案例拆解"
kind = "case"
times = ["20:00"]
days = ["tue", "thu"]
"#;

/// A fixture community in a temporary folder: `site_toml`,
/// `content/members.yaml` and the (path, content) pairs of `files`.
pub(crate) fn site_from(site_toml: &str, members: &str, files: &[(&str, &str)]) -> TempDir {
    let t = TempDir::new().unwrap();
    fs::write(t.path().join("site.toml"), site_toml).unwrap();
    fs::create_dir_all(t.path().join("content")).unwrap();
    fs::write(t.path().join("content/members.yaml"), members).unwrap();
    for (p, c) in files {
        let path = t.path().join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    }
    t
}

/// Every regular file under `dir`, path → bytes (symlinks not followed).
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The `url` of each result of `qunshu search --json` output, in order.
pub(crate) fn result_urls(v: &serde_json::Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect()
}

/// `html` without the theme's own one-line inline scripts, matched
/// exactly (only their JSON string literal varies, and it can hold no `<`,
/// `>` or `&`): the redirect page's (keeps the `#anchor`) and the 404
/// page's (sets its base). Checks for active markup run on what is left,
/// so any other inline script still fails them.
pub(crate) fn strip_theme_scripts(html: &str) -> String {
    const JS_STRING: &str = r#""(?:[^"\\<>&\n]|\\.)*""#;
    let redirect = format!(
        r"<script>location\.replace\({JS_STRING} \+ location\.search \+ location\.hash\)</script>"
    );
    let base = format!(
        r"<script>\(function \(\) \{{ var p = {JS_STRING}; if \(location\.protocol !== 'file:' && location\.pathname\.indexOf\(p\) === 0\) \{{ var b = document\.createElement\('base'\); b\.href = p; document\.head\.appendChild\(b\); \}} \}}\)\(\);</script>"
    );
    let re = regex::Regex::new(&format!("{redirect}|{base}")).expect("valid pattern");
    re.replace_all(html, "").into_owned()
}

/// Sends SIGTERM to a child process.
pub(crate) fn sigterm(pid: u32) {
    // SAFETY: kill(2) with a pid we spawned and a valid signal number.
    let r = unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    assert_eq!(r, 0, "kill failed");
}
