//! Hostile content and privacy (issue 11, items 2, 4 and 5): the real
//! binary builds a copy of the demo community with hostile posts added, and
//! every output file — pages, `atom.xml`, `sitemap.xml`, the search index,
//! `schedule --format ics`, the outbox and every book format — is searched
//! for what must never be published.

use crate::common;

use common::{demo_copy_with, qunshu, snapshot};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CLOCK: &str = "2026-11-23 12:00";

/// Copies the demo community, with its `book/` settings, into a temporary folder.
fn demo_copy() -> TempDir {
    demo_copy_with(&["content", "book"])
}

/// Every file under `dir` (path relative to it, text), skipping none.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    snapshot(dir)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect()
}

fn epub_files(path: &Path) -> Vec<(PathBuf, String)> {
    let bytes = fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut buf).unwrap();
            (
                PathBuf::from(format!("epub:{}", f.name())),
                String::from_utf8_lossy(&buf).into_owned(),
            )
        })
        .collect()
}

fn build(root: &Path) -> PathBuf {
    qunshu()
        .arg("--root")
        .arg(root)
        .args(["build", "--clock", CLOCK])
        .assert()
        .success();
    root.join("public")
}

/// Asserts that no file in `files` contains any of `needles` (case-insensitive).
fn assert_absent(files: &[(PathBuf, String)], needles: &[&str]) {
    for (path, text) in files {
        let lower = text.to_lowercase();
        for n in needles {
            assert!(
                !lower.contains(&n.to_lowercase()),
                "`{n}` found in {}:\n{}",
                path.display(),
                excerpt_around(text, n)
            );
        }
    }
}

fn excerpt_around(text: &str, needle: &str) -> String {
    let lower = text.to_lowercase();
    match lower.find(&needle.to_lowercase()) {
        Some(i) => {
            let start = lower[..i]
                .char_indices()
                .rev()
                .nth(80)
                .map(|(k, _)| k)
                .unwrap_or(0);
            let end = lower[i..]
                .char_indices()
                .nth(120)
                .map(|(k, _)| i + k)
                .unwrap_or(lower.len());
            text.get(start..end).unwrap_or("").to_string()
        }
        None => String::new(),
    }
}

/// A brief whose headings carry event-handler attributes and no raw HTML
/// (the case the sanitiser used to skip).
const XSS_BRIEF: &str = "---
title: 早报｜11月22日：标题属性
publish_at: 2026-11-22 08:00
column: zaobao
authors: [xiaowang]
---
大家早。今天没有任何原始 HTML。

## 小标题 {tabindex=0 autofocus onfocus=alert(document.domain)}

正文。

### 另一个 {#ok .note onmouseover=alert(2) style=color:red}

结束。
";

/// Inserts `md` at the start of the body of the demo post `rel`.
fn prepend_to_body(root: &Path, rel: &str, md: &str) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let end = text[4..].find("\n---\n").unwrap() + 4 + 5;
    fs::write(&path, format!("{}{md}\n{}", &text[..end], &text[end..])).unwrap();
}

