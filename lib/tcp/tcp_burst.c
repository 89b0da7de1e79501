/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Burst stage: before the frames of an RX burst go up the pipeline one by one,
 * find its TCP segments, look their 4-tuples up in one tcp_ctab_lookup_bulk() call
 * (which prefetches the buckets, slots and connection lines of all of them in
 * stages) and prefetch the hot lines of the connection blocks it finds. With a
 * table far larger than the cache, the misses of the burst's segments then overlap
 * instead of each segment waiting for its own bucket, slot and block in turn.
 *
 * lr_tcp_input() takes each segment's result through tcp_conn_find(). A result
 * can be outdated by the segments processed before it in the same burst, and is
 * used only while it still holds:
 * - a connection found: until it is freed (TCP_F_FREED; the block stays valid up to
 *   the reap that ends the burst, which also forgets every result). A 4-tuple never
 *   changes, so a block not freed is still the table's entry for it.
 * - nothing found: until a connection of that 4-tuple is created. Connections
 *   created since the lookups set a bit each in a 256-bit filter of their tuples
 *   (sh->created_since); a segment whose bit is clear keeps its "nothing found". In a
 *   burst of SYNs each SYN creates a connection, and without the filter every SYN
 *   after the first was looked up again (0.93 a connection at dperf's 300k CPS).
 * Otherwise the lookup is done again (LOOKUP_STALE). Frames the stage did not
 * recognise (non-IPv4, fragments, options making the header miss the first
 * segment...) and segments that reach TCP without passing here (reassembled,
 * bursts of one frame) are looked up one by one as before. Segments steered from
 * another worker arrive in bursts of their own and pass here too.
 *
 * Overload is shed here, before anything is spent on it: when the worker is past
 * capacity (tcp_syn_shed_reason()), the stage takes the burst's SYNs to a
 * listener's port out of the burst and frees them, counted by reason (and in eth
 * RX), before their lookup, the IP and TCP checks, a connection block or a table
 * insert: a shed SYN costs little more than receiving it (bench_pipeline "tcp syn
 * shed"), so shedding stays cheaper than serving. Segments of existing connections
 * are served as before. SYNs that do not pass here (bursts of one frame, steered
 * or reassembled ones) meet the same test in LISTEN (tcp_listen.c), still before
 * allocation.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "tcp_internal.h"

/* Lines of a connection block a segment that moves no data touches: the hot state. */
#define TCP_PREFETCH_LINES (TCP_CONN_HOT_BYTES / RTE_CACHE_LINE_SIZE)

/*
 * The 4-tuple of a frame holding a whole unfragmented IPv4/TCP header in its
 * first segment; false for anything else. Nothing is validated here: the
 * pipeline does it all again, and a result is only ever used for the 4-tuple
 * that lr_tcp_input() parsed itself.
 */
static bool
tcp_peek_key(const struct rte_mbuf *m, struct tcp_key *key, uint8_t *flags)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	const struct rte_tcp_hdr *th;
	uint32_t ihl;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ip) + sizeof(*th) ||
			eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			ip->next_proto_id != IPPROTO_TCP ||
			(ip->version_ihl >> 4) != 4 ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
					RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
	if (ihl < sizeof(*ip) || rte_pktmbuf_data_len(m) < sizeof(*eh) + ihl + sizeof(*th))
		return false;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	key->raddr = ip->src_addr;
	key->laddr = ip->dst_addr;
	key->rport = th->src_port;
	key->lport = th->dst_port;
	*flags = th->tcp_flags;
	return true;
}

_Static_assert(LR_TCP_STAT_MAX <= UINT8_MAX, "struct tcp_hint::shed holds a counter id");

/*
 * The worker's busy share (w->busy_cycles against busy and idle) over the last whole
 * load window and the current one so far is at least conf.syn_shed_busy_pct; true
 * when nothing was counted (a caller that does not time its loop) or the gate is off.
 * Read only when the RX backlog criterion holds, so the multiplications are rare.
 */
static bool
tcp_worker_busy(const struct lr_tcp_shard *sh)
{
	const struct lr_worker *w = sh->w;
	uint64_t busy = sh->load_busy_prev + (w->busy_cycles - sh->load_busy0);
	uint64_t total = sh->load_total_prev + (w->busy_cycles - sh->load_busy0) +
			(w->idle_cycles - sh->load_idle0);

	if (sh->conf.syn_shed_busy_pct == 0 || total == 0)
		return true;
	return busy * 100 >= (uint64_t)sh->conf.syn_shed_busy_pct * total;
}

/*
 * Why no new connection may start on this worker now, or 0 (LR_TCP_STAT_RX, never a
 * reason). Past capacity, new work is refused before existing connections starve:
 * - the connection table is full (a cookie would not help: its ACK needs a block);
 * - the memory budget is under pressure (lr_mem.h);
 * - RX backlog: the RX burst came back full for conf.syn_shed_backlog loop turns in
 *   a row (lr_tcp_rx_load()), i.e. the worker no longer drains its queue, and the
 *   worker is busy (tcp_worker_busy(): a peer's burst also fills a few turns). Linux
 *   likewise drops SYNs when the accept queue overflows, cookies or not
 *   (LINUX_MIB_LISTENOVERFLOWS).
 * - TX refused: a TX queue refused frames less than conf.syn_shed_tx_us ago
 *   (w->tx_refused_us), i.e. the peer (a memif ring it does not drain) or the link
 *   takes no more. A SYN-ACK sent now would likely be lost too and leave a half-open
 *   that retransmits into the same full queue, then SYN cookies once half_open_max
 *   is reached: new work that only adds to the loss. FreeBSD does not keep a syncache
 *   entry whose SYN-ACK could not be sent (syncache_add(): tcps_sc_dropped when
 *   syncache_respond() fails, e.g. ENOBUFS from a full interface queue); here the
 *   refusal is known a flush later, so the SYNs that follow it are refused instead.
 *   The queue's room goes to existing connections' responses and FINs.
 * A dropped SYN costs the peer one retransmission; cookies would still cost a
 * SYN-ACK per SYN and a connection per ACK, the work that is short.
 */
