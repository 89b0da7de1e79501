/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator, udp client: datagrams to an echo service, each carrying its send
 * time, and the reply port's receive handler.
 */
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "loadgen_internal.h"

#define UDP_MAGIC 0x4c52474eu        /* "LRGN" */

/* The UDP payload head. */
struct udp_probe {
	uint32_t magic;
	uint16_t worker;
	uint16_t pad;
	uint32_t idx;
	uint32_t gen;
	uint64_t t_us;
} __rte_packed;

/* ---- UDP ---- */

void
lr_lg_udp_input(struct lr_worker *w, struct rte_mbuf *m, const struct lr_udp_dgram *d, void *arg)
{
	struct lg_worker *lw = &lr_lg_workers[w->id];
	struct udp_probe pr;
	struct lg_slot *s;

	RTE_SET_USED(arg);
	if (!lw->started || d->len < sizeof(pr) || m->data_len < sizeof(pr)) {
		lr_consume(m);
		return;
	}
	memcpy(&pr, rte_pktmbuf_mtod(m, const void *), sizeof(pr));
	lr_consume(m);
	if (pr.magic != UDP_MAGIC)
		return;
	lw->cnt.requests++;
	lw->cnt.rx_bytes += d->len;
	if (w->now_us >= pr.t_us)
		lr_lg_record_latency(lw, w->now_us - pr.t_us);
	/* Our own datagram (another worker's echo arrives here only with asymmetric
	 * steering; that worker's slot then times out). */
	if (pr.worker != w->id || pr.idx >= lw->conc)
		return;
	s = &lw->slots[pr.idx];
	if (s->state == S_REQ && s->gen == pr.gen)
		lr_lg_slot_put(s);
}

bool
lr_lg_udp_send_one(struct lg_worker *lw)
{
	const struct lr_loadgen_target *t;
	struct udp_probe pr;
	struct rte_mbuf *m;
	struct lg_slot *s;
	uint32_t ti, len = lw->conf.request_size;
	char *p;

	m = lr_alloc(lw->w);
	if (m == NULL) {
		count_err(lw, LR_LOADGEN_ERR_NOMEM);
		return false;
	}
	p = rte_pktmbuf_append(m, (uint16_t)len);
	s = lr_lg_slot_get(lw);
	if (p == NULL || s == NULL) {
		rte_pktmbuf_free(m);
		if (s != NULL)
			lr_lg_slot_put(s);
		return false;
	}
	t = lr_lg_next_target(lw, &ti);
	s->state = S_REQ;
	s->gen = ++lw->udp_gen;
	s->t_start = lw->w->now_us;
	pr.magic = UDP_MAGIC;
	pr.worker = lw->w->id;
	pr.pad = 0;
	pr.idx = s->idx;
	pr.gen = s->gen;
	pr.t_us = s->t_start;
	memcpy(p, &pr, sizeof(pr));
	memcpy(p + sizeof(pr), lr_lg_pattern, len - sizeof(pr));
	lw->cnt.sent++;
	lw->cnt.tx_bytes += len;
	lr_udp_send(lw->w, m, lr_lg_next_src(lw, ti),
			rte_cpu_to_be_16(lw->conf.udp_sport + s->idx % lw->conf.udp_flows), t->ip,
			rte_cpu_to_be_16(t->port));
	return true;
}

/*
 * The source address of the next connection (or datagram) to target ti: the
 * addresses of the interface that reaches it (lr_iface::ip_count) in turn, so that
 * connections spread over addresses x ports and a client closing first (TIME_WAIT)
 * has ip_count times the port range of 4-tuples, and datagrams over addresses x
 * flows. lr_tcp_connect_from() picks the port for the address.
 */
rte_be32_t
lr_lg_next_src(struct lg_worker *lw, uint32_t ti)
{
	const struct lr_iface *ifc = lw->src_ifc[ti];
	rte_be32_t src = lr_lg_peek_src(lw, ti, 0);

	if (ifc != NULL && ifc->ip_count > 1)
		lw->next_src++;
	return src;
}

/* What lr_lg_next_src() returns ahead calls after the next, without moving on. */
rte_be32_t
lr_lg_peek_src(const struct lg_worker *lw, uint32_t ti, uint32_t ahead)
{
	const struct lr_iface *ifc = lw->src_ifc[ti];

	if (ifc == NULL || ifc->ip_count <= 1)
		return lw->src_ip[ti];
	return lr_iface_addr(ifc, lw->next_src + ahead);
}

/* Our address towards dst: the worker's interface that routes there, else its first. */
rte_be32_t
lr_lg_src_for(const struct lr_worker *w, rte_be32_t dst)
{
	const struct lr_iface *ifc = lr_iface_route(w, dst, NULL);
	unsigned int i;

	if (ifc != NULL)
		return ifc->ip;
	for (i = 0; i < LR_MAX_PORTS; i++)
		if (lr_ifaces[i].used && (w->iface_mask == 0 || (w->iface_mask & (1u << i))))
			return lr_ifaces[i].ip;
	return 0;
}
