#!/usr/bin/env bash
# ARP on net_tap: gratuitous ARP at start, the appliance resolving the peer by itself,
# replies to arping with our MAC, the peer's neighbour table, `linerate-ctl arp`.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init arp
require root tun hugepages netns binaries cmd:arping cmd:ping || lr_done
start_linerate || lr_done

# Gratuitous ARP announced when the port started.
check_ge "gratuitous ARP sent at start (arp.tx_gratuitous)" "$(stat_get arp.tx_gratuitous)" 1

peer_setup || lr_done

# The appliance must resolve the peer itself: the peer knows our MAC statically, so its
# echo requests arrive without any ARP request the appliance could learn from.
stats_snapshot "$LR_TMP/s0.json"
nsx ip neigh replace "$LR_OUR_IP" lladdr "$LR_OUR_MAC" dev "$LR_IF" nud permanent
out=$(nsx timeout 20 ping -c 3 -i 0.3 -W 3 "$LR_OUR_IP" 2>&1)
check_grep "ping from a peer the appliance has to resolve: 0% loss" ' 0% packet loss' "$out"
stats_snapshot "$LR_TMP/s1.json"
check_ge "appliance sent an ARP request for the peer (arp.tx_request)" \
	"$(delta arp.tx_request "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 1
check_ge "appliance got the peer's ARP reply (arp.rx_reply)" \
	"$(delta arp.rx_reply "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 1
check_ge "packet queued while resolving (arp.queued)" \
	"$(delta arp.queued "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 1
nsx ip neigh del "$LR_OUR_IP" dev "$LR_IF" 2>/dev/null

# arping: three requests, three replies carrying our MAC.
stats_snapshot "$LR_TMP/s2.json"
out=$(nsx timeout 10 arping -c 3 -w 8 -I "$LR_IF" "$LR_OUR_IP" 2>&1)
check_grep "arping receives 3 replies" 'Received 3 response' "$out"
check_grep "arping replies carry our MAC $LR_OUR_MAC" "reply from $LR_OUR_IP \[$LR_OUR_MAC\]" "$out"
if grep -qiE "reply from $LR_OUR_IP \[" <<<"$out" &&
	! grep -iE "reply from $LR_OUR_IP \[" <<<"$out" | grep -qiv "$LR_OUR_MAC"; then
	ok "every arping reply has our MAC"
else
	not_ok "arping replies with another MAC"
	printf '%s\n' "$out" | diag
fi
stats_snapshot "$LR_TMP/s3.json"
check_eq "arp.rx_request counts the 3 requests" 3 \
	"$(delta arp.rx_request "$LR_TMP/s2.json" "$LR_TMP/s3.json")"
check_eq "arp.tx_reply counts the 3 replies" 3 \
	"$(delta arp.tx_reply "$LR_TMP/s2.json" "$LR_TMP/s3.json")"

# The peer's kernel resolves us through ordinary traffic.
out=$(nsx timeout 10 ping -c 2 -i 0.3 -W 2 "$LR_OUR_IP" 2>&1)
check_grep "ping after the kernel resolves us: 0% loss" ' 0% packet loss' "$out"
out=$(nsx ip neigh show "$LR_OUR_IP" dev "$LR_IF")
check_grep "peer's neighbour table: $LR_OUR_IP lladdr $LR_OUR_MAC" "lladdr $LR_OUR_MAC" "$out"

# ARP for an address that is not ours gets no answer.
stats_snapshot "$LR_TMP/s4.json"
out=$(nsx timeout 5 arping -c 2 -I "$LR_IF" 198.18.0.77 2>&1)
check_grep "no reply for 198.18.0.77 (not ours)" 'Received 0 response' "$out"
stats_snapshot "$LR_TMP/s5.json"
check_eq "arp.not_for_us counts the 2 requests" 2 \
	"$(delta arp.not_for_us "$LR_TMP/s4.json" "$LR_TMP/s5.json")"

# The appliance's table lists the peer with its MAC.
out=$(ctl arp 2>&1)
check_grep "linerate-ctl arp lists $LR_PEER_IP with $LR_PEER_MAC" \
	"$LR_PEER_IP.*$LR_PEER_MAC|$LR_PEER_MAC.*$LR_PEER_IP" "$out"
out=$(ctl --json arp 2>&1)
check_grep "linerate-ctl --json arp lists $LR_PEER_IP" "\"$LR_PEER_IP\"" "$out"

lr_done
