/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow ownership across workers: the Toeplitz hash that decides which worker owns a
 * flow, software steering where the port cannot do it, and RSS-aware source ports.
 *
 * One hash rules everything: Toeplitz (RSS) over the IPv4 4-tuple of a packet as it
 * is received (source = the peer), with a 40-byte key (symmetric by default, so the
 * two directions of a flow hash alike), and a redirection table of
 * LR_STEER_RETA_SIZE entries, entry i = worker i % nb_workers. The owner of a flow is
 * reta[hash % LR_STEER_RETA_SIZE]. TCP and UDP datagrams that are not fragments hash
 * on addresses and ports, fragments on addresses only (like a NIC with rss_hf
 * IPV4 | NONFRAG_IPV4_TCP | NONFRAG_IPV4_UDP, so every fragment of a datagram meets
 * on one worker). ARP, ICMP and other protocols are handled by whichever worker
 * receives them (lib/eth shares ARP results between workers).
 *
 * Per port, one of:
 *  - hardware (LR_STEER_HW): the NIC got the same key and table; queue i = worker i;
 *    packets are trusted to arrive on their owner's queue.
 *  - software (LR_STEER_SW): the receiving worker hashes each packet and hands those
 *    it does not own to their owner over a single-producer/single-consumer rte_ring
 *    per (sender, receiver) pair, staged and enqueued in bursts. Counted, no locks.
 *  - off (LR_STEER_OFF): packets are processed where they arrive.
 *
 * lr_steer_port_ok() lets an active open pick a source port whose replies hash to
 * the calling worker, so no SYN-ACK lands on another core.
 *
 * The tables are written on the control path before the workers start and only read
 * afterwards; each worker writes only its own staging buffers and counters.
 */
#ifndef LR_STEER_H
#define LR_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "lr_core.h"

#define LR_STEER_KEY_LEN 40      /**< Toeplitz key bytes (IPv4/IPv6 RSS) */
#define LR_STEER_RETA_SIZE 64    /**< redirection table entries (a NIC's RETA must be a
				  *   power-of-two multiple of it) */
#define LR_STEER_RING_SIZE 1024  /**< default slots per steering ring */

/** Steering mode: what [worker] steering asks for, and what a port ended up with. */
enum lr_steer_mode {
	LR_STEER_AUTO = 0, /**< hardware RSS where the port supports it, else software */
	LR_STEER_HW = 1,   /**< hardware RSS with our key and table (required) */
	LR_STEER_SW = 2,   /**< software hash and hand-off over rings */
	LR_STEER_OFF = 3,  /**< no steering: packets stay where they arrive */
};

/** Names of enum lr_steer_mode, indexed by value: "auto", "hw", "sw", "off". */
extern const char *const lr_steer_mode_names[4];

/** The symmetric key (0x6d5a repeated): hash(a->b) == hash(b->a). The default. */
extern const uint8_t lr_steer_key_symmetric[LR_STEER_KEY_LEN];

/** Per-worker steering counters (written by their worker only; read relaxed). */
struct lr_steer_stats {
	uint64_t local;        /**< received packets this worker owned or kept */
	uint64_t steered_out;  /**< packets handed to their owner */
	uint64_t steered_in;   /**< packets received from other workers */
	uint64_t ring_full;    /**< packets dropped: the owner's ring was full */
	uint64_t hw_mismatch;  /**< (owner checks) hardware queue was not the owner */
};

/**
 * Set up the hash tables and the rings between workers (control path, before the
 * workers start). May be called again after lr_steer_fini().
 * @param nb_workers workers (1..LR_MAX_WORKERS); with 1 nothing is steered
 * @param key LR_STEER_KEY_LEN bytes, NULL for lr_steer_key_symmetric
 * @param ring_size slots per ring, a power of two (0: LR_STEER_RING_SIZE)
 * @return 0, -EINVAL or -ENOMEM
 */
int lr_steer_init(uint16_t nb_workers, const uint8_t *key, uint32_t ring_size);

/** Free the rings; packets still in them are freed. Every port goes back to OFF. */
void lr_steer_fini(void);

/**
 * Record how a port steers (control path, after lr_steer_init()).
 * @param mode LR_STEER_HW, LR_STEER_SW or LR_STEER_OFF
 * @return 0 or -EINVAL
 */
int lr_steer_port_set(uint16_t port, enum lr_steer_mode mode);

/**
 * Parse a mode name: "auto" (or ""), "hw", "sw", "off", any case.
 * @return 0 or -EINVAL
 */
int lr_steer_mode_parse(const char *s, enum lr_steer_mode *mode);

/** @return how a port steers (LR_STEER_OFF for an unknown port) */
enum lr_steer_mode lr_steer_port_mode(uint16_t port);

/** @return the key in use (LR_STEER_KEY_LEN bytes) */
const uint8_t *lr_steer_key(void);

/**
 * Parse a key: "symmetric" (or ""), or 40 bytes in hex ("6d5a6d5a..." or "6d:5a:...").
 * @return 0 or -EINVAL
 */
int lr_steer_key_parse(const char *s, uint8_t key[LR_STEER_KEY_LEN]);

/**
 * Fill a NIC redirection table of size entries (a power-of-two multiple of
 * LR_STEER_RETA_SIZE) so that it matches the software one: queue of entry i.
 * @return 0, or -EINVAL if size does not fit
 */
