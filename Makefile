# linerate: see README.md. Every target is safe to repeat.
BUILD ?= build
SHELL := /bin/bash

.PHONY: all deps build demo test unit integration run bench bench-e2e install uninstall deb clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then meson setup $(BUILD) --werror; fi
	@ninja -C $(BUILD)

demo: build
	@bash scripts/hugepages.sh
	@BUILD=$(BUILD) bash scripts/demo.sh

# Without hugepages the integration tests report the missing prerequisite themselves
# (a failure under CI=true, a skip elsewhere), so the unit tests still run.
test: build
	@bash scripts/hugepages.sh || true
	@BUILD=$(BUILD) bash scripts/run-tests.sh

unit: build
	@BUILD=$(BUILD) bash scripts/run-tests.sh --unit

integration: build
	@bash scripts/hugepages.sh || true
	@BUILD=$(BUILD) bash scripts/run-tests.sh --integration

run: build
	@bash scripts/hugepages.sh
	@BUILD=$(BUILD) bash scripts/run.sh

# Micro-benchmarks (bench/README.md): quick set under 5 minutes, FULL=1 for the long set.
# Results go to bench/results/; the plot needs gnuplot-nox, installed here if missing.
bench: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then meson setup $(BUILD) --werror; fi
	@ninja -C $(BUILD) bench/bench_pipeline bench/bench_conn_table bench/bench_ctl bench/bench_loadgen
	@command -v gnuplot >/dev/null 2>&1 || { echo "bench: installing gnuplot-nox for the plot"; \
		$$( [ "$$(id -u)" -eq 0 ] || echo sudo -n ) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q gnuplot-nox >/tmp/linerate-gnuplot-apt.log 2>&1 || \
		echo "bench: gnuplot-nox not installed (see /tmp/linerate-gnuplot-apt.log): no plot"; }
	@BUILD=$(BUILD) FULL=$(FULL) bash bench/run.sh

# End to end (bench/README.md): linerate over memif, testpmd ceiling, Linux over veth;
# then 1 vs 2 server workers over memif (per-worker efficiency); then the control plane
# against 1M held connections (worker turn_max_us under stats/conns); then, with
# DPERF=/path/to/dperf, the overload curve (skipped without it); then the loss sweep
# (linerate over net_tap vs Linux over veth at 0-5 % loss each way, several minutes).
# Needs root and hugepages; SMOKE=1 for the seconds-long check.
bench-e2e: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then meson setup $(BUILD) --werror; fi
	@ninja -C $(BUILD) bench/lr_e2e bench/epoll_server bench/epoll_client app/linerate \
		app/linerate-ctl bench/libdperf_vdev_shim.so bench/hold_client
	@bash scripts/hugepages.sh
	@BUILD=$(BUILD) bash bench/e2e/run.sh $(if $(SMOKE),--smoke,)
	@BUILD=$(BUILD) bash bench/e2e/scale.sh $(if $(SMOKE),--smoke,)
	@BUILD=$(BUILD) bash bench/e2e/ctlstall.sh $(if $(SMOKE),--smoke,)
	@BUILD=$(BUILD) DPERF=$(DPERF) bash bench/e2e/overload.sh $(if $(SMOKE),--smoke,)
	@BUILD=$(BUILD) DPERF=$(DPERF) bash bench/e2e/dperf.sh $(if $(SMOKE),--smoke,)
	@BUILD=$(BUILD) bash bench/e2e/loss.sh $(if $(SMOKE),--smoke,)

# Install (README "Deploying on a NIC server"): binaries in PREFIX/bin, example configs in
# SYSCONFDIR/linerate, linerate@.service, its hugepage helper, man pages; DESTDIR honoured.
# Reconfigures $(BUILD)'s install paths only (nothing is recompiled).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
install: build
	@meson configure $(BUILD) -Dprefix=$(PREFIX) -Dsysconfdir=$(SYSCONFDIR) \
		-Dsystemdunitdir=$(SYSTEMDUNITDIR) >/dev/null
	@DESTDIR=$(DESTDIR) meson install -C $(BUILD) --quiet

uninstall:
	@DESTDIR=$(DESTDIR) ninja -C $(BUILD) uninstall

# A Debian package of the same files (scripts/make-deb.sh; build dir build-deb, -march=corei7).
deb: deps
	@bash scripts/make-deb.sh

clean:
	rm -rf $(BUILD) build-deb build-deb.setup.log linerate_*.deb
