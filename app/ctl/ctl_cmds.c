/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands: each is written once against the lr_ctl builders and renders
 * as text or JSON. The same data is offered to DPDK telemetry under /linerate/.
 * Worker state is only read (relaxed loads, seqlock copies), never written.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "ctl_cmds.h"
#include "lr_core.h"
#include "lr_ctl.h"
#include "lr_eth.h"
#include "lr_stats.h"
#include "lr_steer.h"
#include "lr_tcp.h"
#include "lr_version.h"

#define CMD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, lr_logtype_ctl, "ctl: " fmt "\n", ##__VA_ARGS__)

#define TEL_ARP_MAX 64 /* ARP entries in one telemetry reply (16 KiB limit) */

static struct lr_config ctl_cfg;
static bool ctl_cfg_set;

const char *
lr_app_lower(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

unsigned int
lr_app_stats_max(enum lr_app_stats_table t)
{
	return t == LR_APP_STATS_TCP ? LR_TCP_STAT_MAX : LR_STAT_MAX;
}

const struct lr_stat_desc *
lr_app_stats_desc(enum lr_app_stats_table t, unsigned int id)
{
	return t == LR_APP_STATS_TCP ? lr_tcp_stat_desc(id) : lr_stats_desc(id);
}

uint64_t
lr_app_stats_read(enum lr_app_stats_table t, unsigned int i, unsigned int id)
{
	const struct lr_tcp_stats *ts;

	if (t != LR_APP_STATS_TCP)
		return lr_stats_read(i, id);
	ts = lr_tcp_stats_get(&lr_workers[i]);
	return ts != NULL ? lr_app_load64(&ts->v[id]) : 0;
}

/* True if layer names a layer of LR_STATS_TABLE. */
static bool
stats_layer_known(const char *layer)
{
	unsigned int id;

	if (strcmp(layer, "tcp") == 0 || strcmp(layer, "services") == 0)
		return true;
	for (id = 0; id < LR_STAT_MAX; id++)
		if (strcmp(lr_stats_desc(id)->layer, layer) == 0)
			return true;
	return false;
}

static void
stats_layer_list(char *buf, size_t len)
{
	const char *prev = "";
	unsigned int id;
	size_t off = 0;

	buf[0] = '\0';
	for (id = 0; id < LR_STAT_MAX && off < len; id++) {
		const char *layer = lr_stats_desc(id)->layer;

		if (strcmp(layer, prev) == 0)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? " " : "", layer);
		prev = layer;
	}
	if (off < len)
		snprintf(buf + off, len - off, " tcp services");
}

/* The appliance's mbuf pools: in use now and available, to see leaks. */
static int
stats_mempools(bool json, struct lr_ctl_buf *out)
{
	static const char *const pools[] = {"lr_pool", "lr_indirect"};
	struct lr_ctl_kv kv;
	unsigned int i;
	int ret = 0;

	ret |= lr_ctl_section_begin(out, json, "mempool");
	for (i = 0; i < RTE_DIM(pools); i++) {
		struct rte_mempool *mp = rte_mempool_lookup(pools[i]);

		if (mp == NULL)
			continue;
		ret |= lr_ctl_kv_begin(&kv, out, json, i == 0 ? NULL : "indirect");
		ret |= lr_ctl_kv_u64(&kv, "in_use", rte_mempool_in_use_count(mp));
		ret |= lr_ctl_kv_u64(&kv, "avail", rte_mempool_avail_count(mp));
		ret |= lr_ctl_kv_u64(&kv, "size", mp->size);
		ret |= lr_ctl_kv_end(&kv);
	}
	ret |= lr_ctl_section_end(out, json);
	return ret;
}

/*
 * stats [LAYER]: every counter summed over the workers, grouped by layer like
 * `netstat -s`; drop reasons are marked.
 */
