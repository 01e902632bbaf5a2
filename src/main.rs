//! The `qunshu` command line: parses arguments and calls the library.
//! Each command lives in its own file under `src/cmd/`.

/// Standard output and error for every command. `println!`, `print!`,
/// `eprintln!` and `eprint!` are shadowed here, before the commands are
/// declared, so every command writes through [`output::write`]: a closed pipe
/// (`qunshu status | head -1`) no longer panics; the command finishes its work
/// quietly and exits with status 0.
#[macro_use]
mod output {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Set when writing to standard output failed for a reason other than a
    /// closed pipe (a full disk): the command then exits with status 1.
    static FAILED: AtomicBool = AtomicBool::new(false);
    /// Set once the reader of standard output has gone: nothing more is written.
    static CLOSED: AtomicBool = AtomicBool::new(false);

    /// Which stream a print goes to.
    #[derive(Clone, Copy)]
    pub(crate) enum Stream {
        /// Standard output.
        Out,
        /// Standard error.
        Err,
    }

    /// Writes to a stream. A closed pipe ends the output silently; any other
    /// failure on standard output is reported once on standard error and
    /// makes the command fail. Failures on standard error itself are ignored:
    /// there is nowhere left to report them.
    pub(crate) fn write(stream: Stream, args: std::fmt::Arguments<'_>) {
        match stream {
            Stream::Err => {
                let _ = std::io::stderr().lock().write_fmt(args);
            }
            Stream::Out => {
                if CLOSED.load(Ordering::Relaxed) {
                    return;
                }
                if let Err(e) = std::io::stdout().lock().write_fmt(args) {
                    if is_broken_pipe(&e) {
                        CLOSED.store(true, Ordering::Relaxed);
                    } else if !FAILED.swap(true, Ordering::Relaxed) {
                        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
                    }
                }
            }
        }
    }

    /// True for the error of writing to a pipe whose reader has gone.
    pub(crate) fn is_broken_pipe(e: &std::io::Error) -> bool {
        e.kind() == std::io::ErrorKind::BrokenPipe
    }

    /// True when writing to standard output failed (other than a closed pipe).
    pub(crate) fn failed() -> bool {
        FAILED.load(Ordering::Relaxed)
    }

    /// Installs a panic hook that ends the process quietly with status 0 when
    /// the library itself prints to a closed pipe (`serve`'s messages); every
    /// other panic is reported as usual.
    pub(crate) fn quiet_on_closed_pipe() {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe).to_string();
            if msg.starts_with("failed printing to std")
                && (msg.contains(&closed) || msg.contains("Broken pipe"))
            {
                std::process::exit(0);
            }
            default(info);
        }));
    }

    macro_rules! println {
        () => { $crate::output::write($crate::output::Stream::Out, format_args!("\n")) };
        ($($arg:tt)*) => {
            $crate::output::write($crate::output::Stream::Out, format_args!("{}\n", format_args!($($arg)*)))
        };
    }
    macro_rules! print {
        ($($arg:tt)*) => { $crate::output::write($crate::output::Stream::Out, format_args!($($arg)*)) };
    }
    macro_rules! eprintln {
        () => { $crate::output::write($crate::output::Stream::Err, format_args!("\n")) };
        ($($arg:tt)*) => {
            $crate::output::write($crate::output::Stream::Err, format_args!("{}\n", format_args!($($arg)*)))
        };
    }
    #[allow(unused_macros)]
    macro_rules! eprint {
        ($($arg:tt)*) => { $crate::output::write($crate::output::Stream::Err, format_args!($($arg)*)) };
    }
}

mod cmd;

// The system allocator: mimalloc was measured against it (BENCHMARKS.md,
// "Allocator") and cost more CPU time, so it is not used.

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
    /// Turn a chat export (Telegram, Discord, Slack, WeChat, 知识星球) into Q&A thread drafts.
    Import(cmd::import::Args),
    /// Publish the built archive to the `[deploy]` folder or S3-compatible bucket, uploading only what changed.
    Deploy(cmd::deploy::Args),
}

fn main() -> ExitCode {
    output::quiet_on_closed_pipe();
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
        Command::Import(a) => cmd::import::run(&cli.root, a),
        Command::Deploy(a) => cmd::deploy::run(&cli.root, a),
    };
    match result {
        Ok(_) if output::failed() => ExitCode::FAILURE,
        Ok(code) => code,
        // A command that wrote its output straight to a closed pipe.
        Err(e)
            if e.chain()
                .filter_map(|c| c.downcast_ref::<std::io::Error>())
                .any(output::is_broken_pipe) =>
        {
            ExitCode::SUCCESS
        }
        // Problems with their files and lines: one line each, then the count.
        Err(e) if e.downcast_ref::<qunshu::core::diag::Problems>().is_some() => {
            if let Some(p) = e.downcast_ref::<qunshu::core::diag::Problems>() {
                cmd::print_diags(&p.0);
                eprintln!(
                    "error: {}",
                    qunshu::core::diag::Failed {
                        errors: p.0.error_count()
                    }
                );
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
