/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * lib/tcp private declarations: the shard, the connection block, the parsed
 * segment, and the functions the files of lib/tcp call in each other.
 */
#ifndef TCP_INTERNAL_H
#define TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_tcp.h>

#include "lr_core.h"
#include "lr_siphash.h"
#include "lr_tcp.h"
#include "tcp_conn_table.h"
#include "tcp_seq.h"
#include "tcp_stats.h"

extern int lr_logtype_tcp;

/** Datapath trace, compiled out above RTE_LOG_DP_LEVEL (like RTE_LOG_DP). */
#define TCP_LOG_DP(level, fmt, ...) do { \
	if (RTE_LOG_##level <= RTE_LOG_DP_LEVEL) \
		rte_log(RTE_LOG_##level, lr_logtype_tcp, "TCP: " fmt "\n", ##__VA_ARGS__); \
} while (0)
/** Control path log. */
#define TCP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, lr_logtype_tcp, "TCP: " fmt "\n", ##__VA_ARGS__)

#define TCP_FLAGS_MASK 0x3f      /**< FIN SYN RST PSH ACK URG */
#define TCP_DEFAULT_MSS 536      /**< RFC 9293 §3.7.1: peer sent no MSS option */
#define TCP_HDR_LEN 20           /**< header without options */
#define TCP_OPT_MSS_LEN 4        /**< kind 2, length 4 */
#define TCP_OPT_WS_LEN 4         /**< NOP + kind 3, length 3 */
#define TCP_OPT_TS_LEN 12        /**< NOP NOP + kind 8, length 10 */
#define TCP_OPT_MAX_LEN 40       /**< the option space (data offset 15 words) */
#define TCP_SACK_BLOCKS_MAX 4    /**< SACK blocks in one option (RFC 2018 §3: 2+8n <= 40) */
#define TCP_MAX_WSCALE 14        /**< RFC 7323 §2.3 */

/** Options of a received segment. */
struct tcp_opts {
	bool has_mss;        /**< MSS option present */
	bool has_ws;         /**< window scale present (RFC 7323 §2) */
	bool has_ts;         /**< timestamps present (RFC 7323 §3) */
	bool sack_ok;        /**< SACK permitted (RFC 2018 §2) */
	uint8_t nsack;       /**< SACK blocks in sack[] (a well-formed option, RFC 2018 §3) */
	uint16_t mss;        /**< peer's MSS */
	uint8_t wscale;      /**< peer's shift */
	uint32_t tsval;      /**< TSval */
	uint32_t tsecr;      /**< TSecr */
	uint32_t sack[TCP_SACK_BLOCKS_MAX][2]; /**< SACK blocks: left edge, right edge (host
					       *   order, as sent: not validated) */
};

/** A validated, parsed segment (host order unless noted). */
struct lr_tcp_seg {
	struct tcp_key key;  /**< as seen from us (network order) */
	uint32_t seq;        /**< SEG.SEQ (moved forward when the head is trimmed) */
	uint32_t ack;        /**< SEG.ACK */
	uint16_t wnd;        /**< SEG.WND */
	uint8_t flags;       /**< RTE_TCP_*_FLAG (FIN SYN RST PSH ACK URG) */
	uint8_t ecn;         /**< ECN (RFC 3168): the header's ECE and CWR bits
			      *   (TCP_SEG_ECE, TCP_SEG_CWR) and the datagram's ECN field
			      *   (TCP_SEG_ECN_MASK: LR_IP_ECN_*) */
	uint32_t len;        /**< payload bytes still in the segment */
	uint32_t data_off;   /**< payload offset from the mbuf data start (IP header) */
	uint16_t mtu;        /**< MTU of the receiving interface */
	struct tcp_opts opt; /**< options */
};

#define TCP_SEG_ECE RTE_TCP_ECE_FLAG /**< lr_tcp_seg::ecn: ECN-Echo */
#define TCP_SEG_CWR RTE_TCP_CWR_FLAG /**< lr_tcp_seg::ecn: Congestion Window Reduced */
#define TCP_SEG_ECN_MASK 0x03        /**< lr_tcp_seg::ecn: the IP ECN field */
#define TCP_SEG_CE 0x03              /**< ... when it is CE (LR_IP_ECN_CE) */

/** SEG.LEN: payload plus one for each of SYN and FIN. */
static inline uint32_t
tcp_seg_seqlen(const struct lr_tcp_seg *s)
{
	return s->len + !!(s->flags & RTE_TCP_SYN_FLAG) + !!(s->flags & RTE_TCP_FIN_FLAG);
}

/** Timers of a connection, dispatched through tcp_timersw[] in tcp_timer.c. */
enum tcp_timer_id {
	TCP_T_REXMT = 0,  /**< retransmission (SYN, SYN-ACK, data, FIN) */
	TCP_T_PERSIST,    /**< zero-window probes (RFC 9293 §3.8.6.1) */
	TCP_T_DELACK,     /**< delayed ACK (RFC 1122 4.2.3.2) */
	TCP_T_KEEP,       /**< keepalive (RFC 1122 4.2.3.6) */
	TCP_T_FW2,        /**< FIN_WAIT_2 after lr_tcp_close() */
	TCP_T_MAX
};

/* Connection flags. */
#define TCP_F_ACK_PENDING  0x0001 /**< an ACK must leave at the next flush */
#define TCP_F_ON_OUTQ      0x0002 /**< linked on the shard's output list */
#define TCP_F_FIN_QUEUED   0x0004 /**< application shut down; FIN follows the data */
#define TCP_F_FIN_SENT     0x0008 /**< our FIN has been sent at least once (fin_seq valid) */
#define TCP_F_APP_CLOSED   0x0010 /**< application detached: no more callbacks */
#define TCP_F_NOTIFIED     0x0020 /**< the application knows the handle */
#define TCP_F_PASSIVE      0x0040 /**< created by a listener */
#define TCP_F_TIMING       0x0080 /**< an RTT measurement is running */
#define TCP_F_FREED        0x0100 /**< off the table, waiting on the dead list */
#define TCP_F_PEER_FIN     0x0200 /**< the peer's FIN was received */
#define TCP_F_WSCALE       0x0400 /**< window scaling offered (SYN_SENT) / in use */
#define TCP_F_TSTAMP       0x0800 /**< timestamps offered (SYN_SENT) / in use */
#define TCP_F_RECOVERY     0x1000 /**< in fast recovery (RFC 6582) */
#define TCP_F_HALF_OPEN    0x2000 /**< counted in the shard's half-open connections */
#define TCP_F_ON_WHEEL     0x4000 /**< filed in a slot of the shard's timer wheel */
#define TCP_F_TIMEWAIT     0x8000 /**< moved to a compact TIME_WAIT entry (tcp_tw.c): the
				   *   block is freed, the connection goes on there */

/* Cold flags of a connection (lr_tcp_conn::cflags; the hot 16-bit flags are full). */
#define TCP_CF_ORPHAN      0x01   /**< closed by the application, still closing: on
				   *   shard->orphans instead of shard->conns */
#define TCP_CF_SACK        0x02   /**< SACK-permitted offered (SYN_SENT, SYN_RCVD) / both
				   *   sides sent it: SACK in use (RFC 2018) */
#define TCP_CF_DSACK       0x04   /**< a D-SACK waits in sh->dsack for the next ACK */
#define TCP_CF_REXMT_ALT   0x08   /**< timer[TCP_T_REXMT] holds an earlier RFC 8985 timer
				   *   (tail loss probe or RACK reordering), not the RTO:
				   *   they share the slot, as Linux ICSK_TIME_LOSS_PROBE */
#define TCP_CF_RACK_TMR    0x80   /**< with TCP_CF_REXMT_ALT: the slot holds the RACK
				   *   reordering timer (RFC 8985 §6.3), not the PTO */
#define TCP_CF_TLP_SENT    0x10   /**< a loss probe is out in this flight (RFC 8985 §7:
				   *   one at a time); cleared when SND.UNA advances */
