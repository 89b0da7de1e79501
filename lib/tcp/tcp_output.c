/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: segments for a connection (SYN, SYN-ACK, data from the send buffer,
 * FIN, pure ACK) and RSTs for segments with no connection. Checksums are left to
 * lr_ip_output (RTE_MBUF_F_TX_TCP_CKSUM: offloaded or computed there).
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "lr_ip.h"
#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define PSH RTE_TCP_PSH_FLAG

#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WS 3
#define TCPOPT_SACK_OK 4
#define TCPOPT_TS 8

void
tcp_output_schedule(struct lr_tcp_conn *c)
{
	if (c->flags & (TCP_F_ON_OUTQ | TCP_F_FREED))
		return;
	c->flags |= TCP_F_ON_OUTQ;
	TAILQ_INSERT_TAIL(&c->sh->outq, c, out_link);
}

/* An ACK leaves at the next flush; a second request before then is coalesced. */
void
tcp_ack_schedule(struct lr_tcp_conn *c)
{
	if (c->flags & TCP_F_ACK_PENDING)
		LR_TCP_STAT_INC(&c->sh->stats, ACK_COALESCED);
	c->flags |= TCP_F_ACK_PENDING;
	tcp_output_schedule(c);
}

/*
 * Quick-ACK mode (the receiver heuristic of Linux and FreeBSD, not an RFC rule): a
 * delayed ACK stalls a peer that waits for it before sending more, which is what
 * Nagle's algorithm does with a response written in two pieces, and slow start with
 * a small initial window. So the first conf.quickack data segments of a connection,
 * those after an idle gap longer than the RTO, and those after the delayed-ACK timer
 * had to fire (the peer was waiting) are ACKed at once. The budget is refreshed here,
 * for every in-order segment.
 */
static void
quickack_refresh(struct lr_tcp_conn *c)
{
	uint32_t now_ms = (uint32_t)(c->sh->w->now_us / 1000);

	/* the budget starts full (tcp_conn_new); rcv_data_ms is 0 until the first data */
	if (c->rcv_data_ms != 0 && now_ms - c->rcv_data_ms > c->rto_us / 1000)
		c->quickacks = c->sh->conf.quickack;
	c->rcv_data_ms = now_ms != 0 ? now_ms : 1;
}

/* A segment that would wait for the timer: ACK it now if the budget allows. */
static bool
quickack_take(struct lr_tcp_conn *c)
{
	if (c->quickacks == 0)
		return false;
	c->quickacks--;
	LR_TCP_STAT_INC(&c->sh->stats, ACK_QUICK);
	return true;
}

/*
 * In-order data of len bytes arrived: RFC 1122 4.2.3.2 / RFC 5681 §4.2, "an ACK
 * SHOULD be generated for at least every second full-sized segment, and MUST be
 * generated within 500 ms of the arrival of the first unacknowledged packet".
 * Two full-sized segments' worth (2 * rcv_mss) unacknowledged, or quick-ACK mode:
 * ACK at this flush; else the delayed-ACK timer. Data we send before then carries
 * the ACK.
 */
void
tcp_ack_delay(struct lr_tcp_conn *c, uint32_t len)
{
	uint32_t delack_ms = c->sh->conf.delack_ms;

	if (len > c->rcv_mss)
		c->rcv_mss = (uint16_t)RTE_MIN(len, (uint32_t)c->adv_mss);
	c->rcv_unacked += len;
	quickack_refresh(c);
	if (delack_ms == 0 || (c->flags & TCP_F_ACK_PENDING) ||
			c->rcv_unacked >= 2u * c->rcv_mss || quickack_take(c)) {
		tcp_ack_schedule(c);
		return;
	}
	if (c->timer[TCP_T_DELACK] != 0)
		LR_TCP_STAT_INC(&c->sh->stats, ACK_COALESCED);
	else
		tcp_timer_arm(c, TCP_T_DELACK, (uint64_t)delack_ms * 1000);
}

/*
 * The worker's challenge ACK budget, as Linux fixed CVE-2016-5696 (tcp_send_challenge_ack(),
 * net.ipv4.tcp_challenge_ack_limit): with a fixed per-second limit an off-path attacker
 * counts the challenge ACKs a connection gets while it spends the rest of the budget,
 * and learns whether its guessed 4-tuple and sequence numbers hit. So each second's
 * budget is drawn at random in [n/2, n/2 + n) (n = challenge_ack_per_s). Also pays
 * for other ACKs answering unacceptable segments (TIME_WAIT).
 * @return true when one more may be sent this second
 */
