/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II output, untagged or 802.1Q on a VLAN interface.
 */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "lr_eth.h"

/*
 * A frame of a VLAN interface: the port inserts the tag (RTE_MBUF_F_TX_VLAN with
 * m->vlan_tci) when it offers to, else the tag goes in after the MACs (l2_len 18, so
 * checksum offloads still find the IP header).
 */
static void
eth_send_vlan(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		const struct rte_ether_addr *dst, uint16_t ether_type)
{
	bool hw = ifc->tx_vlan_insert;
	struct rte_ether_hdr *eh;
	struct rte_vlan_hdr *vh;
	uint16_t hlen = sizeof(*eh) + (hw ? 0 : sizeof(*vh));

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, hlen);
	if (unlikely(eh == NULL)) {
		lr_drop(w, m, LR_STAT_eth_NOMBUF);
		return;
	}
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	if (hw) {
		eh->ether_type = rte_cpu_to_be_16(ether_type);
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = ifc->vlan_id;
	} else {
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh = (struct rte_vlan_hdr *)(eh + 1);
		vh->vlan_tci = rte_cpu_to_be_16(ifc->vlan_id);
		vh->eth_proto = rte_cpu_to_be_16(ether_type);
	}
	m->l2_len = hlen;
	m->port = ifc->port_id;
	LR_STAT_INC(w->stats, LR_STAT_eth_TX_VLAN);
	lr_tx(w, ifc->port_id, m);
}

void
lr_eth_send(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh;

	if (unlikely(ifc->vlan_id != 0)) {
		eth_send_vlan(w, m, ifc, dst, ether_type);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		lr_drop(w, m, LR_STAT_eth_NOMBUF);
		return;
	}
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eh);
	m->port = ifc->port_id;
	lr_tx(w, ifc->port_id, m);
}
