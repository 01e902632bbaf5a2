//! Writing a thread file, and adding new replies to one an earlier import
//! wrote.
//!
//! A new file has the documented thread format: front matter with
//! `status: open`, `asked_by`, an empty `publish_at` (queued), an explicit
//! `slug` and a `source:` block (platform, chat, thread, the first message
//! of each answer, every message id); then the question, each answer as
//! `## @handle`, replies as `### @handle`.
//!
//! Importing again reads the `source:` block: messages it lists are never
//! written again (so an admin's edits and deletions stay), and new ones are
//! inserted: continuations at the end of their question or answer, new
//! replies at the end of their answer (after its replies), new answers
//! before the `## 总结` summary or at the end. Only the `source:` block of the
//! front matter is rewritten. When the answers in the file no longer match
//! the record (an answer deleted or moved) and a new reply would have to be
//! placed under one of them, the import is a conflict naming the file.

use super::threads::Place;
use crate::core::content::frontmatter::{split, ImportSource};
use crate::core::content::thread;
use std::collections::HashSet;
use std::path::Path;

/// A run of messages ready to write: where it goes, who wrote it, the
/// message ids and the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// Where it goes ([`Place::Reply`] indexes into [`Draft::parts`]).
    pub place: Place,
    /// The author's handle (`None`: anonymous).
    pub handle: Option<String>,
    /// The message ids, in order.
    pub ids: Vec<String>,
    /// The Markdown of each message, in order.
    pub texts: Vec<String>,
}

/// A thread ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Draft {
    /// The source record (platform, chat, thread id; answers and messages
    /// are filled from the parts).
    pub source: ImportSource,
    /// The title (from the question's first line).
    pub title: String,
    /// The asker's handle (`None` for an anonymous question).
    pub asked_by: Option<String>,
    /// The answer the asker marked, if any: a suggestion for `accepted:`.
    pub marked: Option<String>,
    /// Tags the platform gave.
    pub tags: Vec<String>,
    /// The question first, then answers each followed by their replies.
    pub parts: Vec<Part>,
}

impl Draft {
    /// Every message id, in the order written.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.parts.iter().flat_map(|p| p.ids.clone()).collect()
    }

    /// The first message id of each answer.
    pub(crate) fn answer_ids(&self) -> Vec<String> {
        self.parts
            .iter()
            .filter(|p| p.place == Place::Answer)
            .filter_map(|p| p.ids.first().cloned())
            .collect()
    }
}

fn heading(level: &str, handle: &Option<String>) -> String {
    format!("{level} @{}", handle.as_deref().unwrap_or("anonymous"))
}

fn part_text(texts: &[String]) -> String {
    texts.join("\n\n")
}

/// The source block of the front matter.
pub(crate) fn source_yaml(s: &ImportSource) -> String {
    use super::people::quoted;
    let list = |v: &[String]| v.iter().map(|x| quoted(x)).collect::<Vec<_>>().join(", ");
    format!(
        "source:\n  platform: {}\n  chat: {}\n  thread: {}\n  answers: [{}]\n  messages: [{}]\n",
        s.platform,
        quoted(&s.chat),
        quoted(&s.thread),
        list(&s.answers),
        list(&s.messages)
    )
}

/// The text of a new thread file with slug `slug`.
pub(crate) fn render_new(d: &Draft, slug: &str) -> String {
    use super::people::quoted;
    let mut source = d.source.clone();
    source.answers = d.answer_ids();
    source.messages = d.ids();
    let mut s = String::from("---\n");
    s += &format!("title: {}\n", quoted(&d.title));
    s += &format!("slug: {}\n", quoted(slug));
    if let Some(a) = &d.asked_by {
        s += &format!("asked_by: {a}\n");
    }
    s += "publish_at:\nstatus: open\n";
    if let Some(m) = &d.marked {
        s += &format!(
            "accepted: {m}    # suggested by the chat (the asker's ✅, or the 知识星球 answer): check it, then set status: solved and write the summary\n"
        );
    }
    if !d.tags.is_empty() {
        let tags: Vec<String> = d.tags.iter().map(|t| quoted(t)).collect();
        s += &format!("tags: [{}]\n", tags.join(", "));
    }
    s += &source_yaml(&source);
    s += "---\n";
    let mut body = String::new();
    for p in &d.parts {
        let text = part_text(&p.texts);
        match p.place {
            Place::Question => body += &text,
            Place::Answer => {
                body += &format!("\n\n{}\n\n{text}", heading("##", &p.handle));
            }
            Place::Reply(_) => {
                body += &format!("\n\n{}\n\n{text}", heading("###", &p.handle));
            }
        }
    }
    s += body.trim_start_matches('\n');
    s.push('\n');
    s
}

