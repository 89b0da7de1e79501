/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sack.c: SACK (RFC 2018) both ways, frames in and out on a virtual clock.
 * Negotiation; our SACK blocks for the out-of-order queue (newest first, 4 blocks, 3
 * with timestamps) and D-SACKs (RFC 2883) for duplicates; the scoreboard and RFC 6675
 * recovery from the peer's blocks (a single loss, several holes in one round trip);
 * D-SACKs received; blocks beyond the sent data, below SND.UNA and malformed options
 * ignored and counted; a timeout resends the holes only, and SACKs after its go-back-N
 * keep the flight going; reneging (an ACK that ends at
 * a SACKed range forgets the scoreboard, and data goes again from SND.UNA). The peer
 * sends SYN 1000 <mss 1460, SACK-permitted>; our first byte is 8001, segments are
 * 1460 bytes.
 */
#include <string.h>

#include "tcp_test.h"

#define MSS 1460u
#define S(k) (8001u + (k) * MSS) /* first byte of our k-th segment */

static uint8_t bulk[40000];

/* RFC 6675 alone: RACK-TLP (a probe before the RTO, holes lost by time) is
 * test_tcp_rack.c's. */
static void
sack_setup(void)
{
	tt_setup();
	tt_conf.rack = false;
	tt_reinit();
}
static uint8_t pdata[2000];

/* Passive open with SACK-permitted from the peer (and timestamps when ts). */
static struct lr_tcp_conn *
sack_open(bool ts)
{
	uint8_t opt[20] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 1, 4, 2 };
	struct tt_out o;

	if (ts)
		tt_ts_opt(opt + 8, 100, 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_isn = 8000;
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, ts ? 20 : 8, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT(o.sack_ok);
	CU_ASSERT_EQUAL(o.has_ts, ts);
	lr_test_tx_clear();
	if (ts) {
		tt_ts_opt(opt, 101, o.tsval);
		tt_in(tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
	} else {
		tt_rx(1001, 8001, TT_ACK, NULL, 0);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	CU_ASSERT(tt_app.conn->cflags & TCP_CF_SACK);
	return tt_app.conn;
}

/* NOP NOP SACK with n blocks into opt; @return its length */
static uint8_t
sack_opt(uint8_t *opt, unsigned int n, const uint32_t (*blk)[2])
{
	unsigned int i, j;

	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 5;
	opt[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			uint8_t *e = opt + 4 + 8 * i + 4 * j;

			e[0] = (uint8_t)(blk[i][j] >> 24);
			e[1] = (uint8_t)(blk[i][j] >> 16);
			e[2] = (uint8_t)(blk[i][j] >> 8);
			e[3] = (uint8_t)blk[i][j];
		}
	return (uint8_t)(4 + 8 * n);
}

/* The peer acknowledges a with n SACK blocks (pure ACK, its default window). */
static void
ack_sack(uint32_t a, unsigned int n, const uint32_t (*blk)[2])
{
	uint8_t opt[40];

	tt_in(tt_seg(1001, a, TT_ACK, TT_PEER_WND, opt, sack_opt(opt, n, blk), NULL, 0));
}

/* Peer data [seq, seq + len) with its ACK of our 8001. */
static void
peer_data(uint32_t seq, uint16_t len)
{
	tt_rx(seq, 8001, TT_ACK, pdata, len);
}

/* Sent frame i is an ACK of a with these SACK blocks. */
static void
expect_blocks(unsigned int i, uint32_t a, int n, const uint32_t (*blk)[2])
{
	struct tt_out o;
	int k;

	CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
	CU_ASSERT_EQUAL(o.ack, a);
	CU_ASSERT_EQUAL(o.nsack, n);
	for (k = 0; k < n && k < o.nsack; k++) {
		CU_ASSERT_EQUAL(o.sack[k][0], blk[k][0]);
		CU_ASSERT_EQUAL(o.sack[k][1], blk[k][1]);
	}
}

/* Established with SACK, 30000 bytes queued, the initial window (10 segments) sent. */
static struct lr_tcp_conn *
sack_open_and_send(void)
{
	struct lr_tcp_conn *c = sack_open(false);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 30000), 30000);
	tt_flush();
	TT_EXPECT_COUNT(10);
	lr_test_tx_clear();
	return c;
}

