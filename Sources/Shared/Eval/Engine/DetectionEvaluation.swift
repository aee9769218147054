// One detect-eval run as a library call: load the ground truth and the results once, then
// evaluate boxes, masks and/or mask boundaries in the chosen style and protocol (caps, Fixed AP, pooled AP),
// over the chosen images and categories and each named slice, and summarise each.
import SharedData
import SharedMasks
import SharedSupport

/// What is compared: boxes, masks, or masks by Boundary IoU (boundary-iou-api: min(mask IoU,
/// boundary IoU), with that API's evaluation rules, `BoundaryRules.swift`).
public enum IoUType: String, Sendable, CaseIterable {
    case bbox, segm, boundary

    /// Compares masks (segm and boundary).
    public var usesMasks: Bool { self != .bbox }
}

/// The outcome of evaluating one IoU type.
public struct EvaluationReport: Sendable {
    public var iouType: IoUType
    public var style: EvaluationStyle
    public var stats: [SummaryStat]
    public var result: EvaluationResult
    /// Categories in index order (sorted ids).
    public var categories: [CategoryInfo]
    /// Detections evaluated after the reference's filters, and what the filters removed.
    public var detectionCount: Int
    public var filtered: FilterCounts
    /// The protocol evaluated and the subsets asked for.
    public var evaluationProtocol = EvaluationProtocol()
    public var subsets = EvaluationSubsets()
    /// Images the main evaluation covers (all the ground truth's without `--img-ids`).
    public var imageCount = 0
    /// Fixed AP: categories of the results file with fewer than K detections.
    public var categoriesUnderCategoryCap = 0
    /// Pooled AP: precision and recall per pool (`pools` order), nil when not asked for.
    public var pooledResult: EvaluationResult?
    /// One per `subsets.slices`, in order.
    public var slices: [SliceReport] = []
    /// `--calibration` / `--diagnostics` of the main selection; nil when not asked for.
    public var calibration: ScoreCalibration?
    public var diagnostics: ImageDiagnostics?
    /// The main selection's matches, kept when `EvaluationAnalyses.keepsMatches` (bootstrap).
    public var matches: MatchRecords?
    /// Boundary IoU: the dilation ratio evaluated (nil for bbox and segm).
    public var dilationRatio: Double?
    /// What the evaluation loaded, kept when `EvaluationAnalyses.keepsInputs` (--tide, --confusion).
    public var inputs: EvaluationInputs?

    /// The stat named `name` ("AP", "APr", "AR@300", ...).
    public func stat(_ name: String) -> Double? { stats.first { $0.name == name }?.value }

    /// Per-category AP (all thresholds) and AP50, area "all", largest cap.
    public func categoryAP(_ k: Int) -> (ap: Double, ap50: Double) {
        (Summary.categoryAP(result, category: k), Summary.categoryAP(result, category: k, iouThreshold: 0.5))
    }
}

/// Loads, evaluates and summarises.
public struct DetectionEvaluation {
    public var groundTruthPath: String
    public var resultsPath: String
    /// nil = LVIS when the ground truth has the federated fields, else COCO.
    public var style: EvaluationStyle?
    public var iouTypes: [IoUType]
    /// The runs the polygon masks of each file may hold in all (`--max-mask-runs`); nil =
    /// `MaskRunBudget(documentBytes:)` of each file.
    public var maskRunLimit: Int?
    /// Caps, Fixed AP, pooled AP (default: the reference's own protocol).
    public var evaluationProtocol: EvaluationProtocol
    /// Image / category subsets and named slices (default: everything, no slices).
    public var subsets: EvaluationSubsets
    /// Calibration, per-image diagnostics, kept matches (default: none).
    public var analyses: EvaluationAnalyses
    /// Boundary IoU's dilation ratio (boundary-iou-api's `dilation_ratio`, default 0.02): the
    /// boundary is the mask's pixels within round(ratio x image diagonal) of its outside.
    public var dilationRatio: Double

    public init(groundTruthPath: String, resultsPath: String, style: EvaluationStyle?, iouTypes: [IoUType],
                maskRunLimit: Int? = nil, evaluationProtocol: EvaluationProtocol = EvaluationProtocol(),
                subsets: EvaluationSubsets = EvaluationSubsets(), analyses: EvaluationAnalyses = EvaluationAnalyses(),
                dilationRatio: Double = MaskBoundary.defaultDilationRatio) {
        self.analyses = analyses
        self.dilationRatio = dilationRatio
        self.groundTruthPath = groundTruthPath
        self.resultsPath = resultsPath
        self.style = style
        self.iouTypes = iouTypes
        self.maskRunLimit = maskRunLimit
        self.evaluationProtocol = evaluationProtocol
        self.subsets = subsets
    }

