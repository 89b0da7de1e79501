/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in TCP services on the callback API of lib/tcp: echo (RFC 862), discard
 * (RFC 863), chargen (RFC 864), an HTTP/1.1 responder (its parser and responses are
 * in http.c), and the client behind the `connect` control command.
 *
 * Echo and HTTP set hold_rcv: received bytes stay in the receive window until they
 * are consumed (echo: queued back with lr_tcp_send(); HTTP: parsed while no earlier
 * response is still waiting for send-buffer room). Unconsumed data waits in a per
 * connection mbuf chain and is retried from the sent callback, so a slow reader
 * slows the writer down through the window instead of losing bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "lr_tcp.h"
#include "tcp_services_internal.h"

#define CHARGEN_LINE 72                       /* RFC 864: 72 characters, CR LF */
#define CHARGEN_PERIOD (95 * (CHARGEN_LINE + 2)) /* 95 lines, then it repeats */
#define CLIENT_MOD 251                        /* client byte[i] = i % 251 */
#define CLIENT_CHUNK (CLIENT_MOD * 16)

static uint8_t chargen_pat[2 * CHARGEN_PERIOD];
static uint8_t client_pat[CLIENT_CHUNK + CLIENT_MOD];

RTE_INIT(tcp_services_patterns)
{
	unsigned int i, l;

	for (l = 0; l < 2 * 95; l++) {
		uint8_t *line = chargen_pat + l * (CHARGEN_LINE + 2);

		for (i = 0; i < CHARGEN_LINE; i++)
			line[i] = (uint8_t)(' ' + (l + i) % 95);
		line[CHARGEN_LINE] = '\r';
		line[CHARGEN_LINE + 1] = '\n';
	}
	for (i = 0; i < sizeof(client_pat); i++)
		client_pat[i] = (uint8_t)(i % CLIENT_MOD);
}

static struct svc_worker svc_workers[LR_MAX_WORKERS];

static const char *const svc_names[LR_TCP_SVC_NB] = {
	[LR_TCP_SVC_ECHO] = "echo", [LR_TCP_SVC_DISCARD] = "discard",
	[LR_TCP_SVC_CHARGEN] = "chargen", [LR_TCP_SVC_HTTP] = "http",
};

const char *
lr_tcp_svc_name(enum lr_tcp_svc s)
{
	return (unsigned int)s < LR_TCP_SVC_NB ? svc_names[s] : "?";
}

/* ---- received data held in a chain ---- */

/*
 * Bytes that fit in the room after the held chain's last segment are copied there and
 * m goes back at once: a peer sending one byte per segment cannot make the service
 * hold a buffer per byte (Linux collapses its receive queue the same way,
 * tcp_collapse()). @return true if m was taken (and freed)
 */
static bool
in_collapse(struct svc_conn *sc, struct rte_mbuf *m)
{
	struct rte_mbuf *t = sc->in_tail;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *src;
	uint8_t *dst;

	if (t == NULL || len > rte_pktmbuf_tailroom(t) || !RTE_MBUF_DIRECT(t) ||
			rte_mbuf_refcnt_read(t) != 1 || t->pool != sc->sw->w->pool)
		return false;
	dst = rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len);
	src = rte_pktmbuf_read(m, 0, len, dst); /* copies only when m is a chain */
	if (src == NULL)
		return false;
	if (src != dst)
		memcpy(dst, src, len);
	t->data_len = (uint16_t)(t->data_len + len);
	sc->in->pkt_len += len;
	rte_pktmbuf_free(m);
	return true;
}

/*
 * Append m to the held chain: collapsed into the last segment's room, or held on its
 * own (copied out of a receive pool, charged by its truesize to the connection's
 * receive buffer and the worker's budget as LR_MEM_TCP_RCV, lr_tcp_rcv_hold()). Owns m. @return false (m freed) when the budget refuses it or the
 * chain would be too long
 */
