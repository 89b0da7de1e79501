/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every configuration key, described once: section, name, kind, field, range and
 * what a good value looks like. config.c parses with these tables, config_out.c
 * dumps with them.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_mempool.h>

#include "config_internal.h"

#define SUN_PATH_MAX (RTE_SIZEOF_FIELD(struct sockaddr_un, sun_path) - 1)

#define KEY(t, key, kind, field, lo, hi, fl, exp) \
	{ key, kind, fl, offsetof(t, field), RTE_SIZEOF_FIELD(t, field), lo, hi, exp, NULL }
#define KEYR(t, key, kind, field, fl, exp, need) \
	{ key, kind, fl, offsetof(t, field), RTE_SIZEOF_FIELD(t, field), 0, LR_CFG_STR - 1, exp, \
		need }
/* A required key with a range. */
#define KEYRN(t, key, kind, field, lo, hi, exp, need) \
	{ key, kind, 0, offsetof(t, field), RTE_SIZEOF_FIELD(t, field), lo, hi, exp, need }
#define KEY_END { NULL, K_STR, 0, 0, 0, 0, 0, NULL, NULL }

#define C struct lr_config
#define P struct lr_port_conf
#define A struct lr_arp_conf
#define I struct lr_ip_conf
#define PCT_EXP "expected a percentage 0..100 with at most 4 decimals, e.g. 2, 0.5 or 2%"
#define FAULT_KEYS(pfx, f) \
	KEY(P, pfx "loss", K_PERCENT, f.loss_ppm, 0, 1000000, 0, PCT_EXP), \
	KEY(P, pfx "ce", K_PERCENT, f.ce_ppm, 0, 1000000, 0, PCT_EXP), \
	KEY(P, pfx "dup", K_PERCENT, f.dup_ppm, 0, 1000000, 0, PCT_EXP), \
	KEY(P, pfx "reorder", K_PERCENT, f.reorder_ppm, 0, 1000000, 0, PCT_EXP), \
	KEY(P, pfx "delay_us", K_UINT, f.delay_us, 0, 1000000, 0, \
		"expected microseconds 0..1000000"), \
	KEY(P, pfx "jitter_us", K_UINT, f.jitter_us, 0, 1000000, 0, \
		"expected microseconds 0..1000000")
#define STR_EXP "expected text without ';' or control characters"
#define U32_MAX_I ((int64_t)UINT32_MAX)

static const struct key_def eal_keys[] = {
	KEY(C, "lcores", K_EAL_LCORES, eal_lcores, 0, LR_CFG_STR - 1, F_NONEMPTY,
		"expected an lcore list like 0-1 or 0,2-3 (EAL -l syntax, '@' remapping allowed)"),
	KEY(C, "main_lcore", K_INT, eal_main_lcore, -1, RTE_MAX_LCORE - 1, 0,
		"expected an lcore id 0..127 from [eal] lcores, or -1 for the EAL default"),
	KEY(C, "file_prefix", K_STR, eal_file_prefix, 0, LR_CFG_STR - 1, F_NOSPACE | F_NOSLASH,
		"expected a name without blanks or '/', e.g. lr-tap"),
	KEY(C, "in_memory", K_BOOL, eal_in_memory, 0, 0, 0, NULL),
	KEY(C, "huge", K_BOOL, eal_huge, 0, 0, 0, NULL),
	KEY(C, "memory_mb", K_UINT, eal_memory_mb, 0, 1 << 20, 0,
		"expected megabytes 0..1048576 (0 = EAL default)"),
	KEY(C, "log_level", K_STR, eal_log_level, 0, LR_CFG_STR - 1, 0, STR_EXP),
	KEY(C, "args", K_STR, eal_args, 0, LR_CFG_STR - 1, 0, STR_EXP),
	KEY_END,
};

