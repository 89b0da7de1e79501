/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP control commands: `conns` (netstat -atn), the tcp and services sections of
 * `stats`, `connect` (the built-in client), and their telemetry forms.
 *
 * Connection tables belong to the workers, so they are read on the workers' lcores
 * through lr_worker_call(), one bounded page (LR_TCP_WALK_PAGE entries) per call:
 * a worker is never held longer than a page, whatever its number of connections.
 * A call that times out leaves its page to the worker, which frees it once it has
 * run (see struct call_hdr). Per-state counts come from gauges, without a call.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "ctl_cmds.h"
#include "loadgen.h"
#include "lr_ctl.h"
#include "lr_tcp.h"
#include "tcp_services.h"

#define CALL_TIMEOUT_MS 1000

/* ---- running a snapshot function on a worker ---- */

enum { CALL_PENDING = 0, CALL_DONE, CALL_ABANDONED };

/*
 * Head of every request posted to a worker. Whoever of the control thread (on
 * timeout) and the worker (after running fn) comes second frees the request.
 */
struct call_hdr {
	void (*fn)(struct lr_worker *w, struct call_hdr *h);
	uint32_t state;
};

/* Control threads (ctl server, telemetry) take turns: the mailbox has one slot. */
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;

static void
call_tramp(struct lr_worker *w, void *arg)
{
	struct call_hdr *h = arg;

	h->fn(w, h);
	if (__atomic_exchange_n(&h->state, CALL_DONE, __ATOMIC_ACQ_REL) == CALL_ABANDONED)
		free(h);
}

/*
 * Run h->fn on w's lcore and wait.
 * @return 0 (h is the caller's again), or -EBUSY / -ETIMEDOUT: h is no longer the
 *         caller's (freed, or freed by the worker once it ran)
 */
static int
worker_run(struct lr_worker *w, struct call_hdr *h)
{
	int rc;

	pthread_mutex_lock(&call_lock);
	if (__atomic_load_n(&w->call_req, __ATOMIC_ACQUIRE) !=
			__atomic_load_n(&w->call_done, __ATOMIC_ACQUIRE)) {
		/* an earlier call timed out and is still posted */
		pthread_mutex_unlock(&call_lock);
		free(h);
		return -EBUSY;
	}
	h->state = CALL_PENDING;
	rc = lr_worker_call(w, call_tramp, h, CALL_TIMEOUT_MS);
	pthread_mutex_unlock(&call_lock);
	if (rc == 0)
		return 0;
	if (__atomic_exchange_n(&h->state, CALL_ABANDONED, __ATOMIC_ACQ_REL) == CALL_DONE)
		return 0;   /* it ran just after the deadline */
	return -ETIMEDOUT;
}

/* ---- paging through a worker's connections ---- */

/* One page: the worker fills e[] from where the cursor stands (lr_tcp_walk_page). */
struct page_req {
	struct call_hdr hdr;
	struct lr_tcp_cursor cur;
	uint32_t n;
	struct lr_tcp_conn_info e[LR_TCP_WALK_PAGE];
};

static int
page_add(const struct lr_tcp_conn_info *info, void *arg)
{
	struct page_req *r = arg;

	r->e[r->n++] = *info;
	return 0;
}

static void
page_collect(struct lr_worker *w, struct call_hdr *h)
{
	struct page_req *r = (struct page_req *)h;

	r->n = 0;
	lr_tcp_walk_page(w, &r->cur, LR_TCP_WALK_PAGE, page_add, r);
}

/* Called on the control thread for each entry; false stops the walk. */
typedef bool (*conns_emit_t)(const struct lr_tcp_conn_info *e, void *arg);

/*
 * Walk worker i's listeners and connections a page (LR_TCP_WALK_PAGE entries) per
 * worker call, yielding between calls, so that a shard of millions of connections
 * never holds the worker for more than one page.
 * @return 0, or -ENOMEM/-EBUSY/-ETIMEDOUT
 */
