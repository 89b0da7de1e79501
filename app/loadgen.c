/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator (see loadgen.h): crr, rr, stream_send, stream_recv and udp clients
 * on the callback API of lib/tcp and the service dispatch of lib/udp.
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
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "loadgen.h"
#include "lr_tcp.h"
#include "lr_udp.h"

#define PER_TURN 64                  /* starts per poll turn and worker */
#define UDP_MAGIC 0x4c52474eu        /* "LRGN" */
#define LINE_MAX_KEPT 64             /* response line bytes kept for parsing */
#define RESP_HDR_MAX 16384           /* status line + headers beyond: protocol error */
#define PROGRESS_US 1000000
#define STREAM_CHUNK 16384

enum phase { P_WARMUP = 0, P_WINDOW, P_DRAIN, P_DONE };
enum slot_state { S_FREE = 0, S_CONNECTING, S_REQ, S_IDLE, S_STREAM };

struct lg_worker;

/* One connection (TCP modes) or one datagram in flight (udp). */
struct lg_slot {
	struct lg_worker *lw;
	struct lr_tcp_conn *c;
	uint32_t idx;
	uint32_t gen;                /* udp: generation carried by the datagram */
	uint8_t state;
	bool in_idle;                /* its index is on the idle stack */
	bool seen_status, status_ok, hdr_done, has_len;
	uint16_t line_len;
	char line[LINE_MAX_KEPT];
	uint32_t hdr_bytes;
	uint32_t req_off;            /* request bytes queued */
	uint64_t body_len, body_left;
	uint64_t t_start;            /* crr: connect; rr: request; udp: send */
};

/* The UDP payload head. */
struct udp_probe {
	uint32_t magic;
	uint16_t worker;
	uint16_t pad;
	uint32_t idx;
	uint32_t gen;
	uint64_t t_us;
} __rte_packed;

struct __rte_cache_aligned lg_worker {
	struct lr_worker *w;
	bool started, done;
	enum phase phase;
	struct lr_loadgen_conf conf;
	uint32_t conc;               /* this worker's share */
	uint64_t rate;               /* this worker's share, 0 = unbounded */
	struct lg_slot *slots;
	uint32_t *free_stk, nb_free;
	uint32_t *idle_stk, nb_idle;
	uint32_t active;             /* slots not free */
	uint32_t next_target;
	uint64_t t0, t_win, t_end, t_drain_end;
	uint64_t issued;             /* tokens taken since t0 */
	uint64_t sweep_us, next_sweep, next_progress;
	uint32_t udp_gen;
	rte_be32_t src_ip[LR_LOADGEN_MAX_TARGETS];
	char req[LR_LOADGEN_MAX_REQ + 128];
	uint32_t req_len;
	struct lr_loadgen_counters cnt;      /* live totals */
	struct lr_loadgen_counters win0, win1; /* at the window's start and end */
	bool win_started, win_ended;
	uint64_t win_start_us, win_end_us;
	struct lr_loadgen_counters prog_last; /* worker 0: at the last progress line */
	uint64_t hist[LR_LOADGEN_HIST_BUCKETS];
};

static struct lg_worker lg_workers[LR_MAX_WORKERS];
static uint8_t pattern[STREAM_CHUNK];
static const char *const mode_names[LR_LOADGEN_MODE_NB] = {
	"crr", "rr", "stream_send", "stream_recv", "udp",
};
static const char *const err_names[LR_LOADGEN_ERR_NB] = {
	"refused", "reset", "timeout", "connect", "proto", "closed", "nomem",
};

RTE_INIT(loadgen_pattern)
{
	unsigned int i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)('a' + i % 26);
}

const char *
lr_loadgen_mode_name(enum lr_loadgen_mode m)
{
	return (unsigned int)m < LR_LOADGEN_MODE_NB ? mode_names[m] : "?";
}

const char *
lr_loadgen_err_name(enum lr_loadgen_err e)
{
	return (unsigned int)e < LR_LOADGEN_ERR_NB ? err_names[e] : "?";
}

/* ---- histogram: log-linear, integers only ---- */

#define SUB (1u << LR_LOADGEN_HIST_SUB_BITS)

