#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The hostile peers of issue #9, run inside the peer namespace of an integration test.

    pressure.py ATTACK --iface IF --dir DIR [options]

The raw-TCP attacks (ooo, zwnd, zwhold, nofin, lastack) drive their own connections over a
packet socket from source ports 20000-29999; the test's nftables rule keeps those ports away
from the Linux stack, so Linux never answers the appliance's segments with RSTs. Frames are
packed with struct: scapy builds one frame in ~1.4 ms on a loaded CI box, so the 7200-segment
out-of-order flood alone would take 10 s to build and could not keep up with the appliance.
slowloris, twfill and the keeper use ordinary Linux sockets.

An attack runs in three phases: it sets up its pressure, creates DIR/attack.holding and keeps
the pressure until DIR/attack.stop appears (or --hold seconds pass, or --until-closed and the
appliance closed every connection), then resets what is left and prints its report:
"info KEY VALUE" lines for the test, "ok - " / "not ok - " lines it checked itself.
Every loop is bounded in count and in time.
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import threading
import time

OUR_MAC = bytes.fromhex("024c52000002")
PEER_MAC = bytes.fromhex("024c52000001")
OUR_IP = "198.18.0.2"
PEER_IP = "198.18.0.1"
OUR_IP_B = socket.inet_aton(OUR_IP)
PEER_IP_B = socket.inet_aton(PEER_IP)
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
SPORT_BASE = 20000  # raw connections use 20000-29999 (the test's nftables rule)
HTTP_CLOSE = b"GET / HTTP/1.1\r\nHost: lr\r\nConnection: close\r\n\r\n"


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_frame(proto, payload, ident=0, frag=0x4000):
    """Ethernet + IPv4 (frag: flags and offset field, default DF) + payload."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag,
                      64, proto, 0, PEER_IP_B, OUR_IP_B)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return OUR_MAC + PEER_MAC + b"\x08\x00" + hdr + payload


def tcp_frame(sport, dport, seq, ack, flags, win, payload=b"", opts=b""):
    off = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, flags, win, 0, 0) + opts + payload
    pseudo = struct.pack("!4s4sBBH", PEER_IP_B, OUR_IP_B, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    return ip_frame(6, tcp)


def parse_tcp(frame):
    """(sport, dport, seq, ack, flags, win, payload length) of a TCP frame from the appliance."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    if frame[26:30] != OUR_IP_B or frame[30:34] != PEER_IP_B:
        return None
    ihl = (frame[14] & 0x0F) * 4
    tot = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", frame[t:t + 16])
    return sport, dport, seq, ack, flags, win, tot - ihl - (off >> 4) * 4


def sdiff(a, b):
    """a - b in sequence space (signed 32-bit)."""
    d = (a - b) & 0xFFFFFFFF
    return d - (1 << 32) if d & 0x80000000 else d


class Conn:
    """One raw TCP connection to the appliance, as the peer sees it."""

    def __init__(self, link, sport, dport, policy, win):
        self.link, self.sport, self.dport = link, sport, dport
        self.policy = policy  # "silent": never answer; "zero": answer with window 0
        self.win = win  # advertised after the handshake
        self.isn = random.randrange(1 << 32)
        self.snd_nxt = (self.isn + 1) & 0xFFFFFFFF
        self.rcv_nxt = None
        self.una = self.snd_nxt  # highest ACK the appliance sent
        self.state = "syn"
        self.rx_segs = self.rx_data = self.probes = 0
        self.rst_at = self.fin_at = None

    def send(self, flags, payload=b"", seq=None, win=None):
        self.link.send(tcp_frame(self.sport, self.dport, self.snd_nxt if seq is None else seq,
                                 self.rcv_nxt or 0, flags, self.win if win is None else win,
                                 payload))

    def syn(self, win):
        self.link.send(tcp_frame(self.sport, self.dport, self.isn, 0, SYN, win,
                                 opts=b"\x02\x04\x05\xb4"))

    def on_segment(self, seq, ack, flags, win, plen):
        self.rx_segs += 1
        if flags & RST:
            if self.state != "rst":
                self.rst_at = time.monotonic()
            self.state = "rst"
            return
        if flags & ACK and sdiff(ack, self.una) > 0:
            self.una = ack
        if self.state == "syn" and flags & SYN and flags & ACK:
            self.rcv_nxt = (seq + 1) & 0xFFFFFFFF
            self.state = "est"
            self.send(ACK)
            return
        if self.state == "syn":
            return
        if flags & FIN and self.fin_at is None:
            self.fin_at = time.monotonic()
        self.rx_data += plen
        if self.policy == "zero" and (plen or flags & FIN):
            self.probes += 1  # data into a zero window: a probe; the ACK keeps it closed
            self.send(ACK, win=0)

    def reset(self):
        """RST at the appliance's RCV.NXT (the highest ACK it sent)."""
        if self.state in ("est", "syn"):
            self.send(RST | ACK, seq=self.una)


