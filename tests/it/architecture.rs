//! The shape of the code, checked: layers import only downwards and no
//! modules import each other in a loop.
//!
//! Layers (see README, "How the code is organised"):
//!
//! 0. `core` — config, content, members, ledger, project, markdown, i18n and
//!    the leaves (diag, time, slug, kind, atomic).
//! 1. `publish`, `archive`, `book` — siblings: none imports another.
//! 2. `tools`.
//! 3. the binary (`main.rs`, `cmd/`), which reaches the library as `qunshu::`.
//!
//! Every `crate::…` path in the library's code (imports and paths written
//! inline alike, comments excluded) is an edge from the file's *unit* (the
//! second level: `core::config`, `publish::deliver`, `book`) to the unit it
//! names. The test fails on an edge that goes up a layer, across siblings, or
//! out of `core::config` to anything but the leaves, and on any cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The units `core::config` may import: leaves that import nothing of ours
/// above them. Every `site.toml` section is validated inside `config`.
const CONFIG_MAY_IMPORT: &[&str] = &["core::diag", "core::time", "core::kind", "core::i18n"];

fn layer(unit: &str) -> Option<u8> {
    match unit.split("::").next()? {
        "core" => Some(0),
        "publish" | "archive" | "book" => Some(1),
        "tools" => Some(2),
        _ => None,
    }
}

/// The unit a module path belongs to: `core::config::rota` → `core::config`,
/// `book::epub` → `book`.
fn unit_of(path: &[&str]) -> String {
    match path {
        [] => String::new(),
        [top] => (*top).to_string(),
        [top, ..] if *top == "book" => "book".to_string(),
        [top, second, ..] => format!("{top}::{second}"),
    }
}

/// The module path of a source file: `src/core/config/rota.rs` →
/// `["core", "config", "rota"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every `crate::a::b` path in `text`, outside `//` comments.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            let after = &rest[i + "crate::".len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let path: Vec<String> = after
                .split("::")
                .map(|seg| {
                    seg.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_lowercase() || c == '_' || c.is_ascii_digit())
                })
                .collect();
            if !path.is_empty() {
                out.push(path);
            }
        }
    }
    out
}

/// Edges between units, each with one place that makes it.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn graph_of(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for entry in walk(src) {
        let rel = entry.strip_prefix(src).expect("under src");
        if rel == Path::new("main.rs") || rel.starts_with("cmd") || rel == Path::new("lib.rs") {
            continue;
        }
        let module = module_of(src, &entry);
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        let from = unit_of(&module);
        let text = std::fs::read_to_string(&entry).expect("readable source");
        for path in crate_paths(&text) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let to = unit_of(&path);
            if to != from && layer(&to).is_some() {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| rel.display().to_string());
            }
        }
    }
    graph
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every broken rule, in words.
fn violations(graph: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (from, tos) in graph {
        for (to, at) in tos {
            let (Some(lf), Some(lt)) = (layer(from), layer(to)) else {
                continue;
            };
            let top = |u: &str| u.split("::").next().unwrap_or("").to_string();
            if lt > lf {
                out.push(format!("{at}: `{from}` imports `{to}`, a higher layer"));
            } else if lt == lf && lf == 1 && top(from) != top(to) {
                out.push(format!(
                    "{at}: `{from}` imports `{to}`; publish, archive and book are siblings that meet only in core"
                ));
            } else if from == "core::config" && !CONFIG_MAY_IMPORT.contains(&to.as_str()) {
                out.push(format!(
                    "{at}: `core::config` imports `{to}`; config may use only {CONFIG_MAY_IMPORT:?}"
                ));
            }
        }
    }
    out.extend(cycles(graph));
    out
}

/// Cycles, found as strongly connected groups of more than one unit
/// (Tarjan's algorithm on the small unit graph).
fn cycles(graph: &Graph) -> Vec<String> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        groups: Vec<Vec<&'g str>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        if let Some(tos) = graph.get(v) {
            for w in tos.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w);
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.groups.push(group);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        groups: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.groups
        .iter()
        .map(|g| {
            let edges: Vec<String> = g
                .iter()
                .flat_map(|from| {
                    graph[*from]
                        .iter()
                        .filter(|(to, _)| g.contains(&to.as_str()))
                        .map(move |(to, at)| format!("{from} → {to} ({at})"))
                })
                .collect();
            format!("cycle between {}: {}", g.join(", "), edges.join("; "))
        })
        .collect()
}

#[test]
fn layers_import_only_downwards_and_nothing_imports_in_a_loop() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph_of(&src);
    assert!(
        graph.contains_key("core::content") && graph.contains_key("publish::deliver"),
        "the scan found the library's units: {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let problems = violations(&graph);
    assert!(
        problems.is_empty(),
        "the layout is broken:\n{}",
        problems.join("\n")
    );
}

/// The rules catch the cycle `main` had before the redesign: `config` held
/// the Raw types of channels, events, rota and books in their feature
/// modules, and each of those imported `config` back.
#[test]
fn the_old_config_cycle_would_fail() {
    let old = [
        ("core::config", "publish::deliver", "src/config.rs"),
        ("core::config", "publish::schedule", "src/config.rs"),
        ("core::config", "book", "src/config.rs"),
        ("core::config", "core::content", "src/config.rs"),
        (
            "publish::deliver",
            "core::config",
            "src/deliver/channels.rs",
        ),
        (
            "publish::schedule",
            "core::config",
            "src/schedule/events.rs",
        ),
        ("book", "core::config", "src/book/config.rs"),
        ("core::content", "core::config", "src/content/mod.rs"),
        ("core::content", "publish::deliver", "src/content/mod.rs"),
    ];
    let mut graph = Graph::new();
    for (from, to, at) in old {
        graph
            .entry(from.to_string())
            .or_default()
            .insert(to.to_string(), at.to_string());
    }
    let problems = violations(&graph);
    let text = problems.join("\n");
    assert!(
        text.contains("`core::config` imports `publish::deliver`, a higher layer"),
        "{text}"
    );
    assert!(
        text.contains("`core::content` imports `publish::deliver`, a higher layer"),
        "{text}"
    );
    assert!(text.contains("config may use only"), "{text}");
    assert!(text.contains("cycle between book, core::config"), "{text}");
}

#[test]
fn paths_are_read_from_code_not_comments() {
    let text = "use crate::core::diag::Diagnostic; // crate::book::x\n\
                let x = crate::archive::search::DIR; my_crate::tools::y;\n\
                /// see [`crate::publish::deliver`]\n";
    let paths = crate_paths(text);
    let units: Vec<String> = paths
        .iter()
        .map(|p| unit_of(&p.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    assert_eq!(units, ["core::diag", "archive::search"]);
}
