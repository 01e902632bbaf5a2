//! One import from start to end: choose the threads, lay them out, map
//! people, scrub, and decide per thread whether a file is new, gains
//! replies or is unchanged — all before anything is written, so a bad
//! export or a conflict writes nothing.

use super::people::{NewMember, People};
use super::scrub::{scrub, Report};
use super::threads::{self, Found, Place};
use super::write::{merge, render_new, Draft, Merged, Part};
use super::{Chat, Dropped, Export, Mention, Message};
use crate::core::config::SiteConfig;
use crate::core::content::frontmatter::{split, ImportSource};
use crate::core::members::{anonymous_label, Members};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Which threads to import.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only this thread (the id of its first message).
    pub thread: Option<String>,
    /// Every answered thread.
    pub all: bool,
    /// Only threads whose question was sent at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only the chat with this name (exports with several chats).
    pub chat: Option<String>,
}

/// Options of one import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep phone numbers, e-mail addresses and the like as written.
    pub keep_personal_data: bool,
    /// Today's date in the site's zone, for the members file's comment.
    pub today: String,
}

/// A candidate thread, for `--list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The chat it is in.
    pub chat: String,
    /// The id of its first message.
    pub id: String,
    /// When it was asked.
    pub time: Option<DateTime<Utc>>,
    /// Who asked, as the members file allows.
    pub asker: String,
    /// Number of replies.
    pub replies: usize,
    /// Number of people.
    pub people: usize,
    /// The question's first line (scrubbed).
    pub first_line: String,
}

/// What happens to one thread file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new file.
    New,
    /// An existing file gains this many messages.
    Appended(usize),
    /// Nothing new.
    Unchanged,
}

/// A thread file to write (or leave).
#[derive(Debug, Clone)]
pub struct Planned {
    /// The file, relative to the root.
    pub rel: PathBuf,
    /// Its new text (`None` when unchanged).
    pub text: Option<String>,
    /// What happens.
    pub outcome: Outcome,
    /// The thread's id and title.
    pub thread: String,
    /// The title.
    pub title: String,
}

/// Where every message of the export went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages read (kept and dropped).
    pub read: usize,
    /// Messages in the chosen threads.
    pub in_threads: usize,
    /// Messages dropped, by reason.
    pub dropped: BTreeMap<Dropped, usize>,
}

/// The whole import, decided.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Candidate threads (answered, in the chosen chats, since `--since`).
    pub listed: Vec<Listed>,
    /// The thread files.
    pub files: Vec<Planned>,
    /// People seen for the first time.
    pub added: Vec<NewMember>,
    /// YAML to append to the members file.
    pub members_yaml: String,
    /// Where the messages went.
    pub counts: Counts,
    /// Personal data hidden, by kind.
    pub scrubbed: Report,
    /// Mentions of people the export does not identify (written as 某成员).
    pub unknown_mentions: usize,
    /// Accounts two members claim: (account, handle used, other handle).
    pub claimed_twice: Vec<(String, String, String)>,
}

