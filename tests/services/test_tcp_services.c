/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services/tcp_services.c through the real TCP stack: segments from the peer go in at
 * lr_eth_input(), what the appliance sends is parsed back from the TX recorder.
 * Echo, echo with a full send buffer and the peer's FIN, discard, chargen, HTTP
 * (keep-alive, split and pipelined requests, Connection: close, errors) and the
 * client of the `connect` command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "config.h"
#include "lr_tcp.h"
#include "lr_test.h"
#include "tcp_services.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG
#define OUR_ISN 8000
#define PEER_ISN 1000
#define PEER_PORT 40000

static struct lr_config cfg;

/* The peer's side of one connection. */
struct peer {
	uint16_t sport, dport;  /* peer port, our port */
	uint32_t seq;           /* next sequence number the peer sends */
	uint32_t ack;           /* next sequence number the peer expects from us */
	uint16_t wnd;           /* window it advertises */
};

/* What the appliance sent since the last collect(). */
struct got {
	uint8_t data[70000];
	uint32_t len;
	unsigned int segs, fins, rsts, syns;
	uint32_t last_seq;
};
static struct got got;

static void
start(uint32_t sndbuf)
{
	lr_test_reset();
	lr_tcp_init();
	lr_config_defaults(&cfg);
	cfg.tcp.max_conns = 64;
	cfg.tcp.max_listeners = 8;
	cfg.tcp.sndbuf = sndbuf;
	cfg.tcp.isn_fn = lr_test_isn;
	cfg.tcp.isn_arg = (void *)(uintptr_t)OUR_ISN;
	lr_tw->tcp = NULL;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &cfg.tcp), 0);
	CU_ASSERT_EQUAL_FATAL(lr_services_tcp_init(lr_tw, &cfg), 0);
}

static void
setup(void)
{
	start(64 * 1024);
}

static void
teardown(void)
{
	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	lr_test_cleanup();
}

/* A segment from the peer with a valid checksum. */
static struct rte_mbuf *
seg(const struct peer *p, uint8_t flags, const void *data, uint16_t len)
{
	static const uint8_t opt[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	const struct lr_test_tcp_seg s = {
		.sport = p->sport, .dport = p->dport, .seq = p->seq,
		.ack = (flags & ACK) ? p->ack : 0, .flags = flags, .wnd = p->wnd,
		.opts = opt, .optlen = (flags & SYN) ? 4 : 0, .data = data, .len = len,
	};

	return lr_test_tcp(&s);
}

/* Collect what was sent to p: payload appended to got, flags counted. */
static void
collect(const struct peer *p)
{
	struct lr_test_parsed pp;
	unsigned int i;

	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	for (i = 0; i < lr_test_tx_count(); i++) {
		struct rte_mbuf *m = lr_test_tx_get(i);

		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_linearize(m), 0);
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, &pp), 0);
		if (pp.tcp == NULL || rte_be_to_cpu_16(pp.tcp->dst_port) != p->sport)
			continue;
		CU_ASSERT(lr_test_l4_cksum_ok(&pp));
		got.segs++;
		got.fins += !!(pp.tcp->tcp_flags & FIN);
		got.rsts += !!(pp.tcp->tcp_flags & RST);
		got.syns += !!(pp.tcp->tcp_flags & SYN);
		got.last_seq = rte_be_to_cpu_32(pp.tcp->sent_seq);
		if (pp.payload_len > 0 && got.len + pp.payload_len <= sizeof(got.data)) {
			memcpy(got.data + got.len, pp.payload, pp.payload_len);
			got.len += pp.payload_len;
		}
	}
	lr_test_tx_clear();
}

static void
got_reset(void)
{
	memset(&got, 0, sizeof(got));
}

/* Send a segment, end the burst, collect the answer (got is reset first). */
static void
send_seg(struct peer *p, uint8_t flags, const void *data, uint16_t len)
{
	got_reset();
	lr_test_rx(seg(p, flags, data, len));
	p->seq += len + ((flags & (SYN | FIN)) ? 1 : 0);
	collect(p);
}

/* The peer acknowledges everything received so far (and got.fins). */
static void
ack_all(struct peer *p)
{
	p->ack += got.len + got.fins;
	send_seg(p, ACK, NULL, 0);
}

