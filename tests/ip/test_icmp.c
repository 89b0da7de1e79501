/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ip/icmp.c: echo (RFC 792), errors with quoting and the rules of RFC 1122
 * 3.2.2 / RFC 1812 4.3.2.7, token-bucket rate limit.
 */
#include <errno.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "lr_cksum.h"
#include "lr_ip.h"
#include "lr_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN

/* An ICMP message of any type from the peer, valid checksum. */
static struct rte_mbuf *
icmp_msg(uint8_t type, uint8_t code, const void *body, uint16_t len)
{
	uint8_t b[8 + 256];
	struct rte_icmp_hdr *h = (struct rte_icmp_hdr *)b;

	RTE_VERIFY(len <= 256);
	memset(b, 0, sizeof(b));
	h->icmp_type = type;
	h->icmp_code = code;
	memcpy(b + 8, body, len);
	h->icmp_cksum = ~rte_raw_cksum(b, 8 + len);
	return lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_ICMP, b, 8 + len);
}

static void
set_rate(uint32_t rate, uint32_t burst)
{
	struct lr_ip_conf c = *lr_ip_config();

	c.icmp_rate = rate;
	c.icmp_burst = burst;
	lr_ip_worker_fini(lr_tw);
	lr_ip_configure(&c);
	CU_ASSERT_EQUAL_FATAL(lr_ip_worker_init(lr_tw), 0);
}

static void
test_icmp_echo_request_gets_reply(void)
{
	uint8_t data[56];
	struct lr_test_parsed p;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 7;
	lr_test_rx(lr_test_icmp_echo(0x1234, 7, data, sizeof(data)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX_ECHO), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(p.ip->version_ihl, RTE_IPV4_VHL_DEF);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_PEER_IP);
	CU_ASSERT_EQUAL(p.ip->next_proto_id, IPPROTO_ICMP);
	CU_ASSERT_EQUAL(p.ip->time_to_live, lr_ip_config()->ttl);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 20 + 8 + sizeof(data));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->fragment_offset) &
			(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK), 0);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_EQUAL(p.icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL(p.icmp->icmp_code, 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.icmp->icmp_ident), 0x1234);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.icmp->icmp_seq_nb), 7);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(p.payload_len, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(p.payload, data, sizeof(data)), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)), ETH_LEN + 20 + 8 + sizeof(data));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_echo_odd_length_payload(void)
{
	struct lr_test_parsed p;

	lr_test_rx(lr_test_icmp_echo(0xffff, 0xfffe, "abc", 3));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(p.payload_len, 3);
	CU_ASSERT_EQUAL(memcmp(p.payload, "abc", 3), 0);
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.icmp->icmp_ident), 0xffff);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.icmp->icmp_seq_nb), 0xfffe);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_bad_checksum_dropped(void)
{
	struct rte_mbuf *m = lr_test_icmp_echo(1, 1, "ping", 4);
	struct rte_icmp_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, ETH_LEN + 20);

	h->icmp_cksum ^= 0x0100;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_truncated_dropped(void)
{
	uint8_t b[4] = {RTE_IP_ICMP_ECHO_REQUEST, 0, 0, 0};
	uint16_t c = ~rte_raw_cksum(b, 4);

	memcpy(b + 2, &c, 2);
	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_ICMP, b, 4));
	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_ICMP, NULL, 0));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TRUNCATED), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_unhandled_type_dropped(void)
{
	uint8_t ts[12] = {0};

	lr_test_rx(icmp_msg(13, 0, ts, sizeof(ts))); /* timestamp request */
	lr_test_rx(icmp_msg(17, 0, ts, 4));          /* address mask request (RFC 950) */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_UNHANDLED_TYPE), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_echo_reply_consumed_silently(void)
{
	lr_test_rx(icmp_msg(RTE_IP_ICMP_ECHO_REPLY, 0, "pong", 4));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_error_received_is_counted_not_answered(void)
{
	uint8_t quote[28];
	struct rte_mbuf *orig = lr_test_udp(9, 40000, NULL, 0);

	memcpy(quote, rte_pktmbuf_mtod_offset(orig, void *, ETH_LEN), sizeof(quote));
	rte_pktmbuf_free(orig);
	lr_test_rx(icmp_msg(LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT, quote, sizeof(quote)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RX_ERROR), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_UNREACH), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_rate_limit_bursts_then_refills(void)
{
	unsigned int i;

	set_rate(1, 2);
	for (i = 0; i < 5; i++)
		lr_test_rx(lr_test_udp(40000, 5555, "x", 1));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_NO_PORT), 5);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_UNREACH), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RATELIMITED), 3);
	lr_test_tx_clear();

	lr_test_advance_us(1000000);
	lr_test_rx(lr_test_udp(40000, 5555, "x", 1));
	lr_test_rx(lr_test_udp(40000, 5555, "x", 1));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_UNREACH), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RATELIMITED), 4);
	LR_TEST_ASSERT_NO_LEAK();

	/* A long idle period refills to the burst, not beyond. */
	lr_test_advance_us(60 * 1000000ULL);
	for (i = 0; i < 5; i++)
		lr_test_rx(lr_test_udp(40000, 5555, "x", 1));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RATELIMITED), 7);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_rate_zero_sends_no_errors(void)
{
	set_rate(0, 2);
	lr_test_rx(lr_test_udp(40000, 5555, "x", 1));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_NO_PORT), 1);
	/* echo replies are not errors and are not limited */
	lr_test_rx(lr_test_icmp_echo(1, 1, NULL, 0));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* orig with data at the IPv4 header, as lr_icmp_send_error() wants it */