enum lr_tcp_stat_id
tcp_syn_shed_reason(const struct lr_tcp_shard *sh)
{
	const struct lr_worker *w = sh->w;

	if (sh->nb_conns >= sh->conf.max_conns)
		return LR_TCP_STAT_SYN_SHED_CONNS;
	if (lr_mem_pressure(&w->mem))
		return LR_TCP_STAT_SYN_SHED_PRESSURE;
	if (sh->conf.syn_shed_backlog != 0 && sh->rx_full_turns >= sh->conf.syn_shed_backlog &&
			tcp_worker_busy(sh))
		return LR_TCP_STAT_SYN_SHED_BACKLOG;
	if (w->tx_refused_us != 0 && w->now_us - w->tx_refused_us < sh->conf.syn_shed_tx_us)
		return LR_TCP_STAT_SYN_SHED_TX;
	return 0;
}

void
lr_tcp_rx_load(struct lr_worker *w, bool full)
{
	struct lr_tcp_shard *sh = w->tcp;

	if (sh == NULL)
		return;
	if (w->now_us - sh->load_t0_us >= TCP_LOAD_WINDOW_US) {
		sh->load_busy_prev = w->busy_cycles - sh->load_busy0;
		sh->load_total_prev = sh->load_busy_prev + (w->idle_cycles - sh->load_idle0);
		sh->load_busy0 = w->busy_cycles;
		sh->load_idle0 = w->idle_cycles;
		sh->load_t0_us = w->now_us;
	}
	if (!full)
		sh->rx_full_turns = 0;
	else if (sh->rx_full_turns < UINT32_MAX)
		sh->rx_full_turns++;
}

/* A SYN that would open a connection to a listener (the frame is shed without it). */
static inline bool
tcp_syn_to_listener(struct lr_tcp_shard *sh, const struct tcp_key *key, uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
			RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG &&
		tcp_listener_lookup(sh, rte_be_to_cpu_16(key->lport)) != NULL;
}

uint16_t
tcp_burst_stage(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct lr_tcp_shard *sh = w->tcp;
	const struct tcp_key *keys[LR_BURST_MAX];
	struct lr_tcp_conn *found[LR_BURST_MAX];
	struct rte_mbuf *shed_pkts[LR_BURST_MAX];
	enum lr_tcp_stat_id shed;
	uint16_t i, j = 0, k = 0, l, nb_shed = 0;
	uint8_t flags;

	if (sh == NULL)
		return n;
	sh->nb_hints = 0;
	sh->hint_next = 0;
	shed = tcp_syn_shed_reason(sh);
	for (i = 0; i < n; i++) {
		struct tcp_hint *h = &sh->hints[k];

		if (i >= LR_BURST_MAX || !tcp_peek_key(pkts[i], &h->key, &flags)) {
			pkts[j++] = pkts[i];
			continue;
		}
		/* Overload: the SYN goes now, before its lookup and every layer's work. A
		 * SYN of a connection that exists goes too: its peer sends it again. */
		if (unlikely(shed != 0) && tcp_syn_to_listener(sh, &h->key, flags)) {
			shed_pkts[nb_shed++] = pkts[i];
			continue;
		}
		h->m = pkts[i];
		keys[k++] = &h->key;
		pkts[j++] = pkts[i];
	}
	if (unlikely(nb_shed != 0)) {
		/* received (eth RX) and dropped for the reason; never reached IP or TCP */
		LR_STAT_ADD(w->stats, LR_STAT_eth_RX, nb_shed);
		sh->stats.v[shed] += nb_shed;
		rte_pktmbuf_free_bulk(shed_pkts, nb_shed);
	}
	if (k < 2)
		return j; /* one segment: the lookup in lr_tcp_input() is as good */
	tcp_ctab_lookup_bulk(&sh->table, keys, k, found);
	for (i = 0; i < k; i++) {
		struct lr_tcp_conn *c = found[i];

		sh->hints[i].c = c;
		if (c != NULL)
			for (l = 0; l < TCP_PREFETCH_LINES; l++)
				rte_prefetch0((const uint8_t *)c + l * RTE_CACHE_LINE_SIZE);
	}
	sh->hints_created = sh->nb_created;
	memset(sh->created_since, 0, sizeof(sh->created_since));
	sh->nb_hints = k;
	return j;
}

struct lr_tcp_conn *
tcp_conn_find(struct lr_tcp_shard *sh, const struct rte_mbuf *m, const struct tcp_key *key)
{
	uint16_t i;

	for (i = sh->hint_next; i < sh->nb_hints; i++) {
		const struct tcp_hint *h = &sh->hints[i];

		if (h->m != m)
			continue;
		sh->hint_next = i + 1;
		if (!tcp_key_eq(&h->key, key))
			break;
		if (h->c != NULL ? !(h->c->flags & TCP_F_FREED) :
				sh->hints_created == sh->nb_created ||
				!tcp_created_since(sh, key)) {
			LR_TCP_STAT_INC(&sh->stats, LOOKUP_BULK);
			return h->c;
		}
		LR_TCP_STAT_INC(&sh->stats, LOOKUP_STALE);
		break;
	}
	return tcp_conn_lookup(sh, key);
}
