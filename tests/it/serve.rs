//! `qunshu serve`: incremental rebuilds equal full builds; the real binary
//! serves pages, sends reloads over its WebSocket, shows an error page while
//! the content is broken, reports a taken port and stops cleanly on Ctrl-C.

use qunshu::archive::serve::{Change, Preview, PreviewOptions};
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn opts() -> PreviewOptions {
    PreviewOptions {
        clock: Some(
            chrono::DateTime::parse_from_rfc3339("2026-11-23T12:00:00+08:00")
                .unwrap()
                .into(),
        ),
        ..PreviewOptions::default()
    }
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    let new = f(text.clone());
    assert_ne!(new, text, "edit of {rel} changed nothing");
    std::fs::write(p, new).unwrap();
}

fn changed(paths: &[&str]) -> Change {
    Change::Content(paths.iter().map(PathBuf::from).collect::<BTreeSet<_>>())
}

/// Asserts the incrementally updated preview equals a fresh full build.
fn assert_same_as_full(step: &str, root: &Path, inc: &mut Preview) {
    inc.refresh_search().unwrap();
    assert!(
        inc.pages().keys().any(|k| k.starts_with("search/")),
        "{step}: no search index"
    );
    let full = Preview::new(root, opts());
    assert!(full.error().is_none(), "{step}: {:?}", full.error());
    assert!(inc.error().is_none(), "{step}: {:?}", inc.error());
    let (a, b) = (inc.pages(), full.pages());
    let only_inc: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_full: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_inc.is_empty() && only_full.is_empty() && differ.is_empty(),
        "{step}: incremental output differs from a full build\n only incremental: {only_inc:?}\n only full: {only_full:?}\n different: {differ:?}"
    );
    assert_eq!(
        inc.diagnostics().sorted().len(),
        full.diagnostics().sorted().len(),
        "{step}: diagnostics differ"
    );
}

