/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_ecn.c (RFC 3168 §6.1), frames in and out on the virtual clock: negotiation on
 * passive and active opens and through SYN cookies, the SYN fallback, ECT(0) on new
 * data only, the receiver's CE -> ECE -> CWR cycle with its immediate ACK, the
 * sender's reduction at most once per window (NewReno and CUBIC) with CWR on the
 * next new data, and no ECN bit anywhere when it is off.
 */
#include <string.h>

#include <rte_ip.h>

#include "tcp_test.h"

#define ECE RTE_TCP_ECE_FLAG
#define CWR RTE_TCP_CWR_FLAG
#define NOT_ECT 0
#define ECT0 2
#define CE 3

static uint8_t buf[65536];

/* A segment from the peer whose IP header carries the ECN field ecn. */
static struct rte_mbuf *
seg_ecn(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opt, uint8_t optlen,
		const void *data, uint16_t len, uint8_t ecn)
{
	struct rte_mbuf *m = tt_seg(seq, ack, flags, TT_PEER_WND, opt, optlen, data, len);
	struct lr_test_parsed p;

	CU_ASSERT_FATAL(lr_test_parse(m, &p) == 0);
	p.ip->type_of_service = ecn;
	p.ip->hdr_checksum = 0;
	p.ip->hdr_checksum = rte_ipv4_cksum(p.ip);
	return m;
}

static void
rx_ecn(uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint16_t len, uint8_t ecn)
{
	tt_in(seg_ecn(seq, ack, flags, NULL, 0, data, len, ecn));
}

/* Frame i as sent. */
static struct tt_out
out(unsigned int i)
{
	struct tt_out o;

	CU_ASSERT_EQUAL(tt_out(i, &o), 0);
	return o;
}

/*
 * Passive open with a SYN carrying syn_bits (ECE, CWR), MSS 1460, no other option:
 * the SYN-ACK must carry exactly synack_bits besides SYN, ACK, Not-ECT. Established
 * by the ACK. @return the connection
 */
static struct lr_tcp_conn *
passive_open(uint8_t syn_bits, uint8_t synack_bits)
{
	uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct tt_out o;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_isn = 8000;
	tt_in(tt_seg(1000, 0, TT_SYN | syn_bits, TT_PEER_WND, mss, 4, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK | synack_bits, 8000, 1001, 0);
	o = out(0);
	CU_ASSERT_EQUAL(o.ecn, NOT_ECT);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	return tt_app.conn;
}

/* Every frame sent so far: no ECE, no CWR, Not-ECT. */
static void
expect_no_ecn_bits(void)
{
	unsigned int i;

	for (i = 0; i < lr_test_tx_count(); i++) {
		struct tt_out o = out(i);

		CU_ASSERT_EQUAL(o.flags & (ECE | CWR), 0);
		CU_ASSERT_EQUAL(o.ecn, NOT_ECT);
	}
}

/* A listener accepting ECN answers an ECN-setup SYN with ECE alone; data then leaves
 * ECT(0), our pure ACKs and FIN Not-ECT. */
static void
test_tcp_ecn_passive_negotiated(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	tt_reinit();
	c = passive_open(ECE | CWR, ECE);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 1);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hello", 5), 5);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_PSH, 8001, 1001, 5);
	CU_ASSERT_EQUAL(out(0).ecn, ECT0);
	lr_test_tx_clear();
	/* the peer's data: our pure ACK is Not-ECT */
	rx_ecn(1001, 8006, TT_ACK, "abc", 3, ECT0);
	TT_EXPECT_COUNT(1);
	o = out(0);
	CU_ASSERT_EQUAL(o.flags, TT_ACK);
	CU_ASSERT_EQUAL(o.ecn, NOT_ECT);
	lr_test_tx_clear();
	/* a FIN without data is no data segment */
	CU_ASSERT_EQUAL(lr_tcp_shutdown(c), 0);
	tt_flush();
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | TT_FIN, 8006, 1004, 0);
	CU_ASSERT_EQUAL(out(0).ecn, NOT_ECT);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* A SYN with only one of the two bits is no ECN-setup SYN. */
