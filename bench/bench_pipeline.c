/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pipeline micro-benchmarks, in process, no NIC: synthesised frames go through
 * lr_eth_input_burst() and one poll-loop turn (TCP flush/tick, TX flush) into a
 * counting sink. Each case is printed beside the I/O floor measured with the same
 * frames in the same run: allocating the frame copies and freeing them in the sink,
 * with no pipeline in between.
 *
 * Every case is verified before it is timed (each output frame checked) and while
 * it is timed (exact output and drop counts), so a broken path prints FAIL and the
 * program exits non-zero instead of reporting a fast number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lr_tcp.h"
#include "bench_common.h"

#define ITERS_QUICK 50000     /* bursts per timed run */
#define ITERS_SMOKE 100
#define VERIFY_ITERS 8        /* bursts of the checked pass */
#define CYCLE_DIV 4           /* the connection cycle runs 4 bursts per iteration */

#define DISCARD_PORT 9
#define HTTP_PORT 80
#define ACK_PEER_PORT 40000   /* connection for the pure ACK case */
#define DATA_PEER_PORT 40001  /* connection for the data case */
#define CYCLE_PORT_BASE 10000
#define KA_PORT_BASE 41000    /* keep-alive connections: KA_PORT_BASE + 0..BENCH_BURST-1 */
#define CYCLE_PORTS 20000     /* multiple of BENCH_BURST */
#define PEER_ISN 1000
#define OUR_ISN 8000
#define DATA_LEN 1400
#define REQ_LEN 64
#define RESP_LEN_MAX 1024
/* The HTTP response: 256 bytes, BENCH_RESP_LEN=1..1024 for another size. */
static uint32_t resp_len = 256;
#define RESP_LEN resp_len

struct pcase;
typedef void (*pcase_fn)(struct pcase *c);

/** One benchmark case. */
struct pcase {
	const char *name;
	struct bench_tmpl t[4];      /**< templates (the cycle uses all four) */
	pcase_fn iter;               /**< one iteration: synthesise and process */
	pcase_fn fini;               /**< after the timed runs, before the mbuf check */
	bench_check_fn check;        /**< validator of every output frame */
	unsigned int pkts_per_iter;  /**< input packets per iteration */
	unsigned int out_per_iter;   /**< frames the sink must see per iteration */
	unsigned int drops_per_iter; /**< drop counters that must move per iteration */
	bool tcp;                    /**< every input segment must reach TCP (counted RX) */
	bool floor;                  /**< synthesise and sink only (the baseline) */
	uint32_t seq;                /**< data case: next sequence number */
	uint32_t k;                  /**< cycle and keep-alive cases: iteration counter */
	uint64_t synack, resp, fin;  /**< cycle case: output frames by kind (checked pass) */
};

static bool gen_failed;
static uint32_t resp_buf[RESP_LEN_MAX / 4];
static uint64_t cycle_connected;

/* ------------------------------------------------------------ iterations */

static inline void
deliver(struct pcase *c, struct rte_mbuf **pkts, unsigned int n)
{
	if (c->floor)
		bench_sink(bench_w, 0, 0, pkts, (uint16_t)n);
	else
		bench_rx(pkts, n);
}

static void
iter_plain(struct pcase *c)
{
	struct rte_mbuf *pkts[BENCH_BURST];

	if (bench_gen(&c->t[0], pkts, BENCH_BURST) != 0) {
		gen_failed = true;
		return;
	}
	deliver(c, pkts, BENCH_BURST);
}

static struct rte_tcp_hdr *
tcp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
}

/* In-order data: each segment's SEQ follows the last; checksum updated incrementally. */
static void
iter_data(struct pcase *c)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int i;

	if (bench_gen(&c->t[0], pkts, BENCH_BURST) != 0) {
		gen_failed = true;
		return;
	}
	for (i = 0; i < BENCH_BURST; i++) {
		struct rte_tcp_hdr *th = tcp_of(pkts[i]);
		rte_be32_t old = th->sent_seq, new = rte_cpu_to_be_32(c->seq);

		th->sent_seq = new;
		th->cksum = bench_cksum_update32(th->cksum, old, new);
		c->seq += DATA_LEN;
	}
	deliver(c, pkts, BENCH_BURST);
}

