#!/usr/bin/env python3
"""Medians of bench/e2e/dperf.sh's rounds (DPC_ROUNDS; bench/README.md "dperf comparison").

  dperf_rounds.py OUT ROUND_JSON...

Each ROUND_JSON is one round's dperf.json (dperf_report.py): both servers (or both
clients) measured in turn in that round. Per row: the median of dperf's figure, of
linerate's, and of the round's own ratio (a ratio is taken within its round, where both
sides ran minutes apart on the same machine, then the median of those), with the
smallest and largest of each. -> the table on stdout, OUT/dperf.json ("rows": the
medians, "rounds": every round's file) and a section appended to OUT/latest.md.
"""
import datetime
import json
import os
import statistics
import subprocess
import sys


def num(v):
    return f'{v:,.0f}' if isinstance(v, (int, float)) else 'n/a'


def spread(vals, fmt):
    """'median (min-max)' of the values that are numbers, or 'n/a'."""
    v = [x for x in vals if isinstance(x, (int, float))]
    if not v:
        return None, 'n/a'
    m = statistics.median(v)
    if min(v) == max(v):
        return m, fmt(m)
    return m, f'{fmt(m)} ({fmt(min(v))}-{fmt(max(v))})'


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, paths = argv[1], argv[2:]
    rounds = []
    for p in paths:
        try:
            with open(p) as f:
                rounds.append(json.load(f))
        except (OSError, ValueError) as e:
            print(f'not ok - round {p}: {e}')
    if not rounds:
        print('not ok - no round left a dperf.json')
        return 1
    labels = []
    for r in rounds:
        for row in r.get('rows', []):
            if row['workload'] not in labels:
                labels.append(row['workload'])
    rows, lines = [], [
        f'| workload (median of {len(rounds)} rounds, smallest-largest) | dperf | linerate | '
        'linerate ÷ dperf (each round\'s ratio) |', '|---|---:|---:|---:|']
    for lb in labels:
        got = [row for r in rounds for row in r.get('rows', []) if row['workload'] == lb]
        d, dtxt = spread([g.get('dperf') for g in got], num)
        lr, lrtxt = spread([g.get('linerate') for g in got], num)
        rt, rttxt = spread([g.get('ratio') for g in got], lambda x: f'{x:.2f}')
        rows.append({'workload': lb, 'dperf': d, 'linerate': lr, 'ratio': rt,
                     'rounds': len(got),
                     'ratios': [g.get('ratio') for g in got]})
        lines.append(f'| {lb} | {dtxt} | {lrtxt} | {rttxt} |')
    table = '\n'.join(lines)
    print(table)
    rev = subprocess.run(['git', '-C', os.path.dirname(os.path.abspath(out)), 'rev-parse',
                          '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    meta = dict(rounds[-1].get('machine', {}))
    meta.update({'date': date, 'git': rev, 'rounds': len(rounds)})
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'dperf.json'), 'w') as f:
        json.dump({'machine': meta, 'rows': rows, 'rounds': rounds}, f, indent=1)
    with open(os.path.join(out, 'latest.md'), 'a') as f:
        f.write(f'\n## dperf column (issue #10), {len(rounds)} rounds {date} (git {rev})\n\n'
                f'{table}\n\nEach round runs every workload against both servers in turn '
                '(bench/e2e/dperf.sh); its own table is in dperf.json under "rounds".\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
