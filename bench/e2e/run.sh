#!/usr/bin/env bash
# End-to-end benchmark (bench/README.md, "End to end"): linerate client and server, each
# one worker on its own core, over a net_memif pair; dpdk-testpmd over the same pair as
# the I/O ceiling of UDP echo; the Linux kernel with bench/e2e/epoll_{server,client}
# between two network namespaces over a veth pair, pinned to the same cores. Then the
# payload sweep: UDP echo by datagram payload and TCP stream_send by write size, each
# point on linerate and on Linux one after the other.
#
#   BUILD=build bash bench/e2e/run.sh           quick set (~3.5 min): tables, e2e.json, latest.md,
#                                               payload_sweep.dat and payload_sweep.png
#   BUILD=build bash bench/e2e/run.sh --smoke   seconds: every program and one sweep point of each
#                                               kind work, ok/not ok, exit 1 on failure, no result files
#
# Only 198.18.0.0/15 addresses, namespaces lre2e_a/lre2e_b created and deleted here,
# every load bounded by `timeout`, only PIDs started here are killed.
set -uo pipefail

source "$(dirname "$0")/common.sh" "$@"
B=$BUILD/bench
DUR=${E2E_DURATION:-3s}
WARM=${E2E_WARMUP:-1s}
# --smoke: a warmup of 1 s absorbs one lost ARP request or SYN (both retried after
# 1 s), so that a one-second window still counts what the stacks do.
if ((SMOKE)); then DUR=1s; WARM=1s; fi
# Every non-zero counter of each lr_e2e goes to the end of its log (stderr): a run that
# counted nothing says why (ARP unresolved, a drop reason).
export LR_E2E_STATS=1
SRV_CPU=${E2E_SERVER_CPU:-1}
CLI_CPU=${E2E_CLIENT_CPU:-0}
SOCK=$WORK/memif.sock
TP_MAC=02:4c:52:e2:00:01
NS_A=lre2e_a
NS_B=lre2e_b

cleanup() {
	stop_started
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
}
trap cleanup EXIT

for p in lr_e2e epoll_server epoll_client; do
	[[ -x $B/$p ]] || { echo "not ok - $B/$p missing: ninja -C $BUILD"; exit 1; }
done

# Did a summary count anything (responses, connections or bytes)?
counted() { [[ -n $1 && $(field "$1" requests)$(field "$1" conns)$(field "$1" tx_bytes)$(field "$1" rx_bytes) != 0000 ]]; }
# The last JSON line of a log, or {} .
json_of() { grep '^{' "$1" | tail -1 || true; }
field() { python3 -c 'import json,sys
try: d=json.loads(sys.argv[1])
except Exception: print(0); sys.exit()
for k in sys.argv[2].split("."): d=d.get(k,0) if isinstance(d,dict) else 0
print(d)' "$1" "$2"; }

# memif: server (lr_e2e or testpmd) on SRV_CPU, lr_e2e client on CLI_CPU.
lr_server() {   # name -> starts the linerate server in the background
	rm -f "$SOCK"
	timeout 60 "$B/lr_e2e" --role server --lcore "$SRV_CPU" --file-prefix "lre2e_s_$$" \
		--vdev "net_memif0,role=server,socket=$SOCK,socket-abstract=no" \
		--ip 198.18.1.1/24 --time 40 >"$WORK/srv_$1.log" 2>&1 &
	SRV=$!
	PIDS+=("$SRV")
	sleep 1
}
lr_client() {   # name spec [extra args]
	local name=$1 spec=$2
	shift 2
	timeout 60 "$B/lr_e2e" --role client --lcore "$CLI_CPU" --file-prefix "lre2e_c_$$" \
		--vdev "net_memif0,role=client,socket=$SOCK,socket-abstract=no" \
		--ip 198.18.1.2/24 --spec "$spec progress=0 json=1" "$@" >"$WORK/cli_$name.log" 2>&1
	echo "# exit $?" >>"$WORK/cli_$name.log"
}
stop_server() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRC=$?; }
lr_run() {      # name spec -> LRJ: the client's summary (may be empty)
	lr_server "$1"
	lr_client "$1" "$2"
	stop_server
	# Stopped here it exits 0 or 143; anything else (a crash, an early exit) goes into the log.
	((SRC == 0 || SRC == 143)) || echo "# server exit $SRC: $(tail -2 "$WORK/srv_$1.log" | tr '\n' ' ')" \
		>>"$WORK/cli_$1.log"
	sed -n 's/^  worker/  server worker/p' "$WORK/srv_$1.log" >>"$WORK/cli_$1.log"
	LRJ=$(json_of "$WORK/cli_$1.log")
}

