/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly on input and fragmentation on output (RFC 791 3.2, RFC 815),
 * exercised with a 3000-byte ICMP echo.
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_mempool.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_ip.h"
#include "lr_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN
#define ICMP_LEN 3000              /* ICMP header + data */
#define FRAG_ID 0x1234

static uint8_t echo[ICMP_LEN];     /* the ICMP echo request being fragmented */

static void
make_echo(void)
{
	struct rte_icmp_hdr *h = (struct rte_icmp_hdr *)echo;
	unsigned int i;

	for (i = sizeof(*h); i < ICMP_LEN; i++)
		echo[i] = (uint8_t)(i * 31 + (i >> 8));
	h->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	h->icmp_code = 0;
	h->icmp_ident = rte_cpu_to_be_16(0x77);
	h->icmp_seq_nb = rte_cpu_to_be_16(3);
	h->icmp_cksum = 0;
	h->icmp_cksum = ~rte_raw_cksum(echo, ICMP_LEN);
}

/* A fragment from the peer: len bytes of payload at byte off of datagram id. */
static struct rte_mbuf *
ip_frag(uint8_t proto, const void *payload, uint16_t len, uint16_t id, uint32_t off, bool more)
{
	struct rte_mbuf *m = lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, proto, payload, len);
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);

	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)(off / 8) |
			(more ? RTE_IPV4_HDR_MF_FLAG : 0));
	lr_test_ip_recksum(m);
	return m;
}

/* One fragment of the echo: bytes [off, off+len) of the ICMP message. */
static struct rte_mbuf *
frag(uint16_t off, uint16_t len, bool more)
{
	return ip_frag(IPPROTO_ICMP, echo + off, len, FRAG_ID, off, more);
}

/* The three fragments: 1480 + 1480 + 40. */
static struct rte_mbuf *
frag_n(unsigned int i)
{
	switch (i) {
	case 0:
		return frag(0, 1480, true);
	case 1:
		return frag(1480, 1480, true);
	default:
		return frag(2960, 40, false);
	}
}

/* Check the recorded frames are the fragments of an echo reply to our request. */
static void
assert_fragmented_reply(void)
{
	static uint8_t got[ICMP_LEN];
	static bool have[ICMP_LEN];
	struct rte_icmp_hdr *h = (struct rte_icmp_hdr *)got;
	unsigned int i, n = lr_test_tx_count(), total = 0, last_seen = 0;
	uint16_t id = 0;

	memset(got, 0, sizeof(got));
	memset(have, 0, sizeof(have));
	CU_ASSERT_FATAL(n >= 3);
	for (i = 0; i < n; i++) {
		struct lr_test_parsed p;
		uint16_t fo, off, len, j;
		uint8_t *data;

		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
		CU_ASSERT_EQUAL(p.ip->next_proto_id, IPPROTO_ICMP);
		CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
		CU_ASSERT(rte_be_to_cpu_16(p.ip->total_length) <= lr_iface_get(0)->mtu);
		CU_ASSERT(rte_pktmbuf_pkt_len(lr_test_tx_get(i)) <=
				ETH_LEN + (uint32_t)lr_iface_get(0)->mtu);
		if (i == 0)
			id = p.ip->packet_id;
		CU_ASSERT_EQUAL(p.ip->packet_id, id);
		fo = rte_be_to_cpu_16(p.ip->fragment_offset);
		CU_ASSERT_EQUAL(fo & RTE_IPV4_HDR_DF_FLAG, 0);
		off = (fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		len = rte_be_to_cpu_16(p.ip->total_length) - rte_ipv4_hdr_len(p.ip);
		data = (uint8_t *)p.ip + rte_ipv4_hdr_len(p.ip);
		if (fo & RTE_IPV4_HDR_MF_FLAG) {
			CU_ASSERT_EQUAL(len % 8, 0); /* only the last may be odd */
		} else {
			last_seen++;
		}
		CU_ASSERT_FATAL(off + len <= ICMP_LEN);
		for (j = 0; j < len; j++) {
			CU_ASSERT_FALSE(have[off + j]); /* no overlap */
			have[off + j] = true;
		}
		memcpy(got + off, data, len);
		total += len;
		if (!(fo & RTE_IPV4_HDR_MF_FLAG)) {
			CU_ASSERT_EQUAL(off + len, ICMP_LEN);
		}
	}
	CU_ASSERT_EQUAL(last_seen, 1);
	CU_ASSERT_EQUAL(total, ICMP_LEN);
	CU_ASSERT_EQUAL(h->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL(h->icmp_code, 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(h->icmp_ident), 0x77);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(h->icmp_seq_nb), 3);
	CU_ASSERT_EQUAL(rte_raw_cksum(got, ICMP_LEN), 0xffff);
	CU_ASSERT_EQUAL(memcmp(got + 8, echo + 8, ICMP_LEN - 8), 0);
}

static void
test_frag_in_order_reassembled_and_reply_fragmented(void)
{
	unsigned int i;

	make_echo();
	for (i = 0; i < 3; i++) {
		lr_test_rx(frag_n(i));
		if (i < 2) {
			CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
		}
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_RX), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX_ECHO), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TX), lr_test_tx_count());
	assert_fragmented_reply();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_reversed_order_reassembled(void)
{
	make_echo();
	lr_test_rx(frag_n(2));
	lr_test_rx(frag_n(1));
	lr_test_rx(frag_n(0));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	assert_fragmented_reply();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_middle_first_last_order_reassembled(void)
{
	make_echo();
	lr_test_rx(frag_n(1));
	lr_test_rx(frag_n(0));
	lr_test_rx(frag_n(2));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	assert_fragmented_reply();
	LR_TEST_ASSERT_NO_LEAK();
}

static uint64_t
frag_drops(void)
{
	return lr_test_stat(LR_STAT_ip_FRAG_BAD) + lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT) +
		lr_test_stat(LR_STAT_ip_FRAG_TOO_BIG);
}

