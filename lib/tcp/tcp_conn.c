/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker connection shard: 4-tuple table (tcp_conn_table.c), connection blocks from a
 * per-worker mempool, listeners by local port, ISN generation and the send buffer.
 * Nothing here allocates from the heap on the datapath.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "lr_eth.h"
#include "lr_ip.h"
#include "tcp_internal.h"

RTE_LOG_REGISTER(lr_logtype_tcp, linerate.tcp, INFO);

/* Bytes per connection (bench_conn_table): a pool element is the 64-byte mempool
 * header and the block rounded up to cache lines, 448 bytes for a block of up to 384
 * (the pool is made with RTE_MEMPOOL_F_NO_SPREAD: otherwise rte_mempool pads an even
 * number of lines to an odd one, to spread objects over memory channels, which random
 * access by 4-tuple does anyway). The sixth line holds the ECN state (tcp_ecn.c) and
 * what is added after it. */
_Static_assert(sizeof(struct lr_tcp_conn) <= 384,
		"struct lr_tcp_conn grew past 384 bytes: 64 more bytes per connection");
_Static_assert(offsetof(struct lr_tcp_conn, sb_head) == TCP_CONN_HOT_BYTES,
		"the hot state of struct lr_tcp_conn is not its first two cache lines");

static const struct lr_tcp_callbacks tcp_no_callbacks;

const struct lr_tcp_conf lr_tcp_conf_default = {
	.max_conns = 16384,
	.max_listeners = 64,
	.sndbuf = 64 * 1024,
	.rcv_wnd = 256 * 1024,
	.window_scaling = true,
	.timestamps = true,
	.sack = true,
	.rack = true,
	.delack_ms = 40,
	.quickack = 16,
	.keepalive_ms = 0,
	.keepalive_intvl_ms = 75000,
	.keepalive_probes = 9,
	.half_open_max = 1024,
	.syncookies = true,
	.challenge_ack_per_s = 1000,
	.challenge_ack_per_conn_ms = 500,
	.rst_per_s = 1000,
	.isn_rekey_s = 3600,
	.ooo_max = 256,
	.msl_ms = 30000,
	.max_tw = 16384,
	.rto_init_ms = 1000,
	.rto_min_ms = 200,
	.rto_max_ms = 60000,
	.syn_retries = 5,
	.synack_retries = 5,
	.max_retries = 12,
	.fin_wait2_ms = 60000,
	.orphan_retries = 3,
	.pressure_retries = 2,
	.max_orphans = 0,
	.user_timeout_ms = 0,
	.port_lo = 32768,
	.port_hi = 60999,
	.isn_fn = NULL,
	.isn_arg = NULL,
	.syn_shed_backlog = 4,
	.syn_shed_busy_pct = 50,  /* bench/README "Session 13" */
	.syn_shed_tx_us = 1000,   /* bench/README "SYN shedding on TX refusal" */
	.cc = LR_TCP_CC_CUBIC,   /* as Linux; bench/README "Loss sweep" */
	.ecn = LR_TCP_ECN_OFF,
	.slow_start_after_idle = true,
	.hystart = true,
	.timer_budget = 64,
};

