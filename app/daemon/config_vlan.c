/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-checks of the 802.1Q interfaces: [vlan.M] sections (one more interface on a
 * port's VLAN) and [port.N] vlan (the port's own interface tagged). A port carries one
 * interface per VLAN ID; every VLAN interface has a subnet of its own, since routing
 * and ARP pick the interface by subnet.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <rte_common.h>

#include "config_internal.h"

struct vlan_ctx {
	const struct lr_config *cfg;
	const char *origin;
	char *err;
	size_t errlen;
};

static int __rte_format_printf(2, 3)
vfail(struct vlan_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL || c->errlen == 0)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s: ", c->origin);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Required keys, and the port it rides on. */
static int
check_keys(struct vlan_ctx *c, unsigned int m, uint32_t seen)
{
	const struct lr_vlan_conf *v = &c->cfg->vlans[m];
	const struct key_def *k;

	for (k = lr_cfg_vlan_keys; k->name != NULL; k++)
		if (k->need != NULL && !(seen & (1u << (k - lr_cfg_vlan_keys))))
			return vfail(c, "[vlan.%u] key '%s': missing (required: %s)", m, k->name,
				k->need);
	if (!c->cfg->ports[v->port].used)
		return vfail(c, "[vlan.%u] port: bad value '%u': there is no [port.%u] section; "
			"expected the N of a configured [port.N]", m, v->port, v->port);
	return 0;
}

/* Gateway inside the subnet and outside the range, the range inside the subnet. */
static int
check_addrs(struct vlan_ctx *c, unsigned int m)
{
	const struct lr_vlan_conf *v = &c->cfg->vlans[m];
	rte_be32_t mask = lr_cfg_prefix_mask(v->prefix_len);
	uint32_t hmask = rte_be_to_cpu_32(mask), first = rte_be_to_cpu_32(v->ip);
	uint32_t room = (~hmask - (first & ~hmask)) + (v->prefix_len > 30 ? 1 : 0);
	uint32_t gw = rte_be_to_cpu_32(v->gateway), host = gw & ~hmask;
	char a[16], b[16];

	if (v->gateway != 0 && ((v->gateway ^ v->ip) & mask) != 0)
		return vfail(c, "[vlan.%u] gateway: bad value '%s': outside the VLAN's subnet "
			"%s/%u; expected an address inside it, or no gateway", m,
			lr_ip_fmt(v->gateway, a, sizeof(a)), lr_ip_fmt(v->ip & mask, b, sizeof(b)),
			v->prefix_len);
	if (v->gateway != 0 && (v->prefix_len <= 30 && (host == 0 || host == ~hmask)))
		return vfail(c, "[vlan.%u] gateway: bad value '%s': the subnet's network or "
			"broadcast address; expected another host of the subnet", m,
			lr_ip_fmt(v->gateway, a, sizeof(a)));
	if (v->ip_count > room)
		return vfail(c, "[vlan.%u] ip_count: bad value '%u': the range from %s leaves the "
			"subnet %s/%u or takes its broadcast address; expected at most %u", m,
			v->ip_count, lr_ip_fmt(v->ip, a, sizeof(a)),
			lr_ip_fmt(v->ip & mask, b, sizeof(b)), v->prefix_len, room);
	if (v->gateway != 0 && gw >= first && gw - first < RTE_MAX(v->ip_count, 1u))
		return vfail(c, "[vlan.%u] ip_count: bad value '%u': the range from %s holds the "
			"gateway %s; expected a range that leaves it out (move ip or lower "
			"ip_count)", m, v->ip_count, lr_ip_fmt(v->ip, a, sizeof(a)),
			lr_ip_fmt(v->gateway, b, sizeof(b)));
	return 0;
}

/* Do two subnets overlap (the shorter prefix holds the other's address)? */
static bool
subnets_overlap(rte_be32_t a, uint8_t alen, rte_be32_t b, uint8_t blen)
{
	return ((a ^ b) & lr_cfg_prefix_mask(RTE_MIN(alen, blen))) == 0;
}

/* Against every interface before it: the ports' own, then [vlan.K] for K < m. */
static int
check_unique(struct vlan_ctx *c, unsigned int m)
{
	const struct lr_vlan_conf *v = &c->cfg->vlans[m];
	char a[16], b[16];
	unsigned int n, k;

	for (n = 0; n < LR_MAX_PORTS; n++) {
		const struct lr_port_conf *p = &c->cfg->ports[n];

		if (!p->used)
			continue;
		if (n == v->port && p->vlan == v->vlan)
			return vfail(c, "[vlan.%u] vlan: bad value '%u': [port.%u]'s own interface "
				"is on VLAN %u (its vlan key); expected one interface per VLAN ID "
				"and port", m, v->vlan, n, p->vlan);
		if (subnets_overlap(v->ip, v->prefix_len, p->ip, p->prefix_len))
			return vfail(c, "[vlan.%u] ip: bad value '%s/%u': its subnet overlaps "
				"[port.%u]'s %s/%u; expected a subnet of its own per interface "
				"(routing and ARP pick the interface by subnet)", m,
				lr_ip_fmt(v->ip, a, sizeof(a)), v->prefix_len, n,
				lr_ip_fmt(p->ip, b, sizeof(b)), p->prefix_len);
	}
	for (k = 0; k < m; k++) {
		const struct lr_vlan_conf *o = &c->cfg->vlans[k];

		if (!o->used)
			continue;
		if (o->port == v->port && o->vlan == v->vlan)
			return vfail(c, "[vlan.%u] vlan: bad value '%u': [vlan.%u] is on VLAN %u of "
				"[port.%u] already; expected one interface per VLAN ID and port", m,
				v->vlan, k, v->vlan, v->port);
		if (subnets_overlap(v->ip, v->prefix_len, o->ip, o->prefix_len))
			return vfail(c, "[vlan.%u] ip: bad value '%s/%u': its subnet overlaps "
				"[vlan.%u]'s %s/%u; expected a subnet of its own per interface "
				"(routing and ARP pick the interface by subnet)", m,
				lr_ip_fmt(v->ip, a, sizeof(a)), v->prefix_len, k,
				lr_ip_fmt(o->ip, b, sizeof(b)), o->prefix_len);
	}
	return 0;
}

int
lr_cfg_check_vlans(const struct lr_config *cfg, const uint32_t *vlan_seen,
		const char *origin, char *err, size_t errlen)
{
	struct vlan_ctx c = { cfg, origin, err, errlen };
	unsigned int m;
	int ret = 0;

	for (m = 0; m < LR_MAX_VLANS && ret == 0; m++) {
		if (!cfg->vlans[m].used)
			continue;
		ret = check_keys(&c, m, vlan_seen[m]);
		if (ret == 0)
			ret = check_addrs(&c, m);
		if (ret == 0)
			ret = check_unique(&c, m);
	}
	return ret;
}
