/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II input: the interface (port and 802.1Q VLAN ID), MAC filter, then dispatch
 * by EtherType.
 */
#include <errno.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "lr_eth.h"

RTE_LOG_REGISTER_DEFAULT(lr_logtype_eth, INFO);

#define ETH_MAX_TYPES 8

static struct {
	uint16_t type_be;
	lr_eth_input_fn fn;
} eth_types[ETH_MAX_TYPES];
static unsigned int nb_eth_types;
static lr_eth_burst_fn burst_stage;

void
lr_eth_set_burst_stage(lr_eth_burst_fn fn)
{
	burst_stage = fn;
}

int
lr_eth_register(uint16_t ether_type, lr_eth_input_fn fn)
{
	rte_be16_t be = rte_cpu_to_be_16(ether_type);
	unsigned int i;

	for (i = 0; i < nb_eth_types; i++) {
		if (eth_types[i].type_be == be) {
			eth_types[i].fn = fn;
			return 0;
		}
	}
	if (nb_eth_types == ETH_MAX_TYPES)
		return -ENOSPC;
	eth_types[nb_eth_types].type_be = be;
	eth_types[nb_eth_types].fn = fn;
	nb_eth_types++;
	return 0;
}

/* Accept our unicast MAC, broadcast, and multicast groups we joined. */
static inline bool
mac_accepted(const struct lr_iface *ifc, const struct rte_ether_addr *dst)
{
	unsigned int i;

	if (rte_is_same_ether_addr(dst, &ifc->mac))
		return true;
	if (rte_is_broadcast_ether_addr(dst))
		return true;
	if (rte_is_multicast_ether_addr(dst)) {
		for (i = 0; i < ifc->nb_mcast; i++)
			if (rte_is_same_ether_addr(dst, &ifc->mcast[i]))
				return true;
	}
	return false;
}

/*
 * 802.1Q, off the untagged path: the tag the port stripped into m->vlan_tci, or the
 * one in the frame (the EtherType after it goes in *type, its 4 bytes in *hlen). The
 * VLAN ID picks the interface; 0 (a priority tag) is the untagged one.
 * @return the interface, or NULL with m dropped and counted
 */
static const struct lr_iface *
vlan_input(struct lr_worker *w, struct rte_mbuf *m, rte_be16_t *type, uint16_t *hlen)
{
	const struct rte_vlan_hdr *vh;
	const struct lr_iface *ifc;
	uint16_t tci;

	LR_STAT_INC(w->stats, LR_STAT_eth_RX_VLAN);
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		tci = m->vlan_tci;
	} else {
		if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*vh))) {
			lr_drop(w, m, LR_STAT_eth_TRUNCATED);
			return NULL;
		}
		vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *, RTE_ETHER_HDR_LEN);
		tci = rte_be_to_cpu_16(vh->vlan_tci);
		*type = vh->eth_proto;
		*hlen += sizeof(*vh);
	}
	ifc = lr_iface_vlan(m->port, tci & RTE_VLAN_ID_MASK);
	if (unlikely(ifc == NULL))
		lr_drop(w, m, lr_iface_get(m->port) == NULL ? LR_STAT_eth_UNKNOWN_PORT :
				LR_STAT_eth_UNKNOWN_VLAN);
	return ifc;
}

void
lr_eth_input(struct lr_worker *w, struct rte_mbuf *m)
{
	const struct lr_iface *ifc;
	const struct rte_ether_hdr *eh;
	uint16_t hlen = sizeof(*eh);
	rte_be16_t type;
	unsigned int i;

	LR_STAT_INC(w->stats, LR_STAT_eth_RX);
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh))) {
		lr_drop(w, m, LR_STAT_eth_TRUNCATED);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = eh->ether_type;
	/* One test for both kinds of tagged frame: the untagged path pays no more. */
	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) |
			(type == RTE_BE16(RTE_ETHER_TYPE_VLAN)))) {
		ifc = vlan_input(w, m, &type, &hlen);
		if (ifc == NULL)
			return;
	} else {
		ifc = lr_iface_vlan(m->port, 0);
		if (unlikely(ifc == NULL)) {
			lr_drop(w, m, lr_iface_get(m->port) == NULL ? LR_STAT_eth_UNKNOWN_PORT :
					LR_STAT_eth_UNTAGGED);
			return;
		}
	}
	if (unlikely(!mac_accepted(ifc, &eh->dst_addr))) {
		lr_drop(w, m, LR_STAT_eth_NOT_FOR_US);
		return;
	}
	for (i = 0; i < nb_eth_types; i++) {
		if (eth_types[i].type_be == type) {
			m->l2_len = hlen;
			rte_pktmbuf_adj(m, hlen);
			eth_types[i].fn(w, m, ifc);
			return;
		}
	}
	lr_drop(w, m, LR_STAT_eth_UNKNOWN_TYPE);
}

#define PREFETCH_AHEAD 4

void
lr_eth_input_burst(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	w->rx_pkts += n;
	if (burst_stage != NULL && n > 1)
		n = burst_stage(w, pkts, n);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		lr_eth_input(w, pkts[i]);
	}
}
