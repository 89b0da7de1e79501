/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP endpoint (RFC 9293): per-worker connection shard, callback-driven API.
 *
 * Everything here is per worker and lockless: a connection lives on the worker
 * that created it (a SYN that arrived on it, or lr_tcp_connect() on it) and every
 * call below must be made on that worker's lcore, from a callback or from the poll
 * loop. Output is batched: segments produced while handling a burst, and data
 * queued with lr_tcp_send(), leave at the next lr_tcp_flush(w), so one burst yields
 * at most one ACK per connection.
 *
 * Poll loop contract:
 *     lr_eth_input_burst(w, pkts, n);   (TCP input runs inside)
 *     lr_tcp_flush(w);                  (ACKs, data, FINs, frees closed connections)
 *     lr_tcp_tick(w);                   (timers, from w->now_us)
 *     lr_worker_flush(w);
 */
#ifndef LR_TCP_H
#define LR_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "lr_core.h"
#include "tcp_stats.h"

/** Connection states (RFC 9293 §3.3.2). */
enum lr_tcp_state {
	LR_TCP_CLOSED = 0,
	LR_TCP_LISTEN,
	LR_TCP_SYN_SENT,
	LR_TCP_SYN_RCVD,
	LR_TCP_ESTABLISHED,
	LR_TCP_FIN_WAIT_1,
	LR_TCP_FIN_WAIT_2,
	LR_TCP_CLOSE_WAIT,
	LR_TCP_CLOSING,
	LR_TCP_LAST_ACK,
	LR_TCP_TIME_WAIT,
};

/** Why a connection ended (argument of the closed callback). */
enum lr_tcp_close_reason {
	LR_TCP_CLOSE_NORMAL = 0, /**< both FINs exchanged */
	LR_TCP_CLOSE_RESET,      /**< the peer reset an established connection */
	LR_TCP_CLOSE_REFUSED,    /**< the peer answered our SYN with RST */
	LR_TCP_CLOSE_TIMEOUT,    /**< retransmissions exhausted */
};

struct lr_tcp_conn;

/** Congestion control algorithms (lr_tcp_cc_name() gives their names). */
enum lr_tcp_cc {
	LR_TCP_CC_NEWRENO = 0, /**< RFC 5681 + RFC 6582 */
	LR_TCP_CC_CUBIC,       /**< RFC 9438 (Linux's default) */
	LR_TCP_CC_NB,
};

/**
 * ECN (RFC 3168) modes, the values of Linux net.ipv4.tcp_ecn: whether our SYNs ask
 * for ECN and whether a peer's ECN-setup SYN is accepted.
 */
enum lr_tcp_ecn {
	LR_TCP_ECN_OFF = 0,    /**< never: no ECN bits in any segment */
	LR_TCP_ECN_ON = 1,     /**< request it on active opens, accept it on passive ones */
	LR_TCP_ECN_ACCEPT = 2, /**< accept it when the peer requests it, never request */
	LR_TCP_ECN_NB,
};

/** @return "newreno", "cubic" ("?" when out of range) */
const char *lr_tcp_cc_name(enum lr_tcp_cc cc);

/** @return the algorithm called name, or -1 */
int lr_tcp_cc_parse(const char *name);

/**
 * Application callbacks. Any may be NULL. A callback may call lr_tcp_send(),
 * lr_tcp_shutdown(), lr_tcp_close() or lr_tcp_abort() on its connection.
 */
struct lr_tcp_callbacks {
	/** Handshake complete. Passive opens: first sight of the connection. */
	void (*connected)(struct lr_tcp_conn *c, void *arg);
	/**
	 * In-order payload. m holds exactly the new bytes (data at the first one,
	 * possibly a chain) and belongs to the callback, which must free it.
	 */
	void (*data)(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg);
	/** acked bytes left the send buffer; lr_tcp_send() has room again. */
	void (*sent)(struct lr_tcp_conn *c, uint32_t acked, void *arg);
	/** The peer sent FIN: no more data will arrive. */
	void (*peer_closed)(struct lr_tcp_conn *c, void *arg);
	/**
	 * Last call for the connection: the handle is invalid once it returns.
	 * Not called after lr_tcp_close() or lr_tcp_abort().
	 */
	void (*closed)(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason, void *arg);
	/**
	 * false (default): bytes handed to the data callback count as consumed when
	 * it returns. true: they keep occupying the receive window until the
	 * application calls lr_tcp_recved() (backpressure, e.g. an echo service whose
	 * send buffer is full).
	 */
	bool hold_rcv;
};