bool
tcp_rate_allow(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint64_t sec = w->now_us / 1000000;
	uint32_t n = sh->conf.challenge_ack_per_s;

	if (sec != sh->chack_sec) {
		sh->chack_sec = sec;
		sh->chack_left = (n + 1) / 2 + (uint32_t)rte_rand_max(n);
	}
	if (sh->chack_left == 0) {
		LR_TCP_STAT_INC(&sh->stats, CHALLENGE_ACK_GLOBAL_LIMITED);
		return false;
	}
	sh->chack_left--;
	return true;
}

/* RFC 5961 challenge ACK, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", rate limited (§7)
 * first per connection, at most one per challenge_ack_per_conn_ms (Linux
 * tcp_oow_rate_limited(), net.ipv4.tcp_invalid_ratelimit), then by the worker's
 * randomised budget (tcp_rate_allow()). @return false when suppressed */
bool
tcp_challenge_ack(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	uint32_t now_ms = (uint32_t)(sh->w->now_us / 1000);

	if (now_ms - c->chack_ms < sh->conf.challenge_ack_per_conn_ms) {
		LR_TCP_STAT_INC(&sh->stats, CHALLENGE_ACK_CONN_LIMITED);
		return false;
	}
	c->chack_ms = now_ms;
	if (!tcp_rate_allow(sh->w))
		return false;
	LR_TCP_STAT_INC(&sh->stats, CHALLENGE_ACK);
	tcp_ack_schedule(c);
	return true;
}

/* RSTs answering segments for no connection: a token bucket of their own, rst_per_s
 * a second with one second of burst (FreeBSD rate-limits them with
 * net.inet.icmp.icmplim, BANDLIM_RST_CLOSEDPORT), so a port scan cannot spend the
 * challenge ACK budget nor the other way round. @return true when one may be sent */
static bool
tcp_rst_allow(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint64_t rate = sh->conf.rst_per_s;
	uint64_t cap = rate * 1000000;
	uint64_t elapsed = w->now_us > sh->rst_last_us ? w->now_us - sh->rst_last_us : 0;

	sh->rst_last_us = RTE_MAX(sh->rst_last_us, w->now_us);
	sh->rst_credit = RTE_MIN(cap, sh->rst_credit + RTE_MIN(elapsed, 1000000ull) * rate);
	if (sh->rst_credit < 1000000) {
		LR_TCP_STAT_INC(&sh->stats, RST_LIMITED);
		return false;
	}
	sh->rst_credit -= 1000000;
	return true;
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

/* Hand a built segment to IP with the checksum requested: a connection's with the
 * next IP id of its own counter (c->ip_id) and the ECN field ecn, one without (c NULL)
 * with a hashed one, Not-ECT. */
static void
tcp_ip_output(struct lr_worker *w, struct lr_tcp_conn *c, struct rte_mbuf *m,
		const struct tcp_key *key, uint32_t hlen, uint8_t ecn)
{
	m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	m->l4_len = hlen;
	if (c != NULL)
		lr_ip_output_id(w, m, key->laddr, key->raddr, IPPROTO_TCP, c->ip_id++, ecn);
	else
		lr_ip_output(w, m, key->laddr, key->raddr, IPPROTO_TCP);
	LR_TCP_STAT_INC(&w->tcp->stats, TX);
}

/* Largest payload of a segment: its IPv4 datagram within 64 KB. With an MTU above
 * what one buffer of the worker's pool holds, segments go out as chains (the port
 * setup refused an MTU needing them on a port without multi-segment TX). */
#define TCP_PAYLOAD_MAX (UINT16_MAX - sizeof(struct rte_ipv4_hdr) - TCP_HDR_LEN - \
		TCP_OPT_MAX_LEN)

/*
 * Append len bytes to m, in further buffers of the worker's pool chained to it when
 * its own tailroom is short (those use their headroom too: nothing is prepended to
 * them). @return 0, or -ENOBUFS (m still a well-formed chain for the caller to free)
 */
static int
tcp_append_chain(struct lr_worker *w, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m), *s;
	uint32_t n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(last));

	for (;;) {
		last->data_len = (uint16_t)(last->data_len + n);
		m->pkt_len += n;
		len -= n;
		if (len == 0)
			return 0;
		s = lr_alloc(w);
		if (unlikely(s == NULL))
			return -ENOBUFS;
		s->data_off = 0;
		last->next = s;
		last = s;
		m->nb_segs++;
		n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(s));
	}
}

/*
 * Free receive buffer: conf.rcv_wnd less half the truesize of what the application
 * holds (tcp_rcv_held_true(): at least its bytes) and of the out-of-order queue (the
 * window is half the buffer in truesize, tcp_rcvbuf_room(); Linux tcp_space() counts
 * sk_rmem_alloc the same way), so a peer whose segments cost far more than their
 * bytes sees the window close.
 */
