#!/usr/bin/env bash
# `make run`: linerate in the foreground on net_tap (pmd_config/tap.ini, or $CONFIG).
# Extra arguments go to linerate, e.g.  scripts/run.sh --set worker.idle=poll
# Stop it with Ctrl-C.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
LINERATE=$BUILD/app/linerate
CTL=$BUILD/app/linerate-ctl
CONFIG=${CONFIG:-$ROOT/pmd_config/tap.ini}

[[ -x $LINERATE ]] || { echo "run: $LINERATE not built (make build)" >&2; exit 1; }
[[ -r $CONFIG ]] || { echo "run: $CONFIG missing" >&2; exit 1; }

# What the config says (defaults of pmd_config/tap.ini if a key is absent).
ini() { # SECTION KEY DEFAULT
	awk -F= -v s="[$1]" -v k="$2" '
		/^[ \t]*\[/ { gsub(/[ \t]/, ""); cur = $0; next }
		cur == s { key = $1; gsub(/[ \t]/, "", key)
			if (key == k) { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]*([;#].*)?$/, ""); print; exit } }
	' "$CONFIG" | grep . || echo "$3"
}
device=$(ini port.0 device net_tap0,iface=lr0)
iface=$(sed -n 's/.*iface=\([^,]*\).*/\1/p' <<<"$device")
iface=${iface:-lr0}
ip=$(ini port.0 ip 198.18.0.2/24)
ip=${ip%/*}
sock=$(ini app control_socket /run/linerate/tap.sock)
mkdir -p "$(dirname "$sock")"

cat <<MSG
linerate on $CONFIG ($device). Once it prints "linerate: ready", from another shell:

  ip netns add lr-peer
  ip link set $iface netns lr-peer
  ip netns exec lr-peer ip link set $iface address 02:4c:52:00:00:01
  ip netns exec lr-peer ip addr add 198.18.0.1/24 dev $iface
  ip netns exec lr-peer ip link set $iface up
  ip netns exec lr-peer ping -c 3 $ip
  ip netns exec lr-peer arping -c 3 -I $iface $ip
  echo hello | ip netns exec lr-peer socat -T 2 - UDP:$ip:7
  $CTL --socket $sock stats
  $CTL --socket $sock arp

Stop with Ctrl-C (the tap interface disappears with the process); then: ip netns del lr-peer

MSG
exec "$LINERATE" --config "$CONFIG" "$@"
