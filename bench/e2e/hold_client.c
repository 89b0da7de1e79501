/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hold_client: open many idle TCP connections to one target and hold them, without
 * keeping per-connection state (bench/e2e/ctlstall.sh, issue #9: the control plane
 * against a million connections). Connection i goes from address ip + i / PORTS_PER_IP,
 * port PORT_BASE + i % PORTS_PER_IP; its SYN carries sequence CLIENT_ISN. Every SYN-ACK
 * for one of ours is answered by the ACK that completes the handshake (the server's
 * ISN comes from the SYN-ACK) and marked in a bitmap; SYNs are paced at --rate and
 * sent again, in passes, for the connections not answered yet. The connections then
 * stay idle: nothing more is sent or answered but ARP, until SIGTERM/SIGINT or --hold
 * seconds after the last pass.
 *
 *   hold_client --vdev net_memif0,role=client,socket=S --lcore 0 --file-prefix P
 *       --ip 198.18.1.16 --target 198.18.1.1:9 --conns 1000000 [--rate 200000]
 *       [--passes 3] [--hold 600]
 *
 * Prints one progress line per second and "hold_client: held N" once the last pass has
 * ended (N: connections whose SYN-ACK was answered).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#define PORTS_PER_IP 60000u
#define PORT_BASE 2000u
#define CLIENT_ISN 1000u
#define BURST 32
#define NB_MBUFS 8191

struct opts {
	const char *vdev, *lcore, *prefix;
	uint32_t ip, target;        /* host order */
	uint16_t tport;
	uint32_t conns, rate, passes, hold_s;
};

static volatile sig_atomic_t quit;
static struct rte_mempool *pool;
static struct rte_ether_addr our_mac, peer_mac;
static bool peer_known;
static uint8_t *acked;
static uint32_t nb_acked;
static uint64_t nb_syn, nb_synack, nb_rst, nb_other, nb_tx_fail;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"vdev", 1, NULL, 'v'}, {"lcore", 1, NULL, 'l'}, {"file-prefix", 1, NULL, 'f'},
		{"ip", 1, NULL, 'i'}, {"target", 1, NULL, 't'}, {"conns", 1, NULL, 'n'},
		{"rate", 1, NULL, 'r'}, {"passes", 1, NULL, 'p'}, {"hold", 1, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct in_addr a;
	char *colon;
	int c;

	memset(o, 0, sizeof(*o));
	o->rate = 200000;
	o->passes = 3;
	o->hold_s = 600;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'v': o->vdev = optarg; break;
		case 'l': o->lcore = optarg; break;
		case 'f': o->prefix = optarg; break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return -1;
			o->ip = ntohl(a.s_addr);
			break;
		case 't':
			colon = strchr(optarg, ':');
			if (colon == NULL)
				return -1;
			*colon = '\0';
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return -1;
			o->target = ntohl(a.s_addr);
			o->tport = (uint16_t)atoi(colon + 1);
			break;
		case 'n': o->conns = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': o->rate = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': o->passes = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'h': o->hold_s = (uint32_t)strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	return o->vdev && o->lcore && o->prefix && o->ip && o->target && o->tport &&
		o->conns > 0 && o->rate > 0 && o->passes > 0 ? 0 : -1;
}

static struct rte_mbuf *
frame(struct rte_ether_hdr **eh, uint16_t ether_type, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		return NULL;
	*eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	memset(*eh, 0, len);
	(*eh)->src_addr = our_mac;
	(*eh)->ether_type = rte_cpu_to_be_16(ether_type);
	return m;
}

/* An ARP request (tip) or reply (to sha/sip) from sip. */
static struct rte_mbuf *
arp(uint16_t op, uint32_t sip, uint32_t tip, const struct rte_ether_addr *tha)
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m = frame(&eh, RTE_ETHER_TYPE_ARP, sizeof(*eh) +
			sizeof(struct rte_arp_hdr));
	struct rte_arp_hdr *ah;

	if (m == NULL)
		return NULL;
	ah = (struct rte_arp_hdr *)(eh + 1);
	memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	if (op == RTE_ARP_OP_REPLY)
		eh->dst_addr = *tha;
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = our_mac;
	ah->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	if (tha != NULL)
		ah->arp_data.arp_tha = *tha;
	ah->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

