/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826): responder, per-worker cache, next-hop resolution with bounded
 * queues of packets waiting for an answer, gratuitous ARP.
 *
 * Entries live like Linux neighbours (NUD, net/core/neighbour.c): REACHABLE for
 * [arp] timeout_ms, then STALE. A STALE entry still used for sending keeps sending
 * with its MAC and goes DELAY, then PROBE: unicast requests to the cached MAC
 * (ucast_probes), then broadcast ones (mcast_probes); any ARP from the neighbour
 * makes it REACHABLE again. Only when every probe went unanswered is it removed, so
 * traffic never stalls or queues at expiry. A STALE entry nobody uses is removed
 * after stale_ms. Only on-link senders are learned, and new entries come only from
 * requests for our address (replies only update what we asked for), like Linux
 * with arp_accept = 0. A full cache evicts its least recently used entry that holds
 * no queued packets.
 *
 * The cache is written only by its worker. The control thread reads entries
 * through a per-entry seqcount, so it never sees a half-written MAC. Its timers are
 * in arp_timer.c.
 *
 * Sharing between workers: replicas fed by the one who learns. ARP is handled by
 * whichever worker receives it; a worker that learns or refreshes a neighbour from an
 * ARP packet appends (ip, mac, port) to its own learn log, a ring that only it writes
 * (one seqcount per record, head published with release). Every other worker reads
 * the logs lock-free (lr_arp_sync(): each poll-loop turn, before resolving a miss and
 * in lr_arp_tick()) and applies the records to its own cache, which sends what was
 * waiting there. A reader lapped by a writer skips what was overwritten: at worst it
 * resolves that neighbour itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_seqcount.h>

#include "arp_internal.h"
#include "lr_mbuf.h"

#define ARP_MIN_TABLE 8
#define ARP_LOG_SIZE 256          /* learn records kept per worker (power of two) */

#define ARP_EVICT_SCAN 64        /* entries looked at for the LRU victim */

#define ARP_CONF_DEFAULT { \
	.table_size = 1024, \
	.timeout_ms = 300000, \
	.retry_ms = 1000, \
	.retries = 3, \
	.pending_max = 8, \
	.delay_ms = 5000, \
	.ucast_probes = 3, \
	.mcast_probes = 1, \
	.stale_ms = 60000, \
	.pending_total = 256, \
	.tick_budget = 64, \
}

const struct lr_arp_conf lr_arp_conf_default = ARP_CONF_DEFAULT;
struct lr_arp_conf arp_conf = ARP_CONF_DEFAULT;

/* One learned neighbour, published to the other workers. */
struct arp_learn {
	rte_seqcount_t sc;
	uint64_t idx;               /* position in the log, to detect overwriting */
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint16_t ifidx;
	bool create;                /* a request for us: readers may create the entry */
};

/* A worker's learn log: written by that worker only, read by all the others. */
struct arp_log {
	uint64_t head __rte_cache_aligned;          /* records written (release) */
	struct arp_learn rec[ARP_LOG_SIZE] __rte_cache_aligned;
};

static struct arp_log *arp_logs[LR_MAX_WORKERS];
static uint16_t arp_nb_logs;        /* highest worker id with a log, plus one */

void
lr_arp_configure(const struct lr_arp_conf *conf)
{
	arp_conf = *conf;
	if (arp_conf.table_size < ARP_MIN_TABLE)
		arp_conf.table_size = ARP_MIN_TABLE;
}

