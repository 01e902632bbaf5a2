//! Normalisation: one table, applied code point by code point.
//!
//! A query matches a document when the *normalised* query is a substring of
//! the *normalised* text. Normalising one code point at a time (never looking
//! at its neighbours) is what makes the scheme simple to share: the browser
//! applies exactly the same table, which the index build exports into the
//! index (see [`table_chunks`]), so Rust and JavaScript cannot disagree about
//! what a character becomes, whatever Unicode version each platform ships.
//!
//! Each code point `c` becomes, repeated until nothing changes,
//! `NFKD(lowercase(c))`:
//!
//! - compatibility forms fold: full-width `Ａ１` → `a1`, half-width katakana
//!   → katakana, `①` → `1`, ligatures `ﬁ` → `fi`, CJK compatibility
//!   ideographs → the unified ideograph;
//! - case folds (`GPT` → `gpt`);
//! - the decomposed (NFKD) form is used rather than NFKC so that `é` written
//!   as one code point and `e` + combining acute normalise the same way,
//!   which a per-code-point NFKC could not do. Two strings have the same NFKC
//!   form exactly when they have the same NFKD form, so this is "NFKC
//!   equivalence" made local.
//!
//! On top of that every whitespace or control character becomes a plain
//! space, and zero-width/format characters that only affect rendering (soft
//! hyphen, zero-width space and joiners, BOM) disappear; and every
//! traditional Chinese character folds to its simplified form (OpenCC's
//! character tables, through `ferrous-opencc`), so `開源` finds `开源` and
//! the other way round.
//!
//! Two rules look at neighbours, and are applied to a whole string after
//! the table ([`normalize_mapped`]): a run of spaces becomes one space, and
//! a run of spaces between a Chinese character and a Latin letter or digit
//! disappears (`B 站` is `B站`, `GPT 4 发布` is `gpt 4发布`). The script
//! applies the same two rules.
//!
//! A query is read by [`query_terms`]: words are separated by spaces and by
//! full-width or CJK punctuation (`私域，复购` is two words), and `"…"` (or
//! `“…”`, `「…」`) is one exact phrase, spaces included.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Characters that vanish: soft hyphen, Mongolian vowel separator,
/// zero-width space/non-joiner/joiner, word joiner, BOM.
const IGNORABLE: &[char] = &[
    '\u{00AD}', '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
];

/// What one code point normalises to, computed from first principles.
/// [`map_char`] answers the same from a table built once.
fn compute(c: char) -> String {
    let one = |c: char, out: &mut String| {
        if c.is_whitespace() || c.is_control() {
            out.push(' ');
        } else if !IGNORABLE.contains(&c) {
            out.push(c);
        }
    };
    let mut s = String::new();
    one(c, &mut s);
    for _ in 0..8 {
        let mut next = String::with_capacity(s.len());
        for ch in s.chars().flat_map(char::to_lowercase).nfkd() {
            one(ch, &mut next);
        }
        if next == s {
            break;
        }
        s = next;
    }
    s.chars().map(t2s).collect()
}

/// True for CJK ideographs (unified, extensions A–G, compatibility).
pub fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Ranges scanned for traditional characters with a simplified form.
const IDEOGRAPHS: [(u32, u32); 3] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x3134F)];

