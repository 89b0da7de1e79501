/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loadgen/loadgen.c through the real TCP stack: the test plays the server. What the
 * generator sends is parsed back from the TX recorder, the server's segments go in
 * at lr_eth_input(), and the virtual clock drives pacing, timeouts and the window.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "loadgen.h"
#include "lr_tcp.h"
#include "lr_udp.h"
#include "lr_test.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG
#define OUR_ISN 8000
#define SRV_ISN 3000

/* The server side of one connection. */
struct srv {
	uint16_t port, cport;   /* server port, client (ephemeral) port */
	uint32_t caddr;         /* client address (host order), 0 = LR_TEST_OUR_IP */
	uint32_t seq, ack;
};

/* What the generator sent since the last collect(). */
struct got {
	char data[8192];
	uint32_t len;
	unsigned int segs, syns, fins, rsts;
	uint16_t cport;         /* source port of the last segment */
	uint32_t uports;        /* UDP source ports seen: bit p - 9000 */
	uint32_t caddr;         /* source address of the last segment (host order) */
	unsigned int nb_tuples; /* SYNs' (source address, source port), in order */
	uint32_t tuple_addr[256];
	uint16_t tuple_port[256];
	unsigned int nb_dgrams; /* UDP datagrams' source addresses (host order), in order */
	uint32_t dgram_addr[64];
};
static struct got got;

static void
setup(void)
{
	struct lr_tcp_conf tc = lr_tcp_conf_default;

	lr_test_reset();
	lr_tcp_init();
	tc.max_conns = 256;
	tc.isn_fn = lr_test_isn;
	tc.isn_arg = (void *)(uintptr_t)OUR_ISN;
	tc.delack_ms = 0;
	lr_tw->tcp = NULL;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tc), 0);
	memset(&got, 0, sizeof(got));
}

