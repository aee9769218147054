# `make bench-train`: detect-train (`tiny`, 256x256, batch 2) next to torchvision's Mask R-CNN built
# to the same preset (../shared/bench/torch_tiny_maskrcnn.py), same machine, same run, same threads.
# One JSON line per case on stdout (training and inference images/s, peak RSS at batch 2 and for
# `tiny` at batch 4, share of CPU time in GEMM); ratio > 1 means detect-train is better.
# Inputs are generated once into work/bench-train (git-ignored); see bench/train/run_bench.py.
# Needs: torch + torchvision (pip), /usr/bin/time (apt-get install time), perf (optional: GEMM share).
#   make bench-train BENCH_TRAIN_ARGS="--repeat 3 --iterations 30"

BENCH_TRAIN_ARGS ?=

.PHONY: bench-train

bench-train: build
	@command -v /usr/bin/time >/dev/null || { echo "bench-train: /usr/bin/time missing: apt-get install time" >&2; exit 69; }
	@python3 -c "import torch, torchvision" 2>/dev/null || { echo "bench-train: torch/torchvision missing: pip install torch torchvision" >&2; exit 69; }
	python3 bench/train/run_bench.py --bin $(RELEASE) --threads $(THREADS) $(if $(shell command -v perf),,--no-gemm) $(BENCH_TRAIN_ARGS)
