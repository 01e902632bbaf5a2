//! Hostile file systems (issue 11, items 1, 3, 6 and 8): the real binary on
//! small sites laid out to trick it — symlinks in and around the output,
//! content files that take generated paths, colliding slugs, unreadable
//! folders, dangling links, loops and FIFOs.

use crate::common;

use assert_cmd::Command;
use common::{qunshu, site_from, snapshot, BASE_SITE};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CLOCK: &str = "2026-11-23 12:00";

const MEMBERS: &str = "alice:\n  name: 艾丽丝\n  privacy: public\n";

const POST: &str = "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\n---\n正文\n";

/// A fixture site from (path, content) pairs, with site.toml and members.
fn site(files: &[(&str, &str)]) -> TempDir {
    site_from(BASE_SITE, MEMBERS, files)
}

/// `qunshu --root ROOT build --clock CLOCK ARGS…`
fn build(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    qunshu()
        .arg("--root")
        .arg(root)
        .args(["build", "--clock", CLOCK])
        .args(args)
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Names in `dir` that start with `.qunshu-build-` or `.qunshu-old-`.
fn temp_folders(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".qunshu-build-") || n.starts_with(".qunshu-old-"))
        .collect()
}

/// Asserts that the build failed and that its message names every one of `needles`.
fn assert_fails_naming(a: assert_cmd::assert::Assert, needles: &[&str]) -> String {
    let a = a.failure();
    let err = stderr(&a);
    for n in needles {
        assert!(err.contains(n), "the error does not name `{n}`:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

// ---------------------------------------------------------------- item 1

#[test]
fn rebuild_never_follows_a_symlink_in_the_old_output() {
    let t = site(&[("content/briefs/a.md", POST)]);
    build(t.path(), &[]).success();
    let outside = TempDir::new().unwrap();
    fs::create_dir_all(outside.path().join("dir")).unwrap();
    fs::write(outside.path().join("dir/keep.txt"), "precious").unwrap();
    fs::write(outside.path().join("file.txt"), "precious too").unwrap();
    let public = t.path().join("public");
    symlink(outside.path().join("dir"), public.join("link")).unwrap();
    symlink(outside.path().join("file.txt"), public.join("briefs/flink")).unwrap();
    build(t.path(), &[]).success();
    assert_eq!(
        fs::read_to_string(outside.path().join("dir/keep.txt")).unwrap(),
        "precious",
        "the rebuild emptied a folder outside the output through a symlink"
    );
    assert_eq!(
        fs::read_to_string(outside.path().join("file.txt")).unwrap(),
        "precious too"
    );
    assert!(fs::symlink_metadata(public.join("link")).is_err());
    assert!(temp_folders(t.path()).is_empty());
}

#[test]
fn an_output_folder_that_is_a_symlink_is_refused_and_nothing_is_left_behind() {
    let t = site(&[("content/briefs/a.md", POST)]);
    // A real output elsewhere, and `public` a link to it.
    let elsewhere = TempDir::new().unwrap();
    let real = elsewhere.path().join("site");
    build(t.path(), &["--out", real.to_str().unwrap()]).success();
    let before = snapshot(&real);
    symlink(&real, t.path().join("public")).unwrap();
    let err = assert_fails_naming(build(t.path(), &[]), &["public", "symbolic link"]);
    assert!(!err.contains("Is a directory"), "{err}");
    assert_eq!(before, snapshot(&real), "the link's target changed");
    assert!(
        temp_folders(t.path()).is_empty(),
        "left behind: {:?}",
        temp_folders(t.path())
    );
    assert!(temp_folders(elsewhere.path()).is_empty());
}

#[test]
fn an_output_that_is_or_contains_the_content_or_the_root_is_refused() {
    let t = site(&[("content/briefs/a.md", POST)]);
    // Even carrying qunshu's marker, these are never replaced.
    fs::write(t.path().join(".qunshu-output"), "").unwrap();
    fs::write(t.path().join("content/.qunshu-output"), "").unwrap();
    let before = snapshot(t.path());
    for (out, what) in [
        (".", "site root"),
        ("content", "content folder"),
        ("content/briefs", "content folder"),
        ("content/public", "content folder"),
    ] {
        assert_fails_naming(build(t.path(), &["--out", out]), &[what]);
        assert_eq!(before, snapshot(t.path()), "--out {out} changed the site");
        assert!(temp_folders(t.path()).is_empty());
    }
    let parent = t.path().parent().unwrap().to_path_buf();
    let abs_parent = parent.to_str().unwrap();
    assert_fails_naming(build(t.path(), &["--out", abs_parent]), &["site root"]);
}

/// A site big enough that its build runs for a moment.
fn big_site(n: usize) -> TempDir {
    let t = site(&[]);
    let dir = t.path().join("content/briefs");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        fs::write(
            dir.join(format!("p{i}.md")),
            format!(
                "---\ntitle: 第{i}篇\npublish_at: 2026-11-01 08:00\ntags: [t{}]\n---\n正文 {i}\n",
                i % 50
            ),
        )
        .unwrap();
    }
    t
}

#[test]
fn a_killed_build_leaves_temp_folders_that_the_next_build_removes() {
    let mut n = 1500;
    let mut killed = None;
    for _ in 0..4 {
        let t = big_site(n);
        let bin = assert_cmd::cargo::cargo_bin("qunshu");
        let mut child = std::process::Command::new(bin)
            .arg("--root")
            .arg(t.path())
            .args(["build", "--quiet", "--clock", CLOCK])
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let mut seen = false;
        while start.elapsed() < std::time::Duration::from_secs(60) {
            if !temp_folders(t.path()).is_empty() {
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        if seen {
            child.kill().unwrap();
            child.wait().unwrap();
            killed = Some(t);
            break;
        }
        let _ = child.wait();
        n *= 2;
    }
    let t = killed.expect("never caught a build in progress");
    let left = temp_folders(t.path());
    assert!(!left.is_empty(), "the kill left nothing to clean");
    // A folder of the user's that only looks like ours stays.
    let mine = t.path().join(".qunshu-build-mine");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "mine").unwrap();
    build(t.path(), &["--quiet"]).success();
    assert_eq!(
        temp_folders(t.path()),
        vec![".qunshu-build-mine".to_string()],
        "stale temporary folders were not cleaned"
    );
    assert_eq!(fs::read_to_string(mine.join("notes.txt")).unwrap(), "mine");
}

// ---------------------------------------------------------------- item 3

#[test]
fn a_content_file_never_replaces_a_theme_file() {
    let t = site(&[("content/briefs/a.md", POST)]);
    build(t.path(), &[]).success();
    let before = snapshot(&t.path().join("public"));
    fs::write(t.path().join("content/search.js"), "alert(1)").unwrap();
    assert_fails_naming(build(t.path(), &[]), &["content/search.js", "theme"]);
    fs::remove_file(t.path().join("content/search.js")).unwrap();
    fs::create_dir_all(t.path().join("content/search")).unwrap();
    fs::write(t.path().join("content/search/meta.json"), "{}").unwrap();
    assert_fails_naming(
        build(t.path(), &[]),
        &["content/search/meta.json", "search index"],
    );
    assert_eq!(before, snapshot(&t.path().join("public")));
}

#[test]
fn html_and_xml_files_under_content_are_refused() {
    for (path, text) in [
        ("content/index.html", "<script>alert(1)</script>"),
        ("content/briefs/evil.html", "<script>alert(1)</script>"),
        ("content/briefs/EVIL.HTM", "<script>alert(1)</script>"),
        ("content/briefs/page.xhtml", "<html/>"),
        ("content/atom.xml", "<feed/>"),
    ] {
        let t = site(&[("content/briefs/a.md", POST), (path, text)]);
        assert_fails_naming(build(t.path(), &[]), &[path, "script"]);
        assert!(!t.path().join("public").exists());
        qunshu()
            .arg("--root")
            .arg(t.path())
            .arg("check")
            .assert()
            .failure();
    }
}

#[test]
fn svg_files_under_content_are_not_published() {
    let t = site(&[
        ("content/briefs/a.md", POST),
        (
            "content/briefs/evil.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        ("content/briefs/EVIL.SVG", "<svg onload=\"alert(1)\"/>"),
    ]);
    let a = build(t.path(), &[]).success();
    let err = stderr(&a);
    for p in ["content/briefs/evil.svg", "content/briefs/EVIL.SVG"] {
        assert!(err.contains(p) && err.contains("warning"), "{err}");
    }
    let out = snapshot(&t.path().join("public"));
    assert!(
        !out.keys()
            .any(|k| k.to_string_lossy().to_lowercase().ends_with(".svg")),
        "an SVG was published"
    );
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["check", "--strict"])
        .assert()
        .failure();
}

// ---------------------------------------------------------------- item 6

#[test]
fn a_post_slug_never_replaces_a_listing_page() {
    let t = site(&[(
        "content/cases/x.md",
        "---\ntitle: 案例\nslug: index\npublish_at: 2026-11-03 20:00\n---\n正文\n",
    )]);
    assert_fails_naming(
        build(t.path(), &[]),
        &["content/cases/x.md", "cases/index.html", "listing"],
    );
    // `check` finds it too, also while the post is a draft.
    fs::write(
        t.path().join("content/cases/x.md"),
        "---\ntitle: 案例\nslug: index\ndraft: true\n---\n正文\n",
    )
    .unwrap();
    let a = qunshu().arg("--root").arg(t.path()).arg("check").assert();
    assert_fails_naming(a, &["content/cases/x.md", "cases/index.html"]);
}

#[test]
fn a_member_page_never_replaces_the_member_list() {
    let t = site(&[
        ("content/briefs/a.md", POST),
        (
            "content/members.yaml",
            "alice:\n  name: 艾丽丝\n  privacy: public\nbob:\n  name: Index\n  privacy: public\n",
        ),
    ]);
    assert_fails_naming(
        build(t.path(), &[]),
        &["members/index.html", "bob", "members.yaml"],
    );
}

#[test]
fn tags_and_stages_that_slug_to_nothing_are_errors() {
    let t = site(&[(
        "content/briefs/a.md",
        "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\ntags: [\"..\", \"/\", x]\n---\n正文\n",
    )]);
    let err = assert_fails_naming(
        build(t.path(), &[]),
        &["content/briefs/a.md:4", "tags", "`..`"],
    );
    assert!(err.contains("`/`"), "{err}");
    let t = site(&[(
        "content/briefs/a.md",
        "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\nstage: \"..\"\n---\n正文\n",
    )]);
    assert_fails_naming(build(t.path(), &[]), &["content/briefs/a.md:4", "stage"]);
}

/// Paths equal when compared the way case-insensitive, normalising file
/// systems (macOS, Windows) compare them.
fn fold(p: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    p.nfkc().collect::<String>().to_lowercase().nfkc().collect()
}

#[test]
fn no_two_outputs_differ_only_in_case_or_normalisation() {
    let t = site(&[
        (
            "content/briefs/a.md",
            "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\ntags: [CAFÉ, Ωμέγα]\nstage: ÄRA\n---\n正文\n",
        ),
        (
            "content/briefs/b.md",
            "---\ntitle: 第二篇\npublish_at: 2026-11-02 08:00\ntags: [café, \"Cafe\u{301}\", ωμέγα]\nstage: ära\n---\n正文\n",
        ),
    ]);
    let a = build(t.path(), &[]);
    let out = t.path().join("public");
    if a.get_output().status.success() {
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        for e in walkdir::WalkDir::new(&out).min_depth(1) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(&out).unwrap().to_path_buf();
            let key = fold(&rel.to_string_lossy());
            if let Some(prev) = seen.insert(key, rel.clone()) {
                panic!("{} and {} collide", prev.display(), rel.display());
            }
        }
    } else {
        // A collision must at least be an error naming both posts.
        assert_fails_naming(a, &["content/briefs/a.md", "content/briefs/b.md"]);
    }
    // Compatibility forms that slug differently are an error naming both.
    let t = site(&[
        (
            "content/briefs/a.md",
            "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\n---\n正文\n",
        ),
        ("content/briefs/img/ﬁle.png", "PNG"),
        ("content/briefs/img/file.png", "PNG"),
    ]);
    assert_fails_naming(
        build(t.path(), &[]),
        &["content/briefs/img/ﬁle.png", "content/briefs/img/file.png"],
    );
}

#[test]
fn windows_reserved_names_are_errors() {
    for (files, needles) in [
        (
            vec![(
                "content/briefs/a.md",
                "---\ntitle: 第一篇\npublish_at: 2026-11-01 08:00\ntags: [Con]\n---\n正文\n",
            )],
            vec!["tags/con/index.html", "content/briefs/a.md", "Windows"],
        ),
        (
            vec![(
                "content/briefs/a.md",
                "---\ntitle: 第一篇\nslug: nul\npublish_at: 2026-11-01 08:00\n---\n正文\n",
            )],
            vec!["briefs/nul.html", "content/briefs/a.md", "Windows"],
        ),
        (
            vec![
                ("content/briefs/a.md", POST),
                ("content/briefs/LPT1.tar.gz", "x"),
            ],
            vec!["content/briefs/LPT1.tar.gz", "Windows"],
        ),
        (
            vec![
                ("content/briefs/a.md", POST),
                (
                    "content/members.yaml",
                    "alice:\n  name: 艾丽丝\n  privacy: public\nbob:\n  name: com3\n  privacy: public\n",
                ),
            ],
            vec!["members/com3.html", "bob", "Windows"],
        ),
    ] {
        let t = site(&files);
        assert_fails_naming(build(t.path(), &[]), &needles);
    }
}

// ---------------------------------------------------------------- item 8

/// Runs `cmd` as an unprivileged user when the tests run as root (root
/// reads any folder whatever its mode), after opening `root` to that user.
fn unprivileged(cmd: std::process::Command, root: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = cmd;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        for e in walkdir::WalkDir::new(root) {
            let e = e.unwrap();
            std::os::unix::fs::lchown(e.path(), Some(65534), Some(65534)).unwrap();
        }
        cmd.uid(65534).gid(65534);
    }
    Command::from_std(cmd)
}

