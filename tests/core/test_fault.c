/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core/fault.c: loss, duplication, reordering, delay and jitter on the RX and TX
 * paths, driven by the virtual clock; counters and leaks.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "lr_core.h"
#include "lr_fault.h"
#include "lr_stats.h"
#include "lr_test.h"

#define SEED 42
#define SEQ_OFF 14 /* sequence number (host order, 16 bits) right after the Ethernet header */

static struct lr_fault_conf rx_conf[LR_MAX_PORTS];
static struct lr_fault_conf tx_conf[LR_MAX_PORTS];

static void
setup(void)
{
	lr_test_reset();
	memset(rx_conf, 0, sizeof(rx_conf));
	memset(tx_conf, 0, sizeof(tx_conf));
}

static void
teardown(void)
{
	lr_fault_worker_fini(lr_tw);
	lr_test_cleanup();
}

static struct rte_mbuf *
seq_pkt(uint16_t seq)
{
	uint8_t b[60] = {0};

	memcpy(&b[SEQ_OFF], &seq, sizeof(seq));
	return lr_test_frame(b, sizeof(b));
}

static uint16_t
seq_of(struct rte_mbuf *m)
{
	uint16_t seq;

	memcpy(&seq, rte_pktmbuf_mtod_offset(m, uint8_t *, SEQ_OFF), sizeof(seq));
	return seq;
}

/* Fill pkts with n packets numbered from first. */
static void
seq_burst(struct rte_mbuf **pkts, uint16_t first, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		pkts[i] = seq_pkt((uint16_t)(first + i));
}

/* Record the sequence numbers of pkts[0..n) into seqs (if not NULL) and free them. */
static void
take(struct rte_mbuf **pkts, uint16_t n, uint16_t *seqs)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (seqs != NULL)
			seqs[i] = seq_of(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
}

static void
init_ok(void)
{
	CU_ASSERT_EQUAL_FATAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, SEED), 0);
}

static void
test_fault_off_passes_through_and_stays_null(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	lr_tx_fn before = lr_tw->tx_fn;
	uint16_t seqs[4], i;

	init_ok();
	CU_ASSERT_PTR_NULL(lr_tw->fault);
	CU_ASSERT_PTR_EQUAL(lr_tw->tx_fn, before);
	CU_ASSERT_EQUAL(lr_fault_worker_init(lr_tw, NULL, NULL, SEED), 0);
	CU_ASSERT_PTR_NULL(lr_tw->fault);

	seq_burst(pkts, 0, 4);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 4, LR_BURST_MAX), 4);
	take(pkts, 4, seqs);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(seqs[i], i);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 0);
	lr_fault_poll(lr_tw);
	lr_fault_worker_fini(lr_tw);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_init_rejects_probability_above_one(void)
{
	rx_conf[3].loss_ppm = 1000001;
	CU_ASSERT_EQUAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, SEED), -EINVAL);
	CU_ASSERT_PTR_NULL(lr_tw->fault);
	rx_conf[3].loss_ppm = 0;
	tx_conf[1].dup_ppm = 2000000;
	CU_ASSERT_EQUAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, SEED), -EINVAL);
	CU_ASSERT_PTR_NULL(lr_tw->fault);
	tx_conf[1].dup_ppm = 1000000;
	init_ok();
	CU_ASSERT_PTR_NOT_NULL(lr_tw->fault);
	CU_ASSERT_EQUAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, SEED), -EEXIST);
}

static void
test_fault_rx_loss_all_drops_and_counts(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	lr_tx_fn before = lr_tw->tx_fn;

	rx_conf[0].loss_ppm = 1000000;
	init_ok();
	CU_ASSERT_PTR_NOT_NULL(lr_tw->fault);
	CU_ASSERT_PTR_EQUAL(lr_tw->tx_fn, before); /* RX faults only: TX not wrapped */
	seq_burst(pkts, 0, 32);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 32, LR_BURST_MAX), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_LOST), 32);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_LOST), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

/* Loss of 20 % over 10000 packets; @return packets that passed. */
static unsigned int
loss_run(uint64_t seed)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	unsigned int passed = 0, i;
	uint16_t n;

	CU_ASSERT_EQUAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, seed), 0);
	for (i = 0; i < 10000; i += 50) {
		seq_burst(pkts, (uint16_t)i, 50);
		n = lr_fault_rx(lr_tw, 0, pkts, 50, LR_BURST_MAX);
		CU_ASSERT(n <= 50);
		passed += n;
		take(pkts, n, NULL);
	}
	lr_fault_worker_fini(lr_tw);
	return passed;
}

