//! The `qunshu` command line: parses arguments and calls the library.
//! Each command lives in its own file under `src/cmd/`.

mod cmd;

/// mimalloc: many small allocations from several threads (parsing and
/// rendering thousands of posts in parallel) cost a third less than with
/// the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Send every post that is due now to its channels (for cron).
    Post(cmd::post::Args),
    /// Stay up and deliver each post when its slot comes.
    Run(cmd::run::Args),
    /// The delivery ledger in plain words: sent, failed, unknown, next due.
    Status(cmd::status::Args),
    /// Settle a delivery whose outcome is unknown: mark it sent, or send it again.
    Resolve(cmd::resolve::Args),
    /// Show the posting plan: slots, posts, gaps, clashes, events, duty (table, json or ics).
    Schedule(cmd::schedule::Args),
    /// A duty week in figures: threads asked and solved, answerers, posts out.
    Report(cmd::report::Args),
    /// Export a credited book: EPUB 3, print-ready HTML, PDF and Markdown.
    Book(cmd::book::Args),
    /// Search the built archive (every post that contains the query).
    Search(cmd::search::Args),
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
        Command::Post(a) => cmd::post::run(&cli.root, a),
        Command::Run(a) => cmd::run::run(&cli.root, a),
        Command::Status(a) => cmd::status::run(&cli.root, a),
        Command::Resolve(a) => cmd::resolve::run(&cli.root, a),
        Command::Schedule(a) => cmd::schedule::run(&cli.root, a),
        Command::Report(a) => cmd::report::run(&cli.root, a),
        Command::Book(a) => cmd::book::run(&cli.root, a),
        Command::Search(a) => cmd::search::run(&cli.root, a),
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
