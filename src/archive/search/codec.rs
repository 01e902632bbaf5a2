//! Posting lists as compact bit strings that travel inside script files.
//!
//! Shards must load from `file://`, where browsers refuse `fetch`, so every
//! index file is a script and binary data has to be text. Postings are a
//! bit stream written six bits per character in the URL-safe base64
//! alphabet (no escaping needed inside a JSON string), most significant bit
//! first. Numbers are Golomb–Rice coded with a parameter chosen per list
//! (near the entropy of gaps between document ids and between positions),
//! small counts with Elias gamma. `search.js` has the matching reader.

/// The 64 characters of the stream, in value order.
pub(crate) const ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Writes a bit stream (kept as bits until [`BitWriter::finish`], so
/// streams can be joined with [`BitWriter::append`]).
#[derive(Default, Clone)]
pub(crate) struct BitWriter {
    words: Vec<u64>,
    len: usize,
}

impl BitWriter {
    /// A new, empty stream.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A new, empty stream with room for `bits` bits.
    pub(crate) fn with_capacity(bits: usize) -> Self {
        BitWriter {
            words: Vec::with_capacity(bits.div_ceil(64)),
            len: 0,
        }
    }

    /// Number of bits written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Writes the low `k` bits of `v` (k ≤ 64), most significant first.
    pub(crate) fn bits(&mut self, v: u64, k: u32) {
        if k == 0 {
            return;
        }
        let v = if k == 64 { v } else { v & ((1u64 << k) - 1) };
        let used = (self.len % 64) as u32;
        if used == 0 {
            self.words.push(0);
        }
        let free = 64 - used;
        let last = self.words.len() - 1;
        if k <= free {
            self.words[last] |= v << (free - k);
        } else {
            self.words[last] |= v >> (k - free);
            self.words.push(v << (64 - (k - free)));
        }
        self.len += k as usize;
    }

    /// Appends the bits of another stream.
    pub(crate) fn append(&mut self, o: &BitWriter) {
        let full = o.len / 64;
        for &w in &o.words[..full] {
            self.bits(w, 64);
        }
        let rest = (o.len % 64) as u32;
        if rest > 0 {
            self.bits(o.words[full] >> (64 - rest), rest);
        }
    }

    /// Elias gamma code of `v + 1` (so `v` may be 0).
    pub(crate) fn gamma(&mut self, v: u64) {
        let x = v + 1;
        let len = 64 - x.leading_zeros();
        self.bits(0, len - 1);
        self.bits(x, len);
    }

    /// Golomb–Rice code of `v` with parameter `k`: `v >> k` in unary (ones,
    /// then a zero), then the low `k` bits.
    pub(crate) fn rice(&mut self, v: u64, k: u32) {
        let mut q = v >> k;
        while q >= 63 {
            self.bits(u64::MAX, 63);
            q -= 63;
        }
        self.bits(((1u64 << q) - 1) << 1, q as u32 + 1);
        self.bits(v, k);
    }

    /// Pads the last character and returns the text.
    pub(crate) fn finish(self) -> String {
        let mut out = String::with_capacity(self.len.div_ceil(6));
        let mut i = 0;
        while i < self.len {
            let (w, o) = (i / 64, (i % 64) as u32);
            let mut v = (self.words[w] << o) >> 58;
            if o > 58 {
                if let Some(next) = self.words.get(w + 1) {
                    v |= next >> (122 - o);
                }
            }
            out.push(ALPHABET[v as usize & 63] as char);
            i += 6;
        }
        out
    }
}

/// Reads a bit stream written by [`BitWriter`].
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

fn value(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => (c - b'A') as u32,
        b'a'..=b'z' => (c - b'a') as u32 + 26,
        b'0'..=b'9' => (c - b'0') as u32 + 52,
        b'-' => 62,
        _ => 63,
    }
}

impl<'a> BitReader<'a> {
    /// Reads from the text of a stream.
    pub(crate) fn new(s: &'a str) -> Self {
        BitReader {
            data: s.as_bytes(),
            pos: 0,
        }
    }

