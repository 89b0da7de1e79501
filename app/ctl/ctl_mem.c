/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory commands: `mem` (each worker's budget and every mempool of the process, also
 * /linerate/mem in telemetry) and `nomem` (allocation-failure injection at runtime,
 * set on each worker's own lcore through its mailbox).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "ctl_cmds.h"
#include "lr_core.h"
#include "lr_ctl.h"
#include "lr_mem.h"

#define NOMEM_CALL_TIMEOUT_MS 5000

/* A consistent-enough copy of a worker's budget (each field read once, relaxed). */
static void
mem_read(const struct lr_worker *w, struct lr_mem *m)
{
	unsigned int u;

	m->conf.low = lr_app_load64(&w->mem.conf.low);
	m->conf.pressure = lr_app_load64(&w->mem.conf.pressure);
	m->conf.high = lr_app_load64(&w->mem.conf.high);
	m->used = lr_app_load64(&w->mem.used);
	m->peak = lr_app_load64(&w->mem.peak);
	for (u = 0; u < LR_MEM_USERS; u++)
		m->by_user[u] = lr_app_load64(&w->mem.by_user[u]);
	m->level = __atomic_load_n(&w->mem.level, __ATOMIC_RELAXED);
}

static const char *
level_name(enum lr_mem_level l)
{
	return l == LR_MEM_NORMAL ? "normal" : "pressure";
}

struct pool_walk {
	struct lr_ctl_table *t;
	struct rte_tel_data *d;
};

static void
pool_row(struct rte_mempool *mp, void *arg)
{
	struct pool_walk *pw = arg;

	lr_ctl_table_cell(pw->t, "%s", mp->name);
	lr_ctl_table_u64(pw->t, mp->size);
	lr_ctl_table_u64(pw->t, rte_mempool_in_use_count(mp));
	lr_ctl_table_u64(pw->t, rte_mempool_avail_count(mp));
}

/*
 * mem: per worker the budget (used, peak, by holder, level, thresholds) and every
 * mempool (name, size, in use, available). In-use counts are exact when the workers
 * are idle (rte_mempool_in_use_count(): per-lcore caches included).
 */
static int
cmd_mem(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	static const struct lr_ctl_col cols[] = {
		{ "name", LR_CTL_COL_STR }, { "size", LR_CTL_COL_NUM },
		{ "in_use", LR_CTL_COL_NUM }, { "avail", LR_CTL_COL_NUM },
	};
	struct lr_ctl_table t;
	struct pool_walk pw = { .t = &t };
	struct lr_ctl_kv kv;
	struct lr_mem m;
	char name[32];
	unsigned int i, u;
	int ret = 0;

	RTE_SET_USED(argv);
	if (argc > 1)
		return lr_ctl_errorf(out, "usage: mem");
	ret |= lr_ctl_section_begin(out, json, "workers");
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		mem_read(&lr_workers[i], &m);
		snprintf(name, sizeof(name), json ? "%u" : "worker %u", i);
		ret |= lr_ctl_kv_begin(&kv, out, json, name);
		ret |= lr_ctl_kv_u64(&kv, "used", m.used);
		ret |= lr_ctl_kv_u64(&kv, "peak", m.peak);
		ret |= lr_ctl_kv_str(&kv, "level", "%s", level_name(m.level));
		ret |= lr_ctl_kv_u64(&kv, "high", m.conf.high);
		ret |= lr_ctl_kv_u64(&kv, "pressure", m.conf.pressure);
		ret |= lr_ctl_kv_u64(&kv, "low", m.conf.low);
		for (u = 0; u < LR_MEM_USERS; u++)
			ret |= lr_ctl_kv_u64(&kv, lr_mem_user_names[u], m.by_user[u]);
		for (u = 0; u < LR_POOL_MAX; u++) {
			snprintf(name, sizeof(name), "nomem_%s", lr_pool_names[u]);
			ret |= lr_ctl_kv_u64(&kv, name,
					lr_app_load64(&lr_workers[i].nomem.injected[u]));
		}
		ret |= lr_ctl_kv_end(&kv);
	}
	ret |= lr_ctl_section_end(out, json);
	ret |= lr_ctl_table_begin(&t, out, json, "mempools", cols, RTE_DIM(cols));
	rte_mempool_walk(pool_row, &pw);
	ret |= lr_ctl_table_end(&t);
	return ret ? -ENOMEM : 0;
}

static void
tel_pool(struct rte_mempool *mp, void *arg)
{
	struct pool_walk *pw = arg;
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "size", mp->size);
	rte_tel_data_add_dict_u64(c, "in_use", rte_mempool_in_use_count(mp));
	rte_tel_data_add_dict_u64(c, "avail", rte_mempool_avail_count(mp));
	if (rte_tel_data_add_dict_container(pw->d, mp->name, c, 0) < 0)
		rte_tel_data_free(c);
}

