//! Chat identities → member handles.
//!
//! A member's `accounts:` in `members.yaml` names their id on each platform
//! (`accounts: {telegram: user123456, wechat: 张三}`). A person seen for the
//! first time gets a stable handle made from the platform and their id
//! (`tg-3fa2b1`; the same person gets the same handle in every import) and
//! is added to the members file with `privacy: anonymous`, so nobody is
//! published under a name they did not agree to until the organiser asks
//! them and changes it.

use super::{Author, Platform};
use crate::core::members::{Members, Privacy};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A person added by this import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    /// The handle made up for them.
    pub handle: String,
    /// Their display name in the export (kept in the members file only).
    pub name: String,
    /// Their id on the platform.
    pub account: String,
}

/// The mapping for one import.
#[derive(Debug)]
pub(crate) struct People {
    platform: Platform,
    known: HashMap<String, String>,
    taken: HashSet<String>,
    /// People seen for the first time, in order of appearance.
    pub added: Vec<NewMember>,
    anonymous: HashSet<String>,
    /// Accounts that two members claim: (account, the handle used, the
    /// other handle). The handle first in alphabetical order is used.
    pub claimed_twice: Vec<(String, String, String)>,
}

impl People {
    /// The mapping given the members file.
    pub(crate) fn new(platform: Platform, members: &Members) -> People {
        let mut known: HashMap<String, String> = HashMap::new();
        let mut anonymous = HashSet::new();
        let mut claimed_twice = Vec::new();
        for h in members.handles() {
            if let Some(m) = members.get(h) {
                if let Some(id) = m.accounts.get(platform.name()) {
                    let id = id.trim().to_string();
                    match known.get(&id) {
                        Some(first) => {
                            claimed_twice.push((id, String::clone(first), h.to_string()))
                        }
                        None => {
                            known.insert(id, h.to_string());
                        }
                    }
                }
                if m.privacy() == Privacy::Anonymous {
                    anonymous.insert(h.to_string());
                }
            }
        }
        People {
            platform,
            known,
            taken: members.handles().map(str::to_string).collect(),
            added: Vec::new(),
            anonymous,
            claimed_twice,
        }
    }

    /// The handle of `who`, adding them as a new member when unknown.
    /// `None` for an anonymous author (an anonymous 知识星球 question).
    pub(crate) fn handle(&mut self, who: &Author) -> Option<String> {
        if who.anonymous {
            return None;
        }
        if let Some(h) = self.known.get(who.id.trim()) {
            return Some(h.clone());
        }
        let handle = self.make_handle(who);
        self.known.insert(who.id.trim().to_string(), handle.clone());
        self.taken.insert(handle.clone());
        self.anonymous.insert(handle.clone());
        self.added.push(NewMember {
            handle: handle.clone(),
            name: who.name.trim().to_string(),
            account: who.id.trim().to_string(),
        });
        Some(handle)
    }

    /// True when `handle` is shown as an unnamed member (anonymous in the
    /// members file, or added by this import).
    pub(crate) fn is_anonymous(&self, handle: &str) -> bool {
        self.anonymous.contains(handle)
    }

    fn make_handle(&self, who: &Author) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.platform.name(), who.id.trim()));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let prefix = self.platform.handle_prefix();
        let mut n = 6;
        loop {
            let h = format!("{prefix}-{}", &hex[..n]);
            if !self.taken.contains(&h) || n >= hex.len() {
                return h;
            }
            n += 2;
        }
    }

    /// The YAML to append to the members file for the people added, with
    /// a comment asking the organiser to ask them.
    pub(crate) fn members_yaml(&self, today: &str) -> String {
        let mut s = String::new();
        for m in &self.added {
            let mut accounts = BTreeMap::new();
            accounts.insert(self.platform.name(), m.account.as_str());
            s.push_str(&format!(
                "\n# 导入 {} 时新增（{today}）：请征得本人同意后再改 privacy / added by `qunshu import`; ask them before changing privacy\n{}:\n  name: {}\n  privacy: anonymous\n  accounts:\n    {}: {}\n",
                self.platform.name(),
                m.handle,
                quoted(&m.name),
                self.platform.name(),
                quoted(&m.account),
            ));
        }
        s
    }
}

/// A string as a double-quoted YAML scalar.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diag::Diagnostics;
    use std::path::Path;

    #[test]
    fn known_accounts_map_and_new_people_get_stable_anonymous_handles() {
        let mut d = Diagnostics::new();
        let yaml =
            "laozhang:\n  name: 张建国\n  privacy: public\n  accounts:\n    telegram: user222\n";
        let members = Members::parse(Path::new("m.yaml"), yaml, &mut d);
        assert!(d.is_empty(), "{d:?}");
        let mut p = People::new(Platform::Telegram, &members);
        let who = |id: &str| Author {
            id: id.into(),
            name: "某人".into(),
            anonymous: false,
        };
        assert_eq!(p.handle(&who("user222")).as_deref(), Some("laozhang"));
        let h = p.handle(&who("user999")).unwrap();
        assert!(h.starts_with("tg-"));
        assert_eq!(p.handle(&who("user999")).unwrap(), h);
        assert!(p.is_anonymous(&h) && !p.is_anonymous("laozhang"));
        let again = People::new(Platform::Telegram, &members).make_handle(&who("user999"));
        assert_eq!(again, h);
        // The added entry parses and keeps the mapping.
        let all = format!("{yaml}{}", p.members_yaml("2026-11-27"));
        let members = Members::parse(Path::new("m.yaml"), &all, &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(members.credit(&h), crate::core::members::Credit::Anonymous);
        let mut p = People::new(Platform::Telegram, &members);
        assert_eq!(p.handle(&who("user999")).unwrap(), h);
        assert!(p.added.is_empty());
    }
}
