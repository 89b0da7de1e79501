/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow ownership: a table-driven Toeplitz hash (the same function as DPDK's
 * rte_softrss()), the redirection table, software steering over single-producer/
 * single-consumer rings, and RSS-aware source ports for active opens.
 *
 * Toeplitz is linear over GF(2): the hash of a tuple is the XOR of the hashes of its
 * bytes, each taken at its position. thash_tbl[pos][byte] holds those, so a 12-byte
 * IPv4 tuple costs 12 lookups instead of 96 conditional XORs.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "lr_steer.h"

#define TUPLE_LEN 12              /* src addr, dst addr, src port, dst port */
#define RETA_MASK (LR_STEER_RETA_SIZE - 1)

const char *const lr_steer_mode_names[4] = { "auto", "hw", "sw", "off" };

const uint8_t lr_steer_key_symmetric[LR_STEER_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* Packets staged for one owner during a poll-loop turn. */
struct steer_out {
	uint16_t n;
	struct rte_mbuf *pkts[LR_BURST_MAX];
};

struct __rte_cache_aligned steer_worker {
	struct lr_steer_stats st;
	struct steer_out *out;   /* [nb_workers], indexed by owner */
	uint16_t next_src;       /* first sender polled next turn (fairness) */
};

static uint8_t steer_key[LR_STEER_KEY_LEN];
static uint32_t thash_tbl[TUPLE_LEN][256];
static uint16_t reta[LR_STEER_RETA_SIZE];
static uint16_t nb_workers = 1;
static bool steer_ready;
static uint8_t port_mode[LR_MAX_PORTS];   /* enum lr_steer_mode; 0 (AUTO) = unset = off */
static bool any_port_steers;
static struct steer_worker steer_w[LR_MAX_WORKERS];
static struct rte_ring *rings[LR_MAX_WORKERS][LR_MAX_WORKERS]; /* [from][to] */

/* 32 key bits starting at bit k (MSB first), the window Toeplitz XORs in for bit k. */
static uint32_t
key_window(const uint8_t *key, unsigned int k)
{
	unsigned int b = k / 8, s = k % 8;
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < 5; i++)
		v = (v << 8) | (b + i < LR_STEER_KEY_LEN ? key[b + i] : 0);
	return (uint32_t)(v >> (8 - s));
}

static void
thash_build(const uint8_t *key)
{
	unsigned int pos, val, bit;

	for (pos = 0; pos < TUPLE_LEN; pos++)
		for (val = 0; val < 256; val++) {
			uint32_t h = 0;

			for (bit = 0; bit < 8; bit++)
				if (val & (0x80u >> bit))
					h ^= key_window(key, pos * 8 + bit);
			thash_tbl[pos][val] = h;
		}
}

static inline uint32_t
hash_addrs(rte_be32_t src, rte_be32_t dst)
{
	const uint8_t *s = (const uint8_t *)&src, *d = (const uint8_t *)&dst;

	return thash_tbl[0][s[0]] ^ thash_tbl[1][s[1]] ^ thash_tbl[2][s[2]] ^
		thash_tbl[3][s[3]] ^ thash_tbl[4][d[0]] ^ thash_tbl[5][d[1]] ^
		thash_tbl[6][d[2]] ^ thash_tbl[7][d[3]];
}

static inline uint32_t
hash_sport(uint16_t sport)
{
	return thash_tbl[8][sport >> 8] ^ thash_tbl[9][sport & 0xff];
}

static inline uint32_t
hash_dport(uint16_t dport)
{
	return thash_tbl[10][dport >> 8] ^ thash_tbl[11][dport & 0xff];
}

uint32_t
lr_steer_hash_l4(rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport)
{
	return hash_addrs(src, dst) ^ hash_sport(sport) ^ hash_dport(dport);
}

uint32_t
lr_steer_hash_l3(rte_be32_t src, rte_be32_t dst)
{
	return hash_addrs(src, dst);
}

uint16_t
lr_steer_worker_of_hash(uint32_t hash)
{
	return reta[hash & RETA_MASK];
}

bool
lr_steer_active(void)
{
	return steer_ready && nb_workers > 1 && any_port_steers;
}

