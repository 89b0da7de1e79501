/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_timer.c on the virtual clock: RFC 6298 RTO (initial 1 s, estimator, minimum,
 * doubling backoff, give-up) for SYN, SYN-ACK, data and FIN; TIME_WAIT 2 MSL;
 * FIN_WAIT_2 timeout; keepalive; the timer wheel (one slot, the wrap of level 0,
 * level 1 and beyond it, lazy re-filing, frees during a tick, clock jumps, and a
 * tick that visits only the connections due).
 */
#include <string.h>

#include "tcp_test.h"

/* A deadline as the wheel keeps it: the start of the first jiffy at or after it. */
#define JIFFY_UP(us) (((us) + TCP_TW_GRAN_US - 1) / TCP_TW_GRAN_US * TCP_TW_GRAN_US)

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

/* n half-opens from peer ports port0.. (SYN-ACKs cleared). */
static void
half_opens(uint16_t port0, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		tt_peer_port = (uint16_t)(port0 + i);
		tt_rx_syn(1000, 1460);
	}
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), n);
	lr_test_tx_clear();
}

/* half_open_max more than half used by half-opens whose SYN-ACKs went unanswered
 * (Linux reqsk_timer_handler): the old ones get pressure_retries SYN-ACK retries,
 * not synack_retries, until half the room is free again; young half-opens (never
 * retransmitted) in the table give the old ones more retries. */
static void
test_tcp_synack_old_half_opens_pruned_when_half_full(void)
{
	struct tt_out o;

	tt_conf.half_open_max = 8;
	tt_conf.synack_retries = 5;
	tt_conf.pressure_retries = 2;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	half_opens(41000, 6);               /* 6 of 8: more than half */
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(6);                 /* retry 1: all of them old now */
	lr_test_tx_clear();
	tt_advance_ms(2000);
	TT_EXPECT_COUNT(6);                 /* retry 2 = pressure_retries */
	lr_test_tx_clear();
	tt_advance_ms(4000);                /* two go, then 4 of 8: half, the rest retry */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HALF_OPEN_PRUNED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNACK_GIVEUP), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 4);
	TT_EXPECT_COUNT(4);
	CU_ASSERT(tt_out(0, &o) == 0 && o.flags == (TT_SYN | TT_ACK) && o.seq == 8000);
	lr_test_tx_clear();
	tt_advance_ms(8000);                /* 4 of 8 is not more than half */
	TT_EXPECT_COUNT(4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HALF_OPEN_PRUNED), 2);
	TT_ASSERT_NO_LEAK();

	/* The same 6 old half-opens and 2 young ones: young share 2/8 gives the old
	 * ones synack_retries - 2 = 3 retries, so none goes at the third expiry. */
	tt_reinit();
	memset(&tt_app, 0, sizeof(tt_app));
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	half_opens(42000, 6);
	tt_advance_ms(1000);
	tt_advance_ms(2000);
	tt_advance_ms(3500);
	tt_peer_port = 43000;
	tt_rx_syn(1000, 1460);
	tt_peer_port = 43001;
	tt_rx_syn(1000, 1460);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 8);
	lr_test_tx_clear();
	tt_advance_ms(500);                 /* the old ones' third expiry */
	TT_EXPECT_COUNT(6);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HALF_OPEN_PRUNED), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 8);
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
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT); /* an entry: c is freed */
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
 * timer wheel, so lr_tcp_tick() no longer visits it. */
static void
test_tcp_idle_conn_leaves_timer_list(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT(c->flags & TCP_F_ON_WHEEL); /* the SYN-ACK timer was armed */
	tt_advance_ms(3600 * 1000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT(!(c->flags & TCP_F_ON_WHEEL));
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 0);
	lr_test_learn_peer(); /* the ARP entry aged out during the hour */
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), 1);
	tt_flush();
	CU_ASSERT(c->flags & TCP_F_ON_WHEEL);
	TT_ASSERT_NO_LEAK();
}

/* --- The timer wheel: slots, levels, laziness, clock jumps --- */

#define WH_PORT 41000 /* connection i comes from peer port WH_PORT + i */

static struct lr_tcp_conn *wh_last;     /* last connection established */
static struct lr_tcp_conn *wh_pair[2];  /* aborted by the first closed callback */
static unsigned int wh_closed;

static void
wh_connected(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	wh_last = c;
}

