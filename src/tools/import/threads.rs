//! Finding threads in a chat and laying each out as a Q&A thread.
//!
//! A thread is a message and everything that replies to it, directly or
//! through other replies (Telegram replies, Discord references, Slack
//! `thread_ts`, 知识星球 comments; in WeChat, the links the reader draws from
//! quotes and from the time window after a question). A reply to a
//! message that is not in the export starts a thread of its own. A thread
//! is a candidate when someone other than the asker replied.
//!
//! Laid out ([`layout`]): the first message, with the asker's own follow-ups
//! before anyone answers, is the question; a reply to the question by
//! someone else is an answer (consecutive messages of one person joined);
//! a reply to an answer, or to a reply under it, is a reply under that
//! answer; the asker's later direct follow-ups are replies under the latest
//! answer.

use super::{Chat, Message};
use std::collections::HashMap;

/// One thread found in a chat: indices into [`Chat::messages`], the first
/// message first, then the rest in the export's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Indices of the thread's messages; `messages[0]` is the question.
    pub messages: Vec<usize>,
}

impl Found {
    /// The question's index in [`Chat::messages`].
    pub(crate) fn root(&self) -> usize {
        self.messages[0]
    }
}

/// Finds every thread of `chat` (answered or not), in the order of their
/// first messages.
pub(crate) fn find(chat: &Chat) -> Vec<Found> {
    let index: HashMap<&str, usize> = chat
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    // The root of each message, following reply links (memoised; a cycle
    // or a link to a later message ends at the message itself).
    let mut root = vec![usize::MAX; chat.messages.len()];
    for i in 0..chat.messages.len() {
        let mut path = vec![i];
        let mut at = i;
        let r = loop {
            if root[at] != usize::MAX {
                break root[at];
            }
            match chat.messages[at]
                .reply_to
                .as_deref()
                .and_then(|p| index.get(p).copied())
            {
                Some(p) if p < at => {
                    path.push(p);
                    at = p;
                }
                _ => break at,
            }
        };
        for p in path {
            root[p] = r;
        }
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in root.iter().enumerate() {
        by_root.entry(*r).or_default().push(i);
    }
    let mut found: Vec<Found> = by_root
        .into_values()
        .map(|messages| Found { messages })
        .collect();
    found.sort_by_key(Found::root);
    found
}

/// True when someone other than the asker replied in the thread.
pub(crate) fn is_answered(chat: &Chat, t: &Found) -> bool {
    let asker = &chat.messages[t.root()].author;
    t.messages[1..]
        .iter()
        .any(|&i| chat.messages[i].author.id != asker.id)
}

/// The number of distinct people in the thread.
pub(crate) fn people(chat: &Chat, t: &Found) -> usize {
    let mut ids: Vec<&str> = t
        .messages
        .iter()
        .map(|&i| chat.messages[i].author.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// Where a run of messages goes in the thread file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// The question (its body).
    Question,
    /// An answer: `## @handle`.
    Answer,
    /// A reply under answer number `.0` (index into [`Layout::sections`]
    /// of that answer): `### @handle`.
    Reply(usize),
}

/// A run of consecutive messages of one person, in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    /// Where it goes.
    pub place: Place,
    /// The messages, as indices into [`Chat::messages`].
    pub messages: Vec<usize>,
}

/// A thread laid out: the question, answers and replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Sections in the order found: the question first; each answer
    /// before its replies.
    pub sections: Vec<Section>,
}