#[test]
fn an_unreadable_folder_is_an_error_naming_it() {
    let t = site(&[
        ("content/briefs/a.md", POST),
        (
            "content/briefs/private/b.md",
            "---\ntitle: 第二篇\npublish_at: 2026-11-02 08:00\n---\n正文\n",
        ),
    ]);
    // The temporary folder itself is private to its owner.
    fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("qunshu"));
    cmd.arg("--root")
        .arg(t.path())
        .args(["build", "--clock", CLOCK]);
    let mut cmd = unprivileged(cmd, t.path());
    let private = t.path().join("content/briefs/private");
    fs::set_permissions(&private, fs::Permissions::from_mode(0o000)).unwrap();
    let a = cmd.assert();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o755)).unwrap();
    assert_fails_naming(a, &["content/briefs/private"]);
}

#[test]
fn dangling_links_and_loops_are_errors_naming_the_path() {
    let t = site(&[("content/briefs/a.md", POST)]);
    symlink("nowhere.md", t.path().join("content/briefs/gone.md")).unwrap();
    symlink("..", t.path().join("content/briefs/loop")).unwrap();
    symlink("self", t.path().join("content/briefs/self")).unwrap();
    let err = assert_fails_naming(
        build(t.path(), &[]),
        &[
            "content/briefs/gone.md",
            "content/briefs/loop",
            "content/briefs/self",
        ],
    );
    assert!(!t.path().join("public").exists(), "{err}");
}

