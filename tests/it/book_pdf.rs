//! `qunshu book --format pdf` typeset by the embedded typst engine: no
//! browser, fonts embedded (no Type 3), an outline, a paged table of
//! contents, running heads and folios, privacy kept, member text never run
//! as typst code, byte-identical runs, A5 and A4.
//!
//! Reads the PDF with poppler-utils (`pdffonts`, `pdftotext`, `pdfinfo`,
//! `pdftohtml -xml` for the outline): the tests skip with a message when
//! they are missing, and FAIL when `QUNSHU_REQUIRE_BROWSER=1` (as `.ci/run`
//! sets it; `.ci/run` installs poppler-utils).
#![cfg(feature = "typst")]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

const CLOCK: &str = "2026-12-01 00:00";

fn fixture() -> PathBuf {
    common::repo().join("tests/fixtures/book")
}

fn poppler() -> bool {
    let ok = Command::new("pdffonts")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if !ok {
        assert!(
            std::env::var("QUNSHU_REQUIRE_BROWSER").ok().as_deref() != Some("1"),
            "poppler-utils is missing but QUNSHU_REQUIRE_BROWSER=1 (apt-get install poppler-utils)"
        );
        eprintln!("SKIP: poppler-utils is not installed");
    }
    ok
}

/// Makes the PDF of the book at `root` into `out` with no browser on the
/// PATH, and returns its path.
fn make_pdf(root: &Path, out: &Path) -> PathBuf {
    make_pdf_in_parts(root, out, None).0
}