    /// Bits left to read.
    pub(crate) fn remaining(&self) -> usize {
        (self.data.len() * 6).saturating_sub(self.pos)
    }

    /// One bit; past the end reads as an error.
    pub(crate) fn bit(&mut self) -> Result<u32, CodecError> {
        let c = *self.data.get(self.pos / 6).ok_or(CodecError)?;
        let b = (value(c) >> (5 - self.pos % 6)) & 1;
        self.pos += 1;
        Ok(b)
    }

    /// `k` bits as a number.
    pub(crate) fn bits(&mut self, k: u32) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for _ in 0..k {
            v = (v << 1) | self.bit()? as u64;
        }
        Ok(v)
    }

    /// An Elias gamma number (see [`BitWriter::gamma`]).
    pub(crate) fn gamma(&mut self) -> Result<u64, CodecError> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 40 {
                return Err(CodecError);
            }
        }
        let rest = self.bits(zeros)?;
        Ok(((1u64 << zeros) | rest) - 1)
    }

    /// A Rice number with parameter `k`.
    pub(crate) fn rice(&mut self, k: u32) -> Result<u64, CodecError> {
        let mut q = 0u64;
        while self.bit()? == 1 {
            q += 1;
        }
        Ok((q << k) | self.bits(k)?)
    }
}

/// A posting string that does not decode (a damaged or foreign index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodecError;

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the search index is damaged (a posting list does not decode); rebuild it")
    }
}

impl std::error::Error for CodecError {}

/// The Rice parameter (0–24) that codes `values` in the fewest bits; the
/// smallest such when several tie.
///
/// The cost of parameter `k` is `Σ (v >> k) + n·(k + 1)`. It is convex in
/// `k`: going from `k` to `k + 1` adds `n` and saves `Σ ⌈(v >> k) / 2⌉`,
/// a saving that shrinks as `k` grows. So the search starts at the
/// parameter the mean suggests and walks downhill, a few passes over the
/// values instead of one per candidate (the index build spent a quarter of
/// its time here).
pub(crate) fn best_k(values: impl Iterator<Item = u64> + Clone) -> u32 {
    const MAX: u32 = 24;
    let (n, sum) = values
        .clone()
        .fold((0u64, 0u64), |(n, s), v| (n + 1, s.saturating_add(v)));
    let cost = |k: u32| -> u64 {
        values
            .clone()
            .fold(n * (k as u64 + 1), |c, v| c.saturating_add(v >> k))
    };
    let mean = sum.checked_div(n).unwrap_or(0);
    let mut k = (63 - (mean | 1).leading_zeros()).min(MAX);
    let mut c = cost(k);
    let mut moved_down = false;
    while k > 0 {
        let lower = cost(k - 1);
        if lower > c {
            break;
        }
        (k, c, moved_down) = (k - 1, lower, true);
    }
    while !moved_down && k < MAX {
        let higher = cost(k + 1);
        if higher >= c {
            break;
        }
        (k, c) = (k + 1, higher);
    }
    k
}

/// The postings of one term: documents in increasing order, each with the
/// positions (code point offsets in the document's normalised text) where
/// the term starts. A one-character term keeps only its count and first
/// position per document (`full == false`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Postings {
    /// Document ids, increasing.
    pub docs: Vec<u32>,
    /// Number of occurrences per document.
    pub tf: Vec<u32>,
    /// `starts[i]..starts[i+1]` indexes `pos` for `docs[i]`.
    pub starts: Vec<u32>,
    /// Positions: all of them (bigrams), or only the first (unigrams).
    pub pos: Vec<u32>,
    /// Per document: whether the term occurs in a heading of its body.
    pub heading: Vec<bool>,
}

impl Postings {
    /// Empties the lists (keeping their memory), ready for another term.
    pub(crate) fn clear(&mut self) {
        self.docs.clear();
        self.tf.clear();
        self.starts.clear();
        self.starts.push(0);
        self.pos.clear();
        self.heading.clear();
    }

