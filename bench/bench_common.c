/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark harness, see bench_common.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lr_eth.h"
#include "lr_ip.h"
#include "lr_stats.h"
#include "lr_tcp.h"
#include "lr_udp.h"
#include "services.h"
#include "bench_common.h"

#define BENCH_MAX_RESULTS 64
#define BENCH_START_US 1000000

const struct rte_ether_addr bench_our_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x02}};
const struct rte_ether_addr bench_peer_mac = {{0x02, 0x4c, 0x52, 0x00, 0x00, 0x01}};

struct bench_opts bench_opts;
struct lr_worker *bench_w;
struct rte_mempool *bench_pool;
static struct rte_mempool *bench_indirect;
static unsigned int bench_lcore;

uint64_t bench_sink_pkts;
static bench_check_fn sink_check;
static void *sink_check_arg;
static uint64_t sink_bad;

static struct bench_result results[BENCH_MAX_RESULTS];
static unsigned int nb_results;

/* ------------------------------------------------------------------ sink */

uint16_t
bench_sink(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(w);
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	if (unlikely(sink_check != NULL))
		for (i = 0; i < n; i++)
			if (!sink_check(pkts[i], sink_check_arg))
				sink_bad++;
	bench_sink_pkts += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

void
bench_sink_check(bench_check_fn fn, void *arg)
{
	sink_check = fn;
	sink_check_arg = arg;
	sink_bad = 0;
}

uint64_t
bench_sink_bad(void)
{
	return sink_bad;
}

/* ----------------------------------------------------------- synthesis */

int
bench_gen(const struct bench_tmpl *t, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	if (unlikely(rte_pktmbuf_alloc_bulk(bench_pool, pkts, n) != 0))
		return -1;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		rte_memcpy(rte_pktmbuf_mtod(m, void *), t->bytes, t->len);
		m->data_len = t->len;
		m->pkt_len = t->len;
		m->port = 0;
	}
	return 0;
}

void *
bench_tmpl_ipv4(struct bench_tmpl *t, uint32_t src, uint32_t dst, uint8_t proto,
		uint16_t l4_len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t->bytes;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	memset(t->bytes, 0, sizeof(t->bytes));
	eth->dst_addr = bench_our_mac;
	eth->src_addr = bench_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_len);
	ip->packet_id = rte_cpu_to_be_16(1);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	t->len = sizeof(*eth) + sizeof(*ip) + l4_len;
	/* Minimum Ethernet frame (without FCS): the IP total length says what is data. */
	if (t->len < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)
		t->len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
	return ip + 1;
}

void
bench_tmpl_udp(struct bench_tmpl *t, uint16_t sport, uint16_t dport, uint16_t len)
{
	uint16_t l4 = sizeof(struct rte_udp_hdr) + len;
	struct rte_udp_hdr *udp = bench_tmpl_ipv4(t, BENCH_PEER_IP, BENCH_OUR_IP, IPPROTO_UDP,
			l4);
	uint8_t *p = (uint8_t *)(udp + 1);
	uint16_t i;

	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(l4);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)('a' + i % 26);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)udp - 1, udp);
}

void
bench_tmpl_tcp(struct bench_tmpl *t, uint32_t src, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts, uint8_t optlen,
		uint16_t len)
{
	uint16_t hlen = (uint16_t)(sizeof(struct rte_tcp_hdr) + ((optlen + 3u) & ~3u));
	struct rte_tcp_hdr *th = bench_tmpl_ipv4(t, src, BENCH_OUR_IP, IPPROTO_TCP, hlen + len);
	uint8_t *p = (uint8_t *)th + hlen;
	uint16_t i;

	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	if (optlen > 0)
		memcpy(th + 1, opts, optlen);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)('A' + i % 26);
	th->cksum = rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)th - 1, th);
}

void
bench_rx(struct rte_mbuf **pkts, unsigned int n)
{
	struct lr_worker *w = bench_w;

	w->now_us++;
	lr_eth_input_burst(w, pkts, (uint16_t)n);
	if (w->tcp != NULL) {
		lr_tcp_flush(w);
		lr_tcp_tick(w);
		lr_tcp_flush(w);
	}
	lr_worker_flush(w);
}

uint64_t
bench_drops(void)
{
	const struct lr_tcp_stats *ts = lr_tcp_stats_get(bench_w);
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < LR_STAT_MAX; i++) {
		const struct lr_stat_desc *d = lr_stats_desc((enum lr_stat_id)i);

		if (d != NULL && d->kind == LR_STAT_KIND_DROP)
			n += lr_stats_sum((enum lr_stat_id)i, 1);
	}
	if (ts != NULL)
		for (i = 0; i < LR_TCP_STAT_MAX; i++) {
			const struct lr_stat_desc *d = lr_tcp_stat_desc((enum lr_tcp_stat_id)i);

			if (d != NULL && d->kind == LR_STAT_KIND_DROP)
				n += ts->v[i];
		}
	return n;
}

