/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker memory budget and allocation-failure injection (lr_mem.h), and
 * lr_mbuf_hold(): what every layer calls before keeping a packet past its burst.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "lr_core.h"
#include "lr_mem.h"

const char *const lr_mem_user_names[LR_MEM_USERS] = {
	[LR_MEM_TCP_SND] = "tcp_snd",
	[LR_MEM_TCP_OOO] = "tcp_ooo",
	[LR_MEM_TCP_RCV] = "tcp_rcv",
	[LR_MEM_IP_REASS] = "ip_reass",
	[LR_MEM_ARP_QUEUE] = "arp_queue",
	[LR_MEM_SVC] = "svc",
};

const char *const lr_pool_names[LR_POOL_MAX] = {
	[LR_POOL_DATA] = "data",
	[LR_POOL_INDIRECT] = "indirect",
	[LR_POOL_CONN] = "conn",
	[LR_POOL_OOO] = "ooo",
	[LR_POOL_SVC] = "svc",
};

int
lr_mem_configure(struct lr_mem *mem, const struct lr_mem_conf *conf)
{
	if (conf->low > conf->pressure || conf->pressure > conf->high)
		return -EINVAL;
	mem->conf = *conf;
	if (mem->level != LR_MEM_NORMAL && mem->used < conf->low)
		mem->level = LR_MEM_NORMAL;
	else if (mem->level == LR_MEM_NORMAL && mem->used >= conf->pressure)
		mem->level = LR_MEM_PRESSURE;
	return 0;
}

bool
lr_nomem_inject_slow(struct lr_nomem *nm, struct lr_stats *st, enum lr_pool_id pool)
{
	struct lr_nomem_rule *r = &nm->rule[pool];
	bool fail = false;

	if (r->every != 0 && ++r->seen % r->every == 0)
		fail = true;
	if (r->after > 0)
		r->after--;
	else if (r->count > 0) {
		if (r->count != UINT32_MAX)
			r->count--;
		fail = true;
	}
	if (fail) {
		nm->injected[pool]++;
		LR_STAT_INC(st, LR_STAT_mem_INJECTED);
	}
	return fail;
}

static void
nomem_rearm(struct lr_nomem *nm)
{
	unsigned int i;

	nm->armed = false;
	for (i = 0; i < LR_POOL_MAX; i++)
		if (nm->rule[i].count != 0 || nm->rule[i].every != 0)
			nm->armed = true;
}

int
lr_nomem_set(struct lr_nomem *nm, enum lr_pool_id pool, uint32_t after, uint32_t count,
		uint32_t every)
{
	if ((unsigned int)pool >= LR_POOL_MAX)
		return -EINVAL;
	nm->rule[pool] = (struct lr_nomem_rule){ .after = after, .count = count,
			.every = every };
	nomem_rearm(nm);
	return 0;
}

void
lr_nomem_clear(struct lr_nomem *nm)
{
	memset(nm->rule, 0, sizeof(nm->rule));
	nm->armed = false;
}

int
lr_pool_by_name(const char *name)
{
	int i;

	for (i = 0; i < LR_POOL_MAX; i++)
		if (strcmp(name, lr_pool_names[i]) == 0)
			return i;
	return -1;
}

/* Copying m into the data pool is needed (a segment's buffer belongs to another pool,
 * e.g. an RX pool) or saves buffers (its payload fits in fewer of ours). */
static bool
hold_needs_copy(const struct lr_worker *w, const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t room;

	for (s = m; s != NULL; s = s->next) {
		const struct rte_mbuf *d = RTE_MBUF_CLONED(s) ? rte_mbuf_from_indirect(
				(struct rte_mbuf *)(uintptr_t)s) : s;

		if (d->pool != w->pool || s->pool != w->pool)
			return true;
	}
	if (m->nb_segs == 1)
		return false;
	room = rte_pktmbuf_data_room_size(w->pool) - RTE_PKTMBUF_HEADROOM;
	return rte_pktmbuf_pkt_len(m) <= (uint32_t)(m->nb_segs - 1) * room;
}

struct rte_mbuf *
lr_mbuf_hold(struct lr_worker *w, struct rte_mbuf *m, enum lr_mem_user u, uint32_t *charged)
{
	uint32_t size;

	*charged = 0;
	if (hold_needs_copy(w, m)) {
		struct rte_mbuf *c = NULL;

		if (!lr_nomem_inject(&w->nomem, w->stats, LR_POOL_DATA))
			c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
		if (c == NULL) {
			LR_STAT_INC(w->stats, LR_STAT_eth_NOMBUF);
			rte_pktmbuf_free(m);
			return NULL;
		}
		LR_STAT_INC(w->stats, LR_STAT_mem_COPIED);
		rte_pktmbuf_free(m);
		m = c;
	}
	size = lr_mbuf_truesize(m);
	if (!lr_mem_charge(&w->mem, w->stats, u, size)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	*charged = size;
	return m;
}