static void
open_conn(struct peer *p, uint16_t port, uint16_t sport)
{
	p->sport = sport;
	p->dport = port;
	p->seq = PEER_ISN;
	p->ack = 0;
	p->wnd = 65535;
	send_seg(p, SYN, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(got.syns, 1);
	p->ack = OUR_ISN + 1;
	send_seg(p, ACK, NULL, 0);
}

static const char *
got_str(void)
{
	got.data[RTE_MIN(got.len, (uint32_t)sizeof(got.data) - 1)] = '\0';
	return (const char *)got.data;
}

static unsigned int
count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static void
svc_stats(struct lr_tcp_svc_stats s[LR_TCP_SVC_NB], struct lr_tcp_client_stats *cl)
{
	lr_services_tcp_stats(1, s, cl);
}

struct find_state {
	uint16_t rport;
	int state;
	const char *cc;
};

static int
find_cb(const struct lr_tcp_conn_info *info, void *arg)
{
	struct find_state *f = arg;

	if (info->state != LR_TCP_LISTEN && info->rport == f->rport) {
		f->state = info->state;
		f->cc = info->cc;
		return 1;
	}
	return 0;
}

/* State of the connection to the peer's port, -1 if none. */
static int
conn_state(uint16_t rport)
{
	struct find_state f = { rport, -1, NULL };

	lr_tcp_walk(lr_tw, find_cb, &f);
	return f.state;
}

/* Congestion control of the connection to the peer's port, "" if none. */
static const char *
conn_cc(uint16_t rport)
{
	struct find_state f = { rport, -1, NULL };

	lr_tcp_walk(lr_tw, find_cb, &f);
	return f.cc != NULL ? f.cc : "";
}

/* Restart the services with cfg as it is now. */
static void
restart(void)
{
	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &cfg.tcp), 0);
	CU_ASSERT_EQUAL_FATAL(lr_services_tcp_init(lr_tw, &cfg), 0);
}

/* [tcp] <svc>_cc picks a service's congestion control, "default" the one of
 * [tcp] cc. */
static void
test_tcp_services_per_service_cc(void)
{
	struct peer p;

	cfg.tcp_echo_cc = LR_TCP_CC_NEWRENO;
	restart();
	open_conn(&p, 7, PEER_PORT);
	open_conn(&p, 9, PEER_PORT + 1);
	CU_ASSERT_STRING_EQUAL(conn_cc(PEER_PORT), "newreno");
	CU_ASSERT_STRING_EQUAL(conn_cc(PEER_PORT + 1), "cubic"); /* [tcp] cc's default */
	cfg.tcp.cc = LR_TCP_CC_NEWRENO;
	cfg.tcp_echo_cc = LR_CFG_CC_DEFAULT;
	cfg.tcp_http_cc = LR_TCP_CC_CUBIC;
	restart();
	open_conn(&p, 7, PEER_PORT);
	open_conn(&p, 80, PEER_PORT + 2);
	CU_ASSERT_STRING_EQUAL(conn_cc(PEER_PORT), "newreno");
	CU_ASSERT_STRING_EQUAL(conn_cc(PEER_PORT + 2), "cubic");
}

/* A peer with a closed window sending one byte per segment to echo: what echo holds
 * collapses into full buffers (a couple of mbufs for 2000 bytes, not 2000) and is
 * charged to the connection and the worker's budget as LR_MEM_TCP_RCV; all of it goes
 * back when the connection ends. */
static void
test_tcp_services_echo_tiny_segments_collapse_and_charge(void)
{
	struct rte_mbuf *one = rte_pktmbuf_alloc(lr_test_pool);
	uint32_t per = lr_mbuf_seg_truesize(one);
	unsigned int base, i;
	struct peer p;
	char b = 'x';

	rte_pktmbuf_free(one);
	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	start(1000);
	open_conn(&p, 7, PEER_PORT);
	p.wnd = 0;
	send_seg(&p, ACK, NULL, 0);
	base = rte_mempool_in_use_count(lr_test_pool);
	for (i = 0; i < 3000; i++)
		send_seg(&p, ACK | PSH, &b, 1);
	/* 1000 bytes in the send buffer, 2000 held by echo */
	CU_ASSERT(lr_tw->mem.by_user[LR_MEM_TCP_RCV] > 0);
	CU_ASSERT(lr_tw->mem.by_user[LR_MEM_TCP_RCV] <= 2u * per);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_SVC], 0);
	CU_ASSERT(rte_mempool_in_use_count(lr_test_pool) < base + 16);
	send_seg(&p, RST, NULL, 0);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], 0);
}

/* ---- cases ---- */

