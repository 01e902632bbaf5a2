//! `qunshu book`: the real binary on the demo site and on a fixture with
//! images, links between posts, every privacy level and hostile HTML.
//!
//! epubcheck (and pandoc) and Chromium tests skip with a message when the
//! tool is missing, and FAIL when `QUNSHU_REQUIRE_EPUBCHECK=1` /
//! `QUNSHU_REQUIRE_BROWSER=1` (as `.ci/run` sets them).

use crate::common;

use assert_cmd::Command;
use common::repo;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

const CLOCK: &str = "2026-12-01 00:00";

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/book")
}

/// The binary, without the Chromium its caller's environment may name.
fn qunshu() -> Command {
    let mut c = common::qunshu();
    c.env_remove("QUNSHU_CHROMIUM");
    c
}

/// Runs `qunshu --root ROOT book ARGS --out OUT --clock CLOCK` and returns stdout.
fn book(root: &Path, out: &Path, args: &[&str]) -> String {
    let a = qunshu()
        .arg("--root")
        .arg(root)
        .arg("book")
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--clock", CLOCK])
        .assert()
        .success();
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// The epubcheck command, if installed.
fn epubcheck_cmd() -> Option<std::process::Command> {
    let jar = Path::new("/usr/share/java/epubcheck.jar");
    let java_ok = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if jar.is_file() && java_ok {
        let mut c = std::process::Command::new("java");
        c.arg("-jar").arg(jar);
        return Some(c);
    }
    let ok = std::process::Command::new("epubcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| std::process::Command::new("epubcheck"))
}

/// Runs epubcheck; asserts no errors and no warnings. Returns false when skipped.
fn epubcheck(path: &Path) -> bool {
    let Some(mut cmd) = epubcheck_cmd() else {
        assert!(
            !required("QUNSHU_REQUIRE_EPUBCHECK"),
            "epubcheck is not installed but QUNSHU_REQUIRE_EPUBCHECK=1 (apt-get install epubcheck)"
        );
        eprintln!("SKIP: epubcheck is not installed");
        return false;
    };
    let out = cmd.arg(path).output().expect("run epubcheck");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "epubcheck failed on {}:\n{text}",
        path.display()
    );
    assert!(
        text.contains("No errors or warnings detected"),
        "epubcheck reported problems on {}:\n{text}",
        path.display()
    );
    true
}

/// Every entry of a zip file, as bytes.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let f = std::fs::File::open(path).expect("open epub");
    let mut z = zip::ZipArchive::new(f).expect("read zip");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read entry");
        out.insert(e.name().to_string(), b);
    }
    out
}

/// All text of the outputs in `dir` (every EPUB entry, HTML, Markdown).
fn all_text(dir: &Path, name: &str) -> String {
    let mut s = String::new();
    for (n, b) in unzip(&dir.join(format!("{name}.epub"))) {
        s.push_str(&n);
        s.push_str(&String::from_utf8_lossy(&b));
    }
    for ext in ["html", "md"] {
        s.push_str(&std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).expect("output"));
    }
    s
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn demo_book_passes_epubcheck_and_hides_anonymous_members() {
    let out = tempfile::tempdir().expect("tmp");
    let stdout = book(&repo(), out.path(), &["--format", "epub,html,md"]);
    assert!(stdout.contains("创业者同行社问答精选"), "{stdout}");
    let text = all_text(out.path(), "book");
    for secret in [
        "欧阳秋菊",
        "司马青云",
        "诸葛婉清",
        "nightowl",
        "sailor",
        "pinecone",
    ] {
        assert!(
            !text.contains(secret),
            "`{secret}` appears in the demo book"
        );
    }
    // The preface's link to a post became an in-book link.
    let epub = unzip(&out.path().join("book.epub"));
    let preface = String::from_utf8_lossy(&epub["EPUB/preface.xhtml"]).to_string();
    assert!(preface.contains("href=\"ch001.xhtml#p2\""), "{preface}");
    epubcheck(&out.path().join("book.epub"));
}

