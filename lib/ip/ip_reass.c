/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly (RFC 791 3.2, RFC 815), bounded by buffers and memory.
 *
 * Every fragment kept goes through lr_mbuf_hold(): it is copied out of the RX pool it
 * arrived in and charged to the worker's budget (LR_MEM_IP_REASS), so fragments never
 * pin receive buffers. Three bounds, each making room by evicting the OLDEST
 * incomplete datagrams (ip FRAG_EVICTED per fragment), as Linux's inet_frag_evictor()
 * evicted from its LRU once ipfrag_high_thresh was reached:
 *  - [ip] frag_max_bufs: mbufs held by all datagrams of the worker;
 *  - [ip] frag_max_flows: datagrams in progress;
 *  - the worker's memory budget (w->mem, [app] mem_high).
 * Under memory pressure (the budget's level, lr_mem_pressure()) reassembly gives back
 * first, as Linux did between ipfrag_high_thresh and ipfrag_low_thresh: a fragment that
 * would start a new datagram is refused (ip FRAG_PRESSURE_REFUSED) and the oldest
 * datagrams are evicted until at most [ip] frag_low_bufs mbufs are held (ip
 * FRAG_PRESSURE_EVICTED per fragment), on each fragment and each tick; fragments of
 * datagrams in progress are still taken, so those can complete.
 * A datagram not complete frag_timeout_ms after its first fragment is freed (ip
 * FRAG_TIMEOUT per fragment; Linux ipfrag_time). Overlaps discard the whole datagram
 * and exact or covered duplicates only the new fragment (ip FRAG_BAD), as Linux does
 * since 4.19 (inet_frag_queue_insert(): IPFRAG_OVERLAP, IPFRAG_DUP).
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "ip_internal.h"

static inline uint32_t
key_hash(const struct lr_ip_reass *r, rte_be32_t src, rte_be32_t dst, rte_be16_t id,
		uint8_t proto)
{
	return rte_jhash_3words(src, dst, (uint32_t)id << 8 | proto, r->seed) & r->bucket_mask;
}

int
lr_ip_reass_init(struct lr_ip_reass *r)
{
	uint32_t flows = RTE_MAX(lr_ip_conf_cur.frag_max_flows, 1u);
	uint32_t bufs = RTE_MAX(lr_ip_conf_cur.frag_max_bufs, 1u);
	uint32_t nb_buckets = rte_align32pow2(flows * 2), i;

	memset(r, 0, sizeof(*r));
	r->dgrams = rte_zmalloc("lr_ip_dgrams", sizeof(*r->dgrams) * flows, RTE_CACHE_LINE_SIZE);
	r->ents = rte_zmalloc("lr_ip_frags", sizeof(*r->ents) * bufs, RTE_CACHE_LINE_SIZE);
	r->buckets = rte_malloc("lr_ip_buckets", sizeof(*r->buckets) * nb_buckets, 0);
	if (r->dgrams == NULL || r->ents == NULL || r->buckets == NULL) {
		rte_free(r->dgrams);
		rte_free(r->ents);
		rte_free(r->buckets);
		memset(r, 0, sizeof(*r));
		return -ENOMEM;
	}
	for (i = 0; i < nb_buckets; i++)
		r->buckets[i] = IP_REASS_NONE;
	for (i = 0; i < flows; i++)
		r->dgrams[i].hnext = i + 1 < flows ? i + 1 : IP_REASS_NONE;
	for (i = 0; i < bufs; i++)
		r->ents[i].next = i + 1 < bufs ? i + 1 : IP_REASS_NONE;
	r->bucket_mask = nb_buckets - 1;
	r->max_bufs = bufs;
	r->low_bufs = lr_ip_conf_cur.frag_low_bufs;
	/* Keyed: a peer cannot aim every datagram at one bucket. */
	r->seed = (uint32_t)rte_rand();
	r->timeout_us = (uint64_t)lr_ip_conf_cur.frag_timeout_ms * 1000;
	TAILQ_INIT(&r->age);
	return 0;
}

/* Give back a datagram's charge, buffers, fragment entries and slot. The fragments'
 * mbufs are the caller's (freed, or chained into the datagram). */
static void
dgram_release(struct lr_worker *w, struct lr_ip_reass *r, struct ip_dgram *d)
{
	uint32_t idx = (uint32_t)(d - r->dgrams), e, next;
	uint32_t *pp = &r->buckets[key_hash(r, d->src, d->dst, d->id, d->proto)];

	for (e = d->first; e != IP_REASS_NONE; e = next) {
		next = r->ents[e].next;
		r->ents[e].m = NULL;
		r->ents[e].next = r->free_ent;
		r->free_ent = e;
	}
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_IP_REASS, d->charged);
	r->bufs -= d->bufs;
	while (*pp != idx)
		pp = &r->dgrams[*pp].hnext;
	*pp = d->hnext;
	TAILQ_REMOVE(&r->age, d, age);
	d->hnext = r->free_dgram;
	r->free_dgram = idx;
	r->nb_dgrams--;
}

