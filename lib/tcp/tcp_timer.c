/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers on the worker's virtual clock (w->now_us): retransmission with the
 * RFC 6298 estimator and exponential backoff, persist (zero-window probes),
 * delayed ACK, keepalive, FIN_WAIT_2 (TIME_WAIT entries expire in tcp_tw.c). Each
 * connection keeps one deadline per timer; lr_tcp_tick() dispatches expired ones
 * through tcp_timersw[] (anchor: FreeBSD tcp_timer.c).
 *
 * Connections with a timer armed sit in a hashed, two-level timing wheel per shard
 * (struct tcp_wheel; the design of Varghese and Lauck's hierarchical wheels, as in
 * FreeBSD's callout and Linux's timer_list). Jiffies are 1 ms; level 0 has 4096
 * slots of one jiffy (4.1 s), level 1 has 4096 slots of one level 0 revolution
 * (4.66 h) and empties each into level 0 as that revolution begins; deadlines
 * further out wait in level 1's last slot and are filed again from there. A
 * connection is in one slot, the one of its earliest deadline: arming an earlier
 * deadline moves it; stopping a timer or arming a later one (the keepalive restart
 * on every segment, the retransmission restart on every ACK) leaves it in place,
 * and its visit files it again. lr_tcp_tick() runs the slots from the last one
 * processed to now, so a timer fires no earlier than its deadline and less than
 * one jiffy after it (given a tick per jiffy). After a pause of a revolution or
 * more (a clock jump) the wheel goes on from the new time on a second bank of slots
 * at once, and the slots it had are emptied a budget at a time: each due slot
 * visited once, in jiffy order for level 0 and block order for level 1, blocks the
 * jump did not reach moved back unvisited. A tick costs the slots passed (8192 at
 * most after a jump) plus the connections visited or moved, at most timer_budget of
 * them, not the connections armed.
 *
 * What decided it (bench/bench_conn_table, "timer ticks": 1M idle established
 * connections with a 2 h keepalive, one tick per ms, medians of 7 runs): the
 * previous design, one list of every connection with a timer, walked whenever a
 * lower bound of the next deadline passed, needed 13.8 s of ticks to get through one
 * second in which 100 SYN retransmission timers fired (a ~225 ms walk per firing);
 * the wheel needs 0.08 ms. What it pays instead is the deferred re-filing of stopped
 * timers: 1M handshakes within 31 ms cost ~200 ms of visits one RTO later (the list:
 * one ~150 ms walk), 7 ms in the longest tick; an idle tick costs ~20 ns (list: 6).
 */
#include <limits.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "tcp_internal.h"

#define TW_L0_MASK (TCP_TW_L0_SLOTS - 1)
#define TW_L1_MASK (TCP_TW_L1_SLOTS - 1)

/* The jiffy of a deadline: the first jiffy that starts at or after it. */
static inline uint64_t
tw_jiffy(uint64_t us)
{
	return (us + TCP_TW_GRAN_US - 1) / TCP_TW_GRAN_US;
}

/*
 * A jiffy kept in 32 bits (c->timer[], c->tw_jiffy: two cache lines of connection
 * state instead of three) back to 64: the one nearest the wheel's position, exact
 * for jiffies less than 2^31 (24.8 days) either side of it. tcp_timer_arm() keeps
 * deadlines within that; the wheel's position follows the clock tick by tick.
 */
static inline uint64_t
tw_expand(const struct tcp_wheel *tw, uint32_t j)
{
	return tw->cur + (uint64_t)(int64_t)(int32_t)(j - (uint32_t)tw->cur);
}

/* Armed timer t of c: its jiffy. */
static inline uint64_t
timer_jiffy(const struct lr_tcp_conn *c, unsigned int t)
{
	return tw_expand(&c->sh->tw, c->timer[t]);
}

uint64_t
tcp_timer_due_us(const struct lr_tcp_conn *c, enum tcp_timer_id t)
{
	return c->timer[t] == 0 ? 0 : timer_jiffy(c, t) * TCP_TW_GRAN_US;
}

uint64_t
tcp_timer_jiffy_us(const struct lr_tcp_conn *c, uint32_t j)
{
	return tw_expand(&c->sh->tw, j) * TCP_TW_GRAN_US;
}

