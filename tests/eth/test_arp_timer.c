/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/eth/arp_timer.c: the entries' timers cost what is due, not the table. A call
 * of lr_arp_tick() runs at most [arp] tick_budget timers, earliest deadline first
 * whichever state (list) they are in, none before its deadline, and says whether
 * due ones are left; 64K entries due at once are all handled, a budget per call.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "lr_eth.h"
#include "lr_test.h"
#include "lr_udp.h"

#define MS 1000ULL
#define BIG_N 65000u           /* entries learned at once (plus the peer's) */
#define BIG_FIRST RTE_IPV4(198u, 18, 1, 0) /* their addresses: BIG_FIRST + i */

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;

static void
reinit_arp(const struct lr_arp_conf *c)
{
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	lr_arp_worker_fini(lr_tw);
	lr_arp_configure(c);
	CU_ASSERT_EQUAL_FATAL(lr_arp_worker_init(lr_tw), 0);
	lr_test_learn_peer();
}

/* A request for our address from ip (host order) with a MAC of its own: learned. */
static void
rx_request_from(uint32_t ip)
{
	struct rte_ether_addr mac = {{0x02, 0x4c, 0x52, 0x10, (uint8_t)(ip >> 8), (uint8_t)ip}};

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &mac, ip, &zero_mac, LR_TEST_OUR_IP));
}

struct count_ctx {
	unsigned int n[LR_ARP_PROBE + 1];
	rte_be32_t ip;
	int state;
};

static int
count_cb(const struct lr_arp_entry_info *e, void *arg)
{
	struct count_ctx *c = arg;

	if ((unsigned int)e->state < RTE_DIM(c->n))
		c->n[e->state]++;
	if (e->ip == c->ip)
		c->state = e->state;
	return 0;
}

/* Entries of worker 0 in state s. */
static unsigned int
count_state(int s)
{
	struct count_ctx c;

	memset(&c, 0, sizeof(c));
	lr_arp_walk(lr_tw, count_cb, &c);
	return c.n[s];
}

/* State of ip (host order) in worker 0's cache, 0 if absent. */
static int
entry_state(uint32_t ip)
{
	struct count_ctx c;

	memset(&c, 0, sizeof(c));
	c.ip = rte_cpu_to_be_32(ip);
	lr_arp_walk(lr_tw, count_cb, &c);
	return c.state;
}

/*
 * Calls of lr_arp_tick() at the current time until none is left: each runs at most
 * budget timers and counts at most budget of stat. @return the calls (the first one
 * is lr_test_advance_us()'s, already made)
 */
static unsigned int
tick_until_done(uint32_t budget, enum lr_stat_id stat, uint64_t f0, uint64_t s0)
{
	unsigned int calls = 1;
	uint64_t f, s;
	bool more;

	CU_ASSERT(lr_arp_timers_fired(lr_tw) - f0 <= budget);
	CU_ASSERT(lr_test_stat(stat) - s0 <= budget);
	do {
		f = lr_arp_timers_fired(lr_tw);
		s = lr_test_stat(stat);
		more = lr_arp_tick(lr_tw);
		lr_worker_flush(lr_tw);
		CU_ASSERT(lr_arp_timers_fired(lr_tw) - f <= budget);
		CU_ASSERT(lr_test_stat(stat) - s <= budget);
		calls++;
	} while (more && calls < 10 * BIG_N);
	return calls;
}

/*
 * 65,001 entries of a 64K table (a /16 on the link) learned together, so their
 * timers come due in the same microsecond: REACHABLE -> STALE, then removed. Before
 * the deadline a call runs none; at it every call runs at most tick_budget and says
 * whether more are due, and ceil(N / budget) calls handle them all, none twice.
 */
static void
test_arp_timer_64k_due_at_once_bounded_per_call(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	unsigned int i, n = BIG_N + 1, calls;
	uint64_t t0, f0, s0;

	c.table_size = 65536;
	c.timeout_ms = 5000;
	c.stale_ms = 3000;
	c.tick_budget = 64;
	reinit_arp(&c);
	lr_ifaces[0].netmask = rte_cpu_to_be_32(0xffff0000); /* 198.18.0.0/16 on-link */
	t0 = lr_tw->now_us;
	for (i = 0; i < BIG_N; i++) {
		rx_request_from(BIG_FIRST + i);
		if ((i & 255) == 255)
			lr_test_tx_clear();
	}
	lr_test_tx_clear();
	CU_ASSERT_EQUAL_FATAL(count_state(LR_ARP_REACHABLE), n);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TABLE_FULL), 0);

	/* 1 ms before the deadline: nothing runs, nothing is left */
	f0 = lr_arp_timers_fired(lr_tw);
	lr_test_advance_us(c.timeout_ms * MS - MS);
	CU_ASSERT_FALSE(lr_arp_tick(lr_tw));
	CU_ASSERT_EQUAL(lr_arp_timers_fired(lr_tw), f0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_STALE), 0);

	/* at the deadline: all go STALE, a budget per call */
	s0 = lr_test_stat(LR_STAT_arp_STALE);
	lr_test_advance_us(MS);
	CU_ASSERT_EQUAL(lr_tw->now_us, t0 + c.timeout_ms * MS);
	calls = tick_until_done(c.tick_budget, LR_STAT_arp_STALE, f0, s0);
	CU_ASSERT_EQUAL(calls, (n + c.tick_budget - 1) / c.tick_budget);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_STALE), n);
	CU_ASSERT_EQUAL(lr_arp_timers_fired(lr_tw) - f0, n);
	CU_ASSERT_EQUAL(count_state(LR_ARP_STALE), n);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 0);

	/* stale_ms later, unused: all removed, a budget per call */
	f0 = lr_arp_timers_fired(lr_tw);
	lr_test_advance_us(c.stale_ms * MS - MS);
	CU_ASSERT_EQUAL(lr_arp_timers_fired(lr_tw), f0);
	lr_test_advance_us(MS);
	calls = tick_until_done(c.tick_budget, LR_STAT_arp_EXPIRED, f0, 0);
	CU_ASSERT_EQUAL(calls, (n + c.tick_budget - 1) / c.tick_budget);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), n);
	CU_ASSERT_EQUAL(count_state(LR_ARP_STALE), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(BIG_FIRST), NULL));
	CU_ASSERT_FALSE(lr_arp_tick(lr_tw));
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * Earliest deadline first across states, one timer per call: A's REACHABLE timer
 * (due at 3.5 s) runs before the STALE ones of B and the peer (due at 4 s), though
 * A's list comes later; each call runs one and says more are left.
 */
