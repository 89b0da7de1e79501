/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/mem.c: the per-worker memory budget (levels, refusal, truesize),
 * allocation-failure injection and lr_mbuf_hold() (copy out of foreign pools,
 * collapse, charge).
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_core.h"
#include "lr_mem.h"
#include "lr_test.h"

/* A second pool standing in for an RX pool (buffers the stack must not keep). */
static struct rte_mempool *rx_pool;

static void
setup(void)
{
	lr_test_reset();
	if (rx_pool == NULL)
		rx_pool = rte_pktmbuf_pool_create("memtest_rx", 255, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(rx_pool != NULL);
}

static void
teardown(void)
{
	lr_test_cleanup();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
}

static struct rte_mbuf *
rx_mbuf(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rx_pool);

	CU_ASSERT_FATAL(m != NULL);
	memset(rte_pktmbuf_append(m, len), 0xab, len);
	return m;
}

static void
test_mem_pressure_enters_at_pressure_leaves_below_low(void)
{
	struct lr_mem_conf c = { .low = 1000, .pressure = 2000, .high = 3000 };
	struct lr_mem *mem = &lr_tw->mem;

	CU_ASSERT_EQUAL(lr_mem_configure(mem, &c), 0);
	CU_ASSERT_TRUE(lr_mem_charge(mem, lr_tw->stats, LR_MEM_TCP_OOO, 1999));
	CU_ASSERT_FALSE(lr_mem_pressure(mem));
	CU_ASSERT_TRUE(lr_mem_charge(mem, lr_tw->stats, LR_MEM_TCP_SND, 1));
	CU_ASSERT_TRUE(lr_mem_pressure(mem));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_PRESSURE), 1);
	/* Hysteresis: between low and pressure it stays under pressure. */
	lr_mem_uncharge(mem, lr_tw->stats, LR_MEM_TCP_OOO, 500);
	CU_ASSERT_TRUE(lr_mem_pressure(mem));
	lr_mem_uncharge(mem, lr_tw->stats, LR_MEM_TCP_OOO, 501);
	CU_ASSERT_FALSE(lr_mem_pressure(mem));
	CU_ASSERT_EQUAL(mem->used, 999);
	CU_ASSERT_EQUAL(mem->by_user[LR_MEM_TCP_OOO], 998);
	CU_ASSERT_EQUAL(mem->by_user[LR_MEM_TCP_SND], 1);
	CU_ASSERT_EQUAL(mem->peak, 2000);
}

static void
test_mem_charge_past_high_refused_force_allowed(void)
{
	struct lr_mem_conf c = { .low = 10, .pressure = 20, .high = 100 };
	struct lr_mem *mem = &lr_tw->mem;

	CU_ASSERT_EQUAL(lr_mem_configure(mem, &c), 0);
	CU_ASSERT_TRUE(lr_mem_charge(mem, lr_tw->stats, LR_MEM_IP_REASS, 100));
	CU_ASSERT_EQUAL(lr_mem_room(mem), 0);
	CU_ASSERT_FALSE(lr_mem_charge(mem, lr_tw->stats, LR_MEM_IP_REASS, 1));
	CU_ASSERT_EQUAL(mem->used, 100);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_REFUSED), 1);
	lr_mem_charge_force(mem, lr_tw->stats, LR_MEM_TCP_SND, 5);
	CU_ASSERT_EQUAL(mem->used, 105);
	lr_mem_uncharge(mem, lr_tw->stats, LR_MEM_TCP_SND, 5);
	lr_mem_uncharge(mem, lr_tw->stats, LR_MEM_IP_REASS, 100);
	CU_ASSERT_EQUAL(mem->used, 0);
	CU_ASSERT_FALSE(lr_mem_pressure(mem));
}

static void
test_mem_configure_rejects_unordered_thresholds(void)
{
	struct lr_mem_conf bad = { .low = 30, .pressure = 20, .high = 100 };
	struct lr_mem_conf bad2 = { .low = 10, .pressure = 200, .high = 100 };

	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &bad), -EINVAL);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &bad2), -EINVAL);
	CU_ASSERT_EQUAL(lr_tw->mem.conf.high, UINT64_MAX);
}

static void
test_mem_truesize_counts_buffers_not_bytes(void)
{
	struct rte_mbuf *one = lr_test_data(NULL, 1);
	struct rte_mbuf *full = lr_test_data(NULL, 1400);
	uint32_t per = (uint32_t)sizeof(struct rte_mbuf) + one->priv_size + one->buf_len;

	CU_ASSERT_EQUAL(lr_mbuf_truesize(one), per);
	CU_ASSERT_EQUAL(lr_mbuf_truesize(full), per);
	rte_pktmbuf_free(one);
	rte_pktmbuf_free(full);
	one = lr_test_frame_split((const uint8_t[64]){ 0 }, 64, 10);
	CU_ASSERT_EQUAL(lr_mbuf_truesize(one), 2 * per);
	rte_pktmbuf_free(one);
}

