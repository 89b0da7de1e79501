#!/usr/bin/env bash
# ECN (RFC 3168) against Linux on net_tap, [tcp] ecn = 1 here and net.ipv4.tcp_ecn = 1 in
# the peer namespace. The appliance marks CE itself (port.0.rx_ce on what Linux sends,
# port.0.tx_ce on what it sends: an AQM router on either path). tcpdump in the namespace
# sees the negotiation both ways: Linux's ECN-setup SYN (ECE, CWR) answered by a SYN-ACK
# with ECE to the echo service, and the appliance's own ECN-setup SYN (linerate-ctl
# connect) answered by Linux with ECE. A 20 MB echo comes back identical while
# - linerate, receiving CE, echoes ECE and Linux reduces (CWR back, TcpExtTCPDeliveredCE);
# - Linux, receiving CE, echoes ECE and linerate reduces (tcp.ecn_cwnd_reduced, CWR sent);
# and linerate's data leaves ECT(0), its pure ACKs Not-ECT.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_ecn
require root tun hugepages netns binaries cmd:tcpdump cmd:nstat || lr_done
SEED=20261203
start_linerate --set tcp.ecn=1 --set port.0.rx_ce=2 --set port.0.tx_ce=2 \
	--set "worker.fault_seed=$SEED" || lr_done
peer_setup || lr_done
check_grep "the running config says [tcp] ecn = 1" '^ecn = 1$' "$(ctl config 2>&1)"
if nsx sysctl -qw net.ipv4.tcp_ecn=1; then
	ok "net.ipv4.tcp_ecn = 1 in the peer namespace"
else
	not_ok "sysctl net.ipv4.tcp_ecn=1 in the peer namespace"
	lr_done
fi
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once

# Headers only: every frame of the run, read back with filters at the end.
PCAP=$LR_TMP/ecn.pcap
ip netns exec "$LR_NS" tcpdump -i "$LR_IF" -nn -U -s 80 -w "$PCAP" tcp >"$LR_TMP/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
LR_BG_PIDS+=("$TCPDUMP_PID")
for ((i = 0; i < 50; i++)); do grep -q 'listening on' "$LR_TMP/tcpdump.log" && break; sleep 0.1; done

stats_snapshot "$LR_TMP/base.json"
nsx nstat -n >/dev/null 2>&1 # nstat reports what changed from here
BYTES=$((20 * 1000 * 1000))
LIMIT=60
out=$(nsx timeout $((LIMIT + 10)) "$PY" "$LR_ROOT/tests/integration/loss_peer.py" echo \
	"$LR_OUR_IP" "$BYTES" "$LIMIT" 2>&1)
read -r _ res got secs mbit why <<<"$(grep '^result ' <<<"$out")"
if [[ $res == ok && $got == "$BYTES" ]]; then
	ok "20 MB echo with CE marks both ways comes back identical (sha256; $secs s, $mbit Mbit/s)"
else
	not_ok "20 MB echo with CE marks within $LIMIT s: got ${got:-?} bytes: ${why:-$out}"
fi

# The active open: a Linux listener takes 1 MB from linerate-ctl connect.
PORT=5001
ip netns exec "$LR_NS" timeout 60 "$PY" - "$LR_PEER_IP" "$PORT" "$LR_TMP/sink" <<'PYEOF' >"$LR_TMP/sink.log" 2>&1 &
import hashlib, socket, sys
ip, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((ip, port))
ls.listen(4)
open(out + ".ready", "w").close()
c, _ = ls.accept()
c.settimeout(30)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
c.close()
with open(out, "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
PYEOF
LR_BG_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [[ -f $LR_TMP/sink.ready ]] && break; sleep 0.1; done
out=$(ctl connect "$LR_PEER_IP" "$PORT" 1000000 2>&1)
check_eq "linerate-ctl connect $LR_PEER_IP $PORT 1000000: exit status" 0 "$?" ||
	printf '%s\n' "$out" | diag
for ((i = 0; i < 300; i++)); do [[ -s $LR_TMP/sink ]] && break; sleep 0.1; done
want=$("$PY" -c 'import hashlib,sys; n=int(sys.argv[1]); print(hashlib.sha256(bytes(i % 251 for i in range(n))).hexdigest())' 1000000)
check_eq "the Linux listener got the 1 MB pattern intact (bytes sha256)" "1000000 $want" \
	"$(cat "$LR_TMP/sink" 2>/dev/null)"

sleep 1
stats_snapshot "$LR_TMP/after.json"
d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }
kern=$(nsx nstat -a 2>/dev/null)
kstat() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' <<<"$kern"; }
kill -INT "$TCPDUMP_PID" 2>/dev/null # tcpdump writes out what it holds
sleep 1

