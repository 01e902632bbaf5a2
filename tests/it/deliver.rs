//! Delivery: `qunshu post`, `run`, `status`, `resolve` against a local
//! mock of every platform (tests/it/common/mock.rs).

use crate::common;

use assert_cmd::Command;
use common::channels::{channel, env, secret_values, ALL, DING_SECRET, FEISHU_SECRET};
use common::mock::{dingtalk_sign, feishu_sign, refused_port, Mock, Script};
use common::{output, sigterm, Out};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const RICH: &str = r#"## 三个环节

**重点**：先看[现金跑道](../qa/cash.md)，再读 [外部文章](https://example.com/a?b=1&c=2)。

- 首单体验；
- 补货时机：提前 7 天提醒！

1. 甲
2. 乙

```
let x = a<b && c>d;
```

> 引用一句话。

公式 a<b & c。

<script>alert(1)</script>
"#;

/// A site with two columns, an anonymous member and the given channels.
fn site(channels: &str, lang: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::write(
        r.join("site.toml"),
        format!(
            "title = \"测试社群\"\nbase_url = \"https://example.org/g/\"\nlanguage = \"{lang}\"\ntimezone = \"Asia/Shanghai\"\n\n[[columns]]\nid = \"zaobao\"\nname = \"早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n\n[[columns]]\nid = \"hot\"\nname = \"热点\"\nkind = \"qa\"\ntimes = [\"15:00\"]\ndays = \"daily\"\n{channels}"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(r.join("content/briefs")).unwrap();
    std::fs::create_dir_all(r.join("content/qa")).unwrap();
    std::fs::write(
        r.join("content/members.yaml"),
        "xiaowang:\n  name: 王晓雯\n  privacy: public\nnightowl:\n  name: 欧阳秋菊\n  privacy: anonymous\n",
    )
    .unwrap();
    std::fs::write(
        r.join("content/qa/cash.md"),
        "---\ntitle: 现金只够三个月怎么办？\nasked_by: nightowl\npublish_at: 2026-11-24 15:00\ncolumn: hot\nstatus: solved\naccepted: xiaowang\n---\n账上现金只够三个月，怎么办？\n\n## @xiaowang\n先做 13 周现金流预测。\n\n## 总结\n先算账。\n",
    )
    .unwrap();
    dir
}

fn brief(root: &Path, name: &str, at: &str, title: &str, body: &str) {
    std::fs::write(
        root.join("content/briefs").join(name),
        format!("---\ntitle: \"{title}\"\npublish_at: {at}\ncolumn: zaobao\nauthors: [xiaowang]\n---\n{body}\n"),
    )
    .unwrap();
}

fn qunshu(root: &Path, mock: &Mock) -> Command {
    let mut c = common::qunshu_at(root);
    for (k, v) in env(mock) {
        c.env(k, v);
    }
    c
}

fn run(root: &Path, mock: &Mock, args: &[&str]) -> Out {
    output(qunshu(root, mock).args(args))
}

/// `run` with some environment variables replaced.
fn run_with(root: &Path, mock: &Mock, args: &[&str], vars: &[(&str, String)]) -> Out {
    let mut c = qunshu(root, mock);
    for (k, v) in vars {
        c.env(k, v);
    }
    output(c.args(args))
}

fn ledger(root: &Path) -> String {
    std::fs::read_to_string(root.join(".qunshu/ledger.jsonl")).unwrap_or_default()
}

fn assert_no_secrets(texts: &[&str]) {
    for t in texts {
        for s in secret_values() {
            assert!(!t.contains(s), "secret {s:?} leaked into:\n{t}");
        }
    }
}

fn records(root: &Path) -> Vec<Value> {
    ledger(root)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn verifier_known_answers() {
    // Computed with Python's hmac module; they check the mock's verifier,
    // which is written apart from the code under test.
    assert_eq!(
        feishu_sign(FEISHU_SECRET, "1700000000"),
        "R9sugg1yeI3YQr9rgdGGtTPc1xPgB+4G136nVzRFCNg="
    );
    assert_eq!(
        dingtalk_sign(FEISHU_SECRET, "1700000000000"),
        "/lfnxUUu80FwVTsIlv2F1cMGBb+PxEKAwYh/bsRxXcc="
    );
}

#[test]
fn every_platform_gets_the_post_once_with_valid_shape_and_signature() {
    let mock = Mock::start(&[("feishu", FEISHU_SECRET), ("dingtalk", DING_SECRET)]);
    let chans: String = ALL
        .iter()
        .map(|c| channel(c, "columns = [\"zaobao\"]"))
        .collect();
    let dir = site(&chans, "zh-CN");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "早报｜复购的三个环节", RICH);

    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:01"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let got = mock.got();
    assert_eq!(got.len(), 7, "{got:#?}");
    for g in &got {
        assert_eq!(g.problem, None, "{}: {}", g.endpoint, g.raw);
        assert!(g.raw.contains("复购的三个环节"), "{}", g.raw);
        // Raw HTML never reaches a chat (the generic webhook carries the
        // source Markdown as written, in its `markdown` field).
        let shown = if g.endpoint == "hook" {
            g.body["text"].to_string()
        } else {
            g.raw.clone()
        };
        assert!(!shown.contains("<script"), "{}", g.raw);
    }
    for ep in [
        "wecom", "feishu", "dingtalk", "tg", "slack", "discord", "hook",
    ] {
        assert_eq!(mock.got_at(ep).len(), 1, "{ep}");
    }
    // The outbox file: plain text, named by slot time and column.
    let files: Vec<_> = std::fs::read_dir(r.join("outbox"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(name.starts_with("2026-11-24-0800-zaobao"), "{name}");
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        text.contains("现金跑道：https://example.org/g/qa/"),
        "{text}"
    );
    assert!(!text.contains("**") && !text.contains("]("), "{text}");
    assert!(o.stdout.contains("已发送"), "{}", o.stdout);
    // Telegram and Discord message ids are kept in the ledger.
    let recs = records(r);
    let ids: Vec<&str> = recs
        .iter()
        .filter(|v| v["event"] == "sent")
        .filter_map(|v| v["message_id"].as_str())
        .collect();
    assert!(ids.len() >= 3, "{recs:?}");

    // Again: nothing reaches any platform twice.
    let o2 = run(r, &mock, &["post", "--clock", "2026-11-24 08:05"]);
    assert_eq!(o2.code, 0, "{}\n{}", o2.stdout, o2.stderr);
    assert_eq!(mock.got().len(), 7);
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 08:06"]);
    assert!(st.stdout.contains("最近发送"), "{}", st.stdout);
    assert_no_secrets(&[
        &o.stdout,
        &o.stderr,
        &o2.stdout,
        &o2.stderr,
        &st.stdout,
        &ledger(r),
    ]);

    // The archive date of the post is its delivery time (fills Project::delivered).
    assert!(ledger(r).contains("\"event\":\"sent\""));
}

#[test]
fn dry_run_renders_each_platform_and_sends_nothing() {
    let mock = Mock::start(&[]);
    let chans: String = ALL.iter().map(|c| channel(c, "")).collect();
    let dir = site(&chans, "zh-CN");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "早报｜复购", RICH);
    let o = run(
        r,
        &mock,
        &["post", "--dry-run", "--clock", "2026-11-24 08:01"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(mock.got().is_empty());
    assert!(!r.join(".qunshu").exists());
    assert!(!r.join("outbox").exists());
    let sections: Vec<&str> = o.stdout.split("=== ").collect();
    let sec = |id: &str| -> &str {
        sections
            .iter()
            .find(|s| s.starts_with(&format!("{id} (")))
            .unwrap_or_else(|| panic!("no section for {id} in {}", o.stdout))
    };
    let link = "https://example.org/g/qa/";
    // Plain text for WeChat: no Markdown symbols, links as "text：URL".
    let p = sec("wechat");
    assert!(
        p.contains("【早报｜复购】") && p.contains("▍三个环节"),
        "{p}"
    );
    assert!(
        p.contains("【重点】") && p.contains(&format!("现金跑道：{link}")),
        "{p}"
    );
    assert!(
        p.contains("• 首单体验；\n• 补货时机：提前 7 天提醒！"),
        "{p}"
    );
    assert!(
        p.contains("1. 甲\n2. 乙") && p.contains("｜引用一句话。"),
        "{p}"
    );
    assert!(p.contains("let x = a<b && c>d;"), "{p}");
    assert!(
        !p.contains("**") && !p.contains("##") && !p.contains("```"),
        "{p}"
    );
    // WeCom Markdown.
    let w = sec("wecom");
    assert!(w.contains("## 早报｜复购") && w.contains("**重点**"), "{w}");
    assert!(w.contains(&format!("[现金跑道]({link}")), "{w}");
    // Telegram HTML: tags balanced, text escaped.
    let t = sec("telegram");
    assert!(
        t.contains("<b>早报｜复购</b>") && t.contains("<b>重点</b>"),
        "{t}"
    );
    assert!(t.contains(&format!("<a href=\"{link}")), "{t}");
    assert!(
        t.contains("<pre>let x = a&lt;b &amp;&amp; c&gt;d;</pre>"),
        "{t}"
    );
    assert!(
        t.contains("公式 a&lt;b &amp; c。") && !t.contains("<script"),
        "{t}"
    );
    assert!(t.contains("<blockquote>引用一句话。</blockquote>"), "{t}");
    // Slack mrkdwn.
    let s = sec("slack");
    assert!(
        s.contains("*重点*") && s.contains(&format!("<{link}")),
        "{s}"
    );
    assert!(
        s.contains("|现金跑道>") && s.contains("<https://example.com/a?b=1&c=2|外部文章>"),
        "{s}"
    );
    // Discord Markdown.
    let d = sec("discord");
    assert!(
        d.contains("# 早报｜复购") && d.contains("```\nlet x"),
        "{d}"
    );
    // DingTalk and Feishu.
    assert!(
        sec("dingtalk").contains("### 三个环节"),
        "{}",
        sec("dingtalk")
    );
    let f = sec("feishu");
    assert!(
        f.contains("**三个环节**") && !f.contains("**早报｜复购**"),
        "{f}"
    );
    // The generic webhook's JSON.
    let h = sec("webhook");
    assert!(
        h.contains("\"post\": \"content/briefs/a.md\"") && h.contains("\"markdown\""),
        "{h}"
    );
}

#[test]
fn anonymous_members_stay_anonymous_everywhere() {
    let mock = Mock::start(&[("feishu", FEISHU_SECRET), ("dingtalk", DING_SECRET)]);
    let chans: String = ALL
        .iter()
        .map(|c| channel(c, "columns = [\"hot\"]"))
        .collect();
    let dir = site(&chans, "zh-CN");
    let r = dir.path();
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 15:00"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert_eq!(mock.got().len(), 7);
    let outbox: String = std::fs::read_dir(r.join("outbox"))
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .collect();
    let mut all = vec![outbox, o.stdout, ledger(r)];
    all.extend(mock.got().into_iter().map(|g| g.body.to_string()));
    for t in &all {
        assert!(!t.contains("欧阳秋菊") && !t.contains("nightowl"), "{t}");
    }
    assert!(all.iter().filter(|t| t.contains("匿名成员")).count() >= 7);
}

#[test]
fn rate_limits_and_server_errors_are_retried_permanent_errors_are_not() {
    let mock = Mock::start(&[]);
    let chans: String = [
        "wecom", "feishu", "dingtalk", "telegram", "slack", "discord",
    ]
    .iter()
    .map(|c| channel(c, ""))
    .collect();
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Brief", "Hello.");
    let reply = |code, body: &str, ra: Option<&str>| {
        Script::Reply(code, body.to_string(), ra.map(|s| s.to_string()))
    };
    mock.script(
        "wecom",
        vec![reply(
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
            None,
        )],
    );
    mock.script(
        "feishu",
        vec![reply(
            200,
            r#"{"code":11232,"msg":"frequency limited"}"#,
            None,
        )],
    );
    mock.script(
        "dingtalk",
        vec![reply(
            200,
            r#"{"errcode":130101,"errmsg":"send too fast"}"#,
            None,
        )],
    );
    mock.script(
        "tg",
        vec![reply(429, r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#, None)],
    );
    mock.script(
        "slack",
        vec![
            reply(500, "oops", None),
            reply(429, "rate_limited", Some("1")),
        ],
    );
    mock.script(
        "discord",
        vec![reply(
            401,
            r#"{"message":"401: Unauthorized","code":0}"#,
            None,
        )],
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    for (ep, n) in [
        ("wecom", 2),
        ("feishu", 2),
        ("dingtalk", 2),
        ("tg", 2),
        ("slack", 3),
        ("discord", 1),
    ] {
        assert_eq!(mock.got_at(ep).len(), n, "{ep}: {}", o.stdout);
    }
    assert!(
        o.stdout.contains("failed") && o.stdout.contains("401: Unauthorized"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("5 sent, 1 failed"), "{}", o.stdout);
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 08:01"]);
    assert!(
        st.stdout.contains("Failed:") && st.stdout.contains("401"),
        "{}",
        st.stdout
    );
    // A later run inside the staleness window tries the failed channel again, only it.
    let o2 = run(r, &mock, &["post", "--clock", "2026-11-24 08:30"]);
    assert_eq!(o2.code, 0, "{}", o2.stdout);
    assert_eq!(mock.got_at("discord").len(), 2);
    assert_eq!(mock.got().len(), 13);
    assert_no_secrets(&[&o.stdout, &o.stderr, &o2.stdout, &st.stdout, &ledger(r)]);
}

#[test]
fn long_posts_are_split_at_paragraphs_into_numbered_parts_paced() {
    let mock = Mock::start(&[]);
    let chans = channel("discord", "").replace("pace = \"0s\"", "pace = \"1s\"")
        + &channel("wecom", "")
        + &channel("telegram", "");
    let dir = site(&chans, "zh-CN");
    let r = dir.path();
    let para = "社群运营的关键在于持续输出，每天固定时段发布内容，让成员形成期待。".repeat(4);
    let body: Vec<String> = (1..=30).map(|i| format!("第{i}段：{para}")).collect();
    brief(r, "long.md", "2026-11-24 08:00", "长文", &body.join("\n\n"));
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    for g in mock.got() {
        assert_eq!(g.problem, None, "{}", g.endpoint);
    }
    let d = mock.got_at("discord");
    assert!(d.len() >= 3, "{}", d.len());
    let n = d.len();
    for (i, g) in d.iter().enumerate() {
        let c = g.body["content"].as_str().unwrap();
        assert!(c.starts_with(&format!("（{}/{n}）", i + 1)), "{c}");
        // Split at paragraph boundaries: every part ends a paragraph.
        assert!(c.ends_with("期待。"), "{c}");
        if i > 0 {
            assert!(g.at.duration_since(d[i - 1].at) >= Duration::from_millis(950));
        }
    }
    let all: String = d
        .iter()
        .map(|g| g.body["content"].as_str().unwrap())
        .collect();
    for i in 1..=30 {
        assert_eq!(
            all.matches(&format!("第{i}段：")).count(),
            1,
            "paragraph {i}"
        );
    }
    assert!(mock.got_at("wecom").len() >= 2);
    let ids: Vec<String> = records(r)
        .iter()
        .filter(|v| v["event"] == "sent" && v["channel"] == "discord")
        .map(|v| v["message_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), n);
}

#[test]
fn a_lost_answer_is_unknown_never_resent_until_resolved() {
    let mock = Mock::start(&[]);
    let chans = channel("telegram", "").replace("timeout = \"5s\"", "timeout = \"1s\"");
    let dir = site(&chans, "zh-CN");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "早报", "内容。");
    mock.script("tg", vec![Script::Slow(Duration::from_secs(3))]);
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("未知")
            && o.stdout
                .contains("qunshu resolve content/briefs/a.md telegram"),
        "{}",
        o.stdout
    );
    for at in ["2026-11-24 08:10", "2026-11-24 08:20"] {
        let again = run(r, &mock, &["post", "--clock", at]);
        assert_eq!(again.code, 0, "{}", again.stdout);
        assert!(again.stdout.contains("未知"), "{}", again.stdout);
    }
    assert_eq!(mock.got_at("tg").len(), 1);
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 08:21"]);
    assert!(
        st.stdout.contains("状态未知") && st.stdout.contains("--resend"),
        "{}",
        st.stdout
    );
    let res = run(
        r,
        &mock,
        &["resolve", "content/briefs/a.md", "telegram", "--resend"],
    );
    assert_eq!(res.code, 0, "{}", res.stderr);
    let o3 = run(r, &mock, &["post", "--clock", "2026-11-24 08:30"]);
    assert_eq!(o3.code, 0, "{}", o3.stdout);
    assert_eq!(mock.got_at("tg").len(), 2);
    // Resolving something that is not unknown is refused.
    let bad = run(
        r,
        &mock,
        &["resolve", "content/briefs/a.md", "telegram", "--sent"],
    );
    assert_ne!(bad.code, 0);
    assert_no_secrets(&[&o.stdout, &o.stderr, &st.stdout, &ledger(r)]);
}

#[test]
fn sigkill_mid_batch_never_sends_twice_and_loses_nothing() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("discord", ""), "zh-CN");
    let r = dir.path();
    brief(r, "p1.md", "2026-11-24 08:00", "第一篇", "一。");
    brief(r, "p2.md", "2026-11-24 08:10", "第二篇", "二。");
    brief(r, "p3.md", "2026-11-24 08:20", "第三篇", "三。");
    mock.script(
        "discord",
        vec![
            Script::Reply(200, r#"{"id":"m1"}"#.into(), None),
            Script::Hold,
        ],
    );
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let mut child = std::process::Command::new(bin)
        .arg("--root")
        .arg(r)
        .args(["post", "--clock", "2026-11-24 08:30"])
        .envs(env(&mock))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        mock.wait_for(2, Duration::from_secs(30)),
        "the second request never came"
    );
    child.kill().unwrap(); // SIGKILL while the platform holds the request
    child.wait().unwrap();
    mock.release();

    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:31"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let got = mock.got_at("discord");
    assert_eq!(got.len(), 3, "{got:#?}");
    for title in ["第一篇", "第二篇", "第三篇"] {
        let n = got.iter().filter(|g| g.raw.contains(title)).count();
        assert_eq!(n, 1, "{title} reached the platform {n} times");
    }
    assert!(
        o.stdout.contains("content/briefs/p2.md") && o.stdout.contains("未知"),
        "{}",
        o.stdout
    );
    // It says why: the run was stopped while the platform held the request.
    assert!(o.stdout.contains("中断"), "{}", o.stdout);
    let st = run(
        r,
        &mock,
        &["status", "--json", "--clock", "2026-11-24 08:32"],
    );
    let v: Value = serde_json::from_str(&st.stdout).unwrap();
    assert_eq!(v["unknown"][0]["post"], "content/briefs/p2.md");
    assert_eq!(v["sent"].as_array().unwrap().len(), 2);
    // The organiser saw it in the group: mark it sent; it is never sent again.
    let res = run(
        r,
        &mock,
        &["resolve", "content/briefs/p2.md", "discord", "--sent"],
    );
    assert_eq!(res.code, 0, "{}", res.stderr);
    let o2 = run(r, &mock, &["post", "--clock", "2026-11-24 08:40"]);
    assert_eq!(o2.code, 0);
    assert_eq!(mock.got_at("discord").len(), 3);
    let st = run(
        r,
        &mock,
        &["status", "--json", "--clock", "2026-11-24 08:41"],
    );
    let v: Value = serde_json::from_str(&st.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 3);
    assert!(v["unknown"].as_array().unwrap().is_empty());
}

#[test]
fn a_second_run_does_not_send_while_the_first_holds_the_lock() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("discord", ""), "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Only once", "x");
    mock.script("discord", vec![Script::Hold]);
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let mut first = std::process::Command::new(bin)
        .arg("--root")
        .arg(r)
        .args(["post", "--clock", "2026-11-24 08:00"])
        .envs(env(&mock))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(mock.wait_for(1, Duration::from_secs(30)));
    let second = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(second.code, 75, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.stderr.contains("another qunshu run"),
        "{}",
        second.stderr
    );
    mock.release();
    assert!(first.wait().unwrap().success());
    assert_eq!(mock.got().len(), 1);
}

#[test]
fn a_slot_missed_while_nothing_ran_is_reported_not_sent_late() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("wechat", ""), "zh-CN");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "早报", "内容。");
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 07:00"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("现在没有到期的帖子") && o.stdout.contains("2026-11-24 08:00"),
        "{}",
        o.stdout
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 10:30"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("已错过") && o.stdout.contains("2 小时 30 分钟"),
        "{}",
        o.stdout
    );
    assert!(!r.join("outbox").exists());
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 10:31"]);
    assert!(
        st.stdout.contains("已错过") && st.stdout.contains("content/briefs/a.md"),
        "{}",
        st.stdout
    );
    // Reported once, not on every run.
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 10:40"]);
    assert!(!o.stdout.contains("已错过"), "{}", o.stdout);
}

#[test]
fn channel_config_errors_name_the_line_and_never_echo_a_secret() {
    let mock = Mock::start(&[]);
    let chans = "\n[[channels]]\nid = \"w\"\nkind = \"wecom\"\nurl_env = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=LEAKED-s3cr3t\"\n\n[[channels]]\nid = \"x\"\nkind = \"carrier-pigeon\"\n\n[[channels]]\nid = \"t\"\nkind = \"telegram\"\nsecret_env = \"T_TG_TOKEN\"\ncolumns = [\"nope\"]\n";
    let dir = site(chans, "en");
    let o = run(dir.path(), &mock, &["check"]);
    assert_ne!(o.code, 0);
    let e = &o.stderr;
    assert!(
        e.contains("site.toml:23") && e.contains("name* of an environment variable"),
        "{e}"
    );
    assert!(
        e.contains("site.toml:27") && e.contains("carrier-pigeon"),
        "{e}"
    );
    assert!(
        e.contains("chat_id_env") && e.contains("no column `nope`"),
        "{e}"
    );
    assert_no_secrets(&[e, &o.stdout]);
    // A named variable that is not set: the delivery fails, naming the variable only.
    let dir = site(&channel("slack", ""), "en");
    brief(dir.path(), "a.md", "2026-11-24 08:00", "x", "y");
    let o = common::qunshu_at(dir.path())
        .args(["post", "--clock", "2026-11-24 08:00"])
        .env_remove("T_SLACK_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("T_SLACK_URL") && out.contains("not set"),
        "{out}"
    );
}

#[test]
fn run_delivers_when_the_slot_comes_picks_up_new_posts_and_stops_on_sigterm() {
    let mock = Mock::start(&[]);
    let dir = site(
        &(channel("discord", "") + &channel("wechat", "") + "\n[delivery]\nrebuild = true\n"),
        "zh-CN",
    );
    let r = dir.path();
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let soon = |s: i64| {
        (chrono::Utc::now() + chrono::Duration::seconds(s))
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    brief(r, "a.md", &soon(3), "第一条", "一。");
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let child = std::process::Command::new(bin)
        .arg("--root")
        .arg(r)
        .args(["run", "--recheck", "30"])
        .envs(env(&mock))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        mock.wait_for(1, Duration::from_secs(30)),
        "first post not delivered"
    );
    // A post added while running is picked up without a restart.
    brief(r, "b.md", &soon(3), "第二条", "第二条的**正文**。");
    assert!(
        mock.wait_for(2, Duration::from_secs(30)),
        "new post not picked up"
    );
    std::thread::sleep(Duration::from_millis(500));
    sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let got = mock.got_at("discord");
    assert_eq!(got.len(), 2);
    assert!(got[0].raw.contains("第一条") && got[1].raw.contains("第二条"));
    let outbox = std::fs::read_dir(r.join("outbox")).unwrap().count();
    assert_eq!(outbox, 2);
    let sent = records(r).iter().filter(|v| v["event"] == "sent").count();
    assert_eq!(sent, 4);
    // `[delivery] rebuild = true`: the archive was rebuilt after the posts went out.
    let index = std::fs::read_to_string(r.join("public/index.html")).unwrap();
    assert!(index.contains("第二条"), "{index}");
    // The rebuilt pages have their rendered bodies (a whole load, not the plan's).
    let page = std::fs::read_dir(r.join("public/briefs"))
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .find(|t| t.contains("<title>第二条"))
        .expect("a page for the second brief");
    assert!(page.contains("第二条的<strong>正文</strong>"), "{page}");
}

#[test]
fn sigterm_during_a_request_finishes_and_records_it_then_stops() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("discord", ""), "en");
    let r = dir.path();
    brief(r, "p1.md", "2026-11-24 08:00", "First", "one");
    brief(r, "p2.md", "2026-11-24 08:10", "Second", "two");
    mock.script("discord", vec![Script::Hold]);
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let child = std::process::Command::new(bin)
        .arg("--root")
        .arg(r)
        .args(["post", "--clock", "2026-11-24 08:30"])
        .envs(env(&mock))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(mock.wait_for(1, Duration::from_secs(30)));
    sigterm(child.id());
    std::thread::sleep(Duration::from_millis(300));
    mock.release();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The request in flight was answered and recorded; nothing more was sent.
    assert_eq!(mock.got().len(), 1);
    assert!(
        stdout.contains("sent") && stdout.contains("p1.md"),
        "{stdout}"
    );
    let recs = records(r);
    assert!(recs
        .iter()
        .any(|v| v["event"] == "sent" && v["post"] == "content/briefs/p1.md"));
    assert!(!recs.iter().any(|v| v["post"] == "content/briefs/p2.md"));
    // The next run sends the rest.
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:31"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(mock.got().len(), 2);
}

