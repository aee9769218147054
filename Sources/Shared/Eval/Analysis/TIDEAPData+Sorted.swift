// The TIDE variants without a sort each: every class's baseline points and all the errors are
// sorted once (score descending, insertion order on ties: tidecv's stable sort), and each
// variant merges them. A variant's insertion order is its errors' points (error order) then
// the baseline's true positives, so on equal scores its errors come first; both runs are
// already in that order, and the merge yields the sorted sequence `variant` would sort into:
// the same doubles (TIDEBreakdownTests checks the two against each other and tidecv).
import SharedSupport

extension TIDEAPData {
    /// The once-sorted runs the variants merge.
    struct Sorted {
        /// Per class: the baseline's points, sorted.
        var points: [[TIDEPoint]]
        /// Per class: the scores of the baseline's true positives, sorted.
        var truePositiveScores: [[Double]]
        /// The errors by (score descending, error order).
        var errors: [ErrorPoint]
    }

    func sorted() -> Sorted {
        // Task 0 sorts the errors (the largest), the others one class each, side by side.
        enum Run { case errors([ErrorPoint]), points([TIDEPoint]) }
        let runs = parallelism.map(classes.count + 1) { task -> Run in
            guard task == 0 else { return .points(TIDEAveragePrecision.sortedByScore(self.points[task - 1])) }
            return .errors(ScoreOrder.descending(errors.map(\.score)).map { errors[$0] })
        }
        let points = runs.dropFirst().map { run -> [TIDEPoint] in
            guard case .points(let points) = run else { preconditionFailure("a class's run expected") }
            return points
        }
        guard case .errors(let sortedErrors) = runs[0] else { preconditionFailure("the errors' run expected") }
        return Sorted(points: points, truePositiveScores: points.map { $0.filter(\.isTrue).map(\.score) }, errors: sortedErrors)
    }

    /// `baseline()` from the sorted points.
    func baseline(_ sorted: Sorted) -> ClassAPs {
        let kept = classes.indices.filter { !points[$0].isEmpty || groundTruths[$0] != 0 }
        return parallelism.map(kept.count) { k in
            (kept[k], TIDEAveragePrecision.classAP(sorted: sorted.points[kept[k]], groundTruths: groundTruths[kept[k]]))
        }
    }

    func fixing(_ kind: TIDEErrorKind, sorted: Sorted) -> ClassAPs {
        mergedVariant(sorted, fix: { $0 == kind }, removedPositives: removedPositives(fixing: kind))
    }

    func perfectRecall(_ sorted: Sorted) -> ClassAPs { mergedVariant(sorted, fix: { _ in false }, removedPositives: falseNegatives) }

    /// `variant(fix:removedPositives:)` (no transform) by merging the sorted runs.
    func mergedVariant(_ sorted: Sorted, fix: (TIDEErrorKind) -> Bool, removedPositives: [Int]) -> ClassAPs {
        func target(_ error: ErrorPoint) -> Int? { fix(error.kind) ? error.fixedSlot : error.originalSlot }
        // The dict order: classes as the errors first reach them, then the rest by slot.
        var order: [Int] = [], seen = [Bool](repeating: false, count: classes.count)
        for error in errors {
            guard let target = target(error), !seen[target] else { continue }
            seen[target] = true
            order.append(target)
        }
        for s in classes.indices where !seen[s] { order.append(s) }
        // Each class's error points in sorted order (ties: error order), class after class in
        // one buffer: counted, then placed.
        var start = [Int](repeating: 0, count: classes.count + 1)
        for error in sorted.errors { if let target = target(error) { start[target + 1] += 1 } }
        for s in classes.indices { start[s + 1] += start[s] }
        var errorPoints = [TIDEPoint](repeating: TIDEPoint(score: 0, isTrue: false), count: start[classes.count])
        var next = start
        for error in sorted.errors {
            guard let target = target(error) else { continue }
            errorPoints[next[target]] = TIDEPoint(score: error.score, isTrue: fix(error.kind))
            next[target] += 1
        }
        let positives = zip(groundTruths, removedPositives).map { $0 - $1 }
        let kept = order.filter { start[$0 + 1] > start[$0] || !sorted.truePositiveScores[$0].isEmpty || positives[$0] != 0 }
        return parallelism.map(kept.count) { k in
            let s = kept[k]
            let merged = Self.merge(errorPoints[start[s]..<start[s + 1]], truePositiveScores: sorted.truePositiveScores[s])
            return (s, TIDEAveragePrecision.classAP(sorted: merged, groundTruths: positives[s]))
        }
    }

    /// Two sorted runs as one; on equal scores the error points (inserted first) come first.
    static func merge(_ errorPoints: ArraySlice<TIDEPoint>, truePositiveScores: [Double]) -> [TIDEPoint] {
        var merged: [TIDEPoint] = []
        merged.reserveCapacity(errorPoints.count + truePositiveScores.count)
        var e = errorPoints.startIndex, t = 0
        while e < errorPoints.endIndex || t < truePositiveScores.count {
            if t == truePositiveScores.count || (e < errorPoints.endIndex && errorPoints[e].score >= truePositiveScores[t]) {
                merged.append(errorPoints[e])
                e += 1
            } else {
                merged.append(TIDEPoint(score: truePositiveScores[t], isTrue: true))
                t += 1
            }
        }
        return merged
    }
}
