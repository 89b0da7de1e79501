/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 9293 §3.10.7.2 LISTEN: a SYN to a listener creates a half-open connection
 * (SYN_RCVD); past half_open_max the SYN is answered with a SYN cookie instead
 * (tcp_syncookie.c), and the ACK returning a cookie creates the connection
 * (anchor: FreeBSD tcp_syncache.c).
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG

/* A connection born from listener l for seg: LISTEN, 4-tuple, callbacks. */
static struct lr_tcp_conn *
listen_new_conn(struct lr_worker *w, struct lr_tcp_listener *l, const struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_conn *c = tcp_conn_new(w, &seg->key);

	if (c == NULL) {
		/* Full: stay silent, the peer retries its SYN. */
		tcp_drop(w->tcp, m, LR_TCP_STAT_CONN_FULL);
		return NULL;
	}
	c->flags |= TCP_F_PASSIVE;
	tcp_cc_set(c, (enum lr_tcp_cc)l->cc);
	c->cb = l->cb;
	c->arg = l->arg;
	/* born from the listener: LISTEN => SYN_RCVD */
	tcp_state_gauge_move(w->tcp, c->state, LR_TCP_LISTEN);
	c->state = LR_TCP_LISTEN;
	LR_TCP_STAT_INC(&w->tcp->stats, PASSIVE_OPEN);
	return c;
}

/*
 * What the cookie SYN-ACK's TSval carried (tcp_syncookie.c), back in the ACK's
 * TSecr: timestamps, window scaling, SACK and ECN as the SYN negotiated them. Without
 * (or with bits no cookie SYN-ACK sends) the connection runs without them.
 */
static void
listen_cookie_opts(struct lr_tcp_shard *sh, const struct lr_tcp_listener *l,
		struct lr_tcp_conn *c, struct lr_tcp_seg *seg)
{
	struct tcp_cookie_opts o;

	c->rcv_wscale = 0;
	if (!sh->conf.timestamps || !seg->opt.has_ts ||
			tcp_cookie_ts_decode(seg->opt.tsecr, &o) != 0)
		return;
	c->flags |= TCP_F_TSTAMP;
	c->ts_recent = seg->opt.tsval;
	if (o.has_ws && sh->conf.window_scaling) {
		c->flags |= TCP_F_WSCALE;
		c->snd_wscale = o.wscale;
		c->rcv_wscale = tcp_wscale_for(sh->conf.rcv_wnd);
	}
	if (o.sack && sh->conf.sack)
		c->cflags |= TCP_CF_SACK;
	if (o.ecn && l->ecn != LR_TCP_ECN_OFF)
		c->ecn = TCP_ECN_OK; /* the SYN-ACK carried ECE (RFC 3168 §6.1.1) */
	LR_TCP_STAT_INC(&sh->stats, SYNCOOKIE_OPTS);
	/* The echoed TSval lost its low bits to the options: no RTT sample from it. */
	seg->opt.tsecr = 0;
}

/*
 * An ACK to a listener: the third segment of a cookie handshake (RFC 4987 §3.6)
 * when cookies went out in the last two periods. A valid cookie creates the
 * connection in SYN_RCVD as if the SYN-ACK had been sent with state, and the
 * segment continues there (its ACK completes the handshake, its data is
 * delivered). @return false when cookies are not in play (caller sends a RST)
 */
