#!/usr/bin/env bash
# Loss sweep (issue #11, bench/README.md "Loss sweep"): 20 MB through TCP at 0, 0.1, 1, 2
# and 5 % random loss each way, on linerate over net_tap and on Linux over a veth pair,
# in the same run. Three transfers per rate, each a socat client in a namespace:
#   echo      20 MB of random data through the echo service (port 7) and back, sha256
#             checked (linerate's echo; Linux: socat EXEC:cat)
#   upload    20 MB into discard (port 9), done when the server's FIN comes after it read
#             everything (linerate's discard; Linux: socat into wc -c, byte count checked)
#   download  20 MB read from chargen (port 19; Linux: socat from /dev/zero)
# Loss each way, where neither sender's TCP can see it: nftables drops N per mille of the
# TCP segments a Linux namespace receives (input hook), and linerate drops N % of what it
# receives (port.0.rx_loss). A drop in the sender's own output or egress hook is no loss:
# the kernel reports it to the socket, which sends again.
# Linux: veth between namespaces A (servers) and B (clients), offloads off, MTU 1500,
# nftables in both, once per congestion control in LOSS_LX_CC (default: cubic, the
# algorithm linerate implements and Debian's default, then this host's own default when
# it differs, e.g. bbr; the ratio is taken against the first). Each is set as the
# namespaces' default (net.ipv4.tcp_congestion_control); one the host does not allow in
# namespaces is added to net.ipv4.tcp_allowed_congestion_control for the run and the
# list restored at the end. The Linux peer of linerate (namespace C: the sender of the
# upload, and of the echo's first half) uses the first. linerate: tap.ini (one worker), its tap in namespace C. Below 1 %
# loss each point is the median of LOSS_REPS (3) transfers; at 1 % and above one.
# Besides each time, linerate's counters for the transfer (retransmission timeouts, fast
# retransmits, SACK recoveries, RACK/TLP when this build has them) and Linux's
# retransmission timeouts (TcpExtTCPTimeouts of both namespaces). linerate and every socat
# run at nice -10 (LOSS_NICE): on a shared machine a descheduled worker is an RTO.
#
#   BUILD=build bash bench/e2e/loss.sh           minutes: table, loss.json, latest.md
#   BUILD=build bash bench/e2e/loss.sh --smoke   0 and 2 % at 2 MB: ok/not ok, exit 1 on failure
#   LOSS_LR_ARGS="--set tcp.hystart=no"          extra linerate options (an A/B of a setting)
#   LOSS_RATES="2 5" LOSS_DIRS=download           some rates, some directions
#   LOSS_LX_CC="cubic reno"                        Linux's congestion controls, ratio vs the first
#
# Only 198.18.0.0/15 inside namespaces created and deleted here, every transfer bounded by
# `timeout` (LOSS_TIMEOUT, 240 s; reported as a timeout), only PIDs started here killed.
set -uo pipefail

source "$(dirname "$0")/common.sh" "$@"
read -ra RATES <<<"${LOSS_RATES:-0 0.1 1 2 5}"
BYTES=${LOSS_BYTES:-20000000}
REPS=${LOSS_REPS:-3}
TMO=${LOSS_TIMEOUT:-240}
SEED=${LOSS_SEED:-20261203}
NICE=(nice -n "${LOSS_NICE:--10}") # linerate and every socat, both systems alike
read -ra LR_ARGS <<<"${LOSS_LR_ARGS:-}" # more linerate options, e.g. --set tcp.hystart=no
if ((SMOKE)); then RATES=(0 2); BYTES=2000000; REPS=1; TMO=${LOSS_TIMEOUT:-60}; fi
read -ra DIRS <<<"${LOSS_DIRS:-echo upload download}"
HOST_CC=$(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null)
read -ra LX_CCS <<<"${LOSS_LX_CC:-cubic $([[ $HOST_CC != cubic ]] && echo "$HOST_CC")}"
ALLOWED0=$(sysctl -n net.ipv4.tcp_allowed_congestion_control 2>/dev/null)
TAG=$(printf '%04x' $(($$ & 0xffff)))
NS_A=lrloss-a-$TAG  # Linux servers
NS_B=lrloss-b-$TAG  # Linux clients
NS_C=lrloss-c-$TAG  # linerate's peer
TAP=lrloss$TAG
LR_IP=198.18.0.2
LX_IP=198.18.2.1
CTL=$WORK/ctl.sock
IN=$WORK/in.bin
LR=

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	[[ -n $LR ]] && { kill "$LR" 2>/dev/null; timeout 15 tail --pid="$LR" -f /dev/null; }
	stop_started
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	rm -rf "/var/run/dpdk/lrloss_$TAG"
	[[ -n $ALLOWED0 && $(sysctl -n net.ipv4.tcp_allowed_congestion_control) != "$ALLOWED0" ]] &&
		sysctl -qw "net.ipv4.tcp_allowed_congestion_control=$ALLOWED0"
}
trap cleanup EXIT