class Link:
    """The packet socket on the peer's interface and the thread that reads it."""

    def __init__(self, iface):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((iface, ETH_P_IP))
        self.sock.settimeout(0.05)
        self.conns = {}
        self.lock = threading.Lock()
        self.sent = self.send_err = self.rx = 0
        self.running = True
        self.thread = threading.Thread(target=self.reader, daemon=True)
        self.thread.start()

    def send(self, frame):
        with self.lock:
            try:
                self.sock.send(frame)
                self.sent += 1
            except OSError:
                self.send_err += 1

    def reader(self):
        while self.running:
            try:
                frame, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            seg = parse_tcp(frame)
            if seg is None:
                continue
            self.rx += 1
            conn = self.conns.get((seg[1], seg[0]))
            if conn is not None:
                conn.on_segment(*seg[2:])

    def close(self):
        self.running = False
        self.thread.join(1)
        self.sock.close()


def paced(link, frames, pps, deadline):
    """Send frames at about pps per second; stop at the deadline. Returns frames sent."""
    t0 = time.monotonic()
    for i, f in enumerate(frames):
        if time.monotonic() > deadline:
            return i
        link.send(f)
        if i % 32 == 31:
            ahead = t0 + (i + 1) / pps - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    return len(frames)


def open_conns(link, n, dport, policy, win, syn_win=65535, sport0=SPORT_BASE, timeout=8.0,
               quiet=False):
    """Open n raw connections (SYNs in batches of 16, each retried every second)."""
    conns = []
    for i in range(n):
        c = Conn(link, sport0 + i, dport, policy, win)
        link.conns[(c.sport, dport)] = c
        conns.append(c)
    deadline = time.monotonic() + timeout
    for b in range(0, n, 16):
        batch = conns[b:b + 16]
        tries = 0
        while time.monotonic() < deadline and tries < 8:
            wait = [c for c in batch if c.state == "syn"]
            if not wait:
                break
            for c in wait:
                c.syn(syn_win)
            tries += 1
            t = time.monotonic() + 1.0
            while time.monotonic() < t and any(c.state == "syn" for c in wait):
                time.sleep(0.01)
    est = [c for c in conns if c.state == "est"]
    if quiet:
        return est
    info("established", len(est))
    info("refused", sum(c.state == "rst" for c in conns))
    info("unanswered", sum(c.state == "syn" for c in conns))
    return est


def info(key, value):
    print("info %s %s" % (key, value), flush=True)


def result(good, text):
    print("%s - %s" % ("ok" if good else "not ok", text), flush=True)


def holding(args, start_t, until=None):
    """Announce the pressure, then hold it until stop, --hold seconds, or until() is true."""
    open(os.path.join(args.dir, "attack.holding"), "w").close()
    info("setup_s", "%.1f" % (time.monotonic() - start_t))
    end = time.monotonic() + args.hold
    stop = os.path.join(args.dir, "attack.stop")
    while time.monotonic() < end and not os.path.exists(stop):
        if until is not None and until():
            return True
        time.sleep(0.1)
    return until is not None and until()


