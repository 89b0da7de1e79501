/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket server: one control thread polls the listening socket and up to
 * LR_CTL_MAX_CLIENTS non-blocking clients. Each client sends one request line,
 * gets one response and is closed. The same poll loop serves the metrics endpoint
 * (ctl_http.c) when one is open.
 *
 * Access: the socket file is created 0600 (0660 with a configured group) under a
 * narrowed umask, and every accepted peer's SO_PEERCRED credentials are checked
 * (root, our own uid, the configured uid or gid); a refused peer gets one ERR line.
 */
#define _GNU_SOURCE           /* struct ucred (SO_PEERCRED) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RTE_LOG_DEFAULT_LOGTYPE linerate.ctl
#include <rte_lcore.h>
#include <rte_log.h>

#include "ctl_internal.h"
#include "lr_ctl.h"

RTE_LOG_REGISTER_DEFAULT(lr_logtype_ctl, INFO);

#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, lr_logtype_ctl, "ctl: " fmt "\n", ##__VA_ARGS__)

#define CTL_NAME_MAX 32     /* command name, terminator included */
#define CTL_PEER_GROUPS 256 /* supplementary groups of a peer looked at */

struct ctl_cmd {
	char name[CTL_NAME_MAX];
	const char *help;
	lr_ctl_handler_t fn;
};

static pthread_mutex_t cmd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctl_cmd cmds[LR_CTL_MAX_CMDS];
static unsigned int nb_cmds;

struct ctl_client {
	struct ctl_conn k;       /* the connection, its answer and deadline */
	char in[LR_CTL_REQ_MAX + 1];
};

static struct {
	bool running;
	pthread_t thread;
	int listen_fd;
	int wake_fd[2];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_client clients[LR_CTL_MAX_CLIENTS];
	int allow_uid;           /* one more allowed uid, -1 = none */
	int allow_gid;           /* allowed primary gid (and the socket's group), -1 = none */
	uint64_t refused;        /* peers refused by the credential check */
} srv = { .listen_fd = -1, .wake_fd = { -1, -1 }, .allow_uid = -1, .allow_gid = -1 };

void
lr_ctl_set_access(int uid, int gid)
{
	srv.allow_uid = uid;
	srv.allow_gid = gid;
}

bool
lr_ctl_peer_allowed(uint32_t uid, uint32_t gid, const uint32_t *groups, unsigned int n)
{
	unsigned int i;

	if (uid == 0 || uid == (uint32_t)geteuid() ||
			(srv.allow_uid >= 0 && uid == (uint32_t)srv.allow_uid))
		return true;
	if (srv.allow_gid < 0)
		return false;
	if (gid == (uint32_t)srv.allow_gid)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] == (uint32_t)srv.allow_gid)
			return true;
	return false;
}

uint64_t
lr_ctl_refused(void)
{
	return __atomic_load_n(&srv.refused, __ATOMIC_RELAXED);
}