for p in app/linerate app/linerate-ctl; do
	[[ -x $BUILD/$p ]] || { echo "not ok - $BUILD/$p missing: ninja -C $BUILD"; exit 1; }
done
for c in socat nft ethtool; do
	command -v $c >/dev/null || { echo "not ok - $c not installed"; exit 1; }
done
head -c "$BYTES" /dev/urandom >"$IN"
SUM=$(sha256sum <"$IN" | cut -d' ' -f1)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# nft_loss NS PERMILLE: NS drops PERMILLE / 1000 of the TCP segments it receives.
nft_loss() {
	ip netns exec "$1" nft flush ruleset &&
		ip netns exec "$1" nft add table inet lrloss &&
		ip netns exec "$1" nft add chain inet lrloss in '{ type filter hook input priority 0 ; }' &&
		ip netns exec "$1" nft add rule inet lrloss in meta l4proto tcp \
			numgen random mod 1000 '<' "$2" counter drop
}
nft_dropped() { ip netns exec "$1" nft list chain inet lrloss in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
permille() { awk -v l="$1" 'BEGIN { printf "%d", l * 10 + 0.5 }'; }

# run NS IP DIR: one timed transfer from NS; prints "STATUS SECONDS" (ok, bad or timeout).
run() {
	local ns=$1 ip=$2 dir=$3 t0 t1 rc st=bad
	rm -f "$WORK/out"
	t0=$EPOCHREALTIME
	case $dir in
	echo)
		ip netns exec "$ns" timeout "$TMO" "${NICE[@]}" socat -b 65536 -t "$TMO" - "TCP:$ip:7" <"$IN" 2>/dev/null |
			sha256sum >"$WORK/out"
		rc=${PIPESTATUS[0]}
		[[ $rc == 0 && $(cut -d' ' -f1 "$WORK/out") == "$SUM" ]] && st=ok ;;
	upload) # done when the server's FIN comes, after it read everything
		ip netns exec "$ns" timeout "$TMO" "${NICE[@]}" socat -b 65536 -t "$TMO" - "TCP:$ip:9" <"$IN" \
			>/dev/null 2>&1
		rc=$?
		((rc == 0)) && st=ok ;;
	download) # socat ends on EPIPE (or SIGPIPE) once head has its bytes: not a failure
		ip netns exec "$ns" timeout "$TMO" "${NICE[@]}" socat -u -b 65536 "TCP:$ip:19" - 2>/dev/null |
			head -c "$BYTES" | wc -c >"$WORK/out"
		rc=${PIPESTATUS[0]}
		[[ $(cat "$WORK/out") == "$BYTES" ]] && st=ok ;;
	esac
	t1=$EPOCHREALTIME
	((rc == 124)) && st=timeout
	awk -v a="$t0" -v b="$t1" -v s="$st" 'BEGIN { printf "%s %.3f\n", s, b - a }'
}

