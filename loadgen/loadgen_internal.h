/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the load generator: loadgen.c (slot pool, pacing, phases, poll loop,
 * start/stop), loadgen_tcp.c (crr, rr and stream clients), loadgen_udp.c (udp
 * client), loadgen_report.c (names, histogram, summary, report); loadgen_spec.c
 * (lr_loadgen_parse) needs only loadgen.h.
 */
#ifndef LR_APP_LOADGEN_INTERNAL_H
#define LR_APP_LOADGEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "loadgen.h"
#include "lr_tcp.h"
#include "lr_udp.h"

#define LINE_MAX_KEPT 64             /* response line bytes kept for parsing */
#define HDR_KEPT_MAX 256             /* the last response header kept, up to this long */
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
	uint64_t ramp_us;            /* the rate climbs from 0 to rate over this long */
	uint64_t sweep_us, next_sweep;
	uint32_t udp_gen;
	rte_be32_t src_ip[LR_LOADGEN_MAX_TARGETS];
	const struct lr_iface *src_ifc[LR_LOADGEN_MAX_TARGETS]; /* reaches target i */
	uint32_t next_src;           /* TCP: next address of the source pool */
	char req[LR_LOADGEN_MAX_REQ + 128];
	uint32_t req_len;
	/* The last response header parsed whole from one segment (a 200 with a length,
	 * blank line included) and its body length: the same bytes again need no parse */
	uint16_t hdr_len;            /* 0: none yet */
	uint64_t hdr_body;
	char hdr[HDR_KEPT_MAX];
	struct lr_loadgen_counters cnt;      /* live totals */
	struct lr_loadgen_counters win0, win1; /* at the window's start and end */
	bool win_started, win_ended;
	uint64_t win_start_us, win_end_us;
	uint64_t hist[LR_LOADGEN_HIST_BUCKETS];
	uint64_t rate_now;           /* the scheduled rate now (0 = unbounded) */
	uint64_t live_samples;       /* latency samples in live_hist (warm-up included) */
	uint64_t live_hist[LR_LOADGEN_HIST_BUCKETS]; /* every sample, for the live table */
};

/** Per-worker state, indexed by lr_worker id (loadgen.c). */
extern struct lg_worker lr_lg_workers[LR_MAX_WORKERS];
/** 'a'..'z' repeated: stream_send payload and udp padding (loadgen.c). */
extern uint8_t lr_lg_pattern[STREAM_CHUNK];

static inline void
count_err(struct lg_worker *lw, enum lr_loadgen_err e)
{
	lw->cnt.err[e]++;
}

/* loadgen.c */
void lr_lg_record_latency(struct lg_worker *lw, uint64_t us);
struct lg_slot *lr_lg_slot_get(struct lg_worker *lw);
void lr_lg_slot_put(struct lg_slot *s);
bool lr_lg_take_token(struct lg_worker *lw);
uint64_t lr_lg_allowed(const struct lg_worker *lw, uint64_t el);
const struct lr_loadgen_target *lr_lg_next_target(struct lg_worker *lw, uint32_t *ti);

/* loadgen_tcp.c */
void lr_lg_req_start(struct lg_slot *s);
void lr_lg_slot_close(struct lg_slot *s);
void lr_lg_slot_abort(struct lg_slot *s, int err);
bool lr_lg_tcp_open(struct lg_worker *lw);

/* loadgen_udp.c */
void lr_lg_udp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d,
		void *arg);
bool lr_lg_udp_send_one(struct lg_worker *lw);
rte_be32_t lr_lg_src_for(const struct lr_worker *w, rte_be32_t dst);
rte_be32_t lr_lg_next_src(struct lg_worker *lw, uint32_t ti);
rte_be32_t lr_lg_peek_src(const struct lg_worker *lw, uint32_t ti, uint32_t ahead);

#endif /* LR_APP_LOADGEN_INTERNAL_H */
