#!/usr/bin/env bash
# Benchmark for `qunshu import telegram` (issue 14): a generated Telegram
# Desktop export of N messages, imported into a copy of the demo community
# by the release binary. Times `--list` (read the export and find the
# threads) and `--all` (also lay out, scrub and write every thread file and
# the new members), then `--all` again (the no-op re-import), with GNU
# time's peak memory for each.
#
# Usage: scripts/bench-import.sh [N_MESSAGES] [RUNS]
#   N_MESSAGES  messages in the export (default 100000)
#   RUNS        timed runs of each (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${2:-3}
DIR=${BENCH_DIR:-target/bench-import}
cargo build --release --quiet
BIN=target/release/qunshu
mkdir -p "$DIR"
EXPORT="$DIR/result-$N.json"
[ -f "$EXPORT" ] || python3 scripts/gen-telegram-export.py "$EXPORT" "$N"
echo "export: $(du -h "$EXPORT" | cut -f1) ($N messages); load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# `sync` so that each run starts on a quiet disk (the previous run's files
# being deleted and flushed would otherwise be charged to the next one).
fresh() { rm -rf "$DIR/site"; mkdir -p "$DIR/site"; cp site.toml "$DIR/site/"; cp -r content "$DIR/site/"; sync; }
timed() {
  local label=$1; shift
  start=$(date +%s%N)
  /usr/bin/time -f "cpu %U s user + %S s sys, max RSS %M KB" -o "$DIR/time.log" "$BIN" --root "$DIR/site" import telegram "$EXPORT" "$@" > "$DIR/run.log" 2> "$DIR/err.log"
  end=$(date +%s%N)
  echo "$label: $(( (end - start) / 1000000 )) ms wall, $(cat "$DIR/time.log")"
}
fresh
"$BIN" --root "$DIR/site" import telegram "$EXPORT" --list > /dev/null # warm-up (file cache)
for i in $(seq "$RUNS"); do timed "list  run $i" --list; done
tail -1 "$DIR/run.log"
for i in $(seq "$RUNS"); do
  fresh
  timed "all   run $i" --all
done
grep "messages read" "$DIR/run.log"
for i in $(seq "$RUNS"); do timed "again run $i" --all; done
echo "$(grep -c '^unchanged' "$DIR/run.log") threads unchanged; $(ls "$DIR/site/content/qa" | wc -l) files in content/qa"
