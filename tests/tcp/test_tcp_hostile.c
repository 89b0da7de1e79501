/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile input through the whole receive pipeline (Ethernet, ARP, IPv4 with
 * fragments, ICMP, UDP, TCP): valid frames of every kind, mutated by a seeded PRNG
 * (header bytes flipped, IHL, total length and data offset rewritten, TCP option
 * lists with random kinds and lengths, broadcast destinations, truncated, padded,
 * split over two segments as a scattering PMD delivers them; checksums mostly
 * fixed up so the mutation reaches the layer above). They go to a listener, an
 * established connection (with and without timestamps and window scaling) and a
 * connection in SYN_SENT, while the clock moves the timers. The run is
 * deterministic and bounded.
 *
 * Checked: no crash or bad read (run it in the ASan/UBSan build), every frame sent
 * leaves from our own addresses with consistent lengths, no burst of segments from
 * one frame, and at the end every mbuf is back in the pool.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "lr_eth.h"
#include "tcp_test.h"

#define ETH_LEN RTE_ETHER_HDR_LEN
#define FRAME_MAX 1600
#define EPOCHS 16
#define FRAMES_PER_EPOCH 400
#define ACTIVE_PEER_PORT 5555
#define MAX_TX_PER_FRAME 40
#define OUR_BCAST RTE_IPV4(198u, 18, 0, 255)

static uint64_t rng;

/* xorshift64*: the same frames on every run. */
static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

/* True one time in n. */
static bool
one_in(uint32_t n)
{
	return rnd() % n == 0;
}

/* What the peers know of the connections, learnt from what we send. */
static struct {
	uint32_t peer_nxt;   /**< next byte of the established connection's peer */
	uint32_t our_nxt;    /**< next byte we send it */
	uint16_t act_port;   /**< our port of the connection in SYN_SENT (0: none) */
	uint32_t act_iss;    /**< its ISS */
	uint32_t new_iss[64]; /**< ISS (maybe a cookie) of the SYN-ACK to peer port 1024 + i */
	uint32_t new_nxt[64]; /**< the next byte of that peer */
	uint64_t data_bytes; /**< TCP payload delivered, over all epochs */
	uint32_t bad_src;    /**< frames sent from an address or MAC not ours */
	uint32_t bad_len;    /**< IPv4 frames whose total length is not the frame's */
	uint32_t bursts;     /**< input frames answered by more than MAX_TX_PER_FRAME */
	uint64_t bulk;       /**< segments given a bulk lookup result, over all epochs */
} st;

/* Note what the appliance sent, check it, and clear the recorder. frames: the input
 * frames it answers (0: a timer run), at most MAX_TX_PER_FRAME frames out each. */
static void
check_sent(unsigned int frames)
{
	unsigned int i, n = lr_test_tx_count();

	if (frames > 0 && n > frames * MAX_TX_PER_FRAME)
		st.bursts++;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = lr_test_tx_get(i);
		struct rte_ether_hdr eb;
		const struct rte_ether_hdr *eh = rte_pktmbuf_read(m, 0, sizeof(eb), &eb);
		struct rte_ipv4_hdr ib;
		const struct rte_ipv4_hdr *ip;
		struct rte_tcp_hdr tb;
		const struct rte_tcp_hdr *th;
		uint32_t plen;

		if (eh == NULL || !rte_is_same_ether_addr(&eh->src_addr, &lr_test_our_mac)) {
			st.bad_src++;
			continue;
		}
		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			struct rte_arp_hdr ab;
			const struct rte_arp_hdr *a = rte_pktmbuf_read(m, ETH_LEN, sizeof(ab), &ab);

			if (a == NULL || a->arp_data.arp_sip != rte_cpu_to_be_32(LR_TEST_OUR_IP))
				st.bad_src++;
			continue;
		}
		ip = rte_pktmbuf_read(m, ETH_LEN, sizeof(ib), &ib);
		if (ip == NULL || ip->src_addr != rte_cpu_to_be_32(LR_TEST_OUR_IP)) {
			st.bad_src++;
			continue;
		}
		if (rte_be_to_cpu_16(ip->total_length) != rte_pktmbuf_pkt_len(m) - ETH_LEN)
			st.bad_len++;
		if (ip->next_proto_id != IPPROTO_TCP || (ip->fragment_offset &
				RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)))
			continue;
		th = rte_pktmbuf_read(m, ETH_LEN + sizeof(ib), sizeof(tb), &tb);
		if (th == NULL)
			continue;
		plen = rte_be_to_cpu_16(ip->total_length) - sizeof(ib) - (th->data_off >> 4) * 4u;
		if (th->dst_port == RTE_BE16(TT_PEER_PORT) && (th->tcp_flags & TT_ACK)) {
			st.peer_nxt = rte_be_to_cpu_32(th->recv_ack);
			st.our_nxt = rte_be_to_cpu_32(th->sent_seq) + plen +
				!!(th->tcp_flags & (TT_SYN | TT_FIN));
		}
		if (rte_be_to_cpu_16(th->dst_port) - 1024u < RTE_DIM(st.new_iss) &&
				(th->tcp_flags & (TT_SYN | TT_ACK)) == (TT_SYN | TT_ACK)) {
			st.new_iss[rte_be_to_cpu_16(th->dst_port) - 1024] =
				rte_be_to_cpu_32(th->sent_seq);
			st.new_nxt[rte_be_to_cpu_16(th->dst_port) - 1024] =
				rte_be_to_cpu_32(th->recv_ack);
		}
		if (th->dst_port == RTE_BE16(ACTIVE_PEER_PORT) &&
				(th->tcp_flags & (TT_SYN | TT_ACK)) == TT_SYN) {
			st.act_port = rte_be_to_cpu_16(th->src_port);
			st.act_iss = rte_be_to_cpu_32(th->sent_seq);
		}
	}
	lr_test_tx_clear();
}

