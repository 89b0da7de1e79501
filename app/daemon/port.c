/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "lr_steer.h"
#include "mempools.h"
#include "port.h"
#include "port_mtu.h"

#define RX_CKSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | \
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
#define TX_CKSUM_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
/* What lr_steer hashes: TCP/UDP on the 4-tuple, fragments on the addresses. */
#define STEER_RSS_L4 (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)
#define STEER_RSS_L3 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4)

/* How each port carries its MTU (port_mtu.h), for lr_port_mtu_of(). */
static struct lr_port_mtu_plan mtu_plans[LR_MAX_PORTS];

/* Each RX queue's own pool (mempools.h): only the PMD's ring and packets in flight. */
static struct rte_mempool *rx_pools[LR_MAX_PORTS][LR_MAX_WORKERS];

/*
 * Create the RX pool of every queue of a port, sized to what can hold its buffers at
 * once; an explicit [app] rx_mbufs below that is refused.
 */
static int
rx_pools_create(unsigned int n, uint16_t port_id, const struct lr_config *cfg,
		uint16_t nb_queues, uint16_t nb_rxd, bool steer_sw, uint16_t buf_size, char *err,
		size_t errlen)
{
	char pname[RTE_MEMPOOL_NAMESIZE];
	struct lr_rx_need need;
	uint32_t size;
	uint16_t q;

	lr_rx_mbufs_need(cfg, n, nb_rxd, nb_queues, steer_sw, &need);
	if (cfg->rx_mbufs != 0 && cfg->rx_mbufs < need.total) {
		snprintf(err, errlen, "[app] rx_mbufs: bad value '%u': an RX queue of [port.%u] "
				"(%u descriptors, steering %s) can have %u mbufs out at once; "
				"expected at least %u, or 0 for auto", cfg->rx_mbufs, n, nb_rxd,
				steer_sw ? "sw or auto" : "off or hw", need.total, need.total);
		return -EINVAL;
	}
	size = cfg->rx_mbufs != 0 ? cfg->rx_mbufs : need.total;
	for (q = 0; q < nb_queues; q++) {
		snprintf(pname, sizeof(pname), "lr_rx_p%u_q%u", port_id, q);
		rx_pools[port_id][q] = rte_pktmbuf_pool_create(pname, size,
				lr_rx_pool_cache(cfg, size), 0, buf_size,
				rte_eth_dev_socket_id(port_id));
		if (rx_pools[port_id][q] == NULL) {
			snprintf(err, errlen, "[port.%u] cannot create the pool of RX queue %u "
					"(%u mbufs): %s: reserve more hugepages or lower "
					"[app] rx_mbufs / [port.%u] rx_desc", n, q, size,
					rte_strerror(rte_errno), n);
			return -ENOMEM;
		}
	}
	return 0;
}

struct rte_mempool *
lr_port_rx_pool(uint16_t port_id, uint16_t queue)
{
	if (port_id >= LR_MAX_PORTS || queue >= LR_MAX_WORKERS)
		return NULL;
	return rx_pools[port_id][queue];
}

const struct lr_port_mtu_plan *
lr_port_mtu_of(uint16_t port_id)
{
	return port_id < LR_MAX_PORTS ? &mtu_plans[port_id] : NULL;
}

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

/* Does [port.n] carry a tagged interface: its own (vlan key) or a [vlan.M]? */
static bool
port_tagged(const struct lr_config *cfg, unsigned int n)
{
	unsigned int m;

	if (cfg->ports[n].vlan != 0)
		return true;
	for (m = 0; m < LR_MAX_VLANS; m++)
		if (cfg->vlans[m].used && cfg->vlans[m].port == n)
			return true;
	return false;
}

/*
 * VLAN strip and insert for a port with tagged interfaces: auto takes each the port
 * offers (the other is done in software), on requires both, off takes neither. A port
 * without tagged interfaces asks for neither.
 */
