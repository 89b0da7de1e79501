/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition writer (lr_prom.h): HELP and TYPE once per family,
 * escaped label values, names checked against the format and the conventions.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr_prom.h"

static bool
name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (c == ':')
		return colon;
	return !first && c >= '0' && c <= '9';
}

static bool
valid(const char *s, bool colon)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) >= LR_PROM_NAME_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!name_char(s[i], i == 0, colon))
			return false;
	return true;
}

bool
lr_prom_name_valid(const char *s)
{
	return valid(s, true);
}

bool
lr_prom_label_name_valid(const char *s)
{
	return valid(s, false) && strncmp(s, "__", 2) != 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The name suits the type: counters end in _total, nothing else ends in a suffix the
 * format gives a meaning (client_golang promlint, OpenMetrics reserved suffixes). */
static bool
name_fits(const char *name, enum lr_prom_type type)
{
	static const char *const reserved[] = {
		"_total", "_count", "_sum", "_bucket",
	};
	size_t i;

	if (type == LR_PROM_COUNTER)
		return ends_with(name, "_total") && strlen(name) > strlen("_total");
	if (type != LR_PROM_GAUGE && type != LR_PROM_HISTOGRAM)
		return false;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (ends_with(name, reserved[i]))
			return false;
	return true;
}

static int
fail(struct lr_prom *p, int err)
{
	if (p->err == 0)
		p->err = err;
	return err;
}

/* Escape: backslash and newline always, the double quote when quote is set. */
static void
put_escaped(struct lr_ctl_buf *b, const char *s, bool quote)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (esc == NULL)
			continue;
		lr_ctl_buf_append(b, run, (size_t)(s - run));
		lr_ctl_buf_append(b, esc, 2);
		run = s + 1;
	}
	lr_ctl_buf_append(b, run, (size_t)(s - run));
}

void
lr_prom_init(struct lr_prom *p, struct lr_ctl_buf *out, bool openmetrics)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->openmetrics = openmetrics;
}

static int
remember(struct lr_prom *p, const char *name)
{
	unsigned int i;
	void *grown;

	for (i = 0; i < p->nb_seen; i++)
		if (strcmp(p->seen[i], name) == 0)
			return -EEXIST;
	if (p->nb_seen == p->cap_seen) {
		grown = realloc(p->seen, sizeof(*p->seen) * (p->cap_seen ? p->cap_seen * 2 : 64));
		if (grown == NULL)
			return -ENOMEM;
		p->seen = grown;
		p->cap_seen = p->cap_seen ? p->cap_seen * 2 : 64;
	}
	snprintf(p->seen[p->nb_seen++], LR_PROM_NAME_MAX, "%s", name);
	return 0;
}

int
lr_prom_family(struct lr_prom *p, const char *name, enum lr_prom_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	size_t len;
	int ret;

	p->family[0] = '\0';
	if (!lr_prom_name_valid(name) || !name_fits(name, type))
		return fail(p, -EINVAL);
	ret = remember(p, name);
	if (ret != 0)
		return fail(p, ret);
	snprintf(p->family, sizeof(p->family), "%s", name);
	p->type = type;
	/* OpenMetrics names a counter family without its _total */
	len = strlen(name);
	if (p->openmetrics && type == LR_PROM_COUNTER)
		len -= strlen("_total");
	lr_ctl_buf_printf(p->out, "# HELP %.*s ", (int)len, name);
	put_escaped(p->out, help != NULL ? help : "", p->openmetrics);
	lr_ctl_buf_printf(p->out, "\n# TYPE %.*s %s\n", (int)len, name, types[type]);
	return p->out->oom ? fail(p, -ENOMEM) : 0;
}

