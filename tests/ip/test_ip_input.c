/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ip/ip_input.c: RFC 1812 5.2.2 validation, local delivery, protocol dispatch,
 * and hostile input.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN

/* A UDP datagram to the discard port: delivered and consumed without a reply. */
static struct rte_mbuf *
discard_frame(void)
{
	return lr_test_udp(40000, 9, "xxxxxxxx", 8);
}

static void
assert_not_delivered(void)
{
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
}

/* Sum of every drop counter. */
static uint64_t
total_drops(void)
{
	uint64_t n = 0;
	enum lr_stat_id id;

	for (id = 0; id < LR_STAT_MAX; id++)
		if (lr_stats_desc(id)->kind == LR_STAT_KIND_DROP)
			n += lr_test_stat(id);
	return n;
}

/*
 * Ethernet + IPv4 with ihl words of header (options after the 20 fixed bytes) + a UDP
 * datagram with a valid checksum.
 */
static struct rte_mbuf *
udp_with_options(const uint8_t *opts, uint8_t optlen, uint16_t dport, const void *data,
		uint16_t len)
{
	uint8_t buf[ETH_LEN + 60 + 8 + 256];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint16_t hl = sizeof(*ip) + optlen;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)ip + hl);

	RTE_VERIFY(optlen % 4 == 0 && optlen <= 40 && len <= 256);
	memset(buf, 0, sizeof(buf));
	eth->dst_addr = lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x40 | (hl / 4);
	ip->total_length = rte_cpu_to_be_16(hl + sizeof(*udp) + len);
	ip->packet_id = rte_cpu_to_be_16(7);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	memcpy(ip + 1, opts, optlen);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(40000);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + len);
	memcpy(udp + 1, data, len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return lr_test_frame(buf, ETH_LEN + hl + sizeof(*udp) + len);
}

static void
test_ip_valid_datagram_delivered(void)
{
	lr_test_rx(discard_frame());
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_DISCARD_RX), 1);
	CU_ASSERT_EQUAL(total_drops(), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* 5.2.2 (1): the packet must be at least as long as the minimum IP header. */
static void
test_ip_shorter_than_min_header_truncated(void)
{
	struct rte_mbuf *m = discard_frame();

	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (ETH_LEN + 19));
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_TRUNCATED), 1);
	assert_not_delivered();

	m = discard_frame();
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ETH_LEN); /* EtherType IPv4, no bytes */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_TRUNCATED), 2);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

/* 5.2.2 (2): the header checksum must be correct. */
static void
test_ip_bad_header_checksum_dropped(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->hdr_checksum ^= rte_cpu_to_be_16(0x0101);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_CKSUM), 1);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

/* 5.2.2 (3): the version must be 4. */
static void
test_ip_bad_version_dropped(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->version_ihl = 0x65;
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_VERSION), 1);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

/* 5.2.2 (4): the header length must be at least 5 words. */
static void
test_ip_ihl_below_five_dropped(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->version_ihl = 0x44;
	lr_test_ip_recksum(m); /* over the 16 bytes the IHL claims */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_IHL), 1);
	assert_not_delivered();

	m = discard_frame();
	lr_test_ip_of(m)->version_ihl = 0x40;
	lr_test_ip_of(m)->hdr_checksum = 0xffff; /* IHL 0: no header to sum at all */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_IHL) + lr_test_stat(LR_STAT_ip_BAD_CKSUM), 2);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