# ---- linerate over net_tap ----
lr_start() {   # loss %
	rm -f "$CTL"
	: >"$WORK/lr.log"
	timeout 3600 "${NICE[@]}" "$BUILD/app/linerate" --config "$ROOT/pmd_config/tap.ini" \
		--set "eal.file_prefix=lrloss_$TAG" --set eal.in_memory=yes \
		--set "app.control_socket=$CTL" --set "port.0.device=net_tap0,iface=$TAP" \
		--set "port.0.rx_loss=$1" --set "worker.fault_seed=$SEED" "${LR_ARGS[@]}" \
		>"$WORK/lr.log" 2>&1 </dev/null &
	LR=$!
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qx 'linerate: ready' "$WORK/lr.log" && ip link show "$TAP" >/dev/null 2>&1 && break
		kill -0 "$LR" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -qx 'linerate: ready' "$WORK/lr.log"; then
		notok "linerate did not start: $(tail -3 "$WORK/lr.log" | tr '\n' ' ')"
		return 1
	fi
	ip netns add "$NS_C" && ip link set "$TAP" netns "$NS_C" &&
		ip -n "$NS_C" link set lo up && ip -n "$NS_C" addr add 198.18.0.1/24 dev "$TAP" &&
		ip -n "$NS_C" link set "$TAP" up && nft_loss "$NS_C" "$(permille "$1")" &&
		ns_cc "${LX_CCS[0]}" "$NS_C" || {
		notok "namespace $NS_C with the tap, nftables and Linux's ${LX_CCS[0]}"
		return 1
	}
	ip netns exec "$NS_C" timeout 10 ping -c 3 -i 0.2 -W 2 "$LR_IP" >/dev/null 2>&1
	return 0
}
lr_stop() {
	kill "$LR" 2>/dev/null
	timeout 15 tail --pid="$LR" -f /dev/null || kill -9 "$LR" 2>/dev/null
	wait "$LR" 2>/dev/null
	LR=
	ip netns del "$NS_C" 2>/dev/null
}
lr_stats() { timeout 10 "$BUILD/app/linerate-ctl" --socket "$CTL" --json stats; }

# ---- Linux over veth ----
# ns_cc CC NS...: new connections in the namespaces use CC (a namespace may only pick an
# algorithm the host allows: added to the allowed list for the run).
ns_cc() {
	local cc=$1 ns
	shift
	if [[ " $(sysctl -n net.ipv4.tcp_allowed_congestion_control) " != *" $cc "* ]]; then
		sysctl -qw "net.ipv4.tcp_allowed_congestion_control=$(sysctl -n net.ipv4.tcp_allowed_congestion_control) $cc" ||
			return 1
	fi
	for ns in "$@"; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.tcp_congestion_control=$cc" || return 1
	done
}
lx_setup() {
	ip netns add "$NS_A" && ip netns add "$NS_B" &&
		ip link add "lrl${TAG}a" netns "$NS_A" type veth peer name "lrl${TAG}b" netns "$NS_B" || return 1
	local ns dev
	for ns in "$NS_A:lrl${TAG}a:198.18.2.1" "$NS_B:lrl${TAG}b:198.18.2.2"; do
		IFS=: read -r ns dev ip <<<"$ns"
		ip -n "$ns" link set lo up && ip -n "$ns" addr add "$ip/24" dev "$dev" &&
			ip -n "$ns" link set "$dev" mtu 1500 up &&
			ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off sg off \
				>/dev/null 2>&1 || return 1
	done
	# the servers, each bounded by the whole run's length
	ip netns exec "$NS_A" timeout 7200 "${NICE[@]}" socat TCP-LISTEN:7,reuseaddr,fork EXEC:cat \
		>/dev/null 2>&1 &
	PIDS+=($!)
	ip netns exec "$NS_A" timeout 7200 "${NICE[@]}" socat -u TCP-LISTEN:9,reuseaddr,fork \
		SYSTEM:"wc -c >>$WORK/lx_discard.count" >/dev/null 2>&1 &
	PIDS+=($!)
	ip netns exec "$NS_A" timeout 7200 "${NICE[@]}" socat -U TCP-LISTEN:19,reuseaddr,fork OPEN:/dev/zero \
		>/dev/null 2>&1 &
	PIDS+=($!)
	sleep 0.5
}
# Linux retransmission timeouts in both namespaces, absolute.
lx_timeouts() {
	local ns n=0 v
	for ns in "$NS_A" "$NS_B"; do
		v=$(ip netns exec "$ns" nstat -asz TcpExtTCPTimeouts 2>/dev/null | awk '$1 == "TcpExtTCPTimeouts" { print $2 }')
		n=$((n + ${v:-0}))
	done
	echo "$n"
}

