#!/usr/bin/env python3
# Linux peer of test_jumbo.sh: one bulk TCP transfer against linerate's services,
# printing one line "result ok|bad BYTES SECONDS MBIT/S [why]".
#   jumbo_peer.py IP discard BYTES LIMIT  send BYTES to port 9, half-close, wait for FIN
#   jumbo_peer.py IP chargen BYTES LIMIT  read BYTES from port 19, each line RFC 864's
#   jumbo_peer.py IP echo BYTES LIMIT     send BYTES to port 7 while reading them back;
#                                         the SHA-256 of what came back must be the sent one's
import hashlib
import socket
import sys
import threading
import time

ip, mode, total, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.monotonic()
deadline = t0 + limit
CHUNK = 1 << 16


def done(ok, n, why=""):
    dt = time.monotonic() - t0
    print("result %s %d %.2f %.1f %s" % ("ok" if ok else "bad", n, dt,
                                         n * 8 / dt / 1e6 if dt else 0, why))
    sys.exit(0)


def block(i):
    # 64 KiB that differ from block to block, so a misplaced block changes the hash
    return i.to_bytes(8, "big") * (CHUNK // 8)


def send_all(s, digest):
    sent, i = 0, 0
    while sent < total:
        b = block(i)[: min(CHUNK, total - sent)]
        s.sendall(b)
        if digest is not None:
            digest.update(b)
        sent += len(b)
        i += 1
        if time.monotonic() > deadline:
            raise TimeoutError("timeout after %d bytes sent" % sent)
    s.shutdown(socket.SHUT_WR)
    return sent


def connect(port):
    s = socket.create_connection((ip, port), timeout=10)
    s.settimeout(max(1.0, deadline - time.monotonic()))
    return s


def discard():
    s = connect(9)
    try:
        sent = send_all(s, None)
        if s.recv(100):
            done(False, sent, "discard sent bytes back")
    except Exception as e:
        done(False, 0, "%s: %s" % (type(e).__name__, e))
    done(True, sent)


def chargen():
    lines = [bytes(0x20 + (k + j) % 95 for j in range(72)) + b"\r\n" for k in range(95)]
    period = b"".join(lines)
    s = connect(19)
    got, pos, buf = 0, None, bytearray()
    try:
        while got < total:
            chunk = s.recv(min(1 << 17, total - got))
            if not chunk:
                done(False, got, "closed after %d bytes" % got)
            if pos is None:
                c0 = chunk[0] - 0x20
                if not 0 <= c0 < 95:
                    done(False, got, "not an RFC 864 line")
                pos = c0 * 74
            ref = (period * (2 + len(chunk) // len(period)))[pos:pos + len(chunk)]
            if chunk != ref:
                done(False, got, "pattern broken at byte %d" % got)
            pos = (pos + len(chunk)) % len(period)
            got += len(chunk)
    except Exception as e:
        done(False, got, "%s: %s" % (type(e).__name__, e))
    s.close()
    done(True, got)


def echo():
    s = connect(7)
    sent_hash, back_hash = hashlib.sha256(), hashlib.sha256()
    state = {"got": 0, "err": None}

    def reader():
        try:
            while state["got"] < total:
                chunk = s.recv(1 << 17)
                if not chunk:
                    break
                back_hash.update(chunk)
                state["got"] += len(chunk)
        except Exception as e:
            state["err"] = "%s: %s" % (type(e).__name__, e)

    t = threading.Thread(target=reader)
    t.start()
    try:
        send_all(s, sent_hash)
    except Exception as e:
        state["err"] = "%s: %s" % (type(e).__name__, e)
    t.join(max(1.0, deadline - time.monotonic()))
    got = state["got"]
    if state["err"] or t.is_alive() or got != total:
        done(False, got, state["err"] or "%d of %d bytes back" % (got, total))
    if sent_hash.digest() != back_hash.digest():
        done(False, got, "sha256 differs")
    done(True, got, "sha256 " + back_hash.hexdigest()[:16])


{"discard": discard, "chargen": chargen, "echo": echo}[mode]()
