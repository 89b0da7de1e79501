/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ARP timers against the table (bench_arp_ticks.c), a section of bench_conn_table.
 */
#ifndef BENCH_ARP_TICKS_H
#define BENCH_ARP_TICKS_H

/**
 * Time lr_arp_tick() with the ARP cache of bench_w sized and filled per case: idle
 * (nothing due) and a wave (every entry due at once). Prints a table; replaces
 * bench_w's ARP cache (run it last).
 * @return the cases that failed their checks
 */
unsigned int bench_arp_ticks(void);

#endif /* BENCH_ARP_TICKS_H */
