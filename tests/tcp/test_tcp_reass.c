/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_reass.c: the out-of-order queue. The peer's byte at sequence s is
 * pat[s - 1001], so every delivery is checked byte-exact.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_test.h"

static uint8_t pat[8000];

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

/* Two segments beyond a gap: a duplicate ACK each, held (the second, small and
 * adjacent, in the first one's buffer); the gap fills: all delivered in order and
 * one cumulative ACK. */
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
	CU_ASSERT_EQUAL(tt_app.data_calls, 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_COLLAPSED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_DELIVERED), 1);
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
 * empty node taking one of the ooo_max slots. (Segments too large to share a
 * buffer, so the two stay two.) */
static void
test_tcp_reass_covered_by_two_adjacent_is_duplicate(void)
{
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	rx_data(1201, 600, 0);  /* [1201, 1801) */
	rx_data(1801, 600, 0);  /* [1801, 2401) */
	rx_data(1501, 600, 0);  /* [1501, 2101): inside the two */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_DUP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 2);
	CU_ASSERT_EQUAL(c->ooo_n, 2);
	CU_ASSERT_EQUAL(tt_info().recv_q, 1200);
	lr_test_tx_clear();
	rx_data(1001, 200, 0);
	TT_EXPECT(0, TT_ACK, 8001, 2401, 0);
	expect_delivered(1400);
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

/* Truesize of one buffer of the test pool (what a queued segment costs at least). */
static uint32_t
one_buf_true(void)
{
	struct rte_mbuf *m = lr_test_data(NULL, 1);
	uint32_t t = lr_mbuf_truesize(m);

	rte_pktmbuf_free(m);
	return t;
}

/* The attack of issue #9: hundreds of one-byte segments past a hole that never
 * fills, none adjacent. What they pin is bounded by the receive buffer in truesize
 * (twice rcv_wnd), not by ooo_max: the rest is dropped and counted; the charge and
 * the window follow; the right edge never moves left; all goes back at close. */
static void
test_tcp_reass_one_byte_segments_bounded_by_truesize(void)
{
	uint32_t t = one_buf_true(), limit = 2 * tt_conf.rcv_wnd, adv, i;
	unsigned int base = lr_test_pool_in_use();
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	adv = c->rcv_adv;
	for (i = 0; i < 300; i++) {
		rx_data(1101 + 2 * i, 1, 0);
		CU_ASSERT(SEQ_GEQ(c->rcv_adv, adv));
		adv = c->rcv_adv;
	}
	CU_ASSERT(c->ooo_n <= limit / t);
	CU_ASSERT(c->ooo_n >= limit / t - 1);
	CU_ASSERT(c->ooo_true <= limit);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), c->ooo_n);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_MEM_DROP), 300 - c->ooo_n);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OUT_OF_ORDER), 0);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], c->ooo_true);
	CU_ASSERT_EQUAL(lr_tw->mem.used, c->ooo_true);
	CU_ASSERT(lr_test_pool_in_use() - base <= limit / t);
	/* Half the queue's truesize is gone from the window offered. */
	CU_ASSERT_EQUAL(tcp_rcv_space(c), tt_conf.rcv_wnd - c->ooo_true / 2);
	lr_tcp_abort(c);
	tt_flush();
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], 0);
	TT_ASSERT_NO_LEAK();
}

/* Adjacent one-byte segments share one buffer (Linux tcp_ooo_try_coalesce), in
 * either order of arrival, and are delivered byte-exact when the hole fills. */
static void
test_tcp_reass_adjacent_small_segments_share_a_buffer(void)
{
	struct lr_tcp_conn *c;
	uint32_t i;

	fill_pat();
	c = tt_passive_open();
	for (i = 0; i < 200; i++)
		rx_data(1101 + i, 1, 0);        /* [1101, 1301) ascending */
	for (i = 0; i < 200; i++)
		rx_data(1500 - i, 1, 0);        /* [1301, 1501) descending */
	CU_ASSERT_EQUAL(c->ooo_n, 1);
	CU_ASSERT_EQUAL(c->ooo_true, one_buf_true());
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_COLLAPSED), 399);
	CU_ASSERT_EQUAL(tt_info().recv_q, 400);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1501, 0);
	expect_delivered(500);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	TT_ASSERT_NO_LEAK();
}

