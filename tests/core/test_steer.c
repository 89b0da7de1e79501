/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/steer.c: the table-driven Toeplitz hash against DPDK's rte_softrss(), the
 * symmetric key, source-port selection for active opens, the redirection table a NIC
 * gets, and software steering over the per-pair rings (hand-over, what stays local,
 * fragments, full rings, ports that do not steer).
 */
#include <string.h>

#include <rte_random.h>
#include <rte_thash.h>

#include "lr_eth.h"
#include "lr_stats.h"
#include "lr_steer.h"
#include "lr_test.h"

#define OUR RTE_BE32(LR_TEST_OUR_IP)
#define PEER RTE_BE32(LR_TEST_PEER_IP)
#define TEST_WORKERS 4

/* The redirection table, computed independently of steer.c: entry i -> i % nb. */
static uint16_t
ref_owner(uint32_t hash, uint16_t nb)
{
	return (uint16_t)((hash % LR_STEER_RETA_SIZE) % nb);
}

/* DPDK's own Toeplitz over an IPv4 packet src:sport -> dst:dport (network-order addrs). */
static uint32_t
ref_hash(const uint8_t *key, rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport,
		bool l4)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = rte_be_to_cpu_32(src);
	t.v4.dst_addr = rte_be_to_cpu_32(dst);
	t.v4.sport = sport;
	t.v4.dport = dport;
	return rte_softrss((uint32_t *)&t, l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN, key);
}

static void
setup_workers(uint16_t nb)
{
	uint16_t i;

	for (i = 1; i < nb; i++)
		CU_ASSERT_EQUAL_FATAL(lr_worker_init(&lr_workers[i], i, lr_test_pool), 0);
}

static void
suite_setup(void)
{
	lr_test_reset();
	lr_steer_stats_reset();
}

static void
suite_teardown(void)
{
	lr_steer_fini();
	lr_test_cleanup();
}

/* A TCP segment (20-byte header, ports only) from src:sport to dst:dport. */
static struct rte_mbuf *
tcp_frame(rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport)
{
	uint8_t th[20] = {0};
	struct rte_mbuf *m;

	th[0] = sport >> 8;
	th[1] = sport & 0xff;
	th[2] = dport >> 8;
	th[3] = dport & 0xff;
	th[12] = 5 << 4;
	m = lr_test_ipv4(rte_be_to_cpu_32(src), rte_be_to_cpu_32(dst), IPPROTO_TCP, th,
			sizeof(th));
	m->port = 0;
	return m;
}

/* The hash: equal to rte_softrss() over L4 and L3 tuples, for two keys. */
static void
test_steer_hash_matches_rte_softrss(void)
{
	uint8_t key[LR_STEER_KEY_LEN];
	unsigned int k, i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)rte_rand();
	for (k = 0; k < 2; k++) {
		const uint8_t *kk = k == 0 ? lr_steer_key_symmetric : key;

		CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, kk, 0), 0);
		CU_ASSERT_EQUAL(memcmp(lr_steer_key(), kk, LR_STEER_KEY_LEN), 0);
		for (i = 0; i < 20000; i++) {
			rte_be32_t s = (rte_be32_t)rte_rand(), d = (rte_be32_t)rte_rand();
			uint16_t sp = (uint16_t)rte_rand(), dp = (uint16_t)rte_rand();

			if (lr_steer_hash_l4(s, d, sp, dp) != ref_hash(kk, s, d, sp, dp, true) ||
					lr_steer_hash_l3(s, d) != ref_hash(kk, s, d, 0, 0, false)) {
				CU_FAIL("hash differs from rte_softrss");
				return;
			}
		}
	}
	/* The known answer of the Microsoft RSS verification suite (first IPv4 row). */
	{
		static const uint8_t ms_key[LR_STEER_KEY_LEN] = {
			0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
			0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
			0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
			0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
		};

		CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, ms_key, 0), 0);
		/* 66.9.149.187:2794 -> 161.142.100.80:1766 */
		CU_ASSERT_EQUAL(lr_steer_hash_l4(RTE_BE32(RTE_IPV4(66, 9, 149, 187)),
				RTE_BE32(RTE_IPV4(161u, 142, 100, 80)), 2794, 1766), 0x51ccc178);
		CU_ASSERT_EQUAL(lr_steer_hash_l3(RTE_BE32(RTE_IPV4(66, 9, 149, 187)),
				RTE_BE32(RTE_IPV4(161u, 142, 100, 80))), 0x323e8fc2);
	}
}

