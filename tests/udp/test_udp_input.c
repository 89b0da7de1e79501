/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/udp/udp.c: UDP input validation (RFC 768, RFC 1122 4.1.3), port dispatch to
 * the echo (RFC 862) and discard (RFC 863) services, port unreachable, output.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_ip.h"
#include "lr_udp.h"
#include "lr_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN

static struct rte_udp_hdr *
udp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, ETH_LEN + 20);
}

static void
test_udp_echo_returns_payload_with_ports_swapped(void)
{
	struct lr_test_parsed p;

	lr_test_rx(lr_test_udp(40000, 7, "hello, echo", 11));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	CU_ASSERT_EQUAL(p.ip->next_proto_id, IPPROTO_UDP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 20 + 8 + 11);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->src_port), 7);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 40000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 8 + 11);
	CU_ASSERT_NOT_EQUAL(p.udp->dgram_cksum, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(p.payload_len, 11);
	CU_ASSERT_EQUAL(memcmp(p.payload, "hello, echo", 11), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 20 + 8 + 11);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_echo_empty_and_large_payloads(void)
{
	static uint8_t big[1472];
	struct lr_test_parsed p;
	unsigned int i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 3;
	lr_test_rx(lr_test_udp(40000, 7, NULL, 0));
	lr_test_rx(lr_test_udp(40001, 7, big, sizeof(big)));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 2);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(1), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 40001);
	CU_ASSERT_EQUAL_FATAL(p.payload_len, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(p.payload, big, sizeof(big)), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_discard_sends_nothing_and_counts(void)
{
	uint8_t data[100];

	memset(data, 0x33, sizeof(data));
	lr_test_rx(lr_test_udp(40000, 9, data, sizeof(data)));
	lr_test_rx(lr_test_udp(40000, 9, data, 10));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_RX), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_DISCARD_RX), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_DISCARD_BYTES), 110);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_closed_port_sends_port_unreachable(void)
{
	uint8_t orig[ETH_LEN + 28];
	struct rte_mbuf *m = lr_test_udp(40000, 5555, "nobody home", 11);
	struct lr_test_parsed p;

	memcpy(orig, rte_pktmbuf_mtod(m, void *), sizeof(orig));
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_NO_PORT), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_UNREACH), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_EQUAL(p.icmp->icmp_type, LR_ICMP_UNREACH);
	CU_ASSERT_EQUAL(p.icmp->icmp_code, LR_ICMP_UNREACH_PORT);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(p.payload_len, 28);
	CU_ASSERT_EQUAL(memcmp(p.payload, orig + ETH_LEN, 28), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_zero_checksum_accepted(void)
{
	struct rte_mbuf *m = lr_test_udp(40000, 7, "nocsum", 6);

	udp_of(m)->dgram_cksum = 0; /* RFC 768: no checksum computed */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_bad_checksum_dropped(void)
{
	struct rte_mbuf *m = lr_test_udp(40000, 7, "badsum", 6);

	udp_of(m)->dgram_cksum ^= rte_cpu_to_be_16(0x0004);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);

	/* A corrupted payload byte is caught too. */
	m = lr_test_udp(40000, 7, "badsum", 6);
	*((uint8_t *)(udp_of(m) + 1)) ^= 0x40;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_truncated_dropped(void)
{
	uint8_t b[4] = {0x9c, 0x40, 0x00, 0x07};

	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, b, 4));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TRUNCATED), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_length_beyond_ip_payload_dropped(void)
{
	struct rte_mbuf *m = lr_test_udp(40000, 7, "short", 5);

	udp_of(m)->dgram_len = rte_cpu_to_be_16(8 + 6);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_LEN), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_length_below_header_dropped(void)
{
	struct rte_mbuf *m = lr_test_udp(40000, 7, "short", 5);

	udp_of(m)->dgram_len = rte_cpu_to_be_16(7);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_LEN), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_length_shorter_than_ip_payload_uses_udp_length(void)
{
	uint8_t b[ETH_LEN + 20 + 8 + 16];
	struct rte_mbuf *m = lr_test_udp(40000, 7, "hello", 5);
	struct lr_test_parsed p;
	uint16_t n = rte_pktmbuf_pkt_len(m);

	/* Five trailing bytes inside the IP datagram but outside the UDP length. */
	memset(b, 0x77, sizeof(b));
	memcpy(b, rte_pktmbuf_mtod(m, void *), n);
	rte_pktmbuf_free(m);
	m = lr_test_frame(b, n + 5);
	lr_test_ip_of(m)->total_length = rte_cpu_to_be_16(20 + 8 + 5 + 5);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	/* RFC 768: the pseudo-header carries the UDP length, not the IP payload length */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 13);
	CU_ASSERT_EQUAL(p.payload_len, 5);
	CU_ASSERT_EQUAL(memcmp(p.payload, "hello", 5), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
sink_service(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	rte_pktmbuf_free(m);
}

static void
test_udp_bind_duplicate_and_port_zero_refused(void)
{
	CU_ASSERT_EQUAL(lr_udp_bind(7, "again", sink_service, NULL), -EADDRINUSE);
	CU_ASSERT_EQUAL(lr_udp_bind(0, "zero", sink_service, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_udp_bind(6000, "nofn", NULL, NULL), -EINVAL);
	CU_ASSERT_PTR_NULL(lr_udp_service_name(6000));
	CU_ASSERT_PTR_NOT_NULL(lr_udp_service_name(7));
	CU_ASSERT_PTR_NOT_NULL(lr_udp_service_name(9));
	CU_ASSERT_PTR_NULL(lr_udp_service_name(5555));
	lr_udp_reset();
	CU_ASSERT_PTR_NULL(lr_udp_service_name(7));
	lr_test_rx(lr_test_udp(40000, 7, "x", 1));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_NO_PORT), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A service that records what it was given and replies "ok". */
static struct lr_udp_dgram seen;
static uint8_t seen_data[64];
static unsigned int seen_calls;
static void *seen_arg;

static void
recording_service(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d,
		void *arg)
{
	seen = *d;
	seen_arg = arg;
	seen_calls++;
	if (rte_pktmbuf_pkt_len(m) <= sizeof(seen_data))
		memcpy(seen_data, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_reset(m);
	memcpy(rte_pktmbuf_append(m, 2), "ok", 2);
	lr_udp_reply(w, m, d);
}

static void
test_udp_bound_service_gets_parsed_datagram(void)
{
	static int cookie;
	struct lr_test_parsed p;

	seen_calls = 0;
	CU_ASSERT_EQUAL_FATAL(lr_udp_bind(5000, "recorder", recording_service, &cookie), 0);
	CU_ASSERT_STRING_EQUAL(lr_udp_service_name(5000), "recorder");
	lr_test_rx(lr_test_udp(40000, 5000, "question", 8));
	CU_ASSERT_EQUAL_FATAL(seen_calls, 1);
	CU_ASSERT_PTR_EQUAL(seen_arg, &cookie);
	CU_ASSERT_EQUAL(seen.src_ip, rte_cpu_to_be_32(LR_TEST_PEER_IP));
	CU_ASSERT_EQUAL(seen.dst_ip, rte_cpu_to_be_32(LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(seen.src_port, rte_cpu_to_be_16(40000));
	CU_ASSERT_EQUAL(seen.dst_port, rte_cpu_to_be_16(5000));
	CU_ASSERT_EQUAL(seen.len, 8);
	CU_ASSERT_PTR_EQUAL(seen.ifc, lr_iface_get(0));
	CU_ASSERT_EQUAL(memcmp(seen_data, "question", 8), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->src_port), 5000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 40000);
	CU_ASSERT_EQUAL(p.payload_len, 2);
	CU_ASSERT_EQUAL(memcmp(p.payload, "ok", 2), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_send_builds_datagram(void)
{
	struct lr_test_parsed p;

	lr_udp_send(lr_tw, lr_test_data("sent", 4), rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_16(1234), rte_cpu_to_be_32(LR_TEST_PEER_IP),
			rte_cpu_to_be_16(4321));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->src_port), 1234);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 4321);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 12);
	CU_ASSERT_NOT_EQUAL(p.udp->dgram_cksum, 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(memcmp(p.payload, "sent", 4), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Echo to a broadcast (limited or the subnet's) is never answered: no amplification. */
static void
test_udp_echo_to_broadcast_not_answered(void)
{
	static const uint32_t dsts[] = {
		RTE_IPV4(255u, 255, 255, 255), RTE_IPV4(198u, 18, 0, 255),
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(dsts); i++) {
		struct rte_mbuf *m = lr_test_udp(40000, 7, "amplify", 7);
		struct rte_ipv4_hdr *ip = lr_test_ip_of(m);

		ip->dst_addr = rte_cpu_to_be_32(dsts[i]);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp_of(m)->dgram_cksum = 0;  /* RFC 768: none */
		lr_test_rx(m);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_BCAST), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	/* the same datagram to our own address is answered */
	lr_test_rx(lr_test_udp(40000, 7, "amplify", 7));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Multicast: IP refuses it before UDP (a host joins no IP group), echo never answers. */
static void
test_udp_echo_to_multicast_not_answered(void)
{
	struct rte_mbuf *m = lr_test_udp(40000, 7, "amplify", 7);
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);

	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(224u, 0, 0, 1));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp_of(m)->dgram_cksum = 0;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_udp_fragmented_echo_reassembled_and_answered(void)
{
	static uint8_t dgram[8 + 2000];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)dgram;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;
	unsigned int i, total = 0;
	uint8_t hdr[20];

	for (i = 8; i < sizeof(dgram); i++)
		dgram[i] = i;
	u->src_port = rte_cpu_to_be_16(40000);
	u->dst_port = rte_cpu_to_be_16(7);
	u->dgram_len = rte_cpu_to_be_16(sizeof(dgram));
	u->dgram_cksum = 0;
	/* checksum over the whole datagram, via a scratch header */
	memset(hdr, 0, sizeof(hdr));
	ip = (struct rte_ipv4_hdr *)hdr;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + sizeof(dgram));
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	{
		uint32_t sum = rte_ipv4_phdr_cksum(ip, 0);

		sum += rte_raw_cksum(dgram, sizeof(dgram));
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		u->dgram_cksum = (uint16_t)~sum;
		if (u->dgram_cksum == 0)
			u->dgram_cksum = 0xffff;
	}
	/* fragments of 1480 and 528 */
	m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, dgram, 1480);
	lr_test_ip_of(m)->packet_id = rte_cpu_to_be_16(99);
	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, dgram + 1480,
			sizeof(dgram) - 1480);
	lr_test_ip_of(m)->packet_id = rte_cpu_to_be_16(99);
	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(1480 / 8);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2);
	for (i = 0; i < lr_test_tx_count(); i++) {
		struct lr_test_parsed p;

		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		total += rte_be_to_cpu_16(p.ip->total_length) - 20;
	}
	CU_ASSERT_EQUAL(total, sizeof(dgram));
	LR_TEST_ASSERT_NO_LEAK();
}

/* A reassembled datagram whose UDP length ends inside the first fragment: the bytes
 * after it span more than the last segment of the chain, and are still cut off. */
static void
test_udp_length_shorter_than_reassembled_chain_uses_udp_length(void)
{
	static uint8_t dgram[1480 + 100];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)dgram;
	struct lr_test_parsed p;
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 8; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)(i * 7);
	u->src_port = rte_cpu_to_be_16(40000);
	u->dst_port = rte_cpu_to_be_16(7);
	u->dgram_len = rte_cpu_to_be_16(8 + 92); /* 100 of the 1580 bytes */
	u->dgram_cksum = 0;
	m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, dgram, 1480);
	lr_test_ip_of(m)->packet_id = rte_cpu_to_be_16(98);
	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, dgram + 1480, 100);
	lr_test_ip_of(m)->packet_id = rte_cpu_to_be_16(98);
	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(1480 / 8);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 20 + 100);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 20 + 100);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 100);
	CU_ASSERT_EQUAL_FATAL(p.payload_len, 92);
	CU_ASSERT_EQUAL(memcmp(p.payload, dgram + 8, 92), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}