/* A TCP option list of up to 40 bytes (o has room for 64): known kinds with right,
 * wrong, zero and overlong lengths and extreme values, unknown kinds, padding. */
static uint8_t
tcp_options(uint8_t *o)
{
	unsigned int i;

	uint8_t target = (uint8_t)(rnd() % 41), n = 0;

	while (n < target) {
		uint8_t k = (uint8_t)(rnd() % 10), len;
		static const uint16_t mss[] = {0, 1, 40, 63, 64, 100, 536, 1460, 9000, 65535};

		switch (k) {
		case 0:
			o[n++] = 0; /* EOL */
			continue;
		case 2:
			len = one_in(4) ? (uint8_t)(rnd() % 6) : 4;
			o[n] = 2;
			o[n + 1] = len;
			o[n + 2] = (uint8_t)(mss[rnd() % RTE_DIM(mss)] >> 8);
			o[n + 3] = (uint8_t)mss[rnd() % RTE_DIM(mss)];
			break;
		case 3:
			len = one_in(4) ? (uint8_t)(rnd() % 5) : 3;
			o[n] = 3;
			o[n + 1] = len;
			o[n + 2] = one_in(2) ? (uint8_t)(rnd() % 16) : (uint8_t)rnd();
			break;
		case 4:
			len = one_in(4) ? (uint8_t)(rnd() % 4) : 2;
			o[n] = 4;
			o[n + 1] = len;
			break;
		case 5:
			len = one_in(4) ? (uint8_t)(rnd() % 12) : 10;
			o[n] = 8;
			o[n + 1] = len;
			for (i = 2; i < 10; i++)
				o[n + i] = one_in(2) ? 0 : (uint8_t)rnd();
			break;
		case 6:
			len = (uint8_t)rnd();
			o[n] = (uint8_t)(5 + rnd() % 250);
			o[n + 1] = len;
			break;
		default:
			o[n++] = 1; /* NOP */
			continue;
		}
		n = (uint8_t)(n + RTE_MAX(len, (uint8_t)1));
	}
	return RTE_MIN(n, (uint8_t)40);
}

/* Fill an IPv4 header (IHL 5, or 6 with NOP options one time in eight) and return
 * where L4 starts. */
static uint8_t *
ipv4_hdr(uint8_t *b, uint32_t dst, uint8_t proto, uint16_t l4len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t hl = one_in(8) ? 24 : 20;

	eth->dst_addr = one_in(16) ? (struct rte_ether_addr){{0xff, 0xff, 0xff, 0xff, 0xff,
			0xff}} : lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x40 | hl / 4;
	ip->total_length = rte_cpu_to_be_16(hl + l4len);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)rnd());
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	memset(ip + 1, 1, hl - sizeof(*ip));
	return (uint8_t *)ip + hl;
}

/* Mostly our address, sometimes a broadcast one. */
static uint32_t
pick_dst(void)
{
	if (!one_in(16))
		return LR_TEST_OUR_IP;
	return one_in(2) ? OUR_BCAST : UINT32_MAX;
}

