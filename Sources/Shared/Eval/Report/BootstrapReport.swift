// `detect-eval compare --bootstrap N` in the outputs: a markdown table per IoU type (each
// method's AP, APr, APc, APf with its 95 % interval, then each method minus the control with
// its interval and P(difference > 0)) and the `"bootstrap"` JSON document (keys in
// docs/evaluation.md §compare --bootstrap).

public enum BootstrapReport {
    /// "0.312 [0.280, 0.344]"; "-" when undefined.
    static func cell(_ interval: BootstrapInterval, signed: Bool = false) -> String {
        guard let value = interval.value else { return "-" }
        func format(_ x: Double) -> String { (signed && x >= 0 ? "+" : "") + TextSummary.fixed(x, 3) }
        var text = format(value)
        if let lower = interval.lower, let upper = interval.upper { text += " [" + format(lower) + ", " + format(upper) + "]" }
        if let p = interval.probabilityPositive { text += " P(>0)=" + TextSummary.fixed(p, 2) }
        return text
    }

    public static func markdown(_ comparisons: [(type: IoUType, comparison: BootstrapComparison)]) -> String {
        var text = ""
        for (type, comparison) in comparisons {
            let mode = comparison.resampling.distinct ? "distinct images" : "images counted as drawn"
            text += "\(type.rawValue): 95 % bootstrap intervals, \(comparison.resamples) resamples of \(comparison.resampling.imageCount) images (\(mode)), seed \(comparison.resampling.seed)\n\n"
            var rows = [["model"] + comparison.statNames]
            for (m, name) in comparison.methodNames.enumerated() {
                rows.append([name] + comparison.intervals[m].map { cell($0) })
            }
            for (d, row) in comparison.differences.enumerated() {
                rows.append(["\(comparison.methodNames[d + 1]) - \(comparison.methodNames[0])"] + row.map { cell($0, signed: true) })
            }
            text += ResultsTable.markdown(rows) + "\n"
        }
        return text
    }

    public static func jsonDocument(_ comparisons: [(type: IoUType, comparison: BootstrapComparison)]) -> String {
        guard let first = comparisons.first?.comparison else { return "{}\n" }
        func interval(_ i: BootstrapInterval) -> String {
            var fields = [("value", i.value.map(JSONReport.number) ?? "null"), ("lower", i.lower.map(JSONReport.number) ?? "null"),
                          ("upper", i.upper.map(JSONReport.number) ?? "null"), ("defined", "\(i.defined)")]
            if let p = i.probabilityPositive { fields.append(("prob_positive", JSONReport.number(p))) }
            if let s = i.standardError { fields.append(("std_err", JSONReport.number(s))) }
            return "{" + fields.map { "\(JSONReport.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        func stats(_ names: [String], _ intervals: [BootstrapInterval]) -> String {
            "{" + zip(names, intervals).map { "\(JSONReport.quoted($0)): \(interval($1))" }.joined(separator: ", ") + "}"
        }
        var out = "{\n  \"bootstrap\": {\"resamples\": \(first.resamples), \"seed\": \(first.resampling.seed), "
        out += "\"resampling\": \"\(first.resampling.distinct ? "distinct" : "counted")\", \"confidence\": \(BootstrapComparison.confidence), "
        out += "\"images\": \(first.resampling.imageCount), \"control\": \(JSONReport.quoted(first.methodNames[0]))}"
        for (type, comparison) in comparisons {
            out += ",\n  \"\(type.rawValue)\": {\n    \"methods\": {"
            out += comparison.methodNames.enumerated().map { m, name in
                "\n      \(JSONReport.quoted(name)): \(stats(comparison.statNames, comparison.intervals[m]))"
            }.joined(separator: ",")
            out += "\n    },\n    \"differences\": {"
            out += comparison.differences.enumerated().map { d, row in
                "\n      \(JSONReport.quoted(comparison.methodNames[d + 1])): \(stats(comparison.statNames, row))"
            }.joined(separator: ",")
            out += comparison.differences.isEmpty ? "}\n  }" : "\n    }\n  }"
        }
        return out + "\n}\n"
    }
}
