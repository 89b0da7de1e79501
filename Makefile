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
	@bash scripts/demo.sh

test: build
	@bash scripts/hugepages.sh
	@bash scripts/run-tests.sh

unit: build
	@bash scripts/run-tests.sh --unit

integration: build
	@bash scripts/hugepages.sh
	@bash scripts/run-tests.sh --integration

run: build
	@bash scripts/hugepages.sh
	@bash scripts/run.sh

clean:
	rm -rf $(BUILD)