#[test]
fn a_queued_post_goes_out_in_its_slot_and_enters_the_archive_dated_by_delivery() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("discord", "columns = [\"zaobao\"]"), "en");
    let r = dir.path();
    std::fs::write(
        r.join("content/briefs/q.md"),
        "---\ntitle: Queued one\ncolumn: zaobao\n---\nFrom the queue.\n",
    )
    .unwrap();
    let build = |clock: &str| {
        let o = run(r, &mock, &["build", "--clock", clock]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        r.join("public/briefs/queued-one.html").exists()
    };
    assert!(
        !build("2026-11-24 07:00"),
        "a queued post is not in the archive before it goes out"
    );
    let early = run(r, &mock, &["post", "--clock", "2026-11-24 07:00"]);
    assert!(
        early.stdout.contains("Nothing due") && early.stdout.contains("2026-11-24 08:00"),
        "{}",
        early.stdout
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:03"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("content/briefs/q.md"), "{}", o.stdout);
    assert_eq!(mock.got_at("discord").len(), 1);
    assert!(build("2026-11-24 09:00"), "delivered: now in the archive");
    let page = std::fs::read_to_string(r.join("public/briefs/queued-one.html")).unwrap();
    assert!(page.contains("2026-11-24"), "dated by its delivery");
    // The plan keeps it in the slot it went out in; nothing is due the next day at 08:00 but nothing is re-sent.
    let o = run(r, &mock, &["post", "--clock", "2026-11-25 08:01"]);
    assert_eq!(o.code, 0);
    assert_eq!(mock.got_at("discord").len(), 1);
}

#[test]
fn only_due_posts_are_read_and_a_broken_due_post_is_not_sent() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("wechat", ""), "zh-CN");
    let r = dir.path();
    brief(
        r,
        "a.md",
        "2026-11-24 08:00",
        "今日早报",
        "今天的内容，下周见 [下周早报](b.md)。",
    );
    // Next week's brief links to a file that does not exist; a draft thread
    // names an accepted answer it does not have. Neither is due today.
    brief(
        r,
        "b.md",
        "2026-12-01 08:00",
        "下周早报",
        "见 [缺失的帖子](missing.md)。",
    );
    std::fs::write(
        r.join("content/qa/draft.md"),
        "---\ntitle: 草稿\ndraft: true\nstatus: solved\naccepted: xiaowang\n---\n问题\n",
    )
    .unwrap();
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:01"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let texts: Vec<String> = std::fs::read_dir(r.join("outbox"))
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .collect();
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].contains("今天的内容") && texts[0].contains("https://example.org/g/briefs/"),
        "{}",
        texts[0]
    );
    // When next week's brief is due, its broken link stops the run before
    // anything is claimed, with the file and line; `check` lists both.
    let o = run(r, &mock, &["post", "--clock", "2026-12-01 08:01"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("content/briefs/b.md:7") && o.stderr.contains("missing.md"),
        "{}",
        o.stderr
    );
    assert!(!ledger(r).contains("b.md"), "{}", ledger(r));
    assert_eq!(std::fs::read_dir(r.join("outbox")).unwrap().count(), 1);
    let o = run(r, &mock, &["check"]);
    assert!(
        o.stderr.contains("content/briefs/b.md") && o.stderr.contains("content/qa/draft.md"),
        "{}",
        o.stderr
    );
}

