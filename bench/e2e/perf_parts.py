#!/usr/bin/env python3
"""Where a busy-polling core's time goes, per unit of work (bench/README.md "Session 14").

  perf_parts.py DATA CPU RATE [UNIT]   a table: CPU time a unit (ns) by part
  perf_parts.py --selftest             check the classification and the arithmetic

DATA is a `perf record -e cpu-clock -C ...` file of a window in which CPU ran one
busy-polling process (linerate's worker or dperf) handling RATE units a second
(connections, requests). Every sample of CPU is put in a part: the driver (the memif
PMD and the mbuf, mempool and ring libraries it calls), the kernel, other processes,
dperf's own code (one part: it is built with its loop inlined), or for linerate one part
of its pipeline by function name. A part's time a unit is its share of CPU's samples x
1 s / RATE: the core is busy polling the whole window, so its samples are one CPU's time.
bench/e2e/dperf.sh records such files with DPC_PERF=1 and dperf_report.py tables them.
"""
import collections
import re
import subprocess
import sys

# linerate's functions, by part; the first match wins (order matters: "tcp_tw_" before
# the connection table, the poll loop's own functions before receive and send).
LR_PARTS = [
    ('poll loop, per turn (idle turns too)',
     r'^(worker_main|lr_tsc_us|lr_worker_flush|lr_fault_poll|lr_loadgen_poll|lr_steer_poll|'
     r'lr_tcp_tick|lr_arp_sync|lr_steer_rx|lr_fault_rx|lr_tcp_rx_load|lr_steer_flush|'
     r'lr_tx_burst_eth|lr_tcp_flush|lr_eth_input_burst|tcp_conn_reap|lr_svc_poll)$'),
    ('TIME_WAIT', r'^(tw_|tcp_tw_|tcp_enter_time_wait)'),
    ('connection table, blocks, listen',
     r'ctab|^tcp_conn_new$|^tcp_conn_free$|^tcp_cc_set$|listen|^tcp_set_state$|'
     r'^tcp_orphan|^tcp_created|^tcp_pick_port|^lr_tcp_connect_prefetch$'),
    ('checksums', r'cksum'),
    ('ISN and timestamp secrets (SipHash)', r'siphash|isn|ts_offset'),
    ('send buffer', r'^(sb_|tcp_sb_)'),
    ('timers, RTT, congestion control', r'timer|rtt|tlp|cubic|^tcp_cc_|hystart|rack|newreno|'
     r'^tcp_keep_reset$'),
    ('receive: Ethernet, IPv4, TCP input, state machine',
     r'^(lr_eth_input|lr_ip_input|lr_tcp_input|tcp_burst_stage|tcp_conn_find|tcp_fsm_|fsm_|'
     r'tcp_negotiate|tcp_parse_opts|tcp_ack_delay|tcp_mbuf_cut_head|tcp_reass_pop|'
     r'tcp_notify_connected|tcp_ack_schedule|rcv_reopen)'),
    ('send: segments, headers, IPv4, Ethernet',
     r'^(tcp_xmit|tcp_output|tcp_fill_hdr|tcp_account_tx|lr_ip_output|lr_eth_send|'
     r'lr_eth_output_ipv4|lr_alloc|tcp_rcv_space|tcp_send_ctl|tcp_syn_opts|tcp_sent|'
     r'lr_tcp_send|lr_tcp_shutdown|lr_tcp_close|tcp_close_conn|lr_tcp_recved|l4_cksum)'),
    ('mbuf frees', r'pktmbuf_free'),
    ('HTTP service', r'http|^svc_|^sc_|lr_svc_'),
    ('generator (loadgen)', r'lg_|loadgen|^tcp_data$|^tcp_connected$|^req_push'),
]
LR_RX = [(name, re.compile(rx)) for name, rx in LR_PARTS]
DRIVER = re.compile(r'memif|mempool|librte_mbuf|librte_ring|librte_ethdev')


