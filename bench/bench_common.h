/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Micro-benchmark harness: EAL without hugepages or NICs, one worker whose TX is a
 * counting sink, frames synthesised from templates, cycles per packet measured with
 * rte_rdtsc() (median of BENCH_RUNS runs) beside the "I/O floor" baseline of the
 * same run, results printed and written as JSON / markdown / TSV.
 *
 * Anchor: DPDK app/test/test_hash_perf.c.
 */
#ifndef LR_BENCH_COMMON_H
#define LR_BENCH_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "lr_core.h"

#define BENCH_BURST 32          /**< packets per synthesised RX burst */
#define BENCH_RUNS 5            /**< timed runs per case; the median is reported */
#define BENCH_OUR_IP 0xc6120002u  /**< 198.18.0.2, host order */
#define BENCH_PEER_IP 0xc6120001u /**< 198.18.0.1, host order */
#define BENCH_PREFIX 24

extern const struct rte_ether_addr bench_our_mac;
extern const struct rte_ether_addr bench_peer_mac;

/** Command line of every benchmark program. */
struct bench_opts {
	bool smoke;          /**< --smoke: tiny counts, no result files, ok/not ok lines */
	bool full;           /**< FULL=1 in the environment or --full: the long set */
	bool huge;           /**< --huge: hugepages (as the daemon runs), not 4 KiB pages */
	const char *outdir;  /**< --out DIR (default bench/results; none in smoke mode) */
	const char *name;    /**< program name, e.g. "bench_pipeline" */
};

extern struct bench_opts bench_opts;
extern struct lr_worker *bench_w;         /**< the one worker */
extern struct rte_mempool *bench_pool;    /**< mbufs for input and output */

/**
 * Parse options, start EAL (--no-huge, memory in MiB), create the pool, interface
 * 198.18.0.2/24, worker 0 with the sink as tx_fn, ARP/IP/UDP layers, and learn
 * nb_peers peers 198.18.0.1, .3, .4 ... in ARP (one ARP request each).
 * ICMP errors are rate limited far above any benchmark rate.
 * @return 0, or -1 after printing why
 */
int bench_init(int argc, char **argv, const char *name, unsigned int mem_mb,
		unsigned int nb_mbufs, unsigned int nb_peers);

/** Tear down the layers and check that no mbuf leaked. @return 0 or -1 (leak) */
int bench_fini(void);

/** Release EAL and remove its runtime directory (last call of a program). */
void bench_exit(void);

/** Peer address i (host order): 198.18.0.1, then .3 .. .254. */
uint32_t bench_peer_ip(unsigned int i);

/* ------------------------------------------------------------------ sink */

/** Packets the sink has freed since start. */
extern uint64_t bench_sink_pkts;

/** Validator the sink applies to each frame while set (verification pass only). */
typedef bool (*bench_check_fn)(const struct rte_mbuf *m, void *arg);

/** Install (fn != NULL) or remove the validator; resets the bad-frame count. */
void bench_sink_check(bench_check_fn fn, void *arg);

/** Frames the validator rejected since bench_sink_check(). */
uint64_t bench_sink_bad(void);

/** The sink itself (the worker's tx_fn): counts, optionally validates, frees. */
uint16_t bench_sink(struct lr_worker *w, uint16_t port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n);

/* ----------------------------------------------------------- synthesis */

/** A frame template: bytes copied into each synthesised mbuf. */
struct bench_tmpl {
	uint16_t len;          /**< frame length */
	uint8_t bytes[2048];   /**< Ethernet frame */
};

/**
 * Allocate n mbufs and copy the template into each (the "frame copy" every case
 * pays). @return 0, or -1 if the pool is empty
 */
int bench_gen(const struct bench_tmpl *t, struct rte_mbuf **pkts, unsigned int n);

/** Build Ethernet+IPv4 headers (peer -> us) in t; @return the L4 header. */
void *bench_tmpl_ipv4(struct bench_tmpl *t, uint32_t src, uint32_t dst, uint8_t proto,
		uint16_t l4_len);

/** UDP datagram peer:sport -> us:dport with len payload bytes (checksummed). */
void bench_tmpl_udp(struct bench_tmpl *t, uint16_t sport, uint16_t dport, uint16_t len);

/**
 * TCP segment from (src, sport) to us:dport; opts may be NULL. Checksummed.
 */
void bench_tmpl_tcp(struct bench_tmpl *t, uint32_t src, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts, uint8_t optlen,
		uint16_t len);

/** RFC 1624 incremental update of a ones' complement checksum (any byte order). */
static inline uint16_t
bench_cksum_update16(uint16_t ck, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~ck + (uint16_t)~old + (uint32_t)new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/** Same for a 32-bit field. */
static inline uint16_t
bench_cksum_update32(uint16_t ck, uint32_t old, uint32_t new)
{
	ck = bench_cksum_update16(ck, (uint16_t)old, (uint16_t)new);
	return bench_cksum_update16(ck, (uint16_t)(old >> 16), (uint16_t)(new >> 16));
}

/** Feed a burst to the pipeline and run one poll-loop turn (TCP flush, tick, TX). */
void bench_rx(struct rte_mbuf **pkts, unsigned int n);

/** Sum of every drop counter (lr_stats and, with a shard, TCP). */
uint64_t bench_drops(void);

/* ---------------------------------------------------------------- timing */

/** One iteration: synthesise a burst and process it. */
typedef void (*bench_iter_fn)(void *arg);

/**
 * Run iters iterations BENCH_RUNS times (after one untimed warm-up of iters/4+1).
 * @param pkts_per_iter input packets per iteration
 * @return median cycles per input packet
 */
double bench_time(bench_iter_fn fn, void *arg, uint64_t iters, unsigned int pkts_per_iter);

/** @return TSC frequency in Hz */
uint64_t bench_hz(void);

/* --------------------------------------------------------------- results */

/** One line of the result table. */
struct bench_result {
	char name[64];      /**< case */
	char unit[16];      /**< "pkt" or "conn" ... what cycles are counted per */
	double cycles;      /**< median cycles per unit */
	double floor;       /**< baseline cycles per unit in the same run */
	double param;       /**< case parameter (connections for the scaling table), or 0 */
	double bytes;       /**< bytes per connection (conn table), or 0 */
	bool ok;            /**< output verified */
	char note[128];     /**< FAIL reason or remark */
};

/** Record a result (printed and written by bench_report). */
struct bench_result *bench_add(const char *name, const char *unit, double cycles, double floor);

/** Record a failure of a case (verification); it makes the program exit non-zero. */
void bench_fail(struct bench_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Print the table (case, cycles/unit, Mpps, baseline, net, ratio) and, outside smoke
 * mode, write <outdir>/<name>.json, <outdir>/<name>.tsv and append <outdir>/latest.md.
 * @param baseline_name what the baseline is, for the header
 * @return number of failed cases
 */
unsigned int bench_report(const char *baseline_name);

#endif /* LR_BENCH_COMMON_H */
