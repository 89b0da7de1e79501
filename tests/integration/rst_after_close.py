#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""rst_after_close.py OUR_IPS...  (tcpdump -nn -tt -S text on stdin)

Prints "RSTS LATE": RST segments sent from one of OUR_IPS, and how many of them came
after the connection they name had closed: our FIN sent and acknowledged by the peer
before the RST (a late duplicate segment of that connection, reordered on its way to
us, answered from a closed port as RFC 9293 §3.10.7.1 says). The others are printed
to stderr.
"""
import re
import sys

LINE = re.compile(r"^(\d+\.\d+) IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): "
                  r"Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?")


def main():
    ours = set(sys.argv[1:])
    fin_end = {}      # (our, oport, peer, pport) -> sequence number after our FIN
    closed = set()    # connections whose FIN the peer acknowledged
    rsts = late = 0
    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        _, src, sport, dst, dport, flags, seq, seq_end, ack = m.groups()
        if src in ours:
            key = (src, sport, dst, dport)
            if "R" in flags:
                rsts += 1
                if key in closed:
                    late += 1
                else:
                    sys.stderr.write("RST before its connection closed: " + line)
            elif "F" in flags and seq is not None:
                fin_end[key] = (int(seq_end or seq) + 1) & 0xFFFFFFFF
        elif dst in ours:
            key = (dst, dport, src, sport)
            if "S" in flags:
                fin_end.pop(key, None)
                closed.discard(key)   # a new incarnation of the tuple
            elif ack is not None and key in fin_end and \
                    (int(ack) - fin_end[key]) & 0xFFFFFFFF < 0x80000000:
                closed.add(key)
    print(rsts, late)


if __name__ == "__main__":
    main()