static const struct key_def app_keys[] = {
	KEY(C, "control_socket", K_STR, control_socket, 0, SUN_PATH_MAX, F_NONEMPTY | F_NOSPACE,
		"expected a socket path of at most 107 characters without blanks"),
	KEY(C, "telemetry", K_BOOL, telemetry, 0, 0, 0, NULL),
	KEY(C, "capture", K_BOOL, capture, 0, 0, 0, NULL),
	KEY(C, "metrics", K_LISTEN, metrics, 0, LR_CFG_STR - 1, F_NOSPACE,
		"expected HOST:PORT for the Prometheus endpoint, e.g. 127.0.0.1:9464 or "
		"[::1]:9464, or nothing (off)"),
	KEY(C, "drain_ms", K_UINT, drain_ms, 0, 600000, 0,
		"expected milliseconds 0..600000 that connections get to finish after SIGTERM "
		"before they are reset, e.g. 5000"),
	KEY(C, "control_uid", K_INT, control_uid, -1, INT32_MAX, 0,
		"expected a numeric user id 0..2147483647, or -1 for root and our own user only"),
	KEY(C, "control_gid", K_INT, control_gid, -1, INT32_MAX, 0,
		"expected a numeric group id 0..2147483647, or -1 for none (socket mode 0600)"),
	KEY(C, "mbufs", K_UINT, mbufs, 512, 1 << 24, 0, "expected a count 512..16777216, e.g. 8191"),
	KEY(C, "mbuf_cache", K_UINT, mbuf_cache, 0, RTE_MEMPOOL_CACHE_MAX_SIZE, 0,
		"expected a count 0..512"),
	/* memory model: RX pools and the per-worker budget (app/daemon/mempools.h) */
	KEY(C, "rx_mbufs", K_UINT, rx_mbufs, 0, 1 << 24, 0,
		"expected mbufs per RX queue 0..16777216 (0 = auto, see --check-config)"),
	KEY(C, "mem_high", K_UINT, mem_high, 0, 0, 0,
		"expected bytes per worker, or 0 for auto (3/4 of the worker's share of mbufs)"),
	KEY(C, "mem_pressure_pct", K_UINT, mem_pressure_pct, 1, 100, 0,
		"expected a percentage of mem_high 1..100, at least mem_low_pct"),
	KEY(C, "mem_low_pct", K_UINT, mem_low_pct, 1, 100, 0,
		"expected a percentage of mem_high 1..100, at most mem_pressure_pct"),
	KEY_END,
};

static const struct key_def worker_keys[] = {
	KEY(C, "lcores", K_LCORES, worker_lcores, 0, LR_CFG_STR - 1, 0,
		"expected an lcore list like 1 or 1,3 or 2-3"),
	KEY(C, "burst", K_UINT, burst, 1, LR_BURST_MAX, 0, "expected a packet count 1..64"),
	KEY(C, "rx_drain", K_UINT, rx_drain, 1, 64, 0,
		"expected RX bursts per port per loop turn 1..64 (1 = one burst a turn)"),
	KEY(C, "idle", K_IDLE, idle, 0, 0, 0, "expected poll, pause or sleep"),
	KEY(C, "turn_parts", K_BOOL, turn_parts, 0, 0, 0, NULL),
	KEY(C, "tx_hold", K_UINT, tx_hold, 0, 16384, 0,
		"expected frames 0..16384 (0 = a frame the TX queue refuses is dropped)"),
	KEY(C, "idle_sleep_us", K_UINT, idle_sleep_us, 0, 1000000, 0,
		"expected microseconds 0..1000000"),
	KEY(C, "fault_seed", K_UINT, fault_seed, 0, 0, 0,
		"expected a number 0..18446744073709551615"),
	/* checked by linerate at start (lr_steer_mode_parse, lr_steer_key_parse) */
	KEY(C, "steering", K_STR, steering, 0, 15, F_NOSPACE,
		"expected auto, hw, sw or off (empty = auto)"),
	KEY(C, "rss_key", K_STR, rss_key, 0, LR_CFG_STR - 1, F_NOSPACE,
		"expected symmetric, or 40 bytes in hex like 6d5a6d5a... (80 digits, ':' allowed)"),
	KEY(C, "steer_ring_size", K_UINT, steer_ring_size, 0, 65536, 0,
		"expected a power of two 64..65536, or 0 for the default 1024"),
	KEY_END,
};

