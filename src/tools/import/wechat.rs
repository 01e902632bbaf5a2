//! Copied WeChat chat text (WeChat has no export).
//!
//! Read as a list of messages, each a header line then its text lines:
//!
//! - `张三 2026/11/20 15:03` (or `15:03:12`; `-` for `/`): what copying a
//!   merged chat record (合并转发的聊天记录) gives;
//! - `2026-11-20 15:03:12 张三`: what common desktop export tools write;
//! - `张三：` (or `张三:`) alone on a line, at the start or after a blank
//!   line, with no time: a copied record without times. Names up to 24
//!   characters with no sentence punctuation (，。！？).
//!
//! The first header decides: a file with times reads only the two timed
//! shapes, so a line `步骤如下：` in a message stays text. Before the first
//! header only blank lines, a title line ending in `的聊天记录` and date
//! separator lines (`—— 2026-11-20 ——`) may come; anything else is an error
//! with its line. A message whose text starts with a quote block
//! `「张三：原文」` followed by a dashed line (`- - - - - -`) replies to
//! 张三's message that starts with that text (WeChat cuts long quotes).
//!
//! WeChat has no reply links, so threads come from questions (see
//! [`link_questions`]). Message ids are made from the sender, time and
//! text, so the same message has the same id in a later copy.

use super::{escape_structure, Author, Chat, Mention, Message};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// How long after a thread's last message another message still joins it.
pub(crate) const WINDOW_MINUTES: i64 = 120;

/// Reads copied WeChat chat text.
pub(crate) fn read(path: &Path, tz: chrono_tz::Tz) -> anyhow::Result<Vec<Chat>> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "{}: not UTF-8 text; save the copied chat as UTF-8",
            path.display()
        )
    })?;
    let chat = parse(&text, tz)
        .map_err(|(line, msg)| anyhow::anyhow!("{}:{line}: {msg}", path.display()))?;
    Ok(vec![chat])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Timed,
    Untimed,
}

