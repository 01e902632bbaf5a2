//! Search: property tests of the index (every document containing a
//! substring is found, and nothing else), and `qunshu search` on the built
//! demo (results, filters, JSON, errors, privacy of the index files).

use crate::common;

use common::{build_demo_into_temp, qunshu, repo, result_urls as urls};
use proptest::prelude::*;
use qunshu::archive::search::index::{doc_chars, write_docs, Doc, TextCodec};
use qunshu::archive::search::normalize::query_terms;
use qunshu::archive::search::Index;
use qunshu::core::config::Lang;
use qunshu::core::content::IncludeOptions;
use qunshu::core::time::Clock;
use qunshu::Project;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const CLOCK: &str = "2026-11-23 12:00";
const ANONYMOUS: &[&str] = common::DEMO_ANONYMOUS;

/// The documents whose normalised title or text contains every term of `q`.
fn brute_force(docs: &[(String, String)], q: &str) -> Vec<usize> {
    let ts = query_terms(q);
    if ts.is_empty() {
        return Vec::new();
    }
    docs.iter()
        .enumerate()
        .filter(|(_, (title, text))| {
            let (s, _) = doc_chars(title, text);
            ts.iter().all(|t| s.windows(t.len()).any(|w| w == &t[..]))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Builds an index of `docs` (title, text) with urls `d<i>` and returns the
/// result sets of every query, as indexes into `docs`.
fn run_queries(docs: &[(String, String)], queries: &[String]) -> Vec<Vec<usize>> {
    let dir = TempDir::new().unwrap();
    let input: Vec<Doc> = docs
        .iter()
        .enumerate()
        .map(|(i, (title, text))| Doc {
            url: format!("d{i}"),
            title: title.clone(),
            text: text.clone(),
            kind: ["brief", "qa", "case"][i % 3].to_string(),
            column: "c".into(),
            time: (i as i64 * 7919) % 1000,
            ..Doc::default()
        })
        .collect();
    let out = dir.path().join("search");
    write_docs(input, &[], Lang::ZhCn, &out).unwrap();
    let index = Index::open(&out).unwrap();
    queries
        .iter()
        .map(|q| {
            let mut v: Vec<usize> = index
                .search(q, &[])
                .unwrap()
                .iter()
                .map(|h| index.doc(h.doc).unwrap().u[1..].parse::<usize>().unwrap())
                .collect();
            v.sort();
            v
        })
        .collect()
}

/// Text from a small alphabet so that bigrams repeat across documents and
/// candidates often contain every bigram of a query without containing it:
/// the position check is what must get those right.
fn text_strategy(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::sample::select(vec!['合', '伙', '人', '私', '域', '流', '量', '的']),
            2 => proptest::sample::select(vec!['a', 'b', 'G', 'p', 't', '-', '4']),
            1 => proptest::sample::select(vec!['Ａ', 'ｇ', '　', ' ', '\n', '。', 'ﬁ', 'É', 'e', '\u{301}', '①', '\u{200B}']),
        ],
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// For random documents and random substrings of them (and random
    /// strings), search returns exactly the documents that contain them.
    #[test]
    fn finds_every_document_that_contains_the_query(
        docs in proptest::collection::vec((text_strategy(6), text_strategy(120)), 1..25),
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1usize..7), 1..30),
        extra in proptest::collection::vec(text_strategy(5), 0..8),
    ) {
        let mut queries: Vec<String> = Vec::new();
        for (d, start, len) in &picks {
            let (title, text) = &docs[d.index(docs.len())];
            let src: Vec<char> = if start.index(2) == 0 && !title.is_empty() { title.chars().collect() } else { text.chars().collect() };
            if src.is_empty() { continue; }
            let s = start.index(src.len());
            let e = (s + len).min(src.len());
            let q: String = src[s..e].iter().collect();
            // The same as an exact phrase (spaces inside included).
            queries.push(format!("\"{q}\""));
            queries.push(q);
        }
        // Two-term queries and random strings.
        if queries.len() >= 2 {
            queries.push(format!("{} {}", queries[0], queries[1]));
        }
        queries.extend(extra);
        let got = run_queries(&docs, &queries);
        for (q, g) in queries.iter().zip(&got) {
            prop_assert_eq!(g, &brute_force(&docs, q), "query {:?}", q);
        }
    }
}

