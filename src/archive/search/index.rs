//! Building the index: terms, postings, shards and per-document files.
//!
//! Every document's searchable text is its title, a space, then its body,
//! normalised ([`super::normalize`]). Positions are code point offsets in
//! that sequence. The index holds three kinds of terms:
//!
//! - every pair of adjacent non-space characters (a *bigram*), with all
//!   its positions in every document: a query of two or more characters is
//!   the intersection of its bigrams, verified by position, so it finds
//!   exactly the documents that contain it (no segmentation to disagree
//!   with, no false positives);
//! - every single non-space character (a *unigram*), with its count and
//!   first position per document, for one-character queries;
//! - the starts and ends of Latin words (`\u{1}x`, `\u{2}x`), with
//!   positions, so whole-word matches can rank first.
//!
//! Terms are spread over `2^k` shards of about [`SHARD_TARGET`] bytes by a
//! hash of their characters; a query loads only the shards of its own
//! terms. Each document also gets an entry with its title, URL and facets,
//! and one entry per block of [`BLOCK`] characters of its text, so an
//! excerpt costs its details and one or two blocks (well under a kilobyte)
//! per result shown. Entries are statements in pack files
//! ([`super::pack`]).

use super::codec;
use super::normalize::{is_word, normalize_into, normalize_mapped};
use super::pack;
use crate::core::config::Lang;
use crate::core::content::{Credit, Post};
use crate::core::project::Project;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

/// Format version written into the manifest; readers refuse others.
pub const VERSION: u32 = 4;
/// Body text per excerpt block, in normalised code points.
pub const BLOCK: usize = 192;
/// Aimed-at size of one shard in bytes. The shard count is the total
/// size over this, rounded up to a power of two, so shards average
/// 256–512 bytes. A query loads one shard per pair of characters (and per
/// Latin word start and end) it has not loaded before, and all of that
/// shard's other terms come with it: at 4 KB shards these neighbours were
/// two thirds of a session's bytes. Shards are entries in pack files
/// ([`super::pack`]), each pack with its own directory, so more of them
/// cost the manifest nothing; each costs its statement (about 30 bytes).
const SHARD_TARGET: usize = 512;
/// At most this many shards (some 400 MB of postings before shards grow
/// past the target).
const MAX_SHARDS: usize = 1 << 20;
/// Prefix of the term for "a Latin word starts here".
pub const WORD_START: char = '\u{1}';
/// Prefix of the term for "a Latin word ends here".
pub const WORD_END: char = '\u{2}';

/// One document to index, with everything the index may publish.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Link to the page, relative to the site root, percent-encoded.
    pub url: String,
    /// Title.
    pub title: String,
    /// The page's plain text (for a thread: question, answers, replies, summary).
    pub text: String,
    /// Kind id (`brief`, `qa`, `case`).
    pub kind: String,
    /// Column id.
    pub column: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Stage / cohort.
    pub stage: Option<String>,
    /// Local date `YYYY-MM-DD`, when dated.
    pub date: Option<String>,
    /// Sort key for recency (larger is newer); documents are numbered newest first.
    pub time: i64,
    /// Credited names as the members' privacy allows (never anonymous ones).
    pub by: Vec<String>,
    /// The headings of the text, in order (their matches rank above other
    /// body matches).
    pub headings: Vec<String>,
}

/// What [`write_index`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Documents indexed.
    pub docs: usize,
    /// Distinct terms.
    pub terms: usize,
    /// Shard files.
    pub shards: usize,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Files identical to the previous index's, reused from it rather than
    /// written again ([`crate::core::reuse`]).
    pub reused: usize,
    /// Milliseconds taken.
    pub millis: u128,
}

/// Makes the index documents for `posts` of `community`: titles, text,
/// facets, and author credits through [`crate::core::content::Members::credit`]
/// (anonymous members are left out entirely).
pub fn docs_from_posts(community: &Project, posts: &[&Post]) -> Vec<Doc> {
    let tz = community.config.tz;
    posts
        .par_iter()
        .map(|p| {
            let time = community.post_time(p);
            let mut by = Vec::new();
            let mut credit = |h: &str| {
                if let c @ (Credit::Named { .. } | Credit::Unlisted { .. }) =
                    community.members.credit(h)
                {
                    let name = c.display(community.config.language).to_string();
                    if !by.contains(&name) {
                        by.push(name);
                    }
                }
            };
            match &p.thread {
                Some(t) => {
                    if let Some(a) = t.accepted_answer() {
                        credit(&a.author);
                    }
                }
                None => p.authors.iter().for_each(|h| credit(h)),
            }
            Doc {
                url: p.href(),
                title: p.title.clone(),
                text: p.full_text(),
                kind: p.kind.id().to_string(),
                column: p.column.clone(),
                tags: p.tags.clone(),
                stage: p.stage.clone(),
                date: time.map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string()),
                time: time.map(|t| t.timestamp()).unwrap_or(i64::MIN),
                by,
                headings: p.headings(),
            }
        })
        .collect()
}

/// Builds the search index of `posts` (the posts a build includes) into
/// `out_dir` (normally `<output>/search`), replacing what is there. Files
/// identical to those in `previous` (the last build's index) are linked
/// from there instead of written ([`crate::core::reuse`]).
pub fn write_index(
    community: &Project,
    posts: &[&Post],
    out_dir: &Path,
    previous: Option<&Path>,
) -> anyhow::Result<Stats> {
    let (files, mut stats) = index_files(community, posts)?;
    let t = Instant::now();
    (stats.bytes, stats.reused) = write_files(&files, out_dir, previous)?;
    crate::core::trace::phase("search index: write files", t);
    Ok(stats)
}

/// The search index of `posts` in memory: every file as (path relative to
/// the index folder, with `/` separators; contents), and what went in.
/// `serve` keeps these in memory; [`write_files`] puts them on disk.
pub fn index_files(
    community: &Project,
    posts: &[&Post],
) -> anyhow::Result<(Vec<(String, String)>, Stats)> {
    let never = std::sync::atomic::AtomicBool::new(false);
    IndexJob::of(community, posts)
        .run(&never)?
        .ok_or_else(|| anyhow::anyhow!("the search index build was cancelled"))
}

/// The index's files, as (relative path with `/` separators, contents).
pub type Files = Vec<(String, String)>;

