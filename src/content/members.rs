//! Members (`content/members.yaml`) and privacy.
//!
//! Privacy is a type: every output asks [`Members::credit`] how to show a
//! handle, and nothing else reads a member's real name. An anonymous member
//! becomes [`Credit::Anonymous`], which carries no name, no handle and no
//! page, so no template can print what it does not have.

use crate::config::Lang;
use crate::diag::{Diagnostic, Diagnostics};
use crate::slug::slugify;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// How a member chose to be shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Shown by name, with a profile page.
    #[default]
    Public,
    /// Shown only by alias, with a profile page under the alias.
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
    /// Privacy setting.
    #[serde(default)]
    pub privacy: Privacy,
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
    match lang {
        Lang::ZhCn => "匿名成员",
        Lang::En => "an unnamed member",
    }
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

    /// Parses members YAML text; `rel` names the file in diagnostics.
    pub fn parse(rel: &Path, text: &str, diags: &mut Diagnostics) -> Members {
        if text.trim().is_empty() {
            return Members::default();
        }
        use super::frontmatter::{too_deep, MAX_YAML_DEPTH};
        if let Some((line, _)) = too_deep(text, MAX_YAML_DEPTH) {
            diags.push(
                Diagnostic::error(rel, format!("the file is nested more than {MAX_YAML_DEPTH} levels deep here; at most {MAX_YAML_DEPTH} levels are read (expected one entry per handle with its fields)"))
                    .at_line(line),
            );
            return Members::default();
        }
        let map: BTreeMap<String, Member> = match serde_yaml::from_str(text) {
            Ok(m) => m,
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
            by_handle: map,
            slugs: BTreeMap::new(),
        };
        let mut used = HashSet::new();
        for (handle, member) in &m.by_handle {
            let line = text
                .lines()
                .position(|l| l.trim_end().trim_end_matches(':') == handle.as_str())
                .map(|i| i + 1);
            if member.privacy == Privacy::Alias && member.alias.trim().is_empty() {
                diags.push(
                    Diagnostic::error(rel, format!("member `{handle}` has privacy `alias` but no alias to show (expected `alias: 某某`)"))
                        .at_opt_line(line)
                        .field("alias"),
                );
            }
            if member.privacy == Privacy::Public && member.name.trim().is_empty() {
                diags.push(
                    Diagnostic::warning(
                        rel,
                        format!("member `{handle}` has no name; the handle will be shown"),
                    )
                    .at_opt_line(line)
                    .field("name"),
                );
            }
            if member.privacy == Privacy::Anonymous {
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

    /// How to show `handle`, as the member's privacy setting allows.
    pub fn credit(&self, handle: &str) -> Credit {
        match self.by_handle.get(handle) {
            None => Credit::Unlisted {
                name: handle.to_string(),
            },
            Some(m) if m.privacy == Privacy::Anonymous => Credit::Anonymous,
            Some(m) => Credit::Named {
                name: shown_name(handle, m),
                slug: self.slugs.get(handle).cloned().unwrap_or_default(),
            },
        }
    }

    /// The public profile of a handle, or `None` for anonymous and unlisted handles.
    pub fn profile(&self, handle: &str) -> Option<PublicProfile> {
        let m = self.by_handle.get(handle)?;
        if m.privacy == Privacy::Anonymous {
            return None;
        }
        Some(PublicProfile {
            name: shown_name(handle, m),
            slug: self.slugs.get(handle).cloned().unwrap_or_default(),
            role: m.role.clone(),
            industry: m.industry.clone(),
            strengths: m.strengths.clone(),
            is_alias: m.privacy == Privacy::Alias,
        })
    }
}

fn shown_name(handle: &str, m: &Member) -> String {
    let n = match m.privacy {
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
}
