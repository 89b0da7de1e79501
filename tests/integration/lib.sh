# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the test files that source this
# Helpers for the integration tests: one linerate on net_tap, a Linux peer in a network
# namespace, the control client, and TAP-like result lines (`ok - `, `not ok - `, `skip - `).
#
# A test file:
#     . "$(dirname "$0")/lib.sh"
#     lr_init arp                       # names derived from "arp", cleanup trap installed
#     require root tun hugepages cmd:arping || lr_done
#     start_linerate || lr_done         # waits for "linerate: ready"
#     peer_setup || lr_done             # namespace with 198.18.0.1/24 facing the appliance
#     check "ping answers" nsx ping -c 1 -W 2 "$LR_OUR_IP"
#     lr_done                           # stops linerate (checks exit 0), prints a count, exits
#
# Everything a test creates carries its name and run id: file prefix and namespace
# lrt-NAME-RUN, tap interface lrtNAMERUN, a private temporary directory. Cleanup kills only
# the PIDs this run started and deletes only the namespace it created.

set -u
set -o pipefail

LR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LR_BUILD=${BUILD:-build}
[[ $LR_BUILD == /* ]] || LR_BUILD=$LR_ROOT/$LR_BUILD
LINERATE=${LINERATE:-$LR_BUILD/app/linerate}
LINERATE_CTL=${LINERATE_CTL:-$LR_BUILD/app/linerate-ctl}
LR_CONFIG=${CONFIG:-$LR_ROOT/pmd_config/tap.ini}
# The distribution's python3 (scapy lives there), not whatever python3 comes first in PATH.
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=python3; fi

LR_OUR_IP=198.18.0.2
LR_PEER_IP=198.18.0.1
LR_OUR_MAC=02:4c:52:00:00:02
LR_PEER_MAC=02:4c:52:00:00:01
LR_READY_TIMEOUT=${LR_READY_TIMEOUT:-30}
# LR_TCP_CC=newreno|cubic: the appliance's [tcp] cc for every start_linerate (e.g.
# test_tcp_faults_newreno.sh); empty = the configuration's.
LR_TCP_CC=${LR_TCP_CC:-}

LR_PASS=0
LR_FAIL=0
LR_SKIP=0
LR_PID=
LR_NS_CREATED=
LR_BG_PIDS=()
LR_TMP=

# ---- result lines ---------------------------------------------------------------------

ok() { echo "ok - $*"; LR_PASS=$((LR_PASS + 1)); }
not_ok() { echo "not ok - $*"; LR_FAIL=$((LR_FAIL + 1)); }
skip() { echo "skip - $*"; LR_SKIP=$((LR_SKIP + 1)); }
# Indented diagnostics that the runner does not count.
diag() { sed 's/^/    # /'; }
note() { echo "    # $*"; }

# check NAME CMD...: ok if CMD exits 0 (its output is shown only on failure).
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		ok "$name"
	else
		not_ok "$name (exit $rc)"
		printf '%s\n' "$out" | tail -n 20 | diag
	fi
	return "$rc"
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then ok "$1 ($3)"; else not_ok "$1: expected $2, got ${3:-nothing}"; return 1; fi
}

# check_ge NAME ACTUAL MIN
check_ge() {
	if [[ $2 =~ ^[0-9]+$ ]] && (($2 >= $3)); then
		ok "$1 ($2 >= $3)"
	else
		not_ok "$1: expected >= $3, got ${2:-nothing}"
		return 1
	fi
}

# check_grep NAME REGEX TEXT: TEXT matches REGEX (extended, case-insensitive).
check_grep() {
	if grep -qiE -- "$2" <<<"$3"; then
		ok "$1"
	else
		not_ok "$1: no match for /$2/"
		printf '%s\n' "$3" | tail -n 20 | diag
		return 1
	fi
}

# ---- prerequisites --------------------------------------------------------------------

# require WHAT...: root tun hugepages netns cmd:NAME pymod:NAME. A missing one is a
# failure under CI=true and a skip elsewhere. Returns 1 if anything is missing.
require() {
	local what missing=0 why
	for what in "$@"; do
		why=
		case $what in
		root) [[ $(id -u) -eq 0 ]] || why="not running as root" ;;
		tun) [[ -c /dev/net/tun ]] || why="/dev/net/tun missing" ;;
		hugepages)
			local free
			free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null)
			[[ ${free:-0} -ge 64 ]] || why="fewer than 64 free hugepages (run scripts/hugepages.sh)"
			;;
		netns) ip netns list >/dev/null 2>&1 || why="ip netns does not work" ;;
		binaries)
			[[ -x $LINERATE && -x $LINERATE_CTL ]] || why="$LINERATE or $LINERATE_CTL not built"
			[[ -r $LR_CONFIG ]] || why="${why:+$why; }$LR_CONFIG missing"
			;;
		cmd:*) command -v "${what#cmd:}" >/dev/null 2>&1 || why="command ${what#cmd:} not found" ;;
		pymod:*) "$PY" -c "import ${what#pymod:}" >/dev/null 2>&1 || why="python module ${what#pymod:} missing" ;;
		*) why="unknown prerequisite $what" ;;
		esac
		if [[ -n $why ]]; then
			missing=1
			if [[ ${CI:-} == true ]]; then
				not_ok "prerequisite $what missing: $why"
			else
				skip "prerequisite $what missing: $why"
			fi
		fi
	done
	return "$missing"
}

# ---- lifecycle ------------------------------------------------------------------------

# lr_init NAME: derive this run's names, make the temporary directory, install the cleanup
# trap. Names carry the test's name and this shell's PID (4 hex digits), so two runs of
# the same file (two engineers, one machine) never collide.
lr_init() {
	local run
	LR_NAME=$1
	run=$(printf '%04x' $(($$ & 0xffff)))
	LR_PREFIX=lrt-$LR_NAME-$run
	LR_NS=$LR_PREFIX
	LR_IF=lrt${LR_NAME:0:8}$run # at most 15 characters
	LR_TMP=$(mktemp -d "/tmp/$LR_PREFIX.XXXXXX")
	LR_SOCK=$LR_TMP/ctl.sock
	LR_STATE=/tmp/$LR_PREFIX.state # "script-pid linerate-pid namespace tmpdir" for lr_clean_leftovers
	trap lr_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap '' PIPE # a reader that went away must not cut the cleanup short
	echo "# $(basename "$0"): linerate $LINERATE, config $LR_CONFIG, names $LR_PREFIX/$LR_IF"
	lr_clean_leftovers
}

lr_save_state() {
	echo "$$ ${LR_PID:-0} ${LR_NS_CREATED:--} $LR_TMP" >"$LR_STATE"
}

# Runs of this same file that died without cleaning up (their shell is gone, e.g. killed
# with SIGKILL): stop their linerate (only if that PID is still a linerate with their
# prefix), delete their namespace and temporary directory. Live runs are left alone.
lr_clean_leftovers() {
	local f spid lpid ns tmp prefix
	for f in /tmp/lrt-"$LR_NAME"-????.state; do
		[[ -f $f && $f != "$LR_STATE" ]] || continue
		read -r spid lpid ns tmp <"$f" || continue
		if [[ $spid =~ ^[0-9]+$ ]] && kill -0 "$spid" 2>/dev/null &&
			tr '\0' ' ' <"/proc/$spid/cmdline" 2>/dev/null | grep -q "test_$LR_NAME"; then
			continue
		fi
		prefix=$(basename "$f" .state)
		if [[ $lpid =~ ^[0-9]+$ && $lpid != 0 ]] && tr '\0' ' ' <"/proc/$lpid/cmdline" 2>/dev/null |
			grep -q -- "linerate.*file_prefix=$prefix "; then
			note "stopping leftover linerate $lpid of a dead run ($prefix)"
			kill -TERM "$lpid" 2>/dev/null
			timeout 10 tail --pid="$lpid" -f /dev/null 2>/dev/null || kill -KILL "$lpid" 2>/dev/null
		fi
		if [[ $ns == lrt-"$LR_NAME"-* ]] && ip netns list 2>/dev/null | grep -q -- "^$ns\b"; then
			note "deleting leftover namespace $ns"
			ip netns del "$ns" 2>/dev/null
		fi
		[[ $tmp == /tmp/lrt-"$LR_NAME"-* ]] && rm -rf "$tmp"
		rm -rf "/var/run/dpdk/$prefix" # its own runtime dir (telemetry socket)
		rm -f "$f"
	done
}

# start_linerate [--set k=v ...]: start in the background with this test's names; wait for
# "linerate: ready". Records ok/not ok. Returns 1 if it did not become ready.
# shellcheck disable=SC2120  # extra --set arguments are optional
start_linerate() {
	local i cc=()
	: >"$LR_TMP/stdout"
	: >"$LR_TMP/stderr"
	[[ -z $LR_TCP_CC ]] || cc=(--set "tcp.cc=$LR_TCP_CC")
	"$LINERATE" --config "$LR_CONFIG" \
		--set "eal.file_prefix=$LR_PREFIX" \
		--set "eal.in_memory=yes" \
		--set "app.control_socket=$LR_SOCK" \
		--set "port.0.device=net_tap0,iface=$LR_IF" \
		"${cc[@]}" "$@" >"$LR_TMP/stdout" 2>"$LR_TMP/stderr" </dev/null &
	LR_PID=$!
	lr_save_state
	for ((i = 0; i < LR_READY_TIMEOUT * 10; i++)); do
		if grep -qx 'linerate: ready' "$LR_TMP/stdout"; then
			ok "linerate starts and prints 'linerate: ready' (pid $LR_PID, $((i / 10)).$((i % 10)) s${LR_TCP_CC:+, tcp.cc=$LR_TCP_CC})"
			return 0
		fi
		if ! kill -0 "$LR_PID" 2>/dev/null; then
			wait "$LR_PID"
			not_ok "linerate exited with status $? before 'linerate: ready'"
			LR_PID=
			tail -n 20 "$LR_TMP/stdout" "$LR_TMP/stderr" | diag
			return 1
		fi
		sleep 0.1
	done
	not_ok "linerate did not print 'linerate: ready' within ${LR_READY_TIMEOUT} s"
	tail -n 20 "$LR_TMP/stdout" "$LR_TMP/stderr" | diag
	return 1
}

# stop_linerate: SIGTERM, wait up to 15 s, check exit status 0 and clean stop.
stop_linerate() {
	local pid=$LR_PID rc
	[[ -n $pid ]] || return 0
	LR_PID=
	kill -TERM "$pid" 2>/dev/null
	if timeout 15 tail --pid="$pid" -f /dev/null 2>/dev/null; then
		wait "$pid"
		rc=$?
		if ((rc == 0)); then
			ok "linerate stops on SIGTERM with exit status 0"
		else
			not_ok "linerate exit status $rc after SIGTERM (want 0)"
			tail -n 20 "$LR_TMP/stderr" | diag
			return 1
		fi
	else
		not_ok "linerate still running 15 s after SIGTERM: killed"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
}

lr_cleanup() {
	local pid
	trap - EXIT
	trap '' INT TERM # a second signal must not cut the cleanup short
	for pid in "${LR_BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	if [[ -n $LR_PID ]]; then
		kill -TERM "$LR_PID" 2>/dev/null
		timeout 10 tail --pid="$LR_PID" -f /dev/null 2>/dev/null || kill -KILL "$LR_PID" 2>/dev/null
		LR_PID=
	fi
	if [[ -n $LR_NS_CREATED ]]; then
		ip netns del "$LR_NS_CREATED" 2>/dev/null
	fi
	if [[ -n $LR_TMP && -d $LR_TMP ]]; then
		rm -rf "$LR_TMP"
	fi
	[[ -n ${LR_PREFIX:-} ]] && rm -rf "/var/run/dpdk/$LR_PREFIX" # our runtime dir (telemetry socket)
	rm -f "$LR_STATE"
}

# lr_done: stop linerate (if running), print the count, exit 1 if anything failed.
lr_done() {
	[[ -n $LR_PID ]] && stop_linerate
	echo "# $(basename "$0"): $LR_PASS passed, $LR_FAIL failed, $LR_SKIP skipped"
	if ((LR_FAIL > 0)); then exit 1; fi
	exit 0
}

# ---- the Linux peer -------------------------------------------------------------------

# nsx CMD...: run CMD in the peer namespace.
# Not for background peers: `nsx CMD &` leaves a subshell's PID in $!, so cleanup would
# kill the subshell and the peer would outlive the test. Start those with
# `ip netns exec "$LR_NS" CMD &` and record $!.
nsx() { ip netns exec "$LR_NS" "$@"; }

# peer_setup: namespace lrt-NAME holding the tap, Linux side 198.18.0.1/24 with
# LR_PEER_MAC, IPv6 off (so the kernel sends nothing we did not ask for).
peer_setup() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip link show dev "$LR_IF" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! ip link show dev "$LR_IF" >/dev/null 2>&1; then
		not_ok "tap interface $LR_IF appears in the root namespace"
		return 1
	fi
	if ! ip netns add "$LR_NS"; then
		not_ok "create namespace $LR_NS"
		return 1
	fi
	LR_NS_CREATED=$LR_NS
	lr_save_state
	if nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
		ip link set dev "$LR_IF" netns "$LR_NS" &&
		nsx sysctl -qw "net.ipv6.conf.$LR_IF.disable_ipv6=1" &&
		nsx ip link set dev lo up &&
		nsx ip link set dev "$LR_IF" address "$LR_PEER_MAC" &&
		nsx ip addr add "$LR_PEER_IP/24" dev "$LR_IF" &&
		nsx ip link set dev "$LR_IF" up; then
		ok "peer namespace $LR_NS: $LR_IF $LR_PEER_IP/24 $LR_PEER_MAC"
	else
		not_ok "peer namespace $LR_NS setup"
		return 1
	fi
}

# ---- control socket -------------------------------------------------------------------

# ctl ARGS...: linerate-ctl on this test's socket, bounded in time.
ctl() { timeout 10 "$LINERATE_CTL" --socket "$LR_SOCK" "$@"; }

# stats_snapshot FILE: save `ctl --json stats` into FILE.
stats_snapshot() { ctl --json stats >"$1"; }

# stat_get KEY [FILE]: one value ("ip.bad_cksum", "mempool.in_use") from FILE, or from a fresh
# `ctl --json stats`. Prints nothing if the key is absent.
stat_get() {
	local key=$1 file=${2:-}
	if [[ -z $file ]]; then
		file=$LR_TMP/stat.now.json
		stats_snapshot "$file" || return 1
	fi
	"$PY" - "$file" "$key" <<'PYEOF'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for part in sys.argv[2].split("."):
        v = v[part]
    print(v)
except Exception:
    pass
PYEOF
}

# delta KEY BEFORE_FILE AFTER_FILE: AFTER - BEFORE (empty if either is missing).
delta() {
	local a b
	a=$(stat_get "$1" "$2")
	b=$(stat_get "$1" "$3")
	[[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && echo $((b - a))
}

# ---- TCP ------------------------------------------------------------------------------

# conns_lines [FILE] [STATE] [port N]: one line "STATE LOCAL_PORT REMOTE_ADDR REMOTE_PORT" per
# entry of `ctl --json conns [STATE] [port N]` (the JSON is saved into FILE, default a
# scratch file). The JSON gives "local" and "remote" as "ADDR:PORT"; a listener's remote
# is printed as it comes (e.g. "*" "*").
conns_lines() {
	local file=${1:-}
	[[ $# -gt 0 ]] && shift
	[[ -n $file ]] || file=$LR_TMP/conns.now.json
	ctl --json conns "$@" >"$file" || return 1
	"$PY" - "$file" <<'PYEOF'
import json, sys
v = json.load(open(sys.argv[1]))
if isinstance(v, dict):  # {"conns": [...]} or the table under another single key
    v = v.get("conns", next((x for x in v.values() if isinstance(x, list)), []))
def split(a):
    a = str(a)
    return a.rsplit(":", 1) if ":" in a else (a, "?")
for c in v:
    la, lp = split(c.get("local", "?"))
    ra, rp = split(c.get("remote", "?"))
    print(c.get("state", "?"), lp, ra, rp)
PYEOF
}

# conns_other TEXT [STATES]: the lines of conns_lines output TEXT whose state is not one of
# STATES (an ERE alternation, default LISTEN|TIME_WAIT|CLOSED); returns 1 if there are none.
conns_other() { grep -vE "^(${2:-LISTEN|TIME_WAIT|CLOSED}) " <<<"$1" | grep .; }

# mempool_back_to BASE [SECONDS]: poll mempool.in_use until it equals BASE (default 30 s).
# Prints the last value seen; returns 0 if it got back.
mempool_back_to() {
	local base=$1 secs=${2:-30} now='' i
	for ((i = 0; i < secs * 4; i++)); do
		now=$(stat_get mempool.in_use)
		[[ $now == "$base" ]] && break
		sleep 0.25
	done
	echo "$now"
	[[ $now == "$base" ]]
}

# check_no_mbuf_leak BASE [SECS]: ok when mempool.in_use is back to BASE (a number taken
# from a snapshot before the run) within SECS (default 30), not ok otherwise or when the
# snapshot had no mempool.in_use.
check_no_mbuf_leak() {
	local base=$1 now
	if [[ $base =~ ^[0-9]+$ ]]; then
		now=$(mempool_back_to "$base" "${2:-30}")
		check_eq "no mbuf leaked (mempool.in_use back to $base)" "$base" "$now"
	else
		not_ok "--json stats has mempool.in_use"
	fi
}

# stat_keys SECTION [FILE]: "key value" for every counter of one section of --json stats.
stat_keys() {
	local sect=$1 file=${2:-}
	if [[ -z $file ]]; then
		file=$LR_TMP/stat.now.json
		stats_snapshot "$file" || return 1
	fi
	"$PY" - "$file" "$sect" <<'PYEOF'
import json, sys
def walk(v, pre):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, pre + "." + k if pre else k)
    else:
        print(pre, v)
try:
    walk(json.load(open(sys.argv[1])).get(sys.argv[2], {}), sys.argv[2])
except Exception:
    pass
PYEOF
}
