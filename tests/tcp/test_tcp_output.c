/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_output.c and the send path: ACK batching per burst, segmentation by MSS and
 * by the peer's window, the send buffer, MSS advertisement, checksum offload flag,
 * half-close and abort; the RFC 5961 challenge ACK and RST rate limits.
 */
#include <errno.h>
#include <string.h>

#include "tcp_test.h"

static uint8_t bulk[70000];

static void
fill_bulk(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)(i * 7);
}

/* Several segments in one RX burst produce one ACK, sent at lr_tcp_flush(). */
static void
test_tcp_ack_batched_one_per_burst(void)
{
	tt_passive_open();
	tt_in_noflush(tt_seg(1001, 8001, TT_ACK, TT_PEER_WND, NULL, 0, bulk, 100));
	tt_in_noflush(tt_seg(1101, 8001, TT_ACK, TT_PEER_WND, NULL, 0, bulk, 100));
	tt_in_noflush(tt_seg(1201, 8001, TT_ACK, TT_PEER_WND, NULL, 0, bulk, 100));
	TT_EXPECT_COUNT(0); /* nothing before the end of the burst */
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1301, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 300);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_TX), 1);
	TT_ASSERT_NO_LEAK();
}

/* Data sent from the data callback carries the ACK: one segment, no pure ACK. */
static void
test_tcp_echo_piggybacks_ack_on_data(void)
{
	struct tt_out o;

	tt_passive_open();
	tt_app.echo = true;
	tt_rx(1001, 8001, TT_ACK | TT_PSH, "hello", 5);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1006, 5);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(memcmp(o.payload, "hello", 5), 0);
	TT_ASSERT_NO_LEAK();
}

/* Segments of at most the MSS; PSH on the last one of the send. */
static void
test_tcp_send_segments_by_mss(void)
{
	struct lr_tcp_conn *c = tt_passive_open(); /* peer MSS 1460 */
	struct tt_out o;
	unsigned int i;

	fill_bulk();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 4000), 4000);
	tt_flush();
	TT_EXPECT_COUNT(3);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1460);
	TT_EXPECT(1, TT_ACK, 9461, 1001, 1460);
	TT_EXPECT(2, TT_ACK | TT_PSH, 10921, 1001, 1080);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(tt_out(i, &o), 0);
		CU_ASSERT_EQUAL(memcmp(o.payload, bulk + i * 1460, o.len), 0);
	}
	TT_ASSERT_NO_LEAK();
}

/* An mbuf chain is sent as is: same segmentation as bytes, freed once acked. */
static void
test_tcp_send_mbuf_chain_segmented_and_freed_on_ack(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	struct rte_mbuf *m, *seg;
	struct tt_out o;
	unsigned int i;

	fill_bulk();
	m = lr_test_data(bulk, 1000);
	seg = lr_test_data(bulk + 1000, 2000);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, seg), 0);
	CU_ASSERT_EQUAL(lr_tcp_send_mbuf(c, m), 0);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), tt_conf.sndbuf - 3000);
	tt_flush();
	TT_EXPECT_COUNT(3);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1460);
	TT_EXPECT(1, TT_ACK, 9461, 1001, 1460);
	TT_EXPECT(2, TT_ACK | TT_PSH, 10921, 1001, 80);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(tt_out(i, &o), 0);
		CU_ASSERT_EQUAL(memcmp(o.payload, bulk + i * 1460, o.len), 0);
	}
	lr_test_tx_clear();
	/* bytes after the chain are copied into a new mbuf, not into ours */
	CU_ASSERT_EQUAL(lr_tcp_send(c, "tail", 4), 4);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 11001, 1001, 4);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(memcmp(o.payload, "tail", 4), 0);
	lr_test_tx_clear();
	tt_rx(1001, 11005, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), tt_conf.sndbuf);
	TT_ASSERT_NO_LEAK();
}

/* All or nothing: a chain longer than the free space stays the caller's. */
static void
test_tcp_send_mbuf_too_big_left_to_caller(void)
{
	struct lr_tcp_conn *c;
	struct rte_mbuf *m;

	tt_conf.sndbuf = 1000;
	tt_reinit();
	c = tt_passive_open();
	fill_bulk();
	m = lr_test_data(bulk, 1500);
	CU_ASSERT_EQUAL(lr_tcp_send_mbuf(c, m), -EMSGSIZE);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), 1000);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	m = lr_test_data(bulk, 10);
	CU_ASSERT_EQUAL(lr_tcp_send_mbuf(c, m), -EPIPE);
	rte_pktmbuf_free(m);
	TT_ASSERT_NO_LEAK();
}

