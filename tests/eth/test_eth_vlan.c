/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 802.1Q interfaces through lib/eth (eth_input.c picks the interface by port and VLAN
 * ID, eth_output.c tags what it sends, arp.c keeps the interface of each entry): ARP
 * and ping answered on the VLAN they came from, each VLAN with its own address,
 * unknown VLANs and untagged frames on an all-tagged port dropped and counted, the
 * port's strip and insert offloads taken instead of the frame's tag.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "lr_eth.h"
#include "lr_test.h"

#define V100_IP RTE_IPV4(198u, 18, 100, 2)
#define V100_PEER RTE_IPV4(198u, 18, 100, 1)
#define V200_IP RTE_IPV4(198u, 18, 200, 2)
#define V200_PEER RTE_IPV4(198u, 18, 200, 1)

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;

/* Add an interface on port 0, VLAN vid, address ip/24 (host order). */
static void
add_vlan(uint16_t vid, uint32_t ip)
{
	struct lr_iface ifc = *lr_iface_get(0);

	ifc.vlan_id = vid;
	ifc.ip = rte_cpu_to_be_32(ip);
	ifc.ip_count = 1;
	CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
}

/* Tag a frame built by the helpers with VLAN vid (priority pcp). */
static struct rte_mbuf *
tagged(struct rte_mbuf *m, uint16_t vid, uint8_t pcp)
{
	m->vlan_tci = (uint16_t)(vid | pcp << 13);
	CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
	return m;
}

/* An ICMP echo request from src to dst (host order). */
static struct rte_mbuf *
ping(uint32_t src, uint32_t dst, uint16_t seq)
{
	struct rte_mbuf *m = lr_test_icmp_echo(7, seq, "ping", 4);
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);

	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	lr_test_ip_recksum(m);
	return m;
}

/* An ARP request from the peer's MAC for tip, from sip (host order). */
static struct rte_mbuf *
arp_req(uint32_t sip, uint32_t tip)
{
	return lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &lr_test_peer_mac, sip, &zero_mac, tip);
}

/*
 * The VLAN ID of sent frame i (-1 untagged), the tag removed so that lr_test_parse()
 * reads the rest; a tag the port is to insert (RTE_MBUF_F_TX_VLAN) counts as -2 - vid.
 */
static int
tx_vlan(unsigned int i, struct lr_test_parsed *p)
{
	struct rte_mbuf *m = lr_test_tx_get(i);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	int vid = -1;

	if (m->ol_flags & RTE_MBUF_F_TX_VLAN) {
		vid = -2 - (m->vlan_tci & RTE_VLAN_ID_MASK);
	} else if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		CU_ASSERT_EQUAL(m->l2_len, RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr));
		CU_ASSERT_EQUAL_FATAL(rte_vlan_strip(m), 0);
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
	}
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, p), 0);
	return vid;
}

/* Sent frame i: an echo reply from src to dst (host order) on VLAN vid. */
static void
assert_echo_reply(unsigned int i, int vid, uint32_t src, uint32_t dst)
{
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL(tx_vlan(i, &p), vid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(p.icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), src);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), dst);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
}

struct vlan_of_ctx {
	rte_be32_t ip;
	int vlan;
};

static int
vlan_of_cb(const struct lr_arp_entry_info *e, void *arg)
{
	struct vlan_of_ctx *c = arg;

	if (e->ip == c->ip && e->state != LR_ARP_INCOMPLETE)
		c->vlan = e->vlan_id;
	return 0;
}

/* The VLAN of ip's resolved ARP entry, -1 if none. */
static int
arp_vlan_of(uint32_t ip)
{
	struct vlan_of_ctx c = { rte_cpu_to_be_32(ip), -1 };

	lr_arp_walk(lr_tw, vlan_of_cb, &c);
	return c.vlan;
}

