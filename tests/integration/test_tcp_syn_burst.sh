#!/usr/bin/env bash
# Bursts of SYNs on net_tap from the Linux peer: 2000 SYNs to port 80 from the peer's own
# address and distinct ports, written 200 at a time (scapy, packet socket), so the
# appliance reads them in full RX bursts. Each SYN opens a half-open connection, and the
# peer's kernel, which never sent them, resets each one at its SYN-ACK. The burst stage
# looks a burst's segments up together; a SYN created behind another in the same burst
# keeps its "not found" (a filter of the tuples created since the lookups), so the
# lookups done again (tcp.lookup_stale) stay a small share of those taken from the burst
# (tcp.lookup_bulk). Without the filter every SYN after the first in a burst was looked
# up again. Then: every half-open gone, curl still answered, no mbuf leaked.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_syn_burst
require root tun hugepages netns binaries cmd:curl pymod:scapy || lr_done
start_linerate || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
SYNS=2000
stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

ip netns exec "$LR_NS" timeout 30 "$PY" - "$LR_IF" "$SYNS" "$LR_PEER_IP" "$LR_OUR_IP" \
	"$LR_OUR_MAC" <<'PYEOF' >"$LR_TMP/syns.out" 2>&1
import socket, sys, time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, Ether, get_if_hwaddr, raw
iface, n, src, dst, dmac = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
smac = get_if_hwaddr(iface)
frames = [raw(Ether(dst=dmac, src=smac) / IP(src=src, dst=dst) /
              TCP(sport=20000 + i, dport=80, flags="S", seq=1000 * i, window=64240,
                  options=[("MSS", 1460)])) for i in range(n)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
sent = 0
for i in range(0, n, 200):
    for f in frames[i:i + 200]:
        s.send(f)
        sent += 1
    time.sleep(0.05)
print("sent %d" % sent)
PYEOF
read -r _ sent <<<"$(grep '^sent ' "$LR_TMP/syns.out")"
check_eq "SYNs sent in bursts of 200" "$SYNS" "${sent:-0}"
[[ ${sent:-0} == "$SYNS" ]] || diag <"$LR_TMP/syns.out"

sleep 1
stats_snapshot "$LR_TMP/after.json"
d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }
opened=$(d tcp.passive_open)
bulk=$(d tcp.lookup_bulk)
stale=$(d tcp.lookup_stale)
check_ge "each SYN opened a connection (tcp.passive_open)" "${opened:-0}" $((SYNS * 9 / 10))
check_ge "the SYNs were looked up in bursts (tcp.lookup_bulk)" "${bulk:-0}" $((SYNS / 2))
# 256 filter bits for at most 32 SYNs a burst: about one SYN in ten meets a bit an
# earlier one set; without the filter nearly every one was looked up again.
check_ge "lookups done again (tcp.lookup_stale $stale) are under a fifth of tcp.lookup_bulk" \
	$((${bulk:-0} / 5)) "${stale:-0}"
check_ge "the peer's kernel reset the half-opens (tcp.rst_rx)" "$(d tcp.rst_rx)" $((SYNS * 9 / 10))

out=$(nsx timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$LR_OUR_IP/" 2>&1)
check_eq "curl after the bursts: 200" 200 "$out"
for ((i = 0; i < 20; i++)); do
	lines=$(conns_lines "$LR_TMP/end.json" 2>&1)
	conns_other "$lines" >/dev/null || break
	sleep 0.5
done
if ! conns_other "$lines" >/dev/null; then
	ok "no connection left but the listeners"
else
	not_ok "connections left: $(conns_other "$lines" | wc -l)"
	conns_other "$lines" | awk '{print $1}' | sort | uniq -c | diag
fi
check_no_mbuf_leak "$base_in_use" 20
lr_done
