#!/usr/bin/env bash
# Install what linerate needs to build, run, demo and test (Debian 12).
# Idempotent: when every package is already installed it only checks and exits.
set -euo pipefail

PACKAGES=(
	libdpdk-dev dpdk dpdk-dev libnuma-dev libcunit1-dev
	meson ninja-build pkg-config gcc make
	iproute2 iputils-ping iputils-arping socat netcat-openbsd tcpdump nftables ethtool
	python3 python3-scapy curl iperf3 wrk libpcap-dev procps gnuplot-nox
	systemd binutils prometheus
)
# prometheus: for promtool (tests/integration/test_metrics.sh checks the scrape with it).
# Note: the package "arping" conflicts with iputils-arping; we use iputils-arping.

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		echo "deps: not root and no sudo; install as root: apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
else
	SUDO=()
fi
export DEBIAN_FRONTEND=noninteractive
log=/tmp/linerate-apt.log
: >"$log"
# Two tries each: a mirror hiccup should not fail a CI run.
for try in 1 2; do
	"${SUDO[@]}" apt-get update -qq >>"$log" 2>&1 && break
	[[ $try == 2 ]] && { echo "deps: apt-get update failed:" >&2; tail -n 30 "$log" >&2; exit 1; }
	sleep 5
done
for try in 1 2; do
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
		>>"$log" 2>&1 && break
	[[ $try == 2 ]] && { echo "deps: apt-get install failed; last lines of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
	sleep 5
done
echo "deps: installed ${missing[*]}"
