/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The shard's connection table (tcp_conn_table.c): 4-tuple -> connection, one
 * writer (the worker), no locks.
 *
 * Buckets of one cache line: eight 16-bit tags compared in one SSE2 instruction
 * and eight 32-bit indexes into the shard's slot array (sh->slots, which holds the
 * connection pointers); a tag match is confirmed on the connection's own 4-tuple
 * (c->key, in the line the burst stage prefetches anyway). Tags and bucket come from
 * two 32-bit outputs of one seeded jhash of the tuple's three words, so they are
 * independent bits. Collisions: bucketised linear probing; each bucket counts the
 * entries stored past it whose probe passed through it (ovf), and a search stops at
 * the first bucket whose count is 0. Deletion is exact (no tombstones): the entry's
 * way is freed and the counts along its probe decremented.
 */
#ifndef TCP_CONN_TABLE_H
#define TCP_CONN_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_jhash.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct lr_tcp_conn;

/** Connection table key: the 4-tuple, network order. */
struct tcp_key {
	rte_be32_t raddr;
	rte_be32_t laddr;
	rte_be16_t rport;
	rte_be16_t lport;
};

static inline bool
tcp_key_eq(const struct tcp_key *a, const struct tcp_key *b)
{
	return a->raddr == b->raddr && a->laddr == b->laddr && a->rport == b->rport &&
		a->lport == b->lport;
}

#define TCP_CTAB_WAYS 8          /**< entries per bucket (one cache line) */
/** Buckets: the power of two at or above max / TCP_CTAB_LOAD_DIV, so a full table
 * (max entries) uses at most half the ways. */
#define TCP_CTAB_LOAD_DIV 4
#define TCP_CTAB_BULK_MAX 64     /**< keys per tcp_ctab_lookup_bulk() pass */

/** One bucket: a cache line. */
struct __rte_cache_aligned tcp_ctab_bucket {
	uint16_t tag[TCP_CTAB_WAYS]; /**< hash tag of the way's entry, 0 = way free */
	uint32_t idx[TCP_CTAB_WAYS]; /**< the entry: its index in the slot array */
	uint32_t ovf;                /**< entries stored past this bucket whose probe
				      *   passed it: a search goes on while not 0 */
	uint32_t pad[3];
};

/** The table. */
struct tcp_ctab {
	struct tcp_ctab_bucket *bkt;      /**< mask + 1 buckets */
	struct lr_tcp_conn *const *slots; /**< where the indexes point (sh->slots) */
	uint32_t mask;                    /**< buckets - 1 */
	uint32_t nb;                      /**< entries */
	uint32_t max;                     /**< entries it takes (conf.max_conns) */
	uint32_t seed[2];                 /**< jhash key (random per table) */
};

/**
 * The tuple's hash under the table's seed: the bucket bits are returned, the tag
 * (never 0) is set. jhash of the three words (rte_jhash_32b_2hashes: the same mix as
 * rte_jhash_3words, two outputs), a 64-bit key drawn per table.
 */
static inline uint32_t
tcp_ctab_hash(const struct tcp_ctab *t, const struct tcp_key *k, uint16_t *tag)
{
	uint32_t w[3] = { k->raddr, k->laddr, (uint32_t)k->rport << 16 | k->lport };
	uint32_t c = t->seed[0], b = t->seed[1];
	uint16_t g;

	rte_jhash_32b_2hashes(w, 3, &c, &b);
	g = (uint16_t)(b >> 16);
	*tag = g != 0 ? g : 1;
	return c;
}

/** Fetch the home bucket of key: a lookup of it soon does not wait on memory. */
static inline void
tcp_ctab_prefetch(const struct tcp_ctab *t, const struct tcp_key *key)
{
	uint16_t tag;

	rte_prefetch0(&t->bkt[tcp_ctab_hash(t, key, &tag) & t->mask]);
}

/** Ways of b whose tag is tag, a bit each (bit i: way i), without SIMD. */
static inline unsigned int
tcp_ctab_match_scalar(const struct tcp_ctab_bucket *b, uint16_t tag)
{
	unsigned int i, m = 0;

	for (i = 0; i < TCP_CTAB_WAYS; i++)
		m |= (unsigned int)(b->tag[i] == tag) << i;
	return m;
}

/** Ways of b whose tag is tag (tag 0: the free ways), a bit each: one compare. */
static inline unsigned int
tcp_ctab_match(const struct tcp_ctab_bucket *b, uint16_t tag)
{
#ifdef __SSE2__
	__m128i eq = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)b->tag),
			_mm_set1_epi16((short)tag));

	/* words to bytes (0xffff -> 0xff), one bit a byte */
	return (unsigned int)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()));
#else
	return tcp_ctab_match_scalar(b, tag);
#endif
}

/**
 * Size and allocate the table for max entries on the socket.
 * @return 0, -EINVAL (max 0 or too large) or -ENOMEM
 */
int tcp_ctab_init(struct tcp_ctab *t, uint32_t max, struct lr_tcp_conn *const *slots,
		int socket);
/** Free the buckets (t may be zeroed or already freed). */
void tcp_ctab_fini(struct tcp_ctab *t);
/** The connection of key, or NULL. */
struct lr_tcp_conn *tcp_ctab_lookup(const struct tcp_ctab *t, const struct tcp_key *key);
/**
 * Look n keys up at once (the burst stage): every key's bucket is hashed and
 * prefetched first, then the slot of its first tag match, then that connection, then
 * each is confirmed; found[i] as tcp_ctab_lookup(t, keys[i]) would return it.
 */
void tcp_ctab_lookup_bulk(const struct tcp_ctab *t, const struct tcp_key *const *keys,
		unsigned int n, struct lr_tcp_conn **found);
/**
 * Add key (not in the table) for slot index idx.
 * @return 0, or -ENOSPC when the table holds max entries already (never before)
 */
int tcp_ctab_add(struct tcp_ctab *t, const struct tcp_key *key, uint32_t idx);
/**
 * Remove key's entry, the one for slot index idx.
 * @return 0, or -ENOENT
 */
int tcp_ctab_del(struct tcp_ctab *t, const struct tcp_key *key, uint32_t idx);

#endif /* TCP_CONN_TABLE_H */
