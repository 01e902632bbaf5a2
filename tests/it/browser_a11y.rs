//! Accessibility of the archive (issue 17): axe-core, run in headless
//! Chromium on every page template of the built demo — home, listings (a
//! column with a pager, a tag, a stage), a post with a table of contents, a
//! brief, a thread, a contributor, the contributors index, the tag and
//! stage indexes, the search box open with results, the 404 page, a
//! redirect and a "removed" page — at desktop (1280 wide) and phone (390
//! wide) sizes, and on the phone in the dark colour scheme, finds no
//! critical or serious violation, nor any of the ones the issue reported
//! (`link-in-text-block`, `heading-order`, `empty-table-header`).
//!
//! axe-core comes from npm: `.ci/run` installs it into `.ci/node/` (git-
//! ignored); `AXE_CORE_JS` may point at another `axe.min.js`. Without
//! Chromium or axe-core the test is skipped, unless `QUNSHU_REQUIRE_BROWSER`
//! is set (by `.ci/run`), when it fails.

use crate::common;

use common::browser::{Browser, StaticServer};
use common::{demo_copy, output, qunshu_at, repo};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

const CLOCK: &str = "2026-11-24 08:00";
const EQUITY: &str = "content/qa/equity-split.md";
/// A thread removed from the fixture after its first build: its URL gets a
/// "removed" page.
const BILI: &str = "content/qa/bilibili-b2b.md";
const BILI_URL: &str = "qa/做企业服务的公司-适不适合做b站.html";
/// The retitled thread's first URL: a redirect page.
const OLD_URL: &str = "qa/三个合伙人-股权到底怎么分才不出问题.html";

/// Rules the issue found failing, checked whatever their impact.
const REPORTED: &[&str] = &["link-in-text-block", "heading-order", "empty-table-header"];

/// The source of `axe.min.js`, or `None` (test skipped) when it is not
/// installed and `QUNSHU_REQUIRE_BROWSER` is unset.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ci/node/node_modules/axe-core/axe.min.js"));
    match fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            let msg = format!(
                "axe-core is not installed ({}: {e}); run .ci/run, or: npm install --prefix .ci/node axe-core",
                path.display()
            );
            if std::env::var_os("QUNSHU_REQUIRE_BROWSER").is_some() {
                panic!("QUNSHU_REQUIRE_BROWSER is set but {msg}");
            }
            eprintln!("skipping: {msg}");
            None
        }
    }
}

/// The demo with every template in use: listings paginated (a pager), a
/// retitled thread (a redirect page) and a removed one (a "removed" page).
/// Returns the folder and its built `public/`.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let t = demo_copy();
    let root = t.path();
    let build = |root: &Path| {
        let o = output(qunshu_at(root).args(["build", "--quiet", "--clock", CLOCK]));
        assert_eq!(o.code, 0, "{}", o.stderr);
    };
    build(root);
    let site = fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(site.contains("paginate = 20"));
    fs::write(
        root.join("site.toml"),
        site.replace("paginate = 20", "paginate = 5"),
    )
    .unwrap();
    let p = root.join(EQUITY);
    let text = fs::read_to_string(&p).unwrap();
    let from = "title: 三个合伙人，股权到底怎么分才不出问题？";
    assert!(text.contains(from));
    fs::write(&p, text.replacen(from, "title: 三个合伙人的股权怎么分", 1)).unwrap();
    fs::remove_file(root.join(BILI)).unwrap();
    build(root);
    let public = root.join("public");
    (t, public)
}

/// One violation of an axe rule, as printed on failure.
fn describe(v: &Value) -> String {
    let mut s = format!(
        "  {} ({}): {}\n",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("")
    );
    for n in v["nodes"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "    {}  {}\n      {}\n",
            n["target"].as_str().unwrap_or(""),
            n["html"].as_str().unwrap_or(""),
            n["summary"]
                .as_str()
                .unwrap_or("")
                .replace('\n', "\n      ")
        ));
    }
    s
}

/// Runs axe-core on the page shown; returns its violations.
fn axe(b: &mut Browser, source: &str) -> Vec<Value> {
    if b.eval("typeof axe").unwrap() != "object" {
        b.eval(source).expect("load axe-core");
    }
    let r = b
        .eval(
            "(async () => { const r = await axe.run(document, { resultTypes: ['violations'] }); \
             return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, \
             nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })) })); })()",
        )
        .expect("axe.run");
    r.as_array().cloned().unwrap_or_default()
}

