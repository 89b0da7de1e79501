/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_timer.c on the virtual clock: RFC 6298 RTO (initial 1 s, estimator, minimum,
 * doubling backoff, give-up) for SYN, SYN-ACK, data and FIN; TIME_WAIT 2 MSL;
 * FIN_WAIT_2 timeout.
 */
#include <string.h>

#include "tcp_test.h"

static int
grab_info(const struct lr_tcp_conn_info *info, void *arg)
{
	if (info->state != LR_TCP_LISTEN)
		*(struct lr_tcp_conn_info *)arg = *info;
	return 0;
}

static struct lr_tcp_conn_info
conn_info(void)
{
	struct lr_tcp_conn_info info;

	memset(&info, 0, sizeof(info));
	lr_tcp_walk(lr_tw, grab_info, &info);
	return info;
}

/* SYN sent again after 1, 2, 4 s (RTO doubling); after syn_retries the connect
 * fails with TIMEOUT and no RST. */
static void
test_tcp_syn_rto_backoff_and_give_up(void)
{
	struct lr_tcp_conn *c;
	unsigned int i;

	tt_conf.syn_retries = 3;
	tt_reinit();
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	TT_EXPECT_COUNT(1);
	lr_test_tx_clear();
	for (i = 0; i < 3; i++) {
		uint64_t rto = 1000ull << i;

		tt_advance_ms(rto - 1);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
		TT_EXPECT_COUNT(1);
		{
			struct tt_out o;

			CU_ASSERT_EQUAL(tt_out(0, &o), 0);
			CU_ASSERT_EQUAL(o.flags, TT_SYN);
			CU_ASSERT_EQUAL(o.seq, 1000);
			CU_ASSERT_EQUAL(o.mss, 1460);
		}
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(conn_info().retransmits, 3);
	CU_ASSERT_EQUAL(conn_info().rto_us, 8000000);
	tt_advance_ms(8000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_TIMEOUT);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIMEOUT_DROP), 1);
	TT_ASSERT_NO_LEAK();
}

/* SYN-ACK sent again with backoff; never acknowledged -> the half-open
 * connection goes back to LISTEN (freed), the listener stays. */
static void
test_tcp_synack_rto_give_up_returns_to_listen(void)
{
	tt_conf.synack_retries = 2;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_advance_ms(2000);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_advance_ms(4000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNACK_GIVEUP), 1);
	CU_ASSERT_EQUAL(tt_app.closed, 0);
	tt_rx_syn(2000, 1460);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 2001, 0);
	TT_ASSERT_NO_LEAK();
}

/* Data retransmitted with doubling RTO (min 200 ms after a 0 RTT handshake);
 * after max_retries a RST and TIMEOUT. */
static void
test_tcp_data_rto_backoff_and_give_up_with_rst(void)
{
	struct lr_tcp_conn *c;
	unsigned int i;

	tt_conf.max_retries = 3;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(conn_info().rto_us, tt_conf.rto_min_ms * 1000);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "0123456789", 10), 10);
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 10);
	lr_test_tx_clear();
	for (i = 0; i < 3; i++) {
		uint64_t rto = (uint64_t)tt_conf.rto_min_ms << i;

		tt_advance_ms(rto - 1);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
		TT_EXPECT_COUNT(1);
		TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 10);
		lr_test_tx_clear();
	}
	tt_advance_ms((uint64_t)tt_conf.rto_min_ms << 3);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 8011, 0, 0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_TIMEOUT);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	TT_ASSERT_NO_LEAK();
}

/* RFC 6298 (2.2): first sample R = 100 ms -> SRTT 100 ms, RTTVAR 50 ms,
 * RTO = 100 + 4 * 50 = 300 ms; data is retransmitted exactly then. */
