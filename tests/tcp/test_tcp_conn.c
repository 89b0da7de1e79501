/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn.c and tcp_user.c: the shard (table, pool, listeners, capacity), port
 * and ISN choice (RFC 6528 SipHash, rekeying) and timestamp offsets, the netstat walk,
 * and teardown.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_pause.h>

#include "tcp_test.h"

/* Pool and table full: a further SYN is shed silently before any allocation and
 * counted. */
static void
test_tcp_conn_table_full_syn_dropped(void)
{
	tt_conf.max_conns = 2;
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	tt_peer_port = 40001;
	tt_rx_syn(1000, 1460);
	tt_peer_port = 40002;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(2);
	lr_test_tx_clear();
	tt_peer_port = 40003;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SYN_SHED_CONNS), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
	CU_ASSERT_PTR_NULL(lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80,
			&tt_cb, NULL));
	CU_ASSERT_EQUAL(errno, ENOSPC);
	/* A freed slot is usable again. */
	tt_peer_port = 40001;
	tt_rx(1001, 0, TT_RST, NULL, 0);
	tt_peer_port = 40003;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	TT_ASSERT_NO_LEAK();
}

/* Many connections side by side: each segment finds its own. */
static void
test_tcp_conn_lookup_many_tuples(void)
{
	struct lr_tcp_conn *conns[40];
	unsigned int i;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < RTE_DIM(conns); i++) {
		tt_peer_port = (uint16_t)(41000 + i);
		tt_isn = 100000 * (i + 1);
		tt_rx_syn(i * 7, 1460);
		tt_rx(i * 7 + 1, tt_isn + 1, TT_ACK, NULL, 0);
		conns[i] = tt_app.conn;
		CU_ASSERT_EQUAL(tt_app.connected, i + 1);
	}
	lr_test_tx_clear();
	for (i = 0; i < RTE_DIM(conns); i++) {
		struct tt_out o;

		tt_peer_port = (uint16_t)(41000 + i);
		CU_ASSERT_EQUAL(lr_tcp_send(conns[i], "z", 1), 1);
		tt_flush();
		CU_ASSERT_EQUAL(tt_out(0, &o), 0);
		CU_ASSERT_EQUAL(o.dport, 41000 + i);
		CU_ASSERT_EQUAL(o.seq, 100000 * (i + 1) + 1);
		lr_test_tx_clear();
		tt_rx(i * 7 + 1, 100000 * (i + 1) + 2, TT_ACK, "q", 1);
		TT_EXPECT(0, TT_ACK, 100000 * (i + 1) + 2, i * 7 + 2, 0);
		lr_test_tx_clear();
	}
	CU_ASSERT_EQUAL(tt_app.data_len, RTE_DIM(conns));
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), RTE_DIM(conns));
	TT_ASSERT_NO_LEAK();
}

/* Connects take distinct ports from the ephemeral range; when it is used up,
 * EADDRNOTAVAIL. */
static void
test_tcp_connect_ports_distinct_then_exhausted(void)
{
	rte_be32_t peer = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	struct lr_tcp_conn *a, *b;

	tt_conf.port_lo = 50000;
	tt_conf.port_hi = 50001;
	tt_reinit();
	a = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL);
	b = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_NOT_EQUAL(a->key.lport, b->key.lport);
	CU_ASSERT_PTR_NULL(lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL));
	CU_ASSERT_EQUAL(errno, EADDRNOTAVAIL);
	/* Another destination port is another tuple: the ports are free for it. */
	CU_ASSERT_PTR_NOT_NULL(lr_tcp_connect(lr_tw, peer, 443, &tt_cb, NULL));
	TT_ASSERT_NO_LEAK();
}

/* No interface reaches the destination (no gateway): ENETUNREACH. */
static void
test_tcp_connect_unreachable(void)
{
	CU_ASSERT_PTR_NULL(lr_tcp_connect(lr_tw, rte_cpu_to_be_32(RTE_IPV4(10, 1, 2, 3)), 80,
			&tt_cb, NULL));
	CU_ASSERT_EQUAL(errno, ENETUNREACH);
	CU_ASSERT_PTR_NULL(lr_tcp_connect(lr_tw, rte_cpu_to_be_32(RTE_IPV4(224u, 0, 0, 1)), 80,
			&tt_cb, NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
	TT_ASSERT_NO_LEAK();
}

/* Listener table: duplicates refused, capacity bounded. */
static void
test_tcp_listen_duplicate_and_full(void)
{
	unsigned int i;

	for (i = 0; i < tt_conf.max_listeners; i++)
		CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, (uint16_t)(1000 + i), &tt_cb, NULL), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, 1000, &tt_cb, NULL), -EADDRINUSE);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, 2000, &tt_cb, NULL), -ENOSPC);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, 0, &tt_cb, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_tcp_unlisten(lr_tw, 1003), 0);
	CU_ASSERT_EQUAL(lr_tcp_unlisten(lr_tw, 1003), -ENOENT);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, 2000, &tt_cb, NULL), 0);
	TT_ASSERT_NO_LEAK();
}

