//! The core: one validated model of the community and the leaves it is made of.
//!
//! Owns the configuration (`site.toml`, every section), the members file, the
//! posts (loading, links, the reload cache), the delivery history (the
//! ledger's file format) and [`project::Project`], the one entry point that
//! opens all of them. Also the leaves every layer shares: diagnostics, time,
//! slugs, kinds, the Markdown renderer with its one sanitiser, the interface
//! language and the one atomic file writer.
//!
//! Must not import: `publish`, `archive`, `book`, `tools` (it is the bottom
//! layer; the architecture test in `tests/it/architecture.rs` enforces it).

pub mod atomic;
pub mod config;
pub mod content;
pub mod diag;
pub mod draw;
pub mod i18n;
pub mod kind;
pub mod ledger;
pub(crate) mod markdown;
pub mod members;
pub(crate) mod project;
pub mod reuse;
pub mod slug;
pub mod time;
pub mod trace;
pub(crate) mod watch;
pub(crate) mod yaml;