/* A burst of template step with the source port of connection j of this iteration. */
static int
gen_cycle_step(struct pcase *c, unsigned int step, struct rte_mbuf **pkts)
{
	unsigned int j;

	if (bench_gen(&c->t[step], pkts, BENCH_BURST) != 0)
		return -1;
	for (j = 0; j < BENCH_BURST; j++) {
		struct rte_tcp_hdr *th = tcp_of(pkts[j]);
		uint16_t port = (uint16_t)(CYCLE_PORT_BASE +
				(c->k * BENCH_BURST + j) % CYCLE_PORTS);
		rte_be16_t new = rte_cpu_to_be_16(port);

		th->cksum = bench_cksum_update16(th->cksum, th->src_port, new);
		th->src_port = new;
	}
	return 0;
}

/*
 * 32 connections side by side: SYN -> SYN-ACK; ACK + request -> response;
 * FIN -> FIN (the server closes when the peer does); ACK of our FIN -> freed.
 */
static void
iter_cycle(struct pcase *c)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int step;

	for (step = 0; step < 4; step++) {
		if (gen_cycle_step(c, step, pkts) != 0) {
			gen_failed = true;
			return;
		}
		deliver(c, pkts, BENCH_BURST);
	}
	c->k++;
}

/*
 * SYNs for new connections while the worker is past capacity (its RX burst came
 * back full syn_shed_backlog turns in a row): shed before any allocation.
 */
static void
iter_shed(struct pcase *c)
{
	/* full turns in a row: past syn_shed_backlog from the first iteration */
	uint32_t i, turns = c->k++ == 0 ? lr_tcp_conf_default.syn_shed_backlog : 1;

	for (i = 0; i < turns; i++)
		lr_tcp_rx_load(bench_w, true);
	iter_plain(c);
}

/*
 * Keep-alive: BENCH_BURST established HTTP connections, one segment each per
 * iteration: ACK of the previous response + the next 64 B request -> the 256 B
 * response (carrying the ACK of the request).
 */
static void
ka_set_seq_ack(struct pcase *c, uint32_t seq, uint32_t ack)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(c->t[0].bytes +
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	rte_be32_t s = rte_cpu_to_be_32(seq), a = rte_cpu_to_be_32(ack);

	th->cksum = bench_cksum_update32(th->cksum, th->sent_seq, s);
	th->sent_seq = s;
	th->cksum = bench_cksum_update32(th->cksum, th->recv_ack, a);
	th->recv_ack = a;
}

static void
iter_keepalive(struct pcase *c)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int j;

	ka_set_seq_ack(c, PEER_ISN + 1 + c->k * REQ_LEN, OUR_ISN + 1 + c->k * RESP_LEN);
	if (bench_gen(&c->t[0], pkts, BENCH_BURST) != 0) {
		gen_failed = true;
		return;
	}
	for (j = 0; j < BENCH_BURST; j++) {
		struct rte_tcp_hdr *th = tcp_of(pkts[j]);
		rte_be16_t new = rte_cpu_to_be_16(KA_PORT_BASE + j);

		th->cksum = bench_cksum_update16(th->cksum, th->src_port, new);
		th->src_port = new;
	}
	deliver(c, pkts, BENCH_BURST);
	if (!c->floor)
		c->k++;
}

