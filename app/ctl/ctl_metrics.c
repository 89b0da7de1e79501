/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics ([app] metrics, `linerate-ctl metrics`): everything `stats`,
 * `cores`, `ports`, `mem` and `arp` show, as families of the text exposition format
 * (lib/ctl/lr_prom.h), written on the control thread. Like `stats` it only reads what
 * workers publish (relaxed loads, per-state gauges, seqlock ARP copies): no worker
 * call, so a scrape never stalls a worker.
 *
 * Names: linerate_<layer>_<counter>_total per worker for event counts, one family
 * linerate_drops_total{layer,reason,worker} for every drop reason, units in the names
 * (_bytes, _seconds, _objects) and gauges for what is current.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "ctl_cmds.h"
#include "loadgen.h"
#include "lr_core.h"
#include "lr_ctl.h"
#include "lr_eth.h"
#include "lr_mem.h"
#include "lr_prom.h"
#include "lr_stats.h"
#include "lr_steer.h"
#include "lr_tcp.h"
#include "lr_version.h"
#include "tcp_services.h"

#define NAME_LEN LR_PROM_NAME_MAX
#define LAT_BOUNDS 22   /* latency buckets: 2^4 .. 2^25 us */
#define LAT_SHIFT0 4

static unsigned int
nb_workers(void)
{
	return RTE_MIN(lr_nb_workers, (uint16_t)LR_MAX_WORKERS);
}

/* A family of v[i] of every worker, labelled worker="i": as they are, or as seconds
 * (v[i] / per_second) when per_second is not 0. */
static void
per_worker(struct lr_prom *p, const char *name, enum lr_prom_type t, const char *help,
		const uint64_t *v, double per_second)
{
	struct lr_prom_label l = { "worker", NULL };
	char id[8];
	unsigned int i;

	lr_prom_family(p, name, t, help);
	for (i = 0; i < nb_workers(); i++) {
		snprintf(id, sizeof(id), "%u", i);
		l.value = id;
		if (per_second != 0)
			lr_prom_double(p, &l, 1, (double)v[i] / per_second);
		else
			lr_prom_u64(p, &l, 1, v[i]);
	}
}

/* A family of one sample without labels. */
static void
single(struct lr_prom *p, const char *name, enum lr_prom_type t, const char *help, uint64_t v)
{
	lr_prom_family(p, name, t, help);
	lr_prom_u64(p, NULL, 0, v);
}

/* A uint64_t field of a struct: its family (or label value), help and offset. */
struct field {
	const char *name, *help;
	size_t off;
};

static uint64_t
field_of(const void *s, const struct field *f)
{
	return *(const uint64_t *)RTE_PTR_ADD(s, f->off);
}

/*
 * A counter family per field in f[nf]; in each, that field of the n structs at rows
 * (size bytes apart), labelled label="values[k]" (a NULL value: that row is left out).
 */
static void
field_families(struct lr_prom *p, const struct field *f, unsigned int nf, const char *label,
		const char *const *values, const void *rows, size_t size, unsigned int n)
{
	struct lr_prom_label l = { label, NULL };
	unsigned int i, k;

	for (i = 0; i < nf; i++) {
		lr_prom_family(p, f[i].name, LR_PROM_COUNTER, f[i].help);
		for (k = 0; k < n; k++) {
			if (values[k] == NULL)
				continue;
			l.value = values[k];
			lr_prom_u64(p, &l, 1, field_of(RTE_PTR_ADD(rows, k * size), &f[i]));
		}
	}
}

/* Counter family name: one sample per field in f[nf] of s, labelled label="f[i].name". */
static void
field_samples(struct lr_prom *p, const char *name, const char *help, const char *label,
		const struct field *f, unsigned int nf, const void *s)
{
	struct lr_prom_label l = { label, NULL };
	unsigned int i;

	lr_prom_family(p, name, LR_PROM_COUNTER, help);
	for (i = 0; i < nf; i++) {
		l.value = f[i].name;
		lr_prom_u64(p, &l, 1, field_of(s, &f[i]));
	}
}

