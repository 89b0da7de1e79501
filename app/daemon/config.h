/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The appliance's configuration: one INI file (rte_cfgfile) plus --set overrides.
 */
#ifndef LR_APP_CONFIG_H
#define LR_APP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lr_core.h"
#include "lr_eth.h"
#include "lr_fault.h"
#include "lr_ip.h"
#include "lr_steer.h"
#include "lr_tcp.h"

#define LR_CFG_STR 256          /**< longest string value */
#define LR_CFG_MAX_SET 64       /**< --set overrides on one command line */

/** A service key's congestion control "default": the one of [tcp] cc. */
#define LR_CFG_CC_DEFAULT LR_TCP_CC_NB

/** Idle policy of a worker that received nothing. */
enum lr_idle_policy {
	LR_IDLE_POLL = 0,  /**< spin */
	LR_IDLE_PAUSE = 1, /**< rte_pause() */
	LR_IDLE_SLEEP = 2, /**< sleep idle_sleep_us */
};

/** Checksum offload setting of a port. */
enum lr_offload_mode {
	LR_OFFLOAD_AUTO = 0, /**< use it when the port has it */
	LR_OFFLOAD_ON = 1,   /**< require it (error if missing) */
	LR_OFFLOAD_OFF = 2,  /**< compute in software */
};

/** [port.N]: one DPDK port. */
struct lr_port_conf {
	bool used;                    /**< section present */
	char device[LR_CFG_STR];      /**< vdev args ("net_tap0,iface=lr0") or PCI address */
	bool has_mac;                 /**< mac key set */
	struct rte_ether_addr mac;    /**< appliance MAC; default: the port's own */
	rte_be32_t ip;                /**< address (network order) */
	uint8_t prefix_len;           /**< prefix length */
	uint32_t ip_count;            /**< addresses ip .. ip + ip_count - 1 (1 = ip only) */
	rte_be32_t gateway;           /**< 0 if none */
	uint16_t mtu;                 /**< IP MTU (68..9000) */
	uint16_t rx_desc;             /**< RX ring size */
	uint16_t tx_desc;             /**< TX ring size */
	bool promiscuous;             /**< put the port in promiscuous mode */
	enum lr_offload_mode rx_cksum; /**< RX checksum offload */
	enum lr_offload_mode tx_cksum; /**< TX checksum offload */
	uint16_t vlan;                /**< 802.1Q VLAN ID of the port's own interface, 0 =
				       *   untagged */
	enum lr_offload_mode vlan_offload; /**< VLAN strip (RX) and insert (TX) in the port,
					    *   when it carries a tagged interface */
	struct lr_fault_conf fault_rx; /**< faults injected on what the port receives */
	struct lr_fault_conf fault_tx; /**< faults injected on what the port sends */
};

/** [vlan.M]: one more interface on a port's VLAN. */
struct lr_vlan_conf {
	bool used;                    /**< section present */
	uint16_t port;                /**< N of the [port.N] it rides on */
	uint16_t vlan;                /**< its 802.1Q VLAN ID, 1..4094 */
	rte_be32_t ip;                /**< address (network order) */
	uint8_t prefix_len;           /**< prefix length (right after ip, like lr_port_conf) */
	uint32_t ip_count;            /**< addresses ip .. ip + ip_count - 1 */
	rte_be32_t gateway;           /**< 0 if none */
};

