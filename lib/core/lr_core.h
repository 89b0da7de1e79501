/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Worker context, interfaces, TX buffering and the clock.
 *
 * One struct lr_worker per worker lcore holds everything that core writes. Layers
 * above keep their per-worker state behind the opaque pointers declared here and
 * set them up in their own lr_<layer>_worker_init().
 */
#ifndef LR_CORE_H
#define LR_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_mem.h"
#include "lr_stats.h"

#define LR_MAX_PORTS 8        /**< ports (interfaces) one appliance drives */
#define LR_MAX_WORKERS 64     /**< worker lcores */
#define LR_BURST_MAX 64       /**< largest RX/TX burst */
#define LR_MAX_MCAST 8        /**< multicast MACs joined per interface */
#define LR_MAX_VLANS 24       /**< VLAN interfaces besides each port's own */
#define LR_MAX_IFACES (LR_MAX_PORTS + LR_MAX_VLANS) /**< interfaces: slot p < LR_MAX_PORTS
				* is port p's own, the others VLAN interfaces */
#define LR_VLAN_ID_MAX 4094   /**< highest usable 802.1Q VLAN ID (4095 is reserved) */

/**
 * An interface: our addresses on one DPDK port, untagged or on one 802.1Q VLAN. A port
 * carries at most one interface per VLAN ID (0 = untagged). Read-only once workers run.
 */
struct lr_iface {
	bool used;                    /**< slot configured */
	uint8_t idx;                  /**< its slot in lr_ifaces (set by lr_iface_add()) */
	uint16_t port_id;             /**< DPDK port id */
	uint16_t vlan_id;             /**< 802.1Q VLAN ID 1..4094, 0 = untagged */
	bool tx_vlan_insert;          /**< port inserts the tag (RTE_MBUF_F_TX_VLAN), else
				       *   lr_eth_send() writes it */
	bool rx_vlan_strip;           /**< port strips tags into m->vlan_tci (shown only:
				       *   lr_eth_input() takes either kind) */
	uint16_t mtu;                 /**< IP MTU, e.g. 1500 */
	struct rte_ether_addr mac;    /**< our MAC on this interface */
	rte_be32_t ip;                /**< our IPv4 address (network order); with ip_count,
				       *   the first of a range (the one ARP requests and
				       *   the stack's own packets use) */
	uint32_t ip_count;            /**< addresses ip .. ip + ip_count - 1 are ours
				       *   (ARP answered, IPv4 accepted, usable as source);
				       *   0 or 1: ip only */
	rte_be32_t netmask;           /**< network order */
	rte_be32_t gateway;           /**< next hop outside the subnet, 0 if none */
	uint8_t prefix_len;           /**< 0..32 */
	bool tx_ip_cksum;             /**< port computes the IPv4 header checksum */
	bool tx_l4_cksum;             /**< port computes UDP/TCP checksums */
	bool rx_cksum;                /**< port reports checksum status in ol_flags */
	bool tx_ref;                  /**< the port only reads the frames it sends, so one may
				       *   be an indirect mbuf on a buffer the stack still holds
				       *   (not net_ring: another stack receives the mbuf) */
	uint8_t nb_mcast;             /**< multicast MACs joined */
	struct rte_ether_addr mcast[LR_MAX_MCAST]; /**< joined multicast MACs */
};

/** Interfaces: slot p < LR_MAX_PORTS is DPDK port p's own, then VLAN interfaces. */
extern struct lr_iface lr_ifaces[LR_MAX_IFACES];
/** One past the highest slot in use (loops over lr_ifaces stop there). */
extern uint8_t lr_iface_end;
/** Per port and VLAN ID (0 = untagged): the slot of its interface + 1, 0 = none. */
extern uint8_t lr_iface_vid_map[LR_MAX_PORTS][LR_VLAN_ID_MAX + 1];

