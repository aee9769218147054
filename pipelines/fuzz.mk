# Fuzzing (docs/robustness.md). Included by the root Makefile.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="json shard"] [FUZZ_FORK=1]
#              build the libFuzzer + AddressSanitizer harness (.build-fuzz/, never the normal
#              products) and run each target FUZZ_SECONDS on one core; crashes land in
#              fuzz/crashes/TARGET/, statistics in work/fuzz/stats.jsonl
#   make fuzz-stats   executions and coverage per target, summed over every run so far
#   make fuzz-seeds   regenerate the generated seeds in fuzz/corpus/ (after a format change)
#
# `make test` replays fuzz/corpus/ and fuzz/crashes/ (Tests/FuzzRegressionTests).

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_SCRATCH := .build-fuzz
FUZZ_HARNESS := $(FUZZ_SCRATCH)/release/loce-fuzz

.PHONY: fuzz fuzz-build fuzz-stats fuzz-seeds

# -sanitize=fuzzer adds libFuzzer's main and coverage instrumentation to every Swift module of
# the harness; -DLOCE_LIBFUZZER swaps loce-fuzz's command line for the libFuzzer entry points;
# -O (given last, so it wins over the layers' -Ounchecked) keeps Swift's overflow and bounds
# checks, so that an overflow traps here instead of silently wrapping as in a release tool.
# lld links it: gold stops with an internal error on the instrumented objects.
fuzz-build: deps
	$(SWIFT) build -c release --product loce-fuzz --scratch-path $(FUZZ_SCRATCH) \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DLOCE_LIBFUZZER -Xswiftc -O -Xswiftc -use-ld=lld >&2

fuzz: fuzz-build
	FUZZ_FORK=$(FUZZ_FORK) scripts/fuzz/run-campaign.sh $(FUZZ_HARNESS) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-stats:
	@scripts/fuzz/sum-stats.sh work/fuzz/stats.jsonl

fuzz-seeds: deps
	$(SWIFT) build --product loce-fuzz >&2
	.build/debug/loce-fuzz seeds fuzz/corpus
	python3 scripts/fuzz/make_image_seeds.py fuzz/corpus/image
