#!/usr/bin/env bash
# Prometheus endpoint ([app] metrics): curl /metrics on loopback, `promtool check metrics`
# (lint included) on the scrape, every counter equal to `linerate-ctl --json stats`, the
# ICMP echo counter equal to the pings sent, OpenMetrics on request, 404/405/431, the
# bound on concurrent scrapers (503, counted), the per-connection timeout, and bad or
# busy listen addresses refused with an error naming [app] metrics.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init metrics
require root tun hugepages netns binaries cmd:ping cmd:curl cmd:promtool || lr_done

# A free loopback port (bound by Python, released, then ours).
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/metrics

# Bad addresses: refused by --check-config, naming the key.
for bad in 127.0.0.1:99999 localhost:9464 127.0.0.1 '[::1]9464'; do
	err=$("$LINERATE" --config "$LR_CONFIG" --set "app.metrics=$bad" --check-config 2>&1 >/dev/null)
	rc=$?
	if ((rc != 0)) && grep -qF '[app] metrics' <<<"$err"; then
		ok "--check-config refuses metrics = $bad (exit $rc): $(head -n 1 <<<"$err" | cut -c1-110)"
	else
		not_ok "--check-config with metrics = $bad: exit $rc, stderr: $err"
	fi
done
out=$("$LINERATE" --config "$LR_CONFIG" --check-config 2>&1)
check_grep "metrics off by default (--check-config: metrics = nothing)" '^metrics = *$' "$out"

start_linerate --set "app.metrics=127.0.0.1:$PORT" || lr_done
peer_setup || lr_done
check_grep "the daemon says where the endpoint is" "metrics: $URL" "$(cat "$LR_TMP/stdout")"

# An address we cannot listen on (in use; not ours): a clear error and exit 1 before EAL.
for bad in "127.0.0.1:$PORT" 192.0.2.1:9464; do
	err=$(timeout 20 "$LINERATE" --config "$LR_CONFIG" --set "app.metrics=$bad" \
		--set "eal.file_prefix=$LR_PREFIX-b" --set eal.in_memory=yes \
		--set "app.control_socket=$LR_TMP/b.sock" \
		--set "port.0.device=net_tap0,iface=${LR_IF}b" 2>&1 >/dev/null </dev/null)
	rc=$?
	if ((rc == 1)) && grep -qF "[app] metrics '$bad': cannot listen" <<<"$err"; then
		ok "metrics = $bad refused at start (exit 1): $(head -n 1 <<<"$err" | cut -c1-110)"
	else
		not_ok "metrics = $bad at start: exit $rc, stderr: $(tail -n 3 <<<"$err")"
	fi
done

# Scrape: status, content type, promtool (format and lint).
code=$(curl -sS -m 10 -D "$LR_TMP/h0" -o "$LR_TMP/m0" -w '%{http_code}' "$URL")
check_eq "GET /metrics answers 200" 200 "$code"
check_grep "Content-Type is the 0.0.4 text format" '^Content-Type: text/plain; version=0.0.4' \
	"$(cat "$LR_TMP/h0")"
out=$(promtool check metrics <"$LR_TMP/m0" 2>&1)
rc=$?
if ((rc == 0)) && [[ -z $out ]]; then
	ok "promtool check metrics: no error, no lint ($(grep -c '^# TYPE' "$LR_TMP/m0") families, $(grep -vc '^#' "$LR_TMP/m0") samples)"
else
	not_ok "promtool check metrics: exit $rc"
	printf '%s\n' "$out" | head -n 20 | diag
fi

# Known traffic: N pings, counted as N echo requests by the metrics and by stats.
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve first
stats_snapshot "$LR_TMP/s0.json"
curl -sS -m 10 -o "$LR_TMP/m1" "$URL"
N=7
out=$(nsx timeout 20 ping -c $N -i 0.2 -W 2 "$LR_OUR_IP" 2>&1)
check_grep "ping -c $N: all answered" "$N packets transmitted, $N received" "$out"
curl -sS -m 10 -o "$LR_TMP/m2" "$URL"
stats_snapshot "$LR_TMP/s1.json"

