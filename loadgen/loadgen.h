/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Load generator: a built-in client service on lib/tcp and lib/udp.
 *
 * Modes: crr (connect, HTTP/1.1 GET, response, close: one transaction per
 * connection), rr (keep-alive connections, one GET in flight on each), stream_send
 * (bulk send, e.g. to a discard port), stream_recv (bulk receive, e.g. from a chargen
 * port) and udp (datagrams to an echo port, each carrying its send time).
 * A response counts as complete when its status line, headers and Content-Length
 * body bytes have arrived, so any HTTP/1.1 server works as the target (linerate's
 * HTTP service, bench/e2e/epoll_server, nginx...).
 *
 * Everything is per worker and lockless: each worker runs conc/nb_workers
 * connections at rate/nb_workers, from a slot pool allocated by lr_loadgen_start().
 * Timers run on w->now_us (pacing, per-transaction timeout, warm-up, measurement
 * window, drain), so tests drive it with the virtual clock. Latency goes into a
 * log-linear histogram (HDR-like: 128 linear sub-buckets per power of two, integer
 * arithmetic only, <= 0.8 % relative error); lr_loadgen_report() sums the workers.
 */
#ifndef LR_APP_LOADGEN_H
#define LR_APP_LOADGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>

#include "lr_core.h"
#include "lr_hist.h"

#define LR_LOADGEN_MAX_TARGETS 8      /**< targets in one spec */
#define LR_LOADGEN_MAX_CONC 65536     /**< concurrency over all workers */
#define LR_LOADGEN_MAX_REQ 8192       /**< request / datagram payload bytes */
#define LR_LOADGEN_MAX_FLOWS 64       /**< udp source ports in one spec (each is bound) */
#define LR_LOADGEN_UDP_MIN 24         /**< smallest UDP payload (sequence + timestamp) */
#define LR_LOADGEN_HIST_SUB_BITS LR_HIST_SUB_BITS /**< lr_hist.h */
#define LR_LOADGEN_HIST_BUCKETS LR_HIST_BUCKETS   /**< covers 0 .. 2^32-1 us */

/** What the generator does. */
enum lr_loadgen_mode {
	LR_LOADGEN_CRR = 0,   /**< connect, request, response, close */
	LR_LOADGEN_RR,        /**< keep-alive request/response */
	LR_LOADGEN_STREAM_SEND, /**< bulk send */
	LR_LOADGEN_STREAM_RECV, /**< bulk receive */
	LR_LOADGEN_UDP,       /**< datagrams to an echo service */
	LR_LOADGEN_MODE_NB,
};

/** Error kinds, counted separately. */
enum lr_loadgen_err {
	LR_LOADGEN_ERR_REFUSED = 0, /**< RST answered the SYN */
	LR_LOADGEN_ERR_RESET,       /**< reset after the handshake */
	LR_LOADGEN_ERR_TIMEOUT,     /**< no answer within timeout (TCP: transaction, UDP: lost) */
	LR_LOADGEN_ERR_CONNECT,     /**< lr_tcp_connect failed (no port, table full, no route) */
	LR_LOADGEN_ERR_PROTO,       /**< not "HTTP/1.x 200", bad Content-Length, wrong size */
	LR_LOADGEN_ERR_CLOSED,      /**< the peer closed before the response was complete */
	LR_LOADGEN_ERR_NOMEM,       /**< no mbuf or send buffer error */
	LR_LOADGEN_ERR_NB,
};

/** One target. */
struct lr_loadgen_target {
	rte_be32_t ip;        /**< network order */
	uint16_t port;        /**< host order */
};

/** What to run (lr_loadgen_parse() fills it from a one-line spec). */
struct lr_loadgen_conf {
	struct lr_loadgen_target targets[LR_LOADGEN_MAX_TARGETS]; /**< used round-robin */
	uint8_t nb_targets;       /**< 1..LR_LOADGEN_MAX_TARGETS */
	enum lr_loadgen_mode mode; /**< mode */
	uint32_t conc;            /**< connections (udp: datagrams in flight), all workers */
	uint64_t rate;            /**< starts per second, all workers (crr: connections,
				   *   rr: requests, udp: datagrams; 0 = unbounded) */
	uint32_t request_size;    /**< rr/crr: GET request bytes (padded with a header);
				   *   udp: payload bytes; stream_send: bytes per send call */
	uint32_t response_size;   /**< rr/crr: expected body bytes, 0 = any */
	uint64_t ramp_ms;         /**< the rate climbs linearly from 0 to rate over this
				   *   long from the start (warm-up included); 0 = at once */
	uint64_t duration_ms;     /**< measured window */
	uint64_t warmup_ms;       /**< before the window: traffic runs, nothing is counted */
	uint64_t timeout_ms;      /**< per transaction (crr: from connect) */
	uint16_t udp_sport;       /**< udp: local port the replies come back to */
	uint16_t udp_flows;       /**< udp: source ports sport .. sport+flows-1, one per
				   *   concurrency slot modulo flows (spreads RSS) */
	uint8_t cc;               /**< enum lr_tcp_cc of its connections (cc=, default
				   *   CUBIC, Linux's default: the generator acts as a client) */
	bool json;                /**< the summary as one JSON object */
	bool progress;            /**< the live table is printed, a row a second
				   *   (lr_loadgen_live_tick()) */
};

