/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sizing of the appliance's mbuf pools and of each worker's memory budget.
 *
 * Receive buffers come from one RX pool per (port, RX queue), used only by
 * rte_eth_rx_queue_setup(); nothing the stack keeps past a burst stays in it
 * (lr_mbuf_hold() copies into the data pool), so it is sized to what can hold RX
 * buffers at once (lr_rx_mbufs_need()). The data pool ([app] mbufs, w->pool) holds
 * what workers build, send buffers and held copies; each worker's budget
 * ([app] mem_high) keeps held data from emptying it.
 */
#ifndef LR_APP_MEMPOOLS_H
#define LR_APP_MEMPOOLS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "config.h"

/** Bytes one data-pool mbuf costs (lr_mbuf_truesize() of a one-segment packet). */
#define LR_DATA_MBUF_TRUESIZE ((uint32_t)sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE)

/** Data-pool mbufs each worker keeps beyond its mempool cache ([app] mbufs check). */
#define LR_MBUFS_SPARE 64
/** Smallest explicit [app] mem_high: 16 data-pool mbufs. */
#define LR_MEM_HIGH_MIN (16 * LR_DATA_MBUF_TRUESIZE)

/** What can hold the buffers of one RX queue at once, in mbufs (lr_rx_mbufs_need()). */
struct lr_rx_need {
	uint32_t rx_ring;     /**< the queue's RX descriptors */
	uint32_t tx_rings;    /**< TX descriptors and TX hold of every port, per holder
	                       *   (in-place replies) */
	uint32_t bursts;      /**< the RX burst and TX buffers, per holder */
	uint32_t caches;      /**< per-lcore mempool caches (flush threshold), per holder */
	uint32_t steer;       /**< software steering rings to the other workers */
	uint32_t fault;       /**< fault-injection delay queues (RX of this port, TX of all) */
	uint32_t segs;        /**< buffers a frame of the port's MTU takes (lr_rx_frame_segs()) */
	uint32_t total;       /**< the sum: the pool's minimum size */
};

/**
 * The mbufs one RX queue of a port can have out at once. Holders are the workers that
 * may hold the queue's buffers: 1, or every worker when software steering hands
 * packets over. total = rx_desc + holders x (sum of tx_desc + ports x tx_hold + burst + ports x
 * LR_BURST_MAX + mbuf_cache x 1.5) + (workers - 1) x steer_ring_size [software
 * steering] + fault delay queues (LR_FAULT_QUEUE_SIZE + 1 per port direction with
 * faults: this port's RX, and every port's TX per holder). Packets held (bursts,
 * TX holds, steering rings, fault queues) count lr_rx_frame_segs() buffers each: a jumbo frame
 * is received as a chain; descriptors and caches count buffers already.
 * @param cfg the configuration
 * @param port [port.N] index
 * @param nb_rxd RX descriptors of the queue (after the PMD adjusted them)
 * @param workers number of workers
 * @param steer_sw software steering hands packets to other workers
 * @param need filled with the terms
 * @return need->total
 */
uint32_t lr_rx_mbufs_need(const struct lr_config *cfg, unsigned int port, uint16_t nb_rxd,
		uint16_t workers, bool steer_sw, struct lr_rx_need *need);

/**
 * Buffers of RX data room (RTE_MBUF_DEFAULT_DATAROOM) a largest frame of an MTU
 * takes when scattered: its Ethernet header, a VLAN tag and the CRC counted. A port
 * that cannot scatter receives into larger buffers, one a frame, and is given as
 * many (an over-estimate).
 * @return 1 up to MTU 2026, 5 at 9000
 */
uint32_t lr_rx_frame_segs(uint16_t mtu);

/**
 * The budget of each worker in force: [app] mem_high, or 0 = auto: 3/4 of the
 * worker's share of the data pool ((mbufs / workers) x LR_DATA_MBUF_TRUESIZE), so held
 * data never empties the pool and packets the worker builds still find buffers;
 * pressure and low as [app] mem_pressure_pct and mem_low_pct of it.
 * @param cfg the configuration
 * @param workers number of workers
 * @param conf filled
 */
void lr_mem_conf_of(const struct lr_config *cfg, uint16_t workers, struct lr_mem_conf *conf);

/** @return the data pool's bytes per worker: (mbufs / workers) x LR_DATA_MBUF_TRUESIZE */
uint64_t lr_mem_share(const struct lr_config *cfg, uint16_t workers);

/**
 * @return true if software steering may hand packets over: several workers and
 * [worker] steering sw or auto (auto turns hardware only on a port with usable RSS)
 */
bool lr_steer_sw_possible(const struct lr_config *cfg, unsigned int workers);

/** @return the RX pool's per-lcore cache for a pool of n mbufs (mbuf_cache, bounded by n) */
uint32_t lr_rx_pool_cache(const struct lr_config *cfg, uint32_t n);

#endif /* LR_APP_MEMPOOLS_H */
