/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/daemon/config.c: defaults, every shipped pmd_config file, --set, one case per error
 * class (checking the message, not only the return code), dump/load round trip and
 * the EAL argv.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <rte_common.h>

#include "config.h"
#include "mempools.h"
#include "lr_test.h"
#include "lr_test_config.h"

#ifndef LR_SOURCE_DIR
#define LR_SOURCE_DIR ".."
#endif

#define ERRLEN 512

/* A minimal valid file: one TAP port, one worker. */
static const char base_ini[] =
	"[eal]\nlcores = 0-1\nmain_lcore = 0\n"
	"[worker]\nlcores = 1\n"
	"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/24\n";

static struct lr_config cfg;
static char err[ERRLEN];

static const char *
source_dir(void)
{
	const char *d = getenv("LR_SOURCE_DIR");

	return d != NULL && d[0] != '\0' ? d : LR_SOURCE_DIR;
}

static const char *
pmd_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/pmd_config/%s", source_dir(), name);
	return buf;
}

/* Load text (NULL: no file) with one optional --set into cfg. */
static int
load_text(const char *text, const char *set)
{
	return lr_test_config_load(&cfg, text, set, err, sizeof(err));
}

/* The file/--set must fail with -EINVAL and a one-line message containing want. */
static void
expect_error(const char *text, const char *set, const char *want)
{
	lr_test_config_expect_error(&cfg, text, set, want, err, sizeof(err));
}

static void
test_config_defaults(void)
{
	lr_config_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.eal_lcores, "0-1");
	CU_ASSERT_EQUAL(cfg.eal_main_lcore, -1);
	CU_ASSERT_STRING_EQUAL(cfg.eal_file_prefix, "");
	CU_ASSERT(!cfg.eal_in_memory);
	CU_ASSERT(cfg.eal_huge);
	CU_ASSERT_EQUAL(cfg.eal_memory_mb, 0);
	CU_ASSERT_STRING_EQUAL(cfg.control_socket, "/run/linerate/linerate.sock");
	CU_ASSERT(cfg.telemetry);
	CU_ASSERT_EQUAL(cfg.mbufs, 8191);
	CU_ASSERT_EQUAL(cfg.mbuf_cache, 256);
	CU_ASSERT_EQUAL(cfg.burst, 32);
	CU_ASSERT_EQUAL(cfg.rx_drain, 4);
	CU_ASSERT_EQUAL(cfg.idle, LR_IDLE_SLEEP);
	CU_ASSERT_EQUAL(cfg.idle_sleep_us, 50);
	CU_ASSERT(!cfg.ports[0].used);
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 1500);
	CU_ASSERT_EQUAL(cfg.ports[0].rx_desc, 1024);
	CU_ASSERT_EQUAL(cfg.ports[0].tx_desc, 1024);
	CU_ASSERT_EQUAL(cfg.ports[0].rx_cksum, LR_OFFLOAD_AUTO);
	CU_ASSERT_EQUAL(memcmp(&cfg.arp, &lr_arp_conf_default, sizeof(cfg.arp)), 0);
	CU_ASSERT_EQUAL(memcmp(&cfg.ip, &lr_ip_conf_default, sizeof(cfg.ip)), 0);
	CU_ASSERT_EQUAL(cfg.udp_echo_port, 7);
	CU_ASSERT_EQUAL(cfg.udp_discard_port, 9);
	CU_ASSERT_EQUAL(memcmp(&cfg.tcp, &lr_tcp_conf_default, sizeof(cfg.tcp)), 0);
	CU_ASSERT_EQUAL(cfg.tcp_echo_port, 7);
	CU_ASSERT_EQUAL(cfg.tcp_discard_port, 9);
	CU_ASSERT_EQUAL(cfg.tcp_chargen_port, 19);
	CU_ASSERT_EQUAL(cfg.tcp_http_port, 80);
	CU_ASSERT_EQUAL(cfg.http_body_size, 128);
	CU_ASSERT(cfg.http_keepalive);
	CU_ASSERT_EQUAL(cfg.fault_seed, 1);
	CU_ASSERT(!lr_fault_enabled(&cfg.ports[0].fault_rx));
	CU_ASSERT(!lr_fault_enabled(&cfg.ports[0].fault_tx));
	/* no file, no port: the defaults alone are valid */
	CU_ASSERT_EQUAL(load_text(NULL, NULL), 0);
	CU_ASSERT_EQUAL(load_text("", NULL), 0);
}

static void
test_config_every_pmd_config_loads(void)
{
	char dir[512], path[1024];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;
	int ret;

	snprintf(dir, sizeof(dir), "%s/pmd_config", source_dir());
	d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ret = lr_config_load(&cfg, path, NULL, 0, err, sizeof(err));
		if (ret != 0)
			printf("\n  %s: %s\n", de->d_name, err);
		CU_ASSERT_EQUAL(ret, 0);
		CU_ASSERT(cfg.ports[0].used);
		n++;
	}
	closedir(d);
	CU_ASSERT(n >= 10);
}

static void
test_config_tap_ini_values(void)
{
	char path[512];

	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("tap.ini", path, sizeof(path)),
			NULL, 0, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.path, path);
	CU_ASSERT_STRING_EQUAL(cfg.eal_lcores, "0-1");
	CU_ASSERT_EQUAL(cfg.eal_main_lcore, 0);
	CU_ASSERT_STRING_EQUAL(cfg.eal_file_prefix, "lr-tap");
	CU_ASSERT_STRING_EQUAL(cfg.control_socket, "/run/linerate/tap.sock");
	CU_ASSERT_STRING_EQUAL(cfg.worker_lcores, "1");
	CU_ASSERT_EQUAL(cfg.idle, LR_IDLE_SLEEP);
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].device, "net_tap0,iface=lr0");
	CU_ASSERT(cfg.ports[0].has_mac);
	CU_ASSERT(rte_is_same_ether_addr(&cfg.ports[0].mac, &lr_test_our_mac));
	CU_ASSERT_EQUAL(cfg.ports[0].ip, rte_cpu_to_be_32(LR_TEST_OUR_IP));
	CU_ASSERT_EQUAL(cfg.ports[0].prefix_len, 24);
	CU_ASSERT_EQUAL(cfg.ports[0].gateway, 0);
	CU_ASSERT(!cfg.ports[1].used);
	CU_ASSERT_EQUAL(cfg.udp_echo_port, 7);
	CU_ASSERT_EQUAL(cfg.udp_discard_port, 9);
	CU_ASSERT_EQUAL(cfg.tcp_echo_port, 7);
	CU_ASSERT_EQUAL(cfg.tcp_discard_port, 9);
	CU_ASSERT_EQUAL(cfg.tcp_chargen_port, 19);
	CU_ASSERT_EQUAL(cfg.tcp_http_port, 80);
}