/**
 * Initial sequence number generator.
 * @return the ISS for a new connection (4-tuple in network order)
 */
typedef uint32_t (*lr_tcp_isn_fn)(void *arg, rte_be32_t laddr, rte_be16_t lport,
		rte_be32_t raddr, rte_be16_t rport);

/** Largest challenge_ack_per_s and rst_per_s. */
#define LR_TCP_RATE_MAX 1000000
/** Largest challenge_ack_per_conn_ms (one minute). */
#define LR_TCP_CHACK_CONN_MS_MAX 60000
/** Largest isn_rekey_s (30 days). */
#define LR_TCP_ISN_REKEY_S_MAX 2592000

/** TCP settings, per worker (copied by lr_tcp_worker_init). */
struct lr_tcp_conf {
	uint32_t max_conns;      /**< connection pool and table size */
	uint32_t max_listeners;  /**< listening ports */
	uint32_t sndbuf;         /**< send buffer bytes per connection */
	uint32_t rcv_wnd;        /**< receive buffer in bytes: the window we advertise
				  *   (above 65535 only with window scaling) */
	bool window_scaling;     /**< offer/accept RFC 7323 window scaling */
	bool timestamps;         /**< offer/accept RFC 7323 timestamps */
	bool sack;               /**< offer/accept RFC 2018 SACK (with RFC 2883 D-SACK and
				  *   RFC 6675 loss recovery; Linux net.ipv4.tcp_sack) */
	bool rack;               /**< RACK-TLP (RFC 8985) on connections using SACK: tail
				  *   loss probes and time-based loss detection (Linux
				  *   net.ipv4.tcp_recovery = 1, tcp_early_retrans = 3) */
	uint32_t delack_ms;      /**< delayed ACK timer (RFC 1122: < 500 ms); 0 = ACK at once */
	uint8_t quickack;        /**< segments ACKed at once (no delay) after the first data,
				  *   after an idle gap longer than the RTO and after the
				  *   delayed-ACK timer had to fire; 0 = always delay */
	uint32_t keepalive_ms;   /**< idle time before keepalive probes; 0 = off */
	uint32_t keepalive_intvl_ms; /**< between probes */
	uint8_t keepalive_probes; /**< unanswered probes before the connection is reset */
	uint32_t half_open_max;  /**< half-open connections per worker; beyond: SYN cookies */
	bool syncookies;         /**< answer with SYN cookies (RFC 4987) past half_open_max,
				  *   else drop the SYN */
	uint32_t challenge_ack_per_s; /**< RFC 5961 challenge ACKs per second per worker: each
				       *   second's budget is drawn at random in
				       *   [n/2, n*3/2) (Linux tcp_challenge_ack_limit) */
	uint32_t challenge_ack_per_conn_ms; /**< at most one challenge ACK per connection per
					     *   this many ms (Linux tcp_invalid_ratelimit);
					     *   0 = no per-connection limit */
	uint32_t rst_per_s;      /**< RSTs answering segments for no connection, per second
				  *   per worker (token bucket, one second of burst; like
				  *   FreeBSD's net.inet.icmp.icmplim for RSTs) */
	uint32_t isn_rekey_s;    /**< redraw the ISN key every this many seconds; 0 = never */
	uint32_t ooo_max;        /**< out-of-order segments held per connection */
	uint32_t msl_ms;         /**< Maximum Segment Lifetime; TIME_WAIT lasts 2*MSL */
	uint32_t max_tw;         /**< TIME_WAIT entries per worker (44 bytes each, outside
				  *   max_conns); when full the oldest is recycled (Linux
				  *   net.ipv4.tcp_max_tw_buckets) */
	uint32_t rto_init_ms;    /**< initial RTO (RFC 6298: 1 s) */
	uint32_t rto_min_ms;     /**< lower bound of the RTO */
	uint32_t rto_max_ms;     /**< upper bound of the RTO (backoff stops here) */
	uint8_t syn_retries;     /**< SYN retransmissions before giving up */
	uint8_t synack_retries;  /**< SYN-ACK retransmissions before freeing a half-open */
	uint8_t max_retries;     /**< data/FIN retransmissions before RST and close */
	uint32_t fin_wait2_ms;   /**< FIN_WAIT_2 lifetime after lr_tcp_close() */
	uint8_t pressure_retries; /**< retransmissions (SYN-ACK, data, FIN, probes) before giving
				  *   up while the table is 7/8 full or memory is under
				  *   pressure, when lower than the usual limit */
	uint8_t orphan_retries;  /**< retransmissions (data, FIN, zero-window probes) of a
				  *   connection the application closed, before RST and free
				  *   (Linux net.ipv4.tcp_orphan_retries) */
	uint32_t max_orphans;    /**< connections the application closed that may still be
				  *   closing; past it the oldest is reset (Linux
				  *   net.ipv4.tcp_max_orphans); 0 = max_conns / 4 */
	uint32_t user_timeout_ms; /**< RFC 5482 user timeout (Linux TCP_USER_TIMEOUT): sent data
				  *   unacknowledged, or a zero window probed, for longer than
				  *   this resets the connection; 0 = off (retry counts only) */
	uint16_t port_lo;        /**< ephemeral port range for lr_tcp_connect, host order */
	uint16_t port_hi;        /**< inclusive */
	lr_tcp_isn_fn isn_fn;    /**< NULL: RFC 6528 keyed hash plus 4 us clock */
	void *isn_arg;           /**< passed to isn_fn */
	uint8_t cc;              /**< enum lr_tcp_cc of new connections (listeners and
				  *   connections may choose another) */
	uint8_t ecn;             /**< enum lr_tcp_ecn: ECN (RFC 3168) of active opens and of
				  *   listeners (which may choose another, lr_tcp_listen_ecn) */
	bool slow_start_after_idle; /**< RFC 5681 §4.1: after an idle period longer than the
				  *   RTO, start sending with cwnd = min(IW, cwnd) (Linux
				  *   net.ipv4.tcp_slow_start_after_idle) */
	bool hystart;            /**< HyStart++ (RFC 9406) in the initial slow start of
				  *   NewReno and CUBIC: leave it for Conservative Slow
				  *   Start when the RTT grows (Linux tcp_cubic hystart) */
	uint32_t timer_budget;   /**< connections lr_tcp_tick() visits per call, and as many
				  *   TIME_WAIT entries it expires: the rest wait for the
				  *   next call, in deadline order (a loop turn stays short
				  *   when thousands expire at once; Linux bounds a softirq
				  *   run the same way, net.core.netdev_budget); 0 = no bound */
	/* overload (tcpmem) */
	uint32_t syn_shed_backlog; /**< new connections' SYNs are dropped before any
				    *   allocation while the RX burst came back full this many
				    *   loop turns in a row (lr_tcp_rx_load()); 0 = never */
	uint32_t syn_shed_busy_pct; /**< ... and the worker was at least this busy
				     *   (busy cycles, percent) over the last 5 ms
				     *   window and the current one: a burst is not
				     *   overload; 0 = the backlog alone */
	uint32_t syn_shed_tx_us; /**< new connections' SYNs are dropped before any allocation
				  *   for this long after a TX queue refused frames (the peer
				  *   or link takes no more: a SYN-ACK sent now would be lost
				  *   and leave a half-open behind); 0 = never */
};

