#!/usr/bin/env bash
# Issue #9, idle and slowloris connections: 30 connections to HTTP (80) that send one header
# byte a second and 30 to discard (9) that send nothing. With the services' timeouts set
# short (tcp.http_header_timeout_ms=3000, tcp.idle_timeout_ms=4000), the appliance closes
# every one of them by itself, keeps answering meanwhile (the keeper's echo connection sends
# a line a second, so it is never idle), the pools come back and the timeouts are counted.
# shellcheck source=tests/integration/pressure_lib.sh
. "$(dirname "$0")/pressure_lib.sh"

pressure_setup slowloris --set tcp.http_header_timeout_ms=3000 --set tcp.idle_timeout_ms=4000
attack_start slowloris --conns 30 --interval 1 --idle-port 9 --hold 25 || lr_done
alive "slow and idle connections open"
attack_wait 30
attack_stop
check_eq "every slowloris connection closed by the appliance" 30/30 "$(attack_info slow_closed)"
check_eq "every idle connection closed by the appliance" 30/30 "$(attack_info idle_closed)"
alive "after the timeouts"
conns_gone 10
pools_back 15
shed_check "slowloris heads reset by the header timeout" '^services\.http\.header_timeout$'
shed_check "idle connections closed by the idle timeout" '^services\.[a-z]+\.idle_timeout$'
lr_done