uint32_t
tcp_rcv_space(const struct lr_tcp_conn *c)
{
	uint64_t used = (tcp_rcv_held_true(c) + c->ooo_true) / 2;
	uint32_t buf = c->sh->conf.rcv_wnd;

	return used >= buf ? 0 : buf - (uint32_t)used;
}

/* Under memory pressure the free space offered is at most four segments (Linux
 * __tcp_select_window clamps rcv_ssthresh to 4 * rcv_mss under
 * tcp_under_memory_pressure()). */
static inline uint32_t
tcp_rcv_space_clamped(const struct lr_tcp_conn *c, uint32_t space)
{
	if (likely(!lr_mem_pressure(&c->sh->w->mem)))
		return space;
	return RTE_MIN(space, 4u * c->adv_mss);
}

/* The window offered for free space space: SWS avoidance (see below). */
static inline uint32_t
tcp_rcv_wnd_pick(const struct lr_tcp_conn *c, uint32_t space)
{
	uint32_t cur = tcp_rcv_wnd(c);
	uint32_t thresh = RTE_MIN(c->sh->conf.rcv_wnd / 2, (uint32_t)c->adv_mss);

	return space >= cur + thresh ? space : cur;
}

/*
 * The window field of a segment we send, and the new right edge RCV.ADV.
 * RFC 9293 §3.8.6.2.2 (RFC 1122 4.2.3.3) receiver SWS avoidance: the right edge
 * moves only when the free buffer exceeds the current window by
 * min(buffer / 2, MSS); it never moves left (the window is not shrunk), so when
 * held data fills the buffer the window closes to zero as data arrives. Under
 * memory pressure the free space is clamped (tcp_rcv_space_clamped), which stops
 * the right edge moving on, never back. Scaled windows round up (RFC 7323 §2.3);
 * SYNs are never scaled.
 */
static uint16_t
tcp_rcv_wnd_field(struct lr_tcp_conn *c, bool syn)
{
	uint8_t shift = syn ? 0 : c->rcv_wscale;
	uint32_t space = tcp_rcv_space(c), clamped = tcp_rcv_space_clamped(c, space);
	uint32_t win = tcp_rcv_wnd_pick(c, clamped);
	uint32_t field = RTE_MIN((win + (1u << shift) - 1) >> shift, (uint32_t)UINT16_MAX);

	if (unlikely(clamped < space) && win < tcp_rcv_wnd_pick(c, space))
		LR_TCP_STAT_INC(&c->sh->stats, WND_CLAMPED);
	win = field << shift;
	if (c->state != LR_TCP_SYN_SENT && SEQ_GT(c->rcv_nxt + win, c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + win;
	return (uint16_t)field;
}

/* Options of a segment of c with len bytes of payload: MSS, window scale and
 * SACK-permitted on SYNs, timestamps on all segments once negotiated (RFC 7323
 * §3.2), laid out as Linux does; SACK blocks on ACKs when SACK is in use and there
 * is something to report, as many as fit in the option space and, with a payload,
 * in the peer's MSS (RFC 9293 §3.7.1: options and data within it). */
static uint32_t
tcp_build_opts(struct lr_tcp_conn *c, uint8_t flags, uint8_t *opt, uint32_t len)
{
	bool sack_ok = (flags & SYN) && (c->cflags & TCP_CF_SACK);
	uint32_t n = 0, v, room;

	if (flags & SYN) {
		opt[n++] = TCPOPT_MSS;
		opt[n++] = TCP_OPT_MSS_LEN;
		opt[n++] = (uint8_t)(c->adv_mss >> 8);
		opt[n++] = (uint8_t)c->adv_mss;
		if (c->flags & TCP_F_WSCALE) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_WS;
			opt[n++] = 3;
			opt[n++] = c->rcv_wscale;
		}
	}
	if (sack_ok && !(c->flags & TCP_F_TSTAMP)) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_NOP;
	}
	if (sack_ok) {
		/* with timestamps it takes the place of their two NOPs */
		opt[n++] = TCPOPT_SACK_OK;
		opt[n++] = 2;
	}
	if ((c->flags & TCP_F_TSTAMP) && !(flags & RST)) {
		if (!sack_ok) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_NOP;
		}
		opt[n++] = TCPOPT_TS;
		opt[n++] = 10;
		v = rte_cpu_to_be_32(tcp_ts_now(c));
		memcpy(opt + n, &v, 4);
		/* "TSecr ... only valid if the ACK bit is set" (RFC 7323 §3.2) */
		v = (flags & ACK) ? rte_cpu_to_be_32(c->ts_recent) : 0;
		memcpy(opt + n + 4, &v, 4);
		n += 8;
	}
	if ((flags & (ACK | SYN | RST)) == ACK && (c->cflags & TCP_CF_SACK)) {
		room = TCP_OPT_MAX_LEN - n;
		if (len > 0)
			room = c->snd_mss > len + n ? RTE_MIN(room, c->snd_mss - len - n) : 0;
		n += tcp_sack_opt(c, opt + n, room);
	}
	return n;
}

