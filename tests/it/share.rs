//! Issue 17: links that never break (`urls.lock`, redirects, aliases,
//! removed pages), share cards (Open Graph tags, PNG cards) and navigation
//! on post pages — all through the real binary.

use crate::common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

const CLOCK: &str = "2026-11-24 08:00";
const OLD: &str = "qa/三个合伙人-股权到底怎么分才不出问题.html";
const NEW: &str = "qa/三个合伙人的股权怎么分.html";
const EQUITY: &str = "content/qa/equity-split.md";
/// A thread no other post links to.
const BILI: &str = "content/qa/bilibili-b2b.md";
const BILI_URL: &str = "qa/做企业服务的公司-适不适合做b站.html";

fn build(root: &Path) -> Out {
    let o = output(qunshu_at(root).args(["build", "--clock", CLOCK]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    o
}

fn check(root: &Path) -> Out {
    output(qunshu_at(root).args(["check", "--clock", CLOCK]))
}

fn retitle(root: &Path, file: &str, from: &str, to: &str) {
    let p = root.join(file);
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from));
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

fn read(p: PathBuf) -> String {
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The value of `attr="…"` of the first tag matching `start` in `html`.
fn attr<'h>(html: &'h str, start: &str, attr: &str) -> Option<&'h str> {
    let at = html.find(start)?;
    let tag = &html[at..at + html[at..].find('>')?];
    let k = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(&tag[k..k + tag[k..].find('"')?])
}

