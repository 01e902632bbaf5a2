//! Starting points for organisers: `qunshu init` (a whole new community)
//! and `qunshu new` (one post with the right front matter in the right
//! folder).
//!
//! The example community is a set of real files under `src/scaffold/`
//! embedded with `include_str!`, so what `init` writes can be read (and
//! built) as it is. Nothing is ever overwritten: `init` checks every target
//! first and writes nothing if one exists; `new` picks a free file name.
//! Files are written atomically (temp file + rename), so an interrupted run
//! leaves no half-written post.
//!
//! May import any library layer; only the command layer imports `tools`.

use crate::core::config::{Lang, SiteConfig, CONFIG_FILE};
use crate::core::content::frontmatter::{split, FrontMatter};
use crate::core::content::{Members, CONTENT_DIR};
use crate::core::diag::Diagnostics;
use crate::core::kind::Kind;
use crate::core::slug::slugify;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The files of the example community: (path relative to the new root, template text).
const EXAMPLE: &[(&str, &str)] = &[
    (CONFIG_FILE, include_str!("scaffold/site.toml")),
    (
        "content/members.yaml",
        include_str!("scaffold/content/members.yaml"),
    ),
    (
        "content/briefs/welcome.md",
        include_str!("scaffold/content/briefs/welcome.md"),
    ),
    (
        "content/qa/first-price.md",
        include_str!("scaffold/content/qa/first-price.md"),
    ),
    (
        "content/cases/first-hundred-users.md",
        include_str!("scaffold/content/cases/first-hundred-users.md"),
    ),
    (".gitignore", GITIGNORE),
];

/// What a new community keeps out of git: the built archive, the book,
/// the outbox and qunshu's state (lock, caches). `urls.lock` is kept.
const GITIGNORE: &str = "# the built archive, the book and qunshu's working files\n/public/\n/book-out/\n/outbox/\n/.qunshu/\n";

/// The English example community (`qunshu init --lang en`).
const EXAMPLE_EN: &[(&str, &str)] = &[
    (CONFIG_FILE, include_str!("scaffold/en/site.toml")),
    (
        "content/members.yaml",
        include_str!("scaffold/en/content/members.yaml"),
    ),
    (
        "content/briefs/welcome.md",
        include_str!("scaffold/en/content/briefs/welcome.md"),
    ),
    (
        "content/qa/first-price.md",
        include_str!("scaffold/en/content/qa/first-price.md"),
    ),
    (
        "content/cases/first-hundred-users.md",
        include_str!("scaffold/en/content/cases/first-hundred-users.md"),
    ),
    (".gitignore", GITIGNORE),
];

/// The files `init` would write into a new community titled `title`, with
/// the example posts dated `date`: (relative path, contents).
pub fn example_files(title: &str, date: NaiveDate) -> Vec<(PathBuf, String)> {
    example_files_in(Lang::ZhCn, title, date)
}

/// Like [`example_files`], in the interface language `lang` (column names,
/// members and example posts in that language).
pub fn example_files_in(lang: Lang, title: &str, date: NaiveDate) -> Vec<(PathBuf, String)> {
    let date = date.format("%Y-%m-%d").to_string();
    let (files, welcome) = match lang {
        Lang::En => (
            EXAMPLE_EN,
            format!("Daily brief, {date}: welcome to {title}"),
        ),
        Lang::ZhCn => (EXAMPLE, format!("早报｜{date}：欢迎来到{title}")),
    };
    files
        .iter()
        .map(|(path, text)| {
            let text = text
                .replace("{{TITLE}}", &quoted(title))
                .replace("{{WELCOME_TITLE}}", &quoted(&welcome))
                .replace("{{DATE}}", &date);
            (PathBuf::from(path), text)
        })
        .collect()
}

/// Creates a new community in `dir` (created if missing). Refuses, writing
/// nothing, when any of the files it would write already exists. Returns the
/// paths written.
pub fn init(dir: &Path, title: &str, date: NaiveDate) -> anyhow::Result<Vec<PathBuf>> {
    init_in(Lang::ZhCn, dir, title, date)
}