#[test]
fn any_2xx_from_slack_is_sent_its_body_kept_and_never_resent() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("slack", ""), "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "First", "one");
    brief(r, "b.md", "2026-11-24 08:10", "Second", "two");
    // A workflow webhook answers JSON; a proxy may answer 204 with no body.
    mock.script(
        "slack",
        vec![
            Script::Reply(
                200,
                r#"{"ok":true,"warning":"superfluous_charset"}"#.into(),
                None,
            ),
            Script::Reply(204, String::new(), None),
        ],
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:20"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("2 sent, 0 failed"), "{}", o.stdout);
    let recs = records(r);
    let sent: Vec<&Value> = recs.iter().filter(|v| v["event"] == "sent").collect();
    assert_eq!(sent.len(), 2, "{recs:#?}");
    // The platform's unusual answer is kept in the ledger.
    assert!(
        sent.iter().any(|v| v["reply"]
            .as_str()
            .is_some_and(|b| b.contains("superfluous_charset"))),
        "{recs:#?}"
    );
    assert!(!recs.iter().any(|v| v["event"] == "failed"), "{recs:#?}");
    // Later runs never post them again.
    for at in ["2026-11-24 08:30", "2026-11-24 09:00"] {
        let again = run(r, &mock, &["post", "--clock", at]);
        assert_eq!(again.code, 0, "{}", again.stdout);
    }
    assert_eq!(mock.got_at("slack").len(), 2);
}

