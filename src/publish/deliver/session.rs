//! A delivery session: the one sequence every delivery follows — open the
//! community and its ledger, take the lock and read the ledger again, find
//! the due posts (holding back clashes), publish the ones no channel
//! carries, read and render the due posts with every check `build` makes,
//! then send — or, for a dry run, show what would be sent. `qunshu post`,
//! `qunshu post --dry-run` and `qunshu run` ([`super::daemon`]) all use it;
//! what to send, skip or report is [`super::decide`]'s, for both.
//!
//! What a session has to say goes to a [`Say`], so the commands only
//! print.
//!
//! Owns: the order of a delivery's steps. Must not import: `archive`.

use super::decide::{self, Decision};
use super::lock::{Lock, LockError};
use super::{
    outbox, platform, render_for, state_dir, webhook_fields, words, Channel, ChannelKind, Clash,
    Due, Ledger, Message, Report, Run, Secrets,
};
use crate::core::content::Depth;
use crate::core::diag::{Diagnostics, Failed};
use crate::core::project::Project;
use crate::core::time::Clock;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Where a session's words go: the command prints them.
pub trait Say {
    /// Problems found in the community's files.
    fn diagnostics(&mut self, d: &Diagnostics);
    /// A line of the result (standard output).
    fn out(&mut self, line: &str);
    /// A warning or error line (standard error).
    fn err(&mut self, line: &str);
}

/// An opened community with its ledger, locked for delivery or not.
pub struct Session {
    project: Project,
    ledger: Ledger,
    lock: Option<Lock>,
    /// Ledger lines already warned about.
    warned: BTreeSet<usize>,
}

/// What a dry run would send: one entry per post and channel.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The due post.
    pub due: Due,
    /// The channel id.
    pub channel: String,
    /// The channel's kind.
    pub kind: ChannelKind,
    /// The rendered message (for a webhook: its JSON body; for the outbox:
    /// the file name in `title` and its text as the one part).
    pub message: Message,
    /// Why it would not be sent, if it would not.
    pub skip: Option<String>,
}

impl Session {
    /// Opens the community at `root` (front matter only, as a plan needs)
    /// and its ledger, without the lock: enough for a dry run. Fails, after
    /// saying why, on errors in the files or an unreadable ledger.
    pub fn open(root: &Path, say: &mut dyn Say) -> anyhow::Result<Session> {
        let (project, diags) = Project::open(root, Depth::FrontMatter);
        say.diagnostics(&diags);
        let project = match project {
            Some(p) if !diags.fails(false) => p,
            _ => {
                return Err(Failed {
                    errors: diags.error_count().max(1),
                }
                .into())
            }
        };
        let mut s = Session {
            ledger: load_ledger(root)?,
            project,
            lock: None,
            warned: BTreeSet::new(),
        };
        s.warn_bad_lines(say);
        Ok(s)
    }

    /// Takes the delivery lock, then reads the ledger again (no other run
    /// can write it now) and the delivery times with it. `Ok(Err(_))` when
    /// the lock cannot be had (another run holds it): the caller says so and
    /// sends nothing; `Err` when the ledger cannot be read.
    pub fn lock(&mut self, say: &mut dyn Say) -> anyhow::Result<Result<(), LockError>> {
        let root = self.project.config.root.clone();
        match Lock::try_acquire(&state_dir(&root)) {
            Ok(l) => self.lock = Some(l),
            Err(e) => return Ok(Err(e)),
        }
        self.ledger = load_ledger(&root)?;
        self.warn_bad_lines(say);
        self.project.delivered.clear();
        self.project.delivered.extend(self.ledger.delivered());
        Ok(Ok(()))
    }

    /// Lets go of the lock (dropping the session does too).
    pub fn unlock(&mut self) {
        self.lock = None;
    }

