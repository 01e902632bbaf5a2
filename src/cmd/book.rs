//! `qunshu book`

use qunshu::book::{self, Book, Format};
use qunshu::core::time::Clock;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Export a credited book: EPUB 3, a print-ready HTML page, a PDF and a Markdown file.
///
/// The book is defined in site.toml: `[book]` (the default) or `[books.NAME]`.
/// Every chapter names its contributors; a contributors index closes the
/// book; members appear as their privacy setting allows (anonymous members
/// are counted, never named). The same content gives byte-identical EPUB and
/// HTML files.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The book to make: NAME of a `[books.NAME]` table (default: `[book]`).
    pub name: Option<String>,
    /// The folder to write into (created if needed; relative to --root
    /// unless absolute, like `build --out`).
    #[arg(long, value_name = "DIR", default_value = "book-out")]
    pub out: PathBuf,
    /// Formats, comma-separated: epub, html, pdf, md (default: all). The PDF
    /// is typeset by the embedded typst engine (built without the `typst`
    /// feature: printed by Chromium, and skipped with a message when
    /// Chromium is missing, unless asked for).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub format: Option<Vec<String>>,
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site): decides which posts are published.
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// List the books defined in site.toml and exit.
    #[arg(long)]
    pub list: bool,
    /// Give Chromium this many seconds to print the PDF (only when built
    /// without the `typst` feature).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub pdf_timeout: u64,
}

/// Runs `qunshu book`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let explicit = args.format.is_some();
    let mut formats = Vec::new();
    for f in args
        .format
        .clone()
        .unwrap_or_else(|| vec!["epub".into(), "html".into(), "pdf".into(), "md".into()])
    {
        if f.trim().is_empty() {
            continue;
        }
        match Format::parse(&f) {
            Some(v) if !formats.contains(&v) => formats.push(v),
            Some(_) => {}
            None => anyhow::bail!(
                "`{f}` is not a book format (expected epub, html, pdf or md, comma-separated)"
            ),
        }
    }
    if formats.is_empty() {
        anyhow::bail!("--format names no format (expected epub, html, pdf or md, comma-separated)");
    }
    if !explicit && !book::pdf::TYPESET && book::pdf::find_chromium().is_none() {
        formats.retain(|f| *f != Format::Pdf);
        eprintln!("note: {}", book::pdf::PdfError::NoBrowser);
    }
    let c = super::load(root, args.strict)?;
    let loaded = started.elapsed();
    if args.list {
        let b = &c.config.books;
        if let Some(d) = &b.default {
            println!(
                "{}\t{}",
                d.name,
                d.title.as_deref().unwrap_or(&c.config.title)
            );
        }
        for (n, d) in &b.named {
            println!("{n}\t{}", d.title.as_deref().unwrap_or(&c.config.title));
        }
        if b.default.is_none() && b.named.is_empty() {
            println!("(no [book] in site.toml: `qunshu book` makes a book of every solved thread and case)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let clock = Clock::from_arg(args.clock.as_deref(), c.config.tz).map_err(anyhow::Error::msg)?;
    let cfg = c
        .config
        .books
        .pick(args.name.as_deref())
        .map_err(anyhow::Error::msg)?;
    let need_frags = formats.iter().any(|f| *f != Format::Md);
    let (book, diags) = match Book::make(&c, cfg, &clock, need_frags) {
        Ok(v) => v,
        Err(d) => {
            super::print_diags(&d);
            return Err(qunshu::core::diag::Failed {
                errors: d.error_count().max(1),
            }
            .into());
        }
    };
    let mut diags = diags;
    if args.strict {
        diags.make_strict();
    }
    super::print_diags(&diags);
    if diags.fails(args.strict) {
        return Err(qunshu::core::diag::Failed {
            errors: diags.error_count().max(1),
        }
        .into());
    }
    let made = started.elapsed();
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        root.join(&args.out)
    };
    let (written, pdf_problem) =
        book::write(&book, &out, &formats, Duration::from_secs(args.pdf_timeout))?;
    let sections = book.sections().count();
    println!(
        "book `{}`: 《{}》, {} chapters, {} sections, {} contributors{}",
        book.config.name,
        book.title,
        book.chapters.len(),
        sections,
        book.credits.index.len(),
        if book.credits.anonymous_people > 0 {
            format!(" (+{} anonymous)", book.credits.anonymous_people)
        } else {
            String::new()
        }
    );
    for w in &written {
        println!(
            "  {:<5} {} ({})",
            w.format.ext(),
            w.path.display(),
            human(w.bytes)
        );
    }
    println!(
        "done in {} ms (load {} ms, book {} ms, write {} ms)",
        started.elapsed().as_millis(),
        loaded.as_millis(),
        (made - loaded).as_millis(),
        (started.elapsed() - made).as_millis()
    );
    if let Some(e) = pdf_problem {
        eprintln!("error: {e}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn human(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
