/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_tw.c: a connection in TIME_WAIT gives its block back and goes on as a 44-byte
 * entry for 2 MSL. It re-ACKs a retransmitted FIN (2 MSL again), ignores RSTs
 * (RFC 1337), lets a newer SYN reopen the tuple (RFC 6191 by timestamp, else by
 * sequence) and ACKs the rest; a full table recycles its oldest entry, so a service
 * that closes first never runs out of connections because of TIME_WAIT.
 *
 * The passive connections here: peer port P, the peer's ISS 1000, ours 8000; the
 * application closes first (FIN 8001), the peer's FIN 1001 acknowledges it, so the
 * entry holds SND.NXT 8002 and RCV.NXT 1002.
 */
#include <string.h>

#include "lr_eth.h"
#include "tcp_test.h"

#define PORT0 41000

/* A segment from the peer, with a timestamps option when tsval is not 0. */
static struct rte_mbuf *
seg_ts(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t tsval, const void *data,
		uint16_t len)
{
	uint8_t opt[TCP_OPT_TS_LEN + 4];
	uint8_t n = 0;

	if (flags & TT_SYN) {
		opt[n++] = 2; /* MSS 1460 */
		opt[n++] = 4;
		opt[n++] = 1460 >> 8;
		opt[n++] = 1460 & 0xff;
	}
	if (tsval != 0) {
		tt_ts_opt(opt + n, tsval, 1);
		n += TCP_OPT_TS_LEN;
	}
	return tt_seg(seq, ack, flags, TT_PEER_WND, opt, n, data, len);
}

static void
rx_ts(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t tsval)
{
	tt_in(seg_ts(seq, ack, flags, tsval, NULL, 0));
}

/* Connection blocks taken from the shard's pool. */
static unsigned int
blocks_in_use(void)
{
	return rte_mempool_in_use_count(lr_tw->tcp->pool);
}

/*
 * Passive connection from peer port port to TIME_WAIT, the application closing
 * first. tsval 0: no timestamps; else the peer's TSval, +1 per segment (the last,
 * its FIN, carries tsval + 2).
 */
static void
to_tw(uint16_t port, uint32_t tsval)
{
	tt_peer_port = port;
	tt_isn = 8000;
	rx_ts(1000, 0, TT_SYN, tsval);
	rx_ts(1001, 8001, TT_ACK, tsval ? tsval + 1 : 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	lr_tcp_close(tt_app.conn);
	tt_app.conn = NULL;
	tt_flush();
	rx_ts(1001, 8002, TT_FIN | TT_ACK, tsval ? tsval + 2 : 0);
	lr_test_tx_clear();
}

static void
tw_setup(void)
{
	tt_setup();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
}

/* The entry is 44 bytes; the block goes back to the pool once the last ACK left,
 * and the connection still counts and lists, in TIME_WAIT. */
static void
test_tcp_tw_entry_replaces_the_block(void)
{
	CU_ASSERT_EQUAL(sizeof(struct tcp_tw_entry), 44);
	tt_peer_port = PORT0;
	rx_ts(1000, 0, TT_SYN, 0);
	rx_ts(1001, 8001, TT_ACK, 0);
	lr_tcp_close(tt_app.conn);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(blocks_in_use(), 1);
	rx_ts(1001, 8002, TT_FIN | TT_ACK, 0);
	/* the FIN's ACK left from the block, then the block went */
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL(blocks_in_use(), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_TIME_WAIT);
	CU_ASSERT_EQUAL(tt_info().rport, PORT0);
	CU_ASSERT_EQUAL(tt_info().lport, TT_OUR_PORT);
	CU_ASSERT_EQUAL(tt_info().raddr, rte_cpu_to_be_32(LR_TEST_PEER_IP));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 0); /* not over yet */
	TT_ASSERT_NO_LEAK();
}

/* A retransmitted FIN (our ACK was lost) is acknowledged again, with timestamps,
 * and 2 MSL starts again; then the entry expires and is freed. */
static void
test_tcp_tw_fin_retransmit_reacked(void)
{
	struct tt_out o;

	to_tw(PORT0, 500);
	tt_advance_ms(tt_conf.msl_ms);
	rx_ts(1001, 8002, TT_FIN | TT_ACK, 600);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 600); /* TS.Recent moved to the FIN's TSval */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_FIN_REACK), 1);
	lr_test_tx_clear();
	tt_advance_ms(2ull * tt_conf.msl_ms - 1);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_EXPIRED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 1);
	CU_ASSERT_EQUAL(lr_tcp_stats_get(lr_tw)->state_entered[LR_TCP_CLOSED], 1);
	TT_EXPECT_COUNT(0);
	/* the tuple is free: a segment now finds no connection and is reset */
	rx_ts(1002, 8002, TT_ACK, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_ACK), 1);
	TT_ASSERT_NO_LEAK();
}

