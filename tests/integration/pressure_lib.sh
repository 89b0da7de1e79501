# shellcheck shell=bash
# Shared by the test_pressure_*.sh files (issue #9: one file per attack class, each with its own
# linerate so that an appliance the attack killed cannot fail the next class).
#
#     . "$(dirname "$0")/pressure_lib.sh"
#     pressure_setup ooo [--set k=v ...]   # linerate, peer, nftables, keeper, baselines
#     attack_start ooo --conns 36 ...      # pressure.py in the namespace; waits until it holds
#     alive "during the attack"           # ping, UDP echo, fresh TCP echo, the keeper's echo
#     attack_stop                         # the attacker resets what is left and reports
#     alive "after the attack"; conns_gone 10; pools_back 15; shed_check ...; lr_done
#
# The keeper is an echo connection opened before the attack: "an existing connection still
# moves data" is one line sent on it and echoed back.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PRESSURE_PY=$LR_ROOT/tests/integration/pressure.py
KEEP_N=0
ATTACK_PID=

# pressure_setup NAME [start_linerate ARGS...]
pressure_setup() {
	local name=$1
	shift
	lr_init "pressure_$name"
	require root tun hugepages netns binaries cmd:ping cmd:nft || lr_done
	start_linerate "$@" || lr_done
	peer_setup || lr_done
	# The raw connections of pressure.py use source ports 20000-29999: Linux must not see
	# the appliance's answers to them (it would reset them).
	if nsx nft add table inet lrtp &&
		nsx nft add chain inet lrtp in '{ type filter hook input priority 0 ; }' &&
		nsx nft add rule inet lrtp in ip saddr "$LR_OUR_IP" tcp dport 20000-29999 drop; then
		ok "nftables keeps the raw connections' ports (20000-29999) away from Linux"
	else
		not_ok "nftables rule in the peer namespace"
		lr_done
	fi
	nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
	ip netns exec "$LR_NS" timeout 280 "$PY" -u "$PRESSURE_PY" keeper --dir "$LR_TMP" \
		--hold 270 --timeout 5 >"$LR_TMP/keeper.out" 2>&1 &
	LR_BG_PIDS+=("$!")
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -f $LR_TMP/keep.res.0 ]] && break
		sleep 0.1
	done
	check_eq "an echo connection is open before the attack" ok "$(cat "$LR_TMP/keep.res.0" 2>&1)"
	alive "before the attack"
	pools_snapshot "$LR_TMP/pools.base"
	stats_snapshot "$LR_TMP/stats.base.json"
}

# keep_rt PHASE: one line round trip on the keeper's connection.
keep_rt() {
	local i res
	KEEP_N=$((KEEP_N + 1))
	touch "$LR_TMP/keep.req.$KEEP_N"
	for ((i = 0; i < 80; i++)); do
		[[ -s $LR_TMP/keep.res.$KEEP_N ]] && break
		sleep 0.1
	done
	res=$(cat "$LR_TMP/keep.res.$KEEP_N" 2>/dev/null)
	check_eq "$1: the connection opened before the attack still moves data" ok "${res:-no answer in 8 s}"
}

# alive PHASE: ping, UDP echo, a fresh TCP echo connection, the keeper's connection.
alive() {
	local out
	out=$(nsx timeout 10 ping -c 3 -i 0.3 -W 2 "$LR_OUR_IP" 2>&1)
	check_grep "$1: ping answers" ' [1-9][0-9]* received' "$out"
	check "$1: UDP echo answers" nsx timeout 10 "$PY" "$PRESSURE_PY" probe --kind udp --timeout 6
	check "$1: a fresh TCP echo connection works" \
		nsx timeout 15 "$PY" "$PRESSURE_PY" probe --kind tcp --timeout 10
	keep_rt "$1"
}

