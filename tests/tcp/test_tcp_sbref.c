/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sbref.c: data segments sent from the send buffer in place (an indirect mbuf on
 * the buffer, the headers in its headroom) or copied. The recorder stands for the TX
 * ring: a frame it holds is one a PMD has not freed yet.
 */
#include <string.h>

#include "tcp_test.h"

static uint8_t bulk[8192];

static void
fill_bulk(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)(i * 7 + 3);
}

static void
sbref_setup(void)
{
	tt_setup();
	fill_bulk();
	lr_tw->tx_ref = true;
}

/* The send buffer still holds bulk[from ..) from its first unacknowledged byte on. */
static bool
sb_holds(const struct lr_tcp_conn *c, uint32_t from)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lr_test_pool);
	bool ok = true;
	uint32_t off, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (off = 0; off < c->sb_len && ok; off += n) {
		n = RTE_MIN(c->sb_len - off, 1024u);
		m->data_len = (uint16_t)n;
		m->pkt_len = n;
		tcp_sb_copy(c, off, m, 0, n);
		ok = memcmp(rte_pktmbuf_mtod(m, uint8_t *), bulk + from + off, n) == 0;
	}
	rte_pktmbuf_free(m);
	return ok;
}

/* Sent frame i is one segment, in place (an indirect mbuf) or not, carrying
 * bulk[from .. from + len). */
static void
expect_payload(unsigned int i, bool in_place, uint32_t from, uint16_t len)
{
	struct rte_mbuf *m = lr_test_tx_get(i);
	struct tt_out o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(RTE_MBUF_CLONED(m) != 0, in_place);
	if (in_place)
		CU_ASSERT_EQUAL(m->nb_segs, 1);
	CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
	CU_ASSERT_EQUAL_FATAL(o.len, len);
	CU_ASSERT(memcmp(o.payload, bulk + from, len) == 0);
}

/* Run the timers a millisecond at a time until a frame beyond the n recorded leaves
 * (a retransmission or a tail loss probe). */
static void
advance_until_sent(unsigned int n)
{
	unsigned int ms;

	for (ms = 0; ms < 10000 && lr_test_tx_count() <= n; ms++)
		tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), n + 1);
}

/* Sent frame i is a segment at seq with len bytes (a retransmission: flags aside). */
static void
expect_seg(unsigned int i, uint32_t seq, uint16_t len)
{
	struct tt_out o;

	CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
	CU_ASSERT(o.flags & TT_ACK);
	CU_ASSERT_EQUAL(o.seq, seq);
	CU_ASSERT_EQUAL(o.len, len);
}

/* A response in an empty send buffer goes in place: one segment, headers in the
 * buffer's headroom, checksums right, counted. */
static void
test_tcp_sbref_response_sent_in_place(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 256), 256);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 256);
	expect_payload(0, true, 0, 256);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 1);
	CU_ASSERT(sb_holds(c, 0));
	TT_ASSERT_NO_LEAK();
}

/* One response, one connection, sent once copied and once in place: the same bytes. */
static void
send_one(bool in_place, uint8_t *frame, uint32_t *len)
{
	struct lr_tcp_conn *c;
	struct rte_mbuf *m;

	tt_teardown();
	sbref_setup();
	lr_tw->tx_ref = in_place;
	c = tt_passive_open();
	c->ip_id = 0x4242; /* drawn per connection: the same in both */
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 999), 999);
	tt_flush();
	TT_EXPECT_COUNT(1);
	m = lr_test_tx_get(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(RTE_MBUF_CLONED(m) != 0, in_place);
	*len = rte_pktmbuf_pkt_len(m);
	CU_ASSERT_FATAL(*len <= 2048 && m->nb_segs == 1);
	memcpy(frame, rte_pktmbuf_mtod(m, uint8_t *), *len);
}

static void
test_tcp_sbref_frame_identical_to_copy(void)
{
	static uint8_t copied[2048], in_place[2048];
	uint32_t lc, lp;

	send_one(false, copied, &lc);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 0);
	send_one(true, in_place, &lp);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 1);
	CU_ASSERT_EQUAL(lc, lp);
	CU_ASSERT_EQUAL(lc, 14 + 20 + 20 + 999);
	CU_ASSERT(memcmp(copied, in_place, lc) == 0);
	TT_ASSERT_NO_LEAK();
}

/* The first transmission is still in "the ring" when the retransmission timer fires:
 * the retransmission is copied, the held frame is left as it was; once the ring has
 * freed it, the next retransmission goes in place again. */
