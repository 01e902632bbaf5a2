//! The delivery ledger: `.qunshu/ledger.jsonl`, one JSON record a line,
//! append-only, each line written and fsynced before the next step.
//!
//! For each post and channel (and each numbered part of a split post) the
//! ledger records `claimed` *before* the request is sent, then `sent` (with
//! the platform's message id when it returns one) or `failed` (with the
//! platform's error). A claim with no answer after it means the run died or
//! lost the connection between the two: the delivery is *unknown*. It is
//! never sent again automatically — the organiser looks at the group and
//! resolves it (`qunshu resolve … --sent` or `--resend`), which is recorded
//! too. That is how "never twice" is kept honestly on APIs that take no
//! idempotency key.
//!
//! The ledger holds no secrets: channels are named by their id, errors and
//! answers pass through [`super::http::Redactor`] before they are written.
//!
//! One writer appends to it: channels deliver in parallel, each on its own
//! worker, and send their records to the thread that owns the ledger, which
//! writes and fsyncs each before the worker goes on.
//!
//! Owns the ledger's file format. Imports only the leaves; must not import
//! content or project (`Project::open` reads the ledger, not the reverse),
//! nor any layer above `core`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder under the site root that holds the ledger and the lock.
pub const STATE_DIR: &str = ".qunshu";
/// The ledger's file name inside [`STATE_DIR`].
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// What a ledger record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The ledger began: slots that were already stale then are history.
    Start,
    /// A request for one part is about to be sent.
    Claimed,
    /// The platform accepted the part.
    Sent,
    /// The platform refused the part (or it could not be sent).
    Failed,
    /// A later run found a claim with no answer.
    Unknown,
    /// The slot passed beyond its staleness window with nothing sent.
    Missed,
    /// The organiser confirmed an unknown part reached the group.
    ResolvedSent,
    /// The organiser asked for an unknown part to be sent again.
    ResolvedResend,
    /// A queued post's slot passed and no channel carries its column: it is
    /// published in the archive from `slot` on (a record with no channel).
    Published,
}

/// Why a delivery's outcome is unknown: each case in which the request may
/// have reached the platform without an answer saying so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The run stopped (killed, crashed, power lost) between the claim and
    /// the answer.
    Stopped,
    /// No answer came within the channel's `timeout`.
    TimedOut,
    /// The connection broke after the request went out.
    Broken,
    /// An answer came but could not be read (not HTTP, cut short, or a
    /// success status without what the platform always returns).
    Unreadable,
}

impl Cause {
    /// The cause in words, in the site's language.
    pub fn describe(self, lang: crate::core::config::Lang) -> &'static str {
        use crate::core::config::Lang::{En, ZhCn};
        match (self, lang) {
            (Cause::Stopped, ZhCn) => "上次运行在平台答复前中断（被终止或崩溃）",
            (Cause::Stopped, En) => {
                "a run was stopped (killed or crashed) before the platform answered"
            }
            (Cause::TimedOut, ZhCn) => "等待平台答复超时，可能已发出",
            (Cause::TimedOut, En) => "no answer in time; it may have been posted",
            (Cause::Broken, ZhCn) => "请求发出后连接中断，可能已发出",
            (Cause::Broken, En) => {
                "the connection broke after the request went out; it may have been posted"
            }
            (Cause::Unreadable, ZhCn) => "平台的答复无法读取，可能已发出",
            (Cause::Unreadable, En) => {
                "the platform's answer could not be read; it may have been posted"
            }
        }
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// When it was recorded (the run's clock).
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: EventKind,
    /// The post's source path (`content/briefs/x.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<PathBuf>,
    /// The channel id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The slot the post was due in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<DateTime<Utc>>,
    /// 1-based part number.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub part: u32,
    /// Number of parts.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub parts: u32,
    /// The platform's message id (or the outbox file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The platform's error, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For `unknown`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// For `sent`: the platform's answer when it was not the usual one
    /// (scrubbed of secrets, cut to 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Record {
    /// A record about one post on one channel.
    pub fn new(at: DateTime<Utc>, event: EventKind, post: &Path, channel: &str) -> Record {
        Record {
            post: Some(post.to_path_buf()),
            channel: Some(channel.to_string()),
            ..Record::bare(at, event)
        }
    }

