//! Delivery: sending due posts to chat platforms, exactly as planned and
//! never twice.
//!
//! The plan (`crate::publish::schedule`) says which post is due in which slot; each
//! `[[channels]]` entry of `site.toml` that carries the post's column gets
//! it, rendered for what the platform can show ([`render`]) and split into
//! numbered parts when it is longer than the platform's limit. Every step is
//! written to the [`ledger`] before and after the request, under the
//! [`lock`], paced under the platform's rate limit ([`pacing`]). Channels
//! deliver in parallel, one worker thread each, so a rate-limited channel
//! delays only itself; the ledger keeps one writer.
//!
//! One file per platform ([`platform`]) holds its dialect, limit, @all,
//! request shape, signing and the meaning of its answers, behind one trait
//! ([`Platform`]) in one table ([`platform::of`]).
//!
//! A [`session::Session`] is the one way in: lock, ledger, due posts, read,
//! then [`decide`] for each post and channel what to send, skip or report,
//! for a real run and a dry run alike. [`daemon`] is `qunshu run`'s loop.
//!
//! Owns: delivery, the outbox, the ledger's writes. Must not import:
//! `archive`, `book`, `tools` (a rebuild after delivery is the caller's).

pub mod daemon;
pub mod decide;
pub mod http;
pub mod lock;
pub mod pacing;
pub mod platform;
pub mod render;
pub mod session;
pub mod words;

pub use platform::{outbox, AtAll, Platform};

pub use crate::core::config::channels::{self, Channel, ChannelKind};
pub use crate::core::ledger::{self, Cause, Ledger, State};

use crate::core::content::{self, Post};
use crate::core::ledger::{EventKind, Record};
use crate::core::project::Project;
use crate::core::time::Clock;
use crate::publish::schedule::plan::PostStatus;
use chrono::{DateTime, Duration, Utc};
use http::{Answer, Transport};
use render::Dialect;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

/// A post due in a slot (from the plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The post's source path.
    pub source: PathBuf,
    /// Its column.
    pub column: String,
    /// The slot (or pinned time) it is due at.
    pub slot: DateTime<Utc>,
}

/// The secrets of one channel, read from the environment when needed and
/// never printed.
#[derive(Clone)]
pub struct Secrets {
    url: Option<String>,
    secret: Option<String>,
    chat_id: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

impl Secrets {
    /// Reads the variables `channel` names. A variable that is named but
    /// not set is an error naming the variable (never a value).
    pub fn from_env(channel: &Channel) -> Result<Secrets, String> {
        let get = |field: &str, name: &Option<String>| -> Result<Option<String>, String> {
            match name {
                None => Ok(None),
                Some(n) => match std::env::var(n) {
                    Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_string())),
                    _ => Err(format!(
                        "the environment variable {n} (the `{field}` of channel `{}`) is not set",
                        channel.id
                    )),
                },
            }
        };
        Ok(Secrets {
            url: get("url_env", &channel.url_env)?,
            secret: get("secret_env", &channel.secret_env)?,
            chat_id: get("chat_id_env", &channel.chat_id_env)?,
        })
    }

    /// A redactor for every secret value of the channel, each on its own:
    /// the URL, its password, query values and path tokens, the signing
    /// secret or bot token (and the secret half of a `id:secret` token),
    /// the chat id.
    pub fn redactor(&self) -> http::Redactor {
        let mut v: Vec<(String, usize)> = [&self.url, &self.secret, &self.chat_id]
            .into_iter()
            .flatten()
            .map(|s| (s.clone(), 4))
            .collect();
        if let Some(u) = &self.url {
            v.extend(http::url_secrets(u).into_iter().map(|s| (s, 8)));
        }
        if let Some(t) = &self.secret {
            v.extend(t.split(':').map(|s| (s.to_string(), 8)));
        }
        http::Redactor::new(v)
    }
}

/// A post rendered for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The post's title (for card headers and DingTalk's title field).
    pub title: String,
    /// The messages to send, in order (numbered when more than one).
    pub parts: Vec<String>,
}

