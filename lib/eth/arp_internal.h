/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/eth's ARP: the cache's entries and table (arp.c) and their timers
 * (arp_timer.c).
 */
#ifndef ARP_INTERNAL_H
#define ARP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_seqcount.h>

#include "lr_eth.h"

#define ARP_NIL UINT32_MAX       /* no entry (timer list links) */

/* The timer lists, one per interval (an entry's deadline is now + the interval). */
enum arp_timer_q {
	ARP_Q_NONE = 0,             /* on no list (unused entry) */
	ARP_Q_NOW,                  /* due at once: created, nothing asked yet; probing */
	ARP_Q_RETRY,                /* retry_ms: INCOMPLETE (next request), PROBE */
	ARP_Q_DELAY,                /* delay_ms: DELAY */
	ARP_Q_STALE,                /* stale_ms: STALE */
	ARP_Q_REACH,                /* timeout_ms: REACHABLE */
	ARP_Q_NB
};

struct arp_entry {
	rte_seqcount_t sc;          /* guards every field below for outside readers */
	bool used;
	uint8_t tq;                 /* timer list it is on (enum arp_timer_q; worker only) */
	enum lr_arp_state state;
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint16_t ifidx;             /* interface it was learned on (lr_iface_at()) */
	uint32_t tries;             /* requests (INCOMPLETE) or probes (PROBE) sent */
	uint32_t nb_pending;
	uint64_t expires_us;        /* next step: REACHABLE->STALE, STALE removed if
	                             * unused, DELAY->PROBE, next request or probe */
	uint64_t used_us;           /* last packet sent through it (LRU) */
	struct rte_mbuf **pending;  /* pending_max slots */
	uint32_t tprev, tnext;      /* timer list neighbours (slot indexes, ARP_NIL) */
};

struct arp_log;

struct lr_arp_table {
	struct rte_hash *hash;
	struct arp_log *log;        /* this worker's learn log */
	uint64_t seen[LR_MAX_WORKERS]; /* records of each other worker's log applied */
	uint64_t synced;            /* records applied from other workers */
	uint64_t lapped;            /* records lost because a writer lapped us */
	uint32_t nb_slots;
	uint32_t pending_max;
	uint32_t pending_total;     /* packets queued over all entries */
	uint32_t evict_hand;        /* where the next LRU scan starts */
	uint32_t tq_head[ARP_Q_NB]; /* timer lists: earliest deadline first */
	uint32_t tq_tail[ARP_Q_NB];
	uint64_t fired;             /* timers run by lr_arp_tick() (its cost, for tests) */
	struct arp_entry *entries;
	struct rte_mbuf **pending_store;
	struct arp_entry *last;     /* entry_find()'s last answer, checked before use */
};

/* The settings in force (lr_arp_configure()). */
extern struct lr_arp_conf arp_conf;

/* arp.c */
void arp_entry_delete(struct lr_worker *w, struct arp_entry *e);
void arp_entry_drop_pending(struct lr_worker *w, struct arp_entry *e);
void arp_request(struct lr_worker *w, const struct lr_iface *ifc, rte_be32_t target,
		const struct rte_ether_addr *dst);

/* arp_timer.c */
void arp_timer_unlink(struct lr_arp_table *t, struct arp_entry *e);
void arp_timer_file(struct lr_arp_table *t, struct arp_entry *e, enum arp_timer_q q);
void arp_entry_set_state(struct lr_worker *w, struct arp_entry *e, enum lr_arp_state state,
		enum arp_timer_q q, uint32_t interval_ms);
void arp_entry_go_stale(struct lr_worker *w, struct arp_entry *e);

#endif /* ARP_INTERNAL_H */
