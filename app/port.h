/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Bringing DPDK ports up from [port.N] sections.
 */
#ifndef LR_APP_PORT_H
#define LR_APP_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "config.h"

/**
 * Find, configure and start the port of a [port.N] section, with one RX and one TX
 * queue per worker, and fill the interface it carries.
 * @param n section index (for messages)
 * @param pc the section
 * @param nb_queues queue pairs (one per worker)
 * @param pool RX mbuf pool
 * @param ifc filled on success
 * @param err one-line message on failure
 * @return 0 or -errno
 */
int lr_port_setup(unsigned int n, const struct lr_port_conf *pc, uint16_t nb_queues,
		struct rte_mempool *pool, struct lr_iface *ifc, char *err, size_t errlen);

/** Stop and close a port. */
void lr_port_close(uint16_t port_id);

#endif /* LR_APP_PORT_H */
