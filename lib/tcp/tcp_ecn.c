/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Explicit Congestion Notification (RFC 3168 §6.1) for TCP: negotiated on the
 * handshake, then honoured in both directions.
 *
 * - Setup (§6.1.1): an active open with conf.ecn = LR_TCP_ECN_ON sends an
 *   ECN-setup SYN (ECE and CWR); a SYN-ACK with ECE and without CWR accepts it. A
 *   listener whose mode is not LR_TCP_ECN_OFF answers an ECN-setup SYN with an
 *   ECN-setup SYN-ACK (ECE only), also through SYN cookies when timestamps carry
 *   the bit back (tcp_syncookie.c). A SYN sent again after a timeout drops ECE and
 *   CWR (§6.1.1.1, Linux tcp_ecn_fallback).
 * - Sender: new data segments leave ECT(0); pure ACKs, SYNs, RSTs,
 *   retransmissions (§6.1.5) and window probes (§6.1.6) Not-ECT. ECE on an ACK
 *   reduces cwnd and ssthresh as a fast retransmit would (the algorithm's
 *   on_fast_retransmit hook, no inflation), at most once per window of data
 *   (§6.1.2: ECE on ACKs below the SND.MAX of the last reduction is ignored, and a
 *   loss recovery starting in that window does not reduce again), and the next
 *   new data segment carries CWR.
 * - Receiver: CE in the IP header of an acceptable segment sets ECE on every ACK
 *   we send until a segment with CWR arrives (§6.1.3); the first CE of such a run
 *   is ACKed at once (Linux tcp_ecn_check_ce(): "better not delay acks, sender can
 *   have a very low cwnd").
 */
#include <rte_common.h>

#include "lr_ip.h"
#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG
#define ECE RTE_TCP_ECE_FLAG
#define CWR RTE_TCP_CWR_FLAG

/*
 * A passive open (SYN_RCVD from a listener of this mode): "a host that is
 * ECN-capable and receives an ECN-setup SYN packet, and wishes to use ECN, sends
 * an ECN-setup SYN-ACK" (§6.1.1). Negotiated from here on: the SYN-ACK carries ECE.
 */
void
tcp_ecn_syn_rcvd(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, uint8_t mode)
{
	c->ecn = 0;
	if (!tcp_ecn_setup_syn(seg))
		return;
	if (mode == LR_TCP_ECN_OFF) {
		LR_TCP_STAT_INC(&c->sh->stats, ECN_SYN_REFUSED);
		return;
	}
	c->ecn = TCP_ECN_OK;
}

/* SYN_SENT, the peer's SYN-ACK: ECN is on when it is an ECN-setup SYN-ACK (ECE
 * without CWR) answering our ECN-setup SYN; a SYN alone (simultaneous open) or one
 * with both bits is not one (§6.1.1). */
void
tcp_ecn_synack_rcvd(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	bool ok = (c->ecn & TCP_ECN_OFFER) && (seg->flags & ACK) &&
		(seg->ecn & (TCP_SEG_ECE | TCP_SEG_CWR)) == TCP_SEG_ECE;

	c->ecn = ok ? TCP_ECN_OK : 0;
}

/*
 * An acceptable segment with ECN bits on a connection (§6.1.3): CWR ends the echo,
 * CE (re)starts it. Both in this order, so a segment with CWR and CE leaves ECE on.
 */
void
tcp_ecn_input(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	struct lr_tcp_shard *sh = c->sh;

	if (!(c->ecn & TCP_ECN_OK))
		return; /* not negotiated: CE and the TCP bits mean nothing here */
	if (seg->ecn & TCP_SEG_CWR) {
		LR_TCP_STAT_INC(&sh->stats, ECN_CWR_RX);
		c->ecn &= ~TCP_ECN_ECHO;
	}
	if ((seg->ecn & TCP_SEG_ECN_MASK) != TCP_SEG_CE)
		return;
	LR_TCP_STAT_INC(&sh->stats, ECN_CE_RX);
	if (!(c->ecn & TCP_ECN_ECHO)) {
		c->ecn |= TCP_ECN_ECHO;
		tcp_ack_schedule(c); /* the first CE of a run: ACK (with ECE) at once */
	}
}

/* A loss recovery starting now is in a window already reduced for ECE. */
bool
tcp_ecn_reduced(struct lr_tcp_conn *c)
{
	return (c->ecn & TCP_ECN_WND) && SEQ_LT(c->snd_una, c->ecn_high);
}

/*
 * An acceptable ACK with ECE (before SND.UNA moves: FlightSize is what was in
 * flight when the peer saw the CE). §6.1.2: "the TCP source halves the congestion
 * window cwnd and reduces the slow start threshold ssthresh ... the TCP source
 * SHOULD NOT decrease the slow-start threshold, ssthresh, if it has been decreased
 * within the last round trip time" -- taken as Linux does: not while in loss
 * recovery, and not for ACKs below the SND.MAX of the last reduction. cwnd never
 * grows here (after a timeout it may be below the new ssthresh).
 */
void
tcp_ecn_echo(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	struct lr_tcp_shard *sh = c->sh;
	uint32_t prior = c->cwnd;

	if (!(c->ecn & TCP_ECN_OK) || c->state < LR_TCP_ESTABLISHED)
		return;
	LR_TCP_STAT_INC(&sh->stats, ECN_ECE_RX);
	if ((c->flags & TCP_F_RECOVERY) ||
			((c->ecn & TCP_ECN_WND) && SEQ_LT(seg->ack, c->ecn_high)))
		return;
	tcp_cc(c)->on_fast_retransmit(c);
	c->cwnd = RTE_MAX(RTE_MIN(prior, c->ssthresh), tcp_eff_mss(c));
	c->ecn |= TCP_ECN_CWR | TCP_ECN_WND;
	c->ecn_high = c->snd_max;
	LR_TCP_STAT_INC(&sh->stats, ECN_CWND_REDUCED);
}

/*
 * ECN of a segment about to leave: the TCP flags it adds to *flags and the IP ECN
 * field it returns.
 * @param seq its first sequence number
 * @param len its payload bytes
 */
uint8_t
tcp_ecn_output(struct lr_tcp_conn *c, uint32_t seq, uint8_t *flags, uint32_t len)
{
	uint8_t ecn = c->ecn;

	if (*flags & SYN) {
		/* §6.1.1: ECE and CWR on our SYN, ECE on our SYN-ACK; both Not-ECT */
		if (ecn & TCP_ECN_OFFER)
			*flags |= ECE | CWR;
		else if ((ecn & TCP_ECN_OK) && (*flags & ACK))
			*flags |= ECE;
		return LR_IP_ECN_NOT_ECT;
	}
	if (!(ecn & TCP_ECN_OK) || (*flags & RST))
		return LR_IP_ECN_NOT_ECT;
	if (ecn & TCP_ECN_ECHO)
		*flags |= ECE;
	/* new data only: not a pure ACK, a retransmission, a probe of a zero window */
	if (len == 0 || SEQ_LT(seq, c->snd_max) || c->snd_wnd == 0)
		return LR_IP_ECN_NOT_ECT;
	if (ecn & TCP_ECN_CWR) {
		*flags |= CWR;
		c->ecn &= ~TCP_ECN_CWR;
		LR_TCP_STAT_INC(&c->sh->stats, ECN_CWR_TX);
	}
	/* a window far behind: its end is passed (and no wrap can revive it) */
	if ((ecn & TCP_ECN_WND) && SEQ_GEQ(c->snd_una, c->ecn_high))
		c->ecn &= ~TCP_ECN_WND;
	return LR_IP_ECN_ECT0;
}
