// The training-time settings of the whole model, mapped once from a config into the
// detection layer's types: anchors, matchers, samplers, coders, train-time proposals,
// RoIAlign, loss weights.
import SharedNN

public struct TrainingSettings: Sendable {
    public var anchors: AnchorGenerator
    public var rpnMatcher: MaxIoUMatcher
    public var rpnSampler: RandomSampler
    public var rpnCoder: DeltaXYWHBoxCoder
    /// Train-time proposals (2000 per level before NMS, 1000 kept).
    public var proposals: ProposalGenerator
    public var roiMatcher: MaxIoUMatcher
    public var roiSampler: RandomSampler
    public var boxCoder: DeltaXYWHBoxCoder
    public var addGroundTruthToProposals: Bool
    public var boxPooler: RoIAlignOptions
    public var maskPooler: RoIAlignOptions
    /// Which level a RoI is pooled from (the inference settings' rule).
    public var roiLevels: RoILevelRule
    /// The finest scale of the level rule (56).
    public var finestScale: Float { roiLevels.finestScale }
    /// Mask target side (2 x the mask pooler's output: 28).
    public var maskSize: Int
    public var weights: LossWeights

    /// Multipliers of the five losses.
    public struct LossWeights: Sendable, Equatable {
        public var rpnObjectness: Float, rpnBox: Float, boxClassification: Float, boxRegression: Float, mask: Float

        public init(rpnObjectness: Float = 1, rpnBox: Float = 1, boxClassification: Float = 1, boxRegression: Float = 1, mask: Float = 1) {
            self.rpnObjectness = rpnObjectness; self.rpnBox = rpnBox
            self.boxClassification = boxClassification; self.boxRegression = boxRegression; self.mask = mask
        }
    }

    public init(config: DetectorConfig) {
        let inference = InferenceSettings(config: config)
        let rpn = config.rpn, roi = config.roiHeads
        func matcher(_ m: MatcherConfig) -> MaxIoUMatcher {
            MaxIoUMatcher(positiveFrom: Float(m.positiveIoU), negativeBelow: Float(m.negativeIoU),
                          minimumPositiveIoU: Float(m.minimumPositiveIoU), lowQualityMatches: m.lowQualityMatches)
        }
        anchors = inference.anchors
        rpnMatcher = matcher(rpn.matcher)
        rpnSampler = RandomSampler(count: rpn.sampler.samplesPerImage, positiveFraction: Float(rpn.sampler.positiveFraction))
        rpnCoder = inference.proposals.coder
        proposals = ProposalGenerator(config: rpn.train, coder: rpnCoder)
        roiMatcher = matcher(roi.matcher)
        roiSampler = RandomSampler(count: roi.sampler.samplesPerImage, positiveFraction: Float(roi.sampler.positiveFraction))
        boxCoder = inference.boxCoder
        addGroundTruthToProposals = roi.addGroundTruthToProposals
        boxPooler = inference.boxPooler
        maskPooler = inference.maskPooler
        roiLevels = inference.roiLevels
        maskSize = 2 * roi.maskPooler.outputSize
        weights = LossWeights(rpnObjectness: Float(rpn.objectnessLossWeight), rpnBox: Float(rpn.boxLossWeight),
                              boxClassification: Float(roi.boxHead.classificationLossWeight),
                              boxRegression: Float(roi.boxHead.boxLossWeight), mask: Float(roi.maskHead.lossWeight))
    }
}
