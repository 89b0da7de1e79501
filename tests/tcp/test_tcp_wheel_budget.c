/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bound on one lr_tcp_tick() (conf.timer_budget, tcp_timer.c and tcp_tw.c), on
 * the virtual clock: a thousand keepalive timers expiring in one jiffy are spread
 * over ceil(1000 / budget) calls of at most budget visits each, none is lost, none
 * fires before its deadline, earlier jiffies go first, a clock jump's backlog (100K
 * timers after 60 s) and TIME_WAIT expiry are bounded the same way, and budget 0
 * keeps the old single call.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_test.h"

#define NB 1000       /* connections expiring together */
#define BUDGET 64
#define PORT0 20000   /* connection i comes from peer port PORT0 + i */
#define TURN_US 10    /* the clock between two loop turns while work is left */

static struct lr_tcp_conn *conns[NB + 1];
static unsigned int nb_open;

static void
budget_connected(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	conns[nb_open++] = c;
}

static const struct lr_tcp_callbacks budget_cb = {
	.connected = budget_connected,
};

/* A shard for NB + 1 connections with a keepalive of keep_ms and this budget. */
static void
budget_setup(uint32_t keep_ms, uint32_t budget)
{
	tt_conf.max_conns = 2 * NB;
	tt_conf.keepalive_ms = keep_ms;
	tt_conf.keepalive_intvl_ms = 1000;
	tt_conf.keepalive_probes = 3;
	tt_conf.timer_budget = budget;
	tt_reinit();
	nb_open = 0;
	memset(conns, 0, sizeof(conns));
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &budget_cb, NULL), 0);
}

/* n passive opens now, from peer ports PORT0 + first.., each ESTABLISHED. */
static void
open_n(unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		tt_peer_port = (uint16_t)(PORT0 + i);
		tt_rx_syn(1000, 1460);
		tt_rx(1001, 8001, TT_ACK, NULL, 0);
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL_FATAL(nb_open, first + n);
}

/* One loop turn's timers at the current clock. @return what lr_tcp_tick() returned */
static bool
turn(void)
{
	bool more = lr_tcp_tick(lr_tw);

	tt_flush();
	return more;
}

/* Keepalive probes sent so far, over the connections opened. */
static unsigned int
probes(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nb_open; i++)
		n += conns[i]->keep_probes;
	return n;
}

/* Move the clock to t with one tick per millisecond, repeating a millisecond's tick
 * while work is left (as the poll loop does); no keepalive may fire on the way. */
static void
walk_to(uint64_t t)
{
	while (lr_tw->now_us + 1000 <= t) {
		lr_test_advance_us(1000);
		while (turn())
			lr_test_advance_us(TURN_US);
	}
	lr_test_advance_us(t - lr_tw->now_us);
	while (turn())
		;
	lr_test_tx_clear();
}

/*
 * NB keepalives due in the same jiffy: each call visits at most BUDGET connections
 * and sends at most BUDGET probes; after ceil(NB / BUDGET) calls TURN_US apart every
 * connection has sent exactly one probe (none lost, none twice), and not one before
 * the deadline. lr_tcp_tick() says whether work is left.
 */
static void
test_tcp_wheel_budget_spreads_one_jiffy(void)
{
	uint64_t t0, v0;
	unsigned int calls = 0, i, sent;
	bool more;

	budget_setup(2000, BUDGET);
	t0 = lr_tw->now_us;
	open_n(0, NB);
	/* the SYN-ACK timers stopped by the ACKs are visited (lazily) one RTO later,
	 * within the budget too; then nothing until the keepalive's jiffy */
	walk_to(t0 + 2000 * 1000 - 1000);
	CU_ASSERT_EQUAL(probes(), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, NB);
	lr_test_advance_us(1000);
	do {
		v0 = lr_tw->tcp->tw.visits;
		more = turn();
		sent = lr_test_tx_count();
		CU_ASSERT(lr_tw->tcp->tw.visits - v0 <= BUDGET);
		CU_ASSERT(sent <= BUDGET);
		lr_test_tx_clear();
		calls++;
		if (more)
			lr_test_advance_us(TURN_US);
	} while (more && calls < 10 * NB);
	CU_ASSERT_EQUAL(calls, (NB + BUDGET - 1) / BUDGET);
	CU_ASSERT_EQUAL(probes(), NB);
	for (i = 0; i < NB; i++)
		CU_ASSERT_EQUAL(conns[i]->keep_probes, 1);
	/* the next probes are an interval after each one's own firing */
	CU_ASSERT_FALSE(turn());
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, NB);
}

