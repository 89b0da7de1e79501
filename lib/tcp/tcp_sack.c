/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Selective acknowledgments (RFC 2018), both ways.
 *
 * Receiver: the SACK blocks of our ACKs come from the out-of-order queue
 * (tcp_reass.c): each run of adjacent queued segments is a block, the one that
 * received data last first (RFC 2018 §4: "The first SACK block ... MUST specify the
 * contiguous block of data containing the segment which triggered this ACK"), then
 * the others by how recently data arrived in them. A duplicate segment is reported
 * first as a D-SACK (RFC 2883 §4); the range waits in the shard (sh->dsack) for the
 * ACK that leaves at the burst's flush.
 *
 * Sender: the peer's blocks go on a scoreboard (struct tcp_sack_board), taken from a
 * bounded per-worker array when the first block above SND.UNA arrives (or at a
 * retransmission timeout, for RACK) and given back when SND.UNA passes the last
 * SACKed range and the last retransmission RACK follows outside a recovery or the
 * go-back-N of a timeout, and when the connection is freed; when none is free the
 * connection recovers as NewReno does (SACK_BOARD_NOMEM). Loss recovery follows
 * RFC 6675: IsLost, pipe and NextSeg rules (1)-(3) (tcp_cc.c enters and leaves it,
 * tcp_output.c sends). SACKed data stays in the send buffer until it is
 * cumulatively acknowledged (RFC 2018 §8: the peer may renege); a timeout keeps the
 * scoreboard (RFC 6675 §5.1, as Linux tcp_enter_loss keeps its SACKed marks), so the
 * go-back-N resends the holes only.
 */
#include <string.h>

#include <rte_malloc.h>

#include "tcp_internal.h"

#define TCPOPT_NOP 1
#define TCPOPT_SACK 5

/* RFC 6675 §2 DupThresh. */
#define TCP_DUPTHRESH 3u

/* Scoreboards per worker: one per eight connections, at least 64, at most 65536. */
static uint32_t
sack_boards(const struct lr_tcp_conf *conf)
{
	if (!conf->sack)
		return 0;
	return RTE_MIN(RTE_MAX(conf->max_conns / 8, 64u), 65536u);
}

int
tcp_sack_init(struct lr_tcp_shard *sh, int socket)
{
	uint32_t i, n = sack_boards(&sh->conf);

	sh->nb_sack = 0;
	sh->sack_free = 0;
	if (n == 0)
		return 0;
	sh->sack = rte_zmalloc_socket("lr_tcp_sack", (size_t)n * sizeof(*sh->sack),
			RTE_CACHE_LINE_SIZE, socket);
	if (sh->sack == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sh->sack[i].next_free = i + 1 < n ? i + 2 : 0;
	sh->nb_sack = n;
	sh->sack_free = 1;
	return 0;
}

void
tcp_sack_fini(struct lr_tcp_shard *sh)
{
	rte_free(sh->sack);
	sh->sack = NULL;
	sh->nb_sack = 0;
	sh->sack_free = 0;
}

/* ---- receiver: our SACK and D-SACK blocks ---- */

/* Stamps wrap: a is newer than b. */
static inline bool
stamp_newer(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b) > 0;
}

struct sack_run {
	uint32_t start;
	uint32_t end;
	uint16_t stamp;
};

/* The runs of adjacent queued segments, newest data first, at most max of them.
 * @return runs in out */
static uint32_t
rcv_runs(const struct lr_tcp_conn *c, struct sack_run *out, uint32_t max)
{
	const struct tcp_ooo_seg *q = TAILQ_FIRST(&c->ooo), *nq;
	struct sack_run r;
	uint32_t n = 0, pos;

	while (q != NULL && max > 0) {
		r.start = q->seq;
		r.end = q->seq + q->len;
		r.stamp = q->stamp;
		while ((nq = TAILQ_NEXT(q, link)) != NULL && nq->seq == r.end) {
			r.end += nq->len;
			if (stamp_newer(nq->stamp, r.stamp))
				r.stamp = nq->stamp;
			q = nq;
		}
		q = TAILQ_NEXT(q, link);
		for (pos = n; pos > 0 && stamp_newer(r.stamp, out[pos - 1].stamp); pos--)
			;
		if (pos >= max)
			continue;
		if (n == max)
			n--;
		memmove(&out[pos + 1], &out[pos], (n - pos) * sizeof(*out));
		out[pos] = r;
		n++;
	}
	return n;
}

/* The D-SACK waiting for c, or NULL. */
static struct tcp_dsack *
dsack_find(struct lr_tcp_shard *sh, const struct lr_tcp_conn *c)
{
	uint32_t i;

	if (!(c->cflags & TCP_CF_DSACK))
		return NULL;
	for (i = 0; i < sh->nb_dsack; i++)
		if (sh->dsack[i].c == c)
			return &sh->dsack[i];
	return NULL;
}

/* Blocks that fit in room bytes of options (NOP NOP kind length, 8 per block). */
static inline uint32_t
blocks_fit(uint32_t room)
{
	return room >= 12 ? RTE_MIN((room - 4) / 8, (uint32_t)TCP_SACK_BLOCKS_MAX) : 0;
}

/*
 * Bytes of the SACK option an ACK of c would carry now in room bytes of option
 * space (0 when there is nothing to report).
 */
uint32_t
tcp_sack_optlen(const struct lr_tcp_conn *c, uint32_t room)
{
	struct sack_run runs[TCP_SACK_BLOCKS_MAX];
	uint32_t max = blocks_fit(room), n;

	if (TAILQ_EMPTY(&c->ooo) && !(c->cflags & TCP_CF_DSACK))
		return 0;
	n = (c->cflags & TCP_CF_DSACK) ? 1 : 0;
	if (n < max)
		n += rcv_runs(c, runs, max - n);
	n = RTE_MIN(n, max);
	return n > 0 ? 4 + 8 * n : 0;
}

/*
 * Write the SACK option of an ACK of c in at most room bytes: the D-SACK first
 * (then sent), then the out-of-order runs, newest first.
 * @return bytes written, 0 when nothing to report or no room
 */
uint32_t
tcp_sack_opt(struct lr_tcp_conn *c, uint8_t *opt, uint32_t room)
{
	struct lr_tcp_shard *sh = c->sh;
	struct sack_run runs[TCP_SACK_BLOCKS_MAX];
	uint32_t max = blocks_fit(room), n = 0, i, v[2];
	struct tcp_dsack *d;

	if (max == 0 || (TAILQ_EMPTY(&c->ooo) && !(c->cflags & TCP_CF_DSACK)))
		return 0;
	d = dsack_find(sh, c);
	if (d != NULL) {
		runs[n].start = d->start;
		runs[n].end = d->end;
		n++;
		d->c = NULL;
		LR_TCP_STAT_INC(&sh->stats, DSACK_TX);
	}
	c->cflags &= ~TCP_CF_DSACK;
	n += rcv_runs(c, runs + n, max - n);
	if (n == 0)
		return 0;
	opt[0] = TCPOPT_NOP;
	opt[1] = TCPOPT_NOP;
	opt[2] = TCPOPT_SACK;
	opt[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		v[0] = rte_cpu_to_be_32(runs[i].start);
		v[1] = rte_cpu_to_be_32(runs[i].end);
		memcpy(opt + 4 + 8 * i, v, 8);
	}
	LR_TCP_STAT_ADD(&sh->stats, SACK_BLOCKS_TX, n);
	return 4 + 8 * n;
}

/*
 * Duplicate data [start, end) arrived (below RCV.NXT, or already queued): RFC 2883
 * §4 "the first SACK block ... should specify the contiguous sequence space ... of
 * the received duplicate segment", in an ACK sent at once. A later duplicate in the
 * same burst replaces it; past TCP_DSACK_MAX connections in one burst none is sent.
 */
void
tcp_sack_dsack(struct lr_tcp_conn *c, uint32_t start, uint32_t end)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_dsack *d;

	if (!(c->cflags & TCP_CF_SACK) || c->state < LR_TCP_ESTABLISHED)
		return;
	d = dsack_find(sh, c);
	if (d == NULL) {
		if (sh->nb_dsack >= TCP_DSACK_MAX)
			return;
		d = &sh->dsack[sh->nb_dsack++];
		d->c = c;
		c->cflags |= TCP_CF_DSACK;
	}
	d->start = start;
	d->end = end;
	tcp_ack_schedule(c);
}

