//! The search box in headless Chromium, against the built demo: typing a
//! Chinese query shows the expected results with highlighted excerpts, the
//! keyboard works, a result can be followed, it works on a phone-sized
//! screen and from file://, and the browser and `qunshu search` return the
//! same results for hundreds of queries.
//!
//! Skipped when Chromium is missing, unless QUNSHU_REQUIRE_BROWSER is set.

use crate::common;

use common::browser::{percent_decode, Browser, StaticServer};
use common::{build_demo_into_temp, qunshu, repo, result_urls as cli_urls};
use qunshu::archive::search::index::doc_chars;
use qunshu::archive::search::normalize::query_terms;
use qunshu::core::content::IncludeOptions;
use qunshu::core::time::Clock;
use qunshu::Project;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const CLOCK: &str = "2026-11-23 12:00";

/// `qunshu search --json` for a query and filters.
fn cli(index: &Path, q: &str, filters: &[(&str, &str)]) -> Value {
    let mut cmd = qunshu();
    cmd.arg("--root")
        .arg(repo())
        .args(["search", "--json", "--limit", "0", "--index"])
        .arg(index);
    for (f, v) in filters {
        cmd.arg(format!("--{f}")).arg(v);
    }
    let out = cmd.arg("--").arg(q).output().unwrap();
    assert!(
        out.status.code().unwrap_or(9) <= 1,
        "{q}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shot(b: &mut Browser, name: &str) {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    b.screenshot(&p).unwrap();
    eprintln!("screenshot: {}", p.display());
}

/// Texts of the result items shown.
const ITEMS: &str = "Array.from(document.querySelectorAll('.qs-results .qs-item')).map(li => ({ href: li.querySelector('a').getAttribute('href'), title: li.querySelector('.qs-title').textContent, marks: Array.from(li.querySelectorAll('.qs-excerpt mark')).map(m => m.textContent), excerpt: li.querySelector('.qs-excerpt').textContent }))";

#[test]
fn type_a_query_see_highlights_and_follow_a_result() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    let srv = StaticServer::start(&out).unwrap();
    b.goto(&srv.url("index.html")).unwrap();
    srv.take_log();
    b.eval("document.querySelector('.qs-input').focus()")
        .unwrap();
    b.type_text("合伙人").unwrap();
    let expected = cli(&index, "合伙人", &[]);
    let total = expected["total"].as_u64().unwrap();
    assert!(total >= 5);
    b.wait_for(
        "document.querySelectorAll('.qs-results .qs-item').length >= 10",
        20,
    )
    .unwrap();
    let status = b
        .eval("document.querySelector('.qs-status').textContent")
        .unwrap();
    assert_eq!(status, json!(format!("共 {total} 条结果")));
    let items = b.eval(ITEMS).unwrap();
    let items = items.as_array().unwrap();
    let want = cli_urls(&expected);
    // Links carry the query, for the page to mark and land on the passage.
    let hl = "?hl=%E5%90%88%E4%BC%99%E4%BA%BA";
    for (i, it) in items.iter().enumerate() {
        assert_eq!(
            it["href"].as_str().unwrap(),
            format!("{}{hl}", want[i]),
            "result {i}"
        );
        assert_eq!(it["title"], expected["results"][i]["title"]);
        assert_eq!(it["excerpt"], expected["results"][i]["excerpt"]);
        assert!(
            it["marks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m == "合伙人"),
            "{it}"
        );
    }
    assert!(
        !items[0]["marks"].as_array().unwrap().is_empty(),
        "the excerpt is highlighted"
    );
    // Only a few small files were fetched for this query.
    let log = srv.take_log();
    let search_files: Vec<&(String, u64)> = log
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .collect();
    // The query's shards (one or two), each after its pack's directory
    // unless already loaded, came as Range requests for just their bytes,
    // not as whole pack files.
    let shards: Vec<&&(String, u64)> = search_files
        .iter()
        .filter(|(p, _)| p.starts_with("search/p/s"))
        .collect();
    assert!((2..=4).contains(&shards.len()), "{search_files:?}");
    for (p, n) in &shards {
        let whole = std::fs::metadata(out.join(p)).unwrap().len();
        assert!(*n < whole, "{p}: {n} bytes of {whole}: not a range");
    }
    shot(&mut b, "search-desktop.png");

    // Keyboard: down twice, up once, Enter follows the first result.
    b.press("ArrowDown").unwrap();
    b.press("ArrowDown").unwrap();
    assert_eq!(
        b.eval("document.querySelector('.qs-input').getAttribute('aria-activedescendant')")
            .unwrap(),
        json!("qs-r1")
    );
    b.press("ArrowUp").unwrap();
    assert_eq!(
        b.eval("document.querySelector('.qs-active').id").unwrap(),
        json!("qs-r0")
    );
    b.press("Enter").unwrap();
    let target = srv.url(&want[0]);
    b.wait_loaded(&target).unwrap();
    let h1 = b.eval("document.querySelector('h1').textContent").unwrap();
    assert!(
        h1.as_str()
            .unwrap()
            .contains(expected["results"][0]["title"].as_str().unwrap()),
        "{h1}"
    );
    // The page marks every match in the article and scrolls to the best
    // passage (the one marked `qs-hit-best`), which is on screen.
    b.wait_for(
        "window.qunshuSearch && qunshuSearch.landing && document.querySelector('main article mark.qs-hit-best')",
        20,
    )
    .unwrap();
    let landed = b
        .eval("(() => { const m = Array.from(document.querySelectorAll('main article mark.qs-hit')); const best = document.querySelector('mark.qs-hit-best'); const r = best.getBoundingClientRect(); return { n: m.length, texts: Array.from(new Set(m.map(x => x.textContent))), visible: r.top >= 0 && r.bottom <= window.innerHeight, href: location.search }; })()")
        .unwrap();
    assert!(landed["n"].as_u64().unwrap() >= 2, "{landed}");
    assert_eq!(landed["texts"], json!(["合伙人"]), "{landed}");
    assert_eq!(landed["visible"], json!(true), "{landed}");

    // On the post page (one folder down), filter by kind with the select.
    b.eval("document.querySelector('.qs-input').focus()")
        .unwrap();
    b.type_text("股权").unwrap();
    b.wait_for(
        "document.querySelectorAll('.qs-results .qs-item').length > 0",
        20,
    )
    .unwrap();
    b.eval("(() => { const s = document.querySelector('select[name=kind]'); s.value = 'qa'; s.dispatchEvent(new Event('change')); })()").unwrap();
    let want = cli(&index, "股权", &[("kind", "qa")]);
    let n = want["total"].as_u64().unwrap();
    b.wait_for(
        &format!("document.querySelector('.qs-status').textContent === '共 {n} 条结果'"),
        20,
    )
    .unwrap();
    b.wait_for(
        "document.querySelectorAll('.qs-results .qs-item').length > 0",
        20,
    )
    .unwrap();
    let items = b.eval(ITEMS).unwrap();
    let first = items[0]["href"].as_str().unwrap();
    assert_eq!(
        first,
        format!("../{}?hl=%E8%82%A1%E6%9D%83", cli_urls(&want)[0])
    );

    // Escape closes the panel, a second Escape clears the box.
    b.press("Escape").unwrap();
    assert_eq!(
        b.eval("document.querySelector('.qs-panel').hidden")
            .unwrap(),
        json!(true)
    );
    b.press("Escape").unwrap();
    assert_eq!(
        b.eval("document.querySelector('.qs-input').value").unwrap(),
        json!("")
    );

    // A query with no match says so.
    b.type_text("没有这个词组").unwrap();
    b.wait_for(
        "document.querySelector('.qs-status').textContent.includes('没有找到')",
        20,
    )
    .unwrap();
}

#[test]
fn phone_screen_and_file_urls() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    b.viewport(390, 844, true).unwrap();
    // Opened straight from disk, from a page one folder down, with ?q=.
    let page = std::fs::read_dir(out.join("qa"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name() != "index.html")
        .unwrap()
        .path();
    let url = format!("file://{}?q=%E7%A7%81%E5%9F%9F", page.display());
    b.goto(&url).unwrap();
    b.wait_for(
        "document.querySelectorAll('.qs-results .qs-item').length > 0",
        20,
    )
    .unwrap();
    let expected = cli(&index, "私域", &[]);
    let items = b.eval(ITEMS).unwrap();
    let want: Vec<String> = cli_urls(&expected)
        .iter()
        .take(10)
        .map(|u| format!("../{u}"))
        .collect();
    let got: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let h = i["href"].as_str().unwrap();
            h.strip_suffix("?hl=%E7%A7%81%E5%9F%9F")
                .unwrap_or(h)
                .to_string()
        })
        .collect();
    assert_eq!(got, want);
    // The panel fits the phone's width, the input does not make iOS zoom.
    let fit = b
        .eval("(() => { const r = document.querySelector('.qs-panel').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth + 1 && r.width > 300; })()")
        .unwrap();
    assert_eq!(fit, json!(true));
    let fs = b
        .eval("parseFloat(getComputedStyle(document.querySelector('.qs-input')).fontSize)")
        .unwrap();
    assert!(fs.as_f64().unwrap() >= 16.0);
    shot(&mut b, "search-phone.png");
    // Tapping a result follows it.
    b.click(".qs-results .qs-item a").unwrap();
    b.wait_for(
        &format!(
            "decodeURI(location.pathname).endsWith(decodeURI({}))",
            json!(want[0].trim_start_matches("../"))
        ),
        20,
    )
    .unwrap();
    // And the page (from a file: URL too) marks the query where it lands.
    b.wait_for(
        "document.querySelector('main article mark.qs-hit-best')",
        20,
    )
    .unwrap();
}

