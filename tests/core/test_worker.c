/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/worker.c: TX buffering, drop accounting, interfaces, stats sums, helpers.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_core.h"
#include "lr_stats.h"
#include "lr_test.h"

/* A tx_fn that keeps what it accepts (up to `accept` per call) and records burst sizes. */
static struct rte_mbuf *kept[512];
static unsigned int nb_kept;
static uint16_t bursts[64];
static unsigned int nb_bursts;
static uint16_t accept_max;
static uint16_t burst_ports[64];

static uint16_t
keep_tx(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, take = RTE_MIN(n, accept_max);

	RTE_SET_USED(w);
	RTE_SET_USED(queue);
	if (nb_bursts < RTE_DIM(bursts)) {
		burst_ports[nb_bursts] = port;
		bursts[nb_bursts++] = n;
	}
	for (i = 0; i < take && nb_kept < RTE_DIM(kept); i++)
		kept[nb_kept++] = pkts[i];
	return i;
}

static void
keep_reset(uint16_t accept)
{
	nb_kept = 0;
	nb_bursts = 0;
	accept_max = accept;
	lr_tw->tx_fn = keep_tx;
}

static void
keep_free(void)
{
	unsigned int i;

	for (i = 0; i < nb_kept; i++)
		rte_pktmbuf_free(kept[i]);
	nb_kept = 0;
}

static struct rte_mbuf *
small_pkt(void)
{
	static const uint8_t b[60];

	return lr_test_frame(b, sizeof(b));
}

static void
test_worker_tx_buffers_until_burst_max_then_flushes(void)
{
	uint64_t tx_pkts0 = lr_tw->tx_pkts;
	unsigned int i;

	keep_reset(UINT16_MAX);
	for (i = 0; i < LR_BURST_MAX; i++)
		lr_tx(lr_tw, 0, small_pkt());
	CU_ASSERT_EQUAL(nb_bursts, 0);  /* a full buffer is not sent until more arrives */
	CU_ASSERT_EQUAL(lr_tw->tx[0].n, LR_BURST_MAX);

	lr_tx(lr_tw, 0, small_pkt());   /* the 65th flushes the 64 first */
	CU_ASSERT_EQUAL(nb_bursts, 1);
	CU_ASSERT_EQUAL(bursts[0], LR_BURST_MAX);
	CU_ASSERT_EQUAL(lr_tw->tx[0].n, 1);

	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 1);
	CU_ASSERT_EQUAL(nb_bursts, 2);
	CU_ASSERT_EQUAL(bursts[1], 1);
	CU_ASSERT_EQUAL(lr_tw->tx[0].n, 0);
	CU_ASSERT_EQUAL(nb_kept, LR_BURST_MAX + 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), LR_BURST_MAX + 1);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 0);
	CU_ASSERT_EQUAL(lr_tw->tx_pkts - tx_pkts0, LR_BURST_MAX + 1);

	/* Flushing an empty buffer calls nothing. */
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 0);
	CU_ASSERT_EQUAL(nb_bursts, 2);
	keep_free();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_worker_tx_full_counts_and_frees_the_rest(void)
{
	unsigned int i;

	keep_reset(5);
	for (i = 0; i < 10; i++)
		lr_tx(lr_tw, 0, small_pkt());
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 5);
	CU_ASSERT_EQUAL(nb_kept, 5);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 5);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 5);
	CU_ASSERT_EQUAL(lr_tw->tx[0].n, 0);
	keep_free();
	LR_TEST_ASSERT_NO_LEAK();
}

/* Frame i carries i in its first byte: the order frames leave in can be checked. */
static struct rte_mbuf *
numbered_pkt(uint8_t i)
{
	uint8_t b[60] = { i };

	return lr_test_frame(b, sizeof(b));
}

static uint8_t
kept_no(unsigned int k)
{
	return *rte_pktmbuf_mtod(kept[k], uint8_t *);
}

/* [worker] tx_hold: what the queue refuses waits for the next flush, in order, and new
 * frames queue behind it; what the hold has no room for is dropped and counted. */
