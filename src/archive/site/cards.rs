//! Share cards: the Open Graph / Twitter tags of every page and a PNG card
//! per post (title, column, community name in the theme's colours),
//! rendered from SVG by [`crate::core::draw`] (resvg and the system's
//! fonts: Noto Sans CJK for Chinese).
//!
//! Cards are cached under `.qunshu/cache/cards/`, named by the SHA-256 of
//! their SVG: a build renders only the cards whose text or colours changed
//! and links the rest into the output (`cards/<post path>.png`).

use super::{output::Extra, Site};
use crate::core::config::Lang;
use crate::core::content::Post;
use crate::core::draw::{self, escape, wrap};
use crate::core::slug::encode_path;
use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Card size in pixels (the size Open Graph and Twitter recommend).
pub const WIDTH: u32 = 1200;
/// Card height in pixels.
pub const HEIGHT: u32 = 630;

/// Bump when the drawing changes, so cached cards are redrawn.
const DRAWING: &str = "card-v1";

/// The cache folder under the site root.
pub const CACHE_DIR: &str = ".qunshu/cache/cards";

/// A post's card, relative to the site root (unencoded).
pub fn card_path(p: &Post) -> String {
    let stem = p.path.strip_suffix(".html").unwrap_or(&p.path);
    format!("cards/{stem}.png")
}

/// The share tags' data for the page at `path`, for templates (`share`).
#[derive(Debug, Clone, Serialize)]
pub struct ShareTags {
    /// Absolute URL of the page.
    pub url: String,
    /// `zh_CN` or `en_US`.
    pub locale: &'static str,
    /// Absolute URL of the site-wide image, if any.
    pub image: Option<String>,
    /// Whether posts have their own cards.
    pub cards: bool,
}

/// The `share` template variable of the page at `path`.
pub fn tags(site: &Site<'_>, path: &str) -> ShareTags {
    let cfg = &site.community.config;
    let url = format!("{}{}", cfg.base_url, encode_path(path));
    let url = url
        .strip_suffix("index.html")
        .filter(|_| path == "index.html" || path.ends_with("/index.html"))
        .map(str::to_string)
        .unwrap_or(url);
    ShareTags {
        url,
        locale: match cfg.language {
            Lang::En => "en_US",
            _ => "zh_CN",
        },
        image: cfg.share.image.as_ref().map(|i| {
            if i.starts_with("https://") || i.starts_with("http://") {
                i.clone()
            } else {
                format!("{}{}", cfg.base_url, encode_path(i))
            }
        }),
        cards: !cfg.share.no_cards,
    }
}

/// The theme colours a card uses.
struct Colours {
    bg: String,
    fg: String,
    muted: String,
    accent: String,
}

/// The first value of `--name` in the theme's `style.css`, if a colour.
fn css_var(css: &str, name: &str) -> Option<String> {
    let at = css.find(&format!("--{name}:"))? + name.len() + 3;
    let v = css[at..].split(';').next()?.trim();
    let hex = v.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| v.into())
}

fn colours(site: &Site<'_>) -> Colours {
    let css = site
        .theme
        .statics
        .iter()
        .find(|(rel, _)| rel == "style.css")
        .and_then(|(_, src)| match src {
            super::theme::StaticSource::Embedded(b) => Some(String::from_utf8_lossy(b).to_string()),
            super::theme::StaticSource::File(p) => std::fs::read_to_string(p).ok(),
        })
        .unwrap_or_default();
    let get = |n: &str, d: &str| css_var(&css, n).unwrap_or_else(|| d.to_string());
    Colours {
        bg: get("bg", "#fbfaf7"),
        fg: get("fg", "#1f2328"),
        muted: get("muted", "#646d76"),
        accent: get("accent", "#b4442e"),
    }
}

