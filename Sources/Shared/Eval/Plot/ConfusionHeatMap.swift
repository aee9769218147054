// The PNG beside `--confusion FILE.csv` (FILE.png): a heat map of the classes most involved in
// confusions — the `limit` classes with the most off-diagonal class-to-class counts (row and
// column, background left out; ties by id), ordered rare, common, frequent (then by id), each
// group marked by its colour along both axes. A cell is its count over its ground-truth row's
// total (background column included), as mmdetection's plot normalises, from white (0) to dark
// red (100 %); a cell that has counts is outlined so a small share stays visible. To compare
// models (`detect-eval report`), each model's map shows the same classes, chosen by their
// involvement summed over the models' matrices.
import SharedData
import SharedSupport

public enum ConfusionHeatMap {
    static let cell = 24, labelWidth = 150, top = 60, band = 6

    /// The classes shown (matrix indices), in display order.
    static func classes(_ matrix: ConfusionMatrix, limit: Int) -> [Int] { classes(of: [matrix], limit: limit) }

    /// The classes shown for matrices of the same categories (precondition), involvement summed.
    public static func classes(of matrices: [ConfusionMatrix], limit: Int) -> [Int] {
        guard let matrix = matrices.first else { return [] }
        precondition(matrices.allSatisfy { $0.categories == matrix.categories }, "confusion matrices of different categories")
        let c = matrix.categories.count
        let involvement = (0..<c).map { k in
            matrices.reduce(0) { sum, m in
                (0..<c).reduce(sum) { $1 == k ? $0 : $0 + m[groundTruth: k, detected: $1] + m[groundTruth: $1, detected: k] }
            }
        }
        let chosen = (0..<c).filter { involvement[$0] > 0 }
            .sorted { (involvement[$0], -matrix.categories[$0].id.rawValue) > (involvement[$1], -matrix.categories[$1].id.rawValue) }
            .prefix(limit)
        let rank: (FrequencyGroup?) -> Int = { $0.map { FrequencyGroup.allCases.firstIndex(of: $0)! } ?? 3 }
        return chosen.sorted {
            (rank(matrix.categories[$0].frequency), matrix.categories[$0].id.rawValue)
                < (rank(matrix.categories[$1].frequency), matrix.categories[$1].id.rawValue)
        }
    }

    public static func write(_ matrix: ConfusionMatrix, limit: Int = 30, to path: String) throws {
        try render(matrix, limit: limit).writePNG(to: path)
    }

    public static func render(_ matrix: ConfusionMatrix, limit: Int = 30) -> Canvas {
        render(matrix, shown: classes(matrix, limit: limit))
    }

    /// The map of the classes `shown` (matrix indices, in display order); `title` replaces the first line.
    public static func render(_ matrix: ConfusionMatrix, shown: [Int], title: String? = nil) -> Canvas {
        let n = max(shown.count, 1)
        var canvas = Canvas(width: labelWidth + n * cell + 20, height: top + n * cell + 40, background: .white)
        canvas.drawText(title ?? "confusions: ground truth (rows) -> detected (columns), share of the row", x: 6, y: 6, color: .black)
        guard !shown.isEmpty else {
            canvas.drawText("no confusion between classes", x: 6, y: Double(top), color: .black)
            return canvas
        }
        let size = matrix.size
        for (r, row) in shown.enumerated() {
            let total = (0..<size).reduce(0) { $0 + matrix[groundTruth: row, detected: $1] }
            let category = matrix.categories[row]
            let y = Double(top + r * cell)
            canvas.fillRect(x: Double(labelWidth - band - 2), y: y, width: Double(band), height: Double(cell),
                            color: category.frequency?.plotColor ?? .gray)
            let label = String("\(category.id.rawValue) \(category.name)".prefix(22))
            canvas.drawText(label, x: 4, y: y + Double(cell) / 2 - 3, color: .black)
            for (c, column) in shown.enumerated() {
                let count = matrix[groundTruth: row, detected: column]
                let x = Double(labelWidth + c * cell)
                if count > 0, total > 0 {
                    canvas.fillRect(x: x, y: y, width: Double(cell), height: Double(cell), color: shade(Double(count) / Double(total)))
                    canvas.strokeRect(x: x, y: y, width: Double(cell), height: Double(cell), color: .gray)
                }
            }
        }
        for (c, column) in shown.enumerated() {
            let category = matrix.categories[column], x = Double(labelWidth + c * cell)
            canvas.fillRect(x: x, y: Double(top - band - 2), width: Double(cell), height: Double(band), color: category.frequency?.plotColor ?? .gray)
            let id = "\(category.id.rawValue)"
            canvas.drawText(id, x: x + (Double(cell) - Double(Canvas.textWidth(id))) / 2, y: Double(top - band - 14), color: .black)
        }
        canvas.strokeRect(x: Double(labelWidth), y: Double(top), width: Double(shown.count * cell), height: Double(shown.count * cell),
                          color: .black)
        canvas.drawText("bands: rare red, common orange, frequent blue; columns by category id", x: 6,
                        y: Double(top + shown.count * cell + 14), color: .black)
        return canvas
    }

    /// White at 0, dark red at 1.
    static func shade(_ share: Double) -> RGBColor {
        let t = min(max(share, 0), 1)
        func mix(_ from: Double, _ to: Double) -> UInt8 { UInt8((from + (to - from) * t).rounded()) }
        return RGBColor(red: mix(255, 140), green: mix(255, 0), blue: mix(255, 0))
    }
}

extension ConfusionHeatMap {
    /// FILE.png for FILE.csv (the CSV's name with its extension replaced, or ".png" appended).
    public static func path(besideCSV csv: String) -> String {
        csv.lowercased().hasSuffix(".csv") ? String(csv.dropLast(4)) + ".png" : csv + ".png"
    }
}