/* The default key: both directions of every flow hash alike. */
static void
test_steer_symmetric_key_both_directions_alike(void)
{
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	for (i = 0; i < 10000; i++) {
		rte_be32_t a = (rte_be32_t)rte_rand(), b = (rte_be32_t)rte_rand();
		uint16_t p = (uint16_t)rte_rand(), q = (uint16_t)rte_rand();

		if (lr_steer_hash_l4(a, b, p, q) != lr_steer_hash_l4(b, a, q, p) ||
				lr_steer_hash_l3(a, b) != lr_steer_hash_l3(b, a)) {
			CU_FAIL("symmetric key hashed the two directions apart");
			return;
		}
	}
}

/*
 * Active opens: lr_steer_port_ok() accepts exactly the ports whose SYN-ACK (peer ->
 * us) rte_softrss() sends to the worker, each worker gets about its share, and
 * lr_steer_worker_of() names that worker.
 */
static void
test_steer_port_ok_matches_softrss_owner(void)
{
	unsigned int share[TEST_WORKERS] = {0}, t, w;
	uint16_t p;

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	CU_ASSERT_FALSE(lr_steer_active());       /* no port steers yet: anything goes */
	CU_ASSERT_TRUE(lr_steer_port_ok(1, OUR, 40000, PEER, 80));
	CU_ASSERT_EQUAL(lr_steer_worker_of(OUR, 40000, PEER, 80), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	CU_ASSERT_TRUE(lr_steer_active());
	for (t = 0; t < 20; t++) {
		rte_be32_t raddr = (rte_be32_t)rte_rand();
		uint16_t rport = (uint16_t)(1 + rte_rand() % 65535);

		for (p = 32768; p < 33768; p++) {
			uint16_t owner = ref_owner(ref_hash(lr_steer_key_symmetric, raddr, OUR,
					rport, p, true), TEST_WORKERS);

			for (w = 0; w < TEST_WORKERS; w++)
				if (lr_steer_port_ok(w, OUR, p, raddr, rport) != (w == owner)) {
					CU_FAIL("port_ok disagrees with rte_softrss");
					return;
				}
			if (lr_steer_worker_of(OUR, p, raddr, rport) != owner) {
				CU_FAIL("worker_of disagrees with rte_softrss");
				return;
			}
			share[owner]++;
		}
	}
	for (w = 0; w < TEST_WORKERS; w++) {
		CU_ASSERT(share[w] > 20000 / TEST_WORKERS * 8 / 10);
		CU_ASSERT(share[w] < 20000 / TEST_WORKERS * 12 / 10);
	}
}

/*
 * Client address pools ([port.N] ip_count): the local address is hash input, so the
 * port an active open picks must be checked for its own source address. For 64
 * addresses of a range, port_ok agrees with rte_softrss() over that address, and the
 * owner of one port changes with the address (a port checked for one address is not
 * valid for another).
 */
static void
test_steer_port_ok_follows_source_address(void)
{
	uint32_t base = rte_be_to_cpu_32(OUR);
	unsigned int k, w, moved = 0;
	uint16_t p, first_owner = 0;

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (k = 0; k < 64; k++) {
		rte_be32_t laddr = rte_cpu_to_be_32(base + k);

		for (p = 40000; p < 40200; p++) {
			uint16_t owner = ref_owner(ref_hash(lr_steer_key_symmetric, PEER, laddr,
					80, p, true), TEST_WORKERS);

			for (w = 0; w < TEST_WORKERS; w++)
				if (lr_steer_port_ok(w, laddr, p, PEER, 80) != (w == owner)) {
					CU_FAIL("port_ok disagrees with rte_softrss for a pool address");
					return;
				}
			CU_ASSERT_EQUAL(lr_steer_worker_of(laddr, p, PEER, 80), owner);
		}
		p = lr_steer_port_next(1, laddr, PEER, 80, 40000, 32768, 60999);
		CU_ASSERT_EQUAL(lr_steer_worker_of(laddr, p, PEER, 80), 1);
		if (k == 0)
			first_owner = lr_steer_worker_of(laddr, 40000, PEER, 80);
		else if (lr_steer_worker_of(laddr, 40000, PEER, 80) != first_owner)
			moved++;
	}
	CU_ASSERT(moved > 0);
}

/* lr_steer_port_next(): the first owned port from start, wrapping; 0 when none. */
static void
test_steer_port_next_first_owned_port(void)
{
	uint16_t w, p, q, start = 60990;

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (w = 0; w < TEST_WORKERS; w++) {
		p = lr_steer_port_next(w, OUR, PEER, 7, start, 32768, 60999);
		CU_ASSERT_NOT_EQUAL_FATAL(p, 0);
		CU_ASSERT_TRUE(lr_steer_port_ok(w, OUR, p, PEER, 7));
		for (q = start; q != p; q = q == 60999 ? 32768 : q + 1)
			CU_ASSERT_FALSE(lr_steer_port_ok(w, OUR, q, PEER, 7));
	}
	/* A one-port range owned by another worker has nothing to offer. */
	w = lr_steer_worker_of(OUR, 50000, PEER, 7);
	CU_ASSERT_EQUAL(lr_steer_port_next((w + 1) % TEST_WORKERS, OUR, PEER, 7, 50000, 50000,
			50000), 0);
	CU_ASSERT_EQUAL(lr_steer_port_next(w, OUR, PEER, 7, 50000, 50000, 50000), 50000);
	CU_ASSERT_EQUAL(lr_steer_port_next(w, OUR, PEER, 7, 1, 0, 10), 0);
}

/* One worker: nothing to steer, every port will do. */
static void
test_steer_single_worker_every_port_ok(void)
{
	struct rte_mbuf *m[1];

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(1, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	CU_ASSERT_FALSE(lr_steer_active());
	CU_ASSERT_TRUE(lr_steer_port_ok(0, OUR, 12345, PEER, 80));
	CU_ASSERT_EQUAL(lr_steer_worker_of(OUR, 12345, PEER, 80), 0);
	m[0] = tcp_frame(PEER, OUR, 1234, 80);
	CU_ASSERT_EQUAL(lr_steer_rx(lr_tw, m, 1), 1);
	rte_pktmbuf_free(m[0]);
	LR_TEST_ASSERT_NO_LEAK();
}

/* What a NIC gets: table[hash % size] == the owner, for every power-of-two size >= 64. */
static void
test_steer_reta_fill_matches_nic_lookup(void)
{
	static uint16_t tbl[2048];
	uint32_t sizes[] = {64, 128, 512, 2048}, s, i, h;

	CU_ASSERT_EQUAL_FATAL(lr_steer_init(3, NULL, 0), 0);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		CU_ASSERT_EQUAL_FATAL(lr_steer_reta_fill(tbl, sizes[s]), 0);
		for (i = 0; i < 5000; i++) {
			h = (uint32_t)rte_rand();
			if (tbl[h % sizes[s]] != lr_steer_worker_of_hash(h) ||
					tbl[h % sizes[s]] != ref_owner(h, 3)) {
				CU_FAIL("redirection table disagrees");
				return;
			}
		}
	}
	CU_ASSERT_EQUAL(lr_steer_reta_fill(tbl, 32), -EINVAL);
	CU_ASSERT_EQUAL(lr_steer_reta_fill(tbl, 96), -EINVAL);
}

/* Keys and modes from the configuration. */
static void
test_steer_key_and_mode_parse(void)
{
	uint8_t key[LR_STEER_KEY_LEN];
	char hex[3 * LR_STEER_KEY_LEN + 1];
	enum lr_steer_mode m;
	unsigned int i;

	CU_ASSERT_EQUAL(lr_steer_key_parse("symmetric", key), 0);
	CU_ASSERT_EQUAL(memcmp(key, lr_steer_key_symmetric, sizeof(key)), 0);
	for (i = 0; i < LR_STEER_KEY_LEN; i++)
		snprintf(hex + 3 * i, 4, "%02X:", i);
	hex[3 * LR_STEER_KEY_LEN - 1] = '\0';
	CU_ASSERT_EQUAL(lr_steer_key_parse(hex, key), 0);
	CU_ASSERT_EQUAL(key[0], 0);
	CU_ASSERT_EQUAL(key[39], 39);
	hex[3 * 39 - 1] = '\0';                          /* 39 bytes */
	CU_ASSERT_EQUAL(lr_steer_key_parse(hex, key), -EINVAL);
	CU_ASSERT_EQUAL(lr_steer_key_parse("6d5g", key), -EINVAL);
	CU_ASSERT_EQUAL(lr_steer_mode_parse("SW", &m), 0);
	CU_ASSERT_EQUAL(m, LR_STEER_SW);
	CU_ASSERT_EQUAL(lr_steer_mode_parse("", &m), 0);
	CU_ASSERT_EQUAL(m, LR_STEER_AUTO);
	CU_ASSERT_EQUAL(lr_steer_mode_parse("rss", &m), -EINVAL);
}

/*
 * Software steering with two workers: worker 0 keeps the segments it owns, in order,
 * and hands the others over; worker 1 takes exactly those, in order. Counted.
 */
static void
test_steer_rx_keeps_owned_hands_over_the_rest(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX], *got[LR_BURST_MAX];
	uint16_t sport[LR_BURST_MAX], i, kept, n, expect0 = 0, k = 0, j = 0;
	const struct lr_steer_stats *s0, *s1;

	setup_workers(2);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, NULL, 64), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (i = 0; i < 40; i++) {
		sport[i] = 20000 + i;
		pkts[i] = tcp_frame(PEER, OUR, sport[i], 80);
		expect0 += lr_steer_worker_of(OUR, 80, PEER, sport[i]) == 0;
	}
	kept = lr_steer_rx(lr_tw, pkts, 40);
	CU_ASSERT_EQUAL(kept, expect0);
	CU_ASSERT(kept > 5 && kept < 35);
	/* Nothing reaches worker 1 before the flush. */
	CU_ASSERT_EQUAL(lr_steer_poll(&lr_workers[1], got, LR_BURST_MAX), 0);
	lr_steer_flush(lr_tw);
	n = lr_steer_poll(&lr_workers[1], got, LR_BURST_MAX);
	CU_ASSERT_EQUAL(n, 40 - kept);
	for (i = 0; i < 40; i++) {
		uint16_t owner = lr_steer_worker_of(OUR, 80, PEER, sport[i]);
		struct rte_mbuf *m = owner == 0 ? pkts[k++] : got[j++];
		const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
				sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

		CU_ASSERT_EQUAL(rte_be_to_cpu_16(th->src_port), sport[i]);
	}
	s0 = lr_steer_stats_get(0);
	s1 = lr_steer_stats_get(1);
	CU_ASSERT_EQUAL(s0->local, kept);
	CU_ASSERT_EQUAL(s0->steered_out, 40 - kept);
	CU_ASSERT_EQUAL(s1->steered_in, 40 - kept);
	CU_ASSERT_EQUAL(s0->ring_full, 0);
	rte_pktmbuf_free_bulk(pkts, kept);
	rte_pktmbuf_free_bulk(got, n);
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * ARP and ICMP stay with whichever worker received them; fragments follow the address
 * hash, so every fragment of a datagram reaches the same worker whatever its offset.
 */