/* Acknowledge the last responses, so the connections hold nothing after the case. */
static void
fini_keepalive(struct pcase *c)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int j;

	if (bench_gen(&c->t[1], pkts, BENCH_BURST) != 0) {
		gen_failed = true;
		return;
	}
	for (j = 0; j < BENCH_BURST; j++) {
		struct rte_tcp_hdr *th = tcp_of(pkts[j]);
		rte_be16_t new = rte_cpu_to_be_16(KA_PORT_BASE + j);
		rte_be32_t s = rte_cpu_to_be_32(PEER_ISN + 1 + c->k * REQ_LEN);
		rte_be32_t a = rte_cpu_to_be_32(OUR_ISN + 1 + c->k * RESP_LEN);

		th->cksum = bench_cksum_update16(th->cksum, th->src_port, new);
		th->src_port = new;
		th->cksum = bench_cksum_update32(th->cksum, th->sent_seq, s);
		th->sent_seq = s;
		th->cksum = bench_cksum_update32(th->cksum, th->recv_ack, a);
		th->recv_ack = a;
	}
	bench_rx(pkts, BENCH_BURST);
}

static void
iter_fn(void *arg)
{
	struct pcase *c = arg;

	c->iter(c);
}

/* ---------------------------------------------------------------- checks */

struct parsed {
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const void *l4;
	uint16_t l4_len;
};

static bool
parse_ipv4(const struct rte_mbuf *m, struct parsed *p, uint8_t proto)
{
	uint16_t ihl, tot;

	if (m->nb_segs != 1 || m->data_len < sizeof(*p->eth) + sizeof(*p->ip))
		return false;
	p->eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (p->eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			!rte_is_same_ether_addr(&p->eth->dst_addr, &bench_peer_mac))
		return false;
	p->ip = (const struct rte_ipv4_hdr *)(p->eth + 1);
	ihl = rte_ipv4_hdr_len(p->ip);
	tot = rte_be_to_cpu_16(p->ip->total_length);
	if (tot > m->data_len - sizeof(*p->eth) || tot < ihl || p->ip->next_proto_id != proto)
		return false;
	if (rte_ipv4_cksum(p->ip) != 0 && rte_raw_cksum(p->ip, ihl) != 0xffff)
		return false;
	if (p->ip->src_addr != rte_cpu_to_be_32(BENCH_OUR_IP) ||
			p->ip->dst_addr != rte_cpu_to_be_32(BENCH_PEER_IP))
		return false;
	p->l4 = (const uint8_t *)p->ip + ihl;
	p->l4_len = tot - ihl;
	return true;
}

static bool
check_arp_reply(const struct rte_mbuf *m, void *arg)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

	RTE_SET_USED(arg);
	return m->data_len >= sizeof(*eth) + sizeof(*arp) &&
		eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
		arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) &&
		arp->arp_data.arp_sip == rte_cpu_to_be_32(BENCH_OUR_IP) &&
		arp->arp_data.arp_tip == rte_cpu_to_be_32(BENCH_PEER_IP) &&
		rte_is_same_ether_addr(&arp->arp_data.arp_tha, &bench_peer_mac);
}

static bool
check_icmp(const struct rte_mbuf *m, uint8_t type, uint8_t code)
{
	struct parsed p;
	const struct rte_icmp_hdr *icmp;

	if (!parse_ipv4(m, &p, IPPROTO_ICMP) || p.l4_len < sizeof(*icmp))
		return false;
	icmp = p.l4;
	return icmp->icmp_type == type && icmp->icmp_code == code &&
		rte_raw_cksum(icmp, p.l4_len) == 0xffff;
}

static bool
check_echo_reply(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return check_icmp(m, RTE_IP_ICMP_ECHO_REPLY, 0);
}

static bool
check_port_unreach(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return check_icmp(m, 3, 3);
}