/*
 * Build and send one segment of a connection.
 * @param sb_off offset in the send buffer of the payload
 * @return 0 or -ENOBUFS
 */
static int
tcp_xmit(struct lr_tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t sb_off, uint32_t len)
{
	struct lr_worker *w = c->sh->w;
	uint8_t opt[TCP_OPT_MAX_LEN];
	uint32_t optlen = tcp_build_opts(c, flags, opt, len);
	uint32_t hlen = TCP_HDR_LEN + optlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint8_t ecn = 0;
	uint16_t wnd;

	/* The payload from the send buffer in place (tcp_sbref.c), else copied. */
	m = len >= TCP_SBREF_MIN && w->tx_ref ? tcp_sb_ref(c, sb_off, len, hlen) : NULL;
	if (m == NULL) {
		m = lr_alloc(w);
		if (m == NULL)
			return -ENOBUFS;
		if (unlikely(rte_pktmbuf_tailroom(m) < hlen ||
				tcp_append_chain(w, m, hlen + len) != 0)) {
			rte_pktmbuf_free(m);
			return -ENOBUFS;
		}
		if (len > 0)
			tcp_sb_copy(c, sb_off, m, hlen, len);
	}
	th = rte_pktmbuf_mtod(m, struct rte_tcp_hdr *);
	wnd = tcp_rcv_wnd_field(c, flags & SYN);
	if (unlikely(c->sh->ecn_used) && c->ecn != 0) /* RFC 3168: ECE, CWR, ECT(0) */
		ecn = tcp_ecn_output(c, seq, &flags, len);
	tcp_fill_hdr(th, &c->key, seq, (flags & ACK) ? c->rcv_nxt : 0, flags, wnd, hlen);
	memcpy(th + 1, opt, optlen);
	if (flags & ACK) {
		/* It carries the latest RCV.NXT: whatever ACK was owed is sent. */
		c->flags &= ~TCP_F_ACK_PENDING;
		c->rcv_unacked = 0;
		c->last_ack_sent = c->rcv_nxt;
		tcp_timer_stop(c, TCP_T_DELACK);
		if (wnd == 0)
			LR_TCP_STAT_INC(&c->sh->stats, ZERO_WND_TX);
	}
	tcp_ip_output(w, c, m, &c->key, hlen, ecn);
	return 0;
}

/*
 * tcp_ack_mid_burst(): a data segment is about to be taken in. RFC 5681 §4.2, "an ACK
 * SHOULD be generated for at least every second full-sized segment", holds within one
 * receive burst too: an ACK owed (for the flush) with two full-sized segments' worth
 * unacknowledged leaves now, covering what came before this segment, and the one owed
 * stays for the flush.
 * A burst of N segments so draws about N / 2 ACKs, not one: a Linux sender whose single
 * ACK per burst was lost waited for its retransmission timeout (bench/README.md, "Loss
 * sweep", the upload).
 */
void
tcp_ack_mid_burst_send(struct lr_tcp_conn *c)
{
	if (tcp_xmit(c, c->snd_max, ACK, 0, 0) == 0)
		LR_TCP_STAT_INC(&c->sh->stats, ACK_MID_BURST);
	c->flags |= TCP_F_ACK_PENDING;
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
	/* Armed before the segment is built: when no mbuf can be had, the timer retries
	 * (and its retry limit ends it), so no connection is left without one. */
	if (c->timer[TCP_T_REXMT] == 0)
		tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	/* RFC 3168 §6.1.1.1: "A host that receives no reply to an ECN-setup SYN within the
	 * normal SYN retransmission timeout interval MAY resend the SYN and any subsequent
	 * SYN retransmissions with CWR and ECE cleared" (Linux tcp_ecn_fallback). */
	if (unlikely(c->ecn & TCP_ECN_OFFER) && c->snd_max != c->iss) {
		c->ecn &= ~TCP_ECN_OFFER;
		LR_TCP_STAT_INC(&c->sh->stats, ECN_FALLBACK);
	}
	if (tcp_xmit(c, c->iss, flags, 0, 0) < 0) {
		LR_TCP_STAT_INC(&c->sh->stats, XMIT_NOBUFS);
		return;
	}
	if (c->snd_max == c->iss) {
		c->flags |= TCP_F_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_ts = (uint32_t)c->sh->w->now_us;
	} else {
		LR_TCP_STAT_INC(&c->sh->stats, REXMT_SEGS);
		c->retransmits++;
	}
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	c->flags &= ~TCP_F_ACK_PENDING;
}

