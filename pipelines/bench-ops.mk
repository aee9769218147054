# `make bench-ops`: the engine's layers on the tiny preset's shapes (256x256, batch 2),
# one JSON line per case on stdout (conv GFLOP/s vs sgemm peak, memory-bound layers GB/s
# vs memcpy bandwidth, both references measured in the same run). When PyTorch and
# torchvision are installed, the RoIAlign case is timed against torchvision's roi_align in
# the same run too (scripts/fixtures/make_training_fixtures.py --bench-roi-align).
# Included by the root Makefile (which defines RELEASE, THREADS and `build`).

PYTHON ?= python3

.PHONY: bench-ops

bench-ops: build
	$(RELEASE)/bench-ops layers --threads $(THREADS)
	@if $(PYTHON) -c "import torch, torchvision" 2>/dev/null; then \
	  $(PYTHON) scripts/fixtures/make_training_fixtures.py --bench-roi-align \
	    --swift-bench "$(RELEASE)/bench-ops roi-align --threads $(THREADS)"; \
	else \
	  echo "bench-ops: torch/torchvision not installed; RoIAlign without its reference:" >&2; \
	  $(RELEASE)/bench-ops roi-align --threads $(THREADS); \
	fi
