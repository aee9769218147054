// Pooled AP (large-vocab-devil `lvdevil/eval_wrapper.py`, LVISPooledEval.accumulate at commit
// 87dcb5e): the categories of a pool (all, r, c, f) accumulated as one category. The matching
// is the per-category one, unchanged; the pool concatenates the cells image by image, each
// image's categories in index order (`for img_idx ... for c in pool`), sorts them stably by
// descending score and counts every non-ignored ground truth of the pool. Area "all" only, as
// evaluate_ap_pooled.py evaluates it by default.
import SharedData

/// A group of the result's categories pooled into one AP.
public struct CategoryPool: Sendable, Equatable {
    /// "all", "r", "c", "f" (the reference's `pools`).
    public var name: String
    /// Result category indices, ascending.
    public var categories: [Int]

    public init(name: String, categories: [Int]) {
        self.name = name
        self.categories = categories
    }

    /// The reference's four pools over the result's categories: all, then r, c, f by the
    /// categories' frequency groups.
    public static func frequencyPools(_ frequencies: [FrequencyGroup?]) -> [CategoryPool] {
        [CategoryPool(name: "all", categories: Array(frequencies.indices))]
            + FrequencyGroup.allCases.map { group in
                CategoryPool(name: group.rawValue, categories: frequencies.indices.filter { frequencies[$0] == group })
            }
    }
}

/// One category's area-"all" matches, kept for pooling (N = its detections).
struct PoolEntries: Sendable {
    var scores: [Double] = []      // N
    var matched: [UInt16] = []     // N: bit t = matched at threshold t
    var ignore: [UInt16] = []      // N: bit t = ignored at threshold t
    var images: [Int32] = []       // N: image index of each detection
    var positives = 0
    var hasCells = false

    /// Area range 0 ("all") of `matches`, which hold `areaCount` ranges per detection.
    init(_ matches: CategoryMatches, areaCount: Int) {
        scores = matches.scores
        matched = stride(from: 0, to: matches.matched.count, by: areaCount).map { matches.matched[$0] }
        ignore = stride(from: 0, to: matches.ignore.count, by: areaCount).map { matches.ignore[$0] }
        images = matches.images
        positives = matches.positives.first ?? 0
        hasCells = matches.hasCells
    }
}

enum PooledAccumulation {
    /// The parameters of a pooled evaluation: area range "all" only.
    static func parameters(_ parameters: EvaluationParameters) -> EvaluationParameters {
        precondition(parameters.areaRanges.first?.label == "all", "pooling needs area range \"all\" first")
        var pooled = parameters
        pooled.areaRanges = [parameters.areaRanges[0]]
        return pooled
    }

    /// Precision and recall per pool, as an `EvaluationResult` whose categories are the pools.
    /// `entries[k]` are category k's matches (nil: none collected, i.e. no detections or GT).
    static func accumulate(pools: [CategoryPool], entries: [PoolEntries?], parameters: EvaluationParameters,
                           imageCount: Int) -> EvaluationResult {
        let pooled = Self.parameters(parameters)
        let s = (t: pooled.iouThresholds.count, r: pooled.recallThresholds.count, m: pooled.maxDetections.count)
        var precision = [Double](repeating: -1, count: s.t * s.r * pools.count * s.m)
        var recall = [Double](repeating: -1, count: s.t * pools.count * s.m)
        var groundTruthCounts = [Int](repeating: 0, count: pools.count)
        var detectionCounts = [Int](repeating: 0, count: pools.count)
        var accumulator = CategoryAccumulator(parameters: pooled, categoryCount: pools.count)
        precision.withUnsafeMutableBufferPointer { precisionBuffer in
            recall.withUnsafeMutableBufferPointer { recallBuffer in
                let output = AccumulationOutput(precision: precisionBuffer, recall: recallBuffer)
                for (p, pool) in pools.enumerated() {
                    let matches = merge(pool.categories.compactMap { entries[$0] }, imageCount: imageCount)
                    groundTruthCounts[p] = matches.positives[0]
                    detectionCounts[p] = matches.scores.count
                    accumulator.accumulate(category: p, matches, into: output)
                }
            }
        }
        return EvaluationResult(parameters: pooled, categoryCount: pools.count, precision: precision, recall: recall,
                                groundTruthCounts: groundTruthCounts, detectionCounts: detectionCounts)
    }

    /// The pool's detections in the reference's concatenation order: image, then category (as
    /// `parts` are ordered), then rank in the cell: a stable counting sort by image of the
    /// categories' lists, each already in image order.
    static func merge(_ parts: [PoolEntries], imageCount: Int) -> CategoryMatches {
        var offsets = [Int](repeating: 0, count: imageCount + 1)
        for part in parts { for image in part.images { offsets[Int(image) + 1] += 1 } }
        for i in 0..<imageCount { offsets[i + 1] += offsets[i] }
        let n = offsets[imageCount]
        var matches = CategoryMatches()
        matches.scores = [Double](repeating: 0, count: n)
        matches.ranks = [Int32](repeating: 0, count: n)  // LVIS: no per-cell cap, ranks unused
        matches.matched = [UInt16](repeating: 0, count: n)
        matches.ignore = [UInt16](repeating: 0, count: n)
        matches.positives = [parts.reduce(0) { $0 + $1.positives }]
        matches.hasCells = parts.contains { $0.hasCells }
        for part in parts {
            for (i, image) in part.images.enumerated() {
                let at = offsets[Int(image)]
                offsets[Int(image)] += 1
                matches.scores[at] = part.scores[i]
                matches.matched[at] = part.matched[i]
                matches.ignore[at] = part.ignore[i]
            }
        }
        return matches
    }
}
