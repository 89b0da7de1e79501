/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: an INI file read with rte_cfgfile, then --set overrides, then
 * cross-checks. Every key is described once in a table (name, kind, field, range,
 * what a good value looks like); parsing, error messages and the dump all walk it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_config.h>
#include <rte_mempool.h>
#include <rte_string_fns.h>

#include "config_internal.h"
#include "loadgen.h"
#include "mempools.h"

/* rte_cfgfile reads lines into a buffer of this size; longer lines are cut. */
#define LINE_MAX_LEN (CFG_NAME_LEN + CFG_VALUE_LEN)
/* What one lr_config_load() call knows besides the config itself. */
struct load_ctx {
	struct lr_config *cfg;
	char *err;
	size_t errlen;
	const char *origin;              /* file name or "--set", starts every message */
	uint32_t seen[LR_MAX_PORTS];     /* port keys given, bit = index in lr_cfg_port_keys */
	uint32_t vseen[LR_MAX_VLANS];    /* vlan keys given, bit = index in lr_cfg_vlan_keys */
};

static int __rte_format_printf(2, 3)
fail(struct load_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err != NULL && c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "port.N" or "vlan.M": N below max in *idx. @return 1, 0 (other prefix), -1 or -2 */
static int
indexed_section(const char *name, const char *prefix, unsigned int max, unsigned int *idx)
{
	size_t len = strlen(prefix);
	uint64_t n;

	if (strncmp(name, prefix, len) != 0)
		return 0;
	if (!lr_cfg_parse_uint(name + len, UINT32_MAX, &n) ||
			(name[len] == '0' && name[len + 1] != '\0'))
		return -1;
	if (n >= max)
		return -2;
	*idx = n;
	return 1;
}

static int
find_section(const char *name, unsigned int *idx)
{
	int i, r;

	r = indexed_section(name, "port.", LR_MAX_PORTS, idx);
	if (r != 0)
		return r > 0 ? S_PORT : r;
	r = indexed_section(name, "vlan.", LR_MAX_VLANS, idx);
	if (r != 0)
		return r > 0 ? S_VLAN : r - 2;
	for (i = 0; i < S_NB; i++)
		if (i != S_PORT && i != S_VLAN && strcmp(name, lr_cfg_sects[i].name) == 0)
			return i;
	return -1;
}

static int
section_error(struct load_ctx *c, const char *name, int r)
{
	if (r == -2)
		return fail(c, "%s: unknown section [%s] (ports are port.0 .. port.%d)",
			c->origin, name, LR_MAX_PORTS - 1);
	if (r == -4)
		return fail(c, "%s: unknown section [%s] (VLAN interfaces are vlan.0 .. vlan.%d)",
			c->origin, name, LR_MAX_VLANS - 1);
	return fail(c, "%s: unknown section [%s] (known: " SECTIONS_KNOWN ")", c->origin, name);
}

static int
unknown_key(struct load_ctx *c, const char *sname, const struct key_def *keys, const char *key)
{
	char known[512];
	size_t off = 0;
	const struct key_def *k;

	known[0] = '\0';
	for (k = keys; k->name != NULL && off < sizeof(known); k++)
		off += snprintf(known + off, sizeof(known) - off, "%s%s",
			k == keys ? "" : ", ", k->name);
	return fail(c, "%s: [%s] key '%s': unknown key (known: %s)", c->origin, sname, key, known);
}

/* Set one key of one section. */
static int
apply_key(struct load_ctx *c, enum sect_id sid, unsigned int port, const char *sname,
		const char *key, const char *val)
{
	const struct key_def *keys = lr_cfg_sects[sid].keys, *k;
	const char *why = NULL;

	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			break;
	if (k->name == NULL)
		return unknown_key(c, sname, keys, key);
	if (!lr_cfg_parse_value(k, lr_cfg_sect_base(c->cfg, sid, port), val, &why))
		return fail(c, "%s: [%s] %s: bad value '%s': %s", c->origin, sname, key, val,
			why != NULL ? why : lr_cfg_key_expect(k));
	if (sid == S_PORT) {
		c->cfg->ports[port].used = true;
		c->seen[port] |= 1u << (k - keys);
	} else if (sid == S_VLAN) {
		c->cfg->vlans[port].used = true;
		c->vseen[port] |= 1u << (k - keys);
	}
	return 0;
}

static char *
strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * rte_cfgfile silently skips lines it does not understand and cuts long ones; check
 * the syntax first so that every mistake gets a line number.
 */
static int
check_syntax(struct load_ctx *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *s, *eq;
	size_t cap = 0;
	unsigned int lineno = 0;
	bool in_section = false;
	int ret = 0;

	if (f == NULL)
		return fail(c, "%s: cannot read: %s", path, strerror(errno));
	while (ret == 0 && getline(&line, &cap, f) >= 0) {
		lineno++;
		if (strlen(line) >= LINE_MAX_LEN) {
			ret = fail(c, "%s:%u: line longer than %d characters", path, lineno,
				LINE_MAX_LEN - 1);
			break;
		}
		line[strcspn(line, ";")] = '\0';
		s = strip(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			if (s[strlen(s) - 1] != ']' || strlen(s) < 3)
				ret = fail(c, "%s:%u: bad section header '%s': expected [name]",
					path, lineno, s);
			in_section = true;
			continue;
		}
		eq = strchr(s, '=');
		if (!in_section)
			ret = fail(c, "%s:%u: '%s' comes before any [section]", path, lineno, s);
		else if (eq == NULL || eq == s)
			ret = fail(c, "%s:%u: expected 'key = value', '[section]' or a comment "
				"(';' or '#'), got '%s'", path, lineno, s);
		else if (strlen(eq + 1) >= CFG_VALUE_LEN || eq - s >= CFG_NAME_LEN)
			ret = fail(c, "%s:%u: key or value too long", path, lineno);
	}
	if (ret == 0 && ferror(f))
		ret = fail(c, "%s: cannot read: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return ret;
}

static int
load_section(struct load_ctx *c, struct rte_cfgfile *f, int idx, uint64_t *sect_seen)
{
	char name[CFG_NAME_LEN];
	struct rte_cfgfile_entry *e = NULL;
	unsigned int port = 0, bit;
	int n, sid, i, j, ret = 0;

	n = rte_cfgfile_section_num_entries_by_index(f, name, idx);
	if (n < 0)
		return fail(c, "%s: cannot parse section %d", c->origin, idx);
	/* lines before the first section: only '#' comments get past check_syntax() */
	if (idx == 0 && strcmp(name, "GLOBAL") == 0)
		return 0;
	sid = find_section(name, &port);
	if (sid < 0)
		return section_error(c, name, sid);
	bit = sid == S_PORT ? S_NB + port : sid == S_VLAN ? S_NB + LR_MAX_PORTS + port :
			(unsigned int)sid;
	if (*sect_seen & (1ull << bit))
		return fail(c, "%s: section [%s] appears twice (merge them)", c->origin, name);
	*sect_seen |= 1ull << bit;
	if (sid == S_PORT)
		c->cfg->ports[port].used = true;
	else if (sid == S_VLAN)
		c->cfg->vlans[port].used = true;
	if (n == 0)
		return 0;
	e = calloc(n, sizeof(*e));
	if (e == NULL)
		return fail(c, "%s: out of memory", c->origin);
	n = rte_cfgfile_section_entries_by_index(f, idx, name, e, n);
	for (i = 0; i < n && ret == 0; i++) {
		if (e[i].name[0] == '#')
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(e[i].name, e[j].name) == 0)
				break;
		if (j < i)
			ret = fail(c, "%s: [%s] key '%s': given twice (keep one)", c->origin,
				name, e[i].name);
		else
			ret = apply_key(c, sid, port, name, e[i].name, e[i].value);
	}
	free(e);
	return ret;
}

static int
load_file(struct load_ctx *c, const char *path)
{
	struct rte_cfgfile *f;
	uint64_t sect_seen = 0;
	int i, n, ret;

	ret = check_syntax(c, path);
	if (ret != 0)
		return ret;
	f = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES | CFG_FLAG_GLOBAL_SECTION);
	if (f == NULL)
		return fail(c, "%s: cannot parse: rte_cfgfile_load failed", path);
	n = rte_cfgfile_num_sections(f, NULL, 0);
	for (i = 0; i < n && ret == 0; i++)
		ret = load_section(c, f, i, &sect_seen);
	rte_cfgfile_close(f);
	return ret;
}

