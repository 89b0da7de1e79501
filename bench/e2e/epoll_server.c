/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epoll_server: the Linux kernel baseline of bench/e2e. One thread, one epoll loop,
 * the same services and the same bytes as linerate's: HTTP/1.1 on 80 (status line,
 * headers and a body of 'a'..'z' repeated, byte for byte what services/tcp_services.c
 * sends), discard on 9, chargen-like source on 19 (the body pattern, as fast as the
 * socket takes it), UDP echo on 7.
 *
 *   epoll_server --addr 198.18.2.1 --time 30 [--body 128]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define RBUF 16384
#define SRC_CHUNK 65536

enum kind { K_LISTEN_HTTP, K_LISTEN_DISCARD, K_LISTEN_SRC, K_UDP, K_HTTP, K_DISCARD, K_SRC };

struct conn {
	int fd;
	enum kind kind;
	char in[RBUF];
	size_t in_len;
	char *out;           /* pending response bytes (HTTP) */
	size_t out_len, out_off;
	size_t src_off;      /* source pattern offset */
};

static volatile int quit;
static char *resp;       /* header + body */
static size_t resp_len;
static char src_pat[SRC_CHUNK + 26];

static void
on_signal(int s)
{
	(void)s;
	quit = 1;
}

static int
listen_on(const char *addr, int port, int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			(type == SOCK_STREAM && listen(fd, 4096) != 0)) {
		perror("epoll_server: bind/listen");
		exit(1);
	}
	return fd;
}

static struct conn *
conn_new(int fd, enum kind k)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		exit(1);
	c->fd = fd;
	c->kind = k;
	return c;
}

static void
conn_free(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Write what is pending. @return -1 on error */
static int
flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
	}
	return 0;
}

/* HTTP: answer every complete request (GET/HEAD without a body), keep-alive. */
static int
http_read(struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
		char *end;

		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->in_len += (size_t)n;
		while ((end = memmem(c->in, c->in_len, "\r\n\r\n", 4)) != NULL) {
			size_t used = (size_t)(end + 4 - c->in);

			/* one response at a time: linerate's client never pipelines */
			c->out = resp;
			c->out_len = resp_len;
			c->out_off = 0;
			if (flush_out(c) != 0)
				return -1;
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
		}
		if (c->in_len == sizeof(c->in))
			return -1;
	}
}

static int
src_write(struct conn *c)
{
	for (;;) {
		ssize_t n = write(c->fd, src_pat + c->src_off % 26, SRC_CHUNK);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->src_off += (size_t)n;
	}
}

static int
drain(struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in, sizeof(c->in));

		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
	}
}

static void
udp_echo(int fd)
{
	char buf[2048];
	struct sockaddr_in from;
	socklen_t fl;
	int i;

	for (i = 0; i < 64; i++) {
		ssize_t n;

		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

int
main(int argc, char **argv)
{
	const char *addr = "0.0.0.0";
	unsigned int body = 128, time_s = 60, i;
	struct epoll_event ev, evs[MAX_EVENTS];
	struct conn *ls[4];
	time_t end;
	int ep, n;
	char hdr[256];

	for (i = 1; i + 1 < (unsigned int)argc; i += 2) {
		if (strcmp(argv[i], "--addr") == 0)
			addr = argv[i + 1];
		else if (strcmp(argv[i], "--body") == 0)
			body = (unsigned int)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--time") == 0)
			time_s = (unsigned int)atoi(argv[i + 1]);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* services/tcp_services.c http_respond(): the same status line, headers and body */
	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nServer: linerate\r\n"
			"Content-Type: text/plain\r\nContent-Length: %u\r\n\r\n", body);
	resp_len = (size_t)n + body;
	resp = malloc(resp_len);
	memcpy(resp, hdr, (size_t)n);
	for (i = 0; i < body; i++)
		resp[n + i] = (char)('a' + i % 26);
	for (i = 0; i < sizeof(src_pat); i++)
		src_pat[i] = (char)('a' + i % 26);
	ep = epoll_create1(0);
	ls[0] = conn_new(listen_on(addr, 80, SOCK_STREAM), K_LISTEN_HTTP);
	ls[1] = conn_new(listen_on(addr, 9, SOCK_STREAM), K_LISTEN_DISCARD);
	ls[2] = conn_new(listen_on(addr, 19, SOCK_STREAM), K_LISTEN_SRC);
	ls[3] = conn_new(listen_on(addr, 7, SOCK_DGRAM), K_UDP);
	for (i = 0; i < 4; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = ls[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, ls[i]->fd, &ev);
	}
	printf("epoll_server: ready on %s (http 80, discard 9, source 19, udp echo 7)\n", addr);
	fflush(stdout);
	end = time(NULL) + time_s;
	while (!quit && time(NULL) < end) {
		n = epoll_wait(ep, evs, MAX_EVENTS, 100);
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			int rc = 0, fd, one = 1;

			switch (c->kind) {
			case K_LISTEN_HTTP:
			case K_LISTEN_DISCARD:
			case K_LISTEN_SRC:
				while ((fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct conn *nc = conn_new(fd, c->kind == K_LISTEN_HTTP ? K_HTTP :
							c->kind == K_LISTEN_DISCARD ? K_DISCARD : K_SRC);

					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					ev.events = EPOLLIN | (nc->kind == K_SRC ? EPOLLOUT : 0);
					ev.data.ptr = nc;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				break;
			case K_UDP:
				udp_echo(c->fd);
				break;
			case K_HTTP:
				if (evs[k].events & (EPOLLERR | EPOLLHUP))
					rc = -1;
				else
					rc = http_read(c);
				break;
			case K_DISCARD:
				rc = drain(c);
				break;
			case K_SRC:
				if (evs[k].events & (EPOLLERR | EPOLLHUP))
					rc = -1;
				else if (evs[k].events & EPOLLIN)
					rc = drain(c);
				if (rc == 0 && (evs[k].events & EPOLLOUT))
					rc = src_write(c);
				break;
			}
			if (rc != 0)
				conn_free(ep, c);
		}
	}
	return 0;
}
