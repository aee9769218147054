// detect-eval: COCO and LVIS AP for boxes and masks (`evaluate`, the default), a report
// folder over several models' detections (`report`), and a table + chart over saved
// `--json` evaluations (`compare`).
import ArgumentParser
import SharedSupport

struct DetectEval: ParsableCommand {
    static let toolName = "detect-eval"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "COCO/LVIS box and mask AP, identical to pycocotools and the LVIS API; reports and comparisons over models.",
        discussion: """
        Without a subcommand, `evaluate` runs: `detect-eval --gt GT.json --dt RESULTS.json` is `detect-eval evaluate --gt GT.json --dt RESULTS.json`; `detect-eval evaluate --help` lists its options.

        Examples:
          detect-eval --gt data/val.json --dt detections.json --iou-type both
          detect-train predict ... | detect-eval --gt data/val.json - --json --per-category per_class.csv
          detect-eval report --gt data/val.json --images data --train-gt data/train.json --model baseline=W/baseline/detections.json --model loce=W/loce/detections.json --out W/report
          detect-eval compare --result baseline=eval-baseline.json --result loce=eval-loce.json --chart ap.png

        Exit codes: 0 success, 1 bad data (malformed json, results that do not match the ground truth, no detections), 64 bad command line, 74 cannot read or write a file, 130 / 143 report stopped by Ctrl-C / SIGTERM (nothing written).
        Environment: LOCE_ISA=baseline|avx2|avx512 runs the vector kernels on a lower code path than the
        best this CPU runs (the same results, slower; for checks and timing); a path the CPU does not run,
        or an unknown one, exits 64. --version names the active path and how it was chosen.
        """,
        version: ToolVersion.number,
        subcommands: [EvaluateCommand.self, ReportCommand.self, CompareCommand.self],
        defaultSubcommand: EvaluateCommand.self)
}

ToolMain.run(DetectEval.self, tool: DetectEval.toolName)
