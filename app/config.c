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

#include "config.h"

/* rte_cfgfile reads lines into a buffer of this size; longer lines are cut. */
#define LINE_MAX_LEN (CFG_NAME_LEN + CFG_VALUE_LEN)
#define SUN_PATH_MAX (RTE_SIZEOF_FIELD(struct sockaddr_un, sun_path) - 1)
#define SECTIONS_KNOWN "eal, app, worker, port.N, arp, ip, icmp, udp"

enum key_kind {
	K_STR,      /**< string, k->max = longest length */
	K_LCORES,   /**< strict lcore list "1,3-4" (may be empty) */
	K_EAL_LCORES, /**< EAL -l/--lcores value, '@' remapping allowed */
	K_DEVICE,   /**< net_* vdev string or PCI address with devargs */
	K_BOOL,
	K_UINT,     /**< unsigned of k->size bytes in [min, max] */
	K_INT,      /**< int in [min, max] */
	K_IDLE,     /**< enum lr_idle_policy */
	K_OFFLOAD,  /**< enum lr_offload_mode */
	K_PREFIX,   /**< port ip + prefix_len */
	K_IPV4,     /**< rte_be32_t, 0 = none */
	K_MAC,      /**< port mac + has_mac */
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

#define KEY(t, key, kind, field, lo, hi, fl, exp) \
	{ key, kind, fl, offsetof(t, field), RTE_SIZEOF_FIELD(t, field), lo, hi, exp, NULL }
#define KEYR(t, key, kind, field, fl, exp, need) \
	{ key, kind, fl, offsetof(t, field), RTE_SIZEOF_FIELD(t, field), 0, LR_CFG_STR - 1, exp, \
		need }
#define KEY_END { NULL, K_STR, 0, 0, 0, 0, 0, NULL, NULL }

#define C struct lr_config
#define P struct lr_port_conf
#define A struct lr_arp_conf
#define I struct lr_ip_conf
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
	KEY(C, "mbufs", K_UINT, mbufs, 512, 1 << 24, 0, "expected a count 512..16777216, e.g. 8191"),
	KEY(C, "mbuf_cache", K_UINT, mbuf_cache, 0, RTE_MEMPOOL_CACHE_MAX_SIZE, 0,
		"expected a count 0..512"),
	KEY_END,
};

static const struct key_def worker_keys[] = {
	KEY(C, "lcores", K_LCORES, worker_lcores, 0, LR_CFG_STR - 1, 0,
		"expected an lcore list like 1 or 1,3 or 2-3"),
	KEY(C, "burst", K_UINT, burst, 1, LR_BURST_MAX, 0, "expected a packet count 1..64"),
	KEY(C, "idle", K_IDLE, idle, 0, 0, 0, "expected poll, pause or sleep"),
	KEY(C, "idle_sleep_us", K_UINT, idle_sleep_us, 0, 1000000, 0,
		"expected microseconds 0..1000000"),
	KEY_END,
};

static const struct key_def port_keys[] = {
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
	KEY(P, "rx_desc", K_UINT, rx_desc, 64, 4096, F_POW2,
		"expected a power of two 64..4096"),
	KEY(P, "tx_desc", K_UINT, tx_desc, 64, 4096, F_POW2,
		"expected a power of two 64..4096"),
	KEY(P, "promiscuous", K_BOOL, promiscuous, 0, 0, 0, NULL),
	KEY(P, "rx_cksum", K_OFFLOAD, rx_cksum, 0, 0, 0, "expected auto, on or off"),
	KEY(P, "tx_cksum", K_OFFLOAD, tx_cksum, 0, 0, 0, "expected auto, on or off"),
	KEY_END,
};

static const struct key_def arp_keys[] = {
	KEY(A, "table_size", K_UINT, table_size, 1, 1 << 20, 0, "expected entries 1..1048576"),
	KEY(A, "timeout_ms", K_UINT, timeout_ms, 1, 86400000, 0,
		"expected milliseconds 1..86400000"),
	KEY(A, "retry_ms", K_UINT, retry_ms, 1, 3600000, 0, "expected milliseconds 1..3600000"),
	KEY(A, "retries", K_UINT, retries, 1, 100, 0, "expected a count 1..100"),
	KEY(A, "pending_max", K_UINT, pending_max, 1, 4096, 0, "expected packets 1..4096"),
	KEY_END,
};

