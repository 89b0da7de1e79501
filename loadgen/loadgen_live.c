/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator: the live per-second table (like dperf's), computed from two
 * samples of the workers' live totals. lr_loadgen_sample() reads (any thread,
 * relaxed loads), lr_loadgen_row() is pure arithmetic on two samples (unit tested
 * with known deltas), lr_loadgen_live_tick() samples once per second, keeps the last
 * row for `linerate-ctl loadgen live` and prints it when the spec has progress=1.
 * Nothing here runs on a worker unless the caller is one (lr_e2e's single loop).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_spinlock.h>

#include "loadgen_internal.h"

#define LIVE_PERIOD_US 1000000
#define HEADER_EVERY 20                /* rows between two headers */

static const char *const phase_names[] = { "warmup", "window", "drain", "done" };

void
lr_loadgen_sample(uint16_t nb_workers, uint64_t now_us, struct lr_loadgen_sample *s)
{
	unsigned int i, b;

	memset(s, 0, sizeof(*s));
	s->t_us = now_us;
	s->phase = P_DONE;
	for (i = 0; i < nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct lg_worker *lw = &lr_lg_workers[i];
		const uint64_t *src = (const uint64_t *)&lw->cnt;
		uint64_t *dst = (uint64_t *)&s->c;
		const struct lr_tcp_stats *ts;
		size_t k, n = offsetof(struct lr_loadgen_counters, lat_max_us) / sizeof(uint64_t);

		if (!__atomic_load_n(&lw->started, __ATOMIC_ACQUIRE))
			continue;
		s->running = true;
		if (i == 0 || s->t0_us == 0)
			s->t0_us = lw->t0;
		s->phase = RTE_MIN(s->phase, (unsigned int)__atomic_load_n(&lw->phase,
				__ATOMIC_RELAXED));
		for (k = 0; k < n; k++)
			dst[k] += __atomic_load_n(&src[k], __ATOMIC_RELAXED);
		s->samples += __atomic_load_n(&lw->live_samples, __ATOMIC_RELAXED);
		s->active += __atomic_load_n(&lw->active, __ATOMIC_RELAXED);
		s->target_rate += __atomic_load_n(&lw->rate_now, __ATOMIC_RELAXED);
		for (b = 0; b < LR_LOADGEN_HIST_BUCKETS; b++)
			s->hist[b] += __atomic_load_n(&lw->live_hist[b], __ATOMIC_RELAXED);
		ts = lw->w != NULL ? lr_tcp_stats_get(lw->w) : NULL;
		if (ts != NULL)
			s->retrans += __atomic_load_n(&ts->v[LR_TCP_STAT_REXMT_SEGS],
					__ATOMIC_RELAXED);
	}
}

/* Latency of the interval: percentiles of the difference of two cumulative
 * histograms (b minus a, bucket by bucket). */
static uint64_t delta_hist[LR_LOADGEN_HIST_BUCKETS];

void
lr_loadgen_row(const struct lr_loadgen_sample *a, const struct lr_loadgen_sample *b,
		enum lr_loadgen_mode mode, struct lr_loadgen_row *r)
{
	uint64_t dt = b->t_us > a->t_us ? b->t_us - a->t_us : 1, n;
	double sec = (double)dt / 1e6;
	unsigned int e, k;

	memset(r, 0, sizeof(*r));
	r->t_s = (b->t_us - b->t0_us + 500000) / 1000000;
	r->phase = b->phase;
	r->cps = (double)(mode == LR_LOADGEN_CRR ? b->c.conns_done - a->c.conns_done :
			b->c.conns - a->c.conns) / sec;
	r->rps = (double)(b->c.requests - a->c.requests) / sec;
	r->tx_mbps = (double)(b->c.tx_bytes - a->c.tx_bytes) * 8 / sec / 1e6;
	r->rx_mbps = (double)(b->c.rx_bytes - a->c.rx_bytes) * 8 / sec / 1e6;
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++) {
		r->err[e] = b->c.err[e] - a->c.err[e];
		r->errors += r->err[e];
	}
	r->retrans = b->retrans - a->retrans;
	r->active = b->active;
	r->target_rate = b->target_rate;
	n = b->samples - a->samples;
	r->samples = n;
	for (k = 0; k < LR_LOADGEN_HIST_BUCKETS; k++)
		delta_hist[k] = b->hist[k] - a->hist[k];
	r->p50_us = lr_loadgen_hist_percentile(delta_hist, n, 50000);
	r->p90_us = lr_loadgen_hist_percentile(delta_hist, n, 90000);
	r->p99_us = lr_loadgen_hist_percentile(delta_hist, n, 99000);
	r->p999_us = lr_loadgen_hist_percentile(delta_hist, n, 99900);
}

