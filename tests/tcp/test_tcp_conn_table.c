/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn_table.c: the shard's 4-tuple table. A table of its own over a local slot
 * array (add, find, delete, full, keys aimed at one bucket and one tag, bulk lookup
 * against single lookups, the tag compare against its scalar form, the keyed hash),
 * then the shard's table through tcp_conn_new() and tcp_conn_free() (filled to
 * max_conns with keys sharing a bucket, slots reused).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "tcp_test.h"

#define MAX 64                    /* entries: 16 buckets of 8 ways */

static struct lr_tcp_conn blocks[MAX + 1];
static struct lr_tcp_conn *slots[MAX + 1];
static struct tcp_ctab tab;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static void
tab_setup(void)
{
	unsigned int i;

	memset(&tab, 0, sizeof(tab));
	CU_ASSERT_EQUAL_FATAL(tcp_ctab_init(&tab, MAX, slots, SOCKET_ID_ANY), 0);
	for (i = 0; i < RTE_DIM(slots); i++)
		slots[i] = &blocks[i];
}

static struct tcp_key
key_of(uint32_t peer, uint16_t port)
{
	struct tcp_key k = { .raddr = rte_cpu_to_be_32(peer),
		.laddr = rte_cpu_to_be_32(LR_TEST_OUR_IP), .rport = rte_cpu_to_be_16(port),
		.lport = RTE_BE16(80) };

	return k;
}

/*
 * n distinct keys whose home bucket under t is bucket (and whose tag is tag, unless
 * tag is 0): what a peer knowing the table's seed would send.
 */
static void
aim_keys(const struct tcp_ctab *t, uint32_t bucket, uint16_t tag, struct tcp_key *out,
		unsigned int n)
{
	uint32_t peer = RTE_IPV4(198u, 18, 1, 0), port = 1;
	unsigned int got = 0;
	uint16_t g;

	while (got < n) {
		struct tcp_key k = key_of(peer, (uint16_t)port);

		if ((tcp_ctab_hash(t, &k, &g) & t->mask) == bucket && (tag == 0 || g == tag))
			out[got++] = k;
		if (++port == 65536) {
			port = 1;
			peer++;
		}
	}
}

static void
check_found(const struct tcp_ctab *t, const struct tcp_key *keys, const bool *in,
		unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct lr_tcp_conn *c = tcp_ctab_lookup(t, &keys[i]);

		CU_ASSERT_PTR_EQUAL(c, in[i] ? &blocks[i] : NULL);
	}
}

/* An emptied table has no tag and no overflow count left. */
static void
check_empty(const struct tcp_ctab *t)
{
	unsigned int i, w, left = 0;

	for (i = 0; i <= t->mask; i++) {
		left += t->bkt[i].ovf != 0;
		for (w = 0; w < TCP_CTAB_WAYS; w++)
			left += t->bkt[i].tag[w] != 0;
	}
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL(t->nb, 0);
}

/* Sized at or below half full; found after add, gone after delete, once. */
static void
test_tcp_conn_table_add_find_delete(void)
{
	struct tcp_key k[3] = { key_of(LR_TEST_PEER_IP, 40000), key_of(LR_TEST_PEER_IP, 40001),
		key_of(LR_TEST_PEER_IP + 1, 40000) };
	struct tcp_key absent = key_of(LR_TEST_PEER_IP, 40002);
	unsigned int i;

	tab_setup();
	CU_ASSERT_EQUAL((tab.mask + 1) * TCP_CTAB_WAYS, 2 * MAX);
	CU_ASSERT_EQUAL(((uintptr_t)tab.bkt) % RTE_CACHE_LINE_SIZE, 0);
	for (i = 0; i < 3; i++) {
		blocks[i].key = k[i];
		CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
	}
	CU_ASSERT_EQUAL(tab.nb, 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_PTR_EQUAL(tcp_ctab_lookup(&tab, &k[i]), &blocks[i]);
	CU_ASSERT_PTR_NULL(tcp_ctab_lookup(&tab, &absent));
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[1], 1), 0);
	CU_ASSERT_PTR_NULL(tcp_ctab_lookup(&tab, &k[1]));
	CU_ASSERT_PTR_EQUAL(tcp_ctab_lookup(&tab, &k[0]), &blocks[0]);
	CU_ASSERT_PTR_EQUAL(tcp_ctab_lookup(&tab, &k[2]), &blocks[2]);
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[1], 1), -ENOENT);
	/* the entry is the slot's: another slot index for the same key is not it */
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[0], 2), -ENOENT);
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[0], 0), 0);
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[2], 2), 0);
	check_empty(&tab);
	tcp_ctab_fini(&tab);
	CU_ASSERT_EQUAL(tcp_ctab_init(&tab, 0, slots, SOCKET_ID_ANY), -EINVAL);
}