/// Decides an import (see the module docs). `listing` computes only the
/// candidates (nothing is chosen), for `--list`.
pub fn plan(
    root: &Path,
    config: &SiteConfig,
    members: &Members,
    export: &Export,
    sel: &Selection,
    opts: &Options,
    listing: bool,
) -> anyhow::Result<Plan> {
    let mut people = People::new(export.platform, members);
    let mut plan = Plan {
        claimed_twice: people.claimed_twice.clone(),
        ..Plan::default()
    };
    let lang = config.language;
    let chats: Vec<&Chat> = export
        .chats
        .iter()
        .filter(|c| sel.chat.as_deref().is_none_or(|n| c.name == n))
        .collect();
    if chats.is_empty() {
        let names: Vec<&str> = export.chats.iter().map(|c| c.name.as_str()).collect();
        anyhow::bail!(
            "no chat named `{}` in the export (it has: {})",
            sel.chat.as_deref().unwrap_or(""),
            names.join(", ")
        );
    }
    let (existing, mut taken_slugs) = existing_threads(root)?;
    let mut thread_found = sel.thread.is_none();
    for chat in chats {
        plan.counts.read += chat.messages.len() + chat.dropped.values().sum::<usize>();
        for (why, n) in &chat.dropped {
            *plan.counts.dropped.entry(*why).or_insert(0) += n;
        }
        let found = threads::find(chat);
        if let Some(want) = &sel.thread {
            if let Some(t) = found.iter().find(|t| {
                t.messages[1..]
                    .iter()
                    .any(|&i| &chat.messages[i].id == want)
            }) {
                anyhow::bail!(
                    "message {want} is a reply in the thread that starts with message {}; use --thread {}",
                    chat.messages[t.root()].id,
                    chat.messages[t.root()].id
                );
            }
        }
        for t in &found {
            let root_msg = &chat.messages[t.root()];
            let answered = threads::is_answered(chat, t);
            let in_time = sel
                .since
                .is_none_or(|s| root_msg.time.is_some_and(|tm| tm >= s));
            let chosen = match &sel.thread {
                Some(id) => &root_msg.id == id,
                None => sel.all && answered && in_time,
            };
            if listing && answered && in_time {
                let asker = match people.handle(&root_msg.author) {
                    Some(h) if !people.is_anonymous(&h) => {
                        members.credit(&h).display(lang).to_string()
                    }
                    _ => anonymous_label(lang).to_string(),
                };
                for &i in &t.messages {
                    people.handle(&chat.messages[i].author);
                }
                let mut scratch = Plan::default();
                let text = message_text(root_msg, &mut people, opts, &mut scratch, lang);
                plan.listed.push(Listed {
                    chat: chat.name.clone(),
                    id: root_msg.id.clone(),
                    time: root_msg.time,
                    asker,
                    replies: t.messages.len() - 1,
                    people: threads::people(chat, t),
                    // Mentions as the members file allows.
                    first_line: members.credit_plain(&first_line(&text), lang).text,
                });
            }
            if listing || !chosen {
                let why = if answered {
                    Dropped::NotChosen
                } else {
                    Dropped::NoThread
                };
                if !listing {
                    *plan.counts.dropped.entry(why).or_insert(0) += t.messages.len();
                }
                continue;
            }
            thread_found = true;
            plan.counts.in_threads += t.messages.len();
            let draft = draft(export, chat, t, &mut people, opts, &mut plan, lang);
            let key = (
                draft.source.platform.clone(),
                draft.source.chat.clone(),
                draft.source.thread.clone(),
            );
            let planned = match existing.get(&key) {
                Some(rel) => {
                    let text = std::fs::read_to_string(root.join(rel))
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", rel.display()))?;
                    match merge(rel, &text, &draft)? {
                        Merged::Unchanged => Planned {
                            rel: rel.clone(),
                            text: None,
                            outcome: Outcome::Unchanged,
                            thread: draft.source.thread.clone(),
                            title: draft.title.clone(),
                        },
                        Merged::Changed(text, n) => Planned {
                            rel: rel.clone(),
                            text: Some(text),
                            outcome: Outcome::Appended(n),
                            thread: draft.source.thread.clone(),
                            title: draft.title.clone(),
                        },
                    }
                }
                None => {
                    let (rel, slug) = free_path(root, &draft, &mut taken_slugs);
                    Planned {
                        text: Some(render_new(&draft, &slug)),
                        rel,
                        outcome: Outcome::New,
                        thread: draft.source.thread.clone(),
                        title: draft.title.clone(),
                    }
                }
            };
            plan.files.push(planned);
        }
    }
    if !thread_found {
        anyhow::bail!(
            "no thread starts with message {} in the export (see the candidates with --list)",
            sel.thread.as_deref().unwrap_or("")
        );
    }
    plan.added = people.added.clone();
    if !listing {
        plan.members_yaml = people.members_yaml(&opts.today);
    }
    Ok(plan)
}

