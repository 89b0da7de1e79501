#!/usr/bin/env bash
# The dperf column (issue #10, bench/README.md "dperf comparison (issue #10)"): the same
# dperf client (github.com/baidu/dperf, built outside the repository, run under our shim
# build/bench/libdperf_vdev_shim.so) drives linerate's HTTP service and dperf's own server
# in turn, over the same memif pair and cores (client CPU 0, server CPU 1, one core each);
# then linerate's generator (the daemon's [loadgen], one worker) drives dperf's server.
# The server side is issue #10's linerate (one polling worker, a 16-byte body: a 99-byte
# response, as dperf's server sends); the steps are bench/e2e/dperf_lib.sh's.
#
# Workloads, each against linerate's server, then dperf's:
#   cps   connection rate at DPC_CPS offered (one GET per connection, the client closes):
#         served CPS, server busy % (linerate: its worker's busy-cycle share from
#         `linerate-ctl cores`; dperf: its cpuUsage), served CPS per busy server core
#   max   the highest CPS: dperf's slow start as a ramp to DPC_RAMP_MAX, the best second of
#         served connections (and the mean of the steady seconds that follow at the ceiling)
#   ka    keep-alive: DPC_KA_CONNS connections, GETs back to back: served req/s
#   cc    DPC_CONNS connections, one GET each per DPC_INTERVAL: served req/s
#   gen   linerate's generator (crr, DPC_GEN_CONC connections, unpaced) against dperf's
#         server: CPS per busy generator core, against dperf's client at the max ramp's
#         best second against the same server (same run)
# Figures are the means over steady seconds 2..DPC_DURATION after dperf's 10 s slow start
# (the generator: its own window after the same warm-up). Every figure comes with the CPU
# share (utime + stime, or the worker thread's) its process got, so that the noise of a
# shared machine shows.
#
#   DPERF=/tmp/dperf/build/dperf BUILD=build bash bench/e2e/dperf.sh
#       ~4 min: table, bench/results/dperf.json, a section in latest.md
#   DPERF=... bash bench/e2e/dperf.sh --smoke
#       ~2.5 min (dperf's slow start is 10 s at least): every workload at low rates, ok/not ok
#   Without DPERF (or not executable): "# SKIP dperf column: ..." and exit 0.
#
#   DPC_CPS        offered CPS of the cps workload (default 300000)
#   DPC_RAMP_MAX   ceiling of the max ramp (default 2000000)
#   DPC_KA_CONNS   keep-alive connections (default 1000)
#   DPC_CONNS / DPC_INTERVAL   the cc workload (default 100000 / 150ms)
#   DPC_CC_MEMIF   more memif arguments of the cc workload's client (default rsize=14:
#                  16 Ki ring slots; "" for memif's 1024)
#   DPC_GEN_CONC   the generator's connections in flight (default 2000)
#   DPC_DURATION   steady seconds per run after the slow start (default 8; window = it - 1)
#   DPC_RT         SCHED_RR priority of the pinned processes (default 10; 0: not, DPC_NICE)
#   DPC_NICE       nice value when DPC_RT=0 (default 0)
#   DPC_SERVER_CPU / DPC_CLIENT_CPU (default 1 / 0); DPC_MBUFS (default 262143)
#   DPC_LR_SET     more linerate --set overrides for both linerate sides, blank-separated
#   DPC_ONLY       run only these workloads (e.g. "cps ka")
#   DPC_PERF       1: `perf record` both CPUs over each run's window (DPC_PERF_HZ, default
#                  999 samples a second) and a second table, CPU time a connection or
#                  request by part of each side (bench/e2e/perf_parts.py)
#   DPC_ROUNDS     rounds of every workload (default 1): with more, the table gives each
#                  figure's median and spread, a ratio's median over the rounds' own ratios
#                  (dperf_rounds.py); dperf's and linerate's figures move by up to 2x
#                  between runs on a shared host, so read one round as a sample
#
# Only 198.18.1.0/24 on the memif pair, no namespaces, every process bounded by `timeout`,
# each DPDK process with its own --file-prefix, only PIDs started here are killed.
set -uo pipefail

# SCHED_RR (chrt -r, as overload.sh's OVL_RT): on a machine others share, the two pinned
# processes own their CPUs. The kernel's RT throttling then leaves 5 % to everything else,
# this script's snapshots (linerate-ctl, /proc) included, so the script itself runs one
# priority above them: its reads come on time (each takes a few ms of one CPU).
RT=${DPC_RT:-10}
if ((RT > 0)) && [[ -z ${DPC_RT_SELF:-} && -n ${DPERF:-} && -x ${DPERF:-} ]] &&
		chrt -r $((RT + 1)) true 2>/dev/null; then
	DPC_RT_SELF=1 exec chrt -r $((RT + 1)) bash "$0" "$@"