/// The archive URL of a post.
pub fn post_url(c: &Project, post: &Post) -> String {
    format!("{}{}", c.config.base_url, post.href())
}

/// A resolver for a post's links: links to other posts by file path become
/// their archive URLs, other relative links are read against the base URL,
/// unsafe URLs (`javascript:`) are dropped.
fn resolver<'a>(c: &'a Project, post: &'a Post) -> impl Fn(&str) -> Option<String> + 'a {
    move |dest: &str| {
        if !crate::core::markdown::is_safe_url(dest) {
            return None;
        }
        if let Some(frag) = dest.strip_prefix('#') {
            return Some(format!("{}#{frag}", post_url(c, post)));
        }
        if !content::is_relative_ref(dest) {
            return Some(dest.to_string());
        }
        let (path, frag) = content::resolve_relative(&post.source, dest);
        let frag = frag.map(|f| format!("#{f}")).unwrap_or_default();
        if let Some(p) = c.posts.iter().find(|p| p.source == path) {
            return Some(format!("{}{frag}", post_url(c, p)));
        }
        let rel =
            crate::core::slug::to_slash(path.strip_prefix(content::CONTENT_DIR).unwrap_or(&path));
        Some(format!(
            "{}{}{frag}",
            c.config.base_url,
            crate::core::slug::encode_path(&rel)
        ))
    }
}

/// A post in `d`, ready to split: title (except where the platform shows it
/// apart), credits, body, and for a thread a link to its page.
pub fn doc(c: &Project, post: &Post, d: Dialect, title_apart: bool) -> render::Doc {
    let lang = c.config.language;
    let mut out = render::Doc::new(d, lang);
    if !title_apart {
        out.title(&post.title);
    }
    let names = |hs: &[String]| -> String {
        hs.iter()
            .map(|h| c.members.credit(h).display(lang).to_string())
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    let mut credit = Vec::new();
    if let Some(asker) = post.thread.as_ref().and_then(|t| t.asked_by.as_ref()) {
        credit.push(format!(
            "{}{}",
            lang.pick("提问：", "Asked by: "),
            names(std::slice::from_ref(asker))
        ));
    }
    if !post.authors.is_empty() {
        credit.push(format!(
            "{}{}",
            lang.pick("作者：", "By: "),
            names(&post.authors)
        ));
    }
    if !credit.is_empty() {
        out.text(&credit.join(lang.pick("　", " · ")));
    }
    let resolve = resolver(c, post);
    out.markdown(&post.body.markdown, &resolve);
    if post.thread.is_some() && post.is_publishable_kind() {
        let label = lang.pick("完整讨论与总结", "The full thread and summary");
        out.link(label, &post_url(c, post));
    }
    out
}

/// Renders a post for a channel, split to the platform's limit. With
/// `mention_all`, the first message carries the platform's @all (see
/// [`AtAll`]): a line of its own before the first part, a short text
/// message naming the post before it, or a field of the first request.
pub fn render_for(c: &Project, post: &Post, ch: &Channel) -> Message {
    let p = platform::of(ch.kind);
    let parts = match p.text() {
        Some((d, mut limit)) => {
            let at_all = if ch.mention_all {
                p.at_all()
            } else {
                AtAll::Never
            };
            if let AtAll::Line(m) = at_all {
                limit.max = limit.max.saturating_sub(limit.measure(m) + 1);
            }
            let mut parts = doc(c, post, d, p.title_apart()).split(limit);
            match (at_all, parts.first_mut()) {
                (AtAll::Line(m), Some(first)) => first.insert_str(0, &format!("{m}\n")),
                (AtAll::TitleMessage, _) => {
                    // Text messages read `<@userid>` too: the title is escaped.
                    parts.insert(0, render::escape(d, &post.title));
                }
                _ => {}
            }
            parts
        }
        None => vec![webhook_fields(c, post, None).to_string()],
    };
    Message {
        title: post.title.clone(),
        parts,
    }
}

/// The JSON document the generic webhook receives.
pub fn webhook_fields(c: &Project, post: &Post, slot: Option<DateTime<Utc>>) -> serde_json::Value {
    let lang = c.config.language;
    let credit = |h: &String| c.members.credit(h).display(lang).to_string();
    let plain = doc(c, post, Dialect::Plain, true).render();
    json!({
        "post": crate::core::slug::to_slash(&post.source),
        "title": post.title,
        "kind": post.kind.to_string(),
        "column": post.column,
        "slot": slot.map(|s| s.to_rfc3339()),
        "url": post_url(c, post),
        "tags": post.tags,
        "authors": post.authors.iter().map(credit).collect::<Vec<_>>(),
        "asked_by": post.thread.as_ref().and_then(|t| t.asked_by.as_ref()).map(credit),
        "description": post.description,
        "markdown": post.body.markdown,
        "text": plain,
    })
}

/// What happened to one post on one channel in a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every part reached the platform.
    Sent {
        /// Number of parts.
        parts: u32,
        /// Message ids the platform returned (or the outbox file).
        message_ids: Vec<String>,
    },
    /// The platform refused it, or it could not be sent.
    Failed(String),
    /// The request may have reached the platform, but no answer says so.
    Unknown {
        /// Which case it was.
        cause: Cause,
        /// The details (no secrets).
        detail: String,
    },
    /// An unknown delivery from an earlier run, waiting to be resolved.
    StillUnknown {
        /// Which case it was (none in ledgers from before causes were recorded).
        cause: Option<Cause>,
        /// The details recorded then.
        detail: Option<String>,
    },
    /// The slot passed too long ago; not sent at the wrong time of day.
    Missed {
        /// How late it was.
        late: Duration,
    },
}

