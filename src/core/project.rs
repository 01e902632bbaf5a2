//! The one entry point to a community: [`Project::open`] reads `site.toml`,
//! the members, the posts and the delivery ledger's history into one
//! validated model. Every command (`build`, `serve`, `book`, `schedule`,
//! `post`, `run`, `check`) opens a community this way, so they all see the
//! same posts dated the same way.
//!
//! Must not import: anything above `core`.

use crate::core::config::SiteConfig;
use crate::core::content::walk;
use crate::core::content::{
    build_post, load_posts, load_posts_cached, parse_file, resolve_link, Depth, IncludeOptions,
    LoadCache, Post, Visibility,
};
use crate::core::diag::{Diagnostic, Diagnostics};
use crate::core::ledger::{self, Ledger};
use crate::core::markdown::RefKind;
use crate::core::members::Members;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// An opened community: its configuration, members, posts and delivery
/// history, validated.
#[derive(Debug, Clone)]
pub struct Project {
    /// The configuration.
    pub config: SiteConfig,
    /// The members.
    pub members: Members,
    /// All posts (published or not), sorted by source path.
    pub posts: Vec<Post>,
    /// Files under `content/` that the archive copies beside its pages
    /// (see [`walk`]), sorted by source.
    pub assets: Vec<walk::Asset>,
    /// Delivery times of queued posts, by source path (filled from the delivery ledger).
    pub delivered: HashMap<PathBuf, DateTime<Utc>>,
}

