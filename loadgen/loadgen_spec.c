/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load generator: lr_loadgen_parse(), the one-line spec (see loadgen.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "loadgen.h"
#include "lr_tcp.h"

/* ---- spec parsing ---- */

static int
parse_u64(const char *v, uint64_t *out, bool suffix)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0)
		return -1;
	if (suffix && (*end == 'k' || *end == 'K')) {
		x *= 1000;
		end++;
	} else if (suffix && (*end == 'm' || *end == 'M')) {
		x *= 1000000;
		end++;
	}
	if (*end != '\0')
		return -1;
	*out = x;
	return 0;
}

/* "5s", "500ms", "2m", "5" (seconds) -> ms */
static int
parse_ms(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	x = strtoull(v, &end, 10);
	if (strcmp(end, "ms") == 0)
		*out = x;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		*out = x * 1000;
	else if (strcmp(end, "m") == 0)
		*out = x * 60000;
	else
		return -1;
	return x > 86400000ULL ? -1 : 0;
}

static int
parse_target(struct lr_loadgen_conf *c, const char *v, bool *port_set)
{
	char buf[64], *colon;
	unsigned int a, b, d, e;
	uint64_t port = 0;
	char tail;

	if (strlen(v) >= sizeof(buf) || c->nb_targets == LR_LOADGEN_MAX_TARGETS)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (parse_u64(colon + 1, &port, false) != 0 || port == 0 || port > 65535)
			return -1;
	}
	if (sscanf(buf, "%u.%u.%u.%u%c", &a, &b, &d, &e, &tail) != 4 || a > 255 || b > 255 ||
			d > 255 || e > 255)
		return -1;
	port_set[c->nb_targets] = colon != NULL;
	c->targets[c->nb_targets].ip = rte_cpu_to_be_32(RTE_IPV4(a, b, d, e));
	c->targets[c->nb_targets].port = (uint16_t)port;
	c->nb_targets++;
	return 0;
}

static int
parse_mode(const char *v, enum lr_loadgen_mode *m)
{
	if (strcmp(v, "crr") == 0)
		*m = LR_LOADGEN_CRR;
	else if (strcmp(v, "rr") == 0)
		*m = LR_LOADGEN_RR;
	else if (strcmp(v, "stream_send") == 0 || strcmp(v, "send") == 0 ||
			strcmp(v, "stream") == 0)
		*m = LR_LOADGEN_STREAM_SEND;
	else if (strcmp(v, "stream_recv") == 0 || strcmp(v, "recv") == 0)
		*m = LR_LOADGEN_STREAM_RECV;
	else if (strcmp(v, "udp") == 0)
		*m = LR_LOADGEN_UDP;
	else
		return -1;
	return 0;
}

static int
parse_bool(const char *v, bool *b)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*b = true;
	else if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*b = false;
	else
		return -1;
	return 0;
}

