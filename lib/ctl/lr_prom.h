/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Prometheus text exposition writer: format 0.0.4 (text/plain; version=0.0.4), or
 * OpenMetrics 1.0 (application/openmetrics-text; version=1.0.0) when asked.
 *
 * A scrape is written family by family: lr_prom_family() writes its HELP and TYPE
 * lines, then samples of that family only, so every family has exactly one TYPE line
 * and its samples are contiguous. The writer refuses what the format forbids or the
 * Prometheus naming conventions reject, and remembers the first error:
 * - names not matching [a-zA-Z_:][a-zA-Z0-9_:]*, label names not matching
 *   [a-zA-Z_][a-zA-Z0-9_]* or starting with "__";
 * - a family written twice;
 * - a counter whose name does not end in "_total", a gauge or histogram whose name
 *   ends in "_total", "_count", "_sum" or "_bucket";
 * - a label "le" outside histogram buckets, a histogram whose buckets decrease.
 * Label values and HELP text are escaped (backslash, newline, and the double quote
 * where the format asks for it).
 *
 * Counters are named with their "_total" suffix: the 0.0.4 TYPE line carries the full
 * name (as client_golang writes it), the OpenMetrics one the family name without it.
 */
#ifndef LR_PROM_H
#define LR_PROM_H

#include <stdbool.h>
#include <stdint.h>

#include "lr_ctl.h"

#define LR_PROM_NAME_MAX 128  /**< longest metric name, terminator included */
#define LR_PROM_LABELS_MAX 8  /**< labels of one sample */

/** Content type of each format, for the HTTP response. */
#define LR_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define LR_PROM_CONTENT_TYPE_OM "application/openmetrics-text; version=1.0.0; charset=utf-8"

/** Metric type of a family. */
enum lr_prom_type {
	LR_PROM_COUNTER = 0,   /**< monotonic, name ends in "_total" */
	LR_PROM_GAUGE = 1,     /**< current value */
	LR_PROM_HISTOGRAM = 2, /**< cumulative buckets, _sum and _count */
};

/** One label of a sample. */
struct lr_prom_label {
	const char *name;  /**< label name */
	const char *value; /**< any UTF-8 text; escaped on output */
};

/** A scrape being written. */
struct lr_prom {
	struct lr_ctl_buf *out;           /**< where it goes */
	bool openmetrics;                 /**< OpenMetrics instead of 0.0.4 */
	enum lr_prom_type type;           /**< current family's type */
	char family[LR_PROM_NAME_MAX];    /**< current family ("" before the first) */
	char (*seen)[LR_PROM_NAME_MAX];   /**< families written so far */
	unsigned int nb_seen;             /**< entries of seen */
	unsigned int cap_seen;            /**< entries allocated */
	int err;                          /**< first error (0 = none) */
};

/** @return true if s is a valid metric name */
bool lr_prom_name_valid(const char *s);

/** @return true if s is a valid label name (and not reserved: "__" prefix) */
bool lr_prom_label_name_valid(const char *s);

/**
 * Start writing a scrape into out (appended to).
 * @param openmetrics OpenMetrics 1.0 instead of the 0.0.4 text format
 */
void lr_prom_init(struct lr_prom *p, struct lr_ctl_buf *out, bool openmetrics);

/**
 * Start a family: its HELP and TYPE lines.
 * @param name metric name (counters: with "_total")
 * @param help one line of help (escaped)
 * @return 0, -EINVAL (bad name for the type), -EEXIST (family written before), -ENOMEM
 */
int lr_prom_family(struct lr_prom *p, const char *name, enum lr_prom_type type,
		const char *help);

/**
 * A counter or gauge sample of the current family.
 * @param l labels (may be NULL when n is 0)
 * @param n number of labels, at most LR_PROM_LABELS_MAX
 * @return 0, -EINVAL (no family, histogram family, bad label), -ENOMEM
 */
int lr_prom_u64(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n,
		uint64_t v);

/** lr_prom_u64() for a floating point value (NaN, +Inf and -Inf allowed). */
int lr_prom_double(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n,
		double v);

/**
 * A histogram of the current (histogram) family: one _bucket line per bound and
 * le="+Inf", then _sum and _count.
 * @param le upper bounds, increasing
 * @param cum cum[i]: observations <= le[i], non-decreasing, at most count
 * @param nb number of bounds
 * @param sum sum of the observations
 * @param count all observations (the +Inf bucket)
 * @return 0, -EINVAL, -ENOMEM
 */
int lr_prom_histogram(struct lr_prom *p, const struct lr_prom_label *l, unsigned int n,
		const double *le, const uint64_t *cum, unsigned int nb, double sum,
		uint64_t count);

/**
 * End the scrape ("# EOF" in OpenMetrics) and free the writer's memory.
 * @return 0, or the first error met while writing
 */
int lr_prom_finish(struct lr_prom *p);

#endif /* LR_PROM_H */
