//! The Q&A thread format.
//!
//! A thread is one Markdown file: the question, then a level-2 heading
//! `## @handle [title]` for each answer, level-3 `### @handle` headings under
//! an answer for replies, and a `## 总结` (or `## Summary`) section with the
//! duty admin's summary. Headings are found with pulldown-cmark, so a
//! `## @x` line inside a code block is just code.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

/// Whether a thread has been solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Still open: not published in the archive.
    Open,
    /// Solved: has an accepted answer; published.
    Solved,
}

/// A slice of the thread's Markdown with its position: a byte range of the
/// body, so splitting a thread copies no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSection {
    /// Byte range of the section's Markdown in the body (without its heading
    /// and the blank lines around it).
    pub range: std::ops::Range<usize>,
    /// 1-based line in the body where the section's text starts.
    pub line: usize,
}

impl RawSection {
    /// The section's Markdown, given the body it was split from (empty if
    /// `body` is not that body).
    pub(crate) fn text<'a>(&self, body: &'a str) -> &'a str {
        body.get(self.range.clone()).unwrap_or("")
    }
}

/// One reply under an answer, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawReply {
    /// Author handle.
    pub author: String,
    /// 1-based body line of the `### @handle` heading.
    pub heading_line: usize,
    /// The reply's text.
    pub section: RawSection,
}

/// One answer, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAnswer {
    /// Author handle.
    pub author: String,
    /// The answer's own title (text after the handle), if any.
    pub title: Option<String>,
    /// 1-based body line of the `## @handle` heading.
    pub heading_line: usize,
    /// The answer's text (without replies).
    pub section: RawSection,
    /// Replies, in order.
    pub replies: Vec<RawReply>,
}

/// A thread body split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RawThread {
    /// The question with its background.
    pub question: RawSection,
    /// The answers, in file order.
    pub answers: Vec<RawAnswer>,
    /// The summary, if there is one.
    pub summary: Option<RawSection>,
    /// Problems found: (1-based body line, message).
    pub problems: Vec<(usize, String)>,
}

impl Default for RawSection {
    fn default() -> Self {
        RawSection {
            range: 0..0,
            line: 1,
        }
    }
}

impl RawThread {
    /// The 1-based body line of the first answer or reply heading of each
    /// handle, found in one pass (a look-up per handle would be quadratic
    /// in a thread with thousands of answers).
    pub(crate) fn first_heading_lines(&self) -> std::collections::HashMap<&str, usize> {
        let mut lines = std::collections::HashMap::new();
        for a in &self.answers {
            let headings = std::iter::once((a.author.as_str(), a.heading_line)).chain(
                a.replies
                    .iter()
                    .map(|r| (r.author.as_str(), r.heading_line)),
            );
            for (handle, line) in headings {
                lines
                    .entry(handle)
                    .and_modify(|l: &mut usize| *l = (*l).min(line))
                    .or_insert(line);
            }
        }
        lines
    }
}

/// True for the headings that start the summary.
pub(crate) fn is_summary_heading(text: &str) -> bool {
    let t = text.trim().trim_end_matches([':', '：']).trim();
    matches!(
        t,
        "总结" | "小结" | "summary" | "Summary" | "SUMMARY" | "總結"
    )
}

/// Splits `@handle rest` into the handle and the rest.
fn parse_handle(text: &str) -> Option<(String, Option<String>)> {
    let rest = text.trim().strip_prefix('@')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    let handle = rest[..end].to_string();
    let title = rest[end..].trim();
    Some((
        handle,
        if title.is_empty() {
            None
        } else {
            Some(title.to_string())
        },
    ))
}

#[derive(Debug)]
enum Mark {
    Answer(String, Option<String>),
    Reply(String),
    Summary,
}