static void
test_config_set_overrides_file_and_creates_port(void)
{
	char path[512];
	char *sets[] = {
		"port.0.ip=198.18.7.2/16", "port.0.gateway = 198.18.0.1", "worker.burst=64",
		"eal.file_prefix=lr-x", "worker.idle=POLL", "port.0.promiscuous=on",
		"port.1.device=net_tap1,iface=lr1", "port.1.ip=198.19.0.2/24",
		"port.1.rx_desc=512", "ip.ttl=1", "icmp.error_rate=0", "arp.retries=5",
		"udp.echo=0", "eal.in_memory=true", "eal.huge=0", "port.0.tx_cksum=off",
	};

	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("tap.ini", path, sizeof(path)),
			sets, RTE_DIM(sets), err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].ip, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 7, 2)));
	CU_ASSERT_EQUAL(cfg.ports[0].prefix_len, 16);
	CU_ASSERT_EQUAL(cfg.ports[0].gateway, rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 1)));
	CU_ASSERT(cfg.ports[0].promiscuous);
	CU_ASSERT_EQUAL(cfg.ports[0].tx_cksum, LR_OFFLOAD_OFF);
	CU_ASSERT_EQUAL(cfg.burst, 64);
	CU_ASSERT_EQUAL(cfg.idle, LR_IDLE_POLL);
	CU_ASSERT_STRING_EQUAL(cfg.eal_file_prefix, "lr-x");
	CU_ASSERT(cfg.eal_in_memory);
	CU_ASSERT(!cfg.eal_huge);
	CU_ASSERT(cfg.ports[1].used);
	CU_ASSERT_STRING_EQUAL(cfg.ports[1].device, "net_tap1,iface=lr1");
	CU_ASSERT_EQUAL(cfg.ports[1].ip, rte_cpu_to_be_32(RTE_IPV4(198u, 19, 0, 2)));
	CU_ASSERT_EQUAL(cfg.ports[1].rx_desc, 512);
	CU_ASSERT_EQUAL(cfg.ports[1].mtu, 1500);
	CU_ASSERT_EQUAL(cfg.ip.ttl, 1);
	CU_ASSERT_EQUAL(cfg.ip.icmp_rate, 0);
	CU_ASSERT_EQUAL(cfg.arp.retries, 5);
	CU_ASSERT_EQUAL(cfg.udp_echo_port, 0);
	/* the last --set of a key wins */
	CU_ASSERT_EQUAL(load_text(base_ini, "worker.burst=8"), 0);
	CU_ASSERT_EQUAL(cfg.burst, 8);
	CU_ASSERT_EQUAL(load_text(base_ini, "worker.rx_drain=1"), 0);
	CU_ASSERT_EQUAL(cfg.rx_drain, 1);
	CU_ASSERT_NOT_EQUAL(load_text(base_ini, "worker.rx_drain=0"), 0);
	CU_ASSERT_NOT_EQUAL(load_text(base_ini, "worker.rx_drain=65"), 0);
}

static void
test_config_bool_spellings(void)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	char set[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		snprintf(set, sizeof(set), "port.0.promiscuous=%s", yes[i]);
		CU_ASSERT_EQUAL(load_text(base_ini, set), 0);
		CU_ASSERT(cfg.ports[0].promiscuous);
	}
	for (i = 0; i < RTE_DIM(no); i++) {
		snprintf(set, sizeof(set), "app.telemetry=%s", no[i]);
		CU_ASSERT_EQUAL(load_text(base_ini, set), 0);
		CU_ASSERT(!cfg.telemetry);
	}
	expect_error(base_ini, "port.0.promiscuous=maybe",
		"[port.0] promiscuous: bad value 'maybe': expected yes/no");
}

static void
test_config_unknown_section_and_key(void)
{
	expect_error("[foo]\nx = 1\n", NULL,
		"unknown section [foo] (known: eal, app, worker, port.N, vlan.M, arp, ip, icmp, udp, tcp, loadgen)");
	expect_error(base_ini, "foo.x=1", "--set: unknown section [foo] (known: eal");
	expect_error(base_ini, "port.8.ip=1.2.3.4/24",
		"unknown section [port.8] (ports are port.0 .. port.7)");
	expect_error(base_ini, "port.0.ipp=1.2.3.4/24",
		"--set: [port.0] key 'ipp': unknown key (known: device, mac, ip, gateway, mtu");
	expect_error("[port.0]\ndevice = net_null0\nipp = 1.2.3.4/24\n", NULL,
		"[port.0] key 'ipp': unknown key (known: device, mac, ip,");
	CU_ASSERT_EQUAL(strncmp(err, "/tmp/lr-test-config-", 20), 0);
	expect_error(base_ini, "eal.lcores", "expected section.key=value");
	expect_error(base_ini, "nodot=1", "expected section.key=value");
}

