/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linerate: the appliance daemon. Reads the config, starts EAL and the ports, runs
 * one poll-mode worker per worker lcore and the control thread, stops cleanly on
 * SIGINT/SIGTERM.
 *
 * Every worker owns one RX and one TX queue on every port and the flows that hash to
 * it (lr_steer.h): a port with usable RSS delivers them to its queue, on the others
 * the receiving worker hands each packet to its owner over a lock-free ring.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "config.h"
#include "ctl_cmds.h"
#include "loadgen.h"
#include "lr_eth.h"
#include "lr_fault.h"
#include "lr_ip.h"
#include "lr_steer.h"
#include "lr_tcp.h"
#include "lr_udp.h"
#include "lr_version.h"
#include "mempools.h"
#include "port.h"
#include "port_mtu.h"
#include "services.h"
#include "tcp_services.h"

#define EXIT_CONFIG 2
#define TICK_US 10000
#define EAL_MAX_ARGS 64

static volatile bool quit;
static bool capture_on;   /* rte_pdump_init() done (start_capture()) */
/* Graceful shutdown: the first SIGTERM/SIGINT drains, a second stops at once. */
enum { DRAIN_NONE = 0, DRAIN_FINISH, DRAIN_RESET };
static volatile sig_atomic_t nb_signals;
static uint32_t drain_phase;              /* set by the main thread, read by workers */
static uint32_t drain_reset_done[LR_MAX_WORKERS]; /* a worker has no connection left */
#define DRAIN_RESET_PAGE 256              /* connections reset per loop turn */
static bool loadgen_on;   /* [loadgen] spec given: stop once it is done */
static bool loadgen_json; /* its summary in JSON */
static struct lr_config cfg;
static enum lr_steer_mode steer_mode;
static uint8_t steer_key[LR_STEER_KEY_LEN];

struct worker_launch {
	struct lr_worker *w;
	uint16_t ports[LR_MAX_PORTS];
	uint16_t nb_ports;
};
static struct worker_launch launches[LR_MAX_WORKERS];

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	nb_signals++;
}

/*
 * Worker side of the shutdown: once, the services drain (listeners closed, idle
 * keep-alives get our FIN, requests in progress finish with Connection: close); in
 * the reset phase, a page of RSTs per turn until nothing is left. The loop keeps
 * polling all along.
 */
static void
drain_step(struct lr_worker *w, bool *drained)
{
	uint32_t phase = __atomic_load_n(&drain_phase, __ATOMIC_ACQUIRE);

	if (!*drained) {
		lr_services_tcp_drain(w);
		*drained = true;
	}
	if (phase == DRAIN_RESET && lr_tcp_reset_all(w, DRAIN_RESET_PAGE) == 0)
		__atomic_store_n(&drain_reset_done[w->id], 1, __ATOMIC_RELEASE);
}

/* No connection that still moves (TIME_WAIT entries and blocks are over). */
static bool
drain_idle(void)
{
	uint64_t n[LR_TCP_NB_STATES];
	uint16_t i;
	int s;

	for (i = 0; i < lr_nb_workers; i++) {
		lr_tcp_state_counts(&lr_workers[i], n);
		for (s = LR_TCP_SYN_SENT; s < LR_TCP_TIME_WAIT; s++)
			if (n[s] != 0)
				return false;
	}
	return true;
}

/*
 * Main thread side: the first signal starts the drain ([app] drain_ms); when every
 * connection finished, the time is up, or a second signal came, the workers reset
 * the rest; then the loops stop (at most 1 s later, 100 ms after a second signal).
 */