static void
expire_fragments(void)
{
	uint64_t t = (uint64_t)lr_ip_config()->frag_timeout_ms * 1000;

	lr_test_advance_us(t / 2);
	lr_test_advance_us(t / 2 + 1000);
	lr_test_advance_us(t + 1000);
}

static void
test_frag_duplicate_first_fragment_no_crash_no_leak(void)
{
	make_echo();
	lr_test_rx(frag_n(0));
	lr_test_rx(frag_n(0));
	lr_test_rx(frag_n(1));
	lr_test_rx(frag_n(2));
	/* Either deduplicated and answered once, or discarded; never answered twice. */
	CU_ASSERT(lr_test_stat(LR_STAT_icmp_RX_ECHO) <= 1);
	expire_fragments();
	if (lr_test_stat(LR_STAT_icmp_RX_ECHO) == 0) {
		CU_ASSERT(frag_drops() >= 1);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_RX), 4);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_duplicate_middle_fragment_no_crash_no_leak(void)
{
	make_echo();
	lr_test_rx(frag_n(0));
	lr_test_rx(frag_n(1));
	lr_test_rx(frag_n(1));
	lr_test_rx(frag_n(2));
	CU_ASSERT(lr_test_stat(LR_STAT_icmp_RX_ECHO) <= 1);
	expire_fragments();
	if (lr_test_stat(LR_STAT_icmp_RX_ECHO) == 0) {
		CU_ASSERT(frag_drops() >= 1);
	}
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_overlapping_fragment_no_crash_no_leak(void)
{
	make_echo();
	lr_test_rx(frag(0, 1480, true));
	lr_test_rx(frag(1472, 1488, true));  /* overlaps the first by 8 bytes */
	lr_test_rx(frag(2960, 40, false));
	CU_ASSERT(lr_test_stat(LR_STAT_icmp_RX_ECHO) <= 1);
	expire_fragments();
	CU_ASSERT(frag_drops() >= 1 || lr_test_stat(LR_STAT_icmp_RX_ECHO) == 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_incomplete_set_freed_after_timeout(void)
{
	uint64_t t = (uint64_t)lr_ip_config()->frag_timeout_ms * 1000;

	make_echo();
	lr_test_rx(frag_n(0));
	lr_test_rx(frag_n(2));
	CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline() + 2);
	lr_test_advance_us(t / 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 0);
	lr_test_advance_us(t / 2 + 1000);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 2); /* counted per fragment */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();

	/* The late middle fragment starts a new datagram that cannot complete. */
	lr_test_rx(frag_n(1));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 0);
	expire_fragments();
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 3);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_beyond_65535_dropped(void)
{
	uint8_t data[64];

	memset(data, 0x11, sizeof(data));
	/* offset 65528 + 64 bytes > 65535 */
	lr_test_rx(ip_frag(IPPROTO_ICMP, data, sizeof(data), 0x4444,
			RTE_IPV4_HDR_OFFSET_MASK * 8, false));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TOO_BIG) + lr_test_stat(LR_STAT_ip_FRAG_BAD),
			1);
	LR_TEST_ASSERT_NO_LEAK();

	/* offset 65000 with MF, then a first fragment: no datagram > 65535 is built */
	lr_test_rx(ip_frag(IPPROTO_ICMP, data, 8, 0x4445, 65000, false));
	expire_fragments();
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_unfragmented_with_df_not_counted_as_fragment(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "df", 2);

	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	lr_test_ip_recksum(m);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* What the test protocol's handler saw: the reassembled datagram's ECN field. */