/// Splits a thread's body.
pub(crate) fn split(body: &str) -> RawThread {
    // (heading start offset, heading end offset, mark)
    let mut marks: Vec<(usize, usize, Mark)> = Vec::new();
    let mut current: Option<(HeadingLevel, usize, String)> = None;
    for (ev, range) in Parser::new_ext(body, pulldown_cmark::Options::empty()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level, .. })
                if level == HeadingLevel::H2 || level == HeadingLevel::H3 =>
            {
                current = Some((level, range.start, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, s)) = current.as_mut() {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, text)) = current.take() {
                    let end = range.end;
                    if level == HeadingLevel::H2 {
                        if is_summary_heading(&text) {
                            marks.push((start, end, Mark::Summary));
                        } else if let Some((h, title)) = parse_handle(&text) {
                            marks.push((start, end, Mark::Answer(h, title)));
                        }
                    } else if let Some((h, _)) = parse_handle(&text) {
                        marks.push((start, end, Mark::Reply(h)));
                    }
                }
            }
            _ => {}
        }
    }
    let lines = crate::core::diag::LineIndex::new(body);
    let line_at = |off: usize| lines.line(off);
    let section = |from: usize, to: usize| {
        let raw = &body[from..to];
        let start = from + (raw.len() - raw.trim_start_matches('\n').len());
        RawSection {
            range: start..start + raw.trim_matches('\n').len(),
            line: line_at(from) + usize::from(raw.starts_with('\n')),
        }
    };

    let mut t = RawThread::default();
    let first = marks.first().map(|m| m.0).unwrap_or(body.len());
    t.question = section(0, first);
    let mut in_summary = false;
    for (i, (start, end, mark)) in marks.iter().enumerate() {
        let next = marks.get(i + 1).map(|m| m.0).unwrap_or(body.len());
        let sec = section((*end).min(next), next);
        match mark {
            Mark::Answer(h, title) => {
                in_summary = false;
                t.answers.push(RawAnswer {
                    author: h.clone(),
                    title: title.clone(),
                    heading_line: line_at(*start),
                    section: sec,
                    replies: Vec::new(),
                });
            }
            Mark::Reply(h) => {
                if in_summary || t.answers.is_empty() {
                    t.problems.push((
                        line_at(*start),
                        format!("the reply `### @{h}` is not under an answer (expected it after a `## @handle` answer heading)"),
                    ));
                    continue;
                }
                if let Some(a) = t.answers.last_mut() {
                    a.replies.push(RawReply {
                        author: h.clone(),
                        heading_line: line_at(*start),
                        section: sec,
                    });
                }
            }
            Mark::Summary => {
                if t.summary.is_some() {
                    t.problems.push((
                        line_at(*start),
                        "a second summary section (a thread has one `## 总结`)".into(),
                    ));
                    continue;
                }
                in_summary = true;
                t.summary = Some(sec);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_thread() {
        let body = "问题背景\n\n## @lisi\n答案一\n\n### @laozhang\n回复\n\n## @wangwu 从股权角度\n答案二\n\n```\n## @fake\n```\n\n## 总结\n总结文字\n";
        let t = split(body);
        assert_eq!(t.question.text(body), "问题背景");
        assert_eq!(t.answers.len(), 2);
        assert_eq!(t.answers[0].author, "lisi");
        assert_eq!(t.answers[0].heading_line, 3);
        assert_eq!(t.answers[0].replies[0].author, "laozhang");
        assert_eq!(t.answers[0].replies[0].section.text(body), "回复");
        assert_eq!(t.answers[0].replies[0].section.line, 7);
        let lines = t.first_heading_lines();
        assert_eq!(lines.get("laozhang"), Some(&6));
        assert_eq!(lines.get("wangwu"), Some(&9));
        assert_eq!(lines.get("fake"), None);
        assert_eq!(t.answers[1].title.as_deref(), Some("从股权角度"));
        assert!(t.answers[1].section.text(body).contains("## @fake"));
        assert_eq!(t.summary.unwrap().text(body), "总结文字");
        assert!(t.problems.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn hostile_threads_split_into_ranges_of_the_body(
            pieces in proptest::collection::vec(proptest::prelude::prop_oneof![
                proptest::prelude::Just("## @a\n"),
                proptest::prelude::Just("## @b 标题\n"),
                proptest::prelude::Just("### @c\n"),
                proptest::prelude::Just("## 总结\n"),
                proptest::prelude::Just("```\n"),
                proptest::prelude::Just("文字\n"),
                proptest::prelude::Just("\n"),
                proptest::prelude::Just("\r\n"),
                proptest::prelude::Just("## @\n"),
                proptest::prelude::Just("> ## @d\n"),
            ], 0..60)
        ) {
            let body = pieces.concat();
            let t = split(&body);
            let line = |off| crate::core::diag::line_of_offset(&body, off);
            let sections = std::iter::once(&t.question)
                .chain(t.answers.iter().map(|a| &a.section))
                .chain(t.answers.iter().flat_map(|a| a.replies.iter().map(|r| &r.section)))
                .chain(t.summary.iter());
            for sec in sections {
                proptest::prop_assert!(body.get(sec.range.clone()).is_some());
                proptest::prop_assert!(sec.line <= line(sec.range.start).max(1) + 1);
            }
            for a in &t.answers {
                let handle = format!("@{}", a.author);
                let heading = body.lines().nth(a.heading_line - 1).unwrap_or("");
                proptest::prop_assert!(heading.contains(&handle), "{heading:?}");
            }
        }
    }

    #[test]
    fn reply_outside_answer() {
        let t = split("q\n\n### @x\nhi\n");
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.problems[0].0, 3);
    }
}
