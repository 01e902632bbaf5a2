//! URLs that never die: the record of published URLs (`urls.lock`), the
//! redirect pages at old URLs, `aliases:` and the "this post was removed"
//! pages.
//!
//! Every `qunshu build` reads `urls.lock` at the site root, matches each
//! recorded post with a post of this build by its stable id (the `id:` of
//! its front matter, or else its file's path under `content/` without
//! `.md`; a file that moved is matched by its unchanged title), and writes
//! the record back. A post whose URL changed keeps its old URLs in the
//! record, and each gets a small redirect page (meta refresh, canonical
//! link and a visible link, all relative, so they work from disk too). A
//! recorded post that is no longer published gets a "removed" page at its
//! URLs; deleting its entry from `urls.lock` drops that page.

use super::{output::Extra, Site};
use crate::core::config::Lang;
use crate::core::content::{Post, Visibility};
use crate::core::diag::{Diagnostic, Diagnostics, Problems};
use crate::core::slug::{encode_path, path_key};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The record's file name, at the site root (commit it, like `Cargo.lock`).
pub const RECORD_FILE: &str = "urls.lock";

const HEADER: &str = "# The published URL of every post, written by `qunshu build`.\n\
# Commit this file: later builds use it to redirect old URLs when a post is\n\
# retitled or moved. Delete the entry of a removed post to drop its\n\
# \"removed\" page.\n\n";

/// One recorded post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable id (see the module docs).
    pub id: String,
    /// Its current URL, relative to the site root (unencoded).
    pub url: String,
    /// Its title when last published.
    pub title: String,
    /// Earlier URLs, which redirect to `url`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub old: Vec<String>,
    /// True once the post is no longer published.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// The whole record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Posts, ordered by id.
    #[serde(default)]
    pub post: Vec<Entry>,
}

impl Record {
    /// Reads `urls.lock` under `root`; an absent file is an empty record.
    pub fn load(root: &Path) -> anyhow::Result<Record> {
        let path = root.join(RECORD_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let mut d = Diagnostics::new();
            d.push(
                Diagnostic::error(RECORD_FILE, e.message().trim().to_string()).at_opt_line(line),
            );
            Problems(d).into()
        })
    }

    /// The record as written to `urls.lock`.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    /// Writes the record to `urls.lock` under `root` (only if it changed).
    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let path = root.join(RECORD_FILE);
        let text = self.to_text();
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        crate::core::atomic::write(&path, text.as_bytes(), crate::core::atomic::Replace::Yes)
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The stable id of a post: its `id:`, or its file's path under `content/`
/// without `.md`.
pub fn post_id(p: &Post) -> String {
    if let Some(id) = &p.id {
        return id.clone();
    }
    let s = p.source.to_string_lossy().replace('\\', "/");
    let s = s
        .strip_prefix(&format!("{}/", crate::core::content::CONTENT_DIR))
        .unwrap_or(&s);
    s.strip_suffix(".md").unwrap_or(s).to_string()
}

/// A URL that moved since the record was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Source of the post.
    pub source: String,
    /// Recorded URL.
    pub from: String,
    /// URL now.
    pub to: String,
}

/// What a build adds for permanent links.
#[derive(Debug, Default)]
pub struct Plan {
    /// The record after this build.
    pub record: Record,
    /// Redirect and "removed" pages to write.
    pub pages: Vec<(String, Extra)>,
    /// URLs that moved in this build.
    pub moves: Vec<Move>,
    /// Recorded posts no longer published (their entries).
    pub removed: Vec<Entry>,
}

/// Normalises an `aliases:` entry to an output path, or says what is wrong.
fn alias_path(a: &str) -> Result<String, String> {
    let a = a.trim();
    let a = a.split(['#', '?']).next().unwrap_or("");
    if a.contains("://") || a.starts_with("//") {
        return Err(format!(
            "`{a}` is a full URL; write the old address relative to the site root (`qa/old-title.html`)"
        ));
    }
    let decoded = percent_encoding::percent_decode_str(a)
        .decode_utf8_lossy()
        .to_string();
    let mut p = decoded.trim_start_matches('/').to_string();
    if p.is_empty() || p.ends_with('/') {
        p.push_str("index.html");
    } else if !p.rsplit('/').next().unwrap_or("").contains('.') {
        p.push_str("/index.html");
    }
    if p.split('/')
        .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'))
    {
        return Err(format!("`{a}` is not a plain path inside the site"));
    }
    Ok(p)
}