/* ---- negotiation ---- */

/* Our SYN offers SACK; the peer's SYN,ACK without it leaves SACK off, so our ACKs
 * carry no blocks for out-of-order data. */
static void
test_tcp_sack_active_open_peer_without_sack(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT(o.sack_ok);
	lr_test_tx_clear();
	/* the seed's active open (no SACK-permitted in the SYN,ACK) */
	tt_our_port = o.sport;
	tt_peer_port = 80;
	tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK, TT_PEER_WND, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_FALSE(c->cflags & TCP_CF_SACK);
	lr_test_tx_clear();
	tt_rx(8101, 1001, TT_ACK, pdata, 100);
	TT_EXPECT_COUNT(1);
	expect_blocks(0, 8001, 0, NULL);
	TT_ASSERT_NO_LEAK();
}

/* A peer that did not offer SACK gets no blocks, and its blocks are ignored. */
static void
test_tcp_sack_passive_open_peer_without_sack(void)
{
	struct lr_tcp_conn *c;
	const uint32_t blk[1][2] = { { 8001 + 100, 8001 + 200 } };

	c = tt_passive_open();
	CU_ASSERT_FALSE(c->cflags & TCP_CF_SACK);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 300), 300);
	tt_flush();
	lr_test_tx_clear();
	peer_data(1101, 100);
	TT_EXPECT_COUNT(1);
	expect_blocks(0, 1001, 0, NULL);
	ack_sack(8001, 1, blk);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_UNUSED), 1);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	TT_ASSERT_NO_LEAK();
}

/* [tcp] sack = 0: neither SYN,ACK nor SYN offers it, and a peer's offer is declined. */
static void
test_tcp_sack_disabled_by_config(void)
{
	uint8_t opt[8] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 1, 4, 2 };
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.sack = false;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, 8, NULL, 0));
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT_FALSE(o.sack_ok);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->cflags & TCP_CF_SACK);
	peer_data(1101, 100);
	expect_blocks(0, 1001, 0, NULL);
	lr_test_tx_clear();
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 81, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN);
	CU_ASSERT_FALSE(o.sack_ok);
	TT_ASSERT_NO_LEAK();
}

/* ---- receiver: our blocks ---- */

/* One hole: the duplicate ACK carries the queued block. */
static void
test_tcp_sack_blocks_one_hole(void)
{
	const uint32_t b1[1][2] = { { 1201, 1301 } };

	sack_open(false);
	peer_data(1001, 100);
	lr_test_tx_clear();
	peer_data(1201, 100);
	TT_EXPECT_COUNT(1);
	expect_blocks(0, 1101, 1, b1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_BLOCKS_TX), 1);
	/* the hole fills: no block left */
	lr_test_tx_clear();
	peer_data(1101, 100);
	expect_blocks(0, 1301, 0, NULL);
	TT_ASSERT_NO_LEAK();
}

/* Three holes: the block that got data last comes first, then the others by how
 * recently data arrived in them (RFC 2018 §4). */
static void
test_tcp_sack_blocks_three_holes_newest_first(void)
{
	const uint32_t b3[3][2] = { { 1601, 1701 }, { 1401, 1501 }, { 1201, 1301 } };
	const uint32_t b3b[3][2] = { { 1401, 1551 }, { 1601, 1701 }, { 1201, 1301 } };

	sack_open(false);
	peer_data(1201, 100);
	peer_data(1401, 100);
	lr_test_tx_clear();
	peer_data(1601, 100);
	expect_blocks(0, 1001, 3, b3);
	lr_test_tx_clear();
	peer_data(1501, 50); /* extends the middle block: now the newest */
	expect_blocks(0, 1001, 3, b3b);
	TT_ASSERT_NO_LEAK();
}

