//! Search: a static index that finds every document containing the query.
//!
//! The archive is plain files, so the index is too: [`index::write_index`]
//! writes `search/` into the built site (a manifest, hashed shards of
//! postings, one small file per document), and both the browser
//! (`themes/default/src/search.js`, shipped minified) and `qunshu search`
//! ([`query::Index`]) answer queries from those files with the same
//! algorithm. Chinese needs no dictionary: text is indexed as overlapping
//! character pairs with positions, so any substring is found, including new
//! words and strings that cross word boundaries, and nothing else is.
//!
//! - [`normalize`]: the one normalisation table (NFKC-equivalent folding,
//!   case, full/half width), exported into the index for the browser.
//! - [`codec`]: posting lists as Rice-coded bit strings in base64 text.
//! - [`index`]: building terms, shards and per-document files.
//! - [`pack`]: packing the entries into few files, and finding them again.
//! - [`query`]: evaluating a query and cutting excerpts.
//!
//! May import `core`; must not import `publish`, `book`, `tools`, or
//! `site`/`serve`.
//! - [`suggest`]: what to offer when a query finds nothing.

pub(crate) mod codec;
pub mod index;
pub mod normalize;
pub(crate) mod pack;
pub mod query;
pub(crate) mod suggest;

pub use index::{write_index, Doc, Stats};
pub use query::{Excerpt, Hit, Index};

/// The folder of the built site that holds the index.
pub const DIR: &str = "search";
