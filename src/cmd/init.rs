//! `qunshu init DIR`

use chrono::Duration;
use qunshu::core::time::Clock;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Create a new community: site.toml with the three usual columns, the
/// content folders, a members file and one example of each kind of post.
///
/// Refuses (writing nothing) if any of those files already exists.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The folder to create the community in (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The community's name, written into site.toml.
    #[arg(long)]
    pub title: Option<String>,
    /// Interface language of the new community: `zh-CN` (default) or `en`
    /// (English column names, members and example posts).
    #[arg(long, default_value = "zh-CN", value_parser = ["zh-CN", "zh", "en"])]
    pub lang: String,
}

/// Runs `qunshu init`.
pub(crate) fn run(_root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    // Date the examples yesterday in the example's zone, so they are published.
    let date = Clock::system(chrono_tz::Asia::Shanghai).today() - Duration::days(1);
    let lang = if args.lang == "en" {
        qunshu::core::config::Lang::En
    } else {
        qunshu::core::config::Lang::ZhCn
    };
    let title = args.title.unwrap_or_else(|| {
        match lang {
            qunshu::core::config::Lang::En => "My community",
            _ => "我的社群",
        }
        .to_string()
    });
    let written = qunshu::tools::scaffold::init_in(lang, &args.dir, &title, date)?;
    for p in &written {
        println!("created {}", p.display());
    }
    let d = args.dir.display();
    println!(
        "\nnext:\n  qunshu --root {d} serve                 # preview while you write\n  qunshu --root {d} new brief \"标题\"        # a new post\n  qunshu --root {d} build                 # the archive, in {d}/public/"
    );
    Ok(ExitCode::SUCCESS)
}
