#!/usr/bin/env bash
# Run every benchmark program in --smoke mode (tiny counts, each well under 5 s): it
# proves the program works and its output is verified. Prints "ok - bench_x" or
# "not ok - bench_x" per program and exits non-zero if any failed.
#   BUILD=build bash bench/smoke.sh
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# "prog[:option]": bench_conn_table also on hugepages (--huge), as the daemon runs
PROGRAMS=(bench_pipeline bench_conn_table bench_conn_table:--huge bench_ctl bench_loadgen)
failed=0
for entry in "${PROGRAMS[@]}"; do
	p=${entry%%:*}
	opt=
	[[ $entry == *:* ]] && opt=${entry#*:}
	exe=$BUILD/bench/$p
	log=$(mktemp "/tmp/linerate-smoke-$p.XXXXXX")
	if [[ ! -x $exe ]]; then
		echo "not ok - $p # $exe not built (ninja -C $BUILD bench/$p)"
		failed=$((failed + 1))
		rm -f "$log"
		continue
	fi
	start=$(date +%s.%N)
	timeout 60 "$exe" --smoke $opt >"$log" 2>&1
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	if [[ $rc -eq 0 ]] && ! grep -q '^not ok' "$log"; then
		echo "ok - $p${opt:+ $opt} ($(grep -c '^ok' "$log") checks, ${secs}s)"
	else
		echo "not ok - $p${opt:+ $opt} # exit $rc after ${secs}s; output:"
		grep -E '^(not ok|FAIL)|error|failed' "$log" | sed 's/^/#   /' | head -20
		[[ $rc -eq 124 ]] && echo "#   timed out after 60 s"
		failed=$((failed + 1))
	fi
	rm -f "$log"
done
exit $((failed > 0))