static void
test_tcp_rto_from_first_rtt_sample(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	lr_test_tx_clear();
	tt_advance_ms(100);
	tt_rx(8000, 1001, TT_SYN | TT_ACK, NULL, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(conn_info().srtt_us, 100000);
	CU_ASSERT_EQUAL(conn_info().rto_us, 300000);

	CU_ASSERT_EQUAL(lr_tcp_send(c, "abc", 3), 3);
	tt_flush();
	lr_test_tx_clear();
	tt_advance_ms(299);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 1001, 8001, 3);
	lr_test_tx_clear();
	/* Karn: the ACK of a retransmitted segment gives no sample. */
	tt_advance_ms(50);
	tt_rx(8001, 1004, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(conn_info().srtt_us, 100000);
	CU_ASSERT_EQUAL(conn_info().rto_us, 600000); /* backed off until a new sample */
	TT_ASSERT_NO_LEAK();
}

/* After a timeout one segment is retransmitted (cwnd = 1 SMSS, RFC 5681 (5));
 * its ACK grows cwnd to 2 SMSS (slow start): the other two go together. */
static void
test_tcp_retransmit_slow_start_after_timeout(void)
{
	static uint8_t data[4000];
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, data, sizeof(data)), sizeof(data));
	tt_flush();
	TT_EXPECT_COUNT(3);
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1460);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(conn_info().cwnd, 1460);
	CU_ASSERT_EQUAL(conn_info().ssthresh, 2 * 1460); /* max(4000 / 2, 2 SMSS) */
	tt_rx(1001, 8001 + 1460, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001 + 1460, 1001, 1460);
	TT_EXPECT(1, TT_ACK | TT_PSH, 8001 + 2920, 1001, 1080);
	lr_test_tx_clear();
	tt_rx(1001, 8001 + 4000, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(conn_info().retransmits, 3);
	CU_ASSERT_EQUAL(conn_info().send_q, 0);
	tt_advance_ms(60000);
	TT_EXPECT_COUNT(0); /* timer stopped once all is acknowledged */
	TT_ASSERT_NO_LEAK();
}

/* LAST_ACK: our FIN is lost -> retransmitted after the RTO; its ACK closes. */
static void
test_tcp_fin_retransmitted_in_last_ack(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1001, 8001, TT_FIN | TT_ACK, NULL, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1002, 0);
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1002, 0);
	lr_test_tx_clear();
	tt_advance_ms(2ull * tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1002, 0);
	lr_test_tx_clear();
	tt_rx(1002, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	TT_ASSERT_NO_LEAK();
}

/* FIN_WAIT_1: data and FIN unacknowledged -> the data segment goes again with the
 * FIN on it. */
static void
test_tcp_fin_retransmitted_with_data_in_fin_wait_1(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, "bye", 3), 3);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH | TT_FIN, 8001, 1001, 3);
	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH | TT_FIN, 8001, 1001, 3);
	lr_test_tx_clear();
	/* Data acked but not the FIN: FIN alone next time. */
	tt_rx(1001, 8004, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(2ull * tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_FIN, 8004, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8005, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	TT_ASSERT_NO_LEAK();
}

/* TIME_WAIT lasts exactly 2 * MSL, MSL configurable. */
static void
test_tcp_time_wait_expires_after_2msl(void)
{
	struct lr_tcp_conn *c;

	tt_conf.msl_ms = 500;
	tt_reinit();
	c = tt_active_open();
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(8001, 1002, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_TIME_WAIT);
	tt_advance_ms(999);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 1);
	TT_ASSERT_NO_LEAK();
}

/* After lr_tcp_close, FIN_WAIT_2 does not wait forever for the peer's FIN. */
static void
test_tcp_fin_wait_2_times_out_after_close(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	lr_tcp_close(c);
	tt_flush();
	tt_rx(1001, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	tt_advance_ms(tt_conf.fin_wait2_ms - 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FIN_WAIT2_TIMEOUT), 1);
	TT_ASSERT_NO_LEAK();
}

