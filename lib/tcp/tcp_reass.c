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
 *   segment first has its small segments that hold a buffer each, gapped or not,
 *   copied into shared full buffers (tcp_collapse() does it for runs of adjacent
 *   ones; 64 one-byte segments then cost one buffer and 64 mbuf headers, not 64
 *   buffers); then it is pruned from its highest sequence, a bounded number per
 *   call. A packed segment holds an indirect mbuf on the shared buffer; the buffer's
 *   truesize is charged to one of the segments in it and passes to another when
 *   that one goes, so what is charged is what is held until the last one goes.
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

/* A packed segment: an indirect mbuf on a buffer shared with others (ooo_pack()). */
static inline bool
ooo_packed(const struct tcp_ooo_seg *q)
{
	return RTE_MBUF_CLONED(q->m);
}

/* Truesize of a packed segment's own mbuf header (its share of nothing else). */
static inline uint32_t
ooo_hdr_true(const struct rte_mbuf *mi)
{
	return (uint32_t)sizeof(struct rte_mbuf) + mi->priv_size;
}

/* Another segment of c's queue in q's shared buffer, or NULL. */
static struct tcp_ooo_seg *
ooo_pack_mate(struct lr_tcp_conn *c, struct tcp_ooo_seg *q)
{
	const struct rte_mbuf *buf = rte_mbuf_from_indirect(q->m);
	struct tcp_ooo_seg *r;

	for (r = TAILQ_NEXT(q, link); r != NULL; r = TAILQ_NEXT(r, link))
		if (ooo_packed(r) && rte_mbuf_from_indirect(r->m) == buf)
			return r;
	for (r = TAILQ_PREV(q, tcp_ooo_list, link); r != NULL;
			r = TAILQ_PREV(r, tcp_ooo_list, link))
		if (ooo_packed(r) && rte_mbuf_from_indirect(r->m) == buf)
			return r;
	return NULL;
}

/* q leaves a shared buffer that stays: what it carries of the buffer's truesize passes
 * to a segment still in it, so the charge lasts as long as the buffer. */
static void
ooo_pack_leave(struct lr_tcp_conn *c, struct tcp_ooo_seg *q)
{
	uint32_t hdr = ooo_hdr_true(q->m);
	struct tcp_ooo_seg *r;

	if (q->charged <= hdr || rte_mbuf_refcnt_read(rte_mbuf_from_indirect(q->m)) < 2)
		return;
	r = ooo_pack_mate(c, q);
	if (r == NULL)
		return; /* the rest is held by the application: charged there if at all */
	r->charged += q->charged - hdr;
	q->charged = hdr;
}

static void
ooo_remove(struct lr_tcp_conn *c, struct tcp_ooo_seg *q)
{
	struct lr_tcp_shard *sh = c->sh;

	if (unlikely(ooo_packed(q)))
		ooo_pack_leave(c, q);
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
	struct rte_mbuf *m = q->m;

	ooo_remove(c, q); /* first: a packed segment's buffer is still there */
	rte_pktmbuf_free(m);
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

/* q holds a small payload in a buffer of its own, worth copying into a shared one. */
static inline bool
ooo_packable(const struct lr_worker *w, const struct tcp_ooo_seg *q)
{
	const struct rte_mbuf *m = q->m;

	return q->len <= TCP_OOO_COALESCE_MAX && RTE_MBUF_DIRECT(m) && m->next == NULL &&
			m->pool == w->pool && rte_mbuf_refcnt_read(m) == 1;
}

/* Copy q's payload at the end of shared buffer p (room checked) and make q an indirect
 * mbuf on it; q is charged its header, plus p's truesize when it is p's first.
 * @return false (q unchanged) without an mbuf header */
static bool
ooo_pack_one(struct lr_tcp_conn *c, struct tcp_ooo_seg *q, struct rte_mbuf *p)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *mi = NULL;
	uint32_t charge;

	if (!lr_nomem_inject(&w->nomem, w->stats, LR_POOL_INDIRECT))
		mi = rte_pktmbuf_alloc(w->indirect_pool);
	if (mi == NULL)
		return false;
	memcpy(rte_pktmbuf_mtod_offset(p, uint8_t *, p->data_len),
			rte_pktmbuf_mtod(q->m, const uint8_t *), q->len);
	charge = ooo_hdr_true(mi) + (p->data_len == 0 ? lr_mbuf_seg_truesize(p) : 0);
	rte_pktmbuf_attach(mi, p);
	mi->data_off = (uint16_t)(p->data_off + p->data_len);
	mi->data_len = (uint16_t)q->len;
	mi->pkt_len = q->len;
	p->data_len = (uint16_t)(p->data_len + q->len);
	p->pkt_len += q->len;
	rte_pktmbuf_free(q->m);
	q->m = mi;
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_TCP_OOO, q->charged);
	lr_mem_charge_force(&w->mem, w->stats, LR_MEM_TCP_OOO, charge);
	c->ooo_true = c->ooo_true - q->charged + charge;
	q->charged = charge;
	return true;
}

