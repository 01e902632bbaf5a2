//! Integration tests of `qunshu build` and `qunshu check`: the real binary on
//! real files (the bundled demo and small fixture sites written here).

use crate::common;

use common::{demo_copy, qunshu, site_from, snapshot, BASE_SITE};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CLOCK: &str = "2026-11-23 12:00";
const ANONYMOUS: &[&str] = common::DEMO_ANONYMOUS;

fn build_demo() -> (TempDir, PathBuf) {
    let t = demo_copy();
    let out = t.path().join("public");
    qunshu()
        .args(["--root"])
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .assert()
        .success();
    (t, out)
}

const MEMBERS: &str = "alice:\n  name: 艾丽丝\n  privacy: public\nbob:\n  name: 鲍勃真名\n  alias: 小鲍\n  privacy: alias\nghost:\n  name: 幽灵真名\n  privacy: anonymous\n";

/// A fixture site from (path, content) pairs, with site.toml and members.
fn site(files: &[(&str, &str)]) -> TempDir {
    site_from(BASE_SITE, MEMBERS, files)
}

fn all_text(dir: &Path) -> String {
    snapshot(dir)
        .into_values()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_builds_every_page_kind() {
    let (_t, out) = build_demo();
    for page in [
        "index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "style.css",
        "briefs/index.html",
        "qa/index.html",
        "cases/index.html",
        "columns/zaobao/index.html",
        "columns/hot/index.html",
        "tags/index.html",
        "tags/合伙人/index.html",
        "stages/index.html",
        "stages/种子期/index.html",
        "members/index.html",
        "members/王晓雯.html",
        "members/敏姐.html",
        "qa/刚创业-怎么找到第一个合伙人.html",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    // Open threads and queued posts are not published.
    let qa: Vec<_> = fs::read_dir(out.join("qa")).unwrap().collect();
    assert_eq!(qa.len(), 12 + 1, "12 solved threads + the listing");
    assert!(!all_text(&out).contains("团队分散在三个城市"));

    let thread = fs::read_to_string(out.join("qa/刚创业-怎么找到第一个合伙人.html")).unwrap();
    assert!(thread.contains("\"@type\":\"QAPage\""), "QAPage JSON-LD");
    assert!(thread.contains("\"acceptedAnswer\""));
    // The accepted answer comes first and is marked; the summary is there.
    let accepted = thread
        .find("answer accepted")
        .expect("accepted answer marked");
    let other = thread.find("class=\"answer\"").expect("other answers");
    assert!(accepted < other);
    assert!(
        thread.contains("李思远"),
        "accepted answer credited by name"
    );
    assert!(thread.contains("class=\"summary\""));
    // Relative links only: the archive works from disk and under a sub-path.
    assert!(!thread.contains("href=\"https://example.org/tongxing/"));
    assert!(thread.contains("href=\"../style.css\""));
    // Feeds use the absolute base URL.
    let feed = fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(feed.contains("<id>https://example.org/tongxing/qa/"));
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.org/tongxing/</loc>"));
}

#[test]
fn demo_respects_privacy() {
    let (_t, out) = build_demo();
    let text = all_text(&out);
    for name in ANONYMOUS {
        assert!(
            !text.contains(name),
            "anonymous member {name} appears in public/"
        );
    }
    // Alias members appear by alias only.
    for real in ["刘洋", "赵敏", "马悦", "何军", "唐果"] {
        assert!(
            !text.contains(real),
            "alias member's real name {real} appears"
        );
    }
    assert!(text.contains("匿名成员"));
    assert!(text.contains("敏姐"));
    // No profile page for anonymous members.
    let members: Vec<String> = fs::read_dir(out.join("members"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(members.len(), 15 + 1, "{members:?}");
}

#[test]
fn links_between_posts_and_assets_resolve() {
    let t = site(&[
        (
            "content/briefs/a.md",
            "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\n---\n见[案例](../cases/b.md#做法)和![图](img/p.png)\n",
        ),
        ("content/briefs/img/p.png", "PNG"),
        (
            "content/cases/b.md",
            "---\ntitle: 案例 B\nslug: case-b\npublish_at: 2026-11-03 20:00\nauthors: [alice]\n---\n## 做法\n内容\n",
        ),
    ]);
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .assert()
        .success();
    let page = fs::read_to_string(t.path().join("public/briefs/第一篇.html")).unwrap();
    assert!(
        page.contains("href=\"../cases/case-b.html#%E5%81%9A%E6%B3%95\""),
        "{page}"
    );
    assert!(page.contains("src=\"../briefs/img/p.png\""), "{page}");
    assert!(t.path().join("public/briefs/img/p.png").is_file());
    let case = fs::read_to_string(t.path().join("public/cases/case-b.html")).unwrap();
    assert!(case.contains("id=\"做法\""));
}

#[test]
fn hostile_html_is_sanitised() {
    let evil = r#"---
title: "<script>alert('title')</script>标题"
publish_at: 2026-11-01 08:00
description: "\"><img src=x onerror=alert(1)>"
tags: ["<b onmouseover=alert(1)>x</b>"]
---
<script>alert(1)</script>
<img src="x" onerror="alert(2)">
<a href="javascript:alert(3)">click</a>
<a href=" JaVaScRiPt:alert(4)">click</a>
[md link](javascript:alert(5))
![img](javascript:alert(6))
<iframe src="https://evil.example/"></iframe>
<svg onload="alert(7)"><circle/></svg>
<div style="background:url(javascript:alert(8))">styled</div>
<form action="https://evil.example/"><input type="password" name="p"></form>
<object data="x.swf"></object><embed src="x.swf">
<p onclick="alert(9)">para</p>
<math><mi xlink:href="javascript:alert(10)">m</mi></math>

`<script>in code</script>`
"#;
    let thread = r#"---
title: 问题
asked_by: alice
publish_at: 2026-11-02 15:00
status: solved
accepted: bob
---
<img src=x onerror=alert(11)>

## @bob <script>alert(12)</script>
<script>alert(13)</script>答案

## 总结
<a href="vbscript:msgbox(1)">x</a>
"#;
    let t = site(&[
        ("content/briefs/evil.md", evil),
        ("content/qa/t.md", thread),
    ]);
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .assert()
        .success();
    let out = t.path().join("public");
    for (path, bytes) in snapshot(&out) {
        let html = common::strip_theme_scripts(&String::from_utf8_lossy(&bytes)).to_lowercase();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "html" {
            continue;
        }
        // The only script elements allowed are the theme's own: JSON-LD
        // data, the search box's script file (and the exact one-line
        // scripts of the 404 and redirect pages, taken out above).
        for tag in tags(&html) {
            let (name, attrs) = parse_tag(tag);
            if name == "script" {
                let ours = attrs == [("type".to_string(), "application/ld+json".to_string())]
                    || attrs
                        .iter()
                        .any(|(k, v)| k == "src" && v.ends_with("search.js"));
                assert!(ours, "script element in {}: <{tag}>", path.display());
            }
        }
        for tag in tags(&html) {
            let (name, attrs) = parse_tag(tag);
            // The theme's own search box.
            let theme_box = attrs
                .iter()
                .any(|(k, v)| k == "class" && (v == "qs-form" || v == "qs-input"));
            assert!(
                theme_box
                    || !["iframe", "object", "embed", "form", "svg", "math", "input"]
                        .contains(&name.as_str()),
                "<{name}> survives in {}",
                path.display()
            );
            for (k, v) in attrs {
                assert!(
                    !k.starts_with("on"),
                    "{k}= survives in {}: <{tag}>",
                    path.display()
                );
                assert!(
                    k != "style" || !v.contains("url("),
                    "style url in {}",
                    path.display()
                );
                let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                assert!(
                    !(v.starts_with("javascript:")
                        || v.starts_with("vbscript:")
                        || v.starts_with("data:")),
                    "{k}={v} survives in {}",
                    path.display()
                );
            }
        }
    }
    let page = fs::read_to_string(out.join("briefs/script-alert-title-script-标题.html")).unwrap();
    assert!(page.contains("<code>&lt;script&gt;in code&lt;/script&gt;</code>"));
}

/// The insides of every tag (`<…>`) of an HTML text: what a browser would
/// read as element names and attributes, as opposed to escaped text.
fn tags(html: &str) -> Vec<&str> {
    let mut v = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        v.push(&rest[..end]);
        rest = &rest[end..];
    }
    v
}

/// Element name and (lower-cased name, value) attribute pairs of a tag's inside.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim_end_matches('/');
    let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
    let name = tag[..name_end].to_string();
    let mut attrs = Vec::new();
    let b = &tag.as_bytes()[name_end..];
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] as char).is_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !(b[i] as char).is_whitespace() {
            i += 1;
        }
        let key = String::from_utf8_lossy(&b[start..i]).to_string();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                let vs = i;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = String::from_utf8_lossy(&b[vs..i]).to_string();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !(b[i] as char).is_whitespace() {
                    i += 1;
                }
                value = String::from_utf8_lossy(&b[vs..i]).to_string();
            }
        }
        if !key.is_empty() {
            attrs.push((key, value));
        }
    }
    (name, attrs)
}

