/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_input.c: validation (length, data offset, checksum, flags), option parsing
 * with hostile lengths, RSTs for closed ports and the listener's answers.
 */
#include <string.h>

#include "tcp_test.h"

static uint8_t bulk[3000];

/* SYN with the given option bytes to the listener, ACK of the SYN-ACK, then 1000
 * bytes from the appliance: the segment sizes show the MSS it uses. */
static struct lr_tcp_conn *
open_with_syn_options(const uint8_t *opts, uint8_t optlen)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opts, optlen, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	return tt_app.conn;
}

static void
expect_segments_of(struct lr_tcp_conn *c, uint16_t first, uint16_t second)
{
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, (uint32_t)first + second), first + second);
	tt_flush();
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001, 1001, first);
	TT_EXPECT(1, TT_ACK | TT_PSH, 8001u + first, 1001, second);
}

/* RFC 9293 §3.7.1: no MSS option -> 536. */
static void
test_tcp_mss_absent_uses_536(void)
{
	struct lr_tcp_conn *c = open_with_syn_options(NULL, 0);

	expect_segments_of(c, 536, 464);
	TT_ASSERT_NO_LEAK();
}

/* The peer's MSS is used when below ours. */
static void
test_tcp_mss_option_respected(void)
{
	const uint8_t opt[] = { 2, 4, 0x03, 0xe8 }; /* 1000 */
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	expect_segments_of(c, 1000, 500);
	TT_ASSERT_NO_LEAK();
}

/* A peer MSS above our MTU - 40 is clamped to ours. */
static void
test_tcp_mss_clamped_to_our_mtu(void)
{
	const uint8_t opt[] = { 2, 4, 0x23, 0x28 }; /* 9000 */
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	expect_segments_of(c, 1460, 40);
	TT_ASSERT_NO_LEAK();
}

/* MSS found after NOP, timestamps, SACK-permitted and window scale; timestamps are
 * then in use, so a segment carries 1000 - 12 bytes (RFC 7323 §3.2 / RFC 6691). */
static void
test_tcp_options_mss_after_ts_sack_ws(void)
{
	const uint8_t opt[] = {
		1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, /* NOP NOP TS */
		4, 2,                                /* SACK permitted */
		1, 3, 3, 7,                          /* NOP WS 7 */
		2, 4, 0x03, 0xe8,                    /* MSS 1000 */
	};
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	expect_segments_of(c, 988, 212);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 0);
	TT_ASSERT_NO_LEAK();
}

/* An option of length 0 would loop forever: parsing stops, counted; the MSS
 * behind it is not seen (536). */
static void
test_tcp_option_zero_length_stops_parsing(void)
{
	const uint8_t opt[] = { 1, 8, 0, 1, 2, 4, 0x03, 0xe8 };
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 1);
	expect_segments_of(c, 536, 100);
	TT_ASSERT_NO_LEAK();
}

/* An option whose length runs past the header: parsing stops, counted. */
static void
test_tcp_option_overlong_stops_parsing(void)
{
	const uint8_t opt[] = { 2, 40, 0x03, 0xe8 };
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 1);
	expect_segments_of(c, 536, 1);
	TT_ASSERT_NO_LEAK();
}

/* A kind byte with no room for its length at the end of the list. */
static void
test_tcp_option_kind_without_length(void)
{
	const uint8_t opt[] = { 2, 4, 0x03, 0xe8, 1, 1, 1, 2 };
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 1);
	expect_segments_of(c, 1000, 1); /* the MSS before it counts */
	TT_ASSERT_NO_LEAK();
}

/* An MSS option with a wrong length is ignored, the rest parsed. */
static void
test_tcp_option_mss_wrong_length_ignored(void)
{
	const uint8_t opt[] = { 2, 3, 0x03, 1, 2, 4, 0x02, 0x58, 0 }; /* then MSS 600, EOL */
	struct lr_tcp_conn *c = open_with_syn_options(opt, sizeof(opt));

	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_OPT_MALFORMED), 0);
	expect_segments_of(c, 600, 10);
	TT_ASSERT_NO_LEAK();
}

/* An MSS of 0 or a few bytes is raised to 64: data still flows in segments that
 * carry some, never a train of empty ones. */