static int
cmd_stats(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	uint64_t val[LR_STAT_MAX];
	const char *cur = NULL;
	char name[64], layers[160];
	unsigned int id, width = 1;
	int ret = 0;

	if (argc > 2)
		return lr_ctl_errorf(out, "usage: stats [LAYER]");
	if (filter != NULL && !stats_layer_known(filter)) {
		stats_layer_list(layers, sizeof(layers));
		return lr_ctl_errorf(out, "unknown layer '%.32s' (layers: %s)", filter, layers);
	}
	for (id = 0; id < LR_STAT_MAX; id++) {
		val[id] = lr_stats_sum(id, lr_nb_workers);
		width = RTE_MAX(width, (unsigned int)snprintf(NULL, 0, "%" PRIu64, val[id]));
	}
	for (id = 0; id < LR_STAT_MAX; id++) {
		const struct lr_stat_desc *d = lr_stats_desc(id);

		if (filter != NULL && strcmp(d->layer, filter) != 0)
			continue;
		if (cur == NULL || strcmp(cur, d->layer) != 0) {
			if (cur != NULL)
				ret |= lr_ctl_section_end(out, json);
			ret |= lr_ctl_section_begin(out, json, d->layer);
			cur = d->layer;
		}
		if (json)
			ret |= lr_ctl_json_u64(out, lr_app_lower(d->name, name, sizeof(name)),
					val[id]);
		else
			ret |= lr_ctl_buf_printf(out, "%*s%*" PRIu64 "  %s%s\n",
					(int)out->indent, "", (int)width, val[id], d->desc,
					d->kind == LR_STAT_KIND_DROP ? "  [drop]" : "");
	}
	if (cur != NULL)
		ret |= lr_ctl_section_end(out, json);
	if (filter == NULL || strcmp(filter, "tcp") == 0 || strcmp(filter, "services") == 0)
		ret |= lr_app_ctl_stats_tcp(filter, json, out);
	if (filter == NULL)
		ret |= stats_mempools(json, out);
	return ret ? -ENOMEM : 0;
}

/* The ethdev counters of `ports` and /linerate/ports, in order. */
static const struct {
	const char *name;
	size_t off;
} eth_stats[] = {
#define ETH_STAT(f) { #f, offsetof(struct rte_eth_stats, f) }
	ETH_STAT(ipackets), ETH_STAT(opackets), ETH_STAT(ibytes), ETH_STAT(obytes),
	ETH_STAT(ierrors), ETH_STAT(oerrors), ETH_STAT(imissed), ETH_STAT(rx_nombuf),
#undef ETH_STAT
};

static uint64_t
eth_stat(const struct rte_eth_stats *st, unsigned int k)
{
	return *(const uint64_t *)RTE_PTR_ADD(st, eth_stats[k].off);
}

static void
iface_addr(const struct lr_iface *ifc, char *buf, size_t len)
{
	char ip[16];

	lr_ip_fmt(ifc->ip, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, ifc->prefix_len);
}

static void
port_xstats(uint16_t port, bool json, struct lr_ctl_buf *out)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	struct lr_ctl_kv kv;
	int n, i;

	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		return;
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names == NULL || xs == NULL || rte_eth_xstats_get_names(port, names, n) != n ||
			rte_eth_xstats_get(port, xs, n) != n)
		goto out;
	for (i = 0; i < n && xs[i].value == 0; i++)
		;
	/* text shows no empty heading; JSON always has the member */
	if (i == n && !json)
		goto out;
	lr_ctl_kv_begin(&kv, out, json, "xstats");
	for (i = 0; i < n; i++)
		if (xs[i].value != 0 && xs[i].id < (uint64_t)n)
			lr_ctl_kv_u64(&kv, names[xs[i].id].name, xs[i].value);
	lr_ctl_kv_end(&kv);
out:
	free(names);
	free(xs);
}

/* The port's VLAN interfaces besides its own, one block each ("vlan 100"). */
static int
port_vlans(const struct lr_iface *port, bool json, struct lr_ctl_buf *out)
{
	char name[16], addr[32], gw[16];
	struct lr_ctl_kv kv;
	unsigned int i;
	int ret = 0;

	for (i = LR_MAX_PORTS; i < lr_iface_end && ret == 0; i++) {
		const struct lr_iface *ifc = lr_iface_at(i);

		if (ifc == NULL || ifc->port_id != port->port_id)
			continue;
		snprintf(name, sizeof(name), "vlan %u", ifc->vlan_id);
		lr_ctl_kv_begin(&kv, out, json, name);
		iface_addr(ifc, addr, sizeof(addr));
		lr_ctl_kv_str(&kv, "ip", "%s", addr);
		lr_ctl_kv_u64(&kv, "ip_count", RTE_MAX(ifc->ip_count, 1u));
		lr_ctl_kv_str(&kv, "gateway", "%s", ifc->gateway ? lr_ip_fmt(ifc->gateway, gw,
				sizeof(gw)) : "-");
		ret = lr_ctl_kv_end(&kv);
	}
	return ret;
}