static inline uint32_t
hist_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v >= (1ULL << 32))
		v = (1ULL << 32) - 1;
	if (v < 2 * SUB)
		return (uint32_t)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - LR_LOADGEN_HIST_SUB_BITS;
	return shift * SUB + (uint32_t)(v >> shift);
}

/* The highest value that falls in bucket idx. */
static uint64_t
hist_value(uint32_t idx)
{
	uint32_t shift, top;

	if (idx < 2 * SUB)
		return idx;
	shift = idx / SUB - 1;
	top = idx - shift * SUB;
	return ((uint64_t)top << shift) + (1ULL << shift) - 1;
}

void
lr_loadgen_hist_add(uint64_t *hist, uint64_t us)
{
	hist[hist_index(us)]++;
}

uint64_t
lr_loadgen_hist_percentile(const uint64_t *hist, uint64_t total, uint32_t pp)
{
	uint64_t rank, seen = 0;
	uint32_t i;

	if (total == 0)
		return 0;
	rank = (total * pp + 99999) / 100000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < LR_LOADGEN_HIST_BUCKETS; i++) {
		seen += hist[i];
		if (seen >= rank)
			return hist_value(i);
	}
	return hist_value(LR_LOADGEN_HIST_BUCKETS - 1);
}

/* ---- spec parsing ---- */

static int
parse_u64(const char *v, uint64_t *out, bool suffix)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0)
		return -1;
	if (suffix && (*end == 'k' || *end == 'K')) {
		x *= 1000;
		end++;
	} else if (suffix && (*end == 'm' || *end == 'M')) {
		x *= 1000000;
		end++;
	}
	if (*end != '\0')
		return -1;
	*out = x;
	return 0;
}

/* "5s", "500ms", "2m", "5" (seconds) -> ms */
static int
parse_ms(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	x = strtoull(v, &end, 10);
	if (strcmp(end, "ms") == 0)
		*out = x;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		*out = x * 1000;
	else if (strcmp(end, "m") == 0)
		*out = x * 60000;
	else
		return -1;
	return x > 86400000ULL ? -1 : 0;
}

static int
parse_target(struct lr_loadgen_conf *c, const char *v, bool *port_set)
{
	char buf[64], *colon;
	unsigned int a, b, d, e;
	uint64_t port = 0;
	char tail;

	if (strlen(v) >= sizeof(buf) || c->nb_targets == LR_LOADGEN_MAX_TARGETS)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (parse_u64(colon + 1, &port, false) != 0 || port == 0 || port > 65535)
			return -1;
	}
	if (sscanf(buf, "%u.%u.%u.%u%c", &a, &b, &d, &e, &tail) != 4 || a > 255 || b > 255 ||
			d > 255 || e > 255)
		return -1;
	port_set[c->nb_targets] = colon != NULL;
	c->targets[c->nb_targets].ip = rte_cpu_to_be_32(RTE_IPV4(a, b, d, e));
	c->targets[c->nb_targets].port = (uint16_t)port;
	c->nb_targets++;
	return 0;
}

static int
parse_mode(const char *v, enum lr_loadgen_mode *m)
{
	if (strcmp(v, "crr") == 0)
		*m = LR_LOADGEN_CRR;
	else if (strcmp(v, "rr") == 0)
		*m = LR_LOADGEN_RR;
	else if (strcmp(v, "stream_send") == 0 || strcmp(v, "send") == 0 ||
			strcmp(v, "stream") == 0)
		*m = LR_LOADGEN_STREAM_SEND;
	else if (strcmp(v, "stream_recv") == 0 || strcmp(v, "recv") == 0)
		*m = LR_LOADGEN_STREAM_RECV;
	else if (strcmp(v, "udp") == 0)
		*m = LR_LOADGEN_UDP;
	else
		return -1;
	return 0;
}

static int
parse_bool(const char *v, bool *b)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*b = true;
	else if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*b = false;
	else
		return -1;
	return 0;
}