/* "section.key=value", the section may contain dots: split at the last one. */
static int
apply_set(struct load_ctx *c, const char *set)
{
	char buf[LR_CFG_STR * 2];
	char *eq, *dot, *sname, *key;
	unsigned int port = 0;
	int sid;

	if (strlcpy(buf, set, sizeof(buf)) >= sizeof(buf))
		return fail(c, "--set '%.40s...': too long", set);
	eq = strchr(buf, '=');
	if (eq != NULL)
		*eq = '\0';
	dot = strrchr(buf, '.');
	if (eq == NULL || dot == NULL || dot == buf || dot[1] == '\0')
		return fail(c, "--set '%s': expected section.key=value, e.g. port.0.ip=198.18.0.2/24",
			set);
	*dot = '\0';
	sname = strip(buf);
	key = strip(dot + 1);
	sid = find_section(sname, &port);
	if (sid < 0)
		return section_error(c, sname, sid);
	return apply_key(c, sid, port, sname, key, strip(eq + 1));
}

/* [port.N] ip_count: the range ip .. ip + ip_count - 1 stays inside the subnet, holds
 * neither its broadcast address nor the gateway. */
static int
check_port_range(struct load_ctx *c, unsigned int n)
{
	const struct lr_port_conf *p = &c->cfg->ports[n];
	uint32_t mask = rte_be_to_cpu_32(lr_cfg_prefix_mask(p->prefix_len));
	uint32_t first = rte_be_to_cpu_32(p->ip), last, room;
	char a[16], b[16], g[16];

	if (p->ip_count <= 1)
		return 0;
	/* addresses from ip to the subnet's last host (its broadcast excluded) */
	room = (~mask - (first & ~mask)) + (p->prefix_len > 30 ? 1 : 0);
	last = first + p->ip_count - 1;
	if (p->ip_count > room)
		return fail(c, "%s: [port.%u] ip_count: bad value '%u': %s + %u leaves the "
			"subnet %s/%u%s; expected at most %u addresses from %s, or a shorter "
			"prefix", c->origin, n, p->ip_count, lr_ip_fmt(p->ip, a, sizeof(a)),
			p->ip_count - 1, lr_ip_fmt(rte_cpu_to_be_32(first & mask), b, sizeof(b)),
			p->prefix_len, p->prefix_len <= 30 ? " or takes its broadcast address" :
			"", room, a);
	if (p->gateway != 0 && rte_be_to_cpu_32(p->gateway) >= first &&
			rte_be_to_cpu_32(p->gateway) <= last)
		return fail(c, "%s: [port.%u] ip_count: bad value '%u': the range %s-%s holds the "
			"gateway %s; expected a range that leaves the gateway out (move ip or lower "
			"ip_count)", c->origin, n, p->ip_count, lr_ip_fmt(p->ip, a, sizeof(a)),
			lr_ip_fmt(rte_cpu_to_be_32(last), b, sizeof(b)),
			lr_ip_fmt(p->gateway, g, sizeof(g)));
	return 0;
}

