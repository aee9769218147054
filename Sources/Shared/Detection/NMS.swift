// Greedy non-maximum suppression: boxes in descending score order, each kept box removes
// every later box whose IoU with it is > iouThreshold (strictly greater, as mmcv `nms` and
// torchvision `nms`). Equal scores keep the lower index first (our sort is stable; the
// references' sorts are not, so fixtures avoid ties).
//
// Batched (class-wise) NMS suppresses only within a group. mmcv/torchvision implement it
// by offsetting each group's boxes by group * (maxCoordinate + 1) so groups never overlap;
// in Float32 such offsets (up to ~1200 classes x ~1300 px) would round coordinates to
// 1/8 pixel, so the fast path here runs NMS per group instead, which is what the offset
// trick computes in exact arithmetic. The naive reference uses the offset trick in Double.

/// Indices of `scores` sorted by descending score, ties by ascending index.
public func indicesByDescendingScore(_ scores: [Float]) -> [Int] {
    scores.indices.sorted { a, b in scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
}

/// The indices of the `k` highest scores (all if fewer), by descending score, ties by
/// ascending index: the first k of `indicesByDescendingScore`, found by selecting the k-th
/// largest value first (O(n) expected) and sorting only the k winners.
public func topKIndices(_ scores: [Float], k: Int) -> [Int] {
    precondition(k >= 0, "k must not be negative")
    guard k < scores.count else { return indicesByDescendingScore(scores) }
    guard k > 0 else { return [] }
    let threshold = kthLargest(scores, k: k)
    var chosen: [Int] = []
    chosen.reserveCapacity(k)
    for (index, score) in scores.enumerated() where score > threshold { chosen.append(index) }
    for (index, score) in scores.enumerated() where score == threshold && chosen.count < k { chosen.append(index) }
    return chosen.sorted { a, b in scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
}

/// The k-th largest value of `values` (1-based k), by iterative quickselect on a copy.
func kthLargest(_ values: [Float], k: Int) -> Float {
    precondition(k >= 1 && k <= values.count, "k must be within the array")
    var items = values
    let target = k - 1  // index in descending order
    var low = 0, high = items.count - 1
    return items.withUnsafeMutableBufferPointer { a in
        while low < high {
            // Median-of-three pivot, then a three-way partition (greater | equal | less).
            let mid = low + (high - low) / 2
            let pivot = Swift.max(Swift.min(a[low], a[mid]), Swift.min(Swift.max(a[low], a[mid]), a[high]))
            var lt = low, i = low, gt = high
            while i <= gt {
                if a[i] > pivot { a.swapAt(i, lt); lt += 1; i += 1 }
                else if a[i] < pivot { a.swapAt(i, gt); gt -= 1 }
                else { i += 1 }
            }
            if target < lt { high = lt - 1 } else if target > gt { low = gt + 1 } else { return pivot }
        }
        return a[low]
    }
}

/// Greedy NMS. Returns the kept indices by descending score; stops after `maxKept`.
public func nonMaximumSuppression(_ boxes: [Box], scores: [Float], iouThreshold: Float, maxKept: Int = .max) -> [Int] {
    precondition(boxes.count == scores.count, "one score per box")
    let order = indicesByDescendingScore(scores)
    let n = order.count
    // Boxes gathered in score order so the inner loop walks memory forwards.
    var x1 = [Float](repeating: 0, count: n), y1 = x1, x2 = x1, y2 = x1, area = x1
    for (rank, index) in order.enumerated() {
        let b = boxes[index]
        x1[rank] = b.x1; y1[rank] = b.y1; x2[rank] = b.x2; y2[rank] = b.y2; area[rank] = b.area
    }
    // Suppression flags as bytes; each kept box tests every later box, suppressed or not, so
    // that the inner loop has no branch and vectorises (a box suppressed twice stays suppressed).
    var suppressed = [UInt8](repeating: 0, count: n)
    var kept: [Int] = []
    x1.withUnsafeBufferPointer { x1 in y1.withUnsafeBufferPointer { y1 in
    x2.withUnsafeBufferPointer { x2 in y2.withUnsafeBufferPointer { y2 in area.withUnsafeBufferPointer { area in
    suppressed.withUnsafeMutableBufferPointer { suppressed in
        for i in 0..<n where suppressed[i] == 0 {
            kept.append(order[i])
            if kept.count >= maxKept { break }
            let bx1 = x1[i], by1 = y1[i], bx2 = x2[i], by2 = y2[i], barea = area[i]
            for j in (i + 1)..<Swift.max(i + 1, n) {
                let w = Swift.max(0, Swift.min(bx2, x2[j]) - Swift.max(bx1, x1[j]))
                let h = Swift.max(0, Swift.min(by2, y2[j]) - Swift.max(by1, y1[j]))
                let inter = w * h
                suppressed[j] |= inter / Swift.max(barea + area[j] - inter, iouUnionEpsilon) > iouThreshold ? 1 : 0
            }
        }
    }
    }}}}}
    return kept
}

/// Class-wise (group-wise) NMS: boxes suppress only boxes of the same group. Returns the
/// kept indices of all groups merged by descending score (ties by index).
public func batchedNonMaximumSuppression(_ boxes: [Box], scores: [Float], groups: [Int], iouThreshold: Float) -> [Int] {
    precondition(boxes.count == scores.count && boxes.count == groups.count, "one score and group per box")
    var members: [Int: [Int]] = [:]
    for (index, group) in groups.enumerated() { members[group, default: []].append(index) }
    var kept: [Int] = []
    for (_, indices) in members {
        let keptInGroup = nonMaximumSuppression(indices.map { boxes[$0] }, scores: indices.map { scores[$0] }, iouThreshold: iouThreshold)
        kept.append(contentsOf: keptInGroup.map { indices[$0] })
    }
    return kept.sorted { a, b in scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
}

/// Naive reference NMS: repeatedly take the best remaining box and drop every remaining
/// box overlapping it by more than the threshold.
public func nonMaximumSuppressionNaive(_ boxes: [Box], scores: [Float], iouThreshold: Float) -> [Int] {
    var remaining = Array(boxes.indices)
    var kept: [Int] = []
    while let best = remaining.min(by: { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }) {
        kept.append(best)
        remaining.removeAll { $0 == best || intersectionOverUnion(boxes[$0], boxes[best]) > iouThreshold }
    }
    return kept
}

/// Naive reference batched NMS: the coordinate-offset trick in Double precision.
public func batchedNonMaximumSuppressionNaive(_ boxes: [Box], scores: [Float], groups: [Int], iouThreshold: Float) -> [Int] {
    guard !boxes.isEmpty else { return [] }
    let maxCoordinate = boxes.map { Double(Swift.max($0.x1, $0.y1, $0.x2, $0.y2)) }.max()!
    let shifted = zip(boxes, groups).map { box, group -> (Double, Double, Double, Double) in
        let offset = Double(group) * (maxCoordinate + 1)
        return (Double(box.x1) + offset, Double(box.y1) + offset, Double(box.x2) + offset, Double(box.y2) + offset)
    }
    func iou(_ a: (Double, Double, Double, Double), _ b: (Double, Double, Double, Double)) -> Double {
        let w = Swift.max(0, Swift.min(a.2, b.2) - Swift.max(a.0, b.0))
        let h = Swift.max(0, Swift.min(a.3, b.3) - Swift.max(a.1, b.1))
        let inter = w * h
        let areaA = Swift.max(0, a.2 - a.0) * Swift.max(0, a.3 - a.1), areaB = Swift.max(0, b.2 - b.0) * Swift.max(0, b.3 - b.1)
        return inter / Swift.max(areaA + areaB - inter, Double(iouUnionEpsilon))
    }
    var remaining = Array(boxes.indices)
    var kept: [Int] = []
    while let best = remaining.min(by: { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }) {
        kept.append(best)
        remaining.removeAll { $0 == best || iou(shifted[$0], shifted[best]) > Double(iouThreshold) }
    }
    return kept
}