/**
 * Per-lcore cache size for a pool of n objects a worker takes and gives back itself
 * (connection blocks, service state): the cache hands back the object freed last,
 * still in the CPU's cache, where the pool's ring alone is FIFO and hands back the one
 * freed longest ago (with 256 Ki blocks: a miss on every line of it). At most 256,
 * and under n / 1.5 (rte_mempool_create() refuses more).
 */
static inline unsigned int
lr_obj_pool_cache(unsigned int n)
{
	return RTE_MIN(256u, n / 2);
}

/**
 * A port's own interface (the one of its [port.N] section, tagged or not).
 * @param port_id DPDK port id
 * @return the interface, or NULL if the port carries none
 */
static inline const struct lr_iface *
lr_iface_get(uint16_t port_id)
{
	if (port_id >= LR_MAX_PORTS || !lr_ifaces[port_id].used)
		return NULL;
	return &lr_ifaces[port_id];
}

/**
 * The interface in a slot (e.g. one an ARP entry names).
 * @return the interface, or NULL if the slot is free
 */
static inline const struct lr_iface *
lr_iface_at(unsigned int idx)
{
	if (idx >= LR_MAX_IFACES || !lr_ifaces[idx].used)
		return NULL;
	return &lr_ifaces[idx];
}

/**
 * The interface of a port for a VLAN ID, the receive-side lookup.
 * @param port_id DPDK port id
 * @param vid VLAN ID (12 bits; 0 = untagged or priority-tagged)
 * @return the interface, or NULL if the port has none on that VLAN
 */
static inline const struct lr_iface *
lr_iface_vlan(uint16_t port_id, uint16_t vid)
{
	unsigned int slot;

	if (unlikely(port_id >= LR_MAX_PORTS || vid > LR_VLAN_ID_MAX))
		return NULL;
	slot = lr_iface_vid_map[port_id][vid];
	return slot == 0 ? NULL : &lr_ifaces[slot - 1];
}

/**
 * Does ifc answer for ip: its first address, or one of its range (one subtraction and
 * a compare, whatever the range's size).
 * @param ip address in network order
 */
static inline bool
lr_iface_has_ip(const struct lr_iface *ifc, rte_be32_t ip)
{
	uint32_t off = rte_be_to_cpu_32(ip) - rte_be_to_cpu_32(ifc->ip);

	return off == 0 || off < ifc->ip_count;
}

/**
 * The k-th address of ifc's range (k modulo the range's size), network order.
 */
static inline rte_be32_t
lr_iface_addr(const struct lr_iface *ifc, uint32_t k)
{
	if (ifc->ip_count <= 1)
		return ifc->ip;
	return rte_cpu_to_be_32(rte_be_to_cpu_32(ifc->ip) + k % ifc->ip_count);
}

/**
 * The interface that owns a local address (its first or one of its range).
 * @param ip address in network order
 * @return the interface, or NULL if the address is not ours
 */
const struct lr_iface *lr_iface_by_ip(rte_be32_t ip);

/**
 * @return true if ip (network order) is the limited broadcast or the directed
 * broadcast of ifc's subnet
 */
static inline bool
lr_iface_is_bcast(const struct lr_iface *ifc, rte_be32_t ip)
{
	return ip == RTE_BE32(UINT32_MAX) ||
			(ifc->prefix_len < 31 && ip == (ifc->ip | ~ifc->netmask));
}

/**
 * Register an interface (control path, before workers start). The first interface of
 * a port takes the port's own slot (port_id), later ones VLAN slots; one already
 * registered for the same port and VLAN ID is replaced.
 * @param ifc filled interface; ifc->port_id and ifc->vlan_id select the slot
 * @return 0 (lr_iface_vlan() finds it), -EINVAL (port_id or vlan_id out of range) or
 *         -ENOSPC (no slot left)
 */
int lr_iface_add(const struct lr_iface *ifc);

/** Remove every interface (tests). */
void lr_iface_reset(void);

struct lr_worker;

/**
 * Transmit function: sends pkts on (port, queue) and returns how many it took.
 * The caller frees the rest. Tests replace it with a recorder.
 */