void
tcp_timer_init(struct lr_tcp_shard *sh, uint64_t now_us)
{
	struct tcp_wheel *tw = &sh->tw;
	unsigned int i;

	for (i = 0; i < TCP_TW_L0_SLOTS; i++) {
		LIST_INIT(&tw->bank[0].l0[i]);
		LIST_INIT(&tw->bank[1].l0[i]);
	}
	for (i = 0; i < TCP_TW_L1_SLOTS; i++) {
		LIST_INIT(&tw->bank[0].l1[i]);
		LIST_INIT(&tw->bank[1].l1[i]);
	}
	tw->act = &tw->bank[0];
	tw->old = NULL;
	tw->nb = 0;
	tw->visits = 0;
	tw->moves = 0;
	tw->budget = sh->conf.timer_budget;
	tw->cur = now_us / TCP_TW_GRAN_US + 1;
	tw->next_us = tw->cur * TCP_TW_GRAN_US;
}

/*
 * File c (off the wheel) to be visited at jiffy j: in level 0 when j is less than
 * one revolution ahead, else in level 1 at the start of j's block (the last block
 * level 1 reaches, for deadlines beyond it: they are filed again from there).
 */
static void
tw_insert(struct tcp_wheel *tw, struct lr_tcp_conn *c, uint64_t j)
{
	uint64_t b;

	j = RTE_MAX(j, tw->cur);
	if (j - tw->cur < TCP_TW_L0_SLOTS) {
		LIST_INSERT_HEAD(&tw->act->l0[j & TW_L0_MASK], c, tw_link);
	} else {
		b = RTE_MIN(j >> TCP_TW_L0_BITS,
				(tw->cur >> TCP_TW_L0_BITS) + TCP_TW_L1_SLOTS - 1);
		j = b << TCP_TW_L0_BITS;
		LIST_INSERT_HEAD(&tw->act->l1[b & TW_L1_MASK], c, tw_link);
	}
	c->tw_jiffy = (uint32_t)j;
	c->flags |= TCP_F_ON_WHEEL;
	tw->nb++;
}

static void
tw_remove(struct tcp_wheel *tw, struct lr_tcp_conn *c)
{
	LIST_REMOVE(c, tw_link);
	c->flags &= ~TCP_F_ON_WHEEL;
	tw->nb--;
}

/*
 * c must be visited by jiffy j. A connection already filed no later stays where it
 * is (its visit files it again at its earliest deadline); an earlier one moves.
 */
static void
tw_schedule(struct tcp_wheel *tw, struct lr_tcp_conn *c, uint64_t j)
{
	if (c->flags & TCP_F_ON_WHEEL) {
		if (j >= tw_expand(tw, c->tw_jiffy))
			return;
		tw_remove(tw, c);
	}
	tw_insert(tw, c, j);
}

/* Jiffy of the earliest armed timer of c, 0 when none. */
static uint64_t
timer_first(const struct lr_tcp_conn *c)
{
	uint64_t first = 0, j;
	unsigned int t;

	for (t = 0; t < TCP_T_MAX; t++) {
		if (c->timer[t] == 0)
			continue;
		j = timer_jiffy(c, t);
		if (first == 0 || j < first)
			first = j;
	}
	return first;
}

void
tcp_timer_arm(struct lr_tcp_conn *c, enum tcp_timer_id t, uint64_t delay_us)
{
	uint64_t j;

	if (c->flags & TCP_F_FREED)
		return;
	/* conf_check() keeps every setting within TCP_TIMER_MAX_US; the bound only
	 * guards the 32-bit deadline. */
	delay_us = RTE_MIN(RTE_MAX(delay_us, (uint64_t)1), TCP_TIMER_MAX_US);
	j = tw_jiffy(c->sh->w->now_us + delay_us);
	/* 0 means stopped: a deadline on a multiple of 2^32 jiffies (every 49.7 days)
	 * fires one jiffy late. */
	c->timer[t] = (uint32_t)j != 0 ? (uint32_t)j : 1;
	if (t == TCP_T_REXMT)
		c->cflags &= ~(TCP_CF_REXMT_ALT | TCP_CF_RACK_TMR); /* the RTO (tcp_rack.c sets it after) */
	tw_schedule(&c->sh->tw, c, tw_expand(&c->sh->tw, c->timer[t]));
}

void
tcp_timer_stop(struct lr_tcp_conn *c, enum tcp_timer_id t)
{
	c->timer[t] = 0; /* the connection stays filed until its visit */
	if (t == TCP_T_REXMT)
		c->cflags &= ~(TCP_CF_REXMT_ALT | TCP_CF_RACK_TMR);
}