/// Traditional → simplified, one character at a time, from OpenCC's
/// tables (standard, Taiwan and Hong Kong variants), kept only where one
/// character becomes one character, and followed to a fixed point.
fn t2s_table() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        let mut src = String::new();
        for (lo, hi) in IDEOGRAPHS {
            for c in (lo..=hi).filter_map(char::from_u32) {
                src.push(c);
                src.push('\n');
            }
        }
        let mut m: HashMap<char, char> = HashMap::new();
        for config in [BuiltinConfig::Hk2s, BuiltinConfig::Tw2s, BuiltinConfig::T2s] {
            let Ok(cc) = OpenCC::from_config(config) else {
                continue;
            };
            let out = cc.convert(&src);
            for (a, b) in src.split('\n').zip(out.split('\n')) {
                let (mut ai, mut bi) = (a.chars(), b.chars());
                if let (Some(x), None, Some(y), None) = (ai.next(), ai.next(), bi.next(), bi.next())
                {
                    if x != y {
                        m.insert(x, y);
                    }
                }
            }
        }
        let keys: Vec<char> = m.keys().copied().collect();
        for k in keys {
            let mut v = m[&k];
            for _ in 0..4 {
                match m.get(&v) {
                    Some(&w) if w != k => v = w,
                    _ => break,
                }
            }
            m.insert(k, v);
        }
        m.retain(|k, v| k != v);
        m
    })
}

/// The simplified form of a traditional character (itself otherwise).
fn t2s(c: char) -> char {
    if !is_ideograph(c) {
        return c;
    }
    t2s_table().get(&c).copied().unwrap_or(c)
}

/// [`t2s`] for the unified block, as a dense table (the indexing hot path).
fn unified_fold() -> &'static [char] {
    static T: OnceLock<Vec<char>> = OnceLock::new();
    T.get_or_init(|| ('\u{4E00}'..='\u{9FFF}').map(t2s).collect())
}

/// Code point ranges that hold characters with a normalisation of their
/// own: everything below plane 4, and plane 14 (tags, variation selectors).
/// Planes 4–13 are unassigned and 15–16 are private use; a test checks
/// that they map to themselves, so the exported table can skip them.
const SCANNED: [(u32, u32); 2] = [(0, 0x3FFFF), (0xE0000, 0xEFFFF)];

/// Every code point whose normalised form is not itself (ASCII aside, which
/// takes a fast path; unified ideographs are listed when they fold).
fn table() -> &'static HashMap<char, Box<str>> {
    static T: OnceLock<HashMap<char, Box<str>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (lo, hi) in SCANNED {
            for cp in lo..=hi {
                if cp < 0x80 {
                    continue;
                }
                if let Some(c) = char::from_u32(cp) {
                    let s = compute(c);
                    if s.len() != c.len_utf8() || !s.starts_with(c) {
                        m.insert(c, s.into_boxed_str());
                    }
                }
            }
        }
        m
    })
}

thread_local! {
    /// Characters met so far and what they became: most text uses a few
    /// hundred distinct non-ASCII, non-ideograph characters.
    static CACHE: std::cell::RefCell<HashMap<char, Box<str>>> = std::cell::RefCell::new(HashMap::new());
}

/// Appends the normalised form of `c` to `out` (possibly nothing).
#[inline]
pub fn push_char(c: char, out: &mut impl Extend<char>) {
    if c.is_ascii() {
        let n = if c.is_ascii_uppercase() {
            c.to_ascii_lowercase()
        } else if c.is_ascii_control() || c.is_ascii_whitespace() {
            ' '
        } else {
            c
        };
        out.extend(std::iter::once(n));
        return;
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        let f = unified_fold()[(c as u32 - 0x4E00) as usize];
        out.extend(std::iter::once(f));
        return;
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let s = cache
            .entry(c)
            .or_insert_with(|| compute(c).into_boxed_str());
        out.extend(s.chars());
    });
}

/// The normalised form of one code point.
pub fn map_char(c: char) -> String {
    let mut s = String::new();
    push_char(c, &mut s);
    s
}

/// Normalises a string into code points (the table, then the two
/// neighbour rules for spaces).
pub fn normalize_chars(s: &str) -> Vec<char> {
    let mut v = Vec::with_capacity(s.len() / 2);
    normalize_into(s, &mut v, &mut None);
    v
}

/// Normalises a string.
pub fn normalize(s: &str) -> String {
    normalize_chars(s).into_iter().collect()
}

