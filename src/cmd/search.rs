//! `qunshu search`

use qunshu::archive::search::{self, Index};
use qunshu::core::config::{Lang, SiteConfig};
use qunshu::core::i18n::text;
use qunshu::core::kind::Kind;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Search the built archive, exactly as the search box on the site does.
///
/// Finds every post whose title or text contains the query (after folding
/// case and full-width/half-width forms); several words must all match.
/// Reads the index written by `qunshu build` (public/search unless --index).
/// Exits 1 when nothing matches.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// What to look for, e.g. 合伙人, `GPT-4`, `私域 复购`.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Print JSON: {query, total, results: [{url, link, title, kind, column,
    /// date, tags, stage, by, excerpt, highlights}], suggestions}.
    #[arg(long)]
    pub json: bool,
    /// Only this kind: brief, qa or case.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only posts with this tag (repeat to require several).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only this column (its id from site.toml).
    #[arg(long, value_name = "ID")]
    pub column: Option<String>,
    /// Only this stage / cohort.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Show at most this many results (0: all).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// The index folder (default: public/search under --root).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
}

/// Runs `qunshu search`.
pub(crate) fn run(root: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let dir = match &args.index {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => root.join(d),
        None => root.join("public").join(search::DIR),
    };
    let index = Index::open(&dir)?;
    let base_url = SiteConfig::load(root).ok().map(|c| c.base_url);
    let lang = Lang::parse(&index.lang).unwrap_or(Lang::ZhCn);
    let mut filters: Vec<(String, String)> = Vec::new();
    if let Some(k) = &args.kind {
        let kind = Kind::parse(k).ok_or_else(|| {
            anyhow::anyhow!("--kind: `{k}` is not a kind (expected brief, qa or case)")
        })?;
        filters.push(("kind".into(), kind.id().into()));
    }
    if let Some(c) = &args.column {
        filters.push(("column".into(), c.clone()));
    }
    for t in &args.tag {
        filters.push(("tag".into(), t.clone()));
    }
    if let Some(s) = &args.stage {
        filters.push(("stage".into(), s.clone()));
    }
    let query = args.query.join(" ");
    let hits = index.search(&query, &filters)?;
    let shown = if args.limit == 0 {
        hits.len()
    } else {
        args.limit.min(hits.len())
    };
    let ui = search::index::ui_strings(lang);
    let s = |k: &str| ui[k].as_str().unwrap_or_default().to_string();
    let mut results = Vec::with_capacity(shown);
    for h in &hits[..shown] {
        let meta = index.doc(h.doc)?;
        let ex = index.excerpt(h, &meta, &query)?;
        results.push((meta, ex));
    }
    let suggestions = if hits.is_empty() {
        index.suggest(&query)?
    } else {
        Vec::new()
    };
    let mut text = String::new();
    if args.json {
        let list: Vec<serde_json::Value> = results
            .iter()
            .map(|(m, ex)| {
                serde_json::json!({
                    "url": m.u,
                    "link": base_url.as_ref().map(|b| format!("{b}{}", m.u)),
                    "title": m.t,
                    "kind": m.k,
                    "column": m.c,
                    "date": m.d,
                    "tags": m.g,
                    "stage": m.s,
                    "by": m.b,
                    "excerpt": ex.text,
                    "highlights": ex.highlights,
                })
            })
            .collect();
        let out = serde_json::json!({
            "query": query,
            "total": hits.len(),
            "results": list,
            "suggestions": suggestions,
        });
        let _ = writeln!(text, "{}", serde_json::to_string_pretty(&out)?);
    } else {
        let color = std::io::stdout().is_terminal();
        if hits.is_empty() {
            let _ = writeln!(text, "{}", s("none").replace("{q}", &query));
            if !suggestions.is_empty() {
                let _ = writeln!(text, "{}{}", s("suggest"), suggestions.join(" / "));
            }
        } else {
            let _ = writeln!(
                text,
                "{}",
                s("results").replace("{n}", &hits.len().to_string())
            );
        }
        for (i, (m, ex)) in results.iter().enumerate() {
            let kind = s(&m.k);
            let mut facts = vec![kind];
            facts.extend(m.d.clone());
            facts.extend(m.g.iter().map(|t| format!("#{t}")));
            let _ = writeln!(text);
            let _ = writeln!(text, "{}. {}  [{}]", i + 1, m.t, facts.join(" · "));
            let _ = writeln!(text, "   {}{}", base_url.as_deref().unwrap_or(""), m.u);
            let _ = writeln!(text, "   {}", mark(&ex.text, &ex.highlights, color));
        }
        if shown < hits.len() {
            let _ = writeln!(text);
            let _ = writeln!(
                text,
                "{}",
                text::search::MORE.fill(lang, &[("n", &(hits.len() - shown))])
            );
        }
    }
    // A closed pipe (`| head`) is not an error worth a message.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    Ok(if hits.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Highlights ranges (code point offsets) with bold colour on a terminal;
/// plain text otherwise, ready to paste into a chat.
fn mark(text: &str, ranges: &[(usize, usize)], color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if ranges.iter().any(|r| r.0 == i) {
            out.push_str("\x1b[1;33m");
        }
        out.push(c);
        if ranges.iter().any(|r| r.1 == i + 1) {
            out.push_str("\x1b[0m");
        }
    }
    out
}