static const struct key_def ip_keys[] = {
	KEY(I, "ttl", K_UINT, ttl, 1, 255, 0, "expected a TTL 1..255"),
	KEY(I, "frag_max_flows", K_UINT, frag_max_flows, 1, 1 << 20, 0,
		"expected datagrams 1..1048576"),
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

#undef C
#undef P
#undef A
#undef I

enum sect_id { S_EAL, S_APP, S_WORKER, S_PORT, S_ARP, S_IP, S_ICMP, S_UDP, S_NB };

static const struct {
	const char *name;
	const struct key_def *keys;
} sects[S_NB] = {
	[S_EAL] = { "eal", eal_keys },
	[S_APP] = { "app", app_keys },
	[S_WORKER] = { "worker", worker_keys },
	[S_PORT] = { "port.N", port_keys },
	[S_ARP] = { "arp", arp_keys },
	[S_IP] = { "ip", ip_keys },
	[S_ICMP] = { "icmp", icmp_keys },
	[S_UDP] = { "udp", udp_keys },
};

/* What one lr_config_load() call knows besides the config itself. */
struct load_ctx {
	struct lr_config *cfg;
	char *err;
	size_t errlen;
	const char *origin;              /* file name or "--set", starts every message */
	uint32_t seen[LR_MAX_PORTS];     /* port keys given, bit = index in port_keys */
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

struct lcore_set {
	uint64_t bits[(RTE_MAX_LCORE + 63) / 64];
	unsigned int count;
};

static bool
lcore_isset(const struct lcore_set *s, unsigned int l)
{
	return l < RTE_MAX_LCORE && (s->bits[l / 64] >> (l % 64)) & 1;
}

static bool
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* Strict "a,b-c" list of lcore ids; "" is an empty set. No lcore may appear twice. */
static int
parse_lcores(const char *s, struct lcore_set *set)
{
	char *end;
	unsigned long lo, hi, l;

	memset(set, 0, sizeof(*set));
	if (*s == '\0')
		return 0;
	for (;;) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		lo = strtoul(s, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi >= RTE_MAX_LCORE || (*end != ',' && *end != '\0'))
			return -EINVAL;
		for (l = lo; l <= hi; l++) {
			if (lcore_isset(set, l))
				return -EINVAL;
			set->bits[l / 64] |= UINT64_C(1) << (l % 64);
			set->count++;
		}
		if (*end == '\0')
			return 0;
		s = end + 1;
	}
}

static bool
eal_lcores_remapped(const char *s)
{
	return strpbrk(s, "@()") != NULL;
}

static bool
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*out = strcasecmp(s, yes[i]) == 0;
			return true;
		}
	}
	return false;
}

static bool
parse_ipv4(const char *s, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = a.s_addr;
	return true;
}

static rte_be32_t
prefix_mask(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : UINT32_MAX << (32 - len));
}

/* "a.b.c.d/len" into the port; *why explains a well-formed but unusable address. */
static bool
parse_prefix(const char *s, struct lr_port_conf *p, const char **why)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t len;
	rte_be32_t ip, mask;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (!parse_ipv4(buf, &ip) || !parse_uint(slash + 1, 32, &len) || len == 0)
		return false;
	mask = prefix_mask(len);
	if (lr_ip_is_martian_src(ip)) {
		*why = "not a unicast address; expected a host address like 198.18.0.2/24";
		return false;
	}
	if (len <= 30 && ((ip & ~mask) == 0 || (ip & ~mask) == ~mask)) {
		*why = "the subnet's network or broadcast address; "
			"expected a host address like 198.18.0.2/24";
		return false;
	}
	p->ip = ip;
	p->prefix_len = len;
	return true;
}

static bool
parse_mac(const char *s, struct lr_port_conf *p, const char **why)
{
	struct rte_ether_addr mac;
	uint8_t *b = mac.addr_bytes;
	int end = -1;

	if (sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n",
			&b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
			end != 17 || s[end] != '\0')
		return false;
	if (!rte_is_unicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac)) {
		*why = "not a unicast address; expected a MAC like 02:4c:52:00:00:02";
		return false;
	}
	p->mac = mac;
	p->has_mac = true;
	return true;
}

/* A PCI address (DDDD:BB:DD.F or BB:DD.F), optionally followed by ",devargs". */
static bool
is_pci_device(const char *dev)
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

