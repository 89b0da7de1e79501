/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics: the exposition writer (lib/ctl/ctl_prom.c), the HTTP endpoint
 * (lib/ctl/ctl_http.c: request judging, addresses, a real listener on loopback with
 * its status codes and its bound on scrapers) and the appliance's scrape
 * (app/ctl/ctl_metrics.c) checked line by line by a validator of the 0.0.4 text format:
 * names valid, one HELP and TYPE per family before its samples, samples contiguous,
 * label values escaped, values numbers.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_cmds.h"
#include "lr_ctl.h"
#include "lr_prom.h"
#include "lr_stats.h"
#include "lr_test.h"

static struct lr_ctl_buf out;
static struct lr_prom prom;

/* ---- a validator of the text format 0.0.4 ---- */

#define V_FAMILIES 1024

struct validator {
	char fam[V_FAMILIES][LR_PROM_NAME_MAX + 1];
	char type[V_FAMILIES][16];
	unsigned int n;
	int cur;              /* family the samples belong to, -1 before any TYPE */
	unsigned int samples;
	char err[256];
};

static struct validator v;

static bool
vfail(const char *line, const char *why)
{
	snprintf(v.err, sizeof(v.err), "%s: %.160s", why, line);
	return false;
}

static int
vfind(const char *name)
{
	unsigned int i;

	for (i = 0; i < v.n; i++)
		if (strcmp(v.fam[i], name) == 0)
			return (int)i;
	return -1;
}

/* Is sample name s a member of family f of type t? */
static bool
member(const char *s, const char *f, const char *t)
{
	size_t n = strlen(f);

	if (strcmp(s, f) == 0)
		return strcmp(t, "histogram") != 0;
	if (strcmp(t, "histogram") != 0 || strncmp(s, f, n) != 0)
		return false;
	return strcmp(s + n, "_bucket") == 0 || strcmp(s + n, "_sum") == 0 ||
		strcmp(s + n, "_count") == 0;
}

static bool
vcomment(const char *line)
{
	char name[LR_PROM_NAME_MAX + 1], type[32];
	int f;

	if (strncmp(line, "# HELP ", 7) == 0) {
		if (sscanf(line + 7, "%128s", name) != 1 || !lr_prom_name_valid(name))
			return vfail(line, "bad HELP name");
		return true;
	}
	if (strncmp(line, "# TYPE ", 7) != 0)
		return vfail(line, "unknown comment");
	if (sscanf(line + 7, "%128s %31s", name, type) != 2 || !lr_prom_name_valid(name))
		return vfail(line, "bad TYPE line");
	if (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0 &&
			strcmp(type, "histogram") != 0)
		return vfail(line, "unknown type");
	if (vfind(name) >= 0)
		return vfail(line, "second TYPE for a family");
	if (v.n == V_FAMILIES)
		return vfail(line, "too many families");
	f = (int)v.n++;
	memcpy(v.fam[f], name, LR_PROM_NAME_MAX - 1);   /* name valid: shorter */
	memcpy(v.type[f], type, sizeof(v.type[f]) - 1);  /* one of the three types */
	v.cur = f;
	return true;
}

/* name{l="v",...} value */
static bool
vsample(const char *line)
{
	char name[LR_PROM_NAME_MAX + 1], lname[LR_PROM_NAME_MAX + 1];
	const char *p = line, *q;
	char *end;
	size_t n;

	for (q = p; *q != '\0' && *q != '{' && *q != ' '; q++)
		;
	n = (size_t)(q - p);
	if (n == 0 || n > LR_PROM_NAME_MAX)
		return vfail(line, "no name");
	memcpy(name, p, n);
	name[n] = '\0';
	if (!lr_prom_name_valid(name))
		return vfail(line, "bad name");
	if (v.cur < 0 || !member(name, v.fam[v.cur], v.type[v.cur]))
		return vfail(line, "sample outside its family (or before its TYPE)");
	if (strcmp(v.type[v.cur], "counter") == 0 && !strstr(name, "_total"))
		return vfail(line, "counter without _total");
	p = q;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			for (q = p; *q != '=' && *q != '\0'; q++)
				;
			n = (size_t)(q - p);
			if (*q != '=' || n == 0 || n > LR_PROM_NAME_MAX)
				return vfail(line, "bad label");
			memcpy(lname, p, n);
			lname[n] = '\0';
			if (!lr_prom_label_name_valid(lname) || q[1] != '"')
				return vfail(line, "bad label name");
			for (p = q + 2; *p != '"'; p++) {
				if (*p == '\0' || *p == '\n')
					return vfail(line, "unterminated label value");
				if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
					p++;
				else if (*p == '\\')
					return vfail(line, "bad escape");
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return vfail(line, "bad label list");
		}
		p++;
	}
	if (*p++ != ' ')
		return vfail(line, "no value");
	if (strcmp(p, "NaN") != 0 && strcmp(p, "+Inf") != 0 && strcmp(p, "-Inf") != 0) {
		strtod(p, &end);
		if (end == p || *end != '\0')
			return vfail(line, "value not a number");
	}
	v.samples++;
	return true;
}

