/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in UDP services: echo (RFC 862) and discard (RFC 863).
 */
#include <errno.h>

#include "lr_udp.h"
#include "services.h"

static void
udp_echo(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	uint32_t dst = rte_be_to_cpu_32(d->dst_ip);

	RTE_SET_USED(arg);
	LR_STAT_INC(w->stats, LR_STAT_udp_ECHO_RX);
	/* Never answer a broadcast or multicast (224/4) datagram: one spoofed datagram
	 * would make every echo service on the link answer the victim (the "fraggle"
	 * amplification, CERT CA-1998-01). Like ICMP echo to a broadcast (icmp.c). */
	if (unlikely(lr_iface_is_bcast(d->ifc, d->dst_ip) || (dst >> 28) == 0xe)) {
		lr_drop(w, m, LR_STAT_udp_ECHO_BCAST);
		return;
	}
	lr_udp_reply(w, m, d);
}

static void
udp_discard(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	RTE_SET_USED(arg);
	LR_STAT_INC(w->stats, LR_STAT_udp_DISCARD_RX);
	LR_STAT_ADD(w->stats, LR_STAT_udp_DISCARD_BYTES, d->len);
	lr_consume(m);
}

int
lr_services_udp_init(uint16_t echo_port, uint16_t discard_port)
{
	int rc;

	if (echo_port != 0 && echo_port == discard_port)
		return -EADDRINUSE;
	if (echo_port != 0) {
		rc = lr_udp_bind(echo_port, "echo", udp_echo, NULL);
		if (rc < 0)
			return rc;
	}
	if (discard_port != 0) {
		rc = lr_udp_bind(discard_port, "discard", udp_discard, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}