/// One line of a run's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The post's source path.
    pub post: PathBuf,
    /// The post's title.
    pub title: String,
    /// The channel id.
    pub channel: String,
    /// The slot.
    pub slot: DateTime<Utc>,
    /// What happened.
    pub outcome: Outcome,
}

/// A delivery run: the community, its ledger and the clock.
///
/// Each channel delivers on its own worker thread, with its own pacing,
/// retries and HTTP client, so a rate-limited or slow channel delays only
/// itself; within a channel the posts go in slot order. The ledger has one
/// writer — the thread that called [`Run::deliver`] — to which the workers
/// send their records, each written and fsynced before the worker goes on.
pub struct Run<'a> {
    community: &'a Project,
    ledger: &'a mut Ledger,
    clock: Clock,
    since: Instant,
    stop: Arc<AtomicBool>,
}

/// What a worker asks of the ledger's writer.
enum ToWriter {
    /// Write this record; answer once it is on disk.
    Append(Record, mpsc::SyncSender<Result<(), String>>),
    /// A result to report.
    Report(Report),
}

impl<'a> Run<'a> {
    /// A run at `clock` (the run's time advances with the wall clock).
    /// Setting `stop` makes the run finish the requests in flight, record
    /// them, and send nothing more.
    pub fn new(
        community: &'a Project,
        ledger: &'a mut Ledger,
        clock: Clock,
        stop: Arc<AtomicBool>,
    ) -> Run<'a> {
        Run {
            community,
            ledger,
            clock,
            since: Instant::now(),
            stop,
        }
    }

    /// The run's current time.
    pub fn now(&self) -> DateTime<Utc> {
        run_time(self.clock, self.since)
    }

    fn append(&mut self, r: Record) -> anyhow::Result<()> {
        self.ledger
            .append(r)
            .map_err(|e| anyhow::anyhow!(ledger_error(self.ledger.path(), &e)))
    }

    /// Records claims left open by an earlier run as unknown.
    pub fn record_unknowns(&mut self) -> anyhow::Result<()> {
        let open: Vec<(PathBuf, String, u32, Option<DateTime<Utc>>)> = self
            .ledger
            .deliveries()
            .filter(|d| !d.unknown_recorded)
            .filter_map(|d| {
                d.open_claim
                    .map(|(p, _)| (d.post.clone(), d.channel.clone(), p, d.slot))
            })
            .collect();
        let now = self.now();
        for (post, ch, part, slot) in open {
            let mut r = Record::new(now, EventKind::Unknown, &post, &ch);
            r.part = part;
            r.slot = slot;
            r.cause = Some(Cause::Stopped);
            r.error = Some(format!(
                "part {part} was claimed and no answer was recorded"
            ));
            self.append(r)?;
        }
        Ok(())
    }

    /// Delivers every due post to every channel that carries its column,
    /// the channels in parallel. `on_report` sees each result as it
    /// happens (on this thread); the results come back in slot, post and
    /// channel order.
    pub fn deliver(
        &mut self,
        due: &[Due],
        on_report: &mut dyn FnMut(&Report),
    ) -> anyhow::Result<Vec<Report>> {
        let now = self.now();
        self.ledger
            .ensure_started(now)
            .map_err(|e| anyhow::anyhow!("cannot write the delivery ledger: {e}"))?;
        self.record_unknowns()?;
        let mut due = due.to_vec();
        due.sort_by(|a, b| (a.slot, &a.source).cmp(&(b.slot, &b.source)));
        let c: &'a Project = self.community;
        // Each channel's posts, in order, with what the ledger knows of them
        // (only the channel's own worker changes that during the run).
        let lanes: Vec<(&Channel, Vec<Job<'a>>)> = c
            .config
            .channels
            .iter()
            .map(|ch| {
                let jobs: Vec<Job<'a>> = due
                    .iter()
                    .filter(|item| ch.carries(&item.column))
                    .filter_map(|item| {
                        let post = c.posts.iter().find(|p| p.source == item.source)?;
                        Some(Job {
                            item: item.clone(),
                            post,
                            history: self.ledger.delivery(&post.source, &ch.id).cloned(),
                        })
                    })
                    .collect();
                (ch, jobs)
            })
            .filter(|(_, jobs)| !jobs.is_empty())
            .collect();
        let started = self.ledger.started();
        let (clock, since) = (self.clock, self.since);
        let ledger = &mut *self.ledger;
        let abort = AtomicBool::new(false);
        let mut out = Vec::new();
        let mut failure: Option<anyhow::Error> = None;
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel::<ToWriter>();
            let workers: Vec<_> = lanes
                .into_iter()
                .map(|(ch, jobs)| {
                    let mut w = Worker {
                        community: c,
                        ch,
                        clock,
                        since,
                        stop: &self.stop,
                        abort: &abort,
                        started,
                        pacer: pacing::Pacer::new(),
                        client: None,
                        tx: tx.clone(),
                    };
                    s.spawn(move || w.run(jobs))
                })
                .collect();
            drop(tx);
            // The one writer: records in the order the workers send them.
            for msg in rx {
                match msg {
                    ToWriter::Append(r, done) => {
                        let res = ledger
                            .append(r)
                            .map_err(|e| ledger_error(ledger.path(), &e));
                        if res.is_err() {
                            abort.store(true, Ordering::SeqCst);
                        }
                        let _ = done.send(res);
                    }
                    ToWriter::Report(r) => {
                        on_report(&r);
                        out.push(r);
                    }
                }
            }
            for w in workers {
                match w.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        failure.get_or_insert(e);
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let order = |r: &Report| {
            c.config
                .channels
                .iter()
                .position(|ch| ch.id == r.channel)
                .unwrap_or(usize::MAX)
        };
        out.sort_by(|a, b| (a.slot, &a.post, order(a)).cmp(&(b.slot, &b.post, order(b))));
        Ok(out)
    }
}

fn run_time(clock: Clock, since: Instant) -> DateTime<Utc> {
    clock.now + Duration::from_std(since.elapsed()).unwrap_or_default()
}

fn ledger_error(path: &Path, e: &std::io::Error) -> String {
    format!(
        "cannot write the delivery ledger {}: {e}; stopping so nothing is sent unrecorded",
        path.display()
    )
}

/// One post for one channel's worker.
struct Job<'a> {
    item: Due,
    post: &'a Post,
    /// The ledger's history of the post on the channel, when the run began.
    history: Option<ledger::Delivery>,
}