/// The SVG of a post's card.
fn svg(title: &str, column: &str, community: &str, kind: &str, c: &Colours) -> String {
    let size = if title.chars().count() > 40 {
        56.0
    } else {
        68.0
    };
    let lines = wrap(title, 1010.0 / size, 4);
    let top = 310.0 + size * 0.35 - (lines.len() as f32 - 1.0) * size * 0.65;
    let mut t = String::new();
    for (k, l) in lines.iter().enumerate() {
        t.push_str(&format!(
            "<text x=\"96\" y=\"{:.0}\" font-size=\"{size}\" font-weight=\"700\" fill=\"{}\">{}</text>\n",
            top + k as f32 * size * 1.3,
            c.fg,
            escape(l)
        ));
    }
    let column = wrap(column, 700.0 / 34.0, 1).join("");
    let community = wrap(community, 800.0 / 32.0, 1).join("");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"Noto Sans CJK SC, Noto Sans SC, sans-serif\">\n\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"{bg}\"/>\n\
<rect width=\"24\" height=\"{HEIGHT}\" fill=\"{accent}\"/>\n\
<text x=\"96\" y=\"110\" font-size=\"34\" font-weight=\"700\" fill=\"{accent}\">{column}</text>\n\
<text x=\"1104\" y=\"110\" font-size=\"30\" text-anchor=\"end\" fill=\"{muted}\">{kind}</text>\n\
{t}<rect x=\"96\" y=\"500\" width=\"1008\" height=\"2\" fill=\"{muted}\" opacity=\"0.4\"/>\n\
<text x=\"96\" y=\"560\" font-size=\"32\" fill=\"{muted}\">{community}</text>\n</svg>\n",
        bg = c.bg,
        accent = c.accent,
        muted = c.muted,
        column = escape(&column),
        kind = escape(kind),
        community = escape(&community),
    )
}

/// Draws `svg` as a card-sized PNG.
fn render_png(svg: &str) -> anyhow::Result<Vec<u8>> {
    draw::png(svg, WIDTH, HEIGHT).context("drawing a share card")
}

/// The card files of `site`: drawn into the cache under `root` when new,
/// then linked into the output. Cached cards no post uses any more are
/// removed.
pub fn plan(site: &Site<'_>, root: &Path) -> anyhow::Result<Vec<(String, Extra)>> {
    let c = site.community;
    if c.config.share.no_cards {
        return Ok(Vec::new());
    }
    let colours = colours(site);
    let cache = root.join(CACHE_DIR);
    let wanted: Vec<(String, PathBuf, String)> = site
        .order
        .iter()
        .filter_map(|&i| {
            let card = site.cards.get(&i)?;
            let p = &c.posts[i];
            let s = svg(
                &p.title,
                &card.column.name,
                &c.config.title,
                &card.kind_label,
                &colours,
            );
            let mut h = Sha256::new();
            h.update(DRAWING.as_bytes());
            h.update(s.as_bytes());
            let name = format!("{:x}.png", h.finalize());
            Some((card_path(p), cache.join(name), s))
        })
        .collect();
    let missing: Vec<&(String, PathBuf, String)> =
        wanted.iter().filter(|(_, f, _)| !f.exists()).collect();
    if !missing.is_empty() {
        std::fs::create_dir_all(&cache)
            .with_context(|| format!("cannot create {}", cache.display()))?;
        missing.par_iter().try_for_each(|(_, file, s)| {
            let png = render_png(s)?;
            crate::core::atomic::write(file, &png, crate::core::atomic::Replace::Yes)
                .with_context(|| format!("cannot write {}", file.display()))
        })?;
    }
    // Forget cards nothing uses (a retitled post's old card).
    if let Ok(dir) = std::fs::read_dir(&cache) {
        let keep: std::collections::HashSet<&Path> =
            wanted.iter().map(|(_, f, _)| f.as_path()).collect();
        for e in dir.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "png") && !keep.contains(p.as_path()) {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    Ok(wanted
        .into_iter()
        .map(|(rel, file, _)| (rel, Extra::File(file)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_theme_colours() {
        let css = ":root {\n  --fg: #1f2328;\n  --accent: #b4442e;\n  --bad: red;\n}";
        assert_eq!(css_var(css, "accent").as_deref(), Some("#b4442e"));
        assert_eq!(css_var(css, "bad"), None);
        assert_eq!(css_var(css, "none"), None);
    }
}
