//! Tools around the community: the `init`/`new` scaffolding and the JSON
//! Schemas for editors.
//!
//! May import: `core`, `publish`, `archive`, `book`. Nothing imports `tools`
//! except the command layer.

pub mod deploy;
pub mod import;
pub mod scaffold;
pub mod schema;
