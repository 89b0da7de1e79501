/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input for a host (not a router): validate, reassemble, deliver.
 */
#include <errno.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>

#include "lr_cksum.h"
#include "lr_eth.h"
#include "lr_mbuf.h"
#include "ip_internal.h"
#include "lr_steer.h"

RTE_LOG_REGISTER_DEFAULT(lr_logtype_ip, INFO);

const struct lr_ip_conf lr_ip_conf_default = {
	.ttl = 64,
	.frag_max_flows = 4096,
	.frag_max_bufs = 1024,
	.frag_low_bufs = 256,
	.frag_timeout_ms = 2000,
	.icmp_rate = 100,
	.icmp_burst = 50,
};

struct lr_ip_conf lr_ip_conf_cur = {
	.ttl = 64,
	.frag_max_flows = 4096,
	.frag_max_bufs = 1024,
	.frag_low_bufs = 256,
	.frag_timeout_ms = 2000,
	.icmp_rate = 100,
	.icmp_burst = 50,
};

static lr_ip_proto_fn ip_protos[256];

void
lr_ip_configure(const struct lr_ip_conf *conf)
{
	lr_ip_conf_cur = *conf;
}

const struct lr_ip_conf *
lr_ip_config(void)
{
	return &lr_ip_conf_cur;
}

int
lr_ip_register(uint8_t proto, lr_ip_proto_fn fn)
{
	ip_protos[proto] = fn;
	return 0;
}

void
lr_ip_init(void)
{
	lr_eth_register(RTE_ETHER_TYPE_IPV4, lr_ip_input);
	lr_eth_register(RTE_ETHER_TYPE_ARP, lr_arp_input);
	lr_ip_register(IPPROTO_ICMP, lr_icmp_input);
	lr_ip_id_init();
}

int
lr_ip_worker_init(struct lr_worker *w)
{
	struct lr_ip_worker *ipw;

	ipw = rte_zmalloc("lr_ip", sizeof(*ipw), RTE_CACHE_LINE_SIZE);
	if (ipw == NULL)
		return -ENOMEM;
	if (lr_ip_reass_init(&ipw->reass) != 0) {
		rte_free(ipw);
		return -ENOMEM;
	}
	ipw->icmp_tokens = (uint64_t)lr_ip_conf_cur.icmp_burst * 1000000;
	ipw->icmp_last_us = w->now_us;
	lr_ip_id_worker_init(ipw);
	w->ip = ipw;
	return 0;
}

void
lr_ip_worker_fini(struct lr_worker *w)
{
	struct lr_ip_worker *ipw = w->ip;

	if (ipw == NULL)
		return;
	lr_ip_reass_fini(w, &ipw->reass);
	rte_free(ipw);
	w->ip = NULL;
}

void
lr_ip_tick(struct lr_worker *w)
{
	if (w->ip == NULL)
		return;
	lr_ip_reass_expire(w, &w->ip->reass);
}

/* Reassemble; returns the whole datagram, or NULL if it is not complete yet. */
static struct rte_mbuf *
reassemble(struct lr_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t hlen,
		uint16_t totlen)
{
	uint16_t off = rte_be_to_cpu_16(ip->fragment_offset);
	struct rte_mbuf *whole;

	LR_STAT_INC(w->stats, LR_STAT_ip_FRAG_RX);
	if ((uint32_t)(off & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS +
			totlen > UINT16_MAX) {
		lr_drop(w, m, LR_STAT_ip_FRAG_TOO_BIG);
		return NULL;
	}
	whole = lr_ip_reass_add(w, &w->ip->reass, m, hlen);
	if (whole == NULL)
		return NULL;
	/* Each fragment was checked against its own header length; the datagram keeps
	 * the first one's, which may be longer (ping of death with options). */
	if (unlikely(rte_pktmbuf_pkt_len(whole) > UINT16_MAX)) {
		lr_drop(w, whole, LR_STAT_ip_FRAG_TOO_BIG);
		return NULL;
	}
	LR_STAT_INC(w->stats, LR_STAT_ip_REASSEMBLED);
	ip = rte_pktmbuf_mtod(whole, struct rte_ipv4_hdr *);
	ip->total_length = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(whole));
	/* One datagram now: no offset, no MF (DF stays), a valid header checksum. */
	ip->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = lr_cksum_ipv4_hdr(ip);
	return whole;
}

/*
 * Fragments are steered by their addresses alone (they carry no ports), so the
 * worker that reassembled a TCP or UDP datagram may not own its 4-tuple: hand the
 * whole datagram to its owner (else a wrong worker would answer with a RST or
 * miss the connection). It travels as a frame again: an Ethernet header in front,
 * a valid IP header checksum (rte_ip_frag zeroes it), no fragment bits left, the
 * VLAN ID of its interface in m->vlan_tci (flagged stripped).
 * @return true if m was handed over
 */
