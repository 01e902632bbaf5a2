//! Front matter: the YAML block between `---` lines at the top of a post.

use crate::core::yaml::{too_deep, MAX_YAML_DEPTH};
use serde::Deserialize;

/// The front matter fields of every kind of post, as written.
///
/// Unknown fields are rejected so a misspelt `pubish_at` never passes
/// silently. Times stay strings here; the loader reads them in the site's
/// time zone and reports bad ones with their line.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    /// Title (required).
    pub title: Option<String>,
    /// Explicit slug; wins over the one made from the title.
    pub slug: Option<String>,
    /// Stable id of the post for the URL record (`urls.lock`); defaults to
    /// the file's path under `content/` without `.md`.
    pub id: Option<String>,
    /// Old addresses (relative to the site root) that redirect to this post.
    #[serde(default)]
    pub aliases: OneOrMany,
    /// Overrides the kind the folder gives (`brief`, `qa`, `case`).
    pub kind: Option<String>,
    /// When the post goes out (local time in the site's zone unless it has an offset).
    pub publish_at: Option<String>,
    /// When the post stops being published.
    pub expire_at: Option<String>,
    /// Drafts are never published (shown with `--drafts`).
    #[serde(default)]
    pub draft: bool,
    /// Column id; defaults to the first column of the post's kind.
    pub column: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: OneOrMany,
    /// Stage or cohort (种子期).
    pub stage: Option<String>,
    /// Author handles.
    #[serde(default)]
    pub authors: OneOrMany,
    /// One-line description.
    pub description: Option<String>,
    /// Position in the column's queue (lower goes first); file name order otherwise.
    pub queue: Option<i64>,
    /// Q&A: who asked.
    pub asked_by: Option<String>,
    /// Q&A: `open` or `solved`.
    pub status: Option<String>,
    /// Q&A: the handle whose answer solved the thread.
    pub accepted: Option<String>,
    /// Q&A: the duty admin who wrote the summary.
    pub summary_by: Option<String>,
    /// Q&A: where an imported thread came from (written by `qunshu import`).
    /// Read here only so that it is accepted and checked (`qunshu import`
    /// reads the block itself when it merges a later export).
    #[allow(dead_code)]
    pub source: Option<ImportSource>,
}

/// The record `qunshu import` keeps in a thread it wrote: which chat and
/// which messages the file holds, so importing again adds only new ones.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportSource {
    /// The platform: telegram, discord, slack, wechat or zsxq.
    pub platform: String,
    /// The chat (group, channel or 星球) as the export names it.
    #[serde(default)]
    pub chat: String,
    /// The id of the thread's first message.
    pub thread: String,
    /// The first message id of each answer, in the order written.
    #[serde(default)]
    pub answers: Vec<String>,
    /// Every message id the file holds.
    #[serde(default)]
    pub messages: Vec<String>,
}

/// A list that may be written as a single string (`tags: 合伙人，股权`,
/// split at commas) or as a YAML list (`tags: [合伙人, 股权]`). Numbers and
/// yes/no in the list are read as words (`tags: [2026]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OneOrMany(pub Vec<String>);

/// What a field of words expects, in the words every error about it uses.
const WORDS: &str = "a list of words or one word";

/// One word of a [`OneOrMany`]: a string, number or yes/no.
struct Word(String);

impl<'de> serde::Deserialize<'de> for Word {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Word;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(WORDS)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> serde::Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(WORDS)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(
                    v.split([',', '，'])
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                ))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<OneOrMany, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<OneOrMany, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<OneOrMany, E> {
                Ok(OneOrMany::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::new();
                while let Some(Word(w)) = seq.next_element()? {
                    let w = w.trim();
                    if !w.is_empty() {
                        v.push(w.to_string());
                    }
                }
                Ok(OneOrMany(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A file split into its front matter and body.
#[derive(Debug, Clone)]
pub(crate) struct Split<'a> {
    /// The YAML text between the `---` lines.
    pub yaml: &'a str,
    /// 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// 1-based file line where the body starts.
    pub body_line: usize,
}

/// Turns old Mac line ends (a carriage return alone) into `\n`, so a file
/// saved with them is read line by line like any other; `\r\n` is kept.
/// Control characters XML cannot carry become U+FFFD
/// ([`crate::core::markdown::replace_controls`]), so no title, tag or body puts
/// them into the feed, sitemap or search index.
/// Returns the text unchanged (not copied) when there is nothing to change.
pub(crate) fn normalize_text(text: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    let text = match crate::core::markdown::replace_controls(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => std::borrow::Cow::Owned(clean),
    };
    let bytes = text.as_bytes();
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone_cr) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Splits a post into front matter and body, or says in plain words why not.
/// Errors carry the 1-based line they concern.
pub(crate) fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err((
            1,
            "the file is empty (expected front matter between `---` lines, then the post)".into(),
        ));
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Err((
            1,
            "no front matter: the first line must be `---`, followed by fields such as `title:` and a closing `---`".into(),
        ));
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        let l = text[pos..end].trim_end();
        if l == "---" || l == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..pos],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        pos = end + 1;
        line += 1;
    }
    Err((
        1,
        "the front matter opened on line 1 is never closed (expected a line with only `---` after the fields)".into(),
    ))
}