static void
drain_control(void)
{
	static uint64_t deadline_us, reset_deadline_us;
	uint64_t now = lr_clock_us();
	uint16_t i;
	bool done = true;

	if (nb_signals == 0)
		return;
	if (drain_phase == DRAIN_NONE) {
		printf("linerate: draining connections for up to %u ms (again to stop now)\n",
				cfg.drain_ms);
		fflush(stdout);
		deadline_us = now + (uint64_t)cfg.drain_ms * 1000;
		__atomic_store_n(&drain_phase, DRAIN_FINISH, __ATOMIC_RELEASE);
		return;
	}
	if (drain_phase == DRAIN_FINISH && (nb_signals > 1 || now >= deadline_us ||
			drain_idle())) {
		reset_deadline_us = now + (nb_signals > 1 ? 100000 : 1000000);
		__atomic_store_n(&drain_phase, DRAIN_RESET, __ATOMIC_RELEASE);
		return;
	}
	if (drain_phase != DRAIN_RESET)
		return;
	for (i = 0; i < lr_nb_workers; i++)
		done &= __atomic_load_n(&drain_reset_done[i], __ATOMIC_ACQUIRE) != 0;
	if (done || now >= reset_deadline_us || nb_signals > 2)
		quit = true;
}

static void
idle(void)
{
	struct timespec ts;

	switch (cfg.idle) {
	case LR_IDLE_POLL:
		break;
	case LR_IDLE_PAUSE:
		rte_pause();
		break;
	case LR_IDLE_SLEEP:
		ts.tv_sec = 0;
		ts.tv_nsec = (long)cfg.idle_sleep_us * 1000;
		nanosleep(&ts, NULL);
		break;
	}
}

/*
 * Receive from one port: a burst, then more while they come back full, up to
 * [worker] rx_drain bursts, so the ring is emptied before the turn's fixed work
 * (flushes, timers) instead of overflowing while the core does it (Linux NAPI
 * polls a device up to its weight, 64 packets, the same way). *full: the last
 * burst was still full, i.e. the worker did not empty the ring this turn (the RX
 * backlog that sheds SYNs, lr_tcp_rx_load()).
 */
static uint32_t
rx_drain(struct lr_worker *w, uint16_t port, struct rte_mbuf **pkts, bool *full)
{
	uint32_t got = 0;
	uint16_t n, round = 0;
	bool more;

	do {
		n = rte_eth_rx_burst(port, w->rxq, pkts, cfg.burst);
		more = n == cfg.burst;
		/* Every turn, even with n == 0: delayed packets come due. */
		n = lr_fault_rx(w, port, pkts, n, cfg.burst);
		got += n;
		n = lr_steer_rx(w, pkts, n);
		if (n > 0) {
			lr_eth_input_burst(w, pkts, n);
			/* what the burst produced leaves before the next one is read (its
			 * responses before, e.g., the orphan cap can reset their connection) */
			lr_tcp_flush(w);
		}
	} while (more && ++round < cfg.rx_drain);
	*full |= more;
	return got;
}

/* The time since *t was part p of the turn (its maximum kept); *t moves on. Only
 * with [worker] turn_parts: a TSC read per part, and on a guest whose hypervisor traps
 * them one costs 85-260 ns (this project's VM), ten a turn. */
static inline void
part_end(struct lr_worker *w, enum lr_turn_part p, uint64_t *t)
{
	uint64_t now;

	if (!cfg.turn_parts)
		return;
	now = rte_rdtsc();

	lr_worker_part_end(w, p, now - *t);
	*t = now;
}

/*
 * Every TICK_US: ARP and reassembly expiry, the services' timeouts.
 * @param arp_more set: ARP timers are left due (bounded per call)
 * @return true if the services left due timeouts (bounded per call): the next turns
 * call lr_services_tcp_tick() (and lr_arp_tick() for *arp_more) again until none is
 * left
 */
static bool
slow_tick(struct lr_worker *w, uint64_t *t, bool *arp_more)
{
	bool more;

	*arp_more = lr_arp_tick(w);
	part_end(w, LR_TURN_ARP_TICK, t);
	lr_ip_tick(w);
	part_end(w, LR_TURN_IP_TICK, t);
	more = lr_services_tcp_tick(w);
	part_end(w, LR_TURN_SVC_TICK, t);
	return more;
}

