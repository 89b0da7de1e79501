/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the built-in TCP services: tcp_services.c (echo, discard, chargen, the
 * `connect` client, start/stop and counters) and http.c (the HTTP/1.1 responder).
 */
#ifndef LR_APP_TCP_SERVICES_INTERNAL_H
#define LR_APP_TCP_SERVICES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_tcp.h"
#include "tcp_services.h"

#define HTTP_LINE 256                         /* bytes kept of one request/header line */
#define HTTP_TAIL 16                          /* of which the last ones slide (long lines) */

enum http_stage { H_LINE = 0, H_HDR, H_SKIP };

/* What the parser found in a request head (http.c, http_memo). */
struct http_req {
	uint16_t status;             /* 200, or the error found */
	bool head, v10, conn_close, conn_keep, chunked, has_len;
	uint64_t content_length;
};

#define HTTP_MEMO_MAX 256                     /* longest request head remembered */
#define HTTP_OK_FULL 1280                     /* a 200's header and body, prebuilt */

/* The last request head parsed from a fresh parser in one contiguous piece, byte for
 * byte, and what was found in it: the same bytes again parse the same (http.c). */
struct http_memo {
	uint16_t len;                /* bytes, 0: none */
	struct http_req req;
	uint8_t bytes[HTTP_MEMO_MAX];
};

/* One HTTP request being parsed and the response being queued (the buffers last: a
 * request found in the worker's memo and answered from ok_full[] touches neither). */
struct http_state {
	enum http_stage stage;
	uint16_t line_len;           /* bytes in line[] */
	bool truncated;              /* line longer than HTTP_LINE: the tail slides */
	uint32_t head_bytes;         /* request line + headers so far */
	uint64_t skip;               /* request body bytes still to skip */
	struct http_req req;         /* the request */
	/* the response: resp_src is resp[] (an error) or the worker's ok_full[] (a 200) */
	const char *resp_src;
	uint16_t resp_len, resp_off;
	uint32_t body_left, body_off;
	bool resp_pending, close_after;
	char line[HTTP_LINE];
	char resp[256];
};

struct svc_worker;

/* A connection of echo, chargen or HTTP. */
struct svc_conn {
	TAILQ_ENTRY(svc_conn) link;
	struct svc_worker *sw;
	struct lr_tcp_conn *c;
	enum lr_tcp_svc svc;
	bool peer_fin;
	struct rte_mbuf *in;         /* received, not consumed yet (hold_rcv) */
	struct rte_mbuf *in_tail;    /* last segment of in */
	uint32_t in_charged;         /* truesize of in charged (lr_tcp_rcv_hold, LR_MEM_TCP_RCV) */
	uint32_t pos;                /* chargen: offset in the pattern */
	/* timeouts (tcp_services.c): FIFOs ordered by deadline, one per kind */
	TAILQ_ENTRY(svc_conn) idle_link;  /* on sw->idle_q while idle_us is set */
	TAILQ_ENTRY(svc_conn) hdr_link;   /* on sw->hdr_q while a request head is due */
	uint64_t active_us;          /* last data in either direction */
	uint64_t hdr_start_us;       /* accepted (first request) or first byte of the request */
	bool on_hdr;                 /* on sw->hdr_q */
	bool served;                 /* HTTP: a request was answered */
	struct http_state http;
};

/* The bytes of a svc_conn an accept clears: the request line and error response
 * buffers at the end are written before they are read, so not cleared (half a
 * kilobyte less to write per accept). */
#define SVC_CONN_CLEARED (offsetof(struct svc_conn, http) + offsetof(struct http_state, line))

struct svc_listener {
	struct svc_worker *sw;
	enum lr_tcp_svc svc;
};

struct client_slot {
	struct svc_worker *sw;
	struct lr_tcp_conn *c;
	bool used, connected, shut, peer_fin;
	uint64_t left;               /* bytes still to queue */
	uint64_t pos;                /* pattern offset */
};

struct __rte_cache_aligned svc_worker {
	struct lr_worker *w;
	bool started;
	struct rte_mempool *pool;
	TAILQ_HEAD(, svc_conn) conns;
	uint16_t ports[LR_TCP_SVC_NB];
	struct svc_listener listeners[LR_TCP_SVC_NB];
	uint32_t body_size;
	bool keepalive;
	/* HTTP 200 headers, formatted at the first use of each kind (http.c):
	 * keep-alive HTTP/1.1, closing, keep-alive HTTP/1.0 */
	char ok_hdr[3][128];
	uint8_t ok_len[3];
	/* the same, the body behind (when it fits in HTTP_OK_FULL): one send a response */
	char ok_full[3][HTTP_OK_FULL];
	uint16_t ok_full_len[3];     /* 0: not built yet, or the body does not fit */
	struct http_memo memo;
	/* timeouts: connections by last activity / by request start, oldest first */
	TAILQ_HEAD(, svc_conn) idle_q;
	TAILQ_HEAD(, svc_conn) hdr_q;
	uint64_t idle_us;            /* [tcp] idle_timeout_ms, 0 = off */
	uint64_t hdr_us;             /* [tcp] http_header_timeout_ms, 0 = off */
	uint32_t budget;             /* timeouts handled per lr_services_tcp_tick() ([tcp]
	                              * timer_budget; 0: no bound) */
	uint32_t sndbuf;             /* the send buffer: nothing queued when all free */
	bool draining;               /* shutting down: answer, then close */
	struct lr_tcp_svc_stats st[LR_TCP_SVC_NB];
	struct lr_tcp_client_stats cl;
	struct client_slot clients[LR_TCP_CLIENT_MAX];
};

static inline struct lr_tcp_svc_stats *
sc_stats(struct svc_conn *sc)
{
	return &sc->sw->st[sc->svc];
}

/* tcp_services.c: the held receive chain and closing a connection */
bool lr_svc_in_append(struct svc_conn *sc, struct rte_mbuf *m);
bool lr_svc_take(struct svc_conn *sc, struct rte_mbuf *m);
void lr_svc_in_pull(struct svc_conn *sc, uint32_t n);
void lr_svc_close(struct svc_conn *sc);
void lr_svc_abort(struct svc_conn *sc);
void lr_svc_touch(struct svc_conn *sc);
void lr_svc_hdr_check(struct svc_conn *sc);

/* http.c: the lib/tcp callbacks of the HTTP service */
void lr_http_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg);
void lr_http_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg);
void lr_http_peer_closed(struct lr_tcp_conn *c, void *arg);

#endif /* LR_APP_TCP_SERVICES_INTERNAL_H */
