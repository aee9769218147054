// The detection grid: one row per image, one column per model (tiles side by side), the
// model names above the columns and the image id left of each row.
import SharedData

public enum DetectionGrid {
    static let header = 20, rowLabel = 70, padding = 6

    public struct Row: Sendable {
        public var label: String
        public var tiles: [Canvas]
        public init(label: String, tiles: [Canvas]) {
            self.label = label
            self.tiles = tiles
        }
    }

    /// Tile (`row`, `column`)'s top-left corner in the grid.
    static func origin(row: Int, column: Int, tileSize: Int) -> (x: Int, y: Int) {
        (rowLabel + column * (tileSize + padding), header + row * (tileSize + padding))
    }

    public static func compose(columns: [String], rows: [Row], tileSize: Int) -> Canvas {
        let corner = origin(row: max(1, rows.count), column: max(1, columns.count), tileSize: tileSize)
        var image = RGBImage(width: corner.x, height: corner.y, fill: .white)
        for (r, row) in rows.enumerated() {
            for (c, tile) in row.tiles.enumerated() {
                let at = origin(row: r, column: c, tileSize: tileSize)
                image.paste(tile.image, x: at.x, y: at.y)
            }
        }
        var canvas = Canvas(image: image)
        for (c, name) in columns.enumerated() {
            canvas.drawText(name, x: Double(origin(row: 0, column: c, tileSize: tileSize).x), y: 6, color: .black, scale: 1)
        }
        for (r, row) in rows.enumerated() {
            canvas.drawText(row.label, x: 4, y: Double(origin(row: r, column: 0, tileSize: tileSize).y + 4), color: .black)
        }
        return canvas
    }
}