static void
wh_closed_abort_other(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg)
{
	unsigned int i;

	RTE_SET_USED(reason);
	RTE_SET_USED(arg);
	wh_closed++;
	for (i = 0; i < RTE_DIM(wh_pair); i++) {
		if (wh_pair[i] != NULL && wh_pair[i] != c)
			lr_tcp_abort(wh_pair[i]);
		wh_pair[i] = NULL;
	}
}

static const struct lr_tcp_callbacks wh_cb = {
	.connected = wh_connected,
	.closed = wh_closed_abort_other,
};

/* A shard with this keepalive and the listener on TT_OUR_PORT. */
static void
wheel_setup(uint32_t keep_ms, uint32_t intvl_ms, uint8_t probes)
{
	tt_conf.keepalive_ms = keep_ms;
	tt_conf.keepalive_intvl_ms = intvl_ms;
	tt_conf.keepalive_probes = probes;
	tt_reinit();
	wh_closed = 0;
	memset(wh_pair, 0, sizeof(wh_pair));
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &wh_cb, NULL), 0);
}

/* Passive open from peer port WH_PORT + i now; the recorder is cleared. */
static struct lr_tcp_conn *
wheel_open(unsigned int i)
{
	tt_peer_port = (uint16_t)(WH_PORT + i);
	wh_last = NULL;
	tt_rx_syn(1000, 1460);
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	lr_test_tx_clear();
	CU_ASSERT_PTR_NOT_NULL_FATAL(wh_last);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(wh_last), LR_TCP_ESTABLISHED);
	return wh_last;
}

/* Frames sent to connection i since the recorder was cleared. */
static unsigned int
sent_to(unsigned int i)
{
	unsigned int k, n = 0;
	struct tt_out o;

	for (k = 0; k < lr_test_tx_count(); k++)
		if (tt_out(k, &o) == 0 && o.dport == WH_PORT + i)
			n++;
	return n;
}

static uint64_t
jiffy_now(void)
{
	return lr_tw->now_us / TCP_TW_GRAN_US;
}

/* Move the clock to t (microseconds), run the timers, end the burst. */
static void
advance_to(uint64_t t)
{
	lr_test_advance_us(t - lr_tw->now_us);
	lr_tcp_tick(lr_tw);
	tt_flush();
}

/* A long step: the peer's ARP entry is learnt again before the timers run. */
static void
jump_ms(uint64_t ms)
{
	lr_test_advance_us(ms * 1000);
	lr_test_learn_peer();
	lr_tcp_tick(lr_tw);
	tt_flush();
}

/* Two deadlines 600 us apart in one slot: neither runs before its deadline, both
 * run when the slot's jiffy starts (at most one granularity late). */
static void
test_tcp_wheel_same_slot_deadlines(void)
{
	struct lr_tcp_conn *a, *b;
	uint64_t t0;

	wheel_setup(2000, 1000, 3);
	t0 = (jiffy_now() + 1) * TCP_TW_GRAN_US;
	advance_to(t0 + 100);
	a = wheel_open(0);
	advance_to(t0 + 700);
	b = wheel_open(1);
	CU_ASSERT_EQUAL(tcp_timer_due_us(a, TCP_T_KEEP), JIFFY_UP(t0 + 100 + 2000000));
	CU_ASSERT_EQUAL(tcp_timer_due_us(b, TCP_T_KEEP), JIFFY_UP(t0 + 700 + 2000000));
	advance_to(t0 + 2000099);
	TT_EXPECT_COUNT(0);
	CU_ASSERT(a->flags & TCP_F_ON_WHEEL);
	CU_ASSERT_EQUAL(a->tw_jiffy, b->tw_jiffy);
	CU_ASSERT_EQUAL(a->tw_jiffy, t0 / TCP_TW_GRAN_US + 2001);
	advance_to(t0 + 2000999); /* past both deadlines, the slot's jiffy not begun */
	TT_EXPECT_COUNT(0);
	advance_to(t0 + 2001000);
	TT_EXPECT_COUNT(2);
	CU_ASSERT_EQUAL(sent_to(0), 1);
	CU_ASSERT_EQUAL(sent_to(1), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_KEEPALIVE_PROBE), 2);
	TT_ASSERT_NO_LEAK();
}

/* Keepalive every 2 ms across the end of a level 0 revolution: slots 4094, 4095,
 * 0, 1 ... each timer exactly on its millisecond. */
