/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/ctl: how the control thread's poll loop (ctl_server.c) serves the
 * metrics endpoint (ctl_http.c).
 */
#ifndef LR_CTL_INTERNAL_H
#define LR_CTL_INTERNAL_H

#include <poll.h>
#include <stdbool.h>

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