struct Demo {
    docs: Vec<(String, String)>,
}

fn demo() -> Demo {
    let (c, _) = Project::open(&repo(), qunshu::core::content::Depth::Rendered);
    let c = c.unwrap();
    let clock = Clock::from_arg(Some(CLOCK), c.config.tz).unwrap();
    Demo {
        docs: c
            .posts
            .iter()
            .filter(|p| c.included(p, clock.now, IncludeOptions::default()))
            .map(|p| (p.title.clone(), p.full_text()))
            .collect(),
    }
}

/// A small deterministic generator (xorshift), for reproducible queries.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn browser_and_cli_agree() {
    let Some(mut b) = Browser::launch().unwrap() else {
        return;
    };
    let (_t, out) = build_demo_into_temp(CLOCK);
    let index = out.join("search");
    let d = demo();
    let mut queries: Vec<(String, Vec<(&str, &str)>)> = [
        "私域",
        "合伙人",
        "段简",
        "GPT-4",
        "gpt",
        "B站",
        "b站",
        "ＧＰＴ－４",
        "AI",
        "ai 工具",
        "股权 融资",
        "的",
        "书",
        "。",
        "现金 流",
        "SaaS",
        "saas 定价",
        "a",
        "1",
        "2026",
        "A轮",
        "复购率",
        "小红书 冷启动",
        "ROI",
        "0",
        "没有这个词",
        "“",
        "100 万",
        "％",
        "Ｂ站",
        // Variants: traditional characters, full-width punctuation between
        // words, quoted phrases (with spaces), spaces around Latin.
        "開源",
        "股權 融資",
        "私域，复购",
        "复购、私域。",
        "\"私域流量\"",
        "“合伙 人”",
        "「复购率」",
        "\"B 站\"",
        "B 站",
        "\"gpt-4 做\"",
        "rust",
        "ai 工具 社群",
        // Nothing found: suggestions.
        "saaas",
        "Pyhton",
        "私域 没有这个词",
        "saaas 私域 没有这个词",
    ]
    .iter()
    .map(|q| (q.to_string(), vec![]))
    .collect();
    queries.push(("合伙人".into(), vec![("kind", "qa")]));
    queries.push(("合伙人".into(), vec![("tag", "股权")]));
    queries.push(("AI".into(), vec![("kind", "brief"), ("tag", "AI")]));
    // Random substrings (1-6 characters) of titles and texts, including
    // ones that cross word boundaries and punctuation.
    let mut rng = Rng(0x5eed_1234_abcd);
    while queries.len() < 330 {
        let (title, text) = &d.docs[rng.below(d.docs.len())];
        let src: Vec<char> = if rng.below(5) == 0 {
            title.chars().collect()
        } else {
            text.chars().collect()
        };
        if src.is_empty() {
            continue;
        }
        let s = rng.below(src.len());
        let len = 1 + rng.below(6);
        let q: String = src[s..(s + len).min(src.len())].iter().collect();
        if q.trim().is_empty() {
            continue;
        }
        queries.push((q, vec![]));
    }
    let srv = StaticServer::start_without_ranges(&out).unwrap();
    b.goto(&srv.url("index.html")).unwrap();
    b.wait_for(
        "window.qunshuSearch && qunshuSearch.boxes && qunshuSearch.boxes.length === 1",
        20,
    )
    .unwrap();
    let list: Vec<Value> = queries
        .iter()
        .map(|(q, f)| json!([q, f.iter().map(|(a, b)| json!([a, b])).collect::<Vec<_>>()]))
        .collect();
    let js = format!(
        "(async () => {{ const e = qunshuSearch.boxes[0].engine; const out = []; for (const [q, f] of {}) {{ const hits = await e.search(q, f); const urls = []; let ex = null; for (const h of hits) {{ const m = await e.doc(h.doc); urls.push(m.u); if (ex === null) ex = await e.excerpt(h, m, q); }} const sugg = hits.length ? null : await e.suggest(q); out.push({{ urls, ex, sugg }}); }} return out; }})()",
        Value::Array(list)
    );
    let got = b.eval(&js).unwrap();
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), queries.len());
    let mut nonempty = 0;
    for (i, (q, f)) in queries.iter().enumerate() {
        let c = cli(&index, q, f);
        let want = cli_urls(&c);
        let urls: Vec<String> = got[i]["urls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap().to_string())
            .collect();
        assert_eq!(urls, want, "query {q:?} {f:?}: browser and CLI differ");
        if want.is_empty() {
            assert_eq!(got[i]["sugg"], c["suggestions"], "suggestions for {q:?}");
        }
        if let Some(first) = c["results"].get(0) {
            nonempty += 1;
            assert_eq!(got[i]["ex"]["text"], first["excerpt"], "excerpt of {q:?}");
            assert_eq!(
                got[i]["ex"]["highlights"], first["highlights"],
                "highlights of {q:?}"
            );
        }
        // And both equal the exact-substring truth (without filters).
        if f.is_empty() {
            let ts = query_terms(q);
            let truth = d
                .docs
                .iter()
                .filter(|(title, text)| {
                    let (s, _) = doc_chars(title, text);
                    !ts.is_empty() && ts.iter().all(|t| s.windows(t.len()).any(|w| w == &t[..]))
                })
                .count();
            assert_eq!(
                want.len(),
                truth,
                "query {q:?}: result count differs from the substring truth"
            );
        }
    }
    assert!(nonempty > 250, "{nonempty}");
}

