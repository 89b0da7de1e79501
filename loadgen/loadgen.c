/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator (see loadgen.h): crr, rr, stream_send, stream_recv and udp clients
 * on the callback API of lib/tcp and the service dispatch of lib/udp. This file: the
 * slot pool, pacing, phases, the poll loop, start and stop; the clients are in
 * loadgen_tcp.c and loadgen_udp.c, parsing in loadgen_spec.c, the summary and report
 * in loadgen_report.c.
 *
 * Each worker owns a slot array (one slot per connection, or per UDP datagram in
 * flight) with a free stack and, for rr, a stack of idle connections waiting for a
 * pacing token. Phases run on w->now_us: warm-up (traffic, nothing counted), the
 * measured window (counters snapshotted at both ends, latency histogram filled),
 * drain (no new work; in-flight work may finish until the timeout), done.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "loadgen_internal.h"

#define PER_TURN 64                  /* starts per poll turn and worker */

struct lg_worker lr_lg_workers[LR_MAX_WORKERS];
uint8_t lr_lg_pattern[STREAM_CHUNK];

RTE_INIT(loadgen_pattern)
{
	unsigned int i;

	for (i = 0; i < sizeof(lr_lg_pattern); i++)
		lr_lg_pattern[i] = (uint8_t)('a' + i % 26);
}

/* ---- slots, counting ---- */

static inline bool
measuring(const struct lg_worker *lw)
{
	return lw->phase == P_WINDOW;
}

void
lr_lg_record_latency(struct lg_worker *lw, uint64_t us)
{
	lr_loadgen_hist_add(lw->live_hist, us);
	lw->live_samples++;
	if (!measuring(lw))
		return;
	lr_loadgen_hist_add(lw->hist, us);
	lw->cnt.samples++;
	lw->cnt.lat_sum_us += us;
	if (us > lw->cnt.lat_max_us)
		lw->cnt.lat_max_us = us;
}

struct lg_slot *
lr_lg_slot_get(struct lg_worker *lw)
{
	struct lg_slot *s;

	if (lw->nb_free == 0)
		return NULL;
	s = &lw->slots[lw->free_stk[--lw->nb_free]];
	lw->active++;
	s->state = S_CONNECTING;
	s->c = NULL;
	return s;
}

void
lr_lg_slot_put(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	s->state = S_FREE;
	s->c = NULL;
	lw->free_stk[lw->nb_free++] = s->idx;
	lw->active--;
}

/*
 * The schedule: starts allowed from t0 to now, the integral of the rate. Without a
 * ramp, rate x elapsed; with one of R us, the rate climbs linearly from 0 to rate,
 * so rate x el^2 / 2R during it and rate x (R/2 + el - R) after. Integer arithmetic
 * (128-bit products), so a virtual clock gives exact counts.
 */
uint64_t
lr_lg_allowed(const struct lg_worker *lw, uint64_t el)
{
	uint64_t r = lw->rate, ramp = lw->ramp_us;

	if (ramp == 0 || el >= ramp) {
		if (ramp != 0)
			el -= ramp / 2;   /* the ramp gave rate x R/2: as if it began R/2 later */
		return el / 1000000 * r + el % 1000000 * r / 1000000;
	}
	return (uint64_t)((unsigned __int128)r * el * el / ((unsigned __int128)2 * ramp * 1000000));
}

/* The scheduled rate now: rate, or its share of the ramp so far. */
static uint64_t
rate_at(const struct lg_worker *lw, uint64_t el)
{
	if (lw->ramp_us == 0 || el >= lw->ramp_us)
		return lw->rate;
	return (uint64_t)((unsigned __int128)lw->rate * el / lw->ramp_us);
}

/* Take a pacing token. */
bool
lr_lg_take_token(struct lg_worker *lw)
{
	if (lw->rate == 0)
		return true;
	if (lw->issued >= lr_lg_allowed(lw, lw->w->now_us - lw->t0))
		return false;
	lw->issued++;
	return true;
}

