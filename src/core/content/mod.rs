//! The posts: `content/**.md` read, checked and rendered into the model
//! ([`Post`], [`Thread`]) that [`crate::core::project::Project`] holds.
//!
//! Loading runs in three passes: files are read and their front matter
//! parsed in parallel; then URLs are assigned and checked for duplicates
//! (this needs every post); then Markdown is rendered in parallel with links
//! between posts resolved. Problems are collected as diagnostics, never
//! panics, and every one names the file, the line and the field.
//!
//! Owns the model of a post and its loading. Imports config, members,
//! markdown and the leaves; must not import `project` or anything above
//! `core`.

pub(crate) mod cache;
pub(crate) mod frontmatter;
pub(crate) mod links;
pub(crate) mod load;
mod model;
pub(crate) mod thread;
pub(crate) mod walk;

pub use crate::core::members::{Credit, Member, Members, Privacy};
pub(crate) use cache::load_posts_cached;
pub use cache::LoadCache;
pub(crate) use links::resolve_link;
pub use load::Depth;
pub(crate) use load::{build_post, load_posts, parse_file};
pub use model::*;
pub use thread::Status;