/*
 * The poll loop: what other workers handed over, then RX bursts per port, keeping what
 * this worker owns and staging the rest for its owners; pipeline, timers, one TX flush.
 * Handed-over packets go first because they are the older ones of their flows: a
 * flow moves from a queue another worker reads to this one's (a tap's kernel side
 * queues a flow where our last frame of it left), never back, and what came the
 * longer way must not be overtaken by what came straight (test_vlan.sh: 80 reordered
 * handshake ACKs in 400 echo connections with the rings read after RX, 13 before).
 * One TSC read a turn: its end, which is the next turn's start (and one more after
 * sleeping when idle); with [worker] turn_parts each part of a turn is timed too
 * (lr_turn_part, `linerate-ctl cores parts`), a TSC read per part, so a long turn can
 * be attributed. On this project's guest a TSC read traps (85-260 ns): two a turn were
 * a fifth of the worker's samples at dperf's CPS ceiling.
 */
static int
worker_main(void *arg)
{
	struct worker_launch *l = arg;
	struct lr_worker *w = l->w;
	struct rte_mbuf *pkts[LR_BURST_MAX];
	uint64_t next_tick = 0, t0, t1, t, t_next;
	uint16_t i, n;
	uint32_t got;
	bool full, more, svc_more = false, arp_more = false;
	bool drained = false;

	w->now_us = lr_clock_us();
	w->parts_timed = cfg.turn_parts;
	w->tx_hold_max = cfg.tx_hold;
	lr_worker_cpu_clock_start(w);
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	if (w->id == 0)  /* every interface: the ports' own and their VLANs' */
		for (i = 0; i < lr_iface_end; i++)
			if (lr_iface_at(i) != NULL)
				lr_arp_send_gratuitous(w, lr_iface_at(i));
	t_next = rte_rdtsc();
	while (!quit) {
		t0 = t_next;   /* the last turn's end */
		t = t0;
		w->now_us = lr_tsc_us(t0);
		got = 0;
		full = false;
		n = lr_steer_poll(w, pkts, cfg.burst);
		if (n > 0) {
			lr_eth_input_burst(w, pkts, n);
			lr_tcp_flush(w);
			got += n;
		}
		for (i = 0; i < l->nb_ports; i++)
			got += rx_drain(w, l->ports[i], pkts, &full);
		part_end(w, LR_TURN_RX, &t);
		lr_tcp_rx_load(w, full); /* RX backlog: SYNs shed while it lasts */
		lr_steer_flush(w);
		lr_arp_sync(w);
		/* One ACK per connection for the whole burst, then timers. */
		lr_tcp_flush(w);
		part_end(w, LR_TURN_STEER, &t);
		more = lr_tcp_tick(w); /* bounded: what is left goes on next turn */
		part_end(w, LR_TURN_TCP_TICK, &t);
		lr_loadgen_poll(w);
		part_end(w, LR_TURN_LOADGEN, &t);
		if (unlikely(__atomic_load_n(&drain_phase, __ATOMIC_RELAXED) != DRAIN_NONE)) {
			drain_step(w, &drained);
			part_end(w, LR_TURN_OTHER, &t);
		}
		if (w->now_us >= next_tick) {
			svc_more = slow_tick(w, &t, &arp_more);
			next_tick = w->now_us + TICK_US;
		} else if (unlikely(svc_more || arp_more)) {
			if (arp_more) {
				arp_more = lr_arp_tick(w);
				part_end(w, LR_TURN_ARP_TICK, &t);
			}
			if (svc_more) {
				svc_more = lr_services_tcp_tick(w);
				part_end(w, LR_TURN_SVC_TICK, &t);
			}
		}
		more |= svc_more | arp_more;
		lr_tcp_flush(w);
		lr_worker_flush(w);
		part_end(w, LR_TURN_FLUSH, &t);
		lr_fault_poll(w);
		part_end(w, LR_TURN_OTHER, &t);
		lr_worker_poll_calls(w);
		w->polls++;
		t1 = rte_rdtsc();
		if (cfg.turn_parts)
			lr_worker_part_end(w, LR_TURN_CALL, t1 - t);
		/* the longest turn (`cores` turn_max_us): RX waits for it */
		lr_worker_turn_end(w, t1 - t0);
		if (got > 0) {
			w->busy_polls++;
			w->busy_cycles += t1 - t0;
		} else {
			if (!more) {
				idle();
				/* poll and pause take no time worth a read: counted in the
				 * next turn */
				if (cfg.idle == LR_IDLE_SLEEP)
					t1 = rte_rdtsc();
			}
			w->idle_cycles += t1 - t0;
		}
		t_next = t1;
	}
	lr_worker_flush(w);
	lr_worker_tx_release(w);   /* what the peer never took (counted eth TX_FULL) */
	lr_worker_poll_calls(w);
	lr_worker_cpu_clock_stop(w);
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: linerate --config FILE [--set section.key=value ...] [--check-config]\n"
		"       linerate --help | --version\n"
		"\n"
		"  -c, --config FILE   the appliance's INI file (see pmd_config/README.md)\n"
		"  -s, --set S.K=V     override one key, e.g. --set port.0.ip=198.18.0.2/24\n"
		"      --check-config  validate and print the effective configuration, start nothing\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n");
}

