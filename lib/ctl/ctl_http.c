/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Metrics endpoint: a minimal HTTP/1.x server for `GET /metrics`, run by the control
 * thread's poll loop (ctl_server.c). It is an attack surface on the kernel stack, so
 * everything is bounded: LR_CTL_HTTP_MAX_CLIENTS connections (the rest get 503 and are
 * closed at once), LR_CTL_HTTP_REQ_MAX bytes of request head (431), one request per
 * connection, LR_CTL_HTTP_TIMEOUT_MS to send it and as long to read the answer.
 */
#define _GNU_SOURCE           /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "ctl_internal.h"
#include "lr_ctl.h"
#include "lr_prom.h"

#define HTTP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, lr_logtype_ctl, "ctl: metrics: " fmt "\n", ##__VA_ARGS__)

#define HTTP_BACKLOG 16

struct http_client {
	struct ctl_conn k;             /* the connection; its answer: status, headers, body */
	char in[LR_CTL_HTTP_REQ_MAX + 1];
};

static struct {
	int listen_fd;
	lr_ctl_metrics_fn fn;
	struct http_client c[LR_CTL_HTTP_MAX_CLIENTS];
	int8_t slot_of[CTL_HTTP_POLL_MAX]; /* poll entry -> client slot, -1 = listener */
	struct lr_ctl_http_stats st;
} http = { .listen_fd = -1 };

static void
count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- address ---- */

int
lr_ctl_listen_parse(const char *s, void *ss, unsigned int *len, const char **why)
{
	struct sockaddr_storage a;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port;
	unsigned long p;
	size_t hlen;
	char *end;

	memset(&a, 0, sizeof(a));
	colon = s != NULL ? strrchr(s, ':') : NULL;
	if (colon == NULL || colon == s) {
		if (why != NULL)
			*why = "expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464";
		return -EINVAL;
	}
	port = colon + 1;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno != 0 || p == 0 ||
			p > UINT16_MAX) {
		if (why != NULL)
			*why = "expected a port 1..65535 after the last ':'";
		return -EINVAL;
	}
	hlen = (size_t)(colon - s);
	if (s[0] == '[' && hlen >= 2 && s[hlen - 1] == ']') {
		snprintf(host, sizeof(host), "%.*s", (int)RTE_MIN(hlen - 2, sizeof(host) - 1),
				s + 1);
		if (hlen - 2 >= sizeof(host) || inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad_host;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		if (len != NULL)
			*len = sizeof(*in6);
	} else {
		if (hlen >= sizeof(host))
			goto bad_host;
		snprintf(host, sizeof(host), "%.*s", (int)hlen, s);
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			goto bad_host;
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		if (len != NULL)
			*len = sizeof(*in4);
	}
	if (ss != NULL)
		memcpy(ss, &a, sizeof(a));
	return 0;
bad_host:
	if (why != NULL)
		*why = "expected an IPv4 address or an IPv6 one in brackets before the port "
			"(no names), e.g. 127.0.0.1:9464 or [::1]:9464";
	return -EINVAL;
}

int
lr_ctl_metrics_listen(const char *addr, lr_ctl_metrics_fn fn)
{
	struct sockaddr_storage ss;
	unsigned int len, i;
	int fd, one = 1, ret;

	if (http.listen_fd >= 0)
		return -EALREADY;
	if (fn == NULL || lr_ctl_listen_parse(addr, &ss, &len, NULL) != 0)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, HTTP_BACKLOG) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++)
		http.c[i].k.fd = -1;
	http.fn = fn;
	http.listen_fd = fd;
	HTTP_LOG(INFO, "listening on %s", addr);
	return 0;
}

bool
ctl_http_open(void)
{
	return http.listen_fd >= 0;
}

void
lr_ctl_http_stats_get(struct lr_ctl_http_stats *st)
{
	const uint64_t *src = (const uint64_t *)&http.st;
	uint64_t *dst = (uint64_t *)st;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* ---- request ---- */

/* The n bytes at s contain needle, ignoring case. */
static bool
has_text(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return true;
	return false;
}

/* OpenMetrics asked for in one of the header lines in [p, end). */
static bool
wants_openmetrics(const char *p, const char *end)
{
	const char *eol;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > 7 && strncasecmp(p, "accept:", 7) == 0 &&
				has_text(p, (size_t)(eol - p), "application/openmetrics-text"))
			return true;
	}
	return false;
}

int
lr_ctl_http_parse(const char *req, size_t len, bool *openmetrics)
{
	const char *head_end, *eol, *sp1, *sp2, *ver, *p;
	size_t line_len, tlen;

	*openmetrics = false;
	head_end = memmem(req, len, "\r\n\r\n", 4);
	if (head_end == NULL)
		head_end = memmem(req, len, "\n\n", 2);
	if (head_end == NULL)
		return len >= LR_CTL_HTTP_REQ_MAX ? 431 : 0;
	if (memchr(req, '\0', (size_t)(head_end - req)) != NULL)
		return 400;
	/* request line: METHOD SP TARGET SP HTTP/1.x */
	eol = memchr(req, '\n', (size_t)(head_end - req) + 2);
	line_len = (size_t)(eol - req);
	if (line_len > 0 && req[line_len - 1] == '\r')
		line_len--;
	sp1 = memchr(req, ' ', line_len);
	if (sp1 == NULL || sp1 == req)
		return 400;
	for (p = req; p < sp1; p++)
		if (*p < 'A' || *p > 'Z')
			return 400;
	sp2 = memchr(sp1 + 1, ' ', line_len - (size_t)(sp1 + 1 - req));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return 400;
	ver = sp2 + 1;
	if ((size_t)(req + line_len - ver) != 8 || (strncmp(ver, "HTTP/1.1", 8) != 0 &&
			strncmp(ver, "HTTP/1.0", 8) != 0))
		return 400;
	if (sp1 - req != 3 || strncmp(req, "GET", 3) != 0)
		return 405;
	tlen = (size_t)(sp2 - sp1 - 1);
	if (!(tlen == 8 && strncmp(sp1 + 1, "/metrics", 8) == 0) &&
			!(tlen > 8 && strncmp(sp1 + 1, "/metrics?", 9) == 0))
		return 404;
	*openmetrics = wants_openmetrics(eol + 1, head_end);
	return 200;
}

