#!/usr/bin/env bash
# TCP bulk transfer on net_tap: 200 MiB into discard (port 9) counted to the byte, and
# 200 MiB out of chargen (port 19) with every byte checked against the RFC 864 pattern
# (74-byte lines: 72 printable characters starting one further each line, CR LF). Each
# direction is bounded by a timeout and prints its throughput.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init tcp_bulk
require root tun hugepages netns binaries || lr_done
start_linerate || lr_done
peer_setup || lr_done

nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # resolve once
BYTES=$((200 * 1024 * 1024))
LIMIT=60 # seconds per direction

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")

# bulk MODE: python3 client in the peer namespace. Prints one "result ..." line.
#   discard: send BYTES to port 9, half-close, wait for the appliance's FIN
#   chargen: read BYTES from port 19 checking the pattern, then close
bulk() {
	nsx timeout $((LIMIT + 10)) "$PY" - "$LR_OUR_IP" "$1" "$BYTES" "$LIMIT" <<'PYEOF'
import socket, sys, time
ip, mode, total, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.monotonic()
deadline = t0 + limit

def done(ok, n, why=""):
    dt = time.monotonic() - t0
    print("result %s %d %.2f %.1f %s" % ("ok" if ok else "bad", n, dt, n * 8 / dt / 1e6 if dt else 0, why))
    sys.exit(0)

if mode == "discard":
    s = socket.create_connection((ip, 9), timeout=10)
    buf = bytes(range(256)) * 256  # 64 KiB
    sent = 0
    s.settimeout(max(1, deadline - time.monotonic()))
    try:
        while sent < total:
            n = s.send(memoryview(buf)[: min(len(buf), total - sent)])
            sent += n
            if time.monotonic() > deadline:
                done(False, sent, "timeout after %d bytes" % sent)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(max(1, deadline - time.monotonic()))
        extra = s.recv(100)  # discard sends nothing: b"" is its FIN
        if extra:
            done(False, sent, "discard sent %d bytes back" % len(extra))
    except Exception as e:
        done(False, sent, "%s after %d bytes" % (type(e).__name__, sent))
    done(True, sent)

# chargen: one period of the pattern is 95 lines of 74 bytes.
lines = []
for k in range(95):
    lines.append(bytes(0x20 + (k + j) % 95 for j in range(72)) + b"\r\n")
period = b"".join(lines)
P = len(period)
big = period * (1 + (1 << 17) // P + 2)
s = socket.create_connection((ip, 19), timeout=10)
got = 0
phase = None
first = b""
try:
    while got < total:
        s.settimeout(max(0.5, deadline - time.monotonic()))
        chunk = s.recv(min(1 << 17, total - got))
        if not chunk:
            done(False, got, "the appliance closed after %d bytes" % got)
        if phase is None:
            first += chunk
            if len(first) < 74:
                continue
            c0 = first[0] - 0x20
            if not 0 <= c0 < 95 or first[:74] != lines[c0]:
                done(False, got, "first line is not an RFC 864 line: %r" % first[:74])
            phase = c0 * 74
            chunk, first = first, None
        o = (phase + got) % P
        if chunk != big[o : o + len(chunk)]:
            i = next(i for i in range(len(chunk)) if chunk[i] != big[o + i])
            done(False, got, "pattern broken at byte %d: %r" % (got + i, chunk[i : i + 20]))
        got += len(chunk)
        if time.monotonic() > deadline:
            done(False, got, "timeout after %d bytes" % got)
except Exception as e:
    done(False, got, "%s after %d bytes" % (type(e).__name__, got))
s.close()
done(True, got)
PYEOF
}

# ---- into discard ----
stats_snapshot "$LR_TMP/d0.json"
out=$(bulk discard 2>&1)
read -r _ res n secs mbit why <<<"$(grep '^result ' <<<"$out")"
if [[ $res == ok && $n == "$BYTES" ]]; then
	ok "discard: 200 MiB sent and the appliance closed ($secs s, $mbit Mbit/s)"
else
	not_ok "discard: 200 MiB within $LIMIT s: ${why:-$out}"
fi
sleep 0.5
stats_snapshot "$LR_TMP/d1.json"
check_eq "tcp.rx_data_bytes counts exactly 200 MiB" "$BYTES" "$(delta tcp.rx_data_bytes "$LR_TMP/d0.json" "$LR_TMP/d1.json")"
# Linux sends trains of segments: RX bursts of several, looked up together by the TCP
# burst stage (lib/tcp/tcp_burst.c)
check_ge "tcp.lookup_bulk: segments took their connection from a burst's bulk lookup" \
	"$(delta tcp.lookup_bulk "$LR_TMP/d0.json" "$LR_TMP/d1.json")" 1
dkey=$(stat_keys services "$LR_TMP/d1.json" | grep -E '^services\.discard\.bytes_in ' | cut -d' ' -f1)
if [[ -n $dkey ]]; then
	check_eq "$dkey counts exactly 200 MiB" "$BYTES" "$(delta "$dkey" "$LR_TMP/d0.json" "$LR_TMP/d1.json")"
else
	not_ok "stats services has a TCP discard byte counter"
	stat_keys services "$LR_TMP/d1.json" | diag
fi
note "discard: tcp.rx +$(delta tcp.rx "$LR_TMP/d0.json" "$LR_TMP/d1.json") segments," \
	"tcp.ack_tx +$(delta tcp.ack_tx "$LR_TMP/d0.json" "$LR_TMP/d1.json")," \
	"tcp.out_of_order +$(delta tcp.out_of_order "$LR_TMP/d0.json" "$LR_TMP/d1.json")"

# ---- out of chargen ----
stats_snapshot "$LR_TMP/c0.json"
out=$(bulk chargen 2>&1)
read -r _ res n secs mbit why <<<"$(grep '^result ' <<<"$out")"
if [[ $res == ok && $n == "$BYTES" ]]; then
	ok "chargen: 200 MiB received, every byte in the RFC 864 pattern ($secs s, $mbit Mbit/s)"
else
	not_ok "chargen: 200 MiB within $LIMIT s: ${why:-$out}"
fi
sleep 0.5
stats_snapshot "$LR_TMP/c1.json"
check_ge "tcp.tx_data_bytes counts at least the 200 MiB" "$(delta tcp.tx_data_bytes "$LR_TMP/c0.json" "$LR_TMP/c1.json")" "$BYTES"
note "chargen: tcp.tx +$(delta tcp.tx "$LR_TMP/c0.json" "$LR_TMP/c1.json") segments," \
	"tcp.rexmt_segs +$(delta tcp.rexmt_segs "$LR_TMP/c0.json" "$LR_TMP/c1.json")," \
	"tcp.rst_rx +$(delta tcp.rst_rx "$LR_TMP/c0.json" "$LR_TMP/c1.json")"

# The client closed with unread data in flight: Linux answers with RST, the appliance
# frees the connection. Nothing may stay established, no mbuf may leak.
sleep 1
lines=$(conns_lines "$LR_TMP/end.json" 2>&1)
if grep -q '^LISTEN ' <<<"$lines" && ! conns_other "$lines" >/dev/null; then
	ok "after both transfers: only LISTEN/TIME_WAIT entries remain"
else
	not_ok "connections left after both transfers"
	conns_other "$lines" | head -n 20 | diag
fi
check_no_mbuf_leak "$base_in_use" 20

lr_done
