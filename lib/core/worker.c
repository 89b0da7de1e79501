/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "lr_core.h"

RTE_LOG_REGISTER(lr_logtype_core, linerate.core, INFO);

struct lr_iface lr_ifaces[LR_MAX_IFACES];
uint8_t lr_iface_end;
uint8_t lr_iface_vid_map[LR_MAX_PORTS][LR_VLAN_ID_MAX + 1];
struct lr_worker lr_workers[LR_MAX_WORKERS];

const char *const lr_turn_part_names[LR_TURN_PART_NB] = {
	[LR_TURN_RX] = "rx",
	[LR_TURN_STEER] = "steer",
	[LR_TURN_TCP_TICK] = "tcp_tick",
	[LR_TURN_LOADGEN] = "loadgen",
	[LR_TURN_ARP_TICK] = "arp_tick",
	[LR_TURN_IP_TICK] = "ip_tick",
	[LR_TURN_SVC_TICK] = "svc_tick",
	[LR_TURN_FLUSH] = "flush",
	[LR_TURN_CALL] = "call",
	[LR_TURN_OTHER] = "other",
};
uint16_t lr_nb_workers;

const struct lr_iface *
lr_iface_by_ip(rte_be32_t ip)
{
	unsigned int i;

	for (i = 0; i < lr_iface_end; i++)
		if (lr_ifaces[i].used && lr_iface_has_ip(&lr_ifaces[i], ip))
			return &lr_ifaces[i];
	return NULL;
}

/* The slot for (port, vid): the one it has, the port's own, or a free VLAN slot. */
static int
iface_slot(uint16_t port, uint16_t vid)
{
	unsigned int i;

	if (lr_iface_vid_map[port][vid] != 0)
		return lr_iface_vid_map[port][vid] - 1;
	if (!lr_ifaces[port].used)
		return port;
	for (i = LR_MAX_PORTS; i < LR_MAX_IFACES; i++)
		if (!lr_ifaces[i].used)
			return i;
	return -ENOSPC;
}

int
lr_iface_add(const struct lr_iface *ifc)
{
	int slot;

	if (ifc->port_id >= LR_MAX_PORTS || ifc->vlan_id > LR_VLAN_ID_MAX)
		return -EINVAL;
	slot = iface_slot(ifc->port_id, ifc->vlan_id);
	if (slot < 0)
		return slot;
	lr_ifaces[slot] = *ifc;
	lr_ifaces[slot].used = true;
	lr_ifaces[slot].idx = (uint8_t)slot;
	lr_iface_vid_map[ifc->port_id][ifc->vlan_id] = (uint8_t)(slot + 1);
	if (slot >= lr_iface_end)
		lr_iface_end = (uint8_t)(slot + 1);
	return 0;
}

void
lr_iface_reset(void)
{
	memset(lr_ifaces, 0, sizeof(lr_ifaces));
	memset(lr_iface_vid_map, 0, sizeof(lr_iface_vid_map));
	lr_iface_end = 0;
}

int
lr_worker_init(struct lr_worker *w, uint16_t id, struct rte_mempool *pool)
{
	if (id >= LR_MAX_WORKERS || id >= LR_STATS_MAX_BLOCKS || pool == NULL)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->rxq = id;
	w->txq = id;
	w->pool = pool;
	w->stats = &lr_stats_blocks[id];
	w->tx_fn = lr_tx_burst_eth;
	w->now_us = lr_clock_us();
	w->mem.conf = LR_MEM_UNLIMITED;
	w->long_turn_cycles = rte_get_tsc_hz() / 1000000 * LR_LONG_TURN_US;
	return 0;
}

uint16_t
lr_tx_burst_eth(struct lr_worker *w, uint16_t port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(w);
	return rte_eth_tx_burst(port, queue, pkts, n);
}

/* Keep n refused frames at the tail of the port's hold, as many as it has room for;
 * the rest are dropped (TX_FULL). The hold is allocated at the first refusal. */
static void
hold_put(struct lr_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct lr_txhold *h = w->txhold[port];
	uint32_t cap = w->tx_hold_max, k = 0;

	w->tx_refused_us = RTE_MAX(w->now_us, 1ull);
	if (h == NULL && cap != 0) {
		h = calloc(1, sizeof(*h) + cap * sizeof(h->pkts[0]));
		w->txhold[port] = h;
	}
	if (h != NULL) {
		for (; k < n && h->n < cap; k++, h->n++)
			h->pkts[(h->head + h->n) % cap] = pkts[k];
		LR_STAT_ADD(w->stats, LR_STAT_eth_TX_HELD, k);
	}
	if (k < n)
		lr_tx_drop_refused(w, &pkts[k], n - k);
}

/* Send the port's held frames, oldest first, as far as the queue takes them.
 * @return frames sent */
