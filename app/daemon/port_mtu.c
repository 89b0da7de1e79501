/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port MTU: what a port needs to carry frames of its [port.N] mtu (port_mtu.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "port_mtu.h"

#define L2_OVERHEAD_DEFAULT (RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN)

/* The port's frame overhead over its MTU, as ethdev computes it to validate one. */
static uint32_t
l2_overhead(const struct rte_eth_dev_info *info)
{
	if (info->max_mtu != UINT16_MAX && info->max_rx_pktlen > info->max_mtu)
		return info->max_rx_pktlen - info->max_mtu;
	return L2_OVERHEAD_DEFAULT;
}

/*
 * A port that sends chains without advertising RTE_ETH_TX_OFFLOAD_MULTI_SEGS: DPDK
 * 22.11's net_pcap copies a chained mbuf into a buffer of RTE_ETHER_MAX_JUMBO_FRAME_LEN
 * bytes (RTE_ETH_PCAP_SNAPLEN) before pcap_sendpacket(). @return the longest chained
 * frame it sends, or 0
 */
static uint32_t
tx_chain_max(const struct rte_eth_dev_info *info)
{
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		return UINT32_MAX;
	if (info->driver_name != NULL && strcmp(info->driver_name, "net_pcap") == 0)
		return RTE_ETHER_MAX_JUMBO_FRAME_LEN;
	return 0;
}

/* Check 1: the MTU within what the port reports. @return 0 or -EINVAL */
static int
check_port_limits(unsigned int n, uint16_t mtu, const struct rte_eth_dev_info *info,
		uint32_t frame, char *err, size_t errlen)
{
	const char *drv = info->driver_name != NULL ? info->driver_name : "the port";

	if (mtu < info->min_mtu || mtu > info->max_mtu) {
		snprintf(err, errlen, "[port.%u] mtu: bad value '%u': %s carries an MTU of "
				"%u..%u (dev_info min_mtu..max_mtu)", n, mtu, drv,
				info->min_mtu, info->max_mtu);
		return -EINVAL;
	}
	if (frame > info->max_rx_pktlen) {
		snprintf(err, errlen, "[port.%u] mtu: bad value '%u': %s receives frames of at "
				"most %u bytes (dev_info max_rx_pktlen), an MTU of at most %u",
				n, mtu, drv, info->max_rx_pktlen,
				info->max_rx_pktlen - (frame - mtu));
		return -EINVAL;
	}
	return 0;
}

int
lr_port_mtu_plan(unsigned int n, uint16_t mtu, const struct rte_eth_dev_info *info,
		struct lr_port_mtu_plan *plan, char *err, size_t errlen)
{
	const char *drv = info->driver_name != NULL ? info->driver_name : "the port";
	uint32_t over = l2_overhead(info), frame = mtu + over;

	memset(plan, 0, sizeof(*plan));
	plan->frame = frame;
	plan->rx_buf = RTE_MBUF_DEFAULT_BUF_SIZE;
	plan->rx_segs = 1;
	if (check_port_limits(n, mtu, info, frame, err, errlen) != 0)
		return -EINVAL;
	plan->eth_mtu = mtu;
	if (frame <= LR_PORT_SEG_ROOM)
		return 0;
	/* Our frames out (TCP segments, replies in a received chain) are chains. */
	if (frame > tx_chain_max(info)) {
		snprintf(err, errlen, "[port.%u] mtu: bad value '%u': %s has no multi-segment "
				"TX and one buffer holds a frame of %u bytes, an MTU of at most %u",
				n, mtu, drv, LR_PORT_SEG_ROOM, LR_PORT_SEG_ROOM - over);
		return -EINVAL;
	}
	plan->tx_multiseg = true;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
		plan->scatter = true;
		plan->rx_segs = (uint16_t)((frame + LR_PORT_SEG_ROOM - 1) / LR_PORT_SEG_ROOM);
	} else {
		/* One buffer per frame, cache-line multiple. */
		plan->rx_buf = (uint16_t)(RTE_PKTMBUF_HEADROOM +
				RTE_ALIGN_CEIL(frame, RTE_CACHE_LINE_SIZE));
	}
	return 0;
}

int
lr_port_mtu_probe(unsigned int n, const struct lr_port_conf *pc, struct lr_port_mtu_plan *plan,
		char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	size_t len = strcspn(pc->device, ",");
	uint16_t port_id;
	int rc;

	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, pc->device, len);
	name[len] = '\0';
	if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) {
		snprintf(err, errlen, "[port.%u] device '%s' is not present here: mtu %u is "
				"checked against it at start", n, pc->device, pc->mtu);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: cannot read device info: %s", n, name,
				rte_strerror(-rc));
		return rc;
	}
	return lr_port_mtu_plan(n, pc->mtu, &info, plan, err, errlen);
}