static void
test_tcp_mss_option_below_64_clamped(void)
{
	const uint8_t zero[] = { 2, 4, 0, 0 };
	const uint8_t ten[] = { 2, 4, 0, 10 };
	struct lr_tcp_conn *c = open_with_syn_options(zero, sizeof(zero));

	expect_segments_of(c, 64, 36);
	TT_ASSERT_NO_LEAK();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tt_conf), 0);
	memset(&tt_app, 0, sizeof(tt_app));
	c = open_with_syn_options(ten, sizeof(ten));
	expect_segments_of(c, 64, 64);
	TT_ASSERT_NO_LEAK();
}

/* RFC 7323 §2.3: "If a Window Scale option is received with a shift.cnt value
 * larger than 14, the TCP SHOULD log the error but MUST use 14 instead." */
static void
test_tcp_window_scale_above_14_clamped(void)
{
	const uint8_t opt[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 200 };

	tt_conf.rcv_wnd = 256 * 1024;
	tt_reinit();
	open_with_syn_options(opt, sizeof(opt));
	tt_in(tt_seg(1001, 8001, TT_ACK, 3, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(tt_info().snd_wnd, 3u << 14);
	TT_ASSERT_NO_LEAK();
}

/* Timestamps on a connection that did not negotiate them are ignored: an "old"
 * TSval is no reason to drop (no PAWS), and nothing echoes it. */
static void
test_tcp_timestamps_ignored_without_negotiation(void)
{
	uint8_t ts[12];
	struct tt_out o;

	tt_passive_open();
	tt_ts_opt(ts, 1000000, 0);
	tt_in(tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, ts, sizeof(ts), bulk, 10));
	tt_ts_opt(ts, 5, 0);
	tt_in(tt_seg(1011, 8001, TT_ACK, TT_PEER_WND, ts, sizeof(ts), bulk, 10));
	CU_ASSERT_EQUAL(tt_app.data_len, 20);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PAWS), 0);
	CU_ASSERT_EQUAL(tt_out(lr_test_tx_count() - 1, &o), 0);
	CU_ASSERT_EQUAL(o.ack, 1021);
	CU_ASSERT(!o.has_ts);
	TT_ASSERT_NO_LEAK();
}

/* Text on a SYN to a listener is not taken: the SYN-ACK acknowledges the SYN only
 * and the peer sends the data again. */
static void
test_tcp_syn_with_data_to_listener_not_delivered(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, bulk, 100));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	tt_rx(1001, 8001, TT_ACK, bulk, 100);
	CU_ASSERT_EQUAL(tt_app.data_len, 100);
	TT_ASSERT_NO_LEAK();
}

/* RFC 9293 §3.10.7.1: a SYN to a closed port -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK>. */
static void
test_tcp_closed_port_syn_gets_rst_ack(void)
{
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST | TT_ACK, 0, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_NO_CONN), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_TX), 1);
	TT_ASSERT_NO_LEAK();
}

/*
 * 802.1Q: the port's own interface on VLAN 100. A SYN tagged 100 to the listener is
 * answered with a SYN-ACK tagged 100 (software tag: l2_len 18); the same SYN untagged
 * is not this interface's and is dropped before TCP.
 */
static void
test_tcp_syn_on_vlan_answered_tagged(void)
{
	struct lr_iface ifc = *lr_iface_get(0);
	const struct rte_ether_hdr *eh;
	struct rte_mbuf *m;

	lr_iface_reset();
	ifc.vlan_id = 100;
	CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	m = tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	m->vlan_tci = 100;
	CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
	tt_in(m);
	TT_EXPECT_COUNT(1);
	m = lr_test_tx_get(0);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	CU_ASSERT_EQUAL_FATAL(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_VLAN));
	CU_ASSERT_EQUAL(m->l2_len, RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr));
	CU_ASSERT_EQUAL_FATAL(rte_vlan_strip(m), 0);
	CU_ASSERT_EQUAL(m->vlan_tci, 100);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_in(tt_seg(2000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_UNTAGGED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RX), 1);
	TT_ASSERT_NO_LEAK();
}

