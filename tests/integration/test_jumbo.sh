#!/usr/bin/env bash
# Jumbo frames (issue #12 item 2): linerate at [port.0] mtu = 9000 against a Linux peer
# at MTU 9000. DPDK 22.11's net_tap cannot carry it (it reports max_rx_pktlen 1522, so
# ethdev refuses an MTU above 1504, and its TX drops longer frames): linerate runs on
# net_pcap over a veth pair instead, the peer on the other end in a namespace (its
# checksum offload off: a packet socket sees partial checksums). Checked:
# --check-config refuses what a port cannot carry (net_tap, net_memif) with one line
# naming the limit and accepts net_pcap; ping -M do -s 8972 answered whole; 200 MB in
# through discard and 200 MB out of chargen (byte count, RFC 864 pattern), an echo
# both ways compared by SHA-256; tcpdump in the namespace sees 8960-byte TCP segments
# both ways (TCP timestamps off there, so a full-sized segment carries the whole MSS),
# nothing longer and no fragment.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init jumbo
require root hugepages netns binaries cmd:ping cmd:tcpdump cmd:ethtool || lr_done
MB=${JUMBO_MB:-200}
ECHO_MB=${JUMBO_ECHO_MB:-10}
LIMIT=40 # seconds per transfer
OURS=$LR_IF # our end of the veth pair, in the root namespace (net_pcap opens it)
PEER=${LR_IF:0:14}p

# The veth pair: our end up without an address (the kernel leaves its IPv4 alone),
# the peer's in its namespace, both at MTU 9000.
if ip netns add "$LR_NS" && LR_NS_CREATED=$LR_NS && lr_save_state &&
	ip link add "$OURS" mtu 9000 type veth peer name "$PEER" mtu 9000 &&
	ip link set "$PEER" netns "$LR_NS" &&
	sysctl -qw "net.ipv6.conf.$OURS.disable_ipv6=1" &&
	ethtool -K "$OURS" tx off rx off >/dev/null &&
	ip link set "$OURS" up &&
	nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.tcp_timestamps=0 &&
	nsx ip link set lo up &&
	nsx ethtool -K "$PEER" tx off rx off >/dev/null &&
	nsx ip link set "$PEER" address "$LR_PEER_MAC" &&
	nsx ip addr add "$LR_PEER_IP/24" dev "$PEER" &&
	nsx ip link set "$PEER" up; then
	ok "veth $OURS <-> $PEER ($LR_NS, $LR_PEER_IP/24), MTU 9000, checksum offload off"
else
	not_ok "veth pair and peer namespace setup"
	ip link del "$OURS" 2>/dev/null
	lr_done
fi
trap 'ip link del "$OURS" 2>/dev/null; lr_cleanup' EXIT

# --check-config probes a port above MTU 1500 and names the limit it hits.
checkcfg() {
	"$LINERATE" --config "$LR_CONFIG" --set "eal.file_prefix=$LR_PREFIX-chk" \
		--set "port.0.mtu=9000" --set "port.0.device=$1" --check-config \
		>"$LR_TMP/chk.out" 2>"$LR_TMP/chk.err"
	rc=$?
	err=$(grep '^linerate:' "$LR_TMP/chk.err")
}
refused() { # NAME DEVICE MESSAGE
	checkcfg "$2"
	if ((rc == 2)) && [[ $(wc -l <<<"$err") -eq 1 ]] && grep -qF -- "$3" <<<"$err"; then
		ok "--check-config refuses mtu 9000 on $1 in one line (exit 2): ${err#*: }"
	else
		not_ok "--check-config mtu 9000 on $1: exit $rc"
		diag <"$LR_TMP/chk.err"
	fi
}
refused net_tap "net_tap0,iface=${LR_IF:0:13}t" "[port.0] mtu: bad value '9000': net_tap receives frames of at most 1522 bytes (dev_info max_rx_pktlen), an MTU of at most 1504"
refused net_memif "net_memif0,role=server,socket=$LR_TMP/memif.sock" "[port.0] mtu: bad value '9000': net_memif receives frames of at most 1518 bytes (dev_info max_rx_pktlen), an MTU of at most 1500"
checkcfg "net_pcap0,iface=$OURS"
if ((rc == 0)) && grep -qx 'mtu = 9000' "$LR_TMP/chk.out"; then
	ok "--check-config accepts mtu 9000 on net_pcap"
