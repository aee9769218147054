// tidecv's AP data of one TIDE run (`ClassedAPDataObject` per variant): the baseline's data
// points per class, the errors that fixing can change, the positives, and each variant
// (baseline, one error type fixed, FalsePos, FalseNeg) as tidecv's `fix_errors` builds it.
// `variant` is the plain reference (every class's points built and sorted per variant);
// TIDEAPData+Sorted.swift reaches the same doubles by sorting once and merging.
import SharedSupport

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
    /// Slot of each category id: ids in 0..<`denseIDs` through an array (+1, 0 = none yet), others a dictionary.
    var denseSlot = [Int32](repeating: 0, count: TIDEAPData.denseIDs)
    var sparseSlot: [Int: Int] = [:]
    static let denseIDs = 1 << 16
    /// Baseline data points per slot, in insertion order.
    var points: [[TIDEPoint]] = []
    var groundTruths: [Int] = []
    /// Miss errors and unmatched ground truths per slot.
    var missErrors: [Int] = []
    var falseNegatives: [Int] = []
    var errors: [ErrorPoint] = []
    /// Per `TIDEErrorKind.allCases` index.
    var errorCounts = [Int](repeating: 0, count: TIDEErrorKind.allCases.count)
    /// The classes' APs of a variant are computed in parallel (each on its own, order kept);
    /// `.serial` where the variants themselves run in parallel.
    var parallelism: Parallelism

    init(parallelism: Parallelism = .serial) { self.parallelism = parallelism }

    /// The slot of `category` when it has one.
    func existingSlot(_ category: Int) -> Int? {
        if (0..<Self.denseIDs).contains(category) {
            let slot = denseSlot[category]
            return slot == 0 ? nil : Int(slot) - 1
        }
        return sparseSlot[category]
    }

    mutating func slot(_ category: Int) -> Int {
        if let slot = existingSlot(category) { return slot }
        let slot = classes.count
        if (0..<Self.denseIDs).contains(category) { denseSlot[category] = Int32(slot + 1) } else { sparseSlot[category] = slot }
        classes.append(category)
        points.append([])
        groundTruths.append(0)
        missErrors.append(0)
        falseNegatives.append(0)
        return slot
    }

    static let kinds = TIDEErrorKind.allCases
    static func kindIndex(_ kind: TIDEErrorKind) -> Int { kinds.firstIndex(of: kind)! }

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
                                     originalSlot: outcome.states[d] == .ignored ? nil : existingSlot(problem.predictionClasses[d]),
                                     fixedSlot: fixedSlot))
            errorCounts[Self.kindIndex(error.kind)] += 1
        }
        for negative in outcome.falseNegatives {
            let s = slot(problem.truthClasses[negative.truth])
            falseNegatives[s] += 1
            if negative.isMissError {
                missErrors[s] += 1
                errorCounts[Self.kindIndex(.missed)] += 1
            }
        }
    }

    /// (slot, AP) of every non-empty class of a variant, in its dict order.
    typealias ClassAPs = [(slot: Int, ap: Double)]

    func classAPs(points: [[TIDEPoint]], groundTruths: [Int], order: [Int]) -> ClassAPs {
        let kept = order.filter { !points[$0].isEmpty || groundTruths[$0] != 0 }
        return parallelism.map(kept.count) { k in (kept[k], TIDEAveragePrecision.classAP(points[kept[k]], groundTruths: groundTruths[kept[k]])) }
    }

    /// `self.ap_data` as the run built it (reference; `baseline(sorted)` is the same, faster).
    func baseline() -> ClassAPs { classAPs(points: points, groundTruths: groundTruths, order: Array(classes.indices)) }

    /// `fix_errors`: each error's data point (fixed when `fix(kind)`), then the baseline's
    /// true positives; `transform` applied to every point; positives less `removedPositives`.
    /// The reference: `mergedVariant` gives the same without a sort per variant.
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

    /// The positives a variant removes when fixing `kind` (Miss: the missed ground truths).
    func removedPositives(fixing kind: TIDEErrorKind) -> [Int] { kind == .missed ? missErrors : missErrors.map { _ in 0 } }

    /// Reference of `fixing(_:sorted:)`.
    func fixing(_ kind: TIDEErrorKind) -> ClassAPs { variant(fix: { $0 == kind }, removedPositives: removedPositives(fixing: kind)) }

    /// FalsePos: every true positive scored 1, every false positive 0.
    func perfectPrecision() -> ClassAPs {
        variant(fix: { _ in false }, transform: { TIDEPoint(score: $0.isTrue ? 1 : 0, isTrue: $0.isTrue) },
                removedPositives: missErrors.map { _ in 0 })
    }

    /// Reference of `perfectRecall(sorted)`: every unmatched ground truth removed from the positives.
    func perfectRecall() -> ClassAPs { variant(fix: { _ in false }, removedPositives: falseNegatives) }
}
