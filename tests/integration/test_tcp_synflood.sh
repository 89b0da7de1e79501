#!/usr/bin/env bash
# SYN flood on net_tap: 20000 SYNs to port 80 from random addresses of 198.18.0.0/24 and
# random ports (built with scapy, sent from the peer namespace, bounded to ~10 s) while
# curl keeps requesting from the real peer. With tcp.half_open_max=64 the appliance must
# switch to SYN cookies (or drop half-opens) and still serve every curl; afterwards the
# mbuf pool is back to its baseline and the appliance still answers.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_synflood
require root tun hugepages netns binaries cmd:curl cmd:nc pymod:scapy || lr_done
start_linerate --set tcp.half_open_max=64 || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
URL=http://$LR_OUR_IP/
SYNS=20000

out=$(nsx timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL" 2>&1)
check_eq "curl before the flood: 200" 200 "$out"

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

# The flood: frames prebuilt with scapy, then written to a packet socket in batches of
# 100 every 25 ms (about 4000/s, so that it overlaps the curls), stopping at 10 s.
ip netns exec "$LR_NS" timeout 40 "$PY" - "$LR_IF" "$SYNS" "$LR_TMP/flood" <<'PYEOF' >"$LR_TMP/flood.out" 2>&1 &
import random, socket, sys, time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, Ether, raw
iface, n, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(4987)
frames = []
for _ in range(n):
    src = "198.18.0.%d" % rng.randrange(3, 255)
    frames.append(raw(Ether(dst="02:4c:52:00:00:02", src="02:4c:52:00:00:01") /
                      IP(src=src, dst="198.18.0.2") /
                      TCP(sport=rng.randrange(1024, 65536), dport=80, flags="S",
                          seq=rng.randrange(1 << 32), window=64240, options=[("MSS", 1460)])))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
open(flag + ".started", "w").close()
t0 = time.monotonic()
sent = 0
for i in range(0, n, 100):
    for f in frames[i:i + 100]:
        try:
            s.send(f)
            sent += 1
        except OSError:
            pass
    if time.monotonic() - t0 > 10:
        break
    time.sleep(0.025)
dt = time.monotonic() - t0
print("sent %d %.2f" % (sent, dt))
open(flag + ".done", "w").close()
PYEOF
flood_pid=$!
flood_t0=$SECONDS
LR_BG_PIDS+=("$flood_pid")
for ((i = 0; i < 300; i++)); do [[ -f $LR_TMP/flood.started ]] && break; sleep 0.1; done
[[ -f $LR_TMP/flood.started ]] || note "the flood did not start within 30 s: $(cat "$LR_TMP/flood.out")"

# curl while the flood runs: at least 10, until it ends.
n=0
fails=0
while [[ ! -f $LR_TMP/flood.done ]] || ((n < 10)); do
	n=$((n + 1))
	code=$(nsx timeout 15 curl -s --connect-timeout 10 --max-time 12 -o /dev/null -w '%{http_code} %{time_total}' "$URL" 2>&1)
	if [[ $code != 200\ * ]]; then
		fails=$((fails + 1))
		note "curl #$n during the flood: ${code:-no answer}"
	fi
	((n >= 2000)) && break
done
wait "$flood_pid"
read -r _ sent secs <<<"$(grep '^sent ' "$LR_TMP/flood.out")"
if [[ ${sent:-0} -ge $((SYNS * 9 / 10)) ]]; then
	ok "flood: $sent SYNs sent in $secs s"
else
	not_ok "flood: ${sent:-no} SYNs sent (want $SYNS)"
	diag <"$LR_TMP/flood.out"
fi
check_eq "every curl during the flood got 200 ($n requests)" 0 "$fails"

sleep 1
stats_snapshot "$LR_TMP/after.json"
d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }
tcp=$(stat_keys tcp "$LR_TMP/after.json")
note "tcp: rx +$(d tcp.rx), passive_open +$(d tcp.passive_open), conn_full +$(d tcp.conn_full)," \
	"synack_giveup +$(d tcp.synack_giveup), rst_tx +$(d tcp.rst_tx)"
total=0
keys=$(grep -iE '^tcp\.[a-z_]*(cookie|half_open|syn_drop)' <<<"$tcp" | cut -d' ' -f1)
for key in $keys; do
	v=$(d "$key")
	note "$key +$v"
	[[ $key =~ cookie.*(sent|tx)|half_open.*drop|syn_drop ]] && total=$((total + ${v:-0}))
done
if [[ -z $keys ]]; then
	not_ok "stats tcp has SYN cookie / half-open drop counters"
else
	check_ge "SYN cookies sent or half-opens dropped during the flood" "$total" 1
fi
ckey=$(grep -iE '^tcp\.[a-z_]*cookie[a-z_]*sent|^tcp\.syncookie' <<<"$tcp" | head -n 1 | cut -d' ' -f1)
if [[ -n $ckey ]]; then
	check_ge "$ckey: cookies were used (half_open_max=64)" "$(d "$ckey")" 1
else
	not_ok "stats tcp has a SYN cookies sent counter"
fi

out=$(nsx timeout 10 ping -c 2 -i 0.2 -W 2 "$LR_OUR_IP" 2>&1)
check_grep "ping after the flood" ' 0% packet loss' "$out"
out=$(nsx timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL" 2>&1)
check_eq "curl after the flood: 200" 200 "$out"
got=$(printf 'after the flood\n' | nsx timeout 10 nc -N -w 5 "$LR_OUR_IP" 7 2>&1)
check_eq "echo after the flood" "after the flood" "$got"

# The 64 half-opens that filled the table before the cookies took over are freed once
# their SYN-ACKs go unanswered (synack_retries 5 from a 1 s RTO: about 63 s after the
# flood began). Nothing else may be left.
for ((i = 0; i < 80; i++)); do
	lines=$(conns_lines "$LR_TMP/end.json" 2>&1)
	conns_other "$lines" >/dev/null || break
	sleep 1
done
if grep -q '^LISTEN ' <<<"$lines" && ! conns_other "$lines" >/dev/null; then
	ok "no half-open or established connection left ($((SECONDS - flood_t0)) s after the flood began)"
else
	not_ok "connections left $((SECONDS - flood_t0)) s after the flood began: $(conns_other "$lines" | wc -l)"
	conns_other "$lines" | awk '{print $1}' | sort | uniq -c | diag
fi
stats_snapshot "$LR_TMP/end.json"
check_ge "tcp.synack_giveup counts the freed half-opens" \
	"$(delta tcp.synack_giveup "$LR_TMP/base.json" "$LR_TMP/end.json")" 64

# Half-opens gone, ARP for the fake sources given up: everything is back in the pool.
check_no_mbuf_leak "$base_in_use" 20

lr_done
