/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_rack.c: RACK-TLP (RFC 8985), frames in and out on a virtual clock. A lost tail
 * segment is probed at 2 * SRTT, not at the RTO, and repaired; a probe sends new data
 * when the peer's window allows; with everything lost the RTO still fires (after the
 * probe, at rto_min_ms, then backed off); without SACK, or with [tcp] rack = no, no
 * probe. RACK: a lost retransmission is found reo_wnd (SRTT / 4) after data sent
 * after it is SACKed and goes again without an RTO; a two-segment tail loss is repaired
 * by the probe and RACK; reordering within reo_wnd and lost ACKs retransmit nothing;
 * a retransmission of the go-back-N after a timeout lost again is found by RACK, not by
 * a second timeout.
 * TLP loss detection (§7.4): a probe that repaired a loss is counted and reduces
 * cwnd; one whose original arrived too (D-SACK, duplicate ACK) changes nothing.
 * The peer sends SYN 1000 <mss 1460, SACK-permitted>; our first byte is 8001,
 * segments are 1460 bytes; the RTT is 10 ms.
 */
#include <string.h>

#include "tcp_test.h"

#define MSS 1460u
#define S(k) (8001u + (k) * MSS) /* first byte of our k-th segment */
#define RTT_MS 10u

static uint8_t bulk[40000];

/* Passive open with SACK-permitted from the peer (none when !sack). */
static struct lr_tcp_conn *
rack_open(bool sack)
{
	uint8_t opt[8] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 1, 4, 2 };

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_isn = 8000;
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, sack ? 8 : 4, NULL, 0));
	TT_EXPECT_COUNT(1);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS); /* the handshake's RTT sample: SRTT 10 ms */
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(!!(tt_app.conn->cflags & TCP_CF_SACK), sack);
	return tt_app.conn;
}

/* NOP NOP SACK with n blocks into opt; @return its length */
static uint8_t
sack_opt(uint8_t *opt, unsigned int n, const uint32_t (*blk)[2])
{
	unsigned int i, j, k;

	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 5;
	opt[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < 4; k++)
				opt[4 + 8 * i + 4 * j + k] = (uint8_t)(blk[i][j] >> (24 - 8 * k));
	return (uint8_t)(4 + 8 * n);
}

/* The peer acknowledges a with n SACK blocks. */
static void
ack_sack(uint32_t a, unsigned int n, const uint32_t (*blk)[2])
{
	uint8_t opt[40];

	tt_in(tt_seg(1001, a, TT_ACK, TT_PEER_WND, opt, sack_opt(opt, n, blk), NULL, 0));
}

/* Open, queue nseg segments (all sent: the initial window is 10), and one RTT later
 * the peer acknowledges the first nack of them: SRTT = 10 ms. */
static struct lr_tcp_conn *
open_send_ack(bool sack, unsigned int nseg, unsigned int nack)
{
	struct lr_tcp_conn *c = rack_open(sack);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, nseg * MSS), (int)(nseg * MSS));
	tt_flush();
	TT_EXPECT_COUNT(nseg);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(nack), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->srtt_us, RTT_MS * 1000);
	TT_EXPECT_COUNT(0);
	return c;
}

/* Segment 5 of 6 lost at the tail (its predecessor's ACK delayed or lost too): the
 * probe resends it 2 * SRTT after the last ACK, not at the RTO (200 ms); the peer's
 * ACK of it ends the flight without a timeout. */
static void
test_tcp_rack_tlp_tail_loss_probed_at_2srtt(void)
{
	struct lr_tcp_conn *c = open_send_ack(true, 6, 4);

	tt_advance_ms(2 * RTT_MS - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(5), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_NEW_DATA), 0);
	CU_ASSERT(c->cflags & TCP_CF_TLP_SENT);
	/* the RTO is armed again behind the probe: no second probe in this flight */
	CU_ASSERT_FALSE(c->cflags & TCP_CF_REXMT_ALT);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_REXMT), lr_tw->now_us + c->rto_us);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(6), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->snd_una, S(6));
	CU_ASSERT_EQUAL(c->timer[TCP_T_REXMT], 0);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 1);
	TT_ASSERT_NO_LEAK();
}

