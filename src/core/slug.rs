//! Slugs and URL paths.
//!
//! Chinese titles keep their characters: `刚创业，怎么找到第一个合伙人？`
//! becomes `刚创业-怎么找到第一个合伙人`, not a wrong pinyin transliteration
//! (per-character pinyin turns 重庆 into "zhong-qing"). Only characters that
//! are unsafe or awkward in paths and URLs are replaced, by `-`.
//!
//! A leaf of `core`: imports nothing of ours.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Makes a slug: the text is put in Unicode compatibility form (NFKC:
/// full-width `ＡＩ` is `AI`, `Café` typed either way is one word), letters
/// and digits of any script are kept, lower-cased, everything else becomes
/// `-`, runs of `-` collapse, and leading and trailing `-` go. So two terms
/// that differ only in case or Unicode form get the same page.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    let text: Cow<'_, str> = if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfkc().collect())
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if !out.is_ascii() {
        // Lower-casing can leave a string that is not in NFKC form.
        out = out.nfkc().collect();
    }
    // Keep file names well under common 255-byte limits.
    if out.len() > 150 {
        let mut end = 150;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// The key under which file systems that ignore case and Unicode form
/// (macOS, Windows, and every zip unpacked there) see `path`: NFKC,
/// lower-cased. Two output paths with the same key would overwrite each
/// other there.
pub fn path_key(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    // Most paths are slugs, already in this form: check before rewriting.
    let nfkc = |s: &str| -> Option<String> {
        match unicode_normalization::is_nfkc_quick(s.chars()) {
            unicode_normalization::IsNormalized::Yes => None,
            _ => Some(s.nfkc().collect()),
        }
    };
    let normal = nfkc(path);
    let normal = normal.as_deref().unwrap_or(path);
    let lower = normal.to_lowercase();
    if lower == normal {
        return lower;
    }
    nfkc(&lower).unwrap_or(lower)
}

/// True when `segment` (one file or folder name) is a device name that
/// Windows reserves whatever the extension or case: `CON`, `PRN`, `AUX`,
/// `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9` (`nul.html`, `Com1.tar.gz`).
pub fn windows_reserved(segment: &str) -> bool {
    // Only a short stem can be one (compatibility forms keep the length).
    let stem = segment
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end_matches(' ');
    if !(3..=4).contains(&stem.chars().count()) {
        return false;
    }
    let key = path_key(segment);
    let stem = key.split('.').next().unwrap_or("").trim_end_matches(' ');
    match stem.len() {
        3 => matches!(stem, "con" | "prn" | "aux" | "nul"),
        4 => {
            (stem.starts_with("com") || stem.starts_with("lpt"))
                && stem.as_bytes()[3].is_ascii_digit()
                && stem.as_bytes()[3] != b'0'
        }
        _ => false,
    }
}

/// Characters escaped in `href`s: controls, space, and the characters with a
/// meaning in URLs. Non-ASCII characters are percent-encoded as UTF-8, which
/// every browser decodes back, also for `file://` pages.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\'');

/// Percent-encodes a relative path (`tags/合伙人/index.html`) for an `href`,
/// keeping its `/` separators.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_SEGMENT).to_string()
}

/// A relative path written with `/` between its parts, whatever the
/// platform (for URLs, ledger records and messages).
pub fn to_slash(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_kept() {
        assert_eq!(
            slugify("刚创业，怎么找到第一个合伙人？"),
            "刚创业-怎么找到第一个合伙人"
        );
        assert_eq!(slugify("重庆火锅 B站 GPT-4"), "重庆火锅-b站-gpt-4");
        assert_eq!(slugify("../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("a/b\\c?d#e%f"), "a-b-c-d-e-f");
        assert_eq!(slugify("？？"), "");
        assert_eq!(slugify(".."), "");
    }

    #[test]
    fn case_and_unicode_form_do_not_make_two_slugs() {
        assert_eq!(slugify("CAFÉ"), "café");
        assert_eq!(slugify("Cafe\u{301}"), "café");
        assert_eq!(slugify("ＡＩ工具"), "ai工具");
        assert_eq!(slugify("ΩΜΈΓΑ"), slugify("ωμέγα"));
    }

    #[test]
    fn keys_and_reserved_names() {
        assert_eq!(
            path_key("tags/CAFÉ/index.html"),
            path_key("tags/cafe\u{301}/index.html")
        );
        assert_eq!(path_key("img/ﬁle.png"), "img/file.png");
        for n in ["CON", "nul.html", "Com1.tar.gz", "lpt9", "aux ", "ＣＯＮ"] {
            assert!(windows_reserved(n), "{n}");
        }
        for n in [
            "console",
            "com0",
            "com10",
            "nulls.html",
            "index.html",
            "lpt",
        ] {
            assert!(!windows_reserved(n), "{n}");
        }
    }

    #[test]
    fn encode() {
        assert_eq!(encode_path("tags/a b/index.html"), "tags/a%20b/index.html");
        assert!(encode_path("qa/合伙人.html").starts_with("qa/%E5"));
    }
}
