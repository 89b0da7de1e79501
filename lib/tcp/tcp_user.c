/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User calls, RFC 9293 §3.10.1-3.10.6: OPEN (active), SEND, CLOSE, ABORT, STATUS.
 * Listening (passive OPEN) is in tcp_conn.c with the listener table.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "lr_steer.h"
#include "tcp_internal.h"

/* Next free local port (no connection, no TIME_WAIT entry) of the ephemeral range for
 * (laddr, raddr, rport) whose replies the NIC's (or the software) RSS hands to this
 * worker, so the SYN-ACK is never received by another core.
 */
static int
tcp_pick_port(const struct lr_worker *w, struct lr_tcp_shard *sh, struct tcp_key *key)
{
	uint32_t range = (uint32_t)sh->conf.port_hi - sh->conf.port_lo + 1;
	uint32_t i;

	for (i = 0; i < range; i++) {
		uint16_t port = sh->next_port;

		sh->next_port = port >= sh->conf.port_hi ? sh->conf.port_lo : port + 1;
		if (port < sh->conf.port_lo || tcp_listener_lookup(sh, port) != NULL)
			continue;
		if (!lr_steer_port_ok(w->id, key->laddr, port, key->raddr,
				rte_be_to_cpu_16(key->rport)))
			continue;
		key->lport = rte_cpu_to_be_16(port);
		if (tcp_conn_lookup(sh, key) == NULL && !tcp_tw_exists(sh, key))
			return 0;
	}
	return -EADDRNOTAVAIL;
}

void
lr_tcp_connect_prefetch(struct lr_worker *w, rte_be32_t src, rte_be32_t dst, uint16_t dport,
		uint32_t ahead)
{
	struct lr_tcp_shard *sh = w->tcp;
	uint32_t range;
	struct tcp_key key;

	if (sh == NULL || src == 0)
		return;
	/* the key tcp_pick_port() tries first then, if every port before it is taken */
	range = (uint32_t)sh->conf.port_hi - sh->conf.port_lo + 1;
	key.raddr = dst;
	key.laddr = src;
	key.rport = rte_cpu_to_be_16(dport);
	key.lport = rte_cpu_to_be_16((uint16_t)(sh->conf.port_lo +
			(sh->next_port - sh->conf.port_lo + ahead) % range));
	tcp_ctab_prefetch(&sh->table, &key);
	tcp_tw_prefetch(sh, &key);
}

/* §3.10.1 OPEN call, active: "Create a new TCB... An initial send sequence number
 * (ISS) is selected. A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set
 * SND.UNA to ISS, SND.NXT to ISS+1, enter SYN-SENT state, and return." */
struct lr_tcp_conn *
lr_tcp_connect(struct lr_worker *w, rte_be32_t dst, uint16_t dport,
		const struct lr_tcp_callbacks *cb, void *arg)
{
	return lr_tcp_connect_from(w, 0, dst, dport, cb, arg);
}

