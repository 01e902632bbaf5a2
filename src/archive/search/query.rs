//! Answering a query from a built index directory.
//!
//! This is the Rust twin of the query engine in
//! `themes/default/src/search.js` (shipped minified): same normalisation table (the one the
//! index carries), same terms, same shard hash, same decoding, same
//! verification and same ranking, step for step, so `qunshu search` and the
//! search box return the same documents in the same order. A test runs both
//! over hundreds of queries and compares.
//!
//! A query is split into terms at spaces; every term must match. A term of
//! one character uses its unigram postings. A longer term uses its bigrams:
//! the rarest first, intersecting document lists, then every candidate is
//! verified by position (bigram `i` must start at `p + i`), so a document is
//! a result exactly when its normalised title or text contains the term.
//!
//! A quoted phrase may hold single spaces: a character, a space and a
//! character are one more kind of term (indexed for every single space
//! between two characters), verified by position like a bigram.
//!
//! Ranking ([`rank`]): first, posts where every Latin term also occurs as
//! a whole word (`rust`, not only inside `trust`); then a score that sums,
//! per term, its rarity (IDF over the index: a word every post carries
//! weighs almost nothing) times its saturated frequency, plus a large boost
//! when the term is in the title; plus a bonus when all the terms with
//! positions occur close together (60 characters: a sentence; 300: a
//! paragraph; 1,000); then recency (documents are numbered newest first).
//! Only `+ - * /` and comparisons of doubles are used, so the script
//! computes bit-identical scores.

use super::codec::{self, Postings};
use super::index::{shard_of, TextCodec, BLOCK, VERSION, WORD_END, WORD_START};
use super::normalize::{is_word, normalize_mapped, query_terms};
use super::pack::{parse_statement, Section, ShardSection, Spot};
use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A value of a facet (kind, column, tag, stage) with its label and count.
#[derive(Debug, Clone)]
pub struct FacetValue {
    /// The value as stored (`qa`, `hot`, `股权`).
    pub value: String,
    /// What to show.
    pub label: String,
    /// Documents with it.
    pub count: usize,
}

/// An opened index directory.
pub struct Index {
    dir: PathBuf,
    /// Number of documents.
    pub docs: usize,
    shards: u32,
    title_len: Vec<u32>,
    text_len: Vec<u32>,
    /// Per document, its boilerplate ranges (text repeated across many
    /// posts), document positions, end exclusive.
    boilerplate: Vec<Vec<(u32, u32)>>,
    avg_len: f64,
    /// Word lengths with a vocabulary file (for suggestions).
    vocab_lens: Vec<usize>,
    /// Facets: name → values.
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    /// Interface language tag of the site.
    pub lang: String,
    cache: RefCell<HashMap<u32, std::rc::Rc<HashMap<String, Entry>>>>,
    codec: RefCell<Option<TextCodec>>,
    /// The pack directories: shards, documents, the rest.
    packs: Packs,
    /// Pack files read so far, by name.
    files: RefCell<HashMap<String, std::rc::Rc<String>>>,
}

/// A term's postings in a decoded shard.
enum Entry {
    /// A term of two or more characters, with positions.
    Full(Postings),
    /// A one-character term.
    Uni(codec::Unigrams),
}

/// Where the entries are ([`super::pack`]).
struct Packs {
    s: ShardSection,
    /// The shard packs' own directories read so far, by pack.
    s_dirs: RefCell<HashMap<usize, std::rc::Rc<Vec<u32>>>>,
    d: Section,
    m: Section,
    misc: HashMap<String, usize>,
}

/// A document's details as stored (index.rs `DocFile`): text fields in
/// the text code, the URL compact, block lengths a coded list.
#[derive(Deserialize)]
struct StoredDoc {
    u: String,
    t: String,
    k: String,
    c: String,
    #[serde(default)]
    d: Option<String>,
    #[serde(default)]
    g: Vec<String>,
    #[serde(default)]
    s: Option<String>,
    #[serde(default)]
    b: Vec<String>,
    #[serde(default)]
    o: Option<Vec<usize>>,
    #[serde(default)]
    bo: usize,
    #[serde(default)]
    bl: String,
}

/// A document's details (its entry `d/<id>`), decoded.
#[derive(Debug, Clone)]
pub struct DocMeta {
    /// URL relative to the site root.
    pub u: String,
    /// Title.
    pub t: String,
    /// Kind id.
    pub k: String,
    /// Column id.
    pub c: String,
    /// Date.
    pub d: Option<String>,
    /// Tags.
    pub g: Vec<String>,
    /// Stage.
    pub s: Option<String>,
    /// Credited names.
    pub b: Vec<String>,
    /// Number of text blocks.
    pub n: usize,
    /// Block start offsets, when not multiples of the block size.
    pub o: Option<Vec<usize>>,
    /// Byte offset of the text blocks in the tail of the pack.
    pub bo: usize,
    /// Byte lengths of the text blocks.
    pub bl: Vec<usize>,
}

