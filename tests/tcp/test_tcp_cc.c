/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.c: NewReno behind struct tcp_cc_ops. Initial window (RFC 6928), slow
 * start and congestion avoidance (RFC 5681 §3.1), fast retransmit on the third
 * duplicate ACK and fast recovery with partial ACKs (RFC 6582), restart after idle
 * (RFC 5681 §4.1). The appliance
 * sends with MSS 1460 (tt_passive_open); its first byte is 8001. Slow start here is
 * RFC 5681's ([tcp] hystart = no where the growth per ACK matters); HyStart++ is
 * test_tcp_hystart's.
 */
#include <string.h>

#include "tcp_test.h"

#define MSS 1460u

static uint8_t bulk[40000];

/* The peer acknowledges ack with its default window. */
static void
ack(uint32_t a)
{
	tt_rx(1001, a, TT_ACK, NULL, 0);
}

/* Established, 30000 bytes queued, the initial window sent. */
static struct lr_tcp_conn *
open_and_send(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 30000), 30000);
	tt_flush();
	return c;
}

/* A fresh shard (tt_conf) and application record, for a second connection in a
 * case. */
static void
reopen(void)
{
	tt_reinit();
	memset(&tt_app, 0, sizeof(tt_app));
}

/* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)) = 10 segments; ssthresh unset. */
static void
test_tcp_cc_initial_window_ten_segments(void)
{
	open_and_send();
	TT_EXPECT_COUNT(10);
	TT_EXPECT(9, TT_ACK, 8001 + 9 * MSS, 1001, MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, UINT32_MAX);
	TT_ASSERT_NO_LEAK();
}

/* Slow start ([tcp] hystart = no): cwnd += min(acked, SMSS) per ACK; each ACK of two
 * segments releases three. With HyStart++ (the default) it adds two (L = 8) and
 * releases four. */
static void
test_tcp_cc_slow_start_grows_per_ack(void)
{
	open_and_send();
	lr_test_tx_clear();
	ack(8001 + 2 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 12 * MSS);
	TT_EXPECT_COUNT(4);
	TT_ASSERT_NO_LEAK();
	tt_conf.hystart = false;
	reopen();
	open_and_send();
	lr_test_tx_clear();
	ack(8001 + 2 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 11 * MSS);
	TT_EXPECT_COUNT(3);
	TT_EXPECT(0, TT_ACK, 8001 + 10 * MSS, 1001, MSS);
	TT_ASSERT_NO_LEAK();
}

/* Congestion avoidance: one SMSS per cwnd of acknowledged bytes. */
static void
test_tcp_cc_congestion_avoidance_linear(void)
{
	struct lr_tcp_conn *c = open_and_send();

	c->ssthresh = 5 * MSS; /* as after a loss */
	lr_test_tx_clear();
	ack(8001 + 5 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS); /* 5 SMSS acked < cwnd */
	ack(8001 + 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 11 * MSS); /* 10 SMSS acked = cwnd: +1 */
	TT_ASSERT_NO_LEAK();
}

/* Three duplicate ACKs: the first unacknowledged segment again at once,
 * ssthresh = FlightSize / 2, cwnd = ssthresh + 3 SMSS; further duplicates inflate
 * cwnd until new data may leave. */
static void
test_tcp_cc_fast_retransmit_on_third_dupack(void)
{
	open_and_send();
	lr_test_tx_clear();
	ack(8001);
	ack(8001);
	TT_EXPECT_COUNT(0);
	ack(8001);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUPACK_RX), 3);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 5 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 8 * MSS);
	lr_test_tx_clear();
	ack(8001);
	ack(8001);
	TT_EXPECT_COUNT(0); /* cwnd 10 SMSS = FlightSize */
	ack(8001);
	TT_EXPECT_COUNT(1); /* 11 SMSS: one new segment */
	TT_EXPECT(0, TT_ACK, 8001 + 10 * MSS, 1001, MSS);
	TT_ASSERT_NO_LEAK();
}

/* RFC 6582: a partial ACK retransmits the next hole and deflates cwnd; the full
 * ACK (covering "recover") ends recovery with cwnd = min(ssthresh,
 * max(FlightSize, SMSS) + SMSS). */
static void
test_tcp_cc_partial_ack_then_full_ack(void)
{
	open_and_send();
	ack(8001);
	ack(8001);
	ack(8001);
	lr_test_tx_clear();
	ack(8001 + 2 * MSS);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001 + 2 * MSS, 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PARTIAL_ACK), 1);
	CU_ASSERT_EQUAL(tt_info().cwnd, 8 * MSS - 2 * MSS + MSS);
	lr_test_tx_clear();
	ack(8001 + 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 2 * MSS); /* FlightSize 0 */
	CU_ASSERT_EQUAL(tt_info().ssthresh, 5 * MSS);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001 + 10 * MSS, 1001, MSS);
	TT_ASSERT_NO_LEAK();
}

