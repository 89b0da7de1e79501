/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_hystart.c: slow start, classic (RFC 5681) or HyStart++ (RFC 9406), for NewReno
 * and CUBIC, frames in and out on the virtual clock. The peer opens with MSS 1460,
 * window scaling (its window is 8 MiB) and timestamps, so our segments carry 1448
 * bytes and every ACK gives an RTT sample: now - TSecr. The path is simulated a round
 * trip at a time: what we sent is held for the round trip's RTT, then each segment is
 * acknowledged on its own, echoing its TSval; the application keeps the send buffer
 * full, and what those ACKs release is the next flight. A path whose queue grows
 * shows as an RTT that rises from one flight to the next; no segment is lost.
 */
#include <string.h>

#include "tcp_test.h"

#define MSS 1448u               /* 1460 less the timestamps option */
#define FLIGHT_MAX 2048u

static uint8_t bulk[65536];

/* The flight in the network: each segment's end and TSval. */
static struct {
	uint32_t end;
	uint32_t tsval;
} flight[FLIGHT_MAX];
static unsigned int nflight;
static uint32_t flight_bytes;   /* their payload */
static uint32_t peer_ts;
static bool no_ts;              /* the peer does not use timestamps */

/* A large send buffer: the flight is held by cwnd alone. */
static void
hs_setup(void)
{
	tt_setup();
	no_ts = false;
	tt_conf.sndbuf = 2u << 20;
	tt_reinit();
}

/* Fill the send buffer. */
static void
top_up(struct lr_tcp_conn *c)
{
	uint32_t room;

	while ((room = RTE_MIN(lr_tcp_send_space(c), (uint32_t)sizeof(bulk))) != 0)
		CU_ASSERT_EQUAL_FATAL(lr_tcp_send(c, bulk, room), (int)room);
}

/* What was sent since the last call becomes the flight. */
static void
take_flight(void)
{
	unsigned int i, n = lr_test_tx_count();
	struct tt_out o;

	nflight = 0;
	flight_bytes = 0;
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
		if (o.len == 0)
			continue;
		CU_ASSERT_FATAL(o.has_ts != no_ts);
		CU_ASSERT_FATAL(nflight < FLIGHT_MAX);
		flight[nflight].end = o.seq + o.len;
		flight[nflight].tsval = o.tsval;
		flight_bytes += o.len;
		nflight++;
	}
	lr_test_tx_clear();
}

/* Established connection with algorithm cc (hystart from tt_conf), the send buffer
 * full and the initial window out as the first flight. */
static struct lr_tcp_conn *
hs_open(enum lr_tcp_cc cc)
{
	uint8_t opt[20] = { 2, 4, 1460 >> 8, 1460 & 0xff, 1, 3, 3, 7 };
	struct lr_tcp_conn *c;
	struct tt_out o;

	memset(&tt_app, 0, sizeof(tt_app));
	tt_conf.cc = cc;
	tt_reinit();
	peer_ts = 100;
	tt_ts_opt(opt + 8, peer_ts, 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_isn = 8000;
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, 20, NULL, 0));
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	lr_test_tx_clear();
	tt_ts_opt(opt, ++peer_ts, o.tsval);
	tt_in(tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(tcp_eff_mss(c), MSS);
	CU_ASSERT_EQUAL(c->hs_state, tt_conf.hystart ? TCP_HS_SS : TCP_HS_OFF);
	top_up(c);
	tt_flush();
	take_flight();
	CU_ASSERT_EQUAL(nflight, 10);
	return c;
}

/* The peer acknowledges a, echoing tsecr. */
static void
ack_ts(uint32_t a, uint32_t tsecr)
{
	uint8_t opt[12];

	if (no_ts) {
		tt_rx(1001, a, TT_ACK, NULL, 0);
		return;
	}
	tt_ts_opt(opt, ++peer_ts, tsecr);
	tt_in(tt_seg(1001, a, TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
}

/* One round trip of rtt_ms: the flight arrives, each segment is acknowledged on its
 * own (an RTT sample of rtt_ms each); what the ACKs release is the next flight. */
static void
round_trip(struct lr_tcp_conn *c, uint32_t rtt_ms)
{
	unsigned int i;

	lr_test_advance_us((uint64_t)rtt_ms * 1000);
	for (i = 0; i < nflight; i++) {
		ack_ts(flight[i].end, flight[i].tsval);
		top_up(c);
		tt_flush();
	}
	take_flight();
}

/* No congestion event: nothing retransmitted, ssthresh still infinite or set by
 * HyStart++ alone. */
static void
expect_no_loss(void)
{
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_REXMT_SEGS), 0);
}