/// Computes the record, redirects and removed pages of `site` against
/// `old` (the record read from disk). Errors (a bad or clashing alias)
/// name the file, line and field.
pub fn plan(site: &Site<'_>, old: &Record) -> anyhow::Result<Plan> {
    let c = site.community;
    let now = site.opts.clock.now;
    // Every output path of the pages of this build, folded.
    let taken: HashSet<String> = site
        .jobs()
        .iter()
        .map(|j| path_key(&site.path_of(j)))
        .collect();
    let published: Vec<usize> = site
        .order
        .iter()
        .copied()
        .filter(|&i| c.visibility(&c.posts[i], now) == Visibility::Published)
        .collect();
    let ids: Vec<String> = published.iter().map(|&i| post_id(&c.posts[i])).collect();
    let by_id: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| (id.as_str(), k))
        .collect();
    let recorded: HashSet<&str> = old.post.iter().map(|e| e.id.as_str()).collect();
    // Posts whose time has not come (at this build's clock): their entries
    // stay as they are, so a build with an earlier `--clock` removes nothing.
    let waiting: HashSet<String> = c
        .posts
        .iter()
        .filter(|p| {
            matches!(
                c.visibility(p, now),
                Visibility::Future | Visibility::Queued
            )
        })
        .map(post_id)
        .collect();
    let mut used = vec![false; published.len()];
    let mut plan = Plan::default();
    let mut entries: Vec<Entry> = Vec::with_capacity(published.len().max(old.post.len()));

    for e in &old.post {
        let found = by_id.get(e.id.as_str()).copied().or_else(|| {
            // A moved file: same title, an id the record does not know.
            (0..published.len()).find(|&k| {
                !used[k]
                    && !recorded.contains(ids[k].as_str())
                    && c.posts[published[k]].title == e.title
            })
        });
        let mut e = e.clone();
        match found {
            Some(k) if !used[k] => {
                used[k] = true;
                let p = &c.posts[published[k]];
                e.id = ids[k].clone();
                e.title = p.title.clone();
                e.removed = false;
                if e.url != p.path {
                    plan.moves.push(Move {
                        source: p.source.display().to_string(),
                        from: e.url.clone(),
                        to: p.path.clone(),
                    });
                    let was = std::mem::replace(&mut e.url, p.path.clone());
                    if !e.old.contains(&was) {
                        e.old.push(was);
                    }
                }
                e.old.retain(|u| u != &e.url);
            }
            _ if waiting.contains(&e.id) => {}
            _ => {
                e.removed = true;
                plan.removed.push(e.clone());
            }
        }
        entries.push(e);
    }
    for (k, &i) in published.iter().enumerate() {
        if !used[k] {
            let p = &c.posts[i];
            entries.push(Entry {
                id: ids[k].clone(),
                url: p.path.clone(),
                title: p.title.clone(),
                old: Vec::new(),
                removed: false,
            });
        }
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));

    let lang = c.config.language;
    let mut written: HashSet<String> = HashSet::new();
    let mut add = |plan: &mut Plan, path: &str, bytes: Vec<u8>| {
        let key = path_key(path);
        if !taken.contains(&key) && written.insert(key) {
            plan.pages.push((path.to_string(), Extra::Bytes(bytes)));
        }
    };
    for e in &entries {
        if e.removed {
            for u in std::iter::once(&e.url).chain(&e.old) {
                add(&mut plan, u, removed_page(site, u, &e.title, lang));
            }
        } else {
            for u in &e.old {
                add(&mut plan, u, redirect_page(site, u, &e.url, &e.title, lang));
            }
        }
    }
    // `aliases:` of every post in this build.
    let mut diags = Diagnostics::new();
    for &i in &site.order {
        let p = &c.posts[i];
        for a in &p.aliases {
            let line = std::fs::read_to_string(c.config.root.join(&p.source))
                .ok()
                .and_then(|t| {
                    t.lines()
                        .position(|l| l.contains(a.as_str()) || l.starts_with("aliases:"))
                        .map(|n| n + 1)
                });
            match alias_path(a) {
                Err(m) => diags.push(
                    Diagnostic::error(&p.source, m)
                        .at_opt_line(line)
                        .field("aliases"),
                ),
                Ok(path) if taken.contains(&path_key(&path)) => diags.push(
                    Diagnostic::error(
                        &p.source,
                        format!("the alias `{a}` is the address of a page of the archive ({path}); an alias must be an address no page uses"),
                    )
                    .at_opt_line(line)
                    .field("aliases"),
                ),
                Ok(path) => add(
                    &mut plan,
                    &path,
                    redirect_page(site, &path, &p.path, &p.title, lang),
                ),
            }
        }
    }
    if diags.error_count() > 0 {
        return Err(Problems(diags).into());
    }
    plan.record = Record { post: entries };
    Ok(plan)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `s` as a JavaScript string literal that is safe inside `<script>`.
