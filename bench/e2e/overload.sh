#!/usr/bin/env bash
# Overload curve (issue #9, bench/README.md "Overload curve"): linerate's HTTP service (one
# busy-polling worker, memif server side) against a dperf client (github.com/baidu/dperf,
# built outside the repository; one core, memif client, HTTP connection-rate mode: one GET
# per connection, the client closes). dperf takes only PCI port names, so it runs under
# our LD_PRELOAD shim (build/bench/libdperf_vdev_shim.so) that swaps its `-a <pci>` for
# `--vdev net_memif0,...`.
#
# First the peak: dperf's slow start as a ramp (one to RAMP_MAX, then one to twice the
# first peak when it is far below RAMP_MAX); the peak is the best second of served
# connections. Then offered load 0.5x, 1x, 2x and 3x that peak, each against a freshly
# started server. Per run: offered CPS (dperf's new connections per second), served CPS
# (dperf's HTTP 2xx per second: connections that completed the exchange; linerate's HTTP
# requests answered per second), requests/s (dperf's GETs sent per second), the worker's
# CPU share, and, at the end, linerate's drop and state counters. Figures are the mean
# over the steady seconds after dperf's 10 s slow start (the first one left out).
# Baseline (OVL_BASELINE=1, the default): dperf's own server on the server's CPU, the same
# client at 3x the peak (the issue's "dperf's own server keeps serving").
#
#   DPERF=/tmp/dperf/build/dperf BUILD=build bash bench/e2e/overload.sh
#       ~3.5 min: table, bench/results/overload.json, a section in latest.md
#   DPERF=... bash bench/e2e/overload.sh --smoke
#       ~25 s: one run at OVL_SMOKE_CPS (default 20k), ok if some connections were served
#   Without DPERF (or not executable) it prints why and exits 0 without running anything.
#
#   OVL_DURATION   steady seconds per run after the slow start (default 8; window = it - 1)
#   OVL_RAMP_MAX   the first ramp's ceiling in CPS (default 1000000)
#   OVL_PEAK       use this peak (CPS) instead of ramping, e.g. to repeat another run's loads
#   OVL_SERVER_CPU / OVL_CLIENT_CPU   (default 1 / 0); OVL_MBUFS (default 262143)
#   OVL_BASELINE   1 (default): also the dperf-server baseline run; 0: not
#   OVL_NICE       nice value of linerate and dperf (default 0; e.g. -10 on a shared machine)
#   OVL_RT         run linerate and dperf SCHED_RR at this priority (e.g. 10) instead of nice
#   OVL_LR_SET     more linerate --set overrides, blank-separated (e.g. worker.rx_drain=1)
#   OVL_MULTS      the offered loads, multiples of the peak (default "0.5 1 2 3")
#   OVL_LABEL      what is measured, recorded with the results (default: git <rev> of the tree)
#
# Only 198.18.1.0/24 on the memif pair, no namespaces, every process bounded by `timeout`,
# each DPDK process with its own --file-prefix, only PIDs started here are killed.
set -uo pipefail

source "$(dirname "$0")/common.sh" "$@"
DPERF=${DPERF:-}
if [[ -z $DPERF || ! -x $DPERF ]]; then
	echo "# SKIP overload curve: set DPERF=/path/to/dperf (an executable; bench/README.md" \
		"\"Overload curve\" says how to build it)${DPERF:+, not executable: $DPERF}"
	rm -rf "$WORK"
	exit 0
fi
DUR=${OVL_DURATION:-8}
RAMP_MAX=${OVL_RAMP_MAX:-1000000}
SRV_CPU=${OVL_SERVER_CPU:-1}
CLI_CPU=${OVL_CLIENT_CPU:-0}
MBUFS=${OVL_MBUFS:-262143}
OVL_BASELINE=${OVL_BASELINE:-1}
NICE=(nice -n "${OVL_NICE:-0}")   # OVL_NICE=-10: the two pinned processes get more of a shared CPU
# OVL_RT=PRIO: linerate and dperf SCHED_RR at PRIO instead (chrt -r; round robin, so control
# threads sharing a CPU with a polling thread still get turns): on a machine others share, the
# two pinned processes then own their CPUs (the kernel's RT throttling leaves others 5 %)
[[ -n ${OVL_RT:-} ]] && NICE=(chrt -r "$OVL_RT")
LR_SET=()
for kv in ${OVL_LR_SET:-}; do LR_SET+=(--set "$kv"); done
SLOW=10           # dperf's slow start: its minimum, seconds
SOCK=$WORK/memif.sock
CTL=$WORK/ctl.sock
SHIM=$BUILD/bench/libdperf_vdev_shim.so
SERVER=linerate   # what snap reads: linerate, or dperf for the baseline
trap stop_started EXIT
((DUR >= 3)) || { echo "not ok - OVL_DURATION must be at least 3"; exit 1; }

