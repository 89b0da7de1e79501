/* SPDX-License-Identifier: BSD-3-Clause */
/* Synthesised connection populations (bench_conns.h). */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "bench_conns.h"

void
bench_conn_patch(struct rte_mbuf *m, uint32_t i)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	rte_be32_t src = rte_cpu_to_be_32(bench_peer_ip(i % BENCH_CONN_PEERS));
	rte_be16_t port = rte_cpu_to_be_16((uint16_t)(BENCH_CONN_PORT_BASE +
			i / BENCH_CONN_PEERS));

	ip->hdr_checksum = bench_cksum_update32(ip->hdr_checksum, ip->src_addr, src);
	th->cksum = bench_cksum_update32(th->cksum, ip->src_addr, src);
	th->cksum = bench_cksum_update16(th->cksum, th->src_port, port);
	ip->src_addr = src;
	th->src_port = port;
}

int
bench_conn_gen(const struct bench_tmpl *t, struct rte_mbuf **pkts, uint32_t first,
		unsigned int n)
{
	unsigned int j;

	if (bench_gen(t, pkts, n) != 0)
		return -1;
	for (j = 0; j < n; j++)
		bench_conn_patch(pkts[j], first + j);
	return 0;
}

int
bench_conn_open(uint32_t n, uint16_t lport, uint32_t peer_isn, uint32_t our_isn)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct bench_tmpl syn, ack;
	struct rte_mbuf *pkts[BENCH_BURST];
	uint32_t i;

	bench_tmpl_tcp(&syn, bench_peer_ip(0), BENCH_CONN_PORT_BASE, lport, peer_isn, 0,
			RTE_TCP_SYN_FLAG, mss, 4, 0);
	bench_tmpl_tcp(&ack, bench_peer_ip(0), BENCH_CONN_PORT_BASE, lport, peer_isn + 1,
			our_isn + 1, RTE_TCP_ACK_FLAG, NULL, 0, 0);
	for (i = 0; i < n; i += BENCH_BURST) {
		unsigned int b = RTE_MIN((uint32_t)BENCH_BURST, n - i);

		if (bench_conn_gen(&syn, pkts, i, b) != 0)
			return -1;
		bench_rx(pkts, b);
		if (bench_conn_gen(&ack, pkts, i, b) != 0)
			return -1;
		bench_rx(pkts, b);
	}
	return 0;
}