static bool
valid_name(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len >= CTL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int
lr_ctl_register(const char *name, const char *help, lr_ctl_handler_t fn)
{
	unsigned int i;
	int ret = 0;

	if (name == NULL || fn == NULL || !valid_name(name))
		return -EINVAL;
	if (strcmp(name, "help") == 0)
		return -EEXIST;
	pthread_mutex_lock(&cmd_lock);
	for (i = 0; i < nb_cmds; i++)
		if (strcmp(cmds[i].name, name) == 0)
			ret = -EEXIST;
	if (ret == 0 && nb_cmds == LR_CTL_MAX_CMDS)
		ret = -ENOSPC;
	if (ret == 0) {
		snprintf(cmds[nb_cmds].name, CTL_NAME_MAX, "%s", name);
		cmds[nb_cmds].help = help != NULL ? help : "";
		cmds[nb_cmds].fn = fn;
		nb_cmds++;
	}
	pthread_mutex_unlock(&cmd_lock);
	return ret;
}

void
lr_ctl_unregister_all(void)
{
	pthread_mutex_lock(&cmd_lock);
	nb_cmds = 0;
	memset(cmds, 0, sizeof(cmds));
	pthread_mutex_unlock(&cmd_lock);
}

static int
cmd_help(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const struct lr_ctl_col cols[] = {
		{ "command", LR_CTL_COL_STR },
		{ "description", LR_CTL_COL_STR },
	};
	struct lr_ctl_table t;
	unsigned int i;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	lr_ctl_table_begin(&t, out, json, json ? "commands" : NULL, cols, RTE_DIM(cols));
	lr_ctl_table_cell(&t, "help");
	lr_ctl_table_cell(&t, "list the commands (add --json to any command for JSON)");
	pthread_mutex_lock(&cmd_lock);
	for (i = 0; i < nb_cmds; i++) {
		lr_ctl_table_cell(&t, "%s", cmds[i].name);
		lr_ctl_table_cell(&t, "%s", cmds[i].help);
	}
	pthread_mutex_unlock(&cmd_lock);
	return lr_ctl_table_end(&t);
}

static lr_ctl_handler_t
cmd_lookup(const char *name)
{
	lr_ctl_handler_t fn = NULL;
	unsigned int i;

	if (strcmp(name, "help") == 0)
		return cmd_help;
	pthread_mutex_lock(&cmd_lock);
	for (i = 0; i < nb_cmds && fn == NULL; i++)
		if (strcmp(cmds[i].name, name) == 0)
			fn = cmds[i].fn;
	pthread_mutex_unlock(&cmd_lock);
	return fn;
}

/* Build "ERR message\n" from a handler's output (its first line) or errno. */
static void
resp_error(struct lr_ctl_buf *resp, int err, const struct lr_ctl_buf *body)
{
	const char *msg = strerror(err > 0 ? err : EINVAL);
	size_t len = strlen(msg);

	if (body != NULL && body->len > 0 && !body->oom && body->data[0] != '\n') {
		msg = body->data;
		len = strcspn(msg, "\n");
	}
	lr_ctl_buf_reset(resp);
	lr_ctl_buf_append(resp, "ERR ", 4);
	lr_ctl_buf_append(resp, msg, len);
	lr_ctl_buf_append(resp, "\n", 1);
}

/* Split line in place into words; returns the count, or -E2BIG. */
static int
split_words(char *line, char **argv, bool *json)
{
	char *save = NULL, *word;
	int argc = 0;

	*json = false;
	for (word = strtok_r(line, " \t", &save); word != NULL;
			word = strtok_r(NULL, " \t", &save)) {
		if (strcmp(word, "--json") == 0) {
			*json = true;
			continue;
		}
		if (argc == LR_CTL_MAX_ARGS)
			return -E2BIG;
		argv[argc++] = word;
	}
	argv[argc] = NULL;
	return argc;
}

int
lr_ctl_exec(const char *line, struct lr_ctl_buf *resp)
{
	char *argv[LR_CTL_MAX_ARGS + 1];
	char req[LR_CTL_REQ_MAX + 1];
	struct lr_ctl_buf body;
	lr_ctl_handler_t fn;
	size_t len, i;
	bool json;
	int argc, ret;

	lr_ctl_buf_reset(resp);
	len = strnlen(line, sizeof(req));
	if (len >= sizeof(req) || (len == LR_CTL_REQ_MAX && line[len - 1] != '\n')) {
		lr_ctl_buf_printf(resp, "ERR request too long (limit %u bytes)\n", LR_CTL_REQ_MAX);
		return -E2BIG;
	}
	memcpy(req, line, len + 1);
	while (len > 0 && (req[len - 1] == '\n' || req[len - 1] == '\r'))
		req[--len] = '\0';
	for (i = 0; i < len; i++) {
		if ((unsigned char)req[i] < 0x20 && req[i] != '\t') {
			lr_ctl_buf_printf(resp, "ERR request contains control characters\n");
			return -EINVAL;
		}
	}
	argc = split_words(req, argv, &json);
	if (argc < 0) {
		lr_ctl_buf_printf(resp, "ERR too many arguments (limit %u)\n", LR_CTL_MAX_ARGS);
		return argc;
	}
	if (argc == 0) {
		lr_ctl_buf_printf(resp, "ERR empty request (try: help)\n");
		return -EINVAL;
	}
	fn = cmd_lookup(argv[0]);
	if (fn == NULL) {
		lr_ctl_buf_printf(resp, "ERR unknown command '%.64s' (try: help)\n", argv[0]);
		return -ENOENT;
	}

	lr_ctl_buf_init(&body);
	ret = fn(argc, argv, json, &body);
	if (ret == 0 && json)
		ret = lr_ctl_json_finish(&body);
	if (ret == 0 && body.oom)
		ret = -ENOMEM;
	if (ret < 0) {
		resp_error(resp, -ret, ret == -ENOMEM ? NULL : &body);
		lr_ctl_buf_free(&body);
		return ret;
	}
	if (json && body.len == 0)
		lr_ctl_buf_append(&body, "{}", 2);
	lr_ctl_buf_append(resp, "OK\n", 3);
	if (body.len > 0) {
		lr_ctl_buf_append(resp, body.data, body.len);
		if (body.data[body.len - 1] != '\n')
			lr_ctl_buf_append(resp, "\n", 1);
	}
	lr_ctl_buf_free(&body);
	if (resp->oom) {
		resp_error(resp, ENOMEM, NULL);
		return -ENOMEM;
	}
	return 0;
}

/* What ctl_conn_write() said: a client gone before its answer was sent is logged. */
static void
client_sent(int ret)
{
	if (ret < 0 && ret != -EAGAIN)
		CTL_LOG(DEBUG, "client went away: %s", strerror(-ret));
}

/* Start sending the response. */
static void
client_respond(struct ctl_client *c)
{
	if (c->k.resp.oom) {
		lr_ctl_buf_free(&c->k.resp);
		lr_ctl_buf_append(&c->k.resp, "ERR out of memory\n", 18);
	}
	client_sent(ctl_conn_answer(&c->k, LR_CTL_TIMEOUT_MS));
}

static void
client_request(struct ctl_client *c, size_t len)
{
	int ret;

	c->in[len] = '\0';
	if (memchr(c->in, '\0', len) != NULL) {
		lr_ctl_buf_printf(&c->k.resp, "ERR request contains a NUL byte\n");
		ret = -EINVAL;
	} else {
		ret = lr_ctl_exec(c->in, &c->k.resp);
	}
	CTL_LOG(DEBUG, "request '%.*s': %s", (int)RTE_MIN(len, 80u), c->in,
			ret == 0 ? "OK" : "ERR");
	client_respond(c);
}

static void
client_read(struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	n = recv(c->k.fd, c->in + c->k.in_len, LR_CTL_REQ_MAX - c->k.in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && c->k.in_len == 0)) {
		ctl_conn_close(&c->k);
		return;
	}
	if (n == 0) {
		/* EOF after a request without its newline: serve it anyway */
		client_request(c, c->k.in_len);
		return;
	}
	nl = memchr(c->in + c->k.in_len, '\n', (size_t)n);
	c->k.in_len += (size_t)n;
	if (nl != NULL) {
		client_request(c, (size_t)(nl - c->in));
	} else if (c->k.in_len == LR_CTL_REQ_MAX) {
		lr_ctl_buf_printf(&c->k.resp, "ERR request too long (limit %u bytes)\n",
				LR_CTL_REQ_MAX);
		client_respond(c);
	}
}

