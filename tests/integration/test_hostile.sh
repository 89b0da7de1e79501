#!/usr/bin/env bash
# Hostile input on net_tap: malformed Ethernet/ARP/IPv4/ICMP/UDP frames, bad checksums,
# overlapping and oversized fragments, random garbage, sent with scapy from the peer
# namespace. Each malformation must land in its own drop counter; afterwards the appliance
# still answers and the mbuf pool is back where it was (no leak). A TCP SYN to the subnet
# broadcast is dropped silently; a fragmented UDP datagram whose UDP length is shorter
# than the IP payload is echoed with the bytes the UDP length covers.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init hostile
require root tun hugepages netns binaries cmd:ping pymod:scapy || lr_done
start_linerate || lr_done
peer_setup || lr_done

out=$(nsx timeout 10 ping -c 2 -i 0.3 -W 3 "$LR_OUR_IP" 2>&1)
check_grep "ping before the hostile traffic" ' 0% packet loss' "$out"

stats_snapshot "$LR_TMP/base.json"
base_in_use=$(stat_get mempool.in_use "$LR_TMP/base.json")
if [[ ! $base_in_use =~ ^[0-9]+$ ]]; then
	not_ok "linerate-ctl --json stats has mempool.in_use (needed for the leak check)"
fi

# Each case: sends N frames, then compares counters. Output: ok/not ok lines.
run_cases() {
	nsx timeout 240 "$PY" -u - "$LR_IF" "$LINERATE_CTL" "$LR_SOCK" <<'PYEOF'
import json, random, subprocess, sys, time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
import socket
from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, conf, fragment, sendp

iface, ctl, sock = sys.argv[1:4]
conf.verb = 0
OUR_MAC, PEER_MAC = "02:4c:52:00:00:02", "02:4c:52:00:00:01"
OUR_IP, PEER_IP = "198.18.0.2", "198.18.0.1"
N = 5

def stats():
    out = subprocess.run([ctl, "--socket", sock, "--json", "stats"], capture_output=True,
                         timeout=10, check=True).stdout
    return json.loads(out)

def get(s, key):
    for part in key.split("."):
        s = s.get(part, {}) if isinstance(s, dict) else {}
    return s if isinstance(s, int) else None

def eth(**kw):
    return Ether(dst=kw.pop("dst", OUR_MAC), src=PEER_MAC, **kw)

def ip(**kw):
    kw.setdefault("src", PEER_IP)
    kw.setdefault("dst", OUR_IP)
    return eth() / IP(**kw)

def raw_ip(hdr_fields, payload=b""):
    """Ethernet + a hand-made IPv4 header (bytes) so that any field can be wrong."""
    return eth(type=0x0800) / Raw(bytes(hdr_fields) + payload)

def cksum(b):
    s = 0
    for i in range(0, len(b), 2):
        s += (b[i] << 8) + (b[i + 1] if i + 1 < len(b) else 0)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ihl4():
    # version 4, IHL 4 (16 bytes), total length 28, proto UDP; checksum valid over the
    # 16 bytes the header claims.
    h = bytearray(bytes(IP(src=PEER_IP, dst=OUR_IP, proto=17, len=28, ihl=5))[:20])
    h[0] = 0x44
    h[10:12] = b"\0\0"
    h[10:12] = cksum(bytes(h[:16])).to_bytes(2, "big")
    return raw_ip(h, b"\0" * 8)

def bad_ip_cksum():
    p = IP(bytes(IP(src=PEER_IP, dst=OUR_IP) / UDP(dport=9) / Raw(b"x" * 20)))
    p.chksum ^= 0x5555
    return eth() / p

def bad_udp_cksum():
    p = IP(bytes(IP(src=PEER_IP, dst=OUR_IP) / UDP(dport=9) / Raw(b"x" * 20)))
    p[UDP].chksum ^= 0x5555
    return eth() / p

def bad_icmp_cksum():
    p = IP(bytes(IP(src=PEER_IP, dst=OUR_IP) / ICMP(type=8) / Raw(b"x" * 20)))
    p[ICMP].chksum ^= 0x5555
    return eth() / p

def overlap(ident):
    # Fragment 1: bytes 0..23 (MF); fragment 2: bytes 8..31 (last): they overlap.
    pay = bytes(UDP(sport=1000, dport=7, len=32, chksum=0) / Raw(b"o" * 24))
    return [ip(id=ident, proto=17, flags="MF", frag=0) / Raw(pay[:24]),
            ip(id=ident, proto=17, flags=0, frag=1) / Raw(pay[8:32])]

def oversized(ident):
    # A fragment whose end lies beyond 65535 bytes (offset 65528 + 100 bytes).
    return [ip(id=ident, proto=17, flags=0, frag=8191) / Raw(b"z" * 100)]

cases = [
    # name, counters that must rise by exactly N, frame builder
    ("IPv4 shorter than 20 bytes", ["ip.truncated"], lambda i: eth(type=0x0800) / Raw(b"\x45\x00\x00")),
    ("IPv4 bad header checksum", ["ip.bad_cksum"], lambda i: bad_ip_cksum()),
    ("IPv4 version 6 in an IPv4 frame", ["ip.bad_version"], lambda i: ip(version=6) / UDP(dport=9) / Raw(b"v" * 8)),
    ("IPv4 IHL 4 (< 5)", ["ip.bad_ihl"], lambda i: ihl4()),
    ("IPv4 total length 10 (< header)", ["ip.bad_totlen"], lambda i: ip(len=10) / UDP(dport=9) / Raw(b"t" * 8)),
    ("IPv4 total length beyond the frame", ["ip.totlen_beyond_frame"], lambda i: ip(len=1000) / UDP(dport=9) / Raw(b"b" * 20)),
    ("IPv4 multicast source", ["ip.bad_src"], lambda i: ip(src="224.0.0.5") / UDP(dport=9) / Raw(b"m" * 8)),
    ("IPv4 loopback source", ["ip.bad_src"], lambda i: ip(src="127.0.0.1") / UDP(dport=9) / Raw(b"l" * 8)),
    ("IPv4 our own address as source", ["ip.bad_src"], lambda i: ip(src=OUR_IP) / UDP(dport=9) / Raw(b"o" * 8)),
    ("IPv4 for another address", ["ip.not_for_us"], lambda i: ip(dst="198.18.0.99") / UDP(dport=9) / Raw(b"n" * 8)),
    ("IPv4 unknown protocol 253", ["ip.unknown_proto"], lambda i: ip(proto=253) / Raw(b"p" * 8)),
    ("ICMP shorter than its header", ["icmp.truncated"], lambda i: ip(proto=1) / Raw(b"\x08\x00")),
    ("ICMP bad checksum", ["icmp.bad_cksum"], lambda i: bad_icmp_cksum()),
    ("ICMP timestamp request (unhandled type)", ["icmp.unhandled_type"], lambda i: ip() / ICMP(type=13) / Raw(b"\0" * 12)),
    ("UDP shorter than its header", ["udp.truncated"], lambda i: ip(proto=17) / Raw(b"\x00\x07\x00")),
    ("UDP length beyond the IP payload", ["udp.bad_len"], lambda i: ip() / UDP(dport=9, len=200) / Raw(b"u" * 20)),
    ("UDP length below 8", ["udp.bad_len"], lambda i: ip() / UDP(dport=9, len=5) / Raw(b"u" * 20)),
    ("UDP bad checksum", ["udp.bad_cksum"], lambda i: bad_udp_cksum()),
    ("ARP shorter than its header", ["arp.truncated"], lambda i: eth(type=0x0806) / Raw(b"\x00\x01\x08\x00\x06\x04")),
    ("ARP hardware type 6", ["arp.bad_format"], lambda i: eth() / ARP(hwtype=6, op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=OUR_IP)),
    ("ARP operation 7", ["arp.bad_op"], lambda i: eth() / ARP(op=7, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=OUR_IP)),
    ("ARP multicast sender MAC", ["arp.bad_sender"], lambda i: eth() / ARP(op=1, hwsrc="01:00:5e:00:00:01", psrc=PEER_IP, pdst=OUR_IP)),
    ("ARP for another address", ["arp.not_for_us"], lambda i: eth(dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst="198.18.0.77")),
    ("Ethernet for another MAC", ["eth.not_for_us"], lambda i: eth(dst="02:00:00:00:00:99") / IP(src=PEER_IP, dst=OUR_IP) / UDP(dport=9)),
    ("Ethernet unknown EtherType 0x88b5", ["eth.unknown_type"], lambda i: eth(type=0x88b5) / Raw(b"e" * 46)),
    ("oversized fragment (ends beyond 65535)", ["ip.frag_too_big"], lambda i: oversized(4000 + i)),
    ("TCP SYN to the subnet broadcast (RFC 1122 4.2.3.10)", ["tcp.not_unicast"],
     lambda i: eth(dst="ff:ff:ff:ff:ff:ff") / IP(src=PEER_IP, dst="198.18.0.255") / TCP(sport=40000 + i, dport=80, flags="S")),
]

results = []
for name, counters, build in cases:
    before = stats()
    for i in range(N):
        f = build(i)
        sendp(f if isinstance(f, list) else [f], iface=iface)
    time.sleep(0.3)
    after = stats()
    for c in counters:
        a, b = get(before, c), get(after, c)
        if a is None or b is None:
            print("not ok - %s: counter %s missing from stats" % (name, c))
        elif b - a == N:
            print("ok - %s -> %s +%d" % (name, c, N))
        else:
            print("not ok - %s: %s rose by %d, want %d" % (name, c, b - a, N))
    # Nothing must be answered: no echo reply or UDP reply sent because of these.
    for c in ("icmp.tx_echo_reply", "udp.tx", "tcp.rst_tx"):
        if get(after, c) != get(before, c):
            print("not ok - %s: the appliance answered (%s)" % (name, c))

# Overlapping fragments: counted as fragments, never reassembled into a datagram.
before = stats()
for i in range(N):
    sendp(overlap(3000 + i), iface=iface)
time.sleep(0.3)
after = stats()
d = lambda c: (get(after, c) or 0) - (get(before, c) or 0)
print(("ok - " if d("ip.frag_rx") == 2 * N else "not ok - ")
      + "overlapping fragments counted as received (ip.frag_rx +%d, want %d)" % (d("ip.frag_rx"), 2 * N))
print(("ok - " if d("ip.reassembled") == 0 and d("udp.echo_rx") == 0 else "not ok - ")
      + "overlapping fragments are not reassembled (ip.reassembled +%d, udp.echo_rx +%d)"
      % (d("ip.reassembled"), d("udp.echo_rx")))
# A datagram in 2 fragments whose UDP length (108) is shorter than the IP payload (1508):
# the echo service must answer with the 100 bytes the UDP header covers, not with the
# whole reassembled chain. The reply goes to a real socket in the peer namespace.
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((PEER_IP, 0))
rx.settimeout(3)
sport = rx.getsockname()[1]
payload = bytes(i % 251 for i in range(1500))
dgram = IP(src=PEER_IP, dst=OUR_IP, id=5150, proto=17) / Raw(
    bytes(UDP(sport=sport, dport=7, len=108, chksum=0)) + payload)
sendp([eth() / f for f in fragment(dgram, fragsize=1000)], iface=iface)
try:
    data, _ = rx.recvfrom(4096)
    print(("ok - " if data == payload[:100] else "not ok - ")
          + "fragmented UDP with UDP length < IP payload: echo carries the %d bytes the UDP "
          "length covers (got %d)" % (100, len(data)))
except socket.timeout:
    print("not ok - fragmented UDP with UDP length < IP payload: no echo within 3 s")
rx.close()
# Random garbage: 400 frames, seeded so that a failure can be replayed.
rng = random.Random(20240601)
frames = []
for _ in range(400):
    kind = rng.randrange(4)
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 120)))
    dst = OUR_MAC if kind < 3 else "ff:ff:ff:ff:ff:ff"
    etype = [0x0800, 0x0806, rng.randrange(0x0600, 0x10000), 0x0800][kind]
    if etype == 0x0800 and kind == 3:
        # IPv4 header with random fields after a plausible first byte.
        body = bytes([0x45]) + body
    frames.append(Ether(dst=dst, src=PEER_MAC, type=etype) / Raw(body))
