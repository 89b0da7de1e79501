/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lr_e2e: one linerate worker on one lcore over one vdev (net_memif), as the server
 * (UDP echo/discard, TCP echo/discard/chargen/HTTP services) or the client (the load
 * generator of loadgen/loadgen.c). A stand-in for the daemon until app/daemon/main.c wires the
 * generator in: same libraries, same poll-loop order, no config file or control
 * socket.
 *
 *   lr_e2e --role server --vdev net_memif0,role=server,socket=/tmp/x.sock --ip 198.18.1.1/24
 *          --lcore 0 --file-prefix lre2e_s --time 30
 *   lr_e2e --role client --vdev net_memif0,role=client,socket=/tmp/x.sock --ip 198.18.1.2/24
 *          --lcore 1 --file-prefix lre2e_c --spec "mode=crr target=198.18.1.1 conc=64"
 *   lr_e2e --role ring --lcore 0,1 --file-prefix lre2e_r
 *          --spec "mode=crr target=198.18.3.1 conc=64"
 *
 * --role ring runs both in one process, over a net_ring pair (rte_eth_from_rings): the
 * client (198.18.3.2/24) on the first lcore, the server (198.18.3.1/24) on the second,
 * two stacks kept apart by lr_worker::iface_mask (each owns and routes through its own
 * port only). No shared memory between processes, no memif copies: the stack's cost
 * without the I/O of a virtual device.
 *
 * --ip-count N gives the client (or server) N addresses from --ip upwards, like
 * [port.N] ip_count: the generator spreads its connections over them x the ports.
 * --peer-mac IP=MAC teaches the ARP cache a neighbour that does not answer ARP
 * (dpdk-testpmd in 5tswap mode as the echo server of the I/O ceiling).
 * Every run is bounded: the server stops after --time seconds (or SIGINT/SIGTERM),
 * the client when the generator is done (or after duration + warm-up + 10 s).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "config.h"
#include "loadgen.h"
#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_tcp.h"
#include "lr_udp.h"
#include "services.h"
#include "tcp_services.h"

#define BURST 32
#define TICK_US 10000

static volatile bool quit;

struct opts {
	const char *role, *vdev, *spec, *prefix, *peer_mac;
	char ip[32];
	unsigned int lcore, lcore2, nb_lcores, time_s, body, queues, ip_count, linger_ms;
	bool ring;
	bool quiet;
};

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	quit = true;
}

static void
usage(void)
{
	fprintf(stderr, "usage: lr_e2e --role server|client --vdev DEV --ip A.B.C.D/LEN "
			"--lcore N --file-prefix P\n"
			"       lr_e2e --role ring --lcore CLIENT,SERVER --file-prefix P --spec SPEC\n"
			"              [--spec \"mode=crr target=... \"] [--time S] [--body BYTES]\n"
			"              [--peer-mac A.B.C.D=MAC] [--queues N] [--ip-count N]\n"
			"              [--linger-ms MS]  (client: after the summary, keep the port\n"
			"              connected, unpolled, up to MS or until SIGTERM)\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"role", required_argument, NULL, 'r'}, {"vdev", required_argument, NULL, 'v'},
		{"ip", required_argument, NULL, 'i'}, {"lcore", required_argument, NULL, 'l'},
		{"file-prefix", required_argument, NULL, 'f'},
		{"spec", required_argument, NULL, 's'}, {"time", required_argument, NULL, 't'},
		{"body", required_argument, NULL, 'b'},
		{"peer-mac", required_argument, NULL, 'p'},
		{"queues", required_argument, NULL, 'q'},
		{"ip-count", required_argument, NULL, 'n'},
		{"linger-ms", required_argument, NULL, 'g'}, {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->time_s = 60;
	o->body = 128;
	o->queues = 1;
	o->ip_count = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r': o->role = optarg; break;
		case 'v': o->vdev = optarg; break;
		case 'i': snprintf(o->ip, sizeof(o->ip), "%s", optarg); break;
		case 'l':
			c = sscanf(optarg, "%u,%u", &o->lcore, &o->lcore2);
			if (c < 1)
				return -1;
			o->nb_lcores = (unsigned int)c;
			break;
		case 'f': o->prefix = optarg; break;
		case 's': o->spec = optarg; break;
		case 't': o->time_s = (unsigned int)atoi(optarg); break;
		case 'b': o->body = (unsigned int)atoi(optarg); break;
		case 'p': o->peer_mac = optarg; break;
		case 'q': o->queues = (unsigned int)atoi(optarg); break;
		case 'n': o->ip_count = (unsigned int)atoi(optarg); break;
		case 'g': o->linger_ms = (unsigned int)atoi(optarg); break;
		default: return -1;
		}
	}
	if (o->role == NULL || o->prefix == NULL || o->queues < 1 || o->queues > 16 ||
			o->ip_count < 1 || o->ip_count > 250)
		return -1;
	o->ring = strcmp(o->role, "ring") == 0;
	if (o->ring)
		return o->spec != NULL && o->nb_lcores == 2 && o->lcore2 != o->lcore ? 0 : -1;
	if (o->vdev == NULL || o->ip[0] == '\0' ||
			(strcmp(o->role, "server") != 0 && strcmp(o->role, "client") != 0) ||
			(strcmp(o->role, "client") == 0 && o->spec == NULL))
		return -1;
	return 0;
}