static int
check_port(struct load_ctx *c, unsigned int n)
{
	const struct lr_port_conf *p = &c->cfg->ports[n];
	const struct key_def *k;
	rte_be32_t mask = lr_cfg_prefix_mask(p->prefix_len), host;
	char a[16], b[16], d[16];
	unsigned int m;
	int ret;

	for (k = lr_cfg_port_keys; k->name != NULL; k++)
		if (k->need != NULL && !(c->seen[n] & (1u << (k - lr_cfg_port_keys))))
			return fail(c, "%s: [port.%u] key '%s': missing (required: %s)",
				c->origin, n, k->name, k->need);
	host = p->gateway & ~mask;
	if (p->gateway != 0 && ((p->gateway ^ p->ip) & mask) != 0)
		return fail(c, "%s: [port.%u] gateway: bad value '%s': outside the port's subnet "
			"%s/%u; expected an address inside it, or no gateway", c->origin, n,
			lr_ip_fmt(p->gateway, a, sizeof(a)),
			lr_ip_fmt(p->ip & mask, b, sizeof(b)), p->prefix_len);
	if (p->gateway != 0 && (p->gateway == p->ip ||
			(p->prefix_len <= 30 && (host == 0 || host == ~mask))))
		return fail(c, "%s: [port.%u] gateway: bad value '%s': the port's own, network or "
			"broadcast address; expected another host of the subnet", c->origin, n,
			lr_ip_fmt(p->gateway, a, sizeof(a)));
	ret = check_port_range(c, n);
	if (ret != 0)
		return ret;
	for (m = 0; m < n; m++) {
		const struct lr_port_conf *o = &c->cfg->ports[m];
		uint32_t lo = rte_be_to_cpu_32(p->ip), olo = rte_be_to_cpu_32(o->ip);

		if (!o->used)
			continue;
		if (strcmp(o->device, p->device) == 0)
			return fail(c, "%s: [port.%u] device: bad value '%s': already used by "
				"[port.%u]; expected a distinct device per port", c->origin, n,
				p->device, m);
		if (o->ip == p->ip)
			return fail(c, "%s: [port.%u] ip: bad value '%s/%u': already used by "
				"[port.%u]; expected a distinct address per port", c->origin, n,
				lr_ip_fmt(p->ip, a, sizeof(a)), p->prefix_len, m);
		if (lo < olo + o->ip_count && olo < lo + p->ip_count && p->ip_count == 1)
			return fail(c, "%s: [port.%u] ip: bad value '%s/%u': inside [port.%u]'s "
				"range (ip_count %u from %s); expected an address outside it, or "
				"a lower ip_count there", c->origin, n,
				lr_ip_fmt(p->ip, a, sizeof(a)), p->prefix_len, m, o->ip_count,
				lr_ip_fmt(o->ip, d, sizeof(d)));
		if (lo < olo + o->ip_count && olo < lo + p->ip_count)
			return fail(c, "%s: [port.%u] ip_count: bad value '%u': the range %s-%s "
				"overlaps [port.%u]'s (%u from %s); expected ranges that do not "
				"overlap: move ip or lower ip_count", c->origin, n, p->ip_count,
				lr_ip_fmt(p->ip, a, sizeof(a)),
				lr_ip_fmt(rte_cpu_to_be_32(lo + p->ip_count - 1), b, sizeof(b)), m,
				o->ip_count, lr_ip_fmt(o->ip, d, sizeof(d)));
	}
	return 0;
}