def finish(link, conns, settle=0.3):
    """Reset every connection still open. A connection that answers the RST (a challenge ACK:
    the RST missed RCV.NXT) gets a second one at the ACK it drew."""
    time.sleep(settle)
    live = [c for c in conns if c.state == "est"]
    seen = {c: c.rx_segs for c in live}
    for c in live:
        c.reset()
    time.sleep(0.3)
    again = [c for c in live if c.state == "est" and c.rx_segs > seen[c]]
    for c in again:
        c.reset()
    info("reset_by_peer", len(live))
    info("reset_twice", len(again))
    info("frames_sent", link.sent)
    info("frames_rx", link.rx)
    link.close()


# ---- the attacks ------------------------------------------------------------------------


def attack_ooo(args):
    """Connections to echo, each sent --segs 1-byte segments beyond a hole never filled, one
    every --gap bytes (2: no two adjacent, so that none can share another's buffer)."""
    t0 = time.monotonic()
    link = Link(args.iface)
    conns = open_conns(link, args.conns, 7, "silent", 65535)
    frames = [tcp_frame(c.sport, c.dport, c.snd_nxt + 1 + k * args.gap, c.rcv_nxt, ACK | PSH,
                        65535, b"o")
              for k in range(args.segs) for c in conns]
    sent = paced(link, frames, args.pps, time.monotonic() + args.hold)
    info("ooo_segments_sent", sent)
    time.sleep(0.5)
    holding(args, t0)
    finish(link, conns)


def attack_zwnd(args):
    """One connection to echo advertising a zero window: --bulk bytes in full segments fill
    the echo's send buffer, then --segs in-order 1-byte segments.

    The echoes cannot leave, so everything the appliance accepts it must hold. When the
    appliance stops acknowledging, the sender goes back to its last ACK (a persistent attacker
    refills whatever room it frees) instead of running off beyond the window."""
    t0 = time.monotonic()
    link = Link(args.iface)
    conns = open_conns(link, 1, 7, "zero", 0)
    if not conns:
        result(False, "zero-window connection to echo established")
        return finish(link, [])
    c = conns[0]
    deadline = time.monotonic() + args.hold
    for _ in range(0, args.bulk, 1400):
        c.send(ACK | PSH, b"Z" * 1400, win=0)
        c.snd_nxt = (c.snd_nxt + 1400) & 0xFFFFFFFF
        time.sleep(0.001)
    time.sleep(0.3)
    info("bulk_bytes_acked", sdiff(c.una, c.isn + 1))
    c.snd_nxt = c.una
    sent = rewinds = 0
    while sent < args.segs and time.monotonic() < deadline:
        if sdiff(c.snd_nxt, c.una) > 256:
            c.snd_nxt = c.una
            rewinds += 1
            time.sleep(0.02)
        for _ in range(16):
            c.send(ACK | PSH, b"z", win=0)
            c.snd_nxt = (c.snd_nxt + 1) & 0xFFFFFFFF
            sent += 1
        time.sleep(0.004)
    time.sleep(0.5)
    info("tiny_segments_sent", sent)
    info("rewinds", rewinds)
    info("bytes_acked", sdiff(c.una, c.isn + 1))
    info("probes_answered", c.probes)
    holding(args, t0)
    info("probes_answered_end", c.probes)
    finish(link, conns)