static void
test_steer_arp_icmp_stay_fragments_follow_addresses(void)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_mbuf *m[4], *got[8];
	uint16_t w, i, kept, n, owner3, total = 0;
	struct rte_ipv4_hdr *ip;

	setup_workers(TEST_WORKERS);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (w = 0; w < TEST_WORKERS; w++) {
		m[0] = lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &lr_test_peer_mac, LR_TEST_PEER_IP,
				&bcast, LR_TEST_OUR_IP);
		m[1] = lr_test_icmp_echo(1, w, "x", 1);
		m[0]->port = m[1]->port = 0;
		CU_ASSERT_EQUAL(lr_steer_rx(&lr_workers[w], m, 2), 2);
		rte_pktmbuf_free_bulk(m, 2);
	}
	/* Two fragments of one UDP datagram: first (MF, offset 0) and last (offset 8). */
	owner3 = lr_steer_worker_of_hash(lr_steer_hash_l3(PEER, OUR));
	for (i = 0; i < 2; i++) {
		m[i] = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, NULL, 16);
		m[i]->port = 0;
		ip = lr_test_ip_of(m[i]);
		ip->fragment_offset = i == 0 ? RTE_BE16(RTE_IPV4_HDR_MF_FLAG) : RTE_BE16(1);
	}
	w = (owner3 + 1) % TEST_WORKERS;           /* received by a worker that is not the owner */
	kept = lr_steer_rx(&lr_workers[w], m, 2);
	CU_ASSERT_EQUAL(kept, 0);
	lr_steer_flush(&lr_workers[w]);
	for (i = 0; i < TEST_WORKERS; i++) {
		n = lr_steer_poll(&lr_workers[i], got, 8);
		CU_ASSERT_EQUAL(n, i == owner3 ? 2 : 0);
		rte_pktmbuf_free_bulk(got, n);
		total += n;
	}
	CU_ASSERT_EQUAL(total, 2);
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * 802.1Q: a TCP segment behind a tag goes to the owner of its inner 4-tuple, the
 * same worker as the untagged segment; the tagged frame is handed over whole.
 */