/* Entries expire in the order their 2 MSL (re)started: a restarted one outlives a
 * younger one, and each expires on its own jiffy. */
static void
test_tcp_tw_expiry_follows_restarts(void)
{
	to_tw(PORT0, 0);
	tt_advance_ms(10);
	to_tw(PORT0 + 1, 0);
	tt_advance_ms(10);
	tt_peer_port = PORT0; /* the first one's FIN again, 20 ms in */
	rx_ts(1001, 8002, TT_FIN | TT_ACK, 0);
	lr_test_tx_clear();
	tt_advance_ms(2ull * tt_conf.msl_ms - 10);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	CU_ASSERT_EQUAL(tt_info().rport, PORT0);
	tt_advance_ms(9);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	tt_advance_ms(1);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_EXPIRED), 2);
	TT_ASSERT_NO_LEAK();
}

struct rows {
	unsigned int n;
	uint16_t rport[8];
};

static int
collect_tw(const struct lr_tcp_conn_info *info, void *arg)
{
	struct rows *r = arg;

	if (info->state == LR_TCP_TIME_WAIT && r->n < RTE_DIM(r->rport))
		r->rport[r->n++] = info->rport;
	return 0;
}

/* max_tw full: the oldest entry is recycled, never a SYN refused. */
static void
test_tcp_tw_cap_recycles_oldest(void)
{
	struct rows r = { 0 };
	unsigned int i;

	tt_conf.max_tw = 4;
	tt_reinit();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 6; i++) {
		to_tw((uint16_t)(PORT0 + i), 0);
		tt_advance_ms(1);
	}
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), 6);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_RECYCLED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 2);
	CU_ASSERT_EQUAL(lr_tcp_walk(lr_tw, collect_tw, &r), 1 + 4); /* listener + entries */
	CU_ASSERT_EQUAL(r.n, 4);
	for (i = 0; i < r.n; i++) /* 0 and 1, the oldest, are gone */
		CU_ASSERT(r.rport[i] >= PORT0 + 2 && r.rport[i] <= PORT0 + 5);
	/* the recycled tuple answers as a closed one: the FIN now meets the listener */
	tt_peer_port = PORT0;
	rx_ts(1001, 8002, TT_FIN | TT_ACK, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_ACK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 0);
	TT_ASSERT_NO_LEAK();
}

/* Paging through the entries by table index: a bounded number of rows and indexes
 * per call, every entry once, free indexes skipped. */
static void
test_tcp_tw_walk_pages_by_index(void)
{
	struct rows r = { 0 };
	unsigned int i, calls = 0, n = 0;
	uint32_t pos = 0;
	bool done = false;

	for (i = 0; i < 6; i++)
		to_tw((uint16_t)(PORT0 + i), 0);
	for (i = 1; i < 4; i += 2) { /* ports 1 and 3 reopen: their indexes are free */
		tt_peer_port = (uint16_t)(PORT0 + i);
		rx_ts(2000, 0, TT_SYN, 0);
	}
	CU_ASSERT_EQUAL_FATAL(lr_tcp_tw_count(lr_tw), 4);
	while (!done && calls < 10) {
		unsigned int before = n;

		done = tcp_tw_walk_page(lr_tw, &pos, 1, collect_tw, &r, &n);
		CU_ASSERT(n - before <= 1);
		calls++;
	}
	CU_ASSERT(done);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(r.n, 4);
	CU_ASSERT_EQUAL(r.rport[0], PORT0);
	CU_ASSERT_EQUAL(r.rport[1], PORT0 + 2);
	CU_ASSERT_EQUAL(r.rport[2], PORT0 + 4);
	CU_ASSERT_EQUAL(r.rport[3], PORT0 + 5);
	CU_ASSERT_EQUAL(calls, 4);
	TT_ASSERT_NO_LEAK();
}

/* RFC 6191: with timestamps on both connections, a SYN whose TSval is above
 * TS.Recent reopens the tuple even with a sequence number below RCV.NXT; our new
 * ISS lies beyond the old SND.NXT. */
static void
test_tcp_tw_rfc6191_newer_tsval_reopens(void)
{
	struct tt_out o;

	to_tw(PORT0, 500);
	tt_isn = 100; /* would go backwards */
	rx_ts(20, 0, TT_SYN, 503);
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT_EQUAL(o.ack, 21);
	CU_ASSERT_EQUAL(o.seq, 8002 + TCP_TW_ISS_GAP);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_REUSE_TS), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_REUSE_SEQ), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 1);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_SYN_RCVD);
	TT_ASSERT_NO_LEAK();
}