#[test]
fn long_documents_and_repeats() {
    let long = "合伙人".repeat(500) + "私域流量" + &"的".repeat(700) + "GPT-4o 和 GPT-4";
    let docs = vec![
        (String::from("合伙人协议"), long.clone()),
        (
            String::from("无关"),
            "合伙 伙人 合人 私域 域流 流量".to_string(),
        ),
        (String::from("Ｂ站运营"), "在B站做内容".to_string()),
        (String::new(), "哈哈哈哈".to_string()),
    ];
    let qs: Vec<String> = [
        "合伙人",
        "伙人合",
        "私域流量",
        "域流",
        "gpt-4",
        "ＧＰＴ－４Ｏ",
        "b站",
        "哈哈哈",
        "哈哈哈哈哈",
        "的的的",
        "人私",
        "4o 和",
        "合伙 流量",
        "B站 内容",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got = run_queries(&docs, &qs);
    for (q, g) in qs.iter().zip(&got) {
        assert_eq!(g, &brute_force(&docs, q), "query {q}");
    }
    assert_eq!(got[1], vec![0]);
    assert_eq!(got[3], vec![0, 1]);
    assert_eq!(got[4], vec![0]);
    assert_eq!(got[6], vec![2]);
    assert!(got[8].is_empty());
}

fn search_json(index: &Path, args: &[&str]) -> serde_json::Value {
    let out = qunshu()
        .arg("--root")
        .arg(repo())
        .args(["search", "--json", "--limit", "0", "--index"])
        .arg(index)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap_or(9) <= 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The demo posts the build includes, as (url, title, text).
fn demo_docs() -> Vec<(String, String, String, String, Vec<String>)> {
    let (c, _) = Project::open(&repo(), qunshu::core::content::Depth::Rendered);
    let c = c.unwrap();
    let clock = Clock::from_arg(Some(CLOCK), c.config.tz).unwrap();
    c.posts
        .iter()
        .filter(|p| c.included(p, clock.now, IncludeOptions::default()))
        .map(|p| {
            (
                p.href(),
                p.title.clone(),
                p.full_text(),
                p.kind.id().to_string(),
                p.tags.clone(),
            )
        })
        .collect()
}

#[test]
fn cli_on_the_demo() {
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    let docs = demo_docs();
    let pairs: Vec<(String, String)> = docs.iter().map(|d| (d.1.clone(), d.2.clone())).collect();
    for q in [
        "私域",
        "合伙人",
        "段简",
        "GPT-4",
        "ｇｐｔ－４",
        "B站",
        "股权 融资",
        "的",
        "现金流 复购",
        "SaaS",
        "不存在的词组",
    ] {
        let v = search_json(&index, &[q]);
        let mut got = urls(&v);
        got.sort();
        let mut want: Vec<String> = brute_force(&pairs, q)
            .into_iter()
            .map(|i| docs[i].0.clone())
            .collect();
        want.sort();
        assert_eq!(got, want, "query {q}");
        assert_eq!(v["total"].as_u64().unwrap() as usize, want.len());
    }
    // The words the issue names all exist in the demo.
    for q in ["私域", "合伙人", "段简", "GPT-4", "B站"] {
        assert!(!urls(&search_json(&index, &[q])).is_empty(), "{q}");
    }
    // Full-width and case folding: the same results.
    assert_eq!(
        urls(&search_json(&index, &["ＧＰＴ－４"])),
        urls(&search_json(&index, &["gpt-4"]))
    );

    // Excerpt highlights the match.
    let v = search_json(&index, &["合伙人"]);
    let first = &v["results"][0];
    let ex: Vec<char> = first["excerpt"].as_str().unwrap().chars().collect();
    let h = &first["highlights"][0];
    let (s, e) = (
        h[0].as_u64().unwrap() as usize,
        h[1].as_u64().unwrap() as usize,
    );
    assert_eq!(ex[s..e].iter().collect::<String>(), "合伙人");
    assert!(
        first["title"].as_str().unwrap().contains("合伙人"),
        "title matches rank first"
    );

    // Filters.
    let v = search_json(&index, &["--kind", "qa", "合伙人"]);
    assert!(!urls(&v).is_empty());
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["kind"] == "qa"));
    let v = search_json(&index, &["--tag", "股权", "合伙人"]);
    let want: Vec<&String> = docs
        .iter()
        .filter(|d| {
            d.4.contains(&"股权".to_string())
                && brute_force(&[(d.1.clone(), d.2.clone())], "合伙人") == vec![0]
        })
        .map(|d| &d.0)
        .collect();
    assert_eq!(urls(&v).len(), want.len());
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "股权")));

    // Plain output and exit codes.
    qunshu()
        .arg("--root")
        .arg(repo())
        .args(["search", "--index"])
        .arg(&index)
        .arg("合伙人")
        .assert()
        .success()
        .stdout(predicates::str::contains("条结果"))
        .stdout(predicates::str::contains("https://example.org/tongxing/"));
    qunshu()
        .arg("--root")
        .arg(repo())
        .args(["search", "--index"])
        .arg(&index)
        .arg("没有这个词组的内容")
        .assert()
        .code(1)
        .stdout(predicates::str::contains("没有找到"));
    qunshu()
        .args(["search", "--kind", "blog", "--index"])
        .arg(&index)
        .arg("x")
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "`blog` is not a kind (expected brief, qa or case)",
        ));
    qunshu()
        .args(["search", "--tag", "没有的标签", "--index"])
        .arg(&index)
        .arg("x")
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "no document has the tag `没有的标签`",
        ));
    qunshu()
        .args(["search", "--index"])
        .arg(out.join("nowhere"))
        .arg("x")
        .assert()
        .failure()
        .stderr(predicates::str::contains("there is no search index"));
}

