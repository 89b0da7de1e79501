#!/usr/bin/env bash
# Issue #9, out-of-order pinning: 36 connections to echo (7), each sent 200 one-byte segments
# beyond a hole that is never filled, no two adjacent (7200 segments; with one pool for
# everything they pinned 8186 of its 8191 mbufs and the appliance never answered again). On
# pmd_config/tap.ini defaults the held data stays bounded and the appliance keeps answering
# ping, UDP echo, a fresh TCP echo and an echo connection opened before, while the queues are
# held and after the attacker resets them; the pools come back, and the segments packed into
# shared buffers under pressure, pruned or refused are counted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup ooo
attack_start ooo --conns 36 --segs 200 --pps 4000 --hold 40 || lr_done
alive "out-of-order queues held"
pool_headroom 10
attack_stop
check_ge "the attacker opened its connections" "$(attack_info established)" 36
check_ge "the out-of-order segments were sent" "$(attack_info ooo_segments_sent)" 7200
alive "after the attacker reset its connections"
conns_gone 10
pools_back 15
shed_check "out-of-order data packed, pruned or refused" \
	'^tcp\.(ooo_packed|ooo_pruned|ooo_mem_drop|out_of_order)$'
lr_done
