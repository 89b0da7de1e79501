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
	/* Half-open: passive connections in SYN_RCVD (half_open_max, SYN cookies); old
	 * ones retransmitted their SYN-ACK (nretries, counted in tcp_timer.c). */
	if (c->flags & TCP_F_HALF_OPEN) {
		c->flags &= ~TCP_F_HALF_OPEN;
		c->sh->nb_half_open--;
		if (c->nretries != 0)
			c->sh->nb_half_open_old--;
	}
	if (s == LR_TCP_SYN_RCVD && (c->flags & TCP_F_PASSIVE)) {
		c->flags |= TCP_F_HALF_OPEN;
		c->sh->nb_half_open++;
		if (c->nretries != 0)
			c->sh->nb_half_open_old++;
	}
	/* its TIME_WAIT entry is made at the flush (tcp_tw_enter): its slot's line */
	if (s == LR_TCP_TIME_WAIT)
		tcp_tw_prefetch(c->sh, &c->key);
	tcp_state_gauge_move(c->sh, c->state, s);
	c->state = s;
	c->sh->stats.state_entered[s]++;
	if (s == LR_TCP_ESTABLISHED) {
		LR_TCP_STAT_INC(&c->sh->stats, ESTABLISHED);
		if (c->ecn & TCP_ECN_OK)
			LR_TCP_STAT_INC(&c->sh->stats, ECN_NEGOTIATED);
		/* Peer's full-sized segment: its MSS less the options both use. */
		c->rcv_mss = (uint16_t)(RTE_MIN(c->snd_mss, c->adv_mss) -
				((c->flags & TCP_F_TSTAMP) ? TCP_OPT_TS_LEN : 0));
		c->recover = c->snd_una;
		c->una_ms = (uint32_t)(c->sh->w->now_us / 1000); /* idle from here */
		tcp_cc(c)->init(c);
		tcp_keep_reset(c);
	}
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
	if (notify && c->cb->closed != NULL)
		c->cb->closed(c, reason, c->arg);
}

/* Enter TIME_WAIT: turn off the timers. For the application the connection is
 * over (closed callback, NORMAL). At the end of the burst, once its last ACK has
 * left, the connection moves to a compact TIME_WAIT entry, where 2 MSL starts
 * (lr_tcp_flush, tcp_tw.c). */
void
tcp_enter_time_wait(struct lr_tcp_conn *c)
{
	bool notify = tcp_app_live(c);

	tcp_orphan_leave(c);
	tcp_set_state(c, LR_TCP_TIME_WAIT);
	tcp_timer_stop_all(c);
	tcp_output_schedule(c);
	c->flags |= TCP_F_APP_CLOSED;
	if (notify && c->cb->closed != NULL)
		c->cb->closed(c, LR_TCP_CLOSE_NORMAL, c->arg);
}

