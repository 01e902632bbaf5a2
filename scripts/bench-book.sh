#!/usr/bin/env bash
# Benchmark for `qunshu book` (issue 6): a book of ~1,000 solved Q&A threads
# (every answer, reply and summary), exported as EPUB + HTML by the release
# binary. Prints the wall time of each run (the whole command: loading and
# rendering the community, selecting, rendering the book, writing files).
#
# Usage: scripts/bench-book.sh [N_POSTS] [RUNS]
#   N_POSTS  posts in the generated corpus (default 3050: 1,220 threads, ~1,000 solved)
#   RUNS     timed runs after one warm-up (default 5)
# Set BENCH_CHECK=1 to also run epubcheck on the big EPUB, print the demo book
# to PDF and render its first pages to PNG with pdftoppm (to look at).
# Set BENCH_PDF=1 to also time the typeset PDF of the big book, and all four
# formats together (pages, size, outline entries, fonts).
# Set QUNSHU_BIN to time that binary instead of building target/release/qunshu.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3050}
RUNS=${2:-5}
DIR=$(realpath -m "${BENCH_DIR:-target/bench-book}") # absolute: --out is relative to --root
if [ -n "${QUNSHU_BIN:-}" ]; then BIN=$QUNSHU_BIN; else cargo build --release --quiet; BIN=target/release/qunshu; fi
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
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for i in $(seq "$RUNS"); do
  start=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "cpu %U s user + %S s sys, max RSS %M KB" -o "$DIR/time.log" "$BIN" --root "$DIR/site" book --format epub,html --out "$DIR/out" --clock "2030-01-01 00:00" > "$DIR/run.log" 2>&1
  else
    run > "$DIR/run.log" 2>&1
    echo "" > "$DIR/time.log"
  fi
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms wall, $(cat "$DIR/time.log")   [$(grep -E '^done' "$DIR/run.log")]"
done
grep -E '^book' "$DIR/run.log"
ls -l "$DIR/out"
if [ "${BENCH_CHECK:-0}" = 1 ]; then
  java -jar /usr/share/java/epubcheck.jar "$DIR/out/book.epub" 2>&1 | tail -3
  # The PDF of the demo book (a 3,000-page PDF of the big book takes Chromium minutes).
  start=$(date +%s%N)
  "$BIN" book --format pdf --out "$DIR/out" --clock "2026-12-01 00:00" >/dev/null
  end=$(date +%s%N)
  echo "demo pdf: $(( (end - start) / 1000000 )) ms, $(pdfinfo "$DIR/out/book.pdf" | grep Pages)"
  pdftoppm -r 40 -png -f 1 -l 6 "$DIR/out/book.pdf" "$DIR/out/page"
  ls "$DIR/out"/page-*.png
fi
if [ "${BENCH_PDF:-0}" = 1 ]; then
  for formats in pdf epub,html,pdf,md; do
    start=$(date +%s%N)
    /usr/bin/time -f "cpu %U s user + %S s sys, max RSS %M KB" -o "$DIR/time.log" \
      "$BIN" --root "$DIR/site" book --format "$formats" --out "$DIR/out" --clock "2030-01-01 00:00" > "$DIR/run.log" 2>&1
    end=$(date +%s%N)
    echo "--format $formats: $(( (end - start) / 1000000 )) ms wall, $(cat "$DIR/time.log")   [$(grep -E '^done' "$DIR/run.log")]"
  done
  echo "pdf: $(pdfinfo "$DIR/out/book.pdf" | grep -E '^(Pages|Page size)' | tr -s ' ' | paste -sd ';'), $(stat -c %s "$DIR/out/book.pdf") bytes"
  echo "outline entries: $(pdftohtml -xml -i -q -stdout "$DIR/out/book.pdf" | sed -n '/<outline>/,$p' | grep -c '<item')"
  fonts=$(pdffonts "$DIR/out/book.pdf" | tail -n +3)
  echo "fonts: $(echo "$fonts" | wc -l) ($(echo "$fonts" | grep -c 'CID' || true) CID, $(echo "$fonts" | grep -c 'Type 3' || true) Type 3)"
fi
