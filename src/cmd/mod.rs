//! One file per command. Each exposes `Args` (clap) and `run`.

pub(crate) mod book;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod deploy;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod post;
pub(crate) mod report;
pub(crate) mod resolve;
pub(crate) mod run;
pub(crate) mod schedule;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod status;

use qunshu::core::diag::Diagnostics;
use qunshu::Project;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Reads `site.toml` alone, printing its problems; fails on errors.
pub(crate) fn load_config(root: &Path) -> anyhow::Result<qunshu::SiteConfig> {
    qunshu::SiteConfig::load(root).map_err(|d| {
        print_diags(&d);
        qunshu::core::diag::Failed {
            errors: d.error_count().max(1),
        }
        .into()
    })
}

/// Prints diagnostics to stderr, sorted by file and line, each at most once
/// per command: a command that reads a post again (the plan's front matter,
/// then the body of a post it prints) reports its front matter once.
pub(crate) fn print_diags(diags: &Diagnostics) {
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
pub(crate) struct Console;

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
pub(crate) fn load(root: &Path, strict: bool) -> anyhow::Result<Project> {
    finish_load(
        Project::open(root, qunshu::core::content::Depth::Rendered),
        strict,
    )
}

/// Like [`load`], without rendering Markdown (for commands that only plan).
pub(crate) fn load_metadata(root: &Path, strict: bool) -> anyhow::Result<Project> {
    finish_load(
        Project::open(root, qunshu::core::content::Depth::FrontMatter),
        strict,
    )
}

/// Reads the text of the posts at `sources` into a community loaded with
/// [`load_metadata`], printing the problems found; fails on errors.
pub(crate) fn load_text(c: &mut Project, sources: &[PathBuf]) -> anyhow::Result<()> {
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