/* One segment in flight: PTO = 2 * SRTT + the worst-case delayed ACK (200 ms), at
 * most what is left of the RTO (rto_min_ms 300 here): the probe goes at the RTO's
 * time, and the RTO is armed behind it. */
static void
test_tcp_rack_tlp_one_segment_waits_for_delayed_ack(void)
{
	struct lr_tcp_conn *c;

	tt_conf.rto_min_ms = 300;
	tt_conf.rto_init_ms = 1000;
	tt_reinit();
	c = open_send_ack(true, 3, 2);
	CU_ASSERT_EQUAL(c->rto_us, 300000);
	CU_ASSERT(c->cflags & TCP_CF_REXMT_ALT);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_REXMT), lr_tw->now_us + 220000);
	tt_advance_ms(219);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(2), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* Data the congestion window holds back but the peer's window allows: the probe is
 * two new full-sized segments (RFC 8985 §7.3 sends one; two draw the receiver's ACK at
 * once), SND.NXT moves past them; the third stays behind cwnd. With one short segment
 * left, the probe is that segment alone. */
static void
test_tcp_rack_tlp_sends_new_data(void)
{
	struct lr_tcp_conn *c = open_send_ack(true, 10, 8);
	uint32_t nxt;

	c->cwnd = 2 * MSS; /* three more segments held back by cwnd */
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 3 * MSS), (int)(3 * MSS));
	tt_flush();
	TT_EXPECT_COUNT(0);
	nxt = c->snd_nxt;
	CU_ASSERT_EQUAL(nxt, S(10));
	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(10), 1001, MSS);
	TT_EXPECT(1, TT_ACK, S(11), 1001, MSS);
	CU_ASSERT_EQUAL(c->snd_nxt, S(12));
	CU_ASSERT_EQUAL(c->snd_max, S(12));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_NEW_DATA), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 0);
	TT_ASSERT_NO_LEAK();

	tt_setup();
	c = open_send_ack(true, 10, 8);
	c->cwnd = 2 * MSS;
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	TT_EXPECT_COUNT(0);
	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, S(10), 1001, 100);
	CU_ASSERT_EQUAL(c->snd_nxt, S(10) + 100);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_NEW_DATA), 1);
	TT_ASSERT_NO_LEAK();
}

/* Everything lost, ACKs too: one probe at 2 * SRTT, then the RTO at rto_min_ms after
 * it, then doubled (the probe does not repeat while the flight is unanswered). */
static void
test_tcp_rack_rto_last_resort_after_probe(void)
{
	struct lr_tcp_conn *c;
	uint32_t rto_ms;

	tt_conf.rto_min_ms = 250;
	tt_reinit();
	c = open_send_ack(true, 6, 2);
	rto_ms = tt_conf.rto_min_ms;
	CU_ASSERT_EQUAL(c->rto_us, rto_ms * 1000);
	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(5), 1001, MSS);
	lr_test_tx_clear();
	tt_advance_ms(rto_ms - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(2), 1001, MSS);
	lr_test_tx_clear();
	tt_advance_ms(2 * rto_ms - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 2);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(2), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 1);
	TT_ASSERT_NO_LEAK();
}

/* No probe without SACK, nor with [tcp] rack = no: the RTO alone. */
static void
test_tcp_rack_tlp_off_without_sack_or_by_config(void)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		if (k == 1) {
			tt_setup();
			tt_conf.rack = false;
			tt_reinit();
		}
		open_send_ack(k == 1, 6, 4);
		tt_advance_ms(tt_conf.rto_min_ms - 1);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
		TT_EXPECT_COUNT(1);
		TT_EXPECT(0, TT_ACK, S(4), 1001, MSS);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 0);
		TT_ASSERT_NO_LEAK();
	}
}