static void
teardown(void)
{
	lr_loadgen_stop(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	lr_test_cleanup();
}

/* A segment from the server (the peer) to the generator. */
static struct rte_mbuf *
seg(const struct srv *p, uint8_t flags, const void *data, uint16_t len)
{
	static const uint8_t opt[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	const struct lr_test_tcp_seg s = {
		.dst = p->caddr, .sport = p->port, .dport = p->cport, .seq = p->seq,
		.ack = (flags & ACK) ? p->ack : 0, .flags = flags, .wnd = 65535,
		.opts = opt, .optlen = (flags & SYN) ? 4 : 0, .data = data, .len = len,
	};

	return lr_test_tcp(&s);
}

/* Flush the stack and collect every TCP segment (and UDP payload) it sent. */
static void
collect(void)
{
	struct lr_test_parsed pp;
	unsigned int i;

	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	for (i = 0; i < lr_test_tx_count(); i++) {
		struct rte_mbuf *m = lr_test_tx_get(i);

		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_linearize(m), 0);
		CU_ASSERT_EQUAL_FATAL(lr_test_parse(m, &pp), 0);
		if (pp.tcp == NULL && pp.udp == NULL)
			continue;
		CU_ASSERT(lr_test_l4_cksum_ok(&pp));
		got.segs++;
		if (pp.tcp != NULL) {
			got.syns += !!(pp.tcp->tcp_flags & SYN);
			got.fins += !!(pp.tcp->tcp_flags & FIN);
			got.rsts += !!(pp.tcp->tcp_flags & RST);
			got.cport = rte_be_to_cpu_16(pp.tcp->src_port);
			got.caddr = rte_be_to_cpu_32(pp.ip->src_addr);
			if ((pp.tcp->tcp_flags & SYN) && got.nb_tuples < RTE_DIM(got.tuple_addr)) {
				got.tuple_addr[got.nb_tuples] = got.caddr;
				got.tuple_port[got.nb_tuples++] = got.cport;
			}
		}
		if (pp.udp != NULL && rte_be_to_cpu_16(pp.udp->src_port) - 9000u < 32)
			got.uports |= 1u << (rte_be_to_cpu_16(pp.udp->src_port) - 9000u);
		if (pp.udp != NULL && got.nb_dgrams < RTE_DIM(got.dgram_addr))
			got.dgram_addr[got.nb_dgrams++] = rte_be_to_cpu_32(pp.ip->src_addr);
		if (pp.payload_len > 0 && got.len + pp.payload_len < sizeof(got.data)) {
			memcpy(got.data + got.len, pp.payload, pp.payload_len);
			got.len += pp.payload_len;
		}
	}
	lr_test_tx_clear();
}

/* One poll-loop turn after the clock moved by us. */
static void
turn(uint64_t us)
{
	memset(&got, 0, sizeof(got));
	lr_tw->now_us += us;
	lr_tcp_tick(lr_tw);
	lr_loadgen_poll(lr_tw);
	collect();
}

/* The server sends a segment; collect the generator's answer (got reset first). */
static void
srv_send(struct srv *p, uint8_t flags, const void *data, uint16_t len)
{
	memset(&got, 0, sizeof(got));
	lr_test_rx(seg(p, flags, data, len));
	p->seq += len + ((flags & (SYN | FIN)) ? 1 : 0);
	collect();
}

static void
start(const char *spec)
{
	struct lr_loadgen_conf c;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(lr_loadgen_parse(&c, spec, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(lr_loadgen_start(lr_tw, &c), 0);
}

/* First poll: the SYN leaves; accept it as the server on port 80. */
static void
accept_syn(struct srv *p)
{
	turn(0);
	CU_ASSERT_EQUAL_FATAL(got.syns, 1);
	p->port = 80;
	p->cport = got.cport;
	p->seq = SRV_ISN;
	p->ack = OUR_ISN + 1;
	srv_send(p, SYN | ACK, NULL, 0);
}

static const char resp[] = "HTTP/1.1 200 OK\r\nServer: linerate\r\nContent-Type: text/plain\r\n"
	"Content-Length: 5\r\n\r\nhello";

static int
grab_cc(const struct lr_tcp_conn_info *info, void *arg)
{
	if (info->state == LR_TCP_LISTEN)
		return 0;
	*(const char **)arg = info->cc;
	return 1;
}

/* Congestion control of the first connection of the shard, "" if none. */
static const char *
first_cc(void)
{
	const char *cc = NULL;

	lr_tcp_walk(lr_tw, grab_cc, &cc);
	return cc != NULL ? cc : "";
}

/* ---- cases ---- */

static void
test_loadgen_parse_spec_and_defaults(void)
{
	struct lr_loadgen_conf c;
	char err[256];

	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=crr target=198.18.1.1:80 conc=64 rate=0 "
			"duration=5s warmup=1s req=64 json=1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.mode, LR_LOADGEN_CRR);
	CU_ASSERT_EQUAL(c.nb_targets, 1);
	CU_ASSERT_EQUAL(c.targets[0].ip, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 1, 1)));
	CU_ASSERT_EQUAL(c.targets[0].port, 80);
	CU_ASSERT_EQUAL(c.conc, 64);
	CU_ASSERT_EQUAL(c.rate, 0);
	CU_ASSERT_EQUAL(c.duration_ms, 5000);
	CU_ASSERT_EQUAL(c.warmup_ms, 1000);
	CU_ASSERT_EQUAL(c.request_size, 64);
	CU_ASSERT(c.json);
	CU_ASSERT_EQUAL(c.cc, LR_TCP_CC_CUBIC); /* the generator's default */
	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "target=198.18.1.1 cc=newreno", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.cc, LR_TCP_CC_NEWRENO);
	/* several targets, default ports per mode, suffixes */
	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=udp target=198.18.1.1,198.18.1.2:5000 "
			"target=198.18.1.3 rate=10k duration=250ms timeout=1m req=8 progress=0",
			err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.nb_targets, 3);
	CU_ASSERT_EQUAL(c.targets[0].port, 7);
	CU_ASSERT_EQUAL(c.targets[1].port, 5000);
	CU_ASSERT_EQUAL(c.targets[2].port, 7);
	CU_ASSERT_EQUAL(c.rate, 10000);
	CU_ASSERT_EQUAL(c.duration_ms, 250);
	CU_ASSERT_EQUAL(c.timeout_ms, 60000);
	CU_ASSERT_EQUAL(c.request_size, LR_LOADGEN_UDP_MIN);
	CU_ASSERT(!c.progress);
	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=recv target=198.18.1.1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.targets[0].port, 19);
	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=send target=198.18.1.1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.targets[0].port, 9);
}

static void
test_loadgen_parse_errors_name_key_and_value(void)
{
	static const struct { const char *spec, *msg; } bad[] = {
		{ "mode=crr", "no target" },
		{ "mode=xrr target=198.18.1.1", "mode: bad value 'xrr'" },
		{ "target=198.18.1.300", "target '198.18.1.300'" },
		{ "target=198.18.1.1:0", "target '198.18.1.1:0'" },
		{ "target=198.18.1.1 conc=0", "conc: bad value '0'" },
		{ "target=198.18.1.1 conc=many", "conc: bad value 'many'" },
		{ "target=198.18.1.1 duration=5h", "duration: bad value '5h'" },
		{ "target=198.18.1.1 req=100000", "req: bad value '100000'" },
		{ "target=198.18.1.1 json=maybe", "json: bad value 'maybe'" },
		{ "target=198.18.1.1 cc=vegas", "cc: bad value 'vegas'" },
		{ "target=198.18.1.1 speed=9", "unknown key 'speed'" },
		{ "target=198.18.1.1 conc", "'conc': expected key=value" },
		{ "mode=udp target=198.18.1.1 req=2000", "do not fit one datagram" },
		{ "target=198.18.1.1 ramp=10s", "ramp: bad value '10000ms': a ramp needs a target "
			"rate; add rate=N" },
		{ "target=198.18.1.1 rate=1k ramp=2h", "ramp: bad value '2h'" },
		{ "target=1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9",
			"at most 8 targets" },
	};
	struct lr_loadgen_conf c;
	char err[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(lr_loadgen_parse(&c, bad[i].spec, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].msg) == NULL)
			printf("\n  spec '%s': message '%s' lacks '%s'\n", bad[i].spec, err,
					bad[i].msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].msg));
	}
}