/* Account a data segment [seq, seq + len) about to leave: new bytes, or a
 * retransmission; start an RTT measurement if none runs (RFC 6298, Karn). */
static void
tcp_account_tx(struct lr_tcp_conn *c, uint32_t seq, uint32_t len)
{
	struct lr_tcp_shard *sh = c->sh;

	if (SEQ_LT(seq, c->snd_max)) {
		LR_TCP_STAT_INC(&sh->stats, REXMT_SEGS);
		c->retransmits++;
	}
	if (c->snd_una == c->snd_max)
		c->una_ms = (uint32_t)(sh->w->now_us / 1000); /* a flight begins */
	if (SEQ_GT(seq + len, c->snd_max)) {
		LR_TCP_STAT_ADD(&sh->stats, TX_DATA_BYTES,
				seq + len - SEQ_MAX(seq, c->snd_max));
		if (!(c->flags & TCP_F_TIMING) && SEQ_GEQ(seq, c->snd_max)) {
			c->flags |= TCP_F_TIMING;
			c->rtt_seq = seq;
			c->rtt_ts = (uint32_t)c->sh->w->now_us;
		}
	}
}

/* Largest payload of a data segment of c now: the effective MSS less the SACK blocks
 * it would carry (as Linux tcp_current_mss()). */
uint32_t
tcp_output_cap(const struct lr_tcp_conn *c)
{
	uint32_t mss = tcp_eff_mss(c);

	if (unlikely(c->cflags & TCP_CF_SACK))
		mss -= RTE_MIN(tcp_sack_optlen(c, TCP_OPT_MAX_LEN -
				((c->flags & TCP_F_TSTAMP) ? TCP_OPT_TS_LEN : 0)), mss - 1);
	return RTE_MIN(mss, (uint32_t)TCP_PAYLOAD_MAX);
}

/* The go-back-N after a timeout: SND.NXT moves past SACKed data (counted) unless
 * the data after it lies beyond wnd_end. *hole_end: where the hole at SND.NXT ends.
 * @return false when blocked by the window */
static bool
skip_sacked(struct lr_tcp_conn *c, uint32_t wnd_end, uint32_t data_end, uint32_t *hole_end)
{
	uint32_t seq = c->snd_nxt;

	if (!SEQ_LT(seq, c->snd_max))
		return true;
	*hole_end = tcp_sack_skip(c, &seq);
	if (seq == c->snd_nxt)
		return true;
	if (!SEQ_LT(seq, wnd_end) && SEQ_LT(seq, data_end))
		return false;
	LR_TCP_STAT_ADD(&c->sh->stats, RTO_SACK_SKIPPED, seq - c->snd_nxt);
	c->snd_nxt = seq;
	return true;
}

/*
 * Send what the connection may send now: data from SND.NXT up to
 * SND.UNA + min(SND.WND, cwnd) -- never beyond the peer's window -- in segments of
 * at most the effective MSS, the FIN after the last byte, or, when none of that, a
 * pure ACK if one is owed. When the peer's zero window holds data back and
 * nothing is in flight, the persist timer starts (RFC 9293 §3.8.6.1).
 */
