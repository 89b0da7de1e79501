/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP sequence number arithmetic (RFC 9293 §3.4), modulo 2^32.
 *
 * a < b iff the signed 32-bit distance b - a is positive, which is correct as long
 * as the two numbers are less than 2^31 apart (always true inside a window).
 * All sequence comparisons in lib/tcp go through these macros (anchor: lwIP
 * TCP_SEQ_LT, FreeBSD SEQ_LT).
 */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/** @return (int32_t)(a - b) computed without implementation-defined conversions. */
static inline int32_t
tcp_seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d < UINT32_C(0x80000000) ? (int32_t)d : -(int32_t)(UINT32_MAX - d) - 1;
}

#define SEQ_LT(a, b)  (tcp_seq_diff((a), (b)) < 0)   /**< a before b */
#define SEQ_LEQ(a, b) (tcp_seq_diff((a), (b)) <= 0)  /**< a before or equal to b */
#define SEQ_GT(a, b)  (tcp_seq_diff((a), (b)) > 0)   /**< a after b */
#define SEQ_GEQ(a, b) (tcp_seq_diff((a), (b)) >= 0)  /**< a after or equal to b */
/** lo <= a <= hi, both ends inclusive (lwIP TCP_SEQ_BETWEEN). */
#define SEQ_BETWEEN(a, lo, hi) (SEQ_GEQ((a), (lo)) && SEQ_LEQ((a), (hi)))
/** The later of two sequence numbers. */
#define SEQ_MAX(a, b) (SEQ_GT((a), (b)) ? (a) : (b))
/** The earlier of two sequence numbers. */
#define SEQ_MIN(a, b) (SEQ_LT((a), (b)) ? (a) : (b))

#endif /* TCP_SEQ_H */
