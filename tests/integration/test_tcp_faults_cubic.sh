#!/usr/bin/env bash
# test_tcp_faults.sh with [tcp] cc = cubic: the 20 MB echo through loss, reordering,
# duplication and delay, the appliance sending with CUBIC (RFC 9438), must come back
# identical with nothing given up or leaked.
LR_TCP_CC=cubic exec bash "$(dirname "$0")/test_tcp_faults.sh"
