#!/usr/bin/env python3
"""Minimal WebSocket listener for qunshu serve's live-reload socket (no
third-party modules). Usage: ws-listen.py PORT [N]: prints each text message
received (with the time it arrived, in ns since the epoch) and exits after N."""
import base64, os, socket, sys, time

port = int(sys.argv[1]); n = int(sys.argv[2]) if len(sys.argv) > 2 else 1
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /__qunshu/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit("no upgrade: " + head.decode(errors="replace"))
print("connected", flush=True)

def need(k):
    global buf
    while len(buf) < k:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("closed")
        buf += chunk

for _ in range(n):
    need(2)
    ln = buf[1] & 0x7F; off = 2
    if ln == 126:
        need(4); ln = int.from_bytes(buf[2:4], "big"); off = 4
    elif ln == 127:
        need(10); ln = int.from_bytes(buf[2:10], "big"); off = 10
    need(off + ln)
    payload = buf[off:off + ln]; buf = buf[off + ln:]
    print(time.time_ns(), payload.decode(errors="replace"), flush=True)