/* Validate a whole scrape; on failure v.err says why. */
static bool
validate(const char *text)
{
	char line[1024];
	const char *p = text, *nl;
	size_t n;

	memset(&v, 0, sizeof(v));
	v.cur = -1;
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return vfail(p, "last line without newline");
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			return vfail(p, "line too long");
		memcpy(line, p, n);
		line[n] = '\0';
		if (n == 0)
			return vfail(line, "empty line");
		if (line[0] == '#' ? !vcomment(line) : !vsample(line))
			return false;
	}
	return true;
}

#define ASSERT_VALID(text) do { \
	bool ok_ = validate(text); \
	if (!ok_) \
		printf("\n    invalid exposition: %s\n", v.err); \
	CU_ASSERT_TRUE(ok_); \
} while (0)

/* ---- writer ---- */

static void
prom_setup(void)
{
	lr_ctl_buf_init(&out);
	lr_prom_init(&prom, &out, false);
}

static void
prom_teardown(void)
{
	lr_prom_finish(&prom);
	lr_ctl_buf_free(&out);
}

static void
test_prom_names_valid_and_invalid(void)
{
	CU_ASSERT_TRUE(lr_prom_name_valid("linerate_ip_rx_total"));
	CU_ASSERT_TRUE(lr_prom_name_valid("_x:y9"));
	CU_ASSERT_FALSE(lr_prom_name_valid(""));
	CU_ASSERT_FALSE(lr_prom_name_valid("9lives"));
	CU_ASSERT_FALSE(lr_prom_name_valid("ip.rx"));
	CU_ASSERT_FALSE(lr_prom_name_valid("ip-rx"));
	CU_ASSERT_FALSE(lr_prom_name_valid("ip rx"));
	CU_ASSERT_TRUE(lr_prom_label_name_valid("worker"));
	CU_ASSERT_FALSE(lr_prom_label_name_valid("a:b"));
	CU_ASSERT_FALSE(lr_prom_label_name_valid("__name__"));
	CU_ASSERT_FALSE(lr_prom_label_name_valid("1a"));
	/* a family with a bad name is refused and nothing is written */
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "bad-name_total", LR_PROM_COUNTER, "x"), -EINVAL);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(lr_prom_finish(&prom), -EINVAL);
}

static void
test_prom_counter_needs_total_and_gauge_must_not(void)
{
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_rx", LR_PROM_COUNTER, "h"), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_up_total", LR_PROM_GAUGE, "h"), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_lat_count", LR_PROM_GAUGE, "h"), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_lat_bucket", LR_PROM_HISTOGRAM, "h"),
			-EINVAL);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "_total", LR_PROM_COUNTER, "h"), -EINVAL);
	CU_ASSERT_EQUAL(out.len, 0);
}

static void
test_prom_one_type_per_family(void)
{
	struct lr_prom_label l = { "worker", "0" };

	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_rx_total", LR_PROM_COUNTER, "rx"), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &l, 1, 7), 0);
	l.value = "1";
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &l, 1, 8), 0);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_conns", LR_PROM_GAUGE, "conns"), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, NULL, 0, 3), 0);
	/* the same family again: refused, and the samples after it too */
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_rx_total", LR_PROM_COUNTER, "rx"),
			-EEXIST);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &l, 1, 9), -EINVAL);
	CU_ASSERT_STRING_EQUAL(out.data,
		"# HELP linerate_rx_total rx\n"
		"# TYPE linerate_rx_total counter\n"
		"linerate_rx_total{worker=\"0\"} 7\n"
		"linerate_rx_total{worker=\"1\"} 8\n"
		"# HELP linerate_conns conns\n"
		"# TYPE linerate_conns gauge\n"
		"linerate_conns 3\n");
	ASSERT_VALID(out.data);
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_EQUAL(lr_prom_finish(&prom), -EEXIST);
}