static void
test_vlan_arp_request_answered_tagged_and_learned_on_its_vlan(void)
{
	struct lr_test_parsed p;

	add_vlan(100, V100_IP);
	lr_test_rx(tagged(arp_req(V100_PEER, V100_IP), 100, 0));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(tx_vlan(0, &p), 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REPLY);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_sip), V100_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), V100_PEER);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_EQUAL(arp_vlan_of(V100_PEER), 100);
	CU_ASSERT_EQUAL(arp_vlan_of(LR_TEST_PEER_IP), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX_VLAN), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_VLAN), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Two VLANs and the untagged interface on one port: each answers with its own
 * address and tag. */
static void
test_vlan_ping_answered_on_each_vlan_with_its_address(void)
{
	add_vlan(100, V100_IP);
	add_vlan(200, V200_IP);
	lr_test_rx(tagged(arp_req(V100_PEER, V100_IP), 100, 0));
	lr_test_rx(tagged(arp_req(V200_PEER, V200_IP), 200, 0));
	lr_test_tx_clear();
	lr_test_rx(tagged(ping(V100_PEER, V100_IP, 1), 100, 0));
	lr_test_rx(tagged(ping(V200_PEER, V200_IP, 2), 200, 0));
	lr_test_rx(ping(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 3));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 3);
	assert_echo_reply(0, 100, V100_IP, V100_PEER);
	assert_echo_reply(1, 200, V200_IP, V200_PEER);
	assert_echo_reply(2, -1, LR_TEST_OUR_IP, LR_TEST_PEER_IP);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX_VLAN), 4);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_VLAN), 4);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A VLAN ID the port has no interface on, with or without others: dropped, counted,
 * unanswered. */
static void
test_vlan_unknown_vid_dropped_and_counted(void)
{
	lr_test_rx(tagged(ping(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 1), 300, 0));
	add_vlan(100, V100_IP);
	lr_test_rx(tagged(ping(V100_PEER, V100_IP, 2), 300, 0));
	lr_test_rx(tagged(arp_req(V100_PEER, V100_IP), 4095, 0));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_VLAN), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_RX_REQUEST), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* The port's own interface tagged (vlan = 100): untagged frames are not its. */
static void
test_vlan_untagged_dropped_on_all_tagged_port(void)
{
	struct lr_iface ifc = *lr_iface_get(0);

	lr_iface_reset();
	ifc.vlan_id = 100;
	CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
	lr_test_rx(ping(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 1));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNTAGGED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_PORT), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	/* the same frame tagged 100 is answered, tagged (the peer's entry is slot 0's) */
	lr_test_rx(tagged(ping(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 2), 100, 0));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_echo_reply(0, 100, LR_TEST_OUR_IP, LR_TEST_PEER_IP);
	LR_TEST_ASSERT_NO_LEAK();
}

/* 802.1p: a priority tag (VID 0) belongs to the untagged interface; the PCP bits of a
 * tagged frame do not change its VLAN. */
static void
test_vlan_priority_tag_is_untagged_pcp_ignored(void)
{
	add_vlan(100, V100_IP);
	lr_test_rx(tagged(arp_req(V100_PEER, V100_IP), 100, 5));
	lr_test_tx_clear();
	lr_test_rx(tagged(ping(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 1), 0, 3));
	lr_test_rx(tagged(ping(V100_PEER, V100_IP, 2), 100, 7));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 2);
	assert_echo_reply(0, -1, LR_TEST_OUR_IP, LR_TEST_PEER_IP);
	assert_echo_reply(1, 100, V100_IP, V100_PEER);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A frame cut inside its tag. */
