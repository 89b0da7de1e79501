/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/siphash.c: SipHash-2-4 against the reference vectors (key 00..0f,
 * message 00..len-1; the paper's appendix A example is len 15), unaligned input,
 * and fresh keys from lr_siphash_key_random().
 */
#include <string.h>

#include "lr_siphash.h"
#include "lr_test.h"

/* Key 00 01 .. 0f as the paper writes it: k0 = 0x0706050403020100. */
static const struct lr_siphash_key ref_key = {
	{ UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908) },
};

/* Outputs of the reference implementation (vectors.h, read little-endian) for the
 * message 00 01 .. len-1; cross-checked with "openssl mac ... SIPHASH". */
static const struct {
	size_t len;
	uint64_t out;
} ref_vectors[] = {
	{ 0, UINT64_C(0x726fdb47dd0e0e31) },
	{ 1, UINT64_C(0x74f839c593dc67fd) },
	{ 2, UINT64_C(0x0d6c8009d9a94f5a) },
	{ 3, UINT64_C(0x85676696d7fb7e2d) },
	{ 4, UINT64_C(0xcf2794e0277187b7) },
	{ 7, UINT64_C(0xab0200f58b01d137) },
	{ 8, UINT64_C(0x93f5f5799a932462) },
	{ 15, UINT64_C(0xa129ca6149be45e5) },
	{ 16, UINT64_C(0x3f2acc7f57c29bdb) },
	{ 63, UINT64_C(0x958a324ceb064572) },
};

/* Aumasson and Bernstein, appendix A: key 00..0f, message 00..0e -> a129ca6149be45e5. */
static void
test_siphash_paper_example(void)
{
	uint8_t msg[15];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(lr_siphash24(msg, sizeof(msg), &ref_key), UINT64_C(0xa129ca6149be45e5));
}

/* Every length class: empty, partial last word, exact words, several words. */
static void
test_siphash_reference_vectors(void)
{
	uint8_t msg[64];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < RTE_DIM(ref_vectors); i++)
		CU_ASSERT_EQUAL(lr_siphash24(msg, ref_vectors[i].len, &ref_key), ref_vectors[i].out);
}

/* Input at any alignment hashes the same (words are read with memcpy). */
static void
test_siphash_unaligned_input(void)
{
	uint8_t buf[64 + 8];
	unsigned int off, i;

	for (off = 0; off < 8; off++) {
		for (i = 0; i < 63; i++)
			buf[off + i] = (uint8_t)i;
		CU_ASSERT_EQUAL(lr_siphash24(buf + off, 63, &ref_key), UINT64_C(0x958a324ceb064572));
	}
}

/* Fresh keys come from getrandom(): two draws differ, and change the output. */
static void
test_siphash_key_random_differs(void)
{
	struct lr_siphash_key a, b;
	uint8_t msg[12] = { 1, 2, 3 };

	CU_ASSERT_EQUAL(lr_siphash_key_random(&a), 0);
	CU_ASSERT_EQUAL(lr_siphash_key_random(&b), 0);
	CU_ASSERT(a.k[0] != b.k[0] || a.k[1] != b.k[1]);
	CU_ASSERT_NOT_EQUAL(lr_siphash24(msg, sizeof(msg), &a), lr_siphash24(msg, sizeof(msg), &b));
}

static const CU_TestInfo cases[] = {
	{ "test_siphash_paper_example", test_siphash_paper_example },
	{ "test_siphash_reference_vectors", test_siphash_reference_vectors },
	{ "test_siphash_unaligned_input", test_siphash_unaligned_input },
	{ "test_siphash_key_random_differs", test_siphash_key_random_differs },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "siphash", NULL, NULL, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
