/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/fault.c: fault injection on each port's RX and TX paths (loss, reorder,
 * duplication, delay), per worker, lockless, no allocation on the datapath except the
 * copies duplication makes. See lr_fault.h for the pipeline and the queue discipline.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "lr_core.h"
#include "lr_fault.h"
#include "lr_stats.h"

#define PPM_MAX 1000000u

/* Counter offsets from a direction's *_LOST counter. */
enum {
	ST_LOST = 0,
	ST_DUPLICATED = 1,
	ST_REORDERED = 2,
	ST_DELAYED = 3,
	ST_CE_MARKED = 4,
};

static_assert(LR_STAT_fault_RX_DUPLICATED == LR_STAT_fault_RX_LOST + ST_DUPLICATED &&
		LR_STAT_fault_RX_REORDERED == LR_STAT_fault_RX_LOST + ST_REORDERED &&
		LR_STAT_fault_RX_DELAYED == LR_STAT_fault_RX_LOST + ST_DELAYED &&
		LR_STAT_fault_RX_CE_MARKED == LR_STAT_fault_RX_LOST + ST_CE_MARKED &&
		LR_STAT_fault_TX_CE_MARKED == LR_STAT_fault_TX_LOST + ST_CE_MARKED &&
		LR_STAT_fault_TX_DUPLICATED == LR_STAT_fault_TX_LOST + ST_DUPLICATED &&
		LR_STAT_fault_TX_REORDERED == LR_STAT_fault_TX_LOST + ST_REORDERED &&
		LR_STAT_fault_TX_DELAYED == LR_STAT_fault_TX_LOST + ST_DELAYED,
		"fault counters must keep the LOST, DUPLICATED, REORDERED, DELAYED, CE order");

/* One queued packet: released at release_us, ties broken by arrival number. */
struct fault_entry {
	uint64_t release_us;
	uint64_t seq;
	struct rte_mbuf *m;
};

/* Faults on one direction of one port. */
struct fault_dir {
	struct lr_fault_conf conf;
	bool on;                   /* some fault configured */
	bool delay;                /* delay_us or jitter_us configured */
	enum lr_stat_id st;        /* fault RX_LOST or TX_LOST */
	struct rte_mbuf *held;     /* reordered packet waiting for the next one */
	uint64_t held_until_us;    /* released alone at this time */
	uint32_t nb;               /* entries in heap */
	uint64_t seq;              /* next arrival number */
	struct fault_entry *heap;  /* min-heap of LR_FAULT_QUEUE_SIZE entries */
};

struct lr_fault_worker {
	uint64_t rng;                     /* xorshift64* state, never 0 */
	lr_tx_fn orig_tx;                 /* the tx_fn we wrap, NULL if not wrapped */
	struct fault_dir rx[LR_MAX_PORTS];
	struct fault_dir tx[LR_MAX_PORTS];
};

/*
 * Where a direction's surviving packets go.
 * RX: into the caller's array in place (slot i is free once packet i was read), or
 * into the heap as due-now when that would overwrite an unread packet, when the array
 * is full, or when older due packets wait (spill, for the rest of the call).
 * TX: into a local burst sent through the original tx_fn when full and at the end.
 */
struct fault_out {
	struct rte_mbuf **pkts;
	uint16_t n;
	uint16_t max;
	uint16_t read;             /* RX: input slots already read */
	bool spill;                /* RX: everything goes through the heap now */
	bool tx;
	uint16_t port;
	uint16_t queue;
	struct rte_mbuf *burst[LR_BURST_MAX];
};

/* --- PRNG -------------------------------------------------------------------- */

static uint64_t
rng_next(struct lr_fault_worker *f)
{
	uint64_t x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in 0..range-1 (range <= 2^32). */
static uint32_t
rng_below(struct lr_fault_worker *f, uint64_t range)
{
	return (uint32_t)(((rng_next(f) >> 32) * range) >> 32);
}

/* True with probability ppm / 1e6; draws nothing when ppm is 0. */
static bool
rng_hit(struct lr_fault_worker *f, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	if (ppm >= PPM_MAX)
		return true;
	return rng_below(f, PPM_MAX) < ppm;
}

/* splitmix64 finaliser: spreads seed ^ id over the state, never returns 0. */
static uint64_t
rng_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z != 0 ? z : 0x9e3779b97f4a7c15ULL;
}