static void
metrics_info(struct lr_prom *p)
{
	const struct lr_prom_label l[] = {
		{ "version", LR_VERSION }, { "dpdk", rte_version() },
	};

	lr_prom_family(p, "linerate_build_info", LR_PROM_GAUGE,
			"linerate and DPDK versions (always 1)");
	lr_prom_u64(p, l, RTE_DIM(l), 1);
	single(p, "linerate_workers", LR_PROM_GAUGE, "worker lcores running", nb_workers());
}

/* The poll loop accounting of `cores` (turn_max_us is left alone: reading it resets it). */
static void
metrics_workers(struct lr_prom *p)
{
	static uint64_t v[7][LR_MAX_WORKERS];
	double hz = (double)rte_get_tsc_hz();
	unsigned int i;

	for (i = 0; i < nb_workers(); i++) {
		const struct lr_worker *w = &lr_workers[i];
		const struct lr_steer_stats *st = lr_steer_stats_get(w->id);

		v[0][i] = lr_app_load64(&w->rx_pkts);
		v[1][i] = lr_app_load64(&w->tx_pkts);
		v[2][i] = lr_app_load64(&w->polls);
		v[3][i] = lr_app_load64(&w->busy_polls);
		v[4][i] = st != NULL ? lr_app_load64(&st->steered_out) : 0;
		v[5][i] = st != NULL ? lr_app_load64(&st->steered_in) : 0;
		v[6][i] = lr_worker_cpu_us(w);
	}
	per_worker(p, "linerate_worker_received_packets_total", LR_PROM_COUNTER,
			"packets the worker's pipeline took in (its queues and steered in)", v[0], 0);
	per_worker(p, "linerate_worker_sent_packets_total", LR_PROM_COUNTER,
			"packets the worker sent", v[1], 0);
	per_worker(p, "linerate_worker_polls_total", LR_PROM_COUNTER,
			"poll loop turns", v[2], 0);
	per_worker(p, "linerate_worker_busy_polls_total", LR_PROM_COUNTER,
			"poll loop turns that received something", v[3], 0);
	per_worker(p, "linerate_steer_out_packets_total", LR_PROM_COUNTER,
			"packets handed to the worker owning their flow", v[4], 0);
	per_worker(p, "linerate_steer_in_packets_total", LR_PROM_COUNTER,
			"packets received from other workers", v[5], 0);
	per_worker(p, "linerate_worker_cpu_seconds_total", LR_PROM_COUNTER,
			"CPU time the worker's thread got from the OS", v[6], 1e6);
	for (i = 0; i < nb_workers(); i++) {
		v[0][i] = lr_app_load64(&lr_workers[i].busy_cycles);
		v[1][i] = lr_app_load64(&lr_workers[i].idle_cycles);
		v[2][i] = lr_app_load64(&lr_workers[i].long_turns);
	}
	per_worker(p, "linerate_worker_busy_seconds_total", LR_PROM_COUNTER,
			"time in poll loop turns that did work (TSC)", v[0], hz);
	per_worker(p, "linerate_worker_idle_seconds_total", LR_PROM_COUNTER,
			"time in poll loop turns that found nothing (TSC)", v[1], hz);
	per_worker(p, "linerate_worker_long_turns_total", LR_PROM_COUNTER,
			"poll loop turns longer than 100 us (LR_LONG_TURN_US)", v[2], 0);
}

/* Every COUNT counter of LR_STATS_TABLE and of TCP: linerate_<layer>_<name>_total. */
static void
metrics_counts(struct lr_prom *p)
{
	static uint64_t v[LR_MAX_WORKERS];
	char name[NAME_LEN], low[64];
	unsigned int t, id, i;

	for (t = 0; t < LR_APP_STATS_NB; t++) {
		for (id = 0; id < lr_app_stats_max(t); id++) {
			const struct lr_stat_desc *d = lr_app_stats_desc(t, id);

			if (d->kind != LR_STAT_KIND_COUNT)
				continue;
			for (i = 0; i < nb_workers(); i++)
				v[i] = lr_app_stats_read(t, i, id);
			snprintf(name, sizeof(name), "linerate_%s_%s_total", d->layer,
					lr_app_lower(d->name, low, sizeof(low)));
			per_worker(p, name, LR_PROM_COUNTER, d->desc, v, 0);
		}
	}
}