/* 5.2.2 (5): the total length must be at least the header length. */
static void
test_ip_total_length_below_header_dropped(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->total_length = rte_cpu_to_be_16(19);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_TOTLEN), 1);
	assert_not_delivered();

	/* with options: 24-byte header, total length 22 */
	{
		static const uint8_t nop[4] = {1, 1, 1, 0};

		m = udp_with_options(nop, 4, 9, "x", 1);
		lr_test_ip_of(m)->total_length = rte_cpu_to_be_16(22);
		lr_test_ip_recksum(m);
		lr_test_rx(m);
		CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_TOTLEN), 2);
	}
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_total_length_beyond_frame_dropped(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->total_length = rte_cpu_to_be_16(200);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_TOTLEN_BEYOND_FRAME), 1);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_header_longer_than_frame_dropped(void)
{
	uint8_t b[ETH_LEN + 24];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_mbuf *m;
	uint64_t drops;

	/* IHL 15 (60 bytes) in a 24-byte packet: the header may not be read past the frame. */
	memset(b, 0, sizeof(b));
	eth->dst_addr = lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x4f;
	ip->total_length = rte_cpu_to_be_16(60);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	ip->hdr_checksum = ~rte_raw_cksum(ip, 24); /* as if the rest were zeros */
	m = lr_test_frame(b, sizeof(b));
	/* poison what follows in the buffer so a read past the frame is not all zeros */
	memset(rte_pktmbuf_mtod_offset(m, uint8_t *, sizeof(b)), 0xa5, 64);
	lr_test_rx(m);
	drops = lr_test_stat(LR_STAT_ip_TRUNCATED) + lr_test_stat(LR_STAT_ip_BAD_TOTLEN) +
		lr_test_stat(LR_STAT_ip_TOTLEN_BEYOND_FRAME) + lr_test_stat(LR_STAT_ip_BAD_CKSUM);
	CU_ASSERT_EQUAL(drops, 1);
	CU_ASSERT_EQUAL(total_drops(), 1);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_martian_sources_dropped(void)
{
	static const uint32_t srcs[] = {
		0, UINT32_MAX, RTE_IPV4(224u, 0, 0, 1), RTE_IPV4(239u, 1, 2, 3),
		RTE_IPV4(127u, 0, 0, 1), LR_TEST_OUR_IP,
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(srcs); i++) {
		struct rte_mbuf *m = discard_frame();

		lr_test_ip_of(m)->src_addr = rte_cpu_to_be_32(srcs[i]);
		lr_test_ip_recksum(m);
		lr_test_rx(m);
		CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_SRC), i + 1);
	}
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_other_destination_not_for_us(void)
{
	struct rte_mbuf *m = discard_frame();

	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 77));
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_NOT_FOR_US), 1);
	assert_not_delivered();
	LR_TEST_ASSERT_NO_LEAK();
}

/* ip_count 16: 198.18.0.2 .. 198.18.0.17 are local. A ping to one in the middle is
 * answered from it; one past the range is not for us; one of them as a source is
 * refused as ours. */