/* End of the burst: D-SACKs not sent are forgotten. */
void
tcp_sack_flush(struct lr_tcp_shard *sh)
{
	uint32_t i;

	for (i = 0; i < sh->nb_dsack; i++)
		if (sh->dsack[i].c != NULL)
			sh->dsack[i].c->cflags &= ~TCP_CF_DSACK;
	sh->nb_dsack = 0;
}

/* ---- sender: the scoreboard ---- */

/* c's scoreboard, taken from the free list if it has none. NULL when none is free. */
static struct tcp_sack_board *
board_get(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_sack_board *b;
	uint32_t idx;

	if (c->sack_board != 0)
		return tcp_sack_board(c);
	if (sh->sack_free == 0) {
		LR_TCP_STAT_INC(&sh->stats, SACK_BOARD_NOMEM);
		return NULL;
	}
	idx = sh->sack_free;
	b = &sh->sack[idx - 1];
	sh->sack_free = b->next_free;
	memset(b, 0, sizeof(*b));
	b->high_rxt = c->snd_una;
	c->sack_board = idx;
	sh->sack_used++;
	return b;
}

/* Give c's scoreboard back (timeout, connection freed, nothing SACKed any more). */
void
tcp_sack_clear(struct lr_tcp_conn *c)
{
	struct lr_tcp_shard *sh = c->sh;
	struct tcp_sack_board *b = tcp_sack_board(c);

	if (b == NULL)
		return;
	b->next_free = sh->sack_free;
	sh->sack_free = c->sack_board;
	c->sack_board = 0;
	sh->sack_used--;
}

