//! placeholder
use super::Chat;
use std::path::Path;
/// Reads.
pub fn read(path: &Path, _tz: chrono_tz::Tz) -> anyhow::Result<Vec<Chat>> {
    anyhow::bail!("{}: not yet", path.display())
}
