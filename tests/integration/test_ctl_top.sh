#!/usr/bin/env bash
# linerate-ctl top (issue #12 item 5): a per-interval table of the running appliance
# (per worker and in total: pps, CPS, connections, retransmissions, drops by reason,
# busy %), --count for scripts, --json one object a line; its rates follow the traffic
# a Linux peer sends while it runs.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init ctltop
require root tun hugepages netns binaries cmd:ping cmd:socat cmd:python3 || lr_done
start_linerate || lr_done
peer_setup || lr_done
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1

# Traffic for 4 s: pings (rx and tx), TCP echo connections (CPS), UDP to a closed port
# (udp.NO_PORT drops).
traffic() {
	local end=$((SECONDS + 4))
	while ((SECONDS < end)); do
		echo x | timeout 2 socat -t 1 - "TCP:$LR_OUR_IP:7" >/dev/null 2>&1
		echo x | timeout 1 socat - "UDP:$LR_OUR_IP:4444" >/dev/null 2>&1
	done
}
nsx timeout 6 ping -i 0.01 -c 400 -q "$LR_OUR_IP" >/dev/null 2>&1 &
PING=$!
export LR_OUR_IP
export -f traffic
nsx timeout 8 bash -c traffic &
GEN=$!
sleep 0.3
out=$(ctl top --count 3 --interval 1 2>&1)
rc=$?
json=$(ctl --json top --count 2 --interval 0.5 2>&1)
wait "$PING" "$GEN" 2>/dev/null
printf '%s\n' "$out" | head -n 8 | diag
check_eq "top --count 3 exits 0" 0 "$rc"
check_eq "three intervals printed" 3 "$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]  interval' <<<"$out")"
check_eq "a worker row and a total row per interval" 3 "$(grep -c '^total ' <<<"$out")"
rows=$(grep -E '^(0|total) ' <<<"$out")
check "packets counted while the peer pings (rx_pps, tx_pps > 0)" \
	awk '$2 > 0 && $3 > 0 { n++ } END { exit !(n >= 4) }' <<<"$rows"
check "connections established counted (cps > 0 in some interval)" \
	awk '$1 == "total" && $4 > 0 { n++ } END { exit !(n >= 1) }' <<<"$rows"
check_grep "UDP to a closed port shows as a top drop reason" 'udp\.NO_PORT:[0-9]' "$out"
check "--json: one object a line with per-worker and total rates" python3 -c '
import json, sys
lines = [l for l in sys.argv[1].splitlines() if l.strip()]
assert len(lines) == 2, lines
for l in lines:
    o = json.loads(l)
    assert o["interval_s"] > 0.3, o
    assert len(o["workers"]) == 1 and o["workers"][0]["worker"] == 0, o
    for k in ("rx_pps", "tx_pps", "cps", "conns", "rexmt_per_s", "drops_per_s", "busy_pct", "top_drops"):
        assert k in o["total"], k
assert any(json.loads(l)["total"]["rx_pps"] > 0 for l in lines)
' "$json"
ctl top --count 0 >/dev/null 2>"$LR_TMP/err"
check_eq "top --count 0 is a usage error (exit 2)" 2 "$?"
check_grep "the error names the option" "count wants" "$(cat "$LR_TMP/err")"
ctl top --interval 0.01 >/dev/null 2>"$LR_TMP/err"
check_eq "top --interval 0.01 is a usage error (exit 2)" 2 "$?"
stop_linerate
lr_done