/* Check the peer's credentials; a refused one gets one ERR line and is closed. */
static bool
peer_check(int fd)
{
	uint32_t groups[CTL_PEER_GROUPS];
	socklen_t len = sizeof(struct ucred), glen = sizeof(groups);
	struct ucred cr;
	char msg[160];
	int n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof(cr)) {
		CTL_LOG(WARNING, "refused a client: no peer credentials (%s)", strerror(errno));
		n = snprintf(msg, sizeof(msg), "ERR permission denied: no peer credentials\n");
		goto refuse;
	}
	/* Supplementary groups (Linux 4.13); without them only the primary gid counts. */
	if (srv.allow_gid < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) < 0)
		glen = 0;
	if (lr_ctl_peer_allowed(cr.uid, cr.gid, groups, glen / sizeof(groups[0])))
		return true;
	CTL_LOG(WARNING, "refused pid %d uid %u gid %u (allowed: root, uid %u, [app] "
			"control_uid %d, control_gid %d)", (int)cr.pid, cr.uid, cr.gid,
			(unsigned int)geteuid(), srv.allow_uid, srv.allow_gid);
	n = snprintf(msg, sizeof(msg), "ERR permission denied: uid %u gid %u is not allowed "
			"([app] control_uid, control_gid)\n", cr.uid, cr.gid);