/* The listener lookup stops after the listeners in use, wherever their slots are:
 * with the front slots freed, the last listener is still found (a SYN to it is
 * answered) and its port is never taken for a connect. */
static void
test_tcp_listener_behind_free_slots(void)
{
	uint16_t last = (uint16_t)(1000 + tt_conf.max_listeners - 1);
	struct lr_tcp_conn *c;
	unsigned int i;

	for (i = 0; i < tt_conf.max_listeners; i++)
		CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, (uint16_t)(1000 + i), &tt_cb, NULL), 0);
	for (i = 0; i + 1 < tt_conf.max_listeners; i++)
		CU_ASSERT_EQUAL(lr_tcp_unlisten(lr_tw, (uint16_t)(1000 + i)), 0);
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, last, &tt_cb, NULL), -EADDRINUSE);
	tt_our_port = last;
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(1);
	TT_EXPECT(0, TT_SYN | TT_ACK, 8000, 1001, 0);
	lr_test_tx_clear();
	/* The ephemeral range is just the listener's port and the next one. */
	tt_conf.port_lo = last;
	tt_conf.port_hi = (uint16_t)(last + 1);
	tt_reinit();
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, last, &tt_cb, NULL), 0);
	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(c->key.lport), last + 1);
	TT_ASSERT_NO_LEAK();
}

/* Unlisten frees half-open connections; established ones carry on; new SYNs get
 * a RST. */
static void
test_tcp_unlisten_frees_half_open_only(void)
{
	struct lr_tcp_conn *est = tt_passive_open();

	tt_peer_port = 40100;
	tt_rx_syn(5000, 1460);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 2);
	CU_ASSERT_EQUAL(lr_tcp_unlisten(lr_tw, TT_OUR_PORT), 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_state(est), LR_TCP_ESTABLISHED);
	lr_test_tx_clear();
	tt_peer_port = 40200;
	tt_rx_syn(6000, 1460);
	TT_EXPECT(0, TT_RST | TT_ACK, 0, 6001, 0);
	TT_ASSERT_NO_LEAK();
}

struct walk_result {
	unsigned int n;
	struct lr_tcp_conn_info info[4];
};

static int
collect(const struct lr_tcp_conn_info *info, void *arg)
{
	struct walk_result *r = arg;

	if (r->n < RTE_DIM(r->info))
		r->info[r->n] = *info;
	r->n++;
	return 0;
}

static int
stop_at_first(const struct lr_tcp_conn_info *info, void *arg)
{
	RTE_SET_USED(info);
	(*(unsigned int *)arg)++;
	return 1;
}

