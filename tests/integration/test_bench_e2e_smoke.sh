#!/usr/bin/env bash
# The end-to-end benchmark in --smoke mode (seconds): two linerate instances over memif,
# testpmd as the I/O ceiling and the Linux epoll client/server over veth all run and
# answer correctly; one payload-sweep point of each kind (UDP echo 1400 B, each echo
# carrying exactly that payload; TCP stream 1 KiB writes) on both sides, its .dat and,
# when gnuplot is installed, its plot (skip otherwise). Figures are not asserted:
# `make bench-e2e` measures them.
# First the dperf column's path without dperf (CI has none, the column needs it): one
# "# SKIP dperf column: ..." line, exit 0, nothing started and no result file written;
# then the column's report helpers on made-up input.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/lr-e2e-skip.XXXXXX)
msg=$(DPERF= BENCH_OUT=$out timeout 60 bash bench/e2e/dperf.sh --smoke 2>&1)
rc=$?
if ((rc == 0)) && [[ $msg == "# SKIP dperf column: set DPERF="* && $msg != *$'\n'* &&
		-z $(ls -A "$out") ]]; then
	echo "ok - dperf column without DPERF: skipped with a message, exit 0"
else
	echo "not ok - dperf column without DPERF: exit $rc, output: $(head -c 300 <<<"$msg")"
fi
msg=$(DPERF=/nonexistent/dperf BENCH_OUT=$out timeout 60 bash bench/e2e/dperf.sh 2>&1)
rc=$?
if ((rc == 0)) && [[ $msg == "# SKIP dperf column: "*"not executable: /nonexistent/dperf" ]]; then
	echo "ok - dperf column with a DPERF that is not executable: skipped, says why"
else
	echo "not ok - dperf column, DPERF not executable: exit $rc, output: $(head -c 300 <<<"$msg")"
fi
# DPC_ROUNDS' medians (dperf_rounds.py) from three made-up rounds: a ratio is the median of
# the rounds' own ratios (0.6, 0.5, 0.2 -> 0.50), not the ratio of the medians (80 / 200);
# a row one round lacks takes the others; results in dperf.json and latest.md.
for r in 1 2 3; do
	d=(0 100 400 200); l=(0 60 80 100); q=(0 0.6 0.2 0.5)
	row2=''
	((r != 2)) && row2=', {"workload": "B", "dperf": 10, "linerate": null, "ratio": null}'
	echo "{\"machine\": {}, \"rows\": [{\"workload\": \"A\", \"dperf\": ${d[r]}, \"linerate\": ${l[r]}, \"ratio\": ${q[r]}}$row2]}" \
		>"$out/r$r.json"
done
msg=$(python3 bench/e2e/dperf_rounds.py "$out/res" "$out"/r1.json "$out"/r2.json "$out"/r3.json 2>&1)
rc=$?
if ((rc == 0)) && grep -qxF '| A | 200 (100-400) | 80 (60-100) | 0.50 (0.20-0.60) |' <<<"$msg" &&
		grep -qxF '| B | 10 | n/a | n/a |' <<<"$msg" &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["rows"][0]["ratio"] == 0.5 and len(d["rounds"]) == 3))' "$out/res/dperf.json" &&
		grep -q '^## dperf column (issue #10), 3 rounds' "$out/res/latest.md"; then
	echo "ok - dperf rounds: medians, a ratio the median of the rounds' ratios, files written"
else
	echo "not ok - dperf rounds: exit $rc, output: $(head -c 400 <<<"$msg")"
fi
# DPC_PERF=1's parts (perf_parts.py): made-up `perf script` lines, each put in its part
# (linerate's functions by name, the driver's libraries, dperf, the kernel, other
# processes), and the time a unit from the shares.
msg=$(python3 bench/e2e/perf_parts.py --selftest 2>&1)
if [[ $msg == "perf_parts selftest: ok" ]]; then
	echo "ok - perf parts: samples classified, time a unit from their shares"
else
	echo "not ok - perf parts: $(head -c 300 <<<"$msg")"
fi
rm -rf "$out"
exec bash bench/e2e/run.sh --smoke