fn draft(
    export: &Export,
    chat: &Chat,
    t: &Found,
    people: &mut People,
    opts: &Options,
    plan: &mut Plan,
    lang: crate::core::config::Lang,
) -> Draft {
    let layout = threads::layout(chat, t);
    let root = &chat.messages[t.root()];
    let asked_by = people.handle(&root.author);
    let mut parts = Vec::new();
    let mut marked = None;
    let mut tags: Vec<String> = Vec::new();
    for s in &layout.sections {
        let first = &chat.messages[s.messages[0]];
        let handle = people.handle(&first.author);
        let mut texts = Vec::new();
        for &i in &s.messages {
            let m = &chat.messages[i];
            texts.push(message_text(m, people, opts, plan, lang));
            for tag in &m.tags {
                // A post has at most 64 tags (the loader's limit).
                if !tags.contains(tag) && tags.len() < 64 {
                    tags.push(tag.clone());
                }
            }
            let checked = m.marked_answer || m.checked_by.contains(&root.author.id);
            if checked && s.place == Place::Answer && marked.is_none() {
                marked = handle.clone();
            }
        }
        parts.push(Part {
            place: s.place.clone(),
            handle,
            ids: s
                .messages
                .iter()
                .map(|&i| chat.messages[i].id.clone())
                .collect(),
            texts,
        });
    }
    let title = {
        let first = first_line(&parts[0].texts[0]);
        if first.is_empty() {
            format!("来自 {} 的问题 {}", export.platform.name(), root.id)
        } else {
            first
        }
    };
    Draft {
        source: ImportSource {
            platform: export.platform.name().to_string(),
            chat: chat.name.clone(),
            thread: root.id.clone(),
            ..ImportSource::default()
        },
        title,
        asked_by,
        marked,
        tags,
        parts,
    }
}

/// A message's Markdown: mentions resolved to `@handle` (or 某成员),
/// personal data scrubbed.
fn message_text(
    m: &Message,
    people: &mut People,
    opts: &Options,
    plan: &mut Plan,
    lang: crate::core::config::Lang,
) -> String {
    // Once more over the whole message (readers escape it part by part;
    // escaping is idempotent): a code block a message leaves open is closed.
    let mut text = super::escape_structure(&m.text);
    for (i, Mention { who }) in m.mentions.iter().enumerate() {
        let shown = match who.as_ref().and_then(|w| people.handle(w)) {
            Some(h) => format!("@{h}"),
            None => {
                plan.unknown_mentions += 1;
                match lang {
                    crate::core::config::Lang::ZhCn => "某成员".to_string(),
                    crate::core::config::Lang::En => "someone".to_string(),
                }
            }
        };
        let mark = Mention::placeholder(i);
        if let Some(at) = text.find(&mark) {
            // A mention needs a space after a letter or digit to be one.
            let space = text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c.is_ascii_punctuation());
            let with = if space { format!(" {shown}") } else { shown };
            text.replace_range(at..at + mark.len(), &with);
        }
    }
    if opts.keep_personal_data {
        text
    } else {
        scrub(&text, &mut plan.scrubbed)
    }
}

