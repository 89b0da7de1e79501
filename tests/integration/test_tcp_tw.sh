#!/usr/bin/env bash
# TIME_WAIT costs no connection slot: with room for 256 connections (tcp.max_conns=256)
# and 512 TIME_WAIT entries, the appliance closes first (HTTP `Connection: close`) for
# 2000 connections in a row from a Linux client, and every one gets its 200; the oldest
# TIME_WAIT entries are recycled (tcp.tw_recycled), no SYN is refused (tcp.conn_full 0).
# Then the client's ports are narrowed to 20 (ip_local_port_range in the namespace): 400
# more connections reopen tuples the appliance holds in TIME_WAIT, accepted by the
# timestamps of Linux's SYNs (RFC 6191, tcp.tw_reuse_ts). `conns` lists the entries,
# `stats` shows the counters, the mbuf pool is back to its baseline.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_tw
require root tun hugepages netns binaries || lr_done
MAX_TW=512
start_linerate --set tcp.max_conns=256 --set "tcp.max_tw=$MAX_TW" || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

# closing_client N: N sequential HTTP/1.1 requests with `Connection: close`, each on a new
# connection, read to the appliance's FIN; prints "OK BAD", at most 120 s.
closing_client() {
	nsx timeout 150 "$PY" - "$LR_OUR_IP" "$1" <<'PYEOF'
import socket, sys, time
host, n = sys.argv[1], int(sys.argv[2])
req = b"GET / HTTP/1.1\r\nHost: linerate\r\nConnection: close\r\n\r\n"
ok = bad = 0
end = time.time() + 120
for i in range(n):
    if time.time() > end:
        break
    try:
        s = socket.create_connection((host, 80), timeout=5)
        s.sendall(req)
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.close()
        if data.startswith(b"HTTP/1.1 200") and b"Connection: close" in data:
            ok += 1
        else:
            bad += 1
    except OSError:
        bad += 1
print(ok, bad)
PYEOF
}

# ---- 2000 connections, the appliance closing first, 256 connection slots ----
read -r good bad <<<"$(closing_client 2000)"
check_eq "2000 Connection: close requests in a row with max_conns 256: all 200" \
	"2000 0" "${good:-0} ${bad:-?}"
stats_snapshot "$LR_TMP/s1.json"
check_ge "stats: tcp.tw_created counts every connection the appliance closed first" \
	"$(stat_get tcp.tw_created "$LR_TMP/s1.json")" 2000
# Every entry past max_tw left as the oldest, recycled, unless the client picked its port
# again first and the SYN reopened the tuple (tcp.time_wait_reuse); none expired (2 MSL
# is 60 s). One CI run counted 42 recycled fewer than tw_created - max_tw, with no
# counter on record to say where they went: reopened tuples pass, an expiry fails.
created=$(stat_get tcp.tw_created "$LR_TMP/s1.json")
recycled=$(stat_get tcp.tw_recycled "$LR_TMP/s1.json")
reopened=$(stat_get tcp.time_wait_reuse "$LR_TMP/s1.json")
check_ge "stats: tcp.tw_recycled counts the entries recycled past max_tw $MAX_TW" \
	"$recycled" 1
check_ge "stats: tw_recycled + time_wait_reuse ($recycled + $reopened) cover the entries past max_tw: tw_created - $MAX_TW" \
	"$((${recycled:-0} + ${reopened:-0}))" $((${created:-0} - MAX_TW))
check_eq "stats: no TIME_WAIT entry expired within 2 MSL (tcp.tw_expired)" 0 \
	"$(stat_get tcp.tw_expired "$LR_TMP/s1.json")"
check_eq "stats: no SYN refused for a full table (tcp.conn_full)" 0 \
	"$(stat_get tcp.conn_full "$LR_TMP/s1.json")"
lines=$(conns_lines "$LR_TMP/c1.json" TIME_WAIT 2>&1)
n_tw=$(grep -c '^TIME_WAIT 80 ' <<<"$lines")
check_eq "conns lists the $MAX_TW TIME_WAIT entries (max_tw)" "$MAX_TW" "$n_tw"
out=$(ctl stats 2>&1)
check_grep "linerate-ctl stats (text) shows the recycled TIME_WAIT entries" \
	"\\b$(stat_get tcp.tw_recycled "$LR_TMP/s1.json")  TIME_WAIT entries recycled oldest first" "$out"

# ---- 400 more from 20 client ports: SYNs reopen tuples held in TIME_WAIT ----
nsx sysctl -qw net.ipv4.ip_local_port_range="61000 61019"
read -r good bad <<<"$(closing_client 400)"
check_eq "400 more from 20 client ports (tuples in TIME_WAIT reopened): all 200" \
	"400 0" "${good:-0} ${bad:-?}"
stats_snapshot "$LR_TMP/s2.json"
reuse=$(stat_get tcp.time_wait_reuse "$LR_TMP/s2.json")
reuse_ts=$(stat_get tcp.tw_reuse_ts "$LR_TMP/s2.json")
check_ge "stats: tcp.time_wait_reuse counts the reopened tuples" "$reuse" 300
check_ge "stats: tcp.tw_reuse_ts: reopened by the SYN's timestamp (RFC 6191)" "$reuse_ts" 300
check_eq "stats: still no SYN refused (tcp.conn_full)" 0 "$(stat_get tcp.conn_full "$LR_TMP/s2.json")"

if [[ $base_in_use =~ ^[0-9]+$ ]]; then
	now=$(mempool_back_to "$base_in_use" 20)
	check_eq "no mbuf leaked (mempool.in_use back to $base_in_use)" "$base_in_use" "$now"
fi
stop_linerate
lr_done