/* Record SACKed [s, e) on b, merging with the ranges it touches.
 * @return true when it SACKs something new */
static bool
board_add(struct lr_tcp_shard *sh, struct tcp_sack_board *b, uint32_t s, uint32_t e)
{
	uint32_t i, j, k, at;

	for (i = 0; i < b->n && SEQ_LT(b->r[i].end, s); i++)
		;
	for (j = i; j < b->n && SEQ_LEQ(b->r[j].start, e); j++)
		;
	if (j > i) {
		if (j == i + 1 && SEQ_LEQ(b->r[i].start, s) && SEQ_GEQ(b->r[i].end, e))
			return false;
		for (at = b->r[i].at, k = i + 1; k < j; k++)
			if ((int32_t)(b->r[k].at - at) < 0)
				at = b->r[k].at;
		b->r[i].start = SEQ_MIN(s, b->r[i].start);
		b->r[i].end = SEQ_MAX(e, b->r[j - 1].end);
		b->r[i].at = at;
		memmove(&b->r[i + 1], &b->r[j], (b->n - j) * sizeof(b->r[0]));
		b->n -= j - i - 1;
		return true;
	}
	if (b->n == TCP_SACK_RANGES) {
		LR_TCP_STAT_INC(&sh->stats, SACK_IGN_FULL);
		return false;
	}
	memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(b->r[0]));
	b->r[i].start = s;
	b->r[i].end = e;
	b->r[i].at = (uint32_t)sh->w->now_us;
	b->n++;
	return true;
}

/*
 * Retransmission timeout: RFC 6675 §5.1 keeps the scoreboard ("Update() SHOULD
 * continue to be used"), and like Linux (tcp_enter_loss) the go-back-N from SND.UNA
 * resends only what was not SACKed (tcp_sack_skip()). What was retransmitted is lost
 * with the rest: HighRxt back to SND.UNA, RACK's records dropped. With RACK a board
 * is taken even when nothing is SACKed, and kept until the flight of the timeout is
 * acknowledged: the go-back-N's retransmissions are recorded on it (tcp_output()), so
 * one lost again is found when data sent after it is delivered (RFC 8985 §6), not
 * by the next, doubled, timeout. Without RACK a board without ranges goes.
 */
void
tcp_sack_timeout(struct lr_tcp_conn *c)
{
	struct tcp_sack_board *b = tcp_sack_board(c);

	if (b == NULL && (c->cflags & TCP_CF_SACK) && c->sh->conf.rack &&
			c->state >= LR_TCP_ESTABLISHED && c->snd_una != c->snd_max)
		b = board_get(c);
	if (b == NULL)
		return;
	if (b->n == 0 && !c->sh->conf.rack) {
		tcp_sack_clear(c);
		return;
	}
	b->high_rxt = c->snd_una;
	b->nrx = 0;
	b->rto_jiffy = 0;
}

/*
 * The go-back-N after a timeout skips SACKed data: seq moves past the SACKed range
 * holding it.
 * @return the end of the hole at seq (the next SACKed range's start), SND.MAX when
 *         no range lies above
 */
