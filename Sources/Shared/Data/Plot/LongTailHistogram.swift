// The long-tail histogram: one bar per category (a count: instances or training images),
// sorted from most to fewest, coloured by frequency group, on a log scale, with optional
// labelled threshold lines (LVIS: 10 and 100 training images). Used by `lvis-prep stats
// --plot` (instances per category of a shard folder) and `detect-eval report` (images per
// category of the training json).
#if canImport(Glibc)
import Glibc
#endif

public struct LongTailHistogram: Sendable {
    public struct Bar: Equatable, Sendable {
        public var count: Int
        public var group: FrequencyGroup
        public init(count: Int, group: FrequencyGroup) {
            self.count = count
            self.group = group
        }
    }

    /// The LVIS group limits on training-image counts (rare <= 10 < common <= 100 < frequent).
    public static let lvisThresholds = [10, 100]

    public var bars: [Bar]
    public var title: String
    /// Counts at which a labelled dashed line is drawn.
    public var thresholds: [Int]

    /// `bars` in any order; they are drawn sorted by count, largest first (stable).
    public init(bars: [Bar], title: String, thresholds: [Int] = []) {
        self.bars = bars
        self.title = title
        self.thresholds = thresholds
    }

    public func render(width: Int = 900, height: Int = 420) -> Canvas {
        var canvas = Canvas(width: width, height: height, background: .white)
        let sorted = bars.enumerated().sorted { $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset }
            .map(\.element)
        let left = 60.0, right = Double(width) - 20, top = 40.0, bottom = Double(height) - 40
        let maxCount = max(1, sorted.first?.count ?? 1)
        let decades = max(1, Int((log10(Double(maxCount))).rounded(.up)))
        func y(_ count: Int) -> Double {
            count <= 0 ? bottom : bottom - (bottom - top) * (log10(Double(count)) + 0.3) / (Double(decades) + 0.3)
        }
        for decade in 0...decades {
            let value = Int(pow(10, Double(decade)))
            canvas.drawLine(from: CanvasPoint(left, y(value)), to: CanvasPoint(right, y(value)), color: .lightGray)
            let label = String(value)
            canvas.drawText(label, x: left - 6 - Double(Canvas.textWidth(label)), y: y(value) - 3, color: .black)
        }
        let barWidth = (right - left) / Double(max(1, sorted.count))
        for (index, bar) in sorted.enumerated() where bar.count > 0 {
            let x = left + Double(index) * barWidth
            canvas.fillRect(x: x, y: y(bar.count), width: max(1, barWidth * 0.85), height: bottom - y(bar.count),
                            color: bar.group.plotColor)
        }
        for threshold in thresholds where threshold <= maxCount * 10 {
            let lineY = y(threshold)
            var x = left
            while x < right {
                canvas.drawLine(from: CanvasPoint(x, lineY), to: CanvasPoint(min(right, x + 6), lineY), color: .black)
                x += 12
            }
            let label = "\(threshold)"
            canvas.drawText(label, x: right - Double(Canvas.textWidth(label)) - 2, y: lineY - 10, color: .black)
        }
        canvas.drawLine(from: CanvasPoint(left, bottom), to: CanvasPoint(right, bottom), color: .black)
        canvas.drawLine(from: CanvasPoint(left, top), to: CanvasPoint(left, bottom), color: .black)
        canvas.drawText(title, x: left, y: 12, color: .black, scale: 1)
        var legendX = left
        for group in [FrequencyGroup.rare, .common, .frequent] {
            canvas.fillRect(x: legendX, y: Double(height) - 24, width: 10, height: 10, color: group.plotColor)
            canvas.drawText(group.displayName, x: legendX + 14, y: Double(height) - 22, color: .black)
            legendX += 24 + Double(Canvas.textWidth(group.displayName))
        }
        return canvas
    }
}