/// Resolves a relative `href` against the page at `page` (both relative to
/// the output folder) the way a browser opening files from disk does.
fn resolve(page: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap();
    let decoded = percent_encoding::percent_decode_str(href)
        .decode_utf8()
        .unwrap()
        .to_string();
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in decoded.split('/') {
        match seg {
            ".." => {
                parts.pop().expect("link leaves the site");
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn retitled_post_redirects_from_its_old_url_and_check_reports_the_move() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    let record = read(root.join("urls.lock"));
    assert!(record.contains(&format!("url = \"{OLD}\"")), "{record}");
    assert!(record.contains("id = \"qa/equity-split\""));

    retitle(
        root,
        EQUITY,
        "title: 三个合伙人，股权到底怎么分才不出问题？",
        "title: 三个合伙人的股权怎么分",
    );
    let c = check(root);
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert!(
        c.stdout.contains(&format!("moved URL: {OLD} → {NEW}")) && c.stdout.contains(EQUITY),
        "{}",
        c.stdout
    );

    let b = build(root);
    assert!(
        b.stdout.contains(&format!("moved: {OLD} → {NEW}")),
        "{}",
        b.stdout
    );
    let public = root.join("public");
    let page = read(public.join(OLD));
    let refresh = attr(&page, "<meta http-equiv=\"refresh\"", "content").unwrap();
    let target = refresh.strip_prefix("0; url=").unwrap();
    assert!(
        !target.contains("://"),
        "relative, works from disk: {target}"
    );
    assert_eq!(resolve(OLD, target), NEW);
    assert!(public.join(resolve(OLD, target)).is_file());
    let canonical = attr(&page, "<link rel=\"canonical\"", "href").unwrap();
    assert!(canonical.starts_with("https://example.org/tongxing/qa/%E4%B8%89"));
    let visible = attr(&page, "<a href", "href").unwrap();
    assert_eq!(resolve(OLD, visible), NEW);
    let record = read(root.join("urls.lock"));
    assert!(record.contains(&format!("url = \"{NEW}\"")));
    assert!(record.contains(&format!("old = [\"{OLD}\"]")));

    // A second build changes nothing: same output, same record, no move.
    let before = snapshot(&public);
    let b = build(root);
    assert!(!b.stdout.contains("moved"), "{}", b.stdout);
    assert_eq!(snapshot(&public), before);
    assert_eq!(read(root.join("urls.lock")), record);
    let c = check(root);
    assert!(!c.stdout.contains("moved URL"), "{}", c.stdout);

    // Retitled back: the page is at its first URL again, the second URL redirects.
    retitle(
        root,
        EQUITY,
        "title: 三个合伙人的股权怎么分",
        "title: 三个合伙人，股权到底怎么分才不出问题？",
    );
    build(root);
    assert!(read(public.join(OLD)).contains("<h1>三个合伙人"));
    assert!(read(public.join(NEW)).contains("http-equiv=\"refresh\""));
}

#[test]
fn a_moved_file_keeps_its_record_by_title_and_redirects() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    fs::create_dir_all(root.join("content/qa/b2b")).unwrap();
    fs::rename(root.join(BILI), root.join("content/qa/b2b/bilibili.md")).unwrap();
    retitle(
        root,
        "content/qa/b2b/bilibili.md",
        "column: hot",
        "column: hot\nslug: b2b-bilibili",
    );
    build(root);
    let page = read(root.join("public").join(BILI_URL));
    assert!(page.contains("url=../qa/b2b-bilibili.html"), "{page}");
    let record = read(root.join("urls.lock"));
    assert!(record.contains("id = \"qa/b2b/bilibili\""), "{record}");
    assert!(!record.contains("qa/bilibili-b2b"), "{record}");
}

#[test]
fn removed_post_leaves_a_removed_page_until_its_entry_is_deleted() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    fs::remove_file(root.join(BILI)).unwrap();
    let c = check(root);
    assert!(
        c.stdout.contains(&format!("removed: {BILI_URL}")),
        "{}",
        c.stdout
    );
    build(root);
    let page = read(root.join("public").join(BILI_URL));
    assert!(page.contains("这篇内容已下线"), "{page}");
    assert!(page.contains("href=\"../index.html\""));
    let record = read(root.join("urls.lock"));
    assert!(record.contains("removed = true"), "{record}");

    // Told otherwise: the organiser deletes the entry.
    let kept: Vec<&str> = record
        .split("\n\n")
        .filter(|e| !e.contains(BILI_URL))
        .collect();
    fs::write(root.join("urls.lock"), kept.join("\n\n")).unwrap();
    build(root);
    assert!(!root.join("public").join(BILI_URL).exists());
}

#[test]
fn aliases_redirect_and_a_clashing_alias_is_an_error_with_file_line_and_field() {
    let t = demo_copy();
    let root = t.path();
    retitle(
        root,
        EQUITY,
        "column: hot",
        "column: hot\naliases: [/old/equity.html, 旧地址/]",
    );
    build(root);
    let public = root.join("public");
    let a = read(public.join("old/equity.html"));
    let target = attr(&a, "<meta http-equiv=\"refresh\"", "content").unwrap();
    assert_eq!(resolve("old/equity.html", &target[7..]), OLD);
    let b = read(public.join("旧地址/index.html"));
    assert!(b.contains("url=../qa/"));

    retitle(root, EQUITY, "旧地址/", "index.html");
    let o = output(qunshu_at(root).args(["build", "--clock", CLOCK]));
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr.contains(&format!("{EQUITY}:6"))
            && o.stderr.contains("field `aliases`")
            && o.stderr.contains("aliases"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"));
}

/// Every HTML page of the demo build except redirects, with its path.
fn pages(public: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            (
                e.path()
                    .strip_prefix(public)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                fs::read_to_string(e.path()).unwrap(),
            )
        })
        .filter(|(_, html)| !html.contains("http-equiv=\"refresh\""))
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let n = |k: usize| u32::from_be_bytes(bytes[k..k + 4].try_into().unwrap());
    (n(16), n(20))
}

