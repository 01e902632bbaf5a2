#!/usr/bin/env bash
# `serve` while the search index is being rebuilt: a 10,000-post community,
# one post saved 7 times at 0.8 s intervals (so every save lands after the
# 0.5 s quiet period, while the index of the previous save is being built),
# and every reload's latency: the time from writing the file to the
# reload message arriving on the live-reload WebSocket.
#
# Usage: scripts/bench-serve-search.sh [N_POSTS] [SAVES] [INTERVAL_S]
#        (defaults: 10000, 7, 0.8). BIN=path/to/qunshu times another build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
SAVES=${2:-7}
INTERVAL=${3:-0.8}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/qunshu
fi
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 scripts/gen-corpus.py "$WORK/site" "$N" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
QUNSHU_TRACE=1 "$BIN" --root "$WORK/site" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do grep -q serving "$WORK/serve.log" && break; sleep 0.1; done
# Let the first index build finish.
sleep 3

python3 - "$PORT" "$WORK/site" "$SAVES" "$INTERVAL" <<'PY'
import base64, os, socket, statistics, sys, time

port, root, saves, interval = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /__qunshu/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
buf = buf.split(b"\r\n\r\n", 1)[1]

def message(timeout=60):
    global buf
    s.settimeout(timeout)
    def need(k):
        global buf
        while len(buf) < k:
            buf += s.recv(65536)
    need(2)
    ln, off = buf[1] & 0x7F, 2
    if ln == 126:
        need(4); ln, off = int.from_bytes(buf[2:4], "big"), 4
    elif ln == 127:
        need(10); ln, off = int.from_bytes(buf[2:10], "big"), 10
    need(off + ln)
    payload, buf = buf[off:off + ln], buf[off + ln:]
    return payload.decode()

folder = os.path.join(root, "content", "briefs")
post = os.path.join(folder, sorted(f for f in os.listdir(folder) if f.endswith(".md"))[0])
lat = []
for i in range(saves):
    start = time.perf_counter()
    with open(post, encoding="utf-8") as f:
        text = f.read()
    with open(post, "w", encoding="utf-8") as f:
        f.write(text + f"\n\n第 {i} 次保存追加的段落。\n")
    message()
    lat.append((time.perf_counter() - start) * 1000)
    time.sleep(max(0.0, interval - (time.perf_counter() - start)))
print("reload latency per save (ms): " + ", ".join(f"{x:.0f}" for x in lat))
print(f"{saves} saves of one post of {os.path.basename(root)} at {interval} s intervals: "
      f"median {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms")
PY
# After the last save: how long until the index is up to date again.
for _ in $(seq 240); do grep -q "search index rebuilt" "$WORK/serve.log" && break; sleep 0.5; done
echo "index builds completed during the run and the quiet after it: $(grep -c "search index rebuilt" "$WORK/serve.log" || true)"
grep "search index rebuilt" "$WORK/serve.log" | tail -2
