/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: validate a segment, parse its options, look up its connection and
 * hand it to the state machine (tcp_fsm.c). Every segment refused here is
 * dropped with its own counter.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "lr_cksum.h"
#include "lr_ip.h"
#include "lr_steer.h"
#include "tcp_internal.h"

/* Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WS 3
#define TCPOPT_SACK_OK 4
#define TCPOPT_SACK 5
#define TCPOPT_TS 8

/* RFC 2018 §3 SACK option: "Kind: 5, Length: Variable", 2 + 8n bytes of n blocks
 * (left edge, right edge); n in 1..4 (40 bytes of option space). Another length is
 * ignored and counted, and parsing goes on past it (its length is within the list). */
static void
tcp_parse_sack(struct lr_tcp_shard *sh, const uint8_t *p, uint8_t olen, struct tcp_opts *o)
{
	uint32_t i, n = (uint32_t)(olen - 2) / 8, v[2];

	if (olen < 10 || (olen - 2) % 8 != 0 || n > TCP_SACK_BLOCKS_MAX) {
		LR_TCP_STAT_INC(&sh->stats, SACK_MALFORMED);
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(v, p + 2 + 8 * i, 8);
		o->sack[i][0] = rte_be_to_cpu_32(v[0]);
		o->sack[i][1] = rte_be_to_cpu_32(v[1]);
	}
	o->nsack = (uint8_t)n;
}

/*
 * Parse the option list (len bytes after the fixed header). Every option length
 * is checked against what is left before it is used; a length below 2 or beyond
 * the list ends parsing (the options seen so far are kept, like FreeBSD
 * tcp_dooptions and Linux tcp_parse_options) and is counted.
 */
static void
tcp_parse_options(struct lr_tcp_shard *sh, const uint8_t *p, uint32_t len,
		struct tcp_opts *o)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t kind = p[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len) {
			LR_TCP_STAT_INC(&sh->stats, OPT_MALFORMED);
			break;
		}
		olen = p[i + 1];
		if (olen < 2 || olen > len - i) {
			LR_TCP_STAT_INC(&sh->stats, OPT_MALFORMED);
			break;
		}
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == 4) {
				o->has_mss = true;
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			}
			break;
		case TCPOPT_WS:
			if (olen == 3) {
				o->has_ws = true;
				o->wscale = RTE_MIN(p[i + 2], 14);
			}
			break;
		case TCPOPT_SACK_OK:
			o->sack_ok = olen == 2;
			break;
		case TCPOPT_SACK:
			tcp_parse_sack(sh, p + i, olen, o);
			break;
		case TCPOPT_TS:
			if (olen == 10) {
				o->has_ts = true;
				memcpy(&o->tsval, p + i + 2, 4);
				memcpy(&o->tsecr, p + i + 6, 4);
				o->tsval = rte_be_to_cpu_32(o->tsval);
				o->tsecr = rte_be_to_cpu_32(o->tsecr);
			}
			break;
		default:
			break; /* unknown kinds are skipped by their length */
		}
		i += olen;
	}
}

/* The L4 checksum: trust the NIC when it says good or bad, verify otherwise. */
static bool
tcp_cksum_ok(const struct rte_mbuf *m, const struct lr_iface *ifc)
{
	if (ifc != NULL && ifc->rx_cksum) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

		if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
			return true;
		if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
			return false;
	}
	return lr_cksum_ipv4_l4(m, rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *),
			m->l3_len) == 0xffff;
}

/*
 * Validate the header and fill seg.
 * @return 0, or the drop reason
 */