/* One key=value. @return 0, or -1 with err set */
static int
parse_kv(struct lr_loadgen_conf *c, char *key, char *val, bool *port_set, char *err,
		size_t errlen)
{
	uint64_t x = 0;
	char *tok, *save = NULL;
	int rc = 0;

	if (strcmp(key, "mode") == 0) {
		rc = parse_mode(val, &c->mode);
	} else if (strcmp(key, "target") == 0 || strcmp(key, "targets") == 0) {
		for (tok = strtok_r(val, ",", &save); tok != NULL && rc == 0;
				tok = strtok_r(NULL, ",", &save))
			rc = parse_target(c, tok, port_set);
		if (rc != 0) {
			snprintf(err, errlen, "loadgen: target '%s': expected A.B.C.D[:port], at "
					"most %d targets", tok != NULL ? tok : val,
					LR_LOADGEN_MAX_TARGETS);
			return -1;
		}
	} else if (strcmp(key, "conc") == 0 || strcmp(key, "concurrency") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x == 0 || x > LR_LOADGEN_MAX_CONC ? -1 : 0;
		c->conc = (uint32_t)x;
	} else if (strcmp(key, "rate") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > 1000000000ULL ? -1 : 0;
		c->rate = x;
	} else if (strcmp(key, "req") == 0 || strcmp(key, "request_size") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > LR_LOADGEN_MAX_REQ ? -1 : 0;
		c->request_size = (uint32_t)x;
	} else if (strcmp(key, "resp") == 0 || strcmp(key, "response_size") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > UINT32_MAX ? -1 : 0;
		c->response_size = (uint32_t)x;
	} else if (strcmp(key, "duration") == 0) {
		rc = parse_ms(val, &c->duration_ms);
		rc = rc != 0 || c->duration_ms == 0 ? -1 : 0;
	} else if (strcmp(key, "warmup") == 0) {
		rc = parse_ms(val, &c->warmup_ms);
	} else if (strcmp(key, "timeout") == 0) {
		rc = parse_ms(val, &c->timeout_ms);
		rc = rc != 0 || c->timeout_ms == 0 ? -1 : 0;
	} else if (strcmp(key, "sport") == 0) {
		rc = parse_u64(val, &x, false);
		rc = rc != 0 || x == 0 || x > 65535 ? -1 : 0;
		c->udp_sport = (uint16_t)x;
	} else if (strcmp(key, "flows") == 0) {
		rc = parse_u64(val, &x, false);
		rc = rc != 0 || x == 0 || x > LR_LOADGEN_MAX_FLOWS ? -1 : 0;
		c->udp_flows = (uint16_t)x;
	} else if (strcmp(key, "json") == 0) {
		rc = parse_bool(val, &c->json);
	} else if (strcmp(key, "progress") == 0) {
		rc = parse_bool(val, &c->progress);
	} else {
		snprintf(err, errlen, "loadgen: unknown key '%s' (mode, target, conc, rate, req, "
				"resp, duration, warmup, timeout, sport, flows, json, progress)", key);
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "loadgen: %s: bad value '%s'", key, val);
		return -1;
	}
	return 0;
}

int
lr_loadgen_parse(struct lr_loadgen_conf *c, const char *spec, char *err, size_t errlen)
{
	static const uint16_t default_port[LR_LOADGEN_MODE_NB] = { 80, 80, 9, 19, 7 };
	bool port_set[LR_LOADGEN_MAX_TARGETS] = { false };
	char buf[1024], *tok, *save = NULL, *eq;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->mode = LR_LOADGEN_CRR;
	c->conc = 16;
	c->request_size = 64;
	c->duration_ms = 5000;
	c->warmup_ms = 1000;
	c->timeout_ms = 2000;
	c->udp_sport = 9000;
	c->udp_flows = 1;
	c->progress = true;
	if (spec == NULL || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "loadgen: spec missing or longer than %zu bytes",
				sizeof(buf) - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(tok, '=');
		if (eq == NULL || eq == tok) {
			snprintf(err, errlen, "loadgen: '%s': expected key=value", tok);
			return -EINVAL;
		}
		*eq = '\0';
		if (parse_kv(c, tok, eq + 1, port_set, err, errlen) != 0)
			return -EINVAL;
	}
	if (c->nb_targets == 0) {
		snprintf(err, errlen, "loadgen: no target (target=A.B.C.D[:port])");
		return -EINVAL;
	}
	for (i = 0; i < c->nb_targets; i++)
		if (!port_set[i])
			c->targets[i].port = default_port[c->mode];
	if (c->mode == LR_LOADGEN_UDP && c->request_size < LR_LOADGEN_UDP_MIN)
		c->request_size = LR_LOADGEN_UDP_MIN;
	if (c->mode == LR_LOADGEN_UDP && c->request_size > 1472) {
		snprintf(err, errlen, "loadgen: req: %u bytes do not fit one datagram (max 1472)",
				c->request_size);
		return -EINVAL;
	}
	return 0;
}

