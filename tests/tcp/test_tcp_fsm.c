/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_fsm.c and tcp_ack.c: the state machine, frame in -> frame out. The seed's
 * sequence diagrams (SYN 1000 / SYN 8000 ACK 1001 / 1001(20) / FIN 1021 ...) are
 * cases here verbatim; the appliance is "svr" in passive cases and "cli" in active
 * ones. Duplicate ACKs and congestion control (tcp_ack.c with tcp_cc.c) are in
 * test_tcp_cc.c.
 */
#include <string.h>

#include "tcp_test.h"

static const uint8_t twenty[20] = "0123456789abcdefghij";
static const uint8_t ten[10] = "ABCDEFGHIJ";

/* svr: SYN 1000(0) <mss 1460> -> SYN 8000(0) ACK 1001 <mss 1460>; ACK 8001. */
static void
test_tcp_passive_open_seed_handshake(void)
{
	struct tt_out o;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.mss, 1460);           /* MTU 1500 - 40 */
	CU_ASSERT_EQUAL(o.wnd, tt_conf.rcv_wnd);
	CU_ASSERT_EQUAL(o.saddr, rte_cpu_to_be_32(LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(tt_app.connected, 0);  /* not before the handshake completes */
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	lr_test_tx_clear();

	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PASSIVE_OPEN), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ESTABLISHED), 1);
	TT_ASSERT_NO_LEAK();
}

/* cli->svr 1001(20) ACK 8001 -> ACK 1021; svr->cli 8001(10) ACK 1021; ACK 8011. */
static void
test_tcp_passive_data_seed(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	struct tt_out o;

	tt_rx(1001, 8001, TT_ACK | TT_PSH, twenty, 20);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1021, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 20);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, twenty, 20), 0);
	lr_test_tx_clear();

	CU_ASSERT_EQUAL(lr_tcp_send(c, ten, 10), 10);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1021, 10);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(memcmp(o.payload, ten, 10), 0);
	lr_test_tx_clear();

	tt_rx(1021, 8011, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.sent, 10);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), tt_conf.sndbuf);
	TT_ASSERT_NO_LEAK();
}

/* Passive close: FIN 1021 ACK 8011 -> ACK 1022 (CLOSE_WAIT); the application shuts
 * down -> FIN 8011 ACK 1022 (LAST_ACK); ACK 8012 -> CLOSED. */
static void
test_tcp_passive_close_seed(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1001, 8001, TT_ACK, twenty, 20);
	CU_ASSERT_EQUAL(lr_tcp_send(c, ten, 10), 10);
	tt_flush();
	tt_rx(1021, 8011, TT_ACK, NULL, 0);
	lr_test_tx_clear();

	tt_rx(1021, 8011, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8011, 1022, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL(tt_app.peer_closed, 1);
	lr_test_tx_clear();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_LAST_ACK);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_FIN | TT_ACK, 8011, 1022, 0);
	lr_test_tx_clear();

	tt_rx(1022, 8012, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_NORMAL);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK(); /* freed by the state machine, not by fini */
	TT_ASSERT_NO_LEAK();
}

/* cli: SYN 1000 <mss 1460>; SYN 8000 ACK 1001 <mss 1024>; ACK 8001. */
static void
test_tcp_active_open_seed(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_SYN_SENT);
	tt_flush();
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN);
	CU_ASSERT_EQUAL(o.seq, 1000);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_EQUAL(o.dport, 80);
	CU_ASSERT(o.sport >= tt_conf.port_lo && o.sport <= tt_conf.port_hi);
	lr_test_tx_clear();
	tt_our_port = o.sport;
	tt_peer_port = 80;

	{
		uint8_t mss[4] = { 2, 4, 1024 >> 8, 1024 & 0xff };

		tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK, TT_PEER_WND, mss, 4, NULL, 0));
	}
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1001, 8001, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(c->snd_mss, 1024); /* the peer's MSS is respected */
	TT_ASSERT_NO_LEAK();
}

/* Four-way close, appliance as the active closer (the seed's first close diagram):
 * FIN 1021 ACK 8011 -> ACK 1022 (FIN_WAIT_2); FIN 8011 ACK 1022 -> ACK 8012
 * (TIME_WAIT); 2 MSL later CLOSED. */