/** Counters of one worker (or the sum). Written by the worker only. */
struct lr_loadgen_counters {
	uint64_t conns;           /**< connections established */
	uint64_t conns_done;      /**< crr: transactions complete and closed */
	uint64_t requests;        /**< responses complete (udp: echoes received) */
	uint64_t sent;            /**< requests (udp: datagrams) sent */
	uint64_t tx_bytes;        /**< payload bytes acknowledged (udp: sent) */
	uint64_t rx_bytes;        /**< payload bytes received */
	uint64_t err[LR_LOADGEN_ERR_NB]; /**< errors by kind */
	uint64_t samples;         /**< latency samples in the histogram */
	uint64_t lat_sum_us;      /**< their sum */
	uint64_t lat_max_us;      /**< the largest */
};

/** Summary of a run over all workers (lr_loadgen_summary()). */
struct lr_loadgen_summary {
	struct lr_loadgen_counters c; /**< counted in the window */
	uint64_t window_us;       /**< length of the window (so far, if it has not ended) */
	double cps;               /**< connections completed per second (crr) or
				   *   established per second (other modes) */
	double rps;               /**< responses (udp: echoes) per second */
	double tx_gbps;           /**< payload Gbit/s sent */
	double rx_gbps;           /**< payload Gbit/s received */
	uint64_t p50_us, p90_us, p99_us, p999_us; /**< latency percentiles */
	uint64_t errors;          /**< all kinds */
};

/** Live totals of all workers at one time (lr_loadgen_sample()), for differences. */
struct lr_loadgen_sample {
	uint64_t t_us;            /**< when (the caller's clock, lr_clock_us()) */
	uint64_t t0_us;           /**< worker 0's start */
	bool running;             /**< at least one worker started */
	unsigned int phase;       /**< earliest phase over workers: 0 warmup, 1 window,
				   *   2 drain, 3 done */
	struct lr_loadgen_counters c; /**< live totals (warm-up included) */
	uint64_t samples;         /**< latency samples in hist */
	uint64_t active;          /**< slots in use */
	uint64_t target_rate;     /**< scheduled rate now, all workers (0 = unbounded) */
	uint64_t retrans;         /**< TCP segments retransmitted by the workers' shards */
	uint64_t hist[LR_LOADGEN_HIST_BUCKETS]; /**< cumulative latency histogram */
};

/** One row of the live table: the figures of the interval between two samples. */
struct lr_loadgen_row {
	uint64_t t_s;             /**< seconds since the run started */
	unsigned int phase;       /**< as lr_loadgen_sample::phase */
	double cps;               /**< crr: connections completed per second, other
				   *   modes: established per second */
	double rps;               /**< responses (udp: echoes) per second */
	double tx_mbps, rx_mbps;  /**< payload Mbit/s (goodput) */
	uint64_t err[LR_LOADGEN_ERR_NB]; /**< errors of the interval by kind */
	uint64_t errors;          /**< their sum */
	uint64_t retrans;         /**< TCP retransmissions of the interval */
	uint64_t active;          /**< connections (udp: datagrams) in flight at its end */
	uint64_t target_rate;     /**< scheduled rate at its end (0 = unbounded) */
	uint64_t samples;         /**< latency samples of the interval */
	uint64_t p50_us, p90_us, p99_us, p999_us; /**< their percentiles */
};

/** Sum the workers' live totals now (any thread; relaxed reads, values may lag). */
void lr_loadgen_sample(uint16_t nb_workers, uint64_t now_us, struct lr_loadgen_sample *s);

/** The row of the interval a..b (pure: rates over b.t_us - a.t_us, percentiles of
 * the histogram's difference). Not thread-safe (a static scratch histogram). */
void lr_loadgen_row(const struct lr_loadgen_sample *a, const struct lr_loadgen_sample *b,
		enum lr_loadgen_mode mode, struct lr_loadgen_row *r);

/** Print a row (with the column header first when header), or one JSON object. */
void lr_loadgen_row_print(FILE *f, const struct lr_loadgen_row *r, bool header, bool json);

/**
 * The live table: call often from one thread (the daemon's main loop); once a second
 * while a run is on it samples, keeps the row for lr_loadgen_live_last() and, when
 * the spec has progress=1, prints it to f (a header every 20 rows).
 * @return true when a row was made
 */
bool lr_loadgen_live_tick(FILE *f, uint16_t nb_workers, uint64_t now_us);

/** The last row made (any thread). @return 0, or -ENOENT before the first */
int lr_loadgen_live_last(struct lr_loadgen_row *r);