/* Never beyond SND.UNA + SND.WND; an ACK opening the window releases more. */
static void
test_tcp_send_bounded_by_peer_window(void)
{
	struct lr_tcp_conn *c;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_in(tt_seg(1001, 8001, TT_ACK, 1000, NULL, 0, NULL, 0));
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 2500), 2500);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1000);
	lr_test_tx_clear();

	/* Acked, window still 1000: the next 1000. */
	tt_in(tt_seg(1001, 9001, TT_ACK, 1000, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 9001, 1001, 1000);
	lr_test_tx_clear();

	/* Window closes: nothing more even though 500 bytes wait. */
	tt_in(tt_seg(1001, 10001, TT_ACK, 0, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(0);
	/* Window update (same ACK, bigger window): the last 500. */
	tt_in(tt_seg(1001, 10001, TT_ACK, 4000, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 10001, 1001, 500);
	TT_ASSERT_NO_LEAK();
}

/* The send buffer bounds lr_tcp_send; acknowledged bytes free it (sent callback). */
static void
test_tcp_send_buffer_limit_and_sent_callback(void)
{
	struct lr_tcp_conn *c;

	tt_conf.sndbuf = 3000;
	tt_reinit();
	c = tt_passive_open();
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 5000), 3000);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), 0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10), 0);
	tt_flush();
	TT_EXPECT_COUNT(3); /* 1460 + 1460 + 80 */
	lr_test_tx_clear();

	tt_rx(1001, 8001 + 1460, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.sent, 1460);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), 1460);
	tt_rx(1001, 8001 + 3000, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.sent, 3000);
	CU_ASSERT_EQUAL(lr_tcp_send_space(c), 3000);
	CU_ASSERT_EQUAL(c->sb_head, NULL); /* every buffer mbuf returned */
	TT_EXPECT_COUNT(0);
	TT_ASSERT_NO_LEAK();
}

/* A large transfer through a 64 KiB buffer, acknowledged piece by piece, arrives
 * byte-exact (send buffer spans many mbufs). */
static void
test_tcp_send_large_transfer_byte_exact(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	uint32_t queued = 0, acked = 8001, off = 0;
	unsigned int i, n;
	int rc;

	fill_bulk();
	while (acked != 8001 + sizeof(bulk)) {
		rc = lr_tcp_send(c, bulk + queued, sizeof(bulk) - queued);
		CU_ASSERT_FATAL(rc >= 0);
		queued += (uint32_t)rc;
		tt_flush();
		n = lr_test_tx_count();
		CU_ASSERT_FATAL(n > 0 || off == sizeof(bulk));
		for (i = 0; i < n; i++) {
			struct tt_out o;

			CU_ASSERT_EQUAL_FATAL(tt_out(i, &o), 0);
			CU_ASSERT_EQUAL_FATAL(o.seq, 8001 + off);
			CU_ASSERT_EQUAL_FATAL(memcmp(o.payload, bulk + off, o.len), 0);
			off += o.len;
		}
		lr_test_tx_clear();
		acked = 8001 + off;
		tt_rx(1001, acked, TT_ACK, NULL, 0); /* may release more: next round */
	}
	CU_ASSERT_EQUAL(off, sizeof(bulk));
	CU_ASSERT_EQUAL(tt_app.sent, sizeof(bulk));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_TX_DATA_BYTES), sizeof(bulk));
	TT_ASSERT_NO_LEAK();
}

/* The MSS we advertise is the interface MTU - 40. */
static void
test_tcp_synack_mss_follows_interface_mtu(void)
{
	struct tt_out o;

	lr_ifaces[0].mtu = 9000;
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_rx_syn(1000, 8960);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.mss, 8960);
	lr_ifaces[0].mtu = 1500;
	TT_ASSERT_NO_LEAK();
}

/* The checksum is requested from lib/ip: offloaded when the port can. */
static void
test_tcp_tx_checksum_offloaded_when_port_can(void)
{
	struct rte_mbuf *m;

	lr_ifaces[0].tx_l4_cksum = true;
	tt_rx_syn(1000, 1460); /* closed port: a RST */
	m = lr_test_tx_get(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM);
	lr_ifaces[0].tx_l4_cksum = false;
	TT_ASSERT_NO_LEAK();
}

/* Data queued in SYN_SENT leaves once the handshake completes. */
static void
test_tcp_data_queued_before_established(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "GET /", 5), 5);
	tt_flush();
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	TT_EXPECT(0, TT_SYN, 1000, 0, 0);
	lr_test_tx_clear();
	tt_rx(8000, 1001, TT_SYN | TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 1001, 8001, 5);
	TT_ASSERT_NO_LEAK();
}

/* Half-close: after lr_tcp_shutdown the peer's data still arrives; sending fails. */
static void
test_tcp_shutdown_half_close_still_receives(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "x", 1), -EPIPE);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8002, TT_ACK, "later", 5);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_FIN_WAIT_2);
	CU_ASSERT_EQUAL(tt_app.data_len, 5);
	TT_EXPECT(0, TT_ACK, 8002, 1006, 0);
	TT_ASSERT_NO_LEAK();
}

/* After lr_tcp_close incoming data is acknowledged and discarded, no callbacks. */
static void
test_tcp_close_discards_later_data(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	lr_tcp_close(c);
	tt_flush();
	TT_EXPECT(0, TT_FIN | TT_ACK, 8001, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8002, TT_ACK, "late", 4);
	TT_EXPECT(0, TT_ACK, 8002, 1005, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DATA_AFTER_CLOSE), 1);
	TT_ASSERT_NO_LEAK();
}

/* Abort: <SEQ=SND.NXT><CTL=RST>, freed at once, no callback. */
static void
test_tcp_abort_sends_rst(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, "abc", 3), 3);
	tt_flush();
	lr_test_tx_clear();
	lr_tcp_abort(c);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, 8004, 0, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_app.closed, 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK(); /* the send buffer went with it */
	TT_ASSERT_NO_LEAK();
}