static void
test_tcp_wheel_deadlines_across_wrap(void)
{
	uint64_t wrap;
	struct lr_tcp_conn *c;
	unsigned int i;

	wheel_setup(3, 2, 3);
	wrap = (jiffy_now() | (TCP_TW_L0_SLOTS - 1)) + 1;
	advance_to((wrap - 2) * TCP_TW_GRAN_US);
	c = wheel_open(0);
	CU_ASSERT_EQUAL(c->tw_jiffy, wrap + 1); /* the keepalive moved it before the SYN-ACK's */
	CU_ASSERT_EQUAL(c->tw_jiffy & (TCP_TW_L0_SLOTS - 1), 1);
	for (i = 0; i < 3; i++) {
		tt_advance_ms(i == 0 ? 2 : 1);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
		TT_EXPECT_COUNT(1);
		TT_EXPECT(0, TT_ACK, 8000, 1001, 0);
		lr_test_tx_clear();
	}
	tt_advance_ms(1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT(0, TT_RST, 8001, 0, 0);
	CU_ASSERT_EQUAL(jiffy_now(), wrap + 7);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 0);
	TT_ASSERT_NO_LEAK();
}

/* A 2 h keepalive is 1758 revolutions of level 0: it waits in level 1 and is
 * visited a bounded number of times, not once per revolution; a clock jump of 6
 * revolutions on the way does not fire it. */
static void
test_tcp_wheel_keepalive_2h_beyond_one_revolution(void)
{
	struct lr_tcp_conn *c;
	uint64_t t0, v0;
	unsigned int i;

	wheel_setup(7200000, 75000, 3);
	c = wheel_open(0);
	t0 = lr_tw->now_us;
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_KEEP), JIFFY_UP(t0 + 7200000000ull));
	v0 = lr_tw->tcp->tw.visits;
	jump_ms(25000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.cur, jiffy_now() + 1);
	CU_ASSERT(c->flags & TCP_F_ON_WHEEL);
	CU_ASSERT(c->tw_jiffy > jiffy_now() + TCP_TW_L0_SLOTS); /* in level 1 */
	for (i = 25; i < 7199; i++)
		tt_advance_ms(1000);
	tt_advance_ms(999);
	TT_EXPECT_COUNT(0);
	CU_ASSERT(lr_tw->tcp->tw.visits - v0 <= 3);
	jump_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(lr_tw->now_us, t0 + 7200000000ull);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_KEEP), JIFFY_UP(lr_tw->now_us + 75000000ull));
	TT_ASSERT_NO_LEAK();
}

/*
 * Deadlines are kept as the low 32 bits of their jiffy: the clock passes 2^32 jiffies
 * after 49.7 days. A keepalive armed 300 ms before that point fires 1 s later, after
 * it, neither early nor never; one whose jiffy is exactly 2^32 (stored as 1, since
 * 0 means stopped) fires one jiffy late.
 */
static void
test_tcp_timer_32bit_jiffy_wrap(void)
{
	const uint64_t wrap_us = (1ull << 32) * TCP_TW_GRAN_US;
	struct lr_tcp_conn *c;

	wheel_setup(1000, 1000, 3);
	jump_ms((wrap_us - 300000 - lr_tw->now_us) / 1000);
	c = wheel_open(0);
	CU_ASSERT_EQUAL(c->timer[TCP_T_KEEP], 700);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_KEEP), wrap_us + 700000);
	tt_advance_ms(299);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tw->now_us, wrap_us);
	tt_advance_ms(699);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1); /* the first probe, at the deadline */
	TT_EXPECT(0, TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	lr_tcp_abort(c);
	tt_flush();

	/* Armed for jiffy 2 * 2^32: fires at its next jiffy. */
	jump_ms((2 * wrap_us - 1000000 - lr_tw->now_us) / 1000);
	lr_test_tx_clear();
	c = wheel_open(1);
	CU_ASSERT_EQUAL(c->timer[TCP_T_KEEP], 1);
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_ASSERT_NO_LEAK();
}

/* FIN_WAIT_2 for 6 h, beyond what level 1 spans (4.66 h): filed in its last block,
 * filed again from there, freed exactly at its deadline. */
static void
test_tcp_wheel_fin_wait_2_beyond_level_1(void)
{
	struct lr_tcp_conn *c;
	uint64_t t0;
	unsigned int i;

	tt_conf.fin_wait2_ms = 6 * 3600 * 1000;
	wheel_setup(0, 1000, 3);
	c = wheel_open(0);
	lr_tcp_close(c);
	tt_flush();
	tt_rx(1001, 8002, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	t0 = lr_tw->now_us;
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_FW2), JIFFY_UP(t0 + 6ull * 3600 * 1000000));
	for (i = 0; i < 6 * 360 - 1; i++)
		tt_advance_ms(10000);
	tt_advance_ms(9999);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FIN_WAIT2_TIMEOUT), 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 0);
	TT_ASSERT_NO_LEAK();
}

