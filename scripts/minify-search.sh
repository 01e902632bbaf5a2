#!/usr/bin/env bash
# Writes the search box's script as the site ships it:
# themes/default/src/search.js (the readable source, the twin of
# src/archive/search/query.rs) minified by terser into
# themes/default/static/search.js (committed; what `qunshu build` copies).
# Minified, the script is about half the bytes of a first search.
#
#   scripts/minify-search.sh           # rewrite static/search.js after editing the source
#   scripts/minify-search.sh --check   # fail when static/search.js is not the source minified (CI)
#
# terser (pinned) is installed from npm into the git-ignored .ci/node/.
set -euo pipefail
cd "$(dirname "$0")/.."
TERSER_VERSION=5.51.4
SRC=themes/default/src/search.js
OUT=themes/default/static/search.js
if ! grep -qs "\"version\": \"$TERSER_VERSION\"" .ci/node/node_modules/terser/package.json; then
  npm install --prefix .ci/node --no-audit --no-fund --loglevel=error "terser@$TERSER_VERSION" >&2
fi
min() {
  printf '/* 群书 qunshu search box. Minified from themes/default/src/search.js by scripts/minify-search.sh; edit the source, then run it. MIT licence. */\n'
  node .ci/node/node_modules/terser/bin/terser "$SRC" --compress --mangle --comments false
  printf '\n'
}
if [ "${1:-}" = "--check" ]; then
  if ! min | cmp -s - "$OUT"; then
    echo "$OUT is not $SRC minified: run scripts/minify-search.sh and commit the result" >&2
    exit 1
  fi
  echo "$OUT is $SRC minified"
else
  tmp=$(mktemp)
  min > "$tmp"
  mv "$tmp" "$OUT"
  chmod 644 "$OUT"
  echo "wrote $OUT ($(wc -c < "$OUT") bytes, from $(wc -c < "$SRC"))"
fi
