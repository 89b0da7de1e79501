/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_reass.c: the out-of-order queue. The peer's byte at sequence s is
 * pat[s - 1001], so every delivery is checked byte-exact.
 */
#include <string.h>

#include "tcp_test.h"

static uint8_t pat[4000];

static void
fill_pat(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13 + 7);
}

/* Peer data [seq, seq + len), in the current burst or not. */
static void
rx_data(uint32_t seq, uint16_t len, uint8_t flags)
{
	tt_rx(seq, 8001, TT_ACK | flags, pat + (seq - 1001), len);
}

static void
expect_delivered(uint32_t n)
{
	CU_ASSERT_EQUAL(tt_app.data_len, n);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, pat, n), 0);
}

/* Two segments beyond a gap: a duplicate ACK each, held; the gap fills: all three
 * delivered in order and one cumulative ACK. */
static void
test_tcp_reass_gap_fill_delivers_queue_with_cumulative_ack(void)
{
	fill_pat();
	tt_passive_open();
	rx_data(1101, 100, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	rx_data(1201, 100, 0);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	CU_ASSERT_EQUAL(tt_info().recv_q, 200);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1301, 0);
	expect_delivered(300);
	CU_ASSERT_EQUAL(tt_app.data_calls, 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_DELIVERED), 2);
	CU_ASSERT_EQUAL(tt_info().recv_q, 0);
	TT_ASSERT_NO_LEAK();
}

/* Overlaps are cut on the way in: a segment over the tail of a queued one loses
 * its head; one covering queued segments replaces them; one under the head of a
 * queued one loses its tail. Every byte is delivered once. */
static void
test_tcp_reass_overlaps_trimmed(void)
{
	fill_pat();
	tt_passive_open();
	rx_data(1201, 100, 0);  /* [1201, 1301) */
	rx_data(1251, 100, 0);  /* head cut: [1301, 1351) */
	rx_data(1151, 100, 0);  /* tail cut: [1151, 1201) */
	rx_data(1401, 100, 0);  /* [1401, 1501) */
	rx_data(1381, 200, 0);  /* covers [1401, 1501): [1381, 1581) replaces it */
	CU_ASSERT(tt_stat(LR_TCP_STAT_OOO_TRIMMED) >= 3);
	CU_ASSERT_EQUAL(tt_info().recv_q, 100 + 50 + 50 + 200);
	lr_test_tx_clear();
	rx_data(1001, 150, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1351, 0);
	expect_delivered(350);
	lr_test_tx_clear();
	rx_data(1301, 100, 0);  /* overlaps delivered data and the queue */
	TT_EXPECT(0, TT_ACK, 8001, 1581, 0);
	expect_delivered(580);
	CU_ASSERT_EQUAL(tt_info().recv_q, 0);
	TT_ASSERT_NO_LEAK();
}

/* The same out-of-order segment twice: the copy is dropped and counted. */
static void
test_tcp_reass_duplicate_dropped(void)
{
	fill_pat();
	tt_passive_open();
	rx_data(1101, 100, 0);
	rx_data(1101, 100, 0);
	rx_data(1121, 50, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_DUP), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 3); /* a duplicate ACK for each */
	rx_data(1001, 100, 0);
	expect_delivered(200);
	TT_ASSERT_NO_LEAK();
}

/* A segment covered by two adjacent queued ones, its head by the first and its
 * tail by the second, is a duplicate too: nothing of it is queued, not even an
 * empty node taking one of the ooo_max slots. */
static void
test_tcp_reass_covered_by_two_adjacent_is_duplicate(void)
{
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	rx_data(1201, 100, 0);  /* [1201, 1301) */
	rx_data(1301, 100, 0);  /* [1301, 1401) */
	rx_data(1251, 100, 0);  /* [1251, 1351): inside the two */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_DUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 2);
	CU_ASSERT_EQUAL(c->ooo_n, 2);
	CU_ASSERT_EQUAL(tt_info().recv_q, 200);
	lr_test_tx_clear();
	rx_data(1001, 200, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1401, 0);
	expect_delivered(400);
	TT_ASSERT_NO_LEAK();
}

