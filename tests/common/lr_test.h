/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Unit-test harness: EAL without hugepages, one worker whose TX is recorded, a
 * virtual clock, frame builders and leak checks.
 *
 * A test program:
 *     int main(int argc, char **argv) {
 *         struct lr_test_suite s[] = {{"eth_input", setup, teardown, cases}, {0}};
 *         return lr_test_main(argc, argv, s);
 *     }
 * lr_test_main() initialises EAL once (--no-huge --no-shconf, unique prefix),
 * runs the suites with CUnit, prints "lr-test: N passed, N failed" and returns
 * non-zero if anything failed.
 */
#ifndef LR_TEST_H
#define LR_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lr_core.h"

/**
 * A suite: name, optional setup/teardown run around EACH case, NULL-terminated cases.
 * A NULL setup means lr_test_reset(), a NULL teardown lr_test_cleanup().
 */
struct lr_test_suite {
	const char *name;
	void (*setup)(void);
	void (*teardown)(void);
	const CU_TestInfo *cases;
};

/**
 * Run suites; returns the process exit status. An optional command-line argument
 * runs only the cases whose name contains it.
 */
int lr_test_main(int argc, char **argv, const struct lr_test_suite *suites);

/** Test addresses: our interface on port 0 and a peer on its subnet. */
#define LR_TEST_OUR_IP RTE_IPV4(198u, 18, 0, 2)  /* host order (unsigned: no signed shift) */
#define LR_TEST_PEER_IP RTE_IPV4(198u, 18, 0, 1)
#define LR_TEST_OTHER_IP RTE_IPV4(198u, 18, 0, 9) /* on-link, unknown MAC */
extern const struct rte_ether_addr lr_test_our_mac;   /* 02:4c:52:00:00:02 */
extern const struct rte_ether_addr lr_test_peer_mac;  /* 02:4c:52:00:00:01 */

/** The worker under test (worker id 0) and its pool. */
extern struct lr_worker *lr_tw;
extern struct rte_mempool *lr_test_pool;

/**
 * Reset the world for one case: stats zeroed, interface 0 = 198.18.0.2/24 with
 * lr_test_our_mac (mtu 1500, no offloads), worker 0 re-initialised with its
 * layers (ARP, IP, UDP), default configs, clock at 1 s, TX recorder empty.
 * The peer (LR_TEST_PEER_IP, lr_test_peer_mac) is already in the ARP cache, learned
 * from an ARP request it sent (lr_test_learn_peer(); its reply is discarded and the
 * stats are zeroed afterwards), so replies to the peer leave at once.
 * Also records the pool's in-use count for lr_test_assert_no_leak(). TCP segments copy
 * their payload (lr_tw->tx_ref false) unless the environment has LR_TEST_TX_REF=1.
 */
void lr_test_reset(void);

/** Teach worker 0's ARP cache the peer (ARP request from it), then zero stats and TX. */
void lr_test_learn_peer(void);

/** Release every layer's worker state and captured frames. */
void lr_test_cleanup(void);

/** Advance the virtual clock (w->now_us) by us and run every layer's tick. */
void lr_test_advance_us(uint64_t us);

/** Frames the pipeline sent, in order (after flushing the worker). */
unsigned int lr_test_tx_count(void);
/** The i-th sent frame (still owned by the recorder). */
struct rte_mbuf *lr_test_tx_get(unsigned int i);
/** Free all recorded frames. */
void lr_test_tx_clear(void);

/** Feed one frame (m->port = 0) through lr_eth_input and flush the worker. */
void lr_test_rx(struct rte_mbuf *m);

/** Recompute the IPv4 header checksum of a frame built by the helpers (IP at offset 14). */
void lr_test_ip_recksum(struct rte_mbuf *m);

/** A frame from raw bytes (copied into a new mbuf, chained if larger than one, port 0). */
struct rte_mbuf *lr_test_frame(const void *bytes, uint16_t len);

/**
 * A frame from raw bytes in two chained segments (port 0): the first split bytes,
 * then the rest, as a PMD with scattered RX delivers a frame. split <= len.
 */