/// The first line of a message, as a title: Markdown marks taken off,
/// at most 40 characters.
pub fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['\\', '>', '#', '-', '*', ' '])
                .replace("**", "")
                .replace('`', "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut line = line.trim();
    // A question ends at its question mark: `怎么办？我们是……` → `怎么办？`.
    if let Some((i, q)) = line.char_indices().find(|(_, c)| matches!(c, '？' | '?')) {
        if line[..i].chars().count() >= 4 {
            line = &line[..i + q.len_utf8()];
        }
    }
    let mut out: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// The threads earlier imports wrote, by (platform, chat, thread id), and
/// the URL names (slugs) the threads in `content/qa/` already use.
#[allow(clippy::type_complexity)]
fn existing_threads(
    root: &Path,
) -> anyhow::Result<(HashMap<(String, String, String), PathBuf>, HashSet<String>)> {
    let mut out = HashMap::new();
    let mut slugs = HashSet::new();
    let dir = root.join(crate::core::content::CONTENT_DIR).join("qa");
    if !dir.is_dir() {
        return Ok((out, slugs));
    }
    #[derive(serde::Deserialize)]
    struct Only {
        source: Option<ImportSource>,
        slug: Option<String>,
        title: Option<String>,
    }
    for e in walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        if let Some(stem) = e.path().file_stem() {
            slugs.insert(crate::core::slug::slugify(&stem.to_string_lossy()));
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(sp) = split(&text) else { continue };
        let Ok(only) = serde_yaml::from_str::<Only>(sp.yaml) else {
            continue;
        };
        if let Some(s) = only.slug.as_deref().or(only.title.as_deref()) {
            slugs.insert(crate::core::slug::slugify(s));
        }
        if let Some(s) = only.source {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap_or(e.path())
                .to_path_buf();
            out.insert((s.platform, s.chat, s.thread), rel);
        }
    }
    Ok((out, slugs))
}

/// A file name in `content/qa/` (and URL name) for a new thread that no
/// file or thread has: from the title, or the platform and thread id.
fn free_path(root: &Path, d: &Draft, taken: &mut HashSet<String>) -> (PathBuf, String) {
    // No handle in a URL or file name: an anonymous member's handle is
    // shown nowhere (the title itself is credited when it is loaded).
    let mut title = String::new();
    let mut chars = d.title.trim_end_matches('…').chars().peekable();
    while let Some(c) = chars.next() {
        if crate::core::members::is_sigil(c) {
            while chars
                .peek()
                .is_some_and(|&c| crate::core::members::is_handle_char(c))
            {
                chars.next();
            }
        } else {
            title.push(c);
        }
    }
    let mut base = crate::core::slug::slugify(title.trim());
    if base.chars().count() > 24 {
        let cut: String = base.chars().take(24).collect();
        // Cut English titles at a word.
        base = match cut.rfind('-') {
            Some(i) if i > 8 && cut.is_ascii() => cut[..i].to_string(),
            _ => cut.trim_end_matches('-').to_string(),
        };
    }
    if base.is_empty() || base.chars().all(|c| c == '-') {
        base = format!("{}-{}", d.source.platform, d.source.thread);
    }
    let dir = Path::new(crate::core::content::CONTENT_DIR).join("qa");
    let mut slug = base.clone();
    let mut n = 2;
    loop {
        // The names taken are known (the scan of content/qa/ and this
        // import's files): the disk is asked only about a free one.
        if !taken.contains(&slug) {
            let rel = dir.join(format!("{slug}.md"));
            if !root.join(&rel).exists() {
                taken.insert(slug.clone());
                return (rel, slug);
            }
        }
        slug = format!("{base}-{n}");
        n += 1;
    }
}

/// How many files [`apply`] writes at once.
const WRITERS: usize = 8;

/// Writes the plan: the members file first (new people), then each
/// changed thread file, each atomically.
pub fn apply(root: &Path, members_file: &Path, plan: &Plan) -> anyhow::Result<()> {
    if !plan.members_yaml.is_empty() {
        let path = root.join(members_file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&plan.members_yaml);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::core::atomic::write(&path, text.as_bytes(), crate::core::atomic::Replace::Yes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", members_file.display()))?;
    }
    // Each file is written atomically and flushed to disk; many at once,
    // so the disk's journal commits them together (one at a time, thousands
    // of threads wait for thousands of flushes).
    let changed: Vec<&Planned> = plan.files.iter().filter(|f| f.text.is_some()).collect();
    let dirs: HashSet<&Path> = changed.iter().filter_map(|f| f.rel.parent()).collect();
    for d in dirs {
        std::fs::create_dir_all(root.join(d))
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", d.display()))?;
    }
    let paths: Vec<PathBuf> = changed.iter().map(|f| root.join(&f.rel)).collect();
    let files: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(&changed)
        .map(|(p, f)| {
            (
                p.as_path(),
                f.text.as_deref().unwrap_or_default().as_bytes(),
            )
        })
        .collect();
    // Several writers at once, so the disk's journal commits their flushes
    // together; the folder is flushed once at the end. Eight was measured
    // best for 8,257 files (BENCHMARKS.md, "Import"): 2 writers 3.4–3.7 s,
    // 8 writers 2.4–2.7 s, 32 writers 4.7–4.8 s (they contend in the kernel).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WRITERS)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the writers: {e}"))?;
    pool.install(|| crate::core::atomic::write_many(&files, crate::core::atomic::Replace::Yes))
        .map_err(|e| anyhow::anyhow!("cannot write {e}"))
}
