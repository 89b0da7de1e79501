/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: segments for a connection (SYN, SYN-ACK, data from the send buffer,
 * FIN, pure ACK) and RSTs for segments with no connection. Checksums are left to
 * lr_ip_output (RTE_MBUF_F_TX_TCP_CKSUM: offloaded or computed there).
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "lr_ip.h"
#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define PSH RTE_TCP_PSH_FLAG

#define TCPOPT_MSS 2

void
tcp_output_schedule(struct lr_tcp_conn *c)
{
	if (c->flags & (TCP_F_ON_OUTQ | TCP_F_FREED))
		return;
	c->flags |= TCP_F_ON_OUTQ;
	TAILQ_INSERT_TAIL(&c->sh->outq, c, out_link);
}

void
tcp_ack_schedule(struct lr_tcp_conn *c)
{
	c->flags |= TCP_F_ACK_PENDING;
	tcp_output_schedule(c);
}

/* Fill a TCP header (no options) in network order. */
static void
tcp_fill_hdr(struct rte_tcp_hdr *th, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, uint32_t hlen)
{
	th->src_port = key->lport;
	th->dst_port = key->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(wnd);
	th->cksum = 0;
	th->tcp_urp = 0;
}

/* Hand a built segment to IP with the checksum requested. */
static void
tcp_ip_output(struct lr_worker *w, struct rte_mbuf *m, const struct tcp_key *key,
		uint32_t hlen)
{
	m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	m->l4_len = hlen;
	lr_ip_output(w, m, key->laddr, key->raddr, IPPROTO_TCP);
	LR_TCP_STAT_INC(&w->tcp->stats, TX);
}

/* Largest payload one mbuf of the worker's pool carries behind the headers. */
static uint32_t
tcp_mbuf_payload_max(const struct lr_worker *w)
{
	uint32_t room = rte_pktmbuf_data_room_size(w->pool);
	uint32_t need = RTE_PKTMBUF_HEADROOM + TCP_HDR_LEN + TCP_OPT_MSS_LEN;

	return room > need ? room - need : 0;
}

/*
 * Build and send one segment of a connection.
 * @param sb_off offset in the send buffer of the payload
 * @return 0 or -ENOBUFS
 */
static int
tcp_xmit(struct lr_tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t sb_off, uint32_t len)
{
	struct lr_worker *w = c->w;
	uint32_t hlen = TCP_HDR_LEN + ((flags & SYN) ? TCP_OPT_MSS_LEN : 0);
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint8_t *opt;

	m = lr_alloc(w);
	if (m == NULL)
		return -ENOBUFS;
	th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, (uint16_t)(hlen + len));
	if (th == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	tcp_fill_hdr(th, &c->key, seq, (flags & ACK) ? c->rcv_nxt : 0, flags, c->rcv_wnd, hlen);
	if (flags & SYN) {
		/* MSS option on SYN and SYN-ACK: interface MTU - 40. */
		opt = (uint8_t *)(th + 1);
		opt[0] = TCPOPT_MSS;
		opt[1] = TCP_OPT_MSS_LEN;
		opt[2] = (uint8_t)(c->adv_mss >> 8);
		opt[3] = (uint8_t)c->adv_mss;
	}
	if (len > 0)
		tcp_sb_copy(c, sb_off, (uint8_t *)th + hlen, len);
	if (flags & ACK)
		c->flags &= ~TCP_F_ACK_PENDING; /* it carries the latest RCV.NXT */
	tcp_ip_output(w, m, &c->key, hlen);
	return 0;
}

/* SYN (SYN_SENT) or SYN,ACK (SYN_RCVD) at ISS; sent again after a timeout. */
static void
tcp_output_syn(struct lr_tcp_conn *c)
{
	uint8_t flags = SYN | (c->state == LR_TCP_SYN_RCVD ? ACK : 0);

	if (c->snd_nxt != c->iss) {
		if ((c->flags & TCP_F_ACK_PENDING) && c->state == LR_TCP_SYN_RCVD)
			tcp_xmit(c, c->snd_max, ACK, 0, 0);
		c->flags &= ~TCP_F_ACK_PENDING;
		return;
	}
	if (tcp_xmit(c, c->iss, flags, 0, 0) < 0)
		return;
	if (c->snd_max == c->iss) {
		c->flags |= TCP_F_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_ts = c->w->now_us;
	} else {
		LR_TCP_STAT_INC(&c->sh->stats, REXMT_SEGS);
		c->retransmits++;
	}
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	if (c->timer[TCP_T_REXMT] == 0)
		tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	c->flags &= ~TCP_F_ACK_PENDING;
}

