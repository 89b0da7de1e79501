/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internet checksum (RFC 1071) over buffers and mbuf chains, for the ports that
 * leave L4 checksums to software (memif, ring, tap without offload).
 *
 * Why not rte_raw_cksum(): in DPDK 22.11 it adds one 16-bit word per loop turn,
 * which gcc -O2 does not vectorise; bench_pipeline showed that loop taking about
 * 80 % of lr_tcp_input() on 1400-byte segments. Here 64-bit words go through one
 * add-with-carry chain, 64 bytes a turn (x86-64; 8-byte words with the carry added
 * back elsewhere), folded once at the end. The result is bit for bit the one
 * rte_raw_cksum() gives: 2^16 = 1 modulo 0xffff, so a 64-bit word adds the same as
 * its four halves, and folding never turns a non-zero sum into 0.
 */
#ifndef LR_CKSUM_H
#define LR_CKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

/** Unfolded sum of buf added to sum (native 16-bit words; an odd last byte
 * counts as rte_raw_cksum() counts it). */
uint64_t lr_cksum_add(const void *buf, size_t len, uint64_t sum);

/** Fold a sum from lr_cksum_add() to 16 bits (not complemented). */
static inline uint16_t
lr_cksum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/** Same result as rte_raw_cksum(buf, len). */
static inline uint16_t
lr_cksum(const void *buf, size_t len)
{
	return lr_cksum_fold(lr_cksum_add(buf, len, 0));
}

/**
 * Same as rte_ipv4_cksum(): the complemented sum of the header as it stands (0 when a
 * received header is right). An option-less header is five 32-bit words added inline,
 * where rte_raw_cksum() takes ten turns of its 16-bit loop.
 * @param ip the header, contiguous with its options
 */
static inline uint16_t
lr_cksum_ipv4_hdr(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint32_t w0, w1, w2, w3, w4;

	if (unlikely(rte_ipv4_hdr_len(ip) != sizeof(*ip)))
		return (uint16_t)~lr_cksum(ip, rte_ipv4_hdr_len(ip));
	/* Word by word from the header: a copy of it to the stack (a 16-byte load and
	 * store, then 4-byte loads of that) stalled on store-to-load forwarding, a sixth
	 * of lr_ip_input()'s samples under dperf. */
	memcpy(&w0, p, 4);
	memcpy(&w1, p + 4, 4);
	memcpy(&w2, p + 8, 4);
	memcpy(&w3, p + 12, 4);
	memcpy(&w4, p + 16, 4);
	return (uint16_t)~lr_cksum_fold((uint64_t)w0 + w1 + w2 + w3 + w4);
}

/**
 * Folded sum of len bytes of a chain from offset off; a segment that starts at an
 * odd offset of the range has its sum byte-swapped (RFC 1071 §2(B)).
 * @return 0, or -1 when the chain is shorter than off + len
 */
int lr_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum);

/**
 * Folded sum of l4_len bytes of an L4 datagram at l4_off with the IPv4 pseudo header
 * (addresses and protocol from ip, length l4_len: UDP uses its own length field).
 * @return the sum, or 0 when the chain is shorter (never right)
 */
uint16_t lr_cksum_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off,
		uint16_t l4_len);

/**
 * Folded sum of an IPv4 UDP or TCP datagram with its pseudo header: 0xffff when
 * a received datagram's checksum is right; ~result (0xffff for a UDP 0) is the
 * checksum to send. The L4 length is the IP total length less the header.
 * @param l4_off offset of the L4 header in m (the IP header is contiguous at ip)
 * @return the sum, or 0 when m is shorter than the IP header says (never right)
 */
uint16_t lr_cksum_ipv4_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		uint32_t l4_off);

#endif /* LR_CKSUM_H */