/// One channel's deliveries in a run, on a thread of their own.
struct Worker<'a> {
    community: &'a Project,
    ch: &'a Channel,
    clock: Clock,
    since: Instant,
    stop: &'a AtomicBool,
    /// Set when the ledger cannot be written: every worker stops.
    abort: &'a AtomicBool,
    started: Option<DateTime<Utc>>,
    pacer: pacing::Pacer,
    client: Option<http::Client>,
    tx: mpsc::Sender<ToWriter>,
}

impl Worker<'_> {
    fn run(&mut self, jobs: Vec<Job<'_>>) -> anyhow::Result<()> {
        for job in jobs {
            if self.stopping() {
                break;
            }
            if let Some(r) = self.one(&job.item, job.post, job.history.as_ref())? {
                // The writer outlives every worker; a send cannot fail.
                let _ = self.tx.send(ToWriter::Report(r));
            }
        }
        Ok(())
    }

    fn now(&self) -> DateTime<Utc> {
        run_time(self.clock, self.since)
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.abort.load(Ordering::SeqCst)
    }

    /// Sleeps up to `d`; false when a stop was asked for meanwhile.
    fn sleep(&self, d: std::time::Duration) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if self.stopping() {
                return false;
            }
            std::thread::sleep((end - Instant::now()).min(std::time::Duration::from_millis(50)));
        }
        !self.stopping()
    }

    /// Hands `r` to the ledger's writer and waits until it is on disk.
    fn append(&self, r: Record) -> anyhow::Result<()> {
        let (done, written) = mpsc::sync_channel(1);
        let gone = || anyhow::anyhow!("the delivery ledger's writer stopped");
        self.tx
            .send(ToWriter::Append(r, done))
            .map_err(|_| gone())?;
        written
            .recv()
            .map_err(|_| gone())?
            .map_err(anyhow::Error::msg)
    }

    fn one(
        &mut self,
        item: &Due,
        post: &Post,
        d: Option<&ledger::Delivery>,
    ) -> anyhow::Result<Option<Report>> {
        let c = self.community;
        let ch = self.ch;
        let report = |outcome| Report {
            post: post.source.clone(),
            title: post.title.clone(),
            channel: ch.id.clone(),
            slot: item.slot,
            outcome,
        };
        let platform = platform::of(ch.kind);
        let now = self.now();
        let first = match decide::decide(&decide::Case {
            platform,
            slot: item.slot,
            stale_after: decide::stale_after(&c.config, &item.column),
            history: d,
            started: self.started,
            now,
        }) {
            // Failed a moment ago: `status` shows it; try again later.
            decide::Decision::Done | decide::Decision::RetryFrom(_) => return Ok(None),
            decide::Decision::StillUnknown => {
                return Ok(Some(report(Outcome::StillUnknown {
                    cause: d.and_then(|d| d.unknown_cause),
                    detail: d.and_then(|d| d.unknown_error.clone()),
                })))
            }
            decide::Decision::Missed { late } => {
                let mut r = Record::new(now, EventKind::Missed, &post.source, &ch.id);
                r.slot = Some(item.slot);
                self.append(r)?;
                return Ok(Some(report(Outcome::Missed { late })));
            }
            decide::Decision::Send { from_part } => from_part,
        };
        let secrets = match Secrets::from_env(ch) {
            Ok(s) => s,
            Err(e) => {
                let mut r = Record::new(now, EventKind::Failed, &post.source, &ch.id);
                r.slot = Some(item.slot);
                r.error = Some(e.clone());
                self.append(r)?;
                return Ok(Some(report(Outcome::Failed(e))));
            }
        };
        let fields = platform
            .text()
            .is_none()
            .then(|| webhook_fields(c, post, Some(item.slot)));
        let msg = match &fields {
            Some(f) => Message {
                title: post.title.clone(),
                parts: vec![f.to_string()],
            },
            None => render_for(c, post, ch),
        };
        let parts = msg.parts.len() as u32;
        if platform.writes_files() {
            return self.outbox(item, post, &msg).map(|o| Some(report(o)));
        }
        if first > parts {
            // The post was edited after its first parts went out and is now
            // shorter: nothing of it is left to send.
            return Ok(None);
        }
        let mut ids: Vec<String> = d
            .map(|d| d.message_ids().iter().map(|s| s.to_string()).collect())
            .unwrap_or_default();
        let redactor = secrets.redactor();
        for part in first..=parts {
            let text = &msg.parts[(part - 1) as usize];
            let sending = Sending {
                item,
                post,
                platform,
                fields: fields.as_ref(),
                secrets: &secrets,
                redactor: &redactor,
                title: &msg.title,
                text,
                part,
                parts,
            };
            match self.send_part(&sending)? {
                PartResult::Sent(id) => ids.extend(id),
                PartResult::Failed(e) => return Ok(Some(report(Outcome::Failed(e)))),
                PartResult::Unknown(cause, detail) => {
                    return Ok(Some(report(Outcome::Unknown { cause, detail })))
                }
                PartResult::Stopped => return Ok(None),
            }
        }
        Ok(Some(report(Outcome::Sent {
            parts,
            message_ids: ids,
        })))
    }

    fn outbox(&mut self, item: &Due, post: &Post, msg: &Message) -> anyhow::Result<Outcome> {
        let c = self.community;
        let ch = self.ch;
        let name = outbox::file_name(item.slot, c.config.tz, &item.column, &post.slug);
        let mut claim = Record::new(self.now(), EventKind::Claimed, &post.source, &ch.id);
        claim.slot = Some(item.slot);
        claim.part = 1;
        claim.parts = 1;
        self.append(claim.clone())?;
        let rel = ch.dir.join(&name);
        match outbox::write(
            &c.config.root.join(&ch.dir),
            &name,
            &outbox::text(&msg.parts),
        ) {
            Ok(_) => {
                let mut r = claim;
                r.at = self.now();
                r.event = EventKind::Sent;
                r.message_id = Some(crate::core::slug::to_slash(&rel));
                self.append(r)?;
                Ok(Outcome::Sent {
                    parts: msg.parts.len() as u32,
                    message_ids: vec![crate::core::slug::to_slash(&rel)],
                })
            }
            Err(e) => {
                let e = format!("cannot write {}: {e}", rel.display());
                let mut r = claim;
                r.at = self.now();
                r.event = EventKind::Failed;
                r.error = Some(e.clone());
                self.append(r)?;
                Ok(Outcome::Failed(e))
            }
        }
    }

    fn send_part(&mut self, p: &Sending<'_>) -> anyhow::Result<PartResult> {
        let ch = self.ch;
        let client = self
            .client
            .get_or_insert_with(|| http::Client::new(ch.timeout))
            .clone();
        let scrub = |s: &str| p.redactor.scrub(s);
        let mut attempt = 0u32;
        loop {
            let wait = self.pacer.wait_for(&ch.id, ch.pace);
            if !self.sleep(wait) {
                return Ok(PartResult::Stopped);
            }
            let req = p.platform.request(&platform::Outgoing {
                url: p.secrets.url.as_deref(),
                secret: p.secrets.secret.as_deref(),
                chat_id: p.secrets.chat_id.as_deref(),
                title: p.title,
                text: p.text,
                // The platform's @all goes with the first message only.
                mention_all: ch.mention_all && p.part == 1,
                now: Utc::now(),
                fields: p.fields,
            });
            let mut claim = Record::new(self.now(), EventKind::Claimed, &p.post.source, &ch.id);
            claim.slot = Some(p.item.slot);
            claim.part = p.part;
            claim.parts = p.parts;
            self.append(claim.clone())?;
            let result = client.send(&req);
            self.pacer.sent(&ch.id);
            let answer = match result {
                Ok(mut reply) => {
                    // Scrubbed whole, before any of it is read or cut.
                    reply.body = scrub(&reply.body);
                    p.platform.answer(&reply, ch.retry_after)
                }
                Err(Transport::NotSent(e)) => Answer::Transient(e),
                Err(Transport::Unknown(cause, e)) => {
                    let e = scrub(&e);
                    let mut rec = claim;
                    rec.at = self.now();
                    rec.event = EventKind::Unknown;
                    rec.cause = Some(cause);
                    rec.error = Some(e.clone());
                    self.append(rec)?;
                    return Ok(PartResult::Unknown(cause, e));
                }
            };
            let mut rec = claim;
            rec.at = self.now();
            // Waiting before another try: (wait, error).
            let (wait, e) = match answer {
                Answer::Sent(id) => {
                    rec.event = EventKind::Sent;
                    rec.message_id = id.clone();
                    self.append(rec)?;
                    return Ok(PartResult::Sent(id));
                }
                Answer::SentWithReply(body) => {
                    rec.event = EventKind::Sent;
                    rec.reply = Some(http::excerpt(&scrub(&body)));
                    self.append(rec)?;
                    return Ok(PartResult::Sent(None));
                }
                Answer::Unclear(e) => {
                    let e = scrub(&e);
                    rec.event = EventKind::Unknown;
                    rec.cause = Some(Cause::Unreadable);
                    rec.error = Some(e.clone());
                    self.append(rec)?;
                    return Ok(PartResult::Unknown(Cause::Unreadable, e));
                }
                Answer::Permanent(e) => {
                    let e = scrub(&e);
                    rec.event = EventKind::Failed;
                    rec.error = Some(e.clone());
                    self.append(rec)?;
                    return Ok(PartResult::Failed(e));
                }
                Answer::RateLimited(w, e) => (w.to_std().unwrap_or_default(), scrub(&e)),
                Answer::Transient(e) => {
                    let backoff = std::time::Duration::from_millis(500u64 << attempt.min(6));
                    (backoff, scrub(&e))
                }
            };
            // The platform said it did not post (or nothing was sent):
            // record that, then maybe retry.
            rec.event = EventKind::Failed;
            rec.error = Some(e.clone());
            self.append(rec)?;
            if attempt >= ch.retries {
                return Ok(PartResult::Failed(format!(
                    "{e} (after {} tries)",
                    attempt + 1
                )));
            }
            attempt += 1;
            if !self.sleep(wait) {
                return Ok(PartResult::Failed(format!(
                    "{e} (stopped before trying again)"
                )));
            }
        }
    }
}