/* Parse "1,3-4" into lcore ids. @return count or -1 */
static int
parse_lcores(const char *s, unsigned int *out, int max)
{
	int n = 0;

	while (*s != '\0') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;

		if (end == s)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		for (; a <= b; a++) {
			if (n == max)
				return -1;
			out[n++] = (unsigned int)a;
		}
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return n;
}

static int
parse_args(int argc, char **argv, char **config, char ***sets, unsigned int *nb_sets,
		bool *check)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"set", required_argument, NULL, 's'},
		{"check-config", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static char *set_list[LR_CFG_MAX_SET];
	int c;

	*sets = set_list;
	while ((c = getopt_long(argc, argv, "c:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 's':
			if (*nb_sets == LR_CFG_MAX_SET) {
				fprintf(stderr, "linerate: too many --set options (at most %d)\n",
						LR_CFG_MAX_SET);
				return EXIT_CONFIG;
			}
			set_list[(*nb_sets)++] = optarg;
			break;
		case 'C':
			*check = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("linerate %s (%s)\n", LR_VERSION, rte_version());
			exit(0);
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "linerate: unexpected argument '%s' (options only; see --help)\n",
				argv[optind]);
		return EXIT_CONFIG;
	}
	if (*config == NULL) {
		fprintf(stderr, "linerate: missing --config FILE (e.g. --config pmd_config/tap.ini)\n");
		return EXIT_CONFIG;
	}
	return 0;
}

/* [worker] steering, rss_key and steer_ring_size, in the loader's message style. */
static int
check_steering(void)
{
	if (lr_steer_mode_parse(cfg.steering, &steer_mode) != 0) {
		fprintf(stderr, "linerate: %s: [worker] steering: bad value '%s': expected auto, "
				"hw, sw or off\n", cfg.path, cfg.steering);
		return EXIT_CONFIG;
	}
	if (lr_steer_key_parse(cfg.rss_key, steer_key) != 0) {
		fprintf(stderr, "linerate: %s: [worker] rss_key: bad value '%.100s': expected "
				"symmetric, or 40 bytes in hex (80 digits, ':' allowed)\n", cfg.path,
				cfg.rss_key);
		return EXIT_CONFIG;
	}
	if (cfg.steer_ring_size != 0 && (cfg.steer_ring_size < 64 ||
			!rte_is_power_of_2(cfg.steer_ring_size))) {
		fprintf(stderr, "linerate: %s: [worker] steer_ring_size: bad value '%u': expected "
				"a power of two 64..65536, or 0 for the default 1024\n", cfg.path,
				cfg.steer_ring_size);
		return EXIT_CONFIG;
	}
	return 0;
}

static int
start_eal(const char *argv0)
{
	static char storage[4096];
	char *eal_argv[EAL_MAX_ARGS];
	int eal_argc;

	eal_argc = lr_config_eal_args(&cfg, argv0, eal_argv, EAL_MAX_ARGS, storage,
			sizeof(storage));
	if (eal_argc < 0) {
		fprintf(stderr, "linerate: %s: [eal] too many EAL arguments\n", cfg.path);
		return EXIT_CONFIG;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "linerate: EAL initialisation failed: %s (check [eal] in %s, "
				"hugepages, and that no other process uses file prefix '%s')\n",
				rte_strerror(rte_errno), cfg.path, cfg.eal_file_prefix);
		return 1;
	}
	return 0;
}