/// What merging a draft into an existing file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Merged {
    /// Every message is already in the file: nothing to write.
    Unchanged,
    /// The new text, and how many messages were added.
    Changed(String, usize),
}

/// Merges `d` into the existing file `text` (at `rel`, for errors).
pub(crate) fn merge(rel: &Path, text: &str, d: &Draft) -> anyhow::Result<Merged> {
    let conflict = |why: String| {
        anyhow::anyhow!(
            "{}: conflict: {why}. The file was edited since the last import; add the new replies by hand, or move the file away and import the thread again",
            rel.display()
        )
    };
    let sp =
        split(text).map_err(|(line, msg)| anyhow::anyhow!("{}:{line}: {msg}", rel.display()))?;
    let base = text.as_ptr() as usize;
    let yaml_at = sp.yaml.as_ptr() as usize - base;
    let body_at = sp.body.as_ptr() as usize - base;
    #[derive(serde::Deserialize)]
    struct Only {
        source: Option<ImportSource>,
    }
    let old: ImportSource = serde_yaml::from_str::<Only>(sp.yaml)
        .ok()
        .and_then(|o| o.source)
        .ok_or_else(|| conflict("its `source:` block cannot be read".into()))?;
    let known: HashSet<&str> = old.messages.iter().map(String::as_str).collect();
    let mut added = 0;
    let mut new_ids = Vec::new();
    let mut new_answers = Vec::new();
    // (body offset, text) insertions, in order.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let raw = std::cell::OnceCell::new();
    let raw = || raw.get_or_init(|| thread::split(sp.body));
    let answer_in_file = |first: &str, handle: &Option<String>| -> anyhow::Result<usize> {
        let k = old.answers.iter().position(|a| a == first).ok_or_else(|| {
            conflict(format!(
                "message {first} is recorded as written but not as the start of an answer"
            ))
        })?;
        let r = raw();
        let want = handle.as_deref().unwrap_or("anonymous");
        if r.answers.len() != old.answers.len()
            || r.answers.get(k).map(|a| a.author.as_str()) != Some(want)
        {
            return Err(conflict(format!(
                "a new reply belongs under answer {} (`## @{want}`), but the file has {} answers where the import wrote {}",
                k + 1,
                r.answers.len(),
                old.answers.len()
            )));
        }
        Ok(k)
    };
    let end_of_answer = |k: usize| {
        let a = &raw().answers[k];
        a.replies
            .iter()
            .map(|r| r.section.range.end)
            .fold(a.section.range.end, usize::max)
    };
    let tail = || match &raw().summary {
        Some(s) => {
            let head = sp.body[..s.range.start]
                .trim_end()
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            (head, true)
        }
        None => (sp.body.trim_end_matches('\n').len(), false),
    };
    for (pi, p) in d.parts.iter().enumerate() {
        let fresh: Vec<usize> = (0..p.ids.len())
            .filter(|&i| !known.contains(p.ids[i].as_str()))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let texts: Vec<String> = fresh.iter().map(|&i| p.texts[i].clone()).collect();
        added += fresh.len();
        new_ids.extend(fresh.iter().map(|&i| p.ids[i].clone()));
        let whole_part_new = fresh.len() == p.ids.len();
        match &p.place {
            Place::Question => {
                inserts.push((
                    raw().question.range.end,
                    format!("\n\n{}", part_text(&texts)),
                ));
            }
            Place::Answer if !whole_part_new => {
                let k = answer_in_file(&p.ids[0], &p.handle)?;
                inserts.push((
                    raw().answers[k].section.range.end,
                    format!("\n\n{}", part_text(&texts)),
                ));
            }
            Place::Answer => {
                new_answers.push(p.ids[0].clone());
                let mut block = format!("{}\n\n{}", heading("##", &p.handle), part_text(&texts));
                // Its replies are new too: they go with it.
                for r in d
                    .parts
                    .iter()
                    .skip(pi + 1)
                    .filter(|r| r.place == Place::Reply(pi))
                {
                    block += &format!(
                        "\n\n{}\n\n{}",
                        heading("###", &r.handle),
                        part_text(&r.texts)
                    );
                }
                let (at, before_summary) = tail();
                if before_summary {
                    inserts.push((at, format!("{block}\n\n")));
                } else {
                    inserts.push((at, format!("\n\n{block}\n")));
                }
            }
            Place::Reply(a) => {
                let answer = &d.parts[*a];
                if answer.ids.iter().all(|id| !known.contains(id.as_str())) {
                    // Written with its new answer above.
                    continue;
                }
                let k = answer_in_file(&answer.ids[0], &answer.handle)?;
                inserts.push((
                    end_of_answer(k),
                    format!("\n\n{}\n\n{}", heading("###", &p.handle), part_text(&texts)),
                ));
            }
        }
    }
    if added == 0 {
        return Ok(Merged::Unchanged);
    }
    let mut body = sp.body.to_string();
    // Insert from the end so earlier offsets stay valid; at one offset, in order.
    let mut order: Vec<usize> = (0..inserts.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(inserts[i].0), std::cmp::Reverse(i)));
    for i in order {
        let (at, t) = &inserts[i];
        body.insert_str((*at).min(body.len()), t);
    }
    let mut body = body.trim_end_matches('\n').to_string();
    body.push('\n');
    let mut source = old.clone();
    source.messages.extend(new_ids);
    source.answers.extend(new_answers);
    let yaml = replace_source(sp.yaml, &source_yaml(&source))
        .ok_or_else(|| conflict("its `source:` block is not where the import wrote it".into()))?;
    let mut out = String::with_capacity(text.len() + body.len());
    out.push_str(&text[..yaml_at]);
    out.push_str(&yaml);
    out.push_str(&text[yaml_at + sp.yaml.len()..body_at]);
    out.push_str(&body);
    Ok(Merged::Changed(out, added))
}