/* After a timeout, duplicate ACKs below "recover" do not start fast retransmit
 * (RFC 6582 §3.2 step 2); cwnd is 1 SMSS, ssthresh half the flight. */
static void
test_tcp_cc_timeout_then_dupacks_no_fast_retransmit(void)
{
	open_and_send();
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 5 * MSS);
	lr_test_tx_clear();
	ack(8001);
	ack(8001);
	ack(8001);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 0);
	TT_ASSERT_NO_LEAK();
}

/* A window update is not a duplicate ACK (RFC 5681 §2 (e)), nor is data. */
static void
test_tcp_cc_window_change_or_data_not_dupack(void)
{
	open_and_send();
	tt_in(tt_seg(1001, 8001, TT_ACK, 60000, NULL, 0, NULL, 0));
	tt_in(tt_seg(1001, 8001, TT_ACK, 60000, NULL, 0, "x", 1));
	tt_in(tt_seg(1002, 8001, TT_ACK, 50000, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUPACK_RX), 0);
	TT_ASSERT_NO_LEAK();
}

/* Slow start to 20 segments or more, everything acknowledged, ssthresh set to
 * ssthresh (0: left unset), idle for idle_ms, then 20000 bytes queued: @return
 * segments that leave at once. */
static unsigned int
send_after_idle(struct lr_tcp_conn *c, uint64_t idle_ms, uint32_t ssthresh)
{
	uint32_t a = 8001;
	unsigned int i;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 30000), 30000);
	tt_flush();
	for (i = 0; i < 10; i++) {
		a += MSS;
		ack(a);
	}
	ack(8001 + 30000);
	CU_ASSERT_EQUAL(c->cwnd, 21 * MSS);
	if (ssthresh != 0)
		c->ssthresh = ssthresh;
	tt_advance_ms(idle_ms);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 20000), 20000);
	tt_flush();
	return lr_test_tx_count();
}

/* RFC 5681 §4.1: idle longer than the RTO, the next flight starts from
 * RW = min(IW, cwnd) = 10 segments and ssthresh becomes at least 3/4 of the old
 * cwnd (unset stays unset); idle within the RTO, or the setting off, keeps cwnd
 * (14 segments leave). */
static void
test_tcp_cc_restart_after_idle(void)
{
	struct lr_tcp_conn *c;

	tt_conf.hystart = false; /* the growth of one ACK of 10.5 segments: 1 */
	reopen();
	c = tt_passive_open();

	CU_ASSERT_EQUAL(send_after_idle(c, c->rto_us / 1000 + 1, 0), 10);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 1);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, UINT32_MAX);
	TT_EXPECT(9, TT_ACK, 8001 + 30000 + 9 * MSS, 1001, MSS);
	TT_ASSERT_NO_LEAK();
	reopen();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(send_after_idle(c, c->rto_us / 1000 + 1, 12 * MSS), 10);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 21 * MSS - 21 * MSS / 4);
	TT_ASSERT_NO_LEAK();
	reopen();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(send_after_idle(c, c->rto_us / 1000, 0), 14);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 0);
	TT_ASSERT_NO_LEAK();
	tt_conf.slow_start_after_idle = false;
	reopen();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(send_after_idle(c, 10000, 0), 14);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 0);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_cc_initial_window_ten_segments", test_tcp_cc_initial_window_ten_segments },
	{ "test_tcp_cc_slow_start_grows_per_ack", test_tcp_cc_slow_start_grows_per_ack },
	{ "test_tcp_cc_congestion_avoidance_linear", test_tcp_cc_congestion_avoidance_linear },
	{ "test_tcp_cc_fast_retransmit_on_third_dupack",
		test_tcp_cc_fast_retransmit_on_third_dupack },
	{ "test_tcp_cc_partial_ack_then_full_ack", test_tcp_cc_partial_ack_then_full_ack },
	{ "test_tcp_cc_timeout_then_dupacks_no_fast_retransmit",
		test_tcp_cc_timeout_then_dupacks_no_fast_retransmit },
	{ "test_tcp_cc_window_change_or_data_not_dupack",
		test_tcp_cc_window_change_or_data_not_dupack },
	{ "test_tcp_cc_restart_after_idle", test_tcp_cc_restart_after_idle },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_cc", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
