// The summary table as pycocotools' summarize() and the LVIS API's print_results() print it:
// " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505", then
// the pooled AP lines (titled "Pooled Precision", the pool as catIds), a row per slice, then
// the calibration and per-image diagnostics when asked for.
#if canImport(Glibc)
import Glibc
#endif

public enum TextSummary {
    /// The reference's lines for `report`, one per stat, each ending in "\n".
    public static func lines(_ report: EvaluationReport) -> String {
        statLines(report.stats, style: report.style, parameters: report.result.parameters)
            + report.slices.map(sliceRow).joined()
            + (report.calibration.map(CalibrationReport.lines) ?? "")
            + (report.diagnostics.map(DiagnosticsReport.lines) ?? "")
    }

    /// One line per stat, as the reference prints them.
    public static func statLines(_ stats: [SummaryStat], style: EvaluationStyle, parameters: EvaluationParameters) -> String {
        let range = "\(fixed(parameters.iouThresholds[0], 2)):\(fixed(parameters.iouThresholds[parameters.iouThresholds.count - 1], 2))"
        var text = ""
        for stat in stats {
            let title = stat.pooled ? "Pooled Precision" : stat.kind == .precision ? "Average Precision" : "Average Recall"
            let type = stat.kind == .precision ? "(AP)" : "(AR)"
            let iou = stat.iouThreshold.map { fixed($0, 2) } ?? range
            var line = " " + pad(title, 18) + " " + type + " @[ IoU=" + pad(iou, 9) + " | area="
            switch style {
            case .coco:
                line += padLeft(stat.areaLabel, 6) + " | maxDets=" + padLeft(parameters.capLabel(stat.maxDetections), 3) + " ]"
            case .lvis:
                // LVIS prints the first letter of the area and of the frequency group.
                let area = stat.areaLabel == "all" ? "all" : String(stat.areaLabel.prefix(1))
                let group = stat.group?.rawValue ?? "all"
                line += padLeft(area, 6) + " | maxDets=" + padLeft(String(stat.maxDetections), 3)
                    + " catIds=" + padLeft(group, 3) + "]"
            }
            line += " = " + fixed(stat.value, 3) + "\n"
            text += line
        }
        return text
    }

    /// "slice night: 12 images, 340 detections; AP=0.312 AP50=0.501 ...": every stat of the
    /// slice to three decimals, one line.
    static func sliceRow(_ slice: SliceReport) -> String {
        "slice \(slice.name): \(slice.imageCount) image\(slice.imageCount == 1 ? "" : "s"), \(slice.detectionCount) detection\(slice.detectionCount == 1 ? "" : "s");"
            + slice.stats.map { " \($0.name)=\(fixed($0.value, 3))" }.joined() + "\n"
    }

    /// Python's `"{:0.Nf}".format(value)` (C printf rounding of the exact binary value).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(digits)f", $0) }
        return String(cString: buffer)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