static int
check_lcores(struct load_ctx *c, unsigned int nb_ports)
{
	const struct lr_config *cfg = c->cfg;
	struct lcore_set eal, wrk;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	bool remap = lr_cfg_eal_lcores_remapped(cfg->eal_lcores);
	int main_lcore = cfg->eal_main_lcore;
	unsigned int l;

	lr_cfg_parse_lcores(cfg->worker_lcores, &wrk);
	if (nb_ports > 0 && wrk.count == 0)
		return fail(c, "%s: [worker] key 'lcores': missing (required when a port is "
			"configured: lcores from [eal] lcores other than the main lcore, e.g. 1)",
			c->origin);
	if (wrk.count > LR_MAX_WORKERS)
		return fail(c, "%s: [worker] lcores: bad value '%s': %u workers, at most %d",
			c->origin, cfg->worker_lcores, wrk.count, LR_MAX_WORKERS);
	if (!remap) {
		lr_cfg_parse_lcores(cfg->eal_lcores, &eal);
		for (l = 0; l < RTE_MAX_LCORE; l++)
			if (lr_cfg_lcore_isset(&eal, l) && ncpu > 0 && l >= ncpu)
				return fail(c, "%s: [eal] lcores: lcore %u not available: this "
					"machine has %ld CPUs (0-%ld); use lower lcores or the '@' "
					"syntax, e.g. %u@0", c->origin, l, ncpu, ncpu - 1, l);
		if (main_lcore >= 0 && !lr_cfg_lcore_isset(&eal, main_lcore))
			return fail(c, "%s: [eal] main_lcore: bad value '%d': not in [eal] "
				"lcores '%s'", c->origin, main_lcore, cfg->eal_lcores);
		for (l = 0; main_lcore < 0 && l < RTE_MAX_LCORE; l++)
			if (lr_cfg_lcore_isset(&eal, l))
				main_lcore = l;
	}
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (!lr_cfg_lcore_isset(&wrk, l))
			continue;
		if (!remap && !lr_cfg_lcore_isset(&eal, l))
			return fail(c, "%s: [worker] lcores: lcore %u not available: not in [eal] "
				"lcores '%s' (add it there or pick another)", c->origin, l,
				cfg->eal_lcores);
		if ((int)l == main_lcore)
			return fail(c, "%s: [worker] lcores: lcore %u not available: it is the "
				"main lcore; expected lcores from [eal] lcores '%s' other than %d",
				c->origin, l, cfg->eal_lcores, main_lcore);
	}
	return 0;
}