/* m (built by tt_seg) sent to dst instead: IPv4 and TCP checksums recomputed. */
static struct rte_mbuf *
seg_to(struct rte_mbuf *m, uint32_t dst)
{
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	ip->dst_addr = rte_cpu_to_be_32(dst);
	lr_test_ip_recksum(m);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

/* RFC 1122 4.2.3.10: "A TCP implementation MUST silently discard an incoming SYN
 * segment that is addressed to a broadcast or multicast address." No connection
 * may have a broadcast local address, so nothing sent to one is answered either:
 * an answer would come from a broadcast source. */
static void
test_tcp_broadcast_destination_silently_dropped(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	/* SYN to the listener's port at the subnet broadcast and the limited broadcast */
	tt_in(seg_to(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0),
			RTE_IPV4(198u, 18, 0, 255)));
	tt_in(seg_to(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0), UINT32_MAX));
	/* ACK and data to a closed port */
	tt_our_port = 81;
	tt_in(seg_to(tt_seg(5000, 777, TT_ACK, TT_PEER_WND, NULL, 0, bulk, 10),
			RTE_IPV4(198u, 18, 0, 255)));
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PASSIVE_OPEN), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_TX), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_NOT_UNICAST), 3);
	/* The same SYN to our address still opens a connection. */
	tt_our_port = TT_OUR_PORT;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	TT_ASSERT_NO_LEAK();
}

/* Data without ACK to a closed port: ACK = SEQ + data length (+ FIN). */
static void
test_tcp_closed_port_data_rst_acks_length(void)
{
	tt_rx(5000, 0, TT_FIN, bulk, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST | TT_ACK, 0, 5011, 0);
	TT_ASSERT_NO_LEAK();
}

/* An ACK-bearing segment to a closed port: <SEQ=SEG.ACK><CTL=RST>. */
static void
test_tcp_closed_port_ack_gets_rst_from_ack(void)
{
	tt_rx(5000, 777777, TT_ACK, bulk, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 777777, 0, 0);
	TT_ASSERT_NO_LEAK();
}

/* A RST to a closed port is never answered. */
static void
test_tcp_closed_port_rst_is_silent(void)
{
	tt_rx(5000, 0, TT_RST, NULL, 0);
	tt_rx(5000, 1, TT_RST | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_NO_CONN), 2);
	TT_ASSERT_NO_LEAK();
}

/* LISTEN: RST ignored, ACK answered with <SEQ=SEG.ACK><CTL=RST>, no SYN dropped. */
static void
test_tcp_listener_answers_rst_ack_and_other(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx(1000, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	tt_rx(1000, 4242, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 4242, 0, 0);
	lr_test_tx_clear();
	tt_rx(1000, 0, TT_FIN, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_RST), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_ACK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_NO_SYN), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* Fewer bytes than a TCP header. */
static void
test_tcp_truncated_segment_dropped(void)
{
	uint8_t hdr[12] = { 0 };

	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_TCP, hdr, sizeof(hdr)));
	tt_flush();
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TRUNCATED), 1);
	TT_ASSERT_NO_LEAK();
}

/* Rewrite the data offset of a built segment and fix its checksum. */
static struct rte_mbuf *
seg_with_doff(uint8_t doff, uint16_t datalen)
{
	struct rte_mbuf *m = tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, bulk, datalen);
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	th->data_off = (uint8_t)(doff << 4);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

/* Data offset below 5 words, or beyond the segment. */
static void
test_tcp_bad_data_offset_dropped(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_in(seg_with_doff(4, 0));
	tt_in(seg_with_doff(0, 0));
	tt_in(seg_with_doff(15, 20)); /* 60 bytes claimed, 40 present */
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_OFF), 3);
	tt_in(seg_with_doff(15, 40)); /* 60 bytes of header: legal (NUL options) */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	TT_ASSERT_NO_LEAK();
}

/* A wrong checksum is dropped before anything else happens. */
static void
test_tcp_bad_checksum_dropped(void)
{
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	m = tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	th = (struct rte_tcp_hdr *)(lr_test_ip_of(m) + 1);
	th->cksum ^= 0x0101;
	tt_in(m);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* With RX checksum offload the NIC's verdict is trusted both ways. */
static void
test_tcp_rx_cksum_offload_verdict_trusted(void)
{
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;

	lr_ifaces[0].rx_cksum = true;
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	m = tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	tt_in(m);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_CKSUM), 1);
	m = tt_seg(1000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	th = (struct rte_tcp_hdr *)(lr_test_ip_of(m) + 1);
	th->cksum ^= 0x0101; /* wrong, but the NIC says good */
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	tt_in(m);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_ifaces[0].rx_cksum = false;
	TT_ASSERT_NO_LEAK();
}