void
lr_loadgen_row_print(FILE *f, const struct lr_loadgen_row *r, bool header, bool json)
{
	unsigned int e;

	if (json) {
		fprintf(f, "{\"t_s\":%" PRIu64 ",\"phase\":\"%s\",\"cps\":%.1f,\"rps\":%.1f,"
			"\"tx_mbps\":%.3f,\"rx_mbps\":%.3f,\"active\":%" PRIu64 ",\"target_rate\":%"
			PRIu64 ",\"retrans\":%" PRIu64 ",\"latency_us\":{\"samples\":%" PRIu64
			",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%"
			PRIu64 "},\"errors\":{", r->t_s, phase_names[RTE_MIN(r->phase, 3u)], r->cps,
			r->rps, r->tx_mbps, r->rx_mbps, r->active, r->target_rate, r->retrans,
			r->samples, r->p50_us, r->p90_us, r->p99_us, r->p999_us);
		for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
			fprintf(f, "%s\"%s\":%" PRIu64, e ? "," : "", lr_loadgen_err_name(e),
					r->err[e]);
		fprintf(f, ",\"total\":%" PRIu64 "}}\n", r->errors);
		return;
	}
	if (header) {
		fprintf(f, "loadgen: %5s %-6s %10s %10s %9s %9s %7s %9s %7s", "s", "phase",
				"conn/s", "req/s", "tx_Mbps", "rx_Mbps", "active", "target/s",
				"retrans");
		for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
			fprintf(f, " %7s", lr_loadgen_err_name(e));
		fprintf(f, " %7s %7s %7s %8s\n", "p50_us", "p90_us", "p99_us", "p999_us");
	}
	fprintf(f, "loadgen: %5" PRIu64 " %-6s %10.0f %10.0f %9.1f %9.1f %7" PRIu64 " %9" PRIu64
			" %7" PRIu64, r->t_s, phase_names[RTE_MIN(r->phase, 3u)], r->cps, r->rps,
			r->tx_mbps, r->rx_mbps, r->active, r->target_rate, r->retrans);
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
		fprintf(f, " %7" PRIu64, r->err[e]);
	fprintf(f, " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %8" PRIu64 "\n", r->p50_us,
			r->p90_us, r->p99_us, r->p999_us);
}

/* The ticker's state: one caller thread (the daemon's main thread, or lr_e2e). */
static struct {
	bool have_prev, have_row, was_running;
	rte_spinlock_t lock;               /* row and have_row, against lr_loadgen_live_last */
	uint64_t next_us, run_t0;
	unsigned int rows;
	struct lr_loadgen_sample prev, cur;
	struct lr_loadgen_row row;
} live = { .lock = RTE_SPINLOCK_INITIALIZER };

bool
lr_loadgen_live_tick(FILE *f, uint16_t nb_workers, uint64_t now_us)
{
	const struct lr_loadgen_conf *c = &lr_lg_workers[0].conf;
	bool running = __atomic_load_n(&lr_lg_workers[0].started, __ATOMIC_ACQUIRE) &&
			!__atomic_load_n(&lr_lg_workers[0].done, __ATOMIC_ACQUIRE);

	if (!running) {
		live.was_running = false;
		return false;
	}
	if (!live.was_running || live.run_t0 != lr_lg_workers[0].t0) {
		/* a new run: start from its first sample */
		live.was_running = true;
		live.run_t0 = lr_lg_workers[0].t0;
		live.have_prev = false;
		live.rows = 0;
	}
	if (live.have_prev && now_us < live.next_us)
		return false;
	lr_loadgen_sample(nb_workers, now_us, &live.cur);
	if (!live.have_prev) {
		live.prev = live.cur;
		live.have_prev = true;
		live.next_us = now_us + LIVE_PERIOD_US;
		return false;
	}
	rte_spinlock_lock(&live.lock);
	lr_loadgen_row(&live.prev, &live.cur, c->mode, &live.row);
	live.have_row = true;
	rte_spinlock_unlock(&live.lock);
	live.prev = live.cur;
	live.next_us += LIVE_PERIOD_US;
	if (live.next_us <= now_us)        /* the caller was late: no burst of rows */
		live.next_us = now_us + LIVE_PERIOD_US;
	if (f != NULL && c->progress) {
		lr_loadgen_row_print(f, &live.row, live.rows % HEADER_EVERY == 0, false);
		fflush(f);
	}
	live.rows++;
	return true;
}

int
lr_loadgen_live_last(struct lr_loadgen_row *r)
{
	int rc = -ENOENT;

	rte_spinlock_lock(&live.lock);
	if (live.have_row) {
		*r = live.row;
		rc = 0;
	}
	rte_spinlock_unlock(&live.lock);
	return rc;
}