#define TCP_CF_CC_SHIFT    5      /**< congestion control algorithm (enum lr_tcp_cc) */
#define TCP_CF_CC_MASK     (0x3 << TCP_CF_CC_SHIFT)

/* ECN state of a connection (lr_tcp_conn::ecn, tcp_ecn.c). */
#define TCP_ECN_OFFER      0x01   /**< SYN_SENT: our SYN is an ECN-setup SYN (ECE, CWR) */
#define TCP_ECN_OK         0x02   /**< negotiated (RFC 3168 §6.1.1): ECT on new data, CE
				   *   echoed, ECE honoured */
#define TCP_ECN_ECHO       0x04   /**< receiver: CE seen, ECE on our ACKs until a CWR */
#define TCP_ECN_CWR        0x08   /**< sender: CWR on our next new data segment */
#define TCP_ECN_WND        0x10   /**< sender: cwnd reduced for ECE, ecn_high valid: ECE
				   *   ignored until SND.UNA reaches it (once per window) */

struct lr_tcp_conn;

/**
 * An out-of-order segment held for reassembly (its mbuf holds the payload only, in
 * the worker's data pool: lr_mbuf_hold() copied it out of an RX pool), charged to
 * the worker's budget (LR_MEM_TCP_OOO) by its truesize.
 */
struct tcp_ooo_seg {
	TAILQ_ENTRY(tcp_ooo_seg) link; /**< c->ooo: sorted by seq, never overlapping */
	TAILQ_ENTRY(tcp_ooo_seg) age;  /**< sh->ooo_age: oldest queued first */
	struct lr_tcp_conn *c;         /**< its connection */
	uint32_t seq;                  /**< first byte */
	uint32_t len;                  /**< payload bytes */
	uint32_t charged;              /**< bytes charged to the budget for m */
	uint16_t stamp;                /**< sh->ooo_stamp when data last arrived in it: the
					*   order of our SACK blocks (tcp_sack.c) */
	bool fin;                      /**< a FIN follows the last byte */
	struct rte_mbuf *m;            /**< the payload */
};
TAILQ_HEAD(tcp_ooo_list, tcp_ooo_seg);

/**
 * Congestion control hook (anchor: Linux struct tcp_congestion_ops). The generic
 * code in tcp_cc.c counts duplicate ACKs, runs the RFC 6582 recovery state
 * (recover, TCP_F_RECOVERY), restarts after idle (RFC 5681 §4.1) and does the
 * retransmissions; the hooks only set cwnd, ssthresh and their own state. NewReno
 * (tcp_cc.c) and CUBIC (tcp_cubic.c), indexed by enum lr_tcp_cc in tcp_cc_algos[].
 */
struct tcp_cc_ops {
	const char *name;
	/** Connection established: initial window. */
	void (*init)(struct lr_tcp_conn *c);
	/** New data acked outside recovery: slow start / congestion avoidance. */
	void (*on_ack)(struct lr_tcp_conn *c, uint32_t acked);
	/** Third duplicate ACK: fast retransmit follows; set ssthresh and cwnd. */
	void (*on_fast_retransmit)(struct lr_tcp_conn *c);
	/** Further duplicate ACK in recovery (window inflation). */
	void (*on_dupack)(struct lr_tcp_conn *c);
	/** ACK in recovery: partial (deflate) or full (leave recovery). */
	void (*on_recovery_ack)(struct lr_tcp_conn *c, uint32_t acked, bool full);
	/** Retransmission timeout. */
	void (*on_timeout)(struct lr_tcp_conn *c);
	/** Sending again after an idle period longer than the RTO: cwnd is already the
	 * restart window; forget what the algorithm learnt about the curve. */
	void (*on_restart)(struct lr_tcp_conn *c);
};
extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;
extern const struct tcp_cc_ops *const tcp_cc_algos[LR_TCP_CC_NB];

/** CUBIC's per-connection state (RFC 9438 §4.1.2 names; tcp_cubic.c). 16 bytes. */
struct tcp_cubic {
	uint32_t w_max;      /**< W_max, bytes: cwnd before the last reduction (less with
			      *   fast convergence); 0 = set it at the next epoch */
	uint32_t prior;      /**< cwnd_prior, bytes: cwnd when ssthresh was last set */
	uint32_t w_est;      /**< W_est, bytes (Reno-friendly estimate); 0 = no congestion
			      *   avoidance epoch running */
	uint32_t k_ms;       /**< t_epoch + K: when W_cubic(t) reaches W_max, now_us / 1000
			      *   (low 32 bits) */
};

/* Tail loss probe episode (lr_tcp_conn::tlp_ep; RFC 8985 §7.4). */
#define TCP_TLP_EP_ON  0x01 /**< a probe is out: did it repair a loss? (tlp_end valid) */
#define TCP_TLP_EP_RXT 0x02 /**< TLP.is_retrans: the probe resent data (not new data) */

/** HyStart++ (RFC 9406) phase of a connection (lr_tcp_conn::hs_state, tcp_hystart.c). */
enum tcp_hs_state {
	TCP_HS_OFF = 0,   /**< not used (hystart off, or the initial slow start is over):
			   *   classic slow start, cwnd += min(N, SMSS) */
	TCP_HS_SS,        /**< HyStart++ slow start: cwnd += min(N, L * SMSS) */
	TCP_HS_CSS,       /**< Conservative Slow Start: a quarter of that */
};

/** HyStart++'s rounds (RFC 9406 §4.2 names; tcp_hystart.c). RTTs in microseconds,
 * UINT32_MAX = infinity (no sample). 16 bytes. */
struct tcp_hystart {
	uint32_t end;        /**< windowEnd: SND.MAX when the round began; an ACK at or
			      *   past it ends the round */
	uint32_t cur_min;    /**< currentRoundMinRTT */
	uint32_t last_min;   /**< lastRoundMinRTT */
	uint32_t css_base;   /**< cssBaselineMinRtt */
};

/** SACK ranges a scoreboard holds (a board with more ranges to record keeps the ones it
 * has: what it misses is counted in pipe, the conservative side). */
#define TCP_SACK_RANGES 16
/** Retransmissions a scoreboard follows for RACK (tcp_rack.c). */
#define TCP_RACK_RX 8
/** Segments of new data a tail loss probe sends (tcp_output_probe()): two draw the
 * receiver's ACK at once, one may wait for its delayed ACK. */
#define TCP_TLP_NEW_SEGS 2u

/**
 * The sender's SACK scoreboard (RFC 6675 §3), one per connection whose peer SACKed
 * data above SND.UNA, from a bounded per-worker array (tcp_sack.c): the SACKed
 * ranges above SND.UNA, sorted and disjoint, and HighRxt. The unSACKed ranges
 * between them are the holes. For RACK (RFC 8985 §6, tcp_rack.c) each range keeps
 * when it was first SACKed, and the retransmissions in flight are recorded with their
 * time (rx[]).
 */
