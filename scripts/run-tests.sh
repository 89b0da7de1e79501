#!/usr/bin/env bash
# Run linerate's tests and print ONE summary line at the end: "N passed, N failed"
# (", N skipped" when some were skipped).
#
#   scripts/run-tests.sh                 unit tests, then integration tests
#   scripts/run-tests.sh --unit          unit tests only (build/tests/**/test_*)
#   scripts/run-tests.sh --integration   integration tests only (tests/integration/test_*.sh)
#   scripts/run-tests.sh [-v] [FILE...]  -v: show every result line; FILE: run only these
#
# Unit test executables print "lr-test: N passed, N failed"; integration scripts print
# "ok - ", "not ok - " and "skip - " lines. A file that exits non-zero without reporting a
# failure, or that outlives its timeout ($TEST_TIMEOUT s, default 300), counts as one
# failure. Under CI=true a missing prerequisite (root, /dev/net/tun, hugepages) is a
# failure, never a skip.
#
# OWNER_BUILD=DIR (a build configured with -Downer_checks=true) also runs the steering
# unit test and the multicore integration test against DIR, where a flow touched by a
# worker that does not own it aborts linerate; their results count in the same summary.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
export BUILD
TEST_TIMEOUT=${TEST_TIMEOUT:-300}

do_unit=1
do_integration=1
verbose=0
only=()
for arg in "$@"; do
	case $arg in
	--unit) do_integration=0 ;;
	--integration) do_unit=0 ;;
	-v | --verbose) verbose=1 ;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "run-tests: unknown option $arg" >&2
		exit 2
		;;
	*) only+=("$arg") ;;
	esac
done

passed=0
failed=0
skipped=0
failures=()
LOGDIR=$(mktemp -d /tmp/linerate-tests.XXXXXX)
trap 'rm -rf "$LOGDIR"' EXIT

fail_line() {
	echo "not ok - $*"
	failed=$((failed + 1))
	failures+=("$*")
}

# Prerequisites of the integration tests. Missing under CI=true: failures.
check_prereqs() {
	local missing=() free
	[[ $(id -u) -eq 0 ]] || missing+=("root")
	[[ -c /dev/net/tun ]] || missing+=("/dev/net/tun")
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null)
	[[ ${free:-0} -ge 64 ]] || missing+=("hugepages (${free:-0} free; run scripts/hugepages.sh)")
	[[ -x $BUILD/app/linerate && -x $BUILD/app/linerate-ctl ]] || missing+=("$BUILD/app/linerate and linerate-ctl")
	((${#missing[@]} == 0)) && return 0
	local m
	for m in "${missing[@]}"; do
		if [[ ${CI:-} == true ]]; then
			fail_line "prerequisite $m missing"
		else
			echo "skip - prerequisite $m missing (integration tests will skip)"
		fi
	done
	return 1
}

show_log() { # LOGFILE LINES: the tail of a failed file's output, indented
	tail -n "$2" "$1" | sed 's/^/      | /'
}

wanted() { # FILE: selected by the FILE arguments (all when none given)
	local f
	((${#only[@]} == 0)) && return 0
	for f in "${only[@]}"; do
		[[ $1 == *"$f"* ]] && return 0
	done
	return 1
}

run_unit() {
	local exe rel log rc line p f n=0
	local -a exes=()
	if [[ -d $BUILD/tests ]]; then
		mapfile -t exes < <(find "$BUILD/tests" -type f -name 'test_*' -perm -u+x | sort)
	fi
	echo "== unit tests ($BUILD/tests)"
	for exe in "${exes[@]}"; do
		wanted "$exe" || continue
		n=$((n + 1))
		rel=${exe#"$BUILD"/}
		log=$LOGDIR/unit.$n.log
		timeout -k 10 "$TEST_TIMEOUT" "$exe" >"$log" 2>&1 </dev/null
		rc=$?
		line=$(grep -aoE 'lr-test: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [[ -z $line ]]; then
			if ((rc == 124)); then
				fail_line "$rel: timed out after $TEST_TIMEOUT s without a result line"
			else
				fail_line "$rel: exit $rc without a 'lr-test: N passed, N failed' line"
			fi
			show_log "$log" 30
			continue
		fi
		p=$(awk '{print $2}' <<<"$line")
		f=$(awk '{print $4}' <<<"$line")
		passed=$((passed + p))
		failed=$((failed + f))
		printf '%-44s %s\n' "$rel" "${line#lr-test: }"
		if ((f > 0)); then
			failures+=("$rel: $f failed")
			show_log "$log" 40
		elif ((rc != 0)); then
			fail_line "$rel: reported no failure but exited $rc"
			show_log "$log" 20
		elif ((verbose)); then
			show_log "$log" 1000
		fi
	done
	if ((n == 0 && ${#only[@]} == 0)); then
		fail_line "no unit test executable found under $BUILD/tests (build first: make build)"
	fi
}

run_integration() {
	local t log rc p f s n=0
	echo "== integration tests (tests/integration)"
	check_prereqs
	for t in tests/integration/test_*.sh; do
		[[ -f $t ]] || continue
		wanted "$t" || continue
		n=$((n + 1))
		log=$LOGDIR/integration.$n.log
		SECONDS=0
		timeout -k 10 "$TEST_TIMEOUT" bash "$t" >"$log" 2>&1 </dev/null
		rc=$?
		p=$(grep -c '^ok - ' "$log")
		f=$(grep -c '^not ok - ' "$log")
		s=$(grep -c '^skip - ' "$log")
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
		printf '%-44s %d passed, %d failed%s (%d s)\n' "$t" "$p" "$f" \
			"$( ((s > 0)) && echo ", $s skipped")" "$SECONDS"
		if ((verbose)); then
			show_log "$log" 1000
		elif ((f > 0)); then
			grep -A 8 '^not ok - ' "$log" | grep -v '^ok - ' | sed 's/^/      | /' | head -n 80
			failures+=("$t: $f failed")
		fi
		if ((rc == 124 || rc == 137)); then
			fail_line "$t: timed out after $TEST_TIMEOUT s"
			show_log "$log" 20
		elif ((rc != 0 && f == 0)); then
			fail_line "$t: exit $rc without reporting a failure"
			show_log "$log" 30
		elif ((p + f + s == 0)); then
			fail_line "$t: reported no result"
			show_log "$log" 30
		fi
	done
	if ((n == 0 && ${#only[@]} == 0)); then
		fail_line "no integration test found under tests/integration"
	fi
}

# The debug build that asserts flow ownership: the multicore tests again, against it.
run_owner_checks() {
	local dir=$OWNER_BUILD
	[[ $dir == /* ]] || dir=$ROOT/$dir
	echo "== owner checks ($dir)"
	if [[ ! -x $dir/app/linerate ]]; then
		fail_line "OWNER_BUILD $dir: no linerate built there (meson setup $OWNER_BUILD -Downer_checks=true)"
		return
	fi
	local saved_build=$BUILD
	local -a saved_only=("${only[@]}")
	BUILD=$dir
	export BUILD
	only=("test_steer" "test_multicore.sh")
	((do_unit)) && run_unit
	((do_integration)) && run_integration
	BUILD=$saved_build
	export BUILD
	only=("${saved_only[@]}")
}

((do_unit)) && run_unit
((do_integration)) && run_integration
[[ -n ${OWNER_BUILD:-} ]] && run_owner_checks

if ((${#failures[@]} > 0)); then
	echo "== failures"
	printf '  %s\n' "${failures[@]}"
fi
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
