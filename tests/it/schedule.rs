//! `qunshu schedule` and `qunshu report`, run as the real binary on real
//! files (plus the library's planner for the delivery record).

use crate::common;

use common::qunshu_at;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

const MEMBERS: &str = "xiaowang:\n  name: 王晓雯\n  alias: 小王\n  privacy: public\nchenjie:\n  name: 陈杰\n  privacy: public\nnightowl:\n  name: 欧阳秋菊\n  privacy: anonymous\nliuyang:\n  name: 刘洋\n  alias: 洋葱\n  privacy: alias\n";

/// A community in a temp dir: `site.toml` with the given zone, columns and
/// extra sections, the members file, and no posts yet.
fn site(tz: &str, columns: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("site.toml"),
        format!("title = \"测试社群\"\nlanguage = \"zh-CN\"\ntimezone = \"{tz}\"\nbase_url = \"https://example.org/t/\"\n{columns}\n{extra}"),
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content/briefs")).unwrap();
    fs::create_dir_all(dir.path().join("content/qa")).unwrap();
    fs::create_dir_all(dir.path().join("content/cases")).unwrap();
    fs::write(dir.path().join("content/members.yaml"), MEMBERS).unwrap();
    dir
}

const DAILY: &str = "[[columns]]\nid = \"zaobao\"\nname = \"每日早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n";
const DAILY_HOT: &str = "[[columns]]\nid = \"zaobao\"\nname = \"每日早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n[[columns]]\nid = \"hot\"\nname = \"热点话题\"\nkind = \"qa\"\ntimes = [\"15:00\"]\ndays = \"weekdays\"\n";

fn post(dir: &Path, rel: &str, front: &str, body: &str) {
    fs::write(
        dir.join("content").join(rel),
        format!("---\n{front}\n---\n{body}\n"),
    )
    .unwrap();
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = qunshu_at(dir)
        .arg("schedule")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (local time, status, post) of every entry.
fn entries(v: &Value) -> Vec<(String, String, Option<String>)> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["local"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
                e["post"].as_str().map(|s| s.to_string()),
            )
        })
        .collect()
}

fn post_time(v: &Value, source: &str) -> Option<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["post"].as_str() == Some(source))
        .map(|e| e["local"].as_str().unwrap().to_string())
}

#[test]
fn queue_order_is_queue_number_then_file_name() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(p, "briefs/b.md", "title: B", "b");
    post(p, "briefs/a.md", "title: A", "a");
    post(p, "briefs/z.md", "title: Z\nqueue: 2", "z");
    post(p, "briefs/y.md", "title: Y\nqueue: 1", "y");
    post(p, "briefs/c.md", "title: C\ndraft: true", "c");
    let v = json(p, &["--clock", "2026-11-24 10:30", "--days", "6"]);
    let e = entries(&v);
    let got: Vec<(&str, &str, Option<&str>)> = e
        .iter()
        .map(|(l, s, p)| (l.as_str(), s.as_str(), p.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            // 08:00 today is 2h30 ago: past the 2h window, so not used.
            ("2026-11-24T08:00:00+08:00", "empty", None),
            (
                "2026-11-25T08:00:00+08:00",
                "queued",
                Some("content/briefs/y.md")
            ),
            (
                "2026-11-26T08:00:00+08:00",
                "queued",
                Some("content/briefs/z.md")
            ),
            (
                "2026-11-27T08:00:00+08:00",
                "queued",
                Some("content/briefs/a.md")
            ),
            (
                "2026-11-28T08:00:00+08:00",
                "queued",
                Some("content/briefs/b.md")
            ),
            ("2026-11-29T08:00:00+08:00", "empty", None),
        ]
    );
    // The runway says when the queue runs out.
    let r = &v["runway"][0];
    assert_eq!(r["queued"], 4);
    assert_eq!(r["runs_out"], "2026-11-29T00:00:00Z");
    assert_eq!(r["days_left"], 5);
}

#[test]
fn a_slot_stays_deliverable_for_its_stale_window() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(p, "briefs/a.md", "title: A", "a");
    // At 09:00 the 08:00 slot is an hour late, within stale_after (2h):
    // the queued post is due now rather than pushed to tomorrow.
    let v = json(p, &["--clock", "2026-11-24 09:00", "--days", "1"]);
    assert_eq!(
        post_time(&v, "content/briefs/a.md").as_deref(),
        Some("2026-11-24T08:00:00+08:00")
    );
}