static void
test_fault_rx_loss_20pct_within_tolerance_and_reproducible(void)
{
	unsigned int passed, again, other;

	rx_conf[0].loss_ppm = 200000;
	passed = loss_run(SEED);
	/* Binomial(10000, 0.2): sigma = 40; allow 5 sigma. */
	CU_ASSERT(10000 - passed >= 1800 && 10000 - passed <= 2200);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_LOST), 10000 - passed);
	again = loss_run(SEED);
	CU_ASSERT_EQUAL(again, passed);
	other = loss_run(SEED + 1);
	CU_ASSERT(10000 - other >= 1800 && 10000 - other <= 2200);
	CU_ASSERT_NOT_EQUAL(other, passed);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_dup_all_doubles_in_order(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t seqs[LR_BURST_MAX], i, n;

	rx_conf[0].dup_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 0, 8);
	n = lr_fault_rx(lr_tw, 0, pkts, 8, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	take(pkts, n, seqs);
	for (i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(seqs[i], i / 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_DUPLICATED), 8);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_dup_overflow_stays_queued_for_next_call(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t seqs[LR_BURST_MAX], i, n;

	rx_conf[0].dup_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 0, 32);
	n = lr_fault_rx(lr_tw, 0, pkts, 32, 40);
	CU_ASSERT_EQUAL_FATAL(n, 40);
	take(pkts, n, seqs);
	for (i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(seqs[i], i / 2);
	/* The rest comes first at the next turn, before the new burst. */
	seq_burst(pkts, 100, 2);
	n = lr_fault_rx(lr_tw, 0, pkts, 2, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 28);
	take(pkts, n, seqs);
	for (i = 0; i < 24; i++)
		CU_ASSERT_EQUAL(seqs[i], 20 + i / 2);
	CU_ASSERT_EQUAL(seqs[24], 100);
	CU_ASSERT_EQUAL(seqs[25], 100);
	CU_ASSERT_EQUAL(seqs[26], 101);
	CU_ASSERT_EQUAL(seqs[27], 101);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 0);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_reorder_swaps_adjacent_packets(void)
{
	static const uint16_t want[] = {1, 0, 3, 2, 5, 4};
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t seqs[LR_BURST_MAX], i, n;

	rx_conf[0].reorder_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 0, 6);
	n = lr_fault_rx(lr_tw, 0, pkts, 6, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 6);
	take(pkts, n, seqs);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(seqs[i], want[i]);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_REORDERED), 3);

	/* Across bursts: the held one follows the first packet of the next burst. */
	seq_burst(pkts, 10, 1);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 1, LR_BURST_MAX), 0);
	seq_burst(pkts, 11, 1);
	n = lr_fault_rx(lr_tw, 0, pkts, 1, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	take(pkts, n, seqs);
	CU_ASSERT_EQUAL(seqs[0], 11);
	CU_ASSERT_EQUAL(seqs[1], 10);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_reorder_without_next_packet_released_after_1ms(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t seqs[1];

	rx_conf[0].reorder_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 7, 1);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 1, LR_BURST_MAX), 0);
	lr_tw->now_us += LR_FAULT_REORDER_MAX_US - 1;
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 0);
	lr_tw->now_us += 1;
	CU_ASSERT_EQUAL_FATAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 1);
	take(pkts, 1, seqs);
	CU_ASSERT_EQUAL(seqs[0], 7);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_REORDERED), 1);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_delay_holds_until_clock_passes_then_in_order(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint16_t seqs[LR_BURST_MAX], i, n;
	uint64_t t0 = lr_tw->now_us;

	rx_conf[0].delay_us = 5000;
	init_ok();
	seq_burst(pkts, 0, 10);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 10, LR_BURST_MAX), 0);
	lr_tw->now_us = t0 + 100;
	seq_burst(pkts, 10, 5);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 5, LR_BURST_MAX), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_DELAYED), 15);

	lr_tw->now_us = t0 + 4999;
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 0);
	lr_tw->now_us = t0 + 5000;
	n = lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 10);
	take(pkts, n, seqs);
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(seqs[i], i);
	lr_tw->now_us = t0 + 5099;
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX), 0);
	lr_tw->now_us = t0 + 5100;
	n = lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	take(pkts, n, seqs);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(seqs[i], 10 + i);
	LR_TEST_ASSERT_NO_LEAK();
}

#define JIT_PKTS 200
#define JIT_GAP_US 10
#define JIT_DELAY_US 3000  /* above the feeding time: nothing leaves while feeding */
#define JIT_JITTER_US 1000

