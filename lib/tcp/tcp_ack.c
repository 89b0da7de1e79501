/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 9293 §3.10.7.4 "Fifth, check the ACK field" for the synchronized states and
 * SYN-RECEIVED (tcp_fsm_input() calls tcp_fsm_ack()): acceptance (RFC 5961 §5.2),
 * SND.UNA and the send buffer, RTT samples (RFC 6298, RFC 7323), duplicate ACKs
 * and congestion control (RFC 5681), the send window, and the state changes an ACK
 * of our FIN makes. Each block is headed by the RFC text it implements.
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG

/* RTT sample for an ACK of new data: from the echoed timestamp when both use
 * them (RFC 7323 §4.1, every such ACK), else from the one timed segment. */
static void
fsm_rtt(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	if ((c->flags & TCP_F_TSTAMP) && seg->opt.has_ts && seg->opt.tsecr != 0) {
		uint32_t ticks = tcp_ts_now(c) - seg->opt.tsecr;

		if (ticks < 0x7fffffffu / 1000)
			tcp_rtt_sample(c, ticks * 1000);
		c->flags &= ~TCP_F_TIMING;
		return;
	}
	if ((c->flags & TCP_F_TIMING) && SEQ_GT(seg->ack, c->rtt_seq)) {
		tcp_rtt_sample(c, (uint32_t)c->sh->w->now_us - c->rtt_ts);
		c->flags &= ~TCP_F_TIMING;
	}
}

/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT: "(a) the receiver of the ACK has
 * outstanding data, (b) the incoming acknowledgment carries no data, (c) the SYN
 * and FIN bits are both off, (d) the acknowledgment number is equal to the
 * greatest acknowledgment received on the given connection (SND.UNA) and (e) the
 * advertised window in the incoming acknowledgment equals the advertised window
 * in the last incoming acknowledgment." Answers to zero-window probes are not. */
static bool
fsm_is_dupack(const struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, uint32_t wnd)
{
	return c->snd_max != c->snd_una && seg->len == 0 && !(seg->flags & (SYN | FIN)) &&
		seg->ack == c->snd_una && wnd == c->snd_wnd && wnd != 0 &&
		c->timer[TCP_T_PERSIST] == 0;
}

/*
 * New data acknowledged (SND.UNA < SEG.ACK =< SND.MAX): "set SND.UNA <- SEG.ACK.
 * Any segments on the retransmission queue that are thereby entirely
 * acknowledged are removed." Congestion control sees the ACK, then the window
 * update.
 * @return false when a callback freed the connection
 */
static bool
fsm_ack_update(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	uint32_t wnd = tcp_seg_wnd(c, seg);
	uint32_t acked = 0, seq_acked;
	bool sacked = false;

	/* RFC 3168 §6.1.2: ECE reduces the window, once per window of data */
	if (unlikely(seg->ecn & TCP_SEG_ECE))
		tcp_ecn_echo(c, seg);
	/* RFC 2018, RFC 6675 §5 "update the scoreboard via the Update () routine" */
	if (unlikely(seg->opt.nsack != 0))
		sacked = tcp_sack_update(c, seg);
	if (SEQ_LT(c->snd_una, seg->ack)) {
		seq_acked = seg->ack - c->snd_una;
		acked = seq_acked;
		if ((c->flags & TCP_F_FIN_SENT) && SEQ_GT(seg->ack, c->fin_seq) &&
				SEQ_LEQ(c->snd_una, c->fin_seq))
			acked--; /* the FIN is not a byte of the buffer */
		tcp_sb_drop(c, acked);
		fsm_rtt(c, seg);
		c->snd_una = seg->ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->nretries = 0;
		c->una_ms = (uint32_t)(c->sh->w->now_us / 1000);
		/* RFC 6298 5.2/5.3: stop when all is acked, else restart. */
		if (c->snd_una == c->snd_max)
			tcp_timer_stop(c, TCP_T_REXMT);
		else
			tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
		if (c->sack_board != 0)
			tcp_sack_acked(c);
		tcp_cc_ack(c, seq_acked);
		/* RFC 8985 §7.2: a loss probe after an ACK of new data */
		c->cflags &= ~TCP_CF_TLP_SENT;
		tcp_tlp_schedule(c);
		tcp_output_schedule(c);
	} else if (fsm_is_dupack(c, seg, wnd)) {
		tcp_cc_dupack(c);
	}
	if (sacked)
		tcp_cc_sack(c);
	if (c->sack_board != 0)
		tcp_rack_arm(c); /* RFC 8985 §6.3: the reordering timer */
	/* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If
	 * (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set
	 * SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." */
	if (SEQ_LEQ(c->snd_una, seg->ack) && (SEQ_LT(c->snd_wl1, seg->seq) ||
			(c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, seg->ack)))) {
		if (wnd > c->snd_wnd)
			tcp_output_schedule(c);
		c->snd_wnd = wnd;
		c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, wnd);
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
		if (wnd != 0 && c->timer[TCP_T_PERSIST] != 0) {
			/* The window opened: probing is over, data flows again. */
			tcp_timer_stop(c, TCP_T_PERSIST);
			c->persist_shift = 0;
			c->nretries = 0;
			c->una_ms = (uint32_t)(c->sh->w->now_us / 1000);
			tcp_output_schedule(c);
		}
	}
	if (acked > 0 && tcp_app_live(c) && c->cb->sent != NULL) {
		c->cb->sent(c, acked, c->arg);
		if (c->flags & TCP_F_FREED)
			return false;
	}
	return true;
}