for p in app/linerate app/linerate-ctl bench/libdperf_vdev_shim.so; do
	[[ -e $BUILD/$p ]] || { echo "not ok - $BUILD/$p missing: ninja -C $BUILD"; exit 1; }
done
ctl() { timeout 10 "$BUILD/app/linerate-ctl" --socket "$CTL" --json "$@"; }

# linerate as in the issue: one polling worker, max_conns 262144, half_open_max 65536,
# a large mbuf pool, a 16-byte body (a 99-byte response, as dperf's own server sends).
server_start() {   # name
	local i
	rm -f "$SOCK" "$CTL"
	: >"$WORK/srv_$1.log"
	timeout $((DUR + 90)) "${NICE[@]}" "$BUILD/app/linerate" \
		--config "$ROOT/pmd_config/memif-server.ini" \
		--set "eal.file_prefix=lrovl_s_$$" --set eal.in_memory=yes \
		--set "eal.lcores=0@$CLI_CPU,1@$SRV_CPU" --set eal.main_lcore=0 \
		--set worker.lcores=1 --set worker.idle=poll \
		--set "app.mbufs=$MBUFS" --set app.mbuf_cache=512 --set "app.control_socket=$CTL" \
		--set "port.0.device=net_memif0,role=server,socket=$SOCK,socket-abstract=no" \
		--set port.0.ip=198.18.1.1/24 --set tcp.http=80 --set tcp.http_body_size=16 \
		--set tcp.http_keepalive=yes --set tcp.max_conns=262144 --set tcp.half_open_max=65536 \
		"${LR_SET[@]}" >"$WORK/srv_$1.log" 2>&1 </dev/null &
	SRV=$!
	PIDS+=("$SRV")
	for ((i = 0; i < 200; i++)); do
		grep -qx 'linerate: ready' "$WORK/srv_$1.log" && return 0
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	notok "linerate did not start ($1): $(srv_tail "$1")"
	return 1
}
srv_tail() { tail -3 "$WORK/srv_$1.log" | tr '\n' ' '; }
server_stop() {    # name: the final counters (every layer, TCP states), then stop
	local rc alive=1
	kill -0 "$SRV" 2>/dev/null || alive=0
	ctl stats >"$WORK/end_$1.json" 2>/dev/null || echo '{}' >"$WORK/end_$1.json"
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	rc=$?
	# A crash is a finding: reported (exit 1), the curve goes on with a fresh server.
	if ((!alive)); then
		notok "$1: linerate exited during the run, status $rc: $(srv_tail "$1")"
	elif ((rc != 0 && rc != 143)); then
		notok "$1: linerate exited with status $rc on SIGTERM: $(srv_tail "$1")"
	fi
}

# Wait until dperf (PID $3) has printed its report for second $2 (log $1), or it ended.
wait_second() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -q "^seconds $2 " "$1" && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# dperf_start name role(client|server) cpu cps seconds: dperf in the background under the
# shim, its PID in DPID. The server runs until stopped (bounded by timeout).
dperf_start() {
	local name=$1 role=$2 cpu=$3 cps=$4 dur=$5 log=$WORK/dperf_$1.log conf=$WORK/dperf_$1.conf
	if [[ $role == client ]]; then
		cat >"$conf" <<-EOF
			mode            client
			cps             $cps
			launch_num      10
			slow_start      $SLOW
			duration        ${dur}s
			port            0000:00:01.0    198.18.1.2      198.18.1.1
		EOF
	else
		cat >"$conf" <<-EOF
			mode            server
			duration        ${dur}s
			port            0000:00:01.0    198.18.1.1      198.18.1.2
		EOF
	fi
	cat >>"$conf" <<-EOF
		protocol        http
		cpu             $cpu
		socket_mem      1024
		tx_burst        128
		client          198.18.1.2      100
		server          198.18.1.1      1
		listen          80              1
	EOF
	: >"$log"
	LR_SHIM_VDEV="net_memif0,role=$role,socket=$SOCK,socket-abstract=no" \
		LR_SHIM_FILE_PREFIX="lrovl_${role:0:1}_$$" LR_SHIM_EAL_ARGS="--in-memory" \
		LD_PRELOAD="$SHIM" timeout $((SLOW + dur + 60)) "${NICE[@]}" "$DPERF" -c "$conf" \
		>"$log" 2>&1 </dev/null &
	DPID=$!
	PIDS+=("$DPID")
}