/* ---- slots, counting ---- */

static inline bool
measuring(const struct lg_worker *lw)
{
	return lw->phase == P_WINDOW;
}

static inline void
count_err(struct lg_worker *lw, enum lr_loadgen_err e)
{
	lw->cnt.err[e]++;
}

static void
record_latency(struct lg_worker *lw, uint64_t us)
{
	if (!measuring(lw))
		return;
	lr_loadgen_hist_add(lw->hist, us);
	lw->cnt.samples++;
	lw->cnt.lat_sum_us += us;
	if (us > lw->cnt.lat_max_us)
		lw->cnt.lat_max_us = us;
}

static struct lg_slot *
slot_get(struct lg_worker *lw)
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

static void
slot_put(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	s->state = S_FREE;
	s->c = NULL;
	lw->free_stk[lw->nb_free++] = s->idx;
	lw->active--;
}

/* Take a pacing token. */
static bool
take_token(struct lg_worker *lw)
{
	uint64_t el, allowed;

	if (lw->rate == 0)
		return true;
	el = lw->w->now_us - lw->t0;
	allowed = el / 1000000 * lw->rate + el % 1000000 * lw->rate / 1000000;
	if (lw->issued >= allowed)
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
	allowed = el / 1000000 * lw->rate + el % 1000000 * lw->rate / 1000000;
	if (allowed > lw->issued + cap)
		lw->issued = allowed - cap;
}

static const struct lr_loadgen_target *
next_target(struct lg_worker *lw, uint32_t *ti)
{
	*ti = lw->next_target;
	lw->next_target = (lw->next_target + 1) % lw->conf.nb_targets;
	return &lw->conf.targets[*ti];
}

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