/// Makes the PDF; `part_kb`: typeset in parts of at most that much markup
/// (`QUNSHU_BOOK_PART_KB`). Returns its path and the timing lines
/// (`QUNSHU_TIMING=1`), which name the parts.
fn make_pdf_in_parts(root: &Path, out: &Path, part_kb: Option<u32>) -> (PathBuf, String) {
    let mut cmd = common::qunshu();
    cmd.env("PATH", "/nonexistent")
        .env("QUNSHU_CHROMIUM", "/nonexistent/chromium")
        .env("QUNSHU_TIMING", "1")
        .env_remove("QUNSHU_BOOK_PART_KB");
    if let Some(kb) = part_kb {
        cmd.env("QUNSHU_BOOK_PART_KB", kb.to_string());
    }
    let o = common::output(
        cmd.arg("--root")
            .arg(root)
            .args(["book", "--format", "pdf", "--clock", CLOCK, "--out"])
            .arg(out),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let pdf = out.join("book.pdf");
    assert!(pdf.is_file(), "no book.pdf");
    (pdf, format!("{}{}", o.stdout, o.stderr))
}

/// Text without any white space (pdftotext breaks lines and spaces CJK
/// text its own way).
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// The outline (bookmarks) as (title, page) pairs, read with pdftohtml.
fn outline_items(pdf: &Path) -> Vec<(String, usize)> {
    let xml = run("pdftohtml", &["-xml", "-i", "-q", "-stdout"], pdf);
    let Some(at) = xml.find("<outline>") else {
        return Vec::new();
    };
    let mut v = Vec::new();
    for piece in xml[at..].split("<item page=\"").skip(1) {
        let Some((page, rest)) = piece.split_once("\">") else {
            continue;
        };
        let title = rest.split("</item>").next().unwrap_or("");
        let title = title
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        v.push((title, page.parse().expect("a page number")));
    }
    v
}

/// Every outline entry points at the page its heading is on.
fn check_outline_pages(pdf: &Path, pages: &[String]) -> usize {
    let items = outline_items(pdf);
    for (title, page) in &items {
        let want: String = squeeze(title).chars().take(8).collect();
        let text = squeeze(&pages[page - 1]);
        assert!(
            text.contains(&want),
            "the outline entry `{title}` points at page {page}, which does not show it: {}",
            pages[page - 1]
        );
    }
    items.len()
}

/// The contents give, for each chapter, the folio of the page it opens on;
/// returns how many were checked.
fn check_contents(pages: &[String]) -> usize {
    let mut checked = 0;
    // Contents pages: typst puts a word joiner before each entry's page.
    for toc in pages.iter().filter(|p| p.contains('\u{2060}')) {
        for line in toc.lines().filter(|l| l.contains('第') && l.contains('章')) {
            let digits: String = line
                .trim_end()
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let n: u32 = digits
                .parse()
                .unwrap_or_else(|_| panic!("no page number in `{line}`"));
            let title = line.split_whitespace().next().expect("title");
            let page = pages
                .iter()
                .find(|p| folio(p) == Some(n))
                .unwrap_or_else(|| panic!("no page numbered {n}"));
            assert!(
                page.contains(title),
                "page {n} does not open `{title}`: {page}"
            );
            checked += 1;
        }
    }
    checked
}

/// Folios are consecutive: each numbered page is one more than the
/// numbered page before it.
fn check_folios(pages: &[String]) {
    let mut last: Option<(usize, u32)> = None;
    for (i, p) in pages.iter().enumerate() {
        if let Some(n) = folio(p) {
            if let Some((j, m)) = last {
                assert_eq!(
                    n as usize - m as usize,
                    i - j,
                    "page {} has folio {n} after folio {m} on page {}",
                    i + 1,
                    j + 1
                );
            }
            last = Some((i, n));
        }
    }
}

fn run(cmd: &str, args: &[&str], pdf: &Path) -> String {
    let o = Command::new(cmd)
        .args(args)
        .arg(pdf)
        .args(if cmd == "pdftotext" || cmd == "pdftohtml" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        o.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of each page.
fn pages(pdf: &Path) -> Vec<String> {
    run("pdftotext", &["-layout"], pdf)
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

/// The last non-empty line of a page: its folio, if it has one.
fn folio(page: &str) -> Option<u32> {
    page.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| l.trim().parse().ok())
}

#[test]
fn pdf_is_typeset_without_a_browser() {
    if !poppler() {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(&fixture(), out.path());
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pdf).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "book.pdf is {mode:o}");
    }
    assert!(
        !out.path().join("book.html").exists(),
        "only the PDF was asked for"
    );
    let info = run("pdfinfo", &[], &pdf);
    // A5 by default: 420 × 595 pt.
    assert!(info.contains("419.5") || info.contains("420"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.trim_end().ends_with("测试之书")),
        "{info}"
    );
    // Dated by the book's latest post, not by the run.
    assert!(info.contains("2026"), "{info}");
}

#[test]
fn fonts_are_embedded_and_none_is_type_3() {
    if !poppler() {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(&fixture(), out.path());
    let fonts = run("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for r in rows {
        assert!(!r.contains("Type 3"), "a Type 3 font: {fonts}");
        // name type encoding emb sub uni object ID
        let cols: Vec<&str> = r.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{r}");
        assert_eq!(cols[n - 5], "yes", "not embedded: {r}");
    }
    assert!(fonts.contains("CID"), "{fonts}");
}

#[test]
fn outline_contents_folios_and_running_heads() {
    if !poppler() {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(&fixture(), out.path());
    // The outline: preface, both chapters, every section, the index.
    let xml = run("pdftohtml", &["-xml", "-i", "-q", "-stdout"], &pdf);
    let outline = &xml[xml.find("<outline>").expect("an outline in the PDF")..];
    for t in [
        "序言",
        "第一章",
        "第二章",
        "股权怎么分？",
        "定价与恶意 HTML",
        "贡献者索引",
    ] {
        assert!(outline.contains(t), "no `{t}` in the outline: {outline}");
    }
    let pages = pages(&pdf);
    // The table of contents gives the folio of the page each chapter opens on.
    let checked = check_contents(&pages);
    assert!(checked >= 2, "{pages:?}");
    // Each bookmark points at its heading's page; folios run on.
    assert!(check_outline_pages(&pdf, &pages) >= 6);
    check_folios(&pages);

    // Folios on the numbered pages; running heads on pages that open nothing.
    let numbered = pages.iter().filter(|p| folio(p).is_some()).count();
    assert!(
        numbered + 3 >= pages.len(),
        "{numbered} of {} pages numbered",
        pages.len()
    );
    let heads = pages
        .iter()
        .filter(|p| {
            let first = p.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            first.contains("测试之书") || first.contains("股权") || first.contains("定价")
        })
        .count();
    assert!(heads >= 2, "no running heads: {pages:?}");
    // The contributors index gives page numbers too.
    let index = pages
        .iter()
        .rev()
        .find(|p| p.contains("贡献者索引"))
        .expect("index");
    assert!(index.contains("《股权怎么分？》"), "{index}");
    assert!(
        index
            .lines()
            .any(|l| l.contains('》') && l.chars().any(|c| c.is_ascii_digit())),
        "{index}"
    );
}

#[test]
fn anonymous_members_are_never_named_in_the_pdf() {
    if !poppler() {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(&fixture(), out.path());
    let text = run("pdftotext", &[], &pdf);
    for secret in ["王秘密", "神秘人", "shadowfox"] {
        assert!(!text.contains(secret), "`{secret}` in the PDF");
    }
    assert!(text.contains("匿名成员"));
    assert!(text.contains("张三丰") && text.contains("小李飞刀"));
    assert!(!text.contains("李四海"), "an alias member's name");
    // The chapter's credit line on its opening page, and a footnote.
    assert!(text.contains("本章贡献者："), "{text}");
    assert!(text.contains("背景补充：已经注册公司。"), "{text}");
}

#[test]
fn member_text_never_runs_as_typst_code() {
    if !poppler() {
        return;
    }
    let t = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), t.path());
    let q = t.path().join("content/qa/q2-hostile.md");
    let text = std::fs::read_to_string(&q).expect("q2");
    let evil = "#panic(\"typst ran\") #read(\"/etc/passwd\") #{1+1} $x^2$ <lab> @bob ] [ // not a comment */ `#eval(\"1\")`\n\n```\n#panic(\"in code\")\"\\\n```\n\n";
    std::fs::write(&q, text.replacen("## @bob", &format!("{evil}## @bob"), 1)).expect("write");
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(t.path(), out.path());
    let text = run("pdftotext", &[], &pdf);
    assert!(
        text.contains("#panic(\"typst ran\")") || text.contains("#panic(“typst ran”)"),
        "{text}"
    );
    assert!(text.contains("#read("), "{text}");
    assert!(text.contains("#{1+1}"), "{text}");
    assert!(!text.contains("root:x:0:0"), "a file was read");
    assert!(text.contains("// not a comment"), "{text}");
    assert!(text.contains("#panic(\"in code\")"), "{text}");
}

#[test]
fn the_same_sources_give_the_same_pdf() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let pa = make_pdf(&fixture(), a.path());
    let pb = make_pdf(&fixture(), b.path());
    assert!(
        std::fs::read(pa).expect("a") == std::fs::read(pb).expect("b"),
        "two runs differ"
    );
}

#[test]
fn a4_paper_and_bad_settings() {
    if !poppler() {
        return;
    }
    let t = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), t.path());
    let site = t.path().join("site.toml");
    let text = std::fs::read_to_string(&site).expect("site");
    std::fs::write(
        &site,
        text.replacen("[book]\n", "[book]\npaper = \"A4\"\n", 1),
    )
    .expect("w");
    let out = tempfile::tempdir().expect("tmp");
    let pdf = make_pdf(t.path(), out.path());
    let info = run("pdfinfo", &[], &pdf);
    assert!(info.contains("595") && info.contains("841"), "{info}");

    std::fs::write(
        &site,
        text.replacen("[book]\n", "[book]\npaper = \"letter\"\n", 1),
    )
    .expect("w");
    let o = common::output(
        common::qunshu_at(t.path())
            .args(["book", "--format", "pdf", "--clock", CLOCK, "--out"])
            .arg(out.path()),
    );
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("site.toml:26")
            && o.stderr.contains("book.paper")
            && o.stderr.contains("letter"),
        "{}",
        o.stderr
    );

    std::fs::write(
        &site,
        text.replacen("[book]\n", "[book]\nfonts = [\"book/nofonts\"]\n", 1),
    )
    .expect("w");
    let o = common::output(
        common::qunshu_at(t.path())
            .args(["book", "--format", "pdf", "--clock", CLOCK, "--out"])
            .arg(out.path()),
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("book/nofonts"), "{}", o.stderr);
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("rel");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// The text of every output of the book in `dir`: the EPUB's entries, the
/// HTML page, the Markdown file and the PDF's text.
fn every_format_text(dir: &Path) -> String {
    let mut s = String::new();
    let f = std::fs::File::open(dir.join("book.epub")).expect("epub");
    let mut z = zip::ZipArchive::new(f).expect("zip");
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut b).expect("read");
        s.push_str(&String::from_utf8_lossy(&b));
    }
    for ext in ["html", "md"] {
        s.push_str(&std::fs::read_to_string(dir.join(format!("book.{ext}"))).expect("output"));
    }
    s.push_str(&run("pdftotext", &[], &dir.join("book.pdf")));
    s
}