static int
parse_cidr(const char *s, rte_be32_t *ip, uint8_t *len)
{
	unsigned int a, b, c, d, l = 24;

	if (sscanf(s, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &l) < 4 || a > 255 || b > 255 ||
			c > 255 || d > 255 || l > 32)
		return -1;
	*ip = rte_cpu_to_be_32(RTE_IPV4(a, b, c, d));
	*len = (uint8_t)l;
	return 0;
}

/*
 * nq RX/TX queue pairs, no offloads (memif has none): software checksums. The worker
 * sends on queue 0 and polls every RX queue: facing a linerate with nq workers, worker
 * i answers on queue i (net_memif pairs the queues of its two ends).
 */
static int
port_up(uint16_t port, uint16_t nq, struct rte_mempool *pool, const char *ipstr,
		struct lr_iface *ifc)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_link link;
	uint16_t q;
	int rc, i;

	memset(ifc, 0, sizeof(*ifc));
	if (parse_cidr(ipstr, &ifc->ip, &ifc->prefix_len) != 0)
		return -EINVAL;
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	for (q = 0; q < nq && rc == 0; q++) {
		rc = rte_eth_rx_queue_setup(port, q, 1024, rte_eth_dev_socket_id(port), NULL,
				pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, 1024, rte_eth_dev_socket_id(port),
					NULL);
	}
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		return rc;
	ifc->port_id = port;
	ifc->mtu = 1500;
	ifc->netmask = ifc->prefix_len == 0 ? 0 :
			rte_cpu_to_be_32(UINT32_MAX << (32 - ifc->prefix_len));
	rte_eth_macaddr_get(port, &ifc->mac);
	/* memif: the link comes up once the peer process has connected */
	for (i = 0; i < 200 && !quit; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* Feed an ARP request from a neighbour that never sends one (testpmd). */
static int
learn_peer(struct lr_worker *w, const struct lr_iface *ifc, const char *spec)
{
	unsigned int a, b, c, d, m[6], i;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *mb;

	if (sscanf(spec, "%u.%u.%u.%u=%x:%x:%x:%x:%x:%x", &a, &b, &c, &d, &m[0], &m[1], &m[2],
			&m[3], &m[4], &m[5]) != 10)
		return -EINVAL;
	mb = rte_pktmbuf_alloc(w->pool);
	if (mb == NULL)
		return -ENOMEM;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(mb, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(eth, 0xff, sizeof(eth->dst_addr));
	for (i = 0; i < 6; i++)
		eth->src_addr.addr_bytes[i] = (uint8_t)m[i];
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = eth->src_addr;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(RTE_IPV4(a, b, c, d));
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = ifc->ip;
	mb->port = ifc->port_id;
	lr_eth_input_burst(w, &mb, 1);
	return 0;
}

static void
server_report(uint16_t nb_workers)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];

	lr_services_tcp_stats(nb_workers, s, NULL);
	printf("lr_e2e server: udp echo %" PRIu64 ", http requests %" PRIu64 " on %" PRIu64
			" connections, discard bytes %" PRIu64 ", chargen bytes %" PRIu64 "\n",
			lr_stats_sum(LR_STAT_udp_ECHO_RX, nb_workers), s[LR_TCP_SVC_HTTP].requests,
			s[LR_TCP_SVC_HTTP].conns, s[LR_TCP_SVC_DISCARD].bytes_in,
			s[LR_TCP_SVC_CHARGEN].bytes_out);
}