/// One part on its way.
struct Sending<'s> {
    item: &'s Due,
    post: &'s Post,
    platform: &'s dyn Platform,
    /// The post's fields, for a platform that sends them.
    fields: Option<&'s serde_json::Value>,
    secrets: &'s Secrets,
    redactor: &'s http::Redactor,
    title: &'s str,
    text: &'s str,
    part: u32,
    parts: u32,
}

enum PartResult {
    Sent(Option<String>),
    Failed(String),
    Unknown(Cause, String),
    Stopped,
}

/// The posts due at `clock.now` by the plan, for delivery: every planned
/// post whose time has come and that is not older than the ledger's
/// history (delivered posts too, so a channel that has not had one yet
/// still gets it; the ledger decides per channel).
pub fn due_now(c: &Project, clock: &Clock, ledger: &Ledger) -> Vec<Due> {
    let max_stale = c
        .config
        .columns
        .iter()
        .map(|col| col.stale_after)
        .max()
        .unwrap_or_else(|| Duration::hours(2));
    let from = ledger.started().unwrap_or(clock.now) - max_stale - Duration::days(1);
    let mut out: Vec<Due> = planned(c, clock)
        .into_iter()
        .filter(|d| d.slot <= clock.now && d.slot >= from)
        .collect();
    // Resends the organiser asked for, whatever their age.
    for d in ledger.deliveries().filter(|d| d.resend) {
        if !out.iter().any(|o| o.source == d.post) {
            if let (Some(p), Some(slot)) = (c.posts.iter().find(|p| p.source == d.post), d.slot) {
                out.push(Due {
                    source: p.source.clone(),
                    column: p.column.clone(),
                    slot,
                });
            }
        }
    }
    out
}