/* A TCP segment: to the established connection, the listener, or the SYN_SENT one. */
static uint16_t
build_tcp(uint8_t *b)
{
	static const uint8_t flag_mix[] = {
		TT_ACK, TT_ACK, TT_ACK | TT_PSH, TT_ACK | TT_FIN, TT_RST, TT_RST | TT_ACK,
		TT_SYN, TT_SYN | TT_ACK, TT_FIN, 0,
	};
	uint8_t opt[64], optlen = one_in(2) ? tcp_options(opt) : 0;
	uint16_t hlen = (uint16_t)(sizeof(struct rte_tcp_hdr) + ((optlen + 3u) & ~3u));
	uint16_t dlen = one_in(2) ? 0 : (uint16_t)(rnd() % 600);
	uint8_t *l4 = ipv4_hdr(b, pick_dst(), IPPROTO_TCP, hlen + dlen);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
	uint32_t which = rnd() % 8, seq, ack;
	uint16_t sport = TT_PEER_PORT, dport = TT_OUR_PORT;

	if (which < 5) {        /* the established connection, mostly in its window */
		seq = st.peer_nxt;
		if (one_in(2))
			seq += one_in(2) ? rnd() % 3000 - 100 : rnd() % 140000 - 70000;
		ack = st.our_nxt - (one_in(2) ? 0 : rnd() % 3000);
	} else if (which < 7) { /* new peers at the listener, some completing handshakes */
		uint32_t k = rnd() % RTE_DIM(st.new_iss);

		sport = (uint16_t)(1024 + k);
		seq = one_in(2) ? st.new_nxt[k] : rnd();
		ack = one_in(2) ? st.new_iss[k] + 1 : (one_in(2) ? rnd() : 0);
	} else {                /* the connection in SYN_SENT (or what it became) */
		sport = ACTIVE_PEER_PORT;
		dport = st.act_port;
		seq = one_in(2) ? 50000 : rnd();
		ack = st.act_iss + (one_in(2) ? 1 : rnd() % 3);
	}
	memset(th, 0, hlen);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = one_in(8) ? (uint8_t)rnd() : flag_mix[rnd() % RTE_DIM(flag_mix)];
	if (which >= 5 && which < 7 && one_in(2))
		th->tcp_flags = one_in(2) ? TT_SYN : TT_ACK;
	th->rx_win = rte_cpu_to_be_16(one_in(8) ? 0 : (uint16_t)rnd());
	memcpy(th + 1, opt, optlen);
	memset(l4 + hlen, 'd', dlen);
	return (uint16_t)(l4 - b + hlen + dlen);
}

/* A UDP datagram to echo, discard or a closed port; its length field sometimes off. */
static uint16_t
build_udp(uint8_t *b)
{
	uint16_t dlen = (uint16_t)(rnd() % 300);
	uint8_t *l4 = ipv4_hdr(b, pick_dst(), IPPROTO_UDP, sizeof(struct rte_udp_hdr) + dlen);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;
	static const uint16_t ports[] = {7, 9, 7, 53};

	u->src_port = RTE_BE16(40001);
	u->dst_port = rte_cpu_to_be_16(ports[rnd() % RTE_DIM(ports)]);
	u->dgram_len = rte_cpu_to_be_16(one_in(4) ? (uint16_t)(rnd() % (dlen + 16)) :
			(uint16_t)(sizeof(*u) + dlen));
	u->dgram_cksum = 0;
	memset(u + 1, 'u', dlen);
	return (uint16_t)(l4 - b + sizeof(*u) + dlen);
}

