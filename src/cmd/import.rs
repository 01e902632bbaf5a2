//! `qunshu import PLATFORM FILE`

use qunshu::core::diag::Diagnostics;
use qunshu::core::time::Clock;
use qunshu::tools::import::plan::{apply, plan, Options, Outcome, Selection};
use qunshu::tools::import::{local_time, Platform};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Turn a chat export into Q&A thread drafts (content/qa/*.md).
///
/// Reads the platform's own export, finds the questions that got answers
/// (from reply links; in WeChat text, from questions and the replies that
/// follow within 2 hours), and writes each as a thread: the question, each
/// answerer's messages as `## @handle`, replies as `### @handle`,
/// `status: open`, queued, with a `source:` record. Importing the same
/// export again changes nothing; a later export adds only the new replies.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The export's platform: telegram (Telegram Desktop result.json),
    /// discord (DiscordChatExporter JSON), slack (workspace export .zip),
    /// wechat (copied chat text), zsxq (知识星球 topics JSON).
    #[arg(value_name = "PLATFORM", value_parser = parse_platform)]
    pub platform: Platform,
    /// The export file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the candidate threads (id, time, who asked, replies, people,
    /// first line); write nothing.
    #[arg(long, conflicts_with_all = ["thread", "all"])]
    pub list: bool,
    /// Import one thread: the id of its first message (see --list).
    #[arg(long, value_name = "ID", conflicts_with = "all")]
    pub thread: Option<String>,
    /// Import every question that got an answer.
    #[arg(long)]
    pub all: bool,
    /// Only questions asked on or after this date or time (local to the site).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only the chat (or Slack channel) with this name, when the export has several.
    #[arg(long, value_name = "NAME")]
    pub chat: Option<String>,
    /// Keep phone numbers, e-mail addresses, WeChat ids, ID-card and
    /// bank-card numbers as written (for this import only).
    #[arg(long)]
    pub keep_personal_data: bool,
}

const AFTER_HELP: &str = "\
People are mapped to members through `accounts:` in members.yaml; a person
seen for the first time is added as `privacy: anonymous`. Phone numbers,
e-mail addresses, WeChat ids, ID-card and bank-card numbers become [已隐去].
Bot and service messages are dropped and counted.

Examples:
  qunshu import telegram ChatExport_2026-11-27/result.json --list
  qunshu import telegram result.json --thread 4521
  qunshu import discord export.json --since 2026-11-20 --all
  qunshu import slack export.zip --chat general --all
  qunshu import wechat chat.txt --all
  qunshu import zsxq topics.json --all";

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
        format!(
            "`{s}` is not a platform qunshu imports (expected one of {})",
            names.join(", ")
        )
    })
}

/// Runs `qunshu import`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if !args.list && !args.all && args.thread.is_none() {
        anyhow::bail!(
            "say what to import: --list (show the candidate threads), --thread ID (one thread) or --all (every answered question)"
        );
    }
    let config = super::load_config(root)?;
    let mut diags = Diagnostics::new();
    let members = qunshu::core::members::Members::load(root, &config.members_file, &mut diags);
    super::print_diags(&diags);
    if diags.error_count() > 0 {
        return Err(qunshu::core::diag::Failed {
            errors: diags.error_count(),
        }
        .into());
    }
    let since = args
        .since
        .as_deref()
        .map(|s| qunshu::core::time::parse_datetime(s, config.tz))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let export = qunshu::tools::import::read(args.platform, &args.file, config.tz)?;
    let today = Clock::system(config.tz).today().to_string();
    let sel = Selection {
        thread: args.thread.clone(),
        all: args.all,
        since,
        chat: args.chat.clone(),
    };
    let opts = Options {
        keep_personal_data: args.keep_personal_data,
        today,
    };
    let p = plan(root, &config, &members, &export, &sel, &opts, args.list)?;
    for (account, used, other) in &p.claimed_twice {
        eprintln!(
            "warning: {}: members `{used}` and `{other}` both have `accounts: {{{}: {account}}}`; their messages are credited to `{used}`. Keep the account on one member",
            config.members_file.display(),
            args.platform.name()
        );
    }
    let several = export.chats.len() > 1;
    if args.list {
        for l in &p.listed {
            let chat = if several {
                format!("[{}] ", l.chat)
            } else {
                String::new()
            };
            println!(
                "{chat}{}  {}  {}  {} replies, {} people  {}",
                l.id,
                local_time(l.time, config.tz),
                l.asker,
                l.replies,
                l.people,
                l.first_line
            );
        }
        println!("{} candidate threads", p.listed.len());
        if !p.added.is_empty() {
            println!(
                "{} people are not in {} yet; importing adds them with privacy: anonymous. Ask them how they want to be shown before publishing.",
                p.added.len(),
                config.members_file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    apply(root, &config.members_file, &p)?;
    for f in &p.files {
        match f.outcome {
            Outcome::New => println!("created {} (thread {})", f.rel.display(), f.thread),
            Outcome::Appended(n) => println!(
                "added {n} new messages to {} (thread {})",
                f.rel.display(),
                f.thread
            ),
            Outcome::Unchanged => println!("unchanged {} (thread {})", f.rel.display(), f.thread),
        }
    }
    let dropped: Vec<String> = p
        .counts
        .dropped
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(why, n)| format!("{n} {}", why.reason()))
        .collect();
    println!(
        "{} messages read: {} in {} threads{}{}",
        p.counts.read,
        p.counts.in_threads,
        p.files.len(),
        if dropped.is_empty() {
            ""
        } else {
            "; not imported: "
        },
        dropped.join(", ")
    );
    debug_assert_eq!(
        p.counts.read,
        p.counts.in_threads + p.counts.dropped.values().sum::<usize>()
    );
    if !p.scrubbed.is_empty() {
        let what: Vec<String> = p.scrubbed.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "personal data hidden as [已隐去]: {} (--keep-personal-data keeps it)",
            what.join(", ")
        );
    }
    if p.unknown_mentions > 0 {
        println!(
            "{} mentions of people the export does not identify were written as 某成员",
            p.unknown_mentions
        );
    }
    if !p.added.is_empty() {
        let handles: Vec<&str> = p.added.iter().map(|m| m.handle.as_str()).collect();
        eprintln!(
            "warning: {} people seen for the first time were added to {} with privacy: anonymous ({}). Ask each of them how they want to be shown, then change their `privacy:` (keep the handle: the imported threads use it).",
            p.added.len(),
            config.members_file.display(),
            handles.join(", ")
        );
    }
    if p.files.is_empty() {
        println!("no answered questions found (see --list)");
    }
    Ok(ExitCode::SUCCESS)
}
