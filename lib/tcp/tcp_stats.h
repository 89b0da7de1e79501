/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP counters and drop reasons, one block per worker inside its shard.
 *
 * Kept out of LR_STATS_TABLE on purpose: the TCP block lives in struct lr_tcp_shard,
 * is written only by its worker and read by the control thread through
 * lr_tcp_stats_get() / lr_tcp_stat_desc().
 */
#ifndef TCP_STATS_H
#define TCP_STATS_H

#include <stdint.h>

#include "lr_stats.h"

/*
 * X(NAME, kind, "description"); kind is COUNT or DROP (enum lr_stat_kind).
 * A received segment ends either consumed, handed to the application, or dropped
 * with exactly one DROP reason.
 */
#define LR_TCP_STATS_TABLE(X) \
	X(RX, COUNT, "segments received") \
	X(TX, COUNT, "segments sent") \
	X(RX_DATA_BYTES, COUNT, "in-order payload bytes delivered") \
	X(TX_DATA_BYTES, COUNT, "payload bytes sent (first transmissions)") \
	X(TX_SB_REF, COUNT, "data segments sent from the send buffer in place, not copied") \
	X(PASSIVE_OPEN, COUNT, "connections created by a SYN to a listener") \
	X(ACTIVE_OPEN, COUNT, "connections opened by lr_tcp_connect") \
	X(ESTABLISHED, COUNT, "connections that reached ESTABLISHED") \
	X(CLOSED, COUNT, "connections freed") \
	X(RST_RX, COUNT, "acceptable RSTs that reset a connection") \
	X(RST_TX, COUNT, "RSTs sent") \
	X(CHALLENGE_ACK, COUNT, "RFC 5961 challenge ACKs sent") \
	X(REXMT_TIMEOUT, COUNT, "retransmission timer expirations") \
	X(REXMT_SEGS, COUNT, "segments retransmitted") \
	X(TIMEOUT_DROP, COUNT, "connections given up after all retransmissions") \
	X(SYNACK_GIVEUP, COUNT, "half-open connections freed: SYN-ACK never acknowledged") \
	X(HALF_OPEN_PRUNED, COUNT, "of those, given up early: half_open_max half full, mostly old") \
	X(FIN_WAIT2_TIMEOUT, COUNT, "closed connections freed from FIN_WAIT_2 by timeout") \
	X(TIME_WAIT_REUSE, COUNT, "TIME_WAIT connections replaced by a new SYN") \
	X(OPT_MALFORMED, COUNT, "option lists cut short: zero or overlong option length") \
	X(DUP_SYN, COUNT, "retransmitted SYNs answered in SYN_RCVD") \
	X(ACK_TX, COUNT, "pure ACKs sent") \
	X(ACK_DELAYED, COUNT, "ACKs sent by the delayed-ACK timer") \
	X(ACK_QUICK, COUNT, "data segments ACKed at once in quick-ACK mode") \
	X(ACK_MID_BURST, COUNT, "pure ACKs sent within a receive burst, every second full-sized segment") \
	X(ACK_COALESCED, COUNT, "ACKs owed but merged into a later ACK or data segment") \
	X(WND_UPDATE, COUNT, "window updates after lr_tcp_recved (RFC 1122 4.2.3.3)") \
	X(ZERO_WND_TX, COUNT, "segments sent advertising a zero window") \
	X(PERSIST_PROBE, COUNT, "zero-window probes sent (persist timer)") \
	X(OOO_QUEUED, COUNT, "out-of-order segments queued for reassembly") \
	X(OOO_TRIMMED, COUNT, "out-of-order segments trimmed against queued data") \
	X(OOO_DELIVERED, COUNT, "queued segments delivered when a gap filled") \
	X(DUPACK_RX, COUNT, "duplicate ACKs received (RFC 5681 §2)") \
	X(FAST_REXMT, COUNT, "fast retransmits on the third duplicate ACK") \
	X(PARTIAL_ACK, COUNT, "partial ACKs in fast recovery (RFC 6582)") \
	X(CWND_RESTART, COUNT, "cwnd cut to the restart window after an idle period longer " \
		"than the RTO (RFC 5681 §4.1, slow_start_after_idle)") \
	X(SYNCOOKIE_SENT, COUNT, "SYN-ACKs carrying a SYN cookie") \
	X(SYNCOOKIE_OK, COUNT, "connections created from a valid cookie") \
	X(SYNCOOKIE_OPTS, COUNT, "cookie connections that kept timestamps, window scaling and SACK (TSecr)") \
	X(KEEPALIVE_PROBE, COUNT, "keepalive probes sent") \
	X(KEEPALIVE_DROP, COUNT, "connections reset after unanswered keepalives") \
	X(CHALLENGE_ACK_CONN_LIMITED, COUNT, \
		"challenge ACKs suppressed: the connection sent one within challenge_ack_per_conn_ms") \
	X(CHALLENGE_ACK_GLOBAL_LIMITED, COUNT, \
		"challenge (and TIME_WAIT) ACKs suppressed: this second's randomised " \
		"challenge_ack_per_s budget spent") \
	X(RST_LIMITED, COUNT, "RSTs answering segments for no connection suppressed by rst_per_s") \
	X(ISN_REKEY, COUNT, "RFC 6528 ISN keys redrawn (isn_rekey_s)") \
	X(LOOKUP_BULK, COUNT, "segments whose connection came from their burst's bulk lookup") \
	X(LOOKUP_STALE, COUNT, "bulk lookups outdated by the burst's earlier segments: redone") \
	X(ORPHAN_RESET, COUNT, "closed connections reset: more than max_orphans still closing") \
	X(ORPHAN_GIVEUP, COUNT, "closed connections reset after orphan_retries retransmissions") \
	X(PRESSURE_GIVEUP, COUNT, "connections given up after pressure_retries: table or memory short") \
	X(PERSIST_GIVEUP, COUNT, "connections reset: zero window probed past the retry limit") \
	X(USER_TIMEOUT, COUNT, "connections reset: data unacknowledged past user_timeout_ms") \
	X(XMIT_NOBUFS, COUNT, "segments not built for want of an mbuf (timer kept for a retry)") \
	X(SHUTDOWN_RST, COUNT, "connections reset at shutdown, after [app] drain_ms") \
	X(TRUNCATED, DROP, "segments shorter than a TCP header") \
	X(BAD_OFF, DROP, "data offset below 5 or beyond the segment") \
	X(BAD_CKSUM, DROP, "checksum wrong") \
	X(BAD_FLAGS, DROP, "SYN together with RST or FIN") \
	X(HDR_SPLIT, DROP, "reassembled chain whose header or payload cannot be cut out") \
	X(NO_SHARD, DROP, "segments on a worker without TCP state") \
	X(NO_CONN, DROP, "segments for no connection and no listener (RST sent)") \
	X(NOT_UNICAST, DROP, "segments to a broadcast address (RFC 1122 4.2.3.10, no answer)") \
	X(LISTEN_RST, DROP, "RSTs to a listener") \
	X(LISTEN_ACK, DROP, "ACKs to a listener (RST sent)") \
	X(LISTEN_NO_SYN, DROP, "segments to a listener without SYN") \
	X(CONN_FULL, DROP, "SYNs refused: connection pool or table full") \
	X(SYN_SENT_BAD_ACK, DROP, "SYN_SENT: unacceptable ACK (RST sent)") \
	X(SYN_SENT_NO_SYN, DROP, "SYN_SENT: segments without SYN") \
	X(SYN_SENT_RST, DROP, "SYN_SENT: RSTs that do not acknowledge our SYN") \
	X(BAD_SEQ, DROP, "segments outside the receive window (ACK sent)") \
	X(RST_OUT_OF_WINDOW, DROP, "RSTs outside the receive window (RFC 5961)") \
	X(RST_IN_WINDOW, DROP, "RSTs in window but not exact (challenge ACK sent)") \
	X(SYN_IN_WINDOW, DROP, "SYNs on a synchronized connection (challenge ACK sent)") \
	X(NO_ACK, DROP, "segments without ACK on a synchronized connection") \
	X(BAD_ACK, DROP, "SYN_RCVD: unacceptable ACK (RST sent)") \
	X(ACK_TOO_MUCH, DROP, "ACKs for data never sent (ACK sent)") \
	X(CLOSING_NOT_FIN_ACK, DROP, "CLOSING: ACK that does not cover our FIN") \
	X(OUT_OF_ORDER, DROP, "out-of-order data with the reassembly queue full (dup ACK sent)") \
	X(OOO_DUP, DROP, "out-of-order segments wholly covered by queued data") \
	X(SYNCOOKIE_FAILED, DROP, "ACKs to a listener with a wrong or expired cookie (RST sent)") \
	X(HALF_OPEN_FULL, DROP, "SYNs dropped: half_open_max reached, syncookies off") \
	X(PAWS, DROP, "segments with an old timestamp (RFC 7323 PAWS, ACK sent)") \
	X(ACK_TOO_OLD, DROP, "ACKs below SND.UNA - MAX.SND.WND (RFC 5961 §5, challenge ACK)") \
	X(DATA_AFTER_CLOSE, DROP, "data after the application closed (acked, discarded)") \
	X(DATA_AFTER_FIN, DROP, "data after the peer's FIN") \
	LR_TCP_STATS_TW(X) \
	LR_TCP_STATS_MEM(X) \
	LR_TCP_STATS_SACK(X) \
	LR_TCP_STATS_ECN(X) \
	LR_TCP_STATS_HYSTART(X)