/// One result, with what ranked it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Document number.
    pub doc: u32,
    /// Terms found in the title.
    pub title: u32,
    /// Terms found as whole words.
    pub whole: u32,
    /// Terms found only inside longer Latin words.
    pub inword: u32,
    /// Matches of all terms.
    pub count: u32,
    /// The ranking score (see the module documentation).
    pub score: f64,
    /// Start of the best passage in the body (a document position): the
    /// 90-character window with the most weight of distinct terms.
    pub body_first: Option<u32>,
    /// Start of a second passage, at least 120 characters away from the
    /// first, when it has query words the first lacks.
    pub body_second: Option<u32>,
    /// Block of the first body match of a one-character term, if any.
    pub body_block: Option<u32>,
}

/// An excerpt with highlighted ranges (code point offsets into `text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// The excerpt, with `…` where text was cut.
    pub text: String,
    /// `[start, end)` ranges to highlight, in code points.
    pub highlights: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct TermMatch {
    doc: u32,
    count: u32,
    title: bool,
    /// In a heading of the body (for a longer term: each of its pairs of
    /// characters is in a heading of this post).
    heading: bool,
    whole: bool,
    /// Match positions (terms of two or more characters): the whole-word
    /// ones when there are any, else all.
    pos: Vec<u32>,
    body_block: Option<u32>,
}

/// Reads the JSON payload of an index script file
/// (`$qs("key",<json>);`, [`super::pack::CALL`]).
pub fn read_payload(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the search index file {}", path.display()))?;
    let bad = || {
        anyhow!(
            "{} is not a qunshu search index file; rebuild the site with `qunshu build`",
            path.display()
        )
    };
    let rest = text.strip_prefix(super::pack::CALL).ok_or_else(bad)?;
    let comma = rest.find(',').ok_or_else(bad)?;
    let body = rest[comma + 1..]
        .trim_end()
        .strip_suffix(");")
        .ok_or_else(bad)?;
    serde_json::from_str(body).map_err(|e| anyhow!("{}: {e}", path.display()))
}