/// Runs `qunshu book` (EPUB, HTML and Markdown) into `root/book-test`.
fn book(root: &Path) -> Vec<(PathBuf, String)> {
    let dir = root.join("book-test");
    qunshu()
        .arg("--root")
        .arg(root)
        .args([
            "book",
            "--format",
            "epub,html,md",
            "--clock",
            CLOCK,
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let mut all = files(&dir);
    all.extend(epub_files(&dir.join("book.epub")));
    all
}

#[test]
fn heading_attributes_never_reach_any_output() {
    let t = demo_copy();
    fs::write(t.path().join("content/briefs/2026-11-22-xss.md"), XSS_BRIEF).unwrap();
    // A thread that is in the book.
    prepend_to_body(
        t.path(),
        "content/qa/first-cofounder.md",
        "## 背景 {autofocus onfocus=alert(document.domain)}\n",
    );
    let out = build(t.path());
    let mut all = files(&out);
    let books = book(t.path());
    assert!(books.iter().any(|(_, s)| s.contains("背景")));
    all.extend(books);
    let page = all
        .iter()
        .find(|(p, _)| p.to_string_lossy().contains("标题属性"))
        .expect("the brief's page");
    assert!(page.1.contains("小标题"), "the heading is still there");
    assert!(
        all.iter()
            .any(|(p, s)| p.ends_with("atom.xml") && s.contains("小标题")),
        "the brief is in the feed"
    );
    assert_absent(
        &all,
        &[
            "onfocus",
            "autofocus",
            "onmouseover",
            "tabindex",
            "alert(document",
        ],
    );
}

fn check(root: &Path, strict: bool) -> std::process::Output {
    let mut cmd = qunshu();
    cmd.arg("--root")
        .arg(root)
        .args(["check", "--clock", CLOCK]);
    if strict {
        cmd.arg("--strict");
    }
    cmd.output().unwrap()
}

#[test]
fn empty_members_file_warns_and_fails_under_strict() {
    for text in ["", "# 成员档案\n# privacy: public = 显示真名\n"] {
        let t = demo_copy();
        fs::write(t.path().join("content/members.yaml"), text).unwrap();
        let out = check(t.path(), false);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a warning only: {err}");
        assert!(
            err.contains("content/members.yaml") && err.contains("lists nobody"),
            "{text:?}: {err}"
        );
        let out = check(t.path(), true);
        assert!(!out.status.success(), "--strict fails");
    }
}

#[test]
fn duplicate_member_is_an_error_naming_both_lines() {
    let t = demo_copy();
    let path = t.path().join("content/members.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let first = text
        .lines()
        .position(|l| l == "nightowl:")
        .expect("nightowl in the demo")
        + 1;
    let second = text.lines().count() + 1;
    fs::write(&path, format!("{text}nightowl: {{privacy: public}}\n")).unwrap();
    let out = qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&format!("content/members.yaml:{second}"))
            && err.contains(&format!("line {first}"))
            && err.contains("nightowl"),
        "{err}"
    );
    assert!(!t.path().join("public").exists(), "nothing published");
}

#[test]
fn member_without_privacy_is_shown_by_alias_or_unnamed() {
    let t = demo_copy();
    let path = t.path().join("content/members.yaml");
    let text = fs::read_to_string(&path).unwrap();
    // lisi (李思远, alias 思远) and huanglei (黄一鸣) lose their `privacy:`
    // line; huanglei loses his alias too.
    let text = text
        .replace("  alias: 一鸣\n", "")
        .replace(
            "  strengths: [融资, 股权设计, 商业计划书]\n  privacy: public\n",
            "  strengths: [融资, 股权设计, 商业计划书]\n",
        )
        .replace(
            "  strengths: [独立站, 海外供应链, 团队管理]\n  privacy: public\n",
            "  strengths: [独立站, 海外供应链, 团队管理]\n",
        );
    fs::write(&path, text).unwrap();
    let out = qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("huanglei") && err.contains("privacy"), "{err}");
    let all = files(&t.path().join("public"));
    assert_absent(&all, &["李思远", "黄一鸣", "members/一鸣.html"]);
    assert!(all.iter().any(|(_, s)| s.contains("思远")));
    assert!(all.iter().any(|(p, _)| p.ends_with("members/思远.html")));
}

/// What must never be published: the handles, real names and aliases of
/// the demo's anonymous members, and the real name and handle of an alias member.
const NEVER: &[&str] = &[
    "nightowl",
    "sailor",
    "pinecone",
    "欧阳秋菊",
    "司马青云",
    "诸葛婉清",
    "夜猫子",
    "水手",
    "松果",
    "liuyang",
    "刘洋",
];

/// A brief published the day before the clock, naming members in its
/// title, description and body (an anonymous member, a public one, an alias one).
const MENTION_BRIEF: &str = "---
title: 早报｜11月22日：感谢 @nightowl 和 @lisi 的分享
publish_at: 2026-11-22 08:00
column: zaobao
authors: [xiaowang]
description: 本期由 @sailor 提供素材
tags: [股权]
---
大家早。感谢 @nightowl 昨天在群里的分享，@lisi 和 @liuyang 也补充了很多，还有新朋友 @newbie。

