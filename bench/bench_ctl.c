/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane against a large shard (issue #9, "the control plane never stalls
 * a worker"): what the worker runs for `linerate-ctl stats` and `conns` while its
 * shard holds N established connections, timed on the worker's side.
 *
 * A control thread runs the daemon's own command handlers (lr_app_ctl_register(),
 * lr_ctl_exec() as the control socket server calls it) while the main thread plays
 * the worker's poll loop: each turn sets w->now_us from the TSC, runs lr_tcp_tick()
 * (nothing due: 2 h keepalives), the flushes and lr_worker_poll_calls(), the mailbox
 * through which a request reaches the worker (`conns`: one call per page of
 * lr_tcp_walk_page(), LR_TCP_WALK_PAGE entries). Each call is timed with rte_rdtsc()
 * around lr_worker_poll_calls(); reported: median and max per call, the longest loop
 * turn while the requests run, and the wall time of one whole `conns` (every page and
 * the formatting, on the control thread). Baseline of the same run: the same loop turn
 * with no request (median and max). `stats` reads gauges and counters without a
 * worker call: checked (no call posted while it runs), the longest turn shown.
 *
 * Every `conns` answer is checked: each connection listed exactly once, the listener
 * once, nothing else. Cases: "dense", N connections in a table sized for N; "sparse",
 * SPARSE_CONNS connections in a table sized for N, where pages cross empty slots.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "ctl_cmds.h"
#include "lr_ctl.h"
#include "lr_tcp.h"
#include "bench_common.h"
#include "bench_conns.h"

#define LISTEN_PORT 80
#define PEER_ISN 1000
#define OUR_ISN 8000
#define KEEPALIVE_MS 7200000u   /* 2 h: armed on every connection, never due here */
#define SETTLE_MS 2000          /* past the stopped SYN-ACK timers (RTO 1 s) */
#define REPS 3                  /* `conns` and `stats` runs per case */
#define BASE_TURNS 200000       /* loop turns of the baseline */
#define SPARSE_CONNS 1000
#define TARGET_US 100.0         /* issue #9: longest loop turn under control load */
#define NO_CPU UINT64_MAX       /* a call's CPU time not measured */

/* One batch of requests run by the control thread. */
struct ctl_job {
	const char *cmd;
	unsigned int reps;
	bool done;                  /* set by the control thread (release) */
	int rc;                     /* first failure, or 0 */
	uint64_t wall[REPS];        /* cycles of each lr_ctl_exec() */
	uint64_t cpu_ns[REPS];      /* the control thread's CPU time in each */
	struct lr_ctl_buf resp[REPS];
};

/* What the worker saw while a job ran. */
struct turns {
	uint64_t *call;             /* cycles of each call run (TSC: wall time) */
	uint64_t *cpu;              /* ns of thread CPU time of each (without preemption) */
	uint32_t nb_call, cap;
	uint64_t turn_max;          /* longest loop turn */
	uint64_t nb_turns;
};

struct ctl_row {
	const char *name;
	uint32_t cap, conns;
	double base_med, base_max;  /* baseline turn, us */
	double call_med, call_max;  /* one `conns` page call, us */
	double cpu_med, cpu_p99, cpu_max; /* the same in thread CPU time, us */
	double conns_turn_max;      /* longest turn while `conns` ran, us */
	double stats_turn_max;      /* longest turn while `stats` ran, us */
	double wall_med_ms, wall_max_ms; /* one whole `conns` */
	double ctl_cpu_ms;          /* the control thread's CPU time in it, median */
	uint32_t calls;             /* worker calls of one `conns` */
	bool ok;
};

static struct ctl_row rows[4];
static unsigned int nb_rows;
static uint64_t tsc0, us0;

static uint32_t
fixed_isn(void *arg, rte_be32_t laddr, rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(laddr);
	RTE_SET_USED(lport);
	RTE_SET_USED(raddr);
	RTE_SET_USED(rport);
	return OUR_ISN;
}

static void
free_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