/*
 * Feed JIT_PKTS packets JIT_GAP_US apart, then release them: if step, 1 us at a time,
 * recording when each one leaves (rel[seq]); else in one jump past the last release,
 * recording the order. @return packets released
 */
static unsigned int
jitter_run(bool step, uint64_t *rel, uint16_t *order)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint64_t t0 = lr_tw->now_us, end;
	uint16_t seqs[LR_BURST_MAX], i, n;
	unsigned int got = 0;

	CU_ASSERT_EQUAL_FATAL(lr_fault_worker_init(lr_tw, rx_conf, tx_conf, SEED), 0);
	end = t0 + (JIT_PKTS - 1) * JIT_GAP_US + JIT_DELAY_US + JIT_JITTER_US;
	for (i = 0; i < JIT_PKTS; i++) {
		lr_tw->now_us = t0 + (uint64_t)i * JIT_GAP_US;
		seq_burst(pkts, i, 1);
		CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 1, LR_BURST_MAX), 0);
	}
	while (lr_tw->now_us <= end) {
		lr_tw->now_us = step ? lr_tw->now_us + 1 : end + 1;
		do {
			n = lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX);
			take(pkts, n, seqs);
			for (i = 0; i < n && got < JIT_PKTS; i++, got++) {
				if (step)
					rel[seqs[i]] = lr_tw->now_us;
				else
					order[got] = seqs[i];
			}
		} while (n > 0);
	}
	lr_fault_worker_fini(lr_tw);
	lr_tw->now_us = t0;
	return got;
}

static void
test_fault_rx_jitter_releases_in_release_time_order(void)
{
	static uint64_t rel[JIT_PKTS];
	static uint16_t order[JIT_PKTS];
	unsigned int i, inversions = 0;
	uint64_t t0 = lr_tw->now_us;

	rx_conf[0].delay_us = JIT_DELAY_US;
	rx_conf[0].jitter_us = JIT_JITTER_US;
	memset(rel, 0, sizeof(rel));
	CU_ASSERT_EQUAL_FATAL(jitter_run(true, rel, NULL), JIT_PKTS);
	for (i = 0; i < JIT_PKTS; i++) {
		uint64_t arrival = t0 + (uint64_t)i * JIT_GAP_US;

		/* each packet left within [arrival + delay, arrival + delay + jitter] */
		CU_ASSERT(rel[i] >= arrival + JIT_DELAY_US);
		CU_ASSERT(rel[i] <= arrival + JIT_DELAY_US + JIT_JITTER_US);
		if (i > 0 && rel[i] < rel[i - 1])
			inversions++;
	}
	/* jitter (1 ms) far above the gap (10 us) reorders: intended */
	CU_ASSERT(inversions > JIT_PKTS / 4);

	/* Same seed, all released in one go: the order is sorted by release time, FIFO on ties. */
	CU_ASSERT_EQUAL_FATAL(jitter_run(false, NULL, order), JIT_PKTS);
	for (i = 1; i < JIT_PKTS; i++) {
		uint16_t a = order[i - 1], b = order[i];

		CU_ASSERT(rel[a] < rel[b] || (rel[a] == rel[b] && a < b));
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_DELAYED), 2 * JIT_PKTS);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_delay_queue_full_drops_and_counts(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	unsigned int i, total = 0;
	uint16_t n;

	rx_conf[0].delay_us = 5000;
	init_ok();
	for (i = 0; i < LR_FAULT_QUEUE_SIZE + 128; i += 64) {
		seq_burst(pkts, (uint16_t)i, 64);
		CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 64, LR_BURST_MAX), 0);
	}
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_QUEUE_FULL), 128);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_DELAYED), LR_FAULT_QUEUE_SIZE);
	lr_tw->now_us += 5000;
	do {
		n = lr_fault_rx(lr_tw, 0, pkts, 0, LR_BURST_MAX);
		CU_ASSERT(n <= LR_BURST_MAX);
		total += n;
		take(pkts, n, NULL);
	} while (n > 0);
	CU_ASSERT_EQUAL(total, LR_FAULT_QUEUE_SIZE);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_rx_other_port_untouched(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];

	rx_conf[1].loss_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 0, 4);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 4, LR_BURST_MAX), 4);
	take(pkts, 4, NULL);
	seq_burst(pkts, 0, 4);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 1, pkts, 4, LR_BURST_MAX), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_LOST), 4);
	LR_TEST_ASSERT_NO_LEAK();
}

/* CE marking at 100 %: ECT(0) and ECT(1) become CE with a good header checksum;
 * Not-ECT, CE and a frame that is no IPv4 stay as they were. */