static int seen_ecn = -1;
static bool seen_cksum_ok;

static void
ecn_proto_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	RTE_SET_USED(w);
	RTE_SET_USED(ifc);
	seen_ecn = ip->type_of_service & LR_IP_ECN_MASK;
	seen_cksum_ok = rte_ipv4_cksum(ip) == 0; /* the sum over a good header */
	rte_pktmbuf_free(m);
}

/* RFC 3168 §5.3: one fragment with CE makes the reassembled datagram CE (header
 * checksum still good); ECT(0) fragments alone stay ECT(0). */
static void
test_frag_ce_fragment_marks_datagram_ce(void)
{
	const uint8_t proto = 253; /* RFC 3692 experimentation */
	unsigned int i, round;
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL(lr_ip_register(proto, ecn_proto_input), 0);
	make_echo();
	for (round = 0; round < 2; round++) {
		seen_ecn = -1;
		for (i = 0; i < 3; i++) {
			m = ip_frag(proto, echo + 1480 * i, i < 2 ? 1480 : 40,
					(uint16_t)(FRAG_ID + round), 1480 * i, i < 2);
			lr_test_ip_of(m)->type_of_service =
				round == 0 && i == 1 ? LR_IP_ECN_CE : LR_IP_ECN_ECT0;
			lr_test_ip_recksum(m);
			lr_test_rx(m);
		}
		CU_ASSERT_EQUAL(seen_ecn, round == 0 ? LR_IP_ECN_CE : LR_IP_ECN_ECT0);
		CU_ASSERT(seen_cksum_ok);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 2);
	lr_ip_register(proto, NULL);
	LR_TEST_ASSERT_NO_LEAK();
}

/* RFC 3168 §5.3: CE "MUST NOT" be set on a datagram one of whose fragments is Not-ECT;
 * as Linux, Not-ECT mixed with CE or with ECT is dropped, all Not-ECT passes. */
static void
test_frag_not_ect_mixed_with_ect_or_ce_dropped(void)
{
	static const uint8_t other[] = { LR_IP_ECN_CE, LR_IP_ECN_ECT0, LR_IP_ECN_NOT_ECT };
	const uint8_t proto = 253;
	unsigned int i, round;
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL(lr_ip_register(proto, ecn_proto_input), 0);
	make_echo();
	for (round = 0; round < RTE_DIM(other); round++) {
		seen_ecn = -1;
		for (i = 0; i < 3; i++) {
			m = ip_frag(proto, echo + 1480 * i, i < 2 ? 1480 : 40,
					(uint16_t)(FRAG_ID + 10 + round), 1480 * i, i < 2);
			lr_test_ip_of(m)->type_of_service =
				i == 2 ? other[round] : LR_IP_ECN_NOT_ECT;
			lr_test_ip_recksum(m);
			lr_test_rx(m);
		}
		CU_ASSERT_EQUAL(seen_ecn, round < 2 ? -1 : LR_IP_ECN_NOT_ECT);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_ECN_MIXED), 6);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	lr_ip_register(proto, NULL);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_interleaved_datagrams_reassembled_separately(void)
{
	struct rte_mbuf *m;
	unsigned int i;

	make_echo();
	for (i = 0; i < 3; i++) {
		lr_test_rx(frag_n(i));
		/* the same fragment with another id: a second datagram */
		m = frag_n(i);
		lr_test_ip_of(m)->packet_id = rte_cpu_to_be_16(FRAG_ID + 1);
		lr_test_ip_recksum(m);
		lr_test_rx(m);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 6);
	LR_TEST_ASSERT_NO_LEAK();
}