#[test]
fn index_files_hold_no_anonymous_member() {
    let (_t, out) = build_demo_into_temp(CLOCK);
    let dir = out.join("search");
    // Text in the per-document files is in the site's two-byte code: decode it.
    let table = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .find_map(|t| {
            t.lines().find_map(|l| {
                Some(
                    l.strip_prefix("$qs(\"t\",\"")?
                        .strip_suffix("\");")?
                        .to_string(),
                )
            })
        })
        .expect("the text code table is in the index");
    let codec = TextCodec::new(table.chars().collect());
    let mut n = 0;
    let mut all = String::new();
    for e in walkdir::WalkDir::new(&dir) {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        n += 1;
        let raw = std::fs::read_to_string(e.path()).unwrap();
        let text = codec.decode(&raw);
        for a in ANONYMOUS {
            assert!(
                !raw.contains(a) && !text.contains(a),
                "{} contains {a}",
                e.path().display()
            );
        }
        // Blocks of a post's text are statements one after the other: join
        // their strings, so a sentence across two blocks reads whole.
        for l in raw.lines() {
            let json = l
                .strip_prefix("$qs(")
                .and_then(|b| b.strip_suffix(");"))
                .and_then(|b| b.split_once(',').map(|(_, j)| j));
            match json.and_then(|j| serde_json::from_str::<String>(j).ok()) {
                Some(s) => all.push_str(&codec.decode(&s)),
                None => {
                    all.push_str(&codec.decode(l));
                    all.push('\n');
                }
            }
        }
    }
    assert!(n > 3);
    for a in ANONYMOUS {
        assert!(!all.contains(a), "the index's text contains {a}");
    }
    // Credited (public) names and the text are there, so the check above can fail.
    assert!(all.contains("王晓雯"));
    assert!(all.contains("出资和出力应该怎么折算"));
}

