/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/eth/arp.c: responder (RFC 826), cache with expiry, resolution with a bounded
 * pending queue and retries, gratuitous ARP (RFC 5227 announcement), and sharing what
 * one worker learns with the others.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_udp.h"
#include "lr_test.h"

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr other_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x09}};

#define MS 1000ULL

static void
reinit_arp(const struct lr_arp_conf *c)
{
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	lr_arp_worker_fini(lr_tw);
	lr_arp_configure(c);
	CU_ASSERT_EQUAL_FATAL(lr_arp_worker_init(lr_tw), 0);
	lr_test_learn_peer();
}

/* Send a small UDP datagram from us to dst (host order) through the whole stack. */
static void
send_udp_to(uint32_t dst, uint16_t dport)
{
	struct rte_mbuf *m = lr_test_data("data", 4);

	lr_udp_send(lr_tw, m, rte_cpu_to_be_32(LR_TEST_OUR_IP), rte_cpu_to_be_16(5000),
			rte_cpu_to_be_32(dst), rte_cpu_to_be_16(dport));
	lr_worker_flush(lr_tw);
}

/* Check frame i is an ARP request from us for tip (host order). */
static void
assert_arp_request_for(unsigned int i, uint32_t tip)
{
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &bcast));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_hardware), RTE_ARP_HRD_ETHER);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_protocol), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(p.arp->arp_hlen, 6);
	CU_ASSERT_EQUAL(p.arp->arp_plen, 4);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REQUEST);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_sha, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_sip), LR_TEST_OUR_IP);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_tha, &zero_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), tip);
}

static unsigned int
count_arp_requests(void)
{
	unsigned int i, n = 0;
	struct lr_test_parsed p;

	for (i = 0; i < lr_test_tx_count(); i++)
		if (lr_test_parse(lr_test_tx_get(i), &p) == 0 && p.arp != NULL &&
				rte_be_to_cpu_16(p.arp->arp_opcode) == RTE_ARP_OP_REQUEST)
			n++;
	return n;
}

static struct rte_mbuf *
arp_bytes(struct rte_arp_hdr **arp)
{
	struct rte_mbuf *m = lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP);

	*arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
	return m;
}

struct state_ctx {
	rte_be32_t ip;
	int state;
};

static int
state_cb(const struct lr_arp_entry_info *e, void *arg)
{
	struct state_ctx *c = arg;

	if (e->ip == c->ip)
		c->state = e->state;
	return 0;
}

/* State of ip (host order) in worker 0's cache, 0 if absent. */
static int
entry_state(uint32_t ip)
{
	struct state_ctx c = { rte_cpu_to_be_32(ip), 0 };

	lr_arp_walk(lr_tw, state_cb, &c);
	return c.state;
}

/* ---- responder ---- */

static void
test_arp_request_for_us_gets_reply(void)
{
	struct rte_ether_addr mac;
	struct lr_test_parsed p;

	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_hardware), RTE_ARP_HRD_ETHER);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_protocol), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(p.arp->arp_hlen, 6);
	CU_ASSERT_EQUAL(p.arp->arp_plen, 4);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REPLY);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_sha, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_sip), LR_TEST_OUR_IP);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_tha, &other_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), LR_TEST_OTHER_IP);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_RX_REQUEST), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REPLY), 1);

	/* RFC 826: the target adds the requester to its table. */
	memset(&mac, 0, sizeof(mac));
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &other_mac));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_LEARNED), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A request padded to a frame a scattering PMD split in two: the reply is the
 * 28-byte ARP packet alone, not the padding of the second segment. */