static void
test_frag_first_fragment_with_options_arriving_first(void)
{
	/*
	 * RFC 791 3.2: options whose copied flag is clear (NOP, EOL) appear only in the
	 * first fragment, so fragments of one datagram may differ in IHL. The first
	 * fragment (IHL 6) arrives first, the last (IHL 5) last: the reassembled datagram
	 * keeps the first header, and L4 must be found after it.
	 */
	static uint8_t dgram[8 + 1600];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)dgram;
	uint8_t b[RTE_ETHER_HDR_LEN + 24 + 1480];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_ipv4_hdr ph;
	unsigned int i;
	uint32_t sum;

	for (i = 8; i < sizeof(dgram); i++)
		dgram[i] = i * 5;
	u->src_port = rte_cpu_to_be_16(40000);
	u->dst_port = rte_cpu_to_be_16(7);
	u->dgram_len = rte_cpu_to_be_16(sizeof(dgram));
	u->dgram_cksum = 0;
	memset(&ph, 0, sizeof(ph));
	ph.version_ihl = 0x45;
	ph.total_length = rte_cpu_to_be_16(20 + sizeof(dgram));
	ph.next_proto_id = IPPROTO_UDP;
	ph.src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ph.dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	sum = rte_ipv4_phdr_cksum(&ph, 0) + rte_raw_cksum(dgram, sizeof(dgram));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	u->dgram_cksum = (uint16_t)~sum ? (uint16_t)~sum : 0xffff;

	/* first fragment: IHL 6 with NOP NOP NOP EOL, data [0, 1480) */
	memset(b, 0, sizeof(b));
	eth->dst_addr = lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x46;
	ip->total_length = rte_cpu_to_be_16(24 + 1480);
	ip->packet_id = rte_cpu_to_be_16(0x5151);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = ph.src_addr;
	ip->dst_addr = ph.dst_addr;
	memcpy((uint8_t *)(ip + 1), "\x01\x01\x01\x00", 4);
	memcpy((uint8_t *)ip + 24, dgram, 1480);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	lr_test_rx(lr_test_frame(b, RTE_ETHER_HDR_LEN + 24 + 1480));

	/* last fragment: IHL 5, data [1480, 1608) */
	lr_test_rx(ip_frag(IPPROTO_UDP, dgram + 1480, sizeof(dgram) - 1480, 0x5151, 1480, false));

	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_LEN), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_BAD_CKSUM), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2); /* the 1600-byte echo, fragmented */
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * Ping of death with header options: every fragment ends within 65535 bytes by its
 * own header length (the last has IHL 5), but the first carries a 60-byte header,
 * so the reassembled datagram would be 65575 bytes, more than total_length holds.
 */
static void
test_frag_reassembled_beyond_65535_by_first_header_dropped(void)
{
	enum { ICMP_BIG = 65535 - 20, PIECE = 8192, HL_FIRST = 60 };
	static uint8_t big[ICMP_BIG];
	static uint8_t b[RTE_ETHER_HDR_LEN + HL_FIRST + PIECE];
	struct rte_icmp_hdr *h = (struct rte_icmp_hdr *)big;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	unsigned int i, off;

	for (i = sizeof(*h); i < ICMP_BIG; i++)
		big[i] = (uint8_t)(i * 3);
	h->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	h->icmp_code = 0;
	h->icmp_cksum = 0;
	h->icmp_cksum = ~rte_raw_cksum(big, ICMP_BIG);

	/* first fragment: IHL 15 (40 bytes of NOP options), data [0, 8192) */
	memset(b, 0, sizeof(b));
	eth->dst_addr = lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x40 | HL_FIRST / 4;
	ip->total_length = rte_cpu_to_be_16(HL_FIRST + PIECE);
	ip->packet_id = rte_cpu_to_be_16(0x6565);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	memset(ip + 1, 1, HL_FIRST - sizeof(*ip));
	memcpy((uint8_t *)ip + HL_FIRST, big, PIECE);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	lr_test_rx(lr_test_frame(b, RTE_ETHER_HDR_LEN + HL_FIRST + PIECE));

	/* then IHL 5 fragments; the last ends at exactly 65535 by its own header */
	for (off = PIECE; off < ICMP_BIG; off += PIECE) {
		uint16_t len = (uint16_t)RTE_MIN((unsigned int)PIECE, ICMP_BIG - off);
		lr_test_rx(ip_frag(IPPROTO_ICMP, big + off, len, 0x6565, off, off + len < ICMP_BIG));
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_RX), 8);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TOO_BIG), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_DELIVERED), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	expire_fragments();
	LR_TEST_ASSERT_NO_LEAK();
}