def attack_frag(args):
    """A stream of datagrams that never complete, distinct IDs: each its first fragment (MF,
    offset 0) and --per - 1 more MF fragments after it, never the last one."""
    t0 = time.monotonic()
    link = Link(args.iface)
    udp = struct.pack("!HHHH", 40000, 7, 8 + (args.per + 1) * args.size, 0)
    udp += b"f" * (args.size - 8)
    step = args.size // 8
    deadline = time.monotonic() + args.hold
    stop = os.path.join(args.dir, "attack.stop")
    sent = 0
    announced = False
    ident = random.randrange(1 << 16)
    while sent < args.count and time.monotonic() < deadline and not os.path.exists(stop):
        batch = [ip_frame(17, udp if k == 0 else b"g" * args.size, ident + i,
                          frag=0x2000 | k * step)
                 for i in range(256 // args.per) for k in range(args.per)]
        ident += 256 // args.per
        sent += paced(link, batch, args.pps, deadline)
        if not announced and time.monotonic() - t0 >= args.warm:
            open(os.path.join(args.dir, "attack.holding"), "w").close()
            info("setup_s", "%.1f" % (time.monotonic() - t0))
            announced = True
    info("fragments_sent", sent)
    if not announced:
        holding(args, t0)
    link.close()


def attack_zwhold(args):
    """Connections to chargen that advertise a zero window forever (probes answered)."""
    t0 = time.monotonic()
    link = Link(args.iface)
    conns = open_conns(link, args.conns, 19, "zero", 0, syn_win=args.syn_win)
    holding(args, t0, until=lambda: all(c.state != "est" for c in conns))
    now = time.monotonic()
    dropped = [c for c in conns if c.state == "rst"]
    info("dropped_by_appliance", len(dropped))
    if dropped:
        info("drop_after_s", "%.1f" % (max(c.rst_at for c in dropped) - t0))
    info("probes_answered", sum(c.probes for c in conns))
    info("bytes_offered", sum(c.rx_data for c in conns))
    info("hold_s", "%.1f" % (now - t0))
    finish(link, conns)


def attack_nofin(args):
    """HTTP requests with Connection: close, then silence: the appliance's response and FIN
    are never acknowledged (FIN_WAIT_1 with data in flight, an orphan)."""
    t0 = time.monotonic()
    link = Link(args.iface)
    conns = open_conns(link, args.conns, 80, "silent", 65535)
    for c in conns:
        c.send(ACK | PSH, HTTP_CLOSE)
        c.snd_nxt = (c.snd_nxt + len(HTTP_CLOSE)) & 0xFFFFFFFF
    time.sleep(1.0)
    info("responses_seen", sum(c.rx_data > 0 for c in conns))
    info("fins_seen", sum(c.fin_at is not None for c in conns))
    holding(args, t0, until=lambda: all(c.state != "est" for c in conns))
    gone = [c for c in conns if c.state == "rst"]
    info("reset_by_appliance", len(gone))
    if gone:
        info("last_reset_s", "%.1f" % (max(c.rst_at for c in gone) - t0))
    finish(link, conns)


def attack_lastack(args):
    """Echo connections that send one byte and FIN, then forget the connection: the appliance
    echoes, sends its FIN and waits in LAST_ACK for an ACK that never comes."""
    t0 = time.monotonic()
    link = Link(args.iface)
    conns = []
    for b in range(0, args.conns, 16):
        batch = open_conns(link, min(16, args.conns - b), 7, "silent", 65535,
                           sport0=SPORT_BASE + b, timeout=4.0, quiet=True)
        for c in batch:
            c.send(ACK | PSH | FIN, b"L")
            c.snd_nxt = (c.snd_nxt + 2) & 0xFFFFFFFF
        conns += batch
    info("forgotten", len(conns))
    info("not_established", args.conns - len(conns))
    time.sleep(0.5)
    info("fins_seen", sum(c.fin_at is not None for c in conns))
    holding(args, t0)
    info("reset_by_appliance", sum(c.state == "rst" for c in conns))
    finish(link, conns)


def attack_slowloris(args):
    """--conns HTTP connections that send one header byte every --interval seconds and as many
    to --idle-port that send nothing; the appliance must close them (FIN or RST) by its
    timeouts."""
    t0 = time.monotonic()
    head = b"GET / HTTP/1.1\r\nHost: lr\r\nX-a: " + b"b" * 4000
    socks, born, closed = [], {}, {}
    for i in range(2 * args.conns):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((OUR_IP, 80 if i < args.conns else args.idle_port))
        except OSError as e:
            info("connect_failed", "%d %s" % (i, type(e).__name__))
            s.close()
            continue
        s.setblocking(False)
        socks.append((s, i < args.conns))
        born[s] = time.monotonic()
    info("connected", len(socks))
    pos = {s: 0 for s, _ in socks}
    next_t = time.monotonic()

    def poll():
        nonlocal next_t
        live = [s for s, _ in socks if s not in closed]
        r, _, _ = select.select(live, [], [], 0.05) if live else ([], [], [])
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed[s] = time.monotonic() - born[s]
        if time.monotonic() >= next_t:
            next_t += args.interval
            for s, slow in socks:
                if slow and s not in closed and pos[s] < len(head):
                    try:
                        s.send(head[pos[s]:pos[s] + 1])
                        pos[s] += 1
                    except OSError:
                        closed[s] = time.monotonic() - born[s]
        return len(closed) == len(socks)

    open(os.path.join(args.dir, "attack.holding"), "w").close()
    end = time.monotonic() + args.hold
    while time.monotonic() < end and not poll():
        pass
    slow = [closed[s] for s, sl in socks if sl and s in closed]
    idle = [closed[s] for s, sl in socks if not sl and s in closed]
    info("slow_closed", "%d/%d" % (len(slow), sum(sl for _, sl in socks)))
    info("idle_closed", "%d/%d" % (len(idle), sum(not sl for _, sl in socks)))
    info("slow_closed_max_s", "%.1f" % max(slow or [0]))
    info("idle_closed_max_s", "%.1f" % max(idle or [0]))
    info("slow_bytes_sent_max", max(pos.values() or [0]))
    info("hold_s", "%.1f" % (time.monotonic() - t0))
    for s, _ in socks:
        s.close()


def attack_twfill(args):
    """Sequential HTTP requests with Connection: close, until DIR/attack.stop, --conns or
    --hold seconds: the appliance closes first, so each leaves a TIME_WAIT behind; every one
    must be served. Holds (for the test's checks) after --warm seconds; gives up after 10
    failures in a row."""
    t0 = time.monotonic()
    ok = fail = row = 0
    errors = {}
    flag = os.path.join(args.dir, "attack.holding")
    stop = os.path.join(args.dir, "attack.stop")
    deadline = time.monotonic() + args.hold
    for i in range(args.conns):
        if time.monotonic() > deadline or row >= 10 or (i % 16 == 0 and os.path.exists(stop)):
            break
        err = http_close_request()
        if err is None:
            ok += 1
            row = 0
        else:
            fail += 1
            row += 1
            errors[err] = errors.get(err, 0) + 1
        if time.monotonic() - t0 >= args.warm and not os.path.exists(flag):
            open(flag, "w").close()
    info("served", ok)
    info("failed", fail)
    info("errors", ",".join("%s:%d" % kv for kv in errors.items()) or "none")
    info("elapsed_s", "%.1f" % (time.monotonic() - t0))
    open(flag, "w").close()


def http_close_request():
    """One GET with Connection: close on a new connection; None if a 200 came back."""
    try:
        with socket.create_connection((OUR_IP, 80), timeout=2) as s:
            s.sendall(HTTP_CLOSE)
            data = b""
            while len(data) < 1 << 16:
                b = s.recv(4096)
                if not b:
                    break
                data += b
    except OSError as e:
        return type(e).__name__
    return None if data.startswith(b"HTTP/1.1 200") else "bad answer"


# ---- liveness -----------------------------------------------------------------------------


def keeper(args):
    """An echo connection opened before the attack. For each DIR/keep.req.N it sends one line
    and writes DIR/keep.res.N: "ok" once every line sent so far came back, else why not (a
    late echo still counts at the next request). If the appliance closes or resets it, the
    next requests say so and open a new connection, which is not the existing one."""
    try:
        s = socket.create_connection((OUR_IP, 7), timeout=5)
    except OSError as e:
        open(os.path.join(args.dir, "keep.res.0"), "w").write("connect: %s\n" % e)
        return
    open(os.path.join(args.dir, "keep.port"), "w").write("%d\n" % s.getsockname()[1])
    open(os.path.join(args.dir, "keep.res.0"), "w").write("ok\n")
    end = time.monotonic() + args.hold
    n, want, lost, beat = 1, b"", None, time.monotonic()
    while time.monotonic() < end:
        req = os.path.join(args.dir, "keep.req.%d" % n)
        if not os.path.exists(req):
            time.sleep(0.05)
            if s is not None and time.monotonic() - beat > 1.0:
                s, lost, want = keeper_beat(s, lost, want, 2.0)
                beat = time.monotonic()
            continue
        beat = time.monotonic()
        if s is None:
            try:
                s = socket.create_connection((OUR_IP, 7), timeout=3)
            except OSError:
                pass
            want = b""
        if s is not None:
            line = ("keep %d %s\n" % (n, "k" * 100)).encode()
            want += line
            res, got = keeper_round(s, line, len(want), args.timeout)
            if res == "ok" and got != want:
                res = "echo differs"
            want = want[len(got):]
            if res != "ok" and not res.startswith("timed out"):
                s.close()
                s, lost = None, res
        else:
            res = "no connection"
        if lost is not None:
            res = "the existing connection was lost (%s)" % lost
        open(os.path.join(args.dir, "keep.res.%d" % n), "w").write(res + "\n")
        n += 1


def keeper_beat(s, lost, want, timeout):
    """A line a second between requests, so that idle timeouts leave the keeper alone."""
    line = b"beat\n"
    want += line
    res, got = keeper_round(s, line, len(want), timeout)
    want = want[len(got):]
    if res != "ok" and not res.startswith("timed out"):
        s.close()
        return None, res, b""
    return s, lost, want


def keeper_round(s, line, want, timeout):
    """Send line, read until want bytes came back: (result, the bytes read)."""
    got = b""
    try:
        s.settimeout(timeout)
        s.sendall(line)
        while len(got) < want:
            b = s.recv(want - len(got))
            if not b:
                return "closed by the appliance", got
            got += b
    except socket.timeout:
        return "timed out with %d of %d bytes back" % (len(got), want), got
    except OSError as e:
        return "%s: %s" % (type(e).__name__, e), got
    return "ok", got


def probe(args):
    """UDP echo or a fresh TCP echo connection; exit status 0 if the echo came back."""
    msg = ("probe %s %d" % (args.kind, random.randrange(1 << 30))).encode()
    end = time.monotonic() + args.timeout
    err = "no answer"
    while time.monotonic() < end:
        try:
            if args.kind == "udp":
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.settimeout(1)
                    s.sendto(msg, (OUR_IP, 7))
                    if s.recvfrom(2048)[0] == msg:
                        return 0
            else:
                with socket.create_connection((OUR_IP, 7), timeout=3) as s:
                    s.settimeout(3)
                    s.sendall(msg)
                    got = b""
                    while len(got) < len(msg):
                        b = s.recv(4096)
                        if not b:
                            break
                        got += b
                    if got == msg:
                        return 0
                    err = "echo gave %r" % got
        except OSError as e:
            err = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.2)
    print("%s echo: %s" % (args.kind, err))
    return 1


ATTACKS = {
    "ooo": attack_ooo, "zwnd": attack_zwnd, "frag": attack_frag, "zwhold": attack_zwhold,
    "nofin": attack_nofin, "lastack": attack_lastack, "slowloris": attack_slowloris,
    "twfill": attack_twfill, "keeper": keeper,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=sorted(ATTACKS) + ["probe"])
    p.add_argument("--iface")
    p.add_argument("--dir", default="/tmp")
    p.add_argument("--conns", type=int, default=36)
    p.add_argument("--segs", type=int, default=200)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--size", type=int, default=256, help="fragment payload, 8n bytes (frag)")
    p.add_argument("--per", type=int, default=1, help="fragments per datagram (frag)")
    p.add_argument("--idle-port", type=int, default=9, help="idle connections (slowloris)")
    p.add_argument("--gap", type=int, default=2, help="bytes between segments (ooo)")
    p.add_argument("--warm", type=float, default=3, help="seconds before holding (frag, twfill)")
    p.add_argument("--bulk", type=int, default=0, help="bytes in full segments first (zwnd)")
    p.add_argument("--pps", type=float, default=5000)
    p.add_argument("--syn-win", type=int, default=65535)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--hold", type=float, default=30, help="seconds at most (every phase)")
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--kind", choices=["udp", "tcp"], default="udp")
    p.add_argument("--seed", type=int, default=9)
    args = p.parse_args()
    random.seed(args.seed)
    if args.what == "probe":
        return probe(args)
    ATTACKS[args.what](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
