/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-worker counters and drop reasons.
 *
 * Every counter has a layer, a name and a kind. Workers only ever write their own
 * block (struct lr_stats, one per worker, cache aligned); the control thread reads
 * all blocks and sums them. A packet that ends its life is either *consumed*
 * (handled normally) or *dropped* with exactly one drop reason.
 */
#ifndef LR_STATS_H
#define LR_STATS_H

#include <stdint.h>
#include <rte_common.h>

/** Kind of a counter: an event count or a drop reason. */
enum lr_stat_kind {
	LR_STAT_KIND_COUNT = 0, /**< plain event or packet count */
	LR_STAT_KIND_DROP = 1,  /**< a packet dropped for this reason */
};

/*
 * X(layer, NAME, kind, "description")
 * Order inside a layer is the order `linerate-ctl stats` prints.
 */
#define LR_STATS_TABLE(X) \
	X(eth, RX, COUNT, "frames received") \
	X(eth, TX, COUNT, "frames sent") \
	X(eth, TX_FULL, DROP, "frames dropped because the TX queue and its hold were full") \
	X(eth, TX_HELD, COUNT, "frames the TX queue refused, held for a later flush ([worker] tx_hold)") \
	X(eth, TRUNCATED, DROP, "frames shorter than an Ethernet header") \
	X(eth, NOT_FOR_US, DROP, "frames for another MAC address") \
	X(eth, UNKNOWN_TYPE, DROP, "frames with an EtherType we do not handle") \
	X(eth, UNKNOWN_PORT, DROP, "frames from a port with no interface") \
	X(eth, RX_VLAN, COUNT, "802.1Q frames received (tag in the frame or stripped by the port)") \
	X(eth, TX_VLAN, COUNT, "802.1Q frames sent (tag written, or inserted by the port)") \
	X(eth, UNKNOWN_VLAN, DROP, "tagged frames for a VLAN ID the port has no interface on") \
	X(eth, UNTAGGED, DROP, "untagged frames on a port whose interfaces are all tagged") \
	X(eth, NOMBUF, DROP, "packets not built because the mbuf pool was empty") \
	X(arp, RX_REQUEST, COUNT, "ARP requests received") \
	X(arp, RX_REPLY, COUNT, "ARP replies received") \
	X(arp, TX_REQUEST, COUNT, "ARP requests sent") \
	X(arp, TX_REPLY, COUNT, "ARP replies sent") \
	X(arp, TX_GRATUITOUS, COUNT, "gratuitous ARPs sent") \
	X(arp, LEARNED, COUNT, "cache entries learned or refreshed") \
	X(arp, EXPIRED, COUNT, "cache entries expired") \
	X(arp, RESOLVE_FAILED, COUNT, "resolutions that gave up after all retries") \
	X(arp, QUEUED, COUNT, "packets queued waiting for resolution") \
	X(arp, TRUNCATED, DROP, "ARP packets shorter than an ARP header") \
	X(arp, BAD_FORMAT, DROP, "ARP with unsupported hardware/protocol type or lengths") \
	X(arp, BAD_OP, DROP, "ARP with an unknown operation") \
	X(arp, NOT_FOR_US, DROP, "ARP for another target address") \
	X(arp, BAD_SENDER, DROP, "ARP with a broadcast, multicast or own sender") \
	X(arp, PENDING_FULL, DROP, "packets dropped: resolution queue full") \
	X(arp, TABLE_FULL, DROP, "packets dropped: ARP table full") \
	X(arp, UNRESOLVED, DROP, "packets dropped: next hop did not answer") \
	X(arp, STALE, COUNT, "entries unconfirmed for timeout_ms, kept as stale") \
	X(arp, TX_PROBE, COUNT, "probes of stale entries in use (unicast, then broadcast)") \
	X(arp, PROBE_FAILED, COUNT, "entries in use removed after every probe went unanswered") \
	X(arp, EVICTED, COUNT, "entries evicted (least recently used) for a new one") \
	X(arp, NOT_ON_LINK, DROP, "ARP from a sender outside our subnets (not learned)") \
	X(arp, PENDING_LIMIT, DROP, "packets dropped: the worker's queue reached pending_total") \
	X(arp, PENDING_NOMEM, DROP, "packets dropped: no buffer or memory budget to queue them") \
	X(ip, RX, COUNT, "IPv4 packets received") \
	X(ip, DELIVERED, COUNT, "IPv4 packets delivered to a protocol") \
	X(ip, TX, COUNT, "IPv4 packets sent") \
	X(ip, FRAG_RX, COUNT, "fragments received") \
	X(ip, REASSEMBLED, COUNT, "datagrams reassembled") \
	X(ip, FRAG_TX, COUNT, "fragments sent") \
	X(ip, TRUNCATED, DROP, "5.2.2(1) shorter than the minimum IPv4 header") \
	X(ip, BAD_CKSUM, DROP, "5.2.2(2) header checksum wrong") \
	X(ip, BAD_VERSION, DROP, "5.2.2(3) version is not 4") \
	X(ip, BAD_IHL, DROP, "5.2.2(4) header length below 5 words") \
	X(ip, BAD_TOTLEN, DROP, "5.2.2(5) total length below header length") \
	X(ip, TOTLEN_BEYOND_FRAME, DROP, "total length beyond the frame") \
	X(ip, BAD_SRC, DROP, "source is broadcast, multicast, loopback or ours") \
	X(ip, NOT_FOR_US, DROP, "destination is not one of our addresses") \
	X(ip, UNKNOWN_PROTO, DROP, "protocol with no handler") \
	X(ip, FRAG_BAD, DROP, "fragments malformed: overlapping, duplicate, bad length") \
	X(ip, FRAG_TOO_BIG, DROP, "fragments, or datagrams reassembled, beyond 65535 bytes") \
	X(ip, FRAG_ECN_MIXED, DROP, \
		"fragments of datagrams mixing Not-ECT with ECT or CE (RFC 3168 5.3)") \
	X(ip, FRAG_TIMEOUT, DROP, "fragments freed incomplete after frag_timeout_ms") \
	/* reassembly bounds (pools): oldest evicted for room, no buffer to keep one */ \
	X(ip, FRAG_EVICTED, DROP, "fragments of the oldest incomplete datagrams evicted for room") \
	X(ip, FRAG_NOMEM, DROP, "fragments dropped: no buffer or memory budget to keep them") \
	X(ip, FRAG_PRESSURE_REFUSED, DROP, \
		"fragments that would start a new datagram refused under memory pressure") \
	X(ip, FRAG_PRESSURE_EVICTED, DROP, \
		"fragments of the oldest datagrams evicted under memory pressure (frag_low_bufs)") \
	X(ip, NO_ROUTE, DROP, "packets to a destination with no route") \
	X(ip, FRAG_FAILED, DROP, "packets that could not be fragmented for the MTU") \
	X(ip, REASM_STEERED, COUNT, "reassembled TCP/UDP datagrams handed to their owner") \
	X(icmp, RX, COUNT, "ICMP messages received") \
	X(icmp, RX_ECHO, COUNT, "echo requests received") \
	X(icmp, TX_ECHO_REPLY, COUNT, "echo replies sent") \
	X(icmp, RX_ERROR, COUNT, "ICMP errors received") \
	X(icmp, TX_UNREACH, COUNT, "destination unreachable sent") \
	X(icmp, RATELIMITED, COUNT, "errors not sent because of the rate limit") \
	X(icmp, TRUNCATED, DROP, "ICMP shorter than its header") \
	X(icmp, BAD_CKSUM, DROP, "ICMP checksum wrong") \
	X(icmp, UNHANDLED_TYPE, DROP, "ICMP type we do not answer") \
	X(icmp, ECHO_BROADCAST, DROP, "echo requests to a broadcast address (not answered)") \
	X(udp, RX, COUNT, "UDP datagrams received") \
	X(udp, TX, COUNT, "UDP datagrams sent") \
	X(udp, TRUNCATED, DROP, "UDP shorter than its header") \
	X(udp, BAD_LEN, DROP, "UDP length field disagrees with the IP length") \
	X(udp, BAD_CKSUM, DROP, "UDP checksum wrong") \
	X(udp, NO_PORT, DROP, "UDP to a closed port") \
	X(udp, ECHO_RX, COUNT, "echo service datagrams") \
	X(udp, DISCARD_RX, COUNT, "discard service datagrams") \
	X(udp, DISCARD_BYTES, COUNT, "discard service bytes") \
	X(udp, ECHO_BCAST, DROP, "echo datagrams to a broadcast/multicast address (unanswered)") \
	X(fault, RX_LOST, COUNT, "received packets dropped by fault injection") \
	X(fault, RX_DUPLICATED, COUNT, "received packets duplicated by fault injection") \
	X(fault, RX_REORDERED, COUNT, "received packets held back behind the next one") \
	X(fault, RX_DELAYED, COUNT, "received packets delayed") \
	X(fault, RX_CE_MARKED, COUNT, "received ECN-capable packets marked CE") \
	X(fault, TX_LOST, COUNT, "sent packets dropped by fault injection") \
	X(fault, TX_DUPLICATED, COUNT, "sent packets duplicated by fault injection") \
	X(fault, TX_REORDERED, COUNT, "sent packets held back behind the next one") \
	X(fault, TX_DELAYED, COUNT, "sent packets delayed") \
	X(fault, TX_CE_MARKED, COUNT, "sent ECN-capable packets marked CE") \
	X(fault, QUEUE_FULL, DROP, "packets dropped: the delay queue was full") \
	X(mem, PRESSURE, COUNT, "times the worker's memory budget entered pressure") \
	X(mem, REFUSED, COUNT, "charges refused at the memory budget's hard limit") \
	X(mem, COPIED, COUNT, "held packets copied out of a receive pool or collapsed") \
	X(mem, INJECTED, COUNT, "allocations failed on purpose (allocation-failure injection)")