/* ---------------------------------------------------------------- timing */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_time(bench_iter_fn fn, void *arg, uint64_t iters, unsigned int pkts_per_iter)
{
	double runs[BENCH_RUNS];
	uint64_t i, t0, t1;
	int r;

	for (i = 0; i < iters / 4 + 1; i++)
		fn(arg);
	for (r = 0; r < BENCH_RUNS; r++) {
		t0 = rte_rdtsc_precise();
		for (i = 0; i < iters; i++)
			fn(arg);
		t1 = rte_rdtsc_precise();
		runs[r] = (double)(t1 - t0) / ((double)iters * pkts_per_iter);
	}
	qsort(runs, BENCH_RUNS, sizeof(runs[0]), cmp_double);
	return runs[BENCH_RUNS / 2];
}

uint64_t
bench_hz(void)
{
	return rte_get_tsc_hz();
}

/* ----------------------------------------------------------------- setup */

uint32_t
bench_peer_ip(unsigned int i)
{
	/* .1, then .3 .. .254 (skip our .2) */
	return i == 0 ? BENCH_PEER_IP : BENCH_OUR_IP + i;
}

static void
learn_peer(unsigned int i)
{
	struct bench_tmpl t;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t.bytes;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_ether_addr mac = bench_peer_mac;
	struct rte_mbuf *m;

	mac.addr_bytes[3] = 0x01; /* never our own MAC */
	mac.addr_bytes[4] = (uint8_t)(i >> 8);
	mac.addr_bytes[5] = (uint8_t)(i + 1);
	if (i == 0)
		mac = bench_peer_mac;
	memset(&t, 0, sizeof(t));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(bench_peer_ip(i));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(BENCH_OUR_IP);
	t.len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
	if (bench_gen(&t, &m, 1) == 0) {
		lr_eth_input(bench_w, m);
		lr_worker_flush(bench_w);
	}
}

static void
usage(const char *prog)
{
	printf("usage: %s [--smoke] [--full] [--out DIR]\n"
		"  --smoke   tiny iteration counts, prints ok/not ok lines, writes no results\n"
		"  --full    the long set (also FULL=1 in the environment)\n"
		"  --out DIR where results go (default bench/results)\n"
		"  --huge    run on hugepages (--in-memory), as the daemon does; default 4 KiB\n"
		"            pages (--no-huge), which needs no reservation\n"
		"  BENCH_LCORE=n in the environment pins the run to CPU n (default 0)\n"
		"  BENCH_GIT_REV=rev overrides the revision recorded with the results\n", prog);
}

static int
parse_opts(int argc, char **argv, const char *name)
{
	const char *full = getenv("FULL");
	int i;

	memset(&bench_opts, 0, sizeof(bench_opts));
	bench_opts.name = name;
	bench_opts.full = full != NULL && strcmp(full, "") != 0 && strcmp(full, "0") != 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smoke") == 0) {
			bench_opts.smoke = true;
		} else if (strcmp(argv[i], "--full") == 0) {
			bench_opts.full = true;
		} else if (strcmp(argv[i], "--huge") == 0) {
			bench_opts.huge = true;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			bench_opts.outdir = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(argv[0]);
			exit(0);
		} else {
			usage(argv[0]);
			return -1;
		}
	}
	if (bench_opts.outdir == NULL && !bench_opts.smoke)
		bench_opts.outdir = "bench/results";
	if (bench_opts.smoke)
		bench_opts.full = false;
	return 0;
}