static void
test_tcp_active_close_seed(void)
{
	struct lr_tcp_conn *c = tt_active_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, twenty, 20), 20);
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, 1001, 8001, 20);
	lr_test_tx_clear();
	tt_rx(8001, 1021, TT_ACK | TT_PSH, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1021, 8011, 0);
	lr_test_tx_clear();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_1);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_FIN | TT_ACK, 1021, 8011, 0);
	lr_test_tx_clear();

	tt_rx(8011, 1022, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);

	tt_rx(8011, 1022, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1022, 8012, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
	CU_ASSERT_EQUAL(tt_app.peer_closed, 1);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_NORMAL);
	lr_test_tx_clear();

	tt_advance_ms(2ull * tt_conf.msl_ms - 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.closed, 1); /* told once, when TIME_WAIT began */
	LR_TEST_ASSERT_NO_LEAK();
	TT_ASSERT_NO_LEAK();
}

/* The seed's "three-way" close: the peer's FIN comes with the ACK of ours:
 * FIN 1021 ACK 8011; FIN 8011 ACK 1022 -> ACK 8012, straight to TIME_WAIT. */
static void
test_tcp_active_close_fin_ack_combined(void)
{
	struct lr_tcp_conn *c = tt_active_open();

	tt_rx(8001, 1001, TT_ACK, ten, 10);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, twenty, 20), 20);
	tt_flush();
	tt_rx(8011, 1021, TT_ACK, NULL, 0);
	lr_test_tx_clear();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, 1021, 8011, 0);
	lr_test_tx_clear();
	tt_rx(8011, 1022, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1022, 8012, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
	TT_ASSERT_NO_LEAK();
}

/* Simultaneous open (seed): cli SYN 500, svr SYN 700 cross; each answers
 * SYN,ACK; both ESTABLISHED. The appliance is cli. */
static void
test_tcp_simultaneous_open_seed(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 500;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	TT_EXPECT(0, TT_SYN, 500, 0, 0);
	lr_test_tx_clear();

	/* svr's own SYN 700 crosses ours: SYN_SENT -> SYN_RCVD, SYN 500 ACK 701. */
	tt_rx_syn(700, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 500, 701, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_SYN_RCVD);
	CU_ASSERT_EQUAL(tt_app.connected, 0);
	lr_test_tx_clear();

	/* svr's SYN 700 ACK 501: our SYN is acknowledged -> ESTABLISHED. The
	 * repeated SYN is a duplicate and is acknowledged. */
	tt_rx(700, 501, TT_SYN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 501, 701, 0);
	lr_test_tx_clear();

	/* And data flows from 501/701. */
	CU_ASSERT_EQUAL(lr_tcp_send(c, ten, 10), 10);
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, 501, 701, 10);
	TT_ASSERT_NO_LEAK();
}

/* Simultaneous close (seed): FIN 1021 and FIN 8011 cross; each side ACKs the
 * other's FIN from CLOSING; both end in TIME_WAIT. */
static void
test_tcp_simultaneous_close_via_closing(void)
{
	struct lr_tcp_conn *c = tt_active_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, twenty, 20), 20);
	tt_flush();
	tt_rx(8001, 1021, TT_ACK, ten, 10);
	lr_test_tx_clear();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, 1021, 8011, 0);
	lr_test_tx_clear();

	/* Their FIN 8011 does not acknowledge ours (ACK 1021): CLOSING. */
	tt_rx(8011, 1021, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1022, 8012, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_CLOSING);
	lr_test_tx_clear();

	/* Their ACK 1022 of our FIN: TIME_WAIT, nothing sent. */
	tt_rx(8012, 1022, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	tt_advance_ms(2ull * tt_conf.msl_ms);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* Seed: in SYN_RCVD a RST sends the connection back to LISTEN; the half-open
 * connection is freed, the listener keeps accepting. */
static void
test_tcp_syn_rcvd_rst_returns_to_listen(void)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(lr_tw);

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);

	tt_rx(1001, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_LISTEN], 2); /* listen() + the return */
	CU_ASSERT_EQUAL(tt_app.closed, 0); /* the application never saw it */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_RX), 1);

	tt_rx_syn(3000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 3001, 0);
	TT_ASSERT_NO_LEAK();
}