/** Counter identifiers: LR_STAT_<LAYER>_<NAME>. */
enum lr_stat_id {
#define LR_STAT_ENUM(layer, name, kind, desc) LR_STAT_##layer##_##name,
	LR_STATS_TABLE(LR_STAT_ENUM)
#undef LR_STAT_ENUM
	LR_STAT_MAX
};

/** One worker's counters. Written only by that worker. */
struct __rte_cache_aligned lr_stats {
	uint64_t v[LR_STAT_MAX]; /**< indexed by enum lr_stat_id */
};

/** Static description of one counter. */
struct lr_stat_desc {
	const char *layer; /**< "eth", "arp", "ip", ... */
	const char *name;  /**< name as in the enum, e.g. "BAD_CKSUM" */
	enum lr_stat_kind kind; /**< count or drop */
	const char *desc;  /**< one-line human description */
};

/** Maximum number of worker counter blocks. */
#define LR_STATS_MAX_BLOCKS 128

/** Per-worker blocks, indexed by worker id. */
extern struct lr_stats lr_stats_blocks[LR_STATS_MAX_BLOCKS];

/**
 * Describe a counter.
 * @param id counter id
 * @return its description, or NULL if id is out of range
 */
const struct lr_stat_desc *lr_stats_desc(enum lr_stat_id id);

/**
 * Sum one counter over worker blocks [0, nb_blocks). Safe from any thread.
 * @param id counter id
 * @param nb_blocks number of worker blocks to sum
 * @return the sum
 */
uint64_t lr_stats_sum(enum lr_stat_id id, unsigned int nb_blocks);

/**
 * Read one worker's counter. Safe from any thread.
 * @param block worker id
 * @param id counter id
 * @return the value
 */
static inline uint64_t
lr_stats_read(unsigned int block, enum lr_stat_id id)
{
	return __atomic_load_n(&lr_stats_blocks[block].v[id], __ATOMIC_RELAXED);
}

/** Reset all blocks to zero (tests only; not safe while workers run). */
void lr_stats_reset(void);

/** Increment a counter in a worker's own block. */
#define LR_STAT_INC(st, id) ((st)->v[(id)]++)
/** Add to a counter in a worker's own block. */
#define LR_STAT_ADD(st, id, n) ((st)->v[(id)] += (n))

#endif /* LR_STATS_H */
