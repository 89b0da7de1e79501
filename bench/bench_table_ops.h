/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Connection table operations alone (bench_conn_table): the shard's table against
 * rte_hash set up as the shard used it before (bench_table_ops.c).
 */
#ifndef LR_BENCH_TABLE_OPS_H
#define LR_BENCH_TABLE_OPS_H

#include <stddef.h>
#include <stdint.h>

struct lr_tcp_shard;

/** Operations timed, cycles per operation. */
enum bench_top {
	BENCH_TOP_LOOKUP,      /**< one key, a hit, scattered order */
	BENCH_TOP_BULK,        /**< 32 keys a call, hits */
	BENCH_TOP_MISS,        /**< one key not in the table */
	BENCH_TOP_DEL,         /**< delete a quarter of the keys, scattered */
	BENCH_TOP_ADD,         /**< add them back */
	BENCH_TOP_NB,
};

extern const char *const bench_top_names[BENCH_TOP_NB];

/** Cycles per operation, ours and the rte_hash reference, medians of the rounds. */
struct bench_tops {
	double ours[BENCH_TOP_NB];
	double ref[BENCH_TOP_NB];
	double ref_bytes;      /**< rte_malloc heap the reference table took, per key */
};

/**
 * Time the table operations on the n connections of sh (slots 0 .. n - 1 all in use)
 * and on an rte_hash holding the same tuples, alternated round by round. The shard's
 * table holds the same entries afterwards.
 * @return 0, or -1 with a reason in err (a wrong answer, no memory)
 */
int bench_table_ops(struct lr_tcp_shard *sh, uint32_t n, struct bench_tops *out, char *err,
		size_t errlen);

#endif /* LR_BENCH_TABLE_OPS_H */
