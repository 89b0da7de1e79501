/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT in compact entries (anchors: FreeBSD tcp_timewait.c, struct tcptw;
 * Linux inet_timewait_sock). Once a connection in TIME_WAIT has sent its last ACK
 * (lr_tcp_flush), its 384-byte block goes back to the pool and a 44-byte entry
 * of the shard's TIME_WAIT table carries on for 2 MSL: the 4-tuple, SND.NXT,
 * RCV.NXT, TS.Recent and our timestamp offset, the window field to ACK with.
 *
 * The table is bounded by conf.max_tw (like Linux net.ipv4.tcp_max_tw_buckets);
 * when it is full the oldest entry is recycled, so closing first never costs a
 * connection slot nor refuses a SYN. Entries sit in a FIFO ordered by when their
 * 2 MSL (re)started, which is the order they expire in: expiry pops the head
 * while it is due (its cost is what is due, not the table), recycling takes the
 * head. lr_tcp_input() looks here only for segments that found no connection
 * block, before the listeners.
 *
 * An entry answers segments as RFC 9293 §3.10.7.4 TIME-WAIT and FreeBSD
 * tcp_twcheck() do: a retransmitted FIN is acknowledged and restarts 2 MSL; a
 * RST is ignored (RFC 1337 TIME-WAIT assassination); a SYN reopens the tuple
 * when it is newer than the old connection by timestamp (RFC 6191) or, without
 * timestamps, by sequence number (RFC 9293 §3.6.1, RFC 1122 4.2.2.13); anything
 * else gets an ACK, rate limited like challenge ACKs, unless it is a plain
 * duplicate of the peer's last ACK.
 */
#include <errno.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "tcp_internal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define RST RTE_TCP_RST_FLAG
#define FIN RTE_TCP_FIN_FLAG

_Static_assert(sizeof(struct tcp_tw_entry) == 44,
		"struct tcp_tw_entry is not 44 bytes: TIME_WAIT costs more per connection");

int
tcp_tw_init(struct lr_tcp_shard *sh, int socket)
{
	struct tcp_timewait *t = &sh->timewait;
	uint64_t slots = 16;

	while (slots < 2ull * sh->conf.max_tw)
		slots <<= 1;
	t->ent = rte_malloc_socket("lr_tcp_tw", (size_t)sh->conf.max_tw * sizeof(*t->ent),
			RTE_CACHE_LINE_SIZE, socket);
	t->slot = rte_zmalloc_socket("lr_tcp_tw_slots", (size_t)slots * sizeof(*t->slot),
			RTE_CACHE_LINE_SIZE, socket);
	if (t->ent == NULL || t->slot == NULL) {
		tcp_tw_fini(sh);
		return -ENOMEM;
	}
	t->mask = (uint32_t)(slots - 1);
	t->seed = (uint32_t)rte_rand();
	t->nb = 0;
	t->fresh = 0;
	t->head = t->tail = t->free = t->pf = TCP_TW_NIL;
	return 0;
}

void
tcp_tw_fini(struct lr_tcp_shard *sh)
{
	rte_free(sh->timewait.ent);
	rte_free(sh->timewait.slot);
	memset(&sh->timewait, 0, sizeof(sh->timewait));
}

/* Keyed (a random seed per shard) so that peers cannot aim at one probe chain. */
static inline uint32_t
tw_hash(const struct tcp_timewait *t, const struct tcp_key *k)
{
	return rte_jhash_3words(k->raddr, k->laddr,
			(uint32_t)k->rport << 16 | k->lport, t->seed);
}

/* The entry of key (hash h) and its slot, or TCP_TW_NIL. */
static uint32_t
tw_find(const struct tcp_timewait *t, const struct tcp_key *key, uint32_t h, uint32_t *pos)
{
	uint32_t i = h & t->mask;
	uint64_t s;

	while ((s = t->slot[i]) != 0) {
		if ((uint32_t)(s >> 32) == h && tcp_key_eq(&t->ent[(uint32_t)s - 1].key, key)) {
			*pos = i;
			return (uint32_t)s - 1;
		}
		i = (i + 1) & t->mask;
	}
	return TCP_TW_NIL;
}