static bool
check_udp_echo(const struct rte_mbuf *m, void *arg)
{
	const struct pcase *c = arg;
	const struct rte_udp_hdr *in = (const struct rte_udp_hdr *)(c->t[0].bytes +
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	const struct rte_udp_hdr *udp;
	struct parsed p;

	if (!parse_ipv4(m, &p, IPPROTO_UDP) || p.l4_len < sizeof(*udp))
		return false;
	udp = p.l4;
	return udp->src_port == in->dst_port && udp->dst_port == in->src_port &&
		udp->dgram_len == in->dgram_len &&
		memcmp(udp + 1, in + 1, rte_be_to_cpu_16(in->dgram_len) - sizeof(*in)) == 0 &&
		(udp->dgram_cksum == 0 ||
		 rte_ipv4_udptcp_cksum_verify(p.ip, udp) == 0);
}

static const struct rte_tcp_hdr *
parse_tcp(const struct rte_mbuf *m, uint16_t *payload)
{
	const struct rte_tcp_hdr *th;
	struct parsed p;

	if (!parse_ipv4(m, &p, IPPROTO_TCP) || p.l4_len < sizeof(*th))
		return NULL;
	th = p.l4;
	if (rte_ipv4_udptcp_cksum_verify(p.ip, th) != 0)
		return NULL;
	*payload = (uint16_t)(p.l4_len - (th->data_off >> 4) * 4);
	return th;
}

static bool
check_nothing(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(m);
	RTE_SET_USED(arg);
	return false; /* a pure ACK on an idle connection must produce no frame */
}

static bool
check_data_ack(const struct rte_mbuf *m, void *arg)
{
	uint16_t len;
	const struct rte_tcp_hdr *th = parse_tcp(m, &len);

	RTE_SET_USED(arg);
	return th != NULL && th->tcp_flags == RTE_TCP_ACK_FLAG && len == 0 &&
		th->src_port == rte_cpu_to_be_16(DISCARD_PORT) &&
		th->dst_port == rte_cpu_to_be_16(DATA_PEER_PORT);
}

static bool
check_cycle(const struct rte_mbuf *m, void *arg)
{
	struct pcase *c = arg;
	uint16_t len;
	const struct rte_tcp_hdr *th = parse_tcp(m, &len);
	uint32_t seq, ack;

	if (th == NULL || th->src_port != rte_cpu_to_be_16(HTTP_PORT))
		return false;
	seq = rte_be_to_cpu_32(th->sent_seq);
	ack = rte_be_to_cpu_32(th->recv_ack);
	switch (th->tcp_flags & ~RTE_TCP_PSH_FLAG) {
	case RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG:
		c->synack += seq == OUR_ISN && ack == PEER_ISN + 1 && len == 0;
		return seq == OUR_ISN && ack == PEER_ISN + 1 && len == 0;
	case RTE_TCP_ACK_FLAG:
		c->resp += seq == OUR_ISN + 1 && ack == PEER_ISN + 1 + REQ_LEN && len == RESP_LEN;
		return seq == OUR_ISN + 1 && ack == PEER_ISN + 1 + REQ_LEN && len == RESP_LEN;
	case RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG:
		c->fin += seq == OUR_ISN + 1 + RESP_LEN && ack == PEER_ISN + 2 + REQ_LEN;
		return seq == OUR_ISN + 1 + RESP_LEN && ack == PEER_ISN + 2 + REQ_LEN && len == 0;
	default:
		return false;
	}
}

/* The response to this iteration's request, from one of the keep-alive ports. */
static bool
check_keepalive(const struct rte_mbuf *m, void *arg)
{
	const struct pcase *c = arg;
	uint16_t len, port;
	const struct rte_tcp_hdr *th = parse_tcp(m, &len);

	if (th == NULL)
		return false;
	port = rte_be_to_cpu_16(th->dst_port);
	return th->src_port == rte_cpu_to_be_16(HTTP_PORT) &&
		port >= KA_PORT_BASE && port < KA_PORT_BASE + BENCH_BURST &&
		(th->tcp_flags & ~RTE_TCP_PSH_FLAG) == RTE_TCP_ACK_FLAG &&
		rte_be_to_cpu_32(th->sent_seq) == OUR_ISN + 1 + c->k * RESP_LEN &&
		rte_be_to_cpu_32(th->recv_ack) == PEER_ISN + 1 + (c->k + 1) * REQ_LEN &&
		len == RESP_LEN;
}

/* ------------------------------------------------------------------- TCP */

static void
tcp_free_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

static void
http_connected(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	cycle_connected++;
}

/* One request per connection: answer it whole. */
static void
http_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
	lr_tcp_send(c, resp_buf, RESP_LEN);
}