/* Five holes: four blocks fit without timestamps, three with them (12 bytes of
 * timestamps + 4 + 3 * 8 = 40), newest first either way. */
static void
test_tcp_sack_blocks_five_holes_limits(void)
{
	const uint32_t b4[4][2] = { { 1901, 1951 }, { 1701, 1751 }, { 1501, 1551 },
		{ 1301, 1351 } };
	struct tt_out o;
	unsigned int k;

	sack_open(false);
	for (k = 0; k < 5; k++) {
		lr_test_tx_clear();
		peer_data(1101 + 200 * k, 50);
	}
	expect_blocks(0, 1001, 4, b4);
	TT_ASSERT_NO_LEAK();

	tt_setup();
	sack_open(true);
	for (k = 0; k < 5; k++) {
		uint8_t opt[12];

		lr_test_tx_clear();
		tt_ts_opt(opt, 200 + k, 0);
		tt_in(tt_seg(1101 + 200 * k, 8001, TT_ACK, TT_PEER_WND, opt, 12, pdata, 50));
	}
	expect_blocks(0, 1001, 3, b4);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT(o.has_ts);
	TT_ASSERT_NO_LEAK();
}

/* ---- D-SACK sent ---- */

/* A segment below RCV.NXT again: the ACK's first block is the duplicate. */
static void
test_tcp_sack_dsack_sent_for_old_duplicate(void)
{
	const uint32_t d[1][2] = { { 1001, 1101 } };

	sack_open(false);
	peer_data(1001, 100);
	lr_test_tx_clear();
	peer_data(1001, 100);
	TT_EXPECT_COUNT(1);
	expect_blocks(0, 1101, 1, d);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_TX), 1);
	/* reported once */
	lr_test_tx_clear();
	peer_data(1201, 100);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_TX), 1);
	TT_ASSERT_NO_LEAK();
}

/* Out-of-order data again: the D-SACK, then the block holding it (RFC 2883 §4.1.1). */
static void
test_tcp_sack_dsack_sent_for_queued_duplicate(void)
{
	const uint32_t d[3][2] = { { 1201, 1301 }, { 1201, 1301 }, { 1401, 1501 } };

	sack_open(false);
	peer_data(1201, 100);
	peer_data(1401, 100);
	lr_test_tx_clear();
	peer_data(1201, 100);
	TT_EXPECT_COUNT(1);
	expect_blocks(0, 1001, 3, d);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_TX), 1);
	TT_ASSERT_NO_LEAK();
}

/* ---- sender: recovery from the scoreboard ---- */

/* One loss: a single duplicate ACK SACKing three segments (more than DupThresh - 1
 * SMSS) starts recovery at once (RFC 6675 IsLost; NewReno would wait for two more);
 * the full ACK ends it and the scoreboard goes back. */
static void
test_tcp_sack_single_loss_recovered(void)
{
	const uint32_t b[1][2] = { { S(1), S(4) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(0), 1, b);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUPACK_RX), 1);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 5 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 5 * MSS);
	lr_test_tx_clear();
	tt_rx(1001, S(10), TT_ACK, NULL, 0);
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->sack_used, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* Segments 0, 3 and 6 of ten lost: all three holes are retransmitted as the
 * duplicate ACKs of one round trip arrive, within cwnd - pipe, with new data when
 * pipe leaves room; the ACKs of the retransmissions end recovery without a timeout
 * (NewReno repairs one hole per round trip). */