/// Everything an index build needs, owned, so that it can run on another
/// thread while the community changes (`serve` builds the index on a
/// worker that an edit cancels).
pub struct IndexJob {
    /// The documents.
    pub docs: Vec<Doc>,
    /// Column (id, name) pairs.
    pub columns: Vec<(String, String)>,
    /// The site's language.
    pub lang: Lang,
    /// Words the suggestion lists must never hold, normalised: the handles
    /// and names of members who are not public (a handle can stand in
    /// published text without being a mention, e.g. in an e-mail address).
    pub hidden: Vec<String>,
}

impl IndexJob {
    /// The job for `posts` of `community`.
    pub fn of(community: &Project, posts: &[&Post]) -> IndexJob {
        let t = Instant::now();
        let docs = docs_from_posts(community, posts);
        crate::core::trace::phase("search index: documents' text", t);
        IndexJob {
            docs,
            columns: community
                .config
                .columns
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            lang: community.config.language,
            hidden: hidden_words(community),
        }
    }

    /// Builds the index files, or returns `None` as soon as it notices
    /// that `cancel` is set.
    pub fn run(
        self,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> anyhow::Result<Option<(Files, Stats)>> {
        build_cancellable(self.docs, &self.columns, self.lang, &self.hidden, cancel)
    }
}

/// The handles and names (and, for anonymous members, aliases) of the
/// members who are not public, normalised.
fn hidden_words(community: &Project) -> Vec<String> {
    use crate::core::content::Privacy;
    let members = &community.members;
    let mut out = Vec::new();
    for h in members.handles() {
        let Some(m) = members.get(h) else { continue };
        let privacy = m.privacy();
        if privacy == Privacy::Public {
            continue;
        }
        out.push(super::normalize::normalize(h));
        out.push(super::normalize::normalize(&m.name));
        if privacy == Privacy::Anonymous {
            out.push(super::normalize::normalize(&m.alias));
        }
    }
    out.retain(|w| !w.trim().is_empty());
    out
}

/// The normalised searchable sequence of a document: title, space, body.
/// Returns it with the title's length.
pub fn doc_chars(title: &str, text: &str) -> (Vec<char>, usize) {
    let mut v = Vec::with_capacity(title.len() / 2 + text.len() / 2 + 1);
    normalize_into(title, &mut v, &mut None);
    let t = v.len();
    v.push(' ');
    normalize_into(text, &mut v, &mut None);
    (v, t)
}

const UNI: u64 = 1 << 42;
const START: u64 = 2 << 42;
const END: u64 = 3 << 42;
const SPACED: u64 = 4 << 42;

fn key_string(k: u64) -> String {
    let a = |x: u64| char::from_u32((x & 0x1F_FFFF) as u32).unwrap_or(' ');
    match k >> 42 {
        0 => [a(k >> 21), a(k)].iter().collect(),
        1 => a(k).to_string(),
        2 => [WORD_START, a(k)].iter().collect(),
        3 => [WORD_END, a(k)].iter().collect(),
        _ => [a(k >> 21), ' ', a(k)].iter().collect(),
    }
}

/// The shard a term lives in: FNV-1a over its code points, then a
/// murmur3 finaliser, masked to the shard count (a power of two).
/// `search.js` computes the same.
pub fn shard_of(term: &str, shards: u32) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for c in term.chars() {
        h ^= c as u32;
        h = h.wrapping_mul(16777619);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h & (shards - 1)
}

/// Number of buckets terms are gathered in while the index is built.
const BUCKETS: usize = 64;

/// The bucket (of [`BUCKETS`]) of a term key.
fn bucket_of(k: u64) -> u32 {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as u32
}

/// Terms of one document: (key, position), grouped by `bucket(key)` (one
/// of `buckets`), and within a bucket sorted by key, then position.
/// Returns them with where each bucket starts (`buckets + 1` offsets).
fn doc_terms(
    s: &[char],
    buckets: usize,
    bucket: impl Fn(u64) -> u32,
) -> (Vec<(u64, u32)>, Vec<usize>) {
    let mut v = Vec::with_capacity(s.len() * 2);
    for (i, &c) in s.iter().enumerate() {
        if c == ' ' {
            continue;
        }
        let p = i as u32;
        v.push((UNI | c as u64, p));
        match (s.get(i + 1), s.get(i + 2)) {
            (Some(' '), Some(&n)) if n != ' ' => {
                v.push((SPACED | (c as u64) << 21 | n as u64, p));
            }
            (Some(&n), _) if n != ' ' => v.push(((c as u64) << 21 | n as u64, p)),
            _ => {}
        }
        if is_word(c) {
            if i == 0 || !is_word(s[i - 1]) {
                v.push((START | c as u64, p));
            }
            if s.get(i + 1).is_none_or(|n| !is_word(*n)) {
                v.push((END | c as u64, p));
            }
        }
    }
    // A counting sort by bucket, then a sort of each (small) bucket: about
    // half the comparisons of one sort, and the records come out grouped
    // as the index's buckets want them.
    let b: Vec<u32> = v.iter().map(|x| bucket(x.0)).collect();
    let mut starts = vec![0usize; buckets + 1];
    for &x in &b {
        starts[x as usize + 1] += 1;
    }
    for i in 0..buckets {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    // Sorting one u64 per occurrence (key, then position, packed) is about
    // twice as fast as sorting the pairs; keys take 45 bits, so this holds
    // for documents under 2^19 characters.
    if s.len() < 1 << 19 {
        let mut packed = vec![0u64; v.len()];
        for (&(k, p), &x) in v.iter().zip(&b) {
            packed[next[x as usize]] = k << 19 | p as u64;
            next[x as usize] += 1;
        }
        for w in starts.windows(2) {
            packed[w[0]..w[1]].sort_unstable();
        }
        v.clear();
        v.extend(packed.iter().map(|&x| (x >> 19, (x & 0x7_FFFF) as u32)));
    } else {
        let mut out = vec![(0u64, 0u32); v.len()];
        for (&t, &x) in v.iter().zip(&b) {
            out[next[x as usize]] = t;
            next[x as usize] += 1;
        }
        for w in starts.windows(2) {
            out[w[0]..w[1]].sort_unstable();
        }
        v = out;
    }
    (v, starts)
}

/// A post's details as stored (`d/<i>`): what a result shows, and where
/// its text blocks are. Text fields are in the text code ([`TextCodec`]);
/// `query::Index::doc` and `search.js` decode them.
#[derive(Serialize)]
struct DocFile<'a> {
    /// The URL with its non-ASCII characters unescaped ([`compact_url`]),
    /// in the text code: two bytes for a Chinese character, not nine.
    u: String,
    /// The title.
    t: String,
    k: &'a str,
    c: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<&'a str>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    g: Vec<String>,
    /// Stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<String>,
    /// Credited names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    b: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<Vec<usize>>,
    /// Byte offset of the text blocks in the tail of the pack.
    #[serde(skip_serializing_if = "is_zero")]
    bo: usize,
    /// Byte lengths of the text blocks, a coded list ([`codec::encode_list`]):
    /// their number is the number of blocks.
    bl: String,
}

/// `url` (percent-encoded) with its escaped non-ASCII characters written
/// as themselves; [`expand_url`] gives `url` back. Escapes of ASCII
/// characters (`%23`, `%20`) and runs that are not UTF-8 or not in
/// upper-case hex (as `core::slug::encode_path` writes) stay as they are.
pub fn compact_url(url: &str) -> String {
    let b = url.as_bytes();
    let hex = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    // The byte escaped at `i` when it is `%XY` of a non-ASCII byte.
    let high = |i: usize| -> Option<u8> {
        if b.get(i) != Some(&b'%') {
            return None;
        }
        let v = hex(*b.get(i + 1)?)? << 4 | hex(*b.get(i + 2)?)?;
        (v >= 0x80).then_some(v)
    };
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < b.len() {
        let mut run = Vec::new();
        let mut j = i;
        while let Some(v) = high(j) {
            run.push(v);
            j += 3;
        }
        match (run.is_empty(), String::from_utf8(run)) {
            (false, Ok(t)) => {
                out.push_str(&t);
                i = j;
            }
            (false, Err(_)) => {
                out.push_str(&url[i..j]);
                i = j;
            }
            _ => {
                let c = url[i..].chars().next().unwrap_or('%');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// The percent-encoded URL of a [`compact_url`]: every non-ASCII
/// character as the upper-case escapes of its UTF-8 bytes.
pub fn expand_url(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

fn is_zero(x: &usize) -> bool {
    *x == 0
}

/// Appends a post's occurrences of one term (`run`: the term with each of
/// its positions, in order) to the term's varint bytes: the post, the
/// count, whether one lies wholly in a heading; then for a one-character
/// term whether the title has it and 1 + the text block of its first body
/// occurrence (0: none), else every position as a gap.
fn add_run(
    buf: &mut Vec<u8>,
    doc: u32,
    run: &[(u64, u32)],
    t: usize,
    starts: &[usize],
    heads: &[(u32, u32)],
) {
    let k = run[0].0;
    varint(buf, doc as u64);
    varint(buf, run.len() as u64);
    let span = match k >> 42 {
        0 => 2,
        4 => 3,
        _ => 1,
    };
    // `heads` are in order and do not overlap.
    let in_heading = !heads.is_empty()
        && run.iter().any(|x| {
            let i = heads.partition_point(|h| h.0 <= x.1);
            i > 0 && x.1 + span <= heads[i - 1].1
        });
    varint(buf, in_heading as u64);
    if k >> 42 == 1 {
        varint(buf, (run[0].1 < t as u32) as u64);
        let body = run.iter().find(|x| x.1 > t as u32);
        let block = body.map_or(0, |x| {
            let off = (x.1 as usize) - t - 1;
            starts.iter().rposition(|&s| s <= off).unwrap_or(0) + 1
        });
        varint(buf, block as u64);
    } else {
        let mut prev = 0;
        for p in run {
            varint(buf, (p.1 - prev) as u64);
            prev = p.1;
        }
    }
}

/// Where the headings of a document's body are (document positions, end
/// exclusive): each heading's normalised text found in the body
/// (normalised characters `s`, body from `body`), in order.
fn heading_ranges(s: &[char], body: usize, headings: &[String]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut from = body;
    for h in headings {
        let mut n = Vec::new();
        normalize_into(h, &mut n, &mut None);
        let n: &[char] = {
            let a = n.iter().position(|c| *c != ' ').unwrap_or(n.len());
            let b = n.iter().rposition(|c| *c != ' ').map_or(a, |b| b + 1);
            &n[a..b]
        };
        if n.is_empty() || from > s.len() {
            continue;
        }
        if let Some(i) = s[from..].windows(n.len()).position(|w| w == n) {
            let a = from + i;
            out.push((a as u32, (a + n.len()) as u32));
            from = a + n.len();
        }
    }
    out
}

/// One post's contribution to the index, made on its own: its postings
/// records (as [`add_run`] writes them) one after the other, grouped by
/// term bucket, and what else the index keeps of it.
struct DocRecords<'a> {
    /// The post's text blocks (see [`blocks`]).
    blocks: Vec<(usize, &'a str)>,
    /// The records, one per term of the post.
    bytes: Vec<u8>,
    /// Per record: its term and where it ends in `bytes`.
    records: Vec<(u64, u32)>,
    /// `records[bucket_starts[b]..bucket_starts[b + 1]]` are bucket `b`'s.
    bucket_starts: Vec<u32>,
    /// Length of the title (normalised characters).
    title_len: usize,
    /// Length of the searchable sequence.
    len: usize,
    /// Latin words, for suggestions.
    words: Vec<String>,
    /// Sentences, for boilerplate.
    sentences: Vec<Sentence>,
}

/// A sentence of a document's body: a hash of its normalised text, and
/// where it is (document positions, end exclusive).
type Sentence = (u64, u32, u32);

/// The shortest sentence (in characters) that can count as boilerplate.
const MIN_BOILERPLATE: usize = 8;

/// The sentences of a document's body (normalised characters `s`, body
/// from `body`): runs ending at sentence punctuation, of at least
/// [`MIN_BOILERPLATE`] characters.
fn doc_sentences(s: &[char], body: usize) -> Vec<Sentence> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    let mut start = body;
    for i in body..=s.len() {
        let end = i == s.len() || matches!(s[i], '。' | '!' | '?' | ';' | '！' | '？' | '；' | '…');
        if !end {
            continue;
        }
        let stop = (i + 1).min(s.len());
        let text: &[char] = &s[start..stop];
        let trimmed = text.iter().filter(|c| **c != ' ').count();
        if trimmed >= MIN_BOILERPLATE {
            let mut h = rustc_hash::FxHasher::default();
            text.iter()
                .filter(|c| **c != ' ')
                .for_each(|c| c.hash(&mut h));
            out.push((h.finish(), start as u32, stop as u32));
        }
        start = stop;
    }
    out
}

/// Boilerplate: the sentences found in at least 3 documents and in at
/// least one in 50 (an intro or footer every issue repeats). Returns, per
/// document, the number of its boilerplate ranges and then each range as
/// (start − end of the previous range, length), merged when adjacent: the
/// `bp` list of the manifest. Passages are chosen outside these ranges
/// when the query's words occur elsewhere too.
fn boilerplate(docs: &[Vec<Sentence>]) -> Vec<u32> {
    let mut count: HashMap<u64, u32> = HashMap::new();
    for d in docs {
        let mut seen: Vec<u64> = d.iter().map(|s| s.0).collect();
        seen.sort_unstable();
        seen.dedup();
        for h in seen {
            *count.entry(h).or_default() += 1;
        }
    }
    let min = 3.max(docs.len().div_ceil(50)) as u32;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for &(h, a, b) in d {
            if count.get(&h).is_some_and(|&n| n >= min) {
                match ranges.last_mut() {
                    Some(r) if r.1 == a => r.1 = b,
                    _ => ranges.push((a, b)),
                }
            }
        }
        out.push(ranges.len() as u32);
        let mut prev = 0;
        for (a, b) in ranges {
            out.push(a - prev);
            out.push(b - a);
            prev = b;
        }
    }
    out
}

/// A shard's entry: `[keys, bits]`. `keys` is its terms, in order, one
/// after the other, in the text code (two bytes for a frequent Chinese
/// character instead of three); `bits` is one bit stream with, per term,
/// its length in characters less one (two bits) and then its postings
/// (one-character terms as [`codec::Unigrams`], others with positions).
/// Against a JSON object of one string per term, this saves the quotes,
/// colon and comma of every term, its padding, and a byte per character
/// of its key: a third of the index at 400 posts.
fn shard_value(terms: &[(u32, &str, &codec::BitWriter)], text: &TextCodec) -> serde_json::Value {
    let mut keys = String::new();
    let mut bits = codec::BitWriter::new();
    for &(_, k, v) in terms {
        keys.push_str(k);
        bits.bits(k.chars().count() as u64 - 1, 2);
        bits.append(v);
    }
    serde_json::json!([text.encode(&keys), bits.finish()])
}

/// Splits a body into blocks of about [`BLOCK`] normalised code points
/// (original text), with each block's first normalised offset in the body.
/// A block ends at the first character that reaches the limit, so the
/// offsets are multiples of [`BLOCK`] unless a character that normalises to
/// several straddles a boundary.
pub fn blocks(text: &str) -> Vec<(usize, &str)> {
    let (norm, from) = normalize_mapped(text);
    let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let mut out = Vec::new();
    let (mut start, mut block_start) = (0usize, 0usize);
    let mut o = BLOCK;
    while o < norm.len() {
        // The block ends before the first original character that starts
        // at or after normalised offset `o`.
        let mut e = o;
        while e < norm.len() && from[e] == from[e - 1] {
            e += 1;
        }
        if e >= norm.len() {
            break;
        }
        let b = bytes[from[e]];
        out.push((block_start, &text[start..b]));
        start = b;
        block_start = e;
        o = e + BLOCK;
    }
    out.push((block_start, &text[start..]));
    out
}

/// Interface strings the script shows, in the site's language.
pub fn ui_strings(lang: Lang) -> serde_json::Value {
    match lang {
        Lang::ZhCn => serde_json::json!({
            "results": "共 {n} 条结果", "none": "没有找到“{q}”", "more": "显示更多",
            "all": "全部", "kind": "类型", "column": "栏目", "tag": "标签", "stage": "阶段",
            "loading": "正在搜索…", "error": "搜索索引加载失败",
            "brief": "早报", "qa": "问答", "case": "案例拆解", "by": "作者",
            "suggest": "试试："
        }),
        Lang::En => serde_json::json!({
            "results": "{n} results", "none": "Nothing found for “{q}”", "more": "Show more",
            "all": "All", "kind": "Kind", "column": "Column", "tag": "Tag", "stage": "Stage",
            "loading": "Searching…", "error": "The search index could not be loaded",
            "brief": "Brief", "qa": "Q&A", "case": "Case", "by": "By",
            "suggest": "Try: "
        }),
    }
}

/// Builds the index of `docs` into `out_dir`. `columns` are (id, name) pairs
/// for the column facet's labels.
pub fn write_docs(
    docs: Vec<Doc>,
    columns: &[(String, String)],
    lang: Lang,
    out_dir: &Path,
) -> anyhow::Result<Stats> {
    let (files, mut stats) = build_docs(docs, columns, lang)?;
    (stats.bytes, stats.reused) = write_files(&files, out_dir, None)?;
    Ok(stats)
}

/// Builds the index of `docs` in memory: its files as (relative path with
/// `/` separators, contents) and the figures. `columns` are (id, name)
/// pairs for the column facet's labels.
pub fn build_docs(
    docs: Vec<Doc>,
    columns: &[(String, String)],
    lang: Lang,
) -> anyhow::Result<(Vec<(String, String)>, Stats)> {
    let never = std::sync::atomic::AtomicBool::new(false);
    build_cancellable(docs, columns, lang, &[], &never)?
        .ok_or_else(|| anyhow::anyhow!("the search index build was cancelled"))
}

/// [`build_docs`], giving up (with `None`) when `cancel` is set: checked
/// after every 512 documents and between the phases.
fn build_cancellable(
    mut docs: Vec<Doc>,
    columns: &[(String, String)],
    lang: Lang,
    hidden: &[String],
    cancel: &std::sync::atomic::AtomicBool,
) -> anyhow::Result<Option<(Files, Stats)>> {
    let cancelled = || cancel.load(std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let mut lap = Instant::now();
    let mut phase = |name: &str| {
        crate::core::trace::phase(&format!("search index: {name}"), lap);
        lap = Instant::now();
    };
    // Newest first, so that document order is recency order.
    docs.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.url.cmp(&b.url)));
    let n_docs = docs.len();

    // Terms, accumulated in document order as varint bytes per term, in
    // BUCKETS maps by a hash of the term, so that the posts of a chunk are
    // added to every bucket at the same time (each bucket in post order).
    let bucket = bucket_of;
    let mut acc: Vec<rustc_hash::FxHashMap<u64, Vec<u8>>> =
        (0..BUCKETS).map(|_| Default::default()).collect();
    let mut title_len = Vec::with_capacity(n_docs);
    let mut text_len = Vec::with_capacity(n_docs);
    const CHUNK: usize = 512;
    let mut sentences: Vec<Vec<Sentence>> = Vec::with_capacity(n_docs);
    let mut doc_blocks: Vec<Vec<(usize, &str)>> = Vec::with_capacity(n_docs);
    let mut vocab: HashMap<String, u32> = HashMap::new();
    // Time spent making the posts' records and filling the buckets.
    let mut tt = [std::time::Duration::ZERO; 2];
    for (ci, chunk) in docs.chunks(CHUNK).enumerate() {
        if cancelled() {
            return Ok(None);
        }
        let t0 = Instant::now();
        // Each post is turned into its postings records on its own (in
        // parallel), grouped by bucket, so that filling a bucket reads
        // only that bucket's records of each post, one after the other.
        let per_doc: Vec<DocRecords> = chunk
            .par_iter()
            .enumerate()
            .map(|(j, d)| {
                let (s, t) = doc_chars(&d.title, &d.text);
                let text_blocks = blocks(&d.text);
                let starts: Vec<usize> = text_blocks.iter().map(|b| b.0).collect();
                let words = super::suggest::doc_words(&s);
                let sentences = doc_sentences(&s, t + 1);
                let heads = heading_ranges(&s, t + 1, &d.headings);
                let doc = (ci * CHUNK + j) as u32;
                let (terms, term_buckets) = doc_terms(&s, BUCKETS, bucket);
                let mut bytes = Vec::with_capacity(terms.len() * 2);
                let mut records = Vec::new();
                let mut bucket_starts = vec![0u32; BUCKETS + 1];
                for b in 0..BUCKETS {
                    let mut i = term_buckets[b];
                    while i < term_buckets[b + 1] {
                        let k = terms[i].0;
                        let mut e = i;
                        while e < term_buckets[b + 1] && terms[e].0 == k {
                            e += 1;
                        }
                        add_run(&mut bytes, doc, &terms[i..e], t, &starts, &heads);
                        records.push((k, bytes.len() as u32));
                        i = e;
                    }
                    bucket_starts[b + 1] = records.len() as u32;
                }
                DocRecords {
                    blocks: text_blocks,
                    bytes,
                    records,
                    bucket_starts,
                    title_len: t,
                    len: s.len(),
                    words,
                    sentences,
                }
            })
            .collect();
        tt[0] += t0.elapsed();
        let t0 = Instant::now();
        acc.par_iter_mut().enumerate().for_each(|(b, acc)| {
            for d in &per_doc {
                let (lo, hi) = (d.bucket_starts[b] as usize, d.bucket_starts[b + 1] as usize);
                let mut from = match lo {
                    0 => 0,
                    _ => d.records[lo - 1].1 as usize,
                };
                for &(k, end) in &d.records[lo..hi] {
                    let end = end as usize;
                    acc.entry(k)
                        .or_default()
                        .extend_from_slice(&d.bytes[from..end]);
                    from = end;
                }
            }
        });
        tt[1] += t0.elapsed();
        for d in per_doc {
            sentences.push(d.sentences);
            doc_blocks.push(d.blocks);
            for w in d.words {
                *vocab.entry(w).or_default() += 1;
            }
            title_len.push(d.title_len as u32);
            text_len.push(d.len as u32);
        }
    }

    if crate::core::trace::enabled() {
        eprintln!(
            "search index: posts' records {:.0} ms, buckets {:.0} ms",
            tt[0].as_secs_f64() * 1000.0,
            tt[1].as_secs_f64() * 1000.0
        );
    }
    phase("terms");
    if cancelled() {
        return Ok(None);
    }
    // Encode each term's postings.
    let encoded: Vec<(String, codec::BitWriter)> = acc
        .into_par_iter()
        .flat_map(|m| m.into_par_iter())
        // One set of scratch lists per worker, cleared for each term: a
        // term's lists used to be allocated (and grown) anew, and the
        // allocator's locks cost as much as the encoding.
        .map_init(
            || (codec::Postings::default(), codec::Unigrams::default()),
            |(list, uni), (k, bytes)| {
                // The encoded postings take fewer bits than their varints.
                let mut w = codec::BitWriter::with_capacity(bytes.len() * 8);
                if cancelled() {
                    return (String::new(), w);
                }
                let full = k >> 42 != 1;
                list.clear();
                uni.clear();
                let mut r = &bytes[..];
                while !r.is_empty() {
                    let doc = read_varint(&mut r) as u32;
                    let n = read_varint(&mut r) as usize;
                    let h = read_varint(&mut r) == 1;
                    if full {
                        let mut x = 0u32;
                        for _ in 0..n {
                            x += read_varint(&mut r) as u32;
                            list.pos.push(x);
                        }
                        list.docs.push(doc);
                        list.tf.push(n as u32);
                        list.starts.push(list.pos.len() as u32);
                        list.heading.push(h);
                    } else {
                        uni.heading.push(h);
                        uni.docs.push(doc);
                        uni.tf.push(n as u32);
                        uni.title.push(read_varint(&mut r) == 1);
                        uni.block.push((read_varint(&mut r) as u32).checked_sub(1));
                    }
                }
                drop(bytes);
                if full {
                    codec::encode_into(&mut w, list, true);
                } else {
                    codec::encode_unigrams_into(&mut w, uni);
                }
                (key_string(k), w)
            },
        )
        .collect();
    if cancelled() {
        return Ok(None);
    }
    phase("encode");
    let n_terms = encoded.len();
    let total: usize = encoded
        .iter()
        .map(|(k, v)| k.len() * 2 / 3 + v.len() / 6 + 1)
        .sum();
    let shards = (total / SHARD_TARGET)
        .max(1)
        .next_power_of_two()
        .min(MAX_SHARDS) as u32;
    // Terms by shard, each shard's in key order (sorted in parallel).
    let mut sorted: Vec<(u32, &str, &codec::BitWriter)> = encoded
        .par_iter()
        .map(|(k, v)| (shard_of(k, shards), k.as_str(), v))
        .collect();
    sorted.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut by_shard: Vec<&[(u32, &str, &codec::BitWriter)]> = vec![&[]; shards as usize];
    for group in sorted.chunk_by(|a, b| a.0 == b.0) {
        by_shard[group[0].0 as usize] = group;
    }

    phase("shard map");
    // Facets.
    let mut facets: BTreeMap<&str, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let i = i as u32;
        facets
            .entry("kind")
            .or_default()
            .entry(d.kind.clone())
            .or_default()
            .push(i);
        facets
            .entry("column")
            .or_default()
            .entry(d.column.clone())
            .or_default()
            .push(i);
        for t in &d.tags {
            let v = facets
                .entry("tag")
                .or_default()
                .entry(t.clone())
                .or_default();
            if v.last() != Some(&i) {
                v.push(i);
            }
        }
        if let Some(s) = &d.stage {
            facets
                .entry("stage")
                .or_default()
                .entry(s.clone())
                .or_default()
                .push(i);
        }
    }
    let mut facet_json = serde_json::Map::new();
    // The entries of the `m` section, by key (ordered by pack::misc_keys).
    let mut misc: HashMap<String, String> = HashMap::new();
    let column_name = |id: &str| {
        columns
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut facet_sizes = Vec::new();
    for (facet, values) in &facets {
        let mut list = Vec::new();
        for (i, (value, ids)) in values.iter().enumerate() {
            let label = match *facet {
                "column" => column_name(value),
                _ => value.clone(),
            };
            list.push(serde_json::json!([value, label, ids.len()]));
            let gaps: Vec<u32> = ids
                .iter()
                .scan(0u32, |prev, x| {
                    let g = x - *prev;
                    *prev = *x;
                    Some(g)
                })
                .collect();
            let key = format!("f/{facet}-{i}");
            let json = serde_json::to_string(&codec::encode_list(&gaps))?;
            misc.insert(key.clone(), pack::statement(&key, &json));
        }
        facet_sizes.push((facet.to_string(), values.len()));
        facet_json.insert(facet.to_string(), serde_json::Value::Array(list));
    }

    let chunks = super::normalize::table_chunks();
    let used: rustc_hash::FxHashSet<char> = docs
        .par_iter()
        .fold(rustc_hash::FxHashSet::default, |mut m, d| {
            m.extend(
                d.title
                    .chars()
                    .chain(d.text.chars())
                    .filter(|c| !c.is_ascii()),
            );
            m
        })
        .reduce(rustc_hash::FxHashSet::default, |mut a, b| {
            a.extend(b);
            a
        });
    let folds = super::normalize::corpus_folds(used.into_iter());
    for (b, v) in &chunks {
        let key = format!("n/{b}");
        misc.insert(key.clone(), pack::statement(&key, &v.to_string()));
    }
    vocab.retain(|w, _| {
        !hidden
            .iter()
            .any(|h| h.split(' ').any(|h| h.len() >= 3 && w.contains(h)))
    });
    let vocab_files = super::suggest::vocab_files(&vocab);
    for (len, v) in &vocab_files {
        let key = format!("w/{len}");
        misc.insert(key.clone(), pack::statement(&key, v));
    }
    // The text code of the per-document entries.
    let codec = TextCodec::train(docs.iter().map(|d| d.text.as_str()));
    misc.insert(
        "t".to_string(),
        pack::statement(
            "t",
            &serde_json::to_string(&codec.table.iter().collect::<String>())?,
        ),
    );
    let nb: Vec<u64> = chunks.keys().map(|&b| b as u64).collect();
    let wl: Vec<u64> = vocab_files.keys().map(|&l| l as u64).collect();
    let misc_heads: Vec<String> = pack::misc_keys(&wl, &facet_sizes, &nb)
        .into_iter()
        .map(|k| misc.remove(&k).unwrap_or_default())
        .collect();

    phase("facets, folds, words, text code");
    let shard_statements: Vec<String> = by_shard
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            let json = serde_json::to_string(&shard_value(m, &codec)).unwrap_or_default();
            pack::statement(&format!("s/{i}"), &json)
        })
        .collect();

    phase("shards");
    if cancelled() {
        return Ok(None);
    }
    // Per-document entries, their text in the site's two-byte code: the
    // details, then the text blocks (the tail), so a result whose passage
    // is in its third block loads its details and that block only.
    let per_doc: Vec<(DocFile, Vec<String>)> = docs
        .par_iter()
        .zip(&doc_blocks)
        .enumerate()
        .map(|(i, (d, bl))| {
            let regular = bl.iter().enumerate().all(|(k, (o, _))| *o == k * BLOCK);
            let meta = DocFile {
                u: codec.encode(&compact_url(&d.url)),
                t: codec.encode(&d.title),
                k: &d.kind,
                c: &d.column,
                d: d.date.as_deref(),
                g: d.tags.iter().map(|t| codec.encode(t)).collect(),
                s: d.stage.as_deref().map(|s| codec.encode(s)),
                b: d.by.iter().map(|b| codec.encode(b)).collect(),
                o: (!regular).then(|| bl.iter().map(|(o, _)| *o).collect()),
                bo: 0,
                bl: String::new(),
            };
            let tail = bl
                .iter()
                .enumerate()
                .map(|(k, (_, b))| {
                    let json = serde_json::to_string(&codec.encode(b)).unwrap_or_default();
                    pack::statement(&format!("d/{i}-{k}"), &json)
                })
                .collect();
            (meta, tail)
        })
        .collect();
    // Packs of posts are sized by details and text together (the offsets
    // added below change a detail's size by a few bytes only).
    let sizes: Vec<usize> = per_doc
        .iter()
        .map(|(m, t)| {
            serde_json::to_string(m).map_or(0, |s| s.len())
                + t.iter().map(String::len).sum::<usize>()
        })
        .collect();
    let doc_starts = pack::pack_starts(&sizes);
    let mut doc_heads = Vec::with_capacity(n_docs);
    let mut doc_tails = Vec::with_capacity(n_docs);
    let mut tail_off = 0;
    for (i, (mut meta, tail)) in per_doc.into_iter().enumerate() {
        if doc_starts.binary_search(&(i as u32)).is_ok() {
            tail_off = 0;
        }
        meta.bo = tail_off;
        let lens: Vec<u32> = tail.iter().map(|t| t.len() as u32).collect();
        meta.bl = codec::encode_list(&lens);
        tail_off += lens.iter().map(|&l| l as usize).sum::<usize>();
        doc_heads.push(pack::statement(
            &format!("d/{i}"),
            &serde_json::to_string(&meta)?,
        ));
        doc_tails.push(tail.concat());
    }

    phase("documents");
    let mut files: Vec<(String, String)> = Vec::new();
    let mut dirs = serde_json::Map::new();
    let (packs, dir) = pack::write_shard_section("s", &shard_statements);
    files.extend(packs);
    dirs.insert("s".to_string(), dir);
    for (name, heads, tails) in [
        ("m", &misc_heads, &Vec::new()),
        ("d", &doc_heads, &doc_tails),
    ] {
        let sizes: Vec<usize> = heads
            .iter()
            .enumerate()
            .map(|(i, h)| h.len() + tails.get(i).map_or(0, String::len))
            .collect();
        let starts = if name == "d" {
            doc_starts.clone()
        } else {
            pack::pack_starts(&sizes)
        };
        let (packs, dir) = pack::write_section(name, heads, tails, &starts);
        files.extend(packs);
        dirs.insert(name.to_string(), dir);
    }
    let manifest = serde_json::json!({
        "v": VERSION,
        "docs": n_docs,
        "shards": shards,
        "block": BLOCK,
        "lang": lang.tag(),
        "nb": nb,
        "zc": folds,
        "wl": wl,
        "tl": codec::encode_list(&title_len),
        "dl": codec::encode_list(&text_len),
        "bp": codec::encode_list(&boilerplate(&sentences)),
        "facets": facet_json,
        "pk": dirs,
        "ui": ui_strings(lang),
    });
    files.push((
        "index.js".to_string(),
        pack::statement("index", &manifest.to_string()),
    ));

    phase("packs");
    let stats = Stats {
        docs: n_docs,
        terms: n_terms,
        shards: shards as usize,
        files: files.len(),
        bytes: files.iter().map(|(_, s)| s.len() as u64).sum(),
        reused: 0,
        millis: started.elapsed().as_millis(),
    };
    Ok(Some((files, stats)))
}

/// Writes index files (from [`build_docs`] or [`index_files`]) into a fresh
/// sibling folder of `out_dir`, then swaps it in for `out_dir`. A file
/// identical to the same file in `previous` is linked from there instead
/// ([`crate::core::reuse`]). Returns the bytes of the index and the number
/// of files reused.
pub fn write_files(
    files: &[(String, String)],
    out_dir: &Path,
    previous: Option<&Path>,
) -> anyhow::Result<(u64, usize)> {
    let parent = out_dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".search-")
        .tempdir_in(parent)
        .map_err(|e| anyhow::anyhow!("cannot create a folder in {}: {e}", parent.display()))?;
    let mut dirs: Vec<&str> = files
        .iter()
        .filter_map(|(p, _)| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for sub in dirs {
        std::fs::create_dir_all(tmp.path().join(sub))?;
    }
    let written: Vec<(u64, bool)> = files
        .par_iter()
        .map(|(p, s)| {
            let path = tmp.path().join(p);
            let old = previous.map(|d| d.join(p));
            let reused = crate::core::reuse::write(old.as_deref(), &path, s.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            Ok((s.len() as u64, reused))
        })
        .collect::<anyhow::Result<_>>()?;
    let bytes = written.iter().map(|w| w.0).sum();
    let reused = written.iter().filter(|w| w.1).count();
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)
            .map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", out_dir.display()))?;
    }
    let tmp = tmp.keep();
    std::fs::rename(&tmp, out_dir)
        .map_err(|e| anyhow::anyhow!("cannot move the index into {}: {e}", out_dir.display()))?;
    Ok((bytes, reused))
}