/*
 * RTT 10 ms for two flights (10 and 20 segments), then 20 ms: the round after the
 * one that still holds 10 ms samples has a minimum of 20 ms >= 10 + max(4 ms, 10 /
 * 8): Conservative Slow Start begins there (its eighth sample), before any loss,
 * with cssBaselineMinRtt 20 ms and ssthresh still infinite. In CSS each ACK of one
 * segment adds a quarter segment. Classic slow start would have doubled the flight
 * each round trip.
 */
static void
delay_increase_enters_css(enum lr_tcp_cc cc)
{
	struct lr_tcp_conn *c = hs_open(cc);
	uint32_t cwnd, acked, una;
	unsigned int r;

	round_trip(c, 10);
	CU_ASSERT_EQUAL(nflight, 20);
	round_trip(c, 10);
	CU_ASSERT_EQUAL(nflight, 40);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	round_trip(c, 20); /* its round still has two 10 ms samples of the last flight */
	CU_ASSERT_EQUAL(nflight, 80);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 0);
	round_trip(c, 20);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 1);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_CSS);
	CU_ASSERT_EQUAL(c->hs.css_base, 20000);
	CU_ASSERT_EQUAL(c->ssthresh, UINT32_MAX);
	/* four segments into the 80-segment flight, then a quarter per segment: cwnd
	 * and the next flight near 103 segments instead of 160 (in bytes: cwnd grows by
	 * less than a segment per ACK now, and the remainder leaves in a short segment) */
	CU_ASSERT(flight_bytes > 90 * MSS && flight_bytes < 110 * MSS);
	CU_ASSERT(c->cwnd > 90 * MSS && c->cwnd < 110 * MSS);
	/* CSS: a quarter segment per segment acknowledged */
	cwnd = c->cwnd;
	una = c->snd_una;
	round_trip(c, 20);
	acked = c->snd_una - una;
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_CSS);
	CU_ASSERT(c->cwnd - cwnd >= acked / MSS * (MSS / 4));
	CU_ASSERT(c->cwnd - cwnd <= acked / 4);
	for (r = 0; r < 3; r++)
		round_trip(c, 20);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_SS_RESUME), 0);
	expect_no_loss();
	TT_ASSERT_NO_LEAK();
}

static void
test_tcp_hystart_delay_increase_enters_css_newreno(void)
{
	delay_increase_enters_css(LR_TCP_CC_NEWRENO);
}

static void
test_tcp_hystart_delay_increase_enters_css_cubic(void)
{
	delay_increase_enters_css(LR_TCP_CC_CUBIC);
}

/* RTT 10 ms twice, then 20 ms: into CSS (above); @return the round trips taken. */
static unsigned int
into_css(struct lr_tcp_conn *c)
{
	unsigned int r = 0;

	while (c->hs_state != TCP_HS_CSS && r < 8)
		round_trip(c, r++ < 2 ? 10 : 20);
	CU_ASSERT_EQUAL_FATAL(c->hs_state, TCP_HS_CSS);
	return r;
}

/*
 * CSS_ROUNDS (5) rounds of CSS at a steady 20 ms end it: ssthresh = cwnd, congestion
 * avoidance from there (tcp.hystart_ca); NewReno then adds about one segment per
 * round trip, CUBIC starts an epoch with W_max = cwnd and K = 0 (RFC 9438 §4.10).
 */
static void
css_rounds_end_in_ca(enum lr_tcp_cc cc)
{
	struct lr_tcp_conn *c = hs_open(cc);
	uint32_t cwnd;
	unsigned int r;

	into_css(c);
	/* the round CSS began in is its first: four more */
	for (r = 0; r < 3; r++) {
		round_trip(c, 20);
		CU_ASSERT_EQUAL(c->hs_state, TCP_HS_CSS);
	}
	round_trip(c, 20);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CA), 1);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_OFF);
	CU_ASSERT(c->ssthresh != UINT32_MAX);
	CU_ASSERT(c->cwnd >= c->ssthresh);
	CU_ASSERT(c->cwnd - c->ssthresh < nflight * MSS / 2);
	cwnd = c->cwnd;
	round_trip(c, 20);
	if (cc == LR_TCP_CC_NEWRENO) {
		CU_ASSERT(c->cwnd - cwnd <= 2 * MSS);
	} else {
		CU_ASSERT(c->cub.w_est != 0);
		CU_ASSERT_EQUAL(c->cub.w_max, c->ssthresh);
		CU_ASSERT(c->cwnd - cwnd <= cwnd / 10);
	}
	/* the peer's RTT keeps changing: no more HyStart++ */
	round_trip(c, 5);
	round_trip(c, 40);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_SS_RESUME), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CA), 1);
	expect_no_loss();
	TT_ASSERT_NO_LEAK();
}

