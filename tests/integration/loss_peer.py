#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Linux peer of test_tcp_loss.sh, run inside the peer namespace.

    loss_peer.py echo IP BYTES LIMIT      BYTES of random data through the echo service
                                          (port 7): a thread sends everything and
                                          half-closes, the main thread reads until the
                                          appliance's FIN; both sha256 are compared
    loss_peer.py chargen IP BYTES LIMIT   BYTES from the chargen service (port 19), every
                                          byte checked against the RFC 864 pattern, then
                                          close (linerate is the sender, Linux SACKs)

Prints one line "result ok|bad BYTES SECONDS MBIT WHY". Every wait is bounded by LIMIT
seconds from the start; the exit status is 0 either way (the test reads the line).
"""
import hashlib
import os
import select
import socket
import sys
import threading
import time


def result(ok, n, t0, why):
    dt = time.monotonic() - t0
    print("result %s %d %.1f %.2f %s" % ("ok" if ok else "bad", n, dt,
                                        n * 8 / dt / 1e6 if dt > 0 else 0, why), flush=True)
    sys.exit(0)


def connect(ip, port, t0, limit):
    try:
        return socket.create_connection((ip, port), timeout=min(15, limit))
    except Exception as e:
        result(False, 0, t0, "connect to port %d: %s" % (port, type(e).__name__))


def echo(ip, total, limit):
    data = os.urandom(total)
    t0 = time.monotonic()
    s = connect(ip, 7, t0, limit)
    # One timeout for both threads (it is the socket's), and for sendall the total for the
    # whole call: the limit itself. The reader checks the time between reads.
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
            left = t0 + limit - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                err.append("timeout after %d bytes back" % got)
                break
            b = s.recv(1 << 16)
            if not b:
                break
            h.update(b)
            got += len(b)
    except Exception as e:
        err.append("recv: %s" % type(e).__name__)
    th.join(1)
    same = h.hexdigest() == hashlib.sha256(data).hexdigest()
    s.close()
    result(same and not err, got, t0, ",".join(err) or ("sha256 equal" if same else "sha256 differs"))


def chargen(ip, total, limit):
    # One period of the pattern is 95 lines of 74 bytes: 72 printable characters
    # starting one further each line, then CR LF.
    lines = [bytes(0x20 + (k + j) % 95 for j in range(72)) + b"\r\n" for k in range(95)]
    period = b"".join(lines)
    P = len(period)
    big = period * (1 + (1 << 17) // P + 2)
    t0 = time.monotonic()
    s = connect(ip, 19, t0, limit)
    got, phase, first = 0, None, b""
    try:
        while got < total:
            s.settimeout(max(0.5, t0 + limit - time.monotonic()))
            chunk = s.recv(min(1 << 17, total - got))
            if not chunk:
                result(False, got, t0, "the appliance closed after %d bytes" % got)
            if phase is None:
                first += chunk
                if len(first) < 74:
                    continue
                c0 = first[0] - 0x20
                if not 0 <= c0 < 95 or first[:74] != lines[c0]:
                    result(False, got, t0, "first line is not an RFC 864 line")
                phase = c0 * 74
                chunk, first = first, None
            o = (phase + got) % P
            if chunk != big[o:o + len(chunk)]:
                i = next(i for i in range(len(chunk)) if chunk[i] != big[o + i])
                result(False, got, t0, "pattern broken at byte %d" % (got + i))
            got += len(chunk)
            if time.monotonic() - t0 > limit:
                result(False, got, t0, "timeout after %d bytes" % got)
    except socket.timeout:
        result(False, got, t0, "timeout after %d bytes" % got)
    except Exception as e:
        result(False, got, t0, "%s after %d bytes" % (type(e).__name__, got))
    s.close()
    result(True, got, t0, "pattern intact")


if __name__ == "__main__":
    mode, ip, total, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    {"echo": echo, "chargen": chargen}[mode](ip, total, limit)
