/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "tcp_test.h"

struct tt_app tt_app;
uint16_t tt_peer_port;
uint16_t tt_our_port;
uint32_t tt_isn;
struct lr_tcp_conf tt_conf;

static void
app_connected(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	tt_app.conn = c;
	tt_app.connected++;
}

static void
app_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	uint8_t buf[2048];
	uint32_t off = 0;

	RTE_SET_USED(arg);
	tt_app.data_calls++;
	while (off < m->pkt_len) {
		uint32_t n = RTE_MIN(m->pkt_len - off, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, n, buf);

		if (tt_app.data_len + n <= sizeof(tt_app.data))
			memcpy(tt_app.data + tt_app.data_len, p, n);
		if (tt_app.echo)
			lr_tcp_send(c, p, n);
		tt_app.data_len += n;
		off += n;
	}
	rte_pktmbuf_free(m);
}

static void
app_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	tt_app.sent += acked;
}

static void
app_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	tt_app.peer_closed++;
	if (tt_app.close_on_peer_closed)
		lr_tcp_close(c);
}

static void
app_closed(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	tt_app.closed++;
	tt_app.reason = reason;
}

const struct lr_tcp_callbacks tt_cb = {
	.connected = app_connected,
	.data = app_data,
	.sent = app_sent,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

const struct lr_tcp_callbacks tt_cb_hold = {
	.connected = app_connected,
	.data = app_data,
	.sent = app_sent,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
	.hold_rcv = true,
};

void
tt_ts_opt(uint8_t *opt, uint32_t tsval, uint32_t tsecr)
{
	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 8;
	opt[3] = 10;
	opt[4] = (uint8_t)(tsval >> 24);
	opt[5] = (uint8_t)(tsval >> 16);
	opt[6] = (uint8_t)(tsval >> 8);
	opt[7] = (uint8_t)tsval;
	opt[8] = (uint8_t)(tsecr >> 24);
	opt[9] = (uint8_t)(tsecr >> 16);
	opt[10] = (uint8_t)(tsecr >> 8);
	opt[11] = (uint8_t)tsecr;
}

static int
grab_first_conn(const struct lr_tcp_conn_info *info, void *arg)
{
	if (info->state != LR_TCP_LISTEN) {
		*(struct lr_tcp_conn_info *)arg = *info;
		return 1;
	}
	return 0;
}

struct lr_tcp_conn_info
tt_info(void)
{
	struct lr_tcp_conn_info info;

	memset(&info, 0, sizeof(info));
	lr_tcp_walk(lr_tw, grab_first_conn, &info);
	return info;
}

static uint32_t
tt_isn_fn(void *arg, rte_be32_t laddr, rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(laddr);
	RTE_SET_USED(lport);
	RTE_SET_USED(raddr);
	RTE_SET_USED(rport);
	return tt_isn;
}

void
tt_reinit(void)
{
	lr_tcp_worker_fini(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tt_conf), 0);
}

void
tt_setup(void)
{
	lr_test_reset();
	lr_tcp_init();
	memset(&tt_app, 0, sizeof(tt_app));
	tt_conf = lr_tcp_conf_default;
	/* The suites' window figures are NewReno's (ssthresh = FlightSize / 2); the CUBIC
	 * suites and cases choose it themselves. */
	tt_conf.cc = LR_TCP_CC_NEWRENO;
	tt_conf.max_conns = 64;
	tt_conf.max_listeners = 8;
	tt_conf.isn_fn = tt_isn_fn;
	/* The state machine suites see every ACK at the end of its burst and a 16-bit
	 * window; the delayed-ACK and window-scaling cases set their own values. */
	tt_conf.delack_ms = 0;
	tt_conf.rcv_wnd = 65535;
	tt_isn = 8000;
	tt_peer_port = TT_PEER_PORT;
	tt_our_port = TT_OUR_PORT;
	lr_tw->tcp = NULL;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tt_conf), 0);
}

void
tt_teardown(void)
{
	lr_tcp_worker_fini(lr_tw);
	lr_test_cleanup();
}

struct rte_mbuf *
tt_seg(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opts,
		uint8_t optlen, const void *data, uint16_t len)
{
	const struct lr_test_tcp_seg s = {
		.sport = tt_peer_port, .dport = tt_our_port, .seq = seq, .ack = ack,
		.flags = flags, .wnd = wnd, .opts = opts, .optlen = optlen,
		.data = data, .len = len,
	};

	return lr_test_tcp(&s);
}

void
tt_flush(void)
{
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
}

void
tt_in_noflush(struct rte_mbuf *m)
{
	lr_test_rx(m);
}

void
tt_in(struct rte_mbuf *m)
{
	lr_test_rx(m);
	tt_flush();
}

void
tt_rx(uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint16_t len)
{
	tt_in(tt_seg(seq, ack, flags, TT_PEER_WND, NULL, 0, data, len));
}

void
tt_rx_syn(uint32_t seq, uint16_t mss)
{
	uint8_t opt[4] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss };

	tt_in(tt_seg(seq, 0, TT_SYN, TT_PEER_WND, mss ? opt : NULL, mss ? 4 : 0, NULL, 0));
}

void
tt_advance_ms(uint64_t ms)
{
	lr_test_advance_us(ms * 1000);
	lr_tcp_tick(lr_tw);
	tt_flush();
}