#[test]
fn every_page_has_open_graph_tags_and_posts_have_a_png_card() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    let public = root.join("public");
    let all = pages(&public);
    assert!(all.len() > 50);
    let mut posts = 0;
    for (path, html) in &all {
        for tag in [
            "og:title",
            "og:description",
            "og:url",
            "og:type",
            "og:site_name",
            "og:locale",
        ] {
            assert!(
                html.contains(&format!("<meta property=\"{tag}\"")),
                "{path}: {tag}"
            );
        }
        assert!(html.contains("<meta name=\"twitter:card\""), "{path}");
        assert!(html.contains("<meta property=\"og:locale\" content=\"zh_CN\">"));
        let url = attr(html, "<meta property=\"og:url\"", "content").unwrap();
        assert!(
            url.starts_with("https://example.org/tongxing/"),
            "{path}: {url}"
        );
        if attr(html, "<meta property=\"og:type\"", "content") == Some("article") {
            posts += 1;
            assert!(
                html.contains("<meta property=\"article:published_time\" content=\"2026-"),
                "{path}"
            );
            let img = attr(html, "<meta property=\"og:image\"", "content").unwrap();
            let rel = img.strip_prefix("https://example.org/tongxing/").unwrap();
            assert_eq!(
                rel,
                format!(
                    "cards/{}",
                    url.strip_prefix("https://example.org/tongxing/")
                        .unwrap()
                        .replace(".html", ".png")
                )
            );
            let file = public.join(resolve("index.html", rel));
            let bytes = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(png_size(&bytes), (1200, 630));
            assert!(bytes.len() > 10_000, "a card with text, not a blank image");
        }
    }
    assert_eq!(posts, 30);
}

#[test]
fn cards_are_redrawn_only_when_their_text_changes_and_a_default_image_is_honoured() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    let cache = root.join(".qunshu/cache/cards");
    let files = |d: &Path| -> Vec<(PathBuf, std::time::SystemTime)> {
        let mut v: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.path(), e.metadata().unwrap().modified().unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let first = files(&cache);
    assert_eq!(first.len(), 30);
    std::thread::sleep(std::time::Duration::from_millis(20));
    build(root);
    assert_eq!(files(&cache), first, "no card redrawn");

    // A changed body leaves the card alone; a changed title redraws one card.
    retitle(root, EQUITY, "我们做跨境电商", "我们在做跨境电商");
    build(root);
    assert_eq!(files(&cache), first);
    retitle(
        root,
        EQUITY,
        "title: 三个合伙人，股权到底怎么分才不出问题？",
        "title: 三个合伙人的股权怎么分",
    );
    build(root);
    let second = files(&cache);
    assert_eq!(second.len(), 30);
    let new: Vec<_> = second.iter().filter(|f| !first.contains(f)).collect();
    assert_eq!(new.len(), 1, "one card redrawn");
    let png = fs::read(root.join("public/cards").join(NEW.replace(".html", ".png"))).unwrap();
    assert_eq!(png, fs::read(&new[0].0).unwrap());

    // `[share]`: no per-post cards, the site-wide image instead.
    let toml = read(root.join("site.toml"));
    fs::write(
        root.join("site.toml"),
        format!("{toml}\n[share]\nimage = \"images/share.png\"\ncards = false\n"),
    )
    .unwrap();
    build(root);
    let page = read(root.join("public").join(NEW));
    assert_eq!(
        attr(&page, "<meta property=\"og:image\"", "content"),
        Some("https://example.org/tongxing/images/share.png")
    );
    assert!(!root.join("public/cards").exists());
    let home = read(root.join("public/index.html"));
    assert!(home.contains("content=\"https://example.org/tongxing/images/share.png\""));

    fs::write(
        root.join("site.toml"),
        format!("{toml}\n[share]\nimage = \"../secret.png\"\n"),
    )
    .unwrap();
    let o = output(qunshu_at(root).args(["check", "--clock", CLOCK]));
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("site.toml") && o.stderr.contains("share.image"),
        "{}",
        o.stderr
    );
}

