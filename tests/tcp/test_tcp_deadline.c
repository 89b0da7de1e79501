/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Nothing waits forever (issue #9 §2 and §4), on the virtual clock: zero-window
 * probing gives up after its retries and after the RFC 5482 user timeout; orphans
 * (connections the application closed) have their own retry limit and a cap past
 * which the oldest is reset; and no allocation failure leaves a connection without a
 * timer (SYN, SYN-ACK, data and FIN retried; the connection pool failing is a
 * counted drop).
 */
#include <string.h>

#include "tcp_test.h"

static uint8_t bulk[4096];

static int
count_conns(const struct lr_tcp_conn_info *info, void *arg)
{
	if (info->state != LR_TCP_LISTEN)
		(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int
nb_listed(void)
{
	unsigned int n = 0;

	lr_tcp_walk(lr_tw, count_conns, &n);
	return n;
}

/* Advance ms by ms until the connection count drops to want or limit_ms passes.
 * @return the milliseconds it took */
static uint64_t
advance_until_conns(uint32_t want, uint64_t limit_ms)
{
	uint64_t t;

	for (t = 0; t < limit_ms && lr_tcp_conn_count(lr_tw) != want; t++)
		tt_advance_ms(1);
	return t;
}

/* The peer keeps answering probes with a zero window: after max_retries probes the
 * next persist expiry resets the connection (it used to probe forever). */
static void
test_tcp_persist_gives_up_after_max_retries(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;
	unsigned int probes = 0, i;

	tt_conf.max_retries = 3;
	tt_reinit();
	c = tt_passive_open();
	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	for (i = 0; i < 200000 && tt_app.closed == 0; i++) {
		tt_advance_ms(1);
		if (lr_test_tx_count() > 0 && tt_out(0, &o) == 0 && o.len == 1) {
			probes++;
			lr_test_tx_clear();
			tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
		}
	}
	CU_ASSERT_EQUAL(probes, 3);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_TIMEOUT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_GIVEUP), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 8001, 0, 0); /* the zero window's edge, not SND.MAX past the probe */
	TT_ASSERT_NO_LEAK();
}

/* A window that opens restarts the count: probing that makes progress never ends
 * the connection. */
static void
test_tcp_persist_count_restarts_when_window_opens(void)
{
	struct lr_tcp_conn *c;
	unsigned int round;

	tt_conf.max_retries = 2;
	tt_reinit();
	c = tt_passive_open();
	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 4), 4);
	tt_flush();
	for (round = 0; round < 4; round++) {
		/* two probes, each answered with a closed window */
		tt_advance_ms(200u << 0);
		tt_in(tt_seg(1001, 8001 + round, TT_ACK, 0, NULL, 0, NULL, 0));
		tt_advance_ms(400);
		tt_in(tt_seg(1001, 8001 + round, TT_ACK, 0, NULL, 0, NULL, 0));
		CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
		/* the peer takes the probe byte and closes again */
		tt_in(tt_seg(1001, 8002 + round, TT_ACK, 0, NULL, 0, NULL, 0));
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(tt_app.closed, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_GIVEUP), 0);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5482: data unacknowledged for user_timeout_ms resets the connection although
 * max_retries would allow more retransmissions. */
static void
test_tcp_user_timeout_resets_unacked_data(void)
{
	struct lr_tcp_conn *c;
	uint64_t took;

	tt_conf.max_retries = 30;
	tt_conf.rto_max_ms = 400;
	tt_conf.user_timeout_ms = 3000;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	TT_EXPECT_COUNT(1);
	lr_test_tx_clear();
	took = advance_until_conns(0, 10000);
	CU_ASSERT(took >= 3000 && took <= 3400);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_USER_TIMEOUT), 1);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_TIMEOUT);
	TT_ASSERT_NO_LEAK();
}

/* The user timeout also ends zero-window probing (Linux applies TCP_USER_TIMEOUT to
 * the persist timer since 4.20). */
static void
test_tcp_user_timeout_ends_zero_window_probing(void)
{
	struct lr_tcp_conn *c;
	uint64_t t;

	tt_conf.max_retries = 200;
	tt_conf.rto_max_ms = 500;
	tt_conf.user_timeout_ms = 5000;
	tt_reinit();
	c = tt_passive_open();
	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10), 10);
	tt_flush();
	for (t = 0; t < 20000 && lr_tcp_conn_count(lr_tw) > 0; t++) {
		tt_advance_ms(1);
		if (lr_test_tx_count() > 0) {
			lr_test_tx_clear();
			tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
		}
	}
	CU_ASSERT(t >= 5000 && t <= 5600);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_USER_TIMEOUT), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_GIVEUP), 0);
	TT_ASSERT_NO_LEAK();
}

/* A peer that never acknowledges our FIN after the application closed (LAST_ACK):
 * orphan_retries retransmissions, then RST and free, long before max_retries. */
