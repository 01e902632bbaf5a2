//! `qunshu resolve`

use qunshu::core::config::{Lang, SiteConfig};
use qunshu::core::ledger::{EventKind, Record};
use qunshu::publish::deliver::{self, lock::Lock, session, State};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Settle a delivery whose outcome is unknown.
///
/// When a run stops between sending a message and hearing back, qunshu
/// cannot know whether the message reached the group, and never sends it
/// again on its own. Look at the group, then either mark it sent
/// (`--sent`) or have the next `qunshu post`/`run` send it again
/// (`--resend`).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["sent", "resend"])))]
pub(crate) struct Args {
    /// The post's source file, as `qunshu status` shows it (`content/qa/x.md`).
    pub post: PathBuf,
    /// The channel id from site.toml.
    pub channel: String,
    /// The message did reach the group: record it as sent.
    #[arg(long)]
    pub sent: bool,
    /// The message did not reach the group: send it again on the next run.
    #[arg(long)]
    pub resend: bool,
}

/// Runs `qunshu resolve`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let _lock = match Lock::try_acquire(&deliver::state_dir(root)) {
        Ok(l) => l,
        Err(e) => anyhow::bail!("{e}; try again when it has finished"),
    };
    let mut ledger = session::open_ledger(root, &mut super::Console)?;
    // Accept the path as shown, or relative to the current folder.
    let post = args
        .post
        .strip_prefix(root)
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|_| args.post.clone());
    let Some(d) = ledger.delivery(&post, &args.channel).cloned() else {
        let known: Vec<String> = ledger
            .deliveries()
            .filter(|d| d.state() == State::Unknown)
            .map(|d| format!("{} {}", d.post.display(), d.channel))
            .collect();
        anyhow::bail!(
            "the ledger has no delivery of {} on channel `{}` (unknown deliveries: {})",
            post.display(),
            args.channel,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join("; ")
            }
        );
    };
    let Some((part, _)) = d.open_claim else {
        let lang = SiteConfig::load(root).map_or(Lang::ZhCn, |c| c.language);
        let (post, channel, state) = (post.display(), &args.channel, state_words(lang, d.state()));
        anyhow::bail!(lang.pick(
            &format!("{post} 在频道 `{channel}` 的投递{state}；只有结果未知的投递才需要 resolve"),
            &format!("the delivery of {post} on `{channel}` {state}; only a delivery whose outcome is unknown needs resolving"),
        )
        .to_string());
    };
    let event = if args.sent {
        EventKind::ResolvedSent
    } else {
        EventKind::ResolvedResend
    };
    let mut r = Record::new(chrono::Utc::now(), event, &post, &args.channel);
    r.part = part;
    r.parts = d.parts;
    r.slot = d.slot;
    ledger.append(r)?;
    if args.sent {
        println!(
            "recorded: {} part {part}/{} reached `{}`",
            post.display(),
            d.parts.max(1),
            args.channel
        );
    } else {
        println!(
            "recorded: {} part {part}/{} will be sent again to `{}` by the next `qunshu post` or `qunshu run`",
            post.display(),
            d.parts.max(1),
            args.channel
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What a delivery's state means, in plain words of the interface language.
fn state_words(lang: Lang, state: State) -> &'static str {
    match state {
        State::Pending => lang.pick("还没有发送", "has not been sent yet"),
        State::Sent => lang.pick("已经发送成功", "was already sent"),
        State::Failed => lang.pick(
            "失败了，下一次 `qunshu post` 或 `qunshu run` 会重试",
            "failed and will be tried again by the next `qunshu post` or `qunshu run`",
        ),
        State::Unknown => lang.pick("结果未知", "has an unknown outcome"),
        State::Missed => lang.pick("错过了时段，没有发送", "missed its slot and was not sent"),
    }
}
