/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shard's connection table (layout and probing: tcp_conn_table.h).
 *
 * Why not rte_hash (bench/README.md, "A connection table of our own"): the shard
 * has one writer and no readers elsewhere, so rte_hash's cuckoo displacement, its
 * key store (a second cache line per lookup, 32 bytes a key), its free-slot ring and
 * its extendable-bucket list cost instructions and memory that buy nothing here: the
 * connection block already holds the key and its slot index. rte_hash stays for ARP.
 *
 * Capacity: buckets are the power of two at or above max / 4, eight ways each, so a
 * table holding max entries is at most half full, and an insert probes on (wrapping)
 * until a free way: it cannot fail while fewer than max entries are in. A search
 * ends at the first bucket whose overflow count is 0, or after every bucket (after
 * deletions every bucket may keep a count while most ways are free).
 */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#include "tcp_internal.h"

int
tcp_ctab_init(struct tcp_ctab *t, uint32_t max, struct lr_tcp_conn *const *slots, int socket)
{
	uint64_t nbkt = 1;

	if (max == 0 || max > (1u << 31))
		return -EINVAL;
	while (nbkt * TCP_CTAB_LOAD_DIV < max)
		nbkt <<= 1;
	t->bkt = rte_zmalloc_socket("lr_tcp_ctab", nbkt * sizeof(*t->bkt), RTE_CACHE_LINE_SIZE,
			socket);
	if (t->bkt == NULL)
		return -ENOMEM;
	t->slots = slots;
	t->mask = (uint32_t)(nbkt - 1);
	t->nb = 0;
	t->max = max;
	t->seed[0] = (uint32_t)rte_rand();
	t->seed[1] = (uint32_t)rte_rand();
	return 0;
}

void
tcp_ctab_fini(struct tcp_ctab *t)
{
	rte_free(t->bkt);
	t->bkt = NULL;
	t->nb = 0;
}

/* The search of key from its home bucket h & mask. */
static inline struct lr_tcp_conn *
ctab_find(const struct tcp_ctab *t, const struct tcp_key *key, uint32_t h, uint16_t tag)
{
	uint32_t i = h & t->mask, n;

	for (n = 0; n <= t->mask; n++) {
		const struct tcp_ctab_bucket *b = &t->bkt[i];
		unsigned int m;

		for (m = tcp_ctab_match(b, tag); m != 0; m &= m - 1) {
			struct lr_tcp_conn *c = t->slots[b->idx[rte_bsf32(m)]];

			if (tcp_key_eq(&c->key, key))
				return c;
		}
		if (b->ovf == 0)
			break;
		i = (i + 1) & t->mask;
	}
	return NULL;
}

/* flatten: the hash inlined (GCC keeps rte_jhash_32b_2hashes() a call otherwise,
 * ~10 instructions more a hash) */
__attribute__((flatten)) struct lr_tcp_conn *
tcp_ctab_lookup(const struct tcp_ctab *t, const struct tcp_key *key)
{
	uint16_t tag;
	uint32_t h = tcp_ctab_hash(t, key, &tag);

	return ctab_find(t, key, h, tag);
}

/* Up to TCP_CTAB_BULK_MAX keys, in four passes so that the misses of each pass
 * (bucket, slot, connection line) overlap across the keys. */
__attribute__((flatten)) static void
ctab_lookup_bulk(const struct tcp_ctab *t, const struct tcp_key *const *keys, unsigned int n,
		struct lr_tcp_conn **found)
{
	uint32_t h[TCP_CTAB_BULK_MAX];
	uint16_t tag[TCP_CTAB_BULK_MAX];
	uint8_t m[TCP_CTAB_BULK_MAX];
	unsigned int i;

	for (i = 0; i < n; i++) {
		h[i] = tcp_ctab_hash(t, keys[i], &tag[i]);
		rte_prefetch0(&t->bkt[h[i] & t->mask]);
	}
	for (i = 0; i < n; i++) {
		const struct tcp_ctab_bucket *b = &t->bkt[h[i] & t->mask];

		m[i] = (uint8_t)tcp_ctab_match(b, tag[i]);
		if (m[i] != 0)
			rte_prefetch0(&t->slots[b->idx[rte_bsf32(m[i])]]);
	}
	for (i = 0; i < n; i++) {
		const struct tcp_ctab_bucket *b = &t->bkt[h[i] & t->mask];

		found[i] = NULL;
		if (m[i] != 0) {
			found[i] = t->slots[b->idx[rte_bsf32(m[i])]];
			rte_prefetch0(found[i]);
		}
	}
	for (i = 0; i < n; i++) {
		const struct tcp_ctab_bucket *b = &t->bkt[h[i] & t->mask];

		/* the first tag match is the usual answer; anything else searches */
		if (m[i] != 0 && tcp_key_eq(&found[i]->key, keys[i]))
			continue;
		found[i] = m[i] == 0 && b->ovf == 0 ? NULL : ctab_find(t, keys[i], h[i], tag[i]);
	}
}

void
tcp_ctab_lookup_bulk(const struct tcp_ctab *t, const struct tcp_key *const *keys,
		unsigned int n, struct lr_tcp_conn **found)
{
	unsigned int i, k;

	for (i = 0; i < n; i += k) {
		k = RTE_MIN(n - i, (unsigned int)TCP_CTAB_BULK_MAX);
		ctab_lookup_bulk(t, keys + i, k, found + i);
	}
}

__attribute__((flatten)) int
tcp_ctab_add(struct tcp_ctab *t, const struct tcp_key *key, uint32_t idx)
{
	struct tcp_ctab_bucket *b;
	uint32_t h, home, i;
	unsigned int m;
	uint16_t tag;

	if (unlikely(t->nb >= t->max))
		return -ENOSPC;
	h = tcp_ctab_hash(t, key, &tag);
	home = i = h & t->mask;
	/* At most half the ways are in use: a free one comes. */
	for (;;) {
		b = &t->bkt[i];
		m = tcp_ctab_match(b, 0);
		if (m != 0)
			break;
		i = (i + 1) & t->mask;
	}
	b->tag[rte_bsf32(m)] = tag;
	b->idx[rte_bsf32(m)] = idx;
	for (; home != i; home = (home + 1) & t->mask)
		t->bkt[home].ovf++;
	t->nb++;
	return 0;
}

__attribute__((flatten)) int
tcp_ctab_del(struct tcp_ctab *t, const struct tcp_key *key, uint32_t idx)
{
	uint32_t h, home, i, n;
	uint16_t tag;

	h = tcp_ctab_hash(t, key, &tag);
	home = i = h & t->mask;
	for (n = 0; n <= t->mask; n++) {
		struct tcp_ctab_bucket *b = &t->bkt[i];
		unsigned int m;

		/* slot indexes are unique: no key compare */
		for (m = tcp_ctab_match(b, tag); m != 0; m &= m - 1) {
			unsigned int way = rte_bsf32(m);

			if (b->idx[way] != idx)
				continue;
			b->tag[way] = 0;
			for (; home != i; home = (home + 1) & t->mask)
				t->bkt[home].ovf--;
			t->nb--;
			return 0;
		}
		if (b->ovf == 0)
			break;
		i = (i + 1) & t->mask;
	}
	return -ENOENT;
}
