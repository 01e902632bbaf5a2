//! Delivery: sending due posts to chat platforms, exactly as planned and
//! never twice.
//!
//! The plan (`crate::publish::schedule`) says which post is due in which slot; each
//! `[[channels]]` entry of `site.toml` that carries the post's column gets
//! it, rendered for what the platform can show ([`render`]) and split into
//! numbered parts when it is longer than the platform's limit. Every step is
//! written to the [`ledger`] before and after the request, under the
//! [`lock`], paced under the platform's rate limit ([`pacing`]). Channels
//! deliver in parallel, one worker thread each, so a rate-limited channel
//! delays only itself; the ledger keeps one writer.
//!
//! One file per platform ([`platform`]) holds its dialect, limit, @all,
//! request shape, signing and the meaning of its answers, behind one trait
//! ([`Platform`]) in one table ([`platform::of`]).
//!
//! A [`session::Session`] is the one way in: lock, ledger, due posts, read,
//! then [`decide`] for each post and channel what to send, skip or report,
//! for a real run and a dry run alike. [`daemon`] is `qunshu run`'s loop.
//! The rest, one concept a file: [`due`] (the plan turned into work),
//! [`message`] (a post as a platform's message), [`secrets`], [`send`] (the
//! workers and the ledger's one writer), [`http`], [`words`] (what delivery
//! says, in the interface language).
//!
//! Owns: delivery, the outbox, the ledger's writes. May import `core` and
//! `publish::schedule`; must not import `archive`, `book` or `tools` (a
//! rebuild after delivery is the caller's).

pub mod daemon;
pub(crate) mod decide;
pub(crate) mod due;
pub(crate) mod http;
pub mod lock;
pub(crate) mod message;
pub(crate) mod pacing;
pub mod platform;
pub(crate) mod render;
pub(crate) mod secrets;
pub(crate) mod send;
pub mod session;
pub mod words;

pub use due::{due_now, next_due, publish_without_channel, take_clashes, upcoming, Clash, Due};
pub use message::{doc, post_url, render_for, webhook_fields, Message};
pub use platform::{outbox, AtAll, Platform};
pub use secrets::Secrets;
pub use send::{Outcome, Report, Run};

pub use crate::core::config::channels::{self, Channel, ChannelKind};
pub use crate::core::ledger::{self, Cause, Ledger, State};

use std::path::{Path, PathBuf};

/// The state folder of a site (`ROOT/.qunshu`).
pub fn state_dir(root: &Path) -> PathBuf {
    root.join(ledger::STATE_DIR)
}
