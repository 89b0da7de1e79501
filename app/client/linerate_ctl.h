/* SPDX-License-Identifier: BSD-3-Clause */
/* linerate-ctl's parts shared between its files (plain libc, no DPDK). */
#ifndef LINERATE_CTL_H
#define LINERATE_CTL_H

#include <stdbool.h>
#include <stddef.h>

#define EXIT_OK 0
#define EXIT_ERR 1
#define EXIT_USAGE 2

/** Program name for messages. */
extern const char *prog;

/** CLOCK_MONOTONIC in seconds. */
double now_s(void);

/**
 * Send one request (a line ending in '\n') and read the whole answer.
 * @param resp malloc'ed, NUL-terminated answer ("OK\n..." or "ERR ...")
 * @return 0, or -1 after a message on stderr
 */
int ctl_query(const char *path, const char *req, size_t len, double timeout, char **resp,
		size_t *resp_len);

/**
 * `linerate-ctl top`: argv[0] is "top", then its options.
 * @return the exit status
 */
int ctl_top(const char *path, double timeout, bool json, int argc, char **argv);

#endif /* LINERATE_CTL_H */