/* Budget 0: no bound, the whole jiffy in one call (the old behaviour, which the
 * budget replaces for the poll loop). */
static void
test_tcp_wheel_budget_zero_is_unbounded(void)
{
	uint64_t t0, v0;

	budget_setup(2000, 0);
	t0 = lr_tw->now_us;
	open_n(0, NB);
	walk_to(t0 + 2000 * 1000 - 1000);
	lr_test_advance_us(1000);
	v0 = lr_tw->tcp->tw.visits;
	CU_ASSERT_FALSE(turn());
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.visits - v0, NB);
	CU_ASSERT_EQUAL(probes(), NB);
	lr_test_tx_clear();
}

/*
 * Earlier jiffies first: 3 * BUDGET + 8 keepalives due at jiffy J, one at J + 1, the
 * clock at J + 1 when the tick comes. The later one fires in the call after the
 * last of the earlier ones, not before.
 */
static void
test_tcp_wheel_budget_keeps_deadline_order(void)
{
	unsigned int n = 3 * BUDGET + 8, calls = 0;
	uint64_t t0;

	budget_setup(2000, BUDGET);
	t0 = lr_tw->now_us;
	open_n(0, n);
	lr_test_advance_us(1000);
	open_n(n, 1);
	walk_to(t0 + 2000 * 1000 - 1000);
	CU_ASSERT_EQUAL(probes(), 0);
	lr_test_advance_us(2000);
	while (conns[n]->keep_probes == 0 && calls < 100) {
		turn();
		calls++;
	}
	/* not before every earlier one */
	CU_ASSERT_EQUAL(probes(), n + 1);
	/* 3 full calls for J, the 4th finishes J (8) and runs J + 1 */
	CU_ASSERT_EQUAL(calls, 4);
	CU_ASSERT_EQUAL(probes(), n + 1);
	lr_test_tx_clear();
}

/*
 * A clock jump of more than a revolution (every timer due at once): the backlog is
 * visited BUDGET at a time from the due list, and timers armed meanwhile still run.
 */
static void
test_tcp_wheel_budget_bounds_clock_jump(void)
{
	unsigned int calls = 0;
	uint64_t v0;
	bool more;

	budget_setup(2000, BUDGET);
	open_n(0, NB);
	lr_test_advance_us(10 * 1000 * 1000); /* 10 s: past a revolution (4.1 s) */
	lr_test_learn_peer();
	do {
		v0 = lr_tw->tcp->tw.visits;
		more = turn();
		CU_ASSERT(lr_tw->tcp->tw.visits - v0 <= BUDGET);
		lr_test_tx_clear();
		calls++;
	} while (more && calls < 10 * NB);
	CU_ASSERT_EQUAL(calls, (NB + BUDGET - 1) / BUDGET);
	CU_ASSERT_EQUAL(probes(), NB);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, NB);
	/* and the wheel goes on: the second probes, an interval later */
	walk_to(lr_tw->now_us + 1000 * 1000 + 1000);
	CU_ASSERT_EQUAL(probes(), 2 * NB);
}

/* TIME_WAIT entries reaching 2 MSL together expire BUDGET per call, all of them. */
static void
test_tcp_wheel_budget_bounds_time_wait_expiry(void)
{
	unsigned int i, n = 5 * BUDGET + 3, calls = 0;
	uint64_t e0, e;
	bool more;

	tt_conf.msl_ms = 1000;
	tt_conf.max_tw = 2 * n;
	budget_setup(0, BUDGET);
	for (i = 0; i < n; i++) {
		tt_peer_port = (uint16_t)(PORT0 + i);
		tt_rx_syn(1000, 1460);
		tt_rx(1001, 8001, TT_ACK, NULL, 0);
		lr_tcp_close(conns[i]);
		tt_flush();
		tt_rx(1001, 8002, TT_FIN | TT_ACK, NULL, 0);
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), n);
	lr_test_advance_us(2000 * 1000);
	e0 = tt_stat(LR_TCP_STAT_TW_EXPIRED);
	CU_ASSERT_EQUAL(e0, 0);
	do {
		more = turn();
		e = tt_stat(LR_TCP_STAT_TW_EXPIRED);
		CU_ASSERT(e - e0 <= BUDGET);
		e0 = e;
		calls++;
	} while (more && calls < 10 * n);
	CU_ASSERT_EQUAL(calls, (n + BUDGET - 1) / BUDGET);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_EXPIRED), n);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
}