static bool
listen_cookie_ack(struct lr_worker *w, struct lr_tcp_listener *l, struct lr_tcp_seg *seg,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c;
	int mss;

	if (!sh->conf.syncookies || sh->cookie_last_us == 0 ||
			w->now_us - sh->cookie_last_us > 128ull * 1000000 ||
			(seg->flags & (SYN | RST | ACK)) != ACK)
		return false;
	mss = tcp_cookie_check(sh, &seg->key, seg->seq - 1, seg->ack - 1, w->now_us);
	if (mss < 0) {
		tcp_send_rst_for(w, seg);
		tcp_drop(sh, m, LR_TCP_STAT_SYNCOOKIE_FAILED);
		return true;
	}
	c = listen_new_conn(w, l, seg, m);
	if (c == NULL)
		return true;
	LR_TCP_STAT_INC(&sh->stats, SYNCOOKIE_OK);
	c->rcv_nxt = seg->seq;
	c->iss = c->snd_una = seg->ack - 1;
	c->snd_nxt = c->snd_max = seg->ack;
	c->snd_mss = RTE_MAX(RTE_MIN((uint16_t)mss, c->adv_mss), 64);
	listen_cookie_opts(sh, l, c, seg);
	c->rcv_adv = c->rcv_nxt + RTE_MIN(tcp_rcv_space(c), (uint32_t)UINT16_MAX);
	c->last_ack_sent = c->rcv_nxt;
	c->snd_wl1 = seg->seq - 1;
	tcp_set_state(c, LR_TCP_SYN_RCVD);
	tcp_fsm_input(w, c, seg, m);
	return true;
}

/*
 * Past half_open_max: a stateless SYN-ACK whose ISS is a cookie (RFC 4987 §3.6),
 * or, with cookies off, silence.
 */
static void
listen_syn_overflow(struct lr_worker *w, const struct lr_tcp_listener *l,
		const struct lr_tcp_seg *seg, struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint16_t peer_mss = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_MSS;
	uint16_t our_mss = (uint16_t)((seg->mtu > 40 ? seg->mtu : 1500) - 40);
	uint16_t mss;
	uint32_t iss;

	if (!sh->conf.syncookies) {
		tcp_drop(sh, m, LR_TCP_STAT_HALF_OPEN_FULL);
		return;
	}
	iss = tcp_cookie_make(sh, &seg->key, seg->seq, w->now_us, RTE_MIN(peer_mss, our_mss),
			&mss);
	tcp_send_cookie_synack(w, seg, iss, our_mss, l->ecn);
	sh->cookie_last_us = RTE_MAX(w->now_us, 1ull);
	LR_TCP_STAT_INC(&sh->stats, SYNCOOKIE_SENT);
	lr_consume(m);
}

/* §3.10.7.2 LISTEN. */
void
tcp_fsm_listen(struct lr_worker *w, struct lr_tcp_listener *l, struct lr_tcp_seg *seg,
		struct rte_mbuf *m, const uint32_t *min_iss)
{
	struct lr_tcp_shard *sh = w->tcp;
	enum lr_tcp_stat_id shed;
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
	 * formed for any arriving ACK-bearing segment: <SEQ=SEG.ACK><CTL=RST>" --
	 * unless it returns a SYN cookie. */
	if (seg->flags & ACK) {
		if (listen_cookie_ack(w, l, seg, m))
			return;
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
	 * SYN is not queued: it is not acknowledged and the peer sends it again.
	 * Past capacity the SYN goes first, before any allocation (tcp_burst.c). */
	shed = tcp_syn_shed_reason(sh);
	if (unlikely(shed != 0)) {
		tcp_drop(sh, m, shed);
		return;
	}
	if (sh->nb_half_open >= sh->conf.half_open_max) {
		listen_syn_overflow(w, l, seg, m);
		return;
	}
	c = listen_new_conn(w, l, seg, m);
	if (c == NULL)
		return;
	c->rcv_nxt = seg->seq + 1;
	iss = tcp_new_isn(sh, &seg->key, w->now_us);
	if (min_iss != NULL && SEQ_LT(iss, *min_iss))
		iss = *min_iss;
	c->iss = c->snd_una = c->snd_nxt = c->snd_max = iss;
	tcp_negotiate(c, seg, sh->conf.window_scaling, sh->conf.timestamps, sh->conf.sack);
	tcp_ecn_syn_rcvd(c, seg, l->ecn);
	tcp_set_state(c, LR_TCP_SYN_RCVD);
	tcp_output_schedule(c);
	lr_consume(m);
}