static void
test_arp_request_split_across_segments_reply_trimmed(void)
{
	uint8_t b[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr) + 100];
	struct rte_mbuf *m = lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP);
	struct lr_test_parsed p;

	memset(b, 0x5a, sizeof(b));
	memcpy(b, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
	lr_test_rx(lr_test_frame_split(b, sizeof(b), sizeof(b) - 60));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(lr_test_tx_get(0)),
			RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REPLY);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), LR_TEST_OTHER_IP);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_request_unicast_to_us_gets_reply(void)
{
	/* A unicast request (cache refresh, RFC 1122 2.3.2.1) is answered too. */
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REPLY), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_request_for_other_ip_not_for_us(void)
{
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, RTE_IPV4(198u, 18, 0, 77)));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_NOT_FOR_US), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	/* RFC 826: a new sender is only added when we are the target. */
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_request_for_other_ip_updates_known_sender(void)
{
	static const struct rte_ether_addr new_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x11}};
	struct rte_ether_addr mac;

	/* RFC 826 merge: an entry we already hold is updated whatever the target. */
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &new_mac, LR_TEST_PEER_IP,
			&zero_mac, RTE_IPV4(198u, 18, 0, 77)));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &new_mac));
	LR_TEST_ASSERT_NO_LEAK();
}

/* [port.N] ip_count: the interface answers for 198.18.0.2 .. 198.18.0.17; a request
 * for any of them (the middle, the last) is answered with that address as sender,
 * one past the range is not for us. */
static void
test_arp_request_in_address_range_gets_reply(void)
{
	static const uint32_t asked[] = { RTE_IPV4(198u, 18, 0, 10), RTE_IPV4(198u, 18, 0, 17) };
	const uint32_t asker = RTE_IPV4(198u, 18, 0, 100); /* outside the range */
	struct lr_test_parsed p;
	unsigned int i;

	lr_ifaces[0].ip_count = 16;
	for (i = 0; i < RTE_DIM(asked); i++) {
		lr_test_tx_clear();
		lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, asker,
				&zero_mac, asked[i]));
		CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REPLY);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_sha,
				&lr_test_our_mac));
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_sip), asked[i]);
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), asker);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REPLY), 2);
	/* the requester was learned: the request was for us */
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(asker), NULL));
	lr_test_tx_clear();
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, asker,
			&zero_mac, RTE_IPV4(198u, 18, 0, 18)));
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, asker,
			&zero_mac, RTE_IPV4(198u, 18, 0, 1)));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_NOT_FOR_US), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A sender claiming one of our range's addresses is refused like one claiming ours. */
static void
test_arp_sender_in_our_range_dropped(void)
{
	lr_ifaces[0].ip_count = 16;
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, RTE_IPV4(198u, 18, 0, 12),
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_SENDER), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 12)), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_bad_hlen_plen_htype_ptype_bad_format(void)
{
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	m = arp_bytes(&arp);
	arp->arp_hlen = 8;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_FORMAT), 1);

	m = arp_bytes(&arp);
	arp->arp_plen = 16;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_FORMAT), 2);

	m = arp_bytes(&arp);
	arp->arp_hardware = rte_cpu_to_be_16(6); /* IEEE 802 */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_FORMAT), 3);

	m = arp_bytes(&arp);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_FORMAT), 4);

	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_truncated_dropped(void)
{
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m = arp_bytes(&arp);

	rte_pktmbuf_trim(m, 8); /* 20 bytes of ARP: no target fields */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TRUNCATED), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_bad_op_dropped(void)
{
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m = arp_bytes(&arp);

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST);
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_OP), 1);
	m = arp_bytes(&arp);
	arp->arp_opcode = 0;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_OP), 2);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_bad_sender_dropped(void)
{
	static const struct rte_ether_addr mc = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	m = arp_bytes(&arp);
	arp->arp_data.arp_sha = bcast;
	lr_test_rx(m);
	m = arp_bytes(&arp);
	arp->arp_data.arp_sha = mc;
	lr_test_rx(m);
	m = arp_bytes(&arp);
	arp->arp_data.arp_sha = lr_test_our_mac;
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_BAD_SENDER), 3);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_gratuitous_is_broadcast_announcement(void)
{
	struct lr_test_parsed p;

	lr_arp_send_gratuitous(lr_tw, lr_iface_get(0));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &bcast));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REQUEST);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_sha, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_sip), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), LR_TEST_OUR_IP);
	/* RFC 5227 2.3: target hardware address ignored, SHOULD be zero. */
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.arp->arp_data.arp_tha, &zero_mac));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_GRATUITOUS), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* ---- resolution ---- */