/* lr_tcp_send / shutdown on connections that cannot take them. */
static void
test_tcp_send_and_shutdown_errors(void)
{
	struct lr_tcp_conn *c;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), -ENOTCONN); /* SYN_SENT */
	lr_tcp_close(c); /* SYN_SENT: deleted silently */
	tt_flush();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	CU_ASSERT_EQUAL(tt_app.closed, 0);
	TT_ASSERT_NO_LEAK();
}


/* --- Receive window (RFC 9293 §3.8.6.2.2, RFC 1122 4.2.3.3) --- */

/* hold_rcv: held bytes shrink the window; lr_tcp_recved reopens it, with a window
 * update only once the right edge moves by min(buffer / 2, MSS). */
static void
test_tcp_hold_rcv_shrinks_window_and_recved_reopens(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.rcv_wnd = 4000;
	tt_reinit();
	c = tt_passive_open_cb(&tt_cb_hold);
	tt_rx(1001, 8001, TT_ACK, bulk, 1000);
	TT_EXPECT(0, TT_ACK, 8001, 2001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 3000);
	lr_test_tx_clear();
	tt_rx(2001, 8001, TT_ACK, bulk, 1000);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 2000);
	CU_ASSERT_EQUAL(tt_info().recv_q, 2000);
	lr_test_tx_clear();
	/* 500 back: 2500 free, the edge would move 500 < 1460: silent. */
	lr_tcp_recved(c, 500);
	tt_flush();
	TT_EXPECT_COUNT(0);
	/* All back: the edge moves 2000 >= 1460: window update. */
	lr_tcp_recved(c, 1500);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 3001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 4000);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_WND_UPDATE), 1);
	CU_ASSERT_EQUAL(tt_info().recv_q, 0);
	TT_ASSERT_NO_LEAK();
}

/* An application holding each delivered segment in its own buffer, charged with
 * lr_tcp_rcv_hold() (as the services do when they cannot collapse). */
static struct rte_mbuf *rh_m[16];
static uint32_t rh_true[16];
static unsigned int rh_n;

static void
rh_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	CU_ASSERT_FATAL(rh_n < RTE_DIM(rh_m));
	m = lr_tcp_rcv_hold(c, m, &rh_true[rh_n]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	rh_m[rh_n++] = m;
}

/* Free what the application holds; give its truesize back when c is given. */
static void
rh_free_all(struct lr_tcp_conn *c)
{
	unsigned int i;

	for (i = 0; i < rh_n; i++) {
		if (c != NULL)
			lr_tcp_rcv_release(c, rh_true[i]);
		rte_pktmbuf_free(rh_m[i]);
	}
	rh_n = 0;
}

/* Held data is charged by its truesize (LR_MEM_TCP_RCV, the connection's receive
 * buffer), not its bytes: ten 1000-byte segments in ten buffers take 10 x 2304 of a
 * 40000-byte buffer, so the application giving back their bytes reopens only half the
 * window's worth (no update); giving back the buffers reopens the rest. */
static void
test_tcp_rcv_hold_charges_truesize_to_window_and_budget(void)
{
	struct lr_tcp_callbacks cb = tt_cb_hold;
	struct lr_tcp_conn *c;
	struct tt_out o;
	uint32_t one, i;

	cb.data = rh_data;
	rh_n = 0;
	tt_conf.rcv_wnd = 20000;
	tt_reinit();
	c = tt_passive_open_cb(&cb);
	for (i = 0; i < 10; i++)
		tt_rx(1001 + i * 1000, 8001, TT_ACK, bulk, 1000);
	CU_ASSERT_EQUAL_FATAL(rh_n, 10);
	one = rh_true[0];
	CU_ASSERT(one >= 2000); /* a buffer costs more than twice its 1000 bytes */
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], 10 * one);
	CU_ASSERT_EQUAL(tt_info().recv_q, 10000);
	tt_flush();
	lr_test_tx_clear();
	/* the bytes are consumed but the buffers still held: 20000 - 10 x one / 2 free,
	 * less than the 10000 + MSS that would move the edge: no update */
	lr_tcp_recved(c, 10000);
	tt_flush();
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_WND_UPDATE), 0);
	/* the buffers go back: the whole buffer is free, the window reopens */
	rh_free_all(c);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], 0);
	tt_flush();
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 20000);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_WND_UPDATE), 1);
	lr_test_tx_clear();
	/* held when the peer resets: the charge goes back with the connection (the
	 * handle is gone: the application only frees its buffers) */
	tt_rx(11001, 8001, TT_ACK, bulk, 1000);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], one);
	tt_rx(12001, 8001, TT_RST, NULL, 0);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], 0);
	rh_free_all(NULL);
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	TT_ASSERT_NO_LEAK();
}

/* A full buffer advertises a zero window; text beyond it is not taken (the probe
 * is acknowledged); recved reopens it. */
