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
    common::qunshu()
        .env("PATH", "/nonexistent")
        .env("QUNSHU_CHROMIUM", "/nonexistent/chromium")
        .arg("--root")
        .arg(root)
        .args(["book", "--format", "pdf", "--clock", CLOCK, "--out"])
        .arg(out)
        .assert()
        .success();
    let pdf = out.join("book.pdf");
    assert!(pdf.is_file(), "no book.pdf");
    pdf
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
    let toc = pages
        .iter()
        .find(|p| p.contains("目录"))
        .expect("a contents page");
    let mut checked = 0;
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
    assert!(checked >= 2, "{toc}");
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