declare -A SPEC=(
	[udp]="mode=udp target=198.18.1.1:7 conc=256 req=64"
	[crr]="mode=crr target=198.18.1.1:80 conc=32 req=64"
	[crr128]="mode=crr target=198.18.1.1:80 conc=128 req=64"
	[rr]="mode=rr target=198.18.1.1:80 conc=32 req=64"
	[stream_send]="mode=stream_send target=198.18.1.1:9 conc=4 req=8192"
	[stream_recv]="mode=stream_recv target=198.18.1.1:19 conc=4"
)
# crr128: CRR with 128 connections in flight, both stacks. At 32 linerate is bound by
# the round trips (its workers poll idle part of the time), Linux by CPU.
ORDER=(udp crr crr128 rr stream_send stream_recv)
declare -A LR LX RG

# keep ARRAY WL JSON LABEL LOG: ARRAY[WL] = JSON if it counted anything (ok), else {}
# (not ok, with the end of LOG).
keep() {
	local -n arr=$1
	if counted "$3"; then
		arr[$2]=$3
		ok "$4 $2"
	else
		arr[$2]='{}'
		notok "$4 $2 (log: $(grep -v '^{' "$5" | tail -30 | tr '\n' ' '))"
	fi
}

for wl in "${ORDER[@]}"; do
	lr_run "$wl" "${SPEC[$wl]} duration=$DUR warmup=$WARM"
	keep LR "$wl" "$LRJ" "lr_e2e memif" "$WORK/cli_$wl.log"
done

# Both stacks in one process over a net_ring pair (lr_e2e --role ring): the client on
# CLI_CPU, the server on SRV_CPU, 198.18.3.0/24.
for wl in "${ORDER[@]}"; do
	timeout 60 "$B/lr_e2e" --role ring --lcore "$CLI_CPU,$SRV_CPU" --file-prefix "lre2e_r_$$" \
		--spec "${SPEC[$wl]//198.18.1.1/198.18.3.1} duration=$DUR warmup=$WARM progress=0 json=1" \
		>"$WORK/ring_$wl.log" 2>&1
	echo "# exit $?" >>"$WORK/ring_$wl.log"
	keep RG "$wl" "$(json_of "$WORK/ring_$wl.log")" "lr_e2e net_ring (one process)" \
		"$WORK/ring_$wl.log"
done

# I/O ceiling: testpmd 5tswap (swaps MAC, IP and ports: an echo with no stack) as the
# server on the same memif pair, driven by the same lr_e2e UDP client.
TP='{}'
if command -v dpdk-testpmd >/dev/null; then
	rm -f "$SOCK"
	{ echo "set fwd 5tswap"; echo start; sleep 45; echo stop; echo quit; } |
		timeout 60 dpdk-testpmd -l "$CLI_CPU,$SRV_CPU" --main-lcore "$CLI_CPU" --in-memory --no-pci \
		--file-prefix "lre2e_tp_$$" \
		--vdev "net_memif0,role=server,socket=$SOCK,socket-abstract=no,mac=$TP_MAC" \
		--log-level '*:warning' -- -i --nb-cores=1 >"$WORK/testpmd.log" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	sleep 2
	lr_client testpmd "${SPEC[udp]} duration=$DUR warmup=$WARM" --peer-mac "198.18.1.1=$TP_MAC"
	kill "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null
	TP=$(json_of "$WORK/cli_testpmd.log")
	if [[ -n $TP && $(field "$TP" requests) != 0 ]]; then ok "testpmd 5tswap ceiling"
	else notok "testpmd 5tswap ceiling ($(tail -3 "$WORK/testpmd.log" | tr '\n' ' '))"; TP='{}'; fi
else
	notok "dpdk-testpmd not installed"
fi

