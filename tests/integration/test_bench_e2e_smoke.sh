#!/usr/bin/env bash
# The end-to-end benchmark in --smoke mode (seconds): two linerate instances over memif,
# testpmd as the I/O ceiling and the Linux epoll client/server over veth all run and
# answer correctly; one payload-sweep point of each kind (UDP echo 1400 B, each echo
# carrying exactly that payload; TCP stream 1 KiB writes) on both sides, its .dat and,
# when gnuplot is installed, its plot (skip otherwise). Figures are not asserted:
# `make bench-e2e` measures them.
# First the dperf column's path without dperf (CI has none, the column needs it): one
# "# SKIP dperf column: ..." line, exit 0, nothing started and no result file written.
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
rm -rf "$out"
exec bash bench/e2e/run.sh --smoke
