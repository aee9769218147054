// `detect-eval --tide`: TIDE's error breakdown (Bolya et al. 2020) exactly as the `tidecv`
// package computes it (quantify.py `TIDERun`): every image judged (TIDEImageAnalysis), the AP
// data assembled in tidecv's order, then each error type fixed on its own (`fix_errors`,
// not progressive) and the AP gain recorded: main errors max(fixed - AP, 0), special errors
// fixed - AP. AP is tidecv's (TIDEAveragePrecision) at IoU 0.5, in AP points.
//
// Order matters where scores tie, so it is tidecv's: baseline AP data image by image (file
// order), predictions by descending score; a fixed variant holds first the errors' data
// points (error order), then the baseline's true positives, class by class in baseline order.
import SharedData
import SharedSupport

/// One set of TIDE numbers: tidecv's AP and the dAP of each error, in AP points (0-100).
public struct TIDEScores: Sendable, Equatable {
    /// nil when no class has a ground truth or a detection.
    public var ap: Double?
    /// `TIDEErrorKind.allCases` order.
    public var main: [Double?]
    /// `TIDESpecialError.allCases` order.
    public var special: [Double?]

    public func main(_ kind: TIDEErrorKind) -> Double? { main[TIDEErrorKind.allCases.firstIndex(of: kind)!] }
    public func special(_ kind: TIDESpecialError) -> Double? { special[TIDESpecialError.allCases.firstIndex(of: kind)!] }
}

public struct TIDEBreakdown: Sendable {
    public var iouType: IoUType
    public var kind: TIDEDatasetKind
    public var thresholds: TIDEThresholds
    /// Predictions kept per image (over all classes); nil = no cap.
    public var maxDetections: Int?
    /// Over every class (tidecv's numbers).
    public var all: TIDEScores
    /// Errors of each type (`TIDEErrorKind.allCases` order), as tidecv's `count_errors`.
    public var errorCounts: [Int]
    /// The same computation with the mean over one frequency group's classes (LVIS
    /// categories with a `frequency`), in `FrequencyGroup.allCases` order; empty without groups.
    public var groups: [(group: FrequencyGroup, scores: TIDEScores)]

    public func count(_ kind: TIDEErrorKind) -> Int { errorCounts[TIDEErrorKind.allCases.firstIndex(of: kind)!] }

    /// tidecv's per-image cap of each loader (`datasets.COCO`: 100, `datasets.LVIS`: 300).
    public static func defaultMaxDetections(_ kind: TIDEDatasetKind) -> Int { kind == .coco ? 100 : 300 }

    /// The breakdown of `results` against `dataset` for one IoU type. `maxDetections` nil = no
    /// cap. Throws `ToolError` naming the record for a result on an unknown image, a result
    /// without the box / mask the IoU type needs, or a mask that cannot be decoded.
    public static func compute(dataset: Dataset, results: [DetectionResult], resultsPath: String, groundTruthPath: String,
                               iouType: IoUType, kind: TIDEDatasetKind, maxDetections: Int?,
                               thresholds: TIDEThresholds = TIDEThresholds(), parallelism: Parallelism = .serial) throws -> TIDEBreakdown {
        try compute(dataset: dataset, results: AnalysisResults(results), resultsPath: resultsPath, groundTruthPath: groundTruthPath,
                    iouType: iouType, kind: kind, maxDetections: maxDetections, thresholds: thresholds, parallelism: parallelism)
    }

    /// The same on results already loaded (the evaluation's columns: no second parse).
    public static func compute(dataset: Dataset, results: AnalysisResults, resultsPath: String, groundTruthPath: String,
                               iouType: IoUType, kind: TIDEDatasetKind, maxDetections: Int?,
                               thresholds: TIDEThresholds = TIDEThresholds(), parallelism: Parallelism = .serial) throws -> TIDEBreakdown {
        let input = try TIDEInput(dataset: dataset, results: results, resultsPath: resultsPath, groundTruthPath: groundTruthPath,
                                  kind: kind, iouType: iouType, maxDetections: maxDetections ?? Int.max, thresholds: thresholds,
                                  parallelism: parallelism)
        let judged = parallelism.map(dataset.images.count) { image -> Result<(TIDEInput.ImageProblem, TIDEImageOutcome), Error> in
            Result {
                var problem = try input.problem(image: image)
                let outcome = TIDEImageAnalysis.analyse(truthClasses: problem.truthClasses, predictionClasses: problem.predictionClasses,
                                                        predictionScores: problem.predictionScores, overlaps: problem.overlaps,
                                                        ignorable: problem.ignorable, thresholds: thresholds)
                // The overlaps are done with: memory stays proportional to the detections.
                problem.overlaps = []
                return (problem, outcome)
            }
        }
        var data = TIDEAPData()
        for entry in judged {
            let (problem, outcome) = try entry.get()
            data.add(problem: problem, outcome: outcome)
        }
        let frequencyOf = Dictionary(dataset.categories.map { ($0.id.rawValue, $0.frequency) }, uniquingKeysWith: { first, _ in first })
        let classGroups = data.classes.map { frequencyOf[$0] ?? nil }
        let variants = [data.baseline()] + TIDEErrorKind.allCases.map { data.fixing($0) } + [data.perfectPrecision(), data.perfectRecall()]
        func scores(_ group: FrequencyGroup?) -> TIDEScores {
            let means = variants.map { variant in
                TIDEAveragePrecision.mean(variant.filter { group == nil || classGroups[$0.slot] == group }.map(\.ap))
            }
            let base = means[0]
            let fixes = means.dropFirst().map { fixed -> Double? in
                guard let fixed, let base else { return nil }
                return fixed - base
            }
            // tidecv: "if an error is negative that means it's likely due to binning differences".
            return TIDEScores(ap: base, main: fixes.prefix(TIDEErrorKind.allCases.count).map { $0.map { max($0, 0) } },
                              special: Array(fixes.suffix(TIDESpecialError.allCases.count)))
        }
        let groups = classGroups.contains { $0 != nil } ? FrequencyGroup.allCases.map { ($0, scores($0)) } : []
        return TIDEBreakdown(iouType: iouType, kind: kind, thresholds: thresholds, maxDetections: maxDetections, all: scores(nil),
                             errorCounts: TIDEErrorKind.allCases.map { data.errorCounts[$0, default: 0] }, groups: groups)
    }
}