/* A complete response line (without CR LF). @return -1 on a protocol error */
static int
resp_line(struct lg_slot *s)
{
	char *l = s->line;
	uint64_t v = 0;
	uint16_t i;

	l[s->line_len] = '\0';
	if (!s->seen_status) {
		s->seen_status = true;
		if (strncmp(l, "HTTP/1.", 7) != 0 || s->line_len < 12)
			return -1;
		s->status_ok = strncmp(l + 8, " 200", 4) == 0;
		return 0;
	}
	if (s->line_len < 15 || strncasecmp(l, "content-length:", 15) != 0)
		return 0;
	for (i = 15; l[i] == ' ' || l[i] == '\t'; i++)
		;
	if (l[i] < '0' || l[i] > '9')
		return -1;
	for (; l[i] >= '0' && l[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(l[i] - '0');
	s->has_len = true;
	s->body_len = s->body_left = v;
	return 0;
}

/* Feed response bytes. @return 1 complete, 0 more needed, -1 protocol error */
static int
resp_feed(struct lg_slot *s, const uint8_t *p, uint32_t len)
{
	uint32_t i = 0, take;

	while (!s->hdr_done && i < len) {
		char ch = (char)p[i++];

		if (++s->hdr_bytes > RESP_HDR_MAX)
			return -1;
		if (ch != '\n') {
			if (ch != '\r' && s->line_len < LINE_MAX_KEPT - 1)
				s->line[s->line_len++] = ch;
			continue;
		}
		if (s->line_len == 0 && s->seen_status) {
			s->hdr_done = true;
			if (!s->has_len || !s->status_ok)
				return -1;
			break;
		}
		if (s->line_len > 0 && resp_line(s) != 0)
			return -1;
		s->line_len = 0;
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
			slot_put(s);
			return false;
		}
		s->req_off += (uint32_t)n;
	}
	return true;
}

/* Send a request on an established connection. */
static void
req_start(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	resp_reset(s);
	s->state = S_REQ;
	if (lw->conf.mode == LR_LOADGEN_RR)
		s->t_start = lw->w->now_us;
	lw->cnt.sent++;
	req_push(s);
}

static void
slot_close(struct lg_slot *s)
{
	lr_tcp_close(s->c);
	slot_put(s);
}

static void
slot_abort(struct lg_slot *s, int err)
{
	if (err >= 0)
		count_err(s->lw, (enum lr_loadgen_err)err);
	lr_tcp_abort(s->c);
	slot_put(s);
}

/* rr: next request now if a token allows, else wait on the idle stack. */
static void
rr_next(struct lg_slot *s)
{
	struct lg_worker *lw = s->lw;

	if (lw->phase >= P_DRAIN) {
		slot_close(s);
		return;
	}
	if (take_token(lw)) {
		req_start(s);
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
		slot_abort(s, LR_LOADGEN_ERR_PROTO);
		return;
	}
	lw->cnt.requests++;
	record_latency(lw, lw->w->now_us - s->t_start);
	if (lw->conf.mode == LR_LOADGEN_CRR) {
		lw->cnt.conns_done++;
		slot_close(s);
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
		n = lr_tcp_send(s->c, pattern, RTE_MIN(space, chunk));
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
		req_start(s);
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
		slot_abort(s, LR_LOADGEN_ERR_PROTO);
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
	slot_close(s);
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
	slot_put(s);
}

static const struct lr_tcp_callbacks lg_cb = {
	.connected = tcp_connected, .data = tcp_data, .sent = tcp_sent,
	.peer_closed = tcp_peer_closed, .closed = tcp_closed,
};

/* Open one connection. @return false when no more should be tried this turn */
static bool
tcp_open(struct lg_worker *lw)
{
	const struct lr_loadgen_target *t;
	struct lg_slot *s = slot_get(lw);
	uint32_t ti;

	if (s == NULL)
		return false;
	t = next_target(lw, &ti);
	resp_reset(s);
	s->t_start = lw->w->now_us;
	errno = 0;
	s->c = lr_tcp_connect(lw->w, t->ip, t->port, &lg_cb, s);
	if (s->c == NULL) {
		count_err(lw, LR_LOADGEN_ERR_CONNECT);
		slot_put(s);
		return false;
	}
	return true;
}

/* ---- UDP ---- */

static void
udp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	struct lg_worker *lw = &lg_workers[w->id];
	struct udp_probe pr;
	struct lg_slot *s;

	RTE_SET_USED(arg);
	if (!lw->started || d->len < sizeof(pr) || m->data_len < sizeof(pr)) {
		lr_consume(m);
		return;
	}
	memcpy(&pr, rte_pktmbuf_mtod(m, const void *), sizeof(pr));
	lr_consume(m);
	if (pr.magic != UDP_MAGIC)
		return;
	lw->cnt.requests++;
	lw->cnt.rx_bytes += d->len;
	if (w->now_us >= pr.t_us)
		record_latency(lw, w->now_us - pr.t_us);
	/* Our own datagram (another worker's echo arrives here only with asymmetric
	 * steering; that worker's slot then times out). */
	if (pr.worker != w->id || pr.idx >= lw->conc)
		return;
	s = &lw->slots[pr.idx];
	if (s->state == S_REQ && s->gen == pr.gen)
		slot_put(s);
}

static bool
udp_send_one(struct lg_worker *lw)
{
	const struct lr_loadgen_target *t;
	struct udp_probe pr;
	struct rte_mbuf *m;
	struct lg_slot *s;
	uint32_t ti, len = lw->conf.request_size;
	char *p;

	m = lr_alloc(lw->w);
	if (m == NULL) {
		count_err(lw, LR_LOADGEN_ERR_NOMEM);
		return false;
	}
	p = rte_pktmbuf_append(m, (uint16_t)len);
	s = slot_get(lw);
	if (p == NULL || s == NULL) {
		rte_pktmbuf_free(m);
		if (s != NULL)
			slot_put(s);
		return false;
	}
	t = next_target(lw, &ti);
	s->state = S_REQ;
	s->gen = ++lw->udp_gen;
	s->t_start = lw->w->now_us;
	pr.magic = UDP_MAGIC;
	pr.worker = lw->w->id;
	pr.pad = 0;
	pr.idx = s->idx;
	pr.gen = s->gen;
	pr.t_us = s->t_start;
	memcpy(p, &pr, sizeof(pr));
	memcpy(p + sizeof(pr), pattern, len - sizeof(pr));
	lw->cnt.sent++;
	lw->cnt.tx_bytes += len;
	lr_udp_send(lw->w, m, lw->src_ip[ti],
			rte_cpu_to_be_16(lw->conf.udp_sport + s->idx % lw->conf.udp_flows), t->ip,
			rte_cpu_to_be_16(t->port));
	return true;
}

/* Our address towards dst: the interface whose subnet holds it, else one with a
 * gateway, else the first. */
static rte_be32_t
src_for(rte_be32_t dst)
{
	rte_be32_t gw = 0, any = 0;
	unsigned int i;

	for (i = 0; i < LR_MAX_PORTS; i++) {
		const struct lr_iface *ifc = &lr_ifaces[i];

		if (!ifc->used)
			continue;
		if ((ifc->ip & ifc->netmask) == (dst & ifc->netmask))
			return ifc->ip;
		if (gw == 0 && ifc->gateway != 0)
			gw = ifc->ip;
		if (any == 0)
			any = ifc->ip;
	}
	return gw != 0 ? gw : any;
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
			slot_put(s);
		} else {
			slot_abort(s, LR_LOADGEN_ERR_TIMEOUT);
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
		slot_put(s);
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
		while (n++ < PER_TURN && lw->nb_free > 0 && take_token(lw))
			if (!tcp_open(lw))
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
			if (!take_token(lw))
				break;
			lw->slots[idx].in_idle = false;
			lw->nb_idle--;
			req_start(&lw->slots[idx]);
			n++;
		}
		/* fall through: (re)open connections */
	case LR_LOADGEN_STREAM_SEND:
	case LR_LOADGEN_STREAM_RECV:
		while (n++ < PER_TURN && lw->nb_free > 0)
			if (!tcp_open(lw))
				break;
		break;
	default:
		while (n++ < PER_TURN && lw->nb_free > 0 && take_token(lw))
			if (!udp_send_one(lw))
				break;
		break;
	}
}