static void
test_tcp_services_listen_on_configured_ports(void)
{
	struct peer p;

	/* all four listen; a closed port is refused */
	open_conn(&p, 7, PEER_PORT);
	open_conn(&p, 9, PEER_PORT + 1);
	open_conn(&p, 80, PEER_PORT + 2);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 3);
	p.sport = PEER_PORT + 3;
	p.dport = 81;
	p.seq = PEER_ISN;
	send_seg(&p, SYN, NULL, 0);
	CU_ASSERT_EQUAL(got.rsts, 1);
	CU_ASSERT_EQUAL(lr_services_tcp_init(lr_tw, &cfg), -EEXIST);
}

static void
test_tcp_services_echo_returns_bytes(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p;

	open_conn(&p, 7, PEER_PORT);
	send_seg(&p, ACK | PSH, "hello, echo", 11);
	CU_ASSERT_EQUAL(got.len, 11);
	CU_ASSERT_NSTRING_EQUAL(got.data, "hello, echo", 11);
	ack_all(&p);
	send_seg(&p, ACK | PSH, "again", 5);
	CU_ASSERT_EQUAL(got.len, 5);
	CU_ASSERT_NSTRING_EQUAL(got.data, "again", 5);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_ECHO].conns, 1);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_ECHO].bytes_in, 16);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_ECHO].bytes_out, 16);
	/* the peer closes: echo closes too */
	ack_all(&p);
	send_seg(&p, ACK | FIN, NULL, 0);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_LAST_ACK);
}

/* Send buffer of 1000 bytes, peer window 500: echo holds what it cannot queue and
 * sends it after the peer's FIN, then its own FIN. */
static void
test_tcp_services_echo_after_fin_sends_rest_then_fin(void)
{
	uint8_t data[1400], all[1400];
	uint32_t total = 0, i;
	struct peer p;

	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	start(1000);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	open_conn(&p, 7, PEER_PORT);
	p.wnd = 500;
	send_seg(&p, ACK | PSH, data, sizeof(data));
	CU_ASSERT(got.len <= 500);
	memcpy(all, got.data, got.len);
	total = got.len;
	CU_ASSERT_EQUAL(got.fins, 0);
	/* FIN while 400 bytes wait for room: no FIN from us yet */
	got_reset();
	lr_test_rx(seg(&p, ACK | FIN, NULL, 0));
	p.seq++;
	collect(&p);
	CU_ASSERT_EQUAL(got.fins, 0);
	/* the peer reads everything and opens its window: the rest, then FIN */
	p.wnd = 65535;
	for (i = 0; i < 10 && total < sizeof(data); i++) {
		p.ack = OUR_ISN + 1 + total;
		send_seg(&p, ACK, NULL, 0);
		if (total + got.len <= sizeof(all))
			memcpy(all + total, got.data, got.len);
		total += got.len;
	}
	CU_ASSERT_EQUAL(total, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(all, data, sizeof(data)), 0);
	if (got.fins == 0) {
		p.ack = OUR_ISN + 1 + total;
		send_seg(&p, ACK, NULL, 0);
	}
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_LAST_ACK);
}

static void
test_tcp_services_discard_counts(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	uint8_t data[1000] = { 0 };
	struct peer p;

	open_conn(&p, 9, PEER_PORT);
	send_seg(&p, ACK, data, 1000);
	CU_ASSERT_EQUAL(got.len, 0);
	send_seg(&p, ACK, data, 234);
	CU_ASSERT_EQUAL(got.len, 0);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_DISCARD].conns, 1);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_DISCARD].bytes_in, 1234);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_DISCARD].bytes_out, 0);
	send_seg(&p, ACK | FIN, NULL, 0);
	CU_ASSERT_EQUAL(got.fins, 1);
}

static void
test_tcp_services_chargen_fills_window(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	char line[75];
	struct peer p;
	unsigned int i;

	open_conn(&p, 19, PEER_PORT);
	/* RFC 864: line 0 is ' ' .. 'g' (72 characters), CR LF; line 1 starts with '!' */
	for (i = 0; i < 72; i++)
		line[i] = (char)(' ' + i);
	line[72] = '\r';
	line[73] = '\n';
	CU_ASSERT(got.len >= 148);
	CU_ASSERT_EQUAL(memcmp(got.data, line, 74), 0);
	CU_ASSERT_EQUAL(got.data[74], '!');
	CU_ASSERT(got.len <= p.wnd);
	svc_stats(s, NULL);
	/* the send buffer is full: sent or waiting for the window */
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_CHARGEN].bytes_out, cfg.tcp.sndbuf);
	/* acknowledged bytes are refilled */
	ack_all(&p);
	svc_stats(s, NULL);
	CU_ASSERT(s[LR_TCP_SVC_CHARGEN].bytes_out > cfg.tcp.sndbuf);
	/* received data is ignored; the peer's FIN ends it */
	send_seg(&p, ACK, "xyz", 3);
	send_seg(&p, ACK | FIN, NULL, 0);
	p.ack += got.len;
	collect(&p);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_CHARGEN].bytes_in, 3);
	CU_ASSERT_NOT_EQUAL(conn_state(PEER_PORT), LR_TCP_ESTABLISHED);
}

