# linerate: see README.md. Every target is safe to repeat.
BUILD ?= build
SHELL := /bin/bash

.PHONY: all deps build demo test unit integration run clean

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

clean:
	rm -rf $(BUILD)