struct tcp_sack_board {
	uint32_t n;          /**< ranges in r[] */
	uint32_t high_rxt;   /**< RFC 6675 HighRxt, one past: retransmitted up to here */
	uint32_t next_free;  /**< free list: next free board index + 1 (0: none) */
	uint32_t nrx;        /**< records in rx[] */
	uint32_t rto_jiffy;  /**< the RTO's deadline (c->timer[] form) while the RACK timer
			      *   holds its slot, 0 = none */
	struct {
		uint32_t start;  /**< first SACKed byte */
		uint32_t end;    /**< one past the last */
		uint32_t at;     /**< when first SACKed (now_us, low 32 bits; the earliest
				  *   of ranges merged): the unSACKed bytes below it were
				  *   sent before data delivered then */
	} r[TCP_SACK_RANGES];
	struct tcp_rack_rx {
		uint32_t start;  /**< first byte retransmitted */
		uint32_t end;    /**< one past the last (a FIN counts one) */
		uint32_t ts;     /**< when (now_us, low 32 bits) */
		uint32_t after;  /**< SND.MAX then: data above it was sent after */
		uint32_t deliv;  /**< when data sent after it was first delivered (SACKed or
				  *   acknowledged), 0 = not yet: lost RACK.reo_wnd later */
	} rx[TCP_RACK_RX];   /**< retransmissions not yet delivered, at most TCP_RACK_RX
			      *   (more: the oldest is forgotten, the RTO covers it) */
};

/** A D-SACK (RFC 2883) waiting for the ACK it rides on, which leaves at the flush of
 * the burst that received the duplicate (it is ACKed at once). */
struct tcp_dsack {
	struct lr_tcp_conn *c; /**< its connection (TCP_CF_DSACK set) */
	uint32_t start;        /**< first duplicate byte */
	uint32_t end;          /**< one past the last */
};
/** D-SACKs held per burst; more in one burst are not sent. */
#define TCP_DSACK_MAX 32

struct lr_tcp_listener {
	bool used;                     /**< slot in use */
	uint8_t cc;                    /**< enum lr_tcp_cc of its connections */
	uint16_t port;                 /**< host order */
	uint8_t ecn;                   /**< enum lr_tcp_ecn of its connections */
	const struct lr_tcp_callbacks *cb; /**< given to accepted connections */
	void *arg;                     /**< their initial argument */
};

/**
 * Transmission Control Block (RFC 9293 §3.3.1 variables keep their names).
 *
 * Laid out by use. The first two cache lines (128 bytes) are the hot state: what a
 * segment on an established connection reads and writes when it moves no data
 * (pure ACK, window update, keepalive restarted, the timers checked); the burst
 * stage prefetches them (tcp_burst.c). Data moving, the timer wheel's links,
 * handshakes, closing, retransmission, RTT timing, reassembly and the
 * application's callbacks use the lines after them. test_tcp_input checks the
 * split by scrambling the cold lines around a pure ACK. The block is at most 384
 * bytes, a 448-byte pool element (guards in tcp_conn.c); fields added go at the end.
 */
struct lr_tcp_conn {
	/* line 0: identity, send and receive sequence space */
	struct tcp_key key;                /**< 4-tuple, network order */
	enum lr_tcp_state state : 16;      /**< state (16 bits: ip_id shares the word) */
	uint16_t ip_id;     /**< IPv4 id of our next segment (RFC 6864 atomic datagrams):
			     *   a counter of its own, seeded by tcp_conn_new() */
	uint16_t flags;                    /**< TCP_F_* */
	uint16_t snd_mss;   /**< largest payload we send */
	uint32_t snd_una;   /**< oldest unacknowledged */
	uint32_t snd_nxt;   /**< next to send (rewound on timeout) */
	uint32_t snd_max;   /**< highest sent + 1 */
	uint32_t snd_wl1;   /**< SEG.SEQ of the last window update */
	uint32_t snd_wl2;   /**< SEG.ACK of the last window update */
	uint32_t snd_wnd;   /**< peer's window (scaled) */
	uint32_t max_snd_wnd; /**< largest window the peer offered (RFC 5961 §5.2) */
	uint32_t rcv_nxt;   /**< next expected */
	uint32_t rcv_adv;   /**< RCV.NXT + RCV.WND as last advertised: never moves left */
	uint32_t rcv_unacked; /**< in-order bytes received since our last ACK */
	uint32_t last_ack_sent; /**< RCV.NXT in our last ACK (RFC 7323 Last.ACK.sent) */
	/* line 1: timestamps, receive details, send buffer size, timers, shard */
	uint32_t ts_recent; /**< TS.Recent (RFC 7323 §4.3) */
	uint32_t ts_offset; /**< random offset of our TSval clock (RFC 7323 §7.1) */
	uint32_t rcv_data_ms; /**< last in-order data from the peer, w->now_us / 1000
			       *   (32 bits: compared as a difference) */
	uint32_t sb_len;    /**< send buffer bytes from SND.UNA (unacked + unsent) */
	uint32_t cwnd;      /**< congestion window, bytes */
	uint16_t rcv_mss;   /**< full-sized segment from the peer (delayed ACK) */
	uint8_t quickacks;  /**< segments still to ACK at once (quick-ACK mode) */
	uint8_t rcv_wscale; /**< our shift (RFC 7323), 0 unless TCP_F_WSCALE */
	uint8_t snd_wscale; /**< the peer's shift */
	uint8_t dupacks;    /**< consecutive duplicate ACKs */
	uint8_t persist_shift; /**< zero-window probe backoff */
	uint8_t keep_probes;   /**< unanswered keepalive probes */
	uint32_t tw_jiffy;  /**< jiffy (low 32 bits) the wheel visits it at (TCP_F_ON_WHEEL) */
	uint32_t timer[TCP_T_MAX]; /**< deadlines: jiffies (low 32 bits), 0 = stopped */
	uint32_t slot;      /**< its index in sh->slots (paged walk; fills a hole here) */
	struct lr_tcp_shard *sh;   /**< its shard (sh->w: the owning worker) */
	/* lines 2-5: data, lists, handshake and closing, recovery, RTT, reassembly,
	 * callbacks */
	struct rte_mbuf *sb_head;  /**< send buffer, oldest (mbufs linked through ->next,
				    *   sb_off bytes of the head acked) */
	struct rte_mbuf *sb_tail;  /**< send buffer, newest */
	uint32_t rcv_held;  /**< delivered bytes the application holds (hold_rcv) */
	uint32_t ssthresh;  /**< slow start threshold */
	uint16_t sb_off;    /**< acknowledged bytes at the front of sb_head */
	uint8_t nretries;   /**< consecutive timeouts */
	uint8_t cflags;     /**< TCP_CF_* */
	uint16_t adv_mss;   /**< MSS we advertise: interface MTU - 40 */
	uint16_t ooo_n;     /**< out-of-order segments queued (at most ooo_max, 4096) */
	TAILQ_ENTRY(lr_tcp_conn) link;     /**< shard->conns (or ->orphans), then ->dead */
	TAILQ_ENTRY(lr_tcp_conn) out_link; /**< shard->outq */
	LIST_ENTRY(lr_tcp_conn) tw_link;   /**< timer wheel slot (TCP_F_ON_WHEEL) */
	uint32_t iss;       /**< initial send sequence number */
	uint32_t sack_board; /**< the SACK scoreboard (tcp_sack.c): index + 1 in sh->sack,
			      *   0 = none (held only while the peer SACKed data above
			      *   SND.UNA or in SACK loss recovery) */
	uint32_t fin_seq;   /**< sequence number of our FIN (valid with TCP_F_FIN_SENT) */
	uint32_t una_ms;    /**< w->now_us / 1000 when SND.UNA last advanced, data was first
			     *   sent with none in flight, or a zero window began to be
			     *   probed: the start of the RFC 5482 user timeout and of idle
			     *   (RFC 5681 §4.1) */
	/* congestion control (RFC 5681, RFC 6582, RFC 9438) */
	uint32_t recover;   /**< RFC 6582 "recover" */
	uint32_t sb_true;   /**< truesize of the send buffer's mbufs (LR_MEM_TCP_SND) */
	uint32_t cc_acc;    /**< bytes acked towards the next CA increase (NewReno: of cwnd;
			     *   CUBIC: of W_est) */
	struct tcp_cubic cub; /**< CUBIC's state (algorithm in cflags: tcp_cc()) */
	uint32_t retransmits; /**< total retransmitted segments */
	/* RTT estimation (RFC 6298), microseconds */
	uint32_t srtt_us;   /**< 0 until the first sample */
	uint32_t rttvar_us; /**< RTT variation */
	uint32_t rto_us;    /**< current RTO, backed off */
	uint32_t rtt_seq;   /**< segment being timed */
	uint32_t chack_ms;  /**< last challenge ACK, now_us / 1000 (low 32 bits; at creation
			     *   one challenge_ack_per_conn_ms back): RFC 5961 §7, like Linux
			     *   tp->last_oow_ack_time */
	uint32_t rtt_ts;    /**< when the timed segment was sent: w->now_us, low 32 bits
			     *   (an RTT is a difference of them, below 71 minutes) */
	/* reassembly */
	struct tcp_ooo_list ooo;   /**< out-of-order segments (ooo_n of them) */
	uint32_t ooo_true;  /**< truesize of the out-of-order queue (charged,
			     *   LR_MEM_TCP_OOO) */
	uint32_t rcv_true;  /**< truesize of delivered data the application holds
			     *   (lr_tcp_rcv_hold(), LR_MEM_TCP_RCV) */
	const struct lr_tcp_callbacks *cb; /**< application callbacks (the caller's) */
	void *arg;                  /**< their argument */
	/* line 5: ECN (RFC 3168, tcp_ecn.c) */
	uint32_t ecn_high;  /**< SND.MAX when cwnd was last reduced for ECE (TCP_ECN_WND) */
	uint8_t ecn;        /**< TCP_ECN_* */
	/* HyStart++ (RFC 9406, tcp_hystart.c) */
	uint8_t hs_state;   /**< enum tcp_hs_state */
	uint8_t hs_samples; /**< rttSampleCount: RTT samples this round (saturates) */
	uint8_t hs_rounds;  /**< rounds ended in Conservative Slow Start */
	struct tcp_hystart hs; /**< rounds and their minimum RTTs */
	/* RFC 8985 §7.4 TLP loss detection (tcp_rack.c, tcp_cc.c) */
	uint32_t tlp_end;   /**< TLP.end_seq: SND.MAX after the probe (with TCP_TLP_EP_ON) */
	uint8_t tlp_ep;     /**< TCP_TLP_EP_*: a probe's episode, 0 = none */
	/* undo of a spurious recovery (D-SACK, tcp_cc.c) */
	uint8_t undo_dsacked; /**< segments of the recovery D-SACKed since (saturates) */
	uint32_t undo_cwnd; /**< cwnd before the recovery's reduction, 0 = nothing to undo */
	uint32_t undo_ssthresh; /**< ssthresh before it */
	uint32_t undo_una;  /**< SND.UNA when it began: D-SACKs from here count */
	uint32_t undo_rexmits; /**< c->retransmits when it began */
};