static void
test_ip_address_range_accepted_as_local(void)
{
	struct lr_test_parsed p;
	struct rte_mbuf *m;

	lr_ifaces[0].ip_count = 16;
	m = lr_test_icmp_echo(0x51, 1, "rng", 3);
	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 9));
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), RTE_IPV4(198u, 18, 0, 9));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	lr_test_tx_clear();

	m = lr_test_icmp_echo(0x51, 2, "rng", 3);
	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 18));
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_NOT_FOR_US), 1);

	m = lr_test_icmp_echo(0x51, 3, "rng", 3);
	lr_test_ip_of(m)->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 12));
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_SRC), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_unknown_protocol_sends_protocol_unreachable(void)
{
	uint8_t orig[ETH_LEN + 20 + 16];
	struct rte_mbuf *m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 253,
			"0123456789abcdef", 16);
	struct lr_test_parsed p;

	memcpy(orig, rte_pktmbuf_mtod(m, void *), sizeof(orig));
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_UNKNOWN_PROTO), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_UNREACH), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	CU_ASSERT_EQUAL(p.ip->next_proto_id, IPPROTO_ICMP);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_EQUAL(p.icmp->icmp_type, LR_ICMP_UNREACH);
	CU_ASSERT_EQUAL(p.icmp->icmp_code, LR_ICMP_UNREACH_PROTO);
	CU_ASSERT_EQUAL(p.icmp->icmp_ident, 0); /* unused, zero */
	CU_ASSERT_EQUAL(p.icmp->icmp_seq_nb, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	/* RFC 792: the original IP header + the first 64 bits of its data */
	CU_ASSERT_EQUAL_FATAL(p.payload_len, 28);
	CU_ASSERT_EQUAL(memcmp(p.payload, orig + ETH_LEN, 28), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_ethernet_padding_trimmed(void)
{
	uint8_t b[RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN];
	struct rte_mbuf *m = lr_test_icmp_echo(0x42, 1, NULL, 0); /* 28-byte datagram */
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_pkt_len(m), ETH_LEN + 28);
	memset(b, 0xee, sizeof(b));
	memcpy(b, rte_pktmbuf_mtod(m, void *), ETH_LEN + 28);
	rte_pktmbuf_free(m);
	lr_test_rx(lr_test_frame(b, sizeof(b))); /* 60-byte frame */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 28);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	lr_test_tx_clear();

	/* UDP echo "hi" padded with 0xee: the echo carries "hi" only */
	m = lr_test_udp(40000, 7, "hi", 2);
	memset(b, 0xee, sizeof(b));
	memcpy(b, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
	lr_test_rx(lr_test_frame(b, sizeof(b)));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 10);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 30);
	CU_ASSERT_EQUAL(p.payload_len, 2);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(total_drops(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Link-layer padding that a scattering PMD spread over two segments is trimmed too
 * (rte_pktmbuf_trim() alone only cuts the last segment). */
static void
test_ip_padding_across_segments_trimmed(void)
{
	uint8_t b[ETH_LEN + 28 + 100];
	struct rte_mbuf *m = lr_test_icmp_echo(0x43, 2, NULL, 0); /* 28-byte datagram */
	struct lr_test_parsed p;

	memset(b, 0, sizeof(b)); /* zero padding: the ICMP checksum holds either way */
	memcpy(b, rte_pktmbuf_mtod(m, void *), ETH_LEN + 28);
	rte_pktmbuf_free(m);
	/* 40 bytes of padding in the first segment, 60 in the second */
	lr_test_rx(lr_test_frame_split(b, sizeof(b), ETH_LEN + 28 + 40));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 28);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 28);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_options_accepted(void)
{
	static const uint8_t nop[4] = {1, 1, 1, 0};   /* NOP NOP NOP EOL */
	struct lr_test_parsed p;

	lr_test_rx(udp_with_options(nop, 4, 7, "opts", 4));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	CU_ASSERT_EQUAL(memcmp(p.payload, "opts", 4), 0);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(total_drops(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_malformed_options_do_not_crash(void)
{
	static const uint8_t bad[][8] = {
		{7, 0, 0, 0, 0, 0, 0, 0},          /* record route, length 0 */
		{7, 255, 4, 0, 0, 0, 0, 0},        /* length past the header */
		{68, 1, 0, 0, 0, 0, 0, 0},         /* timestamp, length 1 */
		{131, 3, 200, 0, 0, 0, 0, 0},      /* LSRR, pointer past the option */
		{1, 1, 1, 1, 1, 1, 1, 7},          /* option type in the last byte */
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++)
		lr_test_rx(udp_with_options(bad[i], 8, 9, "x", 1));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_RX), RTE_DIM(bad));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_low_ttl_accepted_by_host(void)
{
	struct rte_mbuf *m = discard_frame();

	/* RFC 1122 3.2.1.7: a host MUST NOT discard a datagram just because TTL < 2. */
	lr_test_ip_of(m)->time_to_live = 1;
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	m = discard_frame();
	lr_test_ip_of(m)->time_to_live = 0;
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_DISCARD_RX), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_zero_length_udp_is_a_udp_drop(void)
{
	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, 17, NULL, 0));
	/* a zero-length "UDP" (no header) is a UDP drop, not an IP one */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TRUNCATED), 1);
	LR_TEST_ASSERT_NO_LEAK();
}