/* The poll loop of app/daemon/main.c for one worker and one port, plus the generator. */
static void
run(struct lr_worker *w, uint16_t port, uint16_t nq, bool client, uint64_t deadline_us)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t next_tick = 0;
	uint16_t n, q, i;

	while (!quit) {
		w->now_us = lr_clock_us();
		for (q = 0; q < nq; q++) {
			n = rte_eth_rx_burst(port, q, pkts, BURST);
			/* net_ring hands over the sender's mbufs as they are: mark them
			 * received here, as any other PMD does */
			for (i = 0; i < n; i++)
				pkts[i]->port = port;
			if (n > 0)
				lr_eth_input_burst(w, pkts, n);
		}
		lr_arp_sync(w);
		lr_tcp_flush(w);
		lr_tcp_tick(w);
		if (w->now_us >= next_tick) {
			lr_arp_tick(w);
			lr_ip_tick(w);
			next_tick = w->now_us + TICK_US;
		}
		if (client) {
			lr_loadgen_poll(w);
			lr_loadgen_live_tick(stdout, 1, w->now_us); /* progress=1: the table */
		}
		lr_tcp_flush(w);
		lr_worker_flush(w);
		if ((client && lr_loadgen_done(w)) || w->now_us >= deadline_us)
			break;
	}
}

/* LR_E2E_STATS=1: every non-zero counter of each worker, on stderr (why a run moved
 * nothing: ARP unresolved, a drop reason). */
static void
dump_stats(unsigned int nb_workers)
{
	unsigned int id, b;

	if (getenv("LR_E2E_STATS") == NULL)
		return;
	for (b = 0; b < nb_workers; b++)
		for (id = 0; id < LR_STAT_MAX; id++) {
			const struct lr_stat_desc *d = lr_stats_desc((enum lr_stat_id)id);
			uint64_t v = lr_stats_read(b, (enum lr_stat_id)id);

			if (v != 0 && d != NULL)
				fprintf(stderr, "  worker %u %s.%s %" PRIu64 "\n", b, d->layer,
						d->name, v);
		}
}

/* A client that closes first holds TIME_WAIT: keep it short and the port range wide,
 * as tcp_tw_reuse and ip_local_port_range do for Linux. */
static void
client_tune(struct lr_config *cfg, struct lr_arp_conf *arp)
{
	cfg->tcp.msl_ms = 50;
	cfg->tcp.port_lo = 1024;
	cfg->tcp.port_hi = 65535;
	arp->pending_max = 4096;
}

/* Per-worker state of one stack; a server also gets the UDP and TCP services. */
static int
worker_setup(struct lr_worker *w, uint16_t id, unsigned int lcore, struct rte_mempool *pool,
		const struct lr_config *cfg, bool server)
{
	int rc;

	lr_worker_init(w, id, pool);
	w->lcore = lcore;
	w->rxq = 0;
	w->txq = 0;
	rc = lr_arp_worker_init(w);
	if (rc == 0)
		rc = lr_ip_worker_init(w);
	if (rc == 0)
		rc = lr_tcp_worker_init(w, &cfg->tcp);
	if (rc == 0 && server)
		rc = lr_services_udp_init(cfg->udp_echo_port, cfg->udp_discard_port);
	if (rc == 0 && server)
		rc = lr_services_tcp_init(w, cfg);
	return rc;
}

/* --role ring: a net_ring port per side, rx of one = tx of the other. */
static int
ring_port(const char *name, struct rte_ring *rx, struct rte_ring *tx, uint8_t last,
		struct rte_mempool *pool, const char *ip, struct lr_iface *ifc)
{
	struct rte_ether_addr mac = {{ 0x02, 0x4c, 0x52, 0xe2, 0x03, last }};
	int port = rte_eth_from_rings(name, &rx, 1, &tx, 1, (unsigned int)rte_socket_id());

	int rc;

	if (port < 0)
		return -rte_errno;
	rc = port_up((uint16_t)port, 1, pool, ip, ifc);
	/* net_ring gives every port the same address and cannot change it; it filters
	 * nothing, so the stack's own address is all that tells the two ends apart */
	ifc->mac = mac;
	return rc;
}

struct ring_server {
	struct lr_worker *w;
	uint16_t port;
};

/* The server's poll loop, on its own lcore, until the client is done. */
static int
ring_server_main(void *arg)
{
	struct ring_server *rs = arg;

	run(rs->w, rs->port, 1, false, UINT64_MAX);
	return 0;
}

/*
 * Two stacks in one process: the client (worker 0, this lcore) and the server (worker
 * 1, lcore2), each the only owner of its port's address (iface_mask). lr_nb_workers
 * stays 1: each stack is a one-worker appliance, so the generator's concurrency is not
 * shared with the server and no flow is steered between them.
 */