static void
test_config_bad_addresses(void)
{
	expect_error(base_ini, "port.0.ip=198.18.0/24",
		"[port.0] ip: bad value '198.18.0/24': expected an IPv4 prefix like 198.18.0.2/24");
	expect_error(base_ini, "port.0.ip=198.18.0.2", "expected an IPv4 prefix");
	expect_error(base_ini, "port.0.ip=198.18.0.2/33",
		"bad value '198.18.0.2/33': expected an IPv4 prefix");
	expect_error(base_ini, "port.0.ip=198.18.0.2/0", "expected an IPv4 prefix");
	expect_error(base_ini, "port.0.ip=198.18.0.0/24", "network or broadcast address");
	expect_error(base_ini, "port.0.ip=224.0.0.1/24", "not a unicast address");
	expect_error(base_ini, "port.0.gateway=10.0.0.1",
		"[port.0] gateway: bad value '10.0.0.1': outside the port's subnet 198.18.0.0/24");
	expect_error(base_ini, "port.0.gateway=198.18.0.2", "the port's own");
	expect_error(base_ini, "port.0.gateway=1.2.3", "[port.0] gateway: bad value '1.2.3'");
	expect_error(base_ini, "port.0.mac=01:00:5e:00:00:01", "not a unicast address");
	expect_error(base_ini, "port.0.mac=02:4c:52:00:00", "expected a unicast MAC");
	expect_error(base_ini, "port.0.device=eth0",
		"[port.0] device: bad value 'eth0': expected a vdev like net_tap0,iface=lr0");
	/* /31 and /32 have no network or broadcast address */
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.ip=198.18.0.0/31"), 0);
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.ip=198.18.0.2/32"), 0);
}

/* [port.N] ip_count: a range of addresses from ip, inside the subnet. */
static void
test_config_address_range(void)
{
	static const char two_ports[] =
		"[eal]\nlcores = 0-1\nmain_lcore = 0\n[worker]\nlcores = 1\n"
		"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/24\nip_count = 64\n"
		"[port.1]\ndevice = net_tap1,iface=lr1\nip = 198.18.0.60/24\n";

	CU_ASSERT_EQUAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].ip_count, 1);
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.ip_count=64"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].ip_count, 64);
	/* .2 .. .254: the last host before the broadcast address */
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.ip_count=253"), 0);
	expect_error(base_ini, "port.0.ip_count=254",
		"[port.0] ip_count: bad value '254': 198.18.0.2 + 253 leaves the subnet "
		"198.18.0.0/24 or takes its broadcast address; expected at most 253 addresses "
		"from 198.18.0.2, or a shorter prefix");
	expect_error(base_ini, "port.0.ip_count=0",
		"[port.0] ip_count: bad value '0': expected a count of addresses 1..65536");
	expect_error(base_ini, "port.0.ip_count=65537", "expected a count of addresses");
	expect_error(base_ini, "port.0.ip_count=many", "expected a count of addresses");
	/* /31: both addresses are hosts */
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.ip=198.18.0.0/31"), 0);
	expect_error("[eal]\nlcores = 0-1\nmain_lcore = 0\n[worker]\nlcores = 1\n"
		"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/32\nip_count = 2\n",
		NULL, "[port.0] ip_count: bad value '2': 198.18.0.2 + 1 leaves the subnet "
		"198.18.0.2/32; expected at most 1 addresses");
	expect_error("[eal]\nlcores = 0-1\nmain_lcore = 0\n[worker]\nlcores = 1\n"
		"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/24\nip_count = 8\n"
		"gateway = 198.18.0.5\n", NULL,
		"[port.0] ip_count: bad value '8': the range 198.18.0.2-198.18.0.9 holds the "
		"gateway 198.18.0.5; expected a range that leaves the gateway out");
	expect_error(two_ports, NULL,
		"[port.1] ip: bad value '198.18.0.60/24': inside [port.0]'s range (ip_count 64 "
		"from 198.18.0.2); expected an address outside it, or a lower ip_count there");
	expect_error(two_ports, "port.1.ip=198.18.0.65/24", "inside [port.0]'s range");
	expect_error(two_ports, "port.1.ip_count=8",
		"[port.1] ip_count: bad value '8': the range 198.18.0.60-198.18.0.67 overlaps "
		"[port.0]'s (64 from 198.18.0.2); expected ranges that do not overlap");
	CU_ASSERT_EQUAL(load_text(two_ports, "port.1.ip=198.18.0.66/24"), 0);
}

static void
test_config_numbers_out_of_range(void)
{
	expect_error(base_ini, "udp.echo=70000",
		"[udp] echo: bad value '70000': expected a UDP port number 1..65535, or 0 for off");
	expect_error(base_ini, "udp.discard=-1", "expected a UDP port number 1..65535");
	expect_error(base_ini, "udp.discard=7",
		"[udp] discard: bad value '7': duplicate service port");
	expect_error(base_ini, "port.0.mtu=67", "[port.0] mtu: bad value '67': expected");
	expect_error(base_ini, "port.0.rx_desc=1000", "expected a power of two 64..4096");
	expect_error(base_ini, "port.0.tx_desc=8192", "expected a power of two 64..4096");
	expect_error(base_ini, "worker.burst=65", "[worker] burst: bad value '65'");
	expect_error(base_ini, "worker.burst=0", "[worker] burst: bad value '0'");
	expect_error(base_ini, "ip.ttl=0", "[ip] ttl: bad value '0'");
	expect_error(base_ini, "ip.frag_max_per_flow=8", "unknown key");
	expect_error("[app]\nmbufs = 700\n", "app.mbuf_cache=512",
		"[app] mbuf_cache: bad value '512': too large for 700 mbufs");
	expect_error("[app]\nmbufs = 512\nmbuf_cache = 300\n", NULL,
		"[app] mbufs: bad value '512': 1 workers each need 514 (mbuf_cache x 1.5 + 64");
	expect_error(base_ini, "worker.idle_sleep_us=1x", "[worker] idle_sleep_us: bad value");
	CU_ASSERT_EQUAL(load_text(base_ini, "udp.echo=0"), 0);
	CU_ASSERT_EQUAL(load_text(base_ini, "udp.echo=65535"), 0);
}

static void roundtrip(void);

