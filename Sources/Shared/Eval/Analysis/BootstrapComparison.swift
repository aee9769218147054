// `detect-eval compare --bootstrap N`: 95 % bootstrap intervals over images for AP, APr, APc
// and APf of each method and of each method's difference to the first (the control). All
// methods share each resample (paired); each is matched once and re-accumulated per resample
// (`WeightedAccumulation`). Intervals follow hotcoco's compare(): the sorted resample values,
// lower = v[floor(alpha/2 x n)], upper = v[ceil((1 - alpha/2) x n)] (indices clamped to
// n - 1), alpha = 1 - 0.95; a difference is b - a when both are defined, else 0 (hotcoco's
// rule), with P(difference > 0) and the standard error (sample sd) over resamples. A method's
// own interval uses the resamples where its stat is defined (a group may have no ground
// truth in a resample); `defined` says how many.
import SharedData
import SharedSupport

/// One method's evaluation, ready to resample.
public struct BootstrapMethod: Sendable {
    public var name: String
    public var records: MatchRecords
    /// Frequency group per result category.
    public var frequencies: [FrequencyGroup?]
    /// The plain evaluation's stats ("AP", "APr", ...): the point estimates.
    public var stats: [String: Double]

    public init(name: String, records: MatchRecords, frequencies: [FrequencyGroup?], stats: [String: Double]) {
        precondition(frequencies.count == records.categoryCount, "one frequency per category")
        self.name = name
        self.records = records
        self.frequencies = frequencies
        self.stats = stats
    }
}

/// A stat's point estimate and interval.
public struct BootstrapInterval: Sendable, Equatable {
    /// The plain evaluation's value (nil when undefined, -1 in the references).
    public var value: Double?
    /// nil when no resample defines the stat.
    public var lower: Double?
    public var upper: Double?
    /// Resamples in which the stat is defined.
    public var defined: Int
    /// Differences only: share of resamples with a difference > 0, and the standard error.
    public var probabilityPositive: Double?
    public var standardError: Double?
}

public struct BootstrapComparison: Sendable {
    public static let confidence = 0.95
    public var resampling: BootstrapResampling
    public var resamples: Int
    /// "AP", then "APr", "APc", "APf" when the evaluation has frequency groups.
    public var statNames: [String]
    public var methodNames: [String]
    /// [method][stat]
    public var intervals: [[BootstrapInterval]]
    /// [method - 1][stat]: method minus the control (methods 1...).
    public var differences: [[BootstrapInterval]]
    /// [method][stat][resample]: every resample's value (-1 where undefined), for checks.
    public var samples: [[[Double]]]

    /// Runs `resamples` resamples of `resampling` over every method.
    public static func run(_ methods: [BootstrapMethod], resampling: BootstrapResampling, resamples: Int,
                           withGroups: Bool, parallelism: Parallelism) -> BootstrapComparison {
        precondition(!methods.isEmpty && resamples > 0, "a bootstrap needs methods and resamples")
        precondition(methods.allSatisfy { $0.records.imageCount == resampling.imageCount }, "methods share the images")
        let statNames = ["AP"] + (withGroups ? FrequencyGroup.allCases.map { "AP" + $0.rawValue } : [])
        let groupsOf: [[Int?]] = methods.map { method in
            method.frequencies.map { group in group.map { g in 1 + FrequencyGroup.allCases.firstIndex(of: g)! } }
        }
        let prepared = methods.map { method in
            method.records.categories.map { WeightedCategory($0, parameters: method.records.parameters) }
        }
        let sCount = statNames.count, mCount = methods.count
        var values = [Double](repeating: -1, count: resamples * mCount * sCount)  // [resample][method][stat]
        values.withUnsafeMutableBufferPointer { buffer in
            let output = SampleOutput(values: buffer)
            parallelism.forEachDynamic(resamples) { i in
                var weights = [Int32](repeating: 0, count: resampling.imageCount)
                resampling.weights(resample: i, into: &weights)
                weights.withUnsafeBufferPointer { weights in
                    for m in 0..<mCount {
                        let parameters = methods[m].records.parameters
                        var accumulator = WeightedAccumulator(parameters: parameters)
                        let entries = Double(parameters.iouThresholds.count * parameters.recallThresholds.count)
                        var sums = [Double](repeating: 0, count: sCount), counts = [Int](repeating: 0, count: sCount)
                        for (k, category) in prepared[m].enumerated() {
                            guard let sum = accumulator.precisionSum(category, weights: weights) else { continue }
                            sums[0] += sum
                            counts[0] += 1
                            if withGroups, let s = groupsOf[m][k] {
                                sums[s] += sum
                                counts[s] += 1
                            }
                        }
                        for s in 0..<sCount where counts[s] > 0 {
                            output.values[(i * mCount + m) * sCount + s] = sums[s] / (Double(counts[s]) * entries)
                        }
                    }
                }
            }
        }
        var intervals: [[BootstrapInterval]] = [], samples: [[[Double]]] = []
        for m in 0..<mCount {
            samples.append((0..<sCount).map { s in (0..<resamples).map { values[($0 * mCount + m) * sCount + s] } })
            intervals.append((0..<sCount).map { s in
                methodInterval(samples[m][s], value: defined(methods[m].stats[statNames[s]]))
            })
        }
        let differences = (1..<max(mCount, 1)).map { m in
            (0..<sCount).map { s in
                differenceInterval(control: samples[0][s], method: samples[m][s],
                                   value: zip2(defined(methods[0].stats[statNames[s]]), defined(methods[m].stats[statNames[s]])))
            }
        }
        return BootstrapComparison(resampling: resampling, resamples: resamples, statNames: statNames,
                                   methodNames: methods.map(\.name), intervals: intervals, differences: differences,
                                   samples: samples)
    }

    /// hotcoco's percentile indices into `sorted` (non-empty).
    static func percentiles(_ sorted: [Double]) -> (lower: Double, upper: Double) {
        let alpha = 1.0 - confidence, n = sorted.count
        let low = Int((alpha / 2.0 * Double(n)).rounded(.down)), high = Int(((1.0 - alpha / 2.0) * Double(n)).rounded(.up))
        return (sorted[min(low, n - 1)], sorted[min(high, n - 1)])
    }

    static func methodInterval(_ samples: [Double], value: Double?) -> BootstrapInterval {
        let valid = samples.filter { $0 >= 0 }.sorted()
        guard !valid.isEmpty else { return BootstrapInterval(value: value, lower: nil, upper: nil, defined: 0) }
        let (lower, upper) = percentiles(valid)
        return BootstrapInterval(value: value, lower: lower, upper: upper, defined: valid.count)
    }

    static func differenceInterval(control: [Double], method: [Double], value: Double?) -> BootstrapInterval {
        let deltas = zip(control, method).map { a, b in a >= 0 && b >= 0 ? b - a : 0 }.sorted()
        let n = deltas.count
        let (lower, upper) = percentiles(deltas)
        let mean = deltas.reduce(0, +) / Double(n)
        let variance = n > 1 ? deltas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        let defined = zip(control, method).filter { $0 >= 0 && $1 >= 0 }.count
        return BootstrapInterval(value: value, lower: lower, upper: upper, defined: defined,
                                 probabilityPositive: Double(deltas.filter { $0 > 0 }.count) / Double(n),
                                 standardError: variance.squareRoot())
    }

    static func defined(_ value: Double?) -> Double? { value.flatMap { $0 >= 0 && $0.isFinite ? $0 : nil } }
    static func zip2(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b else { return nil }
        return b - a
    }
}

private struct SampleOutput: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Double>
}