static void
test_tcp_sack_three_holes_one_round_trip(void)
{
	const uint32_t a1[1][2] = { { S(1), S(2) } }, a2[1][2] = { { S(1), S(3) } };
	const uint32_t a3[2][2] = { { S(4), S(5) }, { S(1), S(3) } };
	const uint32_t a4[2][2] = { { S(4), S(6) }, { S(1), S(3) } };
	const uint32_t a5[3][2] = { { S(7), S(8) }, { S(4), S(6) }, { S(1), S(3) } };
	const uint32_t a6[3][2] = { { S(7), S(9) }, { S(4), S(6) }, { S(1), S(3) } };
	const uint32_t a7[3][2] = { { S(7), S(10) }, { S(4), S(6) }, { S(1), S(3) } };
	const uint32_t r1[2][2] = { { S(4), S(6) }, { S(7), S(11) } };
	const uint32_t r2[1][2] = { { S(7), S(11) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(0), 1, a1);
	ack_sack(S(0), 1, a2);
	TT_EXPECT_COUNT(0);
	ack_sack(S(0), 2, a3); /* third duplicate: segment 0 again */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	ack_sack(S(0), 2, a4); /* pipe 6 > cwnd 5: nothing */
	TT_EXPECT_COUNT(1);
	ack_sack(S(0), 3, a5); /* segment 3 is lost now */
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_ACK, S(3), 1001, MSS);
	ack_sack(S(0), 3, a6); /* room for one new segment */
	TT_EXPECT_COUNT(3);
	TT_EXPECT(2, TT_ACK, S(10), 1001, MSS);
	ack_sack(S(0), 3, a7); /* segment 6 lost: again, then one new */
	TT_EXPECT_COUNT(5);
	TT_EXPECT(3, TT_ACK, S(6), 1001, MSS);
	TT_EXPECT(4, TT_ACK, S(11), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_REXMT), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	/* one round trip later: the retransmissions arrived */
	tt_advance_ms(10);
	lr_test_tx_clear();
	ack_sack(S(3), 2, r1);
	ack_sack(S(6), 1, r2);
	tt_rx(1001, S(12), TT_ACK, NULL, 0);
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 3);
	TT_ASSERT_NO_LEAK();
}

/*
 * A partial ACK with nothing SACKed above SND.UNA: the head goes again, and counts
 * once in pipe (Linux: lost, then retransmitted), not twice as RFC 6675's IsLost alone
 * would count it (its original still in flight): cwnd 3 segments with the head's
 * retransmission and one new segment out leaves room for one more. Counted twice,
 * nothing more would go, and a Linux receiver, given one in-order segment, delays its
 * ACK (the 40 ms stalls of echo at 1-2 % loss).
 */
static void
test_tcp_sack_partial_ack_head_rexmit_counts_once(void)
{
	const uint32_t b[1][2] = { { S(1), S(5) } };
	struct lr_tcp_conn *c = sack_open(false);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 6 * MSS), 6 * MSS);
	tt_flush();
	TT_EXPECT_COUNT(6);
	lr_test_tx_clear();
	/* segments 0 and 5 lost: 1-4 SACKed, recovery, 0 again */
	ack_sack(S(0), 1, b);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 3 * MSS);
	CU_ASSERT_EQUAL(tcp_sack_pipe(c), 2 * MSS); /* 0's retransmission, 5 */
	/* more to send: one segment fits */
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10 * MSS), 10 * MSS);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(6), 1001, MSS);
	/* 0's retransmission arrived (a partial ACK): 5 again, and S(7) */
	lr_test_tx_clear();
	tt_rx(1001, S(5), TT_ACK, NULL, 0);
	CU_ASSERT(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PARTIAL_ACK), 1);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(5), 1001, MSS);
	TT_EXPECT(1, TT_ACK, S(7), 1001, MSS);
	CU_ASSERT_EQUAL(tcp_sack_pipe(c), 3 * MSS);
	/* the rest arrived: recovery ends, no timeout */
	lr_test_tx_clear();
	tt_rx(1001, S(8), TT_ACK, NULL, 0);
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* A peer that filled our window and lost some of it sends its ACKs at the window's
 * right edge (SEQ = RCV.NXT + RCV.WND): acceptable, as Linux and FreeBSD take them,
 * so their SACK blocks start recovery; one beyond the edge is not. */