/* TIME_WAIT entries (tcp_tw.c); TIME_WAIT_REUSE above counts both kinds of reuse. */
#define LR_TCP_STATS_TW(X) \
	X(TW_CREATED, COUNT, "connections whose TIME_WAIT moved to a compact entry") \
	X(TW_EXPIRED, COUNT, "TIME_WAIT entries freed after 2 MSL") \
	X(TW_RECYCLED, COUNT, "TIME_WAIT entries recycled oldest first: max_tw reached") \
	X(TW_REUSE_TS, COUNT, "TIME_WAIT tuples reopened by a SYN of newer timestamp (RFC 6191)") \
	X(TW_REUSE_SEQ, COUNT, "TIME_WAIT tuples reopened by a SYN beyond RCV.NXT (no timestamp)") \
	X(TW_FIN_REACK, COUNT, "retransmitted FINs in TIME_WAIT ACKed again (2 MSL restarted)") \
	X(TW_RST, DROP, "RSTs in TIME_WAIT, ignored (RFC 1337)") \
	X(TW_SYN_REFUSED, DROP, "SYNs to TIME_WAIT not newer by timestamp or sequence (ACK sent)") \
	X(TW_SEGMENT, DROP, "other segments to a TIME_WAIT entry (ACK sent unless a duplicate ACK)")

