#!/usr/bin/env bash
# 802.1Q VLANs on net_tap against Linux VLAN sub-interfaces (ip link ... type vlan) in the
# peer namespace (on a kernel without them, TAP devices tagged by vlan_peer.py). Run 1: the port's own interface untagged plus [vlan.0] (VLAN 100) and
# [vlan.1] (VLAN 200), two workers with software steering: ARP, ping, UDP echo, TCP echo
# and HTTP (curl) over both VLANs, each answered from its own address and tagged with its
# own VID (tcpdump -e); untagged traffic still answered; a VLAN we do not have (300)
# dropped and counted as eth.unknown_vlan. Run 2: the port's own interface tagged
# ([port.0] vlan = 100): untagged frames counted as eth.untagged, VLAN 100 answered.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init vlan
require root tun hugepages netns binaries cmd:socat cmd:curl cmd:ping cmd:tcpdump || lr_done

V100_OUR=198.18.100.2
V100_PEER=198.18.100.1
V200_OUR=198.18.200.2
V200_PEER=198.18.200.1
CPUS=$(nproc)
VLAN_SETS=(--set vlan.0.port=0 --set vlan.0.vlan=100 --set "vlan.0.ip=$V100_OUR/24"
	--set vlan.1.port=0 --set vlan.1.vlan=200 --set "vlan.1.ip=$V200_OUR/24")