void
tcp_timer_stop_all(struct lr_tcp_conn *c)
{
	unsigned int t;

	for (t = 0; t < TCP_T_MAX; t++)
		c->timer[t] = 0;
	c->cflags &= ~(TCP_CF_REXMT_ALT | TCP_CF_RACK_TMR);
	if (c->flags & TCP_F_ON_WHEEL)
		tw_remove(&c->sh->tw, c);
}

/* RFC 6298 §2: RTO from a new measurement R (microseconds). */
void
tcp_rtt_sample(struct lr_tcp_conn *c, uint32_t r)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint64_t rto;
	uint32_t delta;

	tcp_hystart_rtt(c, r);
	if (c->srtt_us == 0) {
		/* (2.2) SRTT <- R, RTTVAR <- R/2 */
		c->srtt_us = RTE_MAX(r, 1u);
		c->rttvar_us = r / 2;
	} else {
		/* (2.3) RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT <- 7/8 SRTT + 1/8 R' */
		delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;
		c->rttvar_us = (3 * c->rttvar_us + delta) / 4;
		c->srtt_us = RTE_MAX((7 * c->srtt_us + r) / 8, 1u);
	}
	/* RTO <- SRTT + max(G, K*RTTVAR), G = 1 us, K = 4; (2.4) lower and upper
	 * bounds from the configuration. */
	rto = (uint64_t)c->srtt_us + RTE_MAX(4ull * c->rttvar_us, 1ull);
	rto = RTE_MAX(rto, (uint64_t)conf->rto_min_ms * 1000);
	rto = RTE_MIN(rto, (uint64_t)conf->rto_max_ms * 1000);
	c->rto_us = (uint32_t)rto;
}

/* Retransmissions exhausted. */
static void
tcp_give_up(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;

	switch (c->state) {
	case LR_TCP_SYN_RCVD:
		if (c->flags & TCP_F_PASSIVE) {
			/* Half-open never completed: back to LISTEN, i.e. forgotten. */
			LR_TCP_STAT_INC(&sh->stats, SYNACK_GIVEUP);
			tcp_set_state(c, LR_TCP_LISTEN);
			tcp_conn_free(c);
			return;
		}
		break;
	case LR_TCP_SYN_SENT:
		/* Nothing synchronized: no RST. */
		LR_TCP_STAT_INC(&sh->stats, TIMEOUT_DROP);
		tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
		return;
	default:
		break;
	}
	LR_TCP_STAT_INC(&sh->stats, TIMEOUT_DROP);
	tcp_send_rst(c->sh->w, &c->key, tcp_rst_seq(c), 0, false);
	tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
}

/*
 * Retries of data, FIN or zero-window probes before giving up: max_retries (Linux
 * tcp_retries2), or orphan_retries once the application closed (Linux
 * tcp_orphan_retries).
 */
static uint8_t
retry_limit(const struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;

	return (c->flags & TCP_F_APP_CLOSED) ? RTE_MIN(conf->orphan_retries, conf->max_retries) :
			conf->max_retries;
}

/*
 * The shard is short of connections or memory: its connection table is 7/8 full or
 * its worker's budget is under pressure. A peer that stopped answering then gets
 * pressure_retries retransmissions, not the full count, as Linux shortens SYN-ACK
 * retries when the request queue is half full (inet_csk_reqsk_queue_prune) and kills
 * orphans when out of resources (tcp_out_of_resources): under overload, connections
 * whose peers vanished must not keep out the ones that would complete.
 */
static bool
shard_pressed(const struct lr_tcp_shard *sh)
{
	return sh->nb_conns >= sh->conf.max_conns - sh->conf.max_conns / 8 ||
			lr_mem_pressure(&sh->w->mem);
}

/*
 * SYN-ACK retries of a half-open while half_open_max is more than half used: like
 * Linux's SYN-ACK timer (reqsk_timer_handler: "reserve half of room for young
 * embrions; and abort old ones without pity"), one retry fewer for each halving of
 * the share of young half-opens (never retransmitted: their SYN-ACK may still be
 * answered), down to pressure_retries. When our SYN-ACKs are being lost (a peer
 * that stopped draining its ring, a flood from addresses that never answer), nearly
 * all are old and they go after pressure_retries, so they neither retransmit into
 * the loss for a minute nor fill half_open_max and turn every new SYN into a cookie.
 */
