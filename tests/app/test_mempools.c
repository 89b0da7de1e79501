/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/daemon/mempools.c and the memory model it sets up: with tap.ini's defaults (budget from
 * lr_mem_conf_of(), receive from a pool of its own) the appliance keeps answering ARP,
 * ping and UDP echo when the data pool is empty or every allocation from it fails:
 * those replies are built in the received buffer.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_arp.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"
#include "lr_test.h"
#include "mempools.h"

#ifndef LR_SOURCE_DIR
#define LR_SOURCE_DIR ".."
#endif

#define HOARD_MAX 16384

static struct rte_mempool *rx_pool;   /* stands in for an RX queue's pool */
static struct rte_mbuf *hoard[HOARD_MAX];
static unsigned int nb_hoard;

/* The worker under test gets tap.ini's budget. */
static void
tap_defaults(void)
{
	static struct lr_config cfg;
	struct lr_mem_conf mc;
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/pmd_config/tap.ini", LR_SOURCE_DIR);
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, path, NULL, 0, err, sizeof(err)), 0);
	lr_mem_conf_of(&cfg, 1, &mc);
	CU_ASSERT_EQUAL_FATAL(lr_mem_configure(&lr_tw->mem, &mc), 0);
	if (rx_pool == NULL)
		rx_pool = rte_pktmbuf_pool_create("mptest_rx", 255, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(rx_pool != NULL);
}

/* A frame as the PMD would hand it over: in the RX pool. */
static struct rte_mbuf *
rx(struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, rx_pool, 0, UINT32_MAX);

	CU_ASSERT_FATAL(c != NULL);
	rte_pktmbuf_free(m);
	return c;
}

/* Take every mbuf left in the data pool. */
static void
empty_data_pool(void)
{
	struct rte_mbuf *m;

	while (nb_hoard < HOARD_MAX && (m = rte_pktmbuf_alloc(lr_test_pool)) != NULL)
		hoard[nb_hoard++] = m;
	CU_ASSERT_EQUAL(rte_mempool_avail_count(lr_test_pool), 0);
}

static void
give_back(void)
{
	while (nb_hoard > 0)
		rte_pktmbuf_free(hoard[--nb_hoard]);
}

/* An ARP request, a ping and a UDP echo request, in the RX pool. */
static void
requests(struct rte_mbuf *q[3])
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;

	q[0] = rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &lr_test_peer_mac, LR_TEST_PEER_IP,
			&zero, LR_TEST_OUR_IP));
	q[1] = rx(lr_test_icmp_echo(0x51, 1, "ping", 4));
	q[2] = rx(lr_test_udp(40000, 7, "echo", 4));
}

/* Each request is answered. */
static void
assert_answers(struct rte_mbuf *q[3])
{
	struct lr_test_parsed p;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		lr_test_rx(q[i]);
		CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), i + 1);
		CU_ASSERT_EQUAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&p.eth->dst_addr, &lr_test_peer_mac));
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_arp_TX_REPLY), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_icmp_TX_ECHO_REPLY), 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_ECHO_RX), 1);
	/* the PMD gets its buffers back once sent */
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
}

static void
test_mempools_answers_with_data_pool_empty(void)
{
	struct rte_mbuf *q[3];

	tap_defaults();
	requests(q);
	empty_data_pool();
	assert_answers(q);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(lr_test_pool), 0);
	give_back();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_mempools_answers_with_data_allocations_failing(void)
{
	struct rte_mbuf *q[3];

	tap_defaults();
	requests(q);
	CU_ASSERT_EQUAL(lr_nomem_set(&lr_tw->nomem, LR_POOL_DATA, 0, UINT32_MAX, 0), 0);
	assert_answers(q);
	/* a reply that needs a new buffer finds none: counted, nothing sent */
	lr_test_rx(rx(lr_test_udp(40000, 4444, "closed", 6)));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT(lr_test_stat(LR_STAT_eth_NOMBUF) >= 1);
	CU_ASSERT(lr_test_stat(LR_STAT_mem_INJECTED) >= 1);
	lr_nomem_clear(&lr_tw->nomem);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_mempools_answers_with_data_pool_empty",
		test_mempools_answers_with_data_pool_empty },
	{ "test_mempools_answers_with_data_allocations_failing",
		test_mempools_answers_with_data_allocations_failing },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"mempools", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