static void
test_config_tcp_keys(void)
{
	char *sets[] = {
		"tcp.max_conns=1000", "tcp.max_listeners=16", "tcp.sndbuf=131072",
		"tcp.rcv_wnd=262144", "tcp.window_scaling=yes", "tcp.timestamps=on",
		"tcp.msl_ms=1000", "tcp.rto_init_ms=500", "tcp.rto_min_ms=100",
		"tcp.rto_max_ms=30000", "tcp.syn_retries=2", "tcp.synack_retries=3",
		"tcp.max_retries=4", "tcp.fin_wait2_ms=5000", "tcp.port_lo=40000",
		"tcp.port_hi=40100", "tcp.delack_ms=40", "tcp.quickack=3", "tcp.keepalive_ms=7200000",
		"tcp.keepalive_intvl_ms=75000", "tcp.keepalive_probes=9", "tcp.half_open_max=256",
		"tcp.syncookies=no", "tcp.challenge_ack_per_s=1000", "tcp.ooo_max=32",
		"tcp.echo=7007", "tcp.discard=0", "tcp.chargen=1919", "tcp.http=8080",
		"tcp.http_body_size=1048576", "tcp.http_keepalive=no",
		"tcp.max_tw=512",
	};

	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, NULL, sets, RTE_DIM(sets), err,
			sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.tcp.max_conns, 1000);
	CU_ASSERT_EQUAL(cfg.tcp.max_listeners, 16);
	CU_ASSERT_EQUAL(cfg.tcp.sndbuf, 131072);
	CU_ASSERT_EQUAL(cfg.tcp.rcv_wnd, 262144);
	CU_ASSERT(cfg.tcp.window_scaling);
	CU_ASSERT(cfg.tcp.timestamps);
	CU_ASSERT_EQUAL(cfg.tcp.msl_ms, 1000);
	CU_ASSERT_EQUAL(cfg.tcp.rto_init_ms, 500);
	CU_ASSERT_EQUAL(cfg.tcp.rto_min_ms, 100);
	CU_ASSERT_EQUAL(cfg.tcp.rto_max_ms, 30000);
	CU_ASSERT_EQUAL(cfg.tcp.syn_retries, 2);
	CU_ASSERT_EQUAL(cfg.tcp.synack_retries, 3);
	CU_ASSERT_EQUAL(cfg.tcp.max_retries, 4);
	CU_ASSERT_EQUAL(cfg.tcp.fin_wait2_ms, 5000);
	CU_ASSERT_EQUAL(cfg.tcp.port_lo, 40000);
	CU_ASSERT_EQUAL(cfg.tcp.port_hi, 40100);
	CU_ASSERT_EQUAL(cfg.tcp.delack_ms, 40);
	CU_ASSERT_EQUAL(cfg.tcp.quickack, 3);
	CU_ASSERT_EQUAL(cfg.tcp.keepalive_ms, 7200000);
	CU_ASSERT_EQUAL(cfg.tcp.keepalive_intvl_ms, 75000);
	CU_ASSERT_EQUAL(cfg.tcp.keepalive_probes, 9);
	CU_ASSERT_EQUAL(cfg.tcp.half_open_max, 256);
	CU_ASSERT(!cfg.tcp.syncookies);
	CU_ASSERT_EQUAL(cfg.tcp.challenge_ack_per_s, 1000);
	CU_ASSERT_EQUAL(cfg.tcp.ooo_max, 32);
	CU_ASSERT_EQUAL(cfg.tcp_echo_port, 7007);
	CU_ASSERT_EQUAL(cfg.tcp_discard_port, 0);
	CU_ASSERT_EQUAL(cfg.tcp_chargen_port, 1919);
	CU_ASSERT_EQUAL(cfg.tcp_http_port, 8080);
	CU_ASSERT_EQUAL(cfg.http_body_size, 1048576);
	CU_ASSERT(!cfg.http_keepalive);
	CU_ASSERT_EQUAL(cfg.tcp.max_tw, 512);
	CU_ASSERT_PTR_NULL(cfg.tcp.isn_fn);
	roundtrip();
}

static void
test_config_tcp_errors(void)
{
	expect_error(base_ini, "tcp.http=7",
		"[tcp] http: bad value '7': duplicate service port, echo uses it already");
	expect_error(base_ini, "tcp.chargen=9",
		"[tcp] chargen: bad value '9': duplicate service port, discard uses it already");
	/* TCP and UDP services may share a number */
	CU_ASSERT_EQUAL(load_text(base_ini, "udp.echo=80"), 0);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.discard=0"), 0);
	expect_error(base_ini, "tcp.echo=65536",
		"[tcp] echo: bad value '65536': expected a TCP port number 1..65535, or 0 for off");
	expect_error(base_ini, "tcp.port_lo=61000",
		"[tcp] port_lo: bad value '61000': above port_hi 60999");
	expect_error(base_ini, "tcp.rto_min_ms=70000",
		"[tcp] rto_min_ms: bad value '70000': above rto_max_ms 60000");
	expect_error(base_ini, "tcp.rto_init_ms=100",
		"[tcp] rto_init_ms: bad value '100': outside rto_min_ms..rto_max_ms (200..60000)");
	expect_error("[tcp]\nrcv_wnd = 65536\n", "tcp.window_scaling=no",
		"[tcp] rcv_wnd: bad value '65536': above 65535 without window scaling");
	CU_ASSERT_EQUAL(load_text("[tcp]\nrcv_wnd = 65535\n", "tcp.window_scaling=no"), 0);
	expect_error(base_ini, "tcp.max_conns=0", "[tcp] max_conns: bad value '0': expected");
	expect_error(base_ini, "tcp.max_tw=0",
		"[tcp] max_tw: bad value '0': expected TIME_WAIT entries per worker 1..4194304");
	expect_error(base_ini, "tcp.max_tw=4194305", "[tcp] max_tw: bad value '4194305'");
	expect_error(base_ini, "tcp.delack_ms=500",
		"[tcp] delack_ms: bad value '500': expected milliseconds 0..499");
	expect_error(base_ini, "tcp.quickack=256",
		"[tcp] quickack: bad value '256': expected a segment count 0..255");
	expect_error(base_ini, "tcp.syn_retries=256", "[tcp] syn_retries: bad value '256'");
	expect_error(base_ini, "tcp.sndbuf=1k", "[tcp] sndbuf: bad value '1k'");
	expect_error(base_ini, "tcp.http_keepalive=maybe",
		"[tcp] http_keepalive: bad value 'maybe': expected yes/no");
	expect_error(base_ini, "tcp.mss=1460", "[tcp] key 'mss': unknown key (known: max_conns,");
}

