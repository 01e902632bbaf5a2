//! The hostile-input suite: a property test that builds communities from a
//! grammar of valid and broken pieces — front matter, thread bodies, members
//! files and `site.toml` — and runs the real binary on each.
//!
//! Whatever the input, these must hold:
//!
//! - qunshu never panics (no exit status 101, no "panicked" on stderr);
//! - a failed build reports at least one error that names a file and a line,
//!   and every error line names a file;
//! - a failed build leaves the previous output byte-identical;
//! - nothing is written outside the output folder (the rest of the site root
//!   is byte-identical, and no temporary build folder is left behind);
//! - an anonymous member is never named in any output file of a build that
//!   succeeds, however the content mentions them.
//!
//! The fixed cases reported in issue 11 are kept as fixtures at the end.

use crate::common;

use common::qunshu;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CLOCK: &str = "2026-11-23 12:00";

/// The anonymous member's handle and real name: neither may appear in any
/// output of a successful build.
const ANON_HANDLE: &str = "nightowl";
const ANON_NAME: &str = "欧阳秋菊";

const SITE: &str = r#"title = "测试社群"
base_url = "https://example.org/sub/"
timezone = "Asia/Shanghai"

[[columns]]
id = "zaobao"
name = "每日早报"
kind = "brief"
times = ["08:00"]

[[columns]]
id = "hot"
name = "热点话题"
kind = "qa"
times = ["15:00"]
days = "weekdays"

[rota]
members = ["alice", "bob"]
start = "2026-10-19"
period = "weekly"
"#;

const MEMBERS: &str = "alice:\n  name: 艾丽丝\n  privacy: public\nbob:\n  name: 鲍勃真名\n  alias: 小鲍\n  privacy: alias\nnightowl:\n  name: 欧阳秋菊\n  privacy: anonymous\n";

const GOOD_THREAD: &str = "---\ntitle: 股权怎么分\nasked_by: alice\npublish_at: 2026-10-22 15:00\ncolumn: hot\nstatus: solved\naccepted: bob\ntags: [股权]\n---\n问题正文。\n\n## @bob 先分资金股\n回答正文。\n\n### @alice\n追问。\n\n## 总结\n总结正文。\n";

const GOOD_BRIEF: &str = "---\ntitle: 早报｜第一期\npublish_at: 2026-10-20 08:00\ncolumn: zaobao\ntags: [AI]\nauthors: [alice]\n---\n早上好。\n\n## 今天聊什么\n正文。\n";

/// Every file under `dir`, path → bytes (symlinks recorded by their target).
fn snapshot(dir: &Path, skip: Option<&Path>) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| skip != Some(e.path()))
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_type().is_dir())
        // What a build keeps by design besides its output (issue 17): the
        // URL record and the share-card cache.
        .filter(|e| {
            let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
            rel != Path::new("site/urls.lock") && !rel.starts_with("site/.qunshu/cache")
        })
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir").to_path_buf();
            let bytes = if e.file_type().is_symlink() {
                fs::read_link(e.path())
                    .map(|t| t.to_string_lossy().into_owned().into_bytes())
                    .unwrap_or_default()
            } else {
                fs::read(e.path()).unwrap_or_default()
            };
            (rel, bytes)
        })
        .collect()
}

/// Writes a small, valid community.
fn good_site(root: &Path) {
    fs::create_dir_all(root.join("content/qa")).unwrap();
    fs::create_dir_all(root.join("content/briefs")).unwrap();
    fs::write(root.join("site.toml"), SITE).unwrap();
    fs::write(root.join("content/members.yaml"), MEMBERS).unwrap();
    fs::write(root.join("content/qa/thread.md"), GOOD_THREAD).unwrap();
    fs::write(root.join("content/briefs/brief.md"), GOOD_BRIEF).unwrap();
}

/// What one run of `qunshu build` showed.
struct Outcome {
    code: Option<i32>,
    stderr: String,
}