#[test]
fn damaged_index_is_an_error_not_a_panic() {
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    let shard_packs: Vec<std::path::PathBuf> = std::fs::read_dir(index.join("p"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('s'))
        .collect();
    let search_fails_saying = |what: &str| {
        qunshu()
            .args(["search", "--index"])
            .arg(&index)
            .arg("合伙人")
            .assert()
            .failure()
            .stderr(predicates::str::contains(what))
    };
    // Entries where the directory says, whose postings do not decode (every
    // bit set: a unary number that runs past the end).
    for p in &shard_packs {
        let text: String = std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                let body = &l["$qs(".len()..l.len() - 2];
                let (key, json) = body.split_once(',').unwrap();
                if key.starts_with("\"sd/") {
                    // The pack's own directory: left as it is.
                    return format!("{l}\n");
                }
                let mut v: Value = serde_json::from_str(json).unwrap();
                v[1] = Value::String("_".repeat(v[1].as_str().unwrap().len()));
                format!("$qs({key},{v});\n")
            })
            .collect();
        assert_eq!(text.len(), std::fs::metadata(p).unwrap().len() as usize);
        std::fs::write(p, text).unwrap();
    }
    search_fails_saying("damaged");
    // Shard packs whose entries are not where the directory says.
    for p in &shard_packs {
        std::fs::write(p, "$qs(\"s/0\",[\"合伙\",\"!!\"]);\n").unwrap();
    }
    search_fails_saying("damaged");
    std::fs::write(index.join("index.js"), "garbage").unwrap();
    search_fails_saying("is not a qunshu search index file");
}

/// Builds an index of `docs` (title, text; the first is the newest) and
/// returns the urls (`d<i>`) of the results of `q`, in ranked order.
fn ranked(docs: &[(&str, &str)], q: &str) -> Vec<String> {
    with_index(docs, |index| {
        index
            .search(q, &[])
            .unwrap()
            .iter()
            .map(|h| index.doc(h.doc).unwrap().u)
            .collect()
    })
}

fn with_index<T>(docs: &[(&str, &str)], f: impl FnOnce(&Index) -> T) -> T {
    let dir = TempDir::new().unwrap();
    let input: Vec<Doc> = docs
        .iter()
        .enumerate()
        .map(|(i, (title, text))| Doc {
            url: format!("d{i}"),
            title: title.to_string(),
            text: text.to_string(),
            kind: "brief".into(),
            column: "c".into(),
            time: 1000 - i as i64,
            ..Doc::default()
        })
        .collect();
    let out = dir.path().join("search");
    write_docs(input, &[], Lang::ZhCn, &out).unwrap();
    f(&Index::open(&out).unwrap())
}

/// Filler text that mentions neither query word.
fn filler(n: usize) -> String {
    "社群运营要先想清楚成员为什么留下来。".repeat(n / 18 + 1)
}

#[test]
fn ranking_prefers_words_in_one_paragraph() {
    // d0 (newer) has both words 3,000 characters apart; d1 in one sentence.
    let far = format!("开源社区很热闹。{}数据库选型要谨慎。", filler(3000));
    // d1 is the longer post, so counting matches per character alone
    // would put d0 first.
    let near = format!("{}我们用开源数据库做了迁移。{}", filler(200), filler(4000));
    let docs = [("周报一", far.as_str()), ("周报二", near.as_str())];
    assert_eq!(ranked(&docs, "开源 数据库"), ["d1", "d0"]);
    // Both are found: ranking orders, it never drops.
    assert_eq!(ranked(&docs, "开源").len(), 2);
}