/*
 * Bounds (pools): fragments are copied out of the RX pool they arrive in and charged;
 * buffers, datagrams and the budget are bounded, the oldest datagram goes first.
 */

/* A pool standing in for an RX pool: the stack must not keep its buffers. */
static struct rte_mempool *rx_pool;

static struct rte_mempool *
frag_rx_pool(void)
{
	if (rx_pool == NULL)
		rx_pool = rte_pktmbuf_pool_create("fragtest_rx", 63, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(rx_pool != NULL);
	return rx_pool;
}

/* m moved into an RX-pool mbuf (the test pool's copy freed). */
static struct rte_mbuf *
in_rx_pool(struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, frag_rx_pool(), 0, UINT32_MAX);

	CU_ASSERT_FATAL(c != NULL);
	rte_pktmbuf_free(m);
	return c;
}

/* Fragment i (0 first, 1 middle, 2 last) of the echo as datagram id. */
static struct rte_mbuf *
frag_id(unsigned int i, uint16_t id)
{
	static const uint16_t off[] = { 0, 1480, 2960 }, len[] = { 1480, 1480, 40 };

	return ip_frag(IPPROTO_ICMP, echo + off[i], len[i], id, off[i], i < 2);
}

/* Re-create worker 0's IP state with these bounds. */
static void
reass_bounds(uint32_t max_flows, uint32_t max_bufs)
{
	struct lr_ip_conf c = *lr_ip_config();

	lr_ip_worker_fini(lr_tw);
	c.frag_max_flows = max_flows;
	c.frag_max_bufs = max_bufs;
	lr_ip_configure(&c);
	CU_ASSERT_EQUAL_FATAL(lr_ip_worker_init(lr_tw), 0);
}

static uint64_t
reass_charged(void)
{
	return lr_tw->mem.by_user[LR_MEM_IP_REASS];
}

