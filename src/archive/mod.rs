//! The archive: the static site, its search index and the live preview.
//!
//! Owns page rendering (themes, feeds, sitemap, the atomic output swap), the
//! search index (written at build time and answered by `qunshu search`) and
//! `serve` (an in-memory site with a watcher and live reload).
//!
//! May import: `core`. Must not import: `publish`, `book`, `tools`.
//! Inside: `serve` uses `site` and `search`; `site` uses `search`.

pub mod search;
pub mod serve;
pub mod site;
