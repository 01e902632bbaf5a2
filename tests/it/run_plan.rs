//! `qunshu run` stays calm, and the plan, delivery and the archive agree
//! (issue 12, items 9–12): the real binary on small communities with an
//! outbox channel (no network peer needed).

use crate::common;

use common::sigterm;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

fn site(channels: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::write(
        r.join("site.toml"),
        format!(
            "title = \"测试社群\"\nbase_url = \"https://example.org/g/\"\ntimezone = \"Asia/Shanghai\"\n\n[[columns]]\nid = \"zaobao\"\nname = \"早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n\n[[columns]]\nid = \"hot\"\nname = \"热点\"\nkind = \"qa\"\ntimes = [\"15:00\"]\ndays = \"daily\"\n{channels}"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(r.join("content/briefs")).unwrap();
    std::fs::create_dir_all(r.join("content/qa")).unwrap();
    std::fs::write(
        r.join("content/members.yaml"),
        "xiaowang:\n  name: 王晓雯\n  privacy: public\n",
    )
    .unwrap();
    dir
}

const OUTBOX: &str = "\n[[channels]]\nid = \"wechat\"\nkind = \"outbox\"\n";

fn brief(root: &Path, name: &str, at: &str, title: &str) {
    std::fs::write(
        root.join("content/briefs").join(name),
        format!("---\ntitle: \"{title}\"\npublish_at: {at}\ncolumn: zaobao\nauthors: [xiaowang]\n---\n正文。\n"),
    )
    .unwrap();
}

/// Runs `qunshu run` for a while, calling `during` after `wait`, and returns stderr.
fn run_for(root: &Path, total: Duration, during: Option<(Duration, &dyn Fn())>) -> String {
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let mut child = std::process::Command::new(bin)
        .arg("--root")
        .arg(root)
        .args(["run", "--recheck", "30"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    if let Some((at, f)) = during {
        std::thread::sleep(at);
        f();
    }
    std::thread::sleep(total.saturating_sub(start.elapsed()));
    sigterm(child.id());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?}\n{err}");
    err
}

#[test]
fn an_idle_run_rereads_nothing_and_an_edit_is_one_reload() {
    let dir = site(OUTBOX);
    let r = dir.path();
    brief(r, "later.md", "2030-01-01 08:00", "很久以后");
    let err = run_for(r, Duration::from_secs(4), None);
    assert_eq!(err.matches("reloading").count(), 0, "{err}");

    let edit = || brief(r, "later.md", "2030-01-02 08:00", "很久以后（改）");
    let err = run_for(
        r,
        Duration::from_secs(5),
        Some((Duration::from_millis(1500), &edit)),
    );
    assert_eq!(err.matches("reloading").count(), 1, "{err}");
}

use common::serve;

/// `build`, `serve` and `book` read the delivery history in the library:
/// a queued brief that `post` delivered is published in all of them.
#[test]
fn a_delivered_queued_post_is_published_in_serve_as_in_build() {
    let dir = common::demo_copy();
    let r = dir.path();
    let post = common::qunshu_at(r)
        .args(["post", "--clock", "2026-11-21 08:00"])
        .output()
        .unwrap();
    assert!(post.status.success(), "{post:?}");
    let out = r.join("built");
    common::qunshu_at(r)
        .args(["build", "--clock", "2026-11-23 12:00", "--out"])
        .arg(&out)
        .assert()
        .success();
    // The page `build` made for the delivered queued brief.
    let page = std::fs::read_dir(out.join("briefs"))
        .unwrap()
        .flatten()
        .find(|f| {
            std::fs::read_to_string(f.path())
                .unwrap()
                .contains("<title>早报｜复购率低")
        })
        .expect("build publishes the delivered queued brief");
    let name = page.file_name().to_string_lossy().into_owned();
    let served = serve::serve_with(r, &["--published-only"]);
    let encoded: String =
        percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .replace("%2E", ".");
    let (status, body) = served.get(&format!("/briefs/{encoded}"));
    assert_eq!(status, 200, "serve --published-only must publish {name}");
    assert!(!body.contains("排队中"), "still labelled queued");
}

fn schedule_json(root: &Path, clock: &str) -> serde_json::Value {
    let out = common::qunshu_at(root)
        .args([
            "schedule", "--format", "json", "--days", "7", "--clock", clock,
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A queued post whose `expire_at` comes before the slot it would get is
/// not planned (it would go out expired): it is unplaced, `expired`, and the
/// slot goes to the next post in the queue.
#[test]
fn a_queued_post_is_never_planned_after_it_expires() {
    let dir = common::demo_copy();
    let r = dir.path();
    let f = r.join("content/briefs/queue-01-repeat-purchase.md");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replacen(
            "column: zaobao\n",
            "column: zaobao\nexpire_at: 2026-11-24 07:00\n",
            1,
        ),
    )
    .unwrap();
    let plan = schedule_json(r, "2026-11-23 12:00");
    let posts: Vec<&str> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["post"].as_str())
        .collect();
    assert!(
        !posts.contains(&"content/briefs/queue-01-repeat-purchase.md"),
        "{posts:?}"
    );
    let unplaced = plan["unplaced"].as_array().expect("unplaced list");
    assert!(
        unplaced.iter().any(
            |u| u["source"] == "content/briefs/queue-01-repeat-purchase.md"
                && u["reason"] == "expired"
        ),
        "{unplaced:?}"
    );
    let at_24 = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["local"] == "2026-11-24T08:00:00+08:00")
        .unwrap();
    assert_eq!(at_24["post"], "content/briefs/queue-02-hiring-interview.md");
}

/// Two posts pinned to one instant in one column clash: `schedule` says so
/// (exit 3), and so does `post`, which sends neither of them (exit 3) but
/// still delivers everything else that is due.
#[test]
fn post_refuses_clashing_posts_and_sends_the_rest() {
    let dir = common::demo_copy();
    let r = dir.path();
    let original = r.join("content/briefs/2026-11-20-monthly-review.md");
    let text = std::fs::read_to_string(&original).unwrap();
    let title_line = text.lines().find(|l| l.starts_with("title:")).unwrap();
    std::fs::write(
        r.join("content/briefs/2026-11-20-clash.md"),
        text.replacen(title_line, "title: 同一时刻的另一篇早报", 1),
    )
    .unwrap();
    std::fs::write(
        r.join("content/cases/other.md"),
        "---\ntitle: 同时到期的案例\npublish_at: 2026-11-20 07:30\ncolumn: cases\n---\n正文。\n",
    )
    .unwrap();
    let out = common::qunshu_at(r)
        .args(["post", "--clock", "2026-11-20 08:01"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("content/briefs/2026-11-20-clash.md")
            && err.contains("content/briefs/2026-11-20-monthly-review.md"),
        "{err}"
    );
    let outbox: Vec<String> = std::fs::read_dir(r.join("outbox"))
        .map(|d| {
            d.flatten()
                .map(|f| std::fs::read_to_string(f.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        outbox.iter().any(|t| t.contains("同时到期的案例")),
        "the rest is still delivered: {outbox:?}"
    );
    assert!(
        !outbox.iter().any(|t| t.contains("同一时刻的另一篇早报")),
        "a clashing post was sent"
    );
    // Nothing of the clash was recorded, so fixing it and running again sends it.
    let ledger = std::fs::read_to_string(r.join(".qunshu/ledger.jsonl")).unwrap_or_default();
    assert!(!ledger.contains("2026-11-20-clash.md"), "{ledger}");
}

/// Files qunshu writes for people to share (a calendar, the outbox text, a
/// new post, editor schemas) are readable by others, as any new file is;
/// none is left with a temporary file's private mode 0600.
#[cfg(unix)]
#[test]
fn written_files_are_not_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::demo_copy();
    let r = dir.path();
    let q = |args: &[&str]| {
        let out = common::qunshu_at(r).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    let ics = r.join("plan.ics");
    q(&[
        "schedule",
        "--format",
        "ics",
        "-o",
        ics.to_str().unwrap(),
        "--clock",
        "2026-11-23 12:00",
    ]);
    q(&["post", "--clock", "2026-11-21 08:00"]);
    q(&["new", "brief", "新的早报"]);
    q(&["schema"]);
    let mut files = vec![ics];
    for d in ["outbox", "schema", "content/briefs"] {
        for f in std::fs::read_dir(r.join(d)).unwrap().flatten() {
            files.push(f.path());
        }
    }
    for f in files {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "{} has mode {mode:o}", f.display());
    }
}

/// On a fall-back night the two 01:30s are told apart by their offsets.
#[test]
fn dst_days_show_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("content/briefs")).unwrap();
    std::fs::write(
        r.join("site.toml"),
        "title = \"DST\"\nbase_url = \"https://example.org/\"\ntimezone = \"America/New_York\"\nlanguage = \"en\"\n\n[[columns]]\nid = \"night\"\nname = \"Night\"\nkind = \"brief\"\ntimes = [\"01:30\"]\ndays = \"daily\"\n",
    )
    .unwrap();
    std::fs::write(r.join("content/members.yaml"), "").unwrap();
    std::fs::write(
        r.join("content/briefs/a.md"),
        "---\ntitle: late\npublish_at: 2026-11-01T01:30:00-05:00\ncolumn: night\n---\nx\n",
    )
    .unwrap();
    let out = common::qunshu_at(r)
        .args(["schedule", "--clock", "2026-10-31 12:00", "--days", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("01:30 -04:00  Night"), "{text}");
    assert!(text.contains("01:30 -05:00  Night"), "{text}");
    // An ordinary day shows the time alone.
    assert!(text.contains("\n  01:30  Night"), "{text}");
}

/// The asker's follow-up replies under answers do not make them an answerer,
/// in the duty report as on the member pages.
#[test]
fn the_askers_follow_ups_are_not_answers() {
    let dir = site("");
    let r = dir.path();
    std::fs::write(
        r.join("content/members.yaml"),
        "alice:\n  name: 艾丽丝\n  privacy: public\nbob:\n  name: 鲍勃\n  privacy: public\ncarol:\n  name: 卡罗尔\n  privacy: public\ndave:\n  name: 大卫\n  privacy: public\n",
    )
    .unwrap();
    std::fs::write(
        r.join("content/qa/t.md"),
        "---\ntitle: 一个问题\nasked_by: alice\npublish_at: 2026-11-24 15:00\ncolumn: hot\nstatus: solved\naccepted: bob\n---\n问题。\n\n## @bob\n回答一。\n\n### @alice\n追问。\n\n## @carol\n回答二。\n\n### @dave\n补充。\n\n### @alice\n谢谢。\n",
    )
    .unwrap();
    let out = common::qunshu_at(r)
        .args([
            "report",
            "--week",
            "2026-11-24",
            "--format",
            "json",
            "--clock",
            "2026-11-30 12:00",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["distinct_answerers"], 3, "{v}");
    // Alice's member page lists the thread as asked, not as answered.
    let pub_dir = r.join("public");
    common::qunshu_at(r)
        .args(["build", "--clock", "2026-11-30 12:00"])
        .assert()
        .success();
    let page = std::fs::read_to_string(pub_dir.join("members/艾丽丝.html")).unwrap();
    let body = page.split("<main").nth(1).unwrap_or(&page);
    assert_eq!(body.matches("一个问题").count(), 1, "{body}");
}

/// An archive-only community (no channels): a queued solved thread is
/// published when its slot passes — `post` (from cron) or `run` records the
/// slot it was given, so it enters the archive and never moves again.
#[test]
fn a_queued_post_is_published_without_a_channel() {
    let dir = site("");
    let r = dir.path();
    std::fs::write(
        r.join("content/qa/q.md"),
        "---\ntitle: 没有渠道的问题\nasked_by: xiaowang\ncolumn: hot\nstatus: solved\naccepted: xiaowang\n---\n问题。\n\n## @xiaowang\n回答。\n",
    )
    .unwrap();
    let q = |args: &[&str]| {
        let out = common::qunshu_at(r).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Before its slot (15:00) nothing happens; the plan puts it at 15:00.
    q(&["post", "--clock", "2026-11-24 14:00"]);
    let built = |clock: &str| {
        q(&["build", "--clock", clock]);
        std::fs::read_to_string(r.join("public/qa/index.html")).unwrap()
    };
    assert!(!built("2026-11-24 14:30").contains("没有渠道的问题"));
    // Its slot passes while `post` runs: it is published from then on.
    let said = q(&["post", "--clock", "2026-11-24 15:01"]);
    assert!(said.contains("content/qa/q.md"), "{said}");
    assert!(built("2026-11-25 09:00").contains("没有渠道的问题"));
    // Later runs leave it where it is: the plan shows it delivered at 15:00.
    q(&["post", "--clock", "2026-11-26 15:01"]);
    let plan = schedule_json(r, "2026-11-24 12:00");
    let e = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["post"] == "content/qa/q.md")
        .expect("planned");
    assert_eq!(e["local"], "2026-11-24T15:00:00+08:00", "{e}");
    assert_eq!(e["status"], "delivered", "{e}");
}
