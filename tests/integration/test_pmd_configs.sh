#!/usr/bin/env bash
# Every software-PMD configuration in pmd_config/ really starts, moves packets and stops
# cleanly: net_ring (our gratuitous ARP loops back), net_null (frames arrive and are
# dropped by name), net_pcap (a capture replayed in, the answers written out and checked
# frame by frame), af_packet (a veth pair with a Linux peer: ARP, ping, UDP echo) and a
# net_memif server/client pair (the client opens a TCP connection to the server's echo).
# (The tap.ini default is what every other integration test runs.)
. "$(dirname "$0")/lib.sh"
lr_init pmd
require root hugepages netns binaries cmd:ping cmd:ethtool pymod:scapy || lr_done

RUN=${LR_PREFIX##*-}

# start_cfg NAME CONFIG [--set ...]: start one instance in the background; its PID in
# CFG_PID. Waits for "linerate: ready".
start_cfg() {
	local name=$1 cfg=$2 i
	shift 2
	"$LINERATE" --config "$LR_ROOT/pmd_config/$cfg" \
		--set "eal.file_prefix=$LR_PREFIX-$name" \
		--set "app.control_socket=$LR_TMP/$name.sock" \
		"$@" >"$LR_TMP/$name.out" 2>"$LR_TMP/$name.err" </dev/null &
	CFG_PID=$!
	LR_BG_PIDS+=("$CFG_PID")
	for ((i = 0; i < 150; i++)); do
		if grep -qx 'linerate: ready' "$LR_TMP/$name.out"; then
			ok "$name: $cfg starts"
			return 0
		fi
		kill -0 "$CFG_PID" 2>/dev/null || break
		sleep 0.1
	done
	not_ok "$name: $cfg starts"
	tail -n 8 "$LR_TMP/$name.err" | diag
	return 1
}

# stop_cfg NAME PID: SIGTERM, and the exit status must be 0.
stop_cfg() {
	local name=$1 pid=$2 rc
	kill -TERM "$pid" 2>/dev/null
	if ! timeout 15 tail --pid="$pid" -f /dev/null 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		not_ok "$name: stops within 15 s of SIGTERM"
		return
	fi
	wait "$pid"
	rc=$?
	check_eq "$name: exits 0 after SIGTERM" 0 "$rc"
	rm -rf "/var/run/dpdk/$LR_PREFIX-$name"
}

# jstat NAME PATH: a value from `linerate-ctl --json stats` of instance NAME, e.g.
# "arp.bad_sender" or "services.echo.bytes_in".
jstat() {
	timeout 10 "$LINERATE_CTL" --socket "$LR_TMP/$1.sock" --json stats |
		"$PY" -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$2"
}

# wait_stat NAME PATH MIN: poll until the counter reaches MIN (10 s); prints it.
wait_stat() {
	local v i
	for ((i = 0; i < 100; i++)); do
		v=$(jstat "$1" "$2" 2>/dev/null)
		[[ -n $v && $v -ge $3 ]] && break
		sleep 0.1
	done
	echo "${v:-0}"
}

# ---- net_ring: one ring is both RX and TX, so what we send comes back ----------------
if start_cfg ring ring.ini; then
	check_ge "ring: our own gratuitous ARP came back and was refused as ours" \
		"$(wait_stat ring arp.bad_sender 1)" 1
	stop_cfg ring "$CFG_PID"
fi

# ---- net_null: an endless stream of zero-filled frames ------------------------------
if start_cfg null null.ini --set worker.idle=sleep; then
	rx=$(wait_stat null eth.rx 1000)
	check_ge "null: frames received" "$rx" 1000
	check_ge "null: all-zero frames dropped as not for our MAC" \
		"$(jstat null eth.not_for_us)" 1000
	stop_cfg null "$CFG_PID"
fi

# ---- net_pcap: replay ARP request + ping, check the answers ---------------------------
"$PY" - "$LR_TMP/in.pcap" <<'EOF'
import sys
from scapy.all import ARP, ICMP, IP, Ether, wrpcap
peer, us = "02:4c:52:00:00:01", "02:4c:52:00:00:02"
wrpcap(sys.argv[1], [
    Ether(dst="ff:ff:ff:ff:ff:ff", src=peer) /
    ARP(op=1, hwsrc=peer, psrc="198.18.0.1", pdst="198.18.0.2"),
    Ether(dst=us, src=peer) / IP(src="198.18.0.1", dst="198.18.0.2") /
    ICMP(id=7, seq=1) / b"pcap-ping",
])
EOF
if start_cfg pcap pcap.ini \
	--set "port.0.device=net_pcap0,rx_pcap=$LR_TMP/in.pcap,tx_pcap=$LR_TMP/out.pcap"; then
	wait_stat pcap icmp.tx_echo_reply 1 >/dev/null
	stop_cfg pcap "$CFG_PID" # the pcap PMD writes its file on close
	out=$("$PY" - "$LR_TMP/out.pcap" <<'EOF'
import sys
from scapy.all import ARP, ICMP, Ether, rdpcap
for p in rdpcap(sys.argv[1]):
    if ARP in p and p[ARP].op == 2:
        print("arp-reply", p[Ether].dst, p[ARP].hwsrc, p[ARP].psrc, p[ARP].pdst)
    elif ARP in p and p[ARP].psrc == p[ARP].pdst:
        print("garp", p[ARP].psrc)
    elif ICMP in p and p[ICMP].type == 0:
        print("echo-reply", p[ICMP].id, p[ICMP].seq, bytes(p[ICMP].payload).decode())
EOF
	)
	echo "$out" | diag
	check_grep "pcap: gratuitous ARP written out" "garp 198.18.0.2" "$out"
	check_grep "pcap: ARP reply to the requester with our MAC" \
		"arp-reply 02:4c:52:00:00:01 02:4c:52:00:00:02 198.18.0.2 198.18.0.1" "$out"
	check_grep "pcap: echo reply keeps id, sequence and payload" \
		"echo-reply 7 1 pcap-ping" "$out"
fi

# ---- af_packet on a veth pair, Linux on the other end in a namespace -----------------
VETH=vlr$RUN
if ip netns add "$LR_NS" && ip link add "$VETH" type veth peer name "vlp$RUN"; then
	LR_NS_CREATED=$LR_NS
	lr_save_state
	ip link set "vlp$RUN" netns "$LR_NS"
	nsx ip link set "vlp$RUN" address 02:4c:52:00:04:01
	nsx ip addr add 198.18.4.1/24 dev "vlp$RUN"
	nsx ip link set "vlp$RUN" up
	nsx sysctl -qw "net.ipv6.conf.vlp$RUN.disable_ipv6=1"
	# AF_PACKET sees the peer's frames before their L4 checksum is filled in (see
	# af_packet.ini): the peer computes checksums itself.
	nsx ethtool -K "vlp$RUN" tx off >/dev/null
	ip link set "$VETH" up
	if start_cfg afp af_packet.ini --set "port.0.device=net_af_packet0,iface=$VETH"; then
		check "af_packet: Linux pings the appliance" nsx ping -c 3 -i 0.2 -W 2 198.18.4.2
		check_grep "af_packet: Linux learned our MAC" "02:4c:52:00:04:02" \
			"$(nsx ip neigh show 198.18.4.2)"
		echo=$(nsx timeout 5 "$PY" -c 'import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"afp-echo", ("198.18.4.2", 7)); print(s.recvfrom(100)[0].decode())')
		check_eq "af_packet: UDP echo" "afp-echo" "$echo"
		stop_cfg afp "$CFG_PID"
	fi
else
	not_ok "af_packet: create namespace $LR_NS and veth $VETH"
fi

# ---- net_memif: a server and a client linerate, TCP between them ----------------------
MEMIF=$LR_TMP/memif.sock
if start_cfg msrv memif-server.ini --set "port.0.device=net_memif0,role=server,socket=$MEMIF"; then
	SRV=$CFG_PID
	if start_cfg mcli memif-client.ini \
		--set "port.0.device=net_memif0,role=client,socket=$MEMIF"; then
		CLI=$CFG_PID
		check "memif: the client opens a connection to the server's echo" \
			timeout 10 "$LINERATE_CTL" --socket "$LR_TMP/mcli.sock" connect 198.18.1.1 7 100000
		check_eq "memif: the server's echo got all 100000 bytes" \
			100000 "$(wait_stat msrv services.echo.bytes_in 100000)"
		check_ge "memif: the client's connection completed" \
			"$(wait_stat mcli services.client.completed 1)" 1
		check_eq "memif: the client counted no failure" "0/0/0" \
			"$(jstat mcli services.client.refused)/$(jstat mcli services.client.reset)/$(jstat mcli services.client.timeout)"
		stop_cfg mcli "$CLI"
	fi
	stop_cfg msrv "$SRV"
fi

LR_BG_PIDS=()
lr_done
