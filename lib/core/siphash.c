/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4, after the reference implementation (github.com/veorq/SipHash):
 * c = 2 compression rounds per 8-byte word, d = 4 finalisation rounds. The
 * known-answer tests in tests/core/test_siphash.c are the paper's vectors.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_random.h>

#include "lr_siphash.h"

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
} while (0)

uint64_t
lr_siphash24(const void *in, size_t len, const struct lr_siphash_key *key)
{
	const uint8_t *p = in;
	uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ key->k[0];
	uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ key->k[1];
	uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ key->k[0];
	uint64_t v3 = UINT64_C(0x7465646279746573) ^ key->k[1];
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		m = rte_le_to_cpu_64(m);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	/* The last word: the remaining bytes, the length mod 256 in the top byte. */
	for (j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int
lr_siphash_key_random(struct lr_siphash_key *key)
{
	size_t got = 0;
	ssize_t n;
	int rc = -EIO;

	/* 16 bytes: getrandom() returns them whole once the pool is initialised. */
	while (got < sizeof(key->k)) {
		n = getrandom((uint8_t *)key->k + got, sizeof(key->k) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	if (got == sizeof(key->k))
		return 0;
	key->k[0] = rte_rand() ^ rte_get_tsc_cycles();
	key->k[1] = rte_rand() ^ ROTL64(rte_get_tsc_cycles(), 32);
	return rc;
}
