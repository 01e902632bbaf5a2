#!/usr/bin/env bash
# Live-reload latency of `qunshu serve` on a 10,000-post community: the time
# from writing a post's file to the browser's reload message arriving on the
# live-reload WebSocket (what a browser tab waits for), measured by a client
# that writes the file and listens on the socket itself.
#
# Usage: scripts/bench-serve.sh [N_POSTS] [EDITS]      (defaults: 10000, 30)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
EDITS=${2:-30}
cargo build --release --quiet
BIN=$PWD/target/release/qunshu
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 scripts/gen-corpus.py "$WORK/site" "$N" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
QUNSHU_TRACE=1 "$BIN" --root "$WORK/site" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do grep -q serving "$WORK/serve.log" && break; sleep 0.1; done
grep -E "built|serving" "$WORK/serve.log"

python3 - "$PORT" "$WORK/site" "$EDITS" "$SERVER" <<'PY'
import base64, os, random, socket, statistics, sys, time

port, root, edits, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]

def cpu_seconds():
    # utime + stime of the server process (all threads), in seconds.
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /__qunshu/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
buf = buf.split(b"\r\n\r\n", 1)[1]

def message(timeout=30):
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

posts = []
for d in ("briefs", "qa", "cases"):
    folder = os.path.join(root, "content", d)
    posts += [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".md")]
rng = random.Random(7)
time.sleep(1)

def timed(path, change):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = change(text)
    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    msg = message()
    return (time.perf_counter() - t0) * 1000, msg

lat = []
cpu0 = cpu_seconds()
for i in range(edits):
    p = rng.choice(posts)
    ms, msg = timed(p, lambda t: t + f"\n\n基准测试追加的第 {i} 段。\n")
    lat.append(ms)
    time.sleep(0.3)
cpu = (cpu_seconds() - cpu0) / edits * 1000
lat.sort()
print(f"server CPU time per save (all threads): {cpu:.0f} ms; load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
print(f"edit one post's text ({edits} saves, {len(posts)} posts): "
      f"min {lat[0]:.0f} ms, median {statistics.median(lat):.0f} ms, "
      f"p90 {lat[int(len(lat) * 0.9) - 1]:.0f} ms, max {lat[-1]:.0f} ms")

ms, _ = timed(rng.choice(posts), lambda t: t.replace("title: ", "title: 改题 ", 1))
print(f"retitle one post (its page moves): {ms:.0f} ms")
time.sleep(0.3)
site = os.path.join(root, "site.toml")
ms, _ = timed(site, lambda t: t + "\n# touched\n")
print(f"edit site.toml (full rebuild): {ms:.0f} ms")
PY
echo "server's own log of the last updates:"
grep -E "changed:|phases:" "$WORK/serve.log" | tail -6
