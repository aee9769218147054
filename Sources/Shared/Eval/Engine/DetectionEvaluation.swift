// One detect-eval run as a library call: load the ground truth and the results once, then
// evaluate boxes and/or masks in the chosen style and summarise each.
import SharedData
import SharedMasks
import SharedSupport

/// What is compared: boxes or masks.
public enum IoUType: String, Sendable, CaseIterable {
    case bbox, segm
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

    public init(groundTruthPath: String, resultsPath: String, style: EvaluationStyle?, iouTypes: [IoUType],
                maskRunLimit: Int? = nil) {
        self.groundTruthPath = groundTruthPath
        self.resultsPath = resultsPath
        self.style = style
        self.iouTypes = iouTypes
        self.maskRunLimit = maskRunLimit
    }

    /// Runs every requested IoU type. Throws `ToolError` for bad data.
    public func run(parallelism: Parallelism, logger: Logger? = nil) throws -> [EvaluationReport] {
        let clock = Stopwatch()
        // The ground truth loads, is indexed and (for segm) has its masks rasterised on other
        // cores while this one parses the results: the results file is the larger part.
        let groundTruthPath = self.groundTruthPath, requestedStyle = self.style, wantsMasks = iouTypes.contains(.segm)
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
            results = try ResultColumns.read(path: resultsPath)
        } catch {
            _ = try groundTruthTask.wait()  // a ground-truth error is reported first
            throw error
        }
        let loaded = try groundTruthTask.wait()
        let dataset = loaded.dataset, style = loaded.style, index = loaded.index, masksTask = loaded.masks
        logger?.debug("ground truth: \(index.imageCount) images, \(dataset.annotations.count) annotations, \(index.categoryCount) categories (\(dataset.format.rawValue)); results: \(results.count) detections, \(seconds(clock))")
        try results.resolve(groundTruth: index, path: resultsPath, maskRunLimit: maskRunLimit)
        if wantsMasks { try results.spendBoxMasks(groundTruth: index, path: resultsPath) }
        let allowed = style == .lvis ? EvaluationBuilder.federatedCategories(dataset: dataset, index: index) : nil
        try results.complete(groundTruth: index, allowedCategories: allowed, parallelism: parallelism, path: resultsPath)
        logger?.debug("results checked, \(seconds(clock))")
        let built = EvaluationBuilder.build(style: style, dataset: dataset, index: index, results: results,
                                             parallelism: parallelism)
        let f = built.filtered
        if let warning = f.ignoredGroundTruthWarning(groundTruthPath: groundTruthPath) { logger?.warning(warning) }
        if let warning = f.unknownCategoryWarning(resultsPath: resultsPath) { logger?.warning(warning) }
        logger?.debug("kept \(built.set.detectionCount) detections (dropped: \(f.unknownCategory) unknown category, \(f.overImageCap) over 300/image, \(f.zeroArea) zero area, \(f.federated) federated filter)")
        let parameters = EvaluationParameters(style: style)
        let evaluator = Evaluator(parameters: parameters, parallelism: parallelism)
        var reports: [EvaluationReport] = []
        for iouType in iouTypes {
            let result: EvaluationResult
            switch iouType {
            case .bbox:
                let detectionBoxes = built.detectionSource.map { results.box[Int($0)] }
                let groundTruthBoxes = built.groundTruthSource.map { dataset.annotations[Int($0)].bbox }
                result = try evaluator.evaluate(built.set, overlaps: BoxOverlapSource(detectionBoxes: detectionBoxes,
                                                                                       groundTruthBoxes: groundTruthBoxes))
            case .segm:
                guard let masksTask else { preconditionFailure("segm evaluation without ground-truth masks") }
                let source = MaskOverlapSource(index: index, results: results, built: built,
                                               groundTruthMasks: try masksTask.wait())
                result = try evaluator.evaluate(built.set, overlaps: source)
            }
            let stats = style == .coco ? Summary.coco(result) : Summary.lvis(result, frequencies: index.frequencies)
            reports.append(EvaluationReport(iouType: iouType, style: style, stats: stats, result: result,
                                            categories: index.categories, detectionCount: built.set.detectionCount,
                                            filtered: built.filtered))
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
