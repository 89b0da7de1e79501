/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control (RFC 9438) behind struct tcp_cc_ops. Slow start, fast
 * recovery and the recovery ACKs are NewReno's (RFC 5681, RFC 6582; RFC 9438 §4.10
 * and §4.6 keep them); what differs is the window growth in congestion avoidance and
 * the reduction:
 *
 * - W_cubic(t) = C * (t - K)^3 + W_max (§4.2, C = 0.4 segments/s^3), K = cubic_root
 *   ((W_max - cwnd_epoch) / C): concave up to W_max, convex beyond (§4.4, §4.5).
 *   Each ACK moves cwnd towards target = W_cubic(t + RTT), kept within
 *   [cwnd, 1.5 cwnd], by (target - cwnd) / cwnd per segment acknowledged.
 * - The Reno-friendly estimate W_est grows by alpha_cubic = 3 (1 - beta) / (1 + beta)
 *   = 9/17 segment per cwnd acknowledged, 1 once it reaches cwnd_prior; when
 *   W_cubic(t) is below it, cwnd follows W_est (§4.3).
 * - At a congestion event, ssthresh = FlightSize * beta_cubic (0.7) and W_max = cwnd,
 *   or cwnd * (1 + beta) / 2 when cwnd did not reach the last W_max (fast
 *   convergence, §4.6, §4.7). After a timeout cwnd is 1 SMSS as for Reno, and the
 *   next epoch starts with K = 0 and W_max = its cwnd (§4.8).
 *
 * Windows are bytes, times milliseconds of the worker's clock (w->now_us), all in
 * integers: K from an integer cube root, C * MSS * d^3 with d bounded. The epoch
 * starts at the first ACK in congestion avoidance and ends at a congestion event or
 * a restart after idle. Slow start is tcp_hystart.c's (classic or HyStart++, RFC 9406
 * as §4.10 allows; leaving CSS sets ssthresh = cwnd, so the first epoch starts with
 * K = 0 and W_max = cwnd). Not implemented: undo of spurious
 * reductions (§4.9), the application-limited rule of §5.8 (the 1.5 cwnd bound per
 * RTT caps what an idle curve can add).
 */
#include <string.h>

#include <rte_common.h>

#include "tcp_internal.h"

/* beta_cubic = 0.7 (§4.6); (1 + beta) / 2 = 17/20 (§4.7); alpha_cubic = 9/17 (§4.3). */
#define BETA_NUM 7
#define BETA_DEN 10
#define FC_NUM 17
#define FC_DEN 20
#define ALPHA_NUM 9
#define ALPHA_DEN 17
/* K^3 in ms^3 per byte of (W_max - cwnd_epoch), times MSS: 10^9 / C = 2.5e9. */
#define K3_MS_PER_SEG 2500000000ull
/* |t - K| bound (524 s) so that C * MSS * d^3 fits 64 bits for any 16-bit MSS; K
 * itself stays below it (cwnd <= 2^30, MSS >= 64). */
#define D_MAX_MS (1u << 19)

/* floor(cbrt(x)), three bits of x per step (the binary long-division method). */
uint32_t
tcp_cubic_cbrt(uint64_t x)
{
	uint64_t y = 0, b;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		y <<= 1;
		b = 3 * y * (y + 1) + 1;    /* (y + 1)^3 - y^3, in units of 2^s */
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint32_t)y;
}

/* W_cubic(t) in bytes (RFC 9438 equation 1) for d_ms = t - K. */
static uint32_t
cubic_w(const struct lr_tcp_conn *c, int32_t d_ms, uint32_t mss)
{
	uint64_t d = d_ms < 0 ? (uint64_t)(-(int64_t)d_ms) : (uint64_t)d_ms, off;

	d = RTE_MIN(d, (uint64_t)D_MAX_MS);
	/* C * MSS * (d / 1000)^3 = 4 * MSS * d^3 / 10^10 */
	off = d * d * d / 10000 * 4 * mss / 1000000;
	if (d_ms < 0)
		return off >= c->cub.w_max ? 0 : c->cub.w_max - (uint32_t)off;
	return (uint32_t)RTE_MIN(c->cub.w_max + off, (uint64_t)UINT32_MAX);
}

/* The first ACK of a congestion avoidance stage: t_epoch = now, cwnd_epoch = cwnd,
 * W_est = cwnd_epoch (§4.3); K from W_max, or 0 with W_max = cwnd when cwnd is at
 * or above it (after slow start without loss, after a timeout: §4.8). */
static void
cubic_epoch_start(struct lr_tcp_conn *c, uint32_t now_ms, uint32_t mss)
{
	struct tcp_cubic *cu = &c->cub;
	uint32_t k = 0;

	cu->w_est = c->cwnd;
	c->cc_acc = 0;
	if (cu->w_max > c->cwnd)
		k = tcp_cubic_cbrt((uint64_t)(cu->w_max - c->cwnd) * K3_MS_PER_SEG / mss);
	else
		cu->w_max = c->cwnd;
	cu->k_ms = now_ms + k;
}

