/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The appliance's control commands (stats, ports, cores, arp, config, version),
 * served on the control socket and, when enabled, as DPDK telemetry commands
 * /linerate/stats, /linerate/ports, /linerate/cores, /linerate/arp and
 * /linerate/version.
 *
 * Commands only read worker state (relaxed atomic loads of 64-bit counters and
 * seqlock-consistent ARP copies); they never write it.
 */
#ifndef LR_APP_CTL_CMDS_H
#define LR_APP_CTL_CMDS_H

#include "config.h"

/**
 * Register the commands and start the control server on cfg->control_socket;
 * register the telemetry commands when cfg->telemetry is set. The configuration
 * is copied (for `config`).
 * @param cfg effective configuration
 * @return 0 or -errno (from lr_ctl_register() or lr_ctl_start())
 */
int lr_app_ctl_start(const struct lr_config *cfg);

/** Stop the control server and remove its socket. Telemetry commands stay registered. */
void lr_app_ctl_stop(void);

/**
 * Register the control commands without starting a server (tests run them
 * through lr_ctl_exec()). Idempotent.
 * @param cfg configuration shown by `config` (copied), or NULL for none
 * @return 0 or -errno
 */
int lr_app_ctl_register(const struct lr_config *cfg);

#endif /* LR_APP_CTL_CMDS_H */
