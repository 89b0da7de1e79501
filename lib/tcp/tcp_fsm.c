/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP state machine: RFC 9293 §3.10.7 "SEGMENT ARRIVES", step by step. Each block
 * is headed by the RFC text it implements. Every transition goes through
 * tcp_set_state(). Output produced here is only scheduled; it leaves at
 * lr_tcp_flush() (one segment train, at most one ACK, per connection and burst).
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG
#define FIN RTE_TCP_FIN_FLAG

static const char *const tcp_state_names[LR_TCP_NB_STATES] = {
	[LR_TCP_CLOSED] = "CLOSED",
	[LR_TCP_LISTEN] = "LISTEN",
	[LR_TCP_SYN_SENT] = "SYN_SENT",
	[LR_TCP_SYN_RCVD] = "SYN_RCVD",
	[LR_TCP_ESTABLISHED] = "ESTABLISHED",
	[LR_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[LR_TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[LR_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[LR_TCP_CLOSING] = "CLOSING",
	[LR_TCP_LAST_ACK] = "LAST_ACK",
	[LR_TCP_TIME_WAIT] = "TIME_WAIT",
};

const char *
lr_tcp_state_name(enum lr_tcp_state s)
{
	if ((unsigned int)s >= LR_TCP_NB_STATES)
		return "?";
	return tcp_state_names[s];
}

/* The one place a state changes: count it and trace "state=A=>B". */
void
tcp_set_state(struct lr_tcp_conn *c, enum lr_tcp_state s)
{
	TCP_LOG_DP(DEBUG, "%u->%u state=%s=>%s", rte_be_to_cpu_16(c->key.lport),
			rte_be_to_cpu_16(c->key.rport), tcp_state_names[c->state],
			tcp_state_names[s]);
	c->state = s;
	c->sh->stats.state_entered[s]++;
	if (s == LR_TCP_ESTABLISHED)
		LR_TCP_STAT_INC(&c->sh->stats, ESTABLISHED);
}

/* The connection is over: free it, then tell the application if it still listens. */
void
tcp_close_conn(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason)
{
	bool notify = tcp_app_live(c);

	if (c->flags & TCP_F_FREED)
		return;
	c->flags |= TCP_F_APP_CLOSED;
	tcp_conn_free(c);
	if (notify && c->cb.closed != NULL)
		c->cb.closed(c, reason, c->arg);
}

/* Enter TIME_WAIT: start the 2 MSL timer, turn off the others. For the
 * application the connection is over (closed callback, NORMAL). */
void
tcp_enter_time_wait(struct lr_tcp_conn *c)
{
	bool notify = tcp_app_live(c);

	tcp_set_state(c, LR_TCP_TIME_WAIT);
	tcp_timer_stop_all(c);
	tcp_timer_arm(c, TCP_T_2MSL, 2ull * c->sh->conf.msl_ms * 1000);
	c->flags |= TCP_F_APP_CLOSED;
	if (notify && c->cb.closed != NULL)
		c->cb.closed(c, LR_TCP_CLOSE_NORMAL, c->arg);
}

static void
tcp_notify_connected(struct lr_tcp_conn *c)
{
	c->flags |= TCP_F_NOTIFIED;
	if (tcp_app_live(c) && c->cb.connected != NULL)
		c->cb.connected(c, c->arg);
}

/* The MSS we send with: the peer's (536 when absent, RFC 9293 §3.7.1), never
 * more than our own. */
static void
tcp_set_mss(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	uint16_t peer = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_MSS;

	c->snd_mss = RTE_MAX(RTE_MIN(peer, c->adv_mss), 64);
}

/*
 * §3.10.7.1 CLOSED: "If the state is CLOSED (i.e., TCB does not exist), then all
 * data in the incoming segment is discarded. An incoming segment containing a RST
 * is discarded. An incoming segment not containing a RST causes a RST to be sent
 * in response."
 */
void
tcp_fsm_closed(struct lr_worker *w, const struct lr_tcp_seg *seg, struct rte_mbuf *m)
{
	if (!(seg->flags & RST))
		tcp_send_rst_for(w, seg);
	tcp_drop(w->tcp, m, LR_TCP_STAT_NO_CONN);
}

/* §3.10.7.2 LISTEN. */
void
tcp_fsm_listen(struct lr_worker *w, struct lr_tcp_listener *l, struct lr_tcp_seg *seg,
		struct rte_mbuf *m, const uint32_t *min_iss)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c;
	uint32_t iss;

	/* "First, check for a RST: an incoming RST segment could not be valid since it
	 * could not have been sent in response to anything sent by this incarnation
	 * of the connection. An incoming RST should be ignored." */
	if (seg->flags & RST) {
		tcp_drop(sh, m, LR_TCP_STAT_LISTEN_RST);
		return;
	}
	/* "Second, check for an ACK: any acknowledgment is bad if it arrives on a
	 * connection still in the LISTEN state. An acceptable reset segment should be
	 * formed for any arriving ACK-bearing segment: <SEQ=SEG.ACK><CTL=RST>" */
	if (seg->flags & ACK) {
		tcp_send_rst_for(w, seg);
		tcp_drop(sh, m, LR_TCP_STAT_LISTEN_ACK);
		return;
	}
	/* "Fourth, other data or control: ... drop the segment and return." */
	if (!(seg->flags & SYN)) {
		tcp_drop(sh, m, LR_TCP_STAT_LISTEN_NO_SYN);
		return;
	}
	/* "Third, check for a SYN: ... set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ,
	 * ... ISS should be selected and a SYN segment sent of the form
	 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1 and SND.UNA to
	 * ISS. The connection state should be changed to SYN-RECEIVED." Text on the
	 * SYN is not queued: it is not acknowledged and the peer sends it again. */
	c = tcp_conn_new(w, &seg->key);
	if (c == NULL) {
		/* Full: stay silent, the peer retries its SYN. */
		tcp_drop(sh, m, LR_TCP_STAT_CONN_FULL);
		return;
	}
	c->flags |= TCP_F_PASSIVE;
	c->listen_port = l->port;
	c->cb = l->cb;
	c->arg = l->arg;
	c->state = LR_TCP_LISTEN; /* born from the listener: LISTEN => SYN_RCVD */
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	iss = tcp_new_isn(sh, &seg->key, w->now_us);
	if (min_iss != NULL && SEQ_LT(iss, *min_iss))
		iss = *min_iss;
	c->iss = c->snd_una = c->snd_nxt = c->snd_max = iss;
	c->snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	tcp_set_mss(c, seg);
	tcp_set_state(c, LR_TCP_SYN_RCVD);
	LR_TCP_STAT_INC(&sh->stats, PASSIVE_OPEN);
	tcp_output_schedule(c);
	lr_consume(m);
}

static bool fsm_text(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, struct rte_mbuf **mp);
static void fsm_fin(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg);

/* §3.10.7.3 SYN-SENT. */
static void
fsm_syn_sent(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	bool ack_ok = false;

	/* "First, check the ACK bit: if SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a
	 * reset (unless the RST bit is set, if so drop the segment and return)
	 * <SEQ=SEG.ACK><CTL=RST> and discard the segment." */
	if (seg->flags & ACK) {
		if (SEQ_LEQ(seg->ack, c->iss) || SEQ_GT(seg->ack, c->snd_max)) {
			if (!(seg->flags & RST))
				tcp_send_rst_for(w, seg);
			tcp_drop(sh, m, LR_TCP_STAT_SYN_SENT_BAD_ACK);
			return;
		}
		ack_ok = true;
	}
	/* "Second, check the RST bit: if the ACK was acceptable, then signal to the
	 * user 'error: connection reset', drop the segment, enter CLOSED state, delete
	 * TCB, and return. Otherwise (no ACK), drop the segment and return." */
	if (seg->flags & RST) {
		if (!ack_ok) {
			tcp_drop(sh, m, LR_TCP_STAT_SYN_SENT_RST);
			return;
		}
		LR_TCP_STAT_INC(&sh->stats, RST_RX);
		lr_consume(m);
		tcp_close_conn(c, LR_TCP_CLOSE_REFUSED);
		return;
	}
	/* "Fifth, if neither of the SYN or RST bits is set, then drop the segment." */
	if (!(seg->flags & SYN)) {
		tcp_drop(sh, m, LR_TCP_STAT_SYN_SENT_NO_SYN);
		return;
	}
	/* "Fourth, check the SYN bit: RCV.NXT is set to SEG.SEQ+1, IRS is set to
	 * SEG.SEQ. SND.UNA should be advanced to equal SEG.ACK (if there is an ACK)." */
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_set_mss(c, seg);
	tcp_ack_schedule(c);
	if (!ack_ok) {
		/* "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
		 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it." (simultaneous open)
		 * Text on this SYN is not queued: unacknowledged, the peer resends it. */
		c->snd_nxt = c->iss;
		tcp_set_state(c, LR_TCP_SYN_RCVD);
		lr_consume(m);
		return;
	}
	/* "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to
	 * ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and
	 * send it." */
	if ((c->flags & TCP_F_TIMING) && SEQ_GT(seg->ack, c->rtt_seq))
		tcp_rtt_sample(c, (uint32_t)(w->now_us - c->rtt_ts));
	c->flags &= ~TCP_F_TIMING;
	c->snd_una = seg->ack;
	c->nretries = 0;
	tcp_timer_stop(c, TCP_T_REXMT);
	tcp_set_state(c, LR_TCP_ESTABLISHED);
	tcp_notify_connected(c);
	if (c->flags & TCP_F_FREED) {
		lr_consume(m);
		return;
	}
	/* "If there are other controls or text in the segment, then continue
	 * processing at the sixth step below where the URG bit is checked." */
	seg->flags &= ~SYN;
	seg->seq++;
	if (fsm_text(c, seg, &m))
		fsm_fin(c, seg);
	if (m != NULL)
		lr_consume(m);
}

/*
 * "First, check sequence number" for a RST, RFC 5961 §3.2: "If the RST bit is set
 * and the sequence number is outside the current receive window, silently drop
 * the segment. If the RST bit is set and the sequence number exactly matches the
 * next expected sequence number (RCV.NXT), then TCP endpoints MUST reset the
 * connection... If the RST bit is set and the sequence number does not exactly
 * match the next expected sequence value, yet is within the current receive
 * window, TCP endpoints MUST send an acknowledgment (challenge ACK)."
 */
static void
fsm_rst(struct lr_worker *w, struct lr_tcp_conn *c, const struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint32_t wnd = RTE_MAX(c->rcv_wnd, 1u);

	if (!(SEQ_GEQ(seg->seq, c->rcv_nxt) && SEQ_LT(seg->seq, c->rcv_nxt + wnd))) {
		tcp_drop(sh, m, LR_TCP_STAT_RST_OUT_OF_WINDOW);
		return;
	}
	if (seg->seq != c->rcv_nxt) {
		LR_TCP_STAT_INC(&sh->stats, CHALLENGE_ACK);
		tcp_ack_schedule(c);
		tcp_drop(sh, m, LR_TCP_STAT_RST_IN_WINDOW);
		return;
	}
	LR_TCP_STAT_INC(&sh->stats, RST_RX);
	lr_consume(m);
	switch (c->state) {
	case LR_TCP_SYN_RCVD:
		/* "If this connection was initiated with a passive OPEN (i.e., came from
		 * the LISTEN state), then return this connection to LISTEN state and
		 * return. ... If this connection was initiated with an active OPEN, then
		 * the connection was refused." The listener itself is untouched. */
		if (c->flags & TCP_F_PASSIVE) {
			tcp_set_state(c, LR_TCP_LISTEN);
			tcp_conn_free(c);
		} else {
			tcp_close_conn(c, LR_TCP_CLOSE_REFUSED);
		}
		break;
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
	case LR_TCP_CLOSE_WAIT:
		/* "any outstanding RECEIVEs and SEND should receive 'reset' responses...
		 * Users should also receive an unsolicited general 'connection reset'
		 * signal. Enter the CLOSED state, delete the TCB, and return." */
	case LR_TCP_CLOSING:
	case LR_TCP_LAST_ACK:
	case LR_TCP_TIME_WAIT:
		/* "If the RST bit is set, then enter the CLOSED state, delete the TCB,
		 * and return." */
		tcp_close_conn(c, LR_TCP_CLOSE_RESET);
		break;
	default:
		break;
	}
}

/*
 * "First, check sequence number": trim what lies before RCV.NXT (duplicates,
 * including a SYN already received) and beyond RCV.NXT+RCV.WND, as FreeBSD
 * tcp_do_segment does. "If an incoming segment is not acceptable, an
 * acknowledgment should be sent in reply ... After sending the acknowledgment,
 * drop the unacceptable segment and return." A complete duplicate is
 * acknowledged and its ACK field still processed (this is what completes a
 * simultaneous open with crossing SYN,ACKs).
 * @return false when the segment is unacceptable (ACK scheduled, caller drops)
 */
static bool
fsm_trim(struct lr_tcp_conn *c, struct lr_tcp_seg *seg)
{
	int32_t todrop = tcp_seq_diff(c->rcv_nxt, seg->seq);
	uint32_t wnd_end = c->rcv_nxt + c->rcv_wnd;

	if (todrop > 0) {
		if (seg->flags & SYN) {
			seg->flags &= ~SYN;
			seg->seq++;
			todrop--;
		}
		if ((uint32_t)todrop > seg->len ||
				((uint32_t)todrop == seg->len && !(seg->flags & FIN))) {
			/* Complete duplicate. A retransmitted FIN in TIME_WAIT: "Acknowledge
			 * it, and restart the 2 MSL timeout." */
			if ((seg->flags & FIN) && c->state == LR_TCP_TIME_WAIT)
				tcp_timer_arm(c, TCP_T_2MSL, 2ull * c->sh->conf.msl_ms * 1000);
			seg->flags &= ~FIN;
			tcp_ack_schedule(c);
			todrop = (int32_t)seg->len;
		}
		seg->seq += (uint32_t)todrop;
		seg->len -= (uint32_t)todrop;
		seg->data_off += (uint32_t)todrop;
	}
	todrop = tcp_seq_diff(seg->seq + seg->len, wnd_end);
	if (todrop > 0 || (seg->len == 0 && c->rcv_wnd > 0 && SEQ_GEQ(seg->seq, wnd_end))) {
		if (todrop > 0 && (uint32_t)todrop < seg->len) {
			seg->len -= (uint32_t)todrop;
			seg->flags &= ~FIN;
		} else if (c->rcv_wnd == 0 && seg->seq == c->rcv_nxt) {
			/* Zero window probe: keep the ACK field, drop the text. */
			seg->len = 0;
			seg->flags &= ~FIN;
			tcp_ack_schedule(c);
		} else {
			tcp_ack_schedule(c);
			return false;
		}
	}
	return true;
}

/*
 * New data acknowledged (SND.UNA < SEG.ACK =< SND.MAX): "set SND.UNA <- SEG.ACK.
 * Any segments on the retransmission queue that are thereby entirely
 * acknowledged are removed." Then the window update.
 * @return false when a callback freed the connection
 */
static bool
fsm_ack_update(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	uint32_t acked = 0;

	if (SEQ_LT(c->snd_una, seg->ack)) {
		acked = seg->ack - c->snd_una;
		if ((c->flags & TCP_F_FIN_SENT) && SEQ_GT(seg->ack, c->fin_seq) &&
				SEQ_LEQ(c->snd_una, c->fin_seq))
			acked--; /* the FIN is not a byte of the buffer */
		tcp_sb_drop(c, acked);
		if ((c->flags & TCP_F_TIMING) && SEQ_GT(seg->ack, c->rtt_seq)) {
			tcp_rtt_sample(c, (uint32_t)(c->w->now_us - c->rtt_ts));
			c->flags &= ~TCP_F_TIMING;
		}
		c->snd_una = seg->ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->nretries = 0;
		/* RFC 6298 5.2/5.3: stop when all is acked, else restart. */
		if (c->snd_una == c->snd_max)
			tcp_timer_stop(c, TCP_T_REXMT);
		else
			tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
		tcp_output_schedule(c);
	}
	/* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If
	 * (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set
	 * SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." */
	if (SEQ_LEQ(c->snd_una, seg->ack) && (SEQ_LT(c->snd_wl1, seg->seq) ||
			(c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, seg->ack)))) {
		if (seg->wnd > c->snd_wnd)
			tcp_output_schedule(c);
		c->snd_wnd = seg->wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
	}
	if (acked > 0 && tcp_app_live(c) && c->cb.sent != NULL) {
		c->cb.sent(c, acked, c->arg);
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
	if ((c->flags & TCP_F_TIMING) && SEQ_GT(seg->ack, c->rtt_seq))
		tcp_rtt_sample(c, (uint32_t)(w->now_us - c->rtt_ts));
	c->flags &= ~TCP_F_TIMING;
	c->snd_una = seg->ack; /* our SYN: no buffer bytes */
	c->nretries = 0;
	tcp_timer_stop(c, TCP_T_REXMT);
	c->snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_set_state(c, LR_TCP_ESTABLISHED);
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
static bool
fsm_ack(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
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
		 * ACK, drop the segment, and return." */
		if (SEQ_GT(seg->ack, c->snd_max)) {
			tcp_ack_schedule(c);
			tcp_drop(sh, m, LR_TCP_STAT_ACK_TOO_MUCH);
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
		 * and the FIN step do both.) */
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

/* Payload of m as an mbuf of its own: data at the first new byte, exact length.
 * NULL when a reassembled chain does not allow it (header beyond the first
 * segment, or the tail to trim beyond the last). */
static struct rte_mbuf *
seg_payload(struct rte_mbuf *m, const struct lr_tcp_seg *seg)
{
	if (seg->data_off > m->data_len || rte_pktmbuf_adj(m, (uint16_t)seg->data_off) == NULL)
		return NULL;
	if (m->pkt_len > seg->len && rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - seg->len)) != 0)
		return NULL;
	return m;
}

/*
 * "Seventh, process the segment text."
 * @param mp the segment; set to NULL when handed to the application or dropped
 * @return false when processing stops here (connection freed, or out of order)
 */
static bool
fsm_text(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, struct rte_mbuf **mp)
{
	struct lr_tcp_shard *sh = c->sh;
	struct rte_mbuf *data;

	if (seg->len == 0)
		return true;
	switch (c->state) {
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
		/* "Once in the ESTABLISHED state, it is possible to deliver segment data
		 * to user RECEIVE buffers... When the TCP endpoint takes responsibility for
		 * delivering the data to the user, it must also acknowledge the receipt of
		 * the data. ... Send an acknowledgment of the form
		 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>." No reassembly queue yet: a segment
		 * beyond RCV.NXT is dropped and answered with a duplicate ACK. */
		tcp_ack_schedule(c);
		if (seg->seq != c->rcv_nxt) {
			tcp_drop(sh, *mp, LR_TCP_STAT_OUT_OF_ORDER);
			*mp = NULL;
			return false;
		}
		if (c->flags & TCP_F_APP_CLOSED) {
			c->rcv_nxt += seg->len;
			tcp_drop(sh, *mp, LR_TCP_STAT_DATA_AFTER_CLOSE);
			*mp = NULL;
			return true;
		}
		data = seg_payload(*mp, seg);
		if (data == NULL) {
			tcp_drop(sh, *mp, LR_TCP_STAT_HDR_SPLIT);
			*mp = NULL;
			return false;
		}
		*mp = NULL;
		c->rcv_nxt += seg->len;
		LR_TCP_STAT_ADD(&sh->stats, RX_DATA_BYTES, seg->len);
		if (c->cb.data != NULL && tcp_app_live(c))
			c->cb.data(c, data, c->arg);
		else
			rte_pktmbuf_free(data);
		return !(c->flags & TCP_F_FREED);
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a
		 * FIN has been received from the remote side. Ignore the segment text." */
		tcp_drop(sh, *mp, LR_TCP_STAT_DATA_AFTER_FIN);
		*mp = NULL;
		return false;
	}
}

/* "Eighth, check the FIN bit." */
static void
fsm_fin(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	bool notify;

	/* Only a FIN right at RCV.NXT (after this segment's text) is processed. */
	if (!(seg->flags & FIN) || seg->seq + seg->len != c->rcv_nxt)
		return;
	/* "If the FIN bit is set, signal the user 'connection closing' ..., advance
	 * RCV.NXT over the FIN, and send an acknowledgment for the FIN." */
	c->rcv_nxt++;
	c->flags |= TCP_F_PEER_FIN;
	tcp_ack_schedule(c);
	notify = tcp_app_live(c) && c->cb.peer_closed != NULL;
	switch (c->state) {
	case LR_TCP_SYN_RCVD:
	case LR_TCP_ESTABLISHED:
		/* "Enter the CLOSE-WAIT state." */
		tcp_set_state(c, LR_TCP_CLOSE_WAIT);
		break;
	case LR_TCP_FIN_WAIT_1:
		/* "If our FIN has been ACKed (perhaps in this segment), then enter
		 * TIME-WAIT, start the time-wait timer, turn off the other timers;
		 * otherwise, enter the CLOSING state." */
		if (tcp_fin_acked(c)) {
			if (notify)
				c->cb.peer_closed(c, c->arg);
			if (!(c->flags & TCP_F_FREED))
				tcp_enter_time_wait(c);
			return;
		}
		tcp_set_state(c, LR_TCP_CLOSING);
		break;
	case LR_TCP_FIN_WAIT_2:
		/* "Enter the TIME-WAIT state. Start the time-wait timer, turn off the
		 * other timers." */
		if (notify)
			c->cb.peer_closed(c, c->arg);
		if (!(c->flags & TCP_F_FREED))
			tcp_enter_time_wait(c);
		return;
	case LR_TCP_TIME_WAIT:
		/* "Remain in the TIME-WAIT state. Restart the 2 MSL time-out." */
		tcp_timer_arm(c, TCP_T_2MSL, 2ull * c->sh->conf.msl_ms * 1000);
		return;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state." */
		return;
	}
	if (notify)
		c->cb.peer_closed(c, c->arg);
}

/* §3.10.7.4 "Other states": SYN_RCVD and the synchronized states. */
void
tcp_fsm_input(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;

	if (c->state == LR_TCP_SYN_SENT) {
		fsm_syn_sent(w, c, seg, m);
		return;
	}
	/* SYN_RCVD and the peer's SYN again: our SYN,ACK was lost; send it again. */
	if (c->state == LR_TCP_SYN_RCVD && (seg->flags & (SYN | ACK)) == SYN &&
			seg->seq == c->irs) {
		LR_TCP_STAT_INC(&sh->stats, DUP_SYN);
		c->snd_nxt = c->iss;
		tcp_output_schedule(c);
		lr_consume(m);
		return;
	}
	/* "First, check sequence number" (with "second, check the RST bit"). */
	if (seg->flags & RST) {
		fsm_rst(w, c, seg, m);
		return;
	}
	if (!fsm_trim(c, seg)) {
		tcp_drop(sh, m, LR_TCP_STAT_BAD_SEQ);
		return;
	}
	/* "Fourth, check the SYN bit": duplicates were trimmed; a SYN left is new. */
	if (seg->flags & SYN) {
		if (c->state == LR_TCP_SYN_RCVD && (c->flags & TCP_F_PASSIVE)) {
			/* "If the connection was initiated with a passive OPEN, then return
			 * this connection to the LISTEN state and return." */
			tcp_set_state(c, LR_TCP_LISTEN);
			tcp_conn_free(c);
		} else {
			/* RFC 5961 §4.2: "TCP endpoints MUST send a 'challenge ACK'" */
			LR_TCP_STAT_INC(&sh->stats, CHALLENGE_ACK);
			tcp_ack_schedule(c);
		}
		tcp_drop(sh, m, LR_TCP_STAT_SYN_IN_WINDOW);
		return;
	}
	/* "Fifth, check the ACK field." */
	if (!fsm_ack(w, c, seg, m))
		return;
	/* "Sixth, check the URG bit": urgent data is not supported (RFC 6093). */
	/* "Seventh, process the segment text." */
	if (!fsm_text(c, seg, &m)) {
		if (m != NULL)
			lr_consume(m);
		return;
	}
	/* "Eighth, check the FIN bit." */
	fsm_fin(c, seg);
	if (m != NULL)
		lr_consume(m);
}
