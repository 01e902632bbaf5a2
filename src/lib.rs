//! 群书 qunshu: schedule, archive and publish an online community's posts.
//!
//! Data flows one way:
//!
//! ```text
//! files (site.toml, content/**, members.yaml, themes/)
//!    └─ content::Community::load ──► Community { config, members, posts }  (+ diag::Diagnostics)
//!                  ├─ site::build ──► pages (tera) + feeds + sitemap ──► public/
//!                  └─ …
//! ```
//!
//! Loaders never render pages, renderers never read content files, and "now"
//! comes from one [`time::Clock`] so `--clock` reaches everything.

pub mod atomic;
pub mod book;
pub mod config;
pub mod content;
pub mod deliver;
pub mod diag;
pub mod import;
pub mod kind;
pub mod markdown;
pub mod scaffold;
pub mod schedule;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod time;

pub use config::SiteConfig;
pub use content::Community;
pub use kind::Kind;
