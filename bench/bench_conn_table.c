/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table scaling: the per-packet cost of the TCP pure-ACK path (parse,
 * 4-tuple lookup in the shard's rte_hash, FSM on an idle ESTABLISHED connection)
 * against the number of established connections, and the memory each connection
 * costs. Connections are created with synthesised handshakes from 253 peers
 * (198.18.0.1, .3 .. .254) and ports 1024.., and ACKed in a scattered order
 * (stride ~0.618 N) so the table and the connection blocks are visited the way many
 * independent clients would, not in allocation order.
 *
 * Baseline per size: the I/O floor, i.e. the same synthesis (frame copy, tuple
 * patched in with incremental checksums) straight into the sink. The scaling ratio
 * is cycles/packet at N against cycles/packet at 1K.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "lr_tcp.h"
#include "bench_common.h"

#define NB_PEERS 253
#define PORT_BASE 1024
#define LISTEN_PORT 80
#define PEER_ISN 1000
#define OUR_ISN 8000
#define TARGET_BYTES 128          /* issue #4: bytes per established idle connection */
#define MEM_QUICK_MB 1536
#define MEM_FULL_MB 8192
#define MAX_SIZES 5

struct ct_gen {
	struct bench_tmpl t;   /**< template: tuple of connection 0 */
	uint32_t n;            /**< connections */
	uint64_t stride;       /**< visiting order: i = k * stride mod n */
	uint64_t k;            /**< next visit */
	bool floor;            /**< synthesise and sink only */
	bool failed;           /**< pool empty */
};

struct ct_row {
	uint32_t conns;
	double cycles, floor, handshake, bytes, conn_block;
	double tick_ms;        /**< one lr_tcp_tick() walk over every connection */
	bool ok;
	struct bench_result *res;
};

static struct ct_row rows[MAX_SIZES];
static unsigned int nb_rows;

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

static void
free_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

/* Connection i: peer i % 253, port 1024 + i / 253. Patch it into a frame copy. */
static inline void
patch_tuple(struct rte_mbuf *m, uint32_t i)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	rte_be32_t src = rte_cpu_to_be_32(bench_peer_ip(i % NB_PEERS));
	rte_be16_t port = rte_cpu_to_be_16((uint16_t)(PORT_BASE + i / NB_PEERS));

	ip->hdr_checksum = bench_cksum_update32(ip->hdr_checksum, ip->src_addr, src);
	th->cksum = bench_cksum_update32(th->cksum, ip->src_addr, src);
	th->cksum = bench_cksum_update16(th->cksum, th->src_port, port);
	ip->src_addr = src;
	th->src_port = port;
}

static int
gen_conns(const struct bench_tmpl *t, struct rte_mbuf **pkts, uint32_t first, unsigned int n)
{
	unsigned int j;

	if (bench_gen(t, pkts, n) != 0)
		return -1;
	for (j = 0; j < n; j++)
		patch_tuple(pkts[j], first + j);
	return 0;
}

/* One burst of pure ACKs to scattered established connections. */
static void
iter_ack(void *arg)
{
	struct ct_gen *g = arg;
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int j;

	if (bench_gen(&g->t, pkts, BENCH_BURST) != 0) {
		g->failed = true;
		return;
	}
	for (j = 0; j < BENCH_BURST; j++) {
		patch_tuple(pkts[j], (uint32_t)((g->k * g->stride) % g->n));
		g->k++;
	}
	if (g->floor)
		bench_sink(bench_w, 0, 0, pkts, BENCH_BURST);
	else
		bench_rx(pkts, BENCH_BURST);
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t used = 0;
	unsigned int s;

	for (s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			used += st.heap_allocsz_bytes;
	return used;
}

static size_t
heap_free(void)
{
	struct rte_malloc_socket_stats st;
	size_t n = 0;
	unsigned int s;

	for (s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			n = RTE_MAX(n, st.greatest_free_size);
	return n;
}

static uint64_t
tcp_rx(void)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(bench_w);

	return st == NULL ? 0 : st->v[LR_TCP_STAT_RX];
}

/* Synthesised handshakes for n connections; @return cycles per connection or < 0. */
static double
create_conns(uint32_t n, struct bench_result *r, double *tick_ms)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct bench_tmpl syn, ack;
	struct rte_mbuf *pkts[BENCH_BURST];
	uint64_t out0 = bench_sink_pkts, d0 = bench_drops(), t0, t1;
	uint32_t i;

	bench_tmpl_tcp(&syn, bench_peer_ip(0), PORT_BASE, LISTEN_PORT, PEER_ISN, 0,
			RTE_TCP_SYN_FLAG, mss, 4, 0);
	bench_tmpl_tcp(&ack, bench_peer_ip(0), PORT_BASE, LISTEN_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i += BENCH_BURST) {
		unsigned int b = RTE_MIN((uint32_t)BENCH_BURST, n - i);

		if (gen_conns(&syn, pkts, i, b) != 0)
			goto nombuf;
		bench_rx(pkts, b);
		if (gen_conns(&ack, pkts, i, b) != 0)
			goto nombuf;
		bench_rx(pkts, b);
	}
	t0 = rte_rdtsc_precise() - t0;
	if (lr_tcp_conn_count(bench_w) != n || bench_sink_pkts - out0 != n ||
			bench_drops() != d0) {
		bench_fail(r, "handshakes: %u connections, %" PRIu64 " SYN-ACKs, %" PRIu64
				" drops (want %u, %u, 0)", lr_tcp_conn_count(bench_w),
				bench_sink_pkts - out0, bench_drops() - d0, n, n);
		return -1;
	}
	/*
	 * The SYN-ACK timers were stopped by the ACKs, but the shard keeps only a lower
	 * bound of the next deadline: pass it once here (one walk over every connection)
	 * rather than inside a timed run.
	 */
	bench_w->now_us += 2000000;
	t1 = rte_rdtsc_precise();
	lr_tcp_tick(bench_w);
	*tick_ms = (double)(rte_rdtsc_precise() - t1) * 1e3 / bench_hz();
	lr_tcp_flush(bench_w);
	lr_worker_flush(bench_w);
	return (double)t0 / n;
nombuf:
	bench_fail(r, "mbuf pool empty during handshakes");
	return -1;
}