static void
test_tcp_sbref_rexmit_while_first_still_held(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	static uint8_t before[2048];
	struct rte_mbuf *first;
	uint32_t len;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 300), 300);
	tt_flush();
	TT_EXPECT_COUNT(1);
	first = lr_test_tx_get(0);
	CU_ASSERT_FATAL(first != NULL && RTE_MBUF_CLONED(first));
	len = rte_pktmbuf_pkt_len(first);
	memcpy(before, rte_pktmbuf_mtod(first, uint8_t *), len);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(rte_mbuf_from_indirect(first)), 2);

	advance_until_sent(1);
	expect_seg(1, 8001, 300);
	expect_payload(1, false, 0, 300);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 1);
	CU_ASSERT(memcmp(before, rte_pktmbuf_mtod(first, uint8_t *), len) == 0);
	expect_payload(0, true, 0, 300);
	CU_ASSERT(sb_holds(c, 0));

	lr_test_tx_clear(); /* the PMD frees both */
	advance_until_sent(0);
	expect_seg(0, 8001, 300);
	expect_payload(0, true, 0, 300);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 2);
	TT_ASSERT_NO_LEAK();
}

/* The ACK comes before the PMD frees the frame: the send buffer lets the buffer go
 * (and its charge), the frame keeps it and its bytes until freed; then the pools are
 * back where they started. */
static void
test_tcp_sbref_ack_before_the_pmd_frees(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	unsigned int base = rte_mempool_in_use_count(lr_test_pool);
	static uint8_t before[2048];
	struct rte_mbuf *first;
	uint32_t len;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 256), 256);
	tt_flush();
	first = lr_test_tx_get(0);
	CU_ASSERT_FATAL(first != NULL && RTE_MBUF_CLONED(first));
	len = rte_pktmbuf_pkt_len(first);
	memcpy(before, rte_pktmbuf_mtod(first, uint8_t *), len);
	CU_ASSERT(lr_tw->mem.by_user[LR_MEM_TCP_SND] > 0);

	tt_rx(1001, 8001 + 256, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->sb_len, 0);
	CU_ASSERT_PTR_NULL(c->sb_head);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_SND], 0);
	CU_ASSERT_EQUAL(c->sb_true, 0);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(rte_mbuf_from_indirect(first)), 1);
	CU_ASSERT(memcmp(before, rte_pktmbuf_mtod(first, uint8_t *), len) == 0);
	expect_payload(0, true, 0, 256);
	/* one data buffer out: the frame's (the send buffer's), no copy of its own */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_test_pool), base + 1);

	/* the next response takes a buffer of its own, also in place */
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk + 256, 100), 100);
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001 + 256, 1001, 100);
	expect_payload(0, true, 256, 100);
	tt_rx(1001, 8001 + 356, TT_ACK, NULL, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_test_pool), base);
	TT_ASSERT_NO_LEAK();
}

/* Bytes appended while a frame holds the tail buffer go to a new buffer: the held
 * frame's bytes and the send buffer's stay as written. */
static void
test_tcp_sbref_append_behind_held_frame(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	static uint8_t before[2048];
	struct rte_mbuf *first;
	uint32_t len;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 200), 200);
	tt_flush();
	first = lr_test_tx_get(0);
	CU_ASSERT_FATAL(first != NULL && RTE_MBUF_CLONED(first));
	len = rte_pktmbuf_pkt_len(first);
	memcpy(before, rte_pktmbuf_mtod(first, uint8_t *), len);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk + 200, 50), 50);
	tt_flush();
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_ACK | TT_PSH, 8201, 1001, 50);
	expect_payload(1, false, 200, 50); /* in the new buffer: no headroom */
	CU_ASSERT(c->sb_head != c->sb_tail);
	CU_ASSERT(memcmp(before, rte_pktmbuf_mtod(first, uint8_t *), len) == 0);
	CU_ASSERT(sb_holds(c, 0));
	TT_ASSERT_NO_LEAK();
}

/* Segments by MSS over two buffers: only one lying in a buffer, at its start, goes in
 * place; the others (across the buffers, or behind unacknowledged bytes) are copied,
 * and no header lands in the send buffer's data. */
static void
test_tcp_sbref_only_payload_at_buffer_start(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 4000), 4000);
	tt_flush();
	TT_EXPECT_COUNT(3);
	expect_payload(0, true, 0, 1460);
	expect_payload(1, false, 1460, 1460);
	expect_payload(2, false, 2920, 1080);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 1);
	CU_ASSERT(sb_holds(c, 0));
	TT_ASSERT_NO_LEAK();
}

