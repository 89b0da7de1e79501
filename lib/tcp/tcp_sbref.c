/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data segments sent from the send buffer (tcp_conn.c) in place; tcp_xmit() copies
 * the payload of the others into a buffer of their own.
 *
 * In place: an indirect mbuf of w->indirect_pool attached to the send buffer's mbuf
 * holding the payload, its data the payload itself; TCP, IPv4 and Ethernet headers
 * go in the bytes of that buffer just before it (its headroom: the send buffer keeps
 * RTE_PKTMBUF_HEADROOM in the first buffer it takes when empty, where a response
 * starts; or acknowledged bytes at the head). The frame is one segment, so the
 * checksum is one pass and no port needs multi-segment TX. The attach takes a
 * reference on the buffer: it stays alive until the PMD frees the frame, even when
 * the ACK drops it from the send buffer first (its charge goes back then: the bytes
 * the rings still hold are TX, as a copy would be).
 *
 * That saves one copy of the payload and one data buffer per segment. It is done
 * only when:
 * - w->tx_ref: every port the worker sends on only reads its frames (lr_iface::tx_ref);
 * - the payload lies in one buffer, a direct one whose reference count is 1: no frame
 *   of it is in a TX ring, so nothing else uses the bytes before the payload (a
 *   retransmission while the first transmission is still held is copied, and its
 *   headers never land in a frame a ring holds);
 * - those bytes are free (the buffer's headroom, or acknowledged data of the head
 *   buffer) and hold the headers (TCP_SBREF_LOWER under the TCP header);
 * - an indirect mbuf is left.
 */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "tcp_internal.h"

/* Bytes under the TCP header: IPv4 (no options), Ethernet and an 802.1Q tag written in
 * software. */
#define TCP_SBREF_LOWER ((uint32_t)(sizeof(struct rte_ipv4_hdr) + RTE_ETHER_HDR_LEN + \
		sizeof(struct rte_vlan_hdr)))

/*
 * What rte_pktmbuf_attach() does, less what a frame of ours never reads: the indirect
 * mbuf takes a reference on s and points at its buffer; data at data_off, len bytes.
 * rte_mbuf_raw_alloc() gave it with refcnt 1, one segment and no next; the PMD's free
 * detaches it (rte_pktmbuf_detach()) and drops the reference. rte_pktmbuf_alloc() and
 * rte_pktmbuf_attach() cost about as much as copying a 256-byte response (callgrind).
 */
static inline void
sb_attach(struct rte_mbuf *mi, struct rte_mbuf *s, uint16_t data_off, uint32_t len)
{
	rte_mbuf_refcnt_update(s, 1);
	mi->buf_addr = s->buf_addr;
	rte_mbuf_iova_set(mi, rte_mbuf_iova_get(s));
	mi->buf_len = s->buf_len;
	mi->priv_size = s->priv_size; /* rte_mbuf_from_indirect() finds s by it */
	mi->data_off = data_off;
	mi->data_len = (uint16_t)len;
	mi->pkt_len = len;
	mi->ol_flags = RTE_MBUF_F_INDIRECT;
	mi->tx_offload = 0;
	mi->packet_type = 0;
	mi->vlan_tci = 0;
}

struct rte_mbuf *
tcp_sb_ref(struct lr_tcp_conn *c, uint32_t off, uint32_t len, uint32_t hlen)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *s = c->sb_head, *mi = NULL;
	uint32_t first = c->sb_off; /* first byte of s still unacknowledged */

	off += c->sb_off;
	while (s != NULL && off >= s->data_len) {
		off -= s->data_len;
		s = s->next;
		first = 0;
	}
	/* in one buffer, at its first byte held, with room for the headers before it */
	if (s == NULL || off != first || len > s->data_len - off ||
			s->data_off + off < hlen + TCP_SBREF_LOWER)
		return NULL;
	/* and no frame in a TX ring refers to it (nothing writes into a buffer one
	 * holds; RTE_MBUF_DIRECT: not an application's clone either) */
	if (!RTE_MBUF_DIRECT(s) || rte_mbuf_refcnt_read(s) != 1 || w->indirect_pool == NULL)
		return NULL;
	if (!lr_nomem_inject(&w->nomem, w->stats, LR_POOL_INDIRECT))
		mi = rte_mbuf_raw_alloc(w->indirect_pool);
	if (mi == NULL)
		return NULL; /* copied instead */
	sb_attach(mi, s, (uint16_t)(s->data_off + off - hlen), hlen + len);
	LR_TCP_STAT_INC(&c->sh->stats, TX_SB_REF);
	return mi;
}
