#!/usr/bin/env bash
# Issue #9, TIME_WAIT and LAST_ACK fill with tcp.max_conns=64 and tcp.max_tw=128: HTTP
# requests with "Connection: close" one after another, at least 400, until the checks
# during the fill are done (the appliance closes first, so each
# leaves a TIME_WAIT behind), then 100 echo connections that send a byte and FIN and forget
# the connection (the appliance waits in LAST_ACK for an ACK that never comes, as dperf's
# client does). TIME_WAIT must be compact (not a connection slot, oldest recycled past
# max_tw) and forgotten LAST_ACKs must not fill the table (orphans past max_orphans, 64 / 4,
# are reset oldest first): every request is served, fresh connections are still accepted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup timewait --set tcp.max_conns=64 --set tcp.max_tw=128
attack_start twfill --conns 20000 --warm 1 --hold 40 || lr_done
alive "TIME_WAIT filling"
attack_stop 45
served=$(attack_info served)
check_ge "close-first HTTP requests served with max_conns 64" "$served" 400
check_eq "none of the $served requests failed" 0 "$(attack_info failed)"
attack_start lastack --conns 100 --hold 30 || lr_done
check_eq "100 connections to forget established with max_conns 64" 100 "$(attack_info forgotten)"
alive "LAST_ACK forgotten by the peer"
attack_stop
alive "after the fill"
conns_gone 15
pools_back 15
shed_check "TIME_WAIT entries recycled past max_tw" '^tcp\.tw_recycled$'
shed_check "forgotten LAST_ACKs reset past max_orphans" '^tcp\.orphan_(reset|giveup)$'
lr_done
