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
#include "lr_steer.h"

/** How a port ended up steering flows to workers. */
struct lr_port_steer {
	enum lr_steer_mode mode;     /**< LR_STEER_HW, LR_STEER_SW or LR_STEER_OFF */
	uint16_t reta_size;          /**< NIC redirection table entries (hw only) */
	char why[160];               /**< why not hardware RSS (empty if no reason) */
};

/**
 * Find, configure and start the port of a [port.N] section, with one RX and one TX
 * queue per worker, and fill the interface it carries. With several queues, decide
 * how flows reach their owner: hardware RSS with lr_steer's key and redirection table
 * when the PMD has them (LR_STEER_AUTO, LR_STEER_HW), else software steering.
 * lr_steer_init() must have run (the key and table come from it). Each RX queue gets
 * its own pool (lr_port_rx_pool()) of [app] rx_mbufs mbufs, or of what can be out at
 * once when 0 (lr_rx_mbufs_need()).
 * @param n section index (for messages)
 * @param cfg the configuration; its [port.n] section is the port
 * @param nb_queues queue pairs (one per worker)
 * @param steer_want [worker] steering
 * @param ifc filled on success
 * @param steer filled on success: the mode chosen and why
 * @param err one-line message on failure
 * @return 0 or -errno
 */
int lr_port_setup(unsigned int n, const struct lr_config *cfg, uint16_t nb_queues,
		enum lr_steer_mode steer_want, struct lr_iface *ifc, struct lr_port_steer *steer,
		char *err, size_t errlen);

/**
 * The interface of a [vlan.M] section: port_ifc's port, MAC, MTU and offloads, the
 * section's VLAN ID and addresses.
 */
void lr_port_vlan_iface(const struct lr_iface *port_ifc, const struct lr_vlan_conf *vc,
		struct lr_iface *ifc);

/** @return the pool of an RX queue of a port set up by lr_port_setup(), or NULL */
struct rte_mempool *lr_port_rx_pool(uint16_t port_id, uint16_t queue);

/** Stop and close a port and free its RX pools. */
void lr_port_close(uint16_t port_id);

#endif /* LR_APP_PORT_H */