/* SYN with FIN or RST is nonsense: dropped without answer. */
static void
test_tcp_syn_with_fin_or_rst_dropped(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx(1000, 0, TT_SYN | TT_FIN, NULL, 0);
	tt_rx(1000, 0, TT_SYN | TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_BAD_FLAGS), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* A segment larger than one mbuf (chained by the harness) is delivered whole. */
static void
test_tcp_chained_segment_delivered(void)
{
	uint8_t data[2010];
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	tt_passive_open();
	m = tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, NULL, 0, data, sizeof(data));
	CU_ASSERT(m->nb_segs > 1);
	tt_in(m);
	TT_EXPECT(0, TT_ACK, 8001, 1001 + 2010, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 2010);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, data, sizeof(data)), 0);
	TT_ASSERT_NO_LEAK();
}

/* Every counter has a name, a kind and a description. */
static void
test_tcp_stat_table_complete(void)
{
	unsigned int i;

	for (i = 0; i < LR_TCP_STAT_MAX; i++) {
		const struct lr_stat_desc *d = lr_tcp_stat_desc(i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_STRING_EQUAL(d->layer, "tcp");
		CU_ASSERT(d->name != NULL && d->name[0] != '\0');
		CU_ASSERT(d->desc != NULL && d->desc[0] != '\0');
	}
	CU_ASSERT_PTR_NULL(lr_tcp_stat_desc(LR_TCP_STAT_MAX));
	CU_ASSERT_STRING_EQUAL(lr_tcp_stat_desc(LR_TCP_STAT_BAD_CKSUM)->name, "BAD_CKSUM");
	CU_ASSERT_EQUAL(lr_tcp_stat_desc(LR_TCP_STAT_BAD_CKSUM)->kind, LR_STAT_KIND_DROP);
	CU_ASSERT_EQUAL(lr_tcp_stat_desc(LR_TCP_STAT_RX)->kind, LR_STAT_KIND_COUNT);
	TT_ASSERT_NO_LEAK();
}


/* --- RFC 7323 window scaling and timestamps --- */

/* SYN <mss 1460, ws 7, ts 100> to a 256 KiB buffer: the SYN-ACK offers shift 3
 * and echoes the timestamp; its window is unscaled (65535). Afterwards the peer's
 * windows are scaled by 7, ours by 3, and segments carry 1448 bytes. */
static struct lr_tcp_conn *
open_ws_ts(uint32_t *our_ts)
{
	uint8_t opt[20] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	uint8_t ts[12];
	struct tt_out o;

	tt_conf.rcv_wnd = 256 * 1024;
	tt_reinit();
	tt_ts_opt(opt + 8, 100, 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, sizeof(opt), NULL, 0));
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.ws, 3);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 100);
	CU_ASSERT_EQUAL(o.wnd, 65535);
	*our_ts = o.tsval;
	lr_test_tx_clear();
	tt_ts_opt(ts, 101, *our_ts);
	tt_in(tt_seg(1001, 8001, TT_ACK, 100, ts, sizeof(ts), NULL, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	return tt_app.conn;
}

static void
test_tcp_ws_ts_negotiated_on_passive_open(void)
{
	struct lr_tcp_conn *c;
	uint8_t ts[12];
	uint32_t our_ts;
	struct tt_out o;

	c = open_ws_ts(&our_ts);
	CU_ASSERT_EQUAL(tt_info().snd_wnd, 100u << 7);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 2000), 2000);
	tt_flush();
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1448);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 101);
	CU_ASSERT_EQUAL(o.wnd, (256 * 1024) >> 3);
	lr_test_tx_clear();
	/* Data from the peer: the window we advertise is scaled by 3. */
	tt_ts_opt(ts, 102, our_ts);
	tt_in(tt_seg(1001, 10001, TT_ACK, 100, ts, sizeof(ts), bulk, 10));
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.ack, 1011);
	CU_ASSERT_EQUAL(o.tsecr, 102);
	/* SWS avoidance: the right edge stays (10 bytes < MSS), rounded up to 8. */
	CU_ASSERT_EQUAL(o.wnd, (256 * 1024 - 10 + 7) >> 3);
	TT_ASSERT_NO_LEAK();
}