/// Publishes the due queued posts that no channel carries: their slot has
/// come, so they enter the archive, dated by that slot. The slot is
/// recorded in the ledger as a delivery is, so the post never moves again.
/// (A pinned post needs no record: its `publish_at` dates it.) Returns the
/// posts newly published.
pub fn publish_without_channel(
    c: &Project,
    ledger: &mut Ledger,
    due: &[Due],
    now: DateTime<Utc>,
) -> std::io::Result<Vec<Due>> {
    let mut out = Vec::new();
    for d in due {
        let Some(post) = c.posts.iter().find(|p| p.source == d.source) else {
            continue;
        };
        let carried = c.config.channels.iter().any(|ch| ch.carries(&d.column));
        if carried || post.publish_at.is_some() || ledger.is_published(&d.source) {
            continue;
        }
        ledger.ensure_started(now)?;
        ledger.append_published(now, &d.source, d.slot)?;
        out.push(d.clone());
    }
    Ok(out)
}

/// Posts due at one instant in one column: two posts pinned (or pinned and
/// delivered) to the same slot, which `qunshu schedule` reports as a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The column.
    pub column: String,
    /// The instant they share.
    pub slot: DateTime<Utc>,
    /// Every post at that instant, sorted.
    pub posts: Vec<PathBuf>,
}

