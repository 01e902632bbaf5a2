//! The archive over HTTP (issue 17), in headless Chromium.
//!
//! - The built archive served by a plain static web server under its base
//!   path (`/tongxing/`, as a host would): a retitled thread's old URL — as
//!   pasted into a chat group, percent-encoded, with or without a
//!   `#answer` anchor — and an `aliases:` folder address land on the
//!   thread's new URL, the anchor kept. (`tests/it/share.rs` checks the same
//!   pages from disk.)
//! - The 404 page, which a static host and `qunshu serve` show for a
//!   missing address at any depth, is styled and links to the home page.
//!
//! Skipped when Chromium is missing, unless QUNSHU_REQUIRE_BROWSER is set.

use crate::common;

use common::browser::{Browser, StaticServer};
use common::serve::serve;
use common::{demo_copy, output, qunshu_at};
use serde_json::json;
use std::fs;
use std::path::Path;

const CLOCK: &str = "2026-11-24 08:00";
const EQUITY: &str = "content/qa/equity-split.md";
const OLD_TITLE: &str = "三个合伙人，股权到底怎么分才不出问题？";
const NEW_TITLE: &str = "三个合伙人的股权怎么分";
const OLD: &str = "qa/三个合伙人-股权到底怎么分才不出问题.html";
const NEW: &str = "qa/三个合伙人的股权怎么分.html";

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let p = root.join(file);
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file}: {from}");
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

fn build(root: &Path) {
    let o = output(qunshu_at(root).args(["build", "--quiet", "--clock", CLOCK]));
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// Percent-encodes a path the way a browser's address bar copies it.
fn encode(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2F", "/")
        .replace("%2E", ".")
        .replace("%2D", "-")
}

/// Opens `url` and waits until the browser has landed on a page whose
/// decoded path is `want_path`; returns (decoded path, hash, h1 text).
fn land(b: &mut Browser, url: &str, want_path: &str) -> (String, String, String) {
    b.call("Page.navigate", json!({ "url": url })).unwrap();
    let cond = format!(
        "document.readyState === 'complete' && decodeURI(location.pathname) === {} && document.querySelector('h1') && [decodeURI(location.pathname), location.hash, document.querySelector('h1').textContent]",
        json!(want_path)
    );
    match b.wait_for(&cond, 20) {
        Ok(v) => (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
            v[2].as_str().unwrap().to_string(),
        ),
        Err(e) => {
            let at = b
                .eval("decodeURI(location.href) + ' — ' + (document.body ? document.body.innerText.slice(0, 200) : '')")
                .unwrap_or_default();
            panic!("{url}: {e}; the browser is at {at}");
        }
    }
}

#[test]
fn retitled_posts_old_url_and_an_alias_redirect_over_http_keeping_the_anchor() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let t = demo_copy();
    let root = t.path();
    edit(
        root,
        EQUITY,
        "column: hot",
        "column: hot\naliases: [旧地址/]",
    );
    build(root);
    edit(
        root,
        EQUITY,
        &format!("title: {OLD_TITLE}"),
        &format!("title: {NEW_TITLE}"),
    );
    build(root);
    let public = root.join("public");
    assert!(fs::read_to_string(public.join(OLD))
        .unwrap()
        .contains("http-equiv=\"refresh\""));
    let thread = fs::read_to_string(public.join(NEW)).unwrap();
    assert!(thread.contains("id=\"answer-1\""));

    // Served under the base URL's path, like a real host.
    let host = tempfile::TempDir::new().unwrap();
    std::os::unix::fs::symlink(&public, host.path().join("tongxing")).unwrap();
    let srv = StaticServer::start(host.path()).unwrap();
    let at = |p: &str| srv.url(&format!("tongxing/{}", encode(p)));
    let want = format!("/tongxing/{NEW}");

    // The old URL, as pasted.
    let (path, hash, h1) = land(&mut b, &at(OLD), &want);
    assert_eq!((path.as_str(), hash.as_str()), (want.as_str(), ""));
    assert_eq!(h1, NEW_TITLE);
    // A link to an answer keeps its anchor through the redirect.
    let (_, hash, _) = land(&mut b, &format!("{}#answer-1", at(OLD)), &want);
    assert_eq!(hash, "#answer-1");
    let scrolled = b
        .eval("Math.abs(document.getElementById('answer-1').getBoundingClientRect().top) < 80")
        .unwrap();
    assert_eq!(scrolled, json!(true), "the answer is at the top");
    // The alias, a folder address the server completes with index.html.
    let (path, _, h1) = land(&mut b, &at("旧地址/"), &want);
    assert_eq!(path, want);
    assert_eq!(h1, NEW_TITLE);
    // The new page itself is served as is; the old one was served (200),
    // not a 404.
    let log: Vec<String> = srv.take_log().into_iter().map(|(p, _)| p).collect();
    assert!(
        log.iter().any(|p| p == &format!("tongxing/{OLD}")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|p| p == "tongxing/旧地址/index.html"),
        "{log:?}"
    );
}

/// On the page shown: whether the theme's stylesheet applies, and the
/// address path of the "back home" link and of the brand link.
const NOT_FOUND_PAGE: &str = "[getComputedStyle(document.querySelector('.site-header')).borderBottomStyle, new URL(document.querySelector('main a').href).pathname, new URL(document.querySelector('.brand').href).pathname, document.querySelector('h1').textContent]";

#[test]
fn the_404_page_is_styled_and_links_home_at_any_depth_on_a_host_and_in_serve() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let t = demo_copy();
    let root = t.path();
    build(root);
    let host = tempfile::TempDir::new().unwrap();
    std::os::unix::fs::symlink(root.join("public"), host.path().join("tongxing")).unwrap();
    let srv = StaticServer::start_with_404(host.path(), "tongxing/404.html").unwrap();
    for missing in ["tongxing/nope.html", "tongxing/qa/deep/er/nope.html"] {
        b.goto(&srv.url(missing)).unwrap();
        let v = b.eval(NOT_FOUND_PAGE).unwrap();
        assert_eq!(
            v,
            json!([
                "solid",
                "/tongxing/index.html",
                "/tongxing/index.html",
                "404 · 页面不存在"
            ]),
            "{missing}"
        );
    }
    // `qunshu serve` serves the preview at the root of its address.
    let s = serve(root);
    let (status, _) = s.get("/qa/deep/nope.html");
    assert_eq!(status, 404);
    let url = format!("http://127.0.0.1:{}/qa/deep/nope.html", s.port);
    b.goto(&url).unwrap();
    let v = b.eval(NOT_FOUND_PAGE).unwrap();
    assert_eq!(
        v,
        json!(["solid", "/index.html", "/index.html", "404 · 页面不存在"]),
        "{url}"
    );
}