fi
source "$(dirname "$0")/common.sh" "$@"
DPERF=${DPERF:-}
source "$(dirname "$0")/dperf_lib.sh"
dperf_skip "dperf column"
DUR=${DPC_DURATION:-8}
CPS=${DPC_CPS:-300000}
RAMP_MAX=${DPC_RAMP_MAX:-2000000}
KA_CONNS=${DPC_KA_CONNS:-1000}
CONNS=${DPC_CONNS:-100000}
INTERVAL=${DPC_INTERVAL:-150ms}
CC_MEMIF=${DPC_CC_MEMIF-rsize=14}
GEN_CONC=${DPC_GEN_CONC:-2000}
if ((SMOKE)); then
	DUR=3; CPS=20000; RAMP_MAX=50000; KA_CONNS=50; CONNS=2000; GEN_CONC=64
fi
SRV_CPU=${DPC_SERVER_CPU:-1}
CLI_CPU=${DPC_CLIENT_CPU:-0}
MBUFS=${DPC_MBUFS:-262143}
NICE=(nice -n "${DPC_NICE:-0}")
((RT > 0)) && NICE=(chrt -r "$RT")
LR_SET=()
for kv in ${DPC_LR_SET:-}; do LR_SET+=(--set "$kv"); done
SLOW=10           # dperf's slow start: its minimum, seconds
SOCK=$WORK/memif.sock
CTL=$WORK/ctl.sock
SHIM=$BUILD/bench/libdperf_vdev_shim.so
DP_TAG=lrdpc
SNAP=dsnap
REPORT=$ROOT/bench/e2e/dperf_report.py
ONLY=${DPC_ONLY:-cps max ka cc gen}
trap stop_started EXIT
((DUR >= 3)) || { echo "not ok - DPC_DURATION must be at least 3"; exit 1; }
ROUNDS=${DPC_ROUNDS:-1}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "not ok - DPC_ROUNDS must be a count from 1"; exit 1; }
if ((ROUNDS > 1 && !SMOKE)) && [[ -z ${DPC_IN_ROUND:-} ]]; then
	for ((r = 1; r <= ROUNDS; r++)); do
		echo "# round $r of $ROUNDS"
		DPC_IN_ROUND=1 BENCH_OUT="$WORK/round$r" bash "$0" "$@" || FAIL=1
	done
	python3 "$ROOT/bench/e2e/dperf_rounds.py" "$OUT" "$WORK"/round*/dperf.json || FAIL=1
	exit $FAIL
fi
for p in app/linerate app/linerate-ctl bench/libdperf_vdev_shim.so; do
	[[ -e $BUILD/$p ]] || { echo "not ok - $BUILD/$p missing: ninja -C $BUILD"; exit 1; }
done
if [[ ${DPC_PERF:-0} == 1 ]] && ! command -v perf >/dev/null; then
	echo "not ok - DPC_PERF=1 needs perf: apt-get install linux-perf"
	exit 1
fi

# The clock ticks (utime + stime) of the process under `timeout` PID $1, as JSON.
ticks() {
	local child
	child=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	[[ -n $child ]] || return 0
	awk -v hz="$(getconf CLK_TCK)" '{print "{\"cpu_ticks\":" $14 + $15 ",\"hz\":" hz "}"}' \
		"/proc/${child%% *}/stat" 2>/dev/null
}
# dperf_run's window edges: the server (snap), the client's CPU, and for dperf's server
# the last second it has reported (its cpuUsage is averaged over the seconds between).
dsnap() {          # file
	local name=${1%.json}
	snap "$1"
	ticks "$CLI" >"$name.cli"
	if [[ $SERVER == dperf ]]; then
		grep -a '^seconds ' "$WORK/dperf_srv_$CUR_SRV.log" | tail -1 | awk '{print $2}' \
			>"$name.srvsec"
		ticks "$SRV" >"$name.srv"
	fi
}

# pair WL CPS SECONDS [client lines [dperf server lines]]: the dperf client against linerate
# (run WL_lr), then against dperf's server (run WL_dp); WL_{lr,dp}.ok mark runs that ended.
pair() {
	local wl=$1 cps=$2 dur=$3 cli=${4:-} srv=${5:-}
	if server_start "${wl}_lr"; then
		dperf_run "${wl}_lr" "$cps" "$dur" snap "$cli"
		server_stop "${wl}_lr"
		: >"$WORK/${wl}_lr.ok"
	fi
	CUR_SRV=${wl}_dp
	if dperf_server_start "${wl}_dp" "$srv"; then
		dperf_run "${wl}_dp" "$cps" "$dur" snap "$cli"
		dperf_server_stop
		: >"$WORK/${wl}_dp.ok"
	fi
}

