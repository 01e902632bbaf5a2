//! 群书 qunshu: schedule, archive and publish an online community's posts.
//!
//! Data flows one way:
//!
//! ```text
//! files (site.toml, content/**, members.yaml, themes/)
//!    └─ content::Project::load ──► Project { config, members, posts }  (+ diag::Diagnostics)
//!                  ├─ site::build ──► pages (tera) + feeds + sitemap ──► public/
//!                  └─ …
//! ```
//!
//! Loaders never render pages, renderers never read content files, and "now"
//! comes from one [`time::Clock`] so `--clock` reaches everything.

pub mod archive;
pub mod book;
pub mod core;
pub mod publish;
pub mod tools;

pub use crate::core::config::SiteConfig;
pub use crate::core::kind::Kind;
pub use crate::core::project::Project;