static uint8_t
half_open_limit(const struct lr_tcp_shard *sh, uint8_t limit)
{
	uint64_t n = sh->nb_half_open, young2 = 2ull * (n - sh->nb_half_open_old);

	if (2ull * n <= sh->conf.half_open_max)
		return limit;
	for (; limit > sh->conf.pressure_retries && n >= young2; young2 *= 2)
		limit--;
	return limit;
}

/* The limit for c under pressure: at most pressure_retries (SYN_SENT keeps its own). */
static uint8_t
pressed_limit(const struct lr_tcp_conn *c, uint8_t limit)
{
	const struct lr_tcp_shard *sh = c->sh;

	if (c->state == LR_TCP_SYN_SENT || limit <= sh->conf.pressure_retries)
		return limit;
	if (shard_pressed(sh))
		return sh->conf.pressure_retries;
	if (c->flags & TCP_F_HALF_OPEN)
		return half_open_limit(sh, limit);
	return limit;
}

/* RFC 5482 user timeout: data unacknowledged (or a zero window probed) for longer
 * than user_timeout_ms since una_ms. */
static bool
user_timeout_passed(const struct lr_tcp_conn *c)
{
	uint32_t limit = c->sh->conf.user_timeout_ms;

	return limit != 0 && (uint32_t)(c->sh->w->now_us / 1000) - c->una_ms >= limit;
}

/* Reset and free a synchronized connection that cannot make progress. */
static void
tcp_reset_conn(struct lr_tcp_conn *c)
{
	tcp_send_rst(c->sh->w, &c->key, tcp_rst_seq(c), 0, false);
	tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
}

/* Retransmission timer expired (RFC 6298 §5.4-5.6). */
static void
timer_rexmt(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint8_t limit;

	if (c->cflags & TCP_CF_REXMT_ALT) {
		/* the slot held a loss probe or RACK timer (tcp_rack.c), not the RTO */
		tcp_rack_timeout(c);
		return;
	}
	LR_TCP_STAT_INC(&c->sh->stats, REXMT_TIMEOUT);
	if (c->state == LR_TCP_SYN_SENT)
		limit = conf->syn_retries;
	else if (c->state == LR_TCP_SYN_RCVD)
		limit = conf->synack_retries;
	else
		limit = retry_limit(c);
	if (c->nretries >= pressed_limit(c, limit)) {
		if (c->nretries < limit && !shard_pressed(c->sh))
			LR_TCP_STAT_INC(&c->sh->stats, HALF_OPEN_PRUNED);
		else if (c->nretries < limit)
			LR_TCP_STAT_INC(&c->sh->stats, PRESSURE_GIVEUP);
		else if (c->state != LR_TCP_SYN_SENT && c->state != LR_TCP_SYN_RCVD &&
				(c->flags & TCP_F_APP_CLOSED))
			LR_TCP_STAT_INC(&c->sh->stats, ORPHAN_GIVEUP);
		tcp_give_up(c);
		return;
	}
	if (c->state != LR_TCP_SYN_SENT && c->state != LR_TCP_SYN_RCVD &&
			c->snd_una != c->snd_max && user_timeout_passed(c)) {
		LR_TCP_STAT_INC(&c->sh->stats, USER_TIMEOUT);
		LR_TCP_STAT_INC(&c->sh->stats, TIMEOUT_DROP);
		tcp_reset_conn(c);
		return;
	}
	if (c->nretries++ == 0 && (c->flags & TCP_F_HALF_OPEN))
		c->sh->nb_half_open_old++; /* no longer young (half_open_limit()) */
	/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS), cwnd = 1 SMSS. */
	if (c->state != LR_TCP_SYN_SENT && c->state != LR_TCP_SYN_RCVD)
		tcp_cc_timeout(c);
	/* RFC 6675 §5.1: the scoreboard stays, SACKed data is not resent (reneging
	 * is found when an ACK ends at a SACKed range, tcp_sack_acked()). */
	tcp_sack_timeout(c);
	/* (5.5) RTO <- RTO * 2, bounded; (5.6) restart the timer with it. */
	c->rto_us = (uint32_t)RTE_MIN(2ull * c->rto_us, (uint64_t)conf->rto_max_ms * 1000);
	c->flags &= ~TCP_F_TIMING; /* Karn: no sample from a retransmitted segment */
	c->snd_nxt = c->snd_una;   /* (5.4) retransmit the earliest unacknowledged */
	c->cflags &= ~TCP_CF_TLP_SENT;
	tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	tcp_output(c);
}

