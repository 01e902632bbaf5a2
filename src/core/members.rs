//! Members (`content/members.yaml`) and privacy.
//!
//! Privacy is a type: every output asks [`Members::credit`] how to show a
//! handle, and nothing else reads a member's real name. An anonymous member
//! becomes [`Credit::Anonymous`], which carries no name, no handle and no
//! page, so no template can print what it does not have.
//!
//! Owns every member's real name: nothing else reads one. Imports only leaves
//! and `markdown`; must not import config, content or any layer above `core`.

use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::i18n::Lang;
use crate::core::markdown;
use crate::core::slug::slugify;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// How a member chose to be shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Shown by name, with a profile page.
    Public,
    /// Shown only by alias, with a profile page under the alias. The
    /// default: a member without `privacy:` is never shown by name (and,
    /// without an alias either, is shown as an unnamed member).
    #[default]
    Alias,
    /// Shown as an unnamed member; no profile page; never named.
    Anonymous,
}

/// One member as written in `members.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Real display name.
    #[serde(default)]
    pub name: String,
    /// Nickname used when `privacy: alias`.
    #[serde(default)]
    pub alias: String,
    /// Role (创始人 / CEO).
    #[serde(default)]
    pub role: String,
    /// Industry.
    #[serde(default)]
    pub industry: String,
    /// What the member is good at.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Privacy: public, alias or anonymous. Without it the member is shown
    /// by alias, or as an unnamed member when there is no alias; never by name.
    #[serde(default, rename = "privacy")]
    pub privacy_set: Option<Privacy>,
    /// The member's identities in chat platforms, for `qunshu import`:
    /// platform (`telegram`, `discord`, `slack`, `wechat`, `zsxq`) to the id
    /// the platform's export gives the person (`user123456`, a Slack
    /// `U0123ABC`, a WeChat display name). Never published.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<String, String>,
}

impl Member {
    /// The privacy that applies, failing closed: as written, or, without
    /// `privacy:`, `alias` — and `anonymous` when there is no alias to show
    /// either (the real name is never the default).
    pub fn privacy(&self) -> Privacy {
        match self.privacy_set {
            Some(p) => p,
            None if self.alias.trim().is_empty() => Privacy::Anonymous,
            None => Privacy::Alias,
        }
    }
}

/// How a handle is shown in an output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Credit {
    /// A member shown by name or alias, with a profile page.
    Named {
        /// The name to print (real name or alias, as the member chose).
        name: String,
        /// The profile page's slug (`members/<slug>.html`).
        slug: String,
    },
    /// A handle that is not in `members.yaml`: shown as written, no page.
    Unlisted {
        /// The handle as written in the content.
        name: String,
    },
    /// An anonymous member: no name, no page.
    Anonymous,
}

impl Credit {
    /// The text to print for this credit in `lang`.
    pub fn display(&self, lang: Lang) -> &str {
        match self {
            Credit::Named { name, .. } | Credit::Unlisted { name } => name,
            Credit::Anonymous => anonymous_label(lang),
        }
    }

    /// The profile page slug, if the member has one.
    pub fn slug(&self) -> Option<&str> {
        match self {
            Credit::Named { slug, .. } => Some(slug),
            _ => None,
        }
    }

    /// True for anonymous members.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Credit::Anonymous)
    }
}

/// The label of an anonymous member in `lang`.
pub fn anonymous_label(lang: Lang) -> &'static str {
    crate::core::i18n::text::ANONYMOUS_MEMBER.get(lang)
}

/// What a member's profile shows publicly (never the real name of an alias member).
#[derive(Debug, Clone, Serialize)]
pub struct PublicProfile {
    /// Name as shown.
    pub name: String,
    /// Profile slug.
    pub slug: String,
    /// Role.
    pub role: String,
    /// Industry.
    pub industry: String,
    /// Strengths.
    pub strengths: Vec<String>,
    /// True when the name shown is an alias.
    pub is_alias: bool,
}

