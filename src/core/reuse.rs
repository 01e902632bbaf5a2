//! Writing a file of a build's output, reusing the previous build's copy
//! when its bytes have not changed.
//!
//! `qunshu build` writes a whole new output folder and swaps it in (a
//! failed build leaves the old one as it was). Most rebuilds change a few
//! pages of thousands, yet writing every file anew costs a new inode and
//! its data for each, and removing the old folder then frees as many
//! again. So when the previous output holds a regular file with exactly
//! the new bytes, the new folder gets a hard link to it instead (as
//! `rsync --link-dest` does): nothing is written, the old folder's removal
//! frees nothing, and an unchanged file keeps its modification time, so
//! deploy and sync tools skip it.
//!
//! The old file is only ever read, never opened for writing: a file the
//! new output shares with the old one is identical to what the build would
//! have written, and a link, a folder or anything else that is not a
//! regular file in the old output is never reused, nor is a file whose
//! mode was changed by hand (unreadable to others, or executable).
//!
//! A leaf of `core`: imports nothing of ours.

use std::io::{Read, Write};
use std::path::Path;

/// Writes `bytes` to the new file `path`, or links `previous` there when it
/// is a regular file holding exactly `bytes`. Returns whether the previous
/// file was reused.
///
/// Whatever is at `path` already is replaced, never written through: it
/// may be a link to the previous output's file, which must stay as it was.
pub fn write(previous: Option<&Path>, path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if let Some(prev) = previous {
        if holds(prev, bytes) {
            match std::fs::hard_link(prev, path) {
                Ok(()) => return Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    std::fs::remove_file(path)?;
                    if std::fs::hard_link(prev, path).is_ok() {
                        return Ok(true);
                    }
                }
                // Another file system, or links not allowed: write it.
                Err(_) => {}
            }
        }
    }
    let new = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut f = match new() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            new()?
        }
        f => f?,
    };
    f.write_all(bytes)?;
    Ok(false)
}

/// Whether `path` is a regular file (not a link to one), readable by all
/// and not executable, holding exactly `bytes`.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    // A file whose mode was changed by hand (unreadable to a web server,
    // executable) would pass that mode on: it is written anew instead.
    // (Under a umask that leaves out others' read, nothing is reused:
    // slower, never wrong.)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o444 != 0o444 || mode & 0o7111 != 0 {
            return false;
        }
    }
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    // Compared piece by piece: no copy of a large file is kept.
    let mut buf = [0u8; 16 * 1024];
    let mut rest = bytes;
    loop {
        match f.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_only_an_identical_regular_file() {
        let t = tempfile::tempdir().unwrap();
        let old = t.path().join("old.html");
        std::fs::write(&old, "同样的内容").unwrap();
        // Identical: linked.
        let a = t.path().join("a.html");
        assert!(write(Some(&old), &a, "同样的内容".as_bytes()).unwrap());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "同样的内容");
        // Same length, other bytes; longer; shorter; no previous file.
        for (name, text) in [
            ("b", "同样的内容".replace('容', "存")),
            ("c", "同样的内容。".to_string()),
            ("d", "同样".to_string()),
        ] {
            let p = t.path().join(name);
            assert!(!write(Some(&old), &p, text.as_bytes()).unwrap(), "{name}");
            assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
        }
        let e = t.path().join("e");
        assert!(!write(Some(&t.path().join("gone")), &e, b"x").unwrap());
        assert!(!write(None, &t.path().join("f"), b"x").unwrap());
        // A folder is not a file.
        assert!(!write(Some(t.path()), &t.path().join("g"), b"").unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn never_reuses_a_link() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("outside.txt");
        std::fs::write(&target, "secret").unwrap();
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let p = t.path().join("new");
        assert!(!write(Some(&link), &p, b"secret").unwrap());
        assert!(std::fs::symlink_metadata(&p).unwrap().file_type().is_file());
    }

    #[test]
    fn a_second_write_replaces_a_reused_file_and_leaves_the_old_one_alone() {
        let t = tempfile::tempdir().unwrap();
        let old = t.path().join("old");
        std::fs::write(&old, "旧").unwrap();
        let p = t.path().join("new");
        assert!(write(Some(&old), &p, "旧".as_bytes()).unwrap());
        // The same path again, other bytes: a new file, not the old one's.
        assert!(!write(Some(&old), &p, "新".as_bytes()).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "新");
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "旧");
        // And once more with the old bytes: linked again.
        assert!(write(Some(&old), &p, "旧".as_bytes()).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "旧");
    }

    #[cfg(unix)]
    #[test]
    fn never_reuses_a_file_whose_mode_was_changed() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        for (i, mode) in [0o000, 0o600, 0o640, 0o755, 0o4644].into_iter().enumerate() {
            let old = t.path().join(format!("old{i}"));
            std::fs::write(&old, "页").unwrap();
            std::fs::set_permissions(&old, std::fs::Permissions::from_mode(mode)).unwrap();
            let p = t.path().join(format!("new{i}"));
            assert!(!write(Some(&old), &p, "页".as_bytes()).unwrap(), "{mode:o}");
            assert_eq!(std::fs::read_to_string(&p).unwrap(), "页");
        }
        let old = t.path().join("plain");
        std::fs::write(&old, "页").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(write(Some(&old), &t.path().join("b"), "页".as_bytes()).unwrap());
    }

    #[test]
    fn compares_files_larger_than_the_buffer() {
        let t = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let old = t.path().join("old");
        std::fs::write(&old, &big).unwrap();
        assert!(write(Some(&old), &t.path().join("a"), &big).unwrap());
        let mut other = big.clone();
        other[90_000] ^= 1;
        assert!(!write(Some(&old), &t.path().join("b"), &other).unwrap());
    }
}