bool
lr_svc_in_append(struct svc_conn *sc, struct rte_mbuf *m)
{
	uint32_t charged;

	if (in_collapse(sc, m))
		return true;
	m = lr_tcp_rcv_hold(sc->c, m, &charged);
	if (m == NULL)
		return false;
	if (sc->in == NULL) {
		sc->in = m;
	} else {
		if ((uint32_t)sc->in->nb_segs + m->nb_segs > RTE_MBUF_MAX_NB_SEGS) {
			lr_tcp_rcv_release(sc->c, charged);
			rte_pktmbuf_free(m);
			return false;
		}
		sc->in_tail->next = m;
		sc->in->nb_segs += m->nb_segs;
		sc->in->pkt_len += m->pkt_len;
	}
	sc->in_charged += charged;
	sc->in_tail = rte_pktmbuf_lastseg(m);
	return true;
}

/*
 * Data callback prologue: count m and hold it; when the chain cannot take it (the
 * worker's memory budget is exhausted, or the chain is too long), abort the
 * connection: the bytes were acknowledged, so dropping them would corrupt the stream.
 * @return false if the connection was aborted
 */
bool
lr_svc_take(struct svc_conn *sc, struct rte_mbuf *m)
{
	sc_stats(sc)->bytes_in += m->pkt_len;
	if (lr_svc_in_append(sc, m))
		return true;
	lr_svc_abort(sc);
	return false;
}

/* Give back what a released part of the held chain was charged (while the handle is
 * valid: before closing it, or in the closed callback). */
static void
in_uncharge(struct svc_conn *sc, uint32_t bytes)
{
	bytes = RTE_MIN(bytes, sc->in_charged);
	if (bytes == 0)
		return;
	lr_tcp_rcv_release(sc->c, bytes);
	sc->in_charged -= bytes;
}

/* Remove n bytes (at most the first segment's) from the front of the held chain. */
void
lr_svc_in_pull(struct svc_conn *sc, uint32_t n)
{
	struct rte_mbuf *m = sc->in, *next;

	if (n < m->data_len) {
		rte_pktmbuf_adj(m, (uint16_t)n);
		return;
	}
	next = m->next;
	if (next != NULL) {
		next->nb_segs = m->nb_segs - 1;
		next->pkt_len = m->pkt_len - m->data_len;
	} else {
		sc->in_tail = NULL;
	}
	m->next = NULL;
	m->nb_segs = 1;
	in_uncharge(sc, lr_mbuf_seg_truesize(m));
	rte_pktmbuf_free_seg(m);
	sc->in = next;
}

/* ---- timeouts: two FIFOs ordered by deadline (one timeout each), so a tick
 * looks only at their heads and an event moves one entry to a tail ---- */

/* Data moved either way: the idle deadline starts again. */
void
lr_svc_touch(struct svc_conn *sc)
{
	struct svc_worker *sw = sc->sw;

	if (sw->idle_us == 0)
		return;
	TAILQ_REMOVE(&sw->idle_q, sc, idle_link);
	sc->active_us = sw->w->now_us;
	TAILQ_INSERT_TAIL(&sw->idle_q, sc, idle_link);
}

static void
hdr_start(struct svc_conn *sc)
{
	struct svc_worker *sw = sc->sw;

	if (sw->hdr_us == 0 || sc->on_hdr)
		return;
	sc->hdr_start_us = sw->w->now_us;
	sc->on_hdr = true;
	TAILQ_INSERT_TAIL(&sw->hdr_q, sc, hdr_link);
}

static void
hdr_stop(struct svc_conn *sc)
{
	if (!sc->on_hdr)
		return;
	TAILQ_REMOVE(&sc->sw->hdr_q, sc, hdr_link);
	sc->on_hdr = false;
}

/* HTTP, after parsing: the header clock runs while a request head is incomplete
 * (and from accept until the first request is answered, like nginx). */