static void
test_loadgen_crr_cycle_counts_connection_and_latency(void)
{
	struct lr_loadgen_summary s;
	struct srv p = { 0 };

	start("mode=crr target=198.18.0.1:80 conc=1 warmup=0 duration=1s req=64 progress=0");
	accept_syn(&p);
	CU_ASSERT_STRING_EQUAL(first_cc(), "cubic"); /* the generator's default */
	/* handshake done: the GET leaves with the ACK, padded to 64 bytes */
	CU_ASSERT_EQUAL(got.len, 64);
	CU_ASSERT_NSTRING_EQUAL(got.data, "GET / HTTP/1.1\r\nHost: linerate", 30);
	CU_ASSERT_NSTRING_EQUAL(got.data + 60, "\r\n\r\n", 4);
	p.ack += got.len;
	/* 250 us later the response arrives in two pieces: complete at the second */
	lr_tw->now_us += 200;
	srv_send(&p, ACK | PSH, resp, 40);
	CU_ASSERT_EQUAL(got.fins, 0);
	lr_tw->now_us += 50;
	srv_send(&p, ACK | PSH, resp + 40, (uint16_t)(sizeof(resp) - 1 - 40));
	CU_ASSERT_EQUAL(got.fins, 1);           /* the client closes first */
	p.ack++;
	srv_send(&p, ACK | FIN, NULL, 0);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);   /* TIME_WAIT */
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.conns, 1);
	CU_ASSERT_EQUAL(s.c.conns_done, 1);
	CU_ASSERT_EQUAL(s.c.requests, 1);
	CU_ASSERT_EQUAL(s.c.samples, 1);
	CU_ASSERT_EQUAL(s.p50_us, 250);
	CU_ASSERT_EQUAL(s.p999_us, 250);
	CU_ASSERT_EQUAL(s.errors, 0);
	/* the next poll opens the next connection */
	turn(1);
	CU_ASSERT_EQUAL(got.syns, 1);
	/* after the window nothing new starts (at most the SYN's retransmission) and the
	 * open attempt is dropped when the drain ends */
	turn(1000000);
	CU_ASSERT(got.syns <= 1);
	CU_ASSERT(!lr_loadgen_done(lr_tw));
	turn(1000000);
	CU_ASSERT(lr_loadgen_done(lr_tw));
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);   /* the first one's TIME_WAIT */
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.conns_done, 1);
	CU_ASSERT_EQUAL(s.errors, 0);
}

static void
test_loadgen_rr_reuses_one_connection(void)
{
	struct lr_loadgen_summary s;
	struct srv p = { 0 };
	unsigned int i;

	start("mode=rr target=198.18.0.1 conc=1 warmup=0 duration=1s req=40 progress=0");
	accept_syn(&p);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(got.len, 40);
		CU_ASSERT_NSTRING_EQUAL(got.data, "GET / HTTP/1.1\r\n", 16);
		CU_ASSERT_EQUAL(got.syns, 0);
		p.ack += got.len;
		lr_tw->now_us += 100 * (i + 1);
		srv_send(&p, ACK | PSH, resp, sizeof(resp) - 1);
	}
	CU_ASSERT_EQUAL(got.fins, 0);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.conns, 1);
	CU_ASSERT_EQUAL(s.c.requests, 3);
	CU_ASSERT_EQUAL(s.c.sent, 4);           /* the fourth request is in flight */
	CU_ASSERT_EQUAL(s.p50_us, 200);
	CU_ASSERT_EQUAL(s.c.lat_max_us, 300);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	/* a response that is not 200 is a protocol error and resets the connection */
	p.ack += got.len;
	srv_send(&p, ACK | PSH, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 45);
	CU_ASSERT_EQUAL(got.rsts, 1);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_PROTO], 1);
}

/* The response parser (line ends found with memchr) gives the same answer wherever
 * a segment boundary falls: in the status line, inside "Content-Length", in its
 * digits, between CR and LF, in the blank line, in the body. */
static void
test_loadgen_response_split_anywhere(void)
{
	struct lr_loadgen_summary s;
	const uint16_t len = (uint16_t)(sizeof(resp) - 1);
	struct srv p = { 0 };
	uint16_t cut;

	start("mode=rr target=198.18.0.1 conc=1 warmup=0 duration=1s req=40 progress=0");
	accept_syn(&p);
	for (cut = 1; cut < len; cut++) {
		CU_ASSERT_EQUAL_FATAL(got.len, 40);
		p.ack += got.len;
		srv_send(&p, ACK | PSH, resp, cut);
		srv_send(&p, ACK | PSH, resp + cut, (uint16_t)(len - cut));
	}
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, len - 1u);
	CU_ASSERT_EQUAL(s.errors, 0);
	CU_ASSERT_EQUAL(got.rsts, 0);
}