static void
progress(struct lg_worker *lw)
{
	struct lr_loadgen_counters now = { 0 }, *l = &lw->prog_last;
	uint64_t errs = 0, prev_errs = 0, active = 0;
	unsigned int i, e;

	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct lg_worker *o = &lg_workers[i];

		if (!o->started)
			continue;
		now.conns += __atomic_load_n(&o->cnt.conns, __ATOMIC_RELAXED);
		now.conns_done += __atomic_load_n(&o->cnt.conns_done, __ATOMIC_RELAXED);
		now.requests += __atomic_load_n(&o->cnt.requests, __ATOMIC_RELAXED);
		now.tx_bytes += __atomic_load_n(&o->cnt.tx_bytes, __ATOMIC_RELAXED);
		now.rx_bytes += __atomic_load_n(&o->cnt.rx_bytes, __ATOMIC_RELAXED);
		active += __atomic_load_n(&o->active, __ATOMIC_RELAXED);
		for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
			now.err[e] += __atomic_load_n(&o->cnt.err[e], __ATOMIC_RELAXED);
	}
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++) {
		errs += now.err[e];
		prev_errs += l->err[e];
	}
	printf("loadgen: %3" PRIu64 " s %-6s conn/s %" PRIu64 " req/s %" PRIu64
		" tx %" PRIu64 " Mbit/s rx %" PRIu64 " Mbit/s errors %" PRIu64 " active %" PRIu64
		"\n", (lw->w->now_us - lw->t0 + 500000) / 1000000,
		lw->phase == P_WARMUP ? "warmup" : lw->phase == P_WINDOW ? "window" : "drain",
		lw->conf.mode == LR_LOADGEN_CRR ? now.conns_done - l->conns_done :
			now.conns - l->conns, now.requests - l->requests,
		(now.tx_bytes - l->tx_bytes) * 8 / 1000000,
		(now.rx_bytes - l->rx_bytes) * 8 / 1000000, errs - prev_errs, active);
	fflush(stdout);
	*l = now;
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
				slot_close(s);
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
	struct lg_worker *lw = &lg_workers[w->id];

	if (!lw->started || lw->phase == P_DONE)
		return;
	phase_step(lw);
	if (lw->phase <= P_WINDOW)
		start_work(lw);
	if (lw->phase != P_DONE && w->now_us >= lw->next_sweep) {
		sweep(lw);
		lw->next_sweep = w->now_us + lw->sweep_us;
	}
	if (lw->conf.progress && w->id == 0 && w->now_us >= lw->next_progress) {
		if (w->now_us > lw->t0)
			progress(lw);
		lw->next_progress += PROGRESS_US;
	}
}

