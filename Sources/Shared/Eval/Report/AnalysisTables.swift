// The report's side-by-side tables of the analyses on the files, one block per model: TIDE's
// dAPs (model x IoU type x all / rare / common / frequent) and the long-tail confusions, the
// effect LOCE aims at: how many of the rare and common classes' ground truths a frequent
// class's detection covered (the confusion matrix's rare/common rows, frequent columns), in
// total and for the classes most taken.
import SharedData

/// One model's analyses in the report; the notes say why one is missing.
public struct ModelAnalyses: Sendable {
    public var name: String
    /// One per IoU type the results carry (boxes: every result's own `bbox`; masks: a `segmentation`).
    public var tide: [TIDEBreakdown]
    public var tideNotes: [String]
    /// nil when some result has no `bbox` (`confusionNote` says which).
    public var confusion: ConfusionMatrix?
    public var confusionNote: String?

    public init(name: String, tide: [TIDEBreakdown], tideNotes: [String] = [], confusion: ConfusionMatrix?, confusionNote: String? = nil) {
        self.name = name
        self.tide = tide
        self.tideNotes = tideNotes
        self.confusion = confusion
        self.confusionNote = confusionNote
    }
}

public enum AnalysisTables {
    /// TIDE's numbers as markdown: one row per model, IoU type and class group (two decimals,
    /// AP points, as tidecv prints them).
    public static func tide(_ models: [ModelAnalyses]) -> String {
        let errors = TIDEErrorKind.allCases.map(\.rawValue) + TIDESpecialError.allCases.map(\.rawValue)
        var rows = [["model", "iou type", "classes", "AP"] + errors]
        func numbers(_ scores: TIDEScores) -> [String] {
            ([scores.ap] + scores.main + scores.special).map { $0.map { TextSummary.fixed($0, 2) } ?? "-" }
        }
        for model in models {
            for breakdown in model.tide {
                rows.append([model.name, breakdown.iouType.rawValue, "all"] + numbers(breakdown.all))
                for (group, scores) in breakdown.groups {
                    rows.append([model.name, breakdown.iouType.rawValue, group.rawValue] + numbers(scores))
                }
            }
        }
        return ResultsTable.markdown(rows)
    }

    /// Rare and common rows of a matrix: counts in frequent columns and the rows' totals.
    public struct TailTotals: Equatable, Sendable {
        public var rareToFrequent = 0, rareRowTotal = 0
        public var commonToFrequent = 0, commonRowTotal = 0
    }

    public static func tailTotals(_ matrix: ConfusionMatrix) -> TailTotals {
        var totals = TailTotals()
        let frequent = matrix.categories.indices.filter { matrix.categories[$0].frequency == .frequent }
        for row in matrix.categories.indices {
            let taken = frequent.reduce(0) { $0 + matrix[groundTruth: row, detected: $1] }
            let total = (0..<matrix.size).reduce(0) { $0 + matrix[groundTruth: row, detected: $1] }
            switch matrix.categories[row].frequency {
            case .rare?: totals.rareToFrequent += taken; totals.rareRowTotal += total
            case .common?: totals.commonToFrequent += taken; totals.commonRowTotal += total
            default: break
            }
        }
        return totals
    }

    /// Per model: rare -> frequent and common -> frequent counts, each with its share of the rows.
    public static func tailTotals(_ models: [ModelAnalyses]) -> String {
        var rows = [["model", "rare -> frequent", "share of rare rows", "common -> frequent", "share of common rows"]]
        func share(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : TextSummary.fixed(100 * Double(part) / Double(whole), 1) + " %" }
        for model in models {
            guard let matrix = model.confusion else { continue }
            let t = tailTotals(matrix)
            rows.append([model.name, String(t.rareToFrequent), share(t.rareToFrequent, t.rareRowTotal),
                         String(t.commonToFrequent), share(t.commonToFrequent, t.commonRowTotal)])
        }
        return ResultsTable.markdown(rows)
    }

    /// The `limit` rare and common classes most taken by frequent ones (largest count over the
    /// models, then id), one column per model: "total: name (id) count, ..." (the top three).
    public static func tailDetail(_ models: [ModelAnalyses], limit: Int = 15) -> String {
        let matrices = models.compactMap { model in model.confusion.map { (name: model.name, matrix: $0) } }
        guard let categories = matrices.first?.matrix.categories else { return "" }
        let frequent = categories.indices.filter { categories[$0].frequency == .frequent }
        func taken(_ matrix: ConfusionMatrix, _ row: Int) -> Int { frequent.reduce(0) { $0 + matrix[groundTruth: row, detected: $1] } }
        let tail = categories.indices.filter { categories[$0].frequency == .rare || categories[$0].frequency == .common }
        let most = { (row: Int) in matrices.map { taken($0.matrix, row) }.max() ?? 0 }
        let chosen = tail.filter { most($0) > 0 }
            .sorted { (most($0), -categories[$0].id.rawValue) > (most($1), -categories[$1].id.rawValue) }
            .prefix(limit)
        var rows = [["class", "group"] + matrices.map { "\($0.name): taken by frequent" }]
        for row in chosen {
            let cells = matrices.map { entry -> String in
                let top = frequent.map { (category: categories[$0], count: entry.matrix[groundTruth: row, detected: $0]) }
                    .filter { $0.count > 0 }
                    .sorted { ($0.count, -$0.category.id.rawValue) > ($1.count, -$1.category.id.rawValue) }
                    .prefix(3)
                let total = taken(entry.matrix, row)
                return total == 0 ? "0" : "\(total): " + top.map { "\(escaped($0.category.name)) (\($0.category.id.rawValue)) \($0.count)" }
                    .joined(separator: ", ")
            }
            rows.append(["\(escaped(categories[row].name)) (\(categories[row].id.rawValue))", categories[row].frequency?.rawValue ?? "-"] + cells)
        }
        return rows.count == 1 ? "No rare or common class's ground truth was covered by a frequent class's detection.\n" : ResultsTable.markdown(rows)
    }

    /// A class name safe inside a markdown table cell.
    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
