// The summary stats of COCOeval.summarize() (12) and LVISEval.summarize() (13): each the
// numpy mean of the valid (> -1) entries of one slice of the precision or recall array.
import SharedData

/// One summary number with what it averages over.
public struct SummaryStat: Sendable, Equatable {
    public enum Kind: String, Sendable { case precision, recall }
    /// The reference's name: "AP", "AP50", "APr", "AR100", "AR@300", ...
    public var name: String
    public var kind: Kind
    /// nil = all thresholds (0.50:0.95).
    public var iouThreshold: Double?
    public var areaLabel: String
    public var maxDetections: Int
    /// LVIS frequency group; nil = all categories.
    public var group: FrequencyGroup?
    /// -1 when the slice has no valid entry (as the references report it).
    public var value: Double
    /// A pooled AP (`AP-pooled-all`, ...): `group` names the pool (nil = all categories).
    public var pooled = false
}

/// Summaries of an `EvaluationResult`.
public enum Summary {
    /// COCOeval's 12 stats (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl).
    public static func coco(_ result: EvaluationResult) -> [SummaryStat] {
        let maxDets = result.parameters.maxDetections
        let last = maxDets[maxDets.count - 1]
        var stats: [SummaryStat] = []
        func add(_ name: String, _ kind: SummaryStat.Kind, iou: Double? = nil, area: String = "all", maxDetections: Int) {
            let value = mean(result, kind: kind, iouThreshold: iou, areaLabel: area, maxDetections: maxDetections, categories: nil)
            stats.append(SummaryStat(name: name, kind: kind, iouThreshold: iou, areaLabel: area,
                                     maxDetections: maxDetections, group: nil, value: value))
        }
        let lastLabel = result.parameters.capLabel(last)
        add("AP", .precision, maxDetections: last)
        add("AP50", .precision, iou: 0.5, maxDetections: last)
        add("AP75", .precision, iou: 0.75, maxDetections: last)
        add("APs", .precision, area: "small", maxDetections: last)
        add("APm", .precision, area: "medium", maxDetections: last)
        add("APl", .precision, area: "large", maxDetections: last)
        for m in maxDets { add("AR\(m == last ? lastLabel : String(m))", .recall, maxDetections: m) }
        add("ARs", .recall, area: "small", maxDetections: last)
        add("ARm", .recall, area: "medium", maxDetections: last)
        add("ARl", .recall, area: "large", maxDetections: last)
        return stats
    }

    /// LVISEval's 13 results; `frequencies[k]` is the group of category index k.
    public static func lvis(_ result: EvaluationResult, frequencies: [FrequencyGroup?]) -> [SummaryStat] {
        let maxDets = result.parameters.largestMaxDetections
        var stats: [SummaryStat] = []
        func add(_ name: String, _ kind: SummaryStat.Kind, iou: Double? = nil, area: String = "all",
                 group: FrequencyGroup? = nil) {
            let categories = group.map { g in frequencies.indices.filter { frequencies[$0] == g } }
            let value = mean(result, kind: kind, iouThreshold: iou, areaLabel: area, maxDetections: maxDets,
                             categories: categories)
            stats.append(SummaryStat(name: name, kind: kind, iouThreshold: iou, areaLabel: area,
                                     maxDetections: maxDets, group: group, value: value))
        }
        add("AP", .precision)
        add("AP50", .precision, iou: 0.5)
        add("AP75", .precision, iou: 0.75)
        add("APs", .precision, area: "small")
        add("APm", .precision, area: "medium")
        add("APl", .precision, area: "large")
        add("APr", .precision, group: .rare)
        add("APc", .precision, group: .common)
        add("APf", .precision, group: .frequent)
        add("AR@\(maxDets)", .recall)
        add("ARs@\(maxDets)", .recall, area: "small")
        add("ARm@\(maxDets)", .recall, area: "medium")
        add("ARl@\(maxDets)", .recall, area: "large")
        return stats
    }

    /// LVISPooledEval's results (large-vocab-devil): "AP-pooled-all", "-r", "-c", "-f", the
    /// mean of the valid precision entries of each pool (area "all", the cap).
    public static func pooled(_ result: EvaluationResult, pools: [CategoryPool]) -> [SummaryStat] {
        let cap = result.parameters.largestMaxDetections
        return pools.enumerated().map { p, pool in
            SummaryStat(name: "AP-pooled-\(pool.name)", kind: .precision, iouThreshold: nil, areaLabel: "all",
                        maxDetections: cap, group: FrequencyGroup(rawValue: pool.name),
                        value: mean(result, kind: .precision, iouThreshold: nil, areaLabel: "all", maxDetections: cap,
                                    categories: [p]),
                        pooled: true)
        }
    }

    /// `np.mean(s[s > -1])` of the slice (thresholds, recall points, categories in C order),
    /// or -1 when no entry is valid. `categories` nil = all.
    public static func mean(_ result: EvaluationResult, kind: SummaryStat.Kind, iouThreshold: Double?,
                            areaLabel: String, maxDetections: Int, categories: [Int]?) -> Double {
        let p = result.parameters
        let shape = result.shape
        guard let a = p.areaRanges.firstIndex(where: { $0.label == areaLabel }),
              let m = p.maxDetections.firstIndex(of: maxDetections) else { return -1 }
        let thresholds: [Int]
        if let iouThreshold {
            guard let t = p.iouIndex(of: iouThreshold) else { return -1 }
            thresholds = [t]
        } else {
            thresholds = Array(0..<shape.t)
        }
        let ks = categories ?? Array(0..<shape.k)
        var valid: [Double] = []
        // Flat C-order indices: precision [t][r][k][a][m], recall [t][k][a][m].
        let (kStride, rStride) = (shape.a * shape.m, shape.k * shape.a * shape.m)
        let values = kind == .precision ? result.precision : result.recall
        values.withUnsafeBufferPointer { values in
            for t in thresholds {
                let rows = kind == .precision ? shape.r : 1
                for r in 0..<rows {
                    let base = (t * rows + r) * rStride + a * shape.m + m
                    for k in ks {
                        let value = values[base + k * kStride]
                        if value > -1 { valid.append(value) }
                    }
                }
            }
        }
        return valid.isEmpty ? -1 : numpyMean(valid)
    }

    /// Per-category AP as detectron2 and the LVIS tools report it: the mean of the valid
    /// precision entries of category k (all thresholds or one), area "all", largest cap.
    public static func categoryAP(_ result: EvaluationResult, category k: Int, iouThreshold: Double? = nil) -> Double {
        mean(result, kind: .precision, iouThreshold: iouThreshold, areaLabel: "all",
             maxDetections: result.parameters.largestMaxDetections, categories: [k])
    }
}
