/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Control socket server and the output builders its commands use.
 *
 * The server runs on its own control thread (never a worker lcore) and listens on
 * a Unix stream socket. A client sends one request line
 *
 *     COMMAND [ARG ...]\n
 *
 * where an argument "--json" anywhere asks for JSON output. The server answers
 * with a first line "OK" or "ERR <message>", then the body, and closes the
 * connection. Requests are at most LR_CTL_REQ_MAX bytes; a client that sends
 * nothing is closed after LR_CTL_TIMEOUT_MS.
 *
 * A command is written once against the builders below (tables, key/value lists,
 * sections) and renders either as aligned text (like netstat) or as valid JSON.
 */
#ifndef LR_CTL_H
#define LR_CTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#define LR_CTL_REQ_MAX 4096       /**< longest request line, newline included */
#define LR_CTL_TIMEOUT_MS 2000    /**< a client must send its request within this */
#define LR_CTL_MAX_ARGS 32        /**< words in one request, command included */
#define LR_CTL_MAX_CMDS 64        /**< registered commands */
#define LR_CTL_MAX_CLIENTS 32     /**< clients served at once */
#define LR_CTL_JSON_DEPTH 16      /**< nesting of JSON containers */
#define LR_CTL_MAX_COLS 32        /**< columns of one table */

/**
 * A growable output buffer with a small JSON writer.
 *
 * Allocation failures are sticky: the buffer keeps what it had, sets @c oom and
 * later appends are ignored; the server then answers "ERR out of memory".
 */
struct lr_ctl_buf {
	char *data;       /**< NUL-terminated text (NULL until the first append) */
	size_t len;       /**< bytes used, terminator excluded */
	size_t cap;       /**< bytes allocated */
	bool oom;         /**< an allocation failed */
	unsigned int indent; /**< text mode: spaces before headings and rows */
	uint8_t depth;    /**< JSON: open containers */
	bool first[LR_CTL_JSON_DEPTH]; /**< JSON: nothing written yet at that depth */
	char closer[LR_CTL_JSON_DEPTH]; /**< JSON: '}' or ']' closing that depth */
};

/** Initialise an empty buffer (no allocation). */
void lr_ctl_buf_init(struct lr_ctl_buf *b);

/** Free the buffer's memory and leave it empty. */
void lr_ctl_buf_free(struct lr_ctl_buf *b);

/** Empty the buffer (keeps its memory) and reset the JSON and indent state. */
void lr_ctl_buf_reset(struct lr_ctl_buf *b);

/**
 * Append bytes.
 * @return 0, or -ENOMEM
 */
int lr_ctl_buf_append(struct lr_ctl_buf *b, const char *s, size_t len);

/**
 * Append formatted text.
 * @return 0, or -ENOMEM
 */
int lr_ctl_buf_printf(struct lr_ctl_buf *b, const char *fmt, ...) __rte_format_printf(2, 3);

/** va_list form of lr_ctl_buf_printf(). @return 0, or -ENOMEM */
int lr_ctl_buf_vprintf(struct lr_ctl_buf *b, const char *fmt, va_list ap)
		__rte_format_printf(2, 0);

/**
 * Append s as a quoted JSON string ("\"", "\\", control characters escaped).
 * @return 0, or -ENOMEM
 */
int lr_ctl_buf_json_string(struct lr_ctl_buf *b, const char *s);

/**
 * Fail a command with a message: empties out, writes the message into it and
 * returns -EINVAL, so a handler can `return lr_ctl_errorf(out, "...")`.
 * @return -EINVAL
 */
int lr_ctl_errorf(struct lr_ctl_buf *out, const char *fmt, ...) __rte_format_printf(2, 3);

/**
 * @name JSON writer
 * Commas are inserted automatically. A @p key is required inside objects and
 * ignored inside arrays. A keyed value written at depth 0 implicitly opens the
 * top-level object; lr_ctl_json_finish() closes whatever is still open.
 * @{
 */
