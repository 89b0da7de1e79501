/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration output: the effective configuration as INI (--check-config, ctl
 * `config`) and the EAL argv built from [eal] and the ports.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "config_internal.h"
#include "mempools.h"

/* Parts per million as the shortest percentage that reads back the same: "0.5". */
static void
format_percent(uint32_t ppm, char *buf, size_t len)
{
	uint32_t frac = ppm % 10000;
	int digits = 4;

	if (frac == 0) {
		snprintf(buf, len, "%u", ppm / 10000);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%u.%0*u", ppm / 10000, digits, frac);
}

/* Format a key's value for the dump. @return false to print it commented out */
static bool
format_value(const struct key_def *k, const void *base, char *buf, size_t len)
{
	const void *field = RTE_PTR_ADD(base, k->off);
	const struct lr_port_conf *p = base;
	char ip[16];

	switch (k->kind) {
	case K_BOOL:
		snprintf(buf, len, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case K_UINT:
		if (k->size == 8)
			snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field);
		else
			snprintf(buf, len, "%u", k->size == 1 ? *(const uint8_t *)field :
				k->size == 2 ? *(const uint16_t *)field :
				*(const uint32_t *)field);
		break;
	case K_PERCENT:
		format_percent(*(const uint32_t *)field, buf, len);
		break;
	case K_INT:
		snprintf(buf, len, "%d", *(const int *)field);
		break;
	case K_IDLE:
		snprintf(buf, len, "%s", lr_cfg_idle_names[*(const enum lr_idle_policy *)field]);
		break;
	case K_OFFLOAD:
		snprintf(buf, len, "%s", lr_cfg_offload_names[*(const enum lr_offload_mode *)field]);
		break;
	case K_CC:
		snprintf(buf, len, "%s", lr_cfg_cc_names[*(const uint8_t *)field]);
		break;
	case K_PREFIX:
		snprintf(buf, len, "%s/%u", lr_ip_fmt(*(const rte_be32_t *)field, ip, sizeof(ip)),
			*((const uint8_t *)field + sizeof(rte_be32_t)));
		break;
	case K_IPV4:
		snprintf(buf, len, "%s", lr_ip_fmt(*(const rte_be32_t *)field, ip, sizeof(ip)));
		return *(const rte_be32_t *)field != 0;
	case K_MAC:
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
			p->mac.addr_bytes[0], p->mac.addr_bytes[1], p->mac.addr_bytes[2],
			p->mac.addr_bytes[3], p->mac.addr_bytes[4], p->mac.addr_bytes[5]);
		return p->has_mac;
	default:
		snprintf(buf, len, "%s", (const char *)field);
		break;
	}
	return true;
}

/* After a key set to 0 = auto, a comment with the value it stands for (mempools.h). */
static void
dump_auto(const struct lr_config *cfg, const struct key_def *k, FILE *f)
{
	struct lcore_set wrk;
	uint16_t workers;
	struct lr_mem_conf mc;
	struct lr_rx_need need;
	unsigned int p;

	lr_cfg_parse_lcores(cfg->worker_lcores, &wrk);
	workers = (uint16_t)RTE_MAX(wrk.count, 1u);
	if (strcmp(k->name, "rx_mbufs") == 0 && cfg->rx_mbufs == 0) {
		for (p = 0; p < LR_MAX_PORTS; p++) {
			if (!cfg->ports[p].used)
				continue;
			lr_rx_mbufs_need(cfg, p, cfg->ports[p].rx_desc, workers,
					lr_steer_sw_possible(cfg, workers), &need);
			fprintf(f, "; rx_mbufs auto: port.%u: %u RX queues x %u mbufs (RX ring %u, "
				"TX rings %u, bursts %u, caches %u, steering %u, fault queues %u)\n",
				p, workers, need.total, need.rx_ring, need.tx_rings, need.bursts,
				need.caches, need.steer, need.fault);
		}
	} else if (strcmp(k->name, "mem_low_pct") == 0) {
		lr_mem_conf_of(cfg, workers, &mc);
		fprintf(f, "; memory budget per worker (%s): high %" PRIu64 ", pressure %" PRIu64
			", low %" PRIu64 " bytes\n", cfg->mem_high == 0 ? "mem_high auto" :
			"mem_high", mc.high, mc.pressure, mc.low);
	}
}

static void
dump_section(const struct lr_config *cfg, const char *name, const struct key_def *keys,
		const void *base, FILE *f)
{
	const struct key_def *k;
	char val[LR_CFG_STR + 32];

	fprintf(f, "\n[%s]\n", name);
	for (k = keys; k->name != NULL; k++) {
		bool set = format_value(k, base, val, sizeof(val));

		fprintf(f, "%s%s =%s%s\n", set ? "" : "; ", k->name, val[0] != '\0' ? " " : "",
			set ? val : "(none)");
		dump_auto(cfg, k, f);
	}
}