static void
test_tcp_ecn_passive_needs_both_bits(void)
{
	struct lr_tcp_conn *c;

	tt_conf.ecn = LR_TCP_ECN_ON;
	tt_reinit();
	c = passive_open(ECE, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hello", 5), 5);
	tt_flush();
	expect_no_ecn_bits();
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* ECN off: an ECN-setup SYN gets a SYN-ACK without ECE, and nothing after carries an
 * ECN bit, whatever the peer marks. */
static void
test_tcp_ecn_off_no_bits_anywhere(void)
{
	struct lr_tcp_conn *c;
	uint32_t cwnd;

	c = passive_open(ECE | CWR, 0); /* tt_conf.ecn is the default: off */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_SYN_REFUSED), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 0);
	rx_ecn(1001, 8001, TT_ACK, "abc", 3, CE);
	rx_ecn(1004, 8001, TT_ACK, "def", 3, CE);
	CU_ASSERT_EQUAL(lr_tcp_send(c, buf, 8000), 8000);
	tt_flush();
	cwnd = c->cwnd;
	rx_ecn(1007, 8001 + 1460, TT_ACK | ECE, NULL, 0, NOT_ECT);
	CU_ASSERT(c->cwnd >= cwnd); /* ECE means nothing here */
	CU_ASSERT(lr_test_tx_count() >= 4);
	expect_no_ecn_bits();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CE_RX), 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_ECE_RX), 0);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* [tcp] <svc>_ecn: a listener's own mode overrides conf.ecn, both ways. */
static void
test_tcp_ecn_listener_override(void)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_ecn(lr_tw, TT_OUR_PORT, LR_TCP_ECN_ACCEPT), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_ecn(lr_tw, TT_OUR_PORT, LR_TCP_ECN_NB), -EINVAL);
	CU_ASSERT_EQUAL(lr_tcp_listen_ecn(lr_tw, TT_OUR_PORT + 1, LR_TCP_ECN_ON), -ENOENT);
	CU_ASSERT_EQUAL(lr_tcp_unlisten(lr_tw, TT_OUR_PORT), 0);
	/* passive_open() listens afresh: conf.ecn (off) again, then overridden */
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_ecn(lr_tw, TT_OUR_PORT, LR_TCP_ECN_ON), 0);
	tt_isn = 8000;
	tt_in(tt_seg(1000, 0, TT_SYN | ECE | CWR, TT_PEER_WND, NULL, 0, NULL, 0));
	TT_EXPECT(0, TT_SYN | TT_ACK | ECE, 8000, 1001, 0);
	lr_test_tx_clear();
	/* and the other way: conf.ecn on, this listener off */
	tt_conf.ecn = LR_TCP_ECN_ON;
	tt_reinit();
	tt_isn = 8000;
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen_ecn(lr_tw, TT_OUR_PORT, LR_TCP_ECN_OFF), 0);
	tt_in(tt_seg(1000, 0, TT_SYN | ECE | CWR, TT_PEER_WND, NULL, 0, NULL, 0));
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* Active open: conf.ecn = 1 sends an ECN-setup SYN; a SYN-ACK with ECE (without CWR)
 * accepts it. @return the connection (ECN on when accept) */
static struct lr_tcp_conn *
active_open(uint8_t synack_bits)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	o = out(0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	CU_ASSERT_EQUAL(o.ecn, NOT_ECT);
	lr_test_tx_clear();
	tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK | synack_bits, TT_PEER_WND, NULL, 0, NULL, 0));
	TT_EXPECT(0, TT_ACK, 1001, 8001, 0);
	lr_test_tx_clear();
	return c;
}

static void
test_tcp_ecn_active_request(void)
{
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_conf.ecn = LR_TCP_ECN_ON;
	tt_reinit();
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	o = out(0);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | ECE | CWR);
	lr_tcp_abort(c);
	tt_flush();
	lr_test_tx_clear();
	/* accepted */
	c = active_open(ECE);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 1);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hi", 2), 2);
	tt_flush();
	TT_EXPECT(0, TT_ACK | TT_PSH, 1001, 8001, 2);
	CU_ASSERT_EQUAL(out(0).ecn, ECT0);
	lr_tcp_abort(c);
	tt_flush();
	lr_test_tx_clear();
	/* a SYN-ACK with ECE and CWR is no ECN-setup SYN-ACK; one without ECE refuses */
	c = active_open(ECE | CWR);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hi", 2), 2);
	tt_flush();
	expect_no_ecn_bits();
	lr_tcp_abort(c);
	tt_flush();
	lr_test_tx_clear();
	c = active_open(0);
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hi", 2), 2);
	tt_flush();
	expect_no_ecn_bits();
	lr_tcp_abort(c);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 1);
	TT_ASSERT_NO_LEAK();
}