static void
http_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	lr_tcp_close(c);
}

static uint32_t
fixed_isn(void *arg, rte_be32_t laddr, rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(laddr);
	RTE_SET_USED(lport);
	RTE_SET_USED(raddr);
	RTE_SET_USED(rport);
	return OUR_ISN;
}

static int
tcp_setup(void)
{
	static const struct lr_tcp_callbacks discard_cb = { .data = tcp_free_data };
	static const struct lr_tcp_callbacks http_cb = {
		.connected = http_connected,
		.data = http_data,
		.peer_closed = http_peer_closed,
	};
	struct lr_tcp_conf conf = lr_tcp_conf_default;
	int rc;

	conf.max_conns = 4096;
	conf.delack_ms = 0;
	conf.half_open_max = 4096;
	conf.syncookies = false;
	conf.isn_fn = fixed_isn;
	rc = lr_tcp_worker_init(bench_w, &conf);
	if (rc == 0)
		rc = lr_tcp_listen(bench_w, DISCARD_PORT, &discard_cb, NULL);
	if (rc == 0)
		rc = lr_tcp_listen(bench_w, HTTP_PORT, &http_cb, NULL);
	if (rc < 0)
		fprintf(stderr, "bench_pipeline: TCP setup: %s\n", strerror(-rc));
	return rc;
}

/* Synthesised three-way handshake from the peer's port; @return 0 if ESTABLISHED. */
static int
tcp_handshake(uint16_t sport, uint16_t dport)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct bench_tmpl t;
	struct rte_mbuf *m;
	uint64_t out = bench_sink_pkts;

	bench_tmpl_tcp(&t, BENCH_PEER_IP, sport, dport, PEER_ISN, 0, RTE_TCP_SYN_FLAG, mss,
			4, 0);
	if (bench_gen(&t, &m, 1) != 0)
		return -1;
	bench_rx(&m, 1);
	bench_tmpl_tcp(&t, BENCH_PEER_IP, sport, dport, PEER_ISN + 1, OUR_ISN + 1,
			RTE_TCP_ACK_FLAG, NULL, 0, 0);
	if (bench_gen(&t, &m, 1) != 0)
		return -1;
	bench_rx(&m, 1);
	return bench_sink_pkts == out + 1 ? 0 : -1; /* the SYN-ACK, nothing else */
}

/* ---------------------------------------------------------------- runner */

static uint64_t
tcp_rx(void)
{
	return lr_tcp_stats_get(bench_w)->v[LR_TCP_STAT_RX];
}

/* A TCP case whose segments did not all reach TCP input is broken. */
static bool
tcp_rx_ok(const struct pcase *c, uint64_t rx0, uint64_t iters)
{
	return !c->tcp || tcp_rx() - rx0 == iters * c->pkts_per_iter;
}