#[test]
fn nothing_sent_is_failed_and_retried_never_unknown() {
    let mock = Mock::start(&[]);
    let chans = channel("wecom", "retries = 1")
        // The plain-HTTP server never completes a TLS handshake: a short wait.
        + &channel("slack", "retries = 1").replace("timeout = \"5s\"", "timeout = \"2s\"")
        + &channel("discord", "retries = 1");
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Brief", "Hello.");
    let port = refused_port();
    let broken = [
        // Connection refused: nobody listens on the port.
        (
            "T_WECOM_URL",
            format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=WECOMKEY-s3cr3t-0001"),
        ),
        // TLS handshake failure: the server speaks plain HTTP.
        (
            "T_SLACK_URL",
            mock.base.replace("http://", "https://")
                + "/slack/services/T0/B0/SLACKHOOK-s3cr3t-0006",
        ),
        // DNS failure: `.invalid` never resolves (RFC 6761).
        (
            "T_DISCORD_URL",
            "http://qunshu-test.invalid/api/webhooks/1/DISCORDHOOK-s3cr3t-0007".to_string(),
        ),
    ];
    let o = run_with(r, &mock, &["post", "--clock", "2026-11-24 08:00"], &broken);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("0 sent, 3 failed, 0 unknown"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("qunshu resolve"), "{}", o.stdout);
    let recs = records(r);
    assert!(!recs.iter().any(|v| v["event"] == "unknown"), "{recs:#?}");
    // Retried like a server error: two tries each (retries = 1).
    for ch in ["wecom", "slack", "discord"] {
        let claims = recs
            .iter()
            .filter(|v| v["event"] == "claimed" && v["channel"] == ch)
            .count();
        assert_eq!(claims, 2, "{ch}: {recs:#?}");
    }
    assert!(o.stdout.contains("refused"), "{}", o.stdout);
    assert!(o.stdout.contains("TLS"), "{}", o.stdout);
    assert!(o.stdout.contains("did not resolve"), "{}", o.stdout);
    let st = run(
        r,
        &mock,
        &["status", "--json", "--clock", "2026-11-24 08:01"],
    );
    let v: Value = serde_json::from_str(&st.stdout).unwrap();
    assert!(v["unknown"].as_array().unwrap().is_empty(), "{v:#}");
    assert_eq!(v["failed"].as_array().unwrap().len(), 3, "{v:#}");
    // A later run (the platforms reachable again) sends each once.
    let o2 = run(r, &mock, &["post", "--clock", "2026-11-24 08:10"]);
    assert_eq!(o2.code, 0, "{}\n{}", o2.stdout, o2.stderr);
    assert!(o2.stdout.contains("3 sent"), "{}", o2.stdout);
    assert_eq!(mock.got().len(), 3, "{:#?}", mock.got());
    assert_no_secrets(&[&o.stdout, &o2.stdout, &st.stdout, &ledger(r)]);
}