/* conf.ecn = 2 (Linux's default) accepts but never asks. */
static void
test_tcp_ecn_accept_only_never_requests(void)
{
	struct lr_tcp_conn *c;

	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	tt_reinit();
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL(out(0).flags, TT_SYN);
	lr_tcp_abort(c);
	tt_flush();
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* RFC 3168 §6.1.1.1: the SYN sent again after a timeout has neither bit; a late
 * ECN-setup SYN-ACK then does not turn ECN on. */
static void
test_tcp_ecn_syn_fallback(void)
{
	struct lr_tcp_conn *c;

	tt_conf.ecn = LR_TCP_ECN_ON;
	tt_reinit();
	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL(out(0).flags, TT_SYN | ECE | CWR);
	tt_our_port = out(0).sport;
	tt_peer_port = 80;
	lr_test_tx_clear();
	tt_advance_ms(1000);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN, 1000, 0, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_FALLBACK), 1);
	lr_test_tx_clear();
	tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK | ECE, TT_PEER_WND, NULL, 0, NULL, 0));
	TT_EXPECT(0, TT_ACK, 1001, 8001, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_send(c, "hi", 2), 2);
	tt_flush();
	expect_no_ecn_bits();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 0);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* half_open_max 1 filled by port 41000, then an ECN-setup SYN with timestamps from
 * 40000 gets a cookie SYN-ACK. @return it */
static struct tt_out
cookie_syn(bool with_ts)
{
	uint8_t opt[12];
	struct tt_out o;

	tt_conf.half_open_max = 1;
	tt_conf.synack_retries = 60;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_peer_port = 41000;
	tt_rx_syn(1000, 1460);
	lr_test_tx_clear();
	tt_peer_port = TT_PEER_PORT;
	tt_ts_opt(opt, 777, 0);
	tt_in(tt_seg(1000, 0, TT_SYN | ECE | CWR, TT_PEER_WND, opt, with_ts ? 12 : 0, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_SENT), 1);
	TT_EXPECT_COUNT(1);
	o = out(0);
	lr_test_tx_clear();
	return o;
}

/* SYN cookies keep ECN in bit 5 of the TSval (like Linux): the SYN-ACK carries ECE,
 * the connection the ACK makes has ECN; without timestamps the cookie cannot keep it
 * and the SYN-ACK does not accept it; with ECN off neither. */
static void
test_tcp_ecn_syncookie_keeps_ecn(void)
{
	uint8_t opt[12];
	struct tt_out o;

	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	o = cookie_syn(true);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK | ECE);
	CU_ASSERT(o.has_ts);
	CU_ASSERT_EQUAL(o.tsval & 0x20, 0x20);
	tt_ts_opt(opt, 778, o.tsval);
	tt_in(tt_seg(1001, o.seq + 1, TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OK), 1);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_NEGOTIATED), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_send(tt_app.conn, "hi", 2), 2);
	tt_flush();
	TT_EXPECT_COUNT(1);
	CU_ASSERT_EQUAL(out(0).ecn, ECT0);
	lr_test_tx_clear();
	/* no timestamps: no ECE */
	o = cookie_syn(false);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	/* off: no ECE, no bit, and a returning bit does not turn it on */
	tt_conf.ecn = LR_TCP_ECN_OFF;
	o = cookie_syn(true);
	CU_ASSERT_EQUAL(o.flags, TT_SYN | TT_ACK);
	CU_ASSERT_EQUAL(o.tsval & 0x20, 0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_SYN_REFUSED), 1);
	tt_ts_opt(opt, 778, o.tsval | 0x20);
	tt_in(tt_seg(1001, o.seq + 1, TT_ACK, TT_PEER_WND, opt, 12, NULL, 0));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYNCOOKIE_OK), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_send(tt_app.conn, "hi", 2), 2);
	tt_flush();
	expect_no_ecn_bits();
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* Receiver: the first CE is ACKed at once (delayed ACKs on, no quick-ACK budget)
 * with ECE; ECE stays on our ACKs until a segment with CWR; CE again restarts it. */