static int
tcp_parse(struct lr_tcp_shard *sh, const struct rte_mbuf *m, const struct lr_iface *ifc,
		struct lr_tcp_seg *seg)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint8_t buf[60];
	const struct rte_tcp_hdr *th;
	uint32_t tcp_len, hlen;

	/* Length: at least a fixed header. */
	if (m->pkt_len < m->l3_len + (uint32_t)TCP_HDR_LEN)
		return LR_TCP_STAT_TRUNCATED;
	tcp_len = m->pkt_len - m->l3_len;
	th = rte_pktmbuf_read(m, m->l3_len, TCP_HDR_LEN, buf);
	if (th == NULL)
		return LR_TCP_STAT_TRUNCATED;
	/* Data offset: 5..15 words, inside the segment. */
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < TCP_HDR_LEN || hlen > tcp_len)
		return LR_TCP_STAT_BAD_OFF;
	/* Checksum over pseudo header, header and payload. */
	if (!tcp_cksum_ok(m, ifc))
		return LR_TCP_STAT_BAD_CKSUM;

	memset(seg, 0, sizeof(*seg));
	seg->flags = th->tcp_flags & TCP_FLAGS_MASK;
	seg->ecn = (th->tcp_flags & (TCP_SEG_ECE | TCP_SEG_CWR)) |
		(ip->type_of_service & TCP_SEG_ECN_MASK);
	if ((seg->flags & RTE_TCP_SYN_FLAG) && (seg->flags & (RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)))
		return LR_TCP_STAT_BAD_FLAGS;
	seg->key.raddr = ip->src_addr;
	seg->key.laddr = ip->dst_addr;
	seg->key.rport = th->src_port;
	seg->key.lport = th->dst_port;
	seg->seq = rte_be_to_cpu_32(th->sent_seq);
	seg->ack = rte_be_to_cpu_32(th->recv_ack);
	seg->wnd = rte_be_to_cpu_16(th->rx_win);
	seg->len = tcp_len - hlen;
	seg->data_off = m->l3_len + hlen;
	seg->mtu = ifc != NULL ? ifc->mtu : 1500;
	if (hlen > TCP_HDR_LEN) {
		const uint8_t *opt = rte_pktmbuf_read(m, m->l3_len, hlen, buf);

		if (opt == NULL)
			return LR_TCP_STAT_HDR_SPLIT;
		tcp_parse_options(sh, opt + TCP_HDR_LEN, hlen - TCP_HDR_LEN, &seg->opt);
	}
	return 0;
}

/*
 * A SYN for a connection that entered TIME_WAIT earlier in this burst (its block
 * becomes a TIME_WAIT entry at the flush): the same test as the entry's,
 * tcp_tw_syn_reuse(). When it may reopen the tuple the block is freed.
 * @return true when freed (min_iss set: the new ISS lies beyond the old SND.NXT)
 */
static bool
tcp_time_wait_reopen(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, uint32_t *min_iss)
{
	struct lr_tcp_shard *sh = c->sh;
	int reuse = tcp_tw_syn_reuse(c->flags & TCP_F_TSTAMP, c->ts_recent, c->rcv_nxt, seg);

	if (reuse == 0)
		return false;
	*min_iss = c->snd_max + TCP_TW_ISS_GAP;
	sh->stats.v[reuse]++;
	LR_TCP_STAT_INC(&sh->stats, TIME_WAIT_REUSE);
	tcp_conn_free(c);
	return true;
}

void
lr_tcp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_listener *l;
	struct lr_tcp_conn *c;
	struct lr_tcp_seg seg;
	uint32_t min_iss = 0;
	bool reuse = false;
	int reason;

	if (unlikely(sh == NULL)) {
		lr_drop(w, m, LR_STAT_ip_UNKNOWN_PROTO);
		return;
	}
	LR_TCP_STAT_INC(&sh->stats, RX);
	reason = tcp_parse(sh, m, ifc, &seg);
	if (unlikely(reason != 0)) {
		tcp_drop(sh, m, reason);
		return;
	}
	/* Debug builds: only the flow's owner touches its connection. A datagram
	 * reassembled from fragments was steered by its addresses alone.
	 */
	if (!lr_ip_is_reassembled(m))
		lr_steer_assert_owner(w, seg.key.laddr, rte_be_to_cpu_16(seg.key.lport),
				seg.key.raddr, rte_be_to_cpu_16(seg.key.rport));

	c = tcp_conn_find(sh, m, &seg.key);
	if (likely(c != NULL)) {
		if (likely(c->state != LR_TCP_TIME_WAIT) ||
				!tcp_time_wait_reopen(c, &seg, &min_iss)) {
			tcp_fsm_input(w, c, &seg, m);
			return;
		}
		reuse = true;
	} else {
		/* No block: a TIME_WAIT entry may answer, or let a SYN reopen the tuple. */
		switch (tcp_tw_input(w, &seg, m, &min_iss)) {
		case TCP_TW_DONE:
			return;
		case TCP_TW_REOPEN:
			reuse = true;
			break;
		default:
			break;
		}
	}
	/* RFC 1122 4.2.3.10: "A TCP implementation MUST silently discard an incoming
	 * SYN segment that is addressed to a broadcast or multicast address." IPv4
	 * delivers broadcasts; no connection has one as its address, and nothing sent
	 * there gets a RST either (it would leave from the broadcast address). */
	if (unlikely(lr_iface_mine(w, seg.key.laddr) == NULL)) {
		tcp_drop(sh, m, LR_TCP_STAT_NOT_UNICAST);
		return;
	}
	l = tcp_listener_lookup(sh, rte_be_to_cpu_16(seg.key.lport));
	if (l != NULL) {
		tcp_fsm_listen(w, l, &seg, m, reuse ? &min_iss : NULL);
		return;
	}
	tcp_fsm_closed(w, &seg, m);
}