static void
test_steer_vlan_tagged_segment_follows_inner_tuple(void)
{
	struct rte_mbuf *m, *got[4];
	uint16_t sport, owner, w, n, i;
	const struct rte_ether_hdr *eh;

	setup_workers(TEST_WORKERS);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(TEST_WORKERS, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (sport = 30000; sport < 30008; sport++) {
		owner = lr_steer_worker_of(OUR, 80, PEER, sport);
		w = (owner + 1) % TEST_WORKERS;
		m = tcp_frame(PEER, OUR, sport, 80);
		m->vlan_tci = 100;
		CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
		CU_ASSERT_EQUAL(lr_steer_rx(&lr_workers[w], &m, 1), 0);
		lr_steer_flush(&lr_workers[w]);
		for (i = 0; i < TEST_WORKERS; i++) {
			n = lr_steer_poll(&lr_workers[i], got, RTE_DIM(got));
			CU_ASSERT_EQUAL(n, i == owner ? 1 : 0);
			if (n == 1) {
				eh = rte_pktmbuf_mtod(got[0], const struct rte_ether_hdr *);
				CU_ASSERT_EQUAL(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_VLAN));
			}
			rte_pktmbuf_free_bulk(got, n);
		}
		/* the owner keeps it */
		m = tcp_frame(PEER, OUR, sport, 80);
		m->vlan_tci = 100;
		CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
		CU_ASSERT_EQUAL(lr_steer_rx(&lr_workers[owner], &m, 1), 1);
		rte_pktmbuf_free(m);
	}
	LR_TEST_ASSERT_NO_LEAK();
}

