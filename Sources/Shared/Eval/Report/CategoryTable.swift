// The per-category table as CSV: one row per (IoU type, category) with its frequency
// group, number of ground truths, detections evaluated, AP and AP50.

public enum CategoryTable {
    public static func csv(_ reports: [EvaluationReport]) -> String {
        var out = "iou_type,category_id,name,frequency,num_gt,num_detections,AP,AP50\n"
        for report in reports {
            for k in 0..<report.categories.count {
                let category = report.categories[k]
                let ap = report.categoryAP(k)
                out += "\(report.iouType.rawValue),\(category.id.rawValue),\(field(category.name)),"
                out += "\(category.frequency?.rawValue ?? ""),\(report.result.groundTruthCounts[k]),"
                out += "\(report.result.detectionCounts[k]),\(ap.ap),\(ap.ap50)\n"
            }
        }
        return out
    }

    /// RFC 4180 quoting when needed.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
