#!/usr/bin/env bash
# The control plane: every linerate-ctl command in text and JSON, errors and their exit
# codes, concurrent clients, and the DPDK telemetry socket's /linerate/ commands.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init ctl
require root tun hugepages binaries || lr_done
start_linerate || lr_done

for cmd in stats ports cores arp config version mem; do
	out=$(ctl "$cmd" 2>&1)
	rc=$?
	if ((rc == 0)) && [[ -n $out ]]; then
		ok "linerate-ctl $cmd (text) exits 0 with output"
	else
		not_ok "linerate-ctl $cmd (text): exit $rc"
		printf '%s\n' "$out" | tail -n 5 | diag
	fi
	ctl --json "$cmd" >"$LR_TMP/$cmd.json" 2>"$LR_TMP/$cmd.err"
	rc=$?
	if ((rc == 0)) && "$PY" -m json.tool "$LR_TMP/$cmd.json" >/dev/null 2>&1; then
		ok "linerate-ctl --json $cmd exits 0 with valid JSON"
	else
		not_ok "linerate-ctl --json $cmd: exit $rc or invalid JSON"
		head -c 400 "$LR_TMP/$cmd.json" "$LR_TMP/$cmd.err" | diag
	fi
done

# Contents that must be there.
check_grep "stats text lists the ICMP counters" "echo requests received" "$(ctl stats 2>&1)"
json_has() { # FILE PYTHON-EXPRESSION-ON-j
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>/dev/null
}
if json_has "$LR_TMP/stats.json" 'all(isinstance(j[l], dict) for l in ("eth","arp","ip","icmp","udp")) and isinstance(j["icmp"]["rx_echo"], int) and isinstance(j["udp"]["no_port"], int)'; then
	ok "stats JSON has eth/arp/ip/icmp/udp sections with integer counters"
else
	not_ok "stats JSON lacks a section or a counter"