# The linerate counters reported beside the times: those this build has.
COUNTERS='rexmt_timeout fast_rexmt sack_recovery rack_lost tlp_fired rexmt_segs'
# lr_delta BEFORE AFTER: "key=delta ..." for the counters present (and any rack/tlp ones).
lr_delta() {
	python3 - "$1" "$2" "$COUNTERS" <<'EOF'
import json, sys
try:
    a, b = json.loads(sys.argv[1])["tcp"], json.loads(sys.argv[2])["tcp"]
except Exception:
    sys.exit()
keys = sys.argv[3].split()
keys += sorted(k for k in b if k.startswith(("rack", "tlp", "hystart", "undo")) and k not in keys)
print(" ".join("%s=%d" % (k, b[k] - a.get(k, 0)) for k in keys
               if k in b and isinstance(b[k], int)))
EOF
}

RES=$WORK/results.txt # rate dir system status seconds extras
: >"$RES"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

lx_setup || { notok "namespaces $NS_A/$NS_B and a veth pair (root needed)"; exit 1; }
for rate in "${RATES[@]}"; do
	pm=$(permille "$rate")
	reps=$REPS
	awk -v r="$rate" 'BEGIN { exit !(r >= 1) }' && reps=1
	# linerate
	if lr_start "$rate"; then
		for dir in "${DIRS[@]}"; do
			times=() st=ok extra=
			for ((k = 0; k < reps; k++)); do
				s0=$(lr_stats)
				read -r s t <<<"$(run "$NS_C" "$LR_IP" "$dir")"
				sleep 0.3
				s1=$(lr_stats)
				[[ $s != ok ]] && st=$s
				times+=("$t")
				[[ $dir == upload && $s == ok ]] && {
					got=$(python3 -c 'import json,sys; a,b=(json.loads(x)["tcp"]["rx_data_bytes"] for x in sys.argv[1:]); print(b-a)' "$s0" "$s1" 2>/dev/null)
					((got >= BYTES)) || st=bad
				}
				extra=$(lr_delta "$s0" "$s1")
			done
			t=$(printf '%s\n' "${times[@]}" | median)
			echo "$rate $dir linerate $st $t nft_drops=$(nft_dropped "$NS_C") $extra" >>"$RES"
			[[ $st == ok ]] && ok "linerate $dir at $rate %: $t s ($extra)" ||
				notok "linerate $dir at $rate %: $st after $t s"
		done
		lr_stop
	fi
	# Linux, once per congestion control
	nft_loss "$NS_A" "$pm" && nft_loss "$NS_B" "$pm" || notok "nftables in $NS_A/$NS_B"
	for cc in "${LX_CCS[@]}"; do
		sys=linux
		[[ $cc != "${LX_CCS[0]}" ]] && sys=linux_$cc
		ns_cc "$cc" "$NS_A" "$NS_B" || { notok "Linux congestion control $cc"; continue; }
		for dir in "${DIRS[@]}"; do
			times=() st=ok
			for ((k = 0; k < reps; k++)); do
				: >"$WORK/lx_discard.count"
				to0=$(lx_timeouts)
				read -r s t <<<"$(run "$NS_B" "$LX_IP" "$dir")"
				to1=$(lx_timeouts)
				[[ $s != ok ]] && st=$s
				if [[ $dir == upload && $s == ok ]]; then # wc -c writes its count as socat closes
					for ((i = 0; i < 20; i++)); do [[ -s $WORK/lx_discard.count ]] && break; sleep 0.1; done
					[[ $(tail -1 "$WORK/lx_discard.count") == "$BYTES" ]] || st=bad
				fi
				times+=("$t")
			done
			t=$(printf '%s\n' "${times[@]}" | median)
			echo "$rate $dir $sys $st $t nft_drops=$(($(nft_dropped "$NS_A") + $(nft_dropped "$NS_B"))) lx_timeouts=$((to1 - to0))" >>"$RES"
			[[ $st == ok ]] && ok "Linux ($cc) $dir at $rate %: $t s" || notok "Linux ($cc) $dir at $rate %: $st after $t s"
		done
	done
done

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
if ((SMOKE)); then
	exit $FAIL
fi

