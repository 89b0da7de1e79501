/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Built-in TCP services, one listener per service on every worker: echo (RFC 862),
 * discard (RFC 863), chargen (RFC 864) and an HTTP/1.1 responder; and a small TCP
 * client (the `connect` control command) that sends a pattern and discards replies.
 *
 * Per-connection state comes from a per-worker mempool sized like the worker's
 * connection table: nothing is allocated from the heap on the datapath. Counters
 * live in a per-worker block written only by that worker; the control thread sums
 * them with lr_services_tcp_stats().
 */
#ifndef LR_APP_TCP_SERVICES_H
#define LR_APP_TCP_SERVICES_H

#include <stdint.h>

#include <rte_byteorder.h>

#include "config.h"
#include "lr_core.h"

#define LR_HTTP_HDR_MAX 8192   /**< request line + headers; beyond: 431 and close */
#define LR_TCP_CLIENT_MAX 64   /**< client connections per worker at once */

/** The services. */
enum lr_tcp_svc {
	LR_TCP_SVC_ECHO = 0,
	LR_TCP_SVC_DISCARD,
	LR_TCP_SVC_CHARGEN,
	LR_TCP_SVC_HTTP,
	LR_TCP_SVC_NB,
};

/** Counters of one service. */
struct lr_tcp_svc_stats {
	uint64_t conns;     /**< connections accepted */
	uint64_t bytes_in;  /**< payload bytes received */
	uint64_t bytes_out; /**< payload bytes queued for sending */
	uint64_t requests;  /**< HTTP requests answered (any status) */
	uint64_t errors;    /**< refused (no state left), send failures, HTTP 4xx */
	uint64_t idle_timeout;   /**< closed after [tcp] idle_timeout_ms without data either
				  *   way (FIN when nothing was pending, else RST) */
	uint64_t header_timeout; /**< HTTP: reset, the request head not complete within
				  *   [tcp] http_header_timeout_ms */
	uint64_t drain_closed;   /**< closed with FIN at shutdown (lr_services_tcp_drain) */
};

/** Counters of the client started by lr_services_tcp_client_start(). */
struct lr_tcp_client_stats {
	uint64_t started;    /**< connections attempted */
	uint64_t connected;  /**< reached ESTABLISHED */
	uint64_t refused;    /**< RST answered the SYN */
	uint64_t reset;      /**< reset after ESTABLISHED */
	uint64_t timeout;    /**< retransmissions exhausted */
	uint64_t completed;  /**< every byte queued, both sides closed */
	uint64_t bytes_sent; /**< payload bytes queued for sending */
	uint64_t bytes_in;   /**< payload bytes received (and discarded) */
	uint64_t active;     /**< connections open now */
};

/** @return "echo", "discard", "chargen", "http" ("?" when out of range) */
const char *lr_tcp_svc_name(enum lr_tcp_svc s);

/**
 * Start the TCP services of one worker: lr_tcp_listen() on every port of cfg that is
 * not 0 (tcp_echo_port, tcp_discard_port, tcp_chargen_port, tcp_http_port) and create
 * the worker's connection-state pool (cfg->tcp.max_conns entries).
 * Call after lr_tcp_worker_init(w, &cfg->tcp), on the control thread before the worker
 * is launched (or through lr_worker_call()). The settings are copied.
 * @return 0, -EEXIST if already started on w, -EINVAL (w->tcp NULL), -ENOMEM, or the
 *         error of lr_tcp_listen() (-EADDRINUSE, -ENOSPC); on error nothing is left
 *         listening or allocated
 */
int lr_services_tcp_init(struct lr_worker *w, const struct lr_config *cfg);

/**
 * Stop the TCP services of one worker: free every connection's state (and the data
 * it holds) and the pool. Call before lr_tcp_worker_fini(w), which frees the
 * connections themselves without callbacks. No-op if not started.
 */
void lr_services_tcp_fini(struct lr_worker *w);

/**
 * Active open from w (on its lcore, e.g. through lr_worker_call()): connect to
 * dst:port, send bytes of the pattern byte[i] = i % 251, half-close, then discard
 * whatever the peer sends until it closes. Works without lr_services_tcp_init().
 * @param dst network order
 * @param port host order
 * @return 0, -EBUSY (LR_TCP_CLIENT_MAX connections open), or -errno of
 *         lr_tcp_connect() (-ENETUNREACH, -EADDRNOTAVAIL, -ENOSPC, -EINVAL)
 */
int lr_services_tcp_client_start(struct lr_worker *w, rte_be32_t dst, uint16_t port,
		uint64_t bytes);

/**
 * Service timeouts of one worker, against w->now_us (its poll loop, every tick):
 * connections idle for [tcp] idle_timeout_ms are closed (FIN when nothing is pending,
 * else RST), HTTP connections whose request head is not complete within [tcp]
 * http_header_timeout_ms (from accept for the first request, like nginx
 * client_header_timeout, else from the request's first byte) are reset. Costs what
 * is due, at most [tcp] timer_budget connections per call: both lists are ordered by
 * deadline, and what is left waits for the next call.
 * @return true if due timeouts were left (call again on the next loop turn)
 */
bool lr_services_tcp_tick(struct lr_worker *w);

/**
 * Graceful shutdown of one worker's services: stop listening (new SYNs get RST),
 * close with FIN every connection with nothing in progress (an idle HTTP keep-alive,
 * echo with nothing held, discard, chargen), and let HTTP requests in progress get
 * their response with `Connection: close`, then close.
 */
void lr_services_tcp_drain(struct lr_worker *w);

/**
 * Sum the counters over workers 0..nb_workers-1 (any thread; values may lag).
 * @param svc filled, indexed by enum lr_tcp_svc
 * @param client filled, may be NULL
 */
void lr_services_tcp_stats(uint16_t nb_workers, struct lr_tcp_svc_stats svc[LR_TCP_SVC_NB],
		struct lr_tcp_client_stats *client);

#endif /* LR_APP_TCP_SERVICES_H */