#[test]
fn post_pages_link_previous_next_and_related_posts_relatively() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    let public = root.join("public");
    // The briefs column, oldest first.
    let brief = read(public.join("briefs/早报-10月22日-判断合伙人靠不靠谱的五个信号.html"));
    let prev = attr(&brief, "<a class=\"prev\"", "href").unwrap();
    let next = attr(&brief, "<a class=\"next\"", "href").unwrap();
    let here = "briefs/早报-10月22日-判断合伙人靠不靠谱的五个信号.html";
    assert_eq!(
        resolve(here, prev),
        "briefs/早报-10月20日-新一期开营-早报改用-段简-格式.html"
    );
    assert_eq!(
        resolve(here, next),
        "briefs/早报-10月24日-ai-工具如何降低早期团队成本.html"
    );
    // The oldest has no previous.
    let first = read(public.join("briefs/早报-10月20日-新一期开营-早报改用-段简-格式.html"));
    assert!(!first.contains("class=\"prev\""));
    assert!(first.contains("class=\"next\""));

    // Related: posts sharing a tag come first; all links resolve.
    let thread = read(public.join(OLD));
    let at = thread.find("class=\"related\"").expect("related posts");
    let section = &thread[at..at + thread[at..].find("</aside>").unwrap()];
    let links: Vec<&str> = section
        .split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!((3..=5).contains(&links.len()), "{links:?}");
    for l in &links {
        assert!(l.starts_with("../"), "{l}");
        let target = resolve(OLD, l);
        assert_ne!(target, OLD);
        let html = read(public.join(&target));
        assert!(
            html.contains("#股权") || html.contains("#合伙人"),
            "{target} shares a tag"
        );
    }

    // A solved thread: a jump to the accepted answer and the summary; each answer has a copyable link.
    assert!(
        thread.contains("<a href=\"#answer-"),
        "jump to accepted answer"
    );
    assert!(thread.contains("href=\"#thread-summary\""));
    assert!(thread.contains("id=\"thread-summary\""));
    let anchor = attr(&thread, "<a class=\"anchor\"", "href").unwrap();
    assert!(thread.contains(&format!("id=\"{}\"", &anchor[1..])));
    assert!(thread.contains("aria-label=\"此回答的链接\""));
}

#[test]
fn the_404_page_works_from_disk() {
    let t = demo_copy();
    build(t.path());
    let page = read(t.path().join("public/404.html"));
    assert!(page.contains("href=\"style.css\""), "relative stylesheet");
    assert!(page.contains("href=\"index.html\""));
    assert!(!page.contains("href=\"https://example.org/tongxing/style.css\""));
}

