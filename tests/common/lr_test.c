/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit-test harness: EAL without hugepages, one worker whose TX is recorded, a
 * virtual clock, frame builders and leak checks. See lr_test.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lr_core.h"
#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_stats.h"
#include "lr_udp.h"
#include "services.h"
#include "lr_test.h"

#define TEST_NB_MBUFS 8191
#define TEST_NB_INDIRECT 8191
#define TEST_TX_MAX 4096
#define TEST_START_US 1000000

const struct rte_ether_addr lr_test_our_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x02}};
const struct rte_ether_addr lr_test_peer_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x01}};

struct lr_worker *lr_tw;
struct rte_mempool *lr_test_pool;
static struct rte_mempool *test_indirect_pool;
/* Frames too long for one buffer of lr_test_pool are flattened into these to parse. */
static struct rte_mempool *test_flat_pool;
#define TEST_FLAT_ROOM (RTE_PKTMBUF_HEADROOM + 16384)

static struct rte_mbuf *tx_frames[TEST_TX_MAX];
static unsigned int tx_n;
static unsigned int pool_baseline;
static bool world_up;

/* TX recorder: keeps every frame the worker flushes, up to TEST_TX_MAX. */
static uint16_t
test_tx_record(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(w);
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	for (i = 0; i < n && tx_n < TEST_TX_MAX; i++)
		tx_frames[tx_n++] = pkts[i];
	return i;
}

unsigned int
lr_test_tx_count(void)
{
	if (lr_tw != NULL)
		lr_worker_flush(lr_tw);
	return tx_n;
}

struct rte_mbuf *
lr_test_tx_get(unsigned int i)
{
	if (lr_tw != NULL)
		lr_worker_flush(lr_tw);
	return i < tx_n ? tx_frames[i] : NULL;
}

void
lr_test_tx_clear(void)
{
	unsigned int i;

	for (i = 0; i < tx_n; i++)
		rte_pktmbuf_free(tx_frames[i]);
	tx_n = 0;
}

static unsigned int
pools_in_use(void)
{
	unsigned int n = 0;

	if (lr_test_pool != NULL)
		n += rte_mempool_in_use_count(lr_test_pool);
	if (test_indirect_pool != NULL)
		n += rte_mempool_in_use_count(test_indirect_pool);
	return n;
}

unsigned int
lr_test_pool_in_use(void)
{
	if (lr_tw != NULL && world_up)
		lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	return pools_in_use();
}

unsigned int
lr_test_pool_baseline(void)
{
	return pool_baseline;
}

uint64_t
lr_test_stat(enum lr_stat_id id)
{
	return lr_stats_sum(id, 1);
}

void
lr_test_cleanup(void)
{
	if (!world_up)
		return;
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	lr_ip_worker_fini(lr_tw);
	lr_arp_worker_fini(lr_tw);
	/* Anything the layers queued while shutting down. */
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	world_up = false;
}

void
lr_test_learn_peer(void)
{
	static const struct rte_ether_addr zero;
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &lr_test_peer_mac, LR_TEST_PEER_IP,
			&zero, LR_TEST_OUR_IP));
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	lr_stats_reset();
}

