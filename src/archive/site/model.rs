//! The page model's parts, made once per build: a card per included post,
//! the listings (kinds, columns, tags, stages) and the contributors'
//! records (see [`super::Site::new_with_theme`]).

use super::{
    excerpt, kind_label, person, term_slug, Card, Contribution, Contributor, Link, Listing, Person,
    CARD_TAGS,
};
use crate::core::content::{Post, Privacy, Visibility};
use crate::core::i18n;
use crate::core::kind::Kind;
use crate::core::project::Project;
use crate::core::slug::encode_path;
use chrono::{DateTime, Utc};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// The card of post `p` as seen at `now`.
pub(super) fn card(c: &Project, p: &Post, now: DateTime<Utc>) -> Card {
    let lang = c.config.language;
    let t = c.post_time(p);
    let local = t.map(|t| t.with_timezone(&c.config.tz));
    let people: Vec<Person> = match &p.thread {
        Some(th) => th.accepted.iter().map(|h| person(c, h)).collect(),
        None => p.authors.iter().map(|h| person(c, h)).collect(),
    };
    let state = match c.visibility(p, now) {
        Visibility::Published => None,
        Visibility::Draft => Some("draft"),
        Visibility::Future => Some("future"),
        Visibility::Queued => Some("queued"),
        Visibility::Open => Some("open_thread"),
        Visibility::Expired => Some("expired"),
    };
    let column_name = c
        .config
        .column(&p.column)
        .map(|col| col.name.clone())
        .unwrap_or_else(|| p.column.clone());
    Card {
        title: p.title.clone(),
        href: p.href(),
        kind: p.kind,
        kind_label: kind_label(lang, p.kind).to_string(),
        column: Link {
            name: column_name,
            href: encode_path(&format!("columns/{}/index.html", term_slug(&p.column))),
        },
        date: local.map(|l| i18n::date(lang, l.date_naive())),
        iso: t.map(|t| t.to_rfc3339()),
        tags: p
            .tags
            .iter()
            .take(CARD_TAGS)
            .map(|tag| Link {
                name: tag.clone(),
                href: encode_path(&format!("tags/{}/index.html", term_slug(tag))),
            })
            .collect(),
        more_tags: p.tags.len().saturating_sub(CARD_TAGS),
        stage: p.stage.as_ref().map(|s| Link {
            name: s.clone(),
            href: encode_path(&format!("stages/{}/index.html", term_slug(s))),
        }),
        excerpt: p
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| excerpt(&p.body.rendered.text, 90)),
        people,
        answers: p.thread.as_ref().map(|t| t.answers.len()).unwrap_or(0),
        state,
    }
}

/// A fingerprint of everything the listings and the contributors' records
/// are made of besides the site's settings and members: the included posts
/// in order, with their kinds, columns, tags, stages and people.
pub(super) fn taxonomy_fp(c: &Project, order: &[usize]) -> u64 {
    let mut h = DefaultHasher::new();
    c.posts.len().hash(&mut h);
    for &i in order {
        let p = &c.posts[i];
        (i, p.kind, &p.column, &p.tags, &p.stage, &p.authors).hash(&mut h);
        if let Some(t) = &p.thread {
            (&t.asked_by, &t.summary_by, &t.accepted, t.answers.len()).hash(&mut h);
            for a in &t.answers {
                (&a.author, a.replies.len()).hash(&mut h);
                for r in &a.replies {
                    r.author.hash(&mut h);
                }
            }
        }
    }
    h.finish()
}

/// The posts of each term (tag or stage), by slug: terms that slug alike
/// share one list, named by the first seen. Each distinct term is slugged
/// and looked up once (a large community repeats a few dozen tags over
/// thousands of posts).
#[derive(Default)]
struct Terms<'a> {
    by_text: HashMap<&'a str, usize>,
    by_slug: HashMap<String, usize>,
    /// (slug, name, posts).
    list: Vec<(String, String, Vec<usize>)>,
}

impl<'a> Terms<'a> {
    /// The posts of `term` so far.
    fn items(&mut self, term: &'a str) -> &mut Vec<usize> {
        let k = match self.by_text.get(term) {
            Some(&k) => k,
            None => {
                let slug = term_slug(term);
                let k = match self.by_slug.get(&slug) {
                    Some(&k) => k,
                    None => {
                        self.list.push((slug.clone(), term.to_string(), Vec::new()));
                        self.by_slug.insert(slug, self.list.len() - 1);
                        self.list.len() - 1
                    }
                };
                self.by_text.insert(term, k);
                k
            }
        };
        &mut self.list[k].2
    }