static int
conns_each(unsigned int i, conns_emit_t emit, void *arg)
{
	struct page_req *r = calloc(1, sizeof(*r));
	uint32_t k;
	int rc;

	if (r == NULL)
		return -ENOMEM;
	r->hdr.fn = page_collect;
	while (!lr_tcp_cursor_done(&r->cur)) {
		rc = worker_run(&lr_workers[i], &r->hdr);
		if (rc != 0)
			return rc;  /* r is no longer ours */
		for (k = 0; k < r->n; k++)
			if (!emit(&r->e[k], arg)) {
				free(r);
				return 0;
			}
		sched_yield();
	}
	free(r);
	return 0;
}

/* "TIME_WAIT", "time-wait", "Time_Wait" all name LR_TCP_TIME_WAIT. @return -1 if none */
static int
state_parse(const char *s)
{
	char buf[32];
	size_t i;
	int st;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
	for (st = LR_TCP_CLOSED; st <= LR_TCP_TIME_WAIT; st++)
		if (strcmp(buf, lr_tcp_state_name(st)) == 0)
			return st;
	return -1;
}

static void
addr_port(rte_be32_t a, uint16_t port, bool any_port, char *buf, size_t len)
{
	char ip[16];

	lr_ip_fmt(a, ip, sizeof(ip));
	if (any_port)
		snprintf(buf, len, "%s:*", ip);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

struct conns_filter {
	int state;       /* -1: any */
	int port;        /* -1: any; else local or remote port */
};

static bool
conns_match(const struct conns_filter *f, const struct lr_tcp_conn_info *e)
{
	if (f->state >= 0 && (int)e->state != f->state)
		return false;
	return f->port < 0 || e->lport == f->port ||
		(e->state != LR_TCP_LISTEN && e->rport == f->port);
}

static int
conns_args(int argc, char *const argv[], struct conns_filter *f, struct lr_ctl_buf *out)
{
	char *end;
	unsigned long p;
	int i;

	f->state = -1;
	f->port = -1;
	for (i = 1; i < argc; i++) {
		if (strcasecmp(argv[i], "port") == 0 && i + 1 < argc && f->port < 0) {
			p = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || !isdigit((unsigned char)argv[i][0]) || p > UINT16_MAX)
				return lr_ctl_errorf(out, "bad port '%.16s': expected 0..65535",
						argv[i]);
			f->port = (int)p;
		} else if (f->state < 0 && state_parse(argv[i]) >= 0) {
			f->state = state_parse(argv[i]);
		} else {
			return lr_ctl_errorf(out, "usage: conns [STATE] [port N] (STATE: LISTEN, "
					"SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, "
					"CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT)");
		}
	}
	return 0;
}

struct conns_out {
	const struct conns_filter *f;
	struct lr_ctl_table t;
};

static bool
conns_row(const struct lr_tcp_conn_info *e, void *arg)
{
	struct conns_out *o = arg;
	bool lsn = e->state == LR_TCP_LISTEN;
	char a[32];

	if (!conns_match(o->f, e))
		return true;
	lr_ctl_table_cell(&o->t, "tcp");
	addr_port(e->laddr, e->lport, false, a, sizeof(a));
	lr_ctl_table_cell(&o->t, "%s", a);
	addr_port(e->raddr, e->rport, lsn, a, sizeof(a));
	lr_ctl_table_cell(&o->t, "%s", a);
	lr_ctl_table_cell(&o->t, "%s", e->state_name);
	lr_ctl_table_u64(&o->t, e->send_q);
	lr_ctl_table_u64(&o->t, e->recv_q);
	lr_ctl_table_u64(&o->t, e->cwnd);
	lr_ctl_table_cell(&o->t, "%s", e->cc != NULL ? e->cc : "-");
	lr_ctl_table_u64(&o->t, e->srtt_us);
	lr_ctl_table_u64(&o->t, e->rto_us);
	lr_ctl_table_u64(&o->t, e->retransmits);
	lr_ctl_table_u64(&o->t, e->worker);
	return o->t.err == 0;
}

