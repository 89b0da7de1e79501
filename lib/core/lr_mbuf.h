/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet helpers for mbuf chains (a frame a PMD scattered over segments, a datagram
 * reassembled from fragments), where the single-segment DPDK helpers fall short.
 */
#ifndef LR_MBUF_H
#define LR_MBUF_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

/**
 * Keep the first len bytes of a packet, across the segments of a chain, freeing
 * the segments past them. rte_pktmbuf_trim() only cuts into the last segment and
 * fails (leaving the packet whole) when the bytes to remove span more.
 * @param m packet (its head)
 * @param len bytes to keep; a value at or above the packet length changes nothing
 */
static inline void
lr_mbuf_keep(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;
	uint32_t left = len;
	uint16_t segs = 1;

	if (len >= rte_pktmbuf_pkt_len(m))
		return;
	while (left > s->data_len && s->next != NULL) {
		left -= s->data_len;
		s = s->next;
		segs++;
	}
	s->data_len = (uint16_t)RTE_MIN(left, (uint32_t)s->data_len);
	if (s->next != NULL) {
		rte_pktmbuf_free(s->next);
		s->next = NULL;
	}
	m->nb_segs = segs;
	m->pkt_len = len;
}

#endif /* LR_MBUF_H */