/* RFC 6191: a SYN whose TSval is not above TS.Recent is refused even with a
 * sequence number beyond RCV.NXT: it gets an ACK and the entry stays. */
static void
test_tcp_tw_rfc6191_older_tsval_refused(void)
{
	struct tt_out o;

	to_tw(PORT0, 500);
	rx_ts(5000, 0, TT_SYN, 502); /* equal to TS.Recent (the FIN's) */
	rx_ts(5000, 0, TT_SYN, 400);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	TT_EXPECT(1, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL_FATAL(tt_out(1, &o), 0);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 502);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_SYN_REFUSED), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	TT_ASSERT_NO_LEAK();
}

/* Without timestamps the sequence number decides: beyond RCV.NXT reopens, at or
 * below it is refused with an ACK. */
static void
test_tcp_tw_seq_reuse_without_timestamps(void)
{
	struct tt_out o;

	to_tw(PORT0, 0);
	rx_ts(1002, 0, TT_SYN, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT(!o.has_ts);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_SYN_REFUSED), 1);
	lr_test_tx_clear();
	tt_isn = 9000; /* beyond the old 8002, but not by the gap: bumped */
	rx_ts(1003, 0, TT_SYN, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8002 + TCP_TW_ISS_GAP, 1004, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_REUSE_SEQ), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_REUSE_TS), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 0);
	/* the new connection completes */
	rx_ts(1004, 8002 + TCP_TW_ISS_GAP + 1, TT_ACK, 0);
	CU_ASSERT_EQUAL(tt_info().state, LR_TCP_ESTABLISHED);
	TT_ASSERT_NO_LEAK();
}

/* RFC 1337: a RST does not end TIME_WAIT, in an entry or in a block that entered
 * TIME_WAIT earlier in the same burst. */
static void
test_tcp_tw_rst_ignored(void)
{
	struct rte_mbuf *pkts[2];

	to_tw(PORT0, 0);
	rx_ts(1002, 0, TT_RST, 0);
	rx_ts(1002, 8002, TT_RST | TT_ACK, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_RST), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_RX), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);

	/* the FIN and a RST in one burst: the RST meets the block in TIME_WAIT */
	tt_peer_port = PORT0 + 1;
	rx_ts(1000, 0, TT_SYN, 0);
	rx_ts(1001, 8001, TT_ACK, 0);
	lr_tcp_close(tt_app.conn);
	tt_flush();
	lr_test_tx_clear();
	pkts[0] = seg_ts(1001, 8002, TT_FIN | TT_ACK, 0, NULL, 0);
	pkts[1] = seg_ts(1002, 0, TT_RST, 0, NULL, 0);
	pkts[0]->port = pkts[1]->port = 0;
	lr_eth_input_burst(lr_tw, pkts, 2);
	tt_flush();
	TT_EXPECT_COUNT(1); /* the FIN's ACK */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_RST), 3);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 2);
	TT_ASSERT_NO_LEAK();
}

/* Anything else is acknowledged (rate limited like challenge ACKs), except a plain
 * duplicate of the peer's last ACK; a segment without ACK is dropped. */
static void
test_tcp_tw_other_segments_acked_rate_limited(void)
{
	tt_conf.challenge_ack_per_s = 1;
	tt_reinit();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	to_tw(PORT0, 0);
	rx_ts(1002, 8002, TT_ACK, 0); /* duplicate ACK: silence */
	TT_EXPECT_COUNT(0);
	tt_in(seg_ts(1002, 8002, TT_ACK | TT_PSH, 0, "late", 4));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8002, 1002, 0);
	tt_in(seg_ts(1002, 8002, TT_ACK | TT_PSH, 0, "late", 4));
	TT_EXPECT_COUNT(1); /* the token is spent */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_GLOBAL_LIMITED), 1);
	rx_ts(1002, 0, TT_FIN, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_NO_ACK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_SEGMENT), 3);
	/* a retransmitted FIN is acknowledged whatever the limit */
	rx_ts(1001, 8002, TT_FIN | TT_ACK, 0);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_ACK, 8002, 1002, 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	TT_ASSERT_NO_LEAK();
}

