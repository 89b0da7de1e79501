/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_syncookie.c and the LISTEN overflow path (tcp_listen.c): past
 * half_open_max a SYN gets a stateless cookie SYN-ACK (RFC 4987 §3.6); the ACK
 * returning a valid cookie creates the connection; forged or expired cookies get
 * a RST; with cookies off the SYN is dropped.
 */
#include <string.h>

#include "tcp_test.h"

/* half_open_max 2, listener up, two half-open connections from ports 41000/41001. */
static void
fill_half_open(void)
{
	tt_conf.half_open_max = 2;
	tt_conf.synack_retries = 60; /* keep them half-open during the test */
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_peer_port = 41000;
	tt_rx_syn(1000, 1460);
	tt_peer_port = 41001;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(2);
	TT_EXPECT(1, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
}

/* A SYN from port 40000 past the limit: the cookie SYN-ACK. @return its ISS */
static uint32_t
cookie_syn(uint16_t mss)
{
	struct tt_out o;

	tt_peer_port = TT_PEER_PORT;
	tt_rx_syn(1000, mss);
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT_EQUAL(o.ack, 1001);
	CU_ASSERT_EQUAL(o.mss, 1460);   /* ours */
	CU_ASSERT_EQUAL(o.ws, -1);      /* no timestamps on the SYN: only the MSS */
	CU_ASSERT(!o.has_ts);
	lr_test_tx_clear();
	return o.seq;
}

static void
test_tcp_syncookie_sent_past_half_open_max(void)
{
	fill_half_open();
	cookie_syn(1460);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2); /* no state kept */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_SENT), 1);
	TT_ASSERT_NO_LEAK();
}

/* The returning ACK (with data) creates the connection: connected, data delivered
 * and acknowledged, segments sized by the MSS the cookie carried. */
static void
test_tcp_syncookie_ack_creates_connection(void)
{
	uint32_t iss;
	struct lr_tcp_conn *c;

	fill_half_open();
	iss = cookie_syn(1400);
	tt_rx(1001, iss + 1, TT_ACK | TT_PSH, "hello", 5);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_app.data_len, 5);
	TT_EXPECT(0, TT_ACK, iss + 1, 1006, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OK), 1);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, memset(tt_app.data, 'x', 2000), 2000), 2000);
	tt_flush();
	TT_EXPECT_COUNT(2);
	TT_EXPECT(0, TT_ACK, iss + 1, 1006, 1380); /* 1400 -> table entry 1380 */
	TT_ASSERT_NO_LEAK();
}

/* A forged cookie: RST, counted, no connection. */
static void
test_tcp_syncookie_forged_ack_rejected(void)
{
	uint32_t iss;

	fill_half_open();
	iss = cookie_syn(1460);
	tt_rx(1001, iss + 1 + 8, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_RST, iss + 1 + 8, 0, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_FAILED), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
	lr_test_tx_clear();
	/* The right cookie from another tuple (the peer's ISN is in the hash). */
	tt_rx(2001, iss + 1, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_FAILED), 2);
	TT_ASSERT_NO_LEAK();
}

/* A cookie lives through the next 64 s period, not the one after. */
static void
test_tcp_syncookie_valid_in_next_period(void)
{
	uint32_t iss;

	fill_half_open();
	lr_test_advance_us(64ull * 1000000 - (lr_tw->now_us % (64ull * 1000000)));
	iss = cookie_syn(1460);                 /* start of a period */
	lr_test_advance_us(127ull * 1000000);   /* end of the next */
	lr_test_tx_clear();
	tt_peer_port = 41002;
	tt_rx_syn(1000, 1460);                  /* keeps cookies in play */
	lr_test_tx_clear();
	tt_peer_port = TT_PEER_PORT;
	tt_rx(1001, iss + 1, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OK), 1);
	TT_ASSERT_NO_LEAK();
}

static void
test_tcp_syncookie_expired_after_two_periods(void)
{
	uint32_t iss;

	fill_half_open();
	iss = cookie_syn(1460);
	lr_test_advance_us(129ull * 1000000);
	tt_peer_port = 41002;
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_peer_port = TT_PEER_PORT;
	tt_rx(1001, iss + 1, TT_ACK, NULL, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_FAILED), 1);
	TT_EXPECT(0, TT_RST, iss + 1, 0, 0);
	TT_ASSERT_NO_LEAK();
}

/* Cookies off: the SYN past the limit is dropped silently and counted. */
static void
test_tcp_syncookie_off_drops_syn(void)
{
	tt_conf.syncookies = false;
	fill_half_open();
	tt_conf.syncookies = false;
	tt_peer_port = TT_PEER_PORT;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_HALF_OPEN_FULL), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
	TT_ASSERT_NO_LEAK();
}

/* A half-open connection that completes, or is reset, frees its slot. */
static void
test_tcp_half_open_slot_released(void)
{
	fill_half_open();
	tt_peer_port = 41000;
	tt_rx(1001, 8001, TT_ACK, NULL, 0);           /* established */
	tt_peer_port = 41001;
	tt_rx(1001, 0, TT_RST, NULL, 0);              /* back to LISTEN */
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	tt_peer_port = TT_PEER_PORT;
	tt_rx_syn(1000, 1460);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0); /* with state again */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_SENT), 0);
	TT_ASSERT_NO_LEAK();
}

/* A SYN with MSS, SACK-permitted, timestamps (TSval 777) and window shift 7, past
 * half_open_max with a 256 KiB buffer: the cookie SYN-ACK. @return it */