/* Memory and overload (tcpmem): the buffers held data costs, SYNs shed when past
 * capacity (tcp_reass.c, tcp_user.c, tcp_output.c, tcp_burst.c). */
#define LR_TCP_STATS_MEM(X) \
	X(OOO_COLLAPSED, COUNT, "out-of-order segments merged into an adjacent one's buffer") \
	X(OOO_PRUNED, COUNT, "queued out-of-order segments freed to make room (never acked)") \
	X(OOO_PACKED, COUNT, "small out-of-order segments copied into shared full buffers " \
		"under memory pressure") \
	X(WND_CLAMPED, COUNT, "segments whose advertised window memory pressure made smaller") \
	X(SND_NOMEM, COUNT, "sends cut short or refused: no mbuf or memory budget exhausted") \
	X(OOO_MEM_DROP, DROP, "out-of-order segments over the receive buffer's truesize or budget") \
	X(SYN_SHED_PRESSURE, DROP, "SYNs shed before any allocation: worker memory under pressure") \
	X(SYN_SHED_BACKLOG, DROP, "SYNs shed before any allocation: RX backlog (full bursts)") \
	X(SYN_SHED_CONNS, DROP, "SYNs shed before any allocation: connection table full") \
	X(SYN_SHED_TX, DROP, "SYNs shed before any allocation: a TX queue refused frames (syn_shed_tx_us)")

/* SACK (tcp_sack.c): blocks sent and received, D-SACKs (RFC 2883), recoveries run
 * from the scoreboard (RFC 6675), and blocks or options ignored, by reason. None of
 * them drops a segment. */