/* The netstat walk: listeners first, then connections with their queues. */
static void
test_tcp_walk_lists_listener_and_conn(void)
{
	struct lr_tcp_conn *c = tt_passive_open();
	struct walk_result r;
	unsigned int calls = 0;

	CU_ASSERT_EQUAL(lr_tcp_send(c, "0123456789", 10), 10);
	tt_flush();
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(lr_tcp_walk(lr_tw, collect, &r), 2);
	CU_ASSERT_EQUAL(r.n, 2);
	CU_ASSERT_EQUAL(r.info[0].state, LR_TCP_LISTEN);
	CU_ASSERT_STRING_EQUAL(r.info[0].state_name, "LISTEN");
	CU_ASSERT_EQUAL(r.info[0].lport, TT_OUR_PORT);
	CU_ASSERT_EQUAL(r.info[1].state, LR_TCP_ESTABLISHED);
	CU_ASSERT_STRING_EQUAL(r.info[1].state_name, "ESTABLISHED");
	CU_ASSERT_EQUAL(r.info[1].laddr, rte_cpu_to_be_32(LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(r.info[1].lport, TT_OUR_PORT);
	CU_ASSERT_EQUAL(r.info[1].raddr, rte_cpu_to_be_32(LR_TEST_PEER_IP));
	CU_ASSERT_EQUAL(r.info[1].rport, TT_PEER_PORT);
	CU_ASSERT_EQUAL(r.info[1].send_q, 10);
	CU_ASSERT_EQUAL(r.info[1].recv_q, 0);
	CU_ASSERT_EQUAL(r.info[1].retransmits, 0);
	CU_ASSERT_EQUAL(r.info[1].rto_us, tt_conf.rto_min_ms * 1000);
	CU_ASSERT_EQUAL(lr_tcp_walk(lr_tw, stop_at_first, &calls), 1);
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_STRING_EQUAL(lr_tcp_state_name(LR_TCP_TIME_WAIT), "TIME_WAIT");
	CU_ASSERT_STRING_EQUAL(lr_tcp_state_name((enum lr_tcp_state)99), "?");
	TT_ASSERT_NO_LEAK();
}

/* Fini frees connections and their send buffers without callbacks; segments on a
 * worker without TCP state are dropped, not crashed on. */
static void
test_tcp_worker_fini_frees_everything(void)
{
	static uint8_t data[20000];
	struct lr_tcp_conn *c = tt_passive_open();

	CU_ASSERT_EQUAL(lr_tcp_send(c, data, sizeof(data)), sizeof(data));
	tt_flush();
	lr_tcp_worker_fini(lr_tw);
	CU_ASSERT_PTR_NULL(lr_tw->tcp);
	CU_ASSERT_EQUAL(tt_app.closed, 0);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	tt_rx_syn(1000, 1460);
	TT_EXPECT_COUNT(0);
	CU_ASSERT_EQUAL(lr_test_stat(LR_STAT_ip_UNKNOWN_PROTO), 1);
	lr_tcp_flush(lr_tw);
	lr_tcp_tick(lr_tw);
	TT_ASSERT_NO_LEAK();
}

/* Configuration checks. */
static void
test_tcp_worker_init_rejects_bad_conf(void)
{
	struct lr_tcp_conf bad = tt_conf;

	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &tt_conf), -EEXIST);
	bad.max_conns = 0;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.port_lo = 2000;
	bad.port_hi = 1000;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.rto_min_ms = 5000;
	bad.rto_max_ms = 1000;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.rcv_wnd = 100000;
	bad.window_scaling = false; /* no way to advertise it */
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.rcv_wnd = (1u << 30) + 1;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.delack_ms = 500; /* RFC 1122: less than 0.5 s */
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.keepalive_ms = 1000;
	bad.keepalive_probes = 0;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	/* Timers past 12.4 days do not fit the 32-bit deadlines. */
	bad = tt_conf;
	bad.keepalive_ms = 13u * 86400 * 1000;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.msl_ms = 7u * 86400 * 1000; /* 2 MSL: 14 days */
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.fin_wait2_ms = UINT32_MAX;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.half_open_max = 0;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.challenge_ack_per_s = 0;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.ooo_max = 5000;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.rst_per_s = 0;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.challenge_ack_per_s = LR_TCP_RATE_MAX + 1;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.challenge_ack_per_conn_ms = LR_TCP_CHACK_CONN_MS_MAX + 1;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	bad = tt_conf;
	bad.isn_rekey_s = LR_TCP_ISN_REKEY_S_MAX + 1;
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, &bad), -EINVAL);
	lr_tcp_worker_fini(lr_tw);
	CU_ASSERT_EQUAL(lr_tcp_worker_init(lr_tw, NULL), 0); /* defaults */
	CU_ASSERT_EQUAL(lr_tcp_stats_get(lr_tw)->v[LR_TCP_STAT_RX], 0);
	TT_ASSERT_NO_LEAK();
}

/* The phase 2 defaults. */
static void
test_tcp_conf_defaults(void)
{
	const struct lr_tcp_conf *d = &lr_tcp_conf_default;

	CU_ASSERT_EQUAL(d->rcv_wnd, 256 * 1024);
	CU_ASSERT(d->window_scaling);
	CU_ASSERT(d->timestamps);
	CU_ASSERT_EQUAL(d->delack_ms, 40);
	CU_ASSERT_EQUAL(d->keepalive_ms, 0);
	CU_ASSERT_EQUAL(d->half_open_max, 1024);
	CU_ASSERT(d->syncookies);
	CU_ASSERT_EQUAL(d->challenge_ack_per_s, 1000);
	CU_ASSERT_EQUAL(d->challenge_ack_per_conn_ms, 500);
	CU_ASSERT_EQUAL(d->rst_per_s, 1000);
	CU_ASSERT_EQUAL(d->isn_rekey_s, 3600);
	CU_ASSERT_EQUAL(d->ooo_max, 256);
	TT_ASSERT_NO_LEAK();
}

/* Without a hook the ISN is RFC 6528's keyed hash plus a 4 us clock. */
static void
test_tcp_default_isn_moves_with_clock_and_tuple(void)
{
	rte_be32_t peer = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	struct lr_tcp_conn *a, *b;
	uint32_t isn_a;

	tt_conf.isn_fn = NULL;
	tt_conf.port_lo = tt_conf.port_hi = 50000;
	tt_reinit();
	a = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	isn_a = a->iss;
	lr_tcp_abort(a);
	tt_flush();
	lr_test_advance_us(400);
	b = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL); /* same tuple, 400 us later */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->iss - isn_a, 100);
	lr_tcp_abort(b);
	tt_flush();
	b = lr_tcp_connect(lr_tw, peer, 81, &tt_cb, NULL); /* another tuple */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_NOT_EQUAL(b->iss - isn_a, 100);
	TT_ASSERT_NO_LEAK();
}

/* --- RFC 6528 ISNs and RFC 7323 §7.1 timestamp offsets: SipHash-2-4, 128-bit keys --- */

/* Key 00..0f, as in the SipHash paper. */
static const struct lr_siphash_key known_key = {
	{ UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908) },
};