/// All members, keyed by handle.
#[derive(Debug, Clone, Default)]
pub struct Members {
    by_handle: BTreeMap<String, Member>,
    slugs: BTreeMap<String, String>,
    /// The file exists but lists nobody.
    listed_nobody: bool,
}

/// The entries of a members file in file order, duplicates kept (a map
/// would silently keep only the last of two entries for one handle).
struct Entries(Vec<(String, Member)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("one entry per member handle")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = map.next_entry::<String, Member>()? {
                    v.push(entry);
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// The top-level keys of a YAML mapping with their 1-based lines, found in
/// the text (serde does not give lines of keys): lines that start in
/// column 0 and are not comments, with the key before the first `:`.
fn top_level_keys(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '#', '-']) && !l.starts_with("..."))
        .filter_map(|(i, l)| {
            let key = l.split_once(':')?.0.trim();
            let key = key
                .strip_prefix('"')
                .and_then(|k| k.strip_suffix('"'))
                .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
                .unwrap_or(key);
            (!key.is_empty()).then(|| (key.to_string(), i + 1))
        })
        .collect()
}

impl Members {
    /// Reads the members file. A missing file is an empty list (with a
    /// warning); malformed YAML is an error with its line.
    pub fn load(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Members {
        let path = root.join(rel);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => {
                diags.push(Diagnostic::warning(
                    rel,
                    "no members file; every handle will be shown as written. Create it with one entry per member handle",
                ));
                return Members::default();
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                diags.push(Diagnostic::error(
                    rel,
                    "the file is not valid UTF-8 text; save it as UTF-8",
                ));
                return Members::default();
            }
        };
        Members::parse(rel, &text, diags)
    }