static int
pick_vlan_offload(unsigned int n, const struct lr_config *cfg,
		const struct rte_eth_dev_info *info, struct rte_eth_conf *conf,
		const char *name, char *err, size_t errlen)
{
	enum lr_offload_mode mode = cfg->ports[n].vlan_offload;
	uint64_t rx = info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	uint64_t tx = info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT;

	if (!port_tagged(cfg, n) || mode == LR_OFFLOAD_OFF)
		return 0;
	if (mode == LR_OFFLOAD_ON && (rx == 0 || tx == 0)) {
		snprintf(err, errlen, "[port.%u] vlan_offload = on: %s has no VLAN %s offload: "
				"set vlan_offload = auto or off", n, name,
				rx == 0 && tx == 0 ? "strip or insert" : rx == 0 ? "strip" : "insert");
		return -ENOTSUP;
	}
	conf->rxmode.offloads |= rx;
	conf->txmode.offloads |= tx;
	return 0;
}

/*
 * Why the port cannot hash like lr_steer (Toeplitz with our 40-byte key over the
 * IPv4 4-tuple, a redirection table we program), or NULL if it can.
 */
static const char *
rss_unusable(const struct rte_eth_dev_info *info, char *buf, size_t len)
{
	uint64_t hf = info->flow_type_rss_offloads;

	if (info->reta_size == 0 || hf == 0)
		return "the PMD offers no RSS redirection table";
	if (info->reta_size < LR_STEER_RETA_SIZE || !rte_is_power_of_2(info->reta_size)) {
		snprintf(buf, len, "its redirection table has %u entries, not a power-of-two "
				"multiple of %u", info->reta_size, LR_STEER_RETA_SIZE);
		return buf;
	}
	if (info->hash_key_size != 0 && info->hash_key_size != LR_STEER_KEY_LEN) {
		snprintf(buf, len, "its RSS key has %u bytes, not %u", info->hash_key_size,
				LR_STEER_KEY_LEN);
		return buf;
	}
	if ((hf & STEER_RSS_L4) != STEER_RSS_L4 || (hf & STEER_RSS_L3) == 0)
		return "it cannot hash IPv4 TCP/UDP ports and IPv4 fragments";
	return NULL;
}

/* Program the redirection table like lr_steer's and check the key took. @return 0/-errno */
static int
rss_program(uint16_t port_id, uint16_t reta_size)
{
	struct rte_eth_rss_reta_entry64 *conf;
	uint8_t key[LR_STEER_KEY_LEN];
	struct rte_eth_rss_conf kc = { .rss_key = key, .rss_key_len = sizeof(key) };
	uint16_t *tbl;
	unsigned int i;
	int rc;

	conf = calloc(reta_size / RTE_ETH_RETA_GROUP_SIZE + 1, sizeof(*conf));
	tbl = calloc(reta_size, sizeof(*tbl));
	rc = conf == NULL || tbl == NULL ? -ENOMEM : lr_steer_reta_fill(tbl, reta_size);
	for (i = 0; rc == 0 && i < reta_size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = tbl[i];
	}
	if (rc == 0)
		rc = rte_eth_dev_rss_reta_update(port_id, conf, reta_size);
	free(conf);
	free(tbl);
	if (rc != 0)
		return rc;
	/* A PMD that cannot read the key back is believed; one that reads another is not. */
	if (rte_eth_dev_rss_hash_conf_get(port_id, &kc) == 0 &&
			memcmp(key, lr_steer_key(), sizeof(key)) != 0)
		return -EPROTO;
	return 0;
}