/* Header forms the parser reads where they lie: a 200-byte line before the length,
 * "content-length:" in lower case with a tab, then a response without a length (a
 * protocol error: the body's end is unknown). */
static void
test_loadgen_response_header_forms(void)
{
	char r[400];
	struct lr_loadgen_summary s;
	struct srv p = { 0 };
	int n;

	start("mode=rr target=198.18.0.1 conc=1 warmup=0 duration=1s req=40 progress=0");
	accept_syn(&p);
	n = snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\nX-Long: %0200d\r\ncontent-length:\t3"
			"\r\n\r\nabc", 7);
	CU_ASSERT_EQUAL_FATAL(got.len, 40);
	p.ack += got.len;
	srv_send(&p, ACK | PSH, r, (uint16_t)n);
	CU_ASSERT_EQUAL(got.len, 40);           /* complete: the next request left */
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 1);
	CU_ASSERT_EQUAL(s.errors, 0);
	p.ack += got.len;
	n = snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n");
	srv_send(&p, ACK | PSH, r, (uint16_t)n);
	CU_ASSERT_EQUAL(got.rsts, 1);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_PROTO], 1);
}

/*
 * The last header is reused only for the same bytes: after two equal responses (5-byte
 * body), one whose header differs in its length only (12) is complete after 12 bytes,
 * not 5; the first one's header again, cut inside the header, still parses.
 */
static void
test_loadgen_response_header_reused_only_when_equal(void)
{
	static const char r12[] = "HTTP/1.1 200 OK\r\nServer: linerate\r\n"
		"Content-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world!";
	const uint16_t len = (uint16_t)(sizeof(resp) - 1), len12 = (uint16_t)(sizeof(r12) - 1);
	struct lr_loadgen_summary s;
	struct srv p = { 0 };
	unsigned int i;

	start("mode=rr target=198.18.0.1 conc=1 warmup=0 duration=1s req=40 progress=0");
	accept_syn(&p);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(got.len, 40);
		p.ack += got.len;
		srv_send(&p, ACK | PSH, resp, len);
	}
	CU_ASSERT_EQUAL_FATAL(got.len, 40);
	p.ack += got.len;
	srv_send(&p, ACK | PSH, r12, (uint16_t)(len12 - 7));
	CU_ASSERT_EQUAL(got.len, 0);            /* 7 body bytes missing: no new request */
	srv_send(&p, ACK | PSH, r12 + len12 - 7, 7);
	CU_ASSERT_EQUAL_FATAL(got.len, 40);
	p.ack += got.len;
	srv_send(&p, ACK | PSH, resp, 20);
	CU_ASSERT_EQUAL(got.len, 0);
	srv_send(&p, ACK | PSH, resp + 20, (uint16_t)(len - 20));
	CU_ASSERT_EQUAL(got.len, 40);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 4);
	CU_ASSERT_EQUAL(s.errors, 0);
	CU_ASSERT_EQUAL(got.rsts, 0);
}

static void
test_loadgen_refused_and_timeout_counted(void)
{
	struct lr_loadgen_summary s;
	struct srv p = { 0 };
	unsigned int i;

	start("mode=crr target=198.18.0.1:81 conc=1 warmup=0 duration=10s timeout=100ms "
			"progress=0");
	turn(0);
	CU_ASSERT_EQUAL_FATAL(got.syns, 1);
	p.port = 81;
	p.cport = got.cport;
	p.seq = 0;
	p.ack = OUR_ISN + 1;
	srv_send(&p, RST | ACK, NULL, 0);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_REFUSED], 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 0);
	/* the next SYN goes unanswered: after 100 ms it counts as a timeout */
	turn(1);
	CU_ASSERT_EQUAL(got.syns, 1);
	for (i = 0; i < 12; i++)
		turn(10000);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_TIMEOUT], 1);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_REFUSED], 1);
	CU_ASSERT_EQUAL(s.errors, 2);
	CU_ASSERT_EQUAL(s.c.conns, 0);
}

/*
 * [port.N] ip_count 4 and a 10-port ephemeral range: the generator opens 4 x 10
 * connections, each (source address, port) once, every address 10 times, before the
 * 4-tuples run out (with one address: 10). A SYN-ACK to one of the range's addresses
 * completes its transaction.
 */