static bool
check_str(const struct key_def *k, const char *s)
{
	size_t len = strlen(s), i;

	if (len > (size_t)k->max || len >= k->size)
		return false;
	if ((k->flags & F_NONEMPTY) && len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (iscntrl((unsigned char)s[i]) || s[i] == ';')
			return false;
		if ((k->flags & F_NOSPACE) && isspace((unsigned char)s[i]))
			return false;
	}
	if ((k->flags & F_NOSLASH) && strchr(s, '/') != NULL)
		return false;
	return true;
}

static bool
parse_enum(const char *s, const char *const *names, unsigned int n, int *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

static const char *const idle_names[] = { "poll", "pause", "sleep" };
static const char *const offload_names[] = { "auto", "on", "off" };

static void
store_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)field = v;
		break;
	case 2:
		*(uint16_t *)field = v;
		break;
	default:
		*(uint32_t *)field = v;
		break;
	}
}

/* Parse s into the key's field under base. @return true, or false with *why maybe set. */
static bool
parse_value(const struct key_def *k, void *base, const char *s, const char **why)
{
	void *field = RTE_PTR_ADD(base, k->off);
	struct lcore_set set;
	uint64_t u;
	int e;

	switch (k->kind) {
	case K_STR:
		break;
	case K_LCORES:
		if (parse_lcores(s, &set) != 0)
			return false;
		break;
	case K_EAL_LCORES:
		if (s[strspn(s, "0123456789,-@()")] != '\0' ||
				(!eal_lcores_remapped(s) && parse_lcores(s, &set) != 0))
			return false;
		break;
	case K_DEVICE:
		if (strncmp(s, "net_", 4) != 0 && !is_pci_device(s))
			return false;
		break;
	case K_BOOL:
		return parse_bool(s, field);
	case K_UINT:
		if (!parse_uint(s, k->max, &u) || (int64_t)u < k->min)
			return false;
		if ((k->flags & F_POW2) && !rte_is_power_of_2(u))
			return false;
		store_uint(field, k->size, u);
		return true;
	case K_INT:
		if (strcmp(s, "-1") == 0 && k->min == -1)
			u = UINT64_MAX;
		else if (!parse_uint(s, k->max, &u))
			return false;
		*(int *)field = u == UINT64_MAX ? -1 : (int)u;
		return true;
	case K_IDLE:
		if (!parse_enum(s, idle_names, RTE_DIM(idle_names), &e))
			return false;
		*(enum lr_idle_policy *)field = e;
		return true;
	case K_OFFLOAD:
		if (!parse_enum(s, offload_names, RTE_DIM(offload_names), &e))
			return false;
		*(enum lr_offload_mode *)field = e;
		return true;
	case K_PREFIX:
		return parse_prefix(s, base, why);
	case K_IPV4:
		return parse_ipv4(s, field);
	case K_MAC:
		return parse_mac(s, base, why);
	}
	/* every string kind */
	if (!check_str(k, s))
		return false;
	strlcpy(field, s, k->size);
	return true;
}

static const char *
key_expect(const struct key_def *k)
{
	if (k->kind == K_BOOL)
		return "expected yes/no, true/false, on/off or 1/0";
	return k->expect;
}

static void *
sect_base(struct lr_config *cfg, enum sect_id sid, unsigned int port)
{
	switch (sid) {
	case S_PORT:
		return &cfg->ports[port];
	case S_ARP:
		return &cfg->arp;
	case S_IP:
	case S_ICMP:
		return &cfg->ip;
	default:
		return cfg;
	}
}

/* @return the section id, -1 if unknown, -2 for port.N with N out of range. */
static int
find_section(const char *name, unsigned int *port)
{
	uint64_t n;
	int i;

	if (strncmp(name, "port.", 5) == 0) {
		if (!parse_uint(name + 5, UINT32_MAX, &n) || (name[5] == '0' && name[6] != '\0'))
			return -1;
		if (n >= LR_MAX_PORTS)
			return -2;
		*port = n;
		return S_PORT;
	}
	for (i = 0; i < S_NB; i++)
		if (i != S_PORT && strcmp(name, sects[i].name) == 0)
			return i;
	return -1;
}