/* One key=value. @return 0, or -1 with err set */
static int
parse_kv(struct lr_loadgen_conf *c, char *key, char *val, bool *port_set, char *err,
		size_t errlen)
{
	uint64_t x = 0;
	char *tok, *save = NULL;
	int rc = 0;

	if (strcmp(key, "mode") == 0) {
		rc = parse_mode(val, &c->mode);
	} else if (strcmp(key, "target") == 0 || strcmp(key, "targets") == 0) {
		for (tok = strtok_r(val, ",", &save); tok != NULL && rc == 0;
				tok = strtok_r(NULL, ",", &save))
			rc = parse_target(c, tok, port_set);
		if (rc != 0) {
			snprintf(err, errlen, "loadgen: target '%s': expected A.B.C.D[:port], at "
					"most %d targets", tok != NULL ? tok : val,
					LR_LOADGEN_MAX_TARGETS);
			return -1;
		}
	} else if (strcmp(key, "conc") == 0 || strcmp(key, "concurrency") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x == 0 || x > LR_LOADGEN_MAX_CONC ? -1 : 0;
		c->conc = (uint32_t)x;
	} else if (strcmp(key, "ramp") == 0) {
		rc = parse_ms(val, &c->ramp_ms);
		rc = rc != 0 || c->ramp_ms > 3600000 ? -1 : 0;
	} else if (strcmp(key, "rate") == 0 || strcmp(key, "cps") == 0 ||
			strcmp(key, "rps") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > 1000000000ULL ? -1 : 0;
		c->rate = x;
	} else if (strcmp(key, "req") == 0 || strcmp(key, "request_size") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > LR_LOADGEN_MAX_REQ ? -1 : 0;
		c->request_size = (uint32_t)x;
	} else if (strcmp(key, "resp") == 0 || strcmp(key, "response_size") == 0) {
		rc = parse_u64(val, &x, true);
		rc = rc != 0 || x > UINT32_MAX ? -1 : 0;
		c->response_size = (uint32_t)x;
	} else if (strcmp(key, "duration") == 0) {
		rc = parse_ms(val, &c->duration_ms);
		rc = rc != 0 || c->duration_ms == 0 ? -1 : 0;
	} else if (strcmp(key, "warmup") == 0) {
		rc = parse_ms(val, &c->warmup_ms);
	} else if (strcmp(key, "timeout") == 0) {
		rc = parse_ms(val, &c->timeout_ms);
		rc = rc != 0 || c->timeout_ms == 0 ? -1 : 0;
	} else if (strcmp(key, "sport") == 0) {
		rc = parse_u64(val, &x, false);
		rc = rc != 0 || x == 0 || x > 65535 ? -1 : 0;
		c->udp_sport = (uint16_t)x;
	} else if (strcmp(key, "flows") == 0) {
		rc = parse_u64(val, &x, false);
		rc = rc != 0 || x == 0 || x > LR_LOADGEN_MAX_FLOWS ? -1 : 0;
		c->udp_flows = (uint16_t)x;
	} else if (strcmp(key, "cc") == 0) {
		rc = lr_tcp_cc_parse(val);
		c->cc = rc < 0 ? 0 : (uint8_t)rc;
		rc = rc < 0 ? -1 : 0;
	} else if (strcmp(key, "json") == 0) {
		rc = parse_bool(val, &c->json);
	} else if (strcmp(key, "progress") == 0) {
		rc = parse_bool(val, &c->progress);
	} else {
		snprintf(err, errlen, "loadgen: unknown key '%s' (mode, target, conc, rate, ramp, "
				"req, resp, duration, warmup, timeout, sport, flows, cc, json, progress)",
				key);
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "loadgen: %s: bad value '%s'", key, val);
		return -1;
	}
	return 0;
}

int
lr_loadgen_parse(struct lr_loadgen_conf *c, const char *spec, char *err, size_t errlen)
{
	static const uint16_t default_port[LR_LOADGEN_MODE_NB] = { 80, 80, 9, 19, 7 };
	bool port_set[LR_LOADGEN_MAX_TARGETS] = { false };
	char buf[1024], *tok, *save = NULL, *eq;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->mode = LR_LOADGEN_CRR;
	c->cc = LR_TCP_CC_CUBIC;
	c->conc = 16;
	c->request_size = 64;
	c->duration_ms = 5000;
	c->warmup_ms = 1000;
	c->timeout_ms = 2000;
	c->udp_sport = 9000;
	c->udp_flows = 1;
	c->progress = true;
	if (spec == NULL || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "loadgen: spec missing or longer than %zu bytes",
				sizeof(buf) - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(tok, '=');
		if (eq == NULL || eq == tok) {
			snprintf(err, errlen, "loadgen: '%s': expected key=value", tok);
			return -EINVAL;
		}
		*eq = '\0';
		if (parse_kv(c, tok, eq + 1, port_set, err, errlen) != 0)
			return -EINVAL;
	}
	if (c->ramp_ms != 0 && c->rate == 0) {
		snprintf(err, errlen, "loadgen: ramp: bad value '%" PRIu64 "ms': a ramp needs a "
				"target rate; add rate=N (crr: connections/s, rr: requests/s), e.g. "
				"rate=100k ramp=10s", c->ramp_ms);
		return -EINVAL;
	}
	if (c->nb_targets == 0) {
		snprintf(err, errlen, "loadgen: no target (target=A.B.C.D[:port])");
		return -EINVAL;
	}
	for (i = 0; i < c->nb_targets; i++)
		if (!port_set[i])
			c->targets[i].port = default_port[c->mode];
	if (c->mode == LR_LOADGEN_UDP && c->request_size < LR_LOADGEN_UDP_MIN)
		c->request_size = LR_LOADGEN_UDP_MIN;
	if (c->mode == LR_LOADGEN_UDP && c->request_size > 1472) {
		snprintf(err, errlen, "loadgen: req: %u bytes do not fit one datagram (max 1472)",
				c->request_size);
		return -EINVAL;
	}
	return 0;
}
