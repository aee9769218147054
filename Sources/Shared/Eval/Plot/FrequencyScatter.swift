// APr against APf per method, one point per seed (`detect-eval compare --by-seed --scatter`):
// one panel per IoU type, both axes from 0 to the largest value rounded up to a tenth, each
// method in its series colour (FrequencyChart's), its seeds as filled squares and its mean as
// a hollow one. Where a method sits shows how it trades the tail against the head.
import SharedData
import SharedSupport

public enum FrequencyScatter {
    static let panelSize = 300, left = 50, top = 40, bottom = 40, gap = 70, legendRow = 16

    public static func write(_ models: [ModelResults], to path: String) throws {
        try render(models).writePNG(to: path)
    }

    public static func render(_ models: [ModelResults]) -> Canvas {
        let types = models.iouTypes, groups = SeedGroup.groups(models)
        let panelLeft = { (panel: Int) in left + panel * (panelSize + gap) }
        let width = panelLeft(max(1, types.count)) - gap + 20
        let height = top + panelSize + bottom + legendRow * groups.count + 10
        var canvas = Canvas(width: width, height: height, background: .white)
        let largest = models.flatMap { model in types.flatMap { [model.value($0, "APr"), model.value($0, "APf")].compactMap { $0 } } }.max() ?? 0
        let axisMax = max(0.1, (largest * 10).rounded(.up) / 10)
        for (panel, type) in types.enumerated() {
            let x0 = Double(panelLeft(panel)), y0 = Double(top), size = Double(panelSize)
            canvas.drawText("\(type.rawValue): APr vs APf (points: seeds)", x: x0, y: y0 - 24, color: .black)
            for tick in 0...4 {
                let value = axisMax * Double(tick) / 4, offset = size * Double(tick) / 4
                let label = TextSummary.fixed(value, 2)
                canvas.drawLine(from: CanvasPoint(x0, y0 + size - offset), to: CanvasPoint(x0 + size, y0 + size - offset), color: .lightGray)
                canvas.drawLine(from: CanvasPoint(x0 + offset, y0), to: CanvasPoint(x0 + offset, y0 + size), color: .lightGray)
                canvas.drawText(label, x: x0 - 6 - Double(Canvas.textWidth(label)), y: y0 + size - offset - 3, color: .black)
                canvas.drawText(label, x: x0 + offset - Double(Canvas.textWidth(label)) / 2, y: y0 + size + 6, color: .black)
            }
            canvas.strokeRect(x: x0, y: y0, width: size, height: size, color: .black)
            canvas.drawText("APf", x: x0 + size / 2 - 8, y: y0 + size + 20, color: .black)
            canvas.drawText("APr", x: x0 - 44, y: y0 - 12, color: .black)
            func point(_ f: Double, _ r: Double) -> (Double, Double) {
                (x0 + min(f, axisMax) / axisMax * size, y0 + size - min(r, axisMax) / axisMax * size)
            }
            for (g, group) in groups.enumerated() {
                let color = FrequencyChart.seriesColor(g)
                for run in group.runs {
                    guard let r = run.value(type, "APr"), let f = run.value(type, "APf") else { continue }
                    let (x, y) = point(f, r)
                    canvas.fillRect(x: x - 3, y: y - 3, width: 6, height: 6, color: color)
                }
                if let r = group.statistic(type, "APr")?.mean, let f = group.statistic(type, "APf")?.mean {
                    let (x, y) = point(f, r)
                    canvas.strokeRect(x: x - 5, y: y - 5, width: 10, height: 10, color: color)
                }
            }
        }
        for (g, group) in groups.enumerated() {
            let y = Double(top + panelSize + bottom + legendRow * g)
            canvas.fillRect(x: Double(left), y: y, width: 10, height: 10, color: FrequencyChart.seriesColor(g))
            canvas.drawText("\(group.method) (\(group.runs.count) seed\(group.runs.count == 1 ? "" : "s"))", x: Double(left) + 14, y: y + 2,
                            color: .black)
        }
        return canvas
    }
}
