#!/usr/bin/env bash
# Graceful shutdown (issue #9 §8): on SIGTERM linerate stops accepting, lets connections
# finish for up to [app] drain_ms, then resets the rest; peers see FIN or RST, never
# silence, and the daemon exits 0. A second signal stops at once.
. "$(dirname "$0")/lib.sh"
lr_init shutdown
require root tun hugepages binaries || lr_done
PEERS=$LR_ROOT/tests/integration/shutdown_peers.py

# wait_exit SECONDS: wait for linerate to exit; rc= its status, or "timeout" (then it is
# killed)
wait_exit() {
	local pid=$LR_PID
	if timeout "$1" tail --pid="$pid" -f /dev/null 2>/dev/null; then
		wait "$pid"
		rc=$?
	else
		rc=timeout
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	LR_PID=
}

# open_peers FILE PORT N [HOLD]: N connections from the peer (shutdown_peers.py) in the
# background, results in FILE; waits for them to be open. Sets peers= to its PID.
open_peers() {
	ip netns exec "$LR_NS" "$PY" "$PEERS" "$LR_OUR_IP" "$2" "$3" 8 "${4:-0}" >"$1" 2>&1 &
	peers=$!
	LR_BG_PIDS+=("$peers")
	for ((i = 0; i < 50; i++)); do grep -q READY "$1" && break; sleep 0.1; done
}

# signal_and_wait: SIGTERM to linerate and wait for it (wait_exit 10); took= its ms
signal_and_wait() {
	local t0 t1
	t0=$(date +%s.%N)
	kill -TERM "$LR_PID"
	wait_exit 10
	t1=$(date +%s.%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
}

# peers_ended NAME FILE N: after the peers finished, all N saw FIN or RST
peers_ended() {
	local out
	wait "$peers"
	out=$(cat "$2")
	check_eq "$1" "$3" "$(grep -cE '^(fin|rst)$' <<<"$out")"
	note "$(tr '\n' ' ' <<<"$out")"
}

# Run 1: drain_ms 2000. Four idle echo connections: each sees FIN or RST within
# drain_ms + a margin, the daemon exits 0, and tcp.shutdown_rst or FINs say which.
start_linerate --set app.drain_ms=2000 || lr_done
peer_setup || lr_done
open_peers "$LR_TMP/peers1" 7 4
check_grep "4 echo connections open before SIGTERM" READY "$(cat "$LR_TMP/peers1")"
signal_and_wait
check_eq "linerate exits 0 after SIGTERM with connections open" 0 "$rc"
if ((took <= 6000)); then ok "it stopped within drain_ms + margin (${took} ms)"; else
	not_ok "it took ${took} ms to stop (drain_ms 2000)"; fi
peers_ended "every peer saw FIN or RST, none silence" "$LR_TMP/peers1" 4

# Run 2: drain_ms 60000 and chargen connections whose reader stopped (data stuck behind
# a closed window: the drain cannot finish them); a second SIGTERM stops at once, the
# peers see RST.
ip netns del "$LR_NS_CREATED" 2>/dev/null # its interface went with the first linerate
LR_NS_CREATED=
start_linerate --set app.drain_ms=60000 || lr_done
peer_setup || lr_done
open_peers "$LR_TMP/peers2" 19 3 3
check_grep "3 chargen connections open, their readers stopped" READY "$(cat "$LR_TMP/peers2")"
kill -TERM "$LR_PID"
sleep 0.5
if kill -0 "$LR_PID" 2>/dev/null; then ok "still draining 0.5 s after the first SIGTERM"; else
	not_ok "linerate stopped before drain_ms without a second signal"; fi
signal_and_wait
check_eq "linerate exits 0 after the second SIGTERM" 0 "$rc"
if ((took <= 3000)); then ok "the second signal stopped it at once (${took} ms)"; else
	not_ok "the second signal took ${took} ms"; fi
peers_ended "every peer saw FIN or RST after the second signal" "$LR_TMP/peers2" 3
lr_done