static double
us(uint64_t cycles)
{
	return (double)cycles * 1e6 / bench_hz();
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median(uint64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static void *
ctl_main(void *arg)
{
	struct ctl_job *j = arg;
	unsigned int r;
	uint64_t t0, n0;

	for (r = 0; r < j->reps && j->rc == 0; r++) {
		t0 = rte_rdtsc_precise();
		n0 = cpu_ns();
		j->rc = lr_ctl_exec(j->cmd, &j->resp[r]);
		j->cpu_ns[r] = cpu_ns() - n0;
		j->wall[r] = rte_rdtsc_precise() - t0;
	}
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * One poll-loop turn as app/daemon/main.c worker_main() runs it with nothing received:
 * clock, timers, flushes, then the mailbox. @return cycles of the turn; *call set to
 * the cycles of the posted call it ran, or 0, and *cpu to its thread CPU time (ns).
 */
static uint64_t
turn(uint64_t *call, uint64_t *cpu)
{
	struct lr_worker *w = bench_w;
	uint64_t t0 = rte_rdtsc(), c0, t1, n0 = 0;
	uint32_t done;
	bool posted;

	w->now_us = us0 + (t0 - tsc0) / (bench_hz() / 1000000);
	lr_tcp_flush(w);
	lr_tcp_tick(w);
	lr_tcp_flush(w);
	lr_worker_flush(w);
	done = w->call_done;
	c0 = rte_rdtsc();
	posted = __atomic_load_n(&w->call_req, __ATOMIC_ACQUIRE) != done;
	if (posted) {
		n0 = cpu_ns();
		c0 = rte_rdtsc();
	}
	lr_worker_poll_calls(w);
	t1 = rte_rdtsc();
	/* a call posted just after the check ran too: TSC time only */
	*call = w->call_done != done ? t1 - c0 : 0;
	*cpu = posted ? cpu_ns() - n0 : NO_CPU;
	return t1 - t0;
}

/* Run the worker's loop while the control thread runs job; @return 0 or -1. */
static int
run_job(struct ctl_job *j, struct turns *t)
{
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t th;
	uint64_t dt, call, cpu;
	int c, rc, self = sched_getcpu();

	memset(t, 0, sizeof(*t));
	/* The control thread off the worker's CPU, as in the daemon (main lcore). */
	CPU_ZERO(&cpus);
	for (c = 0; c < CPU_SETSIZE && c < sysconf(_SC_NPROCESSORS_ONLN); c++)
		if (c != self)
			CPU_SET(c, &cpus);
	pthread_attr_init(&attr);
	if (CPU_COUNT(&cpus) > 0)
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	j->rc = 0;
	__atomic_store_n(&j->done, false, __ATOMIC_RELAXED);
	__atomic_store_n(&bench_w->running, true, __ATOMIC_RELEASE);
	rc = pthread_create(&th, &attr, ctl_main, j);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		bench_w->running = false;
		return -1;
	}
	while (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE)) {
		dt = turn(&call, &cpu);
		t->nb_turns++;
		t->turn_max = RTE_MAX(t->turn_max, dt);
		if (call == 0)
			continue;
		if (t->nb_call == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 4096;
			uint64_t *p = realloc(t->call, cap * sizeof(*p));
			uint64_t *q = p ? realloc(t->cpu, cap * sizeof(*q)) : NULL;

			if (p != NULL)
				t->call = p;
			if (q == NULL)
				continue;   /* sample lost, the call ran */
			t->cpu = q;
			t->cap = cap;
		}
		t->cpu[t->nb_call] = cpu;
		t->call[t->nb_call++] = call;
	}
	__atomic_store_n(&bench_w->running, false, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	lr_worker_poll_calls(bench_w);
	return 0;
}

/* Baseline: BASE_TURNS loop turns with no request; median and max in us. */
static void
baseline(struct ctl_row *row)
{
	uint64_t *v = malloc(BASE_TURNS * sizeof(*v)), call, cpu, mx = 0;
	unsigned int i;

	if (v == NULL)
		return;
	for (i = 0; i < BASE_TURNS; i++) {
		v[i] = turn(&call, &cpu);
		mx = RTE_MAX(mx, v[i]);
	}
	row->base_med = us(median(v, BASE_TURNS));
	row->base_max = us(mx);
	free(v);
}

/* Peer index of 198.18.0.x (bench_peer_ip order), or -1. */
static int
peer_index(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	if (a != 198 || b != 18 || c != 0 || d == 0 || d == 2 || d > 254)
		return -1;
	return d == 1 ? 0 : (int)d - 2;
}

/*
 * A `conns` answer lists the listener once and each of the n connections exactly
 * once, ESTABLISHED, and nothing else. @return 0, or -1 with why in err
 */
static int
check_conns(const struct lr_ctl_buf *b, uint32_t n, char *err, size_t len)
{
	uint8_t *seen = calloc(n ? n : 1, 1);
	unsigned int la[4], ra[4], lport, rport, lsn = 0, rows_n = 0, dup = 0, bad = 0;
	char st[24], line[256];
	const char *p = b->data, *nl;
	int peer, rc;

	if (seen == NULL || p == NULL || strncmp(p, "OK\n", 3) != 0) {
		snprintf(err, len, "no OK answer: %.80s", p ? p : "(none)");
		free(seen);
		return -1;
	}
	for (p += 3; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		/* sscanf() takes strlen() of its input: a line at a time, not the rest */
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (sscanf(line, "tcp %u.%u.%u.%u:%u %u.%u.%u.%u:%u %23s", &la[0], &la[1], &la[2],
				&la[3], &lport, &ra[0], &ra[1], &ra[2], &ra[3], &rport, st) == 11) {
			uint64_t i;

			peer = peer_index(ra[0], ra[1], ra[2], ra[3]);
			i = (uint64_t)(rport - BENCH_CONN_PORT_BASE) * BENCH_CONN_PEERS +
					(uint64_t)peer;
			rows_n++;
			if (peer < 0 || rport < BENCH_CONN_PORT_BASE || i >= n || lport != LISTEN_PORT ||
					strcmp(st, "ESTABLISHED") != 0)
				bad++;
			else if (seen[i]++ != 0)
				dup++;
		} else if (strncmp(line, "tcp ", 4) == 0) {
			lsn += strstr(line, "LISTEN") != NULL;
			bad += strstr(line, "LISTEN") == NULL;
		}
	}
	free(seen);
	rc = rows_n == n && dup == 0 && bad == 0 && lsn == 1 ? 0 : -1;
	if (rc != 0)
		snprintf(err, len, "%u connection rows (want %u), %u listed twice, %u unexpected, "
				"%u listeners (want 1)", rows_n, n, dup, bad, lsn);
	return rc;
}

/* REPS `conns`: per-call and wall figures, every answer checked. */
static void
measure_conns(struct ctl_row *row, struct bench_result *r)
{
	struct ctl_job j = { .cmd = "conns", .reps = REPS };
	uint64_t wall[REPS], ctl_ns[REPS];
	struct turns t;
	char err[160];
	unsigned int i, k;

	if (run_job(&j, &t) != 0 || j.rc != 0) {
		for (i = 0; i < REPS && j.rc != 0; i++)
			if (j.resp[i].data != NULL && strncmp(j.resp[i].data, "ERR", 3) == 0)
				break;
		bench_fail(r, "conns: %.80s", j.rc == 0 ? "no control thread" : i < REPS ?
				j.resp[i].data : strerror(-j.rc));
		goto out;
	}
	for (i = 0; i < REPS; i++) {
		if (check_conns(&j.resp[i], row->conns, err, sizeof(err)) != 0) {
			bench_fail(r, "conns run %u: %s", i, err);
			goto out;
		}
		wall[i] = j.wall[i];
		ctl_ns[i] = j.cpu_ns[i];
	}
	row->ctl_cpu_ms = median(ctl_ns, REPS) / 1e6;
	row->calls = t.nb_call / REPS;
	/* pages also end on time (LR_TCP_WALK_US): runs may differ in calls, none has fewer
	 * than full pages would take */
	if (t.nb_call < REPS * ((row->conns + 1) / LR_TCP_WALK_PAGE))
		bench_fail(r, "conns: %u worker calls in %u runs", t.nb_call, REPS);
	row->conns_turn_max = us(t.turn_max);
	row->call_max = us(t.nb_call ? t.call[0] : 0);
	for (i = 0; i < t.nb_call; i++)
		row->call_max = RTE_MAX(row->call_max, us(t.call[i]));
	row->call_med = us(median(t.call, t.nb_call));
	for (i = 0, k = 0; i < t.nb_call; i++)
		if (t.cpu[i] != NO_CPU)
			t.cpu[k++] = t.cpu[i];
	for (i = 0; i < k; i++)
		row->cpu_max = RTE_MAX(row->cpu_max, t.cpu[i] / 1e3);
	row->cpu_med = median(t.cpu, k) / 1e3;   /* sorts t.cpu[0..k) */
	row->cpu_p99 = k > 0 ? t.cpu[k * 99 / 100] / 1e3 : 0;
	row->wall_med_ms = us(median(wall, REPS)) / 1e3;   /* sorts wall[] */
	row->wall_max_ms = us(wall[REPS - 1]) / 1e3;
out:
	for (i = 0; i < REPS; i++)
		lr_ctl_buf_free(&j.resp[i]);
	free(t.call);
	free(t.cpu);
}

/* REPS `stats`: no worker call may be posted; the longest turn meanwhile. */
static void
measure_stats(struct ctl_row *row, struct bench_result *r)
{
	struct ctl_job j = { .cmd = "stats", .reps = REPS };
	struct turns t;
	unsigned int i;

	if (run_job(&j, &t) != 0 || j.rc != 0)
		bench_fail(r, "stats: %s", j.rc ? strerror(-j.rc) : "no control thread");
	else if (t.nb_call != 0)
		bench_fail(r, "stats posted %u worker calls (want none: gauges)", t.nb_call);
	else if (strstr(j.resp[0].data, "established") == NULL)
		bench_fail(r, "stats: no connection states in the answer");
	row->stats_turn_max = us(t.turn_max);
	for (i = 0; i < REPS; i++)
		lr_ctl_buf_free(&j.resp[i]);
	free(t.call);
	free(t.cpu);
}

/* Shard sized for cap connections holding n of them, settled past the SYN-ACK timers. */
static int
make_shard(uint32_t cap, uint32_t n, struct bench_result *r)
{
	static const struct lr_tcp_callbacks cb = { .data = free_data };
	struct lr_tcp_conf conf = lr_tcp_conf_default;
	unsigned int i;
	int rc;

	conf.max_conns = cap;
	conf.delack_ms = 0;
	conf.keepalive_ms = KEEPALIVE_MS;
	conf.half_open_max = cap;
	conf.syncookies = false;
	conf.isn_fn = fixed_isn;
	rc = lr_tcp_worker_init(bench_w, &conf);
	if (rc == 0)
		rc = lr_tcp_listen(bench_w, LISTEN_PORT, &cb, NULL);
	if (rc < 0) {
		bench_fail(r, "shard for %u connections: %s", cap, strerror(-rc));
		return -1;
	}
	if (bench_conn_open(n, LISTEN_PORT, PEER_ISN, OUR_ISN) != 0 ||
			lr_tcp_conn_count(bench_w) != n) {
		bench_fail(r, "%u connections open (want %u)", lr_tcp_conn_count(bench_w), n);
		return -1;
	}
	for (i = 0; i < SETTLE_MS; i++) {
		bench_w->now_us += 1000;
		lr_tcp_tick(bench_w);
		lr_worker_flush(bench_w);
	}
	tsc0 = rte_rdtsc();
	us0 = bench_w->now_us;
	return 0;
}

static void
run_case(const char *name, uint32_t cap, uint32_t n)
{
	struct ctl_row *row = &rows[nb_rows++];
	struct bench_result *r;
	char label[64];

	snprintf(label, sizeof(label), "conns page call, %s %u/%u", name, n, cap);
	r = bench_add(label, "call", 0, 0);
	r->param = n;
	memset(row, 0, sizeof(*row));
	row->name = name;
	row->cap = cap;
	row->conns = n;
	if (make_shard(cap, n, r) == 0) {
		baseline(row);
		measure_conns(row, r);
		measure_stats(row, r);
		r->cycles = row->call_med * bench_hz() / 1e6;
		r->floor = row->base_med * bench_hz() / 1e6;
	}
	if (r->ok) {
		snprintf(r->note, sizeof(r->note), "call max %.1f us (cpu %.1f), turn max %.1f "
				"us (idle %.1f), %.0f ms per conns of %u calls; target %.0f us",
				row->call_max, row->cpu_max, row->conns_turn_max, row->base_max,
				row->wall_med_ms, row->calls, TARGET_US);
	}
	row->ok = r->ok;
	lr_tcp_worker_fini(bench_w);
	lr_worker_flush(bench_w);
}

static void
print_rows(void)
{
	unsigned int i;

	printf("\ncontrol plane against a shard (worker side, us; baseline = the same loop "
			"turn with no request, same run)\n");
	printf("%-6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s %8s %8s %8s\n", "case",
			"conns", "table", "base med", "base max", "call med", "call max", "cpu med",
			"cpu p99", "cpu max", "turn max", "stats", "calls", "conns ms", "ms max", "ctl cpu");
	for (i = 0; i < nb_rows; i++) {
		const struct ctl_row *w = &rows[i];

		printf("%-6s %8u %8u %8.2f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %6u "
				"%8.0f %8.0f %8.0f%s\n", w->name, w->conns, w->cap, w->base_med,
				w->base_max, w->call_med, w->call_max, w->cpu_med, w->cpu_p99, w->cpu_max, w->conns_turn_max,
				w->stats_turn_max, w->calls, w->wall_med_ms, w->wall_max_ms,
				w->ctl_cpu_ms, w->ok ? "" : "  FAIL");
	}
	printf("call = one `conns` page: lr_worker_poll_calls() running the posted "
			"lr_tcp_walk_page() of %d entries, median and max over %d `conns`, in TSC "
			"time (call) and in thread CPU time (cpu: without the time the OS ran "
			"something else on the CPU); turn max = longest loop turn (TSC) while they "
			"ran; stats = the same while %d `stats` ran (they post no call); conns ms = "
			"one whole `conns` (every page and the formatting, control thread), median "
			"and max, wall time; ctl cpu = its CPU time, median; target: turn below %.0f us\n", LR_TCP_WALK_PAGE, REPS, REPS,
			TARGET_US);
}

int
main(int argc, char **argv)
{
	unsigned int i, failed;
	bool smoke = false;
	int leak;

	for (i = 1; i < (unsigned int)argc; i++)
		smoke |= strcmp(argv[i], "--smoke") == 0;
	if (bench_init(argc, argv, "bench_ctl", smoke ? 512 : 1536, 8191,
			BENCH_CONN_PEERS) < 0)
		return 2;
	if (lr_app_ctl_register(NULL) < 0) {
		fprintf(stderr, "bench_ctl: control commands not registered\n");
		return 2;
	}
	if (bench_opts.smoke) {
		run_case("dense", 2000, 2000);
		run_case("sparse", 20000, 100);
	} else {
		run_case("dense", 100000, 100000);
		run_case("dense", 1000000, 1000000);
		run_case("sparse", 1000000, SPARSE_CONNS);
	}
	print_rows();
	failed = bench_report("baseline = one poll-loop turn with no request (tick with "
			"nothing due, flushes, empty mailbox), median");
	leak = bench_fini();
	bench_exit();
	if (failed > 0 || leak < 0) {
		printf("bench_ctl: %u case(s) FAILED%s\n", failed, leak < 0 ? ", mbuf leak" : "");
		return 1;
	}
	return 0;
}