/* [tcp]: ranges between keys, and one service per port. */
static int
check_tcp(struct load_ctx *c)
{
	const struct lr_config *cfg = c->cfg;
	const struct lr_tcp_conf *t = &cfg->tcp;
	const struct {
		const char *name;
		uint16_t port;
	} svc[] = {
		{ "echo", cfg->tcp_echo_port }, { "discard", cfg->tcp_discard_port },
		{ "chargen", cfg->tcp_chargen_port }, { "http", cfg->tcp_http_port },
	};
	unsigned int i, j;

	if (t->port_lo > t->port_hi)
		return fail(c, "%s: [tcp] port_lo: bad value '%u': above port_hi %u; expected "
			"an ephemeral range port_lo <= port_hi, e.g. 32768..60999", c->origin,
			t->port_lo, t->port_hi);
	if (t->rto_min_ms > t->rto_max_ms)
		return fail(c, "%s: [tcp] rto_min_ms: bad value '%u': above rto_max_ms %u; "
			"expected rto_min_ms <= rto_init_ms <= rto_max_ms", c->origin,
			t->rto_min_ms, t->rto_max_ms);
	if (t->rto_init_ms < t->rto_min_ms || t->rto_init_ms > t->rto_max_ms)
		return fail(c, "%s: [tcp] rto_init_ms: bad value '%u': outside rto_min_ms..rto_max_ms "
			"(%u..%u); expected a value in that range", c->origin, t->rto_init_ms,
			t->rto_min_ms, t->rto_max_ms);
	if (t->rcv_wnd > UINT16_MAX && !t->window_scaling)
		return fail(c, "%s: [tcp] rcv_wnd: bad value '%u': above 65535 without window "
			"scaling; expected at most 65535, or window_scaling = yes", c->origin,
			t->rcv_wnd);
	for (i = 1; i < RTE_DIM(svc); i++)
		for (j = 0; j < i; j++)
			if (svc[i].port != 0 && svc[i].port == svc[j].port)
				return fail(c, "%s: [tcp] %s: bad value '%u': duplicate service "
					"port, %s uses it already; expected another port, or 0 for "
					"off", c->origin, svc[i].name, svc[i].port, svc[j].name);
	return 0;
}

/*
 * Memory model ([app] rx_mbufs, mbufs, mem_*): every RX queue's pool holds what can be
 * out at once, the data pool leaves each worker buffers beyond its cache, the budget
 * fits in the worker's share of the data pool.
 */
