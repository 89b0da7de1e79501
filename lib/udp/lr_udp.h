/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * UDP input/output with socket-less service dispatch by destination port.
 */
#ifndef LR_UDP_H
#define LR_UDP_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "lr_core.h"

/** One received datagram, parsed. Addresses and ports in network order. */
struct lr_udp_dgram {
	rte_be32_t src_ip;   /**< sender */
	rte_be32_t dst_ip;   /**< our address it was sent to */
	rte_be16_t src_port; /**< sender port */
	rte_be16_t dst_port; /**< our port */
	uint16_t len;        /**< payload bytes */
	const struct lr_iface *ifc; /**< interface it arrived on */
};

/**
 * A UDP service. Called with data at the UDP payload (headers stripped). The
 * handler owns m: it sends it back (lr_udp_reply), sends something else, or frees it.
 */
typedef void (*lr_udp_service_fn)(struct lr_worker *w, struct rte_mbuf *m,
		const struct lr_udp_dgram *d, void *arg);

/**
 * Bind a service to a local port (control path, before workers start).
 * @param port host order, 1..65535
 * @param name service name for listings
 * @return 0, -EADDRINUSE if the port is bound, -EINVAL for port 0
 */
int lr_udp_bind(uint16_t port, const char *name, lr_udp_service_fn fn, void *arg);

/** Unbind everything (tests). */
void lr_udp_reset(void);

/** Name of the service on a port, or NULL. */
const char *lr_udp_service_name(uint16_t port);

/** Register UDP with IP (control path). */
void lr_udp_init(void);

/** UDP input (registered as protocol 17). Owns m. */
void lr_udp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc);

/**
 * Send m's data as a datagram. Owns m afterwards.
 * @param m data at the payload; headroom for UDP+IP+Ethernet headers
 */
void lr_udp_send(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be16_t sport,
		rte_be32_t dst, rte_be16_t dport);

/** Send m's data back to where d came from. Owns m afterwards. */
void lr_udp_reply(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d);

#endif /* LR_UDP_H */