/* A segment without payload from connection i to the target. */
static struct rte_mbuf *
segment(const struct opts *o, uint32_t i, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m = frame(&eh, RTE_ETHER_TYPE_IPV4, sizeof(*eh) +
			sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr));
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return NULL;
	eh->dst_addr = peer_mac;
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(o->ip + i / PORTS_PER_IP);
	ip->dst_addr = rte_cpu_to_be_32(o->target);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16((uint16_t)(PORT_BASE + i % PORTS_PER_IP));
	th->dst_port = rte_cpu_to_be_16(o->tport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = sizeof(*th) / 4 << 4;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

/* @return false if the frame could not be sent (ring full a while, or no mbuf) */
static bool
send_one(struct rte_mbuf *m)
{
	unsigned int tries;

	if (m == NULL)
		return false;
	for (tries = 0; tries < 1000; tries++)
		if (rte_eth_tx_burst(0, 0, &m, 1) == 1)
			return true;
	rte_pktmbuf_free(m);
	nb_tx_fail++;
	return false;
}

/* Connection index of a segment to one of our addresses and ports, or -1. */
static int64_t
conn_index(const struct opts *o, const struct rte_ipv4_hdr *ip, const struct rte_tcp_hdr *th)
{
	uint32_t d = rte_be_to_cpu_32(ip->dst_addr), p = rte_be_to_cpu_16(th->dst_port);
	uint64_t i;

	if (rte_be_to_cpu_32(ip->src_addr) != o->target || d < o->ip || p < PORT_BASE ||
			p >= PORT_BASE + PORTS_PER_IP)
		return -1;
	i = (uint64_t)(d - o->ip) * PORTS_PER_IP + (p - PORT_BASE);
	return i < o->conns ? (int64_t)i : -1;
}

static void
input_tcp(const struct opts *o, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	int64_t i = conn_index(o, ip, th);

	if (i < 0 || ip->next_proto_id != IPPROTO_TCP) {
		nb_other++;
		return;
	}
	if (th->tcp_flags & RTE_TCP_RST_FLAG) {
		nb_rst++;
	} else if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) &&
			rte_be_to_cpu_32(th->recv_ack) == CLIENT_ISN + 1) {
		nb_synack++;
		/* not sent: the next pass sends the SYN again, the server its SYN-ACK */
		if (!send_one(segment(o, (uint32_t)i, RTE_TCP_ACK_FLAG, CLIENT_ISN + 1,
				rte_be_to_cpu_32(th->sent_seq) + 1)))
			return;
		if (!(acked[i / 8] & (1u << (i % 8)))) {
			acked[i / 8] |= (uint8_t)(1u << (i % 8));
			nb_acked++;
		}
	} else {
		nb_other++;
	}
}

static void
input_arp(const struct opts *o, struct rte_mbuf *m)
{
	struct rte_arp_hdr *ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));
	uint32_t tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
	uint32_t sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
	uint32_t nb_ips = (o->conns + PORTS_PER_IP - 1) / PORTS_PER_IP;

	if (sip == o->target) {
		peer_mac = ah->arp_data.arp_sha;
		peer_known = true;
	}
	if (ah->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && tip >= o->ip &&
			tip < o->ip + nb_ips)
		send_one(arp(RTE_ARP_OP_REPLY, tip, sip, &ah->arp_data.arp_sha));
}

static void
poll_rx(const struct opts *o)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n, k;

	n = rte_eth_rx_burst(0, 0, pkts, BURST);
	for (k = 0; k < n; k++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pkts[k], struct rte_ether_hdr *);

		if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
			input_arp(o, pkts[k]);
		else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
			input_tcp(o, pkts[k]);
		rte_pktmbuf_free(pkts[k]);
	}
}