/* The peer's SYN again in SYN_RCVD (our SYN,ACK was lost): SYN,ACK again. */
static void
test_tcp_syn_rcvd_duplicate_syn_resends_synack(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUP_SYN), 1);
	TT_ASSERT_NO_LEAK();
}

/* SYN_RCVD with an ACK that does not acknowledge our SYN: <SEQ=SEG.ACK><CTL=RST>. */
static void
test_tcp_syn_rcvd_bad_ack_gets_rst(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_rx(1001, 9999, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 9999, 0, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_ACK), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	TT_ASSERT_NO_LEAK();
}

/* SYN_SENT + RST acknowledging our SYN: connection refused. */
static void
test_tcp_syn_sent_rst_is_refused(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 81, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 81;
	lr_test_tx_clear();

	/* A RST without ACK is not acceptable in SYN_SENT. */
	tt_rx(0, 0, TT_RST, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SENT_RST), 1);

	tt_rx(0, 1001, TT_RST | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_REFUSED);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* SYN_SENT + an ACK outside ISS < ACK <= SND.NXT: <SEQ=SEG.ACK><CTL=RST>. */
static void
test_tcp_syn_sent_bad_ack_gets_rst(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	lr_test_tx_clear();

	tt_rx(8000, 1000, TT_SYN | TT_ACK, NULL, 0); /* ACK = ISS: not acceptable */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 1000, 0, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SENT_BAD_ACK), 1);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5961 §3.2: a RST exactly at RCV.NXT resets the connection. */
static void
test_tcp_rst_exact_seq_resets(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	RTE_SET_USED(c);
	tt_rx(1001, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_RESET);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5961 §3.2: in the window but not exact -> challenge ACK, no reset. */
static void
test_tcp_rst_in_window_gets_challenge_ack(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1101, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_IN_WINDOW), 1);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5961 §3.2: outside the window -> silently dropped. */
static void
test_tcp_rst_out_of_window_ignored(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1001 + 70000, 0, TT_RST, NULL, 0);
	tt_rx(1000, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_OUT_OF_WINDOW), 2);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5961 §4: a SYN on an established connection gets a challenge ACK. */
static void
test_tcp_syn_in_established_gets_challenge_ack(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx_syn(5000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_IN_WINDOW), 1);
	TT_ASSERT_NO_LEAK();
}

/* Reach TIME_WAIT as the active closer with the seed's numbers: after the burst
 * the connection is a TIME_WAIT entry, its handle is gone. */
static void
to_time_wait(void)
{
	struct lr_tcp_conn *c = tt_active_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, twenty, 20), 20);
	tt_flush();
	tt_rx(8001, 1021, TT_ACK, ten, 10);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(8011, 1022, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	lr_test_tx_clear();
}

/* TIME_WAIT: the peer's FIN again (our last ACK was lost) is acknowledged again
 * and the 2 MSL timer restarts. */
