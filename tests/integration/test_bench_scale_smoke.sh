#!/usr/bin/env bash
# The workers benchmark in --smoke mode (seconds): the daemon with 1 and 2 workers on a
# memif port answers the lr_e2e generator (UDP echo over 64 flows, HTTP keep-alive), every
# worker handles packets and, with 2, worker 1's share arrives over the steering ring.
# Figures are not asserted: `make bench-e2e` measures them.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec bash bench/e2e/scale.sh --smoke
