// Training curves from log.jsonl files (`detect-eval compare --log NAME=log.jsonl --curves DIR`):
// loss.png (total loss per iteration, one line per run), lr.png (learning rate), and, for runs
// validated during training, val.png: per IoU type (bbox, segm) one panel per run with AP, APr,
// APc and APf over iterations (AP black, the groups in their frequency colours). Axes from 0
// (x: the last iteration; y: the largest value, rounded up).
import Foundation
import SharedData
import SharedSupport

public enum TrainingCurves {
    static let panelWidth = 420, panelHeight = 240, left = 60, top = 40, bottom = 40, gap = 80, legendRow = 16

    /// Writes loss.png, lr.png and (when any run has validation lines) val.png into `directory`;
    /// returns the files written.
    @discardableResult
    public static func write(_ logs: [TrainingLog], to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        let series = { (pick: (TrainingLog) -> [(iteration: Int, value: Double)]) in
            logs.enumerated().map { (label: $0.element.name, color: FrequencyChart.seriesColor($0.offset), points: pick($0.element)) }
        }
        for (file, title, pick) in [("loss.png", "total loss", { (log: TrainingLog) in log.losses }),
                                    ("lr.png", "learning rate", { (log: TrainingLog) in log.learningRates })] {
            try panels([(title, series(pick))]).writePNG(to: directory + "/" + file)
            written.append(directory + "/" + file)
        }
        let validated = logs.filter { !$0.validations.isEmpty }
        if !validated.isEmpty {
            let stats: [(String, RGBColor)] = [("AP", .black), ("APr", FrequencyGroup.rare.plotColor),
                                               ("APc", FrequencyGroup.common.plotColor), ("APf", FrequencyGroup.frequent.plotColor)]
            var rows: [(String, [(label: String, color: RGBColor, points: [(iteration: Int, value: Double)])])] = []
            for type in ["bbox", "segm"] {
                for log in validated {
                    rows.append(("\(log.name): \(type) AP on the validation set", stats.map { stat, color in
                        (label: stat, color: color, points: log.validations.compactMap { v in v.metrics["\(type)_\(stat)"].map { (v.iteration, $0) } })
                    }))
                }
            }
            try panels(rows, columns: validated.count).writePNG(to: directory + "/val.png")
            written.append(directory + "/val.png")
        }
        return written
    }

    /// Line panels in a grid (`columns` per row), each with its own axes and legend.
    static func panels(_ panels: [(title: String, series: [(label: String, color: RGBColor, points: [(iteration: Int, value: Double)])])],
                       columns: Int = 1) -> Canvas {
        let rows = (panels.count + columns - 1) / columns
        let legendHeight = legendRow * (panels.map(\.series.count).max() ?? 0)
        let cellWidth = panelWidth + gap, cellHeight = top + panelHeight + bottom + legendHeight
        var canvas = Canvas(width: left + columns * cellWidth, height: max(1, rows) * cellHeight, background: .white)
        for (index, panel) in panels.enumerated() {
            let x0 = Double(left + (index % columns) * cellWidth), y0 = Double((index / columns) * cellHeight + top)
            draw(&canvas, panel.title, panel.series, x0: x0, y0: y0)
        }
        return canvas
    }

    static func draw(_ canvas: inout Canvas, _ title: String,
                     _ series: [(label: String, color: RGBColor, points: [(iteration: Int, value: Double)])], x0: Double, y0: Double) {
        let width = Double(panelWidth), height = Double(panelHeight)
        let xMax = Double(max(1, series.flatMap { $0.points.map(\.iteration) }.max() ?? 1))
        let largest = series.flatMap { $0.points.map(\.value) }.filter(\.isFinite).max() ?? 0
        let yMax = niceCeiling(largest)
        canvas.drawText(title, x: x0, y: y0 - 24, color: .black)
        for tick in 0...4 {
            let y = y0 + height * (1 - Double(tick) / 4), label = tickLabel(yMax * Double(tick) / 4)
            canvas.drawLine(from: CanvasPoint(x0, y), to: CanvasPoint(x0 + width, y), color: .lightGray)
            canvas.drawText(label, x: x0 - 6 - Double(Canvas.textWidth(label)), y: y - 3, color: .black)
            let x = x0 + width * Double(tick) / 4, iteration = "\(Int((xMax * Double(tick) / 4).rounded()))"
            canvas.drawText(iteration, x: x - Double(Canvas.textWidth(iteration)) / 2, y: y0 + height + 6, color: .black)
        }
        canvas.strokeRect(x: x0, y: y0, width: width, height: height, color: .black)
        canvas.drawText("iteration", x: x0 + width / 2 - 20, y: y0 + height + 20, color: .black)
        for (s, line) in series.enumerated() {
            let points = line.points.filter { $0.value.isFinite }.map {
                CanvasPoint(x0 + Double($0.iteration) / xMax * width, y0 + height - min($0.value, yMax) / yMax * height)
            }
            if points.count == 1 {
                canvas.fillRect(x: points[0].x - 2, y: points[0].y - 2, width: 4, height: 4, color: line.color)
            } else {
                canvas.drawPolyline(points, color: line.color, thickness: 1.5)
            }
            let legendY = y0 + height + Double(bottom) + Double(s * legendRow)
            canvas.fillRect(x: x0, y: legendY, width: 10, height: 10, color: line.color)
            canvas.drawText(line.label, x: x0 + 14, y: legendY + 2, color: .black)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 x 10^k at or above `value` (0.1 for nothing positive).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 0.1 }
        let power = pow(10, floor(log10(value)))
        return ([1, 2, 2.5, 5, 10].first { $0 * power >= value } ?? 10) * power
    }

    static func tickLabel(_ value: Double) -> String {
        value == 0 ? "0" : (abs(value) < 0.01 || abs(value) >= 1000 ? String(format: "%.1e", value) : String(format: "%.3g", value))
    }
}
