//! Credits computed from the content: who asked, answered, had an answer
//! accepted, replied, summarised or wrote each section — per chapter and
//! for the whole book (the contributors index).
//!
//! Only what the book prints is credited: an answer left out (when
//! `other_answers = false`) does not count. Anonymous members are counted
//! (how many people, how many contributions) but never kept by name: the
//! lists here hold only [`Credit::Named`] and [`Credit::Unlisted`] people.

use super::{Book, BookSection, PartRole};
use crate::core::content::Credit;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A kind of contribution, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Wrote the accepted answer.
    Accepted,
    /// Wrote another answer.
    Answered,
    /// Wrote a case or brief (or the post of a thread).
    Wrote,
    /// Wrote a thread's summary.
    Summarised,
    /// Asked the question.
    Asked,
    /// Replied under an answer.
    Replied,
}

/// A credited person (never an anonymous member).
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// How the person is printed.
    pub credit: Credit,
    /// Contributions by kind.
    pub counts: BTreeMap<Role, usize>,
    /// All contributions.
    pub total: usize,
    /// The sections (by anchor) the person contributed to, in book order, each once.
    pub sections: Vec<String>,
    first: usize,
}

/// The credits of one chapter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChapterCredits {
    /// Named people, most contributions first.
    pub people: Vec<Person>,
    /// How many distinct anonymous members contributed.
    pub anonymous_people: usize,
    /// How many contributions they made.
    pub anonymous_contributions: usize,
}

/// All credits of a book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credits {
    /// Per chapter, in chapter order.
    pub chapters: Vec<ChapterCredits>,
    /// The contributors index: every named person, by the pinyin of the
    /// name printed (Latin names by their letters among them).
    pub index: Vec<Person>,
    /// Distinct anonymous members in the whole book.
    pub anonymous_people: usize,
    /// Their contributions.
    pub anonymous_contributions: usize,
}

/// The contributions in one section, in reading order: (handle, role).
pub(crate) fn of_section<'a>(s: &'a BookSection<'_>) -> Vec<(&'a str, Role)> {
    let mut v: Vec<(&str, Role)> = Vec::new();
    for a in &s.post.authors {
        v.push((a, Role::Wrote));
    }
    for part in &s.parts {
        let role = match part.role {
            PartRole::Question => Role::Asked,
            PartRole::Answer { accepted: true } => Role::Accepted,
            PartRole::Answer { accepted: false } => Role::Answered,
            PartRole::Reply => Role::Replied,
            PartRole::Summary => Role::Summarised,
            PartRole::Body => continue,
        };
        if let Some(w) = part.who {
            v.push((w, role));
        }
    }
    v
}

struct Tally {
    people: HashMap<String, Person>,
    anonymous: HashSet<String>,
    anonymous_contributions: usize,
    seen: usize,
}

impl Tally {
    fn new() -> Self {
        Tally {
            people: HashMap::new(),
            anonymous: HashSet::new(),
            anonymous_contributions: 0,
            seen: 0,
        }
    }

    fn add(&mut self, book: &Book<'_>, handle: &str, role: Role, anchor: &str) {
        let credit = book.credit(handle);
        if credit.is_anonymous() {
            self.anonymous.insert(handle.to_string());
            self.anonymous_contributions += 1;
            return;
        }
        self.seen += 1;
        let seen = self.seen;
        let p = self
            .people
            .entry(handle.to_string())
            .or_insert_with(|| Person {
                credit,
                counts: BTreeMap::new(),
                total: 0,
                sections: Vec::new(),
                first: seen,
            });
        *p.counts.entry(role).or_insert(0) += 1;
        p.total += 1;
        if p.sections.last().map(|s| s.as_str()) != Some(anchor) {
            p.sections.push(anchor.to_string());
        }
    }

    fn people(self, by_name: bool) -> (Vec<Person>, usize, usize) {
        let mut v: Vec<Person> = self.people.into_values().collect();
        if by_name {
            let mut keyed: Vec<(SortKey, Person)> = v
                .into_iter()
                .map(|p| {
                    (
                        sort_key(p.credit.display(crate::core::config::Lang::ZhCn)),
                        p,
                    )
                })
                .collect();
            keyed.sort_by(|(ka, a), (kb, b)| {
                ka.cmp(kb)
                    .then_with(|| a.credit.cmp(&b.credit))
                    .then(a.first.cmp(&b.first))
            });
            v = keyed.into_iter().map(|(_, p)| p).collect();
        } else {
            v.sort_by(|a, b| b.total.cmp(&a.total).then(a.first.cmp(&b.first)));
        }
        (v, self.anonymous.len(), self.anonymous_contributions)
    }
}

