//! `qunshu import`: real-shaped exports of every platform become Q&A
//! thread drafts that the loader accepts, with privacy, idempotence and
//! appending checked on the real binary.

use crate::common;

use common::{demo_copy, output, qunshu_at, snapshot, DEMO_ANONYMOUS};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/import").join(name)
}

/// The demo community with `accounts:` for some members on `platform`.
fn demo_with_accounts(platform: &str, accounts: &[(&str, &str)]) -> tempfile::TempDir {
    let t = demo_copy();
    let path = t.path().join("content/members.yaml");
    let mut yaml = fs::read_to_string(&path).unwrap();
    for (handle, id) in accounts {
        let at = format!("\n{handle}:\n");
        assert!(yaml.contains(&at), "{handle} is in the demo");
        yaml = yaml.replacen(
            &at,
            &format!("{at}  accounts:\n    {platform}: \"{id}\"\n"),
            1,
        );
    }
    fs::write(&path, yaml).unwrap();
    t
}

fn telegram_demo() -> tempfile::TempDir {
    demo_with_accounts(
        "telegram",
        &[
            ("xiaowang", "user1000"),
            ("laozhang", "user1001"),
            ("lisi", "user1002"),
            ("pinecone", "user1003"),
            ("chenjie", "user1004"),
            ("huanglei", "user1005"),
        ],
    )
}

fn import(root: &Path, args: &[&str]) -> common::Out {
    output(qunshu_at(root).arg("import").args(args))
}

/// The files under content/qa/ whose front matter has a `source:` block.
fn imported(root: &Path) -> Vec<(PathBuf, String)> {
    let mut v: Vec<(PathBuf, String)> = fs::read_dir(root.join("content/qa"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let text = fs::read_to_string(&p).ok()?;
            text.contains("\nsource:\n").then_some((p, text))
        })
        .collect();
    v.sort();
    v
}

fn thread_with<'a>(files: &'a [(PathBuf, String)], needle: &str) -> &'a str {
    files
        .iter()
        .find(|(_, t)| t.contains(needle))
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no imported thread contains {needle}"))
}

fn check_passes(root: &Path) -> String {
    let out = output(qunshu_at(root).args(["check", "--open"]));
    assert_eq!(out.code, 0, "check failed:\n{}{}", out.stdout, out.stderr);
    out.stdout
}

/// Messages in a Telegram fixture, counted from the JSON itself.
fn telegram_message_count(name: &str) -> usize {
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture(name)).unwrap()).unwrap();
    v["messages"].as_array().unwrap().len()
}

/// From "N messages read: X in Y threads; not imported: a …, b …": N and
/// X + a + b + ….
fn accounted(stdout: &str) -> (usize, usize) {
    let line = stdout
        .lines()
        .find(|l| l.contains("messages read:"))
        .unwrap_or_else(|| panic!("no summary in {stdout}"));
    let number = |s: &str| {
        s.split_whitespace()
            .next()
            .and_then(|w| w.parse::<usize>().ok())
    };
    let read = number(line).unwrap();
    let after = line.split_once("messages read: ").unwrap().1;
    let in_threads = number(after).unwrap();
    let dropped: usize = after
        .split_once("not imported: ")
        .map(|(_, d)| d.split(", ").filter_map(number).sum())
        .unwrap_or(0);
    (read, in_threads + dropped)
}