/*
 * --check-config of a port with an MTU above 1500 (what any Ethernet port carries):
 * whether it carries it is in its dev_info, so EAL starts in memory (no shared or
 * hugepage files: a running instance with the same prefix is left alone) and each
 * such port is probed, never configured (net_tap creates its interface meanwhile).
 * A device absent here (a NIC's file checked elsewhere) gets a note, not a refusal:
 * lr_port_setup() checks it at start.
 */
static int
check_ports_mtu(const char *argv0)
{
	struct lr_port_mtu_plan plan;
	bool jumbo = false, in_memory = cfg.eal_in_memory;
	char err[512];
	unsigned int p;
	int rc = 0;

	for (p = 0; p < LR_MAX_PORTS; p++)
		jumbo |= cfg.ports[p].used && cfg.ports[p].mtu > RTE_ETHER_MTU;
	if (!jumbo)
		return 0;
	cfg.eal_in_memory = true;
	rc = start_eal(argv0);
	cfg.eal_in_memory = in_memory;
	if (rc != 0)
		return rc;
	for (p = 0; rc == 0 && p < LR_MAX_PORTS; p++) {
		if (!cfg.ports[p].used || cfg.ports[p].mtu <= RTE_ETHER_MTU)
			continue;
		switch (lr_port_mtu_probe(p, &cfg.ports[p], &plan, err, sizeof(err))) {
		case 0:
			break;
		case -ENODEV: /* e.g. a NIC's file checked on another machine */
			fprintf(stderr, "linerate: %s: note: %s\n", cfg.path, err);
			break;
		default:
			fprintf(stderr, "linerate: %s: %s\n", cfg.path, err);
			rc = EXIT_CONFIG;
		}
	}
	rte_eal_cleanup();
	return rc;
}

/* [loadgen] spec: every worker runs its share, worker 0 first (it binds the UDP port). */
static int
start_loadgen(void)
{
	struct lr_loadgen_conf lg;
	char err[256];
	uint16_t i;
	int rc;

	if (cfg.loadgen_spec[0] == '\0')
		return 0;
	if (lr_loadgen_parse(&lg, cfg.loadgen_spec, err, sizeof(err)) != 0) {
		fprintf(stderr, "linerate: %s: [loadgen] spec: %s\n", cfg.path, err);
		return EXIT_CONFIG;
	}
	loadgen_json = lg.json;
	for (i = 0; i < lr_nb_workers; i++) {
		rc = lr_loadgen_start(&lr_workers[i], &lg);
		if (rc != 0) {
			fprintf(stderr, "linerate: worker %u: cannot start the load generator: %s\n",
					i, strerror(-rc));
			return 1;
		}
	}
	loadgen_on = true;
	return 0;
}

/* A configured load-generator run is over when every worker is done. */
static bool
loadgen_finished(void)
{
	uint16_t i;

	if (!loadgen_on)
		return false;
	for (i = 0; i < lr_nb_workers; i++)
		if (!lr_loadgen_done(&lr_workers[i]))
			return false;
	return true;
}

