#!/usr/bin/env bash
# Does mimalloc pay? Times `qunshu build` and `qunshu check` on a generated
# corpus with the default build (mimalloc) and with the system allocator
# (`--no-default-features`), alternating runs so load changes hit both.
#
#   scripts/bench-alloc.sh [N_POSTS] [RUNS]     (default 10000 posts, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-5}
WORK=${BENCH_DIR:-/tmp/qunshu-bench-alloc}
rm -rf "$WORK" && mkdir -p "$WORK"
cargo build --release --quiet
cp target/release/qunshu "$WORK/qunshu-mimalloc"
cargo build --release --quiet --no-default-features --target-dir "$WORK/target-system"
cp "$WORK/target-system/release/qunshu" "$WORK/qunshu-system"
python3 scripts/gen-corpus.py "$WORK/q" "$N" >/dev/null
for job in check build; do
  for i in $(seq "$RUNS"); do
    for v in mimalloc system; do
      args=(--root "$WORK/q" "$job")
      [ "$job" = build ] && args+=(--quiet --clock "2026-11-23 12:00" --out "$WORK/out-$v")
      /usr/bin/time -f "%e %M" -o "$WORK/t" "$WORK/qunshu-$v" "${args[@]}" >/dev/null 2>&1
      echo "$job $v $(cat "$WORK/t")" | tee -a "$WORK/results"
    done
  done
done
echo "median wall seconds and peak RSS (KB):"
for job in check build; do
  for v in mimalloc system; do
    grep "^$job $v " "$WORK/results" | awk '{print $3, $4}' | sort -n |
      awk -v j="$job" -v v="$v" '{w[NR]=$1; m[NR]=$2} END {k=int((NR+1)/2); printf "  %-5s %-8s %6.2f s  %8d KB\n", j, v, w[k], m[k]}'
  done
done