static void
test_arp_unknown_host_queues_packet_and_sends_request(void)
{
	struct lr_test_parsed p;
	struct rte_ether_addr mac;

	send_udp_to(LR_TEST_OTHER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_arp_request_for(0, LR_TEST_OTHER_IP);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 1);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	lr_test_tx_clear();

	/* A second packet waits too, without a second request. */
	send_udp_to(LR_TEST_OTHER_IP, 7778);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 2);

	/* The reply releases both, in order, with the learned MAC. */
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_RX_REPLY), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 2);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->src_addr, &lr_test_our_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.eth->ether_type), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->dst_addr), LR_TEST_OTHER_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.ip->src_addr), LR_TEST_OUR_IP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 7777);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	CU_ASSERT_EQUAL(memcmp(p.payload, "data", 4), 0);
	CU_ASSERT_TRUE(lr_test_ip_cksum_ok(&p));
	CU_ASSERT_TRUE(lr_test_l4_cksum_ok(&p));
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(1), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 7778);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));

	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &other_mac));
	LR_TEST_ASSERT_NO_LEAK();

	/* Resolved: the next packet leaves at once. */
	send_udp_to(LR_TEST_OTHER_IP, 7779);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL(p.udp);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_request_from_unknown_host_releases_queued_packets(void)
{
	/* Its request for us teaches us its MAC just as a reply would. */
	send_udp_to(LR_TEST_OTHER_IP, 7777);
	lr_test_tx_clear();
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2); /* our reply + the released datagram */
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_no_reply_retries_then_drops_unresolved(void)
{
	const struct lr_arp_conf *c = &lr_arp_conf_default;
	uint64_t t0 = lr_tw->now_us, step = 100 * MS, t, fail_at = 0;
	uint64_t req_at[16];
	unsigned int nreq = 0, i, last = 0;

	send_udp_to(LR_TEST_OTHER_IP, 7777);
	send_udp_to(LR_TEST_OTHER_IP, 7778);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 2);
	req_at[nreq++] = 0;
	last = lr_test_tx_count();
	for (t = step; t <= (uint64_t)(c->retries + 2) * c->retry_ms * MS; t += step) {
		lr_test_advance_us(step);
		for (i = last; i < lr_test_tx_count(); i++) {
			assert_arp_request_for(i, LR_TEST_OTHER_IP);
			if (nreq < RTE_DIM(req_at))
				req_at[nreq++] = lr_tw->now_us - t0;
		}
		last = lr_test_tx_count();
		if (fail_at == 0 && lr_test_stat(LR_STAT_arp_UNRESOLVED) != 0)
			fail_at = lr_tw->now_us - t0;
	}
	CU_ASSERT_EQUAL(nreq, c->retries);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), c->retries);
	for (i = 1; i < nreq && i < RTE_DIM(req_at); i++) {
		/* one request every retry_ms */
		CU_ASSERT(req_at[i] >= (uint64_t)i * c->retry_ms * MS);
		CU_ASSERT(req_at[i] <= (uint64_t)i * c->retry_ms * MS + step);
	}
	/* Given up one retry interval after the last request. */
	CU_ASSERT(fail_at >= (uint64_t)c->retries * c->retry_ms * MS);
	CU_ASSERT(fail_at <= (uint64_t)c->retries * c->retry_ms * MS + step);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_RESOLVE_FAILED), 1);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	LR_TEST_ASSERT_NO_LEAK();

	/* A later packet starts a fresh resolution. */
	send_udp_to(LR_TEST_OTHER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_arp_request_for(0, LR_TEST_OTHER_IP);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), c->retries + 1);
}

static void
test_arp_pending_queue_bounded(void)
{
	const struct lr_arp_conf *c = &lr_arp_conf_default;
	unsigned int i;

	for (i = 0; i < c->pending_max + 1; i++)
		send_udp_to(LR_TEST_OTHER_IP, 7000 + i);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), c->pending_max);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PENDING_FULL), 1);
	CU_ASSERT_EQUAL(count_arp_requests(), 1);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline() + c->pending_max);
	/* what waits is charged to the worker's budget by its buffers */
	CU_ASSERT(lr_tw->mem.by_user[LR_MEM_ARP_QUEUE] >= c->pending_max * 2048u);

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), c->pending_max);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_ARP_QUEUE], 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Past the budget's hard limit nothing more is queued (a counted drop), and what was
 * charged comes back when resolution fails. */