/* §4.3: W_est += alpha_cubic * segments_acked / cwnd, counted in bytes: one SMSS
 * per cwnd / alpha bytes acknowledged (cc_acc carries the rest). */
static void
cubic_w_est(struct lr_tcp_conn *c, uint32_t acked, uint32_t mss)
{
	struct tcp_cubic *cu = &c->cub;
	uint32_t per = cu->w_est >= cu->prior ? c->cwnd :
			(uint32_t)((uint64_t)c->cwnd * ALPHA_DEN / ALPHA_NUM);

	c->cc_acc += acked;
	while (c->cc_acc >= per) {
		c->cc_acc -= per;
		cu->w_est += mss;
	}
}

/* Congestion avoidance: apart from the slow start below, so that a short connection's
 * ACKs, all in slow start, cost what NewReno's do (no frame for this one's locals). */
static __rte_noinline void
cubic_avoid(struct lr_tcp_conn *c, uint32_t acked)
{
	struct tcp_cubic *cu = &c->cub;
	uint32_t mss = tcp_eff_mss(c), now_ms, target;

	now_ms = (uint32_t)(c->sh->w->now_us / 1000);
	if (cu->w_est == 0)
		cubic_epoch_start(c, now_ms, mss);
	cubic_w_est(c, acked, mss);
	if (cubic_w(c, (int32_t)(now_ms - cu->k_ms), mss) < cu->w_est) {
		/* §4.3 Reno-friendly region: cwnd = W_est (never lowered here) */
		c->cwnd = RTE_MAX(c->cwnd, cu->w_est);
		return;
	}
	/* §4.4 concave, §4.5 convex: towards W_cubic(t + RTT) */
	target = cubic_w(c, (int32_t)(now_ms + c->srtt_us / 1000 - cu->k_ms), mss);
	target = RTE_MIN(RTE_MAX(target, c->cwnd), c->cwnd + c->cwnd / 2);
	c->cwnd += (uint32_t)((uint64_t)(target - c->cwnd) * acked / c->cwnd);
}

static void
cubic_on_ack(struct lr_tcp_conn *c, uint32_t acked)
{
	if (c->cwnd < c->ssthresh)
		tcp_cc_slow_start(c, acked); /* §4.10: slow start as Reno, or HyStart++ */
	else
		cubic_avoid(c, acked);
}

/* §4.6 multiplicative decrease with §4.7 fast convergence; the epoch ends. */
static void
cubic_reduce(struct lr_tcp_conn *c)
{
	struct tcp_cubic *cu = &c->cub;

	if (c->cwnd < cu->w_max)
		cu->w_max = (uint32_t)((uint64_t)c->cwnd * FC_NUM / FC_DEN);
	else
		cu->w_max = c->cwnd;
	cu->prior = c->cwnd;
	c->ssthresh = RTE_MAX((uint32_t)((uint64_t)tcp_cc_flight(c) * BETA_NUM / BETA_DEN),
			2 * tcp_eff_mss(c));
	cu->w_est = 0;
	c->cc_acc = 0;
}

/* Third duplicate ACK: reduce, then NewReno's fast recovery (cwnd = ssthresh +
 * 3 SMSS, inflated by further duplicates, RFC 6582). */
static void
cubic_on_fast_retransmit(struct lr_tcp_conn *c)
{
	cubic_reduce(c);
	c->cwnd = c->ssthresh + 3 * tcp_eff_mss(c);
}

/*
 * §4.8: cwnd = 1 SMSS as Reno, ssthresh with beta_cubic; the first epoch after it
 * has K = 0 and W_max = cwnd at its start (w_max 0 asks cubic_epoch_start for
 * that). A timer expiring again for the same data holds ssthresh (RFC 5681 §3.1)
 * and cwnd_prior.
 */
static void
cubic_on_timeout(struct lr_tcp_conn *c)
{
	if (c->nretries <= 1)
		cubic_reduce(c);
	c->cwnd = tcp_eff_mss(c);
	c->cub.w_max = 0;
	c->cub.w_est = 0;
	c->cc_acc = 0;
}

/* Restart after idle: a new epoch once congestion avoidance resumes, from the W_max
 * learnt before. */
static void
cubic_on_restart(struct lr_tcp_conn *c)
{
	c->cub.w_est = 0;
	c->cc_acc = 0;
}

static void
cubic_init(struct lr_tcp_conn *c)
{
	tcp_newreno_init(c);
	memset(&c->cub, 0, sizeof(c->cub));
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.on_fast_retransmit = cubic_on_fast_retransmit,
	.on_dupack = tcp_newreno_on_dupack,
	.on_recovery_ack = tcp_newreno_on_recovery_ack,
	.on_timeout = cubic_on_timeout,
	.on_restart = cubic_on_restart,
};