static struct tt_out
cookie_syn_opts(void)
{
	uint8_t opt[20] = { 2, 4, 1460 >> 8, 1460 & 0xff, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 3, 3, 7 };
	uint32_t v = rte_cpu_to_be_32(777);
	struct tt_out o;

	memcpy(opt + 8, &v, 4);
	tt_peer_port = TT_PEER_PORT;
	tt_in(tt_seg(1000, 0, TT_SYN, TT_PEER_WND, opt, sizeof(opt), NULL, 0));
	CU_ASSERT_EQUAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL(tt_out(0, &o), 0);
	lr_test_tx_clear();
	return o;
}

/* With timestamps the cookie keeps the options (like Linux): the SYN-ACK offers
 * timestamps, our window shift and SACK-permitted, its TSval's low 6 bits carrying
 * the peer's shift (7) and SACK; the ACK echoing them creates a connection that
 * scales the peer's window, sends timestamps and SACK blocks. */
static void
test_tcp_syncookie_keeps_options_in_timestamp(void)
{
	uint8_t opt[12], ooo_opt[12];
	struct lr_tcp_conn *c;
	struct tt_out o, a;
	unsigned int i, n;

	tt_conf.rcv_wnd = 256 * 1024; /* our shift: 3 */
	fill_half_open();
	o = cookie_syn_opts();
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsecr, 777);
	CU_ASSERT_EQUAL(o.tsval & 0x3f, 7 | 0x10);  /* shift 7, SACK */
	CU_ASSERT(o.sack_ok);
	CU_ASSERT_EQUAL(o.ws, 3);
	CU_ASSERT_EQUAL(o.wnd, 65535);               /* a SYN's window is not scaled */
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);  /* still no state */
	/* The ACK: window field 100 << 7 = 12800 bytes, TSecr = our TSval. */
	tt_ts_opt(opt, 778, o.tsval);
	tt_in(tt_seg(1001, o.seq + 1, TT_ACK | TT_PSH, 100, opt, 12, "hello", 5));
	c = tt_app.conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OPTS), 1);
	CU_ASSERT_EQUAL(tt_out(0, &a), 0);           /* the ACK of "hello" */
	CU_ASSERT(a.has_ts);
	CU_ASSERT_EQUAL(a.tsecr, 778);
	CU_ASSERT(a.tsval >= o.tsval);               /* our clock never went back */
	lr_test_tx_clear();
	/* 4000 bytes fit the scaled 12800-byte window (unscaled it would be 100). */
	CU_ASSERT_EQUAL(lr_tcp_send(c, memset(tt_app.data, 'x', 4000), 4000), 4000);
	tt_flush();
	n = lr_test_tx_count();
	for (i = 0, a.len = 0; i < n; i++) {
		struct tt_out s;

		CU_ASSERT_EQUAL(tt_out(i, &s), 0);
		a.len += s.len;
	}
	CU_ASSERT_EQUAL(a.len, 4000);
	lr_test_tx_clear();
	/* Out-of-order data: our ACK carries a SACK block for it. */
	tt_ts_opt(ooo_opt, 779, o.tsval);
	tt_in(tt_seg(1006 + 100, o.seq + 1, TT_ACK, 100, ooo_opt, 12, "later", 5));
	CU_ASSERT_EQUAL(tt_out(lr_test_tx_count() - 1, &a), 0);
	CU_ASSERT_EQUAL(a.nsack, 1);
	CU_ASSERT_EQUAL(a.sack[0][0], 1106);
	CU_ASSERT_EQUAL(a.sack[0][1], 1111);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* A TSecr no cookie SYN-ACK's TSval gives (0): the cookie still holds (it is in the
 * ISS), the connection runs without the options. */
static void
test_tcp_syncookie_bad_option_bits_ignored(void)
{
	struct tt_out o, a;
	uint8_t opt[12];

	tt_conf.rcv_wnd = 256 * 1024;
	fill_half_open();
	o = cookie_syn_opts();
	tt_ts_opt(opt, 778, 0);
	tt_in(tt_seg(1001, o.seq + 1, TT_ACK | TT_PSH, 100, opt, 12, "hello", 5));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OPTS), 0);
	CU_ASSERT_EQUAL(tt_out(0, &a), 0);
	CU_ASSERT(!a.has_ts);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_syncookie_keeps_options_in_timestamp",
		test_tcp_syncookie_keeps_options_in_timestamp },
	{ "test_tcp_syncookie_bad_option_bits_ignored", test_tcp_syncookie_bad_option_bits_ignored },
	{ "test_tcp_syncookie_sent_past_half_open_max",
		test_tcp_syncookie_sent_past_half_open_max },
	{ "test_tcp_syncookie_ack_creates_connection", test_tcp_syncookie_ack_creates_connection },
	{ "test_tcp_syncookie_forged_ack_rejected", test_tcp_syncookie_forged_ack_rejected },
	{ "test_tcp_syncookie_valid_in_next_period", test_tcp_syncookie_valid_in_next_period },
	{ "test_tcp_syncookie_expired_after_two_periods",
		test_tcp_syncookie_expired_after_two_periods },
	{ "test_tcp_syncookie_off_drops_syn", test_tcp_syncookie_off_drops_syn },
	{ "test_tcp_half_open_slot_released", test_tcp_half_open_slot_released },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_syncookie", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