uint32_t
tcp_sack_skip(const struct lr_tcp_conn *c, uint32_t *seq)
{
	const struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t i;

	for (i = 0; b != NULL && i < b->n; i++) {
		if (SEQ_LT(*seq, b->r[i].start))
			return b->r[i].start;
		if (SEQ_LT(*seq, b->r[i].end))
			*seq = b->r[i].end;
	}
	return c->snd_max;
}

/* The right edge of cwnd from SND.UNA when SACKed bytes are not in flight: cwnd of
 * unSACKed bytes (the go-back-N after a timeout, RFC 6675 §5.1). */
uint32_t
tcp_sack_cwnd_end(const struct lr_tcp_conn *c)
{
	const struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t i, end = c->snd_una + c->cwnd;

	for (i = 0; b != NULL && i < b->n && SEQ_LT(b->r[i].start, end); i++)
		end += b->r[i].end - SEQ_MAX(b->r[i].start, c->snd_una);
	return end;
}

/*
 * The SACK blocks of an acceptable ACK (before SND.UNA moves). A block beyond
 * SND.MAX, not above SND.UNA (unless it is the first and a D-SACK, RFC 2883 §4), or
 * empty is ignored and counted.
 * @return true when the scoreboard learnt something
 */
bool
tcp_sack_update(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	struct lr_tcp_shard *sh = c->sh;
	const struct tcp_opts *o = &seg->opt;
	struct tcp_sack_board *b;
	uint32_t i, s, e, lo;
	bool news = false;

	if (!(c->cflags & TCP_CF_SACK) || (seg->flags & RTE_TCP_SYN_FLAG)) {
		LR_TCP_STAT_INC(&sh->stats, SACK_IGN_UNUSED);
		return false;
	}
	LR_TCP_STAT_ADD(&sh->stats, SACK_BLOCKS_RX, o->nsack);
	lo = SEQ_MAX(seg->ack, c->snd_una);
	for (i = 0; i < o->nsack; i++) {
		s = o->sack[i][0];
		e = o->sack[i][1];
		if (!SEQ_LT(s, e)) {
			LR_TCP_STAT_INC(&sh->stats, SACK_IGN_INVALID);
			continue;
		}
		if (SEQ_GT(e, c->snd_max)) {
			LR_TCP_STAT_INC(&sh->stats, SACK_IGN_BEYOND);
			continue;
		}
		/* RFC 2883 §4: a D-SACK is the first block, below the cumulative ACK or
		 * inside the second block. */
		if (i == 0 && (SEQ_LEQ(e, seg->ack) || (o->nsack > 1 &&
				SEQ_GEQ(s, o->sack[1][0]) && SEQ_LEQ(e, o->sack[1][1])))) {
			LR_TCP_STAT_INC(&sh->stats, DSACK_RX);
			tcp_cc_dsack(c, s, e);
			continue;
		}
		if (SEQ_LEQ(e, lo)) {
			LR_TCP_STAT_INC(&sh->stats, SACK_IGN_OLD);
			continue;
		}
		b = board_get(c);
		if (b == NULL)
			return news;
		news |= board_add(sh, b, SEQ_MAX(s, lo), e);
	}
	if (news)
		tcp_rack_delivered(c, tcp_sack_board(c));
	return news;
}

/* SND.UNA moved: ranges below it go; the board is given back once nothing is
 * SACKed, no retransmission is followed and no recovery or go-back-N after a timeout
 * is under way. */
void
tcp_sack_acked(struct lr_tcp_conn *c)
{
	struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t i = 0, una = c->snd_una;

	if (b == NULL)
		return;
	while (i < b->n && SEQ_LEQ(b->r[i].end, una))
		i++;
	if (i > 0) {
		memmove(&b->r[0], &b->r[i], (b->n - i) * sizeof(b->r[0]));
		b->n -= i;
	}
	if (b->n > 0 && SEQ_LT(b->r[0].start, una))
		b->r[0].start = una;
	b->high_rxt = SEQ_MAX(b->high_rxt, una);
	if (b->n > 0 && b->r[0].start == una) {
		/* RFC 2018 §8: a receiver holding the range would have acknowledged
		 * through it; it reneged (Linux tcp_check_sack_reneging). Forget what
		 * it SACKed; a go-back-N after a timeout that skipped the range starts
		 * again from SND.UNA. */
		LR_TCP_STAT_INC(&c->sh->stats, SACK_RENEGED);
		b->n = 0;
		if (SEQ_LT(c->snd_nxt, c->snd_max))
			c->snd_nxt = una;
	}
	tcp_rack_delivered(c, b);
	/* c->recover: the end of a recovery's or a timeout's flight (RFC 6675
	 * RecoveryPoint); until it is acknowledged the board keeps a recovery's
	 * HighRxt and, with RACK, the go-back-N's retransmissions */
	if (b->n == 0 && b->nrx == 0 && (SEQ_GEQ(una, c->recover) ||
			!((c->flags & TCP_F_RECOVERY) || c->sh->conf.rack)))
		tcp_sack_clear(c);
}