static void
test_tcp_zero_window_advertised_when_full(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.rcv_wnd = 2000;
	tt_reinit();
	c = tt_passive_open_cb(&tt_cb_hold);
	tt_rx(1001, 8001, TT_ACK, bulk, 1000);
	tt_rx(2001, 8001, TT_ACK, bulk, 1000);
	CU_ASSERT_EQUAL(tt_out(1, &o), 0);
	CU_ASSERT_EQUAL(o.ack, 3001);
	CU_ASSERT_EQUAL(o.wnd, 0);
	CU_ASSERT(tt_stat(LR_TCP_STAT_ZERO_WND_TX) >= 1);
	lr_test_tx_clear();
	/* The peer probes with one byte: acknowledged (ACK 3001, window 0), not taken. */
	tt_rx(3001, 8001, TT_ACK, bulk, 1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 3001, 0);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 0);
	CU_ASSERT_EQUAL(tt_app.data_len, 2000);
	lr_test_tx_clear();
	lr_tcp_recved(c, 2000);
	tt_flush();
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, 2000);
	TT_ASSERT_NO_LEAK();
}

/* The peer's zero window: nothing is sent; after the RTO a one-byte probe, then
 * probes with doubling intervals; the connection survives max_retries probes (the
 * give-up after them: test_tcp_deadline.c); an opening window releases the data. */
static void
test_tcp_persist_probes_zero_window_with_backoff(void)
{
	struct lr_tcp_conn *c;
	uint64_t gap = tt_conf.rto_min_ms;
	unsigned int i;

	tt_conf.max_retries = 4;
	tt_reinit();
	c = tt_passive_open();
	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 100), 100);
	tt_flush();
	TT_EXPECT_COUNT(0);
	for (i = 0; i < 4; i++, gap *= 2) {
		tt_advance_ms(gap - 1);
		TT_EXPECT_COUNT(0);
		tt_advance_ms(1);
		TT_EXPECT_COUNT(1);
		TT_EXPECT(0, TT_ACK, 8001, 1001, 1);
		lr_test_tx_clear();
		tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0)); /* still closed */
		TT_EXPECT_COUNT(0);
	}
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_PERSIST_PROBE), 4);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_DUPACK_RX), 0);
	tt_in(tt_seg(1001, 8001, TT_ACK, 1000, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 100);
	lr_test_tx_clear();
	tt_rx(1001, 8101, TT_ACK, NULL, 0);
	tt_advance_ms(60000);
	TT_EXPECT_COUNT(0); /* persist and retransmission timers both stopped */
	TT_ASSERT_NO_LEAK();
}

/* A probe the peer accepts (window reopened by it) is acknowledged like data. */
static void
test_tcp_persist_probe_accepted_advances(void)
{
	struct lr_tcp_conn *c = tt_passive_open();

	tt_in(tt_seg(1001, 8001, TT_ACK, 0, NULL, 0, NULL, 0));
	CU_ASSERT_EQUAL(lr_tcp_send(c, bulk, 10), 10);
	tt_flush();
	tt_advance_ms(tt_conf.rto_min_ms);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 1);
	lr_test_tx_clear();
	tt_in(tt_seg(1001, 8002, TT_ACK, 500, NULL, 0, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8002, 1001, 9);
	CU_ASSERT_EQUAL(tt_app.sent, 1);
	TT_ASSERT_NO_LEAK();
}

/* --- Delayed ACK (RFC 1122 4.2.3.2, RFC 5681 §4.2) --- */

static void
delack_setup(void)
{
	tt_conf.delack_ms = 40;
	tt_conf.quickack = 0;
	tt_reinit();
}

/* One segment: no ACK until the delayed-ACK timer, 40 ms later. */
static void
test_tcp_delack_single_segment_acked_by_timer(void)
{
	delack_setup();
	tt_passive_open();
	tt_rx(1001, 8001, TT_ACK | TT_PSH, bulk, 100);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(39);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1101, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_DELAYED), 1);
	lr_test_tx_clear();
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(0);
	TT_ASSERT_NO_LEAK();
}

/* Every second full-sized segment is acknowledged at once. */
static void
test_tcp_delack_every_second_full_segment(void)
{
	delack_setup();
	tt_passive_open();
	tt_rx(1001, 8001, TT_ACK, bulk, 1460);
	TT_EXPECT_COUNT(0);
	tt_rx(2461, 8001, TT_ACK, bulk, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 3921, 0);
	lr_test_tx_clear();
	tt_rx(3921, 8001, TT_ACK, bulk, 1460);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(40);
	TT_EXPECT(0, TT_ACK, 8001, 5381, 0);
	TT_ASSERT_NO_LEAK();
}

/* Out of order and the gap fill are acknowledged at once, and so is a FIN. */
static void
test_tcp_delack_immediate_on_gap_and_fin(void)
{
	delack_setup();
	tt_passive_open();
	tt_rx(1101, 8001, TT_ACK, bulk, 100);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, bulk, 100);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1201, 0);
	lr_test_tx_clear();
	tt_rx(1201, 8001, TT_ACK | TT_FIN, bulk, 10);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1212, 0);
	TT_ASSERT_NO_LEAK();
}

/* A reply sent before the timer carries the ACK; the timer then stays quiet. */
static void
test_tcp_delack_piggybacked_on_reply(void)
{
	delack_setup();
	tt_passive_open();
	tt_app.echo = true;
	tt_rx(1001, 8001, TT_ACK | TT_PSH, "hello", 5);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1006, 5);
	lr_test_tx_clear();
	tt_advance_ms(40);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_DELAYED), 0);
	TT_ASSERT_NO_LEAK();
}

/* Full segments first..end-1 of the peer's data (1460 bytes from 1001) in one
 * burst, then the flush. */
