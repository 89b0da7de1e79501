/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What a port needs to carry frames of its [port.N] mtu, decided from its
 * rte_eth_dev_info before anything is configured (lr_port_setup() and
 * --check-config share it).
 */
#ifndef LR_APP_PORT_MTU_H
#define LR_APP_PORT_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "config.h"

/** Bytes of frame one buffer of the default size holds (RTE_MBUF_DEFAULT_DATAROOM). */
#define LR_PORT_SEG_ROOM ((uint32_t)RTE_MBUF_DEFAULT_DATAROOM)

/** How a port receives and sends frames of its MTU. */
struct lr_port_mtu_plan {
	uint32_t frame;     /**< largest frame: MTU plus the port's L2 overhead */
	uint16_t eth_mtu;   /**< rxmode.mtu to configure */
	bool scatter;       /**< RTE_ETH_RX_OFFLOAD_SCATTER: a frame over several buffers */
	bool tx_multiseg;   /**< frames longer than one buffer leave as chains */
	uint16_t rx_buf;    /**< data room of the RX pools' buffers (headroom included) */
	uint16_t rx_segs;   /**< RX buffers a largest frame takes */
};

/**
 * Decide how port n (its dev_info read, not configured yet) carries frames of an
 * IP MTU of mtu bytes: the MTU within the port's min_mtu..max_mtu and its frame
 * within max_rx_pktlen (as ethdev checks rxmode.mtu; net_tap's fixed 1522 stops it
 * at MTU 1504, and its TX drops longer frames); frames above one buffer
 * (LR_PORT_SEG_ROOM) are received scattered (RTE_ETH_RX_OFFLOAD_SCATTER), or into
 * larger RX buffers when the port cannot scatter, and sent as chains, which needs
 * RTE_ETH_TX_OFFLOAD_MULTI_SEGS (or net_pcap, which copies chains of up to 16128 bytes).
 * @param n [port.N] index (for messages)
 * @param mtu [port.N] mtu
 * @param info the port's device info
 * @param plan filled on success
 * @param err one line naming the key and the limit on failure
 * @return 0, or -EINVAL when the port cannot carry the MTU
 */
int lr_port_mtu_plan(unsigned int n, uint16_t mtu, const struct rte_eth_dev_info *info,
		struct lr_port_mtu_plan *plan, char *err, size_t errlen);

/**
 * lr_port_mtu_plan() for the port of a [port.N] section, found by its device name
 * and probed only (EAL initialised, nothing configured): --check-config.
 * @return 0, -EINVAL when the port cannot carry the MTU, -ENODEV when no such port
 *   (err says so)
 */
int lr_port_mtu_probe(unsigned int n, const struct lr_port_conf *pc, struct lr_port_mtu_plan *plan,
		char *err, size_t errlen);

/** @return how a port set up by lr_port_setup() carries its MTU, or NULL */
const struct lr_port_mtu_plan *lr_port_mtu_of(uint16_t port_id);

#endif /* LR_APP_PORT_MTU_H */