static const char get_req[] = "GET / HTTP/1.1\r\nHost: linerate\r\n\r\n";

static void
test_tcp_services_http_keepalive_two_responses(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p;
	const char *body;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Content-Length: 128\r\n"));
	CU_ASSERT_PTR_NULL(strstr(got_str(), "Connection: close"));
	body = strstr(got_str(), "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL(strlen(body + 4), 128);
	CU_ASSERT_EQUAL(strncmp(body + 4, "abcdefghijklmnopqrstuvwxyzabc", 29), 0);
	CU_ASSERT_EQUAL(got.fins, 0);
	ack_all(&p);
	/* the second request arrives in two pieces */
	send_seg(&p, ACK, "GE", 2);
	CU_ASSERT_EQUAL(got.len, 0);
	send_seg(&p, ACK | PSH, get_req + 2, sizeof(get_req) - 3);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 1);
	CU_ASSERT_EQUAL(got.fins, 0);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_ESTABLISHED);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].conns, 1);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].requests, 2);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].errors, 0);
}

/* The worker remembers the last request head it parsed whole from a fresh parser,
 * and what it found there: the same bytes again are answered alike, and what differs
 * from them, or follows them, is parsed. A remembered head with a body still has its
 * body skipped (not read as a request); a HEAD of the same target gets no body. */
static void
test_tcp_services_http_memo_same_bytes_same_answer(void)
{
	static const char then_close[] = "GET / HTTP/1.1\r\nHost: linerate\r\n\r\n"
		"GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
	static const char with_body[] = "GET /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
	static const char head[] = "HEAD / HTTP/1.1\r\nHost: linerate\r\n\r\n";
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	char first[512];
	uint32_t first_len;
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	first_len = got.len;
	CU_ASSERT_FATAL(first_len > 128 && first_len < sizeof(first));
	memcpy(first, got.data, first_len);
	ack_all(&p);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	CU_ASSERT_EQUAL(got.len, first_len);
	CU_ASSERT_EQUAL(memcmp(got.data, first, first_len), 0);
	ack_all(&p);
	/* the same bytes, then another request in the same segment */
	send_seg(&p, ACK | PSH, then_close, sizeof(then_close) - 1);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 2);
	CU_ASSERT_EQUAL(count_str(got_str(), "Connection: close\r\n"), 1);
	CU_ASSERT_EQUAL(memcmp(got.data, first, first_len), 0);
	CU_ASSERT_EQUAL(got.fins, 1);

	open_conn(&p, 80, PEER_PORT + 1);
	send_seg(&p, ACK | PSH, with_body, sizeof(with_body) - 1);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 1);
	ack_all(&p);
	send_seg(&p, ACK | PSH, with_body, sizeof(with_body) - 1);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 1);
	CU_ASSERT_EQUAL(count_str(got_str(), "400"), 0);
	ack_all(&p);
	send_seg(&p, ACK | PSH, head, sizeof(head) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Content-Length: 128\r\n"));
	CU_ASSERT_EQUAL(strlen(strstr(got_str(), "\r\n\r\n")), 4);   /* HEAD: no body */
	ack_all(&p);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	CU_ASSERT_EQUAL(got.len, first_len);
	CU_ASSERT_EQUAL(memcmp(got.data, first, first_len), 0);
	CU_ASSERT_EQUAL(got.fins, 0);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].requests, 8);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].errors, 0);
}

/* Requests in one segment beyond what the send buffer (1000 bytes) takes: those
 * answered leave at once, the rest of the segment is held (charged as received data)
 * and answered as the peer acknowledges; nothing stays held or charged after. */