static int
section_error(struct load_ctx *c, const char *name, int r)
{
	if (r == -2)
		return fail(c, "%s: unknown section [%s] (ports are port.0 .. port.%d)",
			c->origin, name, LR_MAX_PORTS - 1);
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
	const struct key_def *keys = sects[sid].keys, *k;
	const char *why = NULL;

	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			break;
	if (k->name == NULL)
		return unknown_key(c, sname, keys, key);
	if (!parse_value(k, sect_base(c->cfg, sid, port), val, &why))
		return fail(c, "%s: [%s] %s: bad value '%s': %s", c->origin, sname, key, val,
			why != NULL ? why : key_expect(k));
	if (sid == S_PORT) {
		c->cfg->ports[port].used = true;
		c->seen[port] |= 1u << (k - keys);
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
load_section(struct load_ctx *c, struct rte_cfgfile *f, int idx, uint32_t *sect_seen)
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
	bit = sid == S_PORT ? S_NB + port : (unsigned int)sid;
	if (*sect_seen & (1u << bit))
		return fail(c, "%s: section [%s] appears twice (merge them)", c->origin, name);
	*sect_seen |= 1u << bit;
	if (sid == S_PORT)
		c->cfg->ports[port].used = true;
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
	uint32_t sect_seen = 0;
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

static int
check_port(struct load_ctx *c, unsigned int n)
{
	const struct lr_port_conf *p = &c->cfg->ports[n];
	const struct key_def *k;
	rte_be32_t mask = prefix_mask(p->prefix_len), host;
	char a[16], b[16];
	unsigned int m;

	for (k = port_keys; k->name != NULL; k++)
		if (k->need != NULL && !(c->seen[n] & (1u << (k - port_keys))))
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
	for (m = 0; m < n; m++) {
		if (!c->cfg->ports[m].used)
			continue;
		if (strcmp(c->cfg->ports[m].device, p->device) == 0)
			return fail(c, "%s: [port.%u] device: bad value '%s': already used by "
				"[port.%u]; expected a distinct device per port", c->origin, n,
				p->device, m);
		if (c->cfg->ports[m].ip == p->ip)
			return fail(c, "%s: [port.%u] ip: bad value '%s/%u': already used by "
				"[port.%u]; expected a distinct address per port", c->origin, n,
				lr_ip_fmt(p->ip, a, sizeof(a)), p->prefix_len, m);
	}
	return 0;
}

static int
check_lcores(struct load_ctx *c, unsigned int nb_ports)
{
	const struct lr_config *cfg = c->cfg;
	struct lcore_set eal, wrk;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	bool remap = eal_lcores_remapped(cfg->eal_lcores);
	int main_lcore = cfg->eal_main_lcore;
	unsigned int l;

	parse_lcores(cfg->worker_lcores, &wrk);
	if (nb_ports > 0 && wrk.count == 0)
		return fail(c, "%s: [worker] key 'lcores': missing (required when a port is "
			"configured: lcores from [eal] lcores other than the main lcore, e.g. 1)",
			c->origin);
	if (wrk.count > LR_MAX_WORKERS)
		return fail(c, "%s: [worker] lcores: bad value '%s': %u workers, at most %d",
			c->origin, cfg->worker_lcores, wrk.count, LR_MAX_WORKERS);
	if (!remap) {
		parse_lcores(cfg->eal_lcores, &eal);
		for (l = 0; l < RTE_MAX_LCORE; l++)
			if (lcore_isset(&eal, l) && ncpu > 0 && l >= ncpu)
				return fail(c, "%s: [eal] lcores: lcore %u not available: this "
					"machine has %ld CPUs (0-%ld); use lower lcores or the '@' "
					"syntax, e.g. %u@0", c->origin, l, ncpu, ncpu - 1, l);
		if (main_lcore >= 0 && !lcore_isset(&eal, main_lcore))
			return fail(c, "%s: [eal] main_lcore: bad value '%d': not in [eal] "
				"lcores '%s'", c->origin, main_lcore, cfg->eal_lcores);
		for (l = 0; main_lcore < 0 && l < RTE_MAX_LCORE; l++)
			if (lcore_isset(&eal, l))
				main_lcore = l;
	}
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (!lcore_isset(&wrk, l))
			continue;
		if (!remap && !lcore_isset(&eal, l))
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

/* Checks that need more than one key. */
static int
validate(struct load_ctx *c)
{
	const struct lr_config *cfg = c->cfg;
	struct lcore_set wrk;
	unsigned int n, nb_ports = 0;
	uint64_t ring_mbufs = 0;
	int ret;

	for (n = 0; n < LR_MAX_PORTS; n++) {
		if (!cfg->ports[n].used)
			continue;
		ret = check_port(c, n);
		if (ret != 0)
			return ret;
		nb_ports++;
		ring_mbufs += cfg->ports[n].rx_desc;
	}
	if (cfg->udp_echo_port != 0 && cfg->udp_echo_port == cfg->udp_discard_port)
		return fail(c, "%s: [udp] discard: bad value '%u': duplicate service port, echo "
			"uses it already; expected another port, or 0 for off", c->origin,
			cfg->udp_discard_port);
	if (cfg->mbuf_cache * 3 / 2 > cfg->mbufs)
		return fail(c, "%s: [app] mbuf_cache: bad value '%u': too large for %u mbufs; "
			"expected at most mbufs / 1.5", c->origin, cfg->mbuf_cache, cfg->mbufs);
	ret = check_lcores(c, nb_ports);
	if (ret != 0)
		return ret;
	parse_lcores(cfg->worker_lcores, &wrk);
	ring_mbufs *= wrk.count;
	if (ring_mbufs >= cfg->mbufs)
		return fail(c, "%s: [app] mbufs: bad value '%u': the RX rings alone hold %" PRIu64
			" (rx_desc x workers, summed over ports); expected more, e.g. %" PRIu64,
			c->origin, cfg->mbufs, ring_mbufs, rte_align64pow2(ring_mbufs * 2) - 1);
	return 0;
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
	cfg->mbufs = 8191;
	cfg->mbuf_cache = 256;
	cfg->burst = 32;
	cfg->idle = LR_IDLE_SLEEP;
	cfg->idle_sleep_us = 50;
	for (i = 0; i < LR_MAX_PORTS; i++) {
		cfg->ports[i].mtu = 1500;
		cfg->ports[i].rx_desc = 1024;
		cfg->ports[i].tx_desc = 1024;
		cfg->ports[i].rx_cksum = LR_OFFLOAD_AUTO;
		cfg->ports[i].tx_cksum = LR_OFFLOAD_AUTO;
	}
	cfg->arp = lr_arp_conf_default;
	cfg->ip = lr_ip_conf_default;
	cfg->udp_echo_port = 7;
	cfg->udp_discard_port = 9;
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
		snprintf(buf, len, "%u", k->size == 1 ? *(const uint8_t *)field :
			k->size == 2 ? *(const uint16_t *)field : *(const uint32_t *)field);
		break;
	case K_INT:
		snprintf(buf, len, "%d", *(const int *)field);
		break;
	case K_IDLE:
		snprintf(buf, len, "%s", idle_names[*(const enum lr_idle_policy *)field]);
		break;
	case K_OFFLOAD:
		snprintf(buf, len, "%s", offload_names[*(const enum lr_offload_mode *)field]);
		break;
	case K_PREFIX:
		snprintf(buf, len, "%s/%u", lr_ip_fmt(p->ip, ip, sizeof(ip)), p->prefix_len);
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

static void
dump_section(const char *name, const struct key_def *keys, const void *base, FILE *f)
{
	const struct key_def *k;
	char val[LR_CFG_STR + 32];

	fprintf(f, "\n[%s]\n", name);
	for (k = keys; k->name != NULL; k++) {
		bool set = format_value(k, base, val, sizeof(val));

		fprintf(f, "%s%s =%s%s\n", set ? "" : "; ", k->name, val[0] != '\0' ? " " : "",
			set ? val : "(none)");
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
		if (s != S_PORT) {
			dump_section(sects[s].name, sects[s].keys,
				sect_base((struct lr_config *)(uintptr_t)cfg, s, 0), f);
			continue;
		}
		for (i = 0; i < LR_MAX_PORTS; i++) {
			if (!cfg->ports[i].used)
				continue;
			snprintf(name, sizeof(name), "port.%u", i);
			dump_section(name, port_keys, &cfg->ports[i], f);
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
	ret = ret ? ret : push2(&b, "-l", cfg->eal_lcores);
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
		pci |= is_pci_device(p->device);
		ret = push2(&b, is_pci_device(p->device) ? "-a" : "--vdev", p->device);
	}
	if (!pci)
		ret = ret ? ret : push(&b, "--no-pci");
	ret = ret ? ret : push_words(&b, NULL, cfg->eal_args);
	return ret != 0 ? ret : b.argc;
}
