/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: the generic part (duplicate ACK counting, RFC 6582 fast
 * recovery state, restart after idle, the retransmissions) and NewReno behind
 * struct tcp_cc_ops (RFC 5681 slow start and congestion avoidance, RFC 6582 window
 * arithmetic). CUBIC is in tcp_cubic.c.
 *
 * Initial window: RFC 6928, IW = min(10*MSS, max(2*MSS, 14600)); 1 MSS when the
 * SYN or SYN-ACK had to be retransmitted (RFC 6928 §2, RFC 5681 §3.1).
 * With a SACK scoreboard (tcp_sack.c) recovery follows RFC 6675 instead: it also
 * starts when IsLost(SND.UNA), cwnd is set to ssthresh with no inflation, and the
 * holes leave within cwnd - pipe (tcp_output.c).
 * ECN (RFC 3168) reduces the window through on_fast_retransmit too (tcp_ecn.c); a
 * loss recovery starting in a window already reduced for ECE does not reduce again.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "tcp_internal.h"

const struct tcp_cc_ops *const tcp_cc_algos[LR_TCP_CC_NB] = {
	[LR_TCP_CC_NEWRENO] = &tcp_cc_newreno,
	[LR_TCP_CC_CUBIC] = &tcp_cc_cubic,
};

const char *
lr_tcp_cc_name(enum lr_tcp_cc cc)
{
	return (unsigned int)cc < LR_TCP_CC_NB ? tcp_cc_algos[cc]->name : "?";
}

int
lr_tcp_cc_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < LR_TCP_CC_NB; i++)
		if (strcmp(name, tcp_cc_algos[i]->name) == 0)
			return (int)i;
	return -1;
}