static void
drop_sample(struct lr_prom *p, const char *layer, const char *reason, unsigned int worker,
		uint64_t v)
{
	struct lr_prom_label l[3] = {
		{ "layer", layer }, { "reason", reason }, { "worker", NULL },
	};
	char id[8], low[64];

	snprintf(id, sizeof(id), "%u", worker);
	l[1].value = lr_app_lower(reason, low, sizeof(low));
	l[2].value = id;
	lr_prom_u64(p, l, RTE_DIM(l), v);
}

/* Every drop reason of every layer in one family, so sum(linerate_drops_total) is all
 * packets dropped; steering's full rings are one more reason. */
static void
metrics_drops(struct lr_prom *p)
{
	unsigned int t, id, i;

	lr_prom_family(p, "linerate_drops_total", LR_PROM_COUNTER,
			"packets dropped, by layer, reason and worker (each packet once)");
	for (t = 0; t < LR_APP_STATS_NB; t++) {
		for (id = 0; id < lr_app_stats_max(t); id++) {
			const struct lr_stat_desc *d = lr_app_stats_desc(t, id);

			if (d->kind != LR_STAT_KIND_DROP)
				continue;
			for (i = 0; i < nb_workers(); i++)
				drop_sample(p, d->layer, d->name, i, lr_app_stats_read(t, i, id));
		}
	}
	for (i = 0; i < nb_workers(); i++) {
		const struct lr_steer_stats *st = lr_steer_stats_get(lr_workers[i].id);

		drop_sample(p, "steer", "RING_FULL", i,
				st != NULL ? lr_app_load64(&st->ring_full) : 0);
	}
}

/* Listeners and connections per state and worker (the workers' own gauges). */
static void
metrics_tcp_states(struct lr_prom *p)
{
	struct lr_prom_label l[2] = { { "state", NULL }, { "worker", NULL } };
	uint64_t n[LR_TCP_NB_STATES];
	char id[8], low[32];
	unsigned int i, s;

	lr_prom_family(p, "linerate_tcp_connections", LR_PROM_GAUGE,
			"TCP listeners and connections now, by state (listen: listeners and "
			"connections being born from one)");
	for (i = 0; i < nb_workers(); i++) {
		lr_tcp_state_counts(&lr_workers[i], n);
		snprintf(id, sizeof(id), "%u", i);
		l[1].value = id;
		for (s = LR_TCP_LISTEN; s < LR_TCP_NB_STATES; s++) {
			l[0].value = lr_app_lower(lr_tcp_state_name(s), low, sizeof(low));
			lr_prom_u64(p, l, RTE_DIM(l), n[s]);
		}
	}
}

