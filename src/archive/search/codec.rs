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

/// Writes a bit stream.
#[derive(Default)]
pub(crate) struct BitWriter {
    out: String,
    acc: u32,
    n: u32,
}

impl BitWriter {
    /// A new, empty stream.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Writes the low `k` bits of `v` (k ≤ 32), most significant first.
    pub(crate) fn bits(&mut self, v: u64, k: u32) {
        for i in (0..k).rev() {
            self.bit(((v >> i) & 1) as u32);
        }
    }

    fn bit(&mut self, b: u32) {
        self.acc = (self.acc << 1) | b;
        self.n += 1;
        if self.n == 6 {
            self.out.push(ALPHABET[self.acc as usize] as char);
            self.acc = 0;
            self.n = 0;
        }
    }

    /// Elias gamma code of `v + 1` (so `v` may be 0).
    pub(crate) fn gamma(&mut self, v: u64) {
        let x = v + 1;
        let len = 64 - x.leading_zeros();
        for _ in 1..len {
            self.bit(0);
        }
        self.bits(x, len);
    }

    /// Golomb–Rice code of `v` with parameter `k`: `v >> k` in unary (ones,
    /// then a zero), then the low `k` bits.
    pub(crate) fn rice(&mut self, v: u64, k: u32) {
        let q = v >> k;
        for _ in 0..q {
            self.bit(1);
        }
        self.bit(0);
        self.bits(v, k);
    }

    /// Pads the last character and returns the text.
    pub(crate) fn finish(mut self) -> String {
        while self.n != 0 {
            self.bit(0);
        }
        self.out
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

/// The Rice parameter that codes `values` in the fewest bits.
pub(crate) fn best_k(values: impl Iterator<Item = u64> + Clone) -> u32 {
    let mut best = (u64::MAX, 0);
    for k in 0..=24u32 {
        let mut cost = 0u64;
        for v in values.clone() {
            cost += (v >> k) + 1 + k as u64;
        }
        if cost < best.0 {
            best = (cost, k);
        }
    }
    best.1
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
}

impl Postings {
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
pub(crate) fn encode(docs: &[(u32, Vec<u32>)], full: bool) -> String {
    let mut w = BitWriter::new();
    w.gamma(docs.len().saturating_sub(1) as u64);
    let gaps = docs.iter().scan(-1i64, |prev, (d, _)| {
        let g = (*d as i64 - *prev - 1) as u64;
        *prev = *d as i64;
        Some(g)
    });
    let k_doc = best_k(gaps.clone());
    let k_first = best_k(docs.iter().map(|(_, p)| p[0] as u64));
    let k_gap = if full {
        best_k(
            docs.iter()
                .flat_map(|(_, p)| p.windows(2).map(|w| (w[1] - w[0] - 1) as u64)),
        )
    } else {
        0
    };
    w.gamma(k_doc as u64);
    w.gamma(k_first as u64);
    if full {
        w.gamma(k_gap as u64);
    }
    for ((_, p), g) in docs.iter().zip(gaps) {
        w.rice(g, k_doc);
        w.gamma(p.len() as u64 - 1);
        w.rice(p[0] as u64, k_first);
        if full {
            for win in p.windows(2) {
                w.rice((win[1] - win[0] - 1) as u64, k_gap);
            }
        }
    }
    w.finish()
}

/// Decodes what [`encode`] wrote.
pub(crate) fn decode(s: &str, full: bool) -> Result<Postings, CodecError> {
    let mut r = BitReader::new(s);
    let n = r.gamma()? as usize + 1;
    let k_doc = r.gamma()? as u32;
    let k_first = r.gamma()? as u32;
    let k_gap = if full { r.gamma()? as u32 } else { 0 };
    if k_doc > 40 || k_first > 40 || k_gap > 40 || n > s.len() * 6 {
        return Err(CodecError);
    }
    let mut p = Postings {
        docs: Vec::with_capacity(n),
        tf: Vec::with_capacity(n),
        starts: Vec::with_capacity(n + 1),
        pos: Vec::with_capacity(n),
    };
    p.starts.push(0);
    let mut prev: i64 = -1;
    for _ in 0..n {
        let d = prev + 1 + r.rice(k_doc)? as i64;
        prev = d;
        let tf = r.gamma()? + 1;
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
}

/// Encodes one-character postings.
pub(crate) fn encode_unigrams(u: &Unigrams) -> String {
    let mut w = BitWriter::new();
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
        w.gamma(u.block[i].map_or(0, |b| b as u64 + 1));
    }
    w.finish()
}

/// Decodes what [`encode_unigrams`] wrote.
pub(crate) fn decode_unigrams(s: &str) -> Result<Unigrams, CodecError> {
    let mut r = BitReader::new(s);
    let n = r.gamma()? as usize + 1;
    let k_doc = r.gamma()? as u32;
    if k_doc > 40 || n > s.len() * 6 {
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
        };
        assert_eq!(decode_unigrams(&encode_unigrams(&u)).unwrap(), u);
        let l = vec![0, 5, 70000, 3];
        assert_eq!(decode_list(&encode_list(&l)).unwrap(), l);
        assert!(decode("", true).is_err());
    }
}
