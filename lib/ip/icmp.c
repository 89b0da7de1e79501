/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792): echo reply, and destination-unreachable errors under a
 * per-worker token bucket (RFC 1812 4.3.2.8).
 */
#include <errno.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "lr_cksum.h"
#include "ip_internal.h"

#define TOKEN_UNIT 1000000ULL

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changed from m to m'. */
static inline uint16_t
cksum_update16(uint16_t hc, uint16_t old_w, uint16_t new_w)
{
	uint32_t sum = (uint16_t)~hc + (uint16_t)~old_w + new_w;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool
icmp_is_error(uint8_t type)
{
	switch (type) {
	case LR_ICMP_UNREACH:
	case 4:  /* source quench */
	case 5:  /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		return true;
	default:
		return false;
	}
}

static void
echo_reply(struct lr_worker *w, struct rte_mbuf *m, struct rte_icmp_hdr *icmp)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	rte_be32_t src = ip->dst_addr, dst = ip->src_addr;

	/* Only the type changes (8 -> 0): identifier, sequence and data stay. */
	icmp->icmp_cksum = cksum_update16(icmp->icmp_cksum,
			rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REQUEST << 8),
			rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REPLY << 8));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_code = 0;
	rte_pktmbuf_adj(m, m->l3_len);
	lr_ip_clear_offloads(m);
	LR_STAT_INC(w->stats, LR_STAT_icmp_TX_ECHO_REPLY);
	lr_ip_output(w, m, src, dst, IPPROTO_ICMP);
}

void
lr_icmp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	uint32_t len = rte_pktmbuf_pkt_len(m) - m->l3_len;
	struct rte_icmp_hdr *icmp;
	uint16_t sum;

	RTE_SET_USED(ifc);
	LR_STAT_INC(w->stats, LR_STAT_icmp_RX);
	if (unlikely(len < sizeof(*icmp) ||
			rte_pktmbuf_data_len(m) < m->l3_len + sizeof(*icmp))) {
		lr_drop(w, m, LR_STAT_icmp_TRUNCATED);
		return;
	}
	if (unlikely(lr_cksum_mbuf(m, m->l3_len, len, &sum) != 0 || sum != 0xffff)) {
		lr_drop(w, m, LR_STAT_icmp_BAD_CKSUM);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, m->l3_len);
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST && icmp->icmp_code == 0) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

		LR_STAT_INC(w->stats, LR_STAT_icmp_RX_ECHO);
		/* RFC 1122 3.2.2.6 leaves it open; like Linux, broadcasts are not answered. */
		if (lr_iface_mine(w, ip->dst_addr) == NULL) {
			lr_drop(w, m, LR_STAT_icmp_ECHO_BROADCAST);
			return;
		}
		echo_reply(w, m, icmp);
		return;
	}
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY) {
		lr_consume(m);
		return;
	}
	if (icmp_is_error(icmp->icmp_type)) {
		LR_STAT_INC(w->stats, LR_STAT_icmp_RX_ERROR);
		lr_consume(m);
		return;
	}
	lr_drop(w, m, LR_STAT_icmp_UNHANDLED_TYPE);
}

/* Take one token from the worker's bucket. */
static bool
ratelimit_take(struct lr_worker *w)
{
	struct lr_ip_worker *ipw = w->ip;
	uint64_t cap = (uint64_t)lr_ip_conf_cur.icmp_burst * TOKEN_UNIT;
	uint64_t elapsed = w->now_us - ipw->icmp_last_us;

	if (lr_ip_conf_cur.icmp_rate == 0)
		return false;
	ipw->icmp_last_us = w->now_us;
	ipw->icmp_tokens += elapsed * lr_ip_conf_cur.icmp_rate;
	if (ipw->icmp_tokens > cap)
		ipw->icmp_tokens = cap;
	if (ipw->icmp_tokens < TOKEN_UNIT)
		return false;
	ipw->icmp_tokens -= TOKEN_UNIT;
	return true;
}

int
lr_icmp_send_error(struct lr_worker *w, const struct rte_mbuf *orig, uint8_t type, uint8_t code)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(orig, const struct rte_ipv4_hdr *);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint32_t quote = RTE_MIN(rte_pktmbuf_pkt_len(orig), hlen + 8);
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;
	uint8_t *data;

	/* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment, a datagram
	 * sent to a broadcast or multicast address (anything not one of ours), or one
	 * whose source does not name a single host.
	 */
	if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0 ||
			lr_ip_is_martian_src(ip->src_addr) || lr_iface_mine(w, ip->dst_addr) == NULL)
		return -EINVAL;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *oi;
		struct rte_icmp_hdr copy;

		oi = rte_pktmbuf_read(orig, hlen, sizeof(copy), &copy);
		if (oi == NULL || icmp_is_error(oi->icmp_type))
			return -EINVAL;
	}
	if (!ratelimit_take(w)) {
		LR_STAT_INC(w->stats, LR_STAT_icmp_RATELIMITED);
		return -EAGAIN;
	}
	m = lr_alloc(w);
	if (m == NULL)
		return -ENOBUFS;
	icmp = (struct rte_icmp_hdr *)rte_pktmbuf_append(m, sizeof(*icmp) + quote);
	if (icmp == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	data = (uint8_t *)(icmp + 1);
	if (rte_pktmbuf_read(orig, 0, quote, data) != data)
		memcpy(data, rte_pktmbuf_read(orig, 0, quote, data), quote);
	icmp->icmp_cksum = (uint16_t)~lr_cksum(icmp, sizeof(*icmp) + quote);
	if (type == LR_ICMP_UNREACH)
		LR_STAT_INC(w->stats, LR_STAT_icmp_TX_UNREACH);
	lr_ip_output(w, m, ip->dst_addr, ip->src_addr, IPPROTO_ICMP);
	return 0;
}
