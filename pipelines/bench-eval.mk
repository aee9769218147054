# `make bench-eval`: detect-eval vs the LVIS API, pycocotools, faster-coco-eval and hotcoco
# on LVIS-like data at 1k, 5k and 20k images (generated once into work/bench-eval, git-ignored).
# One JSON line per (case, reference, metric) on stdout; ratio > 1 means detect-eval is better.
# Needs: pip install pycocotools lvis faster-coco-eval hotcoco; /usr/bin/time (apt-get install time).
#   make bench-eval BENCH_EVAL_SIZES=1000,5000

BENCH_EVAL_SIZES ?= 1000,5000,20000
BENCH_EVAL_REFERENCES ?= hotcoco,faster-coco-eval,lvis,pycocotools
# Largest size each reference runs at (the Python ones take many minutes per size here).
BENCH_EVAL_LIMITS ?= hotcoco=20000,faster-coco-eval=5000,lvis=1000,pycocotools=1000

.PHONY: bench-eval

bench-eval: build
	@command -v /usr/bin/time >/dev/null || { echo "bench-eval: /usr/bin/time missing: apt-get install time" >&2; exit 69; }
	python3 bench/eval/run_bench.py --detect-eval $(RELEASE)/detect-eval --sizes $(BENCH_EVAL_SIZES) \
		--references $(BENCH_EVAL_REFERENCES) --limits $(BENCH_EVAL_LIMITS)