impl Index {
    /// Opens the index in `dir` (the `search` folder of a built site).
    pub fn open(dir: &Path) -> anyhow::Result<Index> {
        let manifest = dir.join("index.js");
        if !manifest.is_file() {
            bail!(
                "there is no search index at {} (expected index.js there); build the site first with `qunshu build`",
                dir.display()
            );
        }
        let m = read_payload(&manifest)?;
        if m["v"].as_u64() != Some(VERSION as u64) {
            bail!(
                "the search index at {} was made by another version of qunshu; rebuild it with `qunshu build`",
                dir.display()
            );
        }
        let num = |k: &str| {
            m[k].as_u64()
                .ok_or_else(|| anyhow!("{}: `{k}` is missing", manifest.display()))
        };
        let list = |k: &str| -> anyhow::Result<Vec<u32>> {
            Ok(codec::decode_list(m[k].as_str().unwrap_or_default())?)
        };
        if num("block")? != BLOCK as u64 {
            bail!(
                "{}: unexpected block size; rebuild the index",
                manifest.display()
            );
        }
        let mut facets = BTreeMap::new();
        if let Some(obj) = m["facets"].as_object() {
            for (name, values) in obj {
                let vals = values
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| FacetValue {
                                value: v[0].as_str().unwrap_or_default().to_string(),
                                label: v[1].as_str().unwrap_or_default().to_string(),
                                count: v[2].as_u64().unwrap_or(0) as usize,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                facets.insert(name.clone(), vals);
            }
        }
        let docs = num("docs")? as usize;
        let title_len = list("tl")?;
        let text_len = list("dl")?;
        if title_len.len() != docs || text_len.len() != docs {
            bail!(
                "{}: the document tables are damaged; rebuild the index",
                manifest.display()
            );
        }
        let bp = list("bp")?;
        let mut boilerplate = Vec::with_capacity(docs);
        let mut it = bp.into_iter();
        for _ in 0..docs {
            let n = it.next().unwrap_or(0) as usize;
            let mut ranges = Vec::with_capacity(n.min(64));
            let mut prev = 0u32;
            for _ in 0..n {
                let (gap, len) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
                let a = prev.saturating_add(gap);
                prev = a.saturating_add(len);
                ranges.push((a, prev));
            }
            boilerplate.push(ranges);
        }
        let avg_len = text_len.iter().map(|&l| l as f64).sum::<f64>() / (docs.max(1) as f64);
        let damaged = || {
            anyhow!(
                "{}: the pack directory is damaged; rebuild the index",
                manifest.display()
            )
        };
        let section = |name: &str| Section::read(name, &m["pk"][name]).map_err(|_| damaged());
        let nums = |k: &str| -> Vec<u64> {
            m[k].as_array()
                .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
                .unwrap_or_default()
        };
        let facet_sizes: Vec<(String, usize)> = facets
            .iter()
            .map(|(k, v): (&String, &Vec<FacetValue>)| (k.clone(), v.len()))
            .collect();
        let misc = super::pack::misc_keys(&nums("wl"), &facet_sizes, &nums("nb"))
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let shards = num("shards")? as u32;
        if !shards.is_power_of_two() {
            bail!("{}: bad shard count; rebuild the index", manifest.display());
        }
        let packs = Packs {
            s: ShardSection::read("s", &m["pk"]["s"], shards as usize).map_err(|_| damaged())?,
            s_dirs: RefCell::new(HashMap::new()),
            d: section("d")?,
            m: section("m")?,
            misc,
        };
        if packs.d.len() != docs {
            return Err(damaged());
        }
        Ok(Index {
            packs,
            files: RefCell::new(HashMap::new()),
            dir: dir.to_path_buf(),
            docs,
            shards,
            title_len,
            boilerplate,
            avg_len: avg_len.max(1.0),
            vocab_lens: m["wl"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_u64())
                        .map(|v| v as usize)
                        .collect()
                })
                .unwrap_or_default(),
            text_len,
            facets,
            lang: m["lang"].as_str().unwrap_or("zh-CN").to_string(),
            cache: RefCell::new(HashMap::new()),
            codec: RefCell::new(None),
        })
    }

    /// The JSON of the entry at `spot`, which must be stored under `key`.
    fn read_spot(&self, key: &str, spot: Option<Spot>) -> anyhow::Result<serde_json::Value> {
        let bad = || {
            anyhow!(
                "the search index at {} is damaged (entry `{key}` is not where its directory says); rebuild it with `qunshu build`",
                self.dir.display()
            )
        };
        let spot = spot.ok_or_else(bad)?;
        let text = {
            let mut files = self.files.borrow_mut();
            match files.get(&spot.file) {
                Some(t) => t.clone(),
                None => {
                    let path = self.dir.join(&spot.file);
                    let t =
                        std::rc::Rc::new(std::fs::read_to_string(&path).with_context(|| {
                            format!("cannot read the search index file {}", path.display())
                        })?);
                    files.insert(spot.file.clone(), t.clone());
                    t
                }
            }
        };
        let line = text
            .get(spot.offset..spot.offset.saturating_add(spot.len))
            .ok_or_else(bad)?;
        match parse_statement(line) {
            Some((k, json)) if k == key => Ok(serde_json::from_str(json).map_err(|_| bad())?),
            _ => Err(bad()),
        }
    }

    /// The JSON stored under `key` (`s/3`, `d/12`, `f/tag-0`, `t`, …).
    fn get(&self, key: &str) -> anyhow::Result<serde_json::Value> {
        let p = &self.packs;
        let spot = if let Some(i) = key.strip_prefix("s/") {
            match i
                .parse::<usize>()
                .ok()
                .and_then(|i| Some((i, p.s.pack_of(i)?)))
            {
                Some((i, pack)) => p.s.spot(i, &self.shard_dir(pack)?),
                None => None,
            }
        } else if let Some(i) = key.strip_prefix("d/").filter(|i| !i.contains('-')) {
            i.parse().ok().and_then(|i| p.d.spot(i))
        } else {
            p.misc.get(key).and_then(|&i| p.m.spot(i))
        };
        self.read_spot(key, spot)
    }

    /// The byte lengths of the shards of pack `pack`, from its directory.
    fn shard_dir(&self, pack: usize) -> anyhow::Result<std::rc::Rc<Vec<u32>>> {
        if let Some(d) = self.packs.s_dirs.borrow().get(&pack) {
            return Ok(d.clone());
        }
        let key = self.packs.s.dir_key(pack);
        let v = self.read_spot(&key, self.packs.s.dir_spot(pack))?;
        let lens = std::rc::Rc::new(codec::decode_list(v.as_str().unwrap_or_default())?);
        self.packs.s_dirs.borrow_mut().insert(pack, lens.clone());
        Ok(lens)
    }

    /// The terms of shard `shard`, decoded (see `index::shard_value`).
    fn shard(&self, shard: u32) -> anyhow::Result<std::rc::Rc<HashMap<String, Entry>>> {
        if let Some(m) = self.cache.borrow().get(&shard) {
            return Ok(m.clone());
        }
        let v = self.get(&format!("s/{shard}"))?;
        let keys = self.decode_text(v[0].as_str().unwrap_or_default())?;
        let bits = v[1].as_str().unwrap_or_default();
        let mut r = codec::BitReader::new(bits);
        let mut chars = keys.chars();
        let mut map = HashMap::new();
        loop {
            let len = match r.remaining() {
                0 if chars.as_str().is_empty() => break,
                _ => r.bits(2)? as usize + 1,
            };
            let term: String = chars.by_ref().take(len).collect();
            if term.chars().count() != len {
                return Err(codec::CodecError.into());
            }
            let e = if len == 1 {
                let u = codec::decode_unigrams_from(&mut r)?;
                self.check_docs(&u.docs)?;
                Entry::Uni(u)
            } else {
                let p = codec::decode_from(&mut r, true)?;
                self.check_docs(&p.docs)?;
                Entry::Full(p)
            };
            map.insert(term, e);
            if chars.as_str().is_empty() {
                break;
            }
        }
        let map = std::rc::Rc::new(map);
        self.cache.borrow_mut().insert(shard, map.clone());
        Ok(map)
    }

    fn check_docs(&self, docs: &[u32]) -> anyhow::Result<()> {
        if docs.last().is_some_and(|&d| d as usize >= self.docs) {
            return Err(codec::CodecError.into());
        }
        Ok(())
    }

    fn postings(&self, term: &str) -> anyhow::Result<Option<Postings>> {
        match self.shard(shard_of(term, self.shards))?.get(term) {
            Some(Entry::Full(p)) => Ok(Some(p.clone())),
            Some(Entry::Uni(_)) => Err(codec::CodecError.into()),
            None => Ok(None),
        }
    }

    fn unigrams(&self, term: &str) -> anyhow::Result<Option<codec::Unigrams>> {
        match self.shard(shard_of(term, self.shards))?.get(term) {
            Some(Entry::Uni(u)) => Ok(Some(u.clone())),
            Some(Entry::Full(_)) => Err(codec::CodecError.into()),
            None => Ok(None),
        }
    }

    /// Documents that have `value` for `facet`.
    pub fn facet_docs(&self, facet: &str, value: &str) -> anyhow::Result<Vec<u32>> {
        let values = self
            .facets
            .get(facet)
            .ok_or_else(|| anyhow!("the index has no `{facet}` filter"))?;
        let i = values
            .iter()
            .position(|v| v.value == value)
            .ok_or_else(|| {
                let known: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
                anyhow!(
                    "no document has the {facet} `{value}` (expected one of: {})",
                    known.join(", ")
                )
            })?;
        let v = self.get(&format!("f/{facet}-{i}"))?;
        let gaps = codec::decode_list(v.as_str().unwrap_or_default())?;
        let mut x = 0;
        Ok(gaps
            .into_iter()
            .map(|g| {
                x += g;
                x
            })
            .collect())
    }

    fn eval_term(&self, t: &[char]) -> anyhow::Result<Vec<TermMatch>> {
        let first = t[0];
        let last = t[t.len() - 1];
        let starts = if is_word(first) {
            self.postings(&format!("{WORD_START}{first}"))?
        } else {
            None
        };
        let ends = if is_word(last) {
            self.postings(&format!("{WORD_END}{last}"))?
        } else {
            None
        };
        let at = |p: &Option<Postings>, doc: u32, x: u32| -> bool {
            p.as_ref()
                .and_then(|p| {
                    p.find(doc)
                        .map(|i| p.positions(i).binary_search(&x).is_ok())
                })
                .unwrap_or(false)
        };
        let whole_at = |doc: u32, p: u32| -> bool {
            (!is_word(first) || at(&starts, doc, p))
                && (!is_word(last) || at(&ends, doc, p + t.len() as u32 - 1))
        };
        let mut out = Vec::new();
        if t.len() == 1 {
            let Some(p) = self.unigrams(&first.to_string())? else {
                return Ok(out);
            };
            for (i, &doc) in p.docs.iter().enumerate() {
                // Whole word: the character alone is a word somewhere.
                let whole = if is_word(first) {
                    match (&starts, &ends) {
                        (Some(s), Some(e)) => match (s.find(doc), e.find(doc)) {
                            (Some(a), Some(b)) => {
                                let eb = e.positions(b);
                                s.positions(a).iter().any(|x| eb.binary_search(x).is_ok())
                            }
                            _ => false,
                        },
                        _ => false,
                    }
                } else {
                    true
                };
                out.push(TermMatch {
                    doc,
                    count: p.tf[i],
                    title: p.title[i],
                    heading: p.heading[i],
                    whole,
                    pos: Vec::new(),
                    body_block: p.block[i],
                });
            }
            return Ok(out);
        }
        // Bigrams, each fetched once.
        let mut grams: Vec<(usize, Postings)> = Vec::new();
        let mut loaded: HashMap<String, usize> = HashMap::new();
        let mut lists: Vec<Postings> = Vec::new();
        for i in 0..t.len() - 1 {
            let key: String = match (t[i], t[i + 1], t.get(i + 2)) {
                (' ', _, _) => continue,
                (a, ' ', Some(&b)) => [a, ' ', b].iter().collect(),
                (a, b, _) => [a, b].iter().collect(),
            };
            let idx = match loaded.get(&key) {
                Some(&j) => j,
                None => match self.postings(&key)? {
                    Some(p) => {
                        lists.push(p);
                        loaded.insert(key, lists.len() - 1);
                        lists.len() - 1
                    }
                    None => return Ok(out),
                },
            };
            grams.push((i, lists[idx].clone()));
        }
        // Rarest first.
        grams.sort_by_key(|(i, p)| (p.docs.len(), *i));
        let mut cand: Vec<u32> = grams[0].1.docs.clone();
        for (_, p) in &grams[1..] {
            cand = intersect(&cand, &p.docs);
            if cand.is_empty() {
                return Ok(out);
            }
        }
        let (r, rare) = &grams[0];
        for doc in cand {
            let idx: Vec<usize> = grams
                .iter()
                .map(|(_, p)| p.find(doc).unwrap_or(0))
                .collect();
            let mut matches = Vec::new();
            for &x in rare.positions(idx[0]) {
                if (x as usize) < *r {
                    continue;
                }
                let p = x - *r as u32;
                let ok = grams
                    .iter()
                    .zip(&idx)
                    .skip(1)
                    .all(|((o, g), &j)| g.positions(j).binary_search(&(p + *o as u32)).is_ok());
                if ok {
                    matches.push(p);
                }
            }
            if matches.is_empty() {
                continue;
            }
            let tl = self.title_len[doc as usize];
            // Positions for closeness and passages: the whole-word matches
            // when there are any (`ai` as a word, not inside "gmail").
            let wholes: Vec<u32> = matches
                .iter()
                .copied()
                .filter(|&p| whole_at(doc, p))
                .collect();
            let heading = grams.iter().zip(&idx).all(|((_, g), &j)| g.heading[j]);
            out.push(TermMatch {
                doc,
                count: matches.len() as u32,
                title: matches[0] < tl,
                heading,
                whole: !wholes.is_empty(),
                pos: if wholes.is_empty() { matches } else { wholes },
                body_block: None,
            });
        }
        Ok(out)
    }

    /// Runs a query: every term of `query` must match; `filters` are
    /// (facet, value) pairs that must all hold. Returns ranked hits.
    pub fn search(&self, query: &str, filters: &[(String, String)]) -> anyhow::Result<Vec<Hit>> {
        // Filters first, so a wrong filter value is reported whatever the query.
        let mut keep: Option<Vec<u32>> = None;
        for (facet, value) in filters {
            let d = self.facet_docs(facet, value)?;
            keep = Some(match keep {
                None => d,
                Some(k) => intersect(&k, &d),
            });
        }
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut per_term = Vec::new();
        for t in &terms {
            let m = self.eval_term(t)?;
            if m.is_empty() {
                return Ok(Vec::new());
            }
            per_term.push(m);
        }
        // Rarity of each term, in query order.
        let n = self.docs as f64;
        let weights: Vec<f64> = per_term.iter().map(|m| idf(n, m.len() as f64)).collect();
        let mut order: Vec<usize> = (0..per_term.len()).collect();
        order.sort_by_key(|&j| per_term[j].len());
        let mut hits: Vec<Hit> = Vec::new();
        let mut found: Vec<&TermMatch> = Vec::with_capacity(terms.len());
        'doc: for m0 in &per_term[order[0]] {
            if let Some(k) = &keep {
                if k.binary_search(&m0.doc).is_err() {
                    continue;
                }
            }
            found.clear();
            for list in &per_term {
                let Ok(i) = list.binary_search_by_key(&m0.doc, |m| m.doc) else {
                    continue 'doc;
                };
                found.push(&list[i]);
            }
            hits.push(self.score(m0.doc, &found, &weights, &terms));
        }
        rank(&mut hits);
        Ok(hits)
    }

    /// Scores one document from its matches of every term (in query order).
    fn score(&self, doc: u32, found: &[&TermMatch], weights: &[f64], terms: &[Vec<char>]) -> Hit {
        let tl = self.title_len[doc as usize];
        let dl = self.text_len[doc as usize] as f64;
        let norm = 1.2 * (0.25 + 0.75 * dl / self.avg_len);
        let mut h = Hit {
            doc,
            title: 0,
            whole: 0,
            inword: 0,
            count: 0,
            score: 0.0,
            body_first: None,
            body_second: None,
            body_block: None,
        };
        for (j, m) in found.iter().enumerate() {
            let tf = m.count as f64;
            let tfs = tf * 2.2 / (tf + norm);
            let boost = if m.title {
                3.0
            } else if m.heading {
                1.5
            } else {
                0.0
            };
            h.score += weights[j] * (tfs + boost);
            h.title += m.title as u32;
            h.whole += m.whole as u32;
            h.inword += !m.whole as u32;
            h.count += m.count;
            h.body_block = min_opt(h.body_block, m.body_block);
        }
        // Proximity of the terms that have positions.
        let with_pos: Vec<usize> = (0..found.len())
            .filter(|&j| !found[j].pos.is_empty())
            .collect();
        if with_pos.len() >= 2 {
            let lists: Vec<&[u32]> = with_pos.iter().map(|&j| &found[j].pos[..]).collect();
            let span = min_span(&lists);
            let bonus = if span <= 60 {
                3.0
            } else if span <= 300 {
                2.0
            } else if span <= 1000 {
                1.0
            } else {
                0.0
            };
            let mut w = 0.0;
            for &j in &with_pos {
                w += weights[j];
            }
            h.score += bonus * w;
        }
        // The best passage: the window of 90 characters from a body match
        // holding the most weight of distinct terms (then the earliest).
        // Matches in boilerplate (a sentence many posts repeat) are left
        // out when there are others.
        let mut spots: Vec<(u32, usize)> = Vec::new();
        for (j, m) in found.iter().enumerate() {
            spots.extend(m.pos.iter().filter(|&&p| p > tl).map(|&p| (p, j)));
        }
        spots.sort_unstable();
        let bp = &self.boilerplate[doc as usize];
        if !bp.is_empty() {
            let inside = |p: u32| bp.iter().any(|&(a, b)| p >= a && p < b);
            if spots.iter().any(|&(p, _)| !inside(p)) {
                spots.retain(|&(p, _)| !inside(p));
            }
        }
        let mut best: Option<(f64, u32)> = None;
        let mut seen = vec![false; found.len()];
        for (i, &(p, _)) in spots.iter().enumerate() {
            seen.iter_mut().for_each(|x| *x = false);
            let mut w = 0.0;
            for &(q, j) in &spots[i..] {
                if q >= p + PASSAGE {
                    break;
                }
                if !seen[j] {
                    seen[j] = true;
                    w += weights[j] * terms[j].len().min(4) as f64;
                }
            }
            if best.is_none_or(|(bw, _)| w > bw) {
                best = Some((w, p));
            }
        }
        h.body_first = best.map(|b| b.1);
        // A second passage, with the words the first lacks.
        if let Some((_, p1)) = best {
            let mut in_first = vec![false; found.len()];
            for &(q, j) in &spots {
                if q >= p1 && q < p1 + PASSAGE {
                    in_first[j] = true;
                }
            }
            let mut second: Option<(f64, u32)> = None;
            for (i, &(p, _)) in spots.iter().enumerate() {
                if p.abs_diff(p1) < SECOND_GAP {
                    continue;
                }
                seen.iter_mut().for_each(|x| *x = false);
                let mut w = 0.0;
                for &(q, j) in &spots[i..] {
                    if q >= p + PASSAGE {
                        break;
                    }
                    if !seen[j] && !in_first[j] {
                        seen[j] = true;
                        w += weights[j] * terms[j].len().min(4) as f64;
                    }
                }
                if w > 0.0 && second.is_none_or(|(bw, _)| w > bw) {
                    second = Some((w, p));
                }
            }
            h.body_second = second.map(|b| b.1);
        }
        h
    }

    /// Suggestions for a query that finds nothing (see [`super::suggest`]):
    /// the query with its misspelt Latin words replaced, and the query
    /// without its rarest word. Filters play no part.
    pub fn suggest(&self, query: &str) -> anyhow::Result<Vec<String>> {
        use super::suggest::{nearest, spellable, term_text, MAX_EDITS};
        let terms = query_terms(query);
        let mut df = Vec::with_capacity(terms.len());
        for t in &terms {
            df.push(self.eval_term(t)?.len());
        }
        let mut out: Vec<String> = Vec::new();
        let mut fixed = terms.clone();
        let mut any = false;
        for (j, t) in terms.iter().enumerate() {
            if df[j] > 0 || !spellable(t) {
                continue;
            }
            let mut words: Vec<(String, u32)> = Vec::new();
            for len in t.len().saturating_sub(MAX_EDITS)..=t.len() + MAX_EDITS {
                if self.vocab_lens.contains(&len) {
                    let v = self.get(&format!("w/{len}"))?;
                    words.extend(serde_json::from_value::<Vec<(String, u32)>>(v)?);
                }
            }
            if let Some(w) = nearest(t, words.iter()) {
                fixed[j] = w.chars().collect();
                any = true;
            }
        }
        let join = |ts: &[&Vec<char>]| -> String {
            ts.iter()
                .map(|t| term_text(t))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if any {
            out.push(join(&fixed.iter().collect::<Vec<_>>()));
        }
        if terms.len() >= 2 {
            let rare = (0..terms.len()).min_by_key(|&j| df[j]).unwrap_or(0);
            let rest: Vec<&Vec<char>> = terms
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != rare)
                .map(|(_, t)| t)
                .collect();
            let s = join(&rest);
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(out)
    }

    fn decode_text(&self, s: &str) -> anyhow::Result<String> {
        let mut c = self.codec.borrow_mut();
        if c.is_none() {
            let v = self.get("t")?;
            *c = Some(TextCodec::new(
                v.as_str().unwrap_or_default().chars().collect(),
            ));
        }
        Ok(c.as_ref().map(|c| c.decode(s)).unwrap_or_default())
    }

    /// The stored details of document `doc`.
    pub fn doc(&self, doc: u32) -> anyhow::Result<DocMeta> {
        let v = self.get(&format!("d/{doc}"))?;
        let raw: StoredDoc = serde_json::from_value(v)?;
        let bl: Vec<usize> = codec::decode_list(&raw.bl)?
            .into_iter()
            .map(|l| l as usize)
            .collect();
        let text = |s: &str| self.decode_text(s);
        Ok(DocMeta {
            u: super::index::expand_url(&text(&raw.u)?),
            t: text(&raw.t)?,
            k: raw.k,
            c: raw.c,
            d: raw.d,
            g: raw
                .g
                .iter()
                .map(|g| text(g))
                .collect::<anyhow::Result<_>>()?,
            s: raw.s.as_deref().map(text).transpose()?,
            b: raw
                .b
                .iter()
                .map(|b| text(b))
                .collect::<anyhow::Result<_>>()?,
            n: bl.len(),
            o: raw.o,
            bo: raw.bo,
            bl,
        })
    }

    fn block(&self, doc: u32, meta: &DocMeta, k: usize) -> anyhow::Result<String> {
        let len = meta.bl.get(k).copied().unwrap_or(0);
        let off = meta.bl.iter().take(k).sum::<usize>() + meta.bo;
        let spot = self.packs.d.tail_spot(doc as usize, off, len);
        let v = self.read_spot(&format!("d/{doc}-{k}"), spot)?;
        self.decode_text(v.as_str().unwrap_or_default())
    }

    /// The excerpt of a hit: its best passage, and its second passage
    /// (after a space) when it has one, with every term's occurrences
    /// highlighted.
    pub fn excerpt(&self, hit: &Hit, meta: &DocMeta, query: &str) -> anyhow::Result<Excerpt> {
        let terms = query_terms(query);
        let mut ex = self.passage(hit, hit.body_first, meta, &terms)?;
        if let Some(p) = hit.body_second {
            let two = self.passage(hit, Some(p), meta, &terms)?;
            let shift = ex.text.chars().count() + 1;
            ex.text.push(' ');
            ex.text.push_str(&two.text);
            ex.highlights
                .extend(two.highlights.iter().map(|&(s, e)| (s + shift, e + shift)));
        }
        Ok(ex)
    }

    /// The excerpt around the body position `at` (or, without one, the
    /// first match in the block of the first one-character match).
    fn passage(
        &self,
        hit: &Hit,
        at: Option<u32>,
        meta: &DocMeta,
        terms: &[Vec<char>],
    ) -> anyhow::Result<Excerpt> {
        let start_of = |k: usize| -> usize {
            meta.o
                .as_ref()
                .and_then(|o| o.get(k).copied())
                .unwrap_or(k * BLOCK)
        };
        let tl = self.title_len[hit.doc as usize];
        let x = at.map(|p| p.saturating_sub(tl + 1) as usize);
        let (k0, k1) = match x {
            None => {
                let k = hit
                    .body_block
                    .map_or(0, |b| (b as usize).min(meta.n.saturating_sub(1)));
                (k, k)
            }
            Some(x) => {
                let k = (0..meta.n).rev().find(|&k| start_of(k) <= x).unwrap_or(0);
                let lo = if k > 0 && x - start_of(k) < 30 {
                    k - 1
                } else {
                    k
                };
                let hi = if k + 1 < meta.n && start_of(k + 1) < x + 90 {
                    k + 1
                } else {
                    k
                };
                (lo, hi)
            }
        };
        let mut text = String::new();
        for k in k0..=k1 {
            text.push_str(&self.block(hit.doc, meta, k)?);
        }
        Ok(make_excerpt(
            &text,
            x.map(|x| x - start_of(k0)),
            k0 > 0,
            k1 + 1 < meta.n,
            terms,
        ))
    }
}