static int
port_up(void)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	unsigned int i;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_count_avail() < 1 || rte_eth_dev_configure(0, 1, 1, &conf) < 0 ||
			rte_eth_rx_queue_setup(0, 0, 1024, rte_socket_id(), NULL, pool) < 0 ||
			rte_eth_tx_queue_setup(0, 0, 1024, rte_socket_id(), NULL) < 0 ||
			rte_eth_dev_start(0) < 0 || rte_eth_macaddr_get(0, &our_mac) < 0)
		return -1;
	for (i = 0; i < 1000 && !quit; i++) {   /* memif: up once the server accepted us */
		if (rte_eth_link_get_nowait(0, &link) == 0 && link.link_status)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Learn the target's MAC (one ARP request every 100 ms, 5 s at most). */
static int
resolve(const struct opts *o)
{
	uint64_t hz = rte_get_tsc_hz(), next = 0, end = rte_rdtsc() + 5 * hz;

	while (!peer_known && !quit && rte_rdtsc() < end) {
		if (rte_rdtsc() >= next) {
			send_one(arp(RTE_ARP_OP_REQUEST, o->ip, o->target, NULL));
			next = rte_rdtsc() + hz / 10;
		}
		poll_rx(o);
	}
	return peer_known ? 0 : -1;
}

/* One pass: a SYN for each connection not answered yet, paced at o->rate. */
static void
pass(const struct opts *o, unsigned int k)
{
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), last = t0, sent = 0, now;
	uint32_t i = 0, b;

	while (i < o->conns && !quit) {
		now = rte_rdtsc();
		/* at most a burst per turn: no flood after the client was descheduled */
		for (b = 0; b < BURST && i < o->conns && sent * hz < (now - t0) * o->rate;) {
			if (!(acked[i / 8] & (1u << (i % 8)))) {
				send_one(segment(o, i, RTE_TCP_SYN_FLAG, CLIENT_ISN, 0));
				nb_syn++;
				sent++;
				b++;
			}
			i++;
		}
		poll_rx(o);
		if (now - last >= hz) {
			printf("hold_client: pass %u: %u of %u, %" PRIu64 " SYN, %" PRIu64
					" SYN-ACK, %u held, %" PRIu64 " RST\n", k, i, o->conns,
					nb_syn, nb_synack, nb_acked, nb_rst);
			fflush(stdout);
			last = now;
		}
	}
	/* the last answers */
	for (now = rte_rdtsc(); rte_rdtsc() - now < hz && !quit;)
		poll_rx(o);
}

int
main(int argc, char **argv)
{
	struct opts o;
	char *eal[16];
	uint64_t end;
	unsigned int k;
	int n = 0;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: hold_client --vdev DEV --lcore N --file-prefix P --ip A.B.C.D "
				"--target A.B.C.D:PORT --conns N [--rate PPS] [--passes K] "
				"[--hold S]\n");
		return 2;
	}
	eal[n++] = argv[0];
	eal[n++] = "-l";
	eal[n++] = (char *)(uintptr_t)o.lcore;
	eal[n++] = "--in-memory";
	eal[n++] = "--no-pci";
	eal[n++] = "--file-prefix";
	eal[n++] = (char *)(uintptr_t)o.prefix;
	eal[n++] = "--log-level";
	eal[n++] = "*:warning";
	eal[n++] = "--vdev";
	eal[n++] = (char *)(uintptr_t)o.vdev;
	eal[n] = NULL;
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "hold_client: EAL init failed\n");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	acked = calloc(o.conns / 8 + 1, 1);
	pool = rte_pktmbuf_pool_create("hold_pool", NB_MBUFS, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (acked == NULL || pool == NULL || port_up() < 0 || resolve(&o) < 0) {
		fprintf(stderr, "hold_client: port not up or %s not answering ARP\n", argv[0]);
		rte_eal_cleanup();
		return 1;
	}
	for (k = 1; k <= o.passes && nb_acked < o.conns && !quit; k++)
		pass(&o, k);
	printf("hold_client: held %u of %u (%" PRIu64 " SYN, %" PRIu64 " SYN-ACK, %" PRIu64
			" RST, %" PRIu64 " other, %" PRIu64 " not sent)\n", nb_acked, o.conns, nb_syn,
			nb_synack, nb_rst, nb_other, nb_tx_fail);
	fflush(stdout);
	end = rte_rdtsc() + (uint64_t)o.hold_s * rte_get_tsc_hz();
	while (!quit && rte_rdtsc() < end) {
		poll_rx(&o);
		usleep(1000);
	}
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return 0;
}