> 引用 @pinecone 的一句话：**现金流第一**。

- 列表里的 @sailor
- 表格也一样：

| 谁 | 说了什么 |
| --- | --- |
| @nightowl | 先谈股权 |

邮件 team@nightowl.example 和链接 https://example.org/@someone 都不是提及。
";

/// A queued brief (no time): its planned slot comes after the clock, so it
/// is in the calendar and delivered later.
const QUEUED_BRIEF: &str = "---
title: 早报：和 @nightowl 一起复盘
column: zaobao
authors: [xiaowang]
---
@pinecone 的复盘模板见下。
";

fn mention_demo() -> TempDir {
    let t = demo_copy();
    fs::write(
        t.path().join("content/briefs/2026-11-22-thanks.md"),
        MENTION_BRIEF,
    )
    .unwrap();
    fs::write(
        t.path().join("content/briefs/queue-00-review.md"),
        QUEUED_BRIEF,
    )
    .unwrap();
    // A thread that is in the book: a mention in its title, question,
    // an answer's title, an answer and a reply.
    let path = t.path().join("content/qa/first-cofounder.md");
    let text = fs::read_to_string(&path).unwrap();
    let text = text.replacen("title: ", "title: 问 @nightowl：", 1);
    fs::write(&path, text).unwrap();
    prepend_to_body(
        t.path(),
        "content/qa/first-cofounder.md",
        "（这个问题 @sailor 也问过。）\n",
    );
    let text = fs::read_to_string(&path).unwrap();
    let first_answer = text.find("\n## @").unwrap() + 1;
    let eol = first_answer + text[first_answer..].find('\n').unwrap();
    let text = format!(
        "{} 参考 @pinecone 的做法\n感谢 @nightowl。\n{}",
        &text[..eol],
        &text[eol + 1..]
    );
    fs::write(&path, text).unwrap();
    t
}

#[test]
fn mentions_are_credited_in_every_output() {
    let t = mention_demo();
    let root = t.path();
    let out = qunshu()
        .arg("--root")
        .arg(root)
        .args(["build", "--clock", CLOCK])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // `@newbie` is not a member: shown as written, with a warning.
    assert!(
        err.contains("content/briefs/2026-11-22-thanks.md:9")
            && err.contains("`@newbie` is not in the members file"),
        "{err}"
    );
    assert!(!err.contains("@someone"), "a URL is no mention: {err}");
    let mut all = files(&root.join("public"));

    // The pages show the credit: the anonymous label, the public member's
    // name linked to their page, the alias member's alias.
    let page = all
        .iter()
        .find(|(p, _)| p.starts_with("briefs") && p.to_string_lossy().contains("李思远"))
        .map(|(_, s)| s.clone())
        .expect("the brief's page, its slug made from the credited title");
    assert!(page.contains("感谢 匿名成员 昨天"), "{page}");
    assert!(
        page.contains("<a href=\"../members/%E6%9D%8E%E6%80%9D%E8%BF%9C.html\""),
        "a public member links to their page: {page}"
    );
    assert!(page.contains("洋葱"));
    assert!(
        page.contains("team@nightowl.example"),
        "an e-mail address is no mention"
    );

    // The calendar (the queued brief is planned after the clock).
    let ics = qunshu()
        .arg("--root")
        .arg(root)
        .args([
            "schedule", "--days", "30", "--format", "ics", "--clock", CLOCK,
        ])
        .output()
        .unwrap();
    let ics = String::from_utf8_lossy(&ics.stdout).into_owned();
    assert!(
        ics.contains("一起复盘"),
        "the queued brief is in the calendar"
    );
    all.push(("schedule.ics".into(), ics));

    // The outbox: the brief at its time, and the queued brief at its slot.
    for clock in ["2026-11-22 08:01", "2026-11-24 08:01", "2026-11-25 08:01"] {
        qunshu()
            .arg("--root")
            .arg(root)
            .args(["post", "--clock", clock])
            .output()
            .unwrap();
    }
    let outbox = files(&root.join("outbox"));
    assert!(
        outbox.iter().any(|(_, s)| s.contains("感谢 匿名成员")),
        "{outbox:?}"
    );
    assert!(
        outbox.iter().any(|(_, s)| s.contains("一起复盘")),
        "{outbox:?}"
    );
    all.extend(outbox);
    // `post --dry-run` renders for every chat platform.
    all.extend(books_and_dry_run(root));

    // The e-mail address stays as written; so, in the files that keep
    // Markdown, would a handle inside code: neither is a mention.
    let allowed = "team@nightowl.example";
    let all: Vec<(PathBuf, String)> = all
        .into_iter()
        .map(|(p, s)| (p, s.replace(allowed, "")))
        .collect();
    assert_absent(&all, NEVER);
}

