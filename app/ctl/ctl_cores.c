/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `cores` and /linerate/cores: each worker's poll loop accounting, its longest loop
 * turn and the longest time of each part of a turn (enum lr_turn_part) since the
 * last read. A read takes (resets) the turn maximum and every part maximum at once,
 * so they cover the same period whichever form asked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "ctl_cmds.h"
#include "lr_core.h"
#include "lr_ctl.h"
#include "lr_steer.h"
#include "lr_tcp.h"

/*
 * The columns of `cores`, in order, and the keys of /linerate/cores: CORE_COLS of plain
 * `cores`, then the parts' (<part>_max_us, enum lr_turn_part order) that `cores parts`
 * and the JSON forms add.
 */
enum core_col {
	COL_WORKER, COL_LCORE, COL_RX_PKTS, COL_TX_PKTS, COL_CONNS, COL_STEERED_OUT,
	COL_STEERED_IN, COL_STEER_DROPS, COL_POLLS, COL_BUSY_POLLS, COL_BUSY_CYCLES,
	COL_IDLE_CYCLES, COL_BUSY_PCT, COL_CPU_MS, COL_TURN_MAX_US, COL_LONG_TURNS,
	CORE_COLS
};

static const struct lr_ctl_col cols[] = {
	{ "worker", LR_CTL_COL_NUM }, { "lcore", LR_CTL_COL_NUM },
	{ "rx_pkts", LR_CTL_COL_NUM }, { "tx_pkts", LR_CTL_COL_NUM },
	{ "conns", LR_CTL_COL_NUM }, { "steered_out", LR_CTL_COL_NUM },
	{ "steered_in", LR_CTL_COL_NUM }, { "steer_drops", LR_CTL_COL_NUM },
	{ "polls", LR_CTL_COL_NUM }, { "busy_polls", LR_CTL_COL_NUM },
	{ "busy_cycles", LR_CTL_COL_NUM }, { "idle_cycles", LR_CTL_COL_NUM },
	{ "busy_pct", LR_CTL_COL_NUM }, { "cpu_ms", LR_CTL_COL_NUM },
	{ "turn_max_us", LR_CTL_COL_NUM }, { "long_turns", LR_CTL_COL_NUM },
	/* parts, in enum lr_turn_part order */
	{ "rx_max_us", LR_CTL_COL_NUM }, { "steer_max_us", LR_CTL_COL_NUM },
	{ "tcp_tick_max_us", LR_CTL_COL_NUM }, { "loadgen_max_us", LR_CTL_COL_NUM },
	{ "arp_tick_max_us", LR_CTL_COL_NUM }, { "ip_tick_max_us", LR_CTL_COL_NUM },
	{ "svc_tick_max_us", LR_CTL_COL_NUM }, { "flush_max_us", LR_CTL_COL_NUM },
	{ "call_max_us", LR_CTL_COL_NUM }, { "other_max_us", LR_CTL_COL_NUM },
};

#define NB_COLS (CORE_COLS + LR_TURN_PART_NB)

/* Snapshot of one worker's poll loop accounting: each column's value. */
struct core_snap {
	uint64_t v[NB_COLS];   /* v[COL_BUSY_PCT] unused: busy_pct */
	double busy_pct;
};

static uint64_t
cycles_us(uint64_t cycles)
{
	return cycles * 1000000 / rte_get_tsc_hz();
}

/* Also takes the worker's longest loop turn and parts since the last read (and
 * resets them). */
static void
core_read(unsigned int i, struct core_snap *s)
{
	struct lr_worker *w = &lr_workers[i];
	const struct lr_steer_stats *st;
	uint64_t total, *v = s->v;
	unsigned int p;

	v[COL_WORKER] = i;
	v[COL_LCORE] = w->lcore;
	v[COL_RX_PKTS] = lr_app_load64(&w->rx_pkts);
	v[COL_TX_PKTS] = lr_app_load64(&w->tx_pkts);
	v[COL_POLLS] = lr_app_load64(&w->polls);
	v[COL_BUSY_POLLS] = lr_app_load64(&w->busy_polls);
	v[COL_BUSY_CYCLES] = lr_app_load64(&w->busy_cycles);
	v[COL_IDLE_CYCLES] = lr_app_load64(&w->idle_cycles);
	v[COL_CPU_MS] = lr_worker_cpu_us(w) / 1000;
	v[COL_TURN_MAX_US] = cycles_us(lr_worker_turn_max_take(w));
	v[COL_LONG_TURNS] = lr_app_load64(&w->long_turns);
	for (p = 0; p < LR_TURN_PART_NB; p++)
		v[CORE_COLS + p] = cycles_us(lr_worker_part_max_take(w, p));
	/* connections: a 32-bit count the worker keeps; a stale value is fine here */
	v[COL_CONNS] = w->tcp != NULL ? lr_tcp_conn_count(w) : 0;
	st = lr_steer_stats_get(w->id);
	v[COL_STEERED_OUT] = st != NULL ? lr_app_load64(&st->steered_out) : 0;
	v[COL_STEERED_IN] = st != NULL ? lr_app_load64(&st->steered_in) : 0;
	v[COL_STEER_DROPS] = st != NULL ? lr_app_load64(&st->ring_full) : 0;
	v[COL_BUSY_PCT] = 0;
	total = v[COL_BUSY_CYCLES] + v[COL_IDLE_CYCLES];
	s->busy_pct = total ? 100.0 * (double)v[COL_BUSY_CYCLES] / (double)total : 0.0;
}

