// `detect-eval compare --gt GT.json --dt NAME=RESULTS.json ... [--bootstrap N --seed S
// --distinct-images] [--json]`: evaluates each results file here (keeping its matches when
// bootstrapping), prints the results table or the bootstrap intervals, and hands the stats
// back for the chart.
import ArgumentParser
import SharedEval
import SharedSupport

struct CompareEvaluationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Ground truth to evaluate the --dt results files against (COCO or LVIS json).", valueName: "GT.json"))
    var gt: String?

    @Option(name: .customLong("dt"),
            help: ArgumentHelp("A method's results file, as NAME=RESULTS.json; repeat per method, the first is the control. E.g. --dt baseline=dets-base.json --dt loce=dets-loce.json.",
                               valueName: "NAME=RESULTS.json"))
    var detections: [NamedPath] = []

    @Option(name: .customLong("iou-type"), help: ArgumentHelp("With --dt: boxes (bbox), masks (segm), masks by Boundary IoU (boundary), bbox and segm (both), all three (all), or a comma-separated list.", valueName: "TYPE[,TYPE...]"))
    var iouType: IoUTypeChoice = .bbox

    @OptionGroup(title: "Boundary IoU") var boundaryOptions: BoundaryOptions

    @Option(name: .long, help: "With --dt: which reference to reproduce (auto: LVIS when the GT has federated fields).")
    var style: StyleChoice = .auto

    @Option(name: .long, help: ArgumentHelp("With --dt: N bootstrap resamples over images for 95 % intervals of AP, APr, APc, APf and of each method's difference to the first. E.g. --bootstrap 1000.", valueName: "N"))
    var bootstrap: Int?

    @Option(name: .long, help: ArgumentHelp("With --bootstrap: the seed of the resampling (same seed, same resamples and intervals). E.g. --seed 7.", valueName: "S"))
    var seed: UInt64 = 0

    @Flag(name: .customLong("distinct-images"), help: "With --bootstrap: count each drawn image once however often drawn (hotcoco's compare semantics) instead of as often as drawn.")
    var distinctImages = false

    @Flag(name: .long, help: "With --bootstrap: print the intervals as one JSON document instead of markdown tables.")
    var json = false

    func validate() throws {
        try boundaryOptions.check(iouType)
        if gt == nil && !detections.isEmpty { throw ValidationError("--dt NAME=RESULTS.json is evaluated against --gt GT.json: add --gt") }
        if gt != nil && detections.isEmpty { throw ValidationError("--gt needs the results files to evaluate: add --dt NAME=RESULTS.json (once per method)") }
        try NamedPath.checkUnique(detections, option: "--dt")
        if detections.filter({ $0.path == "-" }).count > 1 || (gt == "-" && detections.contains { $0.path == "-" }) {
            throw ValidationError("only one input can come from stdin")
        }
        if let bootstrap {
            if detections.isEmpty { throw ValidationError("--bootstrap resamples evaluations made here: add --gt GT.json and --dt NAME=RESULTS.json") }
            if bootstrap < 1 { throw ValidationError("--bootstrap must be at least 1 resample (got \(bootstrap)); 1000 is usual") }
        } else if distinctImages || json {
            throw ValidationError("--distinct-images and --json set up --bootstrap N: add --bootstrap 1000 (say)")
        }
    }

    /// Evaluates every method, prints the table or the intervals, returns the stats.
    func run(parallelism: Parallelism, logger: Logger, output: StandardOutput) throws -> [ModelResults] {
        guard let gt else { return [] }
        var models: [ModelResults] = []
        var methods: [[BootstrapMethod]] = []  // [method][iou type]
        for method in detections {
            let evaluation = DetectionEvaluation(groundTruthPath: gt, resultsPath: method.path, style: style.style,
                                                 iouTypes: iouType.types,
                                                 analyses: EvaluationAnalyses(keepsMatches: bootstrap != nil),
                                                 dilationRatio: boundaryOptions.ratio)
            let reports = try evaluation.run(parallelism: parallelism, logger: logger)
            models.append(ModelResults(name: method.name, reports: reports))
            methods.append(reports.compactMap { report in
                report.matches.map {
                    BootstrapMethod(name: method.name, records: $0, frequencies: report.categories.map(\.frequency),
                                    stats: Dictionary(report.stats.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
                }
            })
            logger.debug("evaluated \(method.name)")
        }
        guard let bootstrap else {
            output.write(ResultsTable.wide(models))
            return models
        }
        let imageCount = methods[0].first?.records.imageCount ?? 0
        guard imageCount > 0 else { throw ToolError("\(gt) has no images: nothing to resample", file: gt) }
        let resampling = BootstrapResampling(imageCount: imageCount, seed: seed, distinct: distinctImages)
        let withGroups = models[0].stats.values.contains { $0["APr"] != nil }
        let comparisons = iouType.types.enumerated().map { t, type in
            (type, BootstrapComparison.run(methods.map { $0[t] }, resampling: resampling, resamples: bootstrap,
                                           withGroups: withGroups, parallelism: parallelism))
        }
        output.write(json ? BootstrapReport.jsonDocument(comparisons) : BootstrapReport.markdown(comparisons))
        return models
    }
}