void
lr_test_reset(void)
{
	struct lr_iface ifc;
	int ret;

	lr_test_cleanup();
	lr_test_tx_clear();

	lr_stats_reset();
	lr_iface_reset();
	memset(&ifc, 0, sizeof(ifc));
	ifc.port_id = 0;
	ifc.mtu = 1500;
	ifc.mac = lr_test_our_mac;
	ifc.ip = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	ifc.prefix_len = 24;
	ifc.netmask = rte_cpu_to_be_32(0xffffff00);
	ifc.gateway = 0;
	ret = lr_iface_add(&ifc);
	CU_ASSERT_EQUAL_FATAL(ret, 0);

	lr_arp_configure(&lr_arp_conf_default);
	lr_ip_configure(&lr_ip_conf_default);
	lr_udp_reset();
	lr_ip_init();
	lr_udp_init();
	ret = lr_services_udp_init(7, 9);
	CU_ASSERT_EQUAL(ret, 0);

	lr_tw = &lr_workers[0];
	ret = lr_worker_init(lr_tw, 0, lr_test_pool);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	lr_tw->indirect_pool = test_indirect_pool;
	lr_tw->tx_fn = test_tx_record;
	/* LR_TEST_TX_REF=1: every suite with TCP segments sent from the send buffer in
	 * place (tcp_sbref.c), as on a daemon's ports; by default they are copied */
	lr_tw->tx_ref = getenv("LR_TEST_TX_REF") != NULL && atoi(getenv("LR_TEST_TX_REF")) != 0;
	lr_tw->now_us = TEST_START_US;
	lr_nb_workers = 1;
	ret = lr_arp_worker_init(lr_tw);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	ret = lr_ip_worker_init(lr_tw);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	world_up = true;
	lr_test_learn_peer();

	pool_baseline = pools_in_use();
}

void
lr_test_advance_us(uint64_t us)
{
	lr_tw->now_us += us;
	lr_arp_tick(lr_tw);
	lr_ip_tick(lr_tw);
	lr_worker_flush(lr_tw);
}

void
lr_test_rx(struct rte_mbuf *m)
{
	m->port = 0;
	lr_eth_input(lr_tw, m);
	lr_worker_flush(lr_tw);
}

