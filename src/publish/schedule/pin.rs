//! `qunshu schedule --pin`: writes planned times into queued posts' front
//! matter, so the plan can be frozen and committed.
//!
//! Only the `publish_at` line changes (or one is inserted just before the
//! closing `---` when there is none); every other byte of the file stays as
//! it was, including its line ends. Each file is written atomically: a
//! temporary file in the same folder, then a rename.

use crate::core::content::frontmatter;
use crate::core::time;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::path::Path;

/// How a planned instant is written into front matter: local
/// `YYYY-MM-DD HH:MM` in the site's zone, or RFC 3339 with its offset when
/// the local form would not read back as the same instant (seconds, or the
/// second pass of a fall-back hour).
pub fn front_matter_time(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let short = local.format("%Y-%m-%d %H:%M").to_string();
    if time::parse_datetime(&short, tz).ok() == Some(at) {
        short
    } else {
        local.to_rfc3339()
    }
}

/// Returns `text` with its front matter's `publish_at` set to `value`,
/// changing nothing else. Fails with a plain message when the file has no
/// front matter.
pub fn set_publish_at(text: &str, value: &str) -> Result<String, String> {
    let split = frontmatter::split(text).map_err(|(_, m)| m)?;
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml_end = yaml_start + split.yaml.len();
    let eol = if text[..yaml_start].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let new_line = format!("publish_at: {value}");
    let mut pos = yaml_start;
    while pos < yaml_end {
        let end = text[pos..yaml_end]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(yaml_end);
        let line = &text[pos..end];
        let is_key = line
            .strip_prefix("publish_at")
            .is_some_and(|r| r.trim_start().starts_with(':'));
        if is_key {
            let content_end = if line.ends_with('\r') { end - 1 } else { end };
            return Ok(format!(
                "{}{new_line}{}",
                &text[..pos],
                &text[content_end..]
            ));
        }
        pos = end + 1;
    }
    Ok(format!(
        "{}{new_line}{eol}{}",
        &text[..yaml_end],
        &text[yaml_end..]
    ))
}

/// Writes `contents` to `path` atomically, keeping the file's permissions
/// (see [`crate::core::atomic`]).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    crate::core::atomic::write(path, contents, crate::core::atomic::Replace::Yes)
}

/// Pins one post: rewrites `root/source` with `publish_at` set to `at`.
pub fn pin_file(root: &Path, source: &Path, at: DateTime<Utc>, tz: Tz) -> Result<String, String> {
    let path = root.join(source);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read the file: {e}", source.display()))?;
    let value = front_matter_time(at, tz);
    let new = set_publish_at(&text, &value).map_err(|m| format!("{}: {m}", source.display()))?;
    write_atomic(&path, new.as_bytes())
        .map_err(|e| format!("{}: cannot write the file: {e}", source.display()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_line() {
        let t = "---\r\ntitle: x\r\npublish_at:\r\ntags: [a]\r\n---\r\nbody\r\n";
        assert_eq!(
            set_publish_at(t, "2026-11-24 08:00").unwrap(),
            "---\r\ntitle: x\r\npublish_at: 2026-11-24 08:00\r\ntags: [a]\r\n---\r\nbody\r\n"
        );
    }

    #[test]
    fn inserts_before_closing_line() {
        let t = "---\ntitle: x\npublish_atx: 1\n---\nbody\n";
        assert_eq!(
            set_publish_at(t, "2026-11-24 08:00").unwrap(),
            "---\ntitle: x\npublish_atx: 1\npublish_at: 2026-11-24 08:00\n---\nbody\n"
        );
    }
}
