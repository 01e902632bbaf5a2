//! Writing one file atomically: the one way qunshu writes a file that a
//! person keeps (a calendar, a book, an outbox message, a new post, a
//! schema, a pinned front matter).
//!
//! The bytes go to a temporary file in the same folder, are flushed to disk,
//! and the file is renamed over the target, so a reader never sees half a
//! file and a crash leaves the old one. A temporary file is private (mode
//! 0600); the finished file gets the mode a new file normally has (0644), or
//! keeps the mode of the file it replaces, so a calendar or a book can be
//! shared from the folder it was written to.
//!
//! A leaf of `core`: imports nothing of ours.

use std::io::Write;
use std::path::Path;

/// Whether an existing file may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Replace the file if it exists, keeping its permissions.
    Yes,
    /// Fail with [`std::io::ErrorKind::AlreadyExists`] if it exists.
    No,
}

/// Writes `bytes` to `path` atomically (see the module docs).
pub fn write(path: &Path, bytes: &[u8], replace: Replace) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".qunshu-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    persist(tmp, path, replace)
}

/// Gives a finished temporary file (written in the target's folder) the
/// mode of a new file — or of the file it replaces — and renames it to
/// `path`.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path, replace: Replace) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m.permissions(),
            _ => std::fs::Permissions::from_mode(0o644),
        };
        tmp.as_file().set_permissions(perms)?;
    }
    match replace {
        Replace::Yes => tmp.persist(path).map(drop).map_err(|e| e.error),
        Replace::No => tmp.persist_noclobber(path).map(drop).map_err(|e| e.error),
    }?;
    if let Ok(d) = std::fs::File::open(path.parent().unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_files_are_0644_and_replaced_files_keep_their_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.txt");
        write(&p, b"one", Replace::Yes).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        write(&p, b"two", Replace::Yes).unwrap();
        assert_eq!(mode(&p), 0o600);
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let e = write(&p, b"three", Replace::No).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