struct rte_mbuf *lr_test_frame_split(const void *bytes, uint16_t len, uint16_t split);

/**
 * An mbuf holding only data (default headroom), e.g. for lr_udp_send() or
 * lr_ip_output(). data may be NULL (zeros); chained if larger than one segment.
 */
struct rte_mbuf *lr_test_data(const void *data, uint16_t len);

/** The IPv4 header of a frame built by the helpers (offset 14). */
struct rte_ipv4_hdr *lr_test_ip_of(struct rte_mbuf *m);

/**
 * Build Ethernet + IPv4 + payload (payload may be NULL: zero bytes of len).
 * IHL 5, TTL 64, DF clear, id 1, valid header checksum. src/dst in host order.
 * Ethernet dst = our MAC, src = peer MAC.
 */
struct rte_mbuf *lr_test_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const void *payload,
		uint16_t len);
/** Build a UDP datagram (valid checksum) from the peer to us. */
struct rte_mbuf *lr_test_udp(uint16_t sport, uint16_t dport, const void *payload, uint16_t len);
/**
 * An lr_tcp_conf isn_fn for tests: every initial sequence number is the conf's isn_arg,
 * set as (void *)(uintptr_t)ISN.
 */
uint32_t lr_test_isn(void *arg, rte_be32_t laddr, rte_be16_t lport, rte_be32_t raddr,
		rte_be16_t rport);

/** A TCP segment for lr_test_tcp(), host order. */
struct lr_test_tcp_seg {
	uint32_t src;           /**< source address, 0: LR_TEST_PEER_IP */
	uint32_t dst;           /**< destination address, 0: LR_TEST_OUR_IP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;          /**< RTE_TCP_*_FLAG */
	uint16_t wnd;
	const uint8_t *opts;    /**< options, padded with zeros to a multiple of 4 bytes */
	uint8_t optlen;
	const void *data;       /**< payload; NULL: len zero bytes */
	uint16_t len;
};
/** Build Ethernet + IPv4 + TCP (valid checksums) as lr_test_ipv4() does. */
struct rte_mbuf *lr_test_tcp(const struct lr_test_tcp_seg *s);
/** Build an ICMP echo request (valid checksum) from the peer to us. */
struct rte_mbuf *lr_test_icmp_echo(uint16_t id, uint16_t seq, const void *payload, uint16_t len);
/** Build an ARP packet. op = RTE_ARP_OP_REQUEST/REPLY; eth dst as given. */
struct rte_mbuf *lr_test_arp(uint16_t op, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t sip, const struct rte_ether_addr *tha,
		uint32_t tip);

/** Pointers into a frame (valid while the mbuf is). NULL when absent. */
struct lr_test_parsed {
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_udp_hdr *udp;
	struct rte_tcp_hdr *tcp;
	uint8_t *payload;      /**< L4 payload (ICMP: after the 8-byte header) */
	uint16_t payload_len;
};
/** Parse a (single-segment; linearise first if needed) frame. @return 0 or -1 */
int lr_test_parse(struct rte_mbuf *m, struct lr_test_parsed *p);

/** True if the IPv4 header checksum of p->ip verifies. */
bool lr_test_ip_cksum_ok(const struct lr_test_parsed *p);
/**
 * True if the UDP/TCP checksum verifies (0 = none for UDP counts as ok); for ICMP, the
 * ICMP checksum over the IP payload.
 */
bool lr_test_l4_cksum_ok(const struct lr_test_parsed *p);

/** Summed counter over worker 0. */
uint64_t lr_test_stat(enum lr_stat_id id);

/**
 * Assert the pools (direct + indirect) have as many mbufs in use as after lr_test_reset().
 * lr_test_pool_in_use() flushes the worker and CLEARS the TX recorder first, so inspect
 * sent frames before asserting.
 */
#define LR_TEST_ASSERT_NO_LEAK() CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline())
unsigned int lr_test_pool_in_use(void);
unsigned int lr_test_pool_baseline(void);

#endif /* LR_TEST_H */