    /// A record of `event` at `at` with no post, channel or detail.
    pub fn bare(at: DateTime<Utc>, event: EventKind) -> Record {
        Record {
            at,
            event,
            post: None,
            channel: None,
            slot: None,
            part: 0,
            parts: 0,
            message_id: None,
            error: None,
            cause: None,
            reply: None,
        }
    }
}

/// Where one post stands on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nothing sent yet (or some parts, or a resend was asked for).
    Pending,
    /// Every part reached the platform.
    Sent,
    /// The last attempt failed.
    Failed,
    /// A part was claimed and no answer recorded.
    Unknown,
    /// Its slot went stale with nothing sent.
    Missed,
}

/// The history of one post on one channel, folded from the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Post source path.
    pub post: PathBuf,
    /// Channel id.
    pub channel: String,
    /// The slot of the latest claim or record.
    pub slot: Option<DateTime<Utc>>,
    /// Number of parts at the latest claim.
    pub parts: u32,
    /// Parts that reached the platform, with their message ids.
    pub sent: BTreeMap<u32, Option<String>>,
    /// A part claimed with no answer: (part, claim time).
    pub open_claim: Option<(u32, DateTime<Utc>)>,
    /// Whether an `unknown` record was already written for the open claim.
    pub unknown_recorded: bool,
    /// Why the open claim is unknown, from its `unknown` record (none in
    /// ledgers written before causes were recorded).
    pub unknown_cause: Option<Cause>,
    /// The details of the open claim's `unknown` record.
    pub unknown_error: Option<String>,
    /// The last failure: (time, error).
    pub failed: Option<(DateTime<Utc>, String)>,
    /// The slot was recorded as missed.
    pub missed: bool,
    /// The organiser asked for a resend.
    pub resend: bool,
    /// When the first part reached the platform.
    pub first_sent: Option<DateTime<Utc>>,
    /// When the last part reached the platform.
    pub last_sent: Option<DateTime<Utc>>,
    /// Time of the latest record.
    pub last_at: DateTime<Utc>,
}

impl Delivery {
    /// The delivery's state.
    pub fn state(&self) -> State {
        if self.open_claim.is_some() {
            State::Unknown
        } else if self.parts > 0 && self.sent.len() as u32 >= self.parts && !self.resend {
            State::Sent
        } else if self.missed && !self.resend {
            State::Missed
        } else if self.failed.is_some() {
            State::Failed
        } else {
            State::Pending
        }
    }

    /// The first part not yet sent (1-based).
    pub fn next_part(&self) -> u32 {
        (1..).find(|p| !self.sent.contains_key(p)).unwrap_or(1)
    }

    /// The message ids returned so far, in part order.
    pub fn message_ids(&self) -> Vec<&str> {
        self.sent.values().flatten().map(|s| s.as_str()).collect()
    }
}

/// The ledger of a site: its records and the state folded from them.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: Option<File>,
    records: Vec<Record>,
    deliveries: HashMap<(PathBuf, String), Delivery>,
    /// Posts published with no channel, with the slot they were given.
    published: HashMap<PathBuf, DateTime<Utc>>,
    started: Option<DateTime<Utc>>,
    /// Lines that could not be read (a line cut short by a crash), with their numbers.
    pub bad_lines: Vec<usize>,
}