/*
 * RFC 6675 §4 IsLost(SeqNum): "DupThresh discontiguous SACKed sequences have arrived
 * above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with sequence numbers
 * greater than 'SeqNum' have been SACKed" (sequences counted as ranges). Fewer
 * bytes and ranges lie above a higher byte, so the unSACKed bytes it holds true
 * for are those below one point.
 * @return that point: every unSACKed byte below it is lost (SND.UNA: none)
 */
static uint32_t
dup_lost_end(const struct lr_tcp_conn *c, const struct tcp_sack_board *b)
{
	uint32_t i, bytes = 0, mss = tcp_eff_mss(c);

	for (i = b->n; i-- > 0;) {
		bytes += b->r[i].end - b->r[i].start;
		if (b->n - i >= TCP_DUPTHRESH || bytes > (TCP_DUPTHRESH - 1) * mss)
			return b->r[i].start;
	}
	return c->snd_una;
}

/* Lost by either rule: IsLost, or RACK (RFC 8985 §6.2, tcp_rack.c) for data sent
 * before data delivered more than the reordering window ago. */
static uint32_t
lost_end(const struct lr_tcp_conn *c, const struct tcp_sack_board *b)
{
	return SEQ_MAX(dup_lost_end(c, b), tcp_rack_lost_point(c, b));
}

/* IsLost(HighACK + 1): the first unacknowledged byte is lost.
 * @return 0: not lost, 1: lost by IsLost, 2: lost by RACK only */
int
tcp_sack_una_lost(const struct lr_tcp_conn *c)
{
	const struct tcp_sack_board *b = tcp_sack_board(c);

	if (b == NULL)
		return 0;
	if (SEQ_GT(dup_lost_end(c, b), c->snd_una))
		return 1;
	return SEQ_GT(tcp_rack_lost_point(c, b), c->snd_una) ? 2 : 0;
}

/*
 * RFC 6675 §4 SetPipe(): each unSACKed byte sent counts once unless IsLost, and once
 * more when retransmitted (below HighRxt). A retransmitted byte's original counts
 * no more, as Linux counts it (tcp_packets_in_flight(): out - SACKed - lost +
 * retransmitted; what it resends it has marked lost): retransmissions here are sent
 * for a loss (IsLost, RACK, a partial ACK's head, a timeout; NextSeg (3)'s rescue,
 * the exception, only when nothing else may go), and IsLost alone misses those
 * with nothing SACKed above them. Counted twice, a head resent on a partial ACK fills
 * a small cwnd alone, and a receiver given one segment delays its ACK.
 */
uint32_t
tcp_sack_pipe(const struct lr_tcp_conn *c)
{
	const struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t i, s = c->snd_una, e, lost, hr, pipe = 0;

	if (b == NULL)
		return c->snd_max - c->snd_una;
	hr = SEQ_MAX(b->high_rxt, c->snd_una);
	lost = SEQ_MAX(lost_end(c, b), hr);
	for (i = 0; i <= b->n; i++) {
		e = i < b->n ? b->r[i].start : c->snd_max;
		if (SEQ_LT(s, e)) {
			pipe += e - s;
			if (SEQ_GT(lost, s))
				pipe -= SEQ_MIN(lost, e) - s;
			if (SEQ_GT(hr, s))
				pipe += SEQ_MIN(hr, e) - s;
		}
		if (i < b->n)
			s = SEQ_MAX(s, b->r[i].end);
	}
	return pipe;
}

/* [seq, end) retransmitted (fast retransmit, partial ACK, the go-back-N after a
 * timeout): HighRxt, and RACK's record of it. */
void
tcp_sack_rexmitted(struct lr_tcp_conn *c, uint32_t seq, uint32_t end)
{
	struct tcp_sack_board *b = tcp_sack_board(c);

	if (b != NULL) {
		b->high_rxt = SEQ_MAX(b->high_rxt, end);
		tcp_rack_sent(c, b, seq, end);
	}
}