static struct rte_mbuf *
at_l3(struct rte_mbuf *m)
{
	rte_pktmbuf_adj(m, ETH_LEN);
	return m;
}

static void
test_icmp_no_error_about_an_icmp_error(void)
{
	uint8_t quote[28] = {0x45};
	struct rte_mbuf *m;

	m = at_l3(icmp_msg(LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT, quote, sizeof(quote)));
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PROTO),
			-EINVAL);
	rte_pktmbuf_free(m);
	m = at_l3(icmp_msg(11, 0, quote, sizeof(quote))); /* time exceeded */
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PROTO),
			-EINVAL);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);

	/* An error about a query (echo request) is allowed. */
	m = at_l3(lr_test_icmp_echo(1, 1, "ping", 4));
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PROTO), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_no_error_about_fragment_broadcast_or_martian(void)
{
	struct rte_mbuf *m;

	/* not the first fragment */
	m = lr_test_udp(40000, 5555, "x", 1);
	lr_test_ip_of(m)->fragment_offset = rte_cpu_to_be_16(100);
	lr_test_ip_recksum(m);
	at_l3(m);
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT),
			-EINVAL);
	rte_pktmbuf_free(m);
	/* to a broadcast address */
	m = lr_test_udp(40000, 5555, "x", 1);
	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(UINT32_MAX);
	lr_test_ip_recksum(m);
	at_l3(m);
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT),
			-EINVAL);
	rte_pktmbuf_free(m);
	/* to a multicast address */
	m = lr_test_udp(40000, 5555, "x", 1);
	lr_test_ip_of(m)->dst_addr = rte_cpu_to_be_32(RTE_IPV4(224u, 0, 0, 251));
	lr_test_ip_recksum(m);
	at_l3(m);
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT),
			-EINVAL);
	rte_pktmbuf_free(m);
	/* from a source that is not one host */
	m = lr_test_udp(40000, 5555, "x", 1);
	lr_test_ip_of(m)->src_addr = rte_cpu_to_be_32(RTE_IPV4(224u, 0, 0, 1));
	lr_test_ip_recksum(m);
	at_l3(m);
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT),
			-EINVAL);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_RATELIMITED), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_icmp_error_quotes_header_and_8_bytes_only(void)
{
	uint8_t data[100], orig[ETH_LEN + 28];
	struct rte_mbuf *m;
	struct lr_test_parsed p;

	memset(data, 0x5a, sizeof(data));
	m = lr_test_udp(40000, 5555, data, sizeof(data));
	memcpy(orig, rte_pktmbuf_mtod(m, void *), sizeof(orig));
	at_l3(m);
	CU_ASSERT_EQUAL(lr_icmp_send_error(lr_tw, m, LR_ICMP_UNREACH, LR_ICMP_UNREACH_PORT), 0);
	/* orig is not freed by the call */
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), 1);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, void *), orig + ETH_LEN, 28), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(p.icmp->icmp_type, LR_ICMP_UNREACH);
	CU_ASSERT_EQUAL(p.icmp->icmp_code, LR_ICMP_UNREACH_PORT);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 20 + 8 + 28);
	CU_ASSERT_EQUAL_FATAL(p.payload_len, 28);
	CU_ASSERT_EQUAL(memcmp(p.payload, orig + ETH_LEN, 28), 0);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	LR_TEST_ASSERT_NO_LEAK();
}


/* ping -M do -s 8972 to a port at MTU 9000: the 9014-byte request arrives as a chain
 * of buffers, its checksum is verified over all of them, and the reply leaves as one
 * 9000-byte datagram (the same chain), checksum and payload intact. */