int
lr_arp_worker_init(struct lr_worker *w)
{
	struct lr_arp_table *t;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = arp_conf.table_size,
		.key_len = sizeof(rte_be32_t),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint32_t i;

	t = rte_zmalloc("lr_arp", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "lr_arp_%u", w->id);
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto fail;
	t->nb_slots = (uint32_t)rte_hash_max_key_id(t->hash) + 1;
	t->pending_max = arp_conf.pending_max;
	t->entries = rte_zmalloc("lr_arp_entries", sizeof(*t->entries) * t->nb_slots,
			RTE_CACHE_LINE_SIZE);
	t->log = rte_zmalloc("lr_arp_log", sizeof(*t->log), RTE_CACHE_LINE_SIZE);
	t->pending_store = rte_zmalloc("lr_arp_pending",
			sizeof(struct rte_mbuf *) * t->nb_slots * (t->pending_max + 1), 0);
	if (t->entries == NULL || t->pending_store == NULL || t->log == NULL ||
			w->id >= LR_MAX_WORKERS)
		goto fail;
	for (i = 0; i < t->nb_slots; i++) {
		rte_seqcount_init(&t->entries[i].sc);
		t->entries[i].pending = &t->pending_store[i * (t->pending_max + 1)];
		t->entries[i].tprev = ARP_NIL;
		t->entries[i].tnext = ARP_NIL;
	}
	for (i = 0; i < ARP_Q_NB; i++) {
		t->tq_head[i] = ARP_NIL;
		t->tq_tail[i] = ARP_NIL;
	}
	for (i = 0; i < ARP_LOG_SIZE; i++)
		rte_seqcount_init(&t->log->rec[i].sc);
	/* Start reading every other log at its current head: old news is not ours. */
	for (i = 0; i < LR_MAX_WORKERS; i++)
		if (arp_logs[i] != NULL)
			t->seen[i] = __atomic_load_n(&arp_logs[i]->head, __ATOMIC_ACQUIRE);
	w->arp = t;
	__atomic_store_n(&arp_logs[w->id], t->log, __ATOMIC_RELEASE);
	if (w->id >= arp_nb_logs)
		arp_nb_logs = w->id + 1;
	return 0;
fail:
	rte_free(t->log);
	rte_hash_free(t->hash);
	rte_free(t->entries);
	rte_free(t->pending_store);
	rte_free(t);
	return -ENOMEM;
}

/* A queued packet leaves the queue: give back what entry_queue() charged (the
 * packet is unchanged while queued, so its truesize is what was charged). */
static void
pending_uncharge(struct lr_worker *w, struct rte_mbuf *m)
{
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_ARP_QUEUE, lr_mbuf_truesize(m));
}

void
arp_entry_drop_pending(struct lr_worker *w, struct arp_entry *e)
{
	uint32_t i;

	for (i = 0; i < e->nb_pending; i++) {
		pending_uncharge(w, e->pending[i]);
		lr_drop(w, e->pending[i], LR_STAT_arp_UNRESOLVED);
	}
	w->arp->pending_total -= e->nb_pending;
	e->nb_pending = 0;
}

void
lr_arp_worker_fini(struct lr_worker *w)
{
	struct lr_arp_table *t = w->arp;
	uint32_t i;

	if (t == NULL)
		return;
	if (w->id < LR_MAX_WORKERS && arp_logs[w->id] == t->log)
		__atomic_store_n(&arp_logs[w->id], NULL, __ATOMIC_RELEASE);
	for (i = 0; i < t->nb_slots; i++) {
		uint32_t j;

		for (j = 0; j < t->entries[i].nb_pending; j++) {
			pending_uncharge(w, t->entries[i].pending[j]);
			rte_pktmbuf_free(t->entries[i].pending[j]);
		}
	}
	rte_hash_free(t->hash);
	rte_free(t->entries);
	rte_free(t->pending_store);
	rte_free(t->log);
	rte_free(t);
	w->arp = NULL;
}

static struct arp_entry *
entry_find(struct lr_arp_table *t, rte_be32_t ip)
{
	struct arp_entry *e = t->last;
	int32_t pos;

	/* Every segment a connection sends goes to the same next hop: the last entry
	 * found is asked first (a used slot holding ip is the table's entry for ip, a
	 * deleted or reused one fails the test), not rte_hash_lookup() and its jhash,
	 * ~110 instructions a packet. */
	if (likely(e != NULL && e->used && e->ip == ip))
		return e;
	pos = rte_hash_lookup(t->hash, &ip);
	if (pos < 0)
		return NULL;
	t->last = &t->entries[pos];
	return t->last;
}

/*
 * Make room: remove the least recently used entry that holds no queued packets
 * (Linux evicts at gc_thresh3 the same way, neigh_forced_gc()). Looks at
 * ARP_EVICT_SCAN entries from a rotating hand, so the work per eviction is bounded;
 * a table of at most that many entries gets an exact LRU.
 */