int lr_steer_reta_fill(uint16_t *reta, uint32_t size);

/** @return true when ownership matters: more than one worker and a port steering */
bool lr_steer_active(void);

/**
 * Toeplitz hash of an IPv4 packet from src to dst with these ports, as the NIC
 * computes it on reception (DPDK rte_softrss() over RTE_THASH_V4_L4_LEN words).
 * @param src, dst addresses, network order
 * @param sport, dport ports, host order
 */
uint32_t lr_steer_hash_l4(rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport);

/** Toeplitz hash over addresses only (fragments; RTE_THASH_V4_L3_LEN). */
uint32_t lr_steer_hash_l3(rte_be32_t src, rte_be32_t dst);

/** @return the worker owning a hash */
uint16_t lr_steer_worker_of_hash(uint32_t hash);

/**
 * The worker that owns a TCP/UDP flow, seen from our side: the one its received
 * packets (raddr:rport -> laddr:lport) hash to. 0 when nothing is steered.
 * @param laddr, raddr network order
 * @param lport, rport host order
 */
uint16_t lr_steer_worker_of(rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
		uint16_t rport);

/**
 * May an active open on worker use local port lport towards raddr:rport? True when
 * the replies hash to worker, or when nothing is steered. Constant time (table
 * lookups); about one port in nb_workers qualifies.
 * @param laddr, raddr network order
 * @param lport, rport host order
 */
bool lr_steer_port_ok(uint16_t worker, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
		uint16_t rport);

/**
 * The first port from start upwards (wrapping within [lo, hi]) that
 * lr_steer_port_ok() accepts for worker.
 * @return the port (host order), or 0 if none in the range
 */
uint16_t lr_steer_port_next(uint16_t worker, rte_be32_t laddr, rte_be32_t raddr,
		uint16_t rport, uint16_t start, uint16_t lo, uint16_t hi);

/**
 * Split a received burst. Packets the worker owns (or keeps: ARP, ICMP, anything not
 * TCP/UDP over IPv4) stay in pkts, compacted in order; the others are staged for
 * their owners and leave at lr_steer_flush(). Ports not in LR_STEER_SW keep
 * everything (with owner checks, LR_STEER_HW packets are verified).
 * @param w the receiving worker
 * @param pkts the burst, all from one port
 * @return packets kept in pkts (the worker owns them); the rest are the steering's
 */
uint16_t lr_steer_rx(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n);

/**
 * Hand one frame (data at the Ethernet header, m->port set) to its owner: staged
 * like those lr_steer_rx() does not keep, leaves at lr_steer_flush(). For packets
 * whose owner is only known after some processing, e.g. a datagram reassembled
 * from fragments that were steered by their addresses alone.
 * @param w the worker holding m; it no longer owns m
 * @param owner the worker that must process it (not w), below the worker count
 */
void lr_steer_hand_off(struct lr_worker *w, struct rte_mbuf *m, uint16_t owner);

/**
 * Take packets other workers handed to this one.
 * @return packets written to pkts (at most max); the caller owns them
 */
uint16_t lr_steer_poll(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t max);

/**
 * Enqueue the staged packets on their owners' rings. Packets a full ring refuses are
 * freed and counted (ring_full). Call once per poll-loop turn.
 */
void lr_steer_flush(struct lr_worker *w);

/** A worker's steering counters (NULL if out of range). Any thread may read them. */
const struct lr_steer_stats *lr_steer_stats_get(uint16_t worker);

/** Zero every worker's counters (tests, control path). */
void lr_steer_stats_reset(void);

/**
 * Report a flow touched by a worker that does not own it and abort (owner checks).
 * Does not return.
 */
void lr_steer_owner_fail(const struct lr_worker *w, uint16_t owner, rte_be32_t laddr,
		uint16_t lport, rte_be32_t raddr, uint16_t rport);

/**
 * Owner check for a connection (a no-op unless built with -Downer_checks=true, which
 * defines LR_OWNER_CHECKS): aborts if w is not the worker the flow hashes to while
 * steering is active. Call wherever a worker touches a connection (input after the
 * lookup, connect after the port is chosen).
 * @param laddr, raddr network order
 * @param lport, rport host order
 */
static inline void
lr_steer_assert_owner(const struct lr_worker *w, rte_be32_t laddr, uint16_t lport,
		rte_be32_t raddr, uint16_t rport)
{
#ifdef LR_OWNER_CHECKS
	uint16_t owner;

	if (!lr_steer_active())
		return;
	owner = lr_steer_worker_of(laddr, lport, raddr, rport);
	if (unlikely(owner != w->id))
		lr_steer_owner_fail(w, owner, laddr, lport, raddr, rport);
#else
	RTE_SET_USED(w);
	RTE_SET_USED(laddr);
	RTE_SET_USED(lport);
	RTE_SET_USED(raddr);
	RTE_SET_USED(rport);
#endif
}

/** @return true if this build checks ownership (LR_OWNER_CHECKS) */
static inline bool
lr_steer_owner_checks(void)
{
#ifdef LR_OWNER_CHECKS
	return true;
#else
	return false;
#endif
}

#endif /* LR_STEER_H */
