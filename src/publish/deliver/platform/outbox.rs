//! The outbox: for personal WeChat groups, which have no bot API, each due
//! post becomes a plain-text file in `outbox/` that a person pastes into the
//! group (the calendar reminder tells them when). One file per post per
//! slot, named by the slot's local time and the column; a post longer than
//! one chat message is written as numbered parts separated by a cut line.

use super::super::render::{Dialect, Limit};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

/// Plain text.
pub const DIALECT: Dialect = Dialect::Plain;
/// One WeChat message stays readable (not folded) up to about this size.
pub const LIMIT: Limit = Limit::chars(2000);

/// The line between two parts of one post.
pub const CUT: &str = "✂ ─────────────";

/// The file name for a post in a slot: `2026-11-24-0800-zaobao-<slug>.txt`.
pub fn file_name(slot: DateTime<Utc>, tz: Tz, column: &str, slug: &str) -> String {
    let t = slot.with_timezone(&tz).format("%Y-%m-%d-%H%M");
    let slug: String = slug
        .chars()
        .map(|c| if c == '/' || c == '\\' { '-' } else { c })
        .collect();
    format!("{t}-{column}-{slug}.txt")
}

/// The file's text: the parts, separated by cut lines.
pub fn text(parts: &[String]) -> String {
    let mut s = parts.join(&format!("\n\n{CUT}\n\n"));
    s.push('\n');
    s
}

/// Writes `text` to `dir/name` atomically (temporary file, fsync, rename).
/// Writing the same text again is harmless, so an outbox delivery can always
/// be redone.
pub fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    crate::core::atomic::write(&path, text.as_bytes(), crate::core::atomic::Replace::Yes)?;
    Ok(path)
}

/// The outbox, in the platform table: plain text, written to files.
#[derive(Debug, Clone, Copy)]
pub struct Outbox;

impl super::Platform for Outbox {
    fn kind(&self) -> super::ChannelKind {
        super::ChannelKind::Outbox
    }
    fn text(&self) -> Option<(Dialect, Limit)> {
        Some((DIALECT, LIMIT))
    }
    fn writes_files(&self) -> bool {
        true
    }
    /// Never sent: the outbox writes a file instead. Built as the generic
    /// webhook's, the fields of the post.
    fn request(&self, m: &super::Outgoing<'_>) -> super::super::http::Prepared {
        super::webhook::Webhook.request(m)
    }
    fn answer(
        &self,
        r: &super::super::http::Reply,
        wait: chrono::Duration,
    ) -> super::super::http::Answer {
        super::webhook::Webhook.answer(r, wait)
    }
}