/* max entries go in, one more does not; a deletion makes room again. */
static void
test_tcp_conn_table_full(void)
{
	struct tcp_key k[MAX + 1];
	bool in[MAX + 1];
	unsigned int i;

	tab_setup();
	for (i = 0; i <= MAX; i++) {
		k[i] = key_of(LR_TEST_PEER_IP, (uint16_t)(1024 + i));
		blocks[i].key = k[i];
		in[i] = i < MAX;
	}
	for (i = 0; i < MAX; i++)
		CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
	CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[MAX], MAX), -ENOSPC);
	check_found(&tab, k, in, MAX + 1);
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[7], 7), 0);
	CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[MAX], MAX), 0);
	in[7] = false;
	in[MAX] = true;
	check_found(&tab, k, in, MAX + 1);
	tcp_ctab_fini(&tab);
}

/*
 * Keys aimed at one bucket, the last (its probe wraps to bucket 0): all max of them
 * go in (eight buckets' worth of one chain), every one is found, a key of the same
 * bucket that is not in is not; then 4000 random deletions and insertions, checked
 * against a model after each; emptied, no count is left behind.
 */
static void
test_tcp_conn_table_adversarial_bucket_fill(void)
{
	struct tcp_key k[MAX + 1];
	bool in[MAX + 1] = { false };
	unsigned int i, op, nb = 0;

	tab_setup();
	aim_keys(&tab, tab.mask, 0, k, MAX + 1);
	for (i = 0; i <= MAX; i++)
		blocks[i].key = k[i];
	for (i = 0; i < MAX; i++) {
		CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
		in[i] = true;
	}
	CU_ASSERT_EQUAL(tab.bkt[tab.mask].ovf, MAX - TCP_CTAB_WAYS);
	CU_ASSERT_EQUAL(tab.bkt[0].tag[0] != 0, true); /* wrapped */
	check_found(&tab, k, in, MAX + 1);
	CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[MAX], MAX), -ENOSPC);
	nb = MAX;
	for (op = 0; op < 4000; op++) {
		i = rnd() % (MAX + 1);
		if (in[i]) {
			CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[i], i), 0);
			in[i] = false;
			nb--;
		} else if (nb < MAX) {
			CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
			in[i] = true;
			nb++;
		} else {
			CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), -ENOSPC);
		}
		CU_ASSERT_EQUAL(tab.nb, nb);
		if (op % 16 == 0)
			check_found(&tab, k, in, MAX + 1);
	}
	check_found(&tab, k, in, MAX + 1);
	for (i = 0; i <= MAX; i++)
		if (in[i])
			CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[i], i), 0);
	check_empty(&tab);
	tcp_ctab_fini(&tab);
}

/* Keys sharing bucket and tag: the tag matches, the connection's key decides. */
static void
test_tcp_conn_table_same_tag_key_decides(void)
{
	struct tcp_key k[4];
	bool in[4] = { true, false, true, true };
	unsigned int i;

	tab_setup();
	aim_keys(&tab, 3, 0x1234, k, 4);
	for (i = 0; i < 4; i++)
		blocks[i].key = k[i];
	for (i = 0; i < 4; i++)
		if (in[i])
			CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
	check_found(&tab, k, in, 4);
	CU_ASSERT_EQUAL(tcp_ctab_match(&tab.bkt[3], 0x1234), 0x7);
	CU_ASSERT_EQUAL(tcp_ctab_del(&tab, &k[2], 2), 0);
	in[2] = false;
	check_found(&tab, k, in, 4);
	tcp_ctab_fini(&tab);
}

/*
 * The bulk lookup answers what one lookup per key answers, for keys found at the
 * first tag match, further in the chain, past a same-tag entry, or absent, in runs
 * longer than one pass.
 */