/* A full ring refuses: what does not fit is freed and counted, nothing leaks. */
static void
test_steer_full_ring_drops_and_counts(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX], *got[LR_BURST_MAX];
	uint16_t sport = 1, round, n, total = 0;
	const struct lr_steer_stats *s0;

	setup_workers(2);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, NULL, 64), 0);    /* 63 usable slots */
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (round = 0; round < 3; round++) {
		for (n = 0; n < 40; sport++)
			if (lr_steer_worker_of(OUR, 80, PEER, sport) == 1)
				pkts[n++] = tcp_frame(PEER, OUR, sport, 80);
		CU_ASSERT_EQUAL(lr_steer_rx(lr_tw, pkts, 40), 0);
		lr_steer_flush(lr_tw);
	}
	s0 = lr_steer_stats_get(0);
	CU_ASSERT_EQUAL(s0->steered_out, 63);
	CU_ASSERT_EQUAL(s0->ring_full, 120 - 63);
	while ((n = lr_steer_poll(&lr_workers[1], got, LR_BURST_MAX)) > 0) {
		total += n;
		rte_pktmbuf_free_bulk(got, n);
	}
	CU_ASSERT_EQUAL(total, 63);
	CU_ASSERT_EQUAL(lr_steer_stats_get(1)->steered_in, 63);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Staged or queued packets are freed by lr_steer_fini(). */