/* The RFC 5961 / RFC 6528 keys: defaults, values, and errors naming the key and range. */
static void
test_config_tcp_rate_and_isn_keys(void)
{
	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.challenge_ack_per_conn_ms, 500);
	CU_ASSERT_EQUAL(cfg.tcp.rst_per_s, 1000);
	CU_ASSERT_EQUAL(cfg.tcp.isn_rekey_s, 3600);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.challenge_ack_per_conn_ms=0"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.challenge_ack_per_conn_ms, 0);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.rst_per_s=200"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.rst_per_s, 200);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.isn_rekey_s=0"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.isn_rekey_s, 0);
	roundtrip();
	expect_error(base_ini, "tcp.challenge_ack_per_s=0",
		"[tcp] challenge_ack_per_s: bad value '0': expected a rate 1..1000000");
	expect_error(base_ini, "tcp.challenge_ack_per_conn_ms=60001",
		"[tcp] challenge_ack_per_conn_ms: bad value '60001': expected milliseconds 0..60000");
	expect_error(base_ini, "tcp.rst_per_s=0",
		"[tcp] rst_per_s: bad value '0': expected a rate 1..1000000");
	expect_error(base_ini, "tcp.isn_rekey_s=2592001",
		"[tcp] isn_rekey_s: bad value '2592001': expected seconds 0..2592000");
}

static void
test_config_fault_keys(void)
{
	static const struct {
		const char *val;
		uint32_t ppm;
	} ok[] = {
		{ "2", 20000 }, { "0.5", 5000 }, { "2%", 20000 }, { "0.0001", 1 },
		{ "100", 1000000 }, { "0", 0 }, { "12.25%", 122500 }, { "007", 70000 },
	};
	static const char *const bad[] = {
		"101", "100.0001", "0.00001", "-1", "1.", ".5", "abc", "2%%", "", "1e2", "1 %",
	};
	char set[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(ok); i++) {
		snprintf(set, sizeof(set), "port.0.rx_loss=%s", ok[i].val);
		CU_ASSERT_EQUAL(load_text(base_ini, set), 0);
		CU_ASSERT_EQUAL(cfg.ports[0].fault_rx.loss_ppm, ok[i].ppm);
	}
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(set, sizeof(set), "port.0.tx_dup=%s", bad[i]);
		expect_error(base_ini, set, "expected a percentage 0..100 with at most 4 decimals");
	}
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.tx_reorder=1.5"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].fault_tx.reorder_ppm, 15000);
	CU_ASSERT(!lr_fault_enabled(&cfg.ports[0].fault_rx));
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.rx_delay_us=2500"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].fault_rx.delay_us, 2500);
	CU_ASSERT_EQUAL(load_text(base_ini, "port.0.tx_jitter_us=100"), 0);
	CU_ASSERT_EQUAL(cfg.ports[0].fault_tx.jitter_us, 100);
	expect_error(base_ini, "port.0.rx_jitter_us=1000001",
		"[port.0] rx_jitter_us: bad value '1000001': expected microseconds 0..1000000");
	CU_ASSERT_EQUAL(load_text(base_ini, "worker.fault_seed=18446744073709551615"), 0);
	CU_ASSERT_EQUAL(cfg.fault_seed, UINT64_MAX);
	CU_ASSERT_EQUAL(load_text(base_ini, "worker.fault_seed=0"), 0);
	CU_ASSERT_EQUAL(cfg.fault_seed, 0);
	expect_error(base_ini, "worker.fault_seed=18446744073709551616",
		"[worker] fault_seed: bad value '18446744073709551616'");
	expect_error(base_ini, "worker.fault_seed=-1", "[worker] fault_seed: bad value '-1'");
}

/* The overload shedding keys: defaults, values, the dump, errors naming the key. */
static void
test_config_syn_shed_keys(void)
{
	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_backlog, 4);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_tx_us, 1000);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_busy_pct, 50);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.syn_shed_busy_pct=0"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_busy_pct, 0);
	expect_error(base_ini, "tcp.syn_shed_busy_pct=101",
		"[tcp] syn_shed_busy_pct: bad value '101': expected a percentage 0..100 of busy "
		"cycles (0 = the RX backlog alone sheds)");
	CU_ASSERT_EQUAL(load_text("[tcp]\nsyn_shed_tx_us = 250\nsyn_shed_backlog = 0\n", NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_tx_us, 250);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_backlog, 0);
	roundtrip();
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.syn_shed_tx_us=0"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.syn_shed_tx_us, 0);
	expect_error(base_ini, "tcp.syn_shed_tx_us=1000001",
		"[tcp] syn_shed_tx_us: bad value '1000001': expected microseconds 0..1000000 "
		"(0 = never shed on a full TX queue)");
}

/* [tcp] cc, slow_start_after_idle, hystart and the services' <svc>_cc: defaults, values, the
 * dump, and errors naming the key. */
static void
test_config_cc_keys(void)
{
	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.cc, LR_TCP_CC_CUBIC); /* as Linux */
	CU_ASSERT(cfg.tcp.slow_start_after_idle);
	CU_ASSERT(cfg.tcp.hystart);
	CU_ASSERT_EQUAL(cfg.tcp_echo_cc, LR_CFG_CC_DEFAULT);
	CU_ASSERT_EQUAL(cfg.tcp_http_cc, LR_CFG_CC_DEFAULT);
	CU_ASSERT_EQUAL(load_text("[tcp]\ncc = newreno\nslow_start_after_idle = no\nhystart = no\n"
			"echo_cc = newreno\nhttp_cc = cubic\ndiscard_cc = default\n", NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.cc, LR_TCP_CC_NEWRENO);
	CU_ASSERT_STRING_EQUAL(lr_tcp_cc_name(cfg.tcp.cc), "newreno");
	CU_ASSERT(!cfg.tcp.slow_start_after_idle);
	CU_ASSERT(!cfg.tcp.hystart);
	CU_ASSERT_EQUAL(cfg.tcp_echo_cc, LR_TCP_CC_NEWRENO);
	CU_ASSERT_EQUAL(cfg.tcp_http_cc, LR_TCP_CC_CUBIC);
	CU_ASSERT_EQUAL(cfg.tcp_discard_cc, LR_CFG_CC_DEFAULT);
	CU_ASSERT_EQUAL(cfg.tcp_chargen_cc, LR_CFG_CC_DEFAULT);
	roundtrip();
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.cc=NewReno"), 0);
	CU_ASSERT_EQUAL(cfg.tcp.cc, LR_TCP_CC_NEWRENO);
	CU_ASSERT_EQUAL(load_text(base_ini, "tcp.chargen_cc=cubic"), 0);
	CU_ASSERT_EQUAL(cfg.tcp_chargen_cc, LR_TCP_CC_CUBIC);
	expect_error(base_ini, "tcp.cc=bbr", "[tcp] cc: bad value 'bbr': expected newreno or cubic");
	expect_error(base_ini, "tcp.cc=default",
		"[tcp] cc: bad value 'default': expected newreno or cubic");
	expect_error(base_ini, "tcp.echo_cc=reno",
		"[tcp] echo_cc: bad value 'reno': expected newreno, cubic or default");
	expect_error(base_ini, "tcp.slow_start_after_idle=2",
		"[tcp] slow_start_after_idle: bad value '2': expected yes/no");
	expect_error(base_ini, "tcp.hystart=maybe",
		"[tcp] hystart: bad value 'maybe': expected yes/no");
}