/* --- delay queue: binary min-heap on (release_us, seq) ----------------------- */

static bool
entry_before(const struct fault_entry *a, const struct fault_entry *b)
{
	return a->release_us < b->release_us ||
			(a->release_us == b->release_us && a->seq < b->seq);
}

/* @return false if the queue is full (the caller drops). */
static bool
heap_push(struct fault_dir *d, struct rte_mbuf *m, uint64_t release_us)
{
	struct fault_entry e = {.release_us = release_us, .seq = d->seq++, .m = m};
	uint32_t i, parent;

	if (unlikely(d->nb == LR_FAULT_QUEUE_SIZE))
		return false;
	for (i = d->nb++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!entry_before(&e, &d->heap[parent]))
			break;
		d->heap[i] = d->heap[parent];
	}
	d->heap[i] = e;
	return true;
}

static bool
heap_due(const struct fault_dir *d, uint64_t now_us)
{
	return d->nb > 0 && d->heap[0].release_us <= now_us;
}

static struct rte_mbuf *
heap_pop(struct fault_dir *d)
{
	struct rte_mbuf *m = d->heap[0].m;
	struct fault_entry last = d->heap[--d->nb];
	uint32_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= d->nb)
			break;
		if (c + 1 < d->nb && entry_before(&d->heap[c + 1], &d->heap[c]))
			c++;
		if (!entry_before(&d->heap[c], &last))
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	d->heap[i] = last;
	return m;
}

/* --- the pipeline ------------------------------------------------------------- */

static void
queue_full(struct lr_worker *w, struct rte_mbuf *m)
{
	lr_drop(w, m, LR_STAT_fault_QUEUE_FULL);
}

/* Hand a TX burst to the original tx_fn; free and count what it refuses. */
static void
tx_send(struct lr_worker *w, struct fault_out *o)
{
	uint16_t sent;

	if (o->n == 0)
		return;
	sent = w->fault->orig_tx(w, o->port, o->queue, o->burst, o->n);
	if (unlikely(sent < o->n)) {
		lr_tx_drop_refused(w, &o->burst[sent], o->n - sent);
		w->tx_refused_us = RTE_MAX(w->now_us, 1ull);
	}
	o->n = 0;
}

/* A packet leaves the fault pipeline now. */
static void
out_put(struct lr_worker *w, struct fault_dir *d, struct fault_out *o, struct rte_mbuf *m)
{
	if (o->tx) {
		if (o->n == LR_BURST_MAX)
			tx_send(w, o);
		o->burst[o->n++] = m;
		return;
	}
	if (!o->spill && o->n < o->read && o->n < o->max) {
		o->pkts[o->n++] = m;
		return;
	}
	/* Keep arrival order: from now on everything waits its turn in the heap. */
	o->spill = true;
	if (unlikely(!heap_push(d, m, w->now_us)))
		queue_full(w, m);
}

/* Stage 4: delay. */
static void
stage_delay(struct lr_worker *w, struct fault_dir *d, struct fault_out *o, struct rte_mbuf *m)
{
	uint64_t release;

	if (!d->delay) {
		out_put(w, d, o, m);
		return;
	}
	release = w->now_us + d->conf.delay_us;
	if (d->conf.jitter_us != 0)
		release += rng_below(w->fault, (uint64_t)d->conf.jitter_us + 1);
	if (unlikely(!heap_push(d, m, release))) {
		queue_full(w, m);
		return;
	}
	LR_STAT_INC(w->stats, d->st + ST_DELAYED);
}

/* Stage 3: duplication, then delay for the packet and its copy. */
static void
stage_dup(struct lr_worker *w, struct fault_dir *d, struct fault_out *o, struct rte_mbuf *m)
{
	struct rte_mbuf *copy = NULL;

	if (rng_hit(w->fault, d->conf.dup_ppm)) {
		copy = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
		if (copy != NULL) {
			LR_STAT_INC(w->stats, d->st + ST_DUPLICATED);
			if (o->tx)
				LR_STAT_INC(w->stats, LR_STAT_eth_TX);
		}
	}
	stage_delay(w, d, o, m);
	if (copy != NULL)
		stage_delay(w, d, o, copy);
}