static int
eal_init(const char *prog, unsigned int mem_mb)
{
	static char progbuf[64], prefix[32], mem[16], lcores[16];
	const char *lc = getenv("BENCH_LCORE");
	char *eal_argv[] = {
		/* DPDK 22.11 refuses --in-memory with --no-huge; --no-shconf isolates. */
		progbuf, "--no-huge", "-m", mem, "--no-shconf", "--no-pci", "--no-telemetry",
		"--file-prefix", prefix, "-l", lcores,
		"--log-level=lib.*:error", "--log-level=user1:error",
		"--log-level=linerate.*:warning", NULL,
	};

	if (bench_opts.huge) {
		/* hugepages: memory comes from the reservation as needed (no -m) */
		eal_argv[1] = "--in-memory";
		eal_argv[2] = "--no-shconf";
		eal_argv[3] = "--no-pci";
		eal_argv[4] = "--no-telemetry";
		eal_argv[5] = "--log-level=eal:error";
		eal_argv[6] = "--log-level=pmd.*:error";
	}

	bench_lcore = lc != NULL ? (unsigned int)atoi(lc) : 0;
	snprintf(progbuf, sizeof(progbuf), "%s", prog);
	snprintf(prefix, sizeof(prefix), "bench%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(lcores, sizeof(lcores), "%u", bench_lcore);
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int
bench_init(int argc, char **argv, const char *name, unsigned int mem_mb,
		unsigned int nb_mbufs, unsigned int nb_peers)
{
	struct lr_ip_conf ipc = lr_ip_conf_default;
	struct lr_arp_conf arpc = lr_arp_conf_default;
	struct lr_iface ifc;
	unsigned int i;
	int rc;

	if (parse_opts(argc, argv, name) < 0)
		return -1;
	if (eal_init(name, mem_mb) < 0)
		return -1;
	/* A mempool cache, as a PMD's RX queue would have. */
	bench_pool = rte_pktmbuf_pool_create("bench_pool", nb_mbufs, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	/* Cached as the daemon's (TCP segments take one each, tcp_sbref.c). */
	bench_indirect = rte_pktmbuf_pool_create("bench_indirect", 4095, 256, 0, 0,
			SOCKET_ID_ANY);
	if (bench_pool == NULL || bench_indirect == NULL) {
		fprintf(stderr, "%s: mbuf pool: %s\n", name, rte_strerror(rte_errno));
		return -1;
	}

	lr_stats_reset();
	lr_iface_reset();
	memset(&ifc, 0, sizeof(ifc));
	ifc.port_id = 0;
	ifc.mtu = 1500;
	ifc.mac = bench_our_mac;
	ifc.ip = rte_cpu_to_be_32(BENCH_OUR_IP);
	ifc.prefix_len = BENCH_PREFIX;
	ifc.netmask = rte_cpu_to_be_32(~0u << (32 - BENCH_PREFIX));
	if (lr_iface_add(&ifc) != 0)
		return -1;

	if (nb_peers < 1)
		nb_peers = 1;
	if (nb_peers > 253)
		nb_peers = 253;
	arpc.table_size = RTE_MAX(arpc.table_size, 1024u);
	lr_arp_configure(&arpc);
	/* ICMP errors are a benchmark case: limit far above any rate we reach. */
	ipc.icmp_rate = 1000000000u;
	ipc.icmp_burst = 1000000u;
	lr_ip_configure(&ipc);
	lr_udp_reset();
	lr_ip_init();
	lr_udp_init();
	lr_tcp_init();
	rc = lr_services_udp_init(7, 9);
	if (rc < 0) {
		fprintf(stderr, "%s: UDP services: %s\n", name, strerror(-rc));
		return -1;
	}

	bench_w = &lr_workers[0];
	rc = lr_worker_init(bench_w, 0, bench_pool);
	if (rc < 0) {
		fprintf(stderr, "%s: worker: %s\n", name, strerror(-rc));
		return -1;
	}
	bench_w->lcore = rte_lcore_id();
	bench_w->indirect_pool = bench_indirect;
	/* TCP segments refer to the send buffer as on a daemon's port (BENCH_TX_REF=0:
	 * they copy it, as on net_ring) */
	bench_w->tx_ref = getenv("BENCH_TX_REF") == NULL || atoi(getenv("BENCH_TX_REF")) != 0;
	bench_w->tx_fn = bench_sink;
	bench_w->now_us = BENCH_START_US;
	lr_nb_workers = 1;
	if (lr_arp_worker_init(bench_w) < 0 || lr_ip_worker_init(bench_w) < 0) {
		fprintf(stderr, "%s: ARP/IP worker state failed\n", name);
		return -1;
	}
	for (i = 0; i < nb_peers; i++)
		learn_peer(i);
	if (bench_sink_pkts != nb_peers) {
		fprintf(stderr, "%s: expected %u ARP replies while learning peers, got %" PRIu64
				"\n", name, nb_peers, bench_sink_pkts);
		return -1;
	}
	lr_stats_reset();
	return 0;
}

int
bench_fini(void)
{
	unsigned int in_use;

	lr_tcp_worker_fini(bench_w);
	lr_worker_flush(bench_w);
	lr_ip_worker_fini(bench_w);
	lr_arp_worker_fini(bench_w);
	lr_worker_flush(bench_w);
	in_use = rte_mempool_in_use_count(bench_pool) + rte_mempool_in_use_count(bench_indirect);
	if (in_use != 0) {
		printf("%s - %s: %u mbufs still in use at exit (leak)\n",
				bench_opts.smoke ? "not ok" : "FAIL", bench_opts.name, in_use);
		return -1;
	}
	printf("%s%s: no mbuf leaked (pool back to %u free)\n", bench_opts.smoke ? "ok - " : "",
			bench_opts.name, rte_mempool_avail_count(bench_pool));
	return 0;
}

void
bench_exit(void)
{
	char dir[PATH_MAX];

	/* --no-shconf still creates an (empty) runtime directory: leave nothing behind. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

/* --------------------------------------------------------------- results */

struct bench_result *
bench_add(const char *name, const char *unit, double cycles, double floor)
{
	struct bench_result *r;

	if (nb_results == BENCH_MAX_RESULTS)
		nb_results--; /* overwrite the last: never more cases than this */
	r = &results[nb_results++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->cycles = cycles;
	r->floor = floor;
	r->ok = true;
	return r;
}

void
bench_fail(struct bench_result *r, const char *fmt, ...)
{
	va_list ap;

	r->ok = false;
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
}

static void
read_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && c != NULL) {
			snprintf(buf, len, "%s", c + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void
read_cmd(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");

	snprintf(buf, len, "unknown");
	if (p == NULL)
		return;
	if (fgets(buf, (int)len, p) == NULL)
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

/* JSON string: the few characters we could meet escaped. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

struct machine {
	char cpu[128];
	char rev[64];
	char date[64];
	char load[64];
	long nproc;
	uint64_t hz;
};

static void
machine_facts(struct machine *mf)
{
	time_t now = time(NULL);
	struct tm tm;

	read_cpu_model(mf->cpu, sizeof(mf->cpu));
	/* The revision of the code under test; -dirty when lib/ or app/ differ from it. */
	if (getenv("BENCH_GIT_REV") != NULL)
		snprintf(mf->rev, sizeof(mf->rev), "%s", getenv("BENCH_GIT_REV"));
	else
		read_cmd("r=$(git rev-parse --short HEAD 2>/dev/null) && { git diff --quiet HEAD "
				"-- lib app 2>/dev/null && echo $r || echo $r-dirty; }",
				mf->rev, sizeof(mf->rev));
	read_cmd("cut -d' ' -f1-3 /proc/loadavg 2>/dev/null", mf->load, sizeof(mf->load));
	gmtime_r(&now, &tm);
	strftime(mf->date, sizeof(mf->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	mf->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	mf->hz = bench_hz();
}

static double
mpps(const struct bench_result *r)
{
	return r->cycles > 0 ? (double)bench_hz() / r->cycles / 1e6 : 0;
}

static FILE *
open_out(const char *file, const char *mode)
{
	char path[512];
	FILE *f;

	mkdir(bench_opts.outdir, 0755);
	snprintf(path, sizeof(path), "%s/%s", bench_opts.outdir, file);
	f = fopen(path, mode);
	if (f == NULL)
		fprintf(stderr, "%s: cannot write %s: %s\n", bench_opts.name, path, strerror(errno));
	return f;
}

static void
write_json(const struct machine *mf, const char *baseline_name)
{
	char file[128];
	unsigned int i;
	FILE *f;

	snprintf(file, sizeof(file), "%s.json", bench_opts.name);
	f = open_out(file, "w");
	if (f == NULL)
		return;
	fprintf(f, "{\n  \"program\": ");
	json_str(f, bench_opts.name);
	fprintf(f, ",\n  \"date\": \"%s\",\n  \"git_rev\": ", mf->date);
	json_str(f, mf->rev);
	fprintf(f, ",\n  \"cpu\": ");
	json_str(f, mf->cpu);
	fprintf(f, ",\n  \"nproc\": %ld,\n  \"lcore\": %u,\n  \"loadavg\": \"%s\",\n"
			"  \"tsc_hz\": %" PRIu64 ",\n  \"full\": %s,\n  \"runs\": %d,\n"
			"  \"burst\": %d,\n  \"baseline\": ",
			mf->nproc, bench_lcore, mf->load, mf->hz,
			bench_opts.full ? "true" : "false", BENCH_RUNS, BENCH_BURST);
	json_str(f, baseline_name);
	fprintf(f, ",\n  \"results\": [\n");
	for (i = 0; i < nb_results; i++) {
		const struct bench_result *r = &results[i];

		fprintf(f, "    {\"case\": ");
		json_str(f, r->name);
		fprintf(f, ", \"unit\": \"%s\", \"cycles\": %.1f, \"mpps\": %.3f, "
				"\"baseline_cycles\": %.1f, \"net_cycles\": %.1f, \"ratio\": %.2f",
				r->unit, r->cycles, mpps(r), r->floor, r->cycles - r->floor,
				r->floor > 0 ? r->cycles / r->floor : 0);
		if (r->param > 0)
			fprintf(f, ", \"connections\": %.0f", r->param);
		if (r->bytes > 0)
			fprintf(f, ", \"bytes_per_conn\": %.1f", r->bytes);
		fprintf(f, ", \"ok\": %s, \"note\": ", r->ok ? "true" : "false");
		json_str(f, r->note);
		fprintf(f, "}%s\n", i + 1 < nb_results ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);
}

static void
write_md_tsv(const struct machine *mf, const char *baseline_name)
{
	char file[128];
	unsigned int i;
	FILE *f;

	f = open_out("latest.md", "a");
	if (f != NULL) {
		fprintf(f, "\n### %s — %s, rev %s\n\n%s, %ld CPUs, TSC %.3f GHz, lcore %u, "
				"loadavg %s at the end. Baseline: %s.\n\n"
				"| case | cycles/unit | Mpps | baseline | net | ratio | status |\n"
				"|---|---:|---:|---:|---:|---:|---|\n",
				bench_opts.name, mf->date, mf->rev, mf->cpu, mf->nproc,
				mf->hz / 1e9, bench_lcore, mf->load, baseline_name);
		for (i = 0; i < nb_results; i++) {
			const struct bench_result *r = &results[i];

			fprintf(f, "| %s | %.0f /%s | %.2f | %.0f | %.0f | %.2f | %s%s%s |\n",
					r->name, r->cycles, r->unit, mpps(r), r->floor,
					r->cycles - r->floor,
					r->floor > 0 ? r->cycles / r->floor : 0,
					r->ok ? "ok" : "FAIL", r->note[0] ? ": " : "", r->note);
		}
		fclose(f);
	}
	snprintf(file, sizeof(file), "%s.tsv", bench_opts.name);
	f = open_out(file, "w");
	if (f != NULL) {
		for (i = 0; i < nb_results; i++) {
			const struct bench_result *r = &results[i];

			fprintf(f, "%s\t%s\t%s\t%.0f\t%.2f\t%.0f\t%.0f\t%.2f\t%s\n",
					bench_opts.name, r->name, r->unit, r->cycles, mpps(r),
					r->floor, r->cycles - r->floor,
					r->floor > 0 ? r->cycles / r->floor : 0,
					r->ok ? "ok" : "FAIL");
		}
		fclose(f);
	}
}

unsigned int
bench_report(const char *baseline_name)
{
	struct machine mf;
	unsigned int i, failed = 0;

	machine_facts(&mf);
	printf("\n%s: %s, TSC %.3f GHz, lcore %u, loadavg %s, rev %s\n", bench_opts.name,
			mf.cpu, mf.hz / 1e9, bench_lcore, mf.load, mf.rev);
	printf("baseline: %s (measured in this run; net = cycles - baseline)\n", baseline_name);
	printf("%-34s %12s %8s %10s %10s %7s  %s\n", "case", "cycles/unit", "Mpps",
			"baseline", "net", "ratio", "status");
	for (i = 0; i < nb_results; i++) {
		const struct bench_result *r = &results[i];
		char cyc[32];

		snprintf(cyc, sizeof(cyc), "%.0f/%s", r->cycles, r->unit);
		printf("%-34s %12s %8.2f %10.0f %10.0f %7.2f  %s%s%s\n", r->name, cyc, mpps(r),
				r->floor, r->cycles - r->floor,
				r->floor > 0 ? r->cycles / r->floor : 0,
				r->ok ? "ok" : "FAIL", r->note[0] ? ": " : "", r->note);
		if (!r->ok)
			failed++;
	}
	if (bench_opts.smoke) {
		for (i = 0; i < nb_results; i++)
			printf("%s - %s %s%s%s\n", results[i].ok ? "ok" : "not ok",
					bench_opts.name, results[i].name,
					results[i].ok ? "" : " # ", results[i].ok ? "" : results[i].note);
	} else if (bench_opts.outdir != NULL) {
		write_json(&mf, baseline_name);
		write_md_tsv(&mf, baseline_name);
		printf("results: %s/%s.json, %s/%s.tsv, appended to %s/latest.md\n",
				bench_opts.outdir, bench_opts.name, bench_opts.outdir,
				bench_opts.name, bench_opts.outdir);
	}
	return failed;
}
