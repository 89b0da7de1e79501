/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 output: route to a next hop, build the header (DF and id: ip_id.c), checksums
 * (offloaded when the port can), fragment for the MTU, hand to ARP/Ethernet.
 */
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lr_cksum.h"
#include "lr_eth.h"
#include "ip_internal.h"

/* Fill the L4 checksum in software (the packet is about to be fragmented, or the
 * port cannot), or leave it to the port with the pseudo-header sum in place.
 */
static void
l4_cksum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, const struct lr_iface *ifc, bool sw)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint16_t *field;

	if (l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		field = rte_pktmbuf_mtod_offset(m, uint16_t *,
				sizeof(*ip) + offsetof(struct rte_udp_hdr, dgram_cksum));
	else if (l4 == RTE_MBUF_F_TX_TCP_CKSUM)
		field = rte_pktmbuf_mtod_offset(m, uint16_t *,
				sizeof(*ip) + offsetof(struct rte_tcp_hdr, cksum));
	else
		return;
	if (!sw && ifc->tx_l4_cksum) {
		*field = rte_ipv4_phdr_cksum(ip, m->ol_flags | RTE_MBUF_F_TX_IPV4);
		return;
	}
	*field = 0;
	*field = (uint16_t)~lr_cksum_ipv4_l4(m, ip, sizeof(*ip));
	if (*field == 0 && l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		*field = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
}

static void
send_fragments(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		rte_be32_t nexthop)
{
	struct rte_mbuf *frags[RTE_LIBRTE_IP_FRAG_MAX_FRAG];
	int32_t n, i;

	if (w->indirect_pool == NULL) {
		lr_drop(w, m, LR_STAT_ip_FRAG_FAILED);
		return;
	}
	n = rte_ipv4_fragment_packet(m, frags, RTE_DIM(frags), ifc->mtu, w->pool,
			w->indirect_pool);
	if (n < 0) {
		lr_drop(w, m, LR_STAT_ip_FRAG_FAILED);
		return;
	}
	rte_pktmbuf_free(m);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *fip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);

		fip->hdr_checksum = 0;
		fip->hdr_checksum = lr_cksum_ipv4_hdr(fip);
		frags[i]->ol_flags = RTE_MBUF_F_TX_IPV4;
		frags[i]->l3_len = sizeof(*fip);
		LR_STAT_INC(w->stats, LR_STAT_ip_FRAG_TX);
		lr_eth_output_ipv4(w, frags[i], ifc, nexthop);
	}
}

/* lr_ip_output() and lr_ip_output_id(): own_id says the caller gave @p id; ecn is the
 * ECN field (RFC 3168 §5), DSCP 0. */
static __rte_always_inline void
ip_output(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto, bool own_id, uint16_t id, uint8_t ecn)
{
	const struct lr_iface *ifc;
	struct rte_ipv4_hdr *ip;
	rte_be32_t nexthop = 0;
	uint32_t len;
	bool frag, atomic;

	ifc = lr_iface_route(w, dst, &nexthop);
	if (unlikely(ifc == NULL)) {
		lr_drop(w, m, LR_STAT_ip_NO_ROUTE);
		return;
	}
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip));
	if (unlikely(ip == NULL)) {
		lr_drop(w, m, LR_STAT_eth_NOMBUF);
		return;
	}
	len = rte_pktmbuf_pkt_len(m);
	if (unlikely(len > UINT16_MAX)) {
		lr_drop(w, m, LR_STAT_ip_FRAG_FAILED);
		return;
	}
	frag = len > ifc->mtu;
	/* TCP sizes its segments to the path (MSS) and sets DF, like Linux with path
	 * MTU discovery: an atomic datagram (RFC 6864). UDP and ICMP may be fragmented
	 * on the way, so they carry no DF and a unique id. */
	atomic = (own_id || proto == IPPROTO_TCP) && !frag;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = ecn & LR_IP_ECN_MASK;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->fragment_offset = atomic ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = lr_ip_conf_cur.ttl;
	ip->next_proto_id = proto;
	ip->src_addr = src != 0 ? src : ifc->ip;
	ip->dst_addr = dst;
	if (!(own_id && atomic))
		id = lr_ip_id_select(w->ip, dst, ip->src_addr, proto, atomic);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->hdr_checksum = 0;
	m->l3_len = sizeof(*ip);
	m->l2_len = RTE_ETHER_HDR_LEN;
	l4_cksum(m, ip, ifc, frag || m->nb_segs > 1);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (ifc->tx_ip_cksum && !frag)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = lr_cksum_ipv4_hdr(ip);
	LR_STAT_INC(w->stats, LR_STAT_ip_TX);
	if (unlikely(frag)) {
		send_fragments(w, m, ifc, nexthop);
		return;
	}
	lr_eth_output_ipv4(w, m, ifc, nexthop);
}

void
lr_ip_output(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto)
{
	ip_output(w, m, src, dst, proto, false, 0, LR_IP_ECN_NOT_ECT);
}

void
lr_ip_output_id(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto, uint16_t id, uint8_t ecn)
{
	ip_output(w, m, src, dst, proto, true, id, ecn);
}