const struct key_def lr_cfg_port_keys[] = {
	KEYR(P, "device", K_DEVICE, device, F_NONEMPTY | F_NOSPACE,
		"expected a vdev like net_tap0,iface=lr0 or a PCI address like 0000:03:00.0",
		"a vdev like net_tap0,iface=lr0 or a PCI address like 0000:03:00.0"),
	KEY(P, "mac", K_MAC, mac, 0, 0, 0,
		"expected a unicast MAC like 02:4c:52:00:00:02"),
	KEYR(P, "ip", K_PREFIX, ip, 0, "expected an IPv4 prefix like 198.18.0.2/24",
		"the port's IPv4 address/prefix, e.g. 198.18.0.2/24"),
	KEY(P, "gateway", K_IPV4, gateway, 0, 0, 0,
		"expected an IPv4 address like 198.18.0.1 inside the port's subnet"),
	KEY(P, "mtu", K_UINT, mtu, 68, 9000, 0, "expected an IP MTU 68..9000"),
	KEY(P, "ip_count", K_UINT, ip_count, 1, 65536, 0,
		"expected a count of addresses 1..65536 from ip upwards, e.g. 64"),
	KEY(P, "rx_desc", K_UINT, rx_desc, 64, 4096, F_POW2,
		"expected a power of two 64..4096"),
	KEY(P, "tx_desc", K_UINT, tx_desc, 64, 4096, F_POW2,
		"expected a power of two 64..4096"),
	KEY(P, "promiscuous", K_BOOL, promiscuous, 0, 0, 0, NULL),
	KEY(P, "rx_cksum", K_OFFLOAD, rx_cksum, 0, 0, 0, "expected auto, on or off"),
	KEY(P, "tx_cksum", K_OFFLOAD, tx_cksum, 0, 0, 0, "expected auto, on or off"),
	KEY(P, "vlan", K_UINT, vlan, 0, LR_VLAN_ID_MAX, 0,
		"expected an 802.1Q VLAN ID 1..4094, or 0 for untagged"),
	KEY(P, "vlan_offload", K_OFFLOAD, vlan_offload, 0, 0, 0, "expected auto, on or off"),
	FAULT_KEYS("rx_", fault_rx),
	FAULT_KEYS("tx_", fault_tx),
	KEY_END,
};

#define V struct lr_vlan_conf
const struct key_def lr_cfg_vlan_keys[] = {
	KEYRN(V, "port", K_UINT, port, 0, LR_MAX_PORTS - 1,
		"expected the N of a [port.N] section, 0..7",
		"the N of the [port.N] section it rides on, e.g. 0"),
	KEYRN(V, "vlan", K_UINT, vlan, 1, LR_VLAN_ID_MAX, "expected an 802.1Q VLAN ID 1..4094",
		"its 802.1Q VLAN ID 1..4094, e.g. 100"),
	KEYR(V, "ip", K_PREFIX, ip, 0, "expected an IPv4 prefix like 198.18.100.2/24",
		"its IPv4 address/prefix, e.g. 198.18.100.2/24"),
	KEY(V, "ip_count", K_UINT, ip_count, 1, 65536, 0,
		"expected a count of addresses 1..65536 from ip upwards, e.g. 64"),
	KEY(V, "gateway", K_IPV4, gateway, 0, 0, 0,
		"expected an IPv4 address like 198.18.100.1 inside the VLAN's subnet"),
	KEY_END,
};
#undef V

/* K_PREFIX writes prefix_len right after ip, in either section. */
_Static_assert(offsetof(struct lr_port_conf, prefix_len) ==
		offsetof(struct lr_port_conf, ip) + sizeof(rte_be32_t), "port ip, prefix_len");
_Static_assert(offsetof(struct lr_vlan_conf, prefix_len) ==
		offsetof(struct lr_vlan_conf, ip) + sizeof(rte_be32_t), "vlan ip, prefix_len");