/** Defaults: 16384 conns, 64 listeners, 64 KiB sndbuf, 256 KiB receive buffer with
 * window scaling, timestamps and SACK offered, delayed ACK 40 ms, keepalive off (when
 * enabled: 75 s interval, 9 probes), 1024 half-open then SYN cookies, 1000 challenge
 * ACKs per second (randomised) and one per connection per 500 ms, 1000 RSTs per second,
 * ISN key redrawn hourly, 64 out-of-order segments, MSL 30 s, 16384 TIME_WAIT entries,
 * RTO 1 s / 200 ms / 60 s, 5 SYN, 5 SYN-ACK, 12 data retries, FIN_WAIT_2 60 s,
 * 3 orphan retries, max_conns / 4 orphans, no user timeout, ports 32768..60999, SYNs
 * shed after 4 loop turns of full RX bursts and for 1 ms after a TX queue refused frames,
 * NewReno, slow start after idle, 64 timer visits and 64 TIME_WAIT expiries per
 * lr_tcp_tick(), ECN off.
 * lr_tcp_worker_init() refuses (-EINVAL): rcv_wnd above 65535 without window_scaling
 * or above 2^30, delack_ms >= 500, keepalive_ms > 0 with a zero interval or probe
 * count, half_open_max, challenge_ack_per_s or rst_per_s 0, ooo_max above 4096,
 * challenge_ack_per_conn_ms above 60000, max_tw 0 or above 2^26, cc not an
 * enum lr_tcp_cc, ecn not an enum lr_tcp_ecn. */