    /// Positions of the `i`-th document.
    pub(crate) fn positions(&self, i: usize) -> &[u32] {
        &self.pos[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Index of `doc` in `docs`, if present.
    pub(crate) fn find(&self, doc: u32) -> Option<usize> {
        self.docs.binary_search(&doc).ok()
    }
}

/// Encodes postings. `full` keeps every position; otherwise one per doc.
#[cfg(test)]
pub(crate) fn encode(docs: &[(u32, Vec<u32>)], full: bool) -> String {
    let mut p = Postings {
        starts: vec![0],
        ..Postings::default()
    };
    for (d, pos) in docs {
        p.docs.push(*d);
        p.tf.push(pos.len() as u32);
        p.pos.extend(pos);
        p.starts.push(p.pos.len() as u32);
        p.heading.push(false);
    }
    let mut w = BitWriter::new();
    encode_into(&mut w, &p, full);
    w.finish()
}

/// Writes postings (as [`encode`]) into a stream: `p` with every
/// position of each document (`p.positions(i)`, at least one), and per
/// document whether the term is in a heading. With `full` false only each
/// document's first position is written.
pub(crate) fn encode_into(w: &mut BitWriter, p: &Postings, full: bool) {
    let n = p.docs.len();
    w.gamma(n.saturating_sub(1) as u64);
    let gaps = p.docs.iter().scan(-1i64, |prev, d| {
        let g = (*d as i64 - *prev - 1) as u64;
        *prev = *d as i64;
        Some(g)
    });
    let k_doc = best_k(gaps.clone());
    let k_first = best_k((0..n).map(|i| p.positions(i)[0] as u64));
    let k_gap = if full {
        best_k((0..n).flat_map(|i| p.positions(i).windows(2).map(|w| (w[1] - w[0] - 1) as u64)))
    } else {
        0
    };
    w.gamma(k_doc as u64);
    w.gamma(k_first as u64);
    if full {
        w.gamma(k_gap as u64);
    }
    for ((i, g), &h) in (0..n).zip(gaps).zip(&p.heading) {
        let pos = p.positions(i);
        w.rice(g, k_doc);
        w.gamma(pos.len() as u64 - 1);
        w.bits(h as u64, 1);
        w.rice(pos[0] as u64, k_first);
        if full {
            for win in pos.windows(2) {
                w.rice((win[1] - win[0] - 1) as u64, k_gap);
            }
        }
    }
}

/// Decodes what [`encode`] wrote.
#[cfg(test)]
pub(crate) fn decode(s: &str, full: bool) -> Result<Postings, CodecError> {
    decode_from(&mut BitReader::new(s), full)
}

/// Reads postings (as [`decode`]) from a stream.
pub(crate) fn decode_from(r: &mut BitReader, full: bool) -> Result<Postings, CodecError> {
    let n = r.gamma()? as usize + 1;
    let k_doc = r.gamma()? as u32;
    let k_first = r.gamma()? as u32;
    let k_gap = if full { r.gamma()? as u32 } else { 0 };
    if k_doc > 40 || k_first > 40 || k_gap > 40 || n > r.remaining() {
        return Err(CodecError);
    }
    let mut p = Postings {
        docs: Vec::with_capacity(n),
        tf: Vec::with_capacity(n),
        starts: Vec::with_capacity(n + 1),
        pos: Vec::with_capacity(n),
        heading: Vec::with_capacity(n),
    };
    p.starts.push(0);
    let mut prev: i64 = -1;
    for _ in 0..n {
        let d = prev + 1 + r.rice(k_doc)? as i64;
        prev = d;
        let tf = r.gamma()? + 1;
        p.heading.push(r.bit()? == 1);
        let mut x = r.rice(k_first)?;
        p.pos.push(x as u32);
        if full {
            for _ in 1..tf {
                x += r.rice(k_gap)? + 1;
                p.pos.push(x as u32);
            }
        }
        p.docs.push(u32::try_from(d).map_err(|_| CodecError)?);
        p.tf.push(tf as u32);
        p.starts.push(p.pos.len() as u32);
    }
    Ok(p)
}

/// One-character postings: per document, the count, whether the title has
/// the character, and the text block of its first occurrence in the body
/// (enough to rank and to fetch the right excerpt, at a third of the cost
/// of a position).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Unigrams {
    /// Document ids, increasing.
    pub docs: Vec<u32>,
    /// Occurrences per document (title and body).
    pub tf: Vec<u32>,
    /// True when the title contains the character.
    pub title: Vec<bool>,
    /// Block of the first occurrence in the body, if the body has one.
    pub block: Vec<Option<u32>>,
    /// True when a heading of the body contains the character.
    pub heading: Vec<bool>,
}

impl Unigrams {
    /// Empties the lists (keeping their memory), ready for another term.
    pub(crate) fn clear(&mut self) {
        self.docs.clear();
        self.tf.clear();
        self.title.clear();
        self.block.clear();
        self.heading.clear();
    }
}

/// Encodes one-character postings.
#[cfg(test)]
pub(crate) fn encode_unigrams(u: &Unigrams) -> String {
    let mut w = BitWriter::new();
    encode_unigrams_into(&mut w, u);
    w.finish()
}

/// Writes one-character postings into a stream.
pub(crate) fn encode_unigrams_into(w: &mut BitWriter, u: &Unigrams) {
    w.gamma(u.docs.len().saturating_sub(1) as u64);
    let gaps = u.docs.iter().scan(-1i64, |prev, d| {
        let g = (*d as i64 - *prev - 1) as u64;
        *prev = *d as i64;
        Some(g)
    });
    let k_doc = best_k(gaps.clone());
    w.gamma(k_doc as u64);
    for (i, g) in gaps.enumerate() {
        w.rice(g, k_doc);
        w.gamma(u.tf[i] as u64 - 1);
        w.bits(u.title[i] as u64, 1);
        w.bits(u.heading[i] as u64, 1);
        w.gamma(u.block[i].map_or(0, |b| b as u64 + 1));
    }
}

/// Decodes what [`encode_unigrams`] wrote.
#[cfg(test)]
pub(crate) fn decode_unigrams(s: &str) -> Result<Unigrams, CodecError> {
    decode_unigrams_from(&mut BitReader::new(s))
}

/// Reads one-character postings from a stream.
pub(crate) fn decode_unigrams_from(r: &mut BitReader) -> Result<Unigrams, CodecError> {
    let n = r.gamma()? as usize + 1;
    let k_doc = r.gamma()? as u32;
    if k_doc > 40 || n > r.remaining() {
        return Err(CodecError);
    }
    let mut u = Unigrams::default();
    let mut prev: i64 = -1;
    for _ in 0..n {
        let d = prev + 1 + r.rice(k_doc)? as i64;
        prev = d;
        u.docs.push(u32::try_from(d).map_err(|_| CodecError)?);
        u.tf.push(r.gamma()? as u32 + 1);
        u.title.push(r.bit()? == 1);
        u.heading.push(r.bit()? == 1);
        let b = r.gamma()?;
        u.block.push(b.checked_sub(1).map(|b| b as u32));
    }
    Ok(u)
}

/// Encodes a list of small non-negative numbers (per-document lengths).
pub(crate) fn encode_list(values: &[u32]) -> String {
    let mut w = BitWriter::new();
    let k = best_k(values.iter().map(|v| *v as u64));
    w.gamma(values.len() as u64);
    w.gamma(k as u64);
    for v in values {
        w.rice(*v as u64, k);
    }
    w.finish()
}

/// Decodes what [`encode_list`] wrote.
pub(crate) fn decode_list(s: &str) -> Result<Vec<u32>, CodecError> {
    let mut r = BitReader::new(s);
    let n = r.gamma()? as usize;
    let k = r.gamma()? as u32;
    if n > s.len() * 6 || k > 40 {
        return Err(CodecError);
    }
    (0..n).map(|_| Ok(r.rice(k)? as u32)).collect()
}

#[cfg(test)]
mod tests {

