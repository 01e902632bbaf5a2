//! Live reload in a real browser: headless Chromium opens a page served by
//! `qunshu serve`; the post's file changes and the page shows the new text
//! by itself (scroll position kept); broken front matter shows the error
//! page; the fix brings the page back; after a quiet moment the search box
//! finds the new text.
//!
//! Chromium is driven over the DevTools protocol by the tests' shared
//! driver (`tests/it/common/browser.rs`). Without Chromium the test is skipped,
//! unless `QUNSHU_REQUIRE_BROWSER` is set (by `.ci/run`), when it fails.

use crate::common;

use common::browser::Browser;
use common::demo_copy;
use common::serve::serve;
use std::path::Path;

fn edit(path: &Path, from: &str, to: &str) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(t.contains(from));
    std::fs::write(path, t.replacen(from, to, 1)).unwrap();
}

/// Polls `js` until it is true (a minute at most), showing the page's text
/// when it never becomes true.
fn wait(b: &mut Browser, js: &str) {
    if let Err(e) = b.wait_for(js, 60) {
        let text = b
            .eval("document.body ? document.body.innerText.slice(0, 500) : ''")
            .unwrap_or_default();
        panic!("{e}; the page says: {text}");
    }
}

#[test]
fn page_reloads_itself_shows_errors_and_recovers() {
    let Some(mut b) = Browser::launch().expect("start chromium") else {
        return;
    };
    let site = demo_copy();
    let server = serve(site.path());
    let port = server.port;
    let file = site.path().join("content/cases/cash-flow-rescue.md");
    let page =
        qunshu::core::slug::encode_path("cases/案例拆解-一家培训公司的-90-天现金流自救.html");
    let url = format!("http://127.0.0.1:{port}/{page}");

    b.viewport(1000, 700, false).unwrap();
    b.goto(&url).unwrap();
    wait(&mut b, "document.body.innerText.includes('背景')");
    // Scroll down, and mark this instance of the page.
    b.eval("window.scrollTo(0, 600); window.__before_reload = 1; true")
        .unwrap();
    wait(&mut b, "window.scrollY > 0");
    let y = b.eval("window.scrollY").unwrap().as_f64().unwrap();

    // Save a change: the page shows it without any action here.
    edit(&file, "## 背景", "## 背景\n\n浏览器里自动出现的新段落。");
    wait(
        &mut b,
        "document.body.innerText.includes('浏览器里自动出现的新段落')",
    );
    assert_eq!(
        b.eval("window.__before_reload === undefined").unwrap(),
        serde_json::json!(true)
    );
    wait(&mut b, "document.readyState === 'complete'");
    let y2 = b.eval("window.scrollY").unwrap().as_f64().unwrap();
    assert!((y2 - y).abs() < 2.0, "scroll position {y} became {y2}");

    // Break the front matter: the error page, naming the file and line.
    edit(&file, "title: ", "title: [");
    wait(&mut b, "document.body.className === 'qunshu-error'");
    let text = b.eval("document.body.innerText").unwrap();
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains("content/cases/cash-flow-rescue.md:2"),
        "{text}"
    );

    // Fix it: the page comes back, with the text.
    edit(&file, "title: [", "title: ");
    wait(
        &mut b,
        "document.body.className !== 'qunshu-error' && document.body.innerText.includes('浏览器里自动出现的新段落')",
    );

    // After a quiet moment the search index (built in the background) has
    // the new paragraph: the search box finds it.
    let mut found = false;
    for _ in 0..60 {
        b.goto(&url).unwrap();
        wait(
            &mut b,
            "window.qunshuSearch && qunshuSearch.boxes && qunshuSearch.boxes.length === 1",
        );
        let n = b
            // A search that does not answer in 10 s (a file fetched while the
            // index was being replaced) counts as "not yet": try again.
            .eval(
                "Promise.race([qunshuSearch.boxes[0].engine.search('自动出现的新段落').then(h => h.length), \
                 new Promise(r => setTimeout(() => r(-1), 10000))])",
            )
            .unwrap();
        if n.as_i64().unwrap_or(0) > 0 {
            found = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(found, "the search index never had the edited text");
    b.eval("document.querySelector('.qs-input').focus()")
        .unwrap();
    b.type_text("自动出现的新段落").unwrap();
    wait(
        &mut b,
        "Array.from(document.querySelectorAll('.qs-results .qs-excerpt mark')).some(m => m.textContent === '自动出现的新段落')",
    );
}