extern const struct lr_tcp_conf lr_tcp_conf_default;

/** Register the TCP handler with lib/ip (control path). */
void lr_tcp_init(void);

/**
 * Create a worker's shard: connection table, connection pool, listeners.
 * @param w worker; w->tcp is set
 * @param conf settings, NULL for lr_tcp_conf_default
 * @return 0, -EINVAL, -EEXIST (already initialised) or -ENOMEM
 */
int lr_tcp_worker_init(struct lr_worker *w, const struct lr_tcp_conf *conf);

/** Free a worker's shard and every connection in it, without callbacks or RSTs. */
void lr_tcp_worker_fini(struct lr_worker *w);

/**
 * TCP input (registered as protocol 6). Data at the IPv4 header, m->l3_len set.
 * Owns m: it is consumed, dropped with a counted reason, or handed to a data
 * callback.
 */
void lr_tcp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_iface *ifc);

/**
 * Tell TCP how loaded the worker's RX is, once per poll loop turn: @p full when an
 * RX burst of this turn came back with as many packets as asked. After
 * conf.syn_shed_backlog full turns in a row, SYNs for new connections are shed
 * before any allocation (tcp SYN_SHED_BACKLOG) until a turn is not full, provided
 * the worker was busy at least conf.syn_shed_busy_pct of its cycles lately (w's
 * busy_cycles and idle_cycles over the last window and the current one; with none
 * counted, as in tests and in-process benches, the backlog alone decides). A peer
 * that sends in bursts fills a few turns in a row at any load: dperf's client at
 * 300k CPS, with the worker 26-41 % busy, had 0.18 SYNs a connection shed, each
 * one costing its connection a retransmission. Chosen over rte_eth_rx_queue_count(),
 * which net_tap, net_memif and net_ring do not implement and which reads descriptors
 * on those that do.
 */
void lr_tcp_rx_load(struct lr_worker *w, bool full);

/** Emit what the last burst produced (one segment train per connection) and free
 * closed connections. Call after each RX burst and after lr_tcp_tick(). */
void lr_tcp_flush(struct lr_worker *w);

/**
 * Run expired timers against w->now_us (retransmission, persist, delayed ACK,
 * keepalive, TIME_WAIT, FIN_WAIT_2). Visits only connections with a timer armed, at
 * most conf.timer_budget of them (visited, or moved after a clock jump of more than
 * 4.1 s) and as many TIME_WAIT expiries per call; what is
 * left waits for the next call (earliest deadlines first), so a timer fires after
 * its deadline by at most the calls the work before it takes, ceil(due before it /
 * timer_budget) of them, plus one jiffy.
 * @return true if due work was left for the next call (the caller should not idle)
 */
bool lr_tcp_tick(struct lr_worker *w);

/**
 * Listen on a port on every local address of this worker.
 * @param port host order
 * @param cb callbacks of each accepted connection; not copied: they must stay valid
 *        while the listener or any of its connections lives (a static const)
 * @param arg passed to the callbacks (change per connection with lr_tcp_set_arg)
 * @return 0, -EADDRINUSE, -ENOSPC or -EINVAL
 */
int lr_tcp_listen(struct lr_worker *w, uint16_t port, const struct lr_tcp_callbacks *cb,
		void *arg);

/**
 * Congestion control of the connections a listener accepts from now on (by default
 * conf.cc).
 * @param port host order
 * @return 0, -ENOENT (no listener) or -EINVAL
 */
int lr_tcp_listen_cc(struct lr_worker *w, uint16_t port, enum lr_tcp_cc cc);

/**
 * ECN (RFC 3168) of the connections a listener accepts from now on (by default
 * conf.ecn): LR_TCP_ECN_OFF answers an ECN-setup SYN without ECE; ON and ACCEPT both
 * accept it (a listener never requests).
 * @param port host order
 * @return 0, -ENOENT (no listener) or -EINVAL
 */