typedef uint16_t (*lr_tx_fn)(struct lr_worker *w, uint16_t port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n);

/** Packets waiting to be sent on one port. */
struct lr_txbuf {
	uint16_t n;                          /**< packets queued */
	struct rte_mbuf *pkts[LR_BURST_MAX]; /**< queued packets */
};

/**
 * Frames a port's TX queue refused, in order, sent before anything newer at the next
 * flushes (a FIFO of w->tx_hold_max slots, like a qdisc in front of a full NIC ring:
 * a ring that is full for a moment costs a delay, not a loss to be retransmitted).
 */
struct lr_txhold {
	uint32_t head;                 /**< slot of the oldest frame */
	uint32_t n;                    /**< frames held */
	struct rte_mbuf *pkts[];       /**< w->tx_hold_max slots */
};

/** A function the control thread asks a worker to run on its own lcore. */
typedef void (*lr_worker_call_fn)(struct lr_worker *w, void *arg);

struct lr_arp_table;
struct lr_ip_worker;
struct lr_udp_worker;
struct lr_tcp_shard;
struct lr_fault_worker;


/**
 * The parts of a poll loop turn, timed separately (each one's longest time since the
 * last read, beside the whole turn's): which part a long turn spent its time in.
 */
enum lr_turn_part {
	LR_TURN_RX,        /**< handed-over packets, RX bursts (rx_drain, per port), pipeline */
	LR_TURN_STEER,     /**< steering rings flushed, ARP sync, TCP flush */
	LR_TURN_TCP_TICK,  /**< TCP timers: TIME_WAIT expiry and the timing wheel */
	LR_TURN_LOADGEN,   /**< the load generator's poll */
	LR_TURN_ARP_TICK,  /**< ARP timers (every 10 ms, and each turn while some are due) */
	LR_TURN_IP_TICK,   /**< IP reassembly expiry (every 10 ms) */
	LR_TURN_SVC_TICK,  /**< TCP services' timeouts */
	LR_TURN_FLUSH,     /**< TCP and TX flush */
	LR_TURN_CALL,      /**< a control call (lr_worker_poll_calls()) */
	LR_TURN_OTHER,     /**< fault injection poll, shutdown drain step */
	LR_TURN_PART_NB,
};

/** Names of the parts (`linerate-ctl cores parts`), indexed by enum lr_turn_part. */
extern const char *const lr_turn_part_names[LR_TURN_PART_NB];

/** A loop turn longer than this (us) is counted (`cores` long_turns): how often RX
 *  waited that long, where turn_max_us says only how long the worst wait was. */
#define LR_LONG_TURN_US 100