/// Computes the credits of a book.
pub(crate) fn compute(book: &Book<'_>) -> Credits {
    let mut all = Tally::new();
    let mut chapters = Vec::new();
    for ch in &book.chapters {
        let mut t = Tally::new();
        for s in &ch.sections {
            for (h, role) in of_section(s) {
                t.add(book, h, role, &s.anchor);
                all.add(book, h, role, &s.anchor);
            }
        }
        let (people, anonymous_people, anonymous_contributions) = t.people(false);
        chapters.push(ChapterCredits {
            people,
            anonymous_people,
            anonymous_contributions,
        });
    }
    let (index, anonymous_people, anonymous_contributions) = all.people(true);
    Credits {
        chapters,
        index,
        anonymous_people,
        anonymous_contributions,
    }
}

/// "陈杰（采纳回答 2、回答 1）" — a person with their counts.
pub(crate) fn describe(book: &Book<'_>, p: &Person) -> String {
    let l = book.labels();
    let counts: Vec<String> = p
        .counts
        .iter()
        .map(|(r, n)| format!("{} {n}", l.role(*r)))
        .collect();
    format!(
        "{}{}{}{}",
        p.credit.display(book.lang),
        l.paren.0,
        counts.join(l.sep),
        l.paren.1
    )
}

/// The contributor line of a chapter, as plain text.
pub(crate) fn chapter_line(book: &Book<'_>, c: &ChapterCredits) -> String {
    let l = book.labels();
    let mut items: Vec<String> = c.people.iter().map(|p| describe(book, p)).collect();
    if c.anonymous_people > 0 {
        items.push(l.anonymous(c.anonymous_people));
    }
    items.join(l.sep)
}

/// The pinyin of each character of `name` (its lower-case self when it has
/// none), or None for a character that is not Chinese.
fn syllables(name: &str) -> Vec<(String, Option<&'static str>)> {
    use pinyin::ToPinyin;
    name.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => (p.plain().to_string(), Some(p.with_tone_num_end())),
            None => (c.to_lowercase().collect(), None),
        })
        .collect()
}

/// A sort key: the syllables of a name compared one by one, as a Chinese
/// index orders them (李 li before 林 lin before 刘 liu; 张 zhang before 赵
/// zhao), each a pinyin syllable for a Chinese character or a run of other
/// letters (`alice`), lower case; then the same with tones.
pub(crate) type SortKey = (Vec<String>, Vec<String>);

/// How names are sorted: see [`SortKey`].
pub(crate) fn sort_key(name: &str) -> SortKey {
    let (mut plain, mut toned): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut latin = String::new();
    for (p, t) in syllables(name) {
        match t {
            Some(t) => {
                if !latin.is_empty() {
                    plain.push(latin.clone());
                    toned.push(std::mem::take(&mut latin));
                }
                plain.push(p);
                toned.push(t.to_string());
            }
            None if p.trim().is_empty() => {
                if !latin.is_empty() {
                    plain.push(latin.clone());
                    toned.push(std::mem::take(&mut latin));
                }
            }
            None => latin.push_str(&p),
        }
    }
    if !latin.is_empty() {
        plain.push(latin.clone());
        toned.push(latin);
    }
    (plain, toned)
}

/// The name as catalogues file it (EPUB `file-as`): a Chinese name in
/// pinyin, family name first (`张三丰` → `Zhang Sanfeng`); a name with no
/// Chinese character as it is.
pub(crate) fn file_as(name: &str) -> String {
    let s = syllables(name);
    if s.iter().all(|(_, t)| t.is_none()) {
        return name.to_string();
    }
    fn cap(w: &str) -> String {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    }
    let mut words: Vec<String> = Vec::new();
    let mut given = String::new();
    for (i, (plain, t)) in s.iter().enumerate() {
        if t.is_none() {
            if !given.is_empty() {
                words.push(cap(&std::mem::take(&mut given)));
            }
            if !plain.trim().is_empty() {
                words.push(plain.clone());
            }
        } else if i == 0 {
            words.push(cap(plain));
        } else {
            given.push_str(plain);
        }
    }
    if !given.is_empty() {
        words.push(cap(&given));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_pinyin() {
        let mut names = vec![
            "赵六",
            "林启峰",
            "张三丰",
            "刘洋",
            "李思远",
            "小李飞刀",
            "alice",
            "阿三",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            vec![
                "阿三",
                "alice",
                "李思远",
                "林启峰",
                "刘洋",
                "小李飞刀",
                "张三丰",
                "赵六"
            ]
        );
    }

    #[test]
    fn file_as_is_pinyin_family_name_first() {
        assert_eq!(file_as("张三丰"), "Zhang Sanfeng");
        assert_eq!(file_as("赵六"), "Zhao Liu");
        assert_eq!(file_as("Alice Wu"), "Alice Wu");
    }
}
