# Sourced by bench/e2e/overload.sh and dperf.sh, after common.sh: a dperf peer
# (github.com/baidu/dperf, built outside the repository) under our LD_PRELOAD shim
# (build/bench/libdperf_vdev_shim.so, bench/README.md "Overload curve") over a memif
# pair, and linerate's HTTP service as in issue #10 on the other side.
#
# The sourcing script sets, before calling anything:
#   DPERF          the dperf executable (dperf_skip checks it)
#   DUR            steady seconds of a run (bounds linerate's `timeout`)
#   SRV_CPU CLI_CPU MBUFS   server CPU, client CPU, linerate's mbufs
#   NICE           array: the command prefix of the pinned processes (nice, chrt)
#   LR_SET         array: more linerate --set arguments
#   SLOW           dperf's slow start in seconds
#   SOCK CTL SHIM  memif socket, linerate's control socket, the shim
#   DP_TAG         prefix of every --file-prefix (e.g. lrovl)
# and may set SNAP (the function dperf_run calls at the window's edges, default snap).
# Functions: dperf_skip, ctl, server_start/server_stop (linerate), dperf_start,
# dperf_server_start/dperf_server_stop, wait_second, snap, dperf_run. A server's PID is in
# SRV and SERVER says which one runs (linerate or dperf), a dperf's in DPID, a client's in
# CLI; every PID goes into PIDS (common.sh stops them).

SERVER=linerate   # what snap reads: linerate, or dperf

# The `timeout` around each pinned process runs SCHED_OTHER: inheriting the script's
# SCHED_RR (DPC_RT_SELF), it twice spun in the kernel at 100 % of a CPU (system time) for
# over ten minutes as its child ended (once with the child's EAL interrupt thread still
# running in the zombie), starving the runs after it; made SCHED_OTHER it ended at once.
TMO=(chrt -o 0 timeout)

# dperf_skip WHAT: without an executable DPERF print the skip line and exit 0.
dperf_skip() {
	if [[ -z $DPERF || ! -x $DPERF ]]; then
		echo "# SKIP $1: set DPERF=/path/to/dperf (an executable; bench/README.md" \
			"\"Overload curve\" says how to build it)${DPERF:+, not executable: $DPERF}"
		rm -rf "$WORK"
		exit 0
	fi
}

ctl() { timeout 10 "$BUILD/app/linerate-ctl" --socket "$CTL" --json "$@"; }

