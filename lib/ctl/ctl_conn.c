/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client connection of the control thread, as the control socket (ctl_server.c) and
 * the metrics endpoint (ctl_http.c) both serve it: non-blocking, one request read, one
 * answer sent, then closed after reading what the peer still sent.
 */
#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl_internal.h"
#include "lr_ctl.h"

uint64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
ctl_conn_open(struct ctl_conn *c, int fd, unsigned int timeout_ms)
{
	c->fd = fd;
	c->writing = false;
	c->in_len = 0;
	c->out_off = 0;
	lr_ctl_buf_init(&c->resp);
	c->deadline_ms = ctl_now_ms() + timeout_ms;
}

struct pollfd
ctl_conn_pollfd(const struct ctl_conn *c)
{
	return (struct pollfd){ .fd = c->fd, .events = c->writing ? POLLOUT : POLLIN };
}

void
ctl_conn_close(struct ctl_conn *c)
{
	char scratch[4096];
	size_t drained = 0;
	ssize_t n;

	/* read what the client still sent, so closing does not reset its connection */
	while (drained < CTL_CONN_DRAIN_MAX) {
		n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n <= 0)
			break;
		drained += (size_t)n;
	}
	close(c->fd);
	c->fd = -1;
	lr_ctl_buf_free(&c->resp);
}

int
ctl_conn_write(struct ctl_conn *c)
{
	int ret = 0;
	ssize_t n;

	while (c->out_off < c->resp.len) {
		n = send(c->fd, c->resp.data + c->out_off, c->resp.len - c->out_off,
				MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EPIPE;
			break;
		}
		c->out_off += (size_t)n;
	}
	ctl_conn_close(c);
	return ret;
}

int
ctl_conn_answer(struct ctl_conn *c, unsigned int timeout_ms)
{
	c->writing = true;
	c->out_off = 0;
	c->deadline_ms = ctl_now_ms() + timeout_ms;
	return ctl_conn_write(c);
}