static const struct key_def arp_keys[] = {
	KEY(A, "table_size", K_UINT, table_size, 1, 1 << 20, 0, "expected entries 1..1048576"),
	KEY(A, "timeout_ms", K_UINT, timeout_ms, 1, 86400000, 0,
		"expected milliseconds 1..86400000"),
	KEY(A, "retry_ms", K_UINT, retry_ms, 1, 3600000, 0, "expected milliseconds 1..3600000"),
	KEY(A, "retries", K_UINT, retries, 1, 100, 0, "expected a count 1..100"),
	KEY(A, "pending_max", K_UINT, pending_max, 1, 4096, 0, "expected packets 1..4096"),
	KEY(A, "delay_ms", K_UINT, delay_ms, 0, 3600000, 0, "expected milliseconds 0..3600000"),
	KEY(A, "ucast_probes", K_UINT, ucast_probes, 1, 100, 0, "expected a count 1..100"),
	KEY(A, "mcast_probes", K_UINT, mcast_probes, 0, 100, 0, "expected a count 0..100"),
	KEY(A, "stale_ms", K_UINT, stale_ms, 1, 86400000, 0, "expected milliseconds 1..86400000"),
	KEY(A, "pending_total", K_UINT, pending_total, 1, 1 << 20, 0,
		"expected packets 1..1048576 (at least pending_max)"),
	KEY(A, "tick_budget", K_UINT, tick_budget, 0, 1000000, 0,
		"expected timers 0..1000000 (0 = no bound)"),
	KEY_END,
};

static const struct key_def ip_keys[] = {
	KEY(I, "ttl", K_UINT, ttl, 1, 255, 0, "expected a TTL 1..255"),
	KEY(I, "frag_max_flows", K_UINT, frag_max_flows, 1, 1 << 20, 0,
		"expected datagrams 1..1048576"),
	KEY(I, "frag_max_bufs", K_UINT, frag_max_bufs, 1, 1 << 20, 0,
		"expected mbufs held for reassembly per worker 1..1048576"),
	KEY(I, "frag_low_bufs", K_UINT, frag_low_bufs, 0, 1 << 20, 0,
		"expected mbufs reassembly keeps under memory pressure 0..1048576"),
	KEY(I, "frag_timeout_ms", K_UINT, frag_timeout_ms, 1, 3600000, 0,
		"expected milliseconds 1..3600000"),
	KEY_END,
};

static const struct key_def icmp_keys[] = {
	KEY(I, "error_rate", K_UINT, icmp_rate, 0, 1000000, 0,
		"expected errors per second 0..1000000 (0 = never send errors)"),
	KEY(I, "error_burst", K_UINT, icmp_burst, 0, 1000000, 0, "expected a count 0..1000000"),
	KEY_END,
};

static const struct key_def udp_keys[] = {
	KEY(C, "echo", K_UINT, udp_echo_port, 0, UINT16_MAX, 0,
		"expected a UDP port number 1..65535, or 0 for off"),
	KEY(C, "discard", K_UINT, udp_discard_port, 0, UINT16_MAX, 0,
		"expected a UDP port number 1..65535, or 0 for off"),
	KEY_END,
};

#define MS_EXP(hi) "expected milliseconds 1.." #hi
#define TCP_PORT_EXP "expected a TCP port number 1..65535, or 0 for off"
#define SVC_CC_EXP "expected newreno, cubic or default (the one of [tcp] cc)"
#define ECN_EXP "expected 0 (off), 1 (request and accept) or 2 (accept only), as Linux " \
	"net.ipv4.tcp_ecn"
#define SVC_ECN_EXP "expected 0 (off), 1 or 2 (accept), or -1 for the one of [tcp] ecn"

