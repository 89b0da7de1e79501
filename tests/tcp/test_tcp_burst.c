/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_burst.c: the burst stage looks a burst's segments up together; each segment
 * uses that result only while the segments before it in the burst have not made
 * it wrong (a connection freed, one created), and is looked up again otherwise.
 * Every case feeds whole bursts through lr_eth_input_burst(), as the poll loop does.
 */
#include <string.h>

#include <rte_ip.h>

#include "lr_eth.h"
#include "tcp_test.h"

#define NB_CONNS 8

/* One RX burst, then the end of the poll-loop turn. */
static void
rx_burst(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		pkts[i]->port = 0;
	lr_eth_input_burst(lr_tw, pkts, n);
	tt_flush();
}

/* NB_CONNS passive connections from peer ports 41000.., our ISS 10000 * (i + 1),
 * the peer's 100 * i. */
static void
open_conns(struct lr_tcp_conn **conns)
{
	unsigned int i;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < NB_CONNS; i++) {
		tt_peer_port = (uint16_t)(41000 + i);
		tt_isn = 10000 * (i + 1);
		tt_rx_syn(100 * i, 1460);
		tt_rx(100 * i + 1, tt_isn + 1, TT_ACK, NULL, 0);
		conns[i] = tt_app.conn;
		CU_ASSERT_EQUAL(lr_tcp_conn_state(conns[i]), LR_TCP_ESTABLISHED);
	}
	lr_test_tx_clear();
}

static struct rte_mbuf *
data_seg(unsigned int i, const char *byte)
{
	tt_peer_port = (uint16_t)(41000 + i);
	return tt_seg(100 * i + 1, 10000 * (i + 1) + 1, TT_ACK, TT_PEER_WND, NULL, 0, byte, 1);
}

/* A burst of data for NB_CONNS connections: every segment takes its connection from
 * the bulk lookup, and each connection gets its own byte and its own ACK. */
static void
test_tcp_burst_segments_use_bulk_lookup(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	struct rte_mbuf *pkts[NB_CONNS];
	unsigned int i;

	open_conns(conns);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 0); /* one frame at a time */
	for (i = 0; i < NB_CONNS; i++)
		pkts[i] = data_seg(i, "abcdefgh" + i);
	rx_burst(pkts, NB_CONNS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), NB_CONNS);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 0);
	CU_ASSERT_EQUAL(tt_app.data_len, NB_CONNS);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, "abcdefgh", NB_CONNS), 0);
	TT_EXPECT_COUNT(NB_CONNS);
	for (i = 0; i < NB_CONNS; i++) {
		struct tt_out o;

		CU_ASSERT_EQUAL(tt_out(i, &o), 0);
		CU_ASSERT_EQUAL(o.dport, 41000 + i);
		CU_ASSERT_EQUAL(o.ack, 100 * i + 2);
		CU_ASSERT_EQUAL(conns[i]->rcv_nxt, 100 * i + 2);
	}
	/* The results do not outlive the burst. */
	CU_ASSERT_EQUAL(lr_tw->tcp->nb_hints, 0);
	TT_ASSERT_NO_LEAK();
}

/* Frames the stage does not take (UDP, ICMP, a TCP frame the IP layer drops)
 * leave the other segments' results in place. */
static void
test_tcp_burst_other_frames_between_segments(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	struct rte_mbuf *pkts[5];

	open_conns(conns);
	pkts[0] = lr_test_udp(5000, 9, "u", 1);
	pkts[1] = data_seg(0, "a");
	lr_test_ip_of(pkts[1])->hdr_checksum ^= 0xffff; /* dropped by IP */
	pkts[2] = lr_test_icmp_echo(7, 1, "i", 1);
	pkts[3] = data_seg(1, "b");
	pkts[4] = data_seg(2, "c");
	rx_burst(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_BAD_CKSUM), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 2);
	CU_ASSERT_EQUAL(memcmp(tt_app.data, "bc", 2), 0);
	CU_ASSERT_EQUAL(conns[0]->rcv_nxt, 1);
	TT_ASSERT_NO_LEAK();
}