static void
burst_full_segments(unsigned int first, unsigned int end)
{
	unsigned int i;

	for (i = first; i < end; i++)
		tt_in_noflush(tt_seg(1001 + i * 1460, 8001, TT_ACK, TT_PEER_WND, NULL, 0,
				bulk, 1460));
	tt_flush();
}

/* Full segments in one burst: an ACK every second segment (RFC 5681 §4.2), each
 * leaving as the third of its run comes in, the last at the flush; not one ACK per
 * burst, whose loss costs the sender a timeout. */
static void
test_tcp_delack_burst_acks_every_second_segment(void)
{
	unsigned int i;

	delack_setup();
	tt_passive_open();
	burst_full_segments(0, 4);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001, 1001 + 2 * 1460, 0);
	TT_EXPECT(1, TT_ACK, 8001, 1001 + 4 * 1460, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_MID_BURST), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_TX), 1);
	lr_test_tx_clear();
	/* nine more: ACKs at 2, 4, 6 and 8 in the burst, the ninth's at the flush */
	burst_full_segments(4, 13);
	TT_EXPECT_COUNT(5);
	for (i = 0; i < 4; i++)
		TT_EXPECT(i, TT_ACK, 8001, 1001 + (4 + 2 * (i + 1)) * 1460, 0);
	TT_EXPECT(4, TT_ACK, 8001, 1001 + 13 * 1460, 0);
	TT_ASSERT_NO_LEAK();
}

/* Out-of-order full segments in one burst (the first of the flight lost): their
 * duplicate ACKs go every second segment too, not one for the burst. */
static void
test_tcp_delack_burst_out_of_order_acks_every_second_segment(void)
{
	delack_setup();
	tt_passive_open();
	burst_full_segments(1, 5);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	TT_EXPECT(1, TT_ACK, 8001, 1001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_MID_BURST), 1);
	TT_ASSERT_NO_LEAK();
}

/* --- Quick-ACK mode --- */

static void
quickack_setup(uint8_t n)
{
	tt_conf.delack_ms = 40;
	tt_conf.quickack = n;
	tt_reinit();
	tt_passive_open();
}

/* A small segment arrives at t; is it ACKed at once (1) or left to the timer (0)? */
static unsigned int
small_seg_acked_at_once(uint32_t seq)
{
	unsigned int n;

	lr_test_tx_clear();
	tt_rx(seq, 8001, TT_ACK | TT_PSH, bulk, 100);
	n = lr_test_tx_count();
	if (n == 1)
		TT_EXPECT(0, TT_ACK, 8001, seq + 100, 0);
	lr_test_tx_clear();
	return n;
}

/* The first quickack data segments are ACKed at once, the next one waits 40 ms. */
static void
test_tcp_quickack_first_segments_then_delayed(void)
{
	quickack_setup(2);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1001), 1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1101), 1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1201), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_QUICK), 2);
	tt_advance_ms(39);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1301, 0);
	TT_ASSERT_NO_LEAK();
}

/* The delayed-ACK timer had to fire: the peer was waiting, the next one is quick. */
static void
test_tcp_quickack_after_delack_timer_fired(void)
{
	quickack_setup(1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1001), 1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1101), 0);
	tt_advance_ms(40);
	TT_EXPECT(0, TT_ACK, 8001, 1201, 0);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1201), 1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1301), 0);
	tt_advance_ms(40);
	TT_ASSERT_NO_LEAK();
}

/* Idle longer than the RTO: quick-ACK mode again; a shorter pause: not. */
static void
test_tcp_quickack_after_idle_longer_than_rto(void)
{
	quickack_setup(1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1001), 1);
	tt_advance_ms(1);   /* well under the RTO: no quick ACK */
	tt_rx(1101, 8001, TT_ACK, bulk, 1460);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(1);   /* the second full segment is ACKed at once (RFC 5681) */
	tt_rx(2561, 8001, TT_ACK, bulk, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 4021, 0);
	lr_test_tx_clear();
	/* 5 s of silence, far above the RTO (1 s initial, no sample here); the timer
	 * never had to fire */
	tt_advance_ms(5000);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_DELAYED), 0);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(4021), 1);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(4121), 0);
	tt_advance_ms(40);
	TT_ASSERT_NO_LEAK();
}

/* quickack = 0: every lone small segment waits for the timer, as before. */
static void
test_tcp_quickack_off(void)
{
	quickack_setup(0);
	CU_ASSERT_EQUAL(small_seg_acked_at_once(1001), 0);
	tt_advance_ms(40);
	TT_EXPECT(0, TT_ACK, 8001, 1101, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ACK_QUICK), 0);
	TT_ASSERT_NO_LEAK();
}

/* --- RFC 5961 §7 limits: per connection, per worker (randomised), RSTs apart --- */

/* In-window RSTs on one connection, one every 50 ms for 2 s of virtual time: one
 * challenge ACK per challenge_ack_per_conn_ms (500 ms), at 0, 500, 1000 and 1500;
 * the other 36 are counted. Another connection is not held back by the first's. */