void
lr_svc_hdr_check(struct svc_conn *sc)
{
	const struct http_state *h = &sc->http;

	if ((h->head_bytes > 0 && h->stage != H_SKIP) || !sc->served)
		hdr_start(sc);
	else
		hdr_stop(sc);
}

static void
sc_release(struct svc_conn *sc)
{
	struct svc_worker *sw = sc->sw;

	if (sw->idle_us != 0)
		TAILQ_REMOVE(&sw->idle_q, sc, idle_link);
	hdr_stop(sc);
	in_uncharge(sc, sc->in_charged);
	rte_pktmbuf_free(sc->in);
	TAILQ_REMOVE(&sw->conns, sc, link);
	rte_mempool_put(sw->pool, sc);
}

/* Close (FIN after what is queued; the stack finishes alone) and forget. */
void
lr_svc_close(struct svc_conn *sc)
{
	in_uncharge(sc, sc->in_charged);
	lr_tcp_close(sc->c);
	sc_release(sc);
}

void
lr_svc_abort(struct svc_conn *sc)
{
	sc_stats(sc)->errors++;
	in_uncharge(sc, sc->in_charged);
	lr_tcp_abort(sc->c);
	sc_release(sc);
}

/* ---- callbacks shared by echo, chargen and HTTP ---- */

static void chargen_fill(struct svc_conn *sc);

static void
svc_connected(struct lr_tcp_conn *c, void *arg)
{
	struct svc_listener *l = arg;
	struct svc_worker *sw = l->sw;
	struct svc_conn *sc;

	if (rte_mempool_get(sw->pool, (void **)&sc) != 0) {
		sw->st[l->svc].errors++;
		lr_tcp_abort(c);
		return;
	}
	/* SVC_CONN_CLEARED: http's line buffers, at the end, are not cleared */
	RTE_BUILD_BUG_ON(offsetof(struct svc_conn, http) + sizeof(struct http_state) !=
			sizeof(struct svc_conn));
	memset(sc, 0, SVC_CONN_CLEARED);
	/* the next accept's block, for its memset (lr_pool_prefetch_next()) */
	lr_pool_prefetch_next(sw->pool, SVC_CONN_CLEARED);
	sc->sw = sw;
	sc->c = c;
	sc->svc = l->svc;
	sc->http.req.status = 200;
	TAILQ_INSERT_TAIL(&sw->conns, sc, link);
	sc->active_us = sw->w->now_us;
	if (sw->idle_us != 0)
		TAILQ_INSERT_TAIL(&sw->idle_q, sc, idle_link);
	if (sc->svc == LR_TCP_SVC_HTTP)
		hdr_start(sc);
	lr_tcp_set_arg(c, sc);
	sw->st[l->svc].conns++;
	if (sc->svc == LR_TCP_SVC_CHARGEN)
		chargen_fill(sc);
}

static void
svc_closed(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg)
{
	struct svc_conn *sc = arg;

	RTE_SET_USED(c);
	if (reason != LR_TCP_CLOSE_NORMAL)
		sc_stats(sc)->errors++;
	sc_release(sc);
}

/* ---- echo (RFC 862) ---- */

/* Queue what is held; only what was queued leaves the receive window. */
static void
echo_push(struct svc_conn *sc)
{
	while (sc->in != NULL) {
		uint32_t len = sc->in->data_len;
		int n = 0;

		if (len > 0) {
			n = lr_tcp_send(sc->c, rte_pktmbuf_mtod(sc->in, void *), len);
			if (n == -ENOBUFS || n == 0)
				break;
			if (n < 0) {
				lr_svc_abort(sc);
				return;
			}
			lr_tcp_recved(sc->c, (uint32_t)n);
			sc_stats(sc)->bytes_out += (uint32_t)n;
		}
		lr_svc_in_pull(sc, (uint32_t)n);
		if ((uint32_t)n < len)
			break;
	}
	if (sc->in == NULL && (sc->peer_fin || sc->sw->draining))
		lr_svc_close(sc);
}