pub(crate) fn js_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A small page at `at` that sends the reader to `to` (both relative to
/// the site root, unencoded): a script that keeps the address's query and
/// `#anchor` (a link to one answer still lands on it), a meta refresh
/// without them when scripts are off, a canonical link and a visible link.
pub fn redirect_page(site: &Site<'_>, at: &str, to: &str, title: &str, lang: Lang) -> Vec<u8> {
    let root = "../".repeat(at.matches('/').count());
    let rel = format!("{root}{}", encode_path(to));
    let abs = format!("{}{}", site.community.config.base_url, encode_path(to));
    let (moved, go) = match lang {
        Lang::En => ("This page has moved", "Go to"),
        _ => ("此页已迁移", "前往"),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{t}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
<link rel=\"canonical\" href=\"{abs}\">\n<script>location.replace({js} + location.search + location.hash)</script>\n\
<meta http-equiv=\"refresh\" content=\"0; url={rel}\">\n\
<link rel=\"stylesheet\" href=\"{root}style.css\">\n</head>\n<body>\n<main id=\"main\" class=\"wrap\">\n\
<h1>{moved}</h1>\n<p>{go} <a href=\"{rel}\">{t}</a></p>\n</main>\n</body>\n</html>\n",
        lang = lang.tag(),
        t = escape(title),
        abs = escape(&abs),
        js = js_string(&rel),
        rel = escape(&rel),
    )
    .into_bytes()
}

/// The "this post was removed" page at `at`.
pub fn removed_page(site: &Site<'_>, at: &str, title: &str, lang: Lang) -> Vec<u8> {
    let root = "../".repeat(at.matches('/').count());
    let (removed, text, home) = match lang {
        Lang::En => (
            "This post was removed",
            "The organisers have taken this post down:",
            "Back to the archive",
        ),
        _ => ("这篇内容已下线", "组织者已下线这篇内容：", "返回首页"),
    };
    let site_title = escape(&site.community.config.title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{removed} · {site_title}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
<link rel=\"stylesheet\" href=\"{root}style.css\">\n</head>\n<body>\n<main id=\"main\" class=\"wrap\">\n\
<h1>{removed}</h1>\n<p>{text}{t}</p>\n<p><a href=\"{root}index.html\">{home}</a></p>\n</main>\n</body>\n</html>\n",
        lang = lang.tag(),
        t = escape(title),
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_js_string_cannot_close_its_script() {
        let s = js_string("../qa/a</script><b>&\"x\".html");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "../qa/a</script><b>&\"x\".html");
    }

    #[test]
    fn aliases_become_output_paths() {
        assert_eq!(alias_path("/qa/old.html").unwrap(), "qa/old.html");
        assert_eq!(alias_path("qa/old/").unwrap(), "qa/old/index.html");
        assert_eq!(alias_path("old-page").unwrap(), "old-page/index.html");
        assert_eq!(
            alias_path("qa/%E8%9E%8D.html#answer-1").unwrap(),
            "qa/融.html"
        );
        assert!(alias_path("../etc/passwd").is_err());
        assert!(alias_path("https://x.org/a.html").is_err());
    }

    #[test]
    fn record_round_trips() {
        let r = Record {
            post: vec![Entry {
                id: "qa/a".into(),
                url: "qa/新.html".into(),
                title: "新".into(),
                old: vec!["qa/旧.html".into()],
                removed: false,
            }],
        };
        let back: Record = toml::from_str(&r.to_text()).unwrap();
        assert_eq!(back, r);
    }
}
