/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly queue: segments beyond RCV.NXT are held in a per-connection list
 * sorted by sequence number (anchor: FreeBSD tcp_reass.c). Overlaps are cut when a
 * segment is queued, so the queue never holds a byte twice; when RCV.NXT reaches
 * the head it is delivered.
 *
 * What the queue holds is charged by what it costs in buffers (Linux
 * tcp_data_queue_ofo / tcp_try_rmem_schedule):
 * - every queued mbuf went through lr_mbuf_hold() (copied out of RX pools, charged
 *   LR_MEM_TCP_OOO by its truesize); the charge goes back on every release;
 * - a connection's queue truesize plus its held data fits in its receive buffer
 *   (tcp_rcvbuf(), Linux sk_rcvbuf), and at most conf.ooo_max segments;
 * - small segments are copied into the tailroom of the queued one they continue
 *   (Linux tcp_ooo_try_coalesce); when the buffer is full the whole queue is
 *   collapsed that way (tcp_collapse_ofo_queue), then its segments above the new one
 *   are pruned from the highest sequence (tcp_prune_ofo_queue), then it is dropped;
 * - while the worker's budget is under pressure, the queue holding the oldest
 *   segment is pruned from its highest sequence, a bounded number per call.
 * Queued data was never acknowledged, so dropping it costs a retransmission only.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_mbuf.h"
#include "tcp_internal.h"

/* Segments up to this size are copied into the tailroom of the queued segment they
 * continue rather than held in a buffer of their own (truesize / payload above 4). */
#define TCP_OOO_COALESCE_MAX 512u
/* Segments tcp_ooo_relieve() frees per received out-of-order segment. */
#define TCP_OOO_RELIEVE_RX 16u

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
	struct lr_tcp_shard *sh = c->sh;

	TAILQ_REMOVE(&c->ooo, q, link);
	TAILQ_REMOVE(&sh->ooo_age, q, age);
	c->ooo_n--;
	c->ooo_true -= q->charged;
	lr_mem_uncharge(&sh->w->mem, sh->w->stats, LR_MEM_TCP_OOO, q->charged);
	rte_mempool_put(sh->ooo_pool, q);
}

/* Free a queued segment and its payload (trimmed, pruned, flushed). */
static void
ooo_free(struct lr_tcp_conn *c, struct tcp_ooo_seg *q)
{
	rte_pktmbuf_free(q->m);
	ooo_remove(c, q);
}

/*
 * Copy len bytes of src at the end of queued segment q if its last buffer has the
 * room (the worker's own, direct, not shared). @return false when it has not
 */
static bool
ooo_append(const struct lr_worker *w, struct tcp_ooo_seg *q, const struct rte_mbuf *src,
		uint32_t len)
{
	struct rte_mbuf *t = rte_pktmbuf_lastseg(q->m);
	uint32_t off = 0;

	if (q->fin || t->pool != w->pool || !RTE_MBUF_DIRECT(t) ||
			rte_mbuf_refcnt_read(t) != 1 || rte_pktmbuf_tailroom(t) < len)
		return false;
	for (; src != NULL && off < len; src = src->next) {
		uint32_t n = RTE_MIN((uint32_t)src->data_len, len - off);

		memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len),
				rte_pktmbuf_mtod(src, const uint8_t *), n);
		t->data_len = (uint16_t)(t->data_len + n);
		off += n;
	}
	q->m->pkt_len += len;
	q->len += len;
	return true;
}

/* Merge the segments of at most max bytes that continue q into its buffer while
 * they fit. */
static void
ooo_merge_next(struct lr_tcp_conn *c, struct tcp_ooo_seg *q, uint32_t max)
{
	struct tcp_ooo_seg *n;

	while ((n = TAILQ_NEXT(q, link)) != NULL && q->seq + q->len == n->seq &&
			n->len <= max && ooo_append(c->sh->w, q, n->m, n->len)) {
		q->fin = n->fin;
		if ((int16_t)(uint16_t)(n->stamp - q->stamp) > 0)
			q->stamp = n->stamp;
		ooo_free(c, n);
		LR_TCP_STAT_INC(&c->sh->stats, OOO_COLLAPSED);
	}
}