/* FlightSize: "the amount of data that has been sent but not yet acknowledged". */
uint32_t
tcp_cc_flight(const struct lr_tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

/* RFC 6928 IW = min(10*MSS, max(2*MSS, 14600)). */
uint32_t
tcp_cc_iw(const struct lr_tcp_conn *c)
{
	uint32_t mss = tcp_eff_mss(c);

	return RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
}

/* ssthresh = max(FlightSize / 2, 2*SMSS) (RFC 5681 equation 4). */
static uint32_t
half_flight(const struct lr_tcp_conn *c)
{
	return RTE_MAX(tcp_cc_flight(c) / 2, 2 * tcp_eff_mss(c));
}

void
tcp_newreno_init(struct lr_tcp_conn *c)
{
	c->cwnd = c->retransmits > 0 ? tcp_eff_mss(c) : tcp_cc_iw(c);
	c->ssthresh = UINT32_MAX;
	c->cc_acc = 0;
	tcp_hystart_init(c);
}

/* RFC 5681 §3.1: slow start below ssthresh (tcp_hystart.c: "cwnd += min (N, SMSS)",
 * or HyStart++); above it, congestion avoidance by byte counting: one SMSS per cwnd
 * of acked bytes. */
static void
newreno_on_ack(struct lr_tcp_conn *c, uint32_t acked)
{
	uint32_t mss = tcp_eff_mss(c);

	if (c->cwnd < c->ssthresh) {
		tcp_cc_slow_start(c, acked);
		return;
	}
	c->cc_acc += acked;
	if (c->cc_acc >= c->cwnd) {
		c->cc_acc -= c->cwnd;
		c->cwnd += mss;
	}
}

/* RFC 6582 §3.2 step 2 / RFC 5681 §3.2 steps 2-3. */
static void
newreno_on_fast_retransmit(struct lr_tcp_conn *c)
{
	c->ssthresh = half_flight(c);
	c->cwnd = c->ssthresh + 3 * tcp_eff_mss(c);
	c->cc_acc = 0;
}

/* RFC 5681 §3.2 step 4: "cwnd MUST be incremented by SMSS" per further dup ACK. */
void
tcp_newreno_on_dupack(struct lr_tcp_conn *c)
{
	c->cwnd += tcp_eff_mss(c);
}

/*
 * RFC 6582 §3.2 step 3, full ACK: "Set cwnd to either (1) min (ssthresh,
 * max(FlightSize, SMSS) + SMSS) or (2) ssthresh" -- (1), FlightSize after the ACK.
 * Step 5, partial ACK: "deflate the congestion window by the amount of new data
 * acknowledged ..., then add back SMSS bytes if the partial ACK acknowledges at
 * least SMSS bytes of new data".
 */
void
tcp_newreno_on_recovery_ack(struct lr_tcp_conn *c, uint32_t acked, bool full)
{
	uint32_t mss = tcp_eff_mss(c);

	if (full) {
		c->cwnd = RTE_MIN(c->ssthresh, RTE_MAX(tcp_cc_flight(c), mss) + mss);
		return;
	}
	c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
	if (acked >= mss)
		c->cwnd += mss;
	c->cwnd = RTE_MAX(c->cwnd, mss);
}

/* RFC 5681 §3.1 (4) and (5): ssthresh from FlightSize, cwnd = LW = 1 SMSS. */
static void
newreno_on_timeout(struct lr_tcp_conn *c)
{
	c->ssthresh = half_flight(c);
	c->cwnd = tcp_eff_mss(c);
	c->cc_acc = 0;
}

static void
newreno_on_restart(struct lr_tcp_conn *c)
{
	c->cc_acc = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = tcp_newreno_init,
	.on_ack = newreno_on_ack,
	.on_fast_retransmit = newreno_on_fast_retransmit,
	.on_dupack = tcp_newreno_on_dupack,
	.on_recovery_ack = tcp_newreno_on_recovery_ack,
	.on_timeout = newreno_on_timeout,
	.on_restart = newreno_on_restart,
};

/* Choose the algorithm. An established connection keeps cwnd and ssthresh; the new
 * algorithm's own state starts afresh (both leave it zero-valued when unused). */
void
tcp_cc_set(struct lr_tcp_conn *c, enum lr_tcp_cc algo)
{
	c->cflags = (uint8_t)((c->cflags & ~TCP_CF_CC_MASK) | (algo << TCP_CF_CC_SHIFT));
	c->cc_acc = 0;
	memset(&c->cub, 0, sizeof(c->cub));
}

int
lr_tcp_set_cc(struct lr_tcp_conn *c, enum lr_tcp_cc cc)
{
	if (c == NULL || (unsigned int)cc >= LR_TCP_CC_NB)
		return -EINVAL;
	if (tcp_cc_algo(c) != cc)
		tcp_cc_set(c, cc);
	return 0;
}

/*
 * Enter fast recovery: RFC 6582 §3.2 step 2, or with a scoreboard RFC 6675 §5
 * (4.1)-(4.3): "RecoveryPoint = HighData", ssthresh from the algorithm, "cwnd =
 * ssthresh", the first unacknowledged segment retransmitted; more follow within
 * cwnd - pipe.
 */
static void
enter_recovery(struct lr_tcp_conn *c)
{
	struct tcp_sack_board *b = tcp_sack_board(c);

	c->recover = c->snd_max;
	c->flags |= TCP_F_RECOVERY;
	c->tlp_ep = 0; /* the recovery reduces: a probe's episode is over */
	c->undo_cwnd = c->cwnd; /* what a spurious recovery gives back */
	c->undo_ssthresh = c->ssthresh;
	c->undo_una = c->snd_una;
	c->undo_rexmits = c->retransmits;
	c->undo_dsacked = 0;
	LR_TCP_STAT_INC(&c->sh->stats, FAST_REXMT);
	if (unlikely(c->ecn & TCP_ECN_WND) && tcp_ecn_reduced(c))
		c->cwnd = c->ssthresh + 3 * tcp_eff_mss(c); /* RFC 6582 step 2, reduced */
	else
		tcp_cc(c)->on_fast_retransmit(c);
	if (b != NULL) {
		LR_TCP_STAT_INC(&c->sh->stats, SACK_RECOVERY);
		c->cwnd = c->ssthresh;
		b->high_rxt = c->snd_una;
	}
	tcp_output_rexmit_head(c);
	tcp_output_schedule(c); /* the inflated window (or cwnd - pipe) may allow more */
}

/*
 * RFC 8985 §7.4.2, a tail loss probe's episode at an ACK that advanced SND.UNA to or
 * past TLP.end_seq: a probe of new data tells nothing (a loss among it is found as
 * any other); an ACK beyond a resent probe with no D-SACK for it came in between
 * means the original was lost and the probe repaired it: the congestion response of
 * a recovery, entered and left at once ("EnterRecovery(); ExitRecovery()": ssthresh
 * from the algorithm, cwnd = ssthresh). An ACK at TLP.end_seq exactly may be the
 * original's (its D-SACK for the probe then follows): wait for the next one.
 * @return true when cwnd was reduced (the ACK grows it no further)
 */
static bool
tlp_episode_ack(struct lr_tcp_conn *c)
{
	bool repaired;

	if (SEQ_LT(c->snd_una, c->tlp_end))
		return false;
	repaired = (c->tlp_ep & TCP_TLP_EP_RXT) != 0;
	if (repaired && c->snd_una == c->tlp_end)
		return false;
	c->tlp_ep = 0;
	if (repaired) {
		LR_TCP_STAT_INC(&c->sh->stats, TLP_RECOVERED);
		tcp_cc(c)->on_fast_retransmit(c);
		c->cwnd = c->ssthresh;
	}
	return repaired;
}

/*
 * Undo a spurious fast recovery (RFC 3708 detection by D-SACK, the response as Linux
 * tcp_try_undo_recovery): once the recovery is over and D-SACKs covered as many of
 * its segments as it retransmitted, every retransmission reached a peer that had the
 * data already (reordering, not loss): cwnd and ssthresh go back to at least what
 * they were before it, and the algorithm starts its curve afresh (CUBIC: a new epoch
 * from the W_max of the reduction).
 */
static void
undo_check(struct lr_tcp_conn *c)
{
	uint32_t rexmits = c->retransmits - c->undo_rexmits;

	if (c->undo_cwnd == 0 || (c->flags & TCP_F_RECOVERY) || c->undo_dsacked == 0 ||
			c->undo_dsacked < rexmits)
		return;
	c->cwnd = RTE_MAX(c->cwnd, c->undo_cwnd);
	c->ssthresh = RTE_MAX(c->ssthresh, c->undo_ssthresh);
	c->undo_cwnd = 0;
	tcp_cc(c)->on_restart(c);
	LR_TCP_STAT_INC(&c->sh->stats, UNDO);
}

/*
 * A D-SACK (RFC 2883) for [start, end) arrived (tcp_sack.c). While a probe's episode
 * is on and it reaches no further than the probe: its data was received twice, the
 * original was not lost (RFC 8985 §7.4.2). Within the last recovery's window: that
 * many of its segments were not needed.
 */
void
tcp_cc_dsack(struct lr_tcp_conn *c, uint32_t start, uint32_t end)
{
	uint32_t mss = tcp_eff_mss(c), n;

	if (unlikely(c->tlp_ep != 0) && SEQ_LEQ(end, c->tlp_end))
		c->tlp_ep = 0;
	if (c->undo_cwnd == 0 || SEQ_LT(start, c->undo_una) || SEQ_GT(end, c->recover))
		return;
	n = (end - start + mss - 1) / mss;
	c->undo_dsacked = (uint8_t)RTE_MIN(c->undo_dsacked + n, (uint32_t)UINT8_MAX);
	undo_check(c);
}

/*
 * An ACK advanced SND.UNA by acked bytes (already applied). In recovery, a full
 * ACK (covering "recover") ends it; a partial one retransmits the next hole
 * (RFC 6582 §3.2 step 5), or with a scoreboard leaves cwnd alone and lets
 * tcp_output() find the holes (RFC 6675 §5).
 */
void
tcp_cc_ack(struct lr_tcp_conn *c, uint32_t acked)
{
	c->dupacks = 0;
	if (unlikely(c->tlp_ep != 0) && tlp_episode_ack(c))
		return;
	if (!(c->flags & TCP_F_RECOVERY)) {
		tcp_cc(c)->on_ack(c, acked);
		c->cwnd = RTE_MIN(c->cwnd, TCP_CWND_MAX);
		return;
	}
	if (SEQ_GEQ(c->snd_una, c->recover)) {
		c->flags &= ~TCP_F_RECOVERY;
		tcp_cc(c)->on_recovery_ack(c, acked, true);
		undo_check(c); /* D-SACKs may have come during it */
		return;
	}
	LR_TCP_STAT_INC(&c->sh->stats, PARTIAL_ACK);
	if (c->sack_board != 0) {
		const struct tcp_sack_board *b = tcp_sack_board(c);

		/* Nothing SACKed above SND.UNA: no hole for NextSeg to find; the head
		 * goes again as RFC 6582 would send it. */
		if (b->n == 0 && SEQ_GEQ(c->snd_una, b->high_rxt))
			tcp_output_rexmit_head(c);
		tcp_output_schedule(c);
		return;
	}
	tcp_cc(c)->on_recovery_ack(c, acked, false);
	tcp_output_rexmit_head(c);
}

/*
 * A duplicate ACK (RFC 5681 §2). The third one starts fast retransmit only if
 * it "covers more than recover" (RFC 6582 §3.2 step 2; c->recover is one past
 * the RFC's "highest sequence number transmitted", so: SND.UNA >= c->recover).
 * Further ones inflate the window.
 */
void
tcp_cc_dupack(struct lr_tcp_conn *c)
{
	LR_TCP_STAT_INC(&c->sh->stats, DUPACK_RX);
	/* §7.4.2: a duplicate at the probe's end with nothing SACKed above: the original
	 * and the probe both arrived */
	if (unlikely(c->tlp_ep != 0) && c->snd_una == c->tlp_end && c->sack_board == 0)
		c->tlp_ep = 0;
	if (c->flags & TCP_F_RECOVERY) {
		if (c->sack_board == 0)
			tcp_cc(c)->on_dupack(c);
		tcp_output_schedule(c);
		return;
	}
	if (++c->dupacks != 3)
		return;
	if (SEQ_LT(c->snd_una, c->recover))
		return;
	enter_recovery(c);
}

/*
 * An acceptable ACK brought new SACK information. RFC 6675 §5: recovery starts when
 * "IsLost (HighACK + 1) returns true" too, whether or not the ACK counts as a
 * duplicate (one carrying data or a window update does not); in recovery, cwnd -
 * pipe may allow more, and after a timeout cwnd of unSACKed data.
 */
void
tcp_cc_sack(struct lr_tcp_conn *c)
{
	int lost;

	if (c->flags & TCP_F_RECOVERY) {
		tcp_output_schedule(c);
		return;
	}
	if (SEQ_GEQ(c->snd_una, c->recover) && (lost = tcp_sack_una_lost(c)) != 0) {
		if (lost == 2)
			LR_TCP_STAT_INC(&c->sh->stats, RACK_LOST); /* RFC 8985 §6.2 */
		enter_recovery(c);
		return;
	}
	/* After a timeout SACKed data leaves the flight (tcp_output() counts cwnd in
	 * unSACKed bytes then): room for more. */
	if (SEQ_LT(c->snd_una, c->recover))
		tcp_output_schedule(c);
}

/* Retransmission timeout: leave recovery, collapse the window. */
void
tcp_cc_timeout(struct lr_tcp_conn *c)
{
	tcp_cc(c)->on_timeout(c);
	c->tlp_ep = 0;
	c->undo_cwnd = 0;
	c->flags &= ~TCP_F_RECOVERY;
	c->dupacks = 0;
	c->recover = c->snd_max;
}

/*
 * About to send new data (tcp_output). RFC 5681 §4.1: "if the TCP has not sent data
 * in an interval exceeding the retransmission timeout", cwnd = RW = min(IW, cwnd)
 * before sending. Idle is measured from una_ms, when nothing is in flight: when the
 * last flight was acknowledged (or began to be probed, or the connection was
 * established). ssthresh first keeps three quarters of the old cwnd, so slow start
 * climbs back to near where the connection was (RFC 2861 §3, Linux
 * tcp_cwnd_restart()).
 */
void
tcp_cc_idle_check(struct lr_tcp_conn *c)
{
	uint32_t now_ms = (uint32_t)(c->sh->w->now_us / 1000), rw;

	if (!c->sh->conf.slow_start_after_idle || c->snd_una != c->snd_max ||
			now_ms - c->una_ms <= c->rto_us / 1000)
		return;
	rw = RTE_MIN(tcp_cc_iw(c), c->cwnd);
	if (rw < c->cwnd) {
		c->ssthresh = RTE_MAX(c->ssthresh, c->cwnd - c->cwnd / 4);
		LR_TCP_STAT_INC(&c->sh->stats, CWND_RESTART);
	}
	c->cwnd = rw;
	c->una_ms = now_ms; /* once per idle period */
	tcp_cc(c)->on_restart(c);
	tcp_hystart_init(c); /* the initial slow start goes on: new rounds */
}
