#!/usr/bin/env python3
"""Figures of bench/e2e/dperf.sh (bench/README.md "dperf comparison (issue #10)").

  dperf_report.py WORK OUT STEADY_S SLOW_S SMOKE CPS RAMP_MAX KA_CONNS CONNS INTERVAL
                  GEN_CONC PRIO WORKLOAD...

Per workload W: the dperf client's logs against linerate (WORK/dperf_W_lr.log) and
against dperf's server (WORK/dperf_W_dp.log, the server's own log dperf_srv_W_dp.log),
the snapshots at the window's edges (snap{0,1}_W_{lr,dp}.json: linerate's `stats
services` and `cores`, or dperf's server CPU ticks; .cli: the client's CPU ticks, .srv
and .srvsec: dperf's server CPU ticks and last reported second). The generator:
WORK/gen_dp.log (the daemon's JSON summary) and snap{0,1}_gen_dp.json (`cores`, ticks).
-> one table on stdout, OUT/dperf.json and a section appended to OUT/latest.md; with
SMOKE=1 only ok / not ok lines (no files).
"""
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overload_report import cpu_ticks, parse_dperf, snapshot, steal_shares  # noqa: E402
import perf_parts  # noqa: E402


def load_json(path):
    try:
        with open(path) as f:
            return json.loads(f.read())
    except (OSError, ValueError):
        return None


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def share_of_ticks(work, base, ext, sec):
    """CPU share (1.0 = one CPU) of a process from its ticks at both edges, or None."""
    a = cpu_ticks(os.path.join(work, f'snap0_{base}.{ext}'))
    b = cpu_ticks(os.path.join(work, f'snap1_{base}.{ext}'))
    if a and b and sec > 0:
        return (b[0] - a[0]) / b[1] / sec
    return None


def one_run(work, name, win):
    """The client's figures over the window, and the server's (linerate or dperf)."""
    log = os.path.join(work, f'dperf_{name}.log')
    if not os.path.exists(os.path.join(work, f'{name}.ok')) or not os.path.exists(log):
        return None
    secs, tot = parse_dperf(log)
    got = [secs[s] for s in win if s in secs]

    def mean(k, rows=got):
        return sum(s.get(k, 0) for s in rows) / len(rows) if rows else 0

    sec = len(got)
    best = max(secs.items(), key=lambda kv: kv[1].get('http2XX', 0), default=(None, {}))
    r = {'window_s': sec, 'offered_cps': mean('skOpen'), 'served': mean('http2XX'),
         'requests_per_s': mean('httpGet'), 'client_busy': mean('cpuUsage') / 100,
         'client_cpu_share': share_of_ticks(work, name, 'cli', sec),
         'client_tx_drop_per_s': mean('dropTx'), 'client_syn_rexmt_per_s': mean('synRt'),
         'best_second': best[0], 'best_served': best[1].get('http2XX', 0),
         'best_client_busy': best[1].get('cpuUsage', 0) / 100,
         'per_second': {str(k): {f: v.get(f, 0) for f in ('skOpen', 'http2XX', 'httpGet',
                                                           'cpuUsage')}
                        for k, v in sorted(secs.items())},
         'client_total': tot}
    r['host_steal'] = steal_shares(work, name, sec)
    a = snapshot(os.path.join(work, f'snap0_{name}.json'))
    b = snapshot(os.path.join(work, f'snap1_{name}.json'))
    if a and b and sec:            # linerate's server
        busy = b[1]['busy_cycles'] - a[1]['busy_cycles']
        idle = b[1]['idle_cycles'] - a[1]['idle_cycles']
        r.update({'server': 'linerate',
                  'server_busy': busy / (busy + idle) if busy + idle > 0 else None,
                  'server_cpu_share': (b[1]['cpu_ms'] - a[1]['cpu_ms']) / 1e3 / sec,
                  'lr_answered_per_s': (b[0]['requests'] - a[0]['requests']) / sec})
    s0 = read_int(os.path.join(work, f'snap0_{name}.srvsec'))
    s1 = read_int(os.path.join(work, f'snap1_{name}.srvsec'))
    if s0 is not None and s1 is not None and s1 > s0:   # dperf's server
        ssecs, _ = parse_dperf(os.path.join(work, f'dperf_srv_{name}.log'))
        rows = [ssecs[s] for s in range(s0 + 1, s1 + 1) if s in ssecs]
        r.update({'server': 'dperf', 'server_busy': mean('cpuUsage', rows) / 100,
                  'server_cpu_share': share_of_ticks(work, name, 'srv', sec),
                  'dperf_server_window_s': len(rows)})
    end = load_json(os.path.join(work, f'end_{name}.json'))
    if end:
        tcp, eth = end.get('tcp', {}), end.get('eth', {})
        r['lr_end'] = {'conn_full': tcp.get('conn_full'), 'rexmt_segs': tcp.get('rexmt_segs'),
                       'syn_shed': {k: v for k, v in tcp.items()
                                    if 'shed' in k and isinstance(v, int) and v},
                       'tx_full': eth.get('tx_full'), 'rx_nombuf': eth.get('rx_nombuf')}
    return r