static void
test_prom_escapes_label_values_and_help(void)
{
	const struct lr_prom_label l[] = {
		{ "path", "C:\\dir\n\"q\"" }, { "utf8", "\xc3\xa9t\xc3\xa9" },
	};

	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_odd", LR_PROM_GAUGE,
			"back\\slash \"quoted\"\nsecond line"), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, l, 2, 1), 0);
	/* 0.0.4: HELP escapes backslash and newline only; label values the quote too */
	CU_ASSERT_STRING_EQUAL(out.data,
		"# HELP linerate_odd back\\\\slash \"quoted\"\\nsecond line\n"
		"# TYPE linerate_odd gauge\n"
		"linerate_odd{path=\"C:\\\\dir\\n\\\"q\\\"\",utf8=\"\xc3\xa9t\xc3\xa9\"} 1\n");
	ASSERT_VALID(out.data);
	CU_ASSERT_EQUAL(lr_prom_finish(&prom), 0);
}

static void
test_prom_refuses_bad_labels(void)
{
	struct lr_prom_label dup[] = { { "a", "1" }, { "a", "2" } };
	struct lr_prom_label le = { "le", "1" }, bad = { "x-y", "1" }, nul = { "a", NULL };

	CU_ASSERT_EQUAL(lr_prom_u64(&prom, NULL, 0, 1), -EINVAL); /* no family yet */
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_g", LR_PROM_GAUGE, "g"), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, dup, 2, 1), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &le, 1, 1), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &bad, 1, 1), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &nul, 1, 1), -EINVAL);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, dup, LR_PROM_LABELS_MAX + 1, 1), -EINVAL);
	CU_ASSERT_PTR_NULL(strstr(out.data, "linerate_g{"));
	CU_ASSERT_EQUAL(lr_prom_finish(&prom), -EINVAL);
}

static void
test_prom_values_doubles_and_specials(void)
{
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_busy_seconds_total", LR_PROM_COUNTER,
			"s"), 0);
	CU_ASSERT_EQUAL(lr_prom_double(&prom, NULL, 0, 0.1), 0);
	CU_ASSERT_EQUAL(lr_prom_double(&prom, NULL, 0, -1.0), -EINVAL); /* counters >= 0 */
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_temp", LR_PROM_GAUGE, "t"), 0);
	CU_ASSERT_EQUAL(lr_prom_double(&prom, NULL, 0, NAN), 0);
	CU_ASSERT_EQUAL(lr_prom_double(&prom, NULL, 0, -INFINITY), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, NULL, 0, UINT64_MAX), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "linerate_busy_seconds_total 0.1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "linerate_temp NaN\nlinerate_temp -Inf\n"
			"linerate_temp 18446744073709551615\n"));
	ASSERT_VALID(out.data);
}

static void
test_prom_histogram_buckets_sum_count(void)
{
	const double le[] = { 0.001, 0.01 };
	const uint64_t cum[] = { 2, 5 }, bad[] = { 5, 2 };
	struct lr_prom_label l = { "worker", "0" };

	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_lat_seconds", LR_PROM_HISTOGRAM, "l"), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, NULL, 0, 1), -EINVAL); /* not a plain sample */
	prom.err = 0;
	CU_ASSERT_EQUAL(lr_prom_histogram(&prom, &l, 1, le, cum, 2, 0.25, 7), 0);
	CU_ASSERT_STRING_EQUAL(out.data,
		"# HELP linerate_lat_seconds l\n"
		"# TYPE linerate_lat_seconds histogram\n"
		"linerate_lat_seconds_bucket{worker=\"0\",le=\"0.001\"} 2\n"
		"linerate_lat_seconds_bucket{worker=\"0\",le=\"0.01\"} 5\n"
		"linerate_lat_seconds_bucket{worker=\"0\",le=\"+Inf\"} 7\n"
		"linerate_lat_seconds_sum{worker=\"0\"} 0.25\n"
		"linerate_lat_seconds_count{worker=\"0\"} 7\n");
	ASSERT_VALID(out.data);
	/* decreasing buckets, or more in a bucket than in all: refused */
	CU_ASSERT_EQUAL(lr_prom_histogram(&prom, &l, 1, le, bad, 2, 0.25, 7), -EINVAL);
	prom.err = 0;
	CU_ASSERT_EQUAL(lr_prom_histogram(&prom, &l, 1, le, cum, 2, 0.25, 4), -EINVAL);
}