/** Open an object ("key": { or {). @return 0 or -errno */
int lr_ctl_json_obj_open(struct lr_ctl_buf *b, const char *key);
/** Open an array ("key": [ or [). @return 0 or -errno */
int lr_ctl_json_arr_open(struct lr_ctl_buf *b, const char *key);
/** Close the innermost container. @return 0, or -EINVAL if none is open */
int lr_ctl_json_close(struct lr_ctl_buf *b);
/** Close every open container. @return 0 or -ENOMEM */
int lr_ctl_json_finish(struct lr_ctl_buf *b);
/** A string member (NULL writes null). @return 0 or -errno */
int lr_ctl_json_str(struct lr_ctl_buf *b, const char *key, const char *val);
/** An unsigned integer member. @return 0 or -errno */
int lr_ctl_json_u64(struct lr_ctl_buf *b, const char *key, uint64_t val);
/** A signed integer member. @return 0 or -errno */
int lr_ctl_json_i64(struct lr_ctl_buf *b, const char *key, int64_t val);
/** A boolean member. @return 0 or -errno */
int lr_ctl_json_bool(struct lr_ctl_buf *b, const char *key, bool val);
/** A finite number member printed with "%.*f" (NaN/inf write null). @return 0 or -errno */
int lr_ctl_json_double(struct lr_ctl_buf *b, const char *key, double val, int decimals);
/** @} */

/**
 * A section groups what follows: in JSON `"name": {`, in text a heading line
 * "name:" after which rows are indented by two more spaces.
 * @param name JSON key and text heading; NULL opens a bare object with no heading
 * @return 0 or -errno
 */
int lr_ctl_section_begin(struct lr_ctl_buf *out, bool json, const char *name);

/** End the innermost section. @return 0 or -errno */
int lr_ctl_section_end(struct lr_ctl_buf *out, bool json);

/** How a table column renders. */
enum lr_ctl_col_type {
	LR_CTL_COL_STR = 0, /**< left aligned; JSON string */
	LR_CTL_COL_NUM = 1, /**< right aligned; JSON number (a string if not numeric) */
};

/** One column of a table. */
struct lr_ctl_col {
	const char *name;          /**< header and JSON key */
	enum lr_ctl_col_type type; /**< alignment and JSON type */
};

/**
 * A table being built. In JSON mode each row is written as an object as soon as
 * it is complete; in text mode cells are kept until lr_ctl_table_end() knows the
 * column widths.
 */
struct lr_ctl_table {
	struct lr_ctl_buf *out;        /**< where it renders */
	bool json;                     /**< JSON mode */
	const struct lr_ctl_col *cols; /**< columns (caller's storage) */
	unsigned int nb_cols;          /**< number of columns */
	unsigned int col;              /**< next cell's column */
	char **cells;                  /**< text mode: cells, row-major */
	unsigned int nb_cells;         /**< text mode: cells stored */
	unsigned int cap_cells;        /**< text mode: cells allocated */
	bool heading;                  /**< text mode: a heading was printed */
	int err;                       /**< first error, returned by lr_ctl_table_end() */
};

/**
 * Start a table: in JSON an array of row objects (`"name": [` or `[`), in text
 * a header line and rows aligned on column widths, preceded by "name:" if
 * @p name is given.
 * @param t table to initialise
 * @param out output buffer
 * @param json JSON mode
 * @param name JSON key and text heading, or NULL
 * @param cols columns; must stay valid until lr_ctl_table_end()
 * @param nb_cols 1..LR_CTL_MAX_COLS
 * @return 0 or -errno
 */
int lr_ctl_table_begin(struct lr_ctl_table *t, struct lr_ctl_buf *out, bool json,
		const char *name, const struct lr_ctl_col *cols, unsigned int nb_cols);

/**
 * Add the next cell, left to right; a row is complete after nb_cols cells.
 * @return 0 or -errno (also remembered for lr_ctl_table_end())
 */
int lr_ctl_table_cell(struct lr_ctl_table *t, const char *fmt, ...) __rte_format_printf(2, 3);

/** Add the next cell as an unsigned integer. @return 0 or -errno */
int lr_ctl_table_u64(struct lr_ctl_table *t, uint64_t val);

/**
 * Finish the table: render it (text mode) and free its storage.
 * @return 0, or the first error seen while building it
 */
int lr_ctl_table_end(struct lr_ctl_table *t);

