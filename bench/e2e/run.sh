#!/usr/bin/env bash
# End-to-end benchmark (bench/README.md, "End to end"): linerate client and server, each
# one worker on its own core, over a net_memif pair; dpdk-testpmd over the same pair as
# the I/O ceiling of UDP echo; the Linux kernel with bench/e2e/epoll_{server,client}
# between two network namespaces over a veth pair, pinned to the same cores.
#
#   BUILD=build bash bench/e2e/run.sh           quick set (~2 min), table + e2e.json + latest.md
#   BUILD=build bash bench/e2e/run.sh --smoke   seconds: every program works, ok/not ok, exit 1 on failure
#
# Only 198.18.0.0/15 addresses, namespaces lre2e_a/lre2e_b created and deleted here,
# every load bounded by `timeout`, only PIDs started here are killed.
set -uo pipefail

BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[[ $BUILD == /* ]] && B=$BUILD/bench || B=$ROOT/$BUILD/bench
OUT=${BENCH_OUT:-$ROOT/bench/results}
SMOKE=0
[[ ${1:-} == --smoke ]] && SMOKE=1
DUR=${E2E_DURATION:-3s}
WARM=${E2E_WARMUP:-1s}
if ((SMOKE)); then DUR=1s; WARM=0; fi
SRV_CPU=${E2E_SERVER_CPU:-1}
CLI_CPU=${E2E_CLIENT_CPU:-0}
TMP=$(mktemp -d /tmp/lre2e.XXXXXX)
SOCK=$TMP/memif.sock
TP_MAC=02:4c:52:e2:00:01
NS_A=lre2e_a
NS_B=lre2e_b
FAIL=0
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAIL=1; }

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
		--ip 198.18.1.1/24 --time 40 >"$TMP/srv_$1.log" 2>&1 &
	SRV=$!
	PIDS+=("$SRV")
	sleep 1
}
lr_client() {   # name spec [extra args]
	local name=$1 spec=$2
	shift 2
	timeout 60 "$B/lr_e2e" --role client --lcore "$CLI_CPU" --file-prefix "lre2e_c_$$" \
		--vdev "net_memif0,role=client,socket=$SOCK,socket-abstract=no" \
		--ip 198.18.1.2/24 --spec "$spec progress=0 json=1" "$@" >"$TMP/cli_$name.log" 2>&1
}
stop_server() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }

declare -A SPEC=(
	[udp]="mode=udp target=198.18.1.1:7 conc=256 req=64"
	[crr]="mode=crr target=198.18.1.1:80 conc=32 req=64"
	[rr]="mode=rr target=198.18.1.1:80 conc=32 req=64"
	[stream_send]="mode=stream_send target=198.18.1.1:9 conc=4 req=8192"
	[stream_recv]="mode=stream_recv target=198.18.1.1:19 conc=4"
)
ORDER=(udp crr rr stream_send stream_recv)
declare -A LR LX

for wl in "${ORDER[@]}"; do
	lr_server "$wl"
	lr_client "$wl" "${SPEC[$wl]} duration=$DUR warmup=$WARM"
	stop_server
	LR[$wl]=$(json_of "$TMP/cli_$wl.log")
	if counted "${LR[$wl]}"; then
		ok "lr_e2e memif $wl"
	else
		notok "lr_e2e memif $wl (log: $(tail -3 "$TMP/cli_$wl.log" | tr '\n' ' '))"
		LR[$wl]='{}'
	fi
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
		--log-level '*:warning' -- -i --nb-cores=1 >"$TMP/testpmd.log" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	sleep 2
	lr_client testpmd "${SPEC[udp]} duration=$DUR warmup=$WARM" --peer-mac "198.18.1.1=$TP_MAC"
	kill "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null
	TP=$(json_of "$TMP/cli_testpmd.log")
	if [[ -n $TP && $(field "$TP" requests) != 0 ]]; then ok "testpmd 5tswap ceiling"
	else notok "testpmd 5tswap ceiling ($(tail -3 "$TMP/testpmd.log" | tr '\n' ' '))"; TP='{}'; fi
else
	notok "dpdk-testpmd not installed"
fi

# Linux: namespaces + veth, epoll server on SRV_CPU, epoll client on CLI_CPU.
if ip netns add $NS_A 2>/dev/null && ip netns add $NS_B 2>/dev/null &&
		ip link add lre2e_va netns $NS_A type veth peer name lre2e_vb netns $NS_B; then
	ip -n $NS_A addr add 198.18.2.1/24 dev lre2e_va
	ip -n $NS_B addr add 198.18.2.2/24 dev lre2e_vb
	ip -n $NS_A link set lre2e_va up; ip -n $NS_A link set lo up
	ip -n $NS_B link set lre2e_vb up; ip -n $NS_B link set lo up
	ip netns exec $NS_B sysctl -qw net.ipv4.tcp_tw_reuse=1 'net.ipv4.ip_local_port_range=1024 65535'
	ip netns exec $NS_A sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
	for wl in "${ORDER[@]}"; do
		ip netns exec $NS_A timeout 60 taskset -c "$SRV_CPU" "$B/epoll_server" --addr 198.18.2.1 \
			--time 30 --body 128 >"$TMP/esrv_$wl.log" 2>&1 &
		ES=$!
		PIDS+=("$ES")
		sleep 0.5
		spec=${SPEC[$wl]//198.18.1.1/198.18.2.1}
		ip netns exec $NS_B timeout 60 taskset -c "$CLI_CPU" "$B/epoll_client" \
			"$spec duration=$DUR warmup=$WARM json=1" >"$TMP/ecli_$wl.log" 2>&1
		kill "$ES" 2>/dev/null; wait "$ES" 2>/dev/null
		LX[$wl]=$(json_of "$TMP/ecli_$wl.log")
		if counted "${LX[$wl]}"; then
			ok "epoll linux veth $wl"
		else
			notok "epoll linux veth $wl ($(tail -2 "$TMP/ecli_$wl.log" | tr '\n' ' '))"
			LX[$wl]='{}'
		fi
	done
else
	notok "cannot create namespaces $NS_A/$NS_B and a veth pair (root needed)"
	for wl in "${ORDER[@]}"; do LX[$wl]='{}'; done
fi

if ((SMOKE)); then
	exit $FAIL
fi

# One table, e2e.json, latest.md.
mkdir -p "$OUT"
{
	for wl in "${ORDER[@]}"; do printf '%s\t%s\t%s\n' "$wl" "${LR[$wl]}" "${LX[$wl]}"; done
	printf 'testpmd\t%s\t{}\n' "$TP"
} >"$TMP/all.tsv"
python3 - "$TMP/all.tsv" "$OUT" "$DUR" "$WARM" "$SRV_CPU" "$CLI_CPU" <<'EOF'
import json, sys, os, subprocess, datetime
tsv, out, dur, warm, scpu, ccpu = sys.argv[1:]
rows = {}
for line in open(tsv):
    name, a, b = line.rstrip('\n').split('\t')
    rows[name] = (json.loads(a or '{}'), json.loads(b or '{}'))
def metric(wl, d):
    if not d: return None
    if wl == 'crr': return d.get('cps')
    if wl in ('rr', 'udp'): return d.get('rps')
    if wl == 'stream_send': return d.get('tx_gbps')
    return d.get('rx_gbps')
unit = {'udp': 'echo/s', 'crr': 'conn/s', 'rr': 'req/s', 'stream_send': 'Gbit/s', 'stream_recv': 'Gbit/s'}
def fmt(v, u):
    if v is None: return 'n/a'
    return f'{v:.3f}' if u == 'Gbit/s' else f'{v:,.0f}'
lines = ['| workload | unit | linerate (memif) | p50/p99 us | Linux (veth) | p50/p99 us | linerate / Linux |',
         '|---|---|---:|---:|---:|---:|---:|']
res = {}
for wl in ['udp', 'crr', 'rr', 'stream_send', 'stream_recv']:
    a, b = rows[wl]
    va, vb = metric(wl, a), metric(wl, b)
    la = a.get('latency_us', {}); lb = b.get('latency_us', {})
    ratio = f'{va / vb:.2f}' if va and vb else 'n/a'
    lat = lambda l: f"{l.get('p50', '-')}/{l.get('p99', '-')}" if l.get('samples') else '-'
    lines.append(f'| {wl} | {unit[wl]} | {fmt(va, unit[wl])} | {lat(la)} | {fmt(vb, unit[wl])} | {lat(lb)} | {ratio} |')
    res[wl] = {'unit': unit[wl], 'linerate': va, 'linux': vb, 'ratio': (va / vb if va and vb else None),
               'linerate_summary': a, 'linux_summary': b}
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
json.dump({'machine': meta, 'workloads': res}, open(os.path.join(out, 'e2e.json'), 'w'), indent=1)
table = '\n'.join(lines)
print(table)
with open(os.path.join(out, 'latest.md'), 'a') as f:
    f.write(f"\n## e2e {meta['date']} (git {rev}, window {dur}, warm-up {warm}, server CPU {scpu}, "
            f"client CPU {ccpu}, load {' '.join(meta['load'])})\n\n{table}\n")
EOF
exit $FAIL
