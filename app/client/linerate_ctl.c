/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linerate-ctl: send one command to a running linerate over its control socket
 * and print the answer. Plain libc, no DPDK.
 *
 * Exit status: 0 the daemon answered OK, 1 it answered ERR (message on stderr),
 * 2 usage error or the daemon could not be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "linerate_ctl.h"

#define CTL_DEFAULT_SOCKET "/run/linerate/tap.sock"
#define CTL_ENV_SOCKET "LINERATE_CTL_SOCKET"
#define CTL_REQ_MAX 4096       /* LR_CTL_REQ_MAX of the server, newline included */
#define CTL_DEFAULT_TIMEOUT 5.0


const char *prog = "linerate-ctl";

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--socket PATH] [--json] [--timeout SEC] COMMAND [ARGS...]\n"
		"\n"
		"Send COMMAND to a running linerate and print its answer.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default: $%s, else %s)\n"
		"  -j, --json          JSON output\n"
		"  -t, --timeout SEC   give up after SEC seconds (default: %.0f)\n"
		"  -h, --help          this help\n"
		"\n"
		"Commands:\n"
		"  stats [LAYER]       counters and drop reasons by layer (eth arp ip icmp udp)\n"
		"  ports               interfaces, port counters and non-zero xstats\n"
		"  cores               worker poll loops: packets, polls, busy cycles\n"
		"  arp                 ARP cache entries of every worker\n"
		"  config              effective configuration\n"
		"  mem                 memory budget of each worker and every mempool\n"
		"  nomem POOL AFTER COUNT [EVERY] [worker N] | nomem clear [worker N]\n"
		"                      fail allocations from POOL (data indirect conn ooo svc)\n"
		"  version             linerate and DPDK versions\n"
		"  top [--count N] [--interval SEC]\n"
		"                      per-second table per worker and in total until\n"
		"                      interrupted: pps, CPS, connections, retransmissions,\n"
		"                      drops by reason, busy %%; --json: one object a line\n"
		"  help                the commands the running daemon knows\n"
		"\n"
		"Exit status: 0 OK, 1 the daemon answered an error, 2 usage error or the\n"
		"daemon could not be reached.\n",
		prog, CTL_ENV_SOCKET, CTL_DEFAULT_SOCKET, CTL_DEFAULT_TIMEOUT);
}

double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left before deadline, at least 0. */
static int
ms_left(double deadline)
{
	double left = deadline - now_s();

	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* Join the words into "w1 w2 ...\n"; returns its length or -1 with a message. */
static int
build_request(char *req, size_t size, char **words, int nb, bool json)
{
	size_t len = 0;
	int i, n;

	for (i = 0; i < nb; i++) {
		const char *w = words[i];
		size_t j;

		for (j = 0; w[j] != '\0'; j++) {
			if ((unsigned char)w[j] <= ' ') {
				fprintf(stderr, "%s: argument '%s' contains a space or a control "
						"character\n", prog, w);
				return -1;
			}
		}
		if (w[0] == '\0') {
			fprintf(stderr, "%s: empty argument\n", prog);
			return -1;
		}
		n = snprintf(req + len, size - len, "%s%s", i ? " " : "", w);
		if (n < 0 || (size_t)n >= size - len)
			goto too_long;
		len += (size_t)n;
	}
	n = snprintf(req + len, size - len, "%s\n", json ? " --json" : "");
	if (n < 0 || (size_t)n >= size - len)
		goto too_long;
	return (int)(len + (size_t)n);
too_long:
	fprintf(stderr, "%s: request longer than %d bytes\n", prog, CTL_REQ_MAX);
	return -1;
}

static int
connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", prog, path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		fprintf(stderr, "%s: cannot connect to %s: %s\n", prog, path, strerror(err));
		if (err == EACCES || err == EPERM)
			fprintf(stderr, "%s: the socket is mode 0600 (0660 with [app] "
					"control_gid): run as root, its owner or that group\n", prog);
		else
			fprintf(stderr, "%s: is linerate running? Choose the socket with "
					"--socket PATH or $%s\n", prog, CTL_ENV_SOCKET);
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			return -ETIMEDOUT;
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until EOF into a malloc'ed NUL-terminated buffer. */
static int
recv_all(int fd, char **out, size_t *out_len, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *p;
	ssize_t n;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			p = realloc(buf, cap * 2);
			if (p == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		if (poll(&pfd, 1, ms_left(deadline)) <= 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* a reset after the answer (our request was not all read) ends it too */
		if (n == 0 || (n < 0 && errno == ECONNRESET && len > 0))
			break;
		if (n < 0) {
			n = -errno;
			free(buf);
			return (int)n;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

int
ctl_query(const char *path, const char *req, size_t len, double timeout, char **resp,
		size_t *resp_len)
{
	double deadline;
	int fd, ret;

	fd = connect_socket(path);
	if (fd < 0)
		return -1;
	deadline = now_s() + timeout;
	ret = send_all(fd, req, len, deadline);
	if (ret == 0) {
		shutdown(fd, SHUT_WR);
		ret = recv_all(fd, resp, resp_len, deadline);
	}
	close(fd);
	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "%s: no answer from %s within %g s\n", prog, path, timeout);
		return -1;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(-ret));
		return -1;
	}
	return 0;
}

/* Print the answer; returns the exit status. */
static int
print_response(const char *path, const char *resp, size_t len)
{
	const char *nl = memchr(resp, '\n', len);
	size_t first = nl != NULL ? (size_t)(nl - resp) : len;
	const char *body = nl != NULL ? nl + 1 : resp + len;
	size_t body_len = len - (size_t)(body - resp);

	if (first == 2 && memcmp(resp, "OK", 2) == 0) {
		fwrite(body, 1, body_len, stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERR;
	}
	if (first >= 3 && memcmp(resp, "ERR", 3) == 0) {
		const char *msg = resp + 3;
		size_t mlen = first - 3;

		if (mlen > 0 && *msg == ' ')
			msg++, mlen--;
		fprintf(stderr, "%s: %.*s\n", prog, (int)mlen, msg);
		fwrite(body, 1, body_len, stderr);
		return EXIT_ERR;
	}
	fprintf(stderr, "%s: unexpected answer from %s (is it a linerate control socket?)\n",
			prog, path);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv(CTL_ENV_SOCKET);
	double timeout = CTL_DEFAULT_TIMEOUT;
	char req[CTL_REQ_MAX + 1], *resp = NULL, *end;
	size_t resp_len = 0;
	bool json = false;
	int opt, len, ret;

	if (path == NULL || path[0] == '\0')
		path = CTL_DEFAULT_SOCKET;
	while ((opt = getopt_long(argc, argv, "+s:jt:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(timeout > 0 && timeout <= 86400)) {
				fprintf(stderr, "%s: --timeout wants seconds in (0, 86400], not '%s'\n",
						prog, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: missing COMMAND\n", prog);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "top") == 0)
		return ctl_top(path, timeout, json, argc - optind, &argv[optind]);
	len = build_request(req, sizeof(req), &argv[optind], argc - optind, json);
	if (len < 0)
		return EXIT_USAGE;

	if (ctl_query(path, req, (size_t)len, timeout, &resp, &resp_len) != 0)
		return EXIT_USAGE;
	ret = print_response(path, resp, resp_len);
	free(resp);
	return ret;
}