/*
 * Under pressure: copy c's small segments that hold a buffer each into shared full
 * buffers (gapped ones too; Linux tcp_collapse_ofo_queue copies runs of adjacent ones
 * into fresh buffers). Packed segments move to the end of the age list: they are
 * cheap now, the rest of the oldest data goes first.
 * @return segments packed (0 when fewer than two could share a buffer)
 */
static uint32_t
ooo_pack(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	struct lr_worker *w = sh->w;
	struct tcp_ooo_seg *q;
	struct rte_mbuf *p = NULL;
	uint32_t cand = 0, n = 0;

	TAILQ_FOREACH(q, &c->ooo, link)
		cand += ooo_packable(w, q);
	/* The mbuf headers come from the pool fragmentation uses: at least half of it
	 * stays free for that. */
	if (cand < 2 || w->indirect_pool == NULL || rte_mempool_avail_count(w->indirect_pool) <
			w->indirect_pool->size / 2 + cand)
		return 0;
	TAILQ_FOREACH(q, &c->ooo, link) {
		if (!ooo_packable(w, q))
			continue;
		if (p == NULL || rte_pktmbuf_tailroom(p) < q->len) {
			rte_pktmbuf_free(p); /* our reference: the segments in it keep it */
			p = NULL;
			if (!lr_nomem_inject(&w->nomem, w->stats, LR_POOL_DATA))
				p = rte_pktmbuf_alloc(w->pool);
			if (p == NULL)
				break;
		}
		if (!ooo_pack_one(c, q, p))
			break;
		TAILQ_REMOVE(&sh->ooo_age, q, age);
		TAILQ_INSERT_TAIL(&sh->ooo_age, q, age);
		n++;
	}
	rte_pktmbuf_free(p);
	LR_TCP_STAT_ADD(&sh->stats, OOO_PACKED, n);
	return n;
}

/*
 * While the worker's budget is under pressure, up to budget steps: the connection
 * holding the oldest segment has its small segments packed into shared buffers if
 * that one is small (Linux collapses before it prunes, tcp_prune_queue), else loses
 * its queue from the highest sequence (what it needs last); then the next oldest.
 * @return steps taken
 */
uint32_t
tcp_ooo_relieve(struct lr_tcp_shard *sh, uint32_t budget)
{
	struct tcp_ooo_seg *old;
	uint32_t n = 0;

	while (n < budget && lr_mem_pressure(&sh->w->mem) &&
			(old = TAILQ_FIRST(&sh->ooo_age)) != NULL) {
		struct lr_tcp_conn *c = old->c;

		n++;
		if (ooo_packable(sh->w, old) && ooo_pack(c) > 0)
			continue;
		ooo_free(c, TAILQ_LAST(&c->ooo, tcp_ooo_list));
		LR_TCP_STAT_INC(&sh->stats, OOO_PRUNED);
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
