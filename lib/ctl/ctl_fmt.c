/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output builders of the control commands: a growable buffer, a JSON writer
 * that places commas itself, and tables / key-value lists that render as
 * aligned text or as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr_ctl.h"

void
lr_ctl_buf_init(struct lr_ctl_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
lr_ctl_buf_free(struct lr_ctl_buf *b)
{
	free(b->data);
	lr_ctl_buf_init(b);
}

void
lr_ctl_buf_reset(struct lr_ctl_buf *b)
{
	char *data = b->data;
	size_t cap = b->cap;

	lr_ctl_buf_init(b);
	b->data = data;
	b->cap = cap;
	if (data != NULL)
		data[0] = '\0';
}

static int
buf_reserve(struct lr_ctl_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->oom = true;
		return -ENOMEM;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int
lr_ctl_buf_append(struct lr_ctl_buf *b, const char *s, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return -ENOMEM;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
lr_ctl_buf_vprintf(struct lr_ctl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if (buf_reserve(b, (size_t)n) < 0)
		return -ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
lr_ctl_buf_printf(struct lr_ctl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = lr_ctl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return ret;
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, surrogates or code points above U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
			(p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

int
lr_ctl_buf_json_string(struct lr_ctl_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, n;
	int ret = 0;

	ret |= lr_ctl_buf_append(b, "\"", 1);
	for (;;) {
		unsigned char c = p[run];

		if (c >= 0x20 && c != '"' && c != '\\' && (n = utf8_len(&p[run])) > 0) {
			run += n;
			continue;
		}
		/* flush the plain run, then escape c (or stop at the end) */
		ret |= lr_ctl_buf_append(b, (const char *)p, run);
		p += run;
		run = 0;
		if (c == '\0')
			break;
		if (c == '"')
			ret |= lr_ctl_buf_append(b, "\\\"", 2);
		else if (c == '\\')
			ret |= lr_ctl_buf_append(b, "\\\\", 2);
		else if (c == '\n')
			ret |= lr_ctl_buf_append(b, "\\n", 2);
		else if (c == '\t')
			ret |= lr_ctl_buf_append(b, "\\t", 2);
		else /* other control characters and bytes that are not UTF-8 */
			ret |= lr_ctl_buf_printf(b, "\\u%04x", c);
		p++;
	}
	ret |= lr_ctl_buf_append(b, "\"", 1);
	return ret ? -ENOMEM : 0;
}

int
lr_ctl_errorf(struct lr_ctl_buf *out, const char *fmt, ...)
{
	va_list ap;

	lr_ctl_buf_reset(out);
	va_start(ap, fmt);
	lr_ctl_buf_vprintf(out, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Comma and key before a value; opens the implicit top-level object. */
static int
json_key(struct lr_ctl_buf *b, const char *key)
{
	int ret = 0;

	if (b->depth == 0 && key != NULL && b->len == 0) {
		ret = lr_ctl_json_obj_open(b, NULL);
		if (ret < 0)
			return ret;
	}
	if (b->depth > 0) {
		if (!b->first[b->depth - 1])
			ret |= lr_ctl_buf_append(b, ",", 1);
		b->first[b->depth - 1] = false;
		if (b->closer[b->depth - 1] == '}') {
			ret |= lr_ctl_buf_json_string(b, key != NULL ? key : "");
			ret |= lr_ctl_buf_append(b, ":", 1);
		}
	}
	return ret ? -ENOMEM : 0;
}

static int
json_open(struct lr_ctl_buf *b, const char *key, char open, char close)
{
	int ret;

	if (b->depth >= LR_CTL_JSON_DEPTH)
		return -E2BIG;
	ret = json_key(b, key);
	if (ret < 0)
		return ret;
	ret = lr_ctl_buf_append(b, &open, 1);
	b->first[b->depth] = true;
	b->closer[b->depth] = close;
	b->depth++;
	return ret;
}

int
lr_ctl_json_obj_open(struct lr_ctl_buf *b, const char *key)
{
	return json_open(b, key, '{', '}');
}

int
lr_ctl_json_arr_open(struct lr_ctl_buf *b, const char *key)
{
	return json_open(b, key, '[', ']');
}

int
lr_ctl_json_close(struct lr_ctl_buf *b)
{
	if (b->depth == 0)
		return -EINVAL;
	b->depth--;
	return lr_ctl_buf_append(b, &b->closer[b->depth], 1);
}

int
lr_ctl_json_finish(struct lr_ctl_buf *b)
{
	int ret = 0;

	while (b->depth > 0)
		ret |= lr_ctl_json_close(b);
	return ret ? -ENOMEM : 0;
}

int
lr_ctl_json_str(struct lr_ctl_buf *b, const char *key, const char *val)
{
	int ret = json_key(b, key);

	if (ret < 0)
		return ret;
	if (val == NULL)
		return lr_ctl_buf_append(b, "null", 4);
	return lr_ctl_buf_json_string(b, val);
}

int
lr_ctl_json_u64(struct lr_ctl_buf *b, const char *key, uint64_t val)
{
	int ret = json_key(b, key);

	return ret < 0 ? ret : lr_ctl_buf_printf(b, "%" PRIu64, val);
}

int
lr_ctl_json_i64(struct lr_ctl_buf *b, const char *key, int64_t val)
{
	int ret = json_key(b, key);

	return ret < 0 ? ret : lr_ctl_buf_printf(b, "%" PRId64, val);
}

int
lr_ctl_json_bool(struct lr_ctl_buf *b, const char *key, bool val)
{
	int ret = json_key(b, key);

	return ret < 0 ? ret : lr_ctl_buf_printf(b, "%s", val ? "true" : "false");
}

int
lr_ctl_json_double(struct lr_ctl_buf *b, const char *key, double val, int decimals)
{
	int ret = json_key(b, key);

	if (ret < 0)
		return ret;
	if (!isfinite(val))
		return lr_ctl_buf_append(b, "null", 4);
	return lr_ctl_buf_printf(b, "%.*f", decimals, val);
}

/* True if s is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int
lr_ctl_section_begin(struct lr_ctl_buf *out, bool json, const char *name)
{
	int ret;

	if (json)
		return lr_ctl_json_obj_open(out, name);
	if (name == NULL)
		return 0;
	ret = lr_ctl_buf_printf(out, "%*s%s:\n", (int)out->indent, "", name);
	out->indent += 2;
	return ret;
}

int
lr_ctl_section_end(struct lr_ctl_buf *out, bool json)
{
	if (json)
		return lr_ctl_json_close(out);
	if (out->indent >= 2)
		out->indent -= 2;
	return 0;
}

int
lr_ctl_table_begin(struct lr_ctl_table *t, struct lr_ctl_buf *out, bool json,
		const char *name, const struct lr_ctl_col *cols, unsigned int nb_cols)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->json = json;
	t->cols = cols;
	t->nb_cols = nb_cols;
	if (nb_cols == 0 || nb_cols > LR_CTL_MAX_COLS || cols == NULL) {
		t->err = -EINVAL;
		return t->err;
	}
	if (json) {
		t->err = lr_ctl_json_arr_open(out, name);
	} else if (name != NULL) {
		t->err = lr_ctl_section_begin(out, false, name);
		t->heading = true;
	}
	return t->err;
}

/* A malloc'ed formatted string, or NULL. */
static char *
fmt_alloc(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* The text of a cell or value, or NULL with t->err set (by an earlier error or now). */
static char *
cell_text(struct lr_ctl_table *t, const char *fmt, va_list ap)
{
	char *text;

	if (t->err < 0)
		return NULL;
	text = fmt_alloc(fmt, ap);
	if (text == NULL)
		t->err = -ENOMEM;
	return text;
}

/* "key": text, as a JSON number when num and text is one, else as a string. */
static int
json_text(struct lr_ctl_buf *b, const char *key, const char *text, bool num)
{
	int ret;

	if (!num || !is_json_number(text))
		return lr_ctl_json_str(b, key, text);
	ret = json_key(b, key);
	if (ret == 0)
		ret = lr_ctl_buf_append(b, text, strlen(text));
	return ret;
}

static int
table_store(struct lr_ctl_table *t, char *cell)
{
	char **cells;
	unsigned int cap;

	if (t->nb_cells == t->cap_cells) {
		cap = t->cap_cells ? t->cap_cells * 2 : 64;
		cells = realloc(t->cells, cap * sizeof(*cells));
		if (cells == NULL) {
			free(cell);
			return -ENOMEM;
		}
		t->cells = cells;
		t->cap_cells = cap;
	}
	t->cells[t->nb_cells++] = cell;
	return 0;
}

static int
table_json_cell(struct lr_ctl_table *t, const char *text)
{
	const struct lr_ctl_col *c = &t->cols[t->col];
	int ret = 0;

	if (t->col == 0)
		ret |= lr_ctl_json_obj_open(t->out, NULL);
	ret |= json_text(t->out, c->name, text, c->type == LR_CTL_COL_NUM);
	if (t->col + 1 == t->nb_cols)
		ret |= lr_ctl_json_close(t->out);
	return ret ? -ENOMEM : 0;
}

static int
table_vcell(struct lr_ctl_table *t, const char *fmt, va_list ap)
{
	char *text;
	int ret;

	text = cell_text(t, fmt, ap);
	if (text == NULL)
		return t->err;
	if (t->json) {
		ret = table_json_cell(t, text);
		free(text);
	} else {
		ret = table_store(t, text);
	}
	t->col = (t->col + 1) % t->nb_cols;
	if (ret < 0)
		t->err = ret;
	return ret;
}

int
lr_ctl_table_cell(struct lr_ctl_table *t, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = table_vcell(t, fmt, ap);
	va_end(ap);
	return ret;
}

int
lr_ctl_table_u64(struct lr_ctl_table *t, uint64_t val)
{
	return lr_ctl_table_cell(t, "%" PRIu64, val);
}

/* Render one row of text: cells left or right aligned, two spaces apart. */
static int
table_text_row(struct lr_ctl_table *t, const char *const *cells, const size_t *width)
{
	struct lr_ctl_buf *out = t->out;
	unsigned int c;
	int ret = 0;

	ret |= lr_ctl_buf_printf(out, "%*s", (int)out->indent, "");
	for (c = 0; c < t->nb_cols; c++) {
		const char *s = cells[c] != NULL ? cells[c] : "";
		bool last = c + 1 == t->nb_cols;

		if (t->cols[c].type == LR_CTL_COL_NUM)
			ret |= lr_ctl_buf_printf(out, "%*s", (int)width[c], s);
		else if (last)
			ret |= lr_ctl_buf_printf(out, "%s", s);
		else
			ret |= lr_ctl_buf_printf(out, "%-*s", (int)width[c], s);
		if (!last)
			ret |= lr_ctl_buf_append(out, "  ", 2);
	}
	ret |= lr_ctl_buf_append(out, "\n", 1);
	return ret ? -ENOMEM : 0;
}

static int
table_render_text(struct lr_ctl_table *t)
{
	size_t width[LR_CTL_MAX_COLS];
	const char *hdr[LR_CTL_MAX_COLS];
	const char *row[LR_CTL_MAX_COLS];
	unsigned int c, i;
	int ret;

	for (c = 0; c < t->nb_cols; c++) {
		hdr[c] = t->cols[c].name;
		width[c] = strlen(hdr[c]);
	}
	for (i = 0; i < t->nb_cells; i++) {
		size_t l = strlen(t->cells[i]);

		if (l > width[i % t->nb_cols])
			width[i % t->nb_cols] = l;
	}
	ret = table_text_row(t, hdr, width);
	for (i = 0; i < t->nb_cells && ret == 0; i += t->nb_cols) {
		for (c = 0; c < t->nb_cols; c++)
			row[c] = i + c < t->nb_cells ? t->cells[i + c] : "";
		ret = table_text_row(t, row, width);
	}
	return ret;
}

int
lr_ctl_table_end(struct lr_ctl_table *t)
{
	unsigned int i;
	int ret = t->err;

	if (t->json) {
		/* complete a partial row so the JSON stays valid */
		while (ret == 0 && t->col != 0)
			ret = lr_ctl_table_cell(t, "%s", "");
		if (t->cols != NULL && t->nb_cols > 0 && t->nb_cols <= LR_CTL_MAX_COLS &&
				lr_ctl_json_close(t->out) < 0 && ret == 0)
			ret = -ENOMEM;
	} else {
		if (ret == 0)
			ret = table_render_text(t);
		if (t->heading)
			lr_ctl_section_end(t->out, false);
	}
	for (i = 0; i < t->nb_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nb_cells = 0;
	t->cap_cells = 0;
	return ret;
}

int
lr_ctl_kv_begin(struct lr_ctl_kv *kv, struct lr_ctl_buf *out, bool json, const char *name)
{
	int ret;

	memset(kv, 0, sizeof(*kv));
	kv->cols[0] = (struct lr_ctl_col){ "key", LR_CTL_COL_STR };
	kv->cols[1] = (struct lr_ctl_col){ "value", LR_CTL_COL_STR };
	kv->t.out = out;
	kv->t.json = json;
	kv->t.cols = kv->cols;
	kv->t.nb_cols = 2;
	/*
	 * Without a name there is no text heading, and inside a JSON object the
	 * pairs go straight into that object.
	 */
	if (name == NULL && (!json || (out->depth > 0 && out->closer[out->depth - 1] == '}')))
		return 0;
	kv->section = true;
	ret = lr_ctl_section_begin(out, json, name);
	kv->t.err = ret;
	return ret;
}

static int
kv_add(struct lr_ctl_kv *kv, const char *key, bool num, const char *fmt, va_list ap)
{
	struct lr_ctl_table *t = &kv->t;
	char *text;
	int ret;

	text = cell_text(t, fmt, ap);
	if (text == NULL)
		return t->err;
	if (t->json) {
		ret = json_text(t->out, key, text, num);
		free(text);
	} else {
		char *k = strdup(key);

		ret = k != NULL ? table_store(t, k) : -ENOMEM;
		if (ret == 0)
			ret = table_store(t, text);
		else
			free(text);
	}
	if (ret < 0)
		t->err = ret;
	return ret;
}

int
lr_ctl_kv_str(struct lr_ctl_kv *kv, const char *key, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kv_add(kv, key, false, fmt, ap);
	va_end(ap);
	return ret;
}

static int
kv_num(struct lr_ctl_kv *kv, const char *key, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kv_add(kv, key, true, fmt, ap);
	va_end(ap);
	return ret;
}

int
lr_ctl_kv_u64(struct lr_ctl_kv *kv, const char *key, uint64_t val)
{
	return kv_num(kv, key, "%" PRIu64, val);
}

int
lr_ctl_kv_end(struct lr_ctl_kv *kv)
{
	struct lr_ctl_table *t = &kv->t;
	struct lr_ctl_buf *out = t->out;
	size_t width = 0;
	unsigned int i;
	int ret = t->err;

	if (!t->json && ret == 0) {
		for (i = 0; i < t->nb_cells; i += 2)
			width = RTE_MAX(width, strlen(t->cells[i]));
		for (i = 0; i + 1 < t->nb_cells && ret == 0; i += 2)
			ret = lr_ctl_buf_printf(out, "%*s%-*s  %s\n", (int)out->indent, "",
					(int)width, t->cells[i], t->cells[i + 1]);
	}
	if (kv->section && lr_ctl_section_end(out, t->json) < 0 && ret == 0)
		ret = -ENOMEM;
	for (i = 0; i < t->nb_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nb_cells = 0;
	return ret;
}
