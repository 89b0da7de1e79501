#!/usr/bin/env bash
# The load generator against a Linux HTTP/1.1 server in the peer namespace: rr (keep-alive)
# and crr (a connection per request) complete with no errors and a latency histogram, UDP
# mode with flows=4 gets every echo back from a Linux socket that sees 4 source ports,
# a closed port is counted as refused, a bad spec is a configuration error (exit 2), and
# a server that writes headers and body in two sends answers within 20 ms thanks to quick
# ACKs (42 ms, the delayed ACK, with [tcp] quickack = 0), and a [loadgen] spec given at
# start runs, prints its JSON summary and exits 0.
# Scheduled load (rate + ramp) holds its target, and the live table (stdout, `loadgen live`)
# shows it.
# Client address pool: with [port.0] ip_count = 8 (198.18.0.2 .. 198.18.0.9) the Linux peer
# gets ARP replies, pings and HTTP answered for addresses in the middle of the range (no
# ARP reply past it), and the crr clients reach the Linux server from all 8 source addresses.
. "$(dirname "$0")/lib.sh"
lr_init loadgen
require root tun hugepages netns binaries cmd:arping cmd:ping || lr_done

# A bad spec is refused before anything starts.
out=$("$LINERATE" --config "$LR_CONFIG" --set "loadgen.spec=mode=bogus" --check-config 2>&1)
rc=$?
check_eq "bad [loadgen] spec exits 2" 2 "$rc"
check_grep "bad [loadgen] spec names the key and the value" "\[loadgen\] spec: bad value 'mode=bogus'" "$out"

start_linerate --set port.0.ip_count=8 || lr_done
peer_setup || lr_done

# The address pool answers ARP and ping in the middle of the range, not past it.
out=$(nsx timeout 10 arping -c 2 -w 8 -I "$LR_IF" 198.18.0.5 2>&1)
check_grep "ip_count 8: arping 198.18.0.5 (middle of the range) is answered" \
	'Received 2 response' "$out"