static void
test_tcp_hystart_css_rounds_end_in_ca_newreno(void)
{
	css_rounds_end_in_ca(LR_TCP_CC_NEWRENO);
}

static void
test_tcp_hystart_css_rounds_end_in_ca_cubic(void)
{
	css_rounds_end_in_ca(LR_TCP_CC_CUBIC);
}

/*
 * The RTT falls back to 10 ms in CSS: the round's minimum is below the 20 ms
 * baseline, the exit was spurious (jitter): back to slow start (tcp.hystart_ss_resume),
 * the flight doubling again; a steady RTT then keeps it there.
 */
static void
rtt_drop_returns_to_slow_start(enum lr_tcp_cc cc)
{
	struct lr_tcp_conn *c = hs_open(cc);
	uint32_t bytes;

	into_css(c);
	round_trip(c, 20); /* the tail of the 20 ms flight ... */
	round_trip(c, 10); /* ... then 10 ms */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_SS_RESUME), 1);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	CU_ASSERT_EQUAL(c->hs.css_base, UINT32_MAX);
	CU_ASSERT_EQUAL(c->ssthresh, UINT32_MAX);
	round_trip(c, 10);
	bytes = flight_bytes;
	round_trip(c, 10);
	CU_ASSERT_EQUAL(flight_bytes, 2 * bytes); /* doubling again */
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CA), 0);
	expect_no_loss();
	TT_ASSERT_NO_LEAK();
}

static void
test_tcp_hystart_rtt_drop_returns_to_slow_start_newreno(void)
{
	rtt_drop_returns_to_slow_start(LR_TCP_CC_NEWRENO);
}

static void
test_tcp_hystart_rtt_drop_returns_to_slow_start_cubic(void)
{
	rtt_drop_returns_to_slow_start(LR_TCP_CC_CUBIC);
}

/*
 * [tcp] hystart = no: the same path, classic slow start: the flight doubles every
 * round trip whatever the RTT does (10, 20, 40, 80, 160, 320 segments), no HyStart++
 * counter moves; an ACK of several segments adds one (RFC 5681 "min (N, SMSS)").
 */
static void
test_tcp_hystart_off_keeps_classic_slow_start(void)
{
	const enum lr_tcp_cc algos[] = { LR_TCP_CC_NEWRENO, LR_TCP_CC_CUBIC };
	struct lr_tcp_conn *c;
	unsigned int i, r;
	uint32_t cwnd;

	tt_conf.hystart = false;
	for (i = 0; i < RTE_DIM(algos); i++) {
		c = hs_open(algos[i]);
		for (r = 0; r < 5; r++) {
			round_trip(c, r < 2 ? 10 : 20);
			CU_ASSERT_EQUAL(nflight, 20u << r);
		}
		CU_ASSERT_EQUAL(c->hs_state, TCP_HS_OFF);
		CU_ASSERT_EQUAL(c->ssthresh, UINT32_MAX);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 0);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CA), 0);
		cwnd = c->cwnd;
		ack_ts(flight[2].end, flight[2].tsval); /* three segments */
		CU_ASSERT_EQUAL(c->cwnd, cwnd + MSS);
		expect_no_loss();
		TT_ASSERT_NO_LEAK();
	}
}

/*
 * HyStart++ slow start: cwnd += min(N, L * SMSS), L = 8 (not paced): an ACK of three
 * segments adds three, one of twelve adds eight.
 */
