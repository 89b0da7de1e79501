/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A population of synthesised TCP connections for the benchmarks: connection i comes
 * from peer i % BENCH_CONN_PEERS (198.18.0.1, .3 .. .254) and source port
 * BENCH_CONN_PORT_BASE + i / BENCH_CONN_PEERS, and is opened by synthesised
 * handshakes (SYN in, our SYN-ACK to the sink, ACK in).
 */
#ifndef LR_BENCH_CONNS_H
#define LR_BENCH_CONNS_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "bench_common.h"

#define BENCH_CONN_PEERS 253      /**< peers of the population (bench_init nb_peers) */
#define BENCH_CONN_PORT_BASE 1024 /**< source port of connections 0..252 */

/** Patch connection i's source address and port into frame m (incremental checksums). */
void bench_conn_patch(struct rte_mbuf *m, uint32_t i);

/** Synthesise n frames from t, each carrying the tuple of connections first.. */
int bench_conn_gen(const struct bench_tmpl *t, struct rte_mbuf **pkts, uint32_t first,
		unsigned int n);

/**
 * Open connections 0..n-1 to our port lport (a listener must be there): per burst the
 * SYNs (sequence peer_isn, MSS 1460), then the ACKs of our SYN-ACKs (our ISN must be
 * our_isn, e.g. a fixed isn_fn).
 * @return 0, or -1 if the mbuf pool ran empty
 */
int bench_conn_open(uint32_t n, uint16_t lport, uint32_t peer_isn, uint32_t our_isn);

#endif /* LR_BENCH_CONNS_H */