/* Release the held packet alone if it waited LR_FAULT_REORDER_MAX_US. */
static void
held_expire(struct lr_worker *w, struct fault_dir *d, struct fault_out *o)
{
	struct rte_mbuf *h = d->held;

	if (h != NULL && w->now_us >= d->held_until_us) {
		d->held = NULL;
		stage_dup(w, d, o, h);
	}
}

/* The IPv4 header of a frame (untagged or one 802.1Q tag), in its first segment;
 * NULL when it is no IPv4 frame or the header is not all there. */
static struct rte_ipv4_hdr *
frame_ipv4(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t off = sizeof(*eh);
	rte_be16_t type;

	if (m->data_len < off + sizeof(struct rte_ipv4_hdr))
		return NULL;
	type = eh->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		off += sizeof(struct rte_vlan_hdr);
		if (m->data_len < off + sizeof(struct rte_ipv4_hdr))
			return NULL;
		type = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *, sizeof(*eh))->eth_proto;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
}

/* CE marking: an ECT packet becomes CE with ce_ppm (RFC 3168 §5: a router "sets the
 * CE codepoint" instead of dropping). The header checksum is recomputed unless a TX
 * offload fills it in. Draws only for ECT packets. */
static void
stage_ce(struct lr_worker *w, struct fault_dir *d, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = frame_ipv4(m);
	uint8_t ecn;

	if (ip == NULL || (ip->version_ihl >> 4) != 4)
		return;
	ecn = ip->type_of_service & 0x3;
	if (ecn == 0 || ecn == 0x3 || !rng_hit(w->fault, d->conf.ce_ppm))
		return;
	ip->type_of_service |= 0x3;
	if (!(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) &&
			m->data_len >= (uint8_t *)ip - rte_pktmbuf_mtod(m, uint8_t *) +
			rte_ipv4_hdr_len(ip)) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	LR_STAT_INC(w->stats, d->st + ST_CE_MARKED);
}

/* Stages 1 and 2 for one new packet: loss (then CE marking), then reorder. */
static void
fault_one(struct lr_worker *w, struct fault_dir *d, struct fault_out *o, struct rte_mbuf *m)
{
	struct rte_mbuf *h;

	if (rng_hit(w->fault, d->conf.loss_ppm)) {
		rte_pktmbuf_free(m);
		LR_STAT_INC(w->stats, d->st + ST_LOST);
		return;
	}
	if (d->conf.ce_ppm != 0)
		stage_ce(w, d, m);
	h = d->held;
	if (h != NULL) {
		/* The next packet passes the held one. */
		d->held = NULL;
		stage_dup(w, d, o, m);
		stage_dup(w, d, o, h);
		return;
	}
	if (rng_hit(w->fault, d->conf.reorder_ppm)) {
		d->held = m;
		d->held_until_us = w->now_us + LR_FAULT_REORDER_MAX_US;
		LR_STAT_INC(w->stats, d->st + ST_REORDERED);
		return;
	}
	stage_dup(w, d, o, m);
}

/* --- datapath entry points --------------------------------------------------- */

uint16_t
lr_fault_rx(struct lr_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n, uint16_t max)
{
	struct lr_fault_worker *f = w->fault;
	struct fault_out o;
	struct fault_dir *d;
	uint16_t i;

	if (likely(f == NULL) || port >= LR_MAX_PORTS || !f->rx[port].on)
		return n;
	d = &f->rx[port];
	o.pkts = pkts;
	o.n = 0;
	o.max = max;
	o.read = 0;
	o.tx = false;
	/* Packets queued earlier and due now are older than this burst: they go first. */
	o.spill = heap_due(d, w->now_us);
	held_expire(w, d, &o);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		o.read = i + 1;
		fault_one(w, d, &o, m);
	}
	while (o.n < max && heap_due(d, w->now_us))
		pkts[o.n++] = heap_pop(d);
	return o.n;
}

/* The tx_fn installed while TX faults are on: takes every packet it is given. */
static uint16_t
fault_tx(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct lr_fault_worker *f = w->fault;
	struct fault_out o;
	struct fault_dir *d;
	uint16_t i;

	if (port >= LR_MAX_PORTS || !f->tx[port].on)
		return f->orig_tx(w, port, queue, pkts, n);
	d = &f->tx[port];
	o.n = 0;
	o.tx = true;
	o.port = port;
	o.queue = queue;
	held_expire(w, d, &o);
	for (i = 0; i < n; i++)
		fault_one(w, d, &o, pkts[i]);
	tx_send(w, &o);
	return n;
}