/* The built-in services' counters (summed over workers), labelled service="echo"... */
static void
metrics_services(struct lr_prom *p)
{
	static const struct field f[] = {
#define SVC(n, field, h) { n, h, offsetof(struct lr_tcp_svc_stats, field) }
		SVC("linerate_service_connections_total", conns, "connections accepted"),
		SVC("linerate_service_received_bytes_total", bytes_in, "payload bytes received"),
		SVC("linerate_service_sent_bytes_total", bytes_out, "payload bytes queued for sending"),
		SVC("linerate_service_requests_total", requests, "HTTP requests answered"),
		SVC("linerate_service_errors_total", errors,
				"refused (no state left), send failures, HTTP 4xx"),
		SVC("linerate_service_idle_timeouts_total", idle_timeout,
				"connections closed after [tcp] idle_timeout_ms"),
		SVC("linerate_service_header_timeouts_total", header_timeout,
				"HTTP connections reset: head not complete in time"),
		SVC("linerate_service_drain_closed_total", drain_closed,
				"connections closed with FIN at shutdown"),
#undef SVC
	};
	static const struct field outcomes[] = {
#define OUTCOME(o) { #o, NULL, offsetof(struct lr_tcp_client_stats, o) }
		OUTCOME(started), OUTCOME(connected), OUTCOME(refused), OUTCOME(reset),
		OUTCOME(timeout), OUTCOME(completed),
#undef OUTCOME
	};
	struct lr_tcp_svc_stats svc[LR_TCP_SVC_NB];
	const char *names[LR_TCP_SVC_NB];
	struct lr_tcp_client_stats cl;
	unsigned int s;

	lr_services_tcp_stats(lr_nb_workers, svc, &cl);
	for (s = 0; s < LR_TCP_SVC_NB; s++)
		names[s] = lr_tcp_svc_name(s);
	field_families(p, f, RTE_DIM(f), "service", names, svc, sizeof(svc[0]), LR_TCP_SVC_NB);
	field_samples(p, "linerate_client_connections_total",
			"connections of the `connect` client, by outcome", "outcome",
			outcomes, RTE_DIM(outcomes), &cl);
	single(p, "linerate_client_sent_bytes_total", LR_PROM_COUNTER,
			"payload bytes the `connect` client queued for sending", cl.bytes_sent);
	single(p, "linerate_client_received_bytes_total", LR_PROM_COUNTER,
			"payload bytes the `connect` client received", cl.bytes_in);
	single(p, "linerate_client_active_connections", LR_PROM_GAUGE,
			"connections of the `connect` client open now", cl.active);
}

/* ethdev counters of every port, labelled port="N". */
static void
metrics_ports(struct lr_prom *p)
{
	static const struct field f[] = {
#define PORT(n, field, h) { n, h, offsetof(struct rte_eth_stats, field) }
		PORT("linerate_port_received_packets_total", ipackets, "packets received"),
		PORT("linerate_port_received_bytes_total", ibytes, "bytes received"),
		PORT("linerate_port_sent_packets_total", opackets, "packets sent"),
		PORT("linerate_port_sent_bytes_total", obytes, "bytes sent"),
		PORT("linerate_port_receive_errors_total", ierrors, "erroneous packets received"),
		PORT("linerate_port_send_errors_total", oerrors, "packets that failed to go"),
		PORT("linerate_port_missed_packets_total", imissed,
				"packets the NIC dropped: RX queues full"),
		PORT("linerate_port_rx_nombuf_total", rx_nombuf,
				"RX mbuf allocation failures"),
#undef PORT
	};
	struct rte_eth_stats st[LR_MAX_PORTS];
	char id[LR_MAX_PORTS][8];
	const char *ids[LR_MAX_PORTS];
	unsigned int k;

	for (k = 0; k < LR_MAX_PORTS; k++) {
		const struct lr_iface *ifc = lr_iface_get(k);

		snprintf(id[k], sizeof(id[k]), "%u", k);
		ids[k] = ifc != NULL && rte_eth_dev_is_valid_port(ifc->port_id) &&
			rte_eth_stats_get(ifc->port_id, &st[k]) == 0 ? id[k] : NULL;
	}
	field_families(p, f, RTE_DIM(f), "port", ids, st, sizeof(st[0]), LR_MAX_PORTS);
}

struct pool_walk {
	struct lr_prom *p;
	bool in_use;
};

static void
pool_sample(struct rte_mempool *mp, void *arg)
{
	struct pool_walk *pw = arg;
	struct lr_prom_label l = { "pool", mp->name };

	lr_prom_u64(pw->p, &l, 1, pw->in_use ? rte_mempool_in_use_count(mp) : mp->size);
}

/* Every mempool of the process: size and objects in use (per-lcore caches counted). */
static void
metrics_pools(struct lr_prom *p)
{
	struct pool_walk pw = { .p = p, .in_use = false };

	lr_prom_family(p, "linerate_mempool_size_objects", LR_PROM_GAUGE,
			"objects in the mempool");
	rte_mempool_walk(pool_sample, &pw);
	pw.in_use = true;
	lr_prom_family(p, "linerate_mempool_in_use_objects", LR_PROM_GAUGE,
			"objects of the mempool in use (exact when the workers are idle)");
	rte_mempool_walk(pool_sample, &pw);
}