fn build(root: &Path) -> Outcome {
    let out = qunshu()
        .arg("--root")
        .arg(root)
        .args(["build", "--clock", CLOCK])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run qunshu");
    Outcome {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Checks every promise for one hostile community, given as files to write
/// over a valid one after a first, good build.
fn check_case(files: &[(String, String)]) -> Result<(), TestCaseError> {
    let t = TempDir::new().unwrap();
    // The site root is a folder inside the temporary folder, so that files
    // written beside the root (temporary build folders) are seen too.
    let root = t.path().join("site");
    good_site(&root);
    let first = build(&root);
    prop_assert_eq!(
        first.code,
        Some(0),
        "the good site must build: {}",
        first.stderr
    );
    let public = root.join("public");
    let before_out = snapshot(&public, None);

    for (rel, bytes) in files {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
    }
    let before_rest = snapshot(t.path(), Some(&public));

    let run = build(&root);
    prop_assert!(
        !run.stderr.contains("panicked"),
        "qunshu panicked:\n{}",
        run.stderr
    );
    prop_assert!(
        matches!(run.code, Some(0) | Some(1)),
        "exit status {:?} (0 or 1 expected):\n{}",
        run.code,
        run.stderr
    );
    // Nothing outside the output folder changed, and no temporary folder stayed.
    let after_rest = snapshot(t.path(), Some(&public));
    prop_assert!(
        before_rest == after_rest,
        "files outside public/ changed: {:?}",
        after_rest
            .keys()
            .filter(|k| before_rest.get(*k) != after_rest.get(*k))
            .chain(before_rest.keys().filter(|k| !after_rest.contains_key(*k)))
            .collect::<Vec<_>>()
    );

    if run.code == Some(1) {
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .filter(|l| !l.contains("must be fixed first"))
            .collect();
        prop_assert!(
            !errors.is_empty(),
            "a failed build says why:\n{}",
            run.stderr
        );
        for e in &errors {
            prop_assert!(
                e.starts_with("error: site.toml") || e.starts_with("error: content/"),
                "an error that names no file: {}\n{}",
                e,
                run.stderr
            );
        }
        prop_assert!(
            errors.iter().any(|e| names_line(e)),
            "no error names a line:\n{}",
            run.stderr
        );
        let after_out = snapshot(&public, None);
        prop_assert!(
            before_out == after_out,
            "a failed build changed the previous output"
        );
    } else {
        // A successful build never names the anonymous member, ships no
        // active script from content and writes no control characters.
        for (path, bytes) in snapshot(&public, None) {
            let text = String::from_utf8_lossy(&bytes);
            prop_assert!(
                !text.contains(ANON_NAME) && !text.contains(&format!("@{ANON_HANDLE}")),
                "{} names the anonymous member",
                path.display()
            );
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "html" | "xml" | "json" | "txt" | "svg") {
                if let Some(bad) = active_markup(&common::strip_theme_scripts(&text)) {
                    prop_assert!(false, "{} has active markup: {}", path.display(), bad);
                }
                prop_assert!(
                    !text
                        .chars()
                        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
                    "{} has a control character",
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// The first tag in `html` that could run script: an event-handler
/// attribute, a `javascript:` URL, or an inline script that is not JSON-LD.
fn active_markup(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = after[..end].to_ascii_lowercase();
        let handler = tag
            .match_indices(" on")
            .chain(tag.match_indices("\ton"))
            .chain(tag.match_indices("/on"))
            .any(|(i, m)| {
                let name: String = tag[i + m.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                !name.is_empty()
                    && tag[i + m.len() + name.len()..]
                        .trim_start()
                        .starts_with('=')
            });
        let script = tag.starts_with("<script")
            && !tag.contains(" src=")
            && !tag.contains("application/ld+json");
        if handler || tag.contains("javascript:") || script {
            return Some(tag);
        }
        rest = &after[end..];
    }
    None
}

/// True when an error line has the form `error: FILE:LINE: …`.
fn names_line(e: &str) -> bool {
    let rest = &e["error: ".len()..];
    let Some((_, after)) = rest.split_once(':') else {
        return false;
    };
    after
        .split(':')
        .next()
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

// ---------------------------------------------------------------- grammar

/// A piece of text: ordinary Chinese, mentions, markup and hostile bytes.
fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("创业者的日常".to_string()),
        Just("感谢 @nightowl 的建议".to_string()),
        Just("@nightowl".to_string()),
        Just("@bob 和 @alice".to_string()),
        Just("@unknown_person".to_string()),
        Just("`@nightowl`".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("{tabindex=0 autofocus onfocus=alert(1)}".to_string()),
        Just("[x](javascript:alert(1))".to_string()),
        Just("\u{0}\u{1}\u{7f}".to_string()),
        Just("&#x1;&#0;".to_string()),
        Just("\u{feff}\u{202e}".to_string()),
        Just("..".to_string()),
        Just("/".to_string()),
        Just("CON".to_string()),
        Just("index".to_string()),
        Just("\"引号\" 'quote' : colon".to_string()),
        Just("#".to_string()),
        "[\\PC]{0,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(text_piece(), 1..4).prop_map(|v| v.join(" "))
}

/// A YAML scalar or structure for a front-matter value, valid or not.
fn yaml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        text().prop_map(|t| serde_json::to_string(&t).unwrap()),
        text(),
        Just("[a, b, c]".to_string()),
        Just("{a: 1}".to_string()),
        Just("[[nested]]".to_string()),
        Just("123".to_string()),
        Just("true".to_string()),
        Just("~".to_string()),
        Just("\"unclosed".to_string()),
        Just("[".to_string()),
        Just("&a [*a]".to_string()),
        Just("2026-10-22 15:00".to_string()),
        Just("2026-13-45 08:00".to_string()),
        Just("0000-01-01".to_string()),
        Just("-0001-12-31".to_string()),
        Just("10000-01-01".to_string()),
        Just("nightowl".to_string()),
        Just("[nightowl, alice]".to_string()),
        Just("index".to_string()),
        Just("../../x".to_string()),
    ]
}

fn field_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "title",
        "slug",
        "publish_at",
        "expire_at",
        "column",
        "status",
        "accepted",
        "asked_by",
        "summary_by",
        "tags",
        "stage",
        "authors",
        "description",
        "draft",
        "queue",
        "unknown_field",
    ])
}

fn front_matter() -> impl Strategy<Value = String> {
    prop::collection::vec((field_name(), yaml_value()), 0..8).prop_map(|fields| {
        fields
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    })
}

/// A thread or post body line.
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        Just("## @bob 回答".to_string()),
        Just("## @nightowl".to_string()),
        Just("## @".to_string()),
        Just("### @alice".to_string()),
        Just("### @nightowl 追问".to_string()),
        Just("## 总结".to_string()),
        Just("# @bob".to_string()),
        Just("```".to_string()),
        Just("---".to_string()),
        Just("| a | b |\n|---|---|\n| 1 | 2 |".to_string()),
        Just("[^1]: 脚注 @nightowl".to_string()),
        Just("[链接](../qa/thread.md)".to_string()),
        Just("[坏链接](../qa/missing.md)".to_string()),
        Just("![图](missing.png)".to_string()),
        text().prop_map(|t| format!("## {t}")),
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(body_line(), 0..10).prop_map(|v| v.join("\n\n"))
}

/// A whole Markdown file: front matter (maybe broken) and a body.
fn post_file() -> impl Strategy<Value = String> {
    (
        front_matter(),
        body(),
        prop::sample::select(vec!["lf", "crlf", "cr", "unclosed", "none", "bom"]),
    )
        .prop_map(|(fm, body, shape)| {
            let s = match shape {
                "unclosed" => format!("---\n{fm}{body}"),
                "none" => body,
                "bom" => format!("\u{feff}---\n{fm}---\n{body}"),
                _ => format!("---\n{fm}---\n{body}\n"),
            };
            match shape {
                "crlf" => s.replace('\n', "\r\n"),
                "cr" => s.replace('\n', "\r"),
                _ => s,
            }
        })
}

/// Extra entries appended to the members file.
fn members_extra() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("nightowl: {privacy: public, name: 欧阳秋菊}\n".to_string()),
        Just("nightowl:\n  name: 欧阳秋菊\n".to_string()),
        Just("carol:\n  name: 卡罗尔\n".to_string()),
        Just("dave:\n  privacy: secret\n".to_string()),
        Just("index:\n  name: index\n  privacy: public\n".to_string()),
        Just("erin:\n  name: [1, 2]\n".to_string()),
        Just("- just\n- a list\n".to_string()),
        Just("frank: 12\n".to_string()),
        Just("\t\tbad: indent\n".to_string()),
        Just("gina:\n  unknown: 1\n".to_string()),
        text().prop_map(|t| format!("{}:\n  name: x\n", serde_json::to_string(&t).unwrap())),
    ]
}

