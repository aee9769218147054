// `detect-eval compare`: the results table and the per-frequency AP chart over saved
// evaluations (`detect-eval --iou-type both --json` outputs), e.g. for an ablation; with
// --by-seed, mean ± sd over seeds per method and the APr-vs-APf scatter; with --gt and --dt
// NAME=RESULTS.json, evaluated here, and with --bootstrap N, 95 % intervals over images.
import ArgumentParser
import SharedEval
import SharedSupport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print a markdown table (bbox and segm AP, APr, APc, APf per model) from saved --json evaluations, and draw the per-frequency chart.",
        discussion: """
        Each EVAL.json is what `detect-eval --gt GT.json --dt RESULTS.json --iou-type both --json` prints. Rows keep the order given.

        With --log NAME=log.jsonl (repeatable) and --curves DIR, the training curves of fits are drawn into DIR: loss.png, lr.png and, for runs validated during training (fit --val), val.png (bbox and mask AP, APr, APc, APf over iterations).

        With --by-seed, results named METHOD@SEED are one row per METHOD: every stat as the mean ± the sample standard deviation (n - 1) over its seeds.

        Examples:
          detect-eval compare --result baseline=W/eval-baseline.json --result loce=W/eval-loce.json --chart docs/ap-per-frequency.png > docs/results.md
          detect-eval compare --log baseline=W/baseline/log.jsonl --log loce=W/loce/log.jsonl --curves W/curves
          detect-eval compare --gt data/lvis_val.json --dt baseline=W/dets-baseline.json --dt loce=W/dets-loce.json --bootstrap 1000 --seed 0
          detect-eval compare --by-seed --result ce@1=S1/eval-ce.json --result ce@2=S2/eval-ce.json --result ebl@1=S1/eval-ebl.json --result ebl@2=S2/eval-ebl.json --scatter apr-apf.png

        With --gt GT.json and --dt NAME=RESULTS.json (repeatable) the results files are evaluated here (--iou-type, --style as in evaluate) instead of read from saved evaluations. With --bootstrap N, each method's AP, APr, APc, APf gets a 95 % bootstrap interval over images, and each method after the first (the control) its difference to the control with an interval and P(difference > 0): resample i draws as many images as the ground truth has, with replacement, from generator stream i of --seed, the same draws for every method (paired); the matching is done once and re-accumulated per resample. By default an image drawn c times counts c times (the ordinary bootstrap); --distinct-images counts each drawn image once, as hotcoco's compare(n_bootstrap=...) does. Intervals: hotcoco's percentile rule (docs/evaluation.md, "compare --bootstrap").

        Exit codes: 0 success, 1 a file is not such a document (or bad results data), 64 bad command line, 74 cannot read or write a file.
        """)

    @Option(name: .customLong("result"), help: ArgumentHelp("A model's evaluation, as NAME=EVAL.json; repeat per model.", valueName: "NAME=EVAL.json"))
    var results: [NamedPath] = []

    @Option(name: .long, help: ArgumentHelp("Also draw AP per frequency group (grouped bars, bbox and segm panels) as a PNG.", valueName: "FILE.png"))
    var chart: String?

    @Option(name: .customLong("log"), help: ArgumentHelp("A fit's OUT/log.jsonl, as NAME=log.jsonl; repeat per run (with --curves).",
                                                          valueName: "NAME=log.jsonl"))
    var logs: [NamedPath] = []

    @Option(name: .long, help: ArgumentHelp("Draw the --log runs' loss, learning rate and validation AP curves into this folder.",
                                            valueName: "DIR"))
    var curves: String?

    @Flag(name: .customLong("by-seed"), help: "Group results named METHOD@SEED by METHOD: mean ± sd over seeds.")
    var bySeed = false

    @Option(name: .long, help: ArgumentHelp("With --by-seed: draw APr against APf per method, seeds as points, as a PNG.", valueName: "FILE.png"))
    var scatter: String?

    @OptionGroup(title: "Evaluate results files here (with bootstrap intervals)") var evaluation: CompareEvaluationOptions

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if results.isEmpty && logs.isEmpty && evaluation.detections.isEmpty {
            throw ValidationError("nothing to compare: pass --result NAME=EVAL.json (once per model), --gt GT.json with --dt NAME=RESULTS.json, or --log NAME=log.jsonl with --curves DIR")
        }
        if !evaluation.detections.isEmpty && !results.isEmpty {
            throw ValidationError("give either saved evaluations (--result) or results files to evaluate (--gt with --dt), not both")
        }
        if (curves == nil) != logs.isEmpty { throw ValidationError("--log and --curves go together: pass both or neither") }
        try NamedPath.checkUnique(logs, option: "--log")
        if !evaluation.detections.isEmpty && (bySeed || scatter != nil) {
            throw ValidationError("--by-seed and --scatter read saved evaluations: pass --result NAME=EVAL.json")
        }
        if results.isEmpty && evaluation.detections.isEmpty && (chart != nil || scatter != nil || bySeed) {
            throw ValidationError("--chart, --scatter and --by-seed draw evaluations: pass --result NAME=EVAL.json")
        }
        try NamedPath.checkUnique(results, option: "--result")
        try SideOutputPath.check(chart, option: "--chart", stdoutCarries: "the results table", example: "ap.png")
        try SideOutputPath.check(scatter, option: "--scatter", stdoutCarries: "the results table", example: "apr-apf.png")
        if scatter != nil && !bySeed { throw ValidationError("--scatter draws seeds: it needs --by-seed") }
        if bySeed, let unnamed = results.first(where: { !$0.name.contains("@") }) {
            throw ValidationError("--by-seed needs every --result named METHOD@SEED; got '\(unnamed.name)'")
        }
    }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: DetectEval.toolName, usesBLAS: false)
        if let curves {
            let written = try TrainingCurves.write(try logs.map { try TrainingLog.read(name: $0.name, path: $0.path) }, to: curves)
            context.logger.info("wrote \(written.joined(separator: ", "))")
        }
        let models: [ModelResults]
        let output = StandardOutput()
        if !evaluation.detections.isEmpty {
            models = try evaluation.run(parallelism: context.parallelism, logger: context.logger, output: output)
        } else {
            guard !results.isEmpty else { return }
            models = try results.map { try EvaluationJSONReader.read(name: $0.name, path: $0.path) }
            output.write(bySeed ? SeedSummary.table(models) : ResultsTable.wide(models))
        }
        output.flush()
        if let chart {
            try FrequencyChart.write(models, to: chart)
            context.logger.debug("wrote \(chart)")
        }
        if let scatter {
            try FrequencyScatter.write(models, to: scatter)
            context.logger.debug("wrote \(scatter)")
        }
    }
}