/// `yaml` with its top-level `source:` block replaced by `block`.
fn replace_source(yaml: &str, block: &str) -> Option<String> {
    let mut out = String::with_capacity(yaml.len() + block.len());
    let mut lines = yaml.split_inclusive('\n').peekable();
    let mut done = false;
    while let Some(l) = lines.next() {
        if !done && (l.starts_with("source:")) {
            done = true;
            out.push_str(block);
            while lines
                .peek()
                .is_some_and(|n| n.starts_with([' ', '\t']) || n.trim().is_empty())
            {
                lines.next();
            }
        } else {
            out.push_str(l);
        }
    }
    done.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(place: Place, h: &str, ids: &[&str]) -> Part {
        Part {
            place,
            handle: Some(h.into()),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            texts: ids.iter().map(|s| format!("正文 {s}")).collect(),
        }
    }

    fn draft(parts: Vec<Part>) -> Draft {
        Draft {
            source: ImportSource {
                platform: "telegram".into(),
                chat: "群".into(),
                thread: "1".into(),
                ..ImportSource::default()
            },
            title: "怎么办？".into(),
            asked_by: Some("a".into()),
            marked: None,
            tags: vec![],
            parts,
        }
    }

    #[test]
    fn new_file_splits_as_a_thread_and_merging_it_again_changes_nothing() {
        let d = draft(vec![
            part(Place::Question, "a", &["1"]),
            part(Place::Answer, "b", &["2", "3"]),
            part(Place::Reply(1), "a", &["4"]),
        ]);
        let text = render_new(&d, "zenme");
        let sp = split(&text).unwrap();
        let t = thread::split(sp.body);
        assert_eq!(t.answers.len(), 1);
        assert_eq!(t.answers[0].author, "b");
        assert_eq!(t.answers[0].replies[0].author, "a");
        assert_eq!(
            merge(Path::new("x.md"), &text, &d).unwrap(),
            Merged::Unchanged
        );
    }

    #[test]
    fn new_replies_land_under_their_answer_and_edits_stay() {
        let d1 = draft(vec![
            part(Place::Question, "a", &["1"]),
            part(Place::Answer, "b", &["2"]),
            part(Place::Answer, "c", &["3"]),
        ]);
        let text = render_new(&d1, "zenme").replace("正文 2", "管理员改过的回答");
        let text = format!("{text}\n## 总结\n管理员的总结\n");
        let d2 = draft(vec![
            part(Place::Question, "a", &["1"]),
            part(Place::Answer, "b", &["2"]),
            part(Place::Reply(1), "a", &["5"]),
            part(Place::Answer, "c", &["3"]),
            part(Place::Answer, "e", &["6"]),
        ]);
        let Merged::Changed(out, n) = merge(Path::new("x.md"), &text, &d2).unwrap() else {
            panic!("expected a change")
        };
        assert_eq!(n, 2);
        assert!(
            out.contains("管理员改过的回答\n\n### @a\n\n正文 5\n\n## @c"),
            "{out}"
        );
        assert!(
            out.contains("## @e\n\n正文 6\n\n## 总结\n管理员的总结\n"),
            "{out}"
        );
        assert!(out.contains("answers: [\"2\", \"3\", \"6\"]"));
        assert!(out.contains("messages: [\"1\", \"2\", \"3\", \"5\", \"6\"]"));
        assert_eq!(
            merge(Path::new("x.md"), &out, &d2).unwrap(),
            Merged::Unchanged
        );
    }

    #[test]
    fn a_reply_under_a_deleted_answer_is_a_conflict_naming_the_file() {
        let d1 = draft(vec![
            part(Place::Question, "a", &["1"]),
            part(Place::Answer, "b", &["2"]),
        ]);
        let text = render_new(&d1, "zenme").replace("## @b\n\n正文 2\n", "");
        let d2 = draft(vec![
            part(Place::Question, "a", &["1"]),
            part(Place::Answer, "b", &["2"]),
            part(Place::Reply(1), "a", &["5"]),
        ]);
        let e = merge(Path::new("content/qa/x.md"), &text, &d2).unwrap_err();
        assert!(
            e.to_string().starts_with("content/qa/x.md: conflict"),
            "{e}"
        );
    }

    proptest::proptest! {
        /// Whatever the messages say, the file has exactly the answers and
        /// replies the import wrote, and merging into any admin edit of it
        /// never panics (it merges or names a conflict).
        #[test]
        fn message_text_never_changes_the_structure(
            texts in proptest::collection::vec(proptest::collection::vec(proptest::prelude::prop_oneof![
                proptest::prelude::Just("## @x 伪造\n"),
                proptest::prelude::Just("### @y\n"),
                proptest::prelude::Just("## 总结\n"),
                proptest::prelude::Just("```\n"),
                proptest::prelude::Just("~~~\n"),
                proptest::prelude::Just("---\n"),
                proptest::prelude::Just("===\n"),
                proptest::prelude::Just("    ## @z\n"),
                proptest::prelude::Just("文字 <script>\n"),
                proptest::prelude::Just("\n"),
                proptest::prelude::Just("@x"),
            ], 0..8), 4),
            edit in proptest::collection::vec(proptest::prelude::prop_oneof![
                proptest::prelude::Just("## @b\n"),
                proptest::prelude::Just("## 总结\n小结\n"),
                proptest::prelude::Just("### @a\n"),
                proptest::prelude::Just("```\n"),
                proptest::prelude::Just("删改\n"),
            ], 0..4),
            cut in 0usize..400,
        ) {
            let text = |i: usize| crate::tools::import::escape_structure(texts[i].concat().trim());
            let p = |place, h: &str, id: &str, i: usize| {
                let mut x = part(place, h, &[id]);
                x.texts = vec![text(i)];
                x
            };
            let d1 = draft(vec![
                p(Place::Question, "a", "1", 0),
                p(Place::Answer, "b", "2", 1),
                p(Place::Reply(1), "a", "3", 2),
            ]);
            let written = render_new(&d1, "s");
            let sp = split(&written).unwrap();
            let t = thread::split(sp.body);
            proptest::prop_assert_eq!(t.answers.len(), 1);
            proptest::prop_assert_eq!(&t.answers[0].author, "b");
            proptest::prop_assert_eq!(t.answers[0].replies.len(), 1);
            proptest::prop_assert!(t.summary.is_none());
            // An admin's edit somewhere in the body, then a later export.
            let at = sp.body.len().min(cut);
            let at = (0..=at).rev().find(|&i| sp.body.is_char_boundary(i)).unwrap_or(0);
            let body = format!("{}{}{}", &sp.body[..at], edit.concat(), &sp.body[at..]);
            let edited = written.replace(sp.body, &body);
            let d2 = draft(vec![
                p(Place::Question, "a", "1", 0),
                p(Place::Answer, "b", "2", 1),
                p(Place::Reply(1), "a", "3", 2),
                p(Place::Reply(1), "c", "4", 3),
                p(Place::Answer, "d", "5", 3),
            ]);
            match merge(Path::new("x.md"), &edited, &d2) {
                Ok(Merged::Changed(out, n)) => {
                    proptest::prop_assert_eq!(n, 2);
                    proptest::prop_assert!(split(&out).is_ok());
                    proptest::prop_assert_eq!(merge(Path::new("x.md"), &out, &d2).ok(), Some(Merged::Unchanged));
                }
                Ok(Merged::Unchanged) => proptest::prop_assert!(false, "two messages are new"),
                Err(e) => proptest::prop_assert!(e.to_string().starts_with("x.md: conflict"), "{}", e),
            }
        }
    }
}