/* The tuple of test i: our address port 80 <- the peer, port 40000 + i. */
static struct tcp_key
isn_tuple(unsigned int i)
{
	struct tcp_key k = {
		.raddr = rte_cpu_to_be_32(LR_TEST_PEER_IP + (i >> 12)),
		.laddr = rte_cpu_to_be_32(LR_TEST_OUR_IP),
		.rport = rte_cpu_to_be_16((uint16_t)(40000 + (i & 0xfff))),
		.lport = rte_cpu_to_be_16(80),
	};

	return k;
}

/* ISN = SipHash-2-4(4-tuple, isn_key) + now / 4 us: pinned against the primitive
 * (whose known answers are in tests/core/test_siphash.c). */
static void
test_tcp_isn_is_siphash_of_tuple_plus_clock(void)
{
	struct lr_tcp_shard *sh;
	struct tcp_key k = isn_tuple(7);
	uint64_t now = 123456789;

	tt_conf.isn_fn = NULL;
	tt_reinit();
	sh = lr_tw->tcp;
	sh->isn_key = known_key;
	CU_ASSERT_EQUAL(tcp_new_isn(sh, &k, now),
			(uint32_t)lr_siphash24(&k, sizeof(k), &known_key) + (uint32_t)(now / 4));
	TT_ASSERT_NO_LEAK();
}

/* 4096 tuples at the same instant: every ISN bit is set in about half of them,
 * neighbouring tuples differ in about half their bits, and the steps between
 * neighbours are not a pattern (a linear F would give one step). */
static void
test_tcp_isn_uncorrelated_across_tuples(void)
{
	enum { N = 4096 };
	static uint32_t isn[N];
	unsigned int ones[32] = { 0 }, i, b, same_step = 0;
	uint64_t dist = 0;
	struct tcp_key k;

	tt_conf.isn_fn = NULL;
	tt_reinit();
	for (i = 0; i < N; i++) {
		k = isn_tuple(i);
		isn[i] = tcp_new_isn(lr_tw->tcp, &k, lr_tw->now_us);
		for (b = 0; b < 32; b++)
			ones[b] += (isn[i] >> b) & 1;
		if (i > 0)
			dist += (uint64_t)__builtin_popcount(isn[i] ^ isn[i - 1]);
		if (i > 1 && isn[i] - isn[i - 1] == isn[i - 1] - isn[i - 2])
			same_step++;
	}
	for (b = 0; b < 32; b++) /* N/2 +- 5 sigma (sigma = 32) */
		CU_ASSERT(ones[b] > N / 2 - 160 && ones[b] < N / 2 + 160);
	CU_ASSERT(dist > (uint64_t)(N - 1) * 15 && dist < (uint64_t)(N - 1) * 17);
	CU_ASSERT(same_step < 3);
	TT_ASSERT_NO_LEAK();
}

/* One tuple's ISNs follow the 4 us clock between rekeys; isn_rekey_s later the key is
 * redrawn (counted) and F jumps; with isn_rekey_s 0 it never is. */
static void
test_tcp_isn_monotonic_per_tuple_until_rekey(void)
{
	struct lr_tcp_shard *sh;
	struct tcp_key k = isn_tuple(1);
	uint64_t t0;
	uint32_t i0, i1, i2;

	tt_conf.isn_fn = NULL;
	tt_conf.isn_rekey_s = 10;
	tt_reinit();
	sh = lr_tw->tcp;
	t0 = lr_tw->now_us;
	i0 = tcp_new_isn(sh, &k, t0);
	CU_ASSERT_EQUAL(tcp_new_isn(sh, &k, t0 + 4), i0 + 1);
	CU_ASSERT_EQUAL(tcp_new_isn(sh, &k, t0 + 1000000), i0 + 250000);
	i1 = tcp_new_isn(sh, &k, t0 + 9999996);
	CU_ASSERT_EQUAL(i1, i0 + 2499999);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ISN_REKEY), 0);
	i2 = tcp_new_isn(sh, &k, t0 + 10000000); /* 10 s: rekey */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ISN_REKEY), 1);
	CU_ASSERT_NOT_EQUAL(i2, i0 + 2500000);
	CU_ASSERT_EQUAL(tcp_new_isn(sh, &k, t0 + 12000000), i2 + 500000); /* monotonic again */
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ISN_REKEY), 1);

	tt_conf.isn_rekey_s = 0;
	tt_reinit();
	sh = lr_tw->tcp;
	i0 = tcp_new_isn(sh, &k, t0);
	CU_ASSERT_EQUAL(tcp_new_isn(sh, &k, t0 + 86400ull * 1000000),
			i0 + (uint32_t)(86400ull * 1000000 / 4));
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ISN_REKEY), 0);
	TT_ASSERT_NO_LEAK();
}