# attack_start WHAT [pressure.py ARGS...]: start it in the namespace; wait (at most 60 s) until
# it holds its pressure. Returns 1 if it never did.
attack_start() {
	local i
	rm -f "$LR_TMP/attack.holding" "$LR_TMP/attack.stop"
	ip netns exec "$LR_NS" timeout 200 "$PY" -u "$PRESSURE_PY" "$1" --iface "$LR_IF" \
		--dir "$LR_TMP" "${@:2}" >"$LR_TMP/attack.out" 2>&1 &
	ATTACK_PID=$!
	LR_BG_PIDS+=("$ATTACK_PID")
	for ((i = 0; i < 600; i++)); do
		[[ -f $LR_TMP/attack.holding ]] && break
		kill -0 "$ATTACK_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -f $LR_TMP/attack.holding ]]; then
		ok "attack $1 holds its pressure ($(attack_info setup_s) s to set up)"
		pools_snapshot "$LR_TMP/pools.during"
		note "during: $(pools_show "$LR_TMP/pools.during")"
		return 0
	fi
	not_ok "attack $1 did not get to hold its pressure"
	diag <"$LR_TMP/attack.out"
	return 1
}

# attack_stop [SECONDS]: tell the attacker to stop (it resets its connections), wait for it
# (default 30 s), relay its own ok/not ok lines and show its info lines.
# shellcheck disable=SC2120  # SECONDS is optional
attack_stop() {
	local secs=${1:-30} line
	[[ -n $ATTACK_PID ]] || return 0
	touch "$LR_TMP/attack.stop"
	timeout "$secs" tail --pid="$ATTACK_PID" -f /dev/null 2>/dev/null || kill -TERM "$ATTACK_PID" 2>/dev/null
	wait "$ATTACK_PID" 2>/dev/null
	ATTACK_PID=
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) note "$line" ;;
		esac
	done <"$LR_TMP/attack.out"
}

# attack_wait SECONDS: wait for an attack that ends by itself; 1 if it did not within SECONDS.
attack_wait() {
	timeout "$1" tail --pid="$ATTACK_PID" -f /dev/null 2>/dev/null
}

# attack_info KEY: a value the attacker reported ("info KEY VALUE").
attack_info() { sed -n "s/^info $1 //p" "$LR_TMP/attack.out" | tail -n 1; }

# pools_snapshot FILE: "pool in_use size" lines, one per mempool: every mempool of
# `linerate-ctl --json mem` (RX pools, data pool, connection pools...), or, without that
# command, the mempool section of --json stats.
pools_snapshot() {
	local json=$LR_TMP/pools.json
	if ctl --json mem >"$json" 2>/dev/null; then
		pools_of "$json" mempools >"$1"
		[[ -s $1 ]] && return 0
	fi
	stats_snapshot "$json" || return 1
	pools_of "$json" >"$1"
}

# pools_of FILE [SECTION...]: the pools found under SECTIONs of a JSON file.
pools_of() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
def walk(v, name):
    if isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, x.get("name", "%s.%d" % (name, i)) if isinstance(x, dict) else name)
    if not isinstance(v, dict):
        return
    if isinstance(v.get("in_use"), int):
        print(name, v["in_use"], v.get("size", "?"))
    for k, x in v.items():
        walk(x, name + "." + k)
try:
    d = json.load(open(sys.argv[1]))
    for sect in sys.argv[2:] or ("mempool", "mempools", "pools"):
        walk(d.get(sect), sect)
except Exception:
    pass
PYEOF
}

# pools_show FILE: "pool in_use/size ..." on one line.
pools_show() { awk '{printf "%s %s/%s  ", $1, $2, $3}' "$1"; }

# pool_headroom PCT: while the attack holds, the data pool (lr_pool, else the first listed)
# keeps at least PCT % of its mbufs free: in the snapshot attack_start took and in one now.
pool_headroom() {
	local name use size max=0 f
	pools_snapshot "$LR_TMP/pools.during2"
	for f in "$LR_TMP/pools.during" "$LR_TMP/pools.during2"; do
		read -r name use size < <(grep -E '^(lr_pool|mempool) ' "$f" || head -n 1 "$f")
		[[ $use =~ ^[0-9]+$ && $size =~ ^[0-9]+$ ]] || continue
		((use > max)) && max=$use
	done
	if [[ ! $size =~ ^[0-9]+$ ]]; then
		not_ok "the data pool's in_use and size are shown (linerate-ctl mem or stats)"
	elif ((max * 100 <= size * (100 - $1))); then
		ok "the held data stays bounded: ${name:-pool} at most $max of $size in use (>= $1 % free)"
	else
		not_ok "the held data is not bounded: ${name:-pool} $max of $size in use (want >= $1 % free)"
		return 1
	fi
}