else
	not_ok "--check-config mtu 9000 on net_pcap: exit $rc"
	diag <"$LR_TMP/chk.err"
fi

# A send buffer of 1 MB: net_pcap hands frames over in blocks, the ACKs come late.
start_linerate --set port.0.mtu=9000 --set "port.0.device=net_pcap0,iface=$OURS" \
	--set tcp.sndbuf=1048576 || lr_done
check_grep "port.0 carries mtu 9000 with multi-segment TX" \
	'port.0: mtu 9000: frames up to 9018 bytes, RX into larger buffers, multi-segment TX' \
	"$(cat "$LR_TMP/stdout")"
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
stats_snapshot "$LR_TMP/s0.json"

ip netns exec "$LR_NS" tcpdump -i "$PEER" -nn -s 96 -U -w "$LR_TMP/cap.pcap" \
	"host $LR_OUR_IP" 2>"$LR_TMP/tcpdump.err" &
LR_BG_PIDS+=($!)
for ((i = 0; i < 50; i++)); do grep -q listening "$LR_TMP/tcpdump.err" && break; sleep 0.1; done

out=$(nsx timeout 20 ping -c 3 -i 0.3 -W 3 -M do -s 8972 "$LR_OUR_IP" 2>&1)
if grep -q '3 packets transmitted, 3 received, 0% packet loss' <<<"$out" &&
	[[ $(grep -c '^8980 bytes from' <<<"$out") -eq 3 ]]; then
	ok "ping -M do -s 8972: 3 of 3 answered with 8980-byte replies"
else
	not_ok "ping -M do -s 8972"
	diag <<<"$out"
fi

transfer() { # MODE MB
	local res status n secs mbit why bytes=$(($2 * 1000 * 1000))
	res=$(nsx timeout $((LIMIT + 10)) "$PY" "$(dirname "$0")/jumbo_peer.py" \
		"$LR_OUR_IP" "$1" "$bytes" "$LIMIT" 2>&1 | grep '^result' | tail -1)
	read -r _ status n secs mbit why <<<"$res"
	if [[ $status == ok && $n == "$bytes" ]]; then
		ok "$2 MB $1: $n bytes in $secs s ($mbit Mbit/s${why:+, $why})"
	else
		not_ok "$2 MB $1: ${res:-no result}"
	fi
}
transfer discard "$MB"
transfer chargen "$MB"
transfer echo "$ECHO_MB"

sleep 0.5
kill -TERM "${LR_BG_PIDS[@]}" 2>/dev/null
wait "${LR_BG_PIDS[@]}" 2>/dev/null
LR_BG_PIDS=()
stats_snapshot "$LR_TMP/s1.json"

# Segment sizes on the wire: "length N" of each TCP segment, by direction.
tcpdump -r "$LR_TMP/cap.pcap" -nn tcp 2>/dev/null >"$LR_TMP/cap.txt"
ours=$(grep -c "IP $LR_OUR_IP\.[0-9]* > .*, length 8960\$" "$LR_TMP/cap.txt")
theirs=$(grep -c "IP $LR_PEER_IP\.[0-9]* > .*, length 8960\$" "$LR_TMP/cap.txt")
bigger=$(grep -E -c ', length (896[1-9]|89[7-9][0-9]|9[0-9]{3}|[1-9][0-9]{4})$' "$LR_TMP/cap.txt")
min=$((MB * 1000 * 1000 / 8960 * 9 / 10))
check_ge "tcpdump: linerate's TCP segments of 8960 bytes" "$ours" "$min"
check_ge "tcpdump: the peer's TCP segments of 8960 bytes" "$theirs" "$min"
check_eq "tcpdump: no TCP segment above 8960 bytes" 0 "$bigger"
frags=$(tcpdump -r "$LR_TMP/cap.pcap" -nn 'ip[6:2] & 0x3fff != 0' 2>/dev/null | wc -l)
check_eq "tcpdump: no IP fragment either way" 0 "$frags"

note "tcp.rexmt_segs $(delta tcp.rexmt_segs "$LR_TMP/s0.json" "$LR_TMP/s1.json"), mem.copied $(delta mem.copied "$LR_TMP/s0.json" "$LR_TMP/s1.json") (frames held out of the RX pool)"
check_eq "no fragment sent (ip.frag_tx)" 0 "$(delta ip.frag_tx "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "no TCP checksum error (tcp.bad_cksum)" 0 \
	"$(delta tcp.bad_cksum "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
lr_done
