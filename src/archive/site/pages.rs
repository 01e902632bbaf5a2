//! The archive's pages other than posts: the home page, listings, the
//! tag and stage indexes, the contributors' index and their pages (see
//! [`Site::render`]).

use super::{Card, Job, Site};
use crate::core::kind::Kind;
use crate::core::slug::encode_path;
use anyhow::anyhow;

/// What the home page shows (see [`Site::home`]).
pub(crate) struct Home {
    /// The latest briefs (indices into `Project::posts`).
    pub(crate) briefs: Vec<usize>,
    /// The latest solved threads.
    pub(crate) threads: Vec<usize>,
    /// The latest cases.
    pub(crate) cases: Vec<usize>,
    /// Briefs, solved threads, cases and active contributors.
    pub(crate) counts: [usize; 4],
}

impl Site<'_> {
    /// The home page at `path`: the latest briefs, threads and cases, and
    /// the counts.
    pub(super) fn render_home(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let home = self.home();
        let mut ctx = self.base_context(path);
        let briefs: Vec<&Card> = home
            .briefs
            .iter()
            .filter_map(|i| self.cards.get(i))
            .collect();
        ctx.insert("briefs", &briefs);
        let root = self.root_of(path);
        ctx.insert("threads_html", &self.cards_html(&home.threads, &root, 3)?);
        ctx.insert("cases_html", &self.cards_html(&home.cases, &root, 3)?);
        let [brief, qa, case, contributors] = home.counts;
        ctx.insert(
            "counts",
            &serde_json::json!({
                "brief": brief,
                "qa": qa,
                "case": case,
                "contributors": contributors,
            }),
        );
        self.render_template("index.html", &ctx)
    }

    /// What the home page shows besides the site's settings: the latest
    /// briefs, solved threads and cases, and the counts (the live preview
    /// renders the page again only when this or one of these cards changed).
    pub(crate) fn home(&self) -> Home {
        let c = self.community;
        // Open threads (in the preview) are neither solved nor recent answers.
        let solved = |i: usize| c.posts[i].is_publishable_kind();
        let pick = |k: Kind, n: usize| -> Vec<usize> {
            self.order
                .iter()
                .copied()
                .filter(|&i| c.posts[i].kind == k && solved(i))
                .take(n)
                .collect()
        };
        let count = |k: Kind| {
            self.order
                .iter()
                .filter(|&&i| c.posts[i].kind == k && solved(i))
                .count()
        };
        Home {
            briefs: pick(Kind::Brief, 6),
            threads: pick(Kind::Qa, 8),
            cases: pick(Kind::Case, 4),
            counts: [
                count(Kind::Brief),
                count(Kind::Qa),
                count(Kind::Case),
                self.contributors
                    .iter()
                    .filter(|m| m.record.total() > 0)
                    .count(),
            ],
        }
    }

    /// Page `page` of listing `listing`, at `path`.
    pub(super) fn render_listing(
        &self,
        listing: usize,
        page: usize,
        path: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let c = self.community;
        let l = &self.listings[listing];
        let per = c.config.paginate;
        let pages = l.pages(per);
        let start = (page - 1) * per;
        let items = &l.items[start.min(l.items.len())..(start + per).min(l.items.len())];
        let mut ctx = self.base_context(path);
        ctx.insert("title", &l.title);
        ctx.insert("group", l.group);
        ctx.insert(
            "cards_html",
            &self.cards_html(items, &self.root_of(path), 2)?,
        );
        ctx.insert("total", &l.items.len().to_string());
        ctx.insert(
            "pager",
            &serde_json::json!({
                "page": page,
                "pages": pages,
                "prev": if page > 1 { Some(encode_path(&l.page_path(page - 1))) } else { None },
                "next": if page < pages { Some(encode_path(&l.page_path(page + 1))) } else { None },
            }),
        );
        self.render_template("list.html", &ctx)
    }

    /// The index of tags or of stages (`job`), at `path`.
    pub(super) fn render_terms(&self, job: &Job, path: &str) -> anyhow::Result<Vec<u8>> {
        let group = if *job == Job::TagIndex {
            "tag"
        } else {
            "stage"
        };
        let terms: Vec<serde_json::Value> = self
            .listings
            .iter()
            .filter(|l| l.group == group)
            .map(|l| {
                serde_json::json!({
                    "name": l.title,
                    "href": encode_path(&l.page_path(1)),
                    "count": l.items.len(),
                })
            })
            .collect();
        let mut ctx = self.base_context(path);
        ctx.insert(
            "title",
            self.t
                .get(if group == "tag" { "tags" } else { "stages" })
                .unwrap_or(&""),
        );
        ctx.insert("terms", &terms);
        self.render_template("terms.html", &ctx)
    }

    /// The contributors' index at `path`; anonymous members are counted, never named.
    pub(super) fn render_member_index(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let c = self.community;
        let people: Vec<serde_json::Value> = self
            .contributors
            .iter()
            .filter_map(|m| {
                let p = c.members.profile(&m.handle)?;
                let r = &m.record;
                Some(serde_json::json!({
                    "name": p.name,
                    "href": encode_path(&format!("members/{}.html", m.slug)),
                    "role": p.role,
                    "industry": p.industry,
                    "accepted": r.accepted.len(),
                    "answered": r.answered.len(),
                    "summaries": r.summaries.len(),
                    "cases": r.cases.len(),
                    "briefs": r.briefs.len(),
                    "asked": r.asked.len(),
                }))
            })
            .collect();
        let mut ctx = self.base_context(path);
        ctx.insert("people", &people);
        ctx.insert(
            "anonymous_note",
            &if self.anonymous_count > 0 {
                self.t
                    .get("anonymous_note")
                    .unwrap_or(&"")
                    .replace("{n}", &self.anonymous_count.to_string())
            } else {
                String::new()
            },
        );
        self.render_template("members.html", &ctx)
    }

    /// The page of contributor `i`, at `path`.
    pub(super) fn render_member(&self, i: usize, path: &str) -> anyhow::Result<Vec<u8>> {
        let c = self.community;
        let m = &self.contributors[i];
        let profile = c
            .members
            .profile(&m.handle)
            .ok_or_else(|| anyhow!("no public profile for a contributor"))?;
        let r = &m.record;
        let mut ctx = self.base_context(path);
        ctx.insert("profile", &profile);
        let root = self.root_of(path);
        let groups: Vec<serde_json::Value> = [
            ("accepted_answers", &r.accepted),
            ("answers_given", &r.answered),
            ("summaries", &r.summaries),
            ("cases_written", &r.cases),
            ("briefs_written", &r.briefs),
            ("questions_asked", &r.asked),
        ]
        .into_iter()
        .map(|(key, items)| {
            Ok(serde_json::json!({
                "key": key,
                "count": items.len(),
                "html": self.cards_html(items, &root, 3)?,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
        ctx.insert("groups", &groups);
        self.render_template("member.html", &ctx)
    }
}