static void
test_tcp_conn_table_bulk_equals_single(void)
{
	struct tcp_key k[MAX + 1], tagk[3], all[3 * (MAX + 1)];
	const struct tcp_key *keys[RTE_DIM(all)];
	struct lr_tcp_conn *found[RTE_DIM(all)];
	unsigned int i, n = 0, hits = 0;

	tab_setup();
	/* 40 keys on bucket 5 (a chain of five buckets), 20 anywhere */
	aim_keys(&tab, 5, 0, k, 40);
	for (i = 40; i <= MAX; i++)
		k[i] = key_of(LR_TEST_PEER_IP + 7, (uint16_t)(2000 + i));
	for (i = 0; i < 60; i++) {
		blocks[i].key = k[i];
		CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &k[i], i), 0);
	}
	/* on bucket 12 (off the chain), one tag: the second is found past the first,
	 * the third is not */
	aim_keys(&tab, 12, 0x4321, tagk, 3);
	blocks[60].key = tagk[0];
	blocks[61].key = tagk[1];
	CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &tagk[0], 60), 0);
	CU_ASSERT_EQUAL(tcp_ctab_add(&tab, &tagk[1], 61), 0);
	for (i = 0; i <= MAX; i++)
		all[n++] = k[(i * 37) % (MAX + 1)];
	for (i = 0; i < 3; i++)
		all[n++] = tagk[i];
	for (; n < RTE_DIM(all); n++) /* absent */
		all[n] = key_of(LR_TEST_PEER_IP + 9, (uint16_t)(3000 + n));
	for (i = 0; i < n; i++)
		keys[i] = &all[i];
	tcp_ctab_lookup_bulk(&tab, keys, n, found);
	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_EQUAL(found[i], tcp_ctab_lookup(&tab, keys[i]));
		hits += found[i] != NULL;
	}
	CU_ASSERT_EQUAL(hits, 60 + 2);
	CU_ASSERT_PTR_EQUAL(found[MAX + 1 + 1], &blocks[61]);
	CU_ASSERT_PTR_NULL(found[MAX + 1 + 2]);
	tcp_ctab_fini(&tab);
}

/* The SSE2 compare sees what the scalar loop sees, free ways (tag 0) included. */
static void
test_tcp_conn_table_simd_match_equals_scalar(void)
{
	static struct tcp_ctab_bucket b;
	unsigned int i, w, differ = 0, any = 0;

	for (i = 0; i < 20000; i++) {
		uint16_t tag = (uint16_t)(rnd() % 4);

		for (w = 0; w < TCP_CTAB_WAYS; w++)
			b.tag[w] = (uint16_t)(rnd() % 4 == 0 ? 0 : rnd() % 4);
		if (i % 7 == 0)
			b.tag[rnd() % TCP_CTAB_WAYS] = 0xffff; /* all bits: no sign trouble */
		if (i % 11 == 0)
			tag = 0xffff;
		differ += tcp_ctab_match(&b, tag) != tcp_ctab_match_scalar(&b, tag);
		any += tcp_ctab_match(&b, tag) != 0;
	}
	CU_ASSERT_EQUAL(differ, 0);
	CU_ASSERT(any > 10000);
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(tcp_ctab_match(&b, 0), 0xff);
	b.tag[7] = 0x8000;
	CU_ASSERT_EQUAL(tcp_ctab_match(&b, 0x8000), 0x80);
}

/* The hash: every field of the 4-tuple counts, tuples a port apart spread over the
 * buckets, tags are never 0, and each table draws its own seed. */
static void
test_tcp_conn_table_hash_tuple_and_seed(void)
{
	struct tcp_key k = key_of(LR_TEST_PEER_IP, 40000), k2;
	struct tcp_ctab other;
	static uint32_t per_bucket[16];
	uint32_t base;
	unsigned int i, worst = 0;
	uint16_t tag, tag2;

	tab_setup();
	base = tcp_ctab_hash(&tab, &k, &tag);
	k2 = k;
	k2.raddr ^= RTE_BE32(1);
	CU_ASSERT_NOT_EQUAL(tcp_ctab_hash(&tab, &k2, &tag2), base);
	k2 = k;
	k2.laddr ^= RTE_BE32(1);
	CU_ASSERT_NOT_EQUAL(tcp_ctab_hash(&tab, &k2, &tag2), base);
	k2 = k;
	k2.rport ^= RTE_BE16(1);
	CU_ASSERT_NOT_EQUAL(tcp_ctab_hash(&tab, &k2, &tag2), base);
	k2 = k;
	k2.lport ^= RTE_BE16(1);
	CU_ASSERT_NOT_EQUAL(tcp_ctab_hash(&tab, &k2, &tag2), base);
	for (i = 0; i < 1600; i++) {
		k2 = key_of(LR_TEST_PEER_IP, (uint16_t)(1024 + i));
		per_bucket[tcp_ctab_hash(&tab, &k2, &tag2) & tab.mask]++;
		CU_ASSERT_NOT_EQUAL(tag2, 0);
	}
	for (i = 0; i < RTE_DIM(per_bucket); i++)
		worst = RTE_MAX(worst, per_bucket[i]);
	CU_ASSERT(worst < 160); /* 100 expected per bucket */
	memset(&other, 0, sizeof(other));
	CU_ASSERT_EQUAL_FATAL(tcp_ctab_init(&other, MAX, slots, SOCKET_ID_ANY), 0);
	/* a new table, a new seed: the same tuple hashes elsewhere (2^-32 to fail) */
	CU_ASSERT_NOT_EQUAL(tcp_ctab_hash(&other, &k, &tag2), base);
	tcp_ctab_fini(&other);
	tcp_ctab_fini(&tab);
}