static void
test_worker_tx_hold_keeps_refused_frames_in_order(void)
{
	unsigned int i;

	lr_tw->tx_hold_max = 8;
	lr_tw->tx_refused_us = 0;
	keep_reset(3);
	for (i = 0; i < 5; i++)
		lr_tx(lr_tw, 0, numbered_pkt((uint8_t)i));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_HELD), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 0);
	CU_ASSERT_NOT_EQUAL(lr_tw->tx_refused_us, 0);   /* SYN shedding still hears of it */
	CU_ASSERT_PTR_NOT_NULL_FATAL(lr_tw->txhold[0]);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 2);
	/* the queue takes nothing: new frames go behind the held ones; 8 fit, 2 dropped */
	accept_max = 0;
	for (i = 5; i < 13; i++)
		lr_tx(lr_tw, 0, numbered_pkt((uint8_t)i));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 8);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 3 + 8);  /* sent, or held to be sent */
	/* a flush with nothing new sends the held ones first: 3, 4, 5, 6 */
	accept_max = 4;
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 4);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 4);
	/* two more refused (11 and 12 again, the first ones were dropped) take the slots
	 * freed at the FIFO's start: the hold wraps */
	accept_max = 0;
	lr_tx(lr_tw, 0, numbered_pkt(11));
	lr_tx(lr_tw, 0, numbered_pkt(12));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 6);
	/* 7, 8, 9, 10 from the FIFO's end, then 11, 12 from its start, in one flush */
	accept_max = UINT16_MAX;
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 6);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 0);
	CU_ASSERT_EQUAL_FATAL(nb_kept, 13);
	for (i = 0; i < 13; i++)
		CU_ASSERT_EQUAL(kept_no(i), i);
	/* the hold is empty: a new frame goes straight to the queue */
	lr_tx(lr_tw, 0, numbered_pkt(42));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 1);
	CU_ASSERT_EQUAL_FATAL(nb_kept, 14);
	CU_ASSERT_EQUAL(kept_no(13), 42);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 14);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_HELD), 2 + 6 + 2);
	CU_ASSERT_EQUAL(lr_worker_tx_release(lr_tw), 0);
	CU_ASSERT_PTR_NULL(lr_tw->txhold[0]);
	lr_tw->tx_hold_max = 0;
	keep_free();
	LR_TEST_ASSERT_NO_LEAK();
}

/* Ports hold separately, and the worker's end frees what is still held. */
static void
test_worker_tx_hold_per_port_and_released_at_the_end(void)
{
	lr_tw->tx_hold_max = 4;
	keep_reset(0);
	lr_tx(lr_tw, 0, numbered_pkt(1));
	lr_tx(lr_tw, 2, numbered_pkt(2));
	lr_tx(lr_tw, 2, numbered_pkt(3));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 0);
	CU_ASSERT_EQUAL_FATAL(nb_bursts, 2);
	CU_ASSERT_PTR_NULL(lr_tw->txhold[1]);
	CU_ASSERT_EQUAL(lr_tw->txhold[0]->n, 1);
	CU_ASSERT_EQUAL(lr_tw->txhold[2]->n, 2);
	accept_max = UINT16_MAX;   /* both queues take again: all three leave */
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 3);
	CU_ASSERT_EQUAL(nb_kept, 3);
	accept_max = 0;
	lr_tx(lr_tw, 2, numbered_pkt(4));
	lr_tx(lr_tw, 2, numbered_pkt(5));
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_worker_tx_release(lr_tw), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 3);
	CU_ASSERT_PTR_NULL(lr_tw->txhold[0]);
	CU_ASSERT_PTR_NULL(lr_tw->txhold[2]);
	lr_tw->tx_hold_max = 0;
	keep_free();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_worker_flush_sends_each_port_separately(void)
{
	keep_reset(UINT16_MAX);
	lr_tx(lr_tw, 0, small_pkt());
	lr_tx(lr_tw, 3, small_pkt());
	lr_tx(lr_tw, 3, small_pkt());
	CU_ASSERT_EQUAL(lr_worker_flush(lr_tw), 3);
	CU_ASSERT_EQUAL_FATAL(nb_bursts, 2);
	CU_ASSERT_EQUAL(burst_ports[0], 0);
	CU_ASSERT_EQUAL(bursts[0], 1);
	CU_ASSERT_EQUAL(burst_ports[1], 3);
	CU_ASSERT_EQUAL(bursts[1], 2);
	keep_free();
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_worker_drop_counts_reason_and_frees(void)
{
	lr_drop(lr_tw, small_pkt(), LR_STAT_ip_BAD_CKSUM);
	lr_drop(lr_tw, small_pkt(), LR_STAT_ip_BAD_CKSUM);
	lr_consume(small_pkt());
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_CKSUM), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_worker_alloc_counts_nombuf_when_pool_empty(void)
{
	struct rte_mempool *tiny, *saved = lr_tw->pool;
	struct rte_mbuf *a, *b;

	tiny = rte_pktmbuf_pool_create("lrtest_tiny", 1, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tiny);
	lr_tw->pool = tiny;
	a = lr_alloc(lr_tw);
	b = lr_alloc(lr_tw);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_NOMBUF), 1);
	rte_pktmbuf_free(a);
	lr_tw->pool = saved;
	rte_mempool_free(tiny);
}

