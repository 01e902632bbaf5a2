//! The lock file that stops two runs (a cron overlap, a second terminal)
//! from sending the same post: `.qunshu/lock`, held with an exclusive
//! advisory lock for as long as a run delivers. The operating system drops
//! the lock when the process ends, even on SIGKILL, so a crash never leaves
//! a stale lock behind.

use fs4::FileExt;
use fs4::TryLockError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A held lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it (its pid, if it wrote one).
    Busy(Option<u32>),
    /// The file could not be opened.
    Io(std::io::Error),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy(Some(pid)) => {
                write!(f, "another qunshu run (process {pid}) is delivering")
            }
            LockError::Busy(None) => write!(f, "another qunshu run is delivering"),
            LockError::Io(e) => write!(f, "cannot open the lock file: {e}"),
        }
    }
}

impl Lock {
    /// Takes the lock in `state_dir` (`.qunshu/`) without waiting.
    pub fn try_acquire(state_dir: &Path) -> Result<Lock, LockError> {
        std::fs::create_dir_all(state_dir).map_err(LockError::Io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(state_dir.join("lock"))
            .map_err(LockError::Io)?;
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut s = String::new();
                let _ = file.read_to_string(&mut s);
                return Err(LockError::Busy(s.trim().parse().ok()));
            }
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = write!(file, "{}", std::process::id());
        let _ = file.sync_data();
        Ok(Lock { _file: file })
    }

    /// True when some process holds the lock right now.
    pub fn is_held(state_dir: &Path) -> bool {
        let Ok(file) = File::open(state_dir.join("lock")) else {
            return false;
        };
        matches!(
            FileExt::try_lock_shared(&file),
            Err(TryLockError::WouldBlock)
        )
    }
}
