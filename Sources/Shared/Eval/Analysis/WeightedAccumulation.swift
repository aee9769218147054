// Accumulation with image weights, for the bootstrap: the evaluation's matches, kept once,
// are re-accumulated for a resample in which image i weighs w_i (how often it was drawn)
// without matching again. Per category, as COCOeval/LVISEval accumulate (area "all", the
// largest cap): the detections in the evaluation's stable descending-score order, each
// adding w_i to the cumulative TP or FP count at each IoU threshold (w_i copies of it,
// adjacent), the non-ignored ground truths sum(w_i x positives of cell i), precision
// tp / (tp + fp + eps), made monotone from the right and read at the recall thresholds. A
// category whose resample has no non-ignored ground truth is left out (-1), as in the references.
//
// Legend: N = the category's detections, T = IoU thresholds, R = recall thresholds.

/// One category's matches in accumulation order, area range "all".
struct WeightedCategory: Sendable {
    /// N, in descending score order (ties: concatenation order).
    var images: [Int32] = []
    /// N: bit t = matched / ignored at IoU threshold t.
    var matched: [UInt16] = []
    var ignore: [UInt16] = []
    /// Cells with non-ignored ground truths: image and count.
    var cellImages: [Int32] = []
    var cellPositives: [Int32] = []

    init(_ matches: CategoryMatches, parameters: EvaluationParameters) {
        guard matches.hasCells else { return }
        let aCount = parameters.areaRanges.count
        let cap = parameters.accumulationLimit(parameters.maxDetections.count - 1)
        let scores = matches.scores
        let order = (0..<scores.count).filter { Int(matches.ranks[$0]) < cap }.sorted { i, j in
            scores[i] > scores[j] || (scores[i] == scores[j] && i < j)
        }
        images = order.map { matches.images[$0] }
        matched = order.map { matches.matched[$0 * aCount] }
        ignore = order.map { matches.ignore[$0 * aCount] }
        for c in matches.cellPositives.indices where matches.cellPositives[c] > 0 {
            cellImages.append(matches.cellImages[c])
            cellPositives.append(matches.cellPositives[c])
        }
    }
}

/// Scratch for one worker.
struct WeightedAccumulator {
    let parameters: EvaluationParameters
    private var recall: [Double] = []
    private var precision: [Double] = []

    init(parameters: EvaluationParameters) { self.parameters = parameters }

    /// The sum of the category's T x R precision entries under `weights` (one per image), or
    /// nil when it has no non-ignored ground truth in the resample (the references' -1).
    mutating func precisionSum(_ category: WeightedCategory, weights: UnsafeBufferPointer<Int32>) -> Double? {
        var positives = 0
        for c in category.cellImages.indices {
            positives += Int(weights[Int(category.cellImages[c])]) * Int(category.cellPositives[c])
        }
        guard positives > 0 else { return nil }
        let npig = Double(positives), epsilon = 2.220446049250313e-16
        let n = category.images.count
        if recall.count < n {
            recall = [Double](repeating: 0, count: n)
            precision = [Double](repeating: 0, count: n)
        }
        let recallThresholds = parameters.recallThresholds
        var sum = 0.0
        for t in 0..<parameters.iouThresholds.count {
            let bit = UInt16(1) << UInt16(t)
            var tp = 0.0, fp = 0.0, count = 0
            for d in 0..<n where category.ignore[d] & bit == 0 {
                let w = weights[Int(category.images[d])]
                if w == 0 { continue }
                if category.matched[d] & bit != 0 { tp += Double(w) } else { fp += Double(w) }
                recall[count] = tp / npig
                precision[count] = tp / (fp + tp + epsilon)
                count += 1
            }
            if count > 1 {
                for i in stride(from: count - 1, to: 0, by: -1) where precision[i] > precision[i - 1] {
                    precision[i - 1] = precision[i]
                }
            }
            var index = 0
            for threshold in recallThresholds {
                while index < count && recall[index] < threshold { index += 1 }
                if index < count { sum += precision[index] } else { break }
            }
        }
        return sum
    }
}