/// Takes the clashing posts out of `due` and returns the clashes: a post
/// that shares its column and instant with another is not sent until the
/// organiser moves one of them (the plan shows the clash the same way).
/// A post already delivered stays in `due` (the ledger decides per
/// channel), so only the newcomer is held back.
pub fn take_clashes(c: &Project, due: &mut Vec<Due>) -> Vec<Clash> {
    let mut groups: std::collections::BTreeMap<(&str, DateTime<Utc>), Vec<PathBuf>> =
        std::collections::BTreeMap::new();
    for d in due.iter() {
        groups
            .entry((d.column.as_str(), d.slot))
            .or_default()
            .push(d.source.clone());
    }
    let clashes: Vec<Clash> = groups
        .into_iter()
        .filter(|(_, posts)| posts.len() > 1)
        .map(|((column, slot), mut posts)| {
            posts.sort();
            Clash {
                column: column.to_string(),
                slot,
                posts,
            }
        })
        .collect();
    if !clashes.is_empty() {
        due.retain(|d| {
            c.delivered.contains_key(&d.source)
                || !clashes
                    .iter()
                    .any(|k| k.column == d.column && k.slot == d.slot)
        });
    }
    clashes
}

/// The next planned delivery after `clock.now`, if any.
pub fn next_due(c: &Project, clock: &Clock) -> Option<Due> {
    upcoming(c, clock, 1).into_iter().next()
}

/// Upcoming deliveries after `clock.now`, soonest first.
pub fn upcoming(c: &Project, clock: &Clock, n: usize) -> Vec<Due> {
    let s = crate::publish::schedule::plan::planned_times(c, clock);
    s.posts
        .iter()
        .filter(|p| p.at > clock.now && p.status != PostStatus::Delivered)
        .take(n)
        .map(|p| Due {
            source: p.source.clone(),
            column: p.column.clone(),
            slot: p.at,
        })
        .collect()
}

/// The planned time of every post, from the plan: pinned posts at their
/// time, delivered posts in the slot they were delivered for, queued posts
/// in their column's next free deliverable slot.
fn planned(c: &Project, clock: &Clock) -> Vec<Due> {
    crate::publish::schedule::plan::planned_times(c, clock)
        .posts
        .into_iter()
        .map(|p| Due {
            source: p.source,
            column: p.column,
            slot: p.at,
        })
        .collect()
}

/// The state folder of a site (`ROOT/.qunshu`).
pub fn state_dir(root: &Path) -> PathBuf {
    root.join(ledger::STATE_DIR)
}