static void
test_tcp_services_http_pipelined_beyond_send_buffer(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	char reqs[10 * sizeof(get_req)];
	unsigned int i, n, total;
	uint32_t len = 0;
	struct peer p;

	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	start(1000);
	for (i = 0; i < 10; i++) {
		memcpy(reqs + len, get_req, sizeof(get_req) - 1);
		len += sizeof(get_req) - 1;
	}
	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, reqs, (uint16_t)len);
	total = count_str(got_str(), "HTTP/1.1 200 OK");
	CU_ASSERT(total >= 1 && total < 10);
	CU_ASSERT(lr_tw->mem.by_user[LR_MEM_TCP_RCV] > 0);
	for (i = 0; i < 20 && total < 10; i++) {
		ack_all(&p);
		n = count_str(got_str(), "HTTP/1.1 200 OK");
		total += n;
	}
	CU_ASSERT_EQUAL(total, 10);
	CU_ASSERT_EQUAL(lr_tw->mem.by_user[LR_MEM_TCP_RCV], 0);
	ack_all(&p);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].requests, 10);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].bytes_in, len);
	CU_ASSERT_EQUAL(got.fins, 0);
}

static void
test_tcp_services_http_connection_close_we_close_first(void)
{
	static const char req[] = "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n";
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, req, sizeof(req) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: close\r\n"));
	CU_ASSERT_EQUAL(got.fins, 1);
	/* the peer acknowledges and closes: the appliance holds TIME_WAIT */
	ack_all(&p);
	send_seg(&p, ACK | FIN, NULL, 0);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_TIME_WAIT);
}

static void
test_tcp_services_http_10_closes_unless_keepalive(void)
{
	static const char r10[] = "GET / HTTP/1.0\r\n\r\n";
	static const char r10k[] = "HEAD / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, r10k, sizeof(r10k) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: keep-alive\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Content-Length: 128\r\n"));
	CU_ASSERT_EQUAL(strlen(strstr(got_str(), "\r\n\r\n")), 4);   /* HEAD: no body */
	CU_ASSERT_EQUAL(got.fins, 0);
	ack_all(&p);
	send_seg(&p, ACK | PSH, r10, sizeof(r10) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: close\r\n"));
	CU_ASSERT_EQUAL(got.fins, 1);
}

static void
test_tcp_services_http_pipelined_in_order(void)
{
	static const char reqs[] = "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n"
		"DELETE /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\nConnection: close\r\n\r\n";
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	const char *a, *b, *c, *d;
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, reqs, sizeof(reqs) - 1);
	a = strstr(got_str(), "HTTP/1.1 200 OK");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	b = strstr(a + 1, "HTTP/1.1 200 OK");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	c = strstr(b + 1, "HTTP/1.1 405 Method Not Allowed");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	d = strstr(c + 1, "HTTP/1.1 200 OK");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	/* a carries a body, b (HEAD) none: c follows b's header at once */
	CU_ASSERT(b - a > 128);
	CU_ASSERT_EQUAL(c - strstr(b, "\r\n\r\n"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "Allow: GET, HEAD\r\n"));
	CU_ASSERT_EQUAL(got.fins, 1);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].requests, 4);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].errors, 1);
}

static void
test_tcp_services_http_bad_request_400_and_close(void)
{
	static const char bad[] = "GARBAGE\r\n\r\n";
	static const char badhdr[] = "GET / HTTP/1.1\r\nNo colon here\r\n\r\n";
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, bad, sizeof(bad) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 400 Bad Request\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: close\r\n"));
	CU_ASSERT_EQUAL(got.fins, 1);
	open_conn(&p, 80, PEER_PORT + 1);
	send_seg(&p, ACK | PSH, badhdr, sizeof(badhdr) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 400 Bad Request\r\n"));
	CU_ASSERT_EQUAL(got.fins, 1);
}

/* Lines longer than the parser keeps (HTTP_LINE, 256) keep their start and their last
 * bytes, whole or in pieces of any size: a 600-byte target before " HTTP/1.1" (its
 * version read from the kept tail), a 400-byte header, then Connection: close. A wrong
 * version at the end of a long line is still seen (400). */
static void
test_tcp_services_http_long_lines_whole_and_in_pieces(void)
{
	static char req[1200], bad[800];
	unsigned int round, off, piece, len, blen;
	struct peer p;

	len = (unsigned int)snprintf(req, sizeof(req), "GET /%0600d HTTP/1.1\r\nX-Long: %0400d\r\n"
			"Connection: close\r\n\r\n", 7, 9);
	blen = (unsigned int)snprintf(bad, sizeof(bad), "GET /%0600d HTTP/1.2\r\n\r\n", 3);
	for (round = 0; round < 4; round++) {
		const char *r = round < 2 ? req : bad;
		unsigned int n = round < 2 ? len : blen;

		open_conn(&p, 80, (uint16_t)(PEER_PORT + 40 + round));
		for (off = 0, piece = 1; off < n; off += piece, piece = piece % 13 + 1) {
			if (round % 2 == 0)
				piece = n;   /* whole */
			piece = RTE_MIN(piece, n - off);
			if (off + piece < n) {
				send_seg(&p, ACK, r + off, (uint16_t)piece);
				CU_ASSERT_EQUAL(got.len, 0);
			} else {
				send_seg(&p, ACK | PSH, r + off, (uint16_t)piece);
			}
		}
		if (round < 2) {
			CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 200 OK\r\n"));
			CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: close\r\n"));
		} else {
			CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 400 Bad Request\r\n"));
		}
		CU_ASSERT_EQUAL(got.fins, 1);
	}
}

static void
test_tcp_services_http_header_too_large_431(void)
{
	char chunk[1001];
	struct peer p;
	unsigned int i;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK, "GET / HTTP/1.1\r\n", 16);
	memset(chunk, 'a', sizeof(chunk));
	memcpy(chunk, "X-Pad: ", 7);
	chunk[998] = '\r';
	chunk[999] = '\n';
	for (i = 0; i < 9 && got.fins == 0; i++)
		send_seg(&p, ACK, chunk, 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "HTTP/1.1 431 Request Header Fields Too Large"));
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(i, 9);   /* 16 + 8 x 1000 fit, the ninth line does not */
}