void
tcp_output(struct lr_tcp_conn *c)
{
	uint32_t data_end, wnd_end, len, seglen, cap, hole_end;
	bool fin, sent = false, blocked = false, sack_rec, skip;
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
	cap = tcp_output_cap(c);
	data_end = c->snd_una + c->sb_len;
	if (SEQ_LT(c->snd_nxt, data_end))
		tcp_cc_idle_check(c); /* RFC 5681 §4.1 restart window */
	wnd_end = c->snd_una + RTE_MIN(c->snd_wnd, c->cwnd);
	/* SACK loss recovery (RFC 6675 §5): holes first, then new data, within cwnd
	 * less pipe rather than from SND.UNA. */
	sack_rec = (c->flags & TCP_F_RECOVERY) && c->sack_board != 0;
	if (sack_rec)
		wnd_end = tcp_sack_output(c, cap, c->snd_una + c->snd_wnd);
	/* After a timeout, with a scoreboard, until its flight is acknowledged (the
	 * go-back-N, SND.NXT rewound, and the new data after it): SACKed data is
	 * neither resent nor counted in flight (RFC 6675 §5.1; Linux
	 * tcp_packets_in_flight() leaves sacked_out out), so the SACKs of what was sent
	 * after a retransmission lost again keep the flight going until RACK finds it. */
	skip = !sack_rec && c->sack_board != 0 &&
		(SEQ_LT(c->snd_nxt, c->snd_max) || SEQ_LT(c->snd_una, c->recover));
	if (skip)
		wnd_end = SEQ_MIN(c->snd_una + c->snd_wnd, tcp_sack_cwnd_end(c));
	hole_end = data_end;
	for (;;) {
		if (skip && !skip_sacked(c, wnd_end, data_end, &hole_end)) {
			blocked = true;
			break;
		}
		if (SEQ_LT(c->snd_nxt, data_end)) {
			if (!SEQ_LT(c->snd_nxt, wnd_end)) {
				blocked = true;
				break;
			}
			len = RTE_MIN(data_end - c->snd_nxt, wnd_end - c->snd_nxt);
			len = RTE_MIN(len, cap);
			if (skip && SEQ_LT(c->snd_nxt, hole_end))
				len = RTE_MIN(len, hole_end - c->snd_nxt);
			if (len == 0)
				break; /* no payload fits (cap 0) */
		} else if ((c->flags & TCP_F_FIN_QUEUED) && c->snd_nxt == data_end &&
				!tcp_fin_acked(c)) {
			len = 0;
		} else {
			break;
		}
		fin = (c->flags & TCP_F_FIN_QUEUED) && c->snd_nxt + len == data_end;
		flags = ACK | (fin ? FIN : 0) | (len > 0 && c->snd_nxt + len == data_end ? PSH : 0);
		if (tcp_xmit(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, len) < 0) {
			/* No mbuf: the retransmission timer sends it again (RFC 6298 5.1
			 * would have armed it with the segment). */
			LR_TCP_STAT_INC(&c->sh->stats, XMIT_NOBUFS);
			if (c->timer[TCP_T_REXMT] == 0)
				tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
			break;
		}
		seglen = len + fin;
		if (skip && SEQ_LT(c->snd_nxt, c->snd_max)) /* RACK follows it */
			tcp_sack_rexmitted(c, c->snd_nxt, c->snd_nxt + seglen);
		tcp_account_tx(c, c->snd_nxt, seglen);
		if (fin) {
			c->flags |= TCP_F_FIN_SENT;
			c->fin_seq = data_end;
		}
		c->snd_nxt += seglen;
		c->snd_max = SEQ_MAX(c->snd_max, c->snd_nxt);
		sent = true;
		if (fin)
			break;
	}
	/* RFC 6675 NextSeg (3): no new data could go, an unSACKed hole below the
	 * highest SACKed byte may. */
	if (sack_rec && !sent)
		sent = tcp_sack_rescue(c, cap);
	if (sent) {
		if (c->timer[TCP_T_REXMT] == 0)
			tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
		tcp_tlp_schedule(c); /* RFC 8985 §7.2: after new data */
	} else if (c->flags & TCP_F_ACK_PENDING) {
		/* Pure ACK at SND.MAX so it lands in the peer's window even after a
		 * rewind. */
		if (tcp_xmit(c, c->snd_max, ACK, 0, 0) == 0)
			LR_TCP_STAT_INC(&c->sh->stats, ACK_TX);
	}
	c->flags &= ~TCP_F_ACK_PENDING;
	if (blocked && c->snd_wnd == 0 && c->snd_nxt == c->snd_una &&
			c->timer[TCP_T_PERSIST] == 0) {
		tcp_timer_stop(c, TCP_T_REXMT);
		c->persist_shift = 0;
		c->una_ms = (uint32_t)(c->sh->w->now_us / 1000);
		tcp_timer_arm(c, TCP_T_PERSIST, c->rto_us);
	}
}

/*
 * RFC 8985 §7.3 tail loss probe: "If a previously unsent segment exists AND the
 * receive window allows new data to be sent", such data (cwnd does not hold it back);
 * else the highest-sequence segment sent so far again (with our FIN when it ends
 * there). SND.NXT moves past new data only.
 * New data goes as up to TCP_TLP_NEW_SEGS full-sized segments, not the RFC's one: a
 * receiver acknowledges every second full-sized segment at once (RFC 9293 §3.8.6.3)
 * but may hold the ACK of one back (Linux: 40 ms and more, until the reader has taken
 * more than one MSS), and the probe's ACK is what restarts the flight. Linux's probe
 * is one skb, several segments with TSO.
 * @return true when a probe left
 */