static void
test_loadgen_sources_spread_over_addresses_and_ports(void)
{
	struct lr_tcp_conf tc = lr_tcp_conf_default;
	struct lr_loadgen_summary s;
	unsigned int per_addr[4] = { 0 }, i, j;
	struct srv p = { 0 };

	lr_tcp_worker_fini(lr_tw);
	tc.max_conns = 256;
	tc.isn_fn = lr_test_isn;
	tc.isn_arg = (void *)(uintptr_t)OUR_ISN;
	tc.delack_ms = 0;
	tc.port_lo = 40000;
	tc.port_hi = 40009;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tc), 0);
	lr_ifaces[0].ip_count = 4;
	start("mode=crr target=198.18.0.1:80 conc=64 warmup=0 duration=10s timeout=5s "
			"progress=0");
	turn(0);
	CU_ASSERT_EQUAL_FATAL(got.nb_tuples, 40);
	for (i = 0; i < got.nb_tuples; i++) {
		uint32_t a = got.tuple_addr[i] - LR_TEST_OUR_IP;

		CU_ASSERT_FATAL(a < 4);
		per_addr[a]++;
		CU_ASSERT(got.tuple_port[i] >= 40000 && got.tuple_port[i] <= 40009);
		for (j = 0; j < i; j++)
			CU_ASSERT(got.tuple_addr[j] != got.tuple_addr[i] ||
					got.tuple_port[j] != got.tuple_port[i]);
	}
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(per_addr[i], 10);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 40);
	/* consecutive connections take different addresses */
	CU_ASSERT_NOT_EQUAL(got.tuple_addr[0], got.tuple_addr[1]);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT(s.c.err[LR_LOADGEN_ERR_CONNECT] >= 1);

	/* the server answers the connection from the third address */
	p.port = 80;
	p.caddr = got.tuple_addr[2];
	p.cport = got.tuple_port[2];
	p.seq = SRV_ISN;
	p.ack = OUR_ISN + 1;
	srv_send(&p, SYN | ACK, NULL, 0);
	CU_ASSERT_EQUAL(got.len, 64);
	CU_ASSERT_EQUAL(got.caddr, p.caddr);
	p.ack += got.len;
	srv_send(&p, ACK | PSH, resp, (uint16_t)(sizeof(resp) - 1));
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 1);
}

static void
no_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

/*
 * ip_count 2, 10 ports: every port of the first address is taken towards the target
 * (connections of another user), so each connection the generator opens hands over
 * to the second address in the same turn: 10 SYNs from it, then one connect error
 * when both are full (before: the first address's failure ended the turn, no SYN).
 */
static void
test_loadgen_full_address_hands_over_to_next(void)
{
	static const struct lr_tcp_callbacks cb = { .data = no_data };
	struct lr_tcp_conf tc = lr_tcp_conf_default;
	struct lr_loadgen_summary s;
	unsigned int i;

	lr_tcp_worker_fini(lr_tw);
	tc.max_conns = 256;
	tc.isn_fn = lr_test_isn;
	tc.isn_arg = (void *)(uintptr_t)OUR_ISN;
	tc.port_lo = 40000;
	tc.port_hi = 40009;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &tc), 0);
	lr_ifaces[0].ip_count = 2;
	for (i = 0; i < 10; i++)
		CU_ASSERT_PTR_NOT_NULL_FATAL(lr_tcp_connect_from(lr_tw,
				rte_cpu_to_be_32(LR_TEST_OUR_IP),
				rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &cb, NULL));
	CU_ASSERT_PTR_NULL(lr_tcp_connect_from(lr_tw, rte_cpu_to_be_32(LR_TEST_OUR_IP),
			rte_cpu_to_be_32(LR_TEST_PEER_IP), 80, &cb, NULL));
	collect();
	start("mode=crr target=198.18.0.1:80 conc=64 warmup=0 duration=10s timeout=5s "
			"progress=0");
	turn(0);
	CU_ASSERT_EQUAL(got.nb_tuples, 10);
	for (i = 0; i < got.nb_tuples; i++)
		CU_ASSERT_EQUAL(got.tuple_addr[i], LR_TEST_OUR_IP + 1);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 20);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_CONNECT], 1);
}

static void
test_loadgen_rate_100_per_s_gives_100_starts(void)
{
	unsigned int i, syns = 0;

	/* the server never answers; timeout 5 s keeps every attempt open */
	start("mode=crr target=198.18.0.1 conc=1000 rate=100 warmup=0 duration=10s "
			"timeout=5s progress=0");
	turn(0);
	syns += got.syns;
	for (i = 0; i < 1000; i++) {
		turn(1000);
		syns += got.syns;
	}
	CU_ASSERT_EQUAL(syns, 100);
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 100);
}

/*
 * Scheduled load on the virtual clock: rate=1000 ramp=1s climbs linearly, so the
 * datagrams sent by t are 1000 t^2 / 2 during the ramp (125 at 0.5 s, 500 at 1 s),
 * then 1000 a second (1500 at 2 s, 2500 at 3 s), every second after the ramp within
 * 0.5 % of the target; the table's target rate follows the ramp.
 */