/* Bytes written while the first frame held the head buffer went to a buffer without
 * headroom: after the ACK of the first, their retransmission is copied. */
static void
test_tcp_sbref_rexmit_from_buffer_without_headroom(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 1000), 1000);
	tt_flush();
	expect_payload(0, true, 0, 1000);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk + 1000, 400), 400);
	tt_flush();
	expect_payload(1, false, 1000, 400); /* the first frame still holds the buffer */
	lr_test_tx_clear();
	tt_rx(1001, 9001, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->sb_len, 400);
	advance_until_sent(0);
	expect_seg(0, 9001, 400);
	/* the 400 bytes sit in the second buffer (no headroom): copied */
	expect_payload(0, false, 1000, 400);
	CU_ASSERT(sb_holds(c, 1000));
	TT_ASSERT_NO_LEAK();
}

/* A head buffer acknowledged in part, its unacknowledged rest sent again in place. */
static void
test_tcp_sbref_rexmit_rest_of_head_in_place(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	c->snd_mss = 1000;
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 1500), 1500);
	tt_flush();
	TT_EXPECT_COUNT(2);
	expect_payload(0, true, 0, 1000);
	expect_payload(1, false, 1000, 500); /* behind unacknowledged bytes */
	lr_test_tx_clear();
	tt_rx(1001, 9001, TT_ACK, NULL, 0);
	advance_until_sent(0);
	expect_seg(0, 9001, 500);
	expect_payload(0, true, 1000, 500);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 2);
	CU_ASSERT(sb_holds(c, 1000));
	TT_ASSERT_NO_LEAK();
}

/* A head buffer without headroom acknowledged up to 30 bytes in: room for the TCP
 * header but not for IPv4 and Ethernet under it, so its rest is copied. */
static void
test_tcp_sbref_no_room_for_all_headers_copied(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	c->snd_mss = 1000;
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 2100), 2100);
	tt_flush();
	TT_EXPECT_COUNT(3);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL_FATAL(c->sb_head->data_len, 2048); /* the rest in a second buffer */
	tt_rx(1001, 8001 + 2048 + 30, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->sb_off, 30);
	advance_until_sent(0);
	expect_seg(0, 8001 + 2078, 22);
	expect_payload(0, false, 2078, 22);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOMBUF), 0);
	CU_ASSERT(sb_holds(c, 2078));
	TT_ASSERT_NO_LEAK();
}

/* No indirect mbuf left (injected), or tx_ref off: copied, nothing lost. */
static void
test_tcp_sbref_falls_back_to_copy(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_nomem_set(&lr_tw->nomem, LR_POOL_INDIRECT, 0, 1, 0), 0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 256), 256);
	tt_flush();
	TT_EXPECT_COUNT(1);
	expect_payload(0, false, 0, 256);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_XMIT_NOBUFS), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 0);
	tt_rx(1001, 8257, TT_ACK, NULL, 0);
	lr_test_tx_clear();

	lr_tw->tx_ref = false;
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk + 256, 256), 256);
	tt_flush();
	expect_payload(0, false, 256, 256);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_SB_REF), 0);
	TT_ASSERT_NO_LEAK();
}

static CU_TestInfo cases[] = {
	{ "test_tcp_sbref_response_sent_in_place", test_tcp_sbref_response_sent_in_place },
	{ "test_tcp_sbref_frame_identical_to_copy", test_tcp_sbref_frame_identical_to_copy },
	{ "test_tcp_sbref_rexmit_while_first_still_held",
		test_tcp_sbref_rexmit_while_first_still_held },
	{ "test_tcp_sbref_ack_before_the_pmd_frees", test_tcp_sbref_ack_before_the_pmd_frees },
	{ "test_tcp_sbref_append_behind_held_frame", test_tcp_sbref_append_behind_held_frame },
	{ "test_tcp_sbref_only_payload_at_buffer_start",
		test_tcp_sbref_only_payload_at_buffer_start },
	{ "test_tcp_sbref_rexmit_from_buffer_without_headroom",
		test_tcp_sbref_rexmit_from_buffer_without_headroom },
	{ "test_tcp_sbref_rexmit_rest_of_head_in_place",
		test_tcp_sbref_rexmit_rest_of_head_in_place },
	{ "test_tcp_sbref_no_room_for_all_headers_copied",
		test_tcp_sbref_no_room_for_all_headers_copied },
	{ "test_tcp_sbref_falls_back_to_copy", test_tcp_sbref_falls_back_to_copy },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_sbref", sbref_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
