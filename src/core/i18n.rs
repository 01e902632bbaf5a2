//! The interface language: the language type ([`Lang`]) and every
//! interface string, in Chinese and English.
//!
//! The theme's templates read [`table`] as `t.key`; every other output
//! (the book, the calendar, the command line) takes a [`Text`] from
//! [`text`]. The site's `language` picks the language.
//!
//! A leaf of `core`: imports nothing of ours (config, members and every
//! output use it).

pub mod text;

use std::collections::BTreeMap;

/// Interface language of the generated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`), the default.
    ZhCn,
    /// English (`en`).
    En,
}

impl Lang {
    /// One interface string (or anything else) in this language: `zh` for
    /// Chinese, `en` for English (`lang.pick("已发送", "sent")`).
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }

    /// The BCP 47 tag written into `lang=` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses `zh-CN` (also `zh`, `zh-Hans`) or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh-cn" | "zh" | "zh-Hans" | "zh_CN" => Some(Lang::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One interface string in both languages. `{name}` in it marks a value
/// that [`Text::fill`] puts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// Simplified Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// The string in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }

    /// The string in `lang` with each `{name}` replaced by its value in
    /// `args` (one pass: a value is never read for names). A `{name}`
    /// without a value is left as written.
    pub fn fill(self, lang: Lang, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        use std::fmt::Write as _;
        let mut rest = self.get(lang);
        let mut out = String::with_capacity(rest.len() + 16);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after
                .find('}')
                .and_then(|close| Some((close, args.iter().find(|(k, _)| *k == &after[..close])?)));
            match value {
                Some((close, (_, v))) => {
                    let _ = write!(out, "{v}");
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

const KEYS: &[(&str, &str, &str)] = &[
    ("home", "首页", "Home"),
    ("briefs", "早报", "Briefs"),
    ("qa", "问答", "Q&A"),
    ("cases", "案例拆解", "Case studies"),
    ("tags", "标签", "Tags"),
    ("stages", "阶段", "Stages"),
    ("columns", "栏目", "Columns"),
    ("contributors", "贡献者", "Contributors"),
    ("latest_briefs", "最新早报", "Latest briefs"),
    ("recently_solved", "最近解决的问题", "Recently solved"),
    ("featured_cases", "精选案例", "Featured cases"),
    ("more", "更多", "More"),
    ("asked_by", "提问", "Asked by"),
    ("answered_by", "回答", "Answer by"),
    ("accepted_answer", "采纳的回答", "Accepted answer"),
    ("other_answers", "其他回答", "Other answers"),
    ("replies", "回复", "Replies"),
    ("summary", "总结", "Summary"),
    ("summary_by", "整理", "Summary by"),
    ("question", "问题", "Question"),
    ("answers", "回答", "answers"),
    ("participants", "参与者", "Participants"),
    ("written_by", "作者", "By"),
    ("published", "发布于", "Published"),
    ("stage", "阶段", "Stage"),
    ("column", "栏目", "Column"),
    ("page", "页", "Page"),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("posts", "篇", "posts"),
    ("threads_solved", "已解决问题", "Solved threads"),
    ("accepted_answers", "被采纳的回答", "Accepted answers"),
    ("answers_given", "其他回答", "Other answers"),
    ("summaries", "整理的总结", "Summaries written"),
    ("cases_written", "撰写的案例", "Case studies written"),
    ("briefs_written", "撰写的早报", "Briefs written"),
    ("questions_asked", "提出的问题", "Questions asked"),
    ("role", "角色", "Role"),
    ("industry", "行业", "Industry"),
    ("strengths", "擅长", "Strengths"),
    (
        "alias_note",
        "该成员以昵称公开",
        "This member is shown by alias",
    ),
    (
        "anonymous_note",
        "另有 {n} 位匿名成员参与贡献，依其意愿不公开身份。",
        "{n} more members contributed anonymously, as they chose.",
    ),
    ("not_found", "页面不存在", "Page not found"),
    (
        "not_found_text",
        "你要找的页面不存在，可能已经移动或删除。",
        "The page you are looking for does not exist; it may have moved.",
    ),
    ("back_home", "回到首页", "Back to the home page"),
    ("feed", "订阅", "Feed"),
    ("built_with", "由群书生成", "Built with qunshu"),
    ("all_posts", "全部内容", "All posts"),
    ("draft", "草稿：尚未发布", "Draft: not published"),
    ("future", "尚未到发布时间", "Scheduled: not yet published"),
    ("queued", "排队中：等待发布", "Queued: waiting for its slot"),
    (
        "open_thread",
        "未解决：不会出现在归档中",
        "Open thread: not in the archive",
    ),
    ("expired", "已过期", "Expired"),
    ("contents", "目录", "Contents"),
    ("no_posts", "暂无内容", "Nothing here yet"),
    ("count_items", "共 {n} 篇", "{n} posts"),
    ("stats", "社群沉淀", "Archive"),
    ("skip", "跳到正文", "Skip to content"),
    ("search", "搜索", "Search"),
    ("search_placeholder", "搜索全部内容", "Search the archive"),
];

/// The interface text table for `lang`.
pub fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    KEYS.iter()
        .map(|(k, zh, en)| (*k, if lang == Lang::ZhCn { *zh } else { *en }))
        .collect()
}

/// Weekday names, Monday first.
pub fn weekday(lang: Lang, n_from_monday: u32) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = (n_from_monday % 7) as usize;
    if lang == Lang::ZhCn {
        ZH[i]
    } else {
        EN[i]
    }
}

/// Formats a date for display: `2026年11月20日` or `2026-11-20`.
pub fn date(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match lang {
        Lang::ZhCn => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_values_in_once() {
        let t = Text {
            zh: "限 {n} 人，{who}",
            en: "At most {n} people, {who} {missing}",
        };
        assert_eq!(
            t.fill(Lang::ZhCn, &[("n", &3), ("who", &"{n}")]),
            "限 3 人，{n}"
        );
        assert_eq!(
            t.fill(Lang::En, &[("n", &12), ("who", &"甲")]),
            "At most 12 people, 甲 {missing}"
        );
        assert_eq!(t.get(Lang::En), t.en);
        assert_eq!(Lang::En.pick(1, 2), 2);
    }
}
