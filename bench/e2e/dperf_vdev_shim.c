/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dperf_vdev_shim: an LD_PRELOAD library that lets dperf (github.com/baidu/dperf, built
 * outside this repository) run on a DPDK virtual device such as net_memif. dperf names
 * its ports by PCI address only: it passes `-a <pci>` to rte_eal_init() and looks the
 * port up with rte_eth_dev_get_port_by_name(<pci>). The shim wraps both:
 *
 *   rte_eal_init()   drops every `-a X` / `-w X` pair (and --allow=/--pci-whitelist=),
 *                    then appends `--no-pci --vdev $LR_SHIM_VDEV` and the words of
 *                    $LR_SHIM_EAL_ARGS (split on blanks). With $LR_SHIM_FILE_PREFIX set,
 *                    the caller's own --file-prefix is replaced by that one.
 *   rte_eth_dev_get_port_by_name()
 *                    when the name is unknown, answers for the vdev instead (its name is
 *                    $LR_SHIM_VDEV up to the first comma).
 *
 * With $LR_SHIM_VDEV set, stdout is also made line-buffered, so that a script can follow
 * dperf's per-second report in a file as it is printed.
 *
 * Without $LR_SHIM_VDEV both calls pass through unchanged. The shim must define the two
 * rte_ names it interposes (the one exception to "never define rte_ names"); it calls the
 * real ones through dlsym(RTLD_NEXT). It prints the argument vector it passes on
 * (`dperf_vdev_shim: eal args: ...`) on stderr, which bench/e2e/overload.sh logs and the
 * shim's test reads.
 *
 *   LR_SHIM_VDEV='net_memif0,role=client,socket=/tmp/m.sock,socket-abstract=no' \
 *   LR_SHIM_FILE_PREFIX=ovl_c LR_SHIM_EAL_ARGS='--in-memory' \
 *   LD_PRELOAD=build/bench/libdperf_vdev_shim.so /tmp/dperf/build/dperf -c client.conf
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHIM_MAX_ARGS 256
#define SHIM_NAME_LEN 64

/* Prototypes of the interposed functions as DPDK 22.11 declares them (rte_eal.h,
 * rte_ethdev.h); not included so that the shim builds without DPDK's headers. */
int rte_eal_init(int argc, char **argv);
int rte_eth_dev_get_port_by_name(const char *name, uint16_t *port_id);

typedef int (*eal_init_fn)(int, char **);
typedef int (*port_by_name_fn)(const char *, uint16_t *);

/* Kept for the life of the process: EAL may keep pointers into argv. */
static char *shim_argv[SHIM_MAX_ARGS];
static char shim_prefix[SHIM_NAME_LEN + 16];
static char shim_vdev_name[SHIM_NAME_LEN];

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Does argv[i] name a PCI device to allow? Returns how many words it takes (0: none). */
static int
pci_arg_words(int argc, char **argv, int i)
{
	const char *a = argv[i];

	if (strcmp(a, "-a") == 0 || strcmp(a, "-w") == 0 || strcmp(a, "--allow") == 0 ||
			strcmp(a, "--pci-whitelist") == 0)
		return i + 1 < argc ? 2 : 1;
	if (strncmp(a, "-a", 2) == 0 || strncmp(a, "-w", 2) == 0 ||
			strncmp(a, "--allow=", 8) == 0 || strncmp(a, "--pci-whitelist=", 16) == 0)
		return 1;
	return 0;
}

static int
push(int n, char *arg)
{
	if (n >= SHIM_MAX_ARGS - 1) {
		fprintf(stderr, "dperf_vdev_shim: more than %d EAL arguments\n", SHIM_MAX_ARGS - 1);
		return -1;
	}
	shim_argv[n] = arg;
	return n + 1;
}

/* Append the blank-separated words of $LR_SHIM_EAL_ARGS (a private copy). */
static int
push_extra(int n)
{
	const char *extra = env_nonempty("LR_SHIM_EAL_ARGS");
	char *copy, *save = NULL, *w;

	if (extra == NULL)
		return n;
	copy = strdup(extra);
	if (copy == NULL)
		return -1;
	for (w = strtok_r(copy, " \t", &save); w != NULL && n >= 0;
			w = strtok_r(NULL, " \t", &save))
		n = push(n, w);
	return n;
}

/* Build shim_argv from the caller's argv; returns its length or -1. */
static int
rewrite_args(int argc, char **argv, const char *vdev)
{
	const char *prefix = env_nonempty("LR_SHIM_FILE_PREFIX");
	int i, n = 0, skip;

	for (i = 0; i < argc && n >= 0; i++) {
		skip = i > 0 ? pci_arg_words(argc, argv, i) : 0;
		if (skip > 0) {
			i += skip - 1;
			continue;
		}
		if (prefix != NULL && i > 0 && strncmp(argv[i], "--file-prefix", 13) == 0) {
			if (argv[i][13] == '\0')
				i++;    /* "--file-prefix X": drop X too */
			continue;
		}
		n = push(n, argv[i]);
	}
	if (n >= 0)
		n = push(n, (char *)"--no-pci");
	if (n >= 0)
		n = push(n, (char *)"--vdev");
	if (n >= 0)
		n = push(n, (char *)vdev);
	if (n >= 0 && prefix != NULL) {
		snprintf(shim_prefix, sizeof(shim_prefix), "--file-prefix=%s", prefix);
		n = push(n, shim_prefix);
	}
	if (n >= 0)
		n = push_extra(n);
	if (n >= 0)
		shim_argv[n] = NULL;
	return n;
}

int
rte_eal_init(int argc, char **argv)
{
	eal_init_fn real = (eal_init_fn)dlsym(RTLD_NEXT, "rte_eal_init");
	const char *vdev = env_nonempty("LR_SHIM_VDEV");
	int i, n;

	if (real == NULL) {
		fprintf(stderr, "dperf_vdev_shim: no rte_eal_init after the shim: %s\n", dlerror());
		return -1;
	}
	if (vdev == NULL)
		return real(argc, argv);
	n = rewrite_args(argc, argv, vdev);
	if (n < 0)
		return -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(shim_vdev_name, sizeof(shim_vdev_name), "%.*s", (int)strcspn(vdev, ","), vdev);
	fprintf(stderr, "dperf_vdev_shim: eal args:");
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", shim_argv[i]);
	fprintf(stderr, "\n");
	return real(n, shim_argv);
}

int
rte_eth_dev_get_port_by_name(const char *name, uint16_t *port_id)
{
	port_by_name_fn real = (port_by_name_fn)dlsym(RTLD_NEXT, "rte_eth_dev_get_port_by_name");
	int ret;

	if (real == NULL)
		return -1;
	ret = real(name, port_id);
	if (ret == 0 || shim_vdev_name[0] == '\0' || strcmp(name, shim_vdev_name) == 0)
		return ret;
	return real(shim_vdev_name, port_id);
}
