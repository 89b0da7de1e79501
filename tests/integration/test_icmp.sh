#!/usr/bin/env bash
# ICMP echo on net_tap: plain pings, payload patterns, 3000-byte pings fragmented both
# ways, a bounded flood, and counters that account for every echo request sent.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init icmp
require root tun hugepages netns binaries cmd:ping pymod:scapy || lr_done
start_linerate || lr_done
peer_setup || lr_done

# Resolve once so that every later request is answered without waiting on ARP.
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1
stats_snapshot "$LR_TMP/s0.json"
sent=0

out=$(nsx timeout 20 ping -c 5 -i 0.2 -W 2 "$LR_OUR_IP" 2>&1)
sent=$((sent + 5))
check_grep "ping -c 5: 5 received, 0% loss" '5 packets transmitted, 5 received, 0% packet loss' "$out"

for pattern in deadbeef 00 ff a5c3; do
	out=$(nsx timeout 10 ping -c 2 -i 0.2 -W 2 -s 100 -p "$pattern" "$LR_OUR_IP" 2>&1)
	sent=$((sent + 2))
	if grep -q '2 received, 0% packet loss' <<<"$out" && ! grep -qi 'wrong data' <<<"$out"; then
		ok "ping -p $pattern: payload echoed unchanged"
	else
		not_ok "ping -p $pattern: payload not echoed unchanged"
		printf '%s\n' "$out" | tail -n 8 | diag
	fi
done

# 3000-byte IP datagrams (2972 bytes of ICMP data): fragmented by Linux on the way in,
# reassembled, answered, fragmented by the appliance on the way back.
stats_snapshot "$LR_TMP/f0.json"
out=$(nsx timeout 20 ping -c 3 -i 0.3 -W 3 -M dont -s 2972 "$LR_OUR_IP" 2>&1)
sent=$((sent + 3))
check_grep "3000-byte ping: 3 received, 0% loss" '3 received, 0% packet loss' "$out"
check_grep "3000-byte replies are whole (2980 bytes from)" '2980 bytes from' "$out"
stats_snapshot "$LR_TMP/f1.json"
check_ge "fragments received (ip.frag_rx)" "$(delta ip.frag_rx "$LR_TMP/f0.json" "$LR_TMP/f1.json")" 6
check_eq "datagrams reassembled (ip.reassembled)" 3 \
	"$(delta ip.reassembled "$LR_TMP/f0.json" "$LR_TMP/f1.json")"
check_ge "fragments sent (ip.frag_tx)" "$(delta ip.frag_tx "$LR_TMP/f0.json" "$LR_TMP/f1.json")" 6

# RFC 3168 §5.3 on reassembly, from scapy in the namespace: an echo request in two
# fragments, both ECT(0): reassembled and answered; the first ECT(0) and the second
# Not-ECT: dropped whole, counted ip.frag_ecn_mixed; the first CE and the second ECT(0):
# answered (the datagram is CE, as Linux's ip_frag_ecn_table gives).
stats_snapshot "$LR_TMP/e0.json"
out=$(nsx timeout 30 "$PY" - "$LR_OUR_IP" "$LR_IF" <<'EOF' 2>&1
import sys
from scapy.all import IP, ICMP, AsyncSniffer, conf, send
conf.verb = 0
dst, ifc = sys.argv[1], sys.argv[2]
def frags(ident, tos1, tos2):
    whole = bytes(ICMP(type=8, id=0x4c52, seq=ident) / (bytes(range(64))))
    return [IP(dst=dst, id=ident, flags='MF', frag=0, tos=tos1, proto=1) / whole[:32],
            IP(dst=dst, id=ident, frag=4, tos=tos2, proto=1) / whole[32:]]
cases = {'ect-ect': (0x101, 0x02, 0x02), 'ect-notect': (0x102, 0x02, 0x00),
         'ce-ect': (0x103, 0x03, 0x02)}
sn = AsyncSniffer(iface=ifc, filter=f'icmp and src host {dst}')
sn.start()
import time
time.sleep(0.5)
for name, (ident, a, b) in cases.items():
    for f in frags(ident, a, b):
        send(f)
    time.sleep(0.3)
time.sleep(1)
got = sn.stop()
answered = {p[ICMP].seq for p in got if ICMP in p and p[ICMP].type == 0 and p[ICMP].id == 0x4c52}
for name, (ident, a, b) in cases.items():
    print(name, 'answered' if ident in answered else 'unanswered')
EOF
)
check_grep "fragments ECT(0) + ECT(0): reassembled and answered" '^ect-ect answered$' "$out"
check_grep "fragments ECT(0) + Not-ECT: not answered" '^ect-notect unanswered$' "$out"
check_grep "fragments CE + ECT(0): reassembled and answered" '^ce-ect answered$' "$out"
stats_snapshot "$LR_TMP/e1.json"
check_eq "the mixed datagram's two fragments counted (ip.frag_ecn_mixed)" 2 \
	"$(delta ip.frag_ecn_mixed "$LR_TMP/e0.json" "$LR_TMP/e1.json")"
sent=$((sent + 2))

# A bounded flood: 10000 requests, at most 60 s.
start=$(date +%s.%N)
out=$(nsx timeout 90 ping -f -c 10000 -W 1 -w 60 -q "$LR_OUR_IP" 2>&1)
sent=$((sent + 10000))
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check_grep "flood ping 10000: 0% loss (${secs} s)" '10000 packets transmitted, 10000 received, 0% packet loss' "$out"
grep -E 'rtt|packets' <<<"$out" | diag

stats_snapshot "$LR_TMP/s1.json"
check_eq "icmp.rx_echo equals the $sent echo requests sent" "$sent" \
	"$(delta icmp.rx_echo "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "icmp.tx_echo_reply equals the $sent requests" "$sent" \
	"$(delta icmp.tx_echo_reply "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "no ICMP dropped as bad (icmp.bad_cksum)" 0 \
	"$(delta icmp.bad_cksum "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "no frame lost to a full TX queue (eth.tx_full)" 0 \
	"$(delta eth.tx_full "$LR_TMP/s0.json" "$LR_TMP/s1.json")"

# An echo request to an address that is not ours on the same subnet is not answered.
out=$(nsx timeout 5 ping -c 1 -W 1 198.18.0.3 2>&1)
if grep -q ' 0 received' <<<"$out"; then ok "no answer for 198.18.0.3"; else not_ok "answer for 198.18.0.3"; fi

lr_done
