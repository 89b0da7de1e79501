/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epoll_client: the Linux kernel baseline's load generator. One thread, one epoll
 * loop, the spec syntax and the request bytes of loadgen/loadgen.c (GET / HTTP/1.1,
 * Host padded to req bytes; a response is complete after Content-Length body bytes;
 * crr closes first after the response), the same histogram buckets, the same JSON
 * keys. Unbounded rate only (rate= is refused).
 *
 *   epoll_client "mode=crr target=198.18.2.1:80 conc=64 duration=5s warmup=1s req=64"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lr_hist.h"

#define MAX_CONC 65536
#define CHUNK 65536

enum mode { CRR, RR, SEND, RECV, UDP };
enum err { E_REFUSED, E_RESET, E_TIMEOUT, E_CONNECT, E_PROTO, E_CLOSED, E_NOMEM, E_NB };
static const char *const err_names[E_NB] = {
	"refused", "reset", "timeout", "connect", "proto", "closed", "nomem",
};
static const char *const mode_names[] = { "crr", "rr", "stream_send", "stream_recv", "udp" };

struct counters {
	uint64_t conns, conns_done, requests, sent, tx_bytes, rx_bytes, err[E_NB];
	uint64_t samples, lat_sum, lat_max;
};

struct conn {
	int fd;
	bool connecting, active;
	uint64_t t_start;
	char hdr[512];
	size_t hdr_len;
	bool hdr_done;
	uint64_t body_left;
};

static enum mode mode = CRR;
static struct sockaddr_in target;
static unsigned int conc = 16, req_size = 64;
static uint64_t duration_ms = 5000, warmup_ms = 1000, timeout_ms = 2000;
static bool json;
static struct counters cnt, win0;
static bool measuring;
static uint64_t hist[LR_HIST_BUCKETS];
static char req[8300];
static size_t req_len;
static char buf[CHUNK + 26];
static int ep;
static struct conn *conns;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
percentile(uint64_t total, uint32_t pp)
{
	return lr_hist_percentile(hist, total, pp);
}

static void
record(uint64_t us)
{
	if (!measuring)
		return;
	hist[lr_hist_index(us)]++;
	cnt.samples++;
	cnt.lat_sum += us;
	if (us > cnt.lat_max)
		cnt.lat_max = us;
}

static uint64_t
parse_ms(const char *v)
{
	char *end;
	uint64_t x = strtoull(v, &end, 10);

	return strcmp(end, "ms") == 0 ? x : strcmp(end, "m") == 0 ? x * 60000 : x * 1000;
}

static int
parse_spec(int argc, char **argv)
{
	static const int dport[] = { 80, 80, 9, 19, 7 };
	int port = 0, i;
	bool have_target = false;

	for (i = 1; i < argc; i++) {
		char *tok, *save = NULL, *s = strdup(argv[i]);

		for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *v = strchr(tok, '=');

			if (v == NULL)
				return -1;
			*v++ = '\0';
			if (strcmp(tok, "mode") == 0) {
				mode = strcmp(v, "crr") == 0 ? CRR : strcmp(v, "rr") == 0 ? RR :
					strcmp(v, "udp") == 0 ? UDP : (strcmp(v, "recv") == 0 ||
					strcmp(v, "stream_recv") == 0) ? RECV : SEND;
			} else if (strcmp(tok, "target") == 0) {
				char *c = strchr(v, ':');

				if (c != NULL) {
					*c = '\0';
					port = atoi(c + 1);
				}
				target.sin_family = AF_INET;
				have_target = inet_pton(AF_INET, v, &target.sin_addr) == 1;
			} else if (strcmp(tok, "conc") == 0) {
				conc = (unsigned int)atoi(v);
			} else if (strcmp(tok, "req") == 0) {
				req_size = (unsigned int)atoi(v);
			} else if (strcmp(tok, "duration") == 0) {
				duration_ms = parse_ms(v);
			} else if (strcmp(tok, "warmup") == 0) {
				warmup_ms = parse_ms(v);
			} else if (strcmp(tok, "timeout") == 0) {
				timeout_ms = parse_ms(v);
			} else if (strcmp(tok, "json") == 0) {
				json = atoi(v) != 0;
			} else if (strcmp(tok, "rate") == 0) {
				if (atoi(v) != 0)
					return -1;
			} else if (strcmp(tok, "progress") != 0 && strcmp(tok, "resp") != 0) {
				return -1;
			}
		}
		free(s);
	}
	if (!have_target || conc == 0 || conc > MAX_CONC || req_size > 8192)
		return -1;
	target.sin_port = htons((uint16_t)(port ? port : dport[mode]));
	return 0;
}

