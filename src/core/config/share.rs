//! `[share]`: how pages look when a link is shared (Open Graph cards).

use crate::core::config::CONFIG_FILE;
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use serde::Deserialize;
use toml::Spanned;

/// The `[share]` table as written in `site.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShare {
    /// The image every page without its own card shows when shared: a path
    /// in the built archive (`images/share.png`, copied from
    /// `content/images/share.png`) or an absolute `https://` URL.
    #[schemars(with = "Option<String>")]
    image: Option<Spanned<String>>,
    /// Render a PNG card per post (`true`, the default).
    cards: Option<bool>,
}

/// The validated `[share]` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Share {
    /// Absolute URL or path relative to the site root of the default image.
    pub image: Option<String>,
    /// Whether each post gets its own PNG card.
    pub no_cards: bool,
}

/// Checks `[share]`; problems go to `diags` with their line.
pub(crate) fn validate(raw: Option<&RawShare>, text: &str, diags: &mut Diagnostics) -> Share {
    let Some(raw) = raw else {
        return Share::default();
    };
    let image = raw.image.as_ref().and_then(|s| {
        let v = s.get_ref().trim();
        let bad = v.is_empty()
            || v.starts_with("http://") && v.len() <= 7
            || !(v.starts_with("https://") || v.starts_with("http://"))
                && (v.starts_with('/') || v.split('/').any(|p| p.is_empty() || p == ".."));
        if bad {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{v}` is neither a path inside the archive (`images/share.png`) nor an absolute URL"),
                )
                .at_opt_line(Some(line_of_offset(text, s.span().start)))
                .field("share.image"),
            );
            return None;
        }
        Some(v.to_string())
    });
    Share {
        image,
        no_cards: raw.cards == Some(false),
    }
}
