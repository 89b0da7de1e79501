/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The appliance's control commands (stats, ports, cores, arp, conns, connect,
 * config, version), served on the control socket and, when enabled, as DPDK
 * telemetry commands /linerate/stats, /linerate/ports, /linerate/cores,
 * /linerate/arp, /linerate/conns and /linerate/version.
 *
 * Commands only read worker state (relaxed atomic loads of 64-bit counters and
 * seqlock-consistent ARP copies); they never write it. Connection tables are read
 * on the workers' own lcores through lr_worker_call(); `connect` opens its
 * connection there too.
 */
#ifndef LR_APP_CTL_CMDS_H
#define LR_APP_CTL_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lr_ctl.h"
#include "lr_stats.h"

struct rte_tel_data;

#define LR_APP_TEL_CONNS_MAX 64 /**< connections in one /linerate/conns reply */

/**
 * Register the commands and start the control server on cfg->control_socket;
 * register the telemetry commands when cfg->telemetry is set. The configuration
 * is copied (for `config`).
 * @param cfg effective configuration
 * @return 0 or -errno (from lr_ctl_register() or lr_ctl_start())
 */
int lr_app_ctl_start(const struct lr_config *cfg);

/**
 * Stop the control server (its thread joined) and remove its socket. Telemetry
 * commands stay registered with DPDK but refuse (-ESHUTDOWN) from now on; returns
 * once no telemetry call is running, so worker state may be freed afterwards.
 */
void lr_app_ctl_stop(void);

/**
 * Run a /linerate/ telemetry command as DPDK's telemetry thread would (tests).
 * @return the command's result, -ESHUTDOWN after lr_app_ctl_stop(), -ENOENT if unknown
 */
int lr_app_tel_call(const char *cmd, const char *params, struct rte_tel_data *d);

/**
 * Register the control commands without starting a server (tests run them
 * through lr_ctl_exec()). Idempotent.
 * @param cfg configuration shown by `config` (copied), or NULL for none
 * @return 0 or -errno
 */
int lr_app_ctl_register(const struct lr_config *cfg);

/** A 64-bit counter a worker writes, read on the control thread (relaxed). */
static inline uint64_t
lr_app_load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/**
 * Lower-case copy of a counter name ("BAD_CKSUM" -> "bad_cksum"), cut to fit.
 * @return buf
 */
const char *lr_app_lower(const char *s, char *buf, size_t len);

/** The per-worker counter tables: the layers' (LR_STATS_TABLE) and TCP's. */
enum lr_app_stats_table {
	LR_APP_STATS_LAYERS,  /**< enum lr_stat_id, lr_stats_desc() */
	LR_APP_STATS_TCP,     /**< enum lr_tcp_stat_id, lr_tcp_stat_desc() (layer "tcp") */
	LR_APP_STATS_NB,
};

/** @return the number of counters of table t */
unsigned int lr_app_stats_max(enum lr_app_stats_table t);

/** @return the description of counter id of table t */
const struct lr_stat_desc *lr_app_stats_desc(enum lr_app_stats_table t, unsigned int id);

/** @return counter id of table t of worker i (TCP's: 0 while the worker has no TCP) */
uint64_t lr_app_stats_read(enum lr_app_stats_table t, unsigned int i, unsigned int id);

/*
 * TCP commands (app/ctl/ctl_tcp.c), used by app/ctl/ctl_cmds.c.
 */

/** Register `conns` and `connect`. @return 0 or -errno */
int lr_app_ctl_tcp_register(void);

/**
 * The tcp (counters and connections per state) and services sections of `stats`.
 * @param layer NULL for both, "tcp" or "services" for one
 * @return 0, or non-zero when the output ran out of memory
 */
int lr_app_ctl_stats_tcp(const char *layer, bool json, struct lr_ctl_buf *out);

/** Telemetry /linerate/conns: the first LR_APP_TEL_CONNS_MAX entries. */
int lr_app_tel_conns(const char *cmd, const char *params, struct rte_tel_data *d);

/** Add the "tcp" dict (counters, state_<name> counts) to the /linerate/stats reply. */
void lr_app_tel_stats_tcp(struct rte_tel_data *d);

/** Register `cores` (app/ctl/ctl_cores.c). @return 0 or -errno */
int lr_app_ctl_cores_register(void);

/** Telemetry /linerate/cores: each worker's loop accounting, longest turn and parts. */
int lr_app_tel_cores(const char *cmd, const char *params, struct rte_tel_data *d);

/** Register `mem` and `nomem` (app/ctl/ctl_mem.c). @return 0 or -errno */
int lr_app_ctl_mem_register(void);

/** Register `sample`, what `linerate-ctl top` reads (app/ctl/ctl_sample.c). @return 0 or
 * -errno */
int lr_app_ctl_sample_register(void);

/** /linerate/mem: each worker's budget and every mempool. */
int lr_app_tel_mem(const char *cmd, const char *params, struct rte_tel_data *d);

/*
 * Prometheus metrics (app/ctl/ctl_metrics.c).
 */

/**
 * Write every counter and gauge as a Prometheus scrape (lib/ctl/lr_prom.h). Reads
 * only what workers publish; no worker call. An lr_ctl_metrics_fn.
 * @param openmetrics OpenMetrics 1.0 instead of the 0.0.4 text format
 * @return 0, or -errno from the writer (a bug: a name or label it refused, or -ENOMEM)
 */
int lr_app_metrics(struct lr_ctl_buf *out, bool openmetrics);

/** Register `metrics` (the same text on the control socket). @return 0 or -errno */
int lr_app_ctl_metrics_register(void);

/**
 * Open the metrics endpoint on cfg->metrics (nothing when it is empty); it is served
 * once lr_app_ctl_start() starts the control thread.
 * @return 0 or -errno of lr_ctl_metrics_listen()
 */
int lr_app_metrics_listen(const struct lr_config *cfg);

#endif /* LR_APP_CTL_CMDS_H */
