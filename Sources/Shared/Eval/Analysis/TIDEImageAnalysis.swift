// One image as tidecv's `TIDEExample` and `TIDERun._eval_image` judge it: greedy matching of
// the predictions (best score first) to same-class ground truths at IoU >= 0.5, ignore regions,
// then each prediction that is not a true positive gets one error, tested in tidecv's order:
// Loc (same class, 0.1 <= IoU <= 0.5), Cls (other class, IoU >= 0.5), Dupe (same class, a
// matched ground truth, IoU >= 0.5), Bkg (IoU <= 0.1 with everything), else Both. Ground
// truths left unmatched are false negatives; those no Cls/Loc error points at are Miss errors.
//
// Legend: P predictions (sorted by descending score, stable, capped), G the image's ground
// truths that are not ignore regions (file order); overlaps row-major P x G.

/// TIDE's six main error types, in tidecv's order (`TIDE._error_types`), by its short names.
public enum TIDEErrorKind: String, Sendable, CaseIterable {
    case classification = "Cls"
    case localization = "Loc"
    case both = "Both"
    case duplicate = "Dupe"
    case background = "Bkg"
    case missed = "Miss"
}

/// TIDE's two special errors (`TIDE._special_error_types`).
public enum TIDESpecialError: String, Sendable, CaseIterable {
    /// Every false positive scored below every true positive (recall unchanged).
    case falsePositive = "FalsePos"
    /// Every missed ground truth removed from the positives (precision unchanged).
    case falseNegative = "FalseNeg"
}

/// tidecv's thresholds: a match needs IoU >= `positive`; background is IoU <= `background`.
public struct TIDEThresholds: Sendable, Equatable {
    public var positive: Double
    public var background: Double

    public init(positive: Double = 0.5, background: Double = 0.1) {
        self.positive = positive
        self.background = background
    }
}

/// The verdict on one image.
struct TIDEImageOutcome: Sendable {
    enum State: Sendable, Equatable {
        /// A true positive.
        case matched
        /// A false positive.
        case unmatched
        /// Unmatched inside an ignore region: left out of AP (tidecv's `used = None`), but
        /// still given an error.
        case ignored
    }

    /// One prediction's error. `fixedClass`: the class its fix turns it into a true positive
    /// of (Cls: the ground truth's, Loc: its own), or nil when fixing removes it (Dupe, Bkg,
    /// Both; a Cls/Loc error whose ground truth is matched or taken by a better-scored error).
    struct PredictionError: Sendable, Equatable {
        var kind: TIDEErrorKind
        var prediction: Int
        var fixedClass: Int?
    }

    var states: [State]
    /// In prediction order.
    var errors: [PredictionError]
    /// Unmatched ground truths, in order, each with whether it is a Miss error (no Cls/Loc
    /// error pointed at it).
    var falseNegatives: [(truth: Int, isMissError: Bool)]
}