/* An earlier deadline moves the connection to its slot at once; a later one (the
 * keepalive pushed back by a segment, the retransmission timer stopped) leaves it
 * where it is until that slot comes up, then it is filed again. */
static void
test_tcp_wheel_rearm_earlier_moves_later_lazy(void)
{
	struct lr_tcp_conn *c;
	uint64_t t_ack, j_old, v0;

	wheel_setup(10000, 1000, 3);
	c = wheel_open(0);
	tt_advance_ms(1000); /* the stopped SYN-ACK timer's slot: filed at the keepalive */
	CU_ASSERT(c->tw_jiffy > jiffy_now() + TCP_TW_L0_SLOTS / 2);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), 1);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(c->tw_jiffy, jiffy_now() + c->rto_us / TCP_TW_GRAN_US);
	tt_advance_ms(c->rto_us / 1000 - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 1);
	lr_test_tx_clear();
	tt_advance_ms(50);
	j_old = c->tw_jiffy; /* the backed-off retransmission */
	tt_rx(1001, 8002, TT_ACK, NULL, 0);
	t_ack = lr_tw->now_us;
	CU_ASSERT_EQUAL(c->timer[TCP_T_REXMT], 0);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_KEEP), JIFFY_UP(t_ack + 10000000));
	CU_ASSERT_EQUAL(c->tw_jiffy, j_old); /* lazy */
	v0 = lr_tw->tcp->tw.visits;
	advance_to(j_old * TCP_TW_GRAN_US);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.visits - v0, 1);
	CU_ASSERT(c->tw_jiffy > j_old);
	advance_to(t_ack + 10000000 - 1000);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	TT_ASSERT_NO_LEAK();
}

/* Timers stopped (the connection stays filed, lazily), then the connection freed:
 * it leaves the wheel, and nothing runs when its old deadlines pass. */
static void
test_tcp_wheel_stop_then_free(void)
{
	struct lr_tcp_conn *c;

	wheel_setup(10000, 1000, 3);
	c = wheel_open(0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), 1);
	tt_flush();
	lr_test_tx_clear();
	tcp_timer_stop(c, TCP_T_REXMT);
	tcp_timer_stop(c, TCP_T_KEEP);
	CU_ASSERT(c->flags & TCP_F_ON_WHEEL);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 1);
	lr_tcp_abort(c);
	CU_ASSERT(!(c->flags & TCP_F_ON_WHEEL)); /* still readable: reaped at the flush */
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 0);
	tt_flush();
	TT_EXPECT(0, TT_RST, 8002, 0, 0);
	lr_test_tx_clear();
	tt_advance_ms(20000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* Two connections in one slot; the first one's timeout frees the second from its
 * closed callback: the second never runs, nothing is freed twice. */
static void
test_tcp_wheel_callback_frees_other_conn_in_slot(void)
{
	struct lr_tcp_conn *a, *b;
	struct tt_out o;

	wheel_setup(2000, 1000, 1);
	a = wheel_open(0);
	b = wheel_open(1);
	CU_ASSERT_EQUAL(a->tw_jiffy, b->tw_jiffy);
	wh_pair[0] = a;
	wh_pair[1] = b;
	tt_advance_ms(2000);
	TT_EXPECT_COUNT(2); /* one probe each */
	lr_test_tx_clear();
	tt_advance_ms(999);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(2); /* one RST from the timeout, one from the abort */
	CU_ASSERT(tt_out(0, &o) == 0 && o.flags == TT_RST);
	CU_ASSERT(tt_out(1, &o) == 0 && o.flags == TT_RST);
	CU_ASSERT_EQUAL(sent_to(0), 1);
	CU_ASSERT_EQUAL(sent_to(1), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_KEEPALIVE_DROP), 1);
	CU_ASSERT_EQUAL(wh_closed, 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 0);
	TT_ASSERT_NO_LEAK();
}

/* The clock jumps 10 h (8789 revolutions): every due timer runs once, the wheel
 * lands on the new time, and the next deadlines count from there. */
