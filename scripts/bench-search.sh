#!/usr/bin/env bash
# Search benchmark: qunshu against Pagefind, side by side, on the same
# 10,000-post Chinese corpus and the same HTML.
#
#   scripts/bench-search.sh [N_POSTS]        (default 10000)
#
# 1. generates the corpus (scripts/gen-corpus.py) and builds it with the
#    release `qunshu build` (pages + search index), timed;
# 2. installs Pagefind with `npm install pagefind` and runs it over
#    qunshu's post pages (every page has lang="zh-CN", so Pagefind segments
#    Chinese; `<main>` marked data-pagefind-body), timed;
# 3. runs both engines in headless Chromium against a local HTTP server
#    (tests/it/browser_search.rs, `search_benchmark`): a few hundred queries,
#    recall and precision against exact-substring ground truth, zero-result
#    rate, bytes served for a cold first query and per query, query time.
#
# Needs python3, npm and chromium. Work folder: $BENCH_DIR (default
# /tmp/qunshu-bench-search). Results: $BENCH_DIR/search-bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
WORK=${BENCH_DIR:-/tmp/qunshu-bench-search}
CLOCK="2026-12-31 00:00"
mkdir -p "$WORK"
cargo build --release --quiet
if [ ! -f "$WORK/corpus-$N/site.toml" ]; then
  rm -rf "$WORK/corpus-$N"
  python3 scripts/gen-corpus.py "$WORK/corpus-$N" "$N"
fi
SITE="$WORK/site"
rm -rf "$SITE"
echo "== qunshu build (pages and search index), release"
/usr/bin/time -f "qunshu build: %e s wall, %M KB peak" \
  target/release/qunshu --root "$WORK/corpus-$N" build --quiet --clock "$CLOCK" --out "$SITE"

echo "== Pagefind over the same post pages"
PF="$WORK/node/node_modules/.bin/pagefind"
[ -x "$PF" ] || npm install --silent --prefix "$WORK/node" pagefind@1.6.0
rm -rf "$WORK/pfsrc" && mkdir -p "$WORK/pfsrc"
(cd "$SITE" && find briefs qa cases -maxdepth 1 -name '*.html' ! -name index.html -print0 \
  | xargs -0 cp --parents -t "$WORK/pfsrc")
# Index the article only (not the header, navigation and footer every page
# repeats), as a Pagefind site would with data-pagefind-body.
find "$WORK/pfsrc" -name '*.html' -print0 | xargs -0 sed -i 's/<main id="main"/<main data-pagefind-body id="main"/'

echo "post pages: $(find "$WORK/pfsrc" -name '*.html' | wc -l) (qunshu indexed $(grep -o '"docs":[0-9]*' "$SITE/search/index.js" | cut -d: -f2))"
/usr/bin/time -f "pagefind: %e s wall, %M KB peak" \
  "$PF" --site "$WORK/pfsrc" --output-path "$SITE/pagefind" --silent

size() { find "$1" -type f -printf '%s\n' | awk '{s+=$1; n++} END {printf "%.1f MB in %d files\n", s/1e6, n}'; }
echo "qunshu index size:   $(size "$SITE/search") (+ search.js $(stat -c %s "$SITE/search.js") bytes)"
echo "Pagefind index size: $(size "$SITE/pagefind") (all of pagefind/, its UI bundles included)"
echo "Pagefind, without UI bundles: $(find "$SITE/pagefind" -type f ! -name '*-ui.*' ! -name '*component*' ! -name 'pagefind-highlight.js' -printf '%s\n' | awk '{s+=$1} END {printf "%.1f MB", s/1e6}')"

echo "== queries in headless Chromium"
QS_BENCH_SITE="$SITE" QS_BENCH_CORPUS="$WORK/corpus-$N" QS_BENCH_CLOCK="$CLOCK" \
QS_BENCH_OUT="$WORK/search-bench.json" \
  cargo test --release --quiet --test it -- --ignored browser_search::search_benchmark --nocapture