/** Bytes of the hot state at the front of struct lr_tcp_conn. */
#define TCP_CONN_HOT_BYTES 128

TAILQ_HEAD(tcp_conn_list, lr_tcp_conn);
LIST_HEAD(tcp_tw_slot, lr_tcp_conn);

#define TCP_TW_GRAN_US 1000      /**< wheel granularity (one jiffy), microseconds */
/** Longest timer (12.4 days; lr_tcp_worker_init() refuses longer settings): deadlines
 * are 32-bit jiffies, exact within 2^31 of the wheel's position. */
#define TCP_TIMER_MAX_US ((uint64_t)INT32_MAX / 2 * TCP_TW_GRAN_US)
#define TCP_TW_L0_BITS 12        /**< level 0: 4096 slots of one jiffy (4.096 s) */
#define TCP_TW_L1_BITS 12        /**< level 1: 4096 slots of 4096 jiffies (4.66 h) */
#define TCP_TW_L0_SLOTS (1u << TCP_TW_L0_BITS)
#define TCP_TW_L1_SLOTS (1u << TCP_TW_L1_BITS)

/** One set of wheel slots: level 0 and level 1. */
struct tcp_tw_bank {
	struct tcp_tw_slot l0[TCP_TW_L0_SLOTS]; /**< jiffy j: l0[j % TCP_TW_L0_SLOTS] */
	struct tcp_tw_slot l1[TCP_TW_L1_SLOTS]; /**< block b: l1[b % TCP_TW_L1_SLOTS] */
};

/**
 * Hashed, hierarchical timing wheel of a shard (tcp_timer.c). Time is counted in
 * jiffies of TCP_TW_GRAN_US on w->now_us; a deadline d belongs to jiffy
 * ceil(d / TCP_TW_GRAN_US), processed once now_us reaches its start. A connection
 * with a timer armed is in exactly one slot: level 0 when that jiffy is less than
 * one revolution after @p cur, else the level 1 slot of its block of
 * TCP_TW_L0_SLOTS jiffies, emptied into level 0 when the block begins.
 *
 * Two banks of slots: @p act is the wheel; after a clock jump of a revolution or
 * more the slots it had become @p old, emptied a budget at a time (visited in jiffy
 * order, or moved back into @p act for blocks beyond the jump) while @p act already
 * runs from the new time.
 */
struct tcp_wheel {
	uint64_t cur;       /**< next jiffy to process; every earlier one is done */
	uint64_t next_us;   /**< start of @p cur: lr_tcp_tick() does nothing before it */
	uint32_t nb;        /**< connections on the wheel (both banks) */
	uint64_t visits;    /**< connections lr_tcp_tick() visited: its cost, for tests */
	uint64_t moves;     /**< connections moved from @p old to @p act unvisited */
	uint32_t budget;    /**< visits and moves per lr_tcp_tick() (conf.timer_budget;
	                     *   0: no bound) */
	struct tcp_tw_bank *act;  /**< the wheel's slots */
	struct tcp_tw_bank *old;  /**< slots a clock jump left to empty, NULL when none */
	uint64_t old_cur;   /**< @p cur when the jump came: @p old's first jiffy */
	uint64_t old_limit; /**< last jiffy the jump passed: @p old's blocks up to its
	                     *   block are visited, later ones moved */
	uint32_t old_pos;   /**< next of @p old's slots to empty: level 0 from old_cur's
	                     *   (0..TCP_TW_L0_SLOTS - 1), then level 1 from its block */
	struct tcp_tw_bank bank[2]; /**< the two banks (128 KiB) */
};

/**
 * A connection in TIME_WAIT once its block is freed (tcp_tw.c): what answering the
 * peer and judging a new SYN for the tuple need, like FreeBSD struct tcptw and Linux
 * struct tcp_timewait_sock. 44 bytes (the block is a 448-byte pool element).
 */