/**
 * A key/value list: in JSON an object (`"name": {` or `{`), in text lines
 * "key  value" with the values aligned. Built like a table with two columns.
 */
struct lr_ctl_kv {
	struct lr_ctl_table t;       /**< text mode storage */
	struct lr_ctl_col cols[2];   /**< key and value columns */
	bool section;                /**< a section was opened for it */
};

/**
 * Start a key/value list.
 * @param kv list to initialise
 * @param out output buffer
 * @param json JSON mode
 * @param name JSON key and text heading, or NULL: no heading, and in JSON the
 *   pairs are added to the enclosing object (a new bare object if there is none)
 * @return 0 or -errno
 */
int lr_ctl_kv_begin(struct lr_ctl_kv *kv, struct lr_ctl_buf *out, bool json, const char *name);

/** A string value. @return 0 or -errno */
int lr_ctl_kv_str(struct lr_ctl_kv *kv, const char *key, const char *fmt, ...)
		__rte_format_printf(3, 4);

/** An unsigned integer value. @return 0 or -errno */
int lr_ctl_kv_u64(struct lr_ctl_kv *kv, const char *key, uint64_t val);

/** Finish the list. @return 0, or the first error seen while building it */
int lr_ctl_kv_end(struct lr_ctl_kv *kv);

/**
 * A command handler. Runs on the control thread, one request at a time.
 * @param argc number of words, >= 1
 * @param argv the words; argv[0] is the command name, "--json" is removed
 * @param json JSON output requested
 * @param out body of the response
 * @return 0 (answer "OK" and the body), or -errno (answer "ERR" and the first
 *   line of @p out as the message, or strerror() when @p out is empty)
 */
typedef int (*lr_ctl_handler_t)(int argc, char *const argv[], bool json, struct lr_ctl_buf *out);

/**
 * Register a command. Safe before and after lr_ctl_start().
 * @param name the first word of the request; letters, digits, '-', '_' only
 * @param help one line shown by `help`
 * @param fn handler
 * @return 0, -EINVAL (bad name or NULL fn), -EEXIST (name taken), -ENOSPC (table full)
 */
int lr_ctl_register(const char *name, const char *help, lr_ctl_handler_t fn);

/** Forget every registered command (tests). Not safe while the server runs. */
void lr_ctl_unregister_all(void);

/**
 * Execute one request line as the server would and build the whole response
 * ("OK\n" + body or "ERR message\n"). Used by the server and by tests.
 * @param line request, with or without the trailing newline
 * @param resp filled (reset first)
 * @return 0 if the answer is OK, -errno if it is ERR
 */
int lr_ctl_exec(const char *line, struct lr_ctl_buf *resp);

/**
 * Who may use the control socket (set before lr_ctl_start()). Root and the
 * server's own effective uid are always allowed; besides them a peer (its
 * SO_PEERCRED / SO_PEERGROUPS credentials) is allowed if its uid is @p uid or
 * @p gid is its primary or one of its supplementary groups. With a gid the socket
 * is created 0660 and given that group, else 0600.
 * @param uid one more allowed uid, or -1 for none (the default)
 * @param gid allowed group, or -1 for none (the default)
 */
void lr_ctl_set_access(int uid, int gid);

/**
 * The credential check applied to every accepted client.
 * @param uid peer's uid
 * @param gid peer's primary gid
 * @param groups peer's supplementary groups (may be NULL when n is 0)
 * @param n number of groups
 * @return true if a peer with these credentials may send requests
 */
bool lr_ctl_peer_allowed(uint32_t uid, uint32_t gid, const uint32_t *groups, unsigned int n);

/** @return clients refused by the credential check since the process started */
uint64_t lr_ctl_refused(void);

/**
 * Start the server on its own control thread.
 * @p path may be NULL or empty when lr_ctl_metrics_listen() opened the metrics
 * listener: the thread then serves that alone. Otherwise it creates the socket's
 * parent directory, removes a stale socket (fails with -EADDRINUSE if a live
 * server answers on it), binds with mode 0600 (0660 and the group of
 * lr_ctl_set_access() when one is set), atomically: the process umask is narrowed
 * around bind(), so the socket never exists with wider rights.
 * @param path socket path (shorter than sizeof(sun_path))
 * @return 0 or -errno (-EALREADY if running, -ENAMETOOLONG, socket errors; -EINVAL
 *   without a path nor a metrics listener)
 */
