// `--calibration` in the outputs: the text summary's lines (ECE and MCE overall and per
// frequency group) and the `"calibration"` object of the --json document (keys in
// docs/evaluation.md §The --json document).

public enum CalibrationReport {
    /// "Calibration (IoU 0.50, 10 bins): ECE 0.1234 MCE 0.3456 over 1234 detections", then one
    /// line per frequency group.
    public static func lines(_ calibration: ScoreCalibration) -> String {
        func row(_ label: String, _ error: CalibrationError) -> String {
            "  \(label): ECE=\(TextSummary.fixed(error.expected, 4)) MCE=\(TextSummary.fixed(error.maximum, 4)) over \(error.detections) detection\(error.detections == 1 ? "" : "s")\n"
        }
        var text = "Calibration (IoU=\(TextSummary.fixed(calibration.iouThreshold, 2)), \(calibration.binCount) bins, hotcoco's definitions)\n"
        text += row("all", calibration.overall)
        for (group, error) in calibration.groups { text += row(group.rawValue, error) }
        return text
    }

    /// The `"calibration"` object; `categoryIDs[k]`: the id of result category k.
    public static func jsonObject(_ calibration: ScoreCalibration, categoryIDs: [Int]) -> String {
        var fields: [(String, String)] = [
            ("iou_threshold", JSONReport.number(calibration.iouThreshold)),
            ("bins", "\(calibration.binCount)"),
            ("all", errorObject(calibration.overall)),
        ]
        fields += calibration.groups.map { ($0.group.rawValue, errorObject($0.error)) }
        fields.append(("per_category", "{" + calibration.categoryECE.map {
            "\"\(categoryIDs[$0.category])\": {\"ece\": \(JSONReport.number($0.ece)), \"detections\": \($0.detections)}"
        }.joined(separator: ", ") + "}"))
        return "{" + fields.map { "\(JSONReport.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func errorObject(_ error: CalibrationError) -> String {
        let bins = error.bins.map {
            "{\"lower\": \(JSONReport.number($0.lower)), \"upper\": \(JSONReport.number($0.upper)), \"confidence\": \(JSONReport.number($0.meanConfidence)), \"accuracy\": \(JSONReport.number($0.accuracy)), \"count\": \($0.count)}"
        }
        return "{\"ece\": \(JSONReport.number(error.expected)), \"mce\": \(JSONReport.number(error.maximum)), \"detections\": \(error.detections), \"bins\": [" + bins.joined(separator: ", ") + "]}"
    }
}
