#!/usr/bin/env bash
# `make bench`: run the benchmark programs (quick set, FULL=1 for the long set), print
# one summary table, write bench/results/ (JSON per program, latest.md, plot).
# BENCH_OUT=dir writes elsewhere; BUILD=dir picks the build directory.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-bench/results}
PROGRAMS=(bench_pipeline bench_conn_table bench_ctl bench_loadgen)
mkdir -p "$OUT"
failed=0
for p in "${PROGRAMS[@]}"; do
	rm -f "$OUT/$p.tsv"
	echo "=== $p ${FULL:+(FULL=$FULL)}"
	if ! "$BUILD/bench/$p" --out "$OUT"; then
		echo "bench: $p FAILED" >&2
		failed=$((failed + 1))
	fi
done

echo
echo "=== summary (cycles per unit; baseline = I/O floor of the same run; ratio = cycles / baseline)"
{
	printf 'program\tcase\tcycles\tMpps\tbaseline\tnet\tratio\tstatus\n'
	for p in "${PROGRAMS[@]}"; do
		[[ -f $OUT/$p.tsv ]] && awk -F'\t' -v OFS='\t' \
			'{ print $1, $2, $4 "/" $3, $5, $6, $7, $8, $9 }' "$OUT/$p.tsv"
	done
} | column -t -s $'\t'

if command -v gnuplot >/dev/null 2>&1; then
	if [[ -s $OUT/conn_scaling.dat ]] && gnuplot -e "out='$OUT'" bench/plot.gp 2>"$OUT/plot.err"; then
		echo "plot: $OUT/conn_scaling.png"
		rm -f "$OUT/plot.err"
	else
		echo "plot: not drawn: $(head -3 "$OUT/plot.err" 2>/dev/null || echo "no $OUT/conn_scaling.dat")"
	fi
else
	echo "plot: skipped: gnuplot is not installed (apt-get install gnuplot-nox)"
fi
exit $((failed > 0))
