/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet input/output and ARP (responder, cache with expiry, pending queue).
 */
#ifndef LR_ETH_H
#define LR_ETH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "lr_core.h"

/**
 * Handler for one EtherType. Called with the Ethernet header stripped (data at L3,
 * m->l2_len set). The handler owns the mbuf.
 */
typedef void (*lr_eth_input_fn)(struct lr_worker *w, struct rte_mbuf *m,
		const struct lr_iface *ifc);

/**
 * Register the handler of an EtherType (control path, before workers start).
 * @param ether_type host order, e.g. RTE_ETHER_TYPE_IPV4
 * @param fn handler
 * @return 0, or -ENOSPC when the table is full
 */
int lr_eth_register(uint16_t ether_type, lr_eth_input_fn fn);

/**
 * Receive one frame: MAC filter, EtherType dispatch. The pipeline owns m afterwards.
 * m->port must name the DPDK port it arrived on.
 */
void lr_eth_input(struct lr_worker *w, struct rte_mbuf *m);

/** Receive a burst (prefetching ahead). The pipeline owns every mbuf afterwards. */
void lr_eth_input_burst(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n);

/**
 * Burst stage: looks at a whole burst (frames at the Ethernet header) before its
 * frames go up the pipeline one by one, e.g. to look up and prefetch the state they
 * will need. It may take frames out of the burst (shed them: freed and counted by
 * reason, eth RX included), keeping the others in order at the front of @p pkts; it
 * must not change or keep any.
 * @return the frames left in @p pkts
 */
typedef uint16_t (*lr_eth_burst_fn)(struct lr_worker *w, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * Set the burst stage run by lr_eth_input_burst() (control path, before workers
 * start); NULL removes it.
 */
void lr_eth_set_burst_stage(lr_eth_burst_fn fn);

/**
 * Prepend an Ethernet header and queue the frame.
 * @param w worker
 * @param m data at L3; owned by the pipeline afterwards
 * @param ifc interface to send on
 * @param dst destination MAC
 * @param ether_type host order
 */
void lr_eth_send(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc,
		const struct rte_ether_addr *dst, uint16_t ether_type);

/**
 * Send an IPv4 packet to a next hop on ifc, resolving its MAC with ARP. If the MAC
 * is unknown the packet waits in a bounded queue until the reply (or is dropped).
 * @param m data at the IPv4 header; owned by the pipeline afterwards
 */
void lr_eth_output_ipv4(struct lr_worker *w, struct rte_mbuf *m,
		const struct lr_iface *ifc, rte_be32_t nexthop);

/** ARP settings (the Linux neighbour sysctl each follows in brackets). */
struct lr_arp_conf {
	uint32_t table_size;    /**< entries per worker, LRU beyond (gc_thresh3) */
	uint32_t timeout_ms;    /**< REACHABLE this long, then STALE (base_reachable_time_ms) */
	uint32_t retry_ms;      /**< interval between requests and probes (retrans_time_ms) */
	uint32_t retries;       /**< requests sent before giving up (mcast_solicit) */
	uint32_t pending_max;   /**< packets queued per unresolved entry (unres_qlen) */
	uint32_t delay_ms;      /**< a stale entry in use waits this long before probing
	                         *   (delay_first_probe_time) */
	uint32_t ucast_probes;  /**< unicast probes of a stale entry in use (ucast_solicit) */
	uint32_t mcast_probes;  /**< broadcast probes after them (mcast_resolicit) */
	uint32_t stale_ms;      /**< a STALE entry unused this long is removed (gc_stale_time) */
	uint32_t pending_total; /**< packets queued over all entries of a worker */
	uint32_t tick_budget;   /**< timers lr_arp_tick() runs per call, 0: no bound */
};

/** Defaults: 1024 entries, 300 s, 1000 ms, 3 tries, 8 pending, 5 s delay, 3 unicast
 * and 1 broadcast probes, 60 s stale, 256 pending per worker, 64 timers per tick. */
extern const struct lr_arp_conf lr_arp_conf_default;

/** Set ARP settings (control path). */
void lr_arp_configure(const struct lr_arp_conf *conf);

/** Create a worker's ARP table. @return 0 or -errno */
int lr_arp_worker_init(struct lr_worker *w);

/** Free a worker's ARP table and everything queued in it. */
void lr_arp_worker_fini(struct lr_worker *w);

/** ARP input (data at the ARP header). Owns m. */
void lr_arp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc);

/**
 * Apply what other workers learned from ARP packets since the last call: their
 * neighbours enter (or refresh) this worker's cache and packets waiting for them
 * leave. Lock-free; cheap when nothing is new. The poll loop calls it every turn;
 * lr_arp_tick() and a cache miss in lr_eth_output_ipv4() call it too.
 */
void lr_arp_sync(struct lr_worker *w);

/**
 * Run the entries' timers that are due (expiry, requests, probes), earliest deadline
 * first, at most conf.tick_budget of them. Costs what is due, not the table. Call it
 * every few ms, and again soon while it returns true.
 * @return true if due timers are left for the next call
 */
bool lr_arp_tick(struct lr_worker *w);

/** Timers lr_arp_tick() ran on this worker so far (its cost, for tests and benches). */
uint64_t lr_arp_timers_fired(const struct lr_worker *w);

/** Send a gratuitous ARP (request, sender = target = our address) on ifc. */
void lr_arp_send_gratuitous(struct lr_worker *w, const struct lr_iface *ifc);

/**
 * Look up a resolved entry.
 * @param mac filled on success (may be NULL)
 * @return true if ip has a MAC (any state but INCOMPLETE)
 */
bool lr_arp_lookup(struct lr_worker *w, rte_be32_t ip, struct rte_ether_addr *mac);

/** ARP entry states (Linux NUD_*). Every state but INCOMPLETE has a usable MAC. */
enum lr_arp_state {
	LR_ARP_INCOMPLETE = 1, /**< request sent, no reply yet */
	LR_ARP_REACHABLE = 2,  /**< resolved and recently confirmed */
	LR_ARP_STALE = 3,      /**< not confirmed for timeout_ms; still used */
	LR_ARP_DELAY = 4,      /**< stale and in use: probing after delay_ms */
	LR_ARP_PROBE = 5,      /**< stale and in use: probes sent, awaiting an answer */
};

/** A consistent copy of one entry, for the control thread. */
struct lr_arp_entry_info {
	rte_be32_t ip;                /**< address */
	struct rte_ether_addr mac;    /**< its MAC (zero while incomplete) */
	uint16_t port_id;             /**< port it was learned on */
	uint16_t vlan_id;             /**< VLAN ID of its interface, 0 = untagged */
	uint8_t iface;                /**< its interface's slot (lr_iface_at()) */
	enum lr_arp_state state;      /**< state */
	uint64_t expires_us;          /**< its next step (worker clock): goes stale, is
	                               *   removed if unused, probes or asks again */
	uint32_t pending;             /**< packets queued */
	uint32_t tries;               /**< requests sent */
	uint16_t worker;              /**< worker whose cache holds it */
};

/**
 * Walk a worker's cache from any thread (seqlock-consistent copies).
 * @param cb called per entry; a non-zero return stops the walk
 * @return number of entries visited
 */
unsigned int lr_arp_walk(const struct lr_worker *w,
		int (*cb)(const struct lr_arp_entry_info *e, void *arg), void *arg);

#endif /* LR_ETH_H */
