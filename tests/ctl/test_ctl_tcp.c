/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/ctl/ctl_tcp.c: `conns` (text, JSON, filters), the tcp and services sections of
 * `stats`, and `connect` (and the TCP, services and client series of `metrics` and
 * `sample`), run through lr_ctl_exec() against a real shard on the
 * test worker (listeners of the built-in services, a connection opened by frames
 * from the peer, one opened by lr_tcp_connect()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "config.h"
#include "ctl_cmds.h"
#include "lr_ctl.h"
#include "lr_tcp.h"
#include "lr_test.h"
#include "tcp_services.h"

#define PEER_PORT 40000

static struct lr_config cfg;
static struct lr_ctl_buf resp;

static const struct lr_tcp_callbacks quiet_cb;

static struct rte_mbuf *
seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
	const struct lr_test_tcp_seg s = {
		.sport = sport, .dport = dport, .seq = seq, .ack = ack, .flags = flags,
		.wnd = 65535,
	};

	return lr_test_tcp(&s);
}

static void
rx(struct rte_mbuf *m)
{
	lr_test_rx(m);
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
}

/* Services listening on 7, 9, 19, 80; the peer connected to 80 from PEER_PORT. */
static void
setup(void)
{
	lr_test_reset();
	lr_tcp_init();
	lr_config_defaults(&cfg);
	cfg.tcp.max_conns = 1024;
	cfg.tcp.max_listeners = 8;
	cfg.tcp.isn_fn = lr_test_isn;
	cfg.tcp.isn_arg = (void *)(uintptr_t)8000;
	lr_tw->tcp = NULL;
	CU_ASSERT_EQUAL_FATAL(lr_tcp_worker_init(lr_tw, &cfg.tcp), 0);
	CU_ASSERT_EQUAL_FATAL(lr_services_tcp_init(lr_tw, &cfg), 0);
	CU_ASSERT_EQUAL_FATAL(lr_app_ctl_register(NULL), 0);
	rx(seg(PEER_PORT, 80, 1000, 0, RTE_TCP_SYN_FLAG));
	rx(seg(PEER_PORT, 80, 1001, 8001, RTE_TCP_ACK_FLAG));
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(lr_tcp_conn_count(lr_tw), 1);
	lr_ctl_buf_init(&resp);
}

static void
teardown(void)
{
	lr_ctl_buf_free(&resp);
	lr_services_tcp_fini(lr_tw);
	lr_tcp_worker_fini(lr_tw);
	lr_test_tx_clear();
	LR_TEST_ASSERT_NO_LEAK();
	lr_test_cleanup();
	lr_ctl_unregister_all();
}

static int
exec(const char *line)
{
	int rc = lr_ctl_exec(line, &resp);

	if (resp.data == NULL)
		lr_ctl_buf_append(&resp, "", 0);
	return rc;
}

static unsigned int
lines(const char *s)
{
	unsigned int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static unsigned int
count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static void
test_ctl_tcp_conns_lists_listeners_and_connections(void)
{
	struct lr_tcp_conn *c;

	c = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 5001, &quiet_cb, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	lr_tcp_flush(lr_tw);
	CU_ASSERT_EQUAL(exec("conns"), 0);
	/* OK, header, 4 listeners, 2 connections */
	CU_ASSERT_EQUAL(lines(resp.data), 8);
	CU_ASSERT_EQUAL(strncmp(resp.data, "OK\nproto", 8), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "local"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "send_q"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "retransmits"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "cwnd"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, " cc "));
	CU_ASSERT_EQUAL(count(resp.data, " cubic "), 2); /* the connections, not listeners */
	CU_ASSERT_EQUAL(count(resp.data, "LISTEN"), 4);
	CU_ASSERT_EQUAL(count(resp.data, "0.0.0.0:*"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "0.0.0.0:80 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "0.0.0.0:19 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "198.18.0.2:80 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "198.18.0.1:40000 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "ESTABLISHED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "198.18.0.1:5001 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "SYN_SENT"));
	lr_tcp_abort(c);
	lr_tcp_flush(lr_tw);
}

