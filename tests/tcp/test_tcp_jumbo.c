/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Jumbo frames through lib/tcp (issue #12): at MTU 9000 a full-sized segment is
 * received as a chain of buffers (checksum over all of them, payload delivered and
 * echoed whole) and sent as one (segments of MSS 8960 built across buffers of the
 * worker's pool, checksum over the chain, DF set); at MTU 1500 nothing is chained.
 */
#include <string.h>

#include "tcp_test.h"

#define JUMBO_MTU 9000
#define JUMBO_MSS (JUMBO_MTU - 40)

static uint8_t bulk[3 * JUMBO_MSS];

static void
fill_bulk(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)(i * 7 + (i >> 10));
}

/* Passive open on an interface of MTU mtu, the peer announcing MSS peer_mss (no
 * timestamps: its full-sized segments carry peer_mss bytes). */
static struct lr_tcp_conn *
open_at_mtu(uint16_t mtu, uint16_t peer_mss)
{
	struct tt_out o;

	fill_bulk();
	lr_ifaces[0].mtu = mtu;
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, peer_mss);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.mss, mtu - 40);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	return tt_app.conn;
}

static void
close_jumbo(void)
{
	lr_ifaces[0].mtu = 1500;
	TT_ASSERT_NO_LEAK();
}

/* Frame i sent: a chain (when chained) of one 9000-byte datagram with DF, carrying
 * len bytes of bulk from offset off with good checksums. */
static void
expect_data_frame(unsigned int i, bool chained, uint32_t seq, uint32_t off, uint32_t len)
{
	struct rte_mbuf *m = lr_test_tx_get(i);
	struct lr_test_parsed p;
	struct tt_out o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->nb_segs > 1, chained);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), RTE_ETHER_HDR_LEN + 40 + len);
	CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
	CU_ASSERT_EQUAL(o.seq, seq);
	CU_ASSERT_EQUAL_FATAL(o.len, len);
	CU_ASSERT_EQUAL(memcmp(o.payload, bulk + off, len), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, &p), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 40 + len);
	CU_ASSERT(rte_be_to_cpu_16(p.ip->fragment_offset) & RTE_IPV4_HDR_DF_FLAG);
}

/* A full-sized 8960-byte segment arrives as a chain of buffers: delivered whole
 * and acknowledged. */
static void
test_tcp_jumbo_chained_segment_in_delivered_and_acked(void)
{
	struct rte_mbuf *m;

	open_at_mtu(JUMBO_MTU, JUMBO_MSS);
	m = tt_seg(1001, 8001, TT_ACK | TT_PSH, TT_PEER_WND, NULL, 0, bulk, JUMBO_MSS);
	CU_ASSERT(m->nb_segs >= 5);
	tt_in(m);
	CU_ASSERT_EQUAL(tt_app.data_len, JUMBO_MSS);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, bulk, sizeof(tt_app.data)), 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001 + JUMBO_MSS, 0);
	close_jumbo();
}

/* Echo of a chained 8960-byte segment: every byte, the last buffer's included,
 * comes back in one 8960-byte segment built as a chain. */
static void
test_tcp_jumbo_chained_segment_echoed_whole(void)
{
	open_at_mtu(JUMBO_MTU, JUMBO_MSS);
	tt_app.echo = true;
	tt_rx(1001, 8001, TT_ACK | TT_PSH, bulk, JUMBO_MSS);
	TT_EXPECT_COUNT(1);
	expect_data_frame(0, true, 8001, 0, JUMBO_MSS); /* first: parsing flattens it */
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001 + JUMBO_MSS, JUMBO_MSS);
	close_jumbo();
}

/* A byte changed in the last buffer of a chained segment: the checksum covers the
 * chain, the segment is dropped and counted, nothing delivered. */
static void
test_tcp_jumbo_chained_bad_checksum_in_last_segment_dropped(void)
{
	struct rte_mbuf *m, *last;

	open_at_mtu(JUMBO_MTU, JUMBO_MSS);
	m = tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, NULL, 0, bulk, JUMBO_MSS);
	last = rte_pktmbuf_lastseg(m);
	CU_ASSERT_PTR_NOT_EQUAL_FATAL(last, m);
	*rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len / 2) ^= 0x80;
	tt_in(m);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	TT_EXPECT_COUNT(0);
	close_jumbo();
}

/* Data sent at MTU 9000 to a peer of MSS 8960 leaves in 8960-byte segments (the
 * initial window holds two), each a 9000-byte datagram over several buffers; the
 * third follows the ACK. */
static void
test_tcp_jumbo_segments_out_at_mss_8960(void)
{
	struct lr_tcp_conn *c = open_at_mtu(JUMBO_MTU, JUMBO_MSS);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, sizeof(bulk)), sizeof(bulk));
	tt_flush();
	TT_EXPECT_COUNT(2);
	expect_data_frame(0, true, 8001, 0, JUMBO_MSS);
	expect_data_frame(1, true, 8001 + JUMBO_MSS, JUMBO_MSS, JUMBO_MSS);
	lr_test_tx_clear();
	tt_rx(1001, 8001 + 2 * JUMBO_MSS, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	expect_data_frame(0, true, 8001 + 2 * JUMBO_MSS, 2 * JUMBO_MSS, JUMBO_MSS);
	close_jumbo();
}

/* At MTU 1500 the same peer gets 1460-byte segments, each in one buffer. */
static void
test_tcp_mtu_1500_segments_not_chained(void)
{
	struct lr_tcp_conn *c = open_at_mtu(1500, JUMBO_MSS);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 2 * 1460), 2 * 1460);
	tt_flush();
	TT_EXPECT_COUNT(2);
	expect_data_frame(0, false, 8001, 0, 1460);
	expect_data_frame(1, false, 8001 + 1460, 1460, 1460);
	close_jumbo();
}

static const CU_TestInfo cases[] = {
	{"test_tcp_jumbo_chained_segment_in_delivered_and_acked",
		test_tcp_jumbo_chained_segment_in_delivered_and_acked},
	{"test_tcp_jumbo_chained_segment_echoed_whole", test_tcp_jumbo_chained_segment_echoed_whole},
	{"test_tcp_jumbo_chained_bad_checksum_in_last_segment_dropped",
		test_tcp_jumbo_chained_bad_checksum_in_last_segment_dropped},
	{"test_tcp_jumbo_segments_out_at_mss_8960", test_tcp_jumbo_segments_out_at_mss_8960},
	{"test_tcp_mtu_1500_segments_not_chained", test_tcp_mtu_1500_segments_not_chained},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"tcp_jumbo", tt_setup, tt_teardown, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