    /// The community.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The ledger as last read or written.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn warn_bad_lines(&mut self, say: &mut dyn Say) {
        warn_bad_lines(
            &self.project.config.root,
            &self.ledger,
            &mut self.warned,
            say,
        );
    }

    /// The posts due at `clock.now`, without the clashing ones; each clash
    /// is said as an error and returned.
    pub fn due(&self, clock: &Clock, say: &mut dyn Say) -> (Vec<Due>, Vec<Clash>) {
        let mut due = super::due_now(&self.project, clock, &self.ledger);
        let clashes = super::take_clashes(&self.project, &mut due);
        for k in &clashes {
            say.err(&words::clash_line(&self.project, k));
        }
        (due, clashes)
    }

    /// Publishes the due queued posts that no channel carries (see
    /// [`super::publish_without_channel`]) and says which; returns how many.
    pub fn publish_without_channel(
        &mut self,
        due: &[Due],
        now: DateTime<Utc>,
        say: &mut dyn Say,
    ) -> anyhow::Result<usize> {
        let done = super::publish_without_channel(&self.project, &mut self.ledger, due, now)
            .map_err(|e| anyhow::anyhow!("cannot write the delivery ledger: {e}"))?;
        for d in &done {
            say.out(&words::published_line(&self.project, d));
        }
        Ok(done.len())
    }

    /// Reads and renders the posts in `due`, with every check `build`
    /// makes of them (a broken link stops the send, as it stops the
    /// build). Posts that are not due are never read past their front
    /// matter.
    pub fn read(&mut self, due: &[Due], say: &mut dyn Say) -> anyhow::Result<()> {
        let sources: Vec<PathBuf> = due.iter().map(|d| d.source.clone()).collect();
        let diags = self
            .project
            .load_rendered(sources.iter().map(PathBuf::as_path));
        say.diagnostics(&diags);
        if diags.error_count() > 0 {
            return Err(Failed {
                errors: diags.error_count(),
            }
            .into());
        }
        Ok(())
    }

    /// Sends `due` (read with [`Session::read`]) on every channel that
    /// carries it, each report said as it happens. Setting `stop` finishes
    /// the requests in flight, records them and sends nothing more.
    pub fn deliver(
        &mut self,
        due: &[Due],
        clock: Clock,
        stop: Arc<AtomicBool>,
        say: &mut dyn Say,
    ) -> anyhow::Result<Vec<Report>> {
        let c = &self.project;
        let mut run = Run::new(c, &mut self.ledger, clock, stop);
        let reports = run.deliver(due, &mut |r| say.out(&words::report_line(c, r)))?;
        // The plan now sees what went out.
        self.project.delivered.clear();
        self.project.delivered.extend(self.ledger.delivered());
        Ok(reports)
    }

    /// Everything a run at `now` would do with `due` (read with
    /// [`Session::read`]), rendered, without sending or writing: the same
    /// [`decide::decide`] as the run, at the same ledger state.
    pub fn preview(&self, due: &[Due], now: DateTime<Utc>) -> Vec<Preview> {
        let c = &self.project;
        let started = self.ledger.started().or(Some(now));
        let mut due = due.to_vec();
        due.sort_by(|a, b| (a.slot, &a.source).cmp(&(b.slot, &b.source)));
        let mut out = Vec::new();
        for item in &due {
            let Some(post) = c.posts.iter().find(|p| p.source == item.source) else {
                continue;
            };
            for ch in c
                .config
                .channels
                .iter()
                .filter(|ch| ch.carries(&item.column))
            {
                let platform = platform::of(ch.kind);
                let decision = decide::decide(&decide::Case {
                    platform,
                    slot: item.slot,
                    stale_after: decide::stale_after(&c.config, &item.column),
                    history: self.ledger.delivery(&post.source, &ch.id),
                    started,
                    now,
                });
                let skip = match decision {
                    Decision::Done => continue,
                    Decision::Send { .. } => Secrets::from_env(ch).err(),
                    other => words::not_sent(c, other),
                };
                out.push(Preview {
                    due: item.clone(),
                    channel: ch.id.clone(),
                    kind: ch.kind,
                    message: preview_message(c, post, ch, item),
                    skip,
                });
            }
        }
        out
    }

    /// The run's summary line, with the next due post.
    pub fn summary(&self, reports: &[Report], clock: &Clock) -> String {
        let next = super::next_due(&self.project, clock);
        words::summary(&self.project, reports, next.as_ref())
    }
}

/// The message a dry run shows: the webhook's JSON body (pretty), the
/// outbox's file name and text, or the rendered parts.
fn preview_message(
    c: &Project,
    post: &crate::core::content::Post,
    ch: &Channel,
    item: &Due,
) -> Message {
    let platform = platform::of(ch.kind);
    if platform.text().is_none() {
        return Message {
            title: post.title.clone(),
            parts: vec![
                serde_json::to_string_pretty(&webhook_fields(c, post, Some(item.slot)))
                    .unwrap_or_default(),
            ],
        };
    }
    let message = render_for(c, post, ch);
    if platform.writes_files() {
        let name = outbox::file_name(item.slot, c.config.tz, &item.column, &post.slug);
        return Message {
            title: crate::core::slug::to_slash(&ch.dir.join(name)),
            parts: vec![outbox::text(&message.parts)],
        };
    }
    message
}

/// Reads the ledger of the site at `root`, warning about each line that
/// cannot be read (for commands that need no more than the ledger).
pub fn open_ledger(root: &Path, say: &mut dyn Say) -> anyhow::Result<Ledger> {
    let ledger = load_ledger(root)?;
    warn_bad_lines(root, &ledger, &mut BTreeSet::new(), say);
    Ok(ledger)
}

/// Reads the ledger of the site at `root`.
fn load_ledger(root: &Path) -> anyhow::Result<Ledger> {
    Ledger::load(root).map_err(anyhow::Error::msg)
}

/// Warns about the ledger's unreadable lines not in `warned` yet.
fn warn_bad_lines(root: &Path, ledger: &Ledger, warned: &mut BTreeSet<usize>, say: &mut dyn Say) {
    let path = ledger.path();
    let path = path.strip_prefix(root).unwrap_or(path);
    for line in &ledger.bad_lines {
        if warned.insert(*line) {
            say.err(&format!(
                "warning: {}:{line}: this line of the delivery ledger cannot be read (cut short by a crash, or damaged) and is skipped; \
                 if it recorded a delivery, that delivery may be sent again: check `qunshu status`, then delete the line or restore it from a backup",
                path.display(),
            ));
        }
    }
}
