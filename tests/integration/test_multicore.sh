#!/usr/bin/env bash
# Several workers on one net_tap port (a queue pair each; oversubscribed lcores, sleep idle
# policy). The tap PMD has no usable RSS here, so the workers steer in software: whichever
# worker receives a packet hands it to the worker its symmetric Toeplitz hash names.
#   - 2 and 4 workers: 1000 concurrent connections from Linux to the echo service all
#     connect and echo their own bytes; every worker owns some; each one is owned by the
#     worker the Toeplitz hash (computed here, in Python) names; nothing is lost between
#     workers; ping, UDP echo and ARP work whichever worker receives them.
#   - 2 workers as the client: 1000 connects to a Linux listener, 0 failures (needs
#     lr_tcp_connect to pick RSS-aware source ports with lr_steer_port_ok()).
# BUILD=build-owner (meson -Downer_checks=true) turns every ownership slip into an abort,
# which this test sees as a non-zero exit status.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init multicore
require root tun hugepages netns binaries || lr_done

NCONN=${MC_CONNS:-1000}
CPUS=$(nproc)

# lcore list for the main lcore and N workers, spread over the machine's CPUs with '@'.
lcores_for() {
	local n=$1 i list=
	for ((i = 0; i <= n; i++)); do list+="${list:+,}$i@$((i % CPUS))"; done
	echo "$list"
}

# start N [--set ...]: linerate with N workers, then the peer namespace.
start_workers() {
	local n=$1
	shift
	start_linerate --set "eal.lcores=$(lcores_for "$n")" --set eal.main_lcore=0 \
		--set "worker.lcores=1-$n" --set worker.idle=sleep --set app.mbufs=32767 "$@" ||
		return 1
	grep -q "steering" "$LR_TMP/stdout" && grep "steering" "$LR_TMP/stdout" | diag
	peer_setup || return 1
	nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
}

# stop: linerate and the namespace, ready for the next round.
stop_workers() {
	stop_linerate
	if [[ -n $LR_NS_CREATED ]]; then
		ip netns del "$LR_NS_CREATED" 2>/dev/null
		LR_NS_CREATED=
		lr_save_state
	fi
}

# Python: the owner of every connection in `ctl --json conns` by the symmetric Toeplitz
# hash (key 6d5a repeated, 64-entry table i % N) of what the peer sends. Prints
# "bad LOCAL REMOTE worker W owner O" lines, then "checked N".
check_owners() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
v = json.load(open(sys.argv[1])); n = int(sys.argv[2])
if isinstance(v, dict):
    v = v.get("conns", next((x for x in v.values() if isinstance(x, list)), []))
key = bytes([0x6d, 0x5a] * 20)
kint = int.from_bytes(key, "big")
def toeplitz(data):
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= (kint >> (320 - 32 - (i * 8 + b))) & 0xffffffff
    return h
def ip(a): return bytes(int(x) for x in a.split("."))
checked = 0
for c in v:
    if c.get("state") != "ESTABLISHED":
        continue
    la, lp = c["local"].rsplit(":", 1); ra, rp = c["remote"].rsplit(":", 1)
    h = toeplitz(ip(ra) + ip(la) + int(rp).to_bytes(2, "big") + int(lp).to_bytes(2, "big"))
    owner = (h % 64) % n
    checked += 1
    if owner != int(c["worker"]):
        print("bad", c["local"], c["remote"], "worker", c["worker"], "owner", owner)
print("checked", checked)
PYEOF
}

# cores_field FILE KEY: one value per worker from `ctl --json cores` saved in FILE.
cores_field() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
v = json.load(open(sys.argv[1]))
if isinstance(v, dict):
    v = next((x for x in v.values() if isinstance(x, list)), [])
print(" ".join(str(r.get(sys.argv[2], "?")) for r in v))
PYEOF
}

sum() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }'; }