/* conns [STATE] [port N]: every listener and connection, like netstat -atn. */
static int
cmd_conns(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const struct lr_ctl_col cols[] = {
		{ "proto", LR_CTL_COL_STR }, { "local", LR_CTL_COL_STR },
		{ "remote", LR_CTL_COL_STR }, { "state", LR_CTL_COL_STR },
		{ "send_q", LR_CTL_COL_NUM }, { "recv_q", LR_CTL_COL_NUM },
		{ "cwnd", LR_CTL_COL_NUM }, { "cc", LR_CTL_COL_STR },
		{ "srtt_us", LR_CTL_COL_NUM }, { "rto_us", LR_CTL_COL_NUM },
		{ "retransmits", LR_CTL_COL_NUM }, { "worker", LR_CTL_COL_NUM },
	};
	struct conns_filter f;
	struct conns_out o = { .f = &f };
	unsigned int i, nbw = RTE_MIN(lr_nb_workers, (uint16_t)LR_MAX_WORKERS);
	int rc;

	rc = conns_args(argc, argv, &f, out);
	if (rc != 0)
		return rc;
	lr_ctl_table_begin(&o.t, out, json, NULL, cols, RTE_DIM(cols));
	for (i = 0; i < nbw; i++) {
		rc = conns_each(i, conns_row, &o);
		if (rc != 0) {
			lr_ctl_table_end(&o.t);
			return lr_ctl_errorf(out, "worker %u: %s", i, rc == -ETIMEDOUT ?
					"did not answer within 1 s" : strerror(-rc));
		}
	}
	return lr_ctl_table_end(&o.t);
}

/* ---- connections per state ---- */

/* Current listeners and connections per state, summed over workers: gauges the
 * workers keep at each state change, read without a worker call. */
static void
states_count(uint64_t n[LR_TCP_NB_STATES])
{
	uint64_t w[LR_TCP_NB_STATES];
	unsigned int i, s;

	memset(n, 0, sizeof(uint64_t) * LR_TCP_NB_STATES);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		lr_tcp_state_counts(&lr_workers[i], w);
		for (s = 0; s < LR_TCP_NB_STATES; s++)
			n[s] += w[s];
	}
}

static uint64_t
tcp_stat_sum(unsigned int id)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++)
		v += lr_app_stats_read(LR_APP_STATS_TCP, i, id);
	return v;
}

static int
stats_tcp(bool json, struct lr_ctl_buf *out)
{
	uint64_t val[LR_TCP_STAT_MAX], states[LR_TCP_NB_STATES];
	struct lr_ctl_kv kv;
	char name[64];
	unsigned int id, width = 1;
	int ret = 0;

	for (id = 0; id < LR_TCP_STAT_MAX; id++) {
		val[id] = tcp_stat_sum(id);
		width = RTE_MAX(width, (unsigned int)snprintf(NULL, 0, "%" PRIu64, val[id]));
	}
	ret |= lr_ctl_section_begin(out, json, "tcp");
	for (id = 0; id < LR_TCP_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_tcp_stat_desc(id);

		if (json)
			ret |= lr_ctl_json_u64(out, lr_app_lower(d->name, name, sizeof(name)),
					val[id]);
		else
			ret |= lr_ctl_buf_printf(out, "%*s%*" PRIu64 "  %s%s\n", (int)out->indent,
					"", (int)width, val[id], d->desc,
					d->kind == LR_STAT_KIND_DROP ? "  [drop]" : "");
	}
	states_count(states);
	ret |= lr_ctl_kv_begin(&kv, out, json, "states");
	for (id = LR_TCP_LISTEN; id < LR_TCP_NB_STATES; id++)
		ret |= lr_ctl_kv_u64(&kv, lr_app_lower(lr_tcp_state_name(id), name,
				sizeof(name)), states[id]);
	ret |= lr_ctl_kv_end(&kv);
	ret |= lr_ctl_section_end(out, json);
	return ret;
}