/// A header line: the sender and the time, if it has one.
fn header(
    line: &str,
    shape: Option<Shape>,
    after_blank: bool,
) -> Option<(String, Option<NaiveDateTime>)> {
    let l = line.trim();
    if shape != Some(Shape::Untimed) {
        // `2026-11-20 15:03:12 张三`
        let mut w = l.splitn(3, ' ');
        if let (Some(d), Some(t), Some(name)) = (w.next(), w.next(), w.next()) {
            if let (Some(d), Some(t)) = (date(d), time(t)) {
                if !name.trim().is_empty() {
                    return Some((name.trim().to_string(), Some(d.and_time(t))));
                }
            }
        }
        // `张三 2026/11/20 15:03`
        let mut w = l.rsplitn(3, ' ');
        if let (Some(t), Some(d), Some(name)) = (w.next(), w.next(), w.next()) {
            if let (Some(d), Some(t)) = (date(d), time(t)) {
                if !name.trim().is_empty() {
                    return Some((name.trim().to_string(), Some(d.and_time(t))));
                }
            }
        }
    }
    if shape != Some(Shape::Timed) && after_blank {
        let name = l.strip_suffix('：').or_else(|| l.strip_suffix(':'))?.trim();
        let ok = !name.is_empty()
            && name.chars().count() <= 24
            && !name.contains(['，', '。', '！', '？', ',', '!', '?', '：', ':', '「', '」']);
        if ok {
            return Some((name.to_string(), None));
        }
    }
    None
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.replace('/', "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()
}

fn time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// A line that looks like a timed header but whose date or time is wrong.
fn bad_header(line: &str) -> bool {
    let l = line.trim();
    let looks = |d: &str, t: &str| {
        d.len() >= 8
            && d.chars()
                .all(|c| c.is_ascii_digit() || c == '/' || c == '-')
            && d.matches(['/', '-']).count() == 2
            && t.contains(':')
            && t.chars().all(|c| c.is_ascii_digit() || c == ':')
    };
    let w: Vec<&str> = l.split(' ').collect();
    w.len() >= 3
        && (looks(w[0], w[1]) || looks(w[w.len() - 2], w[w.len() - 1]))
        && header(l, Some(Shape::Timed), true).is_none()
}

fn is_separator(l: &str) -> bool {
    let t = l.trim().trim_matches(['-', '—', ' ']);
    l.trim().starts_with(['-', '—']) && date(t.trim()).is_some()
}

fn is_dashes(l: &str) -> bool {
    let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 5 && t.chars().all(|c| c == '-' || c == '—')
}

/// Parses chat text; errors are (1-based line, message). The chat's name
/// is the title line's (`创业者同行社的聊天记录` → `创业者同行社`), or empty:
/// the file's name would change from one copy to the next.
pub(crate) fn parse(text: &str, tz: chrono_tz::Tz) -> Result<Chat, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    struct Raw {
        name: String,
        time: Option<NaiveDateTime>,
        lines: Vec<String>,
        quote: Option<(String, String)>,
    }
    let mut raws: Vec<Raw> = Vec::new();
    let mut shape: Option<Shape> = None;
    let mut after_blank = true;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let n = i + 1;
        if let Some((who, at)) = header(line, shape, after_blank) {
            shape.get_or_insert(if at.is_some() {
                Shape::Timed
            } else {
                Shape::Untimed
            });
            raws.push(Raw {
                name: who,
                time: at,
                lines: Vec::new(),
                quote: None,
            });
            after_blank = false;
            i += 1;
            // A quote block right after the header.
            if lines
                .get(i)
                .is_some_and(|l| l.trim_start().starts_with('「'))
            {
                let start = i + 1;
                let mut quoted = String::new();
                loop {
                    let Some(l) = lines.get(i) else {
                        return Err((start, "a quote `「…` is not closed with `」` (expected `「张三：原文」`, then a dashed line, then the reply)".into()));
                    };
                    if !quoted.is_empty() {
                        quoted.push('\n');
                    }
                    quoted.push_str(l.trim());
                    i += 1;
                    if l.trim_end().ends_with('」') {
                        break;
                    }
                }
                let inner = quoted.trim_start_matches('「').trim_end_matches('」');
                let Some((who, what)) = inner.split_once(['：', ':']) else {
                    return Err((
                        start,
                        "a quote must name who said it: `「张三：原文」`".into(),
                    ));
                };
                if lines.get(i).is_some_and(|l| is_dashes(l)) {
                    i += 1;
                }
                if let Some(last) = raws.last_mut() {
                    last.quote = Some((who.trim().to_string(), what.trim().to_string()));
                }
            }
            continue;
        }
        if raws.is_empty() {
            let t = line.trim();
            if !(t.is_empty() || t.ends_with("的聊天记录") || is_separator(t)) {
                return Err((n, format!("expected a message header before the first message (`张三 2026/11/20 15:03`, `2026-11-20 15:03:12 张三` or `张三：`), found `{}`", t.chars().take(40).collect::<String>())));
            }
        } else if shape == Some(Shape::Timed) && bad_header(line) {
            return Err((
                n,
                format!(
                    "`{}` looks like a message header but its date or time is not valid",
                    line.trim()
                ),
            ));
        } else if !is_separator(line) {
            if let Some(last) = raws.last_mut() {
                last.lines.push(line.to_string());
            }
        }
        after_blank = line.trim().is_empty();
        i += 1;
    }
    if raws.is_empty() {
        return Err((1, "no messages found (expected a header line such as `张三 2026/11/20 15:03` followed by the message)".into()));
    }
    let name = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.strip_suffix("的聊天记录"))
        .unwrap_or("");
    let mut chat = Chat {
        name: name.to_string(),
        ..Chat::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    for r in raws {
        let body = r.lines.join("\n").trim().to_string();
        if body.is_empty() {
            chat.drop_one(super::Dropped::Empty);
            continue;
        }
        let time = r.time.and_then(|t| {
            tz.from_local_datetime(&t)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        });
        let digest = Sha256::digest(format!(
            "{}\n{}\n{}",
            r.name,
            r.time.map(|t| t.to_string()).unwrap_or_default(),
            body
        ));
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let k = seen.entry(hex.clone()).or_insert(0);
        *k += 1;
        let id = if *k == 1 {
            format!("wx{hex}")
        } else {
            format!("wx{hex}-{k}")
        };
        let reply_to = r.quote.as_ref().and_then(|(who, what)| {
            let start: String = what.chars().take(12).collect();
            let by = |m: &&Message| m.author.id == *who;
            chat.messages
                .iter()
                .rev()
                .filter(by)
                .find(|m| m.text.contains(&escape_structure(&start)))
                .or_else(|| chat.messages.iter().rev().find(by))
                .map(|m| m.id.clone())
        });
        if !names.contains(&r.name) {
            names.push(r.name.clone());
        }
        chat.messages.push(Message {
            id,
            time,
            author: Author {
                id: r.name.clone(),
                name: r.name,
                anonymous: false,
            },
            reply_to,
            text: escape_structure(&body),
            ..Message::default()
        });
    }
    mentions(&mut chat, &names);
    link_questions(&mut chat);
    Ok(chat)
}