bool
tcp_output_probe(struct lr_tcp_conn *c)
{
	uint32_t cap = tcp_output_cap(c), data_end = c->snd_una + c->sb_len;
	uint32_t wnd_end = c->snd_una + c->snd_wnd, len, end, segs = 0;
	uint8_t flags;
	bool fin;

	if (SEQ_LT(c->snd_nxt, data_end) && SEQ_LT(c->snd_nxt, wnd_end) && cap > 0) {
		/* a short segment ends it: the data or the peer's window ends there */
		do {
			len = RTE_MIN(RTE_MIN(data_end - c->snd_nxt, wnd_end - c->snd_nxt), cap);
			fin = (c->flags & TCP_F_FIN_QUEUED) && c->snd_nxt + len == data_end;
			flags = ACK | (fin ? FIN : 0) | (c->snd_nxt + len == data_end ? PSH : 0);
			if (tcp_xmit(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, len) < 0) {
				LR_TCP_STAT_INC(&c->sh->stats, XMIT_NOBUFS);
				break;
			}
			tcp_account_tx(c, c->snd_nxt, len + fin);
			if (fin) {
				c->flags |= TCP_F_FIN_SENT;
				c->fin_seq = data_end;
			}
			c->snd_nxt += len + fin;
			c->snd_max = SEQ_MAX(c->snd_max, c->snd_nxt);
		} while (++segs < TCP_TLP_NEW_SEGS && !fin && len == cap &&
				SEQ_LT(c->snd_nxt, data_end) && SEQ_LT(c->snd_nxt, wnd_end));
		if (segs == 0)
			return false; /* no mbuf: no old data either */
		LR_TCP_STAT_INC(&c->sh->stats, TLP_NEW_DATA);
		return true;
	}
	fin = (c->flags & TCP_F_FIN_SENT) && c->snd_max == c->fin_seq + 1;
	end = fin ? c->fin_seq : c->snd_max;
	len = RTE_MIN(RTE_MIN(end - c->snd_una, c->sb_len), cap);
	if (len == 0 && !fin)
		return false;
	return tcp_output_rexmit(c, end - len, len, fin) == 0;
}

/*
 * Retransmit len bytes of the send buffer from seq (SND.UNA <= seq, within what was
 * sent), and our FIN after them when fin; SND.NXT unchanged.
 * @return 0 or -ENOBUFS (counted)
 */
int
tcp_output_rexmit(struct lr_tcp_conn *c, uint32_t seq, uint32_t len, bool fin)
{
	if (tcp_xmit(c, seq, ACK | (fin ? FIN : 0), seq - c->snd_una, len) < 0) {
		LR_TCP_STAT_INC(&c->sh->stats, XMIT_NOBUFS);
		return -ENOBUFS;
	}
	LR_TCP_STAT_INC(&c->sh->stats, REXMT_SEGS);
	c->retransmits++;
	c->flags &= ~TCP_F_TIMING; /* Karn */
	return 0;
}

/* Fast retransmit / partial ACK: the segment at SND.UNA again, SND.NXT unchanged. */
void
tcp_output_rexmit_head(struct lr_tcp_conn *c)
{
	uint32_t len = RTE_MIN(RTE_MIN(c->sb_len, c->snd_max - c->snd_una), tcp_output_cap(c));
	bool fin = (c->flags & TCP_F_FIN_SENT) && c->snd_una + len == c->fin_seq;

	if (len == 0 && !fin)
		return;
	if (tcp_output_rexmit(c, c->snd_una, len, fin) < 0)
		return;
	if (c->sack_board != 0)
		tcp_sack_rexmitted(c, c->snd_una, c->snd_una + len + fin);
	tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
}

/* Zero-window probe: one byte at SND.UNA beyond the closed window (RFC 9293
 * §3.8.6.1: "at least one octet of new data"); SND.NXT stays, so once the window
 * opens the byte goes again with what follows. */
void
tcp_send_persist_probe(struct lr_tcp_conn *c)
{
	if (c->sb_len == 0)
		return;
	if (tcp_xmit(c, c->snd_una, ACK, 0, 1) < 0)
		return;
	LR_TCP_STAT_INC(&c->sh->stats, PERSIST_PROBE);
	tcp_account_tx(c, c->snd_una, 1);
	c->flags &= ~TCP_F_TIMING;
	c->snd_max = SEQ_MAX(c->snd_max, c->snd_una + 1);
}

/* Keepalive probe: <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data (RFC 1122 4.2.3.6). */
void
tcp_send_keepalive(struct lr_tcp_conn *c)
{
	if (tcp_xmit(c, c->snd_una - 1, ACK, 0, 0) == 0)
		LR_TCP_STAT_INC(&c->sh->stats, KEEPALIVE_PROBE);
}

