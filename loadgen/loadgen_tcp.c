/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator, TCP clients (crr, rr, stream_send, stream_recv): the HTTP/1.1
 * request and response, and the lib/tcp callbacks.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "loadgen_internal.h"

#define RESP_HDR_MAX 16384           /* status line + headers beyond: protocol error */
#define SRC_TRIES 4                  /* source addresses tried for one connection */
#define PREFETCH_AHEAD 4             /* connections opened before one prefetched */

/* ---- TCP: request and response ---- */

static void
resp_reset(struct lg_slot *s)
{
	s->seen_status = s->status_ok = s->hdr_done = s->has_len = false;
	s->line_len = 0;
	s->hdr_bytes = 0;
	s->body_len = s->body_left = 0;
	s->req_off = 0;
}

/* A complete response line l[0..len) (its CR LF taken off). @return -1 on a protocol
 * error */
static int
resp_line(struct lg_slot *s, const char *l, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i;

	if (!s->seen_status) {
		s->seen_status = true;
		if (len < 12 || memcmp(l, "HTTP/1.", 7) != 0)
			return -1;
		s->status_ok = memcmp(l + 8, " 200", 4) == 0;
		return 0;
	}
	/* only Content-Length matters: other lines end at their first letter */
	if (len < 15 || (l[0] | 0x20) != 'c' || strncasecmp(l, "content-length:", 15) != 0)
		return 0;
	for (i = 15; i < len && (l[i] == ' ' || l[i] == '\t'); i++)
		;
	if (i == len || l[i] < '0' || l[i] > '9')
		return -1;
	for (; i < len && l[i] >= '0' && l[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(l[i] - '0');
	s->has_len = true;
	s->body_len = s->body_left = v;
	return 0;
}

/*
 * A response that starts with the bytes of the last header parsed (a server's
 * responses mostly repeat theirs): its status and length are that header's, with no
 * parse. @return the header's length, 0 when p does not start with it
 */
static uint32_t
hdr_known(struct lg_slot *s, const uint8_t *p, uint32_t len)
{
	const struct lg_worker *lw = s->lw;

	if (lw->hdr_len == 0 || len < lw->hdr_len || memcmp(p, lw->hdr, lw->hdr_len) != 0)
		return 0;
	s->seen_status = s->status_ok = s->has_len = s->hdr_done = true;
	s->hdr_bytes = lw->hdr_len;
	s->body_len = s->body_left = lw->hdr_body;
	return lw->hdr_len;
}

/*
 * Feed response bytes. A line whole in the segment is read where it lies; only a line
 * that a segment boundary cuts is kept in s->line (its first LINE_MAX_KEPT - 1 bytes)
 * until its end arrives. A header parsed whole from one segment is kept for
 * hdr_known(). @return 1 complete, 0 more needed, -1 protocol error
 */
static int
resp_feed(struct lg_slot *s, const uint8_t *p, uint32_t len)
{
	uint32_t i = 0, take, ll, end, k;
	bool fresh = s->hdr_bytes == 0;
	const uint8_t *nl;
	const char *l;

	if (fresh)
		i = hdr_known(s, p, len);
	while (!s->hdr_done && i < len) {
		nl = memchr(p + i, '\n', len - i);
		end = nl != NULL ? (uint32_t)(nl - p) : len;
		if (s->hdr_bytes + (end - i) + (nl != NULL) > RESP_HDR_MAX)
			return -1;
		s->hdr_bytes += end - i + (nl != NULL);
		if (nl == NULL || s->line_len > 0) {
			k = RTE_MIN(end - i, (uint32_t)(LINE_MAX_KEPT - 1 - s->line_len));
			memcpy(s->line + s->line_len, p + i, k);
			s->line_len = (uint16_t)(s->line_len + k);
			if (nl == NULL)
				break;
			l = s->line;
			ll = s->line_len;
		} else {
			l = (const char *)p + i;
			ll = end - i;
		}
		i = end + 1;
		s->line_len = 0;
		if (ll > 0 && l[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			if (!s->seen_status)
				continue;
			s->hdr_done = true;
			if (!s->has_len || !s->status_ok)
				return -1;
			if (fresh && i <= HDR_KEPT_MAX) {
				memcpy(s->lw->hdr, p, i);
				s->lw->hdr_len = (uint16_t)i;
				s->lw->hdr_body = s->body_len;
			}
			break;
		}
		if (resp_line(s, l, ll) != 0)
			return -1;
	}
	if (!s->hdr_done)
		return 0;
	take = (uint32_t)RTE_MIN((uint64_t)(len - i), s->body_left);
	s->body_left -= take;
	return s->body_left == 0 ? 1 : 0;
}

/* Queue the rest of the request. @return false on a send error (slot aborted) */
static bool
req_push(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;
	int n;

	while (s->req_off < lw->req_len) {
		n = lr_tcp_send(s->c, lw->req + s->req_off, lw->req_len - s->req_off);
		if (n == -ENOBUFS || n == 0)
			return true;
		if (n < 0) {
			count_err(lw, LR_LOADGEN_ERR_NOMEM);
			lr_tcp_abort(s->c);
			lr_lg_slot_put(s);
			return false;
		}
		s->req_off += (uint32_t)n;
	}
	return true;
}

/* Send a request on an established connection. */
void
lr_lg_req_start(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	resp_reset(s);
	s->state = S_REQ;
	if (lw->conf.mode == LR_LOADGEN_RR)
		s->t_start = lw->w->now_us;
	lw->cnt.sent++;
	req_push(s);
}

void
lr_lg_slot_close(struct lg_slot *s)
{
	lr_tcp_close(s->c);
	lr_lg_slot_put(s);
}

void
lr_lg_slot_abort(struct lg_slot *s, int err)
{
	if (err >= 0)
		count_err(s->lw, (enum lr_loadgen_err)err);
	lr_tcp_abort(s->c);
	lr_lg_slot_put(s);
}

/* rr: next request now if a token allows, else wait on the idle stack. */
static void
rr_next(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	if (lw->phase >= P_DRAIN) {
		lr_lg_slot_close(s);
		return;
	}
	if (lr_lg_take_token(lw)) {
		lr_lg_req_start(s);
		return;
	}
	s->state = S_IDLE;
	if (!s->in_idle) {
		s->in_idle = true;
		lw->idle_stk[lw->nb_idle++] = s->idx;
	}
}

static void
resp_complete(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	if (lw->conf.response_size != 0 && s->body_len != lw->conf.response_size) {
		lr_lg_slot_abort(s, LR_LOADGEN_ERR_PROTO);
		return;
	}
	lw->cnt.requests++;
	lr_lg_record_latency(lw, lw->w->now_us - s->t_start);
	if (lw->conf.mode == LR_LOADGEN_CRR) {
		lw->cnt.conns_done++;
		lr_lg_slot_close(s);
		return;
	}
	rr_next(s);
}

static void
stream_fill(struct lg_slot *s)
{
	uint32_t space = lr_tcp_send_space(s->c), chunk;
	int n;

	chunk = RTE_MIN((uint32_t)STREAM_CHUNK, RTE_MAX(s->lw->conf.request_size, 1u));
	while (space > 0) {
		n = lr_tcp_send(s->c, lr_lg_pattern, RTE_MIN(space, chunk));
		if (n <= 0)
			break;
		space -= RTE_MIN(space, (uint32_t)n);
	}
}

static void
tcp_connected(struct lr_tcp_conn *c, void *arg)
{
	struct lg_slot *s = arg;
	struct lg_worker *lw = s->lw;

	RTE_SET_USED(c);
	lw->cnt.conns++;
	switch (lw->conf.mode) {
	case LR_LOADGEN_CRR:
		lr_lg_req_start(s);
		break;
	case LR_LOADGEN_RR:
		rr_next(s);
		break;
	case LR_LOADGEN_STREAM_SEND:
		s->state = S_STREAM;
		stream_fill(s);
		break;
	default:
		s->state = S_STREAM;
		break;
	}
}

static void
tcp_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	struct lg_slot *s = arg;
	struct lg_worker *lw = s->lw;
	struct rte_mbuf *seg;
	int rc = 0;

	RTE_SET_USED(c);
	lw->cnt.rx_bytes += m->pkt_len;
	if (s->state != S_REQ) {
		rte_pktmbuf_free(m);
		if (s->state == S_IDLE) /* unsolicited bytes on an idle keep-alive connection */
			count_err(lw, LR_LOADGEN_ERR_PROTO);
		return;
	}
	for (seg = m; seg != NULL && rc == 0; seg = seg->next)
		rc = resp_feed(s, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
	rte_pktmbuf_free(m);
	if (rc < 0)
		lr_lg_slot_abort(s, LR_LOADGEN_ERR_PROTO);
	else if (rc > 0)
		resp_complete(s);
}

static void
tcp_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	struct lg_slot *s = arg;

	RTE_SET_USED(c);
	s->lw->cnt.tx_bytes += acked;
	if (s->state == S_STREAM && s->lw->conf.mode == LR_LOADGEN_STREAM_SEND)
		stream_fill(s);
	else if (s->state == S_REQ)
		req_push(s);
}

static void
tcp_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	struct lg_slot *s = arg;

	RTE_SET_USED(c);
	/* an idle rr slot stays on the idle stack; start_work() skips it */
	if (s->state == S_REQ)
		count_err(s->lw, LR_LOADGEN_ERR_CLOSED);
	lr_lg_slot_close(s);
}

static void
tcp_closed(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg)
{
	struct lg_slot *s = arg;
	static const int kind[] = {
		[LR_TCP_CLOSE_NORMAL] = LR_LOADGEN_ERR_CLOSED,
		[LR_TCP_CLOSE_RESET] = LR_LOADGEN_ERR_RESET,
		[LR_TCP_CLOSE_REFUSED] = LR_LOADGEN_ERR_REFUSED,
		[LR_TCP_CLOSE_TIMEOUT] = LR_LOADGEN_ERR_TIMEOUT,
	};

	RTE_SET_USED(c);
	if (reason != LR_TCP_CLOSE_NORMAL || s->state == S_REQ)
		count_err(s->lw, (enum lr_loadgen_err)kind[reason]);
	lr_lg_slot_put(s);
}

static const struct lr_tcp_callbacks lg_cb = {
	.connected = tcp_connected, .data = tcp_data, .sent = tcp_sent,
	.peer_closed = tcp_peer_closed, .closed = tcp_closed,
};

/*
 * Open one connection. An address of the pool whose ports are all taken (open or in
 * TIME_WAIT towards the target) hands over to the next ones, up to SRC_TRIES
 * addresses: each failed address costs a scan of the port range, so a pool taken
 * whole stops the turn after a few scans; the next turn goes on from the address
 * after them. @return false when no more should be tried this turn
 */
bool
lr_lg_tcp_open(struct lg_worker *lw)
{
	const struct lr_loadgen_target *t;
	struct lg_slot *s = lr_lg_slot_get(lw);
	const struct lr_iface *ifc;
	uint32_t ti, tries;

	if (s == NULL)
		return false;
	t = lr_lg_next_target(lw, &ti);
	resp_reset(s);
	s->t_start = lw->w->now_us;
	ifc = lw->src_ifc[ti];
	tries = ifc != NULL ? RTE_MIN(RTE_MAX(ifc->ip_count, 1u), (uint32_t)SRC_TRIES) : 1;
	do {
		errno = 0;
		s->c = lr_tcp_connect_from(lw->w, lr_lg_next_src(lw, ti), t->ip, t->port, &lg_cb,
				s);
	} while (s->c == NULL && errno == EADDRNOTAVAIL && --tries > 0);
	if (s->c == NULL) {
		count_err(lw, LR_LOADGEN_ERR_CONNECT);
		lr_lg_slot_put(s);
		return false;
	}
	lr_tcp_set_cc(s->c, (enum lr_tcp_cc)lw->conf.cc);
	/* The port choice of a connection reads two random lines: those of the one
	 * PREFETCH_AHEAD opens on are fetched now, while this SYN is built and the
	 * next ones open (one connection ahead is too close to hide the miss). Targets
	 * and source addresses go round one a connection, ports one a connection. */
	ti = (lw->next_target + PREFETCH_AHEAD - 1) % lw->conf.nb_targets;
	t = &lw->conf.targets[ti];
	lr_tcp_connect_prefetch(lw->w, lr_lg_peek_src(lw, ti, PREFETCH_AHEAD - 1), t->ip,
			t->port, PREFETCH_AHEAD - 1);
	return true;
}
