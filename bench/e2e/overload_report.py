#!/usr/bin/env python3
"""Figures of bench/e2e/overload.sh (bench/README.md "Overload curve").

  overload_report.py peak DPERF_LOG
      the best second of HTTP 2xx in a dperf client log (the ramp's peak)
  overload_report.py report WORK OUT PEAK STEADY_S SLOW_S RAMP_MAX MULT...
      per offered multiple: dperf's log (WORK/dperf_xM.log), linerate's snapshots at the
      window's edges (WORK/snap{0,1}_xM.json: `stats services`, `cores`), its final
      counters (WORK/end_xM.json) and the ramps' logs (WORK/dperf_ramp{1,2}.log)
      -> a table on stdout, OUT/overload.json, a section appended to OUT/latest.md

The window is dperf's steady seconds SLOW+1 .. SLOW+STEADY-1: the slow start and the
first steady second are left out; the snapshots were read when dperf printed seconds
SLOW and SLOW+STEADY-1, so both sides count the same seconds.
"""
import datetime
import json
import os
import re
import subprocess
import sys


def parse_dperf(path):
    """dperf's per-second reports and totals: ({second: {field: value}}, {field: value})."""
    secs, cur, tot = {}, None, None
    with open(path, errors='replace') as f:
        for line in f:
            line = re.sub(r'\x1b\[[0-9;]*m', '', line)
            m = re.match(r'seconds\s+(\d+)\s+cpuUsage\s+(\d+)', line)
            if m:
                cur = secs.setdefault(int(m.group(1)), {'cpuUsage': int(m.group(2))})
                continue
            if line.startswith('Total Numbers'):
                cur = tot = {}
                continue
            if cur is not None:
                for k, v in re.findall(r'([A-Za-z0-9()]+)\s+([\d,.]+)', line):
                    cur[k] = float(v.replace(',', ''))
    return secs, tot or {}


def snapshot(path):
    """(http service counters, worker 0's cores row) from a snapshot file, or None."""
    try:
        with open(path) as f:
            parts = [json.loads(line) for line in f if line.strip()]
        return parts[0]['services']['http'], parts[1][0]
    except (OSError, ValueError, KeyError, IndexError):
        return None


def steal_shares(work, name, sec):
    """Each CPU's share (1.0 = all of it) the host took over the window (steal_snap), or {}."""
    def read(path):
        try:
            with open(path) as f:
                return {l.split()[0]: (int(l.split()[1]), int(l.split()[2])) for l in f
                        if len(l.split()) == 3}
        except (OSError, ValueError):
            return {}
    a = read(os.path.join(work, f'snap0_{name}.steal'))
    b = read(os.path.join(work, f'snap1_{name}.steal'))
    if sec <= 0:
        return {}
    return {c: (b[c][0] - a[c][0]) / b[c][1] / sec for c in a if c in b}


def cpu_ticks(path):
    """(utime + stime ticks, ticks per second) of dperf's server, or None."""
    try:
        with open(path) as f:
            d = json.loads(f.read())
        return d['cpu_ticks'], d['hz']
    except (OSError, ValueError, KeyError, TypeError):
        return None


TRACE_TCP = ('syncookie_sent', 'rexmt_segs', 'synack_giveup', 'half_open_pruned', 'dup_syn',
             'syn_shed_backlog', 'syn_shed_tx', 'syn_shed_conns', 'syn_shed_pressure',
             'conn_full')


def trace(work, name):
    """linerate's counters after each of dperf's seconds (OVL_TRACE=1): {second: {...}}."""
    out = {}
    for f in os.listdir(work):
        m = re.fullmatch(rf'trace_{re.escape(name)}_(\d+)\.json', f)
        if not m:
            continue
        try:
            with open(os.path.join(work, f)) as fh:
                d = json.load(fh)
        except (OSError, ValueError):
            continue
        tcp = d.get('tcp', {})
        row = {k: tcp.get(k) for k in TRACE_TCP}
        row.update({f'states_{k}': tcp.get('states', {}).get(k)
                    for k in ('syn_rcvd', 'established', 'last_ack')})
        row['tx'] = d.get('eth', {}).get('tx')
        row['tx_full'] = d.get('eth', {}).get('tx_full')
        row['http_requests'] = d.get('services', {}).get('http', {}).get('requests')
        out[int(m.group(1))] = row
    return {str(k): out[k] for k in sorted(out)}


def num(v):
    return f'{v:,.0f}' if isinstance(v, (int, float)) else 'n/a'