/** Everything one worker lcore writes. */
struct __rte_cache_aligned lr_worker {
	uint16_t id;                 /**< worker index, 0..nb_workers-1 */
	unsigned int lcore;          /**< lcore it runs on */
	uint8_t iface_mask;          /**< interfaces (bit = port id) whose addresses it
	                              *   owns and routes through; 0 = all (the daemon).
	                              *   Several stacks in one process (bench/e2e ring
	                              *   mode) give each worker its own. */
	uint16_t txq;                /**< TX queue it owns on every port */
	uint16_t rxq;                /**< RX queue it owns on every port */
	uint64_t now_us;             /**< clock for this iteration; tests drive it */
	struct lr_stats *stats;      /**< its own counter block */
	struct rte_mempool *pool;    /**< mbufs for packets it builds */
	struct rte_mempool *indirect_pool; /**< indirect mbufs for fragmentation */
	lr_tx_fn tx_fn;              /**< transmit function */
	bool tx_ref;                 /**< TCP segments may refer to the send buffer in place
	                              *   (indirect mbufs, tcp_sbref.c): every port it sends
	                              *   on takes them (lr_iface::tx_ref); false by default */
	void *tx_ctx;                /**< free for the tx_fn's owner */
	struct lr_txbuf tx[LR_MAX_PORTS]; /**< TX buffer per port */
	uint64_t tx_refused_us;      /**< now_us of the last flush whose frames a TX queue
	                              *   refused (the link or the peer takes no more: what is
	                              *   sent now is lost), 0 = never; read by SYN shedding */
	struct lr_arp_table *arp;    /**< ARP cache (lib/eth) */
	struct lr_ip_worker *ip;     /**< fragments and ICMP limiter (lib/ip) */
	struct lr_udp_worker *udp;   /**< UDP state (lib/udp) */
	struct lr_tcp_shard *tcp;    /**< connection shard (lib/tcp) */
	struct lr_fault_worker *fault; /**< fault injection state, NULL when off */
	struct lr_mem mem;           /**< memory budget of what this worker holds (lr_mem.h) */
	struct lr_nomem nomem;       /**< allocation-failure injection (lr_mem.h) */
	/* Mailbox: the control thread posts one call, the worker runs it. */
	lr_worker_call_fn call_fn;   /**< posted function */
	void *call_arg;              /**< its argument */
	uint32_t call_req;           /**< bumped by the poster (release) */
	uint32_t call_done;          /**< set to call_req by the worker (release) */
	bool running;                /**< the poll loop runs (else calls run inline) */
	/* Poll loop accounting, read by the control thread. */
	uint64_t rx_pkts;            /**< packets received */
	uint64_t tx_pkts;            /**< packets handed to the PMD */
	uint64_t polls;              /**< loop iterations */
	uint64_t busy_polls;         /**< iterations that received something */
	uint64_t busy_cycles;        /**< TSC cycles in iterations that did work */
	uint64_t idle_cycles;        /**< TSC cycles in iterations that did none */
	uint64_t cpu_us;             /**< CPU time of the worker's thread when it stopped (its
	                              *   CPU clock, read once at the end); while it runs,
	                              *   lr_worker_cpu_us() reads the clock itself */
	clockid_t cpu_clock;         /**< the worker thread's CPU clock (pthread_getcpuclockid()),
	                              *   read while @p running if @p cpu_clock_ok */
	bool cpu_clock_ok;           /**< lr_worker_cpu_clock_start() found the clock */
	uint64_t turn_max_cycles;    /**< longest loop turn (TSC cycles, idle wait excluded)
	                              *   since the last lr_worker_turn_max_take() */
	uint64_t long_turns;          /**< turns longer than LR_LONG_TURN_US (any cause: ours, or
	                              *   the host's or the OS's taking the CPU mid-turn) */
	uint64_t long_turn_cycles;    /**< LR_LONG_TURN_US in TSC cycles (set by the worker) */
	uint64_t part_max_cycles[LR_TURN_PART_NB]; /**< longest time in each part of a turn
	                              *   (enum lr_turn_part) since lr_worker_part_max_take() */
	bool parts_timed;            /**< its loop times the parts ([worker] turn_parts) */
	/* last, so that the fields above keep their cache lines */
	struct lr_txhold *txhold[LR_MAX_PORTS]; /**< frames a TX queue refused, waiting
	                              *   for the next flush (allocated at the first refusal) */
	uint32_t tx_hold_max;        /**< frames each port's hold keeps at most ([worker]
	                              *   tx_hold); 0 = a refused frame is dropped at once */
};

/**
 * Interface slot i is the worker's: on one of its ports (an iface_mask of 0 means every
 * port).
 */
static inline bool
lr_iface_of_worker(const struct lr_worker *w, unsigned int i)
{
	return w->iface_mask == 0 || (w->iface_mask & (1u << lr_ifaces[i].port_id)) != 0;
}

/**
 * lr_iface_by_ip() among the interfaces of a worker (lr_worker::iface_mask). Inline:
 * IPv4 input asks it twice per packet (source not ours, destination ours), over what
 * is usually one interface.
 * @param w the worker
 * @param ip address in network order
 * @return the interface, or NULL if the address is not the worker's
 */
