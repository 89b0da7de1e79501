/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II output.
 */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "lr_eth.h"

void
lr_eth_send(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh;

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