/* A SYN without WS or TS: neither is used, the window stays 16-bit (65535 of the
 * 256 KiB buffer) and segments carry no timestamp. */
static void
test_tcp_ws_ts_not_used_when_peer_omits(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.rcv_wnd = 256 * 1024;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10), 10);
	tt_flush();
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.ws, -1);
	CU_ASSERT(!o.has_ts);
	CU_ASSERT_EQUAL(o.wnd, 65535);
	TT_ASSERT_NO_LEAK();
}

/* Active open: our SYN offers WS and TS; the SYN-ACK accepts both; the ACK echoes
 * its timestamp. */
static void
test_tcp_active_open_offers_ws_ts(void)
{
	uint8_t opt[20] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 2 };
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.rcv_wnd = 256 * 1024;
	tt_reinit();
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN);
	CU_ASSERT_EQUAL(o.ws, 3);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	lr_test_tx_clear();
	tt_ts_opt(opt + 8, 5000, o.tsval);
	tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK, 1000, opt, sizeof(opt), NULL, 0));
	TT_EXPECT(0, TT_ACK, 1001, 8001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 5000);
	CU_ASSERT_EQUAL(o.wnd, (256 * 1024) >> 3);
	CU_ASSERT_EQUAL(tt_info().snd_wnd, 1000); /* the SYN-ACK's window is not scaled */
	TT_ASSERT_NO_LEAK();
}

/* RTTM (RFC 7323 §4): the echoed TSval of an ACK of new data is an RTT sample. */
static void
test_tcp_ts_echo_gives_rtt_sample(void)
{
	struct lr_tcp_conn *c;
	uint8_t ts[12];
	uint32_t our_ts, srtt;
	struct tt_out o;

	c = open_ws_ts(&our_ts);
	srtt = tt_info().srtt_us; /* from the handshake, 0 ms */
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10), 10);
	tt_flush();
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	lr_test_tx_clear();
	lr_test_advance_us(50000);
	tt_ts_opt(ts, 150, o.tsval);
	tt_in(tt_seg(1001, 8011, TT_ACK, 100, ts, sizeof(ts), NULL, 0));
	CU_ASSERT_EQUAL(tt_info().srtt_us, (7 * srtt + 50000) / 8);
	TT_ASSERT_NO_LEAK();
}

/* PAWS (RFC 7323 §5): a segment whose TSval is older than TS.Recent is dropped
 * and acknowledged; its data is not delivered. */
static void
test_tcp_paws_drops_old_timestamp(void)
{
	uint8_t ts[12];
	uint32_t our_ts;

	open_ws_ts(&our_ts);
	tt_ts_opt(ts, 90, our_ts); /* TS.Recent is 101 */
	tt_in(tt_seg(1001, 8001, TT_ACK, 100, ts, sizeof(ts), bulk, 10));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PAWS), 1);
	lr_test_tx_clear();
	tt_ts_opt(ts, 101, our_ts); /* equal is fine */
	tt_in(tt_seg(1001, 8001, TT_ACK, 100, ts, sizeof(ts), bulk, 10));
	CU_ASSERT_EQUAL(tt_app.data_len, 10);
	TT_ASSERT_NO_LEAK();
}

/*
 * The hot state: segments that move no data on an established connection (a pure
 * ACK, a window update, each restarting a keepalive) write only the first
 * TCP_CONN_HOT_BYTES of the block. The cold bytes are overwritten with a pattern,
 * the segments go through a whole burst each, and the pattern must still be there
 * (writes are caught; of the reads, only pointers followed would fault).
 */