/** The whole configuration. */
struct lr_config {
	char path[LR_CFG_STR];        /**< file it came from */
	/* [eal] */
	char eal_lcores[LR_CFG_STR];  /**< -l list, e.g. "0-1" */
	int eal_main_lcore;           /**< --main-lcore, -1 = EAL default */
	char eal_file_prefix[LR_CFG_STR]; /**< --file-prefix ("" = none) */
	bool eal_in_memory;           /**< --in-memory */
	bool eal_huge;                /**< false = --no-huge */
	uint32_t eal_memory_mb;       /**< -m, 0 = EAL default */
	char eal_log_level[LR_CFG_STR]; /**< --log-level value(s) */
	char eal_args[LR_CFG_STR];    /**< extra EAL arguments, space separated */
	/* [app] */
	char control_socket[LR_CFG_STR]; /**< control socket path */
	uint32_t drain_ms;            /**< after SIGTERM/SIGINT: time connections get to
				       *   finish before the rest are reset */
	bool telemetry;               /**< register /linerate/ telemetry commands */
	bool capture;                 /**< rte_pdump_init(): dpdk-dumpcap can attach */
	char metrics[LR_CFG_STR];     /**< Prometheus endpoint "HOST:PORT", "" = off */
	int control_uid;              /**< one more uid allowed on the socket, -1 = none */
	int control_gid;              /**< group allowed on the socket (0660), -1 = none */
	uint32_t mbufs;               /**< mbufs in the pool */
	uint32_t mbuf_cache;          /**< per-lcore mempool cache */
	/* [app] memory model (pools engineer, app/daemon/mempools.h) */
	uint32_t rx_mbufs;            /**< mbufs per RX queue's pool, 0 = auto */
	uint64_t mem_high;            /**< budget per worker in bytes, 0 = auto */
	uint32_t mem_pressure_pct;    /**< pressure threshold, percent of mem_high */
	uint32_t mem_low_pct;         /**< pressure ends below this percent of mem_high */
	/* [worker] */
	char worker_lcores[LR_CFG_STR]; /**< lcores running workers, e.g. "1" */
	uint16_t burst;               /**< RX burst size (1..LR_BURST_MAX) */
	uint16_t rx_drain;            /**< RX bursts per port per loop turn while they come
				       *   back full (1..64) */
	enum lr_idle_policy idle;     /**< idle policy */
	bool turn_parts;              /**< time each part of a loop turn (a TSC read each) */
	uint32_t tx_hold;             /**< frames per port and worker kept when a TX queue
	                               *   refuses them, sent at the next flushes (0 = drop) */
	uint32_t idle_sleep_us;       /**< sleep when idle (sleep policy) */
	uint64_t fault_seed;          /**< seed of the fault injection PRNG */
	char steering[LR_CFG_STR];    /**< auto, hw, sw or off ("" = auto) */
	char rss_key[LR_CFG_STR];     /**< "symmetric" or 40 hex bytes ("" = symmetric) */
	uint32_t steer_ring_size;     /**< slots per software steering ring (0 = 1024) */
	/* [port.N] */
	struct lr_port_conf ports[LR_MAX_PORTS]; /**< indexed by N */
	/* [vlan.M] */
	struct lr_vlan_conf vlans[LR_MAX_VLANS]; /**< indexed by M */
	/* [arp] [ip] [icmp] */
	struct lr_arp_conf arp;       /**< ARP settings */
	struct lr_ip_conf ip;         /**< IP/ICMP settings */
	/* [udp] */
	uint16_t udp_echo_port;       /**< 0 = off */
	uint16_t udp_discard_port;    /**< 0 = off */
	/* [tcp] */
	struct lr_tcp_conf tcp;       /**< stack settings, per worker */
	uint16_t tcp_echo_port;       /**< RFC 862 echo, 0 = off */
	uint16_t tcp_discard_port;    /**< RFC 863 discard, 0 = off */
	uint16_t tcp_chargen_port;    /**< RFC 864 character generator, 0 = off */
	uint16_t tcp_http_port;       /**< HTTP/1.1 responder, 0 = off */
	uint32_t http_body_size;      /**< bytes of every 200 OK body */
	bool http_keepalive;          /**< keep HTTP connections open between requests */
	uint32_t svc_idle_timeout_ms; /**< [tcp] idle_timeout_ms: services close a connection
				       *   without data either way for this long; 0 = off */
	uint32_t http_header_timeout_ms; /**< [tcp] http_header_timeout_ms: a request head
					  *   must complete within it; 0 = off */
	uint8_t tcp_echo_cc;          /**< [tcp] echo_cc: enum lr_tcp_cc of the echo service's
				       *   connections, or LR_CFG_CC_DEFAULT ([tcp] cc) */
	uint8_t tcp_discard_cc;       /**< [tcp] discard_cc, the same for discard */
	uint8_t tcp_chargen_cc;       /**< [tcp] chargen_cc, the same for chargen */
	uint8_t tcp_http_cc;          /**< [tcp] http_cc, the same for HTTP */
	int tcp_echo_ecn;             /**< [tcp] echo_ecn: enum lr_tcp_ecn of the echo
				       *   service's listener, or -1 ([tcp] ecn) */
	int tcp_discard_ecn;          /**< [tcp] discard_ecn, the same for discard */
	int tcp_chargen_ecn;          /**< [tcp] chargen_ecn, the same for chargen */
	int tcp_http_ecn;             /**< [tcp] http_ecn, the same for HTTP */
	/* [loadgen] */
	char loadgen_spec[LR_CFG_STR]; /**< load generator run at start ("" = none) */
};

/** Fill defaults. */
void lr_config_defaults(struct lr_config *cfg);

/**
 * Load a file, apply overrides, validate.
 * @param path INI file
 * @param sets "section.key=value" strings
 * @param nb_sets number of sets
 * @param err buffer for a one-line error naming file, section, key, value and the fix
 * @return 0, or -EINVAL (message in err)
 */
int lr_config_load(struct lr_config *cfg, const char *path, char *const *sets,
		unsigned int nb_sets, char *err, size_t errlen);

/** Print the effective configuration as INI (for --check-config and `ctl config`). */
void lr_config_dump(const struct lr_config *cfg, FILE *f);

/**
 * Build the EAL argv from the config.
 * @param argv0 program name
 * @param argv filled with pointers into storage (at most max entries)
 * @return argc, or -E2BIG
 */
int lr_config_eal_args(const struct lr_config *cfg, const char *argv0, char **argv,
		int max, char *storage, size_t storage_len);

#endif /* LR_APP_CONFIG_H */