/* A 9000-byte UDP datagram received as a chain at MTU 9000: checksum over every
 * buffer, the echo service answers with the whole payload in one datagram. */
static void
test_udp_echo_8972_chained_at_mtu_9000(void)
{
	static uint8_t data[8972];
	struct lr_test_parsed p;
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 11 + (i >> 9));
	lr_ifaces[0].mtu = 9000;
	m = lr_test_udp(40000, 7, data, sizeof(data));
	CU_ASSERT(m->nb_segs > 1);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TX), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 9000);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 40000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dgram_len), 8 + sizeof(data));
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(p.payload_len, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(p.payload, data, sizeof(data)), 0);
	lr_ifaces[0].mtu = 1500;
	LR_TEST_ASSERT_NO_LEAK();
}

/* A byte changed in the last buffer of a chained datagram fails its checksum. */
static void
test_udp_chained_bad_checksum_in_last_segment_dropped(void)
{
	static uint8_t data[8972];
	struct rte_mbuf *m, *last;

	lr_ifaces[0].mtu = 9000;
	m = lr_test_udp(40000, 7, data, sizeof(data));
	last = rte_pktmbuf_lastseg(m);
	CU_ASSERT_PTR_NOT_EQUAL_FATAL(last, m);
	*rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len - 1) ^= 0x01;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	lr_ifaces[0].mtu = 1500;
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_udp_echo_returns_payload_with_ports_swapped",
		test_udp_echo_returns_payload_with_ports_swapped},
	{"test_udp_echo_empty_and_large_payloads", test_udp_echo_empty_and_large_payloads},
	{"test_udp_discard_sends_nothing_and_counts", test_udp_discard_sends_nothing_and_counts},
	{"test_udp_closed_port_sends_port_unreachable",
		test_udp_closed_port_sends_port_unreachable},
	{"test_udp_zero_checksum_accepted", test_udp_zero_checksum_accepted},
	{"test_udp_bad_checksum_dropped", test_udp_bad_checksum_dropped},
	{"test_udp_truncated_dropped", test_udp_truncated_dropped},
	{"test_udp_length_beyond_ip_payload_dropped", test_udp_length_beyond_ip_payload_dropped},
	{"test_udp_length_below_header_dropped", test_udp_length_below_header_dropped},
	{"test_udp_length_shorter_than_ip_payload_uses_udp_length",
		test_udp_length_shorter_than_ip_payload_uses_udp_length},
	{"test_udp_bind_duplicate_and_port_zero_refused",
		test_udp_bind_duplicate_and_port_zero_refused},
	{"test_udp_bound_service_gets_parsed_datagram",
		test_udp_bound_service_gets_parsed_datagram},
	{"test_udp_send_builds_datagram", test_udp_send_builds_datagram},
	{"test_udp_echo_to_broadcast_not_answered", test_udp_echo_to_broadcast_not_answered},
	{"test_udp_echo_to_multicast_not_answered", test_udp_echo_to_multicast_not_answered},
	{"test_udp_fragmented_echo_reassembled_and_answered",
		test_udp_fragmented_echo_reassembled_and_answered},
	{"test_udp_length_shorter_than_reassembled_chain_uses_udp_length",
		test_udp_length_shorter_than_reassembled_chain_uses_udp_length},
	{"test_udp_echo_8972_chained_at_mtu_9000", test_udp_echo_8972_chained_at_mtu_9000},
	{"test_udp_chained_bad_checksum_in_last_segment_dropped",
		test_udp_chained_bad_checksum_in_last_segment_dropped},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"udp_input", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