static int
check_mem(struct load_ctx *c, unsigned int workers)
{
	const struct lr_config *cfg = c->cfg;
	uint64_t share = lr_mem_share(cfg, (uint16_t)workers);
	uint32_t per_worker = cfg->mbuf_cache * 3 / 2 + LR_MBUFS_SPARE;
	struct lr_rx_need need;
	unsigned int n;

	if ((uint64_t)cfg->mbufs < (uint64_t)workers * per_worker)
		return fail(c, "%s: [app] mbufs: bad value '%u': %u workers each need %u "
			"(mbuf_cache x 1.5 + %u to build packets); expected at least %u",
			c->origin, cfg->mbufs, workers, per_worker, LR_MBUFS_SPARE,
			workers * per_worker);
	if (cfg->mem_low_pct > cfg->mem_pressure_pct)
		return fail(c, "%s: [app] mem_low_pct: bad value '%u': above mem_pressure_pct %u; "
			"expected mem_low_pct <= mem_pressure_pct (e.g. 50 and 70)", c->origin,
			cfg->mem_low_pct, cfg->mem_pressure_pct);
	if (cfg->mem_high != 0 && (cfg->mem_high < LR_MEM_HIGH_MIN || cfg->mem_high > share))
		return fail(c, "%s: [app] mem_high: bad value '%" PRIu64 "': expected bytes "
			"%u..%" PRIu64 " (at most the worker's share of the data pool, [app] "
			"mbufs / %u workers x %u bytes, so held data cannot empty it), or 0 for "
			"auto", c->origin, cfg->mem_high, LR_MEM_HIGH_MIN, share, workers,
			LR_DATA_MBUF_TRUESIZE);
	for (n = 0; cfg->rx_mbufs != 0 && n < LR_MAX_PORTS; n++) {
		if (!cfg->ports[n].used)
			continue;
		if (cfg->rx_mbufs < lr_rx_mbufs_need(cfg, n, cfg->ports[n].rx_desc,
				(uint16_t)workers, lr_steer_sw_possible(cfg, workers), &need))
			return fail(c, "%s: [app] rx_mbufs: bad value '%u': an RX queue of "
				"[port.%u] can have %u mbufs out at once (RX ring %u, TX rings %u, "
				"bursts %u, caches %u, steering %u, fault queues %u); expected at "
				"least %u, or 0 for auto", c->origin, cfg->rx_mbufs, n, need.total,
				need.rx_ring, need.tx_rings, need.bursts, need.caches, need.steer,
				need.fault, need.total);
	}
	return 0;
}

/* Checks that need more than one key. */
static int
validate(struct load_ctx *c)
{
	const struct lr_config *cfg = c->cfg;
	struct lcore_set wrk;
	unsigned int n, nb_ports = 0;
	int ret;

	for (n = 0; n < LR_MAX_PORTS; n++) {
		if (!cfg->ports[n].used)
			continue;
		ret = check_port(c, n);
		if (ret != 0)
			return ret;
		nb_ports++;
	}
	if (cfg->udp_echo_port != 0 && cfg->udp_echo_port == cfg->udp_discard_port)
		return fail(c, "%s: [udp] discard: bad value '%u': duplicate service port, echo "
			"uses it already; expected another port, or 0 for off", c->origin,
			cfg->udp_discard_port);
	ret = lr_cfg_check_vlans(cfg, c->vseen, c->origin, c->err, c->errlen);
	if (ret != 0)
		return ret;
	ret = check_tcp(c);
	if (ret != 0)
		return ret;
	if (cfg->loadgen_spec[0] != '\0') {
		struct lr_loadgen_conf lg;
		char why[256];

		if (lr_loadgen_parse(&lg, cfg->loadgen_spec, why, sizeof(why)) != 0)
			return fail(c, "%s: [loadgen] spec: bad value '%.80s': %s", c->origin,
				cfg->loadgen_spec, why);
	}
	if (cfg->mbuf_cache * 3 / 2 > cfg->mbufs)
		return fail(c, "%s: [app] mbuf_cache: bad value '%u': too large for %u mbufs; "
			"expected at most mbufs / 1.5", c->origin, cfg->mbuf_cache, cfg->mbufs);
	ret = check_lcores(c, nb_ports);
	if (ret != 0)
		return ret;
	lr_cfg_parse_lcores(cfg->worker_lcores, &wrk);
	return check_mem(c, RTE_MAX(wrk.count, 1u));
}

