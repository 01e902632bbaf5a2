#!/usr/bin/env bash
# Benchmark for `qunshu book` (issue 6): a book of ~1,000 solved Q&A threads
# (every answer, reply and summary), exported as EPUB + HTML by the release
# binary. Prints the wall time of each run (the whole command: loading and
# rendering the community, selecting, rendering the book, writing files).
#
# Usage: scripts/bench-book.sh [N_POSTS] [RUNS]
#   N_POSTS  posts in the generated corpus (default 2950: 1,180 threads, ~1,000 solved)
#   RUNS     timed runs after one warm-up (default 5)
# Set BENCH_CHECK=1 to also run epubcheck on the big EPUB and print it to PDF
# (pdftoppm then checks the first pages are not blank).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2950}
RUNS=${2:-5}
DIR=${BENCH_DIR:-target/bench-book}
cargo build --release --quiet
BIN=target/release/qunshu
rm -rf "$DIR"
python3 scripts/gen-corpus.py "$DIR/site" "$N" >/dev/null
cat >> "$DIR/site/site.toml" <<'TOML'

[book]
title = "基准测试之书"
kinds = ["qa"]
other_answers = true
replies = true
TOML
solved=$(grep -rl "^status: solved" "$DIR/site/content" | wc -l)
echo "corpus: $N posts, $solved solved threads"
run() { "$BIN" --root "$DIR/site" book --format epub,html --out "$DIR/out" --clock "2030-01-01 00:00" "$@"; }
run >/dev/null 2>&1 # warm-up (file cache)
for i in $(seq "$RUNS"); do
  start=$(date +%s%N)
  run > "$DIR/run.log" 2>&1
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms   ($(grep -E '^book|^done' "$DIR/run.log" | tr '\n' ' '))"
done
ls -l "$DIR/out"
if [ "${BENCH_CHECK:-0}" = 1 ]; then
  java -jar /usr/share/java/epubcheck.jar "$DIR/out/book.epub" 2>&1 | tail -3
  start=$(date +%s%N)
  run --format pdf >/dev/null
  end=$(date +%s%N)
  echo "pdf: $(( (end - start) / 1000000 )) ms, $(pdfinfo "$DIR/out/book.pdf" | grep Pages)"
  pdftoppm -r 40 -png -f 1 -l 6 "$DIR/out/book.pdf" "$DIR/out/page"
  ls "$DIR/out"/page-*.png
fi
