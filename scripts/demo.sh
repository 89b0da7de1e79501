#!/usr/bin/env bash
# `make demo`: start linerate on net_tap, put a Linux peer in a network namespace and
# talk to the appliance: ARP, ping, a fragmented ping, UDP echo, a refused UDP port, then
# the appliance's own counters and ARP table. Bounded (every step has a timeout; < 90 s),
# safe to repeat, exits 0 only if every step worked. It removes only what it created.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
LINERATE=$BUILD/app/linerate
CTL=$BUILD/app/linerate-ctl
CONFIG=${CONFIG:-$ROOT/pmd_config/tap.ini}
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=python3; fi

NS=lr-demo
IF=lrdemo0
PREFIX=lr-demo
DIR=/tmp/lr-demo
PIDFILE=$DIR/linerate.pid
SOCK=$DIR/ctl.sock
OUR_IP=198.18.0.2
OUR_MAC=02:4c:52:00:00:02
PEER_IP=198.18.0.1
PEER_MAC=02:4c:52:00:00:01

steps=0
bad=0
PID=
NS_MADE=

if [[ -t 1 ]]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
good() { steps=$((steps + 1)); echo "   -> ok: $*"; }
fail() { steps=$((steps + 1)); bad=$((bad + 1)); echo "   -> FAILED: $*"; }
nsx() { ip netns exec "$NS" "$@"; }
indent() { printf '%s\n' "$1" | sed 's/^/   /'; }