static int
stats_services(bool json, struct lr_ctl_buf *out)
{
	struct lr_tcp_svc_stats svc[LR_TCP_SVC_NB];
	struct lr_tcp_client_stats cl;
	struct lr_ctl_kv kv;
	unsigned int s;
	int ret = 0;

	lr_services_tcp_stats(lr_nb_workers, svc, &cl);
	ret |= lr_ctl_section_begin(out, json, "services");
	for (s = 0; s < LR_TCP_SVC_NB; s++) {
		ret |= lr_ctl_kv_begin(&kv, out, json, lr_tcp_svc_name(s));
		ret |= lr_ctl_kv_u64(&kv, "conns", svc[s].conns);
		ret |= lr_ctl_kv_u64(&kv, "bytes_in", svc[s].bytes_in);
		ret |= lr_ctl_kv_u64(&kv, "bytes_out", svc[s].bytes_out);
		ret |= lr_ctl_kv_u64(&kv, "requests", svc[s].requests);
		ret |= lr_ctl_kv_u64(&kv, "errors", svc[s].errors);
		ret |= lr_ctl_kv_u64(&kv, "idle_timeout", svc[s].idle_timeout);
		ret |= lr_ctl_kv_u64(&kv, "header_timeout", svc[s].header_timeout);
		ret |= lr_ctl_kv_u64(&kv, "drain_closed", svc[s].drain_closed);
		ret |= lr_ctl_kv_end(&kv);
	}
	ret |= lr_ctl_kv_begin(&kv, out, json, "client");
	ret |= lr_ctl_kv_u64(&kv, "started", cl.started);
	ret |= lr_ctl_kv_u64(&kv, "connected", cl.connected);
	ret |= lr_ctl_kv_u64(&kv, "refused", cl.refused);
	ret |= lr_ctl_kv_u64(&kv, "reset", cl.reset);
	ret |= lr_ctl_kv_u64(&kv, "timeout", cl.timeout);
	ret |= lr_ctl_kv_u64(&kv, "completed", cl.completed);
	ret |= lr_ctl_kv_u64(&kv, "active", cl.active);
	ret |= lr_ctl_kv_u64(&kv, "bytes_sent", cl.bytes_sent);
	ret |= lr_ctl_kv_u64(&kv, "bytes_in", cl.bytes_in);
	ret |= lr_ctl_kv_end(&kv);
	ret |= lr_ctl_section_end(out, json);
	return ret;
}

int
lr_app_ctl_stats_tcp(const char *layer, bool json, struct lr_ctl_buf *out)
{
	int ret = 0;

	if (layer == NULL || strcmp(layer, "tcp") == 0)
		ret |= stats_tcp(json, out);
	if (layer == NULL || strcmp(layer, "services") == 0)
		ret |= stats_services(json, out);
	return ret;
}

/* ---- connect ---- */

struct connect_req {
	struct call_hdr hdr;
	rte_be32_t dst;
	uint16_t port;
	uint64_t bytes;
	int rc;
};

static void
connect_run(struct lr_worker *w, struct call_hdr *h)
{
	struct connect_req *r = (struct connect_req *)h;

	r->rc = lr_services_tcp_client_start(w, r->dst, r->port, r->bytes);
}

/*
 * connect ADDR PORT [BYTES]: active open; returns at once. Workers take turns (round
 * robin): each picks a source port whose replies hash to itself (lr_steer_port_ok).
 */
static int
cmd_connect(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static unsigned int next_worker;
	struct connect_req *r;
	struct in_addr a;
	unsigned int wid;
	unsigned long long bytes = 0;
	unsigned long port;
	char *end;
	int rc;

	if (argc < 3 || argc > 4)
		return lr_ctl_errorf(out, "usage: connect ADDR PORT [BYTES]");
	if (inet_pton(AF_INET, argv[1], &a) != 1)
		return lr_ctl_errorf(out, "bad address '%.32s': expected an IPv4 address",
				argv[1]);
	port = strtoul(argv[2], &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)argv[2][0]) || port == 0 || port > UINT16_MAX)
		return lr_ctl_errorf(out, "bad port '%.16s': expected 1..65535", argv[2]);
	if (argc == 4) {
		bytes = strtoull(argv[3], &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)argv[3][0]))
			return lr_ctl_errorf(out, "bad byte count '%.24s': expected a number",
					argv[3]);
	}
	if (lr_nb_workers == 0)
		return lr_ctl_errorf(out, "no worker runs");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->hdr.fn = connect_run;
	r->dst = a.s_addr;
	r->port = (uint16_t)port;
	r->bytes = bytes;
	/* control threads take turns on call_lock; a lost increment only skews the turn */
	wid = __atomic_fetch_add(&next_worker, 1, __ATOMIC_RELAXED) % lr_nb_workers;
	rc = worker_run(&lr_workers[wid], &r->hdr);
	if (rc != 0)
		return lr_ctl_errorf(out, "worker %u: %s", wid, rc == -ETIMEDOUT ?
				"did not answer within 1 s" : strerror(-rc));
	rc = r->rc;
	free(r);
	if (rc != 0)
		return lr_ctl_errorf(out, "connect: %s", strerror(-rc));
	if (json) {
		lr_ctl_json_str(out, "status", "started");
		return lr_ctl_json_finish(out);
	}
	return lr_ctl_buf_printf(out, "started\n");
}

