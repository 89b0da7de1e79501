/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control server and output builders: request handling through lr_ctl_exec(),
 * text tables and JSON (checked by a strict validator and by python3 -m
 * json.tool when available), then real clients on a Unix socket: concurrency,
 * over-long and silent clients, stale sockets.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_telemetry.h>

#include "config.h"
#include "ctl_cmds.h"
#include "lr_ctl.h"
#include "lr_test.h"

static char sock_dir[64];
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* ---- a strict JSON validator (RFC 8259, no extensions) ---- */

static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF", p[i]) == NULL || !p[i])
						return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *
json_number(const char *p)
{
	const char *s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		s = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		s = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	return p;
}

static const char *
json_container(const char *p, int depth, char close, bool object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = json_string(json_ws(p));
			if (p == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (p == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = json_ws(p);
	switch (*p) {
	case '{':
		return json_container(p, depth, '}', true);
	case '[':
		return json_container(p, depth, ']', false);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static bool
json_valid(const char *s)
{
	const char *end = json_value(s, 0);

	return end != NULL && *json_ws(end) == '\0';
}

/* python3 -m json.tool agrees (true when python3 is not installed). */
static bool
json_valid_python(const char *s)
{
	static int have_python = -1;
	FILE *f;

	if (have_python < 0)
		have_python = system("command -v python3 >/dev/null 2>&1") == 0;
	if (!have_python)
		return true;
	f = popen("python3 -m json.tool >/dev/null 2>&1", "w");
	if (f == NULL)
		return true;
	fputs(s, f);
	return pclose(f) == 0;
}

/* Run a request; returns the body if the answer is OK (NULL otherwise). */
static const char *
exec_ok(struct lr_ctl_buf *resp, const char *req)
{
	int ret = lr_ctl_exec(req, resp);

	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp->data);
	if (ret != 0 || strncmp(resp->data, "OK\n", 3) != 0) {
		fprintf(stderr, "request '%s' answered: %s\n", req, resp->data);
		return NULL;
	}
	return resp->data + 3;
}

static void
assert_json_ok(const char *req)
{
	struct lr_ctl_buf resp;
	const char *body;

	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, req);
	CU_ASSERT_PTR_NOT_NULL(body);
	if (body != NULL) {
		if (!json_valid(body) || !json_valid_python(body))
			fprintf(stderr, "invalid JSON for '%s':\n%s\n", req, body);
		CU_ASSERT_TRUE(json_valid(body));
		CU_ASSERT_TRUE(json_valid_python(body));
	}
	lr_ctl_buf_free(&resp);
}

/* ---- commands used by the tests ---- */

static int
cmd_echo(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	int i;

	if (json) {
		lr_ctl_json_arr_open(out, "args");
		for (i = 1; i < argc; i++)
			lr_ctl_json_str(out, NULL, argv[i]);
		return 0;
	}
	for (i = 1; i < argc; i++)
		lr_ctl_buf_printf(out, "%s%s", i > 1 ? " " : "", argv[i]);
	return 0;
}

static int
cmd_fail(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	RTE_SET_USED(json);
	if (argc > 1)
		return lr_ctl_errorf(out, "cannot %s", argv[1]);
	return -ENOTSUP;
}

static const struct lr_ctl_col fruit_cols[] = {
	{ "name", LR_CTL_COL_STR },
	{ "count", LR_CTL_COL_NUM },
	{ "note", LR_CTL_COL_STR },
};

static int
cmd_fruit(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	struct lr_ctl_table t;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	lr_ctl_table_begin(&t, out, json, NULL, fruit_cols, RTE_DIM(fruit_cols));
	lr_ctl_table_cell(&t, "apple");
	lr_ctl_table_u64(&t, 7);
	lr_ctl_table_cell(&t, "say \"hi\"\\\n");
	lr_ctl_table_cell(&t, "kiwi");
	lr_ctl_table_u64(&t, 12345);
	lr_ctl_table_cell(&t, "-");
	return lr_ctl_table_end(&t);
}

static void
register_test_cmds(void)
{
	CU_ASSERT_EQUAL(lr_ctl_register("echo", "print the arguments", cmd_echo), 0);
	CU_ASSERT_EQUAL(lr_ctl_register("fail", "always fails", cmd_fail), 0);
	CU_ASSERT_EQUAL(lr_ctl_register("fruit", "a table", cmd_fruit), 0);
}

static void
fmt_setup(void)
{
	lr_test_reset();
	lr_ctl_unregister_all();
	register_test_cmds();
}

static void
fmt_teardown(void)
{
	lr_ctl_unregister_all();
	lr_test_cleanup();
}

/* ---- builders and request handling ---- */

static void
test_ctl_json_string_escapes_quotes_controls_and_bad_utf8(void)
{
	struct lr_ctl_buf b;

	lr_ctl_buf_init(&b);
	CU_ASSERT_EQUAL(lr_ctl_buf_json_string(&b, "a\"b\\c\nd\te\x01 \xc3\xa9 \xff"), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9 \\u00ff\"");
	CU_ASSERT_TRUE(json_valid(b.data));
	CU_ASSERT_TRUE(json_valid_python(b.data));
	lr_ctl_buf_free(&b);
}

static void
test_ctl_json_writer_places_commas_and_closes(void)
{
	struct lr_ctl_buf b;

	lr_ctl_buf_init(&b);
	lr_ctl_json_u64(&b, "a", 1);
	lr_ctl_json_obj_open(&b, "o");
	lr_ctl_json_bool(&b, "t", true);
	lr_ctl_json_i64(&b, "n", -5);
	lr_ctl_json_close(&b);
	lr_ctl_json_arr_open(&b, "l");
	lr_ctl_json_str(&b, NULL, "x");
	lr_ctl_json_str(&b, NULL, NULL);
	lr_ctl_json_double(&b, NULL, 2.5, 1);
	CU_ASSERT_EQUAL(lr_ctl_json_finish(&b), 0);
	CU_ASSERT_STRING_EQUAL(b.data,
			"{\"a\":1,\"o\":{\"t\":true,\"n\":-5},\"l\":[\"x\",null,2.5]}");
	CU_ASSERT_EQUAL(lr_ctl_json_close(&b), -EINVAL);
	lr_ctl_buf_free(&b);
}

static void
test_ctl_table_text_is_aligned(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "fruit\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	/* strings left aligned, numbers right aligned, two spaces apart */
	CU_ASSERT_STRING_EQUAL(body,
			"name   count  note\n"
			"apple      7  say \"hi\"\\\n\n"
			"kiwi   12345  -\n");
	lr_ctl_buf_free(&resp);
}

static void
test_ctl_table_json_is_array_of_objects(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "fruit --json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body,
			"[{\"name\":\"apple\",\"count\":7,\"note\":\"say \\\"hi\\\"\\\\\\n\"},"
			"{\"name\":\"kiwi\",\"count\":12345,\"note\":\"-\"}]\n");
	CU_ASSERT_TRUE(json_valid(body));
	CU_ASSERT_TRUE(json_valid_python(body));
	lr_ctl_buf_free(&resp);
}

static void
test_ctl_kv_text_aligned_and_json_object(void)
{
	struct lr_ctl_buf b;
	struct lr_ctl_kv kv;

	lr_ctl_buf_init(&b);
	lr_ctl_kv_begin(&kv, &b, false, "info");
	lr_ctl_kv_str(&kv, "name", "%s", "lr0");
	lr_ctl_kv_u64(&kv, "mtu", 1500);
	CU_ASSERT_EQUAL(lr_ctl_kv_end(&kv), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "info:\n  name  lr0\n  mtu   1500\n");
	CU_ASSERT_EQUAL(b.indent, 0);

	lr_ctl_buf_reset(&b);
	lr_ctl_kv_begin(&kv, &b, true, "info");
	lr_ctl_kv_str(&kv, "name", "%s", "lr0");
	lr_ctl_kv_u64(&kv, "mtu", 1500);
	CU_ASSERT_EQUAL(lr_ctl_kv_end(&kv), 0);
	lr_ctl_json_finish(&b);
	CU_ASSERT_STRING_EQUAL(b.data, "{\"info\":{\"name\":\"lr0\",\"mtu\":1500}}");
	lr_ctl_buf_free(&b);
}

static void
test_ctl_unknown_command_suggests_help(void)
{
	struct lr_ctl_buf resp;

	lr_ctl_buf_init(&resp);
	CU_ASSERT_EQUAL(lr_ctl_exec("bogus x y\n", &resp), -ENOENT);
	CU_ASSERT_STRING_EQUAL(resp.data, "ERR unknown command 'bogus' (try: help)\n");
	CU_ASSERT_TRUE(lr_ctl_exec("", &resp) < 0);
	CU_ASSERT_STRING_EQUAL(resp.data, "ERR empty request (try: help)\n");
	CU_ASSERT_TRUE(lr_ctl_exec("echo \x01\n", &resp) < 0);
	CU_ASSERT_STRING_EQUAL(resp.data, "ERR request contains control characters\n");
	lr_ctl_buf_free(&resp);
}

static void
test_ctl_handler_error_becomes_err_line(void)
{
	struct lr_ctl_buf resp;

	lr_ctl_buf_init(&resp);
	CU_ASSERT_EQUAL(lr_ctl_exec("fail fly\n", &resp), -EINVAL);
	CU_ASSERT_STRING_EQUAL(resp.data, "ERR cannot fly\n");
	CU_ASSERT_EQUAL(lr_ctl_exec("fail\n", &resp), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(resp.data, "ERR Operation not supported\n");
	lr_ctl_buf_free(&resp);
}

static void
test_ctl_json_flag_anywhere_and_echo(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "echo a\tb  c\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body, "a b c\n");
	body = exec_ok(&resp, "echo a --json b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body, "{\"args\":[\"a\",\"b\"]}\n");
	lr_ctl_buf_free(&resp);
}

static void
test_ctl_register_rejects_bad_and_duplicate_names(void)
{
	CU_ASSERT_EQUAL(lr_ctl_register("echo", "again", cmd_echo), -EEXIST);
	CU_ASSERT_EQUAL(lr_ctl_register("help", "mine", cmd_echo), -EEXIST);
	CU_ASSERT_EQUAL(lr_ctl_register("has space", "", cmd_echo), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_register("", "", cmd_echo), -EINVAL);
	CU_ASSERT_EQUAL(lr_ctl_register("nofn", "", NULL), -EINVAL);
}

static void
test_ctl_help_lists_commands(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "help");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\necho     print the arguments\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\nfruit    a table\n"));
	lr_ctl_buf_free(&resp);
	assert_json_ok("help --json");
}

static void
test_ctl_app_commands_render_valid_json(void)
{
	static const char *const reqs[] = {
		"stats --json", "stats ip --json", "ports --json", "cores --json",
		"arp --json", "version --json", "config --json", "help --json",
	};
	struct lr_config cfg;
	struct rte_ether_addr bcast;
	unsigned int i;

	lr_config_defaults(&cfg);
	snprintf(cfg.path, sizeof(cfg.path), "odd \"name\"\\.ini");
	CU_ASSERT_EQUAL(lr_app_ctl_register(&cfg), 0);
	/* one ARP entry learned from a request for our address */
	memset(&bcast, 0xff, sizeof(bcast));
	lr_test_rx(lr_test_arp(RTE_ARP_OP_REQUEST, &bcast, &lr_test_peer_mac, LR_TEST_PEER_IP,
			&bcast, LR_TEST_OUR_IP));
	lr_test_tx_clear();
	for (i = 0; i < RTE_DIM(reqs); i++)
		assert_json_ok(reqs[i]);
}

static void
test_ctl_app_commands_text(void)
{
	static const char *const reqs[] = {
		"stats", "stats udp", "ports", "cores", "arp", "version", "config",
	};
	struct lr_ctl_buf resp;
	struct lr_config cfg;
	unsigned int i;

	lr_config_defaults(&cfg);
	CU_ASSERT_EQUAL(lr_app_ctl_register(&cfg), 0);
	lr_ctl_buf_init(&resp);
	for (i = 0; i < RTE_DIM(reqs); i++)
		CU_ASSERT_PTR_NOT_NULL(exec_ok(&resp, reqs[i]));
	CU_ASSERT_TRUE(lr_ctl_exec("stats nosuchlayer", &resp) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "ERR unknown layer 'nosuchlayer'"));
	lr_ctl_buf_free(&resp);
}

/* After lr_app_ctl_stop() a telemetry call (DPDK's thread outlives teardown) reads
 * nothing: it is refused before it touches any worker. */
static void
test_ctl_telemetry_refused_after_stop(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct lr_config cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	lr_config_defaults(&cfg);
	cfg.telemetry = true;
	cfg.control_socket[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(lr_app_ctl_start(&cfg), 0);
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/version", NULL, d), 0);
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/arp", NULL, d), 0);
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/nosuch", NULL, d), -ENOENT);
	lr_app_ctl_stop();
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/version", NULL, d), -ESHUTDOWN);
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/arp", NULL, d), -ESHUTDOWN);
	/* a new start opens the gate again */
	CU_ASSERT_EQUAL_FATAL(lr_app_ctl_start(&cfg), 0);
	CU_ASSERT_EQUAL(lr_app_tel_call("/linerate/version", NULL, d), 0);
	lr_app_ctl_stop();
	rte_tel_data_free(d);
}

static void
test_ctl_stats_sums_and_marks_drops(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	CU_ASSERT_EQUAL(lr_app_ctl_register(NULL), 0);
	LR_STAT_ADD(lr_tw->stats, LR_STAT_eth_RX, 3);
	LR_STAT_ADD(lr_tw->stats, LR_STAT_ip_BAD_CKSUM, 2);
	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "stats --json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "{\"eth\":{\"rx\":3,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"bad_cksum\":2"));
	body = exec_ok(&resp, "stats ip");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL(strncmp(body, "ip:\n", 4), 0);
	CU_ASSERT_PTR_NULL(strstr(body, "eth:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "2  5.2.2(2) header checksum wrong  [drop]\n"));
	lr_ctl_buf_free(&resp);
}

/* ---- over a socket ---- */

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
client_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read until EOF (or timeout_ms); returns a malloc'ed string. */
static char *
client_read_all(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t deadline = ms_now() + (uint64_t)timeout_ms;
	size_t len = 0, cap = 1 << 16;
	char *buf = calloc(1, cap);
	ssize_t n;

	while (buf != NULL && len + 1 < cap) {
		uint64_t now = ms_now();

		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) <= 0)
			break;
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* Send a request (then half-close if asked) and read the whole answer. */
static char *
client_request_ex(const char *req, size_t len, bool half_close)
{
	char *resp;
	int fd;

	fd = client_connect();
	if (fd < 0)
		return NULL;
	if (write(fd, req, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	if (half_close)
		shutdown(fd, SHUT_WR);
	resp = client_read_all(fd, 5000);
	close(fd);
	return resp;
}

static char *
client_request(const char *req, size_t len)
{
	return client_request_ex(req, len, false);
}

static void
server_setup(void)
{
	fmt_setup();
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/lr-ctl-test.%d", (int)getpid());
	snprintf(sock_path, sizeof(sock_path), "%s/run/ctl.sock", sock_dir);
	CU_ASSERT_EQUAL(lr_ctl_start(sock_path), 0);
}

static void
server_teardown(void)
{
	char dir[160];

	lr_ctl_stop();
	snprintf(dir, sizeof(dir), "%s/run", sock_dir);
	rmdir(dir);
	rmdir(sock_dir);
	fmt_teardown();
}

static void
test_ctl_server_answers_ok_and_err(void)
{
	struct stat st;
	char *resp;

	CU_ASSERT_EQUAL_FATAL(stat(sock_path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);  /* no group configured: owner only */
	resp = client_request("echo hello world\n", 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\nhello world\n");
	free(resp);
	resp = client_request("nope\n", 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "ERR unknown command 'nope' (try: help)\n");
	free(resp);
	/* no newline, but the client half-closes: still served */
	resp = client_request_ex("echo eof", 8, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\neof\n");
	free(resp);
	CU_ASSERT_EQUAL(lr_ctl_start(sock_path), -EALREADY);
}

#define NB_THREADS 8
#define REQS_PER_THREAD 25

static void *
client_thread(void *arg)
{
	long id = (long)arg, bad = 0;
	char req[64], want[64];
	char *resp;
	int i, len;

	for (i = 0; i < REQS_PER_THREAD; i++) {
		len = snprintf(req, sizeof(req), "echo t%ld r%d\n", id, i);
		snprintf(want, sizeof(want), "OK\nt%ld r%d\n", id, i);
		resp = client_request(req, (size_t)len);
		if (resp == NULL || strcmp(resp, want) != 0)
			bad++;
		free(resp);
	}
	return (void *)bad;
}

static void
test_ctl_server_serves_concurrent_clients(void)
{
	pthread_t th[NB_THREADS];
	void *bad;
	long i;

	for (i = 0; i < NB_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, client_thread, (void *)i), 0);
	for (i = 0; i < NB_THREADS; i++) {
		pthread_join(th[i], &bad);
		CU_ASSERT_EQUAL((long)bad, 0);
	}
}

static void
test_ctl_server_rejects_overlong_request(void)
{
	char req[5000];
	char *resp;

	memset(req, 'a', sizeof(req));
	resp = client_request(req, sizeof(req));
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "ERR request too long (limit 4096 bytes)\n");
	free(resp);
	/* exactly the limit, newline included, is fine */
	memcpy(req, "echo ", 5);
	req[LR_CTL_REQ_MAX - 1] = '\n';
	resp = client_request(req, LR_CTL_REQ_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_EQUAL(strncmp(resp, "OK\naaaa", 7), 0);
	free(resp);
}

static void
test_ctl_server_silent_client_does_not_block_others(void)
{
	uint64_t t0;
	char *resp;
	int silent, partial;

	silent = client_connect();
	CU_ASSERT_TRUE_FATAL(silent >= 0);
	partial = client_connect();
	CU_ASSERT_TRUE_FATAL(partial >= 0);
	CU_ASSERT_EQUAL(write(partial, "ec", 2), 2);

	t0 = ms_now();
	resp = client_request("echo quick\n", 11);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\nquick\n");
	CU_ASSERT_TRUE(ms_now() - t0 < 500);
	free(resp);

	/* the partial request completes later */
	CU_ASSERT_EQUAL(write(partial, "ho late\n", 8), 8);
	resp = client_read_all(partial, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\nlate\n");
	free(resp);
	close(partial);

	/* the silent one is told off and closed after the timeout */
	resp = client_read_all(silent, LR_CTL_TIMEOUT_MS + 1500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_EQUAL(strncmp(resp, "ERR timeout", 11), 0);
	CU_ASSERT_TRUE(ms_now() - t0 >= LR_CTL_TIMEOUT_MS - 100);
	free(resp);
	close(silent);
}

static void
test_ctl_server_too_many_clients_get_err(void)
{
	int fds[LR_CTL_MAX_CLIENTS + 1];
	char *resp;
	int i;

	for (i = 0; i < LR_CTL_MAX_CLIENTS; i++) {
		fds[i] = client_connect();
		CU_ASSERT_TRUE_FATAL(fds[i] >= 0);
	}
	/* let the server accept them all */
	usleep(100 * 1000);
	fds[i] = client_connect();
	CU_ASSERT_TRUE_FATAL(fds[i] >= 0);
	resp = client_read_all(fds[i], 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "ERR too many clients, try again\n");
	free(resp);
	for (i = 0; i <= LR_CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	usleep(50 * 1000);
	resp = client_request("echo again\n", 11);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\nagain\n");
	free(resp);
}

static void
test_ctl_server_replaces_stale_socket_not_live_one(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *resp;
	int fd;

	lr_ctl_stop();
	CU_ASSERT_NOT_EQUAL(access(sock_path, F_OK), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);

	/* a live listener: refused */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(fd, 1), 0);
	CU_ASSERT_EQUAL(lr_ctl_start(sock_path), -EADDRINUSE);
	/* the same socket once nobody listens: stale, replaced */
	close(fd);
	CU_ASSERT_EQUAL(access(sock_path, F_OK), 0);
	CU_ASSERT_EQUAL_FATAL(lr_ctl_start(sock_path), 0);
	resp = client_request("echo fresh\n", 11);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_STRING_EQUAL(resp, "OK\nfresh\n");
	free(resp);
}

static void
test_ctl_server_refuses_non_socket_path(void)
{
	char file[160];
	FILE *f;

	lr_ctl_stop();
	snprintf(file, sizeof(file), "%s/run/plain", sock_dir);
	f = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	CU_ASSERT_EQUAL(lr_ctl_start(file), -EEXIST);
	CU_ASSERT_EQUAL(access(file, F_OK), 0);
	unlink(file);
	CU_ASSERT_EQUAL(lr_ctl_start(sock_path), 0);
}

/* The socket is created 0600, or 0660 with the configured group, whatever the
 * process umask (narrowed around bind(), no chmod window). */
static void
test_ctl_server_socket_mode_follows_group(void)
{
	struct stat st;
	mode_t old;

	lr_ctl_stop();
	old = umask(0);           /* a careless umask must not widen the socket */
	lr_ctl_set_access(-1, 65534);
	CU_ASSERT_EQUAL_FATAL(lr_ctl_start(sock_path), 0);
	CU_ASSERT_EQUAL_FATAL(stat(sock_path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0660);
	CU_ASSERT_EQUAL(st.st_gid, 65534);
	lr_ctl_stop();
	lr_ctl_set_access(-1, -1);
	CU_ASSERT_EQUAL_FATAL(lr_ctl_start(sock_path), 0);
	CU_ASSERT_EQUAL_FATAL(stat(sock_path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(umask(old), 0);   /* the process umask is restored */
}

static void
test_ctl_peer_allowed_root_self_uid_and_groups(void)
{
	static const uint32_t groups[] = { 10, 27, 100 };

	lr_ctl_set_access(-1, -1);
	CU_ASSERT_TRUE(lr_ctl_peer_allowed(0, 0, NULL, 0));
	CU_ASSERT_TRUE(lr_ctl_peer_allowed((uint32_t)geteuid(), 4242, NULL, 0));
	CU_ASSERT_FALSE(lr_ctl_peer_allowed(1000, 1000, groups, RTE_DIM(groups)));
	lr_ctl_set_access(1000, -1);
	CU_ASSERT_TRUE(lr_ctl_peer_allowed(1000, 1000, NULL, 0));
	CU_ASSERT_FALSE(lr_ctl_peer_allowed(1001, 1000, groups, RTE_DIM(groups)));
	lr_ctl_set_access(-1, 27);
	CU_ASSERT_TRUE(lr_ctl_peer_allowed(1001, 27, NULL, 0));        /* primary group */
	CU_ASSERT_TRUE(lr_ctl_peer_allowed(1001, 1001, groups, RTE_DIM(groups)));
	CU_ASSERT_FALSE(lr_ctl_peer_allowed(1001, 1001, groups, 1));   /* 27 not among them */
	lr_ctl_set_access(-1, -1);
}

/* A peer the check refuses (the socket opened to everyone by mistake) gets one ERR
 * line, is closed and counted. The peer is a child that became nobody. */
static void
test_ctl_server_refuses_peer_not_allowed(void)
{
	uint64_t before = lr_ctl_refused();
	char buf[256];
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0) {
		CU_PASS("needs root to become another user");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(chmod(sock_path, 0666), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
	pid = fork();
	CU_ASSERT_TRUE_FATAL(pid >= 0);
	if (pid == 0) {
		char *resp = NULL;
		int fd;

		close(pfd[0]);
		if (setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0) {
			fd = client_connect();
			if (fd >= 0)
				resp = client_read_all(fd, 2000);
		}
		if (resp != NULL && write(pfd[1], resp, strlen(resp)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	memset(buf, 0, sizeof(buf));
	n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	CU_ASSERT_TRUE(n > 0);
	CU_ASSERT_STRING_EQUAL(buf, "ERR permission denied: uid 65534 gid 65534 is not allowed "
			"([app] control_uid, control_gid)\n");
	CU_ASSERT_EQUAL(lr_ctl_refused(), before + 1);
	/* root is still served */
	{
		char *resp = client_request("echo root\n", 10);

		CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
		CU_ASSERT_STRING_EQUAL(resp, "OK\nroot\n");
		free(resp);
	}
}

static CU_TestInfo fmt_cases[] = {
	{ "test_ctl_json_string_escapes_quotes_controls_and_bad_utf8",
		test_ctl_json_string_escapes_quotes_controls_and_bad_utf8 },
	{ "test_ctl_json_writer_places_commas_and_closes",
		test_ctl_json_writer_places_commas_and_closes },
	{ "test_ctl_table_text_is_aligned", test_ctl_table_text_is_aligned },
	{ "test_ctl_table_json_is_array_of_objects", test_ctl_table_json_is_array_of_objects },
	{ "test_ctl_kv_text_aligned_and_json_object", test_ctl_kv_text_aligned_and_json_object },
	{ "test_ctl_unknown_command_suggests_help", test_ctl_unknown_command_suggests_help },
	{ "test_ctl_handler_error_becomes_err_line", test_ctl_handler_error_becomes_err_line },
	{ "test_ctl_json_flag_anywhere_and_echo", test_ctl_json_flag_anywhere_and_echo },
	{ "test_ctl_register_rejects_bad_and_duplicate_names",
		test_ctl_register_rejects_bad_and_duplicate_names },
	{ "test_ctl_help_lists_commands", test_ctl_help_lists_commands },
	{ "test_ctl_app_commands_render_valid_json", test_ctl_app_commands_render_valid_json },
	{ "test_ctl_app_commands_text", test_ctl_app_commands_text },
	{ "test_ctl_stats_sums_and_marks_drops", test_ctl_stats_sums_and_marks_drops },
	{ "test_ctl_telemetry_refused_after_stop", test_ctl_telemetry_refused_after_stop },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo server_cases[] = {
	{ "test_ctl_server_answers_ok_and_err", test_ctl_server_answers_ok_and_err },
	{ "test_ctl_server_serves_concurrent_clients", test_ctl_server_serves_concurrent_clients },
	{ "test_ctl_server_rejects_overlong_request", test_ctl_server_rejects_overlong_request },
	{ "test_ctl_server_silent_client_does_not_block_others",
		test_ctl_server_silent_client_does_not_block_others },
	{ "test_ctl_server_too_many_clients_get_err", test_ctl_server_too_many_clients_get_err },
	{ "test_ctl_server_replaces_stale_socket_not_live_one",
		test_ctl_server_replaces_stale_socket_not_live_one },
	{ "test_ctl_server_refuses_non_socket_path", test_ctl_server_refuses_non_socket_path },
	{ "test_ctl_server_socket_mode_follows_group", test_ctl_server_socket_mode_follows_group },
	{ "test_ctl_peer_allowed_root_self_uid_and_groups",
		test_ctl_peer_allowed_root_self_uid_and_groups },
	{ "test_ctl_server_refuses_peer_not_allowed", test_ctl_server_refuses_peer_not_allowed },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	static const struct lr_test_suite suites[] = {
		{ "ctl_fmt", fmt_setup, fmt_teardown, fmt_cases },
		{ "ctl_server", server_setup, server_teardown, server_cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
