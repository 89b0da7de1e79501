/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 §3.6): past half_open_max a listener answers a SYN with a
 * SYN-ACK whose ISS encodes the connection, and keeps no state; the returning
 * ACK (SEG.ACK - 1 = ISS) is checked and the connection created from it.
 *
 * Cookie (32 bits): the top 29 bits of SipHash-2-4(4-tuple, peer ISN, t) (lr_siphash.h)
 * under a per-worker 128-bit key, t = now / 64 s; the low 3 bits index the MSS table.
 * A cookie is accepted in its own 64 s period and the next (~2 periods). What a
 * cookie cannot carry is lost: window scaling and timestamps are not offered on a
 * cookie SYN-ACK, so such connections run without them (as FreeBSD without
 * timestamps).
 */
#include <string.h>

#include <rte_common.h>

#include "tcp_internal.h"

#define COOKIE_PERIOD_US (64ull * 1000000)
#define COOKIE_MSS_MASK 0x7u

/* MSS values a cookie can carry: the largest at or below the peer's is used. */
static const uint16_t cookie_mss[COOKIE_MSS_MASK + 1] = {
	536, 1200, 1300, 1380, 1440, 1460, 4312, 8960,
};

static uint32_t
cookie_hash(const struct lr_tcp_shard *sh, const struct tcp_key *key, uint32_t irs,
		uint64_t t)
{
	uint8_t in[sizeof(*key) + 12];

	memcpy(in, key, sizeof(*key));
	memcpy(in + sizeof(*key), &irs, 4);
	memcpy(in + sizeof(*key) + 4, &t, 8);
	return (uint32_t)lr_siphash24(in, sizeof(in), &sh->cookie_key);
}

/**
 * The ISS of a cookie SYN-ACK answering a SYN with sequence irs and MSS mss.
 * @param mss_out the MSS the cookie carries (what the connection will use)
 */
uint32_t
tcp_cookie_make(struct lr_tcp_shard *sh, const struct tcp_key *key, uint32_t irs,
		uint64_t now_us, uint16_t mss, uint16_t *mss_out)
{
	uint32_t idx = 0;

	while (idx < COOKIE_MSS_MASK && cookie_mss[idx + 1] <= mss)
		idx++;
	*mss_out = cookie_mss[idx];
	return (cookie_hash(sh, key, irs, now_us / COOKIE_PERIOD_US) & ~COOKIE_MSS_MASK) | idx;
}

/**
 * Check a returning cookie (iss = SEG.ACK - 1, irs = SEG.SEQ - 1).
 * @return the MSS it carries, or -1 when forged or expired
 */
int
tcp_cookie_check(struct lr_tcp_shard *sh, const struct tcp_key *key, uint32_t irs,
		uint32_t iss, uint64_t now_us)
{
	uint64_t t = now_us / COOKIE_PERIOD_US;
	unsigned int d;

	for (d = 0; d <= 1 && d <= t; d++)
		if (((cookie_hash(sh, key, irs, t - d) ^ iss) & ~COOKIE_MSS_MASK) == 0)
			return cookie_mss[iss & COOKIE_MSS_MASK];
	return -1;
}
