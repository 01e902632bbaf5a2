//! Slugs and URL paths.
//!
//! Chinese titles keep their characters: `刚创业，怎么找到第一个合伙人？`
//! becomes `刚创业-怎么找到第一个合伙人`, not a wrong pinyin transliteration
//! (per-character pinyin turns 重庆 into "zhong-qing"). Only characters that
//! are unsafe or awkward in paths and URLs are replaced, by `-`.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Makes a slug: letters and digits of any script are kept (ASCII letters
/// lower-cased), everything else becomes `-`, runs of `-` collapse, and
/// leading and trailing `-` go.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
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
    }

    #[test]
    fn encode() {
        assert_eq!(encode_path("tags/a b/index.html"), "tags/a%20b/index.html");
        assert!(encode_path("qa/合伙人.html").starts_with("qa/%E5"));
    }
}
