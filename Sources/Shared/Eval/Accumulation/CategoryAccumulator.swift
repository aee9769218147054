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
    /// N: image index of each detection, when the worker records them (pooled AP, analyses).
    var images: [Int32] = []
    /// Per (image, category) cell, when the worker records images: its image index and its
    /// non-ignored ground truths in area range "all" (per-image analyses and the bootstrap).
    var cellImages: [Int32] = []
    var cellPositives: [Int32] = []
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
        if recallCurve.count < tCount * n {
            recallCurve = [Double](repeating: 0, count: tCount * n)
            precisionCurve = [Double](repeating: 0, count: tCount * n)
        }
        var lengths = [Int](repeating: 0, count: tCount)
        var tp = [Double](repeating: 0, count: tCount), fp = [Double](repeating: 0, count: tCount)
        recallCurve.withUnsafeMutableBufferPointer { recallCurves in
            precisionCurve.withUnsafeMutableBufferPointer { precisionCurves in
                matches.matched.withUnsafeBufferPointer { matched in
                    matches.ignore.withUnsafeBufferPointer { ignore in
                        matches.ranks.withUnsafeBufferPointer { ranks in
                            for m in 0..<mCount {
                                // COCO caps each cell at maxDets[m]; LVIS caps per image at load time only.
                                let cap = parameters.accumulationLimit(m)
                                for a in 0..<aCount {
                                    let positives = matches.positives[a]
                                    if positives == 0 { continue }
                                    let npig = Double(positives)
                                    for t in 0..<tCount { lengths[t] = 0; tp[t] = 0; fp[t] = 0 }
                                    // One pass for all thresholds: curve t lives at [t * n ..< t * n + lengths[t]].
                                    for position in order {
                                        let p = Int(position)
                                        if Int(ranks[p]) >= cap { continue }
                                        let ignoredBits = ignore[p * aCount + a], matchedBits = matched[p * aCount + a]
                                        for t in 0..<tCount {
                                            let bit = UInt16(1) << UInt16(t)
                                            if ignoredBits & bit != 0 { continue }
                                            if matchedBits & bit != 0 { tp[t] += 1 } else { fp[t] += 1 }
                                            let at = t * n + lengths[t]
                                            recallCurves[at] = tp[t] / npig
                                            precisionCurves[at] = tp[t] / (fp[t] + tp[t] + epsilon)
                                            lengths[t] += 1
                                        }
                                    }
                                    for t in 0..<tCount {
                                        let count = lengths[t], base = t * n
                                        output.recall[((t * kCount + k) * aCount + a) * mCount + m] =
                                            count > 0 ? recallCurves[base + count - 1] : 0
                                        // Precision made monotone from the right.
                                        if count > 1 {
                                            for i in stride(from: base + count - 1, to: base, by: -1)
                                            where precisionCurves[i] > precisionCurves[i - 1] {
                                                precisionCurves[i - 1] = precisionCurves[i]
                                            }
                                        }
                                        // Per recall threshold: precision at the first index with recall >= it.
                                        var index = 0
                                        for r in 0..<rCount {
                                            let threshold = recallThresholds[r]
                                            while index < count && recallCurves[base + index] < threshold { index += 1 }
                                            output.precision[(((t * rCount + r) * kCount + k) * aCount + a) * mCount + m] =
                                                index < count ? precisionCurves[base + index] : 0
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