static int
ring_main(const struct opts *o, struct lr_loadgen_conf *lg, struct rte_mempool *pool)
{
	struct lr_worker *wc = &lr_workers[0], *ws = &lr_workers[1];
	struct lr_config ccfg, scfg;
	struct lr_arp_conf arp = lr_arp_conf_default;
	struct lr_iface ic, is;
	struct rte_ring *c2s, *s2c;
	struct ring_server rs;
	int rc;

	lr_config_defaults(&scfg);
	scfg.tcp.max_conns = 65536;
	scfg.http_body_size = o->body;
	ccfg = scfg;
	client_tune(&ccfg, &arp);
	lr_arp_configure(&arp);
	c2s = rte_ring_create("lr_e2e_c2s", 4096, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	s2c = rte_ring_create("lr_e2e_s2c", 4096, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (c2s == NULL || s2c == NULL)
		return -ENOMEM;
	rc = ring_port("lr_e2e_client", s2c, c2s, 2, pool, "198.18.3.2/24", &ic);
	if (rc == 0)
		rc = ring_port("lr_e2e_server", c2s, s2c, 1, pool, "198.18.3.1/24", &is);
	if (rc != 0)
		return rc;
	lr_nb_workers = 1;
	rc = worker_setup(wc, 0, o->lcore, pool, &ccfg, false);
	if (rc == 0)
		rc = worker_setup(ws, 1, o->lcore2, pool, &scfg, true);
	if (rc != 0)
		return rc;
	wc->iface_mask = (uint8_t)(1u << ic.port_id);
	ws->iface_mask = (uint8_t)(1u << is.port_id);
	ic.ip_count = o->ip_count; /* the client's address pool: 198.18.3.2 upwards */
	lr_iface_add(&ic);
	lr_iface_add(&is);
	wc->now_us = ws->now_us = lr_clock_us();
	lr_arp_send_gratuitous(ws, &is);
	lr_arp_send_gratuitous(wc, &ic);
	lr_worker_flush(ws);
	lr_worker_flush(wc);
	rs.w = ws;
	rs.port = is.port_id;
	rc = rte_eal_remote_launch(ring_server_main, &rs, o->lcore2);
	if (rc != 0)
		return rc;
	printf("lr_e2e: ring: client on lcore %u (198.18.3.2, port %u), server on lcore %u "
			"(198.18.3.1, port %u)\n", o->lcore, ic.port_id, o->lcore2, is.port_id);
	fflush(stdout);
	rc = lr_loadgen_start(wc, lg);
	if (rc == 0) {
		run(wc, ic.port_id, 1, true,
				lr_clock_us() + (lg->warmup_ms + lg->duration_ms + 10000) * 1000);
		if (!lr_loadgen_done(wc))
			fprintf(stderr, "lr_e2e: the generator did not finish in time\n");
		lr_loadgen_stop(wc);
	} else {
		fprintf(stderr, "lr_e2e: loadgen start: %s\n", strerror(-rc));
	}
	quit = true;
	rte_eal_wait_lcore(o->lcore2);
	if (rc == 0) {
		lr_loadgen_report(stdout, 1, lg->json);
		server_report(2);
	}
	dump_stats(2);
	rte_eth_dev_stop(ic.port_id);
	rte_eth_dev_stop(is.port_id);
	return rc;
}

int
main(int argc, char **argv)
{
	char lcore[32], mainl[16], vdev[512], prefix[128], err[256];
	/* the client's lcore is the main one (EAL would take the lowest otherwise) */
	char *eal[] = { argv[0], "-l", lcore, "--main-lcore", mainl, "--in-memory", "--no-pci",
		"--file-prefix", prefix, "--log-level", "*:warning", "--vdev", vdev, NULL };
	int eal_argc = (int)RTE_DIM(eal) - 1;
	struct lr_loadgen_conf lg;
	struct lr_config cfg;
	struct lr_arp_conf arp = lr_arp_conf_default;
	struct rte_mempool *pool;
	struct lr_iface ifc;
	struct lr_worker *w = &lr_workers[0];
	bool client;
	uint64_t limit_us;
	struct opts o;
	int rc;

	if (parse_opts(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	client = o.ring || strcmp(o.role, "client") == 0;
	if (client && lr_loadgen_parse(&lg, o.spec, err, sizeof(err)) != 0) {
		fprintf(stderr, "lr_e2e: %s\n", err);
		return 2;
	}
	snprintf(lcore, sizeof(lcore), o.ring ? "%u,%u" : "%u", o.lcore, o.lcore2);
	snprintf(mainl, sizeof(mainl), "%u", o.lcore);
	snprintf(vdev, sizeof(vdev), "%s", o.vdev != NULL ? o.vdev : "");
	snprintf(prefix, sizeof(prefix), "%s", o.prefix);
	if (o.ring)
		eal_argc -= 2;   /* no --vdev: the ring ports are made here */
	if (rte_eal_init(eal_argc, eal) < 0) {
		fprintf(stderr, "lr_e2e: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	lr_config_defaults(&cfg);
	cfg.tcp.max_conns = 65536;
	cfg.http_body_size = o.body;
	if (client)
		client_tune(&cfg, &arp);
	pool = rte_pktmbuf_pool_create("lr_e2e", o.ring ? 65535 : 32767, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "lr_e2e: mbuf pool: %s\n", rte_strerror(rte_errno));
		rc = 1;
		goto out;
	}
	lr_arp_configure(&arp);
	lr_ip_configure(&lr_ip_conf_default);
	lr_ip_init();
	lr_udp_init();
	lr_tcp_init();
	if (o.ring) {
		rc = ring_main(&o, &lg, pool);
		if (rc != 0)
			fprintf(stderr, "lr_e2e: ring: %s\n", strerror(rc < 0 ? -rc : rc));
		rte_eal_cleanup();
		return rc == 0 ? 0 : 1;
	}
	lr_nb_workers = 1;
	rc = worker_setup(w, 0, o.lcore, pool, &cfg, !client);
	if (rc != 0) {
		fprintf(stderr, "lr_e2e: worker setup: %s\n", strerror(-rc));
		goto out;
	}
	/* As the daemon on a memif port: TCP segments refer to their send buffer
	 * (indirect mbufs; net_ring, above, keeps copying). */
	w->indirect_pool = rte_pktmbuf_pool_create("lr_e2e_ind", 32767, 256, 0, 0,
			(int)rte_socket_id());
	w->tx_ref = w->indirect_pool != NULL;
	rc = port_up(0, (uint16_t)o.queues, pool, o.ip, &ifc);
	if (rc != 0) {
		fprintf(stderr, "lr_e2e: port 0 (%s): %s\n", o.vdev, strerror(-rc));
		goto out;
	}
	ifc.ip_count = o.ip_count; /* an address pool from --ip upwards ([port.N] ip_count) */
	lr_iface_add(&ifc);
	w->now_us = lr_clock_us();
	lr_arp_send_gratuitous(w, &ifc);
	if (o.peer_mac != NULL && learn_peer(w, &ifc, o.peer_mac) != 0) {
		fprintf(stderr, "lr_e2e: --peer-mac %s: expected A.B.C.D=xx:xx:xx:xx:xx:xx\n",
				o.peer_mac);
		rc = 2;
		goto out;
	}
	lr_worker_flush(w);
	printf("lr_e2e: %s ready on lcore %u, %s\n", o.role, o.lcore, o.ip);
	fflush(stdout);
	if (client) {
		rc = lr_loadgen_start(w, &lg);
		if (rc != 0) {
			fprintf(stderr, "lr_e2e: loadgen start: %s\n", strerror(-rc));
			goto out;
		}
		limit_us = (lg.warmup_ms + lg.duration_ms + 10000) * 1000;
	} else {
		limit_us = (uint64_t)o.time_s * 1000000;
	}
	run(w, 0, (uint16_t)o.queues, client, lr_clock_us() + limit_us);
	if (client) {
		if (!lr_loadgen_done(w))
			fprintf(stderr, "lr_e2e: the generator did not finish in time\n");
		lr_loadgen_stop(w);
		lr_loadgen_report(stdout, 1, lg.json);
	} else {
		server_report(1);
	}
	fflush(stdout);
	dump_stats(1);
	/* --linger-ms: the memif peer can be stopped first. DPDK 22.11's net_memif unmaps
	 * its rings when the other end disconnects with no handshake with an lcore inside
	 * rx/tx burst, and the end still polling crashes (a linerate server whose client
	 * left): lingering unpolled, this end is never that one. */
	for (limit_us = lr_clock_us() + (uint64_t)o.linger_ms * 1000;
			client && !quit && lr_clock_us() < limit_us;)
		usleep(10000);
	rc = 0;
out:
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
