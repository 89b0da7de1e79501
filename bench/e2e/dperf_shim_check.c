/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dperf_shim_check: calls DPDK the way dperf does, to test dperf_vdev_shim.c without dperf
 * (tests/integration/test_dperf_shim.sh). Its EAL arguments come from the command line
 * and must name a PCI device with `-a <pci>`; it then looks the port up by that PCI name,
 * as dperf's port_init_port_id() does, and prints what it found:
 *
 *   port <pci>: id <n>, device <name>, <k> port(s)    exit 0
 *   port <pci>: not found, <k> port(s)                 exit 1
 *
 * Without the shim (and no such PCI device) the lookup fails; under it (LR_SHIM_VDEV set)
 * the vdev answers:
 *   LR_SHIM_VDEV=net_null0 LD_PRELOAD=build/bench/libdperf_vdev_shim.so \
 *   build/bench/dperf_shim_check -a 0000:00:01.0 --no-huge -m 64 --in-memory
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

int
main(int argc, char **argv)
{
	char pci[RTE_ETH_NAME_MAX_LEN] = "", name[RTE_ETH_NAME_MAX_LEN] = "";
	uint16_t port_id;
	int i, found;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "-a") == 0)
			snprintf(pci, sizeof(pci), "%s", argv[i + 1]);
	if (pci[0] == '\0') {
		fprintf(stderr, "usage: %s -a <pci> [EAL args]\n", argv[0]);
		return 2;
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "dperf_shim_check: rte_eal_init failed\n");
		return 1;
	}
	found = rte_eth_dev_get_port_by_name(pci, &port_id) == 0;
	if (found && rte_eth_dev_get_name_by_port(port_id, name) != 0)
		found = 0;
	if (found)
		printf("port %s: id %u, device %s, %u port(s)\n", pci, port_id, name,
				rte_eth_dev_count_avail());
	else
		printf("port %s: not found, %u port(s)\n", pci, rte_eth_dev_count_avail());
	rte_eal_cleanup();
	return found ? 0 : 1;
}
