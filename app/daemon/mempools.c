/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sizing of the RX pools and of the per-worker memory budget (mempools.h).
 */
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_fault.h"
#include "mempools.h"

/* The mempool cache of an lcore holds up to 1.5 x its size before it flushes
 * (rte_mempool's CALC_CACHE_FLUSHTHRESH). */
#define CACHE_FLUSH_MAX(c) ((c) * 3 / 2)

uint32_t
lr_rx_mbufs_need(const struct lr_config *cfg, unsigned int port, uint16_t nb_rxd,
		uint16_t workers, bool steer_sw, struct lr_rx_need *need)
{
	uint32_t holders = steer_sw && workers > 1 ? workers : 1;
	uint32_t tx_desc = 0, nb_ports = 0, tx_faults = 0;
	unsigned int p;

	for (p = 0; p < LR_MAX_PORTS; p++) {
		if (!cfg->ports[p].used)
			continue;
		nb_ports++;
		tx_desc += cfg->ports[p].tx_desc;
		if (lr_fault_enabled(&cfg->ports[p].fault_tx))
			tx_faults++;
	}
	need->segs = lr_rx_frame_segs(cfg->ports[port].mtu);
	need->rx_ring = nb_rxd;
	/* An echo reply reuses the request's mbuf in place: it waits in a TX ring of
	 * whichever port it leaves by, on whichever worker answered it, or in the
	 * worker's hold of frames that ring refused ([worker] tx_hold). */
	need->tx_rings = holders * (tx_desc + nb_ports * cfg->tx_hold * need->segs);
	/* The burst being processed and the TX buffers not yet flushed (lr_txbuf). */
	need->bursts = holders * (cfg->burst + nb_ports * LR_BURST_MAX) * need->segs;
	need->caches = holders * CACHE_FLUSH_MAX(cfg->mbuf_cache);
	need->steer = steer_sw && workers > 1 ? (uint32_t)(workers - 1) *
			(cfg->steer_ring_size != 0 ? cfg->steer_ring_size : LR_STEER_RING_SIZE) *
			need->segs : 0;
	/* A delay queue (its overflow of received bursts included) plus a reordered packet. */
	need->fault = (holders * tx_faults +
			(lr_fault_enabled(&cfg->ports[port].fault_rx) ? 1 : 0)) *
			(LR_FAULT_QUEUE_SIZE + 1) * need->segs;
	need->total = need->rx_ring + need->tx_rings + need->bursts + need->caches +
			need->steer + need->fault;
	return need->total;
}

uint32_t
lr_rx_frame_segs(uint16_t mtu)
{
	uint32_t frame = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;

	return (frame + RTE_MBUF_DEFAULT_DATAROOM - 1) / RTE_MBUF_DEFAULT_DATAROOM;
}

uint64_t
lr_mem_share(const struct lr_config *cfg, uint16_t workers)
{
	return (uint64_t)(cfg->mbufs / RTE_MAX(workers, (uint16_t)1)) * LR_DATA_MBUF_TRUESIZE;
}

void
lr_mem_conf_of(const struct lr_config *cfg, uint16_t workers, struct lr_mem_conf *conf)
{
	uint64_t high = cfg->mem_high;

	if (high == 0)
		high = lr_mem_share(cfg, workers) / 4 * 3;
	conf->high = high;
	/* Linux tcp_mem ratios (tcp_init_mem(): pressure = 2/3, min = 1/2 of max). */
	conf->pressure = high / 100 * cfg->mem_pressure_pct + high % 100 *
			cfg->mem_pressure_pct / 100;
	conf->low = high / 100 * cfg->mem_low_pct + high % 100 * cfg->mem_low_pct / 100;
}

static enum lr_steer_mode
steer_mode_of(const struct lr_config *cfg)
{
	enum lr_steer_mode m = LR_STEER_AUTO;

	/* A bad value is refused at start (check_steering); size as for auto. */
	if (lr_steer_mode_parse(cfg->steering, &m) != 0)
		m = LR_STEER_AUTO;
	return m;
}

bool
lr_steer_sw_possible(const struct lr_config *cfg, unsigned int workers)
{
	enum lr_steer_mode m = steer_mode_of(cfg);

	return workers > 1 && (m == LR_STEER_SW || m == LR_STEER_AUTO);
}

uint32_t
lr_rx_pool_cache(const struct lr_config *cfg, uint32_t n)
{
	/* rte_mempool_create() refuses a cache above n / 1.5. */
	return RTE_MIN(cfg->mbuf_cache, n * 2 / 3);
}