static void
test_mem_nomem_after_count_every(void)
{
	struct lr_nomem *nm = &lr_tw->nomem;
	struct rte_mbuf *m;
	int i, fails = 0;

	CU_ASSERT_FALSE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_DATA));
	CU_ASSERT_EQUAL(lr_nomem_set(nm, LR_POOL_CONN, 2, 3, 0), 0);
	CU_ASSERT_FALSE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_FALSE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_TRUE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_FALSE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_DATA));
	CU_ASSERT_TRUE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_TRUE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_FALSE(lr_nomem_inject(nm, lr_tw->stats, LR_POOL_CONN));
	CU_ASSERT_EQUAL(nm->injected[LR_POOL_CONN], 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_INJECTED), 3);
	/* every: one in four through lr_alloc(), counted as eth NOMBUF too */
	CU_ASSERT_EQUAL(lr_nomem_set(nm, LR_POOL_DATA, 0, 0, 4), 0);
	for (i = 0; i < 16; i++) {
		m = lr_alloc(lr_tw);
		if (m == NULL)
			fails++;
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fails, 4);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOMBUF), 4);
	lr_nomem_clear(nm);
	CU_ASSERT_FALSE(nm->armed);
	m = lr_alloc(lr_tw);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(lr_nomem_set(nm, LR_POOL_MAX, 0, 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(lr_pool_by_name("ooo"), LR_POOL_OOO);
	CU_ASSERT_EQUAL(lr_pool_by_name("nope"), -1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mem_hold_copies_out_of_rx_pool(void)
{
	struct rte_mbuf *m = rx_mbuf(300), *h;
	uint32_t charged;

	h = lr_mbuf_hold(lr_tw, m, LR_MEM_TCP_OOO, &charged);
	CU_ASSERT_FATAL(h != NULL);
	CU_ASSERT_PTR_EQUAL(h->pool, lr_test_pool);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(h), 300);
	CU_ASSERT_EQUAL(*rte_pktmbuf_mtod_offset(h, uint8_t *, 299), 0xab);
	CU_ASSERT_EQUAL(charged, lr_mbuf_truesize(h));
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_OOO], charged);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 1);
	lr_mem_uncharge(&lr_tw->mem, lr_tw->stats, LR_MEM_TCP_OOO, charged);
	rte_pktmbuf_free(h);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mem_hold_keeps_own_single_buffer_without_copy(void)
{
	struct rte_mbuf *m = lr_test_data(NULL, 100), *h;
	uint32_t charged;

	h = lr_mbuf_hold(lr_tw, m, LR_MEM_TCP_SND, &charged);
	CU_ASSERT_PTR_EQUAL(h, m);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 0);
	CU_ASSERT_EQUAL(charged, lr_mbuf_truesize(m));
	lr_mem_uncharge(&lr_tw->mem, lr_tw->stats, LR_MEM_TCP_SND, charged);
	rte_pktmbuf_free(h);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mem_hold_collapses_sparse_chain(void)
{
	uint8_t bytes[200];
	struct rte_mbuf *m, *h;
	uint32_t charged, i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)i;
	m = lr_test_frame_split(bytes, sizeof(bytes), 50); /* 2 buffers for 200 bytes */
	h = lr_mbuf_hold(lr_tw, m, LR_MEM_IP_REASS, &charged);
	CU_ASSERT_FATAL(h != NULL);
	CU_ASSERT_EQUAL(h->nb_segs, 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(h), 200);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(h, void *), bytes, 200), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 1);
	lr_mem_uncharge(&lr_tw->mem, lr_tw->stats, LR_MEM_IP_REASS, charged);
	rte_pktmbuf_free(h);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mem_hold_refused_at_high_frees_packet(void)
{
	struct lr_mem_conf c = { .low = 0, .pressure = 0, .high = 1000 };
	struct rte_mbuf *m = rx_mbuf(10);
	uint32_t charged = 7;

	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &c), 0);
	CU_ASSERT_PTR_NULL(lr_mbuf_hold(lr_tw, m, LR_MEM_ARP_QUEUE, &charged));
	CU_ASSERT_EQUAL(charged, 0);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_REFUSED), 1);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mem_hold_copy_fails_on_injected_nomem(void)
{
	struct rte_mbuf *m = rx_mbuf(10);
	uint32_t charged;

	lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, 1, 0);
	CU_ASSERT_PTR_NULL(lr_mbuf_hold(lr_tw, m, LR_MEM_TCP_OOO, &charged));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOMBUF), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_INJECTED), 1);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{"pressure_enters_at_pressure_leaves_below_low",
			test_mem_pressure_enters_at_pressure_leaves_below_low},
	{"charge_past_high_refused_force_allowed", test_mem_charge_past_high_refused_force_allowed},
	{"configure_rejects_unordered_thresholds", test_mem_configure_rejects_unordered_thresholds},
	{"truesize_counts_buffers_not_bytes", test_mem_truesize_counts_buffers_not_bytes},
	{"nomem_after_count_every", test_mem_nomem_after_count_every},
	{"hold_copies_out_of_rx_pool", test_mem_hold_copies_out_of_rx_pool},
	{"hold_keeps_own_single_buffer_without_copy",
			test_mem_hold_keeps_own_single_buffer_without_copy},
	{"hold_collapses_sparse_chain", test_mem_hold_collapses_sparse_chain},
	{"hold_refused_at_high_frees_packet", test_mem_hold_refused_at_high_frees_packet},
	{"hold_copy_fails_on_injected_nomem", test_mem_hold_copy_fails_on_injected_nomem},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{"mem", setup, teardown, cases},
		{NULL, NULL, NULL, NULL},
	};

	return lr_test_main(argc, argv, suites);
}