#[test]
fn pinned_posts_hold_their_slot_and_custom_times_are_shown() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(p, "briefs/a.md", "title: A", "a");
    post(p, "briefs/b.md", "title: B", "b");
    post(
        p,
        "briefs/pinned.md",
        "title: P\npublish_at: 2026-11-25 08:00",
        "p",
    );
    post(
        p,
        "briefs/custom.md",
        "title: C\npublish_at: 2026-11-25 12:30",
        "c",
    );
    let v = json(
        p,
        &[
            "--clock",
            "2026-11-24 10:30",
            "--from",
            "2026-11-25",
            "--days",
            "3",
        ],
    );
    let e = entries(&v);
    assert_eq!(
        e[0],
        (
            "2026-11-25T08:00:00+08:00".into(),
            "pinned".into(),
            Some("content/briefs/pinned.md".into())
        )
    );
    assert_eq!(
        e[1],
        (
            "2026-11-25T12:30:00+08:00".into(),
            "custom".into(),
            Some("content/briefs/custom.md".into())
        )
    );
    assert_eq!(e[2].2.as_deref(), Some("content/briefs/a.md"));
    assert_eq!(e[2].0, "2026-11-26T08:00:00+08:00");
    assert_eq!(e[3].2.as_deref(), Some("content/briefs/b.md"));
    assert!(v["clashes"].as_array().unwrap().is_empty());
}

#[test]
fn adding_a_queued_post_never_moves_pinned_or_earlier_queued_posts() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(p, "briefs/q1.md", "title: Q1", "1");
    post(p, "briefs/q3.md", "title: Q3", "3");
    post(
        p,
        "briefs/pin.md",
        "title: P\npublish_at: 2026-11-26 08:00",
        "p",
    );
    let args = ["--clock", "2026-11-24 10:30", "--days", "10"];
    let before = json(p, &args);
    post(p, "briefs/q4.md", "title: Q4", "4");
    let after = json(p, &args);
    for s in [
        "content/briefs/q1.md",
        "content/briefs/q3.md",
        "content/briefs/pin.md",
    ] {
        assert_eq!(post_time(&before, s), post_time(&after, s), "{s} moved");
    }
    assert_eq!(
        post_time(&after, "content/briefs/pin.md").as_deref(),
        Some("2026-11-26T08:00:00+08:00")
    );
    // q4 took the next free slot after the existing queue, skipping the pin.
    assert_eq!(
        post_time(&after, "content/briefs/q4.md").as_deref(),
        Some("2026-11-28T08:00:00+08:00")
    );
    // A queued post inserted *before* others in queue order moves only queued posts.
    post(p, "briefs/q2.md", "title: Q2", "2");
    let third = json(p, &args);
    assert_eq!(
        post_time(&third, "content/briefs/pin.md"),
        post_time(&before, "content/briefs/pin.md")
    );
}

