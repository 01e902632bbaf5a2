#!/usr/bin/env bash
# Delivery benchmarks (issue 4): times the release binary.
#   scripts/bench-deliver.sh [N_POSTS]    (default 500)
# 1. `qunshu post` delivering N due posts to an outbox channel
#    (per post: 2 fsynced ledger records + one fsynced file).
# 2. `qunshu post` delivering N due posts to a local HTTP endpoint
#    (a Slack-style webhook answering "ok", on 127.0.0.1), pace 0s.
# 3. `qunshu status` on the resulting ledger; a no-op `qunshu post`.
# 4. The cron case on the 10,000-post corpus: `post` with nothing due and
#    `post --dry-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-500}"
cargo build --release -q
BIN="$PWD/target/release/qunshu"
WORK="$(mktemp -d)"
trap 'kill ${SRV:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Wall-clock and CPU time of one command (the machine is shared, so both).
t() { local TIMEFORMAT="%R s wall, %U s user, %S s sys"; { time "$@" >/dev/null 2>&1; } 2>&1; }

mk_site() { # DIR CHANNEL_TOML
  mkdir -p "$1/content/briefs"
  cat > "$1/site.toml" <<TOML
title = "bench"
timezone = "Asia/Shanghai"
[[columns]]
id = "zaobao"
name = "早报"
kind = "brief"
times = ["08:00"]
stale_after = "12h"
$2
TOML
  printf 'xiaowang:\n  name: 王晓雯\n  privacy: public\n' > "$1/content/members.yaml"
  python3 - "$1" "$N" <<'PY'
import sys, os
root, n = sys.argv[1], int(sys.argv[2])
para = "社群运营的关键在于持续输出，每天固定时段发布内容，让成员形成期待。" * 6
for i in range(n):
    h, m, s = 9 + (i * 5) // 3600, ((i * 5) // 60) % 60, (i * 5) % 60
    with open(os.path.join(root, "content/briefs", f"p{i:05d}.md"), "w") as f:
        f.write(f"---\ntitle: 第{i}篇\npublish_at: 2026-11-24 {h:02d}:{m:02d}:{s:02d}\ncolumn: zaobao\nauthors: [xiaowang]\n---\n" + "\n\n".join([para] * 4) + "\n")
PY
}
CLOCK="2026-11-24 20:00"

echo "== outbox: $N due posts"
mk_site "$WORK/ob" $'[[channels]]\nid = "wx"\nkind = "outbox"'
"$BIN" --root "$WORK/ob" post --clock "2026-11-24 08:00" >/dev/null  # starts the ledger
echo "post (deliver $N): $(t "$BIN" --root "$WORK/ob" post --clock "$CLOCK")"
echo "post (nothing left): $(t "$BIN" --root "$WORK/ob" post --clock "$CLOCK")"
echo "status: $(t "$BIN" --root "$WORK/ob" status --clock "$CLOCK")  ($(wc -l < "$WORK/ob/.qunshu/ledger.jsonl") ledger lines)"

echo "== local HTTP endpoint: $N due posts"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$PORT" <<'PY' &
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # One write: a split header/body write meets delayed ACKs (40 ms a request).
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
SRV=$!
sleep 0.5
mk_site "$WORK/http" $'[[channels]]\nid = "sl"\nkind = "slack"\nurl_env = "BENCH_URL"\npace = "0s"'
export BENCH_URL="http://127.0.0.1:$PORT/hook"
"$BIN" --root "$WORK/http" post --clock "2026-11-24 08:00" >/dev/null
echo "post (deliver $N over HTTP): $(t "$BIN" --root "$WORK/http" post --clock "$CLOCK")"

echo "== 10,000-post corpus, cron case"
python3 scripts/gen-corpus.py "$WORK/big" 10000 >/dev/null
printf '\n[[channels]]\nid = "wx"\nkind = "outbox"\n' >> "$WORK/big/site.toml"
"$BIN" --root "$WORK/big" post >/dev/null || true
echo "post (nothing due, 10k posts): $(t "$BIN" --root "$WORK/big" post)"
echo "post --dry-run (10k posts): $(t "$BIN" --root "$WORK/big" post --dry-run)"
echo "status (10k posts): $(t "$BIN" --root "$WORK/big" status)"
