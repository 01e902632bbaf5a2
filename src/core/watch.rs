//! Watching the site's files: what to watch, and what a changed path means.
//! `qunshu serve` re-renders on a [`Change`]; `qunshu run` looks at its
//! plan again.
//!
//! Only the folders the site is made from are watched (`content/`,
//! `themes/`, `templates/`, `static/`, and the root itself for
//! `site.toml`), never the root recursively: the root of a repository also
//! holds `target/`, `public/` and `.git/`, whose churn must not cause
//! rebuilds. Events are debounced (notify-debouncer-full), so an editor's
//! write-temp-then-rename save is one change; reads (access events, which
//! the preview's own reloads cause) are ignored.
//!
//! Owns: the file watcher. Must not import: anything above `core`.

use crate::core::config::CONFIG_FILE;
use crate::core::content::CONTENT_DIR;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// What changed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `site.toml`, the members file or the theme: render everything.
    Full,
    /// Files or folders under `content/` (relative to the root).
    Content(BTreeSet<PathBuf>),
}

/// How long the debouncer waits for a burst of events to end.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(20);

/// Folders whose changes mean "render everything".
const FULL_DIRS: [&str; 3] = ["themes", "templates", "static"];

/// A running watcher; dropping it stops watching.
pub(crate) struct Watcher {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    /// Debounced batches of events.
    pub events: Receiver<DebounceEventResult>,
    root: PathBuf,
    members_file: PathBuf,
}

impl Watcher {
    /// Starts watching the site at `root` (an absolute path); `members_file`
    /// is relative to the root.
    pub(crate) fn start(root: &Path, members_file: &Path) -> anyhow::Result<Watcher> {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut debouncer = new_debouncer(DEBOUNCE, Some(DEBOUNCE / 4), tx)
            .map_err(|e| anyhow::anyhow!("cannot watch files: {e}"))?;
        let w = &mut debouncer;
        w.watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", root.display()))?;
        for d in std::iter::once(CONTENT_DIR).chain(FULL_DIRS) {
            let dir = root.join(d);
            if dir.is_dir() {
                w.watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", dir.display()))?;
            }
        }
        if !members_file.starts_with(CONTENT_DIR) {
            if let Some(parent) = root.join(members_file).parent() {
                if parent.is_dir() && parent != root {
                    let _ = w.watch(parent, RecursiveMode::NonRecursive);
                }
            }
        }
        Ok(Watcher {
            _debouncer: debouncer,
            events: rx,
            root: root.to_path_buf(),
            members_file: members_file.to_path_buf(),
        })
    }

    /// What a batch of changed paths (absolute) means, or `None` when
    /// none of them matters.
    pub(crate) fn classify(&self, paths: &[PathBuf]) -> Option<Change> {
        classify(&self.root, &self.members_file, paths)
    }

    /// The paths a batch of events changed (reads and other access events left out).
    pub(crate) fn changed_paths(batch: DebounceEventResult) -> Result<Vec<PathBuf>, String> {
        match batch {
            Ok(events) => Ok(events
                .into_iter()
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths)
                .collect()),
            Err(errs) => Err(errs
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")),
        }
    }
}

/// What a batch of changed paths (absolute, under `root`) means: `Full`
/// for `site.toml`, the members file and theme folders; `Content` for other
/// paths under `content/`; `None` when nothing relevant changed.
pub(crate) fn classify(root: &Path, members_file: &Path, paths: &[PathBuf]) -> Option<Change> {
    let mut content = BTreeSet::new();
    for p in paths {
        let Ok(rel) = p.strip_prefix(root) else {
            continue;
        };
        if rel == Path::new(CONFIG_FILE) || rel == members_file {
            return Some(Change::Full);
        }
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        if FULL_DIRS.contains(&first.as_str()) {
            return Some(Change::Full);
        }
        if first == CONTENT_DIR && rel != Path::new(CONTENT_DIR) {
            content.insert(rel.to_path_buf());
        }
    }
    if content.is_empty() {
        None
    } else {
        Some(Change::Content(content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        let root = Path::new("/s");
        let m = Path::new("content/members.yaml");
        let c = |v: &[&str]| classify(root, m, &v.iter().map(PathBuf::from).collect::<Vec<_>>());
        assert_eq!(c(&["/s/site.toml"]), Some(Change::Full));
        assert_eq!(c(&["/s/content/members.yaml"]), Some(Change::Full));
        assert_eq!(
            c(&["/s/themes/default/templates/post.html"]),
            Some(Change::Full)
        );
        assert_eq!(c(&["/s/public/index.html", "/s/target/x"]), None);
        assert_eq!(
            c(&["/s/content/qa/a.md"]),
            Some(Change::Content([PathBuf::from("content/qa/a.md")].into()))
        );
    }
}
