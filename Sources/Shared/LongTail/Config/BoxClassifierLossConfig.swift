// Which loss stage 2 puts on the box classifier (`loce.loss`) and the settings of the losses
// that have some (`loce.seesaw`, `loce.eqlv2`, `loce.ecm`, `loce.federated`, each optional:
// absent = its paper's defaults). docs/method.md §Other classifier losses.
import SharedDetection

public enum BoxClassifierLossKind: String, Codable, Sendable, CaseIterable {
    /// Equilibrium Loss (LOCE; fcjian/LOCE `EquilibriumLoss`), the default.
    case ebl
    /// Softmax cross-entropy (the control; the same as `ablation.equilibriumLoss: false`).
    case ce
    /// Seesaw loss (Wang et al., CVPR 2021; mmdetection `SeesawLoss`): C + 2 logits.
    case seesaw
    /// Equalization loss v2 (Tan et al., CVPR 2021; tztztztztz/eqlv2 `EQLv2`): sigmoid.
    case eqlv2
    /// Effective Class-Margin loss (Cho & Krähenbühl, ECCV 2022; janghyuncho/ECM-Loss): sigmoid.
    case ecm
    /// Federated sigmoid loss (detectron2 `ROI_BOX_HEAD.USE_FED_LOSS`): sigmoid.
    case federated

    /// How the trained classifier's logits become scores.
    public var activation: ClassifierActivation {
        switch self {
        case .ebl, .ce: return .softmax
        case .seesaw: return .seesawObjectness
        case .eqlv2, .ecm: return .sigmoidObjectness
        case .federated: return .sigmoid
        }
    }

    /// One short line for `--help`: the loss and its reference (defaults in docs/method.md).
    public var reference: String {
        switch self {
        case .ebl: return "Equilibrium Loss (LOCE, ICCV 2021; fcjian/LOCE)"
        case .ce: return "softmax cross-entropy (the control)"
        case .seesaw: return "Seesaw (CVPR 2021; mmdetection seesaw_loss.py)"
        case .eqlv2: return "EQLv2 (CVPR 2021; tztztztztz/eqlv2)"
        case .ecm: return "Effective Class-Margin (ECCV 2022; ECM-Loss)"
        case .federated: return "federated sigmoid (detectron2 USE_FED_LOSS)"
        }
    }
}

/// Seesaw's mitigation exponent p, compensation exponent q and the floor of the label's score.
public struct SeesawSettings: Codable, Equatable, Sendable {
    public var p: Double = 0.8
    public var q: Double = 2
    public var eps: Double = 0.01
    public init() {}
}

/// EQLv2's mapping f(x) = 1 / (1 + exp(-gamma (x - mu))) and positive-weight factor alpha.
public struct EQLv2Settings: Codable, Equatable, Sendable {
    public var gamma: Double = 12
    public var mu: Double = 0.8
    public var alpha: Double = 4
    public init() {}
}

/// ECM's background count as a multiple of all foreground image counts (from Mask R-CNN).
public struct ECMSettings: Codable, Equatable, Sendable {
    public var fgBgRatio: Double = 6.3313
    public init() {}
}

/// The federated loss's class count per batch and the power of the image counts that weights the draw.
public struct FederatedSettings: Codable, Equatable, Sendable {
    public var sampledClasses: Int = 50
    public var frequencyWeightPower: Double = 0.5
    public init() {}
}

extension LOCEConfig {
    /// The loss a run trains with: `loss` (absent = ebl), with `ablation.equilibriumLoss: false`
    /// turning ebl into ce.
    public var classifierLoss: BoxClassifierLossKind {
        let chosen = loss ?? .ebl
        return chosen == .ebl && !ablation.equilibriumLoss ? .ce : chosen
    }

    /// Problems of the loss keys ("loce.key: what is wrong").
    func addLossProblems(to problems: inout ConfigProblems, detector: DetectorConfig) {
        let chosen = loss ?? .ebl
        if !ablation.equilibriumLoss && chosen != .ebl && chosen != .ce {
            problems.add("loce.ablation.equilibriumLoss is false (--no-ebl: the ce loss) but loce.loss is \(chosen.rawValue); "
                         + "leave it true with another loss")
        }
        let sections: [(String, Bool, BoxClassifierLossKind)] = [("seesaw", seesaw != nil, .seesaw), ("eqlv2", eqlv2 != nil, .eqlv2),
                                                                 ("ecm", ecm != nil, .ecm), ("federated", federated != nil, .federated)]
        for (key, present, kind) in sections where present && classifierLoss != kind {
            problems.add("loce.\(key) is set but loce.loss is \(classifierLoss.rawValue); remove it or set loce.loss to \(kind.rawValue)")
        }
        if let stated = detector.roiHeads.boxHead.scoreActivation, stated != classifierLoss.activation {
            problems.add("roiHeads.boxHead.scoreActivation is \(stated.rawValue) but loce.loss \(classifierLoss.rawValue) trains "
                         + "\(classifierLoss.activation.rawValue) scores; leave the key out (loce-finetune sets it)")
        }
        if let seesaw {
            problems.within(seesaw.p, ConfigRange(0, 10), "loce.seesaw.p")
            problems.within(seesaw.q, ConfigRange(0, 10), "loce.seesaw.q")
            problems.within(seesaw.eps, ConfigRange(0, 1, excludesLower: true), "loce.seesaw.eps")
        }
        if let eqlv2 {
            problems.within(eqlv2.gamma, ConfigRange(0, 1000, excludesLower: true), "loce.eqlv2.gamma")
            problems.within(eqlv2.mu, ConfigRange(0, 100), "loce.eqlv2.mu")
            problems.within(eqlv2.alpha, ConfigRange(0, 100), "loce.eqlv2.alpha")
        }
        if let ecm { problems.within(ecm.fgBgRatio, ConfigRange(0, 1_000_000, excludesLower: true), "loce.ecm.fgBgRatio") }
        if let federated {
            problems.within(federated.sampledClasses, 1...100_000, "loce.federated.sampledClasses")
            problems.within(federated.frequencyWeightPower, ConfigRange(0, 10), "loce.federated.frequencyWeightPower")
        }
    }
}