static void
tw_slot_add(struct tcp_timewait *t, uint32_t h, uint32_t e)
{
	uint32_t i = h & t->mask;

	while (t->slot[i] != 0)
		i = (i + 1) & t->mask;
	t->slot[i] = (uint64_t)h << 32 | (e + 1);
}

/* Linear probing deletion without tombstones: each later slot of the chain whose
 * home is not between the hole and it moves back into the hole. */
static void
tw_slot_del(struct tcp_timewait *t, uint32_t hole)
{
	uint32_t j = hole, home;

	t->slot[hole] = 0;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slot[j] == 0)
			return;
		home = (uint32_t)(t->slot[j] >> 32) & t->mask;
		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->slot[hole] = t->slot[j];
			t->slot[j] = 0;
			hole = j;
		}
	}
}

static void
tw_fifo_unlink(struct tcp_timewait *t, uint32_t i)
{
	struct tcp_tw_entry *e = &t->ent[i];

	if (e->prev != TCP_TW_NIL)
		t->ent[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != TCP_TW_NIL)
		t->ent[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

/* 2 MSL from now; the entry becomes the newest. */
static void
tw_fifo_append(struct lr_tcp_shard *sh, uint32_t i)
{
	struct tcp_timewait *t = &sh->timewait;
	struct tcp_tw_entry *e = &t->ent[i];
	uint64_t end_us = sh->w->now_us + 2ull * sh->conf.msl_ms * 1000;

	e->expire_ms = (uint32_t)((end_us + 999) / 1000);
	e->prev = t->tail;
	e->next = TCP_TW_NIL;
	if (t->tail != TCP_TW_NIL)
		t->ent[t->tail].next = i;
	else
		t->head = i;
	t->tail = i;
}

/* The connection of entry i is over (expired, recycled, reopened): count it as a
 * connection freed, as its block would have been. pos: its slot, or TCP_TW_NIL. */
static void
tw_end(struct lr_tcp_shard *sh, uint32_t i, uint32_t pos)
{
	struct tcp_timewait *t = &sh->timewait;
	struct tcp_tw_entry *e = &t->ent[i];

	if (pos == TCP_TW_NIL)
		tw_find(t, &e->key, tw_hash(t, &e->key), &pos);
	if (t->pf == i)
		t->pf = TCP_TW_NIL;
	tw_slot_del(t, pos);
	tw_fifo_unlink(t, i);
	e->next = t->free;
	e->flags = 0; /* not TCP_TW_F_USED */
	t->free = i;
	t->nb--;
	sh->stats.state_entered[LR_TCP_CLOSED]++;
	LR_TCP_STAT_INC(&sh->stats, CLOSED);
}

/*
 * Entries leave at the head: a full table recycles it at each new entry (the flush
 * enters a burst's connections back to back), expiry pops it while it is due. Each
 * would wait on the head's slot (a random line) and the head's entry. The cursor
 * t->pf runs TCP_TW_PF_AHEAD entries ahead of the head in the FIFO: as each head
 * leaves it moves one on and its entry's slot line (and the line of the entry after
 * it) are fetched, a few removals before the lookup. Any entry leaving at the cursor
 * resets it (tw_end); it starts again here.
 */
static void
tw_ahead_prefetch(struct tcp_timewait *t)
{
	const struct tcp_tw_entry *e;
	uint32_t i, k;

	if (t->pf == TCP_TW_NIL) {
		for (i = t->head, k = 0; i != TCP_TW_NIL && k < TCP_TW_PF_AHEAD; k++)
			i = t->ent[i].next;
		if (i == TCP_TW_NIL)
			return;
		t->pf = i;
	} else {
		t->pf = t->ent[t->pf].next;
		if (t->pf == TCP_TW_NIL)
			return;
	}
	e = &t->ent[t->pf];
	rte_prefetch0(&t->slot[tw_hash(t, &e->key) & t->mask]);
	if (e->next != TCP_TW_NIL)
		rte_prefetch0(&t->ent[e->next]);
}

/*
 * c is in TIME_WAIT and its last ACK has left: the rest of TIME_WAIT moves to an
 * entry and the block is freed (the application heard of the close when TIME_WAIT
 * began). A full table recycles its oldest entry first.
 */
void
tcp_tw_enter(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_timewait *t = &sh->timewait;
	struct tcp_tw_entry *e;
	uint32_t i;

	if (t->nb >= sh->conf.max_tw) {
		/* Like Linux past tcp_max_tw_buckets, but the oldest goes, not this one. */
		LR_TCP_STAT_INC(&sh->stats, TW_RECYCLED);
		tw_end(sh, t->head, TCP_TW_NIL);
	}
	if (t->free != TCP_TW_NIL) {
		i = t->free;
		t->free = t->ent[i].next;
	} else {
		i = t->fresh++;
	}
	e = &t->ent[i];
	e->key = c->key;
	e->snd_nxt = c->snd_max;
	e->rcv_nxt = c->rcv_nxt;
	e->flags = TCP_TW_F_USED | ((c->flags & TCP_F_TSTAMP) ? TCP_TW_F_TSTAMP : 0);
	e->ts_recent = c->ts_recent;
	e->ts_offset = c->ts_offset;
	e->wnd = (uint16_t)RTE_MIN(tcp_rcv_wnd(c) >> c->rcv_wscale, (uint32_t)UINT16_MAX);
	e->unused = 0;
	tw_fifo_append(sh, i);
	tw_slot_add(t, tw_hash(t, &e->key), i);
	t->nb++;
	LR_TCP_STAT_INC(&sh->stats, TW_CREATED);
	c->flags |= TCP_F_TIMEWAIT;
	tcp_conn_free(c);
	if (t->nb >= sh->conf.max_tw)
		tw_ahead_prefetch(t);
}

/*
 * RFC 6191 §2: a SYN for a tuple in TIME-WAIT is accepted "if the previous
 * incarnation of the connection used Timestamps, and the incoming SYN contains a
 * timestamp option with a value that is greater than the TS.Recent of the
 * connection in TIME-WAIT state; or the previous incarnation did not use
 * Timestamps or the SYN segment doesn't contain a Timestamp option, and the
 * Sequence Number of the incoming SYN segment is greater than the last sequence
 * number seen on the previous incarnation" (RCV.NXT, RFC 1122 4.2.2.13).
 * @return LR_TCP_STAT_TW_REUSE_TS or _SEQ when accepted, 0 when not (or not a SYN)
 */
int
tcp_tw_syn_reuse(bool ts_used, uint32_t ts_recent, uint32_t rcv_nxt,
		const struct lr_tcp_seg *seg)
{
	if ((seg->flags & (SYN | ACK | RST)) != SYN)
		return 0;
	if (ts_used && seg->opt.has_ts)
		return SEQ_GT(seg->opt.tsval, ts_recent) ? LR_TCP_STAT_TW_REUSE_TS : 0;
	return SEQ_GT(seg->seq, rcv_nxt) ? LR_TCP_STAT_TW_REUSE_SEQ : 0;
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, with timestamps when the connection used
 * them. limited: under the challenge ACK rate limit (tcp_rate_allow). */
static void
tw_ack(struct lr_worker *w, const struct tcp_tw_entry *e, bool limited)
{
	uint8_t opt[TCP_OPT_TS_LEN];
	uint32_t optlen = 0, v;

	if (limited && !tcp_rate_allow(w))
		return;
	if (e->flags & TCP_TW_F_TSTAMP) {
		opt[0] = 1; /* NOP */
		opt[1] = 1;
		opt[2] = 8; /* timestamps */
		opt[3] = 10;
		v = rte_cpu_to_be_32((uint32_t)(w->now_us / 1000) + e->ts_offset);
		memcpy(opt + 4, &v, 4);
		v = rte_cpu_to_be_32(e->ts_recent);
		memcpy(opt + 8, &v, 4);
		optlen = TCP_OPT_TS_LEN;
	}
	tcp_send_ctl(w, &e->key, e->snd_nxt, e->rcv_nxt, ACK, e->wnd, opt, optlen);
	LR_TCP_STAT_INC(&w->tcp->stats, ACK_TX);
}

/*
 * A segment that found no connection block: its TIME_WAIT entry, if any, answers.
 * @param min_iss set on TCP_TW_REOPEN: the new connection's ISS must not be below it
 * @return TCP_TW_MISS (m untouched), TCP_TW_DONE (m consumed or dropped), or
 *         TCP_TW_REOPEN (entry gone, m untouched: the SYN goes on to the listener)
 */
enum tcp_tw_result
tcp_tw_input(struct lr_worker *w, const struct lr_tcp_seg *seg, struct rte_mbuf *m,
		uint32_t *min_iss)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct tcp_timewait *t = &sh->timewait;
	struct tcp_tw_entry *e;
	uint32_t i, pos;
	int reuse;

	if (t->nb == 0)
		return TCP_TW_MISS;
	i = tw_find(t, &seg->key, tw_hash(t, &seg->key), &pos);
	if (i == TCP_TW_NIL)
		return TCP_TW_MISS;
	e = &t->ent[i];
	/* RFC 1337 §3 (TIME-WAIT assassination), fix (1): "Ignore RST segments in
	 * TIME-WAIT state." */
	if (seg->flags & RST) {
		tcp_drop(sh, m, LR_TCP_STAT_TW_RST);
		return TCP_TW_DONE;
	}
	reuse = tcp_tw_syn_reuse(e->flags & TCP_TW_F_TSTAMP, e->ts_recent, e->rcv_nxt, seg);
	if (reuse != 0) {
		/* The new incarnation's ISS lies beyond everything the old one sent. */
		*min_iss = e->snd_nxt + TCP_TW_ISS_GAP;
		sh->stats.v[reuse]++;
		LR_TCP_STAT_INC(&sh->stats, TIME_WAIT_REUSE);
		tw_end(sh, i, pos);
		return TCP_TW_REOPEN;
	}
	/* A SYN not newer than the old connection (RFC 6191: processed as RFC 9293
	 * TIME-WAIT does, an unacceptable segment): ACK it. */
	if (seg->flags & SYN) {
		tw_ack(w, e, true);
		tcp_drop(sh, m, LR_TCP_STAT_TW_SYN_REFUSED);
		return TCP_TW_DONE;
	}
	/* RFC 7323 §5.3 PAWS: not acceptable, ACK it. (TS.Recent was recorded at most
	 * 2 MSL ago, well within the 24 days of §5.5.) */
	if ((e->flags & TCP_TW_F_TSTAMP) && seg->opt.has_ts &&
			SEQ_LT(seg->opt.tsval, e->ts_recent)) {
		tw_ack(w, e, true);
		tcp_drop(sh, m, LR_TCP_STAT_PAWS);
		return TCP_TW_DONE;
	}
	if (!(seg->flags & ACK)) {
		tcp_drop(sh, m, LR_TCP_STAT_NO_ACK);
		return TCP_TW_DONE;
	}
	/* "The only thing that can arrive in this state is a retransmission of the
	 * remote FIN. Acknowledge it, and restart the 2 MSL timeout." */
	if ((seg->flags & FIN) && seg->seq + seg->len + 1 == e->rcv_nxt) {
		if ((e->flags & TCP_TW_F_TSTAMP) && seg->opt.has_ts)
			e->ts_recent = seg->opt.tsval; /* SEG.SEQ < Last.ACK.sent (§4.3) */
		tw_fifo_unlink(t, i);
		tw_fifo_append(sh, i);
		tw_ack(w, e, false);
		LR_TCP_STAT_INC(&sh->stats, TW_FIN_REACK);
		lr_consume(m);
		return TCP_TW_DONE;
	}
	/* FreeBSD tcp_twcheck: "Acknowledge the segment if it has data or is not a
	 * duplicate ACK." */
	if (seg->flags != ACK || seg->len != 0 || seg->seq != e->rcv_nxt ||
			seg->ack != e->snd_nxt)
		tw_ack(w, e, true);
	tcp_drop(sh, m, LR_TCP_STAT_TW_SEGMENT);
	return TCP_TW_DONE;
}

/* Whether key is in TIME_WAIT here (an active open does not take its port). */
bool
tcp_tw_exists(struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	struct tcp_timewait *t = &sh->timewait;
	uint32_t pos;

	return t->nb > 0 && tw_find(t, key, tw_hash(t, key), &pos) != TCP_TW_NIL;
}

void
tcp_tw_prefetch(const struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	const struct tcp_timewait *t = &sh->timewait;

	if (t->nb > 0)
		rte_prefetch0(&t->slot[tw_hash(t, key) & t->mask]);
}

/*
 * Free the entries whose 2 MSL is over: the head of the FIFO while it is due, at most
 * budget of them (0: no bound); the rest stay at the head for the next call (an
 * entry kept a little longer only answers its tuple's segments a little longer).
 * @return true if due entries were left
 */
bool
tcp_tw_expire(struct lr_tcp_shard *sh, uint64_t now_us, uint32_t budget)
{
	struct tcp_timewait *t = &sh->timewait;
	uint32_t now_ms = (uint32_t)(now_us / 1000);
	uint32_t n = 0;

	while (t->head != TCP_TW_NIL && (int32_t)(now_ms - t->ent[t->head].expire_ms) >= 0) {
		if (budget != 0 && n++ == budget)
			return true;
		LR_TCP_STAT_INC(&sh->stats, TW_EXPIRED);
		tw_end(sh, t->head, TCP_TW_NIL);
		tw_ahead_prefetch(t);
	}
	return false;
}

/*
 * lr_tcp_walk() rows of the TIME_WAIT entries from table index *pos on: addresses
 * and state (the rest of a row is 0: no buffers, timers or windows are left). An
 * index stays meaningful whatever expires or is recycled meanwhile (entries never
 * move), so a caller may page: at most max rows, and at most 4 * max indexes looked
 * at, per call.
 * @param n incremented per row
 * @return true when done: every index seen, or cb asked to stop
 */
bool
tcp_tw_walk_page(struct lr_worker *w, uint32_t *pos, unsigned int max,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg,
		unsigned int *n)
{
	const struct tcp_timewait *t = &w->tcp->timewait;
	uint64_t budget = 4ull * max;
	struct lr_tcp_conn_info info;
	unsigned int rows = 0;

	for (; *pos < t->fresh && rows < max && budget > 0; (*pos)++, budget--) {
		const struct tcp_tw_entry *e = &t->ent[*pos];

		if (!(e->flags & TCP_TW_F_USED))
			continue;
		memset(&info, 0, sizeof(info));
		info.laddr = e->key.laddr;
		info.lport = rte_be_to_cpu_16(e->key.lport);
		info.raddr = e->key.raddr;
		info.rport = rte_be_to_cpu_16(e->key.rport);
		info.state = LR_TCP_TIME_WAIT;
		info.state_name = lr_tcp_state_name(LR_TCP_TIME_WAIT);
		info.worker = w->id;
		rows++;
		(*n)++;
		if (cb(&info, arg) != 0) {
			(*pos)++;
			return true;
		}
	}
	return *pos >= t->fresh;
}

uint32_t
lr_tcp_tw_count(const struct lr_worker *w)
{
	return w->tcp == NULL ? 0 : w->tcp->timewait.nb;
}
