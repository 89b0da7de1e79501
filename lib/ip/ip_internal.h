/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LR_IP_INTERNAL_H
#define LR_IP_INTERNAL_H

#include <rte_ip_frag.h>

#include "lr_ip.h"

/** A worker's IP state. */
struct lr_ip_worker {
	struct rte_ip_frag_tbl *frag_tbl;      /**< reassembly table (clock: w->now_us) */
	struct rte_ip_frag_death_row death_row; /**< mbufs the table let go */
	uint64_t icmp_tokens;                  /**< ICMP error tokens, in millionths */
	uint64_t icmp_last_us;                 /**< last refill */
	uint16_t next_id;                      /**< IPv4 identification */
};

extern struct lr_ip_conf lr_ip_conf_cur;
extern int lr_logtype_ip;

/** Clear receive offload flags, keeping those that say how the mbuf is attached. */
static inline void
lr_ip_clear_offloads(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
}

#endif /* LR_IP_INTERNAL_H */