uint16_t
lr_steer_worker_of(rte_be32_t laddr, uint16_t lport, rte_be32_t raddr, uint16_t rport)
{
	if (!lr_steer_active())
		return 0;
	return reta[lr_steer_hash_l4(raddr, laddr, rport, lport) & RETA_MASK];
}

bool
lr_steer_port_ok(uint16_t worker, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
		uint16_t rport)
{
	if (!lr_steer_active())
		return true;
	return reta[lr_steer_hash_l4(raddr, laddr, rport, lport) & RETA_MASK] == worker;
}

uint16_t
lr_steer_port_next(uint16_t worker, rte_be32_t laddr, rte_be32_t raddr, uint16_t rport,
		uint16_t start, uint16_t lo, uint16_t hi)
{
	uint32_t base, range, i;
	uint16_t port;

	if (lo == 0 || lo > hi)
		return 0;
	range = (uint32_t)hi - lo + 1;
	port = start < lo || start > hi ? lo : start;
	if (!lr_steer_active())
		return port;
	/* The address and remote-port part of the hash is the same for every port. */
	base = hash_addrs(raddr, laddr) ^ hash_sport(rport);
	for (i = 0; i < range; i++) {
		if (reta[(base ^ hash_dport(port)) & RETA_MASK] == worker)
			return port;
		port = port == hi ? lo : port + 1;
	}
	return 0;
}

