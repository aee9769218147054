// The stage-2 box-classifier loss a run trains with (`loce.loss`), holding the state its
// reference carries across iterations: Seesaw's cumulative class counts, EQLv2's gradient
// statistics, the federated loss's generator (its class draws). CE and EBL keep none here (EBL's
// mean scores are the hook's, shared with MFS). docs/method.md §Other classifier losses.
import SharedSupport
import SharedData
import SharedDetection

public enum BoxClassifierLoss: Sendable {
    /// Softmax cross-entropy, on z + log s when `equilibrium` (EBL).
    case crossEntropy(equilibrium: Bool)
    case seesaw(SeesawLoss)
    case eqlv2(EQLv2Loss)
    case ecm(ECMLoss)
    /// The federated loss and the generator of its class draws (a stream of its own).
    case federated(FederatedLoss, random: SeededRandom)

    /// Fresh state for the config's loss. `imageCounts`: training images per class (ECM's
    /// margins, the federated draw's weights); `random`: the federated draws' stream.
    public init(config: LOCEConfig, classCount: Int, imageCounts: [Int], random: SeededRandom) {
        precondition(imageCounts.count == classCount, "one image count per class")
        switch config.classifierLoss {
        case .ebl: self = .crossEntropy(equilibrium: true)
        case .ce: self = .crossEntropy(equilibrium: false)
        case .seesaw:
            let s = config.seesaw ?? SeesawSettings()
            self = .seesaw(SeesawLoss(classCount: classCount, p: Float(s.p), q: Float(s.q), eps: Float(s.eps)))
        case .eqlv2:
            let s = config.eqlv2 ?? EQLv2Settings()
            self = .eqlv2(EQLv2Loss(classCount: classCount, gamma: Float(s.gamma), mu: Float(s.mu), alpha: Float(s.alpha)))
        case .ecm:
            self = .ecm(ECMLoss(imageCounts: imageCounts, fgBgRatio: (config.ecm ?? ECMSettings()).fgBgRatio))
        case .federated:
            let s = config.federated ?? FederatedSettings()
            self = .federated(FederatedLoss(imageCounts: imageCounts, sampledClasses: s.sampledClasses,
                                            frequencyWeightPower: s.frequencyWeightPower), random: random)
        }
    }

    /// Which loss this is (`loce.loss`).
    public var kind: BoxClassifierLossKind {
        switch self {
        case .crossEntropy(let equilibrium): return equilibrium ? .ebl : .ce
        case .seesaw: return .seesaw
        case .eqlv2: return .eqlv2
        case .ecm: return .ecm
        case .federated: return .federated
        }
    }

    /// How the logits this loss trains become scores.
    public var activation: ClassifierActivation { kind.activation }

    /// The loss over every row (labels: C = background) of the N x logit-columns `logits`; adds
    /// `dLoss` times its gradient into `dLogits` and advances the state as the reference does in
    /// a training step. `meanScores` is s, EBL's adjustment (read by `.crossEntropy(equilibrium: true)` only).
    public mutating func apply(logits: UnsafeBufferPointer<Float>, labels: [Int], averageFactor: Float, meanScores: MeanScores,
                               dLoss: Float, dLogits: UnsafeMutableBufferPointer<Float>) -> Float {
        switch self {
        case .crossEntropy(let equilibrium):
            let logS = equilibrium ? meanScores.logScores : [Float](repeating: 0, count: meanScores.foregroundClassCount + 1)
            let result = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: logS, averageFactor: averageFactor)
            equilibriumLossBackward(dLogits: dLogits, saved: result.saved, labels: labels, averageFactor: averageFactor, dLoss: dLoss)
            return result.loss
        case .seesaw(var loss):
            loss.accumulate(labels: labels)
            let (value, gradient) = loss.forward(logits: logits, labels: labels, averageFactor: averageFactor)
            gradient.accumulate(into: dLogits, dLoss: dLoss)
            self = .seesaw(loss)
            return value
        case .eqlv2(var loss):
            let (value, gradient, statistics) = loss.forward(logits: logits, labels: labels)
            gradient.accumulate(into: dLogits, dLoss: dLoss)
            loss.collect(statistics)
            self = .eqlv2(loss)
            return value
        case .ecm(let loss):
            let (value, gradient) = loss.forward(logits: logits, labels: labels)
            gradient.accumulate(into: dLogits, dLoss: dLoss)
            return value
        case .federated(let loss, var random):
            let classes = loss.lossClasses(labels: labels, random: &random)
            let (value, gradient) = loss.forward(logits: logits, labels: labels, classes: classes)
            gradient.accumulate(into: dLogits, dLoss: dLoss)
            self = .federated(loss, random: random)
            return value
        }
    }
}