/* Forget tokens that could not be used (all slots busy): no catch-up burst later. */
static void
cap_backlog(struct lg_worker *lw)
{
	uint64_t el, allowed, cap = RTE_MAX((uint64_t)PER_TURN, (uint64_t)lw->conc);

	if (lw->rate == 0)
		return;
	el = lw->w->now_us - lw->t0;
	allowed = lr_lg_allowed(lw, el);
	__atomic_store_n(&lw->rate_now, rate_at(lw, el), __ATOMIC_RELAXED);
	if (allowed > lw->issued + cap)
		lw->issued = allowed - cap;
}

const struct lr_loadgen_target *
lr_lg_next_target(struct lg_worker *lw, uint32_t *ti)
{
	*ti = lw->next_target;
	lw->next_target = (lw->next_target + 1) % lw->conf.nb_targets;
	return &lw->conf.targets[*ti];
}

/* ---- poll loop ---- */

/* Time out transactions (and lost datagrams) older than the timeout. */
static void
sweep(struct lg_worker *lw)
{
	uint64_t now = lw->w->now_us, tmo = lw->conf.timeout_ms * 1000;
	uint32_t i;

	for (i = 0; i < lw->conc; i++) {
		struct lg_slot *s = &lw->slots[i];

		if ((s->state != S_CONNECTING && s->state != S_REQ) || now - s->t_start < tmo)
			continue;
		if (lw->conf.mode == LR_LOADGEN_UDP) {
			count_err(lw, LR_LOADGEN_ERR_TIMEOUT);
			lr_lg_slot_put(s);
		} else {
			lr_lg_slot_abort(s, LR_LOADGEN_ERR_TIMEOUT);
		}
	}
}

static void
abort_all(struct lg_worker *lw, bool graceful)
{
	uint32_t i;

	for (i = 0; i < lw->conc; i++) {
		struct lg_slot *s = &lw->slots[i];

		s->in_idle = false;
		if (s->state == S_FREE)
			continue;
		if (s->c != NULL && graceful)
			lr_tcp_close(s->c);
		else if (s->c != NULL)
			lr_tcp_abort(s->c);
		lr_lg_slot_put(s);
	}
	lw->nb_idle = 0;
}

static void
start_work(struct lg_worker *lw)
{
	unsigned int n = 0;
	uint32_t idx;

	cap_backlog(lw);
	switch (lw->conf.mode) {
	case LR_LOADGEN_CRR:
		while (n++ < PER_TURN && lw->nb_free > 0 && lr_lg_take_token(lw))
			if (!lr_lg_tcp_open(lw))
				break;
		break;
	case LR_LOADGEN_RR:
		while (lw->nb_idle > 0 && n < PER_TURN) {
			idx = lw->idle_stk[lw->nb_idle - 1];
			if (lw->slots[idx].state != S_IDLE) {  /* closed while idle */
				lw->slots[idx].in_idle = false;
				lw->nb_idle--;
				continue;
			}
			if (!lr_lg_take_token(lw))
				break;
			lw->slots[idx].in_idle = false;
			lw->nb_idle--;
			lr_lg_req_start(&lw->slots[idx]);
			n++;
		}
		/* fall through: (re)open connections */
	case LR_LOADGEN_STREAM_SEND:
	case LR_LOADGEN_STREAM_RECV:
		while (n++ < PER_TURN && lw->nb_free > 0)
			if (!lr_lg_tcp_open(lw))
				break;
		break;
	default:
		while (n++ < PER_TURN && lw->nb_free > 0 && lr_lg_take_token(lw))
			if (!lr_lg_udp_send_one(lw))
				break;
		break;
	}
}

