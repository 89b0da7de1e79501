/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sample`: one worker's counters per line, in a fixed line format that
 * `linerate-ctl top` reads every interval and turns into rates (app/client/linerate_ctl_top.c).
 * Nothing is reset (unlike `cores`, which takes turn_max_us), so any number of
 * viewers can sample at once. Format (version 1), every number decimal:
 *
 *   sample 1 TSC_HZ TSC
 *   w WORKER RX_PKTS TX_PKTS CONNS BUSY_CYCLES IDLE_CYCLES ESTABLISHED REXMT_SEGS
 *   d WORKER LAYER.NAME VALUE        (each non-zero drop counter of that worker)
 *   end
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "ctl_cmds.h"
#include "lr_core.h"
#include "lr_ctl.h"
#include "lr_stats.h"
#include "lr_tcp.h"

#define SAMPLE_VERSION 1

/* The non-zero drop counters of worker i: layers below TCP, then TCP's. */
static int
sample_drops(unsigned int i, struct lr_ctl_buf *out)
{
	unsigned int t, id;
	int ret = 0;

	for (t = 0; t < LR_APP_STATS_NB; t++) {
		for (id = 0; id < lr_app_stats_max(t); id++) {
			const struct lr_stat_desc *d = lr_app_stats_desc(t, id);
			uint64_t v = lr_app_stats_read(t, i, id);

			if (d->kind == LR_STAT_KIND_DROP && v != 0)
				ret |= lr_ctl_buf_printf(out, "d %u %s.%s %" PRIu64 "\n", i,
						d->layer, d->name, v);
		}
	}
	return ret;
}

static int
cmd_sample(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	unsigned int i;
	int ret;

	RTE_SET_USED(argv);
	RTE_SET_USED(json);
	if (argc > 1)
		return lr_ctl_errorf(out, "usage: sample");
	ret = lr_ctl_buf_printf(out, "sample %d %" PRIu64 " %" PRIu64 "\n", SAMPLE_VERSION,
			rte_get_tsc_hz(), rte_rdtsc());
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct lr_worker *w = &lr_workers[i];

		ret |= lr_ctl_buf_printf(out, "w %u %" PRIu64 " %" PRIu64 " %u %" PRIu64 " %"
				PRIu64 " %" PRIu64 " %" PRIu64 "\n", i, lr_app_load64(&w->rx_pkts),
				lr_app_load64(&w->tx_pkts),
				w->tcp != NULL ? lr_tcp_conn_count(w) : 0,
				lr_app_load64(&w->busy_cycles), lr_app_load64(&w->idle_cycles),
				lr_app_stats_read(LR_APP_STATS_TCP, i, LR_TCP_STAT_ESTABLISHED),
				lr_app_stats_read(LR_APP_STATS_TCP, i, LR_TCP_STAT_REXMT_SEGS));
		ret |= sample_drops(i, out);
	}
	ret |= lr_ctl_buf_printf(out, "end\n");
	return ret ? -ENOMEM : 0;
}

int
lr_app_ctl_sample_register(void)
{
	return lr_ctl_register("sample", "per-worker counters in the line format "
			"`linerate-ctl top` reads", cmd_sample);
}