/* Free a datagram and its fragments; count each fragment under reason (or none). */
static void
dgram_drop(struct lr_worker *w, struct lr_ip_reass *r, struct ip_dgram *d,
		enum lr_stat_id reason)
{
	uint32_t e;

	for (e = d->first; e != IP_REASS_NONE; e = r->ents[e].next)
		rte_pktmbuf_free(r->ents[e].m);
	if (reason != LR_STAT_MAX)
		LR_STAT_ADD(w->stats, reason, d->nb_frags);
	dgram_release(w, r, d);
}

void
lr_ip_reass_fini(struct lr_worker *w, struct lr_ip_reass *r)
{
	struct ip_dgram *d;

	if (r->dgrams == NULL)
		return;
	while ((d = TAILQ_FIRST(&r->age)) != NULL)
		dgram_drop(w, r, d, LR_STAT_MAX);
	rte_free(r->dgrams);
	rte_free(r->ents);
	rte_free(r->buckets);
	memset(r, 0, sizeof(*r));
}

/* Under memory pressure: the oldest datagrams go until frag_low_bufs are held. */
static void
reass_shed(struct lr_worker *w, struct lr_ip_reass *r)
{
	struct ip_dgram *d;

	while (r->bufs > r->low_bufs && (d = TAILQ_FIRST(&r->age)) != NULL)
		dgram_drop(w, r, d, LR_STAT_ip_FRAG_PRESSURE_EVICTED);
}

void
lr_ip_reass_expire(struct lr_worker *w, struct lr_ip_reass *r)
{
	struct ip_dgram *d;

	while ((d = TAILQ_FIRST(&r->age)) != NULL && w->now_us - d->start_us > r->timeout_us)
		dgram_drop(w, r, d, LR_STAT_ip_FRAG_TIMEOUT);
	if (unlikely(lr_mem_pressure(&w->mem)))
		reass_shed(w, r);
}

/* Evict the oldest incomplete datagram. @return false if there is none */
static bool
evict_oldest(struct lr_worker *w, struct lr_ip_reass *r)
{
	struct ip_dgram *d = TAILQ_FIRST(&r->age);

	if (d == NULL)
		return false;
	dgram_drop(w, r, d, LR_STAT_ip_FRAG_EVICTED);
	return true;
}

/* What keeping m will cost in truesize: lr_mbuf_hold() packs it into data-pool mbufs. */
static uint32_t
hold_cost(const struct lr_worker *w, const struct rte_mbuf *m)
{
	uint32_t buf = rte_pktmbuf_data_room_size(w->pool);
	uint32_t room = buf - RTE_PKTMBUF_HEADROOM;
	uint32_t segs = RTE_MAX((rte_pktmbuf_pkt_len(m) + room - 1) / room, 1u);

	return segs * ((uint32_t)sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(w->pool) + buf);
}

static struct ip_dgram *
dgram_find(struct lr_ip_reass *r, const struct rte_ipv4_hdr *ip)
{
	uint32_t i = r->buckets[key_hash(r, ip->src_addr, ip->dst_addr, ip->packet_id,
			ip->next_proto_id)];

	for (; i != IP_REASS_NONE; i = r->dgrams[i].hnext) {
		struct ip_dgram *d = &r->dgrams[i];

		if (d->src == ip->src_addr && d->dst == ip->dst_addr &&
				d->id == ip->packet_id && d->proto == ip->next_proto_id)
			return d;
	}
	return NULL;
}