fn check_fails(t: &TempDir) -> String {
    let out = qunshu()
        .arg("--root")
        .arg(t.path())
        .arg("check")
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn every_problem_reported_with_file_line_field() {
    let mut bad_utf8 = b"---\ntitle: x\n---\nok\n".to_vec();
    bad_utf8.extend([0xff, 0xfe, b'\n']);
    let t = site(&[
        ("content/briefs/yaml.md", "---\ntitle: [unclosed\n---\nbody\n"),
        ("content/briefs/unclosed.md", "---\ntitle: x\nbody without end\n"),
        ("content/briefs/date.md", "---\ntitle: 日期\npublish_at: 2026-13-45 08:00\n---\n"),
        ("content/briefs/empty.md", ""),
        ("content/briefs/dup1.md", "---\ntitle: 重复\n---\n"),
        ("content/briefs/dup2.md", "---\ntitle: 重复？\n---\n"),
        ("content/briefs/typo.md", "---\ntitle: t\npubish_at: 2026-11-01\n---\n"),
        ("content/briefs/link.md", "---\ntitle: 链接\n---\n\n[x](../qa/missing.md)\n"),
        (
            "content/qa/acc.md",
            "---\ntitle: q\nasked_by: alice\nstatus: solved\naccepted: carol\n---\nq\n\n## @alice\na\n",
        ),
        ("content/qa/status.md", "---\ntitle: s\nstatus: done\n---\nq\n"),
        // Several problems in one file: all of them are reported.
        (
            "content/briefs/multi.md",
            "---\ntitle: 多\npublish_at: 2026-11-31 08:00\ncolumn: nope\n---\n[x](../qa/none.md)\n",
        ),
    ]);
    fs::write(t.path().join("content/briefs/utf8.md"), bad_utf8).unwrap();
    let err = check_fails(&t);
    let expect = [
        ("content/briefs/yaml.md:2", "field `title`: expected text"),
        ("content/briefs/unclosed.md:1", "never closed"),
        (
            "content/briefs/date.md:3: field `publish_at`",
            "2026-13-45 08:00",
        ),
        ("content/briefs/empty.md:1", "empty"),
        (
            "content/briefs/dup2.md:2: field `slug`",
            "content/briefs/dup1.md",
        ),
        (
            "content/briefs/typo.md:3: field `pubish_at`",
            "unknown field",
        ),
        ("content/briefs/link.md:5", "../qa/missing.md"),
        (
            "content/qa/acc.md:5: field `accepted`",
            "no answer by @carol",
        ),
        ("content/qa/status.md:3: field `status`", "`done`"),
        ("content/briefs/utf8.md:5", "UTF-8"),
        (
            "content/briefs/multi.md:3: field `publish_at`",
            "2026-11-31",
        ),
        (
            "content/briefs/multi.md:4: field `column`",
            "no column `nope`",
        ),
        ("content/briefs/multi.md:6", "../qa/none.md"),
    ];
    for (loc, what) in expect {
        let line = err
            .lines()
            .find(|l| l.contains(loc))
            .unwrap_or_else(|| panic!("no message for {loc} in:\n{err}"));
        assert!(line.contains(what), "{loc}: expected {what:?} in {line:?}");
    }
    assert!(!err.contains("panicked"));
}

#[test]
fn config_errors_name_key_and_line() {
    let t = site(&[]);
    fs::write(
        t.path().join("site.toml"),
        "title = \"x\"\ntimezone = \"Asia/Shangai\"\n",
    )
    .unwrap();
    let err = check_fails(&t);
    assert!(err.contains("site.toml:2: field `timezone`"), "{err}");
    assert!(err.contains("Asia/Shangai"));
    fs::write(t.path().join("site.toml"), "title = \"x\"\n\ncolums = []\n").unwrap();
    let err = check_fails(&t);
    assert!(
        err.contains("site.toml:3") && err.contains("colums"),
        "{err}"
    );
}

#[test]
fn unknown_member_is_warning_and_strict_error() {
    let t = site(&[(
        "content/briefs/a.md",
        "---\ntitle: a\npublish_at: 2026-11-01 08:00\nauthors: [zed]\n---\nx\n",
    )]);
    let out = qunshu()
        .arg("--root")
        .arg(t.path())
        .arg("check")
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: content/briefs/a.md:4: field `authors`"),
        "{err}"
    );
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["check", "--strict"])
        .assert()
        .failure();
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let (t, out) = build_demo();
    let before = snapshot(&out);
    fs::write(
        t.path().join("content/briefs/broken.md"),
        "---\ntitle: [oops\n---\n",
    )
    .unwrap();
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .assert()
        .failure();
    assert_eq!(
        before,
        snapshot(&out),
        "public/ changed after a failed build"
    );
    // No temporary folders are left behind.
    let leftovers: Vec<_> = fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".qunshu-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_make() {
    let t = site(&[]);
    let other = t.path().join("mine");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("thesis.docx"), "precious").unwrap();
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--out"])
        .arg(&other)
        .assert()
        .failure();
    assert_eq!(
        fs::read_to_string(other.join("thesis.docx")).unwrap(),
        "precious"
    );
}