static uint32_t
hold_send(struct lr_worker *w, uint16_t port, struct lr_txhold *h)
{
	uint32_t cap = w->tx_hold_max, total = 0;
	uint16_t len, sent;

	while (h->n != 0) {
		len = (uint16_t)RTE_MIN(RTE_MIN(h->n, cap - h->head), (uint32_t)LR_BURST_MAX);
		sent = w->tx_fn(w, port, w->txq, &h->pkts[h->head], len);
		h->head = (h->head + sent) % cap;
		h->n -= sent;
		total += sent;
		if (sent < len) {
			w->tx_refused_us = RTE_MAX(w->now_us, 1ull);
			break;
		}
	}
	return total;
}

uint16_t
lr_worker_flush(struct lr_worker *w)
{
	uint16_t port, sent;
	uint32_t total = 0;

	for (port = 0; port < LR_MAX_PORTS; port++) {
		struct lr_txbuf *b = &w->tx[port];
		struct lr_txhold *h = w->txhold[port];

		if (unlikely(h != NULL && h->n != 0)) {
			total += hold_send(w, port, h);
			if (h->n != 0) {   /* still refused: the new frames wait behind */
				hold_put(w, port, b->pkts, b->n);
				b->n = 0;
				continue;
			}
		}
		if (b->n == 0)
			continue;
		sent = w->tx_fn(w, port, w->txq, b->pkts, b->n);
		if (unlikely(sent < b->n))
			hold_put(w, port, &b->pkts[sent], b->n - sent);
		total += sent;
		b->n = 0;
	}
	w->tx_pkts += total;
	return (uint16_t)RTE_MIN(total, (uint32_t)UINT16_MAX);
}

uint32_t
lr_worker_tx_release(struct lr_worker *w)
{
	uint32_t freed = 0, first;
	uint16_t port;

	for (port = 0; port < LR_MAX_PORTS; port++) {
		struct lr_txhold *h = w->txhold[port];

		if (h == NULL)
			continue;
		/* the FIFO's frames from head to its end, then those wrapped to its start */
		first = RTE_MIN(h->n, w->tx_hold_max - h->head);
		lr_tx_drop_refused(w, &h->pkts[h->head], first);
		lr_tx_drop_refused(w, h->pkts, h->n - first);
		freed += h->n;
		free(h);
		w->txhold[port] = NULL;
	}
	return freed;
}

uint64_t
lr_tsc_us(uint64_t tsc)
{
	static uint64_t per_us;

	if (unlikely(per_us == 0))
		per_us = rte_get_tsc_hz() / 1000000;
	return tsc / per_us;
}

uint64_t
lr_clock_us(void)
{
	return lr_tsc_us(rte_get_tsc_cycles());
}

const char *
lr_ip_fmt(rte_be32_t ip, char *buf, size_t len)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	snprintf(buf, len, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
	return buf;
}

int
lr_worker_call(struct lr_worker *w, lr_worker_call_fn fn, void *arg, unsigned int timeout_ms)
{
	uint32_t req;
	uint64_t deadline;

	if (!__atomic_load_n(&w->running, __ATOMIC_ACQUIRE)) {
		fn(w, arg);
		return 0;
	}
	req = w->call_req + 1;
	w->call_fn = fn;
	w->call_arg = arg;
	__atomic_store_n(&w->call_req, req, __ATOMIC_RELEASE);
	deadline = lr_clock_us() + (uint64_t)timeout_ms * 1000;
	while (__atomic_load_n(&w->call_done, __ATOMIC_ACQUIRE) != req) {
		if (lr_clock_us() > deadline)
			return -ETIMEDOUT;
		usleep(50);
	}
	return 0;
}

static uint64_t
clock_us(clockid_t clk, bool *ok)
{
	struct timespec ts;

	*ok = clock_gettime(clk, &ts) == 0;
	return *ok ? (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000 : 0;
}

void
lr_worker_cpu_clock_start(struct lr_worker *w)
{
	w->cpu_clock_ok = pthread_getcpuclockid(pthread_self(), &w->cpu_clock) == 0;
}

void
lr_worker_cpu_clock_stop(struct lr_worker *w)
{
	bool ok;
	uint64_t us = clock_us(CLOCK_THREAD_CPUTIME_ID, &ok);

	if (ok)
		__atomic_store_n(&w->cpu_us, us, __ATOMIC_RELAXED);
}

uint64_t
lr_worker_cpu_us(const struct lr_worker *w)
{
	uint64_t us;
	bool ok = false;

	/* The clock of a thread that has exited fails (EINVAL): the worker stored its
	 * last reading in cpu_us before running went off. */
	if (__atomic_load_n(&w->running, __ATOMIC_ACQUIRE) && w->cpu_clock_ok) {
		us = clock_us(w->cpu_clock, &ok);
		if (ok)
			return us;
	}
	return __atomic_load_n(&w->cpu_us, __ATOMIC_RELAXED);
}