gen_second() {     # log second: wait for the generator's progress line of that second
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -Eq "^loadgen: +$2 " "$1" && return 0
		kill -0 "$GEN" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# The generator's worker (`cores`), its process's CPU ticks, the time; dperf's server's
# last reported second and CPU ticks.
gsnap() {          # file
	{ ctl cores; echo; ticks "$GEN"; echo "{\"t\":$(date +%s.%N)}"; } >"$1" 2>/dev/null
	grep -a '^seconds ' "$WORK/dperf_srv_$CUR_SRV.log" | tail -1 | awk '{print $2}' \
		>"${1%.json}.srvsec"
	ticks "$SRV" >"${1%.json}.srv"
}

# The generator: the daemon as the memif client, one polling worker on the client's CPU
# (its main lcore on the server's), 100 client addresses (as dperf's client uses), crr
# unpaced with GEN_CONC connections; `cores` read at the window's edges.
gen_run() {        # name
	local i name=$1 log=$WORK/gen_$1.log
	rm -f "$CTL"
	: >"$log"
	"${TMO[@]}" $((SLOW + DUR + 60)) "${NICE[@]}" "$BUILD/app/linerate" \
		--config "$ROOT/pmd_config/memif-client.ini" \
		--set "eal.file_prefix=${DP_TAG}_g_$$" --set eal.in_memory=yes \
		--set "eal.lcores=0@$SRV_CPU,1@$CLI_CPU" --set eal.main_lcore=0 \
		--set worker.lcores=1 --set worker.idle=poll \
		--set "app.mbufs=$MBUFS" --set app.mbuf_cache=512 --set "app.control_socket=$CTL" \
		--set "port.0.device=net_memif0,role=client,socket=$SOCK,socket-abstract=no" \
		--set port.0.ip=198.18.1.2/24 --set port.0.ip_count=100 \
		--set tcp.max_conns=262144 --set tcp.half_open_max=65536 "${LR_SET[@]}" \
		--set "loadgen.spec=mode=crr target=198.18.1.1:80 conc=$GEN_CONC rate=0 req=64 \
duration=${DUR}s warmup=${SLOW}s json=1 progress=1" >"$log" 2>&1 </dev/null &
	GEN=$!
	PIDS+=("$GEN")
	for ((i = 0; i < 200; i++)); do
		grep -qx 'linerate: ready' "$log" && break
		kill -0 "$GEN" 2>/dev/null || break
		sleep 0.1
	done
	# the window's edges by the generator's per-second lines: after the warm-up, its
	# first second left out as for dperf
	gen_second "$log" $((SLOW + 1)) && gsnap "$WORK/snap0_gen_$name.json" &&
		perf_window "gen_$name" $((DUR - 2))
	gen_second "$log" $((SLOW + DUR - 1)) && gsnap "$WORK/snap1_gen_$name.json"
	wait "$GEN"
	[[ -z $PERF_PID ]] || wait "$PERF_PID"
	PERF_PID=
	if grep -q '^{' "$log"; then : >"$WORK/gen_$name.ok"
	else notok "$name: linerate's generator printed no summary: $(tail -3 "$log" | tr '\n' ' ')"
	fi
}

has() { [[ " $ONLY " == *" $1 "* ]]; }
has cps && pair cps "$CPS" "$DUR"
has max && pair max "$RAMP_MAX" 3
has ka && pair ka 100000 "$DUR" "cc $KA_CONNS\nkeepalive 0us" "keepalive 1s"
# cc: 100k connections' timers put bursts of requests on the client's ring that its
# 1024 slots drop even in front of dperf's own server (14 % busy); the ring there is
# DPC_CC_MEMIF's (memif's rsize: log2 slots), so that the row measures the servers.
has cc && MEMIF_ARGS=$CC_MEMIF pair cc 100000 "$DUR" "cc $CONNS\nkeepalive $INTERVAL" "keepalive 1s"
if has gen; then
	CUR_SRV=gen
	SERVER=dperf
	if dperf_server_start gen; then
		gen_run dp
		dperf_server_stop
	fi
fi

mkdir -p "$OUT"
DPC_SRV_CPU=$SRV_CPU DPC_CLI_CPU=$CLI_CPU python3 "$REPORT" "$WORK" "$OUT" "$DUR" "$SLOW" \
	"$SMOKE" "$CPS" "$RAMP_MAX" "$KA_CONNS" "$CONNS" "$INTERVAL" "$GEN_CONC" "${NICE[*]}" \
	$ONLY || FAIL=1
exit $FAIL
