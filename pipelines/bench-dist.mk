# `make bench-dist`: training across MPI ranks (2 ranks x 1 thread over TCP loopback) against
# one process (1 rank x 2 threads), the cost of the exact gradient sum against the batch one,
# and the bytes and time of the cross-rank sum per iteration: one JSON line per case
# (bench/dist/run_bench.py; docs/benchmarks.md, docs/scaling.md).
#   make bench-dist BENCH_DIST_ARGS="--ranks 2 --repeat 3 --iterations 30"

BENCH_DIST_ARGS ?=

.PHONY: bench-dist

bench-dist: build
	@python3 bench/dist/run_bench.py --bin $(RELEASE) $(BENCH_DIST_ARGS)
