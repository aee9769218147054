// The TIDE breakdown as text (a table after the summary, two decimals as tidecv's
// `summarize` prints) and as the "tide" object of the --json document (full precision).
import SharedData
import SharedSupport

extension TIDEBreakdown {
    /// "COCO rules, 100 detections per image" and the like.
    var protocolLine: String {
        let cap = maxDetections.map { "\($0) detections per image" } ?? "no per-image cap"
        return "tidecv \(kind == .coco ? "COCO" : "LVIS") rules, \(cap), IoU >= \(thresholds.positive) positive, "
            + "<= \(thresholds.background) background"
    }

    /// The table: one row for all classes and one per frequency group (dAP in AP points),
    /// then the error counts.
    public func textSummary() -> String {
        let columns = ["AP"] + TIDEErrorKind.allCases.map(\.rawValue) + TIDESpecialError.allCases.map(\.rawValue)
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func row(_ name: String, _ values: [String]) -> String {
            let line = "  " + name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + zip(columns, values).map { cell($1, max(7, $0.count + 1)) }.joined()
            return String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
        }
        func numbers(_ scores: TIDEScores) -> [String] {
            ([scores.ap] + scores.main + scores.special).map { $0.map { TextSummary.fixed($0, 2) } ?? "-" }
        }
        var text = "TIDE error breakdown, \(iouType.rawValue) (\(protocolLine))\n"
            + "  AP: tidecv's AP at IoU \(thresholds.positive); each error: the AP gained by fixing it (dAP), in AP points\n"
        text += row("", columns)
        text += row("all", numbers(all))
        for (group, scores) in groups { text += row(group.rawValue, numbers(scores)) }
        text += row("errors", [""] + errorCounts.map(String.init) + ["", ""])
        return text
    }

    /// The breakdown as a JSON object (keys in docs/evaluation.md, "--tide").
    public func jsonObject() -> String {
        func number(_ value: Double?) -> String { value.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        func scoresObject(_ scores: TIDEScores) -> String {
            "{\"ap\": \(number(scores.ap)), \"main\": {"
                + TIDEErrorKind.allCases.map { "\"\($0.rawValue)\": \(number(scores.main($0)))" }.joined(separator: ", ")
                + "}, \"special\": {"
                + TIDESpecialError.allCases.map { "\"\($0.rawValue)\": \(number(scores.special($0)))" }.joined(separator: ", ") + "}}"
        }
        var out = "{\"rules\": \(JSONWriter.quoted(kind.rawValue)), \"max_dets\": \(maxDetections ?? EvaluationParameters.noLimit), "
        out += "\"pos_threshold\": \(thresholds.positive), \"background_threshold\": \(thresholds.background), "
        let all = scoresObject(all)
        out += String(all.dropFirst().dropLast()) + ", \"counts\": {"
        out += TIDEErrorKind.allCases.map { "\"\($0.rawValue)\": \(count($0))" }.joined(separator: ", ") + "}"
        if !groups.isEmpty {
            out += ", \"groups\": {" + groups.map { "\"\($0.group.rawValue)\": \(scoresObject($0.scores))" }.joined(separator: ", ") + "}"
        }
        return out + "}"
    }

    /// The "tide" member of the --json document: one object per IoU type.
    public static func jsonObject(_ breakdowns: [TIDEBreakdown]) -> String {
        "{" + breakdowns.map { "\"\($0.iouType.rawValue)\": \($0.jsonObject())" }.joined(separator: ", ") + "}"
    }
}
