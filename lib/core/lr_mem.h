/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-worker memory budget and allocation-failure injection.
 *
 * The memory model (README "Memory model"):
 * - Receive buffers come from RX pools (one per port and queue) that only the PMD's
 *   ring, the burst in flight and the TX ring hold. Nothing the stack keeps past the
 *   burst may stay in them: lr_mbuf_hold() copies such data into the worker's data
 *   pool (w->pool), so a peer can never drain what receive needs.
 * - Everything the stack keeps (send buffers, out-of-order queues, reassembly, ARP
 *   queues, service buffers) is charged to its worker's budget by what it costs in
 *   buffers (lr_mbuf_truesize(): the whole mbuf, not the payload bytes), like Linux
 *   charges skb->truesize against tcp_mem and sk_rcvbuf.
 * - The budget has three thresholds in bytes, as Linux net.ipv4.tcp_mem
 *   [min, pressure, max]: at or above @c pressure the worker is under pressure until
 *   usage falls below @c low; a charge that would pass @c high is refused. Under
 *   pressure, layers shrink what they hold (collapse, prune out-of-order queues,
 *   smaller windows, refuse new connections); past @c high the caller drops.
 *
 * A holder uncharges exactly what it charged: keep the charged size with the held
 * object (a chain trimmed later has a different truesize).
 */
#ifndef LR_MEM_H
#define LR_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "lr_stats.h"

/** What a charge pays for (lr_mem::by_user, `linerate-ctl mem`). */
enum lr_mem_user {
	LR_MEM_TCP_SND = 0, /**< TCP send buffers (unacked and unsent data) */
	LR_MEM_TCP_OOO,     /**< TCP out-of-order queues */
	LR_MEM_TCP_RCV,     /**< in-order TCP data held by the application (hold_rcv) */
	LR_MEM_IP_REASS,    /**< IPv4 fragments waiting for reassembly */
	LR_MEM_ARP_QUEUE,   /**< packets waiting for ARP resolution */
	LR_MEM_SVC,         /**< built-in services' own buffers */
	LR_MEM_USERS
};

/** Names of enum lr_mem_user, for output ("tcp_snd", ...). */
extern const char *const lr_mem_user_names[LR_MEM_USERS];

/** Pressure level of a worker's budget. */
enum lr_mem_level {
	LR_MEM_NORMAL = 0,  /**< below @c pressure (or back below @c low) */
	LR_MEM_PRESSURE,    /**< reached @c pressure, not yet back below @c low */
};

/** Thresholds of a budget, bytes (Linux tcp_mem, in bytes rather than pages). */
struct lr_mem_conf {
	uint64_t low;       /**< pressure ends below this (tcp_mem[0]) */
	uint64_t pressure;  /**< pressure starts at this (tcp_mem[1]) */
	uint64_t high;      /**< hard limit: charges past it are refused (tcp_mem[2]) */
};

/** A worker's budget. Written by its worker only; the control thread reads it. */
struct lr_mem {
	struct lr_mem_conf conf;            /**< thresholds */
	uint64_t used;                      /**< bytes charged now */
	uint64_t peak;                      /**< highest @c used since start */
	uint64_t by_user[LR_MEM_USERS];     /**< @c used split by holder */
	enum lr_mem_level level;            /**< pressure state */
};

/** Pools whose allocations can be failed on purpose (lr_nomem_inject()). */
enum lr_pool_id {
	LR_POOL_DATA = 0,   /**< w->pool: packets the worker builds, send buffers, copies */
	LR_POOL_INDIRECT,   /**< w->indirect_pool: fragmentation */
	LR_POOL_CONN,       /**< TCP connection blocks */
	LR_POOL_OOO,        /**< TCP out-of-order descriptors */
	LR_POOL_SVC,        /**< built-in services' per-connection state */
	LR_POOL_MAX
};

/** Names of enum lr_pool_id ("data", "indirect", "conn", "ooo", "svc"). */
extern const char *const lr_pool_names[LR_POOL_MAX];

/**
 * Allocation-failure injection of one pool: after @c after more allocations succeed,
 * the next @c count fail (UINT32_MAX: until cleared); independently, with @c every
 * non-zero, every every-th allocation fails.
 */
struct lr_nomem_rule {
	uint32_t after;     /**< allocations still to let through */
	uint32_t count;     /**< failures still to inject once @c after is 0 */
	uint32_t every;     /**< fail one allocation in this many (0: off) */
	uint32_t seen;      /**< allocations seen while @c every is set */
};

/** Injection state of a worker. */
struct lr_nomem {
	bool armed;                              /**< any rule set (fast-path check) */
	struct lr_nomem_rule rule[LR_POOL_MAX];  /**< per pool */
	uint64_t injected[LR_POOL_MAX];          /**< failures injected, per pool */
};

/** A budget without limits (the default until lr_mem_configure()). */
#define LR_MEM_UNLIMITED ((struct lr_mem_conf){ UINT64_MAX, UINT64_MAX, UINT64_MAX })