static void
test_tcp_sack_ack_at_window_edge_accepted(void)
{
	const uint32_t b[1][2] = { { S(1), S(4) } };
	struct lr_tcp_conn *c = sack_open_and_send();
	uint32_t edge = c->rcv_adv;
	uint8_t opt[40];

	tt_in(tt_seg(edge + 1, S(0), TT_ACK, TT_PEER_WND, opt, sack_opt(opt, 1, b), NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_SEQ), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 0);
	lr_test_tx_clear();
	tt_in(tt_seg(edge, S(0), TT_ACK, TT_PEER_WND, opt, sack_opt(opt, 1, b), NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_SEQ), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	TT_ASSERT_NO_LEAK();
}

/* ---- the peer's blocks: D-SACK, bogus and malformed ---- */

/* A first block below the cumulative ACK, or inside the second, is a D-SACK: counted,
 * not put on the scoreboard. */
static void
test_tcp_sack_dsack_received(void)
{
	const uint32_t d1[1][2] = { { S(0), S(1) } };
	const uint32_t d2[2][2] = { { S(4), S(5) }, { S(3), S(6) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(2), 1, d1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_OLD), 0);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	ack_sack(S(2), 2, d2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), 2);
	CU_ASSERT_NOT_EQUAL_FATAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tcp_sack_board(c)->n, 1);
	CU_ASSERT_EQUAL(tcp_sack_board(c)->r[0].start, S(3));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_BLOCKS_RX), 3);
	TT_ASSERT_NO_LEAK();
}

/* Blocks beyond SND.MAX, below SND.UNA (not first), or empty are ignored, counted by
 * reason; they start no recovery and take no scoreboard. */
static void
test_tcp_sack_bogus_blocks_ignored(void)
{
	const uint32_t beyond[1][2] = { { S(20), S(24) } };
	const uint32_t straddle[1][2] = { { S(8), S(11) } };
	const uint32_t old[2][2] = { { S(5), S(6) }, { S(0), S(1) } };
	const uint32_t empty[1][2] = { { S(7), S(7) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(0), 1, beyond);
	ack_sack(S(0), 1, beyond);
	ack_sack(S(0), 1, straddle);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_BEYOND), 4 - 1);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 0);
	lr_test_tx_clear();
	ack_sack(S(2), 2, old);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_OLD), 1);
	ack_sack(S(2), 1, empty);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_INVALID), 1);
	CU_ASSERT_NOT_EQUAL_FATAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tcp_sack_board(c)->n, 1); /* [S(5), S(6)) only */
	CU_ASSERT_EQUAL(tcp_sack_board(c)->r[0].end, S(6));
	TT_ASSERT_NO_LEAK();
}

/* SACK options of a length other than 2 + 8n (n 1..4) are ignored and counted; the
 * rest of the segment (its ACK, the options after) is processed. */
static void
test_tcp_sack_malformed_options_ignored(void)
{
	/* kind 5 length 12 (one block and two bytes), then timestamps */
	uint8_t o1[24] = { 5, 12, 0, 0, S(2) >> 8, S(2) & 0xff, 0, 0, S(3) >> 8, S(3) & 0xff };
	uint8_t o2[4] = { 5, 2, 1, 1 };                 /* no block */
	uint8_t o3[40] = { 5, 34 + 8 };                 /* five blocks: past the list */
	uint8_t o4[40] = { 1, 1, 5, 34 };               /* four blocks is the most */
	struct lr_tcp_conn *c = sack_open_and_send();

	tt_ts_opt(o1 + 12, 300, 0);
	tt_in(tt_seg(1001, S(1), TT_ACK, TT_PEER_WND, o1, 24, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_MALFORMED), 1);
	CU_ASSERT_EQUAL(c->snd_una, S(1));
	CU_ASSERT_EQUAL(c->sack_board, 0);
	tt_in(tt_seg(1001, S(1), TT_ACK, TT_PEER_WND, o2, 4, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_MALFORMED), 2);
	tt_in(tt_seg(1001, S(1), TT_ACK, TT_PEER_WND, o3, 40, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 1);
	/* four zero blocks: well formed, each block empty */
	tt_in(tt_seg(1001, S(1), TT_ACK, TT_PEER_WND, o4, 36, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_MALFORMED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_IGN_INVALID), 4);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 0);
	TT_ASSERT_NO_LEAK();
}

