// The results table in markdown, in two layouts over the same rows:
// `byType` (one row per model and IoU type: AP, AP50, AP75, APr, APc, APf), printed by
// `detect-eval report`, and `wide` (one row per model: bbox and segm AP, APr, APc, APf),
// printed by `detect-eval compare`. Values with three decimals as in the text summary;
// "-" where a stat is absent (-1) or the IoU type was not evaluated.

public enum ResultsTable {
    public static let byTypeColumns = ["AP", "AP50", "AP75", "APr", "APc", "APf"]
    public static let wideColumns = ["AP", "APr", "APc", "APf"]

    public static func byType(_ models: [ModelResults]) -> String {
        var rows = [["model", "iou type"] + byTypeColumns]
        for model in models {
            for type in model.iouTypes {
                rows.append([model.name, type.rawValue] + byTypeColumns.map { cell(model.value(type, $0)) })
            }
        }
        return markdown(rows)
    }

    public static func wide(_ models: [ModelResults]) -> String {
        let types = models.iouTypes
        var rows = [["model"] + types.flatMap { type in wideColumns.map { "\(type.rawValue) \($0)" } }]
        for model in models {
            rows.append([model.name] + types.flatMap { type in wideColumns.map { cell(model.value(type, $0)) } })
        }
        return markdown(rows)
    }

    /// A stat as printed in the table.
    public static func cell(_ value: Double?) -> String {
        value.map { TextSummary.fixed($0, 3) } ?? "-"
    }

    /// Rows (the first is the header) as a markdown table, columns padded to align.
    static func markdown(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in max(3, rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            "| " + (0..<columns).map { c in
                let text = c < cells.count ? cells[c] : ""
                return c == 0 ? TextSummary.pad(text, widths[c]) : TextSummary.padLeft(text, widths[c])
            }.joined(separator: " | ") + " |\n"
        }
        guard let header = rows.first else { return "" }
        var text = line(header)
        text += "|" + widths.enumerated().map { c, w in c == 0 ? " " + String(repeating: "-", count: w) + " " : " " + String(repeating: "-", count: w - 1) + ": " }.joined(separator: "|") + "|\n"
        for row in rows.dropFirst() { text += line(row) }
        return text
    }
}