static void
phase_step(struct lg_worker *lw)
{
	uint64_t now = lw->w->now_us;

	if (lw->phase == P_WARMUP && now >= lw->t_win) {
		lw->win0 = lw->cnt;
		lw->win_start_us = now;
		__atomic_store_n(&lw->win_started, true, __ATOMIC_RELEASE);
		lw->phase = P_WINDOW;
	}
	if (lw->phase == P_WINDOW && now >= lw->t_end) {
		lw->win1 = lw->cnt;
		lw->win_end_us = now;
		__atomic_store_n(&lw->win_ended, true, __ATOMIC_RELEASE);
		lw->phase = P_DRAIN;
		lw->t_drain_end = now + RTE_MIN(lw->conf.timeout_ms, (uint64_t)1000) * 1000;
		/* idle rr connections and streams end now; transactions may finish */
		while (lw->nb_idle > 0) {
			struct lg_slot *s = &lw->slots[lw->idle_stk[--lw->nb_idle]];

			s->in_idle = false;
			if (s->state == S_IDLE)
				lr_lg_slot_close(s);
		}
		if (lw->conf.mode == LR_LOADGEN_STREAM_SEND ||
				lw->conf.mode == LR_LOADGEN_STREAM_RECV)
			abort_all(lw, true);
	}
	if (lw->phase == P_DRAIN && (lw->active == 0 || now >= lw->t_drain_end)) {
		abort_all(lw, false);
		lw->phase = P_DONE;
		__atomic_store_n(&lw->done, true, __ATOMIC_RELEASE);
	}
}

void
lr_loadgen_poll(struct lr_worker *w)
{
	struct lg_worker *lw = &lr_lg_workers[w->id];

	if (!lw->started || lw->phase == P_DONE)
		return;
	phase_step(lw);
	if (lw->phase <= P_WINDOW)
		start_work(lw);
	if (lw->phase != P_DONE && w->now_us >= lw->next_sweep) {
		sweep(lw);
		lw->next_sweep = w->now_us + lw->sweep_us;
	}
}

bool
lr_loadgen_done(const struct lr_worker *w)
{
	return __atomic_load_n(&lr_lg_workers[w->id].done, __ATOMIC_ACQUIRE);
}

/* ---- control path ---- */

static void
build_request(struct lg_worker *lw)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: linerate";
	uint32_t want = lw->conf.request_size, base = sizeof(head) - 1 + 4, pad;

	pad = want > base ? want - base : 0;
	memcpy(lw->req, head, sizeof(head) - 1);
	memset(lw->req + sizeof(head) - 1, 'a', pad);
	memcpy(lw->req + sizeof(head) - 1 + pad, "\r\n\r\n", 4);
	lw->req_len = base + pad;
}

void
lr_loadgen_stop(struct lr_worker *w)
{
	struct lg_worker *lw = &lr_lg_workers[w->id];

	if (!lw->started)
		return;
	if (lw->slots != NULL && w->tcp != NULL)
		abort_all(lw, false);
	rte_free(lw->slots);
	rte_free(lw->free_stk);
	rte_free(lw->idle_stk);
	lw->slots = NULL;
	lw->free_stk = lw->idle_stk = NULL;
	lw->nb_free = lw->nb_idle = 0;
	if (!lw->win_ended && lw->win_started) {
		lw->win1 = lw->cnt;
		lw->win_end_us = w->now_us;
		lw->win_ended = true;
	}
	lw->started = false;
	lw->done = true;
}

static int
bind_udp(uint16_t port)
{
	const char *name = lr_udp_service_name(port);

	if (name != NULL)
		return strcmp(name, "loadgen") == 0 ? 0 : -EADDRINUSE;
	return lr_udp_bind(port, "loadgen", lr_lg_udp_input, NULL);
}

