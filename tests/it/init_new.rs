//! `qunshu init`, `qunshu new` and `qunshu schema` on real folders.

use crate::common;

use common::qunshu_at;
use predicates::prelude::*;
use std::path::Path;

fn init(dir: &Path) {
    common::qunshu()
        .arg("init")
        .arg(dir)
        .args(["--title", "测试社群"])
        .assert()
        .success()
        .stdout(predicate::str::contains("site.toml"));
}

#[test]
fn init_makes_a_community_that_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("community");
    init(&dir);
    for f in [
        "site.toml",
        "content/members.yaml",
        "content/briefs/welcome.md",
        "content/qa/first-price.md",
        "content/cases/first-hundred-users.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let site = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    assert!(site.contains("title = \"测试社群\""));
    // Three published posts, no warnings (stderr empty), in strict mode.
    qunshu_at(&dir)
        .args(["check", "--strict"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 posts (3 published"))
        .stderr("");
    // …and builds: every example post gets its page.
    qunshu_at(&dir)
        .args(["build", "--quiet"])
        .assert()
        .success();
    let count = |d: &str| {
        std::fs::read_dir(dir.join("public").join(d))
            .unwrap()
            .count()
    };
    for d in ["briefs", "qa", "cases"] {
        assert!(count(d) >= 2, "public/{d}: a post page and the listing");
    }
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(dir.join("content/members.yaml"), "mine: {name: 我的}\n").unwrap();
    common::qunshu()
        .arg("init")
        .arg(dir)
        .assert()
        .failure()
        .stderr(predicate::str::contains("members.yaml"))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!dir.join("site.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("content/members.yaml")).unwrap(),
        "mine: {name: 我的}\n"
    );
}

#[test]
fn new_each_kind_then_check_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    init(&dir);
    let mut made = Vec::new();
    for (kind, title, folder) in [
        ("brief", "早报｜今天的三件事", "content/briefs/"),
        ("qa", "第一个员工给多少期权？", "content/qa/"),
        ("case", "案例拆解：私域复购", "content/cases/"),
    ] {
        let out = qunshu_at(&dir)
            .args(["new", kind, title])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let path = String::from_utf8(out).unwrap().trim().to_string();
        assert!(path.contains(folder), "{path}");
        assert!(path.ends_with(".md"), "{path}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(title), "{text}");
        assert!(text.contains("draft: true"));
        made.push((kind, path, text));
    }
    // The thread has the skeleton of a question, an answer and the summary.
    let qa = &made[1].2;
    assert!(qa.contains("status: open"));
    assert!(qa.contains("\n## @"));
    assert!(qa.contains("\n## 总结"));
    // The brief's file name starts with the date.
    let brief = Path::new(&made[0].1)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(brief.chars().take(4).all(|c| c.is_ascii_digit()), "{brief}");
    qunshu_at(&dir)
        .args(["check", "--strict"])
        .assert()
        .success()
        .stdout(predicate::str::contains("6 posts (3 published"))
        .stdout(predicate::str::contains("3 drafts"));

    // The same title again gets a new file, never overwriting.
    let again = qunshu_at(&dir)
        .args(["new", "case", "案例拆解：私域复购"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let again = String::from_utf8(again).unwrap().trim().to_string();
    assert_ne!(again, made[2].1);
    assert_eq!(std::fs::read_to_string(&made[2].1).unwrap(), made[2].2);
    qunshu_at(&dir)
        .args(["check", "--strict"])
        .assert()
        .success();
}

#[test]
fn new_checks_the_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    init(&dir);
    qunshu_at(&dir)
        .args(["new", "case", "标题", "--column", "zaobao"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("carries brief posts"))
        .stderr(predicate::str::contains("cases"));
    qunshu_at(&dir)
        .args(["new", "qa", "标题", "--column", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no column `nope`"));
    qunshu_at(&dir)
        .args(["new", "poem", "标题"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a kind of post"));
    qunshu_at(&dir)
        .args(["new", "qa", "问题", "--column", "hot"])
        .assert()
        .success();
}

#[test]
fn new_edit_runs_the_editor_on_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    init(&dir);
    // A real "editor": a shell that appends a line to the file it is given.
    let editor = tmp.path().join("ed.sh");
    std::fs::write(&editor, "#!/bin/sh\necho '编辑过' >> \"$1\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = qunshu_at(&dir)
        .env_remove("VISUAL")
        .env("EDITOR", &editor)
        .args(["new", "brief", "早报", "--edit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let path = String::from_utf8(out).unwrap().trim().to_string();
    assert!(std::fs::read_to_string(path).unwrap().ends_with("编辑过\n"));
    qunshu_at(&dir)
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .args(["new", "brief", "早报二", "--edit"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("EDITOR"));
}

#[test]
fn schema_writes_parseable_schemas_with_site_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    init(&dir);
    qunshu_at(&dir).arg("schema").assert().success();
    let read = |n: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("schema").join(n)).unwrap()).unwrap()
    };
    let qa = read("qa.schema.json");
    assert_eq!(
        qa["properties"]["column"]["enum"],
        serde_json::json!(["hot"])
    );
    assert!(qa["properties"]["accepted"].is_object());
    let brief = read("brief.schema.json");
    assert!(brief["properties"]["accepted"].is_null());
    assert_eq!(
        brief["properties"]["column"]["enum"],
        serde_json::json!(["zaobao"])
    );
    let members = read("members.schema.json");
    assert!(members["additionalProperties"]["properties"]["privacy"].is_object());
    let site = read("site.schema.json");
    assert_eq!(site["required"], serde_json::json!(["title"]));
}