# Linux: namespaces + veth, epoll server on SRV_CPU, epoll client on CLI_CPU.
NS_OK=0
lx_run() {      # name spec (linerate addresses) -> LXJ: the client's summary (may be empty)
	local es spec=${2//198.18.1.1/198.18.2.1}
	ip netns exec $NS_A timeout 60 taskset -c "$SRV_CPU" "$B/epoll_server" --addr 198.18.2.1 \
		--time 30 --body 128 >"$WORK/esrv_$1.log" 2>&1 &
	es=$!
	PIDS+=("$es")
	sleep 0.5
	ip netns exec $NS_B timeout 60 taskset -c "$CLI_CPU" "$B/epoll_client" \
		"$spec json=1" >"$WORK/ecli_$1.log" 2>&1
	echo "# exit $?" >>"$WORK/ecli_$1.log"
	kill "$es" 2>/dev/null; wait "$es" 2>/dev/null
	LXJ=$(json_of "$WORK/ecli_$1.log")
}
if ip netns add $NS_A 2>/dev/null && ip netns add $NS_B 2>/dev/null &&
		ip link add lre2e_va netns $NS_A type veth peer name lre2e_vb netns $NS_B; then
	ip -n $NS_A addr add 198.18.2.1/24 dev lre2e_va
	ip -n $NS_B addr add 198.18.2.2/24 dev lre2e_vb
	ip -n $NS_A link set lre2e_va up; ip -n $NS_A link set lo up
	ip -n $NS_B link set lre2e_vb up; ip -n $NS_B link set lo up
	ip netns exec $NS_B sysctl -qw net.ipv4.tcp_tw_reuse=1 'net.ipv4.ip_local_port_range=1024 65535'
	ip netns exec $NS_A sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
	NS_OK=1
	for wl in "${ORDER[@]}"; do
		lx_run "$wl" "${SPEC[$wl]} duration=$DUR warmup=$WARM"
		keep LX "$wl" "$LXJ" "epoll linux veth" "$WORK/ecli_$wl.log"
	done
else
	notok "cannot create namespaces $NS_A/$NS_B and a veth pair (root needed)"
	for wl in "${ORDER[@]}"; do LX[$wl]='{}'; done
fi

# Payload sweep (bench/README.md, "Throughput against payload size"): UDP echo by datagram
# payload, TCP stream_send (to discard) by bytes per write; at each point linerate, then
# Linux, so that both see the same load on this machine. loadgen takes req= up to 8192
# (LR_LOADGEN_MAX_REQ) and at most 1472 for UDP.
SW_UDP=(64 256 512 1024 1400)
SW_TCP=(64 256 1024 4096 8192)
SW_DUR=${E2E_SWEEP_DURATION:-2s}
SW_WARM=${E2E_SWEEP_WARMUP:-500ms}
if ((SMOKE)); then SW_UDP=(1400); SW_TCP=(1024); SW_DUR=1s; SW_WARM=1s; fi
# Linux's write size when it differs from req= (shown in the table, .dat, JSON and plot).
# Empty: epoll_client writes req bytes per write(), as the generator does per send.
LX_STREAM_WRITE=
SW_SPEC_udp="mode=udp target=198.18.1.1:7 conc=256"
SW_SPEC_stream_send="mode=stream_send target=198.18.1.1:9 conc=4"

# Did a sweep point measure, at the size asked? UDP: every echo carried exactly SIZE bytes.
sweep_check() { # who kind size summary log -> ok/not ok; 1 when the summary is unusable
	local who=$1 kind=$2 sz=$3 j=$4 log=$5 n rx
	if ! counted "$j"; then
		notok "sweep $kind $sz B $who (log: $(grep -v '^{' "$log" | tail -30 | tr '\n' ' '))"
		return 1
	fi
	if [[ $kind == udp ]]; then
		n=$(field "$j" requests)
		rx=$(field "$j" rx_bytes)
		if ((n == 0 || rx != n * sz)); then
			notok "sweep udp $sz B $who: $rx payload bytes in $n echoes"
			return 1
		fi
	fi
	ok "sweep $kind $sz B $who"
}
sweep_point() { # kind size
	local kind=$1 sz=$2 name=sw_$1_$2 spec lr='{}' lx='{}'
	spec="SW_SPEC_$kind"
	spec="${!spec} req=$sz duration=$SW_DUR warmup=$SW_WARM"
	lr_run "$name" "$spec"
	sweep_check "lr_e2e memif" "$kind" "$sz" "$LRJ" "$WORK/cli_$name.log" && lr=$LRJ
	if ((NS_OK)); then
		lx_run "$name" "$spec"
		sweep_check "epoll linux veth" "$kind" "$sz" "$LXJ" "$WORK/ecli_$name.log" && lx=$LXJ
	fi
	printf '%s\t%s\t%s\t%s\n' "$kind" "$sz" "$lr" "$lx" >>"$WORK/sweep.tsv"
}
: >"$WORK/sweep.tsv"
for sz in "${SW_UDP[@]}"; do sweep_point udp "$sz"; done
for sz in "${SW_TCP[@]}"; do sweep_point stream_send "$sz"; done

# payload_sweep.dat and the plot go to $OUT, or to $WORK with --smoke (no result files);
# the sweep's table and JSON wait in $WORK for the summary below.
SW_OUT=$OUT
((SMOKE)) && SW_OUT=$WORK
mkdir -p "$SW_OUT"
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)
read -r sw_ok sw_all < <(python3 - "$WORK/sweep.tsv" "$SW_OUT" "$WORK" "$REV" "$LX_STREAM_WRITE" \
	"$SW_DUR" "$SW_WARM" "$SRV_CPU" "$CLI_CPU" "$SW_SPEC_udp" "$SW_SPEC_stream_send" <<'EOF'
import json, sys, os, datetime
tsv, out, tmp, rev, lxw, dur, warm, scpu, ccpu, spec_udp, spec_tcp = sys.argv[1:]
lxw = int(lxw) if lxw else 0
pts = {'udp': [], 'stream_send': []}
for line in open(tsv):
    kind, size, a, b = line.rstrip('\n').split('\t')
    pts[kind].append((int(size), json.loads(a or '{}'), json.loads(b or '{}')))
def val(d, k):                  # 0 or absent: nothing measured
    return d.get(k) or None
res, good, total = {}, 0, 0
for kind, rows in pts.items():
    res[kind] = []
    for size, a, b in rows:
        if kind == 'udp':       # echoes/s; Gbit/s of echoed payload received by the client
            lr_n, lx_n = val(a, 'rps'), val(b, 'rps')
            lr_g, lx_g = val(a, 'rx_gbps'), val(b, 'rx_gbps')
            ratio = lr_n / lx_n if lr_n and lx_n else None
        else:                   # Gbit/s of payload sent (linerate: acknowledged)
            lr_n = lx_n = None
            lr_g, lx_g = val(a, 'tx_gbps'), val(b, 'tx_gbps')
            ratio = lr_g / lx_g if lr_g and lx_g else None
        total += 1
        good += ratio is not None
        res[kind].append({'payload': size, 'linerate_per_s': lr_n, 'linerate_gbps': lr_g,
                          'linux_per_s': lx_n, 'linux_gbps': lx_g, 'ratio': ratio,
                          'linux_payload': (lxw or size) if kind == 'stream_send' else size,
                          'linerate_summary': a, 'linux_summary': b})
date = datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ')
load = ' '.join(open('/proc/loadavg').read().split()[:3])
lxnote = f'Linux writes {lxw} B per write() at every point (epoll_client)' if lxw else \
    'Linux writes the same size'
num = lambda v, f: 'NaN' if v is None else format(v, f)
with open(os.path.join(out, 'payload_sweep.dat'), 'w') as f:
    f.write(f'# Throughput against payload size, linerate (lr_e2e, net_memif) and Linux (epoll, veth),\n'
            f'# same run: bench/e2e/run.sh, {date}, git {rev}, window {dur} after {warm} warm-up, server CPU {scpu},\n'
            f'# client CPU {ccpu}, load {load}. NaN: not measured.\n'
            f'# columns: payload_B linerate_per_s linerate_gbps linux_per_s linux_gbps ratio\n')
    for i, (kind, what) in enumerate([
            ('udp', f'UDP echo ({spec_udp}): payload = UDP payload bytes, per_s = echoes/s, '
                    'gbps = echoed payload received by the client, ratio = linerate/Linux echoes/s'),
            ('stream_send', f'TCP stream_send ({spec_tcp}): payload = bytes per write, per_s = NaN, '
                            f'gbps = payload sent, ratio = linerate/Linux Gbit/s; {lxnote}')]):
        f.write(('\n\n' if i else '') + f'# index {i}: {what}\n')
        for p in res[kind]:
            f.write(f"{p['payload']}\t{num(p['linerate_per_s'], '.0f')}\t{num(p['linerate_gbps'], '.4f')}\t"
                    f"{num(p['linux_per_s'], '.0f')}\t{num(p['linux_gbps'], '.4f')}\t{num(p['ratio'], '.3f')}\n")
cell = lambda v, f: 'n/a' if v is None else format(v, f)
md = [f'Payload sweep (window {dur} after {warm} warm-up). udp: `{spec_udp} req=<payload>`, Gbit/s = '
      f'echoed payload received by the client. stream_send: `{spec_tcp} req=<payload>` (bytes per '
      f'write), Gbit/s = payload sent; {lxnote}.', '',
      '| workload | payload B | linerate echo/s | linerate Gbit/s | Linux echo/s | Linux Gbit/s | linerate / Linux |',
      '|---|---:|---:|---:|---:|---:|---:|']
for kind in res:
    for p in res[kind]:
        md.append(f"| {kind} | {p['payload']} | {cell(p['linerate_per_s'], ',.0f') if kind == 'udp' else '-'} | "
                  f"{cell(p['linerate_gbps'], '.3f')} | {cell(p['linux_per_s'], ',.0f') if kind == 'udp' else '-'} | "
                  f"{cell(p['linux_gbps'], '.3f')} | {cell(p['ratio'], '.2f')} |")
open(os.path.join(tmp, 'sweep.md'), 'w').write('\n'.join(md) + '\n')
json.dump({'window': dur, 'warmup': warm, 'udp_spec': spec_udp, 'stream_send_spec': spec_tcp,
           'linux_stream_write_bytes': lxw or None, 'udp': res['udp'],
           'stream_send': res['stream_send']}, open(os.path.join(tmp, 'sweep.json'), 'w'))
print(good, total)
EOF
)
if ((${sw_all:-0} > 0 && sw_ok == sw_all)); then
	ok "sweep payload_sweep.dat: $sw_ok points, each with a ratio"
