// The evaluation protocols beyond the references' defaults: another per-image cap
// (`--max-dets`), the LVIS "Fixed AP" of Dave et al. 2021 (`--fixed-ap`, top K detections per
// category over the dataset, no per-image cap) and its pooled AP (`--ap-pool`). See
// docs/evaluation.md §Protocols.
import SharedSupport

/// Which detections count and what is reported, beyond the chosen reference's defaults.
public struct EvaluationProtocol: Sendable, Equatable {
    /// The largest detection cap (pycocotools `maxDets[-1]`, LVIS `max_dets`): nil = the
    /// style's (100, 300); `EvaluationParameters.noLimit` = none.
    public var maxDetections: Int?
    /// Fixed AP: the K best detections of each category over the whole results file
    /// (large-vocab-devil `scripts/evaluate_ap_fixed.py`, `--dets-per-cat`); nil = off.
    public var detectionsPerCategory: Int?
    /// Also report the pooled AP per frequency group (`scripts/evaluate_ap_pooled.py`).
    public var pooled: Bool

    /// The Fixed AP protocol's default K.
    public static let defaultDetectionsPerCategory = 10_000

    public init(maxDetections: Int? = nil, detectionsPerCategory: Int? = nil, pooled: Bool = false) {
        self.maxDetections = maxDetections
        self.detectionsPerCategory = detectionsPerCategory
        self.pooled = pooled
    }

    public var isFixedAP: Bool { detectionsPerCategory != nil }

    /// The parameters of `style` under this protocol: Fixed AP has no per-image cap.
    public func parameters(style: EvaluationStyle) -> EvaluationParameters {
        EvaluationParameters(style: style, largestCap: isFixedAP ? EvaluationParameters.noLimit : maxDetections)
    }

    /// LVIS: the per-image cap applied when the results load (`LVISResults(max_dets=...)`),
    /// nil = none. COCO caps per cell while matching instead.
    public func loadTimeImageCap(style: EvaluationStyle) -> Int? {
        guard style == .lvis else { return nil }
        let cap = parameters(style: style).largestMaxDetections
        return cap == EvaluationParameters.noLimit ? nil : cap
    }

    /// Throws a usage error (exit 64) for what `style` cannot do: Fixed AP and pooled AP are
    /// LVIS protocols (they report by frequency group and the reference runs the LVIS API);
    /// a COCO cap must be above 10 (pycocotools sorts its caps [1, 10, N], so a smaller N
    /// would not be the largest) or -1. `styleSource` says why the style is what it is.
    public func check(style: EvaluationStyle, styleSource: String) throws {
        guard style == .coco else { return }
        if isFixedAP {
            throw ToolError.usage("--fixed-ap is an LVIS protocol, but \(styleSource) evaluates like pycocotools",
                                  hint: "Fixed AP (evaluate_ap_fixed.py) runs the LVIS API: use an LVIS ground truth or --style lvis")
        }
        if pooled {
            throw ToolError.usage("--ap-pool is an LVIS protocol, but \(styleSource) evaluates like pycocotools",
                                  hint: "pooled AP (evaluate_ap_pooled.py) pools per LVIS frequency group: use an LVIS ground truth or --style lvis")
        }
        if let cap = maxDetections, cap != EvaluationParameters.noLimit, cap <= 10 {
            throw ToolError.usage("--max-dets \(cap): in COCO style the cap must be above 10 or -1 (\(styleSource) evaluates like pycocotools)",
                                  hint: "pycocotools also reports AR at 1 and 10 detections and sorts its caps, so \(cap) would not be the largest")
        }
    }
}