static void
test_tcp_hot_state_is_first_two_lines(void)
{
	uint8_t cold[sizeof(struct lr_tcp_conn) - TCP_CONN_HOT_BYTES];
	struct lr_tcp_conn *c;
	unsigned int i, changed = 0;
	uint8_t *p;

	tt_conf.keepalive_ms = 10000;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_NOT_EQUAL(c->timer[TCP_T_KEEP], 0);
	p = (uint8_t *)c + TCP_CONN_HOT_BYTES;
	memcpy(cold, p, sizeof(cold));
	memset(p, 0xa5, sizeof(cold));
	tt_advance_ms(5);
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	tt_in(tt_seg(1001, 8001, TT_ACK, 30000, NULL, 0, NULL, 0));
	for (i = 0; i < sizeof(cold); i++)
		changed += p[i] != 0xa5;
	memcpy(p, cold, sizeof(cold));
	CU_ASSERT_EQUAL(changed, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(c->snd_wnd, 30000);
	CU_ASSERT_EQUAL(tcp_timer_due_us(c, TCP_T_KEEP),
			(lr_tw->now_us + 10000000 + TCP_TW_GRAN_US - 1) / TCP_TW_GRAN_US *
			TCP_TW_GRAN_US);
	/* and the connection carries on */
	tt_rx(1001, 8001, TT_ACK, "hi", 2);
	CU_ASSERT_EQUAL(tt_app.data_len, 2);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_hot_state_is_first_two_lines", test_tcp_hot_state_is_first_two_lines },
	{ "test_tcp_mss_absent_uses_536", test_tcp_mss_absent_uses_536 },
	{ "test_tcp_mss_option_respected", test_tcp_mss_option_respected },
	{ "test_tcp_mss_clamped_to_our_mtu", test_tcp_mss_clamped_to_our_mtu },
	{ "test_tcp_options_mss_after_ts_sack_ws", test_tcp_options_mss_after_ts_sack_ws },
	{ "test_tcp_option_zero_length_stops_parsing", test_tcp_option_zero_length_stops_parsing },
	{ "test_tcp_option_overlong_stops_parsing", test_tcp_option_overlong_stops_parsing },
	{ "test_tcp_option_kind_without_length", test_tcp_option_kind_without_length },
	{ "test_tcp_option_mss_wrong_length_ignored", test_tcp_option_mss_wrong_length_ignored },
	{ "test_tcp_closed_port_syn_gets_rst_ack", test_tcp_closed_port_syn_gets_rst_ack },
	{ "test_tcp_syn_on_vlan_answered_tagged", test_tcp_syn_on_vlan_answered_tagged },
	{ "test_tcp_closed_port_data_rst_acks_length", test_tcp_closed_port_data_rst_acks_length },
	{ "test_tcp_closed_port_ack_gets_rst_from_ack",
		test_tcp_closed_port_ack_gets_rst_from_ack },
	{ "test_tcp_closed_port_rst_is_silent", test_tcp_closed_port_rst_is_silent },
	{ "test_tcp_listener_answers_rst_ack_and_other",
		test_tcp_listener_answers_rst_ack_and_other },
	{ "test_tcp_truncated_segment_dropped", test_tcp_truncated_segment_dropped },
	{ "test_tcp_bad_data_offset_dropped", test_tcp_bad_data_offset_dropped },
	{ "test_tcp_bad_checksum_dropped", test_tcp_bad_checksum_dropped },
	{ "test_tcp_rx_cksum_offload_verdict_trusted", test_tcp_rx_cksum_offload_verdict_trusted },
	{ "test_tcp_syn_with_fin_or_rst_dropped", test_tcp_syn_with_fin_or_rst_dropped },
	{ "test_tcp_chained_segment_delivered", test_tcp_chained_segment_delivered },
	{ "test_tcp_stat_table_complete", test_tcp_stat_table_complete },
	{ "test_tcp_mss_option_below_64_clamped", test_tcp_mss_option_below_64_clamped },
	{ "test_tcp_window_scale_above_14_clamped", test_tcp_window_scale_above_14_clamped },
	{ "test_tcp_timestamps_ignored_without_negotiation",
		test_tcp_timestamps_ignored_without_negotiation },
	{ "test_tcp_syn_with_data_to_listener_not_delivered",
		test_tcp_syn_with_data_to_listener_not_delivered },
	{ "test_tcp_broadcast_destination_silently_dropped",
		test_tcp_broadcast_destination_silently_dropped },
	{ "test_tcp_ws_ts_negotiated_on_passive_open", test_tcp_ws_ts_negotiated_on_passive_open },
	{ "test_tcp_ws_ts_not_used_when_peer_omits", test_tcp_ws_ts_not_used_when_peer_omits },
	{ "test_tcp_active_open_offers_ws_ts", test_tcp_active_open_offers_ws_ts },
	{ "test_tcp_ts_echo_gives_rtt_sample", test_tcp_ts_echo_gives_rtt_sample },
	{ "test_tcp_paws_drops_old_timestamp", test_tcp_paws_drops_old_timestamp },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_input", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