static int
port_show(const struct lr_iface *ifc, bool json, struct lr_ctl_buf *out)
{
	char title[32], addr[32], gw[16], mac[RTE_ETHER_ADDR_FMT_SIZE];
	char link[RTE_ETH_LINK_MAX_STR_LEN];
	struct rte_eth_link lk;
	struct rte_eth_stats st;
	struct lr_ctl_kv kv;
	bool dev = rte_eth_dev_is_valid_port(ifc->port_id) != 0;
	unsigned int k;
	int ret;

	snprintf(title, sizeof(title), "port %u", ifc->port_id);
	lr_ctl_section_begin(out, json, json ? NULL : title);
	lr_ctl_kv_begin(&kv, out, json, NULL);
	lr_ctl_kv_u64(&kv, "port", ifc->port_id);
	rte_ether_format_addr(mac, sizeof(mac), &ifc->mac);
	lr_ctl_kv_str(&kv, "mac", "%s", mac);
	iface_addr(ifc, addr, sizeof(addr));
	lr_ctl_kv_str(&kv, "ip", "%s", addr);
	lr_ctl_kv_u64(&kv, "ip_count", RTE_MAX(ifc->ip_count, 1u));
	lr_ctl_kv_str(&kv, "gateway", "%s", ifc->gateway ? lr_ip_fmt(ifc->gateway, gw,
			sizeof(gw)) : "-");
	lr_ctl_kv_u64(&kv, "mtu", ifc->mtu);
	lr_ctl_kv_str(&kv, "steering", "%s", lr_steer_mode_names[lr_steer_port_mode(ifc->port_id)]);
	lr_ctl_kv_u64(&kv, "vlan", ifc->vlan_id);	/* 0: untagged */
	lr_ctl_kv_str(&kv, "vlan_offload", "strip %s, insert %s", ifc->rx_vlan_strip ? "hw" : "sw",
			ifc->tx_vlan_insert ? "hw" : "sw");
	if (dev && rte_eth_link_get_nowait(ifc->port_id, &lk) == 0 &&
			rte_eth_link_to_str(link, sizeof(link), &lk) > 0)
		lr_ctl_kv_str(&kv, "link", "%s", link);
	if (dev && rte_eth_stats_get(ifc->port_id, &st) == 0)
		for (k = 0; k < RTE_DIM(eth_stats); k++)
			lr_ctl_kv_u64(&kv, eth_stats[k].name, eth_stat(&st, k));
	ret = lr_ctl_kv_end(&kv);
	if (ret == 0)
		ret = port_vlans(ifc, json, out);
	if (dev)
		port_xstats(ifc->port_id, json, out);
	lr_ctl_section_end(out, json);
	return ret;
}

/* ports: addresses, ethdev stats and non-zero xstats of every interface. */
static int
cmd_ports(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	unsigned int i;
	int ret = 0;

	RTE_SET_USED(argv);
	if (argc > 1)
		return lr_ctl_errorf(out, "usage: ports");
	if (json)
		lr_ctl_json_arr_open(out, NULL);
	for (i = 0; i < LR_MAX_PORTS; i++) {
		const struct lr_iface *ifc = lr_iface_get(i);

		if (ifc != NULL && ret == 0)
			ret = port_show(ifc, json, out);
	}
	return ret;
}

static const char *
arp_state_name(enum lr_arp_state s)
{
	switch (s) {
	case LR_ARP_INCOMPLETE:
		return "incomplete";
	case LR_ARP_REACHABLE:
		return "reachable";
	case LR_ARP_STALE:
		return "stale";
	case LR_ARP_DELAY:
		return "delay";
	case LR_ARP_PROBE:
		return "probe";
	}
	return "unknown";
}

static int64_t
arp_expires_ms(const struct lr_arp_entry_info *e, uint64_t now_us)
{
	return (int64_t)(e->expires_us - now_us) / 1000;
}

struct arp_walk_ctx {
	struct lr_ctl_table *t;
	uint64_t now_us;
};

static int
arp_row(const struct lr_arp_entry_info *e, void *arg)
{
	struct arp_walk_ctx *ctx = arg;
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &e->mac);
	lr_ctl_table_cell(ctx->t, "%s", lr_ip_fmt(e->ip, ip, sizeof(ip)));
	lr_ctl_table_cell(ctx->t, "%s", e->state != LR_ARP_INCOMPLETE ? mac : "-");
	lr_ctl_table_cell(ctx->t, "%s", arp_state_name(e->state));
	lr_ctl_table_u64(ctx->t, e->port_id);
	lr_ctl_table_u64(ctx->t, e->vlan_id);
	lr_ctl_table_cell(ctx->t, "%" PRId64, arp_expires_ms(e, ctx->now_us));
	lr_ctl_table_u64(ctx->t, e->pending);
	lr_ctl_table_u64(ctx->t, e->worker);
	return 0;
}

