/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Built-in services: UDP echo (RFC 862) and discard (RFC 863).
 */
#ifndef LR_APP_SERVICES_H
#define LR_APP_SERVICES_H

#include <stdint.h>

/**
 * Bind the UDP services (control path). A port of 0 leaves the service off.
 * @return 0 or -errno (-EADDRINUSE if both use one port)
 */
int lr_services_udp_init(uint16_t echo_port, uint16_t discard_port);

#endif /* LR_APP_SERVICES_H */
