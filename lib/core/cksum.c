/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum over mbuf chains (lr_cksum.h).
 */
#include <rte_byteorder.h>

#include "lr_cksum.h"

/* Vectorised even at -O2 (the loop has no carries to chain: 2^32 words of 2^32 - 1
 * at most fit in 64 bits). */
__attribute__((optimize("tree-vectorize")))
uint64_t
lr_cksum_add(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	size_t i, n = len / 4;
	uint16_t h;

	for (i = 0; i < n; i++) {
		uint32_t w;

		memcpy(&w, p + 4 * i, 4);
		sum += w;
	}
	p += 4 * n;
	len -= 4 * n;
	if (len >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		*(uint8_t *)&h = *p; /* the byte's place in its 16-bit word, either order */
		sum += h;
	}
	return sum;
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
	uint16_t body;
	uint64_t sum;

	if (lr_cksum_mbuf(m, l4_off, l4_len, &body) != 0)
		return 0;
	/* pseudo header: source and destination (adjacent in the header), then the
	 * 16-bit words zero|protocol and length, in network order */
	sum = lr_cksum_add(&ip->src_addr, 2 * sizeof(ip->src_addr), body);
	sum += rte_cpu_to_be_16((uint16_t)ip->next_proto_id) + rte_cpu_to_be_16(l4_len);
	return lr_cksum_fold(sum);
}

uint16_t
lr_cksum_ipv4_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);

	return tot < hlen ? 0 : lr_cksum_l4(m, ip, l4_off, (uint16_t)(tot - hlen));
}