void
lr_config_dump(const struct lr_config *cfg, FILE *f)
{
	char name[16];
	unsigned int i;
	int s;

	fprintf(f, "; linerate effective configuration%s%s\n",
		cfg->path[0] != '\0' ? ", loaded from " : "", cfg->path);
	for (s = 0; s < S_NB; s++) {
		if (s == S_VLAN)
			continue;	/* after the ports */
		if (s != S_PORT) {
			dump_section(cfg, lr_cfg_sects[s].name, lr_cfg_sects[s].keys,
				lr_cfg_sect_base((struct lr_config *)(uintptr_t)cfg, s, 0), f);
			continue;
		}
		for (i = 0; i < LR_MAX_PORTS; i++) {
			if (!cfg->ports[i].used)
				continue;
			snprintf(name, sizeof(name), "port.%u", i);
			dump_section(cfg, name, lr_cfg_port_keys, &cfg->ports[i], f);
		}
		for (i = 0; i < LR_MAX_VLANS; i++) {
			if (!cfg->vlans[i].used)
				continue;
			snprintf(name, sizeof(name), "vlan.%u", i);
			dump_section(cfg, name, lr_cfg_vlan_keys, &cfg->vlans[i], f);
		}
	}
}

struct argv_builder {
	char **argv;
	int max;
	int argc;
	char *store;
	size_t left;
};

static int
push(struct argv_builder *b, const char *s)
{
	size_t len = strlen(s) + 1;

	if (b->argc + 1 >= b->max || len > b->left)
		return -E2BIG;
	memcpy(b->store, s, len);
	b->argv[b->argc++] = b->store;
	b->argv[b->argc] = NULL;
	b->store += len;
	b->left -= len;
	return 0;
}

static int
push2(struct argv_builder *b, const char *opt, const char *val)
{
	int ret = push(b, opt);

	return ret != 0 ? ret : push(b, val);
}

/* Push each blank-separated word of s, each preceded by opt if opt is not NULL. */
static int
push_words(struct argv_builder *b, const char *opt, const char *s)
{
	char word[LR_CFG_STR];
	size_t n;
	int ret = 0;

	while (ret == 0 && *s != '\0') {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		s += n;
		if (opt != NULL)
			ret = push(b, opt);
		if (ret == 0)
			ret = push(b, word);
	}
	return ret;
}

int
lr_config_eal_args(const struct lr_config *cfg, const char *argv0, char **argv,
		int max, char *storage, size_t storage_len)
{
	struct argv_builder b = { argv, max, 0, storage, storage_len };
	const struct lr_port_conf *p;
	char num[16];
	bool pci = false;
	int ret;

	ret = push(&b, argv0);
	/* EAL -l takes plain lists only; '@' remapping needs --lcores. */
	ret = ret ? ret : push2(&b, strpbrk(cfg->eal_lcores, "@()") != NULL ? "--lcores" : "-l",
			cfg->eal_lcores);
	snprintf(num, sizeof(num), "%d", cfg->eal_main_lcore);
	if (cfg->eal_main_lcore >= 0)
		ret = ret ? ret : push2(&b, "--main-lcore", num);
	if (cfg->eal_file_prefix[0] != '\0')
		ret = ret ? ret : push2(&b, "--file-prefix", cfg->eal_file_prefix);
	/* EAL refuses --in-memory with --no-huge (legacy memory); --no-shconf keeps
	 * such a process from leaving shared files all the same.
	 */
	if (cfg->eal_in_memory && cfg->eal_huge)
		ret = ret ? ret : push(&b, "--in-memory");
	if (!cfg->eal_huge)
		ret = ret ? ret : push(&b, "--no-huge");
	if (cfg->eal_in_memory && !cfg->eal_huge)
		ret = ret ? ret : push(&b, "--no-shconf");
	snprintf(num, sizeof(num), "%" PRIu32, cfg->eal_memory_mb);
	if (cfg->eal_memory_mb != 0)
		ret = ret ? ret : push2(&b, "-m", num);
	ret = ret ? ret : push_words(&b, "--log-level", cfg->eal_log_level);
	for (p = cfg->ports; p < cfg->ports + LR_MAX_PORTS && ret == 0; p++) {
		if (!p->used)
			continue;
		pci |= lr_cfg_is_pci_device(p->device);
		ret = push2(&b, lr_cfg_is_pci_device(p->device) ? "-a" : "--vdev", p->device);
	}
	if (!pci)
		ret = ret ? ret : push(&b, "--no-pci");
	ret = ret ? ret : push_words(&b, NULL, cfg->eal_args);
	return ret != 0 ? ret : b.argc;
}
