// The evaluation parameters of pycocotools COCOeval and the LVIS API's LVISEval: IoU and
// recall thresholds (numpy linspace, bit for bit), area ranges, detection caps.

/// Which reference an evaluation reproduces.
public enum EvaluationStyle: String, Sendable, CaseIterable {
    /// pycocotools COCOeval: 100 detections per image and category, crowd GT, 12 stats.
    case coco
    /// LVIS API LVISEval: 300 detections per image, federated filter, 13 results.
    case lvis
}

/// An area range with inclusive bounds on both sides (as both references compare them), or
/// half-open [lower, upper) (boundary-iou-api's LVIS evaluation).
public struct AreaRange: Hashable, Sendable {
    public var label: String
    public var lower: Double
    public var upper: Double
    /// False: `upper` itself is outside the range.
    public var includesUpper: Bool

    public init(label: String, lower: Double, upper: Double, includesUpper: Bool = true) {
        self.label = label
        self.lower = lower
        self.upper = upper
        self.includesUpper = includesUpper
    }

    /// True when `area` lies outside [lower, upper] (or [lower, upper)).
    @inlinable public func excludes(_ area: Double) -> Bool {
        area < lower || (includesUpper ? area > upper : area >= upper)
    }
}

/// Thresholds, ranges and caps of one evaluation.
public struct EvaluationParameters: Sendable {
    public var style: EvaluationStyle
    /// IoU thresholds T (10: 0.5, 0.55, ..., 0.95 as numpy's linspace gives them).
    public var iouThresholds: [Double]
    /// Recall thresholds R (101: i * 0.01 as numpy's linspace gives them).
    public var recallThresholds: [Double]
    /// Area ranges A: all, small, medium, large.
    public var areaRanges: [AreaRange]
    /// Detection caps M. COCO: [1, 10, 100] per image and category; LVIS: [300] per image.
    /// `noLimit` (-1) as the last cap: none (`--max-dets -1`).
    public var maxDetections: [Int]

    /// A cap of -1: no limit (the LVIS API's `max_dets=-1`; pycocotools cannot say it).
    public static let noLimit = -1

    /// The references' parameters; `largestCap` (`--max-dets`) replaces the largest cap
    /// (pycocotools `maxDets[-1]`, LVIS `max_dets`): a count, or `noLimit`. COCO needs it above
    /// 10, its other caps (`EvaluationProtocol.check`).
    public init(style: EvaluationStyle, largestCap: Int? = nil) {
        self.style = style
        iouThresholds = numpyLinspace(0.5, 0.95, count: 10)
        recallThresholds = numpyLinspace(0.0, 1.0, count: 101)
        areaRanges = [
            AreaRange(label: "all", lower: 0, upper: 1e10),
            AreaRange(label: "small", lower: 0, upper: 1024),
            AreaRange(label: "medium", lower: 1024, upper: 9216),
            AreaRange(label: "large", lower: 9216, upper: 1e10),
        ]
        maxDetections = style == .coco ? [1, 10, largestCap ?? 100] : [largestCap ?? 300]
    }

    /// The largest cap: per image and category (COCO) or per image (LVIS); may be `noLimit`.
    public var largestMaxDetections: Int { maxDetections[maxDetections.count - 1] }

    /// Cap m as a count (`noLimit`: `Int.max`).
    public func limit(_ m: Int) -> Int { maxDetections[m] == Self.noLimit ? Int.max : maxDetections[m] }

    /// Detections matched per (image, category) cell: COCO the largest cap, LVIS all (its cap
    /// is per image, applied at load time).
    public var cellLimit: Int { style == .coco ? limit(maxDetections.count - 1) : Int.max }

    /// Detections of each cell that accumulation m takes: COCO cap m, LVIS all.
    public func accumulationLimit(_ m: Int) -> Int { style == .coco ? limit(m) : Int.max }

    /// Cap m as the references print it: COCO "all" for no limit (cocoapi PR #559), LVIS -1.
    public func capLabel(_ value: Int) -> String {
        value == Self.noLimit && style == .coco ? "all" : String(value)
    }

    /// Index of `threshold` in `iouThresholds` compared exactly as numpy's `==` does.
    public func iouIndex(of threshold: Double) -> Int? {
        iouThresholds.firstIndex(of: threshold)
    }
}

/// numpy.linspace(start, stop, count, endpoint=True) for float64, bit for bit:
/// `i * ((stop - start) / (count - 1)) + start`, with the last value exactly `stop`.
public func numpyLinspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
    precondition(count >= 2, "linspace needs at least two points")
    let step = (stop - start) / Double(count - 1)
    var values = (0..<count).map { Double($0) * step + start }
    values[count - 1] = stop
    return values
}
