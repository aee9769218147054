// Typed config of the RoI heads: proposal assignment and sampling, RoIAlign, the box head
// and the mask head.

public struct ROIHeadsConfig: Codable, Equatable, Sendable {
    /// Foreground classes; null in a preset = taken from the training data's manifest
    /// (`DetectorConfig.resolved(numClasses:)`). The classifier has this + 1 outputs,
    /// background last.
    public var numClasses: Int?
    public var matcher: MatcherConfig
    public var sampler: SamplerConfig
    /// Ground-truth boxes are added to the proposals before sampling.
    public var addGroundTruthToProposals: Bool
    public var boxPooler: PoolerConfig
    public var maskPooler: PoolerConfig
    /// RoI level = clamp(floor(canonicalLevel + log2(sqrt(area) / canonicalSize)), P2, P5).
    public var canonicalSize: Double
    public var canonicalLevel: Int
    /// The arithmetic of that rule (absent = mmdetection): mmdetection's `map_roi_levels`,
    /// floor(log2(sqrt(area) / finest + 1e-6)) with finest = canonicalSize / 2^(canonicalLevel
    /// - fpn.minLevel), or torchvision's `LevelMapper`, floor(canonicalLevel +
    /// log2(sqrt(area) / canonicalSize) + 1e-6); they differ only next to level boundaries.
    public var levelMapping: DetectionConvention?
    public var boxHead: BoxHeadConfig
    public var maskHead: MaskHeadConfig
}

/// RoIAlign settings.
public struct PoolerConfig: Codable, Equatable, Sendable {
    /// Output is outputSize x outputSize.
    public var outputSize: Int
    /// Samples per bin side; 0 = adaptive (ceil(roi size / output size)).
    public var samplingRatio: Int
    /// Half-pixel offset (aligned = true, as detectron2 and mmdetection 2.x).
    public var aligned: Bool
}

public struct BoxHeadConfig: Codable, Equatable, Sendable {
    /// Shared fully connected layers (each followed by ReLU) and their width.
    public var fcCount: Int
    public var fcDim: Int
    /// Std of the normal init of the classifier (C + 1 outputs) and the class-specific
    /// regressor (4C outputs); biases start at 0.
    public var classifierInitStd: Double
    public var regressorInitStd: Double
    public var coder: BoxCoderConfig
    /// How the classifier's logits become scores (absent = softmax over C + 1). Set by
    /// `loce-finetune` from `loce.loss` (a stage-1 config leaves it out); a checkpoint's config
    /// carries it, so `predict` scores as the model was trained.
    public var scoreActivation: ClassifierActivation?
    public var classificationLossWeight: Double
    public var boxLossWeight: Double
}

/// The mask classifier after the deconvolution.
public enum MaskClassifier: String, Codable, Sendable, CaseIterable {
    /// 1x1 conv on L2-normalised features with L2-normalised class weights, times `normedScale` (LOCE).
    case normed
    /// Plain 1x1 conv.
    case linear
}

public struct MaskHeadConfig: Codable, Equatable, Sendable {
    /// 3x3 conv + ReLU layers and their width; then a 2x2 stride-2 deconv + ReLU.
    public var convCount: Int
    public var convDim: Int
    public var classifier: MaskClassifier
    /// Cosine scale of the normed classifier (20).
    public var normedScale: Double
    public var lossWeight: Double
}
