//! Suggestions for a query that finds nothing.
//!
//! Two kinds, both computed the same way by `search.js`:
//!
//! - a misspelt Latin word (`javascirpt`, `Pyhton`) is replaced by the
//!   nearest word the archive uses, at an edit distance of at most 2
//!   (insertions, deletions, substitutions and swaps of two neighbours:
//!   the "optimal string alignment" distance); among equally near words,
//!   the one in most posts, then the first in code point order;
//! - a query of several words is offered without its rarest word (the one
//!   in fewest posts, the first such on a tie).
//!
//! The index keeps the Latin words of 3 to 24 letters that occur in the
//! archive, one file per length (`w/<length>.js`, `[[word, posts], ...]`,
//! most frequent first), so a suggestion loads five small files at most
//! and only when a query has no result.

use super::normalize::is_word;
use std::collections::{BTreeMap, HashMap};

/// Shortest word kept for spelling suggestions.
pub(crate) const MIN_WORD: usize = 3;
/// Longest word kept for spelling suggestions.
pub(crate) const MAX_WORD: usize = 24;
/// Largest edit distance a suggestion may have.
pub(crate) const MAX_EDITS: usize = 2;

/// The distinct Latin words (runs of [`is_word`] characters) of a
/// normalised document, [`MIN_WORD`] to [`MAX_WORD`] characters long.
pub(crate) fn doc_words(s: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if !is_word(s[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_word(s[i]) {
            i += 1;
        }
        if (MIN_WORD..=MAX_WORD).contains(&(i - start)) {
            out.push(s[start..i].iter().collect());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The vocabulary files: `w/<length>.js` payloads (JSON) by length, from
/// word → number of posts.
pub(crate) fn vocab_files(counts: &HashMap<String, u32>) -> BTreeMap<usize, String> {
    let mut by_len: BTreeMap<usize, Vec<(&str, u32)>> = BTreeMap::new();
    for (w, n) in counts {
        by_len
            .entry(w.chars().count())
            .or_default()
            .push((w.as_str(), *n));
    }
    by_len
        .into_iter()
        .map(|(len, mut v)| {
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let list: Vec<serde_json::Value> =
                v.iter().map(|(w, n)| serde_json::json!([w, n])).collect();
            (len, serde_json::Value::Array(list).to_string())
        })
        .collect()
}

/// The optimal string alignment distance between two words (code points).
pub(crate) fn osa(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, x) in d[0].iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// True for a term that may get a spelling suggestion: a Latin word of
/// [`MIN_WORD`] to [`MAX_WORD`] characters.
pub(crate) fn spellable(t: &[char]) -> bool {
    (MIN_WORD..=MAX_WORD).contains(&t.len()) && t.iter().all(|&c| is_word(c))
}

/// The nearest word to `t` among `(word, posts)` lists, if within
/// [`MAX_EDITS`]: smallest distance, then most posts, then first word.
pub(crate) fn nearest<'a>(
    t: &[char],
    lists: impl Iterator<Item = &'a (String, u32)>,
) -> Option<String> {
    let mut best: Option<(usize, u32, &str)> = None;
    for (w, n) in lists {
        let wc: Vec<char> = w.chars().collect();
        if wc == t {
            continue;
        }
        let d = osa(t, &wc);
        if d > MAX_EDITS {
            continue;
        }
        let better = match best {
            None => true,
            Some((bd, bn, bw)) => {
                (d, std::cmp::Reverse(*n), w.as_str()) < (bd, std::cmp::Reverse(bn), bw)
            }
        };
        if better {
            best = Some((d, *n, w));
        }
    }
    best.map(|b| b.2.to_string())
}

/// Writes a term back as query text: a phrase (with a space) in quotes.
pub(crate) fn term_text(t: &[char]) -> String {
    let s: String = t.iter().collect();
    if t.contains(&' ') {
        format!("\"{s}\"")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distances() {
        assert_eq!(osa(&c("javascirpt"), &c("javascript")), 1);
        assert_eq!(osa(&c("pyhton"), &c("python")), 1);
        assert_eq!(osa(&c("rust"), &c("trust")), 1);
        assert_eq!(osa(&c("abc"), &c("xyz")), 3);
        assert_eq!(osa(&c(""), &c("ab")), 2);
    }

    #[test]
    fn words_of_a_doc() {
        let s = c("用 python 和 javascript,go 写 gpt-4 python");
        assert_eq!(doc_words(&s), ["gpt", "javascript", "python"]);
    }

    #[test]
    fn nearest_prefers_distance_then_posts() {
        let list = [
            ("pythons".to_string(), 9),
            ("python".to_string(), 2),
            ("jython".to_string(), 5),
        ];
        assert_eq!(
            nearest(&c("pyhton"), list.iter()).as_deref(),
            Some("python")
        );
        assert_eq!(nearest(&c("ython"), list.iter()).as_deref(), Some("jython"));
        assert_eq!(nearest(&c("zzzzzz"), list.iter()), None);
    }
}