static void
test_arp_pending_refused_past_memory_budget(void)
{
	struct lr_mem_conf mc = { .low = 0, .pressure = 0, .high = 3000 };
	unsigned int i;

	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	send_udp_to(LR_TEST_OTHER_IP, 7000);
	send_udp_to(LR_TEST_OTHER_IP, 7001);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PENDING_NOMEM), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_REFUSED), 1);
	for (i = 0; i < 600 && lr_test_stat(LR_STAT_arp_UNRESOLVED) == 0; i++)
		lr_test_advance_us(100 * MS);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), 1);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* An entry nobody uses goes STALE after timeout_ms (MAC still usable), and is
 * removed stale_ms later (Linux gc_stale_time). */
static void
test_arp_unused_entry_goes_stale_then_removed(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;

	c.timeout_ms = 5000;
	c.stale_ms = 3000;
	reinit_arp(&c);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_REACHABLE);
	lr_test_advance_us(4000 * MS);
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_REACHABLE);
	lr_test_advance_us(1500 * MS);
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_STALE);
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_STALE), 2);  /* the peer too */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), 0);
	lr_test_advance_us(3500 * MS);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), NULL));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EXPIRED), 2);
	CU_ASSERT_EQUAL(count_arp_requests(), 0);      /* unused: never probed */

	/* Traffic to a removed host resolves again. */
	lr_test_tx_clear();
	send_udp_to(LR_TEST_OTHER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_arp_request_for(0, LR_TEST_OTHER_IP);
	lr_test_tx_clear();
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Check frame i is a datagram to OTHER sent at once with its cached MAC. */
static void
assert_udp_to_other(unsigned int i)
{
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));
}

/* Check frame i is a probe for OTHER: unicast to its cached MAC, or broadcast. */
static void
assert_probe(unsigned int i, bool unicast)
{
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.arp);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.arp->arp_opcode), RTE_ARP_OP_REQUEST);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(p.arp->arp_data.arp_tip), LR_TEST_OTHER_IP);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, unicast ? &other_mac : &bcast));
}

/* Linux NUD: an entry in use past its reachable time keeps sending with its MAC
 * (STALE -> DELAY), is probed by unicast after delay_ms, and an answer makes it
 * REACHABLE again: no packet waits, none is dropped. */
static void
test_arp_entry_in_use_refreshed_without_stall(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;

	c.timeout_ms = 5000;
	c.delay_ms = 1000;
	c.retry_ms = 1000;
	reinit_arp(&c);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	lr_test_advance_us(5000 * MS);
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_STALE);
	send_udp_to(LR_TEST_OTHER_IP, 7777);            /* leaves at once */
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_udp_to_other(0);
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_DELAY);
	lr_test_tx_clear();
	lr_test_advance_us(500 * MS);
	send_udp_to(LR_TEST_OTHER_IP, 7778);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_udp_to_other(0);
	lr_test_tx_clear();
	lr_test_advance_us(500 * MS);                   /* delay over: unicast probe */
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_PROBE);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_probe(0, true);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_PROBE), 1);
	lr_test_tx_clear();
	send_udp_to(LR_TEST_OTHER_IP, 7779);            /* probing: still at once */
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_udp_to_other(0);
	lr_test_tx_clear();
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(entry_state(LR_TEST_OTHER_IP), LR_ARP_REACHABLE);
	lr_test_advance_us(4000 * MS);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);         /* confirmed: no more probes */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Unanswered: ucast_probes unicast probes, then mcast_probes broadcast ones, one
 * every retry_ms, traffic flowing all along; then the entry is removed. */