static void
echo_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	struct svc_conn *sc = arg;

	RTE_SET_USED(c);
	lr_svc_touch(sc);
	if (lr_svc_take(sc, m))
		echo_push(sc);
}

static void
echo_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(acked);
	lr_svc_touch(arg);
	echo_push(arg);
}

static void
echo_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	struct svc_conn *sc = arg;

	RTE_SET_USED(c);
	sc->peer_fin = true;
	echo_push(sc);
}

/* ---- discard (RFC 863): read, count, free (chargen's input too) ---- */

static void
discard_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	struct svc_conn *sc = arg;

	RTE_SET_USED(c);
	lr_svc_touch(sc);
	sc_stats(sc)->bytes_in += m->pkt_len;
	rte_pktmbuf_free(m);
}

static void
discard_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(c);
	lr_svc_close(arg);
}

/* ---- chargen (RFC 864): fill the send buffer until the peer closes ---- */

static void
chargen_fill(struct svc_conn *sc)
{
	uint32_t space = lr_tcp_send_space(sc->c);

	while (space > 0) {
		int n = lr_tcp_send(sc->c, chargen_pat + sc->pos, RTE_MIN(space,
				(uint32_t)CHARGEN_PERIOD));

		if (n <= 0)
			break;
		sc->pos = (sc->pos + (uint32_t)n) % CHARGEN_PERIOD;
		sc_stats(sc)->bytes_out += (uint32_t)n;
		space -= RTE_MIN(space, (uint32_t)n);
	}
}

static void
chargen_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(acked);
	lr_svc_touch(arg);
	chargen_fill(arg);
}

static void
chargen_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	RTE_SET_USED(c);
	lr_svc_close(arg);
}

static const struct lr_tcp_callbacks svc_cbs[LR_TCP_SVC_NB] = {
	[LR_TCP_SVC_ECHO] = {
		.connected = svc_connected, .data = echo_data, .sent = echo_sent,
		.peer_closed = echo_peer_closed, .closed = svc_closed, .hold_rcv = true,
	},
	[LR_TCP_SVC_DISCARD] = {
		.connected = svc_connected, .data = discard_data,
		.peer_closed = discard_peer_closed, .closed = svc_closed,
	},
	[LR_TCP_SVC_CHARGEN] = {
		.connected = svc_connected, .data = discard_data, .sent = chargen_sent,
		.peer_closed = chargen_peer_closed, .closed = svc_closed,
	},
	[LR_TCP_SVC_HTTP] = {
		.connected = svc_connected, .data = lr_http_data, .sent = lr_http_sent,
		.peer_closed = lr_http_peer_closed, .closed = svc_closed, .hold_rcv = true,
	},
};

/* ---- the client of the `connect` command ---- */

static void
client_release(struct client_slot *cs)
{
	cs->used = false;
	cs->c = NULL;
	cs->sw->cl.active--;
}

/* Queue pattern bytes; once all are queued, half-close (or close after the peer's FIN). */
static void
client_push(struct client_slot *cs)
{
	struct lr_tcp_client_stats *st = &cs->sw->cl;
	int n;

	while (cs->left > 0) {
		n = lr_tcp_send(cs->c, client_pat + cs->pos % CLIENT_MOD,
				(uint32_t)RTE_MIN(cs->left, (uint64_t)CLIENT_CHUNK));
		if (n <= 0)
			return;
		cs->left -= (uint32_t)n;
		cs->pos += (uint32_t)n;
		st->bytes_sent += (uint32_t)n;
	}
	if (cs->peer_fin) {
		st->completed++;
		lr_tcp_close(cs->c);
		client_release(cs);
	} else if (!cs->shut) {
		cs->shut = true;
		lr_tcp_shutdown(cs->c);
	}
}

