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
#   OVL_TRACE      1: linerate's `stats` after each of dperf's seconds, per second in the json
#   OVL_STALL      MS@S: stop dperf's client for MS ms after its second S (SIGSTOP/SIGCONT of
#                  the PID started here): a peer that stops draining its ring, on demand
#   OVL_KEEP       a directory to copy the work directory to (dperf logs, snapshots, traces)
#
# The dperf and linerate steps are bench/e2e/dperf_lib.sh's (shared with dperf.sh).
# Only 198.18.1.0/24 on the memif pair, no namespaces, every process bounded by `timeout`,
# each DPDK process with its own --file-prefix, only PIDs started here are killed.
set -uo pipefail

source "$(dirname "$0")/common.sh" "$@"
DPERF=${DPERF:-}
source "$(dirname "$0")/dperf_lib.sh"
dperf_skip "overload curve"
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
DP_TAG=lrovl
trap stop_started EXIT
((DUR >= 3)) || { echo "not ok - OVL_DURATION must be at least 3"; exit 1; }

for p in app/linerate app/linerate-ctl bench/libdperf_vdev_shim.so; do
	[[ -e $BUILD/$p ]] || { echo "not ok - $BUILD/$p missing: ninja -C $BUILD"; exit 1; }
done

# Baseline: dperf's own server on the server's CPU, same client, same offered load.
dperf_server_run() {   # name cps
	if dperf_server_start "$1"; then
		dperf_run "$1" "$2" "$DUR" snap
		echo "$2" >"$WORK/rate_$1"
		ok "baseline: dperf's server at $2 CPS done"
		dperf_server_stop
	fi
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
[[ -n ${OVL_KEEP:-} ]] && cp -a "$WORK" "$OVL_KEEP"   # logs, snapshots, traces
exit $FAIL