static const struct lr_stat_desc tcp_stat_descs[LR_TCP_STAT_MAX] = {
#define TCP_STAT_DESC(name, kind, desc) \
	[LR_TCP_STAT_##name] = { "tcp", #name, LR_STAT_KIND_##kind, desc },
	LR_TCP_STATS_TABLE(TCP_STAT_DESC)
#undef TCP_STAT_DESC
};

const struct lr_stat_desc *
lr_tcp_stat_desc(enum lr_tcp_stat_id id)
{
	if ((unsigned int)id >= LR_TCP_STAT_MAX)
		return NULL;
	return &tcp_stat_descs[id];
}

const struct lr_tcp_stats *
lr_tcp_stats_get(const struct lr_worker *w)
{
	return w->tcp == NULL ? NULL : &w->tcp->stats;
}

uint32_t
lr_tcp_conn_count(const struct lr_worker *w)
{
	return w->tcp == NULL ? 0 : w->tcp->nb_conns + w->tcp->timewait.nb;
}

void
lr_tcp_state_counts(const struct lr_worker *w, uint64_t n[LR_TCP_NB_STATES])
{
	const struct lr_tcp_shard *sh = w->tcp;
	unsigned int s;

	memset(n, 0, sizeof(n[0]) * LR_TCP_NB_STATES);
	if (sh == NULL)
		return;
	for (s = 0; s < LR_TCP_NB_STATES; s++)
		n[s] = __atomic_load_n(&sh->stats.state_now[s], __ATOMIC_RELAXED);
	n[LR_TCP_LISTEN] += __atomic_load_n(&sh->nb_listeners, __ATOMIC_RELAXED);
	n[LR_TCP_TIME_WAIT] += __atomic_load_n(&sh->timewait.nb, __ATOMIC_RELAXED);
}

void
lr_tcp_init(void)
{
	lr_ip_register(IPPROTO_TCP, lr_tcp_input);
	lr_eth_set_burst_stage(tcp_burst_stage);
}

static int
conf_check(const struct lr_tcp_conf *c)
{
	if (c->max_conns == 0 || c->max_listeners == 0 || c->sndbuf == 0 || c->rcv_wnd == 0)
		return -EINVAL;
	if (c->rto_min_ms == 0 || c->rto_min_ms > c->rto_max_ms || c->rto_init_ms == 0)
		return -EINVAL;
	if (c->port_lo == 0 || c->port_lo > c->port_hi)
		return -EINVAL;
	/* Without scaling the 16-bit field is the window; with it, 2^30 at most. */
	if ((c->rcv_wnd > UINT16_MAX && !c->window_scaling) || c->rcv_wnd > (1u << 30))
		return -EINVAL;
	/* RFC 1122 4.2.3.2: "the delay MUST be less than 0.5 seconds". */
	if (c->delack_ms >= 500)
		return -EINVAL;
	if (c->keepalive_ms > 0 && (c->keepalive_intvl_ms == 0 || c->keepalive_probes == 0))
		return -EINVAL;
	if (c->half_open_max == 0 || c->challenge_ack_per_s == 0 || c->ooo_max > 4096)
		return -EINVAL;
	if (c->max_tw == 0 || c->max_tw > (1u << 26) || c->cc >= LR_TCP_CC_NB ||
			c->ecn >= LR_TCP_ECN_NB)
		return -EINVAL;
	if (c->rst_per_s == 0 || c->challenge_ack_per_s > LR_TCP_RATE_MAX ||
			c->rst_per_s > LR_TCP_RATE_MAX ||
			c->challenge_ack_per_conn_ms > LR_TCP_CHACK_CONN_MS_MAX ||
			c->isn_rekey_s > LR_TCP_ISN_REKEY_S_MAX)
		return -EINVAL;
	/* Timers are 32-bit jiffies: none may be longer than TCP_TIMER_MAX_US (12 days). */
	if ((uint64_t)c->keepalive_ms * 1000 > TCP_TIMER_MAX_US ||
			(uint64_t)c->keepalive_intvl_ms * 1000 > TCP_TIMER_MAX_US ||
			(uint64_t)c->fin_wait2_ms * 1000 > TCP_TIMER_MAX_US ||
			(uint64_t)c->user_timeout_ms * 1000 > TCP_TIMER_MAX_US ||
			(uint64_t)c->rto_max_ms * 1000 > TCP_TIMER_MAX_US ||
			(uint64_t)c->msl_ms * 2000 > TCP_TIMER_MAX_US)
		return -EINVAL;
	return 0;
}

int
lr_tcp_worker_init(struct lr_worker *w, const struct lr_tcp_conf *conf)
{
	struct lr_tcp_shard *sh;
	char name[RTE_MEMPOOL_NAMESIZE];
	int socket = (int)rte_socket_id();
	int rc;

	if (conf == NULL)
		conf = &lr_tcp_conf_default;
	rc = conf_check(conf);
	if (rc < 0)
		return rc;
	if (w->tcp != NULL)
		return -EEXIST;
	sh = rte_zmalloc_socket("lr_tcp_shard", sizeof(*sh), RTE_CACHE_LINE_SIZE, socket);
	if (sh == NULL)
		return -ENOMEM;
	sh->conf = *conf;
	sh->ecn_used = conf->ecn != LR_TCP_ECN_OFF;
	sh->w = w;
	tcp_sb_limits_init(&sh->sb_lim, w->pool, conf->sndbuf);
	TAILQ_INIT(&sh->conns);
	TAILQ_INIT(&sh->orphans);
	sh->max_orphans = conf->max_orphans != 0 ? conf->max_orphans :
			RTE_MAX(conf->max_conns / 4, 1u);
	TAILQ_INIT(&sh->outq);
	TAILQ_INIT(&sh->dead);
	TAILQ_INIT(&sh->ooo_age);
	tcp_timer_init(sh, w->now_us);
	/* Keys from getrandom(): a failure falls back to rte_rand() and is logged. */
	if (lr_siphash_key_random(&sh->cookie_key) < 0 ||
			lr_siphash_key_random(&sh->isn_key) < 0 ||
			lr_siphash_key_random(&sh->ts_key) < 0)
		TCP_LOG(WARNING, "getrandom() failed: TCP keys from rte_rand()");
	sh->isn_key_us = w->now_us;
	sh->chack_sec = UINT64_MAX; /* the first challenge ACK draws the budget */
	sh->rst_credit = (uint64_t)conf->rst_per_s * 1000000;
	sh->next_port = conf->port_lo +
		(uint16_t)(rte_rand() % ((uint32_t)conf->port_hi - conf->port_lo + 1));

	sh->slots = rte_zmalloc_socket("lr_tcp_slots", sizeof(*sh->slots) * conf->max_conns, 0,
			socket);
	sh->slot_free = rte_malloc_socket("lr_tcp_slot_free",
			sizeof(*sh->slot_free) * conf->max_conns, 0, socket);
	if (sh->slots == NULL || sh->slot_free == NULL)
		goto fail;
	/* Keyed by a random seed: peers cannot aim tuples at one bucket's probe. */
	rc = tcp_ctab_init(&sh->table, conf->max_conns, sh->slots, socket);
	if (rc < 0)
		goto fail;

	snprintf(name, sizeof(name), "lr_tcp_p%u", w->id);
	sh->pool = rte_mempool_create(name, conf->max_conns, sizeof(struct lr_tcp_conn),
			lr_obj_pool_cache(conf->max_conns), 0,
			NULL, NULL, NULL, NULL, socket,
			RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET | RTE_MEMPOOL_F_NO_SPREAD);
	if (sh->pool == NULL)
		goto fail;

	rc = tcp_tw_init(sh, socket);
	if (rc < 0)
		goto fail;

	/* Reassembly nodes: ooo_max per connection, at most 64 Ki per worker; a
	 * segment that finds the pool empty is dropped like one beyond ooo_max. */
	if (conf->ooo_max > 0) {
		uint64_t n = RTE_MIN((uint64_t)conf->max_conns * conf->ooo_max, 65535ull);

		snprintf(name, sizeof(name), "lr_tcp_o%u", w->id);
		sh->ooo_pool = rte_mempool_create(name, (unsigned int)n,
				sizeof(struct tcp_ooo_seg), 0, 0, NULL, NULL, NULL, NULL, socket,
				RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
		if (sh->ooo_pool == NULL)
			goto fail;
	}

	rc = tcp_sack_init(sh, socket);
	if (rc < 0)
		goto fail;

	sh->listeners = rte_zmalloc_socket("lr_tcp_listeners",
			sizeof(*sh->listeners) * conf->max_listeners, 0, socket);
	if (sh->listeners == NULL)
		goto fail;
	w->tcp = sh;
	return 0;
fail:
	rc = rc < 0 ? rc : rte_errno ? -rte_errno : -ENOMEM;
	tcp_sack_fini(sh);
	tcp_tw_fini(sh);
	tcp_ctab_fini(&sh->table);
	rte_free(sh->slots);
	rte_free(sh->slot_free);
	rte_mempool_free(sh->pool);
	rte_mempool_free(sh->ooo_pool);
	rte_free(sh);
	TCP_LOG(ERR, "worker %u: cannot create the shard: %s", w->id, strerror(-rc));
	return rc;
}

void
lr_tcp_worker_fini(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c;

	if (sh == NULL)
		return;
	while ((c = TAILQ_FIRST(&sh->conns)) != NULL)
		tcp_conn_free(c);
	while ((c = TAILQ_FIRST(&sh->orphans)) != NULL)
		tcp_conn_free(c);
	tcp_conn_reap(sh);
	tcp_sack_fini(sh);
	tcp_tw_fini(sh);
	tcp_ctab_fini(&sh->table);
	rte_free(sh->slots);
	rte_free(sh->slot_free);
	rte_mempool_free(sh->pool);
	rte_mempool_free(sh->ooo_pool);
	rte_free(sh->listeners);
	rte_free(sh);
	w->tcp = NULL;
}

struct lr_tcp_conn *
tcp_conn_lookup(struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	return tcp_ctab_lookup(&sh->table, key);
}

/*
 * A zeroed connection block, in the table and on the list, state CLOSED.
 * @return NULL when the pool or the table is full (the caller counts the drop)
 */
struct lr_tcp_conn *
tcp_conn_new(struct lr_worker *w, const struct tcp_key *key)
{
	struct lr_tcp_shard *sh = w->tcp;
	const struct lr_iface *ifc = lr_iface_mine(w, key->laddr);
	struct lr_tcp_conn *c;
	uint32_t slot;
	uint64_t th;
	void *obj;

	if (lr_nomem_inject(&w->nomem, w->stats, LR_POOL_CONN) ||
			rte_mempool_get(sh->pool, &obj) < 0)
		return NULL;
	/* a slot, in the table: at most max_conns blocks are out of the pool */
	if (unlikely(sh->nb_slot_free == 0 && sh->slot_hi >= sh->conf.max_conns)) {
		rte_mempool_put(sh->pool, obj);
		return NULL;
	}
	slot = sh->nb_slot_free > 0 ? sh->slot_free[sh->nb_slot_free - 1] : sh->slot_hi;
	if (unlikely(tcp_ctab_add(&sh->table, key, slot) < 0)) {
		rte_mempool_put(sh->pool, obj);
		return NULL;
	}
	if (sh->nb_slot_free > 0)
		sh->nb_slot_free--;
	else
		sh->slot_hi++;
	c = obj;
	memset(c, 0, sizeof(*c));
	/* the next connection's block, for its memset (lr_pool_prefetch_next()) */
	lr_pool_prefetch_next(sh->pool, sizeof(*c));
	c->sh = sh;
	c->key = *key;
	c->slot = slot;
	sh->slots[slot] = c;
	c->state = LR_TCP_CLOSED;
	c->adv_mss = (ifc != NULL && ifc->mtu > 40 ? ifc->mtu : 1500) - 40;
	c->snd_mss = TCP_DEFAULT_MSS;
	c->rcv_mss = TCP_DEFAULT_MSS;
	c->rto_us = sh->conf.rto_init_ms * 1000;
	c->quickacks = sh->conf.quickack; /* quick-ACK mode from the first data */
	TAILQ_INIT(&c->ooo);
	c->cb = &tcp_no_callbacks; /* until a listener or lr_tcp_connect() sets them */
	tcp_cc_set(c, (enum lr_tcp_cc)sh->conf.cc);
	c->ssthresh = UINT32_MAX;
	c->rcv_wscale = tcp_wscale_for(sh->conf.rcv_wnd);
	/* One SipHash for two secrets: the low half offsets our timestamps, 16 bits of
	 * the high half seed the connection's IP id counter (Linux seeds inet_id with
	 * a random number): unrelated across connections, no global sequence. */
	th = tcp_ts_offset(sh, key);
	c->ts_offset = (uint32_t)th;
	c->ip_id = (uint16_t)(th >> 32);
	/* As if its last challenge ACK were one interval ago: the first may leave. */
	c->chack_ms = (uint32_t)(w->now_us / 1000) - sh->conf.challenge_ack_per_conn_ms;
	TAILQ_INSERT_TAIL(&sh->conns, c, link);
	sh->nb_conns++;
	sh->stats.state_now[LR_TCP_CLOSED]++;
	/* NULL burst hints of this tuple made before now are stale (tcp_burst.c) */
	sh->nb_created++;
	tcp_created_mark(sh, key);
	return c;
}

/*
 * Take a connection out of the table at once and put it on the dead list; the
 * block itself returns to the pool at the next reap, so pointers held by the
 * caller (fsm, callbacks up the stack) stay valid until then.
 */
void
tcp_conn_free(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;

	if (c->flags & TCP_F_FREED)
		return;
	/* A block whose TIME_WAIT moved to an entry: the connection is not over. */
	if (c->state != LR_TCP_CLOSED && !(c->flags & TCP_F_TIMEWAIT))
		tcp_set_state(c, LR_TCP_CLOSED);
	tcp_ctab_del(&sh->table, &c->key, c->slot);
	sh->slots[c->slot] = NULL;
	sh->slot_free[sh->nb_slot_free++] = c->slot;
	if (c->cflags & TCP_CF_ORPHAN) {
		TAILQ_REMOVE(&sh->orphans, c, link);
		c->cflags &= ~TCP_CF_ORPHAN;
		sh->nb_orphans--;
	} else {
		TAILQ_REMOVE(&sh->conns, c, link);
	}
	sh->nb_conns--;
	/* CLOSED, or TIME_WAIT for a block whose entry carries on (counted there) */
	sh->stats.state_now[c->state]--;
	if (c->flags & TCP_F_ON_OUTQ) {
		TAILQ_REMOVE(&sh->outq, c, out_link);
		c->flags &= ~TCP_F_ON_OUTQ;
	}
	tcp_timer_stop_all(c); /* and off the timer wheel */
	tcp_sb_free(c);
	tcp_reass_flush(c);
	if (c->rcv_true != 0) { /* the application's buffers are its own to free */
		lr_mem_uncharge(&sh->w->mem, sh->w->stats, LR_MEM_TCP_RCV, c->rcv_true);
		c->rcv_true = 0;
	}
	tcp_sack_clear(c);
	c->flags |= TCP_F_FREED;
	TAILQ_INSERT_TAIL(&sh->dead, c, link);
	if (!(c->flags & TCP_F_TIMEWAIT))
		LR_TCP_STAT_INC(&sh->stats, CLOSED);
}

/*
 * The application closed c and the stack finishes the close alone: an orphan, on
 * shard->orphans in the order they were closed. Past max_orphans the oldest is reset
 * and freed (Linux net.ipv4.tcp_max_orphans: "each orphan eats up to ~64K of
 * unswappable memory"; it resets the orphan whose timer fires, we reset the oldest:
 * the one most likely to be a peer that left). TIME_WAIT is not an orphan state: its
 * cost and bound are TIME_WAIT's own.
 */
void
tcp_orphan(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	struct lr_tcp_conn *old;

	if ((c->cflags & TCP_CF_ORPHAN) || (c->flags & TCP_F_FREED))
		return;
	switch (c->state) {
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
	case LR_TCP_CLOSING:
	case LR_TCP_LAST_ACK:
		break;
	default:
		return;
	}
	TAILQ_REMOVE(&sh->conns, c, link);
	TAILQ_INSERT_TAIL(&sh->orphans, c, link);
	c->cflags |= TCP_CF_ORPHAN;
	sh->nb_orphans++;
	while (sh->nb_orphans > sh->max_orphans) {
		old = TAILQ_FIRST(&sh->orphans);
		LR_TCP_STAT_INC(&sh->stats, ORPHAN_RESET);
		tcp_send_rst(sh->w, &old->key, tcp_rst_seq(old), 0, false);
		tcp_conn_free(old);
	}
}

/* An orphan reached a state that is not an orphan's (TIME_WAIT): back to conns. */
void
tcp_orphan_leave(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;

	if (!(c->cflags & TCP_CF_ORPHAN))
		return;
	TAILQ_REMOVE(&sh->orphans, c, link);
	TAILQ_INSERT_TAIL(&sh->conns, c, link);
	c->cflags &= ~TCP_CF_ORPHAN;
	sh->nb_orphans--;
}

/** Return the blocks of freed connections to the pool. */
void
tcp_conn_reap(struct lr_tcp_shard *sh)
{
	struct lr_tcp_conn *c;

	sh->nb_hints = 0; /* burst hints may name the blocks going back */
	while ((c = TAILQ_FIRST(&sh->dead)) != NULL) {
		TAILQ_REMOVE(&sh->dead, c, link);
		rte_mempool_put(sh->pool, c);
	}
}

struct lr_tcp_listener *
tcp_listener_lookup(struct lr_tcp_shard *sh, uint16_t port)
{
	uint32_t i, seen = 0;

	/* A scan of one cache line per slot, up to the last listener in use (slots
	 * fill from the front): none at all on a pure client, whose every connect
	 * asks whether its ephemeral port is a listener's. */
	for (i = 0; i < sh->conf.max_listeners && seen < sh->nb_listeners; i++) {
		if (!sh->listeners[i].used)
			continue;
		if (sh->listeners[i].port == port)
			return &sh->listeners[i];
		seen++;
	}
	return NULL;
}

int
lr_tcp_listen(struct lr_worker *w, uint16_t port, const struct lr_tcp_callbacks *cb, void *arg)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_listener *l = NULL;
	uint32_t i;

	if (sh == NULL || port == 0 || cb == NULL)
		return -EINVAL;
	if (tcp_listener_lookup(sh, port) != NULL)
		return -EADDRINUSE;
	for (i = 0; i < sh->conf.max_listeners && l == NULL; i++)
		if (!sh->listeners[i].used)
			l = &sh->listeners[i];
	if (l == NULL)
		return -ENOSPC;
	l->used = true;
	l->cc = sh->conf.cc;
	l->ecn = sh->conf.ecn;
	l->port = port;
	l->cb = cb;
	l->arg = arg;
	sh->nb_listeners++;
	sh->stats.state_entered[LR_TCP_LISTEN]++;
	return 0;
}

int
lr_tcp_listen_cc(struct lr_worker *w, uint16_t port, enum lr_tcp_cc cc)
{
	struct lr_tcp_listener *l;

	if (w->tcp == NULL || (unsigned int)cc >= LR_TCP_CC_NB)
		return -EINVAL;
	l = tcp_listener_lookup(w->tcp, port);
	if (l == NULL)
		return -ENOENT;
	l->cc = (uint8_t)cc;
	return 0;
}

int
lr_tcp_listen_ecn(struct lr_worker *w, uint16_t port, enum lr_tcp_ecn ecn)
{
	struct lr_tcp_listener *l;

	if (w->tcp == NULL || (unsigned int)ecn >= LR_TCP_ECN_NB)
		return -EINVAL;
	l = tcp_listener_lookup(w->tcp, port);
	if (l == NULL)
		return -ENOENT;
	l->ecn = (uint8_t)ecn;
	if (ecn != LR_TCP_ECN_OFF)
		w->tcp->ecn_used = true;
	return 0;
}

int
lr_tcp_unlisten(struct lr_worker *w, uint16_t port)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_listener *l;
	struct lr_tcp_conn *c, *next;

	if (sh == NULL || (l = tcp_listener_lookup(sh, port)) == NULL)
		return -ENOENT;
	for (c = TAILQ_FIRST(&sh->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if ((c->flags & TCP_F_PASSIVE) && rte_be_to_cpu_16(c->key.lport) == port &&
				c->state == LR_TCP_SYN_RCVD)
			tcp_conn_free(c);
	}
	memset(l, 0, sizeof(*l));
	sh->nb_listeners--;
	return 0;
}

/*
 * RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M a 4 us clock, F the low 32 bits of SipHash-2-4 of the 4-tuple under a 128-bit
 * key drawn from getrandom() (Linux secure_tcp_seq(), FreeBSD tcp_new_isn()). The
 * key is redrawn every isn_rekey_s seconds (FreeBSD net.inet.tcp.isn_reseed_interval),
 * lazily at the next ISN; F of every tuple then jumps at random, so the ISNs of one
 * tuple are monotonic (M) only between two rekeys. What that costs, and why it does
 * not break TIME_WAIT:
 * - A SYN that reopens one of our TIME_WAIT connections gets an ISS above the old
 *   SND.NXT whatever F says: lr_tcp_input() passes min_iss to tcp_fsm_listen(),
 *   computed from the old connection's sequence space, not from F. The RFC 6191 check
 *   that allows the reuse looks at the peer's sequence numbers and timestamps only.
 * - Our timestamp offsets (tcp_ts_offset()) use their own key, never redrawn: TSval
 *   stays monotonic per tuple across incarnations and rekeys, which is what a peer's
 *   RFC 6191 check needs when our new SYN meets its TIME_WAIT (Linux accepts it when
 *   TSval > ts_recent, tcp_timewait_state_process()). Without timestamps such a SYN
 *   can be refused once per rekey (the peer ACKs, we RST, the SYN retransmits).
 */
uint32_t
tcp_new_isn(struct lr_tcp_shard *sh, const struct tcp_key *key, uint64_t now_us)
{
	uint64_t period = (uint64_t)sh->conf.isn_rekey_s * 1000000;

	if (sh->conf.isn_fn != NULL)
		return sh->conf.isn_fn(sh->conf.isn_arg, key->laddr, key->lport, key->raddr,
				key->rport);
	if (period != 0 && now_us >= sh->isn_key_us + period) {
		lr_siphash_key_random(&sh->isn_key);
		sh->isn_key_us = now_us;
		LR_TCP_STAT_INC(&sh->stats, ISN_REKEY);
	}
	return (uint32_t)lr_siphash24(key, sizeof(*key), &sh->isn_key) + (uint32_t)(now_us / 4);
}

/*
 * RFC 7323 §7.1: "a random offset may be added to the timestamp clock on a per-
 * connection basis": SipHash-2-4 of the 4-tuple under the timestamp key, a key of
 * its own so that neither output tells anything about the other (Linux secure_tcp_ts_off()).
 * @return the whole 64-bit output: the offset is its low half; tcp_conn_new() seeds
 *         the connection's IP id counter from the high half
 */
uint64_t
tcp_ts_offset(const struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	return lr_siphash24(key, sizeof(*key), &sh->ts_key);
}

/*
 * Send buffer: a list of mbufs from the worker's pool holding the bytes from
 * SND.UNA on. Segments copy out of it or refer to it in place (tcp_sbref.c: a
 * buffer a frame in a TX ring still refers to has a reference count above 1, and
 * nothing is written into it then); acknowledged bytes are dropped from the front.
 * Every mbuf in it is charged to the worker's budget (LR_MEM_TCP_SND) by its
 * truesize, c->sb_true in all; a charge past the budget's hard limit is refused and
 * the send stops there.
 */

/* Truesize of one segment (not the chain behind it: the buffer links through next). */
static inline uint32_t
sb_seg_true(const struct rte_mbuf *m)
{
	return (uint32_t)sizeof(struct rte_mbuf) + m->priv_size + m->buf_len;
}

/* Bytes that can be written after the data of send buffer mbuf m in place. */
static inline uint32_t
sb_room(const struct rte_mbuf *m)
{
	/* An application's mbuf (lr_tcp_send_mbuf) may share its buffer. */
	if (m == NULL || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
		return 0;
	return rte_pktmbuf_tailroom(m);
}

/* Bytes that can be written after the last byte of the send buffer in place. */
uint32_t
tcp_sb_tailroom(const struct lr_tcp_conn *c)
{
	return sb_room(c->sb_tail);
}

/* Unlink and free the mbufs after last (NULL: all), giving their charge back. */
static void
sb_trim_after(struct lr_tcp_conn *c, struct rte_mbuf *last)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *t = last == NULL ? c->sb_head : last->next;

	if (last == NULL)
		c->sb_head = NULL;
	else
		last->next = NULL;
	c->sb_tail = last;
	while (t != NULL) {
		struct rte_mbuf *next = t->next;
		uint32_t ts = sb_seg_true(t);

		c->sb_true -= ts;
		lr_mem_uncharge(&w->mem, w->stats, LR_MEM_TCP_SND, ts);
		t->next = NULL;
		rte_pktmbuf_free_seg(t);
		t = next;
	}
}

/* Free the whole send buffer (connection freed). */
void
tcp_sb_free(struct lr_tcp_conn *c)
{
	sb_trim_after(c, NULL);
	c->sb_len = 0;
	c->sb_off = 0;
}

/* A new, empty, charged mbuf at the end of the send buffer, or NULL (counted). */
static struct rte_mbuf *
sb_grow(struct lr_tcp_conn *c)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *m = lr_alloc(w);
	uint32_t t;

	if (m == NULL)
		return NULL;
	t = sb_seg_true(m);
	if (!lr_mem_charge(&w->mem, w->stats, LR_MEM_TCP_SND, t)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	c->sb_true += t;
	/* The first buffer of an empty send buffer keeps its headroom: a response starts
	 * there, and its segment may be sent from it in place (tcp_sbref.c). The others
	 * are used whole. */
	if (c->sb_tail == NULL) {
		c->sb_head = m;
	} else {
		m->data_off = 0;
		c->sb_tail->next = m;
	}
	c->sb_tail = m;
	return m;
}

int
tcp_sb_append(struct lr_tcp_conn *c, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *m = c->sb_tail;
		uint32_t room = tcp_sb_tailroom(c), n;
		char *dst;

		if (room == 0) {
			m = sb_grow(c);
			if (m == NULL)
				break;
			room = rte_pktmbuf_tailroom(m);
		}
		n = RTE_MIN(room, len - done);
		dst = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(dst, p + done, n);
		done += n;
		c->sb_len += n;
	}
	return (int)done;
}