static void
run_size(uint32_t n, uint64_t pkts_per_run)
{
	static const struct lr_tcp_callbacks cb = { .data = free_data };
	struct lr_tcp_conf conf = lr_tcp_conf_default;
	struct ct_gen g;
	struct ct_row *row = &rows[nb_rows++];
	struct rte_mempool *mp;
	struct bench_result *r;
	char name[64];
	uint64_t iters = RTE_MAX(pkts_per_run / BENCH_BURST, (uint64_t)4);
	uint64_t out0, d0, rx0, sent;
	size_t before;
	int rc;

	snprintf(name, sizeof(name), "pure ack, %u conns", n);
	r = bench_add(name, "pkt", 0, 0);
	r->param = n;
	memset(row, 0, sizeof(*row));
	row->conns = n;
	row->res = r;

	conf.max_conns = n;
	conf.delack_ms = 0;
	conf.half_open_max = n;
	conf.syncookies = false;
	conf.isn_fn = fixed_isn;
	before = heap_used();
	rc = lr_tcp_worker_init(bench_w, &conf);
	if (rc == 0)
		rc = lr_tcp_listen(bench_w, LISTEN_PORT, &cb, NULL);
	if (rc < 0) {
		bench_fail(r, "shard for %u connections: %s", n, strerror(-rc));
		lr_tcp_worker_fini(bench_w);
		return;
	}
	/* Everything the shard allocates is sized by max_conns: memory / connections. */
	row->bytes = (double)(heap_used() - before) / n;
	mp = rte_mempool_lookup("lr_tcp_p0");
	if (mp != NULL)
		row->conn_block = mp->header_size + mp->elt_size + mp->trailer_size;
	r->bytes = row->bytes;

	row->handshake = create_conns(n, r, &row->tick_ms);
	if (row->handshake < 0)
		goto out;

	memset(&g, 0, sizeof(g));
	bench_tmpl_tcp(&g.t, bench_peer_ip(0), PORT_BASE, LISTEN_PORT, PEER_ISN + 1,
			OUR_ISN + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	g.n = n;
	g.stride = (uint64_t)(n * 0.6180339887) | 1;
	while (gcd(g.stride, n) != 1)
		g.stride += 2;

	out0 = bench_sink_pkts;
	d0 = bench_drops();
	rx0 = tcp_rx();
	row->cycles = bench_time(iter_ack, &g, iters, BENCH_BURST);
	sent = (BENCH_RUNS * iters + iters / 4 + 1) * BENCH_BURST;
	if (g.failed || bench_sink_pkts != out0 || bench_drops() != d0 ||
			tcp_rx() - rx0 != sent || lr_tcp_conn_count(bench_w) != n) {
		bench_fail(r, "%" PRIu64 " frames out (want 0), %" PRIu64 " drops, %" PRIu64
				" of %" PRIu64 " segments received, %u conns%s",
				bench_sink_pkts - out0, bench_drops() - d0, tcp_rx() - rx0, sent,
				lr_tcp_conn_count(bench_w), g.failed ? ", mbuf pool empty" : "");
	}
	g.floor = true;
	g.k = 0;
	row->floor = bench_time(iter_ack, &g, iters, BENCH_BURST);
	r->cycles = row->cycles;
	r->floor = row->floor;
out:
	row->ok = r->ok;
	lr_tcp_worker_fini(bench_w);
	lr_worker_flush(bench_w);
}

static void
print_scaling(void)
{
	const struct ct_row *base = nb_rows > 0 && rows[0].ok ? &rows[0] : NULL;
	unsigned int i;

	printf("\nconnection table scaling (pure ACK path; baseline = I/O floor; "
			"'vs 1K' = cycles at N / cycles at 1K)\n");
	printf("%10s %12s %10s %10s %8s %12s %10s %10s %14s %12s\n", "conns", "cycles/pkt",
			"floor", "net", "vs 1K", "bytes/conn", "target", "conn block",
			"handshake/conn", "tick walk ms");
	for (i = 0; i < nb_rows; i++) {
		const struct ct_row *r = &rows[i];

		if (!r->ok) {
			printf("%10u %12s\n", r->conns, "FAIL");
			continue;
		}
		printf("%10u %12.0f %10.0f %10.0f %8.2f %12.1f %10d %10.0f %14.0f %12.2f\n",
				r->conns, r->cycles, r->floor, r->cycles - r->floor,
				base != NULL ? r->cycles / base->cycles : 0, r->bytes, TARGET_BYTES,
				r->conn_block, r->handshake, r->tick_ms);
	}
	printf("bytes/conn = rte_malloc heap growth of a shard sized for N connections "
			"(connection mempool + rte_hash with extendable buckets) / N; "
			"conn block = one mempool element (header + struct lr_tcp_conn + trailer); "
			"issue #4 target %d B; tick walk = one lr_tcp_tick() pass over all connections "
			"once the lower-bound deadline has passed (no timer due)\n", TARGET_BYTES);
}

static void
write_dat(void)
{
	const struct ct_row *base = nb_rows > 0 && rows[0].ok ? &rows[0] : NULL;
	char path[512];
	unsigned int i;
	FILE *f;

	if (bench_opts.smoke || bench_opts.outdir == NULL)
		return;
	mkdir(bench_opts.outdir, 0755);
	snprintf(path, sizeof(path), "%s/conn_scaling.dat", bench_opts.outdir);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "bench_conn_table: cannot write %s\n", path);
		return;
	}
	fprintf(f, "# conns cycles_per_pkt floor net ratio_vs_1k bytes_per_conn\n");
	for (i = 0; i < nb_rows; i++)
		if (rows[i].ok)
			fprintf(f, "%u %.1f %.1f %.1f %.3f %.1f\n", rows[i].conns, rows[i].cycles,
					rows[i].floor, rows[i].cycles - rows[i].floor,
					base != NULL ? rows[i].cycles / base->cycles : 0,
					rows[i].bytes);
	fclose(f);
	printf("plot data: %s\n", path);
}

