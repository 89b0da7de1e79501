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
#include "lr_tcp.h"
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

/** Connection table key: the 4-tuple, network order. */
struct tcp_key {
	rte_be32_t raddr;
	rte_be32_t laddr;
	rte_be16_t rport;
	rte_be16_t lport;
};

/** Options of a received segment. */
struct tcp_opts {
	bool has_mss;        /**< MSS option present */
	bool has_ws;         /**< window scale present (parsed, not used: we never send WS) */
	bool has_ts;         /**< timestamps present (parsed, not used) */
	bool sack_ok;        /**< SACK permitted (ignored) */
	uint16_t mss;        /**< peer's MSS */
	uint8_t wscale;      /**< peer's shift */
	uint32_t tsval;      /**< TSval */
	uint32_t tsecr;      /**< TSecr */
};

/** A validated, parsed segment (host order unless noted). */
struct lr_tcp_seg {
	struct tcp_key key;  /**< as seen from us (network order) */
	uint32_t seq;        /**< SEG.SEQ (moved forward when the head is trimmed) */
	uint32_t ack;        /**< SEG.ACK */
	uint16_t wnd;        /**< SEG.WND */
	uint8_t flags;       /**< RTE_TCP_*_FLAG */
	uint32_t len;        /**< payload bytes still in the segment */
	uint32_t data_off;   /**< payload offset from the mbuf data start (IP header) */
	uint16_t mtu;        /**< MTU of the receiving interface */
	struct tcp_opts opt; /**< options */
};

/** SEG.LEN: payload plus one for each of SYN and FIN. */
static inline uint32_t
tcp_seg_seqlen(const struct lr_tcp_seg *s)
{
	return s->len + !!(s->flags & RTE_TCP_SYN_FLAG) + !!(s->flags & RTE_TCP_FIN_FLAG);
}

