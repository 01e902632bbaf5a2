#!/usr/bin/env bash
# Parallel channels (issue 12, item 8): one rate-limited channel must delay
# only itself.
#   scripts/bench-deliver-parallel.sh [N_POSTS]      (default 20)
# N due posts × 7 channels (wecom, feishu, dingtalk, telegram, slack,
# discord, webhook) against local imitations on 127.0.0.1 (one Python
# server, each platform's success answer). Slack answers its first request
# with 429 and `Retry-After: 15`, then "ok".
# Prints, per channel, when its first and last posts were sent (seconds after the run
# began, from the ledger) and the run's wall time.
# Environment: BIN=path/to/qunshu (default: the release build),
#              PACE=1s (every channel's `pace`; PACE=default keeps each
#              platform's own), RETRY_AFTER=15.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20}"
PACE="${PACE:-1s}"
RETRY_AFTER="${RETRY_AFTER:-15}"
if [ -z "${BIN:-}" ]; then
  cargo build --release -q
  BIN="$PWD/target/release/qunshu"
fi
WORK="$(mktemp -d)"
trap 'kill ${SRV:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$PORT" "$RETRY_AFTER" <<'PY' &
import sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
lock = threading.Lock()
state = {"slack": 0, "id": 0}
OK = {
    "wecom": '{"errcode":0,"errmsg":"ok"}',
    "dingtalk": '{"errcode":0,"errmsg":"ok"}',
    "feishu": '{"code":0,"msg":"success","data":{}}',
    "slack": "ok",
}
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ep = self.path.strip("/").split("/")[0].split("?")[0]
        with lock:
            state["id"] += 1
            n = state["id"]
            if ep == "slack":
                state["slack"] += 1
                first = state["slack"] == 1
        status, extra, body = 200, "", OK.get(ep)
        if ep == "slack" and first:
            status, extra, body = 429, "Retry-After: %s\r\n" % sys.argv[2], "rate_limited"
        elif ep == "tg":
            body = '{"ok":true,"result":{"message_id":%d}}' % n
        elif body is None:
            body = '{"id":"%d"}' % n
        b = body.encode()
        head = "HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s\r\n" % (status, len(b), extra)
        self.wfile.write(head.encode() + b)
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
SRV=$!
sleep 0.5
B="http://127.0.0.1:$PORT"
export Q_WECOM="$B/wecom/send?key=k" Q_FEISHU="$B/feishu/hook/h" Q_DING="$B/dingtalk/send?access_token=t" \
  Q_TG_API="$B/tg" Q_TG_TOKEN="1:tok" Q_TG_CHAT="-1" Q_SLACK="$B/slack/services/T/B/x" \
  Q_DISCORD="$B/discord/api/webhooks/1/x" Q_HOOK="$B/hook/in"

R="$WORK/site"
mkdir -p "$R/content/briefs"
pace_line=""
[ "$PACE" != default ] && pace_line="pace = \"$PACE\""
chan() { # ID KIND SETTINGS…
  printf '\n[[channels]]\nid = "%s"\nkind = "%s"\n%s\n%s\n' "$1" "$2" "$3" "$pace_line"
}
{
  printf 'title = "bench"\ntimezone = "Asia/Shanghai"\n[[columns]]\nid = "zaobao"\nname = "早报"\nkind = "brief"\ntimes = ["08:00"]\nstale_after = "12h"\n'
  chan wecom wecom 'url_env = "Q_WECOM"'
  chan feishu feishu 'url_env = "Q_FEISHU"'
  chan dingtalk dingtalk 'url_env = "Q_DING"'
  chan telegram telegram $'url_env = "Q_TG_API"\nsecret_env = "Q_TG_TOKEN"\nchat_id_env = "Q_TG_CHAT"'
  chan slack slack 'url_env = "Q_SLACK"'
  chan discord discord 'url_env = "Q_DISCORD"'
  chan webhook webhook 'url_env = "Q_HOOK"'
} > "$R/site.toml"
printf 'xiaowang:\n  name: 王晓雯\n  privacy: public\n' > "$R/content/members.yaml"
for i in $(seq 1 "$N"); do
  printf -- '---\ntitle: 第%d篇\npublish_at: 2026-11-24 09:%02d\ncolumn: zaobao\nauthors: [xiaowang]\n---\n社群运营的关键在于持续输出。第%d篇。\n' \
    "$i" "$((i % 60))" "$i" > "$R/content/briefs/p$(printf %03d "$i").md"
done

echo "== $N posts × 7 channels, pace $PACE, slack: 429 Retry-After $RETRY_AFTER on its first request"
start=$(date +%s.%N)
"$BIN" --root "$R" post --clock "2026-11-24 20:00" > "$WORK/out.txt" || true
end=$(date +%s.%N)
python3 - "$R/.qunshu/ledger.jsonl" <<'PY'
import json, sys
from datetime import datetime
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def t(r):
    s = r["at"].rstrip("Z").split("+")[0]
    whole, _, frac = s.partition(".")
    return datetime.fromisoformat(whole).timestamp() + float("0." + (frac or "0"))
t0 = t(recs[0])
first, last, sent = {}, {}, {}
for r in recs:
    if r["event"] == "sent":
        first.setdefault(r["channel"], t(r) - t0)
        last[r["channel"]] = t(r) - t0
        sent[r["channel"]] = sent.get(r["channel"], 0) + 1
for ch in ["wecom", "feishu", "dingtalk", "telegram", "slack", "discord", "webhook"]:
    nan = float("nan")
    print(f"  {ch:9} {sent.get(ch, 0):3} sent, first at {first.get(ch, nan):5.1f} s, last at {last.get(ch, nan):5.1f} s")
PY
tail -n 1 "$WORK/out.txt"
echo "  wall: $(python3 -c "print(f'{$end - $start:.1f}')") s"