/// The side-by-side benchmark against Pagefind, run by
/// `scripts/bench-search.sh` (which builds both indexes first):
/// `QS_BENCH_SITE` is the built site with Pagefind's bundle in
/// `pagefind/`, `QS_BENCH_CORPUS` the community it was built from. Prints
/// a Markdown table and writes JSON to `QS_BENCH_OUT`.
#[test]
#[ignore = "benchmark; run by scripts/bench-search.sh"]
fn search_benchmark() {
    let site = PathBuf::from(std::env::var("QS_BENCH_SITE").expect("QS_BENCH_SITE"));
    let corpus = PathBuf::from(std::env::var("QS_BENCH_CORPUS").expect("QS_BENCH_CORPUS"));
    let clock = std::env::var("QS_BENCH_CLOCK").unwrap_or_else(|_| "2026-12-31 00:00".into());
    let shown: usize = 10;
    let mut b = Browser::launch()
        .unwrap()
        .expect("chromium is needed for the benchmark");
    b.set_timeout(1800);

    // Ground truth: exact substrings of the normalised title or text.
    let (c, _) = Project::open(&corpus, qunshu::core::content::Depth::Rendered);
    let c = c.expect("corpus loads");
    let now = Clock::from_arg(Some(&clock), c.config.tz).unwrap().now;
    let docs: Vec<(String, Vec<char>)> = c
        .posts
        .iter()
        .filter(|p| c.included(p, now, IncludeOptions::default()))
        .map(|p| {
            (
                percent_decode(&p.href()),
                doc_chars(&p.title, &p.full_text()).0,
            )
        })
        .collect();
    let truth = |q: &str| -> std::collections::BTreeSet<String> {
        let ts = query_terms(q);
        docs.iter()
            .filter(|(_, s)| {
                !ts.is_empty() && ts.iter().all(|t| s.windows(t.len()).any(|w| w == &t[..]))
            })
            .map(|(u, _)| u.clone())
            .collect()
    };

    // Queries: dictionary words, random 1-6 character substrings (crossing
    // word boundaries), Latin and mixed terms, two-term queries.
    let words: Vec<&str> = "创业 合伙人 股权 私域 流量 融资 天使轮 现金流 复购 定价 招聘 团队 客户 产品 渠道 增长 运营 社群 用户 数据 复盘 案例 供应链 门店 品牌 内容 营销 直播 小红书 抖音 视频 投放 转化 留存 会员 利润 成本 毛利 估值 投资人 协议 期权 激励 管理 效率 工具 自动化 模型 销售 服务 体验 口碑 裂变 活动 策划 文案 设计 交互 技术 研发 外包 合同 风险 税务 财务 预算".split(' ').collect();
    let mut queries: Vec<(String, &str)> = words.iter().map(|w| (w.to_string(), "word")).collect();
    for q in [
        "GPT-4",
        "gpt",
        "B站",
        "SaaS",
        "saas",
        "AI",
        "KPI",
        "OKR",
        "ROI",
        "CRM",
        "App",
        "API",
        "ToB",
        "MVP",
        "Saa",
        "GP",
        "b站 运营",
        "AI 工具",
        "SaaS 定价",
        "ROI 投放",
    ] {
        queries.push((q.to_string(), "latin/mixed"));
    }
    let mut rng = Rng(0xbe4c_4a11_0000_0005);
    for _ in 0..40 {
        let a = words[rng.below(words.len())];
        let bw = words[rng.below(words.len())];
        queries.push((format!("{a} {bw}"), "two terms"));
    }
    let mut n_sub = 0;
    while n_sub < 180 {
        let (_, s) = &docs[rng.below(docs.len())];
        let len = 1 + rng.below(6);
        if s.len() <= len {
            continue;
        }
        let st = rng.below(s.len() - len);
        let q: String = s[st..st + len].iter().collect();
        // Skip spaces and pieces that start inside a Latin word.
        if q.contains(' ')
            || (st > 0 && s[st].is_ascii_alphanumeric() && s[st - 1].is_ascii_alphanumeric())
        {
            continue;
        }
        queries.push((q, "substring"));
        n_sub += 1;
    }

    let srv = StaticServer::start(&site).unwrap();
    std::fs::write(
        site.join("bench-qs.html"),
        "<!doctype html><meta charset=utf-8><script src=\"search.js\"></script>",
    )
    .unwrap();
    std::fs::write(site.join("bench-pf.html"), "<!doctype html><meta charset=utf-8><script type=module>window.pf = await import('./pagefind/pagefind.js'); window.pfReady = true;</script>").unwrap();
    let js_qs = |q: &str, all: bool| {
        format!(
            "(async () => {{ const e = window.qse || (window.qse = new qunshuSearch.Engine('search/')); const t0 = performance.now(); const hits = await e.search({q}, []); const top = hits.slice(0, {shown}); await Promise.all(top.map(async h => {{ const m = await e.doc(h.doc); return e.excerpt(h, m, {q}); }})); const ms = performance.now() - t0; let urls = null; if ({all}) urls = await Promise.all(hits.map(async h => (await e.doc(h.doc)).u)); return {{ n: hits.length, ms, urls }}; }})()",
            q = json!(q),
            all = all
        )
    };
    let js_pf = |q: &str, all: bool| {
        format!(
            "(async () => {{ const t0 = performance.now(); const r = await window.pf.search({q}); const top = r.results.slice(0, {shown}); await Promise.all(top.map(x => x.data())); const ms = performance.now() - t0; let urls = null; if ({all}) {{ const u = window.pfUrl || (window.pfUrl = new Map()); for (const x of r.results) if (!u.has(x.id)) u.set(x.id, (await x.data()).url); urls = r.results.map(x => u.get(x.id)); }} return {{ n: r.results.length, ms, urls }}; }})()",
            q = json!(q),
            all = all
        )
    };
    struct Tool {
        name: &'static str,
        page: &'static str,
        ready: &'static str,
        engine_files: &'static [&'static str],
    }
    let tools = [
        Tool {
            name: "qunshu",
            page: "bench-qs.html",
            ready: "!!window.qunshuSearch",
            engine_files: &["search.js"],
        },
        Tool {
            name: "Pagefind",
            page: "bench-pf.html",
            ready: "window.pfReady === true",
            engine_files: &["pagefind/"],
        },
    ];
    let mut report = serde_json::Map::new();
    let mut table = vec![];
    for (ti, tool) in tools.iter().enumerate() {
        let run = |b: &mut Browser, q: &str, all: bool| -> Value {
            let js = if ti == 0 {
                js_qs(q, all)
            } else {
                js_pf(q, all)
            };
            b.eval(&js).unwrap()
        };
        // Cold first query: a fresh page, then one query; every byte the
        // server sends for the engine and its index counts.
        let mut cold = vec![];
        for q in ["合伙人", "私域流量", "GPT-4", "段简", "复盘"] {
            srv.take_log();
            b.goto(&srv.url(tool.page)).unwrap();
            b.wait_for(tool.ready, 30).unwrap();
            run(&mut b, q, false);
            let log = srv.take_log();
            if std::env::var_os("QS_BENCH_VERBOSE").is_some() {
                eprintln!("{} first query {q}: {log:?}", tool.name);
            }
            let bytes: u64 = log
                .iter()
                .filter(|(p, _)| {
                    !p.starts_with("bench-")
                        && (p.starts_with("search")
                            || p.starts_with("pagefind/")
                            || tool.engine_files.iter().any(|f| p.starts_with(f)))
                })
                .map(|(_, n)| n)
                .sum();
            cold.push(bytes);
        }
        // A session on one page: bytes served and time for each query in
        // turn, loading the excerpts of the results shown (what the box does).
        b.goto(&srv.url(tool.page)).unwrap();
        b.wait_for(tool.ready, 30).unwrap();
        run(&mut b, "合伙人", false);
        let mut times = vec![];
        let mut bytes_of = vec![];
        for (q, _) in &queries {
            srv.take_log();
            let r = run(&mut b, q, false);
            let log = srv.take_log();
            if std::env::var_os("QS_BENCH_VERBOSE").is_some() {
                // Bytes by kind of file (digits dropped: `search/p/s12.js`
                // counts as `search/p/s.js`), to see where a session goes.
                let mut by: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
                for (p, n) in &log {
                    let e = by
                        .entry(p.chars().filter(|c| !c.is_ascii_digit()).collect())
                        .or_default();
                    e.0 += 1;
                    e.1 += n;
                }
                eprintln!("{} session query {q}: {by:?}", tool.name);
            }
            bytes_of.push(log.iter().map(|(_, n)| n).sum::<u64>());
            times.push(r["ms"].as_f64().unwrap_or(0.0));
        }
        // Then, on a fresh page, the full result set of each query.
        b.goto(&srv.url(tool.page)).unwrap();
        b.wait_for(tool.ready, 30).unwrap();
        let mut per_query = vec![];
        let (mut tp, mut fp, mut fneg, mut zero) = (0usize, 0usize, 0usize, 0usize);
        let mut by_cat: std::collections::BTreeMap<&str, (usize, usize, usize, usize)> =
            Default::default();
        for (qi, (q, cat)) in queries.iter().enumerate() {
            let full = run(&mut b, q, true);
            let got: std::collections::BTreeSet<String> = full["urls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    percent_decode(
                        u.as_str()
                            .unwrap()
                            .trim_start_matches("./")
                            .trim_start_matches('/'),
                    )
                })
                .collect();
            let want = truth(q);
            let t = got.intersection(&want).count();
            tp += t;
            fp += got.len() - t;
            fneg += want.len() - t;
            if got.is_empty() {
                zero += 1;
            }
            let e = by_cat.entry(cat).or_default();
            e.0 += t;
            e.1 += got.len() - t;
            e.2 += want.len() - t;
            e.3 += got.is_empty() as usize;
            per_query.push(json!({ "q": q, "cat": cat, "bytes": bytes_of[qi], "ms": times[qi], "results": got.len(), "truth": want.len(), "hits": t }));
        }
        srv.take_log();
        let mut bytes: Vec<u64> = per_query
            .iter()
            .map(|p| p["bytes"].as_u64().unwrap())
            .collect();
        bytes.sort();
        cold.sort();
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let pct = |a: usize, b: usize| {
            if b == 0 {
                100.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        let summary = json!({
            "recall": pct(tp, tp + fneg),
            "precision": pct(tp, tp + fp),
            "zero_result_rate": pct(zero, queries.len()),
            "cold_first_query_bytes_median": cold[cold.len() / 2],
            "query_bytes_median": bytes[bytes.len() / 2],
            "query_bytes_mean": bytes.iter().sum::<u64>() / bytes.len() as u64,
            "query_ms_median": times[times.len() / 2],
            "by_category": by_cat.iter().map(|(k, v)| (k.to_string(), json!({ "recall": pct(v.0, v.0 + v.2), "precision": pct(v.0, v.0 + v.1), "zero": v.3 }))).collect::<serde_json::Map<_, _>>(),
        });
        table.push((tool.name, summary.clone()));
        report.insert(
            tool.name.into(),
            json!({ "summary": summary, "queries": per_query }),
        );
    }
    println!("\n{} queries ({} dictionary words, 20 Latin/mixed, 40 two-term, 180 random substrings); first {shown} results' excerpts loaded per query\n", queries.len(), words.len());
    println!(
        "| | {} |",
        table.iter().map(|t| t.0).collect::<Vec<_>>().join(" | ")
    );
    println!(
        "|---|{}|",
        table.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for (label, key) in [
        ("recall", "recall"),
        ("precision", "precision"),
        ("zero-result rate", "zero_result_rate"),
        (
            "bytes, first query on a cold page (median of 5)",
            "cold_first_query_bytes_median",
        ),
        (
            "bytes per query in a session (median)",
            "query_bytes_median",
        ),
        ("bytes per query in a session (mean)", "query_bytes_mean"),
        (
            "query time in ms, with excerpts (median)",
            "query_ms_median",
        ),
    ] {
        let cells: Vec<String> = table
            .iter()
            .map(|t| match t.1[key].as_f64() {
                Some(v) if key.contains("bytes") => format!("{:.0}", v),
                Some(v) => format!("{v:.2}"),
                None => "-".into(),
            })
            .collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    for cat in ["word", "latin/mixed", "two terms", "substring"] {
        let cells: Vec<String> = table
            .iter()
            .map(|t| {
                let c = &t.1["by_category"][cat];
                format!(
                    "{:.1}% / {:.1}% / {}",
                    c["recall"].as_f64().unwrap_or(0.0),
                    c["precision"].as_f64().unwrap_or(0.0),
                    c["zero"]
                )
            })
            .collect();
        println!(
            "| {cat}: recall / precision / zero-result queries | {} |",
            cells.join(" | ")
        );
    }
    if let Ok(p) = std::env::var("QS_BENCH_OUT") {
        std::fs::write(
            p,
            serde_json::to_string_pretty(&Value::Object(report)).unwrap(),
        )
        .unwrap();
    }
}