static void
build_request(void)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: linerate";
	size_t base = sizeof(head) - 1 + 4, pad = req_size > base ? req_size - base : 0;

	memcpy(req, head, sizeof(head) - 1);
	memset(req + sizeof(head) - 1, 'a', pad);
	memcpy(req + sizeof(head) - 1 + pad, "\r\n\r\n", 4);
	req_len = base + pad;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->active = false;
}

static void
conn_open(struct conn *c)
{
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(AF_INET, (mode == UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		cnt.err[E_CONNECT]++;
		return;
	}
	if (mode != UDP)
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->t_start = now_us();
	c->active = true;
	c->connecting = mode != UDP;
	c->hdr_len = 0;
	c->hdr_done = false;
	if (connect(c->fd, (struct sockaddr *)&target, sizeof(target)) != 0 &&
			errno != EINPROGRESS) {
		cnt.err[E_CONNECT]++;
		conn_close(c);
		return;
	}
	ev.events = EPOLLIN | (mode == UDP ? 0 : EPOLLOUT);
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void
send_request(struct conn *c)
{
	c->hdr_len = 0;
	c->hdr_done = false;
	c->t_start = now_us();
	cnt.sent++;
	if (mode == UDP) {
		uint64_t t = c->t_start;

		memcpy(buf, &t, sizeof(t));
		if (send(c->fd, buf, req_size, 0) > 0)
			cnt.tx_bytes += req_size;
		return;
	}
	if (write(c->fd, req, req_len) == (ssize_t)req_len)
		cnt.tx_bytes += req_len;
	else
		cnt.err[E_NOMEM]++;
}

/* Feed response bytes. @return 1 complete, 0 more, -1 error */
static int
feed(struct conn *c, const char *p, size_t n)
{
	size_t i = 0;

	while (!c->hdr_done && i < n) {
		char *e, *cl;

		if (c->hdr_len == sizeof(c->hdr) - 1)
			return -1;
		c->hdr[c->hdr_len++] = p[i++];
		c->hdr[c->hdr_len] = '\0';
		if (c->hdr_len < 4 || memcmp(c->hdr + c->hdr_len - 4, "\r\n\r\n", 4) != 0)
			continue;
		c->hdr_done = true;
		if (strncmp(c->hdr, "HTTP/1.", 7) != 0 || strncmp(c->hdr + 8, " 200", 4) != 0)
			return -1;
		cl = strcasestr(c->hdr, "\r\ncontent-length:");
		if (cl == NULL)
			return -1;
		c->body_left = strtoull(cl + 17, &e, 10);
	}
	if (!c->hdr_done)
		return 0;
	n -= i;
	c->body_left -= n < c->body_left ? n : c->body_left;
	return c->body_left == 0 ? 1 : 0;
}

static void
on_event(struct conn *c, uint32_t events)
{
	ssize_t n;
	int err = 0, rc;
	socklen_t el = sizeof(err);

	if (c->connecting) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err != 0 || (events & EPOLLERR)) {
			cnt.err[err == ECONNREFUSED ? E_REFUSED : E_TIMEOUT]++;
			conn_close(c);
			return;
		}
		c->connecting = false;
		cnt.conns++;
		struct epoll_event ev = { .events = EPOLLIN | (mode == SEND ? EPOLLOUT : 0),
			.data.ptr = c };
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		if (mode == CRR || mode == RR)
			send_request(c);
		if (mode != SEND)
			return;
	}
	if (mode == SEND && (events & EPOLLOUT)) {
		/* req bytes per write(), as the generator hands req bytes per send; at most
		 * CHUNK per event, or small writes would never meet EAGAIN and starve the
		 * other connections and the clock. */
		size_t done = 0;

		while (done < CHUNK && (n = write(c->fd, buf, req_size)) > 0) {
			cnt.tx_bytes += (uint64_t)n;
			done += (size_t)n;
		}
		if (n < 0 && errno != EAGAIN) {
			cnt.err[errno == ECONNRESET || errno == EPIPE ? E_RESET : E_CLOSED]++;
			conn_close(c);
		}
		return;
	}
	for (;;) {
		n = read(c->fd, buf, CHUNK);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			if (n < 0)
				cnt.err[errno == ECONNRESET ? E_RESET : E_CLOSED]++;
			else if (mode == CRR || mode == RR)
				cnt.err[E_CLOSED]++;
			conn_close(c);
			return;
		}
		if (n < 0)
			return;
		cnt.rx_bytes += (uint64_t)n;
		if (mode == RECV)
			continue;
		if (mode == UDP) {
			uint64_t t;

			memcpy(&t, buf, sizeof(t));
			cnt.requests++;
			record(now_us() - t);
			send_request(c);
			return;
		}
		rc = feed(c, buf, (size_t)n);
		if (rc < 0) {
			cnt.err[E_PROTO]++;
			conn_close(c);
			return;
		}
		if (rc == 0)
			continue;
		cnt.requests++;
		record(now_us() - c->t_start);
		if (mode == CRR) {
			cnt.conns_done++;
			conn_close(c);
			return;
		}
		send_request(c);
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[256];
	uint64_t t0, t_win, t_end, t_win_start = 0, next_sweep;
	struct counters w;
	unsigned int i, e;
	size_t k;

	signal(SIGPIPE, SIG_IGN);
	if (parse_spec(argc, argv) != 0) {
		fprintf(stderr, "usage: epoll_client \"mode=crr|rr|send|recv|udp target=A.B.C.D[:port] "
				"conc=N duration=5s warmup=1s req=64 json=1\" (rate=0 only)\n");
		return 2;
	}
	if (mode == UDP && req_size < 8)
		req_size = 8;
	build_request();
	for (k = 0; k < sizeof(buf); k++)
		buf[k] = (char)('a' + k % 26);
	ep = epoll_create1(0);
	conns = calloc(conc, sizeof(*conns));
	for (i = 0; i < conc; i++)
		conns[i].fd = -1;
	t0 = now_us();
	t_win = t0 + warmup_ms * 1000;
	t_end = t_win + duration_ms * 1000;
	next_sweep = t0 + 100000;
	for (;;) {
		uint64_t now = now_us();
		int n;

		if (!measuring && t_win_start == 0 && now >= t_win) {
			win0 = cnt;
			measuring = true;
			t_win_start = now;
		}
		if (now >= t_end)
			break;
		for (i = 0; i < conc; i++)
			if (!conns[i].active) {
				conn_open(&conns[i]);
				if (mode == UDP && conns[i].active)
					send_request(&conns[i]);
			}
		n = epoll_wait(ep, evs, 256, 10);
		for (int j = 0; j < n; j++)
			on_event(evs[j].data.ptr, evs[j].events);
		if (now >= next_sweep) {
			for (i = 0; i < conc; i++) {
				struct conn *c = &conns[i];

				if (!c->active || mode == SEND || mode == RECV ||
						now - c->t_start < timeout_ms * 1000)
					continue;
				cnt.err[E_TIMEOUT]++;
				if (mode == UDP)
					send_request(c);
				else
					conn_close(c);
			}
			next_sweep = now + 100000;
		}
	}
	measuring = false;
	w = cnt;
	{
		uint64_t *a = (uint64_t *)&w, *b = (uint64_t *)&win0;

		for (k = 0; k < offsetof(struct counters, lat_max) / 8; k++)
			a[k] -= b[k];
	}
	double sec = (double)(now_us() - t_win_start) / 1e6, cps, rps;
	uint64_t errs = 0;

	cps = (double)(mode == CRR ? w.conns_done : w.conns) / sec;
	rps = (double)w.requests / sec;
	for (e = 0; e < E_NB; e++)
		errs += w.err[e];
	if (json) {
		printf("{\"mode\":\"%s\",\"workers\":1,\"targets\":1,\"window_s\":%.3f,\"conns\":%"
			PRIu64 ",\"conns_done\":%" PRIu64 ",\"requests\":%" PRIu64 ",\"sent\":%" PRIu64
			",\"cps\":%.1f,\"rps\":%.1f,\"tx_bytes\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
			",\"tx_gbps\":%.4f,\"rx_gbps\":%.4f,\"latency_us\":{\"samples\":%" PRIu64
			",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%"
			PRIu64 ",\"max\":%" PRIu64 ",\"mean\":%.1f},\"errors\":{", mode_names[mode],
			sec, w.conns, w.conns_done, w.requests, w.sent, cps, rps, w.tx_bytes,
			w.rx_bytes, (double)w.tx_bytes * 8 / sec / 1e9,
			(double)w.rx_bytes * 8 / sec / 1e9, w.samples, percentile(w.samples, 50000),
			percentile(w.samples, 90000), percentile(w.samples, 99000),
			percentile(w.samples, 99900), w.lat_max,
			w.samples ? (double)w.lat_sum / (double)w.samples : 0.0);
		for (e = 0; e < E_NB; e++)
			printf("%s\"%s\":%" PRIu64, e ? "," : "", err_names[e], w.err[e]);
		printf(",\"total\":%" PRIu64 "}}\n", errs);
	} else {
		printf("epoll_client: %s conc %u window %.2f s: %.1f conn/s, %.1f req/s, tx %.4f "
			"Gbit/s, rx %.4f Gbit/s, p50 %" PRIu64 " p99 %" PRIu64 " us, errors %" PRIu64
			"\n", mode_names[mode], conc, sec, cps, rps, (double)w.tx_bytes * 8 / sec / 1e9,
			(double)w.rx_bytes * 8 / sec / 1e9, percentile(w.samples, 50000),
			percentile(w.samples, 99000), errs);
	}
	for (i = 0; i < conc; i++)
		conn_close(&conns[i]);
	return 0;
}
