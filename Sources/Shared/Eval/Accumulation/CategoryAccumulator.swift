// COCOeval.accumulate / LVISEval.accumulate for one category: merge its cells' detections
// by score (stable), cumulate TP/FP per IoU threshold, interpolate precision at the
// recall thresholds. Writes into the shared precision/recall arrays (disjoint per category).
//
// Legend: N = detections of the category (concatenated cell by cell, images in id order,
// each cell in score order), T/R/K/A/M = thresholds, recall points, categories, area
// ranges, detection caps.

/// The matched detections of one category, ready to accumulate.
struct CategoryMatches {
    /// N: score of each detection, in concatenation order.
    var scores: [Double] = []
    /// N: the detection's rank in its cell (0 = best), for the maxDets caps.
    var ranks: [Int32] = []
    /// N x A: bit t = matched at threshold t.
    var matched: [UInt16] = []
    /// N x A: bit t = ignored at threshold t.
    var ignore: [UInt16] = []
    /// A: non-ignored ground truths.
    var positives: [Int] = []
    /// True when at least one cell had a ground truth or a detection (the reference's E).
    var hasCells = false
}

/// Where accumulated values go: precision T x R x K x A x M and recall T x K x A x M.
struct AccumulationOutput: @unchecked Sendable {
    let precision: UnsafeMutableBufferPointer<Double>
    let recall: UnsafeMutableBufferPointer<Double>
}

/// Accumulates one category with reusable scratch.
struct CategoryAccumulator {
    let parameters: EvaluationParameters
    let categoryCount: Int
    private var order: [Int32] = []
    private var recallCurve: [Double] = []
    private var precisionCurve: [Double] = []

    init(parameters: EvaluationParameters, categoryCount: Int) {
        self.parameters = parameters
        self.categoryCount = categoryCount
    }

    mutating func accumulate(category k: Int, _ matches: CategoryMatches, into output: AccumulationOutput) {
        let tCount = parameters.iouThresholds.count, rCount = parameters.recallThresholds.count
        let aCount = parameters.areaRanges.count, mCount = parameters.maxDetections.count
        let kCount = categoryCount
        guard matches.hasCells else { return }
        let n = matches.scores.count
        // Stable sort by descending score: ties keep concatenation order.
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: (0..<Int32(n)))
        matches.scores.withUnsafeBufferPointer { scores in
            order.sort { i, j in
                let si = scores[Int(i)], sj = scores[Int(j)]
                return si > sj || (si == sj && i < j)
            }
        }
        let epsilon = 2.220446049250313e-16
        let recallThresholds = parameters.recallThresholds
        for m in 0..<mCount {
            // COCO caps each cell at maxDets[m]; LVIS caps per image at load time only.
            let cap = parameters.style == .coco ? parameters.maxDetections[m] : Int.max
            for a in 0..<aCount {
                let positives = matches.positives[a]
                if positives == 0 { continue }
                let npig = Double(positives)
                for t in 0..<tCount {
                    let bit = UInt16(1) << UInt16(t)
                    recallCurve.removeAll(keepingCapacity: true)
                    precisionCurve.removeAll(keepingCapacity: true)
                    var tp = 0.0, fp = 0.0
                    for position in order {
                        let p = Int(position)
                        if Int(matches.ranks[p]) >= cap { continue }
                        if matches.ignore[p * aCount + a] & bit != 0 { continue }
                        if matches.matched[p * aCount + a] & bit != 0 { tp += 1 } else { fp += 1 }
                        recallCurve.append(tp / npig)
                        precisionCurve.append(tp / (fp + tp + epsilon))
                    }
                    let count = recallCurve.count
                    output.recall[((t * kCount + k) * aCount + a) * mCount + m] = count > 0 ? recallCurve[count - 1] : 0
                    // Precision made monotone from the right.
                    if count > 1 {
                        for i in stride(from: count - 1, to: 0, by: -1) where precisionCurve[i] > precisionCurve[i - 1] {
                            precisionCurve[i - 1] = precisionCurve[i]
                        }
                    }
                    // For each recall threshold, precision at the first index with recall >= it.
                    var index = 0
                    for r in 0..<rCount {
                        let threshold = recallThresholds[r]
                        while index < count && recallCurve[index] < threshold { index += 1 }
                        output.precision[(((t * rCount + r) * kCount + k) * aCount + a) * mCount + m] =
                            index < count ? precisionCurve[index] : 0
                    }
                }
            }
        }
    }
}
