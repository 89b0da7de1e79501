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
 * icsk_retransmit_timer: the RTO is rearmed when the probe leaves. The probe is one
 * new segment if the peer's window allows (cwnd does not apply), else the last
 * segment again (tcp_output_probe()); one per flight (TCP_CF_TLP_SENT, cleared when
 * SND.UNA advances). The ACK it draws carries the SACK information that starts
 * recovery, so a loss at the end of a flight costs about two round trips, not an RTO.
 * The RTO (RFC 6298, [tcp] rto_min_ms, the backoff of tcp_timer.c) stays the last
 * resort.
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
	if (tlp_allowed(c) && tcp_output_probe(c)) {
		LR_TCP_STAT_INC(&c->sh->stats, TLP);
		c->cflags |= TCP_CF_TLP_SENT;
	}
	tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
}

/* The retransmission timer's slot expired holding an RFC 8985 timer
 * (TCP_CF_REXMT_ALT, already cleared). */
void
tcp_rack_timeout(struct lr_tcp_conn *c)
{
	if (c->snd_una == c->snd_max)
		return;
	tlp_fire(c);
}