static void
client_connected(struct lr_tcp_conn *c, void *arg)
{
	struct client_slot *cs = arg;

	RTE_SET_USED(c);
	cs->connected = true;
	cs->sw->cl.connected++;
	client_push(cs);
}

static void
client_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	struct client_slot *cs = arg;

	RTE_SET_USED(c);
	cs->sw->cl.bytes_in += m->pkt_len;
	rte_pktmbuf_free(m);
}

static void
client_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	struct client_slot *cs = arg;

	RTE_SET_USED(c);
	RTE_SET_USED(acked);
	if (cs->left > 0)
		client_push(cs);
}

static void
client_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	struct client_slot *cs = arg;

	RTE_SET_USED(c);
	cs->peer_fin = true;
	if (cs->left == 0) {
		cs->sw->cl.completed++;
		lr_tcp_close(cs->c);
		client_release(cs);
	}
}

static void
client_closed(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg)
{
	struct client_slot *cs = arg;
	struct lr_tcp_client_stats *st = &cs->sw->cl;

	RTE_SET_USED(c);
	switch (reason) {
	case LR_TCP_CLOSE_NORMAL:
		st->completed++;
		break;
	case LR_TCP_CLOSE_RESET:
		st->reset++;
		break;
	case LR_TCP_CLOSE_REFUSED:
		st->refused++;
		break;
	case LR_TCP_CLOSE_TIMEOUT:
		st->timeout++;
		break;
	}
	client_release(cs);
}

static const struct lr_tcp_callbacks client_cb = {
	.connected = client_connected, .data = client_data, .sent = client_sent,
	.peer_closed = client_peer_closed, .closed = client_closed,
};

int
lr_services_tcp_client_start(struct lr_worker *w, rte_be32_t dst, uint16_t port,
		uint64_t bytes)
{
	struct svc_worker *sw = &svc_workers[w->id];
	struct client_slot *cs = NULL;
	unsigned int i;

	for (i = 0; i < LR_TCP_CLIENT_MAX && cs == NULL; i++)
		if (!sw->clients[i].used)
			cs = &sw->clients[i];
	if (cs == NULL)
		return -EBUSY;
	memset(cs, 0, sizeof(*cs));
	cs->sw = sw;
	cs->left = bytes;
	sw->cl.started++;
	errno = 0;
	cs->c = lr_tcp_connect(w, dst, port, &client_cb, cs);
	if (cs->c == NULL)
		return errno != 0 ? -errno : -EINVAL;
	cs->used = true;
	sw->cl.active++;
	return 0;
}

/* ---- timeouts and drain ---- */

/* Nothing received is unconsumed and nothing queued is unacknowledged. */
static bool
sc_quiet(const struct svc_conn *sc)
{
	return sc->in == NULL && !sc->http.resp_pending &&
		lr_tcp_send_space(sc->c) >= sc->sw->sndbuf;
}

bool
lr_services_tcp_tick(struct lr_worker *w)
{
	struct svc_worker *sw = &svc_workers[w->id];
	uint32_t n = sw->budget != 0 ? sw->budget : UINT32_MAX;
	struct svc_conn *sc;

	if (!sw->started)
		return false;
	/* A request head not complete in time: slowloris. Reset (nginx answers 408 and
	 * closes; a reset frees the slot at once). */
	while ((sc = TAILQ_FIRST(&sw->hdr_q)) != NULL &&
			w->now_us - sc->hdr_start_us >= sw->hdr_us) {
		if (n-- == 0)
			return true;
		sc_stats(sc)->header_timeout++;
		lr_tcp_abort(sc->c);
		sc_release(sc);
	}
	/* No data either way for idle_us (nginx keepalive_timeout): FIN when nothing is
	 * pending, else the peer stopped reading or sending mid-way: RST. */
	while ((sc = TAILQ_FIRST(&sw->idle_q)) != NULL &&
			w->now_us - sc->active_us >= sw->idle_us) {
		if (n-- == 0)
			return true;
		sc_stats(sc)->idle_timeout++;
		if (sc_quiet(sc))
			lr_svc_close(sc);
		else {
			lr_tcp_abort(sc->c);
			sc_release(sc);
		}
	}
	return false;
}