static inline const struct lr_iface *
lr_iface_mine(const struct lr_worker *w, rte_be32_t ip)
{
	unsigned int i;

	for (i = 0; i < lr_iface_end; i++)
		if (lr_ifaces[i].used && lr_iface_has_ip(&lr_ifaces[i], ip) &&
				lr_iface_of_worker(w, i))
			return &lr_ifaces[i];
	return NULL;
}

/**
 * The interface of a worker that reaches dst: the first (by port id) whose subnet holds
 * it, else the first with a gateway. Inline: every packet sent asks it.
 * @param w the worker (its iface_mask)
 * @param dst destination in network order
 * @param nexthop if not NULL, set to dst on a subnet, else to the gateway
 * @return the interface, or NULL if none reaches dst
 */
static inline const struct lr_iface *
lr_iface_route(const struct lr_worker *w, rte_be32_t dst, rte_be32_t *nexthop)
{
	const struct lr_iface *gw = NULL;
	unsigned int i;

	for (i = 0; i < lr_iface_end; i++) {
		const struct lr_iface *ifc = &lr_ifaces[i];

		if (!ifc->used || ifc->ip == 0 || !lr_iface_of_worker(w, i))
			continue;
		if (((dst ^ ifc->ip) & ifc->netmask) == 0) {
			if (nexthop != NULL)
				*nexthop = dst;
			return ifc;
		}
		if (gw == NULL && ifc->gateway != 0)
			gw = ifc;
	}
	if (gw != NULL && nexthop != NULL)
		*nexthop = gw->gateway;
	return gw;
}

/** All workers, indexed by worker id. */
extern struct lr_worker lr_workers[LR_MAX_WORKERS];
/** Number of workers in use. */
extern uint16_t lr_nb_workers;

/**
 * Initialise a worker context (control path).
 * @param w the context
 * @param id worker id; its stats block is lr_stats_blocks[id]
 * @param pool mbuf pool for packets it builds
 * @return 0 or -errno
 */
int lr_worker_init(struct lr_worker *w, uint16_t id, struct rte_mempool *pool);

/** Default tx_fn: rte_eth_tx_burst(). */
uint16_t lr_tx_burst_eth(struct lr_worker *w, uint16_t port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n);

/**
 * Send everything buffered on every port, after what the port's hold keeps from
 * earlier flushes. Packets the PMD refuses go to the port's hold (eth TX_HELD) while
 * it has room (w->tx_hold_max), the rest are freed and counted as eth TX_FULL; either
 * way w->tx_refused_us is set to w->now_us. While a port's hold is not empty, new
 * packets queue behind it (order kept).
 * @param w worker
 * @return packets handed to the PMD
 */
uint16_t lr_worker_flush(struct lr_worker *w);

/**
 * At the worker's end: free what the ports' holds still keep (eth TX_FULL) and the
 * holds themselves. Flush first to give them a last chance.
 * @param w worker
 * @return frames freed
 */
uint32_t lr_worker_tx_release(struct lr_worker *w);

/**
 * Queue a complete frame for transmission on a port.
 * The worker owns the mbuf afterwards (it is sent or freed).
 * @param w worker
 * @param port DPDK port id
 * @param m the frame
 */
static inline void
lr_tx(struct lr_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct lr_txbuf *b = &w->tx[port];

	if (unlikely(b->n == LR_BURST_MAX))
		lr_worker_flush(w);
	b->pkts[b->n++] = m;
	LR_STAT_INC(w->stats, LR_STAT_eth_TX);
}

/**
 * Drop frames that were queued for transmission (lr_tx() counted them eth TX) and that
 * no TX queue or hold took: counted eth TX_FULL instead, and freed.
 * @param w worker
 * @param pkts the frames
 * @param n how many
 */
static inline void
lr_tx_drop_refused(struct lr_worker *w, struct rte_mbuf **pkts, uint32_t n)
{
	LR_STAT_ADD(w->stats, LR_STAT_eth_TX_FULL, n);
	LR_STAT_ADD(w->stats, LR_STAT_eth_TX, -(uint64_t)n);
	rte_pktmbuf_free_bulk(pkts, n);
}