/// `@张三` of a person who wrote in the chat becomes a mention.
fn mentions(chat: &mut Chat, names: &[String]) {
    let mut by_len: Vec<&String> = names.iter().collect();
    by_len.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for m in &mut chat.messages {
        for n in &by_len {
            for sigil in ['@', '＠'] {
                let at = format!("{sigil}{n}");
                if m.text.contains(&at) {
                    let k = m.mentions.len();
                    m.text = m.text.replace(&at, &Mention::placeholder(k));
                    m.mentions.push(Mention {
                        who: Some(Author {
                            id: (*n).clone(),
                            name: (*n).clone(),
                            anonymous: false,
                        }),
                    });
                }
            }
        }
    }
}

/// True for a message that asks something: a question mark, or words that
/// ask (请问, 请教, 怎么, 如何, 有没有, 求助, 求推荐, 谁知道, 能不能, 是否).
pub(crate) fn is_question(text: &str) -> bool {
    text.contains(['？', '?'])
        || [
            "请问",
            "请教",
            "怎么",
            "如何",
            "有没有",
            "求助",
            "求推荐",
            "谁知道",
            "能不能",
            "是否",
        ]
        .iter()
        .any(|w| text.contains(w))
}

/// True for a message that opens a new question even inside a discussion.
fn opens_question(text: &str) -> bool {
    ["请问", "请教", "求助", "问一下", "问个问题", "有个问题"]
        .iter()
        .any(|w| text.trim_start().starts_with(w))
}

