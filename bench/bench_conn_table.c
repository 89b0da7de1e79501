/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table scaling: the per-packet cost of the TCP pure-ACK path (parse,
 * 4-tuple lookup in the shard's table, FSM on an idle ESTABLISHED connection)
 * against the number of established connections, and the memory each connection
 * costs. Connections are created with synthesised handshakes from 253 peers
 * (198.18.0.1, .3 .. .254) and ports 1024.., and ACKed in a scattered order
 * (stride ~0.618 N) so the table and the connection blocks are visited the way many
 * independent clients would, not in allocation order.
 *
 * Baseline per size: the I/O floor, i.e. the same synthesis (frame copy, tuple
 * patched in with incremental checksums) straight into the sink. The scaling ratio
 * is cycles/packet at N against cycles/packet at 1K.
 *
 * Timers: every connection has a 2 h keepalive armed (the idle server case). With
 * N connections in the shard, lr_tcp_tick() is called once per millisecond of
 * w->now_us, as the poll loop does, and each call is timed: "settle" is the 2 s
 * after the handshakes, in which the N SYN-ACK timers the ACKs stopped pass; "idle"
 * is 1 s with no timer due; "churn" is 1 s in which CHURN_CONNS SYN retransmission
 * timers fire (connects to a silent peer made CHURN_GAP_MS apart), i.e. a few
 * timers due among N armed; "jump" is the clock moving past every keepalive at once
 * (2 h + 1 s, as after the worker thread was stopped), calls repeated 10 us apart
 * while lr_tcp_tick() says work is left. A tick should cost what is due, not N.
 * Last, the ARP cache's timers against its table_size (bench_arp_ticks.c).
 *
 * Table operations: lookups, deletions and additions on the shard's table alone,
 * beside an rte_hash holding the same N tuples (bench_table_ops.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "lr_tcp.h"
#include "tcp_internal.h"
#include "bench_arp_ticks.h"
#include "bench_common.h"
#include "bench_conns.h"
#include "bench_table_ops.h"

#define NB_PEERS BENCH_CONN_PEERS
#define PORT_BASE BENCH_CONN_PORT_BASE
#define LISTEN_PORT 80
#define PEER_ISN 1000
#define OUR_ISN 8000
#define TARGET_BYTES 128          /* issue #4: bytes of hot state per established idle connection */
#define MEM_QUICK_MB 1536
#define MEM_FULL_MB 8192
#define MAX_SIZES 5
#define KEEPALIVE_MS 7200000u     /* 2 h: armed on every established connection */
#define SETTLE_MS 2000            /* past the SYN-ACK timers (RTO 1 s) */
#define WINDOW_MS 1000            /* idle and churn windows */
#define CHURN_CONNS 100           /* SYN timers due in the churn window */
#define CHURN_GAP_MS (WINDOW_MS / CHURN_CONNS)
#define CHURN_PORT 9

struct ct_gen {
	struct bench_tmpl t;   /**< template: tuple of connection 0 */
	uint32_t n;            /**< connections */
	uint64_t stride;       /**< visiting order: i = k * stride mod n */
	uint64_t k;            /**< next visit */
	bool floor;            /**< synthesise and sink only */
	bool failed;           /**< pool empty */
};

struct ct_row {
	uint32_t conns;
	double cycles, floor, handshake, bytes, conn_block;
	double settle_ms;      /**< ticks of the 2 s after the handshakes, in total */
	double settle_worst_ms; /**< the longest of them */
	double settle_p99_us;  /**< 99th percentile of the calls (one host preemption
				*   lands in the worst call, not in the p99) */
	uint32_t settle_calls; /**< lr_tcp_tick() calls in the 2 s */
	double idle_ns;        /**< one tick with nothing due (mean over 1 s) */
	double churn_ms;       /**< ticks of 1 s with CHURN_CONNS timers due, in total */
	double churn_worst_ms; /**< the longest of them */
	uint32_t jump_calls;   /**< lr_tcp_tick() calls after the jump, until none left */
	double jump_worst_us;  /**< the longest of them */
	double jump_p99_us;    /**< their 99th percentile */
	double jump_total_ms;  /**< all of them */
	double jump_cpu_worst_us; /**< the longest in the thread's CPU time (leaves out
				*   time the OS gave the CPU to others) */
	struct bench_tops tops; /**< table operations, ours and rte_hash */
	bool ok;
	struct bench_result *res;
};

static struct ct_row rows[MAX_SIZES];
static unsigned int nb_rows;
static struct lr_tcp_conn *first_conns[CHURN_CONNS]; /* aborted to make room for churn */
static unsigned int nb_first;

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
record_conn(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	if (nb_first < CHURN_CONNS)
		first_conns[nb_first++] = c;
}

static void
free_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

/* One burst of pure ACKs to scattered established connections. */
static void
iter_ack(void *arg)
{
	struct ct_gen *g = arg;
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int j;

	if (bench_gen(&g->t, pkts, BENCH_BURST) != 0) {
		g->failed = true;
		return;
	}
	for (j = 0; j < BENCH_BURST; j++) {
		bench_conn_patch(pkts[j], (uint32_t)((g->k * g->stride) % g->n));
		g->k++;
	}
	if (g->floor)
		bench_sink(bench_w, 0, 0, pkts, BENCH_BURST);
	else
		bench_rx(pkts, BENCH_BURST);
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t used = 0;
	unsigned int s;

	for (s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			used += st.heap_allocsz_bytes;
	return used;
}

/* Hugepages reserved and not in use, of every size (/sys/kernel/mm/hugepages), bytes. */
static size_t
huge_free(void)
{
	static const unsigned long sizes_kb[] = { 2048, 1048576 };
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes_kb); i++) {
		char path[96];
		unsigned long n = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages",
				sizes_kb[i]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			total += (size_t)n * sizes_kb[i] * 1024;
		fclose(f);
	}
	return total;
}

/* Room for more heap: the largest free block, plus on hugepages (memory mapped as
 * the heap grows) the pages still free. */
static size_t
heap_free(void)
{
	struct rte_malloc_socket_stats st;
	size_t n = 0;
	unsigned int s;

	for (s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			n = RTE_MAX(n, st.greatest_free_size);
	return bench_opts.huge ? n + huge_free() : n;
}

static uint64_t
tcp_rx(void)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(bench_w);

	return st == NULL ? 0 : st->v[LR_TCP_STAT_RX];
}

/* Synthesised handshakes for n connections; @return cycles per connection or < 0. */
static double
create_conns(uint32_t n, struct bench_result *r)
{
	uint64_t out0 = bench_sink_pkts, d0 = bench_drops(), t0;

	nb_first = 0;
	t0 = rte_rdtsc_precise();
	if (bench_conn_open(n, LISTEN_PORT, PEER_ISN, OUR_ISN) != 0) {
		bench_fail(r, "mbuf pool empty during handshakes");
		return -1;
	}
	t0 = rte_rdtsc_precise() - t0;
	if (lr_tcp_conn_count(bench_w) != n || bench_sink_pkts - out0 != n ||
			bench_drops() != d0) {
		bench_fail(r, "handshakes: %u connections, %" PRIu64 " SYN-ACKs, %" PRIu64
				" drops (want %u, %u, 0)", lr_tcp_conn_count(bench_w),
				bench_sink_pkts - out0, bench_drops() - d0, n, n);
		return -1;
	}
	return (double)t0 / n;
}

/*
 * Advance w->now_us by ms milliseconds, one lr_tcp_tick() per millisecond as the
 * poll loop calls it, and again within the millisecond while it says work is left
 * ([tcp] timer_budget: the poll loop's next turns); each call is timed; output goes
 * to the sink untimed.
 * @return cycles of all the calls; *worst: the longest
 */
static uint32_t tick_budget; /* conf.timer_budget of the shards */
#define TICK_LOG_MAX (1u << 20)
static uint64_t *tick_log;   /* each call's cycles, when not NULL */
static uint32_t tick_nb;     /* calls logged */

static uint64_t
tick_ms(unsigned int ms, uint64_t *worst)
{
	uint64_t total = 0, t0, dt;
	unsigned int i;
	bool more;

	*worst = 0;
	for (i = 0; i < ms; i++) {
		bench_w->now_us += 1000;
		do {
			t0 = rte_rdtsc_precise();
			more = lr_tcp_tick(bench_w);
			dt = rte_rdtsc_precise() - t0;
			total += dt;
			*worst = RTE_MAX(*worst, dt);
			if (tick_log != NULL && tick_nb < TICK_LOG_MAX)
				tick_log[tick_nb++] = dt;
			lr_tcp_flush(bench_w);
			lr_worker_flush(bench_w);
		} while (more);
	}
	return total;
}

static double
cyc_ms(uint64_t cycles)
{
	return (double)cycles * 1e3 / bench_hz();
}

static uint64_t
tcp_stat(enum lr_tcp_stat_id id)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(bench_w);

	return st == NULL ? 0 : st->v[id];
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The 2 s after the handshakes: the N SYN-ACK timers, stopped by the ACKs, pass. */
static void
tick_settle(struct ct_row *row)
{
	uint64_t worst, total;

	tick_log = malloc(sizeof(*tick_log) * TICK_LOG_MAX);
	tick_nb = 0;
	total = tick_ms(SETTLE_MS, &worst);
	row->settle_ms = cyc_ms(total);
	row->settle_worst_ms = cyc_ms(worst);
	row->settle_calls = tick_nb;
	if (tick_log != NULL && tick_nb > 0) {
		qsort(tick_log, tick_nb, sizeof(*tick_log), cmp_u64);
		row->settle_p99_us = cyc_ms(tick_log[(uint64_t)tick_nb * 99 / 100]) * 1e3;
	}
	free(tick_log);
	tick_log = NULL;
}

/* 1 s with nothing due: the loop is timed as a whole (no rdtsc per tick). */
static void
tick_idle(struct ct_row *row)
{
	uint64_t t0;
	unsigned int i;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < WINDOW_MS; i++) {
		bench_w->now_us += 1000;
		lr_tcp_tick(bench_w);
	}
	row->idle_ns = (double)(rte_rdtsc_precise() - t0) * 1e9 / bench_hz() / WINDOW_MS;
	lr_worker_flush(bench_w);
}