def one_run(work, name, rate, win):
    secs, tot = parse_dperf(os.path.join(work, f'dperf_{name}.log'))
    got = [secs[s] for s in win if s in secs]

    def mean(k):
        return sum(s.get(k, 0) for s in got) / len(got) if got else 0

    r = {'offered_target_cps': rate, 'window_s': len(got),
         'offered_cps': mean('skOpen'), 'served_cps': mean('http2XX'),
         'requests_per_s': mean('httpGet'), 'dperf_cpu_pct': mean('cpuUsage'),
         'dperf_syn_rexmt_per_s': mean('synRt'), 'dperf_tcp_drop_per_s': mean('tcpDrop'),
         'dperf_tx_drop_per_s': mean('dropTx'), 'dperf_total': tot,
         'dperf_per_second': {str(k): {f: v.get(f, 0) for f in
                                        ('skOpen', 'http2XX', 'httpGet', 'cpuUsage')}
                              for k, v in sorted(secs.items())}}
    a = snapshot(os.path.join(work, f'snap0_{name}.json'))
    b = snapshot(os.path.join(work, f'snap1_{name}.json'))
    if a and b and got:
        sec = len(got)
        cpu_s = (b[1]['cpu_ms'] - a[1]['cpu_ms']) / 1e3
        answered = b[0]['requests'] - a[0]['requests']
        busy = b[1]['busy_cycles'] - a[1]['busy_cycles']
        idle = b[1]['idle_cycles'] - a[1]['idle_cycles']
        busy_cpu_s = cpu_s * busy / (busy + idle) if busy + idle > 0 else 0
        r.update({'lr_answered_per_s': answered / sec,
                  'lr_accepted_per_s': (b[0]['conns'] - a[0]['conns']) / sec,
                  'lr_worker_cpu_share': cpu_s / sec,
                  'lr_worker_busy_share': busy / (busy + idle) if busy + idle > 0 else None,
                  'lr_answered_per_busy_cpu_s': answered / busy_cpu_s if busy_cpu_s > 0
                  else None})
    r['host_steal'] = steal_shares(work, name, len(got))
    t = trace(work, name)
    if t:
        r['lr_per_second'] = t
    a = cpu_ticks(os.path.join(work, f'snap0_{name}.json'))
    b = cpu_ticks(os.path.join(work, f'snap1_{name}.json'))
    if a and b and got:
        share = (b[0] - a[0]) / b[1] / len(got)
        r.update({'server_cpu_share': share,
                  'served_per_server_cpu_s': r['served_cps'] / share if share > 0 else None})
    try:
        with open(os.path.join(work, f'end_{name}.json')) as f:
            end = json.load(f)
        tcp = end.get('tcp', {})
        r['lr_end'] = {k: tcp.get(k) for k in ('conn_full', 'half_open_full', 'syncookie_sent',
                                                'rexmt_segs', 'timeout_drop', 'established')}
        # and whatever the pressure work adds: shedding, orphans, TIME_WAIT, memory
        r['lr_end'].update({k: v for k, v in tcp.items() if isinstance(v, int) and v and
                            re.search(r'shed|overload|orphan|tw|pressure|mem|nobufs', k)})
        r['lr_end']['states'] = tcp.get('states', {})
        r['lr_end']['tx_full'] = end.get('eth', {}).get('tx_full')
        r['lr_end']['tx'] = end.get('eth', {}).get('tx')
        r['lr_end']['mem'] = end.get('mem', {})
        r['lr_end']['mempool'] = end.get('mempool', {})
        r['lr_end_stats'] = end
    except (OSError, ValueError):
        pass
    return r


def steal(r):
    """The host's steal share of the server's and the client's CPU over the window."""
    h = r.get('host_steal') or {}
    cpus = [f"cpu{os.environ.get('OVL_SERVER_CPU', '1')}", f"cpu{os.environ.get('OVL_CLIENT_CPU', '0')}"]
    return ', '.join(f'{h[c] * 100:.0f} %' if c in h else 'n/a' for c in cpus)


def row(m, r):
    e = r.get('lr_end', {})
    share, busy = r.get('lr_worker_cpu_share'), r.get('lr_worker_busy_share')
    return (f"| {m}x ({num(r['offered_target_cps'])}) | {num(r['offered_cps'])} | "
            f"{num(r['served_cps'])} | {num(r['requests_per_s'])} | "
            f"{num(r.get('lr_answered_per_s'))} | "
            f"{f'{share * 100:.0f} %' if share is not None else 'n/a'}, "
            f"{f'{busy * 100:.0f} %' if busy is not None else 'n/a'} | "
            f"{num(r.get('lr_answered_per_busy_cpu_s'))} | {r['dperf_cpu_pct']:.0f} % | "
            f"{num(e.get('states', {}).get('last_ack'))}, {num(e.get('conn_full'))}, "
            f"{num(e.get('syncookie_sent'))}, {num(e.get('rexmt_segs'))}, "
            f"{num(e.get('tx_full'))} | {steal(r)} |")


