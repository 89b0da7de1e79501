/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ip/ip_output.c: header building, routing to a next hop, checksums and their
 * offload, fragmentation for the MTU.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN
#define PROTO_TEST 253 /* RFC 3692 experimentation */

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr gw_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0xfe}};
#define GW_IP RTE_IPV4(198u, 18, 0, 254)
#define FAR_IP RTE_IPV4(203u, 0, 113, 7)

static void
output_raw(uint32_t dst, const void *data, uint16_t len)
{
	lr_ip_output(lr_tw, lr_test_data(data, len), rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_32(dst), PROTO_TEST);
	lr_worker_flush(lr_tw);
}

/* A UDP header + payload, checksum left to lr_ip_output. */
static struct rte_mbuf *
udp_seg(const void *data, uint16_t len, uint16_t garbage_cksum)
{
	uint8_t b[2048];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)b;
	struct rte_mbuf *m;

	RTE_VERIFY(len <= sizeof(b) - sizeof(*u));
	u->src_port = rte_cpu_to_be_16(1111);
	u->dst_port = rte_cpu_to_be_16(2222);
	u->dgram_len = rte_cpu_to_be_16(sizeof(*u) + len);
	u->dgram_cksum = garbage_cksum;
	memcpy(u + 1, data, len);
	m = lr_test_data(b, sizeof(*u) + len);
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
	return m;
}

static void
test_ip_output_header_fields(void)
{
	struct lr_test_parsed p;
	uint16_t fo;

	output_raw(LR_TEST_PEER_IP, "12345678", 8);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(p.ip->version_ihl, 0x45);
	CU_ASSERT_EQUAL(p.ip->type_of_service, 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 28);
	fo = rte_be_to_cpu_16(p.ip->fragment_offset);
	CU_ASSERT_EQUAL(fo & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK), 0);
	CU_ASSERT_EQUAL(fo & 0x8000, 0); /* reserved bit */
	CU_ASSERT_EQUAL(p.ip->time_to_live, 64);
	CU_ASSERT_EQUAL(p.ip->next_proto_id, PROTO_TEST);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_EQUAL(p.payload_len, 8);
	CU_ASSERT_EQUAL(memcmp(p.payload, "12345678", 8), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 28);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_TX), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_ttl_from_config(void)
{
	struct lr_ip_conf c = *lr_ip_config();
	struct lr_test_parsed p;

	c.ttl = 33;
	lr_ip_configure(&c);
	output_raw(LR_TEST_PEER_IP, "x", 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
	CU_ASSERT_EQUAL(p.ip->time_to_live, 33);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_ids_differ_unless_atomic(void)
{
	struct lr_test_parsed p;
	uint16_t id[2], fo[2];
	unsigned int i;

	output_raw(LR_TEST_PEER_IP, "a", 1);
	output_raw(LR_TEST_PEER_IP, "b", 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 2);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		id[i] = rte_be_to_cpu_16(p.ip->packet_id);
		fo[i] = rte_be_to_cpu_16(p.ip->fragment_offset);
	}
	/* RFC 6864 4.1: a non-atomic datagram's id must not repeat within MSL. */
	if (!(fo[0] & RTE_IPV4_HDR_DF_FLAG) || !(fo[1] & RTE_IPV4_HDR_DF_FLAG)) {
		CU_ASSERT_NOT_EQUAL(id[0], id[1]);
	}
	LR_TEST_ASSERT_NO_LEAK();
}

/* TCP datagrams are atomic (RFC 6864): DF set. Their ids come from a counter per
 * destination (keyed hash), not one sequence across destinations: interleaving
 * two packets to each of 8 hosts, each host still sees consecutive ids, which a
 * global counter (id, id+1, id+2, ...) would never give. */
static void
test_ip_output_tcp_df_and_ids_per_destination(void)
{
	static const struct rte_ether_addr mac = {{0x02, 0x4c, 0x52, 0x00, 0x01, 0x00}};
	enum { NB = 8 };
	uint8_t tcp[20] = { [12] = 0x50 };   /* a bare TCP header, data offset 5 */
	uint16_t id[2][NB];
	struct lr_test_parsed p;
	unsigned int i, r, consecutive = 0;

	for (i = 0; i < NB; i++)
		lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &mac,
				RTE_IPV4(198u, 18, 0, 100 + i), &bcast, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	for (r = 0; r < 2; r++)
		for (i = 0; i < NB; i++) {
			lr_ip_output(lr_tw, lr_test_data(tcp, sizeof(tcp)),
					rte_cpu_to_be_32(LR_TEST_OUR_IP),
					rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 100 + i)),
					IPPROTO_TCP);
			lr_worker_flush(lr_tw);
			CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), r * NB + i + 1);
			CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(r * NB + i), &p), 0);
			CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->fragment_offset),
					RTE_IPV4_HDR_DF_FLAG);
			CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
			id[r][i] = rte_be_to_cpu_16(p.ip->packet_id);
		}
	for (i = 0; i < NB; i++)
		consecutive += id[1][i] == (uint16_t)(id[0][i] + 1);
	/* all 8, unless two hosts share a counter (hash collision, about 1.4 %) */
	CU_ASSERT(consecutive >= NB - 2);
	LR_TEST_ASSERT_NO_LEAK();
}