static void
test_tcp_services_client_sends_pattern_and_half_closes(void)
{
	struct lr_tcp_client_stats cl;
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct lr_test_parsed pp;
	struct peer p = { .dport = 0, .sport = 5001, .wnd = 65535 };
	uint32_t i;

	CU_ASSERT_EQUAL(lr_services_tcp_client_start(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP),
			5001, 600), 0);
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &pp), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pp.tcp);
	/* the peer is the listener: its frames go from port 5001 to our ephemeral port */
	p.dport = rte_be_to_cpu_16(pp.tcp->src_port);
	lr_test_tx_clear();
	p.seq = 3000;
	p.ack = OUR_ISN + 1;
	send_seg(&p, SYN | ACK, NULL, 0);
	CU_ASSERT_EQUAL(got.len, 600);
	for (i = 0; i < got.len; i++)
		if (got.data[i] != i % 251)
			break;
	CU_ASSERT_EQUAL(i, 600);
	CU_ASSERT_EQUAL(got.fins, 1);
	/* the peer answers, acknowledges and closes: the client discards and finishes */
	ack_all(&p);
	send_seg(&p, ACK | PSH, "bye", 3);
	send_seg(&p, ACK | FIN, NULL, 0);
	CU_ASSERT_EQUAL(conn_state(5001), LR_TCP_TIME_WAIT);
	svc_stats(s, &cl);
	CU_ASSERT_EQUAL(cl.started, 1);
	CU_ASSERT_EQUAL(cl.connected, 1);
	CU_ASSERT_EQUAL(cl.bytes_sent, 600);
	CU_ASSERT_EQUAL(cl.bytes_in, 3);
	CU_ASSERT_EQUAL(cl.completed, 1);
	CU_ASSERT_EQUAL(cl.active, 0);
}

static void
test_tcp_services_client_refused(void)
{
	struct lr_tcp_client_stats cl;
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct lr_test_parsed pp;
	struct peer p = { .sport = 5002, .wnd = 0 };

	CU_ASSERT_EQUAL(lr_services_tcp_client_start(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP),
			5002, 10), 0);
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &pp), 0);
	p.dport = rte_be_to_cpu_16(pp.tcp->src_port);
	lr_test_tx_clear();
	p.seq = 0;
	p.ack = OUR_ISN + 1;
	send_seg(&p, RST | ACK, NULL, 0);
	svc_stats(s, &cl);
	CU_ASSERT_EQUAL(cl.refused, 1);
	CU_ASSERT_EQUAL(cl.active, 0);
	CU_ASSERT_EQUAL(lr_services_tcp_client_start(lr_tw, rte_cpu_to_be_32(0xe0000001), 5002,
			10), -EINVAL);
}

/* ---- timeouts and drain (issue #9), on the virtual clock ---- */

/* Advance the clock by ms and run the services' timers, collecting what p gets. */
static void
advance_tick(const struct peer *p, uint64_t ms)
{
	got_reset();
	lr_test_advance_us(ms * 1000);
	lr_tcp_tick(lr_tw);
	lr_services_tcp_tick(lr_tw);
	collect(p);
}

