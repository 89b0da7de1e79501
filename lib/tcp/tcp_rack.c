/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RACK-TLP (RFC 8985) on connections using SACK ([tcp] rack, default on; like Linux,
 * which runs neither without SACK).
 *
 * Tail loss probe (§7): with data outstanding, outside recovery and after an RTT
 * sample, a probe timeout PTO = 2 * SRTT (plus the worst-case delayed ACK, 200 ms,
 * when one segment is in flight), at most what is left of the RTO, is armed when new
 * data leaves and when an ACK advances SND.UNA. It shares the retransmission timer's
 * slot (TCP_CF_REXMT_ALT says which it holds), as Linux ICSK_TIME_LOSS_PROBE shares
 * icsk_retransmit_timer: the RTO is rearmed when the probe leaves. The probe is new
 * data if the peer's window allows (cwnd does not apply; two full-sized segments, which
 * a receiver acknowledges at once), else the last segment again (tcp_output_probe());
 * one per flight (TCP_CF_TLP_SENT, cleared when SND.UNA advances). The ACK it draws
 * carries the SACK information that starts recovery, so a loss at the end of a flight
 * costs about two round trips, not an RTO.
 * The RTO (RFC 6298, [tcp] rto_min_ms, the backoff of tcp_timer.c) stays the last
 * resort. A probe opens an episode (§7.4: TLP.end_seq, TLP.is_retrans) that tcp_cc.c
 * closes: a resent probe that repaired a loss reduces cwnd (tcp.tlp_recovered).
 *
 * RACK (§6) on the SACK scoreboard: data sent before data since delivered is lost
 * once RACK.reo_wnd = SRTT / 4 (the RFC: min_RTT / 4) has passed since that delivery.
 * The RFC's deadline, Segment.xmit_ts + RACK.rtt + reo_wnd, is RACK's delivery time
 * less the gap between the two transmissions plus reo_wnd; without per-segment send times
 * the gap is taken as zero, so a segment is never marked earlier than the RFC would,
 * at most that gap later. Two cases:
 * - never-retransmitted data below a SACKed range (sent in sequence order, so before
 *   it) is lost reo_wnd after the range was first SACKed (tcp_rack_lost_point(), with
 *   IsLost in tcp_sack.c's lost_end(): recovery starts from it, NextSeg sends it);
 * - a retransmission (recorded with its time and SND.MAX then, rx[]) is lost reo_wnd
 *   after data sent after it was delivered: new data above that SND.MAX, or a later
 *   retransmission. It goes again at once: a lost retransmission costs about a round
 *   trip and reo_wnd, not an RTO.
 * The reordering timer (§6.3) shares the retransmission slot (TCP_CF_RACK_TMR) and
 * runs the detection when the earliest of these deadlines comes; the RTO is armed
 * again behind it.
 */
#include <rte_common.h>

#include "tcp_internal.h"

/* RFC 8985 §7.2 WCDelAckT: worst-case delayed ACK of the peer. */
#define TCP_WCDELACK_US 200000u

/* A loss probe may be armed now: RACK on, SACK in use, an SRTT, a synchronized state
 * with data outstanding and nothing rewound, no recovery, no RTO backoff, no probe
 * out in this flight, no zero window being probed. */
static bool
tlp_allowed(const struct lr_tcp_conn *c)
{
	switch (c->state) {
	case LR_TCP_ESTABLISHED:
	case LR_TCP_CLOSE_WAIT:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_CLOSING:
	case LR_TCP_LAST_ACK:
		break;
	default:
		return false;
	}
	return c->sh->conf.rack && (c->cflags & TCP_CF_SACK) && c->srtt_us != 0 &&
		c->snd_una != c->snd_max && c->snd_nxt == c->snd_max &&
		!(c->flags & TCP_F_RECOVERY) && !(c->cflags & TCP_CF_TLP_SENT) &&
		c->nretries == 0 && c->timer[TCP_T_PERSIST] == 0;
}

/* What is left of the RTO: it was (re)armed when SND.UNA last advanced or the flight
 * began (una_ms). */
static uint64_t
rto_left_us(const struct lr_tcp_conn *c)
{
	uint64_t gone = (uint64_t)((uint32_t)(c->sh->w->now_us / 1000) - c->una_ms) * 1000;

	return gone < c->rto_us ? c->rto_us - gone : 0;
}

/*
 * RFC 8985 §7.2: "the sender SHOULD start or restart a loss probe PTO timer after
 * transmitting new data ... or upon receiving an ACK that cumulatively acknowledges
 * new data". PTO = 2 * SRTT; "If FlightSize is one segment, PTO += WCDelAckT";
 * "PTO = min(PTO, RTO)" (here what is left of it).
 */
void
tcp_tlp_schedule(struct lr_tcp_conn *c)
{
	uint64_t pto, left;

	if (!tlp_allowed(c))
		return;
	pto = 2ull * c->srtt_us;
	if (c->snd_max - c->snd_una <= tcp_eff_mss(c))
		pto += TCP_WCDELACK_US;
	left = rto_left_us(c);
	if (left == 0)
		return; /* the RTO is due: it stays */
	tcp_timer_arm(c, TCP_T_REXMT, RTE_MIN(pto, left));
	c->cflags |= TCP_CF_REXMT_ALT;
}

/* RFC 8985 §7.3: the PTO expired: send a probe, then "the sender MUST arm the RTO
 * timer, not the PTO timer". */
static void
tlp_fire(struct lr_tcp_conn *c)
{
	uint32_t max = c->snd_max;

	if (tlp_allowed(c) && tcp_output_probe(c)) {
		LR_TCP_STAT_INC(&c->sh->stats, TLP);
		c->cflags |= TCP_CF_TLP_SENT;
		/* §7.4.1: TLP.end_seq = SND.NXT, TLP.is_retrans */
		c->tlp_end = c->snd_max;
		c->tlp_ep = TCP_TLP_EP_ON | (c->snd_max == max ? TCP_TLP_EP_RXT : 0);
	}
	tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
}

/* RFC 8985 §6.2: "RACK.reo_wnd = min(RACK.min_RTT / 4 ..., SRTT)"; SRTT / 4 here:
 * the connection block has no 4 bytes left for a min_RTT (a wider window than the
 * RFC's on a path whose RTT grew: later marking, never earlier). */
uint32_t
tcp_rack_reo_wnd(const struct lr_tcp_conn *c)
{
	return c->srtt_us / 4;
}

static inline uint32_t
now32(const struct lr_tcp_conn *c)
{
	return (uint32_t)c->sh->w->now_us;
}

/*
 * Never-retransmitted data lost by RACK: every unSACKed byte below the highest range
 * first SACKed at least reo_wnd ago.
 * @return that point (SND.UNA: none)
 */
uint32_t
tcp_rack_lost_point(const struct lr_tcp_conn *c, const struct tcp_sack_board *b)
{
	uint32_t i, now = now32(c), reo = tcp_rack_reo_wnd(c);

	if (!c->sh->conf.rack)
		return c->snd_una;
	for (i = b->n; i-- > 0;)
		if (now - b->r[i].at >= reo)
			return SEQ_MAX(b->r[i].start, c->snd_una);
	return c->snd_una;
}

/* [seq, end) was retransmitted now: follow it (a record of the same start is
 * replaced; with all taken, the oldest goes). */
void
tcp_rack_sent(struct lr_tcp_conn *c, struct tcp_sack_board *b, uint32_t seq, uint32_t end)
{
	struct tcp_rack_rx *x;
	uint32_t i, old = 0;

	if (!c->sh->conf.rack)
		return;
	for (i = 0; i < b->nrx && b->rx[i].start != seq; i++)
		;
	if (i == b->nrx) {
		if (b->nrx < TCP_RACK_RX) {
			b->nrx++;
		} else {
			for (i = 1; i < b->nrx; i++)
				if ((int32_t)(b->rx[i].ts - b->rx[old].ts) < 0)
					old = i;
			i = old;
		}
	}
	x = &b->rx[i];
	x->start = seq;
	x->end = end;
	x->ts = now32(c);
	x->after = c->snd_max;
	x->deliv = 0;
}

/* x is acknowledged, or inside one SACKed range. */
static bool
rx_delivered(const struct lr_tcp_conn *c, const struct tcp_sack_board *b,
		const struct tcp_rack_rx *x)
{
	uint32_t i;

	if (SEQ_LEQ(x->end, c->snd_una))
		return true;
	for (i = 0; i < b->n; i++)
		if (SEQ_LEQ(b->r[i].start, x->start) && SEQ_GEQ(b->r[i].end, x->end))
			return true;
	return false;
}

/* RFC 8985 RACK_sent_after(): a was sent after b (later, or at once and above). */
static inline bool
sent_after(const struct tcp_rack_rx *a, const struct tcp_rack_rx *b)
{
	int32_t d = (int32_t)(a->ts - b->ts);

	return d > 0 || (d == 0 && SEQ_GEQ(a->start, b->end));
}

/*
 * The scoreboard learnt of deliveries (SACK, or SND.UNA moved): retransmissions
 * delivered are forgotten, and start the clock of those sent before them; new data
 * sent after a retransmission, delivered, starts its clock too (RFC 8985 §6.2 steps
 * 2 and 5).
 */
void
tcp_rack_delivered(struct lr_tcp_conn *c, struct tcp_sack_board *b)
{
	uint32_t i = 0, k, now = now32(c) != 0 ? now32(c) : 1; /* 0: not yet */
	uint32_t high = b->n > 0 ? SEQ_MAX(b->r[b->n - 1].end, c->snd_una) : c->snd_una;
	struct tcp_rack_rx *x;

	while (i < b->nrx) {
		x = &b->rx[i];
		if (rx_delivered(c, b, x)) {
			for (k = 0; k < b->nrx; k++)
				if (k != i && b->rx[k].deliv == 0 && sent_after(x, &b->rx[k]))
					b->rx[k].deliv = now;
			b->rx[i] = b->rx[--b->nrx];
			continue;
		}
		if (x->deliv == 0 && SEQ_GT(high, x->after))
			x->deliv = now;
		i++;
	}
}

/*
 * RFC 8985 §6.2 step 5 for the retransmissions: those whose clock ran reo_wnd are
 * lost and go again now; then the never-retransmitted data RACK marks lost goes too
 * (recovery starts, or NextSeg finds it).
 */
static void
rack_detect(struct lr_tcp_conn *c, struct tcp_sack_board *b)
{
	uint32_t i, now = now32(c), reo = tcp_rack_reo_wnd(c), seq, end;
	struct tcp_rack_rx *x;
	bool fin;

	for (i = 0; i < b->nrx; i++) {
		x = &b->rx[i];
		if (x->deliv == 0 || now - x->deliv < reo || SEQ_LEQ(x->end, c->snd_una))
			continue;
		seq = SEQ_MAX(x->start, c->snd_una);
		fin = (c->flags & TCP_F_FIN_SENT) && x->end == c->fin_seq + 1;
		end = fin ? c->fin_seq : x->end;
		if (tcp_output_rexmit(c, seq, SEQ_GT(end, seq) ? end - seq : 0, fin) < 0)
			break;
		LR_TCP_STAT_INC(&c->sh->stats, RACK_LOST);
		x->start = seq;
		x->ts = now;
		x->after = c->snd_max;
		x->deliv = 0;
	}
	tcp_cc_sack(c);
}

/* Microseconds until the earliest RACK deadline (0: passed), -1 when none. */
static int64_t
rack_wait(const struct lr_tcp_conn *c, const struct tcp_sack_board *b)
{
	uint32_t i, now = now32(c), reo = tcp_rack_reo_wnd(c), el;
	uint32_t lost = tcp_rack_lost_point(c, b);
	int64_t wait = -1, w;

	for (i = 0; i < b->n; i++) {
		el = now - b->r[i].at;
		if (!SEQ_GT(b->r[i].start, lost) || el >= reo)
			continue;
		w = reo - el;
		wait = wait < 0 ? w : RTE_MIN(wait, w);
	}
	for (i = 0; i < b->nrx; i++) {
		if (b->rx[i].deliv == 0 || SEQ_LEQ(b->rx[i].end, c->snd_una))
			continue;
		el = now - b->rx[i].deliv;
		w = el >= reo ? 0 : reo - el;
		wait = wait < 0 ? w : RTE_MIN(wait, w);
	}
	return wait;
}

/*
 * RFC 8985 §6.3: arm the reordering timer for the earliest RACK deadline, in the
 * retransmission slot, unless the RTO or a loss probe comes first; a deadline passed
 * runs the detection now.
 */
void
tcp_rack_arm(struct lr_tcp_conn *c)
{
	struct tcp_sack_board *b = tcp_sack_board(c);
	int64_t wait;

	if (b == NULL || !c->sh->conf.rack || c->snd_una == c->snd_max)
		return;
	wait = rack_wait(c, b);
	if (wait < 0)
		return;
	if (wait == 0) {
		rack_detect(c, b);
		return;
	}
	if (c->timer[TCP_T_REXMT] != 0 && !(c->cflags & TCP_CF_RACK_TMR) &&
			tcp_timer_due_us(c, TCP_T_REXMT) <= c->sh->w->now_us + (uint64_t)wait)
		return;
	/* the RTO it displaces comes back at the same time */
	if (c->timer[TCP_T_REXMT] != 0 && !(c->cflags & TCP_CF_REXMT_ALT))
		b->rto_jiffy = c->timer[TCP_T_REXMT];
	else if (!(c->cflags & TCP_CF_RACK_TMR))
		b->rto_jiffy = 0;
	tcp_timer_arm(c, TCP_T_REXMT, (uint64_t)wait);
	c->cflags |= TCP_CF_REXMT_ALT | TCP_CF_RACK_TMR;
}

/* The retransmission timer's slot expired holding an RFC 8985 timer
 * (TCP_CF_REXMT_ALT): the reordering timer runs RACK, then the RTO is armed again
 * for what was left of it; the PTO sends a probe. */
void
tcp_rack_timeout(struct lr_tcp_conn *c)
{
	bool rack = c->cflags & TCP_CF_RACK_TMR;
	struct tcp_sack_board *b;
	uint64_t left, due;

	c->cflags &= ~(TCP_CF_REXMT_ALT | TCP_CF_RACK_TMR);
	if (c->snd_una == c->snd_max)
		return;
	if (!rack) {
		tlp_fire(c);
		return;
	}
	b = tcp_sack_board(c);
	left = rto_left_us(c);
	if (b != NULL && b->rto_jiffy != 0) {
		due = tcp_timer_jiffy_us(c, b->rto_jiffy);
		left = due > c->sh->w->now_us ? due - c->sh->w->now_us : 0;
		b->rto_jiffy = 0;
	}
	tcp_timer_arm(c, TCP_T_REXMT, RTE_MAX(left, (uint64_t)TCP_TW_GRAN_US));
	if (b != NULL)
		rack_detect(c, b);
	tcp_tlp_schedule(c);
	tcp_rack_arm(c);
}
