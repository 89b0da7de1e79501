/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly queue: segments beyond RCV.NXT are held (their mbufs, no copy) in a
 * per-connection list sorted by sequence number, at most conf.ooo_max of them
 * (anchor: FreeBSD tcp_reass.c). Overlaps are cut when a segment is queued, so the
 * queue never holds a byte twice; when RCV.NXT reaches the head it is delivered.
 */
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_mbuf.h"
#include "tcp_internal.h"

/*
 * Drop the first n bytes of a packet, across segments of a chain.
 * @return the new head (the old one may have been freed)
 */
struct rte_mbuf *
tcp_mbuf_cut_head(struct rte_mbuf *m, uint32_t n)
{
	while (n > 0 && n >= m->data_len && m->next != NULL) {
		struct rte_mbuf *next = m->next;

		next->pkt_len = m->pkt_len - m->data_len;
		next->nb_segs = (uint16_t)(m->nb_segs - 1);
		n -= m->data_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	n = RTE_MIN(n, (uint32_t)m->data_len);
	m->data_off = (uint16_t)(m->data_off + n);
	m->data_len = (uint16_t)(m->data_len - n);
	m->pkt_len -= n;
	return m;
}

/* Keep the first keep bytes of a packet (keep <= pkt_len), freeing the tail. */
void
tcp_mbuf_keep(struct rte_mbuf *m, uint32_t keep)
{
	lr_mbuf_keep(m, keep);
}

static void
ooo_remove(struct lr_tcp_conn *c, struct tcp_ooo_seg *q)
{
	TAILQ_REMOVE(&c->ooo, q, link);
	c->ooo_n--;
	c->ooo_bytes -= q->len;
	rte_mempool_put(c->sh->ooo_pool, q);
}

/*
 * Queue m (payload only, len bytes from seq, beyond RCV.NXT and inside the
 * window). Owns m: queued, trimmed, or dropped with a counted reason.
 */
void
tcp_reass_insert(struct lr_tcp_conn *c, uint32_t seq, uint32_t len, bool fin,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_ooo_seg *q, *prev = NULL, *next;
	uint32_t end = seq + len;
	void *obj;

	/* The first queued segment that starts after ours; prev is before it. */
	TAILQ_FOREACH(q, &c->ooo, link) {
		if (SEQ_GT(q->seq, seq))
			break;
		prev = q;
	}
	/* Cut our head against the previous segment; all covered: a duplicate. */
	if (prev != NULL && SEQ_GT(prev->seq + prev->len, seq)) {
		uint32_t over = prev->seq + prev->len - seq;

		if (over >= len) {
			prev->fin |= fin && end == prev->seq + prev->len;
			tcp_drop(sh, m, LR_TCP_STAT_OOO_DUP);
			return;
		}
		m = tcp_mbuf_cut_head(m, over);
		seq += over;
		len -= over;
		LR_TCP_STAT_INC(&sh->stats, OOO_TRIMMED);
	}
	/* Segments wholly inside ours go; one we overlap cuts our tail. */
	for (; q != NULL; q = next) {
		next = TAILQ_NEXT(q, link);
		if (SEQ_GEQ(q->seq, end))
			break;
		if (SEQ_LEQ(q->seq + q->len, end)) {
			fin |= q->fin && q->seq + q->len == end;
			rte_pktmbuf_free(q->m);
			ooo_remove(c, q);
			LR_TCP_STAT_INC(&sh->stats, OOO_TRIMMED);
			continue;
		}
		len = q->seq - seq;
		end = q->seq;
		fin = false;
		tcp_mbuf_keep(m, len);
		LR_TCP_STAT_INC(&sh->stats, OOO_TRIMMED);
		break;
	}
	/* Head and tail both cut: what is left lies in the queue already. */
	if (len == 0) {
		tcp_drop(sh, m, LR_TCP_STAT_OOO_DUP);
		return;
	}
	if (c->ooo_n >= sh->conf.ooo_max || sh->ooo_pool == NULL ||
			rte_mempool_get(sh->ooo_pool, &obj) < 0) {
		tcp_drop(sh, m, LR_TCP_STAT_OUT_OF_ORDER);
		return;
	}
	q = obj;
	q->seq = seq;
	q->len = len;
	q->fin = fin;
	q->m = m;
	c->ooo_n++;
	c->ooo_bytes += len;
	LR_TCP_STAT_INC(&sh->stats, OOO_QUEUED);
	/* Insert in order: after the last segment that starts before ours. */
	prev = NULL;
	TAILQ_FOREACH(next, &c->ooo, link) {
		if (SEQ_GT(next->seq, seq))
			break;
		prev = next;
	}
	if (prev == NULL)
		TAILQ_INSERT_HEAD(&c->ooo, q, link);
	else
		TAILQ_INSERT_AFTER(&c->ooo, prev, q, link);
}

/*
 * The head of the queue if RCV.NXT reached it, cut to start at RCV.NXT; wholly
 * old segments are freed on the way.
 * @return the payload (owned by the caller), or NULL
 */
struct rte_mbuf *
tcp_reass_pop(struct lr_tcp_conn *c, uint32_t *len, bool *fin)
{
	struct tcp_ooo_seg *q;
	struct rte_mbuf *m;

	while ((q = TAILQ_FIRST(&c->ooo)) != NULL && SEQ_LEQ(q->seq, c->rcv_nxt)) {
		uint32_t old = c->rcv_nxt - q->seq;

		m = q->m;
		if (old >= q->len) {
			rte_pktmbuf_free(m);
			ooo_remove(c, q);
			continue;
		}
		if (old > 0)
			m = tcp_mbuf_cut_head(m, old);
		*len = q->len - old;
		*fin = q->fin;
		ooo_remove(c, q);
		LR_TCP_STAT_INC(&c->sh->stats, OOO_DELIVERED);
		return m;
	}
	return NULL;
}

/* Free the queue (connection freed). */
void
tcp_reass_flush(struct lr_tcp_conn *c)
{
	struct tcp_ooo_seg *q;

	while ((q = TAILQ_FIRST(&c->ooo)) != NULL) {
		rte_pktmbuf_free(q->m);
		ooo_remove(c, q);
	}
}
