#!/usr/bin/env bash
# linerate as a TCP client (active open) on net_tap: `linerate-ctl connect` opens a
# connection to a Linux listener in the peer namespace, sends N bytes of the pattern
# byte[i] = i % 251, half-closes and waits for the peer's close. The listener must get
# exactly those bytes; 20 sequential connects all succeed; a closed Linux port is counted
# as refused; the appliance's connections end in TIME_WAIT (or are gone).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_client
require root tun hugepages netns binaries || lr_done
start_linerate || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
PORT=5001
CLOSED_PORT=5999
RESULTS=$LR_TMP/results

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

# The listener: every connection is read until EOF, then one line
# "N BYTES SHA256 PATTERN_OK PEER_PORT" is appended to RESULTS, then it closes.
# (ip netns exec, not the nsx function: $! must be the process itself for the cleanup.)
ip netns exec "$LR_NS" timeout 140 "$PY" - "$LR_PEER_IP" "$PORT" "$RESULTS" <<'PYEOF' >"$LR_TMP/listener.log" 2>&1 &
import hashlib, socket, sys
ip, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pat = bytes(i % 251 for i in range(251))
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((ip, port))
ls.listen(64)
open(out + ".ready", "w").close()
n = 0
while True:
    c, addr = ls.accept()
    c.settimeout(30)
    h, total, good = hashlib.sha256(), 0, True
    try:
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            h.update(b)
            o = total % 251
            need = (pat * ((len(b) + o) // 251 + 2))[o : o + len(b)]
            good = good and b == need
            total += len(b)
    except Exception as e:
        good = False
    c.close()
    n += 1
    with open(out, "a") as f:
        f.write("%d %d %s %s %d\n" % (n, total, h.hexdigest(), "pattern" if good else "bad", addr[1]))
PYEOF
LR_BG_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [[ -f $RESULTS.ready ]] && break; sleep 0.1; done
[[ -f $RESULTS.ready ]] || not_ok "python listener on $LR_PEER_IP:$PORT started"
touch "$RESULTS"

want_sha() { "$PY" -c 'import hashlib,sys; n=int(sys.argv[1]); print(hashlib.sha256(bytes(i % 251 for i in range(n))).hexdigest())' "$1"; }

# wait_result N: wait up to 30 s for the N-th result line; print it.
wait_result() {
	local i
	for ((i = 0; i < 300; i++)); do
		if [[ $(wc -l <"$RESULTS") -ge $1 ]]; then
			sed -n "${1}p" "$RESULTS"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ---- one 1,000,000-byte connection ----
stats_snapshot "$LR_TMP/s0.json"
out=$(ctl connect "$LR_PEER_IP" "$PORT" 1000000 2>&1)
rc=$?
check_eq "linerate-ctl connect $LR_PEER_IP $PORT 1000000: exit status" 0 "$rc" || printf '%s\n' "$out" | diag
note "connect answered: $(head -n 3 <<<"$out" | tr '\n' ' ')"
sha=$(want_sha 1000000)
if line=$(wait_result 1); then
	read -r _ n got pat peer_port <<<"$line"
	check_eq "the listener received exactly 1000000 bytes" 1000000 "$n"
	check_eq "the bytes are the pattern i % 251 (sha256)" "$sha" "$got"
	check_eq "pattern check at every offset" pattern "$pat"
else
	not_ok "the listener got a connection that ended within 30 s"
fi
lines=$(conns_lines "$LR_TMP/c1.json" 2>&1)
mine=$(awk -v p="$PORT" '$4 == p' <<<"$lines")
if [[ -n $mine ]] && ! conns_other "$mine" TIME_WAIT >/dev/null; then
	ok "the appliance's connection to :$PORT is in TIME_WAIT (it closed first)"
elif [[ -z $mine ]]; then
	ok "the appliance's connection to :$PORT is gone (CLOSED)"
else
	not_ok "the appliance's connection to :$PORT: want TIME_WAIT or CLOSED"
	printf '%s\n' "$mine" | diag
fi
check_grep "conns lists the active connection: local $LR_OUR_IP, remote $LR_PEER_IP:$PORT, peer port ${peer_port:-?}" \
	"^TIME_WAIT [0-9]+ $LR_PEER_IP $PORT\$" "$lines"
if [[ -n ${peer_port:-} ]]; then
	check_grep "conns shows the local (ephemeral) port ${peer_port}" "^TIME_WAIT $peer_port $LR_PEER_IP $PORT\$" "$lines"
fi

# ---- 20 sequential connects ----
sha=$(want_sha 10000)
good=0
for ((k = 2; k <= 21; k++)); do
	if ! out=$(ctl connect "$LR_PEER_IP" "$PORT" 10000 2>&1); then
		note "connect #$k: $out"
		continue
	fi
	line=$(wait_result "$k") || { note "connect #$k: no result within 30 s"; continue; }
	read -r _ n got pat _ <<<"$line"
	if [[ $n == 10000 && $got == "$sha" && $pat == pattern ]]; then
		good=$((good + 1))
	else
		note "connect #$k: $line"
	fi
done
check_eq "20 sequential connects of 10000 bytes all delivered exactly" 20 "$good"
stats_snapshot "$LR_TMP/s1.json"
check_ge "tcp.active_open counts the 21 connects" "$(delta tcp.active_open "$LR_TMP/s0.json" "$LR_TMP/s1.json")" 21
check_eq "services.client.connected counts the 21 connects" 21 "$(delta services.client.connected "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "services.client.completed counts the 21 connects" 21 "$(delta services.client.completed "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "services.client.bytes_sent counts 1000000 + 20 x 10000 bytes" 1200000 "$(delta services.client.bytes_sent "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
fails=$(stat_keys services "$LR_TMP/s1.json" | grep -iE '(connect|client).*(fail|refused|reset|timeout|error)')
if [[ -z $fails ]]; then
	not_ok "stats services has connect failure counters"
	stat_keys services "$LR_TMP/s1.json" | diag
else
	bad=0
	while read -r key _; do
		d=$(delta "$key" "$LR_TMP/s0.json" "$LR_TMP/s1.json")
		[[ $d == 0 ]] || { bad=1; note "$key +$d"; }
	done <<<"$fails"
	if ((bad == 0)); then ok "no connect failures counted ($(cut -d' ' -f1 <<<"$fails" | tr '\n' ' '))"; else
		not_ok "connect failures counted during the 21 good connects"; fi
fi
check_eq "no connection given up (tcp.timeout_drop)" 0 "$(delta tcp.timeout_drop "$LR_TMP/s0.json" "$LR_TMP/s1.json")"

# ---- refused ----
stats_snapshot "$LR_TMP/r0.json"
out=$(ctl connect "$LR_PEER_IP" "$CLOSED_PORT" 100 2>&1)
rc=$?
note "connect to closed port: exit $rc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
sleep 1
stats_snapshot "$LR_TMP/r1.json"
rkey=$(stat_keys services "$LR_TMP/r1.json" | grep -iE '(connect|client).*refused' | head -n 1 | cut -d' ' -f1)
if [[ -n $rkey ]]; then
	check_eq "connect to closed Linux port $CLOSED_PORT counted as refused ($rkey)" 1 "$(delta "$rkey" "$LR_TMP/r0.json" "$LR_TMP/r1.json")"
else
	not_ok "stats services has a connect-refused counter"
fi
lines=$(conns_lines "$LR_TMP/r.json" 2>&1)
check_eq "no connection left towards the closed port" "" "$(awk -v p="$CLOSED_PORT" '$4 == p' <<<"$lines")"

# ---- end ----
lines=$(conns_lines "$LR_TMP/end.json" 2>&1)
if grep -q '^LISTEN ' <<<"$lines" && ! conns_other "$lines" >/dev/null; then
	ok "every active connection ended in TIME_WAIT or CLOSED ($(grep -c '^TIME_WAIT' <<<"$lines") in TIME_WAIT)"
else
	not_ok "active connections in other states"
	conns_other "$lines" | head -n 20 | diag
fi
check_no_mbuf_leak "$base_in_use" 20

lr_done
