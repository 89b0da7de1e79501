/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II input: MAC filter, then dispatch by EtherType.
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

void
lr_eth_input(struct lr_worker *w, struct rte_mbuf *m)
{
	const struct lr_iface *ifc = lr_iface_get(m->port);
	const struct rte_ether_hdr *eh;
	unsigned int i;

	LR_STAT_INC(w->stats, LR_STAT_eth_RX);
	if (unlikely(ifc == NULL)) {
		lr_drop(w, m, LR_STAT_eth_UNKNOWN_PORT);
		return;
	}
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh))) {
		lr_drop(w, m, LR_STAT_eth_TRUNCATED);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!mac_accepted(ifc, &eh->dst_addr))) {
		lr_drop(w, m, LR_STAT_eth_NOT_FOR_US);
		return;
	}
	for (i = 0; i < nb_eth_types; i++) {
		if (eth_types[i].type_be == eh->ether_type) {
			m->l2_len = sizeof(*eh);
			rte_pktmbuf_adj(m, sizeof(*eh));
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
