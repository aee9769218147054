// Greedy matching of one (image, category) cell, exactly as COCOeval.evaluateImg and
// LVISEval.evaluate_img do it, for every area range and IoU threshold at once.
//
// Legend: D = detections of the cell (score order), G = ground truths of the cell (file
// order), T = IoU thresholds (<= 16, one bit each), A = area ranges.

/// Per-cell matching with reusable scratch space (one per worker).
struct CellMatcher {
    let thresholds: [Double]
    let areaRanges: [AreaRange]
    /// True for LVIS: an unmatched detection of a not-exhaustive category is ignored.
    let usesNotExhaustive: Bool

    private var order: [Int] = []          // G: ground truths, non-ignored first (stable)
    private var ignored: [Bool] = []       // G: in `order` order
    private var crowdInOrder: [Bool] = []  // G
    private var zeroID: [Bool] = []        // G
    private var taken: [Bool] = []         // G: matched at the current threshold

    init(parameters: EvaluationParameters) {
        precondition(parameters.iouThresholds.count <= 16, "at most 16 IoU thresholds")
        thresholds = parameters.iouThresholds
        areaRanges = parameters.areaRanges
        usesNotExhaustive = parameters.style == .lvis
    }

    /// Matches the cell. `iou` is D x G (row-major, ground truths in file order).
    /// Writes, for detection d and area range a, bit t of `matched[d * A + a]` (matched to
    /// a GT with a non-zero id at threshold t) and of `ignore[d * A + a]` (ignored at t).
    /// Adds each range's number of non-ignored ground truths to `positives[a]`.
    mutating func match(set: EvaluationSet,
                        detections: UnsafeBufferPointer<Int32>,
                        groundTruths: UnsafeBufferPointer<Int32>,
                        iou: UnsafeBufferPointer<Double>,
                        matched: UnsafeMutableBufferPointer<UInt16>,
                        ignore: UnsafeMutableBufferPointer<UInt16>,
                        positives: inout [Int]) {
        let dCount = detections.count, gCount = groundTruths.count
        let aCount = areaRanges.count, tCount = thresholds.count
        let allBits: UInt16 = tCount == 16 ? 0xFFFF : UInt16((1 << tCount) - 1)
        for a in 0..<aCount {
            let range = areaRanges[a]
            // Ground-truth ignore flags for this range, then non-ignored first (stable).
            order.removeAll(keepingCapacity: true)
            ignored.removeAll(keepingCapacity: true)
            crowdInOrder.removeAll(keepingCapacity: true)
            zeroID.removeAll(keepingCapacity: true)
            var nonIgnored = 0
            for pass in 0..<2 {
                for g in 0..<gCount {
                    let index = Int(groundTruths[g])
                    let isIgnored = set.groundTruthIgnore[index] || range.excludes(set.groundTruthArea[index])
                    if isIgnored != (pass == 1) { continue }
                    order.append(g)
                    ignored.append(isIgnored)
                    crowdInOrder.append(set.groundTruthCrowd[index])
                    zeroID.append(set.groundTruthIDIsZero[index])
                    if !isIgnored { nonIgnored += 1 }
                }
            }
            positives[a] += nonIgnored

            for d in 0..<dCount {
                matched[d * aCount + a] = 0
                ignore[d * aCount + a] = 0
            }
            if gCount > 0 && dCount > 0 {
                if taken.count < gCount { taken = [Bool](repeating: false, count: gCount) }
                for t in 0..<tCount {
                    let bit = UInt16(1) << UInt16(t)
                    for position in 0..<gCount { taken[position] = false }
                    let start = min(thresholds[t], 1 - 1e-10)
                    for d in 0..<dCount {
                        var best = start
                        var m = -1
                        let row = iou.baseAddress! + d * gCount
                        for position in 0..<gCount {
                            if taken[position] && !crowdInOrder[position] { continue }
                            if m > -1 && !ignored[m] && ignored[position] { break }
                            let value = row[order[position]]
                            if value < best { continue }
                            best = value
                            m = position
                        }
                        if m == -1 { continue }
                        if ignored[m] { ignore[d * aCount + a] |= bit }
                        if !zeroID[m] { matched[d * aCount + a] |= bit }
                        taken[m] = true
                    }
                }
            }
            // Unmatched detections outside the range (or, in LVIS, of a not-exhaustive
            // category) are ignored.
            for d in 0..<dCount {
                let index = Int(detections[d])
                let outside = range.excludes(set.detectionArea[index])
                    || (usesNotExhaustive && set.detectionNotExhaustive[index])
                if outside { ignore[d * aCount + a] |= ~matched[d * aCount + a] & allBits }
            }
        }
    }
}
