//! `qunshu new brief|qa|case TITLE`

use qunshu::core::time::Clock;
use qunshu::tools::scaffold::{new_post, NewPost};
use qunshu::Kind;
use std::path::Path;
use std::process::ExitCode;

/// Start a new post: a draft with the right front matter (for a thread, the
/// skeleton of the question, an answer and the summary) in the right folder.
///
/// Prints the new file's path.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The kind of post: brief, qa or case.
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    pub kind: Kind,
    /// The post's title (quote it if it has spaces).
    #[arg(value_name = "TITLE")]
    pub title: String,
    /// The column (an id from site.toml); defaults to the first column of the kind.
    #[arg(long, value_name = "ID")]
    pub column: Option<String>,
    /// Open the new file in $VISUAL or $EDITOR.
    #[arg(long)]
    pub edit: bool,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s)
        .ok_or_else(|| format!("`{s}` is not a kind of post (expected brief, qa or case)"))
}

/// Runs `qunshu new`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = super::load_config(root)?;
    let today = Clock::system(config.tz).today();
    let rel = new_post(
        &config,
        &NewPost {
            kind: args.kind,
            title: &args.title,
            column: args.column.as_deref(),
            today,
        },
    )?;
    let path = root.join(&rel);
    println!("{}", path.display());
    if args.edit {
        let editor = std::env::var("VISUAL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.trim().is_empty()))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--edit needs an editor: set EDITOR (for example `export EDITOR=\"code -w\"`); the file was created at {}",
                    path.display()
                )
            })?;
        let mut parts = editor.split_whitespace();
        let program = parts.next().unwrap_or_default();
        let status = std::process::Command::new(program)
            .args(parts)
            .arg(&path)
            .status()
            .map_err(|e| anyhow::anyhow!("cannot start the editor `{editor}`: {e}"))?;
        if !status.success() {
            anyhow::bail!("the editor `{editor}` exited with {status}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
