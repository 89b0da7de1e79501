#!/usr/bin/env bash
# TCP services on net_tap, driven by ordinary Linux clients from the peer namespace: echo
# (port 7) through nc and socat, small and 1 MB, identical bytes back; a closed port
# refuses with RST; discard (port 9) takes 1 MB and counts it; HTTP/1.1 (port 80) answers
# curl with 200 and the configured body, closes first on `Connection: close` (TIME_WAIT on
# the appliance), keeps a connection alive for two requests, survives a short wrk run;
# `linerate-ctl conns` shows the listeners and the states; at the end nothing is left
# ESTABLISHED and the mbuf pool is back to its baseline.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_basic
require root tun hugepages netns binaries cmd:nc cmd:socat cmd:curl cmd:wrk cmd:sha256sum || lr_done
MSL_MS=2000 # TIME_WAIT lasts 4 s, so the test can watch it expire
start_linerate --set "tcp.msl_ms=$MSL_MS" || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
URL=http://$LR_OUR_IP/

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")
[[ $base_in_use =~ ^[0-9]+$ ]] || not_ok "--json stats has mempool.in_use (needed for the leak check)"
body_size=$(ctl --json config | "$PY" -c \
	'import json,sys; print(json.load(sys.stdin).get("tcp", {}).get("http_body_size", ""))' 2>/dev/null)
[[ $body_size =~ ^[0-9]+$ ]] || body_size=128
note "http_body_size $body_size"

# ---- listeners ----
conns=$(conns_lines "$LR_TMP/c0.json" 2>&1)
for port in 7 9 19 80; do
	check_grep "conns: LISTEN on port $port" "^LISTEN $port " "$conns"
done
out=$(ctl conns LISTEN 2>&1)
check_grep "conns LISTEN (text) lists port 80" '(:|\b)80\b.*LISTEN|LISTEN.*(:|\b)80\b' "$out"

# ---- echo ----
msg="linerate tcp echo $$"
got=$(printf '%s\n' "$msg" | nsx timeout 10 nc -N -w 5 "$LR_OUR_IP" 7 2>&1)
check_eq "nc echo: short line comes back" "$msg" "$got"
got=$(printf '%s\n' "$msg" | nsx timeout 10 socat -t 5 -T 5 - "TCP:$LR_OUR_IP:7" 2>&1)
check_eq "socat echo: short line comes back" "$msg" "$got"

head -c 1048576 /dev/urandom >"$LR_TMP/1m.in"
want=$(sha256sum <"$LR_TMP/1m.in" | cut -d' ' -f1)
nsx timeout 30 nc -N -w 10 "$LR_OUR_IP" 7 <"$LR_TMP/1m.in" >"$LR_TMP/1m.nc" 2>"$LR_TMP/nc.err"
rc=$?
got=$(sha256sum <"$LR_TMP/1m.nc" | cut -d' ' -f1)
if ((rc == 0)) && [[ $got == "$want" ]]; then
	ok "nc echo: 1 MB comes back identical (sha256)"
else
	not_ok "nc echo of 1 MB: exit $rc, $(stat -c %s "$LR_TMP/1m.nc") bytes back, sha256 $([[ $got == "$want" ]] && echo equal || echo differs)"
	diag <"$LR_TMP/nc.err"
fi
nsx timeout 30 socat -t 20 -T 20 - "TCP:$LR_OUR_IP:7" <"$LR_TMP/1m.in" >"$LR_TMP/1m.socat" 2>"$LR_TMP/socat.err"
rc=$?
got=$(sha256sum <"$LR_TMP/1m.socat" | cut -d' ' -f1)
if ((rc == 0)) && [[ $got == "$want" ]]; then
	ok "socat echo: 1 MB comes back identical (sha256)"
else
	not_ok "socat echo of 1 MB: exit $rc, $(stat -c %s "$LR_TMP/1m.socat") bytes back, sha256 $([[ $got == "$want" ]] && echo equal || echo differs)"
	diag <"$LR_TMP/socat.err"
fi