static bool
entry_evict(struct lr_worker *w)
{
	struct lr_arp_table *t = w->arp;
	struct arp_entry *victim = NULL;
	uint32_t i, n = RTE_MIN(t->nb_slots, (uint32_t)ARP_EVICT_SCAN);

	for (i = 0; i < n; i++) {
		struct arp_entry *e = &t->entries[(t->evict_hand + i) % t->nb_slots];

		if (e->used && e->nb_pending == 0 &&
				(victim == NULL || e->used_us < victim->used_us))
			victim = e;
	}
	t->evict_hand = (t->evict_hand + n) % t->nb_slots;
	if (victim == NULL)
		return false;
	LR_STAT_INC(w->stats, LR_STAT_arp_EVICTED);
	arp_entry_delete(w, victim);
	return true;
}

static struct arp_entry *
entry_create(struct lr_worker *w, rte_be32_t ip, uint16_t ifidx)
{
	struct lr_arp_table *t = w->arp;
	struct arp_entry *e;
	int32_t pos;

	pos = rte_hash_add_key(t->hash, &ip);
	if (pos == -ENOSPC && entry_evict(w))
		pos = rte_hash_add_key(t->hash, &ip);
	if (pos < 0 || (uint32_t)pos >= t->nb_slots) {
		if (pos >= 0)
			rte_hash_del_key(t->hash, &ip);
		return NULL;
	}
	e = &t->entries[pos];
	rte_seqcount_write_begin(&e->sc);
	e->used = true;
	e->ip = ip;
	e->ifidx = ifidx;
	e->state = LR_ARP_INCOMPLETE;
	memset(&e->mac, 0, sizeof(e->mac));
	e->tries = 0;
	e->nb_pending = 0;
	e->expires_us = 0;
	e->used_us = w->now_us;
	rte_seqcount_write_end(&e->sc);
	arp_timer_file(t, e, ARP_Q_NOW);
	return e;
}

void
arp_entry_delete(struct lr_worker *w, struct arp_entry *e)
{
	rte_be32_t ip = e->ip;

	arp_timer_unlink(w->arp, e);
	rte_seqcount_write_begin(&e->sc);
	e->used = false;
	rte_seqcount_write_end(&e->sc);
	rte_hash_del_key(w->arp->hash, &ip);
}

/* Record a MAC for an entry and send what waited for it. */
static void
entry_resolve(struct lr_worker *w, struct arp_entry *e, const struct rte_ether_addr *mac,
		uint16_t ifidx)
{
	const struct lr_iface *ifc;
	uint32_t i, n;

	rte_seqcount_write_begin(&e->sc);
	e->mac = *mac;
	e->ifidx = ifidx;
	e->state = LR_ARP_REACHABLE;
	e->expires_us = w->now_us + (uint64_t)arp_conf.timeout_ms * 1000;
	e->tries = 0;
	n = e->nb_pending;
	e->nb_pending = 0;
	rte_seqcount_write_end(&e->sc);
	arp_timer_file(w->arp, e, ARP_Q_REACH);
	w->arp->pending_total -= n;

	ifc = lr_iface_at(ifidx);
	for (i = 0; i < n; i++) {
		pending_uncharge(w, e->pending[i]);
		if (ifc == NULL)
			lr_drop(w, e->pending[i], LR_STAT_arp_UNRESOLVED);
		else
			lr_eth_send(w, e->pending[i], ifc, mac, RTE_ETHER_TYPE_IPV4);
	}
}

/* Tell the other workers what this one learned from an ARP packet. */
static void
arp_publish(struct lr_worker *w, rte_be32_t ip, const struct rte_ether_addr *mac,
		uint16_t ifidx, bool create)
{
	struct arp_log *log = w->arp->log;
	uint64_t idx = log->head;
	struct arp_learn *r = &log->rec[idx & (ARP_LOG_SIZE - 1)];

	if (arp_nb_logs <= 1)
		return;
	rte_seqcount_write_begin(&r->sc);
	r->idx = idx;
	r->ip = ip;
	r->mac = *mac;
	r->ifidx = ifidx;
	r->create = create;
	rte_seqcount_write_end(&r->sc);
	__atomic_store_n(&log->head, idx + 1, __ATOMIC_RELEASE);
}

/* A neighbour another worker heard from: update our replica of it, or create one
 * if it came from a request for us. */
