#!/usr/bin/env bash
# Issue #9, tiny segments into a zero window: one connection to echo (7) that advertises a
# zero window, so no echo can leave; 66000 bytes in full segments fill the echo's send
# buffer, then it sends 8000 in-order one-byte segments (going back
# to the appliance's last ACK when it stops acknowledging, as a persistent attacker would).
# Charged by payload bytes, every accepted byte pinned an mbuf and the pool ran dry. On
# pmd_config/tap.ini defaults the appliance must keep answering while the connection is
# held and after it is reset; the pools come back; what was collapsed or refused is counted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup zwnd
attack_start zwnd --bulk 66000 --segs 8000 --hold 40 || lr_done
alive "zero window held"
pool_headroom 10
attack_stop
check_ge "the one-byte segments were sent" "$(attack_info tiny_segments_sent)" 8000
alive "after the attacker reset its connection"
conns_gone 10
pools_back 15
shed_check "the tiny segments collapsed into full buffers (mem.copied), refused or the window clamped" \
	'^(mem\.copied|tcp\.(bad_seq|wnd_clamped|snd_nomem|ooo_mem_drop))$'
lr_done