struct tcp_tw_entry {
	struct tcp_key key;     /**< 4-tuple, network order */
	uint32_t snd_nxt;       /**< SND.NXT: past our FIN */
	uint32_t rcv_nxt;       /**< RCV.NXT: past the peer's FIN */
	uint32_t ts_recent;     /**< TS.Recent (TCP_TW_F_TSTAMP) */
	uint32_t ts_offset;     /**< offset of our TSval clock */
	uint32_t expire_ms;     /**< end of 2 MSL: now_us / 1000, low 32 bits */
	uint32_t prev;          /**< FIFO by (re)start of 2 MSL: older entry, or TCP_TW_NIL */
	uint32_t next;          /**< newer entry (or the next free one), or TCP_TW_NIL */
	uint16_t wnd;           /**< window field of our ACKs (scaled as the connection did) */
	uint8_t flags;          /**< TCP_TW_F_* */
	uint8_t unused;
};
#define TCP_TW_F_TSTAMP 0x01     /**< both sides used timestamps (RFC 7323) */
#define TCP_TW_F_USED 0x02       /**< in use (not on the free list) */
#define TCP_TW_NIL UINT32_MAX    /**< no entry */

/**
 * A shard's TIME_WAIT table: conf.max_tw entries, a hash of them by 4-tuple (linear
 * probing, at most half full; a slot holds the 32-bit hash and the entry's index + 1,
 * 0 = empty) and a FIFO ordered by when each entry's 2 MSL (re)started, which is the
 * order of their expiries: expiry pops the head while it is due, and a full table
 * recycles the head.
 */
struct tcp_timewait {
	struct tcp_tw_entry *ent; /**< conf.max_tw entries */
	uint64_t *slot;           /**< hash slots: hash << 32 | (index + 1) */
	uint32_t mask;            /**< slots - 1 (a power of two, at least 2 * max_tw) */
	uint32_t seed;            /**< hash key (random per shard) */
	uint32_t nb;              /**< entries in use */
	uint32_t fresh;           /**< entries from here on never used yet */
	uint32_t head;            /**< oldest entry: expires first, recycled first */
	uint32_t tail;            /**< newest entry */
	uint32_t free;            /**< free entries, linked through next */
	uint32_t pf;              /**< TCP_TW_PF_AHEAD entries after head (or TCP_TW_NIL):
				   *   its lines are fetched before it leaves */
};
#define TCP_TW_PF_AHEAD 8        /**< removals at the head between an entry's fetch and its own */

/** A filter of the 4-tuples of the connections created since a burst's lookups:
 * TCP_CREATED_WORDS * 64 bits, one a tuple (tcp_created_bit()). A bit not set: no
 * connection of that tuple was created since, so "not found" still holds. */
#define TCP_CREATED_WORDS 4

/* The worker's busy share that gates SYN shedding on RX backlog is taken over the last
 * whole window of this length and the current one (tcp_burst.c): dperf's client at
 * 300k CPS fills the RX burst for 250-1000 us at a time, tens of times a second. */
#define TCP_LOAD_WINDOW_US 5000

/** The filter bit of a 4-tuple: a multiplicative hash (not keyed: a peer aiming
 * its tuples at one bit only costs the lookups done again, as before the filter). */
static inline unsigned int
tcp_created_bit(const struct tcp_key *k)
{
	uint32_t x = k->raddr ^ k->laddr ^ ((uint32_t)k->rport << 16 | k->lport);

	return (x * 0x9e3779b1u) >> (32 - 8); /* 0..255: TCP_CREATED_WORDS * 64 */
}

/** What the burst stage found for one segment of the burst (tcp_burst.c). */
struct tcp_hint {
	const struct rte_mbuf *m;  /**< the segment's frame */
	struct lr_tcp_conn *c;     /**< its connection at the start of the burst, or NULL */
	struct tcp_key key;        /**< its 4-tuple, as seen from us */
};

/** A worker's TCP state (w->tcp). */
/** What lr_tcp_send_space() needs of the worker's pool and sndbuf, computed once
 * (tcp_sb_limits_init()): two 64-bit divisions were 3.7 % of a keep-alive request. */
struct tcp_sb_limits {
	struct rte_mempool *mp;           /**< the pool they were computed for */
	uint32_t sndbuf;                  /**< conf.sndbuf they were computed for */
	uint32_t data;                    /**< data room of one buffer */
	uint64_t per;                     /**< truesize of one buffer */
	uint64_t tbuf;                    /**< truesize bound of a send buffer */
	uint64_t fast_true;               /**< up to this truesize, sndbuf bytes still fit in
					   *   whole buffers: only the byte limit binds */
};

struct lr_tcp_shard {
	struct lr_tcp_conf conf;          /**< settings */
	struct lr_worker *w;              /**< owner (c->sh->w of its connections) */
	struct rte_mempool *ooo_pool;     /**< struct tcp_ooo_seg (NULL when ooo_max is 0) */
	uint32_t nb_half_open;            /**< passive connections in SYN_RCVD */
	uint32_t nb_half_open_old;        /**< those that retransmitted their SYN-ACK */
	struct lr_siphash_key cookie_key; /**< RFC 4987 SYN cookie key */
	uint64_t cookie_last_us;          /**< last cookie sent (0: never) */
	/* RFC 5961 challenge ACKs and RSTs answering segments (tcp_output.c) */
	uint64_t chack_sec;               /**< second (now_us / 1e6) chack_left was drawn for */
	uint32_t chack_left;              /**< challenge ACKs left in that second */
	uint64_t rst_credit;              /**< RST tokens, x 1e6 (rst_per_s) */
	uint64_t rst_last_us;             /**< last refill */
	struct tcp_sb_limits sb_lim;      /**< send space constants (tcp_user.c) */
	/* RFC 6528 initial sequence numbers, RFC 7323 §7.1 timestamp offsets (tcp_conn.c) */
	struct lr_siphash_key isn_key;    /**< F() of the ISN, redrawn every isn_rekey_s */
	struct lr_siphash_key ts_key;     /**< the timestamp offset's, never redrawn */
	uint64_t isn_key_us;              /**< when isn_key was drawn */
	struct lr_tcp_stats stats;        /**< counters (read by the control thread) */
	struct tcp_ctab table;            /**< struct tcp_key -> slot index (tcp_conn_table.c) */
	struct rte_mempool *pool;         /**< connection blocks */
	/* Every connection in the table by slot index, for the control plane's paged walk
	 * (lr_tcp_walk_page): a slot index stays meaningful between pages, and a page
	 * scans pointers, not the hash table's buckets, so its cost is bounded. */
	struct lr_tcp_conn **slots;       /**< conf.max_conns entries, NULL = free */
	uint32_t *slot_free;              /**< freed indexes, a stack: reused first, so the
					   *   slots in use stay packed below slot_hi */
	uint32_t nb_slot_free;            /**< on slot_free */
	uint32_t slot_hi;                 /**< slots ever used: 0 .. slot_hi - 1 */
	struct lr_tcp_listener *listeners; /**< conf.max_listeners slots */
	struct tcp_conn_list conns;       /**< every live connection but the orphans */
	struct tcp_conn_list orphans;     /**< closed by the application, still closing,
					   *   oldest first (TCP_CF_ORPHAN) */
	uint32_t nb_orphans;              /**< on orphans */
	uint32_t max_orphans;             /**< conf.max_orphans, or its default */
	struct tcp_conn_list outq;        /**< connections with output pending */
	struct tcp_conn_list dead;        /**< closed, freed at the next flush */
	uint32_t nb_conns;                /**< on conns */
	uint32_t nb_listeners;            /**< listeners in use */
	uint16_t next_port;               /**< ephemeral port cursor */
	uint32_t nb_created;              /**< connections ever created (tcp_conn_new) */
	/* burst stage (tcp_burst.c): valid until the next burst or lr_tcp_flush() */
	uint16_t nb_hints;                /**< entries of hints */
	uint16_t hint_next;               /**< first entry not yet taken */
	uint32_t hints_created;           /**< nb_created when the hints were made */
	uint64_t created_since[TCP_CREATED_WORDS]; /**< tcp_created_bit() of each connection
					   *   created since the hints were made */
	struct tcp_hint hints[LR_BURST_MAX]; /**< the TCP segments of the burst, in order */
	/* memory and overload (tcp_reass.c, tcp_burst.c) */
	struct tcp_ooo_list ooo_age;      /**< every queued out-of-order segment, oldest first */
	uint32_t rx_full_turns;           /**< consecutive loop turns with a full RX burst */
	uint64_t load_t0_us;              /**< start of the current load window */
	uint64_t load_busy0, load_idle0;  /**< w's busy and idle cycles at its start */
	uint64_t load_busy_prev;          /**< busy cycles of the last whole window */
	uint64_t load_total_prev;         /**< busy and idle cycles of the last window */
	bool ecn_used;                    /**< conf.ecn or a listener's mode is not off: a
					   *   connection may use ECN (tcp_xmit reads c->ecn,
					   *   in the block's last line, only then) */
	/* SACK (tcp_sack.c) */
	struct tcp_sack_board *sack;      /**< nb_sack scoreboards */
	uint32_t nb_sack;                 /**< boards in sack[] */
	uint32_t sack_free;               /**< first free board index + 1 (0: none) */
	uint32_t sack_used;               /**< boards in use */
	uint16_t ooo_stamp;               /**< clock of tcp_ooo_seg::stamp (wraps) */
	uint16_t nb_dsack;                /**< entries of dsack */
	struct tcp_dsack dsack[TCP_DSACK_MAX]; /**< D-SACKs of this burst */
	struct tcp_wheel tw;              /**< connections with a timer armed (128 KiB) */
	struct tcp_timewait timewait;     /**< compact TIME_WAIT entries (tcp_tw.c) */
};