static void
arp_apply(struct lr_worker *w, rte_be32_t ip, const struct rte_ether_addr *mac,
		uint16_t ifidx, bool create)
{
	struct arp_entry *e = entry_find(w->arp, ip);
	bool asked = e != NULL && e->state == LR_ARP_INCOMPLETE;

	if (e == NULL && create)
		e = entry_create(w, ip, ifidx);
	if (e == NULL)
		return;
	entry_resolve(w, e, mac, ifidx);
	/* The answer to our request reached another worker, which could not tell it
	 * was solicited: now it is, so every worker may replicate it. */
	if (asked && !create)
		arp_publish(w, ip, mac, ifidx, true);
}

/* Apply the records of one other worker's log we have not seen yet. */
static void
arp_sync_from(struct lr_worker *w, uint16_t from, const struct arp_log *log)
{
	struct lr_arp_table *t = w->arp;
	uint64_t head = __atomic_load_n(&log->head, __ATOMIC_ACQUIRE);
	uint64_t i = t->seen[from];

	if (head - i > ARP_LOG_SIZE) {
		t->lapped += head - ARP_LOG_SIZE - i;
		i = head - ARP_LOG_SIZE;
	}
	for (; i < head; i++) {
		const struct arp_learn *r = &log->rec[i & (ARP_LOG_SIZE - 1)];
		struct rte_ether_addr mac;
		rte_be32_t ip;
		uint16_t ifidx;
		uint64_t idx;
		uint32_t seq;
		bool create;

		do {
			seq = rte_seqcount_read_begin(&r->sc);
			idx = r->idx;
			ip = r->ip;
			mac = r->mac;
			ifidx = r->ifidx;
			create = r->create;
		} while (rte_seqcount_read_retry(&r->sc, seq));
		if (idx != i) {        /* overwritten meanwhile by a newer record */
			t->lapped++;
			continue;
		}
		arp_apply(w, ip, &mac, ifidx, create);
		t->synced++;
	}
	t->seen[from] = head;
}

void
lr_arp_sync(struct lr_worker *w)
{
	uint16_t j, n = arp_nb_logs;

	if (n <= 1 || w->arp == NULL)
		return;
	for (j = 0; j < n; j++) {
		const struct arp_log *log = __atomic_load_n(&arp_logs[j], __ATOMIC_ACQUIRE);

		if (j != w->id && log != NULL &&
				__atomic_load_n(&log->head, __ATOMIC_RELAXED) != w->arp->seen[j])
			arp_sync_from(w, j, log);
	}
}

static void
arp_send(struct lr_worker *w, const struct lr_iface *ifc, uint16_t op,
		const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *tha,
		rte_be32_t tip, rte_be32_t sip)
{
	struct rte_mbuf *m = lr_alloc(w);
	struct rte_arp_hdr *a;

	if (m == NULL)
		return;
	a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(rte_be32_t);
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = ifc->mac;
	a->arp_data.arp_sip = sip;
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = tip;
	lr_eth_send(w, m, ifc, eth_dst, RTE_ETHER_TYPE_ARP);
}

static const struct rte_ether_addr arp_bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

/* A request for target, broadcast, or unicast to dst (a probe of a stale entry,
 * RFC 1122 2.3.2.1; target hardware address left zero as Linux does). */
void
arp_request(struct lr_worker *w, const struct lr_iface *ifc, rte_be32_t target,
		const struct rte_ether_addr *dst)
{
	static const struct rte_ether_addr zero;

	arp_send(w, ifc, RTE_ARP_OP_REQUEST, dst != NULL ? dst : &arp_bcast, &zero, target,
			ifc->ip);
	LR_STAT_INC(w->stats, LR_STAT_arp_TX_REQUEST);
}

void
lr_arp_send_gratuitous(struct lr_worker *w, const struct lr_iface *ifc)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;

	/* RFC 5227 2.4: an announcement is a request with sender = target = our address. */
	arp_send(w, ifc, RTE_ARP_OP_REQUEST, &bcast, &zero, ifc->ip, ifc->ip);
	LR_STAT_INC(w->stats, LR_STAT_arp_TX_GRATUITOUS);
}

/*
 * What an ARP packet from sip teaches. RFC 826: an entry we hold is updated
 * whatever the target (merge). A new entry only from a request for us (Linux
 * arp_accept = 0: no entries from unsolicited replies or gratuitous ARP); a reply
 * for us is still published, as the worker that asked may be another one.
 */
