// Random positive/negative sampling of matched boxes: mmdetection v2 `RandomSampler`
// (neg_pos_ub = -1). Up to floor(count * positiveFraction) positives are drawn uniformly
// without replacement, then negatives fill the rest of `count`. Both index lists come back
// sorted ascending (mmdetection applies `unique()`, which sorts).
import SharedSupport

/// The indices of the boxes that enter the loss.
public struct SampledIndices: Sendable, Equatable {
    public var positives: [Int]
    public var negatives: [Int]
}

/// Draws a fixed-size sample of positives and negatives with an explicit generator.
public struct RandomSampler: Hashable, Sendable {
    public let count: Int
    public let positiveFraction: Float

    public init(count: Int, positiveFraction: Float) {
        precondition(count > 0, "sample count must be positive")
        precondition(positiveFraction >= 0 && positiveFraction <= 1, "positive fraction must be in [0, 1]")
        self.count = count; self.positiveFraction = positiveFraction
    }

    /// The RPN's sampler: 256 anchors, half positive.
    public static let rpn = RandomSampler(count: 256, positiveFraction: 0.5)
    /// The box head's sampler: 512 RoIs, a quarter positive.
    public static let rcnn = RandomSampler(count: 512, positiveFraction: 0.25)

    /// Samples from `match`: positives first, then negatives to fill `count`.
    public func sample(_ match: MatchResult, random: inout SeededRandom) -> SampledIndices {
        let positives = match.positiveIndices, negatives = match.backgroundIndices
        let expectedPositives = Int(Float(count) * positiveFraction)
        let chosenPositives = randomSubset(positives, size: Swift.min(expectedPositives, positives.count), random: &random)
        let expectedNegatives = count - chosenPositives.count
        let chosenNegatives = randomSubset(negatives, size: Swift.min(expectedNegatives, negatives.count), random: &random)
        return SampledIndices(positives: chosenPositives, negatives: chosenNegatives)
    }
}

/// `size` distinct elements of `pool` drawn uniformly (partial Fisher-Yates), sorted
/// ascending. When `size == pool.count` the pool is returned without consuming randomness.
public func randomSubset(_ pool: [Int], size: Int, random: inout SeededRandom) -> [Int] {
    precondition(size >= 0 && size <= pool.count, "subset size must be within the pool")
    if size == pool.count { return pool.sorted() }
    var items = pool
    for k in 0..<size {
        let j = k + random.nextInt(below: items.count - k)
        items.swapAt(k, j)
    }
    return items[0..<size].sorted()
}