int
lr_port_setup(unsigned int n, const struct lr_config *cfg, uint16_t nb_queues,
		enum lr_steer_mode steer_want, struct lr_iface *ifc, struct lr_port_steer *steer,
		char *err, size_t errlen)
{
	const struct lr_port_conf *pc = &cfg->ports[n];
	struct rte_eth_conf conf = {0};
	struct lr_port_mtu_plan mtu;
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port_id, q, nb_rxd = pc->rx_desc, nb_txd = pc->tx_desc;
	enum lr_steer_mode mode = LR_STEER_OFF;
	const char *why;
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
	rc = pick_vlan_offload(n, cfg, &info, &conf, name, err, errlen);
	if (rc != 0)
		return rc;
	/* Fragments, reassembled datagrams and jumbo frames go out as chains. */
	conf.txmode.offloads |= info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	rc = lr_port_mtu_plan(n, pc->mtu, &info, &mtu, err, errlen);
	if (rc != 0)
		return rc;
	mtu_plans[port_id] = mtu;
	conf.rxmode.mtu = mtu.eth_mtu;
	if (mtu.scatter)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	memset(steer, 0, sizeof(*steer));
	if (nb_queues > 1) {
		mode = steer_want;
		why = rss_unusable(&info, steer->why, sizeof(steer->why));
		if (mode == LR_STEER_HW && why != NULL) {
			snprintf(err, errlen, "[worker] steering = hw: %s: %s: set steering = auto "
					"or sw", name, why);
			return -ENOTSUP;
		}
		if (mode == LR_STEER_AUTO)
			mode = why == NULL ? LR_STEER_HW : LR_STEER_SW;
		if (why != NULL && why != steer->why)
			snprintf(steer->why, sizeof(steer->why), "%s", why);
		if (mode == LR_STEER_HW) {
			/* Our key and our hash fields: the NIC computes lr_steer's hash. */
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)lr_steer_key();
			conf.rx_adv_conf.rss_conf.rss_key_len = LR_STEER_KEY_LEN;
			conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
					(STEER_RSS_L3 | STEER_RSS_L4);
		} else if (info.flow_type_rss_offloads != 0) {
			/* Spread the load over the queues; software decides the owner. */
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
					(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
		}
	}
	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc != 0 && conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS && steer_want != LR_STEER_HW) {
		/* The PMD refused RSS as configured: without it, software steers. */
		snprintf(steer->why, sizeof(steer->why), "configure with RSS failed: %s",
				rte_strerror(-rc));
		memset(&conf.rx_adv_conf.rss_conf, 0, sizeof(conf.rx_adv_conf.rss_conf));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
		if (mode == LR_STEER_HW)
			mode = LR_STEER_SW;
		rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	}
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: configure failed: %s", n, name,
				rte_strerror(-rc));
		return rc;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	/* Steering auto may fall back to software even after hardware RSS was chosen. */
	rc = rx_pools_create(n, port_id, cfg, nb_queues, nb_rxd,
			lr_steer_sw_possible(cfg, nb_queues), mtu.rx_buf, err, errlen);
	if (rc != 0)
		return rc;
	for (q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, rte_eth_dev_socket_id(port_id),
				NULL, rx_pools[port_id][q]);
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
	ifc->ip_count = pc->ip_count;
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
	ifc->vlan_id = pc->vlan;
	ifc->rx_vlan_strip = (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
	ifc->tx_vlan_insert = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_VLAN_INSERT) != 0;
	/* A PMD reads what it sends (DMA, or a copy into memif, tap, pcap...); net_ring
	 * hands the mbuf itself to whoever reads the ring, another stack. */
	ifc->tx_ref = info.driver_name != NULL && strcmp(info.driver_name, "net_ring") != 0;

	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%u] %s: start failed: %s", n, name, rte_strerror(-rc));
		return rc;
	}
	if (mode == LR_STEER_HW) {
		rc = rss_program(port_id, info.reta_size);
		if (rc != 0 && steer_want == LR_STEER_HW) {
			snprintf(err, errlen, "[worker] steering = hw: %s: cannot program the RSS "
					"key and redirection table: %s: set steering = auto or sw",
					name, rte_strerror(-rc));
			return rc;
		}
		if (rc != 0) {
			snprintf(steer->why, sizeof(steer->why), "programming the redirection "
					"table failed: %s", rte_strerror(-rc));
			mode = LR_STEER_SW;
		}
	}
	steer->mode = mode;
	steer->reta_size = mode == LR_STEER_HW ? info.reta_size : 0;
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
lr_port_vlan_iface(const struct lr_iface *port_ifc, const struct lr_vlan_conf *vc,
		struct lr_iface *ifc)
{
	*ifc = *port_ifc;
	ifc->vlan_id = vc->vlan;
	ifc->ip = vc->ip;
	ifc->ip_count = vc->ip_count;
	ifc->prefix_len = vc->prefix_len;
	ifc->netmask = vc->prefix_len == 0 ? 0 :
			rte_cpu_to_be_32(UINT32_MAX << (32 - vc->prefix_len));
	ifc->gateway = vc->gateway;
	ifc->nb_mcast = 0;
}

void
lr_port_close(uint16_t port_id)
{
	unsigned int q;

	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
	for (q = 0; port_id < LR_MAX_PORTS && q < LR_MAX_WORKERS; q++) {
		rte_mempool_free(rx_pools[port_id][q]);
		rx_pools[port_id][q] = NULL;
	}
}