/* [tcp] ecn (Linux tcp_ecn values), the services' <svc>_ecn (-1: [tcp] ecn) and the
 * ports' rx_ce / tx_ce: defaults, values, the dump, and errors naming the key. */
static void
test_config_ecn_keys(void)
{
	char text[512];

	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.ecn, LR_TCP_ECN_OFF);
	CU_ASSERT_EQUAL(cfg.tcp_echo_ecn, -1);
	CU_ASSERT_EQUAL(cfg.tcp_http_ecn, -1);
	snprintf(text, sizeof(text), "%srx_ce = 2\ntx_ce = 0.5%%\n"
			"[tcp]\necn = 1\necho_ecn = 0\nhttp_ecn = 2\n", base_ini);
	CU_ASSERT_EQUAL(load_text(text, NULL), 0);
	CU_ASSERT_EQUAL(cfg.tcp.ecn, LR_TCP_ECN_ON);
	CU_ASSERT_EQUAL(cfg.tcp_echo_ecn, LR_TCP_ECN_OFF);
	CU_ASSERT_EQUAL(cfg.tcp_http_ecn, LR_TCP_ECN_ACCEPT);
	CU_ASSERT_EQUAL(cfg.tcp_discard_ecn, -1);
	CU_ASSERT_EQUAL(cfg.ports[0].fault_rx.ce_ppm, 20000);
	CU_ASSERT_EQUAL(cfg.ports[0].fault_tx.ce_ppm, 5000);
	roundtrip();
	expect_error(base_ini, "tcp.ecn=3", "[tcp] ecn: bad value '3': expected 0 (off), 1");
	expect_error(base_ini, "tcp.chargen_ecn=-2", "[tcp] chargen_ecn: bad value '-2'");
	expect_error(base_ini, "port.0.rx_ce=101", "[port.0] rx_ce: bad value '101'");
}

static void
test_config_bad_enums(void)
{
	expect_error(base_ini, "worker.idle=nap",
		"[worker] idle: bad value 'nap': expected poll, pause or sleep");
	expect_error(base_ini, "port.0.rx_cksum=maybe", "expected auto, on or off");
	CU_ASSERT_EQUAL(load_text(base_ini, "worker.idle=pause"), 0);
	CU_ASSERT_EQUAL(cfg.idle, LR_IDLE_PAUSE);
}

static void
test_config_lcores(void)
{
	char set[64];
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	expect_error(base_ini, "worker.lcores=0",
		"[worker] lcores: lcore 0 not available: it is the main lcore");
	expect_error(base_ini, "worker.lcores=5",
		"[worker] lcores: lcore 5 not available: not in [eal] lcores '0-1'");
	expect_error(base_ini, "worker.lcores=1-", "[worker] lcores: bad value '1-'");
	expect_error(base_ini, "worker.lcores=1,1", "[worker] lcores: bad value '1,1'");
	expect_error(base_ini, "eal.main_lcore=3", "[eal] main_lcore: bad value '3': not in");
	expect_error(base_ini, "eal.lcores=0 1", "[eal] lcores: bad value '0 1'");
	expect_error(base_ini, "worker.lcores=",
		"[worker] key 'lcores': missing (required when a port is configured");
	if (ncpu > 0 && ncpu < 100) {
		snprintf(set, sizeof(set), "eal.lcores=0-1,%ld", ncpu + 1);
		expect_error(base_ini, set, "[eal] lcores: lcore");
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not available: this machine has"));
	}
	/* main lcore defaults to the lowest of the list */
	CU_ASSERT_EQUAL(load_text("[eal]\nlcores = 0-1\n[worker]\nlcores = 0\n"
			"[port.0]\ndevice = net_null0\nip = 198.18.0.2/24\n", NULL), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "it is the main lcore"));
	/* '@' remapping skips the membership checks */
	CU_ASSERT_EQUAL(load_text(base_ini, "eal.lcores=0@0,1@0"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.eal_lcores, "0@0,1@0");
}

