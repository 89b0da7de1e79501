/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv4 input (RFC 1812 5.2.2 checks, reassembly) and output (routing to a next
 * hop, checksums, fragmentation), and ICMP (echo, errors with a rate limit).
 */
#ifndef LR_IP_H
#define LR_IP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "lr_core.h"

/** IPv4 and ICMP settings. */
struct lr_ip_conf {
	uint8_t ttl;                 /**< TTL of packets we send */
	uint32_t frag_max_flows;     /**< datagrams being reassembled per worker */
	uint32_t frag_max_bufs;      /**< mbufs held for reassembly per worker; at this bound
	                              *   (or frag_max_flows, or the memory budget) the
	                              *   oldest incomplete datagrams are evicted */
	uint32_t frag_low_bufs;      /**< under memory pressure: mbufs reassembly is cut
	                              *   down to (oldest first), and no new datagram is
	                              *   started (Linux ipfrag_low_thresh) */
	uint32_t frag_timeout_ms;    /**< an incomplete datagram is freed after this */
	uint32_t icmp_rate;          /**< ICMP errors per second per worker (0 = none) */
	uint32_t icmp_burst;         /**< token bucket depth */
};

/** Defaults: TTL 64, 4096 datagrams, 1024 mbufs (256 under pressure), 2 s, 100 ICMP errors/s with a burst of 50. */
extern const struct lr_ip_conf lr_ip_conf_default;

/** Set IP settings (control path). */
void lr_ip_configure(const struct lr_ip_conf *conf);
/** The settings in force. */
const struct lr_ip_conf *lr_ip_config(void);

/** Create a worker's reassembly table and ICMP limiter. @return 0 or -errno */
int lr_ip_worker_init(struct lr_worker *w);
/** Free them. */
void lr_ip_worker_fini(struct lr_worker *w);

/** Register the eth handler for IPv4 and ICMP's protocol handler (control path). */
void lr_ip_init(void);

/* The ECN field of the IPv4 header, the low two bits of the former TOS octet
 * (RFC 3168 §5). */
#define LR_IP_ECN_MASK 0x03
#define LR_IP_ECN_NOT_ECT 0x00 /**< Not ECN-Capable Transport */
#define LR_IP_ECN_ECT1 0x01    /**< ECT(1) */
#define LR_IP_ECN_ECT0 0x02    /**< ECT(0), what an ECN sender sets (RFC 3168 §6.1.1) */
#define LR_IP_ECN_CE 0x03      /**< Congestion Experienced, set by a router */

/**
 * Handler of one IP protocol. Called with data at the IPv4 header and m->l3_len set
 * to the header length; the IP header is validated and the mbuf trimmed to the
 * datagram's total length (it may be a reassembled chain). The header's ECN field
 * (LR_IP_ECN_MASK of type_of_service) is the datagram's: CE when any fragment of a
 * reassembled one had it (RFC 3168 §5.3). The handler owns m.
 */
typedef void (*lr_ip_proto_fn)(struct lr_worker *w, struct rte_mbuf *m,
		const struct lr_iface *ifc);

/** Register a protocol handler (control path). @return 0 */
int lr_ip_register(uint8_t proto, lr_ip_proto_fn fn);

/** IPv4 input: data at the IPv4 header. Owns m. */
void lr_ip_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc);

/** Free reassembly entries that timed out; call periodically. */
void lr_ip_tick(struct lr_worker *w);

/**
 * Send an L4 payload: prepend an IPv4 header, route, checksum, fragment, resolve.
 * To have the UDP or TCP checksum filled in, set RTE_MBUF_F_TX_UDP_CKSUM or
 * RTE_MBUF_F_TX_TCP_CKSUM in m->ol_flags with the checksum field at any value: it is
 * offloaded when the port can and computed here otherwise.
 * @param m data at the L4 header (m->l4_len need not be set); owned afterwards
 * @param src our address (network order); 0 picks the outgoing interface's
 * @param dst destination (network order)
 * @param proto IPPROTO_*
 */
void lr_ip_output(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto);

/**
 * lr_ip_output() for a datagram the caller keeps a counter for (a TCP connection's
 * segments): atomic (DF set) with the caller's id, which RFC 6864 4.1 lets be any
 * value; Linux gives each socket such a counter (inet_id), seeded at random. When it
 * needs fragmenting (larger than the MTU) it is sent as lr_ip_output() sends it:
 * no DF, an id from the shared counters.
 * @param id the Identification, host order
 * @param ecn the ECN field (RFC 3168 §5, LR_IP_ECN_*), e.g. ECT(0) on TCP data of a
 *        connection that negotiated ECN; the DSCP is 0
 */
void lr_ip_output_id(struct lr_worker *w, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto, uint16_t id, uint8_t ecn);

/**
 * Send an ICMP error about a received datagram, quoting its IP header and the first
 * 8 bytes of payload (RFC 792), subject to the rate limit. Never about ICMP errors,
 * fragments other than the first, or broadcast/multicast.
 * @param orig the datagram, data at its IPv4 header; NOT freed (the caller drops it)
 * @param type ICMP type (e.g. LR_ICMP_UNREACH = 3)
 * @param code ICMP code (e.g. 3 port unreachable)
 * @return 0 if sent, -EAGAIN if rate limited, -ENOBUFS, -EINVAL if not allowed
 */
int lr_icmp_send_error(struct lr_worker *w, const struct rte_mbuf *orig, uint8_t type,
		uint8_t code);

/** ICMP input (registered as protocol 1 by lr_ip_init). Owns m. */
void lr_icmp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc);

/**
 * @return true if m was reassembled from fragments by lr_ip_input() (steering saw
 * only its addresses, not its ports)
 */
static inline bool
lr_ip_is_reassembled(const struct rte_mbuf *m)
{
	return (m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_FRAG;
}

/** ICMP type/code for unreachable messages (RFC 792). */
#define LR_ICMP_UNREACH 3
#define LR_ICMP_UNREACH_PROTO 2
#define LR_ICMP_UNREACH_PORT 3

#endif /* LR_IP_H */
