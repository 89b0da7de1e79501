#!/usr/bin/env bash
# TCP loss recovery against a Linux peer on net_tap (issue #11): 20 MB through the echo
# service at 1 %, 2 % and 5 % loss each way, then under the appliance's own reorder and
# duplicate faults, must come back identical (sha256); 20 MB from chargen at 2 % loss each
# way (linerate the sender, recovering from the Linux receiver's SACK blocks) must keep
# the RFC 864 pattern. Each transfer has a time bound; linerate's retransmission counters
# must move (the loss really happened), SACK blocks must have been received and sent, and
# recoveries run from the SACK scoreboard.
#
# Loss each way, and the sender's TCP must not see it: the appliance drops N % of what it
# receives (port.0.rx_loss), nftables N % of the TCP segments Linux receives from it (input
# hook). A drop in the peer's output or egress hooks would be reported to the socket,
# which sends again: no loss at all. One linerate per case (the fault keys are read at
# start), each with a fresh peer namespace.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_loss
require root tun hugepages netns binaries cmd:nft || lr_done
PEER=$LR_ROOT/tests/integration/loss_peer.py
SEED=${LOSS_SEED:-20261203}
BYTES=$((20 * 1000 * 1000))

# session_start LOSS [--set k=v ...]: linerate dropping LOSS % of what it receives (plus
# the extra settings), a peer namespace dropping LOSS % of the TCP segments it receives,
# the appliance's address resolved, stats saved in $LR_TMP/base.json.
session_start() {
	local loss=$1 permille tids
	shift
	permille=$(awk -v l="$loss" 'BEGIN { printf "%d", l * 10 + 0.5 }')
	start_linerate --set "port.0.rx_loss=$loss" --set "worker.fault_seed=$SEED" "$@" || return 1
	# On a busy shared machine a descheduled worker inflates the RTT and costs RTOs: the
	# 5 % run took 64 s at load 15 and did not finish in 200 s at load 18 at nice 0.
	mapfile -t tids < <(ls "/proc/$LR_PID/task") # every thread: the worker too
	renice -n -10 -p "${tids[@]}" >/dev/null
	peer_setup || return 1
	if ! { nsx nft add table inet lrl &&
		nsx nft add chain inet lrl in '{ type filter hook input priority 0 ; }' &&
		nsx nft add rule inet lrl in ip saddr "$LR_OUR_IP" meta l4proto tcp \
			numgen random mod 1000 '<' "$permille" counter drop; }; then
		not_ok "nftables rule (numgen random) in the peer namespace"
		return 1
	fi
	nsx timeout 10 ping -c 3 -i 0.2 -W 2 "$LR_OUR_IP" >/dev/null 2>&1 # resolve
	stats_snapshot "$LR_TMP/base.json"
}

# session_stop: stop linerate (exit status checked), delete the namespace (its interface
# went with linerate).
session_stop() {
	stop_linerate
	if [[ -n $LR_NS_CREATED ]]; then
		ip netns del "$LR_NS_CREATED" 2>/dev/null
		LR_NS_CREATED=
	fi
}

# transfer MODE LIMIT LABEL: loss_peer.py MODE in the namespace; ok if all BYTES came
# through intact within LIMIT seconds. Then $LR_TMP/after.json holds the stats.
transfer() {
	local mode=$1 limit=$2 label=$3 out res got secs mbit why
	out=$(nsx timeout $((limit + 15)) nice -n -10 "$PY" "$PEER" "$mode" "$LR_OUR_IP" "$BYTES" "$limit" 2>&1)
	read -r _ res got secs mbit why <<<"$(grep '^result ' <<<"$out")"
	if [[ $res == ok && $got == "$BYTES" ]]; then
		ok "$label: 20 MB intact ($why; $secs s of at most $limit, $mbit Mbit/s)"
	else
		not_ok "$label: 20 MB intact within $limit s: got ${got:-?} bytes in ${secs:-?} s: ${why:-$out}"
	fi
	sleep 0.5
	stats_snapshot "$LR_TMP/after.json"
}

d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }
has() { [[ -n $(stat_get "$1" "$LR_TMP/after.json") ]]; }
nft_drops() { nsx nft list chain inet lrl in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }

# lost_checks LABEL: both drops happened, linerate retransmitted, gave nothing up.
lost_checks() {
	check_ge "$1: nftables dropped segments from the appliance" "$(nft_drops)" 1
	check_ge "$1: fault.rx_lost: the appliance dropped frames it received" "$(d fault.rx_lost)" 1
	check_ge "$1: tcp.rexmt_segs: linerate retransmitted" "$(d tcp.rexmt_segs)" 1
	check_eq "$1: no connection given up (tcp.timeout_drop)" 0 "$(d tcp.timeout_drop)"
}