#define LR_TCP_STATS_SACK(X) \
	X(SACK_BLOCKS_TX, COUNT, "SACK blocks sent (D-SACK blocks included)") \
	X(SACK_BLOCKS_RX, COUNT, "SACK blocks received (D-SACK blocks included)") \
	X(DSACK_TX, COUNT, "D-SACKs sent: duplicate data received (RFC 2883)") \
	X(DSACK_RX, COUNT, "D-SACKs received: the peer got data twice (RFC 2883)") \
	X(SACK_RECOVERY, COUNT, "loss recoveries run from the SACK scoreboard (RFC 6675)") \
	X(SACK_REXMT, COUNT, "segments retransmitted from the SACK scoreboard (holes)") \
	X(SACK_BOARD_NOMEM, COUNT, "SACK scoreboards not allocated: all in use (NewReno instead)") \
	X(SACK_IGN_BEYOND, COUNT, "SACK blocks ignored: beyond SND.MAX") \
	X(SACK_IGN_OLD, COUNT, "SACK blocks ignored: below SND.UNA and not a D-SACK") \
	X(SACK_IGN_INVALID, COUNT, "SACK blocks ignored: left edge not below the right edge") \
	X(SACK_RENEGED, COUNT, "scoreboards forgotten: an ACK ended at a SACKed range (the peer " \
		"reneged, RFC 2018 §8)") \
	X(RTO_SACK_SKIPPED, COUNT, "bytes a go-back-N after a timeout did not resend: SACKed " \
		"(RFC 6675 §5.1)") \
	X(SACK_IGN_FULL, COUNT, "SACK blocks not recorded: the scoreboard's ranges all in use") \
	X(SACK_IGN_UNUSED, COUNT, "SACK options ignored: SACK not negotiated, or on a SYN") \
	X(SACK_MALFORMED, COUNT, "SACK options ignored: length not 2 + 8n with n in 1..4") \
	X(TLP, COUNT, "tail loss probes sent (RFC 8985 §7): a PTO expired before the RTO") \
	X(TLP_NEW_DATA, COUNT, "tail loss probes that sent new data (the rest resent the last " \
		"segment)") \
	X(TLP_RECOVERED, COUNT, "losses repaired by a tail loss probe (RFC 8985 §7.4: its ACK " \
		"went past the probe with no D-SACK for it); cwnd reduced as by a recovery") \
	X(UNDO, COUNT, "fast recoveries undone: D-SACKs showed every retransmission of " \
		"theirs spurious (cwnd and ssthresh restored)") \
	X(RACK_LOST, COUNT, "segments marked lost by RACK (RFC 8985 §6): sent more than the " \
		"reordering window before data since delivered")

/* ECN (RFC 3168, tcp_ecn.c). None of them drops a segment. */
#define LR_TCP_STATS_ECN(X) \
	X(ECN_NEGOTIATED, COUNT, "connections established with ECN (RFC 3168 §6.1.1)") \
	X(ECN_SYN_REFUSED, COUNT, "ECN-setup SYNs answered without ECE (ECN off here)") \
	X(ECN_CE_RX, COUNT, "segments received with CE (congestion experienced) in IP") \
	X(ECN_ECE_RX, COUNT, "segments received with ECE (the peer echoes a CE)") \
	X(ECN_CWND_REDUCED, COUNT, "cwnd reductions for ECE (at most one per window)") \
	X(ECN_CWR_TX, COUNT, "segments sent with CWR (our window was reduced)") \
	X(ECN_CWR_RX, COUNT, "segments received with CWR (ECE no longer needed)") \
	X(ECN_FALLBACK, COUNT, "SYNs resent without ECE and CWR (RFC 3168 §6.1.1.1)")

/* HyStart++ (RFC 9406, tcp_hystart.c), in the initial slow start. */
#define LR_TCP_STATS_HYSTART(X) \
	X(HYSTART_CSS, COUNT, "slow starts left for Conservative Slow Start: a round's minimum " \
		"RTT grew (RFC 9406)") \
	X(HYSTART_SS_RESUME, COUNT, "Conservative Slow Starts given up for slow start: the " \
		"minimum RTT fell below the baseline (a spurious exit)") \
	X(HYSTART_CA, COUNT, "Conservative Slow Starts ended in congestion avoidance after " \
		"CSS_ROUNDS rounds (ssthresh = cwnd)")

/** TCP counter identifiers: LR_TCP_STAT_<NAME>. */
enum lr_tcp_stat_id {
#define LR_TCP_STAT_ENUM(name, kind, desc) LR_TCP_STAT_##name,
	LR_TCP_STATS_TABLE(LR_TCP_STAT_ENUM)
#undef LR_TCP_STAT_ENUM
	LR_TCP_STAT_MAX
};

/** Number of TCP states (enum lr_tcp_state in lr_tcp.h). */
#define LR_TCP_NB_STATES 11

/** One worker's TCP counters. Written only by that worker. */
struct lr_tcp_stats {
	uint64_t v[LR_TCP_STAT_MAX];                /**< indexed by enum lr_tcp_stat_id */
	uint64_t state_entered[LR_TCP_NB_STATES];   /**< transitions into each state */
	/** Connections in each state now: gauges kept at every state change
	 * (tcp_set_state), creation and free, so reading them costs no walk. LISTEN
	 * counts only connection blocks passing through it; lr_tcp_state_counts()
	 * adds the listeners. */
	uint64_t state_now[LR_TCP_NB_STATES];
};

/** Increment a TCP counter in a worker's own block. */
#define LR_TCP_STAT_INC(st, id) ((st)->v[LR_TCP_STAT_##id]++)
/** Add to a TCP counter in a worker's own block. */
#define LR_TCP_STAT_ADD(st, id, n) ((st)->v[LR_TCP_STAT_##id] += (n))

#endif /* TCP_STATS_H */