# ---- N workers serving 1000 concurrent connections --------------------------------------
serve_round() {
	local n=$1 out ready=$LR_TMP/ready.$1 go=$LR_TMP/go.$1 i owners bad conns
	start_workers "$n" || return 1
	stats_snapshot "$LR_TMP/s0.$n.json"

	# The client: open NCONN connections at once, report, wait for "go", then every
	# connection sends its own message and must read exactly it back.
	# (ip netns exec directly, not nsx: $! must be the process itself, for the cleanup)
	ip netns exec "$LR_NS" bash -c 'ulimit -n 8192; exec timeout 120 "$@"' _ "$PY" - \
		"$LR_OUR_IP" "$NCONN" "$ready" \
		"$go" >"$LR_TMP/client.$n" 2>&1 <<'PYEOF' &
import asyncio, os, sys
ip, n, ready, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
async def one(i):
    r, w = await asyncio.wait_for(asyncio.open_connection(ip, 7), 30)
    return i, r, w
async def main():
    sem = asyncio.Semaphore(200)            # connects in flight at once
    async def guarded(i):
        async with sem:
            return await one(i)
    res = await asyncio.gather(*(guarded(i) for i in range(n)), return_exceptions=True)
    conns = [x for x in res if not isinstance(x, Exception)]
    errs = [repr(x) for x in res if isinstance(x, Exception)]
    print("connected", len(conns), "failed", len(errs), *errs[:3], flush=True)
    open(ready, "w").close()
    for _ in range(600):
        if os.path.exists(go):
            break
        await asyncio.sleep(0.1)
    async def echo(i, r, w):
        msg = (b"conn %05d " % i) * (1 + i % 7)
        w.write(msg)
        await w.drain()
        got = await asyncio.wait_for(r.readexactly(len(msg)), 30)
        w.close()
        return got == msg
    ok = await asyncio.gather(*(echo(*c) for c in conns), return_exceptions=True)
    print("echoed", sum(1 for x in ok if x is True), "bad", sum(1 for x in ok if x is not True),
          flush=True)
asyncio.run(main())
PYEOF
	local client=$!
	LR_BG_PIDS+=("$client")
	for ((i = 0; i < 900; i++)); do [[ -f $ready ]] && break; sleep 0.1; done
	out=$(head -n 1 "$LR_TMP/client.$n")
	check_eq "$n workers: $NCONN concurrent connections to the echo service connect" \
		"connected $NCONN failed 0" "$out"

	# While all are open: each is owned by the worker its hash names, every worker has some.
	ctl --json conns ESTABLISHED port 7 >"$LR_TMP/conns.$n.json"
	owners=$(check_owners "$LR_TMP/conns.$n.json" "$n")
	bad=$(grep -c '^bad' <<<"$owners")
	check_eq "$n workers: every connection lives on the worker its Toeplitz hash names (of $(tail -n 1 <<<"$owners" | cut -d' ' -f2))" 0 "$bad" ||
		grep '^bad' <<<"$owners" | head -n 5 | diag
	check_ge "$n workers: established connections seen by conns" "$(tail -n 1 <<<"$owners" | cut -d' ' -f2)" "$NCONN"
	ctl --json cores >"$LR_TMP/cores.$n.json"
	conns=$(cores_field "$LR_TMP/cores.$n.json" conns)
	note "connections per worker: $conns"
	local short=0 c
	for c in $conns; do
		if ! [[ $c =~ ^[0-9]+$ ]] || ((c < NCONN / n / 2)); then short=1; fi
	done
	if ((short == 0)) && [[ $(wc -w <<<"$conns") -eq $n ]]; then
		ok "$n workers: every worker owns its share of the connections ($conns)"
	else
		not_ok "$n workers: connections per worker $conns (want $n workers, each >= $((NCONN / n / 2)))"
	fi

	touch "$go"
	wait "$client"
	out=$(tail -n 1 "$LR_TMP/client.$n")
	check_eq "$n workers: all $NCONN connections echo their own bytes" "echoed $NCONN bad 0" "$out" ||
		tail -n 5 "$LR_TMP/client.$n" | diag

	# ICMP, UDP and ARP whichever worker receives them.
	check "$n workers: 20 pings, none lost" nsx timeout 20 ping -c 20 -i 0.05 -W 2 -q "$LR_OUR_IP"
	out=$(for p in 41001 41002 41003 41004 41005 41006 41007 41008; do
		printf 'udp %s' "$p" | nsx timeout 5 socat -T 2 - "UDP:$LR_OUR_IP:7,sourceport=$p"
		echo
	done)
	check_eq "$n workers: UDP echo from 8 source ports" 8 "$(grep -c '^udp 410' <<<"$out")"
	out=$(ctl --json arp)
	check_eq "$n workers: the peer is resolved in every worker's ARP cache" "$n" \
		"$("$PY" -c 'import json,sys; v=json.load(sys.stdin); v=v if isinstance(v,list) else next(x for x in v.values() if isinstance(x,list)); print(len({e["worker"] for e in v if e["ip"]==sys.argv[1] and e["state"]=="reachable"}))' "$LR_PEER_IP" <<<"$out")"

	sleep 0.5
	ctl --json cores >"$LR_TMP/cores.$n.json"
	note "steered_out per worker: $(cores_field "$LR_TMP/cores.$n.json" steered_out)"
	check_ge "$n workers: packets were handed between workers (software steering)" \
		"$(cores_field "$LR_TMP/cores.$n.json" steered_in | sum)" 1
	check_eq "$n workers: no packet lost to a full steering ring" 0 \
		"$(cores_field "$LR_TMP/cores.$n.json" steer_drops | sum)"
	stats_snapshot "$LR_TMP/s1.$n.json"
	check_eq "$n workers: no RST sent (a segment on the wrong worker would draw one)" 0 \
		"$(delta tcp.rst_tx "$LR_TMP/s0.$n.json" "$LR_TMP/s1.$n.json")"
	stop_workers
}