/* ---- connections ---- */

static const char *
reason(int status, uint64_t **counter)
{
	switch (status) {
	case 200:
		*counter = &http.st.status_200;
		return "OK";
	case 404:
		*counter = &http.st.status_404;
		return "Not Found";
	case 405:
		*counter = &http.st.status_405;
		return "Method Not Allowed";
	case 431:
		*counter = &http.st.status_431;
		return "Request Header Fields Too Large";
	case 500:
		*counter = &http.st.status_500;
		return "Internal Server Error";
	default:
		*counter = &http.st.status_400;
		return "Bad Request";
	}
}

/* Build the whole answer into c->k.resp and start sending it. */
static void
client_respond(struct http_client *c, int status, bool om)
{
	const char *type = "text/plain; charset=utf-8", *text;
	struct lr_ctl_buf body;
	uint64_t *counter;

	lr_ctl_buf_init(&body);
	if (status == 200) {
		if (http.fn(&body, om) == 0 && !body.oom) {
			type = om ? LR_PROM_CONTENT_TYPE_OM : LR_PROM_CONTENT_TYPE;
		} else {
			lr_ctl_buf_free(&body);
			status = 500;
		}
	}
	text = reason(status, &counter);
	if (status != 200)
		lr_ctl_buf_printf(&body, "%d %s\n", status, text);
	lr_ctl_buf_printf(&c->k.resp, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu"
			"\r\n%sConnection: close\r\n\r\n", status, text, type, body.len,
			status == 405 ? "Allow: GET\r\n" : "");
	lr_ctl_buf_append(&c->k.resp, body.data, body.len);
	lr_ctl_buf_free(&body);
	count(counter);
	if (c->k.resp.oom) {
		ctl_conn_close(&c->k);
		return;
	}
	ctl_conn_answer(&c->k, LR_CTL_HTTP_TIMEOUT_MS);
}

static void
client_read(struct http_client *c)
{
	bool om;
	ssize_t n;
	int status;

	n = recv(c->k.fd, c->in + c->k.in_len, LR_CTL_HTTP_REQ_MAX - c->k.in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* gone before a complete request: nothing to answer */
		ctl_conn_close(&c->k);
		return;
	}
	c->k.in_len += (size_t)n;
	status = lr_ctl_http_parse(c->in, c->k.in_len, &om);
	if (status != 0)
		client_respond(c, status, om);
}

static void
accept_clients(void)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
		"Connection: close\r\n\r\n";
	struct http_client *c;
	unsigned int i;
	int fd;

	for (;;) {
		fd = accept4(http.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				HTTP_LOG(WARNING, "accept: %s", strerror(errno));
			return;
		}
		c = NULL;
		for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS && c == NULL; i++)
			if (http.c[i].k.fd < 0)
				c = &http.c[i];
		if (c == NULL) {
			count(&http.st.refused);
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				HTTP_LOG(DEBUG, "busy reply: %s", strerror(errno));
			close(fd);
			continue;
		}
		count(&http.st.accepted);
		ctl_conn_open(&c->k, fd, LR_CTL_HTTP_TIMEOUT_MS);
	}
}

unsigned int
ctl_http_poll_fill(struct pollfd *pfd)
{
	unsigned int i, n = 0;

	if (http.listen_fd < 0)
		return 0;
	pfd[n] = (struct pollfd){ .fd = http.listen_fd, .events = POLLIN };
	http.slot_of[n++] = -1;
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++) {
		if (http.c[i].k.fd < 0)
			continue;
		pfd[n] = ctl_conn_pollfd(&http.c[i].k);
		http.slot_of[n++] = (int8_t)i;
	}
	return n;
}

void
ctl_http_poll_handle(const struct pollfd *pfd, unsigned int n)
{
	bool listener = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct http_client *c;

		if (pfd[i].revents == 0)
			continue;
		if (http.slot_of[i] < 0) {
			listener = true;
			continue;
		}
		c = &http.c[http.slot_of[i]];
		if (c->k.fd != pfd[i].fd)
			continue;
		if (c->k.writing)
			ctl_conn_write(&c->k);
		else
			client_read(c);
	}
	/* after the clients: a slot freed in this round takes a waiting connection */
	if (listener)
		accept_clients();
}

int
ctl_http_expire(void)
{
	uint64_t now = ctl_now_ms(), next = UINT64_MAX;
	unsigned int i;

	if (http.listen_fd < 0)
		return -1;
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++) {
		struct http_client *c = &http.c[i];

		if (c->k.fd < 0)
			continue;
		if (now >= c->k.deadline_ms) {
			count(&http.st.timeouts);
			ctl_conn_close(&c->k);
			continue;
		}
		next = RTE_MIN(next, c->k.deadline_ms);
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)RTE_MIN(next - now, (uint64_t)INT_MAX);
}

void
ctl_http_close(void)
{
	unsigned int i;

	if (http.listen_fd < 0)
		return;
	for (i = 0; i < LR_CTL_HTTP_MAX_CLIENTS; i++)
		if (http.c[i].k.fd >= 0)
			ctl_conn_close(&http.c[i].k);
	close(http.listen_fd);
	http.listen_fd = -1;
	HTTP_LOG(INFO, "stopped");
}
