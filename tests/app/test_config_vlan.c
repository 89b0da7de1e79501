/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/daemon/config_vlan.c (and the [vlan.M] section, [port.N] vlan and vlan_offload keys
 * it checks): a trunk port with two VLAN interfaces loads, dumps and reloads the same;
 * one case per error, checking that the message names the key and the fix.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_common.h>

#include "config.h"
#include "lr_test.h"
#include "lr_test_config.h"

#define ERRLEN 512

/* One port, untagged, and two VLANs on it. */
static const char trunk_ini[] =
	"[eal]\nlcores = 0-1\nmain_lcore = 0\n"
	"[worker]\nlcores = 1\n"
	"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/24\n"
	"[vlan.0]\nport = 0\nvlan = 100\nip = 198.18.100.2/24\n"
	"[vlan.3]\nport = 0\nvlan = 200\nip = 198.18.200.2/24\nip_count = 4\n"
	"gateway = 198.18.200.1\n";

static struct lr_config cfg;
static char err[ERRLEN];

/* Load text with one optional --set into cfg. */
static int
load_text(const char *text, const char *set)
{
	return lr_test_config_load(&cfg, text, set, err, sizeof(err));
}

/* -EINVAL and a one-line message containing want. */
static void
expect_error(const char *text, const char *set, const char *want)
{
	lr_test_config_expect_error(&cfg, text, set, want, err, sizeof(err));
}

static void
test_config_vlan_trunk_loads(void)
{
	CU_ASSERT_EQUAL_FATAL(load_text(trunk_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].vlan, 0);
	CU_ASSERT_EQUAL(cfg.ports[0].vlan_offload, LR_OFFLOAD_AUTO);
	CU_ASSERT_TRUE(cfg.vlans[0].used);
	CU_ASSERT_EQUAL(cfg.vlans[0].port, 0);
	CU_ASSERT_EQUAL(cfg.vlans[0].vlan, 100);
	CU_ASSERT_EQUAL(cfg.vlans[0].ip, RTE_BE32(RTE_IPV4(198, 18, 100, 2)));
	CU_ASSERT_EQUAL(cfg.vlans[0].prefix_len, 24);
	CU_ASSERT_EQUAL(cfg.vlans[0].ip_count, 1);
	CU_ASSERT_FALSE(cfg.vlans[1].used);
	CU_ASSERT_TRUE(cfg.vlans[3].used);
	CU_ASSERT_EQUAL(cfg.vlans[3].vlan, 200);
	CU_ASSERT_EQUAL(cfg.vlans[3].ip_count, 4);
	CU_ASSERT_EQUAL(cfg.vlans[3].gateway, RTE_BE32(RTE_IPV4(198, 18, 200, 1)));
	/* the port's own interface tagged too, offloads required */
	CU_ASSERT_EQUAL_FATAL(load_text(trunk_ini, "port.0.vlan=4094"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].vlan, 4094);
	CU_ASSERT_EQUAL_FATAL(load_text(trunk_ini, "port.0.vlan_offload=on"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].vlan_offload, LR_OFFLOAD_ON);
	CU_ASSERT_EQUAL_FATAL(load_text(trunk_ini, "vlan.23.port=0"), -EINVAL);
}

/* Dump, reload the dump: the same configuration, [vlan.M] sections included. */
static void
test_config_vlan_dump_load_roundtrip(void)
{
	char *buf;

	CU_ASSERT_EQUAL_FATAL(load_text(trunk_ini, "port.0.vlan=7"), 0);
	buf = lr_test_config_roundtrip(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n[vlan.3]\nport = 0\nvlan = 200\n"
			"ip = 198.18.200.2/24\nip_count = 4\ngateway = 198.18.200.1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nvlan = 7\nvlan_offload = auto\n"));
	free(buf);
}

