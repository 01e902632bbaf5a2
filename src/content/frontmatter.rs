//! Front matter: the YAML block between `---` lines at the top of a post.

use serde::Deserialize;

/// The front matter fields of every kind of post, as written.
///
/// Unknown fields are rejected so a misspelt `pubish_at` never passes
/// silently. Times stay strings here; the loader reads them in the site's
/// time zone and reports bad ones with their line.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Title (required).
    pub title: Option<String>,
    /// Explicit slug; wins over the one made from the title.
    pub slug: Option<String>,
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
}

/// A list that may be written as a single string.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(from = "OneOrManyRaw")]
pub struct OneOrMany(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrManyRaw {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrManyRaw> for OneOrMany {
    fn from(r: OneOrManyRaw) -> Self {
        let v = match r {
            OneOrManyRaw::One(s) => s
                .split([',', '，'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
            OneOrManyRaw::Many(v) => v
                .into_iter()
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
        };
        OneOrMany(v)
    }
}

/// A file split into its front matter and body.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    /// The YAML text between the `---` lines.
    pub yaml: &'a str,
    /// 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// 1-based file line where the body starts.
    pub body_line: usize,
}

/// Splits a post into front matter and body, or says in plain words why not.
/// Errors carry the 1-based line they concern.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
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

/// The 1-based file line of `field:` inside a front matter block starting at `yaml_line`.
pub fn field_line(yaml: &str, yaml_line: usize, field: &str) -> Option<usize> {
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

    #[test]
    fn tags_one_or_many() {
        let f: FrontMatter = serde_yaml::from_str("tags: 合伙人，股权\n").unwrap();
        assert_eq!(f.tags.0, vec!["合伙人", "股权"]);
        let f: FrontMatter = serde_yaml::from_str("tags: [a, b]\n").unwrap();
        assert_eq!(f.tags.0, vec!["a", "b"]);
    }
}