/// tidecv's `ClassedAPDataObject` of one run and the errors that can change it. Classes are
/// slots in order of first appearance (the baseline's dict order).
struct TIDEAPData {
    struct ErrorPoint {
        var kind: TIDEErrorKind
        var score: Double
        /// Its slot as a false positive, nil when ignored (not in the AP data).
        var originalSlot: Int?
        /// The slot its fix makes it a true positive of, nil when the fix removes it.
        var fixedSlot: Int?
    }

    /// Category id of each slot.
    var classes: [Int] = []
    var slotOf: [Int: Int] = [:]
    /// Baseline data points per slot, in insertion order.
    var points: [[TIDEPoint]] = []
    var groundTruths: [Int] = []
    /// Miss errors and unmatched ground truths per slot.
    var missErrors: [Int] = []
    var falseNegatives: [Int] = []
    var errors: [ErrorPoint] = []
    var errorCounts: [TIDEErrorKind: Int] = [:]

    mutating func slot(_ category: Int) -> Int {
        if let slot = slotOf[category] { return slot }
        let slot = classes.count
        slotOf[category] = slot
        classes.append(category)
        points.append([])
        groundTruths.append(0)
        missErrors.append(0)
        falseNegatives.append(0)
        return slot
    }

    /// `_eval_image` of one image: positives, data points, errors, false negatives.
    mutating func add(problem: TIDEInput.ImageProblem, outcome: TIDEImageOutcome) {
        for c in problem.truthClasses { groundTruths[slot(c)] += 1 }
        for (d, state) in outcome.states.enumerated() where state != .ignored {
            points[slot(problem.predictionClasses[d])].append(TIDEPoint(score: problem.predictionScores[d], isTrue: state == .matched))
        }
        for error in outcome.errors {
            let d = error.prediction
            let fixedSlot = error.fixedClass.map { slot($0) }
            errors.append(ErrorPoint(kind: error.kind, score: problem.predictionScores[d],
                                     originalSlot: outcome.states[d] == .ignored ? nil : slotOf[problem.predictionClasses[d]],
                                     fixedSlot: fixedSlot))
            errorCounts[error.kind, default: 0] += 1
        }
        for negative in outcome.falseNegatives {
            let s = slot(problem.truthClasses[negative.truth])
            falseNegatives[s] += 1
            if negative.isMissError {
                missErrors[s] += 1
                errorCounts[.missed, default: 0] += 1
            }
        }
    }

    /// (slot, AP) of every non-empty class of a variant, in its dict order.
    typealias ClassAPs = [(slot: Int, ap: Double)]

    func classAPs(points: [[TIDEPoint]], groundTruths: [Int], order: [Int]) -> ClassAPs {
        order.filter { !points[$0].isEmpty || groundTruths[$0] != 0 }
            .map { ($0, TIDEAveragePrecision.classAP(points[$0], groundTruths: groundTruths[$0])) }
    }

    /// `self.ap_data` as the run built it.
    func baseline() -> ClassAPs { classAPs(points: points, groundTruths: groundTruths, order: Array(classes.indices)) }

    /// `fix_errors`: each error's data point (fixed when `fix(kind)`), then the baseline's
    /// true positives; `transform` applied to every point; positives less `removedPositives`.
    func variant(fix: (TIDEErrorKind) -> Bool, transform: (TIDEPoint) -> TIDEPoint = { $0 }, removedPositives: [Int]) -> ClassAPs {
        var fixed = [[TIDEPoint]](repeating: [], count: classes.count)
        var order: [Int] = [], seen = [Bool](repeating: false, count: classes.count)
        for error in errors {
            let target = fix(error.kind) ? error.fixedSlot : error.originalSlot
            guard let target else { continue }
            fixed[target].append(transform(TIDEPoint(score: error.score, isTrue: fix(error.kind))))
            if !seen[target] {
                seen[target] = true
                order.append(target)
            }
        }
        for s in classes.indices {
            for point in points[s] where point.isTrue { fixed[s].append(transform(point)) }
            if !seen[s] { order.append(s) }
        }
        let positives = zip(groundTruths, removedPositives).map { $0 - $1 }
        return classAPs(points: fixed, groundTruths: positives, order: order)
    }

    func fixing(_ kind: TIDEErrorKind) -> ClassAPs {
        variant(fix: { $0 == kind }, removedPositives: kind == .missed ? missErrors : missErrors.map { _ in 0 })
    }

    /// FalsePos: every true positive scored 1, every false positive 0.
    func perfectPrecision() -> ClassAPs {
        variant(fix: { _ in false }, transform: { TIDEPoint(score: $0.isTrue ? 1 : 0, isTrue: $0.isTrue) },
                removedPositives: missErrors.map { _ in 0 })
    }

    /// FalseNeg: every unmatched ground truth removed from the positives.
    func perfectRecall() -> ClassAPs { variant(fix: { _ in false }, removedPositives: falseNegatives) }
}