int lr_tcp_listen_ecn(struct lr_worker *w, uint16_t port, enum lr_tcp_ecn ecn);

/**
 * Stop listening. Half-open connections of the port are freed; established ones
 * stay. @return 0 or -ENOENT
 */
int lr_tcp_unlisten(struct lr_worker *w, uint16_t port);

/**
 * Active open: SYN_SENT, SYN leaves at the next lr_tcp_flush().
 * The source address is the interface whose subnet holds dst (else the first with
 * a gateway), the source port the next free one in [port_lo, port_hi].
 * @param dst destination address, network order
 * @param dport destination port, host order
 * @param cb its callbacks; not copied: valid while the connection lives
 * @return the connection, or NULL with rte_errno/errno set (ENETUNREACH,
 *         EADDRNOTAVAIL when no port is free, ENOSPC when the shard is full)
 */
struct lr_tcp_conn *lr_tcp_connect(struct lr_worker *w, rte_be32_t dst, uint16_t dport,
		const struct lr_tcp_callbacks *cb, void *arg);

/**
 * lr_tcp_connect() from a chosen source address: one of the addresses of the
 * interface that reaches dst (its first or one of its range, lr_iface::ip_count),
 * e.g. a load generator spreading connections over a client address pool. The
 * source port is the next one free for this address and dst:dport.
 * @param src source address, network order; 0 = the interface's first address
 * @return as lr_tcp_connect(); NULL with errno EADDRNOTAVAIL also when src is not
 *         an address of that interface
 */
struct lr_tcp_conn *lr_tcp_connect_from(struct lr_worker *w, rte_be32_t src, rte_be32_t dst,
		uint16_t dport, const struct lr_tcp_callbacks *cb, void *arg);

/**
 * A hint: a coming lr_tcp_connect_from() of this worker, the ahead-th after the next
 * one (0: the next), will likely be with these arguments. The lines its port choice
 * reads (the connection table's bucket and the TIME_WAIT table's slot of the 4-tuple
 * with the ephemeral port it will try first) are fetched now, so that a caller
 * opening connections back to back (a load generator) does not wait on two cache
 * misses a connection. No effect on what is chosen.
 * @param src source address, network order (0: nothing is fetched)
 */
void lr_tcp_connect_prefetch(struct lr_worker *w, rte_be32_t src, rte_be32_t dst,
		uint16_t dport, uint32_t ahead);

/**
 * The application consumed len bytes that the data callback delivered (only with
 * hold_rcv): the receive window reopens; a window update is sent when it grew by
 * at least one MSS or half the buffer (RFC 1122 4.2.3.3).
 */
void lr_tcp_recved(struct lr_tcp_conn *c, uint32_t len);

/**
 * Keep m, handed over by the data callback (hold_rcv), beyond the callback: copied out
 * of a receive pool when needed (lr_mbuf_hold()) and charged by its truesize to the
 * worker's budget (LR_MEM_TCP_RCV) and to the connection's receive buffer, whose
 * window shrinks by half of it when that is more than the held bytes (Linux charges
 * skb->truesize to sk_rmem_alloc). An application that holds data without it is
 * counted by its bytes only.
 * @param charged set to the truesize charged, given back with lr_tcp_rcv_release()
 * @return the mbuf to keep (a copy: m is freed), or NULL (m freed) when the budget's
 *         hard limit refuses it
 */
struct rte_mbuf *lr_tcp_rcv_hold(struct lr_tcp_conn *c, struct rte_mbuf *m,
		uint32_t *charged);

/**
 * Give back truesize charged by lr_tcp_rcv_hold() (the application freed those
 * buffers); the window reopens as with lr_tcp_recved(). Valid until the handle is:
 * before lr_tcp_close() / lr_tcp_abort() returns, or in the closed callback; what is
 * still charged when the connection is freed is given back then (later calls give
 * back nothing).
 */
void lr_tcp_rcv_release(struct lr_tcp_conn *c, uint32_t truesize);

