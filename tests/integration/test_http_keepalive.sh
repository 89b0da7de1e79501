#!/usr/bin/env bash
# The HTTP service against a Linux client on one keep-alive connection: the same GET
# again and again (parsed once, then recognised byte for byte), a HEAD of the same target
# (no body), a GET with a body (skipped, not read as a request), two requests in one
# write, and a request split over two writes; every answer checked, stats.services
# counts them with no error, and the mbuf pool is back to its baseline.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init http_keepalive
require root tun hugepages netns binaries || lr_done
start_linerate --set tcp.http_keepalive=yes --set tcp.http_body_size=16 || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

out=$(nsx timeout 60 "$PY" - "$LR_OUR_IP" <<'PYEOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b""

def response():
    """One response: its head and its body (Content-Length bytes)."""
    global buf
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed")
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    return head, n

def body(n):
    global buf
    while len(buf) < n:
        buf += s.recv(65536)
    b, buf = buf[:n], buf[n:]
    return b

get = b"GET /k HTTP/1.1\r\nHost: linerate\r\nUser-Agent: t\r\n\r\n"
head_req = b"HEAD /k HTTP/1.1\r\nHost: linerate\r\nUser-Agent: t\r\n\r\n"
post_like = b"GET /b HTTP/1.1\r\nHost: linerate\r\nContent-Length: 5\r\n\r\nhello"
first = None
same = 0
for i in range(50):
    s.sendall(get)
    h, n = response()
    b = body(n)
    if first is None:
        first = (h, b)
    same += (h, b) == first and h.startswith(b"HTTP/1.1 200") and n == 16
print("same", same)
s.sendall(head_req)
h, n = response()          # HEAD: Content-Length says 16, no body follows
print("head", int(h.startswith(b"HTTP/1.1 200") and n == 16))
ok = 0
for i in range(2):
    s.sendall(post_like)
    h, n = response()
    ok += h.startswith(b"HTTP/1.1 200") and body(n) == first[1]
print("bodyskip", ok)
s.sendall(get + get)
ok = 0
for i in range(2):
    h, n = response()
    ok += (h, body(n)) == first
print("pipelined", ok)
s.sendall(get[:20])
time.sleep(0.2)
s.sendall(get[20:])
h, n = response()
print("split", int((h, body(n)) == first))
print("leftover", len(buf))
s.close()
PYEOF
)
check_grep "the same GET 50 times on one connection: 50 identical 200s of 16 bytes" \
	"^same 50$" "$out"
check_grep "a HEAD of the same target after it: 200, Content-Length 16, no body" "^head 1$" "$out"
check_grep "a GET with a 5-byte body, twice: each answered once, its body skipped" \
	"^bodyskip 2$" "$out"
check_grep "two GETs in one write: two answers" "^pipelined 2$" "$out"
check_grep "a GET split over two writes: answered" "^split 1$" "$out"
check_grep "nothing after the last answer (no answer to a body read as a request)" \
	"^leftover 0$" "$out"
stats_snapshot "$LR_TMP/s1.json"
check_eq "stats.services: http requests 56" 56 \
	"$(stat_get services.http.requests "$LR_TMP/s1.json")"
check_eq "stats.services: http errors 0" 0 "$(stat_get services.http.errors "$LR_TMP/s1.json")"
if [[ $base_in_use =~ ^[0-9]+$ ]]; then
	now=$(mempool_back_to "$base_in_use" 20)
	check_eq "no mbuf leaked (mempool.in_use back to $base_in_use)" "$base_in_use" "$now"
fi
stop_linerate
lr_done