/// Opens the search box on the page shown and types a query that has
/// results; waits until they are shown.
fn open_search(b: &mut Browser) {
    b.eval("document.querySelector('.qs-input').focus()")
        .unwrap();
    b.type_text("合伙人").unwrap();
    b.wait_for(
        "document.querySelectorAll('.qs-results .qs-item').length >= 5 && !document.querySelector('.qs-panel').hidden",
        20,
    )
    .unwrap();
}

#[test]
fn axe_finds_no_serious_violation_on_any_page_template_desktop_and_phone() {
    let Some(source) = axe_source() else { return };
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let (_t, public) = fixture();
    // Every template is in the build (the pages the loop below visits).
    let pages: &[(&str, &str)] = &[
        ("home", "index.html"),
        ("column listing with a pager", "columns/hot/index.html"),
        ("kind listing", "qa/index.html"),
        ("tag listing", "tags/股权/index.html"),
        ("stage listing", "stages/种子期/index.html"),
        (
            "case with a table of contents",
            "cases/案例拆解-合伙人中途退出-股权回购是怎么谈下来的.html",
        ),
        ("thread", "qa/三个合伙人的股权怎么分.html"),
        ("contributor", "members/张建国.html"),
        ("contributors index", "members/index.html"),
        ("tags index", "tags/index.html"),
        ("stages index", "stages/index.html"),
        ("search open", "index.html?search"),
        ("404", "404.html"),
        ("removed post", BILI_URL),
    ];
    let listing = fs::read_to_string(public.join("columns/hot/index.html")).unwrap();
    assert!(listing.contains("class=\"pager\""), "the fixture paginates");
    let case = fs::read_to_string(public.join(pages[5].1)).unwrap();
    assert!(case.contains("class=\"toc\"") && case.contains("class=\"related\""));
    let thread = fs::read_to_string(public.join(pages[6].1)).unwrap();
    for part in ["answer accepted", "class=\"summary\"", "class=\"reply\""] {
        assert!(thread.contains(part), "the thread shows {part}");
    }
    assert!(fs::read_to_string(public.join(BILI_URL))
        .unwrap()
        .contains("下线"));
    // A brief page: the first one in its folder.
    let mut briefs: Vec<String> = fs::read_dir(public.join("briefs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.html" && n.ends_with(".html"))
        .collect();
    briefs.sort();
    let brief = format!("briefs/{}", briefs[0]);
    let mut pages = pages.to_vec();
    pages.push(("brief post", &brief));
    // The redirect page at the retitled thread's old URL, without its
    // script and refresh (which would leave it before axe runs), beside it.
    let moved = fs::read_to_string(public.join(OLD_URL)).unwrap();
    let refresh =
        regex::Regex::new(r#"<meta http-equiv="refresh"[^>]*>|<script>[^<]*</script>"#).unwrap();
    assert_eq!(refresh.find_iter(&moved).count(), 2, "{moved}");
    fs::write(
        public.join("qa/redirect-probe.html"),
        refresh.replace_all(&moved, "").as_ref(),
    )
    .unwrap();
    pages.push(("redirect", "qa/redirect-probe.html"));

    let srv = StaticServer::start(&public).unwrap();
    let mut report = String::new();
    let mut checked = 0;
    for (device, w, h, mobile, scheme) in [
        ("desktop", 1280, 900, false, "light"),
        ("phone", 390, 844, true, "light"),
        ("phone, dark", 390, 844, true, "dark"),
    ] {
        b.viewport(w, h, mobile).unwrap();
        b.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .unwrap();
        for (name, path) in &pages {
            let (file, search) = match path.strip_suffix("?search") {
                Some(f) => (f, true),
                None => (*path, false),
            };
            assert!(public.join(file).is_file(), "{file}");
            b.goto(&srv.url(file)).unwrap();
            if search {
                open_search(&mut b);
            }
            let found = axe(&mut b, &source);
            checked += 1;
            let bad: Vec<&Value> = found
                .iter()
                .filter(|v| {
                    matches!(v["impact"].as_str(), Some("critical" | "serious"))
                        || REPORTED.contains(&v["id"].as_str().unwrap_or(""))
                })
                .collect();
            for v in &found {
                eprintln!(
                    "{device} {name}: {} ({})",
                    v["id"],
                    v["impact"].as_str().unwrap_or("?")
                );
            }
            if !bad.is_empty() {
                report.push_str(&format!("{device} · {name} ({file}):\n"));
                for v in bad {
                    report.push_str(&describe(v));
                }
            }
        }
    }
    assert_eq!(checked, 3 * pages.len());
    assert!(report.is_empty(), "axe-core found:\n{report}");
}

/// Facts about the layout of the page shown: the gap between the header
/// bar and the first thing in `main`, horizontal overflow, short table
/// cells broken over two lines, the contributors table's caption place and
/// the zero counts shown.
const LAYOUT: &str = r#"(() => {
  const header = document.querySelector('.site-header').getBoundingClientRect();
  const first = document.querySelector('main').firstElementChild.getBoundingClientRect();
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
    return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; };
  const broken = Array.from(document.querySelectorAll('.prose td, .prose th'))
    .filter(c => c.textContent.trim().length <= 4 && lines(c) > 1).map(c => c.textContent.trim());
  const cap = document.querySelector('.people caption');
  const body = document.querySelector('.people tbody');
  const zeros = Array.from(document.querySelectorAll('.people td'))
    .filter(c => c.offsetParent !== null && c.textContent.trim() === '0').length;
  return { gap: first.top - header.bottom, overflow: document.documentElement.scrollWidth - innerWidth,
    broken, caption_above: cap && body ? cap.getBoundingClientRect().bottom <= body.getBoundingClientRect().top : null,
    zeros };
})()"#;