static void
test_ctl_tcp_conns_filters_by_state_and_port(void)
{
	CU_ASSERT_EQUAL(exec("conns LISTEN"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 6);
	CU_ASSERT_PTR_NULL(strstr(resp.data, "ESTABLISHED"));
	CU_ASSERT_EQUAL(exec("conns established"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "198.18.0.1:40000"));
	/* local or remote port */
	CU_ASSERT_EQUAL(exec("conns port 40000"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_EQUAL(exec("conns port 80"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 4);   /* the listener and the connection */
	CU_ASSERT_EQUAL(exec("conns listen port 80"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_EQUAL(exec("conns port 9 LISTEN"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	/* nothing in TIME_WAIT yet; "time-wait" is accepted too */
	CU_ASSERT_EQUAL(exec("conns time-wait"), 0);
	CU_ASSERT_PTR_NULL(strstr(resp.data, "TIME_WAIT"));
	CU_ASSERT_PTR_NULL(strstr(resp.data, "198.18"));
	CU_ASSERT_EQUAL(exec("conns bogus"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "ERR usage: conns [STATE] [port N]"));
	CU_ASSERT_EQUAL(exec("conns port"), -EINVAL);
	CU_ASSERT_EQUAL(exec("conns port 70000"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "bad port '70000'"));
}

static void
test_ctl_tcp_conns_time_wait(void)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	const struct lr_test_tcp_seg get = {
		.sport = PEER_PORT, .dport = 80, .seq = 1001, .ack = 8001,
		.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, .wnd = 65535,
		.data = req, .len = sizeof(req) - 1,
	};
	uint32_t our_nxt;

	/* an HTTP/1.0 request: response, then our FIN */
	rx(lr_test_tcp(&get));
	CU_ASSERT_EQUAL(exec("conns FIN_WAIT_1"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	/* the peer acknowledges the response (header + 128 bytes of body) and FIN */
	our_nxt = 8001;
	{
		struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];

		lr_services_tcp_stats(1, s, NULL);
		our_nxt += (uint32_t)s[LR_TCP_SVC_HTTP].bytes_out + 1;
	}
	rx(seg(PEER_PORT, 80, 1001 + sizeof(req) - 1, our_nxt,
			RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG));
	CU_ASSERT_EQUAL(exec("conns TIME_WAIT"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "198.18.0.1:40000"));
	CU_ASSERT_EQUAL(exec("conns time_wait port 40000"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_EQUAL(exec("conns time_wait port 40001"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 2);
}

static void
test_ctl_tcp_conns_json(void)
{
	CU_ASSERT_EQUAL(exec("conns --json"), 0);
	CU_ASSERT_EQUAL(strncmp(resp.data, "OK\n[", 4), 0);
	CU_ASSERT_EQUAL(count(resp.data, "\"proto\":"), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"state\":\"LISTEN\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"remote\":\"198.18.0.1:40000\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"worker\":0"));
	CU_ASSERT_EQUAL(exec("conns --json ESTABLISHED"), 0);
	CU_ASSERT_EQUAL(count(resp.data, "\"proto\":"), 1);
	if (count(resp.data, "\"proto\":") != 1)
		printf("\n%s\n", resp.data);
}

/* More connections than one page (LR_TCP_WALK_PAGE): `conns` pages through them and
 * lists each once; `stats` counts them from the gauges. */
static void
test_ctl_tcp_conns_pages_through_many(void)
{
	static struct lr_tcp_conn *c[700];
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++) {
		c[i] = lr_tcp_connect(lr_tw, rte_cpu_to_be_32(LR_TEST_PEER_IP), 5001, &quiet_cb,
				NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
	}
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(exec("conns"), 0);
	/* OK, header, 4 listeners, the peer's connection, 700 SYN_SENT */
	CU_ASSERT_EQUAL(lines(resp.data), 2 + 4 + 1 + RTE_DIM(c));
	CU_ASSERT_EQUAL(count(resp.data, "SYN_SENT"), RTE_DIM(c));
	CU_ASSERT_EQUAL(exec("conns --json syn_sent"), 0);
	CU_ASSERT_EQUAL(count(resp.data, "\"proto\":"), RTE_DIM(c));
	CU_ASSERT_EQUAL(exec("stats tcp --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"syn_sent\":700,"));
	for (i = 0; i < RTE_DIM(c); i++)
		lr_tcp_abort(c[i]);
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	lr_test_tx_clear();
	CU_ASSERT_EQUAL(exec("stats tcp --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"syn_sent\":0,"));
}

static void
test_ctl_tcp_stats_sections(void)
{
	CU_ASSERT_EQUAL(exec("stats"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\ntcp:\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "connections created by a SYN to a listener"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "states:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\nservices:\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "chargen:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "client:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "mempool:"));
	CU_ASSERT_EQUAL(exec("stats tcp --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"tcp\":{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"passive_open\":1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"listen\":4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"established\":1"));
	CU_ASSERT_PTR_NULL(strstr(resp.data, "\"services\""));
	if (strstr(resp.data, "\"listen\":4") == NULL)
		printf("\n%s\n", resp.data);
	CU_ASSERT_EQUAL(exec("stats services --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"http\":{\"conns\":1"));
	CU_ASSERT_PTR_NULL(strstr(resp.data, "\"tcp\""));
	CU_ASSERT_EQUAL(exec("stats tcpx"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "tcp services"));
}

static void
test_ctl_tcp_connect_starts_client(void)
{
	struct lr_tcp_client_stats cl;
	struct lr_tcp_svc_stats s[LR_TCP_SVC_NB];
	struct lr_test_parsed p;

	CU_ASSERT_EQUAL(exec("connect 198.18.0.1 5001 1000"), 0);
	CU_ASSERT_STRING_EQUAL(resp.data, "OK\nstarted\n");
	lr_tcp_flush(lr_tw);
	lr_worker_flush(lr_tw);
	CU_ASSERT_EQUAL_FATAL(lr_test_tx_count(), 1);
	CU_ASSERT_EQUAL_FATAL(lr_test_parse(lr_test_tx_get(0), &p), 0);
	CU_ASSERT_EQUAL(p.tcp->tcp_flags, RTE_TCP_SYN_FLAG);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(p.tcp->dst_port), 5001);
	lr_services_tcp_stats(1, s, &cl);
	CU_ASSERT_EQUAL(cl.started, 1);
	CU_ASSERT_EQUAL(cl.active, 1);
	CU_ASSERT_EQUAL(exec("conns SYN_SENT"), 0);
	CU_ASSERT_EQUAL(lines(resp.data), 3);
	CU_ASSERT_EQUAL(exec("connect 198.18.0.1"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "usage: connect ADDR PORT [BYTES]"));
	CU_ASSERT_EQUAL(exec("connect 198.18.0.256 80"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "bad address"));
	CU_ASSERT_EQUAL(exec("connect 198.18.0.1 0"), -EINVAL);
	CU_ASSERT_EQUAL(exec("connect 198.18.0.1 80 -5"), -EINVAL);
	CU_ASSERT_EQUAL(exec("connect 10.9.9.9 80"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "connect: Network is unreachable"));
	CU_ASSERT_EQUAL(exec("connect 198.18.0.1 5001 --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "\"status\":\"started\""));
}

/* Lower-case copy, as the metrics and JSON names are. */
static const char *
low(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	buf[i] = '\0';
	return buf;
}

/* The value of series (a whole line start, "name{labels} ") in resp, or -1. */
static long long
series(const char *name)
{
	const char *p = strstr(resp.data, name);

	return p != NULL ? strtoll(p + strlen(name), NULL, 10) : -1;
}

/* `metrics` holds: each service's counters by service, the client's by outcome. */
static void
services_series_match(void)
{
	struct lr_tcp_svc_stats svc[LR_TCP_SVC_NB];
	struct lr_tcp_client_stats cl;
	char name[160];
	unsigned int s;

	lr_services_tcp_stats(1, svc, &cl);
	CU_ASSERT_EQUAL(svc[LR_TCP_SVC_HTTP].conns, 1);   /* the peer's connection */
	CU_ASSERT_EQUAL(cl.started, 1);                   /* `connect` */
	for (s = 0; s < LR_TCP_SVC_NB; s++) {
		snprintf(name, sizeof(name),
				"\nlinerate_service_connections_total{service=\"%s\"} ",
				lr_tcp_svc_name(s));
		CU_ASSERT_EQUAL(series(name), (long long)svc[s].conns);
		snprintf(name, sizeof(name), "\nlinerate_service_requests_total{service=\"%s\"} ",
				lr_tcp_svc_name(s));
		CU_ASSERT_EQUAL(series(name), (long long)svc[s].requests);
	}
	CU_ASSERT_EQUAL(series("\nlinerate_client_connections_total{outcome=\"started\"} "),
			(long long)cl.started);
	CU_ASSERT_EQUAL(series("\nlinerate_client_connections_total{outcome=\"completed\"} "),
			(long long)cl.completed);
	CU_ASSERT_EQUAL(series("\nlinerate_client_active_connections "), (long long)cl.active);
	CU_ASSERT_EQUAL(series("\nlinerate_metrics_responses_total{code=\"431\"} "), 0);
}

/* The shard's counters as `metrics` and `sample` show them: every TCP count by name and
 * every TCP drop by reason with the shard's value; sample's established and drops. */
static void
test_ctl_tcp_counters_in_metrics_and_sample(void)
{
	const struct lr_tcp_stats *ts = lr_tcp_stats_get(lr_tw);
	unsigned long long est = 0, rexmt = 0;
	char series[192], name[64], line[96];
	unsigned int id, nonzero = 0;
	const char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	/* a segment for no connection: a TCP drop (NO_CONN) */
	rx(seg(PEER_PORT + 1, 4444, 5000, 0, RTE_TCP_SYN_FLAG));
	CU_ASSERT_EQUAL_FATAL(ts->v[LR_TCP_STAT_NO_CONN], 1);
	CU_ASSERT_EQUAL_FATAL(exec("connect 198.18.0.1 5001"), 0);
	CU_ASSERT_EQUAL_FATAL(exec("metrics"), 0);
	for (id = 0; id < LR_TCP_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_tcp_stat_desc(id);

		low(d->name, name, sizeof(name));
		if (d->kind == LR_STAT_KIND_COUNT)
			snprintf(series, sizeof(series), "\nlinerate_tcp_%s_total{worker=\"0\"} ",
					name);
		else
			snprintf(series, sizeof(series), "\nlinerate_drops_total{layer=\"tcp\","
					"reason=\"%s\",worker=\"0\"} ", name);
		p = strstr(resp.data, series);
		CU_ASSERT_PTR_NOT_NULL(p);
		if (p == NULL)
			printf("\n  missing: %s", series + 1);
		else
			CU_ASSERT_EQUAL(strtoull(p + strlen(series), NULL, 10), ts->v[id]);
		nonzero += ts->v[id] != 0;
	}
	CU_ASSERT(nonzero >= 2);
	/* the services' and the client's families, one row per service or outcome */
	services_series_match();
	/* sample: w WORKER RX TX CONNS BUSY IDLE ESTABLISHED REXMT, then d lines */
	CU_ASSERT_EQUAL_FATAL(exec("sample"), 0);
	p = strstr(resp.data, "\nw 0 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(sscanf(p, "\nw 0 %*u %*u %*u %*u %*u %llu %llu", &est, &rexmt), 2);
	CU_ASSERT_EQUAL(est, ts->v[LR_TCP_STAT_ESTABLISHED]);
	CU_ASSERT(est >= 1);
	CU_ASSERT_EQUAL(rexmt, ts->v[LR_TCP_STAT_REXMT_SEGS]);
	snprintf(line, sizeof(line), "\nd 0 tcp.NO_CONN 1\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, line));
}

static const CU_TestInfo cases[] = {
	{ "test_ctl_tcp_conns_lists_listeners_and_connections",
		test_ctl_tcp_conns_lists_listeners_and_connections },
	{ "test_ctl_tcp_conns_filters_by_state_and_port",
		test_ctl_tcp_conns_filters_by_state_and_port },
	{ "test_ctl_tcp_conns_time_wait", test_ctl_tcp_conns_time_wait },
	{ "test_ctl_tcp_conns_json", test_ctl_tcp_conns_json },
	{ "test_ctl_tcp_conns_pages_through_many", test_ctl_tcp_conns_pages_through_many },
	{ "test_ctl_tcp_stats_sections", test_ctl_tcp_stats_sections },
	{ "test_ctl_tcp_connect_starts_client", test_ctl_tcp_connect_starts_client },
	{ "test_ctl_tcp_counters_in_metrics_and_sample",
		test_ctl_tcp_counters_in_metrics_and_sample },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	static const struct lr_test_suite suites[] = {
		{ "ctl_tcp", setup, teardown, cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
