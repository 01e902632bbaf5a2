//! The model of a post: sections, threads, answers, replies, and how a
//! post is seen at an instant.

use super::*;
use crate::core::kind::Kind;
use crate::core::markdown::{self, Rendered};
use crate::core::slug::encode_path;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The folder under the root that holds the posts.
pub const CONTENT_DIR: &str = "content";

/// A rendered piece of a post: its Markdown and the HTML/text made from it.
#[derive(Debug, Clone)]
pub struct Section {
    /// The Markdown as written.
    pub markdown: String,
    /// 1-based file line where it starts.
    pub line: usize,
    /// The rendered, sanitised result (links resolved for the archive);
    /// empty after [`Project::open`] with [`Depth::FrontMatter`](crate::core::content::Depth).
    pub rendered: Rendered,
}

impl Section {
    /// The section's plain text: the rendered text, or, when the section was
    /// loaded without rendering, the text of a fresh render.
    pub fn plain_text(&self) -> std::borrow::Cow<'_, str> {
        if !self.rendered.text.is_empty() || self.markdown.trim().is_empty() {
            return std::borrow::Cow::Borrowed(&self.rendered.text);
        }
        let r = markdown::render(
            &self.markdown,
            &markdown::RenderOptions {
                id_prefix: "",
                resolve: &markdown::keep_all,
                links: &[],
            },
        );
        std::borrow::Cow::Owned(r.text)
    }
}

/// A reply under an answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Author handle.
    pub author: String,
    /// The reply.
    pub body: Section,
}

/// An answer in a thread.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Author handle.
    pub author: String,
    /// The answer's own title, if it has one.
    pub title: Option<String>,
    /// The answer's text.
    pub body: Section,
    /// Replies under it.
    pub replies: Vec<Reply>,
    /// True for the accepted answer.
    pub accepted: bool,
}

/// The Q&A part of a thread.
#[derive(Debug, Clone)]
pub struct Thread {
    /// Who asked.
    pub asked_by: Option<String>,
    /// Open or solved.
    pub status: Status,
    /// Handle of the accepted answer's author.
    pub accepted: Option<String>,
    /// Handle of the summary's author.
    pub summary_by: Option<String>,
    /// Answers in file order.
    pub answers: Vec<Answer>,
    /// The summary.
    pub summary: Option<Section>,
}

impl Thread {
    /// The accepted answer, if any.
    pub fn accepted_answer(&self) -> Option<&Answer> {
        self.answers.iter().find(|a| a.accepted)
    }

    /// Distinct handles of everyone who answered or replied to an answer.
    /// The asker's own follow-ups (their replies under answers) are
    /// questions, not answers, so they do not make the asker an answerer.
    pub fn answerers(&self) -> BTreeSet<&str> {
        let asker = self.asked_by.as_deref();
        let mut s = BTreeSet::new();
        for a in &self.answers {
            s.insert(a.author.as_str());
            for r in &a.replies {
                if Some(r.author.as_str()) != asker {
                    s.insert(r.author.as_str());
                }
            }
        }
        s
    }
}

/// One post: a brief, a case or a Q&A thread.
#[derive(Debug, Clone)]
pub struct Post {
    /// Source file, relative to the site root (`content/qa/foo.md`).
    pub source: PathBuf,
    /// Kind of post.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Slug (explicit or made from the title).
    pub slug: String,
    /// Output path relative to the site root (`qa/<slug>.html`), unencoded.
    pub path: String,
    /// `id:` from the front matter, if given (see `archive::site::permalinks`).
    pub id: Option<String>,
    /// `aliases:` from the front matter, as written.
    pub aliases: Vec<String>,
    /// Pinned publish time, if any.
    pub publish_at: Option<DateTime<Utc>>,
    /// Expiry time, if any.
    pub expire_at: Option<DateTime<Utc>>,
    /// Draft flag.
    pub draft: bool,
    /// Column id.
    pub column: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Stage / cohort.
    pub stage: Option<String>,
    /// Author handles (for a thread: who wrote the post, if given).
    pub authors: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Explicit queue position.
    pub queue: Option<i64>,
    /// The main text: the whole body of a brief or case, the question of a thread.
    pub body: Section,
    /// The Q&A part, for threads.
    pub thread: Option<Thread>,
}

impl Post {
    /// The output path percent-encoded for an `href` relative to the site root.
    pub fn href(&self) -> String {
        encode_path(&self.path)
    }

    /// Whether the post is a solved thread or not a thread at all.
    pub fn is_publishable_kind(&self) -> bool {
        match &self.thread {
            Some(t) => t.status == Status::Solved,
            None => true,
        }
    }

    /// The time the post counts as published at: its pinned time, or the
    /// delivery time recorded for a queued post.
    pub fn effective_time(&self, delivered: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.publish_at.or(delivered)
    }

    /// Every handle the post credits, with duplicates.
    pub fn all_handles(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.authors.iter().map(|s| s.as_str()).collect();
        if let Some(t) = &self.thread {
            v.extend(t.asked_by.as_deref());
            v.extend(t.summary_by.as_deref());
            v.extend(t.accepted.as_deref());
            for a in &t.answers {
                v.push(&a.author);
                v.extend(a.replies.iter().map(|r| r.author.as_str()));
            }
        }
        v
    }

    /// The headings of the post's text, in the order of [`Post::full_text`]:
    /// the body's, then per answer its title and headings and its replies',
    /// then the summary's.
    pub fn headings(&self) -> Vec<String> {
        let texts = |s: &Section| {
            s.rendered
                .headings
                .iter()
                .map(|h| h.text.clone())
                .collect::<Vec<_>>()
        };
        let mut out = texts(&self.body);
        if let Some(t) = &self.thread {
            for a in &t.answers {
                out.extend(a.title.clone());
                out.extend(texts(&a.body));
                for r in &a.replies {
                    out.extend(texts(&r.body));
                }
            }
            if let Some(sum) = &t.summary {
                out.extend(texts(sum));
            }
        }
        out
    }

    /// All plain text of the post: the body, and for a thread every answer,
    /// reply and the summary (the accepted answer counts as part of the thread).
    pub fn full_text(&self) -> String {
        let mut s = self.body.rendered.text.clone();
        if let Some(t) = &self.thread {
            for a in &t.answers {
                s.push('\n');
                if let Some(title) = &a.title {
                    s.push_str(title);
                    s.push('\n');
                }
                s.push_str(&a.body.rendered.text);
                for r in &a.replies {
                    s.push('\n');
                    s.push_str(&r.body.rendered.text);
                }
            }
            if let Some(sum) = &t.summary {
                s.push('\n');
                s.push_str(&sum.rendered.text);
            }
        }
        s
    }
}

/// Why a post is or is not in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Published.
    Published,
    /// `draft: true`.
    Draft,
    /// Pinned to a time that has not come.
    Future,
    /// Queued without a time and not yet delivered.
    Queued,
    /// Past its `expire_at`.
    Expired,
    /// A thread that is not solved.
    Open,
}

/// What a build includes besides published posts.
#[derive(Debug, Clone, Copy, Default)]
pub struct IncludeOptions {
    /// Include drafts.
    pub drafts: bool,
    /// Include future and queued posts.
    pub future: bool,
    /// Include open threads (the live preview).
    pub open: bool,
}