bool
lr_loadgen_done(const struct lr_worker *w)
{
	return __atomic_load_n(&lg_workers[w->id].done, __ATOMIC_ACQUIRE);
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
	struct lg_worker *lw = &lg_workers[w->id];

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
	return lr_udp_bind(port, "loadgen", udp_input, NULL);
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
	lw = &lg_workers[w->id];
	if (lw->started)
		return -EEXIST;
	if (c->mode == LR_LOADGEN_UDP) {
		if (c->udp_flows == 0 || c->udp_sport + c->udp_flows - 1 > UINT16_MAX)
			return -EINVAL;
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
	for (i = 0; i < c->nb_targets; i++)
		lw->src_ip[i] = src_for(c->targets[i].ip);
	build_request(lw);
	lw->t0 = w->now_us;
	lw->t_win = lw->t0 + c->warmup_ms * 1000;
	lw->t_end = lw->t_win + c->duration_ms * 1000;
	lw->sweep_us = RTE_MAX(c->timeout_ms * 1000 / 16, (uint64_t)1000);
	lw->next_sweep = lw->t0 + lw->sweep_us;
	lw->next_progress = lw->t0 + PROGRESS_US;
	lw->phase = P_WARMUP;
	lw->started = true;
	return 0;
}

/* ---- reporting ---- */

const struct lr_loadgen_counters *
lr_loadgen_counters(const struct lr_worker *w)
{
	return &lg_workers[w->id].cnt;
}

static void
counters_add_diff(struct lr_loadgen_counters *sum, const struct lr_loadgen_counters *end,
		const struct lr_loadgen_counters *start)
{
	const uint64_t *e = (const uint64_t *)end, *s = (const uint64_t *)start;
	uint64_t *d = (uint64_t *)sum;
	size_t i, n = offsetof(struct lr_loadgen_counters, lat_max_us) / sizeof(uint64_t);

	for (i = 0; i < n; i++)
		d[i] += __atomic_load_n(&e[i], __ATOMIC_RELAXED) - s[i];
	sum->lat_max_us = RTE_MAX(sum->lat_max_us,
			__atomic_load_n(&end->lat_max_us, __ATOMIC_RELAXED));
}

static uint64_t hist_sum[LR_LOADGEN_HIST_BUCKETS];

int
lr_loadgen_summary(uint16_t nb_workers, struct lr_loadgen_summary *s)
{
	unsigned int i, b, e;
	bool any = false;
	double sec;

	memset(s, 0, sizeof(*s));
	memset(hist_sum, 0, sizeof(hist_sum));
	for (i = 0; i < nb_workers && i < LR_MAX_WORKERS; i++) {
		const struct lg_worker *lw = &lg_workers[i];
		bool ended;
		uint64_t end_us;

		if (!__atomic_load_n(&lw->win_started, __ATOMIC_ACQUIRE))
			continue;
		any = true;
		ended = __atomic_load_n(&lw->win_ended, __ATOMIC_ACQUIRE);
		counters_add_diff(&s->c, ended ? &lw->win1 : &lw->cnt, &lw->win0);
		end_us = ended ? lw->win_end_us : __atomic_load_n(&lw->w->now_us, __ATOMIC_RELAXED);
		s->window_us = RTE_MAX(s->window_us, end_us - lw->win_start_us);
		for (b = 0; b < LR_LOADGEN_HIST_BUCKETS; b++)
			hist_sum[b] += __atomic_load_n(&lw->hist[b], __ATOMIC_RELAXED);
	}
	if (!any)
		return -ENOENT;
	sec = s->window_us > 0 ? (double)s->window_us / 1e6 : 1e-9;
	s->cps = (double)(lg_workers[0].conf.mode == LR_LOADGEN_CRR ? s->c.conns_done :
			s->c.conns) / sec;
	s->rps = (double)s->c.requests / sec;
	s->tx_gbps = (double)s->c.tx_bytes * 8 / sec / 1e9;
	s->rx_gbps = (double)s->c.rx_bytes * 8 / sec / 1e9;
	s->p50_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 50000);
	s->p90_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 90000);
	s->p99_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 99000);
	s->p999_us = lr_loadgen_hist_percentile(hist_sum, s->c.samples, 99900);
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
		s->errors += s->c.err[e];
	return 0;
}