def gen_run(work, name):
    """linerate's generator: its summary and its worker's busy share, or None."""
    if not os.path.exists(os.path.join(work, f'gen_{name}.ok')):
        return None
    summ = None
    with open(os.path.join(work, f'gen_{name}.log'), errors='replace') as f:
        for line in f:
            if line.startswith('{'):
                try:
                    summ = json.loads(line)
                except ValueError:
                    pass
    if not summ:
        return None
    r = {'summary': summ, 'cps': summ.get('cps'), 'errors': summ.get('errors')}
    parts = []
    for e in (0, 1):
        try:
            with open(os.path.join(work, f'snap{e}_gen_{name}.json')) as f:
                parts.append([json.loads(x) for x in f if x.strip()])
        except (OSError, ValueError):
            parts.append([])
    try:
        a, b = parts[0][0][0], parts[1][0][0]
        busy = b['busy_cycles'] - a['busy_cycles']
        idle = b['idle_cycles'] - a['idle_cycles']
        sec = parts[1][2]['t'] - parts[0][2]['t']
        r['gen_window_s'] = sec
        r['gen_busy'] = busy / (busy + idle) if busy + idle > 0 else None
        r['gen_worker_cpu_share'] = (b['cpu_ms'] - a['cpu_ms']) / 1e3 / sec
        r['gen_cpu_share'] = (parts[1][1]['cpu_ticks'] - parts[0][1]['cpu_ticks']) / \
            parts[1][1]['hz'] / sec
    except (IndexError, KeyError, TypeError, ZeroDivisionError):
        pass
    base = f'gen_{name}'
    s0 = read_int(os.path.join(work, f'snap0_{base}.srvsec'))
    s1 = read_int(os.path.join(work, f'snap1_{base}.srvsec'))
    if s0 is not None and s1 is not None and s1 > s0 and r.get('gen_window_s'):
        ssecs, _ = parse_dperf(os.path.join(work, 'dperf_srv_gen.log'))
        rows = [ssecs[x] for x in range(s0 + 1, s1 + 1) if x in ssecs]
        if rows:
            r['server_busy'] = sum(x.get('cpuUsage', 0) for x in rows) / len(rows) / 100
            r['server_requests_per_s'] = sum(x.get('httpGet', 0) for x in rows) / len(rows)
        r['server_cpu_share'] = share_of_ticks(work, base, 'srv', r['gen_window_s'])
    return r


def pct(v):
    return f'{v * 100:.0f} %' if isinstance(v, (int, float)) else 'n/a'


def num(v):
    return f'{v:,.0f}' if isinstance(v, (int, float)) else 'n/a'


def ratio(a, b):
    return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def pct100(v):
    return v * 100 if isinstance(v, (int, float)) else None


def per_core(v, busy):
    return v / busy if isinstance(v, (int, float)) and busy else None


def shares(r):
    """'server CPU, client CPU' of one run."""
    if not r:
        return 'n/a'
    return f"{pct(r.get('server_cpu_share'))}, {pct(r.get('client_cpu_share'))}"