/* Linux tcp_collapse_ofo_queue: merge every run of adjacent segments that fits. */
static void
ooo_collapse(struct lr_tcp_conn *c)
{
	struct tcp_ooo_seg *q;

	TAILQ_FOREACH(q, &c->ooo, link)
		ooo_merge_next(c, q, UINT32_MAX);
}

/* Linux tcp_prune_ofo_queue: free queued segments from the highest sequence, down to
 * the first one starting at or below seq, until need more bytes fit. */
static void
ooo_prune_above(struct lr_tcp_conn *c, uint32_t seq, uint64_t limit, uint32_t need)
{
	struct tcp_ooo_seg *q;

	while ((uint64_t)c->ooo_true + need > limit &&
			(q = TAILQ_LAST(&c->ooo, tcp_ooo_list)) != NULL && SEQ_GT(q->seq, seq)) {
		ooo_free(c, q);
		LR_TCP_STAT_INC(&c->sh->stats, OOO_PRUNED);
	}
}

/*
 * While the worker's budget is under pressure, free up to budget queued segments:
 * the connection holding the oldest one loses its queue from the highest sequence
 * (what it needs last), then the next oldest.
 * @return segments freed
 */
uint32_t
tcp_ooo_relieve(struct lr_tcp_shard *sh, uint32_t budget)
{
	struct tcp_ooo_seg *old;
	uint32_t n = 0;

	while (n < budget && lr_mem_pressure(&sh->w->mem) &&
			(old = TAILQ_FIRST(&sh->ooo_age)) != NULL) {
		struct lr_tcp_conn *c = old->c;

		ooo_free(c, TAILQ_LAST(&c->ooo, tcp_ooo_list));
		LR_TCP_STAT_INC(&sh->stats, OOO_PRUNED);
		n++;
	}
	return n;
}

/* Cut m against the queue: overlaps go, wholly covered segments are freed.
 * @return m (NULL when nothing new is left: dropped as a duplicate) */