/// Cuts the excerpt window out of `text` (blocks already fetched) around
/// the normalised offset `at` (or, without one, the first occurrence of any
/// term in `text`), and marks the terms. Shared rules with `search.js`: 30
/// characters before the match, 90 after; with no match at all, the first
/// 120.
pub fn make_excerpt(
    text: &str,
    at: Option<usize>,
    cut_before: bool,
    cut_after: bool,
    terms: &[Vec<char>],
) -> Excerpt {
    let orig: Vec<char> = text.chars().collect();
    let (norm, from) = normalize_mapped(text);
    let at = at.or_else(|| {
        terms
            .iter()
            .filter_map(|t| norm.windows(t.len()).position(|w| w == &t[..]))
            .min()
    });
    let (ws, we) = match at {
        Some(a) => (a.saturating_sub(30), (a + 90).min(norm.len())),
        None => (0, 120.min(norm.len())),
    };
    if ws >= we {
        return Excerpt {
            text: String::new(),
            highlights: Vec::new(),
        };
    }
    let os = from[ws];
    let oe = from[we - 1] + 1;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for t in terms {
        if t.len() > we - ws {
            continue;
        }
        for s in ws..=we - t.len() {
            if norm[s..s + t.len()] == t[..] {
                ranges.push((from[s], from[s + t.len() - 1] + 1));
            }
        }
    }
    ranges.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(l) if r.0 <= l.1 => l.1 = l.1.max(r.1),
            _ => merged.push(r),
        }
    }
    let lead = usize::from(ws > 0 || cut_before);
    let mut out: String = if lead == 1 {
        "…".into()
    } else {
        String::new()
    };
    out.extend(
        orig[os..oe]
            .iter()
            .map(|&c| if c.is_whitespace() { ' ' } else { c }),
    );
    if we < norm.len() || cut_after {
        out.push('…');
    }
    Excerpt {
        text: out,
        highlights: merged
            .into_iter()
            .map(|(s, e)| (s - os + lead, e - os + lead))
            .collect(),
    }
}