/// The most `tags` (and `authors`) one post may have. Each tag has its own
/// page listing the post, so the archive grows with the number of tags.
pub(crate) const MAX_WORDS: usize = 64;

/// A problem found in front matter YAML: its 1-based file line (when
/// known), the field it concerns (when known) and what is wrong in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlProblem {
    /// 1-based line in the file.
    pub line: Option<usize>,
    /// The top-level field involved.
    pub field: Option<String>,
    /// What was found and what was expected.
    pub message: String,
}

/// Parses the front matter YAML of a [`Split`] into its fields, refusing
/// YAML nested more than [`MAX_YAML_DEPTH`] levels before parsing, and
/// saying what is wrong in plain words, with the file line and the field.
pub(crate) fn parse(split: &Split<'_>) -> Result<FrontMatter, YamlProblem> {
    if split.yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    if let Some((line, _)) = too_deep(split.yaml, MAX_YAML_DEPTH) {
        return Err(YamlProblem {
            line: Some(line + split.yaml_line - 1),
            field: None,
            message: format!(
                "the front matter is nested more than {MAX_YAML_DEPTH} levels deep here; \
                 at most {MAX_YAML_DEPTH} levels are read (fields hold text or a list of words)"
            ),
        });
    }
    let mut front: FrontMatter = serde_yaml::from_str(split.yaml).map_err(|e| {
        // Without a position, the problem is the block as a whole.
        let line = Some(
            e.location()
                .map_or(split.yaml_line, |l| l.line() + split.yaml_line - 1),
        );
        let (field, message) = plain_yaml_error(&e.to_string());
        YamlProblem {
            line,
            field,
            message,
        }
    })?;
    front.replace_controls();
    for (name, list) in [("tags", &mut front.tags), ("authors", &mut front.authors)] {
        // A word written twice counts once (a tag page lists a post once).
        let mut seen = std::collections::HashSet::new();
        list.0.retain(|w| seen.insert(w.clone()));
        if list.0.len() > MAX_WORDS {
            return Err(YamlProblem {
                line: field_line(split.yaml, split.yaml_line, name).or(Some(split.yaml_line)),
                field: Some(name.to_string()),
                message: format!(
                    "{} {name}; a post has at most {MAX_WORDS} (keep the few that help readers find it)",
                    list.0.len()
                ),
            });
        }
    }
    Ok(front)
}

impl FrontMatter {
    /// Replaces control characters written as YAML escapes (`"\x01"`) in
    /// every text field, as [`normalize_text`] does for typed ones.
    fn replace_controls(&mut self) {
        let clean = |s: &mut String| {
            if let std::borrow::Cow::Owned(c) = crate::core::markdown::replace_controls(s) {
                *s = c;
            }
        };
        for s in [
            &mut self.title,
            &mut self.slug,
            &mut self.id,
            &mut self.kind,
            &mut self.publish_at,
            &mut self.expire_at,
            &mut self.column,
            &mut self.stage,
            &mut self.description,
            &mut self.asked_by,
            &mut self.status,
            &mut self.accepted,
            &mut self.summary_by,
        ]
        .into_iter()
        .flatten()
        {
            clean(s);
        }
        self.tags
            .0
            .iter_mut()
            .chain(&mut self.authors.0)
            .chain(&mut self.aliases.0)
            .for_each(clean);
    }
}