/* A segment without a connection block (RST, cookie SYN-ACK, TIME_WAIT ACK), options
 * given. */
void
tcp_send_ctl(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const uint8_t *opt, uint32_t optlen)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	m = lr_alloc(w);
	if (m == NULL)
		return;
	th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, (uint16_t)(TCP_HDR_LEN + optlen));
	if (th == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	tcp_fill_hdr(th, key, seq, ack, flags, wnd, TCP_HDR_LEN + optlen);
	if (optlen > 0)
		memcpy(th + 1, opt, optlen);
	tcp_ip_output(w, NULL, m, key, TCP_HDR_LEN + optlen, LR_IP_ECN_NOT_ECT);
}

/* SYN-ACK carrying a cookie as ISS, window unscaled. MSS; when the SYN had
 * timestamps (and they are on), also timestamps whose TSval carries the SYN's other
 * options (tcp_cookie_tsval()), and the window scale and SACK-permitted it offered,
 * laid out as tcp_build_opts() does, and ECE when it asked for ECN and the listener's
 * mode ecn accepts it (without timestamps the cookie cannot keep it: no ECE). */
void
tcp_send_cookie_synack(struct lr_worker *w, const struct lr_tcp_seg *seg, uint32_t iss,
		uint16_t mss, uint8_t ecn)
{
	const struct lr_tcp_conf *conf = &w->tcp->conf;
	bool ts = conf->timestamps && seg->opt.has_ts;
	bool sack = ts && conf->sack && seg->opt.sack_ok;
	bool ecn_ok = ts && ecn != LR_TCP_ECN_OFF && tcp_ecn_setup_syn(seg);
	uint8_t opt[TCP_OPT_MAX_LEN];
	uint32_t n = 0, v;

	opt[n++] = TCPOPT_MSS;
	opt[n++] = TCP_OPT_MSS_LEN;
	opt[n++] = (uint8_t)(mss >> 8);
	opt[n++] = (uint8_t)mss;
	if (ts && conf->window_scaling && seg->opt.has_ws) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_WS;
		opt[n++] = 3;
		opt[n++] = tcp_wscale_for(conf->rcv_wnd);
	}
	if (sack) {
		opt[n++] = TCPOPT_SACK_OK;
		opt[n++] = 2;
	}
	if (ts) {
		if (!sack) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_NOP;
		}
		opt[n++] = TCPOPT_TS;
		opt[n++] = 10;
		v = rte_cpu_to_be_32(tcp_cookie_tsval((uint32_t)(w->now_us / 1000) +
				tcp_ts_offset(w->tcp, &seg->key), seg, conf->window_scaling, sack,
				ecn_ok));
		memcpy(opt + n, &v, 4);
		v = rte_cpu_to_be_32(seg->opt.tsval);
		memcpy(opt + n + 4, &v, 4);
		n += 8;
	}
	if (ecn == LR_TCP_ECN_OFF && tcp_ecn_setup_syn(seg))
		LR_TCP_STAT_INC(&w->tcp->stats, ECN_SYN_REFUSED);
	tcp_send_ctl(w, &seg->key, iss, seg->seq + 1, SYN | ACK | (ecn_ok ? RTE_TCP_ECE_FLAG : 0),
			(uint16_t)RTE_MIN(conf->rcv_wnd, (uint32_t)UINT16_MAX), opt, n);
}

void
tcp_send_rst(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		bool with_ack)
{
	LR_TCP_STAT_INC(&w->tcp->stats, RST_TX);
	tcp_send_ctl(w, key, seq, with_ack ? ack : 0, RST | (with_ack ? ACK : 0), 0, NULL, 0);
}

/*
 * A RST answering seg (RFC 9293 §3.10.7.1): "If the ACK bit is off, sequence
 * number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. If the ACK bit
 * is on, <SEQ=SEG.ACK><CTL=RST>." Rate limited by rst_per_s (tcp_rst_allow()).
 */
void
tcp_send_rst_for(struct lr_worker *w, const struct lr_tcp_seg *seg)
{
	if (!tcp_rst_allow(w))
		return;
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
		/* Its last ACK is out: TIME_WAIT goes on in a compact entry. */
		if (c->state == LR_TCP_TIME_WAIT)
			tcp_tw_enter(c);
	}
	if (sh->nb_dsack != 0)
		tcp_sack_flush(sh);
	/* Under pressure out-of-order queues go first, a bounded number per flush. */
	if (unlikely(lr_mem_pressure(&w->mem)) && !TAILQ_EMPTY(&sh->ooo_age))
		tcp_ooo_relieve(sh, TCP_OOO_RELIEVE_FLUSH);
	tcp_conn_reap(sh);
}