check_grep "ip_count 8: the reply carries our MAC" "$LR_OUR_MAC" "${out,,}"
check "ip_count 8: ping 198.18.0.6 answers" nsx ping -c 2 -W 2 198.18.0.6
check "ip_count 8: ping 198.18.0.9 (last of the range) answers" nsx ping -c 1 -W 2 198.18.0.9
# The server side of the pool: linerate's HTTP service answers on 198.18.0.7 too.
out=$(nsx "$PY" -c 'import socket
s = socket.create_connection(("198.18.0.7", 80), timeout=3)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
d = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    d += c
print(d.split(b"\r\n")[0].decode())' 2>&1)
check_grep "ip_count 8: the HTTP service answers on 198.18.0.7" '^HTTP/1.1 200' "$out"
out=$(nsx timeout 5 arping -c 1 -w 2 -I "$LR_IF" 198.18.0.10 2>&1)
check_grep "ip_count 8: arping 198.18.0.10 (past the range) gets no reply" \
	'Received 0 response' "$out"

# The peers: http_server PORT 1 writes each response at once; http_server PORT 2 writes
# the headers and then the body, with Nagle's algorithm on, so the body waits for our
# ACK of the headers: without quick ACKs ([tcp] quickack) that is our delayed ACK, 40 ms
# a response.
http_server() {
	ip netns exec "$LR_NS" "$PY" - 198.18.0.1 "$1" "$2" "$LR_TMP/clients_$1" <<'EOF' &
import socket, sys, threading
HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 128\r\n\r\n"
PARTS = [HEAD + b"x" * 128] if sys.argv[3] == "1" else [HEAD, b"x" * 128]
def serve(c):
    buf = b""
    with c:
        while True:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            while b"\r\n\r\n" in buf:
                _, buf = buf.split(b"\r\n\r\n", 1)
                for p in PARTS:
                    c.sendall(p)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(512)
seen = set()
while True:
    c, a = s.accept()
    if a[0] not in seen:
        seen.add(a[0])
        with open(sys.argv[4], "w") as f:
            f.write("\n".join(sorted(seen)) + "\n")
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
	LR_BG_PIDS+=("$!")
}
http_server 8080 1
http_server 8081 2
# A UDP echo peer that writes how many distinct source ports it has seen.
ip netns exec "$LR_NS" "$PY" - 198.18.0.1 7007 "$LR_TMP/udp_ports" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
seen = set()
while True:
    d, a = s.recvfrom(65536)
    s.sendto(d, a)
    if a[1] not in seen:
        seen.add(a[1])
        with open(sys.argv[3], "w") as f:
            f.write("%d\n" % len(seen))
EOF
LR_BG_PIDS+=("$!")
for ((i = 0; i < 50; i++)); do
	nsx ss -ltn 2>/dev/null | grep -q '198.18.0.1:8080' &&
		nsx ss -ltn 2>/dev/null | grep -q '198.18.0.1:8081' && break
	sleep 0.1
done

# run_spec NAME SPEC...: start, wait for the window, print the JSON report to $LR_TMP/NAME.
run_spec() {
	local name=$1 i
	shift
	check "$name: loadgen start" ctl loadgen start "$@" || return 1
	for ((i = 0; i < 100; i++)); do
		sleep 0.1
		ctl --json loadgen report >"$LR_TMP/$name" 2>/dev/null || continue
		# done once the window is over and every slot drained (no progress for 0.3 s)
		if ((i > 25)) && cmp -s "$LR_TMP/$name" "$LR_TMP/$name.prev"; then
			return 0
		fi
		cp "$LR_TMP/$name" "$LR_TMP/$name.prev"
	done
	return 0
}

# jget FILE PATH: a value from a JSON report.
jget() {
	"$PY" -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1" "$2"
}

run_spec rr mode=rr target=198.18.0.1:8080 conc=4 duration=2s warmup=0s
check_ge "rr: responses" "$(jget "$LR_TMP/rr" requests)" 100
check_eq "rr: 4 keep-alive connections for every request" 4 "$(jget "$LR_TMP/rr" conns)"
check_eq "rr: no errors" 0 "$(jget "$LR_TMP/rr" errors.total)"
check_ge "rr: latency samples, one per response" "$(jget "$LR_TMP/rr" latency_us.samples)" 100
p50=$(jget "$LR_TMP/rr" latency_us.p50)
p99=$(jget "$LR_TMP/rr" latency_us.p99)
check "rr: p50 <= p99 (from the histogram: $p50 / $p99 us)" test "$p50" -le "$p99"

# The live table: a row a second on linerate's stdout (progress=1 by default), the last
# one from `linerate-ctl loadgen live`.
ctl --json loadgen live >"$LR_TMP/live" 2>&1
check_ge "loadgen live: the last row's req/s ($(jget "$LR_TMP/live" rps))" \
	"$(jget "$LR_TMP/live" rps | cut -d. -f1)" 50
check_eq "loadgen live: no errors in the last row" 0 "$(jget "$LR_TMP/live" errors.total)"
check_grep "live table on stdout: the header" \
	'^loadgen: +s phase +conn/s +req/s +tx_Mbps +rx_Mbps +active +target/s +retrans +refused' \
	"$(cat "$LR_TMP/stdout")"
check_grep "live table on stdout: a row of the window" '^loadgen: +[0-9]+ window +[0-9]+ +[0-9]+' \
	"$(cat "$LR_TMP/stdout")"
grep '^loadgen: ' "$LR_TMP/stdout" | head -n 4 | diag

# Scheduled load: rr at rate=2000 reached by a 2 s ramp (the warm-up): the live table's
# target/s climbs through the ramp and is 2000 in the window, and the window never
# exceeds the target (no catch-up burst). How close it gets depends on the Python server's
# latency on a shared, loaded machine (rows of 165 req/s at p99 400 ms were seen under a
# load average of 18 on 2 CPUs), so no floor is asked for here; the unit test
# test_loadgen_ramp_reaches_target_and_holds_it holds it within 0.5 % on a virtual clock.
run_spec ramp mode=rr target=198.18.0.1:8080 conc=16 rate=2000 ramp=2s warmup=2s duration=2s
ctl loadgen stop >/dev/null 2>&1 # a slow server may still be draining it
rps=$(jget "$LR_TMP/ramp" rps | cut -d. -f1)
check "ramp: the window stays at or below rate=2000 req/s (+2 %) ($rps)" \
	test "$rps" -ge 1 -a "$rps" -le 2040
check_grep "ramp: the window's rows show target/s 2000" \
	'^loadgen: +[0-9]+ window +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +2000 ' \
	"$(cat "$LR_TMP/stdout")"
check_eq "ramp: no errors" 0 "$(jget "$LR_TMP/ramp" errors.total)"
check_grep "ramp: a warm-up row with target/s between 0 and 2000 (climbing)" \
	'^loadgen: +[0-9]+ warmup +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +(1?[0-9]{1,3}) ' \
	"$(cat "$LR_TMP/stdout")"
grep '^loadgen: ' "$LR_TMP/stdout" | tail -n 4 | diag

run_spec crr mode=crr target=198.18.0.1:8080 conc=4 duration=2s warmup=0s
check_ge "crr: connections completed" "$(jget "$LR_TMP/crr" conns_done)" 100
check_eq "crr: no errors" 0 "$(jget "$LR_TMP/crr" errors.total)"
check_ge "crr: a response per completed connection" "$(jget "$LR_TMP/crr" requests)" \
	"$(jget "$LR_TMP/crr" conns_done)"
check_eq "crr, ip_count 8: the Linux server saw 8 client addresses" \
	"198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5 198.18.0.6 198.18.0.7 198.18.0.8 198.18.0.9" \
	"$(sort -V "$LR_TMP/clients_8080" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"

run_spec refused mode=crr target=198.18.0.1:8099 conc=1 duration=1s warmup=0s rate=50
check_ge "closed port: counted as refused" "$(jget "$LR_TMP/refused" errors.refused)" 10
check_eq "closed port: nothing completed" 0 "$(jget "$LR_TMP/refused" conns_done)"

# UDP mode against Linux, 4 flows: every echo comes back, from 4 source ports.
run_spec udp mode=udp target=198.18.0.1:7007 conc=8 flows=4 sport=9100 duration=1s warmup=0s
check_ge "udp: echoes from a Linux UDP socket" "$(jget "$LR_TMP/udp" requests)" 100
check_eq "udp: no errors" 0 "$(jget "$LR_TMP/udp" errors.total)"
check_eq "udp flows=4: the Linux peer saw 4 source ports" 4 "$(cat "$LR_TMP/udp_ports" 2>/dev/null)"

# A server that writes twice: quick ACKs keep the median far below the 40 ms delayed ACK.
two_writes() { # NAME SPEC: p50 below 20 ms, no errors
	run_spec "$1" "${@:2}"
	check_eq "two-write server, $1: no errors" 0 "$(jget "$LR_TMP/$1" errors.total)"
	check "two-write server, $1: p50 $(jget "$LR_TMP/$1" latency_us.p50) us < 20 ms (quick ACK)" \
		test "$(jget "$LR_TMP/$1" latency_us.p50)" -lt 20000
}
two_writes crr2 mode=crr target=198.18.0.1:8081 conc=2 duration=2s warmup=0s
two_writes rr2 mode=rr target=198.18.0.1:8081 conc=2 duration=2s warmup=0s
stop_linerate

# The same with quickack = 0: every response waits for the delayed ACK (what the test
# above would see without the heuristic).
for pid in "${LR_BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
LR_BG_PIDS=()
ip netns del "$LR_NS" && LR_NS_CREATED=
start_linerate --set tcp.quickack=0 || lr_done
peer_setup || lr_done
http_server 8081 2
for ((i = 0; i < 50; i++)); do
	nsx ss -ltn 2>/dev/null | grep -q '198.18.0.1:8081' && break
	sleep 0.1
done
run_spec crr0 mode=crr target=198.18.0.1:8081 conc=2 duration=2s warmup=0s
p50=$(jget "$LR_TMP/crr0" latency_us.p50)
check_ge "quickack = 0, two-write server, crr: p50 $p50 us >= 35 ms (delayed ACK)" "$p50" 35000
stop_linerate
for pid in "${LR_BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
LR_BG_PIDS=()
ip netns del "$LR_NS" && LR_NS_CREATED=

# [loadgen] spec at start: the appliance runs it, prints the summary and exits 0.
start_linerate --set "loadgen.spec=mode=crr target=198.18.0.1:8080 conc=2 duration=2s warmup=0s json=1" || lr_done
peer_setup || lr_done
http_server 8080 1
pid=$LR_PID
if timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null; then
	wait "$pid"
	check_eq "[loadgen] spec: linerate exits 0 when the run is over" 0 "$?"
	LR_PID=
	summary=$(grep '^{' "$LR_TMP/stdout" | tail -n 1)
	echo "$summary" >"$LR_TMP/boot"
	check_grep "[loadgen] spec: JSON summary on stdout" '"mode":"crr"' "$summary"
	check_ge "[loadgen] spec: connections completed (the peer came up during the run)" \
		"$(jget "$LR_TMP/boot" conns_done)" 1
else
	not_ok "[loadgen] spec: linerate exits by itself within 30 s"
fi

lr_done