static void
test_prom_openmetrics_counter_family_and_eof(void)
{
	struct lr_prom_label l = { "q", "a\"b" };

	lr_prom_init(&prom, &out, true);
	CU_ASSERT_EQUAL(lr_prom_family(&prom, "linerate_rx_total", LR_PROM_COUNTER,
			"say \"hi\""), 0);
	CU_ASSERT_EQUAL(lr_prom_u64(&prom, &l, 1, 1), 0);
	CU_ASSERT_EQUAL(lr_prom_finish(&prom), 0);
	/* the family is named without _total, HELP escapes the quote, # EOF ends it */
	CU_ASSERT_STRING_EQUAL(out.data,
		"# HELP linerate_rx say \\\"hi\\\"\n"
		"# TYPE linerate_rx counter\n"
		"linerate_rx_total{q=\"a\\\"b\"} 1\n"
		"# EOF\n");
}

static const CU_TestInfo prom_cases[] = {
	{ "test_prom_names_valid_and_invalid", test_prom_names_valid_and_invalid },
	{ "test_prom_counter_needs_total_and_gauge_must_not",
		test_prom_counter_needs_total_and_gauge_must_not },
	{ "test_prom_one_type_per_family", test_prom_one_type_per_family },
	{ "test_prom_escapes_label_values_and_help", test_prom_escapes_label_values_and_help },
	{ "test_prom_refuses_bad_labels", test_prom_refuses_bad_labels },
	{ "test_prom_values_doubles_and_specials", test_prom_values_doubles_and_specials },
	{ "test_prom_histogram_buckets_sum_count", test_prom_histogram_buckets_sum_count },
	{ "test_prom_openmetrics_counter_family_and_eof",
		test_prom_openmetrics_counter_family_and_eof },
	CU_TEST_INFO_NULL,
};

/* ---- HTTP endpoint ---- */

static int
judge(const char *req, bool *om)
{
	return lr_ctl_http_parse(req, strlen(req), om);
}

static void
test_http_parse_status_codes(void)
{
	char big[LR_CTL_HTTP_REQ_MAX + 16];
	bool om;

	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &om), 200);
	CU_ASSERT_FALSE(om);
	CU_ASSERT_EQUAL(judge("GET /metrics?x=1 HTTP/1.0\n\n", &om), 200);
	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\n\r\n", &om), 200);
	CU_ASSERT_EQUAL(judge("GET / HTTP/1.1\r\n\r\n", &om), 404);
	CU_ASSERT_EQUAL(judge("GET /metricsx HTTP/1.1\r\n\r\n", &om), 404);
	CU_ASSERT_EQUAL(judge("GET /metrics/ HTTP/1.1\r\n\r\n", &om), 404);
	CU_ASSERT_EQUAL(judge("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &om), 405);
	CU_ASSERT_EQUAL(judge("HEAD /metrics HTTP/1.1\r\n\r\n", &om), 405);
	CU_ASSERT_EQUAL(judge("get /metrics HTTP/1.1\r\n\r\n", &om), 400);
	CU_ASSERT_EQUAL(judge("GET /metrics\r\n\r\n", &om), 400);
	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/2.0\r\n\r\n", &om), 400);
	CU_ASSERT_EQUAL(judge("GET  HTTP/1.1\r\n\r\n", &om), 400);
	CU_ASSERT_EQUAL(judge("\r\n\r\n", &om), 400);
	CU_ASSERT_EQUAL(lr_ctl_http_parse("GET /metrics HTTP/1.1\r\n\0\r\n\r\n", 29, &om), 400);
	/* incomplete until the head ends, then 431 once it is too long */
	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\nHost: x\r\n", &om), 0);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	CU_ASSERT_EQUAL(lr_ctl_http_parse(big, LR_CTL_HTTP_REQ_MAX - 1, &om), 0);
	CU_ASSERT_EQUAL(lr_ctl_http_parse(big, LR_CTL_HTTP_REQ_MAX, &om), 431);
}

static void
test_http_parse_accept_openmetrics(void)
{
	bool om;

	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: "
			"application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n", &om),
			200);
	CU_ASSERT_TRUE(om);
	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\naccept: text/plain\r\n\r\n", &om), 200);
	CU_ASSERT_FALSE(om);
	/* only the Accept header counts */
	CU_ASSERT_EQUAL(judge("GET /metrics HTTP/1.1\r\nX-A: application/openmetrics-text\r\n"
			"\r\n", &om), 200);
	CU_ASSERT_FALSE(om);
}