/* Register [port.p]'s own interface, then those of its [vlan.M] sections. */
static int
add_ifaces(unsigned int p, const struct lr_iface *port_ifc)
{
	struct lr_iface vifc;
	unsigned int m;
	int rc;

	rc = lr_iface_add(port_ifc);
	for (m = 0; m < LR_MAX_VLANS && rc == 0; m++) {
		if (!cfg.vlans[m].used || cfg.vlans[m].port != p)
			continue;
		lr_port_vlan_iface(port_ifc, &cfg.vlans[m], &vifc);
		rc = lr_iface_add(&vifc);
		if (rc == 0)
			printf("linerate: vlan.%u: VLAN %u on port.%u\n", m, vifc.vlan_id, p);
	}
	if (rc != 0)
		fprintf(stderr, "linerate: %s: [port.%u]: cannot add its interfaces: %s\n",
				cfg.path, p, strerror(-rc));
	return rc != 0 ? 1 : 0;
}

static int
setup(void)
{
	struct lr_fault_conf fault_rx[LR_MAX_PORTS] = {0}, fault_tx[LR_MAX_PORTS] = {0};
	unsigned int lcores[LR_MAX_WORKERS];
	struct rte_mempool *pool, *indirect;
	struct lr_port_steer steer;
	struct lr_mem_conf mem;
	char err[512];
	int nb, i, rc;
	unsigned int p;
	bool tx_ref = true;

	nb = parse_lcores(cfg.worker_lcores, lcores, LR_MAX_WORKERS);
	if (nb <= 0) {
		fprintf(stderr, "linerate: %s: [worker] lcores: bad value '%s'\n", cfg.path,
				cfg.worker_lcores);
		return EXIT_CONFIG;
	}
	for (i = 0; i < nb; i++) {
		if (!rte_lcore_is_enabled(lcores[i]) || lcores[i] == rte_get_main_lcore()) {
			fprintf(stderr, "linerate: %s: [worker] lcores: lcore %u is not an EAL "
					"worker lcore: list it in [eal] lcores and keep it off "
					"the main lcore\n", cfg.path, lcores[i]);
			return EXIT_CONFIG;
		}
	}
	pool = rte_pktmbuf_pool_create("lr_pool", cfg.mbufs, cfg.mbuf_cache, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	indirect = rte_pktmbuf_pool_create("lr_indirect", cfg.mbufs, cfg.mbuf_cache, 0, 0,
			(int)rte_socket_id());
	if (pool == NULL || indirect == NULL) {
		fprintf(stderr, "linerate: cannot create the mbuf pools (%u mbufs): %s: "
				"reserve more hugepages or lower [app] mbufs\n", cfg.mbufs,
				rte_strerror(rte_errno));
		return 1;
	}
	lr_arp_configure(&cfg.arp);
	lr_ip_configure(&cfg.ip);
	lr_ip_init();
	lr_udp_init();
	lr_tcp_init();
	rc = lr_services_udp_init(cfg.udp_echo_port, cfg.udp_discard_port);
	if (rc < 0) {
		fprintf(stderr, "linerate: %s: [udp]: cannot bind services: %s\n", cfg.path,
				strerror(-rc));
		return EXIT_CONFIG;
	}
	lr_mem_conf_of(&cfg, (uint16_t)nb, &mem);
	for (i = 0; i < nb; i++) {
		struct lr_worker *w = &lr_workers[i];

		lr_worker_init(w, (uint16_t)i, pool);
		w->lcore = lcores[i];
		w->indirect_pool = indirect;
		if (lr_mem_configure(&w->mem, &mem) != 0) {
			fprintf(stderr, "linerate: %s: [app] mem_high, mem_pressure_pct, "
					"mem_low_pct: thresholds out of order\n", cfg.path);
			return EXIT_CONFIG;
		}
		if (lr_arp_worker_init(w) != 0 || lr_ip_worker_init(w) != 0 ||
				lr_tcp_worker_init(w, &cfg.tcp) != 0) {
			fprintf(stderr, "linerate: worker %d: out of memory for its tables: "
					"lower [arp] table_size or [ip] frag_max_flows\n", i);
			return 1;
		}
		rc = lr_services_tcp_init(w, &cfg);
		if (rc != 0) {
			fprintf(stderr, "linerate: %s: [tcp]: cannot start the services: %s\n",
					cfg.path, strerror(-rc));
			return EXIT_CONFIG;
		}
		launches[i].w = w;
	}
	lr_nb_workers = (uint16_t)nb;
	rc = lr_steer_init(lr_nb_workers, steer_key, cfg.steer_ring_size);
	if (rc != 0) {
		fprintf(stderr, "linerate: cannot create the steering rings between %d workers: "
				"%s: lower [worker] steer_ring_size\n", nb, strerror(-rc));
		return 1;
	}
	for (p = 0; p < LR_MAX_PORTS; p++) {
		struct lr_iface ifc;

		if (!cfg.ports[p].used)
			continue;
		rc = lr_port_setup(p, &cfg, lr_nb_workers, steer_mode, &ifc, &steer, err,
				sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "linerate: %s: %s\n", cfg.path, err);
			return 1;
		}
		rc = add_ifaces(p, &ifc);
		if (rc != 0)
			return rc;
		lr_steer_port_set(ifc.port_id, steer.mode);
		printf("linerate: port.%u: %d RX pools of %u mbufs%s\n", p, nb,
				lr_port_rx_pool(ifc.port_id, 0)->size,
				cfg.rx_mbufs == 0 ? " (rx_mbufs auto)" : "");
		if (lr_port_mtu_of(ifc.port_id)->frame > LR_PORT_SEG_ROOM) {
			const struct lr_port_mtu_plan *mp = lr_port_mtu_of(ifc.port_id);

			printf("linerate: port.%u: mtu %u: frames up to %u bytes, RX %s, "
					"multi-segment TX\n", p, ifc.mtu, mp->frame,
					mp->scatter ? "scattered" : "into larger buffers");
		}
		if (nb > 1)
			printf("linerate: port.%u: %d queue pairs, steering %s%s%s%s\n", p, nb,
					lr_steer_mode_names[steer.mode],
					steer.mode == LR_STEER_HW ? " (NIC RSS, our key and table)" : "",
					steer.why[0] != '\0' ? ": " : "", steer.why);
		fault_rx[ifc.port_id] = cfg.ports[p].fault_rx;
		fault_tx[ifc.port_id] = cfg.ports[p].fault_tx;
		for (i = 0; i < nb; i++)
			launches[i].ports[launches[i].nb_ports++] = ifc.port_id;
	}
	/* TCP segments refer to their send buffer when every port takes such frames. */
	for (p = 0; p < lr_iface_end; p++)
		tx_ref &= !lr_ifaces[p].used || lr_ifaces[p].tx_ref;
	/* Last: the fault layer wraps each worker's final tx_fn. */
	for (i = 0; i < nb; i++) {
		lr_workers[i].tx_ref = tx_ref;
		rc = lr_fault_worker_init(&lr_workers[i], fault_rx, fault_tx, cfg.fault_seed);
		if (rc != 0) {
			fprintf(stderr, "linerate: worker %d: fault injection: %s\n", i,
					strerror(-rc));
			return 1;
		}
	}
	return start_loadgen();
}