static void
abort_on_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	tt_app.data_calls++;
	tt_app.data_len += m->pkt_len;
	rte_pktmbuf_free(m);
	lr_tcp_abort(c);
}

/* The application aborts from the data callback while the gap fill has queued
 * segments left to deliver: delivery stops there, the queue is freed with the
 * connection, a RST goes out, nothing is touched after the free (the FIN queued
 * behind the gap is not processed). */
static void
test_tcp_reass_abort_from_data_callback_stops_delivery(void)
{
	static struct lr_tcp_callbacks cb; /* connections keep a pointer to it */

	cb = tt_cb;
	fill_pat();
	cb.data = abort_on_data;
	tt_passive_open_cb(&cb);
	rx_data(1101, 100, 0);
	rx_data(1201, 100, TT_FIN);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	CU_ASSERT_EQUAL(tt_app.data_calls, 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 100);
	CU_ASSERT_EQUAL(tt_app.peer_closed, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 8001, 0, 0); /* ABORT: <SEQ=SND.NXT><CTL=RST> */
	TT_ASSERT_NO_LEAK();
}

/* ooo_max bounds the queue: the segment beyond it is dropped (and acknowledged). */
static void
test_tcp_reass_bounded_by_ooo_max(void)
{
	fill_pat();
	tt_conf.ooo_max = 2;
	tt_reinit();
	tt_passive_open();
	rx_data(1101, 100, 0);
	rx_data(1301, 100, 0);
	rx_data(1501, 100, 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OUT_OF_ORDER), 1);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1201, 0);
	expect_delivered(200);
	TT_ASSERT_NO_LEAK();
}

/* ooo_max 0: no queue, out-of-order data is dropped with a duplicate ACK. */
static void
test_tcp_reass_disabled_drops(void)
{
	fill_pat();
	tt_conf.ooo_max = 0;
	tt_reinit();
	tt_passive_open();
	rx_data(1101, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OUT_OF_ORDER), 1);
	TT_ASSERT_NO_LEAK();
}

/* A FIN queued with its data is processed when the gap fills. */
static void
test_tcp_reass_fin_after_gap(void)
{
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	rx_data(1101, 100, TT_FIN);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_app.peer_closed, 0);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1202, 0);
	CU_ASSERT_EQUAL(tt_app.peer_closed, 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_CLOSE_WAIT);
	expect_delivered(200);
	TT_ASSERT_NO_LEAK();
}

/* Queued mbufs go back to the pool when the connection goes. */
static void
test_tcp_reass_freed_with_connection(void)
{
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	rx_data(1101, 100, 0);
	rx_data(1301, 100, 0);
	lr_tcp_abort(c);
	tt_flush();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_reass_gap_fill_delivers_queue_with_cumulative_ack",
		test_tcp_reass_gap_fill_delivers_queue_with_cumulative_ack },
	{ "test_tcp_reass_overlaps_trimmed", test_tcp_reass_overlaps_trimmed },
	{ "test_tcp_reass_duplicate_dropped", test_tcp_reass_duplicate_dropped },
	{ "test_tcp_reass_covered_by_two_adjacent_is_duplicate",
		test_tcp_reass_covered_by_two_adjacent_is_duplicate },
	{ "test_tcp_reass_abort_from_data_callback_stops_delivery",
		test_tcp_reass_abort_from_data_callback_stops_delivery },
	{ "test_tcp_reass_bounded_by_ooo_max", test_tcp_reass_bounded_by_ooo_max },
	{ "test_tcp_reass_disabled_drops", test_tcp_reass_disabled_drops },
	{ "test_tcp_reass_fin_after_gap", test_tcp_reass_fin_after_gap },
	{ "test_tcp_reass_freed_with_connection", test_tcp_reass_freed_with_connection },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_reass", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