/*
 * Persist timer (RFC 9293 §3.8.6.1): the peer advertised a zero window and we have
 * data. "The transmitting host SHOULD send the first zero-window probe when a zero
 * window has existed for the retransmission timeout period, and SHOULD increase
 * exponentially the interval between successive probes." RFC 9293 lets a peer that
 * answers keep the window closed forever; we do not (nothing waits forever): the
 * probes count as retries (max_retries, orphan_retries once the application closed,
 * as Linux tcp_probe_timer does for orphans) and the user timeout applies (RFC 5482,
 * as Linux applies TCP_USER_TIMEOUT to probing). The count restarts when the window
 * opens or data is acknowledged; the timer stops when the window opens.
 */
static void
timer_persist(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint64_t next;

	if (c->snd_wnd != 0)
		return;
	if (c->nretries >= pressed_limit(c, retry_limit(c))) {
		LR_TCP_STAT_INC(&c->sh->stats, PERSIST_GIVEUP);
		if (c->flags & TCP_F_APP_CLOSED)
			LR_TCP_STAT_INC(&c->sh->stats, ORPHAN_GIVEUP);
		tcp_reset_conn(c);
		return;
	}
	if (user_timeout_passed(c)) {
		LR_TCP_STAT_INC(&c->sh->stats, USER_TIMEOUT);
		tcp_reset_conn(c);
		return;
	}
	c->nretries++;
	tcp_send_persist_probe(c);
	if (c->persist_shift < 16)
		c->persist_shift++;
	next = RTE_MIN((uint64_t)c->rto_us << c->persist_shift,
			(uint64_t)conf->rto_max_ms * 1000);
	tcp_timer_arm(c, TCP_T_PERSIST, next);
}

/* Delayed ACK timer (RFC 1122 4.2.3.2): the owed ACK leaves now. */
static void
timer_delack(struct lr_tcp_conn *c)
{
	if (c->rcv_unacked == 0 && !(c->flags & TCP_F_ACK_PENDING))
		return;
	LR_TCP_STAT_INC(&c->sh->stats, ACK_DELAYED);
	/* the peer waited for this ACK: quick-ACK what it sends next */
	c->quickacks = c->sh->conf.quickack;
	tcp_ack_schedule(c);
}

/* (Re)start the keepalive idle period: every segment from the peer does this. */
void
tcp_keep_reset(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;

	c->keep_probes = 0;
	if (conf->keepalive_ms == 0)
		return;
	switch (c->state) {
	case LR_TCP_ESTABLISHED:
	case LR_TCP_CLOSE_WAIT:
	case LR_TCP_FIN_WAIT_2:
		tcp_timer_arm(c, TCP_T_KEEP, (uint64_t)conf->keepalive_ms * 1000);
		break;
	default:
		break;
	}
}

/*
 * Keepalive (RFC 1122 4.2.3.6): after keepalive_ms without a segment from the
 * peer, probe with <SEQ=SND.UNA-1><ACK=RCV.NXT> every keepalive_intvl_ms; after
 * keepalive_probes unanswered probes, reset. Not while data is outstanding: the
 * retransmission or persist timer is in charge then.
 */
static void
timer_keep(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;

	if (conf->keepalive_ms == 0)
		return;
	if (c->state != LR_TCP_ESTABLISHED && c->state != LR_TCP_CLOSE_WAIT &&
			c->state != LR_TCP_FIN_WAIT_2)
		return;
	if (c->snd_una != c->snd_max || c->timer[TCP_T_PERSIST] != 0) {
		tcp_timer_arm(c, TCP_T_KEEP, (uint64_t)conf->keepalive_ms * 1000);
		return;
	}
	if (c->keep_probes >= conf->keepalive_probes) {
		LR_TCP_STAT_INC(&c->sh->stats, KEEPALIVE_DROP);
		tcp_send_rst(c->sh->w, &c->key, tcp_rst_seq(c), 0, false);
		tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
		return;
	}
	c->keep_probes++;
	tcp_send_keepalive(c);
	tcp_timer_arm(c, TCP_T_KEEP, (uint64_t)conf->keepalive_intvl_ms * 1000);
}