void
lr_config_defaults(struct lr_config *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	strlcpy(cfg->eal_lcores, "0-1", sizeof(cfg->eal_lcores));
	cfg->eal_main_lcore = -1;
	cfg->eal_huge = true;
	strlcpy(cfg->control_socket, "/run/linerate/linerate.sock", sizeof(cfg->control_socket));
	cfg->telemetry = true;
	cfg->capture = true;
	cfg->control_uid = -1;
	cfg->control_gid = -1;
	cfg->mbufs = 8191;
	cfg->mbuf_cache = 256;
	cfg->mem_pressure_pct = 70;
	cfg->mem_low_pct = 50;
	cfg->burst = 32;
	cfg->rx_drain = 4;
	cfg->tx_hold = 512;
	cfg->idle = LR_IDLE_SLEEP;
	cfg->idle_sleep_us = 50;
	for (i = 0; i < LR_MAX_PORTS; i++) {
		cfg->ports[i].mtu = 1500;
		cfg->ports[i].ip_count = 1;
		cfg->ports[i].rx_desc = 1024;
		cfg->ports[i].tx_desc = 1024;
		cfg->ports[i].rx_cksum = LR_OFFLOAD_AUTO;
		cfg->ports[i].tx_cksum = LR_OFFLOAD_AUTO;
	}
	for (i = 0; i < LR_MAX_VLANS; i++)
		cfg->vlans[i].ip_count = 1;
	cfg->arp = lr_arp_conf_default;
	cfg->ip = lr_ip_conf_default;
	cfg->udp_echo_port = 7;
	cfg->udp_discard_port = 9;
	cfg->fault_seed = 1;
	memcpy(&cfg->tcp, &lr_tcp_conf_default, sizeof(cfg->tcp));
	cfg->tcp_echo_port = 7;
	cfg->tcp_discard_port = 9;
	cfg->tcp_chargen_port = 19;
	cfg->tcp_http_port = 80;
	cfg->http_body_size = 128;
	cfg->http_keepalive = true;
	cfg->drain_ms = 5000;
	cfg->svc_idle_timeout_ms = 60000;      /* nginx keepalive_timeout is 75 s */
	cfg->http_header_timeout_ms = 10000;   /* nginx client_header_timeout is 60 s */
	cfg->tcp_echo_cc = LR_CFG_CC_DEFAULT;
	cfg->tcp_discard_cc = LR_CFG_CC_DEFAULT;
	cfg->tcp_chargen_cc = LR_CFG_CC_DEFAULT;
	cfg->tcp_http_cc = LR_CFG_CC_DEFAULT;
	cfg->tcp_echo_ecn = -1;
	cfg->tcp_discard_ecn = -1;
	cfg->tcp_chargen_ecn = -1;
	cfg->tcp_http_ecn = -1;
}

int
lr_config_load(struct lr_config *cfg, const char *path, char *const *sets,
		unsigned int nb_sets, char *err, size_t errlen)
{
	struct load_ctx c = {
		.cfg = cfg, .err = err, .errlen = errlen,
		.origin = path != NULL ? path : "--set",
	};
	char origin[LR_CFG_STR + 16];
	unsigned int i;
	int ret = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	lr_config_defaults(cfg);
	if (path != NULL) {
		strlcpy(cfg->path, path, sizeof(cfg->path));
		ret = load_file(&c, path);
	}
	c.origin = "--set";
	for (i = 0; i < nb_sets && ret == 0; i++)
		ret = apply_set(&c, sets[i]);
	/* cross-checks may involve keys from both: say so */
	if (path != NULL && nb_sets > 0) {
		snprintf(origin, sizeof(origin), "%s + --set", path);
		c.origin = origin;
	} else {
		c.origin = path != NULL ? path : "--set";
	}
	if (ret == 0)
		ret = validate(&c);
	return ret;
}
