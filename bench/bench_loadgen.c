/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator micro-benchmark, in process, no NIC: linerate's load generator (loadgen/)
 * on the bench worker drives a peer that answers in process, and only the generator's
 * side is timed: cycles per connection (crr) or per request (rr).
 *
 * The peer is a stateless HTTP/1.1 server written here (not lib/'s): it answers a SYN
 * with a SYN-ACK (MSS only), a request with one 99-byte response (linerate's HTTP
 * service with a 16-byte body, the size of dperf's), a FIN with a FIN-ACK, and
 * nothing else. Its sequence numbers come from the segment it answers (a response or
 * a FIN-ACK starts at the client's ACK), so it keeps no state. It builds its frames
 * outside the timed part, as the far end of a wire would.
 *
 * A turn is what the daemon's worker loop runs (app/daemon/main.c), lib/ and loadgen/
 * only: the frames the generator sent last turn freed (the PMD's TX completion), the
 * peer's answers received in bursts of 32 (each burst's output flushed, as rx_drain),
 * timers, lr_loadgen_poll(), the flushes. The virtual clock moves TURN_US a turn, so
 * the 64 starts a turn allowed come at about dperf's client rate. The source pool is
 * 100 addresses (as bench/e2e/dperf.sh runs it) x the default port range, and
 * TIME_WAIT fills its table (max_tw) during the warm-up, so every connection of the
 * timed runs also recycles the oldest TIME_WAIT entry, as at high CPS for real.
 *
 * Checked as it runs: the peer validates every frame (IPv4 and TCP checksums, flags,
 * the request bytes) and the generator must count no error, so a broken path fails
 * instead of reporting a fast number. For callgrind, the timed turns alone run in
 * gen_turn_timed() (--toggle-collect=gen_turn_timed; the program prints how many
 * connections or requests they completed).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "loadgen.h"
#include "lr_eth.h"
#include "lr_tcp.h"
#include "bench_common.h"

#define TURN_US 50            /* virtual time per turn: 64 starts in 50 us = 1.28M/s */
#define SRC_ADDRS 100         /* [port.0] ip_count, as bench/e2e/dperf.sh */
#define PEER_ISN 1000
#define REQ_LEN 64
#define BODY_LEN 16
#define FRAMES_MAX 4096       /* frames of one turn, each way */
#define MAX_CONNS 16384
#define STALL_TURNS 1000      /* turns without progress: the case is broken */

static const char resp_text[] = "HTTP/1.1 200 OK\r\nServer: linerate\r\n"
	"Content-Type: text/plain\r\nContent-Length: 16\r\n\r\n0123456789abcdef";

/* Frames of the generator not yet answered, answered and to be freed, and the
 * peer's answers to receive next turn. */
static struct rte_mbuf *cap[FRAMES_MAX], *done[FRAMES_MAX], *ans[FRAMES_MAX];
static unsigned int nb_cap, nb_done, nb_ans;

/* What the peer saw. */
static struct {
	uint64_t frames, syn, req, fin, ack, rst, bad, lost, answers;
} peer;

/* ------------------------------------------------------------------ peer */

/* The generator's TX: kept for the peer (freed next turn, as a PMD's completion). */
static uint16_t
cap_tx(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(w);
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	for (i = 0; i < n; i++) {
		if (nb_cap < FRAMES_MAX) {
			cap[nb_cap++] = pkts[i];
		} else {
			peer.lost++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return n;
}

/* One segment from the peer to the address and port the frame in came from. */
static struct rte_mbuf *
peer_build(const struct rte_ipv4_hdr *in_ip, const struct rte_tcp_hdr *in_th, uint32_t seq,
		uint32_t ack, uint8_t flags, const void *data, uint16_t len)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	uint16_t optlen = (flags & RTE_TCP_SYN_FLAG) ? sizeof(mss) : 0;
	uint16_t hl = (uint16_t)(sizeof(struct rte_tcp_hdr) + optlen);
	uint16_t flen = (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			hl + len);
	struct rte_mbuf *m = rte_pktmbuf_alloc(bench_pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return NULL;
	if (flen < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)
		flen = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eth, 0, flen);
	eth->dst_addr = bench_our_mac;
	eth->src_addr = bench_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + hl + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = in_ip->dst_addr;
	ip->dst_addr = in_ip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = in_th->dst_port;
	th->dst_port = in_th->src_port;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	memcpy(th + 1, mss, optlen);
	if (len > 0)
		memcpy((uint8_t *)th + hl, data, len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->data_len = flen;
	m->pkt_len = flen;
	m->port = 0;
	return m;
}

/* The peer's answer to one frame of the generator, NULL when none is due. */
static struct rte_mbuf *
peer_answer(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_tcp_hdr *th;
	uint32_t seq, ack, ihl, tot, hl, len;
	const uint8_t *payload;
	uint8_t flags;

	peer.frames++;
	if (m->nb_segs != 1 || m->data_len < sizeof(*eth) + sizeof(*ip) + sizeof(*th) ||
			eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			!rte_is_same_ether_addr(&eth->dst_addr, &bench_peer_mac))
		goto bad;
	ihl = rte_ipv4_hdr_len(ip);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ip->next_proto_id != IPPROTO_TCP || tot > m->data_len - sizeof(*eth) ||
			tot < ihl + sizeof(*th) || rte_raw_cksum(ip, ihl) != 0xffff ||
			ip->dst_addr != rte_cpu_to_be_32(BENCH_PEER_IP))
		goto bad;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	hl = (uint32_t)(th->data_off >> 4) * 4;
	if (hl < sizeof(*th) || ihl + hl > tot || rte_ipv4_udptcp_cksum_verify(ip, th) != 0)
		goto bad;
	len = tot - ihl - hl;
	payload = (const uint8_t *)th + hl;
	flags = th->tcp_flags;
	seq = rte_be_to_cpu_32(th->sent_seq);
	ack = rte_be_to_cpu_32(th->recv_ack);
	if (flags & RTE_TCP_RST_FLAG) {
		peer.rst++;
		return NULL;
	}
	if (flags & RTE_TCP_SYN_FLAG) {
		if ((flags & RTE_TCP_ACK_FLAG) || len != 0)
			goto bad;
		peer.syn++;
		return peer_build(ip, th, PEER_ISN, seq + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				NULL, 0);
	}
	if (!(flags & RTE_TCP_ACK_FLAG))
		goto bad;
	if (len > 0) {
		/* the request: "GET / HTTP/1.1\r\nHost: linerate" padded to REQ_LEN */
		if (len != REQ_LEN || (flags & RTE_TCP_FIN_FLAG) ||
				memcmp(payload, "GET / HTTP/1.1\r\n", 16) != 0 ||
				memcmp(payload + REQ_LEN - 4, "\r\n\r\n", 4) != 0)
			goto bad;
		peer.req++;
		return peer_build(ip, th, ack, seq + len, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
				resp_text, sizeof(resp_text) - 1);
	}
	if (flags & RTE_TCP_FIN_FLAG) {
		peer.fin++;
		return peer_build(ip, th, ack, seq + 1, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
				NULL, 0);
	}
	peer.ack++;
	return NULL;
bad:
	peer.bad++;
	return NULL;
}

/* The peer reads what the generator sent last turn and answers (not timed). */
static void
peer_step(void)
{
	struct rte_mbuf *a;
	unsigned int i;

	for (i = 0; i < nb_cap; i++) {
		a = peer_answer(cap[i]);
		if (a != NULL && nb_ans < FRAMES_MAX) {
			ans[nb_ans++] = a;
			peer.answers++;
		} else if (a != NULL) {
			peer.lost++;
			rte_pktmbuf_free(a);
		}
		done[nb_done++] = cap[i];
	}
	nb_cap = 0;
}

/* ----------------------------------------------------------------- turns */

static inline void
turn_body(void)
{
	struct lr_worker *w = bench_w;
	unsigned int i, n;

	w->now_us += TURN_US;
	rte_pktmbuf_free_bulk(done, nb_done);
	nb_done = 0;
	for (i = 0; i < nb_ans; i += n) {
		n = RTE_MIN(nb_ans - i, (unsigned int)BENCH_BURST);
		lr_eth_input_burst(w, ans + i, (uint16_t)n);
		lr_tcp_flush(w);
	}
	nb_ans = 0;
	lr_tcp_flush(w);
	lr_tcp_tick(w);
	lr_loadgen_poll(w);
	lr_tcp_flush(w);
	lr_worker_flush(w);
}

/* Warm-up and checked turns. */
static __rte_noinline void
gen_turn(void)
{
	turn_body();
}

/* A timed turn (callgrind --toggle-collect=gen_turn_timed). @return its cycles */
static __rte_noinline uint64_t
gen_turn_timed(void)
{
	uint64_t t0 = rte_rdtsc_precise();

	turn_body();
	return rte_rdtsc_precise() - t0;
}

/* ----------------------------------------------------------------- cases */

struct gcase {
	const char *name;
	const char *spec;
	const char *unit;            /* "conn" or "req" */
	bool crr;
};

/* What one unit of the case has completed so far. */
static uint64_t
units(const struct gcase *g)
{
	const struct lr_loadgen_counters *c = lr_loadgen_counters(bench_w);

	return g->crr ? c->conns_done : c->requests;
}

static uint64_t
gen_errors(void)
{
	const struct lr_loadgen_counters *c = lr_loadgen_counters(bench_w);
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < LR_LOADGEN_ERR_NB; i++)
		n += c->err[i];
	return n;
}

/* Untimed turns until want more units are done. @return 0, -1 when it stalls */
static int
run_until(const struct gcase *g, uint64_t want)
{
	uint64_t goal = units(g) + want, last = units(g);
	unsigned int idle = 0;

	while (units(g) < goal) {
		peer_step();
		gen_turn();
		if (units(g) == last && ++idle > STALL_TURNS)
			return -1;
		if (units(g) != last)
			idle = 0;
		last = units(g);
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Timed turns until want units more: cycles of the turns alone per unit. */
static double
run_timed(const struct gcase *g, uint64_t want, uint64_t *done_units)
{
	uint64_t u0 = units(g), cyc = 0, idle = 0, last = u0;

	while (units(g) - u0 < want && idle <= STALL_TURNS) {
		peer_step();
		cyc += gen_turn_timed();
		idle = units(g) == last ? idle + 1 : 0;
		last = units(g);
	}
	*done_units += units(g) - u0;
	return units(g) > u0 ? (double)cyc / (double)(units(g) - u0) : 0;
}

/* Cycles to free one frame (the pool as the pipeline uses it), the baseline's unit. */
static double
free_cycles(void)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	double runs[BENCH_RUNS];
	unsigned int r, i;
	uint64_t cyc, t0;

	for (r = 0; r < BENCH_RUNS; r++) {
		cyc = 0;
		for (i = 0; i < 1000; i++) {
			if (rte_pktmbuf_alloc_bulk(bench_pool, pkts, BENCH_BURST) != 0)
				return 0;
			t0 = rte_rdtsc_precise();
			rte_pktmbuf_free_bulk(pkts, BENCH_BURST);
			cyc += rte_rdtsc_precise() - t0;
		}
		runs[r] = (double)cyc / (1000.0 * BENCH_BURST);
	}
	qsort(runs, BENCH_RUNS, sizeof(runs[0]), cmp_double);
	return runs[BENCH_RUNS / 2];
}

static int
shard_init(void)
{
	struct lr_tcp_conf conf = lr_tcp_conf_default;
	int rc;

	conf.max_conns = MAX_CONNS;
	rc = lr_tcp_worker_init(bench_w, &conf);
	if (rc < 0)
		fprintf(stderr, "bench_loadgen: TCP setup: %s\n", strerror(-rc));
	return rc;
}

/* Stop the generator, drop what is in flight, free the shard. */
static void
case_end(void)
{
	lr_loadgen_stop(bench_w);
	lr_tcp_flush(bench_w);
	lr_worker_flush(bench_w);
	rte_pktmbuf_free_bulk(cap, nb_cap);
	rte_pktmbuf_free_bulk(done, nb_done);
	rte_pktmbuf_free_bulk(ans, nb_ans);
	nb_cap = nb_done = nb_ans = 0;
	lr_tcp_worker_fini(bench_w);
}

static void
run_case(const struct gcase *g, uint64_t warm, uint64_t per_run, double free_cyc)
{
	unsigned int in_use = rte_mempool_in_use_count(bench_pool);
	struct lr_loadgen_conf conf;
	struct bench_result *r = bench_add(g->name, g->unit, 0, 0);
	uint64_t f0, timed_units = 0, c0, e0;
	double runs[BENCH_RUNS];
	char err[256];
	int i;

	if (shard_init() < 0) {
		bench_fail(r, "TCP shard setup");
		return;
	}
	memset(&peer, 0, sizeof(peer));
	if (lr_loadgen_parse(&conf, g->spec, err, sizeof(err)) != 0 ||
			lr_loadgen_start(bench_w, &conf) != 0) {
		bench_fail(r, "generator start: %s", err);
		case_end();
		return;
	}
	/* warm-up: TIME_WAIT full, pools and tables warm; every frame checked */
	if (run_until(g, warm) < 0 || gen_errors() != 0 || peer.bad != 0 || peer.rst != 0 ||
			peer.lost != 0) {
		bench_fail(r, "warm-up: %" PRIu64 " %ss, %" PRIu64 " generator errors, peer: %"
				PRIu64 " bad frames, %" PRIu64 " RST, %" PRIu64 " lost",
				units(g), g->unit, gen_errors(), peer.bad, peer.rst, peer.lost);
		case_end();
		return;
	}
	f0 = peer.frames + peer.answers;
	c0 = units(g);
	e0 = lr_tcp_tw_count(bench_w);
	for (i = 0; i < BENCH_RUNS; i++)
		runs[i] = run_timed(g, per_run, &timed_units);
	qsort(runs, BENCH_RUNS, sizeof(runs[0]), cmp_double);
	r->cycles = runs[BENCH_RUNS / 2];
	/* baseline: freeing the unit's frames (the peer's answers and the generator's) */
	r->floor = free_cyc * (double)(peer.frames + peer.answers - f0) /
		(double)RTE_MAX(units(g) - c0, (uint64_t)1);
	snprintf(r->note, sizeof(r->note), "%.1f frames/%s; timed %" PRIu64 " %ss; "
			"TIME_WAIT %" PRIu64, (double)(peer.frames + peer.answers - f0) /
			(double)RTE_MAX(units(g) - c0, (uint64_t)1), g->unit, timed_units,
			g->unit, e0);
	if (timed_units < (uint64_t)BENCH_RUNS * per_run || gen_errors() != 0 ||
			peer.bad != 0 || peer.rst != 0 || peer.lost != 0)
		bench_fail(r, "timed runs: %" PRIu64 " %ss (want %" PRIu64 "), %" PRIu64
				" generator errors, peer: %" PRIu64 " bad, %" PRIu64 " RST, %"
				PRIu64 " lost", timed_units, g->unit,
				(uint64_t)BENCH_RUNS * per_run, gen_errors(), peer.bad, peer.rst,
				peer.lost);
	/* crr: each completed connection had its SYN and request answered and sent its
	 * FIN (the last turn's FINs are still on their way) */
	if (g->crr && (units(g) > peer.req || peer.req > peer.syn ||
			units(g) > peer.fin + FRAMES_MAX))
		bench_fail(r, "%" PRIu64 " connections done, peer answered %" PRIu64 " SYNs, %"
				PRIu64 " requests, %" PRIu64 " FINs", units(g), peer.syn,
				peer.req, peer.fin);
	printf("%s: timed turns completed %" PRIu64 " %ss (callgrind: divide by this)\n",
			g->name, timed_units, g->unit);
	case_end();
	if (rte_mempool_in_use_count(bench_pool) != in_use)
		bench_fail(r, "%d mbufs more in use after the case",
				(int)rte_mempool_in_use_count(bench_pool) - (int)in_use);
}

int
main(int argc, char **argv)
{
	static const struct gcase cases[] = {
		{ "gen crr (per connection)", "mode=crr target=198.18.0.1:80 conc=2000 rate=0 "
			"req=64 resp=16 warmup=0 duration=3600s progress=0", "conn", true },
		{ "gen rr keep-alive (per request)", "mode=rr target=198.18.0.1:80 conc=256 "
			"rate=0 req=64 resp=16 warmup=0 duration=3600s progress=0", "req", false },
	};
	const char *only = getenv("BENCH_CASE");
	uint64_t warm, per_run;
	unsigned int i, failed;
	double free_cyc;
	int leak;

	if (bench_init(argc, argv, "bench_loadgen", 512, 16383, 1) < 0)
		return 2;
	bench_w->tx_fn = cap_tx;
	lr_ifaces[0].ip_count = SRC_ADDRS;
	/* past max_tw (16384 by default): TIME_WAIT full before the timed runs */
	warm = bench_opts.smoke ? 500 : 20000;
	per_run = bench_opts.smoke ? 200 : 50000;
	if (bench_opts.full)
		per_run *= 5;
	if (getenv("BENCH_UNITS") != NULL)  /* per timed run, e.g. shorter under callgrind */
		per_run = strtoull(getenv("BENCH_UNITS"), NULL, 0);
	free_cyc = free_cycles();
	for (i = 0; i < RTE_DIM(cases); i++) {
		if (only != NULL && strstr(cases[i].name, only) == NULL)
			continue; /* BENCH_CASE=substring: that case alone (profiling) */
		run_case(&cases[i], warm, per_run, free_cyc);
	}
	bench_w->tx_fn = bench_sink;
	failed = bench_report("baseline = freeing the frames of one unit (the peer's answers "
			"and the generator's frames), no pipeline");
	leak = bench_fini();
	bench_exit();
	if (failed > 0 || leak < 0) {
		printf("bench_loadgen: %u case(s) FAILED%s\n", failed, leak < 0 ? ", mbuf leak" : "");
		return 1;
	}
	return 0;
}