# ---- closed port: RST ----
stats_snapshot "$LR_TMP/r0.json"
SECONDS=0
nsx timeout 10 nc -z -w 5 "$LR_OUR_IP" 4444 >/dev/null 2>&1
rc=$?
t=$SECONDS
if ((rc == 1 && t < 3)); then ok "nc -z to closed port 4444 fails at once (refused, ${t} s)"; else
	not_ok "nc -z to closed port 4444: exit $rc after ${t} s, want 1 at once"; fi
out=$(nsx timeout 10 "$PY" -c '
import socket, sys
s = socket.socket(); s.settimeout(5)
try:
    s.connect((sys.argv[1], 4445)); print("connected")
except ConnectionRefusedError: print("refused")
except Exception as e: print(type(e).__name__)' "$LR_OUR_IP" 2>&1)
check_eq "connect() to closed port 4445: ECONNREFUSED (RST)" refused "$out"
stats_snapshot "$LR_TMP/r1.json"
check_ge "tcp.rst_tx counts the two refusals" "$(delta tcp.rst_tx "$LR_TMP/r0.json" "$LR_TMP/r1.json")" 2
check_ge "tcp.no_conn counts the two SYNs to closed ports" "$(delta tcp.no_conn "$LR_TMP/r0.json" "$LR_TMP/r1.json")" 2

# ---- discard ----
stats_snapshot "$LR_TMP/d0.json"
nsx timeout 30 nc -N -w 10 "$LR_OUR_IP" 9 <"$LR_TMP/1m.in" >"$LR_TMP/d.out" 2>&1
rc=$?
check_eq "discard: nc sends 1 MB and the appliance closes (exit status)" 0 "$rc"
check_eq "discard: nothing comes back" 0 "$(stat -c %s "$LR_TMP/d.out")"
sleep 0.3
stats_snapshot "$LR_TMP/d1.json"
check_eq "tcp.rx_data_bytes counts the 1 MB" 1048576 "$(delta tcp.rx_data_bytes "$LR_TMP/d0.json" "$LR_TMP/d1.json")"
svc=$(stat_keys services "$LR_TMP/d1.json")
dkey=$(grep -E '^services\.discard\.bytes_in ' <<<"$svc" | cut -d' ' -f1)
if [[ -n $dkey ]]; then
	check_eq "stats services: $dkey counts the 1 MB" 1048576 "$(delta "$dkey" "$LR_TMP/d0.json" "$LR_TMP/d1.json")"
else
	not_ok "stats has a services section with TCP discard bytes"
	printf '%s\n' "$svc" | diag
fi

# ---- HTTP ----
stats_snapshot "$LR_TMP/h0.json"
out=$(nsx timeout 10 curl -s --max-time 5 -D "$LR_TMP/h.hdr" -o "$LR_TMP/h.body" \
	-w '%{http_code} %{size_download}' "$URL" 2>&1)
check_eq "curl GET /: 200 with a $body_size-byte body" "200 $body_size" "$out"
check_grep "HTTP response has Content-Length: $body_size" "^Content-Length: *$body_size"$'\r'"?$" "$(cat "$LR_TMP/h.hdr" 2>/dev/null)"
out=$(nsx timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "${URL}some/path?x=1" 2>&1)
check_eq "curl GET /some/path?x=1: 200" 200 "$out"

out=$(nsx timeout 10 curl --http1.1 -sv --max-time 5 -H 'Connection: close' -o /dev/null \
	-w 'CODE %{http_code} LPORT %{local_port}\n' "$URL" 2>&1)
code=$(sed -n 's/^CODE \([0-9]*\) .*/\1/p' <<<"$out")
lport=$(sed -n 's/^CODE .* LPORT \([0-9]*\)/\1/p' <<<"$out")
check_eq "curl --http1.1 -H 'Connection: close': 200" 200 "$code"
check_grep "Connection: close answered with Connection: close" '^< Connection: close' "$out"
tw=$(ctl conns TIME_WAIT 2>&1)
rc=$?
if ((rc == 0)) && [[ -n $lport ]] && grep -qE "(:|[[:space:]])$lport([[:space:]]|$)" <<<"$tw" && grep -q TIME_WAIT <<<"$tw"; then
	ok "conns TIME_WAIT lists the closed HTTP connection (peer port $lport)"
else
	not_ok "conns TIME_WAIT (exit $rc) does not list the connection from peer port ${lport:-?}"
	printf '%s\n' "$tw" | diag
fi
lines=$(conns_lines "$LR_TMP/tw.json" TIME_WAIT 2>&1)
check_grep "conns --json TIME_WAIT: 80 $LR_PEER_IP $lport" "^TIME_WAIT 80 $LR_PEER_IP $lport\$" "$lines"
lines=$(conns_lines "$LR_TMP/p80.json" port 80 2>&1)
if grep -q . <<<"$lines" && ! grep -vE '^[A-Z_0-9]+ 80 ' <<<"$lines" | grep -q .; then
	ok "conns port 80 shows only port-80 entries"
else
	not_ok "conns port 80 filter"
	printf '%s\n' "$lines" | diag
fi

# Keep-alive: two URLs, one connection.
stats_snapshot "$LR_TMP/k0.json"
out=$(nsx timeout 10 curl -sv --max-time 5 -o /dev/null -o /dev/null "$URL" "${URL}2" 2>&1)
check_grep "curl with two URLs reuses the connection (keep-alive)" 'Re-using existing connection' "$out"
check_eq "curl with two URLs: both 200" 2 "$(grep -c '^< HTTP/1.1 200' <<<"$out")"
stats_snapshot "$LR_TMP/k1.json"
check_eq "tcp.passive_open: one connection for the two requests" 1 \
	"$(delta tcp.passive_open "$LR_TMP/k0.json" "$LR_TMP/k1.json")"
# net_tap reads what it sends: the responses went from the send buffer in place.
check_ge "tcp.tx_sb_ref: the responses were sent in place, not copied" \
	"$(delta tcp.tx_sb_ref "$LR_TMP/k0.json" "$LR_TMP/k1.json")" 2

# Pipelining: three requests in one segment, three responses in order on one connection;
# HEAD gets the headers only.
out=$(nsx timeout 10 "$PY" - "$LR_OUR_IP" "$body_size" <<'PYEOF' 2>&1
import socket, sys
ip, size = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((ip, 80), timeout=5)
req = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
s.sendall(req)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
# Parse: each response = headers, then Content-Length bytes unless it answers HEAD.
pos, got = 0, []
for head in (False, True, False):
    end = data.find(b"\r\n\r\n", pos)
    if end < 0:
        break
    hdr = data[pos:end].decode("latin-1").split("\r\n")
    clen = [int(h.split(":")[1]) for h in hdr if h.lower().startswith("content-length:")]
    body = 0 if head else (clen[0] if clen else 0)
    got.append("%s/%s/%d" % (hdr[0].split(" ")[1], clen[0] if clen else "-", body))
    pos = end + 4 + body
print(" ".join(got), "rest", len(data) - pos)
PYEOF
)
check_eq "3 pipelined requests (GET, HEAD, GET+close): 3 responses, HEAD without body" \
	"200/$body_size/$body_size 200/$body_size/0 200/$body_size/$body_size rest 0" "$out"

# ---- wrk ----
out=$(nsx timeout 20 wrk -t1 -c10 -d3s --timeout 2s "$URL" 2>&1)
rc=$?
reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
if ((rc == 0)) && [[ $reqs =~ ^[0-9]+$ ]] && ((reqs > 0)) && ! grep -q 'Socket errors' <<<"$out" &&
	! grep -q 'Non-2xx' <<<"$out"; then
	ok "wrk -t1 -c10 -d3s: $reqs requests, no socket errors, no non-2xx ($(grep Requests/sec <<<"$out" | tr -s ' '))"
else
	not_ok "wrk -t1 -c10 -d3s: exit $rc, requests ${reqs:-?}"
	printf '%s\n' "$out" | diag
fi

# ---- states while connections are open ----
# Hold one connection to each service open, look at conns, then close them.
ip netns exec "$LR_NS" timeout 30 "$PY" - "$LR_OUR_IP" "$LR_TMP/held" <<'PYEOF' >"$LR_TMP/held.log" 2>&1 &
import socket, sys, time, os
ip, flag = sys.argv[1], sys.argv[2]
socks = []
with open(flag + ".ports", "w") as f:
    for port in (7, 9, 80):
        s = socket.create_connection((ip, port), timeout=5)
        socks.append(s)
        f.write("%d %d\n" % (port, s.getsockname()[1]))
s = socks[0]; s.sendall(b"ping\n"); s.recv(100)
os.rename(flag + ".ports", flag)
for _ in range(200):
    if os.path.exists(flag + ".done"):
        break
    time.sleep(0.05)
for s in socks:
    s.close()
PYEOF
held_pid=$!
LR_BG_PIDS+=("$held_pid")
for ((i = 0; i < 50; i++)); do [[ -f $LR_TMP/held ]] && break; sleep 0.1; done
lines=$(conns_lines "$LR_TMP/est.json" 2>&1)
if [[ -f $LR_TMP/held ]]; then
	while read -r port peer_port; do
		check_grep "conns: ESTABLISHED $port <- $LR_PEER_IP:$peer_port" \
			"^ESTABLISHED $port $LR_PEER_IP $peer_port\$" "$lines"
	done <"$LR_TMP/held"
else
	not_ok "three held connections (7, 9, 80) opened"
fi
lines=$(conns_lines "$LR_TMP/est2.json" ESTABLISHED 2>&1)
if [[ -n $lines ]] && ! conns_other "$lines" ESTABLISHED >/dev/null; then
	ok "conns ESTABLISHED filter shows only ESTABLISHED ($(wc -l <<<"$lines") entries)"
else
	not_ok "conns ESTABLISHED filter"
	printf '%s\n' "$lines" | diag
fi
touch "$LR_TMP/held.done"
wait "$held_pid"
check_eq "held connections closed cleanly by the client" 0 "$?"

# ---- the end: nothing left but listeners and TIME_WAIT, then only listeners ----
sleep 1
lines=$(conns_lines "$LR_TMP/end.json" 2>&1)
if grep -q '^LISTEN ' <<<"$lines" && ! conns_other "$lines" >/dev/null; then
	ok "after the clients closed: only LISTEN/TIME_WAIT entries remain"
else
	not_ok "connections left open after the clients closed"
	conns_other "$lines" | head -n 20 | diag
fi
sleep $((2 * MSL_MS / 1000 + 1))
lines=$(conns_lines "$LR_TMP/end2.json" 2>&1)
if [[ $(grep -c '^LISTEN ' <<<"$lines") -eq 4 ]] && ! conns_other "$lines" LISTEN >/dev/null; then
	ok "after 2*MSL ($((2 * MSL_MS)) ms): only the 4 listeners remain"
else
	not_ok "after 2*MSL: entries other than the 4 listeners"
	printf '%s\n' "$lines" | grep -v '^LISTEN ' | head -n 20 | diag
fi
if [[ $base_in_use =~ ^[0-9]+$ ]]; then
	now=$(mempool_back_to "$base_in_use" 20)
	check_eq "no mbuf leaked (mempool.in_use back to $base_in_use)" "$base_in_use" "$now"
fi
stats_snapshot "$LR_TMP/final.json"
for c in passive_open established closed rst_rx rst_tx rexmt_segs bad_cksum; do
	note "tcp.$c +$(delta "tcp.$c" "$LR_TMP/base.json" "$LR_TMP/final.json")"
done
check_eq "no TCP checksum errors" 0 "$(delta tcp.bad_cksum "$LR_TMP/base.json" "$LR_TMP/final.json")"

# Still answering.
out=$(nsx timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL" 2>&1)
check_eq "curl still gets 200 at the end" 200 "$out"

lr_done