static void
test_arp_timer_earliest_deadline_first_across_states(void)
{
	const uint32_t a = RTE_IPV4(198u, 18, 0, 20), b = RTE_IPV4(198u, 18, 0, 21);
	struct lr_arp_conf c = lr_arp_conf_default;

	c.timeout_ms = 3000;
	c.stale_ms = 1000;
	c.tick_budget = 1;
	reinit_arp(&c);                          /* the peer, REACHABLE until 3 s */
	rx_request_from(b);                      /* until 3 s */
	lr_test_advance_us(500 * MS);
	rx_request_from(a);                      /* until 3.5 s */
	lr_test_advance_us(2500 * MS);           /* 3 s: peer and B go STALE, until 4 s */
	while (lr_arp_tick(lr_tw))
		;
	CU_ASSERT_EQUAL(entry_state(b), LR_ARP_STALE);
	CU_ASSERT_EQUAL(entry_state(LR_TEST_PEER_IP), LR_ARP_STALE);
	CU_ASSERT_EQUAL(entry_state(a), LR_ARP_REACHABLE);

	lr_test_advance_us(2000 * MS);           /* 5 s: A (3.5 s), then B and the peer (4 s) */
	CU_ASSERT_EQUAL(entry_state(a), LR_ARP_STALE);
	CU_ASSERT_EQUAL(entry_state(b), LR_ARP_STALE);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), 0);
	CU_ASSERT_TRUE(lr_arp_tick(lr_tw));      /* the peer or B */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), 1);
	CU_ASSERT_FALSE(lr_arp_tick(lr_tw));     /* the other; A is due at 6 s */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), 2);
	CU_ASSERT_EQUAL(entry_state(b), 0);
	CU_ASSERT_EQUAL(entry_state(a), LR_ARP_STALE);
	CU_ASSERT_FALSE(lr_arp_tick(lr_tw));
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * An entry created by a packet that could not wait (the worker's queue limit) has
 * asked nothing yet: the next tick sends its first request, then one every
 * retry_ms, as before the lists.
 */
static void
test_arp_timer_unqueued_entry_asks_at_next_tick(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	struct rte_mbuf *m;

	c.pending_total = 1;
	reinit_arp(&c);
	m = lr_test_data("x", 1);
	lr_udp_send(lr_tw, m, rte_cpu_to_be_32(LR_TEST_OUR_IP), rte_cpu_to_be_16(5000),
			rte_cpu_to_be_32(LR_TEST_OTHER_IP), rte_cpu_to_be_16(7));
	m = lr_test_data("y", 1);
	lr_udp_send(lr_tw, m, rte_cpu_to_be_32(LR_TEST_OUR_IP), rte_cpu_to_be_16(5000),
			rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 30)), rte_cpu_to_be_16(7));
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PENDING_LIMIT), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 1);
	CU_ASSERT_EQUAL(entry_state(RTE_IPV4(198u, 18, 0, 30)), LR_ARP_INCOMPLETE);
	lr_test_advance_us(1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 2);
	lr_test_advance_us(c.retry_ms * MS - 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 2);
	lr_test_advance_us(1);                   /* OTHER's second request */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 3);
	lr_test_advance_us(1);                   /* .30's second */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 4);
	lr_test_tx_clear();
}

static const CU_TestInfo cases[] = {
	{ "test_arp_timer_64k_due_at_once_bounded_per_call",
		test_arp_timer_64k_due_at_once_bounded_per_call },
	{ "test_arp_timer_earliest_deadline_first_across_states",
		test_arp_timer_earliest_deadline_first_across_states },
	{ "test_arp_timer_unqueued_entry_asks_at_next_tick",
		test_arp_timer_unqueued_entry_asks_at_next_tick },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"arp_timer", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
