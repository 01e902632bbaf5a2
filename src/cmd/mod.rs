//! One file per command. Each exposes `Args` (clap) and `run`.

pub mod book;
pub mod build;
pub mod check;
pub mod deploy;
pub mod init;
pub mod new;
pub mod post;
pub mod report;
pub mod resolve;
pub mod run;
pub mod schedule;
pub mod schema;
pub mod search;
pub mod serve;
pub mod status;

use qunshu::core::diag::Diagnostics;
use qunshu::Project;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Prints diagnostics to stderr, sorted by file and line, each at most once
/// per command: a command that reads a post again (the plan's front matter,
/// then the body of a post it prints) reports its front matter once.
pub fn print_diags(diags: &Diagnostics) {
    static PRINTED: std::sync::Mutex<BTreeSet<String>> = std::sync::Mutex::new(BTreeSet::new());
    let mut printed = PRINTED.lock().unwrap_or_else(|e| e.into_inner());
    for d in diags.sorted() {
        let line = d.to_string();
        if !printed.contains(&line) {
            eprintln!("{line}");
            printed.insert(line);
        }
    }
}

/// Prints what the library has to say: diagnostics as [`print_diags`]
/// does, result lines to stdout, warnings and errors to stderr.
pub struct Console;

impl qunshu::publish::deliver::session::Say for Console {
    fn diagnostics(&mut self, d: &Diagnostics) {
        print_diags(d);
    }
    fn out(&mut self, line: &str) {
        println!("{line}");
    }
    fn err(&mut self, line: &str) {
        eprintln!("{line}");
    }
}

/// Loads the community, printing every diagnostic. Fails (after printing)
/// on errors, or on warnings with `strict`.
pub fn load(root: &Path, strict: bool) -> anyhow::Result<Project> {
    finish_load(
        Project::open(root, qunshu::core::content::Depth::Rendered),
        strict,
    )
}

/// Like [`load`], without rendering Markdown (for commands that only plan).
pub fn load_metadata(root: &Path, strict: bool) -> anyhow::Result<Project> {
    finish_load(
        Project::open(root, qunshu::core::content::Depth::FrontMatter),
        strict,
    )
}

/// Reads the text of the posts at `sources` into a community loaded with
/// [`load_metadata`], printing the problems found; fails on errors.
pub fn load_text(c: &mut Project, sources: &[PathBuf]) -> anyhow::Result<()> {
    finish_bodies(c.load_text(sources.iter().map(PathBuf::as_path)))
}

fn finish_bodies(diags: Diagnostics) -> anyhow::Result<()> {
    print_diags(&diags);
    if diags.error_count() > 0 {
        return Err(qunshu::core::diag::Failed {
            errors: diags.error_count(),
        }
        .into());
    }
    Ok(())
}

fn finish_load(
    (community, mut diags): (Option<Project>, Diagnostics),
    strict: bool,
) -> anyhow::Result<Project> {
    if strict {
        diags.make_strict();
    }
    print_diags(&diags);
    match community {
        // The load filled the delivery times from the ledger.
        Some(c) if !diags.fails(strict) => Ok(c),
        _ => Err(qunshu::core::diag::Failed {
            errors: diags.error_count().max(1),
        }
        .into()),
    }
}