void
lr_loadgen_report(FILE *f, uint16_t nb_workers, bool json)
{
	const struct lr_loadgen_conf *c = &lg_workers[0].conf;
	struct lr_loadgen_summary s;
	unsigned int e;

	if (lr_loadgen_summary(nb_workers, &s) != 0) {
		fprintf(f, json ? "{\"error\":\"no measurement window\"}\n" :
				"loadgen: no measurement window yet\n");
		return;
	}
	if (json) {
		fprintf(f, "{\"mode\":\"%s\",\"workers\":%u,\"targets\":%u,\"window_s\":%.3f,"
			"\"conns\":%" PRIu64 ",\"conns_done\":%" PRIu64 ",\"requests\":%" PRIu64
			",\"sent\":%" PRIu64 ",\"cps\":%.1f,\"rps\":%.1f,\"tx_bytes\":%" PRIu64
			",\"rx_bytes\":%" PRIu64 ",\"tx_gbps\":%.4f,\"rx_gbps\":%.4f,"
			"\"latency_us\":{\"samples\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64
			",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64
			",\"mean\":%.1f},\"errors\":{",
			lr_loadgen_mode_name(c->mode), nb_workers, c->nb_targets,
			(double)s.window_us / 1e6, s.c.conns, s.c.conns_done, s.c.requests, s.c.sent,
			s.cps, s.rps, s.c.tx_bytes, s.c.rx_bytes, s.tx_gbps, s.rx_gbps, s.c.samples,
			s.p50_us, s.p90_us, s.p99_us, s.p999_us, s.c.lat_max_us,
			s.c.samples ? (double)s.c.lat_sum_us / (double)s.c.samples : 0.0);
		for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
			fprintf(f, "%s\"%s\":%" PRIu64, e ? "," : "", err_names[e], s.c.err[e]);
		fprintf(f, ",\"total\":%" PRIu64 "}}\n", s.errors);
		return;
	}
	fprintf(f, "loadgen: %s, %u target(s), conc %u, rate %" PRIu64 "/s (0: unbounded), "
			"window %.2f s, %u worker(s)\n", lr_loadgen_mode_name(c->mode),
			c->nb_targets, c->conc, c->rate, (double)s.window_us / 1e6, nb_workers);
	fprintf(f, "  connections %12" PRIu64 " established, %" PRIu64 " completed, "
			"%.1f /s\n", s.c.conns, s.c.conns_done, s.cps);
	fprintf(f, "  %-11s %12" PRIu64 " (%.1f /s), %" PRIu64 " sent\n",
			c->mode == LR_LOADGEN_UDP ? "echoes" : "responses", s.c.requests, s.rps,
			s.c.sent);
	fprintf(f, "  goodput     tx %.4f Gbit/s, rx %.4f Gbit/s\n", s.tx_gbps, s.rx_gbps);
	fprintf(f, "  latency us  p50 %" PRIu64 "  p90 %" PRIu64 "  p99 %" PRIu64 "  p99.9 %"
			PRIu64 "  max %" PRIu64 "  (%" PRIu64 " samples)\n", s.p50_us, s.p90_us,
			s.p99_us, s.p999_us, s.c.lat_max_us, s.c.samples);
	fprintf(f, "  errors     ");
	for (e = 0; e < LR_LOADGEN_ERR_NB; e++)
		fprintf(f, " %s %" PRIu64, err_names[e], s.c.err[e]);
	fprintf(f, "\n");
}