static void
test_tcp_challenge_ack_one_per_conn_per_500ms(void)
{
	unsigned int i, acks = 0;

	CU_ASSERT_EQUAL(tt_conf.challenge_ack_per_conn_ms, 500); /* the default */
	tt_passive_open();
	lr_test_tx_clear();
	for (i = 0; i < 40; i++) {
		tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
		if (lr_test_tx_count() == 1) {
			TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
			CU_ASSERT_EQUAL(i % 10, 0);
			acks++;
		}
		lr_test_tx_clear();
		tt_advance_ms(50);
	}
	CU_ASSERT_EQUAL(acks, 4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK), 4);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_CONN_LIMITED), 36);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_GLOBAL_LIMITED), 0);
	/* At 2000 ms connection 1 gets one; connection 2 too, at once; 1 again: no. */
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	tt_peer_port = TT_PEER_PORT + 1;
	tt_rx_syn(1000, 1460);
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_app.connected, 2);
	lr_test_tx_clear();
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	lr_test_tx_clear();
	tt_peer_port = TT_PEER_PORT;
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_CONN_LIMITED), 37);
	TT_ASSERT_NO_LEAK();
}

/* RSTs to a closed port and challenge ACKs have a budget each: spending one leaves
 * the other whole, in both orders (one shared bucket was the CVE-2016-5696 channel). */
static void
test_tcp_rst_and_challenge_ack_budgets_apart(void)
{
	unsigned int i;

	tt_conf.challenge_ack_per_s = 1; /* exactly one a second */
	tt_conf.challenge_ack_per_conn_ms = 0;
	tt_conf.rst_per_s = 2;
	tt_reinit();
	tt_passive_open();
	lr_test_tx_clear();
	/* Second 0: RSTs to closed port 81 exhaust their bucket... */
	tt_our_port = TT_OUR_PORT + 1;
	for (i = 0; i < 5; i++)
		tt_rx_syn(5000 + i, 0);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_RST | TT_ACK, 0, 5001, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_LIMITED), 3);
	lr_test_tx_clear();
	/* ...and the challenge ACK still leaves. */
	tt_our_port = TT_OUR_PORT;
	tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1001, 0);
	lr_test_tx_clear();
	/* Second 1 (two RST tokens back): challenge ACKs exhaust this second's budget... */
	tt_advance_ms(1000);
	for (i = 0; i < 4; i++)
		tt_rx(1001 + 100, 0, TT_RST, NULL, 0);
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_GLOBAL_LIMITED), 3);
	lr_test_tx_clear();
	/* ...and RSTs to the closed port still leave. */
	tt_our_port = TT_OUR_PORT + 1;
	tt_rx_syn(6000, 0);
	tt_rx_syn(6001, 0);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_RST | TT_ACK, 0, 6002, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_LIMITED), 3);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_RST_TX), 4);
	tt_our_port = TT_OUR_PORT;
	TT_ASSERT_NO_LEAK();
}

/* With challenge_ack_per_s 100 and 200 in-window RSTs a second for 20 seconds, each
 * second's challenge ACKs stay within [50, 149] (Linux: limit/2 + random(limit)) and
 * vary from second to second, so the count cannot be used as a side channel. */
static void
test_tcp_challenge_ack_budget_randomised_per_second(void)
{
	uint64_t total = 0, sent, lo = UINT64_MAX, hi = 0;
	unsigned int s, i;

	tt_conf.challenge_ack_per_s = 100;
	tt_conf.challenge_ack_per_conn_ms = 0;
	tt_reinit();
	tt_passive_open();
	for (s = 0; s < 20; s++) {
		for (i = 0; i < 200; i++)
			tt_in_noflush(tt_seg(1001 + 100, 0, TT_RST, TT_PEER_WND, NULL, 0, NULL, 0));
		tt_flush();
		lr_test_tx_clear();
		sent = tt_stat(LR_TCP_STAT_CHALLENGE_ACK) - total;
		total += sent;
		CU_ASSERT(sent >= 50 && sent <= 149);
		lo = RTE_MIN(lo, sent);
		hi = RTE_MAX(hi, sent);
		tt_advance_ms(1000);
	}
	CU_ASSERT(hi > lo); /* all 20 equal: probability 100^-19 */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_CHALLENGE_ACK_GLOBAL_LIMITED), 20 * 200 - total);
	TT_ASSERT_NO_LEAK();
}

/* Under memory pressure the window offered stops growing (Linux clamps to four
 * segments), but the right edge never moves left; counted. Pressure over: it
 * reopens. */
static void
test_tcp_window_clamped_under_pressure_never_left(void)
{
	struct lr_mem_conf pressure = { .low = 0, .pressure = 0, .high = UINT64_MAX };
	static const uint8_t d[1000];
	struct lr_tcp_conn *c = tt_passive_open();
	uint32_t adv = c->rcv_adv;
	struct tt_out o;

	CU_ASSERT_EQUAL(lr_mem_configure(&lr_tw->mem, &pressure), 0);
	tt_rx(1001, 8001, TT_ACK, d, 1000);
	lr_test_tx_clear();
	tt_rx(2001, 8001, TT_ACK, d, 1000);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.ack, 3001);
	CU_ASSERT_EQUAL(o.wnd, adv - 3001);      /* right edge kept, not moved on */
	CU_ASSERT_EQUAL(c->rcv_adv, adv);
	CU_ASSERT(tt_stat(LR_TCP_STAT_WND_CLAMPED) >= 1);
	lr_test_tx_clear();
	lr_mem_configure(&lr_tw->mem, &LR_MEM_UNLIMITED);
	tt_rx(3001, 8001, TT_ACK, d, 1000);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.wnd, tt_conf.rcv_wnd);
	TT_ASSERT_NO_LEAK();
}