static void
test_tcp_time_wait_reacks_retransmitted_fin(void)
{
	to_time_wait();
	tt_advance_ms(tt_conf.msl_ms);
	tt_rx(8011, 1022, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1022, 8012, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
	lr_test_tx_clear();
	/* Restarted: still there 2 MSL - 1 ms after the retransmission. */
	tt_advance_ms(2ull * tt_conf.msl_ms - 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* A new SYN for a tuple in TIME_WAIT, beyond the old RCV.NXT, opens a new
 * connection (address reuse); our new ISS is beyond the old SND.NXT. */
static void
test_tcp_time_wait_new_syn_reuses_tuple(void)
{
	struct tt_out o;

	to_time_wait();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, tt_our_port, &tt_cb, NULL), 0);
	tt_isn = 100; /* would go backwards: bumped past the old 1022 */
	tt_rx_syn(9000, 1460);
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT_EQUAL(o.ack, 9001);
	CU_ASSERT(SEQ_GT(o.seq, 1022));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	TT_ASSERT_NO_LEAK();
}

/* An old SYN (not beyond RCV.NXT) in TIME_WAIT does not reopen: it is acked. */
static void
test_tcp_time_wait_old_syn_is_acked(void)
{
	to_time_wait();
	tt_rx_syn(8000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1022, 8012, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
	TT_ASSERT_NO_LEAK();
}

/* LAST_ACK: the peer's FIN again (our ACK of it was lost) is acknowledged again;
 * the connection still waits for the ACK of our FIN. */
static void
test_tcp_last_ack_reacks_retransmitted_fin(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1001, 8001, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_LAST_ACK);

	tt_rx(1001, 8001, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_LAST_ACK);
	lr_test_tx_clear();
	tt_rx(1002, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* Data already received is acknowledged again, not delivered twice. */
static void
test_tcp_duplicate_data_reacked_not_redelivered(void)
{
	tt_passive_open();
	tt_rx(1001, 8001, TT_ACK, twenty, 20);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, twenty, 20);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1021, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 20);
	/* Overlap: 10 old bytes and 10 new ones -> only the new 10 delivered. */
	lr_test_tx_clear();
	tt_rx(1011, 8001, TT_ACK, twenty, 20);
	TT_EXPECT(0, TT_ACK, 8001, 1031, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 30);
	CU_ASSERT_EQUAL(memcmp(tt_app.data + 20, twenty + 10, 10), 0);
	TT_ASSERT_NO_LEAK();
}

/* Out-of-order data is queued (test_tcp_reass.c) and a duplicate ACK sent. */
static void
test_tcp_out_of_order_data_gets_dup_ack(void)
{
	tt_passive_open();
	tt_rx(1021, 8001, TT_ACK, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OOO_QUEUED), 1);
	TT_ASSERT_NO_LEAK();
}

/* Beyond the receive window: unacceptable, ACK sent, dropped. */
static void
test_tcp_segment_beyond_window_acked_and_dropped(void)
{
	tt_passive_open();
	tt_rx(1001 + 65535, 8001, TT_ACK, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_SEQ), 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	TT_ASSERT_NO_LEAK();
}

/* An ACK for data never sent: ACK back, segment dropped. */
static void
test_tcp_ack_of_unsent_data_is_answered(void)
{
	tt_passive_open();
	tt_rx(1001, 9001, TT_ACK, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_TOO_MUCH), 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	TT_ASSERT_NO_LEAK();
}

/* Both sequence spaces wrap through 2^32 during a transfer and a close. */
static void
test_tcp_sequence_wraparound(void)
{
	struct lr_tcp_conn *c;
	uint32_t peer = 0xfffffff0u, ours = 0xfffffffau;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_isn = ours;
	tt_rx_syn(peer, 1460);
	TT_EXPECT(0, TT_SYN | TT_ACK, ours, peer + 1, 0);
	lr_test_tx_clear();
	tt_rx(peer + 1, ours + 1, TT_ACK, NULL, 0);
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	tt_rx(peer + 1, ours + 1, TT_ACK, twenty, 20); /* 0xfffffff1 .. 0x4 */
	TT_EXPECT(0, TT_ACK, ours + 1, peer + 21, 0);
	CU_ASSERT_EQUAL(peer + 21, 5u);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, twenty, 20), 20); /* 0xfffffffb .. 0xe */
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, ours + 1, 5, 20);
	lr_test_tx_clear();
	tt_rx(5, ours + 21, TT_ACK | TT_FIN, NULL, 0);
	TT_EXPECT(0, TT_ACK, ours + 21, 6, 0);
	CU_ASSERT_EQUAL(tt_app.sent, 20);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_CLOSE_WAIT);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, ours + 21, 6, 0);
	tt_rx(6, ours + 22, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.closed, 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* The ACK completing a passive handshake may carry data: delivered and acked. */
static void
test_tcp_handshake_ack_with_data(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK | TT_PSH, twenty, 20);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 20);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1021, 0);
	TT_ASSERT_NO_LEAK();
}

