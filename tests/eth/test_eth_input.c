/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/eth/eth_input.c: MAC filter and EtherType dispatch.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "lr_eth.h"
#include "lr_test.h"

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr stranger_mac = {{0x02, 0x99, 0x00, 0x00, 0x00, 0x07}};

/* No frame left and no drop counted in any layer. */
static void
assert_no_drops(void)
{
	enum lr_stat_id id;

	for (id = 0; id < LR_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_stats_desc(id);

		if (d->kind == LR_STAT_KIND_DROP && lr_test_stat(id) != 0)
			CU_FAIL("unexpected drop counted");
	}
}

static void
test_eth_frame_for_our_mac_accepted(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct lr_test_parsed p;

	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOT_FOR_US), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);  /* the echo reply */
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL(p.icmp);
	assert_no_drops();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_broadcast_accepted(void)
{
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &stranger_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_RX_REQUEST), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	assert_no_drops();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_other_unicast_mac_not_for_us(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = stranger_mac;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOT_FOR_US), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_unjoined_multicast_not_for_us(void)
{
	static const struct rte_ether_addr mc = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = mc;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOT_FOR_US), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_joined_multicast_accepted(void)
{
	static const struct rte_ether_addr mc = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	lr_ifaces[0].mcast[0] = mc;
	lr_ifaces[0].nb_mcast = 1;
	eth->dst_addr = mc;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOT_FOR_US), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_truncated_frame_dropped(void)
{
	uint8_t b[RTE_ETHER_HDR_LEN - 1];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;

	memset(b, 0, sizeof(b));
	memcpy(&eth->dst_addr, &lr_test_our_mac, RTE_ETHER_ADDR_LEN);
	lr_test_rx(lr_test_frame(b, sizeof(b)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TRUNCATED), 1);
	lr_test_rx(lr_test_frame(b, 0));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TRUNCATED), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_unknown_ethertype_dropped(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_TYPE), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A tagged frame on a port without VLAN interfaces: its VLAN is not ours. */
static void
test_eth_vlan_tagged_frame_unknown_vlan(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);

	m->vlan_tci = 100;
	CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX_VLAN), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_VLAN), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_frame_on_port_without_interface_dropped(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);

	m->port = 5;
	lr_eth_input(lr_tw, m);
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_PORT), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);

	m = lr_test_icmp_echo(1, 1, "ping", 4);
	m->port = RTE_MBUF_PORT_INVALID;
	lr_eth_input(lr_tw, m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_PORT), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_input_burst_handles_every_frame(void)
{
	struct rte_mbuf *pkts[5];
	unsigned int i;

	for (i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = lr_test_icmp_echo(1, i, "ping", 4);
	pkts[2]->port = 6; /* one on a port without interface */
	lr_eth_input_burst(lr_tw, pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_PORT), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 4);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 4);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_eth_send_prepends_header(void)
{
	struct rte_mbuf *m = lr_test_data("payload!", 8);
	struct rte_ether_hdr *eth;

	lr_eth_send(lr_tw, m, lr_iface_get(0), &lr_test_peer_mac, 0x88b5);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	m = lr_test_tx_get(0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), RTE_ETHER_HDR_LEN + 8);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(eth->ether_type), 0x88b5);
	CU_ASSERT_EQUAL(memcmp(eth + 1, "payload!", 8), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_eth_frame_for_our_mac_accepted", test_eth_frame_for_our_mac_accepted},
	{"test_eth_broadcast_accepted", test_eth_broadcast_accepted},
	{"test_eth_other_unicast_mac_not_for_us", test_eth_other_unicast_mac_not_for_us},
	{"test_eth_unjoined_multicast_not_for_us", test_eth_unjoined_multicast_not_for_us},
	{"test_eth_joined_multicast_accepted", test_eth_joined_multicast_accepted},
	{"test_eth_truncated_frame_dropped", test_eth_truncated_frame_dropped},
	{"test_eth_unknown_ethertype_dropped", test_eth_unknown_ethertype_dropped},
	{"test_eth_vlan_tagged_frame_unknown_vlan", test_eth_vlan_tagged_frame_unknown_vlan},
	{"test_eth_frame_on_port_without_interface_dropped",
		test_eth_frame_on_port_without_interface_dropped},
	{"test_eth_input_burst_handles_every_frame", test_eth_input_burst_handles_every_frame},
	{"test_eth_send_prepends_header", test_eth_send_prepends_header},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"eth_input", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