/// First code point of the two-byte range used for frequent characters.
const CODE_BASE: u32 = 0x80;
/// Marks a character of U+0080–U+07FF that is written as itself.
const CODE_ESCAPE: char = '\u{7FF}';
/// Number of characters that get a two-byte code.
pub const CODE_SLOTS: usize = 0x7FF - 0x80;

/// The text code of the per-document files. UTF-8 spends three bytes on a
/// Chinese character; the 1,919 characters most frequent in the archive's
/// text get a two-byte code instead (a code point in U+0080–U+07FE, by
/// rank), which covers nearly all of a Chinese text and cuts its excerpt
/// files by about a third, with no decompressor needed in the browser.
/// ASCII stays itself; other characters of U+0080–U+07FF are written after
/// the escape U+07FF; everything else stays itself. The table (`t.js`)
/// lists the characters by rank.
pub struct TextCodec {
    /// The characters with codes, by rank.
    pub table: Vec<char>,
    rank: HashMap<char, u32>,
}

impl TextCodec {
    /// Ranks the non-ASCII characters of `texts` by frequency.
    pub fn train<'a>(texts: impl Iterator<Item = &'a str> + Send) -> TextCodec {
        let texts: Vec<&str> = texts.collect();
        let counts = texts
            .par_iter()
            .fold(rustc_hash::FxHashMap::<char, u64>::default, |mut m, t| {
                for c in t.chars().filter(|c| !c.is_ascii()) {
                    *m.entry(c).or_default() += 1;
                }
                m
            })
            .reduce(rustc_hash::FxHashMap::default, |mut a, b| {
                for (c, n) in b {
                    *a.entry(c).or_default() += n;
                }
                a
            });
        let mut by: Vec<(char, u64)> = counts.into_iter().collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let table: Vec<char> = by.into_iter().take(CODE_SLOTS).map(|(c, _)| c).collect();
        TextCodec::new(table)
    }

    /// A codec for a given table.
    pub fn new(table: Vec<char>) -> TextCodec {
        let rank = table
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as u32))
            .collect();
        TextCodec { table, rank }
    }

    /// Encodes text.
    pub fn encode(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii() {
                out.push(c);
            } else if let Some(r) = self.rank.get(&c) {
                out.push(char::from_u32(CODE_BASE + r).unwrap_or(CODE_ESCAPE));
            } else {
                if (0x80..0x800).contains(&(c as u32)) {
                    out.push(CODE_ESCAPE);
                }
                out.push(c);
            }
        }
        out
    }

    /// Decodes what [`TextCodec::encode`] wrote.
    pub fn decode(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 3 / 2);
        let mut it = s.chars();
        while let Some(c) = it.next() {
            let cp = c as u32;
            if c == CODE_ESCAPE {
                out.extend(it.next());
            } else if (CODE_BASE..0x7FF).contains(&cp) {
                out.push(
                    self.table
                        .get((cp - CODE_BASE) as usize)
                        .copied()
                        .unwrap_or('\u{FFFD}'),
                );
            } else {
                out.push(c);
            }
        }
        out
    }
}

fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn read_varint(r: &mut &[u8]) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some((&b, rest)) = r.split_first() {
        *r = rest;
        v |= ((b & 0x7F) as u64) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_stored_compact_and_come_back_the_same() {
        for path in [
            "qa/刚创业-怎么找到第一个合伙人.html",
            "briefs/重庆火锅-b站-gpt-4.html",
            "cases/a b#c%d?e.html",
            "x/𠀀-emoji-😀.html",
            "plain/ascii-only.html",
        ] {
            let url = crate::core::slug::encode_path(path);
            let short = compact_url(&url);
            assert_eq!(expand_url(&short), url, "{path}");
            // Non-ASCII characters are written as themselves, ASCII escapes kept.
            assert!(short.chars().count() <= path.chars().count() + 8, "{short}");
        }
        assert_eq!(compact_url("a/%E7%94%A8.html"), "a/用.html");
        assert_eq!(compact_url("a/%23%20b"), "a/%23%20b");
        // Not UTF-8, lower-case hex, a lone escape: left alone, and still round-trips.
        for odd in ["a/%E7%94", "a/%e7%94%a8", "a/%", "a/%E7%94x"] {
            assert_eq!(compact_url(odd), odd);
            assert_eq!(expand_url(&compact_url(odd)), odd);
        }
    }

    #[test]
    fn blocks_cover_text() {
        let text = "合伙人".repeat(300);
        let b = blocks(&text);
        assert_eq!(b.iter().map(|x| x.1).collect::<String>(), text);
        assert_eq!(b[0].1.chars().count(), BLOCK);
        assert_eq!(b[1].0, BLOCK);
        let odd = format!("{}ﬃ{}", "a".repeat(BLOCK - 1), "b".repeat(10));
        let b = blocks(&odd);
        assert_eq!(b[1].0, BLOCK + 2);
        assert_eq!(blocks("").len(), 1);
    }

    #[test]
    fn text_code_round_trip() {
        let texts = ["合伙人合伙人私域 GPT-4 é×·", "合伙 ß ǅ 𝐀"];
        let c = TextCodec::train(texts.iter().copied());
        for t in texts {
            let e = c.encode(t);
            assert_eq!(c.decode(&e), t);
            assert!(e.len() < t.len());
        }
        let small = TextCodec::new(vec!['合']);
        assert_eq!(small.decode(&small.encode("合é伙")), "合é伙");
    }

    #[test]
    fn index_in_memory_is_what_is_written() {
        let docs = vec![Doc {
            url: "a/".into(),
            title: "合伙人".into(),
            text: "私域 复购".into(),
            kind: "qa".into(),
            column: "c".into(),
            ..Doc::default()
        }];
        let (files, stats) = build_docs(docs, &[], Lang::ZhCn).unwrap();
        assert_eq!(stats.files, files.len());
        assert!(files.iter().any(|(p, _)| p == "index.js"));
        assert!(files.iter().any(|(p, _)| p == "p/d0.js"));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("search");
        let (bytes, _) = write_files(&files, &out, None).unwrap();
        assert_eq!(bytes, stats.bytes);
        for (p, text) in &files {
            assert_eq!(&std::fs::read_to_string(out.join(p)).unwrap(), text);
        }
    }

    #[test]
    fn terms_of_a_long_document_are_grouped_and_sorted() {
        // Past 2^19 characters positions no longer fit beside the key in
        // one u64, and the pairs are sorted as they are.
        let text = "合伙人 GPT-4 私域流量, rust 的 B 站。".repeat(30_000);
        for (title, long) in [("标题", true), ("短", false)] {
            let body = if long {
                &text[..]
            } else {
                &text[..text.len() / 30_000 * 40]
            };
            let (s, _) = doc_chars(title, body);
            assert_eq!(s.len() >= 1 << 19, long);
            let (v, starts) = doc_terms(&s, BUCKETS, bucket_of);
            assert_eq!(starts.len(), BUCKETS + 1);
            for b in 0..BUCKETS {
                let g = &v[starts[b]..starts[b + 1]];
                assert!(g.iter().all(|x| bucket_of(x.0) == b as u32));
                assert!(g.windows(2).all(|w| w[0] < w[1]));
            }
            let (mut one, _) = doc_terms(&s, 1, |_| 0);
            assert!(one.windows(2).all(|w| w[0] < w[1]));
            let mut grouped = v.clone();
            grouped.sort_unstable();
            one.sort_unstable();
            assert_eq!(grouped, one);
            assert!(one.len() > s.len());
        }
    }

    #[test]
    fn terms_of_a_doc() {
        let (s, t) = doc_chars("B站", "GPT-4 合伙");
        assert_eq!(t, 2);
        let terms: Vec<String> = doc_terms(&s, 1, |_| 0)
            .0
            .iter()
            .map(|(k, _)| key_string(*k))
            .collect();
        assert!(terms.contains(&"b站".to_string()));
        assert!(terms.contains(&"t-".to_string()));
        assert!(terms.contains(&"合伙".to_string()));
        assert!(terms.contains(&"\u{1}g".to_string()));
        assert!(terms.contains(&"\u{2}t".to_string()));
        // "GPT-4 合伙": the space between Latin and Chinese is gone.
        assert!(terms.contains(&"4合".to_string()));
        // A single space between two characters is a term of its own.
        assert!(terms.contains(&"站 g".to_string()));
        for t in terms.iter().filter(|t| t.contains(' ')) {
            let c: Vec<char> = t.chars().collect();
            assert!(
                c.len() == 3 && c[1] == ' ' && c[0] != ' ' && c[2] != ' ',
                "{t:?}"
            );
        }
    }
}