/* Reneging (RFC 2018 §8): SACKed data stays in the send buffer; the peer stops
 * SACKing it and never acknowledges; the timeout retransmits from SND.UNA, and the
 * ACK that ends at the SACKed range forgets the scoreboard: the once-SACKed
 * segments go again. */
static void
test_tcp_sack_reneging_from_snd_una(void)
{
	const uint32_t b[1][2] = { { S(2), S(4) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(1), 1, b);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(c->sb_len, 30000 - MSS); /* SACKed bytes still held */
	tt_rx(1001, S(1), TT_ACK, NULL, 0);      /* no SACK any more */
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_init_ms);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0); /* kept (RFC 6675 §5.1) */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(1), 1001, MSS);
	lr_test_tx_clear();
	tt_rx(1001, S(2), TT_ACK, NULL, 0); /* ends at the SACKed S(2): reneged */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RENEGED), 1);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->sack_used, 0);
	/* slow start from one segment: the reneged S(2) and S(3) go again */
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(2), 1001, MSS);
	TT_EXPECT(1, TT_ACK, S(3), 1001, MSS);
	TT_ASSERT_NO_LEAK();
}

/* Holes at segments 0 and 2 of ten, the rest SACKed, the retransmissions lost: the
 * timeout keeps the scoreboard (RFC 6675 §5.1, Linux tcp_enter_loss), so the
 * go-back-N resends the holes only; SACKed data is neither resent nor counted in
 * flight, so new data follows the second hole. */
static void
test_tcp_sack_rto_resends_holes_only(void)
{
	const uint32_t b[2][2] = { { S(3), S(10) }, { S(1), S(2) } };
	const uint32_t b2[1][2] = { { S(3), S(10) } };
	struct lr_tcp_conn *c = sack_open_and_send();
	unsigned int i, n;
	struct tt_out o;

	ack_sack(S(0), 2, b); /* recovery: the holes go, and are lost */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_init_ms);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0);
	TT_EXPECT_COUNT(1); /* cwnd 1 SMSS */
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	lr_test_tx_clear();
	ack_sack(S(2), 1, b2); /* segment 0 arrived; segment 2 is the hole */
	n = lr_test_tx_count();
	CU_ASSERT(n >= 2);
	TT_EXPECT(0, TT_ACK, S(2), 1001, MSS);
	for (i = 1; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
		CU_ASSERT(SEQ_GEQ(o.seq, S(10))); /* SACKed 3..9 are not sent again */
	}
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RTO_SACK_SKIPPED), 7 * MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RENEGED), 0);
	lr_test_tx_clear();
	tt_rx(1001, c->snd_max, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->sack_used, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_ASSERT_NO_LEAK();
}

/* Ten segments sent, nothing answered: the timeout resends segment 0, its ACK SACKs
 * 3-9 and segments 1 and 2 go again (cwnd 2 SMSS); 2 is lost again, and the ACK of 1
 * lets the go-back-N skip to SND.MAX and send the new segments 10 and 11 (cwnd 3). Their
 * SACK lets two more go: SACKed data still does not count in flight. Counted from
 * SND.UNA once the go-back-N has reached SND.MAX, cwnd would hold the SACKed segments
 * and the flight would dry up until the next timeout. */
static void
test_tcp_sack_rto_sacks_after_go_back_n_keep_flight(void)
{
	const uint32_t b1[1][2] = { { S(3), S(10) } };
	const uint32_t b2[1][2] = { { S(3), S(12) } };
	struct lr_tcp_conn *c = sack_open(false);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 14 * MSS), (int)(14 * MSS));
	tt_flush();
	TT_EXPECT_COUNT(10);
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_init_ms);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	lr_test_tx_clear();
	ack_sack(S(1), 1, b1);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(1), 1001, MSS);
	TT_EXPECT(1, TT_ACK, S(2), 1001, MSS); /* lost again */
	lr_test_tx_clear();
	ack_sack(S(2), 1, b1);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(10), 1001, MSS);
	TT_EXPECT(1, TT_ACK, S(11), 1001, MSS);
	CU_ASSERT_EQUAL(c->snd_nxt, S(12));
	CU_ASSERT_EQUAL(c->snd_max, S(12));
	lr_test_tx_clear();
	ack_sack(S(2), 1, b2);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(12), 1001, MSS);
	TT_EXPECT(1, TT_ACK | TT_PSH, S(13), 1001, MSS); /* the last byte */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_ASSERT_NO_LEAK();
}