#[test]
fn telegram_list_shows_candidates_as_privacy_allows_and_writes_nothing() {
    let t = telegram_demo();
    let before = snapshot(t.path());
    let out = import(
        t.path(),
        &[
            "telegram",
            fixture("telegram-result.json").to_str().unwrap(),
            "--list",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "4521  2026-11-20 15:03  张建国  6 replies, 4 people  刚创业，怎么找到第一个合伙人？"
        ),
        "{}",
        out.stdout
    );
    // A person not in the members file is shown as an unnamed member.
    assert!(
        lines[1]
            .starts_with("4530  2026-11-21 10:00  匿名成员  2 replies, 2 people  How do you price"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2 candidate threads"));
    assert!(out
        .stdout
        .contains("2 people are not in content/members.yaml yet"));
    assert!(!out.stdout.contains("Alice") && !out.stdout.contains("Deleted Account"));
    assert_eq!(snapshot(t.path()), before, "--list writes nothing");
}

#[test]
fn telegram_import_writes_threads_the_loader_accepts_with_every_message_accounted() {
    let t = telegram_demo();
    let out = import(
        t.path(),
        &[
            "telegram",
            fixture("telegram-result.json").to_str().unwrap(),
            "--all",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!(read, telegram_message_count("telegram-result.json"));
    assert_eq!(
        placed, read,
        "every message is in a thread or dropped with its reason:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("2 service messages"), "{}", out.stdout);
    assert!(out.stdout.contains("1 bot messages"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 empty or deleted messages"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("2 messages outside any answered question"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("personal data hidden as [已隐去]: 1 e-mail addresses, 1 mobile numbers"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("2 people seen for the first time"),
        "{}",
        out.stderr
    );

    let files = imported(t.path());
    assert_eq!(files.len(), 2);
    let cofounder = thread_with(&files, "thread: \"4521\"");
    // The demo has a thread with this title: the import takes another URL.
    assert!(
        cofounder.contains("slug: \"刚创业-怎么找到第一个合伙人-2\""),
        "{cofounder}"
    );
    for want in [
        "asked_by: laozhang\npublish_at:\nstatus: open\n",
        "---\n刚创业，怎么找到**第一个合伙人**？\n\n补充一下背景",
        "\\## 不是标题",
        "打我电话 [已隐去]。",
        "## @lisi\n\n先从身边合作过的人里找。推荐读一下 [这篇文章](https://example.com/cofounder)，@laozhang 可以先看看。\n\n股权上建议 `vesting 4 年`，有问题发邮件 [已隐去]\n\n### @laozhang\n\n谢谢！期权池一般留多少？\n\n### @pinecone\n\n一般 10%–15%",
        "［图片：photo_12@20-11-2026_15-25-00.jpg］",
        "messages: [\"4521\", \"4522\", \"4523\", \"4524\", \"4526\", \"4529\", \"4527\"]",
    ] {
        assert!(cofounder.contains(want), "missing {want:?} in\n{cofounder}");
    }
    assert!(!cofounder.contains("13812345678") && !cofounder.contains("lisi@example.com"));
    assert!(
        !cofounder.contains("请勿发广告"),
        "bot messages are dropped"
    );
    let pricing = thread_with(&files, "thread: \"4530\"");
    assert!(pricing.contains("## @chenjie\n\nNever free."), "{pricing}");
    assert!(
        pricing.contains("```\npilot = 20% × annual price\n```"),
        "{pricing}"
    );
    assert!(pricing.contains("［贴纸 👍］"), "{pricing}");

    // New people are anonymous members, with their account, never named.
    let members = fs::read_to_string(t.path().join("content/members.yaml")).unwrap();
    let new: Vec<&str> = members.lines().filter(|l| l.starts_with("tg-")).collect();
    assert_eq!(new.len(), 2, "{members}");
    assert!(members.contains(
        "  name: \"Alice Chen\"\n  privacy: anonymous\n  accounts:\n    telegram: \"user1010\""
    ));
    for h in &new {
        assert!(!cofounder.contains("Alice") && !pricing.contains("Alice"));
        let h = h.trim_end_matches(':');
        assert!(cofounder.contains(&format!("@{h}")) || pricing.contains(&format!("@{h}")));
    }
    let checked = check_passes(t.path());
    assert!(
        checked.contains("open thread: content/qa/how-do-you-price-a-b2b.md"),
        "{checked}"
    );
}

#[test]
fn reimporting_the_same_export_changes_no_byte() {
    let t = telegram_demo();
    let f = fixture("telegram-result.json");
    assert_eq!(
        import(t.path(), &["telegram", f.to_str().unwrap(), "--all"]).code,
        0
    );
    let first = snapshot(t.path());
    let again = import(t.path(), &["telegram", f.to_str().unwrap(), "--all"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(snapshot(t.path()), first);
    assert_eq!(
        again.stdout.matches("unchanged content/qa/").count(),
        2,
        "{}",
        again.stdout
    );
    assert!(
        !again.stderr.contains("first time"),
        "nobody is new the second time"
    );
}

#[test]
fn a_later_export_appends_only_new_replies_and_keeps_the_admins_edits() {
    let t = telegram_demo();
    let root = t.path();
    assert_eq!(
        import(
            root,
            &[
                "telegram",
                fixture("telegram-result.json").to_str().unwrap(),
                "--all"
            ]
        )
        .code,
        0
    );
    let path = root.join("content/qa/刚创业-怎么找到第一个合伙人-2.md");
    // The admin edits an answer, accepts it and writes the summary.
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace(
            "先从身边合作过的人里找。",
            "【管理员整理】先从身边合作过的人里找。",
        )
        .replace(
            "status: open",
            "status: solved\naccepted: lisi\nsummary_by: xiaowang",
        );
    let edited = format!("{edited}\n## 总结\n先找合作过的人，股权要 vesting。\n");
    fs::write(&path, &edited).unwrap();

    let later = fixture("telegram-result-later.json");
    let out = import(root, &["telegram", later.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("added 1 new messages to content/qa/刚创业-怎么找到第一个合伙人-2.md"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("added 1 new messages to content/qa/how-do-you-price-a-b2b.md"),
        "{}",
        out.stdout
    );
    let (read, placed) = accounted(&out.stdout);
    assert_eq!(
        (read, placed),
        (telegram_message_count("telegram-result-later.json"), read)
    );
    let now = fs::read_to_string(&path).unwrap();
    assert!(now.contains("【管理员整理】先从身边合作过的人里找。"));
    assert!(now.contains("status: solved\naccepted: lisi\nsummary_by: xiaowang\n"));
    // The new answer goes before the summary.
    assert!(
        now.contains("## @huanglei\n\n补充一个角度：先一起做一个小项目试试磨合，再谈股权。\n\n## 总结\n先找合作过的人，股权要 vesting。\n"),
        "{now}"
    );
    assert!(now.contains("answers: [\"4523\", \"4527\", \"4540\"]"));
    // A new reply to an existing answer goes under that answer.
    let pricing = fs::read_to_string(root.join("content/qa/how-do-you-price-a-b2b.md")).unwrap();
    assert!(
        pricing.ends_with("［贴纸 👍］\n\n### @laozhang\n\npilot fee 怎么跟客户开口？\n"),
        "{pricing}"
    );
    check_passes(root);
    // And the later export again is a no-op.
    let settled = snapshot(root);
    assert_eq!(
        import(root, &["telegram", later.to_str().unwrap(), "--all"]).code,
        0
    );
    assert_eq!(snapshot(root), settled);
}

#[test]
fn an_answer_removed_by_the_admin_is_a_conflict_naming_the_file_and_nothing_is_written() {
    let t = telegram_demo();
    let root = t.path();
    assert_eq!(
        import(
            root,
            &[
                "telegram",
                fixture("telegram-result.json").to_str().unwrap(),
                "--all"
            ]
        )
        .code,
        0
    );
    let path = root.join("content/qa/how-do-you-price-a-b2b.md");
    let text = fs::read_to_string(&path).unwrap();
    let cut = text.find("## @chenjie").unwrap();
    fs::write(&path, &text[..cut]).unwrap();
    let before = snapshot(root);
    let out = import(
        root,
        &[
            "telegram",
            fixture("telegram-result-later.json").to_str().unwrap(),
            "--all",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("error: content/qa/how-do-you-price-a-b2b.md: conflict: a new reply belongs under answer 1 (`## @chenjie`)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        snapshot(root),
        before,
        "a conflict writes nothing, not even the other thread"
    );
}

#[test]
fn malformed_exports_are_clear_errors_and_write_nothing() {
    let t = telegram_demo();
    let root = t.path();
    let before = snapshot(root);
    let dir = tempfile::TempDir::new().unwrap();
    let full = fs::read_to_string(fixture("telegram-result.json")).unwrap();
    let cut = dir.path().join("result.json");
    fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let out = import(root, &["telegram", cut.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!("error: {}:", cut.display())),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the file ends too early"),
        "{}",
        out.stderr
    );

    let other = dir.path().join("other.json");
    fs::write(
        &other,
        r#"{"guild": {"name": "x"}, "channel": {"name": "y"}}"#,
    )
    .unwrap();
    let out = import(root, &["telegram", other.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("not a Telegram Desktop export: there is no `messages` list"),
        "{}",
        out.stderr
    );

    let out = import(root, &["icq", other.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("`icq` is not a platform qunshu imports"),
        "{}",
        out.stderr
    );

    let out = import(
        root,
        &[
            "telegram",
            fixture("telegram-result.json").to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("say what to import: --list"),
        "{}",
        out.stderr
    );

    let out = import(
        root,
        &[
            "telegram",
            fixture("telegram-result.json").to_str().unwrap(),
            "--thread",
            "4523",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("message 4523 is a reply in the thread that starts with message 4521; use --thread 4521"), "{}", out.stderr);
    assert_eq!(snapshot(root), before);
}

#[test]
fn one_thread_by_id_and_since_choose_threads_and_personal_data_can_be_kept() {
    let t = telegram_demo();
    let root = t.path();
    let f = fixture("telegram-result.json");
    let out = import(
        root,
        &[
            "telegram",
            f.to_str().unwrap(),
            "--thread",
            "4530",
            "--keep-personal-data",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(imported(root).len(), 1);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!(placed, read, "{}", out.stdout);
    assert!(
        out.stdout.contains("7 messages in threads not chosen"),
        "{}",
        out.stdout
    );
    let out = import(
        root,
        &[
            "telegram",
            f.to_str().unwrap(),
            "--all",
            "--since",
            "2026-11-21",
            "--keep-personal-data",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("unchanged content/qa/how-do-you-price-a-b2b.md"),
        "{}",
        out.stdout
    );
    assert_eq!(
        imported(root).len(),
        1,
        "the 11-20 thread is before --since"
    );
    let out = import(
        root,
        &[
            "telegram",
            f.to_str().unwrap(),
            "--thread",
            "4521",
            "--keep-personal-data",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = imported(root);
    let cofounder = thread_with(&files, "thread: \"4521\"");
    assert!(cofounder.contains("13812345678") && cofounder.contains("lisi@example.com"));
    assert!(!out.stdout.contains("personal data hidden"));
}

#[test]
fn an_imported_thread_once_solved_builds_is_found_by_search_and_goes_into_the_book_unnamed() {
    let t = telegram_demo();
    let root = t.path();
    assert_eq!(
        import(
            root,
            &[
                "telegram",
                fixture("telegram-result.json").to_str().unwrap(),
                "--all"
            ]
        )
        .code,
        0
    );
    let path = root.join("content/qa/how-do-you-price-a-b2b.md");
    // What the admin does: accept, summarise, tag and schedule it.
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace(
            "publish_at:\n",
            "publish_at: 2026-11-25 15:00\ntags: [定价]\n",
        )
        .replace(
            "status: open",
            "status: solved\naccepted: chenjie\nsummary_by: xiaowang",
        );
    fs::write(&path, format!("{text}\n## Summary\nCharge for pilots.\n")).unwrap();
    let out = output(qunshu_at(root).args(["build", "--clock", "2026-12-01 08:00"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut found = false;
    for e in walkdir::WalkDir::new(root.join("public")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let bytes = fs::read(e.path()).unwrap();
            let s = String::from_utf8_lossy(&bytes);
            found |= s.contains("Charge a pilot fee");
            for secret in DEMO_ANONYMOUS
                .iter()
                .chain(&["Alice Chen", "user1010", "tg-5d4ced"])
            {
                assert!(!s.contains(secret), "{secret} in {}", e.path().display());
            }
        }
    }
    assert!(found, "the imported thread is in the archive");
    let out = output(qunshu_at(root).args(["search", "pilot"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("How do you price a B2B SaaS pilot?"),
        "{}",
        out.stdout
    );
    let book = tempfile::TempDir::new().unwrap();
    let out = output(
        qunshu_at(root)
            .args([
                "book",
                "season3-full",
                "--format",
                "md",
                "--clock",
                "2026-12-01 08:00",
                "--out",
            ])
            .arg(book.path()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = fs::read_to_string(book.path().join("season3-full.md")).unwrap();
    assert!(
        md.contains("Charge a pilot fee"),
        "the thread is in the book"
    );
    assert!(!md.contains("Alice") && !md.contains("tg-5d4ced"));
}

fn file_with(root: &Path, needle: &str) -> String {
    let files = imported(root);
    thread_with(&files, needle).to_string()
}

#[test]
fn discord_export_maps_nicknames_mentions_and_the_askers_check_mark() {
    let t = demo_with_accounts(
        "discord",
        &[
            ("zhouqi", "300000000000000001"),
            ("mayue", "300000000000000002"),
            ("wuhao", "300000000000000003"),
        ],
    );
    let root = t.path();
    let f = fixture("discord-export.json");
    let out = import(root, &["discord", f.to_str().unwrap(), "--list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("900000000000000002  2026-11-18 20:01  周琪  3 replies, 3 people  小红书冷启动，第一批 100 个种子用户从哪里来？\n"), "{}", out.stdout);
    let out = import(root, &["discord", f.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!((read, placed), (9, 9), "{}", out.stdout);
    assert!(
        out.stdout.contains("2 service messages") && out.stdout.contains("1 bot messages"),
        "{}",
        out.stdout
    );
    let text = file_with(root, "platform: discord");
    for want in [
        "asked_by: zhouqi\n",
        "accepted: mayue    # suggested by the chat (the asker's ✅",
        "chat: \"创业者同行社 #问答区\"",
        "## @mayue\n\n@zhouqi 先别投流。找 20 个真实顾客拍「第一口」的反应，统一话题发笔记。\n\\# 不是标题\n附上我们的排期表👇\n\n［图片：schedule.png］\n\n### @zhouqi\n\n排期表很有用！话题名有讲究吗？\n\n## @dc-",
        "Try seeding in local food groups first 🎉 DM me: [已隐去]",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert!(!text.contains("GG ") && !text.contains("Deleted User"));
    check_passes(root);
}

/// The Slack fixture folder as the zip Slack gives, without the entries
/// `leave_out`.
fn slack_zip(dir: &Path, leave_out: &[&str]) -> PathBuf {
    use std::io::Write;
    let path = dir.join("export.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let src = fixture("slack-export");
    let mut entries: Vec<PathBuf> = walkdir::WalkDir::new(&src)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if leave_out.contains(&name.as_str()) {
            continue;
        }
        zip.start_file(name, opts).unwrap();
        zip.write_all(&fs::read(&p).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn slack_zip_threads_decode_markup_and_a_zip_without_users_is_an_error() {
    let t = demo_with_accounts(
        "slack",
        &[
            ("xiaowang", "U01XIAOWANG"),
            ("linfeng", "U02LINFENG"),
            ("zhengyu", "U03ZHENGYU"),
        ],
    );
    let root = t.path();
    let dir = tempfile::TempDir::new().unwrap();
    let bad = slack_zip(dir.path(), &["users.json"]);
    let before = snapshot(root);
    let out = import(root, &["slack", bad.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!(
            "error: {}: not a Slack workspace export: there is no users.json",
            bad.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(root), before);

    let zip = slack_zip(dir.path(), &[]);
    let out = import(
        root,
        &["slack", zip.to_str().unwrap(), "--chat", "qa", "--all"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!(
        (read, placed),
        (9, 9),
        "only the qa channel:\n{}",
        out.stdout
    );
    let text = file_with(root, "platform: slack");
    for want in [
        "asked_by: linfeng\n",
        "accepted: zhengyu    # suggested by the chat",
        "B站做 B2B 内容有用吗？**我们是工业软件**，客户都是工厂老板。",
        "## @zhengyu\n\n有用，但别拍产品介绍，拍_工厂现场的问题_。参考 [这个案例](https://example.com/b2b?x=1&y=2)。\n\n### @linfeng\n\n@zhengyu 谢谢，工厂现场这个角度好！\n\n## @slack-",
        "Call me: [已隐去]\n\n［图片：bilibili-stats.png］",
        "补充：&lt;技术白皮书&gt; 也很关键 &amp; 要配字幕",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let checked = check_passes(root);
    assert!(
        checked.contains("open thread: content/qa/b站做-b2b-内容有用吗.md"),
        "{checked}"
    );
    // The whole workspace: the general channel has no thread; the same
    // thread again is unchanged.
    let settled = snapshot(root);
    let out = import(root, &["slack", zip.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("11 messages read: 5 in 1 threads"),
        "{}",
        out.stdout
    );
    assert_eq!(snapshot(root), settled);
    // The unpacked folder reads the same.
    let out = import(
        root,
        &["slack", fixture("slack-export").to_str().unwrap(), "--all"],
    );
    assert!(
        out.stdout
            .contains("unchanged content/qa/b站做-b2b-内容有用吗.md"),
        "{}",
        out.stdout
    );
}

#[test]
fn wechat_copied_text_finds_questions_quotes_and_mentions() {
    let t = demo_with_accounts(
        "wechat",
        &[
            ("laozhang", "老张"),
            ("sunli", "丽姐"),
            ("xiaowang", "小王"),
        ],
    );
    let root = t.path();
    let out = import(
        root,
        &[
            "wechat",
            fixture("wechat-merged.txt").to_str().unwrap(),
            "--all",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!((read, placed), (7, 7), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("2 messages outside any answered question"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 WeChat ids"), "{}", out.stdout);
    let text = file_with(root, "platform: wechat");
    for want in [
        "title: \"请问大家，门店第一个店长该怎么招？\"",
        "asked_by: laozhang\n",
        "chat: \"创业者同行社\"",
        "## @sunli\n\n优先内部提拔。外招的店长不了解你们的出品标准，磨合期至少三个月。\n建议先定三条：\n1. 能带早班",
        "### @laozhang\n\n内部没有合适的人怎么办？",
        "加我微信号：[已隐去] 聊",
        "[图片]\n我们是用这个表筛的，给 @laozhang 参考",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert!(
        !text.contains("今晚 8 点半") && !text.contains("早上好"),
        "{text}"
    );
    assert!(!text.contains("lijuan_hr88"));
    check_passes(root);

    let out = import(
        root,
        &[
            "wechat",
            fixture("wechat-untimed.txt").to_str().unwrap(),
            "--all",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = file_with(root, "有没有人做过社区团购");
    assert!(
        text.contains("## @wx-") && text.contains("### @laozhang\n\n谢谢！"),
        "{text}"
    );

    let dir = tempfile::TempDir::new().unwrap();
    let bad = dir.path().join("chat.txt");
    fs::write(
        &bad,
        "老张 2026/11/24 14:02\n请问怎么招店长？\n丽姐 2026/11/31 14:10\n内部提拔。\n",
    )
    .unwrap();
    let before = snapshot(root);
    let out = import(root, &["wechat", bad.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(&format!("error: {}:3: `丽姐 2026/11/31 14:10` looks like a message header but its date or time is not valid", bad.display())), "{}", out.stderr);
    fs::write(&bad, "大家好\n老张：\n请问怎么招店长？\n").unwrap();
    let out = import(root, &["wechat", bad.to_str().unwrap(), "--all"]);
    assert!(
        out.stderr.contains(&format!(
            "error: {}:1: expected a message header before the first message",
            bad.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(root), before);
}

#[test]
fn zsxq_topics_keep_answers_comments_entities_and_anonymous_questions() {
    let t = demo_with_accounts(
        "zsxq",
        &[
            ("laozhang", "88881001"),
            ("lisi", "88881002"),
            ("sunli", "88881003"),
        ],
    );
    let root = t.path();
    let f = fixture("zsxq-topics.json");
    let out = import(root, &["zsxq", f.to_str().unwrap(), "--list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("481152841999  2026-11-22 09:00  匿名成员  1 replies, 2 people  合伙人要离婚，股权会被分走吗？"), "{}", out.stdout);
    let out = import(root, &["zsxq", f.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (read, placed) = accounted(&out.stdout);
    assert_eq!((read, placed), (10, 10), "{}", out.stdout);
    let valuation = file_with(root, "thread: \"481152841888\"");
    for want in [
        "asked_by: laozhang\n",
        "accepted: lisi    # suggested by the chat",
        "tags: [\"精华\", \"融资\"]",
        "#融资 天使轮估值怎么谈？对方给 2000 万投前，我们觉得低了。\n**核心问题**：怎么证明值更多？",
        "## @lisi\n\n别只谈估值，谈条款。参考 [投资条款清单解读](https://example.com/term-sheet)。\n有问题打我电话 [已隐去]。\n\n### @laozhang\n\n明白了，条款里最要紧的是哪几条？\n\n### @lisi\n\n清算优先权和反稀释。\n\n## @zsxq-",
        "同问 @lisi 老师",
    ] {
        assert!(valuation.contains(want), "missing {want:?} in\n{valuation}");
    }
    let anonymous = file_with(root, "thread: \"481152841999\"");
    assert!(
        !anonymous.contains("asked_by"),
        "an anonymous question stays anonymous:\n{anonymous}"
    );
    assert!(
        anonymous.contains("accepted: sunli")
            && anonymous.contains("## @sunli\n\n看章程和婚前协议。")
    );
    let talk = file_with(root, "thread: \"481152842000\"");
    assert!(
        talk.contains("［图片］\n\n［文件：JD模板.docx］\n\n## @laozhang\n\n太实用了，谢谢丽姐！"),
        "{talk}"
    );
    let members = fs::read_to_string(root.join("content/members.yaml")).unwrap();
    assert_eq!(
        members.matches("zsxq-").count(),
        1,
        "only the commenter is new:\n{members}"
    );
    check_passes(root);
    // The plain-list form of the same topics is the same import.
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&f).unwrap()).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let list = dir.path().join("topics.json");
    fs::write(
        &list,
        serde_json::to_string(&v["resp_data"]["topics"]).unwrap(),
    )
    .unwrap();
    let settled = snapshot(root);
    let out = import(root, &["zsxq", list.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(snapshot(root), settled);
}

#[test]
fn help_names_every_platform_with_examples() {
    let out = output(common::qunshu().args(["import", "--help"]));
    assert_eq!(out.code, 0);
    for p in ["telegram", "discord", "slack", "wechat", "zsxq"] {
        assert!(
            out.stdout.contains(&format!("qunshu import {p} ")),
            "{p}: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("--keep-personal-data") && out.stdout.contains("accounts:"));
    let top = output(common::qunshu().arg("--help"));
    assert!(
        top.stdout.contains("  import    Turn a chat export"),
        "{}",
        top.stdout
    );
}

#[test]
fn an_account_claimed_by_two_members_is_a_warning_naming_both() {
    let t = demo_with_accounts(
        "telegram",
        &[("laozhang", "user1001"), ("lisi", "user1001")],
    );
    let out = import(
        t.path(),
        &[
            "telegram",
            fixture("telegram-result.json").to_str().unwrap(),
            "--list",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: content/members.yaml: members `laozhang` and `lisi` both have `accounts: {telegram: user1001}`; their messages are credited to `laozhang`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_mention_in_the_question_never_puts_a_handle_in_the_url() {
    let t = telegram_demo();
    let dir = tempfile::TempDir::new().unwrap();
    let f = dir.path().join("result.json");
    fs::write(
        &f,
        r#"{"name":"g","messages":[
          {"id":1,"type":"message","date":"2026-11-20T15:03:12","from":"张建国","from_id":"user1001",
           "text":[{"type":"mention_name","text":"松果","user_id":1003}," 现金流怎么撑过三个月？"]},
          {"id":2,"type":"message","date":"2026-11-20T15:05:00","from":"松果","from_id":"user1003","text":"先做 13 周预测。","reply_to_message_id":1}]}"#,
    )
    .unwrap();
    let out = import(t.path(), &["telegram", f.to_str().unwrap(), "--list"]);
    assert!(
        out.stdout.starts_with(
            "1  2026-11-20 15:03  张建国  1 replies, 2 people  匿名成员 现金流怎么撑过三个月？\n"
        ),
        "{}",
        out.stdout
    );
    let out = import(t.path(), &["telegram", f.to_str().unwrap(), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("created content/qa/现金流怎么撑过三个月.md"),
        "{}",
        out.stdout
    );
    let text = fs::read_to_string(t.path().join("content/qa/现金流怎么撑过三个月.md")).unwrap();
    assert!(
        text.contains(
            "title: \"@pinecone 现金流怎么撑过三个月？\"\nslug: \"现金流怎么撑过三个月\""
        ),
        "{text}"
    );
    assert!(text.contains("## @pinecone"));
    check_passes(t.path());
}
