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

/* Snapshot of one worker's poll loop accounting. */
struct core_snap {
	uint64_t rx_pkts, tx_pkts, polls, busy_polls, busy_cycles, idle_cycles, cpu_us;
	uint64_t conns, steered_out, steered_in, steer_drops;
	uint64_t turn_max_us;
	uint64_t part_max_us[LR_TURN_PART_NB];
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
core_read(struct lr_worker *w, struct core_snap *s)
{
	const struct lr_steer_stats *st;
	uint64_t total;
	unsigned int p;

	s->rx_pkts = lr_app_load64(&w->rx_pkts);
	s->tx_pkts = lr_app_load64(&w->tx_pkts);
	s->polls = lr_app_load64(&w->polls);
	s->busy_polls = lr_app_load64(&w->busy_polls);
	s->busy_cycles = lr_app_load64(&w->busy_cycles);
	s->idle_cycles = lr_app_load64(&w->idle_cycles);
	s->cpu_us = lr_app_load64(&w->cpu_us);
	s->turn_max_us = cycles_us(lr_worker_turn_max_take(w));
	for (p = 0; p < LR_TURN_PART_NB; p++)
		s->part_max_us[p] = cycles_us(lr_worker_part_max_take(w, p));
	/* connections: a 32-bit count the worker keeps; a stale value is fine here */
	s->conns = w->tcp != NULL ? lr_tcp_conn_count(w) : 0;
	st = lr_steer_stats_get(w->id);
	s->steered_out = st != NULL ? lr_app_load64(&st->steered_out) : 0;
	s->steered_in = st != NULL ? lr_app_load64(&st->steered_in) : 0;
	s->steer_drops = st != NULL ? lr_app_load64(&st->ring_full) : 0;
	total = s->busy_cycles + s->idle_cycles;
	s->busy_pct = total ? 100.0 * (double)s->busy_cycles / (double)total : 0.0;
}

#define CORE_COLS 15 /* the columns of plain `cores`, before the parts' */

/*
 * cores: per worker, packets its pipeline took in (those it kept from its queues plus
 * steered_in) and sent,
 * connections it owns, packets it handed to other workers (steered_out) and took from
 * them (steered_in), packets lost to a full steering ring, poll loop accounting, and
 * the CPU time its thread got from the OS (cpu_ms, sampled every 10 ms tick; below the
 * busy + idle cycles when the lcore shares its CPU), and its longest loop turn since
 * the last read (turn_max_us: how long RX may have waited for the worker, e.g. on a
 * control call; idle waits excluded).
 * `cores parts`: worker, turn_max_us and the longest time of each part of a turn
 * (<part>_max_us, lr_turn_part_names); JSON `cores` has every column.
 */
static int
cmd_cores(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const struct lr_ctl_col cols[] = {
		{ "worker", LR_CTL_COL_NUM }, { "lcore", LR_CTL_COL_NUM },
		{ "rx_pkts", LR_CTL_COL_NUM }, { "tx_pkts", LR_CTL_COL_NUM },
		{ "conns", LR_CTL_COL_NUM }, { "steered_out", LR_CTL_COL_NUM },
		{ "steered_in", LR_CTL_COL_NUM }, { "steer_drops", LR_CTL_COL_NUM },
		{ "polls", LR_CTL_COL_NUM }, { "busy_polls", LR_CTL_COL_NUM },
		{ "busy_cycles", LR_CTL_COL_NUM }, { "idle_cycles", LR_CTL_COL_NUM },
		{ "busy_pct", LR_CTL_COL_NUM }, { "cpu_ms", LR_CTL_COL_NUM },
		{ "turn_max_us", LR_CTL_COL_NUM },
		/* parts, in enum lr_turn_part order */
		{ "rx_max_us", LR_CTL_COL_NUM }, { "steer_max_us", LR_CTL_COL_NUM },
		{ "tcp_tick_max_us", LR_CTL_COL_NUM }, { "loadgen_max_us", LR_CTL_COL_NUM },
		{ "arp_tick_max_us", LR_CTL_COL_NUM }, { "ip_tick_max_us", LR_CTL_COL_NUM },
		{ "svc_tick_max_us", LR_CTL_COL_NUM }, { "cpu_clock_max_us", LR_CTL_COL_NUM },
		{ "flush_max_us", LR_CTL_COL_NUM }, { "call_max_us", LR_CTL_COL_NUM },
		{ "other_max_us", LR_CTL_COL_NUM },
	};
	static const struct lr_ctl_col parts_head[] = {
		{ "worker", LR_CTL_COL_NUM }, { "turn_max_us", LR_CTL_COL_NUM },
	};
	struct lr_ctl_col pcols[RTE_DIM(parts_head) + LR_TURN_PART_NB];
	bool parts = argc == 2 && strcmp(argv[1], "parts") == 0;
	struct lr_ctl_table t;
	struct core_snap s;
	unsigned int i, p;

	RTE_BUILD_BUG_ON(RTE_DIM(cols) != CORE_COLS + LR_TURN_PART_NB);
	if (argc > 2 || (argc == 2 && !parts))
		return lr_ctl_errorf(out, "usage: cores [parts]");
	if (parts && lr_nb_workers > 0 && !lr_workers[0].parts_timed)
		return lr_ctl_errorf(out, "cores parts: the parts of a turn are not timed; set "
				"[worker] turn_parts = yes (a TSC read per part, off by default)");
	if (parts) {
		memcpy(pcols, parts_head, sizeof(parts_head));
		memcpy(&pcols[RTE_DIM(parts_head)], &cols[CORE_COLS],
				sizeof(cols[0]) * LR_TURN_PART_NB);
		lr_ctl_table_begin(&t, out, json, NULL, pcols, RTE_DIM(pcols));
	} else {
		lr_ctl_table_begin(&t, out, json, NULL, cols, json ? RTE_DIM(cols) : CORE_COLS);
	}
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		struct lr_worker *w = &lr_workers[i];

		core_read(w, &s);
		lr_ctl_table_u64(&t, i);
		if (parts) {
			lr_ctl_table_u64(&t, s.turn_max_us);
			for (p = 0; p < LR_TURN_PART_NB; p++)
				lr_ctl_table_u64(&t, s.part_max_us[p]);
			continue;
		}
		lr_ctl_table_u64(&t, w->lcore);
		lr_ctl_table_u64(&t, s.rx_pkts);
		lr_ctl_table_u64(&t, s.tx_pkts);
		lr_ctl_table_u64(&t, s.conns);
		lr_ctl_table_u64(&t, s.steered_out);
		lr_ctl_table_u64(&t, s.steered_in);
		lr_ctl_table_u64(&t, s.steer_drops);
		lr_ctl_table_u64(&t, s.polls);
		lr_ctl_table_u64(&t, s.busy_polls);
		lr_ctl_table_u64(&t, s.busy_cycles);
		lr_ctl_table_u64(&t, s.idle_cycles);
		lr_ctl_table_cell(&t, "%.1f", s.busy_pct);
		lr_ctl_table_u64(&t, s.cpu_us / 1000);
		lr_ctl_table_u64(&t, s.turn_max_us);
		for (p = 0; json && p < LR_TURN_PART_NB; p++)
			lr_ctl_table_u64(&t, s.part_max_us[p]);
	}
	return lr_ctl_table_end(&t);
}

