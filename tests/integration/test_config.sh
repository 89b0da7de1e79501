#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# linerate's configuration front end, end to end: bad files and --set overrides exit 2
# with one "linerate: ..." line on stderr; --help, --version and --check-config exit 0
# without starting EAL. Needs no privileges and no hugepages.
#
# usage: tests/integration/test_config.sh [path/to/linerate]
#        (default: $LINERATE, else build/app/linerate under the source tree)
# Prints "ok - NAME" or "not ok - NAME" per case; exits 1 if any failed.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${LINERATE:-$src/build/app/linerate}}
pmd=$src/pmd_config
failed=0
tmp=$(mktemp -d /tmp/lr-test-config.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bin" ]; then
	echo "not ok - linerate binary: $bin is not an executable (build first, or pass its path)"
	exit 1
fi

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
	failed=1
}

# run ARGS...: runs linerate, sets $rc, $out (stdout) and $err (stderr)
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# expect_fail NAME WANT ARGS...: exit 2, stderr one line "linerate: ...WANT..."
expect_fail() {
	local name=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -ne 2 ]; then
		not_ok "$name" "exit status $rc, want 2" "stderr: $err"
	elif [[ "$err" != "linerate: "*"$want"* ]]; then
		not_ok "$name" "stderr: $err" "want:   linerate: ...$want..."
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		not_ok "$name" "stderr has $(wc -l <"$tmp/err") lines, want 1:" "$err"
	else
		ok "$name"
	fi
}

# A valid base file: one TAP port, one worker.
good=$tmp/good.ini
cat >"$good" <<'EOF'
[eal]
lcores = 0-1
main_lcore = 0
[worker]
lcores = 1
[port.0]
device = net_tap0,iface=lr0
ip = 198.18.0.2/24
EOF

# write NAME CONTENT: a config file in the temp dir, its path on stdout
write() {
	printf '%s' "$2" >"$tmp/$1"
	echo "$tmp/$1"
}

# --help, --version
run --help
if [ "$rc" -eq 0 ] && [[ "$out" == *usage* ]]; then ok "help exits 0"
else not_ok "help exits 0" "exit $rc" "stdout: $out"; fi

version=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -1)
run --version
if [ "$rc" -eq 0 ] && [[ "$out" == *"linerate $version"* ]]; then ok "version prints $version"
else not_ok "version prints $version" "exit $rc" "stdout: $out"; fi

# --check-config: the effective config on stdout, nothing started
run -c "$pmd/tap.ini" --check-config
if [ "$rc" -eq 0 ] && [[ "$out" == *"[port.0]"* ]] &&
		[[ "$out" == *"device = net_tap0,iface=lr0"* ]] &&
		[[ "$out" == *"ip = 198.18.0.2/24"* ]] && [[ "$out" == *"file_prefix = lr-tap"* ]] &&
		[[ "$err" != *"EAL"* ]]; then
	ok "check-config tap.ini prints the effective config"
else
	not_ok "check-config tap.ini prints the effective config" "exit $rc" "stderr: $err"
fi

# the printed config is a valid config that prints the same
sed 1d <<<"$out" >"$tmp/dump1"
cp "$tmp/out" "$tmp/dump.ini"
run -c "$tmp/dump.ini" --check-config
if [ "$rc" -eq 0 ] && [ "$(sed 1d <<<"$out")" == "$(cat "$tmp/dump1")" ]; then
	ok "check-config output loads again unchanged"
else
	not_ok "check-config output loads again unchanged" "exit $rc" "stderr: $err"
fi

run -c "$pmd/tap.ini" --set port.0.ip=198.18.9.2/16 --set port.1.device=net_tap1,iface=lr1 \
	--set port.1.ip=198.19.0.2/24 --check-config
if [ "$rc" -eq 0 ] && [[ "$out" == *"ip = 198.18.9.2/16"* ]] && [[ "$out" == *"[port.1]"* ]]
then ok "check-config applies --set, creating port.1"
else not_ok "check-config applies --set, creating port.1" "exit $rc" "stderr: $err"; fi

for f in "$pmd"/*.ini; do
	run -c "$f" --check-config
	if [ "$rc" -eq 0 ]; then ok "check-config $(basename "$f")"
	else not_ok "check-config $(basename "$f")" "exit $rc" "stderr: $err"; fi
done

# errors in the file
f=$(write unknown-section.ini "$(cat "$good")
[foo]
x = 1
")
expect_fail "unknown section" \
	"$f: unknown section [foo] (known: eal, app, worker, port.N, vlan.M, arp, ip, icmp, udp, tcp, loadgen)" -c "$f"

f=$(write unknown-key.ini "$(cat "$good")
ipp = 1.2.3.4/24
")
expect_fail "unknown key" "$f: [port.0] key 'ipp': unknown key (known: device, mac, ip," -c "$f"

f=$(write missing-ip.ini "[worker]
lcores = 1
[port.0]
device = net_tap0
")
expect_fail "missing port ip" \
	"$f: [port.0] key 'ip': missing (required: the port's IPv4 address/prefix" -c "$f"

f=$(write syntax.ini "[eal]
lcores 0-1
")
expect_fail "line without =" "$f:2: expected 'key = value'" -c "$f"

f=$(write dup-key.ini "$(cat "$good")
ip = 198.18.0.3/24
")
expect_fail "key given twice" "[port.0] key 'ip': given twice" -c "$f"

expect_fail "missing file" "$tmp/nope.ini: cannot read: No such file or directory" \
	-c "$tmp/nope.ini"

# errors in --set
expect_fail "bad ip" \
	"--set: [port.0] ip: bad value '198.18.0/24': expected an IPv4 prefix like 198.18.0.2/24" \
	-c "$good" --set port.0.ip=198.18.0/24
expect_fail "bad prefix" "[port.0] ip: bad value '198.18.0.2/33': expected an IPv4 prefix" \
	-c "$good" --set port.0.ip=198.18.0.2/33
expect_fail "gateway outside subnet" \
	"[port.0] gateway: bad value '10.0.0.1': outside the port's subnet 198.18.0.0/24" \
	-c "$good" --set port.0.gateway=10.0.0.1
expect_fail "udp port 70000" "[udp] echo: bad value '70000': expected a UDP port number 1..65535" \
	-c "$good" --set udp.echo=70000
expect_fail "port section out of range" "unknown section [port.8] (ports are port.0 .. port.7)" \
	-c "$good" --set port.8.ip=198.18.8.2/24
expect_fail "duplicate udp ports" "[udp] discard: bad value '7': duplicate service port" \
	-c "$good" --set udp.discard=7
expect_fail "worker lcore is the main lcore" \
	"[worker] lcores: lcore 0 not available: it is the main lcore" \
	-c "$good" --set worker.lcores=0
expect_fail "worker lcore not in eal lcores" \
	"[worker] lcores: lcore 5 not available: not in [eal] lcores '0-1'" \
	-c "$good" --set worker.lcores=5
expect_fail "bad bool" "--set: [port.0] promiscuous: bad value 'maybe': expected yes/no" \
	-c "$good" --set port.0.promiscuous=maybe
expect_fail "bad idle policy" \
	"--set: [worker] idle: bad value 'nap': expected poll, pause or sleep" \
	-c "$good" --set worker.idle=nap
expect_fail "unknown --set section" "--set: unknown section [foo]" -c "$good" --set foo.bar=1
expect_fail "unknown --set key" "--set: [eal] key 'lcore': unknown key" \
	-c "$good" --set eal.lcore=0-1
expect_fail "--set without =" "expected section.key=value" -c "$good" --set eal.lcores

exit $failed
