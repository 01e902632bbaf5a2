#!/usr/bin/env bash
# Renders four pages of the demo book's typeset PDF as PNG, to look at:
# the cover, the contents, a chapter opening and a page with a footnote.
#
# Usage: scripts/book-pages.sh [OUT_DIR] [DPI]
#   OUT_DIR  where book.pdf and the PNGs go (default target/book-pages)
#   DPI      resolution (default 110)
# Uses $QUNSHU_BIN if set, else builds the release binary. Needs poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/book-pages}
DPI=${2:-110}
if [ -n "${QUNSHU_BIN:-}" ]; then BIN=$QUNSHU_BIN; else cargo build --release --quiet; BIN=target/release/qunshu; fi
mkdir -p "$OUT"
"$BIN" book --format pdf --out "$OUT" --clock "2026-12-01 00:00" >/dev/null
PDF=$OUT/book.pdf
pages=$(pdfinfo "$PDF" | awk '/^Pages:/ {print $2}')
find_page() { # the first page whose text contains $1
  for p in $(seq 1 "$pages"); do
    if pdftotext -f "$p" -l "$p" "$PDF" - | grep -q -- "$1"; then echo "$p"; return; fi
  done
  echo 1
}
contents=$(find_page "目录")
chapter=$(find_page "本章贡献者")
footnote=$(find_page "回购条款约定为公司回购")
for pair in "cover:1" "contents:$contents" "chapter:$chapter" "footnote:$footnote"; do
  name=${pair%%:*}; p=${pair##*:}
  pdftoppm -r "$DPI" -png -singlefile -f "$p" -l "$p" "$PDF" "$OUT/$name"
  echo "$OUT/$name.png (page $p of $pages)"
done