static void
test_vlan_truncated_tag_dropped(void)
{
	uint8_t b[RTE_ETHER_HDR_LEN + 2];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;

	memset(b, 0, sizeof(b));
	eh->dst_addr = lr_test_our_mac;
	eh->src_addr = lr_test_peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	lr_test_rx(lr_test_frame(b, sizeof(b)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TRUNCATED), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * Offloads: a frame whose tag the port stripped (RTE_MBUF_F_RX_VLAN_STRIPPED, VID in
 * m->vlan_tci, untagged bytes) reaches its VLAN's interface; with insert offered the
 * reply carries RTE_MBUF_F_TX_VLAN and the VID instead of a tag in its bytes.
 */
static void
test_vlan_stripped_rx_and_hw_insert_tx(void)
{
	struct rte_mbuf *m;

	add_vlan(100, V100_IP);
	lr_ifaces[lr_iface_vlan(0, 100)->idx].tx_vlan_insert = true;
	m = arp_req(V100_PEER, V100_IP);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 100;
	lr_test_rx(m);
	lr_test_tx_clear();
	m = ping(V100_PEER, V100_IP, 1);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 100 | 2 << 13;
	lr_test_rx(m);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(lr_test_tx_get(0)->l2_len, RTE_ETHER_HDR_LEN);
	assert_echo_reply(0, -2 - 100, V100_IP, V100_PEER);
	/* a stripped VID we do not have */
	m = ping(V100_PEER, V100_IP, 2);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 101;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNKNOWN_VLAN), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX_VLAN), 3);
	LR_TEST_ASSERT_NO_LEAK();
}

/* lr_iface_add(): one interface per port and VLAN ID, the port's own slot first. */
static void
test_vlan_iface_slots(void)
{
	struct lr_iface ifc = *lr_iface_get(0);
	unsigned int i;

	add_vlan(100, V100_IP);
	CU_ASSERT_PTR_EQUAL(lr_iface_vlan(0, 0), lr_iface_get(0));
	CU_ASSERT_EQUAL(lr_iface_vlan(0, 100)->idx, LR_MAX_PORTS);
	CU_ASSERT_PTR_NULL(lr_iface_vlan(0, 101));
	CU_ASSERT_PTR_NULL(lr_iface_vlan(1, 100));
	CU_ASSERT_PTR_NULL(lr_iface_vlan(LR_MAX_PORTS, 0));
	CU_ASSERT_PTR_EQUAL(lr_iface_by_ip(rte_cpu_to_be_32(V100_IP)), lr_iface_vlan(0, 100));
	CU_ASSERT_PTR_EQUAL(lr_iface_mine(lr_tw, rte_cpu_to_be_32(V100_IP)),
			lr_iface_vlan(0, 100));
	CU_ASSERT_PTR_EQUAL(lr_iface_route(lr_tw, rte_cpu_to_be_32(V100_PEER), NULL),
			lr_iface_vlan(0, 100));
	/* the same VLAN again replaces it */
	add_vlan(100, V200_IP);
	CU_ASSERT_EQUAL(lr_iface_vlan(0, 100)->idx, LR_MAX_PORTS);
	CU_ASSERT_PTR_NULL(lr_iface_by_ip(rte_cpu_to_be_32(V100_IP)));
	ifc.vlan_id = LR_VLAN_ID_MAX + 1;
	CU_ASSERT_EQUAL(lr_iface_add(&ifc), -EINVAL);
	for (i = 1; i < LR_MAX_VLANS; i++)
		add_vlan((uint16_t)(100 + i), RTE_IPV4(198u, 19, i, 2));
	ifc.vlan_id = 4000;
	CU_ASSERT_EQUAL(lr_iface_add(&ifc), -ENOSPC);
	CU_ASSERT_EQUAL(lr_iface_end, LR_MAX_IFACES);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_vlan_arp_request_answered_tagged_and_learned_on_its_vlan",
		test_vlan_arp_request_answered_tagged_and_learned_on_its_vlan},
	{"test_vlan_ping_answered_on_each_vlan_with_its_address",
		test_vlan_ping_answered_on_each_vlan_with_its_address},
	{"test_vlan_unknown_vid_dropped_and_counted", test_vlan_unknown_vid_dropped_and_counted},
	{"test_vlan_untagged_dropped_on_all_tagged_port",
		test_vlan_untagged_dropped_on_all_tagged_port},
	{"test_vlan_priority_tag_is_untagged_pcp_ignored",
		test_vlan_priority_tag_is_untagged_pcp_ignored},
	{"test_vlan_truncated_tag_dropped", test_vlan_truncated_tag_dropped},
	{"test_vlan_stripped_rx_and_hw_insert_tx", test_vlan_stripped_rx_and_hw_insert_tx},
	{"test_vlan_iface_slots", test_vlan_iface_slots},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"eth_vlan", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