/* arp: every entry of every worker's cache. */
static int
cmd_arp(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const struct lr_ctl_col cols[] = {
		{ "ip", LR_CTL_COL_STR }, { "mac", LR_CTL_COL_STR },
		{ "state", LR_CTL_COL_STR }, { "port", LR_CTL_COL_NUM },
		{ "vlan", LR_CTL_COL_NUM },
		{ "expires_ms", LR_CTL_COL_NUM }, { "pending", LR_CTL_COL_NUM },
		{ "worker", LR_CTL_COL_NUM },
	};
	struct lr_ctl_table t;
	struct arp_walk_ctx ctx = { .t = &t, .now_us = lr_clock_us() };
	unsigned int i;

	RTE_SET_USED(argv);
	if (argc > 1)
		return lr_ctl_errorf(out, "usage: arp");
	lr_ctl_table_begin(&t, out, json, NULL, cols, RTE_DIM(cols));
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++)
		lr_arp_walk(&lr_workers[i], arp_row, &ctx);
	return lr_ctl_table_end(&t);
}

/* Trim spaces at both ends of s in place. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* JSON form of an INI text: {"section": {"key": "value", ...}, ...}. */
static int
ini_to_json(char *text, struct lr_ctl_buf *out)
{
	char *save = NULL, *line, *eq;
	bool in_section = false;
	int ret = 0;

	ret |= lr_ctl_json_obj_open(out, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		line = trim(line);
		if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[' && line[strlen(line) - 1] == ']') {
			line[strlen(line) - 1] = '\0';
			if (in_section)
				ret |= lr_ctl_json_close(out);
			ret |= lr_ctl_json_obj_open(out, trim(line + 1));
			in_section = true;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		ret |= lr_ctl_json_str(out, trim(line), trim(eq + 1));
	}
	ret |= lr_ctl_json_finish(out);
	return ret ? -ENOMEM : 0;
}

/* config: the effective configuration (lr_config_dump). */
static int
cmd_config(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;
	int ret;

	RTE_SET_USED(argv);
	if (argc > 1)
		return lr_ctl_errorf(out, "usage: config");
	if (!ctl_cfg_set)
		return lr_ctl_errorf(out, "no configuration loaded");
	f = open_memstream(&text, &size);
	if (f == NULL)
		return -errno;
	lr_config_dump(&ctl_cfg, f);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	if (json)
		ret = ini_to_json(text, out);
	else
		ret = lr_ctl_buf_append(out, text, size);
	free(text);
	return ret;
}

/* version: linerate and DPDK versions. */
static int
cmd_version(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	struct lr_ctl_kv kv;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	lr_ctl_kv_begin(&kv, out, json, NULL);
	lr_ctl_kv_str(&kv, "linerate", "%s", LR_VERSION);
	lr_ctl_kv_str(&kv, "dpdk", "%s", rte_version());
	return lr_ctl_kv_end(&kv);
}

