#!/usr/bin/env bash
# Make sure DPDK has 2 MiB hugepages: at least PAGES (the first argument, else $HUGEPAGES,
# else 512) reserved and hugetlbfs mounted at /dev/hugepages; never lowers what is
# reserved. Exits 1 with a message saying what is missing. Installed as
# libexec/linerate/linerate-hugepages for linerate@.service.
set -uo pipefail

want=${1:-${HUGEPAGES:-512}}
[[ $want =~ ^[0-9]+$ ]] || { echo "hugepages: '$want' is not a number of 2 MiB pages" >&2; exit 2; }
nr=/proc/sys/vm/nr_hugepages
mnt=/dev/hugepages

fail() {
	echo "hugepages: $*" >&2
	exit 1
}

[[ -r $nr ]] || fail "$nr not readable: this kernel has no hugepage support"
cur=$(<"$nr")
if ((cur < want)); then
	if [[ $(id -u) -ne 0 ]]; then
		fail "only $cur 2 MiB pages reserved, need $want: run as root (echo $want > $nr)"
	fi
	if ! echo "$want" >"$nr" 2>/dev/null; then
		fail "cannot write $nr (read-only /proc/sys in a container?): reserve $want pages on the host"
	fi
	cur=$(<"$nr")
	((cur >= want)) || fail "asked for $want pages, the kernel gave $cur (memory fragmented? free memory or reboot)"
fi

if ! grep -qs "^[^ ]* $mnt hugetlbfs " /proc/mounts; then
	[[ $(id -u) -eq 0 ]] || fail "hugetlbfs not mounted at $mnt: run as root (mount -t hugetlbfs nodev $mnt)"
	mkdir -p "$mnt" || fail "cannot create $mnt"
	mount -t hugetlbfs -o pagesize=2M nodev "$mnt" || fail "cannot mount hugetlbfs at $mnt"
fi

free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
echo "hugepages: $cur x 2 MiB reserved ($free free), hugetlbfs at $mnt"