/*
 * 100K connections, each filed at its SYN-ACK timer (1 s after its open, the opens
 * spread over 5 s with no tick: level 0 and five level 1 blocks), keepalive 2 s;
 * then the clock jumps 60 s. No call visits or moves more than BUDGET connections
 * nor sends more than BUDGET probes; every keepalive fires once, in the order the
 * connections were filed (a call never fires one filed before one an earlier call
 * fired: jiffies in level 0, blocks in level 1); the wheel is at the new time at
 * once, and the next probes come an interval later.
 */
#define BIG_N 100000u
#define BIG_PER_PORT 50000u   /* peer ports per listening port */
#define BIG_PORT0 10000

static struct lr_tcp_conn **big;
static unsigned int big_open;

static void
big_connected(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	if (big_open < BIG_N)
		big[big_open] = c;
	big_open++;
}

static const struct lr_tcp_callbacks big_cb = {
	.connected = big_connected,
};

/* Index of the connection a segment we sent belongs to, or BIG_N. */
static unsigned int
big_index(const struct tt_out *o)
{
	unsigned int p = o->sport - TT_OUR_PORT;

	if (p > 1 || o->dport < BIG_PORT0 || o->dport >= BIG_PORT0 + BIG_PER_PORT)
		return BIG_N;
	return p * BIG_PER_PORT + (o->dport - BIG_PORT0);
}

static void
test_tcp_wheel_budget_clock_jump_100k_in_order(void)
{
	uint32_t *filed = calloc(BIG_N, sizeof(*filed));
	uint32_t prev_max = 0, call_min, call_max;
	unsigned int i, k, calls = 0, fired = 0;
	uint64_t v0, m0, jump_j, cur0;
	struct tt_out o;
	bool more;

	big = calloc(BIG_N, sizeof(*big));
	CU_ASSERT_PTR_NOT_NULL_FATAL(filed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	tt_conf.max_conns = BIG_N + 16;
	tt_conf.keepalive_ms = 2000;
	tt_conf.keepalive_intvl_ms = 1000;
	tt_conf.keepalive_probes = 3;
	tt_conf.timer_budget = BUDGET;
	tt_reinit();
	/* the wheel at the start of a block: level 0 holds that block, level 1 the next */
	cur0 = (lr_tw->now_us / TCP_TW_GRAN_US) | (TCP_TW_L0_SLOTS - 1);
	lr_test_advance_us(cur0 * TCP_TW_GRAN_US - lr_tw->now_us);
	turn();
	cur0++;
	CU_ASSERT_EQUAL_FATAL(lr_tw->tcp->tw.cur, cur0);
	big_open = 0;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &big_cb, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT + 1, &big_cb, NULL), 0);
	for (i = 0; i < BIG_N; i++) {
		tt_our_port = (uint16_t)(TT_OUR_PORT + i / BIG_PER_PORT);
		tt_peer_port = (uint16_t)(BIG_PORT0 + i % BIG_PER_PORT);
		tt_rx_syn(1000, 1460);
		tt_rx(1001, 8001, TT_ACK, NULL, 0);
		lr_test_tx_clear();
		if (i % 2000 == 1999)
			lr_test_advance_us(100 * 1000); /* no TCP tick: the wheel stays */
	}
	CU_ASSERT_EQUAL_FATAL(big_open, BIG_N);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, BIG_N);
	for (i = 0; i < BIG_N; i++)
		filed[i] = big[i]->tw_jiffy;
	/* both levels hold some */
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.cur, cur0);
	CU_ASSERT(filed[0] - (uint32_t)cur0 < TCP_TW_L0_SLOTS);
	CU_ASSERT(filed[BIG_N - 1] - (uint32_t)cur0 >= TCP_TW_L0_SLOTS);

	lr_test_advance_us(60ull * 1000 * 1000);
	lr_test_learn_peer();
	jump_j = lr_tw->now_us / TCP_TW_GRAN_US;
	m0 = lr_tw->tcp->tw.moves;
	do {
		v0 = lr_tw->tcp->tw.visits + lr_tw->tcp->tw.moves;
		more = turn();
		CU_ASSERT(lr_tw->tcp->tw.visits + lr_tw->tcp->tw.moves - v0 <= BUDGET);
		CU_ASSERT(lr_test_tx_count() <= BUDGET);
		/* the wheel runs from the new time at once */
		CU_ASSERT_EQUAL(lr_tw->tcp->tw.cur, jump_j + 1);
		call_min = UINT32_MAX;
		call_max = 0;
		for (k = 0; k < lr_test_tx_count(); k++) {
			CU_ASSERT_EQUAL_FATAL(tt_out(k, &o), 0);
			i = big_index(&o);
			CU_ASSERT_FATAL(i < BIG_N);
			call_min = RTE_MIN(call_min, filed[i]);
			call_max = RTE_MAX(call_max, filed[i]);
			fired++;
		}
		/* deadline order between calls */
		if (lr_test_tx_count() > 0) {
			CU_ASSERT(call_min >= prev_max);
			prev_max = call_max;
		}
		lr_test_tx_clear();
		calls++;
	} while (more && calls < 10 * BIG_N);
	CU_ASSERT_EQUAL(fired, BIG_N);
	CU_ASSERT_EQUAL(calls, (BIG_N + BUDGET - 1) / BUDGET);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.moves, m0); /* every block was due: none moved */
	for (i = 0, k = 0; i < BIG_N; i++)
		k += big[i]->keep_probes == 1;
	CU_ASSERT_EQUAL(k, BIG_N);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, BIG_N);
	/* the wheel goes on: each connection's second probe, an interval later */
	walk_to(lr_tw->now_us + 1000 * 1000 + 1000);
	for (i = 0, k = 0; i < BIG_N; i++)
		k += big[i]->keep_probes == 2;
	CU_ASSERT_EQUAL(k, BIG_N);
	free(big);
	free(filed);
	big = NULL;
}