/*
 * DPDK telemetry: the same data under /linerate/. DPDK 22.11 only nests dicts in
 * dicts, so per-port, per-worker and ARP entries are keyed by their number.
 */

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *layer = NULL;
	const char *cur = NULL;
	char name[64];
	unsigned int id;

	RTE_SET_USED(cmd);
	if (params != NULL && params[0] != '\0' && !stats_layer_known(params))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (id = 0; id < LR_STAT_MAX; id++) {
		const struct lr_stat_desc *desc = lr_stats_desc(id);

		if (params != NULL && params[0] != '\0' && strcmp(desc->layer, params) != 0)
			continue;
		if (cur == NULL || strcmp(cur, desc->layer) != 0) {
			if (layer != NULL && rte_tel_data_add_dict_container(d, cur, layer, 0) < 0)
				rte_tel_data_free(layer);
			layer = rte_tel_data_alloc();
			if (layer == NULL)
				return -ENOMEM;
			rte_tel_data_start_dict(layer);
			cur = desc->layer;
		}
		rte_tel_data_add_dict_u64(layer, lr_app_lower(desc->name, name, sizeof(name)),
				lr_stats_sum(id, lr_nb_workers));
	}
	if (layer != NULL && rte_tel_data_add_dict_container(d, cur, layer, 0) < 0)
		rte_tel_data_free(layer);
	if (params == NULL || params[0] == '\0' || strcmp(params, "tcp") == 0)
		lr_app_tel_stats_tcp(d);
	return 0;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char addr[32], mac[RTE_ETHER_ADDR_FMT_SIZE], key[16];
	struct rte_tel_data *p;
	struct rte_eth_stats st;
	unsigned int i, k;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < LR_MAX_PORTS; i++) {
		const struct lr_iface *ifc = lr_iface_get(i);

		if (ifc == NULL)
			continue;
		p = rte_tel_data_alloc();
		if (p == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_int(p, "port", ifc->port_id);
		rte_ether_format_addr(mac, sizeof(mac), &ifc->mac);
		rte_tel_data_add_dict_string(p, "mac", mac);
		iface_addr(ifc, addr, sizeof(addr));
		rte_tel_data_add_dict_string(p, "ip", addr);
		rte_tel_data_add_dict_int(p, "mtu", ifc->mtu);
		if (rte_eth_dev_is_valid_port(ifc->port_id) &&
				rte_eth_stats_get(ifc->port_id, &st) == 0)
			for (k = 0; k < RTE_DIM(eth_stats); k++)
				rte_tel_data_add_dict_u64(p, eth_stats[k].name, eth_stat(&st, k));
		snprintf(key, sizeof(key), "%u", ifc->port_id);
		if (rte_tel_data_add_dict_container(d, key, p, 0) < 0)
			rte_tel_data_free(p);
	}
	return 0;
}

struct tel_arp_ctx {
	struct rte_tel_data *d;
	uint64_t now_us;
	unsigned int n;
};

static int
tel_arp_entry(const struct lr_arp_entry_info *e, void *arg)
{
	struct tel_arp_ctx *ctx = arg;
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE], key[16];
	struct rte_tel_data *a;

	if (ctx->n >= TEL_ARP_MAX)
		return 1;
	a = rte_tel_data_alloc();
	if (a == NULL)
		return -ENOMEM;
	rte_ether_format_addr(mac, sizeof(mac), &e->mac);
	rte_tel_data_start_dict(a);
	rte_tel_data_add_dict_string(a, "ip", lr_ip_fmt(e->ip, ip, sizeof(ip)));
	rte_tel_data_add_dict_string(a, "mac", e->state != LR_ARP_INCOMPLETE ? mac : "-");
	rte_tel_data_add_dict_string(a, "state", arp_state_name(e->state));
	rte_tel_data_add_dict_int(a, "port", e->port_id);
	rte_tel_data_add_dict_int(a, "vlan", e->vlan_id);
	rte_tel_data_add_dict_int(a, "expires_ms", (int)arp_expires_ms(e, ctx->now_us));
	rte_tel_data_add_dict_int(a, "pending", (int)e->pending);
	rte_tel_data_add_dict_int(a, "worker", e->worker);
	snprintf(key, sizeof(key), "%u", ctx->n);
	if (rte_tel_data_add_dict_container(ctx->d, key, a, 0) < 0)
		rte_tel_data_free(a);
	ctx->n++;
	return 0;
}

static int
tel_arp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_arp_ctx ctx = { .d = d, .now_us = lr_clock_us() };
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS && ctx.n < TEL_ARP_MAX; i++)
		lr_arp_walk(&lr_workers[i], tel_arp_entry, &ctx);
	return 0;
}

static int
tel_version(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "linerate", LR_VERSION);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	return 0;
}

/*
 * DPDK's telemetry thread runs until the process exits (22.11 can neither stop it nor
 * unregister a command), so every /linerate/ command enters through tel_dispatch(),
 * which refuses once lr_app_ctl_stop() closed the gate and lets lr_app_ctl_stop() wait
 * for the calls in flight: nothing reads worker state after teardown() frees it.
 */
static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} tel_cmds[] = {
	{ "/linerate/stats", tel_stats,
		"linerate counters summed over workers. Parameters: optional layer" },
	{ "/linerate/ports", tel_ports, "linerate interfaces and port counters" },
	{ "/linerate/cores", lr_app_tel_cores, "linerate worker poll loop accounting" },
	{ "/linerate/arp", tel_arp, "linerate ARP caches (first 64 entries)" },
	{ "/linerate/conns", lr_app_tel_conns,
		"linerate TCP listeners and connections (first 64)" },
	{ "/linerate/version", tel_version, "linerate and DPDK versions" },
	{ "/linerate/mem", lr_app_tel_mem, "linerate memory budget per worker and mempools" },
};
static int tel_inflight;      /* telemetry calls running (seq_cst with tel_closed) */
static bool tel_closed;       /* set by lr_app_ctl_stop(): no new calls */