/**
 * Set a budget's thresholds (control path, or a worker on its own budget).
 * @return 0, or -EINVAL unless low <= pressure <= high
 */
int lr_mem_configure(struct lr_mem *mem, const struct lr_mem_conf *conf);

/** Bytes one segment costs on its own (lr_mbuf_truesize() of a one-segment chain). */
static inline uint32_t
lr_mbuf_seg_truesize(const struct rte_mbuf *s)
{
	return (uint32_t)sizeof(struct rte_mbuf) + s->priv_size + s->buf_len;
}

/**
 * Bytes an mbuf chain really costs: every segment's mbuf header, private area and
 * buffer (Linux skb->truesize), whatever the payload.
 */
static inline uint32_t
lr_mbuf_truesize(const struct rte_mbuf *m)
{
	uint32_t t = 0;

	for (; m != NULL; m = m->next)
		t += lr_mbuf_seg_truesize(m);
	return t;
}

/** Update the pressure state after used changed (lr_mem_charge / uncharge). */
static inline void
lr_mem_level_update(struct lr_mem *mem, struct lr_stats *st)
{
	if (mem->level == LR_MEM_NORMAL) {
		if (unlikely(mem->used >= mem->conf.pressure)) {
			mem->level = LR_MEM_PRESSURE;
			LR_STAT_INC(st, LR_STAT_mem_PRESSURE);
		}
	} else if (mem->used < mem->conf.low) {
		mem->level = LR_MEM_NORMAL;
	}
}

/**
 * Charge bytes to a budget unless they would pass its hard limit.
 * @param mem the worker's budget (w->mem)
 * @param st its counters (w->stats): mem REFUSED on refusal
 * @return true if charged; false (nothing charged) past the hard limit
 */
static inline bool
lr_mem_charge(struct lr_mem *mem, struct lr_stats *st, enum lr_mem_user u, uint32_t bytes)
{
	if (unlikely(mem->used + bytes > mem->conf.high)) {
		LR_STAT_INC(st, LR_STAT_mem_REFUSED);
		return false;
	}
	mem->used += bytes;
	mem->by_user[u] += bytes;
	if (mem->used > mem->peak)
		mem->peak = mem->used;
	lr_mem_level_update(mem, st);
	return true;
}

/**
 * Charge bytes whatever the limit (memory already held that cannot be refused, e.g.
 * data the application handed over). Pressure still follows.
 */
static inline void
lr_mem_charge_force(struct lr_mem *mem, struct lr_stats *st, enum lr_mem_user u,
		uint32_t bytes)
{
	mem->used += bytes;
	mem->by_user[u] += bytes;
	if (mem->used > mem->peak)
		mem->peak = mem->used;
	lr_mem_level_update(mem, st);
}

/** Give back bytes charged earlier with lr_mem_charge() or lr_mem_charge_force(). */
static inline void
lr_mem_uncharge(struct lr_mem *mem, struct lr_stats *st, enum lr_mem_user u, uint32_t bytes)
{
	RTE_ASSERT(mem->by_user[u] >= bytes);
	mem->used -= bytes;
	mem->by_user[u] -= bytes;
	lr_mem_level_update(mem, st);
}

/** @return true while the budget is under pressure */
static inline bool
lr_mem_pressure(const struct lr_mem *mem)
{
	return mem->level != LR_MEM_NORMAL;
}

/** @return bytes that can still be charged before the hard limit */
static inline uint64_t
lr_mem_room(const struct lr_mem *mem)
{
	return mem->used >= mem->conf.high ? 0 : mem->conf.high - mem->used;
}

/**
 * Decide whether one allocation from a pool fails on purpose. Cheap when nothing is
 * armed. Counts mem INJECTED and nomem->injected[pool] when it fails one.
 * @return true if the caller must behave as if the pool were empty
 */
bool lr_nomem_inject_slow(struct lr_nomem *nm, struct lr_stats *st, enum lr_pool_id pool);

static inline bool
lr_nomem_inject(struct lr_nomem *nm, struct lr_stats *st, enum lr_pool_id pool)
{
	if (likely(!nm->armed))
		return false;
	return lr_nomem_inject_slow(nm, st, pool);
}

/**
 * Set a pool's injection rule (tests, `linerate-ctl nomem`, [fault] nomem_*).
 * @param after allocations to let through first
 * @param count failures after them (UINT32_MAX: until cleared, 0: none)
 * @param every fail one in every this many (0: off)
 * @return 0, or -EINVAL for an unknown pool
 */
int lr_nomem_set(struct lr_nomem *nm, enum lr_pool_id pool, uint32_t after, uint32_t count,
		uint32_t every);

/** Clear every rule of a worker (injected counts stay). */
void lr_nomem_clear(struct lr_nomem *nm);

/** @return the pool named @p name ("data", "conn", ...), or -1 */
int lr_pool_by_name(const char *name);

#endif /* LR_MEM_H */
