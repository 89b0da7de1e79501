/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator: mode and error names, the log-linear latency histogram, and the
 * summary over all workers with its text and JSON report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "loadgen_internal.h"

static const char *const mode_names[LR_LOADGEN_MODE_NB] = {
	"crr", "rr", "stream_send", "stream_recv", "udp",
};
static const char *const err_names[LR_LOADGEN_ERR_NB] = {
	"refused", "reset", "timeout", "connect", "proto", "closed", "nomem",
};

const char *
lr_loadgen_mode_name(enum lr_loadgen_mode m)
{
	return (unsigned int)m < LR_LOADGEN_MODE_NB ? mode_names[m] : "?";
}

const char *
lr_loadgen_err_name(enum lr_loadgen_err e)
{
	return (unsigned int)e < LR_LOADGEN_ERR_NB ? err_names[e] : "?";
}

/* ---- histogram (lr_hist.h) ---- */

void
lr_loadgen_hist_add(uint64_t *hist, uint64_t us)
{
	hist[lr_hist_index(us)]++;
}

uint64_t
lr_loadgen_hist_percentile(const uint64_t *hist, uint64_t total, uint32_t pp)
{
	return lr_hist_percentile(hist, total, pp);
}

void
lr_loadgen_latency(unsigned int worker, const uint64_t *bounds_us, uint64_t *cum,
		unsigned int nb, uint64_t *count, uint64_t *sum_us)
{
	const struct lg_worker *lw = &lr_lg_workers[worker % LR_MAX_WORKERS];
	uint64_t seen = 0;
	unsigned int b, k = 0;

	for (b = 0; b < LR_LOADGEN_HIST_BUCKETS; b++) {
		/* bucket b holds values up to lr_hist_value(b): below bounds < it are done */
		while (k < nb && lr_hist_value(b) >= bounds_us[k])
			cum[k++] = seen;
		seen += __atomic_load_n(&lw->hist[b], __ATOMIC_RELAXED);
	}
	while (k < nb)
		cum[k++] = seen;
	*count = seen;
	*sum_us = __atomic_load_n(&lw->cnt.lat_sum_us, __ATOMIC_RELAXED);
}

/* ---- reporting ---- */

const struct lr_loadgen_counters *
lr_loadgen_counters(const struct lr_worker *w)
{
	return &lr_lg_workers[w->id].cnt;
}

static void
counters_add_diff(struct lr_loadgen_counters *sum, const struct lr_loadgen_counters *end,
		const struct lr_loadgen_counters *start)
{
	const uint64_t *e = (const uint64_t *)end, *s = (const uint64_t *)start;
	uint64_t *d = (uint64_t *)sum;
	size_t i, n = offsetof(struct lr_loadgen_counters, lat_max_us) / sizeof(uint64_t);

	for (i = 0; i < n; i++)
		d[i] += __atomic_load_n(&e[i], __ATOMIC_RELAXED) - s[i];
	sum->lat_max_us = RTE_MAX(sum->lat_max_us,
			__atomic_load_n(&end->lat_max_us, __ATOMIC_RELAXED));
}

static uint64_t hist_sum[LR_LOADGEN_HIST_BUCKETS];

int
lr_loadgen_summary(uint16_t nb_workers, struct lr_loadgen_summary *s)
{
	unsigned int i, b, e;
	bool any = false;
	double sec;

	memset(s, 0, sizeof(*s));
	memset(hist_sum, 0, sizeof(hist_sum));
	for (i = 0; i < nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct lg_worker *lw = &lr_lg_workers[i];
		bool ended;
		uint64_t end_us;

		if (!__atomic_load_n(&lw->win_started, __ATOMIC_ACQUIRE))
			continue;
		any = true;
		ended = __atomic_load_n(&lw->win_ended, __ATOMIC_ACQUIRE);
		counters_add_diff(&s->c, ended ? &lw->win1 : &lw->cnt, &lw->win0);
		end_us = ended ? lw->win_end_us : __atomic_load_n(&lw->w->now_us, __ATOMIC_RELAXED);
		s->window_us = RTE_MAX(s->window_us, end_us - lw->win_start_us);
		for (b = 0; b < LR_LOADGEN_HIST_BUCKETS; b++)
			hist_sum[b] += __atomic_load_n(&lw->hist[b], __ATOMIC_RELAXED);
	}
	if (!any)
		return -ENOENT;
	sec = s->window_us > 0 ? (double)s->window_us / 1e6 : 1e-9;
	s->cps = (double)(lr_lg_workers[0].conf.mode == LR_LOADGEN_CRR ? s->c.conns_done :
			s->c.conns) / sec;
	s->rps = (double)s->c.requests / sec;
	s->tx_gbps = (double)s->c.tx_bytes * 8 / sec / 1e9;
	s->rx_gbps = (double)s->c.rx_bytes * 8 / sec / 1e9;
	s->p50_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 50000);
	s->p90_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 90000);
	s->p99_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 99000);
	s->p999_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 99900);
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
		s->errors += s->c.err[e];
	return 0;
}

