// `--plot`: one PNG with, per IoU type, the precision-recall curves at IoU 0.50 and 0.75
// (all categories and each frequency group) and AP per category sorted by training
// frequency, bars coloured rare / common / frequent.
import SharedData
import SharedSupport

public enum EvaluationPlot {
    static let panelWidth = 360, panelHeight = 260, margin = 40

    static func color(_ group: FrequencyGroup?) -> RGBColor { group?.plotColor ?? .gray }

    /// Draws all reports (one row each) and writes the PNG atomically.
    public static func write(_ reports: [EvaluationReport], to path: String) throws {
        try render(reports).writePNG(to: path)
    }

    public static func render(_ reports: [EvaluationReport]) -> Canvas {
        let rowHeight = panelHeight + 2 * margin
        var canvas = Canvas(width: 3 * (panelWidth + 2 * margin), height: max(1, reports.count) * rowHeight, background: .white)
        for (row, report) in reports.enumerated() {
            let top = Double(row * rowHeight + margin)
            for (column, threshold) in [0.5, 0.75].enumerated() {
                let left = Double(column * (panelWidth + 2 * margin) + margin)
                drawCurves(&canvas, report, threshold: threshold, left: left, top: top)
            }
            drawCategoryBars(&canvas, report, left: Double(2 * (panelWidth + 2 * margin) + margin), top: top)
        }
        return canvas
    }

    static func frame(_ canvas: inout Canvas, left: Double, top: Double, title: String) {
        canvas.strokeRect(x: left, y: top, width: Double(panelWidth), height: Double(panelHeight), color: .black, thickness: 1)
        canvas.drawText(title, x: left, y: top - 14, color: .black, scale: 1)
        canvas.drawText("0", x: left - 8, y: top + Double(panelHeight) - 4, color: .black, scale: 1)
        canvas.drawText("1", x: left - 8, y: top - 3, color: .black, scale: 1)
    }

    /// Mean precision over categories at each recall point (area all, largest cap).
    static func meanCurve(_ report: EvaluationReport, t: Int, group: FrequencyGroup??) -> [Double]? {
        let result = report.result, s = result.shape
        var curve: [Double] = []
        for r in 0..<s.r {
            var sum = 0.0, count = 0
            for k in 0..<s.k {
                if let group, report.categories[k].frequency != group { continue }
                let value = result.precision(t: t, r: r, k: k, a: 0, m: s.m - 1)
                if value > -1 { sum += value; count += 1 }
            }
            if count == 0 { return nil }
            curve.append(sum / Double(count))
        }
        return curve
    }

    static func drawCurves(_ canvas: inout Canvas, _ report: EvaluationReport, threshold: Double, left: Double, top: Double) {
        let parameters = report.result.parameters
        frame(&canvas, left: left, top: top,
              title: "\(report.iouType.rawValue) precision-recall, IoU \(TextSummary.fixed(threshold, 2))")
        guard let t = parameters.iouIndex(of: threshold) else { return }
        let groups: [(FrequencyGroup??, RGBColor, String)] = [
            (.none, .black, "all"), (.some(.rare), color(.rare), "rare"),
            (.some(.common), color(.common), "common"), (.some(.frequent), color(.frequent), "frequent"),
        ]
        var legendY = top + 6
        for (group, lineColor, label) in groups {
            guard let curve = meanCurve(report, t: t, group: group) else { continue }
            let points = curve.enumerated().map { r, p in
                CanvasPoint(left + parameters.recallThresholds[r] * Double(panelWidth),
                            top + (1 - p) * Double(panelHeight))
            }
            canvas.drawPolyline(points, color: lineColor, thickness: label == "all" ? 2 : 1)
            canvas.drawText(label, x: left + Double(panelWidth) - 60, y: legendY, color: lineColor, scale: 1)
            legendY += 10
        }
    }

    static func drawCategoryBars(_ canvas: inout Canvas, _ report: EvaluationReport, left: Double, top: Double) {
        frame(&canvas, left: left, top: top, title: "\(report.iouType.rawValue) AP per category (by training frequency)")
        // Sort by training images (LVIS image_count), else by ground truths in this split.
        let order = report.categories.indices.sorted { a, b in
            let ca = report.categories[a].imageCount ?? report.result.groundTruthCounts[a]
            let cb = report.categories[b].imageCount ?? report.result.groundTruthCounts[b]
            return ca != cb ? ca < cb : a < b
        }
        guard !order.isEmpty else { return }
        let barWidth = Double(panelWidth) / Double(order.count)
        for (position, k) in order.enumerated() {
            let ap = report.categoryAP(k).ap
            guard ap > 0 else { continue }
            let height = ap * Double(panelHeight)
            canvas.fillRect(x: left + Double(position) * barWidth, y: top + Double(panelHeight) - height,
                            width: max(1, barWidth), height: height, color: color(report.categories[k].frequency), alpha: 1)
        }
    }
}
