/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the configuration loader (config.c reads files and --set and
 * cross-checks, config_value.c parses one value, config_keys.c describes every
 * key, config_out.c prints the dump and the EAL argv).
 */
#ifndef LR_APP_CONFIG_INTERNAL_H
#define LR_APP_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "config.h"

#define SECTIONS_KNOWN "eal, app, worker, port.N, vlan.M, arp, ip, icmp, udp, tcp, loadgen"

enum key_kind {
	K_STR,      /**< string, k->max = longest length */
	K_LCORES,   /**< strict lcore list "1,3-4" (may be empty) */
	K_EAL_LCORES, /**< EAL -l/--lcores value, '@' remapping allowed */
	K_DEVICE,   /**< net_* vdev string or PCI address with devargs */
	K_BOOL,
	K_UINT,     /**< unsigned of k->size bytes in [min, max]; 8 bytes: max ignored */
	K_INT,      /**< int in [min, max] */
	K_IDLE,     /**< enum lr_idle_policy */
	K_OFFLOAD,  /**< enum lr_offload_mode */
	K_PREFIX,   /**< port ip + prefix_len */
	K_IPV4,     /**< rte_be32_t, 0 = none */
	K_MAC,      /**< port mac + has_mac */
	K_PERCENT,  /**< percentage "2", "0.5", "2%" stored as uint32_t parts per million */
	K_LISTEN,   /**< string "HOST:PORT" (lr_ctl_listen_parse()), may be empty */
	K_CC,       /**< uint8_t index of lr_cfg_cc_names at most k->max (enum lr_tcp_cc, or
		     *   LR_CFG_CC_DEFAULT) */
};

#define F_POW2 0x1     /**< value must be a power of two */
#define F_NOSPACE 0x2  /**< string without blanks */
#define F_NONEMPTY 0x4 /**< string must not be empty */
#define F_NOSLASH 0x8  /**< string without '/' */

struct key_def {
	const char *name;
	enum key_kind kind;
	unsigned int flags;
	size_t off;
	size_t size;
	int64_t min;
	int64_t max;
	const char *expect; /**< "expected ..." shown after a bad value */
	const char *need;   /**< non-NULL: the key is required; what to put there */
};

enum sect_id {
	S_EAL, S_APP, S_WORKER, S_PORT, S_VLAN, S_ARP, S_IP, S_ICMP, S_UDP, S_TCP, S_LOADGEN, S_NB
};

struct sect_def {
	const char *name;
	const struct key_def *keys;
};

/** Every section, indexed by enum sect_id. */
extern const struct sect_def lr_cfg_sects[S_NB];
/** The keys of [port.N] (also lr_cfg_sects[S_PORT].keys). */
extern const struct key_def lr_cfg_port_keys[];
/** The keys of [vlan.M] (also lr_cfg_sects[S_VLAN].keys). */
extern const struct key_def lr_cfg_vlan_keys[];
extern const char *const lr_cfg_idle_names[3];
extern const char *const lr_cfg_offload_names[3];
/** Congestion control names: lr_tcp_cc_name() of each enum lr_tcp_cc, then "default". */
extern const char *const lr_cfg_cc_names[LR_TCP_CC_NB + 1];

/** Where a section's fields live: the port or VLAN (index idx), the ARP/IP sub-config
 * or cfg itself. */
void *lr_cfg_sect_base(struct lr_config *cfg, enum sect_id sid, unsigned int idx);

/**
 * Cross-checks of [vlan.M] sections and [port.N] vlan (config_vlan.c).
 * @return 0, or -EINVAL with a one-line message starting with origin in err
 */
int lr_cfg_check_vlans(const struct lr_config *cfg, const uint32_t *vlan_seen,
		const char *origin, char *err, size_t errlen);

/** A PCI address (DDDD:BB:DD.F or BB:DD.F), optionally followed by ",devargs". */
bool lr_cfg_is_pci_device(const char *dev);

/* config_value.c: one value of a key */

/** A set of lcore ids. */
struct lcore_set {
	uint64_t bits[(RTE_MAX_LCORE + 63) / 64];
	unsigned int count;
};

/** True when lcore l is in s. */
bool lr_cfg_lcore_isset(const struct lcore_set *s, unsigned int l);
/** Decimal (or 0x hex) unsigned at most max. */
bool lr_cfg_parse_uint(const char *s, uint64_t max, uint64_t *out);
/** Strict lcore list "1,3-4" into set. @return 0 or -EINVAL */
int lr_cfg_parse_lcores(const char *s, struct lcore_set *set);
/** An EAL lcores value that remaps ('@' or '(' groups): not checked as a list. */
bool lr_cfg_eal_lcores_remapped(const char *s);
/** Parse s as key k into base + k->off. @return false with *why set */
bool lr_cfg_parse_value(const struct key_def *k, void *base, const char *s, const char **why);
/** The netmask of a prefix length, network order. */
rte_be32_t lr_cfg_prefix_mask(uint8_t len);
/** What a good value of k looks like, for messages. */
const char *lr_cfg_key_expect(const struct key_def *k);

#endif /* LR_APP_CONFIG_INTERNAL_H */