void
lr_fault_poll(struct lr_worker *w)
{
	struct lr_fault_worker *f = w->fault;
	struct fault_out o;
	uint16_t port;

	if (likely(f == NULL) || f->orig_tx == NULL)
		return;
	o.tx = true;
	o.queue = w->txq;
	for (port = 0; port < LR_MAX_PORTS; port++) {
		struct fault_dir *d = &f->tx[port];

		if (!d->on)
			continue;
		o.n = 0;
		o.port = port;
		held_expire(w, d, &o);
		while (heap_due(d, w->now_us)) {
			if (o.n == LR_BURST_MAX)
				tx_send(w, &o);
			o.burst[o.n++] = heap_pop(d);
		}
		tx_send(w, &o);
	}
}

/* --- control path -------------------------------------------------------------- */

static int
dir_check(const struct lr_fault_conf *c)
{
	if (c->loss_ppm > PPM_MAX || c->ce_ppm > PPM_MAX || c->dup_ppm > PPM_MAX ||
			c->reorder_ppm > PPM_MAX)
		return -EINVAL;
	return 0;
}

static int
dir_init(struct fault_dir *d, const struct lr_fault_conf *c, enum lr_stat_id st)
{
	d->st = st;
	if (c == NULL || !lr_fault_enabled(c))
		return 0;
	d->conf = *c;
	d->on = true;
	d->delay = c->delay_us != 0 || c->jitter_us != 0;
	d->heap = rte_zmalloc("lr_fault_queue", sizeof(*d->heap) * LR_FAULT_QUEUE_SIZE,
			RTE_CACHE_LINE_SIZE);
	return d->heap != NULL ? 0 : -ENOMEM;
}

static void
dir_fini(struct fault_dir *d)
{
	if (d->held != NULL)
		rte_pktmbuf_free(d->held);
	d->held = NULL;
	while (d->nb > 0)
		rte_pktmbuf_free(d->heap[--d->nb].m);
	rte_free(d->heap);
	d->heap = NULL;
}

int
lr_fault_worker_init(struct lr_worker *w, const struct lr_fault_conf rx[LR_MAX_PORTS],
		const struct lr_fault_conf tx[LR_MAX_PORTS], uint64_t seed)
{
	struct lr_fault_worker *f;
	bool any_rx = false, any_tx = false;
	unsigned int p;
	int rc = 0;

	if (w->fault != NULL)
		return -EEXIST;
	for (p = 0; p < LR_MAX_PORTS; p++) {
		if ((rx != NULL && dir_check(&rx[p]) != 0) ||
				(tx != NULL && dir_check(&tx[p]) != 0))
			return -EINVAL;
		any_rx |= rx != NULL && lr_fault_enabled(&rx[p]);
		any_tx |= tx != NULL && lr_fault_enabled(&tx[p]);
	}
	if (!any_rx && !any_tx)
		return 0;
	f = rte_zmalloc("lr_fault", sizeof(*f), RTE_CACHE_LINE_SIZE);
	if (f == NULL)
		return -ENOMEM;
	f->rng = rng_seed(seed ^ w->id);
	for (p = 0; p < LR_MAX_PORTS && rc == 0; p++) {
		rc = dir_init(&f->rx[p], rx != NULL ? &rx[p] : NULL, LR_STAT_fault_RX_LOST);
		if (rc == 0)
			rc = dir_init(&f->tx[p], tx != NULL ? &tx[p] : NULL, LR_STAT_fault_TX_LOST);
	}
	w->fault = f;
	if (rc != 0) {
		lr_fault_worker_fini(w);
		return rc;
	}
	if (any_tx) {
		f->orig_tx = w->tx_fn;
		w->tx_fn = fault_tx;
	}
	return 0;
}

void
lr_fault_worker_fini(struct lr_worker *w)
{
	struct lr_fault_worker *f = w->fault;
	unsigned int p;

	if (f == NULL)
		return;
	/* Frames still in w->tx[] leave through the original tx_fn at the next flush. */
	if (f->orig_tx != NULL)
		w->tx_fn = f->orig_tx;
	for (p = 0; p < LR_MAX_PORTS; p++) {
		dir_fini(&f->rx[p]);
		dir_fini(&f->tx[p]);
	}
	w->fault = NULL;
	rte_free(f);
}