stop_linerate() { # PID: SIGTERM, wait up to 10 s, then SIGKILL
	kill -TERM "$1" 2>/dev/null || return 0
	timeout 10 tail --pid="$1" -f /dev/null 2>/dev/null || kill -KILL "$1" 2>/dev/null
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	trap - EXIT
	trap '' INT TERM # a second signal must not cut the cleanup short
	[[ -n $PID ]] && stop_linerate "$PID"
	rm -f "$PIDFILE"
	[[ -n $NS_MADE ]] && ip netns del "$NS" 2>/dev/null
	rm -f "$SOCK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- preflight ------------------------------------------------------------------------
for x in "$LINERATE" "$CTL"; do
	[[ -x $x ]] || { echo "demo: $x not built (make build)" >&2; exit 1; }
done
[[ -r $CONFIG ]] || { echo "demo: $CONFIG missing" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (tap interface, network namespace)" >&2; exit 1; }
[[ -c /dev/net/tun ]] || { echo "demo: /dev/net/tun missing" >&2; exit 1; }
for c in ip arping ping socat nc curl timeout; do
	command -v "$c" >/dev/null || { echo "demo: $c missing (make deps)" >&2; exit 1; }
done

# Leftovers of a previous demo: its linerate (by our pid file, only if that PID is still a
# linerate with our prefix) and our namespace.
mkdir -p "$DIR"
if [[ -f $PIDFILE ]]; then
	old=$(<"$PIDFILE")
	if [[ $old =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null |
		grep -q -- "linerate.*file_prefix=$PREFIX "; then
		echo "demo: stopping the linerate ($old) a previous demo left running"
		stop_linerate "$old"
	fi
	rm -f "$PIDFILE"
fi
if ip netns list | grep -qw -- "^$NS"; then
	echo "demo: deleting the namespace $NS a previous demo left"
	ip netns del "$NS"
fi

# ---- start ----------------------------------------------------------------------------
say "start linerate on net_tap ($IF), $OUR_IP/24, MAC $OUR_MAC"
echo "   $LINERATE --config $CONFIG --set eal.file_prefix=$PREFIX ..."
"$LINERATE" --config "$CONFIG" \
	--set "eal.file_prefix=$PREFIX" --set eal.in_memory=yes \
	--set "app.control_socket=$SOCK" --set "port.0.device=net_tap0,iface=$IF" \
	>"$DIR/stdout" 2>"$DIR/stderr" </dev/null &
PID=$!
echo "$PID" >"$PIDFILE"
ready=0
for ((i = 0; i < 200; i++)); do
	if grep -qx 'linerate: ready' "$DIR/stdout"; then ready=1; break; fi
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
if ((ready)); then
	good "linerate (pid $PID) printed 'linerate: ready' after $((i / 10)).$((i % 10)) s"
else
	fail "linerate did not become ready; its output:"
	tail -n 20 "$DIR/stdout" "$DIR/stderr" | sed 's/^/   | /'
	PID=
	exit 1
fi

say "Linux peer: namespace $NS, $IF moved in, $PEER_IP/24, MAC $PEER_MAC"
if ip netns add "$NS" && NS_MADE=1 &&
	nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
	ip link set dev "$IF" netns "$NS" &&
	nsx sysctl -qw "net.ipv6.conf.$IF.disable_ipv6=1" &&
	nsx ip link set dev "$IF" address "$PEER_MAC" &&
	nsx ip addr add "$PEER_IP/24" dev "$IF" &&
	nsx ip link set dev lo up &&
	nsx ip link set dev "$IF" up; then
	nsx ip -brief address show dev "$IF" | sed 's/^/   /'
	good "peer configured"
else
	fail "could not set up the namespace"
	exit 1
fi

# ---- talk to it -----------------------------------------------------------------------
say "arping -c 3 $OUR_IP   (answers must carry $OUR_MAC)"
out=$(nsx timeout 10 arping -c 3 -w 8 -I "$IF" "$OUR_IP" 2>&1)
indent "$out"
if grep -q 'Received 3 response' <<<"$out" && grep -qi "\[$OUR_MAC\]" <<<"$out"; then
	good "3 ARP replies from $OUR_MAC"
else
	fail "arping"
fi

say "ping -c 3 $OUR_IP"
out=$(nsx timeout 10 ping -c 3 -i 0.3 -W 2 "$OUR_IP" 2>&1)
indent "$out"
if grep -q ' 0% packet loss' <<<"$out"; then good "3 echo replies"; else fail "ping"; fi

say "ping -c 2 -s 2972 $OUR_IP   (3000-byte datagrams, fragmented both ways)"
out=$(nsx timeout 10 ping -c 2 -i 0.3 -W 2 -M dont -s 2972 "$OUR_IP" 2>&1)
indent "$out"
if grep -q ' 0% packet loss' <<<"$out"; then good "reassembled, answered, fragmented back"; else fail "3000-byte ping"; fi

say "UDP echo on port 7 with socat"
msg="hello linerate, it is $(date +%T)"
echo "   sent:     $msg"
got=$(printf '%s' "$msg" | nsx timeout 5 socat -T 2 - "UDP:$OUR_IP:7" 2>&1)
echo "   received: $got"
if [[ $got == "$msg" ]]; then good "echoed byte for byte"; else fail "UDP echo"; fi

say "UDP to closed port 5555: ICMP port unreachable -> ECONNREFUSED"
out=$(nsx timeout 5 "$PY" - "$OUR_IP" <<'PYEOF' 2>&1
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[1], 5555))
s.send(b"is anyone listening?")
try:
    s.recv(100)
    print("unexpected answer")
except ConnectionRefusedError as e:
    print("recv():", repr(e))
except OSError as e:
    print("recv():", repr(e))
PYEOF
)
echo "   $out"
if grep -q ConnectionRefusedError <<<"$out"; then good "refused"; else fail "closed port not refused"; fi

# ---- TCP ------------------------------------------------------------------------------
say "TCP echo on port 7 with nc (three-way handshake, data, four-way close)"
msg="tcp says hello at $(date +%T)"
got=$(printf '%s\n' "$msg" | nsx timeout 5 nc -N "$OUR_IP" 7 2>&1)
echo "   sent:     $msg"
echo "   received: $got"
if [[ $got == "$msg" ]]; then good "echoed over TCP"; else fail "TCP echo"; fi

say "HTTP/1.1 on port 80 with curl, 'Connection: close' (the appliance closes first)"
out=$(nsx timeout 5 curl -s -i -H 'Connection: close' "http://$OUR_IP/" 2>&1 | head -n 4)
indent "$out"
if grep -q '^HTTP/1.1 200' <<<"$out"; then good "200 OK"; else fail "HTTP GET"; fi

say "linerate-ctl conns   (listeners, and the appliance's TIME_WAIT after closing first)"
if out=$(timeout 10 "$CTL" --socket "$SOCK" conns 2>&1); then
	indent "$out"
	if grep -q 'TIME_WAIT' <<<"$out"; then good "TIME_WAIT on the active closer"; else fail "no TIME_WAIT"; fi
else
	indent "$out"
	fail "linerate-ctl conns"
fi

# ---- the appliance's view -------------------------------------------------------------
say "linerate-ctl stats"
if out=$(timeout 10 "$CTL" --socket "$SOCK" stats 2>&1); then
	indent "$out"
	good "stats"
else
	indent "$out"
	fail "linerate-ctl stats"
fi

say "linerate-ctl arp"
if out=$(timeout 10 "$CTL" --socket "$SOCK" arp 2>&1); then
	indent "$out"
	if grep -qi "$PEER_MAC" <<<"$out"; then good "the peer $PEER_IP is in the table"; else fail "peer not in the ARP table"; fi
else
	indent "$out"
	fail "linerate-ctl arp"
fi

# ---- stop -----------------------------------------------------------------------------
say "stop linerate (SIGTERM to pid $PID)"
kill -TERM "$PID"
if timeout 15 tail --pid="$PID" -f /dev/null; then
	wait "$PID"
	rc=$?
	PID=
	rm -f "$PIDFILE"
	if ((rc == 0)); then good "exited 0"; else fail "exit status $rc"; fi
else
	fail "still running after 15 s"
fi
ip netns del "$NS" && NS_MADE= && echo "   namespace $NS deleted"

echo
if ((bad == 0)); then
	echo "demo: all $steps steps worked"
	exit 0
fi
echo "demo: $bad of $steps steps FAILED"
exit 1