/* An active open never takes a local port whose tuple is in TIME_WAIT. */
static void
test_tcp_tw_connect_skips_time_wait_port(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;
	uint16_t first;

	tt_conf.port_lo = 50000;
	tt_conf.port_hi = 50001;
	tt_reinit();
	c = tt_active_open();
	first = tt_our_port;
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(8001, 1002, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_tw_count(lr_tw), 1);
	lr_test_tx_clear();
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_NOT_EQUAL(o.sport, first);
	/* both ports taken: one by TIME_WAIT, one by the connection */
	CU_ASSERT_PTR_NULL(lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb,
			NULL));
	TT_ASSERT_NO_LEAK();
}

/* lr_tcp_connect_prefetch() is a hint: called before each connect (every distance, a
 * port range it wraps, no source) it leaves the port cursor alone, and the port chosen
 * is the cursor's, or the one after it when the cursor's is in TIME_WAIT. */
static void
test_tcp_tw_connect_prefetch_changes_nothing(void)
{
	rte_be32_t dst = rte_cpu_to_be_32(LR_TEST_PEER_IP), src = rte_cpu_to_be_32(LR_TEST_OUR_IP);
	struct lr_tcp_conn *c;
	uint16_t cur, want;
	struct tt_out o;
	unsigned int i;

	tt_conf.port_lo = 50000;
	tt_conf.port_hi = 50003;
	tt_reinit();
	c = tt_active_open();
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	tt_rx(8001, 1002, TT_FIN | TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_tw_count(lr_tw), 1); /* tt_our_port in TIME_WAIT */
	for (i = 0; i < 10; i++) {
		cur = lr_tw->tcp->next_port;
		lr_tcp_connect_prefetch(lr_tw, src, dst, 80, i);
		lr_tcp_connect_prefetch(lr_tw, src, dst, 80, UINT32_MAX - i);
		lr_tcp_connect_prefetch(lr_tw, 0, dst, 80, 0);
		CU_ASSERT_EQUAL(lr_tw->tcp->next_port, cur);
		want = cur != tt_our_port ? cur : (cur == 50003 ? 50000 : cur + 1);
		lr_test_tx_clear();
		c = lr_tcp_connect_from(lr_tw, src, dst, 80, &tt_cb, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		tt_flush();
		CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
		CU_ASSERT_EQUAL(o.sport, want);
		lr_tcp_abort(c);
		tt_flush();
	}
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 1);
	TT_ASSERT_NO_LEAK();
}

/* A full table recycles its head with the entry TCP_TW_PF_AHEAD after it fetched
 * ahead; that entry leaving early (its tuple reopened) moves the fetching on, and
 * every entry still answers and counts. */
static void
test_tcp_tw_recycle_ahead_entry_reopened(void)
{
	unsigned int i, max = 2 * TCP_TW_PF_AHEAD;

	tt_conf.max_tw = max;
	tt_reinit();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 120; i++) {
		to_tw((uint16_t)(PORT0 + i), 0);
		tt_advance_ms(1);
		/* the entries: i - max + 1 (the head) .. i; the one fetched ahead is
		 * TCP_TW_PF_AHEAD after the head; every third turn it reopens and aborts */
		if (i >= max && i % 3 == 0) {
			tt_peer_port = (uint16_t)(PORT0 + i - max + 1 + TCP_TW_PF_AHEAD);
			rx_ts(2000, 0, TT_SYN, 0);
			rx_ts(2001, 0, TT_RST, 0);
		}
	}
	for (i = 0; i < 120; i++) { /* the entries left answer (silently) a dup ACK */
		tt_peer_port = (uint16_t)(PORT0 + i);
		rx_ts(1002, 8002, TT_ACK, 0);
	}
	CU_ASSERT(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE) > 30);
	CU_ASSERT(tt_stat(LR_TCP_STAT_TW_RECYCLED) > 50);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_SEGMENT), lr_tcp_tw_count(lr_tw));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), tt_stat(LR_TCP_STAT_TW_EXPIRED) +
			tt_stat(LR_TCP_STAT_TW_RECYCLED) + tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE) +
			lr_tcp_tw_count(lr_tw));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 0);
	TT_ASSERT_NO_LEAK();
}

/* A service that closes first, many connections in a row from new ports, with room
 * for two connections and four TIME_WAIT entries: none is refused, no block leaks. */