#[test]
fn clock_future_and_drafts() {
    let t = site(&[
        (
            "content/briefs/past.md",
            "---\ntitle: 过去\npublish_at: 2026-11-20 08:00\n---\nx\n",
        ),
        // 08:00 in Shanghai is 00:00 UTC: published at a clock of 08:30 local, not 07:30.
        (
            "content/briefs/today.md",
            "---\ntitle: 今天\npublish_at: 2026-11-23 08:00\n---\nx\n",
        ),
        (
            "content/briefs/future.md",
            "---\ntitle: 将来\npublish_at: 2026-12-01 08:00\n---\nx\n",
        ),
        (
            "content/briefs/draft.md",
            "---\ntitle: 草稿\npublish_at: 2026-11-01 08:00\ndraft: true\n---\nx\n",
        ),
        ("content/briefs/queued.md", "---\ntitle: 排队\n---\nx\n"),
        (
            "content/briefs/expired.md",
            "---\ntitle: 过期\npublish_at: 2026-11-01 08:00\nexpire_at: 2026-11-10\n---\nx\n",
        ),
    ]);
    let build = |extra: &[&str], clock: &str| -> Vec<String> {
        let out = t.path().join("public");
        qunshu()
            .arg("--root")
            .arg(t.path())
            .args(["build", "--clock", clock])
            .args(extra)
            .assert()
            .success();
        let mut v: Vec<String> = fs::read_dir(out.join("briefs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "index.html")
            .collect();
        v.sort();
        v
    };
    assert_eq!(build(&[], "2026-11-23 07:30"), vec!["过去.html"]);
    assert_eq!(
        build(&[], "2026-11-23 08:30"),
        vec!["今天.html", "过去.html"]
    );
    assert_eq!(
        build(&["--future"], "2026-11-23 08:30"),
        vec!["今天.html", "将来.html", "排队.html", "过去.html"]
    );
    assert_eq!(
        build(&["--drafts"], "2026-11-23 08:30"),
        vec!["今天.html", "草稿.html", "过去.html"]
    );
    let draft = fs::read_to_string(t.path().join("public/briefs/草稿.html")).unwrap();
    assert!(draft.contains("banner-draft"), "drafts are marked");
}

#[test]
fn english_interface() {
    let t = site(&[(
        "content/qa/t.md",
        "---\ntitle: Q\nasked_by: ghost\npublish_at: 2026-11-02 15:00\nstatus: solved\naccepted: bob\nsummary_by: alice\n---\nq\n\n## @bob\na\n\n## Summary\ns\n",
    )]);
    let toml = BASE_SITE.replace("timezone", "language = \"en\"\ntimezone");
    fs::write(t.path().join("site.toml"), toml).unwrap();
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK])
        .assert()
        .success();
    let page = fs::read_to_string(t.path().join("public/qa/q.html")).unwrap();
    assert!(page.contains("lang=\"en\""));
    assert!(page.contains("Accepted answer"));
    assert!(page.contains("an unnamed member"));
    assert!(page.contains("小鲍"));
    let text = all_text(&t.path().join("public"));
    assert!(!text.contains("幽灵真名") && !text.contains("ghost"));
    assert!(!text.contains("鲍勃真名"));
}

