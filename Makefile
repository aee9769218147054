# The two README commands and the benchmarks. Every target installs what is missing.
#
#   make pipeline    build (release) and run the default job end to end
#   make test        build and run the whole test suite (what CI runs)
#   make bench-gemm  sgemm GFLOP/s vs OpenBLAS's best kernel, one JSON line per shape
#   make bench       every benchmark (bench-*.mk fragments in pipelines/)

SWIFT   ?= swift
RELEASE := .build/release
THREADS ?= $(shell nproc)

export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build build-debug test pipeline bench bench-gemm clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

build-debug: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench-gemm: build
	$(RELEASE)/bench-gemm --threads $(THREADS)

include pipelines/pipeline.mk
# Each area's benchmarks live in a fragment next to the pipelines (bench-eval, ...).
include $(wildcard pipelines/bench-*.mk)

bench: $(patsubst pipelines/%.mk,%,$(wildcard pipelines/bench-*.mk)) bench-gemm

clean:
	rm -rf .build