/* Each worker's memory budget (`mem`): used, peak, by holder, thresholds, level. */
static void
metrics_memory(struct lr_prom *p)
{
	static uint64_t v[3][LR_MAX_WORKERS];
	struct lr_prom_label l[2] = { { "worker", NULL }, { NULL, NULL } };
	char id[8];
	unsigned int i, u;

	for (i = 0; i < nb_workers(); i++) {
		v[0][i] = lr_app_load64(&lr_workers[i].mem.used);
		v[1][i] = lr_app_load64(&lr_workers[i].mem.peak);
		v[2][i] = __atomic_load_n(&lr_workers[i].mem.level, __ATOMIC_RELAXED) !=
			LR_MEM_NORMAL;
	}
	per_worker(p, "linerate_memory_used_bytes", LR_PROM_GAUGE,
			"bytes charged to the worker's memory budget", v[0], 0);
	per_worker(p, "linerate_memory_peak_bytes", LR_PROM_GAUGE,
			"highest bytes charged since start", v[1], 0);
	per_worker(p, "linerate_memory_pressure", LR_PROM_GAUGE,
			"1 while the worker's budget is under pressure", v[2], 0);
	lr_prom_family(p, "linerate_memory_limit_bytes", LR_PROM_GAUGE,
			"budget thresholds: high (hard limit), pressure (enter), low (leave)");
	for (i = 0; i < nb_workers(); i++) {
		const struct lr_mem_conf *c = &lr_workers[i].mem.conf;
		const struct { const char *t; const uint64_t *v; } th[] = {
			{ "high", &c->high }, { "pressure", &c->pressure }, { "low", &c->low },
		};

		snprintf(id, sizeof(id), "%u", i);
		l[0].value = id;
		l[1].name = "threshold";
		for (u = 0; u < RTE_DIM(th); u++) {
			l[1].value = th[u].t;
			lr_prom_u64(p, l, 2, lr_app_load64(th[u].v));
		}
	}
	lr_prom_family(p, "linerate_memory_holder_bytes", LR_PROM_GAUGE,
			"bytes charged to the worker's budget, by holder");
	for (i = 0; i < nb_workers(); i++) {
		snprintf(id, sizeof(id), "%u", i);
		l[0].value = id;
		l[1].name = "holder";
		for (u = 0; u < LR_MEM_USERS; u++) {
			l[1].value = lr_mem_user_names[u];
			lr_prom_u64(p, l, 2, lr_app_load64(&lr_workers[i].mem.by_user[u]));
		}
	}
}

static const char *const arp_states[] = {
	[LR_ARP_INCOMPLETE] = "incomplete", [LR_ARP_REACHABLE] = "reachable",
	[LR_ARP_STALE] = "stale", [LR_ARP_DELAY] = "delay", [LR_ARP_PROBE] = "probe",
};

static int
arp_count(const struct lr_arp_entry_info *e, void *arg)
{
	uint64_t *n = arg;

	if ((unsigned int)e->state < RTE_DIM(arp_states))
		n[e->state]++;
	return 0;
}

/* ARP cache entries per worker and state (seqlock copies, no worker call). */
static void
metrics_arp(struct lr_prom *p)
{
	struct lr_prom_label l[2] = { { "state", NULL }, { "worker", NULL } };
	uint64_t n[RTE_DIM(arp_states)];
	char id[8];
	unsigned int i, s;

	lr_prom_family(p, "linerate_arp_entries", LR_PROM_GAUGE,
			"ARP cache entries, by state");
	for (i = 0; i < nb_workers(); i++) {
		memset(n, 0, sizeof(n));
		lr_arp_walk(&lr_workers[i], arp_count, n);
		snprintf(id, sizeof(id), "%u", i);
		l[1].value = id;
		for (s = LR_ARP_INCOMPLETE; s < RTE_DIM(arp_states); s++) {
			l[0].value = arp_states[s];
			lr_prom_u64(p, l, RTE_DIM(l), n[s]);
		}
	}
}