/* name{labels[,le="bound"]} */
static int
put_series(struct lr_prom *p, const char *suffix, const struct lr_prom_label *l,
		unsigned int n, const char *le)
{
	unsigned int i, j;

	if (p->family[0] == '\0' || n > LR_PROM_LABELS_MAX || (n > 0 && l == NULL))
		return fail(p, -EINVAL);
	for (i = 0; i < n; i++) {
		if (!lr_prom_label_name_valid(l[i].name) || strcmp(l[i].name, "le") == 0 ||
				l[i].value == NULL)
			return fail(p, -EINVAL);
		for (j = 0; j < i; j++)
			if (strcmp(l[i].name, l[j].name) == 0)
				return fail(p, -EINVAL);
	}
	lr_ctl_buf_printf(p->out, "%s%s", p->family, suffix);
	if (n == 0 && le == NULL)
		return 0;
	lr_ctl_buf_append(p->out, "{", 1);
	for (i = 0; i < n; i++) {
		lr_ctl_buf_printf(p->out, "%s%s=\"", i ? "," : "", l[i].name);
		put_escaped(p->out, l[i].value, true);
		lr_ctl_buf_append(p->out, "\"", 1);
	}
	if (le != NULL)
		lr_ctl_buf_printf(p->out, "%sle=\"%s\"", n ? "," : "", le);
	lr_ctl_buf_append(p->out, "}", 1);
	return 0;
}

/* The shortest of %.15g and %.17g that reads back as v; NaN and infinities by name. */
static void
fmt_double(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, "%sInf", v > 0 ? "+" : "-");
	else if (snprintf(buf, len, "%.15g", v) > 0 && strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static int
line_end(struct lr_prom *p, const char *value)
{
	lr_ctl_buf_printf(p->out, " %s\n", value);
	return p->out->oom ? fail(p, -ENOMEM) : 0;
}

int
lr_prom_u64(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n, uint64_t v)
{
	char val[32];

	if (p->type == LR_PROM_HISTOGRAM)
		return fail(p, -EINVAL);
	if (put_series(p, "", l, n, NULL) != 0)
		return -EINVAL;
	snprintf(val, sizeof(val), "%" PRIu64, v);
	return line_end(p, val);
}

int
lr_prom_double(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n, double v)
{
	char val[40];

	if (p->type == LR_PROM_HISTOGRAM)
		return fail(p, -EINVAL);
	if (p->type == LR_PROM_COUNTER && (isnan(v) || v < 0))
		return fail(p, -EINVAL);
	if (put_series(p, "", l, n, NULL) != 0)
		return -EINVAL;
	fmt_double(v, val, sizeof(val));
	return line_end(p, val);
}

int
lr_prom_histogram(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n,
		const double *le, const uint64_t *cum, unsigned int nb, double sum, uint64_t count)
{
	char bound[40], val[40];
	unsigned int i;

	if (p->type != LR_PROM_HISTOGRAM || p->family[0] == '\0' || (nb > 0 && (le == NULL ||
			cum == NULL)))
		return fail(p, -EINVAL);
	for (i = 0; i < nb; i++)
		if (!isfinite(le[i]) || (i > 0 && (le[i] <= le[i - 1] || cum[i] < cum[i - 1])) ||
				cum[i] > count)
			return fail(p, -EINVAL);
	for (i = 0; i <= nb; i++) {
		if (i < nb)
			fmt_double(le[i], bound, sizeof(bound));
		else
			snprintf(bound, sizeof(bound), "+Inf");
		if (put_series(p, "_bucket", l, n, bound) != 0)
			return -EINVAL;
		snprintf(val, sizeof(val), "%" PRIu64, i < nb ? cum[i] : count);
		line_end(p, val);
	}
	if (put_series(p, "_sum", l, n, NULL) != 0)
		return -EINVAL;
	fmt_double(sum, val, sizeof(val));
	line_end(p, val);
	if (put_series(p, "_count", l, n, NULL) != 0)
		return -EINVAL;
	snprintf(val, sizeof(val), "%" PRIu64, count);
	return line_end(p, val);
}

int
lr_prom_finish(struct lr_prom *p)
{
	if (p->openmetrics)
		lr_ctl_buf_append(p->out, "# EOF\n", 6);
	if (p->out->oom)
		fail(p, -ENOMEM);
	free(p->seen);
	p->seen = NULL;
	p->nb_seen = p->cap_seen = 0;
	p->family[0] = '\0';
	return p->err;
}