static void
arp_learn(struct lr_worker *w, rte_be32_t sip, const struct rte_ether_addr *sha,
		uint16_t ifidx, bool for_us, bool may_create)
{
	struct arp_entry *e = entry_find(w->arp, sip);

	if (e == NULL && may_create)
		e = entry_create(w, sip, ifidx);
	if (e != NULL) {
		entry_resolve(w, e, sha, ifidx);
		LR_STAT_INC(w->stats, LR_STAT_arp_LEARNED);
	}
	/* Others may replicate what answers us from a neighbour we asked or hold. */
	if (e != NULL || for_us)
		arp_publish(w, sip, sha, ifidx, for_us && (may_create || e != NULL));
}

void
lr_arp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc)
{
	struct rte_arp_hdr *a;
	struct rte_ether_addr requester;
	rte_be32_t sip, tip;
	bool for_us;
	uint16_t op;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*a))) {
		lr_drop(w, m, LR_STAT_arp_TRUNCATED);
		return;
	}
	a = rte_pktmbuf_mtod(m, struct rte_arp_hdr *);
	if (unlikely(a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
			a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != sizeof(rte_be32_t))) {
		lr_drop(w, m, LR_STAT_arp_BAD_FORMAT);
		return;
	}
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (unlikely(op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)) {
		lr_drop(w, m, LR_STAT_arp_BAD_OP);
		return;
	}
	LR_STAT_INC(w->stats, op == RTE_ARP_OP_REQUEST ? LR_STAT_arp_RX_REQUEST :
			LR_STAT_arp_RX_REPLY);
	sip = a->arp_data.arp_sip;
	tip = a->arp_data.arp_tip;
	/* Sender must be a unicast MAC other than ours, with an address we could use.
	 * sip 0 is an RFC 5227 probe: answered below if it asks for us, never learned.
	 */
	if (unlikely(!rte_is_unicast_ether_addr(&a->arp_data.arp_sha) ||
			rte_is_same_ether_addr(&a->arp_data.arp_sha, &ifc->mac) ||
			lr_iface_has_ip(ifc, sip) || (sip != 0 && lr_ip_is_martian_src(sip)))) {
		lr_drop(w, m, LR_STAT_arp_BAD_SENDER);
		return;
	}

	/* Learn only neighbours on the link (Linux: a sender outside the interface's
	 * subnets fails the rp_filter / inet_addr_onlink() checks). */
	if (unlikely(sip != 0 && ((sip ^ ifc->ip) & ifc->netmask) != 0)) {
		lr_drop(w, m, LR_STAT_arp_NOT_ON_LINK);
		return;
	}
	/* For us: the interface's address or any of its range (one compare). */
	for_us = lr_iface_has_ip(ifc, tip);
	if (sip != 0)
		arp_learn(w, sip, &a->arp_data.arp_sha, ifc->idx, for_us,
				op == RTE_ARP_OP_REQUEST && for_us);
	if (!for_us) {
		lr_drop(w, m, LR_STAT_arp_NOT_FOR_US);
		return;
	}
	if (op != RTE_ARP_OP_REQUEST) {
		lr_consume(m);
		return;
	}

	/* Turn the request into the reply: swap sender and target, fill our MAC. */
	requester = a->arp_data.arp_sha;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = requester;
	a->arp_data.arp_tip = sip;
	a->arp_data.arp_sha = ifc->mac;
	a->arp_data.arp_sip = tip; /* the address asked for, which may be in the range */
	lr_mbuf_keep(m, sizeof(*a));
	LR_STAT_INC(w->stats, LR_STAT_arp_TX_REPLY);
	lr_eth_send(w, m, ifc, &requester, RTE_ETHER_TYPE_ARP);
}

bool
lr_arp_lookup(struct lr_worker *w, rte_be32_t ip, struct rte_ether_addr *mac)
{
	struct arp_entry *e = entry_find(w->arp, ip);

	if (e == NULL || e->state == LR_ARP_INCOMPLETE)
		return false;
	if (mac != NULL)
		*mac = e->mac;
	return true;
}

/* A packet leaves through an entry with a MAC: it is in use. A STALE one starts
 * its confirmation (DELAY, then probes) while the packets keep its MAC. */
