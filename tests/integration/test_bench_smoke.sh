#!/usr/bin/env bash
# The benchmark programs in --smoke mode: each runs its cases with tiny counts and
# verifies every frame it produced, so a broken benchmark fails CI (figures are not
# asserted: performance is measured with `make bench`, not in tests).
set -uo pipefail
cd "$(dirname "$0")/../.."
exec bash bench/smoke.sh