mkdir -p "$OUT"
python3 - "$RES" "$OUT" "$BYTES" "$REPS" "$LOAD0" "$LOAD1" "$TMO" "${LX_CCS[*]}" "$ROOT" <<'EOF'
import json, sys, os, subprocess, datetime
path, out, nbytes, reps, load0, load1, tmo, lx_ccs, root = sys.argv[1:]
lx_ccs = lx_ccs.split()
extra_lx = ["linux_" + c for c in lx_ccs[1:]]
rows = {}
for l in open(path):
    f = l.split()
    if len(f) < 5:
        continue
    rate, d, system, st, secs = f[:5]
    extra = dict(x.split("=", 1) for x in f[5:] if "=" in x)
    rows.setdefault((rate, d), {})[system] = {"status": st, "seconds": float(secs),
                                              **{k: int(v) for k, v in extra.items()}}
rates = sorted({r for r, _ in rows}, key=float)
dirs = ["echo", "upload", "download"]
ckeys = []
for v in rows.values():
    for k in v.get("linerate", {}):
        if k not in ("status", "seconds", "nft_drops", "rexmt_segs") and k not in ckeys:
            ckeys.append(k)
def cell(r):
    if r is None:
        return "n/a"
    if r["status"] != "ok":
        return "%s (%.1f s)" % (r["status"], r["seconds"])
    return "%.2f" % r["seconds"]
lines = ["| loss each way | direction | linerate s | Linux (%s) s | linerate ÷ Linux | " % lx_ccs[0]
         + " | ".join("linerate " + k for k in ckeys) + " | Linux RTOs |"
         + "".join(" Linux (%s) s | its RTOs |" % c for c in lx_ccs[1:]),
         "|---:|---|---:|---:|---:|" + "---:|" * len(ckeys) + "---:|" + "---:|---:|" * len(extra_lx)]
targets = []
base = {d: rows.get((rates[0], d), {}).get("linerate") for d in dirs} if rates else {}
for rate in rates:
    for d in dirs:
        v = rows.get((rate, d), {})
        lr, lx = v.get("linerate"), v.get("linux")
        ratio = None
        if lr and lx and lr["status"] == "ok" and lx["status"] == "ok" and lx["seconds"] > 0:
            ratio = lr["seconds"] / lx["seconds"]
        if lr:
            lr["ratio"] = ratio
        lines.append("| %s %% | %s | %s | %s | %s | %s | %s |" % (
            rate, d, cell(lr), cell(lx), "%.2f" % ratio if ratio else "n/a",
            " | ".join(str(lr.get(k, "")) if lr else "" for k in ckeys),
            lx.get("lx_timeouts", "") if lx else "")
            + "".join(" %s | %s |" % (cell(v.get(x)), v[x].get("lx_timeouts", "") if x in v else "")
                      for x in extra_lx))
        if ratio is None or ratio > 2:
            targets.append("%s %% %s: %s" % (rate, d, "%.1fx Linux" % ratio if ratio else "no ratio"))
own = []
for d in dirs:
    a, b = base.get(d), rows.get(("0.1", d), {}).get("linerate")
    if a and b and a["status"] == "ok" and b["status"] == "ok" and float(rates[0]) == 0:
        own.append("%s %.2fx" % (d, b["seconds"] / a["seconds"]))
table = "\n".join(lines)
summary = ("Target within 2x Linux (" + lx_ccs[0] + ") at every rate: %s. Target 0.1 %% within 1.1x of linerate's own "
           "0 %% time: %s." % ("met" if not targets else "missed at " + "; ".join(targets),
                               ", ".join(own) if own else "n/a"))
print(table)
print()
print(summary)
rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                     capture_output=True, text=True).stdout.strip()
meta = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "git": rev,
        "bytes": int(nbytes), "reps_below_1pct": int(reps), "timeout_s": int(tmo),
        "cpus": os.cpu_count(), "load_start": load0.split(), "load_end": load1.split(),
        "linux_cc": lx_ccs}
json.dump({"machine": meta, "results": {"%s/%s" % k: v for k, v in rows.items()},
           "summary": summary}, open(os.path.join(out, "loss.json"), "w"), indent=1)
with open(os.path.join(out, "latest.md"), "a") as f:
    f.write("\n## loss sweep, linerate (net_tap) vs Linux (veth) %s (git %s, %d bytes, "
            "median of %s below 1 %%, load %s at the start, %s at the end)\n\n%s\n\n%s\n"
            % (meta["date"], rev, int(nbytes), reps, load0, load1, table, summary))
EOF
exit $FAIL
