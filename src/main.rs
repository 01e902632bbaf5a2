//! The `qunshu` command line: parses arguments and calls the library.
//! Each command lives in its own file under `src/cmd/`.

mod cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// 群书 qunshu — schedule, archive and publish your community's posts.
///
/// Organisers write Markdown (daily briefs, Q&A threads, case breakdowns);
/// qunshu checks it, builds a static archive searchable in Chinese, plans
/// and delivers posts to chat groups, and exports a credited book.
#[derive(Parser, Debug)]
#[command(name = "qunshu", version, about, long_about)]
struct Cli {
    /// The folder that holds site.toml.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the static archive into public/ (or --out DIR).
    Build(cmd::build::Args),
    /// Check site.toml, members and every post; write nothing.
    Check(cmd::check::Args),
    /// Create a new community in DIR: site.toml, members, one post of each kind.
    Init(cmd::init::Args),
    /// Start a new post (a draft) with the right front matter; prints its path.
    New(cmd::new::Args),
    /// Write JSON Schemas for front matter, members.yaml and site.toml.
    Schema(cmd::schema::Args),
    /// Preview the archive while you write; the browser reloads on every save.
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(a) => cmd::build::run(&cli.root, a),
        Command::Check(a) => cmd::check::run(&cli.root, a),
        Command::Init(a) => cmd::init::run(&cli.root, a),
        Command::New(a) => cmd::new::run(&cli.root, a),
        Command::Schema(a) => cmd::schema::run(&cli.root, a),
        Command::Serve(a) => cmd::serve::run(&cli.root, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