/// The page of the post written in `source`.
fn page_of(p: &Preview, source: &str) -> String {
    let c = p.community().unwrap();
    let post = c
        .posts
        .iter()
        .find(|x| x.source == Path::new(source))
        .unwrap_or_else(|| panic!("no post {source}"));
    let bytes = p
        .pages()
        .get(&post.path)
        .unwrap_or_else(|| panic!("no page {}", post.path));
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn incremental_updates_equal_a_full_build() {
    let tmp = demo_copy();
    let root = tmp.path();
    let mut p = Preview::new(root, opts());
    assert!(p.error().is_none(), "{:?}", p.error());
    let total = p.pages().len();

    // 1. Edit a post's body: only a few pages are rendered again.
    edit(root, "content/cases/cash-flow-rescue.md", |t| {
        t.replace("## 背景", "## 背景\n\n增量渲染测试段落。")
    });
    let r = p.update(changed(&["content/cases/cash-flow-rescue.md"]));
    assert!(!r.full && r.rendered < total / 3, "{r:?} of {total}");
    let changed_pages = r.changed.clone().unwrap();
    assert!(
        changed_pages.iter().any(|c| c.starts_with("cases/")),
        "{changed_pages:?}"
    );
    assert_same_as_full("edit body", root, &mut p);

    // 2. Retitle a thread other posts link to: its URL moves, the links follow.
    edit(root, "content/qa/first-cofounder.md", |t| {
        t.replacen("title: ", "title: 改名后：", 1)
    });
    let r = p.update(changed(&["content/qa/first-cofounder.md"]));
    assert!(!r.full && r.removed >= 1, "{r:?}");
    assert!(page_of(&p, "content/qa/equity-split.md")
        .contains(&qunshu::core::slug::encode_path("改名后")));
    assert_same_as_full("retitle linked thread", root, &mut p);

    // 3. Add a post with a new tag and stage.
    std::fs::write(
        root.join("content/briefs/2026-11-22-new.md"),
        "---\ntitle: 早报｜新加的一篇\npublish_at: 2026-11-22 08:00\ntags: [全新标签]\nstage: 新阶段\nauthors: [xiaowang]\n---\n新内容。\n",
    )
    .unwrap();
    let r = p.update(changed(&["content/briefs/2026-11-22-new.md"]));
    assert!(!r.full, "{r:?}");
    assert!(p.pages().contains_key("tags/全新标签/index.html"));
    assert_same_as_full("add", root, &mut p);

    // 4. Rename a file (its slug comes from the title, so only the source moves).
    std::fs::rename(
        root.join("content/briefs/2026-11-22-new.md"),
        root.join("content/briefs/2026-11-22-renamed.md"),
    )
    .unwrap();
    p.update(changed(&[
        "content/briefs/2026-11-22-new.md",
        "content/briefs/2026-11-22-renamed.md",
    ]));
    assert_same_as_full("rename", root, &mut p);

    // 5. Move a post in time: listings reorder.
    edit(root, "content/briefs/2026-10-24-ai-tools.md", |t| {
        t.replace("publish_at: 2026-10-24", "publish_at: 2026-11-21")
    });
    p.update(changed(&["content/briefs/2026-10-24-ai-tools.md"]));
    assert_same_as_full("re-date", root, &mut p);

    // 5b. Retag a post: the related posts of the posts sharing its old and
    // new tags change, and their pages with them.
    edit(root, "content/qa/equity-split.md", |t| {
        let start = t.find("tags:").expect("tags");
        let end = start + t[start..].find('\n').expect("line end");
        format!("{}tags: [效率, 增长]{}", &t[..start], &t[end..])
    });
    p.update(changed(&["content/qa/equity-split.md"]));
    assert_same_as_full("retag", root, &mut p);
    // An edit of the text alone keeps every page's navigation.
    edit(root, "content/qa/equity-split.md", |t| {
        format!("{t}\n补一句。\n")
    });
    p.update(changed(&["content/qa/equity-split.md"]));
    assert_same_as_full("edit after retag", root, &mut p);

    // 6. Break a post, edit another meanwhile, then fix the first.
    edit(root, "content/cases/cofounder-exit.md", |t| {
        t.replacen("title: ", "titel: ", 1)
    });
    let r = p.update(changed(&["content/cases/cofounder-exit.md"]));
    assert!(r.failed && r.changed.is_none(), "{r:?}");
    assert!(p
        .error()
        .unwrap()
        .iter()
        .any(|e| e.contains("cofounder-exit.md")));
    edit(root, "content/qa/saas-pricing.md", |t| {
        t.replacen("\n\n", "\n\n补充一句。\n\n", 1)
    });
    p.update(changed(&["content/qa/saas-pricing.md"]));
    assert!(p.error().is_some());
    edit(root, "content/cases/cofounder-exit.md", |t| {
        t.replacen("titel: ", "title: ", 1)
    });
    let r = p.update(changed(&["content/cases/cofounder-exit.md"]));
    assert!(!r.failed, "{r:?}");
    assert_same_as_full("error then fix", root, &mut p);

    // 7. Delete a post that others link to: the linking posts now have errors…
    std::fs::remove_file(root.join("content/qa/first-cofounder.md")).unwrap();
    let r = p.update(changed(&["content/qa/first-cofounder.md"]));
    assert!(r.failed, "a dangling link must be reported: {r:?}");
    // …until the links are removed.
    for f in crate_files_linking(root, "first-cofounder.md") {
        edit(root, &f, |t| {
            t.replace("first-cofounder.md", "equity-split.md")
        });
        p.update(changed(&[&f]));
    }
    assert!(p.error().is_none(), "{:?}", p.error());
    assert_same_as_full("delete", root, &mut p);

    // 8. A member turns anonymous: a full render, and their name is gone.
    edit(root, "content/members.yaml", |t| {
        let i = t.find("chenjie:").unwrap();
        let j = i + t[i..].find("privacy: public").unwrap();
        format!(
            "{}privacy: anonymous{}",
            &t[..j],
            &t[j + "privacy: public".len()..]
        )
    });
    let r = p.update(Change::Full);
    assert!(r.full);
    assert!(p
        .pages()
        .values()
        .all(|b| !String::from_utf8_lossy(b).contains("陈杰")));
    assert_same_as_full("privacy", root, &mut p);
}

/// The pages an update reports as changed.
fn changed_pages(r: &qunshu::archive::serve::UpdateReport) -> Vec<String> {
    r.changed
        .clone()
        .unwrap_or_else(|| panic!("not incremental: {r:?}"))
}

/// The pages that summarise the whole site (home, feed, tag, stage and
/// member indexes, sitemap) are rendered again only when what they show
/// changed — and then equal a full build.
#[test]
fn summary_pages_follow_incremental_updates() {
    let tmp = demo_copy();
    let root = tmp.path();
    let mut p = Preview::new(root, opts());
    assert!(p.error().is_none(), "{:?}", p.error());
    let summaries = [
        "index.html",
        "tags/index.html",
        "stages/index.html",
        "members/index.html",
        "404.html",
        "sitemap.xml",
    ];

    // 1. Text added at the end of the newest brief: its card (description)
    // stays, so only its page and the feed (which carries its text) change.
    let newest = "content/briefs/2026-11-20-monthly-review.md";
    edit(root, newest, |t| format!("{t}\n结尾补充的一段话。\n"));
    let r = p.update(changed(&[newest]));
    let ch = changed_pages(&r);
    assert!(ch.iter().any(|c| c == "atom.xml"), "{ch:?}");
    assert!(
        !ch.iter().any(|c| summaries.contains(&c.as_str())),
        "{ch:?}"
    );
    assert!(r.rendered <= 2, "{r:?}");
    assert_same_as_full("text of a post in the feed", root, &mut p);

    // 2. A case on the home page is retitled: the home page shows its card.
    let case = "content/cases/xiaohongshu-tea-launch.md";
    edit(root, case, |t| t.replacen("title: ", "title: 改标题：", 1));
    let ch = changed_pages(&p.update(changed(&[case])));
    assert!(ch.iter().any(|c| c == "index.html"), "{ch:?}");
    assert_same_as_full("retitle a post on the home page", root, &mut p);

    // 3. A new tag and a new stage: the tag and stage indexes list them.
    let brief = "content/briefs/2026-10-22-cofounder-signals.md";
    edit(root, brief, |t| {
        let start = t.find("tags:").expect("tags");
        let end = start + t[start..].find('\n').expect("line end");
        let t = format!("{}tags: [新标签甲]{}", &t[..start], &t[end..]);
        let start = t.find("stage:").expect("stage");
        let end = start + t[start..].find('\n').expect("line end");
        format!("{}stage: 新阶段乙{}", &t[..start], &t[end..])
    });
    let ch = changed_pages(&p.update(changed(&[brief])));
    for page in ["tags/index.html", "stages/index.html"] {
        assert!(ch.iter().any(|c| c == page), "{page}: {ch:?}");
    }
    assert_same_as_full("new tag and stage", root, &mut p);

    // 4. A case changes author: the members' index counts it for the other.
    let cash = "content/cases/cash-flow-rescue.md";
    edit(root, cash, |t| {
        t.replace("authors: [zhengyu]", "authors: [laozhang]")
    });
    let ch = changed_pages(&p.update(changed(&[cash])));
    assert!(ch.iter().any(|c| c == "members/index.html"), "{ch:?}");
    assert_same_as_full("new author", root, &mut p);

    // 5. A thread becomes a draft; another is re-dated to be the newest post.
    let qa = "content/qa/saas-pricing.md";
    edit(root, qa, |t| t.replacen("---\n", "---\ndraft: true\n", 1));
    p.update(changed(&[qa]));
    assert_same_as_full("draft", root, &mut p);
    let qa2 = "content/qa/first-employee.md";
    edit(root, qa2, |t| {
        let start = t.find("publish_at:").expect("publish_at");
        let end = start + t[start..].find('\n').expect("line end");
        format!("{}publish_at: 2026-11-22 09:00{}", &t[..start], &t[end..])
    });
    let ch = changed_pages(&p.update(changed(&[qa2])));
    assert!(ch.iter().any(|c| c == "atom.xml"), "{ch:?}");
    assert_same_as_full("re-date to newest", root, &mut p);

    // 6. A post takes the path of a listing page: an error naming both,
    // even though nothing else changed; fixed, the preview is whole again.
    let other = "content/cases/restaurant-private-domain.md";
    edit(root, other, |t| {
        t.replacen("---\n", "---\nslug: index\n", 1)
    });
    let r = p.update(changed(&[other]));
    assert!(r.failed, "{r:?}");
    let e = p.error().unwrap().join("\n");
    assert!(
        e.contains("restaurant-private-domain.md") && e.contains("cases/index.html"),
        "{e}"
    );
    edit(root, other, |t| t.replacen("slug: index\n", "", 1));
    let r = p.update(changed(&[other]));
    assert!(!r.failed, "{r:?}");
    assert_same_as_full("path clash fixed", root, &mut p);

    // 7. A post in the feed and on the home page is deleted.
    std::fs::remove_file(root.join(newest)).unwrap();
    let ch = changed_pages(&p.update(changed(&[newest])));
    for page in ["atom.xml", "index.html", "sitemap.xml"] {
        assert!(ch.iter().any(|c| c == page), "{page}: {ch:?}");
    }
    assert_same_as_full("delete", root, &mut p);
}

/// Content files (relative paths) whose text mentions `needle`.
fn crate_files_linking(root: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter(|e| std::fs::read_to_string(e.path()).unwrap().contains(needle))
        .map(|e| {
            e.path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect()
}

use crate::common;
use common::demo_copy;
use common::serve::serve;

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

fn live(port: u16) -> Socket {
    let (ws, _) =
        tungstenite::connect(format!("ws://127.0.0.1:{port}/__qunshu/live")).expect("websocket");
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    }
    ws
}

fn next_message(ws: &mut Socket) -> serde_json::Value {
    loop {
        match ws.read().expect("a reload message") {
            tungstenite::Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            _ => continue,
        }
    }
}

#[test]
fn serves_reloads_and_shows_errors() {
    let tmp = demo_copy();
    let root = tmp.path();
    let s = serve(root);
    let (status, home) = s.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("创业者同行社"));
    assert!(
        home.contains("/__qunshu/live"),
        "the live-reload script is injected"
    );
    let (_, css) = s.get("/style.css");
    assert!(!css.contains("__qunshu"));
    // An open thread is shown in the preview, with its banner.
    let (status, _) = s.get("/qa/");
    assert_eq!(status, 200);
    let (status, _) = s.get("/no/such/page.html");
    assert_eq!(status, 404);

    let mut ws = live(s.port);
    let case = "content/cases/cash-flow-rescue.md";
    let case_page = "cases/案例拆解-一家培训公司的-90-天现金流自救.html";
    let url = format!("/{}", qunshu::core::slug::encode_path(case_page));
    assert_eq!(s.get(&url).0, 200);
    edit(root, case, |t| {
        t.replace("## 背景", "## 背景\n\n实时预览新段落。")
    });
    let msg = next_message(&mut ws);
    assert_eq!(msg["reload"], true);
    let pages: Vec<String> = serde_json::from_value(msg["pages"].clone()).unwrap();
    assert!(pages.contains(&case_page.to_string()), "{pages:?}");
    assert!(!pages.iter().any(|p| p.starts_with("qa/")), "{pages:?}");
    assert!(s.get(&url).1.contains("实时预览新段落"));
    s.wait_line("incremental");

    // Broken front matter: every page is the error page, naming file and line.
    edit(root, case, |t| t.replacen("title: ", "title: [", 1));
    let msg = next_message(&mut ws);
    assert!(msg["pages"].is_null());
    let (status, body) = s.get(&url);
    assert_eq!(status, 500);
    assert!(body.contains("cash-flow-rescue.md:2"), "{body}");
    assert!(body.contains("/__qunshu/live"));
    s.wait_line("cash-flow-rescue.md:2");

    // Fixed: the page is back.
    edit(root, case, |t| t.replacen("title: [", "title: ", 1));
    let msg = next_message(&mut ws);
    assert!(msg["pages"].is_null());
    let (status, body) = s.get(&url);
    assert_eq!(status, 200);
    assert!(body.contains("实时预览新段落"));
}

#[test]
fn taken_port_is_explained() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let tmp = demo_copy();
    let out = Command::new(env!("CARGO_BIN_EXE_qunshu"))
        .arg("--root")
        .arg(tmp.path())
        .args(["serve", "--port", &port.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
    assert!(err.contains("--port"), "{err}");
}

#[test]
fn ctrl_c_stops_cleanly() {
    let tmp = demo_copy();
    let mut s = serve(tmp.path());
    let pid = s.child.id().to_string();
    let ok = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(ok.success());
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    s.wait_line("stopped");
}

#[test]
fn fast_excerpt_matches_the_plain_definition() {
    // The page model cuts excerpts without flattening the whole text; it
    // must equal "join the words with single spaces, cut at n characters".
    let plain = |text: &str, n: usize| {
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out: String = flat.chars().take(n).collect();
        if flat.chars().count() > n {
            out.push('…');
        }
        out
    };
    let texts = [
        "",
        "   ",
        "一二三",
        "一二三 四五",
        "  一二三\n\n四五  六 ",
        "abc def",
        "股权 到底 怎么 分 才 不出 问题",
    ];
    for t in texts {
        for n in 0..12 {
            assert_eq!(
                qunshu::archive::site::excerpt(t, n),
                plain(t, n),
                "{t:?} {n}"
            );
        }
    }
}

/// `serve` and `build` open the community the same way (`Project::open`,
/// with the delivery ledger): after `post` delivers a queued brief, both
/// date it and show it, `serve --published-only` included.
#[test]
fn serve_and_build_show_a_delivered_queued_post_alike() {
    let t = common::demo_copy();
    let root = t.path();
    let out = common::qunshu_at(root)
        .args(["post", "--clock", "2026-11-23 08:01"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = root.join("public");
    let built = common::qunshu_at(root)
        .args(["build", "--clock", "2026-11-23 12:00", "--quiet"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    // The brief's page in the build: the one page whose title is the brief's.
    let page = walk_html(&public)
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .is_ok_and(|s| s.contains("<title>早报｜复购率低？先看这三个环节"))
        })
        .expect("the delivered queued brief has a page in the build");
    let url = format!(
        "/{}",
        qunshu::core::slug::encode_path(
            &page
                .strip_prefix(&public)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        )
    );
    let url = url.trim_end_matches("index.html").to_string();
    let from_build = std::fs::read_to_string(&page).unwrap();
    assert!(!from_build.contains("排队中"), "build dates it");
    let served = common::serve::serve_with(root, &["--published-only"]);
    let (status, body) = served.get(&url);
    assert_eq!(status, 200, "serve --published-only shows {url}");
    assert!(!body.contains("排队中"), "serve dates it too: {body}");
    let date = |s: &str| s.contains("2026-11-23") || s.contains("11月23日");
    assert!(
        date(&from_build) && date(&body),
        "both date it by its delivery"
    );
}

fn walk_html(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_html(&p));
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
    out
}
