//! `qunshu schema`

use qunshu::core::config::SiteConfig;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Write JSON Schemas for post front matter (one per kind), members.yaml
/// and site.toml, so editors complete field names and flag mistakes.
///
/// See the README ("Writing and live preview") for the VS Code settings
/// that use them. Existing schema files are replaced.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Folder to write the schemas to [default: ROOT/schema].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `qunshu schema`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = match SiteConfig::load(root) {
        Ok(c) => Some(c),
        Err(d) => {
            super::print_diags(&d);
            eprintln!("note: site.toml could not be read, so `column:` is not limited to the site's columns");
            None
        }
    };
    let out = args.out.unwrap_or_else(|| root.join("schema"));
    std::fs::create_dir_all(&out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    for f in qunshu::tools::schema::all(config.as_ref()) {
        let path = out.join(&f.name);
        let mut text = serde_json::to_string_pretty(&f.schema)?;
        text.push('\n');
        qunshu::core::atomic::write(&path, text.as_bytes(), qunshu::core::atomic::Replace::Yes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}  ({})", path.display(), f.describes);
    }
    Ok(ExitCode::SUCCESS)
}
