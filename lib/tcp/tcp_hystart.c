/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slow start, classic (RFC 5681 §3.1) or HyStart++ (RFC 9406), shared by NewReno
 * and CUBIC: their on_ack hooks call tcp_cc_slow_start() below ssthresh.
 *
 * HyStart++ ([tcp] hystart, default yes as Linux's tcp_cubic hystart=1) runs in the
 * initial slow start only, while ssthresh is still infinite (§4.3: later slow
 * starts stop at the ssthresh a loss left). It counts rounds by sequence number
 * (windowEnd = SND.MAX at the round's start, the round ends when SND.UNA reaches
 * it) and keeps each round's minimum RTT (every sample tcp_rtt_sample() takes:
 * one per ACK of new data with timestamps, one per round trip without them, too
 * few for N_RTT_SAMPLE, so without timestamps only the growth below changes):
 *
 * - slow start: cwnd += min(N, L * SMSS); once a round has N_RTT_SAMPLE samples
 *   and its minimum RTT is at least the last round's plus RttThresh = clamp(last /
 *   MIN_RTT_DIVISOR, MIN_RTT_THRESH, MAX_RTT_THRESH), the queue is growing: enter
 *   Conservative Slow Start with cssBaselineMinRtt = that minimum (tcp.hystart_css);
 * - CSS: cwnd += min(N, L * SMSS) / CSS_GROWTH_DIVISOR; a round whose minimum
 *   (over N_RTT_SAMPLE samples) falls below the baseline made the exit spurious:
 *   back to slow start (tcp.hystart_ss_resume); after CSS_ROUNDS rounds (the one
 *   CSS began in counts) ssthresh = cwnd: congestion avoidance (tcp.hystart_ca);
 * - a loss, a timeout or ECE sets ssthresh through the algorithm as before, which
 *   ends HyStart++ for the connection.
 *
 * An idle restart (RFC 5681 §4.1) during the initial slow start begins the rounds
 * again (§4.3 allows HyStart++ for the restart window).
 */
#include <rte_common.h>

#include "tcp_internal.h"

/* RFC 9406 §4.3 constants. */
#define MIN_RTT_THRESH_US 4000u   /**< MIN_RTT_THRESH, 4 ms */
#define MAX_RTT_THRESH_US 16000u  /**< MAX_RTT_THRESH, 16 ms */
#define MIN_RTT_DIVISOR 8u
#define N_RTT_SAMPLE 8u
#define CSS_GROWTH_DIVISOR 4u
#define CSS_ROUNDS 5u
#define HS_L 8u                   /**< L, segments per ACK at most: 8 when not paced */
#define RTT_INF UINT32_MAX        /**< no sample (infinity) */

/* A round begins: lastRoundMinRTT = currentRoundMinRTT, currentRoundMinRTT =
 * infinity, rttSampleCount = 0, windowEnd = SND.MAX. */
static void
hs_round_start(struct lr_tcp_conn *c)
{
	c->hs.last_min = c->hs.cur_min;
	c->hs.cur_min = RTT_INF;
	c->hs_samples = 0;
	c->hs.end = c->snd_max;
}

/* Connection established, or restarted after idle: HyStart++ from a first round
 * when configured and the initial slow start is still on. */
void
tcp_hystart_init(struct lr_tcp_conn *c)
{
	c->hs_state = c->sh->conf.hystart && c->ssthresh == UINT32_MAX ? TCP_HS_SS : TCP_HS_OFF;
	c->hs_rounds = 0;
	c->hs.cur_min = RTT_INF;
	c->hs.css_base = RTT_INF;
	hs_round_start(c);
}

/* An RTT sample (tcp_rtt_sample): the round's minimum and count. */
void
tcp_hystart_rtt(struct lr_tcp_conn *c, uint32_t rtt_us)
{
	if (c->hs_state == TCP_HS_OFF)
		return;
	c->hs.cur_min = RTE_MIN(c->hs.cur_min, rtt_us);
	if (c->hs_samples < UINT8_MAX)
		c->hs_samples++;
}

/* Slow start: the delay increase check once the round has enough samples. */
static void
hs_check_ss(struct lr_tcp_conn *c)
{
	uint32_t thresh;

	if (c->hs_samples < N_RTT_SAMPLE || c->hs.cur_min == RTT_INF ||
			c->hs.last_min == RTT_INF)
		return;
	thresh = RTE_MAX(MIN_RTT_THRESH_US,
			RTE_MIN(c->hs.last_min / MIN_RTT_DIVISOR, MAX_RTT_THRESH_US));
	if (c->hs.cur_min >= c->hs.last_min + thresh) {
		c->hs.css_base = c->hs.cur_min;
		c->hs_state = TCP_HS_CSS;
		c->hs_rounds = 0;
		LR_TCP_STAT_INC(&c->sh->stats, HYSTART_CSS);
	}
}

/* CSS: back to slow start when the RTT fell below the baseline. */
static void
hs_check_css(struct lr_tcp_conn *c)
{
	if (c->hs_samples >= N_RTT_SAMPLE && c->hs.cur_min < c->hs.css_base) {
		c->hs.css_base = RTT_INF;
		c->hs_state = TCP_HS_SS;
		LR_TCP_STAT_INC(&c->sh->stats, HYSTART_SS_RESUME);
	}
}

/*
 * An ACK of new data below ssthresh, outside recovery (the algorithms' on_ack):
 * grow cwnd, classic or by HyStart++, then end the round when it is acknowledged.
 */
void
tcp_cc_slow_start(struct lr_tcp_conn *c, uint32_t acked)
{
	uint32_t mss = tcp_eff_mss(c), inc;

	if (c->hs_state == TCP_HS_OFF || c->ssthresh != UINT32_MAX) {
		c->hs_state = TCP_HS_OFF; /* a congestion event set ssthresh: over */
		c->cwnd += RTE_MIN(acked, mss); /* RFC 5681 §3.1 */
		return;
	}
	inc = RTE_MIN(acked, HS_L * mss);
	if (c->hs_state == TCP_HS_SS) {
		c->cwnd += inc;
		hs_check_ss(c);
	} else {
		c->cwnd += inc / CSS_GROWTH_DIVISOR;
		hs_check_css(c);
	}
	if (SEQ_LT(c->snd_una, c->hs.end))
		return;
	if (c->hs_state == TCP_HS_CSS && ++c->hs_rounds >= CSS_ROUNDS) {
		c->ssthresh = c->cwnd;
		c->hs_state = TCP_HS_OFF;
		LR_TCP_STAT_INC(&c->sh->stats, HYSTART_CA);
		return;
	}
	hs_round_start(c);
}