static void
test_tcp_ecn_ce_ece_cwr_cycle(void)
{
	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	tt_conf.delack_ms = 40;
	tt_conf.quickack = 0;
	tt_reinit();
	passive_open(ECE | CWR, ECE);
	rx_ecn(1001, 8001, TT_ACK, "aaaa", 4, ECT0);
	TT_EXPECT_COUNT(0); /* delayed */
	rx_ecn(1005, 8001, TT_ACK, "bbbb", 4, CE);
	TT_EXPECT_COUNT(1); /* at once */
	TT_EXPECT(0, TT_ACK | ECE, 8001, 1009, 0);
	CU_ASSERT_EQUAL(out(0).ecn, NOT_ECT);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CE_RX), 1);
	/* not CE: delayed as usual, still ECE */
	rx_ecn(1009, 8001, TT_ACK, "cccc", 4, ECT0);
	TT_EXPECT_COUNT(0);
	tt_advance_ms(40);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | ECE, 8001, 1013, 0);
	lr_test_tx_clear();
	/* CWR: the echo stops */
	rx_ecn(1013, 8001, TT_ACK | CWR, "dddd", 4, ECT0);
	tt_advance_ms(40);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 8001, 1017, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CWR_RX), 1);
	/* CE again (with CWR on the same segment: the CE wins) */
	rx_ecn(1017, 8001, TT_ACK | CWR, "eeee", 4, CE);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK | ECE, 8001, 1021, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CE_RX), 2);
	TT_ASSERT_NO_LEAK();
}

/*
 * Sender, for one algorithm: ten segments in flight (IW), ECE on the first ACK
 * reduces cwnd and ssthresh as a fast retransmit would, without inflation; ECE on
 * the next ACKs of that window does not; the first new data after it carries CWR
 * (ECT(0)), the one after not; ECE on an ACK reaching the end of that window
 * reduces again. A retransmission is Not-ECT.
 */
static void
ece_once_per_window(enum lr_tcp_cc cc, uint32_t ssthresh1)
{
	struct lr_tcp_conn *c;
	uint32_t una = 8001, high, i, n;
	struct tt_out o;

	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	tt_conf.cc = cc;
	tt_reinit();
	c = passive_open(ECE | CWR, ECE);
	CU_ASSERT_EQUAL(lr_tcp_send(c, buf, 40000), 40000);
	tt_flush();
	TT_EXPECT_COUNT(10);
	for (i = 0; i < 10; i++) {
		o = out(i);
		CU_ASSERT_EQUAL(o.ecn, ECT0);
		CU_ASSERT_EQUAL(o.flags & (ECE | CWR), 0);
	}
	high = c->snd_max;
	CU_ASSERT_EQUAL(high, 8001 + 14600);
	lr_test_tx_clear();
	rx_ecn(1001, una + 1460, TT_ACK | ECE, NULL, 0, NOT_ECT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CWND_REDUCED), 1);
	CU_ASSERT_EQUAL(c->ssthresh, ssthresh1);
	CU_ASSERT(c->cwnd >= ssthresh1 && c->cwnd < ssthresh1 + 1460); /* no inflation */
	TT_EXPECT_COUNT(0); /* 13140 in flight, above cwnd */
	/* ECE again in the same window: no second reduction */
	rx_ecn(1001, una + 2 * 1460, TT_ACK | ECE, NULL, 0, NOT_ECT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_ECE_RX), 2);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CWND_REDUCED), 1);
	CU_ASSERT_EQUAL(c->ssthresh, ssthresh1);
	/* ACKs without ECE: room for new data, the first segment with CWR */
	lr_test_tx_clear();
	rx_ecn(1001, una + 7 * 1460, TT_ACK, NULL, 0, NOT_ECT);
	n = lr_test_tx_count();
	CU_ASSERT_FATAL(n >= 2);
	o = out(0);
	CU_ASSERT_EQUAL(o.seq, high);
	CU_ASSERT_EQUAL(o.flags & (CWR | ECE), CWR);
	CU_ASSERT_EQUAL(o.ecn, ECT0);
	o = out(1);
	CU_ASSERT_EQUAL(o.flags & (CWR | ECE), 0);
	CU_ASSERT_EQUAL(o.ecn, ECT0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CWR_TX), 1);
	lr_test_tx_clear();
	/* ECE on the ACK that completes the reduced window: a new reduction */
	rx_ecn(1001, high, TT_ACK | ECE, NULL, 0, NOT_ECT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ECN_CWND_REDUCED), 2);
	lr_test_tx_clear();
	/* the RTO's retransmission is Not-ECT */
	tt_advance_ms(1500);
	CU_ASSERT(tt_stat(LR_TCP_STAT_REXMT_TIMEOUT) >= 1);
	CU_ASSERT_FATAL(lr_test_tx_count() >= 1);
	o = out(0);
	CU_ASSERT_EQUAL(o.seq, high);
	CU_ASSERT(o.len > 0);
	CU_ASSERT_EQUAL(o.ecn, NOT_ECT);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