    /// Parses members YAML text; `rel` names the file in diagnostics. A
    /// handle listed twice is an error naming both lines (nothing about
    /// that member is guessed); an entry without `privacy:` is shown by its
    /// alias, or as an unnamed member when it has none (with a warning).
    pub fn parse(rel: &Path, text: &str, diags: &mut Diagnostics) -> Members {
        use crate::core::yaml::{too_deep, MAX_YAML_DEPTH};
        if let Some((line, _)) = too_deep(text, MAX_YAML_DEPTH) {
            diags.push(
                Diagnostic::error(rel, format!("the file is nested more than {MAX_YAML_DEPTH} levels deep here; at most {MAX_YAML_DEPTH} levels are read (expected one entry per handle with its fields)"))
                    .at_line(line),
            );
            return Members::default();
        }
        let keys = top_level_keys(text);
        let line_of = |handle: &str| keys.iter().find(|(k, _)| k == handle).map(|(_, l)| *l);
        let entries: Vec<(String, Member)> = match serde_yaml::from_str::<Option<Entries>>(text) {
            Ok(e) => e.map(|e| e.0).unwrap_or_default(),
            Err(e) => {
                let line = e.location().map(|l| l.line());
                diags.push(
                    Diagnostic::error(rel, format!("{e}; expected one entry per handle with name, alias, role, industry, strengths and privacy (public, alias or anonymous)"))
                        .at_opt_line(line),
                );
                return Members::default();
            }
        };
        let mut m = Members {
            listed_nobody: entries.is_empty(),
            ..Members::default()
        };
        // How many entries of each handle were seen, to name the lines of
        // the first and of the n-th.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (handle, member) in entries {
            let n = seen.entry(handle.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                let mut lines = keys.iter().filter(|(k, _)| *k == handle).map(|(_, l)| *l);
                let first = lines.next();
                let second = lines.nth(*n - 2);
                let at = |l: Option<usize>| {
                    l.map(|l| format!("line {l}"))
                        .unwrap_or_else(|| "another line".into())
                };
                diags.push(
                    Diagnostic::error(
                        rel,
                        format!(
                            "member `{handle}` is listed twice ({} and {}); keep one entry per handle",
                            at(first),
                            at(second)
                        ),
                    )
                    .at_opt_line(second.or(first)),
                );
                continue;
            }
            m.by_handle.insert(handle, member);
        }
        let mut used = HashSet::new();
        for (handle, member) in &m.by_handle {
            let line = line_of(handle);
            if member.privacy_set == Some(Privacy::Alias) && member.alias.trim().is_empty() {
                diags.push(
                    Diagnostic::error(rel, format!("member `{handle}` has privacy `alias` but no alias to show (expected `alias: 某某`)"))
                        .at_opt_line(line)
                        .field("alias"),
                );
            }
            if member.privacy_set.is_none() && member.alias.trim().is_empty() {
                diags.push(
                    Diagnostic::warning(rel, format!("member `{handle}` has no `privacy:` and no alias, so it is shown as an unnamed member; add `privacy: public`, `alias` (with `alias: 某某`) or `anonymous`"))
                        .at_opt_line(line)
                        .field("privacy"),
                );
            }
            if member.privacy() == Privacy::Public && member.name.trim().is_empty() {
                diags.push(
                    Diagnostic::warning(
                        rel,
                        format!("member `{handle}` has no name; the handle will be shown"),
                    )
                    .at_opt_line(line)
                    .field("name"),
                );
            }
            if member.privacy() == Privacy::Anonymous {
                continue;
            }
            let shown = shown_name(handle, member);
            let base = {
                let s = slugify(&shown);
                if s.is_empty() {
                    "member".to_string()
                } else {
                    s
                }
            };
            let mut slug = base.clone();
            let mut n = 2;
            while !used.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            m.slugs.insert(handle.clone(), slug);
        }
        m
    }

    /// True when the file was read but lists nobody (empty, or only
    /// comments): then every handle in the posts would be shown as written,
    /// which the loader reports (see [`Members::check_used`]).
    pub fn listed_nobody(&self) -> bool {
        self.listed_nobody
    }

    /// Warns (an error with `--strict`) when the members file was read but
    /// lists nobody while `handle_at` — the first post that names a handle,
    /// with that handle — shows that posts do name members.
    pub fn check_used(
        &self,
        rel: &Path,
        handle_at: Option<(&Path, &str)>,
        diags: &mut Diagnostics,
    ) {
        if let (true, Some((post, handle))) = (self.listed_nobody, handle_at) {
            diags.push(Diagnostic::warning(
                rel,
                format!("the members file lists nobody, but posts name members (`{handle}` in {}, and maybe more); every handle would be shown as written. Add one entry per handle with its `privacy:`", post.display()),
            ));
        }
    }

    /// True when `handle` is listed.
    pub fn contains(&self, handle: &str) -> bool {
        self.by_handle.contains_key(handle)
    }

    /// The member behind a handle. Only this module and the profile builder
    /// should look inside; outputs use [`Members::credit`].
    pub fn get(&self, handle: &str) -> Option<&Member> {
        self.by_handle.get(handle)
    }

    /// All handles, sorted.
    pub fn handles(&self) -> impl Iterator<Item = &str> {
        self.by_handle.keys().map(|s| s.as_str())
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.by_handle.len()
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.by_handle.is_empty()
    }

    /// The member handle a mention at byte `at` of `text` (where `text[at]`
    /// is `@` or the full-width `＠` of Chinese input methods) names, and
    /// where the mention ends; `Err(written)` for an `@word` that names
    /// nobody listed; `None` when this `@` is no mention at all (an e-mail
    /// address, part of a URL, a lone `@`). `within` is the run of text that
    /// holds it (what lies outside is markup, as the `_` of `_@x_`).
    ///
    /// A mention is `@` then a handle (ASCII letters, digits, `_`, `-`, `.`;
    /// a final `.` is punctuation), not preceded by a letter, digit or URL
    /// character, and not inside a word containing `://` or starting with
    /// `www.`. Handles are matched exactly, then ignoring ASCII case; a
    /// listed handle with other characters (`@小王`) is matched as written.
    fn mention_at<'t>(
        &self,
        text: &'t str,
        within: std::ops::Range<usize>,
        at: usize,
    ) -> Option<(usize, Result<&str, &'t str>)> {
        let before = &text[within.start..at];
        if before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "_.-+/:=?&%#~@\\`".contains(c))
        {
            return None;
        }
        let word_start = before
            .rfind(|c: char| c.is_whitespace())
            .map(|i| i + 1)
            .unwrap_or(0);
        let word = &before[word_start..];
        if word.contains("://") || word.starts_with("www.") {
            return None;
        }
        let sigil = text[at..].chars().next().map_or(1, char::len_utf8);
        let rest = &text[at + sigil..within.end];
        let run = rest
            .find(|c: char| !is_handle_char(c))
            .map_or(rest, |e| &rest[..e]);
        let trimmed = run.trim_end_matches('.');
        for cand in [run, trimmed] {
            if cand.is_empty() {
                continue;
            }
            let key = match self.by_handle.get_key_value(cand) {
                Some((k, _)) => Some(k.as_str()),
                None => self
                    .by_handle
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(cand))
                    .map(|k| k.as_str()),
            };
            if let Some(k) = key {
                return Some((at + sigil + cand.len(), Ok(k)));
            }
        }
        // A listed handle that is not only handle characters (`@小王`).
        if let Some(k) = self
            .by_handle
            .keys()
            .filter(|k| !k.chars().all(is_handle_char) && rest.starts_with(k.as_str()))
            .max_by_key(|k| k.len())
        {
            return Some((at + sigil + k.len(), Ok(k.as_str())));
        }
        if trimmed.is_empty() {
            return None;
        }
        Some((at + sigil + trimmed.len(), Err(trimmed)))
    }

    /// `text` (plain text: a title, a description) with every mention of a
    /// listed member replaced by the member's credit (see [`Members::credit`]):
    /// public members by name, alias members by alias, anonymous members by
    /// the anonymous label of `lang`. Unlisted `@words` stay as written and
    /// are returned in [`Credited::unlisted`].
    pub fn credit_plain(&self, text: &str, lang: Lang) -> Credited {
        self.credit_in(text, std::iter::once((0..text.len(), Escape::None)), lang)
    }

    /// Like [`Members::credit_plain`], for Markdown: mentions are looked for
    /// only in prose (see [`markdown::prose_ranges`]), never in code, URLs
    /// or e-mail addresses, and the credit is escaped for where it lands.
    /// The credits of members with a profile page are returned in
    /// [`Credited::pages`], so a renderer can link them.
    pub fn credit_markdown(&self, md: &str, lang: Lang) -> Credited {
        if !md.contains(is_sigil) {
            return Credited::unchanged(md);
        }
        let regions = markdown::prose_ranges(md).into_iter().map(|(r, p)| {
            (
                r,
                match p {
                    markdown::Prose::Text => Escape::Markdown,
                    markdown::Prose::Html => Escape::Html,
                },
            )
        });
        self.credit_in(md, regions, lang)
    }

    /// The first `@handle` written in `text`, listed or not (for the check
    /// of an empty members file).
    pub fn first_mention<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.match_indices(is_sigil).find_map(|(i, s)| {
            match self.mention_at(text, 0..text.len(), i)? {
                (_, Err(written)) => Some(written),
                (end, Ok(_)) => Some(&text[i + s.len()..end]),
            }
        })
    }

    fn credit_in(
        &self,
        text: &str,
        regions: impl Iterator<Item = (std::ops::Range<usize>, Escape)>,
        lang: Lang,
    ) -> Credited {
        let mut out = Credited::unchanged("");
        out.text = String::with_capacity(text.len());
        let mut copied = 0;
        for (region, escape) in regions {
            if region.start < copied {
                continue;
            }
            let part = &text[region.clone()];
            for (i, _) in part.match_indices(is_sigil) {
                let at = region.start + i;
                if at < copied {
                    continue;
                }
                let Some((end, found)) = self.mention_at(text, region.clone(), at) else {
                    continue;
                };
                match found {
                    Err(written) => out.unlisted.push((at, written.to_string())),
                    Ok(handle) => {
                        let credit = self.credit(handle);
                        out.text.push_str(&text[copied..at]);
                        let start = out.text.len();
                        let shown: String = credit
                            .display(lang)
                            .chars()
                            .map(|c| if c.is_control() { ' ' } else { c })
                            .collect();
                        escape.push(&shown, &mut out.text);
                        if let (Some(slug), Escape::Markdown | Escape::None) =
                            (credit.slug(), escape)
                        {
                            out.pages.push((start..out.text.len(), slug.to_string()));
                        }
                        copied = end;
                    }
                }
            }
        }
        out.text.push_str(&text[copied..]);
        out
    }

    /// How to show `handle`, as the member's privacy setting allows.
    pub fn credit(&self, handle: &str) -> Credit {
        match self.by_handle.get(handle) {
            None => Credit::Unlisted {
                name: handle.to_string(),
            },
            Some(m) if m.privacy() == Privacy::Anonymous => Credit::Anonymous,
            Some(m) => Credit::Named {
                name: shown_name(handle, m),
                slug: self.slugs.get(handle).cloned().unwrap_or_default(),
            },
        }
    }

    /// The public profile of a handle, or `None` for anonymous and unlisted handles.
    pub fn profile(&self, handle: &str) -> Option<PublicProfile> {
        let m = self.by_handle.get(handle)?;
        if m.privacy() == Privacy::Anonymous {
            return None;
        }
        Some(PublicProfile {
            name: shown_name(handle, m),
            slug: self.slugs.get(handle).cloned().unwrap_or_default(),
            role: m.role.clone(),
            industry: m.industry.clone(),
            strengths: m.strengths.clone(),
            is_alias: m.privacy() == Privacy::Alias,
        })
    }
}