static int
tel_dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;
	int ret = -ENOENT;

	__atomic_add_fetch(&tel_inflight, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&tel_closed, __ATOMIC_SEQ_CST)) {
		ret = -ESHUTDOWN;
		goto out;
	}
	for (i = 0; i < RTE_DIM(tel_cmds); i++)
		if (strcmp(cmd, tel_cmds[i].cmd) == 0) {
			ret = tel_cmds[i].fn(cmd, params, d);
			break;
		}
out:
	__atomic_sub_fetch(&tel_inflight, 1, __ATOMIC_SEQ_CST);
	return ret;
}

static int
telemetry_register(void)
{
	static bool done;
	unsigned int i;
	int ret;

	__atomic_store_n(&tel_closed, false, __ATOMIC_SEQ_CST);
	if (done)
		return 0;
	for (i = 0; i < RTE_DIM(tel_cmds); i++) {
		ret = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_dispatch, tel_cmds[i].help);
		if (ret < 0) {
			CMD_LOG(ERR, "telemetry command %s: %s", tel_cmds[i].cmd, strerror(-ret));
			return ret;
		}
	}
	done = true;
	return 0;
}

int
lr_app_ctl_register(const struct lr_config *cfg)
{
	static const struct {
		const char *name;
		lr_ctl_handler_t fn;
		const char *help;
	} cmds[] = {
		{ "stats", cmd_stats, "counters and drop reasons by layer [LAYER]" },
		{ "ports", cmd_ports, "interfaces, port counters and non-zero xstats" },
		{ "arp", cmd_arp, "ARP cache entries of every worker" },
		{ "config", cmd_config, "effective configuration" },
		{ "version", cmd_version, "linerate and DPDK versions" },
	};
	unsigned int i;
	int ret;

	if (cfg != NULL) {
		ctl_cfg = *cfg;
		ctl_cfg_set = true;
	}
	for (i = 0; i < RTE_DIM(cmds); i++) {
		ret = lr_ctl_register(cmds[i].name, cmds[i].help, cmds[i].fn);
		if (ret < 0 && ret != -EEXIST) {
			CMD_LOG(ERR, "command %s: %s", cmds[i].name, strerror(-ret));
			return ret;
		}
	}
	ret = lr_app_ctl_cores_register();
	if (ret == 0)
		ret = lr_app_ctl_tcp_register();
	if (ret < 0)
		CMD_LOG(ERR, "TCP commands: %s", strerror(-ret));
	if (ret == 0)
		ret = lr_app_ctl_mem_register();
	if (ret < 0)
		CMD_LOG(ERR, "memory commands: %s", strerror(-ret));
	if (ret == 0) {
		ret = lr_app_ctl_sample_register();
		if (ret == -EEXIST)
			ret = 0;
		if (ret < 0)
			CMD_LOG(ERR, "sample: %s", strerror(-ret));
	}
	if (ret == 0) {
		ret = lr_app_ctl_metrics_register();
		if (ret < 0)
			CMD_LOG(ERR, "metrics: %s", strerror(-ret));
	}
	return ret;
}

int
lr_app_ctl_start(const struct lr_config *cfg)
{
	int ret;

	ret = lr_app_ctl_register(cfg);
	if (ret < 0)
		return ret;
	if (cfg->telemetry) {
		ret = telemetry_register();
		if (ret < 0)
			return ret;
	}
	if (cfg->control_socket[0] == '\0') {
		CMD_LOG(INFO, "control socket disabled");
		/* the control thread still serves [app] metrics when it is open */
		return cfg->metrics[0] != '\0' ? lr_ctl_start(NULL) : 0;
	}
	lr_ctl_set_access(cfg->control_uid, cfg->control_gid);
	return lr_ctl_start(cfg->control_socket);
}

void
lr_app_ctl_stop(void)
{
	lr_ctl_stop();          /* joins the control socket thread */
	__atomic_store_n(&tel_closed, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&tel_inflight, __ATOMIC_SEQ_CST) != 0)
		usleep(1000);
}

int
lr_app_tel_call(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_dispatch(cmd, params, d);
}