impl Project {
    /// Reads the text of the posts at `sources` (relative to the root), for
    /// a community loaded by [`Project::open`] with [`Depth::FrontMatter`]: their sections
    /// get their Markdown (unrendered; [`Section::plain_text`] renders it on
    /// demand) and threads their answers, with the checks of their bodies
    /// that need no HTML. Returns the problems found in those files (a file
    /// may also have changed since the first load).
    pub fn load_text<'a>(&mut self, sources: impl IntoIterator<Item = &'a Path>) -> Diagnostics {
        self.load_bodies(sources, Depth::Unrendered)
    }

    /// Like [`Project::load_text`], but renders the posts as
    /// [`Project::open`] does, with every check of it: the links and
    /// images of those posts are resolved against the whole community.
    pub fn load_rendered<'a>(
        &mut self,
        sources: impl IntoIterator<Item = &'a Path>,
    ) -> Diagnostics {
        self.load_bodies(sources, Depth::Rendered)
    }

    fn load_bodies<'a>(
        &mut self,
        sources: impl IntoIterator<Item = &'a Path>,
        depth: Depth,
    ) -> Diagnostics {
        let wanted: BTreeSet<&Path> = sources.into_iter().collect();
        let (config, members) = (&self.config, &self.members);
        // Links are resolved only when rendering.
        let url_of: HashMap<&std::ffi::OsStr, &str> = match depth {
            Depth::Rendered => self
                .posts
                .iter()
                .map(|p| (p.source.as_os_str(), p.path.as_str()))
                .collect(),
            _ => HashMap::new(),
        };
        let built: Vec<(usize, Option<Post>, Vec<Diagnostic>)> = self
            .posts
            .par_iter()
            .enumerate()
            .filter(|(_, post)| wanted.contains(post.source.as_path()))
            .map(
                |(i, post)| match parse_file(config, members, &post.source, depth) {
                    Ok(p) => {
                        let refs = std::sync::Mutex::new(Vec::new());
                        let resolve = |kind: RefKind, dest: &str| {
                            resolve_link(&config.root, &p.source, &url_of, &refs, kind, dest)
                        };
                        let m = &p.meta;
                        let (fresh, ds) = build_post(&p, members, config.language, depth, &resolve);
                        (i, Some(fresh), m.diags.iter().cloned().chain(ds).collect())
                    }
                    Err(ds) => (i, None, ds),
                },
            )
            .collect();
        let mut diags = Diagnostics::new();
        for (i, post, ds) in built {
            if let Some(post) = post {
                self.posts[i] = post;
            }
            diags.extend(ds);
        }
        diags
    }

    /// Opens the community at `root`: `site.toml`, the members, every post
    /// (read to `depth`) and the delivery times in the ledger. Returns the
    /// project when there are no errors; the diagnostics either way.
    ///
    /// With [`Depth::FrontMatter`] only what a plan needs is read: the front
    /// matter of every post (each file is read only up to its closing
    /// `---`), with every check of the front matter. Sections are then empty
    /// and threads have no answers until [`Project::load_text`] or
    /// [`Project::load_rendered`] reads the posts a command prints, with the
    /// checks of their bodies. `qunshu check` checks every body.
    pub fn open(root: &Path, depth: Depth) -> (Option<Project>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let config = match SiteConfig::load_checking(root, &|rel| member_handles(root, rel)) {
            Ok(c) => c,
            Err(d) => return (None, d),
        };
        let members = Members::load(root, &config.members_file, &mut diags);
        let (posts, assets) = load_posts(&config, &members, depth, &mut diags);
        if diags.error_count() > 0 {
            return (None, diags);
        }
        let mut c = Project {
            config,
            members,
            posts,
            assets,
            delivered: HashMap::new(),
        };
        c.read_delivery_history(&mut diags);
        if diags.error_count() > 0 {
            return (None, diags);
        }
        (Some(c), diags)
    }

    /// Fills [`Project::delivered`] from the delivery ledger
    /// (`.qunshu/ledger.jsonl`), so that every output — `build`, `serve`,
    /// `book`, the plan — dates a delivered queued post the same way. An
    /// unreadable ledger is an error naming it.
    fn read_delivery_history(&mut self, diags: &mut Diagnostics) {
        match Ledger::load(&self.config.root) {
            Ok(ledger) => self.delivered.extend(ledger.delivered()),
            Err(e) => diags.push(Diagnostic::error(
                Path::new(ledger::STATE_DIR).join(ledger::LEDGER_FILE),
                e,
            )),
        }
    }

    /// Like [`Project::open`], but fills `cache` for later
    /// [`Project::reload_content`] calls, and returns the community even
    /// when some posts have errors (those posts are left out); `None` only
    /// when `site.toml` cannot be used.
    pub fn open_cached(root: &Path, cache: &mut LoadCache) -> (Option<Project>, Diagnostics) {
        let config = match SiteConfig::load_checking(root, &|rel| member_handles(root, rel)) {
            Ok(c) => c,
            Err(d) => return (None, d),
        };
        let mut mdiags = Diagnostics::new();
        let members = Members::load(root, &config.members_file, &mut mdiags);
        cache.members_diags = mdiags.iter().cloned().collect();
        let mut diags = mdiags;
        let posts = load_posts_cached(&config, &members, cache, None, Vec::new(), &mut diags);
        let mut c = Project {
            config,
            members,
            posts,
            assets: cache.assets(),
            delivered: HashMap::new(),
        };
        c.read_delivery_history(&mut diags);
        (Some(c), diags)
    }

    /// Re-reads the content paths in `changed` (relative to the root: files
    /// or folders under `content/` that were written, created, renamed or
    /// removed) and re-renders only those posts and the posts whose links or
    /// images point at them. `site.toml` and the members file are not
    /// re-read: when they change, load again. Returns every diagnostic of the
    /// community as it now is. The result equals a fresh
    /// [`Project::open_cached`].
    pub fn reload_content(
        &mut self,
        cache: &mut LoadCache,
        changed: &BTreeSet<PathBuf>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        diags.extend(cache.members_diags.iter().cloned());
        // Posts are sorted by source, as the loader needs them.
        let old = std::mem::take(&mut self.posts);
        self.posts = load_posts_cached(
            &self.config,
            &self.members,
            cache,
            Some(changed),
            old,
            &mut diags,
        );
        self.assets = cache.assets();
        diags
    }

    /// The visibility of a post at instant `now`.
    pub fn visibility(&self, post: &Post, now: DateTime<Utc>) -> Visibility {
        if post.draft {
            return Visibility::Draft;
        }
        if !post.is_publishable_kind() {
            return Visibility::Open;
        }
        if let Some(exp) = post.expire_at {
            if exp <= now {
                return Visibility::Expired;
            }
        }
        match post.effective_time(self.delivered.get(&post.source).copied()) {
            None => Visibility::Queued,
            Some(t) if t > now => Visibility::Future,
            Some(_) => Visibility::Published,
        }
    }

    /// Whether a post goes into an output built at `now` with `opts`.
    pub fn included(&self, post: &Post, now: DateTime<Utc>, opts: IncludeOptions) -> bool {
        match self.visibility(post, now) {
            Visibility::Published => true,
            Visibility::Draft => {
                opts.drafts
                    && (post.is_publishable_kind() || opts.open)
                    && (post.publish_at.is_none_or(|t| t <= now) || opts.future)
            }
            Visibility::Future | Visibility::Queued => opts.future,
            Visibility::Open => opts.open,
            Visibility::Expired => false,
        }
    }

    /// The time a post is dated with in outputs: pinned or delivered time, if any.
    pub fn post_time(&self, post: &Post) -> Option<DateTime<Utc>> {
        post.effective_time(self.delivered.get(&post.source).copied())
    }
}