void
lr_services_tcp_drain(struct lr_worker *w)
{
	struct svc_worker *sw = &svc_workers[w->id];
	struct svc_conn *sc, *next;
	unsigned int s;

	if (!sw->started || sw->draining)
		return;
	sw->draining = true;
	for (s = 0; s < LR_TCP_SVC_NB; s++)
		if (sw->ports[s] != 0 && w->tcp != NULL)
			lr_tcp_unlisten(w, sw->ports[s]);
	for (sc = TAILQ_FIRST(&sw->conns); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, link);
		/* an HTTP request in progress gets its answer (Connection: close) first */
		if (sc->svc == LR_TCP_SVC_HTTP && (!sc_quiet(sc) || sc->http.head_bytes > 0))
			continue;
		if (sc->svc == LR_TCP_SVC_ECHO && sc->in != NULL)
			continue;   /* echo_push closes once the held bytes are queued */
		sc_stats(sc)->drain_closed++;
		lr_svc_close(sc);
	}
}

/* ---- control path ---- */

void
lr_services_tcp_fini(struct lr_worker *w)
{
	struct svc_worker *sw = &svc_workers[w->id];
	struct svc_conn *sc;
	unsigned int s;

	memset(sw->clients, 0, sizeof(sw->clients));
	sw->cl.active = 0;
	if (!sw->started)
		return;
	while ((sc = TAILQ_FIRST(&sw->conns)) != NULL)
		sc_release(sc);
	for (s = 0; s < LR_TCP_SVC_NB; s++)
		if (sw->ports[s] != 0 && w->tcp != NULL && !sw->draining)
			lr_tcp_unlisten(w, sw->ports[s]);
	rte_mempool_free(sw->pool);
	sw->pool = NULL;
	sw->started = false;
}