/*
 * A jump of 10 s while keepalives of 2 h wait in level 1: the blocks the jump did not
 * reach are moved back onto the wheel unvisited (a whole slot at once, the wheel's
 * being empty), at most BUDGET moves per call, and none fires early; the first at
 * its deadline.
 */
static void
test_tcp_wheel_budget_clock_jump_moves_far_blocks(void)
{
	unsigned int i, calls = 0, n = 2 * BUDGET + 5;
	uint64_t v0, m0, t0;
	bool more;

	budget_setup(2 * 3600 * 1000, BUDGET);
	t0 = lr_tw->now_us;
	/* one connection per 0.3 s: ten blocks of 4.1 s, 13 or 14 in each */
	for (i = 0; i < n; i++) {
		open_n(i, 1);
		lr_test_advance_us(300 * 1000);
	}
	walk_to(t0 + 2000 * 1000 + 300 * 1000 * n); /* the SYN-ACK timers' visits */
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, n);
	lr_test_advance_us(10 * 1000 * 1000);
	m0 = lr_tw->tcp->tw.moves;
	v0 = lr_tw->tcp->tw.visits;
	do {
		uint64_t m = lr_tw->tcp->tw.moves;

		more = turn();
		CU_ASSERT(lr_tw->tcp->tw.moves - m <= BUDGET);
		calls++;
	} while (more && calls < 10 * n);
	CU_ASSERT(lr_tw->tcp->tw.moves - m0 > 0);
	CU_ASSERT(lr_tw->tcp->tw.moves - m0 <= n);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.visits, v0);
	CU_ASSERT_EQUAL(probes(), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, n);
	/* the first one's deadline: it probes then, not before */
	lr_test_advance_us(t0 + 2ull * 3600 * 1000 * 1000 - 1000 - lr_tw->now_us);
	while (turn())
		;
	CU_ASSERT_EQUAL(probes(), 0);
	lr_test_advance_us(2000);
	while (turn())
		;
	CU_ASSERT_EQUAL(conns[0]->keep_probes, 1);
	CU_ASSERT_EQUAL(probes(), 1);
	lr_test_tx_clear();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_wheel_budget_spreads_one_jiffy", test_tcp_wheel_budget_spreads_one_jiffy },
	{ "test_tcp_wheel_budget_zero_is_unbounded", test_tcp_wheel_budget_zero_is_unbounded },
	{ "test_tcp_wheel_budget_keeps_deadline_order",
		test_tcp_wheel_budget_keeps_deadline_order },
	{ "test_tcp_wheel_budget_bounds_clock_jump", test_tcp_wheel_budget_bounds_clock_jump },
	{ "test_tcp_wheel_budget_bounds_time_wait_expiry",
		test_tcp_wheel_budget_bounds_time_wait_expiry },
	{ "test_tcp_wheel_budget_clock_jump_100k_in_order",
		test_tcp_wheel_budget_clock_jump_100k_in_order },
	{ "test_tcp_wheel_budget_clock_jump_moves_far_blocks",
		test_tcp_wheel_budget_clock_jump_moves_far_blocks },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_wheel_budget", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