static void
run_case(struct pcase *c, uint64_t iters)
{
	unsigned int in_use = rte_mempool_in_use_count(bench_pool);
	uint64_t s0, d0, rx0, bad, timed_iters = BENCH_RUNS * iters + iters / 4 + 1;
	double cyc, floor;
	struct bench_result *r;

	/* Checked pass: every output frame validated. */
	c->floor = false;
	gen_failed = false;
	bench_sink_check(c->check, c);
	s0 = bench_sink_pkts;
	d0 = bench_drops();
	rx0 = tcp_rx();
	for (unsigned int i = 0; i < VERIFY_ITERS; i++)
		c->iter(c);
	bad = bench_sink_bad(); /* read before removing the validator resets it */
	bench_sink_check(NULL, NULL);
	r = bench_add(c->name, "pkt", 0, 0);
	if (gen_failed) {
		bench_fail(r, "mbuf pool empty while synthesising input");
		return;
	}
	if (bench_sink_pkts - s0 != (uint64_t)VERIFY_ITERS * c->out_per_iter ||
			bench_drops() - d0 != (uint64_t)VERIFY_ITERS * c->drops_per_iter) {
		bench_fail(r, "checked pass: %" PRIu64 " frames out (want %u), %" PRIu64
				" drops (want %u)", bench_sink_pkts - s0,
				VERIFY_ITERS * c->out_per_iter, bench_drops() - d0,
				VERIFY_ITERS * c->drops_per_iter);
		return;
	}
	if (!tcp_rx_ok(c, rx0, VERIFY_ITERS)) {
		bench_fail(r, "checked pass: %" PRIu64 " segments reached TCP (want %u)",
				tcp_rx() - rx0, VERIFY_ITERS * c->pkts_per_iter);
		return;
	}
	if (bad != 0) {
		bench_fail(r, "checked pass: %" PRIu64 " of %" PRIu64 " output frames wrong",
				bad, bench_sink_pkts - s0);
		return;
	}
	if (c->iter == iter_cycle && (c->synack != VERIFY_ITERS * BENCH_BURST ||
			c->resp != VERIFY_ITERS * BENCH_BURST ||
			c->fin != VERIFY_ITERS * BENCH_BURST)) {
		bench_fail(r, "checked pass: %" PRIu64 " SYN-ACK, %" PRIu64 " responses, %"
				PRIu64 " FIN", c->synack, c->resp, c->fin);
		return;
	}

	/* Timed: the pipeline, counts checked over the whole run. */
	s0 = bench_sink_pkts;
	d0 = bench_drops();
	rx0 = tcp_rx();
	cyc = bench_time(iter_fn, c, iters, c->pkts_per_iter);
	if (bench_sink_pkts - s0 != timed_iters * c->out_per_iter ||
			bench_drops() - d0 != timed_iters * c->drops_per_iter || gen_failed) {
		bench_fail(r, "timed runs: %" PRIu64 " frames out (want %" PRIu64 "), %" PRIu64
				" drops (want %" PRIu64 ")%s", bench_sink_pkts - s0,
				timed_iters * c->out_per_iter, bench_drops() - d0,
				timed_iters * c->drops_per_iter,
				gen_failed ? ", mbuf pool empty" : "");
	} else if (!tcp_rx_ok(c, rx0, timed_iters)) {
		bench_fail(r, "timed runs: %" PRIu64 " segments reached TCP (want %" PRIu64 ")",
				tcp_rx() - rx0, timed_iters * c->pkts_per_iter);
	}
	/* Baseline: the same synthesis, straight into the sink. */
	c->floor = true;
	floor = bench_time(iter_fn, c, iters, c->pkts_per_iter);
	c->floor = false;
	r->cycles = cyc;
	r->floor = floor;
	if (c->fini != NULL)
		c->fini(c);
	if (rte_mempool_in_use_count(bench_pool) != in_use)
		bench_fail(r, "%d mbufs more in use after the case",
				(int)rte_mempool_in_use_count(bench_pool) - (int)in_use);
}

/* ----------------------------------------------------------------- cases */

static void
setup_arp(struct pcase *c)
{
	struct bench_tmpl *t = &c->t[0];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t->bytes;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(t, 0, sizeof(*t));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = bench_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = bench_peer_mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(BENCH_PEER_IP);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(BENCH_OUR_IP);
	t->len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
}

static void
setup_icmp_echo(struct pcase *c, uint16_t frame_len)
{
	uint16_t l4 = frame_len - RTE_ETHER_CRC_LEN - sizeof(struct rte_ether_hdr) -
			sizeof(struct rte_ipv4_hdr);
	struct rte_icmp_hdr *icmp = bench_tmpl_ipv4(&c->t[0], BENCH_PEER_IP, BENCH_OUR_IP,
			IPPROTO_ICMP, l4);

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(0x4c52);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(1);
	memset(icmp + 1, 0x5a, l4 - sizeof(*icmp));
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4);
}