/// Lays out a thread (see the module docs).
pub(crate) fn layout(chat: &Chat, t: &Found) -> Layout {
    let msgs = &chat.messages;
    let root = t.root();
    let same = |a: &Message, b: &Message| a.author.id == b.author.id;
    let mut sections = vec![Section {
        place: Place::Question,
        messages: vec![root],
    }];
    // Message index → its section.
    let mut section_of: HashMap<usize, usize> = HashMap::from([(root, 0)]);
    let index: HashMap<&str, usize> = t
        .messages
        .iter()
        .map(|&i| (msgs[i].id.as_str(), i))
        .collect();
    let mut last: usize = 0;
    let mut latest_answer: Option<usize> = None;
    for &i in &t.messages[1..] {
        let m = &msgs[i];
        let parent_section = m
            .reply_to
            .as_deref()
            .and_then(|p| index.get(p))
            .and_then(|p| section_of.get(p).copied())
            .unwrap_or(0);
        let answer_of = |s: usize| match sections[s].place {
            Place::Answer => Some(s),
            Place::Reply(a) => Some(a),
            Place::Question => None,
        };
        let place = match answer_of(parent_section) {
            Some(a) => Place::Reply(a),
            None if same(m, &msgs[root]) => {
                // A follow-up that mentions an answerer replies to them.
                let mentioned = m.mentions.iter().rev().find_map(|x| {
                    let who = x.who.as_ref()?;
                    sections.iter().rposition(|s| {
                        s.place == Place::Answer && msgs[s.messages[0]].author.id == who.id
                    })
                });
                match mentioned.or(latest_answer) {
                    None => Place::Question,
                    Some(a) => Place::Reply(a),
                }
            }
            None => Place::Answer,
        };
        let prev = &sections[last];
        let joins = prev.place == place && prev.messages.last().is_some_and(|&p| same(&msgs[p], m));
        let s = if joins {
            last
        } else {
            sections.push(Section {
                place: place.clone(),
                messages: Vec::new(),
            });
            sections.len() - 1
        };
        sections[s].messages.push(i);
        if place == Place::Answer {
            latest_answer = Some(s);
        }
        section_of.insert(i, s);
        last = s;
    }
    grouped(sections)
}

/// The sections with each answer followed by its replies (a reply may come
/// after a later answer in the chat), reply indices renumbered.
fn grouped(sections: Vec<Section>) -> Layout {
    let mut order: Vec<usize> = Vec::with_capacity(sections.len());
    for (i, s) in sections.iter().enumerate() {
        match s.place {
            Place::Question => order.push(i),
            Place::Answer => {
                order.push(i);
                order.extend(
                    sections
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.place == Place::Reply(i))
                        .map(|(j, _)| j),
                );
            }
            Place::Reply(_) => {}
        }
    }
    let mut new_index = vec![0; sections.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let sections = order
        .into_iter()
        .map(|old| {
            let mut s = sections[old].clone();
            if let Place::Reply(a) = s.place {
                s.place = Place::Reply(new_index[a]);
            }
            s
        })
        .collect();
    Layout { sections }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::import::Author;

    fn msg(id: &str, who: &str, reply: Option<&str>) -> Message {
        Message {
            id: id.into(),
            author: Author {
                id: who.into(),
                name: who.into(),
                anonymous: false,
            },
            reply_to: reply.map(Into::into),
            text: id.into(),
            ..Message::default()
        }
    }

    #[test]
    fn replies_nest_under_answers() {
        let chat = Chat {
            messages: vec![
                msg("1", "a", None),
                msg("2", "a", Some("1")),
                msg("3", "b", Some("1")),
                msg("4", "b", Some("1")),
                msg("5", "c", Some("3")),
                msg("6", "a", Some("5")),
                msg("7", "d", None),
                msg("8", "e", Some("1")),
                msg("9", "a", Some("1")),
                msg("10", "x", Some("999")),
                msg("11", "c", Some("5")),
            ],
            ..Chat::default()
        };
        let found = find(&chat);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].messages, vec![0, 1, 2, 3, 4, 5, 7, 8, 10]);
        assert!(is_answered(&chat, &found[0]));
        assert!(!is_answered(&chat, &found[1]));
        let l = layout(&chat, &found[0]);
        let got: Vec<(Place, Vec<usize>)> = l
            .sections
            .iter()
            .map(|s| (s.place.clone(), s.messages.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Place::Question, vec![0, 1]),
                (Place::Answer, vec![2, 3]),
                (Place::Reply(1), vec![4]),
                (Place::Reply(1), vec![5]),
                (Place::Reply(1), vec![10]),
                (Place::Answer, vec![7]),
                (Place::Reply(5), vec![8]),
            ]
        );
        // Every message of the thread lands in exactly one section.
        let mut all: Vec<usize> = l.sections.iter().flat_map(|s| s.messages.clone()).collect();
        all.sort();
        assert_eq!(all, found[0].messages);
    }
}