# linerate as in the issue: one polling worker, max_conns 262144, half_open_max 65536,
# a large mbuf pool, a 16-byte body (a 99-byte response, as dperf's own server sends).
server_start() {   # name
	local i
	SERVER=linerate
	rm -f "$SOCK" "$CTL"
	: >"$WORK/srv_$1.log"
	"${TMO[@]}" $((DUR + 90)) "${NICE[@]}" "$BUILD/app/linerate" \
		--config "$ROOT/pmd_config/memif-server.ini" \
		--set "eal.file_prefix=${DP_TAG}_s_$$" --set eal.in_memory=yes \
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
	# A crash is a finding: reported (exit 1), the script goes on with a fresh server.
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

# dperf_start name role(client|server) cpu cps seconds [config lines]: dperf in the
# background under the shim, its PID in DPID. The server runs until stopped (bounded by
# timeout). The optional lines (e.g. "cc 1000\nkeepalive 0us") end its config.
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
	[[ -n ${6:-} ]] && printf '%b\n' "$6" >>"$conf"
	: >"$log"
	LR_SHIM_VDEV="net_memif0,role=$role,socket=$SOCK,socket-abstract=no${MEMIF_ARGS:+,$MEMIF_ARGS}" \
		LR_SHIM_FILE_PREFIX="${DP_TAG}_${role:0:1}_$$" LR_SHIM_EAL_ARGS="--in-memory" \
		LD_PRELOAD="$SHIM" "${TMO[@]}" $((SLOW + dur + 60)) "${NICE[@]}" "$DPERF" -c "$conf" \
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

# The host's steal time of each CPU (/proc/stat, clock ticks): on a virtual machine the
# host may run other work on our vCPUs; the report gives each CPU's share over the window,
# so that a run whose server CPU lost time to the host can be told from one we lost.
steal_snap() {     # file
	awk -v hz="$(getconf CLK_TCK)" '/^cpu[0-9]+ /{print $1, $9, hz}' /proc/stat >"$1" 2>/dev/null || true
}

# perf_window name seconds: with DPC_PERF=1, `perf record -e cpu-clock` of the server's
# and the client's CPUs for that many seconds from now (WORK/perf_NAME.data; its PID in
# PERF_PID, for the caller to wait on), for bench/e2e/perf_parts.py: where each busy
# core's time goes.
PERF_PID=
perf_window() {
	[[ ${DPC_PERF:-0} == 1 ]] || return 0
	perf record -q -e cpu-clock -F "${DPC_PERF_HZ:-999}" -C "$SRV_CPU,$CLI_CPU" -m 1024 \
		-o "$WORK/perf_$1.data" -- sleep "$2" >"$WORK/perf_$1.log" 2>&1 </dev/null &
	PERF_PID=$!
}

# dperf_watch name seconds: follows dperf's per-second reports (PID CLI) and reads the
# server ($SNAP, default snap) at the end of steady seconds 1 and seconds-1 (the window).
# With OVL_STALL="MS@S" it stops the client (SIGSTOP, the PID started here) for MS
# milliseconds after its second S: a peer that stops draining its ring, on demand.
dperf_watch() {
	local name=$1 dur=$2 log=$WORK/dperf_$1.log s stall_ms=0 stall_s=-1
	if [[ ${OVL_STALL:-} =~ ^([0-9]+)@([0-9]+)$ ]]; then
		stall_ms=${BASH_REMATCH[1]} stall_s=${BASH_REMATCH[2]}
	fi
	for ((s = 1; s <= SLOW + dur; s++)); do
		wait_second "$log" "$s" "$CLI" || break
		((s == SLOW)) && "${SNAP:-snap}" "$WORK/snap0_$name.json" &&
			steal_snap "$WORK/snap0_$name.steal" && perf_window "$name" $((dur - 1))
		((s == SLOW + dur - 1)) && "${SNAP:-snap}" "$WORK/snap1_$name.json" &&
			steal_snap "$WORK/snap1_$name.steal"
		if ((s == stall_s)); then
			kill -STOP "$CLI" &&
				sleep "$(printf '%d.%03d' $((stall_ms / 1000)) $((stall_ms % 1000)))"
			kill -CONT "$CLI"
		fi
	done
	[[ -z $PERF_PID ]] || wait "$PERF_PID"
	return 0
}

# dperf_trace name: with OVL_TRACE=1, linerate's `stats` after each of dperf's seconds
# (WORK/trace_NAME_S.json, S the second dperf had printed last; seconds are skipped
# when a read takes longer than one).
dperf_trace() {
	local log=$WORK/dperf_$1.log s last
	[[ ${OVL_TRACE:-0} == 1 && $SERVER == linerate ]] || return 0
	while kill -0 "$CLI" 2>/dev/null; do
		last=$(grep -o '^seconds [0-9]*' "$log" | tail -1)
		s=${last#seconds }
		[[ -n $s && ! -e $WORK/trace_$1_$s.json ]] && ctl stats >"$WORK/trace_$1_$s.json"
		sleep 0.2
	done 2>/dev/null
	return 0
}

# dperf_run name cps seconds [snap [config lines]]: dperf as the client for SLOW + seconds;
# with snap, the server is read ($SNAP, default snap) at the end of steady seconds 1 and
# seconds-1 (the window), aligned with dperf's per-second reports.
dperf_run() {
	local name=$1 dur=$3 log=$WORK/dperf_$1.log
	dperf_start "$name" client "$CLI_CPU" "$2" "$dur" "${5:-}"
	CLI=$DPID
	local watch="" trace=""
	if [[ ${4:-} == snap ]]; then
		dperf_watch "$name" "$dur" &
		watch=$!
		dperf_trace "$name" &
		trace=$!
	fi
	wait "$CLI"
	[[ -n $watch ]] && wait "$watch" "$trace" 2>/dev/null
	grep -q '^dperf_vdev_shim: eal args:' "$log" ||
		notok "$name: dperf did not run under the shim: $(tail -3 "$log" | tr '\n' ' ')"
}

# dperf_server_start name [config lines]: dperf's own server on the server's CPU (log
# WORK/dperf_srv_NAME.log); returns 1 (not ok) when it did not come up.
dperf_server_start() {
	local i
	SERVER=dperf
	rm -f "$SOCK"
	dperf_start "srv_$1" server "$SRV_CPU" 0 600 "${2:-}"
	SRV=$DPID
	# dperf's server reports nothing before its link is up: wait for its memif socket.
	for ((i = 0; i < 200; i++)); do
		[[ -S $SOCK ]] && break
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -S $SOCK ]] && kill -0 "$SRV" 2>/dev/null; then
		return 0
	fi
	notok "dperf's server did not start: $(tail -3 "$WORK/dperf_srv_$1.log" | tr '\n' ' ')"
	dperf_server_stop
	return 1
}
dperf_server_stop() {
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SERVER=linerate
}