static void
test_ip_broadcast_destinations_accepted(void)
{
	static const uint32_t dsts[] = {UINT32_MAX, RTE_IPV4(198u, 18, 0, 255)};
	unsigned int i;

	/* RFC 1122 3.3.6: a host MUST recognise the broadcast forms as its own. */
	for (i = 0; i < RTE_DIM(dsts); i++) {
		struct rte_mbuf *m = discard_frame();
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

		memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(dsts[i]);
		lr_test_ip_recksum(m);
		/* the UDP checksum covers the destination: recompute it */
		{
			struct rte_ipv4_hdr *ip = lr_test_ip_of(m);
			struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

			u->dgram_cksum = 0;
			u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
		}
		lr_test_rx(m);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_NOT_FOR_US), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_DISCARD_RX), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_ip_broadcast_ping_and_udp_echo_not_answered(void)
{
	struct rte_mbuf *m;

	/* ping to the subnet broadcast: not answered, like Linux */
	m = lr_test_icmp_echo(7, 1, "bc", 2);
	memset(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 255));
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_ECHO_BROADCAST), 1);

	/* UDP echo to the limited broadcast: accepted by IP and delivered to UDP, where
	 * the echo service refuses to answer it (no amplification) */
	m = lr_test_udp(40000, 7, "hello", 5);
	memset(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	{
		struct rte_ipv4_hdr *ip = lr_test_ip_of(m);
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

		ip->dst_addr = RTE_BE32(UINT32_MAX);
		lr_test_ip_recksum(m);
		u->dgram_cksum = 0;
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	}
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_BCAST), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* ---- hostile input ---- */

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void
fuzz_ip(uint8_t *l3, uint16_t l3len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	uint32_t mode = rnd() % 4;
	uint16_t hl, tot;

	if (mode == 0 || l3len < sizeof(*ip))
		return; /* fully random bytes */
	hl = (rnd() % 8 == 0) ? 4 * (rnd() % 16) : 20;
	if (hl > l3len)
		hl = 20;
	ip->version_ihl = 0x40 | (hl / 4);
	switch (rnd() % 4) {
	case 0:
		tot = rnd() % 65536;
		break;
	case 1:
		tot = l3len - (rnd() % (l3len + 1)) / 4;
		break;
	default:
		tot = l3len;
		break;
	}
	ip->total_length = rte_cpu_to_be_16(tot);
	if (rnd() % 2)
		ip->fragment_offset = 0;
	else if (rnd() % 2)
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | (rnd() % 4) * 185);
	ip->src_addr = rte_cpu_to_be_32(rnd() % 2 ? LR_TEST_PEER_IP :
			(rnd() % 2 ? RTE_IPV4(198u, 18, 0, rnd() % 256) : rnd()));
	ip->dst_addr = rte_cpu_to_be_32(rnd() % 8 ? LR_TEST_OUR_IP : rnd());
	if (mode >= 2) {
		static const uint8_t protos[] = {IPPROTO_ICMP, IPPROTO_UDP, IPPROTO_TCP, 253};

		ip->next_proto_id = protos[rnd() % RTE_DIM(protos)];
	}
	if (hl >= 20 && hl <= l3len) {
		uint8_t *l4 = l3 + hl;
		uint16_t l4len = RTE_MIN(tot, l3len) > hl ? RTE_MIN(tot, l3len) - hl : 0;

		if (mode == 3 && ip->next_proto_id == IPPROTO_UDP && l4len >= 8 &&
				tot <= l3len && hl == 20) {
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;

			udp->dst_port = rte_cpu_to_be_16(rnd() % 2 ? 7 : rnd() % 16);
			udp->dgram_len = rte_cpu_to_be_16(rnd() % 4 ? l4len : rnd() % 65536);
			udp->dgram_cksum = 0;
		}
		if (mode == 3 && ip->next_proto_id == IPPROTO_ICMP && l4len >= 8) {
			l4[0] = rnd() % 2 ? RTE_IP_ICMP_ECHO_REQUEST : rnd() % 20;
			l4[2] = l4[3] = 0;
			if (tot <= l3len) {
				uint16_t c = ~rte_raw_cksum(l4, l4len);

				memcpy(l4 + 2, &c, 2);
			}
		}
		ip->hdr_checksum = 0;
		if (rnd() % 16)
			ip->hdr_checksum = ~rte_raw_cksum(ip, hl);
	}
}