/* Each worker draws its own keys: two shards give a tuple unrelated ISNs. */
static void
test_tcp_isn_key_per_shard(void)
{
	struct tcp_key k = isn_tuple(3);
	struct lr_siphash_key a;
	uint64_t now = lr_tw->now_us;
	uint32_t i0;

	tt_conf.isn_fn = NULL;
	tt_reinit();
	a = lr_tw->tcp->isn_key;
	i0 = tcp_new_isn(lr_tw->tcp, &k, now);
	tt_reinit();
	CU_ASSERT(lr_tw->tcp->isn_key.k[0] != a.k[0] || lr_tw->tcp->isn_key.k[1] != a.k[1]);
	CU_ASSERT_NOT_EQUAL(tcp_new_isn(lr_tw->tcp, &k, now), i0);
	TT_ASSERT_NO_LEAK();
}

/* A connection's timestamp offset is SipHash-2-4 of its tuple under ts_key, a key
 * of its own: it differs per tuple, is not the old jhash form, and stays across an
 * ISN rekey (TSval monotonic per tuple for the peers' RFC 6191 checks). */
static void
test_tcp_ts_offset_per_tuple_own_key(void)
{
	rte_be32_t peer = rte_cpu_to_be_32(LR_TEST_PEER_IP);
	struct lr_tcp_shard *sh;
	struct lr_tcp_conn *c;
	struct tcp_key k;
	uint32_t off[64], first;
	unsigned int i, j, dup = 0;

	tt_conf.isn_fn = NULL;
	tt_conf.isn_rekey_s = 1;
	tt_conf.port_lo = tt_conf.port_hi = 50000;
	tt_reinit();
	sh = lr_tw->tcp;
	CU_ASSERT(sh->ts_key.k[0] != sh->isn_key.k[0] || sh->ts_key.k[1] != sh->isn_key.k[1]);
	sh->ts_key = known_key;
	c = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	k = c->key;
	first = c->ts_offset;
	CU_ASSERT_EQUAL(first, (uint32_t)lr_siphash24(&k, sizeof(k), &known_key));
	CU_ASSERT_NOT_EQUAL(first, rte_jhash(&k, sizeof(k),
			(uint32_t)known_key.k[0] ^ 0x5a5a5a5a));
	CU_ASSERT_NOT_EQUAL(first, c->iss - (uint32_t)(lr_tw->now_us / 4));
	lr_tcp_abort(c);
	tt_flush();
	/* Two seconds on, the ISN key has been redrawn; the tuple's offset has not. */
	lr_test_advance_us(2000000);
	tcp_new_isn(sh, &k, lr_tw->now_us);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_ISN_REKEY), 1);
	c = lr_tcp_connect(lr_tw, peer, 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->ts_offset, first);
	lr_tcp_abort(c);
	tt_flush();
	for (i = 0; i < RTE_DIM(off); i++) {
		k = isn_tuple(i);
		off[i] = tcp_ts_offset(sh, &k);
		for (j = 0; j < i; j++)
			dup += off[j] == off[i];
	}
	CU_ASSERT_EQUAL(dup, 0);
	TT_ASSERT_NO_LEAK();
}

/* ---- per-state gauges and the paged walk (issue #9: the control plane never
 * stalls a worker) ---- */

static int
count_state(const struct lr_tcp_conn_info *info, void *arg)
{
	uint64_t *n = arg;

	n[info->state]++;
	return 0;
}

/* The gauges read what a full walk would count, state by state, and so does a paged
 * walk of one entry per page (listeners, connections, TIME_WAIT entries). */
static void
gauges_match_walk(unsigned int line)
{
	uint64_t walked[LR_TCP_NB_STATES] = { 0 }, paged[LR_TCP_NB_STATES] = { 0 };
	uint64_t gauge[LR_TCP_NB_STATES];
	struct lr_tcp_cursor cur = { 0, 0 };
	unsigned int s, pages = 0;

	lr_tcp_walk(lr_tw, count_state, walked);
	while (!lr_tcp_cursor_done(&cur) && pages++ < 100000)
		CU_ASSERT(lr_tcp_walk_page(lr_tw, &cur, 1, count_state, paged) <= 1);
	lr_tcp_state_counts(lr_tw, gauge);
	for (s = 0; s < LR_TCP_NB_STATES; s++)
		if (walked[s] != gauge[s] || paged[s] != gauge[s]) {
			CU_FAIL("state gauge differs from the walk");
			fprintf(stderr, "line %u: %s: gauge %lu, walk %lu, paged %lu\n", line,
					lr_tcp_state_name(s), (unsigned long)gauge[s],
					(unsigned long)walked[s], (unsigned long)paged[s]);
		}
}
#define GAUGES_MATCH() gauges_match_walk(__LINE__)

/* Gauges follow every transition (open, both closes, RST, TIME_WAIT expiry) and end
 * at zero connections, without a walk. */
