//! Messages as the platforms read them: long posts split on their Markdown
//! structure into well-formed parts, member text that can never mention
//! anyone, `mention_all`, and Telegram HTML escaped once. Runs `qunshu post`
//! against the local platform imitations in tests/it/common/mock.rs.

use crate::common;

use common::channels::{channel, env, ALL};
use common::mock::Mock;
use common::{output, qunshu_at, Out};
use serde_json::{json, Value};
use std::path::Path;

fn site(channels: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::write(
        r.join("site.toml"),
        format!(
            "title = \"测试社群\"\nbase_url = \"https://example.org/g/\"\nlanguage = \"zh-CN\"\ntimezone = \"Asia/Shanghai\"\n\n[[columns]]\nid = \"zaobao\"\nname = \"早报\"\nkind = \"brief\"\ntimes = [\"08:00\"]\ndays = \"daily\"\n{channels}"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(r.join("content/briefs")).unwrap();
    std::fs::write(
        r.join("content/members.yaml"),
        "xiaowang:\n  name: 王晓雯\n  privacy: public\n",
    )
    .unwrap();
    dir
}

fn brief(root: &Path, title: &str, body: &str) {
    std::fs::write(
        root.join("content/briefs/a.md"),
        format!(
            "---\ntitle: '{title}'\npublish_at: 2026-11-24 08:00\ncolumn: zaobao\n---\n{body}\n"
        ),
    )
    .unwrap();
}

fn run(root: &Path, mock: &Mock, args: &[&str]) -> Out {
    let mut c = qunshu_at(root);
    for (k, v) in env(mock) {
        c.env(k, v);
    }
    output(c.args(args))
}

fn post(root: &Path, mock: &Mock) {
    let o = run(root, mock, &["post", "--clock", "2026-11-24 08:00"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    for g in mock.got() {
        assert_eq!(g.problem, None, "{}: {}", g.endpoint, g.raw);
    }
}

/// The message text of each request to `endpoint`, in order.
fn texts(mock: &Mock, endpoint: &str) -> Vec<String> {
    mock.got_at(endpoint)
        .iter()
        .map(|g| {
            let b = &g.body;
            let v = match endpoint {
                "wecom" => &b["markdown"]["content"],
                "feishu" => &b["card"]["elements"][0]["content"],
                "dingtalk" => &b["markdown"]["text"],
                "tg" | "slack" => &b["text"],
                "discord" => &b["content"],
                _ => &b["text"],
            };
            v.as_str().unwrap_or_default().to_string()
        })
        .collect()
}

fn outbox(root: &Path) -> String {
    let f = std::fs::read_dir(root.join("outbox"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    std::fs::read_to_string(f.path()).unwrap()
}

const URL: &str = "https://docs.example.com/v2.0/guide.html";

/// Every URL in `s` is the whole URL (Telegram's `href` carries it escaped).
fn urls_whole(s: &str) {
    let whole = s.matches(URL).count() + s.matches("https://example.org/g/").count();
    assert_eq!(
        s.matches("https://").count(),
        whole,
        "a URL is cut in:\n{s}"
    );
}

#[test]
fn long_paragraphs_of_links_split_into_well_formed_parts_on_every_platform() {
    let mock = Mock::start(&[]);
    let chans: String = [
        "wecom", "dingtalk", "telegram", "slack", "discord", "wechat",
    ]
    .iter()
    .map(|c| channel(c, ""))
    .collect();
    let dir = site(&chans);
    let r = dir.path();
    let unit =
        format!("请先读 **[官方文档 v2.0 说明]({URL})**，版本 3.14 的变化见 guide.html 文件。");
    let body = format!(
        "## 第一部分\n\n{}\n\n## 第二部分\n\n{}",
        unit.repeat(90),
        unit.repeat(40)
    );
    brief(r, "长文", &body);
    post(r, &mock);
    for ep in ["wecom", "dingtalk", "tg", "slack", "discord"] {
        let parts = texts(&mock, ep);
        let n = parts.len();
        assert!(n >= 2, "{ep}: {n}");
        for (i, p) in parts.iter().enumerate() {
            // The label is a line of its own.
            assert_eq!(
                p.lines().next(),
                Some(format!("（{}/{n}）", i + 1).as_str()),
                "{ep}: {p}"
            );
            urls_whole(p);
            // Each part ends a sentence or a block, never mid-link.
            let end = p.trim_end();
            assert!(
                end.ends_with("文件。")
                    || end.ends_with("部分")
                    || end.ends_with("部分*")
                    || end.ends_with("部分</b>"),
                "{ep} part {}: …{}",
                i + 1,
                end.chars()
                    .rev()
                    .take(40)
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect::<String>()
            );
            match ep {
                "tg" => {
                    assert_eq!(p.matches("<a ").count(), p.matches("</a>").count(), "{p}");
                    assert_eq!(p.matches("<b>").count(), p.matches("</b>").count(), "{p}");
                }
                "slack" => assert_eq!(p.matches('<').count(), p.matches('>').count(), "{p}"),
                _ => {
                    assert_eq!(p.matches("**").count() % 2, 0, "{ep}: {p}");
                    assert_eq!(
                        p.matches("](").count(),
                        p.matches(&format!("]({URL})")).count(),
                        "{ep}: {p}"
                    );
                }
            }
        }
        let all = parts.join("\n");
        assert_eq!(
            all.matches("版本 3.14").count(),
            130,
            "{ep}: nothing lost or doubled"
        );
    }
    // The outbox: parts separated by cut lines, no URL cut.
    let o = outbox(r);
    assert!(o.contains("✂"), "{o}");
    urls_whole(&o);
    assert_eq!(o.matches("版本 3.14").count(), 130);
}

#[test]
fn the_part_label_never_breaks_a_heading_or_a_code_fence() {
    let mock = Mock::start(&[]);
    let dir = site(&channel("discord", ""));
    let r = dir.path();
    let para = "社群运营的关键在于持续输出，每天固定时段发布内容，让成员形成期待。".repeat(8);
    let code: Vec<String> = (0..150).map(|i| format!("let v{i} = load({i});")).collect();
    let body = format!(
        "## 标题一\n\n{para}\n\n## 标题二\n\n{para}\n\n```\n{}\n```\n\n## 标题三\n\n{para}",
        code.join("\n")
    );
    brief(r, "长文", &body);
    post(r, &mock);
    let parts = texts(&mock, "discord");
    assert!(parts.len() >= 3);
    let mut fences_reopened = 0;
    for p in &parts {
        let mut lines = p.lines();
        let label = lines.next().unwrap();
        assert!(label.starts_with('（') && label.ends_with('）'), "{p}");
        let second = lines.next().unwrap_or_default();
        assert!(!second.starts_with('（'), "{p}");
        assert_eq!(p.matches("```").count() % 2, 0, "{p}");
        if second == "```" && !p.contains("let v0 ") {
            fences_reopened += 1;
        }
    }
    assert!(fences_reopened >= 1, "{parts:#?}");
    assert!(parts
        .iter()
        .any(|p| p.lines().nth(1).is_some_and(|l| l.starts_with("# 长文"))));
}

/// Member text that platforms would read as a mention or a tag.
const HOSTILE: &str = r#"想通知大家：\<at id=all\>\</at\> 和 &lt;at id=all&gt;&lt;/at&gt;，\<@all\> \<@zhangsan\>。

颜色：\<font color="warning"\>警告\</font\> \<text_tag color='red'\>标签\</text_tag\>。

Discord：@everyone @here \<@123456\> \<@&654321\> \<#777\>。

Slack：\<!channel\> \<!here\> \<@U024BE7LH\>。

DingTalk：@13800001111 请回复。Telegram：@somebody 看看。"#;

#[test]
fn member_text_can_never_mention_anyone() {
    let mock = Mock::start(&[]);
    let chans: String = ALL.iter().map(|c| channel(c, "")).collect();
    let dir = site(&chans);
    let r = dir.path();
    brief(r, "\\<@all\\> 周报", HOSTILE);
    post(r, &mock);
    let check = |ep: &str, bad: &[&str]| {
        for g in mock.got_at(ep) {
            for b in bad {
                assert!(!g.body.to_string().contains(b), "{ep}: {b:?} in {}", g.body);
            }
        }
    };
    check("feishu", &["<at", "</at", "<font", "<text_tag", "&lt;at"]);
    check("wecom", &["<@", "<font", "&lt;@"]);
    check("dingtalk", &["@138", "<font"]);
    check("discord", &["@everyone", "@here", "<@", "<#"]);
    check("slack", &["<!channel>", "<!here>", "<@U"]);
    check("tg", &["@somebody"]);
    for g in mock.got_at("discord") {
        assert_eq!(g.body["allowed_mentions"]["parse"], json!([]));
    }
    for g in mock.got_at("dingtalk") {
        assert_ne!(g.body["at"]["isAtAll"], json!(true));
        assert!(g.body["at"].get("atMobiles").is_none());
    }
    for g in mock.got_at("wecom") {
        assert_eq!(g.body["msgtype"], "markdown");
    }
    // What members wrote is still shown, apart from invisible breaks.
    let shown = texts(&mock, "discord").join("").replace('\u{200B}', "");
    assert!(shown.contains("@everyone @here <@123456>"), "{shown}");
    let shown = texts(&mock, "feishu").join("").replace('\u{200B}', "");
    assert!(
        shown.contains("<at id=all></at> 和 <at id=all></at>"),
        "{shown}"
    );
}

#[test]
fn mention_all_uses_each_platforms_own_at_all_once() {
    let mock = Mock::start(&[]);
    let chans: String = ["wecom", "feishu", "dingtalk", "slack", "discord"]
        .iter()
        .map(|c| channel(c, "mention_all = true"))
        .collect();
    let dir = site(&chans);
    let r = dir.path();
    // Long enough for Discord to need two parts.
    let para = "社群运营的关键在于持续输出，每天固定时段发布内容，让成员形成期待。".repeat(40);
    brief(
        r,
        "活动通知 <@all>",
        &format!("{para}\n\n{para}\n\n{HOSTILE}"),
    );
    post(r, &mock);
    let w = mock.got_at("wecom");
    assert_eq!(w[0].body["msgtype"], "text", "{}", w[0].body);
    assert_eq!(w[0].body["text"]["mentioned_list"], json!(["@all"]));
    assert!(w[0].body["text"]["content"]
        .as_str()
        .unwrap()
        .contains("活动通知"));
    assert!(!w[0].body.to_string().contains("<@"), "{}", w[0].body);
    assert!(w[1..].iter().all(|g| g.body["msgtype"] == "markdown"));
    let f = texts(&mock, "feishu");
    assert!(f[0].starts_with("<at id=all></at>\n"), "{}", f[0]);
    assert_eq!(f.concat().matches("<at").count(), 1);
    let d = mock.got_at("dingtalk");
    assert_eq!(d[0].body["at"]["isAtAll"], json!(true));
    assert!(d[1..]
        .iter()
        .all(|g| g.body["at"]["isAtAll"] != json!(true)));
    let s = texts(&mock, "slack");
    assert!(s[0].starts_with("<!channel>\n"), "{}", s[0]);
    assert_eq!(s.concat().matches("<!").count(), 1);
    let dc = mock.got_at("discord");
    assert!(dc.len() >= 2);
    let first = dc[0].body["content"].as_str().unwrap();
    assert!(first.starts_with("@everyone\n（1/"), "{first}");
    assert_eq!(dc[0].body["allowed_mentions"]["parse"], json!(["everyone"]));
    for g in &dc[1..] {
        assert_eq!(g.body["allowed_mentions"]["parse"], json!([]));
    }
    for g in &dc {
        let c = g.body["content"].as_str().unwrap();
        assert!(c.chars().count() <= 2000);
        assert_eq!(c.matches("@everyone").count(), usize::from(c == first));
    }
}

#[test]
fn mention_all_on_a_platform_without_one_is_a_config_error() {
    let mock = Mock::start(&[]);
    let dir = site(&(channel("wecom", "") + &channel("telegram", "mention_all = true")));
    let o = run(dir.path(), &mock, &["check"]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    let e = &o.stderr;
    assert!(e.contains("site.toml:"), "{e}");
    assert!(e.contains("channels[1].mention_all"), "{e}");
    assert!(e.contains("telegram") && e.contains("no @all"), "{e}");
}

#[test]
fn telegram_escapes_once_and_plain_text_has_no_stray_space() {
    let mock = Mock::start(&[]);
    let chans: String = ["telegram", "wechat", "webhook"]
        .iter()
        .map(|c| channel(c, ""))
        .collect();
    let dir = site(&chans);
    let r = dir.path();
    brief(
        r,
        "转义",
        &format!("## 用 `cargo` 构建\n\n[**加粗链接**]({URL})\n\n请看 [文档]({URL})\n\nnext 段落 a < b & c。"),
    );
    post(r, &mock);
    let t = texts(&mock, "tg").concat();
    assert!(
        t.contains(&format!("<a href=\"{URL}\"><b>加粗链接</b></a>")),
        "{t}"
    );
    assert!(t.contains("<b>用 <code>cargo</code> 构建</b>"), "{t}");
    assert!(t.contains("a &lt; b &amp; c"), "{t}");
    assert!(!t.contains("&amp;lt;") && !t.contains("&lt;b&gt;"), "{t}");
    let o = outbox(r);
    assert!(o.contains(&format!("文档：{URL}\n\nnext 段落")), "{o}");
    let hook: Value = mock.got_at("hook")[0].body.clone();
    let text = hook["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("文档：{URL}\n\nnext 段落")),
        "{text}"
    );
}