refuse:
	__atomic_add_fetch(&srv.refused, 1, __ATOMIC_RELAXED);
	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		CTL_LOG(DEBUG, "refusal: %s", strerror(errno));
	close(fd);
	return false;
}

static void
accept_clients(void)
{
	static const char busy[] = "ERR too many clients, try again\n";
	struct ctl_client *c;
	unsigned int i;
	int fd;

	for (;;) {
		fd = accept(srv.listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				CTL_LOG(WARNING, "accept: %s", strerror(errno));
			return;
		}
		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			close(fd);
			continue;
		}
		if (!peer_check(fd))
			continue;
		c = NULL;
		for (i = 0; i < LR_CTL_MAX_CLIENTS && c == NULL; i++)
			if (srv.clients[i].k.fd < 0)
				c = &srv.clients[i];
		if (c == NULL) {
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				CTL_LOG(DEBUG, "busy reply: %s", strerror(errno));
			close(fd);
			continue;
		}
		ctl_conn_open(&c->k, fd, LR_CTL_TIMEOUT_MS);
	}
}

/* Time out slow clients; return the poll timeout until the next deadline. */
static int
expire_clients(void)
{
	uint64_t now = ctl_now_ms(), next = UINT64_MAX;
	struct ctl_client *c;
	unsigned int i;

	for (i = 0; i < LR_CTL_MAX_CLIENTS; i++) {
		c = &srv.clients[i];
		if (c->k.fd < 0)
			continue;
		if (now >= c->k.deadline_ms) {
			if (c->k.writing) {
				ctl_conn_close(&c->k);
				continue;
			}
			lr_ctl_buf_printf(&c->k.resp,
					"ERR timeout: no complete request within %u ms\n",
					LR_CTL_TIMEOUT_MS);
			client_respond(c);
			/* a client that does not read gets closed at the next deadline */
			if (c->k.fd < 0)
				continue;
		}
		next = RTE_MIN(next, c->k.deadline_ms);
	}
	if (next == UINT64_MAX)
		return -1;
	return next > now ? (int)RTE_MIN(next - now, (uint64_t)INT_MAX) : 0;
}