/* An echo request, or an ICMP error quoting a (possibly truncated) header. */
static uint16_t
build_icmp(uint8_t *b)
{
	uint16_t dlen = (uint16_t)(rnd() % 200);
	uint8_t *l4 = ipv4_hdr(b, pick_dst(), IPPROTO_ICMP, sizeof(struct rte_icmp_hdr) + dlen);
	struct rte_icmp_hdr *h = (struct rte_icmp_hdr *)l4;
	static const uint8_t types[] = {RTE_IP_ICMP_ECHO_REQUEST, RTE_IP_ICMP_ECHO_REPLY, 3, 11,
		12, 5, 13};

	memset(h, 0, sizeof(*h) + dlen);
	h->icmp_type = types[rnd() % RTE_DIM(types)];
	h->icmp_code = (uint8_t)(one_in(4) ? rnd() : 0);
	if (h->icmp_type != RTE_IP_ICMP_ECHO_REQUEST && dlen >= 20) {
		/* quoted datagram: one of ours, TCP or UDP, cut anywhere */
		struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(h + 1);

		q->version_ihl = one_in(4) ? (uint8_t)rnd() : RTE_IPV4_VHL_DEF;
		q->total_length = rte_cpu_to_be_16((uint16_t)(rnd() % 2000));
		q->next_proto_id = one_in(2) ? IPPROTO_TCP : IPPROTO_UDP;
		q->src_addr = rte_cpu_to_be_32(LR_TEST_OUR_IP);
		q->dst_addr = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	}
	h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, sizeof(*h) + dlen);
	return (uint16_t)(l4 - b + sizeof(*h) + dlen);
}

/* An ARP request or reply, mostly well formed. */
static uint16_t
build_arp(uint8_t *b)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = one_in(2) ? bcast : lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = one_in(16) ? (uint8_t)rnd() : RTE_ETHER_ADDR_LEN;
	a->arp_plen = one_in(16) ? (uint8_t)rnd() : 4;
	a->arp_opcode = rte_cpu_to_be_16((uint16_t)(one_in(8) ? rnd() % 5 : 1 + rnd() % 2));
	a->arp_data.arp_sha = lr_test_peer_mac;
	if (one_in(8))
		a->arp_data.arp_sha.addr_bytes[5] = (uint8_t)rnd();
	a->arp_data.arp_sip = rte_cpu_to_be_32(one_in(4) ? RTE_IPV4(198u, 18, 0, rnd() % 256) :
			LR_TEST_PEER_IP);
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = rte_cpu_to_be_32(one_in(4) ? rnd() : LR_TEST_OUR_IP);
	return (uint16_t)(ETH_LEN + sizeof(*a));
}

/* A fragment of a UDP, ICMP or TCP datagram: a few ids, offsets and lengths so that
 * some sets complete, overlap or run past 65535. */
static uint16_t
build_fragment(uint8_t *b)
{
	static const uint8_t protos[] = {IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_TCP};
	uint16_t dlen = (uint16_t)(8 * (1 + rnd() % 60) + (one_in(4) ? rnd() % 8 : 0));
	uint8_t *l4 = ipv4_hdr(b, LR_TEST_OUR_IP, protos[rnd() % RTE_DIM(protos)], dlen);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + ETH_LEN);
	uint16_t off = one_in(3) ? 0 : (uint16_t)(one_in(8) ? rnd() % 8192 : rnd() % 128);

	ip->packet_id = rte_cpu_to_be_16((uint16_t)(rnd() % 4));
	ip->fragment_offset = rte_cpu_to_be_16(off | (one_in(3) ? 0 : RTE_IPV4_HDR_MF_FLAG));
	memset(l4, 'f', dlen);
	if (off == 0 && ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->dst_port = RTE_BE16(7);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(rnd() % 2000));
		u->dgram_cksum = 0;
	}
	if (off == 0 && ip->next_proto_id == IPPROTO_TCP && dlen >= sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = RTE_BE16(TT_PEER_PORT);
		th->dst_port = RTE_BE16(TT_OUR_PORT);
		th->sent_seq = rte_cpu_to_be_32(st.peer_nxt);
		th->recv_ack = rte_cpu_to_be_32(st.our_nxt);
		th->data_off = 0x50;
		th->tcp_flags = TT_ACK;
	}
	return (uint16_t)(l4 - b + dlen);
}

/* Rewrite header fields and flip bytes of a frame of len bytes. */
static void
mutate(uint8_t *b, uint16_t len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + ETH_LEN);
	unsigned int i, n;

	if (one_in(3)) {
		n = 1 + rnd() % 4;
		for (i = 0; i < n; i++)
			b[rnd() % RTE_MIN(len, (uint16_t)(ETH_LEN + 80))] ^= (uint8_t)(1 + rnd() % 255);
	}
	if (len < ETH_LEN + sizeof(*ip) || ip->version_ihl >> 4 != 4)
		return;
	if (one_in(12))
		ip->version_ihl = 0x40 | (rnd() % 16);
	if (one_in(12))
		ip->total_length = rte_cpu_to_be_16((uint16_t)rnd());
	if (one_in(12) && ip->next_proto_id == IPPROTO_TCP &&
			len >= ETH_LEN + rte_ipv4_hdr_len(ip) + sizeof(struct rte_tcp_hdr))
		b[ETH_LEN + rte_ipv4_hdr_len(ip) + offsetof(struct rte_tcp_hdr, data_off)] =
			(uint8_t)(rnd() << 4);
}

