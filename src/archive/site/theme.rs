//! Themes: Tera templates and static files.
//!
//! The built-in `default` theme is compiled into the binary, so a new site
//! builds without copying anything. A theme folder `themes/NAME/` at the
//! site root (with `templates/` and `static/`) is layered over it, and a
//! site's own `templates/` folder overrides single templates on top of that
//! — the way Zola lets a site override one template of its theme.

use anyhow::{anyhow, bail, Context as _};
use std::path::{Path, PathBuf};
use tera::Tera;
use walkdir::WalkDir;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../themes/default/templates/", $name)))),*]
    };
}

/// The default theme's templates, compiled in.
pub(crate) const DEFAULT_TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "macros.html",
    "card.html",
    "index.html",
    "post.html",
    "thread.html",
    "list.html",
    "terms.html",
    "members.html",
    "member.html",
    "404.html",
);

/// The default theme's static files, compiled in (path under `static/`, bytes).
pub(crate) const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../../themes/default/static/style.css"),
    ),
    (
        "search.css",
        include_bytes!("../../../themes/default/static/search.css"),
    ),
    (
        "search.js",
        include_bytes!("../../../themes/default/static/search.js"),
    ),
];

/// A loaded theme: templates ready to render and the static files to copy.
pub struct Theme {
    /// The compiled templates.
    pub tera: Tera,
    /// Static files: output path (relative) → source.
    pub statics: Vec<(String, StaticSource)>,
}

/// Where a static file comes from.
pub enum StaticSource {
    /// Compiled into the binary.
    Embedded(&'static [u8]),
    /// A file on disk.
    File(PathBuf),
}

/// The files under `dir` (relative path, file), sorted, hidden ones left
/// out. A link is followed only when it resolves inside the site `root`;
/// one that leads outside or nowhere, a folder that cannot be read, and a
/// pipe or socket are errors naming the path (never silently skipped).
fn read_dir_files(root: &Path, dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let canon_root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot resolve the site root {}", root.display()))?;
    let mut v: Vec<(String, PathBuf)> = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for e in walker {
        let e = e.map_err(|err| {
            let p = err.path().unwrap_or(dir);
            anyhow!("cannot read the theme file {}: {err}", p.display())
        })?;
        if e.path_is_symlink() {
            if let Some(msg) = crate::core::content::walk::link_problem(&canon_root, e.path()) {
                bail!("{} {msg}", e.path().display());
            }
        }
        if e.file_type().is_dir() {
            continue;
        }
        if !e.file_type().is_file() {
            bail!(
                "{} is neither a file nor a folder (a pipe, socket or device); remove it from the theme",
                e.path().display()
            );
        }
        let rel = crate::core::slug::to_slash(
            e.path().strip_prefix(dir).map_err(|err| anyhow!("{err}"))?,
        );
        v.push((rel, e.path().to_path_buf()));
    }
    v.sort();
    Ok(v)
}

impl Theme {
    /// Loads theme `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> anyhow::Result<Theme> {
        let theme_dir = root.join("themes").join(name);
        if name != "default" && !theme_dir.is_dir() {
            return Err(anyhow!(
                "site.toml names the theme `{name}`, but there is no folder {} (use `theme = \"default\"` or create the folder)",
                theme_dir.display()
            ));
        }
        let mut templates: Vec<(String, String)> = DEFAULT_TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut layer = |dir: &Path| -> anyhow::Result<()> {
            for (rel, path) in read_dir_files(root, dir)? {
                if !rel.ends_with(".html") && !rel.ends_with(".xml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the template {}", path.display()))?;
                match templates.iter_mut().find(|(n, _)| *n == rel) {
                    Some(slot) => slot.1 = text,
                    None => templates.push((rel, text)),
                }
            }
            Ok(())
        };
        layer(&theme_dir.join("templates"))?;
        layer(&root.join("templates"))?;

        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|e| anyhow!("a template has an error: {}", tera_error(&e)))?;

        let mut statics: Vec<(String, StaticSource)> = DEFAULT_STATIC
            .iter()
            .map(|(n, b)| (n.to_string(), StaticSource::Embedded(b)))
            .collect();
        for dir in [theme_dir.join("static"), root.join("static")] {
            for (rel, path) in read_dir_files(root, &dir)? {
                statics.retain(|(n, _)| *n != rel);
                statics.push((rel, StaticSource::File(path)));
            }
        }
        Ok(Theme { tera, statics })
    }
}

/// Escapes text for HTML element content and quoted attribute values.
/// (Tera's default also escapes `/`, which turns every relative link into
/// `..&#x2F;style.css`: valid, but unreadable and slower.)
pub(crate) fn escape_html(s: &str) -> String {
    crate::core::markdown::escape(s, crate::core::markdown::Markup::Html)
}

/// Tera's error with its chain of causes, which hold the useful part.
pub(crate) fn tera_error(e: &tera::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