/* SYN_SENT: text on the SYN,ACK is processed once ESTABLISHED. */
static void
test_tcp_synack_with_data_delivered(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	lr_test_tx_clear();
	tt_rx(8000, 1001, TT_SYN | TT_ACK | TT_FIN, ten, 10);
	TT_EXPECT_COUNT(0); /* SYN with FIN is refused outright */
	tt_rx(8000, 1001, TT_SYN | TT_ACK, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1001, 8011, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 10);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	TT_ASSERT_NO_LEAK();
}

/* Text on a SYN,ACK beyond the window our SYN offered is cut off (FreeBSD
 * tcp_do_segment: "If data, trim to stay within window, dropping FIN if
 * necessary"); the peer sends the rest again. */
static void
test_tcp_synack_data_beyond_window_trimmed(void)
{
	static uint8_t big[1500];
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.rcv_wnd = 1000;
	tt_reinit();
	memset(big, 0x42, sizeof(big));
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 1000);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	lr_test_tx_clear();
	tt_rx(8000, 1001, TT_SYN | TT_ACK, big, sizeof(big));
	CU_ASSERT_EQUAL(tt_app.data_len, 1000);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT(lr_test_tx_count() >= 1);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_ACK);
	CU_ASSERT_EQUAL(o.ack, 8001 + 1000);
	TT_ASSERT_NO_LEAK();
}

/* Every transition is counted per state. */
static void
test_tcp_state_transitions_counted(void)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(lr_tw);
	struct lr_tcp_conn *c = tt_passive_open();

	tt_rx(1001, 8001, TT_FIN | TT_ACK, NULL, 0);
	lr_tcp_shutdown(c);
	tt_flush();
	tt_rx(1002, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_SYN_RCVD], 1);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_ESTABLISHED], 1);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_CLOSE_WAIT], 1);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_LAST_ACK], 1);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_CLOSED], 1);
	CU_ASSERT_EQUAL(st->state_entered[LR_TCP_TIME_WAIT], 0);
	TT_ASSERT_NO_LEAK();
}

/* The application closes from its peer_closed callback: ACK and FIN leave in one
 * segment at the end of the burst. */
static void
test_tcp_close_from_callback_piggybacks_fin(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_app.close_on_peer_closed = true;
	tt_rx(1001, 8001, TT_FIN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1002, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_LAST_ACK);
	tt_rx(1002, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_app.closed, 0); /* lr_tcp_close(): no more callbacks */
	TT_ASSERT_NO_LEAK();
}


/* --- RFC 5961 rate limits and ACK check --- */

/* challenge_ack_per_s bounds challenge ACKs per worker: with n = 1 each second's
 * budget is exactly one; suppressed ones are counted; the next second has one again. */
static void
test_tcp_challenge_acks_rate_limited(void)
{
	unsigned int i;

	tt_conf.challenge_ack_per_s = 1;
	tt_conf.challenge_ack_per_conn_ms = 0; /* the worker's budget alone */
	tt_reinit();
	tt_passive_open();
	for (i = 0; i < 4; i++)
		tt_rx(1001 + 100 + i, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_GLOBAL_LIMITED), 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_IN_WINDOW), 4);
	lr_test_tx_clear();
	tt_advance_ms(1000);
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1); /* the next second: one again */
	TT_ASSERT_NO_LEAK();
}

/* RSTs answering segments for no connection: rst_per_s tokens. */
static void
test_tcp_rst_replies_rate_limited(void)
{
	unsigned int i;

	tt_conf.rst_per_s = 3;
	tt_reinit();
	for (i = 0; i < 5; i++)
		tt_rx_syn(1000 + i, 0);
	TT_EXPECT_COUNT(3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_TX), 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_LIMITED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_NO_CONN), 5);
	TT_ASSERT_NO_LEAK();
}

/* RFC 5961 §5.2: SEG.ACK below SND.UNA - MAX.SND.WND is discarded with a
 * challenge ACK; its text is not taken. */