/* With timestamps, a duplicate ACK echoes the TSval of the last segment that
 * advanced the peer's RCV.NXT (RFC 7323 §4.2 (B)), old while the hole is open: no
 * RTT sample from it (RTTM: only ACKs that advance SND.UNA), so SRTT is not
 * inflated. The ACK of the retransmission echoes it ((C)): a fresh sample. */
static void
test_tcp_sack_dupack_tsecr_no_rtt_sample(void)
{
	const uint32_t b[1][2] = { { S(1), S(4) } };
	struct lr_tcp_conn *c = sack_open(true);
	uint32_t srtt0, ts_old;
	uint8_t opt[40], n;
	struct tt_out o;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 30000), 30000);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	ts_old = o.tsval;
	lr_test_tx_clear();
	srtt0 = c->srtt_us;
	tt_advance_ms(150); /* below the RTO */
	tt_ts_opt(opt, 102, ts_old);
	n = (uint8_t)(12 + sack_opt(opt + 12, 1, b));
	tt_in(tt_seg(1001, S(0), TT_ACK, TT_PEER_WND, opt, n, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	CU_ASSERT_EQUAL(c->srtt_us, srtt0); /* 150 ms old TSecr: not a sample */
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.seq, S(0));
	tt_advance_ms(1);
	tt_ts_opt(opt, 103, o.tsval);
	tt_in(tt_seg(1001, S(4), TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
	CU_ASSERT(c->srtt_us <= srtt0 + 1000); /* 1 ms: the retransmission's RTT */
	TT_ASSERT_NO_LEAK();
}

/* The scoreboards are bounded: when none is free, the connection recovers as NewReno
 * (three duplicate ACKs) and the failure is counted. */
static void
test_tcp_sack_no_board_falls_back_to_newreno(void)
{
	const uint32_t b[1][2] = { { S(1), S(4) } };
	struct lr_tcp_shard *sh;
	struct lr_tcp_conn *c = sack_open_and_send();

	sh = lr_tw->tcp;
	sh->sack_free = 0; /* every board taken */
	ack_sack(S(0), 1, b);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_BOARD_NOMEM), 1);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	TT_EXPECT_COUNT(0);
	ack_sack(S(0), 1, b);
	ack_sack(S(0), 1, b);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 0);
	CU_ASSERT_EQUAL(tt_info().cwnd, 8 * MSS); /* NewReno: ssthresh + 3 SMSS */
	sh->sack_free = 1;
	TT_ASSERT_NO_LEAK();
}

/* Segment 0 only late (reordered): recovery retransmits it, the full ACK ends the
 * recovery, then the peer's D-SACK for the retransmission shows it was not needed:
 * cwnd and ssthresh come back (tcp.undo), once. */
static void
test_tcp_sack_spurious_recovery_undone(void)
{
	const uint32_t b[1][2] = { { S(1), S(4) } };
	const uint32_t d[1][2] = { { S(0), S(1) } };
	struct lr_tcp_conn *c = sack_open_and_send();

	ack_sack(S(0), 1, b);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 1);
	CU_ASSERT_EQUAL(tt_info().cwnd, 5 * MSS);
	tt_rx(1001, S(10), TT_ACK, NULL, 0); /* the original arrived: full ACK */
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_UNDO), 0);
	CU_ASSERT(tt_info().cwnd <= 5 * MSS);
	ack_sack(S(10), 1, d); /* then the retransmission: a duplicate */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_UNDO), 1);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, UINT32_MAX);
	ack_sack(S(10), 1, d);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_UNDO), 1);
	TT_ASSERT_NO_LEAK();
}