static void
test_config_missing_keys_and_file(void)
{
	expect_error("[worker]\nlcores = 1\n[port.0]\ndevice = net_null0\n", NULL,
		"[port.0] key 'ip': missing (required: the port's IPv4 address/prefix, "
		"e.g. 198.18.0.2/24)");
	expect_error("[worker]\nlcores = 1\n[port.0]\nip = 198.18.0.2/24\n", NULL,
		"[port.0] key 'device': missing (required:");
	expect_error(base_ini, "port.1.ip=198.19.0.2/24", "[port.1] key 'device': missing");
	CU_ASSERT_EQUAL(lr_config_load(&cfg, "/nonexistent/linerate.ini", NULL, 0, err,
			sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/linerate.ini: cannot read: "
		"No such file or directory");
}

static void
test_config_syntax_errors(void)
{
	expect_error("[eal]\nlcores 0-1\n", NULL, ":2: expected 'key = value'");
	expect_error("lcores = 0-1\n[eal]\n", NULL, ":1: 'lcores = 0-1' comes before any");
	expect_error("[eal\nlcores = 0-1\n", NULL, ":1: bad section header '[eal'");
	expect_error("[eal]\nlcores = 0-1\nlcores = 0-2\n", NULL,
		"[eal] key 'lcores': given twice");
	expect_error("[eal]\n[app]\n[eal]\n", NULL, "section [eal] appears twice");
	expect_error("[GLOBAL]\nx = 1\n", NULL, "unknown section [GLOBAL]");
	/* comments: ';' anywhere, '#' at the start of a line */
	CU_ASSERT_EQUAL(load_text("; c\n# c = 1\n[eal] ; c\n  # x\nlcores = 0-1 ; c\n", NULL),
		0);
}

/* Dump, reload the dump: the same configuration. */
static void
roundtrip(void)
{
	free(lr_test_config_roundtrip(&cfg));
}

static void
test_config_dump_load_roundtrip(void)
{
	char path[512];
	char *sets[] = {
		"port.0.gateway=198.18.0.1", "port.1.device=0000:03:00.0,rxq_cqe_comp_en=1",
		"port.1.ip=198.19.0.2/24", "port.1.mac=02:00:00:00:00:09",
		"eal.args=--no-telemetry --vdev=net_null9", "eal.log_level=lib.eal:debug *:info",
		"eal.main_lcore=-1", "worker.idle=pause", "port.1.rx_cksum=on", "icmp.error_burst=7",
		"port.0.rx_loss=0.5", "port.0.tx_dup=2%", "port.1.rx_reorder=0.0125",
		"port.1.tx_delay_us=300", "port.0.rx_jitter_us=50", "worker.fault_seed=42",
		"tcp.http=0", "tcp.window_scaling=no", "tcp.rcv_wnd=65535",
		"tcp.http_body_size=0",
	};

	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	roundtrip();
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("tap.ini", path, sizeof(path)),
			sets, RTE_DIM(sets), err, sizeof(err)), 0);
	roundtrip();
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("nic-mlx5.ini", path, sizeof(path)),
			NULL, 0, err, sizeof(err)), 0);
	roundtrip();
}

static int
find_arg(char **argv, int argc, const char *a)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], a) == 0)
			return i;
	return -1;
}

/* argv[i] == opt and argv[i + 1] == val for some i */
static bool
has_opt(char **argv, int argc, const char *opt, const char *val)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], opt) == 0 && strcmp(argv[i + 1], val) == 0)
			return true;
	return false;
}

static void
test_config_eal_args(void)
{
	char path[512], storage[2048];
	char *argv[64];
	char *sets[] = { "eal.args=--no-telemetry  --syslog=daemon", "eal.memory_mb=256",
		"eal.huge=no", "eal.in_memory=yes", "eal.log_level=*:info pmd.*:debug" };
	int argc;

	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("tap.ini", path, sizeof(path)),
			sets, RTE_DIM(sets), err, sizeof(err)), 0);
	argc = lr_config_eal_args(&cfg, "linerate", argv, RTE_DIM(argv), storage,
		sizeof(storage));
	CU_ASSERT_FATAL(argc > 0);
	CU_ASSERT_PTR_NULL(argv[argc]);
	CU_ASSERT_STRING_EQUAL(argv[0], "linerate");
	CU_ASSERT(has_opt(argv, argc, "-l", "0-1"));
	CU_ASSERT(has_opt(argv, argc, "--main-lcore", "0"));
	CU_ASSERT(has_opt(argv, argc, "--file-prefix", "lr-tap"));
	CU_ASSERT(has_opt(argv, argc, "--vdev", "net_tap0,iface=lr0"));
	CU_ASSERT(has_opt(argv, argc, "-m", "256"));
	CU_ASSERT(has_opt(argv, argc, "--log-level", "*:info"));
	CU_ASSERT(has_opt(argv, argc, "--log-level", "pmd.*:debug"));
	CU_ASSERT(find_arg(argv, argc, "--no-pci") > 0);
	CU_ASSERT(find_arg(argv, argc, "--no-huge") > 0);
	/* EAL refuses --in-memory with --no-huge: --no-shconf stands in for it */
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--in-memory"), -1);
	CU_ASSERT(find_arg(argv, argc, "--no-shconf") > 0);
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--no-telemetry"), argc - 2);
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--syslog=daemon"), argc - 1);

	/* a PCI port: -a ADDR (with its devargs), no --no-pci, no --main-lcore if unset */
	CU_ASSERT_EQUAL_FATAL(lr_config_load(&cfg, pmd_path("nic-ice.ini", path, sizeof(path)),
			(char *[]){ "port.0.device=0000:17:00.0,rx_low_latency=1",
				"eal.main_lcore=-1" }, 2, err, sizeof(err)), 0);
	argc = lr_config_eal_args(&cfg, "linerate", argv, RTE_DIM(argv), storage,
		sizeof(storage));
	CU_ASSERT_FATAL(argc > 0);
	CU_ASSERT(has_opt(argv, argc, "-a", "0000:17:00.0,rx_low_latency=1"));
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--no-pci"), -1);
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--vdev"), -1);
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--main-lcore"), -1);
	CU_ASSERT_EQUAL(find_arg(argv, argc, "--no-huge"), -1);

	/* too little room */
	CU_ASSERT_EQUAL(lr_config_eal_args(&cfg, "linerate", argv, 3, storage, sizeof(storage)),
		-E2BIG);
	CU_ASSERT_EQUAL(lr_config_eal_args(&cfg, "linerate", argv, RTE_DIM(argv), storage, 16),
		-E2BIG);
}

/* Memory model keys (pools): RX pool sizing, budget thresholds, their errors. */
static const char two_workers_ini[] =
	"[eal]\nlcores = 0@0,1@1,2@0\nmain_lcore = 0\n"
	"[worker]\nlcores = 1-2\nsteering = sw\n"
	"[port.0]\ndevice = net_tap0,iface=lr0\nip = 198.18.0.2/24\n";

