//! Hiding personal data in imported messages.
//!
//! Mobile numbers (mainland China, `+86` optional, spaces or dashes
//! allowed), e-mail addresses, WeChat ids after `微信号` / `微信:` / `vx` /
//! `wx` / `v信` / `weixin`, ID-card numbers (18 characters) and bank-card
//! numbers (16 to 19 digits, in groups or not) become `[已隐去]`; what was
//! hidden is counted by kind for the import's summary.

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// What replaces personal data.
pub(crate) const HIDDEN: &str = "[已隐去]";

/// The kinds of personal data, in the order they are looked for.
static PATTERNS: LazyLock<Vec<(&'static str, Regex, bool)>> = LazyLock::new(|| {
    // (kind, pattern, keep the label in group 1)
    let p = |kind, re: &str, label| (kind, Regex::new(re).expect("valid pattern"), label);
    vec![
        p(
            "e-mail addresses",
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
            false,
        ),
        p(
            "WeChat ids",
            r"(?i)(微信号\s*[:：]?\s*|(?:微信|weixin|wechat)\s*[:：]\s*|(?:v信|(?-u:\b)vx|(?-u:\b)wx)(?:\s*[:：]\s*|\s+))[A-Za-z][A-Za-z0-9_\-]{5,19}(?-u:\b)",
            true,
        ),
        p(
            "ID-card numbers",
            r"(?-u:\b)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?-u:\b)",
            false,
        ),
        p(
            "bank-card numbers",
            r"(?-u:\b)[1-9]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?(?-u:\b)",
            false,
        ),
        p(
            "mobile numbers",
            r"(?:(?:\+|(?-u:\b))86[ \-]?)?(?-u:\b)1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?-u:\b)",
            false,
        ),
    ]
});

/// What was hidden, by kind.
pub(crate) type Report = BTreeMap<&'static str, usize>;

/// `text` with personal data replaced by [`HIDDEN`]; counts go to `report`.
/// Text in code spans is scrubbed too (a phone number in backticks is
/// still a phone number).
pub(crate) fn scrub(text: &str, report: &mut Report) -> String {
    let mut out = std::borrow::Cow::Borrowed(text);
    for (kind, re, label) in PATTERNS.iter() {
        let n = re.find_iter(&out).count();
        if n == 0 {
            continue;
        }
        *report.entry(kind).or_insert(0) += n;
        let replaced = if *label {
            re.replace_all(&out, format!("${{1}}{HIDDEN}").as_str())
                .into_owned()
        } else {
            re.replace_all(&out, HIDDEN).into_owned()
        };
        out = std::borrow::Cow::Owned(replaced);
    }
    out.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_hidden_and_counted() {
        let mut r = Report::new();
        let s = scrub(
            "电话13812345678，或 +86 139-1234-5678；邮箱 zhang.san@example.com；加微信号：zhangsan_88 或 vx: abc12345；身份证 110101199003071234；卡号 6222 0212 3456 7890 123",
            &mut r,
        );
        assert_eq!(
            s,
            "电话[已隐去]，或 [已隐去]；邮箱 [已隐去]；加微信号：[已隐去] 或 vx: [已隐去]；身份证 [已隐去]；卡号 [已隐去]"
        );
        assert_eq!(r["mobile numbers"], 2);
        assert_eq!(r["e-mail addresses"], 1);
        assert_eq!(r["WeChat ids"], 2);
        assert_eq!(r["ID-card numbers"], 1);
        assert_eq!(r["bank-card numbers"], 1);
    }

    #[test]
    fn ordinary_numbers_and_words_stay() {
        let mut r = Report::new();
        let t = "月净消耗 48 万，2026 年 11 月 20 日，订单号 20261120，wxWidgets 很好用，https://x.y/13812345678abc";
        assert_eq!(scrub(t, &mut r), t);
        assert!(r.is_empty(), "{r:?}");
    }
}