/* A receive buffer full of segments too large to share a buffer on arrival: the
 * queue is collapsed (tcp_collapse_ofo_queue) to make room before anything is
 * dropped. */
static void
test_tcp_reass_collapse_before_drop(void)
{
	struct lr_tcp_conn *c;
	uint32_t t = one_buf_true();

	fill_pat();
	tt_conf.rcv_wnd = 4000;          /* 8000 bytes of truesize: three buffers */
	tt_reinit();
	c = tt_passive_open();
	rx_data(1101, 600, 0);
	rx_data(1701, 600, 0);
	rx_data(2301, 600, 0);
	CU_ASSERT_EQUAL(c->ooo_n, 3);
	CU_ASSERT_EQUAL(c->ooo_true, 3 * t);
	rx_data(2901, 600, 0);           /* a fourth buffer does not fit: collapse */
	CU_ASSERT(tt_stat(LR_TCP_STAT_OOO_COLLAPSED) >= 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_MEM_DROP), 0);
	CU_ASSERT(c->ooo_true <= 2 * tt_conf.rcv_wnd);
	CU_ASSERT_EQUAL(tt_info().recv_q, 2400);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 3501, 0);
	expect_delivered(2500);
	TT_ASSERT_NO_LEAK();
}

/* Full receive buffer: segments queued above a new, lower one are pruned from the
 * highest sequence to make room for it (Linux tcp_prune_ofo_queue): the data next
 * to the hole is worth more. */
static void
test_tcp_reass_full_buffer_prunes_above_new_segment(void)
{
	struct lr_tcp_conn *c;

	fill_pat();
	tt_conf.rcv_wnd = 4000;
	tt_reinit();
	c = tt_passive_open();
	rx_data(1601, 1000, 0);
	rx_data(3801, 1000, 0);
	rx_data(2701, 1000, 0);          /* third buffer: fits */
	CU_ASSERT_EQUAL(c->ooo_n, 3);
	rx_data(1101, 300, 0);           /* fourth: [3801, 4801) goes */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PRUNED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_MEM_DROP), 0);
	CU_ASSERT_EQUAL(c->ooo_n, 3);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1401, 0);
	rx_data(1401, 200, 0);
	rx_data(2601, 100, 0);
	expect_delivered(2700);
	TT_ASSERT_NO_LEAK();
}

/* Under memory pressure the connection holding the oldest out-of-order data loses
 * its queue from the highest sequence, until the budget is back below its low
 * mark; counted. Segments too big to pack are pruned. The connection still works:
 * the rest is sent again and delivered. */
static void
test_tcp_reass_pruned_under_pressure(void)
{
	uint32_t t = one_buf_true(), i, off;
	struct lr_mem_conf mc = { .low = 3 * t, .pressure = 5 * t, .high = UINT64_MAX };
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	for (i = 0; i < 10; i++)
		rx_data(1101 + 700 * i, 600, 0);
	CU_ASSERT_EQUAL(c->ooo_n, 10);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	CU_ASSERT_TRUE(lr_mem_pressure(&lr_tw->mem));
	tt_flush();
	CU_ASSERT_FALSE(lr_mem_pressure(&lr_tw->mem));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PRUNED), 8);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PACKED), 0);
	CU_ASSERT_EQUAL(c->ooo_n, 2);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 2 * t);
	lr_test_tx_clear();
	rx_data(1001, 100, 0);
	TT_EXPECT(0, TT_ACK, 8001, 1701, 0);
	for (off = 1701; off < 8001; off += 500)
		rx_data(off, (uint16_t)RTE_MIN(500u, 8001 - off), 0);
	expect_delivered(7000);
	CU_ASSERT_EQUAL(c->rcv_nxt, 8001);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	TT_ASSERT_NO_LEAK();
}

/* Under memory pressure small segments that hold a buffer each, gapped, are copied
 * into one shared full buffer before anything is pruned (what Linux's tcp_collapse
 * does for adjacent ones): 20 one-byte segments then cost one buffer and 20 mbuf
 * headers, which ends the pressure. The buffer's truesize stays charged while any of
 * them is queued; everything is delivered byte-exact as the holes fill. */
