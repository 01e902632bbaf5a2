//! Navigation on a post's page: previous/next in its column, 3–5 related
//! posts (shared tags first, then shared rare title words), a table of
//! contents for posts with 3+ headings, and — on a solved thread — links to
//! the accepted answer and the summary at the top. All links are relative.

use super::{Card, Site};
use crate::core::config::Lang;
use serde::Serialize;
use std::collections::HashMap;

/// The most related posts a page lists.
pub(crate) const RELATED: usize = 5;

/// A title word used by more posts than this is not rare enough to relate them.
const COMMON: usize = 50;

/// Which posts share which tags and title words, built once per site.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Tag → posts (indices into `Project::posts`).
    tags: HashMap<String, Vec<usize>>,
    /// Title word (a Latin word or a pair of CJK characters) → posts.
    words: HashMap<String, Vec<usize>>,
    /// Position of each post in the build's order (newest first), by post
    /// index; `usize::MAX` for posts not in the build.
    rank: Vec<usize>,
}

/// The words of a title: Latin words (lowercased, 3+ letters) and pairs of
/// neighbouring CJK characters.
pub(crate) fn title_words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut latin = String::new();
    let mut prev: Option<char> = None;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            latin.push(c.to_ascii_lowercase());
            prev = None;
            continue;
        }
        if latin.chars().count() >= 3 {
            out.push(std::mem::take(&mut latin));
        }
        latin.clear();
        if c.is_alphanumeric() && !c.is_ascii() {
            if let Some(p) = prev {
                out.push(format!("{p}{c}"));
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    if latin.chars().count() >= 3 {
        out.push(latin);
    }
    out.sort();
    out.dedup();
    out
}

impl Index {
    /// Builds the index of the posts of `site`.
    pub(crate) fn new(site: &Site<'_>) -> Index {
        let mut ix = Index {
            rank: vec![usize::MAX; site.community.posts.len()],
            ..Index::default()
        };
        for (k, &i) in site.order.iter().enumerate() {
            let p = &site.community.posts[i];
            if let Some(r) = ix.rank.get_mut(i) {
                *r = k;
            }
            for t in &p.tags {
                let v = ix.tags.entry(t.clone()).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
            for w in title_words(&p.title) {
                ix.words.entry(w).or_default().push(i);
            }
        }
        ix
    }

    /// Up to [`RELATED`] posts most like post `i`, best first: each shared
    /// tag counts more than any number of shared words; rarer tags and
    /// words count more; newer posts win ties.
    pub(crate) fn related(&self, site: &Site<'_>, i: usize) -> Vec<usize> {
        let p = &site.community.posts[i];
        // Scores in a dense array per thread, reset after use: a post's
        // tags are shared by thousands of posts at 10,000 posts, and a hash
        // map of them took a tenth of the build.
        thread_local! {
            static SCORES: std::cell::RefCell<(Vec<f64>, Vec<usize>)> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        let mut v: Vec<(usize, f64)> = SCORES.with_borrow_mut(|(score, touched)| {
            let n = site.community.posts.len();
            if score.len() < n {
                score.resize(n, 0.0);
            }
            let mut add = |j: usize, w: f64| {
                if let Some(s) = score.get_mut(j) {
                    if *s == 0.0 {
                        touched.push(j);
                    }
                    *s += w;
                }
            };
            for t in &p.tags {
                if let Some(v) = self.tags.get(t) {
                    let w = 100.0 + 10.0 / (v.len() as f64).ln_1p();
                    for &j in v {
                        add(j, w);
                    }
                }
            }
            for word in title_words(&p.title) {
                if let Some(v) = self.words.get(&word) {
                    if v.len() <= COMMON {
                        let w = 1.0 / (v.len() as f64).ln_1p();
                        for &j in v {
                            add(j, w);
                        }
                    }
                }
            }
            let out = touched
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| (j, score[j]))
                .collect();
            for j in touched.drain(..) {
                score[j] = 0.0;
            }
            out
        });
        let rank = |j: usize| self.rank.get(j).copied().unwrap_or(usize::MAX);
        // Best score first, then newest, then by index: a total order, so
        // picking the best few (not sorting thousands of candidates that
        // share a tag) gives the same posts in the same order every build.
        let order = |a: &(usize, f64), b: &(usize, f64)| {
            b.1.total_cmp(&a.1)
                .then_with(|| rank(a.0).cmp(&rank(b.0)))
                .then_with(|| a.0.cmp(&b.0))
        };
        if v.len() > RELATED {
            v.select_nth_unstable_by(RELATED - 1, order);
            v.truncate(RELATED);
        }
        v.sort_by(order);
        v.into_iter().map(|(j, _)| j).collect()
    }
}

#[derive(Serialize)]
struct NavLink<'c> {
    title: &'c str,
    href: &'c str,
}

fn words(lang: Lang) -> serde_json::Value {
    let (prev, next, related, toc, jump_accepted, jump_summary, link_here, column) = match lang {
        Lang::En => (
            "Previous",
            "Next",
            "Related",
            "Contents",
            "Jump to the accepted answer",
            "Jump to the summary",
            "Link to this answer",
            "In this column",
        ),
        _ => (
            "上一篇",
            "下一篇",
            "相关内容",
            "目录",
            "跳到采纳的回答",
            "跳到总结",
            "此回答的链接",
            "本栏目",
        ),
    };
    serde_json::json!({
        "prev": prev, "next": next, "related": related, "toc": toc,
        "jump_accepted": jump_accepted, "jump_summary": jump_summary,
        "link_here": link_here, "column": column,
    })
}

/// The older and newer post of post `i`'s column (the column listing is
/// newest first).
pub(crate) fn column_neighbours(site: &Site<'_>, i: usize) -> (Option<usize>, Option<usize>) {
    let p = &site.community.posts[i];
    let base = format!("columns/{}", super::term_slug(&p.column));
    site.listings
        .iter()
        .find(|l| l.group == "column" && l.base == base)
        .and_then(|l| l.items.iter().position(|&j| j == i).map(|k| (l, k)))
        .map(|(l, k)| {
            (
                l.items.get(k + 1).copied(),
                k.checked_sub(1).and_then(|k| l.items.get(k)).copied(),
            )
        })
        .unwrap_or((None, None))
}

/// The related posts of post `i` (see [`Index::related`]).
pub(crate) fn related(site: &Site<'_>, i: usize) -> Vec<usize> {
    site.nav_index
        .get_or_init(|| Index::new(site))
        .related(site, i)
}

/// Every post whose card post `i`'s page shows (its column neighbours and
/// related posts): the live preview renders the page again when one of
/// them changes.
pub(crate) fn shown_on(site: &Site<'_>, i: usize) -> Vec<usize> {
    let (a, b) = column_neighbours(site, i);
    let mut v: Vec<usize> = a.into_iter().chain(b).collect();
    v.extend(related(site, i));
    v
}

/// Puts `nav` (prev/next, related, toc, words) into the context of post
/// `i`'s page.
pub(crate) fn insert(site: &Site<'_>, i: usize, _path: &str, ctx: &mut tera::Context) {
    let c = site.community;
    let p = &c.posts[i];
    let card = |j: usize| -> Option<&Card> { site.cards.get(&j) };
    let link = |j: usize| {
        card(j).map(|cd| NavLink {
            title: &cd.title,
            href: &cd.href,
        })
    };
    let (prev, next) = column_neighbours(site, i);
    let (prev, next) = (prev.and_then(link), next.and_then(link));
    let related: Vec<NavLink<'_>> = related(site, i).into_iter().filter_map(link).collect();
    let toc: Vec<serde_json::Value> = if p.body.rendered.headings.len() >= 3 {
        p.body
            .rendered
            .headings
            .iter()
            .map(|h| serde_json::json!({"id": h.id, "text": h.text, "level": h.level}))
            .collect()
    } else {
        Vec::new()
    };
    ctx.insert(
        "pnav",
        &serde_json::json!({
            "prev": prev,
            "next": next,
            "related": related,
            "toc": toc,
            "w": words(c.config.language),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_words_are_cjk_pairs_and_latin_words() {
        assert_eq!(
            title_words("合伙人股权"),
            vec!["人股", "伙人", "合伙", "股权"]
        );
        assert_eq!(title_words("SaaS 定价 of x"), vec!["saas", "定价"]);
    }
}
