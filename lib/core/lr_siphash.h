/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SipHash-2-4 (Aumasson, Bernstein, "SipHash: a fast short-input PRF", 2012): a
 * keyed pseudorandom function with a 128-bit key, for values an attacker sees but
 * must not predict or invert: TCP initial sequence numbers and timestamp offsets
 * (RFC 6528), SYN cookies (RFC 4987). Linux uses it for the same (secure_seq.c,
 * syncookies.c), FreeBSD for its ISNs (tcp_new_isn()).
 */
#ifndef LR_SIPHASH_H
#define LR_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/** A SipHash key: k0 is key bytes 0-7, k1 bytes 8-15, each little-endian. */
struct lr_siphash_key {
	uint64_t k[2]; /**< k0, k1 */
};

/**
 * SipHash-2-4 of a buffer.
 * @param in bytes to hash (read as little-endian 64-bit words)
 * @param len their number
 * @param key the 128-bit key
 * @return the 64-bit output (the reference implementation's 8 output bytes, read
 *   little-endian)
 */
uint64_t lr_siphash24(const void *in, size_t len, const struct lr_siphash_key *key);

/**
 * Draw a fresh key from the kernel's CSPRNG (getrandom(2)). Not rte_rand(): its
 * generator is linear, so its state, and every later output, can be solved from
 * outputs an attacker sees elsewhere (ephemeral ports). Falls back to rte_rand()
 * mixed with the TSC only when getrandom() fails (a kernel without it).
 * @param key filled
 * @return 0, or -errno of getrandom() when the fallback was used
 */
int lr_siphash_key_random(struct lr_siphash_key *key);

#endif /* LR_SIPHASH_H */
