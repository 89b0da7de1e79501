/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ctl/ctl_conn.c: the client connection the control socket and the metrics
 * endpoint share. Unix socket pairs for sending (all at once, a full socket, a peer
 * gone), TCP on loopback for closing: unread request bytes must not turn the close
 * into a reset that loses the answer.
 */
#define _GNU_SOURCE           /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_internal.h"
#include "lr_ctl.h"
#include "lr_test.h"

#define WAIT_MS 2000 /* bound on waiting for the kernel's loopback (never reached) */

static struct ctl_conn conn;
static int peer = -1;

static void
setup(void)
{
	conn.fd = -1;
	peer = -1;
}

static void
teardown(void)
{
	if (conn.fd >= 0)
		ctl_conn_close(&conn);
	if (peer >= 0)
		close(peer);
	peer = -1;
}

/* conn opened on one end of a non-blocking Unix socket pair, peer the other end. */
static void
open_pair(void)
{
	int sv[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	ctl_conn_open(&conn, sv[0], 1000);
	peer = sv[1];
}

/* Read everything the peer has now (non-blocking); @return bytes read. */
static size_t
peer_read(char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(peer, buf + got, len - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void
test_ctl_conn_open_reads_with_deadline(void)
{
	uint64_t before = ctl_now_ms(), after;
	struct pollfd pfd;

	open_pair();
	after = ctl_now_ms();
	CU_ASSERT(after >= before);
	CU_ASSERT(conn.fd >= 0);
	CU_ASSERT_FALSE(conn.writing);
	CU_ASSERT_EQUAL(conn.in_len, 0);
	CU_ASSERT_EQUAL(conn.out_off, 0);
	CU_ASSERT_EQUAL(conn.resp.len, 0);
	CU_ASSERT(conn.deadline_ms >= before + 1000 && conn.deadline_ms <= after + 1000);
	pfd = ctl_conn_pollfd(&conn);
	CU_ASSERT_EQUAL(pfd.fd, conn.fd);
	CU_ASSERT_EQUAL(pfd.events, POLLIN);
}

static void
test_ctl_conn_answer_sends_all_then_closes(void)
{
	char buf[64];
	uint64_t before;

	open_pair();
	conn.in_len = 7;
	lr_ctl_buf_printf(&conn.resp, "OK\nhello\n");
	before = ctl_now_ms();
	CU_ASSERT_EQUAL(ctl_conn_answer(&conn, 5000), 0);
	CU_ASSERT(conn.deadline_ms >= before + 5000);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_PTR_NULL(conn.resp.data);
	CU_ASSERT_EQUAL(peer_read(buf, sizeof(buf)), 9);
	CU_ASSERT_EQUAL(memcmp(buf, "OK\nhello\n", 9), 0);
	/* closed: end of stream */
	CU_ASSERT_EQUAL(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 0);
}

static void
test_ctl_conn_full_socket_waits_for_pollout(void)
{
	const size_t len = 1 << 20;
	size_t got = 0, i;
	char *buf = malloc(len);
	int ret, sndbuf = 4096, rounds = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	open_pair();
	CU_ASSERT(setsockopt(conn.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
	for (i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 26);
	lr_ctl_buf_append(&conn.resp, buf, len);
	CU_ASSERT_EQUAL_FATAL(conn.resp.len, len);
	memset(buf, 0, len);
	ret = ctl_conn_answer(&conn, 1000);
	CU_ASSERT_EQUAL(ret, -EAGAIN);
	CU_ASSERT(conn.fd >= 0);
	CU_ASSERT(conn.writing);
	CU_ASSERT(conn.out_off > 0 && conn.out_off < len);
	CU_ASSERT_EQUAL(ctl_conn_pollfd(&conn).events, POLLOUT);
	/* the peer reads, the connection sends on, until all is there */
	while (ret == -EAGAIN && rounds++ < 100000) {
		got += peer_read(buf + got, len - got);
		ret = ctl_conn_write(&conn);
	}
	got += peer_read(buf + got, len - got);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_EQUAL(got, len);
	for (i = 0; i < got && buf[i] == (char)('a' + i % 26); i++)
		;
	CU_ASSERT_EQUAL(i, len);
	free(buf);
}

static void
test_ctl_conn_peer_gone_closes_with_error(void)
{
	open_pair();
	close(peer);
	peer = -1;
	lr_ctl_buf_printf(&conn.resp, "OK\n");
	CU_ASSERT_EQUAL(ctl_conn_answer(&conn, 1000), -EPIPE);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_PTR_NULL(conn.resp.data);
}

static void
test_ctl_conn_empty_answer_just_closes(void)
{
	char c;

	open_pair();
	CU_ASSERT_EQUAL(ctl_conn_write(&conn), 0);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_EQUAL(recv(peer, &c, 1, MSG_DONTWAIT), 0);
}

/* A TCP connection on loopback: *srv accepted (non-blocking), the client returned. */
static int
tcp_pair(int *srv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd, cfd;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT_FATAL(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
	CU_ASSERT_FATAL(listen(lfd, 1) == 0);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(cfd >= 0);
	CU_ASSERT_FATAL(connect(cfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	*srv = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	close(lfd);
	CU_ASSERT_FATAL(*srv >= 0);
	return cfd;
}

/* The server side has bytes to read (bounded wait on loopback delivery). */
static void
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	CU_ASSERT_EQUAL_FATAL(poll(&pfd, 1, WAIT_MS), 1);
}

/* Receive until end of stream or error: @return bytes, or -errno on error. */
static ssize_t
recv_all(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, WAIT_MS) != 1)
			return -ETIMEDOUT;
		n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
	}
}

static void
test_ctl_conn_close_drains_unread_request_no_reset(void)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nextra bytes";
	char buf[256];
	int fd, client;

	client = tcp_pair(&fd);
	ctl_conn_open(&conn, fd, 1000);
	CU_ASSERT_EQUAL(send(client, req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
	wait_readable(conn.fd);
	/* answered without reading the request: the close must not reset the client */
	lr_ctl_buf_printf(&conn.resp, "HTTP/1.1 200 OK\r\n\r\n");
	CU_ASSERT_EQUAL(ctl_conn_answer(&conn, 1000), 0);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_EQUAL(recv_all(client, buf, sizeof(buf)), 19);
	CU_ASSERT_EQUAL(memcmp(buf, "HTTP/1.1 200 OK\r\n\r\n", 19), 0);
	close(client);
}

static void
test_ctl_conn_close_drains_at_most_drain_max(void)
{
	char chunk[4096] = { 0 }, buf[64];
	int fd, client, queued = 0, rcvbuf = 8 * CTL_CONN_DRAIN_MAX;
	unsigned int i;

	client = tcp_pair(&fd);
	CU_ASSERT(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0);
	ctl_conn_open(&conn, fd, 1000);
	/* twice the bytes a close reads wait unread (loopback delivers within send()) */
	for (i = 0; i < 1024 && queued < 2 * CTL_CONN_DRAIN_MAX; i++) {
		if (send(client, chunk, sizeof(chunk), MSG_DONTWAIT) != (ssize_t)sizeof(chunk))
			break;
		CU_ASSERT_FATAL(ioctl(conn.fd, FIONREAD, &queued) == 0);
	}
	CU_ASSERT_FATAL(queued >= 2 * CTL_CONN_DRAIN_MAX);
	/* the close reads CTL_CONN_DRAIN_MAX of them, no more: the rest resets the client */
	ctl_conn_close(&conn);
	CU_ASSERT_EQUAL(conn.fd, -1);
	CU_ASSERT_EQUAL(recv_all(client, buf, sizeof(buf)), -ECONNRESET);
	close(client);
}

static const CU_TestInfo cases[] = {
	{ "test_ctl_conn_open_reads_with_deadline", test_ctl_conn_open_reads_with_deadline },
	{ "test_ctl_conn_answer_sends_all_then_closes",
		test_ctl_conn_answer_sends_all_then_closes },
	{ "test_ctl_conn_full_socket_waits_for_pollout",
		test_ctl_conn_full_socket_waits_for_pollout },
	{ "test_ctl_conn_peer_gone_closes_with_error", test_ctl_conn_peer_gone_closes_with_error },
	{ "test_ctl_conn_empty_answer_just_closes", test_ctl_conn_empty_answer_just_closes },
	{ "test_ctl_conn_close_drains_unread_request_no_reset",
		test_ctl_conn_close_drains_unread_request_no_reset },
	{ "test_ctl_conn_close_drains_at_most_drain_max",
		test_ctl_conn_close_drains_at_most_drain_max },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{ "ctl_conn", setup, teardown, cases }, { 0 }};

	return lr_test_main(argc, argv, suites);
}