static void
test_tcp_state_gauges_follow_transitions(void)
{
	uint64_t n[LR_TCP_NB_STATES];
	struct lr_tcp_conn *c, *a;

	c = tt_passive_open();
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_LISTEN], 1);
	CU_ASSERT_EQUAL(n[LR_TCP_ESTABLISHED], 1);
	CU_ASSERT_EQUAL(n[LR_TCP_CLOSED], 0);
	/* a half-open beside it: SYN_RCVD */
	tt_peer_port = 40100;
	tt_rx_syn(5000, 1460);
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_SYN_RCVD], 1);
	tt_rx(5001, 0, TT_RST, NULL, 0);   /* and gone */
	tt_peer_port = TT_PEER_PORT;
	/* an active open: SYN_SENT */
	a = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_SYN_SENT], 1);
	CU_ASSERT_EQUAL(n[LR_TCP_SYN_RCVD], 0);
	lr_tcp_abort(a);
	tt_flush();
	/* we close first: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, then the 2MSL expiry */
	lr_tcp_close(c);
	tt_flush();
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_FIN_WAIT_1], 1);
	tt_rx(1001, 8002, TT_ACK, NULL, 0);
	GAUGES_MATCH();
	tt_rx(1001, 8002, TT_ACK | TT_FIN, NULL, 0);
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_TIME_WAIT], 1);
	CU_ASSERT_EQUAL(n[LR_TCP_ESTABLISHED], 0);
	tt_advance_ms(2ull * tt_conf.msl_ms + 10);
	GAUGES_MATCH();
	lr_tcp_state_counts(lr_tw, n);
	CU_ASSERT_EQUAL(n[LR_TCP_TIME_WAIT], 0);
	CU_ASSERT_EQUAL(n[LR_TCP_CLOSED], 0);
	CU_ASSERT_EQUAL(n[LR_TCP_LISTEN], 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

#define PAGE_CONNS 600
#define PAGE_MAX 256

struct page_seen {
	unsigned int calls;                 /* callbacks in this page */
	unsigned int total;
	unsigned int listeners;
	uint8_t seen[PAGE_CONNS];           /* by local port - port_lo */
	bool dup;
};

static int
page_cb(const struct lr_tcp_conn_info *info, void *arg)
{
	struct page_seen *p = arg;
	unsigned int i;

	p->calls++;
	p->total++;
	if (info->state == LR_TCP_LISTEN) {
		p->listeners++;
		return 0;
	}
	i = info->lport - tt_conf.port_lo;
	if (i >= PAGE_CONNS || p->seen[i]++ != 0)
		p->dup = true;
	return 0;
}

/* A page touches at most max entries, and the walk resumes from its cursor after
 * connections were freed meanwhile (seen or not yet seen): every surviving one is
 * visited exactly once, a freed one not yet seen never. */
static void
test_tcp_walk_page_bounded_and_survives_frees(void)
{
	static struct lr_tcp_conn *conns[PAGE_CONNS];
	static struct page_seen p;
	struct lr_tcp_cursor cur = { 0, 0 };
	unsigned int i, n, pages = 0, freed_unseen = 0, freed_seen = 0;

	tt_conf.port_lo = 20000;
	tt_conf.port_hi = 20000 + PAGE_CONNS - 1;
	tt_conf.max_conns = 4096;
	tt_reinit();
	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < PAGE_CONNS; i++) {
		conns[i] = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb,
				NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(conns[i]);
	}
	tt_flush();
	lr_test_tx_clear();
	n = lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, page_cb, &p);
	CU_ASSERT_EQUAL(n, PAGE_MAX);
	CU_ASSERT_EQUAL(p.calls, PAGE_MAX);
	CU_ASSERT_EQUAL(p.listeners, 1);
	CU_ASSERT_FALSE(lr_tcp_cursor_done(&cur));
	/* free 100 connections between pages: half of them already seen */
	for (i = 0; i < PAGE_CONNS && freed_unseen + freed_seen < 100; i++) {
		unsigned int port = rte_be_to_cpu_16(conns[i]->key.lport) - tt_conf.port_lo;

		if (p.seen[port] ? freed_seen >= 50 : freed_unseen >= 50)
			continue;
		if (p.seen[port])
			freed_seen++;
		else
			freed_unseen++;
		p.seen[port] = 2;  /* freed: must not show up again */
		lr_tcp_abort(conns[i]);
		conns[i] = NULL;
	}
	tt_flush();   /* the blocks go back to the pool */
	while (!lr_tcp_cursor_done(&cur) && pages < 100) {
		p.calls = 0;
		n = lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, page_cb, &p);
		CU_ASSERT(n <= PAGE_MAX);
		CU_ASSERT_EQUAL(n, p.calls);
		pages++;
	}
	CU_ASSERT(lr_tcp_cursor_done(&cur));
	CU_ASSERT_FALSE(p.dup);
	CU_ASSERT_EQUAL(freed_seen, 50);
	CU_ASSERT_EQUAL(freed_unseen, 50);
	CU_ASSERT_EQUAL(p.total, 1 + PAGE_CONNS - freed_unseen);
	for (i = 0; i < PAGE_CONNS; i++)
		if (conns[i] != NULL)
			CU_ASSERT_EQUAL(p.seen[rte_be_to_cpu_16(conns[i]->key.lport) -
					tt_conf.port_lo], 1);
	/* a finished cursor stays finished; a callback's stop ends the walk */
	CU_ASSERT_EQUAL(lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, page_cb, &p), 0);
	memset(&cur, 0, sizeof(cur));
	CU_ASSERT_EQUAL(lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, stop_at_first, &i), 1);
	CU_ASSERT(lr_tcp_cursor_done(&cur));
	TT_ASSERT_NO_LEAK();
}