#[test]
fn fixture_book_is_valid_private_safe_and_linked() {
    let out = tempfile::tempdir().expect("tmp");
    let stdout = book(&fixture(), out.path(), &["--format", "epub,html,md"]);
    assert!(
        stdout.contains("2 chapters, 3 sections, 3 contributors (+1 anonymous)"),
        "{stdout}"
    );
    let text = all_text(out.path(), "book");

    // Privacy: the anonymous member is nowhere (name, alias, handle); the
    // alias member appears only by alias.
    for secret in ["王秘密", "神秘人", "shadowfox", "李四海"] {
        assert!(!text.contains(secret), "`{secret}` appears in the book");
    }
    assert!(text.contains("小李飞刀"));
    assert!(text.contains("匿名成员"));

    // Hostile HTML is gone from every output.
    let lower = text.to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "onload",
        "alert(",
    ] {
        assert!(!lower.contains(bad), "`{bad}` survived");
    }
    assert!(!text.contains('\u{7}'), "a control character survived");

    // Images: packaged in the EPUB, copied beside the HTML, every src resolves.
    let epub = unzip(&out.path().join("book.epub"));
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.path().join("book.epub")).expect("epub"))
            .expect("zip");
    let first = z.by_index(0).expect("first entry");
    assert_eq!(first.name(), "mimetype", "mimetype must be the first entry");
    assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    drop(first);
    let images: Vec<&String> = epub
        .keys()
        .filter(|k| k.starts_with("EPUB/images/"))
        .collect();
    assert_eq!(images.len(), 3, "{images:?}"); // chart.png, diagram.svg, cover.png
    for (name, bytes) in &epub {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let doc = String::from_utf8_lossy(bytes);
        for src in doc.split("src=\"").skip(1) {
            let src = &src[..src.find('"').expect("quote")];
            assert!(
                epub.contains_key(&format!("EPUB/{src}")),
                "{name}: missing {src}"
            );
        }
    }
    let html = std::fs::read_to_string(out.path().join("book.html")).expect("html");
    for src in html.split("src=\"").skip(1) {
        let src = &src[..src.find('"').expect("quote")];
        assert!(out.path().join(src).is_file(), "html: missing {src}");
    }
    // The webp image and the raw-HTML image are replaced by their descriptions.
    assert!(
        html.contains("[webp 图片]") && html.contains("[原始图片]"),
        "{html}"
    );
    assert!(html.contains("<a href=\"https://example.com/remote.png\">[远程图片]</a>"));

    // Links between posts: in-book anchors (EPUB: across chapter files).
    let ch1 = String::from_utf8_lossy(&epub["EPUB/ch001.xhtml"]).to_string();
    assert!(
        ch1.contains("<a href=\"ch002.xhtml#p3\">另一个问题</a>"),
        "{ch1}"
    );
    assert!(
        ch1.contains("<a href=\"ch001.xhtml#p2\">合伙人退出</a>"),
        "{ch1}"
    );
    assert!(html.contains("<a href=\"#p2\">合伙人退出</a>"));
    assert!(html.contains("见<a href=\"#p1\">第一个问题</a>"));
    let md = std::fs::read_to_string(out.path().join("book.md")).expect("md");
    assert!(
        md.contains("[合伙人退出](#p2)") && md.contains("## 股权怎么分？ {#p1}"),
        "{md}"
    );
    // Footnotes never clash across parts.
    assert!(
        md.contains("[^p1-q-1]") && md.contains("[^p1-a1-1]"),
        "{md}"
    );

    // Every id is unique in the print page.
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').expect("quote")])
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in the HTML");

    epubcheck(&out.path().join("book.epub"));
}