/** Timers of a connection, dispatched through tcp_timersw[] in tcp_timer.c. */
enum tcp_timer_id {
	TCP_T_REXMT = 0,  /**< retransmission (SYN, SYN-ACK, data, FIN) */
	TCP_T_2MSL,       /**< TIME_WAIT */
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

struct lr_tcp_listener {
	bool used;                     /**< slot in use */
	uint16_t port;                 /**< host order */
	struct lr_tcp_callbacks cb;    /**< copied into accepted connections */
	void *arg;                     /**< their initial argument */
};

/** Transmission Control Block (RFC 9293 §3.3.1 variables keep their names). */
struct lr_tcp_conn {
	TAILQ_ENTRY(lr_tcp_conn) link;     /**< shard->conns, then shard->dead */
	TAILQ_ENTRY(lr_tcp_conn) out_link; /**< shard->outq */
	struct lr_worker *w;               /**< owning worker */
	struct lr_tcp_shard *sh;           /**< its shard */
	struct tcp_key key;                /**< 4-tuple, network order */
	enum lr_tcp_state state;           /**< state */
	uint16_t flags;                    /**< TCP_F_* */
	uint16_t listen_port;              /**< passive: listener's port (host order) */
	/* send sequence space */
	uint32_t iss;       /**< initial send sequence number */
	uint32_t snd_una;   /**< oldest unacknowledged */
	uint32_t snd_nxt;   /**< next to send (rewound on timeout) */
	uint32_t snd_max;   /**< highest sent + 1 */
	uint32_t snd_wl1;   /**< SEG.SEQ of the last window update */
	uint32_t snd_wl2;   /**< SEG.ACK of the last window update */
	uint32_t snd_wnd;   /**< peer's window */
	uint32_t fin_seq;   /**< sequence number of our FIN (valid with TCP_F_FIN_SENT) */
	uint16_t snd_mss;   /**< largest payload we send */
	uint16_t adv_mss;   /**< MSS we advertise: interface MTU - 40 */
	/* receive sequence space */
	uint32_t irs;       /**< initial receive sequence number */
	uint32_t rcv_nxt;   /**< next expected */
	uint32_t rcv_wnd;   /**< window we advertise (before scaling) */
	/* send buffer: mbufs linked through ->next, sb_off bytes of the head acked */
	struct rte_mbuf *sb_head;  /**< oldest */
	struct rte_mbuf *sb_tail;  /**< newest */
	uint32_t sb_len;           /**< bytes from SND.UNA (unacked + unsent) */
	uint16_t sb_off;           /**< acknowledged bytes at the front of sb_head */
	/* RTT estimation (RFC 6298), microseconds */
	uint32_t srtt_us;   /**< 0 until the first sample */
	uint32_t rttvar_us; /**< RTT variation */
	uint32_t rto_us;    /**< current RTO, backed off */
	uint32_t rtt_seq;   /**< segment being timed */
	uint64_t rtt_ts;    /**< when it was sent */
	uint8_t nretries;   /**< consecutive timeouts */
	uint32_t retransmits; /**< total retransmitted segments */
	uint64_t timer[TCP_T_MAX]; /**< deadlines in w->now_us, 0 = stopped */
	struct lr_tcp_callbacks cb; /**< application callbacks */
	void *arg;                  /**< their argument */
};

TAILQ_HEAD(tcp_conn_list, lr_tcp_conn);

/** A worker's TCP state (w->tcp). */
struct lr_tcp_shard {
	struct lr_tcp_conf conf;          /**< settings */
	struct lr_tcp_stats stats;        /**< counters (read by the control thread) */
	struct rte_hash *table;           /**< struct tcp_key -> struct lr_tcp_conn * */
	struct rte_mempool *pool;         /**< connection blocks */
	struct lr_tcp_listener *listeners; /**< conf.max_listeners slots */
	struct tcp_conn_list conns;       /**< every live connection */
	struct tcp_conn_list outq;        /**< connections with output pending */
	struct tcp_conn_list dead;        /**< closed, freed at the next flush */
	uint32_t nb_conns;                /**< on conns */
	uint32_t nb_listeners;            /**< listeners in use */
	uint64_t next_timer;              /**< earliest deadline (lower bound), 0 none */
	uint16_t next_port;               /**< ephemeral port cursor */
	uint32_t isn_secret;              /**< RFC 6528 key */
};

/* tcp_conn.c */
struct lr_tcp_conn *tcp_conn_lookup(struct lr_tcp_shard *sh, const struct tcp_key *key);
struct lr_tcp_conn *tcp_conn_new(struct lr_worker *w, const struct tcp_key *key);
void tcp_conn_free(struct lr_tcp_conn *c);
void tcp_conn_reap(struct lr_tcp_shard *sh);
struct lr_tcp_listener *tcp_listener_lookup(struct lr_tcp_shard *sh, uint16_t port);
uint32_t tcp_new_isn(struct lr_tcp_shard *sh, const struct tcp_key *key, uint64_t now_us);
int tcp_sb_append(struct lr_tcp_conn *c, const void *buf, uint32_t len);
void tcp_sb_copy(const struct lr_tcp_conn *c, uint32_t off, void *dst, uint32_t len);
void tcp_sb_drop(struct lr_tcp_conn *c, uint32_t n);

/* tcp_fsm.c */
void tcp_set_state(struct lr_tcp_conn *c, enum lr_tcp_state s);
void tcp_fsm_input(struct lr_worker *w, struct lr_tcp_conn *c, struct lr_tcp_seg *seg,
		struct rte_mbuf *m);
void tcp_fsm_listen(struct lr_worker *w, struct lr_tcp_listener *l, struct lr_tcp_seg *seg,
		struct rte_mbuf *m, const uint32_t *min_iss);
void tcp_fsm_closed(struct lr_worker *w, const struct lr_tcp_seg *seg, struct rte_mbuf *m);
void tcp_close_conn(struct lr_tcp_conn *c, enum lr_tcp_close_reason reason);
void tcp_enter_time_wait(struct lr_tcp_conn *c);

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
void tcp_send_rst(struct lr_worker *w, const struct tcp_key *key, uint32_t seq, uint32_t ack,
		bool with_ack);
void tcp_send_rst_for(struct lr_worker *w, const struct lr_tcp_seg *seg);

/* tcp_timer.c */
void tcp_timer_arm(struct lr_tcp_conn *c, enum tcp_timer_id t, uint64_t delay_us);
void tcp_timer_stop(struct lr_tcp_conn *c, enum tcp_timer_id t);
void tcp_timer_stop_all(struct lr_tcp_conn *c);
void tcp_rtt_sample(struct lr_tcp_conn *c, uint32_t rtt_us);

/** Drop a segment for a reason: count it in the shard and free it. */
static inline void
tcp_drop(struct lr_tcp_shard *sh, struct rte_mbuf *m, enum lr_tcp_stat_id reason)
{
	sh->stats.v[reason]++;
	rte_pktmbuf_free(m);
}

/** True when our FIN was sent and is acknowledged. */
static inline bool
tcp_fin_acked(const struct lr_tcp_conn *c)
{
	return (c->flags & TCP_F_FIN_SENT) && SEQ_GT(c->snd_una, c->fin_seq);
}

#endif /* TCP_INTERNAL_H */