#[test]
fn mentions_print_the_name_privacy_allows_in_every_format() {
    if !poppler() {
        return;
    }
    let t = tempfile::tempdir().expect("tmp");
    copy_dir(&fixture(), t.path());
    let preface = t.path().join("book/preface.md");
    let mut text = std::fs::read_to_string(&preface).expect("preface");
    text.push_str("\n感谢 @alice、@bob 和 ＠shadowfox 的帮助。\n");
    std::fs::write(&preface, text).expect("write");
    let out = tempfile::tempdir().expect("tmp");
    common::qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["book", "--clock", CLOCK, "--out"])
        .arg(out.path())
        .assert()
        .success();
    let all = every_format_text(out.path());
    for secret in ["王秘密", "神秘人", "shadowfox", "李四海", "@alice", "@bob"] {
        assert!(!all.contains(secret), "`{secret}` in a book output");
    }
    // Once in each of EPUB, HTML, Markdown and PDF: the preface's line with
    // the public name, the alias and the anonymous word; and the summary's.
    let line = "感谢 张三丰、小李飞刀 和 匿名成员 的帮助。";
    assert_eq!(all.matches(line).count(), 4, "{all}");
    assert_eq!(all.matches("同意 匿名成员 的看法").count(), 4, "{all}");
}

#[test]
fn every_output_file_is_0644_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let out = tempfile::tempdir().expect("tmp");
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let status = Command::new("sh")
        .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
        .arg(&bin)
        .arg("--root")
        .arg(fixture())
        .args(["book", "--clock", CLOCK, "--out"])
        .arg(out.path())
        .status()
        .expect("sh");
    assert!(status.success());
    let mut seen = 0;
    for e in walkdir::WalkDir::new(out.path()).min_depth(1) {
        let e = e.expect("walk");
        let mode = e.metadata().expect("meta").permissions().mode() & 0o777;
        let want = if e.file_type().is_dir() { 0o755 } else { 0o644 };
        assert_eq!(mode, want, "{} is {mode:o}", e.path().display());
        seen += 1;
    }
    // book.{epub,html,pdf,md}, images/ and its files.
    assert!(seen >= 6, "{seen} entries");
}