/*
 * 1 s in which CHURN_CONNS timers are due among n + CHURN_CONNS armed: the first
 * CHURN_CONNS accepted connections are aborted to make room in the pool, then as
 * many connects to a silent peer are made CHURN_GAP_MS apart; their first SYN
 * retransmission (RTO 1 s) falls in the timed second, exactly once each.
 */
static void
tick_churn(struct ct_row *row, uint32_t n)
{
	static const struct lr_tcp_callbacks cb = { .data = free_data };
	uint64_t worst, total, out0, rexmt0, keep0;
	unsigned int i;

	for (i = 0; i < nb_first; i++)
		lr_tcp_abort(first_conns[i]);
	lr_tcp_flush(bench_w);
	lr_worker_flush(bench_w);
	/* Connect i at 10 i + 5 ms: its SYN timer falls mid-millisecond in the window,
	 * well inside it even with the wheel's one-jiffy slack. */
	for (i = 0; i < CHURN_CONNS; i++) {
		tick_ms(CHURN_GAP_MS / 2, &worst);
		if (lr_tcp_connect(bench_w, rte_cpu_to_be_32(bench_peer_ip(i % NB_PEERS)),
				CHURN_PORT, &cb, NULL) == NULL) {
			bench_fail(row->res, "churn: connect %u failed", i);
			return;
		}
		lr_tcp_flush(bench_w);
		lr_worker_flush(bench_w);
		tick_ms(CHURN_GAP_MS - CHURN_GAP_MS / 2, &worst);
	}
	out0 = bench_sink_pkts;
	rexmt0 = tcp_stat(LR_TCP_STAT_REXMT_TIMEOUT);
	keep0 = tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE);
	total = tick_ms(WINDOW_MS, &worst);
	row->churn_ms = cyc_ms(total);
	row->churn_worst_ms = cyc_ms(worst);
	if (bench_sink_pkts - out0 != CHURN_CONNS ||
			tcp_stat(LR_TCP_STAT_REXMT_TIMEOUT) - rexmt0 != CHURN_CONNS ||
			tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE) != keep0 ||
			lr_tcp_conn_count(bench_w) != n - nb_first + CHURN_CONNS)
		bench_fail(row->res, "churn: %" PRIu64 " frames, %" PRIu64 " timeouts (want %u), "
				"%" PRIu64 " keepalives (want 0), %u conns", bench_sink_pkts - out0,
				tcp_stat(LR_TCP_STAT_REXMT_TIMEOUT) - rexmt0, CHURN_CONNS,
				tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE) - keep0,
				lr_tcp_conn_count(bench_w));
}

