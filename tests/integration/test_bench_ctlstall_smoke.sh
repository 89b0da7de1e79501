#!/usr/bin/env bash
# The control-plane benchmark in --smoke mode (~20 s): the daemon with one worker on a
# memif port holds 2000 idle connections opened by bench/hold_client; `linerate-ctl conns`
# lists each of them ESTABLISHED in every run, `stats` and `cores` answer, and the
# connections are still there afterwards. Figures are not asserted: `make bench-e2e`
# measures turn_max_us at 1M connections.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec bash bench/e2e/ctlstall.sh --smoke