/** @return "crr", "rr", "stream_send", "stream_recv", "udp" ("?" when out of range) */
const char *lr_loadgen_mode_name(enum lr_loadgen_mode m);

/** @return "refused", "reset", "timeout", "connect", "proto", "closed", "nomem" */
const char *lr_loadgen_err_name(enum lr_loadgen_err e);

/**
 * Parse a one-line spec, e.g.
 * "mode=crr target=198.18.1.1:80 conc=64 rate=0 duration=5s warmup=1s req=64 json=1".
 * Keys: mode (crr, rr, stream_send|send|stream, stream_recv|recv, udp),
 * target=A.B.C.D[:port] (repeat or comma-separate, up to 8; default port 80 for
 * crr/rr, 9 for send, 19 for recv, 7 for udp), conc, rate (alias cps, rps; k/m
 * suffixes), ramp (needs rate: linear climb from 0 to rate), req, resp,
 * duration, warmup, timeout (ms, s or m suffix; a bare number is seconds), sport,
 * flows (udp: 1..LR_LOADGEN_MAX_FLOWS source ports from sport), json, progress (0/1).
 * Defaults: crr, conc 16, rate 0, req 64, resp 0, 5 s, warm-up 1 s, timeout 2 s,
 * sport 9000, flows 1, json 0, progress 1.
 * @param err one-line message naming the key and value on failure
 * @return 0 or -EINVAL
 */
int lr_loadgen_parse(struct lr_loadgen_conf *c, const char *spec, char *err, size_t errlen);

/**
 * Start the generator on w (its lcore, or the control thread before the worker
 * runs): allocate the slot pool (control path), bind the UDP reply port (udp mode;
 * start worker 0 first when several workers run), start the clock at w->now_us.
 * Needs lr_tcp_worker_init(w) for the TCP modes.
 * @return 0, -EINVAL (bad conf, no TCP shard), -EEXIST (running on w), -ENOMEM,
 *         -EADDRINUSE (udp_sport taken by another service)
 */
int lr_loadgen_start(struct lr_worker *w, const struct lr_loadgen_conf *c);

/**
 * One poll-loop turn: phase changes (warm-up, window, drain), pacing and new starts,
 * timeouts, the progress line (worker 0). Call after lr_tcp_flush()/lr_tcp_tick();
 * what it queues leaves at the next lr_tcp_flush()/lr_worker_flush(). No-op when
 * not started.
 */
void lr_loadgen_poll(struct lr_worker *w);

/** @return true when the run on w is over (window ended, every slot drained). */
bool lr_loadgen_done(const struct lr_worker *w);

/**
 * Stop on w: abort what is open (no callbacks follow), free the pool. The counters
 * stay for lr_loadgen_report() until the next start. Call before
 * lr_tcp_worker_fini(w). No-op when not started.
 */
void lr_loadgen_stop(struct lr_worker *w);

/** A worker's counters (live totals since start). */
const struct lr_loadgen_counters *lr_loadgen_counters(const struct lr_worker *w);

/**
 * Sum workers 0..nb_workers-1 over the measured window (any thread; values may lag
 * while workers run).
 * @return 0, or -ENOENT when no worker ran a window
 */
int lr_loadgen_summary(uint16_t nb_workers, struct lr_loadgen_summary *s);

/**
 * Print the summary: CPS, RPS, goodput, latency p50/p90/p99/p99.9 and max, errors
 * by kind; one JSON object on one line when json is true.
 */
void lr_loadgen_report(FILE *f, uint16_t nb_workers, bool json);

/**
 * Record one latency sample in a histogram of LR_LOADGEN_HIST_BUCKETS counters
 * (exposed for tests and for bench/e2e/epoll_client).
 */
void lr_loadgen_hist_add(uint64_t *hist, uint64_t us);

/**
 * The value at per-100000 pp (50000 = p50, 99900 = p99.9): the highest value of the
 * bucket that holds the ceil(total * pp / 100000)-th sample (exact below 256 us).
 * @return 0 when the histogram is empty
 */
uint64_t lr_loadgen_hist_percentile(const uint64_t *hist, uint64_t total, uint32_t pp);

/**
 * One worker's latency histogram of the measured window, cumulated at given bounds
 * (the metrics endpoint). Relaxed reads; any thread.
 * @param worker worker id
 * @param bounds_us increasing bounds; cum[i] counts samples below bounds_us[i]
 *   (exact when bounds_us[i] - 1 is a bucket's upper value, e.g. any power of two)
 * @param cum filled, nb entries
 * @param count filled with every sample of the histogram
 * @param sum_us filled with their sum (microseconds)
 */
void lr_loadgen_latency(unsigned int worker, const uint64_t *bounds_us, uint64_t *cum,
		unsigned int nb, uint64_t *count, uint64_t *sum_us);

#endif /* LR_APP_LOADGEN_H */