impl Ledger {
    /// Reads `ROOT/.qunshu/ledger.jsonl` (a missing file is an empty ledger).
    /// A line that cannot be read — the last line cut short by a power
    /// failure, a damaged byte that is not UTF-8 — is skipped and listed in
    /// `bad_lines`; the other lines are read.
    pub fn load(root: &Path) -> Result<Ledger, String> {
        let path = root.join(STATE_DIR).join(LEDGER_FILE);
        let mut l = Ledger {
            path: path.clone(),
            file: None,
            records: Vec::new(),
            deliveries: HashMap::new(),
            published: HashMap::new(),
            started: None,
            bad_lines: Vec::new(),
        };
        let bytes = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(l),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        // Line by line, so one damaged byte costs its line, not the ledger.
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.trim_ascii().is_empty() {
                continue;
            }
            match std::str::from_utf8(line)
                .ok()
                .and_then(|line| serde_json::from_str::<Record>(line).ok())
            {
                Some(r) => l.apply(r),
                None => l.bad_lines.push(i + 1),
            }
        }
        Ok(l)
    }

    /// The ledger file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the ledger began, if it has.
    pub fn started(&self) -> Option<DateTime<Utc>> {
        self.started
    }

    /// Every record, in order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The delivery of `post` on `channel`, if anything was recorded.
    pub fn delivery(&self, post: &Path, channel: &str) -> Option<&Delivery> {
        self.deliveries
            .get(&(post.to_path_buf(), channel.to_string()))
    }

    /// Every delivery with a record.
    pub fn deliveries(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.values()
    }

    /// Appends one record: written as one line and fsynced before returning.
    pub fn append(&mut self, r: Record) -> std::io::Result<()> {
        if self.file.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let existed = self.path.exists();
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            // A line cut short by a crash must not swallow the next record.
            let len = f.metadata()?.len();
            if len > 0 {
                let mut last = [0u8; 1];
                use std::io::{Read, Seek, SeekFrom};
                let mut r = File::open(&self.path)?;
                r.seek(SeekFrom::Start(len - 1))?;
                r.read_exact(&mut last)?;
                if last[0] != b'\n' {
                    f.write_all(b"\n")?;
                }
            }
            if !existed {
                if let Some(dir) = self.path.parent().and_then(|d| File::open(d).ok()) {
                    let _ = dir.sync_all();
                }
            }
            self.file = Some(f);
        }
        let mut line = serde_json::to_string(&r).map_err(std::io::Error::other)?;
        line.push('\n');
        if let Some(f) = self.file.as_mut() {
            f.write_all(line.as_bytes())?;
            f.sync_data()?;
        }
        self.apply(r);
        Ok(())
    }

    /// Records the ledger's start at `now` if it has none.
    pub fn ensure_started(&mut self, now: DateTime<Utc>) -> std::io::Result<()> {
        if self.started.is_none() {
            self.append(Record::bare(now, EventKind::Start))?;
        }
        Ok(())
    }

    fn apply(&mut self, r: Record) {
        if r.event == EventKind::Start {
            self.started.get_or_insert(r.at);
            self.records.push(r);
            return;
        }
        if r.event == EventKind::Published {
            if let (Some(post), Some(slot)) = (r.post.clone(), r.slot) {
                self.published.entry(post).or_insert(slot);
            }
            self.records.push(r);
            return;
        }
        let (Some(post), Some(channel)) = (r.post.clone(), r.channel.clone()) else {
            self.records.push(r);
            return;
        };
        let d = self
            .deliveries
            .entry((post.clone(), channel.clone()))
            .or_insert_with(|| Delivery {
                post,
                channel,
                slot: None,
                parts: 0,
                sent: BTreeMap::new(),
                open_claim: None,
                unknown_recorded: false,
                unknown_cause: None,
                unknown_error: None,
                failed: None,
                missed: false,
                resend: false,
                first_sent: None,
                last_sent: None,
                last_at: r.at,
            });
        d.last_at = r.at;
        if r.slot.is_some() {
            d.slot = r.slot;
        }
        if r.parts > 0 {
            d.parts = r.parts;
        }
        match r.event {
            EventKind::Start | EventKind::Published => {}
            EventKind::Claimed => {
                d.open_claim = Some((r.part, r.at));
                d.unknown_recorded = false;
                d.unknown_cause = None;
                d.unknown_error = None;
            }
            EventKind::Sent => {
                d.sent.insert(r.part, r.message_id.clone());
                d.open_claim = None;
                d.failed = None;
                d.resend = false;
                d.first_sent.get_or_insert(r.at);
                d.last_sent = Some(r.at);
            }
            EventKind::Failed => {
                d.open_claim = None;
                d.failed = Some((r.at, r.error.clone().unwrap_or_default()));
            }
            EventKind::Unknown => {
                d.unknown_recorded = true;
                d.unknown_cause = r.cause;
                d.unknown_error = r.error.clone();
            }
            EventKind::Missed => d.missed = true,
            EventKind::ResolvedSent => {
                let at = d.open_claim.map(|(_, t)| t).unwrap_or(r.at);
                d.sent.insert(r.part, None);
                d.open_claim = None;
                d.failed = None;
                d.first_sent.get_or_insert(at);
                d.last_sent = Some(at);
            }
            EventKind::ResolvedResend => {
                d.open_claim = None;
                d.resend = true;
                d.missed = false;
            }
        }
        self.records.push(r);
    }

    /// Whether `post` was published with no channel (see [`EventKind::Published`]).
    pub fn is_published(&self, post: &Path) -> bool {
        self.published.contains_key(post)
    }

    /// Records that `post`'s slot passed with no channel to carry it: it is
    /// in the archive from `slot` on.
    pub fn append_published(
        &mut self,
        now: DateTime<Utc>,
        post: &Path,
        slot: DateTime<Utc>,
    ) -> std::io::Result<()> {
        self.append(Record {
            post: Some(post.to_path_buf()),
            slot: Some(slot),
            ..Record::bare(now, EventKind::Published)
        })
    }

    /// When each post first reached a channel — or, for a post no channel
    /// carries, the slot it was published in — by source path.
    pub fn delivered(&self) -> HashMap<PathBuf, DateTime<Utc>> {
        let mut m: HashMap<PathBuf, DateTime<Utc>> = self.published.clone();
        for d in self.deliveries.values() {
            // A post went out when its first part reached any channel, even
            // if other parts or channels are still to follow. A claim whose
            // outcome is unknown may have gone out then too: it keeps its
            // slot in the plan until the organiser resolves it.
            let unknown = d.open_claim.filter(|_| !d.resend).map(|(_, t)| t);
            if let Some(t) = d.first_sent.or(unknown) {
                m.entry(d.post.clone())
                    .and_modify(|v| *v = (*v).min(t))
                    .or_insert(t);
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn claim_without_answer_is_unknown_and_torn_line_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::load(dir.path()).unwrap();
        l.ensure_started(at("2026-11-24T00:00:00Z")).unwrap();
        let p = Path::new("content/briefs/a.md");
        let mut r = Record::new(at("2026-11-24T00:00:01Z"), EventKind::Claimed, p, "wx");
        r.part = 1;
        r.parts = 2;
        l.append(r.clone()).unwrap();
        let mut s = r.clone();
        s.event = EventKind::Sent;
        s.message_id = Some("m1".into());
        l.append(s).unwrap();
        r.part = 2;
        l.append(r).unwrap();
        // A torn last line, as a crash mid-write would leave.
        let mut f = OpenOptions::new().append(true).open(l.path()).unwrap();
        f.write_all(b"{\"at\":\"2026-11-24T00:0").unwrap();
        let l = Ledger::load(dir.path()).unwrap();
        assert_eq!(l.bad_lines, vec![5]);
        let d = l.delivery(p, "wx").unwrap();
        assert_eq!(d.state(), State::Unknown);
        assert_eq!(d.open_claim.map(|c| c.0), Some(2));
        assert_eq!(d.message_ids(), vec!["m1"]);
        assert_eq!(l.delivered().len(), 1);
        // A record after the torn line lands on a line of its own.
        let mut l = l;
        let mut r = Record::new(at("2026-11-24T00:00:09Z"), EventKind::ResolvedSent, p, "wx");
        r.part = 2;
        l.append(r).unwrap();
        let l = Ledger::load(dir.path()).unwrap();
        assert_eq!(l.bad_lines, vec![5]);
        assert_eq!(l.delivery(p, "wx").unwrap().state(), State::Sent);
    }

    #[test]
    fn an_unknown_keeps_its_cause_until_the_next_claim() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::load(dir.path()).unwrap();
        let p = Path::new("content/briefs/a.md");
        let mut claim = Record::new(at("2026-11-24T00:00:01Z"), EventKind::Claimed, p, "tg");
        claim.part = 1;
        claim.parts = 1;
        l.append(claim.clone()).unwrap();
        let mut u = claim.clone();
        u.event = EventKind::Unknown;
        u.cause = Some(Cause::TimedOut);
        u.error = Some("no answer within 15s".into());
        l.append(u).unwrap();
        let l2 = Ledger::load(dir.path()).unwrap();
        let d = l2.delivery(p, "tg").unwrap();
        assert_eq!(d.state(), State::Unknown);
        assert_eq!(d.unknown_cause, Some(Cause::TimedOut));
        assert_eq!(d.unknown_error.as_deref(), Some("no answer within 15s"));
        let mut r = Record::new(
            at("2026-11-24T00:09:00Z"),
            EventKind::ResolvedResend,
            p,
            "tg",
        );
        r.part = 1;
        l.append(r).unwrap();
        l.append(claim).unwrap();
        let d = l.delivery(p, "tg").unwrap();
        assert_eq!((d.unknown_cause, d.unknown_error.clone()), (None, None));
    }
}