static void
test_tcp_hystart_growth_per_ack_limited_to_l(void)
{
	struct lr_tcp_conn *c = hs_open(LR_TCP_CC_NEWRENO);
	uint32_t cwnd = c->cwnd;

	lr_test_advance_us(10000);
	ack_ts(flight[2].end, flight[2].tsval);
	CU_ASSERT_EQUAL(c->cwnd, cwnd + 3 * MSS);
	TT_ASSERT_NO_LEAK();
	c = hs_open(LR_TCP_CC_CUBIC);
	round_trip(c, 10);
	CU_ASSERT_EQUAL(nflight, 20);
	cwnd = c->cwnd;
	lr_test_advance_us(10000);
	ack_ts(flight[11].end, flight[11].tsval);
	CU_ASSERT_EQUAL(c->cwnd, cwnd + 8 * MSS);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	expect_no_loss();
	TT_ASSERT_NO_LEAK();
}

/*
 * Without timestamps an RTT sample comes from the one timed segment of a round trip:
 * never N_RTT_SAMPLE (8) in a round, so the rising RTT of the first case does not end
 * slow start (the peer's 64 KiB window holds the flight at 44 segments of 1460).
 */
static void
test_tcp_hystart_without_timestamps_no_exit(void)
{
	struct lr_tcp_conn *c;
	unsigned int r;

	no_ts = true;
	c = tt_passive_open();
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	top_up(c);
	tt_flush();
	take_flight();
	CU_ASSERT_EQUAL(nflight, 10);
	for (r = 0; r < 6; r++) {
		round_trip(c, r < 2 ? 10 : 20);
		CU_ASSERT(c->hs_samples <= 2);
	}
	CU_ASSERT(nflight >= 44 && nflight <= 45);
	CU_ASSERT(c->srtt_us >= 5000); /* samples were taken */
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_SS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 0);
	expect_no_loss();
	TT_ASSERT_NO_LEAK();
}

/*
 * A loss in slow start (three duplicate ACKs) sets ssthresh through the algorithm:
 * HyStart++ is over for the connection; slow start up to that ssthresh after the
 * recovery is classic, and a rising RTT no longer moves a HyStart++ counter.
 */
static void
test_tcp_hystart_loss_ends_hystart(void)
{
	struct lr_tcp_conn *c = hs_open(LR_TCP_CC_NEWRENO);
	uint32_t una, cwnd;
	unsigned int i;

	round_trip(c, 10);
	una = c->snd_una;
	for (i = 0; i < 3; i++)
		ack_ts(una, flight[0].tsval);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT(c->ssthresh != UINT32_MAX);
	/* everything arrives: recovery ends, cwnd is cut below ssthresh by the test */
	ack_ts(flight[nflight - 1].end, flight[nflight - 1].tsval);
	CU_ASSERT(!(c->flags & TCP_F_RECOVERY));
	c->cwnd = 2 * MSS;
	c->ssthresh = 200 * MSS;
	top_up(c);
	tt_flush();
	take_flight();
	cwnd = c->cwnd;
	round_trip(c, 10);
	CU_ASSERT_EQUAL(c->hs_state, TCP_HS_OFF);
	CU_ASSERT_EQUAL(c->cwnd, cwnd + 2 * MSS);
	for (i = 0; i < 3; i++)
		round_trip(c, 10 + 20 * i);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HYSTART_CSS), 0);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_hystart_delay_increase_enters_css_newreno",
		test_tcp_hystart_delay_increase_enters_css_newreno },
	{ "test_tcp_hystart_delay_increase_enters_css_cubic",
		test_tcp_hystart_delay_increase_enters_css_cubic },
	{ "test_tcp_hystart_css_rounds_end_in_ca_newreno",
		test_tcp_hystart_css_rounds_end_in_ca_newreno },
	{ "test_tcp_hystart_css_rounds_end_in_ca_cubic",
		test_tcp_hystart_css_rounds_end_in_ca_cubic },
	{ "test_tcp_hystart_rtt_drop_returns_to_slow_start_newreno",
		test_tcp_hystart_rtt_drop_returns_to_slow_start_newreno },
	{ "test_tcp_hystart_rtt_drop_returns_to_slow_start_cubic",
		test_tcp_hystart_rtt_drop_returns_to_slow_start_cubic },
	{ "test_tcp_hystart_off_keeps_classic_slow_start",
		test_tcp_hystart_off_keeps_classic_slow_start },
	{ "test_tcp_hystart_growth_per_ack_limited_to_l",
		test_tcp_hystart_growth_per_ack_limited_to_l },
	{ "test_tcp_hystart_without_timestamps_no_exit",
		test_tcp_hystart_without_timestamps_no_exit },
	{ "test_tcp_hystart_loss_ends_hystart", test_tcp_hystart_loss_ends_hystart },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_hystart", hs_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
