//! Scheduling: column slots, the posting plan, recurring events, the duty
//! rota and the calendar export.
//!
//! * [`slots`] — the instants at which a column posts (DST-correct).
//! * [`plan`](mod@plan) — [`planned_times`] (every post's planned time; what
//!   the delivery engine asks) and [`plan()`] (a date range's view for
//!   `qunshu schedule`).
//! * [`events`] — `[[events]]`: RFC 5545 recurring events.
//! * [`rota`] — `[rota]`: who is on admin duty when.
//! * [`ics`] — the iCalendar writer.
//! * [`report`] — a duty week in figures.
//! * [`pin`] — freezing the plan into front matter.
//!
//! May import `core`; must not import `archive`, `book` or `tools`.

pub mod ics;
pub mod pin;
pub mod plan;
pub mod report;
pub(crate) mod slots;

pub use crate::core::config::events::{Event, Occurrence};
pub use crate::core::config::rota::{Duty, Rota};
pub use plan::{
    day_label, plan, planned_times, Clash, Entry, EntryStatus, Plan, PlannedPost, PostStatus,
    Runway, Schedule,
};

use crate::core::config::Lang;
use crate::core::content::{Members, Post};

/// The copy-ready plain text of a post, for pasting into a chat group (the
/// calendar reminder's description): the title, the body as plain text and,
/// for a thread, the accepted answer credited as its author chose.
///
/// The delivery engine's WeChat outbox has its own rendering; the two are
/// meant to be unified.
pub fn copy_text(post: &Post, members: &Members, lang: Lang) -> String {
    let mut s = String::new();
    s.push_str(post.title.trim());
    s.push_str("\n\n");
    s.push_str(post.body.plain_text().trim());
    if let Some(a) = post.thread.as_ref().and_then(|t| t.accepted_answer()) {
        let who = members.credit(&a.author);
        let label = crate::core::i18n::text::schedule::ACCEPTED_ANSWER
            .fill(lang, &[("who", &who.display(lang))]);
        s.push_str("\n\n");
        s.push_str(&label);
        s.push('\n');
        if let Some(t) = &a.title {
            s.push_str(t.trim());
            s.push('\n');
        }
        s.push_str(a.body.plain_text().trim());
    }
    s.push('\n');
    s
}
