/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP entries' timers: REACHABLE -> STALE, STALE removed, DELAY -> PROBE, probes and
 * requests resent or given up (the states are described in arp.c).
 *
 * Timers cost what is due, not the table. Every deadline an entry gets is now plus
 * one of five fixed intervals (at once, retry_ms, delay_ms, stale_ms, timeout_ms),
 * so an entry goes to the tail of that interval's list and each list stays in
 * deadline order on a clock that only moves forward (Linux gives each neighbour a
 * kernel timer, neigh_timer_handler(); this replaces a scan of every slot every
 * 10 ms, 27 us for 1024 entries and growing with [arp] table_size). lr_arp_tick() takes the earliest due head of the five lists, at
 * most [arp] tick_budget entries per call, and says whether due ones are left: the
 * poll loop then calls it again on its next turns. An entry fires no earlier than
 * its deadline and at most ceil(due before it / tick_budget) calls after the first
 * call at or past it.
 */
#include <stdint.h>

#include "arp_internal.h"
#include "lr_core.h"

/* Take e off its timer list. */
void
arp_timer_unlink(struct lr_arp_table *t, struct arp_entry *e)
{
	uint8_t q = e->tq;

	if (q == ARP_Q_NONE)
		return;
	if (e->tprev != ARP_NIL)
		t->entries[e->tprev].tnext = e->tnext;
	else
		t->tq_head[q] = e->tnext;
	if (e->tnext != ARP_NIL)
		t->entries[e->tnext].tprev = e->tprev;
	else
		t->tq_tail[q] = e->tprev;
	e->tprev = ARP_NIL;
	e->tnext = ARP_NIL;
	e->tq = ARP_Q_NONE;
}

/* e's deadline (e->expires_us, already set) is now + q's interval: e goes to q's
 * tail, which keeps q in deadline order. */
void
arp_timer_file(struct lr_arp_table *t, struct arp_entry *e, enum arp_timer_q q)
{
	uint32_t idx = (uint32_t)(e - t->entries);

	arp_timer_unlink(t, e);
	e->tq = (uint8_t)q;
	e->tprev = t->tq_tail[q];
	if (e->tprev != ARP_NIL)
		t->entries[e->tprev].tnext = idx;
	else
		t->tq_head[q] = idx;
	t->tq_tail[q] = idx;
}

/* A new state whose next step comes after interval_ms (q's interval). */
void
arp_entry_set_state(struct lr_worker *w, struct arp_entry *e, enum lr_arp_state state,
		enum arp_timer_q q, uint32_t interval_ms)
{
	rte_seqcount_write_begin(&e->sc);
	e->state = state;
	e->expires_us = w->now_us + (uint64_t)interval_ms * 1000;
	e->tries = 0;
	rte_seqcount_write_end(&e->sc);
	arp_timer_file(w->arp, e, q);
}

void
arp_entry_go_stale(struct lr_worker *w, struct arp_entry *e)
{
	LR_STAT_INC(w->stats, LR_STAT_arp_STALE);
	arp_entry_set_state(w, e, LR_ARP_STALE, ARP_Q_STALE, arp_conf.stale_ms);
}

/* PROBE: unicast requests to the cached MAC, then broadcast ones, one per retry_ms
 * (Linux ucast_solicit, then mcast_resolicit); removed when all went unanswered. */
static void
entry_probe(struct lr_worker *w, struct arp_entry *e, const struct lr_iface *ifc)
{
	uint32_t tries = e->tries;

	if (tries >= arp_conf.ucast_probes + arp_conf.mcast_probes || ifc == NULL) {
		LR_STAT_INC(w->stats, LR_STAT_arp_PROBE_FAILED);
		arp_entry_delete(w, e);
		return;
	}
	rte_seqcount_write_begin(&e->sc);
	e->tries = tries + 1;
	e->expires_us = w->now_us + (uint64_t)arp_conf.retry_ms * 1000;
	rte_seqcount_write_end(&e->sc);
	arp_timer_file(w->arp, e, ARP_Q_RETRY);
	LR_STAT_INC(w->stats, LR_STAT_arp_TX_PROBE);
	arp_request(w, ifc, e->ip, tries < arp_conf.ucast_probes ? &e->mac : NULL);
}

/* INCOMPLETE: ask again every retry_ms; give up after retries requests. */
static void
entry_retry(struct lr_worker *w, struct arp_entry *e, const struct lr_iface *ifc)
{
	if (e->tries >= arp_conf.retries || ifc == NULL) {
		LR_STAT_INC(w->stats, LR_STAT_arp_RESOLVE_FAILED);
		arp_entry_drop_pending(w, e);
		arp_entry_delete(w, e);
		return;
	}
	rte_seqcount_write_begin(&e->sc);
	e->tries++;
	e->expires_us = w->now_us + (uint64_t)arp_conf.retry_ms * 1000;
	rte_seqcount_write_end(&e->sc);
	arp_timer_file(w->arp, e, ARP_Q_RETRY);
	arp_request(w, ifc, e->ip, NULL);
}

/* One entry's timer fired (e->expires_us has passed). */
static void
entry_timer(struct lr_worker *w, struct arp_entry *e)
{
	switch (e->state) {
	case LR_ARP_REACHABLE:
		arp_entry_go_stale(w, e);
		break;
	case LR_ARP_STALE:          /* unused for stale_ms (a use moves it to DELAY) */
		LR_STAT_INC(w->stats, LR_STAT_arp_EXPIRED);
		arp_entry_delete(w, e);
		break;
	case LR_ARP_DELAY:          /* not confirmed meanwhile: probe */
		arp_entry_set_state(w, e, LR_ARP_PROBE, ARP_Q_NOW, 0);
		entry_probe(w, e, lr_iface_at(e->ifidx));
		break;
	case LR_ARP_PROBE:
		entry_probe(w, e, lr_iface_at(e->ifidx));
		break;
	case LR_ARP_INCOMPLETE:
		entry_retry(w, e, lr_iface_at(e->ifidx));
		break;
	}
}

/* The entry whose timer is due first (its list's head, due by now), or NULL. Every
 * entry of ARP_Q_NOW is due. */
static struct arp_entry *
timer_next(struct lr_arp_table *t, uint64_t now)
{
	struct arp_entry *best = NULL, *e;
	unsigned int q;

	if (t->tq_head[ARP_Q_NOW] != ARP_NIL)
		return &t->entries[t->tq_head[ARP_Q_NOW]];
	for (q = ARP_Q_NOW + 1; q < ARP_Q_NB; q++) {
		if (t->tq_head[q] == ARP_NIL)
			continue;
		e = &t->entries[t->tq_head[q]];
		if (e->expires_us <= now && (best == NULL || e->expires_us < best->expires_us))
			best = e;
	}
	return best;
}

bool
lr_arp_tick(struct lr_worker *w)
{
	struct lr_arp_table *t = w->arp;
	uint32_t n, max = arp_conf.tick_budget != 0 ? arp_conf.tick_budget : UINT32_MAX;
	struct arp_entry *e = NULL;

	if (t == NULL)
		return false;
	lr_arp_sync(w);
	/* each timer files its entry again at a later deadline or removes it */
	for (n = 0; n < max && (e = timer_next(t, w->now_us)) != NULL; n++)
		entry_timer(w, e);
	t->fired += n;
	return n == max && timer_next(t, w->now_us) != NULL;
}

uint64_t
lr_arp_timers_fired(const struct lr_worker *w)
{
	return w->arp != NULL ? w->arp->fired : 0;
}