static void
test_loadgen_ramp_reaches_target_and_holds_it(void)
{
	static const struct { uint64_t t_ms, sent; } want[] = {
		{ 250, 31 }, { 500, 125 }, { 750, 281 }, { 1000, 500 }, { 2000, 1500 },
		{ 3000, 2500 }, { 4000, 3500 },
	};
	static struct lr_loadgen_sample smp;
	uint64_t t0 = lr_tw->now_us, prev = 0, sent;
	unsigned int i = 0, k;

	start("mode=udp target=198.18.0.1 conc=1000 rate=1000 ramp=1s warmup=0 duration=10s "
			"timeout=200ms progress=0");
	for (k = 1; k <= 4000; k++) {
		turn(1000);
		if (k == 500) {
			lr_loadgen_sample(1, lr_tw->now_us, &smp);
			CU_ASSERT_EQUAL(smp.target_rate, 500);
		}
		if (k != want[i].t_ms)
			continue;
		sent = lr_loadgen_counters(lr_tw)->sent;
		if (sent + 1 < want[i].sent || sent > want[i].sent + 1)
			printf("\n  at %" PRIu64 " ms: sent %" PRIu64 ", want %" PRIu64 "\n",
					want[i].t_ms, sent, want[i].sent);
		CU_ASSERT(sent + 1 >= want[i].sent && sent <= want[i].sent + 1);
		if (want[i].t_ms > 1000) {  /* held at the target: 1000 +- 0.5 % a second */
			CU_ASSERT(sent - prev >= 995 && sent - prev <= 1005);
		}
		prev = sent;
		i++;
	}
	CU_ASSERT_EQUAL(i, RTE_DIM(want));
	CU_ASSERT_EQUAL(lr_tw->now_us - t0, 4000000);
	lr_loadgen_sample(1, lr_tw->now_us, &smp);
	CU_ASSERT_EQUAL(smp.target_rate, 1000);
}

static void
test_loadgen_udp_echo_records_latency(void)
{
	struct lr_loadgen_summary s;
	struct rte_mbuf *m;
	char payload[64];

	start("mode=udp target=198.18.0.1 conc=2 warmup=0 duration=10s req=64 progress=0");
	turn(0);
	CU_ASSERT_EQUAL(got.segs, 2);           /* two datagrams in flight, then wait */
	CU_ASSERT_EQUAL(got.len, 128);
	memcpy(payload, got.data, sizeof(payload));
	turn(1);
	CU_ASSERT_EQUAL(got.segs, 0);
	/* the peer echoes the first one 70 us after it left */
	lr_tw->now_us += 69;
	m = lr_test_udp(7, 9000, payload, sizeof(payload));
	lr_test_rx(m);
	turn(0);
	CU_ASSERT_EQUAL(got.segs, 1);           /* its slot is free again */
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 1);
	CU_ASSERT_EQUAL(s.c.sent, 3);
	CU_ASSERT_EQUAL(s.p50_us, 70);
	/* the other one is lost: a timeout after 2 s */
	turn(2100000);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.err[LR_LOADGEN_ERR_TIMEOUT], 2);
}

/* A UDP service that is not the generator's. */
static void
other_udp(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	RTE_SET_USED(w);
	RTE_SET_USED(d);
	RTE_SET_USED(arg);
	rte_pktmbuf_free(m);
}

/* flows=N: datagrams leave from sport .. sport+N-1 and replies to each are taken. */
static void
test_loadgen_udp_flows_spread_source_ports(void)
{
	struct lr_loadgen_summary s;
	struct rte_mbuf *m;
	char payload[64];
	struct lr_loadgen_conf c;
	char err[256];

	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=udp target=198.18.0.1 flows=0", err,
			sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "flows: bad value '0'"));
	CU_ASSERT_EQUAL(lr_loadgen_parse(&c, "mode=udp target=198.18.0.1 flows=65", err,
			sizeof(err)), -EINVAL);
	/* a range reaching another service's port binds none of its ports */
	CU_ASSERT_EQUAL_FATAL(lr_udp_bind(8105, "other", other_udp, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(lr_loadgen_parse(&c, "mode=udp target=198.18.0.1 sport=8100 "
			"flows=8", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lr_loadgen_start(lr_tw, &c), -EADDRINUSE);
	CU_ASSERT_PTR_NULL(lr_udp_service_name(8100));
	CU_ASSERT_PTR_NULL(lr_udp_service_name(8104));
	start("mode=udp target=198.18.0.1 conc=4 flows=3 warmup=0 duration=10s req=64 "
			"progress=0");
	turn(0);
	CU_ASSERT_EQUAL(got.segs, 4);
	CU_ASSERT_EQUAL(got.uports, 0x7);       /* 9000, 9001, 9002, 9000 */
	memcpy(payload, got.data + 64 * 2, sizeof(payload)); /* the one from 9002 */
	m = lr_test_udp(7, 9002, payload, sizeof(payload));
	lr_test_rx(m);
	turn(0);
	CU_ASSERT_EQUAL(got.segs, 1);
	CU_ASSERT_EQUAL(got.uports, 0x4);       /* its slot sends from 9002 again */
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 1);
}

/*
 * ip_count 4: datagrams leave from the pool's addresses in turn (two rounds for 8 in
 * flight), and an echo to one of them completes its slot, which sends again.
 */
static void
test_loadgen_udp_sources_spread_over_addresses(void)
{
	struct lr_loadgen_summary s;
	unsigned int per_addr[4] = { 0 }, i;
	uint8_t dgram[sizeof(struct rte_udp_hdr) + 64];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)dgram;

	lr_ifaces[0].ip_count = 4;
	start("mode=udp target=198.18.0.1 conc=8 warmup=0 duration=10s req=64 progress=0");
	turn(0);
	CU_ASSERT_EQUAL_FATAL(got.nb_dgrams, 8);
	for (i = 0; i < got.nb_dgrams; i++) {
		uint32_t a = got.dgram_addr[i] - LR_TEST_OUR_IP;

		CU_ASSERT_FATAL(a < 4);
		per_addr[a]++;
	}
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(per_addr[i], 2);
	CU_ASSERT_NOT_EQUAL(got.dgram_addr[0], got.dgram_addr[1]);
	/* the echo of the third datagram, to the address it came from */
	udp->src_port = rte_cpu_to_be_16(7);
	udp->dst_port = rte_cpu_to_be_16(9000);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(dgram));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, got.data + 64 * 2, 64);
	lr_test_rx(lr_test_ipv4(LR_TEST_PEER_IP, got.dgram_addr[2], IPPROTO_UDP, dgram,
			sizeof(dgram)));
	turn(0);
	CU_ASSERT_EQUAL(got.nb_dgrams, 1);
	CU_ASSERT_EQUAL(lr_loadgen_summary(1, &s), 0);
	CU_ASSERT_EQUAL(s.c.requests, 1);
	CU_ASSERT_EQUAL(s.errors, 0);
}