/*
 * SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and
 * continue processing with the variables below set to: SND.WND <- SEG.WND,
 * SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK. If the segment acknowledgment is not
 * acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it."
 * @return false when the segment is finished (m disposed of)
 */
static bool
fsm_ack_syn_rcvd(struct lr_worker *w, struct lr_tcp_conn *c, const struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	if (!(SEQ_LT(c->snd_una, seg->ack) && SEQ_LEQ(seg->ack, c->snd_max))) {
		tcp_send_rst_for(w, seg);
		tcp_drop(w->tcp, m, LR_TCP_STAT_BAD_ACK);
		return false;
	}
	fsm_rtt(c, seg);
	c->flags &= ~TCP_F_TIMING;
	c->snd_una = seg->ack; /* our SYN: no buffer bytes */
	tcp_timer_stop(c, TCP_T_REXMT);
	c->snd_wnd = tcp_seg_wnd(c, seg);
	c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, c->snd_wnd);
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_set_state(c, LR_TCP_ESTABLISHED); /* with nretries: the half-open was old */
	c->nretries = 0;
	tcp_output_schedule(c); /* data queued before establishment */
	tcp_notify_connected(c);
	if (c->flags & TCP_F_FREED) {
		lr_consume(m);
		return false;
	}
	return true;
}

/*
 * "Fifth, check the ACK field."
 * @return false when the segment is finished (m disposed of)
 */
bool
tcp_fsm_ack(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;

	/* "if the ACK bit is off, drop the segment and return" */
	if (!(seg->flags & ACK)) {
		tcp_drop(sh, m, LR_TCP_STAT_NO_ACK);
		return false;
	}
	switch (c->state) {
	case LR_TCP_SYN_RCVD:
		return fsm_ack_syn_rcvd(w, c, seg, m);
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
	case LR_TCP_CLOSE_WAIT:
	case LR_TCP_CLOSING:
	case LR_TCP_LAST_ACK:
		/* "If the ACK is a duplicate (SEG.ACK =< SND.UNA), it can be ignored. If
		 * the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an
		 * ACK, drop the segment, and return." RFC 5961 §5.2: "All incoming
		 * segments whose ACK value doesn't satisfy the above condition
		 * [(SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT] MUST be discarded and
		 * an ACK sent back" -- a rate-limited challenge ACK. */
		if (SEQ_GT(seg->ack, c->snd_max)) {
			tcp_challenge_ack(c);
			tcp_drop(sh, m, LR_TCP_STAT_ACK_TOO_MUCH);
			return false;
		}
		if (SEQ_LT(seg->ack, c->snd_una - c->max_snd_wnd)) {
			tcp_challenge_ack(c);
			tcp_drop(sh, m, LR_TCP_STAT_ACK_TOO_OLD);
			return false;
		}
		if (!fsm_ack_update(c, seg)) {
			lr_consume(m);
			return false;
		}
		break;
	case LR_TCP_TIME_WAIT:
		/* "The only thing that can arrive in this state is a retransmission of the
		 * remote FIN. Acknowledge it, and restart the 2 MSL timeout." (fsm_trim
		 * and the FIN step acknowledge it; 2 MSL starts in the TIME_WAIT entry
		 * made at the end of the burst.) */
		return true;
	default:
		return true;
	}

	switch (c->state) {
	case LR_TCP_FIN_WAIT_1:
		/* "In addition to the processing for the ESTABLISHED state, if the FIN
		 * segment is now acknowledged, then enter FIN-WAIT-2 and continue
		 * processing in that state." */
		if (tcp_fin_acked(c)) {
			tcp_set_state(c, LR_TCP_FIN_WAIT_2);
			if (c->flags & TCP_F_APP_CLOSED)
				tcp_timer_arm(c, TCP_T_FW2, (uint64_t)sh->conf.fin_wait2_ms * 1000);
		}
		break;
	case LR_TCP_CLOSING:
		/* "In addition to the processing for the ESTABLISHED state, if the ACK
		 * acknowledges our FIN, then enter the TIME-WAIT state; otherwise,
		 * ignore the segment." */
		if (!tcp_fin_acked(c)) {
			tcp_drop(sh, m, LR_TCP_STAT_CLOSING_NOT_FIN_ACK);
			return false;
		}
		tcp_enter_time_wait(c);
		break;
	case LR_TCP_LAST_ACK:
		/* "The only thing that can arrive in this state is an acknowledgment of
		 * our FIN. If our FIN is now acknowledged, delete the TCB, enter the
		 * CLOSED state, and return." */
		if (tcp_fin_acked(c)) {
			lr_consume(m);
			tcp_close_conn(c, LR_TCP_CLOSE_NORMAL);
			return false;
		}
		break;
	default:
		/* ESTABLISHED, CLOSE_WAIT: the common processing above;
		 * FIN_WAIT_2: "if the retransmission queue is empty, the user's CLOSE
		 * can be acknowledged ('ok') but do not delete the TCB." */
		break;
	}
	return true;
}
