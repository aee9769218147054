# The two README commands and the benchmarks. Every target installs what is missing.
#
#   make pipeline    build (release) and run the default job end to end
#   make test        build and run the whole test suite and the smoke pipeline (what CI runs)
#   make bench-gemm  sgemm GFLOP/s vs the fastest OpenBLAS kernel of this CPU, one JSON line per shape
#   make bench       every benchmark (bench-*.mk fragments in pipelines/)
#   make fuzz        the fuzz campaign (pipelines/fuzz.mk, docs/robustness.md)

SWIFT   ?= swift
RELEASE := .build/release
THREADS ?= $(shell nproc)

export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build build-debug test pipeline bench bench-gemm clean

all: build

deps:
	@scripts/install-deps.sh

# Build logs go to stderr: stdout is for results (the bench targets print JSON lines).
build: deps
	@$(SWIFT) build -c release >&2

build-debug: deps
	$(SWIFT) build

# Unit and end-to-end tests (debug build); the CPU-dependent ones again under every OpenBLAS
# kernel and vector code path this CPU runs; then the smoke pipeline from scratch (release) and
# the released-model recipe on stand-ins; then the multi-rank tests (MPI over TCP loopback) on
# the smoke pipeline's shards.
# The import parity tests run a full-size R-50-FPN in the test process (TorchvisionLayoutTests
# builds one's parameter store; it leaves ~1 GB resident): they get a process of their own,
# so the memory-bounded tool runs of the main one measure the tools alone.
MODEL_PARITY_TESTS = MMDetectionImportTests|TorchvisionParityTests|Detectron2ImportTests|TorchvisionLayoutTests

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(MODEL_PARITY_TESTS)'
	$(SWIFT) test --skip-build --filter '$(MODEL_PARITY_TESTS)'
	SWIFT=$(SWIFT) scripts/test-cpu-paths.sh
	$(MAKE) --no-print-directory pipeline-check
	$(MAKE) --no-print-directory released-lvis-v1-dry-run
	scripts/test-mpi.sh

bench-gemm: build
	@$(RELEASE)/bench-gemm --threads $(THREADS)

include pipelines/pipeline.mk pipelines/ablation.mk pipelines/ablation-matrix.mk pipelines/imported.mk
include pipelines/lvis_v1.mk pipelines/lvis_v0.5.mk pipelines/coco128.mk pipelines/released_lvis_v1.mk
include pipelines/fuzz.mk
# Each area's benchmarks live in a fragment next to the pipelines (bench-eval, ...).
include $(wildcard pipelines/bench-*.mk)

bench: $(patsubst pipelines/%.mk,%,$(wildcard pipelines/bench-*.mk)) bench-gemm

clean:
	rm -rf .build
