#!/usr/bin/env bash
# The dperf LD_PRELOAD shim (bench/e2e/dperf_vdev_shim.c) without dperf: dperf_shim_check
# calls DPDK as dperf does (EAL with `-a <pci>`, then the port looked up by that PCI name)
# on a net_null vdev, no hugepages. Without the shim the PCI name finds no port; under it
# the `-a` pair and the caller's --file-prefix are gone, `--no-pci --vdev <vdev>`, our
# prefix and $LR_SHIM_EAL_ARGS are passed to the real rte_eal_init, and the PCI name
# resolves to the vdev's port. With LR_SHIM_VDEV unset the shim changes nothing.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CHECK=$BUILD/bench/dperf_shim_check
SHIM=$(cd "$BUILD/bench" 2>/dev/null && pwd)/libdperf_vdev_shim.so
FAIL=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAIL=1; }

if [[ ! -x $CHECK || ! -f $SHIM ]]; then
	echo "not ok - $CHECK or $SHIM missing: ninja -C $BUILD"
	exit 1
fi
PCI=0000:00:01.0
PREFIX=lrshim_$$
ARGS=(-a "$PCI" -l 0 --no-huge -m 64 --no-shconf --file-prefix=dperf-$$ --log-level=warning)
OUT=$(mktemp /tmp/lr-dperf-shim.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# run LABEL [env...]: dperf_shim_check's exit status in RC, its output in $OUT.
run() {
	local label=$1
	shift
	env "$@" timeout 30 "$CHECK" "${ARGS[@]}" >"$OUT" 2>&1
	RC=$?
	echo "# $label: $(grep -E '^(port|dperf_vdev_shim)' "$OUT" | tr '\n' ';')"
}

run "no shim"
if ((RC == 1)) && grep -qx "port $PCI: not found, 0 port(s)" "$OUT"; then
	ok "without the shim dperf's PCI port name finds no port"
else
	notok "without the shim: exit $RC, $(tail -2 "$OUT" | tr '\n' ' ')"
fi

run "shim, LR_SHIM_VDEV unset" LD_PRELOAD="$SHIM"
if ((RC == 1)) && ! grep -q '^dperf_vdev_shim:' "$OUT"; then
	ok "with LR_SHIM_VDEV unset the shim passes the arguments through"
else
	notok "shim without LR_SHIM_VDEV: exit $RC, $(tail -2 "$OUT" | tr '\n' ' ')"
fi

run "shim" LD_PRELOAD="$SHIM" LR_SHIM_VDEV=net_null0 LR_SHIM_FILE_PREFIX="$PREFIX" \
	LR_SHIM_EAL_ARGS="--no-telemetry  --log-level=lib.eal:warning"
args=$(grep '^dperf_vdev_shim: eal args:' "$OUT")
want="--no-pci --vdev net_null0 --file-prefix=$PREFIX --no-telemetry --log-level=lib.eal:warning"
if [[ $args == *" $want" && $args != *" -a "* && $args != *"$PCI"* &&
		$args != *"dperf-$$"* ]]; then
	ok "the shim drops -a $PCI and dperf's --file-prefix and appends: $want"
else
	notok "EAL arguments under the shim: '${args:-none}'"
fi
if ((RC == 0)) && grep -qx "port $PCI: id 0, device net_null0, 1 port(s)" "$OUT"; then
	ok "under the shim dperf's PCI port name resolves to the vdev's port"
else
	notok "port lookup under the shim: exit $RC, $(tail -2 "$OUT" | tr '\n' ' ')"
fi
exit $FAIL
