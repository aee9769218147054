// Max-IoU assignment of boxes (anchors or proposals) to ground-truth boxes: mmdetection v2
// `MaxIoUAssigner` with `gt_max_assign_all=True` and no ignore regions.
//
//   1. every box starts ignored;
//   2. a box whose best IoU is in [0, negativeBelow) becomes background;
//   3. a box whose best IoU is >= positiveFrom becomes positive for its best GT (ties: the
//      first GT);
//   4. if `lowQualityMatches`: for each GT in order whose best IoU with any box is
//      >= minimumPositiveIoU, every box reaching that best IoU becomes positive for this GT
//      (later GTs overwrite earlier ones).
// With no GT every box is background; with no box the result is empty.

/// What a box was assigned to.
public enum MatchLabel: Hashable, Sendable {
    /// Neither positive nor negative: not used by the loss.
    case ignored
    /// Background (a negative sample).
    case background
    /// Positive for the ground-truth box with this index.
    case positive(groundTruth: Int)

    /// The matched ground-truth index, or nil.
    @inlinable public var groundTruth: Int? {
        if case .positive(let index) = self { return index }
        return nil
    }
}

/// The assignment of every box: its label and its best IoU with any GT (0 without GTs).
public struct MatchResult: Sendable, Equatable {
    public var labels: [MatchLabel]
    public var maxIoU: [Float]

    public init(labels: [MatchLabel], maxIoU: [Float]) {
        precondition(labels.count == maxIoU.count, "one max IoU per label")
        self.labels = labels; self.maxIoU = maxIoU
    }

    public var positiveIndices: [Int] { labels.indices.filter { labels[$0].groundTruth != nil } }
    public var backgroundIndices: [Int] { labels.indices.filter { labels[$0] == .background } }
}

/// Thresholds of the max-IoU assignment.
public struct MaxIoUMatcher: Hashable, Sendable {
    public let positiveFrom: Float
    public let negativeBelow: Float
    public let minimumPositiveIoU: Float
    public let lowQualityMatches: Bool

    public init(positiveFrom: Float, negativeBelow: Float, minimumPositiveIoU: Float, lowQualityMatches: Bool) {
        precondition(negativeBelow <= positiveFrom, "negative threshold must not exceed the positive one")
        self.positiveFrom = positiveFrom; self.negativeBelow = negativeBelow
        self.minimumPositiveIoU = minimumPositiveIoU; self.lowQualityMatches = lowQualityMatches
    }

    /// The RPN's assigner: positive >= 0.7, negative < 0.3, each GT's best anchors if >= 0.3.
    public static let rpn = MaxIoUMatcher(positiveFrom: 0.7, negativeBelow: 0.3, minimumPositiveIoU: 0.3, lowQualityMatches: true)
    /// The box head's assigner (mmdetection v2 Mask R-CNN config): positive >= 0.5,
    /// negative < 0.5, each GT's best proposals if >= 0.5 (GT boxes are among the proposals).
    public static let rcnn = MaxIoUMatcher(positiveFrom: 0.5, negativeBelow: 0.5, minimumPositiveIoU: 0.5, lowQualityMatches: true)

    /// Assigns the rows of `iou` (boxes) to its columns (ground truths).
    public func match(_ iou: IoUMatrix) -> MatchResult {
        let n = iou.rows, m = iou.columns
        guard m > 0 else {
            return MatchResult(labels: Array(repeating: .background, count: n), maxIoU: Array(repeating: 0, count: n))
        }
        var labels = [MatchLabel](repeating: .ignored, count: n)
        var maxIoU = [Float](repeating: 0, count: n)
        var gtBest = [Float](repeating: -1, count: m)
        iou.values.withUnsafeBufferPointer { values in
            for i in 0..<n {
                let row = values.baseAddress! + i * m
                var best = row[0], bestIndex = 0
                for j in 0..<m {
                    let value = row[j]
                    if value > best { best = value; bestIndex = j }
                    if value > gtBest[j] { gtBest[j] = value }
                }
                maxIoU[i] = best
                if best >= positiveFrom {
                    labels[i] = .positive(groundTruth: bestIndex)
                } else if best >= 0 && best < negativeBelow {
                    labels[i] = .background
                }
            }
            guard lowQualityMatches else { return }
            for j in 0..<m where gtBest[j] >= minimumPositiveIoU {
                for i in 0..<n where values[i * m + j] == gtBest[j] {
                    labels[i] = .positive(groundTruth: j)
                }
            }
        }
        return MatchResult(labels: labels, maxIoU: maxIoU)
    }
}