static const struct key_def tcp_keys[] = {
	KEY(C, "max_conns", K_UINT, tcp.max_conns, 1, 1 << 22, 0,
		"expected connections per worker 1..4194304"),
	KEY(C, "max_listeners", K_UINT, tcp.max_listeners, 1, 1024, 0,
		"expected listening ports 1..1024"),
	KEY(C, "sndbuf", K_UINT, tcp.sndbuf, 1024, 1 << 30, 0,
		"expected bytes 1024..1073741824, e.g. 65536"),
	KEY(C, "rcv_wnd", K_UINT, tcp.rcv_wnd, 1024, 1 << 30, 0,
		"expected bytes 1024..1073741824 (above 65535 only with window_scaling)"),
	KEY(C, "msl_ms", K_UINT, tcp.msl_ms, 1, 600000, 0, MS_EXP(600000)),
	KEY(C, "max_tw", K_UINT, tcp.max_tw, 1, 1 << 22, 0,
		"expected TIME_WAIT entries per worker 1..4194304 (44 bytes each)"),
	KEY(C, "rto_init_ms", K_UINT, tcp.rto_init_ms, 1, 600000, 0, MS_EXP(600000)),
	KEY(C, "rto_min_ms", K_UINT, tcp.rto_min_ms, 1, 600000, 0, MS_EXP(600000)),
	KEY(C, "rto_max_ms", K_UINT, tcp.rto_max_ms, 1, 3600000, 0, MS_EXP(3600000)),
	KEY(C, "syn_retries", K_UINT, tcp.syn_retries, 0, 255, 0, "expected a count 0..255"),
	KEY(C, "synack_retries", K_UINT, tcp.synack_retries, 0, 255, 0,
		"expected a count 0..255"),
	KEY(C, "max_retries", K_UINT, tcp.max_retries, 1, 255, 0, "expected a count 1..255"),
	KEY(C, "fin_wait2_ms", K_UINT, tcp.fin_wait2_ms, 1, 3600000, 0, MS_EXP(3600000)),
	KEY(C, "pressure_retries", K_UINT, tcp.pressure_retries, 0, 255, 0,
		"expected a count 0..255"),
	KEY(C, "orphan_retries", K_UINT, tcp.orphan_retries, 0, 255, 0,
		"expected a count 0..255 (at most max_retries counts)"),
	KEY(C, "max_orphans", K_UINT, tcp.max_orphans, 0, 4194304, 0,
		"expected connections 0..4194304 (0 = max_conns / 4)"),
	KEY(C, "user_timeout_ms", K_UINT, tcp.user_timeout_ms, 0, 86400000, 0,
		"expected milliseconds 0..86400000 (0 = off)"),
	KEY(C, "port_lo", K_UINT, tcp.port_lo, 1, UINT16_MAX, 0,
		"expected a port 1..65535, at most port_hi"),
	KEY(C, "port_hi", K_UINT, tcp.port_hi, 1, UINT16_MAX, 0,
		"expected a port 1..65535, at least port_lo"),
	KEY(C, "window_scaling", K_BOOL, tcp.window_scaling, 0, 0, 0, NULL),
	KEY(C, "timestamps", K_BOOL, tcp.timestamps, 0, 0, 0, NULL),
	KEY(C, "sack", K_BOOL, tcp.sack, 0, 0, 0, NULL),
	KEY(C, "rack", K_BOOL, tcp.rack, 0, 0, 0, NULL),
	KEY(C, "delack_ms", K_UINT, tcp.delack_ms, 0, 499, 0,
		"expected milliseconds 0..499 (RFC 1122: below 500; 0 = ACK at once)"),
	KEY(C, "quickack", K_UINT, tcp.quickack, 0, 255, 0,
		"expected a segment count 0..255 (0 = always delay ACKs)"),
	KEY(C, "keepalive_ms", K_UINT, tcp.keepalive_ms, 0, 86400000, 0,
		"expected milliseconds 0..86400000 (0 = off)"),
	KEY(C, "keepalive_intvl_ms", K_UINT, tcp.keepalive_intvl_ms, 0, 3600000, 0,
		"expected milliseconds 0..3600000"),
	KEY(C, "keepalive_probes", K_UINT, tcp.keepalive_probes, 0, 255, 0,
		"expected a count 0..255"),
	KEY(C, "half_open_max", K_UINT, tcp.half_open_max, 0, 1 << 22, 0,
		"expected connections 0..4194304"),
	KEY(C, "syncookies", K_BOOL, tcp.syncookies, 0, 0, 0, NULL),
	KEY(C, "challenge_ack_per_s", K_UINT, tcp.challenge_ack_per_s, 1, LR_TCP_RATE_MAX, 0,
		"expected a rate 1..1000000 per second (each second's budget is drawn in "
		"[n/2, n*3/2)), e.g. 1000"),
	KEY(C, "challenge_ack_per_conn_ms", K_UINT, tcp.challenge_ack_per_conn_ms, 0,
		LR_TCP_CHACK_CONN_MS_MAX, 0,
		"expected milliseconds 0..60000 between challenge ACKs of one connection "
		"(0 = no per-connection limit), e.g. 500"),
	KEY(C, "rst_per_s", K_UINT, tcp.rst_per_s, 1, LR_TCP_RATE_MAX, 0,
		"expected a rate 1..1000000 per second of RSTs to segments for no connection, "
		"e.g. 1000"),
	KEY(C, "isn_rekey_s", K_UINT, tcp.isn_rekey_s, 0, LR_TCP_ISN_REKEY_S_MAX, 0,
		"expected seconds 0..2592000 between ISN key changes (0 = never), e.g. 3600"),
	KEY(C, "ooo_max", K_UINT, tcp.ooo_max, 0, 4096, 0, "expected segments 0..4096"),
	KEY(C, "timer_budget", K_UINT, tcp.timer_budget, 0, 1000000, 0,
		"expected a count 0..1000000 of timer visits per loop turn (0 = no bound)"),
	KEY(C, "syn_shed_backlog", K_UINT, tcp.syn_shed_backlog, 0, 1000000, 0,
		"expected loop turns 0..1000000 (0 = never shed on RX backlog)"),
	KEY(C, "syn_shed_busy_pct", K_UINT, tcp.syn_shed_busy_pct, 0, 100, 0,
		"expected a percentage 0..100 of busy cycles (0 = the RX backlog alone sheds)"),
	KEY(C, "syn_shed_tx_us", K_UINT, tcp.syn_shed_tx_us, 0, 1000000, 0,
		"expected microseconds 0..1000000 (0 = never shed on a full TX queue)"),
	KEY(C, "cc", K_CC, tcp.cc, 0, LR_TCP_CC_NB - 1, 0, "expected newreno or cubic"),
	KEY(C, "slow_start_after_idle", K_BOOL, tcp.slow_start_after_idle, 0, 0, 0, NULL),
	KEY(C, "hystart", K_BOOL, tcp.hystart, 0, 0, 0, NULL),
	KEY(C, "ecn", K_UINT, tcp.ecn, 0, LR_TCP_ECN_NB - 1, 0, ECN_EXP),
	KEY(C, "echo", K_UINT, tcp_echo_port, 0, UINT16_MAX, 0, TCP_PORT_EXP),
	KEY(C, "discard", K_UINT, tcp_discard_port, 0, UINT16_MAX, 0, TCP_PORT_EXP),
	KEY(C, "chargen", K_UINT, tcp_chargen_port, 0, UINT16_MAX, 0, TCP_PORT_EXP),
	KEY(C, "http", K_UINT, tcp_http_port, 0, UINT16_MAX, 0, TCP_PORT_EXP),
	KEY(C, "http_body_size", K_UINT, http_body_size, 0, 1 << 30, 0,
		"expected bytes 0..1073741824"),
	KEY(C, "http_keepalive", K_BOOL, http_keepalive, 0, 0, 0, NULL),
	KEY(C, "idle_timeout_ms", K_UINT, svc_idle_timeout_ms, 0, 86400000, 0,
		"expected milliseconds 0..86400000 without data before a service closes the "
		"connection (0 = never), e.g. 60000"),
	KEY(C, "http_header_timeout_ms", K_UINT, http_header_timeout_ms, 0, 3600000, 0,
		"expected milliseconds 0..3600000 for an HTTP request head to arrive "
		"(0 = no limit), e.g. 10000"),
	KEY(C, "echo_cc", K_CC, tcp_echo_cc, 0, LR_CFG_CC_DEFAULT, 0, SVC_CC_EXP),
	KEY(C, "discard_cc", K_CC, tcp_discard_cc, 0, LR_CFG_CC_DEFAULT, 0, SVC_CC_EXP),
	KEY(C, "chargen_cc", K_CC, tcp_chargen_cc, 0, LR_CFG_CC_DEFAULT, 0, SVC_CC_EXP),
	KEY(C, "http_cc", K_CC, tcp_http_cc, 0, LR_CFG_CC_DEFAULT, 0, SVC_CC_EXP),
	KEY(C, "echo_ecn", K_INT, tcp_echo_ecn, -1, LR_TCP_ECN_NB - 1, 0, SVC_ECN_EXP),
	KEY(C, "discard_ecn", K_INT, tcp_discard_ecn, -1, LR_TCP_ECN_NB - 1, 0, SVC_ECN_EXP),
	KEY(C, "chargen_ecn", K_INT, tcp_chargen_ecn, -1, LR_TCP_ECN_NB - 1, 0, SVC_ECN_EXP),
	KEY(C, "http_ecn", K_INT, tcp_http_ecn, -1, LR_TCP_ECN_NB - 1, 0, SVC_ECN_EXP),
	KEY_END,
};