/* The shard's table through the connection calls: max_conns connections whose
 * tuples share a bucket all open, one more does not; freed ones leave the table at
 * once, and their slots go to the next connections, which the table finds. */
static void
test_tcp_conn_table_shard_fill_aimed_and_slot_reuse(void)
{
	struct lr_tcp_shard *sh = lr_tw->tcp;
	struct lr_tcp_conn *c[MAX];
	struct tcp_key k[MAX + 8];
	uint32_t freed[8];
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(tt_conf.max_conns, MAX);
	aim_keys(&sh->table, 2, 0, k, MAX + 8);
	for (i = 0; i < MAX; i++) {
		c[i] = tcp_conn_new(lr_tw, &k[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
	}
	CU_ASSERT_PTR_NULL(tcp_conn_new(lr_tw, &k[MAX]));
	for (i = 0; i < MAX; i++)
		CU_ASSERT_PTR_EQUAL(tcp_conn_lookup(sh, &k[i]), c[i]);
	for (i = 0; i < 8; i++) {
		freed[i] = c[i * 5]->slot;
		tcp_conn_free(c[i * 5]);
		CU_ASSERT_PTR_NULL(tcp_conn_lookup(sh, &k[i * 5]));
	}
	tcp_conn_reap(sh);
	for (i = 0; i < 8; i++) {
		struct lr_tcp_conn *n = tcp_conn_new(lr_tw, &k[MAX + i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_EQUAL(n->slot, freed[7 - i]); /* the freed slots, last first */
		CU_ASSERT_PTR_EQUAL(sh->slots[n->slot], n);
		CU_ASSERT_PTR_EQUAL(tcp_conn_lookup(sh, &k[MAX + i]), n);
	}
	CU_ASSERT_EQUAL(sh->slot_hi, MAX);
	CU_ASSERT_EQUAL(sh->table.nb, MAX);
	for (i = 0; i < MAX; i++)
		if (i % 5 != 0 || i >= 40)
			CU_ASSERT_PTR_EQUAL(tcp_conn_lookup(sh, &k[i]), c[i]);
	tt_reinit();
}

/* The tag is not made of the bucket's bits: keys sharing a bucket of a table with
 * 2^18 buckets (more bucket bits than 16) still differ in any two bits of the tag. */
static void
test_tcp_conn_table_tag_independent_of_bucket(void)
{
	struct tcp_ctab big;
	struct tcp_key k[16];
	unsigned int i, same = 0;
	uint16_t tag0, tag;

	memset(&big, 0, sizeof(big));
	CU_ASSERT_EQUAL_FATAL(tcp_ctab_init(&big, 1u << 20, slots, SOCKET_ID_ANY), 0);
	CU_ASSERT_EQUAL(big.mask, (1u << 18) - 1);
	aim_keys(&big, 12345, 0, k, RTE_DIM(k));
	tcp_ctab_hash(&big, &k[0], &tag0);
	for (i = 1; i < RTE_DIM(k); i++) {
		tcp_ctab_hash(&big, &k[i], &tag);
		same += (tag & 3) == (tag0 & 3);
	}
	CU_ASSERT(same < RTE_DIM(k) - 1); /* 4^-15 to fail by chance */
	tcp_ctab_fini(&big);
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_conn_table_add_find_delete", test_tcp_conn_table_add_find_delete },
	{ "test_tcp_conn_table_full", test_tcp_conn_table_full },
	{ "test_tcp_conn_table_adversarial_bucket_fill",
		test_tcp_conn_table_adversarial_bucket_fill },
	{ "test_tcp_conn_table_same_tag_key_decides", test_tcp_conn_table_same_tag_key_decides },
	{ "test_tcp_conn_table_bulk_equals_single", test_tcp_conn_table_bulk_equals_single },
	{ "test_tcp_conn_table_simd_match_equals_scalar",
		test_tcp_conn_table_simd_match_equals_scalar },
	{ "test_tcp_conn_table_hash_tuple_and_seed", test_tcp_conn_table_hash_tuple_and_seed },
	{ "test_tcp_conn_table_tag_independent_of_bucket",
		test_tcp_conn_table_tag_independent_of_bucket },
	{ "test_tcp_conn_table_shard_fill_aimed_and_slot_reuse",
		test_tcp_conn_table_shard_fill_aimed_and_slot_reuse },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_conn_table", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