/// Normalises `s` onto `out`; with `from`, also records for each code point
/// pushed the index (in `chars()` of `s`) of the original code point it
/// came from. Spaces: a run becomes one space (from the run's first
/// character), and a run between an ideograph and a Latin letter or digit
/// disappears. Only the characters of `s` count as neighbours.
pub fn normalize_into(s: &str, out: &mut Vec<char>, from: &mut Option<&mut Vec<usize>>) {
    let base = out.len();
    // A space run seen and not yet pushed: the index it came from.
    let mut pending: Option<usize> = None;
    let mut buf: Vec<char> = Vec::with_capacity(4);
    for (i, c) in s.chars().enumerate() {
        buf.clear();
        push_char(c, &mut buf);
        for &d in &buf {
            if d == ' ' {
                pending.get_or_insert(i);
                continue;
            }
            if let Some(at) = pending.take() {
                let prev = if out.len() > base {
                    out.last().copied()
                } else {
                    None
                };
                let drop = prev.is_some_and(|p| {
                    (is_ideograph(p) && is_word(d)) || (is_word(p) && is_ideograph(d))
                });
                if !drop {
                    out.push(' ');
                    if let Some(f) = from.as_deref_mut() {
                        f.push(at);
                    }
                }
            }
            out.push(d);
            if let Some(f) = from.as_deref_mut() {
                f.push(i);
            }
        }
    }
    if let Some(at) = pending {
        out.push(' ');
        if let Some(f) = from.as_deref_mut() {
            f.push(at);
        }
    }
}

/// Normalises `s`, also returning, for each normalised code point, the
/// index (in `chars()` of `s`) of the original code point it came from.
/// Used to highlight matches in the original text.
pub fn normalize_mapped(s: &str) -> (Vec<char>, Vec<usize>) {
    let mut chars = Vec::with_capacity(s.len() / 2);
    let mut from = Vec::with_capacity(s.len() / 2);
    normalize_into(s, &mut chars, &mut Some(&mut from));
    (chars, from)
}

/// Splits a normalised query into its terms (at spaces).
pub fn terms(normalized: &[char]) -> Vec<Vec<char>> {
    let mut out: Vec<Vec<char>> = Vec::new();
    for t in normalized.split(|c| *c == ' ') {
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_vec());
        }
    }
    out
}

/// True for punctuation that separates words in a query: CJK symbols and
/// punctuation, full-width ASCII punctuation, CJK compatibility and small
/// forms, dashes, curly quotes, ellipsis and middle dots. (ASCII
/// punctuation stays part of words: `GPT-4`, `node.js`, `C++`.)
pub fn is_query_separator(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65 | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F | 0x2012..=0x2027
        | 0x00B7 | 0x30FB)
}

/// The quote that closes a phrase opened by `c`, if `c` opens one.
fn closing_quote(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '\u{FF02}' => Some('\u{FF02}'),
        '\u{201C}' => Some('\u{201D}'),
        '\u{300C}' => Some('\u{300D}'),
        '\u{300E}' => Some('\u{300F}'),
        _ => None,
    }
}

/// The terms of a query, normalised: words (split at spaces and at
/// [`is_query_separator`] punctuation) and quoted phrases (which keep single
/// spaces inside). A quote without its closing quote separates words.
/// Duplicates are dropped; the order is the query's.
pub fn query_terms(q: &str) -> Vec<Vec<char>> {
    fn add(t: &[char], out: &mut Vec<Vec<char>>) {
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_vec());
        }
    }
    fn flush(word: &mut String, out: &mut Vec<Vec<char>>) {
        for t in normalize_chars(word).split(|c| *c == ' ') {
            add(t, out);
        }
        word.clear();
    }
    let chars: Vec<char> = q.chars().collect();
    let mut out: Vec<Vec<char>> = Vec::new();
    let mut word = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(close) = closing_quote(c) {
            if let Some(j) = chars[i + 1..].iter().position(|&x| x == close) {
                flush(&mut word, &mut out);
                let phrase: String = chars[i + 1..i + 1 + j].iter().collect();
                let t = normalize_chars(&phrase);
                let s = t.iter().position(|&x| x != ' ').unwrap_or(t.len());
                let e = t.iter().rposition(|&x| x != ' ').map_or(s, |e| e + 1);
                add(&t[s..e], &mut out);
                i += j + 2;
                continue;
            }
        }
        if c.is_whitespace() || c == '"' || is_query_separator(c) {
            flush(&mut word, &mut out);
        } else {
            word.push(c);
        }
        i += 1;
    }
    flush(&mut word, &mut out);
    out
}