static bool
steer_reassembled(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_ether_hdr *eh;
	const rte_be16_t *ports;
	uint16_t owner;

	if ((ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP) ||
			!lr_steer_active() || lr_steer_port_mode(ifc->port_id) == LR_STEER_OFF ||
			rte_pktmbuf_data_len(m) < m->l3_len + 2 * sizeof(rte_be16_t))
		return false;
	ports = rte_pktmbuf_mtod_offset(m, const rte_be16_t *, m->l3_len);
	owner = lr_steer_worker_of(ip->dst_addr, rte_be_to_cpu_16(ports[1]), ip->src_addr,
			rte_be_to_cpu_16(ports[0]));
	if (owner == w->id)
		return false;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = lr_cksum_ipv4_hdr(ip);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		lr_drop(w, m, LR_STAT_eth_NOMBUF);
		return true;
	}
	eh->dst_addr = ifc->mac;
	eh->src_addr = ifc->mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	m->port = ifc->port_id;
	m->l2_len = sizeof(*eh);
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK |
			RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	if (ifc->vlan_id != 0) {
		/* its VLAN goes with it, as if the port had stripped the tag */
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = ifc->vlan_id;
	}
	LR_STAT_INC(w->stats, LR_STAT_ip_REASM_STEERED);
	lr_steer_hand_off(w, m, owner);
	return true;
}

void
lr_ip_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	struct rte_ipv4_hdr *ip;
	uint32_t pkt_len = rte_pktmbuf_pkt_len(m);
	uint16_t hlen, totlen;
	lr_ip_proto_fn fn;

	LR_STAT_INC(w->stats, LR_STAT_ip_RX);
	/* (1) The packet is at least as long as the minimum IPv4 header. */
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*ip))) {
		lr_drop(w, m, LR_STAT_ip_TRUNCATED);
		return;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	hlen = rte_ipv4_hdr_len(ip);
	if (unlikely(hlen > rte_pktmbuf_data_len(m))) {
		lr_drop(w, m, LR_STAT_ip_TRUNCATED);
		return;
	}
	/* (2) The header checksum is correct. Without a header length of at least five
	 * words there is no header to sum: (4) drops it.
	 */
	if (hlen >= sizeof(*ip)) {
		uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

		if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
				(ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
				lr_cksum_ipv4_hdr(ip) != 0)) {
			lr_drop(w, m, LR_STAT_ip_BAD_CKSUM);
			return;
		}
	}
	/* (3) The version number is 4. */
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		lr_drop(w, m, LR_STAT_ip_BAD_VERSION);
		return;
	}
	/* (4) The header length is at least five 32-bit words. */
	if (unlikely(hlen < sizeof(*ip))) {
		lr_drop(w, m, LR_STAT_ip_BAD_IHL);
		return;
	}
	/* (5) The total length is at least the header length... */
	totlen = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(totlen < hlen)) {
		lr_drop(w, m, LR_STAT_ip_BAD_TOTLEN);
		return;
	}
	/* ...and within the frame; anything past it is link-layer padding. */
	if (unlikely(totlen > pkt_len)) {
		lr_drop(w, m, LR_STAT_ip_TOTLEN_BEYOND_FRAME);
		return;
	}
	lr_mbuf_keep(m, totlen);
	/* Source: not broadcast, multicast, loopback, unspecified or ourselves. */
	if (unlikely(lr_ip_is_martian_src(ip->src_addr) || lr_iface_mine(w, ip->src_addr) ||
			lr_iface_is_bcast(ifc, ip->src_addr))) {
		lr_drop(w, m, LR_STAT_ip_BAD_SRC);
		return;
	}
	/* A host, not a router: only our own addresses and broadcasts (RFC 1122 3.3.6). */
	if (unlikely(lr_iface_mine(w, ip->dst_addr) == NULL &&
			!lr_iface_is_bcast(ifc, ip->dst_addr))) {
		lr_drop(w, m, LR_STAT_ip_NOT_FOR_US);
		return;
	}
	m->l3_len = hlen;
	if (unlikely(rte_ipv4_frag_pkt_is_fragmented(ip))) {
		m = reassemble(w, m, ip, hlen, totlen);
		if (m == NULL)
			return;
		/* The datagram keeps the first fragment's header, options and all. */
		m->packet_type = (m->packet_type & ~RTE_PTYPE_L4_MASK) | RTE_PTYPE_L4_FRAG;
		ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		m->l3_len = rte_ipv4_hdr_len(ip);
		if (steer_reassembled(w, m, ifc))
			return;
	}
	fn = ip_protos[ip->next_proto_id];
	if (unlikely(fn == NULL)) {
		lr_icmp_send_error(w, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PROTO);
		lr_drop(w, m, LR_STAT_ip_UNKNOWN_PROTO);
		return;
	}
	LR_STAT_INC(w->stats, LR_STAT_ip_DELIVERED);
	fn(w, m, ifc);
}