static void
test_steer_fini_frees_queued_packets(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t sport = 1, n;

	setup_workers(2);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	for (n = 0; n < 10; sport++)
		if (lr_steer_worker_of(OUR, 80, PEER, sport) == 1)
			pkts[n++] = tcp_frame(PEER, OUR, sport, 80);
	CU_ASSERT_EQUAL(lr_steer_rx(lr_tw, pkts, 5), 0);
	lr_steer_flush(lr_tw);                       /* 5 in the ring */
	CU_ASSERT_EQUAL(lr_steer_rx(lr_tw, &pkts[5], 5), 0); /* 5 staged */
	lr_steer_fini();
	LR_TEST_ASSERT_NO_LEAK();
}

/* Ports that steer in hardware (trusted) or not at all keep every packet. */
static void
test_steer_hw_and_off_ports_keep_everything(void)
{
	struct rte_mbuf *pkts[16], *got[16];
	uint16_t i, kept, n;

	setup_workers(2);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_OFF), 0);
	CU_ASSERT_EQUAL(lr_steer_port_mode(0), LR_STEER_OFF);
	CU_ASSERT_EQUAL(lr_steer_port_mode(LR_MAX_PORTS), LR_STEER_OFF);
	CU_ASSERT_EQUAL(lr_steer_port_set(0, LR_STEER_AUTO), -EINVAL);
	for (i = 0; i < 16; i++)
		pkts[i] = tcp_frame(PEER, OUR, 1000 + i, 80);
	CU_ASSERT_EQUAL(lr_steer_rx(lr_tw, pkts, 16), 16);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_HW), 0);
	kept = lr_steer_rx(lr_tw, pkts, 16);
	lr_steer_flush(lr_tw);
	n = lr_steer_poll(&lr_workers[1], got, 16);
	if (lr_steer_owner_checks()) {
		/* debug builds verify the NIC: misdelivered packets go to their owner */
		CU_ASSERT_EQUAL(kept + n, 16);
		CU_ASSERT_EQUAL(lr_steer_stats_get(0)->hw_mismatch, n);
	} else {
		CU_ASSERT_EQUAL(kept, 16);
		CU_ASSERT_EQUAL(n, 0);
	}
	rte_pktmbuf_free_bulk(pkts, kept);
	rte_pktmbuf_free_bulk(got, n);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A TCP segment sent in two fragments lands where its addresses hash (worker 0
 * here), is reassembled there, and handed whole to the worker owning its 4-tuple
 * (worker 1): worker 0 never answers it (no RST from the wrong worker). */