/*
 * Packet capture: rte_pdump serves dpdk-dumpcap (DPDK's secondary process), which
 * attaches through the shared EAL config of [eal] file_prefix and has the ports copy
 * what they receive and send (RX/TX callbacks) into its ring. Nothing is copied
 * until a capture is running. Not possible with [eal] in_memory (no shared config).
 */
static void
start_capture(void)
{
	if (!cfg.capture)
		return;
	if (cfg.eal_in_memory) {
		printf("linerate: capture: off ([eal] in_memory = yes: dpdk-dumpcap attaches "
				"through the shared EAL config)\n");
		return;
	}
	if (rte_pdump_init() != 0) {
		fprintf(stderr, "linerate: capture: rte_pdump_init: %s: dpdk-dumpcap cannot "
				"attach\n", rte_strerror(rte_errno));
		return;
	}
	capture_on = true;
	printf("linerate: capture: dpdk-dumpcap --file-prefix=%s -i PORT -w FILE.pcapng\n",
			cfg.eal_file_prefix[0] != '\0' ? cfg.eal_file_prefix : "rte");
}

static void
teardown(void)
{
	unsigned int p;
	uint16_t i;

	if (capture_on) {
		rte_pdump_uninit();
		capture_on = false;
	}
	for (p = 0; p < LR_MAX_PORTS; p++)
		if (lr_ifaces[p].used)
			lr_port_close(lr_ifaces[p].port_id);
	lr_steer_fini();
	for (i = 0; i < lr_nb_workers; i++) {
		lr_fault_worker_fini(&lr_workers[i]);
		lr_loadgen_stop(&lr_workers[i]);
		lr_services_tcp_fini(&lr_workers[i]);
		lr_tcp_worker_fini(&lr_workers[i]);
		lr_ip_worker_fini(&lr_workers[i]);
		lr_arp_worker_fini(&lr_workers[i]);
	}
}

