#!/usr/bin/env bash
# `make test`, second part: the tests whose results depend on the CPU's code paths (GEMM
# tiling and thread-count determinism, gradient checks and reference parity that see
# the sgemm kernel's rounding) run again under every OpenBLAS kernel this CPU can execute
# (`bench-gemm kernels`: Haswell, Zen, Sandybridge, Prescott on an AVX2 CPU; SkylakeX too
# on AVX-512) and under every vector code path `LOCE_ISA` can select here. The first
# part (`swift test`) ran the whole suite under the defaults.
#
#   scripts/test-cpu-paths.sh            (after `swift build --build-tests`)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
BIN=${BIN:-.build/debug}

# Determinism across thread counts, and numerics compared with references or finite differences.
KERNEL_TESTS='GEMMTests|WinogradConvolutionTests|DeterminismTests|RoIAlignTests|ConvolutionGradientTests|PointwiseGradientTests|LayerCompositionTests|TorchParityTests|TinyNetworkTrainingTests|ModelGradientTests|ModelParityTests|TrainerTests/testTheThreadCount|FinetuneTests/testTheThreadCount'

# Runs `swift test --filter FILTER` with the given environment; prints one line, fails loudly.
run() {
    local label=$1 filter=$2; shift 2
    local log; log=$(mktemp)
    if env "$@" "$SWIFT" test --skip-build --filter "$filter" > "$log" 2>&1; then
        echo "test-cpu-paths: $label: $(grep -E '^\s*Executed [0-9]+ tests' "$log" | tail -1 | sed 's/^\s*//')"
        rm -f "$log"
    else
        grep -E "error:|failed|Executed" "$log" | head -40 >&2
        echo "test-cpu-paths: $label: FAILED (full log: $log)" >&2
        exit 1
    fi
}

kernels=$("$BIN/bench-gemm" kernels)
[ -n "$kernels" ] || { echo "test-cpu-paths: bench-gemm found no OpenBLAS kernel" >&2; exit 1; }
for kernel in $kernels; do
    run "OPENBLAS_CORETYPE=$kernel" "$KERNEL_TESTS" OPENBLAS_CORETYPE="$kernel"
done
