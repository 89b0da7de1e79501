/* SPDX-License-Identifier: BSD-3-Clause */
/* tcp_seq.h: modulo 2^32 sequence comparisons. */
#include "lr_test.h"
#include "tcp_seq.h"

static void
test_tcp_seq_orders_plain_numbers(void)
{
	CU_ASSERT(SEQ_LT(1, 2));
	CU_ASSERT(!SEQ_LT(2, 2));
	CU_ASSERT(SEQ_LEQ(2, 2));
	CU_ASSERT(SEQ_GT(3, 2));
	CU_ASSERT(!SEQ_GT(2, 2));
	CU_ASSERT(SEQ_GEQ(2, 2));
	CU_ASSERT(!SEQ_GEQ(1, 2));
}

static void
test_tcp_seq_wraparound(void)
{
	/* 0xfffffff0 comes before 0x10: 32 numbers apart across the wrap. */
	CU_ASSERT(SEQ_LT(0xfffffff0u, 0x10u));
	CU_ASSERT(SEQ_GT(0x10u, 0xfffffff0u));
	CU_ASSERT(SEQ_LEQ(UINT32_MAX, 0u));
	CU_ASSERT(SEQ_GT(0u, UINT32_MAX));
	CU_ASSERT(SEQ_LT(UINT32_MAX - 5, UINT32_MAX + 6u));
	CU_ASSERT_EQUAL(tcp_seq_diff(0x10u, 0xfffffff0u), 32);
	CU_ASSERT_EQUAL(tcp_seq_diff(0xfffffff0u, 0x10u), -32);
}

static void
test_tcp_seq_half_space_boundary(void)
{
	/* Less than 2^31 apart: ordered; exactly 2^31: the distance is negative. */
	CU_ASSERT(SEQ_LT(0u, 0x7fffffffu));
	CU_ASSERT(SEQ_LT(0x80000000u, 0xffffffffu));
	CU_ASSERT(SEQ_GT(0u, 0x80000001u));
	CU_ASSERT_EQUAL(tcp_seq_diff(0x80000000u, 0u), INT32_MIN);
}

static void
test_tcp_seq_between_is_inclusive_and_wraps(void)
{
	CU_ASSERT(SEQ_BETWEEN(5, 5, 10));
	CU_ASSERT(SEQ_BETWEEN(10, 5, 10));
	CU_ASSERT(!SEQ_BETWEEN(11, 5, 10));
	CU_ASSERT(!SEQ_BETWEEN(4, 5, 10));
	CU_ASSERT(SEQ_BETWEEN(0u, 0xfffffff0u, 0x10u));
	CU_ASSERT(SEQ_BETWEEN(0xfffffffau, 0xfffffff0u, 0x10u));
	CU_ASSERT(!SEQ_BETWEEN(0x11u, 0xfffffff0u, 0x10u));
	CU_ASSERT(!SEQ_BETWEEN(0xffffffefu, 0xfffffff0u, 0x10u));
}

static void
test_tcp_seq_max_min_across_wrap(void)
{
	CU_ASSERT_EQUAL(SEQ_MAX(0xfffffff0u, 0x10u), 0x10u);
	CU_ASSERT_EQUAL(SEQ_MIN(0xfffffff0u, 0x10u), 0xfffffff0u);
	CU_ASSERT_EQUAL(SEQ_MAX(7u, 9u), 9u);
}

static void
nop(void)
{
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_seq_orders_plain_numbers", test_tcp_seq_orders_plain_numbers },
	{ "test_tcp_seq_wraparound", test_tcp_seq_wraparound },
	{ "test_tcp_seq_half_space_boundary", test_tcp_seq_half_space_boundary },
	{ "test_tcp_seq_between_is_inclusive_and_wraps",
		test_tcp_seq_between_is_inclusive_and_wraps },
	{ "test_tcp_seq_max_min_across_wrap", test_tcp_seq_max_min_across_wrap },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_seq", nop, nop, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