static inline void
entry_use(struct lr_worker *w, struct arp_entry *e)
{
	e->used_us = w->now_us;
	if (unlikely(e->state == LR_ARP_REACHABLE && e->expires_us <= w->now_us))
		arp_entry_go_stale(w, e);
	if (unlikely(e->state == LR_ARP_STALE))
		arp_entry_set_state(w, e, LR_ARP_DELAY, ARP_Q_DELAY, arp_conf.delay_ms);
}

/* Queue m on an entry being resolved, within the entry's and the worker's bounds. */
static void
entry_queue(struct lr_worker *w, struct arp_entry *e, struct rte_mbuf *m,
		const struct lr_iface *ifc, rte_be32_t nexthop)
{
	struct lr_arp_table *t = w->arp;
	uint32_t charged;

	if (e->nb_pending >= t->pending_max) {
		lr_drop(w, m, LR_STAT_arp_PENDING_FULL);
		return;
	}
	if (t->pending_total >= arp_conf.pending_total) {
		lr_drop(w, m, LR_STAT_arp_PENDING_LIMIT);
		return;
	}
	/* Held until resolved: out of the RX pool it may sit in (a reply built in
	 * place), charged to the worker's budget by what it costs. */
	m = lr_mbuf_hold(w, m, LR_MEM_ARP_QUEUE, &charged);
	if (m == NULL) {
		LR_STAT_INC(w->stats, LR_STAT_arp_PENDING_NOMEM);
		return;
	}
	rte_seqcount_write_begin(&e->sc);
	e->pending[e->nb_pending++] = m;
	rte_seqcount_write_end(&e->sc);
	t->pending_total++;
	LR_STAT_INC(w->stats, LR_STAT_arp_QUEUED);
	if (e->tries == 0) {
		rte_seqcount_write_begin(&e->sc);
		e->tries = 1;
		e->expires_us = w->now_us + (uint64_t)arp_conf.retry_ms * 1000;
		rte_seqcount_write_end(&e->sc);
		arp_timer_file(t, e, ARP_Q_RETRY);
		arp_request(w, ifc, nexthop, NULL);
	}
}

void
lr_eth_output_ipv4(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		rte_be32_t nexthop)
{
	struct arp_entry *e = entry_find(w->arp, nexthop);

	if (unlikely(e == NULL || e->state == LR_ARP_INCOMPLETE)) {
		/* Another worker may have learned it since this turn began. */
		lr_arp_sync(w);
		e = entry_find(w->arp, nexthop);
	}
	if (likely(e != NULL && e->state != LR_ARP_INCOMPLETE)) {
		entry_use(w, e);
		lr_eth_send(w, m, ifc, &e->mac, RTE_ETHER_TYPE_IPV4);
		return;
	}
	if (e == NULL) {
		e = entry_create(w, nexthop, ifc->idx);
		if (e == NULL) {
			lr_drop(w, m, LR_STAT_arp_TABLE_FULL);
			return;
		}
	}
	entry_queue(w, e, m, ifc, nexthop);
}

unsigned int
lr_arp_walk(const struct lr_worker *w, int (*cb)(const struct lr_arp_entry_info *e, void *arg),
		void *arg)
{
	const struct lr_arp_table *t = w->arp;
	const struct lr_iface *ifc;
	struct lr_arp_entry_info info;
	unsigned int n = 0;
	uint32_t i, seq;
	bool used;

	if (t == NULL)
		return 0;
	for (i = 0; i < t->nb_slots; i++) {
		const struct arp_entry *e = &t->entries[i];

		do {
			seq = rte_seqcount_read_begin(&e->sc);
			used = e->used;
			info.ip = e->ip;
			info.mac = e->mac;
			info.iface = e->ifidx;
			info.state = e->state;
			info.expires_us = e->expires_us;
			info.pending = e->nb_pending;
			info.tries = e->tries;
		} while (rte_seqcount_read_retry(&e->sc, seq));
		if (!used)
			continue;
		ifc = lr_iface_at(info.iface);
		info.port_id = ifc != NULL ? ifc->port_id : UINT16_MAX;
		info.vlan_id = ifc != NULL ? ifc->vlan_id : 0;
		info.worker = w->id;
		n++;
		if (cb(&info, arg) != 0)
			break;
	}
	return n;
}