/* lr_pool_prefetch_next() only reads the pool: the next get returns what it would have,
 * with a cache, an empty cache and no cache. */
static void
test_pool_prefetch_next_leaves_the_pool_alone(void)
{
	struct rte_mempool *cached, *bare;
	struct rte_mempool_cache *cache;
	void *objs[3], *o = NULL;
	unsigned int len, i;

	cached = rte_mempool_create("lrtest_pf_cache", 63, 368, 8, 0, NULL, NULL, NULL, NULL,
			SOCKET_ID_ANY, 0);
	bare = rte_mempool_create("lrtest_pf_bare", 7, 368, 0, 0, NULL, NULL, NULL, NULL,
			SOCKET_ID_ANY, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bare);
	cache = rte_mempool_default_cache(cached, rte_lcore_id());
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);

	/* empty cache: nothing to fetch, nothing taken */
	rte_mempool_cache_flush(cache, cached);
	lr_pool_prefetch_next(cached, 368);
	CU_ASSERT_EQUAL(cache->len, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(cached), 63);

	/* the cache's top is the next get's object, before and after a prefetch */
	CU_ASSERT_EQUAL_FATAL(rte_mempool_get_bulk(cached, objs, 3), 0);
	for (i = 0; i < 3; i++)
		rte_mempool_put(cached, objs[i]);
	len = cache->len;
	CU_ASSERT(len >= 1);
	CU_ASSERT_PTR_EQUAL(cache->objs[len - 1], objs[2]);
	lr_pool_prefetch_next(cached, 368);
	lr_pool_prefetch_next(cached, 1);
	CU_ASSERT_EQUAL(cache->len, len);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(cached), 63);
	CU_ASSERT_EQUAL_FATAL(rte_mempool_get(cached, &o), 0);
	CU_ASSERT_PTR_EQUAL(o, objs[2]);
	rte_mempool_put(cached, o);

	/* no cache at all */
	lr_pool_prefetch_next(bare, 368);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(bare), 7);
	CU_ASSERT_EQUAL(rte_mempool_get(bare, &o), 0);
	rte_mempool_put(bare, o);

	rte_mempool_free(cached);
	rte_mempool_free(bare);
}

