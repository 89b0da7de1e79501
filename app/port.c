/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "port.h"

#define RX_CKSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | \
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
#define TX_CKSUM_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM)

/* The ethdev name of a device string: "net_tap0,iface=lr0" -> "net_tap0". */
static void
device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/* Decide an offload: auto takes it if present, on requires it, off declines it. */
static int
pick_offload(enum lr_offload_mode mode, uint64_t capa, uint64_t want, uint64_t *out)
{
	bool have = (capa & want) == want;

	if (mode == LR_OFFLOAD_OFF || (mode == LR_OFFLOAD_AUTO && !have))
		return 0;
	if (!have)
		return -ENOTSUP;
	*out |= want;
	return 0;
}

int
lr_port_setup(unsigned int n, const struct lr_port_conf *pc, uint16_t nb_queues,
		struct rte_mempool *pool, struct lr_iface *ifc, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port_id, q, nb_rxd = pc->rx_desc, nb_txd = pc->tx_desc;
	int rc;

	device_name(pc->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) {
		snprintf(err, errlen, "[port.%u] device '%s': no such DPDK port "
				"(is the PMD available and the PCI device bound to a DPDK driver?)",
				n, pc->device);
		return -ENODEV;
	}
	if (port_id >= LR_MAX_PORTS) {
		snprintf(err, errlen, "[port.%u] device '%s': DPDK port id %u exceeds %u",
				n, pc->device, port_id, LR_MAX_PORTS - 1);
		return -ERANGE;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: cannot read device info: %s", n, name,
				rte_strerror(-rc));
		return rc;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		snprintf(err, errlen, "[port.%u] %s: %u workers need %u queue pairs, the port has "
				"%u RX / %u TX: use fewer [worker] lcores", n, name, nb_queues,
				nb_queues, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if (pick_offload(pc->rx_cksum, info.rx_offload_capa, RX_CKSUM_OFFLOADS,
			&conf.rxmode.offloads) != 0) {
		snprintf(err, errlen, "[port.%u] rx_cksum = on: %s has no RX checksum offload: "
				"set rx_cksum = auto or off", n, name);
		return -ENOTSUP;
	}
	if (pick_offload(pc->tx_cksum, info.tx_offload_capa, TX_CKSUM_OFFLOADS,
			&conf.txmode.offloads) != 0) {
		snprintf(err, errlen, "[port.%u] tx_cksum = on: %s has no TX checksum offload: "
				"set tx_cksum = auto or off", n, name);
		return -ENOTSUP;
	}
	/* Fragments and reassembled datagrams go out as chains. */
	conf.txmode.offloads |= info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (pc->mtu <= info.max_mtu && pc->mtu >= info.min_mtu)
		conf.rxmode.mtu = pc->mtu;
	if (nb_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
				(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: configure failed: %s", n, name,
				rte_strerror(-rc));
		return rc;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	for (q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, rte_eth_dev_socket_id(port_id),
				NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, nb_txd,
					rte_eth_dev_socket_id(port_id), NULL);
		if (rc != 0) {
			snprintf(err, errlen, "[port.%u] %s: queue %u setup failed: %s", n, name, q,
					rte_strerror(-rc));
			return rc;
		}
	}

	memset(ifc, 0, sizeof(*ifc));
	ifc->port_id = port_id;
	ifc->ip = pc->ip;
	ifc->prefix_len = pc->prefix_len;
	ifc->netmask = pc->prefix_len == 0 ? 0 :
			rte_cpu_to_be_32(UINT32_MAX << (32 - pc->prefix_len));
	ifc->gateway = pc->gateway;
	ifc->mtu = pc->mtu;
	ifc->rx_cksum = (conf.rxmode.offloads & RX_CKSUM_OFFLOADS) != 0;
	ifc->tx_ip_cksum = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	ifc->tx_l4_cksum = (conf.txmode.offloads & (RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) ==
			(RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM);

	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: start failed: %s", n, name, rte_strerror(-rc));
		return rc;
	}
	if (pc->has_mac) {
		/* Our own MAC, distinct from the port's (on net_tap the port's MAC is the
		 * kernel side's): filter for it in hardware if the port can, else listen
		 * to everything and let lr_eth_input filter.
		 */
		ifc->mac = pc->mac;
		if (rte_eth_dev_mac_addr_add(port_id, &ifc->mac, 0) != 0)
			rte_eth_promiscuous_enable(port_id);
	} else {
		rte_eth_macaddr_get(port_id, &ifc->mac);
	}
	if (pc->promiscuous)
		rte_eth_promiscuous_enable(port_id);
	return 0;
}

void
lr_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