# sum_series FILE NAME [LABEL=VALUE]: the sum over the series of NAME matching the label.
sum_series() {
	"$PY" - "$@" <<'PYEOF'
import re, sys
path, name = sys.argv[1], sys.argv[2]
want = dict(a.split("=", 1) for a in sys.argv[3:])
total = 0
for line in open(path):
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    if not m or m.group(1) != name:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    if all(labels.get(k) == v for k, v in want.items()):
        total += float(m.group(4))
print(int(total) if total == int(total) else total)
PYEOF
}
m1=$(sum_series "$LR_TMP/m1" linerate_icmp_rx_echo_total)
m2=$(sum_series "$LR_TMP/m2" linerate_icmp_rx_echo_total)
check_eq "linerate_icmp_rx_echo_total grew by the $N pings" "$N" "$((m2 - m1))"
check_eq "... as icmp.rx_echo of --json stats did" "$N" \
	"$(delta icmp.rx_echo "$LR_TMP/s0.json" "$LR_TMP/s1.json")"
check_eq "linerate_icmp_tx_echo_reply_total grew by $N" "$N" \
	"$(($(sum_series "$LR_TMP/m2" linerate_icmp_tx_echo_reply_total) - \
		$(sum_series "$LR_TMP/m1" linerate_icmp_tx_echo_reply_total)))"

# Every counter of `--json stats` against the scrape taken between two stats reads:
# counts by name (linerate_<layer>_<name>_total), drops by reason (linerate_drops_total),
# TCP states (linerate_tcp_connections), services, the mbuf pool.
stats_snapshot "$LR_TMP/s2.json"
curl -sS -m 10 -o "$LR_TMP/m3" "$URL"
stats_snapshot "$LR_TMP/s3.json"
out=$("$PY" - "$LR_TMP/s2.json" "$LR_TMP/m3" "$LR_TMP/s3.json" <<'PYEOF'
import json, re, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[3]))
series = {}
for line in open(sys.argv[2]):
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    if not m:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    series.setdefault(m.group(1), []).append((labels, float(m.group(4))))
def total(name, **want):
    if name not in series:
        return None
    hits = [v for l, v in series[name] if all(l.get(k) == x for k, x in want.items())]
    return sum(hits) if hits else None
svc = {"conns": "connections", "bytes_in": "received_bytes", "bytes_out": "sent_bytes",
       "requests": "requests", "errors": "errors", "idle_timeout": "idle_timeouts",
       "header_timeout": "header_timeouts", "drain_closed": "drain_closed"}
checked, bad = 0, []
def cmp(key, lo, hi, got):
    global checked
    checked += 1
    if got is None or not (min(lo, hi) <= got <= max(lo, hi)):
        bad.append("%s: stats %s..%s, metrics %s" % (key, lo, hi, got))
for layer, sec in a.items():
    if not isinstance(sec, dict):
        continue
    for k, v in sec.items():
        if layer == "tcp" and k == "states":
            for st, n in v.items():
                cmp("tcp.states." + st, n, b[layer][k][st], total("linerate_tcp_connections", state=st))
        elif layer == "services":
            for fk, fv in v.items():
                if k == "client" and fk == "active":
                    m = total("linerate_client_active_connections")
                elif k == "client" and fk in ("bytes_sent", "bytes_in"):
                    m = total("linerate_client_%s_bytes_total" % ("sent" if fk == "bytes_sent" else "received"))
                elif k == "client":
                    m = total("linerate_client_connections_total", outcome=fk)
                else:
                    m = total("linerate_service_%s_total" % svc[fk], service=k)
                cmp("services.%s.%s" % (k, fk), fv, b[layer][k][fk], m)
        elif layer == "mempool":
            pools = {"": ("lr_pool", sec, b[layer]), "indirect.": ("lr_indirect", sec.get("indirect", {}),
                     b[layer].get("indirect", {}))}
            if k not in ("in_use", "size"):
                continue
            for pfx, (pool, x, y) in pools.items():
                fam = "linerate_mempool_%s_objects" % k
                cmp("mempool.%s%s" % (pfx, k), x[k], y[k], total(fam, pool=pool))
        elif isinstance(v, (int, float)):
            m = total("linerate_%s_%s_total" % (layer, k))
            if m is None:
                m = total("linerate_drops_total", layer=layer, reason=k)
            cmp("%s.%s" % (layer, k), v, b[layer][k], m)