static void
test_worker_init_rejects_bad_arguments(void)
{
	struct lr_worker w;

	CU_ASSERT_EQUAL(lr_worker_init(&w, LR_MAX_WORKERS, lr_test_pool), -EINVAL);
	CU_ASSERT_EQUAL(lr_worker_init(&w, 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_worker_init(&w, 3, lr_test_pool), 0);
	CU_ASSERT_EQUAL(w.id, 3);
	CU_ASSERT_PTR_EQUAL(w.stats, &lr_stats_blocks[3]);
	CU_ASSERT_PTR_EQUAL(w.pool, lr_test_pool);
	CU_ASSERT_EQUAL(w.txq, 3);
	CU_ASSERT_EQUAL(w.rxq, 3);
}

static void
test_worker_iface_lookup_by_port_and_address(void)
{
	struct lr_iface ifc;

	CU_ASSERT_PTR_NOT_NULL(lr_iface_get(0));
	CU_ASSERT_PTR_NULL(lr_iface_get(1));
	CU_ASSERT_PTR_NULL(lr_iface_get(LR_MAX_PORTS));
	CU_ASSERT_PTR_NULL(lr_iface_get(UINT16_MAX));
	CU_ASSERT_PTR_EQUAL(lr_iface_by_ip(rte_cpu_to_be_32(LR_TEST_OUR_IP)), lr_iface_get(0));
	CU_ASSERT_PTR_NULL(lr_iface_by_ip(rte_cpu_to_be_32(LR_TEST_PEER_IP)));

	memset(&ifc, 0, sizeof(ifc));
	ifc.port_id = LR_MAX_PORTS;
	CU_ASSERT_EQUAL(lr_iface_add(&ifc), -EINVAL);
	ifc.port_id = 2;
	ifc.ip = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(lr_iface_add(&ifc), 0);
	CU_ASSERT_PTR_EQUAL(lr_iface_by_ip(ifc.ip), lr_iface_get(2));
	CU_ASSERT_TRUE(lr_iface_get(2)->used);
}

/* Two stacks in one process: each worker owns and routes through its own interfaces. */
static void
test_worker_iface_mask_scopes_addresses_and_routes(void)
{
	struct lr_worker a, b, all;
	struct lr_iface ifc;
	rte_be32_t peer = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 3, 2)), nh = 0;

	memset(&ifc, 0, sizeof(ifc));
	ifc.port_id = 3;
	ifc.ip = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 3, 1));
	ifc.netmask = rte_cpu_to_be_32(0xffffff00);
	CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
	ifc.port_id = 4;
	ifc.ip = peer;
	CU_ASSERT_EQUAL_FATAL(lr_iface_add(&ifc), 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&all, 0, sizeof(all));
	a.iface_mask = 1u << 3;
	b.iface_mask = 1u << 4;
	/* a does not own b's address: a packet from it is not a martian to a */
	CU_ASSERT_PTR_NULL(lr_iface_mine(&a, peer));
	CU_ASSERT_PTR_EQUAL(lr_iface_mine(&b, peer), lr_iface_get(4));
	CU_ASSERT_PTR_EQUAL(lr_iface_mine(&all, peer), lr_iface_get(4));
	/* both sit on 198.18.3.0/24: each routes through its own port */
	CU_ASSERT_PTR_EQUAL(lr_iface_route(&a, peer, &nh), lr_iface_get(3));
	CU_ASSERT_EQUAL(nh, peer);
	CU_ASSERT_PTR_EQUAL(lr_iface_route(&b, ifc.ip, NULL), lr_iface_get(4));
	/* no interface of its own reaches 10.9.9.9 and none has a gateway */
	CU_ASSERT_PTR_NULL(lr_iface_route(&a, rte_cpu_to_be_32(RTE_IPV4(10, 9, 9, 9)), &nh));
	lr_ifaces[3].used = false;
	lr_ifaces[4].used = false;
}

static void
test_stats_sum_over_several_blocks(void)
{
	const struct lr_stat_desc *d;
	unsigned int i;

	for (i = 0; i < 4; i++)
		lr_stats_blocks[i].v[LR_STAT_udp_RX] = i + 1;
	lr_stats_blocks[LR_STATS_MAX_BLOCKS - 1].v[LR_STAT_udp_RX] = 100;
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_RX, 4), 10);
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_RX, 2), 3);
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_RX, 0), 0);
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_RX, 100000), 110); /* clamped, no overrun */
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_MAX, 4), 0);
	CU_ASSERT_EQUAL(lr_stats_read(2, LR_STAT_udp_RX), 3);
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_TX, 4), 0);

	LR_STAT_INC(lr_tw->stats, LR_STAT_udp_TX);
	LR_STAT_ADD(lr_tw->stats, LR_STAT_udp_TX, 41);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_udp_TX), 42);

	d = lr_stats_desc(LR_STAT_eth_TX_FULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->layer, "eth");
	CU_ASSERT_STRING_EQUAL(d->name, "TX_FULL");
	CU_ASSERT_EQUAL(d->kind, LR_STAT_KIND_DROP);
	d = lr_stats_desc(LR_STAT_arp_LEARNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->kind, LR_STAT_KIND_COUNT);
	CU_ASSERT_PTR_NULL(lr_stats_desc(LR_STAT_MAX));
	CU_ASSERT_PTR_NULL(lr_stats_desc((enum lr_stat_id)-1));

	lr_stats_reset();
	CU_ASSERT_EQUAL(lr_stats_sum(LR_STAT_udp_RX, LR_STATS_MAX_BLOCKS), 0);
}