/* ---- loadgen start SPEC... | stop | report ---- */

struct loadgen_req {
	struct call_hdr hdr;
	struct lr_loadgen_conf conf;
	bool stop;
	int rc;
};

static void
loadgen_run(struct lr_worker *w, struct call_hdr *h)
{
	struct loadgen_req *r = (struct loadgen_req *)h;

	if (r->stop) {
		lr_loadgen_stop(w);
		r->rc = 0;
		return;
	}
	/* a finished run makes room for the next one */
	if (lr_loadgen_done(w))
		lr_loadgen_stop(w);
	r->rc = lr_loadgen_start(w, &r->conf);
}

/* Run start or stop on every worker in order (worker 0 first). */
static int
loadgen_each(const struct lr_loadgen_conf *conf, bool stop, struct lr_ctl_buf *out)
{
	struct loadgen_req *r;
	unsigned int i;
	int rc;

	for (i = 0; i < lr_nb_workers; i++) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		r->hdr.fn = loadgen_run;
		r->stop = stop;
		if (conf != NULL)
			r->conf = *conf;
		rc = worker_run(&lr_workers[i], &r->hdr);
		if (rc != 0)
			return lr_ctl_errorf(out, "worker %u: %s", i, rc == -ETIMEDOUT ?
					"did not answer within 1 s" : strerror(-rc));
		rc = r->rc;
		free(r);
		if (rc != 0)
			return lr_ctl_errorf(out, "worker %u: load generator: %s", i,
					strerror(-rc));
	}
	return 0;
}

static int
cmd_loadgen(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	struct lr_loadgen_conf conf;
	char spec[LR_CTL_REQ_MAX], err[256], *text = NULL;
	size_t len = 0, n = 0;
	FILE *f;
	int i, rc;

	if (argc >= 3 && strcmp(argv[1], "start") == 0) {
		spec[0] = '\0';
		for (i = 2; i < argc; i++)
			n += (size_t)snprintf(spec + n, sizeof(spec) - RTE_MIN(n, sizeof(spec)),
					"%s%s", i > 2 ? " " : "", argv[i]);
		if (lr_loadgen_parse(&conf, spec, err, sizeof(err)) != 0)
			return lr_ctl_errorf(out, "%s", err);
		rc = loadgen_each(&conf, false, out);
		if (rc != 0)
			return rc;
		return json ? lr_ctl_json_str(out, "status", "started") | lr_ctl_json_finish(out) :
				lr_ctl_buf_printf(out, "started\n");
	}
	if (argc == 2 && strcmp(argv[1], "stop") == 0) {
		rc = loadgen_each(NULL, true, out);
		return rc != 0 ? rc : lr_ctl_buf_printf(out, json ? "{}\n" : "stopped\n");
	}
	if (argc == 2 && (strcmp(argv[1], "report") == 0 || strcmp(argv[1], "live") == 0)) {
		struct lr_loadgen_row row;
		bool live = argv[1][0] == 'l';

		if (live && lr_loadgen_live_last(&row) != 0)
			return lr_ctl_errorf(out, "no live row yet (a run makes one a second)");
		f = open_memstream(&text, &len);
		if (f == NULL)
			return -ENOMEM;
		if (live)
			lr_loadgen_row_print(f, &row, true, json);
		else
			lr_loadgen_report(f, lr_nb_workers, json);
		fclose(f);
		rc = lr_ctl_buf_append(out, text, len);
		free(text);
		return rc;
	}
	return lr_ctl_errorf(out, "usage: loadgen start SPEC | loadgen stop | loadgen report | "
			"loadgen live (SPEC like: mode=rr target=198.18.0.1:80 conc=8 duration=5s)");
}

