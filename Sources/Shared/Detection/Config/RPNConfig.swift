// Typed config of the region proposal network: anchors, anchor assignment and sampling,
// proposal selection, loss weights.

public struct RPNConfig: Codable, Equatable, Sendable {
    /// Anchor side = scale x level stride (8: 32 px at P2 ... 512 px at P6).
    public var anchorScales: [Double]
    /// Height / width ratios of the anchors at every location.
    public var anchorRatios: [Double]
    /// Stride of each level's anchors; one per FPN level.
    public var anchorStrides: [Int]
    /// How the anchor grid is laid (absent = mmdetection): mmdetection's cell anchors as
    /// computed, shifted by the level's stride; torchvision's cell anchors rounded to whole
    /// pixels (`round`, half to even) and shifted by (padded input side) / (feature side),
    /// integer division, per axis (58 px, not 64, on P6 of a 352-px input).
    public var anchorGrid: DetectionConvention?
    /// Assignment and sampling of anchors.
    public var matcher: MatcherConfig
    public var sampler: SamplerConfig
    /// Proposal selection during training and at test time.
    public var train: ProposalConfig
    public var test: ProposalConfig
    /// Delta coder means and stds (0 / 1 for the RPN).
    public var coder: BoxCoderConfig
    public var objectnessLossWeight: Double
    public var boxLossWeight: Double

    /// Anchors per feature location (the head's output channels divide by this).
    public var anchorsPerLocation: Int { anchorScales.count * anchorRatios.count }
}

/// Max-IoU assignment of anchors (or proposals) to ground truth.
public struct MatcherConfig: Codable, Equatable, Sendable {
    /// IoU >= this: positive.
    public var positiveIoU: Double
    /// IoU < this: negative (background); in between: ignored.
    public var negativeIoU: Double
    /// Each GT's best match is made positive too if its IoU >= this (low-quality matches).
    public var minimumPositiveIoU: Double
    public var lowQualityMatches: Bool
}

/// Random sampling of a fixed number of positives and negatives per image.
public struct SamplerConfig: Codable, Equatable, Sendable {
    public var samplesPerImage: Int
    public var positiveFraction: Double
}

/// How proposals are picked from the RPN outputs.
public struct ProposalConfig: Codable, Equatable, Sendable {
    /// Highest-scoring anchors kept per level before NMS.
    public var preNMSTopK: Int
    /// Proposals kept per image after NMS.
    public var postNMSTopK: Int
    public var nmsIoU: Double
    /// Boxes smaller than this (pixels, either side) are dropped (torchvision: 0.001, always
    /// applied).
    public var minimumSize: Double
    /// How the proposals are picked (absent = mmdetection): mmdetection ranks each level's
    /// anchors by sigmoid probability and runs NMS level by level; torchvision ranks them by
    /// logit and runs its `batched_nms` (`torchvisionBatchedNMS`), scores being sigmoids.
    /// Both decode with `rpn.coder`.
    public var selection: DetectionConvention?
}

/// A delta (dx, dy, dw, dh) box coder's normalisation.
public struct BoxCoderConfig: Codable, Equatable, Sendable {
    public var means: [Double]
    public var stds: [Double]
    /// The decode's (and encode's) arithmetic (absent = mmdetection): mmdetection's
    /// `DeltaXYWHBBoxCoder` (centre (x1 + x2) / 2, delta x std + mean, dw and dh clamped to
    /// +-log(1000 / 16)) or torchvision's `BoxCoder` with weights 1 / stds (centre x1 + w / 2,
    /// delta / weight, dw and dh clamped from above only); torchvision's needs means 0.
    public var convention: DetectionConvention?
}
