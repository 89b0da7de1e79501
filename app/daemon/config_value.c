/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration values: one parser per key kind (numbers, booleans, lcore lists,
 * addresses, prefixes, MACs, percentages, enums, strings) storing into the field a
 * key_def names, with the reason a value is refused. config.c reads files and
 * --set and cross-checks; this file only turns one string into one field.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_string_fns.h>

#include "config_internal.h"
#include "lr_ctl.h"

bool
lr_cfg_lcore_isset(const struct lcore_set *s, unsigned int l)
{
	return l < RTE_MAX_LCORE && (s->bits[l / 64] >> (l % 64)) & 1;
}

bool
lr_cfg_parse_uint(const char *s, uint64_t max, uint64_t *out)
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
int
lr_cfg_parse_lcores(const char *s, struct lcore_set *set)
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
			if (lr_cfg_lcore_isset(set, l))
				return -EINVAL;
			set->bits[l / 64] |= UINT64_C(1) << (l % 64);
			set->count++;
		}
		if (*end == '\0')
			return 0;
		s = end + 1;
	}
}

bool
lr_cfg_eal_lcores_remapped(const char *s)
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

rte_be32_t
lr_cfg_prefix_mask(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : UINT32_MAX << (32 - len));
}

/* "a.b.c.d/len" into the port; *why explains a well-formed but unusable address. */
static bool
parse_prefix(const char *s, void *field, const char **why)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t len;
	rte_be32_t ip, mask;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (!parse_ipv4(buf, &ip) || !lr_cfg_parse_uint(slash + 1, 32, &len) || len == 0)
		return false;
	mask = lr_cfg_prefix_mask(len);
	if (lr_ip_is_martian_src(ip)) {
		*why = "not a unicast address; expected a host address like 198.18.0.2/24";
		return false;
	}
	if (len <= 30 && ((ip & ~mask) == 0 || (ip & ~mask) == ~mask)) {
		*why = "the subnet's network or broadcast address; "
			"expected a host address like 198.18.0.2/24";
		return false;
	}
	/* prefix_len follows ip in [port.N] and [vlan.M] (static asserts in config_keys.c) */
	*(rte_be32_t *)field = ip;
	*((uint8_t *)field + sizeof(rte_be32_t)) = (uint8_t)len;
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


/* "2", "0.5", "2%": a percentage with at most 4 decimals, in parts per million. */
static bool
parse_percent(const char *s, uint64_t *ppm)
{
	char buf[32];
	size_t len = strlen(s), n;
	const char *dot;
	uint64_t whole = 0, frac = 0;
	unsigned int i;

	if (len > 0 && s[len - 1] == '%')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dot = strchr(buf, '.');
	if (dot != NULL) {
		n = strlen(dot + 1);
		if (n == 0 || n > 4 || dot == buf)
			return false;
		for (i = 0; i < 4; i++) {
			if (i < n && !isdigit((unsigned char)dot[1 + i]))
				return false;
			frac = frac * 10 + (i < n ? (uint64_t)(dot[1 + i] - '0') : 0);
		}
		buf[dot - buf] = '\0';
	}
	if (!lr_cfg_parse_uint(buf, 100, &whole))
		return false;
	*ppm = whole * 10000 + frac;
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
	case 8:
		*(uint64_t *)field = v;
		break;
	default:
		*(uint32_t *)field = v;
		break;
	}
}

/* Parse s into the key's field under base. @return true, or false with *why maybe set. */
bool
lr_cfg_parse_value(const struct key_def *k, void *base, const char *s, const char **why)
{
	void *field = RTE_PTR_ADD(base, k->off);
	struct lcore_set set;
	uint64_t u;
	int e;

	switch (k->kind) {
	case K_STR:
		break;
	case K_LCORES:
		if (lr_cfg_parse_lcores(s, &set) != 0)
			return false;
		break;
	case K_EAL_LCORES:
		if (s[strspn(s, "0123456789,-@()")] != '\0' ||
				(!lr_cfg_eal_lcores_remapped(s) && lr_cfg_parse_lcores(s, &set) != 0))
			return false;
		break;
	case K_DEVICE:
		if (strncmp(s, "net_", 4) != 0 && !lr_cfg_is_pci_device(s))
			return false;
		break;
	case K_LISTEN:
		if (s[0] != '\0' && lr_ctl_listen_parse(s, NULL, NULL, why) != 0)
			return false;
		break;
	case K_BOOL:
		return parse_bool(s, field);
	case K_UINT:
		if (!lr_cfg_parse_uint(s, k->size == 8 ? UINT64_MAX : (uint64_t)k->max, &u) ||
				(k->size != 8 && (int64_t)u < k->min))
			return false;
		if ((k->flags & F_POW2) && !rte_is_power_of_2(u))
			return false;
		store_uint(field, k->size, u);
		return true;
	case K_INT:
		if (strcmp(s, "-1") == 0 && k->min == -1)
			u = UINT64_MAX;
		else if (!lr_cfg_parse_uint(s, k->max, &u))
			return false;
		*(int *)field = u == UINT64_MAX ? -1 : (int)u;
		return true;
	case K_IDLE:
		if (!parse_enum(s, lr_cfg_idle_names, RTE_DIM(lr_cfg_idle_names), &e))
			return false;
		*(enum lr_idle_policy *)field = e;
		return true;
	case K_OFFLOAD:
		if (!parse_enum(s, lr_cfg_offload_names, RTE_DIM(lr_cfg_offload_names), &e))
			return false;
		*(enum lr_offload_mode *)field = e;
		return true;
	case K_CC:
		if (!parse_enum(s, lr_cfg_cc_names, RTE_DIM(lr_cfg_cc_names), &e) || e > k->max)
			return false;
		*(uint8_t *)field = (uint8_t)e;
		return true;
	case K_PREFIX:
		return parse_prefix(s, field, why);
	case K_IPV4:
		return parse_ipv4(s, field);
	case K_MAC:
		return parse_mac(s, base, why);
	case K_PERCENT:
		if (!parse_percent(s, &u) || u > (uint64_t)k->max)
			return false;
		*(uint32_t *)field = (uint32_t)u;
		return true;
	}
	/* every string kind */
	if (!check_str(k, s))
		return false;
	strlcpy(field, s, k->size);
	return true;
}

const char *
lr_cfg_key_expect(const struct key_def *k)
{
	if (k->kind == K_BOOL)
		return "expected yes/no, true/false, on/off or 1/0";
	return k->expect;
}

/* @return the section id, -1 if unknown, -2 for port.N with N out of range. */
