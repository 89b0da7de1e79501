#!/usr/bin/env bash
# Multi-core scale-out benchmark (issue #5, bench/README.md "Workers: 1 vs 2"): the
# linerate daemon as the server with 1 and then 2 workers on one net_memif port, driven
# by the lr_e2e load generator (one worker). net_memif has no RSS: with 2 workers the
# port has 2 queue pairs, the client sends on queue 0, worker 0 receives everything and
# hands the flows worker 1 owns (symmetric Toeplitz hash) over an SPSC steering ring;
# each worker answers on its own queue, which the client polls.
#
# The figure is per-worker efficiency: packets a worker handled (its pipeline input:
# what it kept from its queue plus what it took from the steering ring, cores rx_pkts) per second of CPU its thread got from the
# OS (`linerate-ctl cores` cpu_ms, CLOCK_THREAD_CPUTIME_ID), over the load window only
# (cores read before and after). CPU time rather than TSC cycles because this 2-CPU
# machine runs 3 busy threads (2 server workers, 1 client): a worker sharing its CPU
# with the client is descheduled, which TSC cycles would charge to it. The baseline is
# the 1-worker server of the same run: efficiency = (2-worker packets per CPU-s per
# worker) / (1-worker packets per CPU-s); 1.0 means a second worker costs nothing per
# packet. A third run puts the single worker on the client's CPU: what sharing a CPU
# costs by itself, without steering. Beside it, per worker, TSC cycles in loop turns
# that received something per packet, and packets per such turn (the batch): these
# leave out idle turns but count time the OS gave another thread in a busy turn.
#
#   BUILD=build bash bench/e2e/scale.sh           ~40 s: table + scale.json + latest.md
#   BUILD=build bash bench/e2e/scale.sh --smoke   seconds: it works (ok/not ok), exit 1 on failure
#
# Only 198.18.1.0/24 on the memif pair, no namespaces, every process bounded by
# `timeout`, only PIDs started here are killed.
set -uo pipefail

source "$(dirname "$0")/common.sh" "$@"
DUR=${SCALE_DURATION:-4s}
WARM=${SCALE_WARMUP:-1s}
if ((SMOKE)); then DUR=1s; WARM=0; fi
CPUS=$(nproc)
CLI_CPU=${SCALE_CLIENT_CPU:-0}
SOCK=$WORK/memif.sock
CTL=$WORK/ctl.sock
trap stop_started EXIT

for p in app/linerate app/linerate-ctl bench/lr_e2e; do
	[[ -x $BUILD/$p ]] || { echo "not ok - $BUILD/$p missing: ninja -C $BUILD"; exit 1; }
done

declare -A SPEC=(
	[udp]="mode=udp target=198.18.1.1:7 conc=256 req=64 flows=64"
	[rr]="mode=rr target=198.18.1.1:80 conc=64 req=64"
)
ORDER=(udp rr)

# main lcore and N workers: lcore i on CPU i mod CPUS (worker 1 on CPU 1, worker 2
# shares CPU 0 with the client); "shared": the one worker on the client's CPU.
lcores_for() {
	local n=$1 i list=
	if [[ ${2:-} == shared ]]; then echo "0@0,1@$CLI_CPU"; return; fi
	for ((i = 0; i <= n; i++)); do list+="${list:+,}$i@$((i % CPUS))"; done
	echo "$list"
}

server_start() {   # workers name [shared]
	local n=$1 i
	rm -f "$SOCK" "$CTL"
	: >"$WORK/srv_$2.log"
	timeout 120 "$BUILD/app/linerate" --config "$ROOT/pmd_config/memif-server.ini" \
		--set "eal.file_prefix=lrscale_s_$$" --set eal.in_memory=yes \
		--set "eal.lcores=$(lcores_for "$n" "${3:-}")" --set eal.main_lcore=0 \
		--set "worker.lcores=1-$n" --set worker.idle=sleep --set app.mbufs=65535 \
		--set "app.control_socket=$CTL" \
		--set "port.0.device=net_memif0,role=server,socket=$SOCK,socket-abstract=no" \
		>"$WORK/srv_$2.log" 2>&1 </dev/null &
	SRV=$!
	PIDS+=("$SRV")
	for ((i = 0; i < 100; i++)); do
		grep -qx 'linerate: ready' "$WORK/srv_$2.log" && return 0
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	notok "linerate with $n worker(s) did not start: $(tail -3 "$WORK/srv_$2.log" | tr '\n' ' ')"
	return 1
}
server_stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
cores() { "$BUILD/app/linerate-ctl" --socket "$CTL" --json cores; }