else
	notok "sweep payload_sweep.dat: ${sw_ok:-0} of ${sw_all:-0} points with a ratio"
fi
if ((SMOKE)); then sed 's/^/# /' "$WORK/sweep.md"; fi
if ! command -v gnuplot >/dev/null 2>&1; then
	if ((SMOKE)) && [[ ${CI:-} == true ]]; then
		notok "sweep plot: gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)"
	elif ((SMOKE)); then echo "skip - sweep plot: gnuplot is not installed (apt-get install gnuplot-nox)"
	else echo "plot: skipped: gnuplot is not installed (apt-get install gnuplot-nox)"; fi
elif rm -f "$SW_OUT/payload_sweep.png" && gnuplot -e "out='$SW_OUT'; lxnote='${LX_STREAM_WRITE:+, $LX_STREAM_WRITE B writes}'" \
		"$ROOT/bench/e2e/payload.gp" 2>"$WORK/plot.err" && [[ -s $SW_OUT/payload_sweep.png ]]; then
	if ((SMOKE)); then ok "sweep plot (gnuplot)"; else echo "plot: $SW_OUT/payload_sweep.png"; fi
else
	if ((SMOKE)); then notok "sweep plot: $(head -3 "$WORK/plot.err" | tr '\n' ' ')"
	else echo "plot: not drawn: $(head -3 "$WORK/plot.err")"; fi
