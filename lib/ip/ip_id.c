/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 Identification (RFC 791, RFC 6864, RFC 7739): never one global counter,
 * which tells anyone who sees two packets how much we sent in between, to whom
 * (idle scans, counting hosts behind us, guessing the id of a fragment to inject).
 *
 * Like Linux ip_idents (net/ipv4/route.c, ip_idents_reserve()): a datagram's id
 * comes from one of LR_IP_IDENTS counters, picked by SipHash-2-4 of (daddr, saddr,
 * protocol) under a 128-bit secret drawn at start, counters seeded at random (RFC
 * 7739 5.3 "hash-based"). SipHash, not jhash: Linux moved to it after the jhash
 * secret proved recoverable from observed ids (CVE-2019-10638). Two destinations share a counter only by hash collision, so the
 * sequence one host sees says nothing about the traffic to another.
 *
 * - Non-atomic datagrams (no DF, may be fragmented on the way: UDP, ICMP) must not
 *   repeat an id for one (src, dst, protocol) within the reassembly lifetime (RFC
 *   6864 4.1), whichever worker sends them: their counters are shared and taken
 *   with an atomic add, as Linux does.
 * - Atomic datagrams (DF set, not fragmented: TCP) may carry any id (RFC 6864 4.1).
 *   A connection's segments carry its own counter (lr_ip_output_id(), seeded per
 *   connection by tcp_conn_new(), like Linux inet_id); the others (RSTs, cookie
 *   SYN-ACKs, TIME_WAIT ACKs) take a per-worker table, written only by that worker,
 *   so TCP never contends on a shared cache line.
 *
 * The hash costs ~180 instructions, more than the rest of IP output; a worker keeps
 * its last picks in a small direct-mapped cache (id_cache), exact since the key is
 * never redrawn: a reply to a recent peer skips it. The slot comes from a cheap mix
 * of the addresses, so a peer that chooses addresses can make picks miss the
 * cache (the hash is computed, as before), never change what the hash gives.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_common.h>
#include <rte_random.h>

#include "ip_internal.h"
#include "lr_siphash.h"

static uint32_t ip_idents[LR_IP_IDENTS];   /* non-atomic datagrams, all workers */
static struct lr_siphash_key ip_id_key;
static bool ip_id_ready;

/* Counter seeds from the kernel CSPRNG; rte_rand() only as a fallback. */
static void
random_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	if (getrandom(buf, len, 0) == (ssize_t)len)
		return;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rte_rand();
}

void
lr_ip_id_init(void)
{
	if (ip_id_ready)
		return;
	lr_siphash_key_random(&ip_id_key);
	random_fill(ip_idents, sizeof(ip_idents));
	ip_id_ready = true;
}

void
lr_ip_id_worker_init(struct lr_ip_worker *ipw)
{
	lr_ip_id_init();
	random_fill(ipw->idents, sizeof(ipw->idents));
	memset(ipw->id_cache, 0, sizeof(ipw->id_cache));
}

static inline uint32_t
id_bucket(struct lr_ip_worker *ipw, rte_be32_t dst, rte_be32_t src, uint8_t proto)
{
	const uint32_t in[3] = { dst, src, proto };
	struct ip_id_cache_ent *e;
	uint32_t b;

	e = &ipw->id_cache[((dst ^ (src >> 7) ^ proto) * 0x9e3779b1u) >>
			(32 - __builtin_ctz(LR_IP_ID_CACHE))];
	if (likely(e->valid && e->dst == dst && e->src == src && e->proto == proto))
		return e->bucket;
	b = (uint32_t)lr_siphash24(in, sizeof(in), &ip_id_key) & (LR_IP_IDENTS - 1);
	*e = (struct ip_id_cache_ent){ .dst = dst, .src = src, .bucket = (uint16_t)b,
			.proto = proto, .valid = 1 };
	return b;
}

uint16_t
lr_ip_id_select(struct lr_ip_worker *ipw, rte_be32_t dst, rte_be32_t src, uint8_t proto,
		bool atomic)
{
	uint32_t b = id_bucket(ipw, dst, src, proto);

	if (atomic)
		return ipw->idents[b]++;
	return (uint16_t)__atomic_fetch_add(&ip_idents[b], 1, __ATOMIC_RELAXED);
}