/// A whole members file: the good one with an extra piece, or a replacement.
fn members_file() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => members_extra().prop_map(|e| format!("{MEMBERS}{e}")),
        1 => Just(String::new()),
        1 => Just("# only a comment\n".to_string()),
        1 => members_extra(),
    ]
}

/// `site.toml`: the good one with one line changed or added.
fn site_file() -> impl Strategy<Value = String> {
    let extra = prop_oneof![
        Just(String::new()),
        Just("paginate = 0\n".to_string()),
        Just("paginate = -1\n".to_string()),
        Just("timezone = \"Mars/Olympus\"\n".to_string()),
        Just("language = \"xx\"\n".to_string()),
        Just("unknown_key = 1\n".to_string()),
        Just("title = [1]\n".to_string()),
        Just("[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"25:00\"\nduration = \"9999999999999999d\"\nrule = \"FREQ=SOMETIMES\"\n".to_string()),
        Just("[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nduration = \"90m\"\nrule = \"FREQ=WEEKLY\"\n".to_string()),
        Just("[[columns]]\nid = \"zaobao\"\nname = \"重复\"\nkind = \"brief\"\ntimes = [\"08:00\"]\n".to_string()),
        Just("[[columns]]\nid = \"x\"\nname = \"x\"\nkind = \"poem\"\ntimes = [\"8\"]\n".to_string()),
        Just("[[channels]]\nid = \"c\"\nkind = \"outbox\"\ncolumns = [\"nope\"]\n".to_string()),
        Just("[[channels]]\nid = \"c\"\nkind = \"wecom\"\nurl = \"https://example.org/secret\"\n".to_string()),
        Just("[".to_string()),
    ];
    let rota = prop_oneof![
        Just(None),
        Just(Some("members = [\"alice\", \"nobody\"]")),
        Just(Some("members = []")),
        Just(Some("period = \"fortnightly\"")),
    ];
    (extra, rota).prop_map(|(extra, rota)| {
        let base = match rota {
            Some(line) => SITE.replace("members = [\"alice\", \"bob\"]", line),
            None => SITE.to_string(),
        };
        // Top-level keys must come before the first table.
        if extra.starts_with("[[") || extra.starts_with('[') {
            format!("{base}{extra}")
        } else {
            base.replacen("\n[[columns]]", &format!("\n{extra}[[columns]]"), 1)
        }
    })
}