/* A RST frees the connection; the data behind it in the same burst must not reach
 * the freed block: looked up again, it finds only the listener (RST sent). */
static void
test_tcp_burst_segment_after_rst(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	struct rte_mbuf *pkts[3];

	open_conns(conns);
	tt_peer_port = 41003;
	pkts[0] = tt_seg(301, 0, TT_RST, TT_PEER_WND, NULL, 0, NULL, 0);
	pkts[1] = data_seg(3, "x");
	pkts[2] = data_seg(4, "y");
	rx_burst(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_RX), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 2); /* the RST and "y" */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_ACK), 1);
	CU_ASSERT_EQUAL(tt_app.data_len, 1);
	CU_ASSERT_EQUAL(tt_app.data[0], 'y');
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS - 1);
	TT_EXPECT_COUNT(2); /* RST for "x", ACK for "y" */
	tt_peer_port = 41003;
	TT_EXPECT(0, TT_RST, 40001, 0, 0);
	TT_ASSERT_NO_LEAK();
}

/* One burst of a SYN (MSS 1460) and its retransmission. The second's lookup is
 * outdated by the first: it must be counted stale, done again and find the
 * connection the first made, in SYN_RCVD (a retransmitted SYN, answered). */
static void
rx_syn_twice(uint32_t seq)
{
	uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *pkts[2];

	pkts[0] = tt_seg(seq, 0, TT_SYN, TT_PEER_WND, mss, 4, NULL, 0);
	pkts[1] = tt_seg(seq, 0, TT_SYN, TT_PEER_WND, mss, 4, NULL, 0);
	rx_burst(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUP_SYN), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
}

/* A SYN creates the connection the bulk lookup did not find for its retransmission
 * in the same burst: that one is looked up again and answered in SYN_RCVD, not
 * taken for a second new connection. */
static void
test_tcp_burst_syn_twice_in_one_burst(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	rx_syn_twice(1000);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PASSIVE_OPEN), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 0);
	TT_ASSERT_NO_LEAK();
}

/* An active connection closed down to FIN_WAIT_2 (peer ISS 8000, our FIN 1011). */
static void
close_to_fin_wait_2(void)
{
	struct lr_tcp_conn *c = tt_active_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, "0123456789", 10), 10);
	tt_flush();
	tt_rx(8001, 1011, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(8001, 1012, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, tt_our_port, &tt_cb, NULL), 0);
	lr_test_tx_clear();
}

/* A SYN reopens a tuple held by a TIME_WAIT entry (no block: the bulk lookup finds
 * nothing); the new connection outdates that result for the SYN's retransmission in
 * the same burst, which is looked up again and reaches it. */
static void
test_tcp_burst_time_wait_reuse(void)
{
	close_to_fin_wait_2();
	tt_rx(8001, 1012, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(tt_info().state, LR_TCP_TIME_WAIT);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	lr_test_tx_clear();
	rx_syn_twice(9000);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 1);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

/* The peer's FIN and a new SYN in one burst: the FIN puts the block in TIME_WAIT (it
 * becomes an entry only at the flush), the SYN finds that block through the bulk
 * lookup and frees it for a new connection, and the SYN's retransmission, whose
 * result named the freed block, is looked up again and reaches the new one. */
static void
test_tcp_burst_time_wait_reuse_same_burst(void)
{
	uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *pkts[3];

	close_to_fin_wait_2();
	pkts[0] = tt_seg(8001, 1012, TT_FIN | TT_ACK, TT_PEER_WND, NULL, 0, NULL, 0);
	pkts[1] = tt_seg(9000, 0, TT_SYN, TT_PEER_WND, mss, 4, NULL, 0);
	pkts[2] = tt_seg(9000, 0, TT_SYN, TT_PEER_WND, mss, 4, NULL, 0);
	rx_burst(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_REUSE_SEQ), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUP_SYN), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_SYN_RCVD);
	TT_ASSERT_NO_LEAK();
}

/* One frame is not a burst: no bulk lookup. */
static void
test_tcp_burst_single_frame(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	struct rte_mbuf *m;

	open_conns(conns);
	m = data_seg(5, "z");
	rx_burst(&m, 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 1);
	TT_ASSERT_NO_LEAK();
}

