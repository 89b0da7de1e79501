/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the TCP tests: segment builders (Ethernet + IPv4 + TCP with
 * options, valid checksums) from the peer, a checker for what the appliance sent,
 * an application that records its callbacks, and a controllable ISN.
 */
#ifndef TCP_TEST_H
#define TCP_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>
#include <rte_tcp.h>

#include "lr_tcp.h"
#include "lr_test.h"
#include "tcp_internal.h"

#define TT_SYN RTE_TCP_SYN_FLAG
#define TT_ACK RTE_TCP_ACK_FLAG
#define TT_RST RTE_TCP_RST_FLAG
#define TT_FIN RTE_TCP_FIN_FLAG
#define TT_PSH RTE_TCP_PSH_FLAG

#define TT_OUR_PORT 80       /**< the listener in passive tests */
#define TT_PEER_PORT 40000   /**< the peer's port in passive tests */
#define TT_PEER_WND 65535    /**< window the peer advertises by default */

/** Everything the test application saw. Reset by tt_setup(). */
struct tt_app {
	struct lr_tcp_conn *conn;        /**< last connection (connected or connect) */
	unsigned int connected;          /**< connected callbacks */
	unsigned int peer_closed;        /**< peer_closed callbacks */
	unsigned int closed;             /**< closed callbacks */
	enum lr_tcp_close_reason reason; /**< last closed reason */
	uint32_t sent;                   /**< bytes reported by sent callbacks */
	unsigned int data_calls;         /**< data callbacks */
	uint32_t data_len;               /**< bytes received */
	uint8_t data[8192];              /**< the first 8 KiB received */
	bool echo;                       /**< send every received byte back */
	bool close_on_peer_closed;       /**< lr_tcp_close() from peer_closed */
};
extern struct tt_app tt_app;
extern const struct lr_tcp_callbacks tt_cb;

/** The 4-tuple of the frames tt_rx() builds: peer port -> our port. */
extern uint16_t tt_peer_port;
extern uint16_t tt_our_port;
/** ISN the appliance uses for its next connection. */
extern uint32_t tt_isn;
/** The configuration tt_setup() used (tests may tweak it and call tt_reinit()). */
extern struct lr_tcp_conf tt_conf;

/** Suite setup: harness reset, TCP registered, shard with tt_conf, app reset. */
void tt_setup(void);
/** Suite teardown. */
void tt_teardown(void);
/** Recreate the shard with tt_conf (drops every connection). */
void tt_reinit(void);

/** A TCP segment from the peer (src port tt_peer_port, dst tt_our_port). */
struct rte_mbuf *tt_seg(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		const uint8_t *opts, uint8_t optlen, const void *data, uint16_t len);
/** Receive a segment and end the burst (lr_tcp_flush + worker flush). */
void tt_in(struct rte_mbuf *m);
/** Receive a segment without ending the burst. */
void tt_in_noflush(struct rte_mbuf *m);
/** End the burst: lr_tcp_flush and the worker flush. */
void tt_flush(void);
/** tt_in(tt_seg(seq, ack, flags, TT_PEER_WND, NULL, 0, data, len)) */
void tt_rx(uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint16_t len);
/** A SYN with an MSS option (mss 0: no option). */
void tt_rx_syn(uint32_t seq, uint16_t mss);
/** Advance the clock, run TCP timers and flush. */
void tt_advance_ms(uint64_t ms);

/** What one sent frame carried. */
struct tt_out {
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t wnd;
	int mss;                 /**< MSS option value, -1 when absent */
	int ws;                  /**< window scale shift, -1 when absent */
	bool has_ts;             /**< timestamps option present */
	uint32_t tsval, tsecr;   /**< its values */
	bool sack_ok;            /**< SACK-permitted option present */
	int nsack;               /**< SACK blocks (0 when no SACK option) */
	uint32_t sack[4][2];     /**< their left and right edges */
	uint16_t len;            /**< payload bytes */
	const uint8_t *payload;  /**< valid until the recorder is cleared */
	uint16_t sport, dport;
	rte_be32_t saddr, daddr;
	uint8_t ecn;             /**< the IP header's ECN field (RFC 3168 §5) */
};
/** Parse sent frame i (asserting it is TCP with good checksums). @return 0 or -1 */
int tt_out(unsigned int i, struct tt_out *o);

/** Assert sent frame i has these flags, seq, ack and payload length. */
#define TT_EXPECT(i, fl, sq, ak, ln) tt_expect(__FILE__, __LINE__, (i), (fl), (sq), (ak), (ln))
void tt_expect(const char *file, int line, unsigned int i, uint8_t flags, uint32_t seq,
		uint32_t ack, uint16_t len);
/** Assert exactly n frames were sent. */
#define TT_EXPECT_COUNT(n) CU_ASSERT_EQUAL(lr_test_tx_count(), (n))

/** Timestamps option bytes (NOP NOP TS) into opt[12]. */
void tt_ts_opt(uint8_t *opt, uint32_t tsval, uint32_t tsecr);
/** A connection's netstat line. */
struct lr_tcp_conn_info tt_info(void);
/** In-order payload the test application holds back (tt_app with hold_rcv). */
extern const struct lr_tcp_callbacks tt_cb_hold;

/** A TCP counter of worker 0. */
uint64_t tt_stat(enum lr_tcp_stat_id id);

/** Passive open by the seed: SYN 1000 <mss 1460> / SYN 8000 ACK 1001 / ACK 8001. */
struct lr_tcp_conn *tt_passive_open(void);
/** The same with other callbacks (e.g. tt_cb_hold). */
struct lr_tcp_conn *tt_passive_open_cb(const struct lr_tcp_callbacks *cb);
/** Active open by the seed: SYN 1000 / SYN 8000 ACK 1001 <mss 1024> / ACK 8001. */
struct lr_tcp_conn *tt_active_open(void);

/** Free every connection, clear the recorder and assert no mbuf leaked. */
#define TT_ASSERT_NO_LEAK() do { \
	lr_tcp_worker_fini(lr_tw); \
	lr_test_tx_clear(); \
	LR_TEST_ASSERT_NO_LEAK(); \
} while (0)

#endif /* TCP_TEST_H */