static long
mem_available_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

int
main(int argc, char **argv)
{
	static const uint32_t quick[] = { 1000, 10000, 100000, 1000000 };
	unsigned int mem_mb = MEM_QUICK_MB, i, failed;
	long avail = mem_available_mb();
	bool full = false, smoke = false;
	char skip_full[160] = "";
	int leak;

	for (i = 1; i < (unsigned int)argc; i++) {
		smoke |= strcmp(argv[i], "--smoke") == 0;
		full |= strcmp(argv[i], "--full") == 0;
	}
	full |= getenv("FULL") != NULL && strcmp(getenv("FULL"), "") != 0 &&
			strcmp(getenv("FULL"), "0") != 0;
	if (smoke) {
		mem_mb = 512;
	} else if (full) {
		if (avail > MEM_FULL_MB + 1024)
			mem_mb = MEM_FULL_MB;
		else
			snprintf(skip_full, sizeof(skip_full), "10M connections skipped: %ld MiB "
					"available, the run needs %d MiB", avail, MEM_FULL_MB + 1024);
	}
	if (bench_init(argc, argv, "bench_conn_table", mem_mb, 8191, NB_PEERS) < 0)
		return 2;

	if (bench_opts.smoke) {
		run_size(1000, 4096);
		run_size(10000, 4096);
	} else {
		for (i = 0; i < RTE_DIM(quick); i++)
			run_size(quick[i], RTE_MAX(quick[i], 524288u));
		if (bench_opts.full && skip_full[0] == '\0') {
			double need = rows[nb_rows - 1].bytes * 10e6 * 1.1;

			if (!rows[nb_rows - 1].ok || need > (double)heap_free())
				snprintf(skip_full, sizeof(skip_full), "10M connections skipped: "
						"need ~%.0f MiB, largest free heap block %zu MiB",
						need / 1048576, heap_free() >> 20);
			else
				run_size(10000000, 2097152);
		}
	}
	for (i = 0; i < nb_rows; i++)
		if (rows[i].ok && rows[0].ok)
			snprintf(rows[i].res->note, sizeof(rows[i].res->note),
					"%.2fx the 1K cost; %.0f B/conn (target %d); handshake %.0f "
					"cyc/conn; tick walk %.2f ms", rows[i].cycles / rows[0].cycles,
					rows[i].bytes, TARGET_BYTES, rows[i].handshake, rows[i].tick_ms);
	print_scaling();
	if (skip_full[0] != '\0')
		printf("%s\n", skip_full);
	write_dat();
	failed = bench_report("I/O floor = alloc pure-ACK frame copies, patch the 4-tuple "
			"(incremental checksums), free them in the sink, no pipeline");
	leak = bench_fini();
	bench_exit();
	if (failed > 0 || leak < 0) {
		printf("bench_conn_table: %u case(s) FAILED%s\n", failed,
				leak < 0 ? ", mbuf leak" : "");
		return 1;
	}
	return 0;
}