/* Past capacity, SYNs for new connections are shed in the burst stage before any
 * allocation or TCP input, counted by reason; an established connection in the same
 * burst is served. Pressure, then RX backlog (full bursts), then back to normal. */
static void
test_tcp_burst_syn_shed_before_allocation(void)
{
	struct lr_mem_conf pressure = { .low = 0, .pressure = 0, .high = UINT64_MAX };
	struct lr_tcp_conn *conns[NB_CONNS];
	struct rte_mbuf *pkts[3];
	unsigned int in_use, i;
	uint64_t rx0;

	open_conns(conns);
	lr_test_tx_clear();
	in_use = rte_mempool_in_use_count(lr_tw->tcp->pool);
	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &pressure), 0);
	tt_peer_port = 50001;
	pkts[0] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	pkts[1] = data_seg(3, "q");
	tt_peer_port = 50002;
	pkts[2] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	rx0 = tt_stat(LR_TCP_STAT_RX);
	rx_burst(pkts, 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_PRESSURE), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RX), rx0 + 1); /* shed before TCP input */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_tw->tcp->pool), in_use);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS);
	CU_ASSERT_EQUAL(tt_app.data_len, 1);   /* the established one is served */
	TT_EXPECT_COUNT(1);                    /* its ACK, no SYN-ACK */
	lr_test_tx_clear();
	lr_mem_configure(&lr_tw->mem, &LR_MEM_UNLIMITED);
	for (i = 0; i < tt_conf.syn_shed_backlog; i++)
		lr_tcp_rx_load(lr_tw, true);
	tt_peer_port = 50003;
	pkts[0] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	tt_peer_port = 50004;
	pkts[1] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	rx0 = tt_stat(LR_TCP_STAT_RX);
	rx_burst(pkts, 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RX), rx0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_tw->tcp->pool), in_use);
	TT_EXPECT_COUNT(0);
	lr_tcp_rx_load(lr_tw, false);          /* the queue drained: admitted again */
	tt_peer_port = 50005;
	pkts[0] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	tt_peer_port = 50006;
	pkts[1] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	rx_burst(pkts, 2);
	TT_EXPECT_COUNT(2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 2);
	TT_ASSERT_NO_LEAK();
}

/* A TX queue that takes nothing (a peer that stopped draining its ring). */
static uint16_t
tx_refuse_all(struct lr_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n)
{
	RTE_SET_USED(w);
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

/* Two SYNs and a data segment for an established connection in one burst. */
static void
rx_two_syns_and_data(uint16_t port0, unsigned int conn, const char *byte)
{
	struct rte_mbuf *pkts[3];

	tt_peer_port = port0;
	pkts[0] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	pkts[1] = data_seg(conn, byte);
	tt_peer_port = (uint16_t)(port0 + 1);
	pkts[2] = tt_seg(5000, 0, TT_SYN, TT_PEER_WND, NULL, 0, NULL, 0);
	rx_burst(pkts, 3);
}

/* After a TX queue refused frames, SYNs are shed for syn_shed_tx_us (their SYN-ACKs
 * would be lost too and leave half-opens behind); the established connection in
 * the same burst is served; afterwards SYNs are admitted again; 0 turns it off. */
static void
test_tcp_burst_syn_shed_after_tx_refused(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	unsigned int in_use;
	lr_tx_fn record;

	tt_conf.syn_shed_tx_us = 1000;
	tt_reinit();
	open_conns(conns);
	in_use = rte_mempool_in_use_count(lr_tw->tcp->pool);
	record = lr_tw->tx_fn;
	lr_tw->tx_fn = tx_refuse_all;       /* the ring is full: the ACK is refused */
	tt_in(data_seg(2, "p"));
	lr_tw->tx_fn = record;
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_eth_TX_FULL), 1);
	CU_ASSERT_EQUAL(lr_tw->tx_refused_us, lr_tw->now_us);
	lr_test_advance_us(tt_conf.syn_shed_tx_us - 1);
	rx_two_syns_and_data(50001, 3, "q");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_TX), 2);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(lr_tw->tcp->pool), in_use);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS);
	CU_ASSERT_EQUAL(tt_app.data_len, 2);   /* the established one is served */
	TT_EXPECT_COUNT(1);                    /* its ACK, no SYN-ACK */
	lr_test_tx_clear();
	lr_test_advance_us(1);                 /* syn_shed_tx_us since the refusal */
	rx_two_syns_and_data(50003, 4, "r");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_TX), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 2);
	TT_EXPECT_COUNT(3);                    /* two SYN-ACKs and the ACK */
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();

	tt_conf.syn_shed_tx_us = 0;            /* off: a refusal sheds nothing */
	tt_reinit();
	open_conns(conns);
	lr_tw->tx_fn = tx_refuse_all;
	tt_in(data_seg(2, "p"));
	lr_tw->tx_fn = record;
	rx_two_syns_and_data(50001, 3, "q");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_TX), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 2);
	TT_ASSERT_NO_LEAK();
}