# Two `cores` JSON snapshots -> per worker "handled cpu_ms steered_in" over the window.
cores_delta() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
def rows(s):
    d = json.loads(s)
    if isinstance(d, dict):
        d = next(v for v in d.values() if isinstance(v, list))
    return {r['worker']: r for r in d}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
for w in sorted(b):
    d = {k: b[w][k] - a[w].get(k, 0) for k in ('rx_pkts', 'steered_out', 'steered_in', 'cpu_ms',
                                              'steer_drops', 'busy_cycles', 'busy_polls')}
    handled = d['rx_pkts']   # pipeline input: kept from its queue + steered_in
    print(w, handled, d['cpu_ms'], d['steered_in'], d['steer_drops'], d['busy_cycles'],
          d['busy_polls'])
EOF
}

declare -A RES
# 1w: one worker with a CPU of its own; 1s: one worker sharing the client's CPU (what
# CPU sharing alone costs); 2w: two workers, the second sharing the client's CPU.
CFGS=(1w 1s 2w)
((SMOKE)) && CFGS=(1w 2w)
for cfg in "${CFGS[@]}"; do
	n=${cfg:0:1}
	for wl in "${ORDER[@]}"; do
		name=${cfg}_$wl
		server_start "$n" "$name" "$([[ $cfg == 1s ]] && echo shared)" || continue
		before=$(cores)
		# The client lingers, connected and unpolled, after its summary: the server's
		# counters are read and the server stopped first. (A memif end that polls
		# while the other disconnects can crash in DPDK 22.11's net_memif: the
		# server did, a CI run's `cores` after came back empty.)
		timeout 60 "$BUILD/bench/lr_e2e" --role client --lcore "$CLI_CPU" \
			--file-prefix "lrscale_c_$$" --queues "$n" --linger-ms 20000 \
			--vdev "net_memif0,role=client,socket=$SOCK,socket-abstract=no" \
			--ip 198.18.1.2/24 \
			--spec "${SPEC[$wl]} duration=$DUR warmup=$WARM progress=0 json=1" \
			>"$WORK/cli_$name.log" 2>&1 &
		cli=$!
		PIDS+=("$cli")
		while kill -0 "$cli" 2>/dev/null && ! grep -q '^{' "$WORK/cli_$name.log"; do
			sleep 0.1
		done
		after=$(cores)
		server_stop
		kill "$cli" 2>/dev/null
		wait "$cli"
		crc=$?
		sum=$(grep '^{' "$WORK/cli_$name.log" | tail -1)
		per=$(cores_delta "$before" "$after" 2>"$WORK/delta.err")
		if [[ -z $sum || -z $per ]]; then
			# what the client, the two snapshots and WORK said (a CI run once had none)
			notok "$cfg $wl: no result (client exit $crc, cores before ${#before} after ${#after} bytes, WORK $([[ -d $WORK ]] && echo there || echo gone): $(tail -n 2 "$WORK/cli_$name.log" "$WORK/delta.err" 2>&1 | tr '\n' ' '))"
			continue
		fi
		RES[$name]="$sum"$'\n'"$per"
		# Every worker must have done work, and with 2 workers worker 1's share came
		# over the steering ring.
		idle_workers=$(awk '$2 <= 0' <<<"$per" | wc -l)
		steered1=$(awk '$1 == 1 {print $4}' <<<"$per")
		if ((idle_workers == 0)) && { ((n == 1)) || ((${steered1:-0} > 0)); }; then
			ok "$cfg $wl: $(tr '\n' ';' <<<"$per")"
		else
			notok "$cfg $wl: a worker handled nothing or nothing was steered: $(tr '\n' ';' <<<"$per")"
		fi
	done
