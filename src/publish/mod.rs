//! Publishing: planning posts into slots and delivering them to chat platforms.
//!
//! Owns the schedule (slots, pins, clashes, ics/json, the duty report) and
//! delivery (sessions, platforms, message rendering, the lock and the outbox).
//!
//! May import: `core`. Must not import: `archive`, `book`, `tools`.

pub mod deliver;
pub mod schedule;