    /// (slug, name, posts) of every term, by slug.
    fn sorted(self) -> Vec<(String, String, Vec<usize>)> {
        let mut list = self.list;
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }
}

/// The listings of the included posts (`order`, newest first): one per
/// kind that has a column or a post, one per column, tag and stage. `t` is
/// the theme's interface table.
pub(super) fn listings(
    c: &Project,
    order: &[usize],
    t: &BTreeMap<&'static str, &'static str>,
) -> Vec<Listing> {
    let mut listings = Vec::new();
    for k in Kind::ALL {
        if c.config.columns.iter().any(|col| col.kind == k)
            || order.iter().any(|&i| c.posts[i].kind == k)
        {
            listings.push(Listing {
                base: k.dir().to_string(),
                title: t.get(k.dir()).copied().unwrap_or("").to_string(),
                group: "kind",
                items: order
                    .iter()
                    .copied()
                    .filter(|&i| c.posts[i].kind == k)
                    .collect(),
            });
        }
    }
    for col in &c.config.columns {
        listings.push(Listing {
            base: format!("columns/{}", term_slug(&col.id)),
            title: col.name.clone(),
            group: "column",
            items: order
                .iter()
                .copied()
                .filter(|&i| c.posts[i].column == col.id)
                .collect(),
        });
    }
    let mut tags = Terms::default();
    let mut stages = Terms::default();
    for &i in order {
        let p = &c.posts[i];
        for tag in &p.tags {
            let items = tags.items(tag);
            // Tags that slug alike list the post once.
            if items.last() != Some(&i) {
                items.push(i);
            }
        }
        if let Some(s) = &p.stage {
            stages.items(s).push(i);
        }
    }
    for (slug, name, items) in tags.sorted() {
        listings.push(Listing {
            base: format!("tags/{slug}"),
            title: name,
            group: "tag",
            items,
        });
    }
    for (slug, name, items) in stages.sorted() {
        listings.push(Listing {
            base: format!("stages/{slug}"),
            title: name,
            group: "stage",
            items,
        });
    }
    listings
}

/// The contributors with a page (members who are not anonymous), most
/// contributions first, with their records over the included posts
/// (`order`); and how many anonymous members took part (counted, never
/// named).
pub(super) fn contributors(c: &Project, order: &[usize]) -> (Vec<Contributor>, usize) {
    let mut records: HashMap<&str, Contribution> = HashMap::new();
    let mut anonymous: BTreeSet<&str> = BTreeSet::new();
    // The anonymous members, looked up once (not once per post and handle).
    let anonymous_members: HashSet<&str> = c
        .members
        .handles()
        .filter(|h| {
            c.members
                .get(h)
                .is_some_and(|m| m.privacy() == Privacy::Anonymous)
        })
        .collect();
    for &i in order {
        let p = &c.posts[i];
        if !anonymous_members.is_empty() {
            for h in p.all_handles() {
                if anonymous_members.contains(h) {
                    anonymous.insert(h);
                }
            }
        }
        match &p.thread {
            Some(th) => {
                if let Some(h) = &th.asked_by {
                    records.entry(h.as_str()).or_default().asked.push(i);
                }
                if let Some(h) = &th.summary_by {
                    records.entry(h.as_str()).or_default().summaries.push(i);
                }
                for h in th.answerers() {
                    let r = records.entry(h).or_default();
                    if th.accepted.as_deref() == Some(h) {
                        r.accepted.push(i);
                    } else {
                        r.answered.push(i);
                    }
                }
            }
            None => {
                for h in &p.authors {
                    let r = records.entry(h.as_str()).or_default();
                    if p.kind == Kind::Case {
                        r.cases.push(i);
                    } else {
                        r.briefs.push(i);
                    }
                }
            }
        }
    }
    let mut contributors: Vec<Contributor> = c
        .members
        .handles()
        .filter_map(|h| {
            let slug = c.members.credit(h).slug()?.to_string();
            Some(Contributor {
                handle: h.to_string(),
                slug,
                record: records.remove(h).unwrap_or_default(),
            })
        })
        .collect();
    contributors.sort_by(|a, b| {
        b.record
            .total()
            .cmp(&a.record.total())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    (contributors, anonymous.len())
}