# pools_back SECONDS: every pool back at its in-use count from before the attack.
pools_back() {
	local i now
	if [[ ! -s $LR_TMP/pools.base ]]; then
		not_ok "--json stats shows the mempools (needed to check they come back)"
		return 1
	fi
	for ((i = 0; i < $1 * 4; i++)); do
		pools_snapshot "$LR_TMP/pools.now"
		diff -q <(cut -d' ' -f1,2 "$LR_TMP/pools.base") <(cut -d' ' -f1,2 "$LR_TMP/pools.now") \
			>/dev/null && break
		sleep 0.25
	done
	if diff -q <(cut -d' ' -f1,2 "$LR_TMP/pools.base") <(cut -d' ' -f1,2 "$LR_TMP/pools.now") >/dev/null; then
		ok "every pool back at its count from before the attack ($(awk '{printf "%s %s ", $1, $2}' "$LR_TMP/pools.now"))"
	else
		not_ok "pools not back at their counts $1 s after the attack"
		paste "$LR_TMP/pools.base" "$LR_TMP/pools.now" | awk '{print $1 ": before " $2 ", now " $5}' | diag
		return 1
	fi
}

# conns_gone SECONDS: no connection left but listeners and TIME_WAIT.
conns_gone() {
	local i lines
	for ((i = 0; i < $1 * 2; i++)); do
		lines=$(conns_lines "$LR_TMP/conns.json" 2>&1)
		conns_other "$lines" | grep -vqE "^ESTABLISHED 7 $LR_PEER_IP $(cat "$LR_TMP/keep.port" 2>/dev/null)\$" || break
		sleep 0.5
	done
	# The keeper's own connection is ESTABLISHED on port 7 and stays.
	local left
	left=$(conns_other "$lines" | grep -vcE "^ESTABLISHED 7 $LR_PEER_IP $(cat "$LR_TMP/keep.port" 2>/dev/null)\$")
	if grep -q '^LISTEN ' <<<"$lines" && ((left <= 0)); then
		ok "the attack's connections are gone ($(grep -c '^TIME_WAIT' <<<"$lines") in TIME_WAIT)"
	else
		not_ok "connections left $1 s after the attack: $left"
		conns_other "$lines" | awk '{print $1}' | sort | uniq -c | diag
		return 1
	fi
}

# counters_rose BASE AFTER [REGEX]: "key +delta" for every counter that rose (matching REGEX).
counters_rose() {
	"$PY" - "$1" "$2" "${3:-.}" <<'PYEOF'
import json, re, sys
def flat(v, pre, out):
    if isinstance(v, dict):
        for k, x in v.items():
            flat(x, pre + "." + k if pre else k, out)
    elif isinstance(v, int):
        out[pre] = v
    return out
try:
    a = flat(json.load(open(sys.argv[1])), "", {})
    b = flat(json.load(open(sys.argv[2])), "", {})
except Exception:
    sys.exit(0)
rx = re.compile(sys.argv[3], re.I)
for k, v in b.items():
    if rx.search(k) and not k.startswith("mempool") and v > a.get(k, 0):
        print("%s +%d" % (k, v - a.get(k, 0)))
PYEOF
}

# shed_check WHAT REGEX: some counter matching REGEX rose since before the attack; all the
# drop-like counters that rose are shown (once).
SHED_SHOWN=
shed_check() {
	local risen
	stats_snapshot "$LR_TMP/stats.after.json"
	if [[ -z $SHED_SHOWN ]]; then
		counters_rose "$LR_TMP/stats.base.json" "$LR_TMP/stats.after.json" \
			'drop|shed|prun|full|timeout|giveup|evict|orphan|mem|press|limit|collapse|bad|refus|reset|rst|abort|persist|zero|recycl|tw_|nobuf|frag' |
			diag
		SHED_SHOWN=1
	fi
	risen=$(counters_rose "$LR_TMP/stats.base.json" "$LR_TMP/stats.after.json" "$2" | tr '\n' ' ')
	if [[ -n $risen ]]; then
		ok "$1 counted: $risen"
	else
		not_ok "$1: no counter matching /$2/ rose"
		return 1
	fi
}