    /// Runs every requested IoU type. Throws `ToolError` for bad data.
    public func run(parallelism: Parallelism, logger: Logger? = nil) throws -> [EvaluationReport] {
        let clock = Stopwatch()
        // The ground truth loads, is indexed and (for segm) has its masks rasterised on other
        // cores while this one parses the results: the results file is the larger part.
        let groundTruthPath = self.groundTruthPath, requestedStyle = self.style, wantsMasks = iouTypes.contains(where: \.usesMasks)
        let maskRunLimit = self.maskRunLimit
        let groundTruthTask = BackgroundTask { () -> LoadedGroundTruth in
            let (dataset, budget) = try { () throws -> (Dataset, MaskRunBudget) in
                let input = try JSONInput(path: groundTruthPath)
                let budget = maskRunLimit.map(MaskRunBudget.init(limit:)) ?? MaskRunBudget(documentBytes: input.bytes.count)
                return (try Dataset.load(input: input), budget)
            }()
            let style = requestedStyle ?? (dataset.format.isLVIS ? .lvis : .coco)
            let index = GroundTruthIndex(dataset)
            let masks = wantsMasks ? BackgroundTask {
                try GroundTruthMasks.rasterize(dataset: dataset, index: index, style: style, path: groundTruthPath, budget: budget)
            } : nil
            return LoadedGroundTruth(dataset: dataset, style: style, index: index, masks: masks)
        }
        var results: ResultColumns
        do {
            results = try ResultColumns.read(path: resultsPath, parallelism: parallelism)
        } catch {
            _ = try groundTruthTask.wait()  // a ground-truth error is reported first
            throw error
        }
        let loaded = try groundTruthTask.wait()
        let dataset = loaded.dataset, style = loaded.style, index = loaded.index, masksTask = loaded.masks
        // The protocol against the style, and the id files against the ground truth, before the work.
        let evaluationProtocol = self.evaluationProtocol
        try evaluationProtocol.check(style: style, styleSource: requestedStyle == nil
                                     ? "the ground truth \(groundTruthPath) (no federated fields)" : "--style coco")
        if evaluationProtocol.isFixedAP && wantsMasks, let row = results.hasMask.firstIndex(of: false) {
            throw ToolError("--fixed-ap with mask AP: this result has no segmentation", file: resultsPath, record: "results[\(row)]",
                            hint: "evaluate_ap_fixed.py removes every bbox so that mask AP uses mask areas; every result needs a mask")
        }
        let selections = try subsets.resolve(index, groundTruthPath: groundTruthPath)
        logger?.debug("ground truth: \(index.imageCount) images, \(dataset.annotations.count) annotations, \(index.categoryCount) categories (\(dataset.format.rawValue)); results: \(results.count) detections, \(seconds(clock))")
        try results.resolve(groundTruth: index, path: resultsPath, maskRunLimit: maskRunLimit)
        if wantsMasks { try results.spendBoxMasks(groundTruth: index, path: resultsPath) }
        let allowed = style == .lvis ? EvaluationBuilder.federatedCategories(dataset: dataset, index: index) : nil
        try results.complete(groundTruth: index, allowedCategories: allowed, parallelism: parallelism, path: resultsPath)
        logger?.debug("results checked, \(seconds(clock))")
        // Fixed AP mask AP takes mask areas; everything else follows the first result, so one
        // build serves every IoU type unless Fixed AP evaluates boxes and masks. Boundary IoU
        // takes its ground-truth flags from boundary-iou-api's rules.
        var builds: [Bool: BuiltEvaluation] = [:]
        func built(for iouType: IoUType) -> BuiltEvaluation {
            let areasFromMasks = evaluationProtocol.isFixedAP && iouType.usesMasks
            if let built = builds[areasFromMasks] {
                return iouType == .boundary ? built.withBoundaryRules(dataset: dataset) : built
            }
            let built = EvaluationBuilder.build(style: style, dataset: dataset, index: index, results: results,
                                                parallelism: parallelism, evaluationProtocol: evaluationProtocol,
                                                areasFromMasks: areasFromMasks)
            if builds.isEmpty {
                let f = built.filtered
                if let warning = f.ignoredGroundTruthWarning(groundTruthPath: groundTruthPath) { logger?.warning(warning) }
                if let warning = f.unknownCategoryWarning(resultsPath: resultsPath) { logger?.warning(warning) }
                if let k = f.categoryCap, built.categoriesUnderCategoryCap > 0 {
                    logger?.warning("\(resultsPath): \(built.categoriesUnderCategoryCap) categor\(built.categoriesUnderCategoryCap == 1 ? "y has" : "ies have") fewer than \(k) detections; Fixed AP rises when each has \(k) (evaluate_ap_fixed.py warns alike): write the top \(k) per category over the dataset, without a per-image cap or score threshold")
                }
                logger?.debug("kept \(built.set.detectionCount) detections (dropped: \(f.unknownCategory) unknown category, \(f.overImageCap) over \(f.imageCap)/image, \(f.overCategoryCap) over the per-category cap, \(f.zeroArea) zero area, \(f.federated) federated filter)")
            }
            builds[areasFromMasks] = built
            return iouType == .boundary ? built.withBoundaryRules(dataset: dataset) : built
        }
        let parameters = evaluationProtocol.parameters(style: style)
        let evaluator = Evaluator(parameters: parameters, parallelism: parallelism)
        let boundaryEvaluator = Evaluator(parameters: parameters.boundaryRules(), parallelism: parallelism)
        let categories = selections.main.categories.map { $0.map { index.categories[$0] } } ?? index.categories
        let frequencies = categories.map(\.frequency)
        let pools = evaluationProtocol.pooled ? CategoryPool.frequencyPools(frequencies) : []
        func summarize(_ result: EvaluationResult, pooled: EvaluationResult?) -> [SummaryStat] {
            (style == .coco ? Summary.coco(result) : Summary.lvis(result, frequencies: frequencies))
                + (pooled.map { Summary.pooled($0, pools: pools) } ?? [])
        }
        var reports: [EvaluationReport] = []
        for iouType in iouTypes {
            let built = built(for: iouType)
            // The main selection and each slice; summarised once the overlap source (its boxes
            // or masks) is gone, so the summaries do not add to the peak memory.
            typealias Evaluated = (result: EvaluationResult, pooled: EvaluationResult?, matches: MatchRecords?)
            let needsMatches = analyses.needsMatches
            let evaluator = iouType == .boundary ? boundaryEvaluator : evaluator
            func evaluateAll(_ overlaps: some OverlapSource) throws -> [Evaluated] {
                try ([selections.main] + selections.slices).enumerated().map { s, selection in
                    try evaluator.evaluate(built.set, overlaps: overlaps, selection: selection, pools: pools,
                                           keepsMatches: needsMatches && s == 0)
                }
            }
            let evaluated: [Evaluated]
            switch iouType {
            case .bbox:
                let detectionBoxes = built.detectionSource.map { results.box[Int($0)] }
                let groundTruthBoxes = built.groundTruthSource.map { dataset.annotations[Int($0)].bbox }
                evaluated = try evaluateAll(BoxOverlapSource(detectionBoxes: detectionBoxes, groundTruthBoxes: groundTruthBoxes))
            case .segm:
                guard let masksTask else { preconditionFailure("segm evaluation without ground-truth masks") }
                evaluated = try evaluateAll(MaskOverlapSource(index: index, results: results, built: built,
                                                              groundTruthMasks: try masksTask.wait()))
            case .boundary:
                guard let masksTask else { preconditionFailure("boundary evaluation without ground-truth masks") }
                let masks = MaskOverlapSource(index: index, results: results, built: built, groundTruthMasks: try masksTask.wait())
                // Slices evaluate the same cells again: keep each boundary for them.
                let cache = selections.slices.isEmpty ? nil
                    : BoundaryCache(detectionCount: built.set.detectionCount, groundTruthCount: built.groundTruthSource.count)
                evaluated = try evaluateAll(BoundaryOverlapSource(masks: masks, dilationRatio: dilationRatio, cache: cache,
                                                                  groundTruthPath: groundTruthPath, resultsPath: resultsPath))
            }
            let (result, pooled, matches) = evaluated[0]
            var report = EvaluationReport(iouType: iouType, style: style, stats: summarize(result, pooled: pooled),
                                          result: result, categories: categories,
                                          detectionCount: built.set.detectionCount, filtered: built.filtered)
            report.evaluationProtocol = evaluationProtocol
            report.subsets = subsets
            if iouType == .boundary { report.dilationRatio = dilationRatio }
            report.imageCount = selections.main.imageCount(of: index.imageCount)
            report.categoriesUnderCategoryCap = built.categoriesUnderCategoryCap
            report.pooledResult = pooled
            if analyses.keepsInputs { report.inputs = EvaluationInputs(dataset: dataset, index: index, results: results) }
            if let matches {
                report.calibration = try analyses.calibration.map {
                    try ScoreCalibration.compute(matches, frequencies: frequencies, binCount: $0.binCount, iouThreshold: $0.iouThreshold)
                }
                if let request = analyses.diagnostics {
                    var diagnostics = ImageDiagnostics.compute(matches, limit: request.limit, iouThreshold: request.iouThreshold,
                                                               scoreThreshold: request.scoreThreshold)
                    diagnostics.imageIDs = index.imageIDs.map(\.rawValue)
                    diagnostics.fileNames = ImageDiagnostics.fileNames(dataset, imageIDs: index.imageIDs)
                    report.diagnostics = diagnostics
                }
                if analyses.keepsMatches { report.matches = matches }
            }
            for (slice, (selection, (result, pooled, _))) in zip(subsets.slices, zip(selections.slices, evaluated.dropFirst())) {
                report.slices.append(SliceReport(name: slice.name, path: slice.images.path,
                                                 imageCount: selection.imageCount(of: index.imageCount),
                                                 detectionCount: result.detectionCounts.reduce(0, +),
                                                 stats: summarize(result, pooled: pooled)))
            }
            reports.append(report)
            logger?.debug("\(iouType.rawValue) evaluated, \(seconds(clock))")
        }
        return reports
    }
}

private func seconds(_ clock: Stopwatch) -> String {
    let tenths = Int((clock.elapsed * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) s"
}

/// The ground truth as the background task hands it over: the masks may still be rasterising.
private struct LoadedGroundTruth: Sendable {
    let dataset: Dataset
    let style: EvaluationStyle
    let index: GroundTruthIndex
    let masks: BackgroundTask<GroundTruthMasks>?
}