int
main(int argc, char **argv)
{
	char *config = NULL, **sets = NULL;
	unsigned int nb_sets = 0;
	bool check = false;
	char err[1024];
	uint16_t i;
	int rc;

	rc = parse_args(argc, argv, &config, &sets, &nb_sets, &check);
	if (rc != 0)
		return rc;
	if (lr_config_load(&cfg, config, sets, nb_sets, err, sizeof(err)) != 0) {
		fprintf(stderr, "linerate: %s\n", err);
		return EXIT_CONFIG;
	}
	rc = check_steering();
	if (rc != 0)
		return rc;
	if (check) {
		rc = check_ports_mtu(argv[0]);
		if (rc == 0)
			lr_config_dump(&cfg, stdout);
		return rc;
	}
	/* First, so that an address we cannot listen on fails before EAL takes memory. */
	rc = lr_app_metrics_listen(&cfg);
	if (rc != 0) {
		fprintf(stderr, "linerate: %s: [app] metrics '%s': cannot listen: %s\n", cfg.path,
				cfg.metrics, strerror(-rc));
		return 1;
	}
	if (cfg.metrics[0] != '\0')
		printf("linerate: metrics: http://%s/metrics\n", cfg.metrics);
	rc = start_eal(argv[0]);
	if (rc != 0)
		return rc;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = setup();
	if (rc != 0)
		goto out;
	start_capture();
	rc = lr_app_ctl_start(&cfg);
	if (rc != 0) {
		fprintf(stderr, "linerate: %s: [app] control_socket '%s': %s\n", cfg.path,
				cfg.control_socket, strerror(-rc));
		rc = 1;
		goto out;
	}
	for (i = 0; i < lr_nb_workers; i++)
		rte_eal_remote_launch(worker_main, &launches[i], lr_workers[i].lcore);
	printf("linerate: ready\n");
	fflush(stdout);
	while (!quit) {
		usleep(nb_signals > 0 ? 10000 : 100000);
		drain_control();
		/* the generator's live table: a row a second, printed here, off the workers */
		lr_loadgen_live_tick(stdout, lr_nb_workers, lr_clock_us());
		if (loadgen_finished()) {
			lr_loadgen_report(stdout, lr_nb_workers, loadgen_json);
			fflush(stdout);
			quit = true;
		}
	}
	rte_eal_mp_wait_lcore();
	lr_app_ctl_stop();
	printf("linerate: stopped\n");
	rc = 0;
out:
	/* On every path, control and telemetry calls end before teardown() frees the
	 * ports and workers they read (idempotent). */
	lr_app_ctl_stop();
	teardown();
	rte_eal_cleanup();
	return rc;
}