static void
test_tcp_orphan_last_ack_gives_up_after_orphan_retries(void)
{
	unsigned int fins = 0, i;
	struct tt_out o;

	tt_conf.orphan_retries = 2;
	tt_conf.max_retries = 12;
	tt_reinit();
	tt_app.close_on_peer_closed = true;
	tt_passive_open();
	tt_rx(1001, 8001, TT_ACK | TT_FIN, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 1);
	for (i = 0; i < 60000 && lr_tcp_conn_count(lr_tw) > 0; i++) {
		unsigned int k;

		for (k = 0; k < lr_test_tx_count(); k++)
			if (tt_out(k, &o) == 0 && (o.flags & TT_FIN))
				fins++;
		lr_test_tx_clear();
		tt_advance_ms(1);
	}
	CU_ASSERT_EQUAL(fins, 3); /* the FIN and two retransmissions */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ORPHAN_GIVEUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIMEOUT_DROP), 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 0);
	CU_ASSERT_EQUAL(tt_app.closed, 0); /* no callbacks after close */
	TT_ASSERT_NO_LEAK();
}

/* Data the closed application left behind, blocked by a zero window (FIN_WAIT_1):
 * the probes count against orphan_retries. */
static void
test_tcp_orphan_zero_window_gives_up_after_orphan_retries(void)
{
	struct lr_tcp_conn *c;
	unsigned int i;

	tt_conf.orphan_retries = 1;
	tt_conf.max_retries = 50;
	tt_reinit();
	c = tt_passive_open();
	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 50), 50);
	lr_tcp_close(c);
	tt_flush();
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 1);
	for (i = 0; i < 100000 && lr_tcp_conn_count(lr_tw) > 0; i++) {
		tt_advance_ms(1);
		if (lr_test_tx_count() > 0) {
			lr_test_tx_clear();
			tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
		}
	}
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_GIVEUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ORPHAN_GIVEUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_PROBE), 1);
	TT_ASSERT_NO_LEAK();
}

/* Open one passive connection from peer port p (the listener exists). */
static struct lr_tcp_conn *
open_from(uint16_t p)
{
	tt_peer_port = p;
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	return tt_app.conn;
}

/* max_orphans closed connections still closing: the next close resets the oldest
 * (a RST to its tuple), the others stay and finish normally. */
static void
test_tcp_max_orphans_resets_oldest(void)
{
	struct lr_tcp_conn *c[3];
	struct tt_out o;
	unsigned int i;

	tt_conf.max_orphans = 2;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 3; i++)
		c[i] = open_from((uint16_t)(41000 + i));
	for (i = 0; i < 2; i++)
		lr_tcp_close(c[i]);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 2);
	CU_ASSERT_EQUAL(nb_listed(), 3);
	lr_tcp_close(c[2]);
	tt_flush();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ORPHAN_RESET), 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
	CU_ASSERT_EQUAL(nb_listed(), 2);
	/* a RST to 41000 (the oldest), the FIN of the third */
	TT_EXPECT_COUNT(2);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_RST);
	CU_ASSERT_EQUAL(o.dport, 41000);
	CU_ASSERT_EQUAL(tt_out(1, &o), 0);
	CU_ASSERT_EQUAL(o.dport, 41002);
	CU_ASSERT(o.flags & TT_FIN);
	lr_test_tx_clear();
	/* 41001 finishes normally: ACK of its FIN, then the peer's FIN -> TIME_WAIT */
	tt_peer_port = 41001;
	tt_rx(1001, 8002, TT_ACK | TT_FIN, NULL, 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_orphans, 1);
	TT_ASSERT_NO_LEAK();
}

/* The SYN-ACK cannot be built (data pool empty): the half-open connection keeps its
 * retransmission timer, the SYN-ACK leaves at the RTO, and the handshake completes
 * (before, it stayed in SYN_RCVD forever, counted as half-open). */
static void
test_tcp_synack_nobufs_retried_by_timer(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, 1, 0);
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_XMIT_NOBUFS), 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_half_open, 1);
	tt_advance_ms(tt_conf.rto_init_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_half_open, 0);
	TT_ASSERT_NO_LEAK();
}

/* With the pool empty for good, the half-open connection is freed after its
 * retries: the half-open count returns to zero, so the listener leaves cookie mode. */
static void
test_tcp_synack_nobufs_forever_frees_half_open(void)
{
	tt_conf.synack_retries = 2;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, UINT32_MAX, 0);
	tt_rx_syn(1000, 1460);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_half_open, 1);
	advance_until_conns(0, 60000);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_half_open, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNACK_GIVEUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_XMIT_NOBUFS), 3);
	lr_nomem_clear(&lr_tw->nomem);
	TT_ASSERT_NO_LEAK();
}

/* Active open whose SYN cannot be built: SYN_SENT keeps its timer, the SYN leaves at
 * the RTO. */
static void
test_tcp_syn_nobufs_retried_by_timer(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, 1, 0);
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	TT_EXPECT_COUNT(0);
	CU_ASSERT(tcp_timer_due_us(c, TCP_T_REXMT) != 0);
	tt_advance_ms(tt_conf.rto_init_ms);
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN);
	CU_ASSERT_EQUAL(o.seq, 1000);
	TT_ASSERT_NO_LEAK();
}