#[test]
fn ranking_ignores_a_line_every_post_carries() {
    // Every post repeats the same intro with "AI 工具" three times; only d2
    // is about 前端 and also mentions AI tools once. d0 and d1 say 前端 once
    // in passing.
    let intro = "本期 AI 工具推荐：AI 工具合集，AI 工具清单。";
    let a = format!("{intro}{}顺便提到前端。", filler(400));
    let b = format!("{intro}{}前端也有人问。", filler(400));
    let c = format!("{intro}前端框架怎么选：前端团队的 AI 工具。{}", filler(400));
    let docs = [
        ("第一期", a.as_str()),
        ("第二期", b.as_str()),
        ("第三期", c.as_str()),
    ];
    let r = ranked(&docs, "AI 工具 前端");
    assert_eq!(r[0], "d2", "{r:?}");
    assert_eq!(r.len(), 3);
}

#[test]
fn ranking_puts_title_matches_first() {
    let body = format!("{}复购率是关键，复购率要天天看，复购率。", filler(100));
    let docs = [
        ("怎么做社群", body.as_str()),
        ("复购率从哪里来", "一篇短文，讲留存。"),
    ];
    assert_eq!(ranked(&docs, "复购率"), ["d1", "d0"]);
}

#[test]
fn whole_latin_words_rank_above_matches_inside_words() {
    let docs = [
        ("信任", "trust is earned, trust trust trust"),
        ("语言", "我们用 Rust 写服务"),
    ];
    assert_eq!(ranked(&docs, "rust"), ["d1", "d0"]);
    let docs = [
        ("邮件", "用 Gmail 发周报，gmail 很方便"),
        ("写作", "AI 写作"),
    ];
    assert_eq!(ranked(&docs, "ai"), ["d1", "d0"]);
}

#[test]
fn variants_find_the_same_posts() {
    let docs = [
        ("B站运营", "在 B 站做内容，股權激励和開源项目。"),
        ("小红书", "私域复购做得好，前端工程化也不错。"),
        ("另一篇", "B站和股权，开源数据库。"),
    ];
    // Spaces between a Chinese character and a Latin letter are ignored.
    assert_eq!(ranked(&docs, "B站"), ranked(&docs, "\"B 站\""));
    assert_eq!(ranked(&docs, "B站").len(), 2);
    // Traditional and simplified find each other.
    let mut t = ranked(&docs, "股權");
    t.sort();
    assert_eq!(t, ["d0", "d2"]);
    assert_eq!(ranked(&docs, "开源").len(), 2);
    assert_eq!(ranked(&docs, "開源"), ranked(&docs, "开源"));
    // A full-width comma separates words.
    assert_eq!(ranked(&docs, "私域，复购"), ["d1"]);
    assert_eq!(ranked(&docs, "复购，私域"), ["d1"]);
    // Quotes are an exact phrase, not characters to find.
    assert_eq!(ranked(&docs, "\"前端工程化\""), ["d1"]);
    assert_eq!(ranked(&docs, "“前端工程化”"), ["d1"]);
    assert!(ranked(&docs, "\"工程化前端\"").is_empty());
}

#[test]
fn phrases_keep_their_spaces() {
    let docs = [
        ("ml", "an intro to machine learning for teams"),
        ("other", "machine-learning and learning machine"),
        ("gap", "machine  learning with two spaces"),
    ];
    let mut r = ranked(&docs, "\"machine learning\"");
    r.sort();
    assert_eq!(r, ["d0", "d2"]);
    assert_eq!(ranked(&docs, "machine learning").len(), 3);
}

#[test]
fn snippet_shows_the_passage_with_most_query_words() {
    let text = format!(
        "开头说了开源。{}这一段讲开源数据库的选型和开源协议。{}",
        filler(600),
        filler(600)
    );
    with_index(&[("周报", text.as_str())], |index| {
        let q = "开源 数据库";
        let hits = index.search(q, &[]).unwrap();
        let meta = index.doc(hits[0].doc).unwrap();
        let ex = index.excerpt(&hits[0], &meta, q).unwrap();
        assert!(ex.text.contains("开源数据库的选型"), "{}", ex.text);
        let marked: Vec<String> = ex
            .highlights
            .iter()
            .map(|&(s, e)| ex.text.chars().skip(s).take(e - s).collect())
            .collect();
        // Adjacent matches are one highlight.
        assert!(marked.contains(&"开源数据库".to_string()), "{marked:?}");
        assert!(marked.contains(&"开源".to_string()), "{marked:?}");
    });
}