/*
 * Send what the connection may send now: data from SND.NXT within the peer's
 * window (SND.UNA + SND.WND) in MSS-sized segments, the FIN after the last byte,
 * or, when none of that, a pure ACK if one is pending. After a timeout
 * (SND.NXT < SND.MAX) one segment per call: each ACK releases the next.
 */
void
tcp_output(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	uint32_t data_end, wnd_end, len, seglen;
	bool rexmit, fin, sent = false;
	uint32_t cap = RTE_MIN((uint32_t)c->snd_mss, tcp_mbuf_payload_max(c->w));
	uint8_t flags;

	switch (c->state) {
	case LR_TCP_SYN_SENT:
	case LR_TCP_SYN_RCVD:
		tcp_output_syn(c);
		return;
	case LR_TCP_CLOSED:
	case LR_TCP_LISTEN:
		return;
	default:
		break;
	}
	data_end = c->snd_una + c->sb_len;
	wnd_end = c->snd_una + c->snd_wnd;
	rexmit = SEQ_LT(c->snd_nxt, c->snd_max);
	for (;;) {
		if (SEQ_LT(c->snd_nxt, data_end)) {
			if (!SEQ_LT(c->snd_nxt, wnd_end))
				break; /* window full (persist timer: not yet) */
			len = RTE_MIN(data_end - c->snd_nxt, wnd_end - c->snd_nxt);
			len = RTE_MIN(len, cap);
			if (len == 0)
				break; /* mbufs too small for any payload */
		} else if ((c->flags & TCP_F_FIN_QUEUED) && c->snd_nxt == data_end &&
				!tcp_fin_acked(c)) {
			len = 0;
		} else {
			break;
		}
		fin = (c->flags & TCP_F_FIN_QUEUED) && c->snd_nxt + len == data_end;
		flags = ACK | (fin ? FIN : 0) | (len > 0 && c->snd_nxt + len == data_end ? PSH : 0);
		if (tcp_xmit(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, len) < 0)
			break;
		seglen = len + fin;
		if (SEQ_GEQ(c->snd_nxt, c->snd_max)) {
			LR_TCP_STAT_ADD(&sh->stats, TX_DATA_BYTES, len);
			if (!(c->flags & TCP_F_TIMING)) {
				c->flags |= TCP_F_TIMING;
				c->rtt_seq = c->snd_nxt;
				c->rtt_ts = c->w->now_us;
			}
		} else {
			LR_TCP_STAT_INC(&sh->stats, REXMT_SEGS);
			c->retransmits++;
		}
		if (fin) {
			c->flags |= TCP_F_FIN_SENT;
			c->fin_seq = data_end;
		}
		c->snd_nxt += seglen;
		c->snd_max = SEQ_MAX(c->snd_max, c->snd_nxt);
		sent = true;
		if (rexmit || fin)
			break;
	}
	if (sent) {
		if (c->timer[TCP_T_REXMT] == 0)
			tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	} else if (c->flags & TCP_F_ACK_PENDING) {
		/* Pure ACK at SND.MAX so it lands in the peer's window even after a
		 * rewind. */
		if (tcp_xmit(c, c->snd_max, ACK, 0, 0) == 0)
			LR_TCP_STAT_INC(&sh->stats, ACK_TX);
	}
	c->flags &= ~TCP_F_ACK_PENDING;
}

void
tcp_send_rst(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		bool with_ack)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	m = lr_alloc(w);
	if (m == NULL)
		return;
	th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, TCP_HDR_LEN);
	if (th == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	tcp_fill_hdr(th, key, seq, with_ack ? ack : 0, RST | (with_ack ? ACK : 0), 0,
			TCP_HDR_LEN);
	LR_TCP_STAT_INC(&w->tcp->stats, RST_TX);
	tcp_ip_output(w, m, key, TCP_HDR_LEN);
}

/*
 * A RST answering seg (RFC 9293 §3.10.7.1): "If the ACK bit is off, sequence
 * number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. If the ACK bit
 * is on, <SEQ=SEG.ACK><CTL=RST>."
 */
void
tcp_send_rst_for(struct lr_worker *w, const struct lr_tcp_seg *seg)
{
	if (seg->flags & ACK)
		tcp_send_rst(w, &seg->key, seg->ack, 0, false);
	else
		tcp_send_rst(w, &seg->key, 0, seg->seq + tcp_seg_seqlen(seg), true);
}

void
lr_tcp_flush(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c;

	if (sh == NULL)
		return;
	while ((c = TAILQ_FIRST(&sh->outq)) != NULL) {
		TAILQ_REMOVE(&sh->outq, c, out_link);
		c->flags &= ~TCP_F_ON_OUTQ;
		tcp_output(c);
	}
	tcp_conn_reap(sh);
}
