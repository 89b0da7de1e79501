#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""802.1Q sub-interfaces in user space, for kernels built without CONFIG_VLAN_8021Q
(where `ip link add link TRUNK name vlID type vlan id ID` says "Unknown device type").

    vlan_peer.py TRUNK MAC ID...

For each ID, a TAP device vlID (MAC as given, like a Linux VLAN device takes its
parent's) is bridged to TRUNK: what the Linux stack sends on vlID leaves TRUNK with an
802.1Q tag ID; what arrives on TRUNK tagged ID (the tag in the frame, or in the packet
socket's auxiliary data when the kernel took it off) enters vlID untagged. Untagged
frames and other VLANs are left to the kernel. Prints "ready" once the devices exist;
runs until killed (the devices go with it).
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
SIOCSIFHWADDR = 0x8924
ETH_P_ALL, ETH_P_8021Q = 0x0003, 0x8100
SOL_PACKET, PACKET_AUXDATA = 263, 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def tap(name, mac):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    hw = bytes(int(b, 16) for b in mac.split(":"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fcntl.ioctl(s, SIOCSIFHWADDR, struct.pack("16sH6s8x", name.encode(), 1, hw))
    s.close()
    return fd


def vlan_of(data, anc):
    """(vid, untagged frame) of a received frame, vid None if untagged."""
    for level, kind, cdata in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
            status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                return tci & 0xFFF, data
    if len(data) >= 18 and struct.unpack("!H", data[12:14])[0] == ETH_P_8021Q:
        return struct.unpack("!H", data[14:16])[0] & 0xFFF, data[:12] + data[16:]
    return None, data


def main():
    trunk, mac, vids = sys.argv[1], sys.argv[2], [int(v) for v in sys.argv[3:]]
    taps = {vid: tap("vl%d" % vid, mac) for vid in vids}
    by_fd = {fd: vid for vid, fd in taps.items()}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((trunk, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([s] + list(by_fd), [], [])
        for r in ready:
            if r is s:
                data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(32))
                if addr[2] == PACKET_OUTGOING:
                    continue
                vid, frame = vlan_of(data, anc)
                if vid in taps:
                    os.write(taps[vid], frame)
            else:
                frame = os.read(r, 65535)
                tag = struct.pack("!HH", ETH_P_8021Q, by_fd[r])
                s.send(frame[:12] + tag + frame[12:])


if __name__ == "__main__":
    main()