#[test]
fn a_heading_match_outranks_a_body_match() {
    // d0 (newer) mentions the words twice in passing; d1 has them in a
    // heading of its body (once). Without the heading boost d0 comes first.
    let dir = TempDir::new().unwrap();
    let doc = |i: usize, text: String, headings: Vec<String>| Doc {
        url: format!("d{i}"),
        title: format!("周报 {i}"),
        text,
        kind: "brief".into(),
        column: "c".into(),
        time: 1000 - i as i64,
        headings,
        ..Doc::default()
    };
    let docs = vec![
        doc(
            0,
            format!(
                "{}顺便说一句私域复购。{}也提到私域复购。{}",
                filler(300),
                filler(300),
                filler(300)
            ),
            vec![],
        ),
        doc(
            1,
            format!("背景\n{}\n私域复购的三个做法\n{}", filler(300), filler(600)),
            vec!["背景".into(), "私域复购的三个做法".into()],
        ),
        doc(2, format!("{}私域{}", filler(300), filler(300)), vec![]),
    ];
    let out = dir.path().join("search");
    write_docs(docs, &[], Lang::ZhCn, &out).unwrap();
    let index = Index::open(&out).unwrap();
    for q in ["私域复购", "私域", "复购 私域"] {
        let urls: Vec<String> = index
            .search(q, &[])
            .unwrap()
            .iter()
            .map(|h| index.doc(h.doc).unwrap().u)
            .collect();
        assert_eq!(urls[0], "d1", "{q}: {urls:?}");
    }
    // A heading that is not found in the text marks nothing.
    let docs = vec![
        doc(
            0,
            format!("{}私域复购。{}私域复购。", filler(300), filler(300)),
            vec![],
        ),
        doc(
            1,
            format!("{}私域复购。{}", filler(300), filler(300)),
            vec!["私域复购的做法".into()],
        ),
    ];
    let out = dir.path().join("search2");
    write_docs(docs, &[], Lang::ZhCn, &out).unwrap();
    let index = Index::open(&out).unwrap();
    let first = index.search("私域复购", &[]).unwrap()[0].doc;
    assert_eq!(index.doc(first).unwrap().u, "d0");
}

#[test]
fn snippets_skip_the_intro_every_issue_repeats() {
    // Every issue opens with the same line, which has both query words;
    // the snippet must come from the issue's own text.
    let texts: Vec<String> = (0..6)
        .map(|i| {
            format!(
                "本期早报由群书编辑部整理，关注 AI 工具与效率。{}今天介绍的第{i}款 AI 写作工具能自动整理会议纪要。{}",
                filler(400),
                filler(200)
            )
        })
        .collect();
    let docs: Vec<(String, &str)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("早报 {i}"), t.as_str()))
        .collect();
    let docs: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    with_index(&docs, |index| {
        let q = "AI 工具";
        let hits = index.search(q, &[]).unwrap();
        assert_eq!(hits.len(), 6);
        for h in &hits {
            let meta = index.doc(h.doc).unwrap();
            let ex = index.excerpt(h, &meta, q).unwrap();
            assert!(ex.text.contains("会议纪要"), "{}", ex.text);
            assert!(!ex.text.contains("编辑部"), "{}", ex.text);
        }
    });
    // A line only two posts share is not boilerplate: it stays the passage.
    let texts: Vec<String> = (0..2)
        .map(|i| {
            format!(
                "本期早报由群书编辑部整理，关注 AI 工具与效率。{}第{i}款 AI 写作工具。",
                filler(400)
            )
        })
        .collect();
    let docs: Vec<(&str, &str)> = texts.iter().map(|t| ("早报", t.as_str())).collect();
    with_index(&docs, |index| {
        let hits = index.search("AI 工具", &[]).unwrap();
        let meta = index.doc(hits[0].doc).unwrap();
        let ex = index.excerpt(&hits[0], &meta, "AI 工具").unwrap();
        assert!(ex.text.contains("编辑部"), "{}", ex.text);
    });
}