/// One hostile case: which files to overwrite or add.
fn case() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::option::of(post_file()),
        prop::option::of(post_file()),
        prop::option::of(members_file()),
        prop::option::of(site_file()),
    )
        .prop_map(|(thread, brief, members, site)| {
            let mut files = Vec::new();
            if let Some(t) = thread {
                files.push(("content/qa/hostile.md".to_string(), t));
            }
            if let Some(b) = brief {
                files.push(("content/briefs/hostile.md".to_string(), b));
            }
            if let Some(m) = members {
                files.push(("content/members.yaml".to_string(), m));
            }
            if let Some(s) = site {
                files.push(("site.toml".to_string(), s));
            }
            files
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn hostile_communities_keep_every_promise(files in case()) {
        check_case(&files)?;
    }
}

// ---------------------------------------------------------------- fixtures

fn fixture(files: &[(&str, &str)]) {
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    if let Err(e) = check_case(&owned) {
        panic!("{e}");
    }
}

#[test]
fn fixture_heading_attributes_cannot_run_script() {
    fixture(&[(
        "content/briefs/xss.md",
        "---\ntitle: 标题\npublish_at: 2026-10-21 08:00\ncolumn: zaobao\n---\n## 小标题 {tabindex=0 autofocus onfocus=alert(document.domain)}\n\n正文\n",
    )]);
}

#[test]
fn fixture_mentions_of_an_anonymous_member() {
    fixture(&[(
        "content/briefs/thanks.md",
        "---\ntitle: 感谢 @nightowl\npublish_at: 2026-10-21 08:00\ncolumn: zaobao\ndescription: \"@nightowl 的分享\"\n---\n感谢 @nightowl 的分享。\n\n## @nightowl 说的\n\n正文\n",
    )]);
}

#[test]
fn fixture_duplicate_member_key_cannot_unmask() {
    fixture(&[
        (
            "content/members.yaml",
            &format!("{MEMBERS}nightowl: {{privacy: public, name: 欧阳秋菊}}\n"),
        ),
        (
            "content/briefs/thanks.md",
            "---\ntitle: 周报\npublish_at: 2026-10-21 08:00\ncolumn: zaobao\nauthors: [nightowl]\n---\n正文\n",
        ),
    ]);
}

#[test]
fn fixture_control_characters_and_far_years() {
    fixture(&[(
        "content/briefs/ctl.md",
        "---\ntitle: \"控制\\x01字符\\0\"\npublish_at: 2026-10-21 08:00\ncolumn: zaobao\n---\n正文 &#x1; 结束\n",
    )]);
    fixture(&[(
        "content/briefs/year.md",
        "---\ntitle: 年份\npublish_at: -0001-12-31\ncolumn: zaobao\n---\n正文\n",
    )]);
}

#[test]
fn fixture_broken_site_toml() {
    fixture(&[(
        "site.toml",
        &(SITE.replace("members = [\"alice\", \"bob\"]", "members = [\"alice\", \"nobody\"]")
            + "[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"25:00\"\nduration = \"9999999999999999d\"\nrule = \"FREQ=SOMETIMES\"\n"),
    )]);
}

/// Found by the property test: a member named `index` clashes with the
/// member list; the error must name the members file and the handle's line.
#[test]
fn fixture_member_named_index() {
    fixture(&[(
        "content/members.yaml",
        &format!("{MEMBERS}index:\n  name: index\n  privacy: public\n"),
    )]);
}