/*
 * cores: per worker, packets its pipeline took in (those it kept from its queues plus
 * steered_in) and sent,
 * connections it owns, packets it handed to other workers (steered_out) and took from
 * them (steered_in), packets lost to a full steering ring, poll loop accounting, and
 * the CPU time its thread got from the OS (cpu_ms, its thread CPU clock read by this
 * thread at the request: the worker pays nothing for it; below the busy + idle cycles
 * when the lcore shares its CPU), and its longest loop turn since
 * the last read (turn_max_us: how long RX may have waited for the worker, e.g. on a
 * control call; idle waits excluded), and how many turns since it started took longer
 * than LR_LONG_TURN_US (long_turns, not reset: a rate over a window is a difference).
 * `cores parts`: worker, turn_max_us and the longest time of each part of a turn
 * (<part>_max_us, lr_turn_part_names); JSON `cores` has every column.
 */
static int
cmd_cores(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const enum core_col parts_head[] = { COL_WORKER, COL_TURN_MAX_US };
	struct lr_ctl_col pcols[RTE_DIM(parts_head) + LR_TURN_PART_NB];
	bool parts = argc == 2 && strcmp(argv[1], "parts") == 0;
	unsigned int i, c, ncols;
	struct lr_ctl_table t;
	struct core_snap s;

	RTE_BUILD_BUG_ON(RTE_DIM(cols) != NB_COLS);
	if (argc > 2 || (argc == 2 && !parts))
		return lr_ctl_errorf(out, "usage: cores [parts]");
	if (parts && lr_nb_workers > 0 && !lr_workers[0].parts_timed)
		return lr_ctl_errorf(out, "cores parts: the parts of a turn are not timed; set "
				"[worker] turn_parts = yes (a TSC read per part, off by default)");
	if (parts) {
		for (c = 0; c < RTE_DIM(parts_head); c++)
			pcols[c] = cols[parts_head[c]];
		memcpy(&pcols[RTE_DIM(parts_head)], &cols[CORE_COLS],
				sizeof(cols[0]) * LR_TURN_PART_NB);
		lr_ctl_table_begin(&t, out, json, NULL, pcols, RTE_DIM(pcols));
	} else {
		lr_ctl_table_begin(&t, out, json, NULL, cols, json ? NB_COLS : CORE_COLS);
	}
	ncols = json ? NB_COLS : CORE_COLS;
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		core_read(i, &s);
		if (parts) {
			for (c = 0; c < RTE_DIM(parts_head); c++)
				lr_ctl_table_u64(&t, s.v[parts_head[c]]);
			for (c = CORE_COLS; c < NB_COLS; c++)
				lr_ctl_table_u64(&t, s.v[c]);
			continue;
		}
		for (c = 0; c < ncols; c++) {
			if (c == COL_BUSY_PCT)
				lr_ctl_table_cell(&t, "%.1f", s.busy_pct);
			else
				lr_ctl_table_u64(&t, s.v[c]);
		}
	}
	return lr_ctl_table_end(&t);
}

int
lr_app_tel_cores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *w;
	struct core_snap s;
	unsigned int i, c;
	char key[16];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		w = rte_tel_data_alloc();
		if (w == NULL)
			return -ENOMEM;
		core_read(i, &s);
		rte_tel_data_start_dict(w);
		for (c = 0; c < NB_COLS; c++) {
			if (c == COL_BUSY_PCT)
				rte_tel_data_add_dict_int(w, cols[c].name, (int)(s.busy_pct + 0.5));
			else
				rte_tel_data_add_dict_u64(w, cols[c].name, s.v[c]);
		}
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(d, key, w, 0) < 0)
			rte_tel_data_free(w);
	}
	return 0;
}

int
lr_app_ctl_cores_register(void)
{
	int ret = lr_ctl_register("cores",
			"per worker: packets, connections, steered packets, busy/idle cycles, "
			"longest turn; [parts]: longest time per part of a turn", cmd_cores);

	return ret == -EEXIST ? 0 : ret;
}