int
lr_app_tel_cores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *c;
	struct core_snap s;
	unsigned int i, p;
	char key[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		core_read(&lr_workers[i], &s);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "worker", (int)i);
		rte_tel_data_add_dict_int(c, "lcore", (int)lr_workers[i].lcore);
		rte_tel_data_add_dict_u64(c, "rx_pkts", s.rx_pkts);
		rte_tel_data_add_dict_u64(c, "tx_pkts", s.tx_pkts);
		rte_tel_data_add_dict_u64(c, "conns", s.conns);
		rte_tel_data_add_dict_u64(c, "steered_out", s.steered_out);
		rte_tel_data_add_dict_u64(c, "steered_in", s.steered_in);
		rte_tel_data_add_dict_u64(c, "steer_drops", s.steer_drops);
		rte_tel_data_add_dict_u64(c, "polls", s.polls);
		rte_tel_data_add_dict_u64(c, "busy_polls", s.busy_polls);
		rte_tel_data_add_dict_u64(c, "busy_cycles", s.busy_cycles);
		rte_tel_data_add_dict_u64(c, "idle_cycles", s.idle_cycles);
		rte_tel_data_add_dict_int(c, "busy_pct", (int)(s.busy_pct + 0.5));
		rte_tel_data_add_dict_u64(c, "cpu_ms", s.cpu_us / 1000);
		rte_tel_data_add_dict_u64(c, "turn_max_us", s.turn_max_us);
		for (p = 0; p < LR_TURN_PART_NB; p++) {
			snprintf(key, sizeof(key), "%s_max_us", lr_turn_part_names[p]);
			rte_tel_data_add_dict_u64(c, key, s.part_max_us[p]);
		}
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(d, key, c, 0) < 0)
			rte_tel_data_free(c);
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