/* A half-closed connection (lr_tcp_shutdown) may stay in FIN_WAIT_2. */
static void
test_tcp_fin_wait_2_kept_after_shutdown(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(1001, 8002, TT_ACK, NULL, 0);
	tt_advance_ms(2ull * tt_conf.fin_wait2_ms);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	TT_ASSERT_NO_LEAK();
}


/* --- Keepalive (RFC 1122 4.2.3.6) and the timer list --- */

static void
keepalive_setup(void)
{
	tt_conf.keepalive_ms = 10000;
	tt_conf.keepalive_intvl_ms = 1000;
	tt_conf.keepalive_probes = 3;
	tt_reinit();
}

/* Idle for keepalive_ms: probes <SEQ=SND.UNA-1><ACK=RCV.NXT> every interval;
 * after keepalive_probes unanswered ones, a RST and a TIMEOUT close. */
static void
test_tcp_keepalive_probes_then_reset(void)
{
	unsigned int i;

	keepalive_setup();
	tt_passive_open();
	tt_advance_ms(9999);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	for (i = 0; i < 3; i++) {
		TT_EXPECT_COUNT(1);
		TT_EXPECT(0, TT_ACK, 8000, 1001, 0);
		lr_test_tx_clear();
		tt_advance_ms(999);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
	}
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 8001, 0, 0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_TIMEOUT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_KEEPALIVE_PROBE), 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_KEEPALIVE_DROP), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* An answer to a probe restarts the idle period and the probe count. */
static void
test_tcp_keepalive_answer_resets_idle(void)
{
	keepalive_setup();
	tt_passive_open();
	tt_advance_ms(10000);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(2);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0); /* the peer's ACK of the probe */
	tt_advance_ms(9999);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	TT_ASSERT_NO_LEAK();
}

/* Keepalive off (default): an idle connection sends nothing, ever, and leaves the
 * timer list, so lr_tcp_tick() no longer visits it. */
static void
test_tcp_idle_conn_leaves_timer_list(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT(c->flags & TCP_F_ON_TIMERQ); /* the SYN-ACK timer was armed */
	tt_advance_ms(3600 * 1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT(!(c->flags & TCP_F_ON_TIMERQ));
	CU_ASSERT(TAILQ_EMPTY(&lr_tw->tcp->timerq));
	lr_test_learn_peer(); /* the ARP entry aged out during the hour */
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), 1);
	tt_flush();
	CU_ASSERT(c->flags & TCP_F_ON_TIMERQ);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_syn_rto_backoff_and_give_up", test_tcp_syn_rto_backoff_and_give_up },
	{ "test_tcp_synack_rto_give_up_returns_to_listen",
		test_tcp_synack_rto_give_up_returns_to_listen },
	{ "test_tcp_data_rto_backoff_and_give_up_with_rst",
		test_tcp_data_rto_backoff_and_give_up_with_rst },
	{ "test_tcp_rto_from_first_rtt_sample", test_tcp_rto_from_first_rtt_sample },
	{ "test_tcp_retransmit_slow_start_after_timeout",
		test_tcp_retransmit_slow_start_after_timeout },
	{ "test_tcp_fin_retransmitted_in_last_ack", test_tcp_fin_retransmitted_in_last_ack },
	{ "test_tcp_fin_retransmitted_with_data_in_fin_wait_1",
		test_tcp_fin_retransmitted_with_data_in_fin_wait_1 },
	{ "test_tcp_time_wait_expires_after_2msl", test_tcp_time_wait_expires_after_2msl },
	{ "test_tcp_fin_wait_2_times_out_after_close", test_tcp_fin_wait_2_times_out_after_close },
	{ "test_tcp_fin_wait_2_kept_after_shutdown", test_tcp_fin_wait_2_kept_after_shutdown },
	{ "test_tcp_keepalive_probes_then_reset", test_tcp_keepalive_probes_then_reset },
	{ "test_tcp_keepalive_answer_resets_idle", test_tcp_keepalive_answer_resets_idle },
	{ "test_tcp_idle_conn_leaves_timer_list", test_tcp_idle_conn_leaves_timer_list },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_timer", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