static void
test_config_vlan_bad_values(void)
{
	expect_error(trunk_ini, "vlan.0.vlan=0", "[vlan.0] vlan: bad value '0': expected an "
			"802.1Q VLAN ID 1..4094");
	expect_error(trunk_ini, "vlan.0.vlan=4095", "[vlan.0] vlan: bad value '4095'");
	expect_error(trunk_ini, "port.0.vlan=4095", "[port.0] vlan: bad value '4095': expected "
			"an 802.1Q VLAN ID 1..4094, or 0 for untagged");
	expect_error(trunk_ini, "port.0.vlan_offload=maybe", "expected auto, on or off");
	expect_error(trunk_ini, "vlan.0.port=8", "[vlan.0] port: bad value '8'");
	expect_error(trunk_ini, "vlan.0.ip=198.18.100.0/24", "network or broadcast address");
	expect_error(trunk_ini, "vlan.24.port=0", "unknown section [vlan.24] (VLAN interfaces "
			"are vlan.0 .. vlan.23)");
	expect_error(trunk_ini, "vlan.0.mtu=1400", "[vlan.0] key 'mtu': unknown key (known: "
			"port, vlan, ip, ip_count, gateway)");
}

static void
test_config_vlan_missing_keys_and_port(void)
{
	expect_error(trunk_ini, "vlan.5.port=0", "[vlan.5] key 'vlan': missing (required: its "
			"802.1Q VLAN ID 1..4094, e.g. 100)");
	expect_error(trunk_ini, "vlan.5.vlan=5", "[vlan.5] key 'port': missing");
	expect_error(trunk_ini, "vlan.0.port=2", "[vlan.0] port: bad value '2': there is no "
			"[port.2] section; expected the N of a configured [port.N]");
}

static void
test_config_vlan_one_interface_per_vid_and_subnet(void)
{
	expect_error(trunk_ini, "vlan.3.vlan=100", "[vlan.3] vlan: bad value '100': [vlan.0] "
			"is on VLAN 100 of [port.0] already; expected one interface per VLAN ID");
	expect_error(trunk_ini, "port.0.vlan=200", "[vlan.3] vlan: bad value '200': [port.0]'s "
			"own interface is on VLAN 200");
	expect_error(trunk_ini, "vlan.0.ip=198.18.0.9/24", "[vlan.0] ip: bad value "
			"'198.18.0.9/24': its subnet overlaps [port.0]'s 198.18.0.2/24; expected a "
			"subnet of its own per interface");
	expect_error(trunk_ini, "vlan.3.ip=198.18.100.200/16", "[vlan.3] ip: bad value "
			"'198.18.100.200/16': its subnet overlaps [port.0]'s");
	expect_error(trunk_ini, "vlan.0.ip=198.18.200.129/25", "[vlan.3] ip: bad value "
			"'198.18.200.2/24': its subnet overlaps [vlan.0]'s 198.18.200.129/25");
}

static void
test_config_vlan_gateway_and_range(void)
{
	expect_error(trunk_ini, "vlan.3.gateway=198.18.0.1", "[vlan.3] gateway: bad value "
			"'198.18.0.1': outside the VLAN's subnet 198.18.200.0/24");
	expect_error(trunk_ini, "vlan.3.gateway=198.18.200.255", "[vlan.3] gateway: bad value "
			"'198.18.200.255': the subnet's network or broadcast address");
	expect_error(trunk_ini, "vlan.3.gateway=198.18.200.4", "[vlan.3] ip_count: bad value "
			"'4': the range from 198.18.200.2 holds the gateway 198.18.200.4");
	expect_error(trunk_ini, "vlan.3.ip_count=254", "[vlan.3] ip_count: bad value '254': "
			"the range from 198.18.200.2 leaves the subnet 198.18.200.0/24 or takes its "
			"broadcast address; expected at most 253");
}

static const CU_TestInfo cases[] = {
	{ "test_config_vlan_trunk_loads", test_config_vlan_trunk_loads },
	{ "test_config_vlan_dump_load_roundtrip", test_config_vlan_dump_load_roundtrip },
	{ "test_config_vlan_bad_values", test_config_vlan_bad_values },
	{ "test_config_vlan_missing_keys_and_port", test_config_vlan_missing_keys_and_port },
	{ "test_config_vlan_one_interface_per_vid_and_subnet",
		test_config_vlan_one_interface_per_vid_and_subnet },
	{ "test_config_vlan_gateway_and_range", test_config_vlan_gateway_and_range },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	struct lr_test_suite suites[] = {{ "config_vlan", NULL, NULL, cases }, { 0 }};

	return lr_test_main(argc, argv, suites);
}
