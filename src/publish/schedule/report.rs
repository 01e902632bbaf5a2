//! A duty week in figures (`qunshu report`): who was on duty, the threads
//! asked and solved, how many distinct members answered, the accepted
//! answers (candidates for the weekly best-answer pick), and the posts that
//! went out per column — the duty admin's KPI.
//!
//! A post "went out" in the week when its pinned or delivered time falls in
//! the week and has passed by the clock's now. Members are shown only
//! through `Members::credit`.

use crate::core::content::{Credit, Status};
use crate::core::kind::Kind;
use crate::core::project::Project;
use crate::core::time::{self, Clock};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One thread asked in the week.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadLine {
    /// Source file.
    pub source: PathBuf,
    /// Title.
    pub title: String,
    /// `open` or `solved`.
    pub solved: bool,
    /// Number of answers.
    pub answers: usize,
}

/// One accepted answer.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedLine {
    /// The thread's source file.
    pub source: PathBuf,
    /// The thread's title.
    pub thread: String,
    /// The answer's own title, if any.
    pub answer_title: Option<String>,
    /// Who answered, as their privacy setting allows.
    pub author: Credit,
}

/// Posts that went out in one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnLine {
    /// Column id.
    pub column: String,
    /// Column name.
    pub name: String,
    /// Number of posts.
    pub count: usize,
    /// Their titles, in time order.
    pub titles: Vec<String>,
}

/// The figures of one duty week.
#[derive(Debug, Clone, Serialize)]
pub struct WeekReport {
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// The admin on duty, if there is a rota covering the week.
    pub admin: Option<Credit>,
    /// Threads asked in the week.
    pub threads: Vec<ThreadLine>,
    /// How many of them are solved.
    pub solved: usize,
    /// Distinct members who answered or replied in them.
    pub distinct_answerers: usize,
    /// Accepted answers in them.
    pub accepted: Vec<AcceptedLine>,
    /// Posts out per column, in `site.toml` order.
    pub columns: Vec<ColumnLine>,
    /// True when the week has not ended by the clock's now (figures so far).
    pub in_progress: bool,
}

/// A duty week and the posts that went out in it by the clock's now.
struct Week {
    /// First day.
    start: NaiveDate,
    /// The day after the last.
    end_excl: NaiveDate,
    /// The week's end as an instant.
    hi: chrono::DateTime<Utc>,
    /// The admin on duty, if a rota covers the week.
    duty: Option<crate::publish::schedule::Duty>,
    /// Indexes of the posts that went out, in time order.
    posts: Vec<usize>,
}

/// The duty week containing `date`: the rota's period when a rota covers
/// the date, otherwise Monday to Sunday.
fn week_of(c: &Project, clock: &Clock, date: NaiveDate) -> Week {
    let tz = c.config.tz;
    let duty = c.config.rota.as_ref().and_then(|r| r.on(date));
    let (start, end_excl) = match &duty {
        Some(d) => (d.start, d.end),
        None => {
            let s = date - Duration::days(date.weekday().num_days_from_monday() as i64);
            (s, s + Duration::days(7))
        }
    };
    let lo = time::resolve_local(tz, start.and_time(NaiveTime::MIN)).with_timezone(&Utc);
    let hi = time::resolve_local(tz, end_excl.and_time(NaiveTime::MIN)).with_timezone(&Utc);
    let mut out: Vec<(chrono::DateTime<Utc>, usize)> = c
        .posts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.draft)
        .filter_map(|(i, p)| Some((c.post_time(p)?, i)))
        .filter(|(t, _)| *t >= lo && *t < hi && *t <= clock.now)
        .collect();
    out.sort();
    Week {
        start,
        end_excl,
        hi,
        duty,
        posts: out.into_iter().map(|(_, i)| i).collect(),
    }
}

/// The source files of the threads [`week_report`] counts for `date`: the
/// posts whose answers a community loaded with
/// [`Project::open`] with [`Depth::FrontMatter`](crate::core::content::Depth) must have read (with
/// [`Project::load_text`]) before the report.
pub fn week_threads(c: &Project, clock: &Clock, date: NaiveDate) -> Vec<PathBuf> {
    week_of(c, clock, date)
        .posts
        .into_iter()
        .map(|i| &c.posts[i])
        .filter(|p| p.kind == Kind::Qa)
        .map(|p| p.source.clone())
        .collect()
}

/// The report for the duty week containing `date`: the rota's period when
/// a rota covers the date, otherwise the Monday-to-Sunday week. Threads'
/// answers must have been read (see [`week_threads`]).
pub fn week_report(c: &Project, clock: &Clock, date: NaiveDate) -> WeekReport {
    let Week {
        start,
        end_excl,
        hi,
        duty,
        posts: out,
    } = week_of(c, clock, date);
    let mut threads = Vec::new();
    let mut accepted = Vec::new();
    let mut answerers: BTreeSet<&str> = BTreeSet::new();
    for &i in &out {
        let p = &c.posts[i];
        let Some(t) = p.thread.as_ref().filter(|_| p.kind == Kind::Qa) else {
            continue;
        };
        threads.push(ThreadLine {
            source: p.source.clone(),
            title: p.title.clone(),
            solved: t.status == Status::Solved,
            answers: t.answers.len(),
        });
        answerers.extend(t.answerers());
        if let Some(a) = t.accepted_answer() {
            accepted.push(AcceptedLine {
                source: p.source.clone(),
                thread: p.title.clone(),
                answer_title: a.title.clone(),
                author: c.members.credit(&a.author),
            });
        }
    }
    let columns = c
        .config
        .columns
        .iter()
        .map(|col| {
            let titles: Vec<String> = out
                .iter()
                .map(|&i| &c.posts[i])
                .filter(|p| p.column == col.id)
                .map(|p| p.title.clone())
                .collect();
            ColumnLine {
                column: col.id.clone(),
                name: col.name.clone(),
                count: titles.len(),
                titles,
            }
        })
        .collect();
    WeekReport {
        start,
        end: end_excl - Duration::days(1),
        admin: duty.map(|d| c.members.credit(&d.handle)),
        solved: threads.iter().filter(|t| t.solved).count(),
        threads,
        distinct_answerers: answerers.len(),
        accepted,
        columns,
        in_progress: clock.now < hi,
    }
}