def report(work, out, peak, dur, slow, ramp_max, mults):
    win = list(range(slow + 1, slow + dur))
    runs = {}
    for m in mults:
        try:
            with open(os.path.join(work, f'rate_x{m}')) as f:
                rate = int(f.read())
        except OSError:
            continue
        runs[m] = one_run(work, f'x{m}', rate, win)
    if not runs:
        print('not ok - no run of the curve finished')
        return 1
    base = None
    if os.path.exists(os.path.join(work, 'rate_dperf3x')):
        with open(os.path.join(work, 'rate_dperf3x')) as f:
            base = one_run(work, 'dperf3x', int(f.read()), win)
    ramps = {}
    for name in ('ramp1', 'ramp2'):
        path = os.path.join(work, f'dperf_{name}.log')
        if os.path.exists(path):
            secs, _ = parse_dperf(path)
            ramps[name] = {str(k): {f: v.get(f, 0) for f in ('skOpen', 'http2XX', 'cpuUsage')}
                           for k, v in sorted(secs.items())}
    best = max(r['served_cps'] for r in runs.values())
    ratio = runs['3']['served_cps'] / best if '3' in runs and best > 0 else None
    rev = subprocess.run(['git', '-C', os.path.dirname(os.path.abspath(out)), 'rev-parse',
                          '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    with open('/proc/loadavg') as f:
        load = f.read().split()[:3]
    label = os.environ.get('OVL_LABEL') or f'git {rev}'
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'git': rev, 'label': label, 'nice': int(os.environ.get('OVL_NICE') or 0),
            'cpus': os.cpu_count(), 'load': load, 'steady_s': dur, 'window_s': len(win),
            'slow_start_s': slow, 'ramp_max': ramp_max, 'peak_cps': peak,
            'peak_given': bool(os.environ.get('OVL_PEAK')),
            'rt': os.environ.get('OVL_RT') or None, 'stall': os.environ.get('OVL_STALL') or None}
    lines = ['| offered (CPS) | offered CPS (dperf) | served CPS (dperf 2xx) | '
             'requests/s (dperf GETs) | answered/s (linerate) | worker CPU, busy | '
             'answered / busy CPU-s | dperf CPU | end: LAST_ACK, conn_full, SYN cookies, '
             'rexmt segs, TX ring full | host steal: server CPU, client CPU |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---|---|']
    lines += [row(m, r) for m, r in runs.items()]
    how = 'given, OVL_PEAK' if os.environ.get('OVL_PEAK') else 'ramp, best second'
    summary = (f"Peak ({how}): {peak:,} CPS. Best served: {best:,.0f} CPS; "
               f"served at 3x / best = "
               f"{f'{ratio * 100:.0f} %' if ratio is not None else 'n/a'} (target >= 90 %).")
    short = [f"{m}x ({r['offered_cps'] / r['offered_target_cps'] * 100:.0f} %)"
             for m, r in runs.items() if r['offered_cps'] < 0.9 * r['offered_target_cps']]
    if short:
        summary += (" The peer did NOT reach the offered rate at " + ', '.join(short) +
                    " of the target: those points under-state the load.")
    # linerate's replies that found the client's memif ring full: the client did not keep up
    def full_share(r):
        e = r.get('lr_end', {})
        return e['tx_full'] / (e['tx'] + e['tx_full']) if e.get('tx_full') else 0

    behind = [f"{m}x ({full_share(r) * 100:.0f} %)" for m, r in runs.items()
              if full_share(r) > 0.1]
    if behind:
        summary += (" More than 10 % of linerate's frames found dperf's ring full at " +
                    ', '.join(behind) + ": there dperf did not drain its ring, the peer was slow.")
    if base is not None:
        share = base.get('server_cpu_share')
        summary += (f"\n\nBaseline, dperf's own server on the same CPU at 3x "
                    f"({num(base['offered_target_cps'])} CPS offered, {num(base['offered_cps'])} "
                    f"opened): served {num(base['served_cps'])} CPS, requests/s "
                    f"{num(base['requests_per_s'])}, server CPU "
                    f"{f'{share * 100:.0f} %' if share is not None else 'n/a'}, served per "
                    f"server CPU-s {num(base.get('served_per_server_cpu_s'))}.")
    table = '\n'.join(lines)
    print(table)
    print(summary)
    with open(os.path.join(out, 'overload.json'), 'w') as f:
        json.dump({'machine': meta, 'best_served_cps': best, 'served_3x_over_best': ratio,
                   'ramps': ramps, 'runs': runs,
                   'baseline_dperf_server_3x': base}, f, indent=1)
    with open(os.path.join(out, 'latest.md'), 'a') as f:
        f.write(f"\n## overload curve (dperf client over memif) {meta['date']} ({label}, "
                f"window {len(win)} s after a {slow} s slow start, "
                f"{'rt ' + meta['rt'] if meta['rt'] else 'nice ' + str(meta['nice'])}, "
                f"{'dperf stopped ' + meta['stall'] + ', ' if meta['stall'] else ''}"
                f"load {' '.join(load)})"
                f"\n\n{table}\n\n{summary}\n")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == 'peak':
        secs, _ = parse_dperf(argv[2])
        print(int(max([v.get('http2XX', 0) for v in secs.values()] or [0])))
        return 0
    if len(argv) >= 9 and argv[1] == 'report':
        return report(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]),
                      int(argv[7]), argv[8:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
