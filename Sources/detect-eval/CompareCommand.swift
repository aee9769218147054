// `detect-eval compare`: the results table and the per-frequency AP chart over saved
// evaluations (`detect-eval --iou-type both --json` outputs), e.g. for an ablation.
import ArgumentParser
import SharedEval
import SharedSupport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print a markdown table (bbox and segm AP, APr, APc, APf per model) from saved --json evaluations, and draw the per-frequency chart.",
        discussion: """
        Each EVAL.json is what `detect-eval --gt GT.json --dt RESULTS.json --iou-type both --json` prints. Rows keep the order given.

        Example:
          detect-eval compare --result baseline=W/eval-baseline.json --result loce=W/eval-loce.json --chart docs/ap-per-frequency.png > docs/results.md

        Exit codes: 0 success, 1 a file is not such a document, 64 bad command line, 74 cannot read or write a file.
        """)

    @Option(name: .customLong("result"), help: ArgumentHelp("A model's evaluation, as NAME=EVAL.json; repeat per model.", valueName: "NAME=EVAL.json"))
    var results: [NamedPath] = []

    @Option(name: .long, help: ArgumentHelp("Also draw AP per frequency group (grouped bars, bbox and segm panels) as a PNG.", valueName: "FILE.png"))
    var chart: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if results.isEmpty { throw ValidationError("no results given: pass --result NAME=EVAL.json (once per model)") }
        try NamedPath.checkUnique(results, option: "--result")
        try SideOutputPath.check(chart, option: "--chart", stdoutCarries: "the results table", example: "ap.png")
    }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: DetectEval.toolName, usesBLAS: false)
        let models = try results.map { try EvaluationJSONReader.read(name: $0.name, path: $0.path) }
        let output = StandardOutput()
        output.write(ResultsTable.wide(models))
        output.flush()
        if let chart {
            try FrequencyChart.write(models, to: chart)
            context.logger.debug("wrote \(chart)")
        }
    }
}