#[test]
fn screenshots_of_a_thread_and_the_contributors_index_show_a_sound_layout() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let (_t, public) = fixture();
    let srv = StaticServer::start(&public).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    fs::create_dir_all(&dir).unwrap();
    let mut problems = Vec::new();
    for (device, w, h, mobile) in [("desktop", 1280, 900, false), ("phone", 390, 844, true)] {
        b.viewport(w, h, mobile).unwrap();
        for (name, page) in [
            ("thread", "qa/三个合伙人的股权怎么分.html"),
            ("contributors", "members/index.html"),
            ("contributor", "members/张建国.html"),
        ] {
            b.goto(&srv.url(page)).unwrap();
            b.eval("document.fonts.ready.then(() => true)").unwrap();
            let shot = dir.join(format!("{name}-{device}.png"));
            b.screenshot(&shot).unwrap();
            let png = fs::read(&shot).unwrap();
            assert!(
                png.len() > 10_000 && png.starts_with(b"\x89PNG\r\n\x1a\n"),
                "{}",
                shot.display()
            );
            eprintln!("screenshot: {}", shot.display());
            let l = b.eval(LAYOUT).unwrap();
            let gap = l["gap"].as_f64().unwrap();
            if gap < 16.0 {
                problems.push(format!(
                    "{name} ({device}): content {gap}px below the header bar"
                ));
            }
            if l["overflow"].as_f64().unwrap() > 0.0 {
                problems.push(format!("{name} ({device}): scrolls sideways: {l}"));
            }
            if !l["broken"].as_array().unwrap().is_empty() {
                problems.push(format!(
                    "{name} ({device}): short table cells broken over lines: {}",
                    l["broken"]
                ));
            }
            if name == "contributors" {
                if l["caption_above"] != serde_json::json!(true) {
                    problems.push(format!(
                        "{name} ({device}): the order is explained below the table"
                    ));
                }
                if mobile && l["zeros"].as_u64().unwrap() > 0 {
                    problems.push(format!(
                        "{name} ({device}): {} zero counts shown on a phone",
                        l["zeros"]
                    ));
                }
            }
        }
        // A jump link lands on the accepted answer, not under the header
        // bar; on a phone the header scrolls away instead of covering a
        // fifth of the screen.
        b.goto(&srv.url("qa/三个合伙人的股权怎么分.html")).unwrap();
        b.click(".jump a").unwrap();
        let hidden = b
            .wait_for(
                "location.hash === '#answer-1' && (() => { const a = document.getElementById('answer-1').getBoundingClientRect(); const h = document.querySelector('.site-header').getBoundingClientRect(); return [a.top - Math.max(0, h.bottom)]; })()",
                10,
            )
            .unwrap();
        if hidden[0].as_f64().unwrap() < 0.0 {
            problems.push(format!(
                "thread ({device}): the accepted answer lands {}px under the header bar",
                -hidden[0].as_f64().unwrap()
            ));
        }
        if mobile {
            let covered = b
                .eval("Math.max(0, document.querySelector('.site-header').getBoundingClientRect().bottom)")
                .unwrap();
            if covered.as_f64().unwrap() > 0.0 {
                problems.push(format!(
                    "thread ({device}): the header covers {covered}px once scrolled"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
