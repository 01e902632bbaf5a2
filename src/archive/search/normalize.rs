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
//! space (queries are split into terms at spaces, so no term ever contains
//! one), and zero-width/format characters that only affect rendering (soft
//! hyphen, zero-width space and joiners, BOM) disappear.

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
    s
}

/// Code point ranges that hold characters with a normalisation of their
/// own: everything below plane 4, and plane 14 (tags, variation selectors).
/// Planes 4–13 are unassigned and 15–16 are private use; a test checks
/// that they map to themselves, so the exported table can skip them.
const SCANNED: [(u32, u32); 2] = [(0, 0x3FFFF), (0xE0000, 0xEFFFF)];

/// Every code point whose normalised form is not itself (ASCII and CJK
/// unified ideographs, which take fast paths, aside).
fn table() -> &'static HashMap<char, Box<str>> {
    static T: OnceLock<HashMap<char, Box<str>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (lo, hi) in SCANNED {
            for cp in lo..=hi {
                if cp < 0x80 || (0x4E00..=0x9FFF).contains(&cp) {
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
        out.extend(std::iter::once(c));
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

/// Normalises a string into code points.
pub fn normalize_chars(s: &str) -> Vec<char> {
    let mut v = Vec::with_capacity(s.len() / 2);
    for c in s.chars() {
        push_char(c, &mut v);
    }
    v
}

/// Normalises a string.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_char(c, &mut out);
    }
    out
}

/// Normalises `s`, also returning, for each normalised code point, the
/// index (in `chars()` of `s`) of the original code point it came from.
/// Used to highlight matches in the original text.
pub fn normalize_mapped(s: &str) -> (Vec<char>, Vec<usize>) {
    let mut chars = Vec::with_capacity(s.len() / 2);
    let mut from = Vec::with_capacity(s.len() / 2);
    for (i, c) in s.chars().enumerate() {
        push_char(c, &mut chars);
        from.resize(chars.len(), i);
    }
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

/// True for characters that make up Latin-script words (after
/// normalisation): ASCII letters and digits and combining marks. Used only
/// to rank whole-word matches first; matching itself is by substring.
pub fn is_word(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || ('\u{0300}'..='\u{036F}').contains(&c)
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