/// Links messages to questions: a question starts a thread when no thread
/// is open, when the open one has been quiet for more than
/// [`WINDOW_MINUTES`], or when it opens with 请问 / 请教 / 求助 / 问一下 /
/// 问个问题 / 有个问题. Every other message within the window joins the
/// open thread (as a reply to its question); a message outside any window
/// that asks nothing is in no thread. A quoted reply keeps its quote link.
/// Without times, the window never closes.
pub(crate) fn link_questions(chat: &mut Chat) {
    let window = chrono::Duration::minutes(WINDOW_MINUTES);
    // (question id, last time)
    let mut open: Option<(String, Option<DateTime<Utc>>)> = None;
    for m in &mut chat.messages {
        let quiet = |last: &Option<DateTime<Utc>>| match (last, m.time) {
            (Some(l), Some(t)) => t - *l > window,
            _ => false,
        };
        if m.reply_to.is_some() {
            if let Some((_, last)) = open.as_mut() {
                *last = m.time.or(*last);
            }
            continue;
        }
        let starts = match &open {
            None => is_question(&m.text),
            Some((_, last)) if quiet(last) => is_question(&m.text),
            Some(_) => opens_question(&m.text),
        };
        if starts {
            open = Some((m.id.clone(), m.time));
            continue;
        }
        match &mut open {
            Some((q, last)) if !quiet(last) => {
                m.reply_to = Some(q.clone());
                *last = m.time.or(*last);
            }
            _ => open = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::import::threads;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn merged_record_shape_with_quotes_and_windows() {
        let text = "群聊的聊天记录\n\n老张 2026/11/20 15:03\n请问大家，第一个员工给多少期权？\n\n李思远 2026/11/20 15:10\n一般 1% 到 2%。\n步骤如下：\n先定池子。\n\n老张 2026/11/20 15:12\n「李思远：一般 1% 到 2%。」\n- - - - - - - - - - - - - - -\n@李思远 明白，谢谢！\n\n小王 2026/11/20 19:00\n晚上好\n";
        let chat = parse(text, TZ).unwrap();
        assert_eq!(chat.name, "群聊");
        assert_eq!(chat.messages.len(), 4);
        assert_eq!(
            chat.messages[1].text,
            "一般 1% 到 2%。\n步骤如下：\n先定池子。"
        );
        assert_eq!(
            chat.messages[2].reply_to.as_ref(),
            Some(&chat.messages[1].id)
        );
        assert_eq!(
            chat.messages[1].reply_to.as_ref(),
            Some(&chat.messages[0].id)
        );
        assert_eq!(
            chat.messages[3].reply_to, None,
            "19:00 is outside the 2-hour window"
        );
        assert_eq!(
            chat.messages[2].mentions[0].who.as_ref().unwrap().id,
            "李思远"
        );
        let found = threads::find(&chat);
        assert_eq!(found[0].messages, vec![0, 1, 2]);
    }

    #[test]
    fn export_tool_and_untimed_shapes() {
        let chat = parse(
            "2026-11-20 15:03:12 张三\n怎么定价？\n2026-11-20 15:04:00 李四\n看成本。\n",
            TZ,
        )
        .unwrap();
        assert_eq!(chat.messages.len(), 2);
        assert_eq!(
            chat.messages[0].time.unwrap().to_rfc3339(),
            "2026-11-20T07:03:12+00:00"
        );
        let chat = parse("张三：\n怎么定价？\n\n李四:\n看成本。\n", TZ).unwrap();
        assert_eq!(chat.messages[1].author.id, "李四");
        assert_eq!(
            chat.messages[1].reply_to.as_ref(),
            Some(&chat.messages[0].id)
        );
    }

    #[test]
    fn ids_are_stable_and_bad_shapes_name_their_line() {
        let a = parse("张三 2026/11/20 15:03\n好\n", TZ).unwrap();
        let b = parse(
            "张三 2026/11/20 15:03\n好\n\n李四 2026/11/20 15:04\n嗯\n",
            TZ,
        )
        .unwrap();
        assert_eq!(a.messages[0].id, b.messages[0].id);
        assert_eq!(
            parse("你好\n张三 2026/11/20 15:03\n好\n", TZ)
                .unwrap_err()
                .0,
            1
        );
        let e = parse("张三 2026/11/20 15:03\n好\n李四 2026/13/45 15:03\n", TZ).unwrap_err();
        assert_eq!(e.0, 3, "{e:?}");
        let e = parse("张三 2026/11/20 15:03\n「李四：没有结尾\n", TZ).unwrap_err();
        assert_eq!(e.0, 2, "{e:?}");
        assert_eq!(parse("\n\n", TZ).unwrap_err().0, 1);
    }

    proptest::proptest! {
        /// Any text is read or refused with a line, never a panic; a reply
        /// always points to an earlier message.
        #[test]
        fn any_text_is_read_or_refused_with_its_line(
            pieces in proptest::collection::vec(proptest::prelude::prop_oneof![
                proptest::prelude::Just("老张 2026/11/20 15:03\n"),
                proptest::prelude::Just("2026-11-20 15:04:05 丽姐\n"),
                proptest::prelude::Just("李四：\n"),
                proptest::prelude::Just("Ann Lee 2026/02/30 15:03\n"),
                proptest::prelude::Just("「老张：请问"),
                proptest::prelude::Just("」\n"),
                proptest::prelude::Just("- - - - - -\n"),
                proptest::prelude::Just("请问怎么办？\n"),
                proptest::prelude::Just("@老张 好\n"),
                proptest::prelude::Just("```\n"),
                proptest::prelude::Just("\n"),
                proptest::prelude::Just("\r\n"),
                proptest::prelude::Just("—— 2026-11-20 ——\n"),
                proptest::prelude::Just("\u{feff}"),
            ], 0..40)
        ) {
            let text = pieces.concat();
            match parse(&text, TZ) {
                Ok(chat) => {
                    for (i, m) in chat.messages.iter().enumerate() {
                        if let Some(r) = &m.reply_to {
                            proptest::prop_assert!(chat.messages[..i].iter().any(|p| &p.id == r));
                        }
                    }
                }
                Err((line, msg)) => {
                    proptest::prop_assert!(line >= 1 && line <= text.lines().count().max(1), "{line}: {msg}");
                }
            }
        }
    }
}