/* Slowloris: a header line every 2 s keeps the connection active, but the request
 * head is not complete at http_header_timeout_ms after accept: reset, counted. */
static void
test_tcp_services_http_slowloris_cut_at_header_timeout(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p;
	unsigned int i;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK, "GET / HTTP/1.1\r\n", 16);
	for (i = 0; i < 4; i++) {   /* 8 s of drip */
		advance_tick(&p, 2000);
		CU_ASSERT_EQUAL(got.rsts, 0);
		send_seg(&p, ACK, "X-a: b\r\n", 8);
		CU_ASSERT_EQUAL(got.len, 0);
	}
	advance_tick(&p, 1999);
	CU_ASSERT_EQUAL(got.rsts, 0);
	advance_tick(&p, 1);   /* 10 s after accept */
	CU_ASSERT_EQUAL(got.rsts, 1);
	CU_ASSERT_EQUAL(got.len, 0);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), -1);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].header_timeout, 1);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].idle_timeout, 0);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].requests, 0);
}

/* An idle keep-alive connection is closed by us with a FIN at idle_timeout_ms after
 * its last data, not before; between requests the header clock does not run. */
static void
test_tcp_services_http_idle_keepalive_closed_at_idle_timeout(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 1);
	ack_all(&p);            /* the last data: our response acknowledged */
	advance_tick(&p, 59999);
	CU_ASSERT_EQUAL(got.fins + got.rsts, 0);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_ESTABLISHED);
	advance_tick(&p, 1);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(got.rsts, 0);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_FIN_WAIT_1);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].idle_timeout, 1);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].header_timeout, 0);
}

/* 40 idle connections reaching idle_timeout_ms together are closed at most
 * [tcp] timer_budget (8) per lr_services_tcp_tick(), which says whether some are
 * left; all are closed after 5 calls, none before the timeout. */
static void
test_tcp_services_idle_timeouts_bounded_per_tick(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p[40];
	unsigned int i, calls = 0, prev = 0;
	bool more;

	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	cfg.tcp.timer_budget = 8;
	cfg.tcp.max_orphans = 64;   /* none of the closing 40 is reset as an orphan */
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &cfg.tcp), 0);
	CU_ASSERT_EQUAL_FATAL(lr_services_tcp_init(lr_tw, &cfg), 0);
	for (i = 0; i < RTE_DIM(p); i++)
		open_conn(&p[i], 9, (uint16_t)(PEER_PORT + i));
	lr_test_advance_us(cfg.svc_idle_timeout_ms * 1000ull - 1);
	CU_ASSERT_FALSE(lr_services_tcp_tick(lr_tw));
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_DISCARD].idle_timeout, 0);
	lr_test_advance_us(1);
	do {
		more = lr_services_tcp_tick(lr_tw);
		calls++;
		svc_stats(s, NULL);
		CU_ASSERT(s[LR_TCP_SVC_DISCARD].idle_timeout - prev <= 8);
		prev = (unsigned int)s[LR_TCP_SVC_DISCARD].idle_timeout;
	} while (more && calls < 100);
	CU_ASSERT_EQUAL(calls, RTE_DIM(p) / 8);
	CU_ASSERT_EQUAL(prev, RTE_DIM(p));
	for (i = 0; i < RTE_DIM(p); i++)
		CU_ASSERT_EQUAL(conn_state((uint16_t)(PEER_PORT + i)), LR_TCP_FIN_WAIT_1);
	lr_tcp_flush(lr_tw);
	lr_test_tx_clear();
}

/* A connection that moves data now and then (every 30 s for 3 minutes) is never
 * closed; the idle discard and echo connections beside it are. */
static void
test_tcp_services_active_conn_not_closed(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p, q;
	unsigned int i;

	open_conn(&q, 9, PEER_PORT + 1);     /* discard, silent from now on */
	open_conn(&p, 7, PEER_PORT);
	for (i = 0; i < 6; i++) {
		send_seg(&p, ACK | PSH, "x", 1);
		CU_ASSERT_EQUAL(got.len, 1);
		ack_all(&p);
		advance_tick(&p, 30000);
		CU_ASSERT_EQUAL(got.fins + got.rsts, 0);
	}
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_ESTABLISHED);
	CU_ASSERT_NOT_EQUAL(conn_state(PEER_PORT + 1), LR_TCP_ESTABLISHED);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_ECHO].idle_timeout, 0);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_DISCARD].idle_timeout, 1);
}

/* Drain: listeners go (a SYN gets RST), an idle keep-alive gets our FIN at once, a
 * request in progress is answered with Connection: close, then FIN. */
