# `make bench-eval`: detect-eval vs the LVIS API, pycocotools, faster-coco-eval and hotcoco
# on LVIS-like data at 1k, 5k and 20k images (generated once into work/bench-eval, git-ignored);
# then the Fixed AP case (top 10 000 per category over 20k images, 12M detections, against
# hotcoco's 300-per-image evaluation of the same images) and the analysis cases (--tide,
# --confusion, --calibration, compare --bootstrap: overhead over our plain evaluation, and
# time against hotcoco's same analysis). One JSON line per (case, reference, metric) on
# stdout, with the CPU and detect-eval's version; ratio > 1 means detect-eval is better.
# Needs: pip install pycocotools lvis faster-coco-eval hotcoco; /usr/bin/time (apt-get install time).
#   make bench-eval BENCH_EVAL_SIZES=1000,5000 BENCH_EVAL_PARTS=plain,analyses

BENCH_EVAL_SIZES ?= 1000,5000,20000
BENCH_EVAL_REFERENCES ?= hotcoco,faster-coco-eval,lvis,pycocotools
# Largest size each reference runs at (the Python ones take many minutes per size here).
BENCH_EVAL_LIMITS ?= hotcoco=20000,faster-coco-eval=5000,lvis=1000,pycocotools=1000
# Which groups of cases run, and their sizes.
BENCH_EVAL_PARTS ?= plain,fixed-ap,analyses
BENCH_EVAL_FIXED_AP_IMAGES ?= 20000
BENCH_EVAL_ANALYSIS_SIZES ?= 5000
BENCH_EVAL_BOOTSTRAP ?= 100
comma := ,
bench-eval-part = $(filter $(1),$(subst $(comma), ,$(BENCH_EVAL_PARTS)))

.PHONY: bench-eval

bench-eval: build
	@command -v /usr/bin/time >/dev/null || { echo "bench-eval: /usr/bin/time missing: apt-get install time" >&2; exit 69; }
	$(if $(call bench-eval-part,plain),python3 bench/eval/run_bench.py --detect-eval $(RELEASE)/detect-eval --sizes $(BENCH_EVAL_SIZES) \
		--references $(BENCH_EVAL_REFERENCES) --limits $(BENCH_EVAL_LIMITS))
	$(if $(call bench-eval-part,fixed-ap),python3 bench/eval/run_fixed_ap_bench.py --detect-eval $(RELEASE)/detect-eval \
		--images $(BENCH_EVAL_FIXED_AP_IMAGES))
	$(if $(call bench-eval-part,analyses),python3 bench/eval/run_analysis_bench.py --detect-eval $(RELEASE)/detect-eval \
		--sizes $(BENCH_EVAL_ANALYSIS_SIZES) --bootstrap $(BENCH_EVAL_BOOTSTRAP))