/* UDP (may be fragmented on the way) is not atomic: no DF, and ids to one host
 * do not repeat. */
static void
test_ip_output_udp_no_df_unique_ids(void)
{
	struct lr_test_parsed p;
	uint16_t id[3];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		lr_ip_output(lr_tw, udp_seg("u", 1, 0), rte_cpu_to_be_32(LR_TEST_OUR_IP),
				rte_cpu_to_be_32(LR_TEST_PEER_IP), IPPROTO_UDP);
		lr_worker_flush(lr_tw);
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->fragment_offset), 0);
		id[i] = rte_be_to_cpu_16(p.ip->packet_id);
	}
	CU_ASSERT_EQUAL(id[1], (uint16_t)(id[0] + 1));
	CU_ASSERT_EQUAL(id[2], (uint16_t)(id[0] + 2));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_zero_source_picks_interface_address(void)
{
	struct lr_test_parsed p;

	lr_ip_output(lr_tw, lr_test_data("s", 1), 0, rte_cpu_to_be_32(LR_TEST_PEER_IP),
			PROTO_TEST);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_off_subnet_without_gateway_no_route(void)
{
	output_raw(FAR_IP, "x", 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_NO_ROUTE), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_off_subnet_goes_to_gateway(void)
{
	struct lr_test_parsed p;

	lr_ifaces[0].gateway = rte_cpu_to_be_32(GW_IP);
	output_raw(FAR_IP, "far", 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_NO_ROUTE), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &bcast));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REQUEST);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), GW_IP);
	lr_test_tx_clear();

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &gw_mac, GW_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &gw_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), FAR_IP);
	CU_ASSERT_EQUAL(memcmp(p.payload, "far", 3), 0);
	lr_test_tx_clear();

	/* On-link destinations still go direct. */
	output_raw(LR_TEST_PEER_IP, "near", 4);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_udp_checksum_computed_in_software(void)
{
	struct lr_test_parsed p;

	lr_ip_output(lr_tw, udp_seg("checksum", 8, 0xbeef), rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_32(LR_TEST_PEER_IP), IPPROTO_UDP);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_NOT_EQUAL(p.udp->dgram_cksum, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(lr_test_tx_get(0)->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_checksums_offloaded_when_port_can(void)
{
	struct rte_mbuf *m;
	struct lr_test_parsed p;
	struct rte_ipv4_hdr ip;

	lr_ifaces[0].tx_ip_cksum = true;
	lr_ifaces[0].tx_l4_cksum = true;
	lr_ip_output(lr_tw, udp_seg("offload!", 8, 0xbeef), rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_32(LR_TEST_PEER_IP), IPPROTO_UDP);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	m = lr_test_tx_get(0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_UDP_CKSUM);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_IPV4) != 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) != 0);
	CU_ASSERT_EQUAL(m->l2_len, ETH_LEN);
	CU_ASSERT_EQUAL(m->l3_len, 20);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	/* the port finishes the sum: the field holds the pseudo-header sum */
	memcpy(&ip, p.ip, sizeof(ip));
	CU_ASSERT_EQUAL(p.udp->dgram_cksum, rte_ipv4_phdr_cksum(&ip, m->ol_flags));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_fragments_for_small_mtu(void)
{
	static uint8_t data[3000], got[3000];
	struct lr_test_parsed p;
	unsigned int i, n, total = 0;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i ^ (i >> 7);
	lr_ifaces[0].mtu = 576;
	output_raw(LR_TEST_PEER_IP, data, sizeof(data));
	n = lr_test_tx_count();
	CU_ASSERT(n >= 6);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TX), n);
	for (i = 0; i < n; i++) {
		uint16_t fo, off, len;

		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
		CU_ASSERT(rte_be_to_cpu_16(p.ip->total_length) <= 576);
		CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
		fo = rte_be_to_cpu_16(p.ip->fragment_offset);
		off = (fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		len = rte_be_to_cpu_16(p.ip->total_length) - 20;
		CU_ASSERT_FATAL(off + len <= sizeof(got));
		CU_ASSERT_EQUAL((fo & RTE_IPV4_HDR_MF_FLAG) != 0, i + 1 < n);
		memcpy(got + off, (uint8_t *)p.ip + 20, len);
		total += len;
	}
	CU_ASSERT_EQUAL(total, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(got, data, sizeof(data)), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_oversized_fragments_or_fails_without_leak(void)
{
	static uint8_t data[20000];

	lr_ifaces[0].mtu = 576;
	output_raw(LR_TEST_PEER_IP, data, sizeof(data));
	if (lr_test_stat(LR_STAT_ip_FRAG_FAILED) == 0) {
		CU_ASSERT(lr_test_tx_count() >= 20000 / 552 + 1);
	} else {
		CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	}
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_output_multi_segment_udp_checksum(void)
{
	static uint8_t data[1400];
	struct rte_mbuf *m, *tail;
	struct lr_test_parsed p;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 13;
	/* UDP header + 700 bytes in one segment, 700 in a second */
	m = udp_seg(data, 700, 0);
	tail = lr_test_data(data + 700, 700);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, tail), 0);
	rte_pktmbuf_mtod(m, struct rte_udp_hdr *)->dgram_len = rte_cpu_to_be_16(8 + 1400);
	lr_ip_output(lr_tw, m, rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_32(LR_TEST_PEER_IP), IPPROTO_UDP);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(p.payload_len, 1400);
	CU_ASSERT_EQUAL(memcmp(p.payload, data, 1400), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_ip_output_header_fields", test_ip_output_header_fields},
	{"test_ip_output_ttl_from_config", test_ip_output_ttl_from_config},
	{"test_ip_output_ids_differ_unless_atomic", test_ip_output_ids_differ_unless_atomic},
	{"test_ip_output_tcp_df_and_ids_per_destination",
		test_ip_output_tcp_df_and_ids_per_destination},
	{"test_ip_output_udp_no_df_unique_ids", test_ip_output_udp_no_df_unique_ids},
	{"test_ip_output_zero_source_picks_interface_address",
		test_ip_output_zero_source_picks_interface_address},
	{"test_ip_output_off_subnet_without_gateway_no_route",
		test_ip_output_off_subnet_without_gateway_no_route},
	{"test_ip_output_off_subnet_goes_to_gateway", test_ip_output_off_subnet_goes_to_gateway},
	{"test_ip_output_udp_checksum_computed_in_software",
		test_ip_output_udp_checksum_computed_in_software},
	{"test_ip_output_checksums_offloaded_when_port_can",
		test_ip_output_checksums_offloaded_when_port_can},
	{"test_ip_output_fragments_for_small_mtu", test_ip_output_fragments_for_small_mtu},
	{"test_ip_output_oversized_fragments_or_fails_without_leak",
		test_ip_output_oversized_fragments_or_fails_without_leak},
	{"test_ip_output_multi_segment_udp_checksum", test_ip_output_multi_segment_udp_checksum},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"ip_output", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
