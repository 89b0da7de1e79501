#!/usr/bin/env bash
# Issue #9, zero-window hold against chargen (19): 256 connections that advertise a zero
# window from the handshake's ACK on and answer every probe with another zero window. Each
# would pin chargen's whole send buffer (64 KiB, about 30 mbufs: 256 of them more than the
# 8191-mbuf pool); the data held must stay bounded (new connections may be shed under
# pressure) so that the appliance keeps answering, and the persist timer gives up
# (tcp.user_timeout_ms, RFC 5482, set to 8 s here) so that every connection it accepted and
# its buffers are freed without the peer's help, and counted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup chargen --set tcp.user_timeout_ms=8000
attack_start zwhold --conns 256 --syn-win 65535 --hold 40 || lr_done
est=$(attack_info established)
check_ge "zero-window connections established (the rest may be shed under memory pressure)" "$est" 16
alive "zero windows held against chargen"
pool_headroom 10
attack_wait 45
attack_stop
check_eq "the appliance dropped every zero-window connection by itself" "$est" \
	"$(attack_info dropped_by_appliance)"
alive "after the persist timer gave up"
conns_gone 10
pools_back 15
shed_check "zero-window connections given up" '^tcp\.(persist_giveup|user_timeout)$'
lr_done