#[test]
fn a_build_at_an_earlier_clock_removes_nothing() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    let record = read(root.join("urls.lock"));
    let o = output(qunshu_at(root).args(["build", "--clock", "2026-10-25 08:00"]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(read(root.join("urls.lock")), record);
    assert!(
        !root.join("public").join(OLD).exists()
            || !read(root.join("public").join(OLD)).contains("下线")
    );
    assert!(!root.join("public").join(BILI_URL).exists());
}

#[test]
fn the_serve_preview_counts_and_lists_only_solved_threads_as_solved() {
    let t = demo_copy();
    let s = serve::serve(t.path());
    let (status, home) = s.get("/");
    assert_eq!(status, 200);
    let at = home.find("qa/index.html\"><strong>").unwrap() + "qa/index.html\"><strong>".len();
    let solved: usize = home[at..at + home[at..].find('<').unwrap()]
        .parse()
        .unwrap();
    // The preview at its clock shows 3 open threads; they are not solved.
    let (_keep, built) = build_demo_into_temp("2026-11-23 12:00");
    let published = read(built.join("index.html"));
    let at2 =
        published.find("qa/index.html\"><strong>").unwrap() + "qa/index.html\"><strong>".len();
    let expected: usize = published[at2..at2 + published[at2..].find('<').unwrap()]
        .parse()
        .unwrap();
    assert_eq!(solved, expected);
    let recent = &home[home.find("最近解决的问题").unwrap()..];
    let recent = &recent[..recent.find("</section>").unwrap()];
    assert!(!recent.contains("badge-open_thread"), "{recent}");
}

#[test]
fn init_writes_a_full_gitignore_and_an_english_community_with_lang_en() {
    let t = tempfile::TempDir::new().unwrap();
    let dir = t.path().join("en");
    qunshu()
        .args(["init", "--lang", "en"])
        .arg(&dir)
        .assert()
        .success();
    let ignore = read(dir.join(".gitignore"));
    for p in ["/public/", "/outbox/", "/book-out/", "/.qunshu/"] {
        assert!(ignore.lines().any(|l| l == p), "{p} in {ignore}");
    }
    assert!(!ignore.contains("urls.lock"), "the URL record is committed");
    let toml = read(dir.join("site.toml"));
    assert!(toml.contains("language = \"en\"") && toml.contains("name = \"Daily brief\""));
    assert!(!toml.contains("每日早报"));
    let o = output(qunshu_at(&dir).args(["build"]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let home = read(dir.join("public/index.html"));
    assert!(home.contains("My community") && home.contains("Daily brief"));
    assert!(home.contains("<meta property=\"og:locale\" content=\"en_US\">"));
    assert!(
        !home.contains("早报"),
        "no Chinese in an English site's home"
    );
}

#[test]
fn book_out_is_relative_to_root_like_build_out() {
    let t = demo_copy_with(&["content", "book"]);
    let elsewhere = tempfile::TempDir::new().unwrap();
    let o = output(qunshu_at(t.path()).current_dir(elsewhere.path()).args([
        "book", "--format", "md", "--clock", CLOCK, "--out", "my-book",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(t.path().join("my-book").is_dir());
    assert!(!elsewhere.path().join("my-book").exists());
}

/// The counts of `qunshu deploy`'s summary line: (copied, unchanged, deleted).
fn deployed(o: &Out) -> (usize, usize, usize) {
    let last = o.stdout.lines().last().unwrap_or_default().to_string();
    let nums: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1], nums[2])
}

#[test]
fn deploy_copies_only_changes_deletes_last_and_resumes() {
    let t = demo_copy();
    let root = t.path();
    let o = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("[deploy]"), "{}", o.stderr);
    let toml = read(root.join("site.toml"));
    fs::write(
        root.join("site.toml"),
        format!("{toml}\n[deploy]\ntarget = \"www\"\n"),
    )
    .unwrap();
    let o = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("qunshu build"), "{}", o.stderr);
    build(root);
    let www = root.join("www");

    let dry = output(qunshu_at(root).args(["deploy", "--dry-run"]));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let (n, _, _) = deployed(&dry);
    assert!(n > 100, "{}", dry.stdout);
    assert!(dry.stdout.contains("would copy: index.html"));
    assert!(!www.exists(), "a dry run changes nothing");

    let first = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(deployed(&first), (n, 0, 0), "{}", first.stdout);
    assert_eq!(
        snapshot(&root.join("public")).len(),
        n + 1,
        "all but the build marker"
    );
    assert!(www.join(OLD).is_file() && www.join(".qunshu-deploy.json").is_file());
    // Assets go up before the pages that use them.
    let order: Vec<&str> = first.stdout.lines().collect();
    let css = order.iter().position(|l| l.ends_with("style.css")).unwrap();
    let home = order
        .iter()
        .position(|l| l.ends_with(" index.html"))
        .unwrap();
    assert!(css < home);

    let again = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(deployed(&again), (0, n, 0), "{}", again.stdout);

    // A removed post: its card is deleted, its page becomes the removed page.
    fs::remove_file(root.join(BILI)).unwrap();
    build(root);
    // Interrupted: a folder sits where a changed page must go.
    let blocker = www.join("index.html");
    fs::remove_file(&blocker).unwrap();
    fs::create_dir(&blocker).unwrap();
    let broken = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    let card = www.join("cards").join(BILI_URL.replace(".html", ".png"));
    assert!(
        card.is_file(),
        "nothing deleted before everything new is up"
    );
    fs::remove_dir(&blocker).unwrap();
    let resumed = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let (copied, _, deleted) = deployed(&resumed);
    assert!(deleted >= 1, "{}", resumed.stdout);
    assert!(resumed.stdout.contains(&format!(
        "deleted: cards/{}",
        BILI_URL.replace(".html", ".png")
    )));
    assert!(!card.exists());
    assert!(read(www.join(BILI_URL)).contains("这篇内容已下线"));
    assert!(
        copied >= 1 && copied < n / 2,
        "only what changed: {}",
        resumed.stdout
    );
    let public = snapshot(&root.join("public"));
    let mut there = snapshot(&www);
    there.remove(Path::new(".qunshu-deploy.json"));
    let mut public = public;
    public.remove(Path::new(".qunshu-output"));
    assert_eq!(there, public, "the target is exactly the archive");
    let last = output(qunshu_at(root).args(["deploy"]));
    assert_eq!(deployed(&last).0, 0);
}

#[test]
fn posts_with_three_headings_get_a_table_of_contents() {
    let t = demo_copy();
    build(t.path());
    let public = t.path().join("public");
    let case = read(public.join("cases/案例拆解-一家培训公司的-90-天现金流自救.html"));
    let at = case
        .find("<nav class=\"toc\"")
        .expect("a table of contents");
    let toc = &case[at..at + case[at..].find("</nav>").unwrap()];
    let ids: Vec<&str> = toc
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(ids.len() >= 3, "{toc}");
    for id in ids {
        assert!(case.contains(&format!("<h2 id=\"{id}\"")), "#{id} exists");
    }
    // A brief without headings has none.
    let brief = read(public.join("briefs/早报-10月22日-判断合伙人靠不靠谱的五个信号.html"));
    assert_eq!(
        brief.contains("class=\"toc\""),
        brief.matches("<h2 id=").count() >= 3
    );
}

#[test]
fn every_relative_link_of_the_built_demo_points_at_a_file() {
    let t = demo_copy();
    let root = t.path();
    build(root);
    // A retitled thread, so redirect pages are checked too.
    retitle(
        root,
        EQUITY,
        "title: 三个合伙人，股权到底怎么分才不出问题？",
        "title: 三个合伙人的股权怎么分",
    );
    build(root);
    let public = root.join("public");
    let link = regex::Regex::new(r#"\s(?:href|src)="([^"]*)""#).unwrap();
    let refresh = regex::Regex::new(r#"content="0; url=([^"]*)""#).unwrap();
    let mut broken = Vec::new();
    let mut checked = 0;
    for e in walkdir::WalkDir::new(&public) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let page = e
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let html = read(e.path().to_path_buf());
        if page == "404.html" || html.contains("http-equiv=\"refresh\"") {
            // Their one-line scripts are exactly the theme's (what the
            // hostile-HTML checks let through).
            assert!(html.contains("<script>"), "{page}");
            assert!(!strip_theme_scripts(&html).contains("<script>"), "{page}");
        }
        for c in link
            .captures_iter(&html)
            .chain(refresh.captures_iter(&html))
        {
            let href = c[1].replace("&amp;", "&");
            if href.is_empty()
                || href.starts_with('#')
                || ["http:", "https:", "mailto:", "data:", "//"]
                    .iter()
                    .any(|p| href.starts_with(p))
            {
                continue;
            }
            let path = href.split(['?', '#']).next().unwrap();
            let mut target = resolve(&page, path);
            if path.ends_with('/') || target.is_empty() {
                target = format!("{target}/index.html")
                    .trim_start_matches('/')
                    .to_string();
            }
            checked += 1;
            if !public.join(&target).is_file() {
                broken.push(format!("{page}: {href}"));
            }
        }
    }
    assert!(checked > 1000, "{checked} links");
    assert!(
        broken.is_empty(),
        "{} broken links, first: {:#?}",
        broken.len(),
        &broken[..broken.len().min(10)]
    );
}