#[test]
fn an_unknown_says_why_it_is_unknown() {
    let mock = Mock::start(&[]);
    let chans = channel("telegram", "").replace("timeout = \"5s\"", "timeout = \"1s\"")
        + &channel("discord", "");
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Brief", "Hello.");
    // Telegram never answers in time; Discord answers 200 with no message id.
    mock.script("tg", vec![Script::Slow(Duration::from_secs(3))]);
    mock.script(
        "discord",
        vec![Script::Reply(200, "<html>gateway</html>".into(), None)],
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    let line = |out: &str, ch: &str| -> String {
        out.lines()
            .find(|l| l.contains(&format!("→ {ch}")))
            .unwrap_or_else(|| panic!("no line for {ch}: {out}"))
            .to_string()
    };
    assert!(
        line(&o.stdout, "telegram").contains("no answer in time"),
        "{}",
        o.stdout
    );
    assert!(
        line(&o.stdout, "discord").contains("answer could not be read"),
        "{}",
        o.stdout
    );
    // Later runs and `status` keep the reason; nothing says the run was interrupted.
    let again = run(r, &mock, &["post", "--clock", "2026-11-24 08:10"]);
    assert!(
        line(&again.stdout, "telegram").contains("no answer in time"),
        "{}",
        again.stdout
    );
    assert!(
        line(&again.stdout, "discord").contains("answer could not be read"),
        "{}",
        again.stdout
    );
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 08:11"]);
    for out in [&o.stdout, &again.stdout, &st.stdout] {
        assert!(
            !out.contains("interrupted") && !out.contains("stopped before"),
            "{out}"
        );
    }
    assert!(
        st.stdout.contains("no answer in time") && st.stdout.contains("answer could not be read"),
        "{}",
        st.stdout
    );
    let v: Value = serde_json::from_str(
        &run(
            r,
            &mock,
            &["status", "--json", "--clock", "2026-11-24 08:11"],
        )
        .stdout,
    )
    .unwrap();
    let causes: Vec<&str> = v["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["cause"].as_str())
        .collect();
    assert!(
        causes.contains(&"timed_out") && causes.contains(&"unreadable"),
        "{v:#}"
    );
    assert_eq!(mock.got_at("tg").len(), 1);
    assert_eq!(mock.got_at("discord").len(), 1);
}

/// No run of 8 characters of a secret may appear (a secret cut short is
/// still a leak).
fn assert_no_secret_pieces(texts: &[&str]) {
    let secrets = [
        "WECOMKEY-s3cr3t-0001",
        "FEISHUHOOK-s3cr3t-0002",
        "DINGTOKEN-s3cr3t-0003",
        "123456:TGTOKEN-s3cr3t-0005",
        "SLACKHOOK-s3cr3t-0006",
        "DISCORDHOOK-s3cr3t-0007",
        "HOOKTOKEN-s3cr3t-0008",
        FEISHU_SECRET,
        DING_SECRET,
    ];
    for t in texts {
        for s in secrets {
            let chars: Vec<char> = s.chars().collect();
            for w in chars.windows(8) {
                let piece: String = w.iter().collect();
                assert!(
                    !t.contains(&piece),
                    "{piece:?} of a secret leaked into:\n{t}"
                );
            }
        }
    }
}

#[test]
fn secrets_echoed_back_are_scrubbed_whole_before_anything_is_cut() {
    let mock = Mock::start(&[]);
    let chans: String = [
        "wecom", "feishu", "dingtalk", "telegram", "slack", "discord", "webhook",
    ]
    .iter()
    .map(|c| channel(c, "retries = 0"))
    .collect();
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Brief", "Hello.");
    // Slack echoes the URL it was called with, after enough text that the
    // 200-character cut falls in the middle of its token.
    let slack_url = format!("{}/slack/services/T0/B0/SLACKHOOK-s3cr3t-0006", mock.base);
    let before_token = "no_service: ".len() + slack_url.len() - "SLACKHOOK-s3cr3t-0006".len();
    let pad = "x".repeat(200 - 16 - before_token);
    let echo = |ep: &str, code: u16, body: String| mock.script(ep, vec![Script::Echo(code, body)]);
    echo(
        "wecom",
        200,
        r#"{"errcode":93000,"errmsg":"invalid webhook url, key {query:key} not found"}"#.into(),
    );
    echo(
        "dingtalk",
        200,
        r#"{"errcode":300001,"errmsg":"token {query:access_token} is not exist"}"#.into(),
    );
    echo(
        "feishu",
        200,
        r#"{"code":19001,"msg":"param invalid: incoming webhook access token invalid: {last}"}"#
            .into(),
    );
    echo(
        "tg",
        401,
        r#"{"ok":false,"error_code":401,"description":"Unauthorized: {url}"}"#.into(),
    );
    echo("slack", 404, format!("{pad}no_service: {{url}}"));
    echo(
        "discord",
        401,
        r#"{"message":"Invalid Webhook Token {last}","code":50027}"#.into(),
    );
    echo("hook", 403, "bad token {query:token} for {url}".into());
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("0 sent, 7 failed"), "{}", o.stdout);
    // The errors still say what went wrong.
    assert!(
        o.stdout.contains("not found") && o.stdout.contains("***"),
        "{}",
        o.stdout
    );
    let st = run(r, &mock, &["status", "--clock", "2026-11-24 08:01"]);
    let js = run(
        r,
        &mock,
        &["status", "--json", "--clock", "2026-11-24 08:01"],
    );
    assert_no_secret_pieces(&[&o.stdout, &o.stderr, &st.stdout, &js.stdout, &ledger(r)]);
    assert_no_secrets(&[&o.stdout, &st.stdout, &ledger(r)]);
}

#[test]
fn a_rate_limited_channel_delays_only_itself() {
    let mock = Mock::start(&[]);
    let chans = channel("slack", "") + &channel("discord", "");
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "p1.md", "2026-11-24 08:00", "First", "one");
    brief(r, "p2.md", "2026-11-24 08:10", "Second", "two");
    brief(r, "p3.md", "2026-11-24 08:20", "Third", "three");
    mock.script(
        "slack",
        vec![Script::Reply(429, "rate_limited".into(), Some("4".into()))],
    );
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:30"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("6 sent"), "{}", o.stdout);
    let got = mock.got();
    let slack_retry = got
        .iter()
        .enumerate()
        .filter(|(_, g)| g.endpoint == "slack")
        .nth(1)
        .map(|(i, _)| i)
        .expect("slack tried again");
    let discord: Vec<usize> = got
        .iter()
        .enumerate()
        .filter(|(_, g)| g.endpoint == "discord")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(discord.len(), 3);
    assert!(
        discord.iter().all(|&i| i < slack_retry),
        "discord waited behind slack's 429: {:?}",
        got.iter().map(|g| &g.endpoint).collect::<Vec<_>>()
    );
    // Within each channel the posts keep their order.
    for ep in ["slack", "discord"] {
        let titles: Vec<&str> = got
            .iter()
            .filter(|g| g.endpoint == ep)
            .map(|g| {
                ["First", "Second", "Third"]
                    .into_iter()
                    .find(|t| g.raw.contains(t))
                    .unwrap()
            })
            .collect();
        let expect: &[&str] = if ep == "slack" {
            &["First", "First", "Second", "Third"]
        } else {
            &["First", "Second", "Third"]
        };
        assert_eq!(titles, expect, "{ep}");
    }
    // One ledger, every line whole; each send recorded after its claim.
    let text = ledger(r);
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{text}"
    );
    let recs = records(r);
    for ch in ["slack", "discord"] {
        for p in ["p1", "p2", "p3"] {
            let of: Vec<&str> = recs
                .iter()
                .filter(|v| {
                    v["channel"] == ch
                        && v["post"]
                            .as_str()
                            .is_some_and(|s| s.ends_with(&format!("{p}.md")))
                })
                .map(|v| v["event"].as_str().unwrap())
                .collect();
            assert_eq!(of.first(), Some(&"claimed"), "{ch} {p}: {of:?}");
            assert_eq!(of.last(), Some(&"sent"), "{ch} {p}: {of:?}");
        }
    }
}