/* ---- RACK ---- */

/* Open (SRTT 10 ms: reo_wnd 2.5 ms) and send nseg segments, 10 at once. */
static struct lr_tcp_conn *
open_send(unsigned int nseg)
{
	struct lr_tcp_conn *c = rack_open(true);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, nseg * MSS), (int)(nseg * MSS));
	tt_flush();
	TT_EXPECT_COUNT(RTE_MIN(nseg, 10u));
	CU_ASSERT_EQUAL(c->srtt_us, RTT_MS * 1000);
	CU_ASSERT_EQUAL(tcp_rack_reo_wnd(c), RTT_MS * 1000 / 4);
	lr_test_tx_clear();
	return c;
}

/* Segment 0 is lost, and so is its retransmission. The new data sent after the
 * retransmission is SACKed at 30 ms: reo_wnd later (32.5 ms, the 33 ms jiffy) RACK
 * finds the retransmission lost and sends it again, with the segments below that
 * SACK (8 and 9); no RTO (NewReno or RFC 6675 alone wait for it). */
static void
test_tcp_rack_lost_retransmission_without_rto(void)
{
	const uint32_t a1[1][2] = { { S(1), S(4) } }, a2[1][2] = { { S(1), S(8) } };
	const uint32_t a3[2][2] = { { S(10), S(12) }, { S(1), S(8) } };
	struct lr_tcp_conn *c = open_send(14);

	tt_advance_ms(RTT_MS);
	ack_sack(S(0), 1, a1); /* IsLost(S(0)): recovery, segment 0 again */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	ack_sack(S(0), 1, a2); /* cwnd - pipe: two new segments */
	TT_EXPECT_COUNT(3);
	TT_EXPECT(1, TT_ACK, S(10), 1001, MSS);
	TT_EXPECT(2, TT_ACK, S(11), 1001, MSS);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	ack_sack(S(0), 2, a3); /* sent after the retransmission, delivered before it */
	TT_EXPECT(0, TT_ACK, S(12), 1001, MSS);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RACK_LOST), 0);
	tt_advance_ms(2);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	CU_ASSERT(lr_test_tx_count() >= 1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	CU_ASSERT(tt_stat(LR_TCP_STAT_RACK_LOST) >= 1);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(14), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->snd_una, S(14));
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* The last two of six segments lost: the probe resends segment 5 at 2 * SRTT, its
 * SACK arrives a round trip later, and reo_wnd after that RACK finds segment 4 lost:
 * recovery resends it; the RTO never fires. */
static void
test_tcp_rack_tail_loss_two_segments_probe_then_rack(void)
{
	const uint32_t b[1][2] = { { S(5), S(6) } };
	struct lr_tcp_conn *c = open_send_ack(true, 6, 4);

	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(5), 1001, MSS);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	ack_sack(S(4), 1, b);
	TT_EXPECT_COUNT(0); /* one SACKed segment: not IsLost, RACK waits reo_wnd */
	tt_advance_ms(2);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(4), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RACK_LOST), 1);
	CU_ASSERT(c->flags & TCP_F_RECOVERY);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(6), TT_ACK, NULL, 0);
	CU_ASSERT_FALSE(c->flags & TCP_F_RECOVERY);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* Segment 0 arrives 1 ms after segment 1 (within reo_wnd, 2.5 ms): the SACK of
 * segment 1 retransmits nothing, and the cumulative ACK ends it. */
static void
test_tcp_rack_reordering_within_window_no_rexmit(void)
{
	const uint32_t b[1][2] = { { S(1), S(2) } };
	struct lr_tcp_conn *c = open_send(10);

	tt_advance_ms(RTT_MS);
	ack_sack(S(0), 1, b);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0);
	tt_advance_ms(1);
	tt_rx(1001, S(2), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->sack_board, 0);
	tt_advance_ms(5);
	tt_rx(1001, S(10), TT_ACK, NULL, 0);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RACK_LOST), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 0);
	TT_ASSERT_NO_LEAK();
}

