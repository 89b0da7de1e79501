#!/usr/bin/env bash
# The end-to-end benchmark in --smoke mode (seconds): two linerate instances over memif,
# testpmd as the I/O ceiling and the Linux epoll client/server over veth all run and
# answer correctly; one payload-sweep point of each kind (UDP echo 1400 B, each echo
# carrying exactly that payload; TCP stream 1 KiB writes) on both sides, its .dat and,
# when gnuplot is installed, its plot (skip otherwise). Figures are not asserted:
# `make bench-e2e` measures them.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec bash bench/e2e/run.sh --smoke