/// The demo book typeset in parts (one per chapter, through
/// `QUNSHU_BOOK_PART_KB`), then joined: the same book as in one go, with
/// one outline, contents and index page numbers of the real pages, running
/// heads, no Type 3 font, privacy, and the same bytes on two runs.
#[test]
fn a_book_typeset_in_parts_is_one_book() {
    if !poppler() {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let (pdf, log) = make_pdf_in_parts(&fixture(), out.path(), Some(1));
    assert!(log.contains("pdf: part 2 ("), "not typeset in parts: {log}");
    assert!(!log.contains("pdf: part 3 ("), "{log}");
    let whole = tempfile::tempdir().expect("tmp");
    let (one, log1) = make_pdf_in_parts(&fixture(), whole.path(), None);
    assert!(!log1.contains("pdf: part"), "{log1}");
    let (pages, one_pages) = (pages(&pdf), pages(&one));
    assert_eq!(pages.len(), one_pages.len(), "page counts differ");
    // The same outline as the book typeset in one go.
    let (items, one_items) = (outline_items(&pdf), outline_items(&one));
    assert_eq!(items, one_items);
    assert!(check_outline_pages(&pdf, &pages) >= 6);
    assert!(check_contents(&pages) >= 2, "{pages:?}");
    check_folios(&pages);
    // The same folio on each page, and the same running head.
    for (i, (a, b)) in pages.iter().zip(&one_pages).enumerate() {
        assert_eq!(folio(a), folio(b), "page {}", i + 1);
        let head = |p: &str| p.lines().find(|l| !l.trim().is_empty()).map(squeeze);
        assert_eq!(head(a), head(b), "page {}", i + 1);
    }
    // The contributors index gives each section's page.
    let index = pages
        .iter()
        .rev()
        .find(|p| p.contains("贡献者索引"))
        .expect("index");
    assert!(index.contains("《股权怎么分？》"), "{index}");
    let one_index = one_pages
        .iter()
        .rev()
        .find(|p| p.contains("贡献者索引"))
        .expect("index");
    assert_eq!(squeeze(index), squeeze(one_index));
    // Links between parts became links to the same pages as in one go
    // (pdftohtml writes an internal link as `book.html#PAGE`).
    let links = |pdf: &Path| {
        let xml = run("pdftohtml", &["-xml", "-i", "-q", "-stdout"], pdf);
        let mut v: Vec<String> = xml
            .split("<a href=\"")
            .skip(1)
            .filter_map(|l| l.split('"').next())
            .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
            .collect();
        v.sort();
        v
    };
    let (l, l1) = (links(&pdf), links(&one));
    assert!(
        l.iter().filter(|l| l.contains(".html#")).count() >= 10,
        "{l:?}"
    );
    assert_eq!(l, l1);
    let raw = std::fs::read(&pdf).expect("pdf");
    let fonts = run("pdffonts", &[], &pdf);
    assert!(!fonts.contains("Type 3"), "{fonts}");
    assert!(fonts.contains("CID"), "{fonts}");
    let info = run("pdfinfo", &[], &pdf);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.trim_end().ends_with("测试之书")),
        "{info}"
    );
    let text = run("pdftotext", &[], &pdf);
    for secret in ["王秘密", "神秘人", "shadowfox"] {
        assert!(!text.contains(secret), "`{secret}` in the PDF");
    }
    let again = tempfile::tempdir().expect("tmp");
    let (pdf2, _) = make_pdf_in_parts(&fixture(), again.path(), Some(1));
    assert!(
        std::fs::read(&pdf2).expect("b") == raw,
        "two runs of the book in parts differ"
    );
}