/* The load generator's latency histogram (its measured window), per worker. Bounds
 * are powers of two microseconds: edges of lr_hist.h buckets, so counts are exact. */
static void
metrics_latency(struct lr_prom *p)
{
	struct lr_prom_label l = { "worker", NULL };
	uint64_t bounds_us[LAT_BOUNDS], cum[LAT_BOUNDS], count, sum_us;
	double le[LAT_BOUNDS];
	char id[8];
	unsigned int i, k;

	for (k = 0; k < LAT_BOUNDS; k++) {
		bounds_us[k] = 1ULL << (k + LAT_SHIFT0);
		le[k] = (double)bounds_us[k] / 1e6;
	}
	lr_prom_family(p, "linerate_loadgen_latency_seconds", LR_PROM_HISTOGRAM,
			"load generator latency in its measured window (crr: connect to close, "
			"rr: request to response, udp: echo round trip)");
	for (i = 0; i < nb_workers(); i++) {
		lr_loadgen_latency(i, bounds_us, cum, LAT_BOUNDS, &count, &sum_us);
		snprintf(id, sizeof(id), "%u", i);
		l.value = id;
		lr_prom_histogram(p, &l, 1, le, cum, LAT_BOUNDS, (double)sum_us / 1e6, count);
	}
}

/* The endpoint's own counters: what scrapers got. */
static void
metrics_endpoint(struct lr_prom *p)
{
	static const struct field codes[] = {
#define CODE(c) { #c, NULL, offsetof(struct lr_ctl_http_stats, status_##c) }
		CODE(200), CODE(400), CODE(404), CODE(405), CODE(431), CODE(500),
#undef CODE
	};
	struct lr_ctl_http_stats st;

	lr_ctl_http_stats_get(&st);
	field_samples(p, "linerate_metrics_responses_total",
			"answers of the metrics endpoint, by HTTP status", "code", codes,
			RTE_DIM(codes), &st);
	single(p, "linerate_metrics_refused_total", LR_PROM_COUNTER,
			"metrics connections refused (503): too many at once", st.refused);
	single(p, "linerate_metrics_timeouts_total", LR_PROM_COUNTER,
			"metrics connections closed at their deadline", st.timeouts);
}

int
lr_app_metrics(struct lr_ctl_buf *out, bool openmetrics)
{
	struct lr_prom p;

	lr_prom_init(&p, out, openmetrics);
	metrics_info(&p);
	metrics_workers(&p);
	metrics_counts(&p);
	metrics_drops(&p);
	metrics_tcp_states(&p);
	metrics_services(&p);
	metrics_ports(&p);
	metrics_pools(&p);
	metrics_memory(&p);
	metrics_arp(&p);
	metrics_latency(&p);
	metrics_endpoint(&p);
	return lr_prom_finish(&p);
}

/* metrics [openmetrics]: what the endpoint serves. */
static int
cmd_metrics(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	int ret;

	if (json || argc > 2 || (argc == 2 && strcmp(argv[1], "openmetrics") != 0))
		return lr_ctl_errorf(out, "usage: metrics [openmetrics] (Prometheus text, no JSON)");
	ret = lr_app_metrics(out, argc == 2);
	if (ret != 0)
		return lr_ctl_errorf(out, "metrics: %s", strerror(-ret));
	return 0;
}

int
lr_app_ctl_metrics_register(void)
{
	int ret = lr_ctl_register("metrics", "Prometheus text exposition (what [app] metrics "
			"serves) [openmetrics]", cmd_metrics);

	return ret == -EEXIST ? 0 : ret;
}

int
lr_app_metrics_listen(const struct lr_config *cfg)
{
	if (cfg->metrics[0] == '\0')
		return 0;
	return lr_ctl_metrics_listen(cfg->metrics, lr_app_metrics);
}
