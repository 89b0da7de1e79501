/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table operations alone, at N entries: the shard's own table
 * (lib/tcp/tcp_conn_table.c) against the reference it replaced, an rte_hash set up
 * as the shard set it up (16-byte keys: the tuple padded, extendable buckets, hash
 * the tuple's three words jhashed under a random seed, data = the connection), both
 * holding the tuples of the same N established connections, in the same process.
 * The rounds alternate reference and ours for each operation (the machine is shared:
 * what one run loses to a neighbour, the next may not); each figure is the median of
 * the rounds.
 *
 * lookup: one key at a time in a scattered order (stride ~0.618 N), every answer
 * checked; bulk: the same in calls of 32 keys (rte_hash_lookup_bulk_data against
 * tcp_ctab_lookup_bulk); miss: keys not in the table; del then add: a quarter of the
 * keys (at most 256 Ki), scattered, deleted and added back, so each table is back
 * where it was.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp_internal.h"
#include "bench_table_ops.h"

#define ROUNDS 3
#define OPS_MAX (1u << 20)        /* lookups per timed run */
#define CHURN_MAX (1u << 18)      /* deletions (and additions) per timed run */
#define BULK 32

const char *const bench_top_names[BENCH_TOP_NB] = {
	[BENCH_TOP_LOOKUP] = "lookup",
	[BENCH_TOP_BULK] = "bulk lookup (32)",
	[BENCH_TOP_MISS] = "lookup, miss",
	[BENCH_TOP_DEL] = "delete",
	[BENCH_TOP_ADD] = "add",
};

/* The reference's key, as the shard had it: the tuple padded to 16 bytes. */
struct ref_key {
	struct tcp_key k;
	uint32_t zero;
};

struct tops_ctx {
	struct lr_tcp_shard *sh;
	struct rte_hash *ref;
	struct ref_key *keys;     /* n: connection i's tuple */
	struct ref_key *absent;   /* OPS_MAX tuples in neither table */
	uint32_t n, ops, churn;
	uint64_t stride;
	uint64_t wrong;           /* answers that were not the connection */
};

static uint32_t
ref_hash(const void *key, uint32_t len, uint32_t seed)
{
	const struct ref_key *rk = key;

	RTE_SET_USED(len);
	return rte_jhash_3words(rk->k.raddr, rk->k.laddr,
			(uint32_t)rk->k.rport << 16 | rk->k.lport, seed);
}

static inline uint32_t
at(const struct tops_ctx *x, uint64_t k)
{
	return (uint32_t)((k * x->stride) % x->n);
}

static uint64_t
ours_lookup(struct tops_ctx *x)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->ops; k++) {
		uint32_t i = at(x, k);

		x->wrong += tcp_conn_lookup(x->sh, &x->keys[i].k) != x->sh->slots[i];
	}
	return rte_rdtsc_precise() - t0;
}

static uint64_t
ref_lookup(struct tops_ctx *x)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->ops; k++) {
		uint32_t i = at(x, k);
		void *data = NULL;

		x->wrong += rte_hash_lookup_data(x->ref, &x->keys[i], &data) < 0 ||
			data != x->sh->slots[i];
	}
	return rte_rdtsc_precise() - t0;
}

static uint64_t
ours_bulk(struct tops_ctx *x)
{
	const struct tcp_key *kp[BULK];
	struct lr_tcp_conn *found[BULK];
	uint32_t idx[BULK], k, j;
	uint64_t t0 = rte_rdtsc_precise();

	for (k = 0; k + BULK <= x->ops; k += BULK) {
		for (j = 0; j < BULK; j++) {
			idx[j] = at(x, k + j);
			kp[j] = &x->keys[idx[j]].k;
		}
		tcp_ctab_lookup_bulk(&x->sh->table, kp, BULK, found);
		for (j = 0; j < BULK; j++)
			x->wrong += found[j] != x->sh->slots[idx[j]];
	}
	return rte_rdtsc_precise() - t0;
}

static uint64_t
ref_bulk(struct tops_ctx *x)
{
	const void *kp[BULK];
	void *found[BULK];
	uint32_t idx[BULK], k, j;
	uint64_t hits, t0 = rte_rdtsc_precise();

	for (k = 0; k + BULK <= x->ops; k += BULK) {
		for (j = 0; j < BULK; j++) {
			idx[j] = at(x, k + j);
			kp[j] = &x->keys[idx[j]];
		}
		hits = 0;
		if (rte_hash_lookup_bulk_data(x->ref, kp, BULK, &hits, found) < 0)
			hits = 0;
		for (j = 0; j < BULK; j++)
			x->wrong += !((hits >> j) & 1) || found[j] != x->sh->slots[idx[j]];
	}
	return rte_rdtsc_precise() - t0;
}

static uint64_t
ours_miss(struct tops_ctx *x)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->ops; k++)
		x->wrong += tcp_conn_lookup(x->sh, &x->absent[k].k) != NULL;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
ref_miss(struct tops_ctx *x)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->ops; k++)
		x->wrong += rte_hash_lookup(x->ref, &x->absent[k]) >= 0;
	return rte_rdtsc_precise() - t0;
}

/* Delete x->churn scattered keys, then add them back: cycles of each phase. */
static void
ours_churn(struct tops_ctx *x, uint64_t *del, uint64_t *add)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->churn; k++) {
		uint32_t i = at(x, k);

		x->wrong += tcp_ctab_del(&x->sh->table, &x->keys[i].k, i) != 0;
	}
	*del = rte_rdtsc_precise() - t0;
	t0 = rte_rdtsc_precise();
	for (k = 0; k < x->churn; k++) {
		uint32_t i = at(x, k);

		x->wrong += tcp_ctab_add(&x->sh->table, &x->keys[i].k, i) != 0;
	}
	*add = rte_rdtsc_precise() - t0;
}