/* A callback that takes 4 us a row (busy wait on the TSC): a page of slow rows. */
static int
slow_cb(const struct lr_tcp_conn_info *info, void *arg)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000000 * 4;

	RTE_SET_USED(info);
	(*(unsigned int *)arg)++;
	while (rte_rdtsc() < end)
		rte_pause();
	return 0;
}

/* A page also ends once LR_TCP_WALK_US has passed (cold connections cost cache misses:
 * 256 of them took up to 330 us in the daemon), the clock read every 16 rows: rows of
 * 4 us each stop a page at the first check past 25 us, 16 or 32 rows, not 256; the walk
 * still progresses to the end and lists every connection once. */
static void
test_tcp_walk_page_ends_on_time(void)
{
	static struct page_seen p;
	struct lr_tcp_cursor cur = { 0, 0 };
	unsigned int i, n, rows = 0, pages = 0, longest = 0;

	RTE_BUILD_BUG_ON(16 * 4 <= LR_TCP_WALK_US);  /* 16 slow rows pass the bound */
	tt_conf.port_lo = 20000;
	tt_conf.port_hi = 20000 + PAGE_CONNS - 1;
	tt_conf.max_conns = 4096;
	tt_reinit();
	for (i = 0; i < PAGE_CONNS; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(lr_tcp_connect(lr_tw,
				rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL));
		if (i % 128 == 127) {
			tt_flush();
			lr_test_tx_clear();
		}
	}
	tt_flush();
	lr_test_tx_clear();
	while (!lr_tcp_cursor_done(&cur) && pages < PAGE_CONNS) {
		n = lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, slow_cb, &rows);
		longest = RTE_MAX(longest, n);
		pages++;
	}
	CU_ASSERT(lr_tcp_cursor_done(&cur));
	CU_ASSERT_EQUAL(rows, PAGE_CONNS);
	/* at least 16 rows a page (progress), and far fewer than PAGE_MAX: the time bound
	 * (a descheduled test thread may let one check pass late, so 32 is allowed) */
	CU_ASSERT(longest >= 16);
	CU_ASSERT(longest <= 32);
	CU_ASSERT(pages >= PAGE_CONNS / 32);
	/* fast rows: the page ends on the count, not the clock */
	memset(&cur, 0, sizeof(cur));
	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(lr_tcp_walk_page(lr_tw, &cur, PAGE_MAX, page_cb, &p), PAGE_MAX);
	lr_tcp_reset_all(lr_tw, PAGE_CONNS);
	tt_flush();
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

#define SPARSE_CONNS 6000

static int
count_cb(const struct lr_tcp_conn_info *info, void *arg)
{
	RTE_SET_USED(info);
	(*(unsigned int *)arg)++;
	return 0;
}

/* A shard that held many connections and kept one, the last made: a page looks at
 * LR_TCP_WALK_SCAN(max) connection slots at most, so the walk crosses the empty ones
 * in pages that may list nothing (the worker is never held for a whole table), and
 * still lists the survivor once. A new connection takes a freed slot: slots stay
 * packed. */
static void
test_tcp_walk_page_sparse_bounded(void)
{
	static struct lr_tcp_conn *conns[SPARSE_CONNS];
	struct lr_tcp_cursor cur = { 0, 0 };
	struct lr_tcp_shard *sh;
	unsigned int i, n, seen = 0, pages = 0, empty = 0;
	uint32_t hi;

	tt_conf.port_lo = 20000;
	tt_conf.port_hi = 20000 + SPARSE_CONNS - 1;
	tt_conf.max_conns = SPARSE_CONNS + 16;
	tt_reinit();
	sh = lr_tw->tcp;
	for (i = 0; i < SPARSE_CONNS; i++) {
		conns[i] = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb,
				NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(conns[i]);
		if (i % 128 == 127) {
			tt_flush();
			lr_test_tx_clear();
		}
	}
	for (i = 0; i + 1 < SPARSE_CONNS; i++)
		lr_tcp_abort(conns[i]);
	tt_flush();
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	hi = sh->slot_hi;
	CU_ASSERT(hi >= SPARSE_CONNS);
	while (!lr_tcp_cursor_done(&cur) && pages < 100) {
		n = lr_tcp_walk_page(lr_tw, &cur, 1, count_cb, &seen);
		empty += n == 0 && !lr_tcp_cursor_done(&cur);
		pages++;
	}
	CU_ASSERT(lr_tcp_cursor_done(&cur));
	CU_ASSERT_EQUAL(seen, 1);
	/* SPARSE_CONNS - 1 empty slots before the survivor, LR_TCP_WALK_SCAN(1) a page */
	CU_ASSERT(empty >= (SPARSE_CONNS - 1) / LR_TCP_WALK_SCAN(1));
	conns[0] = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &tt_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conns[0]);
	CU_ASSERT_EQUAL(sh->slot_hi, hi);
	CU_ASSERT(conns[0]->slot < hi);
	CU_ASSERT_PTR_EQUAL(sh->slots[conns[0]->slot], conns[0]);
	lr_tcp_abort(conns[0]);
	lr_tcp_abort(conns[SPARSE_CONNS - 1]);
	tt_flush();
	lr_test_tx_clear();
	TT_ASSERT_NO_LEAK();
}

