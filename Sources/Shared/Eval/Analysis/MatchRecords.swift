// Every category's matches from one evaluation, kept with their images so that analyses can
// reread them without matching again: score calibration, per-image diagnostics and the
// bootstrap. Matching is the evaluation's own (caps, filters, crowd, ignore), done once.

/// The kept matches of an evaluation (`Evaluator.evaluate(..., keepsMatches: true)`).
public struct MatchRecords: Sendable {
    public let parameters: EvaluationParameters
    /// Images of the evaluation set (image indices are `0..<imageCount`, sorted ids).
    public let imageCount: Int
    /// Per result category index: its detections in concatenation order (images in id order,
    /// each cell by descending score, within the cell cap) and its cells.
    let categories: [CategoryMatches]

    init(parameters: EvaluationParameters, imageCount: Int, categories: [CategoryMatches]) {
        self.parameters = parameters
        self.imageCount = imageCount
        self.categories = categories
    }

    public var categoryCount: Int { categories.count }

    /// One detection as an analysis sees it at one IoU threshold, area range "all".
    struct Outcome {
        var image: Int32
        var score: Double
        /// Matched a ground truth at the threshold (a true positive unless `ignored`).
        var matched: Bool
        /// Neither true nor false positive (matched an ignored ground truth; LVIS not-exhaustive).
        var ignored: Bool
    }

    /// Calls `body` for each detection of category `k` in concatenation order, at IoU
    /// threshold index `t`, area range "all" (index 0), among the detections the largest cap
    /// accumulates (COCO: the cell's first maxDets[-1]; LVIS: all, capped at load time).
    func forEachOutcome(category k: Int, iouIndex t: Int, _ body: (Outcome) -> Void) {
        let matches = categories[k]
        let aCount = parameters.areaRanges.count
        let cap = parameters.accumulationLimit(parameters.maxDetections.count - 1)
        let bit = UInt16(1) << UInt16(t)
        for p in 0..<matches.scores.count where Int(matches.ranks[p]) < cap {
            body(Outcome(image: matches.images[p], score: matches.scores[p],
                         matched: matches.matched[p * aCount] & bit != 0,
                         ignored: matches.ignore[p * aCount] & bit != 0))
        }
    }

    /// Calls `body(image, positives)` for each (image, category k) cell: its non-ignored ground
    /// truths, area range "all". A cell exists when the image has a ground truth or a
    /// detection of k after the loading filters (the references' non-empty evalImgs).
    func forEachCell(category k: Int, _ body: (Int32, Int) -> Void) {
        let matches = categories[k]
        for c in 0..<matches.cellImages.count { body(matches.cellImages[c], Int(matches.cellPositives[c])) }
    }
}