int
lr_loadgen_start(struct lr_worker *w, const struct lr_loadgen_conf *c)
{
	struct lg_worker *lw;
	uint16_t nb = RTE_MAX(lr_nb_workers, (uint16_t)1);
	uint32_t i;
	int rc;

	if (w == NULL || c == NULL || w->id >= LR_MAX_WORKERS || c->nb_targets == 0 ||
			c->nb_targets > LR_LOADGEN_MAX_TARGETS || c->mode >= LR_LOADGEN_MODE_NB ||
			c->conc == 0 || c->conc > LR_LOADGEN_MAX_CONC || c->duration_ms == 0 ||
			c->timeout_ms == 0 || c->request_size > LR_LOADGEN_MAX_REQ ||
			(c->mode != LR_LOADGEN_UDP && w->tcp == NULL) ||
			(c->mode == LR_LOADGEN_UDP && (c->request_size < LR_LOADGEN_UDP_MIN ||
			c->request_size > 1472)))
		return -EINVAL;
	lw = &lr_lg_workers[w->id];
	if (lw->started)
		return -EEXIST;
	if (c->mode == LR_LOADGEN_UDP) {
		if (c->udp_flows == 0 || c->udp_sport + c->udp_flows - 1 > UINT16_MAX)
			return -EINVAL;
		/* all or nothing: no port of the range may belong to another service */
		for (i = 0; i < c->udp_flows; i++) {
			const char *name = lr_udp_service_name((uint16_t)(c->udp_sport + i));

			if (name != NULL && strcmp(name, "loadgen") != 0)
				return -EADDRINUSE;
		}
		for (i = 0; i < c->udp_flows; i++) {
			rc = bind_udp((uint16_t)(c->udp_sport + i));
			if (rc != 0)
				return rc;
		}
	}
	memset(lw, 0, sizeof(*lw));
	lw->w = w;
	lw->conf = *c;
	lw->conc = c->conc / nb + (w->id < c->conc % nb ? 1 : 0);
	lw->rate = c->rate / nb + (w->id < c->rate % nb ? 1 : 0);
	if (lw->conc == 0)
		lw->conc = 1;
	if (c->rate != 0 && lw->rate == 0)
		lw->rate = 1;
	lw->ramp_us = c->ramp_ms * 1000;
	lw->rate_now = lw->ramp_us != 0 ? 0 : lw->rate;
	lw->slots = rte_zmalloc_socket("lr_loadgen", sizeof(*lw->slots) * lw->conc,
			RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
	lw->free_stk = rte_malloc_socket("lr_loadgen", sizeof(uint32_t) * lw->conc, 0,
			(int)rte_socket_id());
	lw->idle_stk = rte_malloc_socket("lr_loadgen", sizeof(uint32_t) * lw->conc, 0,
			(int)rte_socket_id());
	if (lw->slots == NULL || lw->free_stk == NULL || lw->idle_stk == NULL) {
		rte_free(lw->slots);
		rte_free(lw->free_stk);
		rte_free(lw->idle_stk);
		memset(lw, 0, sizeof(*lw));
		return -ENOMEM;
	}
	for (i = 0; i < lw->conc; i++) {
		lw->slots[i].lw = lw;
		lw->slots[i].idx = i;
		lw->free_stk[i] = lw->conc - 1 - i;
	}
	lw->nb_free = lw->conc;
	for (i = 0; i < c->nb_targets; i++) {
		lw->src_ip[i] = lr_lg_src_for(w, c->targets[i].ip);
		lw->src_ifc[i] = lr_iface_route(w, c->targets[i].ip, NULL);
	}
	/* workers start at different addresses of the pool */
	lw->next_src = w->id;
	build_request(lw);
	lw->t0 = w->now_us;
	lw->t_win = lw->t0 + c->warmup_ms * 1000;
	lw->t_end = lw->t_win + c->duration_ms * 1000;
	lw->sweep_us = RTE_MAX(c->timeout_ms * 1000 / 16, (uint64_t)1000);
	lw->next_sweep = lw->t0 + lw->sweep_us;
	lw->phase = P_WARMUP;
	lw->started = true;
	return 0;
}