fi

if ((SMOKE)); then
	exit $FAIL
fi

# The tables, e2e.json (with the sweep), latest.md.
mkdir -p "$OUT"
{
	for wl in "${ORDER[@]}"; do
		printf '%s\t%s\t%s\t%s\n' "$wl" "${LR[$wl]}" "${LX[$wl]}" "${RG[$wl]}"
	done
	printf 'testpmd\t%s\t{}\t{}\n' "$TP"
} >"$WORK/all.tsv"
python3 - "$WORK/all.tsv" "$OUT" "$DUR" "$WARM" "$SRV_CPU" "$CLI_CPU" "$WORK" <<'EOF'
import json, sys, os, subprocess, datetime
tsv, out, dur, warm, scpu, ccpu, tmp = sys.argv[1:]
rows = {}
for line in open(tsv):
    name, a, b, r = line.rstrip('\n').split('\t')
    rows[name] = (json.loads(a or '{}'), json.loads(b or '{}'), json.loads(r or '{}'))
def metric(wl, d):
    if not d: return None
    if wl.startswith('crr'): return d.get('cps')
    if wl in ('rr', 'udp'): return d.get('rps')
    if wl == 'stream_send': return d.get('tx_gbps')
    return d.get('rx_gbps')
unit = {'udp': 'echo/s', 'crr': 'conn/s', 'crr128': 'conn/s', 'rr': 'req/s', 'stream_send': 'Gbit/s',
        'stream_recv': 'Gbit/s'}