/* RX backlog sheds SYNs only from a busy worker: full turns at a 30 % busy share (a
 * burst) admit them, the same turns at 94 % shed them, and with the gate off (0)
 * the backlog alone sheds. Cycles as the poll loop counts them (w->busy_cycles,
 * w->idle_cycles), the load windows on the virtual clock. */
static void
test_tcp_burst_syn_shed_backlog_needs_busy_worker(void)
{
	struct lr_tcp_conn *conns[NB_CONNS];
	unsigned int i;

	lr_tw->busy_cycles = 0;
	lr_tw->idle_cycles = 0;
	tt_conf.syn_shed_busy_pct = 75;
	tt_reinit();
	open_conns(conns);
	lr_tw->busy_cycles += 30000;             /* a window 30 % busy */
	lr_tw->idle_cycles += 70000;
	lr_test_advance_us(TCP_LOAD_WINDOW_US);
	lr_tcp_rx_load(lr_tw, false);            /* ends it */
	lr_tw->busy_cycles += 3000;              /* this one as busy so far */
	lr_tw->idle_cycles += 7000;
	for (i = 0; i < tt_conf.syn_shed_backlog; i++)
		lr_tcp_rx_load(lr_tw, true);
	rx_two_syns_and_data(50001, 3, "q");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 2);
	TT_EXPECT_COUNT(3);                      /* two SYN-ACKs and the ACK */
	lr_test_tx_clear();
	lr_tw->busy_cycles += 1000000;           /* then busy: 1,033k of 1,110k cycles */
	rx_two_syns_and_data(50003, 4, "r");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 2);
	TT_EXPECT_COUNT(1);                      /* the ACK only */
	lr_test_tx_clear();
	lr_test_advance_us(TCP_LOAD_WINDOW_US);  /* two idle windows: admitted again */
	lr_tcp_rx_load(lr_tw, true);
	lr_tw->idle_cycles += 10000000;
	lr_test_advance_us(TCP_LOAD_WINDOW_US);
	lr_tcp_rx_load(lr_tw, true);
	lr_tw->idle_cycles += 10000000;
	rx_two_syns_and_data(50005, 5, "s");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 4);
	lr_test_tx_clear();
	lr_test_advance_us(TCP_LOAD_WINDOW_US);  /* the idle windows forgotten: a */
	lr_tcp_rx_load(lr_tw, true);             /* window 90 % busy sheds again */
	lr_tw->busy_cycles += 9000000;
	lr_tw->idle_cycles += 1000000;
	lr_test_advance_us(TCP_LOAD_WINDOW_US);
	lr_tcp_rx_load(lr_tw, true);
	rx_two_syns_and_data(50007, 6, "t");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 4);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS + 4);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();

	tt_conf.syn_shed_busy_pct = 0;           /* off: the backlog alone sheds */
	tt_reinit();
	open_conns(conns);
	lr_tw->busy_cycles += 30000;
	lr_tw->idle_cycles += 70000;
	for (i = 0; i < tt_conf.syn_shed_backlog; i++)
		lr_tcp_rx_load(lr_tw, true);
	rx_two_syns_and_data(50001, 3, "q");
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_BACKLOG), 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), NB_CONNS);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
	lr_tw->busy_cycles = 0;
	lr_tw->idle_cycles = 0;
	tt_conf.syn_shed_busy_pct = lr_tcp_conf_default.syn_shed_busy_pct;
}