void
lr_loadgen_report(FILE *f, uint16_t nb_workers, bool json)
{
	const struct lr_loadgen_conf *c = &lr_lg_workers[0].conf;
	struct lr_loadgen_summary s;
	unsigned int e;

	if (lr_loadgen_summary(nb_workers, &s) != 0) {
		fprintf(f, json ? "{\"error\":\"no measurement window\"}\n" :
				"loadgen: no measurement window yet\n");
		return;
	}
	if (json) {
		fprintf(f, "{\"mode\":\"%s\",\"workers\":%u,\"targets\":%u,\"window_s\":%.3f,"
			"\"conns\":%" PRIu64 ",\"conns_done\":%" PRIu64 ",\"requests\":%" PRIu64
			",\"sent\":%" PRIu64 ",\"cps\":%.1f,\"rps\":%.1f,\"tx_bytes\":%" PRIu64
			",\"rx_bytes\":%" PRIu64 ",\"tx_gbps\":%.4f,\"rx_gbps\":%.4f,"
			"\"latency_us\":{\"samples\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64
			",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64
			",\"mean\":%.1f},\"errors\":{",
			lr_loadgen_mode_name(c->mode), nb_workers, c->nb_targets,
			(double)s.window_us / 1e6, s.c.conns, s.c.conns_done, s.c.requests, s.c.sent,
			s.cps, s.rps, s.c.tx_bytes, s.c.rx_bytes, s.tx_gbps, s.rx_gbps, s.c.samples,
			s.p50_us, s.p90_us, s.p99_us, s.p999_us, s.c.lat_max_us,
			s.c.samples ? (double)s.c.lat_sum_us / (double)s.c.samples : 0.0);
		for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
			fprintf(f, "%s\"%s\":%" PRIu64, e ? "," : "", err_names[e], s.c.err[e]);
		fprintf(f, ",\"total\":%" PRIu64 "}}\n", s.errors);
		return;
	}
	fprintf(f, "loadgen: %s, %u target(s), conc %u, rate %" PRIu64 "/s (0: unbounded), "
			"window %.2f s, %u worker(s)\n", lr_loadgen_mode_name(c->mode),
			c->nb_targets, c->conc, c->rate, (double)s.window_us / 1e6, nb_workers);
	fprintf(f, "  connections %12" PRIu64 " established, %" PRIu64 " completed, "
			"%.1f /s\n", s.c.conns, s.c.conns_done, s.cps);
	fprintf(f, "  %-11s %12" PRIu64 " (%.1f /s), %" PRIu64 " sent\n",
			c->mode == LR_LOADGEN_UDP ? "echoes" : "responses", s.c.requests, s.rps,
			s.c.sent);
	fprintf(f, "  goodput     tx %.4f Gbit/s, rx %.4f Gbit/s\n", s.tx_gbps, s.rx_gbps);
	fprintf(f, "  latency us  p50 %" PRIu64 "  p90 %" PRIu64 "  p99 %" PRIu64 "  p99.9 %"
			PRIu64 "  max %" PRIu64 "  (%" PRIu64 " samples)\n", s.p50_us, s.p90_us,
			s.p99_us, s.p999_us, s.c.lat_max_us, s.c.samples);
	fprintf(f, "  errors     ");
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
		fprintf(f, " %s %" PRIu64, err_names[e], s.c.err[e]);
	fprintf(f, "\n");
}