fi
check_grep "ports shows port 0 with our MAC" "$LR_OUR_MAC" "$(ctl ports 2>&1)"
# cpu_ms: the worker thread's CPU time, sampled every tick; it advances while it runs.
cpu_ms() { ctl --json cores | "$PY" -c 'import json,sys; j=json.load(sys.stdin)
r=j if isinstance(j, list) else next(v for v in j.values() if isinstance(v, list))
print(r[0]["cpu_ms"])' 2>/dev/null; }
c1=$(cpu_ms)
sleep 1
c2=$(cpu_ms)
if [[ $c1 =~ ^[0-9]+$ && $c2 =~ ^[0-9]+$ ]] && ((c2 > c1)); then
	ok "cores: worker 0 cpu_ms advances ($c1 -> $c2 ms in 1 s)"
else
	not_ok "cores: worker 0 cpu_ms did not advance ('$c1' -> '$c2')"
fi
# turn_max_us: the worker's longest loop turn since the last read; an idle worker's
# turns take microseconds, far below the 100 us the control plane may cost it.
turn=$(ctl --json cores | "$PY" -c 'import json,sys; j=json.load(sys.stdin)
r=j if isinstance(j, list) else next(v for v in j.values() if isinstance(v, list))
print(r[0]["turn_max_us"])' 2>/dev/null)
if [[ $turn =~ ^[0-9]+$ ]] && ((turn < 100000)); then
	ok "cores: worker 0 turn_max_us is reported ($turn us)"
else
	not_ok "cores: worker 0 turn_max_us missing or absurd ('$turn')"
fi
check_grep "ports shows our address" "$LR_OUR_IP" "$(ctl ports 2>&1)"
check_grep "config shows the control socket we set" "$LR_SOCK" "$(ctl config 2>&1)"
check_grep "config shows the tap device we set" "iface=$LR_IF" "$(ctl config 2>&1)"
ver=$(timeout 10 "$LINERATE" --version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)
check_grep "version matches linerate --version (${ver:-?})" "${ver:-no-version}" "$(ctl version 2>&1)"

# Errors.
out=$(ctl no-such-command 2>&1)
rc=$?
if ((rc == 1)) && [[ -n $out ]]; then
	ok "unknown command: exit 1 with a message"
	printf '%s\n' "$out" | head -n 2 | diag
else
	not_ok "unknown command: exit $rc (want 1), message '${out:0:120}'"
fi
out=$(timeout 10 "$LINERATE_CTL" --socket "$LR_TMP/nobody-here.sock" stats 2>&1)
rc=$?
if ((rc == 2)) && [[ -n $out ]]; then
	ok "unreachable socket: exit 2 with a message"
	printf '%s\n' "$out" | head -n 2 | diag
else
	not_ok "unreachable socket: exit $rc (want 2), message '${out:0:120}'"
fi

# Five concurrent clients.
pids=()
for i in 1 2 3 4 5; do
	ctl --json stats >"$LR_TMP/conc$i.json" 2>&1 &
	pids+=($!)
done
good=0
for i in 1 2 3 4 5; do
	if wait "${pids[$((i - 1))]}" && "$PY" -m json.tool "$LR_TMP/conc$i.json" >/dev/null 2>&1; then
		good=$((good + 1))
	fi
done
check_eq "5 concurrent clients all get valid stats" 5 "$good"

# Telemetry: the dpdk-telemetry.py client (reads commands from stdin) and a raw
# SOCK_SEQPACKET client on /var/run/dpdk/<prefix>/dpdk_telemetry.v2.
tsock=/var/run/dpdk/$LR_PREFIX/dpdk_telemetry.v2
if [[ -S $tsock ]]; then
	ok "telemetry socket $tsock exists"
else
	not_ok "telemetry socket $tsock missing"
fi
if command -v dpdk-telemetry.py >/dev/null 2>&1; then
	out=$(printf '/linerate/stats\n' | timeout 15 "$PY" "$(command -v dpdk-telemetry.py)" -f "$LR_PREFIX" 2>&1)
	if grep -q '"/linerate/stats"' <<<"$out" && grep -q 'rx_echo' <<<"$out"; then
		ok "dpdk-telemetry.py answers /linerate/stats"
	else
		not_ok "dpdk-telemetry.py /linerate/stats"
		printf '%s\n' "$out" | tail -n 5 | diag
	fi
else
	require cmd:dpdk-telemetry.py
fi
out=$(timeout 15 "$PY" - "$tsock" <<'PYEOF' 2>&1
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
info = json.loads(s.recv(16384).decode())
s.send(b"/")
cmds = json.loads(s.recv(65536).decode())["/"]
lr = sorted(c for c in cmds if c.startswith("/linerate/"))
s.send(b"/linerate/stats")
stats = json.loads(s.recv(1 << 20).decode())["/linerate/stats"]
s.send(b"/linerate/cores")
cores = json.loads(s.recv(1 << 20).decode())["/linerate/cores"]
s.send(b"/linerate/ports")
ports = json.loads(s.recv(1 << 20).decode())["/linerate/ports"]
print("version", info.get("version"))
print("commands", " ".join(lr))
print("rx_echo" in json.dumps(stats) and "stats-ok" or "stats-bad")
print("cores", " ".join(cores["0"].keys()))
print("ports", " ".join(ports["0"].keys()))
PYEOF
)
if grep -q '^stats-ok' <<<"$out"; then
	ok "raw telemetry client: /linerate/stats ($(grep '^commands' <<<"$out"))"
else
	not_ok "raw telemetry client: /linerate/stats"
	printf '%s\n' "$out" | tail -n 5 | diag
fi
# /linerate/cores has the columns of `cores --json`, in the same order
want=$(ctl --json cores | "$PY" -c 'import json,sys; j=json.load(sys.stdin)
r=j if isinstance(j, list) else next(v for v in j.values() if isinstance(v, list))
print("cores", " ".join(r[0].keys()))' 2>/dev/null)
got=$(grep '^cores ' <<<"$out")
if [[ -n $want && $got == "$want" ]]; then
	ok "telemetry /linerate/cores has the columns of cores --json"
else
	not_ok "telemetry /linerate/cores keys differ from cores --json"
	printf 'got:  %s\nwant: %s\n' "$got" "$want" | diag
fi
# port 0's ethdev counters, in order, in `ports --json` and /linerate/ports
eth="ipackets opackets ibytes obytes ierrors oerrors imissed rx_nombuf"
json_keys=$(ctl --json ports | "$PY" -c 'import json,sys; j=json.load(sys.stdin)
p=j[0] if isinstance(j, list) else j
print(" ".join(k for k in p if isinstance(p[k], int)))' 2>/dev/null)
tel_keys=$(grep '^ports ' <<<"$out")
if [[ " $json_keys " == *" $eth "* && "$tel_keys " == *" $eth "* ]]; then
	ok "ports --json and /linerate/ports have port 0's ethdev counters"
else
	not_ok "ethdev counters missing: ports --json '$json_keys', telemetry '$tel_keys'"
fi


# Memory (pools): `mem` shows each worker's budget and every pool, exact in-use counts;
# `nomem` fails data-pool allocations at runtime while receive (own RX pools) and
# in-place replies go on.
if json_has "$LR_TMP/mem.json" 'j["workers"]["0"]["high"] > 0 and "ip_reass" in j["workers"]["0"] and any(p["name"] == "lr_pool" for p in j["mempools"]) and any(p["name"].startswith("lr_rx_p") and p["size"] > 0 for p in j["mempools"])'; then
	ok "mem JSON: worker 0's budget, the data pool and the RX pools"
else
	not_ok "mem JSON lacks the budget or the pools"
	head -c 600 "$LR_TMP/mem.json" | diag
fi
check_grep "mem text shows the RX pool of port 0 queue 0" "lr_rx_p0_q0" "$(ctl mem 2>&1)"
out=$(ctl nomem bogus 0 1 2>&1)
if (($? != 0)) && grep -q "unknown pool 'bogus'" <<<"$out"; then
	ok "nomem refuses an unknown pool"
else
	not_ok "nomem bogus: $out"
fi
peer_setup || lr_done
closed_port() { # one datagram to a closed UDP port: its unreachable needs a data-pool mbuf
	nsx "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(b"x",(sys.argv[1],4444))' "$LR_OUR_IP"
	sleep 0.3
}
stats_snapshot "$LR_TMP/nm0.json"
check "nomem data 0 forever: armed on every worker" ctl nomem data 0 forever
closed_port
closed_port
if nsx ping -c 2 -i 0.2 -W 2 "$LR_OUR_IP" >/dev/null 2>&1; then
	ok "ping answered while every data-pool allocation fails (reply built in place)"
else
	not_ok "no ping reply while data-pool allocations fail"
fi
stats_snapshot "$LR_TMP/nm1.json"
check_ge "eth.nombuf moved: the unreachables found no buffer" \
	"$(delta eth.nombuf "$LR_TMP/nm0.json" "$LR_TMP/nm1.json")" 2
check_eq "no unreachable sent while injected" 0 \
	"$(delta icmp.tx_unreach "$LR_TMP/nm0.json" "$LR_TMP/nm1.json")"
check_ge "mem.injected counts the injected failures" \
	"$(delta mem.injected "$LR_TMP/nm0.json" "$LR_TMP/nm1.json")" 2
check "nomem clear" ctl nomem clear
sleep 1 # ICMP error tokens
closed_port
stats_snapshot "$LR_TMP/nm2.json"
check_eq "after nomem clear the unreachable is sent again" 1 \
	"$(delta icmp.tx_unreach "$LR_TMP/nm1.json" "$LR_TMP/nm2.json")"

lr_done