/* Copy the bytes of m into the send buffer, all or nothing: the mbufs they need
 * are taken first. @return 0, or -ENOBUFS with nothing queued */
int
tcp_sb_append_mbuf(struct lr_tcp_conn *c, const struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m), room = tcp_sb_tailroom(c);
	struct rte_mbuf *last = c->sb_tail;

	while (room < len) {
		struct rte_mbuf *g = sb_grow(c);

		if (g == NULL) {
			sb_trim_after(c, last); /* give back what this call took */
			return -ENOBUFS;
		}
		room += rte_pktmbuf_tailroom(g);
	}
	if (last == NULL)
		last = c->sb_head;
	for (; m != NULL; m = m->next) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t left = m->data_len;

		while (left > 0) {
			uint32_t n;

			while (sb_room(last) == 0)
				last = last->next;
			n = RTE_MIN(left, sb_room(last));
			memcpy(rte_pktmbuf_append(last, (uint16_t)n), p, n);
			p += n;
			left -= n;
			c->sb_len += n;
		}
	}
	return 0;
}

/*
 * Link every segment of m at the end of the send buffer, as is. m went through
 * lr_mbuf_hold(): charged bytes for it in all; empty segments are freed and their
 * share given back.
 */
void
tcp_sb_link(struct lr_tcp_conn *c, struct rte_mbuf *m, uint32_t charged)
{
	struct lr_worker *w = c->sh->w;

	c->sb_true += charged;
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = m->data_len;
		if (m->data_len == 0) {
			lr_mem_uncharge(&w->mem, w->stats, LR_MEM_TCP_SND, sb_seg_true(m));
			c->sb_true -= sb_seg_true(m);
			rte_pktmbuf_free_seg(m);
		} else {
			if (c->sb_tail == NULL)
				c->sb_head = m;
			else
				c->sb_tail->next = m;
			c->sb_tail = m;
			c->sb_len += m->data_len;
		}
		m = next;
	}
}