#[test]
fn credits_match_the_content() {
    let out = tempfile::tempdir().expect("tmp");
    book(&fixture(), out.path(), &["--format", "html"]);
    let html = std::fs::read_to_string(out.path().join("book.html")).expect("html");
    // Chapter 股权: q1 (asked by the anonymous member, accepted answer by
    // alice, answers by bob and the anonymous member, a reply by the
    // anonymous member, summary by bob) and c1 (written by bob and the
    // anonymous member). Other answers are included (`other_answers = true`).
    assert!(html.contains(
        "<span class=\"label\">本章贡献者：</span>小李飞刀（回答 1、撰写 1、总结 1）、张三丰（采纳回答 1）、1 位匿名成员</p>"
    ), "{html}");
    // Chapter 定价: q2 asked by erin, accepted answer by bob, summary by alice.
    assert!(html.contains(
        "<span class=\"label\">本章贡献者：</span>赵六（提问 1）、小李飞刀（采纳回答 1）、张三丰（总结 1）</p>"
    ));
    // The index: most contributions first, with chapter and section references.
    let index = &html[html.find("id=\"contributors\"").expect("index")..];
    let bob = index
        .find("<dt>小李飞刀（采纳回答 1、回答 1、撰写 1、总结 1）</dt>")
        .expect("bob");
    let alice = index
        .find("<dt>张三丰（采纳回答 1、总结 1）</dt>")
        .expect("alice");
    let erin = index.find("<dt>赵六（提问 1）</dt>").expect("erin");
    assert!(bob < alice && alice < erin);
    assert!(index.contains("<a href=\"#ch1\">第一章</a>：<a href=\"#p1\">《股权怎么分？》</a>、<a href=\"#p2\">《案例｜合伙人退出》</a>；<a href=\"#ch2\">第二章</a>"));
    assert!(index.contains("另有 1 位匿名成员参与了本书，共 4 处贡献"));
    // The open thread is not in the book.
    assert!(!html.contains("还没解决的问题"));
    // Each section names its author(s).
    assert!(html.contains("<p class=\"byline\">提问：匿名成员 · 2026-10-01 · 股权</p>"));
    assert!(
        html.contains("<p class=\"byline\">作者：小李飞刀、匿名成员 · 2026-10-04 · 股权、定价</p>")
    );
    assert!(html.contains("<span class=\"badge\">✔ 已采纳</span>"));
}

#[test]
fn explicit_chapter_list_and_named_book() {
    let out = tempfile::tempdir().expect("tmp");
    let stdout = book(&fixture(), out.path(), &["list", "--format", "epub,html"]);
    assert!(
        stdout.contains("列表之书") && stdout.contains("2 chapters, 4 sections"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.path().join("list.html")).expect("html");
    let order: Vec<usize> = [
        "第一部分",
        "股权怎么分？",
        "早报｜开营",
        "第二部分",
        "案例｜合伙人退出",
        "定价与恶意 HTML",
    ]
    .iter()
    .map(|t| html.find(t).unwrap_or_else(|| panic!("{t} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Only the accepted answer is printed by default.
    assert!(!html.contains("签兑现协议"));
    epubcheck(&out.path().join("list.epub"));
}

#[test]
fn output_is_reproducible() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    book(&fixture(), a.path(), &["--format", "epub,html,md"]);
    // A different clock that publishes the same posts gives the same bytes.
    qunshu()
        .arg("--root")
        .arg(fixture())
        .args([
            "book",
            "--format",
            "epub,html,md",
            "--clock",
            "2027-03-01 09:30",
            "--out",
        ])
        .arg(b.path())
        .assert()
        .success();
    for f in ["book.epub", "book.html", "book.md"] {
        let x = std::fs::read(a.path().join(f)).expect("a");
        let y = std::fs::read(b.path().join(f)).expect("b");
        assert!(x == y, "{f} differs between runs");
    }
    let opf = String::from_utf8_lossy(&unzip(&a.path().join("book.epub"))["EPUB/package.opf"])
        .to_string();
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2026-10-04T12:00:00Z</meta>"),
        "{opf}"
    );
}

#[test]
fn config_errors_name_the_line() {
    let dir = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), dir.path());
    let toml_path = dir.path().join("site.toml");
    let base = std::fs::read_to_string(&toml_path).expect("toml");

    let run = |text: &str| -> String {
        std::fs::write(&toml_path, text).expect("write");
        let a = qunshu()
            .arg("--root")
            .arg(dir.path())
            .args([
                "book", "list", "--format", "html", "--clock", CLOCK, "--out",
            ])
            .arg(dir.path().join("out"))
            .assert()
            .failure();
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    let line_of = |text: &str, needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .expect("needle")
            + 1
    };

    let t = base.replace(
        "posts = [\"cases/c1.md\", \"hostile\"]",
        "posts = [\"cases/c1.md\", \"nope\"]",
    );
    let e = run(&t);
    assert!(
        e.contains(&format!("site.toml:{}", line_of(&t, "\"nope\"")))
            && e.contains("there is no post `nope`"),
        "{e}"
    );

    let t = base.replace(
        "posts = [\"cases/c1.md\", \"hostile\"]",
        "posts = [\"cases/c1.md\", \"qa/q3-open\"]",
    );
    let e = run(&t);
    assert!(e.contains("open thread"), "{e}");

    let t = base.replace(
        "other_answers = true",
        "other_answers = true\ngroup_by = \"weekly\"",
    );
    let e = run(&t);
    assert!(
        e.contains(&format!("site.toml:{}", line_of(&t, "weekly")))
            && e.contains("`weekly` is not a way to make chapters"),
        "{e}"
    );

    let t = base.replace("subtitle = \"夹具\"", "subtitel = \"夹具\"");
    let e = run(&t);
    assert!(
        e.contains(&format!("site.toml:{}", line_of(&t, "subtitel"))) && e.contains("subtitel"),
        "{e}"
    );
}