/* The calling thread's CPU time, ns. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/*
 * The clock jumps past every keepalive (2 h + 1 s): the n - nb_first established
 * connections' timers are all due, with the SYN timers of the churn's connects.
 * Calls 10 us apart while work is left, each timed; every keepalive probes once.
 */
static void
tick_jump(struct ct_row *row, uint32_t n)
{
	uint64_t keep0 = tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE), t0, dt, total = 0, worst = 0;
	uint64_t c0, cpu_worst = 0;
	uint32_t calls = 0;
	bool more;

	tick_log = malloc(sizeof(*tick_log) * TICK_LOG_MAX);
	tick_nb = 0;
	bench_w->now_us += (uint64_t)KEEPALIVE_MS * 1000 + 1000000;
	do {
		c0 = thread_cpu_ns();
		t0 = rte_rdtsc_precise();
		more = lr_tcp_tick(bench_w);
		dt = rte_rdtsc_precise() - t0;
		cpu_worst = RTE_MAX(cpu_worst, thread_cpu_ns() - c0);
		lr_tcp_flush(bench_w);
		lr_worker_flush(bench_w);
		total += dt;
		worst = RTE_MAX(worst, dt);
		if (tick_log != NULL && tick_nb < TICK_LOG_MAX)
			tick_log[tick_nb++] = dt;
		bench_w->now_us += 10;
	} while (more && ++calls < 100000000u);
	row->jump_calls = calls + !more;
	row->jump_worst_us = cyc_ms(worst) * 1e3;
	row->jump_total_ms = cyc_ms(total);
	row->jump_cpu_worst_us = (double)cpu_worst / 1e3;
	if (tick_log != NULL && tick_nb > 0) {
		qsort(tick_log, tick_nb, sizeof(*tick_log), cmp_u64);
		row->jump_p99_us = cyc_ms(tick_log[(uint64_t)tick_nb * 99 / 100]) * 1e3;
	}
	free(tick_log);
	tick_log = NULL;
	if (tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE) - keep0 != n - nb_first)
		bench_fail(row->res, "jump: %" PRIu64 " keepalive probes (want %u)",
				tcp_stat(LR_TCP_STAT_KEEPALIVE_PROBE) - keep0, n - nb_first);
}

