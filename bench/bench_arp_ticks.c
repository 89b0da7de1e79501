/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP timers against the table: what lr_arp_tick() costs the worker (the poll loop
 * calls it every 10 ms, and again on its next turns while it says timers are left)
 * with the cache sized [arp] table_size and holding E entries, all learned in the
 * same microsecond from requests for our address (198.18.1.0.. on a /16).
 *
 * "idle": IDLE_TICKS calls 10 ms apart with nothing due, each timed (rte_rdtsc);
 * "wave": the clock at the entries' REACHABLE deadline, calls made until every one
 * went STALE (arp.STALE counted), the clock 10 us on between them as the loop's next
 * turns; each timed. Checks: every entry learned, every one STALE once, no mbuf left.
 * The calls use only lr_arp_tick()'s effect, not its return, so the same source
 * times a tree whose lr_arp_tick() returns nothing.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>

#include "lr_eth.h"
#include "bench_arp_ticks.h"
#include "bench_common.h"

#define IDLE_TICKS 1000
#define TICK_US 10000              /* the poll loop's slow tick */
#define TURN_US 10                 /* between two calls while a wave lasts */
#define FIRST_IP 0xc6120100u       /* 198.18.1.0 */
#define MAX_CALLS 10000000u

struct arp_case {
	uint32_t table_size, entries;
	double idle_med_ns, idle_max_us;
	uint32_t wave_calls;
	double wave_worst_us, wave_p99_us, wave_total_ms;
	bool ok;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
cyc_us(uint64_t c)
{
	return (double)c * 1e6 / (double)bench_hz();
}

/* A request for our address from FIRST_IP + i: learned (and answered, into the sink). */
static void
learn(uint32_t i)
{
	struct bench_tmpl t;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t.bytes;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_ether_addr mac = {{0x02, 0x61, 0x72, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
			(uint8_t)i}};
	struct rte_mbuf *m;

	memset(&t, 0, sizeof(t));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(FIRST_IP + i);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(BENCH_OUR_IP);
	t.len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
	if (bench_gen(&t, &m, 1) == 0) {
		lr_eth_input(bench_w, m);
		lr_worker_flush(bench_w);
	}
}

static uint64_t
stat(enum lr_stat_id id)
{
	return lr_stats_sum(id, 1);
}

static void
run_case(struct arp_case *c)
{
	struct lr_arp_conf conf = lr_arp_conf_default;
	uint64_t *log, t0, dt, total = 0, worst = 0, stale0, learned0;
	uint32_t i, calls = 0;

	memset(&c->idle_med_ns, 0, sizeof(*c) - offsetof(struct arp_case, idle_med_ns));
	conf.table_size = c->table_size;
	lr_arp_worker_fini(bench_w);
	lr_arp_configure(&conf);
	if (lr_arp_worker_init(bench_w) != 0) {
		printf("arp ticks: no ARP table of %u entries\n", c->table_size);
		return;
	}
	learned0 = stat(LR_STAT_arp_LEARNED);
	for (i = 0; i < c->entries; i++)
		learn(i);
	if (stat(LR_STAT_arp_LEARNED) - learned0 != c->entries) {
		printf("arp ticks: %" PRIu64 " of %u entries learned\n",
				stat(LR_STAT_arp_LEARNED) - learned0, c->entries);
		return;
	}
	log = malloc(sizeof(*log) * RTE_MAX((uint32_t)IDLE_TICKS, c->entries + 1));
	if (log == NULL)
		return;
	for (i = 0; i < IDLE_TICKS; i++) {
		bench_w->now_us += TICK_US;
		t0 = rte_rdtsc_precise();
		lr_arp_tick(bench_w);
		log[i] = rte_rdtsc_precise() - t0;
	}
	qsort(log, IDLE_TICKS, sizeof(*log), cmp_u64);
	c->idle_med_ns = cyc_us(log[IDLE_TICKS / 2]) * 1e3;
	c->idle_max_us = cyc_us(log[IDLE_TICKS - 1]);

	/* learned at one instant: all due at timeout_ms after it */
	bench_w->now_us += (uint64_t)conf.timeout_ms * 1000 - (uint64_t)IDLE_TICKS * TICK_US;
	stale0 = stat(LR_STAT_arp_STALE);
	while (stat(LR_STAT_arp_STALE) - stale0 < c->entries && calls < MAX_CALLS) {
		t0 = rte_rdtsc_precise();
		lr_arp_tick(bench_w);
		dt = rte_rdtsc_precise() - t0;
		lr_worker_flush(bench_w);
		if (calls <= c->entries)
			log[calls] = dt;
		calls++;
		total += dt;
		worst = RTE_MAX(worst, dt);
		bench_w->now_us += TURN_US;
	}
	qsort(log, RTE_MIN(calls, c->entries + 1), sizeof(*log), cmp_u64);
	c->wave_calls = calls;
	c->wave_worst_us = cyc_us(worst);
	c->wave_p99_us = cyc_us(log[(uint64_t)RTE_MIN(calls, c->entries + 1) * 99 / 100]);
	c->wave_total_ms = cyc_us(total) / 1e3;
	c->ok = stat(LR_STAT_arp_STALE) - stale0 == c->entries;
	free(log);
}

unsigned int
bench_arp_ticks(void)
{
	static struct arp_case quick[] = {
		{ .table_size = 1024, .entries = 1000 },
		{ .table_size = 1 << 20, .entries = 1000 },
		{ .table_size = 65536, .entries = 65000 },
		{ .table_size = 1 << 20, .entries = 65000 },
	};
	static struct arp_case smoke[] = {
		{ .table_size = 1024, .entries = 1000 },
	};
	struct arp_case *cases = bench_opts.smoke ? smoke : quick;
	unsigned int i, n = bench_opts.smoke ? RTE_DIM(smoke) : RTE_DIM(quick), failed = 0;
	rte_be32_t mask = lr_ifaces[0].netmask;

	lr_ifaces[0].netmask = rte_cpu_to_be_32(0xffff0000); /* the entries' /16 on-link */
	for (i = 0; i < n; i++) {
		run_case(&cases[i]);
		failed += !cases[i].ok;
		if (bench_opts.smoke)
			printf("%s - bench_conn_table arp ticks %u/%u\n",
					cases[i].ok ? "ok" : "not ok", cases[i].entries,
					cases[i].table_size);
	}
	lr_ifaces[0].netmask = mask;
	printf("\nARP timers (lr_arp_tick(); entries learned at one instant; idle = %d calls "
			"10 ms apart, nothing due; wave = calls until every entry went STALE, "
			"10 us apart)\n", IDLE_TICKS);
	printf("%12s %10s %14s %14s %12s %16s %14s %14s\n", "table_size", "entries",
			"idle med ns", "idle max us", "wave calls", "wave worst us", "wave p99 us",
			"wave total ms");
	for (i = 0; i < n; i++) {
		const struct arp_case *c = &cases[i];

		if (!c->ok) {
			printf("%12u %10u %14s\n", c->table_size, c->entries, "FAIL");
			continue;
		}
		printf("%12u %10u %14.0f %14.1f %12u %16.1f %14.1f %14.2f\n", c->table_size,
				c->entries, c->idle_med_ns, c->idle_max_us, c->wave_calls,
				c->wave_worst_us, c->wave_p99_us, c->wave_total_ms);
	}
	return failed;
}