void
tcp_sb_copy(const struct lr_tcp_conn *c, uint32_t off, struct rte_mbuf *dst, uint32_t dst_off,
		uint32_t len)
{
	const struct rte_mbuf *m = c->sb_head;

	off += c->sb_off;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (dst != NULL && dst_off >= dst->data_len) {
		dst_off -= dst->data_len;
		dst = dst->next;
	}
	while (m != NULL && dst != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, RTE_MIN((uint32_t)m->data_len - off,
				(uint32_t)dst->data_len - dst_off));

		memcpy(rte_pktmbuf_mtod_offset(dst, uint8_t *, dst_off),
				rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		len -= n;
		off += n;
		dst_off += n;
		if (off == m->data_len) {
			off = 0;
			m = m->next;
		}
		if (dst_off == dst->data_len) {
			dst_off = 0;
			dst = dst->next;
		}
	}
}

/* Free the head of the send buffer and give its charge back. */
static void
sb_free_head(struct lr_tcp_conn *c)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *m = c->sb_head;
	uint32_t t = sb_seg_true(m);

	c->sb_off = 0;
	c->sb_head = m->next;
	if (c->sb_head == NULL)
		c->sb_tail = NULL;
	m->next = NULL;
	rte_pktmbuf_free_seg(m);
	c->sb_true -= t;
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_TCP_SND, t);
}

void
tcp_sb_drop(struct lr_tcp_conn *c, uint32_t n)
{
	n = RTE_MIN(n, c->sb_len);
	c->sb_len -= n;
	while (n > 0 && c->sb_head != NULL) {
		struct rte_mbuf *m = c->sb_head;
		uint32_t avail = m->data_len - c->sb_off;

		if (n < avail) {
			c->sb_off += (uint16_t)n;
			return;
		}
		n -= avail;
		sb_free_head(c);
	}
	/* Fully drained: a trailing empty mbuf is freed too. */
	if (c->sb_len == 0 && c->sb_head != NULL && c->sb_head->data_len == c->sb_off)
		sb_free_head(c);
}
