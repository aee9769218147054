// TIDE's own AP integration (tidecv ap.py: `APDataObject.get_ap`, `ClassedAPDataObject.get_mAP`),
// which is not COCO's: one IoU threshold; precision without COCO's eps; recall points i/100
// (COCO: i*0.01 from linspace, different doubles at 10 points); a class with detections but no
// ground truth counts as AP 0 in the mean (COCO leaves it out); values in AP points (x 100).
// Sums are Python's left-to-right float additions, so the doubles are tidecv's.

/// One detection in a class's AP data: its score and whether it is a true positive.
struct TIDEPoint: Sendable, Equatable {
    var score: Double
    var isTrue: Bool
}

enum TIDEAveragePrecision {
    /// The 101 recall points of tidecv (`x / 100`, not `x * 0.01`).
    static let recallPoints: [Double] = (0...100).map { Double($0) / 100 }

    /// `APDataObject.get_ap` in AP points: `points` in insertion order (ties in score keep it),
    /// `groundTruths` the class's positives. 0 when the class has no positives.
    static func classAP(_ points: [TIDEPoint], groundTruths: Int) -> Double {
        if groundTruths == 0 { return 0 }
        return classAP(sorted: sortedByScore(points), groundTruths: groundTruths)
    }

    /// Python's list.sort(key=-score), which is stable: equal scores keep insertion order, so
    /// the index breaks ties and the order is total (any sort gives the stable sort's order).
    static func sortedByScore(_ points: [TIDEPoint]) -> [TIDEPoint] {
        ScoreOrder.descending(points.map(\.score)).map { points[$0] }
    }

    /// `get_ap` on points already in sorted order.
    static func classAP(sorted points: [TIDEPoint], groundTruths: Int) -> Double {
        if groundTruths == 0 { return 0 }
        var precisions: [Double] = [], recalls: [Double] = []
        precisions.reserveCapacity(points.count)
        recalls.reserveCapacity(points.count)
        var numTrue = 0, numFalse = 0
        for point in points {
            if point.isTrue { numTrue += 1 } else { numFalse += 1 }
            precisions.append(Double(numTrue) / Double(numTrue + numFalse))
            recalls.append(Double(numTrue) / Double(groundTruths))
        }
        // "Smooth the curve": precision made non-increasing from the right.
        var i = precisions.count - 1
        while i > 0 {
            if precisions[i] > precisions[i - 1] { precisions[i - 1] = precisions[i] }
            i -= 1
        }
        // np.searchsorted(recalls, x, side='left'): the first index whose recall >= x.
        var sum = 0.0, index = 0
        for x in recallPoints {
            while index < recalls.count && recalls[index] < x { index += 1 }
            if index < precisions.count { sum += precisions[index] }
        }
        return sum / Double(recallPoints.count) * 100
    }

    /// `get_mAP`'s `sum(aps) / len(aps)` (nil when there is no class to average).
    static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for value in values { sum += value }
        return sum / Double(values.count)
    }
}
