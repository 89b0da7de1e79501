/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cubic.c: CUBIC (RFC 9438) on the virtual clock, frames in and out. The
 * appliance sends with MSS 1460 (tt_passive_open, no timestamps); its first byte is
 * 8001. The curve cases set the state a loss would leave (cwnd, ssthresh, W_max,
 * cwnd_prior) and then feed ACKs at chosen times; the reduction cases produce the
 * loss with duplicate ACKs or the retransmission timer.
 */
#include <string.h>

#include "tcp_test.h"

#define MSS 1460u

static uint8_t bulk[65536];

/* The peer acknowledges ack with its default window. */
static void
ack(uint32_t a)
{
	tt_rx(1001, a, TT_ACK, NULL, 0);
}

/* A CUBIC connection by the shard's default (conf.cc). */
static struct lr_tcp_conn *
cubic_open(void)
{
	memset(&tt_app, 0, sizeof(tt_app));
	tt_conf.cc = LR_TCP_CC_CUBIC;
	tt_reinit();
	return tt_passive_open();
}

/* Established CUBIC connection, 30000 bytes queued, the initial window sent. */
static struct lr_tcp_conn *
cubic_open_and_send(void)
{
	struct lr_tcp_conn *c = cubic_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 30000), 30000);
	tt_flush();
	return c;
}

/* State after a loss: cwnd = ssthresh = cwnd_epoch, W_max and cwnd_prior. */
static void
set_after_loss(struct lr_tcp_conn *c, uint32_t cwnd, uint32_t w_max)
{
	c->cwnd = cwnd;
	c->ssthresh = cwnd;
	c->cub.w_max = w_max;
	c->cub.prior = w_max;
	c->cub.w_est = 0;
	c->cc_acc = 0;
}

/* The peer acknowledges n more bytes; the application keeps the buffer topped up. */
static void
ack_more(struct lr_tcp_conn *c, uint32_t n)
{
	ack(c->snd_una + n);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, n), (int)n);
	tt_flush();
	lr_test_tx_clear();
}

/* W_cubic(t) = C * (t - K)^3 + W_max in bytes, t and K in seconds (the reference). */
static double
w_cubic(double t, double k, double w_max)
{
	return 0.4 * MSS * (t - k) * (t - k) * (t - k) + w_max;
}

/* floor(cbrt(x)) on perfect cubes, one below and one above, over the whole range. */
static void
test_tcp_cubic_cbrt_exact(void)
{
	uint64_t n;

	CU_ASSERT_EQUAL(tcp_cubic_cbrt(0), 0);
	CU_ASSERT_EQUAL(tcp_cubic_cbrt(1), 1);
	CU_ASSERT_EQUAL(tcp_cubic_cbrt(7), 1);
	CU_ASSERT_EQUAL(tcp_cubic_cbrt(8), 2);
	for (n = 2; n <= 2642245; n += 1 + n / 64) {
		CU_ASSERT_EQUAL_FATAL(tcp_cubic_cbrt(n * n * n), n);
		CU_ASSERT_EQUAL_FATAL(tcp_cubic_cbrt(n * n * n - 1), n - 1);
		if (n < 2642245)
			CU_ASSERT_EQUAL_FATAL(tcp_cubic_cbrt(n * n * n + 1), n);
	}
	CU_ASSERT_EQUAL(tcp_cubic_cbrt(UINT64_MAX), 2642245); /* 2642245^3 < 2^64 */
}

/* conf.cc, a listener's choice and lr_tcp_set_cc(); names both ways; a bad value is
 * refused. */