# vlan_links ID ADDR/LEN ...: VLAN sub-interfaces vlID of the tap in the peer namespace,
# Linux's own (ip link ... type vlan) or, on a kernel without 802.1Q support, TAP devices
# bridged to the tap with a tag by vlan_peer.py; either way the Linux stack talks over them.
vlan_links() {
	local id a ids=() addrs=() i
	while (($# >= 2)); do ids+=("$1"); addrs+=("$2"); shift 2; done
	if nsx ip link add link "$LR_IF" name "vl${ids[0]}" type vlan id "${ids[0]}" 2>/dev/null; then
		VLAN_KIND="Linux VLAN devices"
		for ((i = 1; i < ${#ids[@]}; i++)); do
			nsx ip link add link "$LR_IF" name "vl${ids[i]}" type vlan id "${ids[i]}" ||
				return 1
		done
	else
		VLAN_KIND="user-space 802.1Q bridge (this kernel has no VLAN devices)"
		ip netns exec "$LR_NS" "$PY" "$LR_ROOT/tests/integration/vlan_peer.py" "$LR_IF" \
			"$LR_PEER_MAC" "${ids[@]}" >"$LR_TMP/vlan_peer.out" 2>&1 &
		LR_BG_PIDS+=($!)
		for ((i = 0; i < 50; i++)); do
			grep -q ready "$LR_TMP/vlan_peer.out" && break
			sleep 0.1
		done
		grep -q ready "$LR_TMP/vlan_peer.out" || { diag <"$LR_TMP/vlan_peer.out"; return 1; }
	fi
	for ((i = 0; i < ${#ids[@]}; i++)); do
		id=${ids[i]}
		a=${addrs[i]}
		nsx sysctl -qw "net.ipv6.conf.vl$id.disable_ipv6=1" &&
			nsx ip addr add "$a" dev "vl$id" &&
			nsx ip link set dev "vl$id" up || return 1
	done
}

# over_vlan NAME OUR: ARP, ping, UDP echo, TCP echo and HTTP to OUR.
over_vlan() {
	local name=$1 our=$2 msg got
	check "$name: ping $our answers" nsx timeout 10 ping -c 3 -i 0.2 -W 2 "$our"
	got=$(nsx ip neigh show "$our" | grep -o 'lladdr [0-9a-f:]*')
	check_eq "$name: ARP resolved $our to our MAC" "lladdr $LR_OUR_MAC" "$got"
	msg="vlan udp $name $$"
	got=$(printf '%s' "$msg" | nsx timeout 10 socat -t 3 -T 3 - "UDP:$our:7" 2>&1)
	check_eq "$name: UDP echo comes back" "$msg" "$got"
	msg="vlan tcp $name $$"
	got=$(printf '%s\n' "$msg" | nsx timeout 10 socat -t 5 -T 5 - "TCP:$our:7" 2>&1)
	check_eq "$name: TCP echo comes back" "$msg" "$got"
	got=$(nsx timeout 10 curl -s -o /dev/null -w '%{http_code} %{size_download}' \
		"http://$our/" 2>&1)
	check_eq "$name: HTTP GET answered 200 with the 128-byte body" "200 128" "$got"
}

# tagged_replies PCAP SRC VID: frames from SRC in the capture, and how many carry VID.
tagged_replies() {
	local all tagged
	all=$(tcpdump -r "$1" -nn -e "src host $2 or (vlan and src host $2)" 2>/dev/null | wc -l)
	tagged=$(tcpdump -r "$1" -nn -e "vlan $3 and src host $2" 2>/dev/null | wc -l)
	echo "$all $tagged"
}

# ---- run 1: untagged + VLAN 100 + VLAN 200, two workers --------------------------------
start_linerate --set "eal.lcores=0@0,1@1,2@$((2 % CPUS))" --set eal.main_lcore=0 \
	--set worker.lcores=1-2 --set worker.steering=sw --set app.mbufs=32767 \
	"${VLAN_SETS[@]}" || lr_done
grep -q "vlan.1: VLAN 200 on port.0" "$LR_TMP/stdout" &&
	ok "linerate reports its VLAN interfaces" ||
	not_ok "no 'vlan.1: VLAN 200 on port.0' line in the output"
peer_setup || lr_done
vlan_links 100 "$V100_PEER/24" 200 "$V200_PEER/24" 300 198.18.30.1/24 &&
	ok "peer VLAN links vl100 $V100_PEER, vl200 $V200_PEER, vl300 198.18.30.1: $VLAN_KIND" ||
	{ not_ok "peer VLAN links"; lr_done; }

ports=$(ctl ports)
check_grep "linerate-ctl ports: software VLAN tagging on net_tap" "strip sw, insert sw" "$ports"
check_grep "linerate-ctl ports: VLAN 100 interface and its address" \
	"vlan 100.*[[:space:]]+ip[^0-9]+$V100_OUR/24" "$(tr '\n' ' ' <<<"$ports")"
check_grep "linerate-ctl ports: VLAN 200 interface and its address" \
	"vlan 200.*[[:space:]]+ip[^0-9]+$V200_OUR/24" "$(tr '\n' ' ' <<<"$ports")"

stats_snapshot "$LR_TMP/s0.json"
nsx timeout 60 tcpdump -i "$LR_IF" -nn -e -U -w "$LR_TMP/run1.pcap" >/dev/null 2>&1 &
LR_BG_PIDS+=($!)
sleep 1
over_vlan "VLAN 100" "$V100_OUR"
over_vlan "VLAN 200" "$V200_OUR"
check "untagged: ping $LR_OUR_IP still answers" nsx timeout 10 ping -c 2 -i 0.2 -W 2 "$LR_OUR_IP"
got=$(printf 'untagged\n' | nsx timeout 10 socat -t 5 -T 5 - "TCP:$LR_OUR_IP:7" 2>&1)
check_eq "untagged: TCP echo comes back" "untagged" "$got"
# Many short connections over VLAN 100: with two workers, some are steered by the inner
# tuple of a tagged frame; a wrong owner would answer with a RST.
steered_in() {
	ctl --json cores | "$PY" -c 'import json,sys; v=json.load(sys.stdin); v=v if isinstance(v,list) else next(x for x in v.values() if isinstance(x,list)); print(sum(r["steered_in"] for r in v))'
}
steer0=$(steered_in)
fails=0
for i in $(seq 1 20); do
	got=$(printf 'c%s\n' "$i" | nsx timeout 10 socat -t 3 -T 3 - "TCP:$V100_OUR:7" 2>&1)
	[[ $got == "c$i" ]] || fails=$((fails + 1))
done
check_eq "VLAN 100: 20 TCP echo connections over two workers all come back" 0 "$fails"
check_ge "VLAN 100: tagged segments were handed between workers (software steering)" \
	"$(($(steered_in) - steer0))" 1
nsx timeout 5 ping -c 3 -i 0.2 -W 1 198.18.30.2 >/dev/null 2>&1
sleep 0.5
kill -INT "${LR_BG_PIDS[-1]}" 2>/dev/null
wait "${LR_BG_PIDS[-1]}" 2>/dev/null
stats_snapshot "$LR_TMP/s1.json"

read -r all tagged <<<"$(tagged_replies "$LR_TMP/run1.pcap" "$V100_OUR" 100)"
check_ge "VLAN 100: frames from $V100_OUR captured" "$all" 10
check_eq "VLAN 100: every frame from $V100_OUR is tagged 100" "$all" "$tagged"
read -r all tagged <<<"$(tagged_replies "$LR_TMP/run1.pcap" "$V200_OUR" 200)"
check_ge "VLAN 200: frames from $V200_OUR captured" "$all" 5
check_eq "VLAN 200: every frame from $V200_OUR is tagged 200" "$all" "$tagged"
check_eq "untagged: no frame from $LR_OUR_IP is tagged" 0 \
	"$(tcpdump -r "$LR_TMP/run1.pcap" -nn -e "vlan and src host $LR_OUR_IP" 2>/dev/null | wc -l)"
check_ge "unknown VLAN 300: its ARP requests counted as eth.unknown_vlan" \
	"$(delta eth.unknown_vlan "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 1
check_eq "nothing sent on VLAN 300" 0 \
	"$(tcpdump -r "$LR_TMP/run1.pcap" -nn -e "vlan 300 and ether src $LR_OUR_MAC" 2>/dev/null | wc -l)"
check_ge "eth.rx_vlan counts tagged frames" "$(delta eth.rx_vlan "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 40
check_ge "eth.tx_vlan counts tagged frames" "$(delta eth.tx_vlan "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 40
# No RST but for a segment that arrives after its connection closed. With two workers
# over a tap, a connection's first segments can arrive out of order: the tap's kernel
# side queues a flow to the queue our last frame of it left by (tun's automatic flow
# steering), so the peer's handshake ACK can still go to the SYN's queue, by the other
# worker and the steering ring, while the rest of a short echo exchange goes straight
# to the owner, which has closed when the ACK comes and answers it with a RST, as
# RFC 9293 has a closed port do. A wrong owner would reset live connections.
rst=$(delta tcp.rst_tx "$LR_TMP/s0.json" "$LR_TMP/s1.json")
read -r rst_seen rst_late < <(tcpdump -r "$LR_TMP/run1.pcap" -nn -tt -S 'tcp or (vlan and tcp)' \
	2>/dev/null | "$PY" "$LR_ROOT/tests/integration/rst_after_close.py" "$LR_OUR_IP" \
	"$V100_OUR" "$V200_OUR" 2>"$LR_TMP/rst_early")
check_eq "every RST sent was captured (tcp.rst_tx $rst)" "$rst" "$rst_seen"
check_eq "every RST answers a late segment of a connection already closed ($rst_late of $rst_seen)" \
	"$rst_seen" "$rst_late" || {
	diag <"$LR_TMP/rst_early"
	echo "# tcp counters that moved during run 1 (what the RSTs answered):"
	"$PY" - "$LR_TMP/s0.json" "$LR_TMP/s1.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)).get('tcp', {}) for f in sys.argv[1:3])
print('#  ' + ', '.join(f'{k} +{b[k] - a.get(k, 0)}' for k in sorted(b)
                       if isinstance(b[k], int) and b[k] != a.get(k, 0)))
PYEOF
}
arp=$(ctl --json arp)
check_eq "linerate-ctl arp: $V100_PEER learned on VLAN 100" 100 \
	"$("$PY" -c 'import json,sys; v=json.load(sys.stdin); v=v if isinstance(v,list) else next(x for x in v.values() if isinstance(x,list)); print(next((e["vlan"] for e in v if e["ip"]==sys.argv[1]), ""))' "$V100_PEER" <<<"$arp")"
stop_linerate
for pid in "${LR_BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
LR_BG_PIDS=()
ip netns del "$LR_NS_CREATED" 2>/dev/null
LR_NS_CREATED=

# ---- run 2: the port's own interface tagged ---------------------------------------------
start_linerate --set port.0.vlan=100 --set vlan.0.port=0 --set vlan.0.vlan=200 \
	--set "vlan.0.ip=$V200_OUR/24" || lr_done
peer_setup || lr_done
nsx ip addr del "$LR_PEER_IP/24" dev "$LR_IF"
vlan_links 100 "$LR_PEER_IP/24" && nsx ip addr add 198.18.77.1/24 dev "$LR_IF" ||
	{ not_ok "peer VLAN link vl100"; lr_done; }
stats_snapshot "$LR_TMP/s2.json"
check "port's own interface on VLAN 100: ping $LR_OUR_IP answers" \
	nsx timeout 10 ping -c 2 -i 0.2 -W 2 "$LR_OUR_IP"
got=$(printf 'tagged own\n' | nsx timeout 10 socat -t 5 -T 5 - "TCP:$LR_OUR_IP:7" 2>&1)
check_eq "port's own interface on VLAN 100: TCP echo comes back" "tagged own" "$got"
nsx timeout 5 ping -c 3 -i 0.2 -W 1 198.18.77.2 >/dev/null 2>&1
stats_snapshot "$LR_TMP/s3.json"
check_ge "untagged frames on an all-tagged port counted as eth.untagged" \
	"$(delta eth.untagged "$LR_TMP/s2.json" "$LR_TMP/s3.json")" 1
lr_done