# tcpdump: flags [SEW] = SYN ECE CWR, [S.E] = SYN ACK ECE (tcp[13]: CWR 0x80, ECE 0x40).
cnt() { tcpdump -nn -r "$PCAP" "$@" 2>/dev/null | wc -l; }
syn_ecn='tcp[13] & 0xd2 == 0xc2'   # SYN, ECE, CWR, no ACK
synack_ecn='tcp[13] & 0xd2 == 0x52' # SYN, ACK, ECE, no CWR
check_ge "tcpdump: Linux's ECN-setup SYN to the echo port" \
	"$(cnt "src host $LR_PEER_IP and dst port 7 and $syn_ecn")" 1
check_ge "tcpdump: linerate's ECN-setup SYN-ACK from the echo port" \
	"$(cnt "src host $LR_OUR_IP and src port 7 and $synack_ecn")" 1
check_ge "tcpdump: linerate's ECN-setup SYN to $PORT (linerate-ctl connect)" \
	"$(cnt "src host $LR_OUR_IP and dst port $PORT and $syn_ecn")" 1
check_ge "tcpdump: Linux's ECN-setup SYN-ACK from $PORT" \
	"$(cnt "src host $LR_PEER_IP and src port $PORT and $synack_ecn")" 1
data='(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0'
check_ge "tcpdump: linerate's data leaves ECT(0) (or CE, marked on the way)" \
	"$(cnt "src host $LR_OUR_IP and $data and ip[1] & 3 != 0")" 1000
notect=$(cnt "src host $LR_OUR_IP and $data and ip[1] & 3 == 0")
again=$(($(d tcp.rexmt_segs) + $(d tcp.persist_probe)))
if ((notect <= again)); then
	ok "tcpdump: linerate's Not-ECT data segments ($notect) are retransmissions or probes ($again)"
else
	not_ok "tcpdump: $notect Not-ECT data segments from linerate, only $again retransmissions/probes"
fi
check_eq "tcpdump: linerate's pure ACKs are Not-ECT" 0 \
	"$(cnt "src host $LR_OUR_IP and not $data and tcp[13] & 0x17 == 0x10 and ip[1] & 3 != 0")"
check_ge "tcpdump: linerate's ACKs carry ECE (it saw CE)" \
	"$(cnt "src host $LR_OUR_IP and tcp[13] & 0x52 == 0x50")" 1
check_ge "tcpdump: Linux's segments carry CWR (it reduced)" \
	"$(cnt "src host $LR_PEER_IP and tcp[13] & 0x82 == 0x80")" 1

fault=$(stat_keys fault "$LR_TMP/after.json")
printf '%s\n' "$fault" | grep -v ' 0$' | diag
check_ge "fault.rx_ce_marked: the appliance marked CE on what Linux sent" "$(d fault.rx_ce_marked)" 1
check_ge "fault.tx_ce_marked: the appliance marked CE on what it sent" "$(d fault.tx_ce_marked)" 1
check_ge "tcp.ecn_negotiated: both connections negotiated ECN" "$(d tcp.ecn_negotiated)" 2
check_ge "tcp.ecn_ce_rx: linerate received CE" "$(d tcp.ecn_ce_rx)" 1
check_ge "tcp.ecn_cwr_rx: Linux answered linerate's ECE with CWR" "$(d tcp.ecn_cwr_rx)" 1
check_ge "tcp.ecn_ece_rx: Linux echoed CE with ECE" "$(d tcp.ecn_ece_rx)" 1
check_ge "tcp.ecn_cwnd_reduced: linerate reduced its window for ECE" "$(d tcp.ecn_cwnd_reduced)" 1
check_ge "tcp.ecn_cwr_tx: linerate said so with CWR" "$(d tcp.ecn_cwr_tx)" 1
check_ge "TcpExtTCPDeliveredCE: the kernel counted its data acknowledged with ECE" \
	"$(kstat TcpExtTCPDeliveredCE)" 1
note "linerate: ece_rx +$(d tcp.ecn_ece_rx), reductions +$(d tcp.ecn_cwnd_reduced)," \
	"ce_rx +$(d tcp.ecn_ce_rx), cwr_rx +$(d tcp.ecn_cwr_rx), rexmt_segs +$(d tcp.rexmt_segs);" \
	"Linux: TcpExtTCPDeliveredCE $(kstat TcpExtTCPDeliveredCE)"
lr_done