void
tcp_notify_connected(struct lr_tcp_conn *c)
{
	c->flags |= TCP_F_NOTIFIED;
	if (tcp_app_live(c) && c->cb->connected != NULL)
		c->cb->connected(c, c->arg);
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
 * RFC 7323 on the peer's SYN or SYN,ACK: window scaling and timestamps are used
 * when we offered them and the peer's segment carries them ("both sides must
 * send Window Scale options in their <SYN> segments"; TS likewise). The peer's
 * window on a SYN is never scaled. SACK likewise (RFC 2018 §2: "SACK-Permitted
 * ... may be sent in a SYN by a TCP that has been extended to receive ... SACK
 * options once the connection has opened").
 */
void
tcp_negotiate(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, bool ws, bool ts, bool sack)
{
	if (ws && seg->opt.has_ws) {
		c->flags |= TCP_F_WSCALE;
		c->snd_wscale = seg->opt.wscale;
	} else {
		c->flags &= ~TCP_F_WSCALE;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (ts && seg->opt.has_ts) {
		c->flags |= TCP_F_TSTAMP;
		c->ts_recent = seg->opt.tsval;
	} else {
		c->flags &= ~TCP_F_TSTAMP;
	}
	if (sack && seg->opt.sack_ok)
		c->cflags |= TCP_CF_SACK;
	else
		c->cflags &= ~TCP_CF_SACK;
	tcp_set_mss(c, seg);
	c->snd_wnd = c->max_snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	/* What our SYN or SYN,ACK offers: the buffer, unscaled, at most 65535. */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(tcp_rcv_space(c), (uint32_t)UINT16_MAX);
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

static bool fsm_text(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, struct rte_mbuf **mp,
		bool *fin);
static void fsm_fin(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, bool queued);

/* §3.10.7.3 SYN-SENT. */
static void
fsm_syn_sent(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	bool ack_ok = false, qfin = false;

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
	c->rcv_nxt = seg->seq + 1;
	tcp_negotiate(c, seg, c->flags & TCP_F_WSCALE, c->flags & TCP_F_TSTAMP,
			c->cflags & TCP_CF_SACK);
	tcp_ecn_synack_rcvd(c, seg);
	c->snd_wl2 = seg->ack;
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
		tcp_rtt_sample(c, (uint32_t)w->now_us - c->rtt_ts);
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
	 * processing at the sixth step below where the URG bit is checked." Text
	 * beyond the window our SYN offered is cut off, with a FIN after it (FreeBSD
	 * tcp_do_segment: "If data, trim to stay within window"). */
	seg->flags &= ~SYN;
	seg->seq++;
	if (seg->len > tcp_rcv_wnd(c)) {
		seg->len = tcp_rcv_wnd(c);
		seg->flags &= ~FIN;
	}
	if (fsm_text(c, seg, &m, &qfin))
		fsm_fin(c, seg, qfin);
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
	uint32_t wnd = RTE_MAX(tcp_rcv_wnd(c), 1u);

	/* RFC 1337 §3 (TIME-WAIT assassination), fix (1): "Ignore RST segments in
	 * TIME-WAIT state", as the TIME_WAIT entry does (tcp_tw.c). */
	if (c->state == LR_TCP_TIME_WAIT) {
		tcp_drop(sh, m, LR_TCP_STAT_TW_RST);
		return;
	}
	if (!(SEQ_GEQ(seg->seq, c->rcv_nxt) && SEQ_LT(seg->seq, c->rcv_nxt + wnd))) {
		tcp_drop(sh, m, LR_TCP_STAT_RST_OUT_OF_WINDOW);
		return;
	}
	if (seg->seq != c->rcv_nxt) {
		tcp_challenge_ack(c);
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
	uint32_t rcv_wnd = tcp_rcv_wnd(c);
	uint32_t wnd_end = c->rcv_nxt + rcv_wnd;

	if (todrop > 0) {
		if (seg->flags & SYN) {
			seg->flags &= ~SYN;
			seg->seq++;
			todrop--;
		}
		/* RFC 2883: text received before is reported in a D-SACK. */
		if (todrop > 0 && seg->len > 0)
			tcp_sack_dsack(c, seg->seq, seg->seq + RTE_MIN((uint32_t)todrop, seg->len));
		if ((uint32_t)todrop > seg->len ||
				((uint32_t)todrop == seg->len && !(seg->flags & FIN))) {
			/* Complete duplicate. A retransmitted FIN in TIME_WAIT: "Acknowledge
			 * it, and restart the 2 MSL timeout" (2 MSL starts when the entry
			 * is made, at the end of this burst). */
			seg->flags &= ~FIN;
			tcp_ack_schedule(c);
			todrop = (int32_t)seg->len;
		}
		seg->seq += (uint32_t)todrop;
		seg->len -= (uint32_t)todrop;
		seg->data_off += (uint32_t)todrop;
	}
	/* A segment without text at the right edge itself is accepted (Linux
	 * tcp_sequence, FreeBSD): a peer that filled the window, part of it lost, ACKs
	 * from there, and its ACKs (SACK blocks) are what recovery runs on. */
	todrop = tcp_seq_diff(seg->seq + seg->len, wnd_end);
	if (todrop > 0 || (seg->len == 0 && rcv_wnd > 0 && SEQ_GT(seg->seq, wnd_end))) {
		if (todrop > 0 && (uint32_t)todrop < seg->len) {
			seg->len -= (uint32_t)todrop;
			seg->flags &= ~FIN;
		} else if (rcv_wnd == 0 && seg->seq == c->rcv_nxt) {
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

/* Payload of m as an mbuf of its own: data at the first new byte, exact length
 * (across the segments of a reassembled chain). NULL when the lengths disagree. */
static struct rte_mbuf *
seg_payload(struct rte_mbuf *m, const struct lr_tcp_seg *seg)
{
	if (seg->data_off + seg->len > m->pkt_len)
		return NULL;
	m = tcp_mbuf_cut_head(m, seg->data_off);
	if (m->pkt_len > seg->len)
		tcp_mbuf_keep(m, seg->len);
	return m;
}

/*
 * In-order payload for the application: RCV.NXT moves past it. With hold_rcv the
 * bytes keep occupying the receive buffer until lr_tcp_recved(). After
 * lr_tcp_close() they are acknowledged and discarded.
 * @return false when the callback freed the connection
 */
static bool
fsm_deliver(struct lr_tcp_conn *c, struct rte_mbuf *data, uint32_t len)
{
	struct lr_tcp_shard *sh = c->sh;

	c->rcv_nxt += len;
	if (c->flags & TCP_F_APP_CLOSED) {
		tcp_drop(sh, data, LR_TCP_STAT_DATA_AFTER_CLOSE);
		return true;
	}
	LR_TCP_STAT_ADD(&sh->stats, RX_DATA_BYTES, len);
	if (c->cb->data == NULL || !tcp_app_live(c)) {
		rte_pktmbuf_free(data);
		return true;
	}
	if (c->cb->hold_rcv)
		c->rcv_held += len;
	c->cb->data(c, data, c->arg);
	return !(c->flags & TCP_F_FREED);
}

/*
 * "Seventh, process the segment text."
 * @param mp the segment; set to NULL when handed to the application or dropped
 * @param fin set when a FIN queued with out-of-order data is now at RCV.NXT
 * @return false when processing stops here (connection freed, or out of order)
 */
static bool
fsm_text(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, struct rte_mbuf **mp, bool *fin)
{
	struct lr_tcp_shard *sh = c->sh;
	struct rte_mbuf *data;
	bool qfin = false, gap_fill;
	uint32_t len;

	if (seg->len == 0)
		return true;
	switch (c->state) {
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
		/* "Once in the ESTABLISHED state, it is possible to deliver segment data
		 * to user RECEIVE buffers... When the TCP endpoint takes responsibility for
		 * delivering the data to the user, it must also acknowledge the receipt of
		 * the data." */
		data = seg_payload(*mp, seg);
		if (data == NULL) {
			tcp_drop(sh, *mp, LR_TCP_STAT_HDR_SPLIT);
			*mp = NULL;
			return false;
		}
		*mp = NULL;
		tcp_ack_mid_burst(c);
		if (seg->seq != c->rcv_nxt) {
			/* RFC 5681 §4.2: "A TCP receiver SHOULD send an immediate duplicate
			 * ACK when an out-of-order segment arrives"; the segment waits in
			 * the reassembly queue. */
			c->rcv_unacked += seg->len;
			tcp_ack_schedule(c);
			tcp_reass_insert(c, seg->seq, seg->len, seg->flags & FIN, data);
			return false;
		}
		/* "... an immediate ACK when the incoming segment fills in all or part
		 * of a gap in the sequence space"; otherwise the ACK may be delayed. */
		gap_fill = c->ooo_n > 0;
		if (gap_fill || (c->flags & TCP_F_APP_CLOSED))
			tcp_ack_schedule(c);
		else
			tcp_ack_delay(c, seg->len);
		if (!fsm_deliver(c, data, seg->len))
			return false;
		while (!qfin && (data = tcp_reass_pop(c, &len, &qfin)) != NULL)
			if (!fsm_deliver(c, data, len))
				return false;
		*fin = qfin;
		return true;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a
		 * FIN has been received from the remote side. Ignore the segment text." */
		tcp_drop(sh, *mp, LR_TCP_STAT_DATA_AFTER_FIN);
		*mp = NULL;
		return false;
	}
}

/* "Eighth, check the FIN bit." queued: a FIN from the reassembly queue. */
static void
fsm_fin(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, bool queued)
{
	bool notify;

	/* Only a FIN right at RCV.NXT (after this segment's text) is processed; one
	 * beyond it (a gap before) gets the duplicate ACK the text step sent. */
	if (!queued && (!(seg->flags & FIN) || seg->seq + seg->len != c->rcv_nxt)) {
		if ((seg->flags & FIN) && seg->len == 0)
			tcp_ack_schedule(c);
		return;
	}
	/* "If the FIN bit is set, signal the user 'connection closing' ..., advance
	 * RCV.NXT over the FIN, and send an acknowledgment for the FIN." */
	c->rcv_nxt++;
	c->flags |= TCP_F_PEER_FIN;
	tcp_ack_schedule(c);
	notify = tcp_app_live(c) && c->cb->peer_closed != NULL;
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
				c->cb->peer_closed(c, c->arg);
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
			c->cb->peer_closed(c, c->arg);
		if (!(c->flags & TCP_F_FREED))
			tcp_enter_time_wait(c);
		return;
	case LR_TCP_TIME_WAIT:
		/* "Remain in the TIME-WAIT state. Restart the 2 MSL time-out." (It
		 * starts when the entry is made, at the end of this burst.) */
		return;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state." */
		return;
	}
	if (notify)
		c->cb->peer_closed(c, c->arg);
}

/* §3.10.7.4 "Other states": SYN_RCVD and the synchronized states. */
void
tcp_fsm_input(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint32_t seq0 = seg->seq;
	bool qfin = false;

	if (c->state == LR_TCP_SYN_SENT) {
		fsm_syn_sent(w, c, seg, m);
		return;
	}
	/* SYN_RCVD and the peer's SYN again (IRS: RCV.NXT - 1, no text is accepted
	 * before ESTABLISHED): our SYN,ACK was lost; send it again. */
	if (c->state == LR_TCP_SYN_RCVD && (seg->flags & (SYN | ACK)) == SYN &&
			seg->seq == c->rcv_nxt - 1) {
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
	/* RFC 7323 §5.3 PAWS, R1: "If SEG.TSval < TS.Recent ..., then treat the
	 * arriving segment as not acceptable: Send an acknowledgment in reply ... and
	 * drop the segment." (Timestamps compare modulo 2^32, like sequences.) */
	if ((c->flags & TCP_F_TSTAMP) && seg->opt.has_ts && SEQ_LT(seg->opt.tsval, c->ts_recent)) {
		tcp_ack_schedule(c);
		tcp_drop(sh, m, LR_TCP_STAT_PAWS);
		return;
	}
	if (!fsm_trim(c, seg)) {
		tcp_drop(sh, m, LR_TCP_STAT_BAD_SEQ);
		return;
	}
	/* R3 / §4.3: "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent, then
	 * SEG.TSval is copied to TS.Recent". */
	if ((c->flags & TCP_F_TSTAMP) && seg->opt.has_ts && SEQ_LEQ(seq0, c->last_ack_sent))
		c->ts_recent = seg->opt.tsval;
	/* An acceptable segment: the peer is alive (keepalive idle time restarts). */
	tcp_keep_reset(c);
	/* RFC 3168 §6.1.3: CE to echo, CWR ending the echo */
	if (unlikely((seg->ecn & TCP_SEG_CWR) || (seg->ecn & TCP_SEG_ECN_MASK) == TCP_SEG_CE))
		tcp_ecn_input(c, seg);
	/* "Fourth, check the SYN bit": duplicates were trimmed; a SYN left is new. */
	if (seg->flags & SYN) {
		if (c->state == LR_TCP_SYN_RCVD && (c->flags & TCP_F_PASSIVE)) {
			/* "If the connection was initiated with a passive OPEN, then return
			 * this connection to the LISTEN state and return." */
			tcp_set_state(c, LR_TCP_LISTEN);
			tcp_conn_free(c);
		} else {
			/* RFC 5961 §4.2: "TCP endpoints MUST send a 'challenge ACK'" */
			tcp_challenge_ack(c);
		}
		tcp_drop(sh, m, LR_TCP_STAT_SYN_IN_WINDOW);
		return;
	}
	/* "Fifth, check the ACK field." */
	if (!tcp_fsm_ack(w, c, seg, m))
		return;
	/* "Sixth, check the URG bit": urgent data is not supported (RFC 6093). */
	/* "Seventh, process the segment text." */
	if (!fsm_text(c, seg, &m, &qfin)) {
		if (m != NULL)
			lr_consume(m);
		return;
	}
	/* "Eighth, check the FIN bit." */
	fsm_fin(c, seg, qfin);
	if (m != NULL)
		lr_consume(m);
}