static void
test_tcp_cubic_selected_by_conf_listener_and_connection(void)
{
	struct lr_tcp_conn *c;

	CU_ASSERT_STRING_EQUAL(lr_tcp_cc_name(LR_TCP_CC_NEWRENO), "newreno");
	CU_ASSERT_STRING_EQUAL(lr_tcp_cc_name(LR_TCP_CC_CUBIC), "cubic");
	CU_ASSERT_STRING_EQUAL(lr_tcp_cc_name(LR_TCP_CC_NB), "?");
	CU_ASSERT_EQUAL(lr_tcp_cc_parse("cubic"), LR_TCP_CC_CUBIC);
	CU_ASSERT_EQUAL(lr_tcp_cc_parse("newreno"), LR_TCP_CC_NEWRENO);
	CU_ASSERT_EQUAL(lr_tcp_cc_parse("reno"), -1);
	/* default NewReno; the listener asks for CUBIC */
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_cc(lr_tw, TT_OUR_PORT, LR_TCP_CC_CUBIC), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_cc(lr_tw, TT_OUR_PORT + 1, LR_TCP_CC_CUBIC), -ENOENT);
	CU_ASSERT_EQUAL(lr_tcp_listen_cc(lr_tw, TT_OUR_PORT, LR_TCP_CC_NB), -EINVAL);
	tt_rx_syn(1000, 1460);
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_STRING_EQUAL(tt_info().cc, "cubic");
	c = tt_app.conn;
	CU_ASSERT_EQUAL(lr_tcp_set_cc(c, LR_TCP_CC_NEWRENO), 0);
	CU_ASSERT_STRING_EQUAL(tt_info().cc, "newreno");
	CU_ASSERT_EQUAL(lr_tcp_set_cc(c, LR_TCP_CC_NB), -EINVAL);
	TT_ASSERT_NO_LEAK();
	/* the shard's default */
	cubic_open();
	CU_ASSERT_STRING_EQUAL(tt_info().cc, "cubic");
	lr_tcp_worker_fini(lr_tw);
	tt_conf.cc = LR_TCP_CC_NB;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &tt_conf), -EINVAL);
	tt_conf.cc = LR_TCP_CC_CUBIC;
	tt_reinit();
	TT_ASSERT_NO_LEAK();
}

/* §4.6: the third duplicate ACK retransmits at once, ssthresh = 0.7 FlightSize (not
 * half), W_max = cwnd_prior = cwnd, cwnd = ssthresh + 3 SMSS; the full ACK ends
 * recovery as NewReno does. */
static void
test_tcp_cubic_fast_retransmit_beta_07(void)
{
	struct lr_tcp_conn *c = cubic_open_and_send();

	lr_test_tx_clear();
	ack(8001);
	ack(8001);
	ack(8001);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 10 * MSS * 7 / 10);
	CU_ASSERT_EQUAL(tt_info().cwnd, 10 * MSS * 7 / 10 + 3 * MSS);
	CU_ASSERT_EQUAL(c->cub.w_max, 10 * MSS);
	CU_ASSERT_EQUAL(c->cub.prior, 10 * MSS);
	CU_ASSERT_EQUAL(c->cub.w_est, 0);
	ack(8001 + 10 * MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, 2 * MSS); /* min(ssthresh, FlightSize 0 + 2 SMSS) */
	CU_ASSERT_EQUAL(tt_info().ssthresh, 10 * MSS * 7 / 10);
	TT_ASSERT_NO_LEAK();
}

/* §4.7: a loss before cwnd got back to W_max lowers W_max to cwnd (1 + beta) / 2; one
 * at or above it sets W_max = cwnd. */
static void
test_tcp_cubic_fast_convergence(void)
{
	struct lr_tcp_conn *c = cubic_open();
	uint32_t una;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 60000), 60000);
	set_after_loss(c, 20 * MSS, 30 * MSS);
	tt_flush();
	una = c->snd_una;
	ack(una);
	ack(una);
	ack(una);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT_EQUAL(c->cub.w_max, 20 * MSS * 17 / 20);
	CU_ASSERT_EQUAL(c->cub.prior, 20 * MSS);
	CU_ASSERT_EQUAL(c->ssthresh, 20 * MSS * 7 / 10);
	TT_ASSERT_NO_LEAK();
	c = cubic_open();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 60000), 60000);
	set_after_loss(c, 20 * MSS, 15 * MSS);
	tt_flush();
	una = c->snd_una;
	ack(una);
	ack(una);
	ack(una);
	CU_ASSERT_EQUAL(c->cub.w_max, 20 * MSS);
	TT_ASSERT_NO_LEAK();
}

/*
 * §4.2, §4.4, §4.5: after a loss at W_max = 100 segments, with cwnd_epoch = 70, K =
 * cbrt(30 / 0.4) = 4.217 s. ACKs of two segments every 10 ms for 9 s: cwnd follows
 * W_cubic, between W_cubic(t - 0.5 s) (the flight is held to 44 segments by the
 * peer's 64 KiB window, so each RTT closes part of the gap only) and
 * W_cubic(t + RTT); it grows fast, slows to a plateau at W_max around K (concave),
 * then speeds up again (convex).
 */