/* A segment to retransmit: the first unSACKed byte at or above HighRxt and below
 * limit, up to cap bytes of data within its hole, and our FIN when the hole holds it.
 * @return false when there is none */
static bool
next_hole(const struct lr_tcp_conn *c, const struct tcp_sack_board *b, uint32_t limit,
		uint32_t cap, uint32_t *seq, uint32_t *len, bool *fin)
{
	uint32_t i, s = c->snd_una, e, from, data_end = c->snd_una + c->sb_len;
	uint32_t hr = SEQ_MAX(b->high_rxt, c->snd_una);

	for (i = 0; i <= b->n; i++) {
		e = i < b->n ? b->r[i].start : c->snd_max;
		from = SEQ_MAX(s, hr);
		if (SEQ_LT(from, e) && SEQ_LT(from, limit)) {
			*seq = from;
			*len = SEQ_LT(from, data_end) ?
				RTE_MIN(SEQ_MIN(e, data_end) - from, cap) : 0;
			*fin = (c->flags & TCP_F_FIN_SENT) && from + *len == c->fin_seq &&
				SEQ_GT(e, c->fin_seq);
			return *len > 0 || *fin;
		}
		if (i < b->n)
			s = SEQ_MAX(s, b->r[i].end);
	}
	return false;
}

/* Retransmit one segment from the scoreboard. @return false on failure */
static bool
rexmit_hole(struct lr_tcp_conn *c, struct tcp_sack_board *b, uint32_t seq, uint32_t len,
		bool fin)
{
	if (tcp_output_rexmit(c, seq, len, fin) < 0)
		return false;
	LR_TCP_STAT_INC(&c->sh->stats, SACK_REXMT);
	b->high_rxt = SEQ_MAX(b->high_rxt, seq + len + fin);
	tcp_rack_sent(c, b, seq, seq + len + fin);
	if (c->timer[TCP_T_REXMT] == 0)
		tcp_timer_arm(c, TCP_T_REXMT, c->rto_us);
	return true;
}

/*
 * RFC 6675 §5 in recovery: "(C) If cwnd - pipe >= 1 SMSS the sender SHOULD transmit
 * one or more segments": NextSeg (1), the lost holes above HighRxt, while it holds.
 * @param cap largest payload of a segment
 * @param wnd_end the right edge of the peer's window
 * @return how far new data (NextSeg (2)) may go: SND.NXT + cwnd - pipe, within
 *         wnd_end; SND.NXT when less than one SMSS is left
 */
uint32_t
tcp_sack_output(struct lr_tcp_conn *c, uint32_t cap, uint32_t wnd_end)
{
	struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t mss = tcp_eff_mss(c), pipe, seq, len;
	bool fin;

	for (;;) {
		pipe = tcp_sack_pipe(c);
		if (c->cwnd < pipe + mss)
			return c->snd_nxt;
		if (!next_hole(c, b, lost_end(c, b), cap, &seq, &len, &fin))
			break;
		if (!rexmit_hole(c, b, seq, len, fin))
			return c->snd_nxt;
		if (SEQ_GEQ(seq, dup_lost_end(c, b)))
			LR_TCP_STAT_INC(&c->sh->stats, RACK_LOST); /* not IsLost: RACK's */
	}
	if (SEQ_LT(c->snd_nxt + (c->cwnd - pipe), wnd_end))
		return c->snd_nxt + (c->cwnd - pipe);
	return wnd_end;
}

/*
 * RFC 6675 NextSeg (3): "If the conditions for rules (1) and (2) fail, but there
 * exists an unSACKed sequence number S3 that meets the criteria for detecting loss
 * given in steps (1.a) and (1.b) above (specifically excluding step (1.c)), then one
 * segment of up to SMSS octets starting with S3 SHOULD be returned."
 * @return true when one was sent
 */
bool
tcp_sack_rescue(struct lr_tcp_conn *c, uint32_t cap)
{
	struct tcp_sack_board *b = tcp_sack_board(c);
	uint32_t seq, len;
	bool fin;

	if (b == NULL || b->n == 0 || c->cwnd < tcp_sack_pipe(c) + tcp_eff_mss(c))
		return false;
	if (!next_hole(c, b, b->r[b->n - 1].end, cap, &seq, &len, &fin))
		return false;
	return rexmit_hole(c, b, seq, len, fin);
}