/** A connection of key was created while the burst's hints are out (tcp_conn_new). */
static inline void
tcp_created_mark(struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	unsigned int b = tcp_created_bit(key);

	if (sh->nb_hints != 0)
		sh->created_since[b / 64] |= 1ull << (b % 64);
}

/** Whether a connection of key may have been created since the hints were made. */
static inline bool
tcp_created_since(const struct lr_tcp_shard *sh, const struct tcp_key *key)
{
	unsigned int b = tcp_created_bit(key);

	return (sh->created_since[b / 64] >> (b % 64)) & 1;
}

/**
 * Move one entry of the per-state gauges (stats.state_now) from one state to
 * another. Every change of c->state goes through tcp_set_state(), which calls it;
 * state kept outside connection blocks (e.g. compact TIME_WAIT entries) adds and
 * removes itself with it too, so lr_tcp_state_counts() stays a read of gauges.
 */
static inline void
tcp_state_gauge_move(struct lr_tcp_shard *sh, enum lr_tcp_state from, enum lr_tcp_state to)
{
	sh->stats.state_now[from]--;
	sh->stats.state_now[to]++;
}

/* tcp_conn.c */
struct lr_tcp_conn *tcp_conn_lookup(struct lr_tcp_shard *sh, const struct tcp_key *key);
struct lr_tcp_conn *tcp_conn_new(struct lr_worker *w, const struct tcp_key *key);
void tcp_conn_free(struct lr_tcp_conn *c);
void tcp_conn_reap(struct lr_tcp_shard *sh);
struct lr_tcp_listener *tcp_listener_lookup(struct lr_tcp_shard *sh, uint16_t port);
uint32_t tcp_new_isn(struct lr_tcp_shard *sh, const struct tcp_key *key, uint64_t now_us);
uint64_t tcp_ts_offset(const struct lr_tcp_shard *sh, const struct tcp_key *key);
void tcp_sb_limits_init(struct tcp_sb_limits *l, struct rte_mempool *mp,
		uint32_t sndbuf);
int tcp_sb_append(struct lr_tcp_conn *c, const void *buf, uint32_t len);
int tcp_sb_append_mbuf(struct lr_tcp_conn *c, const struct rte_mbuf *m);
void tcp_sb_link(struct lr_tcp_conn *c, struct rte_mbuf *m, uint32_t charged);
uint32_t tcp_sb_tailroom(const struct lr_tcp_conn *c);
void tcp_sb_free(struct lr_tcp_conn *c);
/** Copy len bytes at offset off of the send buffer into the bytes dst_off.. of the
 * chain dst (its segments' data_len already set). */
void tcp_sb_copy(const struct lr_tcp_conn *c, uint32_t off, struct rte_mbuf *dst, uint32_t dst_off,
		uint32_t len);
void tcp_sb_drop(struct lr_tcp_conn *c, uint32_t n);

/* tcp_sbref.c */
/** Payloads from this many bytes on may be sent from the send buffer in place. */
#define TCP_SBREF_MIN 1u
/**
 * The len bytes at sb_off of c's send buffer as a segment sent in place: an indirect
 * mbuf on the buffer holding them, hlen bytes for the TCP header at its data.
 * @return the mbuf, or NULL when they cannot be (then they are copied)
 */
struct rte_mbuf *tcp_sb_ref(struct lr_tcp_conn *c, uint32_t sb_off, uint32_t len,
		uint32_t hlen);
void tcp_orphan(struct lr_tcp_conn *c);
void tcp_orphan_leave(struct lr_tcp_conn *c);

/* tcp_burst.c */
uint16_t tcp_burst_stage(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n);
enum lr_tcp_stat_id tcp_syn_shed_reason(const struct lr_tcp_shard *sh);
struct lr_tcp_conn *tcp_conn_find(struct lr_tcp_shard *sh, const struct rte_mbuf *m,
		const struct tcp_key *key);

/* tcp_fsm.c */
void tcp_set_state(struct lr_tcp_conn *c, enum lr_tcp_state s);
void tcp_fsm_input(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m);
void tcp_fsm_closed(struct lr_worker *w, const struct lr_tcp_seg *seg, struct rte_mbuf *m);
void tcp_negotiate(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, bool ws, bool ts,
		bool sack);
void tcp_close_conn(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason);
void tcp_enter_time_wait(struct lr_tcp_conn *c);
void tcp_notify_connected(struct lr_tcp_conn *c);

/* tcp_tw.c */
/** What a segment that found no connection block did in the TIME_WAIT table. */
enum tcp_tw_result {
	TCP_TW_MISS = 0,  /**< no TIME_WAIT entry: go on to the listeners */
	TCP_TW_DONE,      /**< answered or dropped there (m disposed of) */
	TCP_TW_REOPEN,    /**< a SYN that may reopen the tuple: the entry is gone, go on */
};
/** Extra distance of a reopened tuple's ISS from the old SND.NXT (4.4BSD TCP_ISSINCR). */
#define TCP_TW_ISS_GAP 128000
int tcp_tw_init(struct lr_tcp_shard *sh, int socket);
void tcp_tw_fini(struct lr_tcp_shard *sh);
void tcp_tw_enter(struct lr_tcp_conn *c);
enum tcp_tw_result tcp_tw_input(struct lr_worker *w, const struct lr_tcp_seg *seg,
		struct rte_mbuf *m, uint32_t *min_iss);
int tcp_tw_syn_reuse(bool ts_used, uint32_t ts_recent, uint32_t rcv_nxt,
		const struct lr_tcp_seg *seg);
bool tcp_tw_exists(struct lr_tcp_shard *sh, const struct tcp_key *key);
/** Fetch the TIME_WAIT slot key hashes to (tcp_tw_exists() of it soon). */
void tcp_tw_prefetch(const struct lr_tcp_shard *sh, const struct tcp_key *key);
bool tcp_tw_expire(struct lr_tcp_shard *sh, uint64_t now_us, uint32_t budget);
bool tcp_tw_walk_page(struct lr_worker *w, uint32_t *pos, unsigned int max,
		int (*cb)(const struct lr_tcp_conn_info *info, void *arg), void *arg,
		unsigned int *n);

