/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linerate-ctl top: a live per-interval table of the running appliance, like dperf's
 * per-second output. Each interval it reads `sample` (app/ctl/ctl_sample.c: every
 * worker's counters, never reset) and prints the differences as rates, per worker
 * and in total: RX and TX packets/s, connections established/s (CPS), connections
 * held, segments retransmitted/s, drops/s and the top three drop reasons, and the
 * busy share of the worker's loop. The interval is measured on the daemon's TSC, so
 * a late answer does not skew the rates.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linerate_ctl.h"

#define TOP_MAX_WORKERS 128
#define TOP_MAX_DROPS 512  /* distinct (worker, counter) drop entries per sample */
#define TOP_NAME_MAX 48
#define TOP_SHOW_DROPS 3

struct top_worker {
	uint64_t rx, tx, conns, busy, idle, estab, rexmt;
};

struct top_drop {
	unsigned int worker;
	char name[TOP_NAME_MAX];
	uint64_t v;
};

struct top_sample {
	uint64_t hz, tsc;
	unsigned int nb_workers;
	struct top_worker w[TOP_MAX_WORKERS];
	unsigned int nb_drops;
	struct top_drop d[TOP_MAX_DROPS];
};

/* One row's rates. */
struct top_row {
	double rx_pps, tx_pps, cps, rexmt_ps, drops_ps, busy_pct;
	uint64_t conns;
	struct top_drop top[TOP_SHOW_DROPS]; /* v: drops in the interval */
	unsigned int nb_top;
};

static volatile sig_atomic_t top_stop;

static void
on_int(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* Parse the body of a `sample` answer. @return 0 or -1 (malformed) */
static int
parse_sample(char *body, struct top_sample *s)
{
	char *save = NULL, *line;
	int version, got = 0;

	memset(s, 0, sizeof(*s));
	for (line = strtok_r(body, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct top_worker t;
		unsigned int id;

		if (sscanf(line, "sample %d %" SCNu64 " %" SCNu64, &version, &s->hz, &s->tsc) == 3) {
			if (version != 1 || s->hz == 0)
				return -1;
			got = 1;
		} else if (sscanf(line, "w %u %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %"
				SCNu64 " %" SCNu64 " %" SCNu64, &id, &t.rx, &t.tx, &t.conns, &t.busy,
				&t.idle, &t.estab, &t.rexmt) == 8) {
			if (id >= TOP_MAX_WORKERS)
				return -1;
			s->w[id] = t;
			if (id + 1 > s->nb_workers)
				s->nb_workers = id + 1;
		} else if (line[0] == 'd' && s->nb_drops < TOP_MAX_DROPS) {
			struct top_drop *d = &s->d[s->nb_drops];

			if (sscanf(line, "d %u %47s %" SCNu64, &d->worker, d->name, &d->v) != 3 ||
					d->worker >= TOP_MAX_WORKERS)
				return -1;
			s->nb_drops++;
		} else if (strcmp(line, "end") == 0) {
			return got ? 0 : -1;
		}
	}
	return -1;
}

static int
read_sample(const char *path, double timeout, struct top_sample *s)
{
	static const char req[] = "sample\n";
	char *resp = NULL;
	size_t len = 0;
	int ret;

	if (ctl_query(path, req, sizeof(req) - 1, timeout, &resp, &len) != 0)
		return -1;
	if (len < 3 || memcmp(resp, "OK\n", 3) != 0) {
		fprintf(stderr, "%s: top: the daemon did not answer `sample` (%.60s): is it an "
				"older linerate?\n", prog, resp);
		free(resp);
		return -1;
	}
	ret = parse_sample(resp + 3, s);
	if (ret != 0)
		fprintf(stderr, "%s: top: malformed `sample` answer\n", prog);
	free(resp);
	return ret;
}

/* The value of drop counter (worker, name) in s, 0 if absent. */
static uint64_t
drop_of(const struct top_sample *s, unsigned int worker, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nb_drops; i++)
		if (s->d[i].worker == worker && strcmp(s->d[i].name, name) == 0)
			return s->d[i].v;
	return 0;
}

/* Keep the TOP_SHOW_DROPS largest (name, n) in r->top, merging equal names. */
static void
top_add(struct top_row *r, const char *name, uint64_t n)
{
	unsigned int i, min = 0;

	for (i = 0; i < r->nb_top; i++) {
		if (strcmp(r->top[i].name, name) == 0) {
			r->top[i].v += n;
			return;
		}
	}
	if (r->nb_top < TOP_SHOW_DROPS) {
		snprintf(r->top[r->nb_top].name, TOP_NAME_MAX, "%s", name);
		r->top[r->nb_top++].v = n;
		return;
	}
	for (i = 1; i < r->nb_top; i++)
		if (r->top[i].v < r->top[min].v)
			min = i;
	if (n > r->top[min].v) {
		snprintf(r->top[min].name, TOP_NAME_MAX, "%s", name);
		r->top[min].v = n;
	}
}

static int
cmp_drop_desc(const void *a, const void *b)
{
	const struct top_drop *x = a, *y = b;

	return x->v < y->v ? 1 : x->v > y->v ? -1 : strcmp(x->name, y->name);
}

/*
 * Rates of worker @p worker (or of all when worker == TOP_MAX_WORKERS) between two
 * samples. Counters that went back (a restarted daemon) count from zero.
 */
static void
top_rates(const struct top_sample *a, const struct top_sample *b, unsigned int worker,
		struct top_row *r)
{
	double secs = (double)(b->tsc - a->tsc) / (double)b->hz;
	uint64_t busy = 0, idle = 0, drops = 0;
	unsigned int i, lo = worker, hi = worker + 1;

	memset(r, 0, sizeof(*r));
	if (worker == TOP_MAX_WORKERS) {
		lo = 0;
		hi = b->nb_workers;
	}
	if (secs <= 0)
		secs = 1e-9;
#define DELTA(f) (b->w[i].f >= a->w[i].f ? b->w[i].f - a->w[i].f : b->w[i].f)
	for (i = lo; i < hi; i++) {
		r->rx_pps += (double)DELTA(rx) / secs;
		r->tx_pps += (double)DELTA(tx) / secs;
		r->cps += (double)DELTA(estab) / secs;
		r->rexmt_ps += (double)DELTA(rexmt) / secs;
		r->conns += b->w[i].conns;
		busy += DELTA(busy);
		idle += DELTA(idle);
	}
#undef DELTA
	r->busy_pct = busy + idle > 0 ? 100.0 * (double)busy / (double)(busy + idle) : 0.0;
	for (i = 0; i < b->nb_drops; i++) {
		const struct top_drop *d = &b->d[i];
		uint64_t old, n;

		if (d->worker < lo || d->worker >= hi)
			continue;
		old = drop_of(a, d->worker, d->name);
		n = d->v >= old ? d->v - old : d->v;
		if (n == 0)
			continue;
		drops += n;
		top_add(r, d->name, n);
	}
	r->drops_ps = (double)drops / secs;
	qsort(r->top, r->nb_top, sizeof(r->top[0]), cmp_drop_desc);
}

static void
print_text_row(const char *label, const struct top_row *r)
{
	unsigned int i;

	printf("%-7s %11.0f %11.0f %10.0f %9" PRIu64 " %9.0f %9.0f %6.1f ", label, r->rx_pps,
			r->tx_pps, r->cps, r->conns, r->rexmt_ps, r->drops_ps, r->busy_pct);
	for (i = 0; i < r->nb_top; i++)
		printf("%s%s:%" PRIu64, i ? " " : "", r->top[i].name, r->top[i].v);
	printf("%s\n", r->nb_top == 0 ? "-" : "");
}

static void
print_json_row(const char *key, const struct top_row *r, bool last_in_list)
{
	unsigned int i;

	printf("%s{\"rx_pps\":%.0f,\"tx_pps\":%.0f,\"cps\":%.0f,\"conns\":%" PRIu64
			",\"rexmt_per_s\":%.0f,\"drops_per_s\":%.0f,\"busy_pct\":%.1f,\"top_drops\":{",
			key, r->rx_pps, r->tx_pps, r->cps, r->conns, r->rexmt_ps, r->drops_ps,
			r->busy_pct);
	for (i = 0; i < r->nb_top; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", r->top[i].name, r->top[i].v);
	printf("}}%s", last_in_list ? "" : ",");
}

static void
print_interval(const struct top_sample *a, const struct top_sample *b, bool json,
		unsigned int n)
{
	double secs = (double)(b->tsc - a->tsc) / (double)b->hz;
	struct top_row r;
	char label[16];
	unsigned int i;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if (json) {
		printf("{\"n\":%u,\"time\":%lld,\"interval_s\":%.3f,\"workers\":[", n,
				(long long)now, secs);
		for (i = 0; i < b->nb_workers; i++) {
			top_rates(a, b, i, &r);
			printf("{\"worker\":%u,", i);
			print_json_row("\"rates\":", &r, true);
			printf("}%s", i + 1 < b->nb_workers ? "," : "");
		}
		printf("],");
		top_rates(a, b, TOP_MAX_WORKERS, &r);
		print_json_row("\"total\":", &r, true);
		printf("}\n");
	} else {
		printf("%02d:%02d:%02d  interval %.2f s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, secs);
		printf("%-7s %11s %11s %10s %9s %9s %9s %6s %s\n", "worker", "rx_pps", "tx_pps",
				"cps", "conns", "rexmt/s", "drops/s", "busy%",
				"top drops (in the interval)");
		for (i = 0; i < b->nb_workers; i++) {
			snprintf(label, sizeof(label), "%u", i);
			top_rates(a, b, i, &r);
			print_text_row(label, &r);
		}
		top_rates(a, b, TOP_MAX_WORKERS, &r);
		print_text_row("total", &r);
	}
	fflush(stdout);
}

/* Sleep until @p until (CLOCK_MONOTONIC seconds), or a signal. */
static void
sleep_until(double until)
{
	double left;

	while (!top_stop && (left = until - now_s()) > 0) {
		struct timespec ts = {
			.tv_sec = (time_t)left,
			.tv_nsec = (long)((left - (double)(time_t)left) * 1e9),
		};

		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			break;
	}
}

int
ctl_top(const char *path, double timeout, bool json, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	static struct top_sample s[2];
	double interval = 1.0, next;
	unsigned long count = 0, done = 0;
	char *end;
	int opt, cur = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:i:", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || count == 0 || count > 1000000) {
				fprintf(stderr, "%s: top: --count wants 1..1000000 intervals, not "
						"'%s'\n", prog, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr, "%s: top: --interval wants seconds 0.1..3600, not "
						"'%s'\n", prog, optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "usage: %s [--json] top [--count N] [--interval SEC]\n", prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: top: unexpected argument '%s'\n", prog, argv[optind]);
		return EXIT_USAGE;
	}
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	if (read_sample(path, timeout, &s[0]) != 0)
		return EXIT_USAGE;
	next = now_s() + interval;
	while (!top_stop && (count == 0 || done < count)) {
		sleep_until(next);
		if (top_stop)
			break;
		next += interval;
		if (next < now_s())   /* a late read: the next interval is a whole one again,
				       * not the few ms left of the schedule (rates of 0) */
			next = now_s() + interval;
		if (read_sample(path, timeout, &s[cur ^ 1]) != 0)
			return EXIT_USAGE;
		cur ^= 1;
		print_interval(&s[cur ^ 1], &s[cur], json, (unsigned int)++done);
	}
	return EXIT_OK;
}