#[test]
fn sigkill_while_one_channel_waits_loses_nothing_on_the_others() {
    let mock = Mock::start(&[]);
    let dir = site(&(channel("discord", "") + &channel("slack", "")), "en");
    let r = dir.path();
    brief(r, "p1.md", "2026-11-24 08:00", "First", "one");
    brief(r, "p2.md", "2026-11-24 08:10", "Second", "two");
    // Discord holds its first request; Slack goes on meanwhile.
    mock.script("discord", vec![Script::Hold]);
    let bin = assert_cmd::cargo::cargo_bin("qunshu");
    let mut child = std::process::Command::new(bin)
        .arg("--root")
        .arg(r)
        .args(["post", "--clock", "2026-11-24 08:30"])
        .envs(env(&mock))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while mock.got_at("slack").len() < 2 || mock.got_at("discord").is_empty() {
        assert!(std::time::Instant::now() < end, "{:#?}", mock.got());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Slack's second answer is recorded before the ledger shows it sent.
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while records(r)
        .iter()
        .filter(|v| v["channel"] == "slack" && v["event"] == "sent")
        .count()
        < 2
    {
        assert!(std::time::Instant::now() < end, "{}", ledger(r));
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    mock.release();
    let o = run(r, &mock, &["post", "--clock", "2026-11-24 08:31"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    // Slack's posts went once; Discord's held one is unknown (the run was
    // stopped) and its next post went out.
    assert_eq!(mock.got_at("slack").len(), 2);
    let d = mock.got_at("discord");
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d[0].raw.contains("First") && d[1].raw.contains("Second"));
    let line = o
        .stdout
        .lines()
        .find(|l| l.contains("p1.md") && l.contains("→ discord"))
        .unwrap_or_else(|| panic!("{}", o.stdout));
    assert!(
        line.contains("unknown") && line.contains("killed"),
        "{line}"
    );
    let text = ledger(r);
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{text}"
    );
}

type Plan = std::collections::BTreeMap<(String, String), String>;

/// The file name of the post a report or dry-run line is about.
fn post_of(line: &str) -> String {
    line.split_whitespace()
        .map(|w| w.trim_end_matches(':'))
        .find(|w| w.ends_with(".md"))
        .and_then(|w| w.rsplit('/').next())
        .unwrap_or_else(|| panic!("no post in {line}"))
        .to_string()
}

/// What a dry run at `clock` says it would do, by (channel, post):
/// `send`, `unknown`, `missed` or `wait` (failed a moment ago).
fn dry_plan(root: &Path, mock: &Mock, clock: &str) -> Plan {
    let o = run(root, mock, &["post", "--dry-run", "--clock", clock]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let mut out = Plan::new();
    for sec in o.stdout.split("=== ").skip(1) {
        let head = sec.lines().next().unwrap_or_default();
        let id = head.split(" (").next().unwrap_or_default().to_string();
        let what = match head.split_once("not sent — ") {
            None => "send",
            Some((_, why)) if why.starts_with("unknown") => "unknown",
            Some((_, why)) if why.starts_with("missed") => "missed",
            Some((_, why)) if why.starts_with("failed moments ago") => "wait",
            Some(_) => panic!("unexpected dry-run line: {head}"),
        };
        out.insert((id, post_of(head)), what.to_string());
    }
    out
}

/// What a real run at `clock` did, by (channel, post): `send` when it
/// tried (sent, failed, or a new unknown: the platform got a request),
/// `unknown` for an earlier unknown reported again, `missed`.
fn real_plan(root: &Path, mock: &Mock, clock: &str) -> Plan {
    let before = mock.got().len();
    let o = run(root, mock, &["post", "--clock", clock]);
    let requested = mock.got()[before..].to_vec();
    let mut out = Plan::new();
    for line in o.stdout.lines().filter(|l| l.contains(" → ")) {
        let (_, rest) = line.split_once(" → ").unwrap_or_default();
        let id = rest
            .split([':', ' '])
            .next()
            .unwrap_or_default()
            .to_string();
        let endpoint = if id == "telegram" { "tg" } else { id.as_str() };
        let asked = requested.iter().any(|g| g.endpoint == endpoint);
        let what = match line.split_whitespace().next().unwrap_or_default() {
            "sent" | "failed" => "send",
            "unknown" if asked => "send",
            "unknown" => "unknown",
            "missed" => "missed",
            w => panic!("unexpected report {w}: {line}"),
        };
        out.insert((id, post_of(line)), what.to_string());
    }
    out
}

fn plan(entries: &[(&str, &str, &str)]) -> Plan {
    entries
        .iter()
        .map(|(ch, post, what)| ((ch.to_string(), post.to_string()), what.to_string()))
        .collect()
}

/// The dry run and the real run decide alike (one `decide()`): for the
/// same ledger states — nothing yet, sent, failed a moment ago, failed
/// long enough ago to retry, unknown, stale before the ledger began, gone
/// stale since — the dry run lists as sent exactly what the run then
/// tries, and as unknown or missed what the run reports so; a failure of
/// a moment ago waits in both (the dry run says until when).
#[test]
fn dry_run_and_real_run_agree_on_every_ledger_state() {
    let mock = Mock::start(&[]);
    let chans = channel("wecom", "retries = 0")
        + &channel("slack", "retries = 0")
        + &channel("discord", "")
        + &channel("telegram", "");
    let dir = site(&chans, "en");
    let r = dir.path();
    brief(r, "a.md", "2026-11-24 08:00", "Brief", "Hello.");
    let agree = |clock: &str, expect: Plan| {
        let dry = dry_plan(r, &mock, clock);
        assert_eq!(dry, expect, "dry run at {clock}");
        let mut tried = dry.clone();
        tried.retain(|_, what| what != "wait");
        assert_eq!(real_plan(r, &mock, clock), tried, "run at {clock}");
    };
    // Nothing in the ledger: every channel; WeCom's answer is unreadable
    // (unknown), Slack refuses (failed).
    mock.script("wecom", vec![Script::Reply(200, "<html>".into(), None)]);
    mock.script(
        "slack",
        vec![Script::Reply(400, "invalid_payload".into(), None)],
    );
    agree(
        "2026-11-24 08:00",
        plan(&[
            ("wecom", "a.md", "send"),
            ("slack", "a.md", "send"),
            ("discord", "a.md", "send"),
            ("telegram", "a.md", "send"),
        ]),
    );
    // Two minutes later: the sent ones are done, the unknown one waits
    // for `resolve`, the failure waits five minutes.
    agree(
        "2026-11-24 08:02",
        plan(&[("wecom", "a.md", "unknown"), ("slack", "a.md", "wait")]),
    );
    // Later: the failure is tried again. A post pinned to a slot that was
    // stale before the ledger began is history, left alone by both.
    brief(r, "b.md", "2026-11-24 05:30", "Old", "Old news.");
    agree(
        "2026-11-24 08:10",
        plan(&[("wecom", "a.md", "unknown"), ("slack", "a.md", "send")]),
    );
    // A post whose slot went stale while nothing ran: missed in both.
    brief(r, "c.md", "2026-11-24 09:00", "Late", "Too late.");
    agree(
        "2026-11-24 11:30",
        plan(&[
            ("wecom", "a.md", "unknown"),
            ("wecom", "c.md", "missed"),
            ("slack", "c.md", "missed"),
            ("discord", "c.md", "missed"),
            ("telegram", "c.md", "missed"),
        ]),
    );
}
