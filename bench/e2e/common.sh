# Sourced by bench/e2e/run.sh and scale.sh (with the script's arguments): where things
# are, --smoke, a private work directory, ok / not ok lines, and stopping only the
# processes the script started (their PIDs in PIDS).
#   BUILD  build directory (default build), made absolute
#   ROOT   source tree; OUT results directory (BENCH_OUT, default bench/results)
#   SMOKE  1 with --smoke
#   WORK   a fresh directory under /tmp, removed on exit with everything in it

BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
OUT=${BENCH_OUT:-$ROOT/bench/results}
SMOKE=0
[[ ${1:-} == --smoke ]] && SMOKE=1
WORK=$(mktemp -d "/tmp/lr-e2e-$(basename "$0" .sh).XXXXXX")
FAIL=0
PIDS=()

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAIL=1; }

# Stop what this script started (never by name), then remove WORK.
stop_started() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