/* Segments 0 and 4 retransmitted: a D-SACK for the first only undoes nothing (the
 * other may have repaired a loss); the second's D-SACK then does. */
static void
test_tcp_sack_recovery_undone_once_all_dsacked(void)
{
	const uint32_t b[2][2] = { { S(5), S(8) }, { S(1), S(4) } };
	const uint32_t d0[1][2] = { { S(0), S(1) } }, d4[1][2] = { { S(4), S(5) } };
	struct lr_tcp_conn *c = sack_open_and_send();
	uint32_t ssthresh;

	ack_sack(S(0), 2, b);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SACK_RECOVERY), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 2); /* segments 0 and 4 */
	ssthresh = tt_info().ssthresh;
	tt_rx(1001, S(10), TT_ACK, NULL, 0);
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	ack_sack(S(10), 1, d0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_UNDO), 0);
	CU_ASSERT_EQUAL(tt_info().ssthresh, ssthresh);
	ack_sack(S(10), 1, d4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_UNDO), 1);
	CU_ASSERT_EQUAL(tt_info().ssthresh, UINT32_MAX);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_sack_active_open_peer_without_sack",
		test_tcp_sack_active_open_peer_without_sack },
	{ "test_tcp_sack_passive_open_peer_without_sack",
		test_tcp_sack_passive_open_peer_without_sack },
	{ "test_tcp_sack_disabled_by_config", test_tcp_sack_disabled_by_config },
	{ "test_tcp_sack_blocks_one_hole", test_tcp_sack_blocks_one_hole },
	{ "test_tcp_sack_blocks_three_holes_newest_first",
		test_tcp_sack_blocks_three_holes_newest_first },
	{ "test_tcp_sack_blocks_five_holes_limits", test_tcp_sack_blocks_five_holes_limits },
	{ "test_tcp_sack_dsack_sent_for_old_duplicate",
		test_tcp_sack_dsack_sent_for_old_duplicate },
	{ "test_tcp_sack_dsack_sent_for_queued_duplicate",
		test_tcp_sack_dsack_sent_for_queued_duplicate },
	{ "test_tcp_sack_single_loss_recovered", test_tcp_sack_single_loss_recovered },
	{ "test_tcp_sack_three_holes_one_round_trip", test_tcp_sack_three_holes_one_round_trip },
	{ "test_tcp_sack_partial_ack_head_rexmit_counts_once",
		test_tcp_sack_partial_ack_head_rexmit_counts_once },
	{ "test_tcp_sack_ack_at_window_edge_accepted",
		test_tcp_sack_ack_at_window_edge_accepted },
	{ "test_tcp_sack_dsack_received", test_tcp_sack_dsack_received },
	{ "test_tcp_sack_bogus_blocks_ignored", test_tcp_sack_bogus_blocks_ignored },
	{ "test_tcp_sack_malformed_options_ignored", test_tcp_sack_malformed_options_ignored },
	{ "test_tcp_sack_reneging_from_snd_una", test_tcp_sack_reneging_from_snd_una },
	{ "test_tcp_sack_rto_resends_holes_only", test_tcp_sack_rto_resends_holes_only },
	{ "test_tcp_sack_rto_sacks_after_go_back_n_keep_flight",
		test_tcp_sack_rto_sacks_after_go_back_n_keep_flight },
	{ "test_tcp_sack_dupack_tsecr_no_rtt_sample", test_tcp_sack_dupack_tsecr_no_rtt_sample },
	{ "test_tcp_sack_no_board_falls_back_to_newreno",
		test_tcp_sack_no_board_falls_back_to_newreno },
	{ "test_tcp_sack_spurious_recovery_undone", test_tcp_sack_spurious_recovery_undone },
	{ "test_tcp_sack_recovery_undone_once_all_dsacked",
		test_tcp_sack_recovery_undone_once_all_dsacked },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_sack", sack_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
