//! Every interface string outside the theme's table, by the output that
//! prints it. Each is a [`Text`]: `.get(lang)`, or `.fill(lang, &[…])` for
//! one with `{values}`.

use super::{Lang, Text};

const fn t(zh: &'static str, en: &'static str) -> Text {
    Text { zh, en }
}

/// How a member who chose to stay anonymous is named.
pub const ANONYMOUS_MEMBER: Text = t("匿名成员", "an unnamed member");

/// The words printed in a book.
pub mod book {
    use super::{t, Lang, Text};

    /// The fixed words printed in a book, in one language.
    #[derive(Debug)]
    pub struct Labels {
        /// The language of these words.
        pub lang: Lang,
        /// "Contents".
        pub contents: &'static str,
        /// "Preface".
        pub preface: &'static str,
        /// "Contributors" (the index).
        pub contributors: &'static str,
        /// Before the chapter's contributor line.
        pub chapter_contributors: &'static str,
        /// "Asked by".
        pub asked_by: &'static str,
        /// "Answer".
        pub answer: &'static str,
        /// "Accepted answer" badge.
        pub accepted: &'static str,
        /// "Reply".
        pub reply: &'static str,
        /// "Summary".
        pub summary: &'static str,
        /// "By" (author of a case or brief).
        pub by: &'static str,
        /// "Edited by".
        pub edited_by: &'static str,
        /// "Cover".
        pub cover: &'static str,
        /// List separator.
        pub sep: &'static str,
        /// Between a label and what it labels (`作者：` / `By: `).
        pub colon: &'static str,
        /// Between groups of a list (a post's chapters in the index).
        pub semicolon: &'static str,
        /// Opening and closing brackets around counts.
        pub paren: (&'static str, &'static str),
        /// Opening and closing quotes around a post's title (《》 / “”).
        pub quotes: (&'static str, &'static str),
    }

    static ZH: Labels = Labels {
        lang: Lang::ZhCn,
        contents: "目录",
        preface: "序言",
        contributors: "贡献者索引",
        chapter_contributors: "本章贡献者",
        asked_by: "提问",
        answer: "回答",
        accepted: "已采纳",
        reply: "回复",
        summary: "总结",
        by: "作者",
        edited_by: "编者",
        cover: "封面",
        sep: "、",
        colon: "：",
        semicolon: "；",
        paren: ("（", "）"),
        quotes: ("《", "》"),
    };

    static EN: Labels = Labels {
        lang: Lang::En,
        contents: "Contents",
        preface: "Preface",
        contributors: "Contributors",
        chapter_contributors: "Contributors to this chapter",
        asked_by: "Asked by",
        answer: "Answer",
        accepted: "Accepted",
        reply: "Reply",
        summary: "Summary",
        by: "By",
        edited_by: "Edited by",
        cover: "Cover",
        sep: ", ",
        colon: ": ",
        semicolon: "; ",
        paren: (" (", ")"),
        quotes: ("“", "”"),
    };

    impl Labels {
        /// The labels for `lang`.
        pub fn of(lang: Lang) -> &'static Labels {
            lang.pick(&ZH, &EN)
        }
    }

    /// A chapter's number: `{zh}` is the number in Chinese numerals.
    pub const CHAPTER: Text = t("第{zh}章", "Chapter {n}");
    /// Contributions: accepted answers.
    pub const ROLE_ACCEPTED: Text = t("采纳回答", "accepted answers");
    /// Contributions: other answers.
    pub const ROLE_ANSWERED: Text = t("回答", "answers");
    /// Contributions: cases and briefs written.
    pub const ROLE_WROTE: Text = t("撰写", "wrote");
    /// Contributions: summaries.
    pub const ROLE_SUMMARISED: Text = t("总结", "summaries");
    /// Contributions: questions asked.
    pub const ROLE_ASKED: Text = t("提问", "questions");
    /// Contributions: replies.
    pub const ROLE_REPLIED: Text = t("回复", "replies");
    /// One anonymous member.
    pub const ANONYMOUS_ONE: Text = t("{n} 位匿名成员", "1 unnamed member");
    /// Several anonymous members.
    pub const ANONYMOUS: Text = t("{n} 位匿名成员", "{n} unnamed members");
    /// The contributors' index line about anonymous members: `{who}` is
    /// [`ANONYMOUS`] capitalised, `{s}` the plural ending of contributions.
    pub const ANONYMOUS_INDEX: Text = t(
        "另有 {people} 位匿名成员参与了本书，共 {contributions} 处贡献。感谢他们。",
        "{who} also took part, with {contributions} contribution{s}. Thank you.",
    );

    /// The book's rights statement (EPUB `dc:rights`, the Markdown's `rights`).
    pub const RIGHTS: Text = t(
        "© {year} {community}及各位作者。各篇文字的权利归其作者所有。",
        "© {year} {community} and the contributors. Each text belongs to its author.",
    );

    /// The chapter of posts that fit no group.
    pub const OTHER: Text = t("其他", "Other");
    /// The chapter of questions and answers (grouped by kind).
    pub const QA: Text = t("问答精选", "Questions and answers");
    /// The chapter of case studies (grouped by kind).
    pub const CASES: Text = t("案例拆解", "Case breakdowns");
    /// The chapter of daily briefs (grouped by kind).
    pub const BRIEFS: Text = t("每日早报", "Daily briefs");
}