static void
test_arp_entry_in_use_removed_after_probes_fail(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	unsigned int i;

	c.timeout_ms = 5000;
	c.delay_ms = 1000;
	c.retry_ms = 1000;
	c.ucast_probes = 2;
	c.mcast_probes = 1;
	reinit_arp(&c);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_advance_us(5000 * MS);
	send_udp_to(LR_TEST_OTHER_IP, 7777);
	lr_test_tx_clear();
	for (i = 0; i < 3; i++) {
		lr_test_advance_us(1000 * MS);
		CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
		assert_probe(0, i < 2);
		lr_test_tx_clear();
		send_udp_to(LR_TEST_OTHER_IP, 7000 + i);
		CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
		assert_udp_to_other(0);
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_PROBE), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PROBE_FAILED), 0);
	lr_test_advance_us(1000 * MS);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PROBE_FAILED), 1);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	/* gone: the next packet resolves afresh */
	send_udp_to(LR_TEST_OTHER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_arp_request_for(0, LR_TEST_OTHER_IP);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 1);
}

static void
test_arp_refresh_extends_entry(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;

	c.timeout_ms = 5000;
	reinit_arp(&c);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_advance_us(4000 * MS);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_advance_us(4000 * MS);
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_LEARNED), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_arp_table_full_drops_packets(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	unsigned int i, n = 64;

	c.table_size = 8;
	reinit_arp(&c);
	/* The peer holds one slot; fill the rest with resolutions in progress. */
	for (i = 0; i < n; i++)
		send_udp_to(RTE_IPV4(198u, 18, 0, 100 + i), 7777);
	/* 7 or 8 in progress, depending on whether the resolved peer may be evicted */
	CU_ASSERT(lr_test_stat(LR_STAT_arp_QUEUED) >= c.table_size - 1);
	CU_ASSERT(lr_test_stat(LR_STAT_arp_QUEUED) <= c.table_size);
	CU_ASSERT(lr_test_stat(LR_STAT_arp_TABLE_FULL) >= n - c.table_size);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED) + lr_test_stat(LR_STAT_arp_TABLE_FULL),
			n);
	CU_ASSERT_EQUAL(count_arp_requests(), lr_test_stat(LR_STAT_arp_QUEUED));

	/* Everything queued is freed when resolution fails. */
	for (i = 0; i < 50; i++)
		lr_test_advance_us(100 * MS);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), lr_test_stat(LR_STAT_arp_QUEUED));
	LR_TEST_ASSERT_NO_LEAK();
}

/* Only on-link senders are learned: a request from outside 198.18.0.0/24 is
 * neither answered nor learned. */
static void
test_arp_off_link_sender_not_learned(void)
{
	const uint32_t far = RTE_IPV4(198u, 18, 5, 5);

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, far, &zero_mac,
			LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_NOT_ON_LINK), 1);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(far), NULL));
	LR_TEST_ASSERT_NO_LEAK();
}

/* No entry from what we did not ask for (Linux arp_accept = 0): an unsolicited
 * reply or a gratuitous ARP from an unknown host creates nothing. */
static void
test_arp_unsolicited_reply_and_gratuitous_not_learned(void)
{
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OTHER_IP));
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_LEARNED), 0);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A full cache evicts its least recently used entry instead of refusing. */
static void
test_arp_full_table_evicts_least_recently_used(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	uint32_t i, cap;

	c.table_size = 8;
	reinit_arp(&c);                  /* the peer holds one slot, used at t0 */
	/* learn hosts .100.. one ms apart until the table is full */
	for (i = 0; i < 64 && lr_test_stat(LR_STAT_arp_EVICTED) == 0; i++) {
		lr_test_advance_us(MS);
		lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac,
				RTE_IPV4(198u, 18, 0, 100 + i), &zero_mac, LR_TEST_OUR_IP));
	}
	cap = i;                         /* the i-th learn evicted one */
	CU_ASSERT(cap >= 7);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EVICTED), 1);
	/* the peer was least recently used: gone; the newest is in */
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), NULL));
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 100 + cap - 1)),
			NULL));
	/* sending to .100 makes it recent: the next learn evicts .101 instead */
	send_udp_to(RTE_IPV4(198u, 18, 0, 100), 7777);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, RTE_IPV4(198u, 18, 0, 200),
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_EVICTED), 2);
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 100)), NULL));
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 101)), NULL));
	CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 200)), NULL));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TABLE_FULL), 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
}

/* Datagrams to two resolved next hops in turn: each leaves with its own MAC (the
 * lookup's one-entry cache answers only for its own address). */
