// One model's summary stats per IoU type ("AP", "APr", ...), from an evaluation run or
// from a `detect-eval --json` document: the row type of the results table and the
// per-frequency chart that `detect-eval report` and `detect-eval compare` share.

public struct ModelResults: Equatable, Sendable {
    public var name: String
    /// Stats under the references' names, per IoU type evaluated (bbox before segm).
    public var stats: [IoUType: [String: Double]]

    public init(name: String, stats: [IoUType: [String: Double]]) {
        self.name = name
        self.stats = stats
    }

    /// The stats of `reports` (one per IoU type).
    public init(name: String, reports: [EvaluationReport]) {
        var stats: [IoUType: [String: Double]] = [:]
        for report in reports {
            stats[report.iouType] = Dictionary(report.stats.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        self.init(name: name, stats: stats)
    }

    /// The IoU types this model has, in `IoUType` order.
    public var iouTypes: [IoUType] { IoUType.allCases.filter { stats[$0] != nil } }

    /// A stat, nil when not evaluated or absent (-1: no ground truth in that group).
    public func value(_ type: IoUType, _ name: String) -> Double? {
        guard let value = stats[type]?[name], value >= 0, value.isFinite else { return nil }
        return value
    }
}

extension Array where Element == ModelResults {
    /// The IoU types any model has, in `IoUType` order.
    public var iouTypes: [IoUType] { IoUType.allCases.filter { type in contains { $0.stats[type] != nil } } }
}