int lr_ctl_start(const char *path);

/** Stop the server, close every client and remove the socket; close the metrics
 * listener. No-op if neither runs. */
void lr_ctl_stop(void);

/** Log type of lib/ctl ("linerate.ctl"). */
extern int lr_logtype_ctl;

/**
 * @name Metrics endpoint
 * A TCP listener on the kernel stack, served by the control thread in the same poll
 * loop as the control socket (no thread of its own). `GET /metrics` (a query string
 * is ignored) answers 200 with what the metrics function writes: the Prometheus text
 * format 0.0.4, or OpenMetrics 1.0 when the Accept header names
 * application/openmetrics-text. Anything else: 404 for another path, 405 for another
 * method, 400 for a malformed request, 431 for a request head over
 * LR_CTL_HTTP_REQ_MAX bytes, 500 when the body could not be built. One request per
 * connection (Connection: close). Each connection gets LR_CTL_HTTP_TIMEOUT_MS to send
 * its request and as long again to read the answer; beyond LR_CTL_HTTP_MAX_CLIENTS
 * connections at once a new one gets 503 and is closed. All of it is counted
 * (lr_ctl_http_stats_get()).
 * @{
 */
#define LR_CTL_HTTP_MAX_CLIENTS 8     /**< scrapers served at once */
#define LR_CTL_HTTP_REQ_MAX 4096      /**< longest request head */
#define LR_CTL_HTTP_TIMEOUT_MS 5000   /**< to send the request, then to read the answer */

/**
 * Writes the metrics body (runs on the control thread; must not call workers).
 * @param openmetrics OpenMetrics 1.0 asked for, else the 0.0.4 text format
 * @return 0, or -errno (the scraper gets 500)
 */
typedef int (*lr_ctl_metrics_fn)(struct lr_ctl_buf *out, bool openmetrics);

/** Responses and refusals of the metrics endpoint since the process started. */
struct lr_ctl_http_stats {
	uint64_t accepted;      /**< connections taken into a slot */
	uint64_t refused;       /**< connections over LR_CTL_HTTP_MAX_CLIENTS (503, closed) */
	uint64_t timeouts;      /**< connections closed at their deadline */
	uint64_t status_200;    /**< metrics served */
	uint64_t status_400;    /**< malformed requests */
	uint64_t status_404;    /**< other paths */
	uint64_t status_405;    /**< other methods */
	uint64_t status_431;    /**< request heads too long */
	uint64_t status_500;    /**< body not built */
};

/**
 * Parse a listen address "HOST:PORT": HOST an IPv4 address or an IPv6 one in
 * brackets ("[::1]:9464"), PORT 1..65535. Nothing is resolved.
 * @param ss filled (may be NULL to only check)
 * @param len filled with the address length (may be NULL)
 * @param why set to what is wrong on failure (may be NULL)
 * @return 0 or -EINVAL
 */
int lr_ctl_listen_parse(const char *s, void *ss, unsigned int *len, const char **why);

/**
 * Open the metrics listener now (bind and listen) on @p addr; it is served once
 * lr_ctl_start() runs the control thread, and closed by lr_ctl_stop().
 * @param addr "HOST:PORT" (lr_ctl_listen_parse())
 * @param fn writes the body
 * @return 0, -EINVAL (bad address or fn), -EALREADY, or the -errno of socket/bind/listen
 */
int lr_ctl_metrics_listen(const char *addr, lr_ctl_metrics_fn fn);

/**
 * Judge one HTTP request head (tests and the server).
 * @param req bytes received so far
 * @param len their number
 * @param openmetrics set when the Accept header asks for OpenMetrics
 * @return 0 while the head is incomplete (and under LR_CTL_HTTP_REQ_MAX), else the
 *   status to answer: 200, 400, 404, 405 or 431
 */
int lr_ctl_http_parse(const char *req, size_t len, bool *openmetrics);

/** Copy the endpoint's counters (relaxed reads, any thread). */
void lr_ctl_http_stats_get(struct lr_ctl_http_stats *st);
/** @} */

#endif /* LR_CTL_H */