static void
test_tcp_ack_below_max_window_gets_challenge(void)
{
	tt_passive_open();
	tt_rx(1001, 8001 - 70000, TT_ACK, ten, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_TOO_OLD), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK), 1);
	lr_test_tx_clear();
	tt_rx(1001, 8001 - 1000, TT_ACK, ten, 10); /* old but within MAX.SND.WND */
	CU_ASSERT_EQUAL(tt_app.data_len, 10);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_passive_open_seed_handshake", test_tcp_passive_open_seed_handshake },
	{ "test_tcp_passive_data_seed", test_tcp_passive_data_seed },
	{ "test_tcp_passive_close_seed", test_tcp_passive_close_seed },
	{ "test_tcp_active_open_seed", test_tcp_active_open_seed },
	{ "test_tcp_active_close_seed", test_tcp_active_close_seed },
	{ "test_tcp_active_close_fin_ack_combined", test_tcp_active_close_fin_ack_combined },
	{ "test_tcp_simultaneous_open_seed", test_tcp_simultaneous_open_seed },
	{ "test_tcp_simultaneous_close_via_closing", test_tcp_simultaneous_close_via_closing },
	{ "test_tcp_syn_rcvd_rst_returns_to_listen", test_tcp_syn_rcvd_rst_returns_to_listen },
	{ "test_tcp_syn_rcvd_duplicate_syn_resends_synack",
		test_tcp_syn_rcvd_duplicate_syn_resends_synack },
	{ "test_tcp_syn_rcvd_bad_ack_gets_rst", test_tcp_syn_rcvd_bad_ack_gets_rst },
	{ "test_tcp_syn_sent_rst_is_refused", test_tcp_syn_sent_rst_is_refused },
	{ "test_tcp_syn_sent_bad_ack_gets_rst", test_tcp_syn_sent_bad_ack_gets_rst },
	{ "test_tcp_rst_exact_seq_resets", test_tcp_rst_exact_seq_resets },
	{ "test_tcp_rst_in_window_gets_challenge_ack", test_tcp_rst_in_window_gets_challenge_ack },
	{ "test_tcp_rst_out_of_window_ignored", test_tcp_rst_out_of_window_ignored },
	{ "test_tcp_syn_in_established_gets_challenge_ack",
		test_tcp_syn_in_established_gets_challenge_ack },
	{ "test_tcp_time_wait_reacks_retransmitted_fin",
		test_tcp_time_wait_reacks_retransmitted_fin },
	{ "test_tcp_time_wait_new_syn_reuses_tuple", test_tcp_time_wait_new_syn_reuses_tuple },
	{ "test_tcp_time_wait_old_syn_is_acked", test_tcp_time_wait_old_syn_is_acked },
	{ "test_tcp_last_ack_reacks_retransmitted_fin",
		test_tcp_last_ack_reacks_retransmitted_fin },
	{ "test_tcp_duplicate_data_reacked_not_redelivered",
		test_tcp_duplicate_data_reacked_not_redelivered },
	{ "test_tcp_out_of_order_data_gets_dup_ack", test_tcp_out_of_order_data_gets_dup_ack },
	{ "test_tcp_segment_beyond_window_acked_and_dropped",
		test_tcp_segment_beyond_window_acked_and_dropped },
	{ "test_tcp_ack_of_unsent_data_is_answered", test_tcp_ack_of_unsent_data_is_answered },
	{ "test_tcp_sequence_wraparound", test_tcp_sequence_wraparound },
	{ "test_tcp_handshake_ack_with_data", test_tcp_handshake_ack_with_data },
	{ "test_tcp_synack_with_data_delivered", test_tcp_synack_with_data_delivered },
	{ "test_tcp_synack_data_beyond_window_trimmed", test_tcp_synack_data_beyond_window_trimmed },
	{ "test_tcp_state_transitions_counted", test_tcp_state_transitions_counted },
	{ "test_tcp_close_from_callback_piggybacks_fin",
		test_tcp_close_from_callback_piggybacks_fin },
	{ "test_tcp_challenge_acks_rate_limited", test_tcp_challenge_acks_rate_limited },
	{ "test_tcp_rst_replies_rate_limited", test_tcp_rst_replies_rate_limited },
	{ "test_tcp_ack_below_max_window_gets_challenge",
		test_tcp_ack_below_max_window_gets_challenge },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_fsm", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