#[test]
fn pin_rewrites_only_the_publish_at_line() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    // CRLF file with no publish_at, and an LF file with an empty one.
    let crlf = "---\r\ntitle: \"甲：带冒号的标题\"\r\ntags: [a, b]\r\nqueue: 1\r\n---\r\n正文 publish_at: 不是字段\r\n";
    fs::write(p.join("content/briefs/crlf.md"), crlf).unwrap();
    let lf = "---\ntitle: 乙\npublish_at:\nauthors: [xiaowang]\n---\n正文\n";
    fs::write(p.join("content/briefs/lf.md"), lf).unwrap();
    let pinned = "---\ntitle: 丙\npublish_at: 2026-11-27 08:00\n---\n丙\n";
    fs::write(p.join("content/briefs/pinned.md"), pinned).unwrap();
    let args = ["--clock", "2026-11-24 10:30", "--days", "7"];
    let before = json(p, &args);
    qunshu_at(p)
        .args(["schedule", "--pin"])
        .args(args)
        .assert()
        .success();
    let new_crlf = fs::read_to_string(p.join("content/briefs/crlf.md")).unwrap();
    assert_eq!(
        new_crlf,
        "---\r\ntitle: \"甲：带冒号的标题\"\r\ntags: [a, b]\r\nqueue: 1\r\npublish_at: 2026-11-25 08:00\r\n---\r\n正文 publish_at: 不是字段\r\n"
    );
    let new_lf = fs::read_to_string(p.join("content/briefs/lf.md")).unwrap();
    assert_eq!(
        new_lf,
        "---\ntitle: 乙\npublish_at: 2026-11-26 08:00\nauthors: [xiaowang]\n---\n正文\n"
    );
    // Line-by-line: exactly one line differs (or one was added).
    let diff: Vec<_> = lf
        .lines()
        .zip(new_lf.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(diff, vec![("publish_at:", "publish_at: 2026-11-26 08:00")]);
    assert_eq!(
        fs::read_to_string(p.join("content/briefs/pinned.md")).unwrap(),
        pinned
    );
    // No temporary files left behind.
    let names: Vec<String> = fs::read_dir(p.join("content/briefs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    // The plan is the same, now pinned.
    let after = json(p, &args);
    for s in [
        "content/briefs/crlf.md",
        "content/briefs/lf.md",
        "content/briefs/pinned.md",
    ] {
        assert_eq!(post_time(&before, s), post_time(&after, s));
    }
    assert!(entries(&after).iter().all(|e| e.1 != "queued"));
}

#[test]
fn clashes_name_both_files_and_set_the_exit_status() {
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(
        p,
        "briefs/one.md",
        "title: 一\npublish_at: 2026-11-25 08:00",
        "1",
    );
    post(
        p,
        "briefs/two.md",
        "title: 二\npublish_at: 2026-11-25T00:00:00Z",
        "2",
    );
    let out = qunshu_at(p)
        .args(["schedule", "--clock", "2026-11-24 10:30", "--days", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("冲突：1 处"), "{text}");
    assert!(
        text.contains("content/briefs/one.md 与 content/briefs/two.md"),
        "{text}"
    );
    let v = json(p, &["--clock", "2026-11-24 10:30", "--days", "3"]);
    assert_eq!(v["clashes"][0]["posts"].as_array().unwrap().len(), 2);
    // Without the clash the status is 0.
    fs::remove_file(p.join("content/briefs/two.md")).unwrap();
    qunshu_at(p)
        .args(["schedule", "--clock", "2026-11-24 10:30", "--days", "3"])
        .assert()
        .success();
}

#[test]
fn empty_slots_and_a_short_runway_are_warned_about() {
    let cols = "[[columns]]\nid = \"zaobao\"\nname = \"每日早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n[[columns]]\nid = \"cases\"\nname = \"案例拆解\"\nkind = \"case\"\ntimes = [\"20:00\"]\ndays = [\"tue\", \"thu\"]\n";
    let d = site("Asia/Shanghai", cols, "");
    let p = d.path();
    post(p, "briefs/a.md", "title: A", "a");
    post(p, "cases/x.md", "title: X", "x");
    post(p, "cases/y.md", "title: Y", "y");
    let out = qunshu_at(p)
        .args(["schedule", "--clock", "2026-11-24 10:30", "--days", "7"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap();
    assert!(t.contains("周二 11-24"), "{t}");
    assert!(t.contains("周三 11-25"), "{t}");
    // Briefs: a on 11-25, then empty from 11-26 (5 empty slots ahead: 26..30).
    assert!(t.contains("空缺时段：5 个"), "{t}");
    assert!(t.contains("⚠ 每日早报：排队 1 篇"), "{t}");
    assert!(t.contains("2026-11-26 08:00 起断档（还有 2 天）"), "{t}");
    // Cases: x Tue 11-24 20:00, y Thu 11-26 20:00; runs out Tue 12-01.
    assert!(
        t.contains("案例拆解：排队 2 篇，另有定时 0 篇；2026-12-01 20:00 起断档（还有 7 天）"),
        "{t}"
    );
    assert!(!t.contains("⚠ 案例拆解"), "{t}");
}

#[test]
fn english_sites_get_english_labels() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(
        p.join("site.toml"),
        format!("title = \"T\"\nlanguage = \"en\"\ntimezone = \"Europe/London\"\n{DAILY}"),
    )
    .unwrap();
    fs::create_dir_all(p.join("content/briefs")).unwrap();
    post(p, "briefs/a.md", "title: A", "a");
    qunshu_at(p)
        .args(["schedule", "--clock", "2026-11-23 10:30", "--days", "2"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Mon 11-23"))
        .stdout(predicates::str::contains("Tue 11-24"))
        .stdout(predicates::str::contains("[queued]  A"));
}

const EVENTS: &str = "[[events]]\nname = \"问题解决会\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nduration = \"90m\"\nrule = \"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR\"\n\n[[events]]\nname = \"周六圆桌\"\nstart = \"2026-10-24\"\ntime = \"14:00\"\nduration = \"2h\"\nrule = \"FREQ=WEEKLY;BYDAY=SA\"\ncount = 3\ncapacity = 12\n\n[rota]\nmembers = [\"xiaowang\", \"nightowl\", \"liuyang\"]\nstart = \"2026-10-19\"\n";

#[test]
fn recurring_events_and_the_rota() {
    let d = site("Asia/Shanghai", DAILY, EVENTS);
    let p = d.path();
    let v = json(
        p,
        &[
            "--clock",
            "2026-10-20 10:00",
            "--from",
            "2026-10-19",
            "--days",
            "42",
        ],
    );
    let ev: Vec<(String, String)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["start"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("问题解决会", "2026-10-23T12:00:00Z"),
        ("周六圆桌", "2026-10-24T06:00:00Z"),
        ("周六圆桌", "2026-10-31T06:00:00Z"),
        ("问题解决会", "2026-11-06T12:00:00Z"),
        ("周六圆桌", "2026-11-07T06:00:00Z"),
        ("问题解决会", "2026-11-20T12:00:00Z"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(ev, want);
    assert_eq!(v["events"][0]["end"], "2026-10-23T13:30:00Z");
    assert_eq!(v["events"][1]["capacity"], 12);
    // Weekly duty in sign-up order; the anonymous member is never named.
    let duty: Vec<(String, Value)> = v["duty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["start"].as_str().unwrap().into(), x["admin"].clone()))
        .collect();
    assert_eq!(duty.len(), 6);
    assert_eq!(duty[0].0, "2026-10-19");
    assert_eq!(duty[0].1["name"], "王晓雯");
    assert_eq!(duty[1].0, "2026-10-26");
    assert_eq!(duty[1].1["type"], "anonymous");
    assert_eq!(duty[2].1["name"], "洋葱");
    assert_eq!(duty[3].1["name"], "王晓雯");
    let table = qunshu_at(p)
        .args([
            "schedule",
            "--clock",
            "2026-10-20 10:00",
            "--from",
            "2026-10-19",
            "--days",
            "42",
        ])
        .output()
        .unwrap();
    let t = String::from_utf8(table.stdout).unwrap();
    assert!(t.contains("周一 10-26   值班：匿名成员"), "{t}");
    assert!(t.contains("20:00  ◆ 活动：问题解决会（至 21:30）"), "{t}");
    assert!(t.contains("限 12 人"), "{t}");
    for secret in ["欧阳秋菊", "nightowl"] {
        assert!(!t.contains(secret), "{secret} leaked");
        assert!(!v.to_string().contains(secret), "{secret} leaked");
    }
}

#[test]
fn bad_schedule_config_is_reported_with_lines() {
    let bad = "[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"25:00\"\nrule = \"FREQ=WEEKLY\"\n\n[[events]]\nname = \"会2\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nrule = \"FREQ=SOMETIMES;BYDAY=FR\"\n\n[rota]\nmembers = [\"xiaowang\", \"xiaowang\"]\nstart = \"2026-10-19\"\nperiod = \"monthly-ish\"\n";
    let d = site("Asia/Shanghai", DAILY, bad);
    let p = d.path();
    let out = qunshu_at(p).args(["schedule"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    // Line numbers: the header is 4 lines + DAILY (6) + blank = events start on line 12.
    assert!(
        err.contains("site.toml:15: field `events[0].time`: `25:00`"),
        "{err}"
    );
    assert!(err.contains("site.toml:22: field `events[1].rule`: `FREQ=SOMETIMES;BYDAY=FR` is not a valid RFC 5545 recurrence rule"), "{err}");
    assert!(
        err.contains("site.toml:25: field `rota.members`: `xiaowang` is on the rota twice"),
        "{err}"
    );
    assert!(err.contains("site.toml:27: field `rota.period`"), "{err}");

    let unknown = "[rota]\nmembers = [\"xiaowang\", \"ghost\"]\nstart = \"2026-10-19\"\n";
    let d = site("Asia/Shanghai", DAILY, unknown);
    let out = qunshu_at(d.path()).args(["schedule"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("site.toml:13: field `rota.members`: `ghost` is on the duty rota but is not in the members file"), "{err}");

    let weekday = "[[columns]]\nid = \"x\"\nname = \"X\"\nkind = \"case\"\ntimes = [\"20:00\"]\ndays = [\"tue\", \"funday\"]\n";
    let d = site("Asia/Shanghai", weekday, "");
    let out = qunshu_at(d.path()).args(["schedule"]).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("site.toml:10: field `columns[0].days`: `funday` is not a weekday"),
        "{err}"
    );
}

/// Slots in one zone over a DST change: (local date, column times) → UTC.
fn slots_utc(tz: &str, times: &str, from: &str, days: &str) -> Vec<(String, String)> {
    let cols = format!("[[columns]]\nid = \"zaobao\"\nname = \"早报\"\nkind = \"brief\"\ntimes = {times}\ndays = \"daily\"\n");
    let d = site(tz, &cols, "");
    let v = json(
        d.path(),
        &[
            "--clock",
            "2020-01-01 00:00",
            "--from",
            from,
            "--days",
            days,
        ],
    );
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["local"].as_str().unwrap().into(),
                e["at"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn dst_new_york_gap_and_overlap() {
    // 2026-03-08: 02:00 → 03:00. The 02:30 slot moves to 03:30 EDT; the
    // 08:00 slot stays at 08:00 local (13:00Z before, 12:00Z after).
    assert_eq!(
        slots_utc(
            "America/New_York",
            "[\"02:30\", \"08:00\"]",
            "2026-03-07",
            "3"
        ),
        pairs(&[
            ("2026-03-07T02:30:00-05:00", "2026-03-07T07:30:00Z"),
            ("2026-03-07T08:00:00-05:00", "2026-03-07T13:00:00Z"),
            ("2026-03-08T03:30:00-04:00", "2026-03-08T07:30:00Z"),
            ("2026-03-08T08:00:00-04:00", "2026-03-08T12:00:00Z"),
            ("2026-03-09T02:30:00-04:00", "2026-03-09T06:30:00Z"),
            ("2026-03-09T08:00:00-04:00", "2026-03-09T12:00:00Z"),
        ])
    );
    // 2026-11-01: 02:00 EDT → 01:00 EST. 01:30 happens once, the first time.
    assert_eq!(
        slots_utc("America/New_York", "[\"01:30\"]", "2026-10-31", "3"),
        pairs(&[
            ("2026-10-31T01:30:00-04:00", "2026-10-31T05:30:00Z"),
            ("2026-11-01T01:30:00-04:00", "2026-11-01T05:30:00Z"),
            ("2026-11-02T01:30:00-05:00", "2026-11-02T06:30:00Z"),
        ])
    );
}

#[test]
fn dst_london_gap_and_overlap() {
    // 2026-03-29: 01:00 GMT → 02:00 BST. 01:30 → 02:30 BST.
    assert_eq!(
        slots_utc("Europe/London", "[\"01:30\"]", "2026-03-28", "3"),
        pairs(&[
            ("2026-03-28T01:30:00+00:00", "2026-03-28T01:30:00Z"),
            ("2026-03-29T02:30:00+01:00", "2026-03-29T01:30:00Z"),
            ("2026-03-30T01:30:00+01:00", "2026-03-30T00:30:00Z"),
        ])
    );
    // 2026-10-25: 02:00 BST → 01:00 GMT. 01:30 once, at its first (BST) occurrence.
    assert_eq!(
        slots_utc("Europe/London", "[\"01:30\"]", "2026-10-24", "3"),
        pairs(&[
            ("2026-10-24T01:30:00+01:00", "2026-10-24T00:30:00Z"),
            ("2026-10-25T01:30:00+01:00", "2026-10-25T00:30:00Z"),
            ("2026-10-26T01:30:00+00:00", "2026-10-26T01:30:00Z"),
        ])
    );
}

#[test]
fn shanghai_has_no_dst() {
    let s = slots_utc("Asia/Shanghai", "[\"08:00\"]", "2026-03-07", "60");
    assert_eq!(s.len(), 60);
    assert!(s.iter().all(|(_, utc)| utc.ends_with("T00:00:00Z")));
}

#[test]
fn events_keep_local_time_across_dst() {
    let ev = "[[events]]\nname = \"Roundtable\"\nstart = \"2026-10-24\"\ntime = \"14:00\"\nrule = \"FREQ=WEEKLY;BYDAY=SA\"\n";
    let d = site("Europe/London", DAILY, ev);
    let v = json(
        d.path(),
        &[
            "--clock",
            "2026-10-20 10:00",
            "--from",
            "2026-10-24",
            "--days",
            "8",
        ],
    );
    let starts: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, vec!["2026-10-24T13:00:00Z", "2026-10-31T14:00:00Z"]);
}

#[test]
fn ics_is_valid_folded_escaped_and_stable() {
    let d = site("Asia/Shanghai", DAILY_HOT, EVENTS);
    let p = d.path();
    let long =
        "这是一段很长的中文正文，用来检查折行不会把一个汉字切成两半；还有逗号, 分号; 和反斜杠\\。"
            .repeat(4);
    post(
        p,
        "briefs/a.md",
        "title: 早报｜复购率低？先看这三个环节",
        &long,
    );
    post(
        p,
        "briefs/b.md",
        "title: B\npublish_at: 2026-10-22 12:00",
        "定时的帖子",
    );
    post(p, "qa/q.md", "title: 问题\nasked_by: nightowl\nstatus: solved\naccepted: chenjie\npublish_at: 2026-10-21 15:00", "问题正文\n\n## @chenjie\n采纳的答案正文\n\n## @xiaowang\n另一个回答\n");
    let args = [
        "schedule",
        "--clock",
        "2026-10-20 10:00",
        "--from",
        "2026-10-19",
        "--days",
        "14",
        "--format",
        "ics",
    ];
    let out = qunshu_at(p).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "bare LF in output"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    assert!(text.contains("\r\n "), "long lines are folded");
    for secret in ["欧阳秋菊", "nightowl"] {
        assert!(!text.contains(secret));
    }

    let unfolded = icalendar::parser::unfold(&text);
    let cal: icalendar::Calendar = icalendar::parser::read_calendar(&unfolded)
        .expect("parses")
        .into();
    let events: Vec<&icalendar::Event> = cal
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    use icalendar::Component;
    let find = |summary: &str| {
        events
            .iter()
            .find(|e| e.get_summary() == Some(summary))
            .unwrap_or_else(|| panic!("no event {summary}"))
    };
    let a = find("【每日早报】早报｜复购率低？先看这三个环节");
    let desc = a.get_description().unwrap();
    assert!(
        desc.starts_with("早报｜复购率低？先看这三个环节\n\n这是一段很长的中文正文"),
        "{desc}"
    );
    assert!(desc.contains("逗号, 分号; 和反斜杠\\。"), "{desc}");
    assert_eq!(
        a.get_start(),
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
            "2026-10-21T00:00:00Z".parse().unwrap()
        ))),
        "queued post: the next slot still deliverable at 10:00 (08:00 + 2h has passed), 08:00 Shanghai the next day"
    );
    let q = find("【热点话题】问题");
    let qd = q.get_description().unwrap();
    assert!(
        qd.contains("问题正文") && qd.contains("【采纳的回答 · 陈杰】\n采纳的答案正文"),
        "{qd}"
    );
    assert!(!qd.contains("另一个回答"), "{qd}");
    assert_eq!(a.get_uid(), Some("post-content-briefs-a-md@example.org"));
    assert!(a
        .components()
        .iter()
        .any(|al| al.component_kind() == "VALARM"
            && al.property_value("ACTION") == Some("DISPLAY")
            && al.property_value("TRIGGER") == Some("PT0S")));
    // Events and duty weeks are their own entries.
    assert_eq!(
        events
            .iter()
            .filter(|e| e.get_summary() == Some("问题解决会"))
            .count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.get_summary() == Some("周六圆桌"))
            .count(),
        2
    );
    let duty: Vec<_> = events
        .iter()
        .filter(|e| e.get_summary().is_some_and(|s| s.starts_with("群管值班")))
        .collect();
    assert_eq!(duty.len(), 2);
    assert_eq!(duty[1].get_summary(), Some("群管值班：匿名成员"));
    // UIDs are unique and the same on the next export (re-import updates).
    let uids: Vec<&str> = events.iter().filter_map(|e| e.get_uid()).collect();
    let mut dedup = uids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), uids.len());
    let again = qunshu_at(p).args(args).output().unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), text);
}

#[test]
fn report_for_a_duty_week() {
    let d = site("Asia/Shanghai", DAILY_HOT, EVENTS);
    let p = d.path();
    post(p, "qa/q1.md", "title: 问一\nasked_by: chenjie\nstatus: solved\naccepted: nightowl\npublish_at: 2026-10-27 15:00", "问\n\n## @nightowl\n匿名者的回答\n\n## @liuyang\n另一个\n");
    post(
        p,
        "qa/q2.md",
        "title: 问二\nstatus: open\npublish_at: 2026-10-29 15:00",
        "问\n\n## @liuyang\n回答\n\n### @chenjie\n回复\n",
    );
    post(
        p,
        "qa/q3.md",
        "title: 下周的问题\nstatus: open\npublish_at: 2026-11-03 15:00",
        "问\n",
    );
    post(
        p,
        "briefs/b1.md",
        "title: 早报一\npublish_at: 2026-10-26 08:00",
        "b",
    );
    post(
        p,
        "briefs/later.md",
        "title: 还没到\npublish_at: 2026-11-01 08:00",
        "b",
    );
    let out = qunshu_at(p)
        .args([
            "report",
            "--week",
            "2026-10-28",
            "--clock",
            "2026-10-31 12:00",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["start"], "2026-10-26");
    assert_eq!(v["end"], "2026-11-01");
    assert_eq!(v["admin"]["type"], "anonymous");
    assert_eq!(v["threads"].as_array().unwrap().len(), 2);
    assert_eq!(v["solved"], 1);
    assert_eq!(v["distinct_answerers"], 3);
    assert_eq!(v["accepted"][0]["author"]["type"], "anonymous");
    assert_eq!(v["in_progress"], true);
    assert_eq!(
        v["columns"][0]["count"], 1,
        "the 11-01 brief has not gone out by the clock"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("nightowl"));
    let t = qunshu_at(p)
        .args([
            "report",
            "--week",
            "2026-10-28",
            "--clock",
            "2026-11-05 12:00",
        ])
        .output()
        .unwrap();
    let t = String::from_utf8(t.stdout).unwrap();
    assert!(t.contains("值班周 2026-10-26 至 2026-11-01"), "{t}");
    assert!(t.contains("提问 2 个，已解决 1 个，参与回答 3 人"), "{t}");
    assert!(t.contains("每日早报：2"), "{t}");
}

#[test]
fn delivered_posts_keep_their_time_and_due_lists_what_is_due() {
    use qunshu::core::time::{parse_datetime, Clock};
    use qunshu::publish::schedule::{planned_times, PlannedPost, PostStatus, Schedule};
    let get = |s: &Schedule, src: &str| -> PlannedPost {
        s.posts
            .iter()
            .find(|p| p.source == Path::new(src))
            .cloned()
            .unwrap_or_else(|| panic!("{src} is not planned"))
    };
    // Planned at or before the schedule's now, and not delivered.
    let due = |s: &Schedule, column: Option<&str>| -> Vec<PlannedPost> {
        s.posts
            .iter()
            .filter(|p| p.at <= s.now && p.status != PostStatus::Delivered)
            .filter(|p| column.is_none_or(|c| p.column == c))
            .cloned()
            .collect()
    };
    let d = site("Asia/Shanghai", DAILY, "");
    let p = d.path();
    post(p, "briefs/a.md", "title: A", "a");
    post(p, "briefs/b.md", "title: B", "b");
    post(p, "briefs/c.md", "title: C", "c");
    let (c, diags) = qunshu::Project::open(p, qunshu::core::content::Depth::Rendered);
    let mut c = c.unwrap_or_else(|| panic!("{diags:?}"));
    let tz = c.config.tz;
    let at = |s: &str| parse_datetime(s, tz).unwrap();
    let clock = Clock::new(at("2026-11-24 08:00:30"), tz);
    let s = planned_times(&c, &clock);
    let now_due = due(&s, None);
    assert_eq!(now_due.len(), 1);
    assert_eq!(now_due[0].source, PathBuf::from("content/briefs/a.md"));
    // a was delivered at 08:01; the next day b is due, and a keeps its slot.
    c.delivered
        .insert(PathBuf::from("content/briefs/a.md"), at("2026-11-24 08:01"));
    let clock = Clock::new(at("2026-11-25 08:00"), tz);
    let s = planned_times(&c, &clock);
    let a = get(&s, "content/briefs/a.md");
    assert_eq!(a.status, PostStatus::Delivered);
    assert_eq!(a.at, at("2026-11-24 08:00"));
    assert_eq!(a.delivered_at, Some(at("2026-11-24 08:01")));
    let now_due = due(&s, Some("zaobao"));
    assert_eq!(now_due.len(), 1);
    assert_eq!(now_due[0].source, PathBuf::from("content/briefs/b.md"));
    assert_eq!(get(&s, "content/briefs/c.md").at, at("2026-11-26 08:00"));
    // A pinned post that was never delivered and is long past stays
    // planned at its time, due (and stale: delivery reports it missed).
    post(
        p,
        "briefs/old.md",
        "title: Old\npublish_at: 2026-11-20 08:00",
        "o",
    );
    let (c, _) = qunshu::Project::open(p, qunshu::core::content::Depth::Rendered);
    let s = planned_times(&c.unwrap(), &clock);
    let old = get(&s, "content/briefs/old.md");
    assert_eq!(old.at, at("2026-11-20 08:00"));
    assert!(due(&s, None).iter().any(|p| p.source == old.source));
}

#[test]
fn until_in_the_rule_or_as_a_key_is_a_local_last_day() {
    for ev in [
        "[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nrule = \"FREQ=WEEKLY;UNTIL=20261106\"\n",
        "[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nrule = \"FREQ=WEEKLY\"\nuntil = \"2026-11-06\"\n",
        "[[events]]\nname = \"会\"\nstart = \"2026-10-23\"\ntime = \"20:00\"\nrule = \"RRULE:FREQ=WEEKLY;COUNT=3\"\n",
    ] {
        let d = site("Asia/Shanghai", DAILY, ev);
        let v = json(d.path(), &["--clock", "2026-10-20 10:00", "--days", "60"]);
        let starts: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["start"].as_str().unwrap()).collect();
        assert_eq!(starts, vec!["2026-10-23T12:00:00Z", "2026-10-30T12:00:00Z", "2026-11-06T12:00:00Z"], "{ev}");
    }
}

#[test]
fn the_plan_reads_front_matter_and_the_calendar_reads_the_posts_it_carries() {
    let d = site("Asia/Shanghai", DAILY_HOT, "");
    let p = d.path();
    // A front matter of ~12 KB (longer than the first reads of a file) with
    // `publish_at` after the long field.
    let long = "很长的摘要".repeat(800);
    post(
        p,
        "briefs/long.md",
        &format!("title: 长摘要\ndescription: {long}\npublish_at: 2026-10-22 08:00"),
        &format!("正文第一段\n\n{}", "内容".repeat(3000)),
    );
    // A thread whose body names no answer by its `accepted` author, pinned
    // far outside the range: the plan does not read its body.
    post(
        p,
        "qa/broken.md",
        "title: 坏帖\nasked_by: stranger\nstatus: solved\naccepted: chenjie\npublish_at: 2027-03-02 15:00",
        "问题\n\n## @xiaowang\n回答\n",
    );
    let v = json(
        p,
        &[
            "--clock",
            "2026-10-20 10:00",
            "--from",
            "2026-10-19",
            "--days",
            "7",
        ],
    );
    assert_eq!(
        post_time(&v, "content/briefs/long.md").as_deref(),
        Some("2026-10-22T08:00:00+08:00")
    );
    let ics = |days: &str| {
        qunshu_at(p)
            .args([
                "schedule",
                "--clock",
                "2026-10-20 10:00",
                "--from",
                "2026-10-19",
            ])
            .args(["--days", days, "--format", "ics"])
            .output()
            .unwrap()
    };
    let out = ics("7");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = icalendar::parser::unfold(&String::from_utf8(out.stdout).unwrap());
    assert!(
        text.contains("DESCRIPTION:长摘要\\n\\n正文第一段\\n内容内容"),
        "{text}"
    );

    // Once the thread is in range, its body is read and its error reported.
    let out = ics("200");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("content/qa/broken.md:5") && err.contains("no answer by @chenjie"),
        "{err}"
    );
    // The front matter was read twice (plan, then text); its warning is printed once.
    assert_eq!(
        err.matches("`stranger` is not in the members file").count(),
        1,
        "{err}"
    );
    // `check` reads every body.
    let out = qunshu_at(p)
        .args(["check", "--clock", "2026-10-20 10:00"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("content/qa/broken.md"));
}