int
lr_app_tel_mem(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *c, *pools;
	struct pool_walk pw;
	struct lr_mem m;
	unsigned int i, u;
	char key[16];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < lr_nb_workers && i < LR_MAX_WORKERS; i++) {
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		mem_read(&lr_workers[i], &m);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "used", m.used);
		rte_tel_data_add_dict_u64(c, "peak", m.peak);
		rte_tel_data_add_dict_string(c, "level", level_name(m.level));
		rte_tel_data_add_dict_u64(c, "high", m.conf.high);
		rte_tel_data_add_dict_u64(c, "pressure", m.conf.pressure);
		rte_tel_data_add_dict_u64(c, "low", m.conf.low);
		for (u = 0; u < LR_MEM_USERS; u++)
			rte_tel_data_add_dict_u64(c, lr_mem_user_names[u], m.by_user[u]);
		snprintf(key, sizeof(key), "worker%u", i);
		if (rte_tel_data_add_dict_container(d, key, c, 0) < 0)
			rte_tel_data_free(c);
	}
	pools = rte_tel_data_alloc();
	if (pools == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(pools);
	pw.d = pools;
	rte_mempool_walk(tel_pool, &pw);
	if (rte_tel_data_add_dict_container(d, "mempools", pools, 0) < 0)
		rte_tel_data_free(pools);
	return 0;
}

/* What a worker applies to its own injection rules (freed by the worker). */
struct nomem_req {
	bool clear;
	enum lr_pool_id pool;
	uint32_t after, count, every;
};

static void
nomem_apply(struct lr_worker *w, void *arg)
{
	struct nomem_req *r = arg;

	if (r->clear)
		lr_nomem_clear(&w->nomem);
	else
		lr_nomem_set(&w->nomem, r->pool, r->after, r->count, r->every);
	free(r);
}

static bool
parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* Post r to worker w (a copy each); @return 0 or -errno */
static int
nomem_post(struct lr_worker *w, const struct nomem_req *r)
{
	struct nomem_req *c;

	if (__atomic_load_n(&w->call_req, __ATOMIC_ACQUIRE) !=
			__atomic_load_n(&w->call_done, __ATOMIC_ACQUIRE))
		return -EBUSY; /* an earlier call timed out and is still posted */
	c = malloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	*c = *r;
	/* On timeout c stays the worker's: it frees it when it runs the call. */
	return lr_worker_call(w, nomem_apply, c, NOMEM_CALL_TIMEOUT_MS);
}

#define NOMEM_USAGE "usage: nomem POOL AFTER COUNT [EVERY] [worker N] | nomem clear [worker N]" \
	" (POOL: data, indirect, conn, ooo, svc; COUNT: failures, or 'forever')"

/*
 * nomem POOL AFTER COUNT [EVERY] [worker N]: on every worker (or worker N), let
 * AFTER allocations from POOL through, then fail COUNT ('forever': until cleared),
 * and independently one in EVERY. nomem clear [worker N] removes every rule.
 */
static int
cmd_nomem(int argc, char *const argv[], bool json, struct lr_ctl_buf *out)
{
	struct nomem_req r = { 0 };
	uint32_t worker = UINT32_MAX, i;
	int n = argc, pool, rc;

	RTE_SET_USED(json);
	if (n >= 3 && strcmp(argv[n - 2], "worker") == 0) {
		if (!parse_u32(argv[n - 1], &worker) || worker >= lr_nb_workers)
			return lr_ctl_errorf(out, "nomem: worker '%.16s': expected 0..%u",
					argv[n - 1], lr_nb_workers - 1u);
		n -= 2;
	}
	if (n == 2 && strcmp(argv[1], "clear") == 0) {
		r.clear = true;
	} else {
		if (n < 4 || n > 5)
			return lr_ctl_errorf(out, NOMEM_USAGE);
		pool = lr_pool_by_name(argv[1]);
		if (pool < 0)
			return lr_ctl_errorf(out, "nomem: unknown pool '%.32s' (data, indirect, "
					"conn, ooo, svc)", argv[1]);
		r.pool = (enum lr_pool_id)pool;
		if (!parse_u32(argv[2], &r.after))
			return lr_ctl_errorf(out, "nomem: AFTER '%.16s': expected a count",
					argv[2]);
		if (strcmp(argv[3], "forever") == 0)
			r.count = UINT32_MAX;
		else if (!parse_u32(argv[3], &r.count))
			return lr_ctl_errorf(out, "nomem: COUNT '%.16s': expected a count or "
					"'forever'", argv[3]);
		if (n == 5 && !parse_u32(argv[4], &r.every))
			return lr_ctl_errorf(out, "nomem: EVERY '%.16s': expected a count "
					"(0 = off)", argv[4]);
	}
	for (i = 0; i < lr_nb_workers; i++) {
		if (worker != UINT32_MAX && i != worker)
			continue;
		rc = nomem_post(&lr_workers[i], &r);
		if (rc != 0)
			return lr_ctl_errorf(out, "nomem: worker %u: %s", i, strerror(-rc));
	}
	return lr_ctl_buf_printf(out, "%s\n", r.clear ? "cleared" : "armed") ? -ENOMEM : 0;
}

int
lr_app_ctl_mem_register(void)
{
	int ret;

	ret = lr_ctl_register("mem", "memory budget of each worker and every mempool", cmd_mem);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	ret = lr_ctl_register("nomem", "allocation-failure injection: POOL AFTER COUNT [EVERY] "
			"[worker N] | clear", cmd_nomem);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	return 0;
}
