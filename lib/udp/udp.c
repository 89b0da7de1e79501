/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768): validate, dispatch to the service bound on the destination port,
 * port unreachable for the rest; output.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_cksum.h"
#include "lr_ip.h"
#include "lr_mbuf.h"
#include "lr_udp.h"

RTE_LOG_REGISTER_DEFAULT(lr_logtype_udp, INFO);

#define UDP_MAX_SERVICES 128 /* port_slot[] is 8-bit: at most 255 */

struct udp_service {
	lr_udp_service_fn fn;
	void *arg;
	char name[32];
	uint16_t port;
};

/* Slot 0 is "nothing bound"; port_slot[port] indexes services[]. */
static struct udp_service services[UDP_MAX_SERVICES + 1];
static uint8_t nb_services;
static uint8_t port_slot[UINT16_MAX + 1];

int
lr_udp_bind(uint16_t port, const char *name, lr_udp_service_fn fn, void *arg)
{
	struct udp_service *s;

	if (port == 0 || fn == NULL)
		return -EINVAL;
	if (port_slot[port] != 0)
		return -EADDRINUSE;
	if (nb_services == UDP_MAX_SERVICES)
		return -ENOSPC;
	s = &services[++nb_services];
	s->fn = fn;
	s->arg = arg;
	s->port = port;
	snprintf(s->name, sizeof(s->name), "%s", name != NULL ? name : "");
	port_slot[port] = nb_services;
	return 0;
}

void
lr_udp_reset(void)
{
	memset(services, 0, sizeof(services));
	memset(port_slot, 0, sizeof(port_slot));
	nb_services = 0;
}

const char *
lr_udp_service_name(uint16_t port)
{
	return port_slot[port] != 0 ? services[port_slot[port]].name : NULL;
}

void
lr_udp_init(void)
{
	lr_ip_register(IPPROTO_UDP, lr_udp_input);
}

static bool
cksum_ok(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *uh)
{
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (uh->dgram_cksum == 0)  /* RFC 768: no checksum was computed */
		return true;
	if (ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (ck == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	/* over the pseudo header and the datagram, whose length is the UDP length
	 * (RFC 768), not what the IP header says is left */
	return lr_cksum_l4(m, ip, m->l3_len, rte_be_to_cpu_16(uh->dgram_len)) == 0xffff;
}

void
lr_udp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t avail = rte_pktmbuf_pkt_len(m) - m->l3_len;
	const struct rte_udp_hdr *uh;
	const struct udp_service *s;
	struct lr_udp_dgram d;
	uint16_t ulen;

	LR_STAT_INC(w->stats, LR_STAT_udp_RX);
	if (unlikely(avail < sizeof(*uh) ||
			rte_pktmbuf_data_len(m) < m->l3_len + sizeof(*uh))) {
		lr_drop(w, m, LR_STAT_udp_TRUNCATED);
		return;
	}
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l3_len);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (unlikely(ulen < sizeof(*uh) || ulen > avail)) {
		lr_drop(w, m, LR_STAT_udp_BAD_LEN);
		return;
	}
	lr_mbuf_keep(m, m->l3_len + ulen); /* a reassembled chain too */
	if (unlikely(!cksum_ok(m, ip, uh))) {
		lr_drop(w, m, LR_STAT_udp_BAD_CKSUM);
		return;
	}
	s = &services[port_slot[rte_be_to_cpu_16(uh->dst_port)]];
	if (unlikely(s->fn == NULL)) {
		lr_icmp_send_error(w, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT);
		lr_drop(w, m, LR_STAT_udp_NO_PORT);
		return;
	}
	d.src_ip = ip->src_addr;
	d.dst_ip = ip->dst_addr;
	d.src_port = uh->src_port;
	d.dst_port = uh->dst_port;
	d.len = ulen - sizeof(*uh);
	d.ifc = ifc;
	rte_pktmbuf_adj(m, m->l3_len + sizeof(*uh));
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	s->fn(w, m, &d, s->arg);
}

void
lr_udp_send(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be16_t sport,
		rte_be32_t dst, rte_be16_t dport)
{
	struct rte_udp_hdr *uh;
	uint32_t len;

	uh = (struct rte_udp_hdr *)rte_pktmbuf_prepend(m, sizeof(*uh));
	if (unlikely(uh == NULL)) {
		lr_drop(w, m, LR_STAT_eth_NOMBUF);
		return;
	}
	len = rte_pktmbuf_pkt_len(m);
	uh->src_port = sport;
	uh->dst_port = dport;
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)len);
	uh->dgram_cksum = 0;
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
	m->l4_len = sizeof(*uh);
	LR_STAT_INC(w->stats, LR_STAT_udp_TX);
	lr_ip_output(w, m, src, dst, IPPROTO_UDP);
}

void
lr_udp_reply(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d)
{
	/* An answer to a broadcast comes from our own address. */
	rte_be32_t src = lr_iface_mine(w, d->dst_ip) != NULL ? d->dst_ip : d->ifc->ip;

	lr_udp_send(w, m, src, d->dst_port, d->src_ip, d->src_port);
}
