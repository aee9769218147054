// Training targets of one image for the RPN and the box head: match, sample, encode.
//
// RPN (mmdetection 2.8 `AnchorHead._get_targets_single`): only anchors with an inside flag
// take part; they are matched (0.7 / 0.3 / best >= 0.3), 256 sampled at 50% positive;
// sampled positives get objectness 1 and a delta target (RPN coder), sampled negatives 0,
// everything else weight 0. The loss's average factor is positives + negatives.
// Box head (`StandardRoIHead` + `BBoxHead.get_targets`): GT boxes are prepended to the
// proposals, matched (0.5 / 0.5 / best >= 0.5), 512 sampled at 25% positive; RoIs are
// positives then negatives; labels are the GT class for positives, C (background) for
// negatives; positives get a delta target (box-head coder) toward their GT.
import SharedSupport

/// The sampled anchors of one image (indices into the full anchor list).
public struct AnchorTargets: Sendable, Equatable {
    public var positives: [Int]
    public var negatives: [Int]
    /// The matched GT of each positive.
    public var positiveGroundTruth: [Int]
    /// The regression target of each positive.
    public var positiveTargets: [BoxDelta]

    /// The loss's average factor (sampled positives + negatives, at least 1).
    public var averageFactor: Int { Swift.max(positives.count + negatives.count, 1) }
}

/// RPN targets for `anchors` (all levels concatenated) of one image.
public func anchorTargets(anchors: [Box], insideFlags: [Bool], groundTruth: [Box], matcher: MaxIoUMatcher = .rpn,
                          sampler: RandomSampler = .rpn, coder: DeltaXYWHBoxCoder = .rpn,
                          parallelism: Parallelism = .serial, random: inout SeededRandom) -> AnchorTargets {
    precondition(anchors.count == insideFlags.count, "one inside flag per anchor")
    let inside = insideFlags.indices.filter { insideFlags[$0] }
    let match = matcher.match(pairwiseIoU(inside.map { anchors[$0] }, groundTruth, parallelism: parallelism))
    let sample = sampler.sample(match, random: &random)
    let positiveGroundTruth = sample.positives.map { match.labels[$0].groundTruth! }
    let targets = zip(sample.positives, positiveGroundTruth).map { local, gt in
        coder.encode(groundTruth[gt], relativeTo: anchors[inside[local]])
    }
    return AnchorTargets(positives: sample.positives.map { inside[$0] }, negatives: sample.negatives.map { inside[$0] },
                         positiveGroundTruth: positiveGroundTruth, positiveTargets: targets)
}

/// The sampled RoIs of one image with their box-head targets.
public struct RoITargets: Sendable, Equatable {
    /// Sampled RoIs: `positiveCount` positives, then the negatives.
    public var rois: [Box]
    /// Class of each RoI: the GT class (0..<C) for positives, C for negatives.
    public var labels: [Int]
    /// The matched GT of each RoI, nil for negatives.
    public var groundTruth: [Int?]
    /// Whether each RoI is a GT box added as a proposal.
    public var isGroundTruthBox: [Bool]
    /// Regression targets of the positives, [positiveCount].
    public var positiveTargets: [BoxDelta]
    public var positiveCount: Int
}

/// Box-head targets from `proposals` and the image's GT boxes and classes (0..<classCount).
public func roiTargets(proposals: [Box], groundTruth: [Box], groundTruthClasses: [Int], classCount: Int,
                      addGroundTruthAsProposals: Bool = true, matcher: MaxIoUMatcher = .rcnn,
                      sampler: RandomSampler = .rcnn, coder: DeltaXYWHBoxCoder = .rcnn,
                      parallelism: Parallelism = .serial, random: inout SeededRandom) -> RoITargets {
    precondition(groundTruth.count == groundTruthClasses.count, "one class per GT box")
    precondition(groundTruthClasses.allSatisfy { (0..<classCount).contains($0) }, "GT classes are foreground indices")
    let candidates = addGroundTruthAsProposals ? groundTruth + proposals : proposals
    let gtCount = addGroundTruthAsProposals ? groundTruth.count : 0
    let match = matcher.match(pairwiseIoU(candidates, groundTruth, parallelism: parallelism))
    let sample = sampler.sample(match, random: &random)
    let positiveGT = sample.positives.map { match.labels[$0].groundTruth! }
    let chosen = sample.positives + sample.negatives
    return RoITargets(
        rois: chosen.map { candidates[$0] },
        labels: positiveGT.map { groundTruthClasses[$0] } + Array(repeating: classCount, count: sample.negatives.count),
        groundTruth: positiveGT.map { Optional($0) } + Array(repeating: nil, count: sample.negatives.count),
        isGroundTruthBox: chosen.map { $0 < gtCount },
        positiveTargets: zip(sample.positives, positiveGT).map { coder.encode(groundTruth[$1], relativeTo: candidates[$0]) },
        positiveCount: sample.positives.count)
}