static void
run_size(uint32_t n, uint64_t pkts_per_run)
{
	static const struct lr_tcp_callbacks cb = { .connected = record_conn, .data = free_data };
	struct lr_tcp_conf conf = lr_tcp_conf_default;
	struct ct_gen g;
	struct ct_row *row = &rows[nb_rows++];
	struct rte_mempool *mp;
	struct bench_result *r;
	char name[64], err[160];
	uint64_t iters = RTE_MAX(pkts_per_run / BENCH_BURST, (uint64_t)4);
	uint64_t out0, d0, rx0, sent;
	size_t before;
	int rc;

	snprintf(name, sizeof(name), "pure ack, %u conns", n);
	r = bench_add(name, "pkt", 0, 0);
	r->param = n;
	memset(row, 0, sizeof(*row));
	row->conns = n;
	row->res = r;

	conf.max_conns = n;
	conf.delack_ms = 0;
	conf.keepalive_ms = KEEPALIVE_MS;
	conf.half_open_max = n;
	conf.syncookies = false;
	conf.isn_fn = fixed_isn;
	/* BENCH_TIMER_BUDGET=0: the unbounded tick, to compare */
	if (getenv("BENCH_TIMER_BUDGET") != NULL)
		conf.timer_budget = (uint32_t)strtoul(getenv("BENCH_TIMER_BUDGET"), NULL, 10);
	tick_budget = conf.timer_budget;
	before = heap_used();
	rc = lr_tcp_worker_init(bench_w, &conf);
	if (rc == 0)
		rc = lr_tcp_listen(bench_w, LISTEN_PORT, &cb, NULL);
	if (rc < 0) {
		bench_fail(r, "shard for %u connections: %s", n, strerror(-rc));
		lr_tcp_worker_fini(bench_w);
		return;
	}
	/* Everything the shard allocates is sized by max_conns: memory / connections. */
	row->bytes = (double)(heap_used() - before) / n;
	mp = rte_mempool_lookup("lr_tcp_p0");
	if (mp != NULL)
		row->conn_block = mp->header_size + mp->elt_size + mp->trailer_size;
	r->bytes = row->bytes;

	row->handshake = create_conns(n, r);
	if (row->handshake < 0)
		goto out;
	/* Pass the stopped SYN-ACK timers here rather than inside a timed run. */
	tick_settle(row);

	memset(&g, 0, sizeof(g));
	bench_tmpl_tcp(&g.t, bench_peer_ip(0), PORT_BASE, LISTEN_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	g.n = n;
	g.stride = (uint64_t)(n * 0.6180339887) | 1;
	while (gcd(g.stride, n) != 1)
		g.stride += 2;

	out0 = bench_sink_pkts;
	d0 = bench_drops();
	rx0 = tcp_rx();
	row->cycles = bench_time(iter_ack, &g, iters, BENCH_BURST);
	sent = (BENCH_RUNS * iters + iters / 4 + 1) * BENCH_BURST;
	if (g.failed || bench_sink_pkts != out0 || bench_drops() != d0 ||
			tcp_rx() - rx0 != sent || lr_tcp_conn_count(bench_w) != n) {
		bench_fail(r, "%" PRIu64 " frames out (want 0), %" PRIu64 " drops, %" PRIu64
				" of %" PRIu64 " segments received, %u conns%s",
				bench_sink_pkts - out0, bench_drops() - d0, tcp_rx() - rx0, sent,
				lr_tcp_conn_count(bench_w), g.failed ? ", mbuf pool empty" : "");
	}
	g.floor = true;
	g.k = 0;
	row->floor = bench_time(iter_ack, &g, iters, BENCH_BURST);
	r->cycles = row->cycles;
	r->floor = row->floor;
	if (bench_table_ops(bench_w->tcp, n, &row->tops, err, sizeof(err)) < 0)
		bench_fail(r, "%s", err);
	tick_idle(row);
	tick_churn(row, n);
	tick_jump(row, n);
out:
	row->ok = r->ok;
	lr_tcp_worker_fini(bench_w);
	lr_worker_flush(bench_w);
}

static void
print_ticks(void)
{
	unsigned int i;

	printf("\ntimer ticks (keepalive %u s armed on every connection; lr_tcp_tick() once per "
			"1 ms of w->now_us, again while work is left; timer_budget %u, "
			"worst = the longest call)\n", KEEPALIVE_MS / 1000, tick_budget);
	printf("%10s %16s %16s %14s %14s %16s %16s %16s\n", "conns", "settle 2 s ms",
			"settle worst ms", "settle p99 us", "settle calls", "idle tick ns",
			"churn 1 s ms", "churn worst ms");
	for (i = 0; i < nb_rows; i++) {
		const struct ct_row *r = &rows[i];

		if (!r->ok) {
			printf("%10u %16s\n", r->conns, "FAIL");
			continue;
		}
		printf("%10u %16.2f %16.3f %14.1f %14u %16.1f %16.3f %16.3f\n", r->conns,
				r->settle_ms, r->settle_worst_ms, r->settle_p99_us, r->settle_calls,
				r->idle_ns, r->churn_ms, r->churn_worst_ms);
	}
	printf("settle = the %d ticks after the handshakes, in which the N SYN-ACK "
			"timers (stopped by the ACKs) pass: total and longest tick; idle tick = "
			"mean of %d ticks with nothing due; churn = %d ticks in which %d SYN "
			"retransmission timers fire among N + %d armed: total and longest tick\n",
			SETTLE_MS, WINDOW_MS, WINDOW_MS, CHURN_CONNS, CHURN_CONNS);
	printf("\nclock jump past every keepalive (%u s + 1 s; calls 10 us apart while work "
			"is left; CPU = the thread's CPU time)\n%10s %12s %14s %14s %14s %14s\n",
			KEEPALIVE_MS / 1000, "conns", "calls", "worst us", "worst CPU us", "p99 us",
			"total ms");
	for (i = 0; i < nb_rows; i++)
		if (rows[i].ok)
			printf("%10u %12u %14.1f %14.1f %14.1f %14.2f\n", rows[i].conns,
					rows[i].jump_calls, rows[i].jump_worst_us,
					rows[i].jump_cpu_worst_us, rows[i].jump_p99_us,
					rows[i].jump_total_ms);
}

static void
print_table_ops(void)
{
	unsigned int i, op;

	printf("\ntable operations, cycles per operation (ours = the shard's table, "
			"rte_hash = as the shard had it: 16-byte keys, extendable buckets; same "
			"tuples, same process, rounds alternated, median of 3)\n");
	printf("%10s", "conns");
	for (op = 0; op < BENCH_TOP_NB; op++)
		printf(" %18s", bench_top_names[op]);
	printf(" %14s\n", "rte_hash B/key");
	for (i = 0; i < nb_rows; i++) {
		const struct ct_row *r = &rows[i];

		if (!r->ok) {
			printf("%10u %18s\n", r->conns, "FAIL");
			continue;
		}
		printf("%10u", r->conns);
		for (op = 0; op < BENCH_TOP_NB; op++)
			printf(" %8.0f / %7.0f", r->tops.ours[op], r->tops.ref[op]);
		printf(" %14.1f\n", r->tops.ref_bytes);
	}
	printf("each cell: ours / rte_hash; delete and add: a quarter of the keys (at most "
			"256 Ki), scattered, deleted then added back\n");
}

static void
print_scaling(void)
{
	const struct ct_row *base = nb_rows > 0 && rows[0].ok ? &rows[0] : NULL;
	unsigned int i;

	printf("\nconnection table scaling (pure ACK path; baseline = I/O floor; "
			"'vs 1K' = cycles at N / cycles at 1K)\n");
	printf("%10s %12s %10s %10s %8s %12s %10s %10s %14s\n", "conns", "cycles/pkt",
			"floor", "net", "vs 1K", "bytes/conn", "hot B", "conn block",
			"handshake/conn");
	for (i = 0; i < nb_rows; i++) {
		const struct ct_row *r = &rows[i];

		if (!r->ok) {
			printf("%10u %12s\n", r->conns, "FAIL");
			continue;
		}
		printf("%10u %12.0f %10.0f %10.0f %8.2f %12.1f %10d %10.0f %14.0f\n",
				r->conns, r->cycles, r->floor, r->cycles - r->floor,
				base != NULL ? r->cycles / base->cycles : 0, r->bytes,
				TCP_CONN_HOT_BYTES, r->conn_block, r->handshake);
	}
	printf("bytes/conn = rte_malloc heap growth of a shard sized for N connections "
			"(connection mempool + connection table + slots) / N; "
			"conn block = one mempool element (header + struct lr_tcp_conn + trailer); "
			"hot B = the front of the block that a segment moving no data touches "
			"(prefetched per burst; test_tcp_hot_state_is_first_two_lines), "
			"issue #4 target %d B\n", TARGET_BYTES);
	print_ticks();
	print_table_ops();
}

static void
write_dat(void)
{
	const struct ct_row *base = nb_rows > 0 && rows[0].ok ? &rows[0] : NULL;
	char path[512];
	unsigned int i;
	FILE *f;

	if (bench_opts.smoke || bench_opts.outdir == NULL)
		return;
	mkdir(bench_opts.outdir, 0755);
	snprintf(path, sizeof(path), "%s/conn_scaling.dat", bench_opts.outdir);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "bench_conn_table: cannot write %s\n", path);
		return;
	}
	fprintf(f, "# conns cycles_per_pkt floor net ratio_vs_1k bytes_per_conn\n");
	for (i = 0; i < nb_rows; i++)
		if (rows[i].ok)
			fprintf(f, "%u %.1f %.1f %.1f %.3f %.1f\n", rows[i].conns, rows[i].cycles,
					rows[i].floor, rows[i].cycles - rows[i].floor,
					base != NULL ? rows[i].cycles / base->cycles : 0,
					rows[i].bytes);
	fclose(f);
	printf("plot data: %s\n", path);
}