/* tcp_ack.c */
/**
 * "Fifth, check the ACK field" (ACK bit, SYN-RECEIVED and the synchronized states).
 * @return false when the segment is finished (m disposed of, or the connection gone)
 */
bool tcp_fsm_ack(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m);

/* tcp_listen.c */
void tcp_fsm_listen(struct lr_worker *w, struct lr_tcp_listener *l, struct lr_tcp_seg *seg,
		struct rte_mbuf *m, const uint32_t *min_iss);

/** The application holds the handle and has not closed it. */
static inline bool
tcp_app_live(const struct lr_tcp_conn *c)
{
	return (c->flags & (TCP_F_NOTIFIED | TCP_F_APP_CLOSED | TCP_F_FREED)) == TCP_F_NOTIFIED;
}

/* tcp_output.c */
void tcp_output(struct lr_tcp_conn *c);
void tcp_output_schedule(struct lr_tcp_conn *c);
void tcp_ack_schedule(struct lr_tcp_conn *c);
void tcp_ack_delay(struct lr_tcp_conn *c, uint32_t len);
void tcp_ack_mid_burst_send(struct lr_tcp_conn *c);

/* A data segment is about to be taken in: an ACK owed for the flush with two full-sized
 * segments' worth unacknowledged leaves now (tcp_ack_mid_burst_send()). The test is
 * inline: it runs for every data segment, the send rarely. */
static inline void
tcp_ack_mid_burst(struct lr_tcp_conn *c)
{
	if (unlikely((c->flags & TCP_F_ACK_PENDING) && c->rcv_unacked >= 2u * c->rcv_mss))
		tcp_ack_mid_burst_send(c);
}
bool tcp_challenge_ack(struct lr_tcp_conn *c);
bool tcp_rate_allow(struct lr_worker *w);
bool tcp_output_probe(struct lr_tcp_conn *c);
void tcp_output_rexmit_head(struct lr_tcp_conn *c);
int tcp_output_rexmit(struct lr_tcp_conn *c, uint32_t seq, uint32_t len, bool fin);
uint32_t tcp_output_cap(const struct lr_tcp_conn *c);
void tcp_send_keepalive(struct lr_tcp_conn *c);
void tcp_send_persist_probe(struct lr_tcp_conn *c);
uint32_t tcp_rcv_space(const struct lr_tcp_conn *c);
void tcp_send_cookie_synack(struct lr_worker *w, const struct lr_tcp_seg *seg, uint32_t iss,
		uint16_t mss, uint8_t ecn);
void tcp_send_rst(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		bool with_ack);
void tcp_send_rst_for(struct lr_worker *w, const struct lr_tcp_seg *seg);
void tcp_send_ctl(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const uint8_t *opt, uint32_t optlen);

/* tcp_timer.c */
void tcp_timer_init(struct lr_tcp_shard *sh, uint64_t now_us);
void tcp_timer_arm(struct lr_tcp_conn *c, enum tcp_timer_id t, uint64_t delay_us);
/** When armed timer t fires at the earliest (w->now_us of its jiffy), 0 if stopped. */
uint64_t tcp_timer_due_us(const struct lr_tcp_conn *c, enum tcp_timer_id t);
/** When a deadline of the c->timer[] form falls (w->now_us of its jiffy). */
uint64_t tcp_timer_jiffy_us(const struct lr_tcp_conn *c, uint32_t j);
void tcp_timer_stop(struct lr_tcp_conn *c, enum tcp_timer_id t);
void tcp_timer_stop_all(struct lr_tcp_conn *c);
void tcp_rtt_sample(struct lr_tcp_conn *c, uint32_t rtt_us);
void tcp_keep_reset(struct lr_tcp_conn *c);

/* tcp_reass.c */
void tcp_reass_insert(struct lr_tcp_conn *c, uint32_t seq, uint32_t len, bool fin,
		struct rte_mbuf *m);
uint32_t tcp_ooo_relieve(struct lr_tcp_shard *sh, uint32_t budget);
/** Out-of-order segments lr_tcp_flush() frees at most while under pressure. */
#define TCP_OOO_RELIEVE_FLUSH 64u
struct rte_mbuf *tcp_reass_pop(struct lr_tcp_conn *c, uint32_t *len, bool *fin);
void tcp_reass_flush(struct lr_tcp_conn *c);
struct rte_mbuf *tcp_mbuf_cut_head(struct rte_mbuf *m, uint32_t n);
void tcp_mbuf_keep(struct rte_mbuf *m, uint32_t keep);

/* tcp_cc.c */
void tcp_cc_ack(struct lr_tcp_conn *c, uint32_t acked);
void tcp_cc_dupack(struct lr_tcp_conn *c);
void tcp_cc_sack(struct lr_tcp_conn *c);
void tcp_cc_timeout(struct lr_tcp_conn *c);
void tcp_cc_idle_check(struct lr_tcp_conn *c);
void tcp_cc_set(struct lr_tcp_conn *c, enum lr_tcp_cc algo);
void tcp_cc_dsack(struct lr_tcp_conn *c, uint32_t start, uint32_t end);
uint32_t tcp_cc_flight(const struct lr_tcp_conn *c);
uint32_t tcp_cc_iw(const struct lr_tcp_conn *c);
void tcp_newreno_init(struct lr_tcp_conn *c);
void tcp_newreno_on_dupack(struct lr_tcp_conn *c);
void tcp_newreno_on_recovery_ack(struct lr_tcp_conn *c, uint32_t acked, bool full);
/** Largest cwnd (2^30, the largest window a peer can offer, RFC 7323 §2.3): a long
 * transfer without loss cannot wrap it. */
#define TCP_CWND_MAX (1u << 30)

/* tcp_cubic.c */
uint32_t tcp_cubic_cbrt(uint64_t x);

/* tcp_hystart.c */
void tcp_hystart_init(struct lr_tcp_conn *c);
void tcp_hystart_rtt(struct lr_tcp_conn *c, uint32_t rtt_us);
void tcp_cc_slow_start(struct lr_tcp_conn *c, uint32_t acked);

/** The connection's congestion control algorithm. */
static inline enum lr_tcp_cc
tcp_cc_algo(const struct lr_tcp_conn *c)
{
	return (enum lr_tcp_cc)((c->cflags & TCP_CF_CC_MASK) >> TCP_CF_CC_SHIFT);
}

/** Its hooks. */
static inline const struct tcp_cc_ops *
tcp_cc(const struct lr_tcp_conn *c)
{
	return tcp_cc_algos[tcp_cc_algo(c)];
}

/* tcp_sack.c */
int tcp_sack_init(struct lr_tcp_shard *sh, int socket);
void tcp_sack_fini(struct lr_tcp_shard *sh);
uint32_t tcp_sack_optlen(const struct lr_tcp_conn *c, uint32_t room);
uint32_t tcp_sack_opt(struct lr_tcp_conn *c, uint8_t *opt, uint32_t room);
void tcp_sack_dsack(struct lr_tcp_conn *c, uint32_t start, uint32_t end);
void tcp_sack_flush(struct lr_tcp_shard *sh);
bool tcp_sack_update(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg);
void tcp_sack_acked(struct lr_tcp_conn *c);
void tcp_sack_clear(struct lr_tcp_conn *c);
void tcp_sack_timeout(struct lr_tcp_conn *c);
uint32_t tcp_sack_skip(const struct lr_tcp_conn *c, uint32_t *seq);
uint32_t tcp_sack_cwnd_end(const struct lr_tcp_conn *c);
int tcp_sack_una_lost(const struct lr_tcp_conn *c);
uint32_t tcp_sack_pipe(const struct lr_tcp_conn *c);
void tcp_sack_rexmitted(struct lr_tcp_conn *c, uint32_t seq, uint32_t end);
uint32_t tcp_sack_output(struct lr_tcp_conn *c, uint32_t cap, uint32_t wnd_end);
bool tcp_sack_rescue(struct lr_tcp_conn *c, uint32_t cap);