/* Data that cannot be built with nothing in flight: the retransmission timer sends
 * it (before, the connection waited with no timer for the peer to speak). */
static void
test_tcp_data_nobufs_retried_by_timer(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	/* the send buffer's mbuf is had, the segment's is not (copied: a segment sent
	 * in place takes none, tcp_sbref.c) */
	lr_tw->tx_ref = false;
	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 1, 1, 0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	TT_EXPECT_COUNT(0);
	CU_ASSERT(tcp_timer_due_us(c, TCP_T_REXMT) != 0);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 100);
	TT_ASSERT_NO_LEAK();
}

/* LAST_ACK whose FIN cannot be built, the pool empty for good: the connection ends
 * after orphan_retries instead of sitting in LAST_ACK with no timer. */
static void
test_tcp_fin_nobufs_forever_last_ack_ends(void)
{
	tt_conf.orphan_retries = 2;
	tt_reinit();
	tt_app.close_on_peer_closed = true;
	tt_passive_open();
	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, UINT32_MAX, 0);
	tt_rx(1001, 8001, TT_ACK | TT_FIN, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	advance_until_conns(0, 60000);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ORPHAN_GIVEUP), 1);
	CU_ASSERT(tt_stat(LR_TCP_STAT_XMIT_NOBUFS) >= 3);
	lr_nomem_clear(&lr_tw->nomem);
	TT_ASSERT_NO_LEAK();
}

/* The connection pool failing: the SYN is a counted drop, nothing leaks, and the
 * next SYN is served. */
static void
test_tcp_conn_pool_nomem_drops_syn(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	lr_nomem_set(&lr_tw->nomem, LR_POOL_CONN, 0, 1, 0);
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 1);
	CU_ASSERT_EQUAL(lr_tw->nomem.injected[LR_POOL_CONN], 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	TT_ASSERT_NO_LEAK();
}

/* Under memory pressure a peer that stopped answering gets pressure_retries
 * retransmissions, not max_retries; without pressure the same connection keeps
 * retrying. */
static void
test_tcp_pressure_shortens_retries(void)
{
	struct lr_mem_conf mc = { .low = 0, .pressure = 0, .high = UINT64_MAX };
	struct lr_tcp_conn *c;
	unsigned int segs = 0, i;

	tt_conf.max_retries = 12;
	tt_conf.pressure_retries = 2;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	lr_test_tx_clear();
	for (i = 0; i < 5000; i++) {
		tt_advance_ms(1);
		segs += lr_test_tx_count();
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1); /* 200+400+800+1600 ms: still going */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PRESSURE_GIVEUP), 0);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	CU_ASSERT_TRUE(lr_mem_pressure(&lr_tw->mem));
	advance_until_conns(0, 60000);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PRESSURE_GIVEUP), 1);
	CU_ASSERT(segs >= 3);
	lr_tw->mem.conf = LR_MEM_UNLIMITED;
	lr_tw->mem.level = LR_MEM_NORMAL;
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_pressure_shortens_retries", test_tcp_pressure_shortens_retries },
	{ "test_tcp_persist_gives_up_after_max_retries",
		test_tcp_persist_gives_up_after_max_retries },
	{ "test_tcp_persist_count_restarts_when_window_opens",
		test_tcp_persist_count_restarts_when_window_opens },
	{ "test_tcp_user_timeout_resets_unacked_data", test_tcp_user_timeout_resets_unacked_data },
	{ "test_tcp_user_timeout_ends_zero_window_probing",
		test_tcp_user_timeout_ends_zero_window_probing },
	{ "test_tcp_orphan_last_ack_gives_up_after_orphan_retries",
		test_tcp_orphan_last_ack_gives_up_after_orphan_retries },
	{ "test_tcp_orphan_zero_window_gives_up_after_orphan_retries",
		test_tcp_orphan_zero_window_gives_up_after_orphan_retries },
	{ "test_tcp_max_orphans_resets_oldest", test_tcp_max_orphans_resets_oldest },
	{ "test_tcp_synack_nobufs_retried_by_timer", test_tcp_synack_nobufs_retried_by_timer },
	{ "test_tcp_synack_nobufs_forever_frees_half_open",
		test_tcp_synack_nobufs_forever_frees_half_open },
	{ "test_tcp_syn_nobufs_retried_by_timer", test_tcp_syn_nobufs_retried_by_timer },
	{ "test_tcp_data_nobufs_retried_by_timer", test_tcp_data_nobufs_retried_by_timer },
	{ "test_tcp_fin_nobufs_forever_last_ack_ends", test_tcp_fin_nobufs_forever_last_ack_ends },
	{ "test_tcp_conn_pool_nomem_drops_syn", test_tcp_conn_pool_nomem_drops_syn },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_deadline", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	for (unsigned int i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)(i * 13);
	return lr_test_main(argc, argv, suites);
}