static void *
ctl_thread(void *arg)
{
	struct pollfd pfd[LR_CTL_MAX_CLIENTS + 2 + CTL_HTTP_POLL_MAX];
	struct ctl_client *owner[LR_CTL_MAX_CLIENTS + 2];
	unsigned int i, n, nh;
	int timeout, th;

	RTE_SET_USED(arg);
	for (;;) {
		timeout = expire_clients();
		th = ctl_http_expire();
		if (th >= 0 && (timeout < 0 || th < timeout))
			timeout = th;
		pfd[0] = (struct pollfd){ .fd = srv.wake_fd[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = srv.listen_fd, .events = POLLIN };
		n = 2;
		for (i = 0; i < LR_CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = &srv.clients[i];

			if (c->k.fd < 0)
				continue;
			pfd[n] = ctl_conn_pollfd(&c->k);
			owner[n++] = c;
		}
		/* the metrics endpoint's listener and clients after ours */
		nh = ctl_http_poll_fill(pfd + n);
		if (poll(pfd, n + nh, timeout) < 0) {
			if (errno == EINTR)
				continue;
			CTL_LOG(ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (i = 2; i < n; i++) {
			struct ctl_client *c = owner[i];

			if (pfd[i].revents == 0 || c->k.fd != pfd[i].fd)
				continue;
			if (c->k.writing)
				client_sent(ctl_conn_write(&c->k));
			else
				client_read(c);
		}
		if (pfd[1].revents & POLLIN)
			accept_clients();
		ctl_http_poll_handle(pfd + n, nh);
	}
	for (i = 0; i < LR_CTL_MAX_CLIENTS; i++)
		if (srv.clients[i].k.fd >= 0)
			ctl_conn_close(&srv.clients[i].k);
	return NULL;
}

/* mkdir -p of the directory holding path. */
static int
make_parent_dir(const char *path)
{
	char dir[sizeof(srv.path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a socket nobody listens on; refuse to touch a live one or a non-socket. */
static int
remove_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, ret;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		CTL_LOG(ERR, "%s exists and is not a socket", sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (ret == 0) {
		CTL_LOG(ERR, "another process is serving %s", sun->sun_path);
		return -EADDRINUSE;
	}
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int
open_listener(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode, old_umask;
	int fd, ret;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ret = make_parent_dir(path);
	if (ret < 0) {
		CTL_LOG(ERR, "cannot create the directory of %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = remove_stale(&sun);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* The socket file takes its mode from the umask at bind(): narrow it there so
	 * the file never exists with wider rights (a chmod() after bind() leaves a
	 * window). The umask is process-wide; nothing else creates files meanwhile. */
	mode = srv.allow_gid >= 0 ? 0660 : 0600;
	old_umask = umask(~mode & 0777);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (ret < 0 || (srv.allow_gid >= 0 && chown(path, (uid_t)-1, (gid_t)srv.allow_gid) < 0) ||
			listen(fd, 64) < 0) {
		ret = -errno;
		CTL_LOG(ERR, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return ret;
	}
	return fd;
}

static int
start_thread(void)
{
	int ret;

	ret = rte_ctrl_thread_create(&srv.thread, "lr-ctl", NULL, ctl_thread, NULL);
	if (ret == 0)
		return 0;
	/* EAL not initialised (tools, some tests): a plain thread will do */
	ret = pthread_create(&srv.thread, NULL, ctl_thread, NULL);
	return -ret;
}

int
lr_ctl_start(const char *path)
{
	unsigned int i;
	int fd, ret;

	if (srv.running)
		return -EALREADY;
	if (path == NULL || path[0] == '\0') {
		/* the metrics endpoint alone */
		if (!ctl_http_open())
			return -EINVAL;
		path = "";
		fd = -1;
	} else {
		if (strlen(path) >= sizeof(srv.path))
			return -ENAMETOOLONG;
		fd = open_listener(path);
		if (fd < 0)
			return fd;
	}
	if (pipe(srv.wake_fd) < 0) {
		ret = -errno;
		goto fail_pipe;
	}
	snprintf(srv.path, sizeof(srv.path), "%s", path);
	srv.listen_fd = fd;
	for (i = 0; i < LR_CTL_MAX_CLIENTS; i++)
		srv.clients[i].k.fd = -1;
	ret = start_thread();
	if (ret < 0)
		goto fail_thread;
	srv.running = true;
	if (fd >= 0)
		CTL_LOG(INFO, "listening on %s", path);
	return 0;

fail_thread:
	close(srv.wake_fd[0]);
	close(srv.wake_fd[1]);
	srv.wake_fd[0] = srv.wake_fd[1] = -1;
	srv.listen_fd = -1;
fail_pipe:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	CTL_LOG(ERR, "cannot start on %s: %s", path, strerror(-ret));
	return ret;
}

void
lr_ctl_stop(void)
{
	if (!srv.running) {
		ctl_http_close();   /* opened, never served */
		return;
	}
	if (write(srv.wake_fd[1], "x", 1) < 0)
		CTL_LOG(WARNING, "wake: %s", strerror(errno));
	pthread_join(srv.thread, NULL);
	close(srv.wake_fd[0]);
	close(srv.wake_fd[1]);
	ctl_http_close();
	srv.wake_fd[0] = srv.wake_fd[1] = -1;
	srv.running = false;
	if (srv.listen_fd < 0)
		return;
	close(srv.listen_fd);
	unlink(srv.path);
	srv.listen_fd = -1;
	CTL_LOG(INFO, "stopped, removed %s", srv.path);
}