static void
test_tcp_cubic_window_follows_cubic_curve(void)
{
	struct lr_tcp_conn *c = cubic_open();
	const double k = 4.21716, w_max = 100.0 * MSS;
	uint32_t cw[10] = { 0 };
	uint64_t t0;
	unsigned int i;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 60000), 60000);
	set_after_loss(c, 70 * MSS, 100 * MSS);
	tt_flush();
	lr_test_tx_clear();
	t0 = lr_tw->now_us;
	for (i = 1; i <= 900; i++) {
		double t = (double)(lr_tw->now_us - t0) / 1e6, rtt = c->srtt_us / 1e6;

		ack_more(c, 2 * MSS);
		if (t >= 0.5) {
			CU_ASSERT(c->cwnd >= w_cubic(t - 0.5, k, w_max) * 0.99);
			CU_ASSERT(c->cwnd <= w_cubic(t + rtt, k, w_max) + MSS);
		}
		if (i % 100 == 0)
			cw[i / 100] = c->cwnd;
		lr_test_advance_us(10000);
		lr_tcp_tick(lr_tw);
	}
	CU_ASSERT_EQUAL(c->cub.k_ms - (uint32_t)(t0 / 1000), 4217);
	CU_ASSERT(c->cub.w_est < 80 * MSS); /* the Reno estimate stayed below the curve */
	/* concave: each second adds less than the one before, up to W_max */
	CU_ASSERT(cw[2] - cw[1] > cw[3] - cw[2]);
	CU_ASSERT(cw[3] - cw[2] > cw[4] - cw[3]);
	CU_ASSERT(cw[4] <= 100 * MSS);
	CU_ASSERT(cw[4] >= 98 * MSS);
	/* convex: each second adds more than the one before */
	CU_ASSERT(cw[6] - cw[5] < cw[7] - cw[6]);
	CU_ASSERT(cw[7] - cw[6] < cw[8] - cw[7]);
	CU_ASSERT(cw[9] > 105 * MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	TT_ASSERT_NO_LEAK();
}

/* Acknowledged segments until cwnd reaches target, one segment per ACK, clock
 * stopped. */
static unsigned int
acks_until(struct lr_tcp_conn *c, uint32_t target)
{
	unsigned int n = 0;

	while (c->cwnd < target && n < 1000) {
		ack_more(c, MSS);
		n++;
	}
	return n;
}

/*
 * §4.3: with the clock stopped (a tiny RTT) W_cubic(t) stays at cwnd_epoch while
 * ACKs arrive, and cwnd follows the Reno-friendly W_est instead: alpha_cubic = 9/17
 * segment per window acknowledged up to cwnd_prior, then 1 (Reno's rate). From 7 to
 * 10 segments that takes 17/9 (7 + 8 + 9) = 45.3 segments acknowledged, from 10 to
 * 12 another 10 + 11 = 21.
 */
static void
test_tcp_cubic_reno_friendly_region(void)
{
	struct lr_tcp_conn *c = cubic_open();
	unsigned int n;

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 60000), 60000);
	set_after_loss(c, 7 * MSS, 10 * MSS);
	tt_flush();
	lr_test_tx_clear();
	n = acks_until(c, 10 * MSS);
	CU_ASSERT(n >= 45 && n <= 47);
	CU_ASSERT_EQUAL(c->cwnd, c->cub.w_est);
	n = acks_until(c, 12 * MSS);
	CU_ASSERT(n >= 20 && n <= 22);
	CU_ASSERT_EQUAL(c->cwnd, 12 * MSS);
	TT_ASSERT_NO_LEAK();
}

/*
 * §4.8: a timeout sets cwnd to 1 SMSS and ssthresh to 0.7 FlightSize; expiring
 * again holds ssthresh and cwnd_prior (RFC 5681 §3.1). Slow start climbs back to
 * ssthresh, and the first epoch after it starts with K = 0 and W_max = its cwnd.
 */