/// Rewrites a YAML error of `FrontMatter` in plain words: the field it
/// concerns (from the `tags[1]: ` path or an unknown field) and the message.
fn plain_yaml_error(msg: &str) -> (Option<String>, String) {
    // yaml_serde appends "at line N column M" relative to the block; drop it.
    let msg = msg.find(" at line ").map_or(msg, |i| &msg[..i]);
    if msg.contains("more than one document") {
        return (
            None,
            "the front matter cannot be read as one block of fields (check the indentation: \
             each field starts at the beginning of its line)"
                .to_string(),
        );
    }
    if let Some(rest) = msg.strip_prefix("duplicate field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return (
            Some(field.to_string()),
            format!("`{field}` is written twice in the front matter (keep one)"),
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().map(str::to_string);
        return (field, format!("front matter: {msg}"));
    }
    // `path: message`, where the path is a field, maybe with an index.
    let (path, body) = match msg.split_once(": ") {
        Some((p, b))
            if !p.contains(' ') && p.chars().all(|c| c.is_alphanumeric() || "_[].".contains(c)) =>
        {
            (Some(p), b)
        }
        _ => (None, msg),
    };
    let field = path.map(|p| p.split(['[', '.']).next().unwrap_or(p).to_string());
    let Some((found, expected)) = body
        .strip_prefix("invalid type: ")
        .and_then(|b| b.split_once(", expected "))
    else {
        return (field, format!("front matter: {body}"));
    };
    let found = match found {
        "sequence" => "a list".to_string(),
        "map" => "fields (a map)".to_string(),
        "unit value" => "nothing".to_string(),
        f if f.starts_with("string ") => format!("the text {}", &f["string ".len()..]),
        f if f.starts_with("integer ") || f.starts_with("floating point ") => {
            // `integer `99` as u128`: the number is between the backticks.
            let n = f.split('`').nth(1).unwrap_or(f);
            format!("the number {n}")
        }
        f if f.starts_with("boolean ") => format!("yes/no {}", &f["boolean ".len()..]),
        f => f.to_string(),
    };
    if expected == "struct FrontMatter" {
        return (
            None,
            format!(
                "the front matter must be fields, one per line, such as `title: …` and \
                 `publish_at: …`; found {found}"
            ),
        );
    }
    let expected = match expected {
        "a string" => "text",
        "a boolean" => "true or false",
        "i64" => "a whole number",
        e => e,
    };
    let item = path
        .and_then(|p| p.split_once('['))
        .and_then(|(_, i)| i.trim_end_matches(']').parse::<usize>().ok())
        .map(|i| format!(" (item {} is {found})", i + 1))
        .unwrap_or_else(|| format!(" (found {found})"));
    (field, format!("expected {expected}{item}"))
}