/**
 * Queue bytes for sending. They are copied into mbufs of the send buffer (the
 * caller keeps buf), sent as the peer's window allows and retransmitted from there.
 * @return bytes queued (possibly fewer than len when the buffer is full, or when
 *         no mbuf could be taken or charged: tcp SND_NOMEM),
 *         -ENOTCONN before ESTABLISHED/after close, -EPIPE after shutdown,
 *         -ENOBUFS when nothing could be queued for want of an mbuf or of room in
 *         the worker's memory budget (past its hard limit)
 */
int lr_tcp_send(struct lr_tcp_conn *c, const void *buf, uint32_t len);

/**
 * Queue an mbuf chain for sending. Up to 512 bytes (or what fits behind the last
 * byte queued) are copied into the send buffer, so small writes do not pin a buffer
 * each; a longer chain is linked as it is (data_len bytes per segment) after
 * lr_mbuf_hold(): copied first when it comes from another pool than the worker's (an
 * RX pool) or is sparse. Charged to the worker's budget by truesize. All or nothing.
 * @param m a chain of any length; on success the connection owns it, on error the
 *          caller still does
 * @return 0, -EMSGSIZE when m is longer than lr_tcp_send_space(), -ENOBUFS when no
 *         mbuf or no room in the budget (tcp SND_NOMEM), and the errors of
 *         lr_tcp_send() (-ENOTCONN, -EPIPE)
 */
int lr_tcp_send_mbuf(struct lr_tcp_conn *c, struct rte_mbuf *m);

/** Free space in the send buffer, in bytes: sndbuf less the bytes queued, and no
 * more than fits in the buffers it may still take (its mbufs' truesize stays within
 * twice sndbuf). */
uint32_t lr_tcp_send_space(const struct lr_tcp_conn *c);

/**
 * Half-close: a FIN follows the queued data; data still arrives. Established or
 * CLOSE_WAIT only. @return 0 (also when already shut down) or -ENOTCONN
 */
int lr_tcp_shutdown(struct lr_tcp_conn *c);

/**
 * Close: shut down, and detach the application. No more callbacks; the handle
 * must not be used again. The stack finishes the close (FIN, TIME_WAIT) alone;
 * data that still arrives is acknowledged and discarded. A connection not yet
 * established is freed (SYN_SENT silently, SYN_RCVD with a RST).
 */
void lr_tcp_close(struct lr_tcp_conn *c);

/** Abort: send RST if synchronized and free at once. No callbacks; handle invalid. */
void lr_tcp_abort(struct lr_tcp_conn *c);

/**
 * Choose a connection's congestion control, e.g. right after lr_tcp_connect(). Once
 * established the switch keeps cwnd and ssthresh and starts the new algorithm's
 * state afresh (as Linux's TCP_CONGESTION). @return 0 or -EINVAL
 */
int lr_tcp_set_cc(struct lr_tcp_conn *c, enum lr_tcp_cc cc);

/** Replace the callback argument of one connection. */
void lr_tcp_set_arg(struct lr_tcp_conn *c, void *arg);

/** @return the connection's state */
enum lr_tcp_state lr_tcp_conn_state(const struct lr_tcp_conn *c);

/** @return "ESTABLISHED", "TIME_WAIT", ... ("?" when out of range) */
const char *lr_tcp_state_name(enum lr_tcp_state s);

/** One line of `netstat`. */
struct lr_tcp_conn_info {
	rte_be32_t laddr;          /**< local address (0 for a listener) */
	uint16_t lport;            /**< host order */
	rte_be32_t raddr;          /**< remote address (0 for a listener) */
	uint16_t rport;            /**< host order */
	enum lr_tcp_state state;   /**< state */
	const char *state_name;    /**< its name */
	uint32_t send_q;           /**< bytes in the send buffer (unacked + unsent) */
	uint32_t recv_q;           /**< bytes held by the application (hold_rcv) plus
				    *   out-of-order bytes queued */
	uint32_t srtt_us;          /**< smoothed RTT, 0 before the first sample */
	uint32_t rto_us;           /**< current retransmission timeout */
	uint32_t retransmits;      /**< segments retransmitted over the lifetime */
	uint16_t worker;           /**< worker id */
	uint32_t cwnd;             /**< congestion window, bytes */
	uint32_t ssthresh;         /**< slow start threshold, bytes (UINT32_MAX: none yet) */
	uint32_t snd_wnd;          /**< the peer's window, bytes (scaled) */
	uint32_t rcv_wnd;          /**< the window we advertised last, bytes */
	const char *cc;            /**< congestion control ("newreno", "cubic"); NULL for
				    *   listeners and TIME_WAIT entries */
};

