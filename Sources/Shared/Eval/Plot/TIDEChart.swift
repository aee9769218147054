// The PNG of `--tide-plot FILE.png`: one panel per IoU type, the dAP of each TIDE error (six
// main, then the two special ones after a gap) as bars, one bar per series: all classes in
// grey, then rare / common / frequent in their group colours when the categories carry
// frequencies. Each panel's title carries tidecv's AP; the y axis runs from 0 to the largest
// dAP rounded up to 5 points (at least 5), as tidecv's plot rounds its range. `detect-eval
// report` stacks one row of panels per model under one y axis, so models compare bar by bar.
import SharedData
import SharedSupport

public enum TIDEChart {
    static let panelWidth = 560, panelHeight = 240
    static let left = 50, top = 50, bottom = 40, gap = 70, legendHeight = 20
    static let errors = TIDEErrorKind.allCases.map(\.rawValue) + TIDESpecialError.allCases.map(\.rawValue)
    /// The colour of the "all classes" series.
    static let allColor = RGBColor.gray

    /// The series of a breakdown: (name, colour, scores).
    static func series(_ breakdown: TIDEBreakdown) -> [(name: String, color: RGBColor, scores: TIDEScores)] {
        [("all", allColor, breakdown.all)] + breakdown.groups.map { ($0.group.rawValue, $0.group.plotColor, $0.scores) }
    }

    /// dAP of error column `e` (main errors, then special).
    static func value(_ scores: TIDEScores, _ e: Int) -> Double? {
        e < TIDEErrorKind.allCases.count ? scores.main[e] : scores.special[e - TIDEErrorKind.allCases.count]
    }

    static func yMax(_ breakdowns: [TIDEBreakdown]) -> Double {
        let largest = breakdowns.flatMap { series($0).flatMap { s in errors.indices.compactMap { value(s.scores, $0) } } }.max() ?? 0
        return max(5, (largest / 5).rounded(.up) * 5)
    }

    /// The left edge of error column `e` (a gap of one column before the special errors).
    static func columnLeft(panel: Int, column e: Int) -> Double {
        let slot = e < TIDEErrorKind.allCases.count ? e : e + 1
        return Double(panelLeft(panel)) + Double(slot) * columnWidth
    }

    static var columnWidth: Double { Double(panelWidth) / Double(errors.count + 1) }

    static func panelLeft(_ panel: Int) -> Int { left + panel * (panelWidth + gap) }

    public static func write(_ breakdowns: [TIDEBreakdown], to path: String) throws {
        try render(breakdowns).writePNG(to: path)
    }

    public static func render(_ breakdowns: [TIDEBreakdown]) -> Canvas { render(rows: [(nil, breakdowns)]) }

    /// One row of panels per entry (its label, e.g. a model's name, leads each title), one y axis.
    public static func write(rows: [(label: String?, breakdowns: [TIDEBreakdown])], to path: String) throws {
        try render(rows: rows).writePNG(to: path)
    }

    static var rowHeight: Int { top + panelHeight + bottom }

    public static func render(rows: [(label: String?, breakdowns: [TIDEBreakdown])]) -> Canvas {
        let width = panelLeft(max(1, rows.map(\.breakdowns.count).max() ?? 1)) - gap + 20
        var canvas = Canvas(width: width, height: max(1, rows.count) * rowHeight + legendHeight, background: .white)
        let yMax = yMax(rows.flatMap(\.breakdowns))
        for (r, row) in rows.enumerated() {
            for (panel, breakdown) in row.breakdowns.enumerated() {
                drawPanel(&canvas, breakdown, label: row.label, x0: Double(panelLeft(panel)), y0: Double(r * rowHeight + top), yMax: yMax)
            }
        }
        var legendX = Double(left)
        let legendY = Double(rows.count * rowHeight)
        for entry in rows.first?.breakdowns.first.map(series) ?? [] {
            let label = entry.name == "all" ? "all classes" : (FrequencyGroup(rawValue: entry.name)?.displayName ?? entry.name)
            canvas.fillRect(x: legendX, y: legendY, width: 10, height: 10, color: entry.color)
            canvas.drawText(label, x: legendX + 14, y: legendY + 2, color: .black)
            legendX += 30 + Double(Canvas.textWidth(label))
        }
        return canvas
    }

    static func drawPanel(_ canvas: inout Canvas, _ breakdown: TIDEBreakdown, label: String?, x0: Double, y0: Double, yMax: Double) {
        let ap = breakdown.all.ap.map { TextSummary.fixed($0, 2) } ?? "-"
        canvas.drawText((label.map { "\($0), " } ?? "") + "\(breakdown.iouType.rawValue): TIDE dAP (tidecv AP\(Int(breakdown.thresholds.positive * 100)) \(ap))",
                        x: x0, y: y0 - 30, color: .black, scale: 1)
        for tick in 0...4 {
            let value = yMax * Double(tick) / 4
            let y = y0 + Double(panelHeight) * (1 - Double(tick) / 4)
            canvas.drawLine(from: CanvasPoint(x0, y), to: CanvasPoint(x0 + Double(panelWidth), y), color: .lightGray)
            let label = TextSummary.fixed(value, 1)
            canvas.drawText(label, x: x0 - 6 - Double(Canvas.textWidth(label)), y: y - 3, color: .black)
        }
        canvas.strokeRect(x: x0, y: y0, width: Double(panelWidth), height: Double(panelHeight), color: .black)
        let all = series(breakdown)
        let barWidth = (columnWidth * 0.8 / Double(all.count)).rounded(.down)
        for (e, name) in errors.enumerated() {
            let columnX = x0 - Double(left) + columnLeft(panel: 0, column: e)
            for (s, entry) in all.enumerated() {
                guard let value = value(entry.scores, e) else { continue }
                let height = (max(0, min(value, yMax)) / yMax * Double(panelHeight)).rounded()
                let x = (columnX + columnWidth * 0.1 + Double(s) * barWidth).rounded()
                canvas.fillRect(x: x, y: y0 + Double(panelHeight) - height, width: barWidth, height: height, color: entry.color)
            }
            canvas.drawText(name, x: columnX + (columnWidth - Double(Canvas.textWidth(name))) / 2,
                            y: y0 + Double(panelHeight) + 8, color: .black)
        }
    }
}