static void
test_arp_alternating_next_hops_each_own_mac(void)
{
	struct lr_test_parsed p;
	unsigned int i;

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	for (i = 0; i < 6; i++)
		send_udp_to(i % 2 ? LR_TEST_OTHER_IP : LR_TEST_PEER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 6);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr,
				i % 2 ? &other_mac : &lr_test_peer_mac));
	}
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
}

/* Besides 8 per address, at most pending_total packets wait per worker. */
static void
test_arp_pending_total_bounded_per_worker(void)
{
	struct lr_arp_conf c = lr_arp_conf_default;
	unsigned int i;

	c.pending_total = 10;
	reinit_arp(&c);
	for (i = 0; i < 8; i++)
		send_udp_to(RTE_IPV4(198u, 18, 0, 100), 7000 + i);
	for (i = 0; i < 8; i++)
		send_udp_to(RTE_IPV4(198u, 18, 0, 101), 7000 + i);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 10);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PENDING_LIMIT), 6);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_PENDING_FULL), 0);
	CU_ASSERT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline() + 10 + count_arp_requests());
	lr_test_tx_clear();
	/* the first address answers: its 8 leave and make room */
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac,
			RTE_IPV4(198u, 18, 0, 100), &lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 8);
	lr_test_tx_clear();
	send_udp_to(RTE_IPV4(198u, 18, 0, 102), 7000);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_QUEUED), 11);
	/* failed resolutions give their room back too */
	for (i = 0; i < 50; i++)
		lr_test_advance_us(100 * MS);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), 3);
	LR_TEST_ASSERT_NO_LEAK();
}

struct walk_ctx {
	unsigned int n;
	struct lr_arp_entry_info e[8];
};

static int
walk_cb(const struct lr_arp_entry_info *e, void *arg)
{
	struct walk_ctx *w = arg;

	if (w->n < RTE_DIM(w->e))
		w->e[w->n] = *e;
	w->n++;
	return 0;
}

static void
test_arp_walk_reports_entries(void)
{
	const struct lr_arp_conf *c = &lr_arp_conf_default;
	struct walk_ctx ctx;
	unsigned int i, seen_peer = 0, seen_other = 0;

	send_udp_to(LR_TEST_OTHER_IP, 7777);
	memset(&ctx, 0, sizeof(ctx));
	CU_ASSERT_EQUAL(lr_arp_walk(lr_tw, walk_cb, &ctx), 2);
	CU_ASSERT_EQUAL_FATAL(ctx.n, 2);
	for (i = 0; i < ctx.n; i++) {
		const struct lr_arp_entry_info *e = &ctx.e[i];

		CU_ASSERT_EQUAL(e->port_id, 0);
		CU_ASSERT_EQUAL(e->worker, 0);
		if (e->ip == rte_cpu_to_be_32(LR_TEST_PEER_IP)) {
			seen_peer++;
			CU_ASSERT_EQUAL(e->state, LR_ARP_REACHABLE);
			CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->mac, &lr_test_peer_mac));
			CU_ASSERT_EQUAL(e->expires_us, lr_tw->now_us + (uint64_t)c->timeout_ms * MS);
			CU_ASSERT_EQUAL(e->pending, 0);
		} else if (e->ip == rte_cpu_to_be_32(LR_TEST_OTHER_IP)) {
			seen_other++;
			CU_ASSERT_EQUAL(e->state, LR_ARP_INCOMPLETE);
			CU_ASSERT_EQUAL(e->pending, 1);
			CU_ASSERT_EQUAL(e->tries, 1);
		}
	}
	CU_ASSERT_EQUAL(seen_peer, 1);
	CU_ASSERT_EQUAL(seen_other, 1);
}


/* ---- sharing between workers: replicas fed by the worker that learns ---- */

/* A second worker with its own ARP cache, sending through the same recorder. */
static struct lr_worker *
second_worker(void)
{
	struct lr_worker *w1 = &lr_workers[1];

	CU_ASSERT_EQUAL_FATAL(lr_worker_init(w1, 1, lr_test_pool), 0);
	w1->tx_fn = lr_tw->tx_fn;
	w1->now_us = lr_tw->now_us;
	CU_ASSERT_EQUAL_FATAL(lr_arp_worker_init(w1), 0);
	return w1;
}