/* The filter bit of the tuple of a SYN from peer port port. */
static unsigned int
syn_bit(uint16_t port)
{
	struct tcp_key k = {
		.raddr = rte_cpu_to_be_32(LR_TEST_PEER_IP),
		.laddr = rte_cpu_to_be_32(LR_TEST_OUR_IP),
		.rport = rte_cpu_to_be_16(port),
		.lport = rte_cpu_to_be_16(TT_OUR_PORT),
	};

	return tcp_created_bit(&k);
}

/* A burst of SYNs from n peer ports from 41000 on, ISN 1000 * (i + 1). */
static void
rx_syns(const uint16_t *ports, unsigned int n)
{
	uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *pkts[NB_CONNS];
	unsigned int i;

	for (i = 0; i < n; i++) {
		tt_peer_port = ports[i];
		pkts[i] = tt_seg(1000 * (i + 1), 0, TT_SYN, TT_PEER_WND, mss, 4, NULL, 0);
	}
	rx_burst(pkts, (uint16_t)n);
}

/* A burst of SYNs of new tuples: each creates a connection, which outdates the "not
 * found" of the SYNs behind it only for their own tuple's filter bit. With every
 * tuple on its own bit, none is looked up again; two new tuples on one bit cost the
 * second a lookup, which finds nothing, as it should (a filter hit is not a match). */
static void
test_tcp_burst_syns_keep_not_found(void)
{
	uint64_t seen[TCP_CREATED_WORDS] = { 0 };
	uint16_t ports[NB_CONNS], first[256] = { 0 }, p;
	unsigned int n = 0, b;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (p = 41000; n < NB_CONNS; p++) { /* NB_CONNS ports, each on its own bit */
		b = syn_bit(p);
		if ((seen[b / 64] >> (b % 64)) & 1)
			continue;
		seen[b / 64] |= 1ull << (b % 64);
		ports[n++] = p;
	}
	rx_syns(ports, n);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), n);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PASSIVE_OPEN), n);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), n);
	TT_EXPECT_COUNT(n); /* a SYN-ACK each */
	lr_test_tx_clear();
	/* two new ports on one bit (256 bits: a pair comes within 257 ports) */
	for (p = 50000; first[syn_bit(p)] == 0; p++)
		first[syn_bit(p)] = p;
	ports[0] = first[syn_bit(p)];
	ports[1] = p;
	rx_syns(ports, 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_STALE), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LOOKUP_BULK), n + 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUP_SYN), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PASSIVE_OPEN), n + 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), n + 2);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_burst_segments_use_bulk_lookup", test_tcp_burst_segments_use_bulk_lookup },
	{ "test_tcp_burst_other_frames_between_segments",
		test_tcp_burst_other_frames_between_segments },
	{ "test_tcp_burst_segment_after_rst", test_tcp_burst_segment_after_rst },
	{ "test_tcp_burst_syn_twice_in_one_burst", test_tcp_burst_syn_twice_in_one_burst },
	{ "test_tcp_burst_syns_keep_not_found", test_tcp_burst_syns_keep_not_found },
	{ "test_tcp_burst_time_wait_reuse", test_tcp_burst_time_wait_reuse },
	{ "test_tcp_burst_time_wait_reuse_same_burst", test_tcp_burst_time_wait_reuse_same_burst },
	{ "test_tcp_burst_single_frame", test_tcp_burst_single_frame },
	{ "test_tcp_burst_syn_shed_before_allocation", test_tcp_burst_syn_shed_before_allocation },
	{ "test_tcp_burst_syn_shed_after_tx_refused", test_tcp_burst_syn_shed_after_tx_refused },
	{ "test_tcp_burst_syn_shed_backlog_needs_busy_worker",
		test_tcp_burst_syn_shed_backlog_needs_busy_worker },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_burst", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