static void
test_ip_fmt_formats_dotted_quad(void)
{
	char buf[16], small[8];

	CU_ASSERT_STRING_EQUAL(lr_ip_fmt(rte_cpu_to_be_32(LR_TEST_OUR_IP), buf, sizeof(buf)),
			"198.18.0.2");
	CU_ASSERT_STRING_EQUAL(lr_ip_fmt(rte_cpu_to_be_32(UINT32_MAX), buf, sizeof(buf)),
			"255.255.255.255");
	CU_ASSERT_STRING_EQUAL(lr_ip_fmt(0, buf, sizeof(buf)), "0.0.0.0");
	CU_ASSERT_PTR_EQUAL(lr_ip_fmt(0, buf, sizeof(buf)), buf);
	/* A short buffer is truncated and terminated. */
	lr_ip_fmt(rte_cpu_to_be_32(UINT32_MAX), small, sizeof(small));
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
}

static void
test_martian_sources(void)
{
	CU_ASSERT_TRUE(lr_ip_is_martian_src(0));
	CU_ASSERT_TRUE(lr_ip_is_martian_src(rte_cpu_to_be_32(UINT32_MAX)));
	CU_ASSERT_TRUE(lr_ip_is_martian_src(rte_cpu_to_be_32(RTE_IPV4(224u, 0, 0, 1))));
	CU_ASSERT_TRUE(lr_ip_is_martian_src(rte_cpu_to_be_32(RTE_IPV4(239u, 255, 255, 250))));
	CU_ASSERT_TRUE(lr_ip_is_martian_src(rte_cpu_to_be_32(RTE_IPV4(127u, 0, 0, 1))));
	CU_ASSERT_FALSE(lr_ip_is_martian_src(rte_cpu_to_be_32(LR_TEST_PEER_IP)));
	CU_ASSERT_FALSE(lr_ip_is_martian_src(rte_cpu_to_be_32(RTE_IPV4(8, 8, 8, 8))));
}

static void
test_clock_is_monotonic_microseconds(void)
{
	uint64_t a = lr_clock_us(), b;

	rte_delay_us_block(2000);
	b = lr_clock_us();
	CU_ASSERT(b >= a + 1500);
	CU_ASSERT(b < a + 1000000);
}

static void
count_call(struct lr_worker *w, void *arg)
{
	*(uint16_t *)arg = (uint16_t)(w->id + 100);
}

static void
test_worker_call_inline_when_not_running_posted_when_running(void)
{
	uint16_t got = 0;

	/* no poll loop: runs inline */
	lr_tw->running = false;
	CU_ASSERT_EQUAL(lr_worker_call(lr_tw, count_call, &got, 10), 0);
	CU_ASSERT_EQUAL(got, 100);

	/* a "running" worker that never polls: the caller times out, nothing ran */
	got = 0;
	lr_tw->running = true;
	CU_ASSERT_EQUAL(lr_worker_call(lr_tw, count_call, &got, 5), -ETIMEDOUT);
	CU_ASSERT_EQUAL(got, 0);
	/* the worker's next turn runs the posted call exactly once */
	lr_worker_poll_calls(lr_tw);
	CU_ASSERT_EQUAL(got, 100);
	got = 0;
	lr_worker_poll_calls(lr_tw);
	CU_ASSERT_EQUAL(got, 0);
	lr_tw->running = false;
}