static void
second_worker_fini(struct lr_worker *w1)
{
	lr_worker_flush(w1);
	lr_arp_worker_fini(w1);
	lr_worker_flush(w1);
	lr_test_tx_clear();
}

/* Feed a frame to worker w (like lr_test_rx() for worker 0). */
static void
rx_on(struct lr_worker *w, struct rte_mbuf *m)
{
	m->port = 0;
	lr_eth_input(w, m);
	lr_worker_flush(w);
}

/* What worker 1 learns from a request for us, worker 0 knows after a sync, uncounted. */
static void
test_arp_learned_on_one_worker_reaches_the_others(void)
{
	struct lr_worker *w1 = second_worker();
	struct rte_ether_addr mac;

	rx_on(w1, lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	CU_ASSERT_TRUE(lr_arp_lookup(w1, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	lr_arp_sync(lr_tw);
	CU_ASSERT_TRUE_FATAL(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(LR_TEST_OTHER_IP), &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &other_mac));
	/* learned once (on worker 1's counters), replicated without counting again */
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_LEARNED), 0);
	CU_ASSERT_EQUAL(lr_stats_blocks[1].v[LR_STAT_arp_LEARNED], 1);
	/* a second sync has nothing new */
	lr_arp_sync(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);      /* worker 1's reply only */
	second_worker_fini(w1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Worker 0 asks; the reply reaches worker 1; worker 0's queued packet leaves. */
static void
test_arp_reply_on_other_worker_releases_queued_packets(void)
{
	struct lr_worker *w1 = second_worker();
	struct lr_test_parsed p;

	send_udp_to(LR_TEST_OTHER_IP, 7777);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	assert_arp_request_for(0, LR_TEST_OTHER_IP);
	lr_test_tx_clear();
	rx_on(w1, lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	lr_test_advance_us(10 * MS);                  /* the tick syncs */
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.udp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.udp->dst_port), 7777);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_UNRESOLVED), 0);
	/* worker 0 knows the reply answered its request: worker 1 now replicates it */
	lr_arp_sync(w1);
	CU_ASSERT_TRUE(lr_arp_lookup(w1, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	lr_test_tx_clear();
	second_worker_fini(w1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* The reply to worker 0's request, received by worker 0, reaches every worker's
 * cache: the others need not ask themselves. */
static void
test_arp_solicited_reply_replicated_to_other_workers(void)
{
	struct lr_worker *w1 = second_worker();

	send_udp_to(LR_TEST_OTHER_IP, 7777);
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REPLY, &lr_test_our_mac, &other_mac, LR_TEST_OTHER_IP,
			&lr_test_our_mac, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	lr_arp_sync(w1);
	CU_ASSERT_TRUE(lr_arp_lookup(w1, rte_cpu_to_be_32(LR_TEST_OTHER_IP), NULL));
	second_worker_fini(w1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A miss looks at the other workers first: no request when one of them knows. */
static void
test_arp_miss_uses_what_another_worker_learned(void)
{
	struct lr_worker *w1 = second_worker();
	struct lr_test_parsed p;

	rx_on(w1, lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, LR_TEST_OTHER_IP,
			&zero_mac, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	send_udp_to(LR_TEST_OTHER_IP, 7778);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_PTR_NOT_NULL(p.udp);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &other_mac));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REQUEST), 0);
	lr_test_tx_clear();
	second_worker_fini(w1);
	LR_TEST_ASSERT_NO_LEAK();
}

/* A reader lapped by a writer skips what was overwritten and keeps the newest. */
static void
test_arp_lapped_reader_keeps_newest(void)
{
	struct lr_worker *w1 = second_worker();
	uint32_t i, n = 600, ip;

	lr_ifaces[0].netmask = RTE_BE32(0xffff0000);  /* 198.18.0.0/16: all on-link */
	lr_ifaces[0].prefix_len = 16;
	for (i = 0; i < n; i++) {
		ip = RTE_IPV4(198u, 18, 4 + i / 200, 1 + i % 200);
		rx_on(w1, lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &other_mac, ip, &zero_mac,
				LR_TEST_OUR_IP));
		lr_test_tx_clear();
	}
	lr_arp_sync(lr_tw);
	for (i = n - 200; i < n; i++) {
		ip = RTE_IPV4(198u, 18, 4 + i / 200, 1 + i % 200);
		CU_ASSERT_TRUE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(ip), NULL));
	}
	CU_ASSERT_FALSE(lr_arp_lookup(lr_tw, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 4, 1)), NULL));
	second_worker_fini(w1);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"test_arp_request_for_us_gets_reply", test_arp_request_for_us_gets_reply},
	{"test_arp_request_unicast_to_us_gets_reply", test_arp_request_unicast_to_us_gets_reply},
	{"test_arp_request_split_across_segments_reply_trimmed",
		test_arp_request_split_across_segments_reply_trimmed},
	{"test_arp_request_for_other_ip_not_for_us", test_arp_request_for_other_ip_not_for_us},
	{"test_arp_request_for_other_ip_updates_known_sender",
		test_arp_request_for_other_ip_updates_known_sender},
	{"test_arp_request_in_address_range_gets_reply",
		test_arp_request_in_address_range_gets_reply},
	{"test_arp_sender_in_our_range_dropped", test_arp_sender_in_our_range_dropped},
	{"test_arp_bad_hlen_plen_htype_ptype_bad_format",
		test_arp_bad_hlen_plen_htype_ptype_bad_format},
	{"test_arp_truncated_dropped", test_arp_truncated_dropped},
	{"test_arp_bad_op_dropped", test_arp_bad_op_dropped},
	{"test_arp_bad_sender_dropped", test_arp_bad_sender_dropped},
	{"test_arp_gratuitous_is_broadcast_announcement",
		test_arp_gratuitous_is_broadcast_announcement},
	{"test_arp_unknown_host_queues_packet_and_sends_request",
		test_arp_unknown_host_queues_packet_and_sends_request},
	{"test_arp_request_from_unknown_host_releases_queued_packets",
		test_arp_request_from_unknown_host_releases_queued_packets},
	{"test_arp_no_reply_retries_then_drops_unresolved",
		test_arp_no_reply_retries_then_drops_unresolved},
	{"test_arp_pending_queue_bounded", test_arp_pending_queue_bounded},
	{"test_arp_pending_refused_past_memory_budget", test_arp_pending_refused_past_memory_budget},
	{"test_arp_unused_entry_goes_stale_then_removed",
		test_arp_unused_entry_goes_stale_then_removed},
	{"test_arp_entry_in_use_refreshed_without_stall",
		test_arp_entry_in_use_refreshed_without_stall},
	{"test_arp_entry_in_use_removed_after_probes_fail",
		test_arp_entry_in_use_removed_after_probes_fail},
	{"test_arp_refresh_extends_entry", test_arp_refresh_extends_entry},
	{"test_arp_table_full_drops_packets", test_arp_table_full_drops_packets},
	{"test_arp_off_link_sender_not_learned", test_arp_off_link_sender_not_learned},
	{"test_arp_unsolicited_reply_and_gratuitous_not_learned",
		test_arp_unsolicited_reply_and_gratuitous_not_learned},
	{"test_arp_alternating_next_hops_each_own_mac",
		test_arp_alternating_next_hops_each_own_mac},
	{"test_arp_full_table_evicts_least_recently_used",
		test_arp_full_table_evicts_least_recently_used},
	{"test_arp_pending_total_bounded_per_worker", test_arp_pending_total_bounded_per_worker},
	{"test_arp_walk_reports_entries", test_arp_walk_reports_entries},
	{"test_arp_learned_on_one_worker_reaches_the_others",
		test_arp_learned_on_one_worker_reaches_the_others},
	{"test_arp_reply_on_other_worker_releases_queued_packets",
		test_arp_reply_on_other_worker_releases_queued_packets},
	{"test_arp_solicited_reply_replicated_to_other_workers",
		test_arp_solicited_reply_replicated_to_other_workers},
	{"test_arp_miss_uses_what_another_worker_learned",
		test_arp_miss_uses_what_another_worker_learned},
	{"test_arp_lapped_reader_keeps_newest", test_arp_lapped_reader_keeps_newest},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"arp", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