#[test]
fn suggestions_when_nothing_matches() {
    let docs = [
        ("JavaScript 入门", "用 JavaScript 和 Python 写脚本"),
        ("Python 数据", "python 做数据分析，pandas 很好用"),
        ("社群", "私域运营"),
    ];
    with_index(&docs, |index| {
        assert!(index.search("javascirpt", &[]).unwrap().is_empty());
        assert_eq!(index.suggest("javascirpt").unwrap(), ["javascript"]);
        assert_eq!(index.suggest("Pyhton").unwrap(), ["python"]);
        // A misspelt word among others: fixed; and the query without its
        // rarest word (the misspelt one, found in no post).
        assert_eq!(
            index.suggest("Pyhton 数据").unwrap(),
            ["python 数据", "数据"]
        );
        // Nothing near enough: only the shorter query.
        assert_eq!(index.suggest("私域 zzzzzz").unwrap(), ["私域"]);
        assert!(index.suggest("qqqqqq").unwrap().is_empty());
    });
}

#[test]
fn cli_suggests_when_nothing_matches() {
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    let v = search_json(&index, &["saaas"]);
    assert_eq!(v["total"], 0);
    assert_eq!(v["suggestions"], serde_json::json!(["saas"]));
    let o = qunshu()
        .arg("--root")
        .arg(repo())
        .args(["search", "--index"])
        .arg(&index)
        .arg("私域 没有这个词")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("试试：私域"), "{text}");
    // Results carry no suggestions.
    let v = search_json(&index, &["私域"]);
    assert_eq!(v["suggestions"], serde_json::json!([]));
}

#[test]
fn a_second_passage_shows_the_words_the_first_lacks() {
    let text = format!(
        "{}开源协议要看清，开源社区要维护。{}数据库的备份最要紧。{}",
        filler(300),
        filler(2000),
        filler(300)
    );
    with_index(&[("周报", text.as_str())], |index| {
        let q = "开源 数据库";
        let hits = index.search(q, &[]).unwrap();
        let meta = index.doc(hits[0].doc).unwrap();
        let ex = index.excerpt(&hits[0], &meta, q).unwrap();
        assert!(ex.text.contains("开源协议"), "{}", ex.text);
        assert!(ex.text.contains("数据库的备份"), "{}", ex.text);
        let marked: Vec<String> = ex
            .highlights
            .iter()
            .map(|&(s, e)| ex.text.chars().skip(s).take(e - s).collect())
            .collect();
        assert!(marked.contains(&"开源".to_string()), "{marked:?}");
        assert!(marked.contains(&"数据库".to_string()), "{marked:?}");
        // One word, one passage.
        let hits = index.search("开源", &[]).unwrap();
        assert!(hits[0].body_second.is_none());
    });
}

#[test]
fn passages_prefer_whole_latin_words() {
    // "ai" inside "gmail" comes first; the passage is where AI is a word.
    let text = format!(
        "用 gmail 订阅工具周报。{}这一期的 AI 工具：写作助手。{}",
        filler(400),
        filler(400)
    );
    with_index(&[("周报", text.as_str())], |index| {
        let q = "ai 工具";
        let hits = index.search(q, &[]).unwrap();
        let meta = index.doc(hits[0].doc).unwrap();
        let ex = index.excerpt(&hits[0], &meta, q).unwrap();
        assert!(ex.text.contains("AI 工具：写作"), "{}", ex.text);
        assert!(!ex.text.contains("gmail"), "{}", ex.text);
    });
}
