/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Fault injection on a port's RX and TX paths: loss, duplication, reordering and
 * delay, off by default, counted. For users testing their own clients and for our
 * tests (this kernel has no netem).
 */
#ifndef LR_FAULT_H
#define LR_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "lr_core.h"

/** Faults on one direction of one port. Probabilities in parts per million. */
struct lr_fault_conf {
	uint32_t loss_ppm;     /**< a packet is dropped */
	uint32_t dup_ppm;      /**< a packet is sent twice */
	uint32_t reorder_ppm;  /**< a packet is held back and sent after the next one */
	uint32_t delay_us;     /**< every packet is delayed this long */
	uint32_t jitter_us;    /**< plus a uniform random 0..jitter_us */
};

/** @return true if any fault is configured. */
static inline bool
lr_fault_enabled(const struct lr_fault_conf *c)
{
	return c->loss_ppm || c->dup_ppm || c->reorder_ppm || c->delay_us || c->jitter_us;
}

#endif /* LR_FAULT_H */
