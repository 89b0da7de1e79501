/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers on the worker's virtual clock (w->now_us): retransmission with the
 * RFC 6298 estimator and exponential backoff, persist (zero-window probes),
 * delayed ACK, keepalive, TIME_WAIT (2 MSL), FIN_WAIT_2. Each connection keeps
 * one deadline per timer; lr_tcp_tick() dispatches expired ones through
 * tcp_timersw[] (anchor: FreeBSD tcp_timer.c).
 *
 * Scan cost: a connection with any timer armed is linked on the shard's timerq,
 * and lr_tcp_tick() walks only that list (connections leave it when their last
 * timer stops), not every connection. It still visits each armed connection at
 * every expiry of sh->next_timer. Whether a hashed timer wheel (FreeBSD callout,
 * Linux timer_list) pays off is for bench/bench_tcp_timer.c to decide: cycles per
 * lr_tcp_tick() against the number of idle established connections with only a
 * keepalive armed (the case where most entries are far from expiring), at 10k,
 * 100k and 1M connections per worker.
 */
#include <rte_common.h>

#include "tcp_internal.h"

void
tcp_timer_arm(struct lr_tcp_conn *c, enum tcp_timer_id t, uint64_t delay_us)
{
	uint64_t deadline = c->w->now_us + RTE_MAX(delay_us, (uint64_t)1);

	if (c->flags & TCP_F_FREED)
		return;
	c->timer[t] = deadline;
	if (!(c->flags & TCP_F_ON_TIMERQ)) {
		c->flags |= TCP_F_ON_TIMERQ;
		TAILQ_INSERT_TAIL(&c->sh->timerq, c, timer_link);
	}
	if (c->sh->next_timer == 0 || deadline < c->sh->next_timer)
		c->sh->next_timer = deadline;
}

void
tcp_timer_stop(struct lr_tcp_conn *c, enum tcp_timer_id t)
{
	c->timer[t] = 0; /* next_timer stays a lower bound */
}

void
tcp_timer_stop_all(struct lr_tcp_conn *c)
{
	unsigned int t;

	for (t = 0; t < TCP_T_MAX; t++)
		c->timer[t] = 0;
}

/* RFC 6298 §2: RTO from a new measurement R (microseconds). */
void
tcp_rtt_sample(struct lr_tcp_conn *c, uint32_t r)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint64_t rto;
	uint32_t delta;

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
	tcp_send_rst(c->w, &c->key, c->snd_max, 0, false);
	tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
}

/* Retransmission timer expired (RFC 6298 §5.4-5.6). */
static void
timer_rexmt(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint8_t limit;

	LR_TCP_STAT_INC(&c->sh->stats, REXMT_TIMEOUT);
	if (c->state == LR_TCP_SYN_SENT)
		limit = conf->syn_retries;
	else if (c->state == LR_TCP_SYN_RCVD)
		limit = conf->synack_retries;
	else
		limit = conf->max_retries;
	if (c->nretries >= limit) {
		tcp_give_up(c);
		return;
	}
	c->nretries++;
	/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS), cwnd = 1 SMSS. */
	if (c->state != LR_TCP_SYN_SENT && c->state != LR_TCP_SYN_RCVD)
		tcp_cc_timeout(c);
	/* (5.5) RTO <- RTO * 2, bounded; (5.6) restart the timer with it. */
	c->rto_us = (uint32_t)RTE_MIN(2ull * c->rto_us, (uint64_t)conf->rto_max_ms * 1000);
	c->flags &= ~TCP_F_TIMING; /* Karn: no sample from a retransmitted segment */
	c->snd_nxt = c->snd_una;   /* (5.4) retransmit the earliest unacknowledged */
	tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	tcp_output(c);
}

/*
 * Persist timer (RFC 9293 §3.8.6.1): the peer advertised a zero window and we have
 * data. "The transmitting host SHOULD send the first zero-window probe when a zero
 * window has existed for the retransmission timeout period, and SHOULD increase
 * exponentially the interval between successive probes." The connection is kept
 * as long as the peer answers; the timer stops when the window opens.
 */
static void
timer_persist(struct lr_tcp_conn *c)
{
	const struct lr_tcp_conf *conf = &c->sh->conf;
	uint64_t next;

	if (c->snd_wnd != 0)
		return;
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
		tcp_send_rst(c->w, &c->key, c->snd_max, 0, false);
		tcp_close_conn(c, LR_TCP_CLOSE_TIMEOUT);
		return;
	}
	c->keep_probes++;
	tcp_send_keepalive(c);
	tcp_timer_arm(c, TCP_T_KEEP, (uint64_t)conf->keepalive_intvl_ms * 1000);
}

/* TIME_WAIT over: the application heard of it when TIME_WAIT began. */
static void
timer_2msl(struct lr_tcp_conn *c)
{
	tcp_close_conn(c, LR_TCP_CLOSE_NORMAL);
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
	[TCP_T_2MSL] = timer_2msl,
	[TCP_T_FW2] = timer_fw2,
};

void
lr_tcp_tick(struct lr_worker *w)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c, *next;
	uint64_t now, earliest = 0, first;
	unsigned int t;

	if (sh == NULL || sh->next_timer == 0 || w->now_us < sh->next_timer)
		return;
	now = w->now_us;
	sh->next_timer = 0; /* timers armed during the walk lower it again */
	for (c = TAILQ_FIRST(&sh->timerq); c != NULL; c = next) {
		for (t = 0; t < TCP_T_MAX && !(c->flags & TCP_F_FREED); t++) {
			if (c->timer[t] == 0 || c->timer[t] > now)
				continue;
			c->timer[t] = 0;
			tcp_timersw[t](c);
		}
		if (c->flags & TCP_F_FREED) {
			/* A callback may have freed others too: start over; expired
			 * timers were cleared, so nothing fires twice. */
			next = TAILQ_FIRST(&sh->timerq);
			continue;
		}
		first = 0;
		for (t = 0; t < TCP_T_MAX; t++)
			if (c->timer[t] != 0 && (first == 0 || c->timer[t] < first))
				first = c->timer[t];
		next = TAILQ_NEXT(c, timer_link);
		if (first == 0) {
			TAILQ_REMOVE(&sh->timerq, c, timer_link);
			c->flags &= ~TCP_F_ON_TIMERQ;
		} else if (earliest == 0 || first < earliest) {
			earliest = first;
		}
	}
	if (earliest != 0 && (sh->next_timer == 0 || earliest < sh->next_timer))
		sh->next_timer = earliest;
	lr_tcp_flush(w);
}