/// Like [`init`], with the example community in `lang`.
pub fn init_in(
    lang: Lang,
    dir: &Path,
    title: &str,
    date: NaiveDate,
) -> anyhow::Result<Vec<PathBuf>> {
    if title.trim().is_empty() {
        bail!("the title is empty (expected something like --title 创业者同行社)");
    }
    let files = example_files_in(lang, title.trim(), date);
    let existing: Vec<String> = files
        .iter()
        .map(|(p, _)| dir.join(p))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        bail!(
            "{} already holds files qunshu init would write, so nothing was written: {}. Choose an empty folder",
            dir.display(),
            existing.join(", ")
        );
    }
    for k in Kind::ALL {
        let d = dir.join(CONTENT_DIR).join(k.dir());
        std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `text` to a new file at `path` atomically; fails if `path` exists.
pub fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    crate::core::atomic::write(path, text.as_bytes(), crate::core::atomic::Replace::No).map_err(
        |e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("{} already exists; not overwritten", path.display())
            } else {
                anyhow::anyhow!("cannot write {}: {e}", path.display())
            }
        },
    )?;
    Ok(())
}

/// What `qunshu new` was asked for.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// The kind of post.
    pub kind: Kind,
    /// Its title.
    pub title: &'a str,
    /// The column asked for with `--column`, if any.
    pub column: Option<&'a str>,
    /// Today's date in the site's zone (briefs' file names start with it).
    pub today: NaiveDate,
}

/// Creates a new post file for `req` under the site's `content/` folder and
/// returns its path (relative to the root). The column is checked against
/// `site.toml`; the file name is made from the title (briefs start with the
/// date) and never replaces an existing file.
pub fn new_post(config: &SiteConfig, req: &NewPost) -> anyhow::Result<PathBuf> {
    let title = req.title.trim();
    if title.is_empty() {
        bail!("the title is empty (expected something like: qunshu new brief \"早报｜11月24日\")");
    }
    let column = pick_column(config, req.kind, req.column)?;
    let mut diags = Diagnostics::new();
    let members = Members::load(&config.root, &config.members_file, &mut diags);
    let handle = members.handles().next().unwrap_or("handle").to_string();
    let dir = Path::new(CONTENT_DIR).join(req.kind.dir());
    let slug = {
        let s = slugify(title);
        if s.is_empty() {
            "post".to_string()
        } else {
            s
        }
    };
    let taken = taken_slugs(&config.root.join(&dir));
    for n in 1..1000 {
        let (this_slug, explicit) = if n == 1 {
            (slug.clone(), false)
        } else {
            (format!("{slug}-{n}"), true)
        };
        if taken.contains(&this_slug.to_lowercase()) {
            continue;
        }
        let name = match req.kind {
            Kind::Brief => format!("{}-{this_slug}.md", req.today.format("%Y-%m-%d")),
            _ => format!("{this_slug}.md"),
        };
        let rel = dir.join(name);
        let abs = config.root.join(&rel);
        if abs.exists() {
            continue;
        }
        let mut text = post_template(config.language, req.kind, title, &column, &handle);
        if explicit {
            // Another post already has this title's address.
            text = text.replacen("\ncolumn:", &format!("\nslug: {this_slug}\ncolumn:"), 1);
        }
        match write_new(&abs, &text) {
            Ok(()) => return Ok(rel),
            Err(_) if abs.exists() => continue,
            Err(e) => return Err(e),
        }
    }
    bail!(
        "could not find a free file name for `{slug}` in {}",
        dir.display()
    )
}

/// The slugs (lower-cased) of the posts already in `dir`, read from their
/// front matter the way the loader makes them; unreadable files count by
/// their file name only.
fn taken_slugs(dir: &Path) -> HashSet<String> {
    let mut out = HashSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let stem = path
            .file_stem()
            .map(|s| slugify(&s.to_string_lossy()))
            .unwrap_or_default();
        let front = std::fs::read_to_string(&path).ok().and_then(|t| {
            let s = split(&t).ok()?;
            serde_yaml::from_str::<FrontMatter>(s.yaml).ok()
        });
        let slug = front
            .and_then(|f| {
                f.slug
                    .map(|s| slugify(&s))
                    .or_else(|| f.title.map(|t| slugify(&t)))
            })
            .filter(|s| !s.is_empty())
            .unwrap_or(stem);
        out.insert(slug.to_lowercase());
    }
    out
}

fn pick_column(config: &SiteConfig, kind: Kind, asked: Option<&str>) -> anyhow::Result<String> {
    let fitting: Vec<&str> = config
        .columns
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.id.as_str())
        .collect();
    match asked {
        Some(id) => match config.column(id) {
            Some(c) if c.kind == kind => Ok(c.id.clone()),
            Some(c) => bail!(
                "column `{id}` carries {} posts, not {kind} posts (columns for {kind}: {})",
                c.kind,
                list_or_none(&fitting)
            ),
            None => bail!(
                "there is no column `{id}` in site.toml (columns for {kind}: {})",
                list_or_none(&fitting)
            ),
        },
        None => match fitting.first() {
            Some(id) => Ok(id.to_string()),
            None => bail!(
                "no column in site.toml carries {kind} posts; add a [[columns]] entry with kind = \"{kind}\""
            ),
        },
    }
}

