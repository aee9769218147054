// `--diagnostics N` in the outputs: the text summary's two lists of worst images (by missed
// ground truths, by false positives) with ids and file names, and the `"diagnostics"` object
// of the --json document (keys in docs/evaluation.md §The --json document).

public enum DiagnosticsReport {
    public static func lines(_ diagnostics: ImageDiagnostics) -> String {
        let threshold = diagnostics.scoreThreshold.map { ", score >= \(TextSummary.fixed($0, 2))" } ?? ""
        var text = "Per-image diagnostics (IoU=\(TextSummary.fixed(diagnostics.iouThreshold, 2))\(threshold)): \(diagnostics.images.count) images, TP=\(diagnostics.truePositives) FP=\(diagnostics.falsePositives) FN=\(diagnostics.falseNegatives)\n"
        for (title, list) in [("most missed ground truths", diagnostics.worstMissed), ("most false positives", diagnostics.worstFalse)] {
            text += "  worst by \(title):\(list.isEmpty ? " none" : "")\n"
            for counts in list {
                let name = diagnostics.fileNames.isEmpty ? nil : diagnostics.fileNames[counts.image]
                text += "    image \(imageID(diagnostics, counts))\(name.map { " (\($0))" } ?? ""): FN=\(counts.falseNegatives) FP=\(counts.falsePositives) TP=\(counts.truePositives) F1=\(TextSummary.fixed(counts.f1, 3)) AP=\(TextSummary.fixed(counts.ap, 3))\n"
            }
        }
        return text
    }

    public static func jsonObject(_ diagnostics: ImageDiagnostics) -> String {
        func list(_ images: [ImageCounts]) -> String {
            "[" + images.map { counts in
                let name = diagnostics.fileNames.isEmpty ? nil : diagnostics.fileNames[counts.image]
                return "{\"image_id\": \(imageID(diagnostics, counts)), \"file_name\": \(name.map(JSONReport.quoted) ?? "null"), \"tp\": \(counts.truePositives), \"fp\": \(counts.falsePositives), \"fn\": \(counts.falseNegatives), \"f1\": \(JSONReport.number(counts.f1)), \"ap\": \(JSONReport.number(counts.ap)), \"profile\": \"\(counts.profile.rawValue)\"}"
            }.joined(separator: ", ") + "]"
        }
        let fields: [(String, String)] = [
            ("iou_threshold", JSONReport.number(diagnostics.iouThreshold)),
            ("score_threshold", diagnostics.scoreThreshold.map(JSONReport.number) ?? "null"),
            ("images", "\(diagnostics.images.count)"),
            ("tp", "\(diagnostics.truePositives)"), ("fp", "\(diagnostics.falsePositives)"), ("fn", "\(diagnostics.falseNegatives)"),
            ("worst_missed", list(diagnostics.worstMissed)),
            ("worst_false", list(diagnostics.worstFalse)),
        ]
        return "{" + fields.map { "\(JSONReport.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func imageID(_ diagnostics: ImageDiagnostics, _ counts: ImageCounts) -> Int {
        diagnostics.imageIDs.isEmpty ? counts.image : diagnostics.imageIDs[counts.image]
    }
}