/* The ACKs of segments 4, 6 and 8 lost: the ACK of all ten, 15 ms after the one of
 * segments 0-1 (before the 20 ms PTO), finds nothing retransmitted. */
static void
test_tcp_rack_ack_loss_no_rexmit(void)
{
	struct lr_tcp_conn *c = open_send_ack(true, 10, 2);

	tt_advance_ms(15);
	TT_EXPECT_COUNT(0);
	tt_rx(1001, S(10), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(c->snd_una, S(10));
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/*
 * RFC 8985 §7.4: the probe resent the tail segment, whose original was lost. Its ACK
 * (at TLP.end_seq) may be the original's too: nothing is decided; the next ACK, past
 * the probe with no D-SACK for it in between, shows the probe repaired a loss:
 * tcp.tlp_recovered, and the congestion response of a recovery (ssthresh from the
 * algorithm, cwnd = ssthresh).
 */
static void
test_tcp_rack_tlp_repaired_loss_counted_and_reduces(void)
{
	struct lr_tcp_conn *c = open_send_ack(true, 6, 4);
	uint32_t cwnd;

	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(5), 1001, MSS);
	CU_ASSERT_EQUAL(c->tlp_ep, TCP_TLP_EP_ON | TCP_TLP_EP_RXT);
	CU_ASSERT_EQUAL(c->tlp_end, S(6));
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(6), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_RECOVERED), 0);
	CU_ASSERT_EQUAL(c->tlp_ep, TCP_TLP_EP_ON | TCP_TLP_EP_RXT);
	cwnd = c->cwnd;
	CU_ASSERT_EQUAL(c->ssthresh, UINT32_MAX);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 4 * MSS), (int)(4 * MSS));
	tt_flush();
	TT_EXPECT_COUNT(4);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(8), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_RECOVERED), 1);
	CU_ASSERT_EQUAL(c->tlp_ep, 0);
	CU_ASSERT_EQUAL(c->ssthresh, 2 * MSS); /* max(FlightSize 2 / 2, 2) segments */
	CU_ASSERT_EQUAL(c->cwnd, c->ssthresh);
	CU_ASSERT(c->cwnd < cwnd);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 0);
	tt_rx(1001, S(10), TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_RECOVERED), 1);
	TT_ASSERT_NO_LEAK();
}

/*
 * The tail segment was only late: its ACK comes after the probe left, then the
 * peer's D-SACK for the probe (RFC 2883) on the ACK of the next new segment, or a
 * plain duplicate ACK without SACK blocks: the original and the probe both arrived,
 * no loss was repaired, cwnd stays.
 */
static void
test_tcp_rack_tlp_dsack_or_dupack_no_loss(void)
{
	static const uint32_t dsack[1][2] = { { S(5), S(6) } };
	struct lr_tcp_conn *c;
	unsigned int k;
	uint32_t cwnd;

	for (k = 0; k < 2; k++) {
		c = open_send_ack(true, 6, 4);
		tt_advance_ms(2 * RTT_MS);
		TT_EXPECT_COUNT(1);
		lr_test_tx_clear();
		tt_advance_ms(1);
		tt_rx(1001, S(6), TT_ACK, NULL, 0); /* the original's ACK */
		CU_ASSERT_EQUAL(c->tlp_ep, TCP_TLP_EP_ON | TCP_TLP_EP_RXT);
		CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 2 * MSS), (int)(2 * MSS));
		tt_flush();
		lr_test_tx_clear();
		tt_advance_ms(RTT_MS - 1);
		if (k == 0)
			ack_sack(S(7), 1, dsack); /* the probe's duplicate */
		else
			tt_rx(1001, S(6), TT_ACK, NULL, 0);
		CU_ASSERT_EQUAL(c->tlp_ep, 0);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DSACK_RX), k == 0 ? 1 : 0);
		cwnd = c->cwnd;
		tt_rx(1001, S(8), TT_ACK, NULL, 0);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TLP_RECOVERED), 0);
		CU_ASSERT_EQUAL(c->ssthresh, UINT32_MAX);
		CU_ASSERT(c->cwnd >= cwnd);
		TT_ASSERT_NO_LEAK();
		tt_reinit();
	}
}

