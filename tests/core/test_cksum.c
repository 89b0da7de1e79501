/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/cksum.c: the Internet checksum over buffers (every length and alignment,
 * against rte_raw_cksum and the RFC 1071 example), over mbuf chains cut at every
 * kind of place (odd and even, empty segments), and with the IPv4 pseudo header.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "lr_cksum.h"
#include "lr_test.h"

#define BUF_MAX 1800

static uint8_t buf[BUF_MAX + 8];

static void
fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rte_rand();
}

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to dd f2 (network order). */
static void
test_cksum_rfc1071_example(void)
{
	static const uint8_t ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CU_ASSERT_EQUAL(lr_cksum(ex, sizeof(ex)), rte_cpu_to_be_16(0xddf2));
	CU_ASSERT_EQUAL(lr_cksum(ex, 0), 0);
}

/* Every length up to 1800 at every alignment mod 8: the same as rte_raw_cksum. */
static void
test_cksum_matches_rte_raw_cksum(void)
{
	unsigned int len, align, bad = 0;

	for (len = 0; len <= BUF_MAX; len++) {
		for (align = 0; align < 8; align++) {
			fill_random(buf + align, len);
			if (lr_cksum(buf + align, len) != rte_raw_cksum(buf + align, len))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Sums that fold to 0xffff, never 0 (all 0xff bytes; 0xffff words plus carries). */
static void
test_cksum_all_ones_and_carries(void)
{
	unsigned int len;

	memset(buf, 0xff, BUF_MAX);
	for (len = 2; len <= BUF_MAX; len += 2)
		CU_ASSERT_EQUAL(lr_cksum(buf, len), 0xffff);
	memset(buf, 0, BUF_MAX);
	CU_ASSERT_EQUAL(lr_cksum(buf, BUF_MAX), 0);
	/* A large sum: the 64-bit accumulator folds exactly. */
	memset(buf, 0xfe, BUF_MAX);
	CU_ASSERT_EQUAL(lr_cksum(buf, BUF_MAX), rte_raw_cksum(buf, BUF_MAX));
}

/* A chain of the given segment lengths holding data[0 .. sum of lengths). */
static struct rte_mbuf *
chain(const uint8_t *data, const uint16_t *lens, unsigned int n)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	unsigned int i;
	uint32_t off = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(lr_test_pool);
		char *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		p = rte_pktmbuf_append(m, lens[i]);
		if (lens[i] > 0) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, data + off, lens[i]);
		}
		off += lens[i];
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += lens[i];
		}
		last = m;
	}
	return head;
}

/* Chains cut at random places (odd segment lengths, empty segments), any offset
 * and length: the same sum as the flat bytes. */
static void
test_cksum_mbuf_chains(void)
{
	unsigned int round, bad = 0;

	for (round = 0; round < 2000; round++) {
		uint16_t lens[5];
		unsigned int n = 1 + (unsigned int)(rte_rand() % RTE_DIM(lens)), i;
		uint32_t total = 0, off, len;
		struct rte_mbuf *m;
		uint16_t got;

		for (i = 0; i < n; i++) {
			lens[i] = (uint16_t)(rte_rand() % 400);
			if (rte_rand() % 8 == 0)
				lens[i] = 0;
			total += lens[i];
		}
		if (total == 0)
			continue;
		fill_random(buf, total);
		m = chain(buf, lens, n);
		off = (uint32_t)(rte_rand() % total);
		len = (uint32_t)(rte_rand() % (total - off + 1));
		if (lr_cksum_mbuf(m, off, len, &got) != 0 || got != lr_cksum(buf + off, len))
			bad++;
		/* Past the end of the chain: refused. */
		if (lr_cksum_mbuf(m, off, total - off + 1, &got) != -1)
			bad++;
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(bad, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A UDP datagram, flat and split after an odd number of payload bytes: the sum with
 * the pseudo header is what DPDK's single-segment helper computes, a datagram with
 * its checksum filled in sums to 0xffff, and an IP total length below the header
 * length gives 0 (never right). */
static void
test_cksum_ipv4_l4(void)
{
	uint8_t pkt[20 + 8 + 301];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
	uint16_t lens[2] = { 20 + 8 + 151, 150 };
	struct rte_mbuf *flat, *split;
	uint16_t want;

	memset(pkt, 0, sizeof(pkt));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(pkt));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	uh->src_port = rte_cpu_to_be_16(5000);
	uh->dst_port = rte_cpu_to_be_16(7);
	uh->dgram_len = rte_cpu_to_be_16(8 + 301);
	fill_random(pkt + 28, 301);
	flat = chain(pkt, (const uint16_t[]){ sizeof(pkt) }, 1);
	want = rte_ipv4_udptcp_cksum_mbuf(flat, ip, sizeof(*ip));
	CU_ASSERT_EQUAL((uint16_t)~lr_cksum_ipv4_l4(flat, ip, sizeof(*ip)), want);
	uh->dgram_cksum = want;
	split = chain(pkt, lens, 2);
	CU_ASSERT_EQUAL(lr_cksum_ipv4_l4(split, ip, sizeof(*ip)), 0xffff);
	pkt[100] ^= 0x01; /* one bit: no longer right */
	rte_pktmbuf_free(split);
	split = chain(pkt, lens, 2);
	CU_ASSERT_NOT_EQUAL(lr_cksum_ipv4_l4(split, ip, sizeof(*ip)), 0xffff);
	ip->total_length = rte_cpu_to_be_16(12);
	CU_ASSERT_EQUAL(lr_cksum_ipv4_l4(split, ip, sizeof(*ip)), 0);
	ip->total_length = rte_cpu_to_be_16(sizeof(pkt) + 1); /* beyond the chain */
	CU_ASSERT_EQUAL(lr_cksum_ipv4_l4(split, ip, sizeof(*ip)), 0);
	rte_pktmbuf_free(flat);
	rte_pktmbuf_free(split);
	LR_TEST_ASSERT_NO_LEAK();
}

/* The IPv4 header checksum: as rte_ipv4_cksum() for random headers of every length
 * (the option-less one inline, the others through lr_cksum()), all-ones words
 * included; 0 once the result is written into the header. */
static void
test_cksum_ipv4_hdr(void)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	unsigned int i, ihl, bad = 0, bad_rx = 0;

	for (i = 0; i < 4000; i++) {
		ihl = 5 + i % 11;
		if (i % 50 == 0)
			memset(buf, 0xff, 60);
		else
			fill_random(buf, 60);
		ip->version_ihl = (uint8_t)(0x40 | ihl);
		if (lr_cksum_ipv4_hdr(ip) != rte_ipv4_cksum(ip))
			bad++;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = lr_cksum_ipv4_hdr(ip);
		if (lr_cksum_ipv4_hdr(ip) != 0)
			bad_rx++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad_rx, 0);
}

static const CU_TestInfo cases[] = {
	{ "test_cksum_rfc1071_example", test_cksum_rfc1071_example },
	{ "test_cksum_matches_rte_raw_cksum", test_cksum_matches_rte_raw_cksum },
	{ "test_cksum_all_ones_and_carries", test_cksum_all_ones_and_carries },
	{ "test_cksum_mbuf_chains", test_cksum_mbuf_chains },
	{ "test_cksum_ipv4_l4", test_cksum_ipv4_l4 },
	{ "test_cksum_ipv4_hdr", test_cksum_ipv4_hdr },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "cksum", NULL, NULL, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
