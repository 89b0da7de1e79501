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
 * - Atomic datagrams (DF set, not fragmented: TCP) may carry any id (RFC 6864 4.1);
 *   they take a per-worker table, written only by that worker, so TCP never
 *   contends on a shared cache line (Linux gives them a per-socket counter).
 */
#include <errno.h>
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
}

static inline uint32_t
id_bucket(rte_be32_t dst, rte_be32_t src, uint8_t proto)
{
	const uint32_t in[3] = { dst, src, proto };

	return (uint32_t)lr_siphash24(in, sizeof(in), &ip_id_key) & (LR_IP_IDENTS - 1);
}

uint16_t
lr_ip_id_select(struct lr_ip_worker *ipw, rte_be32_t dst, rte_be32_t src, uint8_t proto,
		bool atomic)
{
	uint32_t b = id_bucket(dst, src, proto);

	if (atomic)
		return ipw->idents[b]++;
	return (uint16_t)__atomic_fetch_add(&ip_idents[b], 1, __ATOMIC_RELAXED);
}