before = stats()
sendp(frames, iface=iface)
time.sleep(0.5)
after = stats()
print(("ok - " if d("eth.rx") >= 400 else "not ok - ")
      + "400 random garbage frames received (eth.rx +%d)" % d("eth.rx"))
PYEOF
}

while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "    # $line" ;;
	esac
done < <(run_cases 2>&1)

stats_snapshot "$LR_TMP/after.json"
for c in eth.rx ip.frag_rx ip.frag_bad ip.frag_too_big ip.frag_timeout; do
	note "$c +$(delta "$c" "$LR_TMP/base.json" "$LR_TMP/after.json")"
done

# Still alive and answering, including fragmented datagrams.
out=$(nsx timeout 10 ping -c 3 -i 0.2 -W 2 "$LR_OUR_IP" 2>&1)
check_grep "ping after the hostile traffic: 0% loss" ' 0% packet loss' "$out"
out=$(nsx timeout 10 ping -c 2 -i 0.2 -W 2 -M dont -s 2972 "$LR_OUR_IP" 2>&1)
check_grep "3000-byte ping after the hostile traffic: 0% loss" ' 0% packet loss' "$out"
out=$(ctl arp 2>&1)
check_grep "ARP entry for the peer still has the peer's MAC" "$LR_PEER_MAC" "$out"

# No mbuf leaked: incomplete datagrams are freed by the fragment timeout, so poll for
# up to 40 s until the pool is back to its in-use count from before.
if [[ $base_in_use =~ ^[0-9]+$ ]]; then
	now=
	for ((i = 0; i < 80; i++)); do
		now=$(stat_get mempool.in_use)
		[[ $now == "$base_in_use" ]] && break
		sleep 0.5
	done
	check_eq "no mbuf leaked (mempool.in_use back to $base_in_use)" "$base_in_use" "$now"
	stats_snapshot "$LR_TMP/end.json"
	fb=$(delta ip.frag_bad "$LR_TMP/base.json" "$LR_TMP/end.json")
	ft=$(delta ip.frag_timeout "$LR_TMP/base.json" "$LR_TMP/end.json")
	check_ge "overlapping datagrams dropped with a reason (ip.frag_bad $fb + ip.frag_timeout $ft)" \
		"$((${fb:-0} + ${ft:-0}))" 5
fi

lr_done
