/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/daemon/port_mtu.c: what a port needs for its [port.N] mtu, from device info shaped
 * like net_tap's, net_pcap's, net_memif's and a jumbo-capable NIC's (as DPDK 22.11
 * reports them), and the RX pool sizing that follows (mempools.c).
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "config.h"
#include "lr_test.h"
#include "mempools.h"
#include "port_mtu.h"

#ifndef LR_SOURCE_DIR
#define LR_SOURCE_DIR ".."
#endif

static char err[512];

/* net_tap: max_rx_pktlen 1522 whatever it carries, max_mtu unset, scatter and
 * multi-segment TX. */
static struct rte_eth_dev_info
tap_info(void)
{
	struct rte_eth_dev_info i = {0};

	i.driver_name = "net_tap";
	i.min_mtu = RTE_ETHER_MIN_MTU;
	i.max_mtu = UINT16_MAX;
	i.max_rx_pktlen = RTE_ETHER_MAX_VLAN_FRAME_LEN;
	i.rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	i.tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	return i;
}

/* A NIC carrying frames of 9728 bytes with 26 bytes of L2 overhead. */
static struct rte_eth_dev_info
nic_info(void)
{
	struct rte_eth_dev_info i = {0};

	i.driver_name = "net_nic";
	i.min_mtu = RTE_ETHER_MIN_MTU;
	i.max_rx_pktlen = 9728;
	i.max_mtu = 9728 - 26;
	i.rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	i.tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return i;
}

/* net_pcap: no frame limit, no scatter nor multi-segment TX advertised. */
static struct rte_eth_dev_info
pcap_info(void)
{
	struct rte_eth_dev_info i = {0};

	i.driver_name = "net_pcap";
	i.min_mtu = RTE_ETHER_MIN_MTU;
	i.max_mtu = UINT16_MAX;
	i.max_rx_pktlen = UINT32_MAX;
	return i;
}

static int
plan(uint16_t mtu, const struct rte_eth_dev_info *i, struct lr_port_mtu_plan *p)
{
	err[0] = '\0';
	return lr_port_mtu_plan(1, mtu, i, p, err, sizeof(err));
}

/* MTU 1500 on any port: one buffer a frame, nothing to enable. */
static void
test_port_mtu_1500_needs_nothing(void)
{
	struct rte_eth_dev_info t = tap_info(), n = nic_info();
	struct lr_port_mtu_plan p;

	CU_ASSERT_EQUAL(plan(1500, &t, &p), 0);
	CU_ASSERT_EQUAL(p.eth_mtu, 1500);
	CU_ASSERT_FALSE(p.scatter);
	CU_ASSERT_EQUAL(p.rx_segs, 1);
	CU_ASSERT_EQUAL(p.rx_buf, RTE_MBUF_DEFAULT_BUF_SIZE);
	CU_ASSERT_EQUAL(plan(1500, &n, &p), 0);
	CU_ASSERT_EQUAL(p.frame, 1526);
	CU_ASSERT_FALSE(p.scatter);
}

/* net_tap reports max_rx_pktlen 1522 (and its TX drops longer frames): MTU 9000 is
 * refused with the MTU it allows, one line. */
static void
test_port_mtu_tap_9000_refused(void)
{
	struct rte_eth_dev_info t = tap_info();
	struct lr_port_mtu_plan p;

	CU_ASSERT_EQUAL(plan(9000, &t, &p), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "[port.1] mtu: bad value '9000': net_tap receives frames of "
			"at most 1522 bytes (dev_info max_rx_pktlen), an MTU of at most 1504");
	CU_ASSERT_EQUAL(plan(1504, &t, &p), 0);
	CU_ASSERT_EQUAL(plan(1505, &t, &p), -EINVAL);
}

/* net_pcap at 9000: larger RX buffers (it chains nothing it is not asked to), chains
 * out (it copies them into its 16128-byte buffer); frames above that refused. */
static void
test_port_mtu_pcap_9000_large_buffers(void)
{
	struct rte_eth_dev_info c = pcap_info();
	struct lr_port_mtu_plan p;

	CU_ASSERT_EQUAL(plan(9000, &c, &p), 0);
	CU_ASSERT_EQUAL(p.frame, 9018);
	CU_ASSERT_EQUAL(p.eth_mtu, 9000);
	CU_ASSERT_FALSE(p.scatter);
	CU_ASSERT_TRUE(p.tx_multiseg);
	CU_ASSERT_EQUAL(p.rx_segs, 1);
	CU_ASSERT_EQUAL(p.rx_buf, RTE_PKTMBUF_HEADROOM + 9024);
	CU_ASSERT_EQUAL(plan(16110, &c, &p), 0);
	CU_ASSERT_EQUAL(plan(16111, &c, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "net_pcap has no multi-segment TX"));
}