/// The handles in the members file at `root/rel` when it can be read
/// without errors and names at least one member; `None` otherwise (its own
/// problems, an empty file among them, are reported when the members are
/// loaded).
fn member_handles(root: &Path, rel: &Path) -> Option<std::collections::BTreeSet<String>> {
    if !root.join(rel).is_file() {
        return None;
    }
    let mut diags = Diagnostics::new();
    let members = Members::load(root, rel, &mut diags);
    (diags.error_count() == 0 && !members.is_empty())
        .then(|| members.handles().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::content::load::*;

    #[test]
    fn reload_walks_changed_paths_with_the_same_rules() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"t\"\nbase_url = \"https://example.org/\"\n[[columns]]\nid = \"z\"\nname = \"Z\"\nkind = \"brief\"\ntimes = [\"08:00\"]\n",
        )
        .unwrap();
        let dir = root.join("content/briefs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.md"), "---\ntitle: a\n---\nbody\n").unwrap();
        let mut cache = LoadCache::default();
        let (c, d) = Project::open_cached(root, &mut cache);
        let mut c = c.unwrap();
        assert_eq!(d.error_count(), 0, "{:?}", d.sorted());
        assert!(c.assets.is_empty());

        // A link leading outside the root and a new attachment appear.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.png"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.png"), dir.join("out.png")).unwrap();
        std::fs::write(dir.join("p.png"), "p").unwrap();
        let changed: BTreeSet<PathBuf> = ["content/briefs/out.png", "content/briefs/p.png"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        let d = c.reload_content(&mut cache, &changed);
        let errors: Vec<&Path> = d
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.as_path())
            .collect();
        assert_eq!(errors, vec![Path::new("content/briefs/out.png")]);
        let assets: Vec<&str> = c.assets.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(assets, vec!["briefs/p.png"]);

        // The link goes: so does its error.
        std::fs::remove_file(dir.join("out.png")).unwrap();
        let d = c.reload_content(&mut cache, &changed);
        assert_eq!(d.error_count(), 0);
        assert_eq!(c.assets.len(), 1);
    }

    #[test]
    fn front_matter_len_finds_the_closing_line() {
        let t = "---\ntitle: 早报\n---\n正文\n";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("正文").unwrap())
        );
        // CRLF, trailing spaces, a BOM, and `...` as the closing line.
        let t = "\u{feff}---  \r\ntitle: x\r\n...\r\nbody";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("body").unwrap())
        );
        // `----` is not a closing line; `---` is, later.
        let t = "---\ntitle: x\n----\nslug: y\n---\nbody";
        assert_eq!(
            front_matter_len(t.as_bytes()),
            Some(t.find("body").unwrap())
        );
    }

    #[test]
    fn front_matter_len_waits_for_whole_lines() {
        // The closing `---` has been read but not its end: it may be `----`.
        assert_eq!(front_matter_len(b"---\ntitle: x\n---"), None);
        assert_eq!(front_matter_len(b"---\ntitle: x\n"), None);
        assert_eq!(front_matter_len(b"---"), None);
        // Not front matter: the caller reads the whole file for the error.
        assert_eq!(front_matter_len(b"title: x\n---\n"), None);
        assert_eq!(front_matter_len(b""), None);
    }

    #[test]
    fn read_head_reads_long_front_matter_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let mut buf = Vec::new();
        // Front matter of about 10 KB (several chunks), then a long body.
        let long = "长".repeat(3000);
        let text = format!(
            "---\ntitle: x\ndescription: {long}\n---\n{}\n",
            "正文".repeat(5000)
        );
        std::fs::write(&path, &text).unwrap();
        let n = read_head(&path, &mut buf).unwrap();
        assert_eq!(&buf[..n], &text.as_bytes()[..text.find("正文").unwrap()]);
        // A closing line that straddles the first chunk boundary.
        for pad in 2030..2050 {
            let text = format!(
                "---\ntitle: {}\n----\n---\nbody {}\n",
                "x".repeat(pad),
                "y".repeat(9000)
            );
            std::fs::write(&path, &text).unwrap();
            let n = read_head(&path, &mut buf).unwrap();
            assert_eq!(
                &buf[..n],
                &text.as_bytes()[..text.find("body").unwrap()],
                "pad {pad}"
            );
        }
        // A short file is read whole, and so is one with no front matter.
        std::fs::write(&path, "---\ntitle: x\n---").unwrap();
        assert_eq!(read_head(&path, &mut buf).unwrap(), 16);
        let text = format!("no front matter\n{}", "z".repeat(10_000));
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_head(&path, &mut buf).unwrap(), text.len());
    }

    #[test]
    fn loading_credits_every_mention_before_anything_sees_the_post() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"t\"\nbase_url = \"https://e.x/\"\ntimezone = \"Asia/Shanghai\"\n[[columns]]\nid = \"hot\"\nname = \"热点\"\nkind = \"qa\"\ntimes = [\"15:00\"]\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/qa")).unwrap();
        std::fs::write(
            root.join("content/members.yaml"),
            "fox:\n  name: 狐狸真名\n  privacy: anonymous\nbob:\n  name: 鲍勃\n  privacy: public\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/qa/x.md"),
            "---\ntitle: 问 @fox 一个问题\ndescription: 来自 @fox\ntags: [\"@fox\"]\nstatus: solved\naccepted: bob\n---\n@fox 问：怎么办？\n\n## @bob 回答 @fox\n谢谢 @fox。\n\n### @fox\n@bob 说得对。\n\n## 总结\n@fox 满意。\n",
        )
        .unwrap();
        for depth in [Depth::Rendered, Depth::FrontMatter] {
            let (c, d) = Project::open(root, depth);
            let c = c.unwrap_or_else(|| panic!("{d:?}"));
            let p = &c.posts[0];
            let t = p.thread.as_ref().unwrap();
            let mut seen = vec![
                p.title.clone(),
                p.slug.clone(),
                p.path.clone(),
                p.description.clone().unwrap_or_default(),
                p.tags.join(" "),
                p.body.markdown.clone(),
                p.body.rendered.html.clone(),
                p.full_text(),
            ];
            for a in &t.answers {
                seen.extend(a.title.clone());
                seen.push(a.body.markdown.clone());
                seen.push(a.body.rendered.html.clone());
                seen.extend(a.replies.iter().map(|r| r.body.markdown.clone()));
            }
            seen.extend(t.summary.as_ref().map(|s| s.markdown.clone()));
            for s in &seen {
                assert!(!s.contains("fox") && !s.contains("狐狸"), "{s}");
            }
            assert_eq!(p.title, "问 匿名成员 一个问题");
            assert_eq!(p.path, "qa/问-匿名成员-一个问题.html");
        }
        let (c, _) = Project::open(root, crate::core::content::Depth::Rendered);
        let p = &c.unwrap().posts[0];
        let a = &p.thread.as_ref().unwrap().answers[0];
        assert_eq!(a.title.as_deref(), Some("回答 匿名成员"));
        let reply = &a.replies[0].body.rendered.html;
        assert!(
            reply.contains("<a href=\"../members/%E9%B2%8D%E5%8B%83.html\""),
            "{reply}"
        );
    }
}