/**
 * Drop a packet for a reason: count it and free it.
 * @param w worker
 * @param m packet (freed)
 * @param reason a drop counter
 */
static inline void
lr_drop(struct lr_worker *w, struct rte_mbuf *m, enum lr_stat_id reason)
{
	LR_STAT_INC(w->stats, reason);
	rte_pktmbuf_free(m);
}

/**
 * A packet that finished normally: free it without counting a drop.
 * @param m packet (freed)
 */
static inline void
lr_consume(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/**
 * Fetch, for writing, the first lines of the object the next get from mp on this lcore
 * returns, when it is in the lcore's cache (its top: the cache is a stack). A pool's
 * blocks come back cold when thousands are in use between a put and the get that
 * reuses one, and the first write into a new block (a memset, a header) then waits on
 * the line: fetched one get ahead, the wait overlaps the work between the two gets.
 * Nothing is fetched when the cache is empty (the next get refills it from the ring).
 * @param mp pool with a per-lcore cache
 * @param len bytes from the object's start (their lines are fetched)
 */
static inline void
lr_pool_prefetch_next(struct rte_mempool *mp, uint32_t len)
{
	struct rte_mempool_cache *c = rte_mempool_default_cache(mp, rte_lcore_id());
	const char *p;
	uint32_t i;

	if (c == NULL || c->len == 0)
		return;
	p = c->objs[c->len - 1];
	for (i = 0; i < len; i += RTE_CACHE_LINE_SIZE)
		__builtin_prefetch(p + i, 1, 3);
}

/**
 * Allocate an mbuf for a packet the worker builds, counting eth NOMBUF on failure.
 * @param w worker
 * @return the mbuf or NULL
 */
static inline struct rte_mbuf *
lr_alloc(struct lr_worker *w)
{
	struct rte_mbuf *m = NULL;

	if (!lr_nomem_inject(&w->nomem, w->stats, LR_POOL_DATA))
		m = rte_pktmbuf_alloc(w->pool);

	if (unlikely(m == NULL))
		LR_STAT_INC(w->stats, LR_STAT_eth_NOMBUF);
	return m;
}

/**
 * Make a packet fit to be kept past the current burst (a queue, a buffer): copied into
 * the worker's data pool when a segment's buffer comes from another pool (an RX pool,
 * which held data must never drain) or when copying packs it into fewer buffers, then
 * charged to the worker's budget by its truesize (lr_mem.h).
 * @param w worker
 * @param m packet; owned by the call: returned (maybe as a copy), or freed
 * @param u what holds it
 * @param charged set to the bytes charged: give exactly these back with
 *        lr_mem_uncharge(&w->mem, w->stats, u, charged) when the packet is released
 * @return the packet to keep, or NULL: m freed, eth NOMBUF (no buffer for the copy)
 *         or mem REFUSED (budget's hard limit) counted; the caller counts its drop
 */
struct rte_mbuf *lr_mbuf_hold(struct lr_worker *w, struct rte_mbuf *m, enum lr_mem_user u,
		uint32_t *charged);

/**
 * Run fn(w, arg) on the worker's lcore, between two bursts, and wait for it (control
 * path; one caller at a time). When the worker's loop is not running, fn runs
 * inline. arg must stay valid until fn has run, even after a timeout.
 * @param timeout_ms how long to wait
 * @return 0, or -ETIMEDOUT
 */
int lr_worker_call(struct lr_worker *w, lr_worker_call_fn fn, void *arg,
		unsigned int timeout_ms);

/**
 * CPU time a worker's thread got from the OS (its thread CPU clock: unlike the TSC
 * cycles it excludes time the OS ran something else on that CPU), read from any
 * thread: the worker pays nothing for it. While the worker runs, its clock is read
 * (a system call of the caller's); once it stopped, the value it left in cpu_us.
 * @return microseconds
 */
uint64_t lr_worker_cpu_us(const struct lr_worker *w);

/**
 * Start a worker's thread CPU clock for lr_worker_cpu_us() (worker side, on its own
 * thread, before it sets running).
 */
void lr_worker_cpu_clock_start(struct lr_worker *w);

/** Record the worker thread's CPU time for good (worker side, before running goes off). */
void lr_worker_cpu_clock_stop(struct lr_worker *w);

/** Run a call posted by lr_worker_call(), if any. The poll loop calls it every turn. */
static inline void
lr_worker_poll_calls(struct lr_worker *w)
{
	uint32_t req = __atomic_load_n(&w->call_req, __ATOMIC_ACQUIRE);

	if (unlikely(req != w->call_done)) {
		w->call_fn(w, w->call_arg);
		__atomic_store_n(&w->call_done, req, __ATOMIC_RELEASE);
	}
}

/**
 * Record the length of one poll loop turn (worker side): keeps the maximum since
 * the last read. Lock-free against lr_worker_turn_max_take(): the worker only
 * raises the value (compare-and-swap, taken only on a new maximum), the reader
 * only swaps it for 0, so neither loses the other's update.
 * @param cycles TSC cycles the turn took
 */
static inline void
lr_worker_turn_end(struct lr_worker *w, uint64_t cycles)
{
	uint64_t cur = __atomic_load_n(&w->turn_max_cycles, __ATOMIC_RELAXED);

	if (unlikely(cycles > w->long_turn_cycles))  /* read by the control thread */
		__atomic_store_n(&w->long_turns, w->long_turns + 1, __ATOMIC_RELAXED);

	while (unlikely(cycles > cur) && !__atomic_compare_exchange_n(&w->turn_max_cycles, &cur,
			cycles, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/**
 * Longest loop turn of a worker since the previous call (any thread), and start a
 * new period.
 * @return TSC cycles (0 if no turn ended since)
 */
static inline uint64_t
lr_worker_turn_max_take(struct lr_worker *w)
{
	return __atomic_exchange_n(&w->turn_max_cycles, 0, __ATOMIC_RELAXED);
}

/**
 * Record the time one part of a turn took (worker side), as lr_worker_turn_end()
 * does for the whole turn: a load and a compare unless it is a new maximum.
 * @param part enum lr_turn_part
 * @param cycles TSC cycles the part took
 */
static inline void
lr_worker_part_end(struct lr_worker *w, enum lr_turn_part part, uint64_t cycles)
{
	uint64_t *p = &w->part_max_cycles[part];
	uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (unlikely(cycles > cur) && !__atomic_compare_exchange_n(p, &cur, cycles, true,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/**
 * Longest time a part of a turn took since the previous call (any thread), and start
 * a new period for it.
 * @return TSC cycles (0 if the part did not run since)
 */
static inline uint64_t
lr_worker_part_max_take(struct lr_worker *w, enum lr_turn_part part)
{
	return __atomic_exchange_n(&w->part_max_cycles[part], 0, __ATOMIC_RELAXED);
}

/** Microseconds from the TSC; the poll loop stores it in w->now_us. */
uint64_t lr_clock_us(void);

/** The same from a TSC value read already (one TSC read a turn: on some guests a
 * read traps to the hypervisor, 85-260 ns measured on this project's VM). */
uint64_t lr_tsc_us(uint64_t tsc);

/** @return true if a is an IPv4 multicast/broadcast/zero/loopback source we refuse. */
static inline bool
lr_ip_is_martian_src(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return h == 0 || h == UINT32_MAX || (h >> 28) == 0xe || (h >> 24) == 127;
}

/** Format an IPv4 address (network order) into buf (at least 16 bytes). */
const char *lr_ip_fmt(rte_be32_t ip, char *buf, size_t len);

/** Log type of lib/core ("linerate.core"). */
extern int lr_logtype_core;

#endif /* LR_CORE_H */