static void
ref_churn(struct tops_ctx *x, uint64_t *del, uint64_t *add)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t k;

	for (k = 0; k < x->churn; k++)
		x->wrong += rte_hash_del_key(x->ref, &x->keys[at(x, k)]) < 0;
	*del = rte_rdtsc_precise() - t0;
	t0 = rte_rdtsc_precise();
	for (k = 0; k < x->churn; k++) {
		uint32_t i = at(x, k);

		x->wrong += rte_hash_add_key_data(x->ref, &x->keys[i], x->sh->slots[i]) != 0;
	}
	*add = rte_rdtsc_precise() - t0;
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

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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

static struct rte_hash *
ref_create(struct tops_ctx *x)
{
	struct rte_hash_parameters hp = { 0 };
	struct rte_hash *h;
	char name[32];
	uint32_t i;

	snprintf(name, sizeof(name), "bench_ref_%u", x->n);
	hp.name = name;
	hp.entries = RTE_MAX(x->n, 8u);
	hp.key_len = sizeof(struct ref_key);
	hp.hash_func = ref_hash;
	hp.hash_func_init_val = (uint32_t)rte_rand();
	hp.socket_id = (int)rte_socket_id();
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	h = rte_hash_create(&hp);
	if (h == NULL)
		return NULL;
	for (i = 0; i < x->n; i++)
		if (rte_hash_add_key_data(h, &x->keys[i], x->sh->slots[i]) != 0) {
			rte_hash_free(h);
			return NULL;
		}
	return h;
}

static void
run_rounds(struct tops_ctx *x, struct bench_tops *out)
{
	double r[BENCH_TOP_NB][2][ROUNDS];
	uint64_t del, add;
	unsigned int round, op, side;

	for (round = 0; round < ROUNDS; round++) {
		r[BENCH_TOP_LOOKUP][1][round] = (double)ref_lookup(x) / x->ops;
		r[BENCH_TOP_LOOKUP][0][round] = (double)ours_lookup(x) / x->ops;
		r[BENCH_TOP_BULK][1][round] = (double)ref_bulk(x) / (x->ops / BULK * BULK);
		r[BENCH_TOP_BULK][0][round] = (double)ours_bulk(x) / (x->ops / BULK * BULK);
		r[BENCH_TOP_MISS][1][round] = (double)ref_miss(x) / x->ops;
		r[BENCH_TOP_MISS][0][round] = (double)ours_miss(x) / x->ops;
		ref_churn(x, &del, &add);
		r[BENCH_TOP_DEL][1][round] = (double)del / x->churn;
		r[BENCH_TOP_ADD][1][round] = (double)add / x->churn;
		ours_churn(x, &del, &add);
		r[BENCH_TOP_DEL][0][round] = (double)del / x->churn;
		r[BENCH_TOP_ADD][0][round] = (double)add / x->churn;
	}
	for (op = 0; op < BENCH_TOP_NB; op++)
		for (side = 0; side < 2; side++) {
			qsort(r[op][side], ROUNDS, sizeof(double), cmp_double);
			if (side == 0)
				out->ours[op] = r[op][side][ROUNDS / 2];
			else
				out->ref[op] = r[op][side][ROUNDS / 2];
		}
}

int
bench_table_ops(struct lr_tcp_shard *sh, uint32_t n, struct bench_tops *out, char *err,
		size_t errlen)
{
	struct tops_ctx x = { .sh = sh, .n = n };
	size_t before;
	uint32_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	x.ops = RTE_MIN(n, OPS_MAX);
	x.churn = RTE_MAX(RTE_MIN(n / 4, CHURN_MAX), 1u);
	x.stride = (uint64_t)(n * 0.6180339887) | 1;
	while (gcd(x.stride, n) != 1) /* a permutation: the deleted keys are distinct */
		x.stride += 2;
	x.keys = calloc(n, sizeof(*x.keys));
	x.absent = calloc(x.ops, sizeof(*x.absent));
	if (x.keys == NULL || x.absent == NULL) {
		snprintf(err, errlen, "table ops: no memory for %u keys", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i >= sh->slot_hi || sh->slots[i] == NULL) {
			snprintf(err, errlen, "table ops: slot %u empty", i);
			goto out;
		}
		x.keys[i].k = sh->slots[i]->key;
	}
	/* from peers no connection came from (198.19.x.x) */
	for (i = 0; i < x.ops; i++) {
		x.absent[i].k = x.keys[i % n].k;
		x.absent[i].k.raddr = rte_cpu_to_be_32(0xc6130000u + i / 64);
	}
	before = heap_used();
	x.ref = ref_create(&x);
	if (x.ref == NULL) {
		snprintf(err, errlen, "table ops: rte_hash for %u keys: %s", n,
				rte_strerror(rte_errno));
		goto out;
	}
	out->ref_bytes = (double)(heap_used() - before) / n;
	run_rounds(&x, out);
	if (x.wrong != 0 || sh->table.nb != n)
		snprintf(err, errlen, "table ops: %" PRIu64 " wrong answers, %u entries (want %u)",
				x.wrong, sh->table.nb, n);
	else
		rc = 0;
out:
	rte_hash_free(x.ref);
	free(x.keys);
	free(x.absent);
	return rc;
}
