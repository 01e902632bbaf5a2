//! Diagnostics: problems found in a community's files, collected rather than
//! thrown one at a time.
//!
//! Every loader pushes [`Diagnostic`]s into a [`Diagnostics`] list so that
//! `qunshu check` can report *all* problems of a run at once. A diagnostic
//! names the file (relative to the site root), the line when it is known,
//! the field when one is involved, and says in plain words what was found
//! and what was expected.
//!
//! A leaf of `core`: imports nothing of ours.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something the organiser should look at; the build goes on
    /// (and fails under `--strict`).
    Warning,
    /// The build cannot go on.
    Error,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line number, when known.
    pub line: Option<usize>,
    /// The field or key involved (`publish_at`, `columns[1].times`), when any.
    pub field: Option<String>,
    /// What was found and what was expected, in plain words.
    pub message: String,
}

impl Diagnostic {
    /// A new error about `file`.
    pub fn error(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            line: None,
            field: None,
            message: message.into(),
        }
    }

    /// A new warning about `file`.
    pub fn warning(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// Sets the line (1-based).
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line if one is known.
    pub fn at_opt_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Sets the field name.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A list of diagnostics gathered during one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds all diagnostics of another list.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// All diagnostics, sorted by file and line for stable output.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        v
    }

    /// Every diagnostic, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// True when there is at least one error, or (with `strict`) any warning.
    pub fn fails(&self, strict: bool) -> bool {
        self.error_count() > 0 || (strict && !self.items.is_empty())
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Turns a byte offset in `text` into a 1-based line number.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Line numbers of byte offsets in one text, for many look-ups: the line
/// starts are found once, then each look-up is a binary search (where
/// [`line_of_offset`] counts the lines before the offset every time, which
/// is quadratic for a file with many headings).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of every `\n` in the text, in order.
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> Self {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The 1-based line of byte `offset` (as [`line_of_offset`] gives it).
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
    }
}

/// The error type of a run that failed because of problems in the content:
/// the diagnostics have already been printed; this says how many.
#[derive(Debug)]
pub struct Failed {
    /// Number of errors reported.
    pub errors: usize,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.errors == 1 {
            write!(f, "1 problem must be fixed first (see above)")
        } else {
            write!(
                f,
                "{} problems must be fixed first (see above)",
                self.errors
            )
        }
    }
}

impl std::error::Error for Failed {}

/// The error of a step that found problems it can name (file, line, field)
/// but that runs after loading, such as the check of output paths: it
/// carries the diagnostics, one per line when shown.
#[derive(Debug)]
pub struct Problems(pub Diagnostics);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.sorted().iter().map(|d| d.to_string()).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_line_of_offset() {
        let text = "a\nbc\n\n中文\nend";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line(offset), line_of_offset(text, offset), "{offset}");
        }
    }
}
