// `detect-eval [evaluate]`: COCO and LVIS AP for boxes and masks, from a GT json and a
// results json. The default subcommand, so `detect-eval --gt GT --dt RESULTS` keeps working.
import ArgumentParser
import SharedData
import SharedEval
import SharedSupport

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "COCO/LVIS box, mask and Boundary IoU AP, identical to pycocotools, the LVIS API and boundary-iou-api (the default subcommand).",
        discussion: """
        The summary goes to stdout in the reference's own text form (or one JSON document with --json); logs and errors go to stderr. Style `auto` evaluates like the LVIS API when the ground truth's images carry `neg_category_ids` / `not_exhaustive_category_ids`, else like pycocotools.

        Boundary IoU (docs/evaluation.md, "Boundary IoU"): --iou-type boundary evaluates masks by boundary-iou-api's COCO or LVIS evaluation (Cheng et al. 2021): the IoU of a detection and a ground truth is min(mask IoU, IoU of their boundaries), the boundary being a mask's pixels within round(--dilation-ratio x image diagonal) pixels of its outside; crowd regions keep the mask IoU. That API also honours the ground truth's `ignore` flag in COCO style and `iscrowd` in LVIS style, and its LVIS area ranges exclude their upper bound; detect-eval follows it for boundary only. Its results go under "boundary" in --json.

        Protocols (docs/evaluation.md, "Protocols"): --max-dets changes the per-image cap; --fixed-ap evaluates the LVIS Fixed AP (top K detections per category over the dataset, no per-image cap) and --ap-pool adds the pooled AP, both as large-vocab-devil's scripts compute them; --img-ids / --cat-ids evaluate a subset as the references' imgIds / catIds do; each --slice NAME=FILE adds a row for an image subset. An id file is a JSON array of integers or one integer per line.

        Analyses (docs/evaluation.md, "Analyses"): --confusion writes mmdetection's class confusion matrix; --tide adds TIDE's error breakdown exactly as the tidecv package computes it. TIDE's AP is tidecv's own: one IoU threshold (0.5), greedy matching, recall points i/100, classes with detections but no ground truth counted as AP 0, in AP points (x100): it is not COCO's AP50. Each dAP is the AP gained by fixing one error type alone. On the evaluation's own matching and with hotcoco's definitions: --calibration adds ECE and MCE overall and per frequency group ("calibration" in --json); --diagnostics N lists the N images with the most missed ground truths and the N with the most false positives ("diagnostics" in --json).

        Examples:
          detect-eval --gt data/val.json --dt detections.json --iou-type both
          detect-eval --gt data/val.json --dt detections.json --iou-type segm,boundary --dilation-ratio 0.02
          detect-train predict ... | detect-eval --gt data/val.json - --json --per-category per_class.csv
          detect-eval --gt data/lvis_val.json --dt top10k_per_class.json --iou-type segm --fixed-ap --ap-pool
          detect-eval --gt data/coco_val.json --dt detections.json --max-dets 300 --cat-ids person_ids.txt
          detect-eval --gt data/lvis_val.json --dt detections.json --slice small=small_img_ids.json --slice crowded=crowded_img_ids.txt --json
          detect-eval --gt data/lvis_val.json --dt detections.json --calibration --diagnostics 10
          detect-eval --gt data/lvis_val.json --dt detections.json --iou-type both --tide --tide-plot tide.png

        Exit codes: 0 success, 1 bad data (malformed json, results that do not match the ground truth, no detections), 64 bad command line (including an id file that is not a list of ids or names an id the ground truth lacks, --fixed-ap / --ap-pool / --max-dets below 11 in COCO style, and --tide with --fixed-ap), 74 cannot read or write a file.
        """)

    @Option(name: .long, help: ArgumentHelp("Ground-truth annotations (COCO or LVIS json).", valueName: "GT.json"))
    var gt: String

    @Option(name: .long, help: ArgumentHelp("Results json (COCO results format); `-` reads stdin.", valueName: "RESULTS.json"))
    var dt: String?

    @Argument(help: ArgumentHelp("Results json as a positional argument (`-` = stdin), instead of --dt.", valueName: "RESULTS"))
    var results: String?

    @Option(name: .long, help: ArgumentHelp("What to compare: boxes (bbox), masks (segm), masks by Boundary IoU (boundary), bbox and segm (both), all three (all), or a comma-separated list. E.g. --iou-type segm,boundary.", valueName: "TYPE[,TYPE...]"))
    var iouType: IoUTypeChoice = .bbox

    @OptionGroup(title: "Boundary IoU") var boundaryOptions: BoundaryOptions

    @Option(name: .long, help: "Which reference to reproduce (auto: LVIS when the GT has federated fields).")
    var style: StyleChoice = .auto

    @Flag(name: .long, help: "Write one JSON document with every stat and a per-category table instead of the text summary.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write per-category AP as CSV (a file: stdout carries the summary).", valueName: "FILE.csv"))
    var perCategory: String?

    @Option(name: .long, help: ArgumentHelp("Also draw PR curves and per-category AP as a PNG (a file).", valueName: "FILE.png"))
    var plot: String?

    @OptionGroup(title: "Protocols and subsets") var protocolOptions: ProtocolOptions

    @Option(name: .long, help: ArgumentHelp("Also write the class confusion matrix (mmdetection's confusion_matrix.py, boxes) as CSV and add "
                                            + "the long-tail view (rare/common classes taken by frequent ones) to the output; FILE.png beside it: the heat map of the 30 classes most involved, grouped r/c/f. E.g. "
                                            + "--confusion confusion.csv.", valueName: "FILE.csv"))
    var confusion: String?

    @Option(name: .customLong("confusion-score-threshold"), help: "Detections counted in --confusion: score at least this (mmdetection's default).")
    var confusionScoreThreshold = 0.3

    @Option(name: .customLong("confusion-iou"), help: "--confusion: IoU at least this is a match.")
    var confusionIoU = 0.5

    @OptionGroup(title: "Calibration and per-image diagnostics") var analysisOptions: AnalysisOptions

    @Flag(name: .long, help: "Also compute TIDE's error breakdown as the tidecv package does, for each IoU type evaluated (bbox, segm; tidecv has no Boundary IoU): tidecv's AP (IoU 0.5, its own 101-point integration, in AP points) and the dAP of its six main errors (Cls, Loc, Both, Dupe, Bkg, Miss) and two special ones (FalsePos, FalseNeg), with per rare/common/frequent rows for LVIS; COCO or LVIS rules as the style, --max-dets as its per-image cap, --img-ids / --cat-ids as cuts of the files. E.g. --tide --iou-type both --json.")
    var tide = false

    @Option(name: .customLong("tide-plot"), help: ArgumentHelp("Also draw the TIDE dAP bars (implies --tide) as a PNG (a file). E.g. --tide-plot tide.png.", valueName: "FILE.png"))
    var tidePlot: String?

    @OptionGroup var maskRuns: MaskRunOptions

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        try boundaryOptions.check(iouType)
        if dt != nil && results != nil {
            throw ValidationError("give the results once: either --dt or a positional path, not both")
        }
        if gt == "-" && (dt ?? results) == "-" {
            throw ValidationError("only one input can come from stdin: give --gt as a file")
        }
        if dt == nil && results == nil {
            throw ValidationError("no results given: pass --dt RESULTS.json, a positional path, or `-` for stdin")
        }
        let summary = json ? "the --json document" : "the summary"
        try SideOutputPath.check(perCategory, option: "--per-category", stdoutCarries: summary, example: "per_class.csv")
        try SideOutputPath.check(plot, option: "--plot", stdoutCarries: summary, example: "pr.png")
        try SideOutputPath.check(confusion, option: "--confusion", stdoutCarries: summary, example: "confusion.csv")
        try SideOutputPath.check(tidePlot, option: "--tide-plot", stdoutCarries: summary, example: "tide.png")
        if wantsTIDE && iouType.types == [.boundary] {
            throw ValidationError("--tide covers bbox and segm (tidecv has no Boundary IoU): add one of them to --iou-type")
        }
        if wantsTIDE && protocolOptions.fixedAP {
            throw ValidationError("--tide follows tidecv's protocol (a per-image cap), not Fixed AP's top K per category: run it without --fixed-ap")
        }
        for (value, option) in [(confusionScoreThreshold, "--confusion-score-threshold"), (confusionIoU, "--confusion-iou")]
        where !(value.isFinite && (0...1).contains(value)) {
            throw ValidationError("\(option) must be in 0-1 (got \(value))")
        }
        if let perCategory, perCategory == plot {
            throw ValidationError("--per-category and --plot both name \(perCategory): give each its own file")
        }
        if let tidePlot, [plot, perCategory, confusion].contains(tidePlot) {
            throw ValidationError("--tide-plot \(tidePlot) is named by another output too: give each its own file")
        }
    }

    /// --tide, or --tide-plot (which implies it).
    var wantsTIDE: Bool { tide || tidePlot != nil }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: DetectEval.toolName, usesBLAS: false)
        let evaluationProtocol = protocolOptions.evaluationProtocol
        if style == .coco { try evaluationProtocol.check(style: .coco, styleSource: "--style coco") }
        let subsets = try protocolOptions.subsets()
        let resultsPath = dt ?? results ?? "-"
        var analyses = analysisOptions.analyses
        // --confusion and --tide work on the files as the evaluation loaded them: one parse.
        analyses.keepsInputs = confusion != nil || wantsTIDE
        let evaluation = DetectionEvaluation(groundTruthPath: gt, resultsPath: resultsPath, style: style.style,
                                             iouTypes: iouType.types, maskRunLimit: maskRuns.maxMaskRuns,
                                             evaluationProtocol: evaluationProtocol, subsets: subsets,
                                             analyses: analyses, dilationRatio: boundaryOptions.ratio)
        var reports = try evaluation.run(parallelism: context.parallelism, logger: context.logger)
        let inputs = reports.first?.inputs
        for r in reports.indices { reports[r].inputs = nil }
        let analysisResults = inputs?.analysisResults
        let matrix = try confusion.map { _ -> ConfusionMatrix in
            guard let inputs, let analysisResults else { preconditionFailure("--confusion without the evaluation's inputs") }
            return try ConfusionMatrix.compute(dataset: inputs.dataset, results: analysisResults, resultsPath: resultsPath,
                                               scoreThreshold: confusionScoreThreshold, iouThreshold: confusionIoU)
        }
        // tidecv has box and mask IoU only: Boundary IoU gets no breakdown.
        let breakdowns = try wantsTIDE ? reports.filter { $0.iouType != .boundary }.map { report -> TIDEBreakdown in
            guard let inputs, let analysisResults else { preconditionFailure("--tide without the evaluation's inputs") }
            return try tideBreakdown(report, dataset: inputs.dataset, results: analysisResults, resultsPath: resultsPath,
                                     parallelism: context.parallelism)
        } : []
        let output = StandardOutput()
        if json {
            var document = JSONReport.document(reports)
            if let matrix, let confusion {
                // One more top-level key; readers skip keys that are not IoU types.
                document = String(document.dropLast(2)) + ",\n  \"confusion\": " + matrix.jsonObject(csvPath: confusion) + "\n}\n"
            }
            if !breakdowns.isEmpty {
                document = String(document.dropLast(2)) + ",\n  \"tide\": " + TIDEBreakdown.jsonObject(breakdowns) + "\n}\n"
            }
            output.write(document)
        } else {
            for report in reports {
                if reports.count > 1 { output.write("type=\(report.iouType.rawValue)\n") }
                output.write(TextSummary.lines(report))
            }
            if let matrix { output.write(matrix.tailSummary()) }
            for breakdown in breakdowns { output.write(breakdown.textSummary()) }
        }
        output.flush()
        if let perCategory {
            try writeFileAtomically(perCategory, text: CategoryTable.csv(reports))
            context.logger.debug("wrote \(perCategory)")
        }
        if let matrix, let confusion {
            try writeFileAtomically(confusion, text: matrix.csv())
            let heatMap = ConfusionHeatMap.path(besideCSV: confusion)
            try ConfusionHeatMap.write(matrix, to: heatMap)
            context.logger.debug("wrote \(confusion) and \(heatMap)")
        }
        if let tidePlot {
            try TIDEChart.write(breakdowns, to: tidePlot)
            context.logger.debug("wrote \(tidePlot)")
        }
        if let plot {
            try EvaluationPlot.write(reports, to: plot)
            context.logger.debug("wrote \(plot)")
        }
        if let first = reports.first, first.detectionCount == 0 {
            throw first.filtered.noDetectionsError(resultsPath: resultsPath,
                                                   emptyHint: "the summary above is what an empty result gives (pycocotools fails on an empty list)")
        }
    }

    /// TIDE on one evaluated IoU type: tidecv's COCO or LVIS loader as the style, the per-image
    /// cap from --max-dets (else the loader's 100 / 300), the files cut to --img-ids / --cat-ids.
    func tideBreakdown(_ report: EvaluationReport, dataset: Dataset, results: AnalysisResults, resultsPath: String,
                       parallelism: Parallelism) throws -> TIDEBreakdown {
        let kind: TIDEDatasetKind = report.style == .lvis ? .lvis : .coco
        let cap = protocolOptions.maxDets.map { $0 == EvaluationParameters.noLimit ? nil : $0 } ?? TIDEBreakdown.defaultMaxDetections(kind)
        let (dataset, results) = TIDEBreakdown.restrict(dataset: dataset, results: results,
                                                        images: report.subsets.images?.ids, categories: report.subsets.categories?.ids)
        return try TIDEBreakdown.compute(dataset: dataset, results: results, resultsPath: resultsPath, groundTruthPath: gt,
                                         iouType: report.iouType, kind: kind, maxDetections: cap, parallelism: parallelism)
    }
}
