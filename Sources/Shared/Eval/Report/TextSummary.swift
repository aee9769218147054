// The summary table as pycocotools' summarize() and the LVIS API's print_results() print it:
// " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505".
#if canImport(Glibc)
import Glibc
#endif

public enum TextSummary {
    /// The reference's lines for `report`, one per stat, each ending in "\n".
    public static func lines(_ report: EvaluationReport) -> String {
        let parameters = report.result.parameters
        let range = "\(fixed(parameters.iouThresholds[0], 2)):\(fixed(parameters.iouThresholds[parameters.iouThresholds.count - 1], 2))"
        var text = ""
        for stat in report.stats {
            let title = stat.kind == .precision ? "Average Precision" : "Average Recall"
            let type = stat.kind == .precision ? "(AP)" : "(AR)"
            let iou = stat.iouThreshold.map { fixed($0, 2) } ?? range
            var line = " " + pad(title, 18) + " " + type + " @[ IoU=" + pad(iou, 9) + " | area="
            switch report.style {
            case .coco:
                line += padLeft(stat.areaLabel, 6) + " | maxDets=" + padLeft(String(stat.maxDetections), 3) + " ]"
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