/// The plan, the calendar and the text to copy by hand.
pub mod schedule {
    use super::{t, Text};

    /// Before a thread's accepted answer in the text to copy.
    pub const ACCEPTED_ANSWER: Text = t("【采纳的回答 · {who}】", "[Accepted answer · {who}]");
    /// The calendar's reminder for a slot.
    pub const TIME_TO_POST: Text = t("该发了：{summary}", "Time to post: {summary}");
    /// An event's capacity in the calendar.
    pub const CAPACITY: Text = t("限 {n} 人", "At most {n} people");
    /// An event's capacity in the plan's table.
    pub const CAPACITY_INLINE: Text = t("，限 {n} 人", ", at most {n} people");
    /// A duty week in the calendar.
    pub const ON_DUTY: Text = t("群管值班：{admin}", "Admin on duty: {admin}");
    /// `schedule --pin`: a post pinned.
    pub const PINNED_NOW: Text = t("已固定", "pinned");
    /// `schedule --pin` with nothing to pin.
    pub const NOTHING_TO_PIN: Text = t(
        "范围内没有排队的帖子，无需固定",
        "no queued posts in the range; nothing to pin",
    );
    /// The plan table's first line.
    pub const HEADER: Text = t(
        "{title} · 排期 {from} 至 {to}（{zone}，现在 {now}）",
        "{title} · schedule {from} to {to} ({zone}, now {now})",
    );
    /// A slot with a pinned post.
    pub const PINNED: Text = t("已定时", "pinned");
    /// A slot with a queued post.
    pub const QUEUED: Text = t("排队", "queued");
    /// A slot whose post was delivered.
    pub const DELIVERED: Text = t("已发送", "delivered");
    /// An empty slot ahead.
    pub const EMPTY: Text = t("⚠ 空缺", "⚠ EMPTY");
    /// An empty slot in the past.
    pub const PAST_EMPTY: Text = t("空缺（已过）", "empty (past)");
    /// A post at a time of its own.
    pub const CUSTOM: Text = t("自定时间", "custom time");
    /// Two posts at one time.
    pub const CLASH: Text = t("✗ 冲突", "✗ CLASH");
    /// The admin on duty.
    pub const DUTY: Text = t("值班", "on duty");
    /// An event.
    pub const EVENT: Text = t("活动", "event");
    /// Between an event's start and end.
    pub const UNTIL: Text = t("至", "until");
    /// The summary after the days.
    pub const SUMMARY: Text = t("小结", "Summary");
    /// A day without slots.
    pub const NO_SLOTS: Text = t("（无栏目时段）", "(no slots)");
    /// The count of empty slots ahead.
    pub const EMPTY_AHEAD: Text = t("  空缺时段：{n} 个", "  empty slots ahead: {n}");
    /// The count of clashes.
    pub const CLASHES: Text = t("  冲突：{n} 处", "  clashes: {n}");
    /// Between the files of a clash.
    pub const AND: Text = t(" 与 ", " and ");
    /// Before the queues.
    pub const QUEUES: Text = t("  队列：", "  queues:");
    /// A column's queue and when it runs out.
    pub const RUNWAY: Text = t(
        "{warn}{name}：排队 {queued} 篇，另有定时 {pinned} 篇；{at} 起断档（还有 {days} 天）",
        "{warn}{name}: {queued} queued, {pinned} pinned ahead; runs out at {at} (in {days} days)",
    );
    /// A column without slots.
    pub const COLUMN_NO_SLOTS: Text = t(
        "{name}：没有发布时段（site.toml 里没有 times 或 days）",
        "{name}: no slots (no times or days in site.toml)",
    );
    /// A post that cannot be planned: its column has no slots.
    pub const UNPLACED_NO_SLOTS: Text = t(
        "所在栏目没有发布时段，无法排入",
        "its column has no slots; it cannot be planned",
    );
    /// A post that cannot be planned: it expired.
    pub const UNPLACED_EXPIRED: Text = t(
        "已过 expire_at，不再排入",
        "its expire_at has passed; it is not planned",
    );
}