print("checked %d" % checked)
for x in bad:
    print("MISMATCH " + x)
PYEOF
)
n=$(sed -n 's/^checked //p' <<<"$out")
if [[ ${n:-0} -ge 200 ]] && ! grep -q MISMATCH <<<"$out"; then
	ok "all $n counters of --json stats equal the scrape (counts, drops, states, services, pool)"
else
	not_ok "counters of --json stats vs the scrape (${n:-0} checked)"
	grep MISMATCH <<<"$out" | head -n 20 | diag
fi

# OpenMetrics when asked for.
curl -sS -m 10 -D "$LR_TMP/h4" -o "$LR_TMP/m4" \
	-H 'Accept: application/openmetrics-text; version=1.0.0, text/plain; q=0.5' "$URL"
check_grep "Accept: openmetrics gets application/openmetrics-text" \
	'^Content-Type: application/openmetrics-text; version=1.0.0' "$(cat "$LR_TMP/h4")"
check_eq "OpenMetrics ends with # EOF" "# EOF" "$(tail -n 1 "$LR_TMP/m4")"
check_grep "OpenMetrics counter families are named without _total" \
	'^# TYPE linerate_drops counter$' "$(cat "$LR_TMP/m4")"

# Errors: other paths, methods, oversized heads.
check_eq "GET /other answers 404" 404 "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other")"
check_eq "POST /metrics answers 405" 405 "$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST "$URL")"
big=$(head -c 6000 /dev/zero | tr '\0' a)
check_eq "a 6000-byte header answers 431" 431 \
	"$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL")"

# The bound: 8 silent connections hold every slot, the 9th gets 503 at once; the held
# ones are closed by the server at their 5 s deadline, and scrapes work again.
out=$("$PY" - "$PORT" <<'PYEOF'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
t0 = time.time()
print("ninth:", s.recv(200).split(b"\r\n")[0].decode(), "after %.2f s" % (time.time() - t0))
t0 = time.time()
held[0].settimeout(10)
gone = held[0].recv(100)
print("held closed after %.1f s (%d bytes)" % (time.time() - t0, len(gone)))
# the other seven reach their deadline too before this script's exit closes them (else
# the server may see them close first and not count them as timeouts)
for h in held[1:]:
    h.settimeout(10)
    h.recv(100)
PYEOF
)
check_grep "a 9th concurrent scraper gets 503" 'ninth: HTTP/1.1 503 Service Unavailable' "$out"
secs=$(sed -n 's/^held closed after \([0-9.]*\) s (0 bytes)$/\1/p' <<<"$out")
if [[ -n $secs ]] && awk -v s="$secs" 'BEGIN { exit !(s >= 3.5 && s <= 7.5) }'; then
	ok "a silent scraper is closed at its deadline ($secs s, limit 5 s)"
else
	not_ok "silent scraper not closed at its 5 s deadline: $out"
fi
code=$(curl -sS -m 10 -o "$LR_TMP/m5" -w '%{http_code}' "$URL")
check_eq "scrapes work again after the flood" 200 "$code"
check_ge "linerate_metrics_refused_total counts the 503" \
	"$(sum_series "$LR_TMP/m5" linerate_metrics_refused_total)" 1
check_ge "linerate_metrics_timeouts_total counts the silent ones" \
	"$(sum_series "$LR_TMP/m5" linerate_metrics_timeouts_total)" 8
check_ge "linerate_metrics_responses_total{code=404} counts the 404" \
	"$(sum_series "$LR_TMP/m5" linerate_metrics_responses_total code=404)" 1
check_eq "the control socket still answers" OK "$(ctl version >/dev/null && echo OK)"

lr_done