static void
test_tcp_tw_closing_first_never_conn_full(void)
{
	uint64_t n[LR_TCP_NB_STATES];
	unsigned int i;

	tt_conf.max_conns = 2;
	tt_conf.max_tw = 4;
	tt_reinit();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 200; i++) {
		to_tw((uint16_t)(PORT0 + i), i % 2 ? 1000 + i : 0);
		tt_advance_ms(1);
	}
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ESTABLISHED), 200);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), 200);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_RECYCLED), 196);
	CU_ASSERT_EQUAL(blocks_in_use(), 0);
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 4);
	/* the per-state gauges: the 4 entries in TIME_WAIT, no block left in any state */
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_TIME_WAIT], 4);
	CU_ASSERT_EQUAL(n[LR_TCP_CLOSED], 0);
	CU_ASSERT_EQUAL(n[LR_TCP_ESTABLISHED], 0);
	CU_ASSERT_EQUAL(n[LR_TCP_FIN_WAIT_2], 0);
	tt_advance_ms(2ull * tt_conf.msl_ms);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_EXPIRED), 4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CLOSED), 200);
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_TIME_WAIT], 0);
	CU_ASSERT_EQUAL(n[LR_TCP_CLOSED], 0);
	TT_ASSERT_NO_LEAK();
}

/* Many entries through a small table: removals of every kind (expiry, recycling,
 * reopening) keep the others findable (linear probing deletes without tombstones). */
static void
test_tcp_tw_table_stays_consistent(void)
{
	unsigned int i;

	tt_conf.max_conns = 4;
	tt_conf.max_tw = 64;
	tt_reinit();
	CU_ASSERT_EQUAL_FATAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 300; i++) {
		to_tw((uint16_t)(PORT0 + i), 0);
		/* first 40 entries live at once (expiry), then more than 64 (recycling) */
		tt_advance_ms(i < 150 ? tt_conf.msl_ms / 20 : 1);
		if (i % 3 == 1) { /* the previous one reopens, and the peer aborts it */
			tt_peer_port = (uint16_t)(PORT0 + i - 1);
			rx_ts(2000, 0, TT_SYN, 0);
			rx_ts(2001, 0, TT_RST, 0);
		}
	}
	for (i = 0; i < 300; i++) { /* every entry left answers (silently) its dup ACK */
		tt_peer_port = (uint16_t)(PORT0 + i);
		rx_ts(1002, 8002, TT_ACK, 0);
	}
	CU_ASSERT_EQUAL(lr_tcp_tw_count(lr_tw), 64);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_SEGMENT), 64);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_LISTEN_ACK), 300 - 64);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), 300);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE), 100);
	CU_ASSERT(tt_stat(LR_TCP_STAT_TW_EXPIRED) > 50);
	CU_ASSERT(tt_stat(LR_TCP_STAT_TW_RECYCLED) > 50);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TW_CREATED), tt_stat(LR_TCP_STAT_TW_EXPIRED) +
			tt_stat(LR_TCP_STAT_TW_RECYCLED) + tt_stat(LR_TCP_STAT_TIME_WAIT_REUSE) +
			lr_tcp_tw_count(lr_tw));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CONN_FULL), 0);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_tw_entry_replaces_the_block", test_tcp_tw_entry_replaces_the_block },
	{ "test_tcp_tw_fin_retransmit_reacked", test_tcp_tw_fin_retransmit_reacked },
	{ "test_tcp_tw_expiry_follows_restarts", test_tcp_tw_expiry_follows_restarts },
	{ "test_tcp_tw_cap_recycles_oldest", test_tcp_tw_cap_recycles_oldest },
	{ "test_tcp_tw_walk_pages_by_index", test_tcp_tw_walk_pages_by_index },
	{ "test_tcp_tw_rfc6191_newer_tsval_reopens", test_tcp_tw_rfc6191_newer_tsval_reopens },
	{ "test_tcp_tw_rfc6191_older_tsval_refused", test_tcp_tw_rfc6191_older_tsval_refused },
	{ "test_tcp_tw_seq_reuse_without_timestamps", test_tcp_tw_seq_reuse_without_timestamps },
	{ "test_tcp_tw_rst_ignored", test_tcp_tw_rst_ignored },
	{ "test_tcp_tw_other_segments_acked_rate_limited",
		test_tcp_tw_other_segments_acked_rate_limited },
	{ "test_tcp_tw_connect_skips_time_wait_port", test_tcp_tw_connect_skips_time_wait_port },
	{ "test_tcp_tw_connect_prefetch_changes_nothing",
		test_tcp_tw_connect_prefetch_changes_nothing },
	{ "test_tcp_tw_recycle_ahead_entry_reopened", test_tcp_tw_recycle_ahead_entry_reopened },
	{ "test_tcp_tw_closing_first_never_conn_full", test_tcp_tw_closing_first_never_conn_full },
	{ "test_tcp_tw_table_stays_consistent", test_tcp_tw_table_stays_consistent },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_tw", tw_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