static void
test_tcp_services_drain_closes_keepalive_and_finishes_request(void)
{
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct peer p, q, r;

	open_conn(&p, 80, PEER_PORT);
	send_seg(&p, ACK | PSH, get_req, sizeof(get_req) - 1);
	ack_all(&p);
	open_conn(&q, 80, PEER_PORT + 1);
	send_seg(&q, ACK, "GET / HT", 8);   /* half a request */
	got_reset();
	lr_services_tcp_drain(lr_tw);
	collect(&p);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT), LR_TCP_FIN_WAIT_1);
	CU_ASSERT_EQUAL(conn_state(PEER_PORT + 1), LR_TCP_ESTABLISHED);
	send_seg(&q, ACK | PSH, "TP/1.1\r\n\r\n", 12);
	CU_ASSERT_EQUAL(count_str(got_str(), "HTTP/1.1 200 OK"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_str(), "Connection: close"));
	CU_ASSERT_EQUAL(got.fins, 1);
	r.sport = PEER_PORT + 2;
	r.dport = 80;
	r.seq = PEER_ISN;
	r.ack = 0;
	r.wnd = 65535;
	send_seg(&r, SYN, NULL, 0);
	CU_ASSERT_EQUAL(got.syns, 0);
	CU_ASSERT_EQUAL(got.rsts, 1);
	svc_stats(s, NULL);
	CU_ASSERT_EQUAL(s[LR_TCP_SVC_HTTP].drain_closed, 1);
}

static const CU_TestInfo cases[] = {
	{ "test_tcp_services_listen_on_configured_ports",
		test_tcp_services_listen_on_configured_ports },
	{ "test_tcp_services_echo_returns_bytes", test_tcp_services_echo_returns_bytes },
	{ "test_tcp_services_per_service_cc", test_tcp_services_per_service_cc },
	{ "test_tcp_services_echo_tiny_segments_collapse_and_charge",
		test_tcp_services_echo_tiny_segments_collapse_and_charge },
	{ "test_tcp_services_echo_after_fin_sends_rest_then_fin",
		test_tcp_services_echo_after_fin_sends_rest_then_fin },
	{ "test_tcp_services_discard_counts", test_tcp_services_discard_counts },
	{ "test_tcp_services_chargen_fills_window", test_tcp_services_chargen_fills_window },
	{ "test_tcp_services_http_keepalive_two_responses",
		test_tcp_services_http_keepalive_two_responses },
	{ "test_tcp_services_http_memo_same_bytes_same_answer",
		test_tcp_services_http_memo_same_bytes_same_answer },
	{ "test_tcp_services_http_pipelined_beyond_send_buffer",
		test_tcp_services_http_pipelined_beyond_send_buffer },
	{ "test_tcp_services_http_connection_close_we_close_first",
		test_tcp_services_http_connection_close_we_close_first },
	{ "test_tcp_services_http_10_closes_unless_keepalive",
		test_tcp_services_http_10_closes_unless_keepalive },
	{ "test_tcp_services_http_pipelined_in_order", test_tcp_services_http_pipelined_in_order },
	{ "test_tcp_services_http_bad_request_400_and_close",
		test_tcp_services_http_bad_request_400_and_close },
	{ "test_tcp_services_http_long_lines_whole_and_in_pieces",
		test_tcp_services_http_long_lines_whole_and_in_pieces },
	{ "test_tcp_services_http_header_too_large_431",
		test_tcp_services_http_header_too_large_431 },
	{ "test_tcp_services_client_sends_pattern_and_half_closes",
		test_tcp_services_client_sends_pattern_and_half_closes },
	{ "test_tcp_services_client_refused", test_tcp_services_client_refused },
	{ "test_tcp_services_http_slowloris_cut_at_header_timeout",
		test_tcp_services_http_slowloris_cut_at_header_timeout },
	{ "test_tcp_services_http_idle_keepalive_closed_at_idle_timeout",
		test_tcp_services_http_idle_keepalive_closed_at_idle_timeout },
	{ "test_tcp_services_idle_timeouts_bounded_per_tick",
		test_tcp_services_idle_timeouts_bounded_per_tick },
	{ "test_tcp_services_active_conn_not_closed", test_tcp_services_active_conn_not_closed },
	{ "test_tcp_services_drain_closes_keepalive_and_finishes_request",
		test_tcp_services_drain_closes_keepalive_and_finishes_request },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "tcp_services", setup, teardown, cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