static void
test_tcp_wheel_clock_jump_many_revolutions(void)
{
	struct lr_tcp_conn *a, *c;
	uint64_t v0;

	wheel_setup(10000, 1000, 3);
	a = wheel_open(0);
	c = wheel_open(1);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), 1);
	tt_flush();
	lr_test_tx_clear();
	v0 = lr_tw->tcp->tw.visits;
	jump_ms(10ull * 3600 * 1000);
	CU_ASSERT_EQUAL(sent_to(0), 1); /* keepalive probe */
	CU_ASSERT_EQUAL(sent_to(1), 1); /* retransmission; its keepalive only re-armed */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_KEEPALIVE_PROBE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.cur, jiffy_now() + 1);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, 2);
	CU_ASSERT(lr_tw->tcp->tw.visits - v0 <= 2);
	CU_ASSERT_EQUAL(tcp_timer_due_us(a, TCP_T_KEEP), JIFFY_UP(lr_tw->now_us + 1000000));
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_REXMT), JIFFY_UP(lr_tw->now_us + c->rto_us));
	lr_test_tx_clear();
	tt_advance_ms(c->rto_us / 1000 - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(sent_to(1), 1);
	lr_test_tx_clear();
	tt_advance_ms(1000 - c->rto_us / 2000 - 1);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(sent_to(0), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	TT_ASSERT_NO_LEAK();
}

/* 40 connections armed, 3 due: the tick visits those 3 and no other; the others'
 * timers are untouched; ticks with nothing due visit nothing. */
static void
test_tcp_wheel_few_due_among_many(void)
{
	struct lr_tcp_conn *c[40];
	uint64_t t0, v0;
	unsigned int i;

	wheel_setup(10000, 1000, 3);
	advance_to(((jiffy_now() | (TCP_TW_L0_SLOTS - 1)) + 101) * TCP_TW_GRAN_US);
	t0 = lr_tw->now_us;
	for (i = 0; i < 3; i++)
		c[i] = wheel_open(i);
	tt_advance_ms(5000);
	for (i = 3; i < RTE_DIM(c); i++)
		c[i] = wheel_open(i);
	tt_advance_ms(4999);
	TT_EXPECT_COUNT(0);
	v0 = lr_tw->tcp->tw.visits;
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.visits - v0, 3);
	TT_EXPECT_COUNT(3);
	for (i = 0; i < RTE_DIM(c); i++) {
		CU_ASSERT_EQUAL(sent_to(i), i < 3 ? 1 : 0);
		CU_ASSERT_EQUAL(c[i]->keep_probes, i < 3 ? 1 : 0);
		CU_ASSERT_EQUAL(tcp_timer_due_us(c[i], TCP_T_KEEP), JIFFY_UP(i < 3 ?
				lr_tw->now_us + 1000000 : t0 + 15000000));
	}
	v0 = lr_tw->tcp->tw.visits;
	for (i = 0; i < 999; i++)
		tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.visits, v0);
	CU_ASSERT_EQUAL(lr_tw->tcp->tw.nb, RTE_DIM(c));
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_syn_rto_backoff_and_give_up", test_tcp_syn_rto_backoff_and_give_up },
	{ "test_tcp_synack_rto_give_up_returns_to_listen",
		test_tcp_synack_rto_give_up_returns_to_listen },
	{ "test_tcp_synack_old_half_opens_pruned_when_half_full",
		test_tcp_synack_old_half_opens_pruned_when_half_full },
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
	{ "test_tcp_wheel_same_slot_deadlines", test_tcp_wheel_same_slot_deadlines },
	{ "test_tcp_wheel_deadlines_across_wrap", test_tcp_wheel_deadlines_across_wrap },
	{ "test_tcp_wheel_keepalive_2h_beyond_one_revolution",
		test_tcp_wheel_keepalive_2h_beyond_one_revolution },
	{ "test_tcp_wheel_fin_wait_2_beyond_level_1", test_tcp_wheel_fin_wait_2_beyond_level_1 },
	{ "test_tcp_timer_32bit_jiffy_wrap", test_tcp_timer_32bit_jiffy_wrap },
	{ "test_tcp_wheel_rearm_earlier_moves_later_lazy",
		test_tcp_wheel_rearm_earlier_moves_later_lazy },
	{ "test_tcp_wheel_stop_then_free", test_tcp_wheel_stop_then_free },
	{ "test_tcp_wheel_callback_frees_other_conn_in_slot",
		test_tcp_wheel_callback_frees_other_conn_in_slot },
	{ "test_tcp_wheel_clock_jump_many_revolutions",
		test_tcp_wheel_clock_jump_many_revolutions },
	{ "test_tcp_wheel_few_due_among_many", test_tcp_wheel_few_due_among_many },
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
