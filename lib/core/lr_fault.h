/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Fault injection on a port's RX and TX paths: loss, duplication, reordering and
 * delay, off by default, counted. For users testing their own clients and for our
 * tests (this kernel has no netem).
 */
#ifndef LR_FAULT_H
#define LR_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "lr_core.h"

/** Faults on one direction of one port. Probabilities in parts per million. */
struct lr_fault_conf {
	uint32_t loss_ppm;     /**< a packet is dropped */
	uint32_t ce_ppm;       /**< an ECN-capable IPv4 packet (ECT(0) or ECT(1)) is marked
				*   CE, as an AQM router would (RFC 3168 §5) */
	uint32_t dup_ppm;      /**< a packet is sent twice */
	uint32_t reorder_ppm;  /**< a packet is held back and sent after the next one */
	uint32_t delay_us;     /**< every packet is delayed this long */
	uint32_t jitter_us;    /**< plus a uniform random 0..jitter_us */
};

/** @return true if any fault is configured. */
static inline bool
lr_fault_enabled(const struct lr_fault_conf *c)
{
	return c->loss_ppm || c->ce_ppm || c->dup_ppm || c->reorder_ppm || c->delay_us ||
		c->jitter_us;
}

/** Entries in each per-port, per-direction delay queue; beyond it: fault QUEUE_FULL. */
#define LR_FAULT_QUEUE_SIZE 4096
/** Longest a reordered packet waits for a next packet before it is released alone. */
#define LR_FAULT_REORDER_MAX_US 1000

/**
 * Per-worker fault state (opaque). Everything in it is written only by its worker.
 *
 * Each enabled port/direction runs every packet through, in this order:
 *  1. loss: dropped with loss_ppm (freed, fault *_LOST); then CE marking: an IPv4
 *     packet (untagged or behind one 802.1Q tag) whose ECN field is ECT(0) or ECT(1)
 *     gets CE with ce_ppm, its header checksum updated (fault *_CE_MARKED);
 *  2. reorder: with reorder_ppm the packet is held (fault *_REORDERED) and released
 *     right after the next packet of the same port/direction, or on its own once
 *     LR_FAULT_REORDER_MAX_US have passed; one packet is held at a time;
 *  3. duplication: with dup_ppm a copy (rte_pktmbuf_copy() from w->pool) follows the
 *     packet (fault *_DUPLICATED); no mbuf, no copy;
 *  4. delay: with delay_us or jitter_us the packet waits delay_us + uniform
 *     0..jitter_us (fault *_DELAYED) in a bounded queue (LR_FAULT_QUEUE_SIZE; full:
 *     fault QUEUE_FULL drop).
 *
 * The delay queue is a binary min-heap keyed by (release time, arrival number): packets
 * leave in release-time order, and in arrival order when times are equal, so a fixed
 * delay keeps FIFO order and jitter larger than the inter-packet gap reorders them, as
 * a real path would. The same heap holds received packets that did not fit the
 * caller's burst (released first at the next lr_fault_rx()).
 *
 * Randomness comes from a xorshift64* generator seeded from seed ^ worker id: a run is
 * reproducible for a given seed, configuration and packet sequence.
 *
 * Counters: received copies are counted by the stack as they go up (eth RX); on TX,
 * a copy adds one eth TX, and frames the PMD refuses are counted eth TX_FULL and
 * removed from eth TX as lr_worker_flush() does. Lost TX frames stay in eth TX (they
 * left the stack; the "wire" ate them) and in w->tx_pkts.
 */
struct lr_fault_worker;

/**
 * Set up fault injection for a worker (control path, before its loop runs, after
 * lr_worker_init() and after w->tx_fn is final). Call lr_fault_worker_fini() before
 * lr_worker_init() again on the same worker.
 *
 * When no fault is enabled in rx or tx, w->fault stays NULL and nothing changes. When a
 * TX fault is enabled on any port, w->tx_fn is replaced by a wrapper that applies the
 * faults and calls the original tx_fn for the real send, so lr_tx() and
 * lr_worker_flush() go through it; ports without TX faults pass straight through.
 *
 * @param w worker (w->id and w->pool set)
 * @param rx faults on each port's RX path, indexed by port id; NULL for none
 * @param tx faults on each port's TX path, indexed by port id; NULL for none
 * @param seed PRNG seed (mixed with w->id)
 * @return 0, -EINVAL if a probability exceeds 1000000 ppm, -EEXIST if w->fault is
 *         already set, -ENOMEM
 */
int lr_fault_worker_init(struct lr_worker *w, const struct lr_fault_conf rx[LR_MAX_PORTS],
		const struct lr_fault_conf tx[LR_MAX_PORTS], uint64_t seed);

/**
 * Tear down fault injection (control path, or the worker itself): frees every held and
 * delayed mbuf, restores the original tx_fn and sets w->fault to NULL. Safe when
 * w->fault is NULL.
 * @param w worker
 */
void lr_fault_worker_fini(struct lr_worker *w);

/**
 * Apply RX faults to a received burst, in place. Call it right after
 * rte_eth_rx_burst() on every port every loop turn, also when n == 0, so that delayed
 * and held packets are released on time.
 *
 * The worker owns every packet passed in: each one is returned in pkts (now or at a
 * later call), or dropped and counted. Returns first the packets queued earlier that
 * are now due (oldest first), then this burst's, at most max in all; what does not fit
 * stays queued for the next call. With w->fault NULL or no RX fault on this port,
 * returns n and leaves pkts alone.
 *
 * @param w worker (w->now_us is the clock)
 * @param port DPDK port id the burst came from
 * @param pkts burst array, room for max pointers
 * @param n packets received into pkts
 * @param max capacity of pkts (n <= max)
 * @return number of packets in pkts[0..ret) to process now
 */
uint16_t lr_fault_rx(struct lr_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		uint16_t max);

/**
 * Release TX packets whose delay expired (and reordered ones held too long), through
 * the original tx_fn on w->txq. Packets the PMD refuses are freed and counted as eth
 * TX_FULL. Call it every loop turn; does nothing when w->fault is NULL.
 * @param w worker (w->now_us is the clock)
 */
void lr_fault_poll(struct lr_worker *w);

#endif /* LR_FAULT_H */