/* A new datagram for ip's key; the table has a free slot. */
static struct ip_dgram *
dgram_new(struct lr_worker *w, struct lr_ip_reass *r, const struct rte_ipv4_hdr *ip)
{
	uint32_t idx = r->free_dgram, *bucket;
	struct ip_dgram *d = &r->dgrams[idx];

	r->free_dgram = d->hnext;
	memset(d, 0, sizeof(*d));
	d->src = ip->src_addr;
	d->dst = ip->dst_addr;
	d->id = ip->packet_id;
	d->proto = ip->next_proto_id;
	d->first = IP_REASS_NONE;
	d->start_us = w->now_us;
	bucket = &r->buckets[key_hash(r, d->src, d->dst, d->id, d->proto)];
	d->hnext = *bucket;
	*bucket = idx;
	TAILQ_INSERT_TAIL(&r->age, d, age);
	r->nb_dgrams++;
	return d;
}

/* The whole datagram as one chain: the first fragment, then each payload in order.
 * RFC 3168 §5.3: "if any fragment of an IP packet to be reassembled has the CE codepoint
 * set, then one of two actions MUST be taken: Set the CE codepoint on the reassembled
 * packet. However, this MUST NOT occur if any of the other fragments contributing to this
 * reassembly carries the Not-ECT codepoint. [Or] The packet is dropped". As Linux
 * (ip_frag_ecn_table), Not-ECT mixed with ECT or CE is dropped, CE with ECT gives CE. */
static struct rte_mbuf *
dgram_build(struct lr_worker *w, struct lr_ip_reass *r, struct ip_dgram *d)
{
	struct rte_mbuf *head = r->ents[d->first].m;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(head, struct rte_ipv4_hdr *);
	uint32_t e;
	int rc = 0;

	if ((d->ecn_seen & (1u << LR_IP_ECN_NOT_ECT)) &&
			(d->ecn_seen & ~(1u << LR_IP_ECN_NOT_ECT))) {
		dgram_drop(w, r, d, LR_STAT_ip_FRAG_ECN_MIXED);
		return NULL;
	}
	if ((d->ecn_seen & (1u << LR_IP_ECN_CE)) &&
			(ip->type_of_service & LR_IP_ECN_MASK) != LR_IP_ECN_CE) {
		ip->type_of_service |= LR_IP_ECN_CE;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}

	for (e = r->ents[d->first].next; e != IP_REASS_NONE; e = r->ents[e].next) {
		struct rte_mbuf *f = r->ents[e].m;

		rte_pktmbuf_adj(f, r->ents[e].hlen);
		if (rc == 0)
			rc = rte_pktmbuf_chain(head, f);
		if (rc != 0)
			rte_pktmbuf_free(f); /* more segments than a chain holds */
	}
	dgram_release(w, r, d);
	if (rc != 0) {
		lr_drop(w, head, LR_STAT_ip_FRAG_TOO_BIG);
		return NULL;
	}
	return head;
}

/*
 * Insert a held fragment (charged bytes) into d at its offset. @return the whole
 * datagram when this completes it, else NULL
 */
