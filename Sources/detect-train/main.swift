// detect-train: Stage 1 of LOCE: trains a Mask R-CNN on shards and writes COCO results JSON.
import ArgumentParser
import SharedSupport

struct DetectTrain: ParsableCommand {
    static let toolName = "detect-train"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Stage 1 of LOCE: trains a Mask R-CNN on shards and writes COCO results JSON.",
        discussion: """
        Examples:
          detect-train fit --config pipelines/configs/tiny.json \\
            --train work/shards/train --out work/baseline
          detect-train predict --checkpoint work/baseline/checkpoint.safetensors \\
            --data work/shards/val | detect-eval --gt work/synth/lvis_v1_val.json -
          detect-train predict --checkpoint work/baseline/checkpoint.safetensors \\
            --images photos/ --out dets.json --draw drawn/
        Exit codes: 0 success, 1 bad data (or a loss that became NaN),
        2 predict --images skipped unreadable images (the others' results are written),
        64 bad command line, 69 OpenBLAS missing, 74 cannot read or write a file,
        130 / 143 stopped by Ctrl-C / SIGTERM (fit saves the iteration it is on, predict and merge-predictions keep no partial file).
        Environment: LOCE_ISA=baseline|avx2|avx512 runs the vector kernels on a lower code path than the
        best this CPU runs (the same results, slower; for checks and timing); a path the CPU does not run,
        or an unknown one, exits 64. --version names the active path and how it was chosen.
        """,
        version: ToolVersion.number,
        subcommands: [FitCommand.self, PredictCommand.self, MergePredictionsCommand.self, ImportCommand.self])
}

ToolMain.run(DetectTrain.self, tool: DetectTrain.toolName)