static void
test_frag_from_rx_pool_copied_charged_uncharged(void)
{
	uint32_t one = (uint32_t)sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE;

	make_echo();
	lr_test_rx(in_rx_pool(frag_n(0)));
	lr_test_rx(in_rx_pool(frag_n(2)));
	/* held as copies: the RX pool is whole again, the budget pays two buffers */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 2);
	CU_ASSERT_EQUAL(reass_charged(), 2 * one);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 2 * one);
	lr_test_rx(in_rx_pool(frag_n(1)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	assert_fragmented_reply();
	CU_ASSERT_EQUAL(reass_charged(), 0);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	LR_TEST_ASSERT_NO_LEAK();

	/* timeout gives the charge back too */
	lr_test_rx(in_rx_pool(frag_n(0)));
	CU_ASSERT_EQUAL(reass_charged(), one);
	expire_fragments();
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 1);
	CU_ASSERT_EQUAL(reass_charged(), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_oldest_evicted_at_buffer_cap(void)
{
	make_echo();
	reass_bounds(64, 5);
	/* A, B, C, D start in that order; B gets its middle: 5 buffers held */
	lr_test_rx(frag_id(0, 0xa));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xb));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xc));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xd));
	lr_test_rx(frag_id(1, 0xb));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 0);
	CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline() + 5);
	/* B's last needs a sixth: A, the oldest, goes; B completes */
	lr_test_rx(frag_id(2, 0xb));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_BAD), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 0);
	/* A's first fragment is gone: its rest cannot complete it */
	lr_test_rx(frag_id(1, 0xa));
	lr_test_rx(frag_id(2, 0xa));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	expire_fragments();
	CU_ASSERT_EQUAL(reass_charged(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_oldest_evicted_at_datagram_cap(void)
{
	make_echo();
	reass_bounds(3, 1024);
	lr_test_rx(frag_id(0, 0xa));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xb));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xc));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xd)); /* a fourth datagram: A goes */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 1);
	lr_test_rx(frag_id(1, 0xb));
	lr_test_rx(frag_id(2, 0xb));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	lr_test_rx(frag_id(1, 0xa));
	lr_test_rx(frag_id(2, 0xa));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	expire_fragments();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_oldest_evicted_at_budget(void)
{
	uint32_t one = (uint32_t)sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE;
	/* no pressure before the hard limit: only the budget's room decides here */
	struct lr_mem_conf c = { .low = one, .pressure = 2 * one + 100, .high = 2 * one + 100 };

	make_echo();
	CU_ASSERT_EQUAL_FATAL(lr_mem_configure(&lr_tw->mem, &c), 0);
	lr_test_rx(frag_id(0, 0xa));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xb));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xc)); /* no room for a third buffer: A goes */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_NOMEM), 0);
	CU_ASSERT_EQUAL(reass_charged(), 2 * one);
	CU_ASSERT(lr_tw->mem.used <= c.high);
	lr_test_rx(frag_id(1, 0xc)); /* B goes, then C is alone with 2 buffers */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 2);
	/* C's last: only C is left to evict; it goes and the last starts anew */
	lr_test_rx(frag_id(2, 0xc));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 4);
	expire_fragments();
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_frag_flood_of_first_fragments_bounded(void)
{
	unsigned int i, max_bufs = lr_ip_config()->frag_max_bufs;
	unsigned int peak = 0;

	make_echo();
	CU_ASSERT_EQUAL(max_bufs, 1024);
	for (i = 0; i < 10000; i++) {
		struct rte_mbuf *m = frag_id(0, (uint16_t)(i + 1));

		lr_test_rx((i & 1) ? in_rx_pool(m) : m);
		peak = RTE_MAX(peak, lr_test_pool_in_use() - lr_test_pool_baseline());
		if (i % 500 == 0)
			lr_test_advance_us(100);
	}
	CU_ASSERT_EQUAL(peak, max_bufs);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 10000 - max_bufs);
	CU_ASSERT_EQUAL(reass_charged(), max_bufs * ((uint64_t)sizeof(struct rte_mbuf) +
			RTE_MBUF_DEFAULT_BUF_SIZE));
	/* a whole fragmented echo still gets through, and a plain ping */
	lr_test_rx(frag_id(0, FRAG_ID));
	lr_test_rx(frag_id(1, FRAG_ID));
	lr_test_rx(frag_id(2, FRAG_ID));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	lr_test_rx(lr_test_icmp_echo(1, 1, "ping", 4));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 2);
	lr_test_tx_clear();
	expire_fragments();
	CU_ASSERT_EQUAL(reass_charged(), 0);
	/* the whole echo evicted three more on its way */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), max_bufs - 3);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Re-create worker 0's IP state with frag_low_bufs = low. */
static void
reass_low(uint32_t low)
{
	struct lr_ip_conf c = *lr_ip_config();

	lr_ip_worker_fini(lr_tw);
	c.frag_low_bufs = low;
	lr_ip_configure(&c);
	CU_ASSERT_EQUAL_FATAL(lr_ip_worker_init(lr_tw), 0);
}

/*
 * Memory pressure (another holder filled the budget): reassembly gives back first, as
 * Linux between ipfrag_high_thresh and ipfrag_low_thresh. A new datagram is refused,
 * the oldest are evicted down to frag_low_bufs (on a fragment and on a tick), a
 * datagram in progress still completes; when pressure ends new datagrams are taken.
 */