static struct rte_mbuf *
frag_insert(struct lr_worker *w, struct lr_ip_reass *r, struct ip_dgram *d,
		struct rte_mbuf *m, uint16_t hlen, uint32_t charged)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t off = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t len = rte_pktmbuf_pkt_len(m) - hlen, end = off + len;
	uint32_t prev = IP_REASS_NONE, next = d->first, last = IP_REASS_NONE, e;
	bool more = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;

	for (e = d->first; e != IP_REASS_NONE; e = r->ents[e].next)
		last = e;
	while (next != IP_REASS_NONE && r->ents[next].off <= off) {
		prev = next;
		next = r->ents[next].next;
	}
	/* Covered by a fragment we hold: a duplicate, only it goes. */
	if (prev != IP_REASS_NONE && end <= (uint32_t)r->ents[prev].off + r->ents[prev].len)
		goto dup;
	/* The last fragment fixes the length: nothing may end beyond it, nor differ. */
	if ((!more && ((d->has_last && end != d->total) || (last != IP_REASS_NONE &&
			(uint32_t)r->ents[last].off + r->ents[last].len > end))) ||
			(more && d->has_last && end > d->total) ||
			(prev != IP_REASS_NONE &&
			off < (uint32_t)r->ents[prev].off + r->ents[prev].len) ||
			(next != IP_REASS_NONE && end > r->ents[next].off))
		goto overlap;
	e = r->free_ent;
	r->free_ent = r->ents[e].next;
	r->ents[e] = (struct ip_frag_ent){ .m = m, .off = (uint16_t)off, .len = (uint16_t)len,
			.hlen = hlen, .next = next };
	if (prev == IP_REASS_NONE)
		d->first = e;
	else
		r->ents[prev].next = e;
	d->have += len;
	d->nb_frags++;
	d->bufs += m->nb_segs;
	r->bufs += m->nb_segs;
	d->charged += charged;
	d->ecn_seen |= 1u << (ip->type_of_service & LR_IP_ECN_MASK);
	if (!more) {
		d->has_last = true;
		d->total = end;
	}
	/* No overlaps: holding total bytes means holding all of them. */
	if (d->has_last && d->have == d->total)
		return dgram_build(w, r, d);
	return NULL;
overlap:
	dgram_drop(w, r, d, LR_STAT_ip_FRAG_BAD);
dup:
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_IP_REASS, charged);
	lr_drop(w, m, LR_STAT_ip_FRAG_BAD);
	return NULL;
}

struct rte_mbuf *
lr_ip_reass_add(struct lr_worker *w, struct lr_ip_reass *r, struct rte_mbuf *m, uint16_t hlen)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t len = rte_pktmbuf_pkt_len(m) - hlen, charged;
	struct ip_dgram *d;

	/* RFC 791: every fragment but the last carries a multiple of 8 bytes, and none is
	 * empty (FreeBSD ip_reass() drops such fragments too). */
	if (len == 0 || ((fo & RTE_IPV4_HDR_MF_FLAG) && (len & 7) != 0)) {
		lr_drop(w, m, LR_STAT_ip_FRAG_BAD);
		return NULL;
	}
	if (unlikely(lr_mem_pressure(&w->mem))) {
		reass_shed(w, r);
		d = dgram_find(r, ip);
		if (d == NULL || w->now_us - d->start_us > r->timeout_us) {
			lr_drop(w, m, LR_STAT_ip_FRAG_PRESSURE_REFUSED);
			return NULL;
		}
	}
	/* Room in the budget, then in buffers and datagrams: the oldest go first. */
	while (lr_mem_room(&w->mem) < hold_cost(w, m) && evict_oldest(w, r))
		;
	m = lr_mbuf_hold(w, m, LR_MEM_IP_REASS, &charged);
	if (m == NULL) {
		LR_STAT_INC(w->stats, LR_STAT_ip_FRAG_NOMEM);
		return NULL;
	}
	while (r->bufs + m->nb_segs > r->max_bufs && evict_oldest(w, r))
		;
	if (r->bufs + m->nb_segs > r->max_bufs || r->free_ent == IP_REASS_NONE) {
		/* One fragment alone needs more than frag_max_bufs. */
		lr_mem_uncharge(&w->mem, w->stats, LR_MEM_IP_REASS, charged);
		lr_drop(w, m, LR_STAT_ip_FRAG_NOMEM);
		return NULL;
	}
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	d = dgram_find(r, ip);
	if (d != NULL && w->now_us - d->start_us > r->timeout_us) {
		/* Expired since the last tick: it does not take this fragment. */
		dgram_drop(w, r, d, LR_STAT_ip_FRAG_TIMEOUT);
		d = NULL;
	}
	if (d == NULL) {
		if (unlikely(lr_mem_pressure(&w->mem))) {
			/* its datagram was evicted for room on the way */
			lr_mem_uncharge(&w->mem, w->stats, LR_MEM_IP_REASS, charged);
			lr_drop(w, m, LR_STAT_ip_FRAG_PRESSURE_REFUSED);
			return NULL;
		}
		if (r->free_dgram == IP_REASS_NONE)
			evict_oldest(w, r);
		d = dgram_new(w, r, ip);
	}
	return frag_insert(w, r, d, m, hlen, charged);
}