/* A worker thread that only burns CPU until told to stop. */
struct spin_ctx {
	struct lr_worker *w;
	int stop;
};

static void *
spin_main(void *arg)
{
	struct spin_ctx *c = arg;

	lr_worker_cpu_clock_start(c->w);
	__atomic_store_n(&c->w->running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		rte_pause();
	lr_worker_cpu_clock_stop(c->w);
	__atomic_store_n(&c->w->running, false, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait (busy, at most 10 s of wall time) until *p is true. */
static bool
spin_until(const bool *p)
{
	uint64_t end = lr_clock_us() + 10 * 1000 * 1000;

	while (!__atomic_load_n(p, __ATOMIC_ACQUIRE) && lr_clock_us() < end)
		rte_pause();
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * `cores` cpu_ms: another thread reads a running worker's thread CPU clock (the
 * worker pays nothing, no sampling in its loop); it grows while the worker burns
 * CPU; once the worker stopped, the value it left is read.
 */
static void
test_worker_cpu_us_read_from_another_thread(void)
{
	static struct lr_worker w;
	struct spin_ctx c = { &w, 0 };
	uint64_t a, b = 0, end;
	pthread_t th;

	memset(&w, 0, sizeof(w));
	w.cpu_us = 7;
	CU_ASSERT_EQUAL(lr_worker_cpu_us(&w), 7);       /* not running: what it left */
	w.cpu_us = 0;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, spin_main, &c), 0);
	CU_ASSERT_FATAL(spin_until(&w.running));
	a = lr_worker_cpu_us(&w);
	end = lr_clock_us() + 10 * 1000 * 1000;
	while ((b = lr_worker_cpu_us(&w)) < a + 2000 && lr_clock_us() < end)
		rte_pause();
	CU_ASSERT(b >= a + 2000);                        /* 2 ms of the spinner's CPU */
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(pthread_join(th, NULL), 0);
	CU_ASSERT_FALSE(w.running);
	CU_ASSERT(w.cpu_us >= b);
	CU_ASSERT_EQUAL(lr_worker_cpu_us(&w), w.cpu_us);
}

static const CU_TestInfo cases[] = {
	{"test_worker_cpu_us_read_from_another_thread",
		test_worker_cpu_us_read_from_another_thread},
	{"test_worker_call_inline_when_not_running_posted_when_running",
		test_worker_call_inline_when_not_running_posted_when_running},
	{"test_worker_tx_buffers_until_burst_max_then_flushes",
		test_worker_tx_buffers_until_burst_max_then_flushes},
	{"test_worker_tx_full_counts_and_frees_the_rest",
		test_worker_tx_full_counts_and_frees_the_rest},
	{"test_worker_flush_sends_each_port_separately",
		test_worker_flush_sends_each_port_separately},
	{"test_worker_tx_hold_keeps_refused_frames_in_order",
		test_worker_tx_hold_keeps_refused_frames_in_order},
	{"test_worker_tx_hold_per_port_and_released_at_the_end",
		test_worker_tx_hold_per_port_and_released_at_the_end},
	{"test_worker_drop_counts_reason_and_frees", test_worker_drop_counts_reason_and_frees},
	{"test_worker_alloc_counts_nombuf_when_pool_empty",
		test_worker_alloc_counts_nombuf_when_pool_empty},
	{"test_pool_prefetch_next_leaves_the_pool_alone",
		test_pool_prefetch_next_leaves_the_pool_alone},
	{"test_worker_init_rejects_bad_arguments", test_worker_init_rejects_bad_arguments},
	{"test_worker_iface_lookup_by_port_and_address",
		test_worker_iface_lookup_by_port_and_address},
	{"test_worker_iface_mask_scopes_addresses_and_routes",
		test_worker_iface_mask_scopes_addresses_and_routes},
	{"test_stats_sum_over_several_blocks", test_stats_sum_over_several_blocks},
	{"test_ip_fmt_formats_dotted_quad", test_ip_fmt_formats_dotted_quad},
	{"test_martian_sources", test_martian_sources},
	{"test_clock_is_monotonic_microseconds", test_clock_is_monotonic_microseconds},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"worker", NULL, NULL, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