/// Width of a passage, in normalised characters.
const PASSAGE: u32 = 90;
/// Least distance between the starts of two passages (their excerpts,
/// 30 characters before and 90 after, do not overlap).
const SECOND_GAP: u32 = 120;

/// The rarity weight of a term found in `df` of `n` documents:
/// log2((n + 1) / df), at least 0.1, with log2 computed as the exponent
/// plus the linear interpolation of the mantissa (exact in any IEEE
/// double arithmetic, so the script gets the same number).
pub fn idf(n: f64, df: f64) -> f64 {
    let mut x = (n + 1.0) / df.max(1.0);
    let mut e = 0.0;
    while x >= 2.0 {
        x /= 2.0;
        e += 1.0;
    }
    let l = if x > 1.0 { e + (x - 1.0) } else { e };
    if l < 0.1 {
        0.1
    } else {
        l
    }
}

/// Sorts hits: fewer terms found only inside longer Latin words first, then
/// higher score, then newer (lower document number).
pub fn rank(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        a.inword
            .cmp(&b.inword)
            .then(b.score.total_cmp(&a.score))
            .then(a.doc.cmp(&b.doc))
    });
}

/// The smallest distance between the first and last of a choice of one
/// position from each (sorted, non-empty) list.
fn min_span(lists: &[&[u32]]) -> u32 {
    let mut idx = vec![0usize; lists.len()];
    let mut best = u32::MAX;
    loop {
        let mut lo = (u32::MAX, 0usize);
        let mut hi = 0u32;
        for (k, l) in lists.iter().enumerate() {
            let v = l[idx[k]];
            if v < lo.0 {
                lo = (v, k);
            }
            hi = hi.max(v);
        }
        best = best.min(hi - lo.0);
        idx[lo.1] += 1;
        if idx[lo.1] >= lists[lo.1].len() {
            return best;
        }
    }
}

fn min_opt(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(small.len());
    let mut lo = 0;
    for &x in small {
        match big[lo..].binary_search(&x) {
            Ok(i) => {
                out.push(x);
                lo += i + 1;
            }
            Err(i) => lo += i,
        }
        if lo >= big.len() {
            break;
        }
    }
    out
}