static struct rte_mbuf *
ooo_trim(struct lr_tcp_conn *c, uint32_t *seqp, uint32_t *lenp, bool *finp,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_ooo_seg *q, *prev = NULL, *next;
	uint32_t seq = *seqp, len = *lenp, end = seq + len;
	bool fin = *finp;

	/* The first queued segment that starts after ours; prev is before it. */
	TAILQ_FOREACH(q, &c->ooo, link) {
		if (SEQ_GT(q->seq, seq))
			break;
		prev = q;
	}
	/* Cut our head against the previous segment; all covered: a duplicate. */
	if (prev != NULL && SEQ_GT(prev->seq + prev->len, seq)) {
		uint32_t over = prev->seq + prev->len - seq;

		/* RFC 2883 §4.1.1: the duplicate goes in a D-SACK, the block holding it
		 * after it (its data is now the newest). */
		tcp_sack_dsack(c, seq, seq + RTE_MIN(over, len));
		if (over >= len) {
			prev->fin |= fin && end == prev->seq + prev->len;
			prev->stamp = sh->ooo_stamp++;
			tcp_drop(sh, m, LR_TCP_STAT_OOO_DUP);
			return NULL;
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
			ooo_free(c, q);
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
		return NULL;
	}
	*seqp = seq;
	*lenp = len;
	*finp = fin;
	return m;
}

/* The queued segment that [seq, ...) continues exactly, or NULL. */
static struct tcp_ooo_seg *
ooo_before(struct lr_tcp_conn *c, uint32_t seq)
{
	struct tcp_ooo_seg *q, *prev = NULL;

	TAILQ_FOREACH(q, &c->ooo, link) {
		if (SEQ_GT(q->seq, seq))
			break;
		prev = q;
	}
	return prev != NULL && prev->seq + prev->len == seq ? prev : NULL;
}

/* Make room in c's receive buffer for need more bytes of truesize for a segment at
 * seq: collapse, then prune above seq. @return false when it still does not fit */
static bool
ooo_make_room(struct lr_tcp_conn *c, uint32_t seq, uint32_t need)
{
	uint64_t limit = tcp_rcvbuf_room(c);

	if ((uint64_t)c->ooo_true + need <= limit)
		return true;
	ooo_collapse(c);
	ooo_prune_above(c, seq, limit, need);
	return (uint64_t)c->ooo_true + need <= limit;
}

/*
 * Queue m (payload only, len bytes from seq, beyond RCV.NXT and inside the
 * window). Owns m: queued, merged, trimmed, or dropped with a counted reason.
 */
void
tcp_reass_insert(struct lr_tcp_conn *c, uint32_t seq, uint32_t len, bool fin,
		struct rte_mbuf *m)
{
	struct lr_tcp_shard *sh = c->sh;
	struct lr_worker *w = sh->w;
	struct tcp_ooo_seg *q, *prev, *it;
	uint32_t charged;
	void *obj;

	if (unlikely(lr_mem_pressure(&w->mem)))
		tcp_ooo_relieve(sh, TCP_OOO_RELIEVE_RX);
	m = ooo_trim(c, &seq, &len, &fin, m);
	if (m == NULL)
		return;
	/* A small segment continuing a queued one joins its buffer: no new one. */
	prev = ooo_before(c, seq);
	if (prev != NULL && len <= TCP_OOO_COALESCE_MAX && ooo_append(w, prev, m, len)) {
		prev->fin = fin;
		prev->stamp = sh->ooo_stamp++;
		rte_pktmbuf_free(m);
		LR_TCP_STAT_INC(&sh->stats, OOO_COLLAPSED);
		ooo_merge_next(c, prev, TCP_OOO_COALESCE_MAX);
		return;
	}
	if (c->ooo_n >= sh->conf.ooo_max || sh->ooo_pool == NULL) {
		tcp_drop(sh, m, LR_TCP_STAT_OUT_OF_ORDER);
		return;
	}
	if (!ooo_make_room(c, seq, lr_mbuf_truesize(m))) {
		tcp_drop(sh, m, LR_TCP_STAT_OOO_MEM_DROP);
		return;
	}
	if (lr_nomem_inject(&w->nomem, w->stats, LR_POOL_OOO) ||
			rte_mempool_get(sh->ooo_pool, &obj) < 0) {
		tcp_drop(sh, m, LR_TCP_STAT_OUT_OF_ORDER);
		return;
	}
	m = lr_mbuf_hold(w, m, LR_MEM_TCP_OOO, &charged);
	if (m == NULL) {
		rte_mempool_put(sh->ooo_pool, obj);
		LR_TCP_STAT_INC(&sh->stats, OOO_MEM_DROP);
		return;
	}
	q = obj;
	q->c = c;
	q->seq = seq;
	q->len = len;
	q->fin = fin;
	q->m = m;
	q->charged = charged;
	q->stamp = sh->ooo_stamp++;
	c->ooo_n++;
	c->ooo_true += charged;
	TAILQ_INSERT_TAIL(&sh->ooo_age, q, age);
	LR_TCP_STAT_INC(&sh->stats, OOO_QUEUED);
	/* Insert in order: after the last segment that starts before ours. */
	prev = NULL;
	TAILQ_FOREACH(it, &c->ooo, link) {
		if (SEQ_GT(it->seq, seq))
			break;
		prev = it;
	}
	if (prev == NULL)
		TAILQ_INSERT_HEAD(&c->ooo, q, link);
	else
		TAILQ_INSERT_AFTER(&c->ooo, prev, q, link);
	ooo_merge_next(c, q, TCP_OOO_COALESCE_MAX);
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
			ooo_free(c, q);
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

	while ((q = TAILQ_FIRST(&c->ooo)) != NULL)
		ooo_free(c, q);
}
