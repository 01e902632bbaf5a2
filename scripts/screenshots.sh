#!/usr/bin/env bash
# Screenshots of the demo archive in headless Chromium, desktop (1280 wide)
# and phone (390 wide, 2x): a thread page, the contributors index, a
# contributor page and the home page. Look at them after changing the theme.
#
#   scripts/screenshots.sh [OUT_DIR]        # default: target/screenshots
#
# Builds the demo with the debug binary (cargo build) and opens the pages
# from disk (the archive works from file://). Needs chromium and
# fonts-noto-cjk (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cargo build --quiet
site="$(mktemp -d)"
profile="$(mktemp -d)"
trap 'rm -rf "$site" "$profile"' EXIT
./target/debug/qunshu build --quiet --clock "2026-11-24 08:00" --out "$site/public"

pages=(
  "thread|qa/三个合伙人-股权到底怎么分才不出问题.html"
  "contributors|members/index.html"
  "contributor|members/张建国.html"
  "home|index.html"
)
for entry in "${pages[@]}"; do
  name="${entry%%|*}"
  page="$site/public/${entry#*|}"
  [ -f "$page" ] || { echo "missing page: $page" >&2; exit 1; }
  for device in desktop phone; do
    if [ "$device" = desktop ]; then size="1280,1800"; scale=1; else size="390,1600"; scale=2; fi
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
      --hide-scrollbars --user-data-dir="$profile" \
      --window-size="$size" --force-device-scale-factor="$scale" \
      --screenshot="$out/$name-$device.png" "file://$page" 2>/dev/null
    [ -s "$out/$name-$device.png" ] || { echo "no screenshot: $name-$device" >&2; exit 1; }
    echo "$out/$name-$device.png"
  done
done