    /// The parameter every candidate would be tried for: the walk downhill
    /// must find the same one.
    fn best_k_by_trying_all(values: &[u64]) -> u32 {
        let mut best = (u64::MAX, 0);
        for k in 0..=24u32 {
            let cost: u64 = values.iter().map(|v| (v >> k) + 1 + k as u64).sum();
            if cost < best.0 {
                best = (cost, k);
            }
        }
        best.1
    }

    #[test]
    fn best_k_is_the_cheapest_parameter() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut lists: Vec<Vec<u64>> =
            vec![vec![], vec![0], vec![0, 0, 0], vec![1 << 40], vec![3, 3, 4]];
        for _ in 0..2000 {
            let len = (next() % 40) as usize + 1;
            let scale = next() % 30;
            let spread = next() % 4;
            lists.push(
                (0..len)
                    .map(|_| match spread {
                        0 => next() % (1 << scale).max(1),
                        1 => (next() % 3) << scale,
                        2 => next() % 8 + if next() % 5 == 0 { 1 << scale } else { 0 },
                        _ => next() >> (64 - scale.max(1)),
                    })
                    .collect(),
            );
        }
        for v in &lists {
            assert_eq!(best_k(v.iter().copied()), best_k_by_trying_all(v), "{v:?}");
        }
    }