static void
test_fault_rx_ce_marks_ect_only(void)
{
	static const uint8_t tos[4] = { 0x00, 0x02, 0x01, 0x03 }, want[4] = { 0, 3, 3, 3 };
	struct rte_mbuf *pkts[LR_BURST_MAX];
	struct lr_test_parsed p;
	unsigned int i;

	rx_conf[0].ce_ppm = 1000000;
	init_ok();
	for (i = 0; i < 4; i++) {
		pkts[i] = lr_test_udp(1000, 7, "x", 1);
		CU_ASSERT_FATAL(lr_test_parse(pkts[i], &p) == 0);
		p.ip->type_of_service = tos[i] | 0xb8; /* a DSCP (EF) stays too */
		p.ip->hdr_checksum = 0;
		p.ip->hdr_checksum = rte_ipv4_cksum(p.ip);
	}
	pkts[4] = seq_pkt(7);
	CU_ASSERT_EQUAL_FATAL(lr_fault_rx(lr_tw, 0, pkts, 5, LR_BURST_MAX), 5);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_FATAL(lr_test_parse(pkts[i], &p) == 0);
		CU_ASSERT_EQUAL(p.ip->type_of_service, want[i] | 0xb8);
		CU_ASSERT(lr_test_ip_cksum_ok(&p));
	}
	CU_ASSERT_EQUAL(seq_of(pkts[4]), 7);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_CE_MARKED), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_CE_MARKED), 0);
	take(pkts, 5, NULL);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_tx_loss_and_dup_through_wrapped_tx_fn(void)
{
	lr_tx_fn recorder = lr_tw->tx_fn;
	unsigned int i;

	tx_conf[0].loss_ppm = 1000000;
	tx_conf[1].dup_ppm = 1000000;
	init_ok();
	CU_ASSERT_PTR_NOT_EQUAL(lr_tw->tx_fn, recorder);
	for (i = 0; i < 5; i++)
		lr_tx(lr_tw, 0, seq_pkt((uint16_t)i));
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_LOST), 5);

	for (i = 0; i < 3; i++)
		lr_tx(lr_tw, 1, seq_pkt((uint16_t)i));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 6);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(seq_of(lr_test_tx_get(i)), i / 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_DUPLICATED), 3);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_RX_DUPLICATED), 0);
	lr_fault_worker_fini(lr_tw);
	CU_ASSERT_PTR_EQUAL(lr_tw->tx_fn, recorder);
	CU_ASSERT_PTR_NULL(lr_tw->fault);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_tx_delay_released_by_poll_in_order(void)
{
	uint64_t t0 = lr_tw->now_us;
	unsigned int i;

	tx_conf[0].delay_us = 5000;
	init_ok();
	for (i = 0; i < 3; i++)
		lr_tx(lr_tw, 0, seq_pkt((uint16_t)i));
	lr_worker_flush(lr_tw);
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_DELAYED), 3);
	lr_tw->now_us = t0 + 4999;
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	lr_tw->now_us = t0 + 5000;
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(seq_of(lr_test_tx_get(i)), i);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_tx_reorder_swaps_and_poll_releases_a_lone_one(void)
{
	uint64_t t0 = lr_tw->now_us;

	tx_conf[0].reorder_ppm = 1000000;
	init_ok();
	lr_tx(lr_tw, 0, seq_pkt(0));
	lr_tx(lr_tw, 0, seq_pkt(1));
	lr_tx(lr_tw, 0, seq_pkt(2));
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 2);
	CU_ASSERT_EQUAL(seq_of(lr_test_tx_get(0)), 1);
	CU_ASSERT_EQUAL(seq_of(lr_test_tx_get(1)), 0);
	lr_tw->now_us = t0 + LR_FAULT_REORDER_MAX_US - 1;
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 2);
	lr_tw->now_us = t0 + LR_FAULT_REORDER_MAX_US;
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 3);
	CU_ASSERT_EQUAL(seq_of(lr_test_tx_get(2)), 2);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_fault_TX_REORDERED), 2);
	LR_TEST_ASSERT_NO_LEAK();
}

static uint16_t
refuse_tx(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(w);
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static void
test_fault_tx_refused_by_pmd_freed_and_counted(void)
{
	unsigned int i;

	lr_tw->tx_fn = refuse_tx;
	tx_conf[0].delay_us = 10;
	tx_conf[0].dup_ppm = 1000000;
	init_ok();
	for (i = 0; i < 4; i++)
		lr_tx(lr_tw, 0, seq_pkt((uint16_t)i));
	lr_worker_flush(lr_tw);
	lr_tw->now_us += 10;
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 8);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX), 0);
	lr_fault_worker_fini(lr_tw);
	CU_ASSERT_PTR_EQUAL(lr_tw->tx_fn, refuse_tx);
	LR_TEST_ASSERT_NO_LEAK();
}