const uint8_t *
lr_steer_key(void)
{
	return steer_key;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
lr_steer_key_parse(const char *s, uint8_t key[LR_STEER_KEY_LEN])
{
	unsigned int n = 0;
	int hi, lo;

	if (s[0] == '\0' || strcmp(s, "symmetric") == 0) {
		memcpy(key, lr_steer_key_symmetric, LR_STEER_KEY_LEN);
		return 0;
	}
	while (*s != '\0') {
		if (*s == ':' || *s == '-') {
			s++;
			continue;
		}
		hi = hex_nibble(s[0]);
		lo = hi < 0 ? -1 : hex_nibble(s[1]);
		if (lo < 0 || n == LR_STEER_KEY_LEN)
			return -EINVAL;
		key[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n == LR_STEER_KEY_LEN ? 0 : -EINVAL;
}

int
lr_steer_mode_parse(const char *s, enum lr_steer_mode *mode)
{
	unsigned int i;

	if (s[0] == '\0') {
		*mode = LR_STEER_AUTO;
		return 0;
	}
	for (i = 0; i < RTE_DIM(lr_steer_mode_names); i++)
		if (strcasecmp(s, lr_steer_mode_names[i]) == 0) {
			*mode = (enum lr_steer_mode)i;
			return 0;
		}
	return -EINVAL;
}

int
lr_steer_reta_fill(uint16_t *tbl, uint32_t size)
{
	uint32_t i;

	if (size < LR_STEER_RETA_SIZE || !rte_is_power_of_2(size))
		return -EINVAL;
	for (i = 0; i < size; i++)
		tbl[i] = reta[i & RETA_MASK];
	return 0;
}

int
lr_steer_port_set(uint16_t port, enum lr_steer_mode mode)
{
	unsigned int p;

	if (port >= LR_MAX_PORTS || mode == LR_STEER_AUTO || mode > LR_STEER_OFF)
		return -EINVAL;
	port_mode[port] = (uint8_t)mode;
	any_port_steers = false;
	for (p = 0; p < LR_MAX_PORTS; p++)
		if (port_mode[p] == LR_STEER_HW || port_mode[p] == LR_STEER_SW)
			any_port_steers = true;
	return 0;
}

enum lr_steer_mode
lr_steer_port_mode(uint16_t port)
{
	if (port >= LR_MAX_PORTS || port_mode[port] == LR_STEER_AUTO)
		return LR_STEER_OFF;
	return (enum lr_steer_mode)port_mode[port];
}

void
lr_steer_fini(void)
{
	struct rte_mbuf *m;
	unsigned int i, j;

	for (i = 0; i < LR_MAX_WORKERS; i++) {
		for (j = 0; j < LR_MAX_WORKERS; j++) {
			if (rings[i][j] == NULL)
				continue;
			while (rte_ring_sc_dequeue(rings[i][j], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(rings[i][j]);
			rings[i][j] = NULL;
		}
		if (steer_w[i].out != NULL) {
			for (j = 0; j < nb_workers; j++)
				rte_pktmbuf_free_bulk(steer_w[i].out[j].pkts, steer_w[i].out[j].n);
			rte_free(steer_w[i].out);
			steer_w[i].out = NULL;
		}
	}
	memset(port_mode, 0, sizeof(port_mode));
	any_port_steers = false;
	nb_workers = 1;
	steer_ready = false;
}

int
lr_steer_init(uint16_t nb, const uint8_t *key, uint32_t ring_size)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i, j;

	if (nb == 0 || nb > LR_MAX_WORKERS)
		return -EINVAL;
	if (ring_size == 0)
		ring_size = LR_STEER_RING_SIZE;
	if (!rte_is_power_of_2(ring_size) || ring_size < 2)
		return -EINVAL;
	lr_steer_fini();
	memcpy(steer_key, key != NULL ? key : lr_steer_key_symmetric, LR_STEER_KEY_LEN);
	thash_build(steer_key);
	nb_workers = nb;
	for (i = 0; i < LR_STEER_RETA_SIZE; i++)
		reta[i] = (uint16_t)(i % nb);
	memset(steer_w, 0, sizeof(steer_w));
	for (i = 0; nb > 1 && i < nb; i++) {
		steer_w[i].out = rte_zmalloc("lr_steer_out", sizeof(struct steer_out) * nb,
				RTE_CACHE_LINE_SIZE);
		if (steer_w[i].out == NULL)
			goto nomem;
		for (j = 0; j < nb; j++) {
			if (i == j)
				continue;
			snprintf(name, sizeof(name), "lr_steer_%u_%u", i, j);
			/* ring_size - 1 usable slots (the default, non-exact size) */
			rings[i][j] = rte_ring_create(name, ring_size, SOCKET_ID_ANY,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rings[i][j] == NULL)
				goto nomem;
		}
	}
	steer_ready = true;
	return 0;
nomem:
	lr_steer_fini();
	return -ENOMEM;
}

/*
 * The worker that must process a received frame (data at the Ethernet header), or
 * self when any worker may: TCP/UDP over IPv4 hash on the 4-tuple, fragments on the
 * addresses, behind an 802.1Q tag too (the inner tuple); everything else (ARP, ICMP,
 * malformed) stays.
 */
static uint16_t
frame_owner(const struct rte_mbuf *m, uint16_t self)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	const rte_be16_t *ports;
	uint32_t len = rte_pktmbuf_data_len(m), ihl, l2 = sizeof(*eh);
	rte_be16_t type = eh->ether_type;

	if (unlikely(type == RTE_BE16(RTE_ETHER_TYPE_VLAN))) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eh + 1);

		if (len < sizeof(*eh) + sizeof(*vh))
			return self;
		type = vh->eth_proto;
		l2 += sizeof(*vh);
	}
	if (len < l2 + sizeof(*ip) || type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return self;
	ip = (const struct rte_ipv4_hdr *)((const uint8_t *)eh + l2);
	if ((ip->version_ihl >> 4) != 4)
		return self;
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return self;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return reta[hash_addrs(ip->src_addr, ip->dst_addr) & RETA_MASK];
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || len < l2 + ihl + 2 * sizeof(rte_be16_t))
		return self;
	ports = (const rte_be16_t *)((const uint8_t *)ip + ihl);
	return reta[lr_steer_hash_l4(ip->src_addr, ip->dst_addr, rte_be_to_cpu_16(ports[0]),
			rte_be_to_cpu_16(ports[1])) & RETA_MASK];
}

static void
out_flush_one(struct steer_worker *sw, uint16_t from, uint16_t to)
{
	struct steer_out *o = &sw->out[to];
	unsigned int sent;

	if (o->n == 0)
		return;
	sent = rte_ring_sp_enqueue_burst(rings[from][to], (void **)o->pkts, o->n, NULL);
	sw->st.steered_out += sent;
	if (unlikely(sent < o->n)) {
		sw->st.ring_full += o->n - sent;
		rte_pktmbuf_free_bulk(&o->pkts[sent], o->n - sent);
	}
	o->n = 0;
}

uint16_t
lr_steer_rx(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct steer_worker *sw = &steer_w[w->id];
	enum lr_steer_mode mode;
	uint16_t i, kept = 0, owner;

	if (n == 0 || !lr_steer_active())
		goto keep_all;
	mode = lr_steer_port_mode(pkts[0]->port);
	if (mode == LR_STEER_OFF || (mode == LR_STEER_HW && !lr_steer_owner_checks()))
		goto keep_all;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct steer_out *o;

		owner = frame_owner(m, w->id);
		if (owner == w->id) {
			pkts[kept++] = m;
			continue;
		}
		if (mode == LR_STEER_HW)
			sw->st.hw_mismatch++;
		o = &sw->out[owner];
		if (unlikely(o->n == LR_BURST_MAX))
			out_flush_one(sw, w->id, owner);
		o->pkts[o->n++] = m;
	}
	sw->st.local += kept;
	return kept;
keep_all:
	sw->st.local += n;
	return n;
}