/** The connection's scoreboard, NULL when it has none. */
static inline struct tcp_sack_board *
tcp_sack_board(const struct lr_tcp_conn *c)
{
	return c->sack_board != 0 ? &c->sh->sack[c->sack_board - 1] : NULL;
}

/* tcp_rack.c */
void tcp_tlp_schedule(struct lr_tcp_conn *c);
void tcp_rack_timeout(struct lr_tcp_conn *c);
uint32_t tcp_rack_reo_wnd(const struct lr_tcp_conn *c);
uint32_t tcp_rack_lost_point(const struct lr_tcp_conn *c, const struct tcp_sack_board *b);
void tcp_rack_sent(struct lr_tcp_conn *c, struct tcp_sack_board *b, uint32_t seq,
		uint32_t end);
void tcp_rack_delivered(struct lr_tcp_conn *c, struct tcp_sack_board *b);
void tcp_rack_arm(struct lr_tcp_conn *c);

/* tcp_ecn.c */
void tcp_ecn_syn_rcvd(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg, uint8_t mode);
void tcp_ecn_synack_rcvd(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg);
void tcp_ecn_input(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg);
void tcp_ecn_echo(struct lr_tcp_conn *c, const struct lr_tcp_seg *seg);
uint8_t tcp_ecn_output(struct lr_tcp_conn *c, uint32_t seq, uint8_t *flags, uint32_t len);
bool tcp_ecn_reduced(struct lr_tcp_conn *c);

/** An ECN-setup SYN (RFC 3168 §6.1.1): ECE and CWR both set. */
static inline bool
tcp_ecn_setup_syn(const struct lr_tcp_seg *seg)
{
	return (seg->ecn & (TCP_SEG_ECE | TCP_SEG_CWR)) == (TCP_SEG_ECE | TCP_SEG_CWR);
}

/* tcp_syncookie.c */
uint32_t tcp_cookie_make(struct lr_tcp_shard *sh, const struct tcp_key *key, uint32_t irs,
		uint64_t now_us, uint16_t mss, uint16_t *mss_out);
int tcp_cookie_check(struct lr_tcp_shard *sh, const struct tcp_key *key, uint32_t irs,
		uint32_t iss, uint64_t now_us);

/** The options a cookie SYN-ACK's TSval carried back in the ACK's TSecr. */
struct tcp_cookie_opts {
	bool has_ws;    /**< the peer offered window scaling */
	uint8_t wscale; /**< its shift */
	bool sack;      /**< it offered SACK */
	bool ecn;       /**< it asked for ECN and we accepted (RFC 3168) */
};

/**
 * TSval of a cookie SYN-ACK (tcp_syncookie.c): ts_now with its low 6 bits replaced by
 * the options of seg (a SYN) that we accept (@p ws, @p sack: the listener's settings;
 * @p ecn: ECN accepted), never above ts_now.
 */
uint32_t tcp_cookie_tsval(uint32_t ts_now, const struct lr_tcp_seg *seg, bool ws, bool sack,
		bool ecn);

/**
 * Decode the options in the TSecr of a cookie's ACK.
 * @return 0, or -1 when the bits cannot come from tcp_cookie_tsval() (no options used)
 */
int tcp_cookie_ts_decode(uint32_t tsecr, struct tcp_cookie_opts *o);

/** Our window shift for a receive buffer of rcv_wnd bytes: the smallest that fits it
 * in 16 bits (at most TCP_MAX_WSCALE). */
static inline uint8_t
tcp_wscale_for(uint32_t rcv_wnd)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WSCALE && (rcv_wnd >> s) > UINT16_MAX)
		s++;
	return s;
}


/** Drop a segment for a reason: count it in the shard and free it. */
static inline void
tcp_drop(struct lr_tcp_shard *sh, struct rte_mbuf *m, enum lr_tcp_stat_id reason)
{
	sh->stats.v[reason]++;
	rte_pktmbuf_free(m);
}

/** SEG.WND in bytes: scaled except on a SYN (RFC 7323 §2.2). */
static inline uint32_t
tcp_seg_wnd(const struct lr_tcp_conn *c, const struct lr_tcp_seg *seg)
{
	if (seg->flags & RTE_TCP_SYN_FLAG)
		return seg->wnd;
	return (uint32_t)seg->wnd << c->snd_wscale;
}

/** RCV.WND: what is left of the window we advertised (RFC 9293 §3.3.1). */
static inline uint32_t
tcp_rcv_wnd(const struct lr_tcp_conn *c)
{
	return SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

/**
 * Receive buffer (truesize) taken by the data the application holds (hold_rcv): the
 * truesize of the buffers it holds (lr_tcp_rcv_hold(), Linux sk_rmem_alloc), and
 * never less than twice their bytes (the ratio of the window to the buffer).
 */
static inline uint64_t
tcp_rcv_held_true(const struct lr_tcp_conn *c)
{
	return RTE_MAX(2ull * c->rcv_held, (uint64_t)c->rcv_true);
}

/**
 * The receive buffer of a connection in truesize (Linux sk_rcvbuf): twice
 * conf.rcv_wnd, as Linux with tcp_adv_win_scale = 1 advertises half its buffer and
 * keeps the other half for what the buffers cost beyond their payload. Data the
 * application holds takes tcp_rcv_held_true().
 * @return truesize the out-of-order queue may occupy (Linux tcp_try_rmem_schedule)
 */
static inline uint64_t
tcp_rcvbuf_room(const struct lr_tcp_conn *c)
{
	uint64_t buf = 2ull * c->sh->conf.rcv_wnd, held = tcp_rcv_held_true(c);

	return held >= buf ? 0 : buf - held;
}

/** Our timestamp clock: 1 ms per tick (RFC 7323 §5.4), offset per connection. */
static inline uint32_t
tcp_ts_now(const struct lr_tcp_conn *c)
{
	return (uint32_t)(c->sh->w->now_us / 1000) + c->ts_offset;
}

/** Largest payload of a segment we send: the peer's MSS less our options. */
static inline uint32_t
tcp_eff_mss(const struct lr_tcp_conn *c)
{
	return c->snd_mss - ((c->flags & TCP_F_TSTAMP) ? TCP_OPT_TS_LEN : 0);
}

/**
 * SEQ of a RST we send on a synchronized connection: SND.MAX (RFC 9293 ABORT's
 * SND.NXT), or the right edge of the peer's window when that is below it (a zero or
 * shrunk window: what we sent past it was not taken), so the peer finds it acceptable
 * (Linux tcp_acceptable_seq(); a RST outside the window is ignored, RFC 5961 §3.2).
 */
static inline uint32_t
tcp_rst_seq(const struct lr_tcp_conn *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;

	return SEQ_LEQ(c->snd_max, edge) ? c->snd_max : edge;
}

/** True when our FIN was sent and is acknowledged. */
static inline bool
tcp_fin_acked(const struct lr_tcp_conn *c)
{
	return (c->flags & TCP_F_FIN_SENT) && SEQ_GT(c->snd_una, c->fin_seq);
}

#endif /* TCP_INTERNAL_H */