static const struct key_def loadgen_keys[] = {
	KEY(C, "spec", K_STR, loadgen_spec, 0, LR_CFG_STR - 1, 0,
		"expected a load-generator spec like 'mode=crr target=198.18.0.1:80 conc=64 "
		"duration=5s' (see pmd_config/README.md)"),
	KEY_END,
};

#undef C
#undef P
#undef A
#undef I


const struct sect_def lr_cfg_sects[S_NB] = {
	[S_EAL] = { "eal", eal_keys },
	[S_APP] = { "app", app_keys },
	[S_WORKER] = { "worker", worker_keys },
	[S_PORT] = { "port.N", lr_cfg_port_keys },
	[S_VLAN] = { "vlan.M", lr_cfg_vlan_keys },
	[S_ARP] = { "arp", arp_keys },
	[S_IP] = { "ip", ip_keys },
	[S_ICMP] = { "icmp", icmp_keys },
	[S_UDP] = { "udp", udp_keys },
	[S_TCP] = { "tcp", tcp_keys },
	[S_LOADGEN] = { "loadgen", loadgen_keys },
};

const char *const lr_cfg_idle_names[3] = { "poll", "pause", "sleep" };
const char *const lr_cfg_offload_names[3] = { "auto", "on", "off" };
const char *const lr_cfg_cc_names[LR_TCP_CC_NB + 1] = {
	[LR_TCP_CC_NEWRENO] = "newreno", [LR_TCP_CC_CUBIC] = "cubic",
	[LR_CFG_CC_DEFAULT] = "default",
};

void *
lr_cfg_sect_base(struct lr_config *cfg, enum sect_id sid, unsigned int idx)
{
	switch (sid) {
	case S_PORT:
		return &cfg->ports[idx];
	case S_VLAN:
		return &cfg->vlans[idx];
	case S_ARP:
		return &cfg->arp;
	case S_IP:
	case S_ICMP:
		return &cfg->ip;
	default:
		return cfg;
	}
}

/* A PCI address (DDDD:BB:DD.F or BB:DD.F), optionally followed by ",devargs". */
bool
lr_cfg_is_pci_device(const char *dev)
{
	size_t n = strcspn(dev, ","), i;
	const char *pat = n == 12 ? "hhhh:hh:hh.o" : "hh:hh.o";

	if (n != strlen(pat))
		return false;
	for (i = 0; i < n; i++) {
		if (pat[i] == 'h' && !isxdigit((unsigned char)dev[i]))
			return false;
		if (pat[i] == 'o' && (dev[i] < '0' || dev[i] > '7'))
			return false;
		if (pat[i] != 'h' && pat[i] != 'o' && pat[i] != dev[i])
			return false;
	}
	return true;
}
