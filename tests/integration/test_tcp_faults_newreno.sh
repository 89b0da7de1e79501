#!/usr/bin/env bash
# test_tcp_faults.sh with [tcp] cc = newreno: the 20 MB echo through loss, reordering,
# duplication and delay, the appliance sending with NewReno (RFC 5681, RFC 6582; the
# default is CUBIC), must come back identical with nothing given up or leaked.
LR_TCP_CC=newreno exec bash "$(dirname "$0")/test_tcp_faults.sh"
