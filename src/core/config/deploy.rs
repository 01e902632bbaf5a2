//! `[deploy]`: where `qunshu deploy` publishes the built archive.

use crate::core::config::CONFIG_FILE;
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

/// The `[deploy]` table as written in `site.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeploy {
    /// The folder the archive is published to (a web server's document
    /// root, a mounted share, a GitHub Pages checkout), relative to the site
    /// folder unless absolute.
    #[schemars(with = "String")]
    target: Spanned<String>,
}

/// The validated `[deploy]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    /// The target folder, as written (relative to the site root unless absolute).
    pub target: PathBuf,
    /// Line of `target` in `site.toml`.
    pub line: usize,
}

/// Checks `[deploy]`; problems go to `diags` with their line.
pub fn validate(raw: Option<&RawDeploy>, text: &str, diags: &mut Diagnostics) -> Option<Deploy> {
    let raw = raw?;
    let v = raw.target.get_ref().trim();
    let line = line_of_offset(text, raw.target.span().start);
    if v.is_empty() || v.contains("://") {
        diags.push(
            Diagnostic::error(
                CONFIG_FILE,
                format!("`{v}` is not a folder; `target` is the folder the archive is published to (`/var/www/archive`, `../site-pages`)"),
            )
            .at_opt_line(Some(line))
            .field("deploy.target"),
        );
        return None;
    }
    Some(Deploy {
        target: PathBuf::from(v),
        line,
    })
}
