/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LR_IP_INTERNAL_H
#define LR_IP_INTERNAL_H

#include <sys/queue.h>

#include "lr_ip.h"

/** IP id counters per table (power of two; Linux IP_IDENTS_SZ is 2048 on small hosts). */
#define LR_IP_IDENTS 2048

/** Entries of a worker's cache of id counter picks (power of two). */
#define LR_IP_ID_CACHE 64

/** A remembered pick: the counter SipHash chose for (dst, src, proto). */
struct ip_id_cache_ent {
	rte_be32_t dst;          /**< destination */
	rte_be32_t src;          /**< source */
	uint16_t bucket;         /**< the counter, < LR_IP_IDENTS */
	uint8_t proto;           /**< protocol */
	uint8_t valid;           /**< set once filled */
};

/** No index (end of a list). */
#define IP_REASS_NONE UINT32_MAX

/** One fragment kept for reassembly (ip_reass.c). */
struct ip_frag_ent {
	struct rte_mbuf *m;      /**< the fragment, data at its IPv4 header, charged */
	uint32_t next;           /**< next fragment by offset, or the next free entry */
	uint16_t off;            /**< payload offset in the datagram, bytes */
	uint16_t len;            /**< payload bytes */
	uint16_t hlen;           /**< its IPv4 header length */
};

/** An incomplete datagram (RFC 815 fragment list, sorted by offset, no overlaps). */
struct ip_dgram {
	TAILQ_ENTRY(ip_dgram) age;  /**< in lr_ip_reass::age, oldest first */
	uint32_t hnext;          /**< next in its hash bucket, or the next free datagram */
	uint32_t first;          /**< its first fragment entry (lowest offset) */
	rte_be32_t src;          /**< key: source address */
	rte_be32_t dst;          /**< key: destination address */
	rte_be16_t id;           /**< key: identification */
	uint8_t proto;           /**< key: protocol */
	bool has_last;           /**< the fragment without MF arrived: total is known */
	uint8_t ecn_seen;        /**< 1 << each ECN codepoint its fragments carried */
	uint32_t total;          /**< payload bytes of the whole datagram (has_last) */
	uint32_t have;           /**< payload bytes held */
	uint32_t bufs;           /**< mbufs (segments) held */
	uint32_t nb_frags;       /**< fragments held */
	uint32_t charged;        /**< bytes charged to the worker's budget */
	uint64_t start_us;       /**< first fragment's arrival */
};

TAILQ_HEAD(ip_dgram_list, ip_dgram);

/** A worker's reassembly state: bounded in datagrams, buffers and budget. */
struct lr_ip_reass {
	struct ip_dgram *dgrams;      /**< frag_max_flows datagrams */
	struct ip_frag_ent *ents;     /**< frag_max_bufs fragment entries */
	uint32_t *buckets;            /**< hash buckets: first datagram index */
	uint32_t bucket_mask;         /**< buckets - 1 */
	uint32_t free_dgram;          /**< free datagram list */
	uint32_t free_ent;            /**< free fragment entry list */
	uint32_t seed;                /**< hash seed */
	uint32_t max_bufs;            /**< frag_max_bufs */
	uint32_t low_bufs;            /**< frag_low_bufs */
	uint32_t bufs;                /**< mbufs held now, all datagrams */
	uint32_t nb_dgrams;           /**< datagrams in progress */
	uint64_t timeout_us;          /**< frag_timeout_ms in microseconds */
	struct ip_dgram_list age;     /**< datagrams, oldest first */
};

/** A worker's IP state. */
struct lr_ip_worker {
	struct lr_ip_reass reass;              /**< reassembly (clock: w->now_us) */
	uint64_t icmp_tokens;                  /**< ICMP error tokens, in millionths */
	uint64_t icmp_last_us;                 /**< last refill */
	uint16_t idents[LR_IP_IDENTS];         /**< ids of atomic datagrams (ip_id.c) */
	struct ip_id_cache_ent id_cache[LR_IP_ID_CACHE]; /**< recent counter picks (ip_id.c) */
};

/** Draw the IP id secret and seed the shared counters, once (control path). */
void lr_ip_id_init(void);

/** Seed a worker's own id counters (control path); calls lr_ip_id_init(). */
void lr_ip_id_worker_init(struct lr_ip_worker *ipw);

/**
 * The Identification of a datagram (RFC 6864): a counter picked by a keyed hash of
 * (dst, src, proto). Atomic datagrams (DF, not fragmented) use the worker's own
 * counters, others the shared ones (unique across workers).
 * @return the id, host order
 */
uint16_t lr_ip_id_select(struct lr_ip_worker *ipw, rte_be32_t dst, rte_be32_t src,
		uint8_t proto, bool atomic);

extern struct lr_ip_conf lr_ip_conf_cur;

/** Allocate a worker's reassembly tables from lr_ip_conf_cur. @return 0 or -ENOMEM */
int lr_ip_reass_init(struct lr_ip_reass *r);
/** Free every datagram (uncharged, not counted) and the tables. */
void lr_ip_reass_fini(struct lr_worker *w, struct lr_ip_reass *r);
/** Free datagrams older than frag_timeout_ms (ip FRAG_TIMEOUT per fragment). */
void lr_ip_reass_expire(struct lr_worker *w, struct lr_ip_reass *r);

/**
 * Add a fragment; when it completes its datagram, return the datagram as one chain:
 * the first fragment's header, then every fragment's payload in order, no longer
 * charged. The fragment is kept through lr_mbuf_hold() (copied out of an RX pool,
 * charged as LR_MEM_IP_REASS); room is made by evicting the oldest datagrams.
 * @param m the fragment, data at its IPv4 header, trimmed to its total length,
 *        owned by the call
 * @param hlen its header length
 * @return the whole datagram, or NULL (kept, or dropped and counted)
 */
struct rte_mbuf *lr_ip_reass_add(struct lr_worker *w, struct lr_ip_reass *r,
		struct rte_mbuf *m, uint16_t hlen);
extern int lr_logtype_ip;

/** Clear receive offload flags, keeping those that say how the mbuf is attached. */
static inline void
lr_ip_clear_offloads(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
}

#endif /* LR_IP_INTERNAL_H */