/* An echo handing back an RX-pool mbuf: the send buffer keeps a copy in the
 * worker's pool (the RX buffer goes back at once), charged by truesize; small
 * writes after it share its buffer; all uncharged when the connection goes. */
static void
test_tcp_send_mbuf_copies_out_of_rx_pool(void)
{
	static struct rte_mempool *rx_pool;
	struct lr_tcp_conn *c = tt_passive_open();
	struct rte_mbuf *m;
	uint32_t i, t;

	if (rx_pool == NULL)
		rx_pool = rte_pktmbuf_pool_create("tcpmem_rx", 63, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx_pool);
	fill_bulk();
	m = rte_pktmbuf_alloc(rx_pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, 1000), bulk, 1000);
	CU_ASSERT_EQUAL(lr_tcp_send_mbuf(c, m), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(rx_pool), 0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_mem_COPIED), 1);
	t = c->sb_true;
	CU_ASSERT(t > 0);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_SND], t);
	for (i = 0; i < 200; i++) {
		m = lr_test_data(bulk + 1000 + i, 1);
		CU_ASSERT_EQUAL(lr_tcp_send_mbuf(c, m), 0);
	}
	CU_ASSERT_EQUAL(c->sb_true, t);          /* no buffer per one-byte write */
	CU_ASSERT_EQUAL(c->sb_len, 1200);
	lr_tcp_abort(c);
	tt_flush();
	CU_ASSERT_EQUAL(lr_tw->mem.used, 0);
	TT_ASSERT_NO_LEAK();
}

/* IP id and DF of sent frame i. */
static uint16_t
sent_ip_id(unsigned int i, bool *df)
{
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(i), &p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.ip);
	*df = rte_be_to_cpu_16(p.ip->fragment_offset) == RTE_IPV4_HDR_DF_FLAG;
	return rte_be_to_cpu_16(p.ip->packet_id);
}

/* A connection's segments carry IP ids from a counter of its own (RFC 6864 4.1: DF
 * set, any id; Linux inet_id), seeded from the high half of the SipHash that gives
 * its timestamp offset: the SYN-ACK carries the seed, and with the segments of two
 * connections to one peer interleaved, each connection's ids still count up by one
 * (one counter per destination would step them by two). */
static void
test_tcp_ip_id_counter_per_connection(void)
{
	struct lr_tcp_conn *c[2];
	uint16_t synack, id[2][4];
	unsigned int i, j, n;
	bool df;

	c[0] = tt_passive_open();
	tt_peer_port = TT_PEER_PORT + 1;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	synack = sent_ip_id(0, &df);
	CU_ASSERT_TRUE(df);
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	c[1] = tt_app.conn;
	CU_ASSERT_FATAL(c[1] != c[0]);
	CU_ASSERT_EQUAL(synack, (uint16_t)(tcp_ts_offset(lr_tw->tcp, &c[1]->key) >> 32));
	lr_test_tx_clear();
	for (j = 0, n = 0; j < 4; j++)
		for (i = 0; i < 2; i++) {
			CU_ASSERT_EQUAL(lr_tcp_send(c[i], "x", 1), 1);
			tt_flush();
			CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), ++n);
			id[i][j] = sent_ip_id(n - 1, &df);
			CU_ASSERT_TRUE(df);
			CU_ASSERT_EQUAL(id[i][j], (uint16_t)(id[i][0] + j));
		}
	CU_ASSERT_EQUAL(id[1][0], (uint16_t)(synack + 1));
	TT_ASSERT_NO_LEAK();
}

/* The send space as lr_tcp_send_space() defines it, computed the long way. */
static uint32_t
send_space_ref(uint32_t sndbuf, uint32_t sb_len, uint64_t sb_true)
{
	uint64_t data = rte_pktmbuf_data_room_size(lr_tw->pool);
	uint64_t per = sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(lr_tw->pool) + data;
	uint64_t tbuf = RTE_MAX(2ull * sndbuf, (sndbuf / data + 2) * per);

	if (sb_len >= sndbuf || sb_true >= tbuf)
		return 0;
	return (uint32_t)RTE_MIN((uint64_t)(sndbuf - sb_len), (tbuf - sb_true) / per * data);
}

/* lr_tcp_send_space() with the pool's constants computed once and its shortcut
 * (only the byte limit binds while the truesize leaves room for sndbuf bytes in
 * whole buffers) gives the long way's value for every byte count and truesize,
 * whatever sndbuf, around each buffer boundary. */
