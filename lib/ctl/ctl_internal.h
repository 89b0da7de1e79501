/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/ctl: how the control thread's poll loop (ctl_server.c) serves the
 * metrics endpoint (ctl_http.c), and the client connection both serve (ctl_conn.c).
 */
#ifndef LR_CTL_INTERNAL_H
#define LR_CTL_INTERNAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lr_ctl.h"

/**
 * A client of the control thread (control socket or metrics endpoint): one request
 * read, one answer sent, then closed. The first member of each server's client slot,
 * which adds its request buffer.
 */
struct ctl_conn {
	int fd;                  /**< -1 when the slot is free */
	bool writing;            /**< request done, answer being sent */
	uint64_t deadline_ms;    /**< closed (or timed out) at this monotonic time */
	size_t in_len;           /**< request bytes received */
	struct lr_ctl_buf resp;  /**< the answer */
	size_t out_off;          /**< answer bytes sent */
};

/** @return CLOCK_MONOTONIC in milliseconds */
uint64_t ctl_now_ms(void);

/** Take an accepted non-blocking socket into a free slot: reading, due in timeout_ms. */
void ctl_conn_open(struct ctl_conn *c, int fd, unsigned int timeout_ms);

/** The poll entry of an open connection: POLLIN while reading, POLLOUT while writing. */
struct pollfd ctl_conn_pollfd(const struct ctl_conn *c);

/**
 * Start sending c->resp from its first byte, due in timeout_ms; sends what the socket
 * takes now (ctl_conn_write()).
 * @return as ctl_conn_write()
 */
int ctl_conn_answer(struct ctl_conn *c, unsigned int timeout_ms);

/**
 * Send what is left of c->resp without blocking; once all is sent or the peer is gone,
 * close the connection (ctl_conn_close()).
 * @return -EAGAIN while the socket is full (still open), 0 when all was sent, else
 *   -errno of the failed send (-EPIPE when it took nothing)
 */
int ctl_conn_write(struct ctl_conn *c);

/**
 * Close and free the slot: read and discard up to CTL_CONN_DRAIN_MAX bytes the peer
 * still sent first, so that closing does not reset its connection (and lose the answer).
 */
void ctl_conn_close(struct ctl_conn *c);

/** Unread bytes ctl_conn_close() discards at most. */
#define CTL_CONN_DRAIN_MAX 65536

/** Poll entries the metrics endpoint may add: its listener and its clients. */
#define CTL_HTTP_POLL_MAX (1 + LR_CTL_HTTP_MAX_CLIENTS)

/** @return true while the metrics listener is open */
bool ctl_http_open(void);

/**
 * Add the listener and the clients to a poll set.
 * @param pfd room for CTL_HTTP_POLL_MAX entries
 * @return entries written
 */
unsigned int ctl_http_poll_fill(struct pollfd *pfd);

/** Serve what poll() reported on the n entries ctl_http_poll_fill() wrote. */
void ctl_http_poll_handle(const struct pollfd *pfd, unsigned int n);

/**
 * Close the connections past their deadline.
 * @return milliseconds until the next deadline, -1 if none
 */
int ctl_http_expire(void);

/** Close the clients and the listener (after the control thread ended). */
void ctl_http_close(void);

#endif /* LR_CTL_INTERNAL_H */