static void
test_tcp_ecn_newreno_reduces_once_per_window(void)
{
	ece_once_per_window(LR_TCP_CC_NEWRENO, 14600 / 2);
}

static void
test_tcp_ecn_cubic_reduces_once_per_window(void)
{
	ece_once_per_window(LR_TCP_CC_CUBIC, 14600 * 7 / 10);
}

/* A loss found in the window already reduced for ECE is repaired (fast retransmit)
 * without reducing a second time. */
static void
test_tcp_ecn_loss_in_reduced_window(void)
{
	struct lr_tcp_conn *c;
	unsigned int i;

	tt_conf.ecn = LR_TCP_ECN_ACCEPT;
	tt_reinit();
	c = passive_open(ECE | CWR, ECE);
	CU_ASSERT_EQUAL(lr_tcp_send(c, buf, 40000), 40000);
	tt_flush();
	lr_test_tx_clear();
	rx_ecn(1001, 8001 + 1460, TT_ACK | ECE, NULL, 0, NOT_ECT);
	CU_ASSERT_EQUAL(c->ssthresh, 7300);
	for (i = 0; i < 2; i++)
		rx_ecn(1001, 8001 + 1460, TT_ACK, NULL, 0, NOT_ECT);
	lr_test_tx_clear();
	rx_ecn(1001, 8001 + 1460, TT_ACK, NULL, 0, NOT_ECT);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_FAST_REXMT), 1);
	CU_ASSERT_EQUAL(c->ssthresh, 7300); /* not half of 13140 */
	TT_EXPECT(0, TT_ACK, 8001 + 1460, 1001, 1460);
	CU_ASSERT_EQUAL(out(0).ecn, NOT_ECT);
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_ecn_passive_negotiated", test_tcp_ecn_passive_negotiated },
	{ "test_tcp_ecn_passive_needs_both_bits", test_tcp_ecn_passive_needs_both_bits },
	{ "test_tcp_ecn_off_no_bits_anywhere", test_tcp_ecn_off_no_bits_anywhere },
	{ "test_tcp_ecn_listener_override", test_tcp_ecn_listener_override },
	{ "test_tcp_ecn_active_request", test_tcp_ecn_active_request },
	{ "test_tcp_ecn_accept_only_never_requests", test_tcp_ecn_accept_only_never_requests },
	{ "test_tcp_ecn_syn_fallback", test_tcp_ecn_syn_fallback },
	{ "test_tcp_ecn_syncookie_keeps_ecn", test_tcp_ecn_syncookie_keeps_ecn },
	{ "test_tcp_ecn_ce_ece_cwr_cycle", test_tcp_ecn_ce_ece_cwr_cycle },
	{ "test_tcp_ecn_newreno_reduces_once_per_window",
		test_tcp_ecn_newreno_reduces_once_per_window },
	{ "test_tcp_ecn_cubic_reduces_once_per_window",
		test_tcp_ecn_cubic_reduces_once_per_window },
	{ "test_tcp_ecn_loss_in_reduced_window", test_tcp_ecn_loss_in_reduced_window },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_ecn", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