    use super::*;

    #[test]
    fn round_trip() {
        let docs = vec![
            (0, vec![3, 9, 10]),
            (7, vec![0]),
            (8, vec![1200, 1201]),
            (4000, vec![5]),
        ];
        let s = encode(&docs, true);
        let p = decode(&s, true).unwrap();
        assert_eq!(p.docs, vec![0, 7, 8, 4000]);
        assert_eq!(p.tf, vec![3, 1, 2, 1]);
        assert_eq!(p.positions(0), &[3, 9, 10]);
        assert_eq!(p.positions(2), &[1200, 1201]);
        let u = decode(&encode(&docs, false), false).unwrap();
        assert_eq!(u.pos, vec![3, 0, 1200, 5]);
        assert_eq!(u.tf, vec![3, 1, 2, 1]);
        let u = Unigrams {
            docs: vec![2, 3, 900],
            tf: vec![1, 4, 2],
            title: vec![true, false, true],
            block: vec![None, Some(0), Some(7)],
            heading: vec![false, true, true],
        };
        assert_eq!(decode_unigrams(&encode_unigrams(&u)).unwrap(), u);
        let l = vec![0, 5, 70000, 3];
        assert_eq!(decode_list(&encode_list(&l)).unwrap(), l);
        assert!(decode("", true).is_err());
    }

    #[test]
    fn streams_join_bit_exactly() {
        // Every width, across word boundaries, and unary runs past 64.
        let mut a = BitWriter::new();
        let mut whole = BitWriter::new();
        for k in 0..=64u32 {
            a.bits(0x5555_5555_5555_5555u64.rotate_left(k), k);
        }
        a.rice(200, 1);
        a.gamma(70_000);
        let mut b = BitWriter::new();
        b.bits(0b101, 3);
        whole.append(&b);
        whole.append(&a);
        whole.append(&b);
        let s = whole.finish();
        let mut r = BitReader::new(&s);
        assert_eq!(r.bits(3).unwrap(), 0b101);
        for k in 0..=64u32 {
            let want = if k == 0 {
                0
            } else if k == 64 {
                0x5555_5555_5555_5555u64.rotate_left(k)
            } else {
                0x5555_5555_5555_5555u64.rotate_left(k) & ((1 << k) - 1)
            };
            assert_eq!(r.bits(k).unwrap(), want, "width {k}");
        }
        assert_eq!(r.rice(1).unwrap(), 200);
        assert_eq!(r.gamma().unwrap(), 70_000);
        assert_eq!(r.bits(3).unwrap(), 0b101);
    }
}