/* Ten segments and the probe lost, nothing SACKed: the RTO resends segment 0 (cwnd
 * 1 SMSS); its ACK lets segments 1 and 2 go again, and the retransmission of 1 is lost
 * again. The go-back-N's retransmissions are followed on a scoreboard taken at the
 * timeout, so reo_wnd after segment 2 is SACKed RACK sends segment 1 again, instead
 * of a second RTO (doubled: 400 ms); the rest of the go-back-N completes without one,
 * and the board goes once the timeout's flight is acknowledged. */
static void
test_tcp_rack_rto_lost_retransmission_found(void)
{
	const uint32_t b[1][2] = { { S(2), S(3) } };
	struct lr_tcp_conn *c = open_send(10);
	unsigned int rounds = 0;

	tt_advance_ms(2 * RTT_MS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(9), 1001, MSS); /* the probe, lost */
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(0), 1001, MSS);
	CU_ASSERT_NOT_EQUAL(c->sack_board, 0);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	tt_rx(1001, S(1), TT_ACK, NULL, 0); /* cwnd 2 SMSS */
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, S(1), 1001, MSS); /* lost again */
	TT_EXPECT(1, TT_ACK, S(2), 1001, MSS);
	lr_test_tx_clear();
	tt_advance_ms(RTT_MS);
	ack_sack(S(1), 1, b); /* sent after the lost one, delivered */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(3), 1001, MSS); /* SACKed data is not in flight */
	lr_test_tx_clear();
	tt_advance_ms(2);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, S(1), 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RACK_LOST), 1);
	while (c->snd_una != S(10) && rounds++ < 10) {
		lr_test_tx_clear();
		tt_advance_ms(RTT_MS);
		tt_rx(1001, c->snd_nxt, TT_ACK, NULL, 0);
	}
	CU_ASSERT_EQUAL(c->snd_una, S(10));
	CU_ASSERT_EQUAL(c->sack_board, 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->sack_used, 0);
	tt_advance_ms(1000);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_rack_tlp_tail_loss_probed_at_2srtt",
		test_tcp_rack_tlp_tail_loss_probed_at_2srtt },
	{ "test_tcp_rack_tlp_one_segment_waits_for_delayed_ack",
		test_tcp_rack_tlp_one_segment_waits_for_delayed_ack },
	{ "test_tcp_rack_tlp_sends_new_data", test_tcp_rack_tlp_sends_new_data },
	{ "test_tcp_rack_rto_last_resort_after_probe", test_tcp_rack_rto_last_resort_after_probe },
	{ "test_tcp_rack_tlp_off_without_sack_or_by_config",
		test_tcp_rack_tlp_off_without_sack_or_by_config },
	{ "test_tcp_rack_lost_retransmission_without_rto",
		test_tcp_rack_lost_retransmission_without_rto },
	{ "test_tcp_rack_tail_loss_two_segments_probe_then_rack",
		test_tcp_rack_tail_loss_two_segments_probe_then_rack },
	{ "test_tcp_rack_reordering_within_window_no_rexmit",
		test_tcp_rack_reordering_within_window_no_rexmit },
	{ "test_tcp_rack_ack_loss_no_rexmit", test_tcp_rack_ack_loss_no_rexmit },
	{ "test_tcp_rack_tlp_repaired_loss_counted_and_reduces",
		test_tcp_rack_tlp_repaired_loss_counted_and_reduces },
	{ "test_tcp_rack_tlp_dsack_or_dupack_no_loss", test_tcp_rack_tlp_dsack_or_dupack_no_loss },
	{ "test_tcp_rack_rto_lost_retransmission_found",
		test_tcp_rack_rto_lost_retransmission_found },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_rack", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