/* A NIC: its own overhead, rxmode.mtu set; above its max_mtu refused naming it. */
static void
test_port_mtu_nic_limits(void)
{
	struct rte_eth_dev_info n = nic_info();
	struct lr_port_mtu_plan p;

	CU_ASSERT_EQUAL(plan(9000, &n, &p), 0);
	CU_ASSERT_EQUAL(p.frame, 9026);
	CU_ASSERT_EQUAL(p.eth_mtu, 9000);
	CU_ASSERT_TRUE(p.scatter);
	CU_ASSERT_EQUAL(plan(9702, &n, &p), 0);
	CU_ASSERT_EQUAL(plan(9703, &n, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "[port.1] mtu: bad value '9703'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "68..9702"));
	n.min_mtu = 1280;
	CU_ASSERT_EQUAL(plan(576, &n, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "min_mtu"));
}

/* A port whose frames stop at max_rx_pktlen (net_memif's 1518): the MTU it allows. */
static void
test_port_mtu_above_max_rx_pktlen_refused(void)
{
	struct rte_eth_dev_info m = {0};
	struct lr_port_mtu_plan p;

	m.driver_name = "net_memif";
	m.min_mtu = RTE_ETHER_MIN_MTU;
	m.max_mtu = UINT16_MAX;
	m.max_rx_pktlen = RTE_ETHER_MAX_LEN;
	m.tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	CU_ASSERT_EQUAL(plan(9000, &m, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "[port.1] mtu: bad value '9000'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "max_rx_pktlen"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 1500"));
	CU_ASSERT_EQUAL(plan(1500, &m, &p), 0);
	CU_ASSERT_EQUAL(strchr(err, '\n'), NULL);
}

/* Frames above one buffer leave as chains: a port without multi-segment TX is
 * limited to one 2048-byte buffer. */
static void
test_port_mtu_without_multiseg_tx_refused(void)
{
	struct rte_eth_dev_info n = nic_info();
	struct lr_port_mtu_plan p;

	n.tx_offload_capa = 0;
	CU_ASSERT_EQUAL(plan(9000, &n, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "multi-segment TX"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 2022"));
	CU_ASSERT_EQUAL(plan(2022, &n, &p), 0);
	CU_ASSERT_EQUAL(plan(2023, &n, &p), -EINVAL);
}

/* No RX scatter: one larger buffer a frame (headroom + frame, cache-line rounded). */
static void
test_port_mtu_without_scatter_uses_large_rx_buffers(void)
{
	struct rte_eth_dev_info n = nic_info();
	struct lr_port_mtu_plan p;

	n.rx_offload_capa = 0;
	CU_ASSERT_EQUAL(plan(9000, &n, &p), 0);
	CU_ASSERT_FALSE(p.scatter);
	CU_ASSERT_EQUAL(p.rx_segs, 1);
	CU_ASSERT_EQUAL(p.rx_buf, RTE_PKTMBUF_HEADROOM + RTE_ALIGN_CEIL(9026, RTE_CACHE_LINE_SIZE));
}

/* The RX pools count a held jumbo frame as the buffers it takes. */
static void
test_rx_mbufs_need_counts_jumbo_frames_as_chains(void)
{
	static struct lr_config cfg;
	struct lr_rx_need n1500, n9000;
	char path[512], msg[512];
	char *set[] = { "port.0.mtu=9000" };

	CU_ASSERT_EQUAL(lr_rx_frame_segs(1500), 1);
	CU_ASSERT_EQUAL(lr_rx_frame_segs(2026), 1);
	CU_ASSERT_EQUAL(lr_rx_frame_segs(2027), 2);
	CU_ASSERT_EQUAL(lr_rx_frame_segs(9000), 5);
	snprintf(path, sizeof(path), "%s/pmd_config/tap.ini", LR_SOURCE_DIR);
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, path, NULL, 0, msg, sizeof(msg)), 0);
	lr_rx_mbufs_need(&cfg, 0, 1024, 1, false, &n1500);
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, path, set, 1, msg, sizeof(msg)), 0);
	lr_rx_mbufs_need(&cfg, 0, 1024, 1, false, &n9000);
	CU_ASSERT_EQUAL(n9000.segs, 5);
	CU_ASSERT_EQUAL(n9000.rx_ring, n1500.rx_ring);
	/* descriptors count buffers; a held frame (TX hold) is a chain of 5 */
	CU_ASSERT_EQUAL(n9000.tx_rings, n1500.tx_rings + 4 * cfg.tx_hold);
	CU_ASSERT_EQUAL(n9000.bursts, 5 * n1500.bursts);
	CU_ASSERT_EQUAL(n9000.total, n1500.total + 4 * n1500.bursts + 4 * cfg.tx_hold);
}

static const CU_TestInfo cases[] = {
	{"test_port_mtu_1500_needs_nothing", test_port_mtu_1500_needs_nothing},
	{"test_port_mtu_tap_9000_refused", test_port_mtu_tap_9000_refused},
	{"test_port_mtu_pcap_9000_large_buffers", test_port_mtu_pcap_9000_large_buffers},
	{"test_port_mtu_nic_limits", test_port_mtu_nic_limits},
	{"test_port_mtu_above_max_rx_pktlen_refused", test_port_mtu_above_max_rx_pktlen_refused},
	{"test_port_mtu_without_multiseg_tx_refused", test_port_mtu_without_multiseg_tx_refused},
	{"test_port_mtu_without_scatter_uses_large_rx_buffers",
		test_port_mtu_without_scatter_uses_large_rx_buffers},
	{"test_rx_mbufs_need_counts_jumbo_frames_as_chains",
		test_rx_mbufs_need_counts_jumbo_frames_as_chains},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"port_mtu", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