/* ---- telemetry ---- */

static void
tel_conn(struct rte_tel_data *d, const struct lr_tcp_conn_info *e, unsigned int n)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char a[32], key[16];

	if (c == NULL)
		return;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "proto", "tcp");
	addr_port(e->laddr, e->lport, false, a, sizeof(a));
	rte_tel_data_add_dict_string(c, "local", a);
	addr_port(e->raddr, e->rport, e->state == LR_TCP_LISTEN, a, sizeof(a));
	rte_tel_data_add_dict_string(c, "remote", a);
	rte_tel_data_add_dict_string(c, "state", e->state_name);
	rte_tel_data_add_dict_u64(c, "send_q", e->send_q);
	rte_tel_data_add_dict_u64(c, "recv_q", e->recv_q);
	rte_tel_data_add_dict_u64(c, "cwnd", e->cwnd);
	rte_tel_data_add_dict_string(c, "cc", e->cc != NULL ? e->cc : "-");
	rte_tel_data_add_dict_u64(c, "srtt_us", e->srtt_us);
	rte_tel_data_add_dict_u64(c, "rto_us", e->rto_us);
	rte_tel_data_add_dict_u64(c, "retransmits", e->retransmits);
	rte_tel_data_add_dict_int(c, "worker", e->worker);
	snprintf(key, sizeof(key), "%u", n);
	if (rte_tel_data_add_dict_container(d, key, c, 0) < 0)
		rte_tel_data_free(c);
}

struct tel_out {
	struct rte_tel_data *d;
	unsigned int n;
};

static bool
tel_row(const struct lr_tcp_conn_info *e, void *arg)
{
	struct tel_out *o = arg;

	if (o->n >= LR_APP_TEL_CONNS_MAX)
		return false;
	tel_conn(o->d, e, o->n++);
	return true;
}

int
lr_app_tel_conns(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_out o = { .d = d, .n = 0 };
	unsigned int i;
	int rc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS && o.n < LR_APP_TEL_CONNS_MAX; i++) {
		rc = conns_each(i, tel_row, &o);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
lr_app_tel_stats_tcp(struct rte_tel_data *d)
{
	uint64_t states[LR_TCP_NB_STATES];
	struct rte_tel_data *t = rte_tel_data_alloc();
	char name[64];
	unsigned int id;

	if (t == NULL)
		return;
	rte_tel_data_start_dict(t);
	for (id = 0; id < LR_TCP_STAT_MAX; id++)
		rte_tel_data_add_dict_u64(t, lr_app_lower(lr_tcp_stat_desc(id)->name, name,
				sizeof(name)), tcp_stat_sum(id));
	states_count(states);
	for (id = LR_TCP_LISTEN; id < LR_TCP_NB_STATES; id++) {
		snprintf(name, sizeof(name), "state_%s", lr_tcp_state_name(id));
		rte_tel_data_add_dict_u64(t, lr_app_lower(name, name, sizeof(name)), states[id]);
	}
	if (rte_tel_data_add_dict_container(d, "tcp", t, 0) < 0)
		rte_tel_data_free(t);
}

int
lr_app_ctl_tcp_register(void)
{
	static const struct {
		const char *name;
		lr_ctl_handler_t fn;
		const char *help;
	} cmds[] = {
		{ "conns", cmd_conns, "TCP listeners and connections [STATE] [port N]" },
		{ "connect", cmd_connect, "TCP client, workers in turn: ADDR PORT [BYTES]" },
		{ "loadgen", cmd_loadgen, "load generator: start SPEC | stop | report" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(cmds); i++) {
		ret = lr_ctl_register(cmds[i].name, cmds[i].help, cmds[i].fn);
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}