static void
test_loadgen_histogram_percentiles_exact(void)
{
	static uint64_t h[LR_LOADGEN_HIST_BUCKETS];
	uint64_t v;
	unsigned int i;

	memset(h, 0, sizeof(h));
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 0, 50000), 0);
	for (i = 1; i <= 1000; i++)
		lr_loadgen_hist_add(h, i % 200 + 1);   /* 1..200, five times each */
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1000, 50000), 100);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1000, 90000), 180);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1000, 99000), 198);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1000, 99900), 200);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1000, 100000), 200);
	/* one outlier of 1 s: p99.9 of 1001 samples is the 1000th, p100 the outlier's bucket */
	lr_loadgen_hist_add(h, 1000000);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1001, 99900), 200);
	v = lr_loadgen_hist_percentile(h, 1001, 100000);
	CU_ASSERT(v >= 1000000 && v <= 1000000 + 1000000 / 128);
	/* power-of-two bucket bounds: 1024 and 1031 share a bucket of width 8 */
	memset(h, 0, sizeof(h));
	lr_loadgen_hist_add(h, 1024);
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 1, 50000), 1031);
	lr_loadgen_hist_add(h, UINT64_MAX);     /* clamped, not out of range */
	CU_ASSERT_EQUAL(lr_loadgen_hist_percentile(h, 2, 100000), (1ULL << 32) - 1);
}

static void
test_loadgen_report_text_and_json(void)
{
	struct srv p = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	start("mode=crr target=198.18.0.1:80 conc=1 warmup=0 duration=1s progress=0");
	accept_syn(&p);
	p.ack += got.len;
	lr_tw->now_us += 42;
	srv_send(&p, ACK | PSH, resp, sizeof(resp) - 1);
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	lr_loadgen_report(f, 1, true);
	lr_loadgen_report(f, 1, false);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "{\"mode\":\"crr\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"p50\":42"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"refused\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "p99.9 42"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1 completed"));
	free(buf);
}

/*
 * The live table's figures from known counter deltas over 2 s: rates are the
 * differences over the interval, errors and retransmissions its differences, the
 * percentiles those of the histogram's difference (the 10 samples of 20 us before
 * the interval must not show).
 */
static void
test_loadgen_live_row_from_counter_deltas(void)
{
	static struct lr_loadgen_sample a, b;
	struct lr_loadgen_row r;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	a.t0_us = 1000000;
	a.t_us = 5000000;
	a.c.conns = a.c.conns_done = 100;
	a.c.requests = 100;
	a.c.tx_bytes = 1000;
	a.c.rx_bytes = 2000;
	a.c.err[LR_LOADGEN_ERR_TIMEOUT] = 1;
	a.retrans = 5;
	for (i = 0; i < 10; i++)
		lr_loadgen_hist_add(a.hist, 20);
	a.samples = 10;
	b = a;
	b.t_us = 7000000;
	b.phase = 1;
	b.c.conns = 310;
	b.c.conns_done = 300;          /* crr: 200 completed in 2 s */
	b.c.requests = 500;            /* 400 responses */
	b.c.tx_bytes += 250000;        /* 2 Mbit in 2 s */
	b.c.rx_bytes += 1000000;       /* 8 Mbit */
	b.c.err[LR_LOADGEN_ERR_TIMEOUT] = 4;
	b.c.err[LR_LOADGEN_ERR_RESET] = 2;
	b.retrans = 12;
	b.active = 33;
	b.target_rate = 150;
	for (i = 0; i < 90; i++)
		lr_loadgen_hist_add(b.hist, 50);
	for (i = 0; i < 10; i++)
		lr_loadgen_hist_add(b.hist, 200);
	b.samples += 100;
	lr_loadgen_row(&a, &b, LR_LOADGEN_CRR, &r);
	CU_ASSERT_EQUAL(r.t_s, 6);
	CU_ASSERT_EQUAL(r.phase, 1);
	CU_ASSERT_DOUBLE_EQUAL(r.cps, 100.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.rps, 200.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.tx_mbps, 1.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.rx_mbps, 4.0, 1e-9);
	CU_ASSERT_EQUAL(r.err[LR_LOADGEN_ERR_TIMEOUT], 3);
	CU_ASSERT_EQUAL(r.err[LR_LOADGEN_ERR_RESET], 2);
	CU_ASSERT_EQUAL(r.errors, 5);
	CU_ASSERT_EQUAL(r.retrans, 7);
	CU_ASSERT_EQUAL(r.active, 33);
	CU_ASSERT_EQUAL(r.target_rate, 150);
	CU_ASSERT_EQUAL(r.samples, 100);
	CU_ASSERT_EQUAL(r.p50_us, 50);
	CU_ASSERT_EQUAL(r.p90_us, 50);
	CU_ASSERT_EQUAL(r.p99_us, 200);
	CU_ASSERT_EQUAL(r.p999_us, 200);
	/* other modes count connections established */
	lr_loadgen_row(&a, &b, LR_LOADGEN_RR, &r);
	CU_ASSERT_DOUBLE_EQUAL(r.cps, 105.0, 1e-9);
}