/**
 * Walk listeners, connections, then TIME_WAIT entries (their rows give addresses and
 * state only) of a worker. Must run on the worker's lcore (the control thread gets a
 * snapshot through it later).
 * @param cb a non-zero return stops the walk
 * @return entries visited
 */
unsigned int lr_tcp_walk(struct lr_worker *w,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg);

/** Position of a paged walk (lr_tcp_walk_page()). Zero it to start. It holds
 * indexes, never a pointer: connections freed between pages are simply not seen,
 * a connection created meanwhile may be missed (its slot behind the cursor), and
 * one whose TIME_WAIT moved to an entry meanwhile seen twice (the semantics of
 * netstat over /proc/net/tcp). */
struct lr_tcp_cursor {
	uint32_t phase;  /**< 0 listeners, 1 connections, 2 TIME_WAIT entries, 3 done */
	uint32_t pos;    /**< listener slot, connection slot, TIME_WAIT slot */
};

/** Pages of at most this many entries are what the control plane asks for. */
#define LR_TCP_WALK_PAGE 256

/** A page of connections ends after this many microseconds of the worker's time
 * (checked every 16 rows), whatever it has filled: rows are cold cache lines. */
#define LR_TCP_WALK_US 25

/** Connection slots one page of at most max entries looks at, at most. */
#define LR_TCP_WALK_SCAN(max) (16ull * (max) + 4096)

/** @return true once lr_tcp_walk_page() has visited everything */
static inline bool
lr_tcp_cursor_done(const struct lr_tcp_cursor *cur)
{
	return cur->phase >= 3;
}

/**
 * One page of a walk over listeners, connections, then TIME_WAIT entries, resumable:
 * visits at most max entries, looks at most at LR_TCP_WALK_SCAN(max) connection slots
 * (and stops after LR_TCP_WALK_US once it has 16 rows) and 4 * max TIME_WAIT slots (a page may so end with no entry before the walk is
 * done), and leaves the cursor after the last one, so the control thread can post
 * one page per worker call and the worker never stalls on a large or sparse shard.
 * Must run on the worker's lcore.
 * @param cur position, advanced; zeroed to start, done when the walk ended
 * @param max entries at most, 1.. (e.g. LR_TCP_WALK_PAGE)
 * @param cb called for each entry; a non-zero return ends the walk (cursor done)
 * @return entries visited
 */
unsigned int lr_tcp_walk_page(struct lr_worker *w, struct lr_tcp_cursor *cur, unsigned int max,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg);

/**
 * Reset connections at shutdown, at most max per call (the poll loop calls it each
 * turn until it returns 0): a RST where RFC 9293 ABORT sends one (SYN_RCVD,
 * ESTABLISHED, FIN_WAIT_1/2, CLOSE_WAIT; counter SHUTDOWN_RST), then the connection
 * is freed and its application called with closed(LR_TCP_CLOSE_RESET).
 * @return connections left
 */
unsigned int lr_tcp_reset_all(struct lr_worker *w, unsigned int max);

/**
 * Listeners and connections per state, from gauges the worker keeps at every state
 * change: no walk, any thread, values may lag.
 * @param n filled, indexed by enum lr_tcp_state (LISTEN: listeners plus connections
 *        being born from one); all 0 without a shard
 */
void lr_tcp_state_counts(const struct lr_worker *w, uint64_t n[LR_TCP_NB_STATES]);

/** A worker's TCP counters, NULL without a shard. Any thread may read them (aligned
 * 64-bit words, written only by the worker); values may lag. */
const struct lr_tcp_stats *lr_tcp_stats_get(const struct lr_worker *w);

/** Description of a TCP counter, NULL if out of range. */
const struct lr_stat_desc *lr_tcp_stat_desc(enum lr_tcp_stat_id id);

/** Connections currently in the shard, TIME_WAIT entries included (not counting
 * listeners). */
uint32_t lr_tcp_conn_count(const struct lr_worker *w);

/** Connections in TIME_WAIT held as compact entries (at most conf.max_tw). */
uint32_t lr_tcp_tw_count(const struct lr_worker *w);

#endif /* LR_TCP_H */