/// The 1-based file line of `field:` inside a front matter block starting at `yaml_line`.
pub(crate) fn field_line(yaml: &str, yaml_line: usize, field: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(field)
                .map(|rest| rest.trim_start().starts_with(':'))
                .unwrap_or(false)
        })
        .map(|i| i + yaml_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits() {
        let s = split("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(field_line(s.yaml, s.yaml_line, "title"), Some(2));
    }

    #[test]
    fn errors() {
        assert!(split("").unwrap_err().1.contains("empty"));
        assert!(split("title: x\n").unwrap_err().1.contains("first line"));
        assert!(split("---\ntitle: x\n")
            .unwrap_err()
            .1
            .contains("never closed"));
    }

    fn parse_yaml(yaml: &str) -> Result<FrontMatter, YamlProblem> {
        parse(&Split {
            yaml,
            yaml_line: 2,
            body: "",
            body_line: 1,
        })
    }

    #[test]
    fn wrong_type_names_the_field_in_plain_words() {
        let e = parse_yaml("title: x\ntags: {a: 1}\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.message,
            "expected a list of words or one word (found fields (a map))"
        );
        let e = parse_yaml("title: x\nauthors: [a, [b]]\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("authors"));
        assert_eq!(
            e.message,
            "expected a list of words or one word (item 2 is a list)"
        );
        assert!(!e.message.contains("untagged"));
        let e = parse_yaml("- a\n- b\n").unwrap_err();
        assert!(
            e.message.starts_with("the front matter must be fields"),
            "{}",
            e.message
        );
        assert!(e.message.ends_with("found a list"), "{}", e.message);
        let e = parse_yaml("just text\n").unwrap_err();
        assert!(
            e.message.ends_with("found the text \"just text\""),
            "{}",
            e.message
        );
        let e = parse_yaml("title: [a]\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        assert_eq!(e.message, "expected text (found a list)");
        let e = parse_yaml("queue: 99999999999999999999\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("queue"));
        assert_eq!(
            e.message,
            "expected a whole number (found the number 99999999999999999999)"
        );
        let e = parse_yaml("title: a\ntitle: b\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        assert!(e.message.contains("written twice"), "{}", e.message);
        let e = parse_yaml("titel: a\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("titel"));
    }

    #[test]
    fn old_mac_line_ends_are_read() {
        let text = normalize_text("---\rtitle: x\r---\rbody\r\nmore".into());
        let s = split(&text).unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "body\r\nmore");
        let same = "a\r\nb\n";
        assert!(matches!(
            normalize_text(same.into()),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// Front matter built from valid and broken pieces.
    fn hostile_yaml() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("title: 标题\n".to_string()),
            Just("tags: [a, b]\n".to_string()),
            Just("tags:\n  - a\n  - b\n".to_string()),
            Just("authors: x，y\n".to_string()),
            Just("publish_at: 2026-11-02 08:00\n".to_string()),
            Just("publish_at: -0001-12-31\n".to_string()),
            Just("queue: 99999999999999999999\n".to_string()),
            Just("description: |\n  [[[ 文本\n".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("- ".to_string()),
            Just(": ".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("#".to_string()),
            Just("\r".to_string()),
            Just("\u{1}".to_string()),
            Just("&#x1;".to_string()),
            Just("  ".to_string()),
            Just("\n".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            "[a-z]{1,5}".prop_map(|s| s),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn hostile_front_matter_never_panics(yaml in hostile_yaml()) {
            let text = normalize_text(format!("---\n{yaml}\n---\nbody\n").into());
            if let Ok(s) = split(&text) {
                if let Err(e) = parse(&s) {
                    // Every problem has a line inside the file, or names a field.
                    let lines = text.lines().count();
                    proptest::prop_assert!(
                        e.line.is_some_and(|l| (1..=lines).contains(&l)) || e.field.is_some(),
                        "{e:?}"
                    );
                    proptest::prop_assert!(!e.message.contains("untagged"));
                    proptest::prop_assert!(!e.message.contains("struct FrontMatter"));
                }
                if let Ok(f) = parse(&s) {
                    proptest::prop_assert!(f.tags.0.len() <= MAX_WORDS);
                    let all = f.title.iter().chain(&f.tags.0).chain(&f.authors.0);
                    for w in all {
                        proptest::prop_assert!(w.chars().all(crate::core::markdown::is_xml_char));
                    }
                }
            }
        }
    }

    #[test]
    fn tags_are_capped_and_counted_once() {
        let many: Vec<String> = (0..65).map(|i| format!("t{i}")).collect();
        let e = parse_yaml(&format!("title: x\ntags: [{}]\n", many.join(", "))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.starts_with("65 tags; a post has at most 64"),
            "{}",
            e.message
        );
        let f = parse_yaml(&format!("tags: [{}, t0, t1]\n", many[..64].join(", "))).unwrap();
        assert_eq!(f.tags.0.len(), 64);
        let f = parse_yaml("authors: [a, b, a]\n").unwrap();
        assert_eq!(f.authors.0, vec!["a", "b"]);
    }

    #[test]
    fn numbers_are_words() {
        let f = parse_yaml("tags: [2026, AI, true]\nauthors: 42\n").unwrap();
        assert_eq!(f.tags.0, vec!["2026", "AI", "true"]);
        assert_eq!(f.authors.0, vec!["42"]);
    }

    #[test]
    fn nesting_is_capped_before_parsing() {
        let flow = format!("tags: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_yaml(&flow).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("at most 32 levels"), "{}", e.message);
        let dashes = format!("tags: \n{}x\n", "- ".repeat(1000));
        assert_eq!(parse_yaml(&dashes).unwrap_err().line, Some(3));
        let mut block = String::new();
        for i in 0..40 {
            block.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert!(too_deep(&block, MAX_YAML_DEPTH).is_some());
        // Brackets in text and quotes are not nesting.
        let fine = "title: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\ndescription: a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\ntags: ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', x] # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n";
        assert_eq!(too_deep(fine, MAX_YAML_DEPTH), None);
        assert!(parse_yaml(fine).is_ok());
        let text = format!(
            "description: |\n{}\ntitle: x\n",
            "  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n".repeat(3)
        );
        assert_eq!(too_deep(&text, MAX_YAML_DEPTH), None);
        assert!(parse_yaml(&text).is_ok());
        assert_eq!(too_deep("a:\n  b:\n    - [x, {y: [z]}]\n", 6), None);
        assert!(too_deep("a:\n  b:\n    - [x, {y: [z]}]\n", 5).is_some());
    }

    #[test]
    fn tags_one_or_many() {
        let f: FrontMatter = serde_yaml::from_str("tags: 合伙人，股权\n").unwrap();
        assert_eq!(f.tags.0, vec!["合伙人", "股权"]);
        let f: FrontMatter = serde_yaml::from_str("tags: [a, b]\n").unwrap();
        assert_eq!(f.tags.0, vec!["a", "b"]);
    }
}