def rows_of(runs, gen, a):
    """The table's rows: (workload, dperf, linerate, busy dperf, busy linerate, shares)."""
    out = []

    def get(wl, side, k):
        r = runs.get(f'{wl}_{side}')
        return r.get(k) if r else None

    def add(what, wl, d, lr, busy=True):
        bd = pct(get(wl, 'dp', 'server_busy')) if busy else ''
        bl = pct(get(wl, 'lr', 'server_busy')) if busy else ''
        out.append({'workload': what, 'dperf': d, 'linerate': lr, 'ratio': ratio(lr, d),
                    'busy': f'{bd} / {bl}' if busy else '',
                    'cpu': f"{shares(runs.get(f'{wl}_dp'))} / {shares(runs.get(f'{wl}_lr'))}"})
    if 'cps' in a['workloads']:
        add(f"CPS at {num(a['cps'])} offered: served CPS", 'cps',
            get('cps', 'dp', 'served'), get('cps', 'lr', 'served'))
        add('  served CPS per busy server core', 'cps',
            per_core(get('cps', 'dp', 'served'), get('cps', 'dp', 'server_busy')),
            per_core(get('cps', 'lr', 'served'), get('cps', 'lr', 'server_busy')))
    if 'max' in a['workloads']:
        add(f"CPS, highest (ramp to {num(a['ramp_max'])}, best second)", 'max',
            get('max', 'dp', 'best_served'), get('max', 'lr', 'best_served'))
        add('  mean of the steady seconds at the ceiling', 'max',
            get('max', 'dp', 'served'), get('max', 'lr', 'served'))
    if 'ka' in a['workloads']:
        add(f"keep-alive req/s, {num(a['ka_conns'])} connections, back to back", 'ka',
            get('ka', 'dp', 'served'), get('ka', 'lr', 'served'))
    if 'cc' in a['workloads']:
        add(f"{num(a['conns'])} connections, one GET each per {a['interval']} "
            f"({num(a['cc_offered'])}/s offered): served req/s", 'cc',
            get('cc', 'dp', 'served'), get('cc', 'lr', 'served'))
        # what the client sent (its GETs, retransmissions included): the load each
        # server was offered, and the share of it served (the target: >= 95 %)
        add('  requests the client sent per second', 'cc',
            get('cc', 'dp', 'requests_per_s'), get('cc', 'lr', 'requests_per_s'), busy=False)
        add('  served ÷ sent (%)', 'cc',
            pct100(ratio(get('cc', 'dp', 'served'), get('cc', 'dp', 'requests_per_s'))),
            pct100(ratio(get('cc', 'lr', 'served'), get('cc', 'lr', 'requests_per_s'))),
            busy=False)
    if 'gen' in a['workloads']:
        d = per_core(get('max', 'dp', 'best_served'), get('max', 'dp', 'best_client_busy'))
        lr = per_core(gen.get('cps'), gen.get('gen_busy')) if gen else None
        out.append({'workload': "generator CPS per busy core, against dperf's server "
                                "(dperf's client: max ramp's best second)",
                    'dperf': d, 'linerate': lr, 'ratio': ratio(lr, d),
                    'busy': f"{pct(get('max', 'dp', 'best_client_busy'))} / "
                            f"{pct(gen.get('gen_busy') if gen else None)}",
                    'cpu': f"{shares(runs.get('max_dp'))} / "
                           f"{pct(gen.get('server_cpu_share') if gen else None)}, "
                           f"{pct(gen.get('gen_cpu_share') if gen else None)}"})
        out.append({'workload': '  generator CPS (raw)',
                    'dperf': get('max', 'dp', 'best_served'),
                    'linerate': gen.get('cps') if gen else None,
                    'ratio': ratio(gen.get('cps') if gen else None,
                                   get('max', 'dp', 'best_served')), 'busy': '', 'cpu': ''})
    return out


def smoke(runs, gen, workloads):
    fail = 0
    for wl in workloads:
        if wl == 'gen':
            ok = gen is not None and (gen.get('cps') or 0) > 0
            print(f"{'ok' if ok else 'not ok'} - linerate's generator against dperf's server: "
                  f"{num(gen.get('cps') if gen else None)} CPS, "
                  f"busy {pct(gen.get('gen_busy') if gen else None)}")
            fail |= not ok
            continue
        for side, who in (('lr', "linerate's server"), ('dp', "dperf's server")):
            r = runs.get(f'{wl}_{side}')
            ok = r is not None and r['best_served'] > 0 and r.get('server_busy') is not None
            print(f"{'ok' if ok else 'not ok'} - {wl}: dperf's client against {who}: "
                  f"best second {num(r['best_served'] if r else None)} served, "
                  f"busy {pct(r.get('server_busy') if r else None)}")
            fail |= not ok
    return fail


def parts_table(work, runs, gen, srv_cpu, cli_cpu):
    """With DPC_PERF=1's recordings (WORK/perf_*.data): CPU time a unit by part of each
    busy core, as a markdown table and a dict; (None, {}) without them."""
    cols = []
    for wl, unit in (('cps', 'conn'), ('max', 'conn'), ('ka', 'req'), ('cc', 'req')):
        for side, who in (('lr', 'linerate'), ('dp', 'dperf')):
            r = runs.get(f'{wl}_{side}')
            if r:
                cols.append((f'{wl}: {who} server (ns a {unit})', f'perf_{wl}_{side}.data',
                             srv_cpu, r.get('served'), r.get('server_busy')))
    if gen:
        cols.append(("gen: linerate's generator (ns a conn)", 'perf_gen_dp.data', cli_cpu,
                     gen.get('cps'), gen.get('gen_busy')))
    if runs.get('max_dp'):
        r = runs['max_dp']
        cols.append(("max: dperf's client (ns a conn)", 'perf_max_dp.data', cli_cpu,
                     r.get('served'), r.get('client_busy')))
    got = {}
    for title, f, cpu, rate, busy in cols:
        path = os.path.join(work, f)
        if os.path.exists(path) and rate:
            parts, total = perf_parts.count(path, cpu)
            if total:
                got[title] = {'ns': perf_parts.per_unit(parts, total, rate),
                              'samples': total, 'rate': rate, 'busy': busy}
    if not got:
        return None, {}
    names = sorted({k for g in got.values() for k in g['ns']},
                   key=lambda k: -max(g['ns'].get(k, 0) for g in got.values()))
    lines = ['| part | ' + ' | '.join(got) + ' |', '|---|' + '---:|' * len(got)]
    for k in names:
        if max(g['ns'].get(k, 0) for g in got.values()) >= 0.5:
            lines.append(f'| {k} | ' + ' | '.join(f"{g['ns'].get(k, 0):.0f}"
                                                  for g in got.values()) + ' |')
    lines.append('| all | ' + ' | '.join(f"{sum(g['ns'].values()):.0f}"
                                         for g in got.values()) + ' |')
    lines.append('| busy % (worker busy cycles; dperf: cpuUsage) | ' +
                 ' | '.join(pct(g['busy']) for g in got.values()) + ' |')
    lines.append('| samples | ' + ' | '.join(str(g['samples']) for g in got.values()) + ' |')
    return '\n'.join(lines), got


