// Results over several seeds (`detect-eval compare --by-seed`): models named METHOD@SEED are
// grouped by METHOD (in the order first given), and each stat is reported as the mean and the
// sample standard deviation (n - 1) over the seeds that have it, "mean ± sd" with three
// decimals ("mean" alone for one seed). Used by `make ablation-matrix` for docs/results.md.
import Foundation

public struct SeedGroup: Equatable, Sendable {
    public var method: String
    /// The group's models, one per seed, in the order given.
    public var runs: [ModelResults]

    /// The seeds' names (the part after "@").
    public var seeds: [String] { runs.map { SeedGroup.split($0.name).seed } }

    /// Mean and sample standard deviation (nil for fewer than two values) of a stat over the
    /// seeds that have it; nil when none has it.
    public func statistic(_ type: IoUType, _ name: String) -> (mean: Double, sd: Double?, count: Int)? {
        let values = runs.compactMap { $0.value(type, name) }
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, nil, 1) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot(), values.count)
    }

    /// "METHOD@SEED" -> (METHOD, SEED); a name without "@" is its own method with seed "".
    public static func split(_ name: String) -> (method: String, seed: String) {
        guard let slash = name.lastIndex(of: "@") else { return (name, "") }
        return (String(name[..<slash]), String(name[name.index(after: slash)...]))
    }

    /// `models` grouped by method, in the order each method first appears.
    public static func groups(_ models: [ModelResults]) -> [SeedGroup] {
        var groups: [SeedGroup] = []
        for model in models {
            let method = split(model.name).method
            if let index = groups.firstIndex(where: { $0.method == method }) {
                groups[index].runs.append(model)
            } else {
                groups.append(SeedGroup(method: method, runs: [model]))
            }
        }
        return groups
    }
}

public enum SeedSummary {
    /// One row per method: seeds, then bbox and segm AP, APr, APc, APf as "mean ± sd".
    public static func table(_ models: [ModelResults]) -> String {
        let types = models.iouTypes
        var rows = [["method", "seeds"] + types.flatMap { type in ResultsTable.wideColumns.map { "\(type.rawValue) \($0)" } }]
        for group in SeedGroup.groups(models) {
            rows.append([group.method, "\(group.runs.count)"] + types.flatMap { type in
                ResultsTable.wideColumns.map { cell(group.statistic(type, $0)) }
            })
        }
        return ResultsTable.markdown(rows)
    }

    static func cell(_ statistic: (mean: Double, sd: Double?, count: Int)?) -> String {
        guard let statistic else { return "-" }
        let mean = TextSummary.fixed(statistic.mean, 3)
        return statistic.sd.map { mean + " ± " + TextSummary.fixed($0, 3) } ?? mean
    }
}
