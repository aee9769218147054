#!/usr/bin/env bash
# `make test`, second part: the tests whose results depend on the CPU's code paths (GEMM
# tiling and thread-count determinism, gradient checks and reference parity that see
# the sgemm kernel's rounding) run again under every OpenBLAS kernel this CPU can execute
# (`bench-gemm kernels`: Haswell, Zen, Sandybridge, Prescott on an AVX2 CPU; SkylakeX too
# on AVX-512) and under every lower vector code path `LOCE_ISA` can select here (baseline
# on AVX2; avx2 and baseline on AVX-512). The first part (`swift test`) ran the whole
# suite under the defaults.
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

# The vector code paths below the best one (which the runs above used): every path this
# CPU runs is accepted by the tools (`LOCE_ISA` above the CPU exits 64). The kernel parity
# tests already compare every path in one process; these runs put whole layers and training
# on each path.
best=$("$BIN/detect-train" --version | sed -n 's/^Vector code path: \([a-z0-9]*\).*/\1/p')
[ -n "$best" ] || { echo "test-cpu-paths: detect-train --version names no vector code path" >&2; exit 1; }
for isa in avx512 avx2 baseline; do
    [ "$isa" != "$best" ] || continue
    LOCE_ISA=$isa "$BIN/detect-train" --version > /dev/null 2>&1 || continue
    run "LOCE_ISA=$isa" "$KERNEL_TESTS" LOCE_ISA="$isa"
done