void
lr_steer_hand_off(struct lr_worker *w, struct rte_mbuf *m, uint16_t owner)
{
	struct steer_worker *sw = &steer_w[w->id];
	struct steer_out *o;

	if (unlikely(sw->out == NULL || owner >= nb_workers || owner == w->id)) {
		sw->st.ring_full++;    /* nowhere to go: counted like a full ring */
		rte_pktmbuf_free(m);
		return;
	}
	o = &sw->out[owner];
	if (unlikely(o->n == LR_BURST_MAX))
		out_flush_one(sw, w->id, owner);
	o->pkts[o->n++] = m;
}

void
lr_steer_flush(struct lr_worker *w)
{
	struct steer_worker *sw = &steer_w[w->id];
	uint16_t to;

	if (sw->out == NULL)
		return;
	for (to = 0; to < nb_workers; to++)
		out_flush_one(sw, w->id, to);
}

uint16_t
lr_steer_poll(struct lr_worker *w, struct rte_mbuf **pkts, uint16_t max)
{
	struct steer_worker *sw = &steer_w[w->id];
	uint16_t i, from, got = 0;

	if (sw->out == NULL)
		return 0;
	from = sw->next_src;
	for (i = 0; i < nb_workers && got < max; i++) {
		if (from != w->id && rings[from][w->id] != NULL)
			got += rte_ring_sc_dequeue_burst(rings[from][w->id], (void **)&pkts[got],
					max - got, NULL);
		from = from + 1 == nb_workers ? 0 : from + 1;
	}
	sw->next_src = sw->next_src + 1 >= nb_workers ? 0 : sw->next_src + 1;
	sw->st.steered_in += got;
	if (lr_steer_owner_checks())
		for (i = 0; i < got; i++)
			if (unlikely(frame_owner(pkts[i], w->id) != w->id))
				rte_panic("linerate: owner check: worker %u got a frame steered to "
						"it that hashes to worker %u\n", w->id,
						frame_owner(pkts[i], w->id));
	return got;
}

const struct lr_steer_stats *
lr_steer_stats_get(uint16_t worker)
{
	return worker < LR_MAX_WORKERS ? &steer_w[worker].st : NULL;
}

void
lr_steer_stats_reset(void)
{
	unsigned int i;

	for (i = 0; i < LR_MAX_WORKERS; i++)
		memset(&steer_w[i].st, 0, sizeof(steer_w[i].st));
}

void
lr_steer_owner_fail(const struct lr_worker *w, uint16_t owner, rte_be32_t laddr,
		uint16_t lport, rte_be32_t raddr, uint16_t rport)
{
	char l[16], r[16];

	rte_panic("linerate: owner check: worker %u touched %s:%u <-> %s:%u, owned by "
			"worker %u\n", w->id, lr_ip_fmt(laddr, l, sizeof(l)), lport,
			lr_ip_fmt(raddr, r, sizeof(r)), rport, owner);
}
