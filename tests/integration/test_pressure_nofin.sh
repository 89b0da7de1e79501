#!/usr/bin/env bash
# Issue #9, a peer that never answers FINs: 100 HTTP requests with "Connection: close", then
# silence: the appliance's response and FIN are never acknowledged, so it holds 100
# application-closed (orphan) connections in FIN_WAIT_1 with data in flight. Orphans have
# their own retry limit and a cap (tcp.orphan_retries, set to 5 here so that they are held
# for about 12 s, and tcp.max_orphans, set to 50; Linux tcp_orphan_retries /
# tcp_max_orphans): the 50 oldest are reset at once, the others after their retries, by the
# appliance itself; it answers meanwhile and the pools come back.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup nofin --set tcp.max_orphans=50 --set tcp.orphan_retries=5
attack_start nofin --conns 100 --hold 40 || lr_done
check_ge "the appliance answered the requests and closed" "$(attack_info fins_seen)" 100
alive "orphans held"
attack_wait 45
attack_stop
check_eq "every orphan reset by the appliance itself" 100 "$(attack_info reset_by_appliance)"
alive "after the orphans"
conns_gone 10
pools_back 15
shed_check "orphans reset" '^tcp\.orphan_(reset|giveup)$'
check_ge "tcp.orphan_reset: the oldest orphans reset past max_orphans 50" \
	"$(delta tcp.orphan_reset "$LR_TMP/stats.base.json" "$LR_TMP/stats.after.json")" 50
lr_done
