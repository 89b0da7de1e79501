/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LR_IP_INTERNAL_H
#define LR_IP_INTERNAL_H

#include <rte_ip_frag.h>

#include "lr_ip.h"

/** IP id counters per table (power of two; Linux IP_IDENTS_SZ is 2048 on small hosts). */
#define LR_IP_IDENTS 2048

/** A worker's IP state. */
struct lr_ip_worker {
	struct rte_ip_frag_tbl *frag_tbl;      /**< reassembly table (clock: w->now_us) */
	struct rte_ip_frag_death_row death_row; /**< mbufs the table let go */
	uint64_t icmp_tokens;                  /**< ICMP error tokens, in millionths */
	uint64_t icmp_last_us;                 /**< last refill */
	uint16_t idents[LR_IP_IDENTS];         /**< ids of atomic datagrams (ip_id.c) */
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
extern int lr_logtype_ip;

/** Clear receive offload flags, keeping those that say how the mbuf is attached. */
static inline void
lr_ip_clear_offloads(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
}

#endif /* LR_IP_INTERNAL_H */