void
lr_test_ip_recksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = lr_test_ip_of(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

struct rte_mbuf *
lr_test_frame(const void *bytes, uint16_t len)
{
	struct rte_mbuf *head, *last;
	const uint8_t *src = bytes;
	uint16_t left = len;

	head = rte_pktmbuf_alloc(lr_test_pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	head->port = 0;
	last = head;
	for (;;) {
		uint16_t chunk = RTE_MIN(left, rte_pktmbuf_tailroom(last));
		char *dst = rte_pktmbuf_append(head, chunk); /* appends to the last segment */

		if (chunk > 0)
			memcpy(dst, src, chunk);
		src += chunk;
		left -= chunk;
		if (left == 0)
			break;
		/* Larger than one segment: chain another. */
		last->next = rte_pktmbuf_alloc(lr_test_pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(last->next);
		last = last->next;
		head->nb_segs++;
	}
	return head;
}

struct rte_mbuf *
lr_test_frame_split(const void *bytes, uint16_t len, uint16_t split)
{
	struct rte_mbuf *head = lr_test_frame(bytes, split);
	struct rte_mbuf *tail = lr_test_frame((const uint8_t *)bytes + split, len - split);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, tail), 0);
	return head;
}

struct rte_mbuf *
lr_test_data(const void *data, uint16_t len)
{
	struct rte_mbuf *m;
	uint8_t *zeros = NULL;

	if (data == NULL) {
		zeros = calloc(1, len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(zeros);
		data = zeros;
	}
	m = lr_test_frame(data, len);
	free(zeros);
	return m;
}

struct rte_ipv4_hdr *
lr_test_ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

/* Build Ethernet + IPv4 header in buf; returns the IPv4 header. */
static struct rte_ipv4_hdr *
build_eth_ip(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	eth->dst_addr = lr_test_our_mac;
	eth->src_addr = lr_test_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_len);
	ip->packet_id = rte_cpu_to_be_16(1);
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

#define FRAME_HDRS (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

struct rte_mbuf *
lr_test_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const void *payload, uint16_t len)
{
	uint8_t *buf = calloc(1, FRAME_HDRS + len);
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	build_eth_ip(buf, src, dst, proto, len);
	if (payload != NULL && len > 0)
		memcpy(buf + FRAME_HDRS, payload, len);
	m = lr_test_frame(buf, FRAME_HDRS + len);
	free(buf);
	return m;
}

struct rte_mbuf *
lr_test_udp(uint16_t sport, uint16_t dport, const void *payload, uint16_t len)
{
	size_t l4 = sizeof(struct rte_udp_hdr) + len;
	uint8_t *buf = calloc(1, FRAME_HDRS + l4);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	ip = build_eth_ip(buf, LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_UDP, l4);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(l4);
	udp->dgram_cksum = 0;
	if (payload != NULL && len > 0)
		memcpy(udp + 1, payload, len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	m = lr_test_frame(buf, FRAME_HDRS + l4);
	free(buf);
	return m;
}

uint32_t
lr_test_isn(void *arg, rte_be32_t laddr, rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport)
{
	RTE_SET_USED(laddr);
	RTE_SET_USED(lport);
	RTE_SET_USED(raddr);
	RTE_SET_USED(rport);
	return (uint32_t)(uintptr_t)arg;
}

struct rte_mbuf *
lr_test_tcp(const struct lr_test_tcp_seg *s)
{
	uint16_t hlen = (uint16_t)(sizeof(struct rte_tcp_hdr) + ((s->optlen + 3u) & ~3u));
	size_t l4 = hlen + s->len;
	uint8_t *buf = calloc(1, FRAME_HDRS + l4);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	ip = build_eth_ip(buf, s->src != 0 ? s->src : LR_TEST_PEER_IP,
			s->dst != 0 ? s->dst : LR_TEST_OUR_IP, IPPROTO_TCP, l4);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = rte_cpu_to_be_16(s->sport);
	th->dst_port = rte_cpu_to_be_16(s->dport);
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->wnd);
	if (s->optlen > 0)
		memcpy(th + 1, s->opts, s->optlen);
	if (s->data != NULL && s->len > 0)
		memcpy((uint8_t *)th + hlen, s->data, s->len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m = lr_test_frame(buf, (uint16_t)(FRAME_HDRS + l4));
	free(buf);
	return m;
}

struct rte_mbuf *
lr_test_icmp_echo(uint16_t id, uint16_t seq, const void *payload, uint16_t len)
{
	size_t l4 = sizeof(struct rte_icmp_hdr) + len;
	uint8_t *buf = calloc(1, FRAME_HDRS + l4);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	ip = build_eth_ip(buf, LR_TEST_PEER_IP, LR_TEST_OUR_IP, IPPROTO_ICMP, l4);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	icmp->icmp_cksum = 0;
	if (payload != NULL && len > 0)
		memcpy(icmp + 1, payload, len);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4);
	m = lr_test_frame(buf, FRAME_HDRS + l4);
	free(buf);
	return m;
}

struct rte_mbuf *
lr_test_arp(uint16_t op, const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *sha,
		uint32_t sip, const struct rte_ether_addr *tha, uint32_t tip)
{
	uint8_t buf[sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(buf, 0, sizeof(buf));
	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	if (tha != NULL)
		arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return lr_test_frame(buf, sizeof(buf));
}

/*
 * A chain longer than one buffer of its pool (a jumbo frame) made one segment: its
 * bytes copied into a buffer of test_flat_pool that its head is attached to (freeing
 * the head gives that buffer back), its offload fields kept. @return 0 or -1
 */
static int
flatten(struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags, tx_offload = m->tx_offload;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct rte_mbuf *flat;
	char *dst;

	if (RTE_MBUF_CLONED(m) || rte_mbuf_refcnt_read(m) != 1 || len > 16384)
		return -1;
	flat = rte_pktmbuf_alloc(test_flat_pool);
	if (flat == NULL)
		return -1;
	dst = rte_pktmbuf_append(flat, (uint16_t)len);
	if (dst == NULL || rte_pktmbuf_read(m, 0, len, dst) != dst) {
		rte_pktmbuf_free(flat);
		return -1;
	}
	rte_pktmbuf_free(m->next);
	m->next = NULL;
	m->nb_segs = 1;
	rte_pktmbuf_attach(m, flat);
	rte_pktmbuf_free(flat); /* m holds its buffer now */
	m->ol_flags = ol | RTE_MBUF_F_INDIRECT;
	m->tx_offload = tx_offload;
	return 0;
}

int
lr_test_parse(struct rte_mbuf *m, struct lr_test_parsed *p)
{
	uint16_t len, ihl, tot, l4len, frag;
	uint8_t *l4;

	memset(p, 0, sizeof(*p));
	if (m == NULL)
		return -1;
	if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0 && flatten(m) != 0)
		return -1;
	len = rte_pktmbuf_data_len(m);
	if (len < sizeof(struct rte_ether_hdr))
		return -1;
	p->eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	len -= sizeof(struct rte_ether_hdr);

	switch (rte_be_to_cpu_16(p->eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		if (len < sizeof(struct rte_arp_hdr))
			return -1;
		p->arp = (struct rte_arp_hdr *)(p->eth + 1);
		return 0;
	case RTE_ETHER_TYPE_IPV4:
		break;
	default:
		p->payload = (uint8_t *)(p->eth + 1);
		p->payload_len = len;
		return 0;
	}

	if (len < sizeof(struct rte_ipv4_hdr))
		return -1;
	p->ip = (struct rte_ipv4_hdr *)(p->eth + 1);
	ihl = rte_ipv4_hdr_len(p->ip);
	tot = rte_be_to_cpu_16(p->ip->total_length);
	if (ihl < sizeof(struct rte_ipv4_hdr) || ihl > len || tot < ihl)
		return -1;
	if (tot > len)
		tot = len; /* truncated capture: parse what is there */
	l4 = (uint8_t *)p->ip + ihl;
	l4len = tot - ihl;
	frag = rte_be_to_cpu_16(p->ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK;
	if (frag != 0) {
		/* Not the first fragment: no L4 header here. */
		p->payload = l4;
		p->payload_len = l4len;
		return 0;
	}

	switch (p->ip->next_proto_id) {
	case IPPROTO_ICMP:
		if (l4len < sizeof(struct rte_icmp_hdr))
			return -1;
		p->icmp = (struct rte_icmp_hdr *)l4;
		p->payload = l4 + sizeof(struct rte_icmp_hdr);
		p->payload_len = l4len - sizeof(struct rte_icmp_hdr);
		break;
	case IPPROTO_UDP:
		if (l4len < sizeof(struct rte_udp_hdr))
			return -1;
		p->udp = (struct rte_udp_hdr *)l4;
		p->payload = l4 + sizeof(struct rte_udp_hdr);
		p->payload_len = l4len - sizeof(struct rte_udp_hdr);
		if (rte_be_to_cpu_16(p->udp->dgram_len) >= sizeof(struct rte_udp_hdr) &&
				rte_be_to_cpu_16(p->udp->dgram_len) - sizeof(struct rte_udp_hdr) <
				p->payload_len)
			p->payload_len = rte_be_to_cpu_16(p->udp->dgram_len) -
				sizeof(struct rte_udp_hdr);
		break;
	case IPPROTO_TCP: {
		uint16_t doff;

		if (l4len < sizeof(struct rte_tcp_hdr))
			return -1;
		p->tcp = (struct rte_tcp_hdr *)l4;
		doff = (p->tcp->data_off >> 4) * 4;
		if (doff < sizeof(struct rte_tcp_hdr) || doff > l4len)
			return -1;
		p->payload = l4 + doff;
		p->payload_len = l4len - doff;
		break;
	}
	default:
		p->payload = l4;
		p->payload_len = l4len;
		break;
	}
	return 0;
}

bool
lr_test_ip_cksum_ok(const struct lr_test_parsed *p)
{
	if (p->ip == NULL)
		return false;
	return rte_raw_cksum(p->ip, rte_ipv4_hdr_len(p->ip)) == 0xffff;
}

bool
lr_test_l4_cksum_ok(const struct lr_test_parsed *p)
{
	if (p->ip == NULL)
		return false;
	if (p->udp != NULL) {
		if (p->udp->dgram_cksum == 0)
			return true;
		return rte_ipv4_udptcp_cksum_verify(p->ip, p->udp) == 0;
	}
	if (p->tcp != NULL)
		return rte_ipv4_udptcp_cksum_verify(p->ip, p->tcp) == 0;
	if (p->icmp != NULL) {
		size_t l4len = rte_be_to_cpu_16(p->ip->total_length) - rte_ipv4_hdr_len(p->ip);

		return rte_raw_cksum(p->icmp, l4len) == 0xffff;
	}
	return false;
}

/* ---------------------------------------------------------------------------------------- */

static const char *test_filter;

static int
test_eal_init(const char *prog)
{
	static char prefix[32];
	static char progbuf[64];
	char *eal_argv[] = {
		/*
		 * DPDK 22.11 refuses --in-memory with --no-huge (no-huge implies legacy
		 * memory, which in-memory excludes); --no-shconf gives the same isolation.
		 */
		progbuf, "--no-huge", "-m", "128", "--no-pci", "--no-telemetry", "--no-shconf",
		"--log-level=lib.*:error", "--log-level=user1:error",
		"--file-prefix", prefix, "-l", "0", NULL,
	};
	int eal_argc = RTE_DIM(eal_argv) - 1;

	snprintf(progbuf, sizeof(progbuf), "%s", prog);
	snprintf(prefix, sizeof(prefix), "lrtest%d", (int)getpid());
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "lr-test: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	lr_test_pool = rte_pktmbuf_pool_create("lrtest_pool", TEST_NB_MBUFS, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	test_indirect_pool = rte_pktmbuf_pool_create("lrtest_indirect", TEST_NB_INDIRECT, 0, 0,
			0, SOCKET_ID_ANY);
	test_flat_pool = rte_pktmbuf_pool_create("lrtest_flat", 255, 0, 0, TEST_FLAT_ROOM,
			SOCKET_ID_ANY);
	if (lr_test_pool == NULL || test_indirect_pool == NULL || test_flat_pool == NULL) {
		fprintf(stderr, "lr-test: mbuf pool creation failed: %s\n",
				rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
default_setup(void)
{
	lr_test_reset();
}

static void
default_teardown(void)
{
	lr_test_cleanup();
}

int
lr_test_main(int argc, char **argv, const struct lr_test_suite *suites)
{
	static char runtime_dir[PATH_MAX];
	const struct lr_test_suite *s;
	unsigned int run, failed;
	CU_ErrorCode err;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: %s [substring of test names to run]\n", argv[0]);
			return 0;
		}
		test_filter = argv[i];
	}
	if (test_eal_init(argc > 0 ? argv[0] : "lr-test") < 0)
		return 2;
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "lr-test: CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (s = suites; s != NULL && s->name != NULL; s++) {
		const CU_TestInfo *t;
		CU_pSuite cs;

		cs = CU_add_suite_with_setup_and_teardown(s->name, NULL, NULL,
				s->setup != NULL ? s->setup : default_setup,
				s->teardown != NULL ? s->teardown : default_teardown);
		if (cs == NULL) {
			fprintf(stderr, "lr-test: CUnit suite %s: %s\n", s->name,
					CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
		for (t = s->cases; t != NULL && t->pName != NULL; t++) {
			if (test_filter != NULL && strstr(t->pName, test_filter) == NULL)
				continue;
			if (CU_add_test(cs, t->pName, t->pTestFunc) == NULL) {
				fprintf(stderr, "lr-test: CUnit test %s: %s\n", t->pName,
						CU_get_error_msg());
				CU_cleanup_registry();
				return 2;
			}
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	err = CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	if (err == CUE_SUCCESS)
		err = CU_get_error();
	printf("lr-test: %u passed, %u failed\n", run - failed, failed);
	fflush(stdout);
	CU_cleanup_registry();
	lr_test_cleanup();
	rte_mempool_free(test_indirect_pool);
	rte_mempool_free(test_flat_pool);
	rte_mempool_free(lr_test_pool);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(runtime_dir); /* empty with --no-shconf; do not leave one per run */
	return (failed != 0 || err != CUE_SUCCESS) ? 1 : 0;
}
