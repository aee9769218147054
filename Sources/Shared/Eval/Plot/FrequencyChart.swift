// The per-frequency AP chart: one panel per IoU type (bbox, segm), four groups of bars
// (AP, APr, APc, APf), one bar per model in the model's series colour, its value written
// above it. The y axis runs from 0 to the largest value rounded up to a tenth (at least
// 0.1), so small APs stay visible. Shared by `detect-eval report` and `compare`.
import SharedData
import SharedSupport

public enum FrequencyChart {
    static let panelWidth = 420, panelHeight = 240
    static let left = 50, top = 50, bottom = 40, gap = 70, legendHeight = 20
    public static let groups = ["AP", "APr", "APc", "APf"]

    /// The colour of model `index`'s bars (matplotlib's tab10 order).
    public static func seriesColor(_ index: Int) -> RGBColor { RGBColor.palette[index % RGBColor.palette.count] }

    /// The top of the y axis for `models`.
    static func yMax(_ models: [ModelResults]) -> Double {
        let largest = models.flatMap { model in model.iouTypes.flatMap { type in groups.compactMap { model.value(type, $0) } } }.max() ?? 0
        return max(0.1, (largest * 10).rounded(.up) / 10)
    }

    /// Where the bar of (`panel`, `group`, `model`) lies for `value`: x, y (top), width, height.
    static func barFrame(panel: Int, group: Int, model: Int, models: Int, value: Double, yMax: Double)
        -> (x: Double, y: Double, width: Double, height: Double) {
        let groupWidth = Double(panelWidth) / Double(groups.count)
        let barWidth = (groupWidth * 0.8 / Double(max(1, models))).rounded(.down)
        let x = Double(panelLeft(panel)) + Double(group) * groupWidth + groupWidth * 0.1 + Double(model) * barWidth
        let height = (min(value, yMax) / yMax * Double(panelHeight)).rounded()
        return (x.rounded(), Double(top + panelHeight) - height, barWidth, height)
    }

    static func panelLeft(_ panel: Int) -> Int { left + panel * (panelWidth + gap) }

    public static func write(_ models: [ModelResults], to path: String) throws {
        try render(models).writePNG(to: path)
    }

    public static func render(_ models: [ModelResults]) -> Canvas {
        let types = models.iouTypes
        let width = panelLeft(max(1, types.count)) - gap + 20
        var canvas = Canvas(width: width, height: top + panelHeight + bottom + legendHeight, background: .white)
        let yMax = yMax(models)
        for (panel, type) in types.enumerated() {
            let x0 = Double(panelLeft(panel)), y0 = Double(top)
            canvas.drawText("\(type.rawValue): AP per frequency group", x: x0, y: y0 - 30, color: .black, scale: 1)
            for tick in 0...4 {
                let value = yMax * Double(tick) / 4
                let y = y0 + Double(panelHeight) * (1 - Double(tick) / 4)
                canvas.drawLine(from: CanvasPoint(x0, y), to: CanvasPoint(x0 + Double(panelWidth), y), color: .lightGray)
                let label = TextSummary.fixed(value, 2)
                canvas.drawText(label, x: x0 - 6 - Double(Canvas.textWidth(label)), y: y - 3, color: .black)
            }
            canvas.strokeRect(x: x0, y: y0, width: Double(panelWidth), height: Double(panelHeight), color: .black)
            for (g, group) in groups.enumerated() {
                for (m, model) in models.enumerated() {
                    guard let value = model.value(type, group) else { continue }
                    let bar = barFrame(panel: panel, group: g, model: m, models: models.count, value: value, yMax: yMax)
                    canvas.fillRect(x: bar.x, y: bar.y, width: bar.width, height: bar.height, color: seriesColor(m))
                    let label = TextSummary.fixed(value, 3)
                    if Double(Canvas.textWidth(label)) <= bar.width + 6 {
                        canvas.drawText(label, x: bar.x + (bar.width - Double(Canvas.textWidth(label))) / 2, y: bar.y - 10, color: .black)
                    }
                }
                let groupWidth = Double(panelWidth) / Double(groups.count)
                let labelX = x0 + (Double(g) + 0.5) * groupWidth - Double(Canvas.textWidth(group)) / 2
                canvas.drawText(group, x: labelX, y: y0 + Double(panelHeight) + 8, color: .black)
            }
        }
        var legendX = Double(left)
        let legendY = Double(top + panelHeight + bottom)
        for (m, model) in models.enumerated() {
            canvas.fillRect(x: legendX, y: legendY, width: 10, height: 10, color: seriesColor(m))
            canvas.drawText(model.name, x: legendX + 14, y: legendY + 2, color: .black)
            legendX += 30 + Double(Canvas.textWidth(model.name))
        }
        return canvas
    }
}