/// `qunshu report`: the duty week.
pub mod report {
    use super::{t, Text};

    /// After the dates of a week not over yet.
    pub const SO_FAR: Text = t(
        "（本周未结束，数字截至现在）",
        " (week in progress; figures so far)",
    );
    /// The week.
    pub const WEEK: Text = t(
        "值班周 {start} 至 {end}{so_far}",
        "Duty week {start} to {end}{so_far}",
    );
    /// The admin on duty.
    pub const ADMIN: Text = t("值班管理员：{admin}", "Admin on duty: {admin}");
    /// The week's figures.
    pub const FIGURES: Text = t(
        "提问 {threads} 个，已解决 {solved} 个，参与回答 {answerers} 人",
        "{threads} threads asked, {solved} solved, {answerers} distinct members answered",
    );
    /// Before the week's threads.
    pub const THREADS: Text = t("\n本周问题：", "\nThreads:");
    /// A solved thread.
    pub const SOLVED: Text = t("已解决", "solved");
    /// An open thread.
    pub const OPEN: Text = t("待解决", "open");
    /// A thread's answers.
    pub const ANSWERS: Text = t("{n} 个回答", "{n} answers");
    /// Before the accepted answers.
    pub const ACCEPTED: Text = t(
        "采纳的回答（每周最佳回答候选）：",
        "Accepted answers (best-answer candidates):",
    );
    /// Before the posts out per column.
    pub const PER_COLUMN: Text = t("各栏目发出：", "Posts out per column:");
}

/// `qunshu search`.
pub mod search {
    use super::{t, Text};

    /// More hits than shown.
    pub const MORE: Text = t(
        "（还有 {n} 条；用 --limit 0 显示全部）",
        "({n} more; --limit 0 shows all)",
    );

    /// The strings the archive's search script shows, by key.
    pub const UI: &[(&str, Text)] = &[
        ("results", t("共 {n} 条结果", "{n} results")),
        ("none", t("没有找到“{q}”", "Nothing found for “{q}”")),
        ("more", t("显示更多", "Show more")),
        ("all", t("全部", "All")),
        ("kind", t("类型", "Kind")),
        ("column", t("栏目", "Column")),
        ("tag", t("标签", "Tag")),
        ("stage", t("阶段", "Stage")),
        ("loading", t("正在搜索…", "Searching…")),
        (
            "error",
            t("搜索索引加载失败", "The search index could not be loaded"),
        ),
        ("brief", t("早报", "Brief")),
        ("qa", t("问答", "Q&A")),
        ("case", t("案例拆解", "Case")),
        ("by", t("作者", "By")),
    ];
}

/// `qunshu serve`.
pub mod serve {
    use super::{t, Text};

    /// The title of the page shown while the content has errors.
    pub const ERRORS_TITLE: Text = t("内容有错误，预览暂停", "The content has errors");
    /// What to do about them.
    pub const ERRORS_NOTE: Text = t(
        "改好文件并保存，这个页面会自动刷新。终端里也有同样的错误信息。",
        "Fix the file and save it; this page reloads by itself. The terminal shows the same messages.",
    );
}
