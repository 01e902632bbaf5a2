//! Sending: one worker thread per channel, each with its own pacing,
//! retries and HTTP client; one writer of the ledger; every part claimed
//! before its request and recorded after its answer.
//!
//! Owns: the requests and the ledger records of a run. Must not import:
//! `archive`.

use super::decide;
use super::{
    http, outbox, pacing, platform, render_for, webhook_fields, Cause, Channel, Due, Ledger,
    Message, Platform, Secrets,
};
use crate::core::content::Post;
use crate::core::ledger::{self, EventKind, Record};
use crate::core::project::Project;
use crate::core::time::Clock;
use chrono::{DateTime, Duration, Utc};
use http::{Answer, Transport};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

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