# The server's CPU over the window: linerate's service counters and `cores`; for dperf's
# server, its process's utime + stime (clock ticks) from /proc.
snap() {           # file
	local child
	if [[ $SERVER == linerate ]]; then
		{ ctl stats services; echo; ctl cores; echo; } >"$1" 2>/dev/null
	else
		child=$(cat "/proc/$SRV/task/$SRV/children" 2>/dev/null)
		awk -v hz="$(getconf CLK_TCK)" '{print "{\"cpu_ticks\":" $14 + $15 ",\"hz\":" hz "}"}' \
			"/proc/${child%% *}/stat" >"$1" 2>/dev/null
	fi
}

# dperf_run name cps seconds [snap]: dperf as the client for SLOW + seconds; with snap,
# the server is read (snap) at the end of steady seconds 1 and seconds-1 (the window),
# aligned with dperf's per-second reports.
dperf_run() {
	local name=$1 dur=$3 log=$WORK/dperf_$1.log
	dperf_start "$name" client "$CLI_CPU" "$2" "$dur"
	CLI=$DPID
	if [[ ${4:-} == snap ]]; then
		wait_second "$log" "$SLOW" "$CLI" && snap "$WORK/snap0_$name.json"
		wait_second "$log" $((SLOW + dur - 1)) "$CLI" && snap "$WORK/snap1_$name.json"
	fi
	wait "$CLI"
	grep -q '^dperf_vdev_shim: eal args:' "$log" ||
		notok "$name: dperf did not run under the shim: $(tail -3 "$log" | tr '\n' ' ')"
}

# Baseline: dperf's own server on the server's CPU, same client, same offered load.
dperf_server_run() {   # name cps
	local i
	SERVER=dperf
	rm -f "$SOCK"
	dperf_start "srv_$1" server "$SRV_CPU" 0 600
	SRV=$DPID
	# dperf's server reports nothing before its link is up: wait for its memif socket.
	for ((i = 0; i < 200; i++)); do
		[[ -S $SOCK ]] && break
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -S $SOCK ]] && kill -0 "$SRV" 2>/dev/null; then
		dperf_run "$1" "$2" "$DUR" snap
		echo "$2" >"$WORK/rate_$1"
		ok "baseline: dperf's server at $2 CPS done"
	else
		notok "dperf's server did not start: $(tail -3 "$WORK/dperf_srv_$1.log" | tr '\n' ' ')"
	fi
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SERVER=linerate
}

REPORT=$ROOT/bench/e2e/overload_report.py

ramp() {           # name ceiling -> RAMP_PEAK
	server_start "$1" || { RAMP_PEAK=0; return; }
	dperf_run "$1" "$2" 2
	server_stop "$1"
	RAMP_PEAK=$(python3 "$REPORT" peak "$WORK/dperf_$1.log")
	echo "# ramp to $2 CPS: best second served $RAMP_PEAK"
}

if ((SMOKE)); then
	rate=${OVL_SMOKE_CPS:-20000}
	server_start smoke && dperf_run smoke "$rate" 2 && server_stop smoke
	served=$(python3 "$REPORT" peak "$WORK/dperf_smoke.log")
	if ((served > 0)); then ok "dperf over memif at $rate CPS: best second $served served"
	else notok "dperf over memif served nothing: $(tail -3 "$WORK/dperf_smoke.log" | tr '\n' ' ')"; fi
	exit $FAIL
fi

if [[ -n ${OVL_PEAK:-} ]]; then   # a given peak (e.g. another run's), no ramp
	PEAK=$OVL_PEAK
	echo "# peak given: $PEAK CPS"
else
	ramp ramp1 "$RAMP_MAX"
	PEAK=$RAMP_PEAK
	if ((PEAK > 0 && PEAK * 5 < RAMP_MAX)); then   # too coarse: ramp to twice the peak
		ramp ramp2 $((PEAK * 2))
		((RAMP_PEAK > PEAK)) && PEAK=$RAMP_PEAK
	fi
fi
if ((PEAK <= 0)); then
	notok "the ramp served nothing: $(tail -3 "$WORK/dperf_ramp1.log" | tr '\n' ' ')"
	exit 1
fi

read -r -a MULTS <<<"${OVL_MULTS:-0.5 1 2 3}"
for m in "${MULTS[@]}"; do
	rate=$(python3 -c "print(int($PEAK * $m))")
	name=x$m
	server_start "$name" || continue
	dperf_run "$name" "$rate" "$DUR" snap
	server_stop "$name"
	echo "$rate" >"$WORK/rate_$name"
	ok "offered ${m}x peak ($rate CPS) done"
done
((OVL_BASELINE)) && dperf_server_run dperf3x "$(python3 -c "print(int($PEAK * 3))")"

mkdir -p "$OUT"
python3 "$REPORT" report "$WORK" "$OUT" "$PEAK" "$DUR" "$SLOW" "$RAMP_MAX" "${MULTS[@]}" || FAIL=1
exit $FAIL