int
lr_services_tcp_init(struct lr_worker *w, const struct lr_config *cfg)
{
	const uint8_t cc[LR_TCP_SVC_NB] = {
		[LR_TCP_SVC_ECHO] = cfg != NULL ? cfg->tcp_echo_cc : LR_CFG_CC_DEFAULT,
		[LR_TCP_SVC_DISCARD] = cfg != NULL ? cfg->tcp_discard_cc : LR_CFG_CC_DEFAULT,
		[LR_TCP_SVC_CHARGEN] = cfg != NULL ? cfg->tcp_chargen_cc : LR_CFG_CC_DEFAULT,
		[LR_TCP_SVC_HTTP] = cfg != NULL ? cfg->tcp_http_cc : LR_CFG_CC_DEFAULT,
	};
	const int ecn[LR_TCP_SVC_NB] = {
		[LR_TCP_SVC_ECHO] = cfg != NULL ? cfg->tcp_echo_ecn : -1,
		[LR_TCP_SVC_DISCARD] = cfg != NULL ? cfg->tcp_discard_ecn : -1,
		[LR_TCP_SVC_CHARGEN] = cfg != NULL ? cfg->tcp_chargen_ecn : -1,
		[LR_TCP_SVC_HTTP] = cfg != NULL ? cfg->tcp_http_ecn : -1,
	};
	struct svc_worker *sw;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s;
	int rc = 0;

	if (w == NULL || w->id >= LR_MAX_WORKERS || w->tcp == NULL || cfg == NULL)
		return -EINVAL;
	sw = &svc_workers[w->id];
	if (sw->started)
		return -EEXIST;
	memset(sw, 0, sizeof(*sw));
	sw->w = w;
	TAILQ_INIT(&sw->conns);
	TAILQ_INIT(&sw->idle_q);
	TAILQ_INIT(&sw->hdr_q);
	sw->idle_us = (uint64_t)cfg->svc_idle_timeout_ms * 1000;
	sw->hdr_us = (uint64_t)cfg->http_header_timeout_ms * 1000;
	sw->budget = cfg->tcp.timer_budget;
	sw->sndbuf = cfg->tcp.sndbuf;
	sw->body_size = cfg->http_body_size;
	sw->keepalive = cfg->http_keepalive;
	sw->ports[LR_TCP_SVC_ECHO] = cfg->tcp_echo_port;
	sw->ports[LR_TCP_SVC_DISCARD] = cfg->tcp_discard_port;
	sw->ports[LR_TCP_SVC_CHARGEN] = cfg->tcp_chargen_port;
	sw->ports[LR_TCP_SVC_HTTP] = cfg->tcp_http_port;
	snprintf(name, sizeof(name), "lr_svc%u", w->id);
	sw->pool = rte_mempool_create(name, RTE_MAX(cfg->tcp.max_conns, 1u),
			sizeof(struct svc_conn), lr_obj_pool_cache(RTE_MAX(cfg->tcp.max_conns, 1u)), 0,
			NULL, NULL, NULL, NULL,
			(int)rte_socket_id(), RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	if (sw->pool == NULL)
		return -ENOMEM;
	sw->started = true;
	for (s = 0; s < LR_TCP_SVC_NB && rc == 0; s++) {
		sw->listeners[s].sw = sw;
		sw->listeners[s].svc = s;
		if (sw->ports[s] == 0)
			continue;
		rc = lr_tcp_listen(w, sw->ports[s], &svc_cbs[s], &sw->listeners[s]);
		/* [tcp] <svc>_cc: the service's own congestion control */
		if (rc == 0 && cc[s] < LR_TCP_CC_NB)
			rc = lr_tcp_listen_cc(w, sw->ports[s], (enum lr_tcp_cc)cc[s]);
		/* [tcp] <svc>_ecn: the service's own ECN mode */
		if (rc == 0 && ecn[s] >= 0)
			rc = lr_tcp_listen_ecn(w, sw->ports[s], (enum lr_tcp_ecn)ecn[s]);
		if (rc < 0)
			sw->ports[s] = 0;
	}
	if (rc < 0)
		lr_services_tcp_fini(w);
	return rc;
}

static inline uint64_t
load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
lr_services_tcp_stats(uint16_t nb_workers, struct lr_tcp_svc_stats svc[LR_TCP_SVC_NB],
		struct lr_tcp_client_stats *client)
{
	unsigned int i, s;

	memset(svc, 0, sizeof(*svc) * LR_TCP_SVC_NB);
	if (client != NULL)
		memset(client, 0, sizeof(*client));
	for (i = 0; i < nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct svc_worker *sw = &svc_workers[i];

		for (s = 0; s < LR_TCP_SVC_NB; s++) {
			svc[s].conns += load64(&sw->st[s].conns);
			svc[s].bytes_in += load64(&sw->st[s].bytes_in);
			svc[s].bytes_out += load64(&sw->st[s].bytes_out);
			svc[s].requests += load64(&sw->st[s].requests);
			svc[s].errors += load64(&sw->st[s].errors);
			svc[s].idle_timeout += load64(&sw->st[s].idle_timeout);
			svc[s].header_timeout += load64(&sw->st[s].header_timeout);
			svc[s].drain_closed += load64(&sw->st[s].drain_closed);
		}
		if (client == NULL)
			continue;
		client->started += load64(&sw->cl.started);
		client->connected += load64(&sw->cl.connected);
		client->refused += load64(&sw->cl.refused);
		client->reset += load64(&sw->cl.reset);
		client->timeout += load64(&sw->cl.timeout);
		client->completed += load64(&sw->cl.completed);
		client->bytes_sent += load64(&sw->cl.bytes_sent);
		client->bytes_in += load64(&sw->cl.bytes_in);
		client->active += load64(&sw->cl.active);
	}
}