/// A generated community's book (dozens of threads, several chapters) in
/// three or more parts: an outline entry per chapter and thread on the
/// right page, contents page numbers of the real pages, consecutive folios.
#[test]
fn a_generated_book_in_several_parts() {
    if !poppler() {
        return;
    }
    let t = tempfile::tempdir().expect("tmp");
    let site = t.path().join("site");
    let ok = Command::new("python3")
        .arg(common::repo().join("scripts/gen-corpus.py"))
        .arg(&site)
        .arg("90")
        .output()
        .expect("python3");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let toml = site.join("site.toml");
    let mut text = std::fs::read_to_string(&toml).expect("site.toml");
    text.push_str(
        "\n[book]\ntitle = \"生成之书\"\nkinds = [\"qa\"]\nother_answers = true\nreplies = true\n",
    );
    std::fs::write(&toml, text).expect("write");
    let out = tempfile::tempdir().expect("tmp");
    let (pdf, log) = make_pdf_in_parts(&site, out.path(), Some(24));
    assert!(log.contains("pdf: part 3 ("), "fewer than 3 parts: {log}");
    let pages = pages(&pdf);
    let items = outline_items(&pdf);
    // An entry per chapter and thread (+ the index), as many as the
    // command's summary line counts.
    let count = |what: &str| -> usize {
        let at = log
            .find(&format!(" {what},"))
            .unwrap_or_else(|| panic!("no `{what}` count in {log}"));
        log[..at]
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count")
    };
    let (chapters, sections) = (count("chapters"), count("sections"));
    assert!(chapters >= 3 && sections > 10, "{log}");
    assert_eq!(items.len(), chapters + sections + 1, "{items:?}");
    assert_eq!(
        items
            .iter()
            .filter(|(t, _)| t.starts_with('第') && t.contains("章\u{3000}"))
            .count(),
        chapters
    );
    assert_eq!(check_outline_pages(&pdf, &pages), items.len());
    assert!(check_contents(&pages) >= chapters, "{pages:?}");
    check_folios(&pages);
    let fonts = run("pdffonts", &[], &pdf);
    assert!(!fonts.contains("Type 3"), "{fonts}");
}