struct lr_tcp_conn *
lr_tcp_connect_from(struct lr_worker *w, rte_be32_t src, rte_be32_t dst, uint16_t dport,
		const struct lr_tcp_callbacks *cb, void *arg)
{
	struct lr_tcp_shard *sh = w->tcp;
	const struct lr_iface *ifc;
	struct lr_tcp_conn *c;
	struct tcp_key key;
	int rc;

	if (sh == NULL || cb == NULL || dport == 0 || lr_ip_is_martian_src(dst)) {
		errno = EINVAL;
		return NULL;
	}
	ifc = lr_iface_route(w, dst, NULL);
	if (ifc == NULL) {
		errno = ENETUNREACH;
		return NULL;
	}
	if (src != 0 && !lr_iface_has_ip(ifc, src)) {
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	memset(&key, 0, sizeof(key));
	key.raddr = dst;
	key.laddr = src != 0 ? src : ifc->ip;
	key.rport = rte_cpu_to_be_16(dport);
	rc = tcp_pick_port(w, sh, &key);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	lr_steer_assert_owner(w, key.laddr, rte_be_to_cpu_16(key.lport), key.raddr, dport);
	c = tcp_conn_new(w, &key);
	if (c == NULL) {
		LR_TCP_STAT_INC(&sh->stats, CONN_FULL);
		errno = ENOSPC;
		return NULL;
	}
	c->cb = cb;
	c->arg = arg;
	c->flags |= TCP_F_NOTIFIED;
	/* RFC 7323, RFC 2018: offer window scaling, timestamps and SACK on our SYN. */
	if (sh->conf.window_scaling)
		c->flags |= TCP_F_WSCALE;
	if (sh->conf.timestamps)
		c->flags |= TCP_F_TSTAMP;
	if (sh->conf.sack)
		c->cflags |= TCP_CF_SACK;
	/* RFC 3168 §6.1.1: an ECN-setup SYN (net.ipv4.tcp_ecn = 1) */
	if (sh->conf.ecn == LR_TCP_ECN_ON)
		c->ecn = TCP_ECN_OFFER;
	c->iss = tcp_new_isn(sh, &key, w->now_us);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	tcp_set_state(c, LR_TCP_SYN_SENT);
	LR_TCP_STAT_INC(&sh->stats, ACTIVE_OPEN);
	tcp_output_schedule(c);
	return c;
}

/* §3.10.2 SEND call: queued in SYN states, sent in ESTABLISHED and CLOSE_WAIT;
 * "error: connection closing" once a FIN is queued. */
static int
send_allowed(const struct lr_tcp_conn *c)
{
	if (c->flags & (TCP_F_FREED | TCP_F_APP_CLOSED))
		return -ENOTCONN;
	if (c->flags & TCP_F_FIN_QUEUED)
		return -EPIPE;
	switch (c->state) {
	case LR_TCP_SYN_SENT:
	case LR_TCP_SYN_RCVD:
	case LR_TCP_ESTABLISHED:
	case LR_TCP_CLOSE_WAIT:
		return 0;
	default:
		return -ENOTCONN;
	}
}

int
lr_tcp_send(struct lr_tcp_conn *c, const void *buf, uint32_t len)
{
	uint32_t room;
	int n;

	n = send_allowed(c);
	if (n != 0)
		return n;
	room = lr_tcp_send_space(c);
	len = RTE_MIN(len, room);
	if (len == 0)
		return 0;
	n = tcp_sb_append(c, buf, len);
	if ((uint32_t)n < len)
		LR_TCP_STAT_INC(&c->sh->stats, SND_NOMEM);
	if (n == 0)
		return -ENOBUFS;
	tcp_output_schedule(c);
	return n;
}

/* Chains up to this many bytes are copied behind the send buffer's last byte rather
 * than linked, so small writes do not pin a buffer each. */
#define TCP_SB_COPY_MAX 512u

int
lr_tcp_send_mbuf(struct lr_tcp_conn *c, struct rte_mbuf *m)
{
	struct lr_worker *w = c->sh->w;
	struct rte_mbuf *h;
	uint32_t len, charged;
	int rc = send_allowed(c);

	if (rc != 0)
		return rc;
	len = rte_pktmbuf_pkt_len(m);
	if (len > lr_tcp_send_space(c))
		return -EMSGSIZE;
	if (len <= TCP_SB_COPY_MAX || len <= tcp_sb_tailroom(c)) {
		if (tcp_sb_append_mbuf(c, m) < 0) {
			LR_TCP_STAT_INC(&c->sh->stats, SND_NOMEM);
			return -ENOBUFS;
		}
		rte_pktmbuf_free(m);
	} else {
		/* Out of RX pools (an echo must not pin receive buffers) and sparse
		 * chains collapsed, then charged. A reference of our own keeps m the
		 * caller's when that fails. */
		rte_pktmbuf_refcnt_update(m, 1);
		h = lr_mbuf_hold(w, m, LR_MEM_TCP_SND, &charged);
		if (h == NULL) {
			LR_TCP_STAT_INC(&c->sh->stats, SND_NOMEM);
			return -ENOBUFS;
		}
		if (h != m)
			rte_pktmbuf_free(m);
		else
			rte_pktmbuf_refcnt_update(m, -1);
		tcp_sb_link(c, h, charged);
	}
	tcp_output_schedule(c);
	return 0;
}

/* RFC 9293 §3.10.3 RECEIVE, the buffer part: the application gives back bytes it
 * held; a window update goes out when the right edge would move by at least
 * min(buffer / 2, MSS) (receiver SWS avoidance, RFC 1122 4.2.3.3). */
static void
rcv_reopen(struct lr_tcp_conn *c)
{
	uint32_t space, cur, thresh;

	switch (c->state) {
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
		break;
	default:
		return; /* no more data will come: no window to reopen */
	}
	space = tcp_rcv_space(c);
	cur = tcp_rcv_wnd(c);
	thresh = RTE_MIN(c->sh->conf.rcv_wnd / 2, (uint32_t)c->adv_mss);
	if (space >= cur + thresh && !(c->flags & TCP_F_ACK_PENDING)) {
		LR_TCP_STAT_INC(&c->sh->stats, WND_UPDATE);
		tcp_ack_schedule(c);
	}
}

void
lr_tcp_recved(struct lr_tcp_conn *c, uint32_t len)
{
	if (c->flags & TCP_F_FREED)
		return;
	c->rcv_held -= RTE_MIN(len, c->rcv_held);
	rcv_reopen(c);
}

struct rte_mbuf *
lr_tcp_rcv_hold(struct lr_tcp_conn *c, struct rte_mbuf *m, uint32_t *charged)
{
	m = lr_mbuf_hold(c->sh->w, m, LR_MEM_TCP_RCV, charged);
	if (m != NULL)
		c->rcv_true += *charged;
	return m;
}

void
lr_tcp_rcv_release(struct lr_tcp_conn *c, uint32_t truesize)
{
	struct lr_worker *w = c->sh->w;

	truesize = RTE_MIN(truesize, c->rcv_true);
	if (truesize == 0)
		return;
	c->rcv_true -= truesize;
	lr_mem_uncharge(&w->mem, w->stats, LR_MEM_TCP_RCV, truesize);
	if (!(c->flags & TCP_F_FREED))
		rcv_reopen(c);
}

/*
 * sndbuf less the bytes queued, and no more than the buffers the send buffer may
 * still take hold: its mbufs' truesize stays within twice sndbuf (Linux doubles
 * SO_SNDBUF for the same reason and counts truesize in sk_wmem_queued), and at
 * least what sndbuf bytes packed in full buffers need (Linux SOCK_MIN_SNDBUF), in
 * whole buffers of the worker's pool, plus the room behind the last byte.
 */
uint32_t
lr_tcp_send_space(const struct lr_tcp_conn *c)
{
	const struct lr_tcp_shard *sh = c->sh;
	const struct tcp_sb_limits *l = &sh->sb_lim;
	struct tcp_sb_limits other;
	uint64_t room;

	if (unlikely(l->mp != sh->w->pool || l->sndbuf != sh->conf.sndbuf)) {
		tcp_sb_limits_init(&other, sh->w->pool, sh->conf.sndbuf);
		l = &other;
	}
	if (c->sb_len >= sh->conf.sndbuf || c->sb_true >= l->tbuf)
		return 0;
	if (c->sb_true <= l->fast_true)
		return sh->conf.sndbuf - c->sb_len; /* the buffers take sndbuf bytes whole */
	room = tcp_sb_tailroom(c) + (l->tbuf - c->sb_true) / l->per * l->data;
	return (uint32_t)RTE_MIN((uint64_t)(sh->conf.sndbuf - c->sb_len), room);
}

/*
 * The bounds above for pool mp: a buffer holds data bytes and costs per in
 * truesize; the send buffer's truesize stays below tbuf. While it is at most
 * fast_true, tbuf less it covers ceil(sndbuf / data) whole buffers, i.e. sndbuf
 * bytes, so the byte limit is the smaller one and no division is needed.
 */
void
tcp_sb_limits_init(struct tcp_sb_limits *l, struct rte_mempool *mp, uint32_t sndbuf)
{
	memset(l, 0, sizeof(*l));
	l->mp = mp;
	l->sndbuf = sndbuf;
	if (mp == NULL)
		return; /* no pool, no space: tbuf 0 */
	l->data = rte_pktmbuf_data_room_size(mp);
	l->per = sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(mp) + l->data;
	if (l->data == 0)
		return;
	l->tbuf = RTE_MAX(2ull * sndbuf, ((uint64_t)sndbuf / l->data + 2) * l->per);
	l->fast_true = l->tbuf - ((uint64_t)sndbuf + l->data - 1) / l->data * l->per;
}

/* §3.10.4 CLOSE call, the half-close part: "ESTABLISHED STATE: Queue this until
 * all preceding SENDs have been segmentized, then form a FIN segment and send it.
 * In any case, enter FIN-WAIT-1 state. CLOSE-WAIT STATE: Queue this request until
 * all preceding SENDs have been segmentized; then send a FIN segment, enter
 * LAST-ACK state." */
int
lr_tcp_shutdown(struct lr_tcp_conn *c)
{
	if (c->flags & (TCP_F_FREED | TCP_F_APP_CLOSED))
		return -ENOTCONN;
	if (c->flags & TCP_F_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case LR_TCP_ESTABLISHED:
		tcp_set_state(c, LR_TCP_FIN_WAIT_1);
		break;
	case LR_TCP_CLOSE_WAIT:
		tcp_set_state(c, LR_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= TCP_F_FIN_QUEUED;
	tcp_output_schedule(c);
	return 0;
}

/* §3.10.4 CLOSE call. SYN-SENT: "Delete the TCB". SYN-RECEIVED is aborted rather
 * than closed (no data was ever exchanged). */
void
lr_tcp_close(struct lr_tcp_conn *c)
{
	if (c->flags & (TCP_F_FREED | TCP_F_APP_CLOSED))
		return;
	switch (c->state) {
	case LR_TCP_SYN_SENT:
		c->flags |= TCP_F_APP_CLOSED;
		tcp_conn_free(c);
		return;
	case LR_TCP_SYN_RCVD:
		lr_tcp_abort(c);
		return;
	case LR_TCP_ESTABLISHED:
	case LR_TCP_CLOSE_WAIT:
		lr_tcp_shutdown(c);
		break;
	default:
		break;
	}
	c->flags |= TCP_F_APP_CLOSED;
	if (c->state == LR_TCP_FIN_WAIT_2)
		tcp_timer_arm(c, TCP_T_FW2, (uint64_t)c->sh->conf.fin_wait2_ms * 1000);
	tcp_orphan(c);
}

/* §3.10.5 ABORT call: "SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2,
 * CLOSE-WAIT STATES: Send a reset segment: <SEQ=SND.NXT><CTL=RST> ... delete the
 * TCB". Other states: delete the TCB. */
void
lr_tcp_abort(struct lr_tcp_conn *c)
{
	if (c->flags & TCP_F_FREED)
		return;
	switch (c->state) {
	case LR_TCP_SYN_RCVD:
	case LR_TCP_ESTABLISHED:
	case LR_TCP_FIN_WAIT_1:
	case LR_TCP_FIN_WAIT_2:
	case LR_TCP_CLOSE_WAIT:
		tcp_send_rst(c->sh->w, &c->key, tcp_rst_seq(c), 0, false);
		break;
	default:
		break;
	}
	c->flags |= TCP_F_APP_CLOSED;
	tcp_conn_free(c);
}

void
lr_tcp_set_arg(struct lr_tcp_conn *c, void *arg)
{
	c->arg = arg;
}

enum lr_tcp_state
lr_tcp_conn_state(const struct lr_tcp_conn *c)
{
	return c->state;
}

/* The connection after c (NULL: the first): shard->conns, then shard->orphans. */
static const struct lr_tcp_conn *
walk_next(const struct lr_tcp_shard *sh, const struct lr_tcp_conn *c)
{
	const struct lr_tcp_conn *n;

	if (c == NULL)
		n = TAILQ_FIRST(&sh->conns);
	else
		n = TAILQ_NEXT(c, link);
	if (n == NULL && (c == NULL || !(c->cflags & TCP_CF_ORPHAN)))
		n = TAILQ_FIRST(&sh->orphans);
	return n;
}

/* Payload bytes of the out-of-order queue (at most conf.ooo_max segments; not kept
 * in the block, whose 320 bytes are full). */
static uint32_t
ooo_payload(const struct lr_tcp_conn *c)
{
	const struct tcp_ooo_seg *q;
	uint32_t n = 0;

	TAILQ_FOREACH(q, &c->ooo, link)
		n += q->len;
	return n;
}

static void
conn_info(const struct lr_worker *w, const struct lr_tcp_conn *c, struct lr_tcp_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->laddr = c->key.laddr;
	info->lport = rte_be_to_cpu_16(c->key.lport);
	info->raddr = c->key.raddr;
	info->rport = rte_be_to_cpu_16(c->key.rport);
	info->state = c->state;
	info->state_name = lr_tcp_state_name(c->state);
	info->send_q = c->sb_len;
	info->recv_q = c->rcv_held + ooo_payload(c);
	info->srtt_us = c->srtt_us;
	info->rto_us = c->rto_us;
	info->retransmits = c->retransmits;
	info->worker = w->id;
	info->cwnd = c->cwnd;
	info->ssthresh = c->ssthresh;
	info->snd_wnd = c->snd_wnd;
	info->rcv_wnd = tcp_rcv_wnd(c);
	info->cc = lr_tcp_cc_name(tcp_cc_algo(c));
}

static void
listener_info(const struct lr_worker *w, const struct lr_tcp_listener *l,
		struct lr_tcp_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->lport = l->port;
	info->state = LR_TCP_LISTEN;
	info->state_name = lr_tcp_state_name(LR_TCP_LISTEN);
	info->worker = w->id;
}

/* §3.10.6 STATUS call, for every connection of the worker. */
unsigned int
lr_tcp_walk(struct lr_worker *w, int (*cb)(const struct lr_tcp_conn_info *info, void *arg),
		void *arg)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn_info info;
	const struct lr_tcp_conn *c;
	unsigned int n = 0;
	uint32_t i, tw_pos = 0;

	if (sh == NULL)
		return 0;
	for (i = 0; i < sh->conf.max_listeners; i++) {
		if (!sh->listeners[i].used)
			continue;
		listener_info(w, &sh->listeners[i], &info);
		n++;
		if (cb(&info, arg) != 0)
			return n;
	}
	for (c = walk_next(sh, NULL); c != NULL; c = walk_next(sh, c)) {
		conn_info(w, c, &info);
		n++;
		if (cb(&info, arg) != 0)
			return n;
	}
	tcp_tw_walk_page(w, &tw_pos, UINT32_MAX / 4, cb, arg, &n);
	return n;
}

enum { WALK_LISTENERS = 0, WALK_CONNS, WALK_TW, WALK_DONE };

/* Connections this many slots ahead are prefetched: conn_info() reads every line. */
#define WALK_PREFETCH 8
/* Rows between two looks at the clock in a page. */
#define WALK_CHECK 16

static inline void
walk_prefetch(const struct lr_tcp_shard *sh, uint32_t pos)
{
	const struct lr_tcp_conn *c;
	unsigned int off;

	if (pos >= sh->slot_hi || (c = sh->slots[pos]) == NULL)
		return;
	for (off = 0; off < sizeof(*c); off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0((const uint8_t *)c + off);
}

/* Connections from slot cur->pos on: at most max rows and budget slots looked at. */
static unsigned int
walk_conns(struct lr_worker *w, struct lr_tcp_cursor *cur, unsigned int max, uint64_t budget,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg)
{
	const struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn_info info;
	const struct lr_tcp_conn *c;
	unsigned int n = 0, k;

	uint64_t t_end = rte_rdtsc() + rte_get_tsc_hz() / 1000000 * LR_TCP_WALK_US;

	for (k = 0; k < WALK_PREFETCH; k++)
		walk_prefetch(sh, cur->pos + k);
	for (; n < max && budget > 0; budget--) {
		/* cold connections cost cache misses: the page also ends on time, checked
		 * every WALK_CHECK rows (at least that many rows a page, so it progresses) */
		if (n != 0 && n % WALK_CHECK == 0 && rte_rdtsc() > t_end)
			break;
		if (cur->pos >= sh->slot_hi) {
			cur->phase = WALK_TW;
			cur->pos = 0;
			break;
		}
		walk_prefetch(sh, cur->pos + WALK_PREFETCH);
		c = sh->slots[cur->pos++];
		if (c == NULL)
			continue;
		conn_info(w, c, &info);
		n++;
		if (cb(&info, arg) != 0) {
			cur->phase = WALK_DONE;
			break;
		}
	}
	return n;
}

/*
 * The same, a page at a time. Connections are visited in slot order (sh->slots): a
 * slot index stays meaningful whatever was added or deleted since the last page,
 * unlike a pointer into the list, and a page looks at a bounded number of slots
 * (rte_hash_iterate() would scan every empty bucket slot of the table, main and
 * extendable, milliseconds for a table of a million mostly free).
 */
unsigned int
lr_tcp_walk_page(struct lr_worker *w, struct lr_tcp_cursor *cur, unsigned int max,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn_info info;
	unsigned int n = 0;

	if (sh == NULL || max == 0) {
		cur->phase = WALK_DONE;
		return 0;
	}
	for (; cur->phase == WALK_LISTENERS && n < max; cur->pos++) {
		if (cur->pos >= sh->conf.max_listeners) {
			cur->phase = WALK_CONNS;
			cur->pos = 0;
			break;
		}
		if (!sh->listeners[cur->pos].used)
			continue;
		listener_info(w, &sh->listeners[cur->pos], &info);
		n++;
		if (cb(&info, arg) != 0) {
			cur->phase = WALK_DONE;
			return n;
		}
	}
	if (cur->phase == WALK_CONNS && n < max)
		n += walk_conns(w, cur, max - n, LR_TCP_WALK_SCAN(max), cb, arg);
	if (cur->phase == WALK_TW && n < max &&
			tcp_tw_walk_page(w, &cur->pos, max - n, cb, arg, &n))
		cur->phase = WALK_DONE;
	return n;
}

/* Shutdown after the drain: RFC 9293 §3.10.5 ABORT for every connection, a page at a
 * time so the worker keeps polling (RST in the states where ABORT sends one, the
 * application told with closed(RESET)); TIME_WAIT entries need nothing. */
unsigned int
lr_tcp_reset_all(struct lr_worker *w, unsigned int max)
{
	struct lr_tcp_shard *sh = w->tcp;
	struct lr_tcp_conn *c;

	if (sh == NULL)
		return 0;
	while (max-- > 0) {
		c = TAILQ_FIRST(&sh->conns);
		if (c == NULL)
			c = TAILQ_FIRST(&sh->orphans);
		if (c == NULL)
			break;
		switch (c->state) {
		case LR_TCP_SYN_RCVD:
		case LR_TCP_ESTABLISHED:
		case LR_TCP_FIN_WAIT_1:
		case LR_TCP_FIN_WAIT_2:
		case LR_TCP_CLOSE_WAIT:
			LR_TCP_STAT_INC(&sh->stats, SHUTDOWN_RST);
			tcp_send_rst(w, &c->key, tcp_rst_seq(c), 0, false);
			break;
		default:
			break;
		}
		tcp_close_conn(c, LR_TCP_CLOSE_RESET);
	}
	return sh->nb_conns;
}