/// A text with its mentions credited (see [`Members::credit_markdown`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credited {
    /// The text with every mention of a listed member replaced by its credit.
    pub text: String,
    /// Byte ranges in [`Credited::text`] of the credits of members with a
    /// profile page, with the page's slug.
    pub pages: Vec<(std::ops::Range<usize>, String)>,
    /// `@words` that name nobody listed: (byte offset in the original text,
    /// the handle as written). They are left as written.
    pub unlisted: Vec<(usize, String)>,
}

impl Credited {
    fn unchanged(text: &str) -> Credited {
        Credited {
            text: text.to_string(),
            ..Credited::default()
        }
    }
}

/// How a credit is escaped for the text it replaces a mention in.
#[derive(Debug, Clone, Copy)]
enum Escape {
    None,
    Markdown,
    Html,
}

impl Escape {
    fn push(self, s: &str, out: &mut String) {
        match self {
            Escape::None => out.push_str(s),
            Escape::Html => out.push_str(&markdown::escape_text(s)),
            Escape::Markdown => {
                for c in s.chars() {
                    if c.is_ascii_punctuation() {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
        }
    }
}

/// True for the characters that start a mention: `@` and the full-width `＠`.
pub fn is_sigil(c: char) -> bool {
    c == '@' || c == '＠'
}

/// True for the characters of an ASCII handle (as in `## @handle`).
pub fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn shown_name(handle: &str, m: &Member) -> String {
    let n = match m.privacy() {
        Privacy::Alias => m.alias.trim(),
        _ => m.name.trim(),
    };
    if n.is_empty() {
        handle.to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_levels() {
        let text = "a:\n  name: 张三\n  alias: 三哥\n  privacy: public\nb:\n  name: 李四\n  alias: 四哥\n  privacy: alias\nc:\n  name: 王五\n  privacy: anonymous\n";
        let mut d = Diagnostics::new();
        let m = Members::parse(Path::new("m.yaml"), text, &mut d);
        assert!(d.is_empty());
        assert_eq!(m.credit("a").display(Lang::ZhCn), "张三");
        assert_eq!(m.credit("b").display(Lang::ZhCn), "四哥");
        assert_eq!(m.credit("c"), Credit::Anonymous);
        assert!(m.profile("c").is_none());
        assert_eq!(m.credit("zz").display(Lang::En), "zz");
    }

    #[test]
    fn bad_privacy_is_error_with_line() {
        let mut d = Diagnostics::new();
        Members::parse(
            Path::new("m.yaml"),
            "a:\n  name: x\n  privacy: secret\n",
            &mut d,
        );
        let s = d.sorted()[0].to_string();
        assert!(s.contains("m.yaml:3"), "{s}");
    }

    #[test]
    fn duplicate_handle_is_an_error_naming_both_lines() {
        let mut d = Diagnostics::new();
        let m = Members::parse(
            Path::new("m.yaml"),
            "nightowl:\n  name: 欧阳秋菊\n  privacy: anonymous\nnightowl: {privacy: public}\n",
            &mut d,
        );
        assert_eq!(d.error_count(), 1, "{d:?}");
        let s = d.sorted()[0].to_string();
        assert!(s.contains("m.yaml:4"), "{s}");
        assert!(s.contains("line 1") && s.contains("line 4"), "{s}");
        // Nothing is guessed: the first entry stays (anonymous), never the later one.
        assert_eq!(m.credit("nightowl"), Credit::Anonymous);
        // A third entry is named with the first.
        let mut d = Diagnostics::new();
        Members::parse(
            Path::new("m.yaml"),
            "a: {privacy: anonymous}\nb: {privacy: anonymous}\na: {privacy: public}\n\"a\": {privacy: alias, alias: x}\n",
            &mut d,
        );
        let s: Vec<String> = d.sorted().iter().map(|x| x.to_string()).collect();
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(
            s[0].contains("m.yaml:3") && s[0].contains("line 1 and line 3"),
            "{s:?}"
        );
        assert!(
            s[1].contains("m.yaml:4") && s[1].contains("line 1 and line 4"),
            "{s:?}"
        );
    }

    #[test]
    fn missing_privacy_is_alias_or_unnamed() {
        let mut d = Diagnostics::new();
        let m = Members::parse(
            Path::new("m.yaml"),
            "a:\n  name: 张三\n  alias: 三哥\nb:\n  name: 李四\n",
            &mut d,
        );
        assert_eq!(m.credit("a").display(Lang::ZhCn), "三哥");
        assert_eq!(m.credit("b"), Credit::Anonymous);
        assert!(m.profile("b").is_none());
        let s: Vec<String> = d.sorted().iter().map(|x| x.to_string()).collect();
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(
            s[0].contains("m.yaml:4") && s[0].contains("privacy"),
            "{s:?}"
        );
    }

    #[test]
    fn empty_or_comment_only_file_lists_nobody() {
        for text in ["", "# 成员档案\n# privacy: public\n", "---\n"] {
            let mut d = Diagnostics::new();
            let m = Members::parse(Path::new("m.yaml"), text, &mut d);
            assert!(d.is_empty(), "{text:?}: {d:?}");
            assert!(m.listed_nobody(), "{text:?}");
            let mut d = Diagnostics::new();
            m.check_used(Path::new("m.yaml"), None, &mut d);
            assert!(d.is_empty(), "no post names anyone");
            m.check_used(
                Path::new("m.yaml"),
                Some((Path::new("content/qa/x.md"), "nightowl")),
                &mut d,
            );
            assert_eq!(d.iter().count(), 1);
            assert!(d.fails(true) && !d.fails(false));
        }
        let mut d = Diagnostics::new();
        let m = Members::parse(Path::new("m.yaml"), "a:\n  privacy: public\n", &mut d);
        assert!(!m.listed_nobody());
    }

    fn demo() -> Members {
        let text = "fox:\n  name: 狐狸真名\n  privacy: anonymous\nbob:\n  name: 鲍勃\n  privacy: public\nal:\n  name: 真名\n  alias: 阿尔\n  privacy: alias\n小王:\n  name: 王小\n  privacy: public\n";
        let mut d = Diagnostics::new();
        let m = Members::parse(Path::new("m.yaml"), text, &mut d);
        assert!(d.is_empty(), "{d:?}");
        m
    }

    #[test]
    fn mentions_in_plain_text_are_credited() {
        let m = demo();
        let c = m.credit_plain("谢谢 @fox，还有 @foxy 和 a@fox.com、@bob.", Lang::ZhCn);
        // The old book scrubber turned `a@fox.com` into `a@匿名成员.com`.
        assert_eq!(c.text, "谢谢 匿名成员，还有 @foxy 和 a@fox.com、鲍勃.");
        assert_eq!(c.unlisted, vec![(21, "foxy".to_string())]);
        assert_eq!(
            m.credit_plain("@al 和 @Fox", Lang::En).text,
            "阿尔 和 an unnamed member"
        );
        assert_eq!(
            m.credit_plain("感谢@小王的分享", Lang::ZhCn).text,
            "感谢王小的分享"
        );
        // The full-width ＠ of Chinese input methods is a mention too.
        assert_eq!(
            m.credit_plain("感谢＠fox！", Lang::ZhCn).text,
            "感谢匿名成员！"
        );
        for url in [
            "https://x.com/@fox",
            "见 https://x.com/?u=@fox",
            "www.x.com/@fox",
            "mail:fox@fox",
            "@",
            "a @ b",
        ] {
            let c = m.credit_plain(url, Lang::ZhCn);
            assert_eq!(c.text, url);
            assert!(c.unlisted.is_empty(), "{url}");
        }
    }

    #[test]
    fn mentions_in_markdown_skip_code_and_urls() {
        let m = demo();
        assert_eq!(
            m.credit_markdown("_@fox_ 和 *＠fox*", Lang::ZhCn).text,
            "_匿名成员_ 和 *匿名成员*"
        );
        let md = "感谢 @fox 和 **@bob**！\n\n`@fox` <https://e.x/@fox> <fox@e.x>\n\n```\n@fox\n```\n\n[@al](https://e.x/@fox \"by @fox\")\n\n<div>@fox</div>\n";
        let c = m.credit_markdown(md, Lang::ZhCn);
        assert_eq!(
            c.text,
            "感谢 匿名成员 和 **鲍勃**！\n\n`@fox` <https://e.x/@fox> <fox@e.x>\n\n```\n@fox\n```\n\n[阿尔](https://e.x/@fox \"by 匿名成员\")\n\n<div>匿名成员</div>\n"
        );
        // Pages of public and alias members, where they now are.
        let pages: Vec<(&str, &str)> = c
            .pages
            .iter()
            .map(|(r, slug)| (&c.text[r.clone()], slug.as_str()))
            .collect();
        assert_eq!(pages, vec![("鲍勃", "鲍勃"), ("阿尔", "阿尔")]);
        // Names are escaped for Markdown.
        let text = "x:\n  name: \"*星* [a](b)\"\n  privacy: public\n";
        let mut d = Diagnostics::new();
        let m = Members::parse(Path::new("m.yaml"), text, &mut d);
        assert_eq!(
            m.credit_markdown("hi @x", Lang::ZhCn).text,
            "hi \\*星\\* \\[a\\]\\(b\\)"
        );
    }
}