int
tt_out(unsigned int i, struct tt_out *o)
{
	struct lr_test_parsed p;
	struct rte_mbuf *m = lr_test_tx_get(i);
	const uint8_t *opt;
	unsigned int hlen, k;

	memset(o, 0, sizeof(*o));
	o->mss = -1;
	o->ws = -1;
	if (m == NULL || lr_test_parse(m, &p) != 0 || p.tcp == NULL)
		return -1;
	CU_ASSERT(lr_test_ip_cksum_ok(&p));
	CU_ASSERT(lr_test_l4_cksum_ok(&p));
	o->flags = p.tcp->tcp_flags;
	o->seq = rte_be_to_cpu_32(p.tcp->sent_seq);
	o->ack = rte_be_to_cpu_32(p.tcp->recv_ack);
	o->wnd = rte_be_to_cpu_16(p.tcp->rx_win);
	o->sport = rte_be_to_cpu_16(p.tcp->src_port);
	o->dport = rte_be_to_cpu_16(p.tcp->dst_port);
	o->saddr = p.ip->src_addr;
	o->daddr = p.ip->dst_addr;
	o->ecn = p.ip->type_of_service & 0x3;
	o->payload = p.payload;
	o->len = p.payload_len;
	hlen = (p.tcp->data_off >> 4) * 4u;
	opt = (const uint8_t *)(p.tcp + 1);
	for (k = 0; k + 1 < hlen - sizeof(struct rte_tcp_hdr);) {
		if (opt[k] == 0)
			break;
		if (opt[k] == 1) {
			k++;
			continue;
		}
		if (opt[k] == 2 && opt[k + 1] == 4)
			o->mss = opt[k + 2] << 8 | opt[k + 3];
		if (opt[k] == 3 && opt[k + 1] == 3)
			o->ws = opt[k + 2];
		if (opt[k] == 8 && opt[k + 1] == 10) {
			o->has_ts = true;
			o->tsval = (uint32_t)opt[k + 2] << 24 | (uint32_t)opt[k + 3] << 16 |
				(uint32_t)opt[k + 4] << 8 | opt[k + 5];
			o->tsecr = (uint32_t)opt[k + 6] << 24 | (uint32_t)opt[k + 7] << 16 |
				(uint32_t)opt[k + 8] << 8 | opt[k + 9];
		}
		if (opt[k] == 4 && opt[k + 1] == 2)
			o->sack_ok = true;
		if (opt[k] == 5 && opt[k + 1] >= 10 && (opt[k + 1] - 2) % 8 == 0) {
			unsigned int b;

			o->nsack = RTE_MIN((opt[k + 1] - 2) / 8, 4);
			for (b = 0; b < (unsigned int)o->nsack * 2; b++) {
				const uint8_t *e = opt + k + 2 + 4 * b;

				o->sack[b / 2][b % 2] = (uint32_t)e[0] << 24 |
					(uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3];
			}
		}
		if (opt[k + 1] < 2)
			break;
		k += opt[k + 1];
	}
	return 0;
}

void
tt_expect(const char *file, int line, unsigned int i, uint8_t flags, uint32_t seq,
		uint32_t ack, uint16_t len)
{
	struct tt_out o;
	char what[160];
	bool ok;

	if (tt_out(i, &o) != 0) {
		snprintf(what, sizeof(what), "frame %u is a TCP segment (sent %u)", i,
				lr_test_tx_count());
		CU_assertImplementation(CU_FALSE, line, what, file, "", CU_FALSE);
		return;
	}
	ok = o.flags == flags && o.seq == seq && (!(flags & TT_ACK) || o.ack == ack) &&
		o.len == len && o.sport == tt_our_port && o.dport == tt_peer_port &&
		o.daddr == rte_cpu_to_be_32(LR_TEST_PEER_IP);
	snprintf(what, sizeof(what),
			"frame %u: want flags %#x seq %u ack %u len %u, got %#x %u %u %u (%u->%u)",
			i, flags, seq, ack, len, o.flags, o.seq, o.ack, o.len, o.sport, o.dport);
	CU_assertImplementation(ok, line, what, file, "", CU_FALSE);
}

uint64_t
tt_stat(enum lr_tcp_stat_id id)
{
	const struct lr_tcp_stats *st = lr_tcp_stats_get(lr_tw);

	return st == NULL ? 0 : st->v[id];
}

struct lr_tcp_conn *
tt_passive_open(void)
{
	return tt_passive_open_cb(&tt_cb);
}

struct lr_tcp_conn *
tt_passive_open_cb(const struct lr_tcp_callbacks *cb)
{
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, cb, NULL), 0);
	tt_isn = 8000;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	tt_rx(1001, 8001, TT_ACK, NULL, 0);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tt_app.conn);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(tt_app.conn), LR_TCP_ESTABLISHED);
	return tt_app.conn;
}

struct lr_tcp_conn *
tt_active_open(void)
{
	uint8_t mss[4] = { 2, 4, 1024 >> 8, 1024 & 0xff };
	struct lr_tcp_conn *c;
	struct tt_out o;

	tt_isn = 1000;
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tt_flush();
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(tt_out(0, &o), 0);
	tt_our_port = o.sport;
	tt_peer_port = 80;
	TT_EXPECT(0, TT_SYN, 1000, 0, 0);
	lr_test_tx_clear();
	tt_in(tt_seg(8000, 1001, TT_SYN | TT_ACK, TT_PEER_WND, mss, 4, NULL, 0));
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_ACK, 1001, 8001, 0);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(tt_app.connected, 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(c), LR_TCP_ESTABLISHED);
	tt_app.conn = c;
	return c;
}