/* FIN_WAIT_2 after lr_tcp_close(): the peer never sent its FIN. */
static void
timer_fw2(struct lr_tcp_conn *c)
{
	LR_TCP_STAT_INC(&c->sh->stats, FIN_WAIT2_TIMEOUT);
	tcp_conn_free(c);
}

static void (*const tcp_timersw[TCP_T_MAX])(struct lr_tcp_conn *c) = {
	[TCP_T_REXMT] = timer_rexmt,
	[TCP_T_PERSIST] = timer_persist,
	[TCP_T_DELACK] = timer_delack,
	[TCP_T_KEEP] = timer_keep,
	[TCP_T_FW2] = timer_fw2,
};

/*
 * A connection whose slot came up, off the wheel: run its expired timers, then
 * file it at its earliest remaining deadline. Callbacks may arm timers on it (it
 * is filed at once) or free it.
 */
static void
tw_visit(struct tcp_wheel *tw, struct lr_tcp_conn *c, uint64_t now)
{
	uint64_t first, now_j = now / TCP_TW_GRAN_US;
	unsigned int t;

	for (t = 0; t < TCP_T_MAX && !(c->flags & TCP_F_FREED); t++) {
		/* due once its jiffy has begun */
		if (c->timer[t] == 0 || timer_jiffy(c, t) > now_j)
			continue;
		c->timer[t] = 0;
		tcp_timersw[t](c);
	}
	if (c->flags & TCP_F_FREED)
		return;
	first = timer_first(c);
	if (first != 0)
		tw_schedule(tw, c, first);
}

/*
 * Visit the connections of a slot, at most max of them (popped from the head). None
 * is filed back into it (all remaining deadlines are after now, so after tw->cur
 * and less than one revolution ahead of it for level 0, in a later block for level
 * 1), and a callback that frees or moves another connection of the slot takes it
 * out: popping the head until empty is safe.
 * @return connections visited
 */
static unsigned int
tw_run_slot(struct tcp_wheel *tw, struct tcp_tw_slot *slot, uint64_t now, unsigned int max)
{
	struct lr_tcp_conn *c, *next;
	unsigned int n = 0;

	while (n < max && (c = LIST_FIRST(slot)) != NULL) {
		next = LIST_NEXT(c, tw_link);
		if (next != NULL) {
			rte_prefetch0(next);
			rte_prefetch0(&next->flags);
			rte_prefetch0(&next->timer);
		}
		tw_remove(tw, c);
		tw_visit(tw, c, now);
		n++;
	}
	tw->visits += n;
	return n;
}

/*
 * Move a slot of the old bank whose block the jump did not reach into the same
 * block's slot of the wheel, at most max connections: they stay filed where they
 * are (block numbers are absolute), nothing is due. A whole list goes at once when
 * the wheel's slot is empty (one move).
 * @return moves
 */
static unsigned int
tw_move_slot(struct tcp_wheel *tw, struct tcp_tw_slot *from, struct tcp_tw_slot *to,
		unsigned int max)
{
	struct lr_tcp_conn *c;
	unsigned int n = 0;

	if (max > 0 && LIST_EMPTY(to) && !LIST_EMPTY(from)) {
		to->lh_first = from->lh_first;
		to->lh_first->tw_link.le_prev = &to->lh_first;
		LIST_INIT(from);
		n = 1;
	}
	while (n < max && (c = LIST_FIRST(from)) != NULL) {
		LIST_REMOVE(c, tw_link);
		LIST_INSERT_HEAD(to, c, tw_link);
		n++;
	}
	tw->moves += n;
	return n;
}

/*
 * The clock moved a revolution or more since the last tick: every level 0 slot and
 * the level 1 slots of the blocks up to limit's are due. The wheel moves past limit
 * at once onto the other bank (empty), so what is armed from now on is filed from
 * the new time, and the slots it had wait in tw->old for tw_drain().
 */
static void
tw_jump(struct tcp_wheel *tw, uint64_t limit)
{
	tw->old = tw->act;
	tw->act = tw->act == &tw->bank[0] ? &tw->bank[1] : &tw->bank[0];
	tw->old_cur = tw->cur;
	tw->old_limit = limit;
	tw->old_pos = 0;
	tw->cur = limit + 1;
}

/*
 * Empty the old bank of a clock jump in deadline order, at most max connections
 * visited or moved: its level 0 from the jiffy the wheel was on (every one due),
 * then its level 1 blocks in order, visited up to the jump's block (due, or filed
 * again into the wheel by the visit), moved unvisited beyond it. Visits file
 * connections into the wheel, never back into the old bank, so the calls go on from
 * tw->old_pos until it is empty. Cost: the slots looked at (at most 8192) plus max.
 * @return connections visited or moved
 */
