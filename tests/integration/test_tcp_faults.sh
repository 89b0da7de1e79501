#!/usr/bin/env bash
# TCP over a bad path on net_tap: the appliance injects loss, reordering, duplication and
# delay on its port (port.0.rx_* / tx_*), and nftables drops 2% of what Linux sends to it.
# A 20 MB echo round trip (send and receive at once) must come back identical; afterwards
# every connection is CLOSED or TIME_WAIT, the faults and retransmissions really happened,
# and the mbuf pool is back to its baseline.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_faults
require root tun hugepages netns binaries cmd:nft || lr_done
SEED=20240617
start_linerate --set port.0.rx_loss=2 --set port.0.rx_reorder=10 --set port.0.rx_dup=1 \
	--set port.0.tx_delay_us=2000 --set port.0.tx_loss=1 --set "worker.fault_seed=$SEED" || lr_done
peer_setup || lr_done
if [[ -n $LR_TCP_CC ]]; then
	check_grep "the appliance sends with [tcp] cc = $LR_TCP_CC" "^cc = $LR_TCP_CC\$" "$(ctl config 2>&1)"
fi

# Linux side: drop 2% of the packets to the appliance.
if nsx nft add table inet lrt &&
	nsx nft add chain inet lrt out '{ type filter hook output priority 0 ; }' &&
	nsx nft add rule inet lrt out ip daddr "$LR_OUR_IP" numgen random mod 100 '<' 2 counter drop; then
	ok "nftables in the peer namespace drops 2% towards $LR_OUR_IP"
else
	not_ok "nftables rule (numgen random) in the peer namespace"
	lr_done
fi

out=$(nsx timeout 15 ping -c 10 -i 0.2 -W 2 "$LR_OUR_IP" 2>&1)
check_grep "ping through the faults (some answers)" ' [1-9][0-9]* received' "$out"

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")
BYTES=$((20 * 1000 * 1000))
LIMIT=120

# 20 MB of random bytes to echo: a sender thread writes everything and half-closes, the
# main thread reads until the appliance's FIN; both hashes are compared.
out=$(nsx timeout $((LIMIT + 10)) "$PY" - "$LR_OUR_IP" "$BYTES" "$LIMIT" <<'PYEOF' 2>&1
import hashlib, os, socket, sys, threading, time
ip, total, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
data = os.urandom(total)
t0 = time.monotonic()
s = socket.create_connection((ip, 7), timeout=15)
s.settimeout(limit)
err = []
def sender():
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        err.append("send: %s" % type(e).__name__)
th = threading.Thread(target=sender, daemon=True)
th.start()
h, got = hashlib.sha256(), 0
try:
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        h.update(b)
        got += len(b)
        if time.monotonic() - t0 > limit:
            err.append("timeout")
            break
except Exception as e:
    err.append("recv: %s" % type(e).__name__)
th.join(1)
dt = time.monotonic() - t0
same = h.hexdigest() == hashlib.sha256(data).hexdigest()
print("result %s %d %.1f %.2f %s" % ("ok" if same and not err else "bad", got, dt,
      got * 8 / dt / 1e6, ",".join(err) or ("sha256 equal" if same else "sha256 differs")))
s.close()
PYEOF
)
read -r _ res got secs mbit why <<<"$(grep '^result ' <<<"$out")"
if [[ $res == ok && $got == "$BYTES" ]]; then
	ok "20 MB echo through the faults comes back identical (sha256; $secs s, $mbit Mbit/s)"
else
	not_ok "20 MB echo through the faults within $LIMIT s: got ${got:-?} bytes: ${why:-$out}"
fi
sleep 1
stats_snapshot "$LR_TMP/after.json"
d() { delta "$1" "$LR_TMP/base.json" "$LR_TMP/after.json"; }

nft_drops=$(nsx nft list chain inet lrt out | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check_ge "nftables dropped packets towards the appliance" "${nft_drops:-}" 1

fault=$(stat_keys fault "$LR_TMP/after.json")
printf '%s\n' "$fault" | grep -v ' 0$' | diag
for kind in 'rx.*los' 'rx.*reorder' 'rx.*dup' 'tx.*delay' 'tx.*los'; do
	key=$(grep -iE "^fault\.[a-z_.]*$kind" <<<"$fault" | head -n 1 | cut -d' ' -f1)
	if [[ -z $key ]]; then
		not_ok "stats fault has a counter matching /$kind/"
		continue
	fi
	check_ge "$key: the fault really happened" "$(d "$key")" 1
done
check_ge "tcp.rexmt_segs: the appliance retransmitted" "$(d tcp.rexmt_segs)" 1
note "tcp: rexmt_timeout +$(d tcp.rexmt_timeout), out_of_order +$(d tcp.out_of_order)," \
	"bad_seq +$(d tcp.bad_seq), timeout_drop +$(d tcp.timeout_drop)"
check_eq "no connection given up (tcp.timeout_drop)" 0 "$(d tcp.timeout_drop)"

# Faults off is not an option at run time: wait for the close to finish under them.
lines=
for ((i = 0; i < 40; i++)); do
	lines=$(conns_lines "$LR_TMP/conns.json" 2>&1)
	conns_other "$lines" >/dev/null || break
	sleep 0.5
done
if grep -q '^LISTEN ' <<<"$lines" && ! conns_other "$lines" >/dev/null; then
	ok "every connection ended CLOSED or TIME_WAIT ($(grep -c '^TIME_WAIT' <<<"$lines") in TIME_WAIT)"
else
	not_ok "connections in other states 20 s after the transfer"
	conns_other "$lines" | head -n 20 | diag
fi
check_no_mbuf_leak "$base_in_use" 20

lr_done
