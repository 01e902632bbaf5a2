//! Pictures drawn from text: an SVG made by the caller, rendered to PNG by
//! `resvg` with the system's fonts (Noto Sans/Serif CJK for Chinese), and
//! the line breaking such drawings need. Used by the archive's share cards
//! and the book's generated cover.
//!
//! A leaf: imports nothing of the crate.

use anyhow::Context as _;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// Escapes text for an SVG (XML) text node or attribute value.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Width of `c` in ems, roughly (CJK and other wide characters 1, the rest about half).
fn em(c: char) -> f32 {
    if c.is_ascii() {
        if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
            0.68
        } else {
            0.52
        }
    } else if (c as u32) < 0x1100 {
        0.6
    } else {
        1.0
    }
}

/// Breaks `text` into at most `max_lines` lines of about `width` ems: at
/// spaces between Latin words, anywhere between CJK characters; a cut
/// text ends with `…`.
pub fn wrap(text: &str, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    // Units that stay together: a run of ASCII letters/digits, or one character.
    let mut units: Vec<String> = Vec::new();
    for c in text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        match units.last_mut() {
            Some(u)
                if c.is_ascii_alphanumeric() && u.chars().all(|x| x.is_ascii_alphanumeric()) =>
            {
                u.push(c)
            }
            _ => units.push(c.to_string()),
        }
    }
    let mut cut = false;
    for u in units {
        let uw: f32 = u.chars().map(em).sum();
        if w + uw > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            w = 0.0;
            if lines.len() == max_lines {
                cut = true;
                break;
            }
            if u == " " {
                continue;
            }
        }
        line.push_str(&u);
        w += uw;
    }
    if !cut && !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    if cut {
        if let Some(last) = lines.last_mut() {
            let mut chars: Vec<char> = last.chars().collect();
            while chars.iter().map(|&c| em(c)).sum::<f32>() + 1.0 > width && !chars.is_empty() {
                chars.pop();
            }
            *last = chars.into_iter().collect::<String>() + "…";
        }
    }
    lines
}

/// The system's fonts, loaded once (only when something must be drawn).
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        db.set_sans_serif_family("Noto Sans CJK SC");
        db.set_serif_family("Noto Serif CJK SC");
        if !db
            .faces()
            .any(|f| f.families.iter().any(|(n, _)| n.contains("CJK")))
        {
            eprintln!("warning: no Noto CJK font found; drawn pictures (share cards, the book's cover) may not show Chinese (install fonts-noto-cjk)");
        }
        Arc::new(db)
    })
    .clone()
}

/// Draws `svg` as a PNG of `width` × `height` pixels.
pub fn png(svg: &str, width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let opt = usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).context("reading the SVG")?;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| anyhow::anyhow!("cannot allocate a {width}×{height} picture"))?;
    let size = tree.size();
    let t = tiny_skia::Transform::from_scale(
        width as f32 / size.width(),
        height as f32 / size.height(),
    );
    resvg::render(&tree, t, &mut pixmap.as_mut());
    pixmap.encode_png().context("encoding a PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_chinese_and_latin() {
        let l = wrap("早期团队的合伙人股权应该怎么分配才算公平", 8.0, 3);
        assert_eq!(l, vec!["早期团队的合伙人", "股权应该怎么分配", "才算公平"]);
        let l = wrap("How to split equity between founders", 10.0, 5);
        assert!(l.iter().all(|x| !x.starts_with(' ')));
        assert_eq!(l.join(" "), "How to split equity between founders");
        let l = wrap(&"长".repeat(100), 10.0, 2);
        assert_eq!(l.len(), 2);
        assert!(l[1].ends_with('…'));
    }
}