static void
test_config_memory_model_sizing(void)
{
	struct lr_rx_need need;
	struct lr_mem_conf mc;

	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, NULL), 0);
	CU_ASSERT_EQUAL(cfg.rx_mbufs, 0);
	CU_ASSERT_EQUAL(cfg.mem_high, 0);
	CU_ASSERT_EQUAL(cfg.mem_pressure_pct, 70);
	CU_ASSERT_EQUAL(cfg.mem_low_pct, 50);
	/* one worker: RX ring 1024 + TX ring 1024 + TX hold 512 + burst 32 + 1 port x 64 +
	 * cache 384 */
	CU_ASSERT_EQUAL(cfg.tx_hold, 512);
	CU_ASSERT_EQUAL(lr_rx_mbufs_need(&cfg, 0, 1024, 1, false, &need), 3040);
	CU_ASSERT_EQUAL(need.tx_rings, 1024 + 512);
	CU_ASSERT_EQUAL(need.steer, 0);
	CU_ASSERT_EQUAL(need.fault, 0);
	/* auto budget: 3/4 of 8191 mbufs of 2304 bytes, pressure 70 %, low 50 % */
	lr_mem_conf_of(&cfg, 1, &mc);
	CU_ASSERT_EQUAL(mc.high, (uint64_t)8191 * LR_DATA_MBUF_TRUESIZE / 4 * 3);
	CU_ASSERT_EQUAL(mc.pressure, mc.high * 70 / 100);
	CU_ASSERT_EQUAL(mc.low, mc.high / 2);
	/* two workers, software steering: both may hold the queue's buffers, plus a ring */
	CU_ASSERT_EQUAL_FATAL(load_text(two_workers_ini, "port.0.rx_delay_us=100"), 0);
	CU_ASSERT_EQUAL(lr_rx_mbufs_need(&cfg, 0, 1024, 2, true, &need),
			1024 + 2 * (1024 + 512) + 2 * 96 + 2 * 384 + 1024 + LR_FAULT_QUEUE_SIZE + 1);
	CU_ASSERT_EQUAL(need.steer, 1024);
	lr_mem_conf_of(&cfg, 2, &mc);
	CU_ASSERT_EQUAL(mc.high, (uint64_t)(8191 / 2) * LR_DATA_MBUF_TRUESIZE / 4 * 3);
	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, "app.mem_high=1000000"), 0);
	lr_mem_conf_of(&cfg, 1, &mc);
	CU_ASSERT_EQUAL(mc.high, 1000000);
	CU_ASSERT_EQUAL(mc.pressure, 700000);
	CU_ASSERT_EQUAL(mc.low, 500000);
	CU_ASSERT_EQUAL(load_text(base_ini, "app.rx_mbufs=3040"), 0);
	/* without a TX hold a refused frame is dropped at once: the ring alone */
	CU_ASSERT_EQUAL_FATAL(load_text(base_ini, "worker.tx_hold=0"), 0);
	CU_ASSERT_EQUAL(lr_rx_mbufs_need(&cfg, 0, 1024, 1, false, &need), 2528);
}

static void
test_config_memory_model_errors(void)
{
	expect_error(base_ini, "app.rx_mbufs=3039", "[app] rx_mbufs: bad value '3039': an RX "
		"queue of [port.0] can have 3040 mbufs out at once (RX ring 1024, TX rings 1536,");
	expect_error(base_ini, "app.rx_mbufs=3039", "expected at least 3040, or 0 for auto");
	expect_error(two_workers_ini, "app.rx_mbufs=3000", "expected at least 6080");
	expect_error(base_ini, "worker.tx_hold=16385", "[worker] tx_hold: bad value '16385': "
		"expected frames 0..16384");
	expect_error(base_ini, "app.mem_low_pct=80", "[app] mem_low_pct: bad value '80': above "
		"mem_pressure_pct 70");
	expect_error(base_ini, "app.mem_pressure_pct=0", "[app] mem_pressure_pct: bad value '0'");
	expect_error(base_ini, "app.mem_pressure_pct=101", "expected a percentage of mem_high");
	expect_error(base_ini, "app.mem_high=1000", "[app] mem_high: bad value '1000': expected "
		"bytes 36864..18872064");
	expect_error(base_ini, "app.mem_high=18872065", "or 0 for auto");
	expect_error(base_ini, "app.mem_high=12k", "[app] mem_high: bad value '12k'");
}

static const CU_TestInfo config_cases[] = {
	{ "test_config_defaults", test_config_defaults },
	{ "test_config_every_pmd_config_loads", test_config_every_pmd_config_loads },
	{ "test_config_tap_ini_values", test_config_tap_ini_values },
	{ "test_config_set_overrides_file_and_creates_port",
		test_config_set_overrides_file_and_creates_port },
	{ "test_config_bool_spellings", test_config_bool_spellings },
	{ "test_config_unknown_section_and_key", test_config_unknown_section_and_key },
	{ "test_config_bad_addresses", test_config_bad_addresses },
	{ "test_config_address_range", test_config_address_range },
	{ "test_config_numbers_out_of_range", test_config_numbers_out_of_range },
	{ "test_config_tcp_keys", test_config_tcp_keys },
	{ "test_config_tcp_errors", test_config_tcp_errors },
	{ "test_config_tcp_rate_and_isn_keys", test_config_tcp_rate_and_isn_keys },
	{ "test_config_fault_keys", test_config_fault_keys },
	{ "test_config_syn_shed_keys", test_config_syn_shed_keys },
	{ "test_config_cc_keys", test_config_cc_keys },
	{ "test_config_ecn_keys", test_config_ecn_keys },
	{ "test_config_bad_enums", test_config_bad_enums },
	{ "test_config_lcores", test_config_lcores },
	{ "test_config_missing_keys_and_file", test_config_missing_keys_and_file },
	{ "test_config_syntax_errors", test_config_syntax_errors },
	{ "test_config_dump_load_roundtrip", test_config_dump_load_roundtrip },
	{ "test_config_eal_args", test_config_eal_args },
	{ "test_config_memory_model_sizing", test_config_memory_model_sizing },
	{ "test_config_memory_model_errors", test_config_memory_model_errors },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	const struct lr_test_suite suites[] = {
		{ "config", NULL, NULL, config_cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