static void
test_tcp_reass_small_gapped_segments_packed_under_pressure(void)
{
	uint32_t t = one_buf_true(), hdr = (uint32_t)sizeof(struct rte_mbuf), i;
	struct lr_mem_conf mc = { .low = 3 * t, .pressure = 5 * t, .high = UINT64_MAX };
	unsigned int data_base;
	struct lr_tcp_conn *c;

	fill_pat();
	c = tt_passive_open();
	lr_test_tx_clear(); /* the recorded frames are data-pool mbufs too */
	data_base = rte_mempool_in_use_count(lr_test_pool);
	for (i = 0; i < 20; i++)
		rx_data(1101 + 2 * i, 1, 0);
	CU_ASSERT_EQUAL(c->ooo_n, 20);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], 20 * t);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	CU_ASSERT_TRUE(lr_mem_pressure(&lr_tw->mem));
	tt_flush();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PACKED), 20);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PRUNED), 0);
	CU_ASSERT_FALSE(lr_mem_pressure(&lr_tw->mem));
	CU_ASSERT_EQUAL(c->ooo_n, 20);
	CU_ASSERT_EQUAL(c->ooo_true, t + 20 * hdr);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], t + 20 * hdr);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_test_pool), data_base + 1);
	/* the first hole and ten more fill: eleven packed segments are delivered, the
	 * buffer stays for the nine left and is still charged */
	rx_data(1001, 100, 0);
	for (i = 0; i < 10; i++)
		rx_data(1102 + 2 * i, 1, 0);
	expect_delivered(121);
	CU_ASSERT_EQUAL(c->ooo_n, 9);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], t + 9 * hdr);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_test_pool), data_base + 1);
	/* the last holes fill from the top down: the charge follows the buffer */
	for (i = 19; i >= 10; i--)
		rx_data(1102 + 2 * i, 1, 0);
	expect_delivered(140);
	CU_ASSERT_EQUAL(c->ooo_n, 0);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_test_pool), data_base);
	TT_ASSERT_NO_LEAK();
}

/* Packing takes mbuf headers from the pool fragmentation uses, never past half of it:
 * with all but 10 of that half in use, pressure prunes until what is left fits. */
static void
test_tcp_reass_packing_leaves_half_the_indirect_pool(void)
{
	uint32_t t = one_buf_true(), i;
	struct lr_mem_conf mc = { .low = 3 * t, .pressure = 5 * t, .high = UINT64_MAX };
	struct rte_mempool *ip = lr_tw->indirect_pool;
	unsigned int n = ip->size - ip->size / 2 - 10;
	struct rte_mbuf **held = calloc(n, sizeof(*held));
	struct lr_tcp_conn *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(held);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(ip, held, n), 0);
	fill_pat();
	c = tt_passive_open();
	for (i = 0; i < 20; i++)
		rx_data(1101 + 2 * i, 1, 0);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	tt_flush();
	/* 10 headers free above the half: the highest 10 are pruned, the rest packed */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PRUNED), 10);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_PACKED), 10);
	CU_ASSERT_EQUAL(c->ooo_n, 10);
	CU_ASSERT(rte_mempool_avail_count(ip) >= ip->size / 2);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(held[i]);
	free(held);
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
	{ "test_tcp_reass_one_byte_segments_bounded_by_truesize",
		test_tcp_reass_one_byte_segments_bounded_by_truesize },
	{ "test_tcp_reass_adjacent_small_segments_share_a_buffer",
		test_tcp_reass_adjacent_small_segments_share_a_buffer },
	{ "test_tcp_reass_collapse_before_drop", test_tcp_reass_collapse_before_drop },
	{ "test_tcp_reass_full_buffer_prunes_above_new_segment",
		test_tcp_reass_full_buffer_prunes_above_new_segment },
	{ "test_tcp_reass_pruned_under_pressure", test_tcp_reass_pruned_under_pressure },
	{ "test_tcp_reass_small_gapped_segments_packed_under_pressure",
		test_tcp_reass_small_gapped_segments_packed_under_pressure },
	{ "test_tcp_reass_packing_leaves_half_the_indirect_pool",
		test_tcp_reass_packing_leaves_half_the_indirect_pool },
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
