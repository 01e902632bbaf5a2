//! The three kinds of post a community publishes.
//!
//! A leaf of `core`: imports nothing of ours.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of post: a daily brief, a Q&A thread or a case breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 早报: a daily brief.
    Brief,
    /// 问答: a Q&A thread with answers, an accepted answer and a summary.
    Qa,
    /// 案例拆解: a case breakdown.
    Case,
}

impl Kind {
    /// All kinds, in display order.
    pub const ALL: [Kind; 3] = [Kind::Brief, Kind::Qa, Kind::Case];

    /// The identifier used in files and on the command line (`brief`, `qa`, `case`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Brief => "brief",
            Kind::Qa => "qa",
            Kind::Case => "case",
        }
    }

    /// The folder under `content/` (and under the output) that holds this kind.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Brief => "briefs",
            Kind::Qa => "qa",
            Kind::Case => "cases",
        }
    }

    /// Parses `brief`, `qa` or `case` (plural folder names are accepted too).
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "brief" | "briefs" => Some(Kind::Brief),
            "qa" | "thread" | "threads" => Some(Kind::Qa),
            "case" | "cases" => Some(Kind::Case),
            _ => None,
        }
    }

    /// The kind whose folder is `dir`.
    pub fn from_dir(dir: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir() == dir)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