def classify(comm, sym, dso):
    """The part of one sample: comm (process name), sym (function), dso (its file)."""
    base = dso.rsplit('/', 1)[-1]
    if DRIVER.search(base):
        return 'driver: memif PMD, mbuf and mempool libraries'
    if 'kernel' in base or base == '[vdso]':
        return 'kernel'
    if comm.startswith('dperf'):
        return "dperf's own code" if base == 'dperf' else f'dperf: {base}'
    if not (comm == 'linerate' or comm.startswith('rte-worker') or comm.startswith('lcore')):
        return 'other processes'
    if base != 'linerate':
        return f'linerate: {base}'
    for name, rx in LR_RX:
        if rx.search(sym):
            return name
    return 'linerate: other functions'


def count(data, cpu):
    """Samples by part on one CPU of a perf.data file, and their total."""
    out = subprocess.run(['perf', 'script', '-i', data, '--cpu', str(cpu), '-F',
                          'cpu,comm,ip,sym,dso'], capture_output=True, text=True,
                         errors='replace').stdout
    return tally(out.splitlines())


def tally(lines):
    parts = collections.Counter()
    for line in lines:
        # "<comm> [cpu] <ip> <sym>+off? (<dso>)"; comm may hold blanks, sym may be
        # [unknown]
        m = re.match(r'\s*(.*?)\s+\[(\d+)\]\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$', line)
        if not m:
            continue
        sym = re.sub(r'\+0x[0-9a-f]+$', '', m.group(3).strip())
        parts[classify(m.group(1), sym, m.group(4))] += 1
    return parts, sum(parts.values())


def per_unit(parts, total, rate):
    """{part: ns of the CPU a unit} for RATE units a second."""
    if not total or not rate:
        return {}
    return {k: v / total * 1e9 / rate for k, v in parts.items()}


def selftest():
    lines = [
        'rte-worker-1 [001]   5649fb631069 tcp_xmit+0x10 (/x/build/app/linerate)',
        'rte-worker-1 [001]   5649fb631069 tcp_tw_enter+0x3 (/x/build/app/linerate)',
        'rte-worker-1 [001]   5649fb631069 ctab_lookup_bulk (/x/build/app/linerate)',
        'rte-worker-1 [001]   5649fb631069 [unknown] (/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/'
        'librte_net_memif.so.23.0)',
        'rte-worker-1 [001]   5649fb631069 lr_cksum_add+0x1 (/x/build/app/linerate)',
        'dperf [000]   5649fb631069 tcp_client_run_loop_ipv4+0x99 (/tmp/dperf/build/dperf)',
        'dperf [000]   5649fb631069 rte_pktmbuf_free_bulk+0x2 (/usr/lib/librte_mbuf.so.23.0)',
        'swapper [000]   5649fb631069 default_idle+0x1 ([kernel.kallsyms])',
        'bash [000]   5649fb631069 main+0x1 (/usr/bin/bash)',
        'rte-worker-1 [001]   5649fb631069 worker_main+0x459 (/x/build/app/linerate)',
        'not a sample line',
    ]
    parts, total = tally(lines)
    want = {'send: segments, headers, IPv4, Ethernet': 1, 'TIME_WAIT': 1,
            'connection table, blocks, listen': 1, 'checksums': 1,
            'driver: memif PMD, mbuf and mempool libraries': 2, "dperf's own code": 1,
            'kernel': 1, 'other processes': 1, 'poll loop, per turn (idle turns too)': 1}
    ok = dict(parts) == want and total == 10
    ns = per_unit(parts, total, 1e6)
    ok = ok and abs(ns['driver: memif PMD, mbuf and mempool libraries'] - 200.0) < 1e-9 and \
        abs(sum(ns.values()) - 1000.0) < 1e-9 and per_unit(parts, 0, 1e6) == {}
    print('perf_parts selftest:', 'ok' if ok else f'FAILED: {dict(parts)} {total}')
    return 0 if ok else 1


def main(argv):
    if len(argv) == 2 and argv[1] == '--selftest':
        return selftest()
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    unit = argv[4] if len(argv) > 4 else 'unit'
    parts, total = count(argv[1], int(argv[2]))
    ns = per_unit(parts, total, float(argv[3]))
    print(f'| part | ns a {unit} | share |\n|---|---:|---:|')
    for k, v in sorted(ns.items(), key=lambda kv: -kv[1]):
        print(f'| {k} | {v:.0f} | {100 * parts[k] / total:.1f} % |')
    print(f'| all ({total} samples) | {sum(ns.values()):.0f} | 100 % |')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
