#!/usr/bin/env bash
# Packet capture (issue #12 item 3): Debian's dpdk-dumpcap attaches to the running
# appliance (a DPDK secondary process on its [eal] file_prefix; linerate initialised
# rte_pdump) and writes what the port receives and sends as pcapng; tcpdump reads the
# file back and finds a ping and a TCP echo exchange in both directions.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init capture
require root tun hugepages netns binaries cmd:ping cmd:tcpdump cmd:socat cmd:dpdk-dumpcap ||
	lr_done
# capture needs the shared EAL config, so not in_memory (the prefix is this run's own)
start_linerate --set eal.in_memory=no --set app.capture=yes || lr_done
peer_setup || lr_done
check_grep "linerate names the dumpcap command with its file prefix" \
	"capture: dpdk-dumpcap --file-prefix=$LR_PREFIX" "$(cat "$LR_TMP/stdout")"
nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP" >/dev/null 2>&1 # ARP resolved before capturing

PCAP=$LR_TMP/cap.pcapng
timeout 60 dpdk-dumpcap --file-prefix="$LR_PREFIX" -i net_tap0 -w "$PCAP" \
	>"$LR_TMP/dumpcap.out" 2>&1 </dev/null &
DUMPCAP=$!
for ((i = 0; i < 100; i++)); do # dumpcap counts "Packets captured" once its callbacks are on
	grep -q "Packets captured" "$LR_TMP/dumpcap.out" 2>/dev/null && break
	kill -0 "$DUMPCAP" 2>/dev/null || break
	sleep 0.1
done
check_grep "dpdk-dumpcap attaches to linerate" "Packets captured" \
	"$(tr '\r' '\n' <"$LR_TMP/dumpcap.out")"

out=$(nsx timeout 20 ping -c 3 -i 0.2 -W 2 -p c0ffee "$LR_OUR_IP" 2>&1)
check_grep "ping while capturing: 3 received" '3 packets transmitted, 3 received' "$out"
reply=$(printf 'linerate-capture-%s\n' "$LR_PREFIX" |
	nsx timeout 10 socat -t 2 - "TCP:$LR_OUR_IP:7" 2>&1)
check_eq "TCP echo while capturing" "linerate-capture-$LR_PREFIX" "$reply"
sleep 0.5 # the last frames reach dumpcap's ring

kill -INT "$DUMPCAP" 2>/dev/null
for ((i = 0; i < 100; i++)); do
	kill -0 "$DUMPCAP" 2>/dev/null || break
	sleep 0.1
done
wait "$DUMPCAP" 2>/dev/null
check "dpdk-dumpcap wrote a capture file" test -s "$PCAP"

dump=$(tcpdump -nn -r "$PCAP" 2>&1)
printf '%s\n' "$dump" | head -n 12 | diag
check_eq "3 echo requests captured (received)" 3 \
	"$(grep -c "$LR_PEER_IP > $LR_OUR_IP: ICMP echo request" <<<"$dump")"
check_eq "3 echo replies captured (sent)" 3 \
	"$(grep -c "$LR_OUR_IP > $LR_PEER_IP: ICMP echo reply" <<<"$dump")"
check_grep "the peer's SYN captured" "$LR_PEER_IP\.[0-9]* > $LR_OUR_IP\.7: Flags \[S\]" "$dump"
check_grep "our SYN-ACK captured" "$LR_OUR_IP\.7 > $LR_PEER_IP\.[0-9]*: Flags \[S\.\]" "$dump"
payload=$(tcpdump -nn -A -r "$PCAP" "tcp and src host $LR_OUR_IP" 2>/dev/null)
check_grep "the echoed payload captured in a frame we sent" "linerate-capture-$LR_PREFIX" \
	"$payload"
check "linerate still answers after the capture ended" \
	nsx timeout 10 ping -c 1 -W 3 "$LR_OUR_IP"
stop_linerate
lr_done