#[test]
fn fifos_and_sockets_are_skipped_with_a_warning() {
    let t = site(&[("content/briefs/a.md", POST)]);
    let fifo = t.path().join("content/briefs/pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let _sock =
        std::os::unix::net::UnixListener::bind(t.path().join("content/briefs/sock.png")).unwrap();
    let a = build(t.path(), &[]).success();
    let err = stderr(&a);
    for p in ["content/briefs/pipe.md", "content/briefs/sock.png"] {
        assert!(err.contains(p) && err.contains("warning"), "{err}");
    }
    qunshu()
        .arg("--root")
        .arg(t.path())
        .args(["check", "--strict"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .failure();
}

#[test]
fn symlinks_leading_outside_the_site_root_are_refused() {
    let outside = TempDir::new().unwrap();
    fs::write(
        outside.path().join("secret.md"),
        "---\ntitle: 机密\npublish_at: 2026-11-01 08:00\n---\nTOP-SECRET-TEXT\n",
    )
    .unwrap();
    fs::create_dir_all(outside.path().join("share")).unwrap();
    fs::write(outside.path().join("share/doc.txt"), "SHARED-TEXT").unwrap();
    fs::write(outside.path().join("photo.png"), "PNG-OUTSIDE").unwrap();
    let t = site(&[("content/briefs/a.md", POST)]);
    symlink(
        outside.path().join("secret.md"),
        t.path().join("content/briefs/secret.md"),
    )
    .unwrap();
    symlink(outside.path().join("share"), t.path().join("content/share")).unwrap();
    symlink(
        outside.path().join("photo.png"),
        t.path().join("content/briefs/photo.png"),
    )
    .unwrap();
    symlink("/usr/share", t.path().join("content/usr")).unwrap();
    let err = assert_fails_naming(
        build(t.path(), &[]),
        &[
            "content/briefs/secret.md",
            "content/share",
            "content/briefs/photo.png",
            "content/usr",
            "outside",
        ],
    );
    assert!(!err.contains("TOP-SECRET"), "{err}");
    assert!(!t.path().join("public").exists());
}

#[test]
fn symlinks_inside_the_site_root_are_followed() {
    let t = site(&[
        ("content/briefs/a.md", POST),
        (
            "shared/b.md",
            "---\ntitle: 共享的一篇\npublish_at: 2026-11-02 08:00\n---\n正文\n",
        ),
        ("shared/pics/p.png", "PNG"),
    ]);
    symlink("../../shared/b.md", t.path().join("content/briefs/b.md")).unwrap();
    symlink("../../shared/pics", t.path().join("content/briefs/pics")).unwrap();
    build(t.path(), &[]).success();
    let out = t.path().join("public");
    assert!(out.join("briefs/共享的一篇.html").is_file());
    assert_eq!(fs::read(out.join("briefs/pics/p.png")).unwrap(), b"PNG");
    // Output is real files, never links.
    assert!(!fs::symlink_metadata(out.join("briefs/pics"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn theme_folders_follow_the_same_link_rules() {
    let outside = TempDir::new().unwrap();
    fs::write(outside.path().join("x.css"), "OUTSIDE-CSS").unwrap();
    let t = site(&[("content/briefs/a.md", POST), ("static/ok.css", "ok")]);
    symlink(
        outside.path().join("x.css"),
        t.path().join("static/evil.css"),
    )
    .unwrap();
    assert_fails_naming(build(t.path(), &[]), &["static/evil.css", "outside"]);
    fs::remove_file(t.path().join("static/evil.css")).unwrap();
    fs::create_dir_all(t.path().join("templates")).unwrap();
    symlink("nowhere.html", t.path().join("templates/post.html")).unwrap();
    assert_fails_naming(build(t.path(), &[]), &["templates/post.html"]);
    fs::remove_file(t.path().join("templates/post.html")).unwrap();
    // A link inside the site root is followed.
    symlink("ok.css", t.path().join("static/alias.css")).unwrap();
    build(t.path(), &[]).success();
    assert_eq!(
        fs::read_to_string(t.path().join("public/alias.css")).unwrap(),
        "ok"
    );
}

#[test]
fn the_live_preview_walks_content_with_the_same_rules() {
    use qunshu::archive::serve::{Change, Preview, PreviewOptions};
    let t = site(&[
        ("content/briefs/a.md", POST),
        ("content/briefs/p.png", "PNG"),
        ("content/briefs/d.svg", "<svg onload=\"alert(1)\"/>"),
    ]);
    let mut p = Preview::new(t.path(), PreviewOptions::default());
    assert!(p.error().is_none(), "{:?}", p.error());
    assert!(p.pages().contains_key("briefs/p.png"));
    assert!(!p.pages().contains_key("briefs/d.svg"), "an SVG is served");
    // A link leading outside the root appears while serving: an error naming it.
    let outside = TempDir::new().unwrap();
    fs::write(outside.path().join("x.png"), "OUTSIDE").unwrap();
    symlink(
        outside.path().join("x.png"),
        t.path().join("content/briefs/x.png"),
    )
    .unwrap();
    p.update(Change::Content(
        [PathBuf::from("content/briefs/x.png")]
            .into_iter()
            .collect(),
    ));
    let err = p.error().expect("the preview shows the problem").join("\n");
    assert!(err.contains("content/briefs/x.png"), "{err}");
    assert!(!p.pages().contains_key("briefs/x.png"));
}

#[test]
fn links_inside_the_root_never_publish_settings_hidden_files_or_raw_posts() {
    let t = site(&[
        ("content/briefs/a.md", POST),
        (
            "content/briefs/draft.md",
            "---\ntitle: 草稿\ndraft: true\n---\nDRAFT-TEXT\n",
        ),
        (".qunshu/ledger.jsonl", "LEDGER"),
    ]);
    for (link, target) in [
        ("content/briefs/names.png", "../members.yaml"),
        ("content/briefs/conf.txt", "../../site.toml"),
        ("content/briefs/raw.txt", "draft.md"),
        ("content/briefs/ledger.txt", "../../.qunshu/ledger.jsonl"),
        ("content/briefs/state", "../../.qunshu"),
    ] {
        symlink(target, t.path().join(link)).unwrap();
    }
    let err = assert_fails_naming(
        build(t.path(), &[]),
        &[
            "content/briefs/names.png",
            "content/briefs/conf.txt",
            "content/briefs/raw.txt",
            "content/briefs/ledger.txt",
            "content/briefs/state",
        ],
    );
    assert!(
        !err.contains("DRAFT-TEXT") && !err.contains("LEDGER"),
        "{err}"
    );
    assert!(!t.path().join("public").exists());
}

#[test]
fn a_rebuild_never_reuses_a_link_planted_in_the_old_output() {
    // The old output's unchanged files are linked into the new one; a
    // symbolic link planted there, even to a file with the very bytes the
    // build makes, must become a regular file again, and what it pointed to
    // must be left alone.
    let t = site(&[("content/briefs/a.md", POST)]);
    build(t.path(), &[]).success();
    let public = t.path().join("public");
    let outside = TempDir::new().unwrap();
    let mut planted = Vec::new();
    for rel in ["index.html", "style.css", "search/index.js"] {
        let target = outside.path().join(rel.replace('/', "-"));
        fs::copy(public.join(rel), &target).unwrap();
        fs::remove_file(public.join(rel)).unwrap();
        symlink(&target, public.join(rel)).unwrap();
        planted.push((rel, target));
    }
    build(t.path(), &[]).success();
    for (rel, target) in planted {
        let m = fs::symlink_metadata(public.join(rel)).unwrap();
        assert!(m.file_type().is_file(), "{rel} is still a link");
        assert_eq!(
            fs::read(public.join(rel)).unwrap(),
            fs::read(&target).unwrap()
        );
        assert!(fs::symlink_metadata(&target).unwrap().file_type().is_file());
    }
}
