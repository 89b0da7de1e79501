#!/usr/bin/env bash
# Issue #9, fragment floods: a stream of datagrams with distinct IDs that never complete,
# each its first fragment (MF set, offset 0) and three more MF fragments (never the last),
# 5000 fragments per second, from 3 s before the checks until they are done (20 s at most) (4096 flows of up to 8 fragments could pin 32768
# mbufs of the 8191). Reassembly must stay bounded in buffers (evicting the oldest) so that,
# on pmd_config/tap.ini defaults, the appliance keeps
# answering during the stream and after it; the pools come back once the fragment timeout
# has freed the rest, and the evicted fragments are counted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup frag
attack_start frag --count 100000 --per 4 --pps 5000 --size 256 --warm 3 --hold 20 || lr_done
alive "first fragments streaming"
pool_headroom 10
attack_stop 40
check_ge "fragments were sent" "$(attack_info fragments_sent)" 10000
alive "after the stream"
pools_back 15
shed_check "incomplete datagrams evicted or refused for room" '^ip\.frag_(evicted|nomem|pressure_refused|pressure_evicted)$'
lr_done
