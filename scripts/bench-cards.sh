#!/usr/bin/env bash
# Times `qunshu build` (release) with share cards, related posts and urls.lock
# (issue 17): the first build (every card drawn), a rebuild with nothing
# changed (every card from the cache), a rebuild after one retitle (one card
# drawn), `qunshu deploy` to a folder (first, then with nothing changed), and a
# build with `[share] cards = false` for comparison.
#
#   scripts/bench-cards.sh [N_POSTS]        (default 10000; BENCH_DIR to choose the folder)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
WORK=${BENCH_DIR:-/tmp/qunshu-bench-cards}
cargo build --release --quiet
BIN=$PWD/target/release/qunshu
rm -rf "$WORK" && mkdir -p "$WORK"
python3 scripts/gen-corpus.py "$WORK/q" "$N" >/dev/null
Q="$WORK/q"
t() { /usr/bin/time -f "%e s, %U + %S s CPU, %M KB peak" "$@" 2>&1 >/dev/null | tail -1; }
echo "first build (all $N cards drawn): $(t "$BIN" --root "$Q" build --quiet)"
echo "cards in cache: $(ls "$Q/.qunshu/cache/cards" | wc -l)"
echo "rebuild, nothing changed:        $(t "$BIN" --root "$Q" build --quiet)"
# (sed -n 1p, not head -1: head exiting early kills sort with SIGPIPE under pipefail)
F=$(find "$Q/content/briefs" -name '*.md' | sort | sed -n 1p)
sed -i -E '0,/^title: /s/^title: "?([^"]*)"?$/title: "\1（修订）"/' "$F"
echo "rebuild after one retitle:       $(t "$BIN" --root "$Q" build --quiet)"
echo "redirects: $(grep -c '^old = ' "$Q/urls.lock")"
printf '\n[deploy]\ntarget = "%s"\n' "$WORK/www" >> "$Q/site.toml"
echo "first deploy (everything copied): $(t "$BIN" --root "$Q" deploy)"
echo "deploy with nothing changed:      $(t "$BIN" --root "$Q" deploy)"
"$BIN" --root "$Q" deploy | tail -1
printf '\n[share]\ncards = false\n' >> "$Q/site.toml"
echo "build without cards:             $(t "$BIN" --root "$Q" build --quiet)"
