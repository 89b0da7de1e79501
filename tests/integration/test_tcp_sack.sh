#!/usr/bin/env bash
# SACK against a Linux peer on net_tap: 2 % of the frames are lost each way (the
# appliance's port.0.rx_loss, nftables in the peer namespace), and 20 MB go through the echo service (sent and read back at once)
# and must come back identical (sha256) within a bound. Both directions use SACK:
# Linux SACKs what linerate sends (tcp.sack_blocks_rx, recoveries run from the
# scoreboard: tcp.sack_recovery, tcp.sack_rexmt), and linerate SACKs what Linux sends
# (tcp.sack_blocks_tx), which the kernel uses (TcpExtTCPSackRecovery in the namespace).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_sack
require root tun hugepages netns binaries cmd:nft cmd:nstat || lr_done
start_linerate --set port.0.rx_loss=2 --set worker.fault_seed=20261203 || lr_done
peer_setup || lr_done

# Losses the senders' TCP cannot see: the appliance drops 2 % of what it receives
# (port.0.rx_loss; a drop in the peer's output or egress hook is reported to the socket,
# which sends again), nftables 2 % of what Linux receives from it (input hook).
if nsx nft add table inet lrs &&
	nsx nft add chain inet lrs in '{ type filter hook input priority 0 ; }' &&
	nsx nft add rule inet lrs in ip saddr "$LR_OUR_IP" tcp sport 7 numgen random mod 100 '<' 2 counter drop; then
	ok "nftables in the peer namespace drops 2 % of the echo segments from the appliance"
else
	not_ok "nftables rule (numgen random) in the peer namespace"
	lr_done
fi
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once

stats_snapshot "$LR_TMP/base.json"
nsx nstat -n >/dev/null 2>&1 # nstat reports what changed from here
BYTES=$((20 * 1000 * 1000))
LIMIT=50

# the Linux peer of test_tcp_loss.sh: a thread sends, the main thread reads back, sha256
out=$(nsx timeout $((LIMIT + 10)) "$PY" "$LR_ROOT/tests/integration/loss_peer.py" echo \
	"$LR_OUR_IP" "$BYTES" "$LIMIT" 2>&1)
read -r _ res got secs mbit why <<<"$(grep '^result ' <<<"$out")"
if [[ $res == ok && $got == "$BYTES" ]]; then
	ok "20 MB echo at 2 % loss each way comes back identical (sha256; $secs s, $mbit Mbit/s)"
else
	not_ok "20 MB echo at 2 % loss each way within $LIMIT s: got ${got:-?} bytes: ${why:-$out}"
fi
sleep 1
stats_snapshot "$LR_TMP/after.json"
d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }
kern=$(nsx nstat -a 2>/dev/null)
kstat() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' <<<"$kern"; }

drops=$(nsx nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check_ge "nftables dropped segments from the appliance" "${drops:-}" 1
rxloss=$(stat_keys fault "$LR_TMP/after.json" | grep -iE '^fault\.[a-z_.0-9]*rx[a-z_.]*los' | head -n 1 | cut -d' ' -f1)
check_ge "${rxloss:-fault rx loss}: the appliance dropped received frames" "$( [[ -n $rxloss ]] && d "$rxloss")" 1
check_ge "tcp.sack_blocks_rx: Linux SACKed what linerate sent" "$(d tcp.sack_blocks_rx)" 1
check_ge "tcp.sack_recovery: recoveries run from the scoreboard" "$(d tcp.sack_recovery)" 1
check_ge "tcp.sack_rexmt: holes retransmitted from the scoreboard" "$(d tcp.sack_rexmt)" 1
check_ge "tcp.sack_blocks_tx: linerate SACKed what Linux sent" "$(d tcp.sack_blocks_tx)" 1
check_ge "TcpExtTCPSackRecovery: the kernel recovered from linerate's SACK blocks" \
	"$(kstat TcpExtTCPSackRecovery)" 1
check_eq "no scoreboard allocation failed (tcp.sack_board_nomem)" 0 "$(d tcp.sack_board_nomem)"
note "linerate: rexmt_timeout +$(d tcp.rexmt_timeout), fast_rexmt +$(d tcp.fast_rexmt)," \
	"rexmt_segs +$(d tcp.rexmt_segs), dsack_tx +$(d tcp.dsack_tx), dsack_rx +$(d tcp.dsack_rx)," \
	"sack_ign_old +$(d tcp.sack_ign_old), sack_ign_full +$(d tcp.sack_ign_full)"
grep -iE 'sack|retrans|loss|timeout|recovery' <<<"$kern" | awk '$2 != 0 { printf "%s %s  ", $1, $2 } END { print "" }' | diag
note "kernel: TCPSackRecovery $(kstat TcpExtTCPSackRecovery), TCPSACKReneging" \
	"$(kstat TcpExtTCPSACKReneging), TCPDSACKRecv $(kstat TcpExtTCPDSACKRecv)," \
	"TCPTimeouts $(kstat TcpExtTCPTimeouts), TCPSackShifted $(kstat TcpExtTCPSackShifted)"

lr_done