static void
test_fault_fini_with_packets_held_frees_all(void)
{
	struct rte_mbuf *pkts[LR_BURST_MAX];
	lr_tx_fn recorder = lr_tw->tx_fn;
	unsigned int i;

	rx_conf[0].reorder_ppm = 1000000;
	rx_conf[1].delay_us = 100000;
	rx_conf[1].jitter_us = 5000;
	tx_conf[0].delay_us = 100000;
	tx_conf[2].reorder_ppm = 1000000;
	tx_conf[2].dup_ppm = 1000000;
	init_ok();
	seq_burst(pkts, 0, 3);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 0, pkts, 3, LR_BURST_MAX), 2);
	take(pkts, 2, NULL);
	seq_burst(pkts, 0, 40);
	CU_ASSERT_EQUAL(lr_fault_rx(lr_tw, 1, pkts, 40, LR_BURST_MAX), 0);
	for (i = 0; i < 20; i++)
		lr_tx(lr_tw, 0, seq_pkt((uint16_t)i));
	lr_tx(lr_tw, 2, seq_pkt(0));
	lr_worker_flush(lr_tw);
	lr_fault_poll(lr_tw);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 0);
	CU_ASSERT_NOT_EQUAL(lr_test_pool_in_use(), lr_test_pool_baseline());

	lr_fault_worker_fini(lr_tw);
	CU_ASSERT_PTR_NULL(lr_tw->fault);
	CU_ASSERT_PTR_EQUAL(lr_tw->tx_fn, recorder);
	LR_TEST_ASSERT_NO_LEAK();
	lr_fault_worker_fini(lr_tw); /* twice is harmless */
}

static const CU_TestInfo cases[] = {
	{"test_fault_rx_ce_marks_ect_only", test_fault_rx_ce_marks_ect_only},
	{"test_fault_off_passes_through_and_stays_null",
		test_fault_off_passes_through_and_stays_null},
	{"test_fault_init_rejects_probability_above_one",
		test_fault_init_rejects_probability_above_one},
	{"test_fault_rx_loss_all_drops_and_counts", test_fault_rx_loss_all_drops_and_counts},
	{"test_fault_rx_loss_20pct_within_tolerance_and_reproducible",
		test_fault_rx_loss_20pct_within_tolerance_and_reproducible},
	{"test_fault_rx_dup_all_doubles_in_order", test_fault_rx_dup_all_doubles_in_order},
	{"test_fault_rx_dup_overflow_stays_queued_for_next_call",
		test_fault_rx_dup_overflow_stays_queued_for_next_call},
	{"test_fault_rx_reorder_swaps_adjacent_packets",
		test_fault_rx_reorder_swaps_adjacent_packets},
	{"test_fault_rx_reorder_without_next_packet_released_after_1ms",
		test_fault_rx_reorder_without_next_packet_released_after_1ms},
	{"test_fault_rx_delay_holds_until_clock_passes_then_in_order",
		test_fault_rx_delay_holds_until_clock_passes_then_in_order},
	{"test_fault_rx_jitter_releases_in_release_time_order",
		test_fault_rx_jitter_releases_in_release_time_order},
	{"test_fault_rx_delay_queue_full_drops_and_counts",
		test_fault_rx_delay_queue_full_drops_and_counts},
	{"test_fault_rx_other_port_untouched", test_fault_rx_other_port_untouched},
	{"test_fault_tx_loss_and_dup_through_wrapped_tx_fn",
		test_fault_tx_loss_and_dup_through_wrapped_tx_fn},
	{"test_fault_tx_delay_released_by_poll_in_order",
		test_fault_tx_delay_released_by_poll_in_order},
	{"test_fault_tx_reorder_swaps_and_poll_releases_a_lone_one",
		test_fault_tx_reorder_swaps_and_poll_releases_a_lone_one},
	{"test_fault_tx_refused_by_pmd_freed_and_counted",
		test_fault_tx_refused_by_pmd_freed_and_counted},
	{"test_fault_fini_with_packets_held_frees_all",
		test_fault_fini_with_packets_held_frees_all},
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{"fault", setup, teardown, cases}, {0}};

	return lr_test_main(argc, argv, suites);
}
