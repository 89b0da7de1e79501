/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 §3.6): past half_open_max a listener answers a SYN with a
 * SYN-ACK whose ISS encodes the connection, and keeps no state; the returning
 * ACK (SEG.ACK - 1 = ISS) is checked and the connection created from it.
 *
 * Cookie (32 bits): the top 29 bits of SipHash-2-4(4-tuple, peer ISN, t) (lr_siphash.h)
 * under a per-worker 128-bit key, t = now / 64 s; the low 3 bits index the MSS table.
 * A cookie is accepted in its own 64 s period and the next (~2 periods).
 *
 * Options, when the SYN carried timestamps (and they are on): like Linux
 * (cookie_init_timestamp()), the cookie SYN-ACK offers timestamps, and the low 6
 * bits of its TSval carry what the SYN negotiated: bits 0-3 the peer's window
 * shift (15 = none), bit 4 SACK-permitted, bit 5 ECN (the SYN asked for it and the
 * SYN-ACK accepted it with ECE, RFC 3168 §6.1.1). The ACK echoes it in TSecr, so the
 * connection it creates keeps window scaling, SACK, ECN and timestamps. The TSval
 * is never ahead of the connection's clock (the bits are taken below it), so later
 * TSvals never go backwards. Without timestamps only the MSS survives (as FreeBSD
 * without them): such a SYN-ACK does not accept ECN.
 */
#include <string.h>

#include <rte_common.h>

#include "tcp_internal.h"

#define COOKIE_PERIOD_US (64ull * 1000000)
#define COOKIE_MSS_MASK 0x7u
#define COOKIE_TS_MASK 0x3fu   /* TSval bits carrying the options */
#define COOKIE_TS_WS_MASK 0xfu /* the peer's shift, or COOKIE_TS_NO_WS */
#define COOKIE_TS_NO_WS 0xfu
#define COOKIE_TS_SACK 0x10u
#define COOKIE_TS_ECN 0x20u    /* ECN (RFC 3168) accepted */

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

uint32_t
tcp_cookie_tsval(uint32_t ts_now, const struct lr_tcp_seg *seg, bool ws, bool sack,
		bool ecn)
{
	uint32_t bits = COOKIE_TS_NO_WS;
	uint32_t ts;

	if (ws && seg->opt.has_ws)
		bits = RTE_MIN((uint32_t)seg->opt.wscale, (uint32_t)TCP_MAX_WSCALE);
	if (sack && seg->opt.sack_ok)
		bits |= COOKIE_TS_SACK;
	if (ecn)
		bits |= COOKIE_TS_ECN;
	ts = (ts_now & ~COOKIE_TS_MASK) | bits;
	if (ts > ts_now) /* never ahead of the clock */
		ts -= COOKIE_TS_MASK + 1;
	return ts;
}

int
tcp_cookie_ts_decode(uint32_t tsecr, struct tcp_cookie_opts *o)
{
	uint32_t ws = tsecr & COOKIE_TS_WS_MASK;

	memset(o, 0, sizeof(*o));
	if (tsecr == 0 || (ws != COOKIE_TS_NO_WS && ws > TCP_MAX_WSCALE))
		return -1;
	o->has_ws = ws != COOKIE_TS_NO_WS;
	o->wscale = o->has_ws ? (uint8_t)ws : 0;
	o->sack = (tsecr & COOKIE_TS_SACK) != 0;
	o->ecn = (tsecr & COOKIE_TS_ECN) != 0;
	return 0;
}