/* Make the IPv4 and L4 checksums right for what the header now says (mostly). */
static void
fix_cksums(uint8_t *b, uint16_t len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + ETH_LEN);
	uint16_t hl, tot, l4len;
	uint8_t *l4;

	if (len < ETH_LEN + sizeof(*ip) || ((struct rte_ether_hdr *)b)->ether_type !=
			RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return;
	hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	if (hl < sizeof(*ip) || ETH_LEN + hl > len)
		return;
	if (!one_in(16)) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < hl || ETH_LEN + tot > len || one_in(8))
		return;
	l4 = b + ETH_LEN + hl;
	l4len = tot - hl;
	if (ip->next_proto_id == IPPROTO_TCP && l4len >= sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
		uint32_t sum;

		th->cksum = 0;
		sum = rte_ipv4_phdr_cksum(ip, 0) + rte_raw_cksum(l4, l4len);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		th->cksum = (uint16_t)~sum;
	}
}

/* A hostile frame of any kind. */
static struct rte_mbuf *
hostile_frame(void)
{
	static uint8_t b[FRAME_MAX];
	unsigned int i;
	uint16_t len;

	memset(b, 0, sizeof(b));
	switch (rnd() % 16) {
	case 0: case 1:
		len = build_udp(b);
		break;
	case 2: case 3:
		len = build_icmp(b);
		break;
	case 4:
		len = build_arp(b);
		break;
	case 5: case 6:
		len = build_fragment(b);
		break;
	case 7:
		len = (uint16_t)(ETH_LEN + rnd() % 200);
		ipv4_hdr(b, LR_TEST_OUR_IP, (uint8_t)rnd(), 0);
		for (i = ETH_LEN; i < len; i++)
			b[i] = (uint8_t)rnd();
		break;
	default:
		len = build_tcp(b);
		break;
	}
	mutate(b, len);
	fix_cksums(b, len);
	if (one_in(8))
		len = (uint16_t)(rnd() % (len + 1u));                 /* truncated */
	else if (one_in(8))
		len = (uint16_t)RTE_MIN((uint32_t)FRAME_MAX, len + 1 + rnd() % 200); /* padded */
	if (one_in(4))
		return lr_test_frame_split(b, len, (uint16_t)(rnd() % (len + 1u)));
	return lr_test_frame(b, len);
}

/* Hostile frames in, one at a time or as one RX burst of 2-8 (through the TCP burst
 * stage: a segment may free or create what a later one's bulk lookup found), the
 * burst ended, what came out checked. */
static void
feed(void)
{
	struct rte_mbuf *pkts[8];
	unsigned int i, n = one_in(4) ? 2 + rnd() % 7 : 1;

	for (i = 0; i < n; i++) {
		pkts[i] = hostile_frame();
		pkts[i]->port = 0;
	}
	if (n == 1)
		lr_test_rx(pkts[0]);
	else
		lr_eth_input_burst(lr_tw, pkts, (uint16_t)n);
	tt_flush();
	check_sent(n);
}

static int
find_peer_conn(const struct lr_tcp_conn_info *info, void *arg)
{
	if (info->state != LR_TCP_LISTEN && info->rport == TT_PEER_PORT) {
		*(bool *)arg = true;
		return 1;
	}
	return 0;
}

/* Open a connection from TT_PEER_PORT to the listener (SYN <mss 1460, ws 7, sack
 * ok, ts> or SYN <mss 1460>, SYN-ACK, ACK) unless one exists: hostile segments
 * reset or close it now and then. */
static void
ensure_established(bool ts_ws)
{
	uint8_t syn_opt[24] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2 };
	uint8_t ts[12];
	bool found = false;

	lr_tcp_walk(lr_tw, find_peer_conn, &found);
	if (found)
		return;
	tt_ts_opt(syn_opt + 10, 1, 0);
	tt_peer_port = TT_PEER_PORT;
	tt_our_port = TT_OUR_PORT;
	lr_test_rx(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, syn_opt, ts_ws ? 22 : 4, NULL, 0));
	tt_flush();
	check_sent(0); /* learns our ISS + 1 from the SYN-ACK */
	st.peer_nxt = 1001;
	tt_ts_opt(ts, 2, 0);
	lr_test_rx(tt_seg(1001, st.our_nxt, TT_ACK, TT_PEER_WND, ts, ts_ws ? 12 : 0, NULL, 0));
	tt_flush();
	check_sent(0);
}