label = {'crr': 'crr (conc 32)', 'crr128': 'crr (conc 128)'}
def fmt(v, u):
    if v is None: return 'n/a'
    return f'{v:.3f}' if u == 'Gbit/s' else f'{v:,.0f}'
lines = ['| workload | unit | linerate (memif) | p50/p99 us | Linux (veth) | p50/p99 us | linerate / Linux '
         '| linerate (net_ring, one process) | p50/p99 us |',
         '|---|---|---:|---:|---:|---:|---:|---:|---:|']
res = {}
for wl in [n for n in rows if n != 'testpmd']:
    a, b, rg = rows[wl]
    va, vb, vr = metric(wl, a), metric(wl, b), metric(wl, rg)
    la = a.get('latency_us', {}); lb = b.get('latency_us', {}); lr = rg.get('latency_us', {})
    ratio = f'{va / vb:.2f}' if va and vb else 'n/a'
    lat = lambda l: f"{l.get('p50', '-')}/{l.get('p99', '-')}" if l.get('samples') else '-'
    lines.append(f'| {label.get(wl, wl)} | {unit[wl]} | {fmt(va, unit[wl])} | {lat(la)} | {fmt(vb, unit[wl])} | {lat(lb)} | {ratio} '
                 f'| {fmt(vr, unit[wl])} | {lat(lr)} |')
    res[wl] = {'unit': unit[wl], 'linerate': va, 'linux': vb, 'ratio': (va / vb if va and vb else None),
               'linerate_ring': vr, 'linerate_summary': a, 'linux_summary': b, 'ring_summary': rg}
tp = rows['testpmd'][0]
vt = tp.get('rps') if tp else None
vu = res['udp']['linerate']
pct = f'{100 * vu / vt:.0f} %' if vu and vt else 'n/a'
lines.append('')
lines.append(f'UDP echo I/O ceiling (testpmd 5tswap on the same memif pair, same lr_e2e client): '
             f'{fmt(vt, "")} echo/s; linerate UDP echo = {pct} of it.')
res['io_ceiling'] = {'testpmd_5tswap_echo_per_s': vt, 'linerate_udp_echo_per_s': vu,
                     'percent': (100 * vu / vt if vu and vt else None), 'summary': tp}
try:
    rev = subprocess.run(['git', '-C', os.path.dirname(out), 'rev-parse', '--short', 'HEAD'],
                         capture_output=True, text=True).stdout.strip()
except Exception:
    rev = ''
meta = {'date': datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ'), 'git': rev,
        'duration': dur, 'warmup': warm, 'server_cpu': int(scpu), 'client_cpu': int(ccpu),
        'load': open('/proc/loadavg').read().split()[:3], 'cpus': os.cpu_count()}
have_sweep = os.path.exists(os.path.join(tmp, 'sweep.json'))  # absent if its script failed
sweep = json.load(open(os.path.join(tmp, 'sweep.json'))) if have_sweep else None
json.dump({'machine': meta, 'workloads': res, 'payload_sweep': sweep},
          open(os.path.join(out, 'e2e.json'), 'w'), indent=1)
lines += ['', open(os.path.join(tmp, 'sweep.md')).read().rstrip('\n') if have_sweep
          else 'Payload sweep: no result (see the errors above).']
table = '\n'.join(lines)
print(table)
with open(os.path.join(out, 'latest.md'), 'a') as f:
    f.write(f"\n## e2e {meta['date']} (git {rev}, window {dur}, warm-up {warm}, server CPU {scpu}, "
            f"client CPU {ccpu}, load {' '.join(meta['load'])})\n\n{table}\n")
EOF
exit $FAIL