static void
test_icmp_echo_8972_chained_at_mtu_9000(void)
{
	static uint8_t data[8972];
	struct lr_test_parsed p;
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + (i >> 8));
	lr_ifaces[0].mtu = 9000;
	m = lr_test_icmp_echo(0x4a55, 3, data, sizeof(data));
	CU_ASSERT(m->nb_segs > 1); /* the input is a chain */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TX), 0);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	m = lr_test_tx_get(0);
	CU_ASSERT(m->nb_segs > 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), ETH_LEN + 9000);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.icmp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.ip->total_length), 9000);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL(p.icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL_FATAL(p.payload_len, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(p.payload, data, sizeof(data)), 0);
	lr_ifaces[0].mtu = 1500;
	LR_TEST_ASSERT_NO_LEAK();
}

/* A bit flipped in the last buffer of a chained 9000-byte request: the checksum
 * covers the whole chain, so it is dropped. */
static void
test_icmp_echo_chained_bad_checksum_in_last_segment_dropped(void)
{
	static uint8_t data[8972];
	struct rte_mbuf *m, *last;

	lr_ifaces[0].mtu = 9000;
	m = lr_test_icmp_echo(1, 1, data, sizeof(data));
	last = rte_pktmbuf_lastseg(m);
	CU_ASSERT_PTR_NOT_EQUAL_FATAL(last, m);
	*rte_pktmbuf_mtod(last, uint8_t *) ^= 0x40;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	lr_ifaces[0].mtu = 1500;
	LR_TEST_ASSERT_NO_LEAK();
}

/* The same request to a port at MTU 1500: the reply is fragmented for the MTU (7
 * fragments of at most 1500 bytes, offsets and payload in order). */
static void
test_icmp_echo_8972_reply_fragmented_at_mtu_1500(void)
{
	static uint8_t data[8972], got[8980];
	struct lr_test_parsed p;
	unsigned int i, off, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 5);
	lr_test_rx(lr_test_icmp_echo(9, 9, data, sizeof(data)));
	n = lr_test_tx_count();
	CU_ASSERT_EQUAL_FATAL(n, 7);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_FRAG_TX), 7);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT(rte_be_to_cpu_16(p.ip->total_length) <= 1500);
		CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
		off = (rte_be_to_cpu_16(p.ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) * 8u;
		CU_ASSERT_EQUAL(!!(rte_be_to_cpu_16(p.ip->fragment_offset) &
				RTE_IPV4_HDR_MF_FLAG), i + 1 < n);
		CU_ASSERT_FATAL(off + rte_be_to_cpu_16(p.ip->total_length) - 20u <= sizeof(got));
		memcpy(got + off, (uint8_t *)p.ip + 20, rte_be_to_cpu_16(p.ip->total_length) - 20u);
	}
	CU_ASSERT_EQUAL(got[0], RTE_IP_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL(lr_cksum(got, sizeof(got)), 0xffff);
	CU_ASSERT_EQUAL(memcmp(got + 8, data, sizeof(data)), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_icmp_echo_request_gets_reply", test_icmp_echo_request_gets_reply},
	{"test_icmp_echo_odd_length_payload", test_icmp_echo_odd_length_payload},
	{"test_icmp_bad_checksum_dropped", test_icmp_bad_checksum_dropped},
	{"test_icmp_truncated_dropped", test_icmp_truncated_dropped},
	{"test_icmp_unhandled_type_dropped", test_icmp_unhandled_type_dropped},
	{"test_icmp_echo_reply_consumed_silently", test_icmp_echo_reply_consumed_silently},
	{"test_icmp_error_received_is_counted_not_answered",
		test_icmp_error_received_is_counted_not_answered},
	{"test_icmp_rate_limit_bursts_then_refills", test_icmp_rate_limit_bursts_then_refills},
	{"test_icmp_rate_zero_sends_no_errors", test_icmp_rate_zero_sends_no_errors},
	{"test_icmp_no_error_about_an_icmp_error", test_icmp_no_error_about_an_icmp_error},
	{"test_icmp_no_error_about_fragment_broadcast_or_martian",
		test_icmp_no_error_about_fragment_broadcast_or_martian},
	{"test_icmp_error_quotes_header_and_8_bytes_only",
		test_icmp_error_quotes_header_and_8_bytes_only},
	{"test_icmp_echo_8972_chained_at_mtu_9000", test_icmp_echo_8972_chained_at_mtu_9000},
	{"test_icmp_echo_chained_bad_checksum_in_last_segment_dropped",
		test_icmp_echo_chained_bad_checksum_in_last_segment_dropped},
	{"test_icmp_echo_8972_reply_fragmented_at_mtu_1500",
		test_icmp_echo_8972_reply_fragmented_at_mtu_1500},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"icmp", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
