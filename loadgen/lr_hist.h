/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Latency histogram, log-linear in integers (2^LR_HIST_SUB_BITS linear sub-buckets per
 * power of two, values 0 .. 2^32-1). Header only and DPDK-free: the load generator and
 * the Linux baseline client (bench/e2e/epoll_client.c) share these very buckets, so
 * their percentiles compare exactly.
 */
#ifndef LR_HIST_H
#define LR_HIST_H

#include <stdint.h>

#define LR_HIST_SUB_BITS 7           /**< linear sub-buckets per power of two (log2) */
#define LR_HIST_BUCKETS ((32 - LR_HIST_SUB_BITS + 1) << LR_HIST_SUB_BITS) /**< counters */

/** The bucket of value v (values above 2^32-1 go to the last one). */
static inline uint32_t
lr_hist_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v >= (1ULL << 32))
		v = (1ULL << 32) - 1;
	if (v < 2u << LR_HIST_SUB_BITS)
		return (uint32_t)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - LR_HIST_SUB_BITS;
	return (shift << LR_HIST_SUB_BITS) + (uint32_t)(v >> shift);
}

/** The highest value that falls in bucket idx. */
static inline uint64_t
lr_hist_value(uint32_t idx)
{
	uint32_t shift, top;

	if (idx < 2u << LR_HIST_SUB_BITS)
		return idx;
	shift = (idx >> LR_HIST_SUB_BITS) - 1;
	top = idx - (shift << LR_HIST_SUB_BITS);
	return ((uint64_t)top << shift) + (1ULL << shift) - 1;
}

/**
 * Percentile of a histogram of LR_HIST_BUCKETS counters holding total samples.
 * @param pp per hundred thousand (50000 = p50, 99900 = p99.9)
 * @return the upper bound of the bucket holding that rank, 0 when empty
 */
static inline uint64_t
lr_hist_percentile(const uint64_t *hist, uint64_t total, uint32_t pp)
{
	uint64_t rank, seen = 0;
	uint32_t i;

	if (total == 0)
		return 0;
	rank = (total * pp + 99999) / 100000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < LR_HIST_BUCKETS; i++) {
		seen += hist[i];
		if (seen >= rank)
			return lr_hist_value(i);
	}
	return lr_hist_value(LR_HIST_BUCKETS - 1);
}

#endif /* LR_HIST_H */
