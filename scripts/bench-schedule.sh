#!/usr/bin/env bash
# Benchmark `qunshu schedule`: a year of slots over a 10,000-post community.
#
# Usage: scripts/bench-schedule.sh [N_POSTS] [RUNS]
#
# Builds the release binary, generates a corpus with scripts/gen-corpus.py,
# turns every third post into a queued post (its publish_at line removed, so
# the planner has ~3,300 posts to place into slots, years ahead), adds the
# demo's recurring events and duty rota, then times, with the release binary:
#   - `qunshu check` (loading and validating the community: the floor),
#   - `qunshu schedule --days 365` in table, json and ics formats (the
#     table also on one core, with taskset, when it is there),
#   - `qunshu report` for one duty week,
# each RUNS times (default 5), and prints the min and median wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-5}
cargo build --release --quiet
BIN=$PWD/target/release/qunshu
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 scripts/gen-corpus.py "$DIR" "$N" >/dev/null
python3 - "$DIR" <<'PY'
import os, sys
root = sys.argv[1]
files = []
for d, _, fs in os.walk(os.path.join(root, "content")):
    files += [os.path.join(d, f) for f in fs if f.endswith(".md")]
files.sort()
queued = 0
for i, p in enumerate(files):
    if i % 3:
        continue
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")
    lines = [l for l in lines if not l.startswith("publish_at:")]
    with open(p, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    queued += 1
with open(os.path.join(root, "site.toml"), "a", encoding="utf-8") as f:
    f.write('''
[[events]]
name = "问题解决会"
start = "2024-01-05"
time = "20:00"
duration = "90m"
rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"

[[events]]
name = "周六圆桌"
start = "2024-01-06"
time = "14:00"
duration = "2h"
rule = "FREQ=WEEKLY;BYDAY=SA"
capacity = 12

[rota]
members = ["m000", "m001", "m002", "m003"]
start = "2024-01-01"
''')
print(f"{len(files)} posts, {queued} made queued", file=sys.stderr)
PY
grep -q '^m000:' "$DIR/content/members.yaml" || { echo "corpus has no member m000" >&2; exit 1; }

bench() {
  local label=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$DIR/err" || [ $? -eq 3 ] || { cat "$DIR/err" >&2; exit 1; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-40s min %5s ms   median %5s ms   (%s runs)\n' "$label" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")" "$RUNS"
}
CLOCK="2026-01-01 09:00"
"$BIN" --root "$DIR" schedule --clock "$CLOCK" --days 365 --format json >"$DIR/plan.json" || [ $? -eq 3 ]
python3 - "$DIR/plan.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
st = {}
for e in p["entries"]:
    st[e["status"]] = st.get(e["status"], 0) + 1
print(f"plan: {len(p['entries'])} entries in 365 days {st}, {len(p['events'])} events, "
      f"{len(p['duty'])} duty weeks, runway " +
      ", ".join(f"{r['column']} {r['queued']} queued until {r['runs_out']}" for r in p["runway"]))
PY
echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench "check (load only)" "$BIN" --root "$DIR" check --clock "$CLOCK"
bench "schedule --days 365 (table)" "$BIN" --root "$DIR" schedule --clock "$CLOCK" --days 365
bench "schedule --days 365 --format json" "$BIN" --root "$DIR" schedule --clock "$CLOCK" --days 365 --format json
bench "schedule --days 365 --format ics" "$BIN" --root "$DIR" schedule --clock "$CLOCK" --days 365 --format ics
if command -v taskset >/dev/null 2>&1; then
  bench "schedule --days 365 (table, 1 core)" taskset -c 0 "$BIN" --root "$DIR" schedule --clock "$CLOCK" --days 365
fi
bench "report --week 2025-12-22" "$BIN" --root "$DIR" report --clock "$CLOCK" --week 2025-12-22
