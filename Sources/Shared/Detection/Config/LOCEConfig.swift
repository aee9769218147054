// Typed config of stage 2 (docs/method.md §Stage 2 and the sections after it): which parts
// train, the mean-score tracker, the equilibrium loss, memory-augmented feature sampling and
// the balanced warm-up pass, with ablation switches.

/// Parts of the model that can be frozen or trained as a unit.
public enum ModelPart: String, Codable, Sendable, CaseIterable {
    case backbone
    case fpn
    case rpnHead
    /// The shared fully connected layers of the box head.
    case boxSharedFC
    case boxClassifier
    case boxRegressor
    /// Mask convolutions, deconvolution and the mask classifier.
    case maskHead

    /// Parameter-name prefix of this part in the store (see Model/README.md).
    public var parameterPrefix: String {
        switch self {
        case .backbone: return "backbone."
        case .fpn: return "fpn."
        case .rpnHead: return "rpn."
        case .boxSharedFC: return "roi_heads.box_head."
        case .boxClassifier: return "roi_heads.box_predictor.cls_score."
        case .boxRegressor: return "roi_heads.box_predictor.bbox_pred."
        case .maskHead: return "roi_heads.mask_"
        }
    }
}

public struct LOCEConfig: Codable, Equatable, Sendable {
    /// Parts updated by the optimiser; the others are frozen. Together they list every part once.
    public var trainable: [ModelPart]
    public var frozen: [ModelPart]
    /// Mean-score tracker: decay alpha per observation, value every class starts at, and
    /// the constant background entry.
    public var meanScoreDecay: Double
    public var initialScore: Double
    public var backgroundScore: Double
    public var memory: FeatureMemoryConfig
    /// Warm-up pass before fine-tuning: this many images per category (repeated if fewer).
    public var warmupImagesPerCategory: Int
    public var ablation: LOCEAblation
}

/// Memory-augmented feature sampling (docs/method.md §Memory-augmented feature sampling).
public struct FeatureMemoryConfig: Codable, Equatable, Sendable {
    /// Circular queue capacity per foreground class.
    public var queueCapacity: Int
    /// Classes drawn per iteration (with replacement, q ~ 1 / s) and features per drawn class.
    public var sampledClasses: Int
    public var samplesPerClass: Int
    /// How far a jittered box side moves at most, as a fraction of the box's width or
    /// height (1/6; every GT gets 16 jittered boxes, one per sign pattern).
    public var jitterFraction: Double
}

/// Switches for ablations; all true is the full method.
public struct LOCEAblation: Codable, Equatable, Sendable {
    /// Equilibrium loss; false = plain cross-entropy.
    public var equilibriumLoss: Bool
    /// Memory-augmented feature sampling; false = no memory samples.
    public var memorySampling: Bool
    /// Category-balanced warm-up pass before fine-tuning.
    public var balancedWarmup: Bool
}
