//! What delivery says, in the interface language: one line per report,
//! clash and published post, the run's summary, and the dry run's reasons
//! for not sending. `qunshu post`, `qunshu run` and `qunshu status` print
//! these; every string goes through [`Lang::pick`].
//!
//! Owns: delivery's interface text. Must not import: anything that sends.

use super::decide::Decision;
use super::{Cause, Clash, Due, Outcome, Report};
use crate::core::config::Lang;
use crate::core::project::Project;
use crate::core::time::format_local;
use std::path::Path;

/// One line about a report.
pub fn report_line(c: &Project, r: &Report) -> String {
    let lang = c.config.language;
    let when = format_local(r.slot, c.config.tz);
    let what = format!("{when}  {}  {} → {}", r.post.display(), r.title, r.channel);
    match &r.outcome {
        Outcome::Sent { parts, message_ids } => {
            let mut s = format!("{}  {what}", lang.pick("已发送", "sent   "));
            if *parts > 1 {
                s.push_str(&format!(" ({parts} {})", lang.pick("段", "parts")));
            }
            if !message_ids.is_empty() {
                s.push_str(&format!(" [{}]", message_ids.join(", ")));
            }
            s
        }
        Outcome::Failed(e) => format!("{}  {what}: {e}", lang.pick("失败  ", "failed ")),
        Outcome::Unknown { cause, detail } => {
            unknown_line(lang, &what, Some(*cause), Some(detail.as_str()), r)
        }
        Outcome::StillUnknown { cause, detail } => {
            unknown_line(lang, &what, *cause, detail.as_deref(), r)
        }
        Outcome::Missed { late } => format!(
            "{}  {what}: {} {}",
            lang.pick("已错过", "missed "),
            lang.pick("时段已过去", "its slot passed"),
            human(*late, lang),
        ),
    }
}

/// An unknown delivery: why, and the `resolve` command to run.
fn unknown_line(
    lang: Lang,
    what: &str,
    cause: Option<Cause>,
    detail: Option<&str>,
    r: &Report,
) -> String {
    let why = cause.map(|c| c.describe(lang)).unwrap_or(lang.pick(
        "结果未知，可能已发出",
        "the outcome is unknown; it may have been posted",
    ));
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    format!(
        "{}  {what}: {why}{detail}. {}: qunshu resolve {} {} --sent {} --resend",
        lang.pick("未知  ", "unknown"),
        lang.pick(
            "不会自动重发；请到群里查看是否已发出，然后运行",
            "Never re-sent on its own; check the group, then run"
        ),
        r.post.display(),
        r.channel,
        lang.pick("或", "or"),
    )
}

/// How late a missed post is: `1h05m ago; …` / `1 小时 5 分钟，…`.
pub fn human(d: chrono::Duration, lang: Lang) -> String {
    let m = d.num_minutes().max(0);
    let (h, m) = (m / 60, m % 60);
    let (zh, en) = if h > 0 {
        (format!("{h} 小时 {m} 分钟"), format!("{h}h{m:02}m"))
    } else {
        (format!("{m} 分钟"), format!("{m}m"))
    };
    format!(
        "{}{}",
        lang.pick(&zh, &en),
        lang.pick("，未发送", " ago; not sent at the wrong time of day")
    )
}

/// The error about posts pinned to one instant in one column.
pub fn clash_line(c: &Project, k: &Clash) -> String {
    let lang = c.config.language;
    let names = k
        .posts
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "));
    let when = format_local(k.slot, c.config.tz);
    let column = &k.column;
    format!(
        "error: {}",
        lang.pick(
            &format!("{names} 都定在 {when}（栏目 {column}），撞车了：未投递的那篇不发送。改其中一篇的 publish_at 后再运行。"),
            &format!("{names} are all pinned to {when} in column {column}: the ones not yet delivered are not sent. Change one's publish_at, then run again."),
        )
    )
}

/// The line about a queued post that entered the archive with no channel.
pub fn published_line(c: &Project, d: &Due) -> String {
    let lang = c.config.language;
    format!(
        "{}  {}  {}  {}  ({})",
        lang.pick("已发布到归档", "published in the archive"),
        format_local(d.slot, c.config.tz),
        d.source.display(),
        title_of(c, &d.source),
        lang.pick("没有渠道转发这个栏目", "no channel carries its column"),
    )
}

/// Why a dry run does not send a post on a channel; `None` for a decision
/// to send, or to leave the post alone without a word.
pub fn not_sent(c: &Project, d: Decision) -> Option<String> {
    let lang = c.config.language;
    let why = match d {
        Decision::RetryFrom(t) => {
            let t = format_local(t, c.config.tz);
            lang.pick(
                &format!("刚刚失败，{t} 起重试"),
                &format!("failed moments ago; tried again from {t}"),
            )
            .to_string()
        }
        Decision::StillUnknown => lang
            .pick(
                "状态未知，等待处理（qunshu resolve）",
                "unknown, waiting to be resolved (qunshu resolve)",
            )
            .to_string(),
        Decision::Missed { .. } => lang
            .pick("已错过（超过时效）", "missed (past its staleness window)")
            .to_string(),
        Decision::Done | Decision::Send { .. } => return None,
    };
    Some(why)
}

/// Said when `site.toml` has no channels.
pub fn no_channels(lang: Lang) -> &'static str {
    lang.pick(
        "site.toml 里没有 [[channels]]：没有可投递的渠道；排队的帖子在时段到来时发布到归档。",
        "site.toml has no [[channels]]: nothing to deliver to; queued posts enter the archive as their slots come.",
    )
}

/// The counts of a run and, when something is planned, the next due post.
pub fn summary(c: &Project, reports: &[Report], next: Option<&Due>) -> String {
    let lang = c.config.language;
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let sent = count(|o| matches!(o, Outcome::Sent { .. }));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let unknown = count(|o| matches!(o, Outcome::Unknown { .. } | Outcome::StillUnknown { .. }));
    let missed = count(|o| matches!(o, Outcome::Missed { .. }));
    let mut s = if reports.is_empty() {
        lang.pick("现在没有到期的帖子。", "Nothing due now.")
            .to_string()
    } else {
        lang.pick(
            &format!("已发送 {sent}，失败 {failed}，未知 {unknown}，错过 {missed}。"),
            &format!("{sent} sent, {failed} failed, {unknown} unknown, {missed} missed."),
        )
        .to_string()
    };
    if let Some(d) = next {
        s.push_str(&format!(
            " {} {} {}",
            lang.pick("下一条：", "Next:"),
            format_local(d.slot, c.config.tz),
            title_of(c, &d.source)
        ));
    }
    s
}

/// The title of the post at `source` (empty if it is gone).
pub fn title_of<'c>(c: &'c Project, source: &Path) -> &'c str {
    c.posts
        .iter()
        .find(|p| p.source == source)
        .map_or("", |p| p.title.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_in_both_languages() {
        let d = chrono::Duration::minutes(65);
        assert_eq!(human(d, Lang::ZhCn), "1 小时 5 分钟，未发送");
        assert_eq!(
            human(d, Lang::En),
            "1h05m ago; not sent at the wrong time of day"
        );
        assert_eq!(
            human(chrono::Duration::minutes(7), Lang::En),
            "7m ago; not sent at the wrong time of day"
        );
    }
}