# ---- linerate as the client, 2 workers ----------------------------------------------------
client_round() {
	local port=5101 results=$LR_TMP/results i failed=0 out
	start_workers 2 || return 1
	ip netns exec "$LR_NS" timeout 200 "$PY" - "$LR_PEER_IP" "$port" "$results" <<'PYEOF' &
import socket, sys, threading
ip, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((ip, port))
ls.listen(1024)
open(out + ".ready", "w").close()
lock = threading.Lock()
def serve(c):
    total = 0
    c.settimeout(30)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            total += len(b)
    except Exception:
        total = -1
    c.close()
    with lock, open(out, "a") as f:
        f.write("%d\n" % total)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
	local listener=$!
	LR_BG_PIDS+=("$listener")
	for ((i = 0; i < 50; i++)); do [[ -f $results.ready ]] && break; sleep 0.1; done
	touch "$results"
	stats_snapshot "$LR_TMP/c0.json"
	for ((i = 0; i < NCONN; i++)); do
		out=$(ctl connect "$LR_PEER_IP" "$port" 100 2>&1) || {
			failed=$((failed + 1))
			((failed <= 3)) && note "connect $i: $out"
			sleep 0.05 # -EBUSY: every client slot of that worker in use
		}
	done
	check_eq "2 workers: linerate-ctl connect accepted $NCONN connects" 0 "$failed"
	for ((i = 0; i < 300; i++)); do
		[[ $(wc -l <"$results") -ge $NCONN ]] && break
		sleep 0.1
	done
	sleep 0.5
	stats_snapshot "$LR_TMP/c1.json"
	d() { delta "$1" "$LR_TMP/c0.json" "$LR_TMP/c1.json"; }
	note "client: started $(d services.client.started) connected $(d services.client.connected)" \
		"completed $(d services.client.completed) refused $(d services.client.refused)" \
		"reset $(d services.client.reset) timeout $(d services.client.timeout)"
	check_eq "2 workers: $NCONN active opens connected" "$NCONN" "$(d services.client.connected)"
	check_eq "2 workers: $NCONN active opens completed" "$NCONN" "$(d services.client.completed)"
	local refused reset timeout
	refused=$(d services.client.refused)
	reset=$(d services.client.reset)
	timeout=$(d services.client.timeout)
	check_eq "2 workers: no active open refused, reset or timed out" "0 0 0" \
		"${refused:-?} ${reset:-?} ${timeout:-?}"
	check_eq "2 workers: the Linux listener got $NCONN connections of 100 bytes" "$NCONN" \
		"$(grep -cx 100 "$results")"
	ctl --json cores >"$LR_TMP/cores.c.json"
	note "client: tx_pkts per worker: $(cores_field "$LR_TMP/cores.c.json" tx_pkts)"
	kill -TERM "$listener" 2>/dev/null
	stop_workers
}

serve_round 2
serve_round 4
if grep -q 'lr_steer_port_ok\|lr_steer_port_next' "$LR_ROOT"/lib/tcp/*.c 2>/dev/null; then
	client_round
else
	skip "2 workers as the client: lr_tcp_connect does not pick RSS-aware source ports yet" \
		"(hook lr_steer_port_ok() into tcp_pick_port)"
fi
lr_done