static void
test_ip_hostile_random_frames_no_crash_no_leak(void)
{
	static uint8_t b[RTE_ETHER_MAX_LEN];
	unsigned int i, j;

	rng_state = 0x6c696e6572617465ULL; /* "linerate" */
	for (i = 0; i < 2000; i++) {
		uint16_t len = ETH_LEN + rnd() % (RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN - ETH_LEN + 1);
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
		bool is_arp = rnd() % 4 == 0;

		for (j = 0; j < len; j++)
			b[j] = rnd();
		eth->dst_addr = rnd() % 8 ? lr_test_our_mac :
			(struct rte_ether_addr){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
		eth->src_addr = lr_test_peer_mac;
		eth->ether_type = rte_cpu_to_be_16(is_arp ? RTE_ETHER_TYPE_ARP : RTE_ETHER_TYPE_IPV4);
		if (is_arp && len >= ETH_LEN + sizeof(struct rte_arp_hdr) && rnd() % 2) {
			struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

			arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
			arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			arp->arp_hlen = 6;
			arp->arp_plen = 4;
			arp->arp_opcode = rte_cpu_to_be_16(rnd() % 4);
			if (rnd() % 2)
				arp->arp_data.arp_tip = rte_cpu_to_be_32(LR_TEST_OUR_IP);
		} else if (!is_arp) {
			fuzz_ip(b + ETH_LEN, len - ETH_LEN);
		}
		lr_test_rx(lr_test_frame(b, len));
		if (i % 100 == 99)
			lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_RX), 2000);
	/* Let reassembly and ARP resolution time out, then nothing may be held. */
	for (i = 0; i < 100; i++)
		lr_test_advance_us(100000);
	LR_TEST_ASSERT_NO_LEAK();
	printf("(ip RX %" PRIu64 ", delivered %" PRIu64 ", frag rx %" PRIu64 ", drops %" PRIu64
			") ", lr_test_stat(LR_STAT_ip_RX), lr_test_stat(LR_STAT_ip_DELIVERED),
			lr_test_stat(LR_STAT_ip_FRAG_RX), total_drops());
}

static const CU_TestInfo cases[] = {
	{"test_ip_valid_datagram_delivered", test_ip_valid_datagram_delivered},
	{"test_ip_shorter_than_min_header_truncated", test_ip_shorter_than_min_header_truncated},
	{"test_ip_bad_header_checksum_dropped", test_ip_bad_header_checksum_dropped},
	{"test_ip_bad_version_dropped", test_ip_bad_version_dropped},
	{"test_ip_ihl_below_five_dropped", test_ip_ihl_below_five_dropped},
	{"test_ip_total_length_below_header_dropped", test_ip_total_length_below_header_dropped},
	{"test_ip_total_length_beyond_frame_dropped", test_ip_total_length_beyond_frame_dropped},
	{"test_ip_header_longer_than_frame_dropped", test_ip_header_longer_than_frame_dropped},
	{"test_ip_martian_sources_dropped", test_ip_martian_sources_dropped},
	{"test_ip_other_destination_not_for_us", test_ip_other_destination_not_for_us},
	{"test_ip_address_range_accepted_as_local", test_ip_address_range_accepted_as_local},
	{"test_ip_broadcast_destinations_accepted", test_ip_broadcast_destinations_accepted},
	{"test_ip_broadcast_ping_and_udp_echo_not_answered",
		test_ip_broadcast_ping_and_udp_echo_not_answered},
	{"test_ip_unknown_protocol_sends_protocol_unreachable",
		test_ip_unknown_protocol_sends_protocol_unreachable},
	{"test_ip_ethernet_padding_trimmed", test_ip_ethernet_padding_trimmed},
	{"test_ip_padding_across_segments_trimmed", test_ip_padding_across_segments_trimmed},
	{"test_ip_options_accepted", test_ip_options_accepted},
	{"test_ip_malformed_options_do_not_crash", test_ip_malformed_options_do_not_crash},
	{"test_ip_low_ttl_accepted_by_host", test_ip_low_ttl_accepted_by_host},
	{"test_ip_zero_length_udp_is_a_udp_drop", test_ip_zero_length_udp_is_a_udp_drop},
	{"test_ip_hostile_random_frames_no_crash_no_leak",
		test_ip_hostile_random_frames_no_crash_no_leak},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"ip_input", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