#[test]
fn help_on_every_command() {
    for cmd in ["build", "check"] {
        qunshu()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicates::str::contains("--root"));
    }
}

/// (inode, link count) of a file.
fn inode(p: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let m = fs::symlink_metadata(p).unwrap();
    (m.ino(), m.nlink())
}

#[test]
fn a_rebuild_reuses_unchanged_files_and_writes_the_rest() {
    let post = |title: &str, body: &str| {
        format!("---\ntitle: {title}\npublish_at: 2026-11-01 08:00\n---\n{body}\n")
    };
    let t = site(&[
        ("content/briefs/a.md", &post("甲篇", "正文甲，没有改动")),
        ("content/briefs/b.md", &post("乙篇", "正文乙")),
    ]);
    let out = t.path().join("public");
    let build = |out: &Path| {
        let a = qunshu()
            .arg("--root")
            .arg(t.path())
            .args(["build", "--clock", CLOCK, "--out"])
            .arg(out)
            .assert()
            .success();
        String::from_utf8_lossy(&a.get_output().stdout).into_owned()
    };
    let first = build(&out);
    assert!(first.contains("(0 unchanged)"), "{first}");
    let before = snapshot(&out);
    // Each post's page is at its column's folder, named after its title.
    let (a, b) = (out.join("briefs/甲篇.html"), out.join("briefs/乙篇.html"));
    assert!(String::from_utf8_lossy(&before[Path::new("briefs/甲篇.html")]).contains("正文甲"));
    let (a_ino, b_ino) = (inode(&a).0, inode(&b).0);
    // A file changed by hand in the old output is written again, not kept.
    fs::write(out.join("style.css"), "tampered").unwrap();
    fs::write(
        t.path().join("content/briefs/b.md"),
        post("乙篇", "正文乙，改过了"),
    )
    .unwrap();

    let second = build(&out);
    let unchanged: usize = second
        .split_once("files (")
        .and_then(|(_, r)| r.split_once(" unchanged)"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of unchanged files in: {second}"));
    assert!(unchanged > 0, "{second}");
    // The unchanged page is the same file, now linked from the new output only.
    assert_eq!(
        inode(&a),
        (a_ino, 1),
        "the unchanged page was written again"
    );
    assert_ne!(inode(&b).0, b_ino, "the changed page was not written again");
    assert!(fs::read_to_string(&b).unwrap().contains("正文乙，改过了"));
    assert_eq!(
        fs::read(out.join("style.css")).unwrap(),
        before[Path::new("style.css")],
        "a file tampered with in the old output was kept"
    );
    // Reusing files never changes what the build puts out: the same as a
    // build into an empty folder, file for file.
    let fresh = t.path().join("fresh");
    build(&fresh);
    assert_eq!(snapshot(&out), snapshot(&fresh));
}
