//! `qunshu status`

use qunshu::core::time::{format_local, Clock};
use qunshu::publish::deliver::{self, lock::Lock, session::Session, State};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// The delivery ledger in plain words.
///
/// Unknown deliveries to resolve, failures, missed slots, the last
/// deliveries and the next due posts. Reads only; never sends.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Pretend it is this time (`2026-11-24 08:00`, local to the site).
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
    /// How many recent deliveries to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub last: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize, Clone)]
struct Line {
    post: String,
    title: String,
    channel: String,
    state: State,
    slot: Option<String>,
    at: String,
    parts: u32,
    message_ids: Vec<String>,
    error: Option<String>,
    /// For an unknown delivery: why (`stopped`, `timed_out`, `broken`, `unreadable`).
    cause: Option<deliver::Cause>,
}

#[derive(Serialize)]
struct Next {
    post: String,
    title: String,
    at: String,
    channels: Vec<String>,
}

#[derive(Serialize)]
struct StatusJson {
    running: bool,
    unknown: Vec<Line>,
    failed: Vec<Line>,
    missed: Vec<Line>,
    sent: Vec<Line>,
    next: Vec<Next>,
}

/// Runs `qunshu status`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(root, &mut super::Console)?;
    let (c, ledger) = (session.project(), session.ledger());
    let lang = c.config.language;
    let tz = c.config.tz;
    let clock = Clock::from_arg(args.clock.as_deref(), tz).map_err(anyhow::Error::msg)?;
    let running = Lock::is_held(&deliver::state_dir(root));
    let title = |p: &Path| {
        c.posts
            .iter()
            .find(|x| x.source == p)
            .map(|x| x.title.clone())
            .unwrap_or_else(|| {
                lang.pick("（文件已不存在）", "(file no longer exists)")
                    .to_string()
            })
    };
    let mut all: Vec<Line> = ledger
        .deliveries()
        .map(|d| {
            let state = d.state();
            Line {
                post: qunshu::core::slug::to_slash(&d.post),
                title: title(&d.post),
                channel: d.channel.clone(),
                state,
                slot: d.slot.map(|s| format_local(s, tz)),
                at: format_local(
                    if state == State::Sent {
                        d.last_sent.unwrap_or(d.last_at)
                    } else {
                        d.last_at
                    },
                    tz,
                ),
                parts: d.parts,
                message_ids: d.message_ids().iter().map(|s| s.to_string()).collect(),
                error: match state {
                    State::Failed => d.failed.as_ref().map(|f| f.1.clone()),
                    State::Unknown => d.unknown_error.clone(),
                    _ => None,
                },
                cause: match state {
                    State::Unknown => d.unknown_cause,
                    _ => None,
                },
            }
        })
        .collect();
    all.sort_by(|a, b| b.at.cmp(&a.at).then(a.post.cmp(&b.post)));
    let take = |s: State| -> Vec<Line> { all.iter().filter(|l| l.state == s).cloned().collect() };
    let mut sent = take(State::Sent);
    sent.truncate(args.last);
    let next: Vec<Next> = deliver::upcoming(c, &clock, 5)
        .into_iter()
        .map(|d| Next {
            title: title(&d.source),
            post: qunshu::core::slug::to_slash(&d.source),
            at: format_local(d.slot, tz),
            channels: c
                .config
                .channels
                .iter()
                .filter(|ch| ch.carries(&d.column))
                .map(|ch| ch.id.clone())
                .collect(),
        })
        .collect();
    let s = StatusJson {
        running,
        unknown: take(State::Unknown),
        failed: take(State::Failed),
        missed: take(State::Missed),
        sent,
        next,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_text(c, ledger, &s);
    Ok(ExitCode::SUCCESS)
}

/// Prints the status in plain words.
fn print_text(c: &qunshu::Project, ledger: &qunshu::core::ledger::Ledger, s: &StatusJson) {
    let lang = c.config.language;
    let running = s.running;
    if c.config.channels.is_empty() {
        println!(
            "{}",
            lang.pick(
                "site.toml 里没有 [[channels]]，不会投递任何帖子。",
                "site.toml has no [[channels]]; nothing is delivered."
            )
        );
    }
    if running {
        println!(
            "{}",
            lang.pick(
                "有一个 qunshu 正在投递。",
                "A qunshu run is delivering right now."
            )
        );
    }
    if ledger.started().is_none() {
        println!(
            "{}",
            lang.pick("还没有投递记录。", "Nothing has been delivered yet.")
        );
    }
    let show = |head: &str, lines: &[Line], extra: &dyn Fn(&Line) -> String| {
        if lines.is_empty() {
            return;
        }
        println!("{head}");
        for l in lines {
            println!(
                "  {}  {}  {} → {}{}",
                l.slot.as_deref().unwrap_or("-"),
                l.post,
                l.title,
                l.channel,
                extra(l)
            );
        }
    };
    show(
        lang.pick("状态未知（平台可能已收到；不会自动重发，请到群里查看后处理）：",
            "Unknown (the platform may have posted it; never re-sent on its own — check the group, then resolve):",
        ),
        &s.unknown,
        &|l| {
            let why = l.cause.map(|c| c.describe(lang)).unwrap_or(lang.pick("结果未知",
                "the outcome is unknown",
            ));
            let detail = l
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            format!(
                ": {why}{detail}\n      qunshu resolve {} {} --sent   |   --resend",
                l.post, l.channel
            )
        },
    );
    show(lang.pick("失败：", "Failed:"), &s.failed, &|l| {
        format!(": {}", l.error.as_deref().unwrap_or(""))
    });
    show(
        lang.pick(
            "已错过（时段过去太久，未发送）：",
            "Missed (slot passed too long ago; not sent):",
        ),
        &s.missed,
        &|_| String::new(),
    );
    show(lang.pick("最近发送：", "Last sent:"), &s.sent, &|l| {
        let mut x = format!("  ({} {})", lang.pick("于", "at"), l.at);
        if !l.message_ids.is_empty() {
            x.push_str(&format!(" [{}]", l.message_ids.join(", ")));
        }
        x
    });
    if s.next.is_empty() {
        println!("{}", lang.pick("没有待发的帖子。", "No posts waiting."));
    } else {
        println!("{}", lang.pick("接下来：", "Next due:"));
        for n in &s.next {
            println!(
                "  {}  {}  {} → {}",
                n.at,
                n.post,
                n.title,
                if n.channels.is_empty() {
                    lang.pick(
                        "（没有渠道承载这个栏目）",
                        "(no channel carries its column)",
                    )
                    .to_string()
                } else {
                    n.channels.join(", ")
                }
            );
        }
    }
}