/// The book in every text format and what `post --dry-run` prints.
fn books_and_dry_run(root: &Path) -> Vec<(PathBuf, String)> {
    let mut all = book(root);
    assert!(
        all.iter()
            .any(|(p, s)| p.ends_with("book.md") && s.contains("问 匿名成员")),
        "the book's section title and table of contents are credited"
    );
    // Every chat platform renders the brief (nothing is sent in a dry run).
    let kinds = [
        ("wecom", ""),
        ("feishu", ""),
        ("dingtalk", ""),
        (
            "telegram",
            "secret_env = \"T_SECRET\"\nchat_id_env = \"T_CHAT\"\n",
        ),
        ("slack", ""),
        ("discord", ""),
        ("webhook", ""),
    ];
    let mut site = fs::read_to_string(root.join("site.toml")).unwrap();
    for (kind, extra) in kinds {
        site.push_str(&format!(
            "\n[[channels]]\nid = \"t-{kind}\"\nkind = \"{kind}\"\nurl_env = \"T_URL\"\n{extra}"
        ));
    }
    fs::write(root.join("site.toml"), site).unwrap();
    let dry = qunshu()
        .arg("--root")
        .arg(root)
        .args(["post", "--dry-run", "--clock", "2026-11-22 08:01"])
        .env("T_URL", "http://127.0.0.1:9/")
        .env("T_SECRET", "x")
        .env("T_CHAT", "1")
        .output()
        .unwrap();
    let dry = String::from_utf8_lossy(&dry.stdout).into_owned();
    for (kind, _) in kinds {
        let block = dry
            .split("=== ")
            .find(|b| b.starts_with(&format!("t-{kind} ")) && b.contains("thanks.md"))
            .unwrap_or_else(|| panic!("no {kind} message: {dry}"));
        assert!(block.contains("感谢 匿名成员"), "{kind}: {block}");
    }
    all.push(("post --dry-run".into(), dry));
    all
}

use common::serve as served;

#[test]
fn serve_shows_neither_handlers_nor_handles() {
    let t = mention_demo();
    fs::write(t.path().join("content/briefs/2026-11-22-xss.md"), XSS_BRIEF).unwrap();
    let s = served::serve(t.path());
    let (status, home) = s.get("/");
    assert_eq!(status, 200);
    let hrefs: Vec<String> = home
        .split("href=\"")
        .skip(1)
        .filter_map(|h| h.split('"').next())
        .filter(|h| h.starts_with("briefs/") && h.ends_with(".html"))
        .map(|h| format!("/{h}"))
        .collect();
    assert!(!hrefs.is_empty(), "{home}");
    let mut pages = vec![("/".into(), home)];
    for h in hrefs {
        let (status, body) = s.get(&h);
        assert_eq!(status, 200, "{h}");
        pages.push((PathBuf::from(h), body));
    }
    assert!(
        pages.iter().any(|(_, b)| b.contains("小标题")),
        "the XSS brief is served"
    );
    assert!(
        pages.iter().any(|(_, b)| b.contains("感谢 匿名成员")),
        "the mention brief is served"
    );
    let pages: Vec<(PathBuf, String)> = pages
        .into_iter()
        .map(|(p, b)| (p, b.replace("team@nightowl.example", "")))
        .collect();
    assert_absent(&pages, &["onfocus", "autofocus", "onmouseover", "tabindex"]);
    assert_absent(&pages, NEVER);
}