/// True for characters that make up Latin-script words (after
/// normalisation): ASCII letters and digits and combining marks. Used only
/// to rank whole-word matches first; matching itself is by substring.
pub fn is_word(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// True for the code points whose table chunk the script loads only for a
/// query (ideograph blocks, where the chunks hold only traditional →
/// simplified folds): the text a page shows is the archive's own, and the
/// index's manifest lists the folds of every such character the archive
/// uses ([`corpus_folds`]), so excerpts never load those chunks.
pub fn query_only_chunk(cp: u32) -> bool {
    matches!(cp, 0x3400..=0x9FFF | 0x20000..=0x2F7FF | 0x2FA20..=0x3134F)
}

/// The folds of the characters of `chars` that fall in
/// [`query_only_chunk`] blocks and normalise to something else, as
/// `[code point, "normalised"]` pairs, sorted.
pub fn corpus_folds(chars: impl Iterator<Item = char>) -> Vec<serde_json::Value> {
    let mut v: Vec<(u32, String)> = chars
        .filter(|c| query_only_chunk(*c as u32))
        .filter_map(|c| {
            let m = map_char(c);
            (m != c.to_string()).then_some((c as u32, m))
        })
        .collect();
    v.sort();
    v.dedup();
    v.into_iter()
        .map(|(c, m)| serde_json::json!([c, m]))
        .collect()
}

/// True for precomposed Hangul syllables, whose decomposition the script
/// computes by the Unicode formula instead of shipping 11,172 entries.
pub fn is_hangul_syllable(cp: u32) -> bool {
    (0xAC00..=0xD7A3).contains(&cp)
}

/// The normalisation table for the browser, in chunks of 256 code points
/// (`cp >> 8` → chunk), so a page loads only the chunks of the characters
/// it meets (for Chinese text: general punctuation, CJK punctuation and
/// full-width forms, a few kilobytes). A chunk is `{"r": [[start, len,
/// target], ...], "x": [[code point, "string"], ...]}`: a run maps `start +
/// i` to `target + i` for `i < len`; `x` lists code points that map to zero
/// or several code points. Code points not listed map to themselves, except
/// ASCII (lower-cased; controls and whitespace to a space) and Hangul
/// syllables (decomposed by formula), which the script handles inline
/// exactly as [`push_char`] does.
pub fn table_chunks() -> std::collections::BTreeMap<u32, serde_json::Value> {
    let mut entries: Vec<(u32, &str)> = table()
        .iter()
        .filter(|(c, _)| !c.is_ascii() && !is_hangul_syllable(**c as u32))
        .map(|(c, s)| (*c as u32, &**s))
        .collect();
    entries.sort_unstable();
    let mut chunks: std::collections::BTreeMap<u32, (Vec<[u32; 3]>, Vec<serde_json::Value>)> =
        Default::default();
    for (cp, s) in entries {
        let (runs, multi) = chunks.entry(cp >> 8).or_default();
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(t), None) => {
                let t = t as u32;
                if let Some(last) = runs.last_mut() {
                    if last[0] + last[1] == cp && last[2] + last[1] == t {
                        last[1] += 1;
                        continue;
                    }
                }
                runs.push([cp, 1, t]);
            }
            _ => multi.push(serde_json::json!([cp, s])),
        }
    }
    chunks
        .into_iter()
        .map(|(k, (r, x))| (k, serde_json::json!({ "r": r, "x": x })))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds() {
        assert_eq!(normalize("ＧＰＴ－４"), "gpt-4");
        assert_eq!(normalize("Ｂ站"), "b站");
        assert_eq!(normalize("私域\u{3000}流量"), "私域 流量");
        assert_eq!(normalize("ﬁne"), "fine");
        assert_eq!(normalize("caf\u{e9}"), normalize("cafe\u{301}"));
        assert_eq!(normalize("ｶﾀｶﾅ"), normalize("カタカナ"));
        assert_eq!(normalize("合\u{200B}伙"), "合伙");
        assert_eq!(normalize("①"), "1");
    }

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(normalize("開源股權"), "开源股权");
        assert_eq!(normalize("开源股权"), "开源股权");
        assert_eq!(normalize("臺灣資料庫"), normalize("台湾资料库"));
        // Latin and Japanese kana untouched.
        assert_eq!(normalize("Rust カタカナ"), "rust カタカナ");
    }

    #[test]
    fn spaces_between_chinese_and_latin_vanish() {
        assert_eq!(normalize("B 站"), "b站");
        assert_eq!(normalize("B站"), "b站");
        assert_eq!(normalize("用 GPT-4  写"), "用gpt-4写");
        assert_eq!(normalize("私域   流量"), "私域 流量");
        assert_eq!(normalize("hello   world"), "hello world");
        assert_eq!(normalize(" 站 "), " 站 ");
        let (n, from) = normalize_mapped("A  轮 x  y");
        assert_eq!(n.iter().collect::<String>(), "a轮x y");
        assert_eq!(from, vec![0, 3, 5, 6, 8]);
    }

    #[test]
    fn query_words_phrases_and_punctuation() {
        let q = |s: &str| -> Vec<String> {
            query_terms(s)
                .into_iter()
                .map(|t| t.into_iter().collect())
                .collect()
        };
        assert_eq!(q("私域，复购"), ["私域", "复购"]);
        assert_eq!(q("私域、复购。私域"), ["私域", "复购"]);
        assert_eq!(q("\"前端工程化\""), ["前端工程化"]);
        assert_eq!(q("“前端 工程化”"), ["前端 工程化"]);
        assert_eq!(
            q("\"machine   learning\" 入门"),
            ["machine learning", "入门"]
        );
        assert_eq!(q("\"B 站\""), ["b站"]);
        assert_eq!(q("B 站"), ["b", "站"]);
        assert_eq!(q("GPT-4 node.js"), ["gpt-4", "node.js"]);
        assert_eq!(q("\"开源"), ["开源"]);
        assert_eq!(q("開源 数据库"), ["开源", "数据库"]);
        assert!(q("“ ”").is_empty());
    }

    #[test]
    fn hangul_formula_matches_table() {
        for cp in 0xAC00u32..=0xD7A3 {
            let c = char::from_u32(cp).unwrap();
            let s = cp - 0xAC00;
            let mut want = vec![
                char::from_u32(0x1100 + s / 588).unwrap(),
                char::from_u32(0x1161 + (s % 588) / 28).unwrap(),
            ];
            if s % 28 != 0 {
                want.push(char::from_u32(0x11A7 + s % 28).unwrap());
            }
            assert_eq!(map_char(c), want.into_iter().collect::<String>(), "{c}");
        }
    }

    #[test]
    fn unscanned_planes_map_to_themselves() {
        for cp in (0x40000u32..0xE0000).chain(0xF0000..=0x10FFFF).step_by(7) {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(compute(c), c.to_string());
        }
    }

    #[test]
    fn idempotent_everywhere() {
        for (c, s) in table() {
            for o in s.chars() {
                assert_eq!(
                    map_char(o),
                    o.to_string(),
                    "{c:?} -> {s:?}: {o:?} is not stable"
                );
            }
        }
        for c in (0u8..128).map(char::from) {
            let s = map_char(c);
            assert_eq!(normalize(&s), s);
        }
    }
}