/* A fresh shard for an epoch: settings vary, then a listener, an established
 * connection (timestamps and window scaling on odd epochs) and one in SYN_SENT. */
static void
start_epoch(unsigned int e)
{
	st.data_bytes += tt_stat(LR_TCP_STAT_RX_DATA_BYTES);
	st.bulk += tt_stat(LR_TCP_STAT_LOOKUP_BULK) + tt_stat(LR_TCP_STAT_LOOKUP_STALE);
	memset(st.new_iss, 0, sizeof(st.new_iss));
	memset(st.new_nxt, 0, sizeof(st.new_nxt));
	tt_conf = lr_tcp_conf_default;
	tt_conf.max_conns = 64;
	tt_conf.max_listeners = 8;
	tt_conf.isn_fn = NULL;
	tt_conf.delack_ms = (e % 3) * 20;
	tt_conf.rcv_wnd = e % 2 ? 256 * 1024 : 4096;
	tt_conf.half_open_max = (e % 4 == 0) ? 2 : 1024;
	tt_conf.ooo_max = (e % 5 == 0) ? 0 : 8;
	tt_conf.keepalive_ms = (e % 3 == 2) ? 1000 : 0;
	tt_conf.challenge_ack_per_s = 100000;
	tt_reinit();
	memset(&tt_app, 0, sizeof(tt_app));
	tt_app.echo = true;
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, e % 4 == 1 ? &tt_cb_hold : &tt_cb, NULL),
			0);
	ensure_established(e % 2);
	/* lr_tcp_connect to the peer: its SYN tells our port and ISS */
	st.act_port = 0;
	CU_ASSERT_PTR_NOT_NULL(lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP),
			ACTIVE_PEER_PORT, &tt_cb, NULL));
	tt_flush();
	check_sent(0);
}

static void
test_tcp_hostile_frames_no_crash_no_leak(void)
{
	unsigned int e, i;

	memset(&st, 0, sizeof(st));
	rng = 0x686f7374696c6521ULL; /* "hostile!" */
	for (e = 0; e < EPOCHS; e++) {
		start_epoch(e);
		CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ESTABLISHED), 1);
		for (i = 0; i < FRAMES_PER_EPOCH; i++) {
			if (i % 25 == 24)
				ensure_established(e % 2);
			feed();
			if (i % 50 == 49) {
				tt_advance_ms(1 + rnd() % 3000);
				check_sent(0);
			}
		}
	}
	CU_ASSERT_EQUAL(st.bad_src, 0);
	CU_ASSERT_EQUAL(st.bad_len, 0);
	CU_ASSERT_EQUAL(st.bursts, 0);
	/* The mutations reached every layer. */
	CU_ASSERT(lr_test_stat(LR_STAT_arp_RX_REQUEST) > 0);
	CU_ASSERT(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY) > 0);
	CU_ASSERT(lr_test_stat(LR_STAT_udp_ECHO_RX) > 0);
	CU_ASSERT(lr_test_stat(LR_STAT_ip_FRAG_RX) > 0);
	CU_ASSERT(tt_stat(LR_TCP_STAT_OPT_MALFORMED) > 0);
	CU_ASSERT(st.data_bytes + tt_stat(LR_TCP_STAT_RX_DATA_BYTES) > 0);
	CU_ASSERT(st.bulk + tt_stat(LR_TCP_STAT_LOOKUP_BULK) > 0); /* bursts reached TCP */
	/* Let reassembly, ARP resolution and every timer run out: nothing may be held. */
	for (i = 0; i < 20; i++)
		tt_advance_ms(1000);
	check_sent(0);
	printf("(eth RX %" PRIu64 ", ip delivered %" PRIu64 ", tcp RX %" PRIu64 " in the last "
			"epoch) ", lr_test_stat(LR_STAT_eth_RX), lr_test_stat(LR_STAT_ip_DELIVERED),
			tt_stat(LR_TCP_STAT_RX));
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_hostile_frames_no_crash_no_leak", test_tcp_hostile_frames_no_crash_no_leak },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_hostile", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