static void
reassembled_to_owner(uint16_t vid)
{
	uint8_t seg[20 + 32] = {0};
	struct rte_mbuf *f[2], *got[4];
	struct lr_test_parsed p;
	struct rte_ipv4_hdr *ip;
	uint32_t src;
	uint16_t sport, n, i;

	setup_workers(2);
	CU_ASSERT_EQUAL_FATAL(lr_steer_init(2, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lr_steer_port_set(0, LR_STEER_SW), 0);
	if (vid != 0) {   /* the port's own interface on VLAN vid */
		struct lr_iface ifc = *lr_iface_get(0);

		lr_iface_reset();
		ifc.vlan_id = vid;
		CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
	}
	/* a sender whose fragments go to worker 0, a port whose flow is worker 1's */
	for (src = RTE_IPV4(198u, 18, 0, 10); src < RTE_IPV4(198u, 18, 0, 200); src++)
		if (lr_steer_worker_of_hash(lr_steer_hash_l3(rte_cpu_to_be_32(src), OUR)) == 0)
			break;
	CU_ASSERT_EQUAL_FATAL(lr_steer_worker_of_hash(lr_steer_hash_l3(rte_cpu_to_be_32(src),
			OUR)), 0);
	for (sport = 1000; lr_steer_worker_of(OUR, 80, rte_cpu_to_be_32(src), sport) != 1; sport++)
		;
	seg[0] = sport >> 8;
	seg[1] = sport & 0xff;
	seg[3] = 80;
	seg[12] = 5 << 4;
	/* bytes 0..23 (MF) and 24..51 of the segment, in two fragments of id 77 */
	for (i = 0; i < 2; i++) {
		f[i] = lr_test_ipv4(src, LR_TEST_OUR_IP, IPPROTO_TCP, seg + i * 24,
				i == 0 ? 24 : sizeof(seg) - 24);
		f[i]->port = 0;
		ip = lr_test_ip_of(f[i]);
		ip->packet_id = RTE_BE16(77);
		ip->fragment_offset = i == 0 ? RTE_BE16(RTE_IPV4_HDR_MF_FLAG) : RTE_BE16(3);
		lr_test_ip_recksum(f[i]);
		if (vid != 0) {
			f[i]->vlan_tci = vid;
			CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&f[i]), 0);
		}
	}
	/* steered by addresses, both stay on worker 0 */
	CU_ASSERT_EQUAL_FATAL(lr_steer_rx(lr_tw, f, 2), 2);
	lr_eth_input(lr_tw, f[0]);
	lr_eth_input(lr_tw, f[1]);
	lr_worker_flush(lr_tw);
	lr_steer_flush(lr_tw);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASM_STEERED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);          /* no RST, no ICMP from worker 0 */
	n = lr_steer_poll(&lr_workers[1], got, 4);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	/* its VLAN with it, as if the port had stripped the tag */
	CU_ASSERT_EQUAL(!!(got[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED), vid != 0);
	if (vid != 0)
		CU_ASSERT_EQUAL(got[0]->vlan_tci, vid);
	/* one whole, unfragmented frame with a valid header, for our MAC */
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(got[0]), RTE_ETHER_HDR_LEN + 20 + sizeof(seg));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_linearize(got[0]), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(got[0], &p), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(p.ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 20 + sizeof(seg));
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.tcp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.tcp->src_port), sport);
	/* worker 1 owns it: its own steering keeps it */
	CU_ASSERT_EQUAL(lr_steer_rx(&lr_workers[1], got, 1), 1);
	rte_pktmbuf_free(got[0]);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_steer_reassembled_tcp_goes_to_tuple_owner(void)
{
	reassembled_to_owner(0);
}

/* The same on a VLAN interface: the datagram handed over keeps its VLAN. */
static void
test_steer_reassembled_on_vlan_keeps_its_vlan(void)
{
	reassembled_to_owner(100);
}

static const CU_TestInfo cases[] = {
	{"test_steer_hash_matches_rte_softrss", test_steer_hash_matches_rte_softrss},
	{"test_steer_symmetric_key_both_directions_alike",
		test_steer_symmetric_key_both_directions_alike},
	{"test_steer_port_ok_follows_source_address", test_steer_port_ok_follows_source_address},
	{"test_steer_port_ok_matches_softrss_owner", test_steer_port_ok_matches_softrss_owner},
	{"test_steer_port_next_first_owned_port", test_steer_port_next_first_owned_port},
	{"test_steer_single_worker_every_port_ok", test_steer_single_worker_every_port_ok},
	{"test_steer_reta_fill_matches_nic_lookup", test_steer_reta_fill_matches_nic_lookup},
	{"test_steer_key_and_mode_parse", test_steer_key_and_mode_parse},
	{"test_steer_rx_keeps_owned_hands_over_the_rest",
		test_steer_rx_keeps_owned_hands_over_the_rest},
	{"test_steer_arp_icmp_stay_fragments_follow_addresses",
		test_steer_arp_icmp_stay_fragments_follow_addresses},
	{"test_steer_vlan_tagged_segment_follows_inner_tuple",
		test_steer_vlan_tagged_segment_follows_inner_tuple},
	{"test_steer_reassembled_on_vlan_keeps_its_vlan",
		test_steer_reassembled_on_vlan_keeps_its_vlan},
	{"test_steer_full_ring_drops_and_counts", test_steer_full_ring_drops_and_counts},
	{"test_steer_fini_frees_queued_packets", test_steer_fini_frees_queued_packets},
	{"test_steer_hw_and_off_ports_keep_everything",
		test_steer_hw_and_off_ports_keep_everything},
	{"test_steer_reassembled_tcp_goes_to_tuple_owner",
		test_steer_reassembled_tcp_goes_to_tuple_owner},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {
		{"steer", suite_setup, suite_teardown, cases}, {0},
	};

	return lr_test_main(argc, argv, suites);
}