static long
mem_available_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

int
main(int argc, char **argv)
{
	static const uint32_t quick[] = { 1000, 10000, 100000, 1000000 };
	unsigned int mem_mb = MEM_QUICK_MB, i, failed;
	long avail = mem_available_mb();
	bool full = false, smoke = false;
	char skip_full[160] = "";
	int leak;

	for (i = 1; i < (unsigned int)argc; i++) {
		smoke |= strcmp(argv[i], "--smoke") == 0;
		full |= strcmp(argv[i], "--full") == 0;
	}
	full |= getenv("FULL") != NULL && strcmp(getenv("FULL"), "") != 0 &&
			strcmp(getenv("FULL"), "0") != 0;
	if (smoke) {
		mem_mb = 512;
	} else if (full) {
		if (avail > MEM_FULL_MB + 1024)
			mem_mb = MEM_FULL_MB;
		else
			snprintf(skip_full, sizeof(skip_full), "10M connections skipped: %ld MiB "
					"available, the run needs %d MiB", avail, MEM_FULL_MB + 1024);
	}
	if (bench_init(argc, argv, "bench_conn_table", mem_mb, 8191, NB_PEERS) < 0)
		return 2;

	if (bench_opts.smoke) {
		run_size(1000, 4096);
		run_size(10000, 4096);
	} else {
		for (i = 0; i < RTE_DIM(quick); i++)
			run_size(quick[i], RTE_MAX(quick[i], 524288u));
		if (bench_opts.full && skip_full[0] == '\0') {
			double need = rows[nb_rows - 1].bytes * 10e6 * 1.1;

			if (!rows[nb_rows - 1].ok || need > (double)heap_free())
				snprintf(skip_full, sizeof(skip_full), "10M connections skipped: "
						"need ~%.0f MiB, largest free heap block %zu MiB",
						need / 1048576, heap_free() >> 20);
			else
				run_size(10000000, 2097152);
		}
	}
	for (i = 0; i < nb_rows; i++)
		if (rows[i].ok && rows[0].ok)
			snprintf(rows[i].res->note, sizeof(rows[i].res->note),
					"%.2fx the 1K cost; %.0f B/conn, %d B hot (target %d); handshake "
					"%.0f cyc/conn; tick worst %.2f/%.2f ms",
					rows[i].cycles / rows[0].cycles, rows[i].bytes,
					TCP_CONN_HOT_BYTES, TARGET_BYTES, rows[i].handshake, rows[i].settle_worst_ms,
					rows[i].churn_worst_ms);
	print_scaling();
	failed = bench_arp_ticks();
	if (skip_full[0] != '\0')
		printf("%s\n", skip_full);
	write_dat();
	failed += bench_report("I/O floor = alloc pure-ACK frame copies, patch the 4-tuple "
			"(incremental checksums), free them in the sink, no pipeline");
	leak = bench_fini();
	bench_exit();
	if (failed > 0 || leak < 0) {
		printf("bench_conn_table: %u case(s) FAILED%s\n", failed,
				leak < 0 ? ", mbuf leak" : "");
		return 1;
	}
	return 0;
}