# sack_checks LABEL rx|tx|recovery...: SACK blocks received (Linux SACKed what linerate
# sent), sent (linerate SACKed what Linux sent), recoveries run from the scoreboard.
sack_checks() {
	local label=$1 dir
	shift
	for dir in "$@"; do
		case $dir in
		rx) check_ge "$label: tcp.sack_blocks_rx: Linux's SACK blocks reached linerate" \
			"$(d tcp.sack_blocks_rx)" 1 ;;
		tx) check_ge "$label: tcp.sack_blocks_tx: linerate sent SACK blocks" \
			"$(d tcp.sack_blocks_tx)" 1 ;;
		recovery) check_ge "$label: tcp.sack_recovery: recoveries run from the scoreboard" \
			"$(d tcp.sack_recovery)" 1 ;;
		esac
	done
}

explain() {
	local k line=
	for k in rexmt_timeout fast_rexmt partial_ack rexmt_segs sack_blocks_rx sack_blocks_tx \
		sack_recovery sack_rexmt dsack_rx dsack_tx ack_mid_burst tlp tlp_new_data; do
		has "tcp.$k" && line+="$k +$(d "tcp.$k"), "
	done
	note "$1: ${line%, }"
}

# Seconds per transfer (LOSS_LIMIT overrides them all, to measure). Measured on main with
# SACK, 2-CPU machine at load 11-18, two runs: 1 % 14.6 and 4.6 s, 2 % 11.1 and 34.3 s,
# faults 0.5 and 1.3 s, chargen 11.8 and 24.1 s, 5 % 63.6 s (232 RTOs); the whole test
# 2 min 40 s. Bounds about 4x the slower run, at least 60 s, and 3x at 5 %, so that a
# slow run still ends within run-tests.sh's 300 s. Before SACK (445cd5c): 24.5, 44.8,
# 1.1, 8.4 and 145 s.
declare -A LIMIT=([1]=90 [2]=120 [5]=200 [faults]=60 [chargen]=120)
if [[ -n ${LOSS_LIMIT:-} ]]; then for k in "${!LIMIT[@]}"; do LIMIT[$k]=$LOSS_LIMIT; done; fi

# echo_at LOSS: 20 MB echo at LOSS % each way.
echo_at() {
	local label="echo at $1 % loss each way"
	session_start "$1" || lr_done
	transfer echo "${LIMIT[$1]}" "$label"
	lost_checks "$label"
	sack_checks "$label" rx tx recovery
	# RFC 5681 §4.2 within a receive burst: Linux's bursts of full segments drew more
	# than the one ACK per burst that a lost ACK turned into the sender's RTO
	check_ge "$label: tcp.ack_mid_burst: ACKs every second segment within bursts" \
		"$(d tcp.ack_mid_burst)" 1
	explain "$label"
	session_stop
}

echo_at 1
echo_at 2

# ---- reordering and duplication both ways, no loss ----
label="echo under reorder and duplicate faults"
session_start 0 --set port.0.rx_reorder=5 --set port.0.rx_dup=2 \
	--set port.0.tx_reorder=5 --set port.0.tx_dup=2 || lr_done
transfer echo "${LIMIT[faults]}" "$label"
for key in fault.rx_reordered fault.rx_duplicated fault.tx_reordered fault.tx_duplicated; do
	check_ge "$label: $key: the fault happened" "$(d "$key")" 1
done
check_eq "$label: no connection given up (tcp.timeout_drop)" 0 "$(d tcp.timeout_drop)"
check_ge "$label: tcp.dsack_tx: duplicates received were D-SACKed" "$(d tcp.dsack_tx)" 1
check_ge "$label: tcp.dsack_rx: Linux D-SACKed the duplicates it got" "$(d tcp.dsack_rx)" 1
explain "$label"
session_stop

# ---- linerate the sender: 20 MB from chargen at 2 % loss each way ----
label="chargen download at 2 % loss each way"
session_start 2 || lr_done
transfer chargen "${LIMIT[chargen]}" "$label"
lost_checks "$label"
sack_checks "$label" rx recovery
# the paths a Linux receiver drives here: loss probes of new data (two full segments,
# whose ACK it sends at once) and partial ACKs in SACK recovery (the head resent, counted
# once in pipe); the 20 MB above came through both intact
check_ge "$label: tcp.tlp_new_data: loss probes sent new data" "$(d tcp.tlp_new_data)" 1
check_ge "$label: tcp.partial_ack: partial ACKs in recovery" "$(d tcp.partial_ack)" 1
explain "$label"
session_stop

# last: the longest, so the others have reported if it ends at its bound
echo_at 5

lr_done
