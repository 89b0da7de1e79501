/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ip/ip_id.c: IPv4 ids from hashed counters (RFC 6864, RFC 7739), shared by the
 * workers for non-atomic datagrams, per worker for atomic ones.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "ip_internal.h"
#include "lr_test.h"

#define DST(i) rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 100 + (i)))
#define SRC rte_cpu_to_be_32(LR_TEST_OUR_IP)

/* Non-atomic datagrams to one host take unique ids whichever worker sends them:
 * alternating two workers, the ids still count up by one. */
static void
test_ip_id_non_atomic_shared_across_workers(void)
{
	struct lr_ip_worker *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint16_t id0, id;
	unsigned int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	lr_ip_id_worker_init(a);
	lr_ip_id_worker_init(b);
	id0 = lr_ip_id_select(a, DST(0), SRC, IPPROTO_UDP, false);
	for (i = 1; i < 100; i++) {
		id = lr_ip_id_select(i % 2 ? b : a, DST(0), SRC, IPPROTO_UDP, false);
		CU_ASSERT_EQUAL(id, (uint16_t)(id0 + i));
	}
	free(a);
	free(b);
}

/* Atomic datagrams use the worker's own counters: another worker's traffic to the
 * same host does not move them. */
static void
test_ip_id_atomic_per_worker(void)
{
	struct lr_ip_worker *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint16_t id0;
	unsigned int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	lr_ip_id_worker_init(a);
	lr_ip_id_worker_init(b);
	id0 = lr_ip_id_select(a, DST(1), SRC, IPPROTO_TCP, true);
	for (i = 0; i < 10; i++)
		lr_ip_id_select(b, DST(1), SRC, IPPROTO_TCP, true);
	CU_ASSERT_EQUAL(lr_ip_id_select(a, DST(1), SRC, IPPROTO_TCP, true), (uint16_t)(id0 + 1));
	free(a);
	free(b);
}

/* Counters start at random: ids toward 64 hosts are not one small range, and the
 * first ids of two workers differ (a fixed start would let an observer count). */
static void
test_ip_id_counters_seeded_at_random(void)
{
	struct lr_ip_worker *a = calloc(1, sizeof(*a));
	uint16_t lo = UINT16_MAX, hi = 0, id;
	unsigned int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	lr_ip_id_worker_init(a);
	for (i = 0; i < 64; i++) {
		id = lr_ip_id_select(a, DST(i), SRC, IPPROTO_ICMP, false);
		lo = RTE_MIN(lo, id);
		hi = RTE_MAX(hi, id);
	}
	CU_ASSERT(hi - lo > 1000);  /* 64 random 16-bit values span far more */
	free(a);
}

/* A worker keeps its recent counter picks (id_cache). With 600 (destination,
 * protocol) pairs, about ten per cache slot, entries are replaced and found again,
 * and every pick is still the hashed counter of its own pair: worker b, whose cache
 * is emptied before each pick so that it always hashes, gets the next id. */
static void
test_ip_id_cache_picks_the_hashed_counter(void)
{
	struct lr_ip_worker *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	static const uint8_t proto[2] = { IPPROTO_UDP, IPPROTO_ICMP };
	unsigned int r, i, bad = 0;
	rte_be32_t dst;
	uint16_t id;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	lr_ip_id_worker_init(a);
	lr_ip_id_worker_init(b);
	for (r = 0; r < 3; r++)
		for (i = 0; i < 600; i++) {
			dst = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 1 + i / 300, 1 + i % 300 / 2));
			id = lr_ip_id_select(a, dst, SRC, proto[i % 2], false);
			memset(b->id_cache, 0, sizeof(b->id_cache));
			bad += lr_ip_id_select(b, dst, SRC, proto[i % 2], false) !=
					(uint16_t)(id + 1);
		}
	CU_ASSERT_EQUAL(bad, 0);
	free(a);
	free(b);
}

static const CU_TestInfo cases[] = {
	{"test_ip_id_non_atomic_shared_across_workers",
		test_ip_id_non_atomic_shared_across_workers},
	{"test_ip_id_atomic_per_worker", test_ip_id_atomic_per_worker},
	{"test_ip_id_counters_seeded_at_random", test_ip_id_counters_seeded_at_random},
	{"test_ip_id_cache_picks_the_hashed_counter", test_ip_id_cache_picks_the_hashed_counter},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"ip_id", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