fn list_or_none(v: &[&str]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A string as a double-quoted scalar valid in both YAML and TOML.
fn quoted(s: &str) -> String {
    // JSON string syntax (\" \\ \n \uXXXX) is valid YAML and TOML.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "'")))
}

/// The text of a new post: front matter (a draft, so nothing half-written
/// is published or delivered) and, for a thread, the skeleton of the
/// question, an answer, a reply and the summary.
pub fn post_template(lang: Lang, kind: Kind, title: &str, column: &str, handle: &str) -> String {
    let zh = lang == Lang::ZhCn;
    let mut s = String::from("---\n");
    s += &format!("title: {}\n", quoted(title));
    s += &format!("column: {column}\n");
    s += if zh {
        "draft: true  # 写完后删掉这一行：草稿不会发布，也不会发到群里\n"
    } else {
        "draft: true  # delete this line when done: drafts are never published or delivered\n"
    };
    s += if zh {
        "# publish_at: 2026-12-01 08:00  # 固定发布时间（本地时间）；不写就排进栏目的下一个空档\n"
    } else {
        "# publish_at: 2026-12-01 08:00  # a fixed local time; without it the post takes the column's next free slot\n"
    };
    if kind == Kind::Qa {
        s += if zh {
            "status: open  # 选出最佳回答后改成 solved，并填写 accepted\n# asked_by: 提问人的 handle\n# accepted: 最佳回答作者的 handle\n# summary_by: 写总结的值班管理员的 handle\n"
        } else {
            "status: open  # set to solved once an answer is accepted, and fill in accepted\n# asked_by: handle of who asked\n# accepted: handle of the accepted answer's author\n# summary_by: handle of the duty admin who wrote the summary\n"
        };
    } else {
        s += "authors: []\n";
    }
    s += "tags: []\n";
    s += if zh {
        "# stage: 种子期\n# description: 一句话摘要\n"
    } else {
        "# stage: seed\n# description: a one-line summary\n"
    };
    s += "---\n";
    let body = match (kind, zh) {
        (Kind::Brief, true) => "今天的早报从这里开始。\n\n## 行业动态\n\n## 值得一读\n\n## 今日一问\n".to_string(),
        (Kind::Brief, false) => "Today's brief starts here.\n\n## News\n\n## Worth reading\n\n## Question of the day\n".to_string(),
        (Kind::Case, true) => "## 背景\n\n## 做了什么\n\n## 结果与复盘\n".to_string(),
        (Kind::Case, false) => "## Background\n\n## What we did\n\n## Results and lessons\n".to_string(),
        (Kind::Qa, true) => format!(
            "问题背景：公司阶段、团队规模、已经试过什么。\n\n我的问题是：……\n\n## @{handle} 回答的标题（每个回答一个二级标题，@ 后面是作者的 handle）\n回答内容。\n\n### @{handle}\n对这条回答的追问或回复（三级标题）。\n\n## 总结\n值班管理员整理的结论。\n"
        ),
        (Kind::Qa, false) => format!(
            "Background: the company's stage, team size, what was tried.\n\nMy question is: …\n\n## @{handle} Title of the answer (one level-2 heading per answer, the author's handle after @)\nThe answer.\n\n### @{handle}\nA follow-up or reply to this answer (level-3 heading).\n\n## Summary\nThe duty admin's conclusion.\n"
        ),
    };
    s += "\n";
    s += &body;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_yaml_and_toml() {
        let t = "他说：\"定价\" \\ 第一\n课";
        let y: FrontMatter = serde_yaml::from_str(&format!("title: {}\n", quoted(t))).unwrap();
        assert_eq!(y.title.as_deref(), Some(t));
        let v: toml::Table = toml::from_str(&format!("title = {}\n", quoted(t))).unwrap();
        assert_eq!(v["title"].as_str(), Some(t));
    }

    #[test]
    fn templates_parse() {
        for lang in [Lang::ZhCn, Lang::En] {
            for k in Kind::ALL {
                let text = post_template(lang, k, "a: \"b\"", "c", "h");
                let s = split(&text).unwrap();
                let f: FrontMatter = serde_yaml::from_str(s.yaml).unwrap();
                assert_eq!(f.title.as_deref(), Some("a: \"b\""));
                assert!(f.draft);
            }
        }
    }
}
