/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum over mbuf chains (lr_cksum.h).
 */
#include <rte_byteorder.h>
#include <rte_common.h>

#include "lr_cksum.h"

/*
 * 64-bit words in one add-with-carry chain, each turn's last carry added back (end-around
 * carry): the sum modulo 2^64 - 1, which 0xffff divides, so it folds to the 16-bit sum.
 * Eight words a turn: 12 instructions per 64 bytes where the vectorised 32-bit loop took
 * 32 (callgrind), then four if 32 bytes are left; x86-64 only, other targets take the
 * 8-byte words of the tail loop.
 */
static inline uint64_t
add_blocks64(const uint8_t **pp, size_t *len, uint64_t s)
{
#if defined(RTE_ARCH_X86_64)
	const uint8_t *p = *pp;
	size_t n = *len / 64;

	for (; n > 0; n--, p += 64)
		__asm__("addq 0(%[p]), %[s]\n\t"
			"adcq 8(%[p]), %[s]\n\t"
			"adcq 16(%[p]), %[s]\n\t"
			"adcq 24(%[p]), %[s]\n\t"
			"adcq 32(%[p]), %[s]\n\t"
			"adcq 40(%[p]), %[s]\n\t"
			"adcq 48(%[p]), %[s]\n\t"
			"adcq 56(%[p]), %[s]\n\t"
			"adcq $0, %[s]"
			: [s] "+r" (s)
			: [p] "r" (p), "m" (*(const uint8_t (*)[64])p)
			: "cc");
	if (*len - (size_t)(p - *pp) >= 32) { /* a TCP header with timestamps, for one */
		__asm__("addq 0(%[p]), %[s]\n\t"
			"adcq 8(%[p]), %[s]\n\t"
			"adcq 16(%[p]), %[s]\n\t"
			"adcq 24(%[p]), %[s]\n\t"
			"adcq $0, %[s]"
			: [s] "+r" (s)
			: [p] "r" (p), "m" (*(const uint8_t (*)[32])p)
			: "cc");
		p += 32;
	}
	*len -= (size_t)(p - *pp);
	*pp = p;
#else
	RTE_SET_USED(pp);
	RTE_SET_USED(len);
#endif
	return s;
}

uint64_t
lr_cksum_add(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = add_blocks64(&p, &len, 0), w;
	uint32_t w32;
	uint16_t h;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		s += w;
		s += s < w; /* the carry, end around (adc) */
	}
	/* At most 7 bytes left: 32 + 16 + 8 bits added to a value folded to 33 bits. */
	s = (s & 0xffffffffu) + (s >> 32);
	if (len >= 4) {
		memcpy(&w32, p, 4);
		s += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		*(uint8_t *)&h = *p; /* the byte's place in its 16-bit word, either order */
		s += h;
	}
	/* Under 2^34 here: the caller's sum and small words added later cannot wrap. */
	return sum + s;
}

int
lr_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum)
{
	const struct rte_mbuf *seg = m;
	uint64_t sum = 0;
	uint32_t done = 0;

	if (off + len <= rte_pktmbuf_data_len(m)) {
		*cksum = lr_cksum(rte_pktmbuf_mtod_offset(m, const uint8_t *, off), len);
		return 0;
	}
	if ((uint64_t)off + len > rte_pktmbuf_pkt_len(m))
		return -1;
	while (seg != NULL && off >= rte_pktmbuf_data_len(seg)) {
		off -= rte_pktmbuf_data_len(seg);
		seg = seg->next;
	}
	while (done < len && seg != NULL) {
		uint32_t n = RTE_MIN(rte_pktmbuf_data_len(seg) - off, len - done);
		uint16_t part = lr_cksum(rte_pktmbuf_mtod_offset(seg, const uint8_t *, off), n);

		/* Its first byte is the high or low half of a word as done is even or odd. */
		sum += (done & 1) ? rte_bswap16(part) : part;
		done += n;
		off = 0;
		seg = seg->next;
	}
	if (done < len)
		return -1; /* pkt_len larger than the segments: a broken chain */
	*cksum = lr_cksum_fold(sum);
	return 0;
}

uint16_t
lr_cksum_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off,
		uint16_t l4_len)
{
	/* pseudo header: source and destination, then the 16-bit words zero|protocol
	 * and length, in network order */
	uint64_t sum = (uint64_t)ip->src_addr + ip->dst_addr +
			rte_cpu_to_be_16((uint16_t)ip->next_proto_id) + rte_cpu_to_be_16(l4_len);
	uint16_t body;

	if (likely(l4_off + l4_len <= rte_pktmbuf_data_len(m))) /* one pass, one fold */
		return lr_cksum_fold(lr_cksum_add(rte_pktmbuf_mtod_offset(m, const uint8_t *,
				l4_off), l4_len, sum));
	if (lr_cksum_mbuf(m, l4_off, l4_len, &body) != 0)
		return 0;
	return lr_cksum_fold(sum + body);
}

uint16_t
lr_cksum_ipv4_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);

	return tot < hlen ? 0 : lr_cksum_l4(m, ip, l4_off, (uint16_t)(tot - hlen));
}
