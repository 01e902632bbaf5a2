#!/usr/bin/env bash
# Times `qunshu deploy` (release) to S3-compatible object storage (issue 17):
# moto's S3 server started here on 127.0.0.1, the generated corpus built once,
# then the first deploy (every file uploaded), a deploy with nothing changed,
# and a deploy after one post changed.
#
#   scripts/bench-deploy.sh [N_POSTS]     (default 10000; BENCH_DIR to choose the folder)
#
# Needs python3 and moto's server (`pip install 'moto[server]'`; .ci/run puts
# it in target/moto-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
WORK=${BENCH_DIR:-/tmp/qunshu-bench-deploy}
MOTO=$(command -v moto_server || echo target/moto-venv/bin/moto_server)
[ -x "$MOTO" ] || { echo "moto_server not found: pip install 'moto[server]'"; exit 1; }
cargo build --release --quiet
BIN=$PWD/target/release/qunshu
rm -rf "$WORK" && mkdir -p "$WORK"
python3 scripts/gen-corpus.py "$WORK/q" "$N" >/dev/null
Q="$WORK/q"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MOTO" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT))" 2>/dev/null && break
  sleep 0.2
done
python3 -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:$PORT/bench', method='PUT'))"
printf '\n[deploy]\nbucket = "bench"\nendpoint = "http://127.0.0.1:%s"\nprefix = "archive"\npath_style = true\n' "$PORT" >> "$Q/site.toml"
export QUNSHU_S3_ACCESS_KEY_ID=bench QUNSHU_S3_SECRET_ACCESS_KEY=bench-secret
echo "build: $(/usr/bin/time -f '%e s' "$BIN" --root "$Q" build --quiet 2>&1 >/dev/null | tail -1)"
echo "files: $(find "$Q/public" -type f | wc -l), $(du -sh "$Q/public" | cut -f1)"
t() { # label, args...
  local label=$1; shift
  /usr/bin/time -f "%e s wall, %U + %S s CPU, %M KB peak" -o "$WORK/time" "$BIN" --root "$Q" deploy "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  echo "$label: $(cat "$WORK/time")"
  echo "    $(tail -1 "$WORK/out")"
}
echo "uptime: $(uptime)"
t "first deploy (everything uploaded)"
t "deploy, nothing changed"
t "deploy, nothing changed (again)"
F=$(find "$Q/content/briefs" -name "*.md" | sort | sed -n 1p)
printf '\n补充一段。\n' >> "$F"
"$BIN" --root "$Q" build --quiet
t "dry run after one post changed" --dry-run
t "deploy after one post changed"
echo "uptime: $(uptime)"