static void
test_tcp_cubic_timeout(void)
{
	struct lr_tcp_conn *c = cubic_open_and_send();
	uint32_t a = 8001;

	lr_test_tx_clear();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, MSS);
	CU_ASSERT_EQUAL(tt_info().cwnd, MSS);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 10 * MSS * 7 / 10);
	CU_ASSERT_EQUAL(c->cub.prior, 10 * MSS);
	CU_ASSERT_EQUAL(c->cub.w_max, 0);
	tt_advance_ms(2 * tt_conf.rto_min_ms + 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 2);
	CU_ASSERT_EQUAL(tt_info().ssthresh, 10 * MSS * 7 / 10);
	CU_ASSERT_EQUAL(c->cub.prior, 10 * MSS);
	/* slow start: 1, 2, 3, ... segments acked one at a time up to ssthresh */
	while (c->cwnd < c->ssthresh) {
		a += MSS;
		ack(a);
	}
	CU_ASSERT_EQUAL(c->cub.w_est, 0);
	a += MSS;
	ack(a);
	CU_ASSERT(c->cub.w_est != 0);
	CU_ASSERT_EQUAL(c->cub.w_max, c->cub.w_est); /* W_max = cwnd_epoch */
	CU_ASSERT_EQUAL(c->cub.k_ms, (uint32_t)(lr_tw->now_us / 1000)); /* K = 0 */
	TT_ASSERT_NO_LEAK();
}

/* Grow cwnd to 15 segments or more (slow start, then congestion avoidance past
 * ssthresh), acknowledge everything, stay idle for idle_pct % of the RTO, then
 * queue 20000 bytes: @return segments that leave at once. */
static unsigned int
send_after_idle(struct lr_tcp_conn *c, unsigned int idle_pct)
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
	CU_ASSERT_EQUAL(c->snd_una, c->snd_max);
	CU_ASSERT(c->cwnd >= 15 * MSS);
	tt_advance_ms((uint64_t)c->rto_us / 1000 * idle_pct / 100);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 20000), 20000);
	tt_flush();
	return lr_test_tx_count();
}

/*
 * RFC 5681 §4.1 for CUBIC: after an idle period longer than the RTO the flight
 * restarts from RW = min(IW, cwnd) = 10 segments, ssthresh keeps 3/4 of the old
 * cwnd, the epoch ends (W_max stays); idle no longer than the RTO changes nothing,
 * nor does any idle with slow_start_after_idle off.
 */
static void
test_tcp_cubic_restart_after_idle(void)
{
	struct lr_tcp_conn *c = cubic_open();

	c->ssthresh = 15 * MSS; /* congestion avoidance by the end: an epoch runs */
	c->cub.w_max = 40 * MSS;
	CU_ASSERT_EQUAL(send_after_idle(c, 150), 10);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 1);
	CU_ASSERT_EQUAL(c->cwnd, 10 * MSS);
	CU_ASSERT(c->ssthresh >= 15 * MSS);
	CU_ASSERT_EQUAL(c->cub.w_est, 0);
	CU_ASSERT_EQUAL(c->cub.w_max, 40 * MSS);
	TT_ASSERT_NO_LEAK();
	c = cubic_open();
	CU_ASSERT_EQUAL(send_after_idle(c, 50), 14); /* 20000 bytes */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 0);
	TT_ASSERT_NO_LEAK();
	tt_conf.slow_start_after_idle = false;
	c = cubic_open();
	CU_ASSERT_EQUAL(send_after_idle(c, 500), 14);
	CU_ASSERT(c->cwnd >= 20 * MSS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CWND_RESTART), 0);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_cubic_cbrt_exact", test_tcp_cubic_cbrt_exact },
	{ "test_tcp_cubic_selected_by_conf_listener_and_connection",
		test_tcp_cubic_selected_by_conf_listener_and_connection },
	{ "test_tcp_cubic_fast_retransmit_beta_07", test_tcp_cubic_fast_retransmit_beta_07 },
	{ "test_tcp_cubic_fast_convergence", test_tcp_cubic_fast_convergence },
	{ "test_tcp_cubic_window_follows_cubic_curve",
		test_tcp_cubic_window_follows_cubic_curve },
	{ "test_tcp_cubic_reno_friendly_region", test_tcp_cubic_reno_friendly_region },
	{ "test_tcp_cubic_timeout", test_tcp_cubic_timeout },
	{ "test_tcp_cubic_restart_after_idle", test_tcp_cubic_restart_after_idle },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_cubic", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