/// Only when the PDF is printed by Chromium (built without `typst`; see
/// tests/book_pdf.rs for the typeset PDF).
#[cfg(not(feature = "typst"))]
#[test]
fn pdf_without_chromium_says_so() {
    let out = tempfile::tempdir().expect("tmp");
    let a = qunshu()
        .env("QUNSHU_CHROMIUM", "/nonexistent/chromium")
        .arg("--root")
        .arg(fixture())
        .args(["book", "--format", "pdf", "--clock", CLOCK, "--out"])
        .arg(out.path())
        .assert()
        .failure();
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains("Chromium is not installed"), "{e}");
}

/// Reads a binary PGM (P5) and returns (width, height, pixels).
fn read_pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let b = std::fs::read(path).expect("pgm");
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !b[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&b[start..i]).to_string());
    }
    assert_eq!(fields[0], "P5");
    let w: usize = fields[1].parse().expect("w");
    let h: usize = fields[2].parse().expect("h");
    (w, h, b[i + 1..].to_vec())
}

#[test]
fn pdf_pages_are_not_blank() {
    let have = |c: &str| {
        std::process::Command::new("which")
            .arg(c)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let browser = cfg!(feature = "typst")
        || have("chromium")
        || have("chromium-browser")
        || have("google-chrome");
    if !browser || !have("pdftoppm") {
        assert!(
            !required("QUNSHU_REQUIRE_BROWSER"),
            "Chromium or pdftoppm is missing but QUNSHU_REQUIRE_BROWSER=1 (apt-get install chromium poppler-utils fonts-noto-cjk)"
        );
        eprintln!("SKIP: Chromium or pdftoppm is not installed");
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    book(&fixture(), out.path(), &["--format", "pdf"]);
    let pdf = out.path().join("book.pdf");
    assert!(pdf.is_file());
    assert!(
        !out.path().join("book.html").exists(),
        "only the PDF was asked for"
    );
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "30", "-gray"])
        .arg(&pdf)
        .arg(out.path().join("page"))
        .status()
        .expect("pdftoppm");
    assert!(st.success());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(out.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    pages.sort();
    // cover, title page, contents, preface, two chapters, contributors
    assert!(pages.len() >= 7, "only {} pages", pages.len());
    for p in &pages {
        let (w, h, px) = read_pgm(p);
        assert_eq!(px.len(), w * h);
        let dark = px.iter().filter(|&&v| v < 160).count();
        assert!(
            dark > 20,
            "{} looks blank ({dark} dark pixels)",
            p.display()
        );
    }
}

/// Where `needle` is in `hay` (panics with the text when it is missing).
fn pos(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` missing from:\n{hay}"))
}

#[test]
fn epub_notes_drawn_cover_subjects_and_names_by_pinyin() {
    let t = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), t.path());
    // No cover image: one is drawn. erin becomes 阿六 (a-liu): first by
    // pinyin, last by contributions.
    let site = std::fs::read_to_string(t.path().join("site.toml")).expect("site");
    let site: String = site
        .lines()
        .filter(|l| !l.starts_with("cover ="))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(t.path().join("site.toml"), site).expect("write");
    let members = t.path().join("content/members.yaml");
    let m = std::fs::read_to_string(&members).expect("members");
    std::fs::write(&members, m.replace("赵六", "阿六")).expect("write");
    let out = tempfile::tempdir().expect("tmp");
    book(t.path(), out.path(), &["--format", "epub,html,md"]);
    let epub = unzip(&out.path().join("book.epub"));
    let text = |name: &str| String::from_utf8_lossy(&epub[name]).to_string();

    // Footnotes with reader semantics and back-links.
    let ch1 = text("EPUB/ch001.xhtml");
    assert!(ch1.contains("<a epub:type=\"noteref\" role=\"doc-noteref\" id=\"p1-q-fn-1-ref\" href=\"ch001.xhtml#p1-q-fn-1\">1</a>"), "{ch1}");
    assert!(ch1.contains("<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote-definition\" id=\"p1-q-fn-1\"><sup class=\"footnote-definition-label\"><a role=\"doc-backlink\" href=\"ch001.xhtml#p1-q-fn-1-ref\">1</a></sup>"), "{ch1}");
    assert!(ch1.contains("id=\"p1-a1-fn-1-ref\""), "{ch1}");
    // The HTML page has the roles but not `epub:type` (invalid in HTML).
    let html = std::fs::read_to_string(out.path().join("book.html")).expect("html");
    assert!(html.contains("<a role=\"doc-noteref\" id=\"p1-q-fn-1-ref\" href=\"#p1-q-fn-1\">"));
    assert!(!html.contains("epub:type"));

    // A drawn cover: a 1,200 × 1,800 PNG marked as the cover image, with
    // the title drawn on it (many pixels unlike the background).
    let opf = text("EPUB/package.opf");
    assert!(
        opf.contains(
            "href=\"images/cover.png\" media-type=\"image/png\" properties=\"cover-image\""
        ),
        "{opf}"
    );
    assert!(text("EPUB/cover.xhtml").contains("<img src=\"images/cover.png\""));
    let png = &epub["EPUB/images/cover.png"];
    let pix = resvg::tiny_skia::Pixmap::decode_png(png).expect("a PNG");
    assert_eq!((pix.width(), pix.height()), (1200, 1800));
    let bg = pix.pixel(5, 5).expect("pixel");
    let drawn = (300..700)
        .flat_map(|y| (0..1200).map(move |x| (x, y)))
        .filter(|&(x, y)| pix.pixel(x, y) != Some(bg))
        .count();
    assert!(drawn > 5_000, "the title is not drawn ({drawn} pixels)");

    // Subjects from the tags; contributors and editors filed by pinyin.
    assert!(
        opf.contains("<dc:subject>定价</dc:subject>\n<dc:subject>股权</dc:subject>"),
        "{opf}"
    );
    assert!(
        opf.contains("property=\"file-as\">Zhang Sanfeng</meta>"),
        "{opf}"
    );
    assert!(opf.contains("property=\"file-as\">A Liu</meta>"), "{opf}");
    assert!(pos(&opf, ">阿六<") < pos(&opf, ">小李飞刀<"));
    assert!(pos(&opf, ">小李飞刀<") < pos(&opf, "<dc:contributor id=\"contrib3\">张三丰<"));

    // The index by pinyin in every format, the anonymous members last and unnamed.
    let index = text("EPUB/contributors.xhtml");
    let md = std::fs::read_to_string(out.path().join("book.md")).expect("md");
    let html_index = &html[pos(&html, "id=\"contributors\"")..];
    let md_index = &md[pos(&md, "# 贡献者索引")..];
    for idx in [&index[..], html_index, md_index] {
        let (a, x, z, anon) = (
            pos(idx, "阿六（"),
            pos(idx, "小李飞刀（"),
            pos(idx, "张三丰（"),
            pos(idx, "另有 1 位匿名成员"),
        );
        assert!(a < x && x < z && z < anon, "{idx}");
        for secret in ["王秘密", "神秘人", "shadowfox"] {
            assert!(!idx.contains(secret));
        }
    }
    epubcheck(&out.path().join("book.epub"));
}

#[test]
fn markdown_metadata_makes_a_pandoc_epub_that_epubcheck_accepts() {
    let out = tempfile::tempdir().expect("tmp");
    book(&fixture(), out.path(), &["--format", "md"]);
    let md = std::fs::read_to_string(out.path().join("book.md")).expect("md");
    let head = md
        .strip_prefix("---\n")
        .and_then(|r| r.split_once("\n---\n"))
        .map(|(h, _)| h)
        .unwrap_or_else(|| panic!("no YAML metadata block:\n{md}"));
    for line in [
        "title: \"测试之书\"",
        "subtitle: \"夹具\"",
        "author:\n  - \"张三丰\"",
        "lang: zh-CN",
        "date: \"2026-10-04\"",
        "rights: \"© 2026 测试社群及各位作者。",
        "identifier: \"urn:uuid:",
        "subject:\n  - \"定价\"\n  - \"股权\"",
        "cover-image: \"images/cover.png\"",
    ] {
        assert!(head.contains(line), "`{line}` missing from:\n{head}");
    }
    // Remote and unpackaged images are written as their descriptions, as
    // in the EPUB, so Pandoc fetches nothing; raw HTML is well-formed XHTML.
    assert!(
        md.contains("[\\[远程图片\\]](https://example.com/remote.png) \\[webp 图片\\]"),
        "{md}"
    );
    assert!(!md.contains("<img src=\"x\""), "{md}");

    let ok = std::process::Command::new("pandoc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !required("QUNSHU_REQUIRE_EPUBCHECK"),
            "pandoc is not installed but QUNSHU_REQUIRE_EPUBCHECK=1 (apt-get install pandoc)"
        );
        eprintln!("SKIP: pandoc is not installed");
        return;
    }
    let st = std::process::Command::new("pandoc")
        .current_dir(out.path())
        .args(["book.md", "-o", "pandoc.epub"])
        .status()
        .expect("pandoc");
    assert!(st.success());
    let epub = unzip(&out.path().join("pandoc.epub"));
    let opf = epub
        .iter()
        .find(|(n, _)| n.ends_with(".opf"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .expect("an opf");
    for want in [
        ">测试之书</dc:title>",
        "<dc:language>zh-CN</dc:language>",
        ">张三丰</dc:creator>",
        "<dc:rights>© 2026 测试社群",
        "cover-image",
    ] {
        assert!(
            opf.contains(want),
            "`{want}` missing from pandoc's opf:\n{opf}"
        );
    }
    epubcheck(&out.path().join("pandoc.epub"));
}

/// `[book] rights` replaces the default rights statement in the EPUB
/// (`dc:rights`), the Markdown metadata and the PDF's title page; a book
/// without it keeps the default (`© YEAR COMMUNITY…`, checked above).
#[test]
fn book_rights_key_is_used_in_every_format() {
    let t = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), t.path());
    let site = t.path().join("site.toml");
    let text = std::fs::read_to_string(&site).expect("site");
    let rights = "本书以 CC BY-NC 4.0 许可发布 & 转载请注明出处";
    std::fs::write(
        &site,
        text.replacen("[book]\n", &format!("[book]\nrights = \"{rights}\"\n"), 1),
    )
    .expect("w");
    let out = tempfile::tempdir().expect("tmp");
    let formats = if cfg!(feature = "typst") {
        "epub,md,pdf"
    } else {
        "epub,md"
    };
    book(t.path(), out.path(), &["--format", formats]);
    let epub = unzip(&out.path().join("book.epub"));
    let opf = epub
        .iter()
        .find(|(n, _)| n.ends_with(".opf"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("an OPF");
    assert!(
        opf.contains("<dc:rights>本书以 CC BY-NC 4.0 许可发布 &amp; 转载请注明出处</dc:rights>"),
        "{opf}"
    );
    assert!(!opf.contains("© 2026 测试社群"), "{opf}");
    let md = std::fs::read_to_string(out.path().join("book.md")).expect("md");
    assert!(md.contains(&format!("rights: \"{rights}\"")), "{md}");
    let poppler = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    assert!(
        poppler || !required("QUNSHU_REQUIRE_BROWSER"),
        "pdftotext is missing but QUNSHU_REQUIRE_BROWSER=1"
    );
    if cfg!(feature = "typst") && poppler {
        let o = std::process::Command::new("pdftotext")
            .args(["-f", "1", "-l", "3"])
            .arg(out.path().join("book.pdf"))
            .arg("-")
            .output()
            .expect("pdftotext");
        let text: String = String::from_utf8_lossy(&o.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let want: String = rights.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(&want), "{text}");
    }
}