enum TIDEImageAnalysis {
    /// `truthClasses` (G), `predictionClasses` and `predictionScores` (P, sorted), `overlaps`
    /// (P x G), `ignorable[p]`: prediction p lies in an ignore region of its class (with IoU
    /// above the positive threshold, or the region is the whole image).
    static func analyse(truthClasses: [Int], predictionClasses: [Int], predictionScores: [Double], overlaps: [Double],
                        ignorable: [Bool], thresholds: TIDEThresholds) -> TIDEImageOutcome {
        let g = truthClasses.count, p = predictionClasses.count
        precondition(overlaps.count == p * g && predictionScores.count == p && ignorable.count == p)
        if p == 0 {
            return TIDEImageOutcome(states: [], errors: [], falseNegatives: (0..<g).map { ($0, true) })
        }
        // gt_cls_iou: overlap where the classes agree, else 0.
        var classOverlaps = [Double](repeating: 0, count: p * g)
        for d in 0..<p {
            for t in 0..<g where predictionClasses[d] == truthClasses[t] { classOverlaps[d * g + t] = overlaps[d * g + t] }
        }
        var states = [TIDEImageOutcome.State](repeating: .unmatched, count: p)
        var used = [Bool](repeating: false, count: g)
        if g > 0 {
            var buffer = classOverlaps
            for d in 0..<p {
                let t = argmax(buffer, row: d, columns: g)
                if buffer[d * g + t] >= thresholds.positive {
                    states[d] = .matched
                    used[t] = true
                    for row in 0..<p { buffer[row * g + t] = 0 }
                }
            }
        }
        for d in 0..<p where states[d] != .matched && ignorable[d] { states[d] = .ignored }

        var errors: [TIDEImageOutcome.PredictionError] = []
        // BestGTMatch: per ground truth, the first best-scored Cls/Loc error pointing at it.
        var usable = [Bool](repeating: false, count: g)
        var bestScore = [Double?](repeating: nil, count: g)
        var best = [Int?](repeating: nil, count: g)
        var pendingFixes: [(error: Int, truth: Int, fixedClass: Int)] = []
        func pointAt(_ t: Int, from d: Int, kind: TIDEErrorKind, fixedClass: Int) {
            errors.append(.init(kind: kind, prediction: d, fixedClass: nil))
            guard !used[t] else { return }
            usable[t] = true
            if bestScore[t] == nil { bestScore[t] = -1 }
            if bestScore[t]! < predictionScores[d] {
                bestScore[t] = predictionScores[d]
                best[t] = d
            }
            pendingFixes.append((errors.count - 1, t, fixedClass))
        }
        for d in 0..<p where states[d] != .matched {
            if g == 0 {
                errors.append(.init(kind: .background, prediction: d, fixedClass: nil))
                continue
            }
            var t = argmax(classOverlaps, row: d, columns: g)
            var value = classOverlaps[d * g + t]
            if thresholds.background <= value && value <= thresholds.positive {
                pointAt(t, from: d, kind: .localization, fixedClass: predictionClasses[d])
                continue
            }
            t = argmax(row: d, columns: g) { predictionClasses[d] == truthClasses[$0] ? 0 : overlaps[d * g + $0] }
            value = predictionClasses[d] == truthClasses[t] ? 0 : overlaps[d * g + t]
            if value >= thresholds.positive {
                pointAt(t, from: d, kind: .classification, fixedClass: truthClasses[t])
                continue
            }
            t = argmax(row: d, columns: g) { used[$0] ? classOverlaps[d * g + $0] : 0 }
            value = used[t] ? classOverlaps[d * g + t] : 0
            if value >= thresholds.positive {
                errors.append(.init(kind: .duplicate, prediction: d, fixedClass: nil))
                continue
            }
            t = argmax(overlaps, row: d, columns: g)
            if overlaps[d * g + t] <= thresholds.background {
                errors.append(.init(kind: .background, prediction: d, fixedClass: nil))
                continue
            }
            errors.append(.init(kind: .both, prediction: d, fixedClass: nil))
        }
        // A fix happens only for the best error of each ground truth (decided once all are seen).
        for fix in pendingFixes where best[fix.truth] == errors[fix.error].prediction {
            errors[fix.error].fixedClass = fix.fixedClass
        }
        let falseNegatives = (0..<g).filter { !used[$0] }.map { (truth: $0, isMissError: !usable[$0]) }
        return TIDEImageOutcome(states: states, errors: errors, falseNegatives: falseNegatives)
    }

    /// numpy's argmax of one row: the first index of the largest value.
    static func argmax(_ values: [Double], row: Int, columns: Int) -> Int {
        argmax(row: row, columns: columns) { values[row * columns + $0] }
    }

    static func argmax(row: Int, columns: Int, _ value: (Int) -> Double) -> Int {
        var best = 0, bestValue = value(0)
        for column in 1..<max(columns, 1) {
            let v = value(column)
            if v > bestValue {
                best = column
                bestValue = v
            }
        }
        return best
    }
}