static unsigned int
tw_drain(struct tcp_wheel *tw, uint64_t now, unsigned int max)
{
	struct tcp_tw_slot *s;
	unsigned int n = 0;
	uint64_t b;

	for (; tw->old_pos < TCP_TW_L0_SLOTS + TCP_TW_L1_SLOTS; tw->old_pos++) {
		if (tw->old_pos < TCP_TW_L0_SLOTS) {
			s = &tw->old->l0[(tw->old_cur + tw->old_pos) & TW_L0_MASK];
			n += tw_run_slot(tw, s, now, max - n);
		} else {
			b = (tw->old_cur >> TCP_TW_L0_BITS) + (tw->old_pos - TCP_TW_L0_SLOTS);
			s = &tw->old->l1[b & TW_L1_MASK];
			if (b <= tw->old_limit >> TCP_TW_L0_BITS)
				n += tw_run_slot(tw, s, now, max - n);
			else
				n += tw_move_slot(tw, s, &tw->act->l1[b & TW_L1_MASK], max - n);
		}
		if (!LIST_EMPTY(s))
			return n;
	}
	tw->old = NULL;
	return n;
}

/*
 * Process the jiffies from tw->cur to limit, visiting at most max connections: at the
 * start of a block its level 1 slot empties into level 0, then the level 0 slot of
 * the jiffy runs. When max runs out inside a slot, tw->cur stays on its jiffy (every
 * earlier one is done) and the next call goes on from there. A level 1 slot run
 * again on that jiffy holds only what the first run left: nothing is filed into the
 * current block's level 1 slot. Cost: one slot per jiffy passed plus the connections
 * visited, not the connections on the wheel.
 * @return connections visited
 */
static unsigned int
tw_advance(struct tcp_wheel *tw, uint64_t limit, uint64_t now, unsigned int max)
{
	struct tcp_tw_slot *s;
	unsigned int n = 0;

	for (; tw->cur <= limit && tw->nb > 0; tw->cur++) {
		if ((tw->cur & TW_L0_MASK) == 0) {
			s = &tw->act->l1[(tw->cur >> TCP_TW_L0_BITS) & TW_L1_MASK];
			n += tw_run_slot(tw, s, now, max - n);
			if (!LIST_EMPTY(s))
				return n;
		}
		s = &tw->act->l0[tw->cur & TW_L0_MASK];
		n += tw_run_slot(tw, s, now, max - n);
		if (!LIST_EMPTY(s))
			return n;
	}
	tw->cur = limit + 1;
	return n;
}

/*
 * TIME_WAIT expiry, then the wheel: what a clock jump left in the old bank, then the
 * jiffies up to now, within the budget (tw->budget connections visited or moved per
 * call). Work left over keeps tw->next_us at or before now, so the next call goes on
 * with it.
 */
bool
lr_tcp_tick(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct tcp_wheel *tw;
	unsigned int n = 0, max;
	uint64_t now, limit;
	bool more;

	if (sh == NULL)
		return false;
	/* TIME_WAIT entries: a FIFO, not the wheel */
	more = tcp_tw_expire(sh, w->now_us, sh->tw.budget);
	if (w->now_us < sh->tw.next_us)
		return more;
	tw = &sh->tw;
	now = w->now_us;
	limit = now / TCP_TW_GRAN_US;
	max = tw->budget != 0 ? tw->budget : UINT_MAX;
	/* a jump's backlog first: every deadline in it is before tw->cur */
	if (tw->old != NULL)
		n = tw_drain(tw, now, max);
	if (tw->old != NULL) {
		more = true;
	} else if (tw->nb == 0) {
		tw->cur = limit + 1;
	} else if (limit >= tw->cur && limit - tw->cur >= TCP_TW_L0_SLOTS) {
		tw_jump(tw, limit);
		n += tw_drain(tw, now, max - n);
		more |= tw->old != NULL;
	} else {
		n += tw_advance(tw, limit, now, max - n);
		more |= tw->cur <= limit;
	}
	/* a jump's backlog left: the next call goes on at once */
	tw->next_us = tw->old != NULL ? now : tw->cur * TCP_TW_GRAN_US;
	if (n > 0)
		lr_tcp_flush(w);
	return more;
}
