#!/usr/bin/env bash
# UDP on net_tap: echo (port 7) returns identical bytes up to a fragmented 4000-byte
# datagram and never answers a broadcast, discard (port 9) is counted, a closed port refuses
# (ICMP port unreachable -> ECONNREFUSED), the ICMP error rate limit holds, and counters
# match the traffic exactly.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init udp
require root tun hugepages netns binaries cmd:socat || lr_done
start_linerate || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once

# udp_client MODE ARGS: small python3 UDP client run in the peer namespace.
#   echo SIZE...      send random payloads to port 7, print "ok SIZE" / "bad SIZE why"
#   discard N SIZE    send N datagrams of SIZE bytes to port 9
#   refused PORT...   connect+send+recv on each closed port, print "refused PORT" / "bad PORT why"
#   burst PORT N      send N datagrams to a closed port as fast as possible
udp_client() {
	nsx timeout 30 "$PY" - "$LR_OUR_IP" "$@" <<'PYEOF'
import os, socket, sys
IP_MTU_DISCOVER, IP_PMTUDISC_DONT = 10, 0
ip, mode, args = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]

def sock(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)  # let Linux fragment
    s.settimeout(3)
    s.connect((ip, port))
    return s

if mode == "echo":
    s = sock(7)
    for size in args:
        data = os.urandom(size)
        s.send(data)
        try:
            back = s.recv(65535)
        except Exception as e:
            print("bad", size, type(e).__name__)
            continue
        print("ok" if back == data else "bad", size, "" if back == data else "got %d bytes" % len(back))
elif mode == "discard":
    s = sock(9)
    for _ in range(args[0]):
        s.send(os.urandom(args[1]))
elif mode == "refused":
    for port in args:
        s = sock(port)
        s.send(b"anyone there?")
        try:
            s.recv(100)
            print("bad", port, "got an answer")
        except ConnectionRefusedError:
            print("refused", port)
        except Exception as e:
            print("bad", port, type(e).__name__)
        s.close()
elif mode == "burst":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(args[1]):
        s.sendto(b"x", (ip, args[0]))
PYEOF
}

stats_snapshot "$LR_TMP/s0.json"

# Echo: sizes 1, 100, 1472 (largest unfragmented) and 4000 (fragmented both ways).
out=$(udp_client echo 1 100 1472 4000 2>&1)
for size in 1 100 1472 4000; do
	if grep -qx "ok $size " <<<"$out"; then
		ok "UDP echo of $size bytes returns identical bytes"
	else
		not_ok "UDP echo of $size bytes: $(grep -E "^(ok|bad) $size " <<<"$out" || echo no answer)"
	fi
done
grep -v '^ok ' <<<"$out" | diag

# Echo through socat, as a user would.
msg="linerate udp echo $$"
got=$(printf '%s' "$msg" | nsx timeout 5 socat -T 3 - "UDP:$LR_OUR_IP:7" 2>&1)
check_eq "socat UDP echo returns the message" "$msg" "$got"

# Discard: 5 datagrams of 100 bytes.
udp_client discard 5 100

# Closed ports: three refusals.
out=$(udp_client refused 4444 5555 6666 2>&1)
for port in 4444 5555 6666; do
	if grep -qx "refused $port" <<<"$out"; then
		ok "closed UDP port $port: ECONNREFUSED"
	else
		not_ok "closed UDP port $port: $(grep -E " $port( |$)" <<<"$out" || echo no result)"
	fi
done

sleep 0.5
stats_snapshot "$LR_TMP/s1.json"
d() { delta "$1" "$LR_TMP/s0.json" "$LR_TMP/s1.json"; }
check_eq "udp.echo_rx counts the 5 echo datagrams" 5 "$(d udp.echo_rx)"
check_eq "udp.discard_rx counts the 5 discarded datagrams" 5 "$(d udp.discard_rx)"
check_eq "udp.discard_bytes counts their 500 payload bytes" 500 "$(d udp.discard_bytes)"
check_eq "udp.no_port counts the 3 closed-port datagrams" 3 "$(d udp.no_port)"
check_eq "icmp.tx_unreach counts the 3 port unreachables" 3 "$(d icmp.tx_unreach)"
check_eq "udp.rx counts all 13 datagrams" 13 "$(d udp.rx)"
check_eq "udp.tx counts the 5 echo replies" 5 "$(d udp.tx)"
check_eq "no UDP checksum errors (udp.bad_cksum)" 0 "$(d udp.bad_cksum)"
check_eq "no UDP length errors (udp.bad_len)" 0 "$(d udp.bad_len)"

# Rate limit of ICMP errors (default 100/s, burst 50): 300 datagrams at once to a closed
# port; each one is either answered or counted as rate limited, and not all are answered.
sleep 1 # let the token bucket refill
stats_snapshot "$LR_TMP/r0.json"
udp_client burst 7777 300
sleep 0.5
stats_snapshot "$LR_TMP/r1.json"
unreach=$(delta icmp.tx_unreach "$LR_TMP/r0.json" "$LR_TMP/r1.json")
limited=$(delta icmp.ratelimited "$LR_TMP/r0.json" "$LR_TMP/r1.json")
check_eq "udp.no_port counts the 300-datagram burst" 300 \
	"$(delta udp.no_port "$LR_TMP/r0.json" "$LR_TMP/r1.json")"
check_eq "every refusal is sent or rate limited (tx_unreach $unreach + ratelimited $limited)" \
	300 "$((${unreach:-0} + ${limited:-0}))"
check_ge "the rate limit held back part of the burst (icmp.ratelimited)" "${limited:-}" 1
if [[ $unreach =~ ^[0-9]+$ ]] && ((unreach >= 1 && unreach <= 100)); then
	ok "unreachables sent within the bucket (burst 50 + 100/s): $unreach"
else
	not_ok "unreachables sent in the burst: ${unreach:-?}, want 1..100 (burst 50 + 100/s)"
fi

# Echo to the subnet broadcast is never answered (no amplification), and counted.
stats_snapshot "$LR_TMP/b0.json"
got=$(printf 'amplify?' | nsx timeout 5 socat -T 2 - "UDP-DATAGRAM:198.18.0.255:7,broadcast" 2>&1)
check_eq "UDP echo to the subnet broadcast gets no answer" "" "$got"
sleep 0.5
stats_snapshot "$LR_TMP/b1.json"
check_eq "udp.echo_bcast counts the broadcast echo" 1 \
	"$(delta udp.echo_bcast "$LR_TMP/b0.json" "$LR_TMP/b1.json")"

# The service still answers after the burst.
out=$(udp_client echo 64 2>&1)
check_eq "UDP echo still works after the burst" "ok 64 " "$out"

lr_done
