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
        var data = TIDEAPData(parallelism: parallelism)
        // At most one error per prediction: one allocation instead of growing (fresh pages each time).
        data.errors.reserveCapacity(judged.reduce(0) { $0 + ((try? $1.get().0.rows.count) ?? 0) })
        for entry in judged {
            let (problem, outcome) = try entry.get()
            data.add(problem: problem, outcome: outcome)
        }
        let frequencyOf = Dictionary(dataset.categories.map { ($0.id.rawValue, $0.frequency) }, uniquingKeysWith: { first, _ in first })
        let classGroups = data.classes.map { frequencyOf[$0] ?? nil }
        let sorted = data.sorted()
        // The variants side by side, each one's classes in turn (same values as `variant`).
        var serial = data
        serial.parallelism = .serial
        let kinds = TIDEErrorKind.allCases
        let variants = parallelism.map(kinds.count + 3) { v -> TIDEAPData.ClassAPs in
            switch v {
            case 0: return serial.baseline(sorted)
            case kinds.count + 1: return serial.perfectPrecision()
            case kinds.count + 2: return serial.perfectRecall(sorted)
            default: return serial.fixing(kinds[v - 1], sorted: sorted)
            }
        }
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
                             errorCounts: data.errorCounts, groups: groups)
    }
}