static void
test_http_listen_address_parse(void)
{
	struct sockaddr_storage ss;
	unsigned int len;
	const char *why = NULL;

	CU_ASSERT_EQUAL(lr_ctl_listen_parse("127.0.0.1:9464", &ss, &len, &why), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9464);
	CU_ASSERT_EQUAL(len, sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("[::1]:80", &ss, &len, &why), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("0.0.0.0:65535", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("127.0.0.1:0", NULL, NULL, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "port"));
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("127.0.0.1:65536", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("127.0.0.1:94x", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("127.0.0.1", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse(":9464", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("localhost:9464", NULL, NULL, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "IPv4"));
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("::1:9464", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("[::1]9464", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse("256.0.0.1:1", NULL, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_listen_parse(NULL, NULL, NULL, NULL), -EINVAL);
}

static bool fake_fails;

static int
fake_metrics(struct lr_ctl_buf *o, bool om)
{
	struct lr_prom p;

	if (fake_fails)
		return -ENOMEM;
	lr_prom_init(&p, o, om);
	lr_prom_family(&p, "linerate_test_total", LR_PROM_COUNTER, "a test");
	lr_prom_u64(&p, NULL, 0, 42);
	return lr_prom_finish(&p);
}

static uint16_t http_port;

/* A free loopback port (bound and released). */
static uint16_t
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void
http_setup(void)
{
	char addr[32];

	fake_fails = false;
	http_port = free_port();
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", http_port);
	CU_ASSERT_EQUAL_FATAL(lr_ctl_metrics_listen(addr, fake_metrics), 0);
	CU_ASSERT_EQUAL(lr_ctl_metrics_listen(addr, fake_metrics), -EALREADY);
	CU_ASSERT_EQUAL_FATAL(lr_ctl_start(NULL), 0);
}

static void
http_teardown(void)
{
	lr_ctl_stop();
}

static int
http_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(http_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	return fd;
}

/* Read until the server closes (5 s bound); returns the bytes read. */
static size_t
read_all(int fd, char *buf, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && poll(&pfd, 1, 5000) == 1) {
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* Send a request, return the whole answer in buf. */
static void
http_get(const char *req, size_t req_len, char *buf, size_t cap)
{
	int fd = http_connect();

	CU_ASSERT_EQUAL(send(fd, req, req_len, MSG_NOSIGNAL), (ssize_t)req_len);
	read_all(fd, buf, cap);
	close(fd);
}

static void
test_http_server_serves_metrics_and_errors(void)
{
	static char big[LR_CTL_HTTP_REQ_MAX + 64];
	struct lr_ctl_http_stats st0, st1;
	char buf[2048];
	const char *body;

	lr_ctl_http_stats_get(&st0);
	http_get("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", 35, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	body = strstr(buf, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body + 4, "# HELP linerate_test_total a test\n"
			"# TYPE linerate_test_total counter\nlinerate_test_total 42\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Content-Length: 92\r\n"));
	http_get("GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text\r\n\r\n", 63,
			buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Content-Type: application/openmetrics-text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# TYPE linerate_test counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# EOF\n"));
	http_get("GET /other HTTP/1.1\r\n\r\n", 23, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 404 ", 13), 0);
	http_get("DELETE /metrics HTTP/1.1\r\n\r\n", 28, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 405 ", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Allow: GET\r\n"));
	http_get("garbage\r\n\r\n", 11, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 400 ", 13), 0);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	http_get(big, sizeof(big), buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 431 ", 13), 0);
	fake_fails = true;
	http_get("GET /metrics HTTP/1.1\r\n\r\n", 25, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 500 ", 13), 0);
	lr_ctl_http_stats_get(&st1);
	CU_ASSERT_EQUAL(st1.status_200 - st0.status_200, 2);
	CU_ASSERT_EQUAL(st1.status_404 - st0.status_404, 1);
	CU_ASSERT_EQUAL(st1.status_405 - st0.status_405, 1);
	CU_ASSERT_EQUAL(st1.status_400 - st0.status_400, 1);
	CU_ASSERT_EQUAL(st1.status_431 - st0.status_431, 1);
	CU_ASSERT_EQUAL(st1.status_500 - st0.status_500, 1);
	CU_ASSERT_EQUAL(st1.accepted - st0.accepted, 7);
}

static void
test_http_server_refuses_scrapers_beyond_the_bound(void)
{
	int fds[LR_CTL_HTTP_MAX_CLIENTS], extra, i, tries;
	struct lr_ctl_http_stats st0, st1;
	char buf[2048];

	lr_ctl_http_stats_get(&st0);
	/* fill every slot with a connection that sends nothing */
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++)
		fds[i] = http_connect();
	extra = http_connect();
	read_all(extra, buf, sizeof(buf));
	close(extra);
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 503 ", 13), 0);
	lr_ctl_http_stats_get(&st1);
	CU_ASSERT_EQUAL(st1.refused - st0.refused, 1);
	CU_ASSERT_EQUAL(st1.accepted - st0.accepted, LR_CTL_HTTP_MAX_CLIENTS);
	/* the held ones are still served */
	CU_ASSERT_EQUAL(send(fds[0], "GET /metrics HTTP/1.1\r\n\r\n", 25, MSG_NOSIGNAL), 25);
	read_all(fds[0], buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 200 ", 13), 0);
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++)
		close(fds[i]);
	/* slots come back as the server sees the closes */
	for (tries = 0; tries < 200; tries++) {
		http_get("GET /metrics HTTP/1.1\r\n\r\n", 25, buf, sizeof(buf));
		if (strncmp(buf, "HTTP/1.1 200 ", 13) == 0)
			break;
	}
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 200 ", 13), 0);
}

static void
test_http_start_needs_a_socket_or_metrics(void)
{
	lr_ctl_stop();   /* the suite's server */
	CU_ASSERT_EQUAL(lr_ctl_start(NULL), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_start(""), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_metrics_listen("127.0.0.1:1x", fake_metrics), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_metrics_listen("127.0.0.1:9464", NULL), -EINVAL);
	/* a port in use */
	{
		struct sockaddr_in a = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);
		char addr[32];
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
				listen(fd, 1) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0);
		snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(a.sin_port));
		CU_ASSERT_EQUAL(lr_ctl_metrics_listen(addr, fake_metrics), -EADDRINUSE);
		close(fd);
	}
	CU_ASSERT_EQUAL(lr_ctl_metrics_listen("192.0.2.1:9464", fake_metrics), -EADDRNOTAVAIL);
}

static const CU_TestInfo http_cases[] = {
	{ "test_http_parse_status_codes", test_http_parse_status_codes },
	{ "test_http_parse_accept_openmetrics", test_http_parse_accept_openmetrics },
	{ "test_http_listen_address_parse", test_http_listen_address_parse },
	{ "test_http_server_serves_metrics_and_errors",
		test_http_server_serves_metrics_and_errors },
	{ "test_http_server_refuses_scrapers_beyond_the_bound",
		test_http_server_refuses_scrapers_beyond_the_bound },
	{ "test_http_start_needs_a_socket_or_metrics", test_http_start_needs_a_socket_or_metrics },
	CU_TEST_INFO_NULL,
};

/* ---- the appliance's scrape (app/ctl/ctl_metrics.c) ---- */

static void
metrics_setup(void)
{
	lr_test_reset();
	lr_ctl_buf_init(&out);
	CU_ASSERT_EQUAL_FATAL(lr_app_ctl_register(NULL), 0);
}

static void
metrics_teardown(void)
{
	lr_ctl_buf_free(&out);
	lr_test_tx_clear();
	lr_test_cleanup();
	lr_ctl_unregister_all();
}

/* The value of the first line starting with series, or -1. */
static long long
series_value(const char *text, const char *series)
{
	char key[256];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", series);
	p = strstr(text, key);
	return p != NULL ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void
test_metrics_scrape_is_valid_and_matches_stats(void)
{
	struct lr_ctl_buf resp;
	struct rte_mbuf *m;
	char name[160], low[64], *j;
	unsigned int id, i;

	for (i = 0; i < 3; i++)
		lr_test_rx(lr_test_icmp_echo(1, (uint16_t)i, "ping", 4));
	m = lr_test_icmp_echo(1, 9, "ping", 4);
	((uint8_t *)lr_test_ip_of(m))[sizeof(struct rte_ipv4_hdr) + 2] ^= 0xff; /* cksum */
	lr_test_rx(m);
	CU_ASSERT_EQUAL(lr_app_metrics(&out, false), 0);
	ASSERT_VALID(out.data);
	CU_ASSERT(v.n > 150);
	CU_ASSERT_EQUAL(series_value(out.data, "linerate_icmp_rx_echo_total{worker=\"0\"}"), 3);
	CU_ASSERT_EQUAL(series_value(out.data,
			"linerate_drops_total{layer=\"icmp\",reason=\"bad_cksum\",worker=\"0\"}"), 1);
	CU_ASSERT_EQUAL(series_value(out.data, "linerate_workers"), 1);
	/* `stats --json` says the same */
	lr_ctl_buf_init(&resp);
	CU_ASSERT_EQUAL(lr_ctl_exec("stats icmp --json", &resp), 0);
	j = strstr(resp.data, "\"rx_echo\":");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(strtoll(j + 10, NULL, 10), 3);
	lr_ctl_buf_free(&resp);
	/* every counter of every layer is there: counts by name, drops by reason */
	for (id = 0; id < LR_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_stats_desc(id);
		size_t k;

		for (k = 0; d->name[k] != '\0' && k + 1 < sizeof(low); k++)
			low[k] = (char)tolower((unsigned char)d->name[k]);
		low[k] = '\0';
		if (d->kind == LR_STAT_KIND_COUNT)
			snprintf(name, sizeof(name), "linerate_%s_%s_total{worker=\"0\"}", d->layer,
					low);
		else
			snprintf(name, sizeof(name), "linerate_drops_total{layer=\"%s\",reason=\"%s\","
					"worker=\"0\"}", d->layer, low);
		CU_ASSERT_EQUAL(series_value(out.data, name), (long long)lr_stats_read(0, id));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "linerate_tcp_connections{state=\"established\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "linerate_arp_entries{state=\"reachable\","
			"worker=\"0\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "linerate_loadgen_latency_seconds_bucket{"
			"worker=\"0\",le=\"+Inf\"} 0\n"));
}

static void
test_metrics_openmetrics_and_ctl_command(void)
{
	struct lr_ctl_buf resp;

	CU_ASSERT_EQUAL(lr_app_metrics(&out, true), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "# TYPE linerate_drops counter\n"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "_total counter\n"));
	CU_ASSERT_EQUAL(strcmp(out.data + out.len - 6, "# EOF\n"), 0);
	lr_ctl_buf_init(&resp);
	CU_ASSERT_EQUAL(lr_ctl_exec("metrics", &resp), 0);
	CU_ASSERT_EQUAL(strncmp(resp.data, "OK\n# HELP linerate_build_info ", 30), 0);
	CU_ASSERT_EQUAL(lr_ctl_exec("metrics --json", &resp), -EINVAL);
	lr_ctl_buf_free(&resp);
}

static const CU_TestInfo metrics_cases[] = {
	{ "test_metrics_scrape_is_valid_and_matches_stats",
		test_metrics_scrape_is_valid_and_matches_stats },
	{ "test_metrics_openmetrics_and_ctl_command", test_metrics_openmetrics_and_ctl_command },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	static const struct lr_test_suite suites[] = {
		{ "ctl_prom", prom_setup, prom_teardown, prom_cases },
		{ "ctl_http", http_setup, http_teardown, http_cases },
		{ "ctl_metrics", metrics_setup, metrics_teardown, metrics_cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