def main(argv):
    if len(argv) < 14:
        print(__doc__, file=sys.stderr)
        return 2
    work, out = argv[1], argv[2]
    dur, slow, is_smoke = int(argv[3]), int(argv[4]), argv[5] == '1'
    interval = argv[10]
    ms = float(interval[:-2]) if interval.endswith('ms') else float(interval.rstrip('s')) * 1e3
    a = {'cps': int(argv[6]), 'ramp_max': int(argv[7]), 'ka_conns': int(argv[8]),
         'conns': int(argv[9]), 'interval': interval, 'gen_conc': int(argv[11]),
         'prio': argv[12], 'workloads': argv[13:]}
    a['cc_offered'] = a['conns'] * 1000 / ms if ms else None
    runs = {}
    for wl in a['workloads']:
        if wl == 'gen':
            continue
        # the max ramp runs 3 steady seconds: its window is seconds 2-3 as well
        win = list(range(slow + 1, slow + (3 if wl == 'max' else dur)))
        for side in ('lr', 'dp'):
            r = one_run(work, f'{wl}_{side}', win)
            if r is not None:
                runs[f'{wl}_{side}'] = r
    gen = gen_run(work, 'dp')
    if is_smoke:
        return smoke(runs, gen, a['workloads'])
    rows = rows_of(runs, gen, a)
    rev = subprocess.run(['git', '-C', os.path.dirname(os.path.abspath(out)), 'rev-parse',
                          '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    with open('/proc/loadavg') as f:
        load = f.read().split()[:3]
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'git': rev, 'cpus': os.cpu_count(), 'load': load, 'steady_s': dur,
            'window_s': dur - 1, 'slow_start_s': slow, 'sched': a['prio'], **a}
    lines = ['| workload | dperf | linerate | linerate ÷ dperf | server busy % (dperf / '
             'linerate) | CPU share: server, client (dperf run / linerate run) |',
             '|---|---:|---:|---:|---|---|']
    for x in rows:
        rt = f"{x['ratio']:.2f}" if x['ratio'] is not None else 'n/a'
        lines.append(f"| {x['workload']} | {num(x['dperf'])} | {num(x['linerate'])} | {rt} | "
                     f"{x['busy']} | {x['cpu']} |")
    table = '\n'.join(lines)
    notes = (f"Window: steady seconds 2-{dur} after dperf's {slow} s slow start (max: seconds "
             f"2-3 at the ceiling); busy % = linerate's worker busy-cycle share (`cores`) or "
             f"dperf's cpuUsage; CPU share = the process's (or worker thread's) CPU time over "
             f"the window, 100 % = one CPU; pinned processes run `{a['prio']}`.")
    print(table)
    print(notes)
    ptable, parts = parts_table(work, runs, gen, int(os.environ.get('DPC_SRV_CPU', '1')),
                                int(os.environ.get('DPC_CLI_CPU', '0')))
    if ptable:
        pnotes = ("CPU time a connection or request over the same window, by part "
                  "(DPC_PERF=1: `perf record -e cpu-clock` of the busy core, "
                  "bench/e2e/perf_parts.py): a part's share of the core's samples x 1 s / "
                  "the served rate. linerate's idle turns are in its poll loop's part, "
                  "dperf's in its own code's (one part: its loop is inlined).")
        print(f'\n{ptable}\n{pnotes}')
    with open(os.path.join(out, 'dperf.json'), 'w') as f:
        json.dump({'machine': meta, 'rows': rows, 'runs': runs, 'generator': gen,
                   'parts': parts}, f, indent=1)
    with open(os.path.join(out, 'latest.md'), 'a') as f:
        f.write(f"\n## dperf column (issue #10) {meta['date']} (git {rev}, load "
                f"{' '.join(load)})\n\n{table}\n\n{notes}\n")
        if ptable:
            f.write(f"\n{ptable}\n\n{pnotes}\n")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