done

if ((SMOKE)); then
	exit $FAIL
fi

mkdir -p "$OUT"
for name in "${!RES[@]}"; do printf '%s\n%s\n--\n' "$name" "${RES[$name]}"; done >"$WORK/all.txt"
python3 - "$WORK/all.txt" "$OUT" "$DUR" <<'EOF'
import json, sys, os, subprocess, datetime
path, out, dur = sys.argv[1:]
blocks = open(path).read().split('--\n')
res = {}
for b in blocks:
    lines = [l for l in b.split('\n') if l]
    if len(lines) < 3:
        continue
    name, summary, workers = lines[0], json.loads(lines[1]), lines[2:]
    ws = []
    for l in workers:
        w, handled, cpu_ms, steered_in, drops, busy_cyc, busy_polls = (int(x) for x in l.split())
        ws.append({'worker': w, 'handled_pkts': handled, 'cpu_ms': cpu_ms,
                   'steered_in': steered_in, 'steer_drops': drops, 'busy_cycles': busy_cyc,
                   'busy_polls': busy_polls,
                   'busy_cycles_per_pkt': busy_cyc / handled if handled > 0 else None,
                   'pkts_per_busy_poll': handled / busy_polls if busy_polls > 0 else None,
                   'pkts_per_cpu_s': handled / (cpu_ms / 1e3) if cpu_ms > 0 else None})
    res[name] = {'client': summary, 'workers': ws}
lines = ['| workload | server workers | client rate | per worker: packets / CPU-s (CPU s) | '
         'mean / CPU-s | efficiency vs 1 worker | per worker: busy cycles / pkt, pkts / busy poll |',
         '|---|---|---:|---|---:|---:|---|']
label = {'1w': '1 (own CPU)', '1s': "1 (client's CPU)", '2w': "2 (w1 on client's CPU)"}
eff = {}
for wl in ('udp', 'rr'):
    base = None
    for cfg in ('1w', '1s', '2w'):
        r = res.get(f'{cfg}_{wl}')
        if r is None:
            lines.append(f'| {wl} | {label[cfg]} | n/a | n/a | n/a | n/a | n/a |')
            continue
        tot_p = sum(w['handled_pkts'] for w in r['workers'])
        tot_c = sum(w['cpu_ms'] for w in r['workers']) / 1e3
        mean = tot_p / tot_c if tot_c > 0 else None
        if cfg == '1w':
            base = mean
        e = mean / base if mean and base else None
        eff[f'{wl}_{cfg}'] = e
        r['mean_pkts_per_cpu_s'], r['efficiency'] = mean, e
        per = ', '.join(f"w{w['worker']}: {w['pkts_per_cpu_s'] or 0:,.0f} ({w['cpu_ms'] / 1e3:.2f})"
                        for w in r['workers'])
        rate = r['client'].get('rps') or r['client'].get('cps') or 0
        cyc = ', '.join(f"w{w['worker']}: {w['busy_cycles_per_pkt'] or 0:,.0f}, "
                        f"{w['pkts_per_busy_poll'] or 0:.1f}" for w in r['workers'])
        lines.append(f'| {wl} | {label[cfg]} | {rate:,.0f} /s | {per} | {mean or 0:,.0f} | '
                     f"{f'{e:.2f}' if e else 'n/a'} | {cyc} |")
rev = subprocess.run(['git', '-C', os.path.dirname(out), 'rev-parse', '--short', 'HEAD'],
                     capture_output=True, text=True).stdout.strip()
meta = {'date': datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ'), 'git': rev,
        'duration': dur, 'cpus': os.cpu_count(),
        'load': open('/proc/loadavg').read().split()[:3]}
json.dump({'machine': meta, 'runs': res}, open(os.path.join(out, 'scale.json'), 'w'), indent=1)
table = '\n'.join(lines)
print(table)
with open(os.path.join(out, 'latest.md'), 'a') as f:
    f.write(f"\n## workers 1 vs 2 over memif {meta['date']} (git {rev}, window {dur}, "
            f"load {' '.join(meta['load'])})\n\n{table}\n")
EOF
exit $FAIL