/* Shutdown: lr_tcp_reset_all() resets at most max connections per call (RST for the
 * synchronized ones, closed(RESET) to the application) until none is left. */
static void
test_tcp_reset_all_pages_rsts(void)
{
	unsigned int i;

	CU_ASSERT_EQUAL(lr_tcp_listen(lr_tw, TT_OUR_PORT, &tt_cb, NULL), 0);
	for (i = 0; i < 3; i++) {
		tt_peer_port = (uint16_t)(41000 + i);
		tt_rx_syn(1000, 1460);
		tt_rx(1001, tt_isn + 1, TT_ACK, NULL, 0);
	}
	CU_ASSERT_EQUAL(tt_app.connected, 3);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_reset_all(lr_tw, 2), 1);
	tt_flush();
	TT_EXPECT_COUNT(2);
	CU_ASSERT_EQUAL(lr_tcp_reset_all(lr_tw, 2), 0);
	tt_flush();
	TT_EXPECT_COUNT(3);
	for (i = 0; i < 3; i++) {
		struct tt_out o;

		CU_ASSERT_EQUAL(tt_out(i, &o), 0);
		CU_ASSERT(o.flags & TT_RST);
	}
	CU_ASSERT_EQUAL(tt_app.closed, 3);
	CU_ASSERT_EQUAL(tt_app.reason, LR_TCP_CLOSE_RESET);
	CU_ASSERT_EQUAL(tt_stat(LR_TCP_STAT_SHUTDOWN_RST), 3);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	TT_ASSERT_NO_LEAK();
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_conn_table_full_syn_dropped", test_tcp_conn_table_full_syn_dropped },
	{ "test_tcp_conn_lookup_many_tuples", test_tcp_conn_lookup_many_tuples },
	{ "test_tcp_connect_ports_distinct_then_exhausted",
		test_tcp_connect_ports_distinct_then_exhausted },
	{ "test_tcp_connect_unreachable", test_tcp_connect_unreachable },
	{ "test_tcp_listen_duplicate_and_full", test_tcp_listen_duplicate_and_full },
	{ "test_tcp_listener_behind_free_slots", test_tcp_listener_behind_free_slots },
	{ "test_tcp_unlisten_frees_half_open_only", test_tcp_unlisten_frees_half_open_only },
	{ "test_tcp_walk_lists_listener_and_conn", test_tcp_walk_lists_listener_and_conn },
	{ "test_tcp_worker_fini_frees_everything", test_tcp_worker_fini_frees_everything },
	{ "test_tcp_worker_init_rejects_bad_conf", test_tcp_worker_init_rejects_bad_conf },
	{ "test_tcp_default_isn_moves_with_clock_and_tuple",
		test_tcp_default_isn_moves_with_clock_and_tuple },
	{ "test_tcp_conf_defaults", test_tcp_conf_defaults },
	{ "test_tcp_isn_is_siphash_of_tuple_plus_clock",
		test_tcp_isn_is_siphash_of_tuple_plus_clock },
	{ "test_tcp_isn_uncorrelated_across_tuples", test_tcp_isn_uncorrelated_across_tuples },
	{ "test_tcp_isn_monotonic_per_tuple_until_rekey",
		test_tcp_isn_monotonic_per_tuple_until_rekey },
	{ "test_tcp_isn_key_per_shard", test_tcp_isn_key_per_shard },
	{ "test_tcp_ts_offset_per_tuple_own_key", test_tcp_ts_offset_per_tuple_own_key },
	{ "test_tcp_reset_all_pages_rsts", test_tcp_reset_all_pages_rsts },
	{ "test_tcp_state_gauges_follow_transitions", test_tcp_state_gauges_follow_transitions },
	{ "test_tcp_walk_page_bounded_and_survives_frees",
		test_tcp_walk_page_bounded_and_survives_frees },
	{ "test_tcp_walk_page_ends_on_time", test_tcp_walk_page_ends_on_time },
	{ "test_tcp_walk_page_sparse_bounded", test_tcp_walk_page_sparse_bounded },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_conn", tt_setup, tt_teardown, cases },
		{ 0 },
	};

	return lr_test_main(argc, argv, suites);
}