static void
test_tcp_send_space_exact_with_cached_limits(void)
{
	static const uint32_t sndbufs[] = { 1, 1000, 2048, 4096, 65536, 100000 };
	struct lr_tcp_conn *c;
	uint64_t per, t, tbuf;
	unsigned int i, bad = 0, n = 0;
	int d;

	for (i = 0; i < RTE_DIM(sndbufs); i++) {
		tt_conf.sndbuf = sndbufs[i];
		tt_reinit();
		memset(&tt_app, 0, sizeof(tt_app));
		c = tt_passive_open();
		per = lr_tw->tcp->sb_lim.per;
		tbuf = lr_tw->tcp->sb_lim.tbuf;
		CU_ASSERT_FATAL(per > 0 && tbuf > 0);
		for (t = 0; t <= tbuf + per; t += per)
			for (d = -2; d <= 2; d++) {
				uint64_t tr = (int64_t)t + d < 0 ? 0 : t + d;
				uint32_t len;

				for (len = 0; len <= sndbufs[i]; len += sndbufs[i] / 7 + 1) {
					c->sb_len = len;
					c->sb_true = (uint32_t)tr;
					bad += lr_tcp_send_space(c) !=
							send_space_ref(sndbufs[i], len, tr);
					n++;
				}
			}
		c->sb_len = 0;
		c->sb_true = 0;
		TT_ASSERT_NO_LEAK();
	}
	CU_ASSERT(n > 1000);
	CU_ASSERT_EQUAL(bad, 0);
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_send_space_exact_with_cached_limits",
		test_tcp_send_space_exact_with_cached_limits },
	{ "test_tcp_ip_id_counter_per_connection", test_tcp_ip_id_counter_per_connection },
	{ "test_tcp_window_clamped_under_pressure_never_left",
		test_tcp_window_clamped_under_pressure_never_left },
	{ "test_tcp_send_mbuf_copies_out_of_rx_pool", test_tcp_send_mbuf_copies_out_of_rx_pool },
	{"test_tcp_send_mbuf_chain_segmented_and_freed_on_ack",
		test_tcp_send_mbuf_chain_segmented_and_freed_on_ack},
	{"test_tcp_send_mbuf_too_big_left_to_caller", test_tcp_send_mbuf_too_big_left_to_caller},
	{ "test_tcp_ack_batched_one_per_burst", test_tcp_ack_batched_one_per_burst },
	{ "test_tcp_echo_piggybacks_ack_on_data", test_tcp_echo_piggybacks_ack_on_data },
	{ "test_tcp_send_segments_by_mss", test_tcp_send_segments_by_mss },
	{ "test_tcp_send_bounded_by_peer_window", test_tcp_send_bounded_by_peer_window },
	{ "test_tcp_send_buffer_limit_and_sent_callback",
		test_tcp_send_buffer_limit_and_sent_callback },
	{ "test_tcp_send_large_transfer_byte_exact", test_tcp_send_large_transfer_byte_exact },
	{ "test_tcp_synack_mss_follows_interface_mtu", test_tcp_synack_mss_follows_interface_mtu },
	{ "test_tcp_tx_checksum_offloaded_when_port_can",
		test_tcp_tx_checksum_offloaded_when_port_can },
	{ "test_tcp_data_queued_before_established", test_tcp_data_queued_before_established },
	{ "test_tcp_shutdown_half_close_still_receives",
		test_tcp_shutdown_half_close_still_receives },
	{ "test_tcp_close_discards_later_data", test_tcp_close_discards_later_data },
	{ "test_tcp_abort_sends_rst", test_tcp_abort_sends_rst },
	{ "test_tcp_send_and_shutdown_errors", test_tcp_send_and_shutdown_errors },
	{ "test_tcp_hold_rcv_shrinks_window_and_recved_reopens",
		test_tcp_hold_rcv_shrinks_window_and_recved_reopens },
	{ "test_tcp_rcv_hold_charges_truesize_to_window_and_budget",
		test_tcp_rcv_hold_charges_truesize_to_window_and_budget },
	{ "test_tcp_zero_window_advertised_when_full", test_tcp_zero_window_advertised_when_full },
	{ "test_tcp_persist_probes_zero_window_with_backoff",
		test_tcp_persist_probes_zero_window_with_backoff },
	{ "test_tcp_persist_probe_accepted_advances", test_tcp_persist_probe_accepted_advances },
	{ "test_tcp_delack_single_segment_acked_by_timer",
		test_tcp_delack_single_segment_acked_by_timer },
	{ "test_tcp_delack_every_second_full_segment", test_tcp_delack_every_second_full_segment },
	{ "test_tcp_delack_immediate_on_gap_and_fin", test_tcp_delack_immediate_on_gap_and_fin },
	{ "test_tcp_delack_piggybacked_on_reply", test_tcp_delack_piggybacked_on_reply },
	{ "test_tcp_delack_burst_acks_every_second_segment",
	  test_tcp_delack_burst_acks_every_second_segment },
	{ "test_tcp_delack_burst_out_of_order_acks_every_second_segment",
	  test_tcp_delack_burst_out_of_order_acks_every_second_segment },
	{ "test_tcp_quickack_first_segments_then_delayed",
		test_tcp_quickack_first_segments_then_delayed },
	{ "test_tcp_quickack_after_delack_timer_fired", test_tcp_quickack_after_delack_timer_fired },
	{ "test_tcp_quickack_after_idle_longer_than_rto",
		test_tcp_quickack_after_idle_longer_than_rto },
	{ "test_tcp_quickack_off", test_tcp_quickack_off },
	{ "test_tcp_challenge_ack_one_per_conn_per_500ms",
		test_tcp_challenge_ack_one_per_conn_per_500ms },
	{ "test_tcp_rst_and_challenge_ack_budgets_apart",
		test_tcp_rst_and_challenge_ack_budgets_apart },
	{ "test_tcp_challenge_ack_budget_randomised_per_second",
		test_tcp_challenge_ack_budget_randomised_per_second },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_output", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