static void
setup_cycle(struct pcase *c)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	const uint16_t p = CYCLE_PORT_BASE;

	bench_tmpl_tcp(&c->t[0], BENCH_PEER_IP, p, HTTP_PORT, PEER_ISN, 0, RTE_TCP_SYN_FLAG,
			mss, 4, 0);
	bench_tmpl_tcp(&c->t[1], BENCH_PEER_IP, p, HTTP_PORT, PEER_ISN + 1, OUR_ISN + 1,
			RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, NULL, 0, REQ_LEN);
	bench_tmpl_tcp(&c->t[2], BENCH_PEER_IP, p, HTTP_PORT, PEER_ISN + 1 + REQ_LEN,
			OUR_ISN + 1 + RESP_LEN, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL, 0, 0);
	bench_tmpl_tcp(&c->t[3], BENCH_PEER_IP, p, HTTP_PORT, PEER_ISN + 2 + REQ_LEN,
			OUR_ISN + 2 + RESP_LEN, RTE_TCP_ACK_FLAG, NULL, 0, 0);
}

static struct pcase cases[10];

static unsigned int
setup_cases(void)
{
	struct pcase *c = cases;

	memset(cases, 0, sizeof(cases));
	c->name = "arp request -> reply";
	setup_arp(c);
	c->check = check_arp_reply;
	c->out_per_iter = BENCH_BURST;
	c++;

	c->name = "icmp echo -> reply (64B frame)";
	setup_icmp_echo(c, 64);
	c->check = check_echo_reply;
	c->out_per_iter = BENCH_BURST;
	c++;

	c->name = "udp echo (64B frame)";
	bench_tmpl_udp(&c->t[0], 5000, 7, 64 - 4 - 14 - 20 - 8);
	c->check = check_udp_echo;
	c->out_per_iter = BENCH_BURST;
	c++;

	c->name = "udp echo (1400B payload)";
	bench_tmpl_udp(&c->t[0], 5000, 7, 1400);
	c->check = check_udp_echo;
	c->out_per_iter = BENCH_BURST;
	c++;

	c->name = "udp closed port -> icmp unreach";
	bench_tmpl_udp(&c->t[0], 5000, 4444, 64 - 4 - 14 - 20 - 8);
	c->check = check_port_unreach;
	c->out_per_iter = BENCH_BURST;
	c->drops_per_iter = BENCH_BURST; /* udp NO_PORT: the datagram itself is dropped */
	c++;

	c->name = "tcp pure ack (established)";
	bench_tmpl_tcp(&c->t[0], BENCH_PEER_IP, ACK_PEER_PORT, DISCARD_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	c->check = check_nothing;
	c->tcp = true;
	c->out_per_iter = 0;
	c++;

	c->name = "tcp in-order data 1400B -> ack";
	bench_tmpl_tcp(&c->t[0], BENCH_PEER_IP, DATA_PEER_PORT, DISCARD_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, DATA_LEN);
	c->iter = iter_data;
	c->seq = PEER_ISN + 1;
	c->check = check_data_ack;
	c->tcp = true;
	/* RFC 5681 §4.2 within the burst (tcp_ack_mid_burst()): three 1400-byte segments
	 * pass two full-sized (1460) ones, so an ACK leaves as every third segment after
	 * the third comes in, and one at the flush */
	c->out_per_iter = (BENCH_BURST - 1) / 3 + 1;
	c++;

	c->name = "tcp keep-alive req -> resp";
	bench_tmpl_tcp(&c->t[0], BENCH_PEER_IP, KA_PORT_BASE, HTTP_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, NULL, 0, REQ_LEN);
	bench_tmpl_tcp(&c->t[1], BENCH_PEER_IP, KA_PORT_BASE, HTTP_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	c->iter = iter_keepalive;
	c->fini = fini_keepalive;
	c->check = check_keepalive;
	c->tcp = true;
	c->out_per_iter = BENCH_BURST; /* one response per connection */
	c++;

	c->name = "tcp conn cycle (per input pkt)";
	setup_cycle(c);
	c->iter = iter_cycle;
	c->check = check_cycle;
	c->tcp = true;
	c->pkts_per_iter = 4 * BENCH_BURST;
	c->out_per_iter = 3 * BENCH_BURST; /* SYN-ACK, response, FIN per connection */
	c++;

	c->name = "tcp syn shed (rx backlog)";
	bench_tmpl_tcp(&c->t[0], BENCH_PEER_IP, CYCLE_PORT_BASE, HTTP_PORT, PEER_ISN, 0,
			RTE_TCP_SYN_FLAG, NULL, 0, 0);
	c->iter = iter_shed;
	c->check = check_nothing;
	c->out_per_iter = 0;
	c->drops_per_iter = BENCH_BURST; /* tcp SYN_SHED_BACKLOG */
	c++;

	for (unsigned int i = 0; i < (unsigned int)(c - cases); i++) {
		if (cases[i].iter == NULL)
			cases[i].iter = iter_plain;
		if (cases[i].pkts_per_iter == 0)
			cases[i].pkts_per_iter = BENCH_BURST;
	}
	return (unsigned int)(c - cases);
}

/* The idle ACK and data connections, and BENCH_BURST keep-alive HTTP ones. */
static int
tcp_handshakes(void)
{
	unsigned int j;

	if (tcp_setup() < 0 || tcp_handshake(ACK_PEER_PORT, DISCARD_PORT) < 0 ||
			tcp_handshake(DATA_PEER_PORT, DISCARD_PORT) < 0)
		return -1;
	for (j = 0; j < BENCH_BURST; j++)
		if (tcp_handshake(KA_PORT_BASE + j, HTTP_PORT) < 0)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *only = getenv("BENCH_CASE");
	uint64_t iters;
	unsigned int n, i, failed;
	int leak;

	if (bench_init(argc, argv, "bench_pipeline", 512, 16383, 1) < 0)
		return 2;
	if (getenv("BENCH_RESP_LEN") != NULL)
		resp_len = RTE_MAX(1u, RTE_MIN((uint32_t)atoi(getenv("BENCH_RESP_LEN")),
				(uint32_t)RESP_LEN_MAX));
	memset(resp_buf, 'r', sizeof(resp_buf));
	if (tcp_handshakes() < 0) {
		printf("%s - bench_pipeline: TCP handshake setup\n",
				bench_opts.smoke ? "not ok" : "FAIL");
		return 1;
	}
	iters = bench_opts.smoke ? ITERS_SMOKE : ITERS_QUICK;
	if (bench_opts.full)
		iters *= 5;
	n = setup_cases();
	for (i = 0; i < n; i++) {
		uint64_t it = cases[i].iter == iter_cycle ? iters / CYCLE_DIV : iters;

		if (only != NULL && strstr(cases[i].name, only) == NULL)
			continue; /* BENCH_CASE=substring: that case alone (profiling) */
		run_case(&cases[i], it);
		if (cases[i].iter == iter_cycle) {
			struct bench_result *r = bench_add("tcp conn cycle (per connection)",
					"conn", 0, 0);
			struct bench_result *p = r - 1;

			r->cycles = p->cycles * 4;
			r->floor = p->floor * 4;
			r->ok = p->ok;
			snprintf(r->note, sizeof(r->note), "SYN, ACK+%uB req, FIN, ACK in; "
					"SYN-ACK, %uB resp, FIN out", REQ_LEN, RESP_LEN);
			if (lr_tcp_conn_count(bench_w) != 2 + BENCH_BURST) {
				bench_fail(r, "%u connections left (want the %u idle ones)",
						lr_tcp_conn_count(bench_w), 2 + BENCH_BURST);
			}
		}
	}
	lr_tcp_rx_load(bench_w, false); /* the shed case's backlog is over */
	failed = bench_report("I/O floor = alloc frame copies from the case's template + "
			"free them in the sink, no pipeline");
	leak = bench_fini();
	bench_exit();
	if (failed > 0 || leak < 0) {
		printf("bench_pipeline: %u case(s) FAILED%s\n", failed, leak < 0 ? ", mbuf leak" : "");
		return 1;
	}
	return 0;
}
