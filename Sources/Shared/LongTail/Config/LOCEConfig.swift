// Typed config of stage 2 (docs/method.md §Stage 2 and the sections after it): which parts
// train, the mean-score tracker, the equilibrium loss (or another classifier loss,
// BoxClassifierLossConfig.swift), memory-augmented feature sampling and the balanced warm-up
// pass, with ablation switches. The section a stage-2 config adds to the
// detector's (`FinetuneConfig`); the model parts it lists are Detection's `ModelPart`.
import SharedDetection

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
    /// The box classifier's loss (absent = ebl; `classifierLoss` is the one a run uses) and the
    /// settings of the losses that have some (absent = the paper's; only the chosen loss's may be set).
    public var loss: BoxClassifierLossKind?
    public var seesaw: SeesawSettings?
    public var eqlv2: EQLv2Settings?
    public var ecm: ECMSettings?
    public var federated: FederatedSettings?
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