static void
test_frag_pressure_refuses_new_and_evicts_oldest_to_low(void)
{
	uint32_t one = (uint32_t)sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE;
	struct lr_mem_conf c = { .low = 4 * one, .pressure = 8 * one, .high = 64 * one };
	uint32_t other = 5 * one;

	make_echo();
	reass_low(3);
	CU_ASSERT_EQUAL_FATAL(lr_mem_configure(&lr_tw->mem, &c), 0);
	/* A, B, C, D start, oldest first: 4 buffers, no pressure */
	lr_test_rx(frag_id(0, 0xa));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xb));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xc));
	lr_test_advance_us(1000);
	lr_test_rx(frag_id(0, 0xd));
	CU_ASSERT_FALSE(lr_mem_pressure(&lr_tw->mem));
	CU_ASSERT_EQUAL(reass_charged(), 4 * one);
	/* another holder takes 5 buffers' worth: 9 >= 8, under pressure */
	lr_mem_charge_force(&lr_tw->mem, lr_tw->stats, LR_MEM_SVC, other);
	CU_ASSERT_TRUE_FATAL(lr_mem_pressure(&lr_tw->mem));
	/* a tick evicts A, the oldest, down to frag_low_bufs (3) */
	lr_test_advance_us(1000);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_EVICTED), 1);
	CU_ASSERT_EQUAL(reass_charged(), 3 * one);
	CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline() + 3);
	/* still under pressure (8 >= low 4): a new datagram E is refused, not copied */
	CU_ASSERT_TRUE_FATAL(lr_mem_pressure(&lr_tw->mem));
	lr_test_rx(in_rx_pool(frag_id(0, 0xe)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_REFUSED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	CU_ASSERT_EQUAL(reass_charged(), 3 * one);
	/* C, in progress, takes its middle (4 buffers); its last evicts B, the oldest,
	 * down to 3 again, and completes C, which is answered */
	lr_test_rx(frag_id(1, 0xc));
	CU_ASSERT_EQUAL(reass_charged(), 4 * one);
	lr_test_rx(frag_id(2, 0xc));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_EVICTED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	/* A's rest cannot start it again under pressure */
	lr_test_rx(frag_id(1, 0xa));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_REFUSED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_EVICTED), 0);
	CU_ASSERT_EQUAL(reass_charged(), one); /* D */
	/* pressure over: E is taken and completes */
	lr_mem_uncharge(&lr_tw->mem, lr_tw->stats, LR_MEM_SVC, other);
	CU_ASSERT_FALSE(lr_mem_pressure(&lr_tw->mem));
	lr_test_rx(frag_id(0, 0xe));
	lr_test_rx(frag_id(1, 0xe));
	lr_test_rx(frag_id(2, 0xe));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_REASSEMBLED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_REFUSED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_PRESSURE_EVICTED), 2);
	lr_test_tx_clear();
	expire_fragments();
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TIMEOUT), 1); /* D */
	CU_ASSERT_EQUAL(reass_charged(), 0);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_frag_ce_fragment_marks_datagram_ce", test_frag_ce_fragment_marks_datagram_ce},
	{"test_frag_not_ect_mixed_with_ect_or_ce_dropped", test_frag_not_ect_mixed_with_ect_or_ce_dropped},
	{"test_frag_in_order_reassembled_and_reply_fragmented",
		test_frag_in_order_reassembled_and_reply_fragmented},
	{"test_frag_reversed_order_reassembled", test_frag_reversed_order_reassembled},
	{"test_frag_middle_first_last_order_reassembled",
		test_frag_middle_first_last_order_reassembled},
	{"test_frag_duplicate_first_fragment_no_crash_no_leak",
		test_frag_duplicate_first_fragment_no_crash_no_leak},
	{"test_frag_duplicate_middle_fragment_no_crash_no_leak",
		test_frag_duplicate_middle_fragment_no_crash_no_leak},
	{"test_frag_overlapping_fragment_no_crash_no_leak",
		test_frag_overlapping_fragment_no_crash_no_leak},
	{"test_frag_incomplete_set_freed_after_timeout",
		test_frag_incomplete_set_freed_after_timeout},
	{"test_frag_beyond_65535_dropped", test_frag_beyond_65535_dropped},
	{"test_frag_unfragmented_with_df_not_counted_as_fragment",
		test_frag_unfragmented_with_df_not_counted_as_fragment},
	{"test_frag_interleaved_datagrams_reassembled_separately",
		test_frag_interleaved_datagrams_reassembled_separately},
	{"test_frag_first_fragment_with_options_arriving_first",
		test_frag_first_fragment_with_options_arriving_first},
	{"test_frag_reassembled_beyond_65535_by_first_header_dropped",
		test_frag_reassembled_beyond_65535_by_first_header_dropped},
	{"test_frag_from_rx_pool_copied_charged_uncharged",
		test_frag_from_rx_pool_copied_charged_uncharged},
	{"test_frag_oldest_evicted_at_buffer_cap", test_frag_oldest_evicted_at_buffer_cap},
	{"test_frag_oldest_evicted_at_datagram_cap", test_frag_oldest_evicted_at_datagram_cap},
	{"test_frag_oldest_evicted_at_budget", test_frag_oldest_evicted_at_budget},
	{"test_frag_flood_of_first_fragments_bounded", test_frag_flood_of_first_fragments_bounded},
	{"test_frag_pressure_refuses_new_and_evicts_oldest_to_low",
		test_frag_pressure_refuses_new_and_evicts_oldest_to_low},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"ip_frag", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
