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

static inline uint64_t
load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The non-zero drop counters of worker i: layers below TCP, then TCP's. */
static int
sample_drops(unsigned int i, const struct lr_tcp_stats *ts, struct lr_ctl_buf *out)
{
	unsigned int id;
	int ret = 0;

	for (id = 0; id < LR_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_stats_desc(id);
		uint64_t v = lr_stats_read(i, id);

		if (d->kind == LR_STAT_KIND_DROP && v != 0)
			ret |= lr_ctl_buf_printf(out, "d %u %s.%s %" PRIu64 "\n", i, d->layer,
					d->name, v);
	}
	for (id = 0; ts != NULL && id < LR_TCP_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_tcp_stat_desc(id);
		uint64_t v = load64(&ts->v[id]);

		if (d->kind == LR_STAT_KIND_DROP && v != 0)
			ret |= lr_ctl_buf_printf(out, "d %u tcp.%s %" PRIu64 "\n", i, d->name, v);
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
		const struct lr_tcp_stats *ts = w->tcp != NULL ? lr_tcp_stats_get(w) : NULL;

		ret |= lr_ctl_buf_printf(out, "w %u %" PRIu64 " %" PRIu64 " %u %" PRIu64 " %"
				PRIu64 " %" PRIu64 " %" PRIu64 "\n", i, load64(&w->rx_pkts),
				load64(&w->tx_pkts), w->tcp != NULL ? lr_tcp_conn_count(w) : 0,
				load64(&w->busy_cycles), load64(&w->idle_cycles),
				ts != NULL ? load64(&ts->v[LR_TCP_STAT_ESTABLISHED]) : 0,
				ts != NULL ? load64(&ts->v[LR_TCP_STAT_REXMT_SEGS]) : 0);
		ret |= sample_drops(i, ts, out);
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