/* The ticker: the first call samples, a row a second after, printed with its header
 * when progress=1, kept for `loadgen live`. */
static void
test_loadgen_live_tick_prints_a_row_a_second(void)
{
	struct lr_loadgen_row r;
	struct srv p = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	start("mode=crr target=198.18.0.1:80 conc=1 warmup=0 duration=10s progress=1");
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FALSE(lr_loadgen_live_tick(f, 1, lr_tw->now_us));
	accept_syn(&p);
	p.ack += got.len;
	lr_tw->now_us += 42;
	srv_send(&p, ACK | PSH, resp, sizeof(resp) - 1);
	CU_ASSERT_FALSE(lr_loadgen_live_tick(f, 1, lr_tw->now_us + 500000));
	CU_ASSERT_TRUE(lr_loadgen_live_tick(f, 1, lr_tw->now_us + 1000000));
	CU_ASSERT_FALSE(lr_loadgen_live_tick(f, 1, lr_tw->now_us + 1500000));
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(lr_loadgen_live_last(&r), 0);
	CU_ASSERT_EQUAL(r.samples, 1);
	CU_ASSERT_EQUAL(r.p50_us, 42);
	CU_ASSERT(r.rps > 0.99 && r.rps < 1.01);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "conn/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "p999_us"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " window "));
	free(buf);
}

static const CU_TestInfo cases[] = {
	{ "test_loadgen_parse_spec_and_defaults", test_loadgen_parse_spec_and_defaults },
	{ "test_loadgen_parse_errors_name_key_and_value",
		test_loadgen_parse_errors_name_key_and_value },
	{ "test_loadgen_crr_cycle_counts_connection_and_latency",
		test_loadgen_crr_cycle_counts_connection_and_latency },
	{ "test_loadgen_rr_reuses_one_connection", test_loadgen_rr_reuses_one_connection },
	{ "test_loadgen_response_split_anywhere", test_loadgen_response_split_anywhere },
	{ "test_loadgen_response_header_forms", test_loadgen_response_header_forms },
	{ "test_loadgen_response_header_reused_only_when_equal",
		test_loadgen_response_header_reused_only_when_equal },
	{ "test_loadgen_refused_and_timeout_counted", test_loadgen_refused_and_timeout_counted },
	{ "test_loadgen_sources_spread_over_addresses_and_ports",
		test_loadgen_sources_spread_over_addresses_and_ports },
	{ "test_loadgen_full_address_hands_over_to_next",
		test_loadgen_full_address_hands_over_to_next },
	{ "test_loadgen_rate_100_per_s_gives_100_starts",
		test_loadgen_rate_100_per_s_gives_100_starts },
	{ "test_loadgen_ramp_reaches_target_and_holds_it",
		test_loadgen_ramp_reaches_target_and_holds_it },
	{ "test_loadgen_udp_echo_records_latency", test_loadgen_udp_echo_records_latency },
	{ "test_loadgen_udp_flows_spread_source_ports",
		test_loadgen_udp_flows_spread_source_ports },
	{ "test_loadgen_udp_sources_spread_over_addresses",
		test_loadgen_udp_sources_spread_over_addresses },
	{ "test_loadgen_histogram_percentiles_exact", test_loadgen_histogram_percentiles_exact },
	{ "test_loadgen_report_text_and_json", test_loadgen_report_text_and_json },
	{ "test_loadgen_live_row_from_counter_deltas",
		test_loadgen_live_row_from_counter_deltas },
	{ "test_loadgen_live_tick_prints_a_row_a_second",
		test_loadgen_live_tick_prints_a_row_a_second },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {
		{ "loadgen", setup, teardown, cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
